#!/usr/bin/env python3
# Command-line behaviour of the real mimic binary: bad input gets exit code 1
# and one clear line on stderr; -M help / -d help list things; -nographic
# quits on Ctrl-A x; the monitor answers on stdio. Usage: test_cli.py MIMIC
import os
import subprocess
import sys
import tempfile
import time

MIMIC = sys.argv[1]
failures = []


def run(args, stdin=b"", timeout=10):
    start = time.monotonic()
    p = subprocess.run([MIMIC] + args, input=stdin, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode(), time.monotonic() - start


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def expect_error(name, args, lines):
    rc, out, err, _ = run(args)
    check(name, rc == 1 and err == "".join(l + "\n" for l in lines),
          f"rc={rc} stderr={err!r} expected {lines!r}")


expect_error("unknown option", ["-foo"], ["mimic: -foo: invalid option"])
expect_error("unknown long option", ["--frobnicate"], ["mimic: --frobnicate: invalid option"])
expect_error("missing argument", ["-M", "none", "-kernel"], ["mimic: -kernel: requires an argument"])
expect_error("unknown machine", ["-M", "xyz"],
             ['mimic: unsupported machine type "xyz"', "Use -machine help to list supported machines"])
expect_error("unknown CPU", ["-M", "none", "-cpu", "xyz"], ["mimic: unable to find CPU model 'xyz'"])
expect_error("missing kernel", ["-M", "none", "-kernel", "/nonexistent/vmlinux"],
             ["mimic: could not load kernel '/nonexistent/vmlinux': No such file or directory"])
expect_error("-append without -kernel", ["-M", "none", "-append", "console=ttyS0"],
             ["mimic: -append only allowed with -kernel option"])
expect_error("-initrd without -kernel", ["-M", "none", "-initrd", "/dev/null"],
             ["mimic: -initrd only allowed with -kernel option"])
expect_error("-append and -initrd without -kernel: -append first",
             ["-M", "none", "-initrd", "/dev/null", "-append", "x"],
             ["mimic: -append only allowed with -kernel option"])
expect_error("missing initrd", ["-M", "none", "-kernel", "/dev/null", "-initrd", "/nonexistent/rd"],
             ["mimic: could not load initrd '/nonexistent/rd': No such file or directory"])
expect_error("bad -m", ["-M", "none", "-m", "12X"],
             ["mimic: -m 12X: Parameter 'size' expects a non-negative number with an optional "
              "k, M, G or T suffix"])
expect_error("bad -smp", ["-M", "none", "-smp", "foo"],
             ["mimic: -smp foo: Parameter 'smp.cpus' expects integer"])
expect_error("too many CPUs", ["-M", "none", "-smp", "4"],
             ["mimic: Invalid SMP CPUs 4. The max CPUs supported by machine 'none' is 1"])
expect_error("bad -d item", ["-M", "none", "-d", "in_asm,bogus"],
             ["mimic: -d in_asm,bogus: unknown log item 'bogus' (use -d help to list them)"])
expect_error("bad -accel", ["-M", "none", "-accel", "foo"],
             ["mimic: -accel foo: invalid accelerator foo"])
expect_error("bad -serial", ["-M", "none", "-serial", "bogus:x"],
             ["mimic: -serial bogus:x: 'bogus:x' is not a valid char driver"])
expect_error("bad machine property", ["-M", "none,foo=bar", "-display", "none"],
             ["mimic: Property 'none-machine.foo' not found"])
expect_error("-hda on the none machine", ["-M", "none", "-display", "none", "-hda", "/dev/null"],
             ["mimic: -drive file=/dev/null,index=0,media=disk: machine 'none' has no disk "
              "interface (only if=none)"])
expect_error("-drive if=none with a missing image",
             ["-M", "none", "-display", "none", "-drive", "file=/nonexistent/x.qcow2,if=none"],
             ["mimic: -drive: Could not open '/nonexistent/x.qcow2': No such file or directory"])
expect_error("-device on the none machine", ["-M", "none", "-display", "none", "-device",
                                             "virtio-rng-device"],
             ["mimic: -device virtio-rng-device: machine 'none' has no bus for device "
              "'virtio-rng-device'"])
expect_error("gdb without CPU", ["-M", "none", "-s", "-display", "none"],
             ["mimic: -gdb tcp::1234: gdbstub: meaningless to attach gdb to a machine without any CPU"])

rc, out, err, _ = run(["-M", "help"])
check("-M help lists none", rc == 0 and out.startswith("Supported machines are:\n")
      and any(l.split()[:1] == ["none"] for l in out.splitlines()), repr(out))
rc, out, err, _ = run(["-d", "help"])
check("-d help lists items", rc == 0 and "\nin_asm " in out and "\nint " in out, repr(out))
for args, first, item in ((["-chardev", "help"], "Available chardev backend types: ", "  socket"),
                          (["-netdev", "help"], "Available netdev backend types:", "user"),
                          (["-nic", "user,model=help"], "Supported NIC models:", "virtio-net-pci"),
                          (["-accel", "help"], "Accelerators supported in mimic binary:", "tcg"),
                          (["-display", "help"], "Available display backend types:", "none")):
    rc, out, err, _ = run(args)
    lines = out.splitlines()
    check(" ".join(args), rc == 0 and lines[:1] == [first] and item in lines[1:], repr(out))
rc, out, err, _ = run(["-version"])
check("-version", rc == 0 and out.startswith("mimic emulator version "), repr(out))
rc, out, err, _ = run(["--help"])
check("--help", rc == 0 and out.startswith("usage: mimic") and "-nographic" in out, repr(out))

rc, out, err, took = run(["-M", "none", "-nographic"], stdin=b"\x01x", timeout=10)
check("Ctrl-A x quits -nographic", rc == 0 and "mimic: terminated" in out and took < 5,
      f"rc={rc} out={out!r} err={err!r} took={took:.1f}s")

rc, out, err, took = run(["-M", "none", "-nographic"], stdin=b"\x01h\x01x")
check("Ctrl-A h prints help", rc == 0 and "C-a x    exit emulator" in out, repr(out))

rc, out, err, _ = run(["-M", "none", "-m", "64M", "-display", "none", "-monitor", "stdio"],
                      stdin=b"info status\nstop\ninfo status\ninfo mtree\nquit\n")
check("monitor on stdio", rc == 0 and "VM status: running" in out and "VM status: paused" in out
      and "(prio 0, ram): ram" in out and "0000000003ffffff" in out, f"rc={rc} out={out!r}")

rc, out, err, _ = run(["-M", "none", "-nographic", "-monitor", "stdio"],
                      stdin=b"info status\nquit\n")
check("-nographic -monitor stdio", rc == 0 and "VM status: running" in out, f"rc={rc} {err!r}")
rc, out, err, _ = run(["-M", "none", "-nographic", "-monitor", "none"], stdin=b"\x01x")
check("-nographic -monitor none keeps Ctrl-A x", rc == 0 and "terminated" in out, repr(out))

with tempfile.TemporaryDirectory() as d:
    rc, out, err, _ = run(["-M", "none", "-nographic", "-serial", "file:" + os.path.join(d, "s")],
                          stdin=b"info status\nquit\n")
    check("-nographic -serial elsewhere: the monitor keeps stdio",
          rc == 0 and "VM status: running" in out, f"rc={rc} {out!r} {err!r}")

rc, out, err, _ = run(["-M", "none", "-nographic"], stdin=b"\x01cinfo status\nq\n")
check("Ctrl-A c reaches the monitor", rc == 0 and "VM status: running" in out, repr(out))

rc, out, err, _ = run(["-M", "none", "-display", "none", "-name", "guest=vm1,debug-threads=on",
                       "-chardev", "null,id=spare", "-serial", "null", "-monitor", "stdio"],
                      stdin=b"info name\ninfo chardev\nquit\n")
check("monitor: info name", "\nvm1\n" in out, repr(out))
check("monitor: info chardev", "spare: filename=null,id=spare\nserial0: filename=null\n"
      "compat_monitor0: filename=stdio\n" in out, repr(out))

# -L: a -bios name that is not a file is looked up in that directory.
with tempfile.TemporaryDirectory() as d:
    open(os.path.join(d, "fw.bin"), "wb").write(b"\0" * 16)
    rc, out, err, _ = run(["-M", "none", "-display", "none", "-L", d, "-bios", "fw.bin",
                           "-monitor", "stdio"], stdin=b"quit\n")
    check("-L finds -bios in its directory", rc == 0, f"rc={rc} {err!r}")
expect_error("-bios not found without -L", ["-M", "none", "-bios", "no-such-fw.bin"],
             ["mimic: could not load firmware 'no-such-fw.bin': No such file or directory"])

# -display sdl through SDL's dummy video driver (no X needed), or a clear
# message when the binary has no SDL.
env = dict(os.environ, SDL_VIDEODRIVER="dummy")
p = subprocess.run([MIMIC, "-M", "none", "-display", "sdl", "-monitor", "stdio", "-serial", "null"],
                   input=b"screendump /nonexistent-dir/x.ppm\nquit\n", capture_output=True,
                   timeout=10, env=env)
out = p.stdout.decode()
check("-display sdl", (p.returncode == 0 and "no graphic console to dump" in out)
      or (p.returncode == 1 and "not built" in p.stderr.decode()), f"rc={p.returncode} {out!r}")

# -D gets the log file even when nothing is logged.
with tempfile.TemporaryDirectory() as d:
    log = os.path.join(d, "log.txt")
    rc, out, err, _ = run(["-M", "none", "-display", "none", "-d", "int", "-D", log, "-monitor",
                           "stdio"], stdin=b"q\n")
    check("-D creates the log file", rc == 0 and os.path.exists(log), f"rc={rc} {err!r}")
rc, out, err, _ = run(["-M", "none", "-D", "/nonexistent-dir/log"])
check("bad -D", rc == 1 and err == "mimic: error opening logfile /nonexistent-dir/log: "
      "No such file or directory\n", repr(err))

# -pidfile: our pid while running, gone after a normal exit.
with tempfile.TemporaryDirectory() as d:
    pidfile = os.path.join(d, "mimic.pid")
    p = subprocess.Popen([MIMIC, "-M", "none", "-display", "none", "-pidfile", pidfile,
                          "-monitor", "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    deadline = time.monotonic() + 5
    while not os.path.exists(pidfile) and time.monotonic() < deadline:
        time.sleep(0.02)
    content = open(pidfile).read() if os.path.exists(pidfile) else None
    p.communicate(b"quit\n", timeout=10)
    check("-pidfile holds the pid", content == f"{p.pid}\n", repr(content))
    check("-pidfile removed at exit", p.returncode == 0 and not os.path.exists(pidfile),
          f"rc={p.returncode}")
expect_error("-pidfile in a missing directory", ["-M", "none", "-pidfile", "/nonexistent/m.pid"],
             ["mimic: cannot create PID file: Could not create '/nonexistent/m.pid': "
              "No such file or directory"])

# End of input is not a reason to quit: the VM keeps running until killed.
p = subprocess.Popen([MIMIC, "-M", "none", "-nographic"], stdin=subprocess.DEVNULL,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
time.sleep(0.5)
still = p.poll() is None
p.terminate()
try:
    rc = p.wait(timeout=5)
except subprocess.TimeoutExpired:
    p.kill()
    rc = -1
check("EOF on stdin does not quit; SIGTERM does", still and rc == 0, f"alive={still} rc={rc}")

sys.exit(1 if failures else 0)
