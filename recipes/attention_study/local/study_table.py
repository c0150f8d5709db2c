#!/usr/bin/env python3
"""The study's results table (markdown) from an experiment directory.

    study_table.py --exp EXP --mechanisms "additive ..." --sets "synth_dev ..."
                   --threshold 5 --out EXP/results.md

Per mechanism: WER/CER of every set (greedy and beam + CTC, from
EXP/<mech>/decode_<set>_<setting>/score.txt), the step at which attention
aligns (the first measured step whose mean CTC distance in EXP/<mech>/align.tsv
is below --threshold encoder frames; a multi-head model's nearest head's), the training step time (EXP/<mech>/step_seconds,
timed apart by run.sh's stage 4), the final dev loss (metrics.csv), and the
decoding real-time factor of each setting (wall time over audio, summed over
the sets).
"""
import argparse
import csv
import os
import re


def score(path):
    """(WER, CER) from `attend score` output, or None."""
    if not os.path.exists(path):
        return None
    text = open(path).read()
    wer = re.search(r"%WER ([0-9.]+)", text)
    cer = re.search(r"%CER ([0-9.]+)", text)
    return (float(wer.group(1)), float(cer.group(1))) if wer and cer else None


def align_step(path, threshold):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            try:
                if float(row.get("best_head_ctc_distance") or row["ctc_distance"]) < threshold:
                    return int(row["step"])
            except ValueError:
                continue  # "-": nothing could be CTC-aligned yet
    return None


def last_dev_loss(path):
    """The last dev loss in metrics.csv, or None."""
    if not os.path.exists(path):
        return None
    dev = [float(r["dev_loss"]) for r in csv.DictReader(open(path)) if r["dev_loss"]]
    return dev[-1] if dev else None


def step_seconds(path):
    """Seconds per training step from run.sh's timing run, or None."""
    if not os.path.exists(path):
        return None
    return float(open(path).read())


def rtf(exp, mech, sets, setting):
    wall = audio = 0.0
    for s in sets:
        path = os.path.join(exp, mech, f"decode_{s}_{setting}", "rtf")
        if os.path.exists(path):
            _, w, a = open(path).read().split()
            wall, audio = wall + float(w), audio + float(a)
    return wall / audio if audio else None


def fmt(value, digits=2):
    return "–" if value is None else f"{value:.{digits}f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--exp", required=True)
    p.add_argument("--mechanisms", required=True)
    p.add_argument("--sets", required=True)
    p.add_argument("--threshold", type=float, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    mechs, sets = a.mechanisms.split(), a.sets.split()
    lines = []
    for setting in ("greedy", "beam_ctc"):
        lines.append(f"### WER / CER (%), {setting.replace('_', ' + ')}\n")
        lines.append("| mechanism | " + " | ".join(sets) + " |")
        lines.append("|---" * (len(sets) + 1) + "|")
        for m in mechs:
            cells = []
            for s in sets:
                r = score(os.path.join(a.exp, m, f"decode_{s}_{setting}", "score.txt"))
                cells.append("–" if r is None else f"{r[0]:.1f} / {r[1]:.1f}")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(f"### Training and speed (attention aligns: mean CTC distance < {a.threshold} "
                 "encoder frames on dev_align)\n")
    lines.append("| mechanism | aligned at step | final dev loss | s / train step | "
                 "RTF greedy | RTF beam + CTC |")
    lines.append("|---|---|---|---|---|---|")
    for m in mechs:
        dev = last_dev_loss(os.path.join(a.exp, m, "train", "metrics.csv"))
        per_step = step_seconds(os.path.join(a.exp, m, "step_seconds"))
        step = align_step(os.path.join(a.exp, m, "align.tsv"), a.threshold)
        aligned = "n/a (no attention)" if m == "ctc" else ("not within budget" if step is None else str(step))
        lines.append(f"| {m} | {aligned} | {fmt(dev)} | {fmt(per_step, 3)} | "
                     f"{fmt(rtf(a.exp, m, sets, 'greedy'), 3)} | {fmt(rtf(a.exp, m, sets, 'beam_ctc'), 3)} |")
    lines.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
