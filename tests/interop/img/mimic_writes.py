#!/usr/bin/env python3
# Interop, direction 1: every image mimic-img writes (create with each option,
# convert with each cluster size and compression, backing chains, snapshots,
# commit, rebase, resize, amend) passes the real `qemu-img check` and reads
# back through `qemu-img compare` as the data it was given.
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imgtest import (QEMU_IMG, MiB, TempDir, check, compare_check, compare_human,  # noqa: E402
                     compare_info, compare_map, files_equal, finish, info_json, mimic, qemu_check_clean,
                     qemu_compare_equal, qimg, qio, require_tools, write_pattern_raw)

require_tools()

SIZE = 4 * MiB
CLUSTER_SIZES = [512 << i for i in range(13)]  # 512 .. 2M


def expect_specific(img, opts, what):
    """qemu-img reports back the options the image was created with."""
    q = info_json(QEMU_IMG, img)
    if q is None:
        return
    data = q.get("format-specific", {}).get("data", {})
    cs = int(opts.get("cluster_size", 65536))
    check(q.get("cluster-size") == cs, "%s: cluster-size %r" % (what, q.get("cluster-size")))
    compat = opts.get("compat", "1.1")
    check(data.get("compat") == compat, "%s: compat %r" % (what, data.get("compat")))
    check(data.get("refcount-bits") == int(opts.get("refcount_bits", 16)),
          "%s: refcount-bits %r" % (what, data.get("refcount-bits")))
    check(data.get("compression-type") == opts.get("compression_type", "zlib"),
          "%s: compression-type %r" % (what, data.get("compression-type")))
    if compat == "1.1":
        check(data.get("lazy-refcounts") == (opts.get("lazy_refcounts") == "on"),
              "%s: lazy-refcounts %r" % (what, data.get("lazy-refcounts")))
        check(data.get("extended-l2") == (opts.get("extended_l2") == "on"),
              "%s: extended-l2 %r" % (what, data.get("extended-l2")))
    check(q.get("virtual-size") == SIZE, "%s: virtual-size %r" % (what, q.get("virtual-size")))


def test_create(t, src, zero):
    combos = [
        "",
        "compat=0.10",
        "compat=1.1,lazy_refcounts=on",
        "extended_l2=on",
        "extended_l2=on,cluster_size=16384",
        "compression_type=zstd",
        "preallocation=metadata",
        "preallocation=falloc",
        "preallocation=full",
        "cluster_size=512",
        "cluster_size=4096,compat=0.10",
        "cluster_size=2097152",
        "cluster_size=32768,extended_l2=on,refcount_bits=8,lazy_refcounts=on,"
        "compression_type=zstd",
    ] + ["refcount_bits=%d" % b for b in (1, 2, 4, 8, 32, 64)]
    for i, combo in enumerate(combos):
        what = "create -o '%s'" % combo
        img = t("create%d.qcow2" % i)
        args = ["create", "-q", "-f", "qcow2"] + (["-o", combo] if combo else []) + [img, "4M"]
        if mimic(*args).returncode != 0:
            continue
        opts = dict(kv.split("=") for kv in combo.split(",")) if combo else {}
        qemu_check_clean(img, what)
        expect_specific(img, opts, what)
        compare_info(img, what)
        compare_check(img, what)
        qemu_compare_equal(img, zero, what + " (empty)", fmt_b="raw")
        if opts.get("preallocation") == "full":
            check(os.stat(img).st_blocks * 512 >= SIZE, what + ": not fully allocated")
        # Fill it through mimic-img, then qemu-img must read the same data.
        if mimic("convert", "-n", "-f", "raw", "-O", "qcow2", src, img).returncode == 0:
            qemu_check_clean(img, what + " + data")
            qemu_compare_equal(img, src, what + " + data", fmt_b="raw")
            compare_info(img, what + " + data")
            compare_check(img, what + " + data")
            compare_map(img, what + " + data")
            compare_human(img, what + " + data", ("info", "map"))

    # The "Formatting" line is what qemu-img prints for the same options.
    img = t("fmtline.qcow2")
    for combo in ["", "cluster_size=4k,compat=0.10", "extended_l2=on,preallocation=metadata,"
                  "compression_type=zstd,lazy_refcounts=on,refcount_bits=8"]:
        extra = ["-o", combo] if combo else []
        pm = mimic("create", "-f", "qcow2", *extra, img, "5M")
        pq = qimg("create", "-f", "qcow2", *extra, img, "5M")
        check(pm.stdout == pq.stdout, "create -o %s output: %r vs %r" % (combo, pm.stdout,
                                                                          pq.stdout))
    pm = mimic("create", "-f", "raw", t("fmt.raw"), "1536k")
    pq = qimg("create", "-f", "raw", t("fmt.raw"), "1536k")
    check(pm.stdout == pq.stdout, "create raw output: %r vs %r" % (pm.stdout, pq.stdout))
    check(os.path.getsize(t("fmt.raw")) == 1536 * 1024, "raw create size")


def test_convert(t, src):
    for cs in CLUSTER_SIZES:
        for comp in (None, "zlib", "zstd"):
            what = "convert cluster_size=%d compression=%s" % (cs, comp)
            out = t("conv.qcow2")
            o = "cluster_size=%d" % cs
            args = ["convert", "-f", "raw", "-O", "qcow2"]
            if comp:
                args += ["-c"]
                o += ",compression_type=%s" % comp
            if mimic(*(args + ["-o", o, src, out])).returncode != 0:
                continue
            qemu_check_clean(out, what)
            qemu_compare_equal(out, src, what, fmt_b="raw")
            q = info_json(QEMU_IMG, out)
            check(q and q.get("cluster-size") == cs, what + ": cluster size")
            if comp:
                p = qimg("check", "--output=json", out, expect=None)
                check('"compressed-clusters"' in p.stdout, what + ": nothing compressed: " +
                      p.stdout)
            if cs in (512, 65536, 2 * 1024 * 1024):
                compare_info(out, what)
                compare_check(out, what)
                if not comp:
                    compare_map(out, what)
    for o in ["compat=0.10", "compat=0.10,cluster_size=4k", "extended_l2=on",
              "extended_l2=on,cluster_size=2M", "refcount_bits=1", "refcount_bits=64",
              "preallocation=metadata", "lazy_refcounts=on"]:
        for comp in ([], ["-c"]):
            if comp and "preallocation" in o:
                continue
            what = "convert -o %s %s" % (o, " ".join(comp))
            out = t("conv2.qcow2")
            if mimic("convert", *comp, "-O", "qcow2", "-o", o, src, out).returncode == 0:
                qemu_check_clean(out, what)
                qemu_compare_equal(out, src, what, fmt_b="raw")
                compare_check(out, what)

    # Back to raw, sparse: same bytes, holes where the data is zero.
    q2 = t("back.qcow2")
    mimic("convert", "-O", "qcow2", src, q2)
    out = t("back.raw")
    mimic("convert", "-O", "raw", q2, out)
    check(files_equal(out, src), "convert qcow2 -> raw: bytes differ")
    check(os.stat(out).st_blocks * 512 < SIZE // 2, "convert -O raw did not leave holes")
    # -S 0: every cluster allocated.
    mimic("convert", "-S", "0", "-O", "qcow2", src, q2)
    p = qimg("map", "--output=json", q2)
    check('"data": false' not in p.stdout, "convert -S 0 left unallocated clusters")
    qemu_compare_equal(q2, src, "convert -S 0", fmt_b="raw")

    # Several sources are concatenated.
    src2 = t("src2.raw")
    write_pattern_raw(src2, 2 * MiB, seed=7)
    cat = t("cat.raw")
    with open(cat, "wb") as f:
        for s in (src, src2, src):
            f.write(open(s, "rb").read())
    out = t("cat.qcow2")
    if mimic("convert", "-O", "qcow2", src, src2, src, out).returncode == 0:
        qemu_check_clean(out, "convert 3 sources")
        qemu_compare_equal(out, cat, "convert 3 sources", fmt_b="raw")
        q = info_json(QEMU_IMG, out)
        check(q and q["virtual-size"] == 10 * MiB, "convert 3 sources: size")
    # -c with concatenated sources that are not cluster multiples.
    odd = t("odd.raw")
    write_pattern_raw(odd, 100 * 1024 + 512, seed=3, extents=[(0, 100 * 1024 + 512)])
    with open(cat, "wb") as f:
        for s in (odd, src):
            f.write(open(s, "rb").read())
    if mimic("convert", "-c", "-O", "qcow2", odd, src, out).returncode == 0:
        qemu_check_clean(out, "convert -c odd sizes")
        qemu_compare_equal(out, cat, "convert -c odd sizes", fmt_b="raw")

    # dd: a window of the input, as qemu-img dd cuts it.
    for args in (["bs=64k", "count=10"], ["bs=1k", "skip=3"], ["bs=1.5k", "skip=700", "count=2000"]):
        for fmt in ("raw", "qcow2"):
            m_out, q_out = t("dd-m." + fmt), t("dd-q." + fmt)
            mimic("dd", "-f", "raw", "-O", fmt, *args, "if=" + src, "of=" + m_out)
            qimg("dd", "-f", "raw", "-O", fmt, *args, "if=" + src, "of=" + q_out)
            qemu_compare_equal(m_out, q_out, "dd %s -O %s" % (" ".join(args), fmt))
            pm, pq = info_json(QEMU_IMG, m_out), info_json(QEMU_IMG, q_out)
            check(pm and pq and pm["virtual-size"] == pq["virtual-size"],
                  "dd %s: size %r vs %r" % (args, pm and pm["virtual-size"],
                                           pq and pq["virtual-size"]))
            if fmt == "qcow2":
                qemu_check_clean(m_out, "dd -O qcow2")

    # -p draws qemu-img's progress line and ends it with a newline.
    p = mimic("convert", "-p", "-O", "qcow2", src, out)
    check(p.stdout.endswith("(100.00/100%)\r\n") and p.stdout.startswith("    (0.00/100%)\r"),
          "convert -p output: %r" % p.stdout[-80:])
    # -t / -T cache modes are accepted.
    for mode in ("none", "writeback", "writethrough", "directsync", "unsafe"):
        if mimic("convert", "-t", mode, "-T", mode, "-O", "qcow2", src, out).returncode == 0:
            qemu_compare_equal(out, src, "convert -t " + mode, fmt_b="raw")


def test_chain(t, src):
    """base <- mid <- top, each written by mimic-img convert -B."""
    base_raw, mid_raw, top_raw = t("base.raw"), t("mid.raw"), t("top.raw")
    write_pattern_raw(base_raw, SIZE, seed=11)
    shutil.copy(base_raw, mid_raw)
    with open(mid_raw, "r+b") as f:
        f.seek(64 * 1024 + 100)
        f.write(b"\x5a" * 70000)
        f.seek(0)
        f.write(b"\0" * 4096)  # zeroes over base data must stay zero
    shutil.copy(mid_raw, top_raw)
    with open(top_raw, "r+b") as f:
        f.seek(3 * MiB)
        f.write(b"\xa5" * 200000)
    base, mid, top = t("base.qcow2"), t("mid.qcow2"), t("top.qcow2")
    mimic("convert", "-O", "qcow2", base_raw, base)
    mimic("convert", "-O", "qcow2", "-B", "base.qcow2", "-F", "qcow2", mid_raw, mid)
    mimic("convert", "-O", "qcow2", "-B", "mid.qcow2", "-F", "qcow2", "-o", "cluster_size=4k",
          top_raw, top)
    for img, raw in ((base, base_raw), (mid, mid_raw), (top, top_raw)):
        qemu_check_clean(img, "chain " + img)
        qemu_compare_equal(img, raw, "chain " + img, fmt_b="raw")
    compare_info(top, "chain", "--backing-chain")
    compare_human(top, "chain", ("info", "map"), chain=True)
    compare_map(top, "chain map")
    p = qimg("map", "--output=json", top)
    check('"depth": 2' in p.stdout, "chain: nothing read from the base")

    # An overlay made by create -b reads as its backing file.
    over = t("over.qcow2")
    mimic("create", "-q", "-f", "qcow2", "-b", "top.qcow2", "-F", "qcow2", over)
    qemu_check_clean(over, "create -b")
    qemu_compare_equal(over, top_raw, "create -b", fmt_b="raw")
    compare_info(over, "create -b", "--backing-chain")
    # Relative backing names are looked up beside the overlay.
    os.mkdir(t("sub"))
    sub = t("sub/o.qcow2")
    mimic("create", "-q", "-f", "qcow2", "-b", "../top.qcow2", "-F", "qcow2", sub)
    qemu_compare_equal(sub, top_raw, "create -b ../", fmt_b="raw")
    compare_info(sub, "create -b ../")

    def fresh_chain():
        for n in ("base", "mid", "top"):
            shutil.copy(t(n + ".qcow2"), t(n + "-c.qcow2"))
        mimic("rebase", "-u", "-b", "base-c.qcow2", "-F", "qcow2", t("mid-c.qcow2"))
        mimic("rebase", "-u", "-b", "mid-c.qcow2", "-F", "qcow2", t("top-c.qcow2"))
        return t("base-c.qcow2"), t("mid-c.qcow2"), t("top-c.qcow2")

    # commit top into mid: mid now reads as top did, top is emptied.
    b, m, tp = fresh_chain()
    p = mimic("commit", tp)
    check("Image committed." in p.stdout, "commit output: %r" % p.stdout)
    for img in (b, m, tp):
        qemu_check_clean(img, "commit")
    qemu_compare_equal(m, top_raw, "commit: mid")
    qemu_compare_equal(tp, top_raw, "commit: top")
    qemu_compare_equal(b, base_raw, "commit: base untouched", fmt_b="raw")
    p = qimg("map", "--output=json", tp)
    check('"depth": 0' not in p.stdout, "commit did not empty the top image: " + p.stdout)
    # commit -d keeps the top's data.
    b, m, tp = fresh_chain()
    mimic("commit", "-d", tp)
    qemu_compare_equal(m, top_raw, "commit -d: mid")
    p = qimg("map", "--output=json", tp)
    check('"depth": 0' in p.stdout, "commit -d emptied the top image")
    # commit -b base: the base gets everything.
    b, m, tp = fresh_chain()
    mimic("commit", "-b", b, tp)
    for img in (b, m, tp):
        qemu_check_clean(img, "commit -b")
    qemu_compare_equal(b, top_raw, "commit -b: base")
    qemu_compare_equal(tp, top_raw, "commit -b: top")

    # Safe rebase onto the base: the top keeps its content.
    b, m, tp = fresh_chain()
    mimic("rebase", "-b", "base-c.qcow2", "-F", "qcow2", tp)
    qemu_check_clean(tp, "rebase")
    qemu_compare_equal(tp, top_raw, "rebase onto base")
    q = info_json(QEMU_IMG, tp)
    check(q and q.get("backing-filename") == "base-c.qcow2", "rebase: backing name %r" %
          (q and q.get("backing-filename")))
    # rebase -b "": standalone.
    b, m, tp = fresh_chain()
    mimic("rebase", "-b", "", tp)
    qemu_check_clean(tp, "rebase -b ''")
    qemu_compare_equal(tp, top_raw, "rebase -b ''", fmt_b="raw")
    q = info_json(QEMU_IMG, tp)
    check(q and "backing-filename" not in q, "rebase -b '': backing file left")
    # rebase -u after renaming the backing file.
    b, m, tp = fresh_chain()
    os.rename(m, t("renamed.qcow2"))
    mimic("rebase", "-u", "-b", "renamed.qcow2", "-F", "qcow2", tp)
    qemu_compare_equal(tp, top_raw, "rebase -u", fmt_b="raw")
    qemu_check_clean(tp, "rebase -u")


def test_snapshots(t, src):
    img = t("snap.qcow2")
    other = t("other.raw")
    write_pattern_raw(other, SIZE, seed=5, extents=[(0, 300000), (2 * MiB, 65536)])
    mimic("convert", "-O", "qcow2", src, img)
    mimic("snapshot", "-c", "first", img)
    mimic("convert", "-n", "-O", "qcow2", other, img)
    mimic("snapshot", "-c", "second", img)
    qemu_check_clean(img, "snapshots")
    qemu_compare_equal(img, other, "snapshots: current", fmt_b="raw")
    p = qimg("snapshot", "-l", img)
    check("first" in p.stdout and "second" in p.stdout, "qemu-img snapshot -l: " + p.stdout)
    pm = mimic("snapshot", "-l", img)
    check(pm.stdout == p.stdout, "snapshot -l output: %r vs %r" % (pm.stdout, p.stdout))
    compare_info(img, "snapshots")
    compare_check(img, "snapshots")
    # convert -l reads a snapshot without touching the image.
    before = os.stat(img).st_mtime_ns
    for param in ("first", "1", "snapshot.name=first", "snapshot.id=1,snapshot.name=first"):
        out = t("fromsnap.qcow2")
        if mimic("convert", "-l", param, "-O", "qcow2", img, out).returncode == 0:
            qemu_compare_equal(out, src, "convert -l " + param, fmt_b="raw")
    check(os.stat(img).st_mtime_ns == before, "convert -l modified the image")
    check(not [f for f in os.listdir(t.path) if f.startswith(".mimic-img-snapshot")],
          "convert -l left its temporary copy")
    # qemu-img can go back to mimic-img's snapshot.
    cp = t("snapcopy.qcow2")
    shutil.copy(img, cp)
    qimg("snapshot", "-a", "first", cp)
    qemu_compare_equal(cp, src, "qemu-img snapshot -a of a mimic snapshot", fmt_b="raw")
    qemu_check_clean(cp, "qemu-img snapshot -a")
    # mimic-img applies and deletes.
    mimic("snapshot", "-a", "first", img)
    qemu_compare_equal(img, src, "mimic-img snapshot -a", fmt_b="raw")
    qemu_check_clean(img, "mimic-img snapshot -a")
    mimic("snapshot", "-d", "second", img)
    p = qimg("snapshot", "-l", img)
    check("first" in p.stdout and "second" not in p.stdout, "after -d: " + p.stdout)
    qemu_check_clean(img, "mimic-img snapshot -d")
    mimic("snapshot", "-a", "2", img, expect=1)


def test_resize_amend_measure(t, src):
    img = t("rs.qcow2")
    mimic("convert", "-O", "qcow2", src, img)
    p = mimic("resize", img, "+1M")
    check(p.stdout == "Image resized.\n", "resize output %r" % p.stdout)
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == 5 * MiB, "resize +1M")
    qemu_check_clean(img, "resize +1M")
    qemu_compare_equal(img, src, "resize +1M", fmt_b="raw")
    mimic("resize", img, "2M", expect=1)
    mimic("resize", "--shrink", img, "2M")
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == 2 * MiB, "resize --shrink")
    qemu_check_clean(img, "resize --shrink")
    mimic("resize", "--shrink", img, "-1M")
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == 1 * MiB, "resize -1M")
    head = t("head.raw")
    with open(head, "wb") as f:
        f.write(open(src, "rb").read(MiB))
    qemu_compare_equal(img, head, "resize --shrink data", fmt_b="raw")
    # qemu 7.2 shrinks a v3 image with snapshots (each keeps its disk
    # size); a v2 one is refused.
    img = t("rss.qcow2")
    mimic("convert", "-O", "qcow2", src, img)
    mimic("snapshot", "-c", "full", img)
    mimic("resize", "--shrink", img, "1M")
    qemu_check_clean(img, "resize --shrink with a snapshot")
    qemu_compare_equal(img, head, "resize --shrink with a snapshot", fmt_b="raw")
    mimic("snapshot", "-a", "full", img)
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == SIZE, "snapshot -a after shrink: size")
    qemu_compare_equal(img, src, "snapshot -a after shrink", fmt_b="raw")
    img = t("rs2.qcow2")
    mimic("convert", "-O", "qcow2", "-o", "compat=0.10", src, img)
    mimic("snapshot", "-c", "full", img)
    mimic("resize", "--shrink", img, "1M", expect=1)
    raw = t("rs.raw")
    shutil.copy(src, raw)
    mimic("resize", "-f", "raw", raw, "+512k")
    check(os.path.getsize(raw) == SIZE + 512 * 1024, "raw resize")

    img = t("am.qcow2")
    mimic("convert", "-O", "qcow2", src, img)
    mimic("amend", "-o", "compat=0.10", img)
    q = info_json(QEMU_IMG, img)
    check(q and q["format-specific"]["data"]["compat"] == "0.10", "amend compat=0.10")
    qemu_check_clean(img, "amend compat=0.10")
    qemu_compare_equal(img, src, "amend compat=0.10", fmt_b="raw")
    mimic("amend", "-o", "compat=1.1,lazy_refcounts=on", img)
    q = info_json(QEMU_IMG, img)
    d = q and q["format-specific"]["data"]
    check(d and d["compat"] == "1.1" and d["lazy-refcounts"], "amend compat=1.1: %r" % d)
    qemu_check_clean(img, "amend compat=1.1")
    qemu_compare_equal(img, src, "amend compat=1.1", fmt_b="raw")
    compare_info(img, "amend")
    mimic("amend", "-o", "lazy_refcounts=off", img)
    q = info_json(QEMU_IMG, img)
    check(q and not q["format-specific"]["data"]["lazy-refcounts"], "amend lazy_refcounts=off")
    qemu_check_clean(img, "amend lazy_refcounts=off")
    mimic("amend", "-o", "size=8M", img)
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == 8 * MiB, "amend size=8M")
    qemu_compare_equal(img, src, "amend size=8M", fmt_b="raw")
    mimic("amend", "-o", "size=4M", img)
    q = info_json(QEMU_IMG, img)
    check(q and q["virtual-size"] == 4 * MiB, "amend size=4M (shrink)")
    qemu_check_clean(img, "amend size=4M")
    qemu_compare_equal(img, src, "amend size=4M", fmt_b="raw")

    # measure: same numbers as qemu-img, for new and existing images.
    for args in (["--size", "1G", "-O", "qcow2"], ["--size", "1G", "-O", "raw"],
                 ["--size", "10M", "-O", "qcow2", "-o", "cluster_size=512"],
                 ["--size", "3G", "-O", "qcow2", "-o", "cluster_size=4k,refcount_bits=1"],
                 ["--size", "1G", "-O", "qcow2", "-o", "extended_l2=on"],
                 ["--size", "1G", "-O", "qcow2", "-o", "preallocation=full"],
                 ["-O", "qcow2", src], ["-O", "raw", src],
                 ["-O", "qcow2", "-o", "cluster_size=512", src],
                 ["-O", "qcow2", t("top.qcow2")], ["-O", "qcow2", img]):
        for out in ("human", "json"):
            pm = mimic("measure", "--output=" + out, *args)
            pq = qimg("measure", "--output=" + out, *args)
            check(pm.stdout == pq.stdout, "measure %s: %r vs %r" % (args, pm.stdout, pq.stdout))


def test_large_sparse(t):
    """A 1 TiB image with 64 KiB of data: every subcommand must walk it by
    allocation, not byte by byte (each step has a few seconds)."""
    import time
    big, over = t("big.qcow2"), t("bigover.qcow2")
    mimic("create", "-q", "-f", "qcow2", big, "1T")
    qio(big, "write -P 0x5a 549755813888 65536")
    mimic("create", "-q", "-f", "qcow2", "-b", "big.qcow2", "-F", "qcow2", over)
    qio(over, "write -P 0x6b 107374182400 65536")
    steps = [("convert", "-O", "qcow2", over, t("bigconv.qcow2")),
             ("compare", over, t("bigconv.qcow2")),
             ("compare", "-s", big, big),
             ("map", "--output=json", over),
             ("measure", "-O", "qcow2", over),
             ("check", big),
             ("commit", "-d", over),
             ("rebase", "-b", "", over)]
    for args in steps:
        t0 = time.monotonic()
        mimic(*args)
        dt = time.monotonic() - t0
        check(dt < 10, "%s on a sparse 1 TiB image took %.1f s" % (args[0], dt))
    qemu_check_clean(over, "1 TiB rebase -b ''")
    qemu_compare_equal(over, t("bigconv.qcow2"), "1 TiB convert/rebase")


def main():
    with TempDir() as t:
        src, zero = t("src.raw"), t("zero.raw")
        write_pattern_raw(src, SIZE)
        with open(zero, "wb") as f:
            f.truncate(SIZE)
        test_create(t, src, zero)
        test_convert(t, src)
        test_chain(t, src)
        test_snapshots(t, src)
        test_resize_amend_measure(t, src)
        test_large_sparse(t)
    finish("mimic_writes")


if __name__ == "__main__":
    main()
