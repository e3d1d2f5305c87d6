#!/usr/bin/env python3
# Interop, direction 2: images the real qemu-img creates and qemu-io fills
# (every cluster size, v2/v3, extended L2, refcount widths, compressed
# clusters, zero clusters, discards, snapshots, backing chains) read back
# byte-identical through mimic-img, and mimic-img's info/check/map/measure
# JSON agrees with qemu-img's on the same files.
import os
import shutil
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imgtest import (MiB, TempDir, check, compare_both, compare_check, compare_human,  # noqa: E402
                     compare_info, compare_map, files_equal, finish, mimic, qimg, qio, read_back_equal, require_tools,
                     write_pattern_raw)

require_tools()

SIZE = 4 * MiB

# Writes that land on cluster and sub-cluster edges for every cluster size,
# zero writes (zero clusters / zero subclusters), and a discard.
WRITES = [
    "write -P 0x11 0 65536",
    "write -P 0x22 65024 1024",
    "write -P 0x33 1048576 4096",
    "write -P 0x44 1052672 700",
    "write -z 1114112 131072",
    "write -P 0x55 2097152 196608",
    "write -z 2162688 4096",
    "discard 2228224 65536",
    "write -P 0x66 3145728 512",
    "write -P 0x77 %d 512" % (SIZE - 512),
]


def verify(t, img, what, fmt=None, chain=False, with_map=True):
    """mimic-img reads img as qemu-img does and reports the same facts."""
    ref = t("ref.raw")
    qimg(*(["convert"] + (["-f", fmt] if fmt else []) + ["-O", "raw", img, ref]))
    read_back_equal(img, ref, what, fmt=fmt)
    if chain:
        compare_info(img, what, "--backing-chain")
    else:
        compare_info(img, what)
    if fmt != "raw":
        compare_check(img, what)
        if with_map:
            compare_map(img, what)
    cmds = ["info"] + (["map"] if with_map else []) + (["check"] if fmt != "raw" else [])
    compare_human(img, what, cmds, chain=chain)
    for out_fmt in ("qcow2", "raw"):
        pm = mimic("measure", "--output=json", "-O", out_fmt, img)
        pq = qimg("measure", "--output=json", "-O", out_fmt, img)
        check(pm.stdout == pq.stdout, "%s: measure -O %s: %r vs %r" %
              (what, out_fmt, pm.stdout, pq.stdout))
    os.unlink(ref)


def variant(t, name, opts, writes=WRITES):
    img = t(name + ".qcow2")
    qimg("create", "-q", "-f", "qcow2", "-o", opts, img, str(SIZE))
    qio(img, *writes)
    return img


def test_variants(t):
    for i in range(13):
        cs = 512 << i
        img = variant(t, "cs%d" % cs, "cluster_size=%d" % cs)
        verify(t, img, "qemu cluster_size=%d" % cs)
    for opts in ["compat=0.10", "compat=0.10,cluster_size=4096",
                 "extended_l2=on", "extended_l2=on,cluster_size=16384",
                 "extended_l2=on,cluster_size=2M", "refcount_bits=1", "refcount_bits=8",
                 "refcount_bits=64", "lazy_refcounts=on", "preallocation=metadata",
                 "preallocation=full", "compression_type=zstd"]:
        img = variant(t, "v", opts)
        verify(t, img, "qemu -o " + opts)


def test_compressed(t):
    src = t("src.raw")
    write_pattern_raw(src, SIZE, seed=21, extents=[(0, 200000), (MiB, 70000),
                                                   (3 * MiB, 4096)])
    with open(src, "r+b") as f:  # compressible runs too
        f.seek(2 * MiB)
        f.write(b"mimic " * 40000)
    for comp in ("zlib", "zstd"):
        for cs in ("512", "4k", "64k", "2M"):
            img = t("c.qcow2")
            qimg("convert", "-c", "-O", "qcow2", "-o",
                 "compression_type=%s,cluster_size=%s" % (comp, cs), src, img)
            what = "qemu convert -c %s cluster_size=%s" % (comp, cs)
            verify(t, img, what, with_map=False)
            read_back_equal(img, src, what + " (source)")
            # Compressed clusters overwritten by qemu-io become normal ones.
            qio(img, "write -P 0x99 %d 4096" % (MiB + 512))
            verify(t, img, what + " + overwrite", with_map=False)


def test_snapshots(t):
    img = variant(t, "snap", "cluster_size=4096")
    qimg("snapshot", "-c", "one", img)
    qio(img, "write -P 0xee 0 100000", "write -z 1048576 8192")
    qimg("snapshot", "-c", "two", img)
    qimg("snapshot", "-c", "a-snapshot-name-longer-than-its-column", img)
    qio(img, "discard 0 65536")
    verify(t, img, "qemu snapshots")
    pm, pq = mimic("snapshot", "-l", img), qimg("snapshot", "-l", img)
    check(pm.stdout == pq.stdout, "snapshot -l: %r vs %r" % (pm.stdout, pq.stdout))
    # convert -l: the same bytes as qemu-img's conversion of the snapshot.
    for param in ("one", "2", "snapshot.name=two"):
        qimg("convert", "-l", param, "-O", "raw", img, t("snapq.raw"))
        mimic("convert", "-l", param, "-O", "raw", img, t("snapm.raw"))
        check(files_equal(t("snapq.raw"), t("snapm.raw")), "convert -l %s differs" % param)
        pm = mimic("measure", "-l", param, "-O", "qcow2", img)
        pq = qimg("measure", "-l", param, "-O", "qcow2", img)
        check(pm.stdout == pq.stdout, "measure -l %s: %r vs %r" % (param, pm.stdout, pq.stdout))
    # Going back to a qemu snapshot with mimic-img gives what qemu-img gives.
    cp = t("snapq.qcow2")
    shutil.copy(img, cp)
    qimg("snapshot", "-a", "one", cp)
    mimic("snapshot", "-a", "one", img)
    p = qimg("compare", img, cp, expect=None)
    check(p.returncode == 0, "mimic snapshot -a one differs from qemu's: " + p.stdout)
    p = qimg("check", img, expect=None)
    check(p.returncode == 0, "qemu-img check after mimic snapshot -a: " + p.stdout + p.stderr)


def test_chain(t):
    base = variant(t, "base", "cluster_size=65536")
    mid = t("mid.qcow2")
    top = t("top.qcow2")
    qimg("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", "-o",
         "cluster_size=4096", mid)
    qio(mid, "write -P 0xa1 30000 100000", "write -z 1048576 4096", "discard 3145728 512")
    qimg("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "-o",
         "extended_l2=on", top)
    qio(top, "write -P 0xb2 2000000 10000", "write -z 0 512")
    verify(t, top, "qemu chain", chain=True)
    # v2 overlay: zero writes allocate zeroed data, no zero flag.
    v2 = t("v2top.qcow2")
    qimg("create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F", "qcow2", "-o",
         "compat=0.10", v2)
    qio(v2, "write -z 65536 65536", "write -P 0xc3 4000 100")
    verify(t, v2, "qemu v2 overlay", chain=True)
    # A raw backing file.
    rawb = t("rawbase.raw")
    write_pattern_raw(rawb, SIZE, seed=9)
    over = t("rawover.qcow2")
    qimg("create", "-q", "-f", "qcow2", "-b", "rawbase.raw", "-F", "raw", over)
    qio(over, "write -P 0xd4 100000 100000")
    verify(t, over, "qemu raw-backed overlay", chain=True)
    # An overlay bigger than its backing file reads zeroes past the end.
    big = t("bigover.qcow2")
    qimg("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", big, "6M")
    qio(big, "write -P 0xe5 5242880 4096")
    verify(t, big, "qemu overlay larger than backing", chain=True)


def test_raw(t):
    raw = t("plain.raw")
    qimg("create", "-q", "-f", "raw", raw, str(SIZE))
    qio(raw, "write -P 0x12 4096 8192", "write -P 0x34 %d 512" % (SIZE - 512), fmt="raw")
    verify(t, raw, "qemu raw", fmt="raw")
    # Probing a raw file works too.
    read_back_equal(raw, raw, "raw probed")


def set_refcount(img, cluster, value):
    """Pokes a 16-bit refcount entry (first refcount block) of img."""
    with open(img, "r+b") as f:
        hdr = f.read(104)
        rt = struct.unpack(">Q", hdr[48:56])[0]
        f.seek(rt)
        rb = struct.unpack(">Q", f.read(8))[0]
        f.seek(rb + 2 * cluster)
        f.write(struct.pack(">H", value))


def test_check_repair(t):
    """Leaks and refcount corruption: same verdict and exit code as qemu-img,
    and mimic-img's repairs leave an image qemu-img finds clean."""
    for kind, rc in (("leak", 3), ("corrupt", 2)):
        img = t("damaged.qcow2")
        qimg("create", "-q", "-f", "qcow2", img, str(SIZE))
        qio(img, "write -P 0x42 0 65536", "write -P 0x43 1048576 4096")
        ref = t("damaged.raw")
        qimg("convert", "-O", "raw", img, ref)
        if kind == "leak":
            with open(img, "r+b") as f:
                f.truncate(MiB)
            set_refcount(img, 12, 1)
            set_refcount(img, 13, 1)
        else:
            set_refcount(img, 5, 0)  # the first data cluster
        for out in ("human", "json"):
            pm = mimic("check", "--output=" + out, img, expect=rc)
            pq = qimg("check", "--output=" + out, img, expect=rc)
            check(pm.stdout == pq.stdout, "check %s %s: %r vs %r" % (kind, out, pm.stdout,
                                                                    pq.stdout))
        if kind == "leak":
            cp = t("leakcopy.qcow2")
            shutil.copy(img, cp)
            pm = mimic("check", "-r", "leaks", img)
            pq = qimg("check", "-r", "leaks", cp)
            check(pm.stdout == pq.stdout, "check -r leaks: %r vs %r" % (pm.stdout, pq.stdout))
        else:
            mimic("check", "-r", "all", img)
        p = qimg("check", img, expect=0)
        check(p.returncode == 0, "after mimic-img check -r: " + p.stdout)
        p = qimg("compare", img, ref, expect=0)
        check(p.returncode == 0, "data changed by check -r: " + p.stdout)


def test_compare(t):
    """compare, plain and strict, against qemu-img on pairs that differ in
    content, size, allocation, zero clusters and compression."""
    data = t("cmp-data.raw")
    write_pattern_raw(data, 2 * MiB, seed=31)
    hole = t("cmp-hole.raw")
    with open(hole, "wb") as f:
        f.truncate(2 * MiB)
    longer = t("cmp-longer.raw")
    shutil.copy(data, longer)
    with open(longer, "r+b") as f:
        f.truncate(3 * MiB)
    longer_dirty = t("cmp-longer-dirty.raw")
    shutil.copy(longer, longer_dirty)
    with open(longer_dirty, "r+b") as f:
        f.seek(2 * MiB + 5000)
        f.write(b"x")
    changed = t("cmp-changed.raw")
    shutil.copy(data, changed)
    with open(changed, "r+b") as f:
        f.seek(MiB + 4096 + 700)
        f.write(b"\xff")
    plain, comp = t("cmp.qcow2"), t("cmp-c.qcow2")
    qimg("convert", "-O", "qcow2", data, plain)
    qimg("convert", "-c", "-O", "qcow2", data, comp)
    zc = t("cmp-zero.qcow2")
    qimg("create", "-q", "-f", "qcow2", zc, str(2 * MiB))
    qio(zc, "write -z 0 65536")
    empty = t("cmp-empty.qcow2")
    qimg("create", "-q", "-f", "qcow2", empty, str(2 * MiB))
    pairs = [(plain, data), (comp, data), (plain, comp), (data, changed), (plain, changed),
             (data, longer), (longer, data), (data, longer_dirty), (zc, hole), (empty, hole),
             (zc, empty), (hole, plain)]
    for a, b in pairs:
        for strict in ([], ["-s"]):
            compare_both(strict + [a, b], "compare")
    p = mimic("compare", "-p", data, changed, expect=1)
    check(p.stdout.startswith("    (0.00/100%)\r") and "Content mismatch at offset" in p.stdout,
          "compare -p output: %r" % p.stdout)


def main():
    with TempDir() as t:
        test_variants(t)
        test_compressed(t)
        test_snapshots(t)
        test_chain(t)
        test_raw(t)
        test_check_repair(t)
        test_compare(t)
    finish("qemu_writes")


if __name__ == "__main__":
    main()
