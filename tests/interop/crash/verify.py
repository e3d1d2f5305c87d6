#!/usr/bin/env python3
# Data checks for crash.sh: after mimic-img was killed mid-operation, what the
# images read back (through Debian's qemu-img) must still make sense.
import json
import os
import shlex
import subprocess
import sys
import tempfile

# A write killed mid-syscall can stop at any page boundary, so "old or new"
# holds per 4 KiB page, not per qcow2 cluster.
PAGE = 4096


def to_raw(img, out):
    subprocess.run(["qemu-img", "convert", "-O", "raw", img, out], check=True)
    with open(out, "rb") as f:
        return f.read()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def fail(msg):
    print("verify: " + msg, file=sys.stderr)
    sys.exit(1)


def check_convert(src_raw, dst, tmp):
    """Every range the target says it holds equals the source."""
    src = read(src_raw)
    dst_data = to_raw(dst, os.path.join(tmp, "dst.raw"))
    if len(dst_data) == 0:
        # qemu-img too creates the image empty, then sets its size.
        sys.exit(3)
    if len(dst_data) != len(src):
        fail(f"{dst}: virtual size {len(dst_data)}, source has {len(src)}")
    out = subprocess.run(["qemu-img", "map", "--output=json", dst], check=True,
                         capture_output=True, text=True).stdout
    for ext in json.loads(out):
        a, n = ext["start"], ext["length"]
        if ext.get("present", ext["data"]) and dst_data[a:a + n] != src[a:a + n]:
            bad = next(i for i in range(a, a + n) if dst_data[i] != src[i])
            fail(f"{dst}: allocated range at {a} (+{n}) differs from the source at byte {bad}")
        if not ext.get("present", ext["data"]) and dst_data[a:a + n].count(0) != n:
            fail(f"{dst}: unallocated range at {a} does not read as zeroes")


def check_commit(expect_top_raw, base_orig_raw, top, base, tmp):
    """The chain still reads as before; each base page is old or new data."""
    want = read(expect_top_raw)
    old = read(base_orig_raw)
    got = to_raw(top, os.path.join(tmp, "top.raw"))
    if len(got) != len(want):
        fail(f"{top}: virtual size {len(got)} after an interrupted commit, was {len(want)}")
    if got != want:
        bad = next(i for i in range(min(len(got), len(want))) if got[i] != want[i])
        fail(f"{top}: reads differently after an interrupted commit (byte {bad})")
    b = to_raw(base, os.path.join(tmp, "base.raw"))
    if len(b) != len(old):
        fail(f"{base}: size changed from {len(old)} to {len(b)}")
    for a in range(0, len(b), PAGE):
        c = b[a:a + PAGE]
        if c != old[a:a + PAGE] and c != want[a:a + PAGE]:
            fail(f"{base}: the 4 KiB at {a} are neither the old nor the committed data")


def check_same(expect_raw, img, tmp, snapshot=None):
    """Active data (or a snapshot's) equals what it was before the run."""
    want = read(expect_raw)
    out = os.path.join(tmp, "same.raw")
    if snapshot:
        subprocess.run(["qemu-img", "convert", "-l", "snapshot.name=" + snapshot, "-O", "raw",
                        img, out], check=True)
        got = read(out)
    else:
        got = to_raw(img, out)
    if got != want:
        what = f"snapshot {snapshot}" if snapshot else "active image"
        fail(f"{img}: {what} reads differently after an interrupted 'snapshot -c'")


def bitmap_flags(img):
    """The image's bitmaps as "name=flag,flag" words ("-" for none), in order."""
    out = subprocess.run(["qemu-img", "info", "--output=json", img], check=True,
                         capture_output=True, text=True).stdout
    d = json.loads(out)["format-specific"]["data"]
    return " ".join("%s=%s" % (b["name"], ",".join(b["flags"]) or "-")
                    for b in d.get("bitmaps", []))


def run_check(argv, tmp):
    """One check; returns what it prints, exits 1 (bad) or 3 (not yet an image)."""
    cmd = argv[0]
    if cmd == "convert":
        check_convert(argv[1], argv[2], tmp)
    elif cmd == "commit":
        check_commit(*argv[1:5], tmp)
    elif cmd == "same":
        # The active image, then each snapshot named.
        check_same(argv[1], argv[2], tmp)
        for snapshot in argv[3:]:
            check_same(argv[1], argv[2], tmp, snapshot)
    elif cmd == "bitmap-flags":
        return bitmap_flags(argv[1])
    else:
        fail("unknown check " + cmd)
    return ""


def serve():
    """crash.sh's checks through one interpreter: a command line in, "EXIT OUTPUT" out.
    Starting Python for each of its ~150 checks cost more than the checks themselves."""
    for line in sys.stdin:
        argv = shlex.split(line)
        if not argv:
            continue
        out = ""
        with tempfile.TemporaryDirectory() as tmp:
            try:
                out = run_check(argv, tmp)
                rc = 0
            except SystemExit as e:
                rc = e.code if isinstance(e.code, int) else 1
            except Exception as e:  # qemu-img failing on a broken image, say
                print("verify: %s: %s" % (argv[0], e), file=sys.stderr)
                rc = 1
        sys.stderr.flush()
        print(rc, out, flush=True)


def main():
    if sys.argv[1] == "serve":
        serve()
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = run_check(sys.argv[1:], tmp)
        if out:
            print(out)


main()
