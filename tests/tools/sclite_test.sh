#!/usr/bin/env bash
# attend's CTM as NIST's tools read it: on the bundled samples, sctk's
# ctmValidator.pl accepts `attend transcribe --format ctm`, its words are the
# text transcript's, and sclite's WER of the CTM equals `attend score`'s WER of
# the text; `attend score` on the CTM gives sclite's WER and NCE.
# Usage: sclite_test.sh ATTEND_BINARY SOURCE_ROOT
set -euo pipefail
attend=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LC_ALL=C
fail() { echo "sclite_test: FAIL: $*" >&2; exit 1; }

while read -r key _; do echo "$key $root/samples/$key.wav"; done < "$root/samples/text" > "$work/wav.scp"
decode() {
  "$attend" transcribe --model "$root/models/default.attend" --scp "$work/wav.scp" --threads 1 \
    --quiet --format "$@"
}
decode ctm > "$work/hyp.ctm"
decode text > "$work/hyp.txt"
[ -s "$work/hyp.ctm" ] || fail "empty CTM"

sctk ctmValidator.pl -i "$work/hyp.ctm" || fail "ctmValidator.pl rejects attend's CTM"

# The CTM's words, joined per utterance, are the text transcript.
awk '{ w[$1] = w[$1] " " $5 } END { for (k in w) print k w[k] }' "$work/hyp.ctm" | sort > "$work/ctm.txt"
grep -v '^[^ ]*$' "$work/hyp.txt" | sort > "$work/nonempty.txt"
diff "$work/ctm.txt" "$work/nonempty.txt" || fail "CTM words differ from the text transcript"

# Confidences are probabilities.
awk '$6 < 0 || $6 > 1 { exit 1 }' "$work/hyp.ctm" || fail "a confidence outside [0, 1]"

awk '{ printf "%s 1 %s 0.000 9999.000", $1, $1; for (i = 2; i <= NF; i++) printf " %s", $i;
       printf "\n" }' "$root/samples/text" | sort > "$work/ref.stm"
sctk sclite -r "$work/ref.stm" stm -h "$work/hyp.ctm" ctm -o sum stdout > "$work/sclite.txt" ||
  fail "sclite failed"
# Sum/Avg row: | Sum/Avg | utts words | Corr Sub Del Ins Err S.Err | NCE |
sclite_wer=$(awk -F'|' '/Sum\/Avg/ { split($4, c, " "); print c[5] }' "$work/sclite.txt")
attend_wer=$("$attend" score --ref "$root/samples/text" --hyp "$work/hyp.txt" |
  awk '/^%WER/ { print $2 }')
echo "sclite WER $sclite_wer, attend score WER $attend_wer"
if [ -z "$sclite_wer" ] || [ -z "$attend_wer" ]; then fail "a WER is missing"; fi
close() { awk -v a="$1" -v b="$2" -v tol="$3" 'BEGIN { d = a - b; exit !(d <= tol && d >= -tol) }'; }
close "$sclite_wer" "$attend_wer" 0.051 || fail "sclite WER $sclite_wer != attend score WER $attend_wer"

# The same through the CTM: WER, and the NCE of the confidences.
"$attend" score --ref "$root/samples/text" --hyp "$work/hyp.ctm" > "$work/score_ctm.txt"
ctm_wer=$(awk '/^%WER/ { print $2 }' "$work/score_ctm.txt")
attend_nce=$(awk '/^NCE/ { print $2 }' "$work/score_ctm.txt")
sclite_nce=$(awk -F'|' '/Sum\/Avg/ { gsub(/ /, "", $5); print $5 }' "$work/sclite.txt")
echo "sclite NCE $sclite_nce, attend score NCE $attend_nce"
[ "$ctm_wer" = "$attend_wer" ] || fail "attend score WER of the CTM $ctm_wer != of the text $attend_wer"
if [ -z "$sclite_nce" ] || [ -z "$attend_nce" ]; then fail "an NCE is missing"; fi
close "$sclite_nce" "$attend_nce" 0.0015 || fail "sclite NCE $sclite_nce != attend score NCE $attend_nce"
