#!/usr/bin/env python3
# Interop: persistent dirty bitmaps, mimic-img bitmap and convert --bitmaps
# against qemu-img. The oracle for a bitmap's contents is qemu itself:
# qemu-nbd exports the image with the bitmap as a block-status context and
# qemu-img map reads it back (dirty ranges show as "data": false).
import hashlib
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imgtest import (MIMIC, QEMU_IMG, QEMU_IO, MiB, TempDir, check, compare_info,  # noqa: E402
                     fail, finish, info_json, mimic, qemu_check_clean, qimg, qio,
                     require_tools, run)

require_tools()
QEMU_NBD = shutil.which("qemu-nbd")
if not QEMU_NBD:
    print("qemu-nbd not installed: skipping")
    sys.exit(77)

SIZE = 64 * MiB


def dirty_ranges(img, name, sock):
    """The ranges bitmap `name` of img marks, as qemu reads them."""
    if os.path.exists(sock):
        os.unlink(sock)
    nbd = subprocess.Popen([QEMU_NBD, "-r", "-B", name, "-k", sock, "-f", "qcow2", img],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(400):
            if os.path.exists(sock) or nbd.poll() is not None:
                break
            time.sleep(0.05)
        if nbd.poll() is not None:
            fail("qemu-nbd -B %s %s failed: %s" % (name, img, nbd.stderr.read().decode()))
            return None
        # The socket file exists from bind(); under load qemu-nbd may not listen yet.
        for _ in range(50):
            p = run([QEMU_IMG, "map", "--output=json", "--image-opts",
                     "driver=nbd,server.type=unix,server.path=%s,"
                     "x-dirty-bitmap=qemu:dirty-bitmap:%s" % (sock, name)], expect=None)
            if p.returncode == 0 or nbd.poll() is not None:
                break
            time.sleep(0.1)
        if p.returncode != 0:
            fail("qemu-img map of bitmap %s of %s: %s" % (name, img, p.stderr))
            return None
        out = []
        for e in json.loads(p.stdout):
            if e["data"]:
                continue
            if out and out[-1][0] + out[-1][1] == e["start"]:
                out[-1][1] += e["length"]
            else:
                out.append([e["start"], e["length"]])
        return [tuple(r) for r in out]
    finally:
        nbd.kill()
        nbd.wait()


def expected(writes, gran, size=SIZE):
    """Granule-aligned union of (offset, length) writes."""
    bits = set()
    for off, ln in writes:
        for g in range(off // gran, (off + ln - 1) // gran + 1):
            bits.add(g)
    out = []
    for g in sorted(bits):
        s = g * gran
        ln = min(gran, size - s)
        if out and out[-1][0] + out[-1][1] == s:
            out[-1][1] += ln
        else:
            out.append([s, ln])
    return [tuple(r) for r in out]


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def mimic_write(img, off, ln, expect=0):
    return mimic("bench", "-w", "-c", 1, "-o", off, "-s", ln, "--pattern=90", "-f", "qcow2",
                 img, expect=expect)


def bitmaps_of(tool, img):
    j = info_json(tool, img)
    return j["format-specific"]["data"].get("bitmaps") if j else None


WRITES = [(1 * MiB, 64 * 1024), (10 * MiB, 1 * MiB), (50000, 100), (SIZE - 512, 512),
          (20 * MiB + 4096, 3 * 65536)]


def test_create_and_info(t):
    """The same bitmap commands give the same directory in both tools."""
    m, q = t("ops-m.qcow2"), t("ops-q.qcow2")
    for img, tool in ((m, mimic), (q, qimg)):
        qimg("create", "-q", "-f", "qcow2", img, SIZE)
        tool("bitmap", "--add", img, "b0")
        tool("bitmap", "--add", "-g", "512k", "--disable", img, "b1")
        tool("bitmap", "--add", "--granularity", "4k", img, "b2")
        tool("bitmap", "--add", "--remove", img, "gone")
        tool("bitmap", "--add", img, "b3")
        tool("bitmap", "--disable", img, "b3")
        tool("bitmap", "--enable", img, "b3")
    check(bitmaps_of(QEMU_IMG, m) == bitmaps_of(QEMU_IMG, q),
          "bitmap ops: qemu reads %r from mimic's image, %r from its own" %
          (bitmaps_of(QEMU_IMG, m), bitmaps_of(QEMU_IMG, q)))
    compare_info(m, "info of mimic's bitmaps")
    compare_info(q, "info of qemu's bitmaps")
    for cmd in ("info",):
        pm, pq = mimic(cmd, q), qimg(cmd, q)
        check(pm.stdout.replace(MIMIC, "") == pq.stdout,
              "human info with bitmaps differs:\n%s\nqemu-img:\n%s" % (pm.stdout, pq.stdout))
    qemu_check_clean(m, "bitmap ops")
    check(mimic("check", m).returncode == 0, "mimic-img check after bitmap ops")
    return m, q


def test_writes(t):
    """Writes through mimic show up in enabled bitmaps as qemu reads them,
    exactly where the same writes by qemu-io put them; disabled bitmaps stay
    clear."""
    m, q = test_create_and_info(t)
    for off, ln in WRITES:
        mimic_write(m, off, ln)
        qio(q, "write -P 90 %d %d" % (off, ln))
    qemu_check_clean(m, "mimic writes with bitmaps")
    check(bitmaps_of(QEMU_IMG, m) == bitmaps_of(QEMU_IMG, q),
          "after writes: flags/granularity differ: %r vs %r" %
          (bitmaps_of(QEMU_IMG, m), bitmaps_of(QEMU_IMG, q)))
    sock = t("nbd.sock")
    for name, gran in (("b0", 65536), ("b1", 524288), ("b2", 4096), ("b3", 65536)):
        dm, dq = dirty_ranges(m, name, sock), dirty_ranges(q, name, sock)
        want = [] if name == "b1" else expected(WRITES, gran)
        check(dm == want, "bitmap %s after mimic writes: %r, expected %r" % (name, dm, want))
        check(dq == want, "oracle: bitmap %s after qemu-io writes: %r, expected %r" %
              (name, dq, want))
    p = qimg("compare", m, q, expect=None)
    check(p.returncode == 0, "data after writes differs: " + p.stdout)

    # Zeroes and discards are writes too (convert -n writes every cluster).
    z = t("zero-m.qcow2")
    qimg("create", "-q", "-f", "qcow2", z, SIZE)
    mimic("bitmap", "--add", z, "b0")
    src = t("src.raw")
    with open(src, "wb") as f:
        f.truncate(SIZE)
    mimic("convert", "-n", "-f", "raw", "-O", "qcow2", src, z)
    got = dirty_ranges(z, "b0", sock)
    check(got == [(0, SIZE)], "convert -n onto a bitmap image: dirty %r" % (got,))
    return m, q


def test_qemu_to_mimic(t, q):
    """Bitmaps qemu wrote are read by mimic: merging one into a new bitmap
    of mimic's keeps its ranges, in the other tool's eyes too."""
    sock = t("nbd.sock")
    c = t("merge.qcow2")
    shutil.copy(q, c)
    mimic("bitmap", "--add", "-g", "128k", "--disable", c, "merged")
    mimic("bitmap", "--merge", "b2", c, "merged")
    got = dirty_ranges(c, "merged", sock)
    want = expected(WRITES, 131072)
    check(got == want, "merge of qemu's 4k bitmap into a 128k one: %r, expected %r" % (got, want))
    # Across files (-b), and --clear.
    d = t("other.qcow2")
    qimg("create", "-q", "-f", "qcow2", d, SIZE)
    qimg("bitmap", "--add", d, "x")
    mimic("bitmap", "--merge", "b0", "-b", q, "-F", "qcow2", d, "x")
    got = dirty_ranges(d, "x", sock)
    check(got == expected(WRITES, 65536), "merge from another file: %r" % (got,))
    mimic("bitmap", "--clear", d, "x")
    check(dirty_ranges(d, "x", sock) == [], "bitmap not clear after --clear")
    qemu_check_clean(c, "merge")
    qemu_check_clean(d, "merge -b / clear")


def test_resize_convert(t, m):
    """Resize keeps bitmaps (new range clear) and convert --bitmaps copies
    them, as qemu-img does."""
    sock = t("nbd.sock")
    for tool, name in ((mimic, "rs-m.qcow2"), (qimg, "rs-q.qcow2")):
        img = t(name)
        shutil.copy(m, img)
        tool("resize", "-f", "qcow2", img, SIZE * 2)
    rm, rq = t("rs-m.qcow2"), t("rs-q.qcow2")
    check(bitmaps_of(QEMU_IMG, rm) == bitmaps_of(QEMU_IMG, rq), "bitmaps after resize differ")
    check(dirty_ranges(rm, "b0", sock) == dirty_ranges(rq, "b0", sock),
          "b0 after resize: %r vs %r" % (dirty_ranges(rm, "b0", sock),
                                         dirty_ranges(rq, "b0", sock)))
    qemu_check_clean(rm, "resize with bitmaps")
    mimic_write(rm, SIZE + MiB, 4096)
    got = dirty_ranges(rm, "b0", sock)
    check(got == expected(WRITES + [(SIZE + MiB, 4096)], 65536, SIZE * 2),
          "write after resize: %r" % (got,))

    # Rewriting the refcounts (amend refcount_bits) keeps the bitmaps'
    # clusters referenced; a snapshot switch marks the whole disk.
    am = t("amend.qcow2")
    shutil.copy(m, am)
    before = dirty_ranges(am, "b2", sock)
    for bits in (4, 64, 16):
        mimic("amend", "-o", "refcount_bits=%d" % bits, am)
        qemu_check_clean(am, "amend refcount_bits=%d with bitmaps" % bits)
        check(info_json(QEMU_IMG, am)["format-specific"]["data"]["refcount-bits"] == bits,
              "amend refcount_bits=%d" % bits)
    check(dirty_ranges(am, "b2", sock) == before, "amend changed bitmap b2")
    mimic("snapshot", "-c", "s1", am)
    mimic("snapshot", "-a", "s1", am)
    check(dirty_ranges(am, "b0", sock) == [(0, SIZE)], "snapshot -a: b0 %r" %
          (dirty_ranges(am, "b0", sock),))
    check(dirty_ranges(am, "b1", sock) == [], "snapshot -a changed disabled b1")
    qemu_check_clean(am, "snapshot -a with bitmaps")

    cm, cq = t("cv-m.qcow2"), t("cv-q.qcow2")
    mimic("convert", "--bitmaps", "-O", "qcow2", m, cm)
    qimg("convert", "--bitmaps", "-O", "qcow2", m, cq)
    check(bitmaps_of(QEMU_IMG, cm) == bitmaps_of(QEMU_IMG, cq),
          "convert --bitmaps: %r vs %r" % (bitmaps_of(QEMU_IMG, cm), bitmaps_of(QEMU_IMG, cq)))
    for name in ("b0", "b1", "b2", "b3"):
        check(dirty_ranges(cm, name, sock) == dirty_ranges(cq, name, sock),
              "convert --bitmaps: %s differs" % name)
    qemu_check_clean(cm, "convert --bitmaps")
    pm = mimic("measure", "-O", "qcow2", m)
    pq = qimg("measure", "-O", "qcow2", m)
    check(pm.stdout == pq.stdout, "measure with bitmaps:\n%s\nqemu:\n%s" % (pm.stdout, pq.stdout))


def set_dir_field(img, index, fmt, rel, value):
    """Patches a field of bitmap directory entry `index` in place."""
    with open(img, "r+b") as f:
        h = f.read(65536)
        pos = struct.unpack(">I", h[100:104])[0]
        while True:
            typ, ln = struct.unpack(">II", h[pos:pos + 8])
            if typ == 0:
                raise RuntimeError("no bitmaps extension")
            if typ == 0x23852875:
                n, _, dsize, doff = struct.unpack(">IIQQ", h[pos + 8:pos + 32])
                break
            pos += 8 + ((ln + 7) & ~7)
        f.seek(doff)
        d = f.read(dsize)
        p = 0
        for _ in range(index):
            es, ns = struct.unpack(">I", d[p + 20:p + 24])[0], struct.unpack(">H", d[p + 18:p + 20])[0]
            p += (24 + es + ns + 7) & ~7
        f.seek(doff + p + rel)
        f.write(struct.pack(fmt, value))


def test_in_use_and_refusals(t):
    """A bitmap left in use by a killed writer reads as in use in both tools
    and cannot be cleared; one that cannot be kept right makes writes fail
    with the file untouched."""
    iu = t("inuse.qcow2")
    qimg("create", "-q", "-f", "qcow2", iu, SIZE)
    qimg("bitmap", "--add", iu, "b0")
    w = subprocess.Popen(["stdbuf", "-oL", QEMU_IO, "-f", "qcow2", "-c", "write 0 64k", "-c",
                          "sleep 20000", iu],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    # Kill it once its write is done ("wrote ..."): killed in the middle of
    # allocating, it would leave a leaked cluster for the checks below. The
    # bitmap is marked in use from the open on.
    ready, _, _ = select.select([w.stdout], [], [], 60)
    line = w.stdout.readline() if ready else ""
    check(line.startswith("wrote"), "qemu-io did not report its write: %r" % line)
    w.kill()
    w.wait()
    check(bitmaps_of(MIMIC, iu) == bitmaps_of(QEMU_IMG, iu) and
          bitmaps_of(MIMIC, iu)[0]["flags"] == ["in-use", "auto"],
          "in-use bitmap: mimic %r, qemu %r" % (bitmaps_of(MIMIC, iu), bitmaps_of(QEMU_IMG, iu)))
    before = sha(iu)
    p = mimic("bitmap", "--clear", iu, "b0", expect=1)
    check("inconsistent" in p.stderr, "clear of in-use bitmap: " + p.stderr)
    qimg("bitmap", "--clear", iu, "b0", expect=1)
    check(sha(iu) == before, "refused --clear changed the file")
    # Writes are allowed (the bitmap is already known to be stale).
    mimic_write(iu, MiB, 4096)
    mimic("bitmap", "--remove", iu, "b0")
    check(bitmaps_of(QEMU_IMG, iu) is None, "in-use bitmap not removed")
    qemu_check_clean(iu, "remove in-use bitmap")

    # An enabled bitmap of an unknown type: writing would leave it stale.
    bad = t("badtype.qcow2")
    qimg("create", "-q", "-f", "qcow2", bad, SIZE)
    qimg("bitmap", "--add", bad, "b0")
    set_dir_field(bad, 0, ">B", 16, 7)
    before = sha(bad)
    p = mimic_write(bad, 0, 4096, expect=1)
    check("b0" in p.stderr and "refusing to write" in p.stderr,
          "write with an unusable enabled bitmap: %r" % p.stderr)
    check(sha(bad) == before, "refused write changed the file")
    # Extra data without the compatible flag: the same.
    ex = t("extra.qcow2")
    qimg("create", "-q", "-f", "qcow2", ex, SIZE)
    qimg("bitmap", "--add", ex, "b0")
    set_dir_field(ex, 0, ">B", 17, 40)  # granularity 2^40: beyond what we track
    before = sha(ex)
    mimic_write(ex, 0, 4096, expect=1)
    mimic("resize", "-f", "qcow2", ex, SIZE * 2, expect=1)
    check(sha(ex) == before, "refused write/resize changed the file")
    # A disabled bitmap of a strange kind does not stop writes.
    dis = t("disabled-bad.qcow2")
    qimg("create", "-q", "-f", "qcow2", dis, SIZE)
    qimg("bitmap", "--add", "--disable", dis, "b0")
    set_dir_field(dis, 0, ">B", 16, 7)
    mimic_write(dis, 0, 4096)
    # A directory pointing past the end of the file: info still works,
    # writes are refused.
    bd = t("baddir.qcow2")
    qimg("create", "-q", "-f", "qcow2", bd, SIZE)
    qimg("bitmap", "--add", bd, "b0")
    with open(bd, "r+b") as f:
        h = f.read(4096)
        pos = struct.unpack(">I", h[100:104])[0]
        while struct.unpack(">I", h[pos:pos + 4])[0] != 0x23852875:
            pos += 8 + ((struct.unpack(">I", h[pos + 4:pos + 8])[0] + 7) & ~7)
        f.seek(pos + 8 + 16)
        f.write(struct.pack(">Q", 1 << 40))
    before = sha(bd)
    mimic("info", bd)
    p = mimic_write(bd, 0, 4096, expect=1)
    check("refusing to write" in p.stderr, "write with a bad directory: %r" % p.stderr)
    mimic("bitmap", "--add", bd, "b1", expect=1)
    check(sha(bd) == before, "refused operations changed the file with a bad directory")


def test_bad_input(t):
    """qemu-img's exit codes and no change to the file for bad bitmap and
    bench command lines."""
    img = t("bad.qcow2")
    qimg("create", "-q", "-f", "qcow2", img, SIZE)
    qimg("bitmap", "--add", img, "b0")
    raw = t("bad.raw")
    qimg("create", "-q", "-f", "raw", raw, MiB)
    v2 = t("v2.qcow2")
    qimg("create", "-q", "-f", "qcow2", "-o", "compat=0.10", v2, MiB)
    cases = [
        ["bitmap", img, "b0"],
        ["bitmap", "--add", img],
        ["bitmap", "--add", img, "b0"],
        ["bitmap", "--add", img, ""],
        ["bitmap", "--add", "-g", "100", img, "g"],
        ["bitmap", "--add", "-g", "4G", img, "g"],
        ["bitmap", "--add", "-g", "abc", img, "g"],
        ["bitmap", "-g", "64k", "--clear", img, "b0"],
        ["bitmap", "-b", img, "--clear", img, "b0"],
        ["bitmap", "-F", "qcow2", "--merge", "b0", img, "b0"],
        ["bitmap", "--merge", "b0", "-b", t("nonexistent"), img, "b0"],
        ["bitmap", "--merge", "nope", img, "b0"],
        ["bitmap", "--remove", img, "nope"],
        ["bitmap", "--clear", img, "nope"],
        ["bitmap", "--enable", img, "nope"],
        ["bitmap", "--add", "-f", "raw", raw, "b0"],
        ["bitmap", "--add", v2, "b0"],
        ["bitmap", "--add", t("nonexistent"), "b0"],
        ["bitmap", "--add", "--bogus", img, "b0"],
        ["bench", "-c", "x", img],
        ["bench", "-d", "x", img],
        ["bench", "-s", "x", img],
        ["bench", "-o", "x", img],
        ["bench", "-S", "x", img],
        ["bench", "--pattern=300", img],
        ["bench", "--flush-interval=2", img],
        ["bench", "-w", "--flush-interval=x", img],
        ["bench", "-w", "--flush-interval=2", "-c", "5", img],
        ["bench", "-t", "bogus", img],
        ["bench", "-i", "bogus", img],
        ["bench", "-n", "-c", "5", img],
        ["bench", "-c", "1", "-s", "200M", "-f", "qcow2", img],
        ["bench", img, img],
        ["bench", "-c", "2", t("nonexistent")],
        ["info", "--image-opts", "-f", "qcow2", "driver=qcow2,file.filename=" + img],
        ["info", "--image-opts", img],
        ["info", "--image-opts", "driver=qcow2"],
        ["info", "--image-opts", "driver=qcow2,file.filename=%s,bogus=1" % img],
        ["convert", "--target-image-opts", "-O", "qcow2", img,
         "driver=qcow2,file.filename=" + t("x.qcow2")],
        ["convert", "--bitmaps", "-O", "raw", img, t("x.raw")],
        ["convert", "--bitmaps", "-O", "qcow2", raw, t("x2.qcow2")],
        ["convert", "--bitmaps", "-O", "qcow2", img, img, t("x3.qcow2")],
    ]
    pristine = t("bad-pristine.qcow2")
    shutil.copy(img, pristine)
    before = sha(img)
    for args in cases:
        pm = run([MIMIC] + [str(a) for a in args], expect=None)
        what = "mimic-img " + " ".join(str(a) for a in args)
        check(sha(img) == before, "%s changed the image" % what)
        # qemu-img rewrites the bitmap directory of an image it opens for
        # writing even when the operation fails: give it a copy.
        pq = run([QEMU_IMG] + [str(a) for a in args], expect=None)
        shutil.copy(pristine, img)
        check(0 <= pm.returncode < 128, "%s: crashed (%d)" % (what, pm.returncode))
        check(pm.returncode == pq.returncode, "%s: exit %d, qemu-img %d (%s)" %
              (what, pm.returncode, pq.returncode, pm.stderr.strip()))
        if pm.returncode:
            first = pm.stderr.split("\n")[0]
            check(first.startswith("mimic-img: ") or "WARNING" in first,
                  "%s: no error line: %r" % (what, pm.stderr))


def test_bench_and_image_opts(t):
    """bench prints qemu-img's lines; --image-opts opens what -f would."""
    img = t("bench.qcow2")
    qimg("create", "-q", "-f", "qcow2", img, SIZE)
    for args in (["-c", "10"], ["-c", "5", "-w", "-o", "1M", "-s", "64k", "--pattern=171"],
                 ["-c", "3", "-S", "60M", "-s", "64k"],
                 ["-c", "70", "-d", "8", "-w", "--flush-interval=64"]):
        pm = mimic("bench", "-f", "qcow2", *args, img)
        pq = qimg("bench", "-f", "qcow2", *args, img)
        lm = pm.stdout.splitlines()
        lq = pq.stdout.splitlines()
        check(lm[:-1] == lq[:-1] and lm[-1].startswith("Run completed in ") and
              lm[-1].endswith(" seconds."),
              "bench %s output:\n%s\nqemu-img:\n%s" % (args, pm.stdout, pq.stdout))
    # What bench -w --pattern wrote is what qemu reads.
    ref = t("bench.raw")
    with open(ref, "wb") as f:
        f.truncate(SIZE)
        f.seek(MiB)
        f.write(bytes([171]) * 5 * 65536)
    p = qimg("compare", "-f", "qcow2", "-F", "raw", img, ref, expect=None)
    check(p.returncode == 0, "bench -w --pattern data: " + p.stdout)

    opts = "driver=qcow2,file.filename=" + img
    for cmd in (["info"], ["map", "--output=json"], ["check"], ["snapshot", "-l"],
                ["measure", "-O", "qcow2"], ["info", "--output=json"]):
        pm = mimic(*(cmd + ["--image-opts", opts]))
        pq = qimg(*(cmd + ["--image-opts", opts]))
        check(pm.stdout == pq.stdout, "%s --image-opts:\n%s\nqemu-img:\n%s" %
              (cmd, pm.stdout, pq.stdout))
    pm = mimic("compare", "--image-opts", opts, "driver=raw,file.filename=" + ref)
    check("Images are identical." in pm.stdout, "compare --image-opts: " + pm.stdout)
    # Writing through --image-opts.
    mimic("bitmap", "--add", "--image-opts", opts, "io")
    mimic("resize", "--image-opts", opts, SIZE * 2)
    check(bitmaps_of(QEMU_IMG, img)[0]["name"] == "io", "bitmap --image-opts")
    check(info_json(QEMU_IMG, img)["virtual-size"] == SIZE * 2, "resize --image-opts")
    out = t("cv.qcow2")
    qimg("create", "-q", "-f", "qcow2", out, SIZE * 2)
    mimic("convert", "-n", "--image-opts", opts, "--target-image-opts",
          "driver=qcow2,file.filename=" + out)
    p = qimg("compare", img, out, expect=None)
    check(p.returncode == 0, "convert --image-opts --target-image-opts: " + p.stdout)
    qemu_check_clean(img, "--image-opts writes")


def main():
    with TempDir() as t:
        m, q = test_writes(t)
        test_qemu_to_mimic(t, q)
        test_resize_convert(t, m)
        test_in_use_and_refusals(t)
        test_bad_input(t)
        test_bench_and_image_opts(t)
    finish("bitmaps")


if __name__ == "__main__":
    main()
