#!/usr/bin/env bash
# recipes/librispeech on a fabricated corpus in LibriSpeech's layout: a few
# utterances synthesized with espeak-ng, stored as 16 kHz FLAC under
# LibriSpeech/<part>/SPEAKER/CHAPTER/ with their SPEAKER-CHAPTER.trans.txt.
# Every stage runs (data prep, vocabulary, CMVN, a few training steps with
# conf/tiny.conf, an LM from a fabricated LM text, decoding, scoring) through
# the built attend binary; checked: the Kaldi data dirs, the vocabulary, the
# results table, and that a rerun skips every stage. TRAIN_LAUNCHER (optional)
# runs training under it, e.g. "mpirun -np 2".
#
#   librispeech_tiny_test.sh BUILD_DIR RECIPE_DIR WORK_DIR [TRAIN_LAUNCHER]
set -euo pipefail
export LC_ALL=C
# ctest runs tests side by side: OpenMP threads sleep when idle instead of
# spinning on cores another test needs (the recipes leave the default, which
# is faster on a machine of their own).
export OMP_WAIT_POLICY=passive
build=$1
recipe=$2
work=$3
launcher=${4:-}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

rm -rf "$work"
mkdir -p "$work"
root=$work/corpus
# speak PART SPEAKER CHAPTER VOICE SENTENCE...: one FLAC per sentence and the transcript.
speak() {
  local part=$1 speaker=$2 chapter=$3 voice=$4 n=0
  shift 4
  local dir=$root/LibriSpeech/$part/$speaker/$chapter
  mkdir -p "$dir"
  for sentence in "$@"; do
    local utt
    utt=$(printf '%s-%s-%04d' "$speaker" "$chapter" "$n")
    espeak-ng -v "$voice" -s 150 -w "$work/tmp.wav" "$sentence"
    sox -q "$work/tmp.wav" -r 16000 -c 1 -b 16 "$dir/$utt.flac"
    echo "$utt $(tr '[:lower:]' '[:upper:]' <<<"$sentence")" >>"$dir/$speaker-$chapter.trans.txt"
    n=$((n + 1))
  done
}
speak train-clean-100 19 198 en-us "the cat sat on the mat" "a dog ran in the park" \
  "she reads a book at night" "we walk to the river"
speak train-clean-100 26 496 en-gb "the sun is warm today" "he can't find his keys" \
  "birds sing in the morning" "the old man smiled"
speak dev-clean 84 121123 en-us "the cat ran to the park" "she sings at night"
speak test-clean 1089 134686 en-gb "the dog sat in the sun" "he reads in the morning"
printf '%s\n' "THE CAT SAT ON THE MAT" "THE DOG RAN IN THE PARK" "SHE READS AT NIGHT" |
  gzip >"$root/librispeech-lm-norm.txt.gz"

data=$work/data
exp=$work/exp
run_recipe() {
  ATTEND_BUILD=$build "$recipe/run.sh" --data-root "$root" --data "$data" --exp "$exp" \
    --train-parts train-clean-100 --eval-parts "dev-clean test-clean" --dev-part dev-clean \
    --train-conf conf/tiny.conf --cmvn-utts 5 --train-launcher "$launcher"
}
run_recipe 2>&1 | tee "$work/run.log"

# The data dirs: the same sorted keys in text, wav.scp and utt2spk; speakers
# SPEAKER-CHAPTER; lower-case-able upper-case text as LibriSpeech writes it.
keys() { cut -d' ' -f1 "$1"; }
for set in train_clean_100 dev_clean test_clean train; do
  dir=$data/$set
  cmp -s <(keys "$dir/text") <(keys "$dir/wav.scp") || fail "$set: text and wav.scp keys differ"
  cmp -s <(keys "$dir/text") <(keys "$dir/utt2spk") || fail "$set: text and utt2spk keys differ"
  cmp -s <(keys "$dir/text") <(keys "$dir/text" | sort) || fail "$set: keys not sorted"
  while read -r _ flac; do [ -s "$flac" ] || fail "$set: missing $flac"; done <"$dir/wav.scp"
done
[ "$(wc -l <"$data/train/text")" -eq 8 ] || fail "train: expected 8 utterances"
grep -qx "19-198-0001 A DOG RAN IN THE PARK" "$data/train/text" || fail "train: text line"
grep -qx "19-198-0001 19-198" "$data/train/utt2spk" || fail "train: utt2spk line"
grep -qx "26-496 26-496-0000 26-496-0001 26-496-0002 26-496-0003" "$data/train/spk2utt" ||
  fail "train: spk2utt line"
grep -q "^' " "$data/lang/chars.txt" || fail "vocabulary: no apostrophe (can't)"
[ -s "$exp/cmvn.ark" ] || fail "no CMVN statistics"
[ -s "$exp/train/model.attend" ] || fail "no model"
[ -s "$exp/words.arpa" ] || fail "no word LM from the LM text"
# Two eval sets x (beam + CTC, + word LM): four rows with numbers.
rows=$(awk 'NR > 1 && $3 ~ /^[0-9.]+$/ && $4 ~ /^[0-9.]+$/' "$exp/results.txt" | wc -l)
[ "$rows" -eq 4 ] || fail "results.txt: $rows complete rows, expected 4: $(cat "$exp/results.txt")"

# A rerun does nothing.
run_recipe 2>"$work/rerun.log"
[ "$(grep -c 'already done' "$work/rerun.log")" -eq 7 ] || fail "the rerun ran stages again"
echo "ok: recipes/librispeech on a fabricated corpus"
