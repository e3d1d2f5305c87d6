#!/usr/bin/env python3
# README's command lines plus -nic, -snapshot and a named chardev behind the
# virtio console, on Debian's kernels (ARM virt, MIPS Malta): the guest reaches
# its shell, a line written to /dev/hvc0 lands in the -chardev file, -nic
# user's DHCP answers, and under -snapshot what the guest writes to its disk
# never reaches the image.
# Usage: test_cli_guest.py MIMIC MIMIC_IMG SCRIPTS_DIR virt|malta (a ctest "guest" test).
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "guest"))
from guestrun import Guest, fetch_guest, make_initramfs, run_test, sh  # noqa: E402

MIMIC, MIMIC_IMG, SCRIPTS, BOARD = sys.argv[1:5]

BOARDS = {
    # README's ARM example; the virtio devices sit on virtio-mmio.
    "virt": {"arch": "armhf", "console": "console=ttyAMA0", "if": "virtio",
             "modules": ("virtio_blk", "virtio_net", "virtio_mmio", "virtio_console"),
             "args": ["-M", "virt", "-smp", "2", "-m", "512", "-nographic",
                      "-nic", "user,model=virtio-net-device", "-device", "virtio-serial-device"]},
    # Malta's virtio devices are PCI; its console goes after three UARTs.
    "malta": {"arch": "mipsel", "console": "console=ttyS0", "if": "virtio",
              "modules": ("virtio_pci", "virtio_blk", "virtio_net", "virtio_console"),
              "args": ["-M", "malta", "-m", "256", "-nographic", "-nic", "user",
                       "-device", "virtio-serial-pci"]},
}


def body(work):
    b = BOARDS[BOARD]
    kernel = os.path.join(fetch_guest(SCRIPTS, b["arch"]), "vmlinuz")
    initrd = make_initramfs(SCRIPTS, b["arch"], os.path.join(work, "rd.cpio.gz"),
                            modules=b["modules"])
    disk = os.path.join(work, "disk.qcow2")
    sh(MIMIC_IMG, "create", "-f", "qcow2", disk, "64M")
    with open(disk, "rb") as f:
        before = hashlib.sha256(f.read()).hexdigest()
    hvc = os.path.join(work, "hvc0.txt")
    argv = [MIMIC] + b["args"] + [
        "-kernel", kernel, "-initrd", initrd, "-append", b["console"],
        "-drive", "file=%s,format=qcow2,if=%s" % (disk, b["if"]), "-snapshot",
        "-chardev", "file,id=con,path=%s" % hvc, "-device", "virtconsole,chardev=con"]
    with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
        g.wait_shell(300)
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
