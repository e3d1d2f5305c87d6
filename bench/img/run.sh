#!/usr/bin/env bash
# mimic-img and the block layer against Debian's qemu-img, in one run on the
# same files: convert raw->qcow2, qcow2->raw, compressed convert, and scattered
# 4 KiB reads/writes (bench-blockio against qemu-img bench). Prints seconds
# (median of 3, hyperfine if installed) and the ratio mimic/qemu; lower is
# better for mimic. Not a test.
# Usage: bench/img/run.sh [BUILD_DIR]   (default: build; env BENCH_SIZE_MB=256, BENCH_COUNT=100000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
MIMIC_IMG=$BUILD/mimic-img
[ -x "$MIMIC_IMG" ] || MIMIC_IMG=$(find "$BUILD" -name mimic-img -type f -perm -u+x | head -1)
BENCH_BLOCKIO=$BUILD/bench/img/bench-blockio
SIZE_MB=${BENCH_SIZE_MB:-256}
COUNT=${BENCH_COUNT:-100000}
RUNS=3

for t in "$MIMIC_IMG" "$BENCH_BLOCKIO"; do
    [ -x "$t" ] || { echo "run.sh: $t not built (cmake --build $BUILD)" >&2; exit 1; }
done
command -v qemu-img >/dev/null || { echo "run.sh: qemu-img not found (apt-get install qemu-utils)" >&2; exit 1; }
HYPERFINE=$(command -v hyperfine || true)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mimic-bench-img-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Mixed data, 64 KiB pieces: half zeroes, a quarter random, a quarter text.
python3 - "$SIZE_MB" <<'PY'
import os, random, sys
r = random.Random(42)
text = b"".join(b"mimic %08d the quick brown fox jumps over the lazy dog\n" % i for i in range(1200))
with open("src.raw", "wb") as f:
    for i in range(int(sys.argv[1]) * 16):
        k = r.random()
        if k < 0.5:
            f.write(bytes(65536))
        elif k < 0.75:
            f.write(os.urandom(65536))
        else:
            o = r.randrange(0, len(text) - 65536)
            f.write(text[o:o + 65536])
PY
qemu-img convert -f raw -O qcow2 src.raw src.qcow2

# A stride coprime with the number of 4 KiB blocks visits them all, in an
# order that jumps all over the image: qemu-img bench's pattern, scattered.
BLOCKS=$((SIZE_MB * 256))
STEP=$(((BLOCKS * 5 / 8) | 1))
STEP=$((STEP * 4096))

results=()

# measure NAME PREPARE QEMU_CMD MIMIC_CMD: appends "name qemu_s mimic_s".
measure() {
    local name=$1 prep=$2 qcmd=$3 mcmd=$4 q m
    echo "== $name" >&2
    if [ -n "$HYPERFINE" ]; then
        "$HYPERFINE" --style basic --runs $RUNS --prepare "$prep" --export-json "$name.json" \
            -n qemu-img "$qcmd" -n mimic "$mcmd" >&2
        read -r q m < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["median"], r[1]["median"])' "$name.json")
    else
        q=$(median_of "$prep" "$qcmd")
        m=$(median_of "$prep" "$mcmd")
    fi
    results+=("$name $q $m")
}

median_of() {
    local prep=$1 cmd=$2 times=()
    for ((i = 0; i < RUNS; i++)); do
        bash -c "$prep"
        local t0 t1
        t0=$(date +%s%N)
        bash -c "$cmd" >/dev/null
        t1=$(date +%s%N)
        times+=("$(((t1 - t0) / 1000))")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 2p | awk '{ printf "%.6f", $1 / 1e6 }'
}

Q=qemu-img
M=$MIMIC_IMG
measure convert-raw-qcow2 "rm -f q.qcow2 m.qcow2" \
    "$Q convert -f raw -O qcow2 src.raw q.qcow2" "$M convert -f raw -O qcow2 src.raw m.qcow2"
measure convert-qcow2-raw "rm -f q.raw m.raw" \
    "$Q convert -f qcow2 -O raw src.qcow2 q.raw" "$M convert -f qcow2 -O raw src.qcow2 m.raw"
measure convert-compressed "rm -f qc.qcow2 mc.qcow2" \
    "$Q convert -c -f raw -O qcow2 src.raw qc.qcow2" "$M convert -c -f raw -O qcow2 src.raw mc.qcow2"
BENCH_ARGS="-c $COUNT -s 4k -S $STEP -d 64 -f qcow2 -t writeback"
measure rand-read-4k-qcow2 "true" \
    "$Q bench $BENCH_ARGS -i threads src.qcow2" "$BENCH_BLOCKIO $BENCH_ARGS src.qcow2"
measure rand-write-4k-qcow2 "cp src.qcow2 w.qcow2" \
    "$Q bench $BENCH_ARGS -i threads -w w.qcow2" "$BENCH_BLOCKIO $BENCH_ARGS -w w.qcow2"
# Sequential 1 MiB writes filling an empty image: allocating writes, where
# runs of new clusters go out as one write. Both tools' own bench command.
SEQ_ARGS="-c $((SIZE_MB)) -s 1M -d 4 -w -f qcow2 -t writeback"
measure seq-write-1m-qcow2 "rm -f e.qcow2; $Q create -q -f qcow2 e.qcow2 ${SIZE_MB}M" \
    "$Q bench $SEQ_ARGS -i threads e.qcow2" "$M bench $SEQ_ARGS e.qcow2"

# Sanity, not timing: mimic's outputs must hold the same data.
for f in m.qcow2 m.raw mc.qcow2; do
    if [ -e "$f" ] && ! qemu-img compare -q src.raw "$f" 2>/dev/null; then
        echo "run.sh: WARNING: mimic-img output $f differs from the source" >&2
    fi
done

echo
echo "mimic-img / block layer vs qemu-img ($(qemu-img --version | head -1 | awk '{print $3}')):" \
    "${SIZE_MB} MiB mixed image, $COUNT requests of 4 KiB, median of $RUNS"
printf '%-22s %12s %12s %10s\n' operation qemu-img_s mimic_s mimic/qemu
for r in "${results[@]}"; do
    read -r n q m <<<"$r"
    printf '%-22s %12.3f %12.3f %10.2f\n' "$n" "$q" "$m" "$(python3 -c "print($m / $q if $q > 0 else 0)")"
done
