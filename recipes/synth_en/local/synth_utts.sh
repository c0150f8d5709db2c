#!/usr/bin/env bash
# Stage 1 of recipes/synth_en, part 2: renders synthesis-plan rows to WAV files.
#
#   synth_utts.sh WAV_DIR NOISE_DIR ROW...
#
# NOISE_DIR holds the noise recordings and stats.txt (see below). Each ROW is one line of data/<split>/synth.tsv (tab separated, columns as in
# its header; see local/plan_audio.py). Writes WAV_DIR/<uttid>.wav: 16 kHz mono
# 16-bit, synthesized by espeak-ng, flite or festival (xlang: local/xlang.scm), or
# non-speech made by sox (silence, noise, hum, beeps), then with sox: speed, resampling,
# band-limiting, reverb, additive noise at the planned SNR, peak gain. A WAV that
# already exists is skipped, so an interrupted run resumes. Run by run.sh through
# xargs -P; deterministic (sox -R, noise cut from fixed files at planned offsets).
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 WAV_DIR NOISE_DIR ROW..." >&2; exit 1; }
wav_dir=$1
noise_dir=$2
shift 2
mkdir -p "$wav_dir"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synth_en.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sox_() { sox -R -D -q "$@"; }

# Noise recordings NOISE_DIR/<name>.wav, their length and RMS amplitude in
# NOISE_DIR/stats.txt (`name seconds rms` lines, written once by run.sh).
declare -A noise_rms=()
noise_dur=0
while read -r name seconds r; do
  noise_rms[$name]=$r
  noise_dur=$seconds
done <"$noise_dir/stats.txt"

render() {
  local uttid _spk engine voice variant rate pitch speed band hp lp rev room noise snr offset
  local gain text
  IFS=$'\t' read -r uttid _spk engine voice variant rate pitch speed band hp lp rev room noise \
    snr offset gain text <<<"$1"
  local out=$wav_dir/$uttid.wav
  [ -s "$out" ] && return 0

  case $engine in
    espeak)
      local v=$voice
      [ "$variant" = none ] || v="$voice+$variant"
      printf '%s\n' "$text" | espeak-ng -v "$v" -s "$rate" -p "$pitch" --stdin -w "$tmp/raw.wav" || return 1
      ;;
    flite)
      flite -voice "$voice" --setf duration_stretch="$rate" --setf int_f0_target_mean="$pitch" \
        -t "$text" -o "$tmp/raw.wav" || return 1
      ;;
    xlang)
      # Rendered before the loop (render_xlang), all of this call's at once.
      [ -s "$tmp/xlang/$uttid.wav" ] || { echo "$0: $uttid: xlang synthesis failed" >&2; return 1; }
      mv "$tmp/xlang/$uttid.wav" "$tmp/raw.wav"
      ;;
    festival)
      # The voice's own intonation model with the planned mean F0 put first in its
      # parameters (the diphone voices read it; the HTS voice has its own F0 model).
      printf '%s\n' "$text" >"$tmp/text.txt"
      text2wave -eval "(voice_$voice)" -eval "(Parameter.set 'Duration_Stretch $rate)" \
        -eval "(set! int_lr_params (cons (list 'target_f0_mean $pitch) int_lr_params))" \
        "$tmp/text.txt" -o "$tmp/raw.wav" || return 1
      ;;
    nonspeech)
      # No text: `rate` is the length in seconds, `pitch` the hum's or beeps'
      # frequency; the level is set after the filters (below).
      local gen=(-n -r 16000 -c 1 -b 16 "$tmp/raw.wav")
      case $voice in
        silence) sox_ "${gen[@]}" trim 0 "$rate" || return 1 ;;
        whitenoise | pinknoise | brownnoise) sox_ "${gen[@]}" synth "$rate" "$voice" || return 1 ;;
        hum) sox_ "${gen[@]}" synth "$rate" sawtooth "$pitch" lowpass 1500 || return 1 ;;
        beeps)
          sox_ "${gen[@]}" synth 0.25 sine "$pitch" pad 0 0.25 \
            repeat "$(awk -v s="$rate" 'BEGIN { print int(s / 0.5) }')" trim 0 "$rate" || return 1
          ;;
        *)
          echo "$0: $uttid: unknown non-speech source '$voice'" >&2
          return 1
          ;;
      esac
      ;;
    *)
      echo "$0: $uttid: unknown engine '$engine'" >&2
      return 1
      ;;
  esac

  # Headroom first (the synthesizers peak near full scale; sox clips inside effects),
  # then speed (tempo and pitch together), 16 kHz, filters, reverb with room for its
  # tail; `stat` at the end measures the result on its way to the file.
  local fx=(gain -n -6 speed "$speed" rate -v 16k)
  case $band in
    none) ;;
    butterworth)
      [ "$hp" = 0 ] || fx+=(highpass "$hp")
      [ "$lp" = 0 ] || fx+=(lowpass "$lp")
      ;;
    sinc)
      if [ "$hp" != 0 ] && [ "$lp" != 0 ]; then fx+=(sinc "$hp-$lp")
      elif [ "$hp" != 0 ]; then fx+=(sinc "$hp")
      else fx+=(sinc "-$lp"); fi
      ;;
    *)
      echo "$0: $uttid: unknown band filter '$band'" >&2
      return 1
      ;;
  esac
  [ "$rev" = 0 ] || fx+=(pad 0 0.3 reverb "$rev" 50 "$room")
  local stat
  stat=$(sox_ "$tmp/raw.wav" -e float -b 32 -c 1 "$tmp/clean.wav" "${fx[@]}" channels 1 stat 2>&1) ||
    { echo "$0: $uttid: sox failed: $stat" >&2; return 1; }

  if [ "$engine" = nonspeech ]; then
    # RMS at `gain` dBFS; silence stays digital zeros.
    local to_level
    to_level=$(awk -v level="$gain" '/^RMS +amplitude/ { r = $3 }
      END { print (r > 1e-9 ? level - 20 * log(r) / log(10) : 0) }' <<<"$stat")
    sox_ "$tmp/clean.wav" -b 16 "$tmp/out.wav" gain "$to_level" || return 1
  elif [ "$noise" = none ]; then
    sox_ "$tmp/clean.wav" -b 16 "$tmp/out.wav" gain -n "$gain" || return 1
  else
    # Noise scaled so that 20 log10(rms_speech / rms_noise) = snr, with rms_noise that
    # of the whole (stationary) noise file; both inputs halved so the sum cannot clip
    # before the final peak gain. The noise is cut at the planned offset.
    local start scale
    read -r start scale < <(awk -v u="$offset" -v snr="$snr" -v n="$noise_dur" \
      -v nrms="${noise_rms[$noise]:?no noise file for $noise}" '
      /^Length \(seconds\)/ { d = $3 } /^RMS +amplitude/ { r = $3 }
      END { if (r <= 1e-6) exit 1; s = u * (n - d); if (s < 0) s = 0
            printf "%.3f %.6f\n", s, 0.5 * r / (nrms * 10 ^ (snr / 20)) }' <<<"$stat") ||
      { echo "$0: $uttid: silent audio (engine $engine voice $voice+$variant)" >&2; return 1; }
    sox_ -m -v 0.5 "$tmp/clean.wav" -v "$scale" "|sox -R -D -q $noise_dir/$noise.wav -p trim $start" \
      -b 16 "$tmp/out.wav" trim 0 "$(awk '/^Length \(seconds\)/ { print $3 }' <<<"$stat")" \
      gain -n "$gain" || return 1
  fi
  mv "$tmp/out.wav" "$out" || return 1
}

# The xlang rows' raw audio, all in one festival process: its start (about 1 s,
# loading two voices) costs 30 times the synthesis of a sentence. The text is
# normalized (a-z, apostrophe, space), so it needs no escaping in Scheme.
render_xlang() {
  mkdir -p "$tmp/xlang"
  local row uttid _spk engine voice _variant rate pitch rest text
  for row in "$@"; do
    IFS=$'\t' read -r uttid _spk engine voice _variant rate pitch rest <<<"$row"
    if [ "$engine" != xlang ] || [ -s "$wav_dir/$uttid.wav" ]; then continue; fi
    text=${row##*$'\t'}
    printf '(xlang_synth "%s" "%s" %s %s "%s")\n' "$text" "$voice" "$rate" "$pitch" \
      "$tmp/xlang/$uttid.wav"
  done >"$tmp/xlang.scm"
  [ -s "$tmp/xlang.scm" ] || return 0
  festival --batch "$(dirname "$0")/xlang.scm" "$tmp/xlang.scm" >"$tmp/xlang.log" 2>&1 ||
    echo "$0: warning: festival failed on xlang rows: $(grep -m1 -i error "$tmp/xlang.log")" >&2
}
render_xlang "$@"

# A failed utterance is reported and skipped (its WAV is missing; make_data_dirs.py
# drops it and fails the stage if too many are missing). Commands inside render()
# check their own status: `set -e` does not apply in a function called from `||`.
for row in "$@"; do
  render "$row" || echo "$0: warning: failed to render ${row%%$'\t'*}" >&2
done
