#!/usr/bin/env python3
"""Stage 1 of recipes/synth_en, part 1: the synthesis plan.

  plan_audio.py --conf conf/data.conf --text data/local/text --data data

Decides, deterministically from the seed, every utterance's sentence, speaker
(synthesizer, voice, variant), rate, pitch and augmentation, and writes them to
data/{train,dev,test,test_noisy}/synth.tsv (and data/test_nonspeech/synth.tsv when
num_nonspeech_test > 0; one row per utterance, header first;
local/synth_utts.sh renders the rows). Speakers and the augmentation choices
named "heldout" in the conf are disjoint between train and dev/test; the plan
fails if the conf makes them overlap, and prints the check.

Utterance ids are `<speaker>-<sentid>` (the speaker id is a prefix, as Kaldi
expects; '-' sorts below every character of a speaker id, so utt2spk sorts the
same by utterance and by speaker). test_noisy reuses test's ids and everything
but the noise, which is louder (noisy_snr_range).
"""
import argparse
import os
import random
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "utils"))
from read_conf import Conf  # noqa: E402

COLUMNS = ["uttid", "speaker", "engine", "voice", "variant", "rate", "pitch", "speed",
           "band", "highpass_hz", "lowpass_hz", "reverberance", "room_scale", "noise",
           "snr_db", "noise_offset", "gain_db", "text"]
# Approximate mean F0 (Hz) of the flite and festival voices; pitch = this x
# flite_f0_factor (measured on a sentence for ked and kal; slt_hts ignores it).
# The xlang voices take their F0 from the English front end, centred on the
# voice's sex (pc, mv, machac male; lp, lj, dita female).
VOICE_F0_HZ = {"kal": 105, "kal16": 105, "awb": 110, "rms": 100, "slt": 170,
               "kal_diphone": 102, "ked_diphone": 102, "cmu_us_slt_arctic_hts": 168,
               "pc_diphone": 105, "hy_fi_mv_diphone": 105, "czech_machac": 105,
               "lp_diphone": 190, "suo_fi_lj_diphone": 190, "czech_dita": 190}


def speaker_id(engine, voice, variant):
    """[a-z0-9_] only, so '-' can separate speaker and sentence in the utterance id."""
    parts = [engine, voice] + ([] if variant == "none" else [variant])
    return "_".join(re.sub(r"[^a-z0-9]", "", p.lower()) for p in parts)


def speakers(conf, split):
    """(engine, voice, variant) triples of a split ('train', 'dev' or 'test'): the
    espeak-ng speakers, the others (flite's and festival's voices), and the
    xlang ones (festival voices of other languages reading English,
    local/xlang.scm)."""
    espeak = [("espeak", v, var) for v in conf.list("espeak_voices")
              for var in conf.list(f"espeak_{split}_variants")]
    others = [(engine, v, "none") for engine in ("flite", "festival")
              for v in conf.list(f"{engine}_{split}_voices")]
    xlang = [("xlang", v, "none") for v in conf.list(f"xlang_{split}_voices")]
    return espeak, others, xlang


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split(" ", 1)) for line in f if line.strip()]


def uniform(rng, conf, name, digits=2):
    lo, hi = conf.range(name)
    return round(rng.uniform(lo, hi), digits)


def row_rng(conf, split, key):
    """The random stream of one utterance: a function of the seed, its split and its
    sentence only. So a row never changes when a split grows (num_train_utts) or
    another split changes, and a rerun of stage 1 renders only the new rows."""
    return random.Random(f"{conf.int('seed')}/{split}/{key}")


def plan_split(conf, split, sentences):
    kind = "train" if split == "train" else "heldout"
    espeak, others, xlang = speakers(conf, split)
    rows = []
    for sid, text in sentences:
        rng = row_rng(conf, split, sid)
        if others and rng.random() < conf.float("flite_fraction"):
            engine, voice, variant = rng.choice(others)
            rate = uniform(rng, conf, "flite_stretch_range")
            pitch = round(VOICE_F0_HZ.get(voice, 110) * uniform(rng, conf, "flite_f0_factor_range"))
        else:
            engine, voice, variant = rng.choice(espeak)
            rate = rng.randint(*(int(x) for x in conf.range("espeak_rate_range")))
            pitch = rng.randint(*(int(x) for x in conf.range("espeak_pitch_range")))
        # The xlang speakers take over a fraction of the rows, drawn from a stream
        # of their own: every other choice of a row (and every row of a plan
        # without xlang voices) stays what it was before they were added.
        xrng = row_rng(conf, split, sid + "/xlang")
        if xlang and xrng.random() < conf.float("xlang_fraction"):
            engine, voice, variant = xrng.choice(xlang)
            rate = uniform(xrng, conf, "flite_stretch_range")
            pitch = round(VOICE_F0_HZ[voice] * uniform(xrng, conf, "flite_f0_factor_range"))
        speed = uniform(rng, conf, "speed_range", 3)
        band, hp, lp = "none", 0, 0
        if rng.random() < conf.float("band_prob"):
            band = conf.str(f"{kind}_band_filter")
            which = rng.choice(["high", "low", "both"])
            if which in ("high", "both"):
                hp = round(uniform(rng, conf, "highpass_hz_range"))
            if which in ("low", "both"):
                lp = round(uniform(rng, conf, "lowpass_hz_range"))
        rev, room = 0, 0
        if rng.random() < conf.float("reverb_prob"):
            rev = round(uniform(rng, conf, f"{kind}_reverb_reverberance_range"))
            room = round(uniform(rng, conf, f"{kind}_reverb_room_scale_range"))
        noise, snr = "none", 0.0
        if rng.random() < conf.float("noise_prob"):
            noise = rng.choice(conf.list(f"{kind}_noise_types"))
            snr = uniform(rng, conf, f"{kind}_snr_range", 1)
        offset = round(rng.random(), 4)
        gain = uniform(rng, conf, "gain_db_range", 1)
        spk = speaker_id(engine, voice, variant)
        rows.append([f"{spk}-{sid}", spk, engine, voice, variant, rate, pitch, speed, band,
                     hp, lp, rev, room, noise, snr, offset, gain, text])
    return sorted(rows)


def plan_nonspeech(conf, split, count):
    """`count` non-speech clips (silence, noise, hum, beeps; local/synth_utts.sh
    makes them) with empty transcripts, so the model learns to answer them with
    nothing. Columns reused: voice = the source, rate = seconds, pitch = the
    hum's or beeps' frequency (Hz, 0 otherwise), gain_db = the level (dBFS RMS);
    band and reverb as for speech; no added noise. Each clip has its own random
    stream, so adding them leaves every speech row as it was."""
    kind = "train" if split == "train" else "heldout"
    sources = conf.list(f"{kind}_nonspeech_sources") if count else []
    rows = []
    for i in range(count):
        rng = row_rng(conf, split, f"nonspeech/{i}")
        source = rng.choice(sources)
        seconds = uniform(rng, conf, "nonspeech_seconds_range")
        # Both frequencies are drawn for every clip, so the stream stays aligned
        # whatever the source.
        hz = {"hum": rng.choice([50, 60]), "beeps": round(rng.uniform(300, 3000))}.get(source, 0)
        band, hp, lp = "none", 0, 0
        if rng.random() < conf.float("band_prob"):
            band = conf.str(f"{kind}_band_filter")
            hp = round(uniform(rng, conf, "highpass_hz_range"))
            lp = round(uniform(rng, conf, "lowpass_hz_range"))
        rev, room = 0, 0
        if rng.random() < conf.float("reverb_prob"):
            rev = round(uniform(rng, conf, f"{kind}_reverb_reverberance_range"))
            room = round(uniform(rng, conf, f"{kind}_reverb_room_scale_range"))
        level = uniform(rng, conf, "nonspeech_level_db_range", 1)
        spk = speaker_id("nonspeech", source, "none")
        rows.append([f"{spk}-n{i:06d}", spk, "nonspeech", source, "none", seconds, hz, 1.0, band,
                     hp, lp, rev, room, "none", 0.0, 0.0, level, ""])
    return rows


def noisy_copy(conf, rows):
    out = []
    for r in rows:
        r = list(r)
        rng = row_rng(conf, "test_noisy", r[0])
        r[13] = rng.choice(conf.list("noisy_noise_types"))
        r[14] = uniform(rng, conf, "noisy_snr_range", 1)
        r[15] = round(rng.random(), 4)
        out.append(r)
    return out


def check_disjoint(conf):
    """Speakers, variants and held-out augmentation choices never shared with train."""
    ok = True
    sets = {s: {speaker_id(*t) for lst in speakers(conf, s) for t in lst}
            for s in ("train", "dev", "test")}
    for a, b in (("train", "dev"), ("train", "test"), ("dev", "test")):
        shared = sets[a] & sets[b]
        print(f"plan_audio: speakers {a} {len(sets[a])} / {b} {len(sets[b])}: "
              f"{len(shared)} shared{' ' + str(sorted(shared)[:5]) if shared else ''}",
              file=sys.stderr)
        ok &= not shared
    for name in ("espeak_{}_variants", "flite_{}_voices", "festival_{}_voices",
                 "xlang_{}_voices"):
        tr = set(conf.list(name.format("train")))
        for s in ("dev", "test"):
            ok &= not (tr & set(conf.list(name.format(s))))
    for name in ("{}_noise_types", "{}_band_filter", "{}_nonspeech_sources"):
        shared = set(conf.list(name.format("train"))) & set(conf.list(name.format("heldout")))
        print(f"plan_audio: {name.format('train|heldout')}: {len(shared)} shared", file=sys.stderr)
        ok &= not shared
    if not ok:
        raise SystemExit("plan_audio: train shares speakers or held-out settings with dev/test")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conf", required=True)
    ap.add_argument("--text", required=True, help="stage 0 output dir")
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    conf = Conf(args.conf)
    check_disjoint(conf)
    train = read_text(os.path.join(args.text, "train.txt"))
    n = conf.int("num_train_utts")
    if n > len(train):
        raise SystemExit(f"plan_audio: num_train_utts {n} > {len(train)} train sentences")
    # One fixed order of the whole pool, cut at n: a larger n keeps every sentence
    # a smaller one chose.
    random.Random(conf.int("seed") + 1).shuffle(train)
    plans = {"train": sorted(plan_split(conf, "train", train[:n]) +
                             plan_nonspeech(conf, "train", conf.int("num_nonspeech_train")))}
    for split in ("dev", "test"):
        plans[split] = plan_split(conf, split, read_text(os.path.join(args.text, split + ".txt")))
    plans["test_noisy"] = noisy_copy(conf, plans["test"])
    # Held-out non-speech (sources never in train): how often the model
    # answers silence or noise with words.
    if conf.int("num_nonspeech_test") > 0:
        plans["test_nonspeech"] = plan_nonspeech(conf, "test_nonspeech",
                                                 conf.int("num_nonspeech_test"))

    for split, rows in plans.items():
        os.makedirs(os.path.join(args.data, split), exist_ok=True)
        with open(os.path.join(args.data, split, "synth.tsv"), "w", encoding="utf-8") as f:
            f.write("\t".join(COLUMNS) + "\n")
            for r in rows:
                f.write("\t".join(str(x) for x in r) + "\n")
        spk = {r[1] for r in rows}
        print(f"plan_audio: {split}: {len(rows)} utterances, {len(spk)} speakers", file=sys.stderr)


if __name__ == "__main__":
    main()
