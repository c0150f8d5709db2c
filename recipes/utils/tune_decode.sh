#!/usr/bin/env bash
# Picks decoding options on dev (never on test); stage 4 of recipes/synth_en and real_en.
#
#   tune_decode.sh MODEL DEV_DIR OUT_DIR NJ OPTIONS...
#
# Decodes DEV_DIR/wav.scp once per OPTIONS string (each a space-separated list of
# `attend transcribe` flags) into OUT_DIR/<n>/hyp, scores each against
# DEV_DIR/text, writes `WER CER options` lines to OUT_DIR/tune.txt and prints
# the options with the lowest dev WER (the first of equals) on stdout.
# A candidate already decoded with the same model file and options is not
# decoded again, so an interrupted stage resumes (OUT_DIR/<n>/key holds the
# model's checksum and the options).
set -euo pipefail
[ $# -ge 5 ] || { echo "usage: $0 MODEL DEV_DIR OUT_DIR NJ OPTIONS..." >&2; exit 2; }
model=$1 dev=$2 out=$3 nj=$4
shift 4

mkdir -p "$out"
: >"$out/tune.txt"
model_sum=$(cksum <"$model" | cut -d' ' -f1)
best_wer='' best_opts=''
n=0
for opts in "$@"; do
  n=$((n + 1))
  dir=$out/$n
  mkdir -p "$dir"
  key="$model_sum $opts"
  if [ ! -f "$dir/hyp" ] || [ "$(cat "$dir/key" 2>/dev/null)" != "$key" ]; then
    rm -f "$dir/hyp"
    # shellcheck disable=SC2086  # $opts is a word list
    attend transcribe --quiet --jobs "$nj" --threads 1 --model "$model" \
      --scp "$dev/wav.scp" $opts >"$dir/hyp.tmp"
    printf '%s\n' "$key" >"$dir/key"
    mv "$dir/hyp.tmp" "$dir/hyp"
  fi
  attend score --ref "$dev/text" --hyp "$dir/hyp" >"$dir/score.txt"
  wer=$(awk '/^%WER/ { print $2 }' "$dir/score.txt")
  cer=$(awk '/^%CER/ { print $2 }' "$dir/score.txt")
  printf '%8s %8s  %s\n' "$wer" "$cer" "$opts" >>"$out/tune.txt"
  if [ -z "$best_wer" ] || awk -v a="$wer" -v b="$best_wer" 'BEGIN { exit !(a < b) }'; then
    best_wer=$wer best_opts=$opts
  fi
done
printf '%8s %8s  %s   <- best\n' "$best_wer" "" "$best_opts" >>"$out/tune.txt"
printf '%s\n' "$best_opts"
