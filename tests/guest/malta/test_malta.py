#!/usr/bin/env python3
"""Boots Debian bookworm's mipsel kernel (linux-image-4kc-malta) on mimic's
Malta board with a busybox initramfs and checks what a user sees: the shell
answers commands, a qcow2 disk on the PIIX4 IDE is mounted, written and read
back on the host, reboot restarts the kernel, poweroff ends mimic with exit 0.

    test_malta.py --mimic build/mimic --img build/mimic-img --scripts scripts
Exit 77 (ctest: skipped) when the Debian packages cannot be fetched.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest, fetch_guest, make_fat_raw, make_initramfs, need_tools, run_test, sh  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--img", required=True)
    ap.add_argument("--scripts", required=True)
    args = ap.parse_args()

    def body(work):
        kernel = os.path.join(fetch_guest(args.scripts, "mipsel"), "vmlinuz")
        need_tools("mkfs.vfat", "mcopy", "mtype")
        initrd = make_initramfs(args.scripts, "mipsel", os.path.join(work, "rd.cpio.gz"),
                                ("ata_piix", "vfat", "nls_cp437", "nls_ascii"))

        # A FAT disk holding a file from the host, as qcow2 made by mimic-img.
        disk = os.path.join(work, "disk.qcow2")
        make_fat_raw(work, args.img, disk)

        argv = [args.mimic, "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
                "-append", "console=ttyS0 quiet", "-nographic",
                "-drive", "file=%s,format=qcow2,if=ide" % disk]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            g.wait_shell(300)

            out = g.run("uname -m")
            assert out == "mips", out
            out = g.run("grep -c processor /proc/cpuinfo; grep -m1 'cpu model' /proc/cpuinfo")
            assert out.startswith("1\n") and "MIPS 24K" in out, out
            out = g.run("echo $((123456789 * 9)) | sha256sum | cut -c1-16")
            assert out == sh("sh", "-c", "echo 1111111101 | sha256sum | cut -c1-16").strip(), out
            out = g.run("seq 1 1000 | awk '{s += $1} END {print s}'")
            assert out == "500500", out

            out = g.run("cat /proc/partitions")
            assert "sda" in out, out
            out = g.run("mount -t vfat /dev/sda /mnt && cat /mnt/host.txt")
            assert out == "written by the host", out
            g.run("echo written by the guest > /mnt/guest.txt && umount /mnt")
            assert g.last_status == 0

            # reboot: the machine resets and the kernel boots again.
            g.reboot(300)
            out = g.run("cat /proc/uptime | cut -d. -f1")
            assert int(out) < 120, out
            g.poweroff()

        # The guest's file is in the image, as mimic-img reads it back.
        back = os.path.join(work, "back.raw")
        sh(args.img, "convert", "-f", "qcow2", "-O", "raw", disk, back)
        got = sh("mtype", "-i", back, "::guest.txt")
        assert got == "written by the guest\n", repr(got)
        check = subprocess.run([args.img, "check", disk], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr

    return run_test("mimic-malta-", body)


if __name__ == "__main__":
    sys.exit(main())
