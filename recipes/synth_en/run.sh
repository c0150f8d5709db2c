#!/usr/bin/env bash
# recipes/synth_en: a speech recognizer trained on synthetic English, from nothing
# but Debian packages (fortunes, wamerican, espeak-ng, flite, festival, sox).
#
#   ./run.sh [--stage N] [--stop-stage M] [--nj 2] [--data-conf "conf/data.conf"] [--data data]
#            [--exp exp] [--train-conf conf/default.conf]
#
# Stages (each writes a .done marker, 0-1 in $data/.done, 2-5 in $exp/.done; a rerun
# skips them):
#   0 text      sentence pool and its train/dev/test split   -> $data/local/text
#   1 audio     synthesis, augmentation, Kaldi data dirs      -> $data/{train,dev,test,test_noisy}
#               (and test_nonspeech, held-out silence and noise, when the data conf asks)
#   2 features  global CMVN statistics of the training audio  -> $exp/cmvn.ark
#   3 train     attend train --config $train_conf             -> $exp/train/model.attend
#   4 decode    greedy, beam, beam + CTC, + char or word LM   -> $exp/decode_<set>_<setting>/hyp
#               (beam weights chosen on dev)
#   5 score     WER/CER table                                 -> $exp/results.txt
# A trial of every stage in minutes (300 utterances, a small model):
#   ./run.sh --data-conf "conf/data.conf conf/data_tiny.conf" --data data_tiny \
#     --exp exp_tiny --train-conf conf/tiny.conf
set -euo pipefail
cd "$(dirname "$0")"

stage=0
stop_stage=100
nj=2                      # parallel synthesis jobs (run under nice -n 10)
data_conf=conf/data.conf  # space-separated list; later files override earlier ones
data=data
exp=exp
train_conf=conf/default.conf  # model and training options (conf/tiny.conf for a trial)
force_stage=              # run this stage even if it is marked done
lm_beams="8 16"           # stage 4: beam widths tried with each LM
help_message="usage: $0 [options]  (stages: 0 text, 1 audio, 2 features, 3 train, 4 decode, 5 score)"
# shellcheck source=SCRIPTDIR/../utils/parse_options.sh
. ../utils/parse_options.sh
# shellcheck source=SCRIPTDIR/path.sh
. ./path.sh
# shellcheck source=SCRIPTDIR/../utils/run_stage.sh
. ../utils/run_stage.sh
done_dir=$data/.done
mkdir -p "$data" "$exp"

# ------------------------------------------------------------------ stage 0: text
if stage_begin 0 text; then
  python3 local/prepare_text.py --conf "$data_conf" --out "$data/local/text"
  # No sentence in two sets (prepare_text.py dedupes before splitting; checked here).
  for held in dev test; do
    shared=$(cut -d' ' -f2- "$data/local/text/train.txt" | sort -u |
      comm -12 - <(cut -d' ' -f2- "$data/local/text/$held.txt" | sort -u) | wc -l)
    log "check: train and $held share $shared sentences"
    [ "$shared" -eq 0 ] || { log "error: $held sentences leak into train"; exit 1; }
  done
  stage_done 0 text
fi

# ----------------------------------------------------------------- stage 1: audio
if stage_begin 1 audio; then
  # Held-out sets first: they are small, and a model can be scored on them while
  # the training audio is still rendering.
  splits="dev test test_noisy train"
  [ "$(python3 ../utils/read_conf.py "$data_conf" num_nonspeech_test)" = 0 ] || splits="$splits test_nonspeech"
  for split in $splits; do
    [ ! -f "$data/$split/synth.tsv" ] || mv "$data/$split/synth.tsv" "$data/$split/synth.tsv.prev"
  done
  python3 local/plan_audio.py --conf "$data_conf" --text "$data/local/text" --data "$data"
  # A rerun keeps the WAVs already rendered; those whose plan row changed (the conf
  # or the text changed since) are stale and removed, so they are rendered again.
  for split in $splits; do
    [ -f "$data/$split/synth.tsv.prev" ] || continue
    stale=$(comm -23 <(sort "$data/$split/synth.tsv.prev") <(sort "$data/$split/synth.tsv") |
      cut -f1 | grep -v '^uttid$' || true)
    if [ -n "$stale" ]; then
      log "stage 1: $split: plan changed for $(wc -l <<<"$stale") utterances; removing their WAVs"
      sed "s|^|$data/wav/$split/|; s|\$|.wav|" <<<"$stale" | xargs rm -f
    fi
    rm "$data/$split/synth.tsv.prev"
  done
  # Fixed noise recordings (sox -R: the same on every run); utterances cut them at
  # planned offsets, so the noise is deterministic yet differs between utterances.
  mkdir -p "$data/wav/noise"
  if [ ! -s "$data/wav/noise/stats.txt" ]; then
    for noise in whitenoise pinknoise brownnoise; do
      sox -R -q -n -r 16000 -c 1 -b 16 "$data/wav/noise/$noise.wav" synth 300 "$noise" gain -n -3
      sox "$data/wav/noise/$noise.wav" -n stat 2>&1 | awk -v n="$noise" '
        /^Length \(seconds\)/ { d = $3 } /^RMS +amplitude/ { r = $3 } END { print n, d, r }'
    done >"$data/wav/noise/stats.txt.tmp"
    mv "$data/wav/noise/stats.txt.tmp" "$data/wav/noise/stats.txt"
  fi
  for split in $splits; do
    n=$(($(wc -l <"$data/$split/synth.tsv") - 1))
    log "stage 1: rendering $n $split utterances with $nj jobs -> $data/wav/$split"
    mkdir -p "$data/wav/$split"
    start_s=$(date +%s)
    # Progress every 2 minutes; sleep's output is detached so that killing the
    # loop does not leave a pipe held open by a sleeping orphan.
    (while sleep 120 >/dev/null 2>&1; do
      log "stage 1: $split: $(find "$data/wav/$split" -name '*.wav' | wc -l) of $n WAVs"
    done) &
    monitor=$!
    trap 'kill "$monitor" 2>/dev/null || true' EXIT
    tail -n +2 "$data/$split/synth.tsv" |
      nice -n 10 xargs -d '\n' -n 25 -P "$nj" local/synth_utts.sh "$data/wav/$split" "$data/wav/noise"
    kill "$monitor" 2>/dev/null || true
    wait "$monitor" 2>/dev/null || true
    log "stage 1: $split rendered in $(($(date +%s) - start_s)) s"
  done
  # shellcheck disable=SC2086  # $splits is a word list
  python3 local/make_data_dirs.py --data "$data" $splits
  log "stage 1: data statistics in $data/stats.tsv; audio in $data/wav ($(du -sh "$data/wav" | cut -f1))"
  stage_done 1 audio
fi

# Stages 2-5 belong to the experiment: their markers live in $exp/.done, so a
# new --exp trains and decodes again on the same data.
done_dir=$exp/.done

# ----------------------------------------------------- stage 2: features (CMVN)
# Features are computed on the fly while training (so speed perturbation and
# SpecAugment see fresh audio); this stage accumulates the global CMVN
# statistics over the training audio once.
if stage_begin 2 features; then
  mkdir -p "$exp"
  attend compute-cmvn --audio "scp:$data/train/wav.scp" "$exp/cmvn.ark"  # 80 bins, as conf/default.conf and conf/tiny.conf
  stage_done 2 features
fi

# --------------------------------------------------------------- stage 3: train
# Checkpoints every few minutes; an interrupted run continues where it stopped
# when this stage is run again (--resume picks up $exp/train/checkpoints/last.attend).
if stage_begin 3 train; then
  resume=()
  [ -f "$exp/train/checkpoints/last.attend" ] && resume=(--resume)
  attend train --config "$train_conf" --data "$data/train" --dev "$data/dev" \
    --exp "$exp/train" --cmvn "$exp/cmvn.ark" "${resume[@]}"
  stage_done 3 train
fi

# -------------------------------------------------------------- stage 4: decode
# Five settings: greedy; beam 8; beam 8 + joint CTC; and that + an LM trained
# on the train sentence pool (all of it, text only; no dev or test sentence is
# in it), either a character 6-gram or a word 3-gram. The word LM's lexicon is
# its text's words plus the dictionary the recipe's sentences are drawn from
# ($lexicon_words: every dev and test word is in it, so for this recipe the
# lexicon is closed; see RESULTS.md). Each setting's options are chosen on dev
# (local/tune_decode.sh: the lowest dev WER over a small grid), then used as
# they are on test and test_noisy. $exp/decode_settings records the choice and
# $exp/tune_dev/*/tune.txt every candidate's dev WER and CER. The better LM
# setting on dev becomes the model's decoding defaults,
# $exp/train/model.decode.conf (attend transcribe reads MODEL.decode.conf beside
# MODEL.attend), with its LM copied beside the model as model.lm.arpa or
# model.words.arpa (a relative path in a decode.conf is relative to its
# folder); it is written last, so that no decode of this stage sees an old one.
ctc_weights="0.1 0.3 0.5"
# $lm_beams (an option): fusion may need a wider beam, an LM reranks late.
lm_weights="0.1 0.2 0.3 0.5"
word_lm_weights="0.3 0.5"
# A per-token bonus: without one a word LM favours dropping the last words.
# Each LM setting is also tried with length normalization instead, which keeps
# short (even empty) hypotheses from winning once the beam lets them in.
word_lm_length_penalties="0.3 0.6"
lexicon_words=/usr/share/dict/american-english  # Debian's wamerican
if stage_begin 4 decode; then
  model=$exp/train/model.attend
  rm -f "${model%.attend}.decode.conf" "${model%.attend}.lm.arpa" "${model%.attend}.words.arpa"
  attend train-lm --text-has-keys --order 6 "$data/local/text/train.txt" "$exp/lm.arpa"
  attend train-lm --words --text-has-keys --order 3 --vocab "$lexicon_words" \
    "$data/local/text/train.txt" "$exp/words.arpa"
  beam=$(tune_decode.sh "$model" "$data/dev" "$exp/tune_dev/beam" "$nj" \
    "--beam=8 --ctc-weight=0" "--beam=8 --ctc-weight=0 --length-normalization")
  grid=()
  for w in $ctc_weights; do
    grid+=("--beam=8 --ctc-weight=$w" "--beam=8 --ctc-weight=$w --length-normalization")
  done
  beam_ctc=$(tune_decode.sh "$model" "$data/dev" "$exp/tune_dev/beam_ctc" "$nj" "${grid[@]}")
  lm_base=${beam_ctc/ --length-normalization/}
  grid=()
  for b in $lm_beams; do
    for w in $lm_weights; do
      opts="${lm_base/--beam=8/--beam=$b} --lm=$exp/lm.arpa --lm-weight=$w"
      grid+=("$opts" "$opts --length-normalization")
    done
  done
  beam_ctc_lm=$(tune_decode.sh "$model" "$data/dev" "$exp/tune_dev/beam_ctc_lm" "$nj" "${grid[@]}")
  grid=()
  for b in $lm_beams; do
    for w in $word_lm_weights; do
      opts="${lm_base/--beam=8/--beam=$b} --word-lm=$exp/words.arpa --word-lm-weight=$w"
      for p in $word_lm_length_penalties; do grid+=("$opts --length-penalty=$p"); done
      grid+=("$opts --length-normalization")
    done
  done
  beam_ctc_wordlm=$(tune_decode.sh "$model" "$data/dev" "$exp/tune_dev/beam_ctc_wordlm" "$nj" "${grid[@]}")
  printf '%s\n' "greedy:--beam=1 --ctc-weight=0" "beam:$beam" "beam_ctc:$beam_ctc" \
    "beam_ctc_lm:$beam_ctc_lm" "beam_ctc_wordlm:$beam_ctc_wordlm" >"$exp/decode_settings.tmp"
  mv "$exp/decode_settings.tmp" "$exp/decode_settings"
  # Tuning decoded dev with the chosen beam options already (decoding is
  # deterministic): their dev hypotheses are copied, not decoded again.
  model_sum=$(cksum <"$model" | cut -d' ' -f1)
  for set in dev test test_noisy; do
    while IFS=: read -r name opts; do
      dir=$exp/decode_${set}_$name
      mkdir -p "$dir"
      tuned=
      [ "$set" != dev ] ||
        tuned=$(grep -lxF -- "$model_sum $opts" "$exp"/tune_dev/*/*/key 2>/dev/null | head -n 1 || true)
      if [ -n "$tuned" ]; then
        cp "${tuned%/key}/hyp" "$dir/hyp.tmp"
      else
        # shellcheck disable=SC2086  # $opts is a word list
        attend transcribe --quiet --jobs "$nj" --threads 1 --model "$model" \
          --scp "$data/$set/wav.scp" $opts >"$dir/hyp.tmp"
      fi
      mv "$dir/hyp.tmp" "$dir/hyp"
    done <"$exp/decode_settings"
  done
  # The model's defaults: the LM setting with the lower dev WER (ties: the
  # character LM's, the smaller file).
  best_wer() { awk '/<- best/ { print $1 }' "$exp/tune_dev/$1/tune.txt"; }
  defaults=$beam_ctc_lm
  awk -v w="$(best_wer beam_ctc_wordlm)" -v c="$(best_wer beam_ctc_lm)" 'BEGIN { exit !(w < c) }' &&
    defaults=$beam_ctc_wordlm
  for opt in $defaults; do  # --name=value -> name = value, --switch -> switch = true
    opt=${opt#--}
    case $opt in
      lm=*)
        cp "$exp/lm.arpa" "${model%.attend}.lm.arpa"
        printf 'lm = %s\n' "$(basename "${model%.attend}.lm.arpa")"
        ;;
      word-lm=*)
        cp "$exp/words.arpa" "${model%.attend}.words.arpa"
        printf 'word-lm = %s\n' "$(basename "${model%.attend}.words.arpa")"
        ;;
      *=*) printf '%s = %s\n' "${opt%%=*}" "${opt#*=}" ;;
      *) printf '%s = true\n' "$opt" ;;
    esac
  done >"${model%.attend}.decode.conf"
  # Held-out non-speech (conf/data_nonspeech.conf), with the model's defaults.
  if [ -f "$data/test_nonspeech/wav.scp" ]; then
    mkdir -p "$exp/decode_test_nonspeech"
    attend transcribe --quiet --jobs "$nj" --threads 1 --model "$model" \
      --scp "$data/test_nonspeech/wav.scp" >"$exp/decode_test_nonspeech/hyp.tmp"
    mv "$exp/decode_test_nonspeech/hyp.tmp" "$exp/decode_test_nonspeech/hyp"
  fi
  stage_done 4 decode
fi

# --------------------------------------------------------------- stage 5: score
if stage_begin 5 score; then
  {
    printf '%-12s %-12s %8s %8s\n' set decoding WER CER
    for set in dev test test_noisy; do
      while IFS=: read -r name _; do
        dir=$exp/decode_${set}_$name
        attend score --ref "$data/$set/text" --hyp "$dir/hyp" >"$dir/score.txt"
        wer=$(awk '/^%WER/ { print $2 }' "$dir/score.txt")
        cer=$(awk '/^%CER/ { print $2 }' "$dir/score.txt")
        printf '%-12s %-12s %8s %8s\n' "$set" "$name" "$wer" "$cer"
      done <"$exp/decode_settings"
    done
    if [ -f "$exp/decode_test_nonspeech/hyp" ]; then
      # No reference words: SER is the share of clips answered with words.
      attend score --ref "$data/test_nonspeech/text" --hyp "$exp/decode_test_nonspeech/hyp" |
        awk '/^%SER/ { c = $2 } /^%WER/ { w = $4 } END {
          printf "test_nonspeech, default decoding: %s %% of clips answered with words (%s words)\n", c, w }'
    fi
    echo
    echo "options (beam settings chosen on dev, $exp/tune_dev):"
    sed 's/:/: /' "$exp/decode_settings"
    # Where the errors are: the model's default decoding (beam + CTC) by
    # synthesizer and by sentence kind, from the utterance ids
    # (ENGINE_VOICE[_VARIANT]-KINDnnnnnn); per speaker in score_by_speaker.txt.
    for set in dev test test_noisy; do
      dir=$exp/decode_${set}_beam_ctc
      awk -v by_engine="$dir/utt2engine" -v by_kind="$dir/utt2kind" '
        BEGIN { split("c command d digits f fortune n number t timedate w wordseq", a)
                for (i = 1; i < 12; i += 2) kind[a[i]] = a[i + 1] }
        { n = split($1, p, "-"); split(p[1], s, "_")
          print $1, s[1] >by_engine
          print $1, s[1] "/" kind[substr(p[n], 1, 1)] >by_kind }' "$data/$set/text"
      for by in engine:synthesizer kind:synthesizer/sentence\ kind; do
        attend score --ref "$data/$set/text" --hyp "$dir/hyp" --groups "$dir/utt2${by%%:*}" |
          sed -n '/^By group/,$p' | sed "1s|.*|$set, beam_ctc, by ${by#*:}:|"
      done
      attend score --ref "$data/$set/text" --hyp "$dir/hyp" --groups "$data/$set/utt2spk" \
        >"$dir/score_by_speaker.txt"
    done
  } | tee "$exp/results.txt"
  stage_done 5 score
fi

log "finished stages $stage..$stop_stage"
