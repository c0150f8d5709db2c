#!/usr/bin/python3
"""Imports the human speech of Beneath a Steel Sky (Debian package
beneath-a-steel-sky 0.0372-8) as a Kaldi data dir of 16 kHz WAV clips with
their script text, speakers from the game's scripts.

  import_sky.py --game-dir /usr/share/scummvm/beneath-a-steel-sky \\
      --out DATA/sky --wav-dir DATA/wav/sky [--jobs 2]

Speech files 50000-55277 hold raw 8-bit unsigned mono PCM at 11,025 Hz after
their 22-byte header; each speaks one text line (sky_text.speech_file). A WAV
already in --wav-dir with the expected length is reused (WAVs are written under
a temporary name and renamed, so one that is there is whole).
"""
import argparse
import collections
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datadir  # noqa: E402
import rnc  # noqa: E402
import sky_disk  # noqa: E402
import sky_script  # noqa: E402
import sky_text  # noqa: E402

PACKAGE = "beneath-a-steel-sky"
SPEECH_FIRST, SPEECH_LAST = 50000, 55277
EXPECTED_SPEECH_FILES = 3491
EXPECTED_TEXT_LINES = (565, 485, 1304, 923, 1141, 532, 121, 97)
CPT_NAME = "sky.cpt"
EXPECTED_CPT_SIZE = 419427
PCM_RATE = 11025
SOX_PCM_IN = ["-t", "raw", "-r", str(PCM_RATE), "-e", "unsigned-integer", "-b", "8", "-c", "1", "-"]

MIN_SECONDS = 0.3
MAX_CHARS_PER_SECOND = 25.0

# Compact names of one character that the game splits by scene or state.
SPEAKER_ALIASES = {
    "gallager_bel": "gallagher", "mini_so": "so", "full_so": "so",
    "sc31_guard": "blunt", "sc42_blunt": "blunt", "joey_park": "joey",
    "sc76_android_2": "android", "sc76_android_3": "android",
}
# Gender only where the game leaves no doubt.
GENDERS = {
    "foster": "m", "joey": "m", "anita": "f", "danielle": "f", "lamb": "m",
    "anchor": "m", "trevor": "m", "colston": "m", "gallagher": "m", "babs": "f",
    "father": "m", "ken": "m", "helga": "f", "dad": "m", "son": "m",
    "jobsworth": "m", "burke": "m", "foreman": "m", "radman": "m", "blunt": "m",
    "henri": "m", "vincent": "m",
}


def speaker_name(compact_name, cid):
    """`sky_<name>`: the compact's name without its scene prefix (sc42_judge ->
    judge), aliases merged; `sky_c<id>` for a compact without a name."""
    if not compact_name:
        return "sky_c%d" % cid
    name = SPEAKER_ALIASES.get(compact_name, compact_name)
    name = re.sub(r"^sc\d+_", "", name)
    name = SPEAKER_ALIASES.get(name, name)
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return "sky_" + name


def text_speakers(disk, cpt_path):
    """({text number: speaker id}, stats dict) from the scripts and sky.cpt."""
    modules = {}
    for n in range(sky_script.F_MODULE_0, sky_script.F_MODULE_0 + 16):
        if n in disk:
            modules[n - sky_script.F_MODULE_0] = sky_script.module_words(disk.load(n))
    with open(cpt_path, "rb") as f:
        cpt = sky_script.parse_cpt(f.read())
    events = sky_script.script_events(modules)
    runners, targets = sky_script.script_contexts(
        events, {cid: (ctype, words) for cid, (_, ctype, words) in cpt.items()})
    votes = sky_script.speaker_votes(events, runners, targets)
    out = {}
    conflicts = 0
    for text, counter in votes.items():
        names = collections.Counter()
        for cid, n in counter.items():
            names[speaker_name(cpt[cid][0] if cid in cpt else "", cid)] += n
        ranked = names.most_common()
        if len(ranked) > 1:
            conflicts += 1
            if ranked[0][1] == ranked[1][1]:
                continue  # a tie: leave it unknown
        out[text] = ranked[0][0]
    return out, {"texts": len(votes), "conflicts": conflicts}


_DISK = None


def _decode(args):
    """Worker: (file number, game dir, wav path) -> (file number, seconds, error).
    Decodes one speech file (CRC-checked) and writes its WAV unless a whole one
    is already there."""
    num, game_dir, wav = args
    global _DISK
    if _DISK is None:
        _DISK = sky_disk.SkyDisk(game_dir, check_version=False)
    raw, _flags = _DISK.read_stored(num)
    head = sky_disk.parse_header(raw)
    n = head["tot_size"] - sky_disk.HEADER_LEN
    expected = n / PCM_RATE
    if os.path.exists(wav) and abs(datadir.wav_seconds(wav) - expected) < 0.002:
        return num, datadir.wav_seconds(wav), None
    try:
        data = _DISK.load(num)
    except rnc.RncError as e:
        return num, 0.0, "RNC: %s" % e
    pcm = data[sky_disk.HEADER_LEN:head["tot_size"]]
    if len(pcm) != n:
        return num, 0.0, "PCM %d bytes, header says %d" % (len(pcm), n)
    datadir.sox_to_wav(SOX_PCM_IN, wav, data=pcm)
    return num, datadir.wav_seconds(wav), None


class SkyDataDir(datadir.DataDir):
    """The data dir with the speaker coverage added to its report."""

    extra = ()

    def report_lines(self):
        yield from super().report_lines()
        for line in self.extra:
            yield line + "\n"


def fail(what, path):
    print("import_sky: error: %s; expected the data of the Debian package %s 0.0372-8 (%s)"
          % (what, PACKAGE, path), file=sys.stderr)
    sys.exit(1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--game-dir", default="/usr/share/scummvm/beneath-a-steel-sky")
    ap.add_argument("--out", required=True, help="Kaldi data dir to write")
    ap.add_argument("--wav-dir", required=True, help="where the 16 kHz WAVs go")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    t0 = time.time()

    try:
        disk = sky_disk.SkyDisk(args.game_dir)
    except sky_disk.SkyDataError as e:
        fail(e.what, e.path)
    cpt_path = os.path.join(args.game_dir, CPT_NAME)
    if not os.path.isfile(cpt_path):
        fail("missing game file", cpt_path)
    if os.path.getsize(cpt_path) != EXPECTED_CPT_SIZE:
        fail("size %d, expected %d" % (os.path.getsize(cpt_path), EXPECTED_CPT_SIZE), cpt_path)

    # Text lines.
    sections = []
    try:
        for s in range(sky_text.SECTIONS):
            sections.append(sky_text.decode_section(disk.load(sky_text.TEXT_FILE_0 + s)))
    except (KeyError, sky_text.TextError, rnc.RncError) as e:
        fail("English text section %d unreadable: %s" % (len(sections), e), disk.dsk_path)
    counts = tuple(len(lines) for lines in sections)
    if counts != EXPECTED_TEXT_LINES:
        fail("English text line counts %s, expected %s" % (counts, EXPECTED_TEXT_LINES),
             disk.dsk_path)

    speech = [n for n in sorted(disk.table) if SPEECH_FIRST <= n <= SPEECH_LAST]
    if len(speech) != EXPECTED_SPEECH_FILES:
        fail("%d speech files, expected %d" % (len(speech), EXPECTED_SPEECH_FILES),
             disk.dsk_path)

    try:
        speakers, spk_stats = text_speakers(disk, cpt_path)
    except (sky_script.ScriptError, ValueError, rnc.RncError) as e:
        fail("script data unreadable: %s" % e, disk.dsk_path)
    t_text = time.time() - t0

    # Audio: decode (processes: the RNC decoder is Python) and convert.
    os.makedirs(args.wav_dir, exist_ok=True)
    items = []
    texts = {}
    dd = SkyDataDir(args.out, "Beneath a Steel Sky (%s 0.0372-8), speech files %d-%d"
                    % (PACKAGE, SPEECH_FIRST, SPEECH_LAST))
    for num in speech:
        textnum = sky_text.speech_to_text(num, counts)
        if textnum is None:
            dd.drop(str(num), "no text line for the speech file")
            continue
        raw = sections[textnum >> 12][textnum & 0xFFF]
        spk = speakers.get(textnum, "sky_unknown")
        texts[num] = (textnum, raw, spk)
        items.append((num, args.game_dir, os.path.join(args.wav_dir, "sky-%05d.wav" % num)))
    with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(_decode, items, chunksize=16))
    t_audio = time.time() - t0 - t_text

    spk_clips = collections.Counter()
    spk_secs = collections.Counter()
    for (num, secs, err), item in zip(results, items):
        textnum, raw, spk = texts[num]
        wav = item[2]
        what = "%05d %r" % (num, raw[:40])
        if err:
            # A CRC mismatch means a decoder bug or damaged data: stop, loudly.
            fail("speech file %d: %s" % (num, err), disk.dsk_path)
        text = datadir.normalize_script(raw)
        if not text:
            if re.search(r"[A-Za-z0-9]", raw):
                dd.drop(what, "script line with letters normalizes to nothing")
                continue
            if secs < MIN_SECONDS:
                dd.drop(what, "shorter than %.1f s" % MIN_SECONDS)
                continue
        elif secs < MIN_SECONDS:
            dd.drop(what, "shorter than %.1f s" % MIN_SECONDS)
            continue
        elif len(text) > MAX_CHARS_PER_SECOND * secs:
            dd.drop(what, "text too long for the audio (> %d characters/s)" % MAX_CHARS_PER_SECOND)
            continue
        uttid = "%s-%05d" % (spk, num)
        dd.add(uttid, spk, wav, text, gender=GENDERS.get(spk[len("sky_"):]))
        spk_clips[spk] += 1
        spk_secs[spk] += secs

    known = sum(n for s, n in spk_clips.items() if s != "sky_unknown")
    kept = sum(spk_clips.values())
    dd.extra = (
        "speakers from the scripts: %d of %d kept clips (%.1f %%), %d speakers besides "
        "sky_unknown; %d text lines had a speak call with a known speaker, %d of them "
        "more than one speaker" % (known, kept, 100.0 * known / max(1, kept),
                                   len([s for s in spk_clips if s != "sky_unknown"]),
                                   spk_stats["texts"], spk_stats["conflicts"]),
        "per speaker: speakers.tsv",
    )
    dd.write()
    with open(os.path.join(args.out, "speakers.tsv.tmp"), "w") as f:
        f.write("speaker\tclips\tseconds\n")
        for spk, n in sorted(spk_clips.items(), key=lambda kv: -spk_secs[kv[0]]):
            f.write("%s\t%d\t%.1f\n" % (spk, n, spk_secs[spk]))
    os.replace(os.path.join(args.out, "speakers.tsv.tmp"), os.path.join(args.out, "speakers.tsv"))
    disk.close()
    print("import_sky: %d clips kept, %d dropped; text+speakers %.1f s, audio %.1f s, "
          "total %.1f s" % (kept, sum(dd.dropped.values()), t_text, t_audio, time.time() - t0))
    sys.stdout.write("".join(dd.report_lines()))


if __name__ == "__main__":
    main()
