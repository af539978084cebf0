#!/usr/bin/env bash
# Time to a trained model, side by side in one run: DigitLab's quick recipe (digitlab-cli train --recipe quick)
# and the same recipe in the PyTorch peer (bench/peer_train.py --recipe quick), each from process start to saved
# model, ROUNDS times alternately on the same cores. Prints each run's wall time and test accuracy, and the ratio.
# Usage: bench/time_to_accuracy.sh [CLI] [MNIST_DIR] [DEVICE]   (defaults: build/src/cli/digitlab-cli,
#        ../shared/datasets/mnist, cpu); ROUNDS=2 by default; PYTHON picks the interpreter with torch.
set -uo pipefail
cd "$(dirname "$0")/.."
cli=$(realpath "${1:-build/src/cli/digitlab-cli}")
mnist=$(realpath "${2:-../shared/datasets/mnist}")
device=${3:-cpu}
rounds=${ROUNDS:-2}
python=${PYTHON:-python3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
now() { date +%s.%N; }
printf '%-8s %-10s %10s %10s\n' round side "wall (s)" "test acc"
for round in $(seq "$rounds"); do
  t0=$(now)
  "$cli" train --recipe quick --device "$device" --data "$mnist" --offline --out "$out/digitlab" >"$out/digitlab.log" 2>&1 \
    || { tail -5 "$out/digitlab.log"; exit 1; }
  t1=$(now)
  ours_acc=$("$python" -c 'import json,sys; print("%.2f%%" % (json.load(open(sys.argv[1]))["test_accuracy"] * 100))' \
    "$out/digitlab/metrics.json")
  ours=$("$python" -c "print($t1 - $t0)")
  printf '%-8s %-10s %10.1f %10s\n' "$round" DigitLab "$ours" "$ours_acc"
  t0=$(now)
  (cd bench && "$python" peer_train.py --data "$mnist" --recipe quick --device "$device") >"$out/peer.json" \
    2>"$out/peer.err" || { tail -5 "$out/peer.err"; exit 1; }
  t1=$(now)
  peer=$("$python" -c "print($t1 - $t0)")
  peer_acc=$("$python" -c 'import json,sys; print("%.2f%%" % (json.load(open(sys.argv[1]))["test_accuracy"] * 100))' \
    "$out/peer.json")
  printf '%-8s %-10s %10.1f %10s   DigitLab/peer time %.2f\n' "$round" PyTorch "$peer" "$peer_acc" \
    "$("$python" -c "print($ours / $peer)")"
done
