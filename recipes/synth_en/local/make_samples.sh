#!/usr/bin/env bash
# Copies a handful of short held-out test utterances into the repository's
# samples/ directory (samples/<uttid>.wav + samples/text, `uttid text` lines), the
# files `make run` transcribes and scores. Run after stage 1:
#
#   local/make_samples.sh [--data data] [--num 5] [--out ../../samples]
#
# Picks from data/test (speakers never heard in training), deterministically:
# 1.2-3.0 s long (so each WAV stays under 100 KB), at least 3 words, little or no
# added noise (SNR >= 20 dB); the flite test voice first, then espeak-ng ones with
# a new voice, variant and sentence kind each. Replaces the samples a previous run
# listed in samples/text.
set -euo pipefail
cd "$(dirname "$0")/.."

data=data
num=5
out=../../samples
help_message="usage: $0 [--data DIR] [--num N] [--out DIR]"
# shellcheck source=SCRIPTDIR/../../utils/parse_options.sh
. ../utils/parse_options.sh
export LC_ALL=C

plan=$data/test/synth.tsv
[ -s "$data/test/utt2dur" ] || { echo "$0: run stages 0-1 first ($data/test/utt2dur missing)" >&2; exit 1; }
mkdir -p "$out"

# uttid text, for the chosen utterances (in choice order).
chosen=$(awk -F'\t' -v num="$num" '
  NR == FNR { dur[$1] = $2; next }           # utt2dur (space separated, set below)
  FNR == 1 { next }                          # synth.tsv header
  {
    d = dur[$1]; n = split($18, w, " "); kind = substr($1, index($1, "-") + 1, 1)
    if (d < 1.2 || d > 3.0 || n < 3 || ($14 != "none" && $15 < 20)) next
    row[++rows] = $1 "\t" $2 "\t" $3 "\t" kind "\t" $18 "\t" $4 "\t" $5
  }
  END {
    # Pass 1: one utterance of the flite test voice; pass 2: espeak-ng, a new
    # base voice, variant and sentence kind; pass 3: espeak-ng, a new speaker.
    for (pass = 1; pass <= 3 && got < num; pass++)
      for (i = 1; i <= rows && got < num; i++) {
        split(row[i], f, "\t")
        if ((pass == 1) != (f[3] == "flite") || (pass == 1 && got >= 1) || (f[2] in spk)) continue
        if (pass == 2 && ((f[4] in kinds) || (f[6] in voices) || (f[7] in variants))) continue
        spk[f[2]] = 1; kinds[f[4]] = 1; voices[f[6]] = 1; variants[f[7]] = 1; got++
        print f[1] " " f[5]
      }
  }' FS=' ' "$data/test/utt2dur" FS='\t' "$plan")

count=$(printf '%s\n' "$chosen" | grep -c . || true)
[ "$count" -eq "$num" ] || { echo "$0: found only $count suitable test utterances" >&2; exit 1; }

if [ -f "$out/text" ]; then
  while read -r old _; do rm -f "$out/$old.wav"; done <"$out/text"
fi
printf '%s\n' "$chosen" | sort >"$out/text"
while read -r uttid _; do
  cp "$data/wav/test/$uttid.wav" "$out/$uttid.wav"
done <"$out/text"
echo "$0: wrote $count samples to $out:" >&2
while read -r uttid text; do
  printf '  %-40s %6d bytes  %s\n' "$uttid.wav" "$(stat -c %s "$out/$uttid.wav")" "$text" >&2
done <"$out/text"
