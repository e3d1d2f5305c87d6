#!/usr/bin/env python3
"""Boots the same Debian mipsel kernel and busybox initramfs under mimic and
Debian's qemu-system-mipsel (-M malta) one after the other, and prints the
time to the shell prompt and of CPU-bound guest workloads, as mimic/QEMU
ratios (below 1.0: mimic is faster). Not a test: figures depend on the host.

    bench/mips/run.sh [build-dir]
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from guestrun import Guest  # noqa: E402

WORKLOADS = [
    ("sha256sum 64 MiB", "dd if=/dev/zero bs=1M count=64 2>/dev/null | sha256sum"),
    ("gzip round trip", "seq 1 400000 > /tmp/s && gzip -c /tmp/s | gunzip -c | wc -c"),
    ("awk arithmetic", "awk 'BEGIN { s = 0; for (i = 0; i < 300000; i++) s += i * 3 % 7; print s }'"),
]


def measure(argv, runs):
    results = {}
    for _ in range(runs):
        with Guest(argv) as g:
            g.expect("mimic initramfs ready", timeout=600)
            results.setdefault("boot to shell", []).append(g.elapsed())
            g.run("true")
            for name, cmd in WORKLOADS:
                t = time.monotonic()
                g.run(cmd, timeout=900)
                results.setdefault(name, []).append(time.monotonic() - t)
            g.send("poweroff -f\n")
            g.wait_exit(60)
    return {k: sorted(v)[len(v) // 2] for k, v in results.items()}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    subprocess.run([os.path.join(ROOT, "scripts", "fetch-guests.sh"), "mipsel"], check=True)
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    kernel = os.path.join(cache, "guests", "mipsel", "vmlinuz")
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "rd.cpio.gz")
        subprocess.run([os.path.join(ROOT, "scripts", "mkinitramfs.sh"), "mipsel", initrd],
                       check=True)
        common = ["-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
                  "-append", "console=ttyS0 quiet", "-nographic"]
        qemu = measure(["qemu-system-mipsel"] + common, runs)
        mimic = measure([os.path.join(build, "mimic")] + common, runs)
    print("MIPS Malta, Debian linux-image-4kc-malta, median of %d runs" % runs)
    print("%-20s %10s %10s %8s" % ("", "QEMU s", "mimic s", "ratio"))
    for name in ["boot to shell"] + [w[0] for w in WORKLOADS]:
        print("%-20s %10.2f %10.2f %8.2f" % (name, qemu[name], mimic[name],
                                             mimic[name] / qemu[name]))


if __name__ == "__main__":
    main()
