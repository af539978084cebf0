#!/usr/bin/env bash
# Run here (Debian 12) before scripts/gpu-check.sh goes to a GPU machine that has PyTorch but not Debian's
# packages: copies the header-only and static build dependencies (zlib, OpenSSL, GoogleTest, CLI11, nlohmann-json, stb)
# and the datasets (MNIST, real-world digits) into .gpudeps/, an ignored folder that travels with the check and is deleted after it.
# Usage: scripts/gpu-bundle.sh [DATASETS_DIR]   (default ../shared/datasets)
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
rm -rf .gpudeps
mkdir -p .gpudeps/mnist
for pkg in zlib1g-dev libssl-dev libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev libstb-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || continue
  # Headers, static libraries and CMake package files; shared-library links would point outside the bundle.
  dpkg -L "$pkg" | grep -E '^/usr/(include|lib|share/cmake)/' | while read -r f; do
    [[ -f $f && ! $f =~ \.so($|\.) ]] || continue
    mkdir -p ".gpudeps/$(dirname "${f#/usr/}")"
    cp "$f" ".gpudeps/${f#/usr/}"
  done
done
cp "$datasets"/mnist/*-ubyte* .gpudeps/mnist/
cp -r "$datasets"/realworld-digits "$datasets"/realworld-numbers .gpudeps/
du -sh .gpudeps
