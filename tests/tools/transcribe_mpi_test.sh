#!/usr/bin/env bash
# Sharded transcription (issue 24): `mpirun -np N attend transcribe --scp`
# writes the same bytes as one process: text for N = 2 and 3 (uneven shares),
# JSON for N = 3, with an input that fails (reported once, exit status 1).
# Usage: transcribe_mpi_test.sh ATTEND_BINARY SOURCE_ROOT
set -euo pipefail
attend=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1  # one process and each rank decode with the same arithmetic

i=0
for wav in "$root"/samples/*.wav; do
  printf 'utt%02d %s\n' $i "$wav" >> "$tmp/wav.scp"
  i=$((i + 1))
done
echo "utt99 $tmp/missing.wav" >> "$tmp/wav.scp"

run() {  # run RANKS FORMAT OUT: exit status into OUT.status
  local ranks=$1 format=$2 out=$3 launcher=()
  if [ "$ranks" -gt 0 ]; then
    launcher=(mpirun --allow-run-as-root --oversubscribe --bind-to none -x OMP_NUM_THREADS -np "$ranks")
  fi
  set +e
  "${launcher[@]}" "$attend" transcribe --quiet --scp "$tmp/wav.scp" --format "$format" \
    > "$out" 2> "$out.err"
  echo $? > "$out.status"
  set -e
}

for format in text json; do
  run 0 $format "$tmp/one.$format"
  [ "$(cat "$tmp/one.$format.status")" = 1 ] || { echo "one process: exit status not 1"; exit 1; }
  [ "$(grep -c . "$tmp/one.$format")" -ge 5 ] || { echo "one process: too few lines"; exit 1; }
  ranks_list="2 3"
  [ $format = text ] || ranks_list=3
  for ranks in $ranks_list; do
    run $ranks $format "$tmp/mpi$ranks.$format"
    cat "$tmp/mpi$ranks.$format.err" >&2
    if ! cmp "$tmp/one.$format" "$tmp/mpi$ranks.$format"; then
      diff "$tmp/one.$format" "$tmp/mpi$ranks.$format" | head -20
      echo "FAIL: $ranks ranks, --format $format: output differs from one process"
      exit 1
    fi
    [ "$(cat "$tmp/mpi$ranks.$format.status")" = 1 ] || { echo "FAIL: $ranks ranks: exit status"; exit 1; }
    [ "$(grep -c "1 of 6 inputs failed" "$tmp/mpi$ranks.$format.err")" = 1 ] ||
      { echo "FAIL: $ranks ranks: not one failure summary"; exit 1; }
    echo "ok: $ranks ranks, --format $format: byte-identical ($(wc -c < "$tmp/one.$format") bytes)"
  done
done
