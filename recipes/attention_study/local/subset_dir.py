#!/usr/bin/env python3
"""A fixed subset of a Kaldi data directory, by duration or by count.

    subset_dir.py --src DIR --out DIR [--hours H | --count N] [--max-seconds S] [--seed K]

Utterances are ordered by a seeded hash of their uttid (the same subset on every
run and machine) and taken until --hours of audio or --count utterances; with
--max-seconds, longer ones are passed over. Writes wav.scp, text, utt2spk and
utt2dur (seconds, read from each WAV header), sorted; the audio stays where it
is (wav.scp points at the source's files). The source is only read.
"""
import argparse
import hashlib
import os
import sys

from wav_io import read_table, wav_seconds


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--hours", type=float, default=0)
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=0)
    p.add_argument("--seed", default="attention_study")
    a = p.parse_args()
    if (a.hours > 0) == (a.count > 0):
        sys.exit("subset_dir.py: error: give one of --hours and --count")
    scp = read_table(os.path.join(a.src, "wav.scp"))
    text = read_table(os.path.join(a.src, "text"))
    utt2spk = read_table(os.path.join(a.src, "utt2spk"))
    known = {}
    dur_path = os.path.join(a.src, "utt2dur")
    if os.path.exists(dur_path):
        known = {k: float(v) for k, v in read_table(dur_path).items()}
    order = sorted(scp, key=lambda k: hashlib.sha1((a.seed + k).encode()).hexdigest())
    chosen, seconds = {}, 0.0
    for key in order:
        if key not in text or key not in utt2spk:
            continue
        path = scp[key]
        if path.endswith("|"):
            sys.exit(f"subset_dir.py: error: {key}: piped wav.scp entries are not supported ({a.src})")
        dur = known.get(key) or wav_seconds(path)
        if a.max_seconds > 0 and dur > a.max_seconds:
            continue
        chosen[key] = dur
        seconds += dur
        if (a.hours > 0 and seconds >= a.hours * 3600) or (a.count > 0 and len(chosen) >= a.count):
            break
    os.makedirs(a.out, exist_ok=True)
    keys = sorted(chosen)
    for name, table in (("wav.scp", scp), ("text", text), ("utt2spk", utt2spk)):
        with open(os.path.join(a.out, name), "w", encoding="utf-8") as f:
            f.writelines(f"{k} {table[k]}\n" for k in keys)
    with open(os.path.join(a.out, "utt2dur"), "w") as f:
        f.writelines(f"{k} {chosen[k]:.3f}\n" for k in keys)
    print(f"{a.out}: {len(keys)} utterances, {seconds / 3600:.3f} h from {a.src}", file=sys.stderr)


if __name__ == "__main__":
    main()
