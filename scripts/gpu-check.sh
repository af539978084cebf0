#!/usr/bin/env bash
# For a machine with an NVIDIA GPU and PyTorch 2.x, in one go of under 8 minutes:
#   1. a sweep of quick-recipe variants in the PyTorch peer (bench/peer_train.py --sweep), chosen on validation,
#      while DigitLab builds against the LibTorch inside PyTorch's wheel (GUI off);
#   2. every test that is not labelled slow, with the trainer on CUDA;
#   3. training throughput, side by side: DigitLab with the whole step in a CUDA graph, DigitLab step by step, and
#      the PyTorch eager peer, the same recipe and batch, 3 epochs each (images/s from the second epoch on);
#   4. the quick recipe from start to saved model in DigitLab and in the peer: wall time and test accuracy.
# Debian's build dependencies come from the system or, on a machine without them, from .gpudeps/ made by
# scripts/gpu-bundle.sh (which also copies the datasets there). Logs go to $OUT (or build-gpu/logs).
# Usage: scripts/gpu-check.sh [MNIST_DIR]   (datasets from .gpudeps/ if present, else ../shared/datasets)
# SHORT=1 skips the sweep and runs only the trainer's and datasets' tests (a second call within one lease).
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
cli=$build/src/cli/digitlab-cli

echo "== Environment"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi not found"
"$python" -c 'import torch; print("PyTorch", torch.__version__, "CUDA", torch.version.cuda, "GPU:", torch.cuda.is_available(), "C++11 ABI:", torch.compiled_with_cxx11_abi())'
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
prefix="$torch_prefix"
[[ -d .gpudeps ]] && prefix="$torch_prefix;$PWD/.gpudeps"
echo "g++ $(g++ -dumpfullversion), cmake $(cmake --version | head -1), $(nproc) cores, MNIST from $mnist"

echo "== Quick-recipe sweep in the PyTorch peer (background, chosen on validation)"
short=${SHORT:-0}
sweep=${SWEEP:-'{"epochs": [1, 2, 3], "lr": [0.002, 0.004], "strength": [0.5, 1.0]}'}
[[ $short == 1 ]] && sweep='{"epochs": [3]}'
(cd bench && timeout 200 "$python" peer_train.py --data "$mnist" --recipe quick --sweep "$sweep") \
  >"$logs/sweep.log" 2>&1 &
sweep_pid=$!

echo "== Build (GUI off) against $prefix"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
export CUDACXX=${CUDACXX:-/usr/local/cuda/bin/nvcc}
# One file at a time (no unity batches): the CUDA-only sources have only been compiled that way.
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=OFF -DDIGITLAB_TESTS=ON \
  -DCMAKE_UNITY_BUILD=OFF \
  -DCMAKE_PREFIX_PATH="$prefix" -DDIGITLAB_MNIST_DIR="$mnist" -DDIGITLAB_REALWORLD_DIR="$realworld" \
  -DDIGITLAB_PYTHON="$(command -v "$python")" \
  >"$logs/configure.log" 2>&1 || { tail -40 "$logs/configure.log"; echo "CONFIGURE FAILED"; }
# -k 0: one run shows every compile error, not just the first.
if ! cmake --build "$build" --parallel "$(nproc)" -- -k 0 >"$logs/build.log" 2>&1; then
  grep -E "error|Error" "$logs/build.log" | head -60
  echo "BUILD FAILED after $(elapsed)"
  wait "$sweep_pid"
  cat "$logs/sweep.log"
  exit 1
fi
echo "build done after $(elapsed)"
wait "$sweep_pid"
cat "$logs/sweep.log"
echo "sweep done after $(elapsed)"

echo "== Tests (not slow), trainer on CUDA"
# Exact-repeat tests are CPU-only by design (cuDNN autotuning is not bitwise deterministic).
selection=(-LE slow)
[[ $short == 1 ]] && selection=(-R "Trainer|FlatAdam|LearningRate|Recipe|FolderDataset|NumberReader|cli.train")
DIGITLAB_TEST_DEVICE=cuda ctest --test-dir "$build" "${selection[@]}" --output-on-failure -j 8 --timeout 200 \
  >"$logs/ctest.log" 2>&1 && echo "all tests passed" || { grep -E "Failed|\*\*\*|FAILED" "$logs/ctest.log" | head -40; echo "TESTS FAILED"; }
DIGITLAB_TEST_DEVICE=cuda ctest --test-dir "$build" -R TrainerSlow --output-on-failure -j 4 --timeout 200 \
  >>"$logs/ctest.log" 2>&1 && echo "TrainerSlow passed on CUDA" || { grep -E "Failed|\*\*\*|FAILED" "$logs/ctest.log" | tail -20; echo "TRAINERSLOW FAILED"; }
grep -E "tests passed|tests failed" "$logs/ctest.log"
# A crash on this machine only: which library each std::filesystem symbol of the first crashing test bound to.
crashed=$(grep -m1 -oE "[0-9]+ - [A-Za-z]+\.[A-Za-z]+ \((SEGFAULT|Child aborted)" "$logs/ctest.log" | awk '{print $3}')
if [[ -n $crashed ]]; then
  echo "diagnosing $crashed"
  LD_DEBUG=bindings LD_DEBUG_OUTPUT="$build/bindings" "$build/tests/digitlab_tests" --gtest_filter="$crashed" \
    >"$build/crash.log" 2>&1
  tail -5 "$build/crash.log"
  cat "$build"/bindings.* 2>/dev/null | grep -i filesystem | sed -E 's/^ *[0-9]+: *//' | sort -u | head -20
fi
echo "tests done after $(elapsed)"

echo "== digitlab-cli predict on a folder of real photos (the bundled model)"
"$cli" predict models/digitnet.pt "$realworld/images" 2>&1 | tail -2

# One DigitLab run: prints its log's last lines and leaves metrics.json in $build/run-NAME.
digitlab() {
  local name=$1
  shift
  timeout 120 "$cli" train --device cuda --data "$mnist" --offline --out "$build/run-$name" "$@" >"$build/$name.log" 2>&1 \
    || { tail -20 "$build/$name.log"; echo "RUN $name FAILED"; }
  grep -E "CUDA graphs|mixed precision|test accuracy" "$build/$name.log"
}
echo "== Throughput, default recipe (batch 128), 3 epochs: CUDA graph / step by step / PyTorch eager"
digitlab graph128 --epochs 3
digitlab eager128 --epochs 3 --cuda-graph off
(cd bench && timeout 120 "$python" peer_train.py --data "$mnist" --epochs 3) >"$build/peer128.json" 2>"$build/peer128.err" \
  || tail -5 "$build/peer128.err"
echo "== Throughput, batch 256 (the quick recipe's), 3 epochs"
digitlab graph256 --recipe quick
digitlab graph256-heuristic --recipe quick --cudnn-autotune off
digitlab eager256 --recipe quick --cuda-graph off
(cd bench && timeout 120 "$python" peer_train.py --data "$mnist" --recipe quick) >"$build/peer256.json" 2>"$build/peer256.err" \
  || tail -5 "$build/peer256.err"
"$python" - "$build" <<'PY'
import json, sys, os
build = sys.argv[1]
def ours(name):
    try:
        return json.load(open(os.path.join(build, f"run-{name}", "metrics.json")))
    except Exception as e:
        return None
def peer(name):
    try:
        return json.load(open(os.path.join(build, f"{name}.json")))
    except Exception:
        return None
for batch in (128, 256):
    g, e, p = ours(f"graph{batch}"), ours(f"eager{batch}"), peer(f"peer{batch}")
    print(f"batch {batch}: images/s per epoch (epoch 1 includes cuDNN autotuning and the capture)")
    print(f"{'epoch':>5} {'DigitLab graph':>15} {'DigitLab eager':>15} {'PyTorch eager':>14} {'graph/peer':>11}")
    for i in range(3):
        gi = g["history"][i]["images_per_second"] if g and i < len(g["history"]) else float("nan")
        gs = g["history"][i]["seconds"] if g and i < len(g["history"]) else float("nan")
        ei = e["history"][i]["images_per_second"] if e and i < len(e["history"]) else float("nan")
        pi = p["history"][i]["images_per_second"] if p and i < len(p["history"]) else float("nan")
        print(f"{i + 1:>5} {gi:>15.0f} {ei:>15.0f} {pi:>14.0f} {gi / pi:>11.2f}   (graph epoch {gs:.3f} s with validation)")
    for name, m in (("DigitLab graph", g), ("DigitLab eager", e)):
        if m:
            print(f"  {name}: test {m['test_accuracy'] * 100:.2f}%, wall {m['wall_seconds']:.2f} s, recipe {m['config']['recipe']}")
    if p:
        print(f"  PyTorch eager: test {p['test_accuracy'] * 100:.2f}%, wall {p['wall_seconds']:.2f} s")
PY
"$python" - "$build" <<'PY'
import json, sys, os
for name in ("graph256", "graph256-heuristic"):
    try:
        m = json.load(open(os.path.join(sys.argv[1], f"run-{name}", "metrics.json")))
    except Exception:
        continue
    epochs = ", ".join(f"{e['seconds']:.2f}" for e in m["history"])
    print(f"quick recipe, {name}: test {m['test_accuracy'] * 100:.2f}%, wall {m['wall_seconds']:.2f} s (epochs {epochs} s)")
PY
cp "$build/run-graph256/metrics.json" "$logs/metrics-quick.json" 2>/dev/null
echo "== gpu-check finished in $(elapsed)"
