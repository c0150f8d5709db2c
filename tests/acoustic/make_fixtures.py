#!/usr/bin/python3
"""Reference fixtures for the acoustic encoder tests, computed with PyTorch.

Run from anywhere (deterministic; rerunning rewrites identical files):
    /usr/bin/python3 tests/acoustic/make_fixtures.py
Needs python3-torch (Debian, 1.13). Writes tests/acoustic/fixtures/<case>.model
in attend's model file format (nn/model_file.h), each holding:
  config                 the EncoderConfig (`encoder.* = value` lines)
  encoder.*              the parameters, named as attend's Encoder names them
  input [T, N, C]        a random padded batch (zeros past each length)
  lengths [N]            the sequence lengths (as floats)
  output [T', N, D]      the encoder output (zero past each output length)
  output_lengths [N]
  grad_output [T', N, D] g, a random tensor (padding included); the loss is sum(output * g)
  grad_input [T, N, C]   dloss/dinput (zero at padded frames)
  grad.<parameter>       dloss/dparameter for every parameter

The reference encoder is built from torch.nn.LSTM / torch.nn.GRU
(bidirectional=True, one per layer) run on packed sequences (exact for variable
lengths), torch.nn.Linear projections, and the time reduction defined in
acoustic/time_reduction.h. It runs in float64 on float32-rounded weights and
inputs, so the fixtures are exact to float32 rounding.
"""
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fixture_io import write_model  # noqa: E402  (the one model-file writer)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

CASES = [
    # name, config, T, lengths
    ("lstm_concat4", dict(input_dim=5, cell="lstm", num_layers=3, hidden_dim=7, input_proj_dim=0,
                          proj_dim=0, reduction=4, reduction_type="concat"), 12, [12, 9, 5]),
    ("gru_max2_proj", dict(input_dim=5, cell="gru", num_layers=2, hidden_dim=6, input_proj_dim=6,
                           proj_dim=5, reduction=2, reduction_type="max"), 12, [11, 12, 4]),
    ("lstm_mean8_proj", dict(input_dim=5, cell="lstm", num_layers=3, hidden_dim=7,
                             input_proj_dim=0, proj_dim=4, reduction=8, reduction_type="mean"),
     12, [7, 12, 10]),
]


def reduce_time(x, lengths, kind):
    """x [T, N, C] zero past lengths -> [ceil(T/2), N, C or 2C], new lengths."""
    T, N, C = x.shape
    S = (T + 1) // 2
    if T % 2:
        x = torch.cat([x, x.new_zeros(1, N, C)], 0)
    a, b = x[0::2], x[1::2]  # [S, N, C]
    s = torch.arange(S).view(S, 1)
    L = torch.tensor(lengths).view(1, N)
    b_valid = ((2 * s + 1) < L).view(S, N, 1)
    out_valid = ((2 * s) < L).view(S, N, 1)
    if kind == "concat":
        y = torch.cat([a, torch.where(b_valid, b, torch.zeros_like(b))], 2)
    elif kind == "max":
        y = torch.where(b_valid & (b > a), b, a)
    else:
        y = torch.where(b_valid, 0.5 * (a + b), a)
    y = torch.where(out_valid, y, torch.zeros_like(y))
    return y, [(l + 1) // 2 for l in lengths]


def mask(x, lengths):
    T = x.shape[0]
    m = (torch.arange(T).view(T, 1) < torch.tensor(lengths).view(1, -1)).to(x.dtype)
    return x * m.unsqueeze(2)


class Reference(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        cell = torch.nn.LSTM if cfg["cell"] == "lstm" else torch.nn.GRU
        H = cfg["hidden_dim"]
        self.input_proj = (torch.nn.Linear(cfg["input_dim"], cfg["input_proj_dim"])
                           if cfg["input_proj_dim"] else None)
        dim = cfg["input_proj_dim"] or cfg["input_dim"]
        self.num_reductions = {1: 0, 2: 1, 4: 2, 8: 3}[cfg["reduction"]]
        self.rnns = torch.nn.ModuleList()
        self.projs = torch.nn.ModuleList()
        for l in range(cfg["num_layers"]):
            self.rnns.append(cell(dim, H, bidirectional=True))
            out = 2 * H
            if l < self.num_reductions and cfg["reduction_type"] == "concat":
                out *= 2
            if cfg["proj_dim"]:
                self.projs.append(torch.nn.Linear(out, cfg["proj_dim"]))
                out = cfg["proj_dim"]
            dim = out

    def named_for_attend(self):
        """(attend name, torch parameter) pairs."""
        pairs = []
        if self.input_proj is not None:
            pairs += [("encoder.input_proj.weight", self.input_proj.weight),
                      ("encoder.input_proj.bias", self.input_proj.bias)]
        for l, rnn in enumerate(self.rnns):
            for d, suffix in (("l2r", ""), ("r2l", "_reverse")):
                for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    pairs.append((f"encoder.layers.{l}.{d}.{p}", getattr(rnn, f"{p}_l0{suffix}")))
            if self.projs:
                pairs += [(f"encoder.layers.{l}.proj.weight", self.projs[l].weight),
                          (f"encoder.layers.{l}.proj.bias", self.projs[l].bias)]
        return pairs

    def forward(self, x, lengths):
        T = x.shape[0]
        if self.input_proj is not None:
            x = self.input_proj(x)
        for l, rnn in enumerate(self.rnns):
            packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False)
            y, _ = rnn(packed)
            x, _ = pad_packed_sequence(y, total_length=T)
            if l < self.num_reductions:
                x, lengths = reduce_time(x, lengths, self.cfg["reduction_type"])
                T = x.shape[0]
            if self.projs:
                x = self.projs[l](x)
                if l < len(self.rnns) - 1:
                    x = torch.tanh(x)
                x = mask(x, lengths)
        return x, lengths


def config_text(cfg):
    full = dict(cfg, dropout=0, bucket_frames=1)
    return "".join(f"encoder.{k} = {v}\n" for k, v in full.items())


def make_case(index, name, cfg, T, lengths):
    torch.manual_seed(1000 + index)
    ref = Reference(cfg)
    with torch.no_grad():  # weights in U(-0.5, 0.5), rounded to float32
        for _, p in ref.named_for_attend():
            p.copy_(torch.rand_like(p) - 0.5)
    ref = ref.double()
    N = len(lengths)
    x = mask(torch.randn(T, N, cfg["input_dim"]), lengths).double().requires_grad_(True)
    y, out_lengths = ref(x, lengths)
    g = torch.randn(y.shape).double()
    (y * g).sum().backward()
    tensors = {"input": x, "lengths": torch.tensor(lengths, dtype=torch.float32),
               "output": y, "output_lengths": torch.tensor(out_lengths, dtype=torch.float32),
               "grad_output": g, "grad_input": x.grad}
    for attend_name, p in ref.named_for_attend():
        tensors[attend_name] = p
        tensors["grad." + attend_name] = p.grad
    path = os.path.join(OUT, name + ".model")
    write_model(path, config_text(cfg), tensors)
    print(f"{path}: output {list(y.shape)}, {os.path.getsize(path)} bytes")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for i, (name, cfg, T, lengths) in enumerate(CASES):
        make_case(i, name, cfg, T, lengths)


if __name__ == "__main__":
    main()
