#!/usr/bin/env python3
"""A noisy copy of a data directory: each utterance mixed with a stretch of a
noise recording at a fixed signal-to-noise ratio.

    add_noise.py --src DIR --out DIR --noise WAV --snr-db 10 [--seed K]

The SNR is of the whole utterance (its mean power, pauses included) against
the noise stretch's. Each utterance takes the noise at its own offset, drawn
from a seeded hash of its uttid (the same on every run). Writes OUT/wav/*.wav
and a data dir (wav.scp, text, utt2spk, utt2dur).
"""
import argparse
import hashlib
import math
import os
import sys

from wav_io import read_table, read_wav, write_dir, write_wav


def power(samples):
    return sum(float(x) * x for x in samples) / max(1, len(samples))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--noise", required=True)
    p.add_argument("--snr-db", type=float, required=True)
    p.add_argument("--seed", default="noise")
    a = p.parse_args()
    noise_rate, noise = read_wav(a.noise)
    scp, text = read_table(os.path.join(a.src, "wav.scp")), read_table(os.path.join(a.src, "text"))
    os.makedirs(os.path.join(a.out, "wav"), exist_ok=True)
    wavs, texts = {}, {}
    for key in sorted(scp):
        if key not in text:
            continue
        rate, speech = read_wav(scp[key])
        if rate != noise_rate or len(speech) >= len(noise):
            sys.exit(f"add_noise.py: error: {key}: the noise must be at {rate} Hz and longer")
        offset = int(hashlib.sha1((a.seed + key).encode()).hexdigest(), 16) % (
            len(noise) - len(speech))
        stretch = noise[offset:offset + len(speech)]
        gain = math.sqrt(power(speech) / max(power(stretch), 1e-9) / 10 ** (a.snr_db / 10))
        mixed = [max(-32768, min(32767, round(s + gain * n))) for s, n in zip(speech, stretch)]
        path = os.path.abspath(os.path.join(a.out, "wav", key + ".wav"))
        write_wav(path, rate, mixed)
        wavs[key] = (path, len(speech) / rate)
        texts[key] = text[key]
    write_dir(a.out, wavs, texts)
    print(f"{a.out}: {len(wavs)} utterances at {a.snr_db} dB SNR", file=sys.stderr)


if __name__ == "__main__":
    main()
