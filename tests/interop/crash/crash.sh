#!/usr/bin/env bash
# Crash safety of mimic-img: runs convert -O qcow2, commit and snapshot -c on
# images of a few MiB, kills each run with SIGKILL after a random delay, then
# asks Debian's qemu-img whether the images are still sound (check exit 0 or
# 3: leaks are allowed, corruption is not) and whether their data makes sense
# (verify.py). Usage: crash.sh PATH/TO/mimic-img [RUNS]   (default 30 runs each)
# CRASH_CASES="convert commit snapshot bitmap" picks the cases (default: all).
# bitmap: convert -n into an image with persistent bitmaps, and bitmap --merge.
# CRASH_COMMIT_OPTS=-d commits without emptying the top image afterwards.
set -uo pipefail
IMG=${1:?usage: crash.sh mimic-img [runs]}
RUNS=${2:-${CRASH_RUNS:-30}}
HERE=$(cd "$(dirname "$0")" && pwd)
VERIFY="$HERE/verify.py"
IMG=$(cd "$(dirname "$IMG")" && pwd)/$(basename "$IMG")
command -v qemu-img >/dev/null || { echo "crash: qemu-img not found" >&2; exit 1; }
command -v qemu-io >/dev/null || { echo "crash: qemu-io not found" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mimic-crash-XXXXXX")
failures=0
keep=0
trap '[ $keep = 1 ] || rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
    keep=1
}

# Copies a failing image (or directory) aside, at most 3 per case, so that a
# broken tool does not fill the disk.
kept=0
keep_copy() {
    [ $kept -lt 3 ] || return 0
    kept=$((kept + 1))
    cp -r "$1" "$2"
}

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# `sleep` is a fork and exec costing as much as a short run; a read with a
# timeout on a pipe nobody writes to waits precisely, inside bash.
exec {idle_fd}<> <(:)
wait_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$idle_fd" || true; }

# Runs "$@" in the background, kills it after $1 ms with SIGKILL. Returns 0 if
# the command was killed, 1 if it had already finished (2 if it failed).
run_and_kill() {
    local ms=$1
    shift
    "$@" >/dev/null 2>"$WORK/stderr" &
    local pid=$!
    wait_ms "$ms"
    if kill -9 "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        return 0
    fi
    wait "$pid"
    local rc=$?
    [ $rc = 0 ] && return 1
    echo "mimic-img exited $rc on its own: $(cat "$WORK/stderr")" >&2
    return 2
}

# qemu-img check: 0 = clean, 3 = leaked clusters only. Anything else fails.
check_image() {
    local img=$1 what=$2
    qemu-img check "$img" >"$WORK/check.out" 2>&1
    local rc=$?
    if [ $rc != 0 ] && [ $rc != 3 ]; then
        fail "$what: qemu-img check $img exited $rc"
        sed 's/^/    /' "$WORK/check.out" | head -20 >&2
        return 1
    fi
    [ $rc = 3 ] && leaks=$((leaks + 1))
    return 0
}

# Duration of an uninterrupted run in ms (the fastest of 3, at least 2):
# kill points are spread over it, with some runs left to finish. The first
# argument is a command that resets the files before each run.
measure() {
    local prep=$1 best=999999 t0 d
    shift
    for _ in 1 2 3; do
        eval "$prep"
        t0=$(now_ms)
        "$@" >/dev/null 2>&1 || { fail "uninterrupted run failed: $*"; return 1; }
        d=$(($(now_ms) - t0))
        [ $d -lt $best ] && best=$d
    done
    [ $best -lt 2 ] && best=2
    echo $best
}

# verify.py serves every data check of the run from one interpreter (a Python start-up
# per check cost more than the checks). verify ARGS... returns its exit status and leaves
# what it printed in $verify_out.
coproc VERIFYD { exec python3 "$VERIFY" serve; }
verify() {
    local rc
    printf '%q ' "$@" >&"${VERIFYD[1]}"
    echo >&"${VERIFYD[1]}"
    if ! read -r rc verify_out <&"${VERIFYD[0]}"; then
        echo "crash: verify.py died" >&2
        return 1
    fi
    return "$rc"
}

delay() { echo $((RANDOM * $1 / 32768)); }

report() {
    echo "crash: $1: $RUNS runs, $killed killed mid-run, $finished finished," \
        "$unopened not yet an image, $leaks with leaks (allowed)"
}

# ---- source data: 6 MiB of random, zero and patterned clusters ----
python3 - <<'PY'
import random
r = random.Random(1234)
out = bytearray()
for i in range(96):  # 64 KiB pieces
    k = i % 4
    if k == 0:
        out += r.randbytes(65536)
    elif k == 1:
        out += bytes(65536)
    elif k == 2:
        out += bytes([i]) * 1000 + r.randbytes(512) + bytes(65536 - 1512)
    else:
        out += (b"mimic crash test %d " % i) * (65536 // 20) + bytes(65536 % 20 + 0)
out = out[:96 * 65536]
out += bytes(96 * 65536 - len(out))
open("src.raw", "wb").write(out)
PY

want_case() { [[ " ${CRASH_CASES:-convert commit snapshot bitmap} " == *" $1 "* ]]; }

# ---- convert -O qcow2 ----
killed=0 finished=0 unopened=0 leaks=0
want_case convert || RUNS_CONVERT=0
full=$(measure "rm -f full.qcow2" "$IMG" convert -O qcow2 src.raw full.qcow2) || exit 1
if ! qemu-img compare -q src.raw full.qcow2; then
    fail "convert: an uninterrupted convert differs from its source"
fi
for ((i = 0; i < ${RUNS_CONVERT:-$RUNS}; i++)); do
    rm -f dst.qcow2
    run_and_kill "$(delay "$full")" "$IMG" convert -O qcow2 src.raw dst.qcow2
    case $? in
    0) killed=$((killed + 1)) ;;
    1) finished=$((finished + 1)) ;;
    *) fail "convert: run $i"; continue ;;
    esac
    # Killed before the header was complete: nothing to check yet.
    if [ "$(head -c 4 dst.qcow2 2>/dev/null | od -An -tx1 | tr -d ' ')" != 514649fb ] ||
        ! qemu-img info dst.qcow2 >/dev/null 2>&1; then
        unopened=$((unopened + 1))
        continue
    fi
    check_image dst.qcow2 "convert run $i" || { keep_copy dst.qcow2 "convert-fail-$i.qcow2"; continue; }
    verify convert src.raw dst.qcow2
    case $? in
    0) ;;
    3) unopened=$((unopened + 1)) ;;
    *)
        fail "convert run $i: data"
        keep_copy dst.qcow2 "convert-fail-$i.qcow2"
        ;;
    esac
done
want_case convert && report "convert -O qcow2"

# ---- commit ----
if want_case commit; then
    kept=0
    killed=0 finished=0 unopened=0 leaks=0
    mkdir -p commit-src
    qemu-img convert -f raw -O qcow2 src.raw commit-src/base.qcow2
    qemu-img create -q -f qcow2 -b base.qcow2 -F qcow2 commit-src/top.qcow2
    qemu-io -f qcow2 -c "write -P 0x11 0 200k" -c "write -P 0x22 1M 1M" -c "write -z 3M 512k" \
        -c "write -P 0x33 4100k 3k" -c "write -P 0x44 6000k 144k" commit-src/top.qcow2 >/dev/null
    qemu-img convert -O raw commit-src/top.qcow2 expect-top.raw
    qemu-img convert -O raw commit-src/base.qcow2 base-orig.raw
    read -r -a commit_opts <<<"${CRASH_COMMIT_OPTS:-}"
    full=$(measure "rm -rf c && cp -r commit-src c" "$IMG" commit "${commit_opts[@]}" c/top.qcow2) ||
        exit 1
    for ((i = 0; i < RUNS; i++)); do
        rm -rf c && cp -r commit-src c
        run_and_kill "$(delay "$full")" "$IMG" commit "${commit_opts[@]}" c/top.qcow2
        case $? in
        0) killed=$((killed + 1)) ;;
        1) finished=$((finished + 1)) ;;
        *) fail "commit: run $i"; continue ;;
        esac
        ok=1
        check_image c/base.qcow2 "commit run $i (base)" || ok=0
        check_image c/top.qcow2 "commit run $i (top)" || ok=0
        if [ $ok = 1 ]; then
            verify commit expect-top.raw base-orig.raw c/top.qcow2 c/base.qcow2 ||
                { fail "commit run $i: data"; ok=0; }
        fi
        [ $ok = 1 ] || keep_copy c "commit-fail-$i"
    done
    report "commit"
fi

# ---- snapshot -c, accumulating on one image ----
if want_case snapshot; then
    kept=0
    killed=0 finished=0 unopened=0 leaks=0
    qemu-img convert -f raw -O qcow2 src.raw snap.qcow2
    qemu-img snapshot -c before snap.qcow2
    full=$(measure "cp snap.qcow2 snap-measure.qcow2" "$IMG" snapshot -c measured snap-measure.qcow2) ||
        exit 1
    for ((i = 0; i < RUNS; i++)); do
        cp snap.qcow2 snap-prev.qcow2
        run_and_kill "$(delay "$full")" "$IMG" snapshot -c "s$i" snap.qcow2
        case $? in
        0) killed=$((killed + 1)) ;;
        1) finished=$((finished + 1)) ;;
        *) fail "snapshot: run $i"; continue ;;
        esac
        if ! check_image snap.qcow2 "snapshot run $i"; then
            keep_copy snap-prev.qcow2 "snapshot-fail-$i-before.qcow2"
            keep_copy snap.qcow2 "snapshot-fail-$i.qcow2"
            break
        fi
        # The active data, the old snapshot and the new one if it made it (verify.py names
        # the one that differs).
        snaps=(before)
        if qemu-img snapshot -l snap.qcow2 | awk '{print $2}' | grep -qx "s$i"; then
            snaps+=("s$i")
        fi
        verify same src.raw snap.qcow2 "${snaps[@]}" || { fail "snapshot run $i: data"; break; }
    done
    report "snapshot -c ($(qemu-img snapshot -l snap.qcow2 | tail -n +3 | wc -l) snapshots now)"
fi

# ---- writes to an image with persistent bitmaps, and bitmap operations ----
# A killed writer leaves its enabled bitmap marked in use (never silently
# stale); a disabled bitmap and the image metadata stay sound.
if want_case bitmap; then
    kept=0
    killed=0 finished=0 unopened=0 leaks=0
    qemu-img create -q -f qcow2 bm-src.qcow2 6M
    qemu-img bitmap --add bm-src.qcow2 on
    qemu-img bitmap --add --disable -g 4k bm-src.qcow2 off
    qemu-io -f qcow2 -c "write -P 0x55 0 64k" bm-src.qcow2 >/dev/null
    full=$(measure "cp bm-src.qcow2 bm.qcow2" "$IMG" convert -n -O qcow2 src.raw bm.qcow2) || exit 1
    for ((i = 0; i < RUNS; i++)); do
        cp bm-src.qcow2 bm.qcow2
        if [ $((i % 2)) = 0 ]; then
            run_and_kill "$(delay "$full")" "$IMG" convert -n -O qcow2 src.raw bm.qcow2
        else
            run_and_kill "$(delay "$full")" "$IMG" bitmap --merge on --disable bm.qcow2 off
        fi
        rc=$?
        case $rc in
        0) killed=$((killed + 1)) ;;
        1) finished=$((finished + 1)) ;;
        *) fail "bitmap: run $i"; continue ;;
        esac
        check_image bm.qcow2 "bitmap run $i" || { keep_copy bm.qcow2 "bitmap-fail-$i.qcow2"; continue; }
        verify bitmap-flags bm.qcow2
        flags=$verify_out
        case "$flags" in
        "on=auto off=-" | "on=in-use,auto off=-") ;;
        *) fail "bitmap run $i: bitmaps after the run: '$flags'"; keep_copy bm.qcow2 "bitmap-fail-$i.qcow2" ;;
        esac
        if [ $rc = 1 ] && [ $((i % 2)) = 0 ] && [ "$flags" != "on=auto off=-" ]; then
            fail "bitmap run $i: a finished write left its bitmap in use"
        fi
        if [ $((i % 2)) = 0 ] && [ $rc = 1 ] && ! qemu-img compare -q src.raw bm.qcow2; then
            fail "bitmap run $i: data"
        fi
    done
    report "writes and bitmap --merge with bitmaps"
fi

if [ $failures != 0 ]; then
    echo "crash: $failures failures; images kept in $WORK" >&2
    exit 1
fi
echo "crash: all checks passed"
