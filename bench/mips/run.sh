#!/usr/bin/env bash
# mimic against Debian's qemu-system-mipsel on the Malta board: see bench_mips.py.
set -euo pipefail
exec python3 "$(dirname "$0")/bench_mips.py" "$@"
