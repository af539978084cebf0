#!/usr/bin/env bash
# For a machine with an NVIDIA GPU and PyTorch 2.x (no Qt, no network): builds the core, CLI and
# tests against the LibTorch inside PyTorch's wheel, runs the tests on CUDA, trains 3 epochs with
# mixed precision and prints images/s and seconds per epoch. Budget: under 8 minutes in one go.
# Usage: scripts/gpu-check.sh [MNIST_DIR]   (default ../shared/datasets/mnist)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
mnist=$(realpath "${1:-../shared/datasets/mnist}")
python=${PYTHON:-python3}
build=build-gpu

echo "== Environment"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi not found"
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
"$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU available:", torch.cuda.is_available())'
for header in gtest/gtest.h curl/curl.h zlib.h nlohmann/json.hpp CLI/CLI.hpp; do
  [[ -e /usr/include/$header ]] || echo "warning: /usr/include/$header missing; the build needs it"
done

echo "== Build (GUI off) against $torch_prefix"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
export CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=ON \
  -DCMAKE_PREFIX_PATH="$torch_prefix" -DDIGITLAB_MNIST_DIR="$mnist" -DDIGITLAB_PYTHON="$(command -v "$python")"
cmake --build "$build" --parallel "$(nproc)"
echo "build done after $(( $(date +%s) - start )) s"

echo "== Tests on CUDA"
# Exact-repeat tests are CPU-only by design (cuDNN autotuning is not bitwise deterministic).
DIGITLAB_TEST_DEVICE=cuda ctest --test-dir "$build" --output-on-failure -j 4 || echo "TESTS FAILED"
echo "tests done after $(( $(date +%s) - start )) s"

echo "== Train 3 epochs on CUDA with mixed precision"
"$build/src/cli/digitlab-cli" train --device cuda --amp on --epochs 3 --data "$mnist" --offline \
  --out "$build/gpu-run"
"$python" - "$build/gpu-run/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for e in m["history"]:
    print(f"epoch {e['epoch']}: {e['images_per_second']:.0f} images/s, {e['seconds']:.1f} s, val {e['val_accuracy']*100:.2f}%")
print(f"device {m['device']}, test accuracy {m['test_accuracy']*100:.2f}%, wall {m['wall_seconds']:.1f} s")
PY
echo "== gpu-check finished in $(( $(date +%s) - start )) s"
