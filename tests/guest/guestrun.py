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
"""
import os
import re
import select
import shutil
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
    work/console.log is printed and the exception propagates. The directory is removed."""
    work = tempfile.mkdtemp(prefix=prefix)
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
        shutil.rmtree(work, ignore_errors=True)


class GuestError(Exception):
    pass


class Guest:
    def __init__(self, argv, log_path=None, echo=False):
        self.argv = argv
        self.buf = b""
        self.log = open(log_path, "wb") if log_path else None
        self.echo = echo
        self.start = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._marker = 0

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
        self.buf += data
        if self.log:
            self.log.write(data)
            self.log.flush()
        if self.echo:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        return True

    def expect(self, pattern, timeout=60):
        """Waits until `pattern` (a regex) appears after the last match; returns the match."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.buf, self._marker)
            if m:
                self._marker = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError("timed out after %ds waiting for %r; last output:\n%s" %
                                 (timeout, pattern, self.tail()))
            if self._read(min(left, 1.0)) is None:
                raise GuestError("emulator exited (%s) while waiting for %r; last output:\n%s" %
                                 (self.proc.wait(), pattern, self.tail()))

    def tail(self, n=2000):
        return self.buf[-n:].decode(errors="replace")

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def run(self, command, timeout=60):
        """Runs a shell command in the guest; returns its output (without the echo)."""
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
        m = self.expect(re.escape(tag) + r"_END (\d+)", timeout)
        out = self.buf[begin:m.start()].decode(errors="replace")
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
        m = self.expect(r"mimic initramfs ready|Kernel panic[^\n]*", timeout)
        if not m.group(0).startswith(b"mimic"):
            raise GuestError("%s\nlast output:\n%s" % (m.group(0).decode(errors="replace"),
                                                       self.tail()))
        print("shell after %.1f s" % self.elapsed())

    def type_command(self, line, timeout=60):
        """Types a command at the next shell prompt without waiting for its output (for
        commands that do not return: reboot, poweroff)."""
        self.expect(r"# ", timeout)
        self.type_line(line)

    def reboot(self, timeout=600):
        """`reboot -f`: the machine resets, a new kernel banner appears and the shell
        comes back."""
        self.type_command("reboot -f")
        self.expect(r"Linux version", timeout)
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
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
