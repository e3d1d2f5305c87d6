#!/usr/bin/env python3
"""Boots the bench's armhf guest under mimic with MIMIC_EXEC_STATS=1, runs one
workload (default: the awk float loop of bench_arm.py) and prints mimic's
per-vCPU execution-loop statistics from its exit: the counts the bench README
quotes for "why does generated code leave for the loop". Counts, unlike
times, barely move with host load.

    bench/arm/exec_stats.py [build-dir] [workload-name|boot]
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from bench_arm import WORKLOADS  # noqa: E402
from guestrun import Guest  # noqa: E402


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    which = sys.argv[2] if len(sys.argv) > 2 else "awk float loop"
    cmds = [c for n, c in WORKLOADS if n == which]
    if which != "boot" and not cmds:
        sys.exit("unknown workload %r (one of: boot, %s)" %
                 (which, ", ".join(n for n, _ in WORKLOADS)))
    subprocess.run([os.path.join(ROOT, "scripts", "fetch-guests.sh"), "armhf"], check=True)
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    kernel = os.path.join(cache, "guests", "armhf", "vmlinuz")
    os.environ["MIMIC_EXEC_STATS"] = "1"
    with tempfile.TemporaryDirectory() as work:
        initrd = os.path.join(work, "rd.cpio.gz")
        subprocess.run([os.path.join(ROOT, "scripts", "mkinitramfs.sh"), "armhf", initrd],
                       check=True)
        argv = [os.path.join(build, "mimic"), "-M", "virt", "-m", "512", "-kernel", kernel,
                "-initrd", initrd, "-append", "console=ttyAMA0 quiet", "-nographic"]
        with Guest(argv) as g:
            g.wait_shell()
            for c in cmds:
                print(g.run(c, timeout=1800))
            g.poweroff()
            for line in g.buf.decode(errors="replace").splitlines():
                if re.match(r"mimic: cpu\d+: ", line):
                    print(line)


if __name__ == "__main__":
    main()
