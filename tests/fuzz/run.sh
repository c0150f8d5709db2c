#!/usr/bin/env bash
# `make fuzz`: runs each libFuzzer target of BUILD_DIR for SECONDS, starting from
# a working copy of its corpus (tests/fuzz/corpus/<target>: seeds and
# regression inputs; what the fuzzer adds stays in BUILD_DIR/fuzz/). Prints per
# target the executions, coverage (cov: edges, ft: features) and the inputs
# that crashed (left in BUILD_DIR/fuzz/artifacts/<target>/); the exit status is
# 1 if any target crashed. TARGETS (space-separated names) limits the run.
#   tests/fuzz/run.sh BUILD_DIR SECONDS
set -uo pipefail
build=${1:?usage: run.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
targets=${TARGETS:-audio model_file data_dir kaldi_archive arpa_char arpa_word config}
out=$build/fuzz
failed=0
printf '%-14s %10s %8s %8s %s\n' target executions cov ft findings
for t in $targets; do
  exe=$build/tests/fuzz/fuzz_$t
  work=$out/corpus/$t
  artifacts=$out/artifacts/$t
  mkdir -p "$work" "$artifacts"
  # A 2 GB allocation from a small file is a finding (-malloc_limit_mb), and
  # so is one input taking over 25 s (-timeout).
  LSAN_OPTIONS=suppressions=$here/../lsan.supp:print_suppressions=0 \
    "$exe" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2560 -malloc_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$here/corpus/$t" \
    < /dev/null > "$out/$t.log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | grep -o '[0-9]*$')
  last=$(grep -E '^#[0-9]+' "$out/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<< "$last" | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' <<< "$last" | grep -o '[0-9]*')
  findings=$(find "$artifacts" -type f | wc -l)
  printf '%-14s %10s %8s %8s %s\n' "$t" "${runs:-?}" "${cov:-?}" "${ft:-?}" "$findings"
  if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
    failed=1
    echo "  $t: exit status $status; log $out/$t.log" >&2
  fi
done
exit "$failed"
