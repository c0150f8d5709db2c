"""The small real_en importers' text rules, on fabricated inputs (no package data).

python3 -m unittest discover -s tests/recipes/real_en
"""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "recipes", "real_en", "local"))

import import_asterisk  # noqa: E402
import import_hedgewars  # noqa: E402
import import_klettres  # noqa: E402

SCRIPT = """; Core Asterisk Sounds in English

agent-pass: Please enter your password followed by the pound key.
beep: [this is a simple beep tone]
digits/1: one
conf-adminmenu: Please press 1 to mute, 2 to lock or * to exit.
letters/b: b
letters/z: z
silence/10: (10 seconds of silence)
demo-instruct: dial extension 8500 now
spy-iax: IAX
vm-x: please umute
"""

# A fabricated dictionary: what the segmenter may choose from, with decoys
# ("thi", "son", "is", "mine", "ism") that a greedy or many-words split would take.
WORDS = """this
thi
son
one
on
is
ism
mine
in
e
I'll
ill
get
you
you'll
regret
that
regre
t
cut
it
out
yes
sir
sirs
uh
oh
wat
chit
watch
Paris
"""


class AsteriskTest(unittest.TestCase):
    def setUp(self):
        self.script = import_asterisk.parse_script(SCRIPT.splitlines(True))

    def text(self, name):
        return import_asterisk.clip_text(name, self.script[name])

    def test_parse(self):
        self.assertEqual(len(self.script), 10)
        self.assertEqual(self.script["digits/1"], "one")
        self.assertEqual(self.script["beep"], "[this is a simple beep tone]")
        self.assertNotIn("; Core Asterisk Sounds in English", self.script)

    def test_parse_rejects_a_line_without_a_name(self):
        with self.assertRaises(ValueError):
            import_asterisk.parse_script(["just some words\n"])

    def test_texts(self):
        self.assertEqual(self.text("agent-pass"),
                         ("please enter your password followed by the pound key", None))
        self.assertEqual(self.text("digits/1"), ("one", None))
        self.assertEqual(self.text("conf-adminmenu"),
                         ("please press one to mute two to lock or star to exit", None))
        self.assertEqual(self.text("vm-x"), ("please unmute", None))

    def test_tones_and_silence_are_non_speech(self):
        self.assertEqual(self.text("beep"), ("", None))
        self.assertEqual(self.text("silence/10"), ("", None))

    def test_letters_are_letter_names(self):
        self.assertEqual(self.text("letters/b"), ("bee", None))
        self.assertEqual(self.text("letters/z"), ("zee", None))

    def test_unknown_readings_dropped(self):
        text, reason = self.text("demo-instruct")
        self.assertIsNone(text)
        self.assertIn("multi-digit", reason)
        text, reason = self.text("spy-iax")
        self.assertIsNone(text)
        self.assertIn("acronym", reason)

    def test_uttid(self):
        self.assertEqual(import_asterisk.uttid_for("digits/H-1"), "asterisk_allison-digits_h-1")


class HedgewarsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(WORDS)
        try:
            cls.words = import_hedgewars.load_words(f.name)
        finally:
            os.remove(f.name)

    def test_dictionary_filter(self):
        self.assertEqual(self.words["youll"], "you'll")
        self.assertEqual(self.words["ill"], "i'll")  # the first spelling of a key wins
        self.assertNotIn("t", self.words)       # single letters other than a, i
        self.assertNotIn("paris", self.words)   # proper nouns

    def test_segment_known_names(self):
        seg = import_hedgewars.segment
        self.assertEqual(seg("Thisoneismine", self.words), "this one is mine")
        self.assertEqual(seg("Youllregretthat", self.words), "you'll regret that")
        self.assertEqual(seg("Cutitout", self.words), "cut it out")
        self.assertEqual(seg("Yessir", self.words), "yes sir")
        self.assertIsNone(seg("Xyzzy", self.words))

    def test_segment_prefers_fewer_then_common_words(self):
        seg = import_hedgewars.segment
        self.assertEqual(seg("Illgetyou", self.words), "i'll get you")
        # "wat chit" and "watch it" are both two words: the common ones win.
        self.assertEqual(seg("Watchit", self.words), "watch it")
        # Fewer words beat common ones: "cutit" (a made-up word) + "out".
        words = dict(self.words, cutit="cutit")
        self.assertEqual(seg("Cutitout", words), "cutit out")

    def test_numbered_variants(self):
        bn = import_hedgewars.base_name
        self.assertEqual(bn("Ooff2"), "Ooff")
        self.assertEqual(bn("Firepunch12"), "Firepunch")
        self.assertEqual(bn("Uh-oh"), "Uh-oh")
        self.assertEqual(bn("Hello"), "Hello")

    def test_phrase_texts(self):
        pt = import_hedgewars.phrase_text
        self.assertEqual(pt("Ooff2", self.words), ("", None))
        self.assertEqual(pt("Ow4", self.words), ("", None))
        self.assertEqual(pt("Laugh", self.words), ("", None))
        self.assertEqual(pt("Uh-oh", self.words), ("uh oh", None))
        self.assertEqual(pt("Nooo", self.words), ("no", None))
        self.assertEqual(pt("Runaway", self.words), ("run away", None))
        text, reason = pt("Jump2", self.words)
        self.assertIsNone(text)
        self.assertIn("event", reason)
        text, reason = pt("Xyzzy", self.words)
        self.assertIsNone(text)
        self.assertIn("segmentable", reason)

    def test_max_seconds(self):
        self.assertEqual(import_hedgewars.max_seconds("no"), 1.5)
        self.assertGreater(import_hedgewars.max_seconds("this one is mine"),
                           import_hedgewars.max_seconds("no"))


class KlettresTest(unittest.TestCase):
    def test_letter_names(self):
        ln = import_klettres.letter_name
        expect = ("a bee see dee e ef gee aitch i jay kay el em en o pee cue ar ess tee "
                  "you vee double_you ex why").split()
        self.assertEqual([ln(chr(ord("a") + i)) for i in range(25)],
                         [e.replace("_", " ") for e in expect])
        self.assertEqual(ln("Z"), "zee")
        self.assertEqual(ln("z", "zed"), "zed")
        self.assertEqual(ln("B"), "bee")

    def test_plan_on_a_fabricated_tree(self):
        with tempfile.TemporaryDirectory() as root:
            for rel in ["en/alpha/A.ogg", "en/alpha/Z.ogg", "en/syllab/ch.ogg",
                        "en/syllab/dog.ogg", "en_GB/alpha/z.ogg", "en_GB/alpha/w.ogg"]:
                os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
                open(os.path.join(root, rel), "w").close()
            got = {u: (spk, text, reason is not None)
                   for u, spk, _, text, reason in import_klettres.plan(root)}
        self.assertEqual(got, {
            "klettres_en-alpha_a": ("klettres_en", "a", False),
            "klettres_en-alpha_z": ("klettres_en", "zee", False),
            "klettres_en-syllab_ch": ("klettres_en", None, True),
            "klettres_en-syllab_dog": ("klettres_en", "dog", False),
            "klettres_en_gb-alpha_z": ("klettres_en_gb", "zed", False),
            "klettres_en_gb-alpha_w": ("klettres_en_gb", "double you", False),
        })


if __name__ == "__main__":
    unittest.main()
