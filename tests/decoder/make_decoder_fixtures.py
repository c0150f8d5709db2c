#!/usr/bin/python3
"""PyTorch reference fixtures for the whole attention decoder (parity test).

Run from anywhere (deterministic; rerunning rewrites identical files):
    /usr/bin/python3 tests/decoder/make_decoder_fixtures.py
Needs python3-torch (Debian, 1.13). Writes tests/decoder/fixtures/decoder_<case>.model
in attend's model file format (nn/model_file.h), each holding:
  config                    AttentionDecoderConfig and JointLossOptions flags
                            (`decoder-hidden-dim = 7`, `attention-type = location`,
                            `label-smoothing = 0.1`, `loss-normalize = token`, ...)
                            plus fixture-encoder-dim, fixture-vocab, fixture-sos-eos
  encoder_out [T, N, D]     random encoder states; padded frames hold random junk
                            (the decoder must ignore them)
  lengths [N]               valid frames per utterance (floats)
  targets [N, Umax]         reference tokens without <sos/eos>, -1 padded
  dec.*                     every decoder parameter under attend's name, except the
                            LSTM cells, stored as PyTorch has them:
  torch.lstm<l>.{weight_ih, weight_hh, bias_ih, bias_hh}   (load with LstmCell::FromTorch)
  log_probs [S, N, V]       teacher-forced log-softmax outputs, S = max|y| + 1 (steps
                            past an utterance's end are fed <sos/eos>, as attend does)
  attention [S, N, T]       the attention weights (mean of the heads)
  loss [1]                  Σ_n Σ_s CE_ε(step s of n) / denom, denom = N (utterance)
                            or Σ_n (|y_n| + 1) (token); CE_ε is
                            torch.nn.functional.cross_entropy(label_smoothing=ε)
  grad.encoder_out          dloss/dencoder_out (zero at padded frames)
  grad.<attend name>        dloss/dparameter for every attend parameter; the LSTM's
                            in attend's layout: weight [4H, In+H] = [dW_ih, dW_hh],
                            bias [4H] = db_ih (= db_hh; attend keeps their sum)

The reference implements the decoder documented in decoder/attention_decoder.h and
the attention of decoder/attention.h independently, from torch.nn.LSTMCell,
torch.nn.functional.conv1d / linear / softmax / cross_entropy. It runs in float64 on
float32-rounded weights and inputs, so the fixtures are exact to float32 rounding.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from fixture_io import write_model  # noqa: E402

OUT = os.path.join(HERE, "fixtures")

E, A, D, V, SOS = 5, 6, 8, 9, 1
T = 11
LENGTHS = [11, 7, 4]
TARGETS = [[3, 4, 5, 2], [6], [7, 8, 7]]

# name, decoder/attention options, loss options. H = 7 unless dot (query dim = D).
CASES = [
    ("additive", dict(type="additive"), dict(smoothing=0.1, normalize="utterance")),
    ("location", dict(type="location", filters=3, kernel=5, temperature=0.7),
     dict(smoothing=0.1, normalize="token")),
    ("dot", dict(type="dot", hidden=D, scale=True), dict(smoothing=0.0, normalize="utterance")),
    ("general", dict(type="general", scale=False, temperature=1.5),
     dict(smoothing=0.2, normalize="token")),
    ("location_2heads", dict(type="location", heads=2, filters=2, kernel=3),
     dict(smoothing=0.1, normalize="utterance")),
    ("dot_2heads", dict(type="dot", hidden=D, heads=2, scale=True),
     dict(smoothing=0.1, normalize="token")),
    ("general_2layers", dict(type="general", layers=2, scale=True),
     dict(smoothing=0.1, normalize="utterance")),
    ("location_2layers", dict(type="location", layers=2, filters=3, kernel=3),
     dict(smoothing=0.1, normalize="utterance")),
]


class Reference:
    """The decoder's parameters as float64 leaf tensors named as attend names them."""

    def __init__(self, o):
        self.type = o["type"]
        self.H = o.get("hidden", 7)
        self.layers = o.get("layers", 1)
        self.heads = o.get("heads", 1)
        self.scale = o.get("scale", True)
        self.temperature = o.get("temperature", 1.0)
        self.F = o.get("filters", 1)
        self.W = o.get("kernel", 1)
        H = self.H
        self.additive = self.type in ("additive", "location")
        self.K = A if self.additive else H  # score dim split by the heads
        assert D % self.heads == 0 and self.K % self.heads == 0
        p = {}

        def param(name, *shape):  # U(-0.5, 0.5) rounded to float32
            p[name] = (torch.rand(*shape) - 0.5).double()

        p["dec.embedding.weight"] = torch.randn(V, E).double()
        for l in range(self.layers):
            inp = E + D if l == 0 else H
            for suffix, shape in (("weight_ih", (4 * H, inp)), ("weight_hh", (4 * H, H)),
                                  ("bias_ih", (4 * H,)), ("bias_hh", (4 * H,))):
                param(f"torch.lstm{l}.{suffix}", *shape)
        if self.additive:
            param("dec.attention.query.weight", A, H)
            param("dec.attention.query.bias", A)
            param("dec.attention.key.weight", A, D)
            param("dec.attention.score", A)
        if self.type == "location":
            param("dec.attention.location_conv", self.F, self.W)
            param("dec.attention.location.weight", A, self.F)
        if self.type == "general":
            param("dec.attention.key.weight", H, D)
        param("dec.output.weight", V, H + D)
        param("dec.output.bias", V)
        for t in p.values():
            t.requires_grad_(True)
        self.p = p

    def attend(self, s, keys, values, mask, prev):
        """s [N, H] query, keys [N, T, K], values [N, T, D], mask [N, T] bool, prev [N, T]
        -> context [N, D], mean weights [N, T]."""
        p, nh = self.p, self.heads
        N = s.shape[0]
        if self.additive:
            q = F.linear(s, p["dec.attention.query.weight"], p["dec.attention.query.bias"])
            pre = keys + q.unsqueeze(1)  # [N, T, A]
            if self.type == "location":
                pad = self.W // 2
                f = F.conv1d(prev.unsqueeze(1), p["dec.attention.location_conv"].unsqueeze(1),
                             padding=pad)  # [N, F, T]
                pre = pre + F.linear(f.transpose(1, 2), p["dec.attention.location.weight"])
            u = torch.tanh(pre).view(N, T, nh, A // nh)
            w = p["dec.attention.score"].view(nh, A // nh)
            e = (u * w).sum(-1)  # [N, T, heads]
        else:
            kh = self.K // nh
            q = s.view(N, 1, nh, kh)
            e = (keys.view(N, T, nh, kh) * q).sum(-1)  # [N, T, heads]
            if self.scale:
                e = e / math.sqrt(kh)
        e = e.transpose(1, 2) / self.temperature  # [N, heads, T]
        e = e.masked_fill(~mask.unsqueeze(1), float("-inf"))
        alpha = torch.softmax(e, dim=2)  # [N, heads, T]
        vh = values.view(N, T, nh, D // nh).transpose(1, 2)  # [N, heads, T, D/heads]
        context = (alpha.unsqueeze(3) * vh).sum(2).reshape(N, D)
        return context, alpha.mean(1)

    def forward(self, enc, lengths, targets):
        """Teacher-forced run: enc [T, N, D] -> log_probs [S, N, V], attention [S, N, T]."""
        p, H = self.p, self.H
        N = enc.shape[1]
        values = enc.transpose(0, 1)  # [N, T, D]
        if self.type == "dot":
            keys = values
        elif self.type == "general" or self.additive:
            keys = F.linear(values, p["dec.attention.key.weight"])
        mask = torch.arange(T).view(1, T) < torch.tensor(lengths).view(N, 1)
        S = max(len(y) for y in targets) + 1
        h = [torch.zeros(N, H, dtype=torch.float64) for _ in range(self.layers)]
        c = [torch.zeros(N, H, dtype=torch.float64) for _ in range(self.layers)]
        context = torch.zeros(N, D, dtype=torch.float64)
        prev = mask.double() / torch.tensor(lengths, dtype=torch.float64).view(N, 1)
        log_probs, attention = [], []
        for s in range(S):
            tokens = [SOS if s == 0 or s > len(y) else y[s - 1] for y in targets]
            x = torch.cat([p["dec.embedding.weight"][torch.tensor(tokens)], context], 1)
            for l in range(self.layers):
                h[l], c[l] = torch.lstm_cell(
                    x, (h[l], c[l]), p[f"torch.lstm{l}.weight_ih"], p[f"torch.lstm{l}.weight_hh"],
                    p[f"torch.lstm{l}.bias_ih"], p[f"torch.lstm{l}.bias_hh"])
                x = h[l]
            context, prev = self.attend(x, keys, values, mask, prev)
            logits = F.linear(torch.cat([x, context], 1), p["dec.output.weight"],
                              p["dec.output.bias"])
            log_probs.append(F.log_softmax(logits, 1))
            attention.append(prev)
        return torch.stack(log_probs), torch.stack(attention)


def loss_of(log_probs, targets, smoothing, normalize):
    """Label-smoothed CE summed over each utterance's outputs (y + <sos/eos>), normalized."""
    S, N, _ = log_probs.shape
    labels = torch.full((S, N), -100, dtype=torch.long)
    for n, y in enumerate(targets):
        for s, tok in enumerate(y + [SOS]):
            labels[s, n] = tok
    # log_probs are already normalized, so they serve as logits of cross_entropy.
    total = F.cross_entropy(log_probs.reshape(S * N, V), labels.view(-1), ignore_index=-100,
                            label_smoothing=smoothing, reduction="sum")
    # The same by the formula attend documents, as a check of the reading above.
    valid = labels >= 0
    lp_y = log_probs.gather(2, labels.clamp(min=0).unsqueeze(2)).squeeze(2)
    manual = (-(1 - smoothing) * lp_y - smoothing / V * log_probs.sum(2))[valid].sum()
    assert abs(total.item() - manual.item()) < 1e-10
    denom = N if normalize == "utterance" else sum(len(y) + 1 for y in targets)
    return total / denom


def config_text(ref, o, loss_opts):
    lines = {
        "decoder-embedding-dim": E, "decoder-hidden-dim": ref.H, "decoder-layers": ref.layers,
        "scheduled-sampling": 0, "attention-type": ref.type, "attention-dim": A,
        "attention-heads": ref.heads, "attention-scale": int(ref.scale),
        "attention-temperature": ref.temperature, "attention-location-filters": ref.F,
        "attention-location-kernel": ref.W, "label-smoothing": loss_opts["smoothing"],
        "loss-normalize": loss_opts["normalize"], "ctc-weight": 0, "fixture-encoder-dim": D,
        "fixture-vocab": V, "fixture-sos-eos": SOS,
    }
    return "".join(f"{k} = {v}\n" for k, v in lines.items())


def make_case(index, name, o, loss_opts):
    torch.manual_seed(5000 + index)
    ref = Reference(o)
    N = len(LENGTHS)
    enc = torch.randn(T, N, D).double().requires_grad_(True)
    log_probs, attention = ref.forward(enc, LENGTHS, TARGETS)
    loss = loss_of(log_probs, TARGETS, loss_opts["smoothing"], loss_opts["normalize"])
    loss.backward()
    umax = max(len(y) for y in TARGETS)
    targets = torch.tensor([y + [-1] * (umax - len(y)) for y in TARGETS], dtype=torch.float32)
    tensors = {"encoder_out": enc, "lengths": torch.tensor(LENGTHS, dtype=torch.float32),
               "targets": targets, "log_probs": log_probs, "attention": attention,
               "loss": loss.view(1), "grad.encoder_out": enc.grad}
    for pname, t in ref.p.items():
        tensors[pname] = t
        if not pname.startswith("torch."):
            tensors["grad." + pname] = t.grad
    for l in range(ref.layers):
        g = lambda s: ref.p[f"torch.lstm{l}.{s}"].grad  # noqa: E731
        assert torch.equal(g("bias_ih"), g("bias_hh"))
        tensors[f"grad.dec.lstm{l}.weight"] = torch.cat([g("weight_ih"), g("weight_hh")], 1)
        tensors[f"grad.dec.lstm{l}.bias"] = g("bias_ih")
    path = os.path.join(OUT, f"decoder_{name}.model")
    write_model(path, config_text(ref, o, loss_opts), tensors)
    print(f"{path}: loss {loss.item():.6f}, {os.path.getsize(path)} bytes")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for i, (name, o, loss_opts) in enumerate(CASES):
        make_case(i, name, o, loss_opts)


if __name__ == "__main__":
    main()
