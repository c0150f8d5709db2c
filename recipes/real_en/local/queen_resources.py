"""The resource container of Flight of the Amazon Queen (`queen.1c`, the rebuilt
"QTBL" form ScummVM reads; Debian package flight-of-the-amazon-queen).

Layout (big-endian): b"QTBL", a 6-byte NUL-padded version string ("CEM10": CD,
English), 2 bytes unused, a compression byte (1 = MP3), a u16 entry count at
byte 13, then 21-byte entries from byte 15: a 12-byte NUL-padded file name, a
bundle byte, a u32 offset and a u32 size. Offsets are from the start of the file.
"""
import struct

MAGIC = b"QTBL"
HEADER_SIZE = 15
ENTRY_SIZE = 21
COMPRESSION_NAMES = {0: "none", 1: "mp3", 2: "ogg", 3: "flac"}


class QueenFormatError(Exception):
    """The file is not the expected queen.1c (magic, version, table)."""


class Entry:
    __slots__ = ("name", "bundle", "offset", "size")

    def __init__(self, name, bundle, offset, size):
        self.name, self.bundle, self.offset, self.size = name, bundle, offset, size

    def __repr__(self):
        return "Entry(%r, %d, %d, %d)" % (self.name, self.bundle, self.offset, self.size)


def parse_table(head):
    """(version, compression, [Entry]) from the first bytes of a QTBL file.

    `head` must hold the header and the whole table; raises QueenFormatError.
    """
    if len(head) < HEADER_SIZE or head[:4] != MAGIC:
        raise QueenFormatError("not a QTBL resource file (magic %r)" % bytes(head[:4]))
    version = head[4:10].split(b"\0", 1)[0].decode("latin-1")
    compression = head[12]
    count = struct.unpack_from(">H", head, 13)[0]
    end = HEADER_SIZE + count * ENTRY_SIZE
    if len(head) < end:
        raise QueenFormatError("table of %d entries is cut short" % count)
    entries = []
    for i in range(count):
        name, bundle, offset, size = struct.unpack_from(">12sBII", head, HEADER_SIZE + i * ENTRY_SIZE)
        entries.append(Entry(name.split(b"\0", 1)[0].decode("latin-1"), bundle, offset, size))
    return version, compression, entries


class QueenResources:
    """Reads entries of one queen.1c by name (names are upper case, e.g. `AND1.DOG`)."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            head = f.read(HEADER_SIZE)
            if len(head) == HEADER_SIZE and head[:4] == MAGIC:
                count = struct.unpack_from(">H", head, 13)[0]
                head += f.read(count * ENTRY_SIZE)
            f.seek(0, 2)
            self.file_size = f.tell()
        self.version, self.compression, entries = parse_table(head)
        self.entries = {}
        for e in entries:
            if e.offset + e.size > self.file_size:
                raise QueenFormatError("entry %s runs past the end of the file" % e.name)
            self.entries[e.name] = e

    def names(self, suffix=""):
        return sorted(n for n in self.entries if n.endswith(suffix))

    def __contains__(self, name):
        return name in self.entries

    def read(self, name):
        e = self.entries[name]
        with open(self.path, "rb") as f:
            f.seek(e.offset)
            return f.read(e.size)
