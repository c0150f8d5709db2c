#!/usr/bin/env bash
# recipes/librispeech: attend on LibriSpeech (100 h, 460 h or 960 h of read
# English audiobooks, openslr.org/12), from a local copy of the corpus.
#
#   ./run.sh --data-root /corpora/librispeech [--train-parts "train-clean-100 ..."]
#            [--train-conf conf/blstm_960.conf] [--train-launcher "mpirun -np 8 ..."]
#            [--stage N] [--stop-stage M]
#
# --data-root holds LibriSpeech/<part>/SPEAKER/CHAPTER/*.flac + *.trans.txt
# (the tarballs' layout) and, optionally, the LM resources librispeech-lm-norm.txt.gz
# and librispeech-vocab.txt. With a network, fetch them (about 60 GB for 960 h):
#   for part in dev-clean dev-other test-clean test-other train-clean-100 \
#               train-clean-360 train-other-500; do
#     wget -c https://www.openslr.org/resources/12/$part.tar.gz
#     tar -C /corpora/librispeech -xzf $part.tar.gz
#   done
#   wget -c -P /corpora/librispeech https://www.openslr.org/resources/11/librispeech-lm-norm.txt.gz \
#     https://www.openslr.org/resources/11/librispeech-vocab.txt
#
# Stages (each writes a .done marker, 0-2 in $data/.done, 3-7 in $exp/.done; a
# rerun skips them):
#   0 data      Kaldi data dirs of every part, the training parts combined
#                                                     -> $data/<part>, $data/train
#   1 vocab     the characters of the training text (checked: a-z, ' and space)
#                                                            -> $data/lang/chars.txt
#   2 features  global CMVN statistics of $cmvn_utts training utterances -> $exp/cmvn.ark
#   3 train     attend train --config $train_conf, under $train_launcher -> $exp/train/model.attend
#   4 lm        a word 3-gram from the LM text, when --data-root has it -> $exp/words.arpa
#   5 decode    beam + CTC (+ the word LM), under $decode_launcher  -> $exp/decode_<set>_<setting>/hyp
#   6 score     WER/CER of every eval part                        -> $exp/results.txt
#
# Several ranks (docs/training_at_scale.md): training and decoding run under an
# MPI launcher, the same command on one machine or many:
#   --train-launcher "mpirun -np 8 --bind-to none -x OMP_NUM_THREADS=4"        one node
#   --train-launcher "mpirun -H node1:8,node2:8 -np 16 --bind-to none ..."     two nodes
#   --train-launcher "srun --mpi=pmix -N 4 --ntasks-per-node=8"                Slurm
# $data, $exp and the corpus must be on a file system every node sees.
set -euo pipefail
cd "$(dirname "$0")"

stage=0
stop_stage=100
data_root=                   # the directory holding LibriSpeech/ (required for stage 0)
data=data
exp=exp
train_parts="train-clean-100 train-clean-360 train-other-500"
eval_parts="dev-clean dev-other test-clean test-other"
dev_part=dev-clean           # the dev set training evaluates on each epoch
train_conf=conf/blstm_960.conf
train_args=                  # extra `attend train` flags (e.g. --max-steps for a trial)
train_launcher=              # e.g. "mpirun -np 8 --bind-to none"; empty = one process
decode_launcher=             # the same for `attend transcribe` (shards the wav.scp)
cmvn_utts=20000              # stage 2: utterances the CMVN statistics are computed on
lm_text=                     # stage 4: default $data_root/librispeech-lm-norm.txt.gz
lm_vocab=                    # stage 4: default $data_root/librispeech-vocab.txt
lm_lines=4000000             # stage 4: LM text lines used (of 40M; memory)
beam=10
ctc_weight=0.3
word_lm_weight=0.5
length_penalty=0.5
force_stage=
help_message="usage: $0 --data-root DIR [options]  (stages: 0 data, 1 vocab, 2 features, 3 train, 4 lm, 5 decode, 6 score)"
# shellcheck source=SCRIPTDIR/../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/path.sh
. ./path.sh
# shellcheck source=SCRIPTDIR/../utils/run_stage.sh
. ../utils/run_stage.sh
done_dir=$data/.done
mkdir -p "$data" "$exp"
dir_of() { echo "$data/${1//-/_}"; }  # train-clean-100 -> $data/train_clean_100
train_dir=$data/train  # the training parts combined (another --data for another choice)

# ------------------------------------------------------------------ stage 0: data
if stage_begin 0 data; then
  [ -n "$data_root" ] || { log "error: --data-root is required (see the top of $0)"; exit 1; }
  for part in $train_parts $eval_parts; do
    local/data_prep.sh "$data_root/LibriSpeech/$part" "$(dir_of "$part")"
  done
  dirs=()
  for part in $train_parts; do dirs+=("$(dir_of "$part")"); done
  combine_dirs.sh "$train_dir" "${dirs[@]}"
  stage_done 0 data
fi

# ----------------------------------------------------------------- stage 1: vocab
# `attend train` builds its character vocabulary from the training text; this
# stage lists it (normalized as the model normalizes: lower case) and stops on
# a character LibriSpeech's normalized transcripts never hold.
if stage_begin 1 vocab; then
  mkdir -p "$data/lang"
  cut -d' ' -f2- "$train_dir/text" | tr '[:upper:]' '[:lower:]' | grep -o . | sort | uniq -c |
    sort -k1,1nr | awk '{ print ($2 == "" ? "<space>" : $2), $1 }' >"$data/lang/chars.txt"
  odd=$(cut -d' ' -f1 "$data/lang/chars.txt" | grep -v "^[a-z']$" | grep -vx '<space>' || true)
  [ -z "$odd" ] || { log "error: unexpected characters in $train_dir/text: $odd"; exit 1; }
  log "stage 1: $(wc -l <"$data/lang/chars.txt") characters in $data/lang/chars.txt"
  stage_done 1 vocab
fi

# Stages 2-6 belong to the experiment: their markers live in $exp/.done.
done_dir=$exp/.done

# -------------------------------------------------------------- stage 2: features
# Features are computed on the fly while training (speed perturbation and
# SpecAugment see the audio); this stage only accumulates global CMVN
# statistics, over a fixed random subset of the training utterances.
if stage_begin 2 features; then
  bins=$(python3 ../utils/read_conf.py "$train_conf" num-mel-bins)
  shuf -n "$cmvn_utts" --random-source=<(yes) "$train_dir/wav.scp" | sort >"$exp/cmvn_subset.scp"
  attend compute-cmvn --audio --num-mel-bins "$bins" "scp:$exp/cmvn_subset.scp" "$exp/cmvn.ark"
  stage_done 2 features
fi

# ----------------------------------------------------------------- stage 3: train
# An interrupted run continues where it stopped when this stage runs again
# (--resume reads $exp/train/checkpoints/last.attend, with any launcher).
if stage_begin 3 train; then
  resume=()
  [ -f "$exp/train/checkpoints/last.attend" ] && resume=(--resume)
  # shellcheck disable=SC2086  # the launcher and extra flags are word lists
  $train_launcher "$(command -v attend)" train --config "$train_conf" --data "$train_dir" \
    --dev "$(dir_of "$dev_part")" --exp "$exp/train" --cmvn "$exp/cmvn.ark" \
    "${resume[@]}" $train_args
  stage_done 3 train
fi

# -------------------------------------------------------------------- stage 4: lm
# The LibriSpeech LM text (normalized book text without the eval chapters)
# makes a word 3-gram over the corpus's 200k-word vocabulary; without it there
# is no LM and stage 5 decodes with beam + CTC only.
lm_text=${lm_text:-$data_root/librispeech-lm-norm.txt.gz}
lm_vocab=${lm_vocab:-$data_root/librispeech-vocab.txt}
if stage_begin 4 lm; then
  if [ -n "$data_root" ] && [ -f "$lm_text" ]; then
    vocab=()
    [ -f "$lm_vocab" ] && vocab=(--vocab "$lm_vocab")
    zcat -f "$lm_text" | head -n "$lm_lines" >"$exp/lm_text.txt"
    attend train-lm --words --order 3 "${vocab[@]}" "$exp/lm_text.txt" "$exp/words.arpa"
    rm "$exp/lm_text.txt"
  else
    log "stage 4: no LM text at '$lm_text': decoding without an LM"
  fi
  stage_done 4 lm
fi

# ---------------------------------------------------------------- stage 5: decode
if stage_begin 5 decode; then
  model=$exp/train/model.attend
  settings=("beam_ctc:--beam=$beam --ctc-weight=$ctc_weight")
  [ -f "$exp/words.arpa" ] && settings+=("beam_ctc_wordlm:--beam=$beam --ctc-weight=$ctc_weight \
--word-lm=$exp/words.arpa --word-lm-weight=$word_lm_weight --length-penalty=$length_penalty")
  printf '%s\n' "${settings[@]}" >"$exp/decode_settings"
  for part in $eval_parts; do
    set_dir=$(dir_of "$part")
    while IFS=: read -r name opts; do
      dir=$exp/decode_$(basename "$set_dir")_$name
      mkdir -p "$dir"
      # shellcheck disable=SC2086  # the launcher and $opts are word lists
      $decode_launcher "$(command -v attend)" transcribe --quiet --model "$model" \
        --scp "$set_dir/wav.scp" $opts >"$dir/hyp.tmp"
      mv "$dir/hyp.tmp" "$dir/hyp"
    done <"$exp/decode_settings"
  done
  stage_done 5 decode
fi

# ----------------------------------------------------------------- stage 6: score
if stage_begin 6 score; then
  {
    printf '%-12s %-16s %8s %8s\n' set decoding WER CER
    for part in $eval_parts; do
      set_dir=$(dir_of "$part")
      while IFS=: read -r name _; do
        dir=$exp/decode_$(basename "$set_dir")_$name
        attend score --ref "$set_dir/text" --hyp "$dir/hyp" >"$dir/score.txt"
        printf '%-12s %-16s %8s %8s\n' "$(basename "$set_dir")" "$name" \
          "$(awk '/^%WER/ { print $2 }' "$dir/score.txt")" "$(awk '/^%CER/ { print $2 }' "$dir/score.txt")"
      done <"$exp/decode_settings"
    done
  } >"$exp/results.txt"
  cat "$exp/results.txt"
  stage_done 6 score
fi
