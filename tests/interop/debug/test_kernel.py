#!/usr/bin/env python3
"""gdb-multiarch and -d logs on Debian's mipsel kernel (label "guest"): with
-S, the reset pc, a breakpoint on the ELF entry point (the vmlinuz is stripped:
its entry comes from the ELF header), its bytes against the file, a register
write, stepi, detach, then the boot reaches the shell; gdb attaches to the
running kernel and kill ends mimic. Then a boot under -d in_asm,int -D FILE
logs the kernel's code and its TLB refill exceptions and timer interrupts.

    test_kernel.py MIMIC SCRIPTS_DIR    (exit 77: packages cannot be fetched)
"""
import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "guest"))
import debugrun  # noqa: E402
from guestrun import Guest, start_listening  # noqa: E402

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail[:3000]))
    if not cond:
        failures.append(name)


def elf_entry_words(path, n):
    """Entry point and the first n words there, from the ELF's program headers."""
    with open(path, "rb") as f:
        data = f.read()
    entry, phoff = struct.unpack_from("<II", data, 0x18)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2a)
    for i in range(phnum):
        ptype, off, vaddr, _, filesz = struct.unpack_from("<IIIII", data, phoff + i * phentsize)
        if ptype == 1 and vaddr <= entry < vaddr + filesz:
            at = off + entry - vaddr
            return entry, list(struct.unpack_from("<%dI" % n, data, at))
    raise ValueError("entry point outside every PT_LOAD")


def main():
    mimic, scripts = sys.argv[1], sys.argv[2]
    if debugrun.missing_tools("gdb-multiarch"):
        print("SKIP: gdb-multiarch missing (scripts/setup.sh --tests installs it)")
        return debugrun.SKIP
    cache = os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))
    try:
        subprocess.run([os.path.join(scripts, "fetch-guests.sh"), "mipsel"], check=True,
                       capture_output=True)
    except subprocess.CalledProcessError as e:
        print("SKIP: cannot fetch Debian's mipsel kernel and busybox:", e.stderr)
        return debugrun.SKIP
    kernel = os.path.join(cache, "guests", "mipsel", "vmlinuz")
    entry, words = elf_entry_words(kernel, 4)
    readelf = subprocess.run(["readelf", "-h", kernel], capture_output=True, text=True).stdout
    check("readelf agrees on the entry point", ("0x%x" % entry) in readelf, readelf)
    work = debugrun.tempdir()
    try:
        initrd = os.path.join(work, "rd.cpio.gz")
        subprocess.run([os.path.join(scripts, "mkinitramfs.sh"), "mipsel", initrd], check=True,
                       capture_output=True)
        # start_listening picks another port if one is taken before mimic binds it.
        g, port = start_listening(
            lambda port: [mimic, "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
                          "-append", "console=ttyS0 quiet", "-nographic",
                          "-gdb", "tcp::%d" % port, "-S"],
            log_path=os.path.join(work, "console.log"))
        with g:
            out = debugrun.gdb_batch(port, [
                "info registers pc",
                "break *0x%x" % entry,
                "continue",
                "info registers pc",
                "x/4wx 0x%x" % entry,
                "delete",
                "set $v0 = 1234",
                "print $v0",
                "stepi",
                "info registers pc",
                "detach",
            ])
            pcs = [int(x, 16) for x in re.findall(r"^pc:?\s+(0x[0-9a-f]+)", out, re.M)]
            check("reset pc is 0xbfc00000", pcs[:1] == [0xbfc00000], out)
            check("continue stops at the kernel's entry point", pcs[1:2] == [entry], out)
            xm = re.search(r"0x%x:\s+((?:0x[0-9a-f]{8}\s*){4})" % entry, out)
            got = [int(w, 16) for w in xm.group(1).split()] if xm else None
            check("x/4wx at the entry matches vmlinuz", got == words,
                  "gdb %r file %r" % (got, [hex(w) for w in words]))
            check("set $v0 = 1234 reads back", "$1 = 1234" in out, out)
            check("stepi moves off the entry", len(pcs) > 2 and pcs[2] != entry
                  and 0x80000000 <= pcs[2] < 0xc0000000, out)
            check("detach: the kernel boots to the shell", _expect(g, "mimic initramfs ready",
                                                                    240), g.tail())
            check("the shell answers", g.run("echo $((5 * 5))") == "25")
            # Attach to the running kernel: it stops in kseg0, memory reads, it runs on.
            out = debugrun.gdb_batch(port, ["info registers pc", "x/2wx $pc", "detach"])
            pc = re.search(r"^pc:?\s+(0x[0-9a-f]+)", out, re.M)
            check("attach to a running kernel stops it in kernel code",
                  pc is not None and 0x80000000 <= int(pc.group(1), 16) < 0xc0000000, out)
            check("x/2wx $pc reads kernel code", re.search(r":\s+0x[0-9a-f]{8}\s+0x[0-9a-f]{8}",
                                                             out) is not None, out)
            check("the shell still answers after detach", g.run("echo $((6 * 7))") == "42")
            debugrun.gdb_batch(port, ["kill"])
            check("gdb kill ends mimic", _wait(g, 20) is not None)

        # -d in_asm,int on the same kernel: its code, refills and timer ticks.
        log = os.path.join(work, "kernel.log")
        argv = [mimic, "-M", "malta", "-m", "256", "-kernel", kernel, "-initrd", initrd,
                "-append", "console=ttyS0 quiet", "-nographic", "-no-reboot",
                "-d", "in_asm,int", "-D", log]
        with Guest(argv, log_path=os.path.join(work, "console2.log")) as g:
            ok = _expect(g, "mimic initramfs ready", 300)
            check("the kernel boots under -d in_asm,int", ok, g.tail())
        with open(log, errors="replace") as f:
            text = f.read()
        print("kernel log: %d MB" % (len(text) >> 20))
        check("in_asm shows the entry block",
              ("IN: pc=0x%x\n0x%x:  " % (entry, entry)) in text)
        check("in_asm shows kernel TLB and cache instructions",
              re.search(r"^0x8[0-9a-f]{7}:  tlbwr?\b", text, re.M) is not None
              and re.search(r"^0x8[0-9a-f]{7}:  cache ", text, re.M) is not None)
        check("int shows TLB refills (exception 32/33) from user space",
              re.search(r"^cpu0: exception 3[23] at pc=0x[0-7][0-9a-f]{0,7}\n", text, re.M)
              is not None)
        check("int shows syscalls (exception 8)",
              re.search(r"^cpu0: exception 8 at pc=", text, re.M) is not None)
        check("int shows interrupts taken",
              text.count("cpu0: interrupt taken") >= 10, str(text.count("interrupt taken")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failures: %s" % (len(failures), ", ".join(failures)))
        return 1
    return 0


def _expect(g, pattern, timeout):
    try:
        g.expect(pattern, timeout)
        return True
    except Exception as e:  # noqa: BLE001 - reported by the check
        print(e)
        return False


def _wait(g, timeout):
    try:
        return g.wait_exit(timeout)
    except Exception:  # noqa: BLE001
        return None


if __name__ == "__main__":
    sys.exit(main())
