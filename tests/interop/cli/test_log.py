#!/usr/bin/env python3
# -d in_asm/op/op_opt through the real mimic binary on the tiny Malta guest of
# echo_guest.py: every dump of a block is headed by the guest pc it was
# translated from, in the same "pc=0x..." form. Usage: test_log.py MIMIC
import os
import re
import subprocess
import sys
import tempfile

import echo_guest

MIMIC = sys.argv[1]
failures = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def run_logged(d, items):
    elf = os.path.join(d, "echo.elf")
    echo_guest.write(elf)
    log = os.path.join(d, items.replace(",", "-") + ".log")
    # 'q' makes the guest reset the board, which ends mimic under -no-reboot.
    p = subprocess.run([MIMIC, "-M", "malta", "-kernel", elf, "-display", "none", "-serial",
                        "stdio", "-no-reboot", "-d", items, "-D", log], input=b"q",
                       capture_output=True, timeout=30)
    text = open(log).read() if os.path.exists(log) else ""
    return p.returncode, p.stdout.decode(errors="replace"), text


HEADER = {"in_asm": "IN", "op": "OP", "op_opt": "OP after optimization and liveness analysis"}

with tempfile.TemporaryDirectory() as d:
    rc, out, text = run_logged(d, "in_asm,op,op_opt")
    check("guest ran", rc == 0 and out.startswith(echo_guest.GREETING.decode()), f"rc={rc} {out!r}")
    heads = re.findall(r"^(IN|OP|OP after optimization and liveness analysis): pc=0x([0-9a-f]+)$",
                       text, re.M)
    # Blocks come as IN, OP, OP-after triples naming one pc; the guest's entry
    # block (0x80100054, the ELF entry) is among them.
    triples = [heads[i:i + 3] for i in range(0, len(heads), 3)]
    ok = bool(triples) and all(
        [h[0] for h in t] == ["IN", "OP", HEADER["op_opt"]] and len({h[1] for h in t}) == 1
        for t in triples)
    check("in_asm, op and op_opt headers name the same pc", ok, repr(heads[:9]))
    check("the entry block is dumped", ("IN", "80100054") in heads, repr(heads[:9]))
    check("one header of each kind per block",
          text.count("\nIN: pc=0x") == text.count("\nOP: pc=0x") == len(triples),
          f"{text.count(chr(10) + 'IN: pc=0x')} vs {len(triples)}")

    for item in ("op", "op_opt"):
        rc, out, text = run_logged(d, item)
        first = text.splitlines()[0] if text else ""
        want = HEADER[item] + ": pc=0x"
        n_heads = len(re.findall("^" + re.escape(want) + "[0-9a-f]+$", text, re.M))
        check(f"-d {item} alone: the log starts with a header", first.startswith(want), repr(first))
        check(f"-d {item} alone: one header per block", n_heads >= 3 and "IN:" not in text,
              f"{n_heads} headers")
        check(f"-d {item} alone: the entry block", f"{want}80100054\n" in text, "")

# -D's template: %d is the process id; other '%' are refused (QEMU's message).
with tempfile.TemporaryDirectory() as d:
    p = subprocess.Popen([MIMIC, "-M", "none", "-display", "none", "-d", "int", "-D",
                          os.path.join(d, "log-%d.txt"), "-monitor", "stdio"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.communicate(b"quit\n", timeout=10)
    check("-D log-%d.txt names the log by pid",
          p.returncode == 0 and os.listdir(d) == [f"log-{p.pid}.txt"], repr(os.listdir(d)))
    r = subprocess.run([MIMIC, "-M", "none", "-D", os.path.join(d, "log-%s.txt")],
                       capture_output=True, timeout=10)
    check("-D with another % is refused",
          r.returncode == 1 and r.stderr.decode() ==
          f"mimic: Bad logfile template: {os.path.join(d, 'log-%s.txt')}\n", repr(r.stderr))

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
