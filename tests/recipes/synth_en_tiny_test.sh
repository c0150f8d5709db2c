#!/usr/bin/env bash
# recipes/synth_en end to end with its tiny configs (conf/data_tiny.conf,
# conf/tiny.conf), the way a user runs it after `make deps`: text -> audio ->
# CMVN -> train -> decode -> score through the built attend binary, into a
# scratch directory. 300 training utterances teach the model little, so this
# checks the recipe's plumbing, not accuracy: every stage runs, the Kaldi data
# directories are consistent, held-out speakers and sentences are unseen, the
# loss falls, the results table is complete, and a rerun skips every stage.
#
#   synth_en_tiny_test.sh BUILD_DIR RECIPE_DIR WORK_DIR
set -euo pipefail
export LC_ALL=C
# ctest runs tests side by side: OpenMP threads sleep when idle instead of
# spinning on cores another test needs (the recipes leave the default, which
# is faster on a machine of their own).
export OMP_WAIT_POLICY=passive
build=$1
recipe=$2
work=$3

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work"
data=$work/data
exp=$work/exp
run_recipe() {
  ATTEND_BUILD=$build "$recipe/run.sh" --data-conf "conf/data.conf conf/data_tiny.conf" \
    --data "$data" --exp "$exp" --train-conf conf/tiny.conf --lm-beams 8
}
run_recipe 2>&1 | tee "$work/run.log"

# Kaldi data directories: the same keys in text, wav.scp and utt2spk; every WAV
# exists; as many utterances as conf/data_tiny.conf asks for.
keys() { cut -d' ' -f1 "$1"; }
for split in train dev test test_noisy test_nonspeech; do
  dir=$data/$split
  cmp -s <(keys "$dir/text") <(keys "$dir/wav.scp") || fail "$split: text and wav.scp keys differ"
  cmp -s <(keys "$dir/text") <(keys "$dir/utt2spk") || fail "$split: text and utt2spk keys differ"
  while read -r _ wav; do
    [ -s "$wav" ] || fail "$split: missing WAV $wav"
  done <"$dir/wav.scp"
  echo "$split: $(wc -l <"$dir/text") utterances"
done
[ "$(wc -l <"$data/train/text")" -ge 295 ] || fail "train: fewer than 295 of 300 utterances"
[ "$(wc -l <"$data/test/text")" -ge 49 ] || fail "test: fewer than 49 of 50 utterances"
# All three synthesizers rendered training speech (conf/data_tiny.conf adds
# festival), and so did the festival voices of other languages (xlang).
for engine in espeak flite festival xlang; do
  grep -q "^${engine}_" "$data/train/utt2spk" || fail "train: no $engine utterance"
done
# Non-speech clips (conf/data_tiny.conf): in train and in test_nonspeech, with
# empty transcripts (a text line of the key alone), from sources train never has.
[ "$(grep -c '^nonspeech_[a-z]*-n[0-9]*$' "$data/train/text")" -ge 9 ] ||
  fail "train: fewer than 9 of 10 non-speech clips, or one with a transcript"
[ "$(grep -c '^nonspeech_[a-z]*-n[0-9]*$' "$data/test_nonspeech/text")" -ge 5 ] ||
  fail "test_nonspeech: fewer than 5 of 6 clips, or one with a transcript"
shared_sources=$(comm -12 <(cut -d' ' -f2 "$data/train/utt2spk" | sort -u) \
  <(cut -d' ' -f2 "$data/test_nonspeech/utt2spk" | sort -u) | wc -l)
[ "$shared_sources" -eq 0 ] || fail "test_nonspeech shares $shared_sources sources with train"
# An xlang utterance is speech of about the text's length (a failed phone map
# gives silence or a cut): 30-300 ms per character (the English voices: 36-262).
join <(grep '^xlang_' "$data/train/utt2dur" | sort) <(sort "$data/train/text") |
  awk '{ n = length($0) - length($1) - length($2) - 2; r = $2 / n
         if (r < 0.03 || r > 0.3) { print "xlang", $1, $2 " s for " n " characters"; bad++ } }
       END { exit bad > 0 }' || fail "train: xlang utterances of the wrong length"
# The xlang speakers take rows over, and the non-speech clips join, without
# changing any other row's plan: without them, every other row is planned as
# before.
printf 'xlang_fraction = 0\nnum_nonspeech_train = 0\n' >"$work/no_xlang.conf"
python3 "$recipe/local/plan_audio.py" --conf "$recipe/conf/data.conf $recipe/conf/data_tiny.conf \
  $work/no_xlang.conf" --text "$data/local/text" --data "$work/no_xlang" 2>/dev/null
for split in train dev test test_noisy; do
  changed=$(comm -23 <(sort "$data/$split/synth.tsv") <(sort "$work/no_xlang/$split/synth.tsv") |
    cut -f3 | grep -vcE '^(xlang|nonspeech)$' || true)
  [ "$changed" = 0 ] || fail "$split: $changed speech rows changed with xlang voices and non-speech"
done

# Held-out data is unseen: no dev/test speaker or sentence occurs in train.
column_set() { cut -d' ' -f"$2" "$1" | sort -u; }
for held in dev test test_noisy; do
  shared_spk=$(comm -12 <(column_set "$data/train/utt2spk" 2) <(column_set "$data/$held/utt2spk" 2) | wc -l)
  shared_txt=$(comm -12 <(column_set "$data/train/text" 2-) <(column_set "$data/$held/text" 2-) | wc -l)
  [ "$shared_spk" -eq 0 ] || fail "$held shares $shared_spk speakers with train"
  [ "$shared_txt" -eq 0 ] || fail "$held shares $shared_txt sentences with train"
done

# Training: the train loss of the last epoch is below 85% of the first epoch's,
# the dev loss fell too, and the averaged model was written.
metrics=$exp/train/metrics.csv
read -r first_train first_dev < <(awk -F, 'NR > 1 && $4 != "" { print $3, $4; exit }' "$metrics")
read -r last_train last_dev < <(awk -F, 'NR > 1 && $4 != "" { t = $3; d = $4 } END { print t, d }' "$metrics")
echo "train loss $first_train -> $last_train, dev loss $first_dev -> $last_dev"
awk -v a="$first_train" -v b="$last_train" 'BEGIN { exit !(b < 0.85 * a) }' ||
  fail "train loss fell less than 15%"
awk -v a="$first_dev" -v b="$last_dev" 'BEGIN { exit !(b < a) }' || fail "dev loss did not fall"
[ -s "$exp/train/model.attend" ] || fail "no model"

# Results: one row per set and decoding, each with a WER and a CER.
rows=$(awk 'NR > 1 && NF == 4 && $3 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/' "$exp/results.txt" | wc -l)
[ "$rows" -eq 15 ] || fail "results.txt has $rows complete rows, not 15"
# and the beam + CTC rows broken down by synthesizer and sentence kind.
breakdown=$(grep -c '^espeak/[a-z]* *[0-9]* *[0-9]* *[0-9.]* *[0-9.]*$' "$exp/results.txt" || true)
[ "$breakdown" -ge 2 ] || fail "results.txt lacks the by-synthesizer breakdown"
# and how often held-out non-speech got words.
grep -q '^test_nonspeech, default decoding: [0-9.]* % of clips answered with words ([0-9]* words)$' \
  "$exp/results.txt" || fail "results.txt lacks the test_nonspeech line"
grep '^test_nonspeech' "$exp/results.txt"

# Decoding options chosen on dev: every beam candidate scored, and the better
# LM setting written beside the model as its decoding defaults, its LM beside it.
candidates=$(cat "$exp"/tune_dev/*/tune.txt | grep -vc 'best' || true)
[ "$candidates" -eq 22 ] || fail "tune_dev scored $candidates candidates, not 2 + 6 + 8 + 6"
conf=$exp/train/model.decode.conf
grep -q '^ctc-weight = 0\.[135]$' "$conf" || fail "model.decode.conf lacks the chosen CTC weight"
{ grep -q '^lm = model\.lm\.arpa$' "$conf" && [ -s "$exp/train/model.lm.arpa" ]; } ||
  { grep -q '^word-lm = model\.words\.arpa$' "$conf" && [ -s "$exp/train/model.words.arpa" ]; } ||
  fail "model.decode.conf does not name an LM copied beside the model"
echo "model.decode.conf: $(grep -v '^#' "$conf" | tr '\n' ' ')"

# Idempotent: a rerun skips all six stages and leaves the results as they were.
cp "$exp/results.txt" "$work/results.first"
run_recipe 2>"$work/rerun.log"
skipped=$(grep -c 'already done' "$work/rerun.log" || true)
[ "$skipped" -eq 6 ] || fail "the rerun skipped $skipped of 6 stages"
cmp -s "$exp/results.txt" "$work/results.first" || fail "the rerun changed results.txt"
echo "PASS"
