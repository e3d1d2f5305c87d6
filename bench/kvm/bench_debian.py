#!/usr/bin/env python3
# bench/kvm/bench_debian.py: Debian bookworm's amd64 kernel with the busybox initramfs of the
# guest tests, booted to its shell on mimic -accel kvm -M microvm and on Debian's
# qemu-system-x86_64 -M microvm -accel kvm in one run: time to the shell, peak RSS, and that
# poweroff ends each. Needs hardware-backed KVM (on kvm_pvm the kernel's own code is emulated
# and does not reach its shell in useful time). Not a test.
# Usage: bench_debian.py BUILD_DIR [RUNS]
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "guest"))
from guestrun import Guest, Skip, fetch_guest, make_initramfs  # noqa: E402

SCRIPTS = os.path.join(ROOT, "scripts")
APPEND = "console=ttyS0 quiet"


def vm_hwm_mib(pid):
    # Read while the emulator runs: a child's ru_maxrss would count this Python process.
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def boot(name, argv, work):
    with Guest(argv, log_path=os.path.join(work, "console-%s.log" % name)) as g:
        g.wait_shell(timeout=120)
        shell = g.elapsed()
        assert g.run("nproc") == "2"
        rss = vm_hwm_mib(g.proc.pid)
        g.type_command("poweroff -f")
        code = g.wait_exit(60)
    return shell, rss, code


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    mimic = os.path.join(build, "mimic")
    if not os.path.exists(mimic):
        sys.exit("bench_debian: %s not built" % mimic)
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        sys.exit("bench_debian: /dev/kvm is not usable here")
    if os.path.exists("/sys/module/kvm_pvm"):
        sys.exit("bench_debian: /dev/kvm is kvm_pvm (software): a stock kernel does not boot in "
                 "useful time; run this where KVM is hardware-backed")
    work = tempfile.mkdtemp(prefix="mimic-bench-debian-")
    try:
        try:
            kernel = os.path.join(fetch_guest(SCRIPTS, "amd64"), "vmlinuz")
        except Skip as e:
            sys.exit("bench_debian: %s" % e)
        initrd = make_initramfs(SCRIPTS, "amd64", os.path.join(work, "rd.cpio.gz"))
        common = ["-m", "512", "-smp", "2", "-kernel", kernel, "-initrd", initrd, "-append",
                  APPEND, "-nographic"]
        emulators = [("mimic", [mimic, "-accel", "kvm", "-M", "microvm"] + common)]
        qemu = shutil.which("qemu-system-x86_64")
        if qemu:
            emulators.append(("qemu", [qemu, "-M", "microvm", "-accel", "kvm", "-cpu", "host"] +
                              common))
        else:
            print("(no qemu-system-x86_64: apt-get install qemu-system-x86 to compare)")
        print("Debian bookworm amd64 to its initramfs shell, -m 512 -smp 2, best of %d" % runs)
        for name, argv in emulators:
            results = [boot(name, argv, work) for _ in range(runs)]
            print("  %-6s shell after %6.0f ms, peak RSS %6.1f MiB, poweroff exit codes %s" %
                  (name, min(r[0] for r in results) * 1000, max(r[1] for r in results),
                   [r[2] for r in results]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
