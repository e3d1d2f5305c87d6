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


def cpu_seconds(pid):
    """User + system CPU time of a process, all its threads."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(argv, runs):
    """Per item, median wall seconds and median emulator CPU seconds. CPU time
    is what the emulator spent (all threads), steadier on a loaded host."""
    wall, cpu = {}, {}
    for _ in range(runs):
        with Guest(argv) as g:
            g.expect("mimic initramfs ready", timeout=600)
            wall.setdefault("boot to shell", []).append(g.elapsed())
            cpu.setdefault("boot to shell", []).append(cpu_seconds(g.proc.pid))
            g.run("true")
            for name, cmd in WORKLOADS:
                t, c = time.monotonic(), cpu_seconds(g.proc.pid)
                g.run(cmd, timeout=900)
                wall.setdefault(name, []).append(time.monotonic() - t)
                cpu.setdefault(name, []).append(cpu_seconds(g.proc.pid) - c)
            g.send("poweroff -f\n")
            g.wait_exit(60)

    def median(d):
        return {k: sorted(v)[len(v) // 2] for k, v in d.items()}
    return median(wall), median(cpu)


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
    print("MIPS Malta, Debian linux-image-4kc-malta, median of %d runs; wall = elapsed "
          "seconds, cpu = emulator CPU seconds" % runs)
    print("%-20s %8s %8s %7s   %8s %8s %7s" % ("", "QEMU", "mimic", "ratio", "QEMU", "mimic",
                                              "ratio"))
    print("%-20s %8s %8s %7s   %8s %8s %7s" % ("", "wall", "wall", "", "cpu", "cpu", ""))
    for name in ["boot to shell"] + [w[0] for w in WORKLOADS]:
        qw, mw, qc, mc = qemu[0][name], mimic[0][name], qemu[1][name], mimic[1][name]
        print("%-20s %8.2f %8.2f %7.2f   %8.2f %8.2f %7.2f" % (name, qw, mw, mw / qw, qc, mc,
                                                            mc / qc if qc else 0))


if __name__ == "__main__":
    main()
