#!/usr/bin/env python3
"""The confidence table of recipes/confidence: per scored CTM, the words,
their share right, sclite's NCE (its `-o sum` report), ECE over words, and
ECE over utterances (an utterance's mean word confidence against the share of
its words that are right), from sclite's SGML alignment.

  confidence_report.py LABEL:SCLITE_PREFIX [...]
    SCLITE_PREFIX: sclite's `-O DIR -n NAME` output, DIR/NAME (.sys and .sgml)"""
import re
import sys

from confidence_metrics import ece, nce

_WORD = re.compile(r'([CSID]),(?:"[^"]*")?,(?:"[^"]*")?,[^,:]*,([0-9.]*)')


def read_sgml(path):
    """Per utterance, (confidence, right) of each hypothesis word."""
    utts, current = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("<PATH"):
                current = []
            elif line.startswith("</PATH>"):
                utts.append(current)
                current = None
            elif current is not None:
                for op, conf in _WORD.findall(line):
                    if op != "D":
                        current.append((float(conf), op == "C"))
    return utts


def sclite_nce(sys_path):
    """The NCE column of the Sum/Avg row of sclite's .sys report."""
    with open(sys_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if "Sum/Avg" in line:
                return float(line.strip().strip("|").split("|")[-1])
    sys.exit(f"confidence_report.py: error: no Sum/Avg line in {sys_path}")


def main():
    print(f"{'set':<28} {'words':>6} {'right':>6} {'NCE':>7} {'NCE(py)':>7} {'ECE':>6} "
          f"{'uttECE':>6}")
    for arg in sys.argv[1:]:
        label, prefix = arg.split(":", 1)
        utts = read_sgml(prefix + ".sgml")
        words = [w for u in utts for w in u]
        conf = [c for c, _ in words]
        right = [ok for _, ok in words]
        utt_conf = [sum(c for c, _ in u) / len(u) for u in utts if u]
        utt_right = [sum(ok for _, ok in u) / len(u) for u in utts if u]
        # Utterance ECE: bins of mean confidence, |share right - confidence|.
        utt_ece = ece_fractional(utt_conf, utt_right)
        print(f"{label:<28} {len(words):>6} {sum(right) / max(1, len(words)):>6.3f} "
              f"{sclite_nce(prefix + '.sys'):>7.3f} {nce(conf, right):>7.3f} "
              f"{ece(conf, right):>6.3f} {utt_ece:>6.3f}")


def ece_fractional(conf, target, bins=10):
    """ECE against targets in [0, 1] (shares of words right)."""
    n = len(conf)
    if n == 0:
        return float("nan")
    sums = {}
    for c, t in zip(conf, target):
        b = min(int(c * bins), bins - 1)
        s = sums.setdefault(b, [0.0, 0.0])
        s[0] += c
        s[1] += t
    return sum(abs(s[1] - s[0]) for s in sums.values()) / n


if __name__ == "__main__":
    main()
