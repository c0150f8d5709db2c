#!/usr/bin/python3
"""Hedgewars' English voice packs (Debian `hedgewars-data`) as a Kaldi data dir.

/usr/share/games/hedgewars/Data/Sounds/voices/<Pack>/<Phrase>.ogg, one speaker per
pack (`hedgewars_<pack>`; genders are not given, so none is written). The text is
the file name: numbered variants drop the number (`Ooff2` -> `Ooff`), joined words
are split by a dictionary segmenter (segment(); OVERRIDES fixes the names it gets
wrong), a few clearly non-verbal names are kept as non-speech (empty text) and the
names of game events (`Firepunch`, `Kamikaze`, `Jump`) whose words are unknown are
dropped.

The name is the game's phrase slot: the actors of the character packs may say other
words. What this importer can check without listening drops: a clip whose audio is
that of another phrase (byte-identical files, or equal length: `Flyaway` is `Nooo`
with an effect in several packs), a clip far longer than its name's words could take
(MAX_SECONDS()), and byte-identical copies across packs (Classic and Default share
most files) beyond the first.

Usage: import_hedgewars.py --out DATA/hedgewars --wav-dir DATA/wav/hedgewars [--jobs 2]
"""
import collections
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import (DataDir, importer_arguments, missing, run_parallel,  # noqa: E402
                     sox_to_wav, wav_seconds)

ROOT = "/usr/share/games/hedgewars/Data/Sounds/voices"
DICT_PATH = "/usr/share/dict/american-english"
# English packs only (Russian: English with a Russian accent). Default_es, _pl, _ru,
# Russian_pl and any other pack are not English.
PACKS = ["British", "Classic", "Default", "Default_uk", "HillBilly", "Mobster", "Pirate",
         "Robot", "Russian", "Singer", "Surfer"]

# Clearly non-verbal: kept with an empty text.
NON_SPEECH = {"laugh", "poisoncough", "poisonmoan", "ooff", "ow", "hmm"}
# Names of game events, not of words: what the voice shouts is unknown.
EVENTS = {"firepunch": "fire punch shout", "kamikaze": "kamikaze shout",
          "jump": "jump grunt or shout"}
# Names the segmenter gets wrong (or cannot split): the words said.
OVERRIDES = {
    "drat": "drat",        # not in the dictionary
    "nooo": "no",          # a drawn-out "no"
    "nutter": "nutter",    # British slang, not in the dictionary
    "runaway": "run away",  # the phrase, not the noun
}
# Common words, preferred by the segmenter over rarer ones of the same count.
COMMON = set("""a all alone away be blood bye come cover cut dear down enemy first fly get
go gonna i i'll in is it just leave long me mine my no oh on one out regret run same so take
team that the then this to uh up wait watch what yes sir you you'll""".split())


def base_name(stem):
    """A phrase name without its variant number: `Ooff2` -> `Ooff`, `Jump1` -> `Jump`."""
    return re.sub(r"\d+$", "", stem)


def load_words(path=DICT_PATH):
    """{letters only: word} from a one-word-a-line dictionary: lower-case words,
    `I` and `I'll`, no possessives, no single letters but a and i."""
    words = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for w in f:
            w = w.strip()
            if not w or w.endswith("'s") or not re.fullmatch(r"[A-Za-z']+", w):
                continue
            if w[0].isupper() and w not in ("I", "I'll"):
                continue
            lw = w.lower()
            if len(lw) == 1 and lw not in ("a", "i"):
                continue
            words.setdefault(lw.replace("'", ""), lw)
    return words


def segment(name, words):
    """The fewest dictionary words (then the most common) that spell `name`
    ("Thisoneismine" -> "this one is mine"), or None."""
    s = name.lower()
    n = len(s)
    best = [None] * (n + 1)
    best[0] = (0.0, [])
    for j in range(1, n + 1):
        for i in range(max(0, j - 24), j):
            w = words.get(s[i:j])
            if w is None or best[i] is None:
                continue
            cost = best[i][0] + 1.0 + (0.0 if w in COMMON else 0.5)
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, best[i][1] + [w])
    return None if best[n] is None else " ".join(best[n][1])


def phrase_text(stem, words):
    """(text, None) or (None, drop reason) for a file name without `.ogg`."""
    base = base_name(stem).lower()
    if base in NON_SPEECH:
        return "", None
    if base in EVENTS:
        return None, "game event name, the words are unknown (%s)" % EVENTS[base]
    if base in OVERRIDES:
        return OVERRIDES[base], None
    parts = [segment(p, words) for p in base.split("-") if p]
    if not parts or None in parts:
        return None, "name not segmentable into dictionary words"
    return " ".join(parts), None


def max_seconds(text):
    """The longest a clip saying `text` is taken to be: 1 s + 0.5 s a syllable
    (vowel groups). Longer clips say more than their name."""
    syllables = max(1, len(re.findall(r"[aeiouy]+", text)))
    return 1.0 + 0.5 * syllables


def main(argv=None):
    args = importer_arguments("import_hedgewars").parse_args(argv)
    if (missing("import_hedgewars", os.path.isdir(os.path.join(ROOT, "Default")),
                "the voice packs", "hedgewars-data", ROOT) or
            missing("import_hedgewars", os.path.isfile(DICT_PATH), "the word list", "wamerican",
                    DICT_PATH)):
        return 1
    words = load_words()
    dd = DataDir(args.out, "hedgewars (hedgewars-data voice packs: %s)" % ", ".join(PACKS))
    for pack in sorted(os.listdir(ROOT)):
        if pack not in PACKS:
            dd.drop(pack + "/", "voice pack not in English")
    seen = {}  # md5 -> "Pack/Stem"
    cands = []  # (uttid, spk, src, stem, text, pack)
    for pack in PACKS:
        d = os.path.join(ROOT, pack)
        if not os.path.isdir(d):
            dd.drop(pack + "/", "voice pack missing")
            continue
        spk = "hedgewars_" + pack.lower()
        stems = sorted(n[:-4] for n in os.listdir(d) if n.endswith(".ogg"))
        digests = {}
        for stem in stems:
            with open(os.path.join(d, stem + ".ogg"), "rb") as f:
                digests[stem] = hashlib.md5(f.read()).hexdigest()
        names_by_digest = collections.defaultdict(set)
        for stem in stems:
            names_by_digest[digests[stem]].add(base_name(stem))
        for stem in stems:
            what = "%s/%s" % (pack, stem)
            text, reason = phrase_text(stem, words)
            if reason is None and len(names_by_digest[digests[stem]]) > 1:
                reason = "same file under other phrase names (%s)" % "/".join(
                    sorted(names_by_digest[digests[stem]]))
            if reason is None and digests[stem] in seen:
                reason = "byte-identical copy of a clip kept from another pack"
                what += " = " + seen[digests[stem]]
            if reason:
                dd.drop(what, reason)
                continue
            seen[digests[stem]] = what
            uttid = ("%s-%s" % (spk, stem)).lower()
            cands.append((uttid, spk, os.path.join(d, stem + ".ogg"), stem, text, pack))
    os.makedirs(args.wav_dir, exist_ok=True)

    def convert(item):
        uttid, src = item[0], item[2]
        out = os.path.join(args.wav_dir, uttid + ".wav")
        if not (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src)):
            sox_to_wav([src], out)
        return out

    outs = run_parallel(args.jobs, convert, cands)
    # Equal decoded lengths under different names in one pack: one recording reused
    # (Flyaway is Nooo with an effect): drop the copy, or all when it is not clear.
    by_len = collections.defaultdict(list)
    for c, out in zip(cands, outs):
        by_len[(c[5], os.path.getsize(out))].append(c[3])
    for c, out in zip(cands, outs):
        uttid, spk, _, stem, text, pack = c
        group = by_len[(pack, os.path.getsize(out))]
        names = {base_name(s) for s in group}
        if len(names) > 1 and not (names == {"Flyaway", "Nooo"} and base_name(stem) == "Nooo"):
            dd.drop("%s/%s" % (pack, stem),
                    "same length as another phrase in its pack (%s): one recording reused"
                    % "/".join(sorted(group)))
            continue
        secs = wav_seconds(out)
        if text and secs > max_seconds(text):
            dd.drop("%s/%s %.1fs" % (pack, stem, secs),
                    "longer than its name's words could take (says more or other words)")
            continue
        dd.add(uttid, spk, out, text)
    return dd.finish()


if __name__ == "__main__":
    sys.exit(main())
