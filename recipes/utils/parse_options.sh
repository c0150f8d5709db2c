#!/usr/bin/env bash
# Sourced by recipe scripts after they define their option variables:
#
#   stage=0
#   stop_stage=100
#   . ../utils/parse_options.sh   # "$@" is parsed, consumed arguments removed
#
# Each `--some-name VALUE` or `--some-name=VALUE` sets the already-defined shell
# variable `some_name` (dashes become underscores); an unknown name is an error,
# so a typo never silently runs the default. `--help` / `-h` prints
# "$help_message" (if the caller set one) and the current values, then exits 0.
# Parsing stops at the first argument that does not start with `--`, or after `--`.

__po_usage() {
  [ -n "${help_message:-}" ] && printf '%s\n' "$help_message" >&2
  echo "options (current values):" >&2
  # The caller's option variables: its top-level `name=value` lines above this file.
  local v
  awk -F= '/parse_options\.sh/ { exit } /^[a-z_][a-z0-9_]*=/ && $1 != "help_message" { print $1 }' \
    "$0" | while read -r v; do
    printf '  --%-14s %s\n' "${v//_/-}" "${!v-}" >&2
  done
}

while [ $# -gt 0 ]; do
  case "$1" in
    --help | -h)
      __po_usage
      exit 0
      ;;
    --)
      shift
      break
      ;;
    --*=*)
      __po_name=${1%%=*}
      __po_value=${1#*=}
      shift
      ;;
    --*)
      if [ $# -lt 2 ]; then
        echo "$0: option $1 needs a value" >&2
        exit 1
      fi
      __po_name=$1
      __po_value=$2
      shift 2
      ;;
    *)
      break
      ;;
  esac
  __po_name=${__po_name#--}
  __po_name=${__po_name//-/_}
  if ! [[ "$__po_name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || [ -z "${!__po_name+set}" ]; then
    echo "$0: unknown option --${__po_name//_/-}" >&2
    __po_usage
    exit 1
  fi
  printf -v "$__po_name" '%s' "$__po_value"
done
unset __po_name __po_value
true
