#!/usr/bin/env bash
# Builds the Debian package: installs what is missing, builds, and runs `cpack -G DEB`, which writes
# build/digitlab_<version>_amd64.deb (the app, digitlab-cli, the bundled model, the desktop entry, the
# icon, man pages and bash completion). Install it with: sudo apt-get install ./build/digitlab_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --package
# Like scripts/setup.sh: a new build folder has no tests, one that scripts/test.sh configured keeps them.
tests=OFF
if [[ -f build/CMakeCache.txt ]] && grep -q '^DIGITLAB_TESTS:BOOL=ON$' build/CMakeCache.txt; then
  tests=ON
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_GUI=ON -DDIGITLAB_TESTS="$tests"
cmake --build build --parallel "$(nproc)"
rm -f build/digitlab_*.deb
(cd build && cpack -G DEB)

deb=$(ls build/digitlab_*.deb)
echo
echo "Built $deb ($(du -h "$deb" | cut -f1))"
echo "Depends: $(dpkg-deb --field "$deb" Depends)"
echo "Install it with: sudo apt-get install ./$deb"
