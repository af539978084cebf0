#!/usr/bin/env bash
# A full disk while `train` saves: one clear line, exit 1, the previous file intact, no temporary file left.
# The disk is "filled" by tests/fail_writes_preload.cpp, which fails writes to matching files with ENOSPC.
# Usage: cli_full_disk.sh CLI PRELOAD_LIBRARY MNIST_DIR WORK_DIR
set -uo pipefail
cli=$1 preload=$2 mnist=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
train() { "$cli" train --data "$mnist" --offline --limit 300 --epochs 1 --out "$work/run" "$@"; }
train >/dev/null 2>"$work/first.err" || { echo "FAIL: the first run failed"; cat "$work/first.err"; exit 1; }

for file in digitnet.pt checkpoint.pt; do
  before=$(sha256sum "$work/run/$file")
  LD_PRELOAD=$preload DIGITLAB_FAIL_WRITES_MATCHING=".$file.tmp" train >/dev/null 2>"$work/err"
  status=$?
  [[ $status -eq 1 ]] || { echo "FAIL ($file): exit $status, expected 1"; cat "$work/err"; exit 1; }
  grep -q "no space left on device writing $work/run/$file (needs [0-9.]* [KM]B)" "$work/err" ||
    { echo "FAIL ($file): no clear message:"; cat "$work/err"; exit 1; }
  [[ $(wc -l <"$work/err") -eq 1 ]] || { echo "FAIL ($file): more than one line:"; cat "$work/err"; exit 1; }
  [[ "$(sha256sum "$work/run/$file")" == "$before" ]] || { echo "FAIL ($file): the previous $file changed"; exit 1; }
  leftovers=$(find "$work/run" -name '*.tmp-*')
  [[ -z $leftovers ]] || { echo "FAIL ($file): temporary files left: $leftovers"; exit 1; }
  echo "ok: full disk writing $file: $(cat "$work/err")"
done
