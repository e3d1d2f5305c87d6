#!/usr/bin/env bash
# Installs everything mimic needs from Debian packages, then builds it into
# build/. Safe to run again: apt and cmake only do what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

BUILD_DEPS=(gcc cmake ninja-build pkg-config python3 libglib2.0-dev libpixman-1-dev
    libsdl2-dev libcapstone-dev check libfdt-dev zlib1g-dev libzstd-dev libslirp-dev
    clang libclang-rt-14-dev clang-format)
# Test oracles and benchmark rivals: Debian's QEMU, never linked into mimic.
TEST_DEPS=(qemu-utils qemu-system-mips qemu-system-arm qemu-system-x86 cpio e2fsprogs dosfstools mtools gcc-mipsel-linux-gnu gcc-mips-linux-gnu hyperfine gcc-arm-linux-gnueabihf gdb-multiarch device-tree-compiler)

want=("${BUILD_DEPS[@]}")
[ "${1:-}" = "--tests" ] && want+=("${TEST_DEPS[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
