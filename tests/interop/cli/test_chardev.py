#!/usr/bin/env python3
# Named character backends (-chardev, -serial chardev:ID, -mon chardev=ID) and
# -nic, through the real mimic binary running a tiny Malta guest that greets
# on its UART and echoes input (echo_guest.py). Usage: test_chardev.py MIMIC
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time

import echo_guest

MIMIC = sys.argv[1]
GREETING = echo_guest.GREETING.decode()
failures = []
tmp = tempfile.TemporaryDirectory()
ELF = os.path.join(tmp.name, "echo.elf")
echo_guest.write(ELF)


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def start(args, no_reboot=True):
    return subprocess.Popen([MIMIC, "-M", "malta", "-kernel", ELF, "-display", "none"] +
                            (["-no-reboot"] if no_reboot else []) + args,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p, timeout=10):
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = "timeout"
    err = p.stderr.read().decode()
    p.stdout.close()
    p.stderr.close()
    return rc, err


def stop(p):
    if p.poll() is None:
        p.terminate()
    return finish(p)


def connect(family, addr, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.connect(addr)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def read_until(recv, want, timeout=10):
    """Reads with recv() until `want` was seen; returns everything read."""
    got = b""
    deadline = time.monotonic() + timeout
    while want.encode() not in got and time.monotonic() < deadline:
        chunk = recv()
        if chunk is None:
            time.sleep(0.02)
            continue
        if not chunk:
            break
        got += chunk
    return got.decode(errors="replace")


def sock_recv(s):
    r, _, _ = select.select([s], [], [], 0.2)
    return s.recv(4096) if r else None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- unix socket server, waiting for its client: console output and input ----
path = os.path.join(tmp.name, "serial.sock")
p = start(["-chardev", f"socket,id=s0,path={path},server=on,wait=on", "-serial", "chardev:s0"])
s = connect(socket.AF_UNIX, path)
got = read_until(lambda: sock_recv(s), GREETING)
s.sendall(b"abc")
echoed = read_until(lambda: sock_recv(s), "abc")
s.sendall(b"q")
rc, err = finish(p)
s.close()
check("unix socket server: guest output", got == GREETING, repr(got))
check("unix socket server: input reaches the guest", echoed == "abc", repr(echoed))
check("unix socket server: guest reset ends mimic (-no-reboot)", rc == 0, f"rc={rc} {err!r}")
check("unix socket file removed at exit", not os.path.exists(path), path)

# -- tcp socket server; the legacy -serial unix:/tcp: spellings ---------------
port = free_port()
p = start(["-chardev", f"socket,id=t,host=127.0.0.1,port={port},server=on,wait=on,nodelay=on",
           "-serial", "chardev:t"])
s = connect(socket.AF_INET, ("127.0.0.1", port))
got = read_until(lambda: sock_recv(s), GREETING)
s.sendall(b"q")
rc, err = finish(p)
s.close()
check("tcp socket server", got == GREETING and rc == 0, f"{got!r} rc={rc} {err!r}")

path = os.path.join(tmp.name, "legacy.sock")
p = start(["-serial", f"unix:{path},server,nowait"])
s = connect(socket.AF_UNIX, path)
s.sendall(b"xq")
got = read_until(lambda: sock_recv(s), "xq")
rc, err = finish(p)
s.close()
# nowait: the greeting reaches us only if we connected before the guest printed it.
check("-serial unix:PATH,server,nowait", got in ("xq", GREETING + "xq") and rc == 0,
      f"{got!r} rc={rc} {err!r}")

# -- socket client: mimic connects to our listener ----------------------------
lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
path = os.path.join(tmp.name, "client.sock")
lsock.bind(path)
lsock.listen(1)
p = start(["-chardev", f"socket,id=c,path={path}", "-serial", "chardev:c"])
lsock.settimeout(10)
try:
    s, _ = lsock.accept()
    got = read_until(lambda: sock_recv(s), GREETING)
    s.sendall(b"q")
    s.close()
except OSError as e:
    got = str(e)
rc, err = finish(p)
lsock.close()
check("socket client (server=off)", got == GREETING and rc == 0, f"{got!r} rc={rc} {err!r}")

# -- file, truncated and appended ---------------------------------------------
out = os.path.join(tmp.name, "serial.txt")
for append, before in ((False, "stale text\n"), (True, "kept\n")):
    with open(out, "w") as f:
        f.write(before)
    opt = f"file,id=f,path={out}" + (",append=on" if append else "")
    p = start(["-chardev", opt, "-serial", "chardev:f"])
    want = (before if append else "") + GREETING
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and open(out).read() != want:
        time.sleep(0.05)
    rc, err = stop(p)
    text = open(out).read()
    check("file" + (",append=on" if append else ""), text == want and rc == 0,
          f"{text!r} rc={rc} {err!r}")

# -- pty: the slave named on stderr is a terminal to the guest's UART ---------
def have_ptys():
    try:
        a, b = os.openpty()
    except OSError:
        return False
    os.close(a)
    os.close(b)
    return True


p = start(["-chardev", "pty,id=p0", "-serial", "chardev:p0"] if have_ptys() else ["-serial", "pty"])
line = p.stderr.readline().decode()
m = re.match(r"char device redirected to (/dev/pts/\d+) \(label p0\)\n$", line)
got = echoed = ""
if m:
    fd = os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
    pty_recv = lambda: os.read(fd, 4096) if select.select([fd], [], [], 0.2)[0] else None
    got = read_until(pty_recv, GREETING)
    os.write(fd, b"zz")
    echoed = read_until(pty_recv, "zz")
    os.write(fd, b"q")
rc, err = finish(p)
if m:
    os.close(fd)
if have_ptys():
    check("pty: redirected line", m is not None, repr(line))
    check("pty: guest output and input", got == GREETING and echoed == "zz" and rc == 0,
          f"{got!r} {echoed!r} rc={rc} {err!r}")
else:
    check("pty: none to be had here: one clear error",
          rc == 1 and "could not open a pseudo-terminal" in line, repr(line))

# -- the monitor on a named socket; a client that comes later is greeted ------
path = os.path.join(tmp.name, "mon.sock")
p = start(["-chardev", f"socket,id=m,path={path},server=on,wait=off", "-mon", "chardev=m",
           "-serial", "null"])
s = connect(socket.AF_UNIX, path)
greet = read_until(lambda: sock_recv(s), "(mimic) ")
s.sendall(b"info status\n")
status = read_until(lambda: sock_recv(s), "VM status: running")
s.sendall(b"quit\n")
rc, err = finish(p)
s.close()
check("-mon chardev=ID: greeting", greet.endswith("(mimic) "), repr(greet))
check("-mon chardev=ID: commands", "VM status: running" in status and rc == 0,
      f"{status!r} rc={rc} {err!r}")

# -- -S: nothing runs before the monitor's cont; system_reset boots again -----
path = os.path.join(tmp.name, "mon2.sock")
out = os.path.join(tmp.name, "serial2.txt")
p = start(["-S", "-chardev", f"socket,id=m,path={path},server=on,wait=on",
           "-monitor", "chardev:m", "-chardev", f"file,id=f,path={out}", "-serial", "chardev:f"],
          no_reboot=False)
s = connect(socket.AF_UNIX, path)
read_until(lambda: sock_recv(s), "(mimic) ")
s.sendall(b"info status\n")
paused = read_until(lambda: sock_recv(s), "(mimic) ")
time.sleep(0.3)
before = open(out).read()
s.sendall(b"cont\n")
deadline = time.monotonic() + 10
while open(out).read() != GREETING and time.monotonic() < deadline:
    time.sleep(0.05)
after_cont = open(out).read()
s.sendall(b"system_reset\n")
while open(out).read() != GREETING * 2 and time.monotonic() < deadline + 10:
    time.sleep(0.05)
after_reset = open(out).read()
s.sendall(b"quit\n")
rc, err = finish(p)
s.close()
check("-S: paused, no guest output before cont",
      "VM status: paused" in paused and before == "", f"{paused!r} {before!r}")
check("-monitor chardev:ID cont starts the guest", after_cont == GREETING, repr(after_cont))
check("system_reset runs the guest again", after_reset == GREETING * 2 and rc == 0,
      f"{after_reset!r} rc={rc} {err!r}")

# -- ringbuf: the monitor reads what the guest printed and types into it ------
path = os.path.join(tmp.name, "mon3.sock")
p = start(["-chardev", "ringbuf,id=r,size=16", "-serial", "chardev:r",
           "-chardev", f"socket,id=m,path={path},server=on,wait=on", "-mon", "chardev=m"])
s = connect(socket.AF_UNIX, path)
read_until(lambda: sock_recv(s), "(mimic) ")


def monitor(cmd):
    s.sendall(cmd.encode() + b"\n")
    reply = read_until(lambda: sock_recv(s), "(mimic) ")
    return reply[len(cmd) + 1:-len("(mimic) ")]


kept = ""
deadline = time.monotonic() + 10
while not kept and time.monotonic() < deadline:
    time.sleep(0.1)
    kept = monitor("ringbuf_read r 100")[:-1]  # the reply ends with a newline
monitor("ringbuf_write r ok  z")
echo = ""
while len(echo) < 5 and time.monotonic() < deadline + 10:
    time.sleep(0.1)
    echo += monitor("ringbuf_read r 100")[:-1]
s.sendall(b"ringbuf_write r q\n")  # the guest's cue to reset: mimic ends (-no-reboot)
rc, err = finish(p)
s.close()
check("ringbuf keeps the newest 16 bytes", kept == GREETING[-16:], repr(kept))
check("ringbuf_write reaches the guest", echo == "ok  z" and rc == 0, f"{echo!r} rc={rc}")

# -- -daemonize: the command returns once the machine runs, detached ---------
pidfile = os.path.join(tmp.name, "d.pid")
out = os.path.join(tmp.name, "d.txt")
path = os.path.join(tmp.name, "dmon.sock")
r = subprocess.run([MIMIC, "-M", "malta", "-kernel", ELF, "-daemonize", "-pidfile", pidfile,
                    "-serial", "file:" + out, "-chardev", f"socket,id=m,path={path},server=on,wait=off",
                    "-mon", "chardev=m"], capture_output=True, timeout=10)
pid = int(open(pidfile).read()) if os.path.exists(pidfile) else None
deadline = time.monotonic() + 10
while pid and open(out).read() != GREETING and time.monotonic() < deadline:
    time.sleep(0.05)
text = open(out).read() if os.path.exists(out) else ""
sid = os.getsid(pid) if pid else None
if pid:
    s = connect(socket.AF_UNIX, path)
    read_until(lambda: sock_recv(s), "(mimic) ")
    s.sendall(b"quit\n")
    s.close()
while pid and os.path.exists(pidfile) and time.monotonic() < deadline + 10:
    time.sleep(0.05)
check("-daemonize returns at once, the daemon runs the guest",
      r.returncode == 0 and pid and pid != os.getpid() and text == GREETING,
      f"rc={r.returncode} pid={pid} {text!r} {r.stderr!r}")
check("-daemonize: a session of its own", sid == pid, f"sid={sid} pid={pid}")
check("-daemonize: quit removes the pidfile", not os.path.exists(pidfile), "")
r = subprocess.run([MIMIC, "-M", "malta", "-kernel", "/nonexistent", "-daemonize"],
                   capture_output=True, timeout=10)
check("-daemonize: a failure is reported before detaching",
      r.returncode == 1 and r.stderr == b"mimic: could not load kernel '/nonexistent': "
      b"No such file or directory\n", repr(r))

# -- mux=on: serial port and monitor share one socket, Ctrl-A c switches -----
path = os.path.join(tmp.name, "mux.sock")
p = start(["-chardev", f"socket,id=x,path={path},server=on,wait=on,mux=on",
           "-serial", "chardev:x", "-mon", "chardev=x"])
s = connect(socket.AF_UNIX, path)
got = read_until(lambda: sock_recv(s), GREETING)
s.sendall(b"\x01c")
read_until(lambda: sock_recv(s), "(mimic) ")
s.sendall(b"info status\n")
status = read_until(lambda: sock_recv(s), "VM status: running")
s.sendall(b"\x01cq")
rc, err = finish(p)
s.close()
check("mux=on: serial then monitor on one socket",
      got.startswith(GREETING) and "VM status: running" in status and rc == 0,
      f"{got!r} {status!r} rc={rc} {err!r}")

# -- -nic -------------------------------------------------------------------
port = free_port()
p = start(["-nic", f"user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:{port}-:22",
           "-serial", "null"])
try:
    connect(socket.AF_INET, ("127.0.0.1", port), timeout=5).close()
    listening = True
except OSError:
    listening = False
rc, err = stop(p)
check("-nic user,hostfwd= forwards the host port", listening and rc == 0, f"rc={rc} {err!r}")
port = free_port()
p = start(["-net", "nic,model=virtio", "-net", f"user,hostfwd=tcp:127.0.0.1:{port}-:22",
           "-serial", "null"])
try:
    connect(socket.AF_INET, ("127.0.0.1", port), timeout=5).close()
    listening = True
except OSError:
    listening = False
rc, err = stop(p)
check("-net nic -net user,hostfwd= forwards the host port", listening and rc == 0,
      f"rc={rc} {err!r}")
p = start(["-nic", "none", "-serial", "null"])
time.sleep(0.5)
alive = p.poll() is None
rc, err = stop(p)
check("-nic none", alive and rc == 0, f"rc={rc} {err!r}")


# -- bad input: one line, exit 1 ----------------------------------------------
def expect_error(name, args, line):
    p = subprocess.run([MIMIC] + args, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    err = p.stderr.decode()
    check(name, p.returncode == 1 and err == f"mimic: {line}\n", f"rc={p.returncode} {err!r}")


N = ["-M", "none", "-display", "none"]
expect_error("-chardev without id", N + ["-chardev", "null"],
             "-chardev null: chardev: no id specified")
expect_error("-chardev unknown backend", N + ["-chardev", "bogus,id=a"],
             "-chardev bogus,id=a: 'bogus' is not a valid char driver name")
expect_error("-chardev duplicate id", N + ["-chardev", "null,id=a", "-chardev", "null,id=a"],
             "-chardev null,id=a: Duplicate ID 'a' for chardev")
expect_error("-chardev file without path", N + ["-chardev", "file,id=a"],
             "-chardev file,id=a: chardev: file: no filename given")
expect_error("-chardev file unopenable", N + ["-chardev", "file,id=a,path=/nonexistent/x"],
             "-chardev file,id=a,path=/nonexistent/x: Could not open '/nonexistent/x': "
             "No such file or directory")
expect_error("-chardev socket without port", N + ["-chardev", "socket,id=a,host=127.0.0.1"],
             "-chardev socket,id=a,host=127.0.0.1: chardev: socket: no port given")
expect_error("-chardev unknown key", N + ["-chardev", "null,id=a,foo=1"],
             "-chardev null,id=a,foo=1: Invalid parameter 'foo'")
expect_error("-chardev bad flag", N + ["-chardev", "socket,id=a,path=/tmp/x,server=maybe"],
             "-chardev socket,id=a,path=/tmp/x,server=maybe: Parameter 'server' expects 'on' or "
             "'off'")
expect_error("-serial chardev:unknown", N + ["-serial", "chardev:nope"],
             "-serial chardev:nope: could not connect serial device to character backend "
             "'chardev:nope'")
expect_error("chardev used twice without mux",
             N + ["-chardev", "null,id=a", "-serial", "chardev:a", "-serial", "chardev:a"],
             "-serial chardev:a: chardev \"a\" is already in use (mux=on shares it)")
expect_error("-mon unknown chardev", N + ["-mon", "chardev=zz"],
             "-mon chardev=zz: chardev \"zz\" not found")
expect_error("-mon without chardev", N + ["-mon", "mode=readline"],
             "-mon mode=readline: Parameter 'chardev' is missing")
expect_error("-mon QMP", N + ["-chardev", "null,id=a", "-mon", "chardev=a,mode=control"],
             "-mon chardev=a,mode=control: the QMP monitor (mode=control) is not supported by "
             "mimic")
expect_error("virtconsole with an unknown chardev",
             ["-M", "malta", "-kernel", ELF, "-display", "none", "-device", "virtio-serial-pci",
              "-device", "virtconsole,chardev=zz"],
             "-device virtconsole,chardev=zz: chardev \"zz\" not found")
expect_error("virtconsole on a board without one",
             N + ["-chardev", "null,id=a", "-device", "virtconsole,chardev=a"],
             "-device virtconsole,chardev=a: machine 'none' has no bus for device 'virtconsole'")
expect_error("-daemonize -nographic", N + ["-daemonize", "-nographic"],
             "-nographic cannot be used with -daemonize")
expect_error("-daemonize with a stdio chardev", N + ["-daemonize", "-chardev", "stdio,id=s"],
             "-chardev stdio,id=s: cannot use stdio with -daemonize")
expect_error("-nic unknown type", N + ["-nic", "foo"],
             "-nic foo: Parameter 'type' does not accept value 'foo'")
expect_error("-nic tap", N + ["-nic", "tap,ifname=tap0"],
             "-nic tap,ifname=tap0: network backend 'tap' is not supported (only 'user' and "
             "'none')")
expect_error("-net unknown type", N + ["-net", "foo"],
             "-net foo: Parameter 'type' does not accept value 'foo'")
expect_error("-net nic unknown model", N + ["-net", "nic,model=e1000", "-net", "user"],
             "Unsupported NIC model: e1000")
expect_error("-nic unknown model", N + ["-nic", "user,model=e1000"],
             "Unsupported NIC model: e1000")

tmp.cleanup()
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
