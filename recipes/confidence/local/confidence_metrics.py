"""What a word confidence is judged by, as NIST's sclite and the calibration
literature compute it: normalized cross entropy, expected calibration error,
and the word alignment that says which hypothesis words are right."""
import math

# sclite clips confidences to this before taking logs (as does this module).
_EPS = 1e-7


def nce(confidences, correct):
    """Normalized cross entropy (sclite `-o sum`): 1 - H(C | conf) / H(C) in bits,
    where H(C) is the entropy of the words' correctness at the observed rate."""
    n = len(confidences)
    n_correct = sum(correct)
    if n == 0 or n_correct in (0, n):
        return float("nan")
    p = n_correct / n
    h_max = -n_correct * math.log2(p) - (n - n_correct) * math.log2(1 - p)
    h_conf = 0.0
    for c, ok in zip(confidences, correct):
        c = min(max(c, _EPS), 1 - _EPS)
        h_conf -= math.log2(c) if ok else math.log2(1 - c)
    return (h_max - h_conf) / h_max


def ece(confidences, correct, bins=10):
    """Expected calibration error: over `bins` equal-width confidence bins, the
    word-weighted mean of |accuracy - mean confidence|."""
    n = len(confidences)
    if n == 0:
        return float("nan")
    count = [0] * bins
    conf_sum = [0.0] * bins
    right = [0] * bins
    for c, ok in zip(confidences, correct):
        b = min(int(c * bins), bins - 1)
        count[b] += 1
        conf_sum[b] += c
        right[b] += ok
    return sum(abs(right[b] - conf_sum[b]) for b in range(bins)) / n


def align_correct(ref, hyp):
    """For each hypothesis word: True when a Levenshtein alignment to the
    reference words matches it (ties prefer match/substitution, as sclite)."""
    R, H = len(ref), len(hyp)
    cost = [[0] * (H + 1) for _ in range(R + 1)]
    for i in range(R + 1):
        cost[i][0] = i
    for j in range(H + 1):
        cost[0][j] = j
    for i in range(1, R + 1):
        for j in range(1, H + 1):
            sub = cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1])
            cost[i][j] = min(sub, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    correct = [False] * H
    i, j = R, H
    while i > 0 and j > 0:
        if cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            correct[j - 1] = ref[i - 1] == hyp[j - 1]
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return correct


def read_text(path):
    """A Kaldi text file as {uttid: [words]}."""
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts:
                table[parts[0]] = parts[1:]
    return table
