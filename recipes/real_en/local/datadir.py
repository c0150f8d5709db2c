"""What every real_en importer shares: script text to the recipe's normalized form,
audio to 16 kHz 16-bit mono WAV (through sox), and a Kaldi data dir written with a
report of what was kept, dropped and why.

An importer builds a DataDir, calls add() for each clip it keeps (or drop() with a
reason for each it does not), then write(). Nothing is written to the data dir until
write(): the files are replaced whole (a temporary name, then a rename), so a rerun
or an interrupted run never leaves half a data dir.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "utils"))
from text_norm import normalize  # noqa: E402

SAMPLE_RATE_HZ = 16000

# Stage directions and non-speech inside script lines: <gulp>, <ahem>, [tone], (sigh).
_TAGS = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}")


def normalize_script(raw):
    """A game or prompt script line in the recipe's normalized text form.

    Stage tags (`<gulp>`, `[beep]`, `{...}`) are dropped; emphasis capitals are
    lowered by the normalizer; backticks and other punctuation become spaces,
    except apostrophes inside words; digits are spelled out. An empty result means
    the clip holds no words (a laugh, a tone): importers keep it only as non-speech.
    """
    text = _TAGS.sub(" ", raw)
    text = text.replace("`", "'").replace("^_", " ")
    # Accented letters (Latin-1 in the game scripts) folded to ASCII before the
    # normalizer, which lowercases ASCII only.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = normalize(text)
    # Keep only what the model's vocabulary spells: a-z, apostrophe, space.
    text = re.sub(r"[^a-z' ]", " ", text)
    return " ".join(text.split())


def importer_arguments(prog, description=None):
    """An argument parser with the options every importer takes: --out, --wav-dir, --jobs."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--out", required=True, help="the Kaldi data dir to write")
    ap.add_argument("--wav-dir", required=True, help="where the 16 kHz WAV clips go")
    ap.add_argument("--jobs", type=int, default=2, help="parallel audio conversions")
    return ap


def missing(prog, found, what, package, path):
    """Prints `PROG: error: WHAT not found, install the Debian package PACKAGE (PATH)`
    and returns True when `found` is false (the caller exits with status 1)."""
    if not found:
        sys.stderr.write("%s: error: %s not found, install the Debian package %s (%s)\n" %
                         (prog, what, package, path))
    return not found


def sox_to_wav(sox_input_args, out_path, data=None):
    """Converts audio to 16 kHz 16-bit mono WAV with sox.

    sox_input_args: sox's input side, e.g. ["-t", "raw", "-r", "11025", "-e",
    "unsigned", "-b", "8", "-c", "1", "-"] with `data` (bytes) on stdin, or
    [path]. The WAV is written under a temporary name and renamed: a file at
    out_path is always whole. Raises RuntimeError with sox's message on failure.
    """
    tmp = out_path + ".tmp.wav"
    cmd = (["sox", "-V1"] + sox_input_args +
           ["-r", str(SAMPLE_RATE_HZ), "-b", "16", "-c", "1", "-e", "signed-integer", tmp])
    proc = subprocess.run(cmd, input=data, capture_output=True)
    if proc.returncode != 0:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise RuntimeError("sox failed on %s: %s" %
                           (out_path, proc.stderr.decode(errors="replace").strip()))
    os.replace(tmp, out_path)


def run_parallel(jobs, fn, items):
    """fn(item) for each item on `jobs` threads (the work is in sox processes), in order."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(fn, items))


def wav_seconds(path):
    """Duration of a 16-bit mono WAV written by sox_to_wav (from its size)."""
    return max(0, os.path.getsize(path) - 44) / (2.0 * SAMPLE_RATE_HZ)


class DataDir:
    """A Kaldi data dir under construction: wav.scp, text, utt2spk, spk2utt,
    spk2gender (where known) and report.txt.

    Utterance ids must start with their speaker id (Kaldi's sorting rule), which
    add() checks. Speaker ids name the source: `sky_foster`, `queen_joe`, ...
    """

    def __init__(self, out_dir, source):
        self.out_dir = out_dir
        self.source = source
        self.rows = {}  # uttid -> (spk, wav_path, text)
        self.gender = {}
        self.dropped = collections.Counter()
        self.examples = collections.defaultdict(list)

    def add(self, uttid, spk, wav_path, text, gender=None):
        """Keeps one clip. text: normalized (may be empty: a non-speech clip)."""
        if not uttid.startswith(spk + "-"):
            raise ValueError("uttid %s does not start with its speaker %s-" % (uttid, spk))
        if uttid in self.rows:
            raise ValueError("duplicate uttid %s" % uttid)
        if any(c.isspace() for c in uttid + spk):
            raise ValueError("whitespace in uttid or speaker: %r %r" % (uttid, spk))
        self.rows[uttid] = (spk, os.path.abspath(wav_path), text)
        if gender:
            self.gender[spk] = gender

    def drop(self, what, reason):
        """Records a clip or line not kept, counted by reason (a few examples kept)."""
        self.dropped[reason] += 1
        if len(self.examples[reason]) < 5:
            self.examples[reason].append(what)

    def write(self):
        os.makedirs(self.out_dir, exist_ok=True)
        utts = sorted(self.rows)
        self._write("wav.scp", ("%s %s\n" % (u, self.rows[u][1]) for u in utts))
        self._write("text", (("%s %s" % (u, self.rows[u][2])).rstrip() + "\n" for u in utts))
        self._write("utt2spk", ("%s %s\n" % (u, self.rows[u][0]) for u in utts))
        spk2utt = collections.defaultdict(list)
        for u in utts:
            spk2utt[self.rows[u][0]].append(u)
        self._write("spk2utt", ("%s %s\n" % (s, " ".join(spk2utt[s])) for s in sorted(spk2utt)))
        path = os.path.join(self.out_dir, "spk2gender")
        if self.gender:
            self._write("spk2gender", ("%s %s\n" % (s, self.gender[s])
                                       for s in sorted(self.gender) if s in spk2utt))
        elif os.path.exists(path):
            os.remove(path)
        self._write("report.txt", self.report_lines())

    def finish(self):
        """Writes the data dir and prints its report on stdout; returns exit status 0."""
        self.write()
        sys.stdout.write("".join(self.report_lines()))
        return 0

    def report_lines(self):
        speech = sum(1 for r in self.rows.values() if r[2])
        secs = sum(wav_seconds(r[1]) for r in self.rows.values() if os.path.exists(r[1]))
        spks = len({r[0] for r in self.rows.values()})
        yield "source %s\n" % self.source
        yield "kept %d clips (%d with words, %d non-speech), %d speakers, %.2f h\n" % (
            len(self.rows), speech, len(self.rows) - speech, spks, secs / 3600)
        yield "words %d\n" % sum(len(r[2].split()) for r in self.rows.values())
        for reason, n in sorted(self.dropped.items(), key=lambda kv: -kv[1]):
            yield "dropped %d: %s (e.g. %s)\n" % (n, reason, ", ".join(self.examples[reason]))

    def _write(self, name, lines):
        path = os.path.join(self.out_dir, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.writelines(lines)
        os.replace(path + ".tmp", path)
