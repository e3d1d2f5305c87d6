#!/usr/bin/env bash
# bench/kvm/run.sh [BUILD_DIR] [LOOPS]: runs bench_kvm.py (see there). Not a test.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
exec python3 "$ROOT/bench/kvm/bench_kvm.py" "${1:-$ROOT/build}" "${2:-2000000000}"
