#!/usr/bin/env python3
"""A stand-in for mimic's console in test_guestrun.py: prints the initramfs marker and a
busybox-like prompt, answers run()'s lines, and lets kernel log records fall in the middle
of tags and output, one byte per write, as a UART console does.

    fake_console.py panic    prints a "Kernel panic" record instead of the shell
"""
import os
import re
import sys
import time

RECORD = b"[   12.345678] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\r\n"


def out(data):
    for i in range(len(data)):
        os.write(1, data[i:i + 1])
        if i % 7 == 0:
            time.sleep(0.001)


def main():
    if sys.argv[1:] == ["panic"]:
        out(b"[    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n")
        time.sleep(30)
        return
    out(b"[    0.000000] Linux version 6.1.0\r\nmimic initramfs ready\r\n/ # \x1b[6n")
    for line in sys.stdin.buffer:
        m = re.match(rb'echo (MIMIC\d+)""_BEGIN; (.*); echo MIMIC\d+""_END \$\?\n', line)
        if line.startswith(b"poweroff"):
            out(b"[   13.000000] reboot: Power down\r\n")
            return
        tag, cmd = m.group(1), m.group(2)
        out(line.replace(b"\n", b"\r\n"))  # the line editor's echo
        # A record inside the BEGIN tag, another inside the output, one before END's newline.
        out(tag[:3] + RECORD + tag[3:] + b"_BEGIN\r\n")
        if cmd.startswith(b"echo "):
            word = cmd[5:]
            out(word[:2] + RECORD + word[2:] + b"\r\n")
        out(tag + b"_END 0" + RECORD + b"\r\n/ # \x1b[6n")


if __name__ == "__main__":
    main()
