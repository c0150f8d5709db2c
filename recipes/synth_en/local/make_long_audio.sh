#!/usr/bin/env bash
# Long recordings from a data dir, to test how attend cuts long audio: every
# `--per-file` consecutive utterances of DIR joined into one WAV with `--gap`
# seconds of digital silence after each, and, with `--snr`, pink noise mixed
# over the whole file (pauses included) at that SNR against the file's RMS,
# as a noisy room would. Writes OUT/{wav.scp,text,utt2dur} (one entry per
# long file; its text the utterances' texts in order), OUT/wav/, and
# OUT/segments: where each utterance lies in its long file (with up to 0.25 s
# of the pause on either side), so that
#   attend transcribe --scp OUT/wav.scp --segments OUT/segments
# decodes the sentences one by one from the same audio: the reference for a
# segmentation (join the hypotheses per file to score them against OUT/text).
# Deterministic (sox -R).
#
#   local/make_long_audio.sh [--per-file 20] [--gap 0.5] [--snr ""] DIR OUT
#
# Use dev for choices; test stays unseen until the choice is made.
set -euo pipefail

per_file=20
gap=0.5
snr=
help_message="usage: $0 [--per-file N] [--gap SECONDS] [--snr DB] DIR OUT"
# shellcheck source=SCRIPTDIR/../../utils/parse_options.sh
. ../utils/parse_options.sh
[ $# -eq 2 ] || { echo "$help_message" >&2; exit 1; }
# shellcheck source=SCRIPTDIR/../path.sh
. ./path.sh
data=$1
out=$2

mkdir -p "$out/wav"
: >"$out/wav.scp.tmp"
: >"$out/text.tmp"
: >"$out/utt2dur.tmp"
: >"$out/segments.tmp"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sox -R -n -r 16000 -c 1 -b 16 "$tmp/gap.wav" trim 0 "$gap"
# Kaldi order: wav.scp and text sorted alike; the groups follow text's order.
# Lines `group uttid wav text...`.
awk -v n="$per_file" 'NR == FNR { wav[$1] = $2; next }
  {
    if (!($1 in wav)) { print "no wav for " $1 > "/dev/stderr"; exit 1 }
    utt = $1; $1 = ""
    print sprintf("long%03d", int((FNR - 1) / n)), utt, wav[utt] $0
  }' "$data/wav.scp" "$data/text" >"$tmp/groups"
for group in $(cut -d' ' -f1 "$tmp/groups" | uniq); do
  inputs=()
  : >"$tmp/durations"
  while read -r _ utt path _; do
    inputs+=("$path" "$tmp/gap.wav")
    echo "$utt $(soxi -D "$path")" >>"$tmp/durations"
  done < <(awk -v g="$group" '$1 == g' "$tmp/groups")
  awk -v g="$group" -v gap="$gap" '{
      pad = gap / 2 < 0.25 ? gap / 2 : 0.25
      start = t - pad < 0 ? 0 : t - pad
      printf "%s-%s %s %.3f %.3f\n", g, $1, g, start, t + $2 + pad
      t += $2 + gap
    }' "$tmp/durations" >>"$out/segments.tmp"
  wav=$out/wav/$group.wav
  sox -R "${inputs[@]}" -b 16 "$tmp/clean.wav"
  if [ -n "$snr" ]; then
    seconds=$(soxi -D "$tmp/clean.wav")
    sox -R -n -r 16000 -c 1 -b 16 "$tmp/noise.wav" synth "$seconds" pinknoise
    rms() { sox "$1" -n stat 2>&1 | awk '/RMS +amplitude/ { print $3 }'; }
    gain=$(awk -v s="$(rms "$tmp/clean.wav")" -v n="$(rms "$tmp/noise.wav")" -v snr="$snr" \
      'BEGIN { printf "%.6f", s / n / exp(snr / 20 * log(10)) }')
    sox -R -m -v 1 "$tmp/clean.wav" -v "$gain" "$tmp/noise.wav" -b 16 "$wav"
  else
    mv "$tmp/clean.wav" "$wav"
  fi
  echo "$group $(cd "$(dirname "$wav")" && pwd)/$group.wav" >>"$out/wav.scp.tmp"
  echo "$group $(awk -v g="$group" '$1 == g { $1 = $2 = $3 = ""; sub(/^   /, ""); printf "%s ", $0 }' "$tmp/groups" | sed 's/ $//')" >>"$out/text.tmp"
  echo "$group $(soxi -D "$wav")" >>"$out/utt2dur.tmp"
done
mv "$out/wav.scp.tmp" "$out/wav.scp"
mv "$out/text.tmp" "$out/text"
mv "$out/utt2dur.tmp" "$out/utt2dur"
mv "$out/segments.tmp" "$out/segments"
echo "$0: $(wc -l <"$out/wav.scp") long files in $out ($(awk '{ s += $2 } END { printf "%.1f", s / 60 }' "$out/utt2dur") min)"
