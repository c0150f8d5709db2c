#!/usr/bin/env bash
# recipes/real_en: a recognizer that hears people, trained on the real human English
# speech Debian main ships (two freeware talkie games, telephone prompts, game voice
# packs, letter names) mixed with recipes/synth_en's synthetic speech.
#
#   ./run.sh [--stage N] [--stop-stage M] [--nj 2] [--data data] [--exp exp]
#            [--train-conf conf/finetune_mix.conf] [--init-model ../../models/default.attend]
#
# Stages (each writes a .done marker, 0-3 in $data/.done, 4-7 in $exp/.done):
#   0 import    one Kaldi data dir per source, 16 kHz WAV  -> $data/{sky,queen,asterisk,
#               hedgewars,klettres,independent} (each with report.txt)
#   1 split     held-out speakers (conf/split.conf)          -> $data/real_{train,dev,test}
#   2 synth     synth_en's sentence pool and voices, a 5 h part -> $data/synth/{train,dev,test,...}
#   3 mix       augmented copies of the real training speech, a band-limited share of the
#               synthetic speech, combined                  -> $data/train_mix
#   4 train     attend train (from --init-model)             -> $exp/train/model.attend
#   5 lm        word 3-gram from WordNet's examples and the training text -> $exp/words.arpa
#   6 decode    decoding options chosen on real_dev; every set decoded -> $exp/decode_<set>_<setting>
#   7 score     WER/CER by set, and real_test by source     -> $exp/results.txt
# Packages: `make deps` installs them all (../../Makefile's RECIPE_DEPS and REAL_RECIPE_DEPS).
set -euo pipefail
cd "$(dirname "$0")"

stage=0
stop_stage=100
nj=2
data=data
exp=exp
train_conf=conf/finetune_mix.conf
init_model=../../models/default.attend
split_conf=conf/split.conf
force_stage=
help_message="usage: $0 [options]  (stages: 0 import, 1 split, 2 synth, 3 mix, 4 train, 5 lm, 6 decode, 7 score)"
# shellcheck source=SCRIPTDIR/../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/path.sh
. ./path.sh
# shellcheck source=SCRIPTDIR/../utils/run_stage.sh
. ../utils/run_stage.sh
done_dir=$data/.done
mkdir -p "$data" "$exp"
data_abs=$(cd "$data" && pwd)

sources="sky queen asterisk hedgewars klettres"
# ----------------------------------------------------------------- stage 0: import
if stage_begin 0 import; then
  import_sky.py --game-dir /usr/share/scummvm/beneath-a-steel-sky --out "$data/sky" \
    --wav-dir "$data/wav/sky" --jobs "$nj"
  import_queen.py --game-file /usr/share/scummvm/flight-of-the-amazon-queen/queen.1c \
    --out "$data/queen" --wav-dir "$data/wav/queen" --jobs "$nj"
  for src in asterisk hedgewars klettres; do
    "import_$src.py" --out "$data/$src" --wav-dir "$data/wav/$src" --jobs "$nj"
  done
  import_independent.py --out "$data/independent" --wav-dir "$data/wav/independent"
  for src in $sources independent; do log "$src: $(sed -n 2p "$data/$src/report.txt")"; done
  stage_done 0 import
fi

# ------------------------------------------------------------------ stage 1: split
if stage_begin 1 split; then
  # shellcheck disable=SC2046  # one argument per source dir
  split_speakers.py --conf "$split_conf" --out "$data" $(printf "$data/%s " $sources)
  for held in real_dev real_test; do
    shared=$(cut -d' ' -f2 "$data/real_train/utt2spk" | sort -u |
      comm -12 - <(cut -d' ' -f2 "$data/$held/utt2spk" | sort -u) | wc -l)
    log "check: real_train and $held share $shared speakers"
    [ "$shared" -eq 0 ] || { log "error: $held speakers leak into real_train"; exit 1; }
  done
  stage_done 1 split
fi

# ------------------------------------------------------------------ stage 2: synth
if stage_begin 2 synth; then
  # synth_en renders only what its plan lacks; its own stage markers live in $data/synth.
  (cd ../synth_en && ./run.sh --stage 0 --stop-stage 1 --nj "$nj" --data "$data_abs/synth" \
    --data-conf "conf/data.conf conf/data_nonspeech.conf ../real_en/conf/synth_part.conf")
  stage_done 2 synth
fi

# -------------------------------------------------------------------- stage 3: mix
if stage_begin 3 mix; then
  # The real speech three times: as recorded, and twice through random recording
  # conditions; the synthetic speech once, half of it band-limited like the real.
  augment_dir.py --full --prefix aug1- --seed 1 --jobs "$nj" \
    "$data/real_train" "$data/real_train_aug1" "$data/wav/aug1"
  augment_dir.py --full --prefix aug2- --seed 2 --jobs "$nj" \
    "$data/real_train" "$data/real_train_aug2" "$data/wav/aug2"
  augment_dir.py --p-band 0.5 --prefix bl- --seed 3 --jobs "$nj" \
    "$data/synth/train" "$data/synth_train_bl" "$data/wav/synth_bl"
  combine_dirs.sh "$data/train_mix" "$data/real_train" "$data/real_train_aug1" \
    "$data/real_train_aug2" "$data/synth_train_bl"
  stage_done 3 mix
fi

done_dir=$exp/.done
# ------------------------------------------------------------------ stage 4: train
if stage_begin 4 train; then
  resume=()
  [ ! -f "$exp/train/checkpoints/last.attend" ] || resume=(--resume)
  nice -n 10 attend train --config "$train_conf" --init-model "$init_model" \
    --data "$data/train_mix" --dev "$data/real_dev" --exp "$exp/train" "${resume[@]}"
  stage_done 4 train
fi

# --------------------------------------------------------------------- stage 5: lm
if stage_begin 5 lm; then
  make_lm_text.py --out "$exp/lm_text.txt" \
    --exclude "$data/real_dev/text" "$data/real_test/text" "$data/independent/text" \
    "$data/synth/dev/text" "$data/synth/test/text" \
    --keyed "$data/real_train/text" "$data/synth/local/text/train.txt"
  attend train-lm --words --order 3 --vocab /usr/share/dict/american-english \
    "$exp/lm_text.txt" "$exp/words.arpa"
  stage_done 5 lm
fi

# ----------------------------------------------------------------- stage 6: decode
decode_sets="real_dev real_test independent synth/dev synth/test synth/test_noisy"
if stage_begin 6 decode; then
  model=$exp/train/model.attend
  rm -f "${model%.attend}.decode.conf" "${model%.attend}.words.arpa"
  beam_ctc=$(tune_decode.sh "$model" "$data/real_dev" "$exp/tune_dev/beam_ctc" "$nj" \
    "--beam=8 --ctc-weight=0.1" "--beam=8 --ctc-weight=0.3" "--beam=8 --ctc-weight=0.3 --length-normalization")
  grid=()
  for w in 0.2 0.3 0.5; do
    for p in 0.3 0.6; do
      grid+=("${beam_ctc/--beam=8/--beam=16} --word-lm=$exp/words.arpa --word-lm-weight=$w --length-penalty=$p")
    done
  done
  wordlm=$(tune_decode.sh "$model" "$data/real_dev" "$exp/tune_dev/wordlm" "$nj" "${grid[@]}")
  printf '%s\n' "greedy:--beam=1 --ctc-weight=0" "beam_ctc:$beam_ctc" "wordlm:$wordlm" \
    >"$exp/decode_settings"
  for set in $decode_sets; do
    while IFS=: read -r name opts; do
      dir=$exp/decode_${set//\//_}_$name
      mkdir -p "$dir"
      # shellcheck disable=SC2086  # $opts is a word list
      attend transcribe --quiet --jobs "$nj" --threads 1 --model "$model" \
        --scp "$data/$set/wav.scp" $opts >"$dir/hyp.tmp"
      mv "$dir/hyp.tmp" "$dir/hyp"
    done <"$exp/decode_settings"
  done
  # The model's decoding defaults: the word-LM setting chosen on real_dev.
  cp "$exp/words.arpa" "${model%.attend}.words.arpa"
  for opt in $wordlm; do
    opt=${opt#--}
    case $opt in
      word-lm=*) printf 'word-lm = %s\n' "$(basename "${model%.attend}.words.arpa")" ;;
      *=*) printf '%s = %s\n' "${opt%%=*}" "${opt#*=}" ;;
      *) printf '%s = true\n' "$opt" ;;
    esac
  done >"${model%.attend}.decode.conf"
  stage_done 6 decode
fi

# ------------------------------------------------------------------ stage 7: score
if stage_begin 7 score; then
  {
    printf '%-18s %-10s %8s %8s\n' set decoding WER CER
    for set in $decode_sets; do
      while IFS=: read -r name _; do
        dir=$exp/decode_${set//\//_}_$name
        attend score --ref "$data/$set/text" --hyp "$dir/hyp" >"$dir/score.txt"
        printf '%-18s %-10s %8s %8s\n' "$set" "$name" \
          "$(awk '/^%WER/ { print $2 }' "$dir/score.txt")" "$(awk '/^%CER/ { print $2 }' "$dir/score.txt")"
      done <"$exp/decode_settings"
    done
    # real_test by source (the speaker id's prefix) and by speaker, default decoding.
    for set in real_dev real_test; do
      dir=$exp/decode_${set}_wordlm
      awk '{ split($2, s, "_"); print $1, s[1] }' "$data/$set/utt2spk" >"$dir/utt2source"
      attend score --ref "$data/$set/text" --hyp "$dir/hyp" --groups "$dir/utt2source" |
        sed -n '/^By group/,$p' | sed "1s|.*|$set, wordlm, by source:|"
      attend score --ref "$data/$set/text" --hyp "$dir/hyp" --groups "$data/$set/utt2spk" |
        sed -n '/^By group/,$p' | sed "1s|.*|$set, wordlm, by speaker:|"
    done
    echo
    echo "options (chosen on real_dev, $exp/tune_dev):"
    sed 's/:/: /' "$exp/decode_settings"
  } | tee "$exp/results.txt"
  stage_done 7 score
fi

log "finished stages $stage..$stop_stage"
