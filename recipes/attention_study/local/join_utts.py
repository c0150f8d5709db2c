#!/usr/bin/env python3
"""Long utterances for the length test: consecutive utterances of a data
directory joined (0.3 s of silence between them) until each reaches
--seconds; their texts joined likewise.

    join_utts.py --src DIR --out DIR --seconds S --count N

Writes N WAVs into OUT/wav and a data dir (wav.scp, text, utt2spk, utt2dur).
Utterances are used in uttid order, each at most once; fewer than N when the
source runs out.
"""
import argparse
import os
import sys

from wav_io import read_table, read_wav, write_dir, write_wav


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seconds", type=float, required=True)
    p.add_argument("--count", type=int, required=True)
    a = p.parse_args()
    scp, text = read_table(os.path.join(a.src, "wav.scp")), read_table(os.path.join(a.src, "text"))
    os.makedirs(os.path.join(a.out, "wav"), exist_ok=True)
    wavs, texts = {}, {}
    keys = iter(sorted(k for k in scp if text.get(k, "").strip()))
    for n in range(a.count):
        rate, joined, words = None, [], []
        for key in keys:
            r, samples = read_wav(scp[key])
            if rate is None:
                rate = r
            if r != rate:
                sys.exit(f"join_utts.py: error: {key} is at {r} Hz, not {rate}")
            if joined:
                joined.extend([0] * int(0.3 * rate))
            joined.extend(samples)
            words.append(text[key].strip())
            if len(joined) >= a.seconds * rate:
                break
        if rate is None or len(joined) < a.seconds * rate:
            break
        key = f"long{int(a.seconds)}s_{n:03d}"
        path = os.path.abspath(os.path.join(a.out, "wav", key + ".wav"))
        write_wav(path, rate, joined)
        wavs[key] = (path, len(joined) / rate)
        texts[key] = " ".join(words)
    if not wavs:
        sys.exit(f"join_utts.py: error: {a.src} has less than {a.seconds} s of audio")
    write_dir(a.out, wavs, texts)
    print(f"{a.out}: {len(wavs)} utterances of >= {a.seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
