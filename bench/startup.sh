#!/usr/bin/env bash
# Time to a usable window and to a first answer, from process start (issue 13 §3), beside `digitlab-cli --help`, the
# floor: what loading the program and its libraries costs before it does anything.
#   - help:    `digitlab-cli --help`, wall time
#   - predict: `digitlab-cli predict models/digitnet.pt IMAGE` (one real photo), wall time
#   - window:  the app until its main window is first painted (under Xvfb), and until its model is ready
#     (DIGITLAB_STARTUP_PROBE makes the app print both and quit)
# Each is run RUNS times, one after another; the median, the fastest and the slowest are printed.
# Usage: bench/startup.sh [RUNS] (default 10), after building in build/ (BUILD=dir to use another).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
build=${BUILD:-build}
cli=$build/src/cli/digitlab-cli
app=$build/src/app/digitlab
model=models/digitnet.pt
image=${IMAGE:-../shared/datasets/realworld-digits/images/7era_7.png}
for f in "$cli" "$app" "$model" "$image"; do [[ -e $f ]] || { echo "startup.sh: $f not found" >&2; exit 1; }; done

# One X server for all the app runs, so its own start-up is not counted.
if [[ -z ${DISPLAY:-} ]]; then
  Xvfb :97 -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb=$!
  trap 'kill $xvfb 2>/dev/null || true; rm -rf "${settings:-}"' EXIT
  export DISPLAY=:97
  sleep 1
fi

# Empty settings: the app starts with the bundled model, as on a first run.
settings=$(mktemp -d)
trap 'rm -rf "$settings"' EXIT

now_us() { local t=$EPOCHREALTIME; echo "${t/./}"; }

# Median, fastest and slowest of the millisecond figures given, as "median 512 ms (480-530)".
summary() {
  printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
    printf "median %4d ms  (fastest %d, slowest %d, %d runs)\n", m, v[1], v[NR], NR}'
}

help=() predict=() window=() ready=()
for ((i = 0; i < runs; i++)); do
  start=$(now_us); "$cli" --help >/dev/null; end=$(now_us)
  help+=($(((end - start) / 1000)))
  start=$(now_us); "$cli" predict "$model" "$image" >/dev/null; end=$(now_us)
  predict+=($(((end - start) / 1000)))
  start=$(now_us)
  out=$(DIGITLAB_STARTUP_PROBE=1 XDG_CONFIG_HOME="$settings" timeout 60 "$app" 2>/dev/null)
  painted=$(awk '$1 == "window-painted" {print $2}' <<<"$out")
  model_at=$(awk '$1 == "model-ready" {print $2}' <<<"$out")
  [[ -n $painted && -n $model_at ]] || { echo "startup.sh: the app did not report ($out)" >&2; exit 1; }
  window+=($(((painted - start) / 1000)))
  ready+=($(((model_at - start) / 1000)))
done

echo "DigitLab start-up, from process start, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
echo "  digitlab-cli --help (floor)        $(summary "${help[@]}")"
echo "  digitlab-cli predict, one image    $(summary "${predict[@]}")"
echo "  app: window painted                $(summary "${window[@]}")"
echo "  app: model ready                   $(summary "${ready[@]}")"
