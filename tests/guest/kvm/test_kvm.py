#!/usr/bin/env python3
"""Boots Debian bookworm's linux-image-amd64 on mimic's microvm board under -accel kvm
with a busybox initramfs: four vCPUs come up, a qcow2 overlay on a backing image (virtio-mmio)
mounts read-write and what the guest wrote is found on the host, reboot restarts the kernel,
poweroff (ACPI S5) ends mimic with 0.

    test_kvm.py --mimic build/mimic --img build/mimic-img --scripts scripts
Exit 77 (ctest: skipped) without a usable hardware-backed /dev/kvm (kvm_pvm emulates
kernel code thousands of times slower: a stock kernel would not boot in useful time) or
without the Debian packages.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest, Skip, fetch_guest, make_fat_raw, make_initramfs, need_tools, run_test, sh  # noqa


def check_kvm():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        raise Skip("/dev/kvm unusable: %s" % e)
    if os.path.exists("/sys/module/kvm_pvm"):
        raise Skip("/dev/kvm is kvm_pvm, a software virtualisation: guest kernel code is "
                   "emulated, so a stock kernel cannot boot in useful time")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--img", required=True)
    ap.add_argument("--scripts", required=True)
    args = ap.parse_args()

    def body(work):
        check_kvm()
        kernel = os.path.join(fetch_guest(args.scripts, "amd64"), "vmlinuz")
        need_tools("mkfs.vfat", "mcopy", "mtype", "mdir")
        initrd = make_initramfs(args.scripts, "amd64", os.path.join(work, "rd.cpio.gz"),
                                ("virtio_mmio", "virtio_blk", "vfat", "nls_cp437", "nls_ascii"))
        # The host's file goes into the backing image; the guest writes through a qcow2
        # overlay on it, which must leave the backing file as it was.
        base = os.path.join(work, "base.qcow2")
        make_fat_raw(work, args.img, base)
        disk = os.path.join(work, "disk.qcow2")
        sh(args.img, "create", "-f", "qcow2", "-b", base, "-F", "qcow2", disk)

        argv = [args.mimic, "-accel", "kvm", "-M", "microvm", "-m", "512", "-smp", "4",
                "-kernel", kernel, "-initrd", initrd, "-append", "console=ttyS0 quiet",
                "-nographic", "-drive", "file=%s,format=qcow2,if=virtio" % disk]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            g.wait_shell(timeout=120)
            assert g.run("uname -m") == "x86_64"
            out = g.run("nproc")
            assert out == "4", out
            out = g.run("cat /proc/partitions")
            assert "vda" in out, out
            out = g.run("mount -t vfat /dev/vda /mnt && cat /mnt/host.txt")
            assert out == "written by the host", out
            g.run("echo written by the guest > /mnt/guest.txt && umount /mnt")
            assert g.last_status == 0
            g.reboot(timeout=120)
            out = g.run("nproc")
            assert out == "4", out
            g.poweroff(timeout=60)

        back = os.path.join(work, "back.raw")
        sh(args.img, "convert", "-f", "qcow2", "-O", "raw", disk, back)
        got = sh("mtype", "-i", back, "::guest.txt")
        assert got == "written by the guest\n", repr(got)
        sh(args.img, "convert", "-f", "qcow2", "-O", "raw", base, back)
        assert "guest.txt" not in sh("mdir", "-i", back, "::"), "the backing image changed"

    return run_test("mimic-kvm-", body)


if __name__ == "__main__":
    sys.exit(main())
