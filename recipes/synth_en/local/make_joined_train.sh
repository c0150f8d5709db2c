#!/usr/bin/env bash
# A train dir with joined utterances added: the model learns segments that
# hold more than one sentence, as long audio cut where the model hears no
# letter gives it. Four disjoint subsets of SRC's speech utterances (a fixed
# shuffle) are joined by local/make_long_audio.sh (consecutive utterances in
# uttid order, so mostly one speaker's):
#   A 1,200 utterances in twos, back to back, pink noise at 15 dB SNR
#   B 1,200 in twos, 0.3 s apart, 20 dB
#   C 1,500 in threes, 0.5 s apart, 10 dB
#   D 1,200 in twos, back to back, no added noise
# OUT/train = SRC/train + the 2,300 clips (keys joinA-long000 ...; each clip
# its own speaker); OUT/dev links to SRC/dev.
#
#   local/make_joined_train.sh data30n data30j
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC OUT" >&2; exit 1; }
# shellcheck source=SCRIPTDIR/../path.sh
. ./path.sh
src=$1
out=$2

mkdir -p "$out/sub" "$out/train"
awk 'NF > 1' "$src/train/text" | shuf --random-source=<(yes) >"$out/sub/shuffled"
from=1
for spec in "A 1200 2 0 15" "B 1200 2 0.3 20" "C 1500 3 0.5 10" "D 1200 2 0 ''"; do
  eval set -- "$spec"
  name=$1 count=$2 per_file=$3 gap=$4 snr=$5
  mkdir -p "$out/sub/$name"
  sed -n "${from},$((from + count - 1))p" "$out/sub/shuffled" | sort >"$out/sub/$name/text"
  awk 'NR == FNR { keep[$1]; next } $1 in keep' "$out/sub/$name/text" "$src/train/wav.scp" \
    >"$out/sub/$name/wav.scp"
  nice local/make_long_audio.sh --per-file "$per_file" --gap "$gap" --snr "$snr" \
    "$out/sub/$name" "$out/$name"
  from=$((from + count))
done
for f in text wav.scp; do
  (cat "$src/train/$f"; for x in A B C D; do sed "s/^/join$x-/" "$out/$x/$f"; done) |
    sort >"$out/train/$f"
done
(cat "$src/train/utt2spk"; for x in A B C D; do
  awk -v x="$x" '{ print "join" x "-" $1, "join" x "-" $1 }' "$out/$x/text"
done) | sort >"$out/train/utt2spk"
ln -sfn "$(cd "$src/dev" && pwd)" "$out/dev"
echo "$0: $(wc -l <"$out/train/text") utterances in $out/train"
