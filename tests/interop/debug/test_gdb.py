#!/usr/bin/env python3
"""Debian's gdb-multiarch against mimic's gdb stub on Malta, with a bare-metal
mipsel program that has symbols: reset pc, stepi, break main, next, print a
variable, memory reads against the ELF bytes, register writes, kill.

    test_gdb.py MIMIC        (exit 77: gdb-multiarch or the cross gcc missing)
"""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import debugrun  # noqa: E402

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def start_mimic(mimic, elf, port, extra=()):
    argv = [mimic, "-M", "malta", "-m", "64", "-kernel", elf, "-nographic", "-no-reboot",
            "-gdb", "tcp::%d" % port, "-S"] + list(extra)
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # Wait for the listening socket without connecting: a client that closes
    # without a word counts as a vanished debugger, and the guest would run.
    want = ":%04X " % port
    for _ in range(200):
        with open("/proc/net/tcp") as f:
            if any(want in line and line.split()[3] == "0A" for line in f):
                break
        if p.poll() is not None:
            break
        time.sleep(0.05)
    return p


def finish(p, timeout=10):
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        return None, out, err


def reg(out, name):
    m = re.search(r"^%s\s+(0x[0-9a-f]+)" % re.escape(name), out, re.M)
    return int(m.group(1), 16) if m else None


def main():
    mimic = sys.argv[1]
    missing = debugrun.missing_tools("gdb-multiarch", debugrun.CROSS_CC)
    if missing:
        print("SKIP: missing %s (scripts/setup.sh --tests installs them)" % " ".join(missing))
        return debugrun.SKIP
    work = debugrun.tempdir()
    try:
        elf = debugrun.build_guest(work)
        syms = debugrun.symbols(elf)
        # The words of main as the ELF holds them, to compare with x/4wx.
        subprocess.run(["mipsel-linux-gnu-objcopy", "-O", "binary", "-j", ".text", elf,
                        os.path.join(work, "text.bin")], check=True)
        with open(os.path.join(work, "text.bin"), "rb") as f:
            text = f.read()
        main_off = syms["main"] - syms["_start"]
        words = [int.from_bytes(text[main_off + 4 * i:main_off + 4 * i + 4], "little")
                 for i in range(4)]

        # 1. Reset state, stepi, break main, memory, registers, print a variable, kill.
        port = debugrun.free_port()
        p = start_mimic(mimic, elf, port)
        out = debugrun.gdb_batch(port, [
            "info registers pc",
            "stepi",
            "info registers pc",
            "break main",
            "continue",
            "info registers pc",
            "x/4wx main",
            "next",
            "next",
            "print counter",
            "set $v0 = 1234",
            "print $v0",
            "print/x $sp",
            "break add_up",
            "continue",
            "finish",
            "kill",
        ], elf=elf)
        rc, mout, merr = finish(p)
        pcs = [int(x, 16) for x in re.findall(r"^pc:?\s+(0x[0-9a-f]+)", out, re.M)]
        check("reset pc is 0xbfc00000", pcs[:1] == [0xbfc00000], out)
        check("stepi advances to 0xbfc00004", pcs[1:2] == [0xbfc00004], out)
        bp = re.search(r"Breakpoint 1 at (0x[0-9a-f]+): file .*prog\.c", out)
        check("break main resolves in prog.c", bp is not None, out)
        check("continue stops at the breakpoint",
              bp is not None and len(pcs) > 2 and pcs[2] == int(bp.group(1), 16)
              and "Breakpoint 1, main ()" in out, out)
        xm = re.search(r"<main>:\s+((?:0x[0-9a-f]{8}\s*){4})", out)
        got = [int(w, 16) for w in xm.group(1).split()] if xm else None
        check("x/4wx main matches the ELF bytes", got == words,
              "gdb %r elf %r" % (got, [hex(w) for w in words]))
        check("next + print counter shows 42", "$1 = 42" in out, out)
        check("set $v0 = 1234 reads back", "$2 = 1234" in out, out)
        check("stack pointer is the program's stack",
              ("$3 = 0x%x" % (syms["stack_top"] - 32)) in out, out)
        check("break add_up + finish returns 55", re.search(r"Value returned is \$4 = 55", out)
              is not None, out)
        check("kill ends mimic", rc is not None, "mimic still running after kill")

        # 2. detach lets the program run to its end: mimic exits 0 and the UART spoke.
        port = debugrun.free_port()
        p = start_mimic(mimic, elf, port)
        out = debugrun.gdb_batch(port, ["info registers pc", "detach"])
        rc, mout, merr = finish(p)
        check("detach resumes the guest to completion",
              rc == 0 and "debug-guest ok" in mout, "rc=%r out=%r err=%r" % (rc, mout, merr))

        # 3. Watch a variable written by the guest. The stub has no hardware
        # watchpoints (Z2-Z4 answer E01), so gdb single-steps.
        port = debugrun.free_port()
        p = start_mimic(mimic, elf, port)
        out = debugrun.gdb_batch(port, ["set can-use-hw-watchpoints 0", "watch counter",
                                        "continue", "print counter", "continue",
                                        "print counter", "kill"], elf=elf)
        rc, _, _ = finish(p)
        check("software watch counter stops on each write",
              re.search(r"New value = 41", out) is not None
              and re.search(r"New value = 42", out) is not None, out)
        check("kill after watch ends mimic", rc is not None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failures: %s" % (len(failures), ", ".join(failures)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
