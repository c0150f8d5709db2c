#!/usr/bin/env python3
"""Fits attend's word confidence calibration: a logistic regression from the
word features `attend transcribe --format json --confidence-features` prints
(decoder/word_confidence.h) to whether the word is right (Levenshtein
alignment to the reference). Writes the `confidence-weights` line of a
MODEL.decode.conf and prints the fit's log-loss, NCE and ECE on its own data.

  fit_confidence.py --out confidence.conf DECODE.json:REF_TEXT [...]

Pure Python (Newton's method on standardized features, a small L2 penalty)."""
import argparse
import json
import math
import sys

from confidence_metrics import align_correct, ece, nce, read_text

L2 = 1e-3  # penalty per example on the standardized weights (not the bias)


def read_examples(decode_path, ref_path):
    """(features, correct, uncalibrated confidence) per best-hypothesis word."""
    refs = read_text(ref_path)
    examples = []
    with open(decode_path, encoding="utf-8") as f:
        for line in f:
            utt = json.loads(line)
            if utt["key"] not in refs:
                sys.exit(f"fit_confidence.py: error: {utt['key']} is not in {ref_path}")
            words = [w for s in utt["segments"] if s["nbest"] for w in s["nbest"][0]["words"]]
            correct = align_correct(refs[utt["key"]], [w["word"] for w in words])
            for w, ok in zip(words, correct):
                examples.append((w["features"], ok, w["confidence"]))
    return examples


def solve(a, b):
    """x with a·x = b (Gaussian elimination with partial pivoting)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[c][c] != 0:
                f = m[r][c] / m[c][c]
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    return [m[i][n] / m[i][i] for i in range(n)]


def sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def fit_logistic(x, y, iterations=50):
    """Weights [bias, w...] of P(y) = σ(bias + w·x) by Newton's method."""
    d = len(x[0]) + 1
    rows = [[1.0] + list(r) for r in x]
    w = [0.0] * d
    n = len(rows)
    for _ in range(iterations):
        grad = [0.0] * d
        hess = [[0.0] * d for _ in range(d)]
        for r, t in zip(rows, y):
            p = sigmoid(sum(a * b for a, b in zip(w, r)))
            g, h = p - t, max(p * (1 - p), 1e-9)
            for i in range(d):
                grad[i] += g * r[i]
                for j in range(i, d):
                    hess[i][j] += h * r[i] * r[j]
        for i in range(d):
            for j in range(i):
                hess[i][j] = hess[j][i]
            if i > 0:
                grad[i] += L2 * n * w[i]
                hess[i][i] += L2 * n
        step = solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return w


def standardize(x):
    """Columns scaled to mean 0, deviation 1 (constant columns left at 0)."""
    d = len(x[0])
    mean = [sum(r[i] for r in x) / len(x) for i in range(d)]
    dev = [math.sqrt(sum((r[i] - mean[i]) ** 2 for r in x) / len(x)) or 1.0 for i in range(d)]
    return [[(r[i] - mean[i]) / dev[i] for i in range(d)] for r in x], mean, dev


def log_loss(p, y):
    return -sum(math.log(max(q if t else 1 - q, 1e-12)) for q, t in zip(p, y)) / len(y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="conf file to write")
    parser.add_argument("--nbest-scale", type=float, default=1.0,
                        help="the --confidence-nbest-scale the features were decoded with")
    parser.add_argument("sets", nargs="+", help="DECODE.json:REF_TEXT pairs")
    args = parser.parse_args()
    examples, set_ranges = [], []
    for pair in args.sets:
        decode, ref = pair.split(":")
        begin = len(examples)
        examples += read_examples(decode, ref)
        set_ranges.append((decode, begin, len(examples)))
    x = [e[0] for e in examples]
    y = [1.0 if e[1] else 0.0 for e in examples]
    z, mean, dev = standardize(x)
    ws = fit_logistic(z, y)
    # Back to the raw features: σ(b + Σ w_i (x_i - m_i)/s_i).
    weights = [ws[0] - sum(ws[i + 1] * mean[i] / dev[i] for i in range(len(mean)))]
    weights += [ws[i + 1] / dev[i] for i in range(len(mean))]
    p = [sigmoid(weights[0] + sum(w * f for w, f in zip(weights[1:], r))) for r in x]
    raw = [e[2] for e in examples]
    ok = [bool(t) for t in y]
    print(f"dev words {len(y)}, correct {sum(ok) / len(y):.3f}")
    print(f"uncalibrated: NCE {nce(raw, ok):.3f} ECE {ece(raw, ok):.3f} log-loss {log_loss(raw, y):.3f}")
    print(f"calibrated:   NCE {nce(p, ok):.3f} ECE {ece(p, ok):.3f} log-loss {log_loss(p, y):.3f}")
    for name, begin, end in set_ranges:
        print(f"  {name}: words {end - begin}, correct {sum(ok[begin:end]) / (end - begin):.3f}, "
              f"NCE {nce(raw[begin:end], ok[begin:end]):.3f} -> {nce(p[begin:end], ok[begin:end]):.3f}, "
              f"ECE {ece(raw[begin:end], ok[begin:end]):.3f} -> {ece(p[begin:end], ok[begin:end]):.3f}")
    print("weights (bias, then per feature): " + " ".join(f"{w:.5g}" for w in weights))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("# Word confidence calibration (recipes/confidence/run.sh stage 2): logistic\n")
        f.write("# weights, bias first, over decoder/word_confidence.h's features.\n")
        f.write("confidence-weights = " + " ".join(f"{w:.6g}" for w in weights) + "\n")
        f.write(f"confidence-nbest-scale = {args.nbest_scale:g}\n")


if __name__ == "__main__":
    main()
