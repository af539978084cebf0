#!/usr/bin/env bash
# Compiles every LibTorch-using source of a configured build once more, against LibTorch 2.x's headers with CUDA on
# (DIGITLAB_WITH_CUDA: the CUDA-graph step, the compat header's CUDA half), syntax only. This machine's build uses
# Debian 12's LibTorch 1.13 (CPU); the GPU build uses PyTorch 2.x's. This catches an API that one of the two lacks
# without a GPU machine. It does not link or run anything: scripts/gpu-check.sh does that on a GPU.
#
# The headers come from Debian 13's libtorch-cuda-dev (contrib) and Debian 12's libfmt-dev, unpacked (not installed)
# into a cache folder; the CUDA headers from /usr/local/cuda. Needs the Debian archive and a configured build.
# Usage: scripts/torch2-compile-check.sh [BUILD_DIR]   (default build; CACHE=~/.cache/digitlab-torch2)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cache=${CACHE:-$HOME/.cache/digitlab-torch2}
cuda=${CUDA_HOME:-/usr/local/cuda}
archive=http://deb.debian.org/debian
[[ -f $build/build.ninja ]] || { echo "torch2-compile-check: $build/build.ninja: no configured Ninja build here" >&2; exit 2; }
[[ -f $cuda/include/cuda_runtime_api.h ]] || { echo "torch2-compile-check: $cuda/include: no CUDA headers" >&2; exit 2; }

# Unpacks one package of a Debian suite into $cache/root (once).
fetch() {  # suite component package
  local suite=$1 component=$2 package=$3 index file
  [[ -f $cache/$package.done ]] && return
  index=$cache/Packages-$suite-$component
  [[ -s $index ]] || curl -fsS "$archive/dists/$suite/$component/binary-amd64/Packages.xz" | xz -d >"$index"
  file=$(awk -v p="$package" '$1 == "Package:" {hit = ($2 == p)} hit && $1 == "Filename:" {print $2; exit}' "$index")
  [[ -n $file ]] || { echo "torch2-compile-check: $package is not in $suite/$component" >&2; exit 1; }
  curl -fsS -o "$cache/$package.deb" "$archive/$file"
  dpkg -x "$cache/$package.deb" "$cache/root"
  touch "$cache/$package.done"
}
mkdir -p "$cache/root"
fetch trixie contrib libtorch-cuda-dev
fetch bookworm main libfmt-dev
inc=$cache/root/usr/include
version=$(awk '/^#define TORCH_VERSION_(MAJOR|MINOR|PATCH)/ {v = v (v ? "." : "") $3} END {print v}' \
  "$inc/torch/csrc/api/include/torch/version.h")

# Every compile command of the build that sees LibTorch's headers, turned into a syntax-only compile against 2.x:
# the 1.13 precompiled header and the outputs dropped, 2.x's include folders in place of 1.13's, CUDA on. The
# commands keep the build's shell quoting, so each runs through bash.
ninja -C "$build" -t commands 2>/dev/null | grep -E '^/usr/bin/c\+\+ .* -c ' |
  grep -- '-isystem /usr/include/torch/csrc/api/include ' | sort -u |
  sed -E -e 's# -include [^ ]+##; s# -Winvalid-pch##; s# -MD##; s# -M[TF] [^ ]+##g; s# -o [^ ]+##' \
    -e "s#-isystem /usr/include/torch/csrc/api/include #-isystem $inc/torch/csrc/api/include -isystem $inc #" \
    -e "s# -c # -isystem $cuda/include -DDIGITLAB_WITH_CUDA=1 -DDIGITLAB_ENGINE_HAS_CUDA=1 -w -fsyntax-only -c #" \
    >"$cache/commands"
count=$(wc -l <"$cache/commands")
((count > 0)) || { echo "torch2-compile-check: no LibTorch compile commands in $build" >&2; exit 1; }
# One source per line: "FAIL source" and its first errors when it does not compile.
check_one() {
  local err
  if ! err=$(cd "$1" && bash -c "$2" 2>&1); then
    printf 'FAIL %s\n%s\n' "${2##* -c }" "$(grep -m 8 -A 3 'error' <<<"$err")"
  fi
}
export -f check_one
xargs -d '\n' -P "$(nproc)" -I{} bash -c 'check_one "$0" "$1"' "$build" {} <"$cache/commands" | tee "$cache/report"
failed=$(grep -c '^FAIL ' "$cache/report" || true)
echo "torch2-compile-check: $count sources against LibTorch $version with CUDA, $failed failed"
((failed == 0))
