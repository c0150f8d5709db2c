#!/usr/bin/env python3
"""Plots where the decoder attended for one utterance: the attention matrix of
the best alternative (one row per output token and <eos>, one column per
encoder frame) over the utterance's filterbank, with the words and their times.

    PYTHONPATH=build/python python3 examples/plot_attention.py \
        samples/flite_rms-c000253.wav --model models/default.attend -o attention.png
"""

import argparse
import os
import sys
import wave

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt
import numpy as np

import attend

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_wav(path):
    """Mono samples in [-1, 1] and the rate of a 16-bit WAV file (channels mixed down)."""
    with wave.open(path) as w:
        if w.getsampwidth() != 2:
            sys.exit(f"plot_attention: {path}: expected 16-bit PCM WAV")
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        pcm = pcm.reshape(-1, w.getnchannels()).mean(axis=1)
        return (pcm / 32768.0).astype(np.float32), w.getframerate()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wav", help="16-bit PCM WAV file")
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "default.attend"))
    parser.add_argument("-o", "--output", default="attention.png", help="PNG to write")
    args = parser.parse_args()

    samples, rate = read_wav(args.wav)
    recognizer = attend.Recognizer(attend.Model(args.model))
    transcript = recognizer.transcribe(samples, sample_rate=rate)
    segments = [s for s in transcript.segments if s.nbest]
    if not segments:
        sys.exit(f"plot_attention: nothing recognized in {args.wav}")
    segment = segments[0]  # the first utterance
    best = segment.nbest[0]
    attention = best.attention  # [tokens + 1, frames]
    frames = attention.shape[1]
    end = segment.start + frames * transcript.seconds_per_frame
    features = attend.fbank(samples, rate)  # [10 ms frames, 80 mel bins]
    first, last = int(segment.start * 100), int(end * 100)

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 3]})
    top.imshow(features[first:last].T, origin="lower", aspect="auto", cmap="magma",
               extent=(segment.start, end, 0, features.shape[1]))
    top.set_ylabel("mel bin")
    top.set_title(f"{os.path.basename(args.wav)}: \"{best.text}\"")
    labels = [t.text.replace("<space>", "␣") for t in best.tokens] + ["<eos>"]
    bottom.imshow(attention, aspect="auto", cmap="viridis", interpolation="nearest",
                  extent=(segment.start, end, len(labels) - 0.5, -0.5))
    bottom.set_yticks(range(len(labels)))
    bottom.set_yticklabels(labels, fontsize=7)
    bottom.set_ylabel("output token")
    bottom.set_xlabel("seconds")
    for word in best.words:
        bottom.axvspan(word.start, word.end, color="white", alpha=0.08)
        top.text((word.start + word.end) / 2, features.shape[1] * 0.85, word.text,
                 ha="center", color="white", fontsize=9)
    fig.tight_layout()
    fig.savefig(args.output, dpi=120)
    print(f"{args.output}: {len(labels)} tokens x {frames} encoder frames, \"{best.text}\"")


if __name__ == "__main__":
    main()
