#!/usr/bin/env bash
# Checks that recipes/utils/text_norm.py agrees with attend's C++ TextNormalizer
# (decoder/text_normalizer.cc) byte for byte on a text file (default: every line of
# the Debian fortunes, the rawest text the recipe reads, plus a few edge cases).
# Compiles a ten-line harness against the repository's sources in a temp dir
# (g++ and Boost.Program_options, which `make deps` installs); touches nothing else.
#   recipes/utils/check_text_norm.sh [FILE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/harness.cc" <<'CC'
#include <iostream>
#include <string>
#include "decoder/text_normalizer.h"
int main() {
  attend::decoder::TextNormalizer norm;
  std::string line;
  while (std::getline(std::cin, line)) std::cout << norm.Normalize(line) << '\n';
}
CC
g++ -std=c++20 -O1 -I"$root" "$tmp/harness.cc" "$root/decoder/text_normalizer.cc" \
  "$root/base/error.cc" -lboost_program_options -o "$tmp/harness"

if [ $# -ge 1 ]; then
  cp "$1" "$tmp/in.txt"
else
  cat /usr/share/games/fortunes/*.u8 >"$tmp/in.txt" 2>/dev/null || true
  printf '%s\n' "It's 1905." "007 0 000 1000000 1001 12345678901234567" "o'clock 'quoted' rock'n'roll" \
    "a-b_c 7:30 3.14 1,000" "café UPPER	tab" "" "   " >>"$tmp/in.txt"
fi
"$tmp/harness" <"$tmp/in.txt" >"$tmp/cc.txt"
python3 "$here/text_norm.py" <"$tmp/in.txt" >"$tmp/py.txt"
if cmp -s "$tmp/cc.txt" "$tmp/py.txt"; then
  echo "check_text_norm: text_norm.py matches the C++ normalizer on $(wc -l <"$tmp/in.txt") lines"
else
  echo "check_text_norm: MISMATCH between text_norm.py and the C++ normalizer:" >&2
  diff "$tmp/cc.txt" "$tmp/py.txt" | head -20 >&2
  exit 1
fi
