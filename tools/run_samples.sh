#!/usr/bin/env bash
# `make run`: the main job. Transcribes samples/*.wav with the bundled model
# and scores the transcripts against samples/text (uttid = file name stem).
set -euo pipefail
attend=${1:-build/tools/attend}
model=models/default.attend
if [ ! -f "$model" ]; then
  echo "attend: no bundled model in $model yet (recipes/synth_en trains it); showing the CLI." >&2
  "$attend" --version
  "$attend" --help
  exit 0
fi
shopt -s nullglob
wavs=(samples/*.wav)
if [ ${#wavs[@]} -eq 0 ]; then
  echo "attend: no samples/*.wav to transcribe" >&2
  exit 1
fi
scp=$(mktemp) hyp=$(mktemp)
trap 'rm -f "$scp" "$hyp"' EXIT
for f in "${wavs[@]}"; do printf '%s %s\n' "$(basename "$f" .wav)" "$f"; done > "$scp"
"$attend" transcribe --model "$model" --scp "$scp" | tee "$hyp"
if [ -f samples/text ]; then
  echo "--- against samples/text:"
  "$attend" score --ref samples/text --hyp "$hyp"
fi
