#!/usr/bin/env bash
# recipes/confidence: word confidences a model ships with, fitted on dev sets and
# judged on held-out test sets as NIST's sclite judges them (normalized cross
# entropy) and by expected calibration error, before and after calibration,
# real human speech and synthetic speech reported apart.
#
#   ./run.sh [--stage N] [--stop-stage M] [--model ../../models/default.attend]
#            [--src ../real_en/data] [--max-utts 300] [--exp exp/default] [--nbest-scale 1]
#
# Stages (.done markers in $exp/.done):
#   0 subsets  every ceil(N/max_utts)-th utterance of each sorted set, first one first
#              (real_dev, real_test, synth/dev, synth/test of --src)  -> $exp/data/<set>
#   1 features dev sets decoded uncalibrated with word features (JSON) -> $exp/decode_<set>
#   2 fit      logistic calibration on both dev sets together   -> $exp/confidence.conf
#   3 decode   test sets as CTM, uncalibrated and calibrated    -> $exp/decode_<set>/{raw,cal}.ctm
#   4 score    sclite (-o sum sgml) per CTM, then the table      -> $exp/report.txt
# The fitted lines belong in MODEL.decode.conf (models/README.md says how the bundled
# ones were made). Needs sctk (`make deps`). Decoding: nice -n 15, one job, one thread.
set -euo pipefail
cd "$(dirname "$0")"

stage=0
stop_stage=100
model=../../models/default.attend
src=../real_en/data
max_utts=300
nbest_scale=1
exp=exp/default
force_stage=
help_message="usage: $0 [options]  (stages: 0 subsets, 1 features, 2 fit, 3 decode, 4 score)"
# shellcheck source=SCRIPTDIR/../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/path.sh
. ./path.sh
# shellcheck source=SCRIPTDIR/../utils/run_stage.sh
. ../utils/run_stage.sh
done_dir=$exp/.done
mkdir -p "$exp"

dev_sets="real_dev synth_dev"
test_sets="real_test synth_test"
source_dir() { case $1 in synth_*) echo "$src/synth/${1#synth_}" ;; *) echo "$src/$1" ;; esac; }
decode() {  # decode SET FORMAT OUT [attend transcribe options...]
  local set=$1 format=$2 out=$3
  shift 3
  nice -n 15 attend transcribe --model "$model" --scp "$exp/data/$set/wav.scp" --format "$format" \
    --jobs 1 --threads 1 --quiet "$@" > "$out.tmp"
  mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- stage 0: subsets
if stage_begin 0 subsets; then
  for set in $dev_sets $test_sets; do
    dir=$exp/data/$set
    mkdir -p "$dir"
    in=$(source_dir "$set")
    n=$(wc -l < "$in/wav.scp")
    step=$(((n + max_utts - 1) / max_utts))
    sort "$in/wav.scp" | awk -v step="$step" '(NR - 1) % step == 0' > "$dir/wav.scp"
    awk 'NR == FNR { keep[$1] = 1; next } $1 in keep' "$dir/wav.scp" "$in/text" | sort > "$dir/text"
    # STM: one segment per utterance, its uttid as file and speaker.
    awk '{ printf "%s 1 %s 0.000 9999.000", $1, $1; for (i = 2; i <= NF; i++) printf " %s", $i;
           printf "\n" }' "$dir/text" > "$dir/stm"
    log "$set: $(wc -l < "$dir/wav.scp") of $n utterances (every ${step}. one)"
  done
  stage_done 0 subsets
fi

# --------------------------------------------------------------- stage 1: features
if stage_begin 1 features; then
  for set in $dev_sets; do
    mkdir -p "$exp/decode_$set"
    decode "$set" json "$exp/decode_$set/features.json" --confidence-weights none \
      --confidence-features --confidence-nbest-scale "$nbest_scale"
  done
  stage_done 1 features
fi

# -------------------------------------------------------------------- stage 2: fit
if stage_begin 2 fit; then
  pairs=()
  for set in $dev_sets; do pairs+=("$exp/decode_$set/features.json:$exp/data/$set/text"); done
  fit_confidence.py --out "$exp/confidence.conf" --nbest-scale "$nbest_scale" "${pairs[@]}" |
    tee "$exp/fit.log"
  stage_done 2 fit
fi

# ----------------------------------------------------------------- stage 3: decode
if stage_begin 3 decode; then
  for set in $test_sets; do
    mkdir -p "$exp/decode_$set"
    decode "$set" ctm "$exp/decode_$set/raw.ctm" --confidence-weights none
    decode "$set" ctm "$exp/decode_$set/cal.ctm" --config "$exp/confidence.conf"
  done
  stage_done 3 decode
fi

# ------------------------------------------------------------------ stage 4: score
if stage_begin 4 score; then
  rows=()
  for set in $test_sets; do
    for kind in raw cal; do
      d=$exp/decode_$set
      sctk sclite -r "$exp/data/$set/stm" stm -h "$d/$kind.ctm" ctm -o sum sgml -O "$d" \
        -n "$kind" > /dev/null
      rows+=("$set/$kind:$d/$kind")
    done
  done
  confidence_report.py "${rows[@]}" | tee "$exp/report.txt"
  stage_done 4 score
fi
