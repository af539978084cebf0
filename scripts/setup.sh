#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start DigitLab.
# Until the desktop app lands this starts the main job from the command line: a short training
# run on MNIST (downloaded into your data folder if it is not there) and its evaluation.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_TESTS=OFF
cmake --build build --parallel "$(nproc)"

cli=build/src/cli/digitlab-cli
out=${DIGITLAB_RUN_DIR:-build/quick-run}
echo
echo "== Training DigitNet for 2 epochs on 12,000 MNIST images (digitlab-cli train --help for the full recipe)"
"$cli" train --limit 12000 --epochs 2 --out "$out"
echo
echo "== Evaluating it on the 10,000 MNIST test images"
"$cli" eval "$out/digitnet.pt"
