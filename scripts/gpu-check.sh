#!/usr/bin/env bash
# For a machine with an NVIDIA GPU and PyTorch 2.x: builds the core, CLI and tests against the LibTorch inside
# PyTorch's wheel, runs every test with the trainer on CUDA, then trains 3 epochs with mixed precision beside the
# same recipe in PyTorch (bench/peer_train.py) and prints both images/s. Budget: under 8 minutes in one go.
# Debian's build dependencies come from the system or, on a machine without them, from .gpudeps/ made by
# scripts/gpu-bundle.sh (which also copies MNIST there).
# Usage: scripts/gpu-check.sh [MNIST_DIR]   (datasets from .gpudeps/ if present, else ../shared/datasets)
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start )) s"; }
logs=${OUT:-build-gpu/logs}
mkdir -p "$logs"
datasets=../shared/datasets
[[ -d .gpudeps/mnist ]] && datasets=.gpudeps
mnist=$(realpath "${1:-$datasets/mnist}")
realworld=$(realpath "$datasets/realworld-digits")
python=${PYTHON:-python3}
build=build-gpu

echo "== Environment"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi not found"
"$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU:", torch.cuda.is_available(), "C++11 ABI:", torch.compiled_with_cxx11_abi())'
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
prefix="$torch_prefix"
[[ -d .gpudeps ]] && prefix="$torch_prefix;$PWD/.gpudeps"
echo "g++ $(g++ -dumpfullversion), cmake $(cmake --version | head -1), $(nproc) cores, MNIST from $mnist"

echo "== Build (GUI off) against $prefix"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
export CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=ON \
  -DCMAKE_PREFIX_PATH="$prefix" -DDIGITLAB_MNIST_DIR="$mnist" -DDIGITLAB_REALWORLD_DIR="$realworld" \
  -DDIGITLAB_PYTHON="$(command -v "$python")" \
  >"$logs/configure.log" 2>&1 || { tail -40 "$logs/configure.log"; echo "CONFIGURE FAILED"; exit 1; }
grep -E "^-- (MNIST download|ONNX export)" "$logs/configure.log"
# -k 0: one run shows every compile error, not just the first.
if ! cmake --build "$build" --parallel "$(nproc)" -- -k 0 >"$logs/build.log" 2>&1; then
  grep -E "error|Error" "$logs/build.log" | head -60
  echo "BUILD FAILED after $(elapsed)"
  exit 1
fi
echo "build done after $(elapsed)"

echo "== Tests, trainer on CUDA"
# Exact-repeat tests are CPU-only by design (cuDNN autotuning is not bitwise deterministic).
DIGITLAB_TEST_DEVICE=cuda ctest --test-dir "$build" --output-on-failure -j 8 --timeout 200 >"$logs/ctest.log" 2>&1 \
  && echo "all tests passed" || { grep -E "Failed|\*\*\*|FAILED" "$logs/ctest.log" | head -40; echo "TESTS FAILED"; }
grep -E "tests passed|tests failed" "$logs/ctest.log"
# A crash on this machine only: log which library each std::filesystem symbol of the first crashing test bound to.
crashed=$(grep -m1 -oE "[0-9]+ - [A-Za-z]+\.[A-Za-z]+ \((SEGFAULT|Child aborted)" "$logs/ctest.log" | awk '{print $3}')
if [[ -n $crashed ]]; then
  echo "diagnosing $crashed"
  LD_DEBUG=bindings LD_DEBUG_OUTPUT="$logs/bindings" "$build/tests/digitlab_tests" --gtest_filter="$crashed" \
    >"$logs/crash.log" 2>&1
  tail -15 "$logs/crash.log"
  cat "$logs"/bindings.* 2>/dev/null | grep -i filesystem | sed -E 's/^ *[0-9]+: *//' | sort -u | head -20
fi
echo "tests done after $(elapsed)"

echo "== digitlab-cli predict on a folder of real photos (the bundled model)"
"$build/src/cli/digitlab-cli" predict models/digitnet.pt "$realworld/images" 2>&1 | tail -3

echo "== DigitLab: train 3 epochs on CUDA with mixed precision"
timeout 150 "$build/src/cli/digitlab-cli" train --device cuda --amp on --epochs 3 --data "$mnist" --offline \
  --out "$build/gpu-run" 2>&1 | tail -8
cp "$build/gpu-run/metrics.json" "$logs/metrics.json" 2>/dev/null
echo "== PyTorch peer: the same recipe, 3 epochs"
(cd bench && timeout 150 "$python" peer_train.py --data "$mnist" --epochs 3) >"$logs/peer.json" 2>"$logs/peer.err" \
  || tail -5 "$logs/peer.err"
"$python" - "$build/gpu-run/metrics.json" "$logs/peer.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))
print(f"DigitLab: device {ours['device']}, test accuracy {ours['test_accuracy']*100:.2f}%, wall {ours['wall_seconds']:.1f} s")
try:
    peer = json.load(open(sys.argv[2]))
except Exception as e:
    peer = {"runtime": f"peer failed ({e})", "history": []}
print(f"{'epoch':>5} {'DigitLab images/s':>18} {peer['runtime'] + ' images/s':>26} {'ratio':>6}")
for i, e in enumerate(ours["history"]):
    p = peer["history"][i]["images_per_second"] if i < len(peer["history"]) else float("nan")
    print(f"{e['epoch']:>5} {e['images_per_second']:>18.0f} {p:>26.0f} {e['images_per_second'] / p:>6.2f}")
PY
echo "== gpu-check finished in $(elapsed)"
