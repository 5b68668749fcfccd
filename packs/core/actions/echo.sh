#!/usr/bin/env bash
# core.echo: print a message, optionally upper-cased.
#   ATTUNE_ACTION_MESSAGE    message to print (default "Hello, World!")
#   ATTUNE_ACTION_UPPERCASE  true/false (default false)
set -euo pipefail

message="${ATTUNE_ACTION_MESSAGE:-Hello, World!}"
uppercase="${ATTUNE_ACTION_UPPERCASE:-false}"

case "${uppercase,,}" in
    true | 1 | yes) message="${message^^}" ;;
    false | 0 | no | "") ;;
    *)
        echo "ERROR: uppercase must be true or false, got '${uppercase}'" >&2
        exit 1
        ;;
esac

printf '%s\n' "$message"
