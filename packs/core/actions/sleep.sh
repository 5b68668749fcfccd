#!/usr/bin/env bash
# core.sleep: wait for a number of seconds.
#   ATTUNE_ACTION_SECONDS  seconds to sleep, 0..3600 (default 1)
#   ATTUNE_ACTION_MESSAGE  optional message printed before sleeping
set -euo pipefail

seconds="${ATTUNE_ACTION_SECONDS:-1}"
message="${ATTUNE_ACTION_MESSAGE:-}"

if ! [[ "$seconds" =~ ^[0-9]{1,4}$ ]] || ((10#$seconds > 3600)); then
    echo "ERROR: seconds must be an integer between 0 and 3600, got '${seconds}'" >&2
    exit 1
fi
seconds=$((10#$seconds))

if [[ -n "$message" ]]; then
    printf '%s\n' "$message"
fi

sleep "$seconds"
printf 'Slept for %d seconds\n' "$seconds"
