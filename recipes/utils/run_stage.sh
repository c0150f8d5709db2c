#!/usr/bin/env bash
# Sourced by recipe run.sh scripts: stage bookkeeping shared by every recipe.
#
#   stage_begin N NAME   true (returns 0) when stage N is within
#                        [$stage, $stop_stage] and not yet done; logs the decision.
#   stage_done N NAME    writes the stage's .done marker ($done_dir/N.NAME.done).
#   log MSG...           a timestamped line on stderr.
#
# A stage that is already marked done is skipped with a log line; delete its
# marker (or pass --force-stage N in the recipe) to run it again.

log() {
  printf '%s %s: %s\n' "$(date '+%F %T')" "$(basename "$0")" "$*" >&2
}

stage_marker() {
  printf '%s/%s.%s.done' "${done_dir:?done_dir not set}" "$1" "$2"
}

stage_begin() {
  local n=$1 name=$2
  if [ "$n" -lt "${stage:?}" ] || [ "$n" -gt "${stop_stage:?}" ]; then
    return 1
  fi
  if [ -f "$(stage_marker "$n" "$name")" ] && [ "${force_stage:-}" != "$n" ]; then
    log "stage $n ($name): already done ($(stage_marker "$n" "$name")), skipping"
    return 1
  fi
  log "stage $n ($name): start"
  __stage_start_s=$(date +%s)
  return 0
}

stage_done() {
  local n=$1 name=$2
  mkdir -p "$done_dir"
  date '+%F %T' >"$(stage_marker "$n" "$name")"
  log "stage $n ($name): done in $(($(date +%s) - ${__stage_start_s:-$(date +%s)})) s"
}
