#!/usr/bin/env python3
"""guestrun's console handling against a scripted console (fake_console.py): kernel log
records that fall inside run()'s tags and a command's output are split off, run() returns
the command's output alone, the records are kept in Guest.kernel and the log file, and a
"Kernel panic" record fails the wait at once instead of at its timeout.

    test_guestrun.py
"""
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from guestrun import Guest, GuestError  # noqa: E402

FAKE = [sys.executable, os.path.join(HERE, "fake_console.py")]


def main():
    with tempfile.TemporaryDirectory(prefix="mimic-guestrun-") as work:
        log = os.path.join(work, "console.log")
        with Guest(FAKE, log_path=log) as g:
            g.wait_shell(30)
            for word in ("hello-from-the-guest", "second"):
                out = g.run("echo " + word, timeout=30)
                assert out == word, repr(out)
                assert g.last_status == 0
            g.poweroff(30)
            records = [r for _, r in g.kernel]
        assert records[0].startswith(b"[    0.000000] Linux version"), records
        assert sum(b"ADDRCONF" in r for r in records) == 6, records
        assert records[-1] == b"[   13.000000] reboot: Power down\r\n", records
        with open(log, "rb") as f:
            raw = f.read()
        assert raw.count(b"link becomes ready") == 6 and b"MIM[   12.345678]" in raw, raw

        start = time.monotonic()
        with Guest(FAKE + ["panic"]) as g:
            try:
                g.wait_shell(60)
                raise AssertionError("no error on a kernel panic")
            except GuestError as e:
                assert "Kernel panic - not syncing" in str(e), e
        assert time.monotonic() - start < 20, "the panic was noticed only at the timeout"
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
