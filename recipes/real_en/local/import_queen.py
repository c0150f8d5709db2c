#!/usr/bin/python3
"""Imports the human speech of "Flight of the Amazon Queen" as a Kaldi data dir.

Source: the Debian package flight-of-the-amazon-queen (1.0.0-9), whose one data
file /usr/share/scummvm/flight-of-the-amazon-queen/queen.1c holds the voice
entries (.SB, MP3) and the scripts that name them: conversations (.DOG), Joe's
descriptions and responses (QUEEN2.JAS) and cutscenes (.CUT).

  import_queen.py --game-file /usr/share/scummvm/flight-of-the-amazon-queen/queen.1c \
      --out DATA/queen --wav-dir DATA/wav/queen [--jobs 2]

Writes wav.scp, text, utt2spk, spk2utt, spk2gender, report.txt and speakers.tsv
to --out, one 16 kHz WAV per kept clip to --wav-dir (an existing WAV is reused).
Utterance ids are `<speaker>-<voice file name, lower case, without .SB>`.
"""
import argparse
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datadir import DataDir, run_parallel, wav_seconds  # noqa: E402
import queen_audio  # noqa: E402
import queen_cutaway  # noqa: E402
import queen_dialogue  # noqa: E402
import queen_joe  # noqa: E402
from queen_text import is_non_speech, script_text  # noqa: E402
from queen_resources import QueenFormatError, QueenResources  # noqa: E402

PACKAGE = "flight-of-the-amazon-queen"
EXPECTED_VERSION = "CEM10"
EXPECTED_ENTRIES = 7671
EXPECTED_COMPRESSION = 1  # MP3
MIN_SECONDS = 0.3
MAX_CHARS_PER_SECOND = 25.0

# Only where the game leaves no doubt (names, Mr/Miss, how others address them).
GENDER = {
    "queen_joe": "m", "queen_faye": "f", "queen_naomi": "f", "queen_lola": "f",
    "queen_witch": "f", "queen_prin": "f", "queen_tam": "f",
    "queen_bob": "m", "queen_frank": "m", "queen_henry": "m", "queen_jim": "m",
    "queen_john": "m", "queen_ian": "m", "queen_laris": "m",
}


class Clip:
    __slots__ = ("file", "spk", "raw", "kind", "source", "text", "uttid", "wav", "seconds")

    def __init__(self, file, spk, raw, kind, source):
        self.file, self.spk, self.raw, self.kind, self.source = file, spk, raw, kind, source
        self.text = self.uttid = self.wav = None
        self.seconds = 0.0


class QueenDataDir(DataDir):
    """A DataDir whose report also counts the voice entries no script line names."""

    def __init__(self, out_dir, source):
        DataDir.__init__(self, out_dir, source)
        self.extra = []

    def report_lines(self):
        for line in DataDir.report_lines(self):
            yield line
        for line in self.extra:
            yield line + "\n"


def fail(what, path):
    sys.stderr.write("import_queen: error: %s (%s)\n" % (what, path))
    sys.exit(1)


def open_game(path):
    hint = "install the Debian package %s" % PACKAGE
    if not os.path.isfile(path):
        fail("game file not found; %s" % hint, path)
    try:
        res = QueenResources(path)
    except (OSError, QueenFormatError) as e:
        fail("not the %s data file: %s" % (PACKAGE, e), path)
    if (res.version, res.compression, len(res.entries)) != (
            EXPECTED_VERSION, EXPECTED_COMPRESSION, EXPECTED_ENTRIES):
        fail("unknown game version %s, compression %d, %d entries (expected %s, MP3, %d: "
             "the English CD data of the Debian package %s 1.0.0-9)" % (
                 res.version, res.compression, len(res.entries), EXPECTED_VERSION,
                 EXPECTED_ENTRIES, PACKAGE), path)
    return res


def script_clips(res):
    """Every voiced segment the scripts name, in order: conversations, Joe's texts,
    cutscenes."""
    clips = []
    for name in res.names(".DOG"):
        character = queen_dialogue.character_of(name)
        for line in queen_dialogue.dialogue_segments(res.read(name)):
            spk = "queen_joe" if line.who == "J" else "queen_" + character
            clips.append(Clip(line.file, spk, line.text, "conversation",
                              "%s %s" % (name, line.source)))
    for file, text, kind, source in queen_joe.joe_segments(res.read("QUEEN.JAS"),
                                                          res.read("QUEEN2.JAS")):
        clips.append(Clip(file, "queen_joe", text, kind, "QUEEN2.JAS " + source))
    people = queen_cutaway.PeopleIndex(res.read("QUEEN.JAS"), res.read("QUEEN2.JAS"))
    for name in res.names(".CUT"):
        for seg in queen_cutaway.cutaway_segments(name, res.read(name), people):
            clips.append(Clip(seg.file, seg.spk, seg.text, "cutscene",
                              "%s %s" % (name, seg.source)))
    return clips


def select_clips(res, clips, data):
    """The clips to decode; the others are dropped with a reason."""
    claimed = {}
    chosen = []
    for c in clips:
        what = "%s (%s)" % (c.file, c.source)
        if not c.raw.strip():
            continue  # an empty segment: the game asks for a file that is not there
        if c.file not in res:
            data.drop(what, "no audio entry")
            continue
        if c.file in claimed:
            data.drop(what, "voice file already named by an earlier line (the game plays that one)")
            continue
        claimed[c.file] = c
        if c.kind == "interface":
            data.drop(what, "interface label, not a spoken line (Joe's responses 22, 23, 30-40)")
            continue
        c.text = script_text(c.raw)
        if not c.text and not is_non_speech(c.raw):
            data.drop(what, "no words in the text")
            continue
        c.uttid = "%s-%s" % (c.spk, c.file[:-3].lower())
        chosen.append(c)
    return chosen, claimed


def convert(res, wav_dir, jobs, clips):
    def one(c):
        c.wav = os.path.join(wav_dir, c.uttid + ".wav")
        if not (os.path.exists(c.wav) and os.path.getsize(c.wav) > 44):
            queen_audio.mp3_to_wav(res.read(c.file), c.wav)
        c.seconds = wav_seconds(c.wav)
        return c
    return run_parallel(jobs, one, clips)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--game-file", required=True, help="queen.1c of the Debian package " + PACKAGE)
    ap.add_argument("--out", required=True, help="the Kaldi data dir to write")
    ap.add_argument("--wav-dir", required=True, help="where the 16 kHz WAV clips go")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    start = time.time()

    res = open_game(args.game_file)
    data = QueenDataDir(args.out, "Flight of the Amazon Queen (Debian %s 1.0.0-9, %s)" % (
        PACKAGE, args.game_file))
    clips = script_clips(res)
    chosen, claimed = select_clips(res, clips, data)
    os.makedirs(args.wav_dir, exist_ok=True)
    convert(res, args.wav_dir, args.jobs, chosen)

    non_speech = 0
    per_spk = collections.defaultdict(lambda: [0, 0.0])
    per_kind = collections.defaultdict(lambda: [0, 0.0])
    for c in chosen:
        what = "%s (%s)" % (c.file, c.source)
        if c.seconds < MIN_SECONDS:
            data.drop(what, "audio shorter than %.1f s" % MIN_SECONDS)
            continue
        if len(c.text) > MAX_CHARS_PER_SECOND * c.seconds:
            data.drop(what, "text too long for its audio (> %d characters a second)" %
                      MAX_CHARS_PER_SECOND)
            continue
        data.add(c.uttid, c.spk, c.wav, c.text, GENDER.get(c.spk))
        non_speech += not c.text
        per_spk[c.spk][0] += 1
        per_spk[c.spk][1] += c.seconds
        per_kind[c.kind][0] += 1
        per_kind[c.kind][1] += c.seconds

    speech_entries = res.names(".SB")
    unmapped = [n for n in speech_entries if n not in claimed]
    effects = [n for n in unmapped if "SSSS" in n]
    others = [n for n in unmapped if "SSSS" not in n]
    data.extra.append("voice entries: %d .SB in %s, %d named by a script line, %d unmapped: "
                      "%d room sound effects (e.g. %s), %d takes no script line names (%s)" % (
                          len(speech_entries), os.path.basename(args.game_file), len(claimed),
                          len(unmapped), len(effects), ", ".join(effects[:3]), len(others),
                          ", ".join(others)))
    data.extra.append("non-speech clips kept (text only a tag like <laugh>): %d" % non_speech)
    for kind in sorted(per_kind):
        data.extra.append("kept %s: %d clips, %.2f h" % (kind, per_kind[kind][0],
                                                         per_kind[kind][1] / 3600))
    data.write()
    rows = sorted(per_spk.items(), key=lambda kv: -kv[1][1])
    path = os.path.join(args.out, "speakers.tsv")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("speaker\tclips\tseconds\n")
        for spk, (n, secs) in rows:
            f.write("%s\t%d\t%.1f\n" % (spk, n, secs))
    os.replace(path + ".tmp", path)
    sys.stderr.write("import_queen: %d clips kept, %d dropped, %.1f s\n" % (
        len(data.rows), sum(data.dropped.values()), time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
