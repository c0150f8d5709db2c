#!/usr/bin/env python3
"""Reference fixtures for tests/decoder (CTC loss against PyTorch).

Rerun from the repository root with the Debian PyTorch:
  /usr/bin/python3 tests/decoder/make_fixtures.py
It rewrites tests/decoder/fixtures/ctc_cases.txt (deterministic: seed 5).

Each case, as whitespace-separated text:
  case <name> T N V
  lengths  <N ints>                 input lengths
  targets <n> <U> <U ints>          one line per utterance
  logits   <T*N*V floats>           [T, N, V] row-major (pre-softmax)
  loss     <N floats>               F.ctc_loss(log_softmax(logits), reduction='none',
                                    blank=0, zero_infinity=False)  ('inf' when impossible)
  grad     <T*N*V floats>           d(sum of the finite losses)/d logits (0 for impossible
                                    utterances, where PyTorch gives NaN)
"""
import math
import os

import torch
import torch.nn.functional as F


def write_case(out, name, T, V, lengths, targets, gen):
    N = len(lengths)
    logits = torch.randn(T, N, V, generator=gen, dtype=torch.float64) * 2.0
    logits.requires_grad_(True)
    lp = F.log_softmax(logits, dim=2)
    flat = torch.tensor([t for y in targets for t in y], dtype=torch.long)
    tl = torch.tensor([len(y) for y in targets], dtype=torch.long)
    il = torch.tensor(lengths, dtype=torch.long)
    loss = F.ctc_loss(lp, flat, il, tl, blank=0, reduction="none", zero_infinity=False)
    finite = torch.isfinite(loss)
    loss[finite].sum().backward()
    grad = logits.grad.clone()
    grad[:, ~finite, :] = 0.0  # PyTorch leaves NaN there; attend defines 0
    out.write(f"case {name} {T} {N} {V}\n")
    out.write("lengths " + " ".join(str(x) for x in lengths) + "\n")
    for n, y in enumerate(targets):
        out.write(f"targets {n} {len(y)} " + " ".join(str(t) for t in y) + "\n")
    out.write("logits " + " ".join(f"{x:.9g}" for x in logits.detach().flatten().tolist()) + "\n")
    out.write("loss " + " ".join("inf" if math.isinf(x) else f"{x:.12g}" for x in loss.tolist()) + "\n")
    out.write("grad " + " ".join(f"{x:.9g}" for x in grad.flatten().tolist()) + "\n")


def main():
    gen = torch.Generator().manual_seed(5)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "ctc_cases.txt")
    with open(path, "w") as out:
        # Random targets of mixed lengths.
        write_case(out, "random", 12, 6, [12, 9, 7], [[1, 2, 3], [4, 4, 5, 1], [2]], gen)
        # Repeated labels (need a blank in between).
        write_case(out, "repeats", 10, 4, [10, 8], [[1, 1, 1], [2, 2, 3, 3]], gen)
        # Target length == input length (possible only without repeats).
        write_case(out, "tight", 5, 5, [5, 4], [[1, 2, 3, 4, 1], [3, 1, 2, 4]], gen)
        # Blank-heavy: long inputs, short or empty targets.
        write_case(out, "blank_heavy", 30, 3, [30, 25], [[2], []], gen)
        # Impossible: too long for the input (repeats need extra frames).
        write_case(out, "impossible", 6, 4, [6, 3, 6], [[1, 1, 1, 1], [1, 2, 3, 1], [1, 2]], gen)


if __name__ == "__main__":
    main()
