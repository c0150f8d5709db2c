#!/usr/bin/python3
"""Reference trajectories of torch.optim.Adadelta for tests/nn/adadelta_test.cc.

Run from anywhere (deterministic; rerunning rewrites an identical file):
    /usr/bin/python3 tests/nn/make_adadelta_fixture.py
Needs python3-torch (Debian, 1.13). Writes tests/nn/fixtures/adadelta.model in
attend's model file format (nn/model_file.h), holding for each case c:
  config                        `c.<case>.lr/rho/eps/weight_decay = value` lines
  <case>.init.a [2, 3], .b [4]  the starting weights
  <case>.grad.<k>.a / .b        the gradient given at step k (k = 0 .. 5)
  <case>.value.<k>.a / .b       the weights after torch's step k, in float32
The gradients span four orders of magnitude and both signs.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixture_io import write_model  # noqa: E402  (the one model-file writer)

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = 6
CASES = [
    # name, lr, rho, eps, weight_decay
    ("espnet", 1.0, 0.95, 1e-8, 0.0),  # ESPnet's default AdaDelta
    ("decay", 0.5, 0.9, 1e-6, 0.1),
]


def main():
    torch.manual_seed(0)
    config, tensors = "", {}
    for name, lr, rho, eps, wd in CASES:
        config += (f"{name}.lr = {lr!r}\n{name}.rho = {rho!r}\n{name}.eps = {eps!r}\n"
                   f"{name}.weight_decay = {wd!r}\n")
        a = torch.nn.Parameter(torch.empty(2, 3).uniform_(-1, 1))
        b = torch.nn.Parameter(torch.empty(4).uniform_(-1, 1))
        tensors[f"{name}.init.a"], tensors[f"{name}.init.b"] = a.detach().clone(), b.detach().clone()
        opt = torch.optim.Adadelta([a, b], lr=lr, rho=rho, eps=eps, weight_decay=wd)
        for k in range(STEPS):
            for tag, p in (("a", a), ("b", b)):
                scale = 10.0 ** torch.randint(-3, 2, p.shape).float()
                p.grad = torch.randn(p.shape) * scale
                tensors[f"{name}.grad.{k}.{tag}"] = p.grad.clone()
            opt.step()
            tensors[f"{name}.value.{k}.a"] = a.detach().clone()
            tensors[f"{name}.value.{k}.b"] = b.detach().clone()
    os.makedirs(os.path.join(HERE, "fixtures"), exist_ok=True)
    write_model(os.path.join(HERE, "fixtures", "adadelta.model"), config, tensors)


if __name__ == "__main__":
    main()
