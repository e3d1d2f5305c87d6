#!/usr/bin/env bash
# Seed corpus for fuzz-qcow2: small valid qcow2 images of many shapes, made by
# Debian's qemu-img/qemu-io (the reference implementation). Usage: gen-seeds.sh DIR
set -euo pipefail
out=${1:?usage: gen-seeds.sh DIR}
mkdir -p "$out"
cd "$out"
command -v qemu-img >/dev/null || { echo "gen-seeds: qemu-img not found" >&2; exit 1; }
have_io=0
command -v qemu-io >/dev/null && have_io=1

mk() { # name size options...
    local name=$1 size=$2
    shift 2
    qemu-img create -q -f qcow2 "$@" "$name.qcow2" "$size"
}
io() { # name commands... (skipped without qemu-io)
    local name=$1
    shift
    [ $have_io = 1 ] || return 0
    local args=()
    for c in "$@"; do args+=(-c "$c"); done
    qemu-io -f qcow2 "${args[@]}" "$name.qcow2" >/dev/null
}

mk empty-v3 64K -o cluster_size=512
mk empty-v2 64K -o cluster_size=512,compat=0.10
mk data-v3 128K -o cluster_size=512
io data-v3 "write -P 0xaa 0 4k" "write -z 8k 4k" "write -P 0x11 100k 1k"
mk data-v2 128K -o cluster_size=512,compat=0.10
io data-v2 "write -P 0x55 512 2k" "write -z 64k 1k"
mk refbits1 64K -o cluster_size=512,refcount_bits=1
io refbits1 "write -P 0x01 0 1k"
mk refbits64 64K -o cluster_size=512,refcount_bits=64
io refbits64 "write -P 0x02 4k 1k"
mk extl2 64K -o cluster_size=16384,extended_l2=on
io extl2 "write -P 0x03 1k 2k"
mk zstd 64K -o cluster_size=512,compression_type=zstd
mk lazy 64K -o cluster_size=512,lazy_refcounts=on
io lazy "write -P 0x04 0 1k"
mk backing 64K -o cluster_size=512,backing_file=base.img,backing_fmt=raw -u

# Compressed clusters, zlib and zstd, from a small raw image.
head -c 8192 /dev/urandom >raw.bin
head -c 8192 /dev/zero >>raw.bin
printf 'mimic%.0s' $(seq 1 1600) >>raw.bin
truncate -s 32K raw.bin
qemu-img convert -q -c -f raw -O qcow2 -o cluster_size=512 raw.bin compressed-zlib.qcow2
qemu-img convert -q -c -f raw -O qcow2 -o cluster_size=512,compression_type=zstd raw.bin \
    compressed-zstd.qcow2
rm -f raw.bin

# Internal snapshots.
mk snap 64K -o cluster_size=512
io snap "write -P 0x05 0 1k"
qemu-img snapshot -c first snap.qcow2
io snap "write -P 0x06 0 1k"
qemu-img snapshot -c second snap.qcow2
ls -l "$out" >&2
