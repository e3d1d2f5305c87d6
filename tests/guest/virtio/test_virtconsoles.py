#!/usr/bin/env python3
"""Several virtio consoles on one board, each on the backend it names: Debian's
kernel boots on virt (virtio-mmio) or Malta (virtio-pci) with
`-device virtio-serial-* -device virtconsole,chardev=c0 -device
virtconsole,chardev=c1 -device virtconsole`; Linux finds hvc0, hvc1 and hvc2,
and a line the guest writes to each lands in c0's file, c1's file and (the port
naming no chardev) the -serial slot after the board's UARTs.

    test_virtconsoles.py --mimic build/mimic --scripts scripts --board virt|malta
Exit 77 (ctest: skipped) when the kernel cannot be fetched.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest, fetch_guest, make_initramfs, run_test  # noqa: E402

BOARDS = {
    "virt": {"arch": "armhf", "append": "console=ttyAMA0", "bus": "virtio-serial-device",
             "modules": ("virtio_mmio", "virtio_console"), "uarts": 1},
    "malta": {"arch": "mipsel", "append": "console=ttyS0", "bus": "virtio-serial-pci",
              "modules": ("virtio_pci", "virtio_console"), "uarts": 3},
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--scripts", required=True)
    ap.add_argument("--board", required=True, choices=sorted(BOARDS))
    args = ap.parse_args()
    b = BOARDS[args.board]

    def body(work):
        kernel = os.path.join(fetch_guest(args.scripts, b["arch"]), "vmlinuz")
        initrd = make_initramfs(args.scripts, b["arch"], os.path.join(work, "rd.cpio.gz"),
                                b["modules"])
        files = [os.path.join(work, n) for n in ("c0.txt", "c1.txt", "slot.txt")]
        argv = [args.mimic, "-M", args.board, "-m", "256", "-kernel", kernel, "-initrd", initrd,
                "-append", b["append"], "-display", "none", "-serial", "stdio"]
        argv += ["-serial", "null"] * (b["uarts"] - 1) + ["-serial", "file:" + files[2]]
        argv += ["-chardev", "file,id=c0,path=" + files[0],
                 "-chardev", "file,id=c1,path=" + files[1],
                 "-device", b["bus"], "-device", "virtconsole,chardev=c0",
                 "-device", "virtconsole,chardev=c1,name=org.mimic.second",
                 "-device", "virtconsole"]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            g.wait_shell(300)
            # One port per console device (no multiport): vport0p0, vport1p0, ...
            out = g.run("ls /sys/class/virtio-ports | wc -l")
            assert out == "3", out
            g.run("ok=0; for i in 0 1 2; do echo from-hvc$i > /dev/hvc$i || ok=1; done; "
                  "test $ok = 0")
            assert g.last_status == 0
            g.run("echo nobody > /dev/hvc3 2>/dev/null")
            assert g.last_status != 0  # no fourth console behind it
            g.poweroff(60)
        got = [open(f).read() for f in files]
        assert got == ["from-hvc0\n", "from-hvc1\n", "from-hvc2\n"], got

    return run_test("mimic-hvc-", body)


if __name__ == "__main__":
    sys.exit(main())
