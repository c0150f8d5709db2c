#!/usr/bin/env bash
# recipes/attention_study end to end at smoke-test size: every stage (data,
# CMVN, chunked training of all seven mechanisms with attention-stats after
# each chunk, decoding greedy and beam + CTC of every set, scoring, figures)
# through the built attend binary, on fabricated source data dirs made of the
# bundled samples (the real study reads recipes/real_en's data). A few steps
# teach nothing: this checks the plumbing, that every output exists and is
# well formed, and that a rerun skips every stage.
#
#   attention_study_smoke_test.sh BUILD_DIR RECIPE_DIR SAMPLES_DIR WORK_DIR
set -euo pipefail
export LC_ALL=C
# ctest runs tests side by side: OpenMP threads sleep when idle instead of
# spinning on cores another test needs (the recipes leave the default, which
# is faster on a machine of their own).
export OMP_WAIT_POLICY=passive
build=$1
recipe=$2
samples=$3
work=$4

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work"
src=$work/src
# real_en's layout: synth/{train,dev,test}, real_{train,dev,test}, a noise recording.
make_dir() {  # make_dir DIR PREFIX COPIES
  mkdir -p "$1"
  : >"$1/wav.scp.tmp"
  : >"$1/text.tmp"
  local copy key text
  for ((copy = 0; copy < $3; ++copy)); do
    while read -r key text; do
      echo "$2$copy-$key $samples/$key.wav" >>"$1/wav.scp.tmp"
      echo "$2$copy-$key $text" >>"$1/text.tmp"
    done <"$samples/text"
  done
  sort "$1/wav.scp.tmp" >"$1/wav.scp"
  sort "$1/text.tmp" >"$1/text"
  awk '{ print $1, $1 }' "$1/text" >"$1/utt2spk"
  rm "$1/wav.scp.tmp" "$1/text.tmp"
}
make_dir "$src/synth/train" st 2
make_dir "$src/synth/dev" sd 3
make_dir "$src/synth/test" se 1
make_dir "$src/real_train" rt 1
make_dir "$src/real_dev" rd 1
make_dir "$src/real_test" re 1
mkdir -p "$src/synth/wav/noise"
sox -R -q -n -r 16000 -c 1 -b 16 "$src/synth/wav/noise/pinknoise.wav" synth 60 pinknoise gain -n -3

data=$work/data
exp=$work/exp
run_recipe() {
  ATTEND_BUILD=$build nice -n 15 "$recipe/run.sh" --src "$src" --data "$data" --exp "$exp" \
    --model-conf conf/smoke.conf --synth-hours 0.005 --real-hours 0.003 --dev-count 3 \
    --test-count 2 --align-count 2 --long-count 1 --steps 4 --chunk 2 --beam 2 \
    --decode-threads 1 --time-steps 20
}
run_recipe 2>&1 | tee "$work/run.log"

mechanisms="additive location dot general location4 dot4 ctc"
sets="synth_dev real_dev synth_test real_test long2x long4x synth_test_snr10"
# Data: consistent dirs; the long utterances are at least 2x and 4x the longest
# training utterance; the noisy set has the test set's keys.
longest=$(cat "$data/longest_train_seconds")
for set in train dev_align $sets; do
  dir=$data/$set
  for f in wav.scp utt2spk utt2dur; do
    cmp -s <(cut -d' ' -f1 "$dir/text") <(cut -d' ' -f1 "$dir/$f") || fail "$set: text and $f keys differ"
  done
done
for k in 2 4; do
  awk -v min="$(python3 -c "print($k * $longest)")" '$2 < min { exit 1 }' "$data/long${k}x/utt2dur" ||
    fail "long${k}x: an utterance shorter than $k x $longest s"
done
cmp -s <(cut -d' ' -f1 "$data/synth_test/text") <(cut -d' ' -f1 "$data/synth_test_snr10/text") ||
  fail "the noisy set's keys differ from synth_test's"

# Training: two chunks per mechanism, the alignment measured after each (not
# for CTC alone), a dev loss at each chunk's end.
for m in $mechanisms; do
  [ -s "$exp/$m/train/model.attend" ] || fail "$m: no model"
  [ -f "$exp/$m/chunks/4.trained" ] || fail "$m: the second chunk did not run"
  grep -q "^attention-type = " "$exp/$m/train.conf" || fail "$m: train.conf"
  # A number of seconds (metrics.csv's clock has 0.1 s steps: a tiny model's
  # 10 steps may read as 0).
  awk 'NF != 1 || $1 !~ /^[0-9]+\.[0-9]+$/ { exit 1 }' "$exp/$m/step_seconds" ||
    fail "$m: step_seconds: $(cat "$exp/$m/step_seconds")"
  dev_rows=$(awk -F, 'NR > 1 && $4 != ""' "$exp/$m/train/metrics.csv" | wc -l)
  [ "$dev_rows" -ge 2 ] || fail "$m: $dev_rows dev evaluations, expected one per chunk"
  rows=$(($(wc -l <"$exp/$m/align.tsv") - 1))
  if [ "$m" = ctc ]; then
    [ "$rows" -eq 0 ] || fail "ctc: alignment rows without attention"
  else
    [ "$rows" -eq 2 ] || fail "$m: $rows alignment rows, expected 2"
    awk -F'\t' 'NR > 1 && ($3 <= 0 || $3 > 1) { exit 1 }' "$exp/$m/align.tsv" ||
      fail "$m: a sharpness outside (0, 1]"
  fi
  for set in $sets; do
    for setting in greedy beam_ctc; do
      d=$exp/$m/decode_${set}_$setting
      cmp -s <(cut -d' ' -f1 "$d/hyp" | sort) <(cut -d' ' -f1 "$data/$set/text") ||
        fail "$m $set $setting: not one hypothesis per utterance"
      grep -q "^%WER" "$d/score.txt" || fail "$m $set $setting: no score"
      awk 'NF != 3 || $1 <= 0 { exit 1 }' "$d/rtf" || fail "$m $set $setting: rtf"
    done
  done
done
# The 4-head models' explorer pages carry five matrices (the mean and each head).
for m in location4 dot4; do
  utt=$(cut -d' ' -f1 "$exp/figures/figure_utt.text")
  page=$exp/figures/explorer_$m/$utt.html
  heads=$(grep -o '"name":"head [0-9]*"' "$page" | sort -u | wc -l)
  [ "$heads" -eq 4 ] || fail "$m: $heads heads on the explorer page, expected 4"
done
for m in $mechanisms; do
  grep -q "^| $m |" "$exp/results.md" || fail "results.md has no row for $m"
done
for f in curves.png attention.png; do
  [ "$(head -c 4 "$exp/figures/$f" | od -An -c | tr -d ' ')" = '211PNG' ] || fail "$f is not a PNG"
done

# A rerun does nothing.
run_recipe >"$work/rerun.log" 2>&1
for n in 0 1 2 3 4 5; do
  grep -q "stage $n ([a-z]*): already done" "$work/rerun.log" || fail "rerun: stage $n ran again"
done
echo "attention_study smoke test: PASS"
