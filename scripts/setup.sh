#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start the DigitLab app.
# Arguments go to the app (e.g. an image to open). Without a display it says how to run the app later.
# The app needs nothing from the test suite: a new build folder is configured without the tests (so
# GoogleTest, OpenCV and Python's torch are neither installed nor looked for); a build folder that
# scripts/test.sh configured keeps its tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
tests=OFF
if [[ -f build/CMakeCache.txt ]] && grep -q '^DIGITLAB_TESTS:BOOL=ON$' build/CMakeCache.txt; then
  tests=ON
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=ON -DDIGITLAB_TESTS="$tests"
cmake --build build --parallel "$(nproc)" --target digitlab digitlab-cli

app=build/src/app/digitlab
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo
  echo "Built $app, but there is no display to show it on (neither DISPLAY nor WAYLAND_DISPLAY is set)."
  echo "Start it from a desktop session with: $app"
  echo "Or use the command-line tool: build/src/cli/digitlab-cli --help"
  exit 0
fi
exec "$app" "$@"
