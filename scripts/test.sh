#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build, and run the whole test suite.
# Tests read MNIST from ../shared/datasets/mnist (override: -DDIGITLAB_MNIST_DIR=...) and never
# touch the network. The test-only packages (GoogleTest, OpenCV dnn, Python's torch) are installed
# here, and required: the cross-runtime checks of the model files may not silently drop out.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_TESTS=ON -DDIGITLAB_REQUIRE_OPENCV=ON
cmake --build build --parallel "$(nproc)"
ctest --test-dir build --parallel "$(nproc)" --output-on-failure "$@"
