#!/bin/sh
# Usage: cli_interrupt.sh CLI MNIST_DIR WORK_DIR
# Ctrl-C during training: the run stops after the current batch with exit code 130, keeps the
# best model so far, writes metrics.json, and `--resume` then finishes the run.
cli=$1 data=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
log=$work/train.log
"$cli" train --data "$data" --offline --limit 3000 --epochs 3 --batch-size 64 --out "$work/run" >"$log" 2>&1 &
pid=$!
# Wait for the first epoch to finish, then press Ctrl-C.
i=0
until grep -q "^epoch 1/3" "$log"; do
  i=$((i + 1))
  if [ $i -gt 600 ] || ! kill -0 $pid 2>/dev/null; then cat "$log"; echo "FAIL: no first epoch" >&2; exit 1; fi
  sleep 0.2
done
kill -INT $pid
wait $pid
code=$?
cat "$log"
[ $code -eq 130 ] || { echo "FAIL: exit code $code after Ctrl-C, expected 130" >&2; exit 1; }
grep -q "Interrupted: stopping after the current batch" "$log" || { echo "FAIL: no interrupt message" >&2; exit 1; }
[ -f "$work/run/digitnet.pt" ] || { echo "FAIL: the best model was not kept" >&2; exit 1; }
grep -q '"stopped": true' "$work/run/metrics.json" || { echo "FAIL: metrics.json does not record the stop" >&2; exit 1; }
ls -a "$work/run" | grep -q "\.tmp" && { echo "FAIL: temporary files left behind" >&2; exit 1; }
# Resume finishes the remaining epochs.
"$cli" train --data "$data" --offline --limit 3000 --epochs 3 --batch-size 64 --out "$work/run" --resume >"$log" 2>&1
code=$?
cat "$log"
[ $code -eq 0 ] || { echo "FAIL: resume exited with $code" >&2; exit 1; }
grep -q "^epoch 3/3" "$log" || { echo "FAIL: resume did not reach epoch 3" >&2; exit 1; }
grep -q "^epoch 1/3" "$log" && { echo "FAIL: resume repeated epoch 1" >&2; exit 1; }
exit 0
