#!/usr/bin/env python3
# -device for virtio devices through the real mimic binary: `-device help` on
# each board, unknown device names refused with QEMU's message, each board's
# transports (virt and microvm: virtio-mmio, malta: PCI) for -device and for
# -nic/-net NIC models, and several virtconsoles each on the chardev it names.
# Usage: test_virtio_cli.py MIMIC
import os
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
import echo_guest  # noqa: E402  (a tiny Malta guest: greets on its UART)

MIMIC = sys.argv[1]
failures = []
tmp = tempfile.TemporaryDirectory()
ELF = os.path.join(tmp.name, "echo.elf")
echo_guest.write(ELF)
MALTA = ["-M", "malta", "-kernel", ELF, "-display", "none"]


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failures.append(name)


def run(args, timeout=10):
    p = subprocess.run([MIMIC] + args, capture_output=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def fake_bzimage(path):
    """Just enough of a Linux x86 setup header for microvm to build the machine."""
    k = bytearray(4096)
    k[0x1f1] = 1                                  # setup_sects
    k[0x1fe:0x200] = struct.pack("<H", 0xaa55)    # boot_flag
    k[0x202:0x206] = b"HdrS"
    k[0x206:0x208] = struct.pack("<H", 0x20c)     # boot protocol 2.12
    k[0x236] = 1                                  # XLF_KERNEL_64
    with open(path, "wb") as f:
        f.write(k)


# -- -device help ---------------------------------------------------------------
MALTA_HELP = (
    'Storage devices:\n'
    'name "virtio-blk-pci", bus PCI, alias "virtio-blk", desc "virtio block device"\n'
    '\n'
    'Network devices:\n'
    'name "virtio-net-pci", bus PCI, alias "virtio-net", desc "virtio network device"\n'
    '\n'
    'Input devices:\n'
    'name "virtconsole", bus virtio-serial-bus, desc "virtio console port (hvcN)"\n'
    'name "virtio-serial-pci", bus PCI, alias "virtio-serial", desc "virtio serial bus"\n'
    '\n'
    'Misc devices:\n'
    'name "virtio-rng-pci", bus PCI, alias "virtio-rng", desc "virtio entropy source"\n')
rc, out, err = run(["-M", "malta", "-device", "help"])
check("-M malta -device help", rc == 0 and out == MALTA_HELP and err == "",
      f"rc={rc} {out!r} {err!r}")
for board in ("virt", "microvm"):
    rc, out, err = run(["-M", board, "-device", "help"])
    names = [line.split('"')[1] for line in out.splitlines() if line.startswith("name ")]
    check(f"-M {board} -device help", rc == 0 and names == [
        "virtio-blk-device", "virtio-net-device", "virtconsole", "virtio-serial-device",
        "virtio-rng-device"] and "PCI" not in out, f"rc={rc} {out!r} {err!r}")
rc, out, err = run(["-M", "virt", "-device", "?"])
check("-device ? is help", rc == 0 and 'name "virtconsole"' in out, f"rc={rc} {out!r}")
rc, out, err = run(["-M", "nope", "-device", "help"])
check("-device help on an unknown machine", rc == 1 and "unsupported machine type" in err,
      f"rc={rc} {err!r}")


# -- bad input: one line, exit 1 ----------------------------------------------------
def expect_error(name, args, line):
    rc, out, err = run(args)
    last = err.splitlines()[-1] if err else ""
    check(name, rc == 1 and last == f"mimic: {line}", f"rc={rc} {err!r}")


NOT_VALID = "-device foo,x=1: 'foo' is not a valid device model name"
expect_error("unknown -device on malta", MALTA + ["-device", "foo,x=1"], NOT_VALID)
expect_error("unknown -device on none", ["-M", "none", "-display", "none", "-device", "foo,x=1"],
             NOT_VALID)
expect_error("unknown -device on virt", ["-M", "virt", "-bios", ELF, "-display", "none",
                                        "-device", "foo,x=1"], NOT_VALID)
DTB = os.path.join(tmp.name, "virt.dtb")
expect_error("unknown -device on virt with dumpdtb",
             ["-M", "virt,dumpdtb=" + DTB, "-display", "none", "-device", "foo,x=1"], NOT_VALID)
check("no tree dumped after a bad -device", not os.path.exists(DTB))
expect_error("unknown virtio-like -device on virt",
             ["-M", "virt", "-bios", ELF, "-display", "none", "-device", "virtio-foo"],
             "-device virtio-foo: 'virtio-foo' is not a valid device model name")
if os.access("/dev/kvm", os.R_OK | os.W_OK):
    BZ = os.path.join(tmp.name, "bz.img")
    fake_bzimage(BZ)
    expect_error("unknown -device on microvm",
                 ["-M", "microvm", "-accel", "kvm", "-kernel", BZ, "-display", "none",
                  "-device", "foo,x=1"], NOT_VALID)
else:
    print("skip unknown -device on microvm: no /dev/kvm")
expect_error("virtconsole without a serial bus", MALTA + ["-device", "virtconsole"],
             "-device virtconsole: No 'virtio-serial-bus' bus found for device 'virtconsole'")
expect_error("virtconsole with an unknown chardev",
             MALTA + ["-device", "virtio-serial-pci", "-device", "virtconsole,chardev=zz"],
             "-device virtconsole,chardev=zz: chardev \"zz\" not found")
expect_error("virtconsole on a chardev the serial port took",
             MALTA + ["-chardev", "null,id=a", "-serial", "chardev:a",
                      "-device", "virtio-serial-pci", "-device", "virtconsole,chardev=a"],
             "-device virtconsole,chardev=a: chardev \"a\" is already in use (mux=on shares it)")
expect_error("two virtconsoles on one chardev",
             MALTA + ["-chardev", "null,id=a", "-device", "virtio-serial-pci",
                      "-device", "virtconsole,chardev=a", "-device", "virtconsole,chardev=a"],
             "-device virtconsole,chardev=a: chardev \"a\" is already in use (mux=on shares it)")
# A -device id is an identifier, as QEMU's (whose second line has no program name).
for spec in ("virtio-rng-pci,id=_x", "virtio-rng-pci,id=1a", "virtio-net-pci,id=_nic0x",
             "virtio-rng-pci,id=a b"):
    rc, out, err = run(MALTA + ["-device", spec])
    check(f"-device {spec}: not an identifier", rc == 1 and err ==
          f"mimic: -device {spec}: Parameter 'id' expects an identifier\n"
          "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.\n",
          f"rc={rc} {err!r}")
expect_error("a property virtconsole does not have",
             MALTA + ["-device", "virtio-serial-pci", "-device", "virtconsole,speed=9"],
             "-device virtconsole,speed=9: Property 'virtconsole.speed' not found")


# -- each board plugs only its own transport's spellings (QEMU's words, measured with
# qemu-system-arm -M vexpress-a9 and qemu-system-mips -M malta) ------------------------
VIRT = ["-M", "virt", "-bios", ELF, "-display", "none"]
for spec in ("virtio-blk-pci,drive=d0", "virtio-net-pci,netdev=n0", "virtio-rng-pci",
             "virtio-serial-pci"):
    name = spec.split(",")[0]
    expect_error(f"{name} on virt (no PCI)",
                 VIRT + ["-drive", "if=none,id=d0,file=" + ELF + ",format=raw",
                         "-netdev", "user,id=n0", "-device", spec],
                 f"-device {spec}: No 'PCI' bus found for device '{name}'")
for spec in ("virtio-blk-device,drive=d0", "virtio-net-device,netdev=n0", "virtio-rng-device",
             "virtio-serial-device"):
    name = spec.split(",")[0]
    expect_error(f"{name} on malta (no virtio-mmio)",
                 MALTA + ["-drive", "if=none,id=d0,file=" + ELF + ",format=raw",
                          "-netdev", "user,id=n0", "-device", spec],
                 f"-device {spec}: No 'virtio-bus' bus found for device '{name}'")
expect_error("the first bad -device is reported: unknown first",
             VIRT + ["-device", "foo", "-device", "virtio-rng-pci"],
             "-device foo: 'foo' is not a valid device model name")
expect_error("the first bad -device is reported: wrong bus first",
             VIRT + ["-device", "virtio-rng-pci", "-device", "foo"],
             "-device virtio-rng-pci: No 'PCI' bus found for device 'virtio-rng-pci'")
# microvm has only virtio-mmio (QEMU's has pcie=off by default): the same words as
# qemu-system-x86_64 -M microvm; checked before the accelerator, so no /dev/kvm needed.
BZ = os.path.join(tmp.name, "bz.img")
fake_bzimage(BZ)
MICROVM = ["-M", "microvm", "-accel", "kvm", "-kernel", BZ, "-display", "none"]
for spec in ("virtio-blk-pci,drive=d0", "virtio-net-pci,netdev=n0", "virtio-rng-pci",
             "virtio-serial-pci"):
    name = spec.split(",")[0]
    expect_error(f"{name} on microvm (no PCI)",
                 MICROVM + ["-drive", "if=none,id=d0,file=" + ELF + ",format=raw",
                            "-netdev", "user,id=n0", "-device", spec],
                 f"-device {spec}: No 'PCI' bus found for device '{name}'")
expect_error("microvm: the first bad -device is reported",
             ["-M", "microvm", "-display", "none", "-device", "virtio-rng-pci,id=x",
              "-device", "foo"],
             "-device virtio-rng-pci,id=x: No 'PCI' bus found for device 'virtio-rng-pci'")

# -nic and -net nic: without model= the NIC is the neutral virtio-net, which each board
# puts on its own transport; a model the board cannot plug is refused as QEMU refuses a
# NIC model a board does not have (qemu-system-arm -M vexpress-a9 -nic
# user,model=virtio-net-pci and qemu-system-mips -M malta -nic user,model=virtio-net-device
# both say "Unsupported NIC model: ...", without the option).
for name, args in (("-nic user", ["-nic", "user"]),
                   ("-nic user,model=virtio", ["-nic", "user,model=virtio"]),
                   ("-nic user,model=virtio-net-device", ["-nic", "user,model=virtio-net-device"]),
                   ("-net nic alone", ["-net", "nic"]),
                   ("-net nic -net user", ["-net", "nic", "-net", "user"]),
                   ("-net nic,model=virtio-net-device", ["-net", "nic,model=virtio-net-device"]),
                   ("virtio-rng and virtio-rng-device",
                    ["-device", "virtio-rng", "-device", "virtio-rng-device"])):
    dtb = os.path.join(tmp.name, "ok.dtb")
    if os.path.exists(dtb):
        os.unlink(dtb)
    rc, out, err = run(["-M", "virt,dumpdtb=" + dtb, "-display", "none"] + args)
    check(f"virt takes {name}", rc == 0 and os.path.exists(dtb) and err == "",
          f"rc={rc} {err!r}")
for args in (["-nic", "user,model=virtio-net-pci"], ["-net", "nic,model=virtio-net-pci"],
             ["-net", "nic,model=virtio-net-pci", "-net", "user"],
             ["-nic", "user,id=mine,model=virtio-net-pci,hostfwd=tcp::0-:22"]):
    expect_error(f"{' '.join(args)} on virt", VIRT + args,
                 "Unsupported NIC model: virtio-net-pci")
    expect_error(f"{' '.join(args)} on microvm", MICROVM + args,
                 "Unsupported NIC model: virtio-net-pci")
for args in (["-nic", "user,model=virtio-net-device"], ["-net", "nic,model=virtio-net-device"],
             ["-net", "user", "-net", "nic,model=virtio-net-device,macaddr=52:54:00:00:00:07"]):
    expect_error(f"{' '.join(args)} on malta", MALTA + args,
                 "Unsupported NIC model: virtio-net-device")
# A -device the user typed keeps its own message, even beside a -nic.
expect_error("-device virtio-net-pci beside -nic user on virt",
             VIRT + ["-nic", "user", "-device", "virtio-net-pci,netdev=n0", "-netdev",
                     "user,id=n0"],
             "-device virtio-net-pci,netdev=n0: No 'PCI' bus found for device 'virtio-net-pci'")


# -- several consoles: the machine is built and runs the guest ------------------------
def runs(name, args):
    p = subprocess.Popen([MIMIC] + MALTA + ["-no-reboot", "-serial", "stdio"] + args,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    out = b""
    while echo_guest.GREETING not in out and time.monotonic() < deadline and p.poll() is None:
        out += os.read(p.stdout.fileno(), 4096)
    p.stdin.write(b"q")  # the guest asks for a reset; -no-reboot ends mimic
    p.stdin.close()
    try:
        rc = p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = "timeout"
    err = p.stderr.read().decode()
    p.stdout.close()
    p.stderr.close()
    check(name, rc == 0 and echo_guest.GREETING in out and err == "",
          f"rc={rc} {out!r} {err!r}")


runs("two virtconsoles, each on its own chardev",
     ["-chardev", "file,id=a,path=" + os.path.join(tmp.name, "hvc0"),
      "-chardev", "file,id=b,path=" + os.path.join(tmp.name, "hvc1"),
      "-device", "virtio-serial-pci", "-device", "virtconsole,chardev=a",
      "-device", "virtconsole,chardev=b,name=second"])
runs("malta takes -nic user, -nic user,model=virtio-net-pci and virtio-rng",
     ["-nic", "user", "-nic", "user,model=virtio-net-pci", "-device", "virtio-rng", "-device",
      "virtio-rng-pci"])
runs("malta takes -net nic alone and -net nic,model=virtio",
     ["-net", "nic", "-net", "nic,model=virtio"])
runs("virtconsoles sharing a mux chardev",
     ["-chardev", "null,id=m,mux=on", "-device", "virtio-serial-pci,id=vs0",
      "-device", "virtconsole,chardev=m", "-device", "virtconsole,chardev=m"])

if failures:
    print("%d failed: %s" % (len(failures), ", ".join(failures)))
    sys.exit(1)
