#!/usr/bin/env python3
# tests/kvm/microvm/run-guest.py: boots the KVM test guest on -M microvm and checks what
# it printed (boot_params, e820, command line, initrd, CPL 3 result, timer ticks, virtio-blk
# read and write, second vCPU, poweroff). Exit 77 (skip) when /dev/kvm cannot be used.
import argparse, os, subprocess, sys, time

LOOPS = 300000000
SECTOR0 = b"SECTOR-ZERO-WRITTEN-BY-MIMIC-IMG"
INITRD = bytes(range(256)) * 4 + b"initrd-tail"


def fail(msg, out=""):
    print(out)
    print("FAIL:", msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--mimic", "--img", "--compute", "--guest", "--workdir"):
        ap.add_argument(a, required=True)
    o = ap.parse_args()
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        print("SKIP: /dev/kvm unusable:", e)
        return 77
    w = o.workdir
    src, disk, back = (os.path.join(w, n) for n in ("src.raw", "disk.qcow2", "back.raw"))
    initrd = os.path.join(w, "initrd.bin")
    console = os.path.join(w, "virtio-console.txt")
    if os.path.exists(console):
        os.unlink(console)
    with open(src, "wb") as f:
        f.write(SECTOR0.ljust(512, b"\0") + bytes(1 << 20))
    with open(initrd, "wb") as f:
        f.write(INITRD)
    for p in (disk,):
        if os.path.exists(p):
            os.unlink(p)
    subprocess.run([o.img, "convert", "-f", "raw", "-O", "qcow2", src, disk], check=True)
    expected = subprocess.run([o.compute, str(LOOPS)], check=True, capture_output=True,
                              text=True).stdout.split()[0]
    h = 0
    for b in INITRD:
        h = (h * 31 + b) & (2**64 - 1)
    cmd = [o.mimic, "-accel", "kvm", "-M", "microvm", "-m", "256", "-smp", "2", "-kernel",
           o.guest, "-initrd", initrd, "-append", "console=ttyS0 loops=%d" % LOOPS,
           "-drive", "file=%s,format=qcow2,if=virtio" % disk, "-nographic", "-no-reboot",
           "-serial", "mon:stdio", "-serial", "file:" + console,
           "-device", "virtio-rng-device", "-device", "virtio-serial-device",
           "-device", "virtconsole", "-netdev", "user,id=n0",
           "-device", "virtio-net-device,netdev=n0,mac=52:54:00:12:34:56"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired as e:
        fail("mimic did not power off within 90 s", (e.stdout or b"").decode(errors="replace"))
    out = r.stdout
    if r.returncode != 0:
        fail("mimic exited %d: %s" % (r.returncode, r.stderr), out)
    want = [
        "KVMTEST: startup_64 reached",
        "KVMTEST: cpus=0000000000000002",
        "AP cpu01: online",
        "KVMTEST: all APs online",
        "user: hypervisor=KVMKVMKVM",
        "user: cpl=0000000000000003",
        "user: type_of_loader=00000000000000ff",
        "user: cmdline=console=ttyS0 loops=%d" % LOOPS +
        "".join(" virtio_mmio.device=512@0x%x:%d" % (0xfeb00000 + 0x200 * i, gsi)
                for i, gsi in enumerate((5, 6, 7, 9))),
        "user: e820 entries=0000000000000004",
        "user: e820 0000000000000000 000000000009fc00 0000000000000001",
        "user: e820 000000000009fc00 0000000000000400 0000000000000002",
        "user: e820 00000000000e0000 0000000000020000 0000000000000002",
        "user: e820 0000000000100000 000000000ff00000 0000000000000001",
        "user: rsdp=00000000000e0000 ok",
        "user: initrd size,hash=%016x %016x" % (len(INITRD), h),
        "user: loops=%016x" % LOOPS,
        "user: result=%s" % expected,
        "virtio-blk: sector0=%s" % SECTOR0.decode(),
        "virtio-blk: write status=0000000000000000",
        "virtio-rng: bytes=0000000000000010 nonzero",
        "virtio-console: sent",
        "virtio-net: mac=0000525400123456",
        "virtio-net: arp reply from 10.0.2.2 mac=000052550a000202",
        "KVMTEST: powering off",
        # power-on state: APIC base (xAPIC, enabled, BSP), STAR, IOAPIC entry masked; LAPIC
        # SVR, LVT timer masked, TPR; x87 control word and MXCSR as after RESET
        "KVMTEST: lapic 00000000000000ff 0000000000010000 0000000000000000",
    ]
    power = [l for l in out.splitlines() if l.startswith("KVMTEST: power-on state ")]
    if len(power) != 1 or power[0].split()[3:5] != ["00000000fee00900", "0000000000000000"] \
            or power[0].split()[-1] != "0000000000010000":
        fail("power-on state: %r" % power, out)
    fpu = [l for l in out.splitlines() if l.startswith("user: fpu ")]
    if len(fpu) != 1 or fpu[0].split()[2:4] != ["000000000000037f", "0000000000001f80"]:
        fail("FPU power-on state: %r" % fpu, out)
    lines = out.splitlines()
    for line in want:
        if line not in lines:
            fail("missing line: " + line, out)
    ticks = [l for l in lines if l.startswith("KVMTEST: timer ticks=")]
    if not ticks or int(ticks[0].split("=")[1], 16) == 0:
        fail("no timer interrupts reached the guest", out)
    bad = [l for l in lines if "FAIL" in l]
    if bad:
        fail("guest reported: " + bad[0], out)
    subprocess.run([o.img, "convert", "-f", "qcow2", "-O", "raw", disk, back], check=True)
    with open(back, "rb") as f:
        f.seek(512)
        if not f.read(512).startswith(b"WRITTEN-BY-THE-KVM-TEST-GUEST"):
            fail("sector 1 of the image does not hold what the guest wrote", out)
    with open(console) as f:
        if f.read() != "hello from the KVM test guest on virtio-console\n":
            fail("the virtio-console line is not on the host chardev", out)
    print(out)

    # reboot: the i8042 reset restarts both vCPUs and the kernel; the guest then powers off.
    base = [o.mimic, "-accel", "kvm", "-M", "microvm", "-m", "64", "-smp", "2", "-kernel",
            o.guest, "-nographic"]
    devices = ["-device", "virtio-rng-device", "-netdev", "user,id=n0",
               "-device", "virtio-net-device,netdev=n0,mac=52:54:00:12:34:56"]
    # Ticks are counted only in the CPL 3 part; loops=30M keeps it a few tenths of a second
    # long on each boot (25 or more ticks in 24 runs): with loops=1000 it was so short that
    # 0 ticks happened, on either boot, in about one run in three on a loaded host.
    r = subprocess.run(base + devices + ["-append", "loops=30000000 reboot=1"],
                       capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    if r.returncode != 0 or lines.count("KVMTEST: startup_64 reached") != 2 or \
            lines.count("AP cpu01: online") != 2 or "KVMTEST: back after reboot" not in lines:
        fail("reboot run (exit %d)" % r.returncode, r.stdout + r.stderr)
    # The first boot changed LAPIC, IOAPIC, PIT, PIC, MSRs, FPU state before rebooting:
    # the second must find them as the first did, and the PIT programmed again must tick.
    for prefix in ("KVMTEST: power-on state ", "KVMTEST: lapic ", "user: fpu "):
        seen = [l for l in lines if l.startswith(prefix)]
        if len(seen) != 2 or seen[0] != seen[1]:
            fail("reset did not restore the power-on state: %r" % seen, r.stdout)
    ticks = [int(l.split("=")[1], 16) for l in lines if l.startswith("KVMTEST: timer ticks=")]
    if len(ticks) != 2 or 0 in ticks:
        fail("timer ticks on both boots: %r" % ticks, r.stdout)
    # ... and the virtio devices, reset with the machine, work again.
    for line in ("virtio-rng: bytes=0000000000000010 nonzero",
                 "virtio-net: arp reply from 10.0.2.2 mac=000052550a000202"):
        if lines.count(line) != 2:
            fail("after reboot: %s" % line, r.stdout)
    # -smp 4 and 16: CPUID's topology leaf counts them, every AP reports its own APIC id
    # (CPUID leaf 1) once.
    for n in (4, 16):
        r = subprocess.run(base[:base.index("-smp") + 1] + [str(n)] +
                           base[base.index("-smp") + 2:] + ["-append", "loops=1000"],
                           capture_output=True, text=True, timeout=60)
        lines = r.stdout.splitlines()
        aps = sorted(l for l in lines if l.startswith("AP cpu"))
        if r.returncode != 0 or "KVMTEST: cpus=%016x" % n not in lines or \
                aps != ["AP cpu%02x: online" % i for i in range(1, n)] or \
                "KVMTEST: all APs online" not in lines or "KVMTEST: powering off" not in lines:
            fail("-smp %d run (exit %d)" % (n, r.returncode), r.stdout + r.stderr)
    # RAM above 4 GiB (its own e820 entry) and file-backed RAM (-mem-path DIR, as on a
    # hugetlbfs mount): an unlinked file in DIR, sparse, so 5 GiB cost nothing here.
    memdir = os.path.join(w, "mem")
    os.makedirs(memdir, exist_ok=True)
    r = subprocess.run(base[:base.index("-m") + 1] + ["5G", "-mem-path", memdir] +
                       base[base.index("-m") + 2:] + ["-append", "loops=1000"],
                       capture_output=True, text=True, timeout=60)
    lines = r.stdout.splitlines()
    if r.returncode != 0 or "user: e820 entries=0000000000000005" not in lines or \
            "user: e820 0000000100000000 0000000080000000 0000000000000001" not in lines or \
            "user: e820 0000000000100000 00000000bff00000 0000000000000001" not in lines or \
            "KVMTEST: powering off" not in lines or os.listdir(memdir):
        fail("-m 5G -mem-path run (exit %d)" % r.returncode, r.stdout + r.stderr)
    # The monitor's info registers/stop/cont/quit reach vCPUs that never leave KVM_RUN on
    # their own (an endless CPL 3 loop, no timer exits needed): cpu_exit kicks them.
    mon = subprocess.Popen(base[:-1] + ["-display", "none", "-serial", "file:" + console,
                                        "-monitor", "stdio", "-append", "loops=%d" % 10**12],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
    try:
        def wait_for(text, secs):
            deadline = time.monotonic() + secs
            while time.monotonic() < deadline:
                if os.path.exists(console) and text in open(console).read():
                    return True
                time.sleep(0.05)
            return False
        if not wait_for("user: loops=", 30):
            fail("monitor run: the guest did not reach its loop")
        t0 = time.monotonic()
        mon.stdin.write("info registers\nstop\ninfo status\ncont\ninfo status\nquit\n")
        mon.stdin.flush()
        out, _ = mon.communicate(timeout=10)
        took = time.monotonic() - t0
    except subprocess.TimeoutExpired:
        mon.kill()
        fail("monitor stop/cont/quit hung with the vCPUs in KVM_RUN")
    if mon.returncode != 0 or "VM status: paused" not in out or \
            "VM status: running" not in out or "CPL=3" not in out or took > 5:
        fail("monitor run (exit %d, %.1f s): %r" % (mon.returncode, took, out))
    # -no-reboot turns the reset into an exit.
    r = subprocess.run(base + ["-no-reboot", "-append", "loops=1000 reboot=1"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or "KVMTEST: startup_64 reached" not in r.stdout or \
            "KVMTEST: back after reboot" in r.stdout:
        fail("-no-reboot run (exit %d)" % r.returncode, r.stdout + r.stderr)
    # A triple fault is the guest's business: mimic resets it (here: exits) and survives.
    r = subprocess.run(base + ["-no-reboot", "-append", "loops=1000 crash=1"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or "KVMTEST: triple fault next" not in r.stdout or \
            "powering off" in r.stdout:
        fail("triple-fault run (exit %d)" % r.returncode, r.stdout + r.stderr)
    # Bad input: one message, exit 1.
    for args, msg in (([o.mimic, "-M", "microvm", "-kernel", o.guest, "-nographic"],
                       "needs -accel kvm"),
                      ([o.mimic, "-accel", "kvm", "-M", "microvm", "-kernel", initrd,
                        "-nographic"], "is not a bzImage"),
                      ([o.mimic, "-accel", "kvm", "-M", "microvm", "-nographic"],
                       "give it a kernel"),
                      ([o.mimic, "-accel", "kvm", "-M", "microvm", "-smp", "17", "-kernel",
                        o.guest, "-nographic"], "")):
        r = subprocess.run(args, capture_output=True, text=True, timeout=30)
        if r.returncode != 1 or msg not in r.stderr or "Traceback" in r.stderr:
            fail("%s: exit %d, %r" % (" ".join(args[1:]), r.returncode, r.stderr))
    env = dict(os.environ, MIMIC_KVM_DEVICE="/nonexistent/kvm")
    for accel in ("kvm", "kvm:tcg"):
        # -accel kvm -accel tcg is the command-line spelling of kvm:tcg
        r = subprocess.run([o.mimic] + sum((["-accel", a] for a in accel.split(":")), []) +
                           ["-M", "microvm", "-kernel", o.guest,
                            "-nographic"], capture_output=True, text=True, timeout=30, env=env)
        if accel == "kvm" and (r.returncode != 1 or "cannot open /nonexistent/kvm" not in
                               r.stderr or len(r.stderr.splitlines()) != 1):
            fail("missing KVM device: exit %d, %r" % (r.returncode, r.stderr))
        if accel == "kvm:tcg" and (r.returncode != 1 or "needs -accel kvm" not in r.stderr):
            fail("kvm:tcg fallback on microvm: exit %d, %r" % (r.returncode, r.stderr))
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
