#!/usr/bin/env python3
"""Boots Debian bookworm's mipsel kernel on mimic's Malta board with virtio-pci
devices and checks what the guest sees through Linux's own drivers: a raw
virtio-blk disk is read and written (the host file holds the guest's bytes),
virtio-net gets a DHCP lease from -netdev user, virtio-rng hands out bytes,
a line written to the virtio console (hvc0) lands in its -serial file, and
poweroff ends mimic with exit 0.

    test_malta_virtio.py --mimic build/mimic --scripts scripts
Exit 77 (ctest: skipped) when the kernel cannot be fetched or the board does
not accept virtio devices yet.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest, GuestError, Skip, fetch_guest, make_initramfs, run_test  # noqa: E402

MODULES = ("virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "virtio-rng")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--scripts", required=True)
    args = ap.parse_args()

    def body(work):
        kernel = os.path.join(fetch_guest(args.scripts, "mipsel"), "vmlinuz")
        initrd = make_initramfs(args.scripts, "mipsel", os.path.join(work, "rd.cpio.gz"),
                                MODULES)
        disk = os.path.join(work, "disk.raw")
        with open(disk, "wb") as f:
            f.write(b"HELLO-FROM-HOST!")
            f.truncate(8 << 20)
        hvc = os.path.join(work, "hvc.txt")

        argv = [args.mimic, "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
                "-append", "console=ttyS0", "-display", "none",
                # ttyS0, ttyS1, the CBUS UART, then the virtio console (hvc0).
                "-serial", "stdio", "-serial", "null", "-serial", "null",
                "-serial", "file:" + hvc,
                "-drive", "file=%s,format=raw,if=virtio" % disk,
                "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0",
                "-device", "virtio-rng-pci", "-device", "virtio-serial-pci"]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            try:
                g.wait_shell(300)
            except GuestError:
                tail = g.tail()
                if "virtio" in tail and ("support" in tail or "unknown" in tail.lower()):
                    raise Skip("the board does not take virtio devices yet:\n" + tail)
                raise

            out = g.run("cat /sys/bus/virtio/devices/*/device | sort | tr '\\n' ' '")
            assert out.split() == ["0x0001", "0x0002", "0x0003", "0x0004"], out
            out = g.run("dd if=/dev/vda bs=16 count=1 2>/dev/null")
            assert out == "HELLO-FROM-HOST!", out
            g.run("echo written-by-guest > /tmp/w; "
                  "dd if=/tmp/w of=/dev/vda bs=512 seek=1 conv=sync 2>/dev/null; sync")
            out = g.run("dd if=/dev/hwrng bs=16 count=1 2>/dev/null | hexdump -v -e '1/1 \"%02x\"'")
            assert len(out) == 32 and out != "0" * 32, out
            out = g.run("ifconfig eth0 up && udhcpc -i eth0 -n -q -t 5 2>&1", timeout=120)
            assert "lease of 10.0.2.15 obtained from 10.0.2.2" in out, out
            out = g.run("ls /dev/hvc0 && echo console-ok > /dev/hvc0")
            assert out == "/dev/hvc0" and g.last_status == 0, out
            g.poweroff(60)
        with open(disk, "rb") as f:
            f.seek(512)
            assert f.read(17) == b"written-by-guest\n"
        with open(hvc) as f:
            assert "console-ok" in f.read()

    return run_test("mimic-virtio-", body)


if __name__ == "__main__":
    sys.exit(main())
