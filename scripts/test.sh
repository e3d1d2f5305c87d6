#!/usr/bin/env bash
# Sets up, builds and runs every test: the normal build, then the unit tests
# again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Guest-booting tests carry the ctest label "guest"; pass --quick to skip them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --tests

ctest_args=(--output-on-failure -j "$(nproc)")
[ "${1:-}" = "--quick" ] && ctest_args+=(-LE guest)

ctest --test-dir build "${ctest_args[@]}"

# Sanitizer pass over the unit tests.
CC=clang cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMIMIC_SANITIZE=ON >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$(nproc)" -L unit
