"""Joe's object descriptions and stock responses of Flight of the Amazon Queen.

`QUEEN2.JAS` is CRLF text: the object descriptions (their count is the 4th u16
of `QUEEN.JAS` after its 20-byte header), the object names, the room names (1st
u16), the 12 verbs (starting with "open"), then Joe's 40 responses. Joe speaks
description d from the voice files `JOE%04d` with 40 + d, response r from
`JOE%04d` with r, segment digits appended. A description that names a `.CUT` or
`.DOG` file runs that scene instead of being spoken.
"""
import re
import struct

from queen_speech import joe_prefix, split_segments, voice_file_name

JAS_HEADER_SIZE = 20
VERB_COUNT = 12
RESPONSE_COUNT = 40
# Responses that are interface texts, not lines Joe says: the restart / give up
# questions and the panel labels ("Close", "Give Up", "Yes", "Text Speed", ...).
INTERFACE_RESPONSES = frozenset([22, 23] + list(range(30, 41)))
_SCENE_FILE = re.compile(r"^\s*[A-Za-z0-9_]+\.(CUT|DOG)\s*$", re.IGNORECASE)


class JasFormatError(Exception):
    pass


def jas_counts(queen_jas):
    """(rooms, names, objects, descriptions) from the start of QUEEN.JAS."""
    if len(queen_jas) < JAS_HEADER_SIZE + 8:
        raise JasFormatError("QUEEN.JAS too short")
    return struct.unpack_from(">4H", queen_jas, JAS_HEADER_SIZE)


def jas_lines(queen2_jas):
    """The lines of QUEEN2.JAS (bytes, CRLF text) as str."""
    return queen2_jas.decode("latin-1").replace("\r\n", "\n").split("\n")


def joe_texts(lines, rooms, names, descriptions):
    """[(number for JOE%04d, text, kind)] of all of Joe's descriptions and responses.

    kind: "description", "response", "interface" (responses that are panel
    labels), "scene" (a description that names a .CUT/.DOG file).
    """
    verbs_at = descriptions + names + rooms
    if len(lines) < verbs_at + VERB_COUNT + RESPONSE_COUNT:
        raise JasFormatError("QUEEN2.JAS has %d lines, expected at least %d" %
                             (len(lines), verbs_at + VERB_COUNT + RESPONSE_COUNT))
    if lines[verbs_at].strip().lower() != "open":
        raise JasFormatError("QUEEN2.JAS line %d is %r, not the verb 'open'" %
                             (verbs_at + 1, lines[verbs_at]))
    out = []
    for d in range(1, descriptions + 1):
        text = lines[d - 1]
        kind = "scene" if _SCENE_FILE.match(text) else "description"
        out.append((RESPONSE_COUNT + d, text, kind))
    responses_at = verbs_at + VERB_COUNT
    for r in range(1, RESPONSE_COUNT + 1):
        kind = "interface" if r in INTERFACE_RESPONSES else "response"
        out.append((r, lines[responses_at + r - 1], kind))
    return out


def joe_segments(queen_jas, queen2_jas):
    """[(voice file, text, kind, source)] of every voiced segment Joe's texts hold."""
    rooms, names, _objects, descriptions = jas_counts(queen_jas)
    out = []
    for number, text, kind in joe_texts(jas_lines(queen2_jas), rooms, names, descriptions):
        if kind == "scene" or not text.strip():
            continue
        for segment, seg_text, voiced in split_segments(text):
            if voiced:
                out.append((voice_file_name(joe_prefix(number), segment), seg_text, kind,
                            "%s %d segment %d" % (kind, number, segment)))
    return out
