#!/usr/bin/env python3
# Error-report tests for tools/decodetree: bad .decode files and bad options
# must give "file:line: error: ..." (or a plain message) and a non-zero exit.
import os
import subprocess
import sys
import tempfile

GEN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "tools", "decodetree", "decodetree.py")

Z32 = "0000 0000 0000 0000 0000 0000 0000 0000"

# (name, file text, extra options, expected line or None, expected text)
CASES = [
    ("undefined field", "P " + Z32 + " x=%nope\n", [], 1, "undefined field %nope"),
    ("undefined field in format", "# c\n@f .... .... %rd " + "0" * 24 + "\n", [], 2,
     "undefined field %rd"),
    ("too few bits", "\n\nP 0000 0000\n", [], 3, "bits add up to 8, not the instruction width 32"),
    ("too many bits", "P " + Z32 + " 1111\n", [], 1, "more than the 32-bit instruction"),
    ("too many bits from a field", "P " + Z32[:-4] + " x:8\n", [], 1, "more than the 32-bit"),
    ("conflicting fixed bits", "@f 1... " + "." * 28 + "\nP 0... " + "." * 28 + " @f\n", [], 2,
     "fixed bits conflict with format @f (line 1) at bit 31"),
    ("overlap", "A 0000 " + "." * 28 + "\n# x\nB 00.. " + "." * 28 + "\n", [], 3,
     "pattern B (line 3) overlaps pattern A (line 1)"),
    ("overlap in [ ] group", "[\nA 1... " + "." * 28 + "\nB .... ...1 " + "." * 24 + "\n]\n",
     [], 3, "pattern B (line 3) overlaps pattern A (line 2)"),
    ("overlap with a { } group", "{\nA 1... " + "." * 28 + "\nB 11.. " + "." * 28 +
     "\n}\nC 1..1 " + "." * 28 + "\n", [], 5, "pattern C (line 5) overlaps pattern A (line 2)"),
    ("unknown format", "P " + Z32 + " @nofmt\n", [], 1, "unknown format @nofmt"),
    ("unknown argument set", "P " + Z32 + " &nope\n", [], 1, "unknown argument set &nope"),
    ("segment past the width", "%f 30:4\n", [], 1, "reaches bit 33, past the 32-bit"),
    ("bad segment", "%f 3-4\n", [], 1, "cannot parse '3-4'"),
    ("field without bits", "%f\n", [], 1, "neither bits nor a !function"),
    ("not a member", "&a x\nP " + Z32 + " y=1 &a\n", [], 2, "'y' is not a member of &a"),
    ("member without value", "&a x y\nP " + Z32 + " x=1 &a\n", [], 2,
     "member y of &a given no value"),
    ("unclosed group", "{\nP " + Z32 + "\n", [], 1, "never closed"),
    ("stray close", "P " + Z32 + "\n}\n", [], 2, "closes no open group"),
    ("mismatched close", "{\nP " + Z32 + "\n]\n", [], 3, "does not match the '{' opened at line 1"),
    ("duplicate field", "%a 0:4\n%a 4:4\n", [], 2, "field %a already defined at line 1"),
    ("garbage token", "P 0000 zz " + "0" * 24 + "\n", [], 1, "cannot parse 'zz'"),
    ("bad integer", "P " + Z32 + " x=abc\n", [], 1, "'abc' is not an integer"),
    ("line after continuation", "%a 0:4 \\\n   !function=f\nP 0000\n", [], 3, "bits add up to 4"),
    ("16-bit width", "P " + Z32 + "\n", ["--insnwidth", "16"], 1,
     "more than the 16-bit instruction"),
    ("same name, other argument set", "&a x\n&b x\nP 0000 x:28 &a\nP 0001 x:28 &b\n", [], 4,
     "pattern P uses &b but at line 3 it uses &a"),
    ("member twice", "P " + Z32[:-5] + " x:2 x:2\n", [], 1, "member 'x' given twice"),
    ("no patterns", "# nothing\n", [], 1, "no patterns"),
]


def run(text, opts, out_name="out.c.inc"):
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.decode")
        out = os.path.join(d, out_name)
        with open(src, "w") as fh:
            fh.write(text)
        p = subprocess.run([sys.executable, GEN, *opts, "-o", out, src], capture_output=True,
                           text=True)
        return p.returncode, p.stderr, os.path.exists(out), src


def main():
    passed = failed = 0

    def report(ok, name, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL: %s %s" % (name, detail))

    for name, text, opts, line, want in CASES:
        rc, err, made, src = run(text, opts)
        prefix = "%s:%d: error: " % (src, line)
        ok = rc != 0 and not made and "Traceback" not in err and any(
            ln.startswith(prefix) and want in ln for ln in err.splitlines())
        report(ok, name, "rc=%d stderr=%r want %r" % (rc, err, prefix + want))

    # Every error in a file is reported, not only the first.
    rc, err, made, src = run("P 0000\nQ " + Z32 + " @x\n", [])
    report(rc != 0 and "%s:1:" % src in err and "%s:2:" % src in err, "two errors", err)

    # A good file still works, so the cases above fail for their own reason.
    rc, err, made, _ = run("&a x\n@f .... x:4 " + "0" * 24 + " &a\nP 0000 .... " + "0" * 24 +
                           " @f\n", [])
    report(rc == 0 and made and err == "", "good file", err)

    # Bad options and unreadable input: a message, no traceback.
    for name, opts, want in [
        ("bad width", ["--insnwidth", "12"], "--insnwidth must be 8, 16 or 32"),
        ("bad decode name", ["--decode", "a-b"], "--decode 'a-b' is not a C identifier"),
    ]:
        rc, err, made, _ = run("P " + Z32 + "\n", opts)
        report(rc != 0 and not made and want in err and "Traceback" not in err, name, err)
    p = subprocess.run([sys.executable, GEN, "/nonexistent/x.decode"], capture_output=True,
                       text=True)
    report(p.returncode != 0 and "cannot read /nonexistent/x.decode" in p.stderr and
           "Traceback" not in p.stderr, "missing input", p.stderr)

    # Output through a symlink lands in its target; a pipe is written, not
    # renamed over (as -o /dev/stdout would be).
    good = "P " + Z32 + "\n"
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "t.decode")
        with open(src, "w") as fh:
            fh.write(good)
        real = os.path.join(d, "real.c.inc")
        link = os.path.join(d, "link.c.inc")
        os.symlink(real, link)
        p = subprocess.run([sys.executable, GEN, "-o", link, src], capture_output=True, text=True)
        report(p.returncode == 0 and os.path.islink(link) and os.path.isfile(real) and
               "decode_t(" in open(real).read(), "output through a symlink", p.stderr)
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        p = subprocess.run([sys.executable, GEN, "-o", fifo, src], capture_output=True, text=True,
                           timeout=60)
        data = b""
        try:
            while True:
                chunk = os.read(rfd, 65536)
                if not chunk:
                    break
                data += chunk
        except BlockingIOError:
            pass
        os.close(rfd)
        report(p.returncode == 0 and b"decode_t(" in data and
               not os.path.isfile(fifo), "output to a pipe", p.stderr)

    # --stats reports the size of the tree.
    with tempfile.TemporaryDirectory() as d:
        rc = subprocess.run([sys.executable, GEN, "--stats", "-o", os.path.join(d, "m.c.inc"),
                             os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                          "mips32_sample.decode")], capture_output=True, text=True)
    report(rc.returncode == 0 and "102 patterns" in rc.stderr and
           "at most 3 tests per word" in rc.stderr, "stats", rc.stderr)

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
