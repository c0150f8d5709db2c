#!/usr/bin/env python3
"""PyTorch eager peer of bench/decoder_step_bench.cc: one attention-decoder step
for a beam, the same computation as attend::decoder::AttentionDecoder::Step +
Reorder (input feeding, LSTMCell, additive attention with the encoder
projection computed once, output layer, log-softmax, beam reorder).

Usage (bench::RunPeer sets threads/BLAS/allocator per shared/BENCHMARKS.md):
  python3 bench/peers/torch_decoder_step.py --beam 8 --frames 250 --enc-dim 640 \
      --emb 256 --hidden 512 --att 512 --vocab 256 --steps 50 --repeats 7
Prints one line: the median milliseconds per step.
"""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("beam", 8), ("frames", 250), ("enc-dim", 640), ("emb", 256),
                          ("hidden", 512), ("att", 512), ("vocab", 256), ("steps", 50),
                          ("repeats", 7), ("threads", 1)]:
        ap.add_argument("--" + name, type=int, default=default)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    B, T, D, E, H, A, V = a.beam, a.frames, a.enc_dim, a.emb, a.hidden, a.att, a.vocab
    emb = torch.nn.Embedding(V, E)
    cell = torch.nn.LSTMCell(E + D, H)
    q_proj = torch.nn.Linear(H, A)
    k_proj = torch.nn.Linear(D, A, bias=False)
    w = torch.nn.Linear(A, 1, bias=False)
    out = torch.nn.Linear(H + D, V)
    with torch.no_grad():
        enc = torch.randn(1, T, D)
        keys = k_proj(enc)  # once per utterance (mapped context)
        h = torch.zeros(B, H)
        c = torch.zeros(B, H)
        ctx = torch.zeros(B, D)
        tokens = torch.randint(0, V, (B,))
        origins = torch.randperm(B)

        def step(h, c, ctx):
            x = torch.cat([emb(tokens), ctx], dim=1)
            h, c = cell(x, (h, c))
            e = w(torch.tanh(keys + q_proj(h).unsqueeze(1))).squeeze(2)  # [B, T]
            alpha = torch.softmax(e, dim=1)
            ctx = torch.bmm(alpha.unsqueeze(1), enc.expand(B, T, D)).squeeze(1)
            logp = torch.log_softmax(out(torch.cat([h, ctx], dim=1)), dim=1)
            # Beam reorder of the recurrent state.
            return h[origins], c[origins], ctx[origins], logp

        for _ in range(5):
            h, c, ctx, _ = step(h, c, ctx)
        times = []
        for _ in range(a.repeats):
            start = time.perf_counter()
            for _ in range(a.steps):
                h, c, ctx, _ = step(h, c, ctx)
            times.append((time.perf_counter() - start) * 1000.0 / a.steps)
    times.sort()
    print(f"{times[len(times) // 2]:.6f}")


if __name__ == "__main__":
    main()
