# shellcheck shell=bash
# Sourced by run.sh: the built attend binary (../../build/tools/attend, or
# $ATTEND_BUILD/tools/attend for another build directory) on PATH,
# the recipe's helpers reachable, a fixed locale for sort and awk.
recipe_root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="${ATTEND_BUILD:-$recipe_root/../../build}/tools:$recipe_root/local:$recipe_root/../utils:$PATH"
export LC_ALL=C
export PYTHONUNBUFFERED=1
