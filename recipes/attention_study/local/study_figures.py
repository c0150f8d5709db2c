#!/usr/bin/python3
"""The study's figures (python3-matplotlib).

    study_figures.py --exp EXP --mechanisms "additive ..." --utt UTT --threshold 5 --out DIR

DIR/curves.png: per mechanism, the training loss (line) and dev loss (dots)
from EXP/<mech>/train/metrics.csv, and the mean distance of the attention
peaks from the CTC alignment on dev_align (EXP/<mech>/align.tsv; a multi-head
model's nearest head, and dotted its heads' mean) with the threshold that
counts as aligned.
DIR/attention.png: utterance UTT's attention in every mechanism side by side,
read from the explorer page EXP/figures/explorer_<mech>/<UTT>.html (the best
hypothesis, the heads' mean); CTC alone has none and gets a note instead.
"""
import argparse
import csv
import json
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def metrics(path):
    steps, train, dev_steps, dev = [], [], [], []
    if os.path.exists(path):
        for row in csv.DictReader(open(path)):
            step = int(row["step"])
            if row["train_loss"]:
                steps.append(step)
                train.append(float(row["train_loss"]))
            if row["dev_loss"]:
                dev_steps.append(step)
                dev.append(float(row["dev_loss"]))
    return steps, train, dev_steps, dev


def alignment(path):
    """Steps, the mean matrix's CTC distances and the nearest head's."""
    steps, distance, best_head = [], [], []
    if os.path.exists(path):
        for row in csv.DictReader(open(path), delimiter="\t"):
            try:
                d = float(row["ctc_distance"])
                b = float(row.get("best_head_ctc_distance") or d)
            except ValueError:
                continue
            steps.append(int(row["step"]))
            distance.append(d)
            best_head.append(b)
    return steps, distance, best_head


def page_attention(path):
    """(matrix rows 0..1, token labels, hypothesis text) of a page's best alternative."""
    html = open(path, encoding="utf-8").read()
    m = re.search(r'<script type="application/json" id="attend-data">(.*?)</script>', html, re.S)
    data = json.loads(m.group(1))
    alt = data["segments"][0]["nbest"][0]
    rows = [[v / 255 for v in row] for row in alt["heads"][0]["rows"]]
    labels = [t["text"].replace("<space>", "␣") for t in alt["tokens"]] + ["<eos>"]
    return rows, labels, alt["text"]


def curves(a, mechs):
    fig, (loss_ax, align_ax) = plt.subplots(1, 2, figsize=(13, 4.8))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, m in enumerate(mechs):
        c = colours[i % len(colours)]
        steps, train, dev_steps, dev = metrics(os.path.join(a.exp, m, "train", "metrics.csv"))
        loss_ax.plot(steps, train, color=c, lw=1, label=f"{m} train")
        loss_ax.plot(dev_steps, dev, "o--", color=c, ms=3, lw=0.8)
        s, d, b = alignment(os.path.join(a.exp, m, "align.tsv"))
        if s:
            align_ax.plot(s, b, "o-", color=c, ms=3, label=m)
            if b != d:  # a multi-head model: the heads' mean, dotted
                align_ax.plot(s, d, ":", color=c, lw=1, label=f"{m} (heads' mean)")
    loss_ax.set(xlabel="step", ylabel="loss (line: train, dots: dev)", title="loss")
    loss_ax.legend(fontsize=8)
    align_ax.axhline(a.threshold, color="grey", ls=":", label="aligned below")
    align_ax.set(xlabel="step", ylabel="mean |attention peak - CTC frame| (encoder frames)",
                 title="attention vs CTC alignment (dev_align, teacher-forced)")
    align_ax.set_yscale("log")
    align_ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "curves.png"), dpi=110)


def attention(a, mechs):
    fig, axes = plt.subplots(1, len(mechs), figsize=(3.2 * len(mechs), 4.2), squeeze=False)
    for ax, m in zip(axes[0], mechs):
        page = os.path.join(a.exp, "figures", f"explorer_{m}", a.utt + ".html")
        if m == "ctc" or not os.path.exists(page):
            ax.text(0.5, 0.5, "CTC alone:\nno attention" if m == "ctc" else "no page",
                    ha="center", va="center")
            ax.set_axis_off()
            ax.set_title(m)
            continue
        rows, labels, text = page_attention(page)
        ax.imshow(rows, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0)
        if len(labels) <= 60:
            ax.set_yticks(range(len(labels)))
            ax.set_yticklabels(labels, fontsize=5, family="monospace")
        ax.set_xlabel("encoder frame")
        ax.set_title(f"{m}\n{text[:40]}", fontsize=8)
    fig.suptitle(f"attention of each mechanism on {a.utt} (best hypothesis, heads' mean)")
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "attention.png"), dpi=110)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--exp", required=True)
    p.add_argument("--mechanisms", required=True)
    p.add_argument("--utt", required=True)
    p.add_argument("--threshold", type=float, required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    mechs = a.mechanisms.split()
    os.makedirs(a.out, exist_ok=True)
    curves(a, mechs)
    attention(a, mechs)


if __name__ == "__main__":
    main()
