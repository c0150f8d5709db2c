"""Unit tests of the Flight of the Amazon Queen importer's readers, on small
fabricated inputs (no game data needed).

  python3 -m unittest discover -s tests/recipes/real_en
"""
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "recipes", "real_en", "local"))

import queen_cutaway  # noqa: E402
import queen_dialogue  # noqa: E402
import queen_joe  # noqa: E402
import queen_text  # noqa: E402
from queen_audio import AudioFormatError, mp3_format  # noqa: E402
from queen_resources import QueenFormatError, QueenResources, parse_table  # noqa: E402
from queen_speech import dialogue_prefix, joe_prefix, split_segments, voice_file_name  # noqa: E402


def qtbl(entries, version=b"CEM10", compression=1):
    """A QTBL container holding entries [(name, data)], data after the table."""
    head = b"QTBL" + version.ljust(6, b"\0") + b"\0\0" + bytes([compression])
    head += struct.pack(">H", len(entries))
    offset = len(head) + 21 * len(entries)
    table, blobs = b"", b""
    for name, data in entries:
        table += struct.pack(">12sBII", name.encode(), 1, offset, len(data))
        offset += len(data)
        blobs += data
    return head + table + blobs


def pstring(text, align):
    """A length-prefixed string padded as the game's getString expects."""
    raw = bytes([len(text)]) + text.encode("latin-1")
    if text:
        while len(raw) % align:
            raw += b"\0"
    return raw


def line_block(lines, start):
    """A .DOG line block [(id, text)] placed at offset `start` (a multiple of 4)."""
    out = b""
    for line_id, text in lines:
        out += b"\0\0" + struct.pack(">h", line_id) + pstring(text, 4)
    assert (start + len(out)) % 4 == 0
    return out


def fabricated_dog(talk_key, joe_lines, person_lines, again=("0", "0")):
    levels = 1
    joe_off = 32 + 96 * levels
    joe = line_block(joe_lines, joe_off)
    person_off = joe_off + len(joe)
    person = line_block(person_lines, person_off)
    cut_off = person_off + len(person)
    cut = struct.pack(">hh", 0, 0) + pstring("", 2) + b"\0"
    again_off = cut_off + len(cut)
    again_block = pstring(again[0], 2) + pstring(again[1], 2)
    header = struct.pack(">5h", levels, 7, talk_key, len(joe_lines), len(person_lines))
    header += b"\0" * 12 + struct.pack(">3H", person_off, cut_off, again_off)
    header += b"\0" * (32 - len(header))
    body = header + b"\0" * (96 * levels) + joe + person + cut + again_block
    return b"D" * queen_dialogue.DOG_HEADER_SIZE + body


class ResourcesTest(unittest.TestCase):
    def test_entries_read_back(self):
        entries = [("AND1.DOG", b"dialogue"), ("020001P2.SB", b"\xff\xe3voice"), ("QUEEN.JAS", b"")]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "queen.1c")
            with open(path, "wb") as f:
                f.write(qtbl(entries))
            res = QueenResources(path)
            self.assertEqual(res.version, "CEM10")
            self.assertEqual(res.compression, 1)
            self.assertEqual(res.names(), ["020001P2.SB", "AND1.DOG", "QUEEN.JAS"])
            self.assertEqual(res.names(".SB"), ["020001P2.SB"])
            self.assertEqual(res.read("AND1.DOG"), b"dialogue")
            self.assertEqual(res.read("020001P2.SB"), b"\xff\xe3voice")
            self.assertEqual(res.read("QUEEN.JAS"), b"")
            self.assertEqual(res.entries["AND1.DOG"].offset, 15 + 3 * 21)
            self.assertNotIn("MISSING.SB", res)

    def test_bad_magic_and_short_table(self):
        with self.assertRaises(QueenFormatError):
            parse_table(b"XTBL" + qtbl([("A", b"x")])[4:])
        with self.assertRaises(QueenFormatError):
            parse_table(qtbl([("A", b"x"), ("B", b"y")])[:30])

    def test_entry_past_end_of_file(self):
        data = qtbl([("A.SB", b"12345")])[:-2]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "queen.1c")
            with open(path, "wb") as f:
                f.write(data)
            with self.assertRaises(QueenFormatError):
                QueenResources(path)


class NamingTest(unittest.TestCase):
    def test_dialogue_names(self):
        self.assertEqual(voice_file_name(dialogue_prefix(5, 0x1A, "P"), 2), "05001AP2.SB")
        self.assertEqual(voice_file_name(dialogue_prefix(84, 0xCE, "J"), 11), "8400CEJB.SB")
        self.assertEqual(voice_file_name(dialogue_prefix(2, "SSSS", "J"), 1), "02SSSSJ1.SB")
        self.assertEqual(voice_file_name(dialogue_prefix(66, "XXXX", "P"), 1), "66XXXXP1.SB")

    def test_joe_and_cutscene_names(self):
        self.assertEqual(voice_file_name(joe_prefix(40 + 651), 1), "JOE06911.SB")
        self.assertEqual(voice_file_name(queen_cutaway.cut_voice_prefix("c1a", 4), 1), "C1A__041.SB")
        self.assertEqual(voice_file_name(queen_cutaway.cut_voice_prefix("c103b", 12), 3), "C103B123.SB")

    def test_only_the_first_eight_characters_lose_spaces(self):
        self.assertEqual(voice_file_name(" 5  1aP", 0x10), "05001AP10.SB")
        self.assertEqual(voice_file_name("C5A__01", 2), "C5A__012.SB")


class SegmentTest(unittest.TestCase):
    def test_commands_split_and_number(self):
        self.assertEqual(split_segments("Hello.*02How are you?*03Fine."),
                         [(1, "Hello.", True), (2, "How are you?", True), (3, "Fine.", True)])

    def test_grab_uses_a_number_without_audio(self):
        self.assertEqual(split_segments("Here.*GDTake it.*02"),
                         [(1, "Here.", False), (2, "Take it.", True)])
        self.assertEqual(split_segments("*GMThanks."), [(1, "", False), (2, "Thanks.", True)])

    def test_xy_skips_its_position(self):
        self.assertEqual(split_segments("*XY00(128,112)*FLIt's you again."),
                         [(1, "", True), (2, "", True), (3, "It's you again.", True)])


class DialogueTest(unittest.TestCase):
    def setUp(self):
        self.raw = fabricated_dog(
            5,
            joe_lines=[(0, "*XY00(237,112)Hi, I'm Joe.*03"), (3, "Got a light?*GM*02Thanks.")],
            person_lines=[(0, "0"), (0x1A, "<ahem>*01Sure.*GDHere.*02Bye!"), (0x1B, "0")],
            again=("Back again?", "0"))

    def test_header_and_blocks(self):
        dog = queen_dialogue.parse_dog(self.raw)
        self.assertEqual(dog["talk_key"], 5)
        self.assertEqual([i for i, _ in dog["joe"]], [0, 3])
        self.assertEqual([i for i, _ in dog["person"]], [0, 0x1A, 0x1B])
        self.assertEqual(dog["again_person"], "Back again?")
        self.assertEqual(dog["again_joe"], "0")

    def test_speech_files_and_texts(self):
        got = [(l.file, l.who, l.text) for l in queen_dialogue.dialogue_segments(self.raw)]
        self.assertEqual(got, [
            ("05SSSSJ1.SB", "J", ""),                 # the *XY position is not text
            ("05SSSSJ2.SB", "J", "Hi, I'm Joe."),
            # segment 1, ended by *GM, has no file; the empty one before *02 is 2
            ("050003J2.SB", "J", ""),
            ("050003J3.SB", "J", "Thanks."),
            ("05001AP1.SB", "P", "<ahem>"),
            ("05001AP3.SB", "P", "Here."),            # segment 2, ended by *GD: no file
            ("05001AP4.SB", "P", "Bye!"),
            ("05XXXXP1.SB", "P", "Back again?"),
        ])

    def test_character_of(self):
        self.assertEqual(queen_dialogue.character_of("SPARKY3.DOG"), "sparky")
        self.assertEqual(queen_dialogue.character_of("SHOWERAM.DOG"), "showeram")

    def test_overlapping_blocks_rejected(self):
        raw = bytearray(self.raw)
        struct.pack_into(">H", raw, 20 + 22, 130)  # the person block inside Joe's
        with self.assertRaises(queen_dialogue.DogFormatError):
            queen_dialogue.parse_dog(bytes(raw))


def fabricated_jas(rooms=1, names=2, descriptions=3):
    queen_jas = b"J" * 20 + struct.pack(">4H", rooms, names, 0, descriptions)
    lines = ["A rock.*14Heavy.", "c1a.CUT", "Nice."][:descriptions]
    lines += ["Rock", "Bob"][:names] + ["HOTEL"][:rooms]
    lines += ["open", "close", "move", "----", "give", "use", "pick up", "talk to",
              "look at", "walk to", "on", "to"]
    responses = ["Response %d*03" % r for r in range(1, 41)]
    responses[21] = "Do you want to RESTART (Y/N)?"
    responses[29] = "Close"
    lines += responses
    return queen_jas, "\r\n".join(lines).encode("latin-1")


class JoeTest(unittest.TestCase):
    def test_descriptions_and_responses(self):
        segs = queen_joe.joe_segments(*fabricated_jas())
        got = {f: (t, k) for f, t, k, _ in segs}
        self.assertEqual(got["JOE00411.SB"], ("A rock.", "description"))
        self.assertEqual(got["JOE00412.SB"], ("Heavy.", "description"))
        self.assertNotIn("JOE00421.SB", got)  # "c1a.CUT" runs a cutscene
        self.assertEqual(got["JOE00431.SB"], ("Nice.", "description"))
        self.assertEqual(got["JOE00011.SB"], ("Response 1", "response"))
        self.assertEqual(got["JOE00401.SB"], ("Response 40", "interface"))
        self.assertEqual(got["JOE00221.SB"], ("Do you want to RESTART (Y/N)?", "interface"))
        self.assertEqual(got["JOE00301.SB"], ("Close", "interface"))
        self.assertEqual(got["JOE00211.SB"][1], "response")
        self.assertEqual(len(segs), 2 + 1 + 40)

    def test_verbs_not_where_expected(self):
        queen_jas, queen2 = fabricated_jas()
        queen_jas = queen_jas[:20] + struct.pack(">4H", 2, 2, 0, 3)  # one room too many
        with self.assertRaises(queen_joe.JasFormatError):
            queen_joe.joe_segments(queen_jas, queen2)


class FakePeople:
    def is_person(self, obj):
        return obj == 7

    def name(self, obj):
        return "Trader Bob" if obj == 7 else "Note"


def cut_object(number, anim_list=0, execute=0, persons=()):
    fields = [number, 0, 0, 0, anim_list, execute] + [0] * 11
    return struct.pack(">17h", *fields) + struct.pack(">h", len(persons)) + \
        struct.pack(">%dh" % len(persons), *persons)


class CutawayTest(unittest.TestCase):
    def fabricated_cut(self):
        objects = (cut_object(0, persons=(-1,)) +                       # Joe speaks
                   cut_object(12, anim_list=1, execute=1) +            # an animation:
                   struct.pack(">10h", 5, 1, 0, 0, 0, 0, 0, 0, 0, 0) +   # one frame
                   struct.pack(">h", -2) +                              # and the end
                   cut_object(7) +                                      # a person
                   cut_object(-2))                                      # narration
        state_off = 12 + len(objects) + 2
        sentences = b"".join(pstring(s, 2) for s in
                             ["*FL", "Hi.*01Who are you?", "*", "I'm Bob.*GDTake it.", "Later..."])
        sentence_off = state_off + 2
        bank_off = sentence_off + len(sentences)
        body = struct.pack(">HhhHHH", 0, 4, 0, state_off, sentence_off, bank_off)
        body += objects + b"\0\0" + b"\0\0" + sentences + b"\0\0"
        return b"C" * 20 + body

    def test_spoken_segments_and_speakers(self):
        segs = queen_cutaway.cutaway_segments("C5A.CUT", self.fabricated_cut(), FakePeople())
        self.assertEqual([(s.file, s.spk, s.text) for s in segs], [
            ("C5A__011.SB", "queen_joe", "Hi."),
            ("C5A__012.SB", "queen_joe", "Who are you?"),
            ("C5A__032.SB", "queen_bob", "Take it."),
            ("C5A__041.SB", "queen_unknown", "Later..."),
        ])

    def test_misread_animation_is_caught(self):
        raw = bytearray(self.fabricated_cut())
        struct.pack_into(">h", raw, 20 + 12 + 40 + 8, 0)  # object 2 no longer animated
        with self.assertRaises(queen_cutaway.CutFormatError):
            queen_cutaway.parse_cut(bytes(raw), FakePeople())


class TextTest(unittest.TestCase):
    def test_game_conventions(self):
        self.assertEqual(queen_text.script_text("He found it in 1844."), "he found it in eighteen forty four")
        self.assertEqual(queen_text.script_text("This is the 1940's."), "this is the nineteen forties")
        self.assertEqual(queen_text.script_text("Born 13th July"), "born thirteenth july")
        self.assertEqual(queen_text.script_text("Super Soldier Treatment^_."), "super soldier treatment")
        self.assertEqual(queen_text.script_text("<gulp> Okay."), "okay")
        self.assertTrue(queen_text.is_non_speech("(sigh)"))
        self.assertTrue(queen_text.is_non_speech("<koff> "))
        self.assertFalse(queen_text.is_non_speech("..."))
        self.assertFalse(queen_text.is_non_speech("<gulp> Okay."))


class AudioFormatTest(unittest.TestCase):
    def test_mpeg25_layer3_mono(self):
        self.assertEqual(mp3_format(b"\xff\xe3\x20\xc4" + b"\0" * 8), (11025, 1, "MPEG-2.5 layer III"))
        self.assertEqual(mp3_format(b"ID3\0" + b"\xff\xfb\x90\x04" + b"\0" * 8), (44100, 2, "MPEG-1 layer III"))
        with self.assertRaises(AudioFormatError):
            mp3_format(b"RIFF0000WAVE")


if __name__ == "__main__":
    unittest.main()
