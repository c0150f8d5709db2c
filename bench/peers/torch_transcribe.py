#!/usr/bin/env python3
"""PyTorch eager peer of bench/transcribe_bench.cc: the whole transcription of
one file with an attend model file, written the way ESPnet's BatchBeamSearch
with CTCPrefixScoreTH does it, one thread:

  torchaudio.load -> x 32768 -> torchaudio.compliance.kaldi.fbank (the model's
  options) -> CMVN -> encoder (torch.nn.LSTM/GRU(bidirectional) per layer,
  pyramidal reduction, projections; acoustic/encoder.h) -> CTC head +
  log_softmax -> batched joint CTC/attention beam search.

The search follows attend's decoder/beam_search.cc rules exactly (so that the
best hypotheses can be compared token for token): all running hypotheses
advance in one decoder step (ESPnet's batch_score); per hypothesis the best
ceil(pre_beam_ratio * beam) tokens by (1 - ctc_weight) * ln P_att (blank and a
separate <sos> excluded, <eos> only from min length on; only <eos> at max
length) are CTC-prefix scored, vectorized over hypotheses and candidates with
a Python loop over time as CTCPrefixScoreTH does; the best `beam` of all
candidates survive (ended ones leave the beam); the search stops when nothing
is running or no running hypothesis can beat the best ended one. Lengths:
max = max(1, int(max_len_ratio * T')) tokens (T' when 0), then <eos>.

The peer keeps hypotheses as plain tensors and lists, leaner than ESPnet's
Hypothesis/dict bookkeeping: if anything, that flatters the peer.

Usage (bench::RunPeer sets threads/BLAS/allocator per shared/BENCHMARKS.md):
  python3 bench/peers/torch_transcribe.py MODEL WAV --beam 8 --ctc-weight 0.3 \
      --max-len-ratio 0.3 --repeats 3 --threads 1
Prints one JSON object: median_ms, times_ms, split_ms (features, encoder+ctc,
search), tokens, text, score, steps.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attend_model import as_bool, read_model, vocabulary  # noqa: E402

NEG_INF = float("-inf")
BLANK, SOS_EOS = 0, 2  # decoder/vocabulary.h


class Model:
    """The parts of an attend model file as torch modules/tensors."""

    def __init__(self, path):
        cfg, t = read_model(path)
        self.cfg, self.t = cfg, t
        self.tokens = vocabulary(t)
        self.V = len(self.tokens)
        c = lambda k, d=None: cfg.get(k, d)  # noqa: E731
        # Features (frontend/fbank.h option names, Kaldi's).
        self.fbank = dict(
            num_mel_bins=int(c("num-mel-bins", 80)),
            frame_length=float(c("frame-length", 25)), frame_shift=float(c("frame-shift", 10)),
            dither=0.0, preemphasis_coefficient=float(c("preemphasis-coefficient", 0.97)),
            remove_dc_offset=as_bool(c("remove-dc-offset", "true")),
            window_type=c("window-type", "povey"),
            round_to_power_of_two=as_bool(c("round-to-power-of-two", "true")),
            blackman_coeff=float(c("blackman-coeff", 0.42)),
            snip_edges=as_bool(c("snip-edges", "true")), low_freq=float(c("low-freq", 20)),
            high_freq=float(c("high-freq", 0)), vtln_low=float(c("vtln-low", 100)),
            vtln_high=float(c("vtln-high", -500)), vtln_warp=float(c("vtln-warp", 1)),
            use_energy=as_bool(c("use-energy", "false")),
            energy_floor=float(c("energy-floor", 0)), raw_energy=as_bool(c("raw-energy", "true")),
            htk_compat=as_bool(c("htk-compat", "false")),
            use_log_fbank=as_bool(c("use-log-fbank", "true")),
            use_power=as_bool(c("use-power", "true")),
            sample_frequency=float(c("sample-frequency", 16000)))
        self.norm_means = as_bool(c("norm-means", "true"))
        self.norm_vars = as_bool(c("norm-vars", "false"))
        self.cmvn = ((t["cmvn.mean"], t["cmvn.inv_std"]) if "cmvn.mean" in t else None)
        # Encoder (acoustic/encoder.h).
        cell = c("encoder.cell", "lstm")
        layers = int(c("encoder.num_layers", 3))
        H = int(c("encoder.hidden_dim", 320))
        self.reductions = int(round(math.log2(int(c("encoder.reduction", 4)))))
        self.reduction_type = c("encoder.reduction_type", "concat")
        self.input_proj = self._linear("encoder.input_proj")
        self.rnns, self.projs = [], []
        for l in range(layers):
            p = f"encoder.layers.{l}"
            w_ih = t[f"{p}.l2r.weight_ih"]
            Rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
            rnn = Rnn(w_ih.shape[1], H, bidirectional=True)
            with torch.no_grad():
                for d, suffix in (("l2r", ""), ("r2l", "_reverse")):
                    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                        getattr(rnn, f"{name}_l0{suffix}").copy_(t[f"{p}.{d}.{name}"])
            rnn.flatten_parameters()
            self.rnns.append(rnn)
            self.projs.append((self._linear(f"{p}.proj"), l < layers - 1))
        # CTC and decoder (decoder/ctc.h, decoder/attention_decoder.h).
        self.ctc = self._linear("ctc")
        self.embedding = t["decoder.embedding.weight"]
        self.cells = []
        Hd = int(c("decoder-hidden-dim", 512))
        for l in range(int(c("decoder-layers", 1))):
            W, b = t[f"decoder.lstm{l}.weight"], t[f"decoder.lstm{l}.bias"]
            cell_mod = torch.nn.LSTMCell(W.shape[1] - Hd, Hd)
            with torch.no_grad():
                cell_mod.weight_ih.copy_(W[:, :W.shape[1] - Hd])
                cell_mod.weight_hh.copy_(W[:, W.shape[1] - Hd:])
                cell_mod.bias_ih.copy_(b)  # attend keeps b_ih + b_hh as one bias
                cell_mod.bias_hh.zero_()
            self.cells.append(cell_mod)
        self.att_type = c("attention-type", "location")
        self.heads = int(c("attention-heads", 1))
        self.att_scale = as_bool(c("attention-scale", "true"))
        self.temperature = float(c("attention-temperature", 1.0))
        self.query = self._linear("decoder.attention.query")
        self.key = t.get("decoder.attention.key.weight")
        self.score = t.get("decoder.attention.score")
        self.conv = t.get("decoder.attention.location_conv")
        self.loc = t.get("decoder.attention.location.weight")
        self.output = self._linear("decoder.output")

    def _linear(self, name):
        w = self.t.get(name + ".weight")
        if w is None:
            return None
        lin = torch.nn.Linear(w.shape[1], w.shape[0], bias=(name + ".bias") in self.t)
        with torch.no_grad():
            lin.weight.copy_(w)
            if lin.bias is not None:
                lin.bias.copy_(self.t[name + ".bias"])
        return lin

    # ---- features, encoder, CTC ----
    def features(self, wav_path):
        wave, rate = torchaudio.load(wav_path)
        assert rate == int(self.fbank["sample_frequency"]), f"{wav_path}: {rate} Hz"
        feats = torchaudio.compliance.kaldi.fbank(wave.mean(0, keepdim=True) * 32768, **self.fbank)
        if self.cmvn is not None and self.norm_means:
            feats = feats - self.cmvn[0]
            if self.norm_vars:
                feats = feats * self.cmvn[1]
        return feats  # [T, C]

    def encode(self, feats):
        x = feats.unsqueeze(1)  # [T, N=1, C]
        if self.input_proj is not None:
            x = self.input_proj(x)
        for l, rnn in enumerate(self.rnns):
            x, _ = rnn(x)
            if l < self.reductions:
                T, N, C = x.shape
                if T % 2:
                    x = torch.cat([x, x.new_zeros(1, N, C)], 0)
                if self.reduction_type == "concat":
                    x = x.view(-1, 2, N, C).transpose(1, 2).reshape(-1, N, 2 * C)
                else:  # max/mean use an odd last frame alone (time_reduction.h)
                    a, b = x[0::2], x[1::2]
                    last_alone = T % 2 == 1
                    y = torch.maximum(a, b) if self.reduction_type == "max" else 0.5 * (a + b)
                    if last_alone:
                        y[-1] = a[-1]
                    x = y
            proj, tanh = self.projs[l]
            if proj is not None:
                x = proj(x)
                if tanh:
                    x = torch.tanh(x)
        h = x[:, 0]  # [T', D]
        return h, F.log_softmax(self.ctc(h), dim=-1)

    # ---- one decoder step for n running hypotheses ----
    def attend(self, q, keys, values, prev):
        """q [n, Hd] -> context [n, D], weights [n, T] (mean of the heads)."""
        n, nh = q.shape[0], self.heads
        T, D = values.shape
        if self.att_type in ("additive", "location"):
            pre = keys.unsqueeze(0) + self.query(q).unsqueeze(1)  # [n, T, A]
            if self.att_type == "location":
                W = self.conv.shape[1]
                f = F.conv1d(prev.unsqueeze(1), self.conv.unsqueeze(1), padding=W // 2)
                pre = pre + F.linear(f.transpose(1, 2), self.loc)
            A = pre.shape[2]
            e = (torch.tanh(pre).view(n, T, nh, A // nh) * self.score.view(nh, A // nh)).sum(-1)
        else:
            K = keys.shape[1]
            kh = K // nh
            e = (keys.view(1, T, nh, kh) * q.view(n, 1, nh, kh)).sum(-1)
            if self.att_scale:
                e = e / math.sqrt(kh)
        alpha = torch.softmax(e.transpose(1, 2) / self.temperature, dim=2)  # [n, heads, T]
        if nh == 1:
            return alpha[:, 0] @ values, alpha[:, 0]
        vh = values.view(T, nh, D // nh).transpose(0, 1)  # [heads, T, D/heads]
        context = torch.einsum("nht,htd->nhd", alpha, vh).reshape(n, D)
        return context, alpha.mean(1)


def ctc_prefix_scores(x, r_prev, last, ids, out_len, eos):
    """CTCPrefixScoreTH for one utterance: x [T, V] log-posteriors; r_prev
    [T, 2, n] the running prefixes' (r^n, r^b); last [n] their last tokens
    (-1: empty prefix); ids [n, S] candidates. -> psi [n, S], r [T, 2, n, S]."""
    T = x.shape[0]
    n, S = ids.shape
    xs = x[:, ids]  # [T, n, S]
    xb = x[:, BLANK].view(T, 1, 1).expand(T, n, S)
    x_ = torch.stack([xs, xb])  # [2, T, n, S]
    r = torch.full((T, 2, n, S), NEG_INF)
    if out_len == 0:
        r[0, 0] = xs[0]
    r_sum = torch.logsumexp(r_prev, 1)  # [T, n]
    log_phi = r_sum.unsqueeze(2).repeat(1, 1, S)
    same = (ids == last.unsqueeze(1)).unsqueeze(0)  # a repeat needs a blank between
    log_phi = torch.where(same, r_prev[:, 1].unsqueeze(2), log_phi)
    start = max(out_len, 1)
    for t in range(start, T):
        rp = r[t - 1]
        rr = torch.stack([rp[0], log_phi[t - 1], rp[0], rp[1]]).view(2, 2, n, S)
        r[t] = torch.logsumexp(rr, 1) + x_[:, t]
    log_phi_x = torch.cat((log_phi[0].unsqueeze(0), log_phi[:-1]), dim=0) + xs
    log_psi = torch.logsumexp(
        torch.cat((log_phi_x[start:T], r[start - 1, 0].unsqueeze(0)), dim=0), dim=0)
    log_psi = torch.where(ids == eos, r_sum[T - 1].unsqueeze(1), log_psi)
    return log_psi, r


def beam_search(m, h, ctc_lp, a):
    """Joint CTC/attention batched beam search over one utterance."""
    T, D = h.shape
    B, V, eos, sos = a.beam, m.V, SOS_EOS, SOS_EOS
    lam = a.ctc_weight
    use_ctc = lam > 0
    att_w = 1.0 - lam if use_ctc else 1.0
    pre_beam = min(V, int(math.ceil(a.pre_beam_ratio * B)) if use_ctc else B)
    max_len = T if a.max_len_ratio == 0 else max(1, int(a.max_len_ratio * T))
    min_len = min(max_len, int(a.min_len_ratio * T))
    # Encoder-side attention projection once per utterance (ESPnet's pre_compute_enc_h).
    keys = h @ m.key.t() if m.key is not None else h
    Hd = m.cells[0].hidden_size
    # Running hypotheses: one row each.
    hs = [torch.zeros(1, Hd) for _ in m.cells]
    cs = [torch.zeros(1, Hd) for _ in m.cells]
    ctx = torch.zeros(1, D)
    att = torch.full((1, T), 1.0 / T)
    tokens = torch.tensor([sos])
    scores = torch.zeros(1)
    yseqs = [[]]
    if use_ctc:
        r_prev = torch.full((T, 2, 1), NEG_INF)
        r_prev[:, 1, 0] = torch.cumsum(ctc_lp[:, BLANK], 0)
        psi_prev = torch.zeros(1)
        last = torch.tensor([-1])
    ended = []  # (final score, tokens)
    length, steps = 0, 0
    while True:
        steps += 1
        n = tokens.shape[0]
        # Decoder step for all running hypotheses at once.
        x = torch.cat([m.embedding[tokens], ctx], 1)
        for l, cell in enumerate(m.cells):
            hs[l], cs[l] = cell(x, (hs[l], cs[l]))
            x = hs[l]
        ctx, att = m.attend(x, keys, h, att)
        lp = F.log_softmax(m.output(torch.cat([x, ctx], 1)), dim=1)  # [n, V]
        # Pre-beam.
        if length >= max_len:
            ids = torch.full((n, 1), eos, dtype=torch.long)
        else:
            pre = att_w * lp
            pre[:, BLANK] = NEG_INF
            if length < min_len:
                pre[:, eos] = NEG_INF
            ids = torch.topk(pre, pre_beam, dim=1).indices  # [n, S]
        cand = scores.unsqueeze(1) + att_w * lp.gather(1, ids) + a.length_penalty
        if use_ctc:
            psi, r = ctc_prefix_scores(ctc_lp, r_prev, last, ids, length, eos)
            cand = cand + lam * (psi - psi_prev.unsqueeze(1))
        S = ids.shape[1]
        flat = cand.view(-1)
        k = min(B, int(torch.isfinite(flat).sum()))
        best = torch.topk(flat, k).indices
        rows, cols = best // S, best % S
        new_tokens = ids[rows, cols]
        is_eos = new_tokens == eos
        for i in torch.nonzero(is_eos).view(-1).tolist():
            ended.append((float(flat[best[i]]), yseqs[int(rows[i])]))
        keep = torch.nonzero(~is_eos).view(-1)
        if keep.numel() == 0:
            break
        src, col = rows[keep], cols[keep]
        hs = [t[src] for t in hs]
        cs = [t[src] for t in cs]
        ctx, att = ctx[src], att[src]
        tokens = new_tokens[keep]
        scores = flat[best[keep]]
        yseqs = [yseqs[i] + [tok] for i, tok in zip(src.tolist(), tokens.tolist())]
        if use_ctc:
            r_prev = r[:, :, src, col]
            psi_prev = psi[src, col]
            last = tokens
        length += 1
        if ended and float(scores.max()) < max(e[0] for e in ended):
            break
    ended.sort(key=lambda e: -e[0])  # stable: earlier ended wins ties, as attend
    return ended[0], steps


def openblas_loaded():
    """True when OpenBLAS is mapped into this process (shared/BENCHMARKS.md)."""
    with open("/proc/self/maps") as f:
        return "openblas" in f.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("wav")
    ap.add_argument("--beam", type=int, default=8)
    ap.add_argument("--ctc-weight", type=float, default=0.3)
    ap.add_argument("--max-len-ratio", type=float, default=0.0)
    ap.add_argument("--min-len-ratio", type=float, default=0.0)
    ap.add_argument("--pre-beam-ratio", type=float, default=1.5)
    ap.add_argument("--length-penalty", type=float, default=0.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    m = Model(a.model)

    def transcribe():
        t0 = time.perf_counter()
        feats = m.features(a.wav)
        t1 = time.perf_counter()
        h, ctc_lp = m.encode(feats)
        t2 = time.perf_counter()
        (score, toks), steps = beam_search(m, h, ctc_lp, a)
        t3 = time.perf_counter()
        split = {"features": t1 - t0, "encoder_ctc": t2 - t1, "search": t3 - t2}
        return score, toks, steps, {k: v * 1000.0 for k, v in split.items()}, h.shape[0]

    with torch.no_grad():
        for _ in range(a.warmup):
            transcribe()
        runs = []
        for _ in range(a.repeats):
            start = time.perf_counter()
            out = transcribe()
            runs.append(((time.perf_counter() - start) * 1000.0, out))
    runs.sort(key=lambda r: r[0])
    ms, (score, toks, steps, split, frames) = runs[len(runs) // 2]
    text = "".join(" " if m.tokens[i] == "<space>" else m.tokens[i] for i in toks if i >= 3)
    print(json.dumps({"median_ms": ms, "times_ms": [r[0] for r in runs], "split_ms": split,
                      "tokens": toks, "text": text, "score": score, "steps": steps,
                      "encoder_frames": frames, "torch": torch.__version__,
                      "openblas": openblas_loaded()}))


if __name__ == "__main__":
    main()
