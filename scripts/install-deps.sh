#!/usr/bin/env bash
# Installs the Debian 12 packages DigitLab needs that are not installed yet.
# Usage: scripts/install-deps.sh [--tests] [--package]
#   --tests    adds what only the test suite needs (GoogleTest, OpenCV dnn, Python's torch)
#   --package  adds what `cpack -G DEB` needs (dpkg-shlibdeps and file compute the package's Depends)
# Without options it installs only what the app and the command-line tool need to build.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libtorch-dev libopenblas0          # LibTorch 1.13 (CPU) on OpenBLAS, not the reference BLAS
  zlib1g-dev libcurl4-openssl-dev    # gzipped IDX files, MNIST download
  libssl-dev                         # SHA-256 of the MNIST files (OpenSSL's libcrypto)
  libstb-dev                         # image decoding (stb_image)
  libonnx-dev                        # ONNX export
  libcli11-dev nlohmann-json3-dev    # CLI parsing, metrics.json
  qt6-base-dev qt6-charts-dev        # the desktop app: Qt 6 Widgets and Qt Charts
  libqt6opengl6-dev                  # Qt Charts' CMake package requires Qt6OpenGL's
)
for option in "$@"; do
  case "$option" in
    --tests)
      packages+=(libgtest-dev)       # GoogleTest (the build registers the tests with CTest)
      packages+=(python3-torch)      # Python's torch.jit.load checks our TorchScript files
      packages+=(libopencv-dnn-dev)  # OpenCV's dnn module checks our ONNX files
      packages+=(dataset-fashion-mnist)  # a real set that is not digits: class names end to end
      ;;
    --package)
      packages+=(dpkg-dev file)      # CPack's DEB generator: dpkg-shlibdeps, and file to find the ELF files
      ;;
    *)
      echo "usage: scripts/install-deps.sh [--tests] [--package]" >&2
      exit 2
      ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "All ${#packages[@]} required packages are installed."
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "Installing: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
