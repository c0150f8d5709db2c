#!/usr/bin/python3
"""Asterisk's core English prompts (Debian `asterisk-core-sounds-en-wav`, 8 kHz WAV,
one professional female voice, Allison Smith) with their script (Debian
`asterisk-core-sounds-en`, core-sounds-en.txt.gz: `name: text` lines) as a Kaldi
data dir.

The name maps to <sounds>/<name>.wav (names may hold a folder: `digits/1`). Text
rules, in order: a fixed table of fixes (FIXES: the script's typos, letter clips
spelled as letter names, A.M. / P.M.); `(...)` notes, `[...]` and `<...>` tags
dropped (a line left empty is a tone, a silence or monkeys: kept as non-speech);
`*` and `#` said as "star" and "pound"; lines that the script does not say how to
read (multi-digit numerals: "1234", "28.8"; acronyms: PBX, IAX, www.asterisk.org)
dropped; then datadir.normalize_script (single digits spelled out).

Usage: import_asterisk.py --out DATA/asterisk --wav-dir DATA/wav/asterisk [--jobs 2]
"""
import gzip
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import (DataDir, importer_arguments, missing, normalize_script,  # noqa: E402
                     run_parallel, sox_to_wav)
from import_klettres import letter_name  # noqa: E402

TEXT_PATH = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz"
SOUNDS_DIR = "/usr/share/asterisk/sounds/en_US_f_Allison"
SPEAKER = "asterisk_allison"

# Whole-line texts by name: what the clip says where the script's text is not it.
FIXES = {
    "digits/a-m": "a em",
    "digits/p-m": "pee em",
    "digits/h-40": "fortieth",                        # script: "fourtieth"
    "letters/exclaimation-point": "exclamation point",  # script: "exclaimation-point [!]"
    "letters/zed": "zed",
    "phonetic/x_p": "x ray",                          # script: "xray"
}
# Misspelt words in the script, fixed wherever they occur.
WORD_FIXES = {
    "umute": "unmute", "indentified": "identified", "represenatives": "representatives",
    "witheld": "withheld",
}
# Words whose reading the script does not give (spelled out or said as a word?).
ACRONYMS = re.compile(r"\b(PBX|IVR|IAX|MGCP|SIP|DAHDI|USB|Unistim|H\.323|www\.\S+)")
MULTI_DIGIT = re.compile(r"\d[\d.,]*\d")


def parse_script(lines):
    """{name: raw text} from core-sounds-en.txt lines (`;` comments, blanks skipped)."""
    out = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        name, sep, text = line.partition(":")
        if not sep or not name or " " in name:
            raise ValueError("not a `name: text` line: %r" % line)
        out[name.strip()] = text.strip()
    return out


def clip_text(name, raw):
    """(normalized text, None) or (None, drop reason) for a script line.

    An empty text means non-speech (a tone, silence)."""
    if name in FIXES:
        return FIXES[name], None
    if re.fullmatch(r"letters/[a-z]", name):
        return letter_name(name[-1], "zee"), None
    text = re.sub(r"\([^)]*\)", " ", raw)
    if ACRONYMS.search(text):
        return None, "acronym or address: its reading is unknown"
    if MULTI_DIGIT.search(text):
        return None, "multi-digit numeral: read as a number or digit by digit, unknown"
    text = text.replace("*", " star ").replace("#", " pound ")
    text = normalize_script(text)
    return " ".join(WORD_FIXES.get(w, w) for w in text.split()), None


def uttid_for(name):
    return ("%s-%s" % (SPEAKER, name.replace("/", "_"))).lower()


def main(argv=None):
    args = importer_arguments("import_asterisk").parse_args(argv)
    if (missing("import_asterisk", os.path.isfile(TEXT_PATH), "the prompts' script",
                "asterisk-core-sounds-en", TEXT_PATH) or
            missing("import_asterisk", os.path.isdir(SOUNDS_DIR), "the prompts' audio",
                    "asterisk-core-sounds-en-wav", SOUNDS_DIR)):
        return 1
    with gzip.open(TEXT_PATH, "rt", encoding="utf-8", errors="replace") as f:
        script = parse_script(f)
    files = set()
    for d, _, names in os.walk(SOUNDS_DIR):
        for n in names:
            if n.endswith(".wav"):
                files.add(os.path.relpath(os.path.join(d, n), SOUNDS_DIR)[:-4])

    dd = DataDir(args.out, "asterisk (asterisk-core-sounds-en-wav, en_US_f_Allison)")
    keep = []
    for name in sorted(script):
        if name not in files:
            dd.drop(name, "script line with no audio file")
            continue
        text, reason = clip_text(name, script[name])
        if reason:
            dd.drop(name, reason)
        else:
            keep.append((name, text))
    for name in sorted(files - set(script)):
        dd.drop(name + ".wav", "audio file with no script line")
    os.makedirs(args.wav_dir, exist_ok=True)

    def convert(item):
        name = item[0]
        src = os.path.join(SOUNDS_DIR, name + ".wav")
        out = os.path.join(args.wav_dir, uttid_for(name) + ".wav")
        if not (os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(src)):
            sox_to_wav([src], out)
        return out

    for (name, text), out in zip(keep, run_parallel(args.jobs, convert, keep)):
        dd.add(uttid_for(name), SPEAKER, out, text, gender="f")
    return dd.finish()


if __name__ == "__main__":
    sys.exit(main())
