#!/usr/bin/env bash
# Combines Kaldi data dirs into one, like Kaldi's utils/combine_data.sh for the files
# attend's trainer reads: wav.scp, text, utt2spk (and spk2utt from it), sorted.
# A repeated uttid is an error (prefix copies, e.g. with augment_dir.py --prefix).
#   combine_dirs.sh OUT_DIR IN_DIR...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 OUT_DIR IN_DIR..." >&2; exit 2; }
out=$1
shift
mkdir -p "$out"
export LC_ALL=C
for f in wav.scp text utt2spk; do
  for d in "$@"; do
    [ -f "$d/$f" ] || { echo "combine_dirs: error: missing $d/$f" >&2; exit 1; }
    cat "$d/$f"
  done | sort -k1,1 >"$out/$f.tmp"
  dup=$(cut -d' ' -f1 "$out/$f.tmp" | uniq -d | head -n 1)
  [ -z "$dup" ] || { echo "combine_dirs: error: uttid $dup in two dirs ($f)" >&2; exit 1; }
  mv "$out/$f.tmp" "$out/$f"
done
"$(dirname "$0")/utt2spk_to_spk2utt.sh" "$out/utt2spk" >"$out/spk2utt"
echo "combine_dirs: $out: $(wc -l <"$out/wav.scp") utterances from $# dirs" >&2
