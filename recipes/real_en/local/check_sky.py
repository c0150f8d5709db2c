#!/usr/bin/python3
"""By-hand check of the installed game data (not a unit test): every speech file
decodes with both RNC CRCs right and the header's length, and the English text
line counts.  check_sky.py [--game-dir DIR] [--jobs 2]"""
import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnc  # noqa: E402
import sky_disk  # noqa: E402
import sky_text  # noqa: E402

_DISK = None


def _check(args):
    game_dir, nums = args
    global _DISK
    if _DISK is None:
        _DISK = sky_disk.SkyDisk(game_dir, check_version=False)
    bad = []
    samples = 0
    for n in nums:
        try:
            data = _DISK.load(n)
            total = sky_disk.parse_header(data)["tot_size"]
            if total > len(data):
                raise rnc.RncError("header size %d > file %d" % (total, len(data)))
            samples += total - sky_disk.HEADER_LEN
        except rnc.RncError as e:
            bad.append((n, str(e)))
    return len(nums), samples, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--game-dir", default="/usr/share/scummvm/beneath-a-steel-sky")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    t0 = time.time()
    disk = sky_disk.SkyDisk(args.game_dir)
    counts = [len(sky_text.decode_section(disk.load(60600 + s))) for s in range(8)]
    print("English text lines per section:", counts, "total", sum(counts))
    speech = [n for n in sorted(disk.table) if 50000 <= n <= 55277]
    chunks = [(args.game_dir, speech[i:i + 64]) for i in range(0, len(speech), 64)]
    files = samples = 0
    bad = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for n, s, b in pool.map(_check, chunks):
            files += n
            samples += s
            bad += b
    print("speech files: %d, CRC and length OK: %d, %.2f h of 11,025 Hz audio, %.1f s"
          % (files, files - len(bad), samples / 11025 / 3600, time.time() - t0))
    for n, e in bad[:10]:
        print("  bad %d: %s" % (n, e))
    sys.exit(1 if bad or files != 3491 else 0)


if __name__ == "__main__":
    main()
