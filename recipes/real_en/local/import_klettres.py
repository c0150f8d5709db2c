#!/usr/bin/python3
"""KLettres' English letters (Debian `klettres-data`) as a Kaldi data dir.

/usr/share/klettres/en/alpha/A.ogg ... Z.ogg (American) and en_GB/alpha/a.ogg ...
(British): one letter name each. The text is the letter's name spelled as a word
(LETTER_NAMES: "b" -> "bee", "w" -> "double you"; "z" is "zee" in en, "zed" in
en_GB). The syllab/ folders hold short words and bare sounds: real words are kept,
sounds whose spelling is ambiguous ("aw", "ch", "th") are dropped.

Usage: import_klettres.py --out DATA/klettres --wav-dir DATA/wav/klettres [--jobs 2]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import DataDir, importer_arguments, missing, run_parallel, sox_to_wav  # noqa: E402

ROOT = "/usr/share/klettres"
PACKAGE = "klettres-data"
# (folder, speaker id, how it says z)
VOICES = [("en", "klettres_en", "zee"), ("en_GB", "klettres_en_gb", "zed")]

# English letter names as words; z is by dialect (letter_name()).
LETTER_NAMES = {
    "a": "a", "b": "bee", "c": "see", "d": "dee", "e": "e", "f": "ef", "g": "gee",
    "h": "aitch", "i": "i", "j": "jay", "k": "kay", "l": "el", "m": "em", "n": "en",
    "o": "o", "p": "pee", "q": "cue", "r": "ar", "s": "ess", "t": "tee", "u": "you",
    "v": "vee", "w": "double you", "x": "ex", "y": "why",
}

# Syllable files that are not words (a sound whose spelling is ambiguous: "aw" is
# also "or", "awe"; "ch", "th" are bare consonants).
NOT_WORDS = {"aw", "ch", "th"}


def letter_name(letter, z="zee"):
    """The English name of a letter as the model spells it ("b" -> "bee")."""
    letter = letter.lower()
    if letter == "z":
        return z
    return LETTER_NAMES[letter]


def plan(root=ROOT):
    """[(uttid, spk, src, text or None, reason)] for every en / en_GB clip."""
    items = []
    for folder, spk, z in VOICES:
        for sub in ("alpha", "syllab"):
            d = os.path.join(root, folder, sub)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if not name.endswith(".ogg"):
                    continue
                stem = name[:-4]
                uttid = "%s-%s_%s" % (spk, sub, stem.lower())
                src = os.path.join(d, name)
                if sub == "alpha":
                    if stem.lower() in LETTER_NAMES or stem.lower() == "z":
                        items.append((uttid, spk, src, letter_name(stem, z), None))
                    else:
                        items.append((uttid, spk, src, None, "not a letter a-z"))
                elif stem.lower() in NOT_WORDS:
                    items.append((uttid, spk, src, None,
                                  "syllable that is not a word (spelling ambiguous)"))
                else:
                    items.append((uttid, spk, src, stem.lower(), None))
    return items


def main(argv=None):
    args = importer_arguments("import_klettres").parse_args(argv)
    for folder, _, _ in VOICES:
        alpha = os.path.join(ROOT, folder, "alpha")
        if missing("import_klettres", os.path.isdir(alpha), "KLettres %s letters" % folder,
                   PACKAGE, alpha):
            return 1
    os.makedirs(args.wav_dir, exist_ok=True)
    dd = DataDir(args.out, "klettres (%s: en, en_GB letters and words)" % PACKAGE)
    keep = []
    for uttid, spk, src, text, reason in plan():
        if text is None:
            dd.drop("%s (%s)" % (uttid, os.path.relpath(src, ROOT)), reason)
        else:
            keep.append((uttid, spk, src, text))

    def convert(item):
        uttid, _, src, _ = item
        out = os.path.join(args.wav_dir, uttid + ".wav")
        if not (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src)):
            sox_to_wav([src], out)
        return out

    for item, out in zip(keep, run_parallel(args.jobs, convert, keep)):
        uttid, spk, _, text = item
        dd.add(uttid, spk, out, text)
    return dd.finish()


if __name__ == "__main__":
    sys.exit(main())
