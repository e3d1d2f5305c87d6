#!/usr/bin/env python3
"""Boots Debian bookworm's armhf kernel (linux-image-armmp) on mimic's ARM
`virt` board with a busybox initramfs and checks what a user sees:

  shell    the shell answers commands on ttyAMA0, the RTC and GIC are in use,
           poweroff (PSCI SYSTEM_OFF) ends mimic with exit 0
  smp      -smp 2 -cpu cortex-a7: nproc says 2 (PSCI CPU_ON), two jobs give the
           host's answers, both CPUs took IPIs (GIC SGIs)
  smp4     -smp 4: nproc says 4, four jobs run at once and give the host's
           answers, every CPU takes timer interrupts, a CPU goes off and on
           again (PSCI CPU_OFF, AFFINITY_INFO, CPU_ON), Linux finds PSCI 1.0
  reboot   `reboot -f` (PSCI SYSTEM_RESET) under -smp 2 boots the kernel again
           (two banners, both CPUs back, virtio-blk/rng/net work again and the
           disk keeps what the first boot wrote), then poweroff exits 0
  disk     a qcow2 disk on virtio-blk (virtio-mmio) is mounted, written, and the
           host reads the guest's file back after shutdown
  net      -netdev user: udhcpc gets 10.0.2.15, busybox wget fetches a page from
           an HTTP server the test runs on the host's 127.0.0.1 (10.0.2.2 inside);
           hostfwd: the host fetches a page from busybox httpd in the guest
  virtio   virtio-rng: /dev/hwrng gives random bytes; virtio-console: a line
           written to /dev/hvc0 lands in the host file behind the 2nd -serial;
           seven virtio-blk disks besides, each read back (9 transports in use)
  dumpdtb  -machine dumpdtb=FILE writes a tree dtc decodes, with every node the
           board has, equal to qemu-system-arm's for the nodes both have; the
           file given back with -dtb (PSCI conduit switched to SMC) boots 3
           CPUs and powers off, with /chosen from -append
  gdb      gdb-multiarch on -gdb tcp::PORT -S: the reset pc is the zImage
           entry with r0 = 0, r1 = ~0, r2 = the DTB (its magic read), a breakpoint on start_kernel (its address from the guest's
           /proc/kallsyms: Debian's System.map is a stub) is hit, registers
           read, stepi moves on, detach lets the kernel reach the shell

    test_arm_virt.py --mimic build/mimic --img build/mimic-img --scripts scripts --case shell
Exit 77 (ctest: skipped) when the Debian packages cannot be fetched or mimic
has no cortex-a15 CPU (`mimic -M virt -cpu help`).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from guestrun import (Guest, Skip, fetch_guest, make_fat_raw, make_initramfs, need_tools,  # noqa
                      run_test, sh, start_listening)

ARCH = "armhf"
APPEND = "console=ttyAMA0 quiet"
APPEND_LOUD = "console=ttyAMA0"  # the kernel's banner ("Linux version") is not quiet
RAM_MB = 512
ZIMAGE_ENTRY = 0x40008000  # RAM + 0x8000, where the board puts a zImage
N_DISKS = 7


def base_argv(args, initrd, extra_append="", smp=1, append=APPEND):
    argv = [args.mimic, "-M", "virt", "-m", str(RAM_MB), "-kernel", args.kernel, "-initrd",
            initrd, "-append", (append + " " + extra_append).strip(), "-nographic"]
    if smp > 1:
        argv += ["-smp", str(smp)]
    return argv


def console(work, name="console"):
    return os.path.join(work, name + ".log")


def initramfs(args, work, modules=()):
    return make_initramfs(args.scripts, ARCH, os.path.join(work, "rd.cpio.gz"), modules)


def case_shell(args, work):
    initrd = initramfs(args, work)
    with Guest(base_argv(args, initrd), log_path=console(work)) as g:
        g.wait_shell()
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
        g.poweroff()


def case_smp(args, work):
    initrd = initramfs(args, work)
    # The board's other CPU model, the Cortex-A7.
    argv = base_argv(args, initrd, smp=2) + ["-cpu", "cortex-a7"]
    with Guest(argv, log_path=console(work)) as g:
        g.wait_shell()
        out = g.run("nproc")
        assert out == "2", out
        out = g.run("grep -c ^processor /proc/cpuinfo; grep -m1 'CPU part' /proc/cpuinfo")
        assert out.split("\n")[0] == "2" and out.endswith("0xc07"), out
        # Two busy jobs with the host's answers.
        out = g.run("seq 1 20000 | sha256sum > /tmp/a & seq 2 20000 | sha256sum > /tmp/b; "
                    "wait; cut -c1-64 /tmp/a /tmp/b", timeout=300)
        want = [sh("sh", "-c", "seq %d 20000 | sha256sum | cut -c1-64" % i).strip()
                for i in (1, 2)]
        assert out.split() == want, (out, want)
        # SGIs: the CPUs interrupted each other (IPI lines, one column per CPU).
        out = g.run("grep -E '^ *IPI[0-9]+:' /proc/interrupts")
        per_cpu = [0, 0]
        for line in out.splitlines():
            cols = line.split()
            per_cpu = [per_cpu[i] + int(cols[1 + i]) for i in range(2)]
        assert all(n > 0 for n in per_cpu), out
        # Thirty commands typed ahead in one burst while the guest prints: each must run
        # whole (received bytes were once popped from the PL011 by the guest's own writes).
        # Each prints a product the shell computes, so the output cannot be mistaken for
        # the echo of the typed line, wherever the tty puts that echo.
        tail = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        g.expect(r"# ", 60)
        g.send("".join("echo T%02d_$((%d * 7))_%s\n" % (i, i, tail) for i in range(30)))
        for i in range(30):
            g.expect(r"T%02d_%d_%s" % (i, i * 7, tail), 60)
        g.poweroff()


def case_smp4(args, work):
    initrd = initramfs(args, work)
    with Guest(base_argv(args, initrd, smp=4), log_path=console(work)) as g:
        g.wait_shell()
        assert g.run("nproc") == "4"
        assert g.run("grep -c ^processor /proc/cpuinfo") == "4"
        assert g.run("cat /sys/devices/system/cpu/online") == "0-3"
        out = g.run("dmesg | grep -o 'PSCIv[0-9.]* detected'")
        assert out == "PSCIv1.0 detected", out
        # Four jobs at once, each on its own input; their sums are the host's.
        out = g.run("for i in 1 2 3 4; do (seq $i 4 40000 | sha256sum > /tmp/s$i) & done; "
                    "wait; cat /tmp/s1 /tmp/s2 /tmp/s3 /tmp/s4 | cut -c1-64", timeout=300)
        want = [sh("sh", "-c", "seq %d 4 40000 | sha256sum | cut -c1-64" % i).strip()
                for i in (1, 2, 3, 4)]
        assert out.split() == want, (out, want)
        # Every CPU took timer interrupts (one column per CPU).
        out = g.run("grep arch_timer /proc/interrupts")
        counts = [int(x) for x in out.split()[1:5]]
        assert all(c > 0 for c in counts), out
        # CPU 2 off (CPU_OFF; the kernel polls AFFINITY_INFO) and on again (CPU_ON).
        out = g.run("echo 0 > /sys/devices/system/cpu/cpu2/online; nproc; "
                    "cat /sys/devices/system/cpu/online")
        assert out == "3\n0-1,3", out
        out = g.run("echo 1 > /sys/devices/system/cpu/cpu2/online; nproc; "
                    "cat /sys/devices/system/cpu/online")
        assert out == "4\n0-3", out
        # CPU 2 is back at work: its timer ticks again while a job pinned to it spins for
        # a second or two (an idle CPU may go a second without a tick: the kernel is
        # tickless when idle).
        before = int(g.run("grep arch_timer /proc/interrupts").split()[3])
        g.run("taskset 4 sh -c 'read t _ < /proc/uptime; end=$((${t%.*} + 2)); "
              "while read t _ < /proc/uptime; [ ${t%.*} -lt $end ]; do :; done'", timeout=120)
        assert g.last_status == 0
        after = int(g.run("grep arch_timer /proc/interrupts").split()[3])
        assert after > before, (before, after)
        g.poweroff()


def case_reboot(args, work):
    initrd = initramfs(args, work, ("virtio_mmio", "virtio_blk", "virtio-rng", "virtio_net"))
    disk = os.path.join(work, "disk.raw")
    with open(disk, "wb") as f:
        f.write(b"BEFORE-REBOOT...")
        f.truncate(1 << 20)
    # virtio devices too: the reset must leave them ready for the next kernel.
    argv = base_argv(args, initrd, smp=2, append=APPEND_LOUD) + [
        "-drive", "file=%s,format=raw,if=virtio" % disk, "-device", "virtio-rng-device",
        "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
    devices = ("dd if=/dev/vda bs=16 count=1 2>/dev/null; echo; "
               "dd if=/dev/hwrng bs=8 count=1 2>/dev/null | wc -c; "
               "ifconfig eth0 up && udhcpc -i eth0 -n -q -t 5 -s /bin/true 2>&1 | "
               "grep -o 'lease of [0-9.]*'")
    with Guest(argv, log_path=console(work)) as g:
        g.wait_shell()
        assert g.run("echo first boot; nproc") == "first boot\n2"
        out = g.run(devices, timeout=120)
        assert out == "BEFORE-REBOOT...\n8\nlease of 10.0.2.15", out
        g.run("echo AFTER-REBOOT > /tmp/m; dd if=/tmp/m of=/dev/vda conv=notrunc 2>/dev/null; "
              "sync")
        g.reboot()
        banners = g.buf.count(b"Linux version")
        assert banners == 2, "%d kernel banners" % banners
        out = g.run("nproc; cut -d. -f1 /proc/uptime")
        n, up = out.split()
        assert n == "2" and int(up) < 120, out
        out = g.run(devices, timeout=120)
        assert out == "AFTER-REBOOT\n...\n8\nlease of 10.0.2.15", out
        g.poweroff()
        assert g.buf.count(b"Linux version") == 2


def case_virtio(args, work):
    initrd = initramfs(args, work, ("virtio_mmio", "virtio-rng", "virtio_console",
                                    "virtio_blk"))
    hvc = os.path.join(work, "hvc.txt")
    argv = base_argv(args, initrd)
    argv.remove("-nographic")
    # ttyAMA0 on stdio; the virtio console (hvc0) on the second -serial.
    argv += ["-display", "none", "-serial", "stdio", "-serial", "file:" + hvc,
             "-device", "virtio-rng-device", "-device", "virtio-serial-device",
             "-device", "virtconsole"]
    # Seven small disks besides: nine transports in use, more than the eight the
    # issue asks for.
    labels = []
    for i in range(N_DISKS):
        path = os.path.join(work, "d%d.raw" % i)
        labels.append("DISK-%d-OF-%d" % (i, N_DISKS))
        with open(path, "wb") as f:
            f.write(labels[-1].encode().ljust(16, b"."))
            f.truncate(1 << 20)
        argv += ["-drive", "file=%s,format=raw,if=virtio" % path]
    with Guest(argv, log_path=console(work)) as g:
        g.wait_shell()
        out = g.run("cat /sys/bus/virtio/devices/*/device | sort | tr '\\n' ' '")
        assert out.split() == ["0x0002"] * N_DISKS + ["0x0003", "0x0004"], out
        out = g.run("for d in /dev/vd?; do dd if=$d bs=16 count=1 2>/dev/null | tr -d .; "
                    "echo; done")
        assert sorted(out.split()) == sorted(labels), out
        out = g.run("cat /sys/class/misc/hw_random/rng_current")
        assert out.startswith("virtio_rng"), out
        rd = "dd if=/dev/hwrng bs=32 count=1 2>/dev/null | hexdump -v -e '1/1 \"%02x\"'"
        a, b = g.run(rd), g.run(rd)
        assert len(a) == 64 and len(b) == 64 and a != b and a != "0" * 64, (a, b)
        out = g.run("ls /dev/hvc0 && echo line from the guest on hvc0 > /dev/hvc0")
        assert out == "/dev/hvc0" and g.last_status == 0, out
        g.poweroff()
    with open(hvc, errors="replace") as f:
        got = f.read()
    assert "line from the guest on hvc0\n" in got, repr(got)


def fdt_props(path, dtb):
    """{(node, property): raw bytes as hex} for one node, via fdtget."""
    props = sh("fdtget", "-p", dtb, path).split()
    return {(path, p): sh("fdtget", "-t", "bx", dtb, path, p).strip() for p in props}


# Nodes and properties both boards spell the same way (phandles differ).
SHARED = {
    "/": ["#address-cells", "#size-cells", "compatible"],
    "/chosen": ["stdout-path"],
    "/memory@40000000": ["device_type", "reg"],
    "/psci": ["compatible", "method", "cpu_on", "cpu_off", "cpu_suspend", "migrate"],
    "/cpus": ["#address-cells", "#size-cells"],
    "/intc@8000000": ["compatible", "#interrupt-cells", "interrupt-controller", "reg"],
    "/timer": ["compatible", "interrupts", "always-on"],
    "/apb-pclk": ["compatible", "#clock-cells", "clock-frequency", "clock-output-names"],
    "/pl011@9000000": ["compatible", "reg", "interrupts", "clock-names"],
    "/pl031@9010000": ["compatible", "reg", "interrupts", "clock-names"],
}


def case_dumpdtb(args, work):
    need_tools("dtc", "fdtget", "fdtput")
    smp, ram = 3, 768
    dtb = os.path.join(work, "mimic.dtb")
    p = subprocess.run([args.mimic, "-M", "virt", "-m", str(ram), "-smp", str(smp), "-machine",
                        "dumpdtb=" + dtb], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    dts = sh("dtc", "-I", "dtb", "-O", "dts", dtb)
    for node in SHARED:
        if node != "/":
            assert re.search(r"\b%s \{" % re.escape(node.rsplit("/", 1)[1]), dts), node
    assert "reg = <0x00 0x40000000 0x00 0x30000000>;" in dts
    assert len(re.findall(r"\bcpu@\d \{", dts)) == smp
    assert len(re.findall(r"\bvirtio_mmio@[0-9a-f]+ \{", dts)) >= 8
    assert 'enable-method = "psci";' in dts and 'method = "hvc";' in dts
    assert "arm,cortex-a15-gic" in dts and "arm,pl011" in dts and "arm,pl031" in dts
    assert "arm,armv7-timer" in dts and '"arm,psci-1.0\\0arm,psci-0.2\\0arm,psci"' in dts, dts

    if shutil.which("qemu-system-arm"):
        qdtb = os.path.join(work, "qemu.dtb")
        sh("qemu-system-arm", "-M", "virt,dumpdtb=" + qdtb, "-m", str(ram), "-smp", str(smp),
           "-display", "none")
        nodes = dict(SHARED)
        for i in range(smp):
            nodes["/cpus/cpu@%d" % i] = ["device_type", "compatible", "reg", "enable-method"]
        for i in range(32):
            nodes["/virtio_mmio@%x" % (0x0a000000 + 0x200 * i)] = [
                "compatible", "reg", "interrupts", "dma-coherent"]
        differ = []
        for node, props in nodes.items():
            ours, theirs = fdt_props(node, dtb), fdt_props(node, qdtb)
            for prop in props:
                if ours.get((node, prop)) != theirs.get((node, prop)):
                    differ.append("%s:%s mimic %s qemu %s" % (node, prop, ours.get((node, prop)),
                                                               theirs.get((node, prop))))
        assert not differ, "\n".join(differ)
        print("%d nodes equal to qemu-system-arm's" % len(nodes))
    else:
        print("note: qemu-system-arm missing: no comparison (scripts/setup.sh --tests)")

    # That file back with -dtb: the kernel boots on it and /chosen has -append.
    # Its PSCI conduit switched to SMC (fdtput): CPU_ON, and SYSTEM_OFF at the
    # end, go through SMC instead of HVC.
    sh("fdtput", "-t", "s", dtb, "/psci", "method", "smc")
    initrd = initramfs(args, work)
    argv = base_argv(args, initrd, "mimic.dtb=given") + ["-m", str(ram), "-smp", str(smp),
                                                         "-dtb", dtb]
    with Guest(argv, log_path=console(work)) as g:
        g.wait_shell()
        out = g.run("cat /proc/cmdline; nproc; tr -d '\\000' < /proc/device-tree/model; echo")
        assert out == APPEND + " mimic.dtb=given\n3\nmimic ARM virt", out
        out = g.run("tr -d '\\000' < /proc/device-tree/psci/method; echo")
        assert out == "smc", out
        g.poweroff()


def gdb_batch(port, commands, timeout=120):
    argv = ["gdb-multiarch", "-nx", "-batch", "-ex", "set architecture arm",
            "-ex", "set confirm off", "-ex", "target remote 127.0.0.1:%d" % port]
    for c in commands:
        argv += ["-ex", c]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


def case_gdb(args, work):
    need_tools("gdb-multiarch")
    initrd = initramfs(args, work)
    # Debian's System.map is a stub (the real one is in the 600 MB -dbg
    # package); the armmp kernel is not relocated, so its own kallsyms say.
    with Guest(base_argv(args, initrd), log_path=console(work, "console1")) as g:
        g.wait_shell()
        out = g.run("grep ' T start_kernel$' /proc/kallsyms")
        g.poweroff()
    addr = int(out.split()[0], 16)
    assert 0xc0000000 <= addr < 0xd0000000, out
    print("start_kernel at 0x%x" % addr)

    # start_listening waits for the stub's socket in /proc/net/tcp: a test connection
    # would count as a gdb session, and closing it resumes the VM.
    g, port = start_listening(lambda port: base_argv(args, initrd) + ["-gdb", "tcp::%d" % port,
                                                                      "-S"],
                              log_path=console(work, "console2"))
    with g:
        out = gdb_batch(port, [
            "info registers pc",
            "info registers r0 r1 r2 cpsr",
            "x/1wx $r2",
            "echo ==RESET-END==\\n",
            "break *0x%x" % addr,
            "continue",
            "info registers",
            "x/2wx $pc",
            "delete",
            "stepi",
            "info registers pc",
            "detach",
        ])
        pcs = [int(x, 16) for x in re.findall(r"^pc\s+(0x[0-9a-f]+)", out, re.M)]
        assert pcs[:1] == [ZIMAGE_ENTRY], out
        # The Linux boot protocol at the zImage entry: r0 = 0, r1 = ~0 (no machine
        # number: device tree only), r2 = the DTB in RAM; SVC mode, IRQ/FIQ masked.
        at_reset, out = out.split("==RESET-END==", 1)
        boot = dict(re.findall(r"^(\w+)\s+(0x[0-9a-f]+)", at_reset, re.M))
        assert int(boot["r0"], 16) == 0 and int(boot["r1"], 16) == 0xffffffff, at_reset
        assert 0x40000000 <= int(boot["r2"], 16) < 0x40000000 + (RAM_MB << 20), at_reset
        assert int(boot["cpsr"], 16) & 0x1ff == 0x1d3, at_reset
        assert re.search(r"%s:\s+0xedfe0dd0" % boot["r2"], at_reset), at_reset  # FDT magic
        assert pcs[1:2] == [addr], out
        assert len(pcs) == 3 and pcs[2] != addr and 0xc0000000 <= pcs[2] < 0xd0000000, out
        # At start_kernel: SVC mode, MMU on (sp in the kernel's linear map).
        regs = dict(re.findall(r"^(\w+)\s+(0x[0-9a-f]+)", out, re.M))
        assert int(regs["cpsr"], 16) & 0x1f == 0x13, out
        assert int(regs["sp"], 16) >= 0xc0000000, out
        assert re.search(r"0x%x <?[^:]*:\s+0x[0-9a-f]{8}\s+0x[0-9a-f]{8}" % addr, out), out
        g.wait_shell(300)
        assert g.run("echo $((6 * 7))") == "42"
        g.poweroff()


def case_disk(args, work):
    need_tools("mkfs.vfat", "mcopy", "mtype")
    initrd = initramfs(args, work, ("virtio_mmio", "virtio_blk", "vfat", "nls_cp437",
                                    "nls_ascii"))
    disk = os.path.join(work, "disk.qcow2")
    make_fat_raw(work, args.img, disk)
    argv = base_argv(args, initrd) + [
        "-drive", "file=%s,format=qcow2,if=none,id=d0" % disk,
        "-device", "virtio-blk-device,drive=d0"]
    with Guest(argv, log_path=console(work)) as g:
        g.wait_shell()
        out = g.run("cat /proc/partitions")
        assert "vda" in out, out
        out = g.run("mount -t vfat /dev/vda /mnt && cat /mnt/host.txt")
        assert out == "written by the host", out
        g.run("echo written by the guest > /mnt/guest.txt && umount /mnt")
        assert g.last_status == 0
        g.poweroff()
    back = os.path.join(work, "back.raw")
    sh(args.img, "convert", "-f", "qcow2", "-O", "raw", disk, back)
    got = sh("mtype", "-i", back, "::guest.txt")
    assert got == "written by the guest\n", repr(got)
    check = subprocess.run([args.img, "check", disk], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def case_net(args, work):
    initrd = initramfs(args, work, ("virtio_mmio", "virtio_net"))
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
        g, fwd = start_listening(lambda fwd: base_argv(args, initrd) + [
            "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:8080" % fwd,
            "-device", "virtio-net-device,netdev=n0"], log_path=console(work))
        with g:
            g.wait_shell()
            out = g.run("ifconfig eth0 up && udhcpc -i eth0 -n -q -t 5 -s /bin/true 2>&1; "
                        "echo lease; ifconfig eth0 10.0.2.15 netmask 255.255.255.0", timeout=120)
            assert "lease" in out and g.last_status == 0, out
            assert "10.0.2.15" in out, out  # udhcpc: "lease of 10.0.2.15 obtained"
            out = g.run("wget -q -O - http://10.0.2.2:%d/hello.txt" % port, timeout=120)
            assert out == "hello from the host's web server", out
            # hostfwd: the host reaches a web server in the guest.
            g.run("mkdir -p /www && echo served by the guest > /www/index.html && "
                  "busybox httpd -p 8080 -h /www")
            assert g.last_status == 0
            url = "http://127.0.0.1:%d/index.html" % fwd
            got = urllib.request.urlopen(url, timeout=60).read()
            assert got == b"served by the guest\n", got
            g.poweroff()
    finally:
        server.kill()
        server.wait()


CASES = {"shell": case_shell, "smp": case_smp, "smp4": case_smp4, "reboot": case_reboot,
         "disk": case_disk, "net": case_net, "virtio": case_virtio, "dumpdtb": case_dumpdtb,
         "gdb": case_gdb}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--img", required=True)
    ap.add_argument("--scripts", required=True)
    ap.add_argument("--case", choices=sorted(CASES), required=True)
    args = ap.parse_args()

    def body(work):
        cpus = subprocess.run([args.mimic, "-M", "virt", "-cpu", "help"], capture_output=True,
                              text=True)
        if "cortex-a15" not in cpus.stdout + cpus.stderr:
            raise Skip("this mimic has no cortex-a15 CPU (mimic -M virt -cpu help)")
        args.guest = fetch_guest(args.scripts, ARCH)
        args.kernel = os.path.join(args.guest, "vmlinuz")
        return CASES[args.case](args, work)

    return run_test("mimic-arm-%s-" % args.case, body)


if __name__ == "__main__":
    sys.exit(main())
