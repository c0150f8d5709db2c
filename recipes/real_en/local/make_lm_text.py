#!/usr/bin/env python3
"""The word LM's training text: natural English from Debian packages plus the
training transcripts, with every dev and test sentence removed.

  make_lm_text.py --exclude TEXT... --out lm_text.txt [--keyed TEXT...] [--wordnet DIR]

Sources: the quoted example sentences of WordNet's glosses (`wordnet-base`, about
48,000: "the oceans are teeming with life"), and the `--keyed` Kaldi text files
(uttid text: the real and synthetic training transcripts, the synthetic sentence
pool). Every line is normalized like the recipe's transcripts; a line equal to a
sentence of an `--exclude` file (Kaldi text: dev and test) is left out, and the
count is reported.
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import normalize_script  # noqa: E402

WORDNET_DIR = "/usr/share/wordnet"


def wordnet_examples(wordnet_dir):
    """The double-quoted example sentences of the glosses in WordNet's data.* files."""
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(wordnet_dir, "data." + pos)
        with open(path, encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):  # the licence header
                    continue
                gloss = line.partition(" | ")[2]
                for example in re.findall(r'"([^"]+)"', gloss):
                    yield example


def keyed_text(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 1)
            if len(parts) == 2:
                yield parts[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--exclude", nargs="+", required=True)
    p.add_argument("--keyed", nargs="*", default=[])
    p.add_argument("--wordnet", default=WORDNET_DIR)
    a = p.parse_args()
    held = {normalize_script(t) for path in a.exclude for t in keyed_text(path)} - {""}
    kept, excluded = [], 0
    if not os.path.exists(os.path.join(a.wordnet, "data.noun")):
        sys.exit("make_lm_text: error: Debian package wordnet-base is not installed (%s)" %
                 a.wordnet)
    sources = [("wordnet", wordnet_examples(a.wordnet))]
    sources += [(path, keyed_text(path)) for path in a.keyed]
    for name, lines in sources:
        n = 0
        for raw in lines:
            text = normalize_script(raw)
            if not text:
                continue
            if text in held:
                excluded += 1
                continue
            kept.append(text)
            n += 1
        sys.stderr.write("make_lm_text: %s: %d lines\n" % (name, n))
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        f.writelines(t + "\n" for t in kept)
    os.replace(a.out + ".tmp", a.out)
    sys.stderr.write("make_lm_text: %d lines, %d words; %d lines left out as dev or test "
                     "sentences\n" % (len(kept), sum(len(t.split()) for t in kept), excluded))


if __name__ == "__main__":
    main()
