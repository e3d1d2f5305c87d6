#!/usr/bin/env python3
"""-d/-D logging as a user reads it: a bare-metal mipsel program on Malta run
with -d in_asm,op,op_opt,out_asm,exec,cpu,int -D FILE; the file must hold
capstone MIPS disassembly of the program's known instructions, IR before and
after optimisation, x86-64 host code, exec traces with guest pcs, register
dumps, and the syscall exception and timer interrupt. Also -d help, a bad
item and an unwritable -D file.

    test_log.py MIMIC        (exit 77: the mipsel cross gcc is missing)
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import debugrun  # noqa: E402

failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail[:2000]))
    if not cond:
        failures.append(name)


def objdump_addr(elf, mnemonic):
    """Address of the first instruction with this mnemonic, per binutils."""
    out = subprocess.run(["mipsel-linux-gnu-objdump", "-d", elf], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"^([0-9a-f]+):\s+[0-9a-f]{8}\s+%s\b" % mnemonic, out, re.M)
    return int(m.group(1), 16)


def main():
    mimic = sys.argv[1]

    p = subprocess.run([mimic, "-d", "help"], capture_output=True, text=True, timeout=10)
    check("-d help lists the items", p.returncode == 0 and all(
        re.search(r"^%s\s+\S" % item, p.stdout, re.M)
        for item in ("in_asm", "op", "op_opt", "out_asm", "int", "exec", "cpu", "nochain")),
        p.stdout)

    p = subprocess.run([mimic, "-M", "malta", "-d", "in_asm,bogus"], capture_output=True,
                       text=True, timeout=10)
    check("bad -d item is one clear error", p.returncode == 1 and p.stdout == "" and p.stderr ==
          "mimic: -d in_asm,bogus: unknown log item 'bogus' (use -d help to list them)\n",
          "rc=%d err=%r" % (p.returncode, p.stderr))

    if debugrun.missing_tools(debugrun.CROSS_CC):
        print("SKIP: missing %s (scripts/setup.sh --tests installs it)" % debugrun.CROSS_CC)
        return debugrun.SKIP
    work = debugrun.tempdir()
    try:
        elf = debugrun.build_guest(work)
        syms = debugrun.symbols(elf)

        p = subprocess.run([mimic, "-M", "malta", "-kernel", elf, "-nographic", "-no-reboot",
                            "-d", "in_asm", "-D", os.path.join(work, "no", "such", "dir.log")],
                           capture_output=True, text=True, timeout=10)
        check("unwritable -D file is one clear error", p.returncode == 1 and p.stderr.count(
            "\n") == 1 and "error opening logfile" in p.stderr and "No such file" in p.stderr,
            "rc=%d err=%r" % (p.returncode, p.stderr))

        log = os.path.join(work, "mimic.log")
        p = subprocess.run([mimic, "-M", "malta", "-m", "64", "-kernel", elf, "-nographic",
                            "-no-reboot", "-d", "in_asm,op,op_opt,out_asm,exec,cpu,int",
                            "-D", log], capture_output=True, text=True, timeout=30)
        check("guest runs to its end under full logging",
              p.returncode == 0 and "debug-guest ok" in p.stdout,
              "rc=%d out=%r err=%r" % (p.returncode, p.stdout, p.stderr))
        check("nothing logged to stderr with -D", p.stderr == "", p.stderr)
        with open(log) as f:
            text = f.read()
        print("log: %d bytes, %d lines" % (len(text), text.count("\n")))

        start, main_pc, vector = syms["_start"], syms["main"], syms["vector"]
        sys_pc = objdump_addr(elf, "syscall")
        eret_pc = objdump_addr(elf, "eret")
        # in_asm: capstone's MIPS syntax for instructions whose bytes we know.
        for what, line in (
                ("_start's lui", "IN: pc=0x%08x\n0x%08x:  lui $sp, 0x8010" % (start, start)),
                ("main's prologue", "IN: pc=0x%08x\n0x%08x:  addiu $sp, $sp, -0x20"
                 % (main_pc, main_pc)),
                ("the vector's mfc0", "IN: pc=0x%08x\n0x%08x:  mfc0 $k0, $t5, 0"
                 % (vector, vector)),
                ("syscall", "0x%08x:  syscall\n" % sys_pc),
                ("eret", "0x%08x:  eret\n" % eret_pc),
                ("jal main", "jal 0x%x\n" % main_pc)):
            check("in_asm shows " + what, line in text, line)
        # op: the IR with one insn_start marker per guest instruction, headed by
        # the block's guest pc as in_asm is.
        ops = [o for o in re.findall(r"^OP: pc=0x%x\n((?:.+\n)+)" % start, text, re.M)
               if (" ---- %016x " % start) in o]
        check("op dumps IR with insn_start markers", len(ops) == 1 and "mov_i32 sp," in ops[0],
              "%d OP: sections for _start" % len(ops))
        check("op shows guest loads and stores", re.search(r"^ qemu_st_i32 ", text, re.M)
              is not None and re.search(r"^ qemu_ld_i32 ", text, re.M) is not None)
        # op_opt: liveness annotations, and la $k1, traps folded into one constant.
        check("op_opt shows liveness", re.search(r"^ \S.*  dead: \d", text, re.M) is not None)
        check("op_opt shows folded constants",
              (" mov_i32 k1,$0x%x\n" % syms["ticks"]) in text
              or (" mov_i32 k1,$0x%x\n" % syms["traps"]) in text)
        # out_asm: x86-64 host code at host addresses.
        out = re.search(r"^OUT: \[size=(\d+)\]\n((?:0x[0-9a-f]{16}:  .+\n)+)", text, re.M)
        check("out_asm shows x86-64 host code", out is not None and int(out.group(1)) > 0 and
              re.search(r"^0x[0-9a-f]{16}:  (mov|call|jmp|lea|add|cmp|test) ", out.group(2),
                        re.M) is not None)
        # exec: the guest pc of each block entered.
        traced = {int(pc, 16) for pc in re.findall(r"^Trace 0: 0x[0-9a-f]+ \[([0-9a-f]{16})/",
                                                   text, re.M)}
        check("exec traces _start, main and the vector",
              {start, main_pc, vector} <= traced, sorted(hex(x) for x in traced)[:40].__str__())
        check("exec traces the reset vector", 0xbfc00000 in traced)
        # cpu: register dumps before blocks.
        check("cpu dumps registers",
              re.search(r"^pc=%08x hi=[0-9a-f]{8} lo=[0-9a-f]{8}\n" % main_pc, text, re.M)
              is not None and re.search(r"^Status=[0-9a-f]{8} Cause=", text, re.M) is not None)
        # int: the syscall (ExcCode 8) at its pc, the timer interrupt.
        check("int shows the syscall exception",
              "cpu0: exception 8 at pc=0x%x\n" % sys_pc in text)
        check("int shows the timer interrupt", re.search(
            r"^cpu0: interrupt taken .*\ncpu0: exception 0 at pc=0x8010", text, re.M) is not None)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("%d failures: %s" % (len(failures), ", ".join(failures)))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
