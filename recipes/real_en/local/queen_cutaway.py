"""Cutscene files (`.CUT`) of Flight of the Amazon Queen: their spoken lines.

Layout (big-endian, after a 20-byte file header; offsets from its end):
  0 panel mode, 2 object count (its absolute value counts), 4 flags,
  6 offset of the game state block, 8 offset of the sentences, 10 of the bank
  names; the objects start at 12.
Each object: 17 int16 (object number first; the 5th is its animation list, the
6th "execute", the 13th "from object"), a person count and that many int16, then,
if the object is animated, animation frames of 10 int16 each until a -2.
One or two unread words end the objects. The sentences: an entry string, then one string per object (a length byte and the
text, the next string starting at an even offset; a zero length is one byte).

Object number 0 (or -1, Joe after a room fade) is Joe; a positive number is a
game object (a person if its image in QUEEN.JAS is -3 or -4); -2 and -3 are
narration spoken from one voice file; -4 is text only. Object k (1-based) of
scene `name` speaks from the prefix `name` padded with "_" to 5 characters plus
k as 2 digits; a person's sentence is split at `*XX` commands like any line,
narration is one file (segment 1). The sentence "*" says nothing and "#..."
starts the credits.
"""
import re
import struct

from queen_speech import split_segments, voice_file_name

CUT_HEADER_SIZE = 20
OBJECTS_OFFSET = 12
OBJECT_FIELDS = 17
ANIM_FRAME_FIELDS = 10
ANIM_END = -2
OBJECT_JOE = 0
OBJECT_ROOMFADE = -1
TEXT_SPEAK = (-2, -3)
TEXT_ONLY = -4
PERSON_IMAGES = (-3, -4)
JAS_HEADER_SIZE = 20
JAS_OBJECT_SIZE = 16
MAX_OBJECT_TRAILER = 4


class CutFormatError(Exception):
    pass


class Segment:
    __slots__ = ("file", "spk", "text", "source")

    def __init__(self, file, spk, text, source):
        self.file, self.spk, self.text, self.source = file, spk, text, source

    def __repr__(self):
        return "Segment(%r, %r, %r)" % (self.file, self.spk, self.text)


class PeopleIndex:
    """Game objects from QUEEN.JAS: which are persons, and their names (QUEEN2.JAS)."""

    def __init__(self, queen_jas, queen2_jas):
        rooms, names, objects, descriptions = struct.unpack_from(">4H", queen_jas, JAS_HEADER_SIZE)
        lines = queen2_jas.decode("latin-1").replace("\r\n", "\n").split("\n")
        self.names = lines[descriptions:descriptions + names]
        self.objects = {}
        base = JAS_HEADER_SIZE + 8
        for i in range(1, objects + 1):
            name, image = struct.unpack_from(">h12xh", queen_jas, base + (i - 1) * JAS_OBJECT_SIZE)
            self.objects[i] = (name, image)

    def is_person(self, obj):
        return self.objects.get(obj, (0, 0))[1] in PERSON_IMAGES

    def name(self, obj):
        name = abs(self.objects.get(obj, (0, 0))[0])
        return self.names[name - 1] if 0 < name <= len(self.names) else ""


def cut_voice_prefix(basename, index):
    """`c18a`, 3 -> `c18a_03`: the name padded with `_` to 5 characters, then
    the object number in 2 digits (only the first 5 characters of a longer name
    are kept, as the game writes the number over the rest)."""
    return (basename + "_" * 5)[:5] + ("%02d" % index)[:2]


def read_string(data, offset):
    if offset >= len(data):
        raise CutFormatError("string offset %d past the end (%d bytes)" % (offset, len(data)))
    length = data[offset]
    text = data[offset + 1:offset + 1 + length].decode("latin-1")
    return text, (offset + 1 + length + 1) & ~1 if length else offset + 1


def is_animated(number, anim_list, execute, from_object, people):
    """Whether an object record is followed by animation frames."""
    if number in TEXT_SPEAK or number == TEXT_ONLY:
        return False
    if from_object > 0:
        return False
    if number > 0 and not anim_list and people.is_person(number):
        return False
    if number == OBJECT_JOE and not anim_list:
        return False
    return bool(execute)


def parse_cut(raw, people, include_header=True):
    """[(index 1.., object number, kind, sentence)] of one .CUT file; kind is
    "person", "joe", "narration", "text" or "other"."""
    data = raw[CUT_HEADER_SIZE:] if include_header else raw
    if len(data) < OBJECTS_OFFSET:
        raise CutFormatError("file too short")
    try:
        return _parse(data, people)
    except struct.error as e:
        raise CutFormatError("offsets point past the end: %s" % e)


def _parse(data, people):
    _panel, count, _flags, state_off, sentence_off, _banks = struct.unpack_from(">HhhHHH", data, 0)
    count = abs(count)
    _entry, soff = read_string(data, sentence_off)
    ptr = OBJECTS_OFFSET
    out = []
    for index in range(1, count + 1):
        fields = struct.unpack_from(">%dh" % OBJECT_FIELDS, data, ptr)
        ptr += 2 * OBJECT_FIELDS
        number, anim_list, execute, from_object = fields[0], fields[4], fields[5], fields[12]
        persons = struct.unpack_from(">h", data, ptr)[0]
        ptr += 2 + 2 * persons
        sentence, soff = read_string(data, soff)
        if number == OBJECT_ROOMFADE:
            number = OBJECT_JOE
        if is_animated(number, anim_list, execute, from_object, people):
            while True:
                header = struct.unpack_from(">h", data, ptr)[0]
                ptr += 2
                if header == ANIM_END:
                    break
                if header > 1000:
                    raise CutFormatError("object %d: animation header %d too large" % (index, header))
                ptr += 2 * (ANIM_FRAME_FIELDS - 1)
            kind = "other"
        elif number in TEXT_SPEAK:
            kind = "narration"
        elif number == TEXT_ONLY or from_object > 0:
            kind = "text" if number == TEXT_ONLY else "other"
        elif number == OBJECT_JOE:
            kind = "joe"
        elif number > 0 and people.is_person(number):
            kind = "person"
        else:
            kind = "other"
        out.append((index, number, kind, sentence))
    # The objects are followed by one or two words the game never reads (a 0, or
    # -2 and 0), then the game state block: a wrong guess about animation frames
    # would be off by 20 bytes or more.
    if not 0 < state_off - ptr <= MAX_OBJECT_TRAILER:
        raise CutFormatError("objects end at %d, the game state block starts at %d" % (ptr, state_off))
    return out


# A speaking person's object name -> the speaker id its conversations (.DOG) use.
# Names the conversations confirm: Joe greets Lou as "Skip", Jim is "Jimmy Cook",
# Laris is "Mike Laris the bellboy", Tam is Mary-Lou.
SAME_AS_CONVERSATION = {
    "joe king": "joe", "trader bob": "bob", "princess azura": "prin", "azura_obj": "prin",
    "anderson": "and", "witch doctor": "witch", "mary-lou": "tam", "secretary": "sec",
    "showering amazon": "showeram", "wedgewood": "wedge", "skip": "lou", "jimmy": "jim",
    "bellboy": "laris",
}
# Person objects whose name is a thing: the game reuses these objects for
# whoever speaks in the scene, so the name says nothing about the speaker.
NOT_A_SPEAKER = frozenset(["note", "path", "smoke", "torch", "door", "rock", "telephone",
                           "buttons", "lily pad"])


def speaker_id(name):
    """The speaker id of a person object's name: a conversation's id where it is
    the same character, `queen_<name>` for other people ("Zombie woman" ->
    queen_zombie_woman), queen_unknown for things and empty names."""
    key = name.strip().lower()
    if key in NOT_A_SPEAKER:
        return "queen_unknown"
    key = SAME_AS_CONVERSATION.get(key, key)
    slug = re.sub(r"[^a-z0-9]+", "_", key).strip("_")
    return "queen_" + slug if slug else "queen_unknown"


def cutaway_segments(cut_name, raw, people, include_header=True):
    """[Segment] of every voiced segment of one .CUT file, with its speaker."""
    basename = cut_name.rsplit(".", 1)[0].lower()
    out = []
    for index, number, kind, sentence in parse_cut(raw, people, include_header):
        if not sentence or sentence == "*" or sentence.startswith("#"):
            continue
        prefix = cut_voice_prefix(basename, index)
        source = "object %d (%s %d)" % (index, kind, number)
        if kind == "narration":
            out.append(Segment(voice_file_name(prefix, 1), "queen_unknown", sentence, source))
            continue
        if kind == "joe":
            spk = "queen_joe"
        elif kind == "person":
            spk = speaker_id(people.name(number))
        else:
            continue  # animations and text-only objects say nothing
        for segment, text, voiced in split_segments(sentence):
            if voiced:
                out.append(Segment(voice_file_name(prefix, segment), spk, text,
                                   "%s segment %d" % (source, segment)))
    return out
