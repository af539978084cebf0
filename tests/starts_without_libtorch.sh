#!/bin/sh
# Usage: starts_without_libtorch.sh MODEL IMAGE CLI [APP]
# DigitLab's own model is read and run without loading LibTorch (about half a second of start-up): `predict`
# answers, and the app paints its window and has its model ready, while the dynamic loader, which LD_DEBUG=libs
# makes list every library it opens, never opens LibTorch.
model=$1 image=$2 cli=$3 app=$4
out=$(LD_DEBUG=libs "$cli" predict "$model" "$image" 2>&1)
echo "$out" | grep -v "^ *[0-9]*:" | head -5
echo "$out" | grep -q "$(basename "$image"): 7" || { echo "FAIL: predict did not read the 7" >&2; exit 1; }
if echo "$out" | grep -q "libtorch"; then echo "FAIL: predict loaded LibTorch" >&2; exit 1; fi
[ -n "$app" ] || exit 0
settings=$(mktemp -d)
out=$(XDG_CONFIG_HOME=$settings QT_QPA_PLATFORM=offscreen DIGITLAB_STARTUP_PROBE=1 LD_DEBUG=libs timeout 60 "$app" 2>&1)
rm -rf "$settings"
echo "$out" | grep -E "^(window-painted|model-ready|model-failed)"
echo "$out" | grep -q "^window-painted" || { echo "FAIL: the app did not paint its window" >&2; exit 1; }
echo "$out" | grep -q "^model-ready" || { echo "FAIL: the app's model was not ready" >&2; exit 1; }
if echo "$out" | grep -q "libtorch"; then echo "FAIL: the app loaded LibTorch at start-up" >&2; exit 1; fi
exit 0
