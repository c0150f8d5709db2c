#!/usr/bin/env bash
# Memory of a long `attend stream` (no --realtime): the process's peak RSS
# (VmHWM) against the audio position it has reached (the end time of its last
# JSON event), sampled every 5 s, and the peak after 5 minutes of audio
# against the peak at the end.
#   bench/stream_memory.sh ATTEND [INPUT.wav] [MINUTES]
# Without INPUT, the bundled samples with 1 s of silence after each are
# repeated to MINUTES (60) minutes of audio (needs sox).
set -euo pipefail
attend=$1
minutes=${3:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$0")/.." && pwd)
input=${2:-}
if [ -z "$input" ]; then
  parts=()
  for f in "$root"/samples/*.wav; do
    sox "$f" -r 16000 -c 1 "$work/$(basename "$f")" pad 0 1
    parts+=("$work/$(basename "$f")")
  done
  sox "${parts[@]}" "$work/round.wav"
  round=$(soxi -D "$work/round.wav")
  copies=$(awk -v m="$minutes" -v r="$round" 'BEGIN { print int(m * 60 / r) + 1 }')
  sox $(for _ in $(seq "$copies"); do echo "$work/round.wav"; done) "$work/long.wav" \
    trim 0 $((minutes * 60))
  input=$work/long.wav
fi
"$attend" stream --format json "$input" > "$work/events.jsonl" &
pid=$!
echo "# seconds of audio, peak RSS (kB)"
while kill -0 "$pid" 2>/dev/null; do
  position=$( (tail -c 4000 "$work/events.jsonl" | grep -o '"end":[0-9.]*' | tail -1 |
    cut -d: -f2) || true)
  peak=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$position" ] && [ -n "$peak" ] && echo "$position $peak"
  sleep 5
done | tee "$work/memory.txt"
wait "$pid"
awk '$1 <= 300 { five = $2 } { last = $2; end = $1 }
     END { if (five > 0) printf "stream.memory: peak RSS %d kB after 5 min, %d kB after %.0f s: ratio %.3f\n",
             five, last, end, last / five }' "$work/memory.txt"
