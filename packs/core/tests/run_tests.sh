#!/usr/bin/env bash
# Shell test runner of the core pack: runs each shell action with a few parameter
# sets and checks exit status and output. Prints one PASS/FAIL line per check and a
# summary; exits 1 when any check failed. Run from anywhere.
set -uo pipefail

pack_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
actions="$pack_dir/actions"
passed=0
failed=0

# check NAME EXPECTED_STATUS EXPECTED_STDOUT_SUBSTRING COMMAND [VAR=VALUE...]
check() {
    local name="$1" want_status="$2" want_out="$3" script="$4"
    shift 4
    local out status
    out="$(env -i PATH="$PATH" "$@" "$actions/$script" 2>&1)"
    status=$?
    if [[ "$status" == "$want_status" && "$out" == *"$want_out"* ]]; then
        echo "PASS: $name"
        passed=$((passed + 1))
    else
        echo "FAIL: $name (status $status, expected $want_status; output: $out)"
        failed=$((failed + 1))
    fi
}

check "echo default message" 0 "Hello, World!" echo.sh
check "echo custom message" 0 "pack tests" echo.sh ATTUNE_ACTION_MESSAGE="pack tests"
check "echo uppercase" 0 "LOUD" echo.sh ATTUNE_ACTION_MESSAGE=loud ATTUNE_ACTION_UPPERCASE=true
check "echo rejects bad uppercase" 1 "uppercase" echo.sh ATTUNE_ACTION_UPPERCASE=maybe

check "noop succeeds" 0 "" noop.sh
check "noop logs message" 0 "[noop] hello" noop.sh ATTUNE_ACTION_MESSAGE=hello
check "noop exit code" 42 "" noop.sh ATTUNE_ACTION_EXIT_CODE=42
check "noop rejects 256" 1 "exit_code" noop.sh ATTUNE_ACTION_EXIT_CODE=256
check "noop rejects text" 1 "exit_code" noop.sh ATTUNE_ACTION_EXIT_CODE=abc

check "sleep zero seconds" 0 "Slept for 0 seconds" sleep.sh ATTUNE_ACTION_SECONDS=0
check "sleep prints message" 0 "resting" sleep.sh ATTUNE_ACTION_SECONDS=0 ATTUNE_ACTION_MESSAGE=resting
check "sleep rejects 3601" 1 "seconds" sleep.sh ATTUNE_ACTION_SECONDS=3601
check "sleep rejects text" 1 "seconds" sleep.sh ATTUNE_ACTION_SECONDS=soon

check "http_request requires url" 1 "url is required" http_request.py

echo
echo "Results: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
