#!/usr/bin/env python3
"""Splits the imported real-speech data dirs into train, dev and test by speaker and by
sentence: the speakers listed in the split conf are held out whole (dev or test), and
no training utterance says a dev or test sentence.

  split_speakers.py --conf conf/split.conf --out DATA SOURCE_DIR...

Writes DATA/real_train, DATA/real_dev, DATA/real_test (wav.scp, text, utt2spk,
spk2utt, spk2gender where known) and DATA/real_split_report.txt. Conf keys:
  dev_speakers, test_speakers   held-out speaker ids (space-separated)
  unused_speakers               speakers left out of every set: the clips whose
                                speaker the importer could not find (they may be
                                a held-out character's)
  sentence_split_sources        sources whose speakers all say the same phrases
                                (voice packs): their phrases are halved by a hash
                                of the text; held-out speakers keep one half and
                                training speakers the other
A listed speaker that no source has is an error (a renamed speaker would otherwise
silently fall into training).
"""
import argparse
import collections
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "utils"))
from read_conf import Conf  # noqa: E402


def read_dir(path):
    """{uttid: (spk, wav, text)} and {spk: gender} of a Kaldi data dir."""
    def table(name):
        p = os.path.join(path, name)
        if not os.path.exists(p):
            return {}
        with open(p, encoding="utf-8") as f:
            return dict((line.rstrip("\n").split(" ", 1) + [""])[:2] for line in f if line.strip())
    wav, text, spk = table("wav.scp"), table("text"), table("utt2spk")
    return {u: (spk[u], wav[u], text.get(u, "")) for u in wav}, table("spk2gender")


def held_half(text):
    """True for the half of the phrases that held-out speakers keep."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2 == 0


def split(utts, source_of, dev_spk, test_spk, halved, unused=frozenset()):
    """{'real_train'|'real_dev'|'real_test': [uttid]} and a Counter of what was dropped."""
    sets = collections.defaultdict(list)
    dropped = collections.Counter()
    for u in sorted(utts):
        spk, _, text = utts[u]
        if spk in unused:
            dropped["unused speaker %s" % spk] += 1
            continue
        name = "real_dev" if spk in dev_spk else "real_test" if spk in test_spk else "real_train"
        if source_of[u] in halved and text and held_half(text) != (name != "real_train"):
            dropped["%s: phrase in the other half (%s)" % (name, source_of[u])] += 1
            continue
        sets[name].append(u)
    held = {utts[u][2] for n in ("real_dev", "real_test") for u in sets[n]} - {""}
    train = []
    for u in sets["real_train"]:
        if utts[u][2] in held:
            dropped["real_train: says a dev or test sentence"] += 1
        else:
            train.append(u)
    sets["real_train"] = train
    return sets, dropped


def write_dir(path, uttids, utts, gender):
    os.makedirs(path, exist_ok=True)
    spk2utt = collections.defaultdict(list)
    for u in uttids:
        spk2utt[utts[u][0]].append(u)
    files = {
        "wav.scp": ["%s %s" % (u, utts[u][1]) for u in uttids],
        "text": [("%s %s" % (u, utts[u][2])).rstrip() for u in uttids],
        "utt2spk": ["%s %s" % (u, utts[u][0]) for u in uttids],
        "spk2utt": ["%s %s" % (s, " ".join(spk2utt[s])) for s in sorted(spk2utt)],
        "spk2gender": ["%s %s" % (s, gender[s]) for s in sorted(spk2utt) if s in gender],
    }
    for name, lines in files.items():
        with open(os.path.join(path, name + ".tmp"), "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines)
        os.replace(os.path.join(path, name + ".tmp"), os.path.join(path, name))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--conf", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("sources", nargs="+")
    a = p.parse_args()
    conf = Conf(a.conf)
    dev_spk = set(conf.list("dev_speakers"))
    test_spk = set(conf.list("test_speakers"))
    halved = set(conf.list("sentence_split_sources"))
    unused = set(conf.list("unused_speakers"))
    utts, gender, source_of = {}, {}, {}
    for d in a.sources:
        u, g = read_dir(d)
        utts.update(u)
        gender.update(g)
        source_of.update((k, os.path.basename(os.path.normpath(d))) for k in u)
    known = {s for s, _, _ in utts.values()}
    missing = sorted((dev_spk | test_spk | unused) - known)
    if missing or dev_spk & test_spk:
        sys.exit("split_speakers: error: held-out speakers %s (%s)" % (
            "not in any source: " + " ".join(missing) if missing else
            "in both dev and test: " + " ".join(sorted(dev_spk & test_spk)), a.conf))
    sets, dropped = split(utts, source_of, dev_spk, test_spk, halved, unused)
    report = []
    for name in ("real_train", "real_dev", "real_test"):
        write_dir(os.path.join(a.out, name), sets[name], utts, gender)
        by_source = collections.Counter(source_of[u] for u in sets[name])
        spks = {utts[u][0] for u in sets[name]}
        report.append("%s: %d utterances, %d speakers (%s)" % (
            name, len(sets[name]), len(spks),
            ", ".join("%s %d" % kv for kv in sorted(by_source.items()))))
    report += ["dropped %d: %s" % (n, why) for why, n in sorted(dropped.items())]
    with open(os.path.join(a.out, "real_split_report.txt"), "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in report)
    sys.stderr.write("".join("split_speakers: %s\n" % line for line in report))


if __name__ == "__main__":
    main()
