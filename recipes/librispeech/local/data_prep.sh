#!/usr/bin/env bash
# One LibriSpeech part (e.g. LibriSpeech/train-clean-100) into a Kaldi data
# directory, as Kaldi's egs/librispeech/s5/local/data_prep.sh does:
#   SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt   `SPEAKER-CHAPTER-NNNN WORDS` lines
#   SPEAKER/CHAPTER/SPEAKER-CHAPTER-NNNN.flac   16 kHz FLAC (read directly, no sox pipe)
# ->  DST/{wav.scp, text, utt2spk, spk2utt}, sorted; the speaker of an utterance
# is SPEAKER-CHAPTER (one reader, one recording session), so utterance ids
# begin with their speaker id as Kaldi requires. An utterance without its FLAC
# (or a FLAC without a transcript line) is an error.
#   data_prep.sh SRC_DIR DST_DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 SRC_DIR DST_DIR" >&2; exit 2; }
src=$1
dst=$2
export LC_ALL=C
[ -d "$src" ] || { echo "data_prep: error: no directory '$src' (see --data-root)" >&2; exit 1; }
src=$(cd "$src" && pwd)
mkdir -p "$dst"
rm -f "$dst"/{wav.scp,text,utt2spk,spk2utt}

find -L "$src" -mindepth 3 -maxdepth 3 -name '*.trans.txt' | sort >"$dst/trans.list"
[ -s "$dst/trans.list" ] || { echo "data_prep: error: no */*/*.trans.txt under '$src'" >&2; exit 1; }
while read -r trans; do
  chapter_dir=$(dirname "$trans")
  chapter=$(basename "$chapter_dir")
  reader=$(basename "$(dirname "$chapter_dir")")
  case $(basename "$trans") in
    "$reader-$chapter.trans.txt") ;;
    *) echo "data_prep: error: unexpected transcript name $trans" >&2; exit 1 ;;
  esac
  while read -r utt words; do
    [ -n "$utt" ] || continue
    case $utt in
      "$reader-$chapter"-*) ;;
      *) echo "data_prep: error: utterance $utt in $trans" >&2; exit 1 ;;
    esac
    flac=$chapter_dir/$utt.flac
    [ -f "$flac" ] || { echo "data_prep: error: missing $flac" >&2; exit 1; }
    printf '%s %s\n' "$utt" "$flac" >>"$dst/wav.scp"
    printf '%s %s\n' "$utt" "$words" >>"$dst/text"
    printf '%s %s\n' "$utt" "$reader-$chapter" >>"$dst/utt2spk"
  done <"$trans"
  # Every FLAC of the chapter has its transcript line.
  flacs=$(find "$chapter_dir" -maxdepth 1 -name '*.flac' | wc -l)
  lines=$(grep -c . "$trans" || true)
  [ "$flacs" -eq "$lines" ] ||
    { echo "data_prep: error: $chapter_dir has $flacs FLACs but $lines transcript lines" >&2; exit 1; }
done <"$dst/trans.list"
rm "$dst/trans.list"
for f in wav.scp text utt2spk; do
  sort -k1,1 -o "$dst/$f" "$dst/$f"
done
"$(dirname "$0")/../../utils/utt2spk_to_spk2utt.sh" "$dst/utt2spk" >"$dst/spk2utt"
echo "data_prep: $dst: $(wc -l <"$dst/wav.scp") utterances, $(wc -l <"$dst/spk2utt") speakers" >&2
