#!/usr/bin/env python3
"""A copy of a Kaldi data dir whose audio went through random recording conditions,
so that a model cannot tell the sources apart by bandwidth or channel and learns
the speech instead: band-limiting, telephone (8 kHz mu-law), 8-bit, reverberation,
noise and gain, each with its own probability, drawn per utterance from a seed
and the uttid (a rerun gives the same chains).

  augment_dir.py [--prefix aug1-] [--seed 1] [--jobs 2] [--p-band 0.5] [--full]
                 IN_DIR OUT_DIR WAV_DIR

Without --full only the bandwidth is changed (band-limiting or telephone, with
probability --p-band; the rest of the utterances keep their audio). With --full
every condition is drawn. Utterance ids get --prefix (the speaker ids too, so
uttids still start with their speaker). chains.tsv in OUT_DIR lists each chain.
"""
import argparse
import hashlib
import os
import random
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import SAMPLE_RATE_HZ, run_parallel  # noqa: E402


def read_table(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split(" ", 1) for line in f if line.strip()]


def draw_chain(rng, full, p_band):
    """A list of (name, sox effect args) steps; 'telephone' and '8bit' are codec steps."""
    steps = []
    r = rng.random()
    if r < p_band * 0.3:
        steps.append(("telephone", []))
    elif r < p_band:
        steps.append(("lowpass", ["sinc", "-%d" % rng.randint(3400, 7000)]))
    if not full:
        return steps
    if rng.random() < 0.1:
        steps.append(("8bit", []))
    if rng.random() < 0.3:
        steps.append(("reverb", ["reverb", str(rng.randint(10, 60)), "50",
                                 str(rng.randint(20, 100))]))
    if rng.random() < 0.4:
        steps.append(("noise", ["%.1f" % rng.uniform(-45, -15)]))
    steps.append(("gain", ["gain", "-n", "%.1f" % rng.uniform(-20, -1)]))
    return steps


def sox_command(in_path, out_path, steps):
    """One shell pipeline applying the steps in order; the result is 16 kHz 16-bit mono."""
    cmd = "sox -V1 %s -t wav -r %d -c 1 -" % (shlex.quote(in_path), SAMPLE_RATE_HZ)
    for name, args in steps:
        if name == "telephone":
            cmd += " | sox -V1 - -t wav -r 8000 -e u-law - | sox -V1 - -t wav -r %d -e signed " \
                   "-b 16 -" % SAMPLE_RATE_HZ
        elif name == "8bit":
            cmd += " | sox -V1 - -t wav -b 8 - | sox -V1 - -t wav -b 16 -"
        elif name == "noise":
            # Pink noise whose peak stands args[0] dB from full scale, mixed after the
            # speech is peak-normalized: an SNR of roughly that many dB.
            cmd += (" | sox -V1 - -t wav - gain -n -1 | sox -V1 -m - "
                    "-t wav -r %d -c 1 <(sox -V1 -n -t wav -r %d -c 1 - synth 60 pinknoise "
                    "gain -n %s) -t wav - trim 0 \"$(soxi -D %s)\"" %
                    (SAMPLE_RATE_HZ, SAMPLE_RATE_HZ, args[0], shlex.quote(in_path)))
        else:
            cmd += " | sox -V1 - -t wav - " + " ".join(args)
    tmp = out_path + ".tmp.wav"
    return cmd + " | sox -V1 - -r %d -b 16 -c 1 -e signed %s && mv %s %s" % (
        SAMPLE_RATE_HZ, shlex.quote(tmp), shlex.quote(tmp), shlex.quote(out_path))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("in_dir")
    p.add_argument("out_dir")
    p.add_argument("wav_dir")
    p.add_argument("--prefix", default="aug1-")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--p-band", type=float, default=0.5)
    p.add_argument("--full", action="store_true")
    a = p.parse_args()
    wavs = dict(read_table(os.path.join(a.in_dir, "wav.scp")))
    texts = dict((r[0], r[1] if len(r) > 1 else "") for r in read_table(os.path.join(a.in_dir, "text")))
    spk = dict(read_table(os.path.join(a.in_dir, "utt2spk")))
    os.makedirs(a.wav_dir, exist_ok=True)
    os.makedirs(a.out_dir, exist_ok=True)
    jobs, rows = [], []
    for utt in sorted(wavs):
        seed = int(hashlib.sha1(("%d %s" % (a.seed, utt)).encode()).hexdigest()[:12], 16)
        steps = draw_chain(random.Random(seed), a.full, a.p_band)
        out = wavs[utt]
        if steps:
            out = os.path.abspath(os.path.join(a.wav_dir, a.prefix + utt + ".wav"))
            if not os.path.exists(out):
                jobs.append(sox_command(wavs[utt], out, steps))
        rows.append((a.prefix + utt, out, texts.get(utt, ""), a.prefix + spk[utt],
                     ",".join(n + (":" + "/".join(x) if x else "") for n, x in steps) or "none"))

    def run(cmd):
        r = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd], capture_output=True)
        return "" if r.returncode == 0 else r.stderr.decode(errors="replace")[-300:]

    failed = [e for e in run_parallel(a.jobs, run, jobs) if e]
    if failed:
        sys.exit("augment_dir: error: %d of %d sox chains failed, e.g. %s" %
                 (len(failed), len(jobs), failed[0]))
    for name, col in (("wav.scp", 1), ("text", 2), ("utt2spk", 3)):
        with open(os.path.join(a.out_dir, name), "w", encoding="utf-8") as f:
            f.writelines(("%s %s" % (r[0], r[col])).rstrip() + "\n" for r in rows)
    with open(os.path.join(a.out_dir, "chains.tsv"), "w", encoding="utf-8") as f:
        f.writelines("%s\t%s\n" % (r[0], r[4]) for r in rows)
    sys.stderr.write("augment_dir: %s: %d utterances, %d new WAVs\n" %
                     (a.out_dir, len(rows), len(jobs)))


if __name__ == "__main__":
    main()
