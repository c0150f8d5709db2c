"""Conversation files (`.DOG`) of Flight of the Amazon Queen: their spoken lines.

Layout (big-endian, after a 20-byte file header; offsets below are from its end):
  0  level count (negative: the talk cannot be quit; its absolute value counts)
  2  unique key, 4 talk key (names the voice files), 6 Joe's line count,
  8  the other person's line count, 10..21 game state tests,
  22 offset of the person's lines, 24 of the cutaway data, 26 of a second
     block (the person's and Joe's greeting when they have talked before).
  32 the dialogue tree (levels x 96 bytes); Joe's lines follow it.
A line block holds, per line: 2 bytes, a u16 line id, then the string (a length
byte and the text, the next line starting at a multiple of 4; a zero length
is one byte). Joe's first entry is his opening line (voice "SSSS"); the second
block holds two strings aligned to 2: the person's and Joe's lines for a
repeated talk (voice "XXXX"). A string "0" means no line.
"""
import re
import struct

from queen_speech import dialogue_prefix, split_segments, voice_file_name

DOG_HEADER_SIZE = 20
TREE_OFFSET = 32
LEVEL_SIZE = 96


class DogFormatError(Exception):
    pass


class Line:
    """One spoken segment: its voice file, the character speaking, the text."""
    __slots__ = ("file", "who", "text", "source")

    def __init__(self, file, who, text, source):
        self.file, self.who, self.text, self.source = file, who, text, source

    def __repr__(self):
        return "Line(%r, %r, %r)" % (self.file, self.who, self.text)


def read_string(data, offset, align):
    """(text, next offset) of a length-prefixed string."""
    if offset >= len(data):
        raise DogFormatError("string offset %d past the end (%d bytes)" % (offset, len(data)))
    length = data[offset]
    offset += 1
    text = data[offset:offset + length].decode("latin-1")
    if length:
        offset = (offset + length + align - 1) & ~(align - 1)
    return text, offset


def read_line_block(data, offset, count):
    """[(line id, text)] of `count` lines from `offset`; also the end offset."""
    lines = []
    for _ in range(count):
        line_id = struct.unpack_from(">h", data, offset + 2)[0]
        text, offset = read_string(data, offset + 4, 4)
        lines.append((line_id, text))
    return lines, offset


def character_of(dog_name):
    """The speaking character of a .DOG file: its name without digits and suffix,
    lower case (`SPARKY3.DOG` -> `sparky`)."""
    return re.sub(r"\d+$", "", dog_name.rsplit(".", 1)[0]).lower()


def parse_dog(raw, include_header=True):
    """The header fields and line blocks of one .DOG file.

    raw: the file as stored (with its 20-byte header) unless include_header is
    False. Returns a dict: talk_key, joe (list of (id, text), the first being his
    opening line), person (list of (id, text)), again_person, again_joe.
    """
    data = raw[DOG_HEADER_SIZE:] if include_header else raw
    if len(data) < TREE_OFFSET:
        raise DogFormatError("file too short (%d bytes)" % len(raw))
    try:
        return _parse(data)
    except struct.error as e:
        raise DogFormatError("offsets point past the end: %s" % e)


def _parse(data):
    (levels, _unique, talk_key, joe_max, person_max) = struct.unpack_from(">5h", data, 0)
    person_off, _cut_off, again_off = struct.unpack_from(">3H", data, 22)
    joe_off = TREE_OFFSET + abs(levels) * LEVEL_SIZE
    joe, joe_end = read_line_block(data, joe_off, joe_max)
    person, person_end = read_line_block(data, person_off, person_max)
    if joe_end > person_off or person_end > _cut_off:
        raise DogFormatError("line blocks overlap (%d > %d or %d > %d)" %
                             (joe_end, person_off, person_end, _cut_off))
    again_person, off = read_string(data, again_off, 2)
    again_joe, _ = read_string(data, off, 2)
    return {"talk_key": talk_key, "joe": joe, "person": person,
            "again_person": again_person, "again_joe": again_joe}


def spoken_lines(dog):
    """[(prefix, who, text, source)] of every line a .DOG can make someone say.

    who: "P" (the other person) or "J" (Joe). Person lines with id 0 and the
    string "0" are placeholders, never spoken.
    """
    key = dog["talk_key"]
    out = []
    for n, (line_id, text) in enumerate(dog["joe"]):
        ident = "SSSS" if n == 0 else line_id
        out.append((dialogue_prefix(key, ident, "J"), "J", text, "joe line %s" % ident))
    for line_id, text in dog["person"]:
        if line_id == 0:
            continue
        out.append((dialogue_prefix(key, line_id, "P"), "P", text, "person line %s" % line_id))
    out.append((dialogue_prefix(key, "XXXX", "P"), "P", dog["again_person"], "person again"))
    out.append((dialogue_prefix(key, "XXXX", "J"), "J", dog["again_joe"], "joe again"))
    return [l for l in out if l[2] and l[2] != "0"]


def dialogue_segments(raw, include_header=True):
    """[Line] of one .DOG file: every voiced segment with its text (which may be
    empty or only a stage tag); who is "P" or "J"."""
    lines = []
    for prefix, who, text, source in spoken_lines(parse_dog(raw, include_header)):
        for segment, seg_text, voiced in split_segments(text):
            if voiced:
                lines.append(Line(voice_file_name(prefix, segment), who, seg_text,
                                  "%s segment %d" % (source, segment)))
    return lines
