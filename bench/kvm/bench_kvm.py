#!/usr/bin/env python3
# bench/kvm/bench_kvm.py: the KVM fast path measured with the KVM test guest: its CPL 3
# compute loop under mimic -accel kvm against the same instructions natively, time from
# process start to the guest's first UART line, and mimic's peak RSS. Not a test.
# Usage: bench_kvm.py BUILD_DIR [LOOPS]
import os, subprocess, sys, time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
loops = int(sys.argv[2]) if len(sys.argv) > 2 else 2000000000
mimic = os.path.join(build, "mimic")
# The test guest with its PIT at 18.2 Hz: on software KVM every timer tick is ~1 ms of
# emulated CPL 0 (the 100 Hz guest loses ~10% to that alone).
guest = os.path.join(build, "tests/kvm/microvm/kvm-guest-18hz.bin")
compute = os.path.join(build, "tests/kvm/microvm/kvm-compute")
for f in (mimic, guest, compute):
    if not os.path.exists(f):
        sys.exit("bench_kvm: %s not built (cmake --build %s --target mimic kvm-guest kvm-compute)"
                 % (f, build))
if not os.access("/dev/kvm", os.R_OK | os.W_OK):
    sys.exit("bench_kvm: /dev/kvm is not usable here")

RAM_MB = 256


def vm_hwm_mib(pid):
    # Peak RSS read from /proc while mimic runs: a child's ru_maxrss would include the
    # pages of this Python process it was forked from (about 14 MiB), not mimic's own.
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def run_guest():
    t0 = time.monotonic()
    p = subprocess.Popen([mimic, "-accel", "kvm", "-M", "microvm", "-m", str(RAM_MB), "-kernel",
                          guest, "-append", "loops=%d" % loops, "-nographic", "-no-reboot"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    first = t_loop = t_result = None
    hwm = 0.0
    buf = b""
    while True:
        chunk = p.stdout.read1(4096) if hasattr(p.stdout, "read1") else p.stdout.read(1)
        if not chunk:
            break
        now = time.monotonic()
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if first is None:
                first = now - t0
            hwm = max(hwm, vm_hwm_mib(p.pid))  # the last line comes just before exit
            if line.startswith(b"user: loops="):
                t_loop = now
            elif line.startswith(b"user: result="):
                t_result = now
    _, status, ru = os.wait4(p.pid, 0)
    return first, t_result - t_loop, hwm, os.waitstatus_to_exitcode(status)


def rss_idle_binary():
    # The same binary with no CPU and no KVM (-M none): its libraries' share of the RSS.
    p = subprocess.Popen([mimic, "-M", "none", "-nographic"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    time.sleep(0.5)
    hwm = vm_hwm_mib(p.pid)
    p.terminate()
    os.wait4(p.pid, 0)
    return hwm


def run_native():
    return float(subprocess.run([compute, str(loops)], capture_output=True, text=True,
                                check=True).stdout.split()[1])


# Interleaved, best of each: the two cores are shared, and load comes and goes.
natives, runs = [], []
for _ in range(3):
    natives.append(run_native())
    runs.append(run_guest())
native = min(natives)
first = min(r[0] for r in runs)
guest_loop = min(r[1] for r in runs)
rss = max(r[2] for r in runs)
print("KVM fast path (%d loop iterations, -m %d, guest timer 18.2 Hz, software KVM: %s)" %
      (loops, RAM_MB, os.path.exists("/sys/module/kvm_pvm")))
print("  compute loop native        %8.3f s" % native)
print("  compute loop under mimic   %8.3f s   ratio %.3f (goal <= 1.02)" %
      (guest_loop, guest_loop / native))
print("  start to first UART line   %8.1f ms" % (first * 1000))
print("  peak RSS of mimic          %8.1f MiB (the guest touches < 4 MiB of its RAM; goal: "
      "< 10 MiB beyond guest RAM)" % rss)
for n in (4, 16):
    p = subprocess.Popen([mimic, "-accel", "kvm", "-M", "microvm", "-m", str(RAM_MB), "-smp",
                          str(n), "-kernel", guest, "-append", "loops=1000", "-nographic",
                          "-no-reboot"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    hwm = 0.0
    for line in p.stdout:
        hwm = max(hwm, vm_hwm_mib(p.pid))
    p.wait()
    print("  peak RSS with -smp %-2d      %8.1f MiB (%.0f KiB more per vCPU)" %
          (n, hwm, (hwm - rss) * 1024 / (n - 1)))
idle = rss_idle_binary()
print("  peak RSS of mimic -M none  %8.1f MiB (libraries, no CPU): the KVM path adds %.1f MiB"
      % (idle, rss - idle))
print("  exit codes                 %s" % [r[3] for r in runs])
