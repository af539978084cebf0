#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer: builds the core, the CLI and the tests instrumented (GUI and
# benchmarks off) in build-asan/ and runs every test that does not train (`ctest -LE slow`), two at a time on a
# 2-core machine. Any sanitizer report fails the run. CI (.ci/run) runs it after the test suite.
# -O1 -g1: the usual optimisation for ASan, and line tables only (enough for the reports' stack traces), which
# keeps LibTorch's headers from tripling compile and link time. Usage: scripts/sanitize.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --tests
flags="-O1 -g1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=None -DDIGITLAB_GUI=OFF -DDIGITLAB_BENCH=OFF -DDIGITLAB_TESTS=ON \
  -DDIGITLAB_REQUIRE_OPENCV=ON -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build build-asan --parallel "$(nproc)"
# LibTorch and Python are not instrumented: leaks inside them at exit are not ours, so leak checking stays off.
# The LD_PRELOAD test library is only used by a slow test, which this run skips.
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Left out: the four tests that sweep a whole test set through the same code (10,000 MNIST images, every explanation
# method on hundreds of digits): the release run has them, and here they would add two minutes repeating one path.
sweeps="MnistTestAccuracyIsWithinATenthOfAPoint|ReadsAtLeast99_6PercentOfTheMnistTestSet|MapsOfAReinitializedModelDiffer|TheMapOfAShiftedDigitShiftsWithIt"
# Also left out, as repeats of a path another test here runs once: three more int8 exports of the shipped model (about 27 s
# each here; FileIsAtMostAThirdOfTheFloatFile and the reference-runner test keep the export covered) and the 160
# numbers of other writers (55 s; the other NumberReader tests read the same way).
sweeps+="|MetadataSaysHowItWasQuantized|EveryWeightIsInt8AndOnlyScalesAreFloat|EveryConvAndGemmReadsInt8Weights"
sweeps+="|ReadsNumbersOfOtherRealWriters"
ctest --test-dir build-asan -LE slow -E "$sweeps" --parallel "$(nproc)" --output-on-failure "$@"
