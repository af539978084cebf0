#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build, and start the DigitLab app.
# Arguments go to the app (e.g. an image to open). Without a display it says how to run the app later.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=ON
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
