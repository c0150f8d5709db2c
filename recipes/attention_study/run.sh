#!/usr/bin/env bash
# recipes/attention_study: the attention mechanisms compared on one training set,
# one encoder and one step budget (issue 23, part 3). See RESULTS.md for the plan,
# the budget and the results.
#
#   ./run.sh [--stage N] [--stop-stage M] [--mechanisms "additive location ..."]
#            [--data data] [--exp exp] [--model-conf conf/model.conf] [--steps 3000]
#            [--train-launcher "mpirun -np 2 --bind-to none" --train-threads 1]
#
# Stages (markers in $data/.done for 0, $exp/.done and per-chunk files for the rest;
# a rerun skips what is done and an interrupted training resumes from its checkpoint):
#   0 data     a fixed subset of real_en's synthetic and real training speech, the
#              dev/test sets, long utterances (dev sentences joined to 2x and 4x the
#              longest training utterance), a 10 dB noisy test set   -> $data/*
#   1 cmvn     global CMVN of the training audio                     -> $exp/cmvn.ark
#   2 train    each mechanism for --steps steps, in chunks of --chunk steps; after
#              each chunk the dev loss (metrics.csv) and attend attention-stats on
#              $data/dev_align (align.tsv)                            -> $exp/<mech>/
#   3 decode   every set, greedy and beam + CTC, timed (RTF), --decode-jobs at once
#                                                                    -> $exp/<mech>/decode_*
#   4 score    WER/CER, RTF, the step attention aligns, and the step time
#              (timed apart: --time-steps steps of each mechanism)    -> $exp/results.md
#   5 figures  loss and alignment curves; one utterance's attention in every
#              mechanism side by side; explorer pages                -> $exp/figures/
# A smoke test of every stage in a minute or two: tests/recipes/attention_study_smoke_test.sh.
set -euo pipefail
cd "$(dirname "$0")"

stage=0
stop_stage=100
mechanisms="additive location dot general location4 dot4 ctc"
data=data
exp=exp
src=/work/main/recipes/real_en/data  # real_en's data dirs (only read)
model_conf=conf/model.conf           # encoder, decoder and training options of every model
synth_hours=2.5                      # training audio from $src/synth/train
real_hours=1.5                       # training audio from $src/real_train
dev_count=300                        # utterances of each dev set (synth_dev, real_dev)
test_count=300                       # utterances of each test set (a fixed subset); 0 = all
align_count=60                       # dev utterances attention-stats tracks during training
long_count=8                         # joined utterances per length (2x, 4x)
noise=$src/synth/wav/noise/pinknoise.wav
snr_db=10
steps=4000     # the step budget of every model
chunk=250      # steps between alignment measurements
align_threshold=5    # attention aligns when its mean CTC distance (encoder frames) is below this
                     # (the bundled models on dev_align: default.attend 4.04, real_en.attend 1.38)
beam=8
joint_ctc_weight=0.3  # beam + CTC setting (CTC alone: 1)
decode_threads=1      # oneDNN threads per decode (the RTF is per core)
decode_jobs=2         # decodes at once (one per core: jobs x threads = the cores)
train_launcher=       # e.g. "mpirun -np 2 --bind-to none" (data-parallel); empty = one process
train_threads=        # oneDNN threads per training process; empty = the config's (default: all cores)
time_steps=100        # steps of the step-time measurement (stage 4)
stats_build=          # build directory whose attend measures attention (default: the one on PATH)
figure_utt=           # the utterance of the side-by-side figure; empty = dev_align's first
force_stage=
help_message="usage: $0 [options]  (stages: 0 data, 1 cmvn, 2 train, 3 decode, 4 score, 5 figures)"
# shellcheck source=SCRIPTDIR/../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/path.sh
. ./path.sh
# shellcheck source=SCRIPTDIR/../utils/run_stage.sh
. ../utils/run_stage.sh
done_dir=$data/.done
mkdir -p "$data" "$exp"
threads_opt=()
[ -z "$train_threads" ] || threads_opt=(--threads "$train_threads")
stats_attend=attend
[ -z "$stats_build" ] || stats_attend=$stats_build/tools/attend

dev_sets="synth_dev real_dev"
test_sets="synth_test real_test"
long_sets="long2x long4x"
noisy_sets="synth_test_snr${snr_db}"
decode_sets="$dev_sets $test_sets $long_sets $noisy_sets"

# ------------------------------------------------------------------- stage 0: data
if stage_begin 0 data; then
  subset_dir.py --src "$src/synth/train" --out "$data/train_synth" --hours "$synth_hours" \
    --max-seconds 15
  subset_dir.py --src "$src/real_train" --out "$data/train_real" --hours "$real_hours" \
    --max-seconds 15
  combine_dirs.sh "$data/train" "$data/train_synth" "$data/train_real"
  cat "$data/train_synth/utt2dur" "$data/train_real/utt2dur" | sort -k1,1 >"$data/train/utt2dur"
  subset_dir.py --src "$src/synth/dev" --out "$data/synth_dev" --count "$dev_count"
  subset_dir.py --src "$src/real_dev" --out "$data/real_dev" --count "$dev_count"
  for set in synth_test:synth/test real_test:real_test; do
    from=$src/${set#*:}
    n=$test_count
    [ "$n" -gt 0 ] || n=$(wc -l <"$from/text")
    subset_dir.py --src "$from" --out "$data/${set%%:*}" --count "$n"
  done
  subset_dir.py --src "$data/synth_dev" --out "$data/dev_align" --count "$align_count" --seed align
  longest=$(sort -k2,2 -g "$data/train/utt2dur" | tail -n 1 | cut -d' ' -f2)
  log "longest training utterance: $longest s"
  echo "$longest" >"$data/longest_train_seconds"
  join_utts.py --src "$src/synth/dev" --out "$data/long2x" --count "$long_count" \
    --seconds "$(python3 -c "print(2 * $longest)")"
  join_utts.py --src "$src/synth/dev" --out "$data/long4x" --count "$long_count" \
    --seconds "$(python3 -c "print(4 * $longest)")"
  add_noise.py --src "$data/synth_test" --out "$data/synth_test_snr${snr_db}" --noise "$noise" \
    --snr-db "$snr_db"
  for d in train $decode_sets dev_align; do
    log "$d: $(wc -l <"$data/$d/text") utterances, $(awk '{s += $2} END {printf "%.2f", s / 3600}' "$data/$d/utt2dur") h"
  done
  stage_done 0 data
fi

done_dir=$exp/.done

# ------------------------------------------------------------------- stage 1: cmvn
if stage_begin 1 cmvn; then
  attend compute-cmvn --audio "scp:$data/train/wav.scp" "$exp/cmvn.ark"
  stage_done 1 cmvn
fi

# ------------------------------------------------------------------ stage 2: train
# Chunks of $chunk steps: `attend train --max-steps N` stops at step N with a dev
# evaluation (the dev loss curve) and a checkpoint; the next chunk continues it
# with --resume. After each chunk attention-stats measures, teacher-forced on
# $data/dev_align, how far the attention peaks are from the CTC alignment.
train_mechanism() {
  local m=$1 dir=$exp/$1
  mkdir -p "$dir"
  cat "$model_conf" "conf/mech/$m.conf" >"$dir/train.conf"
  [ -f "$dir/align.tsv" ] ||
    printf 'step\tctc_distance\tsharpness\tmonotonicity\tbest_head_ctc_distance\n' >"$dir/align.tsv"
  local n
  for ((n = chunk; n <= steps; n += chunk)); do
    if [ ! -f "$dir/chunks/$n.trained" ]; then
      local resume=()
      [ -f "$dir/train/checkpoints/last.attend" ] && resume=(--resume)
      log "train $m: steps up to $n"
      # shellcheck disable=SC2086  # the launcher is a word list
      $train_launcher "$(command -v attend)" train --config "$dir/train.conf" --data "$data/train" \
        --dev "$data/dev_align" --exp "$dir/train" --cmvn "$exp/cmvn.ark" --max-steps "$n" \
        "${threads_opt[@]}" --quiet "${resume[@]}"
      mkdir -p "$dir/chunks"
      touch "$dir/chunks/$n.trained"
    fi
    [ "$m" != ctc ] || continue  # no attention to measure
    if ! grep -q "^$n	" "$dir/align.tsv"; then
      "$stats_attend" attention-stats --model "$dir/train/checkpoints/last.attend" \
        --data "$data/dev_align" --out "$dir/chunks/$n.stats.jsonl" \
        --summary "$dir/chunks/$n.summary.txt"
      # The mean matrix's figures, and the distance of the head nearest CTC
      # (a multi-head model's lines "head N ... ctc_distance D"; else the mean's).
      awk -v step="$n" '$1 == "sharpness" { s = $2 } $1 == "monotonicity" { m = $2 }
        $1 == "ctc_distance" { d = $2 }
        $1 == "head" && (b == "" || $NF + 0 < b + 0) { b = $NF }
        END { printf "%s\t%s\t%s\t%s\t%s\n", step, d, s, m, (b == "" ? d : b) }' \
        "$dir/chunks/$n.summary.txt" >>"$dir/align.tsv"
    fi
  done
}

if stage_begin 2 train; then
  for m in $mechanisms; do train_mechanism "$m"; done
  stage_done 2 train
fi

# ----------------------------------------------------------------- stage 3: decode
# Every set decoded as single segments (no endpointing: the long utterances must
# stay whole), greedy (beam 1, attention only) and beam + CTC; CTC alone decodes
# with CTC weight 1 in both. Wall time per set over its audio is the RTF (each
# decode has its own core: --decode-jobs x --decode-threads = the cores).
decode_set() {
  local m=$1 set=$2 setting=$3 out=$exp/$1/decode_$2_$3
  [ -f "$out/hyp" ] && return 0
  local ctc_weight=0 b=1
  [ "$setting" = greedy ] || { b=$beam; ctc_weight=$joint_ctc_weight; }
  [ "$m" != ctc ] || ctc_weight=1
  local longest max_segment
  longest=$(cat "$data/longest_train_seconds")
  max_segment=$(python3 -c "print(int(5 * $longest + 60))")
  mkdir -p "$out"
  local t0 t1
  t0=$(date +%s.%N)
  attend transcribe --model "$exp/$m/train/model.attend" --scp "$data/$set/wav.scp" --quiet \
    --beam "$b" --ctc-weight "$ctc_weight" --threads "$decode_threads" \
    --min-pause 0 --min-leading-pause 0 --max-segment "$max_segment" >"$out/hyp.tmp"
  t1=$(date +%s.%N)
  awk -v t0="$t0" -v t1="$t1" '{ s += $2 } END { printf "%.4f %.1f %.1f\n", (t1 - t0) / s, t1 - t0, s }' \
    "$data/$set/utt2dur" >"$out/rtf"
  mv "$out/hyp.tmp" "$out/hyp"
}

decodes() {  # every decode of stage 3, one "mechanism set setting" per line
  local m set setting
  for m in $mechanisms; do
    for set in $decode_sets; do
      for setting in greedy beam_ctc; do echo "$m $set $setting"; done
    done
  done
}

if stage_begin 3 decode; then
  while read -r m set setting; do
    while [ "$(jobs -rp | wc -l)" -ge "$decode_jobs" ]; do wait -n || true; done
    decode_set "$m" "$set" "$setting" &
  done < <(decodes)
  wait
  while read -r m set setting; do  # a decode that failed left no hyp
    [ -f "$exp/$m/decode_${set}_$setting/hyp" ] || { log "decode $m $set $setting failed"; exit 1; }
  done < <(decodes)
  stage_done 3 decode
fi

# ------------------------------------------------------------------ stage 4: score
# The step time is timed apart from the study's training, whose clock runs on
# through pauses and contention: $time_steps steps of each mechanism from
# scratch (the same batches for all), with the study's launcher and threads;
# seconds per step between the middle and the last step, so start-up is left out.
measure_step_time() {
  local m=$1 dir=$exp/$1/timing half=$((time_steps / 2))
  [ -f "$exp/$m/step_seconds" ] && return 0
  rm -rf "$dir"
  # shellcheck disable=SC2086  # the launcher is a word list
  $train_launcher "$(command -v attend)" train --config "$exp/$m/train.conf" --data "$data/train" \
    --exp "$dir" --cmvn "$exp/cmvn.ark" --max-steps "$time_steps" --log-every "$half" \
    --checkpoint-minutes 100000 "${threads_opt[@]}" --quiet >/dev/null
  awk -F, -v a="$half" -v b="$time_steps" '$1 == a && t0 == "" { t0 = $8 }
    $1 == b && t1 == "" { t1 = $8 } END { printf "%.4f\n", (t1 - t0) / (b - a) }' \
    "$dir/metrics.csv" >"$exp/$m/step_seconds"
  rm -rf "$dir"
}

if stage_begin 4 score; then
  for m in $mechanisms; do measure_step_time "$m"; done
  for m in $mechanisms; do
    for set in $decode_sets; do
      for setting in greedy beam_ctc; do
        d=$exp/$m/decode_${set}_$setting
        attend score --ref "$data/$set/text" --hyp "$d/hyp" >"$d/score.txt"
      done
    done
  done
  # shellcheck disable=SC2086  # word lists
  study_table.py --exp "$exp" --mechanisms "$mechanisms" --sets "$decode_sets" \
    --threshold "$align_threshold" --out "$exp/results.md"
  cat "$exp/results.md"
  stage_done 4 score
fi

# ---------------------------------------------------------------- stage 5: figures
if stage_begin 5 figures; then
  utt=$figure_utt
  [ -n "$utt" ] || utt=$(head -n 1 "$data/dev_align/text" | cut -d' ' -f1)
  mkdir -p "$exp/figures"
  grep "^$utt " "$data/dev_align/wav.scp" >"$exp/figures/figure_utt.scp"
  grep "^$utt " "$data/dev_align/text" >"$exp/figures/figure_utt.text"
  for m in $mechanisms; do
    attend transcribe --model "$exp/$m/train/model.attend" --scp "$exp/figures/figure_utt.scp" \
      --quiet --format html --output-dir "$exp/figures/explorer_$m" --beam "$beam" \
      --ctc-weight "$([ "$m" = ctc ] && echo 1 || echo "$joint_ctc_weight")" \
      --ref "$exp/figures/figure_utt.text" --min-pause 0 --min-leading-pause 0
  done
  study_figures.py --exp "$exp" --mechanisms "$mechanisms" --utt "$utt" \
    --threshold "$align_threshold" --out "$exp/figures"
  stage_done 5 figures
fi
