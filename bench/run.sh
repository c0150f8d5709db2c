#!/usr/bin/env bash
# `make bench`: runs every benchmark executable, prints their tables and
# gathers their figures into build/bench/results.json.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$build/bench
mkdir -p "$out"
# A real BLAS for the PyTorch peers, for their process only (shared/BENCHMARKS.md).
openblas=$out/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread
if [ ! -d "$openblas" ]; then
  (cd "$out" && apt-get download -qq libopenblas0-pthread >/dev/null 2>&1 &&
    dpkg-deb -x libopenblas0-pthread_*.deb openblas) ||
    echo "bench: could not fetch libopenblas0-pthread; PyTorch peers use their default BLAS" >&2
fi
[ -d "$openblas" ] && export ATTEND_BENCH_OPENBLAS=$(cd "$openblas" && pwd)
export ATTEND_SOURCE_DIR=$root
export ATTEND_BENCH_RESULTS=$out/results.jsonl
: > "$ATTEND_BENCH_RESULTS"
printf '%-44s %12s %-12s %s\n' benchmark value unit configuration
for exe in "$out"/*_bench; do
  [ -x "$exe" ] || continue
  echo "## $(basename "$exe")"
  "$exe"
done
{ echo '['; paste -sd, "$ATTEND_BENCH_RESULTS"; echo ']'; } > "$out/results.json"
echo "results: $out/results.json"
