#!/usr/bin/env bash
# Long-run stability: builds an hour of audio from samples/*.wav (each sample
# followed by 1.5 s of silence, the cycle repeated to the length), transcribes it
# with `attend transcribe` in one process and samples the process's resident set
# size (VmRSS) every INTERVAL seconds. Prints one `minute rss_kib` line per sample
# and a summary: the growth from the first sample after WARMUP seconds to the
# largest later sample, which should stay within 5 %.
#   bench/long_run_rss.sh [ATTEND] [OUT_DIR] [SECONDS] [INTERVAL] [WARMUP]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
attend=${1:-$root/build/tools/attend}
out=${2:-$root/build/long_run}
seconds=${3:-3600}
interval=${4:-60}
warmup=${5:-300}
mkdir -p "$out"
wav=$out/long_${seconds}s.wav

if [ ! -s "$wav" ]; then
  cycle=$out/cycle.wav
  silence=$out/silence.wav
  sox -n -r 16000 -c 1 -b 16 "$silence" trim 0 1.5
  parts=()
  for s in "$root"/samples/*.wav; do parts+=("$s" "$silence"); done
  sox "${parts[@]}" "$cycle"
  cycle_s=$(soxi -D "$cycle")
  repeats=$(python3 -c "import math; print(math.ceil($seconds / $cycle_s))")
  sox "$cycle" "$wav.tmp.wav" repeat $((repeats - 1)) trim 0 "$seconds"
  mv "$wav.tmp.wav" "$wav"
fi
echo "input: $wav ($(soxi -d "$wav"))" >&2

"$attend" transcribe --quiet "$wav" > "$out/transcript.txt" 2> "$out/transcribe.log" &
pid=$!
start=$(date +%s)
: > "$out/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$(( ($(date +%s) - start) / 60 )) $rss" | tee -a "$out/rss.txt"
  for _ in $(seq "$interval"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
done
wait "$pid"
status=$?
elapsed=$(( $(date +%s) - start ))
echo "exit status $status, wall ${elapsed} s for ${seconds} s of audio" | tee "$out/summary.txt"
python3 - "$out/rss.txt" "$warmup" "$interval" <<'PY' | tee -a "$out/summary.txt"
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
warm_samples = int(sys.argv[2]) // int(sys.argv[3])
after = [r for i, r in enumerate(rows) if i >= warm_samples]
if len(after) < 2:
    print("too few samples after warm-up"); sys.exit(1)
base, peak = after[0][1], max(r[1] for r in after)
growth = 100.0 * (peak - base) / base
print(f"samples {len(rows)}; first {rows[0][1]} KiB; after warm-up {base} KiB; "
      f"peak after warm-up {peak} KiB; growth {growth:.2f} %")
sys.exit(0 if growth <= 5.0 else 2)
PY
