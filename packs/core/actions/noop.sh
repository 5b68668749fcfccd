#!/usr/bin/env bash
# core.noop: do nothing, optionally log a message, exit with the requested code.
#   ATTUNE_ACTION_MESSAGE    optional message to log
#   ATTUNE_ACTION_EXIT_CODE  exit code, 0..255 (default 0)
set -euo pipefail

message="${ATTUNE_ACTION_MESSAGE:-}"
exit_code="${ATTUNE_ACTION_EXIT_CODE:-0}"

if ! [[ "$exit_code" =~ ^[0-9]{1,3}$ ]] || ((10#$exit_code > 255)); then
    echo "ERROR: exit_code must be an integer between 0 and 255, got '${exit_code}'" >&2
    exit 1
fi

if [[ -n "$message" ]]; then
    printf '[noop] %s\n' "$message"
fi

exit $((10#$exit_code))
