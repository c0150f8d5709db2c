#!/usr/bin/env bash
# recipes/real_en stages 0-1 on the installed Debian packages (`make deps`): every
# importer runs, each source keeps the clips it is known to have, and the held-out
# split shares no speaker with training.
#   real_en_import_test.sh BUILD_DIR RECIPE_DIR SCRATCH_DIR
set -euo pipefail
build=$1 recipe=$2 scratch=$3
rm -rf "$scratch"
mkdir -p "$scratch"
start=$(date +%s)
ATTEND_BUILD=$build "$recipe/run.sh" --stage 0 --stop-stage 1 --data "$scratch/data" \
  --exp "$scratch/exp"
echo "stages 0-1 took $(($(date +%s) - start)) s"
fail=0
# source: least clips kept (the counts on Debian 12's packages, less a small margin)
for want in sky:3000 queen:6400 asterisk:550 hedgewars:480 klettres:85 independent:19; do
  src=${want%%:*} min=${want#*:}
  n=$(wc -l <"$scratch/data/$src/wav.scp")
  echo "$src: $n clips (want >= $min): $(sed -n 2p "$scratch/data/$src/report.txt")"
  [ "$n" -ge "$min" ] || fail=1
  missing=$(cut -d' ' -f2 "$scratch/data/$src/wav.scp" | xargs ls 2>&1 >/dev/null | head -n 1)
  [ -z "$missing" ] || { echo "$src: $missing"; fail=1; }
done
for held in real_dev real_test; do
  n=$(wc -l <"$scratch/data/$held/text")
  echo "$held: $n utterances"
  [ "$n" -ge 300 ] || fail=1
done
[ "$fail" = 0 ] && echo "real_en import: all sources imported" || echo "real_en import: FAILED"
exit "$fail"
