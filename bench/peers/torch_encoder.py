#!/usr/bin/env python3
"""PyTorch eager peer of bench/encoder_bench.cc: the same encoder as
attend::acoustic::Encoder with its default shape (3 bidirectional LSTM layers of
320 units per direction, 80-dim input, pyramidal 4x reduction by concatenating
adjacent frames after layers 1 and 2), as torch.nn.LSTM(bidirectional=True)
layers on full-length batches (no packing: the peer's fastest path).

Usage (bench::RunPeer sets threads/BLAS/allocator per shared/BENCHMARKS.md):
  python3 bench/peers/torch_encoder.py --train-batch 16 --train-frames 500 \
      --infer-batch 1 --infer-frames 1000 --repeats 3 --threads 1
Prints `<key> <median ms>` lines, keys {infer,train}_{f32,bf16}. bf16 casts the
model and input to torch.bfloat16 (torch 1.13 routes bf16 GEMMs to oneDNN).
"""
import argparse
import time

import torch


class Encoder(torch.nn.Module):
    def __init__(self, input_dim, hidden, layers, reductions):
        super().__init__()
        self.reductions = reductions
        self.rnns = torch.nn.ModuleList()
        dim = input_dim
        for l in range(layers):
            self.rnns.append(torch.nn.LSTM(dim, hidden, bidirectional=True))
            dim = 2 * hidden * (2 if l < reductions else 1)

    def forward(self, x):  # [T, N, C]
        for l, rnn in enumerate(self.rnns):
            x, _ = rnn(x)
            if l < self.reductions:
                T, N, C = x.shape
                if T % 2:
                    x = torch.cat([x, x.new_zeros(1, N, C)], 0)
                x = x.view(-1, 2, N, C).transpose(1, 2).reshape(-1, N, 2 * C)
        return x


def median_ms(fn, repeats, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("train-batch", 16), ("train-frames", 500), ("infer-batch", 1),
                          ("infer-frames", 1000), ("input-dim", 80), ("hidden", 320),
                          ("layers", 3), ("reductions", 2), ("repeats", 3), ("threads", 1)]:
        ap.add_argument("--" + name, type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for dtype, key in [(torch.float32, "f32"), (torch.bfloat16, "bf16")]:
        model = Encoder(a.input_dim, a.hidden, a.layers, a.reductions).to(dtype)
        x = torch.randn(a.infer_frames, a.infer_batch, a.input_dim).to(dtype)

        def infer():
            with torch.no_grad():
                model(x)

        print(f"infer_{key} {median_ms(infer, a.repeats):.3f}", flush=True)
        xt = torch.randn(a.train_frames, a.train_batch, a.input_dim).to(dtype).requires_grad_(True)

        def train():
            model.zero_grad(set_to_none=False)
            y = model(xt)
            y.backward(torch.ones_like(y))

        print(f"train_{key} {median_ms(train, a.repeats):.3f}", flush=True)


if __name__ == "__main__":
    main()
