#!/usr/bin/env bash
# mimic against Debian's qemu-system-arm on the ARM virt board: see bench_arm.py.
#
#   bench/arm/run.sh [build-dir]      BENCH_RUNS=N (default 3) runs each
set -euo pipefail
exec python3 "$(dirname "$0")/bench_arm.py" "$@"
