# A tiny bare-metal mipsel program for the Malta board, as an ELF file: it
# prints a greeting on the first UART (ttyS0, I/O port 0x3f8), echoes what it
# receives until it gets 'q', then asks the board for a reset (which ends
# mimic under -no-reboot). Hand-encoded MIPS32 so no cross compiler is needed.
import struct

BASE = 0x80100000
GREETING = b"hello from the guest\n"


def _program():
    code = [0x3C08B800, 0x350803F8]  # lui t0,0xb800; ori t0,t0,0x3f8 (ISA I/O in KSEG1)
    for c in GREETING:
        code += [0x24090000 | c, 0xA1090000]  # addiu t1,zero,c; sb t1,0(t0)
    poll = len(code)
    code += [0x91090005, 0x31290001]  # lbu t1,5(t0) (LSR); andi t1,t1,1 (data ready)
    code += [0x11200000 | ((poll - (len(code) + 1)) & 0xFFFF), 0]  # beq t1,zero,poll; nop
    code += [0x91090000, 0xA1090000, 0x240A0071]  # lbu t1,0(t0); sb t1,0(t0); addiu t2,zero,'q'
    code += [0x152A0000 | ((poll - (len(code) + 1)) & 0xFFFF), 0]  # bne t1,t2,poll; nop
    code += [0x3C0ABF00, 0x240B0042, 0xAD4B0500]  # sw 0x42 to the FPGA's SOFTRES (GORESET)
    code += [0x1000FFFF, 0]  # b .; nop
    return b"".join(struct.pack("<I", w) for w in code)


def elf_bytes():
    code = _program()
    ehsize, phsize = 52, 32
    entry = BASE + ehsize + phsize
    size = ehsize + phsize + len(code)
    eh = b"\x7fELF\x01\x01\x01" + bytes(9)
    eh += struct.pack("<HHIIIIIHHHHHH", 2, 8, 1, entry, ehsize, 0, 0, ehsize, phsize, 1, 40, 0, 0)
    ph = struct.pack("<IIIIIIII", 1, 0, BASE, BASE, size, size, 5, 0x1000)
    return eh + ph + code


def write(path):
    with open(path, "wb") as f:
        f.write(elf_bytes())
