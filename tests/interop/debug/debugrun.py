# Shared helpers for the debug tests (tests/interop/debug): build the
# bare-metal MIPS guest, pick a free TCP port, run gdb-multiarch in batch mode.
import os
import shutil
import socket
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
CROSS_CC = "mipsel-linux-gnu-gcc"


def build_guest(workdir):
    """Links start.S + prog.c for kseg0; returns the ELF path."""
    elf = os.path.join(workdir, "prog.elf")
    subprocess.run([CROSS_CC, "-g", "-O0", "-march=mips32r2", "-mno-abicalls", "-fno-pic", "-G0",
                    "-nostdlib", "-ffreestanding", "-static", "-no-pie", "-Wl,--build-id=none",
                    "-T", os.path.join(HERE, "prog.ld"), os.path.join(HERE, "start.S"),
                    os.path.join(HERE, "prog.c"), "-o", elf], check=True)
    return elf


def symbols(elf):
    out = subprocess.run(["mipsel-linux-gnu-nm", elf], check=True, capture_output=True,
                         text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16) & 0xffffffff
    return syms


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def missing_tools(*tools):
    return [t for t in tools if not shutil.which(t)]


def gdb_batch(port, commands, elf=None, timeout=60):
    """Runs gdb-multiarch -batch with one -ex per command; returns stdout+stderr."""
    argv = ["gdb-multiarch", "-nx", "-batch"]
    if elf:
        argv.append(elf)
    argv += ["-ex", "set architecture mips", "-ex", "set endian little",
             "-ex", "set confirm off", "-ex", "target remote 127.0.0.1:%d" % port]
    for c in commands:
        argv += ["-ex", c]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


def tempdir():
    return tempfile.mkdtemp(prefix="mimic-debug-")
