#!/usr/bin/env bash
# `make run`: the main job. Transcribes samples/*.wav with the bundled model
# once one exists; until then says so and shows what the binary can do.
set -euo pipefail
attend=${1:-build/tools/attend}
model=models/default.attend
if [ -f "$model" ] && "$attend" --help | grep -q '^  transcribe'; then
  exec "$attend" transcribe --model "$model" samples/*.wav
fi
echo "attend: no bundled model in $model yet (the training issue produces it); showing the CLI." >&2
"$attend" --version
"$attend" --help
