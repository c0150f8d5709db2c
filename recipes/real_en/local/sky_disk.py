"""The data files of Beneath a Steel Sky: the `sky.dnr` table and `sky.dsk`.

sky.dnr: u32 LE entry count, then 8-byte entries: u16 file number, u24 offset
(bit 23 set: the offset is in units of 16 bytes), u24 size and flags (size in
the low 22 bits; bit 22: the compressed stream holds the whole file, header
included; bit 23: stored uncompressed).

A file in sky.dsk starts with a 22-byte header of little-endian u16s (flag,
x, y, width, height, sprite size, total size, sprite count, x offset, y offset,
compressed size). Flag bit 7 marks an RNC-compressed body after the header; the
unpacked size is (flag & 0xFF00) << 8 | total size.
"""
import os
import struct

import rnc

HEADER_LEN = 22
DNR_NAME = "sky.dnr"
DSK_NAME = "sky.dsk"

# The Debian package beneath-a-steel-sky 0.0372-8: the CD version 0.0372.
EXPECTED_ENTRIES = 5097
EXPECTED_DSK_SIZE = 72395713


class SkyDataError(Exception):
    """The game data is missing or not the version this importer knows."""

    def __init__(self, what, path):
        super().__init__("%s (%s)" % (what, path))
        self.what = what
        self.path = path


def parse_header(data):
    """The 22-byte file header as a dict of its u16 fields."""
    names = ("flag", "x", "y", "width", "height", "sp_size", "tot_size",
             "n_sprites", "offset_x", "offset_y", "compressed_size")
    return dict(zip(names, struct.unpack_from("<11H", data, 0)))


def parse_dnr(blob):
    """{file number: (byte offset in sky.dsk, stored size, flags)} from sky.dnr bytes."""
    if len(blob) < 4:
        raise ValueError("too short for an entry count")
    (count,) = struct.unpack_from("<I", blob, 0)
    if len(blob) != 4 + 8 * count:
        raise ValueError("size %d does not hold %d entries" % (len(blob), count))
    table = {}
    for i in range(count):
        base = 4 + 8 * i
        num = blob[base] | blob[base + 1] << 8
        off = blob[base + 2] | blob[base + 3] << 8 | blob[base + 4] << 16
        flags = blob[base + 5] | blob[base + 6] << 8 | blob[base + 7] << 16
        if off & 0x800000:
            off = (off & 0x7FFFFF) << 4
        if num not in table:  # the engine finds the first entry with a number
            table[num] = (off, flags & 0x3FFFFF, flags)
    return table


def decode_stored(raw, flags):
    """A file's bytes as the engine loads them, from its stored bytes in sky.dsk."""
    if flags & 0x800000 or len(raw) < HEADER_LEN:
        return raw  # stored uncompressed
    head = parse_header(raw)
    if not head["flag"] & 0x80:
        return raw
    body = raw[HEADER_LEN:]
    if not rnc.is_rnc(body):
        return raw  # the engine returns such a file as stored
    expected = ((head["flag"] & 0xFF00) << 8) | head["tot_size"]
    if flags & 0x400000:
        out = rnc.unpack(body)  # the stream holds the whole file
    else:
        out = raw[:HEADER_LEN] + rnc.unpack(body)
    if len(out) != expected:
        raise rnc.RncError("unpacked %d bytes, header says %d" % (len(out), expected))
    return out


class SkyDisk:
    """Reads files by number from a game dir holding sky.dnr and sky.dsk."""

    def __init__(self, game_dir, check_version=True):
        self.game_dir = game_dir
        dnr = os.path.join(game_dir, DNR_NAME)
        self.dsk_path = os.path.join(game_dir, DSK_NAME)
        if not os.path.isdir(game_dir):
            raise SkyDataError("no game dir", game_dir)
        for path in (dnr, self.dsk_path):
            if not os.path.isfile(path):
                raise SkyDataError("missing game file", path)
        with open(dnr, "rb") as f:
            blob = f.read()
        try:
            self.table = parse_dnr(blob)
        except ValueError as e:
            raise SkyDataError("unreadable file table: %s" % e, dnr)
        if check_version:
            count = struct.unpack_from("<I", blob, 0)[0]
            if count != EXPECTED_ENTRIES:
                raise SkyDataError("%d file entries, expected %d (version 0.0372)" %
                                   (count, EXPECTED_ENTRIES), dnr)
            size = os.path.getsize(self.dsk_path)
            if size != EXPECTED_DSK_SIZE:
                raise SkyDataError("size %d, expected %d (version 0.0372)" %
                                   (size, EXPECTED_DSK_SIZE), self.dsk_path)
        self._f = open(self.dsk_path, "rb")

    def close(self):
        self._f.close()

    def __contains__(self, num):
        return num in self.table

    def read_stored(self, num):
        """(stored bytes, flags) of file `num`; KeyError if it does not exist."""
        off, size, flags = self.table[num]
        self._f.seek(off)
        raw = self._f.read(size)
        if len(raw) != size:
            raise SkyDataError("file %d: %d of %d bytes at %d" % (num, len(raw), size, off),
                               self.dsk_path)
        return raw, flags

    def load(self, num):
        """File `num` decompressed as the engine loads it (RncError on a bad stream)."""
        raw, flags = self.read_stored(num)
        return decode_stored(raw, flags)
