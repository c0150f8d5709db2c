#!/usr/bin/env python3
"""Stage 1 of recipes/synth_en, part 3: Kaldi data directories from the rendered WAVs.

  make_data_dirs.py --data data [--max-missing-fraction 0.01] SPLIT...

For each SPLIT reads data/SPLIT/synth.tsv and data/wav/SPLIT/<uttid>.wav and
writes data/SPLIT/{text,wav.scp,utt2spk,spk2utt,utt2dur} (sorted, C locale;
wav.scp holds absolute paths). Utterances whose WAV is missing (a failed render)
are dropped with a warning; more than --max-missing-fraction of them fails.
Then checks, and prints, that dev/test share no speaker and no sentence with
train, and writes data/stats.tsv (utterances, speakers, hours per split).
"""
import argparse
import os
import sys
import wave


def read_plan(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in f]


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for line in sorted(lines, key=lambda s: s.encode("utf-8")):
            f.write(line + "\n")


def make_dir(data, split, max_missing):
    rows = read_plan(os.path.join(data, split, "synth.tsv"))
    wav_dir = os.path.abspath(os.path.join(data, "wav", split))
    kept, missing, seconds = [], 0, {}
    for r in rows:
        path = os.path.join(wav_dir, r["uttid"] + ".wav")
        try:
            with wave.open(path) as w:
                if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
                    raise SystemExit(f"make_data_dirs: {path}: not 16 kHz mono 16-bit")
                seconds[r["uttid"]] = w.getnframes() / w.getframerate()
        except FileNotFoundError:
            missing += 1
            print(f"make_data_dirs: warning: {split}: no WAV for {r['uttid']}", file=sys.stderr)
            continue
        kept.append((r, path))
    if missing > max_missing * len(rows):
        raise SystemExit(f"make_data_dirs: {split}: {missing} of {len(rows)} WAVs missing")
    d = os.path.join(data, split)
    # A non-speech clip's line is its id alone (an empty transcript).
    write_lines(os.path.join(d, "text"), [f"{r['uttid']} {r['text']}".rstrip(" ")
                                          for r, _ in kept])
    write_lines(os.path.join(d, "wav.scp"), [f"{r['uttid']} {p}" for r, p in kept])
    write_lines(os.path.join(d, "utt2spk"), [f"{r['uttid']} {r['speaker']}" for r, _ in kept])
    write_lines(os.path.join(d, "utt2dur"), [f"{r['uttid']} {seconds[r['uttid']]:.3f}"
                                             for r, _ in kept])
    spk2utt = {}
    for r, _ in sorted(kept, key=lambda x: x[0]["uttid"].encode("utf-8")):
        spk2utt.setdefault(r["speaker"], []).append(r["uttid"])
    write_lines(os.path.join(d, "spk2utt"), [s + " " + " ".join(u) for s, u in spk2utt.items()])
    # Kaldi's invariant: sorting utt2spk by utterance equals sorting it by speaker.
    by_utt = sorted(((r["uttid"], r["speaker"]) for r, _ in kept), key=lambda x: x[0].encode())
    by_spk = sorted(by_utt, key=lambda x: (x[1].encode(), x[0].encode()))
    if by_utt != by_spk:
        raise SystemExit(f"make_data_dirs: {split}: utt2spk order differs by speaker")
    total = sum(seconds[r["uttid"]] for r, _ in kept)
    return {"utts": len(kept), "missing": missing, "speakers": len(spk2utt),
            "hours": total / 3600, "mean_s": total / max(len(kept), 1),
            "spk": set(spk2utt), "text": {r["text"] for r, _ in kept if r["text"]},
            "flite": sum(r["engine"] == "flite" for r, _ in kept),
            "festival": sum(r["engine"] == "festival" for r, _ in kept),
            "xlang": sum(r["engine"] == "xlang" for r, _ in kept),
            "nonspeech": sum(r["engine"] == "nonspeech" for r, _ in kept),
            "noisy": sum(r["noise"] != "none" for r, _ in kept)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--max-missing-fraction", type=float, default=0.01)
    ap.add_argument("splits", nargs="+")
    args = ap.parse_args()
    stats = {s: make_dir(args.data, s, args.max_missing_fraction) for s in args.splits}

    ok = True
    if "train" in stats:
        for s in stats:
            if s == "train":
                continue
            spk = stats["train"]["spk"] & stats[s]["spk"]
            txt = stats["train"]["text"] & stats[s]["text"]
            print(f"make_data_dirs: check train vs {s}: {len(spk)} shared speakers, "
                  f"{len(txt)} shared sentences", file=sys.stderr)
            ok &= not spk and not txt
    if "dev" in stats and "test" in stats:
        spk = stats["dev"]["spk"] & stats["test"]["spk"]
        print(f"make_data_dirs: check dev vs test: {len(spk)} shared speakers", file=sys.stderr)
        ok &= not spk
    header = ["split", "utts", "speakers", "hours", "mean_s", "flite", "festival", "xlang",
              "nonspeech", "noisy", "missing"]
    lines = ["\t".join(header)]
    for s, st in stats.items():
        lines.append("\t".join([s, str(st["utts"]), str(st["speakers"]), f"{st['hours']:.2f}",
                                f"{st['mean_s']:.2f}", str(st["flite"]), str(st["festival"]),
                                str(st["xlang"]), str(st["nonspeech"]), str(st["noisy"]),
                                str(st["missing"])]))
    with open(os.path.join(args.data, "stats.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    for line in lines:
        cells = line.split("\t")
        print("  " + cells[0].ljust(16) + "".join(x.ljust(11) for x in cells[1:]), file=sys.stderr)
    if not ok:
        raise SystemExit("make_data_dirs: held-out data shares speakers or sentences with train")


if __name__ == "__main__":
    main()
