#!/usr/bin/env python3
# Interop: bad input gets the exit code qemu-img gives and one clear
# "mimic-img: ..." error line (never a crash); both tools are run on every
# case so the expected codes are checked against the oracle as well.
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imgtest import (MIMIC, QEMU_IMG, MiB, TempDir, check, finish, mimic, qimg,  # noqa: E402
                     require_tools, run)

require_tools()


def case(args, rc, phrase=None, stdout=None, oracle=True):
    pm = run([MIMIC] + args, expect=None)
    what = "mimic-img " + " ".join(args)
    check(0 <= pm.returncode < 128, "%s: crashed (exit %d): %s" % (what, pm.returncode,
                                                                   pm.stderr))
    check(pm.returncode == rc, "%s: exit %d, expected %d (%s)" % (what, pm.returncode, rc,
                                                                   pm.stderr.strip()))
    check("Sanitizer" not in pm.stderr and "runtime error" not in pm.stderr,
          what + ": sanitizer report: " + pm.stderr)
    if rc != 0 and stdout is None:
        first = pm.stderr.split("\n")[0]
        check(first.startswith("mimic-img: ") and len(first) > len("mimic-img: "),
              "%s: no 'mimic-img: ' error line: %r" % (what, pm.stderr))
    if phrase:
        check(phrase in pm.stderr, "%s: %r not in %r" % (what, phrase, pm.stderr))
    if stdout is not None:
        check(pm.stdout == stdout, "%s: stdout %r, expected %r" % (what, pm.stdout, stdout))
    if oracle:
        pq = run([QEMU_IMG] + args, expect=None)
        check(pq.returncode == rc, "oracle: qemu-img %s: exit %d, expected %d" %
              (" ".join(args), pq.returncode, rc))


def main():
    with TempDir() as t:
        a, raw, missing, x = t("a.qcow2"), t("r.raw"), t("missing.qcow2"), t("x.qcow2")
        qimg("create", "-q", "-f", "qcow2", a, "4M")
        qimg("create", "-q", "-f", "raw", raw, "4M")
        top = t("top.qcow2")
        qimg("create", "-q", "-f", "qcow2", "-b", a, "-F", "qcow2", top)
        diff = t("diff.raw")
        with open(diff, "wb") as f:
            f.write(b"\1" * 512)
            f.truncate(4 * MiB)
        big = t("big.raw")
        with open(big, "wb") as f:
            f.truncate(8 * MiB)

        # The command line itself.
        case([], 1, "Not enough arguments")
        case(["foo"], 1, "Command not found: foo")
        case(["--bogus"], 1, "unrecognized option '--bogus'")
        case(["create", "-Z"], 1, "unrecognized option '-Z'")
        case(["create"], 1, "Expecting image file name")
        case(["info", "-f"], 1, "missing argument for option '-f'")
        case(["info", "--output"], 1, "missing argument for option '--output'")
        case(["info", "--output=xml", a], 1, "--output must be used with human or json")
        case(["info", a, a], 1, "Expecting one image file name")
        case(["create", "-f", "qcow2", x, "1M", "2M"], 1, "Unexpected argument: 2M")

        # Sizes, formats and options of create.
        case(["create", "-f", "qcow2", x, "10Q"], 1, "Invalid image size specified")
        case(["create", "-f", "qcow2", x, "1.5"], 1, "Invalid image size specified")
        case(["create", "-f", "qcow2", x, "16E"], 1, "Must be between 0 and")
        case(["create", "-f", "qcow2", x, "-5"], 1, "unrecognized option '-5'")
        case(["create", "-f", "foo", x, "1M"], 1, "Unknown file format 'foo'")
        case(["create", "-f", "qcow2", x], 1, "Image creation needs a size parameter")
        case(["create", "-q", "-f", "qcow2", "-o", "cluster_size=1000", x, "1M"], 1,
             "Cluster size must be a power of two between 512 and 2048k")
        case(["create", "-q", "-f", "qcow2", "-o", "cluster_size=4M", x, "1M"], 1,
             "Cluster size must be a power of two between 512 and 2048k")
        case(["create", "-q", "-f", "qcow2", "-o", "compat=0.10,lazy_refcounts=on", x, "1M"],
             1, "Lazy refcounts only supported with compatibility level 1.1")
        case(["create", "-q", "-f", "qcow2", "-o", "compat=0.9", x, "1M"], 1,
             "Parameter 'version' does not accept value '0.9'")
        case(["create", "-q", "-f", "qcow2", "-o", "refcount_bits=3", x, "1M"], 1,
             "Refcount width must be a power of two and may not exceed 64 bits")
        case(["create", "-q", "-f", "qcow2", "-o", "preallocation=bogus", x, "1M"], 1,
             "Parameter 'preallocation' does not accept value 'bogus'")
        case(["create", "-q", "-f", "qcow2", "-o", "compression_type=lz4", x, "1M"], 1,
             "Parameter 'compression-type' does not accept value 'lz4'")
        case(["create", "-f", "qcow2", "-o", "lazy_refcounts=maybe", x, "1M"], 1,
             "Parameter 'lazy_refcounts' expects 'on' or 'off'")
        case(["create", "-f", "qcow2", "-o", "foo=bar", x, "1M"], 1, "Invalid parameter 'foo'")
        case(["create", "-f", "raw", "-o", "cluster_size=4k", x, "1M"], 1,
             "Invalid parameter 'cluster_size'")
        case(["create", "-f", "qcow2", "-b", missing, "-F", "qcow2", x, "1M"], 1,
             "Could not open backing image")
        case(["create", "-q", "-f", "qcow2", "-u", "-b", missing, "-F", "qcow2", x, "1M"], 0,
             stdout="")

        # Opening files that are not there.
        case(["info", missing], 1, "missing.qcow2")
        case(["check", missing], 1, "missing.qcow2")
        case(["map", missing], 1, "missing.qcow2")
        case(["convert", "-O", "qcow2", missing, x], 1, "missing.qcow2")
        case(["compare", a, missing], 2, "missing.qcow2")
        case(["compare", "-f", "qcow2", raw, a], 2)
        case(["snapshot", "-l", missing], 1, "missing.qcow2")

        # check.
        case(["check", "-r", "foo", a], 1,
             "Unknown option value for -r (expecting 'leaks' or 'all'): foo")
        case(["check", "-f", "raw", raw], 63, "This image format does not support checks")
        case(["check", "--output=json", "-f", "raw", raw], 63,
             "This image format does not support checks")
        case(["check", "-q", a], 0, stdout="")

        # convert.
        case(["convert", "-c", "-O", "raw", a, x], 1,
             "Compression not supported for this file format")
        case(["convert", "-O", "foo", a, x], 1, "Unknown file format 'foo'")
        case(["convert", "-O", "qcow2", a], 1, "Must specify image file name")
        case(["convert", "-S", "3", "-O", "raw", a, x], 1,
             "Invalid buffer size for sparse output specified")
        case(["convert", "-t", "bogus", "-O", "raw", a, x], 1, "Invalid cache option: bogus")
        case(["convert", "-n", "-O", "qcow2", a, missing], 1, "missing.qcow2")
        case(["convert", "-l", "nosuch", "-O", "raw", a, x], 1,
             "Failed to load snapshot: Can't find snapshot")
        case(["convert", "-l", "s", "-O", "raw", a, a, x], 1,
             "No support for concatenating multiple snapshot")
        case(["convert", "-l", "snapshot.foo=1", "-O", "raw", a, x], 1,
             "Invalid parameter 'snapshot.foo'")

        # resize.
        case(["resize", a, "-2M"], 1, "Use the --shrink option to perform a shrink operation.")
        case(["resize", a, "1M"], 1, "Use the --shrink option to perform a shrink operation.")
        case(["resize", a, "xyz"], 1, "Parameter 'size' expects a non-negative number")
        case(["resize", "--shrink", a, "-100M"], 1, "New image size must be positive")
        case(["resize", a], 1, "Not enough arguments")
        case(["resize", "-q", a, "+0"], 0, stdout="")

        # snapshot.
        case(["snapshot", "-a", "nosuch", a], 1, "Could not apply snapshot 'nosuch'")
        case(["snapshot", "-d", "nosuch", a], 1, "Could not delete snapshot 'nosuch'")
        case(["snapshot", "-l", "-c", "s", a], 1, "Cannot mix '-l', '-a', '-c', '-d'")
        case(["snapshot", "-c", "s", "-f", "raw", raw], 1, oracle=False)
        case(["snapshot", "-l", raw], 0, stdout="")

        # commit, rebase, amend.
        case(["commit", a], 1, "Image does not have a backing file")
        case(["commit", "-b", missing, top], 1, "in the backing chain of")
        case(["rebase", a], 1, "Must specify backing file (-b) or use unsafe mode (-u)")
        case(["rebase", "-b", missing, "-F", "qcow2", top], 1, "Could not open new backing file")
        case(["amend", a], 1, "Must specify options (-o)")
        case(["amend", "-o", "cluster_size=4k", a], 1, "Invalid parameter 'cluster_size'")
        case(["amend", "-o", "foo=bar", a], 1, "Invalid parameter 'foo'")
        case(["amend", "-o", "compat=foo", a], 1, "Unknown compatibility level foo")
        case(["amend", "-o", "backing_file=other.qcow2", top], 1, "Cannot amend the backing file")
        case(["amend", "-f", "raw", "-o", "compat=0.10", raw], 1,
             "Format driver 'raw' does not support option amendment")

        # measure.
        case(["measure"], 1, "Either --size N or one filename must be specified.")
        case(["measure", "--size", "1G", a], 1, "--size N cannot be used together with a filename")
        case(["measure", "-O", "foo", "--size", "1M"], 1, "Unknown file format 'foo'")
        case(["measure", "-l", "s", "--size", "1M"], 1, "-l require a filename argument")
        case(["measure", "-O", "qcow2", "-o", "foo=1", "--size", "1M"], 1,
             "Invalid parameter 'foo'")

        # dd.
        case(["dd", "if=" + raw], 1, "Must specify both input and output files")
        case(["dd", "bs=0", "if=" + raw, "of=" + x], 1, "Invalid bs specified")
        case(["dd", "foo=1", "if=" + raw, "of=" + x], 1, "unrecognized operand foo")
        case(["dd", "if=" + missing, "of=" + x], 1, "missing.qcow2")

        # compare: messages on stdout, exit 1 for different images.
        case(["compare", a], 1, "Expecting two image file names")
        case(["compare", "-f", "raw", "-F", "raw", raw, diff], 1,
             stdout="Content mismatch at offset 0!\n")
        case(["compare", "-s", "-f", "raw", "-F", "raw", raw, big], 1,
             stdout="Strict mode: Image size mismatch!\n")
        case(["compare", "-f", "raw", "-F", "raw", raw, big], 0,
             stdout="Warning: Image size mismatch!\nImages are identical.\n")
        case(["compare", "-q", "-f", "raw", "-F", "raw", raw, diff], 1, stdout="")
        case(["compare", a, raw], 0, stdout="Images are identical.\n")

        # Damaged images: an error, never a crash.
        bad = t("bad.qcow2")
        hdr = struct.pack(">4sIQIIQIIQQIIQ", b"QFI\xfb", 3, 0, 0, 40, 1 << 40, 0, 1 << 30,
                          1 << 60, 1 << 60, 1, 0, 0)
        with open(bad, "wb") as f:
            f.write(hdr + b"\0" * (104 - len(hdr)))
        for cmd in (["info"], ["check"], ["map"], ["convert", "-O", "raw"]):
            extra = [t("bad-out.raw")] if cmd[0] == "convert" else []
            case(cmd + [bad] + extra, 1, oracle=False)
        trunc = t("trunc.qcow2")
        with open(trunc, "wb") as f:
            f.write(b"QFI\xfb\0\0\0\3")
        case(["info", trunc], 1, oracle=False)

        # Help and version succeed.
        pm = mimic("--version")
        check(pm.stdout.startswith("mimic-img version"), "--version: %r" % pm.stdout)
        pm = mimic("--help")
        check("Supported formats: qcow2 raw" in pm.stdout, "--help output")
        pm = mimic("create", "-f", "qcow2", "-o", "help")
        check("cluster_size=<size>" in pm.stdout and "refcount_bits=<num>" in pm.stdout,
              "create -o help: " + pm.stdout)
        pm = mimic("create", "-f", "raw", "-o", "help")
        check("size=<size>" in pm.stdout and "cluster_size" not in pm.stdout,
              "create -f raw -o help: " + pm.stdout)
    finish("cli_errors")


if __name__ == "__main__":
    main()
