#!/usr/bin/python3
"""Peer for bench/frontend_bench.cc: torchaudio.compliance.kaldi.fbank on a WAV.

usage: torchaudio_fbank.py WAV [--repeats N] [--default-allocator]
Prints the median milliseconds of one fbank call (80 bins, dither 0, Kaldi's
energy_floor 0; samples * 32768 as Kaldi reads them) over N timed calls after 2
warm-up calls, one thread. RunPeer starts it with the tuned glibc allocator of
shared/BENCHMARKS.md; --default-allocator re-executes it without that tuning.
"""
import os
import statistics
import sys
import time

if "--default-allocator" in sys.argv and "GLIBC_TUNABLES" in os.environ:
    env = dict(os.environ)
    del env["GLIBC_TUNABLES"]
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import torch  # noqa: E402
import torchaudio  # noqa: E402


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 7
    torch.set_num_threads(1)
    wave, rate = torchaudio.load(path)
    wave = wave[:1] * 32768.0

    def run():
        return torchaudio.compliance.kaldi.fbank(wave, num_mel_bins=80, dither=0.0,
                                                 energy_floor=0.0, sample_frequency=rate)

    for _ in range(2):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000.0)
    print(f"{statistics.median(times):.3f}")


if __name__ == "__main__":
    main()
