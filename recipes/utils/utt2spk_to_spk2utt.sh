#!/usr/bin/env bash
# utt2spk on stdin or in $1 -> spk2utt on stdout (Kaldi format, sorted by speaker).
set -euo pipefail
LC_ALL=C awk '{ if (!($2 in u)) order[n++] = $2; u[$2] = u[$2] " " $1 }
  END { for (i = 0; i < n; i++) print order[i] u[order[i]] }' "${1:-/dev/stdin}" | LC_ALL=C sort -k1,1
