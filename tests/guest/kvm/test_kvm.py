#!/usr/bin/env python3
"""Boots Debian bookworm's linux-image-amd64 on mimic's microvm board under -accel kvm
with a busybox initramfs: two vCPUs come up, a qcow2 disk on virtio-mmio is written and
read back on the host, reboot restarts the kernel, poweroff (ACPI S5) ends mimic with 0.

    test_kvm.py --mimic build/mimic --img build/mimic-img --scripts scripts
Exit 77 (ctest: skipped) without a usable hardware-backed /dev/kvm (kvm_pvm emulates
kernel code thousands of times slower: a stock kernel would not boot in useful time) or
without the Debian packages.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest  # noqa: E402

SKIP = 77


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--img", required=True)
    ap.add_argument("--scripts", required=True)
    args = ap.parse_args()

    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        print("SKIP: /dev/kvm unusable:", e)
        return SKIP
    if os.path.exists("/sys/module/kvm_pvm"):
        print("SKIP: /dev/kvm is kvm_pvm, a software virtualisation: guest kernel code is "
              "emulated, so a stock kernel cannot boot in useful time")
        return SKIP
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    try:
        sh(os.path.join(args.scripts, "fetch-guests.sh"), "amd64")
    except subprocess.CalledProcessError as e:
        print("SKIP: cannot fetch Debian's amd64 kernel and busybox:", e.stderr)
        return SKIP
    for tool in ("mkfs.vfat", "mcopy", "mtype"):
        if not shutil.which(tool):
            print("FAIL: %s missing (scripts/setup.sh --tests installs dosfstools, mtools)" % tool)
            return 1
    kernel = os.path.join(cache, "guests", "amd64", "vmlinuz")
    work = tempfile.mkdtemp(prefix="mimic-kvm-")
    try:
        initrd = os.path.join(work, "rd.cpio.gz")
        sh(os.path.join(args.scripts, "mkinitramfs.sh"), "-m",
           "virtio_mmio,virtio_blk,vfat,nls_cp437,nls_ascii", "amd64", initrd)
        raw = os.path.join(work, "disk.raw")
        with open(raw, "wb") as f:
            f.truncate(16 << 20)
        sh("mkfs.vfat", "-n", "MIMIC", raw)
        hostfile = os.path.join(work, "host.txt")
        with open(hostfile, "w") as f:
            f.write("written by the host\n")
        sh("mcopy", "-i", raw, hostfile, "::host.txt")
        disk = os.path.join(work, "disk.qcow2")
        sh(args.img, "convert", "-f", "raw", "-O", "qcow2", raw, disk)

        argv = [args.mimic, "-accel", "kvm", "-M", "microvm", "-m", "512", "-smp", "2",
                "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet",
                "-nographic", "-drive", "file=%s,format=qcow2,if=virtio" % disk]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            g.expect("mimic initramfs ready", timeout=120)
            print("shell after %.1f s" % g.elapsed())
            out = g.run("uname -m")
            assert out == "x86_64", out
            out = g.run("nproc")
            assert out == "2", out
            out = g.run("cat /proc/partitions")
            assert "vda" in out, out
            out = g.run("mount -t vfat /dev/vda /mnt && cat /mnt/host.txt")
            assert out == "written by the host", out
            g.run("echo written by the guest > /mnt/guest.txt && umount /mnt")
            assert g.last_status == 0

            g.send("reboot -f\n")
            g.expect("Linux version", timeout=60)
            g.expect("mimic initramfs ready", timeout=120)

            g.send("poweroff -f\n")
            code = g.wait_exit(60)
            assert code == 0, "mimic exited with %d after poweroff" % code

        back = os.path.join(work, "back.raw")
        sh(args.img, "convert", "-f", "qcow2", "-O", "raw", disk, back)
        got = sh("mtype", "-i", back, "::guest.txt")
        assert got == "written by the guest\n", repr(got)
        print("PASS")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
