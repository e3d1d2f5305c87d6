#!/usr/bin/env python3
# README's ARM example command line, plus -nic and a named chardev behind the
# virtio console, on Debian's armhf kernel: the guest reaches its shell, a line
# written to /dev/hvc0 lands in the -chardev file, -nic user's DHCP answers,
# and under -snapshot what the guest writes to its disk never reaches the image.
# Usage: test_cli_guest.py MIMIC MIMIC_IMG SCRIPTS_DIR (a ctest "guest" test).
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "guest"))
from guestrun import Guest, fetch_guest, make_initramfs, run_test, sh  # noqa: E402

MIMIC, MIMIC_IMG, SCRIPTS = sys.argv[1:4]


def body(work):
    kernel = os.path.join(fetch_guest(SCRIPTS, "armhf"), "vmlinuz")
    initrd = make_initramfs(SCRIPTS, "armhf", os.path.join(work, "rd-arm.cpio.gz"),
                            modules=("virtio_blk", "virtio_net", "virtio_mmio", "virtio_console"))
    disk = os.path.join(work, "disk.qcow2")
    sh(MIMIC_IMG, "create", "-f", "qcow2", disk, "64M")
    with open(disk, "rb") as f:
        before = hashlib.sha256(f.read()).hexdigest()
    hvc = os.path.join(work, "hvc0.txt")
    argv = [MIMIC, "-M", "virt", "-smp", "2", "-m", "512", "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyAMA0", "-nographic",
            "-drive", "file=%s,format=qcow2,if=virtio" % disk,
            "-nic", "user,model=virtio-net-device",
            "-chardev", "file,id=con,path=%s" % hvc,
            "-device", "virtio-serial-device", "-device", "virtconsole,chardev=con", "-snapshot"]
    with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
        g.wait_shell()
        g.run("echo through-the-chardev > /dev/hvc0")
        wrote = g.run("echo scribble | dd of=/dev/vda bs=512 conv=sync 2>&1; sync; "
                      "dd if=/dev/vda bs=8 count=1 2>/dev/null")
        # -nic user's DHCP server answers (udhcpc: "lease of 10.0.2.15 obtained").
        lease = g.run("ifconfig eth0 up && udhcpc -i eth0 -n -q -t 5 -s /bin/true 2>&1",
                      timeout=120)
        g.poweroff()
    with open(disk, "rb") as f:
        after = hashlib.sha256(f.read()).hexdigest()
    if "scribble" not in wrote:
        raise AssertionError("the guest could not write its disk: %r" % wrote)
    if before != after:
        raise AssertionError("-snapshot: the image changed")
    text = open(hvc).read()
    if "through-the-chardev" not in text:
        raise AssertionError("hvc0 line missing from the -chardev file: %r" % text)
    if "lease of 10.0.2.15 obtained" not in lease:
        raise AssertionError("no DHCP lease through -nic user: %r" % lease)


sys.exit(run_test("mimic-cli-guest-", body))
