#!/usr/bin/env bash
# The data curve: real_test WER against the share of real training speech. For each
# fraction, the real training utterances whose uttid hashes below it (with their
# augmented copies) plus the whole synthetic part fine-tune the same starting model
# for the same number of steps; each model decodes real_test greedily and with beam +
# CTC. Needs stages 0-3 (and 5 for the LM) of run.sh.
#
#   local/data_curve.sh [--fractions "0.25 0.5 1"] [--steps 2500] [--data data] [--exp exp/curve]
#                       [--full-model exp/train/checkpoints/epoch2.attend]
#
# --full-model: for fraction 1, a model that stage 4 of run.sh already fine-tuned with
# the same config and starting model for exactly --steps steps (a checkpoint of it),
# used instead of training the same thing again.
#
# Writes $exp/f<fraction>/{train,decode_*} and $exp/curve.txt (fraction, real hours,
# speakers, WERs). A rerun resumes an interrupted fine-tune and skips finished ones.
set -euo pipefail
cd "$(dirname "$0")/.."

fractions="0.25 0.5 1"
steps=2500
data=data
exp=exp/curve
train_conf=conf/finetune_mix.conf
init_model=../../models/default.attend
nj=2
full_model=
# shellcheck source=SCRIPTDIR/../../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/../path.sh
. ./path.sh
mkdir -p "$exp"

subset() {  # subset FRACTION IN_DIR OUT_DIR [PREFIX]: the utterances whose key hashes below it
  local frac=$1 in=$2 out=$3 prefix=${4:-}
  mkdir -p "$out"
  # The hash is of the uttid without the augmentation prefix, so an utterance and
  # its copies are in or out together.
  python3 -c '
import sys, zlib
frac, prefix = float(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    utt = line.split(maxsplit=1)[0]
    key = utt[len(prefix):] if prefix and utt.startswith(prefix) else utt
    if zlib.crc32(key.encode()) % 10000 < frac * 10000:
        print(utt)
' "$frac" "$prefix" <"$in/wav.scp" >"$out/keys"
  for f in wav.scp text utt2spk; do
    awk 'NR == FNR { k[$1]; next } $1 in k' "$out/keys" "$in/$f" >"$out/$f"
  done
}

for frac in $fractions; do
  dir=$exp/f$frac
  mkdir -p "$dir"
  [ -f "$dir/real/wav.scp" ] || subset "$frac" "$data/real_train" "$dir/real"
  if [ "$frac" = 1 ] && [ -n "$full_model" ] && [ ! -f "$dir/train/model.attend" ]; then
    mkdir -p "$dir/train"
    cp "$full_model" "$dir/train/model.attend"
    echo "$full_model" >"$dir/train/copied_from"
  fi
  if [ ! -f "$dir/train/model.attend" ]; then
    subset "$frac" "$data/real_train_aug1" "$dir/aug1" aug1-
    subset "$frac" "$data/real_train_aug2" "$dir/aug2" aug2-
    combine_dirs.sh "$dir/mix" "$dir/real" "$dir/aug1" "$dir/aug2" "$data/synth_train_bl"
    resume=()
    [ ! -f "$dir/train/checkpoints/last.attend" ] || resume=(--resume)
    nice -n 10 attend train --config "$train_conf" --init-model "$init_model" --epochs 1000 \
      --max-steps "$steps" --data "$dir/mix" --dev "$data/real_dev" --exp "$dir/train" \
      "${resume[@]}"
  fi
  for setting in "greedy:--beam=1 --ctc-weight=0" "beam_ctc:--beam=8 --ctc-weight=0.3"; do
    name=${setting%%:*}
    # shellcheck disable=SC2086  # the options are a word list
    [ -f "$dir/decode_$name/hyp" ] || {
      mkdir -p "$dir/decode_$name"
      attend transcribe --quiet --jobs "$nj" --threads 1 --model "$dir/train/model.attend" \
        --scp "$data/real_test/wav.scp" ${setting#*:} >"$dir/decode_$name/hyp.tmp"
      mv "$dir/decode_$name/hyp.tmp" "$dir/decode_$name/hyp"
    }
  done
done

{
  printf '%-9s %-11s %-9s %-12s %-12s\n' fraction real_hours speakers greedy_WER beam_ctc_WER
  for frac in $fractions; do
    dir=$exp/f$frac
    hours=$(cut -d' ' -f2 "$dir/real/wav.scp" | xargs soxi -D | awk '{ s += $1 } END { printf "%.2f", s / 3600 }')
    spks=$(cut -d' ' -f2 "$dir/real/utt2spk" | sort -u | wc -l)
    wer() { attend score --ref "$data/real_test/text" --hyp "$dir/decode_$1/hyp" | awk '/^%WER/ { print $2 }'; }
    printf '%-9s %-11s %-9s %-12s %-12s\n' "$frac" "$hours" "$spks" "$(wer greedy)" "$(wer beam_ctc)"
  done
} | tee "$exp/curve.txt"
