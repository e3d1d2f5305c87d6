#!/usr/bin/env python3
"""Drives an emulator running a guest on its serial console, expect-style, and
holds what every guest test repeats: fetching Debian's guest kernels, building
the busybox initramfs, waiting for the shell, reboot and poweroff.

    from guestrun import Guest, fetch_guest, make_initramfs, run_test

    def body(work):
        kernel = os.path.join(fetch_guest(scripts, "mipsel"), "vmlinuz")
        initrd = make_initramfs(scripts, "mipsel", os.path.join(work, "rd.cpio.gz"))
        with Guest([mimic, "-M", "malta", ...], log_path=os.path.join(work, "console.log")) as g:
            g.wait_shell()
            assert g.run("uname -m") == "mips"
            g.poweroff()                   # asserts mimic exits 0

    sys.exit(run_test("mimic-malta-", body))  # PASS 0, SKIP 77, failure: console tail

Kernel log records ("[  9.22] ...") never reach expect() or run(): they can land anywhere
on the console (Guest.kernel keeps them; console.log has everything). MIMIC_GUEST_KEEP=1
keeps a test's work directory (console logs, disks) for a look after the run.
"""
import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77  # ctest's SKIP_RETURN_CODE for every guest test


class Skip(Exception):
    """Raised when the test cannot run here (packages, tools, host features)."""


def sh(*argv, **kw):
    """Runs a host command; returns its stdout (text). Raises CalledProcessError."""
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout


def cache_dir():
    return os.environ.get("MIMIC_CACHE", os.path.expanduser("~/.cache/mimic"))


def fetch_guest(scripts, arch):
    """Fetches Debian's kernel, modules and busybox for `arch` (scripts/fetch-guests.sh);
    returns the directory holding them (vmlinuz, busybox, modules/, config)."""
    try:
        sh(os.path.join(scripts, "fetch-guests.sh"), arch)
    except subprocess.CalledProcessError as e:
        raise Skip("cannot fetch Debian's %s kernel and busybox: %s" % (arch, e.stderr))
    return os.path.join(cache_dir(), "guests", arch)


def make_initramfs(scripts, arch, out, modules=()):
    """A busybox initramfs whose /init prints "mimic initramfs ready" and runs a shell on
    the console, loading `modules` (and their dependencies) first."""
    argv = [os.path.join(scripts, "mkinitramfs.sh")]
    if modules:
        argv += ["-m", ",".join(modules)]
    sh(*argv, arch, out)
    return out


def make_fat_raw(work, img_tool=None, qcow2=None):
    """A 16 MiB FAT image labelled MIMIC holding host.txt ("written by the host\n"), the
    file the disk tests have the guest read; converted to qcow2 at `qcow2` with img_tool
    (mimic-img) when given. Returns the raw image's path."""
    need_tools("mkfs.vfat", "mcopy")
    raw = os.path.join(work, "fat.raw")
    with open(raw, "wb") as f:
        f.truncate(16 << 20)
    sh("mkfs.vfat", "-n", "MIMIC", raw)
    hostfile = os.path.join(work, "host.txt")
    with open(hostfile, "w") as f:
        f.write("written by the host\n")
    sh("mcopy", "-i", raw, hostfile, "::host.txt")
    if qcow2:
        sh(img_tool, "convert", "-f", "raw", "-O", "qcow2", raw, qcow2)
    return raw


def need_tools(*tools):
    """Fails (not skips: scripts/setup.sh --tests installs them) when a host tool is missing."""
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        raise GuestError("host tools missing: %s (scripts/setup.sh --tests installs them)" %
                         " ".join(missing))


def run_test(prefix, body):
    """Runs body(work) in a fresh temporary directory and returns the exit status for
    ctest: 0 after printing PASS, SKIP (77) on Skip; on a failure the tail of
    work/console.log is printed and the exception propagates. The directory is removed,
    unless MIMIC_GUEST_KEEP=1 (its path is printed: console logs, disks, initramfs)."""
    work = tempfile.mkdtemp(prefix=prefix)
    keep = os.environ.get("MIMIC_GUEST_KEEP") == "1"
    try:
        rc = body(work) or 0
        if rc == 0:
            print("PASS")
        return rc
    except Skip as e:
        print("SKIP:", e)
        return SKIP
    except BaseException:
        for name in sorted(os.listdir(work)):
            if name.startswith("console") and name.endswith(".log"):
                with open(os.path.join(work, name), "rb") as f:
                    print("---- tail of %s ----" % name)
                    print(f.read()[-4000:].decode(errors="replace"))
        raise
    finally:
        if keep:
            print("work directory kept:", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


class GuestError(Exception):
    pass


class PortTaken(GuestError):
    """mimic could not listen on the port it was given: another process took it between
    free_port() and mimic's bind."""


def free_port():
    """A TCP port nothing listens on at this moment. Another process may take it before
    mimic binds it: start mimic with start_listening, which then picks another."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_listening(make_argv, log_path=None, tries=5, timeout=30):
    """Starts Guest(make_argv(port)) on a port from free_port() and waits until mimic
    listens there (a gdb stub, a hostfwd); when something else took the port meanwhile
    (mimic says "Address already in use" and exits), picks another. Returns (guest, port)."""
    for _ in range(tries):
        port = free_port()
        g = Guest(make_argv(port), log_path=log_path)
        try:
            g.wait_listening(port, timeout)
            return g, port
        except PortTaken as e:
            print("note: %s; picking another port" % e)
            g.kill()
    raise GuestError("%d ports in a row were taken before mimic could listen" % tries)


# A kernel log record as the console shows it (Debian's kernels set PRINTK_TIME):
# "[    9.223652] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\r\n". The kernel
# writes it to the UART whenever it logs, so it can land inside a prompt, a command's
# output or one of run()'s tags; KMSG_PREFIX is what may still become one.
KMSG = re.compile(rb"\[ *\d+\.\d{6}\] [^\n]*\n")
KMSG_PREFIX = re.compile(rb"\[ *(?:\d+(?:\.\d{0,6})?)?\Z|\[ *\d+\.\d{6}\](?: [^\n]*)?\Z")
# Records worth showing in a passing test's output (Guest.kill prints them).
TROUBLE = re.compile(rb"WARNING|BUG|Oops|Internal error|stall|lockup|Unable to handle|"
                     rb"Call trace|hung task|timed out|segfault")


class Guest:
    """The emulator's console, split in two: `text` is what the guest's programs wrote
    (what expect() and run() see), `kernel` the kernel's log records that came in between,
    each with the position in `text` where it arrived. `buf` is everything, as received
    (console.log, tail()). A record saying "Kernel panic" fails the next expect at once."""

    def __init__(self, argv, log_path=None, echo=False):
        self.argv = argv
        self.buf = b""
        self.text = b""
        self.kernel = []
        self.panic = None
        self._pending = b""
        self.log = open(log_path, "wb") if log_path else None
        self.echo = echo
        self.start = self.last_output = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._marker = 0
        self._kseen = 0
        self.slowest = (0.0, 1, None)  # the wait closest to its limit: (s, limit, what)
        self._reported = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    def elapsed(self):
        return time.monotonic() - self.start

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return False
        data = self.proc.stdout.read(65536)
        if not data:
            return None  # EOF: the emulator exited
        self.last_output = time.monotonic()
        self.buf += data
        self._split(data)
        if self.log:
            self.log.write(data)
            self.log.flush()
        if self.echo:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return True

    def _split(self, data):
        p = self._pending + data
        out = bytearray()
        while p:
            i = p.find(b"[")
            if i < 0:
                out += p
                p = b""
                break
            out += p[:i]
            p = p[i:]
            m = KMSG.match(p)
            if m:
                self.kernel.append((len(self.text) + len(out), m.group(0)))
                if self.panic is None and b"Kernel panic" in m.group(0):
                    self.panic = m.group(0).decode(errors="replace").strip()
                p = p[m.end():]
            elif KMSG_PREFIX.match(p):
                break  # the rest of what may be a record has not come yet
            else:
                out += p[:1]
                p = p[1:]
        self._pending = p
        self.text += bytes(out)

    def _wait_for(self, find, what, timeout):
        begin = time.monotonic()
        deadline = begin + timeout
        while True:
            if self.panic:
                raise GuestError("%s while waiting for %s; last output:\n%s" %
                                 (self.panic, what, self.tail()))
            m = find()
            if m:
                waited = time.monotonic() - begin
                if waited / timeout > self.slowest[0] / self.slowest[1]:
                    self.slowest = (waited, timeout, what)
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                now = time.monotonic()
                raise GuestError("timed out after %ds waiting for %s (%.1f s after mimic "
                                 "started, last output %.1f s ago); last output:\n%s" %
                                 (timeout, what, now - self.start, now - self.last_output,
                                  self.tail()))
            if self._read(min(left, 1.0)) is None:
                raise GuestError("emulator exited (%s) while waiting for %s; last output:\n%s" %
                                 (self.proc.wait(), what, self.tail()))

    def expect(self, pattern, timeout=60):
        """Waits until `pattern` (a regex) appears in the programs' output after the last
        match; returns the match (on self.text)."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)

        def find():
            m = rx.search(self.text, self._marker)
            if m:
                self._marker = m.end()
            return m

        return self._wait_for(find, repr(pattern), timeout)

    def expect_kernel(self, pattern, timeout=60):
        """Waits for a kernel log record matching `pattern` that came after the last match;
        returns the match (on the record) and moves the marker to where the record came."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)

        def find():
            for i in range(self._kseen, len(self.kernel)):
                pos, record = self.kernel[i]
                m = rx.search(record) if pos >= self._marker else None
                if m:
                    self._kseen = i + 1
                    self._marker = pos
                    return m
            return None

        return self._wait_for(find, "a kernel message %r" % pattern, timeout)

    def tail(self, n=2000):
        return self.buf[-n:].decode(errors="replace")

    def send(self, text):
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            self.wait_exit(10)
            raise GuestError("emulator exited (%s) before it read %r; last output:\n%s" %
                             (self.proc.returncode, text[:80], self.tail()))

    def run(self, command, timeout=60):
        """Runs a shell command in the guest; returns its output (without the echo and
        without kernel log records that came meanwhile: pipe `dmesg` through grep -o or
        cut, or its lines count as the console's)."""
        self._seq = getattr(self, "_seq", 0) + 1
        tag = "MIMIC%d" % self._seq
        # Type only at the shell's prompt: input that arrives while the shell
        # is still starting (setting up its line editor) can be eaten.
        self.expect(r"# ", timeout)
        # The guest prints tag_BEGIN and tag_END itself; the echo of the typed
        # line holds them split by "" and cannot match, however the terminal
        # wraps it.
        line = 'echo %s""_BEGIN; %s; echo %s""_END $?' % (tag, command, tag)
        self.type_line(line)
        self.expect(re.escape(tag) + r"_BEGIN\r?\n", timeout)
        begin = self._marker
        m = self.expect(re.escape(tag) + r"_END (\d+)\r?\n", timeout)
        out = self.text[begin:m.start()].decode(errors="replace")
        self.last_status = int(m.group(1))
        return out.replace("\r", "").strip("\n")

    def type_line(self, line):
        """Types a line at the shell in one burst, as a paste does. (ARM guests once
        lost bytes here: the memory API widened each byte written to the PL011 into a
        read-modify-write that popped the receive FIFO. No retries: a lost byte fails
        the test.)"""
        self.send(line + "\n")

    def wait_shell(self, timeout=600):
        """Waits for the initramfs's shell (scripts/mkinitramfs.sh prints "mimic initramfs
        ready"); a kernel panic fails at once instead of at the timeout."""
        self.expect(r"mimic initramfs ready", timeout)
        print("shell after %.1f s" % self.elapsed())

    def wait_listening(self, port, timeout=30):
        """Waits until mimic listens on TCP `port` (its own socket, by inode in
        /proc/net/tcp{,6}); raises PortTaken when it exited because the port was taken."""
        want = ":%04X " % port
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                while self._read(0) is True:
                    pass
                if b"Address already in use" in self.buf:
                    raise PortTaken("port %d was taken: %s" % (port, self.tail(300).strip()))
                raise GuestError("emulator exited (%s) before it listened on port %d; last "
                                 "output:\n%s" % (self.proc.returncode, port, self.tail()))
            inodes = set()
            for name in ("/proc/net/tcp", "/proc/net/tcp6"):
                with open(name) as f:
                    for line in f:
                        cols = line.split()
                        if want in line and cols[3] == "0A":
                            inodes.add("socket:[%s]" % cols[9])
            if inodes:
                fds = "/proc/%d/fd" % self.proc.pid
                try:
                    if any(os.readlink(os.path.join(fds, fd)) in inodes
                           for fd in os.listdir(fds)):
                        return
                except OSError:
                    pass  # it exited or closed a file meanwhile: look again
            self._read(0.05)
        raise GuestError("mimic did not listen on port %d within %ds; last output:\n%s" %
                         (port, timeout, self.tail()))

    def type_command(self, line, timeout=60):
        """Types a command at the next shell prompt without waiting for its output (for
        commands that do not return: reboot, poweroff)."""
        self.expect(r"# ", timeout)
        self.type_line(line)

    def reboot(self, timeout=600):
        """`reboot -f`: the machine resets and the shell comes back: /init, which runs once
        a boot, says "mimic initramfs ready" again. (Not the kernel's banner: with `quiet`
        it only reaches consoles that start before the kernel parses its command line,
        such as Malta's early console, not x86's ttyS0.)"""
        self.type_command("reboot -f")
        self.wait_shell(timeout)

    def poweroff(self, timeout=120):
        """`poweroff -f`: mimic must exit with status 0."""
        self.type_command("poweroff -f")
        code = self.wait_exit(timeout)
        if code != 0:
            raise GuestError("mimic exited with %d after poweroff; last output:\n%s" %
                             (code, self.tail()))

    def wait_exit(self, timeout=60):
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        if self.proc.poll() is None:
            raise GuestError("emulator did not exit within %ds; last output:\n%s" %
                             (timeout, self.tail()))
        while self._read(0) is True:
            pass
        return self.proc.returncode

    def kill(self):
        # Kernel trouble that did not fail the test (stalls on a starved host, warnings)
        # still belongs in its output.
        if not self._reported:
            self._reported = True
            for _, record in self.kernel:
                if TROUBLE.search(record):
                    print("kernel said:", record.decode(errors="replace").strip())
            if self.slowest[2]:
                # How close the test came to a timeout: a loaded host stretches every wait.
                print("slowest wait: %.1f s of its %d s limit, for %s" % self.slowest)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
