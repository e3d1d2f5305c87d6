#!/usr/bin/env python3
# decodetree: turns a .decode pattern file (fields, argument sets, formats,
# patterns, groups) into a C decision-tree decoder for the ARM and MIPS front-ends.
#
# The file format is described in tools/decodetree/README.md.  The output is
# one C file meant to be #included by a translator that defines DisasContext
# (or the type named by --ctx-type) and every trans_NAME() function.

import argparse
import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
RE_IDENT = re.compile("^" + IDENT + "$")
RE_BITS = re.compile(r"^[01.\-]+$")
RE_INLINE_FIELD = re.compile("^(" + IDENT + r"):(s?)([0-9]+)$")
RE_SEGMENT = re.compile(r"^([0-9]+):(s?)([0-9]+)$")
RE_ASSIGN = re.compile("^(" + IDENT + ")=(.+)$")
RE_INT = re.compile(r"^-?(0x[0-9a-fA-F]+|0b[01]+|[0-9]+)$")

C_KEYWORDS = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "bool",
}


class DecodeError(Exception):
    def __init__(self, line, msg):
        super().__init__(msg)
        self.line = line
        self.msg = msg


class Field:
    """A named (%name) or inline (name:len) bit-field.

    segments are (pos, len, signed), most significant first; only the first
    segment's sign matters because it supplies the top bits of the value."""

    def __init__(self, name, segments, func, shift, line):
        self.name = name
        self.segments = segments
        self.func = func
        self.shift = shift
        self.line = line
        self.used = False

    def width(self):
        return sum(s[1] for s in self.segments)

    def raw_expr(self, insn):
        parts = []
        below = self.width()
        for pos, length, signed in self.segments:
            below -= length
            if signed:
                e = "(uint32_t)decodetree_sextract32(%s, %d, %d)" % (insn, pos, length)
            else:
                e = "decodetree_extract32(%s, %d, %d)" % (insn, pos, length)
            if below:
                e = "(%s << %d)" % (e, below)
            parts.append(e)
        if not parts:
            return None
        return " | ".join(parts)

    def value_expr(self, insn, ctx):
        """C expression of type int giving the field's final value."""
        raw = self.raw_expr(insn)
        if raw is None:
            # A parameter field: its value comes from the function alone.
            return "%s(%s)" % (self.func, ctx)
        if self.shift:
            raw = "((%s) << %d)" % (raw, self.shift)
        val = "(int)(%s)" % raw
        if self.func:
            val = "%s(%s, %s)" % (self.func, ctx, val)
        return val


class ArgSet:
    def __init__(self, name, members, extern, line, implicit=False):
        self.name = name
        self.members = members  # list of (name, ctype)
        self.extern = extern
        self.line = line
        self.implicit = implicit
        self.used = False

    def member_names(self):
        return [m[0] for m in self.members]


class Format:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.mask = 0
        self.bits = 0
        self.assigns = {}  # member -> Field | int
        self.order = []
        self.argset = None


class Pattern:
    def __init__(self, name, line):
        self.name = name
        self.line = line
        self.mask = 0
        self.bits = 0
        self.assigns = {}
        self.order = []
        self.argset = None
        self.format = None

    def describe(self):
        return "pattern %s (line %d)" % (self.name, self.line)


class Group:
    """overlap=True: '{ }' members tried in order; False: '[ ]' members disjoint."""

    def __init__(self, overlap, line):
        self.overlap = overlap
        self.line = line
        self.members = []
        self.mask = 0
        self.bits = 0

    def describe(self):
        return "group at line %d" % self.line


def parse_int(text, line):
    if not RE_INT.match(text):
        raise DecodeError(line, "'%s' is not an integer" % text)
    neg = text.startswith("-")
    body = text[1:] if neg else text
    if body.startswith("0b"):
        v = int(body[2:], 2)
    else:
        v = int(body, 0)
    return -v if neg else v


class Parser:
    def __init__(self, path, width):
        self.path = path
        self.width = width
        self.fields = {}
        self.argsets = {}
        self.formats = {}
        self.patterns = []
        self.errors = []
        self.root = Group(False, 0)
        self.stack = [self.root]

    def error(self, line, msg):
        self.errors.append((line, msg))

    # --- reading ---------------------------------------------------------

    def logical_lines(self, text):
        """Yields (first line number, tokens) after comments and continuations."""
        acc = []
        start = None
        for num, raw in enumerate(text.split("\n"), 1):
            line = raw.split("#", 1)[0].rstrip()
            cont = line.endswith("\\")
            if cont:
                line = line[:-1]
            if start is None:
                start = num
            acc.append(line)
            if cont:
                continue
            toks = " ".join(acc).split()
            if toks:
                yield start, toks
            acc = []
            start = None
        if acc:
            toks = " ".join(acc).split()
            if toks:
                yield start, toks

    def parse(self, text):
        for line, toks in self.logical_lines(text):
            try:
                self.parse_line(line, toks)
            except DecodeError as e:
                self.error(e.line, e.msg)
        if len(self.stack) > 1:
            g = self.stack[-1]
            self.error(g.line, "group opened here is never closed")

    def parse_line(self, line, toks):
        head = toks[0]
        if head in ("{", "["):
            if len(toks) != 1:
                raise DecodeError(line, "'%s' must stand alone on its line" % head)
            g = Group(head == "{", line)
            self.stack[-1].members.append(g)
            self.stack.append(g)
        elif head in ("}", "]"):
            if len(toks) != 1:
                raise DecodeError(line, "'%s' must stand alone on its line" % head)
            if len(self.stack) == 1:
                raise DecodeError(line, "'%s' closes no open group" % head)
            g = self.stack[-1]
            if g.overlap != (head == "}"):
                raise DecodeError(line, "'%s' does not match the '%s' opened at line %d"
                                  % (head, "{" if g.overlap else "[", g.line))
            self.stack.pop()
            if not g.members:
                raise DecodeError(line, "empty group")
        elif head.startswith("%"):
            self.parse_field(line, head[1:], toks[1:])
        elif head.startswith("&"):
            self.parse_argset(line, head[1:], toks[1:])
        elif head.startswith("@"):
            self.parse_format(line, head[1:], toks[1:])
        else:
            self.parse_pattern(line, head, toks[1:])

    def check_name(self, line, kind, name):
        if not RE_IDENT.match(name):
            raise DecodeError(line, "'%s' is not a valid %s name" % (name, kind))

    def parse_field(self, line, name, toks):
        self.check_name(line, "field", name)
        if name in self.fields:
            raise DecodeError(line, "field %%%s already defined at line %d"
                              % (name, self.fields[name].line))
        segments = []
        func = None
        shift = 0
        for t in toks:
            m = RE_SEGMENT.match(t)
            if t.startswith("!function="):
                func = t[len("!function="):]
                self.check_name(line, "function", func)
            elif t.startswith("!shift="):
                shift = parse_int(t[len("!shift="):], line)
                if shift < 0 or shift > 31:
                    raise DecodeError(line, "shift %d out of range 0..31" % shift)
            elif m:
                pos, signed, length = int(m.group(1)), m.group(2) == "s", int(m.group(3))
                if length < 1:
                    raise DecodeError(line, "field %%%s: segment '%s' has no bits" % (name, t))
                if pos + length > self.width:
                    raise DecodeError(line, "field %%%s: segment '%s' reaches bit %d, past "
                                      "the %d-bit instruction" % (name, t, pos + length - 1,
                                                                  self.width))
                segments.append((pos, length, signed))
            else:
                raise DecodeError(line, "field %%%s: cannot parse '%s' (expected pos:len, "
                                  "pos:slen, !function=NAME or !shift=N)" % (name, t))
        if not segments and not func:
            raise DecodeError(line, "field %%%s has neither bits nor a !function" % name)
        f = Field(name, segments, func, shift, line)
        if f.width() > 32:
            raise DecodeError(line, "field %%%s is %d bits wide, more than 32" % (name, f.width()))
        for i, (p, l, _) in enumerate(segments):
            for (q, k, _) in segments[i + 1:]:
                if p < q + k and q < p + l:
                    raise DecodeError(line, "field %%%s: segments overlap" % name)
        self.fields[name] = f

    def parse_argset(self, line, name, toks):
        self.check_name(line, "argument set", name)
        if name in self.argsets:
            raise DecodeError(line, "argument set &%s already defined at line %d"
                              % (name, self.argsets[name].line))
        for pat in self.patterns:
            if pat.name == name:
                raise DecodeError(line, "argument set &%s has the name of pattern %s (line %d)"
                                  % (name, name, pat.line))
        members = []
        extern = False
        for t in toks:
            if t == "!extern":
                extern = True
                continue
            mname, _, ctype = t.partition(":")
            self.check_name(line, "member", mname)
            if mname in C_KEYWORDS:
                raise DecodeError(line, "member name '%s' is a C keyword" % mname)
            if mname in (m[0] for m in members):
                raise DecodeError(line, "member '%s' listed twice" % mname)
            members.append((mname, ctype or "int"))
        self.argsets[name] = ArgSet(name, members, extern, line)

    def parse_body(self, obj, line, toks, is_pattern):
        """Fills mask/bits/assigns of a format or pattern from its tokens."""
        pos = self.width
        mask = 0
        bits = 0
        seen = {}

        def assign(member, value):
            if member in seen:
                raise DecodeError(line, "member '%s' given twice" % member)
            seen[member] = True
            obj.assigns[member] = value
            obj.order.append(member)

        for t in toks:
            if t.startswith("@"):
                if not is_pattern:
                    raise DecodeError(line, "a format cannot use another format ('%s')" % t)
                if obj.format is not None:
                    raise DecodeError(line, "more than one format given")
                fname = t[1:]
                if fname not in self.formats:
                    raise DecodeError(line, "unknown format @%s" % fname)
                obj.format = self.formats[fname]
            elif t.startswith("&"):
                aname = t[1:]
                if obj.argset is not None:
                    raise DecodeError(line, "more than one argument set given")
                if aname not in self.argsets:
                    raise DecodeError(line, "unknown argument set &%s" % aname)
                obj.argset = self.argsets[aname]
            elif t.startswith("%"):
                fname = t[1:]
                if fname not in self.fields:
                    raise DecodeError(line, "undefined field %%%s" % fname)
                assign(fname, self.fields[fname])
            elif RE_ASSIGN.match(t):
                m = RE_ASSIGN.match(t)
                member, val = m.group(1), m.group(2)
                if val.startswith("%"):
                    if val[1:] not in self.fields:
                        raise DecodeError(line, "undefined field %s" % val)
                    assign(member, self.fields[val[1:]])
                else:
                    assign(member, parse_int(val, line))
            elif RE_INLINE_FIELD.match(t):
                m = RE_INLINE_FIELD.match(t)
                fname, signed, length = m.group(1), m.group(2) == "s", int(m.group(3))
                if length < 1:
                    raise DecodeError(line, "field '%s' has no bits" % t)
                pos -= length
                if pos < 0:
                    raise DecodeError(line, "bits add up to more than the %d-bit instruction"
                                      % self.width)
                assign(fname, Field(None, [(pos, length, signed)], None, 0, line))
            elif RE_BITS.match(t):
                for ch in t:
                    pos -= 1
                    if pos < 0:
                        raise DecodeError(line, "bits add up to more than the %d-bit "
                                          "instruction" % self.width)
                    if ch in "01":
                        mask |= 1 << pos
                        bits |= int(ch) << pos
            else:
                raise DecodeError(line, "cannot parse '%s'" % t)
        if pos != 0:
            raise DecodeError(line, "bits add up to %d, not the instruction width %d"
                              % (self.width - pos, self.width))
        obj.mask = mask
        obj.bits = bits

    def implicit_argset(self, name, members, line):
        """Argument set for a format or pattern that names none."""
        if not members:
            name = "empty"
        if name in self.argsets:
            a = self.argsets[name]
            if a.member_names() != members:
                raise DecodeError(line, "implied argument set arg_%s (members: %s) clashes "
                                  "with the one from line %d (members: %s); name one with &"
                                  % (name, " ".join(members) or "none", a.line,
                                     " ".join(a.member_names()) or "none"))
            return a
        a = ArgSet(name, [(m, "int") for m in members], False, line, implicit=True)
        self.argsets[name] = a
        return a

    def parse_format(self, line, name, toks):
        self.check_name(line, "format", name)
        if name in self.formats:
            raise DecodeError(line, "format @%s already defined at line %d"
                              % (name, self.formats[name].line))
        f = Format(name, line)
        self.parse_body(f, line, toks, False)
        if f.argset is None:
            f.argset = self.implicit_argset(name, list(f.order), line)
        else:
            for mbr in f.order:
                if mbr not in f.argset.member_names():
                    raise DecodeError(line, "'%s' is not a member of &%s" % (mbr, f.argset.name))
        self.formats[name] = f

    def parse_pattern(self, line, name, toks):
        self.check_name(line, "pattern", name)
        p = Pattern(name, line)
        self.parse_body(p, line, toks, True)
        fmt = p.format
        if fmt is not None:
            if fmt.mask & p.mask & (fmt.bits ^ p.bits):
                bad = fmt.mask & p.mask & (fmt.bits ^ p.bits)
                raise DecodeError(line, "fixed bits conflict with format @%s (line %d) at bit%s %s"
                                  % (fmt.name, fmt.line, "s" if bad & (bad - 1) else "",
                                     bit_list(bad)))
            p.mask |= fmt.mask
            p.bits |= fmt.bits
            merged = dict(fmt.assigns)
            merged.update(p.assigns)
            order = list(fmt.order) + [m for m in p.order if m not in fmt.assigns]
            p.assigns = merged
            p.order = order
            if p.argset is None:
                p.argset = fmt.argset
        if p.argset is None:
            p.argset = self.implicit_argset(name, list(p.order), line)
        names = p.argset.member_names()
        for mbr in p.order:
            if mbr not in names:
                raise DecodeError(line, "'%s' is not a member of &%s" % (mbr, p.argset.name))
        missing = [m for m in names if m not in p.assigns]
        if missing:
            raise DecodeError(line, "member%s %s of &%s given no value"
                              % ("s" if len(missing) > 1 else "", ", ".join(missing),
                                 p.argset.name))
        for other in self.patterns:
            if other.name == name and other.argset is not p.argset:
                raise DecodeError(line, "pattern %s uses &%s but at line %d it uses &%s"
                                  % (name, p.argset.name, other.line, other.argset.name))
        if p.argset.name != name and name in self.argsets:
            raise DecodeError(line, "pattern name %s clashes with argument set &%s (line %d)"
                              % (name, name, self.argsets[name].line))
        p.argset.used = True
        for v in p.assigns.values():
            if isinstance(v, Field):
                v.used = True
        self.patterns.append(p)
        self.stack[-1].members.append(p)


def bit_list(mask):
    return ",".join(str(i) for i in range(31, -1, -1) if mask >> i & 1)


# --- group analysis ---------------------------------------------------------

def flatten(group):
    """Merges nested groups of the same kind into their parent."""
    out = []
    for m in group.members:
        if isinstance(m, Group):
            flatten(m)
            if m.overlap == group.overlap or len(m.members) == 1:
                out.extend(m.members)
                continue
        out.append(m)
    group.members = out


def compute_masks(group, full):
    """A group's mask/bits are the fixed bits every member shares with equal value."""
    mask = full
    bits = None
    for m in group.members:
        if isinstance(m, Group):
            compute_masks(m, full)
        mask &= m.mask
        if bits is not None:
            mask &= ~(bits ^ m.bits)
        bits = m.bits
    group.mask = mask
    group.bits = (bits or 0) & mask


def all_patterns(item):
    if isinstance(item, Pattern):
        yield item
    else:
        for m in item.members:
            yield from all_patterns(m)


def check_overlaps(group, errors):
    """Members of a [ ] group (and the top level) must never match the same word.

    Two members collide when some pattern of one and some pattern of the other
    accept a common word: their fixed bits agree wherever both fix a bit."""
    if not group.overlap:
        ms = group.members
        pats = [list(all_patterns(m)) for m in ms]
        for i in range(len(ms)):
            for j in range(i + 1, len(ms)):
                a, b = ms[i], ms[j]
                if (a.bits ^ b.bits) & a.mask & b.mask:
                    continue
                hit = None
                for x in pats[i]:
                    for y in pats[j]:
                        if not (x.bits ^ y.bits) & x.mask & y.mask:
                            hit = (x, y) if x.line < y.line else (y, x)
                            break
                    if hit:
                        break
                if hit:
                    first, second = hit
                    errors.append((second.line, "%s overlaps %s; put them in a { } group "
                                   "if that is meant" % (second.describe(), first.describe())))
    for m in group.members:
        if isinstance(m, Group):
            check_overlaps(m, errors)


# --- code generation --------------------------------------------------------

class Emitter:
    def __init__(self, parser, args):
        self.p = parser
        self.width = parser.width
        self.full = (1 << self.width) - 1
        self.prefix = args.translate_prefix
        self.ctx = args.ctx_type
        self.name = args.decode
        self.static = args.static_decode
        self.out = []
        self.stats = {"switches": 0, "leaves": 0, "max_tests": 0}

    def w(self, indent, text):
        self.out.append("    " * indent + text if text else "")

    def hexval(self, v):
        return "0x%0*x" % ((self.width + 3) // 4, v)

    def field_fn(self, f):
        return "%s_extract_%s" % (self.name, f.name)

    def value_of(self, v):
        if isinstance(v, int):
            return str(v)
        if v.name is not None:
            return "%s(ctx, insn)" % self.field_fn(v)
        return v.value_expr("insn", "ctx")

    def emit_header(self, source):
        self.w(0, "/* Generated by tools/decodetree from %s; do not edit. */" % source)
        self.w(0, "/* Decoder %s: %d-bit instructions, %d patterns. */"
               % (self.name, self.width, len(self.p.patterns)))
        self.w(0, "#include <stdbool.h>")
        self.w(0, "#include <stdint.h>")
        self.w(0, "")
        self.w(0, "#ifndef DECODETREE_HELPERS")
        self.w(0, "#define DECODETREE_HELPERS")
        self.w(0, "static inline uint32_t decodetree_extract32(uint32_t v, int pos, int len)")
        self.w(0, "{")
        self.w(1, "return (v >> pos) & (len >= 32 ? 0xffffffffu : (1u << len) - 1);")
        self.w(0, "}")
        self.w(0, "")
        self.w(0, "static inline int32_t decodetree_sextract32(uint32_t v, int pos, int len)")
        self.w(0, "{")
        self.w(1, "return (int32_t)(v << (32 - pos - len)) >> (32 - len);")
        self.w(0, "}")
        self.w(0, "#endif")
        self.w(0, "")

    def emit_types(self):
        for a in self.p.argsets.values():
            if not a.used or a.extern:
                continue
            guard = None
            if a.implicit and a.name == "empty":
                # Several decoders included in one translator all want it.
                guard = "DECODETREE_ARG_EMPTY"
                self.w(0, "#ifndef " + guard)
                self.w(0, "#define " + guard)
            if a.members:
                self.w(0, "typedef struct {")
                for mname, ctype in a.members:
                    self.w(1, "%s %s;" % (ctype, mname))
                self.w(0, "} arg_%s;" % a.name)
            else:
                # A placeholder keeps the struct valid ISO C (no empty structs).
                self.w(0, "typedef struct {")
                self.w(1, "char unused_;")
                self.w(0, "} arg_%s;" % a.name)
            if guard:
                self.w(0, "#endif")
            self.w(0, "")
        done = set()
        for pat in self.p.patterns:
            if pat.name in done:
                continue
            done.add(pat.name)
            if pat.argset.name != pat.name:
                self.w(0, "typedef arg_%s arg_%s;" % (pat.argset.name, pat.name))
        self.w(0, "")
        done = set()
        for pat in self.p.patterns:
            if pat.name in done:
                continue
            done.add(pat.name)
            self.w(0, "static bool %s_%s(%s *ctx, arg_%s *a);"
                   % (self.prefix, pat.name, self.ctx, pat.name))
        self.w(0, "")

    def emit_fields(self):
        for f in self.p.fields.values():
            if not f.used:
                continue
            self.w(0, "static inline int %s(%s *ctx, uint32_t insn)" % (self.field_fn(f), self.ctx))
            self.w(0, "{")
            self.w(1, "(void)ctx;")
            self.w(1, "(void)insn;")
            self.w(1, "return %s;" % f.value_expr("insn", "ctx"))
            self.w(0, "}")
            self.w(0, "")

    # Switch keys: the selected bits packed into a dense index when they form
    # few runs, so the compiler can build a jump table.
    def runs(self, mask):
        out = []
        i = self.width - 1
        while i >= 0:
            if mask >> i & 1:
                j = i
                while j - 1 >= 0 and mask >> (j - 1) & 1:
                    j -= 1
                out.append((j, i - j + 1))
                i = j - 1
            else:
                i -= 1
        return out

    def key(self, mask):
        runs = self.runs(mask)
        if len(runs) > 3:
            return "insn & " + self.hexval(mask), lambda v: self.hexval(v & mask)
        total = sum(r[1] for r in runs)
        parts = []
        below = total
        for pos, length in runs:
            below -= length
            e = "decodetree_extract32(insn, %d, %d)" % (pos, length)
            if below:
                e = "%s << %d" % (e, below)
            parts.append(e)

        def case(v):
            idx = 0
            for pos, length in runs:
                idx = (idx << length) | ((v >> pos) & ((1 << length) - 1))
            return "0x%x" % idx
        if len(parts) == 1:
            return parts[0], case
        return "(" + ") | (".join(parts) + ")", case

    def bits_comment(self, mask, bits):
        s = ""
        for i in range(self.width - 1, -1, -1):
            s += ("1" if bits >> i & 1 else "0") if mask >> i & 1 else "."
            if i % 4 == 0 and i:
                s += " "
        return s

    # "cost" counts the tests (switches and ifs) evaluated before reaching a
    # point, so --stats can report the longest path through the decoder.
    def emit_leaf(self, pat, tested, ind, cost):
        self.stats["leaves"] += 1
        rem = pat.mask & ~tested
        self.w(ind, "/* %s: %s (line %d) */" % (pat.name, self.bits_comment(pat.mask, pat.bits),
                                               pat.line))
        if rem:
            cost += 1
            self.w(ind, "if ((insn & %s) == %s) {" % (self.hexval(rem),
                                                       self.hexval(pat.bits & rem)))
        else:
            self.w(ind, "{")
        self.stats["max_tests"] = max(self.stats["max_tests"], cost)
        body = ind + 1
        self.w(body, "arg_%s a;" % pat.argset.name)
        for mname in pat.argset.member_names():
            self.w(body, "a.%s = %s;" % (mname, self.value_of(pat.assigns[mname])))
        self.w(body, "if (%s_%s(ctx, &a)) {" % (self.prefix, pat.name))
        self.w(body + 1, "return true;")
        self.w(body, "}")
        self.w(ind, "}")

    def emit_item(self, item, tested, ind, cost):
        if isinstance(item, Pattern):
            self.emit_leaf(item, tested, ind, cost)
        elif item.overlap:
            rem = item.mask & ~tested
            if rem and len(item.members) > 1:
                # Test what all members share once instead of in every member.
                self.w(ind, "if ((insn & %s) == %s) {" % (self.hexval(rem),
                                                           self.hexval(item.bits & rem)))
                self.emit_overlap(item.members, tested | rem, ind + 1, cost + 1)
                self.w(ind, "}")
            else:
                self.emit_overlap(item.members, tested, ind, cost)
        else:
            self.emit_disjoint(item.members, tested, ind, cost)

    def emit_overlap(self, items, tested, ind, cost):
        for i, it in enumerate(items):
            # Each earlier member costs at least one test when it does not match.
            self.emit_item(it, tested, ind, cost + i)

    def emit_switch(self, items, mask, tested, ind, cost):
        buckets = {}
        for it in items:
            buckets.setdefault(it.bits & mask, []).append(it)
        if len(buckets) == 1:
            # Every member agrees on these bits: one test, no switch.
            (val, sub), = buckets.items()
            self.w(ind, "if ((insn & %s) == %s) {" % (self.hexval(mask), self.hexval(val)))
            self.emit_disjoint(sub, tested | mask, ind + 1, cost + 1)
            self.w(ind, "}")
            return
        self.stats["switches"] += 1
        expr, case = self.key(mask)
        self.w(ind, "switch (%s) {" % expr)
        for val in sorted(buckets):
            self.w(ind, "case %s:" % case(val))
            self.w(ind + 1, "/* %s */" % self.bits_comment(mask, val))
            self.emit_disjoint(buckets[val], tested | mask, ind + 1, cost + 1)
            self.w(ind + 1, "break;")
        self.w(ind, "}")

    def emit_disjoint(self, items, tested, ind, cost):
        """Members never match the same word, so their order does not matter."""
        if len(items) == 1:
            self.emit_item(items[0], tested, ind, cost)
            return
        common = self.full & ~tested
        for it in items:
            common &= it.mask
        if common:
            self.emit_switch(items, common, tested, ind, cost)
            return
        # No bit is fixed by every member: split on the bit most of them fix.
        best, count = 0, 0
        for b in range(self.width):
            bit = 1 << b
            if tested & bit:
                continue
            n = sum(1 for it in items if it.mask & bit)
            if n > count:
                best, count = bit, n
        if count < 2:
            for i, it in enumerate(items):
                self.emit_item(it, tested, ind, cost + i)
            return
        fixing = [it for it in items if it.mask & best]
        rest = [it for it in items if not it.mask & best]
        mask = self.full & ~tested
        for it in fixing:
            mask &= it.mask
        self.emit_switch(fixing, mask, tested, ind, cost)
        self.emit_disjoint(rest, tested, ind, cost + 1)

    def emit_table(self):
        """Every pattern's fixed bits, in file order, for tests and coverage tools."""
        self.w(0, "#ifndef DECODETREE_PATTERN_TABLE")
        self.w(0, "#define DECODETREE_PATTERN_TABLE")
        self.w(0, "typedef struct DecodetreePattern {")
        self.w(1, "const char *name;")
        self.w(1, "uint32_t mask;")
        self.w(1, "uint32_t bits;")
        self.w(1, "int line;")
        self.w(0, "} DecodetreePattern;")
        self.w(0, "#endif")
        self.w(0, "")
        self.w(0, "static const DecodetreePattern decode_%s_patterns[] __attribute__((unused)) = {"
               % self.name)
        for pat in self.p.patterns:
            self.w(1, '{"%s", %s, %s, %d},' % (pat.name, self.hexval(pat.mask),
                                               self.hexval(pat.bits), pat.line))
        self.w(0, "};")
        self.w(0, "")

    def emit_decoder(self):
        self.w(0, "%sbool decode_%s(%s *ctx, uint32_t insn)"
               % ("static " if self.static else "", self.name, self.ctx))
        self.w(0, "{")
        self.emit_disjoint(self.p.root.members, 0, 1, 0)
        self.w(1, "return false;")
        self.w(0, "}")


def main(argv):
    ap = argparse.ArgumentParser(description="Generate a C decoder from a .decode file.")
    ap.add_argument("input", help="the .decode file")
    ap.add_argument("-o", "--output", help="output C file (default: standard output)")
    ap.add_argument("--decode", help="decoder name: the function is decode_NAME "
                    "(default: the input file's base name)")
    ap.add_argument("--insnwidth", type=int, default=32, help="instruction width: 16 or 32")
    ap.add_argument("--static-decode", action="store_true", help="make decode_NAME static")
    ap.add_argument("--translate-prefix", default="trans",
                    help="prefix of the functions called for each pattern (default: trans)")
    ap.add_argument("--ctx-type", default="DisasContext",
                    help="type of the context pointer passed around (default: DisasContext)")
    ap.add_argument("--pattern-table", action="store_true",
                    help="also emit decode_NAME_patterns[]: name, mask and bits of each pattern")
    ap.add_argument("--stats", action="store_true",
                    help="print pattern, switch and worst-case test counts to standard error")
    args = ap.parse_args(argv)

    prog = "decodetree"
    if args.insnwidth not in (8, 16, 32):
        print("%s: --insnwidth must be 8, 16 or 32, not %d" % (prog, args.insnwidth),
              file=sys.stderr)
        return 2
    if args.decode is None:
        args.decode = re.sub(r"[^A-Za-z0-9_]", "_",
                             os.path.splitext(os.path.basename(args.input))[0])
    for opt, val in (("--decode", args.decode), ("--translate-prefix", args.translate_prefix),
                     ("--ctx-type", args.ctx_type)):
        if not RE_IDENT.match(val):
            print("%s: %s '%s' is not a C identifier" % (prog, opt, val), file=sys.stderr)
            return 2
    try:
        with open(args.input, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        print("%s: cannot read %s: %s" % (prog, args.input, e), file=sys.stderr)
        return 1

    parser = Parser(args.input, args.insnwidth)
    parser.parse(text)
    if not parser.errors:
        flatten(parser.root)
        compute_masks(parser.root, (1 << args.insnwidth) - 1)
        check_overlaps(parser.root, parser.errors)
    if not parser.errors and not parser.patterns:
        parser.errors.append((1, "no patterns"))
    if parser.errors:
        for line, msg in sorted(parser.errors, key=lambda e: e[0]):
            print("%s:%d: error: %s" % (args.input, line, msg), file=sys.stderr)
        return 1

    em = Emitter(parser, args)
    em.emit_header(os.path.basename(args.input))
    em.emit_types()
    em.emit_fields()
    if args.pattern_table:
        em.emit_table()
    em.emit_decoder()
    code = "\n".join(em.out) + "\n"
    if args.stats:
        print("%s: decode_%s: %d patterns, %d switches, at most %d tests per word"
              % (prog, args.decode, len(parser.patterns), em.stats["switches"],
                 em.stats["max_tests"]), file=sys.stderr)

    if args.output:
        try:
            if os.path.exists(args.output) and not os.path.isfile(args.output):
                # A device or pipe (-o /dev/stdout): never rename over it.
                with open(args.output, "w", encoding="utf-8") as fh:
                    fh.write(code)
            else:
                # Write beside the target and rename, so a failed run never
                # leaves a half-written file that the build takes as up to date.
                target = os.path.realpath(args.output)
                tmp = target + ".tmp"
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(code)
                os.replace(tmp, target)
        except OSError as e:
            print("%s: cannot write %s: %s" % (prog, args.output, e), file=sys.stderr)
            return 1
    else:
        sys.stdout.write(code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
