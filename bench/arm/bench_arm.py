#!/usr/bin/env python3
"""Boots Debian bookworm's armhf kernel (linux-image-armmp) with the same
busybox initramfs under mimic and Debian's qemu-system-arm, both -M virt, one
after the other, and prints mimic/QEMU ratios (below 1.0: mimic is faster) of
the time from start to the shell and of guest workloads: sha256sum over
64 MiB, a gzip round trip, and a floating-point loop in awk. Not a test:
figures depend on the host and on what else runs on it.

    bench/arm/run.sh [build-dir]
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from guestrun import Guest, GuestError  # noqa: E402

BOOT = "start to shell"
WORKLOADS = [
    ("sha256sum 64 MiB", "dd if=/dev/zero bs=1M count=64 2>/dev/null | sha256sum"),
    ("gzip round trip", "seq 1 100000 > /tmp/s && gzip -c /tmp/s | gunzip -c | wc -c"),
    # Debian's busybox awk has no math library: doubles through + * / only.
    ("awk float loop", "awk 'BEGIN { x = 0; for (i = 1; i <= 300000; i++) "
                       "x = x * 0.999999 + 1 / (i + 0.5); printf \"%.9f\\n\", x }'"),
]


def cpu_seconds(pid):
    """User + system CPU time of the emulator process, all threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(argv, runs):
    """Median wall and emulator-CPU seconds per item, plus the outputs seen
    (so that both emulators are checked to compute the same results)."""
    wall, cpu, outputs = {}, {}, {}
    for _ in range(runs):
        with Guest(argv) as g:
            m = g.expect("mimic initramfs ready|Kernel panic[^\n]*", timeout=900)
            if not m.group(0).startswith(b"mimic"):
                raise GuestError(m.group(0).decode(errors="replace"))
            wall.setdefault(BOOT, []).append(g.elapsed())
            cpu.setdefault(BOOT, []).append(cpu_seconds(g.proc.pid))
            g.run("true")
            for name, cmd in WORKLOADS:
                t, c = time.monotonic(), cpu_seconds(g.proc.pid)
                outputs[name] = g.run(cmd, timeout=1800)
                wall.setdefault(name, []).append(time.monotonic() - t)
                cpu.setdefault(name, []).append(cpu_seconds(g.proc.pid) - c)
            g.send("poweroff -f\n")
            g.wait_exit(120)

    def median(d):
        return {k: sorted(v)[len(v) // 2] for k, v in d.items()}
    return median(wall), median(cpu), outputs


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    subprocess.run([os.path.join(ROOT, "scripts", "fetch-guests.sh"), "armhf"], check=True)
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    kernel = os.path.join(cache, "guests", "armhf", "vmlinuz")
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "rd.cpio.gz")
        subprocess.run([os.path.join(ROOT, "scripts", "mkinitramfs.sh"), "armhf", initrd],
                       check=True)
        common = ["-M", "virt", "-m", "512", "-kernel", kernel, "-initrd", initrd,
                  "-append", "console=ttyAMA0 quiet", "-nographic"]
        qemu = measure(["qemu-system-arm"] + common, runs)
        try:
            mimic = measure([os.path.join(build, "mimic")] + common, runs)
        except GuestError as e:
            print("mimic did not complete the runs: %s" % str(e).splitlines()[0])
            mimic = None
    print("ARM virt, Debian linux-image-armmp, median of %d runs; wall = elapsed seconds, "
          "cpu = emulator CPU seconds" % runs)
    print("%-18s %8s %8s %7s   %8s %8s %7s" % ("", "QEMU", "mimic", "ratio", "QEMU", "mimic",
                                              "ratio"))
    print("%-18s %8s %8s %7s   %8s %8s %7s" % ("", "wall", "wall", "", "cpu", "cpu", ""))
    for name in [BOOT] + [w[0] for w in WORKLOADS]:
        qw, qc = qemu[0][name], qemu[1][name]
        if mimic is None:
            print("%-18s %8.2f %8s %7s   %8.2f %8s %7s" % (name, qw, "-", "-", qc, "-", "-"))
            continue
        mw, mc = mimic[0][name], mimic[1][name]
        print("%-18s %8.2f %8.2f %7.2f   %8.2f %8.2f %7.2f" % (name, qw, mw, mw / qw, qc, mc,
                                                            mc / qc if qc else 0))
    if mimic is not None:
        for name, _ in WORKLOADS:
            if mimic[2][name] != qemu[2][name]:
                print("WARNING: %s: mimic printed %r, QEMU %r" % (name, mimic[2][name],
                                                                 qemu[2][name]))


if __name__ == "__main__":
    main()
