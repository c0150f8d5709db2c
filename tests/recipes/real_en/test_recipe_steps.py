"""Unit tests of recipes/real_en's shared steps: script text normalization, the data
dir writer, the held-out split, augmentation chains and the LM text filter."""
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL = os.path.join(HERE, "..", "..", "..", "recipes", "real_en", "local")
sys.path.insert(0, LOCAL)

import augment_dir  # noqa: E402
import datadir  # noqa: E402
import split_speakers  # noqa: E402


class NormalizeScriptTest(unittest.TestCase):
    def test_game_script_quirks(self):
        n = datadir.normalize_script
        self.assertEqual(n("...with me own SPECIAL relish!"), "with me own special relish")
        self.assertEqual(n("<gulp> Hello there, `Joe`."), "hello there joe")
        self.assertEqual(n("Press 1 for sales"), "press one for sales")
        self.assertEqual(n("I'm `fine' ^_ ok"), "i'm fine ok")
        self.assertEqual(n("Caf\u00e9 na\u00efve"), "cafe naive")

    def test_non_speech_is_empty(self):
        self.assertEqual(datadir.normalize_script("[tone] <laugh>"), "")


class DataDirTest(unittest.TestCase):
    def test_writes_sorted_kaldi_files_and_report(self):
        with tempfile.TemporaryDirectory() as tmp:
            d = datadir.DataDir(os.path.join(tmp, "out"), "test")
            d.add("spk_b-2", "spk_b", os.path.join(tmp, "b.wav"), "two words", gender="m")
            d.add("spk_a-1", "spk_a", os.path.join(tmp, "a.wav"), "")
            d.drop("x.wav", "too fast")
            with self.assertRaises(ValueError):
                d.add("other-3", "spk_a", "c.wav", "mismatched speaker prefix")
            with self.assertRaises(ValueError):
                d.add("spk_a-1", "spk_a", "a.wav", "duplicate")
            d.write()

            def read(name):
                with open(os.path.join(tmp, "out", name)) as f:
                    return f.read()
            self.assertEqual(read("text"), "spk_a-1\nspk_b-2 two words\n")
            self.assertEqual(read("utt2spk"), "spk_a-1 spk_a\nspk_b-2 spk_b\n")
            self.assertEqual(read("spk2gender"), "spk_b m\n")
            self.assertIn("kept 2 clips (1 with words, 1 non-speech), 2 speakers", read("report.txt"))
            self.assertIn("dropped 1: too fast (e.g. x.wav)", read("report.txt"))


class SplitTest(unittest.TestCase):
    def utts(self):
        return {
            "a-1": ("a", "a1.wav", "hello world"), "a-2": ("a", "a2.wav", "only in train"),
            "b-1": ("b", "b1.wav", "hello world"), "b-2": ("b", "b2.wav", "a test line"),
            "c-1": ("c", "c1.wav", "a dev line"), "a-3": ("a", "a3.wav", ""),
            "c-2": ("c", "c2.wav", ""),
        }

    def test_held_out_speakers_and_sentences(self):
        utts = self.utts()
        source = {u: "game" for u in utts}
        sets, dropped = split_speakers.split(utts, source, {"c"}, {"b"}, set())
        self.assertEqual(sets["real_test"], ["b-1", "b-2"])
        self.assertEqual(sets["real_dev"], ["c-1", "c-2"])
        # a-1 says a test sentence; the empty (non-speech) a-3 stays.
        self.assertEqual(sets["real_train"], ["a-2", "a-3"])
        self.assertEqual(dropped["real_train: says a dev or test sentence"], 1)

    def test_unused_speakers_are_in_no_set(self):
        utts = self.utts()
        sets, dropped = split_speakers.split(utts, {u: "g" for u in utts}, {"c"}, {"b"}, set(),
                                             {"a"})
        self.assertEqual(sets["real_train"], [])
        self.assertEqual(dropped["unused speaker a"], 3)

    def test_halved_sources_keep_disjoint_phrase_halves(self):
        phrases = ["phrase %d" % i for i in range(40)]
        utts = {}
        for spk in ("p", "q", "r"):
            for i, t in enumerate(phrases):
                utts["%s-%d" % (spk, i)] = (spk, "x.wav", t)
        source = {u: "packs" for u in utts}
        sets, _ = split_speakers.split(utts, source, set(), {"r"}, {"packs"})
        test_text = {utts[u][2] for u in sets["real_test"]}
        train_text = {utts[u][2] for u in sets["real_train"]}
        self.assertFalse(test_text & train_text)
        self.assertTrue(5 < len(test_text) < 35)
        self.assertEqual(len(test_text) + len(train_text), 40)


class AugmentTest(unittest.TestCase):
    def test_bandwidth_only_chains(self):
        rng = random.Random(5)
        chains = [augment_dir.draw_chain(rng, False, 0.5) for _ in range(400)]
        changed = [c for c in chains if c]
        self.assertTrue(150 < len(changed) < 250)
        self.assertTrue(all(len(c) == 1 and c[0][0] in ("lowpass", "telephone") for c in changed))

    def test_full_chain_ends_with_gain(self):
        rng = random.Random(7)
        for _ in range(50):
            self.assertEqual(augment_dir.draw_chain(rng, True, 0.5)[-1][0], "gain")

    def test_sox_pipeline_keeps_length_and_rate(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "in.wav")
            subprocess.run(["sox", "-n", "-r", "16000", "-b", "16", src, "synth", "1.5", "sine",
                            "440"], check=True)
            steps = [("telephone", []), ("8bit", []), ("reverb", ["reverb", "30", "50", "50"]),
                     ("noise", ["-30"]), ("gain", ["gain", "-n", "-6"])]
            out = os.path.join(tmp, "out.wav")
            subprocess.run(["bash", "-c", "set -o pipefail; " +
                            augment_dir.sox_command(src, out, steps)], check=True)
            info = subprocess.run(["soxi", "-r", out], capture_output=True, text=True).stdout
            self.assertEqual(info.strip(), "16000")
            dur = float(subprocess.run(["soxi", "-D", out], capture_output=True,
                                       text=True).stdout)
            self.assertAlmostEqual(dur, 1.5, delta=0.01)


class LmTextTest(unittest.TestCase):
    def test_dev_and_test_sentences_are_left_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            wn = os.path.join(tmp, "wn")
            os.makedirs(wn)
            for pos in ("noun", "verb", "adj", "adv"):
                with open(os.path.join(wn, "data." + pos), "w") as f:
                    f.write("  licence header line\n")
                    if pos == "noun":
                        f.write('00001 03 n 01 cat 0 | a feline; "the cat sat"; "Hello, World!"\n')
            held = os.path.join(tmp, "held")
            with open(held, "w") as f:
                f.write("u1 hello world\n")
            train = os.path.join(tmp, "train")
            with open(train, "w") as f:
                f.write("t1 a TRAIN line\nt2\n")
            out = os.path.join(tmp, "lm.txt")
            subprocess.run([sys.executable, os.path.join(LOCAL, "make_lm_text.py"), "--out", out,
                            "--wordnet", wn, "--exclude", held, "--keyed", train],
                           check=True, capture_output=True)
            with open(out) as f:
                self.assertEqual(f.read(), "the cat sat\na train line\n")


if __name__ == "__main__":
    unittest.main()
