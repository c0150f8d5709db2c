#!/usr/bin/env bash
# How much of a model's error is the voice: the same dev sentences, clean (no
# speed change, filter, reverb or noise), rendered by each of the given voices
# and scored one voice at a time. A voice heard in training against one never
# heard, on sentences neither was trained on, separates the unseen-voice gap
# from everything else.
#
#   local/voice_gap.sh [--num 60] [--model M] [--data data/dev] [--work DIR]
#                      [--decode-opts "--beam 8 ..."] ENGINE:VOICE...
#
# ENGINE is espeak (VOICE = base+variant, e.g. en-us+m3), flite, festival or
# xlang (local/synth_utts.sh renders the rows). Prints `engine:voice WER CER`.
# Use dev sentences only: test stays unseen. Run from recipes/synth_en.
set -euo pipefail

num=60
model=exp/train/model.attend
data=data/dev
work=exp/voice_gap
decode_opts="--beam 8 --ctc-weight 0.1 --length-normalization"  # stage 5's beam_ctc row
help_message="usage: $0 [--num N] [--model M] [--data DIR] [--work DIR] [--decode-opts O] ENGINE:VOICE..."
# shellcheck source=SCRIPTDIR/../../utils/parse_options.sh
. ../utils/parse_options.sh
[ $# -ge 1 ] || { echo "$help_message" >&2; exit 1; }
# shellcheck source=SCRIPTDIR/../path.sh
. ./path.sh

mkdir -p "$work/wav/noise"
# synth_utts.sh reads the noise table even when no row uses noise.
[ -s "$work/wav/noise/stats.txt" ] || echo "none 0 1" >"$work/wav/noise/stats.txt"
head -n "$num" "$data/text" | sed 's/^[^ ]*-//' >"$work/sentences"

for spec in "$@"; do
  engine=${spec%%:*}
  voice=${spec#*:}
  variant=none
  if [ "$engine" = espeak ] && [[ $voice == *+* ]]; then
    variant=${voice#*+}
    voice=${voice%%+*}
  fi
  case $engine in
    espeak) rate=160 pitch=50 ;;
    *) # The voice's mean F0, as stage 1 plans it (local/plan_audio.py).
      rate=1.0
      pitch=$(cd local && python3 -c "import plan_audio; print(plan_audio.VOICE_F0_HZ.get('$voice', 110))")
      ;;
  esac
  name=$(tr -c 'a-zA-Z0-9_\n' _ <<<"${engine}_${voice}_${variant}")
  wav_dir=$work/wav/$name
  # Rows as in synth.tsv: no speed change, filter, reverb or noise; peak at -1 dBFS.
  awk -v e="$engine" -v v="$voice" -v var="$variant" -v r="$rate" -v p="$pitch" -v n="$name" '{
    id = n "-" $1; text = $0; sub(/^[^ ]* /, "", text)
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t1\tnone\t0\t0\t0\t0\tnone\t0\t0\t-1\t%s\n", id, n, e, v, var, r, p, text
  }' "$work/sentences" >"$work/$name.tsv"
  xargs -d '\n' -n 25 -P 2 local/synth_utts.sh "$wav_dir" "$work/wav/noise" <"$work/$name.tsv"
  awk -F'\t' -v d="$(cd "$wav_dir" && pwd)" '{ print $1, d "/" $1 ".wav" }' "$work/$name.tsv" >"$work/$name.scp"
  cut -f1,18 "$work/$name.tsv" | tr '\t' ' ' >"$work/$name.text"
  # shellcheck disable=SC2086  # $decode_opts is a list of flags
  attend transcribe --quiet --jobs 2 --threads 1 --model "$model" --scp "$work/$name.scp" \
    $decode_opts >"$work/$name.hyp"
  attend score --ref "$work/$name.text" --hyp "$work/$name.hyp" >"$work/$name.score"
  awk -v s="$spec" '/^%WER/ { w = $2 } /^%CER/ { c = $2 } END { print s, w, c }' "$work/$name.score"
done
