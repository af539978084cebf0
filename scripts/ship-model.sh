#!/usr/bin/env bash
# Copies a finished training run into models/: digitnet.pt, digitnet.onnx and the model card
# digitnet.json (the run's metrics.json plus the SHA-256 of the shipped files).
# Usage: scripts/ship-model.sh RUN_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:?usage: scripts/ship-model.sh RUN_DIR}
for f in digitnet.pt digitnet.onnx metrics.json; do
  [[ -f "$run/$f" ]] || { echo "error: $run/$f is missing" >&2; exit 1; }
done
cp "$run/digitnet.pt" models/digitnet.pt.tmp && mv models/digitnet.pt.tmp models/digitnet.pt
cp "$run/digitnet.onnx" models/digitnet.onnx.tmp && mv models/digitnet.onnx.tmp models/digitnet.onnx
/usr/bin/python3 - "$run/metrics.json" models <<'PY'
import hashlib, json, os, sys
metrics, out = sys.argv[1], sys.argv[2]
card = json.load(open(metrics))
card = {"model": "DigitNet", "files": {
    name: hashlib.sha256(open(os.path.join(out, name), "rb").read()).hexdigest()
    for name in ("digitnet.pt", "digitnet.onnx")}, **card}
tmp = os.path.join(out, "digitnet.json.tmp")
with open(tmp, "w") as f:
    json.dump(card, f, indent=2)
    f.write("\n")
os.replace(tmp, os.path.join(out, "digitnet.json"))
print(f"shipped: test accuracy {card['test_accuracy']*100:.2f}%, best epoch {card['best_epoch']}, device {card['device']}")
PY
