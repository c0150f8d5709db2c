#!/usr/bin/env python3
"""Runs `attend` on every item of the bad-input corpus (make_corpus.py) the
way a user would and checks how it answers.

Usage: run_corpus.py ATTEND_BINARY SOURCE_ROOT WORK_DIR [ITEM_SUBSTRING]

Every item, whatever its expectation: no signal (crash, abort), no hang
(each run is killed after a time limit), and
  error:   a non-zero exit and exactly one `attend: error: ... (FILE)` line;
  warning: exit 0, no error line, an `attend: warning: ... (FILE)` line;
  ok:      exit 0, no error or warning line.
Audio items are transcribed into an --output-dir: after an error it holds no
file (none half-written), otherwise exactly the finished transcript. Batch
items (a bad file between two good samples in a wav.scp, for `transcribe` and
`features`) must still transcribe, or write the features of, both good
samples, and exit 1 when the bad one is an error.
Exits 1 if any item fails, listing each failure.
"""
import concurrent.futures
import os
import subprocess
import sys
import time

TIME_LIMIT_S = 20


def command(item, kind, attend, corpus, root, path, out_dir):
    model = os.path.join(corpus, "plain.attend")
    good = os.path.join(corpus, "good.wav")
    # Greedy search on one thread per run (two run at once): the corpus tests
    # input handling, not decoding speed.
    fast = ["--quiet", "--beam", "1", "--threads", "1"]
    transcribe = [attend, "transcribe"] + fast + ["--model", model]
    return {
        "audio": transcribe + ["--output-dir", out_dir, path],
        "batch": transcribe + ["--scp", os.path.join(corpus, item + ".scp")],
        "features_batch": [attend, "features", "scp:" + os.path.join(corpus, item + ".scp"),
                           "ark,t:" + out_dir + ".ark"],
        "scp": transcribe + ["--scp", path],
        "segments": transcribe + ["--scp", os.path.join(corpus, "good.scp"), "--segments", path],
        "score": [attend, "score", "--ref", path, "--hyp", os.path.join(root, "samples", "text")],
        "config": transcribe + ["--config", path, good],
        "model": [attend, "transcribe"] + fast + ["--model", path, good],
        "word_lm": transcribe + ["--word-lm", path, "--word-lm-weight", "0.3", good],
    }[kind]


def check(item, kind, expect, path, attend, corpus, root):
    """Seconds taken and the problems with how attend answered one item."""
    out_dir = os.path.join(corpus, "out", item)
    argv = command(item, kind, attend, corpus, root, path, out_dir)
    start = time.monotonic()
    try:
        run = subprocess.run(argv, capture_output=True, timeout=TIME_LIMIT_S)
    except subprocess.TimeoutExpired:
        return TIME_LIMIT_S, ["no answer within %d s (hang?)" % TIME_LIMIT_S]
    seconds = time.monotonic() - start
    stderr = run.stderr.decode("utf-8", "replace")
    stdout = run.stdout.decode("utf-8", "replace")
    errors = [l for l in stderr.splitlines() if l.startswith("attend: error:")]
    warnings = [l for l in stderr.splitlines() if l.startswith("attend: warning:")]
    problems = []
    named = "(%s)" % path
    if run.returncode < 0:
        problems.append("killed by signal %d" % -run.returncode)
    elif expect == "error":
        if run.returncode == 0:
            problems.append("exit status 0, expected an error")
        if len(errors) != 1:
            problems.append("%d error lines, expected 1" % len(errors))
        elif named not in errors[0]:
            problems.append("the error does not name the file as %s" % named)
    else:
        if run.returncode != (1 if "batch" in kind and expect == "error" else 0):
            problems.append("exit status %d" % run.returncode)
        if errors:
            problems.append("error lines")
        if expect == "warning" and not any(named in l for l in warnings):
            problems.append("no warning naming the file as %s" % named)
        if expect == "ok" and warnings:
            problems.append("unexpected warning")
    if kind == "batch":
        for key in ("good1", "good2"):
            if not any(l.startswith(key + " ") and l.split(maxsplit=1)[1:] for l in
                       stdout.splitlines()):
                problems.append("good item %s not transcribed" % key)
    if kind == "features_batch":
        with open(out_dir + ".ark", encoding="utf-8") as f:
            keys = [l.split()[0] for l in f if l.rstrip().endswith("[")]
        expected = ["good1", "good2"] if expect == "error" else ["good1", "bad", "good2"]
        if keys != expected:
            problems.append("features of %s, expected %s" % (keys, expected))
    if kind == "audio":
        written = sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else []
        if expect == "error" and written:
            problems.append("files left in --output-dir after an error: %s" % written)
        if expect != "error":
            stem = os.path.splitext(os.path.basename(path))[0]
            if written != [stem + ".txt"]:
                problems.append("--output-dir holds %s, expected %s.txt" % (written, stem))
            else:
                with open(os.path.join(out_dir, written[0]), encoding="utf-8") as f:
                    if not f.read().endswith("\n"):
                        problems.append("transcript file not finished")
    if problems:
        problems.append("command: %s\n    stderr: %s" % (" ".join(argv), stderr.strip()[-600:]))
    return seconds, problems


def main():
    attend, root, work = sys.argv[1:4]
    only = sys.argv[4] if len(sys.argv) > 4 else ""
    corpus = os.path.join(work, "corpus")
    subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "make_corpus.py"),
                    root, corpus], check=True)
    os.makedirs(os.path.join(corpus, "out"))
    with open(os.path.join(corpus, "manifest.tsv")) as f:
        items = [l.rstrip("\n").split("\t") for l in f][1:]
    items = [i for i in items if only in i[0]]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda i: check(*i, attend, corpus, root), items))
    failed = 0
    for (item, kind, expect, _), (seconds, problems) in zip(items, results):
        print("%-4s %-36s %-14s %-8s %5.1f s" % ("FAIL" if problems else "ok", item, kind, expect,
                                                 seconds))
        for p in problems:
            print("    " + p)
        failed += bool(problems)
    print("%d of %d items failed" % (failed, len(items)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
