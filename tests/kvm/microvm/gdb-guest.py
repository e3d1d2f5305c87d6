#!/usr/bin/env python3
# tests/kvm/microvm/gdb-guest.py: real gdb against the KVM test guest (-accel kvm -M microvm
# -gdb tcp::PORT -S): memory of a paging guest read, written and read back through the stub;
# gdb learns amd64 from the stub's target.xml (no `set architecture`) and reads general,
# x87 and SSE registers (the guest's user_main sets FCW 0x27f and MXCSR 0x9f80).
"""Exits 77 (skip) without a usable /dev/kvm or without gdb."""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

PAYLOAD_PA = 0x100000
HELLO = "KVMTEST: startup_64 reached"


def fail(msg, out=""):
    print("FAIL: " + msg)
    if out:
        print(out)
    sys.exit(1)


def symbol(nm, elf, name):
    out = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    fail("no symbol %s in %s" % (name, elf))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mimic", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--workdir", required=True)
    o = ap.parse_args()
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm not usable")
        return 77
    gdb = shutil.which("gdb-multiarch") or shutil.which("gdb")
    nm = shutil.which("nm")
    if not gdb or not nm:
        print("SKIP: gdb or nm missing")
        return 77
    # The guest runs identity-mapped by its own 4-level tables (2 MiB pages), so a label's
    # virtual address is its load address; the stub still translates through the tables.
    hello = symbol(nm, o.elf, "msg_hello") - symbol(nm, o.elf, "payload_start") + PAYLOAD_PA
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    work = tempfile.mkdtemp(dir=o.workdir, prefix="gdb-")
    console = os.path.join(work, "console.txt")
    mimic = subprocess.Popen([o.mimic, "-accel", "kvm", "-M", "microvm", "-m", "64", "-kernel",
                              o.guest, "-display", "none", "-serial", "file:" + console,
                              "-append", "loops=3000000000 notick=1", "-gdb", "tcp::%d" % port,
                              "-S"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cmds = os.path.join(work, "cmds.gdb")
    with open(cmds, "w") as f:
        f.write("\n".join([
            "set pagination off",
            "target remote 127.0.0.1:%d" % port,
            "x/s 0x%x" % hello,
            "continue",  # interrupted by SIGINT once the guest is in its CPL 3 loop
            "printf \"CS=%x\\n\", $cs",
            "show architecture",
            "info registers rip eflags",
            "printf \"RSPBITS=%d\\n\", sizeof($rsp) * 8",
            "printf \"FSBASE=%x\\n\", $fs_base",
            "printf \"FPU=%x %x %x\\n\", $fctrl, $mxcsr, $ftag",
            "p $st0",
            "x/s 0x%x" % hello,
            "set {unsigned int}0x%x = 0x4a4a4a4a" % hello,
            "x/s 0x%x" % hello,
            "x/gx 0xffff800000000000",
            "detach", ""]))
    try:
        # gdb's connect fails outright if the stub is not listening yet (a loaded host may
        # take seconds to get there); watch for the socket without connecting to it, since a
        # client that goes away without a word counts as a vanished debugger.
        want = ":%04X " % port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and mimic.poll() is None:
            with open("/proc/net/tcp") as f:
                if any(want in l and l.split()[3] == "0A" for l in f):
                    break
            time.sleep(0.05)
        g = subprocess.Popen([gdb, "-batch", "-nx", "-x", cmds], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # The whole line: the guest prints it through #GP-emulated port writes, so until
            # its newline the vCPU is mostly in kernel mode and the stop would land there.
            if os.path.exists(console) and re.search(r"user: loops=[0-9a-f]{16}\n",
                                                     open(console).read()):
                break
            time.sleep(0.05)
        else:
            g.kill()
            fail("the guest did not reach its CPL 3 loop under gdb", g.communicate()[0])
        g.send_signal(signal.SIGINT)
        out, _ = g.communicate(timeout=30)
        rc = mimic.wait(timeout=60)
        mout = mimic.stdout.read()
    except subprocess.TimeoutExpired:
        mimic.kill()
        fail("gdb or the guest hung")
    finally:
        if mimic.poll() is None:
            mimic.kill()
    lines = out.splitlines()
    reads = [l for l in lines if l.startswith("0x%x:" % hello)]
    want = ['0x%x:\t"%s\\n"' % (hello, HELLO), '0x%x:\t"%s\\n"' % (hello, HELLO),
            '0x%x:\t"JJJJEST: startup_64 reached\\n"' % hello]
    arch = "The target architecture is set to \"auto\" (currently \"i386:x86-64\")."
    rip = [l for l in lines if l.startswith("rip ")]
    if reads != want or "CS=23" not in lines or arch not in lines or len(rip) != 1 or \
            not any(l.startswith("eflags ") and "IF" in l for l in lines) or \
            "RSPBITS=64" not in lines or "FSBASE=0" not in lines or \
            "FPU=27f 9f80 ffff" not in lines or "$1 = 0" not in lines or \
            "Cannot access memory at address 0xffff800000000000" not in out or \
            "detached" not in out:
        fail("gdb session", out)
    text = open(console).read()
    if rc != 0 or "KVMTEST: powering off" not in text:
        fail("guest after detach: exit %d" % rc, mout + text)
    shutil.rmtree(work, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
