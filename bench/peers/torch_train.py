#!/usr/bin/env python3
"""PyTorch eager peer of bench/train_bench.cc: training steps of the same
whole model on the same batch, written the way ESPnet trains its RNN
attention models, one thread:

  encoder   torch.nn.LSTM(bidirectional=True) per layer, pyramidal time
            reduction by concatenating frame pairs, Linear projections (tanh
            except after the last layer), dropout between layers. --encoder:
              padded  the LSTM runs over the padded batch (the default: the
                      fastest, though inexact for the right-to-left direction
                      of shorter utterances, which starts on padding)
              packed  on packed sequences, as ESPnet's RNNP does (exact; its
                      CPU backward is several times slower: seen here 7-10x
                      for one 3x256 layer at batch 16 x 300-480 frames)
  CTC       Linear + log_softmax, F.ctc_loss (sum over the batch / N)
  decoder   an eager loop over output steps: Embedding, LSTMCell, location-
            aware attention (conv1d over the previous weights, masked
            softmax), output Linear over [state; context]; teacher forcing;
            F.cross_entropy with label_smoothing (sum / N)
  loss      λ·CTC + (1 − λ)·CE; backward; clip_grad_norm_; torch.optim.Adam

Weights and the batch come from the attend model file that train_bench writes
(the model's tensors plus "batch.features" [T, N, C], "batch.lengths" [N],
"batch.targets" [N, U] padded with -1), so both sides train the same network
from the same start. Names and layouts: acoustic/encoder.h,
decoder/attention_decoder.h, decoder/attention.h.

dtype bf16, --bf16-mode:
  autocast  torch.autocast("cpu", torch.bfloat16) around the forward, f32
            weights (what attend does: bf16 arithmetic, f32 master weights)
  modules   the whole model and batch cast to bfloat16 (pure bf16 training,
            no master weights: less work than attend does)

Usage (bench::RunPeer sets threads/BLAS/allocator per shared/BENCHMARKS.md):
  python3 bench/peers/torch_train.py MODEL --dtype f32 --steps 3 --warmup 1
Prints one JSON object: median_ms, times_ms, losses (every step, warm-up
included), split_ms (median step's encoder forward, heads forward, backward,
clip + optimizer), frames, tokens.
"""
import argparse
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attend_model import read_model  # noqa: E402

BLANK, SOS_EOS = 0, 2  # decoder/vocabulary.h


def linear(t, name, bias=True):
    w = t[name + ".weight"]
    lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=bias)
    with torch.no_grad():
        lin.weight.copy_(w)
        if bias:
            lin.bias.copy_(t[name + ".bias"])
    return lin


class Encoder(torch.nn.Module):
    def __init__(self, cfg, t):
        super().__init__()
        assert cfg.get("encoder.cell", "lstm") == "lstm"
        assert cfg.get("encoder.reduction_type", "concat") == "concat"
        assert int(cfg.get("encoder.input_proj_dim", 0)) == 0
        layers = int(cfg["encoder.num_layers"])
        H = int(cfg["encoder.hidden_dim"])
        self.reductions = int(round(math.log2(int(cfg.get("encoder.reduction", 4)))))
        self.dropout = float(cfg.get("encoder.dropout", 0))
        self.rnns = torch.nn.ModuleList()
        self.projs = torch.nn.ModuleList()
        for l in range(layers):
            p = f"encoder.layers.{l}"
            rnn = torch.nn.LSTM(t[f"{p}.l2r.weight_ih"].shape[1], H, bidirectional=True)
            with torch.no_grad():
                for d, suffix in (("l2r", ""), ("r2l", "_reverse")):
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                        getattr(rnn, f"{name}_l0{suffix}").copy_(t[f"{p}.{d}.{name}"])
            self.rnns.append(rnn)
            self.projs.append(linear(t, f"{p}.proj"))

    def forward(self, x, lengths, packed):
        """x [T, N, C] (lengths descending) -> H [T', N, D], lengths'."""
        last = len(self.rnns) - 1
        for l, rnn in enumerate(self.rnns):
            if packed:
                y, _ = rnn(pack_padded_sequence(x, lengths))
                x, _ = pad_packed_sequence(y)  # zero past each length
            else:
                x, _ = rnn(x)
            if l < self.reductions:
                T, N, C = x.shape
                if T % 2:
                    x = torch.cat([x, x.new_zeros(1, N, C)], 0)
                x = x.view(-1, 2, N, C).transpose(1, 2).reshape(-1, N, 2 * C)
                lengths = [(n + 1) // 2 for n in lengths]
            x = self.projs[l](x)
            if l < last:
                x = torch.tanh(x)
                x = F.dropout(x, self.dropout, self.training)
        return x, lengths


class Decoder(torch.nn.Module):
    """Location-aware attention decoder, one LSTM layer (decoder/attention_decoder.h)."""

    def __init__(self, cfg, t):
        super().__init__()
        assert int(cfg.get("decoder-layers", 1)) == 1
        assert cfg.get("attention-type", "location") == "location"
        assert int(cfg.get("attention-heads", 1)) == 1
        self.embedding = torch.nn.Embedding.from_pretrained(
            t["decoder.embedding.weight"].clone(), freeze=False)
        W, b = t["decoder.lstm0.weight"], t["decoder.lstm0.bias"]
        Hd = W.shape[0] // 4
        self.cell = torch.nn.LSTMCell(W.shape[1] - Hd, Hd)
        with torch.no_grad():
            self.cell.weight_ih.copy_(W[:, :W.shape[1] - Hd])
            self.cell.weight_hh.copy_(W[:, W.shape[1] - Hd:])
            self.cell.bias_ih.copy_(b)  # attend keeps b_ih + b_hh as one bias
            self.cell.bias_hh.zero_()
        self.query = linear(t, "decoder.attention.query")
        self.key = linear(t, "decoder.attention.key", bias=False)
        self.score = torch.nn.Parameter(t["decoder.attention.score"].clone())
        self.conv = torch.nn.Parameter(t["decoder.attention.location_conv"].clone())  # [F, K]
        self.loc = linear(t, "decoder.attention.location", bias=False)
        self.output = linear(t, "decoder.output")

    def forward(self, h, lengths, ys_in):
        """h [T', N, D], ys_in [N, S] -> logits [S, N, V] (teacher forcing)."""
        values = h.transpose(0, 1)  # [N, T', D]
        N, T, D = values.shape
        keys = self.key(values)  # [N, T', A], once per batch
        lens = torch.tensor(lengths)
        mask = torch.arange(T).unsqueeze(0) < lens.unsqueeze(1)  # [N, T']
        alpha = mask.to(values.dtype) / lens.unsqueeze(1).to(values.dtype)
        ctx = values.new_zeros(N, D)
        Hd = self.cell.hidden_size
        state = (values.new_zeros(N, Hd), values.new_zeros(N, Hd))
        K = self.conv.shape[1]
        emb = self.embedding(ys_in)  # [N, S, E]
        logits = []
        for s in range(ys_in.shape[1]):
            state = self.cell(torch.cat([emb[:, s], ctx], 1), state)
            q = state[0]
            f = F.conv1d(alpha.unsqueeze(1), self.conv.unsqueeze(1), padding=K // 2)  # [N, F, T']
            pre = keys + self.query(q).unsqueeze(1) + self.loc(f.transpose(1, 2))
            e = torch.tanh(pre) @ self.score  # [N, T']
            alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
            ctx = torch.bmm(alpha.unsqueeze(1), values).squeeze(1)
            logits.append(self.output(torch.cat([q, ctx], 1)))
        return torch.stack(logits)


class Model(torch.nn.Module):
    def __init__(self, cfg, t):
        super().__init__()
        self.encoder = Encoder(cfg, t)
        self.ctc = linear(t, "ctc")
        self.decoder = Decoder(cfg, t)
        self.ctc_weight = float(cfg.get("ctc-weight", 0.3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--dtype", choices=("f32", "bf16"), default="f32")
    ap.add_argument("--bf16-mode", choices=("autocast", "modules"), default="autocast")
    ap.add_argument("--encoder", choices=("padded", "packed"), default="padded")
    ap.add_argument("--max-memory-gb", type=float, default=8.0,
                    help="address-space limit of this process (the machine is shared)")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--clip-norm", type=float, default=5.0)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    a = ap.parse_args()
    limit = int(a.max_memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    cfg, t = read_model(a.model)
    model = Model(cfg, t)
    model.train()
    feats = t["batch.features"]  # [T, N, C]
    lengths = [int(n) for n in t["batch.lengths"].tolist()]
    targets = t["batch.targets"].long()  # [N, U] padded with -1
    tlens = (targets >= 0).sum(1)
    N = len(lengths)
    bf16_modules = a.dtype == "bf16" and a.bf16_mode == "modules"
    if bf16_modules:
        model = model.to(torch.bfloat16)
        feats = feats.to(torch.bfloat16)
    # Decoder inputs <sos> y (padded with <eos>); outputs y <eos> (padded with -1).
    U = targets.shape[1]
    ys_in = torch.full((N, U + 1), SOS_EOS, dtype=torch.long)
    ys_out = torch.full((N, U + 1), -1, dtype=torch.long)
    for n in range(N):
        u = int(tlens[n])
        ys_in[n, 1:u + 1] = targets[n, :u]
        ys_out[n, :u] = targets[n, :u]
        ys_out[n, u] = SOS_EOS
    ctc_targets = torch.cat([targets[n, :int(tlens[n])] for n in range(N)])
    params = [p for p in model.parameters()]
    opt = torch.optim.Adam(params, lr=a.lr)
    lam = model.ctc_weight
    autocast = a.dtype == "bf16" and a.bf16_mode == "autocast"

    def step():
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            h, hlens = model.encoder(feats, lengths, a.encoder == "packed")
            t1 = time.perf_counter()
            ctc_lp = F.log_softmax(model.ctc(h).float(), dim=-1)
            logits = model.decoder(h, hlens, ys_in)
        ctc = F.ctc_loss(ctc_lp, ctc_targets, torch.tensor(hlens), tlens, blank=BLANK,
                         reduction="sum", zero_infinity=True) / N
        V = logits.shape[-1]
        att = F.cross_entropy(logits.float().reshape(-1, V), ys_out.t().reshape(-1),
                              ignore_index=-1, label_smoothing=a.label_smoothing,
                              reduction="sum") / N
        loss = lam * ctc + (1 - lam) * att
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(params, a.clip_norm)
        opt.step()
        t4 = time.perf_counter()
        split = {"encoder_forward": t1 - t0, "heads_forward": t2 - t1, "backward": t3 - t2,
                 "clip_optimizer": t4 - t3}
        return float(loss), (t4 - t0) * 1000.0, {k: v * 1000.0 for k, v in split.items()}

    losses, runs = [], []
    for i in range(a.warmup + a.steps):
        loss, ms, split = step()
        losses.append(loss)
        if i >= a.warmup:
            runs.append((ms, split))
    runs.sort(key=lambda r: r[0])
    ms, split = runs[len(runs) // 2]
    print(json.dumps({"median_ms": ms, "times_ms": [r[0] for r in runs], "losses": losses,
                      "split_ms": split, "frames": sum(lengths), "tokens": int(tlens.sum()),
                      "encoder": a.encoder, "dtype": a.dtype, "bf16_mode": a.bf16_mode if a.dtype == "bf16" else "",
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
