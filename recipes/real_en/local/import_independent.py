#!/usr/bin/env python3
"""Recordings of people that no real_en training or tuning uses, scored on their own:
the transcribed test recordings of Debian's `pocketsphinx-testdata` (five read
LibriVox sentences, five card names, "go forward ten meters") and alsa-utils'
speaker-test phrases ("front center", ...). 19 clips, a check on voices and
microphones that none of the recipe's sources share.

  import_independent.py --out DATA/independent --wav-dir DATA/wav/independent
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import DataDir, importer_arguments, normalize_script, sox_to_wav  # noqa: E402

PS_DIR = "/usr/share/pocketsphinx/test/data"
ALSA_DIR = "/usr/share/sounds/alsa"
# pocketsphinx's raw test files: 16 kHz 16-bit little-endian mono.
RAW_ARGS = ["-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1"]
# goforward.raw's words are those of pocketsphinx's own test of it.
GOFORWARD_TEXT = "go forward ten meters"


def sphinx_transcription(path):
    """(fileid, text) pairs of a Sphinx transcription file: `<s> words </s> (id)`."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*(?:<s>)?(.*?)(?:</s>)?\s*\(([^)]+)\)\s*$", line)
            if m:
                pairs.append((m.group(2), m.group(1).strip()))
    return pairs


def alsa_text(name):
    """'Front_Center' -> 'front center'; None for a file that is not speech."""
    return None if name == "Noise" else name.replace("_", " ").lower()


def collect():
    """(uttid, speaker, sox input args, raw text) for every clip."""
    for package, path in (("pocketsphinx-testdata", PS_DIR), ("alsa-utils", ALSA_DIR)):
        if not os.path.isdir(path):
            raise FileNotFoundError("Debian package %s is not installed (%s)" % (package, path))
    clips = []
    for sub, spk in (("librivox", "ps_librivox"), ("cards", "ps_cards")):
        trans = "cards/cards.transcription" if sub == "cards" else "librivox/transcription"
        for fileid, text in sphinx_transcription(os.path.join(PS_DIR, trans)):
            wav = os.path.join(PS_DIR, sub, fileid + ".wav")
            clips.append(("%s-%s" % (spk, fileid[-4:]), spk, [wav], text))
    clips.append(("ps_goforward-goforward", "ps_goforward",
                  RAW_ARGS + [os.path.join(PS_DIR, "goforward.raw")], GOFORWARD_TEXT))
    for name in sorted(os.listdir(ALSA_DIR)):
        base, ext = os.path.splitext(name)
        if ext == ".wav" and alsa_text(base):
            clips.append(("alsa-" + base.lower(), "alsa", [os.path.join(ALSA_DIR, name)],
                          alsa_text(base)))
    return clips


def main():
    args = importer_arguments("import_independent", __doc__.split("\n")[0]).parse_args()
    try:
        clips = collect()
    except FileNotFoundError as e:
        sys.exit("import_independent: error: %s" % e)
    os.makedirs(args.wav_dir, exist_ok=True)
    data = DataDir(args.out, "independent (pocketsphinx-testdata, alsa-utils)")
    for uttid, spk, sox_args, raw in clips:
        wav = os.path.join(args.wav_dir, uttid + ".wav")
        sox_to_wav(sox_args, wav)
        data.add(uttid, spk, wav, normalize_script(raw))
    return data.finish()


if __name__ == "__main__":
    sys.exit(main())
