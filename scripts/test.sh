#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, then the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Guest-booting tests carry the ctest label "guest"; pass --quick to skip them.
# Last, a short libFuzzer pass (label "fuzz") over the image and command-line
# parsers; tests/fuzz/README.md says how to fuzz longer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --tests

ctest --test-dir build --output-on-failure -j "$(nproc)" -LE guest
# Guests run one at a time: each is several threads (vCPUs, I/O, main loop).
if [ "${1:-}" != "--quick" ]; then
    ctest --test-dir build --output-on-failure -L guest
fi

# Sanitizer pass over the unit tests.
CC=clang cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMIMIC_SANITIZE=ON >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit

# Fuzzing pass: clang's libFuzzer, a few seconds per target.
CC=clang cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIMIC_FUZZ=ON >/dev/null
cmake --build build-fuzz
ctest --test-dir build-fuzz --output-on-failure -L fuzz
