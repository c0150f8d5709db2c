#!/usr/bin/env bash
# `attend stream` on a real microphone path: a PulseAudio daemon of its own
# with a null sink, whose monitor is the default source, is an input device
# for PortAudio (ALSA's "default" → pulse, libasound2-plugins). Two samples
# 2 s apart are played into the sink while attend records; expected: two
# final events in order, each within 20 % CER of its reference (samples/text).
# Usage: stream_mic_test.sh ATTEND_BINARY SOURCE_ROOT
set -euo pipefail
attend=$1
root=$2
work=$(mktemp -d)
export XDG_RUNTIME_DIR=$work/runtime  # the daemon's socket: this test's own
mkdir -p "$XDG_RUNTIME_DIR"
pa_pid=
attend_pid=
cleanup() {
  [ -n "$attend_pid" ] && kill "$attend_pid" 2>/dev/null || true
  [ -n "$pa_pid" ] && kill "$pa_pid" 2>/dev/null && wait "$pa_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# In the foreground of a background job: as root, `pulseaudio -D` wants a
# system-wide setup; -n skips the default.pa (no hardware to probe).
pulseaudio -n --daemonize=no --use-pid-file=no --system=false --exit-idle-time=-1 \
  --disallow-exit --load=module-native-protocol-unix \
  --load="module-null-sink sink_name=vmic" >"$work/pulseaudio.log" 2>&1 &
pa_pid=$!
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl info >/dev/null || { cat "$work/pulseaudio.log"; exit 1; }
pactl set-default-sink vmic
pactl set-default-source vmic.monitor

first=$root/samples/espeak_engb_aunty-d001653.wav
second=$root/samples/espeak_en029_annie-f003056.wav
sox -n -r 16000 -c 1 -b 16 "$work/gap.wav" trim 0 2
sox "$first" "$work/gap.wav" "$second" "$work/two.wav"

"$attend" stream --format json --model "$root/models/default.attend" \
  >"$work/events.json" 2>"$work/stderr.txt" &
attend_pid=$!
for _ in $(seq 600); do grep -q "listening to" "$work/stderr.txt" && break; sleep 0.1; done
grep "listening to" "$work/stderr.txt" || { cat "$work/stderr.txt"; exit 1; }
sleep 0.5
paplay -d vmic "$work/two.wav"
sleep 1.5  # the last pause, for the endpoint
kill -INT "$attend_pid"
status=0
wait "$attend_pid" || status=$?
attend_pid=
cat "$work/stderr.txt" >&2
cat "$work/events.json"
[ "$status" = 0 ] || { echo "attend stream exited with $status"; exit 1; }

python3 - "$work/events.json" "$root/samples/text" "$first" "$second" <<'PY'
import json, os, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
refs = dict(l.split(None, 1) for l in open(sys.argv[2]) if l.strip())
finals = [e for e in events if e["type"] == "final"]
def cer(ref, hyp):
    d = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, d[0] = d[0], i
        for j, h in enumerate(hyp, 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (r != h))
    return d[len(hyp)] / max(len(ref), 1)
keys = [os.path.splitext(os.path.basename(p))[0] for p in sys.argv[3:]]
assert len(finals) == 2, f"expected 2 finals, got {len(finals)}: {finals}"
assert finals[0]["end"] <= finals[1]["start"], finals
for key, f in zip(keys, finals):
    c = cer(refs[key].strip(), f["text"])
    print(f"{key}: '{f['text']}' CER {c:.1%}")
    assert c <= 0.20, f"CER {c:.1%} > 20% for {key}"
PY
