# Shared helpers for the mimic-img interop tests: running mimic-img and the
# real qemu-img/qemu-io side by side, making test data, comparing JSON.
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

MIMIC = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "mimic-img"
QEMU_IMG = shutil.which("qemu-img")
QEMU_IO = shutil.which("qemu-io")
MiB = 1024 * 1024

failures = []
checks = 0


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)
    return cond


def run(cmd, expect=0, stdin=None):
    """Runs cmd (a list); asserts the exit code when expect is not None."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, timeout=120)
    # Decoded by hand: text mode would turn the progress line's \r into \n.
    p.stdout = p.stdout.decode("utf-8", "replace")
    p.stderr = p.stderr.decode("utf-8", "replace")
    if expect is not None:
        check(p.returncode == expect,
              "%s: exit %d, expected %d\nstdout: %s\nstderr: %s" %
              (" ".join(cmd), p.returncode, expect, p.stdout[-2000:], p.stderr[-2000:]))
    return p


def mimic(*args, expect=0):
    return run([MIMIC] + [str(a) for a in args], expect=expect)


def qimg(*args, expect=0):
    return run([QEMU_IMG] + [str(a) for a in args], expect=expect)


def qio(path, *cmds, fmt="qcow2"):
    args = [QEMU_IO, "-f", fmt]
    for c in cmds:
        args += ["-c", c]
    args.append(str(path))
    return run(args)


class TempDir:
    """A scratch directory under $TMPDIR, removed at exit."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="mimic-img-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def __call__(self, name):
        return os.path.join(self.path, name)


def write_pattern_raw(path, size, seed=1, extents=None):
    """A raw file of `size` bytes: zeroes with data at a few awkward places
    (cluster and sub-cluster boundaries, a lone sector, the last sector)."""
    rnd = random.Random(seed)
    if extents is None:
        extents = [(0, 65536), (MiB + 4096, 8192), (3 * MiB // 2 + 512 * 7, 512),
                   (2 * MiB - 1000, 3000), (size - 512, 512)]
    with open(path, "wb") as f:
        f.truncate(size)
        for off, length in extents:
            if off + length > size:
                continue
            f.seek(off)
            f.write(rnd.randbytes(length))


def files_equal(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(MiB), fb.read(MiB)
            if x != y:
                return False
            if not x:
                return True


def qemu_check_clean(path, what):
    p = qimg("check", "--output=json", path, expect=None)
    ok = p.returncode == 0
    if ok:
        r = json.loads(p.stdout)
        ok = not r.get("corruptions") and not r.get("leaks") and not r.get("check-errors")
    return check(ok, "%s: qemu-img check %s not clean (exit %d): %s %s" %
                 (what, path, p.returncode, p.stdout, p.stderr))


def qemu_compare_equal(a, b, what, fmt_a=None, fmt_b=None):
    args = ["compare"]
    if fmt_a:
        args += ["-f", fmt_a]
    if fmt_b:
        args += ["-F", fmt_b]
    p = qimg(*(args + [a, b]), expect=None)
    return check(p.returncode == 0, "%s: qemu-img compare %s %s: exit %d %s %s" %
                 (what, a, b, p.returncode, p.stdout, p.stderr))


def info_json(tool, path, *extra):
    p = run([tool, "info", "--output=json"] + list(extra) + [path], expect=None)
    if p.returncode != 0:
        fail("%s info %s: exit %d %s" % (tool, path, p.returncode, p.stderr))
        return None
    return json.loads(p.stdout)


# Fields both tools print for the same file; they must agree exactly.
INFO_FIELDS = ["virtual-size", "filename", "cluster-size", "format", "actual-size",
               "format-specific", "backing-filename", "full-backing-filename",
               "backing-filename-format", "dirty-flag", "encrypted"]
SNAPSHOT_FIELDS = ["id", "name", "vm-state-size", "date-sec", "date-nsec", "vm-clock-sec",
                   "vm-clock-nsec", "icount"]


def compare_info_obj(m, q, what):
    for k in INFO_FIELDS:
        check(m.get(k) == q.get(k), "%s: info field %s: mimic %r, qemu %r" %
              (what, k, m.get(k), q.get(k)))
    ms, qs = m.get("snapshots", []), q.get("snapshots", [])
    check(len(ms) == len(qs), "%s: %d snapshots in mimic info, %d in qemu" %
          (what, len(ms), len(qs)))
    for a, b in zip(ms, qs):
        for k in SNAPSHOT_FIELDS:
            check(a.get(k) == b.get(k), "%s: snapshot field %s: mimic %r, qemu %r" %
                  (what, k, a.get(k), b.get(k)))


def compare_info(path, what, *extra):
    """mimic-img info --output=json against qemu-img's, on one file."""
    m, q = info_json(MIMIC, path, *extra), info_json(QEMU_IMG, path, *extra)
    if m is None or q is None:
        return
    if isinstance(q, list):
        check(isinstance(m, list) and len(m) == len(q),
              "%s: backing chain length differs: %r vs %r" % (what, m, q))
        for a, b in zip(m, q):
            compare_info_obj(a, b, what)
    else:
        compare_info_obj(m, q, what)


def compare_check(path, what):
    """check --output=json of both tools on one (consistent) image."""
    pm = mimic("check", "--output=json", path, expect=None)
    pq = qimg("check", "--output=json", path, expect=None)
    check(pm.returncode == pq.returncode, "%s: check exit mimic %d, qemu %d (%s)" %
          (what, pm.returncode, pq.returncode, pm.stderr))
    try:
        m, q = json.loads(pm.stdout), json.loads(pq.stdout)
    except ValueError:
        fail("%s: check output is not JSON: %r / %r" % (what, pm.stdout, pq.stdout))
        return
    for k in sorted(set(m) | set(q)):
        check(m.get(k) == q.get(k), "%s: check field %s: mimic %r, qemu %r" %
              (what, k, m.get(k), q.get(k)))


def normalise_map(entries):
    """Map entries as (start, length, depth, present, data, offset) runs,
    merging neighbours: qemu-img splits data runs where the file ends (data
    beyond EOF reads as zero), which says nothing about the image."""
    out = []
    for e in entries:
        cur = [e["start"], e["length"], e["depth"], e["present"], e["data"],
               e.get("offset") if e["data"] else None]
        if not e["data"] and not e["present"]:
            cur[2] = None  # depth of unallocated runs is not meaningful
        if out:
            p = out[-1]
            same = p[2:5] == cur[2:5] and p[0] + p[1] == cur[0]
            if same and (p[5] is None) == (cur[5] is None) and \
                    (p[5] is None or p[5] + p[1] == cur[5]):
                p[1] += cur[1]
                continue
        out.append(cur)
    return out


def compare_map(path, what):
    pm = mimic("map", "--output=json", path, expect=None)
    pq = qimg("map", "--output=json", path, expect=None)
    check(pm.returncode == 0 and pq.returncode == 0, "%s: map exit mimic %d, qemu %d: %s" %
          (what, pm.returncode, pq.returncode, pm.stderr))
    try:
        m, q = json.loads(pm.stdout), json.loads(pq.stdout)
    except ValueError:
        fail("%s: map output is not JSON: %r" % (what, pm.stdout[:500]))
        return
    nm, nq = normalise_map(m), normalise_map(q)
    check(nm == nq, "%s: map differs\nmimic: %s\nqemu:  %s" % (what, nm, nq))


def compare_human(img, what, cmds=("info", "map", "check"), chain=False):
    """The human layouts of both tools are the same text, exit codes too."""
    for cmd in cmds:
        extra = ["--backing-chain"] if chain and cmd == "info" else []
        pm = mimic(cmd, *extra, img, expect=None)
        pq = qimg(cmd, *extra, img, expect=None)
        check(pm.stdout == pq.stdout and pm.returncode == pq.returncode,
              "%s: %s output differs (exit %d/%d):\n%s\nqemu-img:\n%s" %
              (what, cmd, pm.returncode, pq.returncode, pm.stdout, pq.stdout))


def compare_both(args, what):
    """mimic-img compare and qemu-img compare agree on output and exit code."""
    pm = mimic("compare", *args, expect=None)
    pq = qimg("compare", *args, expect=None)
    check(pm.stdout == pq.stdout and pm.returncode == pq.returncode,
          "%s: compare %s: mimic %r (exit %d), qemu %r (exit %d)" %
          (what, " ".join(args), pm.stdout, pm.returncode, pq.stdout, pq.returncode))


def read_back_equal(img, raw_ref, what, fmt=None):
    """mimic-img reads img exactly as qemu-img does."""
    d = os.path.dirname(img)
    out = os.path.join(d, "readback.raw")
    args = ["convert"] + (["-f", fmt] if fmt else []) + ["-O", "raw", img, out]
    if mimic(*args).returncode == 0:
        check(files_equal(out, raw_ref), "%s: mimic-img convert -O raw of %s differs from %s" %
              (what, img, raw_ref))
    os.unlink(out) if os.path.exists(out) else None
    p = mimic("compare", img, raw_ref, expect=None)
    check(p.returncode == 0 and "Images are identical." in p.stdout,
          "%s: mimic-img compare %s %s: exit %d %s %s" %
          (what, img, raw_ref, p.returncode, p.stdout, p.stderr))


def finish(name):
    print("%s: %d checks, %d failures" % (name, checks, len(failures)))
    sys.exit(1 if failures else 0)


def require_tools():
    if not QEMU_IMG or not QEMU_IO:
        print("qemu-img/qemu-io not installed: skipping")
        sys.exit(77)
    if not os.access(MIMIC, os.X_OK):
        print("mimic-img not found at %s" % MIMIC)
        sys.exit(1)
