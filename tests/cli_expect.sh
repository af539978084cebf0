#!/bin/sh
# Usage: cli_expect.sh EXIT_CODE PATTERN -- COMMAND...
# Runs COMMAND and passes when it exits with EXIT_CODE and PATTERN appears in its output.
expected=$1 pattern=$2
shift 3
output=$("$@" 2>&1)
code=$?
printf '%s\n' "$output"
if [ "$code" -ne "$expected" ]; then
  echo "FAIL: exit code $code, expected $expected" >&2
  exit 1
fi
if ! printf '%s' "$output" | grep -qF -- "$pattern"; then
  echo "FAIL: output lacks '$pattern'" >&2
  exit 1
fi
