/*
 * cpu/arm/neon-helper.c: Advanced SIMD data processing for the ARM front-end (neon.c),
 * element by element in C over the D registers. One decoder serves two callers: neon.c
 * asks at translation time whether an encoding is allocated (env == NULL), the generated
 * code then calls helper_neon_dp to execute it. Float forms use the standard FPSCR value.
 */
#include <math.h>
#include <string.h>

#include "cpu/arm/vfp.h"

typedef __int128 i128;

static uint64_t el_get(const uint64_t *r, int i, int bits)
{
    if (bits == 64) {
        return r[i];
    }
    int per = 64 / bits;
    return (r[i / per] >> ((i % per) * bits)) & ((UINT64_C(1) << bits) - 1);
}

static void el_set(uint64_t *r, int i, int bits, uint64_t v)
{
    if (bits == 64) {
        r[i] = v;
        return;
    }
    int per = 64 / bits, sh = (i % per) * bits;
    uint64_t m = ((UINT64_C(1) << bits) - 1) << sh;
    r[i / per] = (r[i / per] & ~m) | ((v << sh) & m);
}

static int64_t sext(uint64_t v, int bits)
{
    return bits == 64 ? (int64_t)v : (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/* Value of an element as a wide integer, signed or not. */
static i128 el_val(const uint64_t *r, int i, int bits, bool uns)
{
    uint64_t v = el_get(r, i, bits);
    return uns ? (i128)v : (i128)sext(v, bits);
}

/* Saturates to `bits` (signed or unsigned), setting QC when it clips. */
static uint64_t sat(ArmEnv *env, i128 v, int bits, bool uns)
{
    i128 lo = uns ? 0 : -((i128)1 << (bits - 1));
    i128 hi = uns ? ((i128)1 << bits) - 1 : ((i128)1 << (bits - 1)) - 1;
    if (v < lo || v > hi) {
        env->vfp.qc = 1;
        v = v < lo ? lo : hi;
    }
    return (uint64_t)v;
}

static void rd_regs(ArmEnv *env, uint64_t *dst, int r, int n)
{
    for (int i = 0; i < n; i++) {
        dst[i] = env->vfp.regs[(r + i) & 31];
    }
}

static void wr_regs(ArmEnv *env, const uint64_t *src, int r, int n)
{
    for (int i = 0; i < n; i++) {
        env->vfp.regs[(r + i) & 31] = src[i];
    }
}

static uint32_t fop(ArmEnv *env, uint32_t a, uint32_t b, uint32_t op)
{
    return helper_vfp_arith_s(env, a, b, op | VFP_STD);
}

static bool f_nan(uint32_t v)
{
    return (v & 0x7f800000u) == 0x7f800000u && (v & 0x7fffffu);
}

static uint32_t f_flush(ArmEnv *env, uint32_t v)
{
    if (!(v & 0x7f800000u) && (v & 0x7fffffu)) {
        env->vfp.fpscr |= FPSCR_IDC;
        return v & 0x80000000u;
    }
    return v;
}

static float f_of(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

/* kind: 0 EQ, 1 GE, 2 GT (3, 4: absolute GE, GT). */
static bool fcmp(ArmEnv *env, uint32_t a, uint32_t b, int kind)
{
    a = f_flush(env, a);
    b = f_flush(env, b);
    if (f_nan(a) || f_nan(b)) {
        bool snan = (f_nan(a) && !(a & 0x400000)) || (f_nan(b) && !(b & 0x400000));
        if (kind || snan) {
            env->vfp.fpscr |= FPSCR_IOC;
        }
        return false;
    }
    if (kind >= 3) {
        a &= 0x7fffffffu;
        b &= 0x7fffffffu;
        kind -= 2;
    }
    float x = f_of(a), y = f_of(b);
    return kind == 0 ? x == y : kind == 1 ? x >= y : x > y;
}

static uint32_t fminmax(ArmEnv *env, uint32_t a, uint32_t b, bool min)
{
    a = f_flush(env, a);
    b = f_flush(env, b);
    if (f_nan(a) || f_nan(b)) {
        if ((f_nan(a) && !(a & 0x400000)) || (f_nan(b) && !(b & 0x400000))) {
            env->vfp.fpscr |= FPSCR_IOC;
        }
        return 0x7fc00000u;
    }
    float x = f_of(a), y = f_of(b);
    if (x == y) { /* +0 and -0: max is +0, min is -0 */
        return min ? (a | b) : (a & b);
    }
    return (min ? x < y : x > y) ? a : b;
}

/* VRECPS 2 - a*b, VRSQRTS (3 - a*b) / 2, with inf * 0 giving 2 or 1.5 exactly. */
static uint32_t fstep(ArmEnv *env, uint32_t a, uint32_t b, bool rsqrt)
{
    a = f_flush(env, a);
    b = f_flush(env, b);
    bool inf0 = ((a & 0x7fffffffu) == 0x7f800000u && !(b & 0x7fffffffu)) ||
                ((b & 0x7fffffffu) == 0x7f800000u && !(a & 0x7fffffffu));
    if (inf0 && !f_nan(a) && !f_nan(b)) {
        return rsqrt ? 0x3fc00000u : 0x40000000u;
    }
    if (rsqrt) {
        uint32_t r = helper_vfp_fma_s(env, 0x40400000u, a ^ 0x80000000u, b, 1);
        return f_nan(r) ? r : fop(env, r, 0x40000000u, VFP_DIV);
    }
    return helper_vfp_fma_s(env, 0x40000000u, a ^ 0x80000000u, b, 1);
}

/* Shift by a signed register amount (VSHL/VQSHL/VRSHL/VQRSHL by register). */
static uint64_t shl_reg(ArmEnv *env, i128 v, int64_t sh8, int bits, bool uns, bool satq, bool rnd)
{
    int sh = (int)(int8_t)sh8;
    i128 r;
    if (sh >= 0) {
        if (!satq) {
            return sh >= 64 ? 0 : (uint64_t)v << sh; /* the caller keeps the low bits */
        }
        if (sh >= bits) { /* anything non-zero saturates */
            r = v == 0 ? 0 : (v < 0 ? -((i128)1 << 100) : ((i128)1 << 100));
        } else {
            r = v * ((i128)1 << sh); /* |v| < 2^64, sh < 64: fits */
        }
        return sat(env, r, bits, uns);
    }
    sh = -sh;
    if (sh > bits) {
        sh = bits + 1;
    }
    if (rnd) {
        v += (i128)1 << (sh - 1);
    }
    r = v >> sh;
    return satq ? sat(env, r, bits, uns) : (uint64_t)r;
}

static bool dp_3same(ArmEnv *env, uint32_t insn, int d, int n, int m, int regs)
{
    int a = (int)((insn >> 8) & 0xf), b = (int)((insn >> 4) & 1), c = (int)((insn >> 20) & 3);
    bool u = insn & (1u << 24);
    int bits = 8 << c;
    bool q = regs == 2;
    /* Allocation checks. */
    if (a == 1 && b) { /* logic */
    } else if (a >= 0xc) {
        if (a == 0xc && (!b || u)) {
            return false;
        }
        if (c & 1) {
            return false; /* half-precision float forms not in v7 */
        }
        if (a == 0xd && b && u && (c & 2)) {
            return false;
        }
        if (a == 0xe && ((!b && !u && (c & 2)) || (b && !u))) {
            return false;
        }
        if (a == 0xf && b && u) {
            return false;
        }
        if ((a == 0xd && u && !b && !(c & 2)) || (a == 0xf && !b && u)) {
            if (q) {
                return false; /* pairwise float: D only */
            }
        }
    } else {
        if (c == 3 && !(a == 0 || a == 2 || a == 4 || a == 5 || a == 8)) {
            return false;
        }
        if (c == 3 && a == 8 && b) {
            return false;
        }
        if ((a == 0xa || (a == 0xb && b)) && q) {
            return false;
        }
        if (a == 0xb && ((!b && (c == 0 || c == 3)) || (b && u))) {
            return false;
        }
        if (a == 9 && b && u && c != 0) {
            return false;
        }
    }
    if (!env) {
        return true;
    }
    uint64_t vn[2], vm[2], vd[2], r[2];
    rd_regs(env, vn, n, regs);
    rd_regs(env, vm, m, regs);
    rd_regs(env, vd, d, regs);
    memcpy(r, vd, sizeof(r));
    if (a == 1 && b) {
        for (int i = 0; i < regs; i++) {
            uint64_t x = vn[i], y = vm[i], z = vd[i];
            switch (c | (u ? 4 : 0)) {
            case 0: r[i] = x & y; break;
            case 1: r[i] = x & ~y; break;
            case 2: r[i] = x | y; break;
            case 3: r[i] = x | ~y; break;
            case 4: r[i] = x ^ y; break;
            case 5: r[i] = (x & z) | (y & ~z); break;
            case 6: r[i] = (x & y) | (z & ~y); break;
            default: r[i] = (z & y) | (x & ~y); break;
            }
        }
        wr_regs(env, r, d, regs);
        return true;
    }
    int ne = regs * 64 / bits;
    if (a >= 0xc) { /* float */
        ne = regs * 2;
        bool pair = (a == 0xd && u && !b && !(c & 2)) || (a == 0xf && !b && u);
        for (int i = 0; i < ne; i++) {
            uint32_t x, y, z = (uint32_t)el_get(vd, i, 32), o = 0;
            if (pair) {
                const uint64_t *src = i < ne / 2 ? vn : vm;
                int k = (i % (ne / 2)) * 2;
                x = (uint32_t)el_get(src, k, 32);
                y = (uint32_t)el_get(src, k + 1, 32);
            } else {
                x = (uint32_t)el_get(vn, i, 32);
                y = (uint32_t)el_get(vm, i, 32);
            }
            switch (a << 2 | b << 1 | (u ? 1 : 0)) {
            case 0xc << 2 | 2:
                o = helper_vfp_fma_s(env, z, (c & 2) ? x ^ 0x80000000u : x, y, 1);
                break;
            case 0xd << 2: o = fop(env, x, y, (c & 2) ? VFP_SUB : VFP_ADD); break;
            case 0xd << 2 | 1:
                if (c & 2) {
                    o = fop(env, x, y, VFP_SUB) & 0x7fffffffu;
                    if (f_nan(o)) {
                        o = 0x7fc00000u;
                    }
                } else {
                    o = fop(env, x, y, VFP_ADD);
                }
                break;
            case 0xd << 2 | 2: {
                uint32_t p = fop(env, x, y, VFP_MUL);
                o = fop(env, z, (c & 2) ? p ^ 0x80000000u : p, VFP_ADD);
                break;
            }
            case 0xd << 2 | 3: o = fop(env, x, y, VFP_MUL); break;
            case 0xe << 2: o = fcmp(env, x, y, 0) ? ~0u : 0; break;
            case 0xe << 2 | 1: o = fcmp(env, x, y, (c & 2) ? 2 : 1) ? ~0u : 0; break;
            case 0xe << 2 | 3: o = fcmp(env, x, y, (c & 2) ? 4 : 3) ? ~0u : 0; break;
            case 0xf << 2:
            case 0xf << 2 | 1: o = fminmax(env, x, y, c & 2); break;
            case 0xf << 2 | 2: o = fstep(env, x, y, c & 2); break;
            default: break;
            }
            el_set(r, i, 32, o);
        }
        wr_regs(env, r, d, regs);
        return true;
    }
    for (int i = 0; i < ne; i++) {
        i128 x = el_val(vn, i, bits, u), y = el_val(vm, i, bits, u);
        uint64_t xu = el_get(vn, i, bits), yu = el_get(vm, i, bits), z = el_get(vd, i, bits);
        if (a == 4 || a == 5) { /* shifts by register: the value is Vm, the amount Vn */
            x = y;
            yu = xu;
        }
        uint64_t o = 0;
        uint64_t mask = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
        switch (a << 1 | b) {
        case 0: o = (uint64_t)((x + y) >> 1); break;
        case 1: o = sat(env, x + y, bits, u); break;
        case 2: o = (uint64_t)((x + y + 1) >> 1); break;
        case 4: o = (uint64_t)((x - y) >> 1); break;
        case 5: o = sat(env, x - y, bits, u); break;
        case 6: o = x > y ? mask : 0; break;
        case 7: o = x >= y ? mask : 0; break;
        case 8: o = shl_reg(env, x, (int64_t)yu, bits, u, false, false); break;
        case 9: o = shl_reg(env, x, (int64_t)yu, bits, u, true, false); break;
        case 10: o = shl_reg(env, x, (int64_t)yu, bits, u, false, true); break;
        case 11: o = shl_reg(env, x, (int64_t)yu, bits, u, true, true); break;
        case 12: o = (uint64_t)(x > y ? x : y); break;
        case 13: o = (uint64_t)(x < y ? x : y); break;
        case 14: o = (uint64_t)(x > y ? x - y : y - x); break;
        case 15: o = z + (uint64_t)(x > y ? x - y : y - x); break;
        case 16: o = u ? xu - yu : xu + yu; break;
        case 17: o = u ? ((xu == yu) ? mask : 0) : ((xu & yu) ? mask : 0); break;
        case 18: o = u ? z - xu * yu : z + xu * yu; break;
        case 19:
            if (u) { /* polynomial multiply over GF(2), 8-bit */
                uint64_t p = 0;
                for (int k = 0; k < 8; k++) {
                    if (yu & (1u << k)) {
                        p ^= xu << k;
                    }
                }
                o = p;
            } else {
                o = xu * yu;
            }
            break;
        case 20:
        case 21:
        case 22: { /* VPMAX, VPMIN, VQDMULH (b=0, a=0xb handled below) */ break;
        }
        default: break;
        }
        if (a == 0xa || (a == 0xb && b)) { /* pairwise: D only */
            const uint64_t *src = i < ne / 2 ? vn : vm;
            int k = (i % (ne / 2)) * 2;
            i128 p0 = el_val(src, k, bits, u), p1 = el_val(src, k + 1, bits, u);
            if (a == 0xb) {
                o = (uint64_t)(p0 + p1);
            } else {
                o = (uint64_t)(b ? (p0 < p1 ? p0 : p1) : (p0 > p1 ? p0 : p1));
            }
        } else if (a == 0xb) { /* VQDMULH, VQRDMULH */
            i128 p = 2 * x * y + (u ? (i128)1 << (bits - 1) : 0);
            o = sat(env, p >> bits, bits, false);
        }
        el_set(r, i, bits, o);
    }
    wr_regs(env, r, d, regs);
    return true;
}

/* One register and a modified immediate (VMOV, VMVN, VORR, VBIC). */
static bool dp_imm(ArmEnv *env, uint32_t insn, int d, int regs)
{
    int cmode = (int)((insn >> 8) & 0xf), op = (int)((insn >> 5) & 1);
    uint64_t imm8 = ((insn >> 17) & 0x80) | ((insn >> 12) & 0x70) | (insn & 0xf);
    uint64_t imm;
    if (op && cmode == 0xf) {
        return false;
    }
    if (!env) {
        return true;
    }
    switch (cmode >> 1) {
    case 0:
    case 1:
    case 2:
    case 3:
        imm = imm8 << (8 * (cmode >> 1));
        imm |= imm << 32;
        break;
    case 4:
    case 5:
        imm = imm8 << (8 * ((cmode >> 1) & 1));
        imm *= UINT64_C(0x0001000100010001);
        break;
    case 6:
        imm = (cmode & 1) ? (imm8 << 16 | 0xffff) : (imm8 << 8 | 0xff);
        imm |= imm << 32;
        break;
    default:
        if (cmode == 0xe && !op) {
            imm = imm8 * UINT64_C(0x0101010101010101);
        } else if (cmode == 0xe) {
            imm = 0;
            for (int i = 0; i < 8; i++) {
                if (imm8 & (1u << i)) {
                    imm |= UINT64_C(0xff) << (8 * i);
                }
            }
        } else {
            uint32_t f =
                (uint32_t)((imm8 & 0x80) << 24 | (imm8 & 0x40 ? 0x3e000000u : 0x40000000u) |
                           (imm8 & 0x3f) << 19);
            imm = (uint64_t)f << 32 | f;
        }
        break;
    }
    bool logic = (cmode < 12 && (cmode & 1)); /* VORR/VBIC */
    uint64_t r[2];
    rd_regs(env, r, d, regs);
    for (int i = 0; i < regs; i++) {
        if (logic) {
            r[i] = op ? r[i] & ~imm : r[i] | imm;
        } else {
            r[i] = (op && cmode != 0xe) ? ~imm : imm;
        }
    }
    wr_regs(env, r, d, regs);
    return true;
}

/* Two registers and a shift amount. */
static bool dp_shift(ArmEnv *env, uint32_t insn, int d, int m, int regs)
{
    int a = (int)((insn >> 8) & 0xf), l = (int)((insn >> 7) & 1), b = (int)((insn >> 6) & 1);
    bool u = insn & (1u << 24);
    int imm6 = (int)((insn >> 16) & 0x3f);
    int bits = l ? 64 : imm6 >= 32 ? 32 : imm6 >= 16 ? 16 : 8;
    int shr = l ? 64 - imm6 : 2 * bits - imm6;
    int shl = l ? imm6 : imm6 - bits;
    bool narrow = a == 8 || a == 9;
    if (narrow || a == 0xa) {
        if (l) {
            return false;
        }
        if (narrow && (d & 0)) {
            return false;
        }
    }
    if (a >= 0xb && !(a == 0xe || a == 0xf)) {
        return false;
    }
    if (a >= 0xe) { /* VCVT between float and fixed point (bit 8: to fixed) */
        if (l || imm6 < 32) {
            return false;
        }
        if (!env) {
            return true;
        }
        int frac = 64 - imm6;
        uint32_t op =
            (a & 1) ? ((u ? CVT_S_TO_UI : CVT_S_TO_SI) | CVT_RZ) : (u ? CVT_UI_TO_S : CVT_SI_TO_S);
        uint64_t vm[2], r[2];
        rd_regs(env, vm, m, regs);
        uint32_t save = env->vfp.fpscr;
        env->vfp.fpscr = (save & 0x9f) | FPSCR_FZ | FPSCR_DN;
        for (int i = 0; i < regs * 2; i++) {
            el_set(r, i, 32, helper_vfp_cvt(env, el_get(vm, i, 32), op | (uint32_t)frac << 8));
        }
        env->vfp.fpscr = (save & ~0x9fu) | (env->vfp.fpscr & 0x9f);
        wr_regs(env, r, d, regs);
        return true;
    }
    if (a == 4 && !u) {
        return false;
    }
    if ((a == 6 || a == 7) && !u && a == 6) {
        return false; /* VQSHLU needs U=1 */
    }
    if (!env) {
        return true;
    }
    uint64_t vm[2], vd[2], r[2];
    rd_regs(env, vm, m, narrow ? 2 : regs);
    rd_regs(env, vd, d, regs);
    memcpy(r, vd, sizeof(r));
    if (narrow) { /* VSHRN, VRSHRN, VQSHRN, VQRSHRN, VQSHRUN, VQRSHRUN: Qm -> Dd */
        bool rnd = b, satq = !(a == 8 && !u);
        bool src_uns = u && a == 9, dst_uns = u;
        /* a=8: U=0 VSHRN/VRSHRN, U=1 VQSHRUN/VQRSHRUN; a=9: VQSHRN/VQRSHRN (U: unsigned) */
        if (a == 8 && u) {
            src_uns = false;
        }
        int wbits = bits * 2;
        uint64_t o[1] = {0};
        for (int i = 0; i < 64 / bits; i++) {
            i128 v = el_val(vm, i, wbits, src_uns);
            if (rnd) {
                v += (i128)1 << (shr - 1);
            }
            v >>= shr;
            el_set(o, i, bits, satq ? sat(env, v, bits, dst_uns) : (uint64_t)v);
        }
        wr_regs(env, o, d, 1);
        return true;
    }
    if (a == 0xa) { /* VSHLL / VMOVL: Dm -> Qd */
        uint64_t o[2] = {0, 0};
        for (int i = 0; i < 64 / bits; i++) {
            i128 v = el_val(vm, i, bits, u);
            el_set(o, i, bits * 2, (uint64_t)v << shl);
        }
        wr_regs(env, o, d, 2);
        return true;
    }
    int ne = regs * 64 / bits;
    for (int i = 0; i < ne; i++) {
        i128 v = el_val(vm, i, bits, u);
        uint64_t z = el_get(vd, i, bits), o;
        uint64_t mask = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
        switch (a) {
        case 0:
        case 1:
        case 2:
        case 3: { /* VSHR, VSRA, VRSHR, VRSRA */
            i128 x = v;
            if (a >= 2) {
                x += (i128)1 << (shr - 1);
            }
            o = (uint64_t)(x >> shr);
            if (a & 1) {
                o += z;
            }
            break;
        }
        case 4: { /* VSRI */
            uint64_t keep = shr == 64 ? mask : ~(mask >> shr) & mask;
            uint64_t ins = shr == 64 ? 0 : el_get(vm, i, bits) >> shr;
            o = (z & keep) | (ins & ~keep);
            break;
        }
        case 5: /* VSHL (U=0), VSLI (U=1) */
            if (u) {
                uint64_t keep = (UINT64_C(1) << shl) - 1;
                o = (z & keep) | ((el_get(vm, i, bits) << shl) & ~keep);
            } else {
                o = el_get(vm, i, bits) << shl;
            }
            break;
        case 6: /* VQSHLU: signed in, unsigned out */
            o = sat(env, el_val(vm, i, bits, false) * ((i128)1 << shl), bits, true);
            break;
        default: /* 7: VQSHL */ o = sat(env, v * ((i128)1 << shl), bits, u); break;
        }
        el_set(r, i, bits, o);
    }
    wr_regs(env, r, d, regs);
    return true;
}

/* The ARM reciprocal estimate: q in [256, 512) stands for q/512 in [0.5, 1); returns s
 * in [256, 512) standing for s/256, the reciprocal of the interval's midpoint rounded. */
static uint32_t recip_est(uint32_t q)
{
    uint32_t b = (1u << 19) / (2 * q + 1);
    return (b + 1) / 2;
}

/* Reciprocal square root estimate: q in [128, 512) stands for q/512 in [0.25, 1). */
static uint32_t rsqrt_est(uint32_t q)
{
    double a = q < 256 ? (q + 0.5) / 512.0 : ((q >> 1) + 0.5) / 256.0;
    double r = 1.0 / sqrt(a);
    return (uint32_t)floor(256.0 * r + 0.5);
}

static uint32_t frecpe(ArmEnv *env, uint32_t x)
{
    x = f_flush(env, x);
    uint32_t sign = x & 0x80000000u, e = (x >> 23) & 0xff;
    if (f_nan(x)) {
        if (!(x & 0x400000)) {
            env->vfp.fpscr |= FPSCR_IOC;
        }
        return 0x7fc00000u;
    }
    if (e == 0xff) {
        return sign;
    }
    if (!(x & 0x7fffffffu)) {
        env->vfp.fpscr |= FPSCR_DZC;
        return sign | 0x7f800000u;
    }
    if (e >= 253) {
        env->vfp.fpscr |= FPSCR_UFC;
        return sign;
    }
    uint32_t s = recip_est(256 + ((x >> 15) & 0xff));
    return sign | (253 - e) << 23 | (s & 0xff) << 15;
}

static uint32_t frsqrte(ArmEnv *env, uint32_t x)
{
    x = f_flush(env, x);
    uint32_t e = (x >> 23) & 0xff;
    if (f_nan(x)) {
        if (!(x & 0x400000)) {
            env->vfp.fpscr |= FPSCR_IOC;
        }
        return 0x7fc00000u;
    }
    if (!(x & 0x7fffffffu)) {
        env->vfp.fpscr |= FPSCR_DZC;
        return (x & 0x80000000u) | 0x7f800000u;
    }
    if (x & 0x80000000u) {
        env->vfp.fpscr |= FPSCR_IOC;
        return 0x7fc00000u;
    }
    if (e == 0xff) {
        return 0;
    }
    /* odd biased exponent: the fraction scaled into [0.25, 0.5); even: [0.5, 1) */
    uint32_t q = (e & 1) ? 128 + ((x >> 16) & 0x7f) : 256 + ((x >> 15) & 0xff);
    uint32_t s = rsqrt_est(q);
    return ((380 - e) / 2) << 23 | (s & 0xff) << 15;
}

static uint32_t urecpe(uint32_t x)
{
    if (!(x & 0x80000000u)) {
        return 0xffffffffu;
    }
    return recip_est(256 + ((x >> 23) & 0xff)) << 23;
}

static uint32_t ursqrte(uint32_t x)
{
    if (!(x & 0xc0000000u)) {
        return 0xffffffffu;
    }
    uint32_t q = (x & 0x80000000u) ? 256 + ((x >> 23) & 0xff) : 128 + ((x >> 24) & 0x7f);
    return rsqrt_est(q) << 23;
}

/* Two registers, miscellaneous (size 11 space with U=1, bits 11..10 not 11). */
static bool dp_misc(ArmEnv *env, uint32_t insn, int d, int m, int regs)
{
    int size = (int)((insn >> 18) & 3), opa = (int)((insn >> 16) & 3);
    int opb = (int)((insn >> 6) & 0x1f);
    int bits = 8 << size;
    int op = opa << 5 | opb; /* A:B with Q folded in bit 0 of B */
    int kind = op >> 1;      /* without Q */
    bool ok;
    switch (kind) {
    case 0x00: ok = size < 3; break;  /* VREV64 */
    case 0x01: ok = size < 2; break;  /* VREV32 */
    case 0x02: ok = size == 0; break; /* VREV16 */
    case 0x08: ok = size < 3; break;  /* VCLS */
    case 0x09: ok = size < 3; break;  /* VCLZ */
    case 0x0a: ok = size == 0; break; /* VCNT */
    case 0x0b: ok = size == 0; break; /* VMVN */
    case 0x0e: ok = size < 3; break;  /* VQABS */
    case 0x0f: ok = size < 3; break;  /* VQNEG */
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13:
    case 0x14: /* compares with zero */ ok = size < 3; break;
    case 0x16: ok = size < 3; break; /* VABS */
    case 0x17: ok = size < 3; break; /* VNEG */
    case 0x18:
    case 0x19:
    case 0x1a:
    case 0x1b:
    case 0x1c:
    case 0x1e:
    case 0x1f: ok = size == 2; break; /* float compares with zero, VABS, VNEG */
    case 0x20: ok = size == 0; break; /* VSWP */
    case 0x21:
    case 0x22:
    case 0x23: ok = size < 3 && !(kind != 0x21 && !(op & 1) && size == 2); break;
    case 0x24: ok = size < 3 && (op & 1) == 0; break; /* VMOVN */
    case 0x25: ok = size < 3; break;                  /* VQMOVUN / VQMOVN */
    case 0x38:
    case 0x39:
    case 0x3a:
    case 0x3b: /* VRECPE, VRSQRTE (U32, F32) */
    case 0x3c:
    case 0x3d:
    case 0x3e:
    case 0x3f: ok = size == 2; break; /* VCVT f<->i */
    case 0x04:
    case 0x05:
    case 0x0c:
    case 0x0d: ok = size < 3; break;              /* VPADDL, VPADAL */
    case 0x26: ok = size < 3 && !(op & 1); break; /* VSHLL by the element size */
    case 0x2c:
    case 0x2e: ok = size == 1 && !(op & 1); break; /* VCVT between F16 and F32 */
    default: ok = false; break;
    }
    if (kind == 0x24 && (op & 1)) {
        ok = size < 3; /* VQMOVUN */
    }
    if (!ok) {
        return false;
    }
    if ((kind == 0x24 || kind == 0x25) && regs != 2) {
        /* narrowing: Qm -> Dd; regs derives from Q = op&1 which here selects the variant */
    }
    if ((kind == 0x26 && (d & 1)) || (kind == 0x2c && (m & 1)) || (kind == 0x2e && (d & 1))) {
        return false;
    }
    if (!env) {
        return true;
    }
    bool narrow = kind == 0x24 || kind == 0x25;
    int rq = narrow ? 2 : regs;
    uint64_t vm[2] = {0, 0}, vd[2] = {0, 0}, r[2] = {0, 0};
    rd_regs(env, vm, m, rq);
    rd_regs(env, vd, d, narrow ? 1 : regs);
    int ne = regs * 64 / bits;
    uint64_t mask = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
    if (narrow) {
        for (int i = 0; i < 64 / bits; i++) {
            i128 v;
            uint64_t o;
            if (kind == 0x24 && !(op & 1)) {
                o = el_get(vm, i, bits * 2);
            } else if (kind == 0x24) { /* VQMOVUN: signed to unsigned */
                v = el_val(vm, i, bits * 2, false);
                o = sat(env, v, bits, true);
            } else { /* VQMOVN: op&1 = unsigned */
                v = el_val(vm, i, bits * 2, op & 1);
                o = sat(env, v, bits, op & 1);
            }
            el_set(r, i, bits, o);
        }
        wr_regs(env, r, d, 1);
        return true;
    }
    if (kind == 0x2c || kind == 0x2e) { /* standard FPSCR controls, AHP from FPSCR */
        uint64_t src[2], res[2] = {0, 0};
        rd_regs(env, src, m, kind == 0x2c ? 2 : 1);
        uint32_t save = env->vfp.fpscr;
        env->vfp.fpscr = (save & (0x9f | FPSCR_AHP)) | FPSCR_FZ | FPSCR_DN;
        for (int i = 0; i < 4; i++) {
            if (kind == 0x2c) {
                el_set(res, i, 16, helper_vfp_cvt(env, el_get(src, i, 32), CVT_S_TO_H));
            } else {
                el_set(res, i, 32, helper_vfp_cvt(env, el_get(src, i, 16), CVT_H_TO_S));
            }
        }
        env->vfp.fpscr = (save & ~0x9fu) | (env->vfp.fpscr & 0x9f);
        wr_regs(env, res, d, kind == 0x2c ? 1 : 2);
        return true;
    }
    if (kind == 0x26) {
        for (int i = 0; i < 64 / bits; i++) {
            el_set(r, i, 2 * bits, el_get(vm, i, bits) << bits);
        }
        wr_regs(env, r, d, 2);
        return true;
    }
    if (kind == 0x04 || kind == 0x05 || kind == 0x0c || kind == 0x0d) {
        bool uns = kind & 1;
        for (int i = 0; i < ne / 2; i++) {
            i128 v = el_val(vm, 2 * i, bits, uns) + el_val(vm, 2 * i + 1, bits, uns);
            if (kind >= 0x0c) {
                v += el_val(vd, i, 2 * bits, uns);
            }
            el_set(r, i, 2 * bits, (uint64_t)v);
        }
        wr_regs(env, r, d, regs);
        return true;
    }
    if (kind == 0x20) { /* VSWP */
        wr_regs(env, vm, d, regs);
        wr_regs(env, vd, m, regs);
        return true;
    }
    if (kind >= 0x21 && kind <= 0x23) { /* VTRN, VUZP, VZIP */
        uint64_t a2[2] = {0, 0}, b2[2] = {0, 0};
        uint64_t cat[4];
        int n = ne;
        if (kind == 0x21) {
            memcpy(a2, vd, sizeof(a2));
            memcpy(b2, vm, sizeof(b2));
            for (int i = 0; i < n; i += 2) {
                el_set(a2, i + 1, bits, el_get(vm, i, bits));
                el_set(b2, i, bits, el_get(vd, i + 1, bits));
            }
        } else {
            memcpy(cat, vd, 16);
            memcpy(cat + regs, vm, 16);
            uint64_t all[4];
            for (int k = 0; k < regs; k++) {
                all[k] = vd[k];
                all[regs + k] = vm[k];
            }
            uint64_t out[4] = {0, 0, 0, 0};
            for (int i = 0; i < n; i++) {
                if (kind == 0x22) { /* VUZP: evens then odds */
                    el_set(out, i, bits, el_get(all, 2 * i, bits));
                    el_set(out, n + i, bits, el_get(all, 2 * i + 1, bits));
                } else { /* VZIP: interleave */
                    el_set(out, 2 * i, bits, el_get(all, i, bits));
                    el_set(out, 2 * i + 1, bits, el_get(all, n + i, bits));
                }
            }
            for (int k = 0; k < regs; k++) {
                a2[k] = out[k];
                b2[k] = out[regs + k];
            }
        }
        wr_regs(env, a2, d, regs);
        wr_regs(env, b2, m, regs);
        return true;
    }
    for (int i = 0; i < ne; i++) {
        uint64_t x = el_get(vm, i, bits), o = 0;
        i128 sv = (i128)sext(x, bits);
        switch (kind) {
        case 0x00:
        case 0x01:
        case 0x02: { /* VREVn: reverse elements within 64/32/16 */
            int group = kind == 0 ? 64 : kind == 1 ? 32 : 16;
            int per = group / bits;
            int base = i - i % per;
            o = el_get(vm, base + (per - 1 - i % per), bits);
            break;
        }
        case 0x08: { /* VCLS */
            int c = 0;
            for (int k = bits - 2; k >= 0 && ((x >> k) & 1) == ((x >> (bits - 1)) & 1); k--) {
                c++;
            }
            o = (uint64_t)c;
            break;
        }
        case 0x09: {
            int c = 0;
            for (int k = bits - 1; k >= 0 && !((x >> k) & 1); k--) {
                c++;
            }
            o = (uint64_t)c;
            break;
        }
        case 0x0a: o = (uint64_t)__builtin_popcountll(x); break;
        case 0x0b: o = ~x; break;
        case 0x0e: o = sat(env, sv < 0 ? -sv : sv, bits, false); break;
        case 0x0f: o = sat(env, -sv, bits, false); break;
        case 0x10: o = sv > 0 ? mask : 0; break;
        case 0x11: o = sv >= 0 ? mask : 0; break;
        case 0x12: o = sv == 0 ? mask : 0; break;
        case 0x13: o = sv <= 0 ? mask : 0; break;
        case 0x14: o = sv < 0 ? mask : 0; break;
        case 0x16: o = (uint64_t)(sv < 0 ? -sv : sv); break;
        case 0x17: o = (uint64_t)(-sv); break;
        case 0x18: o = fcmp(env, (uint32_t)x, 0, 2) ? mask : 0; break;
        case 0x19: o = fcmp(env, (uint32_t)x, 0, 1) ? mask : 0; break;
        case 0x1a: o = fcmp(env, (uint32_t)x, 0, 0) ? mask : 0; break;
        case 0x1b: o = fcmp(env, 0, (uint32_t)x, 1) ? mask : 0; break; /* <= 0 */
        case 0x1c: o = fcmp(env, 0, (uint32_t)x, 2) ? mask : 0; break; /* < 0 */
        case 0x1e: o = x & 0x7fffffffu; break;
        case 0x1f: o = x ^ 0x80000000u; break;
        case 0x38: o = urecpe((uint32_t)x); break;
        case 0x39: o = ursqrte((uint32_t)x); break;
        case 0x3a: o = frecpe(env, (uint32_t)x); break;
        case 0x3b: o = frsqrte(env, (uint32_t)x); break;
        default: { /* 0x3c..0x3f: VCVT.F32.S32, .F32.U32, .S32.F32, .U32.F32 (round to nearest /
                      zero) */
            uint32_t save = env->vfp.fpscr;
            env->vfp.fpscr = (save & 0x9f) | FPSCR_FZ | FPSCR_DN;
            static const uint32_t ops[4] = {CVT_SI_TO_S, CVT_UI_TO_S, CVT_S_TO_SI | CVT_RZ,
                                            CVT_S_TO_UI | CVT_RZ};
            o = helper_vfp_cvt(env, x, ops[(kind - 0x3c) & 3]);
            env->vfp.fpscr = (save & ~0x9fu) | (env->vfp.fpscr & 0x9f);
            break;
        }
        }
        el_set(r, i, bits, o);
    }
    wr_regs(env, r, d, regs);
    return true;
}

/* Three registers of different lengths: long (Dn, Dm -> Qd), wide (Qn, Dm -> Qd) and
 * narrow-high (Qn, Qm -> Dd) forms. */
static bool dp_3diff(ArmEnv *env, uint32_t insn, int d, int n, int m)
{
    int a = (int)((insn >> 8) & 0xf), size = (int)((insn >> 20) & 3);
    bool u = insn & (1u << 24);
    int bits = 8 << size, wb = bits * 2;
    bool wide = a == 1 || a == 3, hn = a == 4 || a == 6;
    if (a == 0xf || ((a == 9 || a == 0xb || a == 0xd) && (u || size == 0)) ||
        (a == 0xe && (u || size != 0))) {
        return false;
    }
    if ((!hn && (d & 1)) || ((wide || hn) && (n & 1)) || (hn && (m & 1))) {
        return false;
    }
    if (!env) {
        return true;
    }
    uint64_t vn[2], vm[2], vd[2], r[2] = {0, 0};
    rd_regs(env, vn, n, (wide || hn) ? 2 : 1);
    rd_regs(env, vm, m, hn ? 2 : 1);
    rd_regs(env, vd, d, hn ? 1 : 2);
    for (int i = 0; i < 64 / bits; i++) {
        i128 x = wide || hn ? el_val(vn, i, wb, u) : el_val(vn, i, bits, u);
        i128 y = hn ? el_val(vm, i, wb, u) : el_val(vm, i, bits, u);
        i128 acc = hn ? 0 : el_val(vd, i, wb, false);
        i128 o;
        switch (a) {
        case 0:
        case 1: o = x + y; break;
        case 2:
        case 3: o = x - y; break;
        case 4:
        case 6: {
            uint64_t xu = el_get(vn, i, wb), yu = el_get(vm, i, wb);
            uint64_t v = a == 4 ? xu + yu : xu - yu;
            if (u) {
                v += UINT64_C(1) << (bits - 1);
            }
            el_set(r, i, bits, v >> bits);
            continue;
        }
        case 5: o = acc + (x > y ? x - y : y - x); break;
        case 7: o = x > y ? x - y : y - x; break;
        case 8: o = acc + x * y; break;
        case 10: o = acc - x * y; break;
        case 12: o = x * y; break;
        case 14: { /* VMULL.P8 */
            uint64_t p = 0, xu = el_get(vn, i, 8), yu = el_get(vm, i, 8);
            for (int k = 0; k < 8; k++) {
                if (yu & (1u << k)) {
                    p ^= xu << k;
                }
            }
            o = (i128)p;
            break;
        }
        default: { /* 9, 11, 13: VQDMLAL, VQDMLSL, VQDMULL */
            i128 p = (i128)sat(env, 2 * x * y, wb, false);
            p = sext((uint64_t)p, wb);
            o = a == 13 ? p : (i128)sext(sat(env, a == 9 ? acc + p : acc - p, wb, false), wb);
            break;
        }
        }
        el_set(r, i, wb, (uint64_t)o);
    }
    wr_regs(env, r, d, hn ? 1 : 2);
    return true;
}

/* Two registers and a scalar (Dm[x]). */
static bool dp_scalar(ArmEnv *env, uint32_t insn, int d, int n)
{
    int a = (int)((insn >> 8) & 0xf), size = (int)((insn >> 20) & 3);
    bool q = insn & (1u << 24); /* Q for the same-length forms, U for the long ones */
    bool lng = a == 2 || a == 3 || a == 6 || a == 7 || a == 0xa || a == 0xb;
    bool flt = a == 1 || a == 5 || a == 9;
    int bits = 8 << size;
    if (size == 0 || size == 3 || a >= 0xe || (flt && size != 2) ||
        ((a == 3 || a == 7 || a == 0xb) && q)) {
        return false;
    }
    int regs = lng ? 1 : (q ? 2 : 1);
    if ((lng && (d & 1)) || (!lng && q && ((d | n) & 1))) {
        return false;
    }
    if (!env) {
        return true;
    }
    int vm = (int)(insn & 0xf), mbit = (int)((insn >> 5) & 1), dm, idx;
    if (size == 1) {
        dm = vm & 7, idx = mbit << 1 | (vm >> 3);
    } else {
        dm = vm, idx = mbit;
    }
    uint64_t sc = el_get(&env->vfp.regs[dm], idx, bits);
    uint64_t vn[2], vd[2], r[2];
    rd_regs(env, vn, n, regs);
    rd_regs(env, vd, d, lng ? 2 : regs);
    memcpy(r, vd, sizeof(r));
    bool u = lng && q;
    int ne = regs * 64 / bits;
    for (int i = 0; i < ne; i++) {
        uint64_t xu = el_get(vn, i, bits), z = el_get(vd, i, lng ? bits * 2 : bits);
        i128 x = el_val(vn, i, bits, u), y = u ? (i128)sc : (i128)sext(sc, bits);
        uint64_t o;
        switch (a) {
        case 0: o = z + xu * sc; break;
        case 4: o = z - xu * sc; break;
        case 8: o = xu * sc; break;
        case 1:
        case 5:
        case 9: {
            uint32_t p = fop(env, (uint32_t)xu, (uint32_t)sc, VFP_MUL);
            if (a == 1) {
                p = fop(env, (uint32_t)z, p, VFP_ADD);
            } else if (a == 5) {
                p = fop(env, (uint32_t)z, p ^ 0x80000000u, VFP_ADD);
            }
            o = p;
            break;
        }
        case 2: o = (uint64_t)((i128)z + x * y); break; /* modulo the element width */
        case 6: o = (uint64_t)((i128)z - x * y); break;
        case 0xa: o = (uint64_t)(x * y); break;
        case 0xc:
        case 0xd: {
            i128 p = 2 * x * y + (a == 0xd ? (i128)1 << (bits - 1) : 0);
            o = sat(env, p >> bits, bits, false);
            break;
        }
        default: { /* 3, 7, 0xb: VQDMLAL, VQDMLSL, VQDMULL */
            i128 p = sext(sat(env, 2 * x * y, 2 * bits, false), 2 * bits);
            i128 acc = sext(z, 2 * bits);
            o = a == 0xb ? (uint64_t)p : sat(env, a == 3 ? acc + p : acc - p, 2 * bits, false);
            break;
        }
        }
        el_set(r, i, lng ? 2 * bits : bits, o);
    }
    wr_regs(env, r, d, lng ? 2 : regs);
    return true;
}

bool neon_dp(ArmEnv *env, uint32_t insn)
{
    if ((insn & 0xfe000000u) != 0xf2000000u) {
        return false;
    }
    bool q = insn & (1u << 6);
    int d = (int)(((insn >> 18) & 0x10) | ((insn >> 12) & 0xf));
    int n = (int)(((insn >> 3) & 0x10) | ((insn >> 16) & 0xf));
    int m = (int)(((insn >> 1) & 0x10) | (insn & 0xf));
    int regs = q ? 2 : 1;
    bool u = insn & (1u << 24);
    if (!(insn & (1u << 23))) {
        if (q && ((d | n | m) & 1)) {
            return false;
        }
        return dp_3same(env, insn, d, n, m, regs);
    }
    if (insn & 0x10) {
        if (!(insn & 0x00380080u)) { /* modified immediate */
            if (q && (d & 1)) {
                return false;
            }
            return dp_imm(env, insn, d, regs);
        }
        int a = (int)((insn >> 8) & 0xf);
        if (a == 8 || a == 9) { /* narrowing: Qm -> Dd; bit 6 is "round" here */
            if (m & 1) {
                return false;
            }
            return dp_shift(env, insn, d, m, 1);
        }
        if (a == 0xa) {
            if ((d & 1) || q) {
                return false;
            }
            return dp_shift(env, insn, d, m, 1);
        }
        if (q && ((d | m) & 1)) {
            return false;
        }
        return dp_shift(env, insn, d, m, regs);
    }
    if (((insn >> 20) & 3) == 3) {
        if (!u) { /* VEXT */
            int imm4 = (int)((insn >> 8) & 0xf);
            if ((q && ((d | n | m) & 1)) || (!q && imm4 > 7)) {
                return false;
            }
            if (!env) {
                return true;
            }
            uint8_t cat[32], out[16];
            int nb = regs * 8;
            for (int i = 0; i < regs; i++) {
                memcpy(cat + 8 * i, &env->vfp.regs[(n + i) & 31], 8);
                memcpy(cat + nb + 8 * i, &env->vfp.regs[(m + i) & 31], 8);
            }
            memcpy(out, cat + imm4, (size_t)nb);
            for (int i = 0; i < regs; i++) {
                memcpy(&env->vfp.regs[(d + i) & 31], out + 8 * i, 8);
            }
            return true;
        }
        int a = (int)((insn >> 8) & 0xf);
        if (a < 8) {
            int opa = (int)((insn >> 16) & 3), opb = (int)((insn >> 6) & 0x1f);
            int k = (opa << 5 | opb) >> 1;
            if (k == 0x24 || k == 0x25) {
                if (m & 1) {
                    return false;
                }
                return dp_misc(env, insn, d, m, 1);
            }
            if (q && ((d | m) & 1)) {
                return false;
            }
            return dp_misc(env, insn, d, m, regs);
        }
        if ((a & 0xc) == 8) { /* VTBL, VTBX */
            int len = (a & 3) + 1;
            if (n + len > 32) {
                return false;
            }
            if (!env) {
                return true;
            }
            uint8_t table[32], idx[8], res[8];
            for (int i = 0; i < len; i++) {
                memcpy(table + 8 * i, &env->vfp.regs[n + i], 8);
            }
            memcpy(idx, &env->vfp.regs[m], 8);
            memcpy(res, &env->vfp.regs[d], 8);
            for (int i = 0; i < 8; i++) {
                if (idx[i] < 8 * len) {
                    res[i] = table[idx[i]];
                } else if (!(insn & 0x40)) {
                    res[i] = 0;
                }
            }
            memcpy(&env->vfp.regs[d], res, 8);
            return true;
        }
        if (a == 0xc) { /* VDUP scalar */
            int imm4 = (int)((insn >> 16) & 0xf), bits, idx;
            if (imm4 & 1) {
                bits = 8, idx = imm4 >> 1;
            } else if (imm4 & 2) {
                bits = 16, idx = imm4 >> 2;
            } else if (imm4 & 4) {
                bits = 32, idx = imm4 >> 3;
            } else {
                return false;
            }
            if (q && (d & 1)) {
                return false;
            }
            if (!env) {
                return true;
            }
            uint64_t v = el_get(&env->vfp.regs[m], idx, bits), r[2] = {0, 0};
            for (int i = 0; i < 64 / bits; i++) {
                el_set(r, i, bits, v);
            }
            r[1] = r[0];
            wr_regs(env, r, d, regs);
            return true;
        }
        return false;
    }
    if (insn & 0x40) {
        return dp_scalar(env, insn, d, n);
    }
    return dp_3diff(env, insn, d, n, m);
}

void helper_neon_dp(void *env, uint32_t insn)
{
    neon_dp(env, insn);
}

/* The commonest float forms, called from neon-dp.c's IR on one D register (two F32 lanes)
 * with the standard FPSCR value: nothing decoded at run time. */
enum {
    NF_ADD,
    NF_SUB,
    NF_MUL,
    NF_MLA,
    NF_MLS,
    NF_FMA,
    NF_FMS,
    NF_CEQ,
    NF_CGE,
    NF_CGT,
    NF_ACGE,
    NF_ACGT,
    NF_MAX,
    NF_MIN
};

static uint64_t float_lanes(ArmEnv *env, uint64_t n, uint64_t m, uint64_t d, int kind)
{
    uint64_t r = 0;
    for (int i = 0; i < 2; i++) {
        uint32_t x = (uint32_t)(n >> (32 * i)), y = (uint32_t)(m >> (32 * i));
        uint32_t z = (uint32_t)(d >> (32 * i)), o;
        switch (kind) {
        case NF_ADD: o = fop(env, x, y, VFP_ADD); break;
        case NF_SUB: o = fop(env, x, y, VFP_SUB); break;
        case NF_MUL: o = fop(env, x, y, VFP_MUL); break;
        case NF_MLA: o = fop(env, z, fop(env, x, y, VFP_MUL), VFP_ADD); break;
        case NF_MLS: o = fop(env, z, fop(env, x, y, VFP_MUL) ^ 0x80000000u, VFP_ADD); break;
        case NF_FMA: o = helper_vfp_fma_s(env, z, x, y, 1); break;
        case NF_FMS: o = helper_vfp_fma_s(env, z, x ^ 0x80000000u, y, 1); break;
        case NF_CEQ: o = fcmp(env, x, y, 0) ? ~0u : 0; break;
        case NF_CGE: o = fcmp(env, x, y, 1) ? ~0u : 0; break;
        case NF_CGT: o = fcmp(env, x, y, 2) ? ~0u : 0; break;
        case NF_ACGE: o = fcmp(env, x, y, 3) ? ~0u : 0; break;
        case NF_ACGT: o = fcmp(env, x, y, 4) ? ~0u : 0; break;
        case NF_MAX: o = fminmax(env, x, y, false); break;
        default: o = fminmax(env, x, y, true); break;
        }
        r |= (uint64_t)o << (32 * i);
    }
    return r;
}

uint64_t helper_neon_fadd(void *env, uint64_t n, uint64_t m)
{
    return float_lanes(env, n, m, 0, NF_ADD);
}

uint64_t helper_neon_fsub(void *env, uint64_t n, uint64_t m)
{
    return float_lanes(env, n, m, 0, NF_SUB);
}

uint64_t helper_neon_fmul(void *env, uint64_t n, uint64_t m)
{
    return float_lanes(env, n, m, 0, NF_MUL);
}

uint64_t helper_neon_fmla(void *env, uint64_t n, uint64_t m, uint64_t d)
{
    return float_lanes(env, n, m, d, NF_MLA);
}

uint64_t helper_neon_fmls(void *env, uint64_t n, uint64_t m, uint64_t d)
{
    return float_lanes(env, n, m, d, NF_MLS);
}

uint64_t helper_neon_ffma(void *env, uint64_t n, uint64_t m, uint64_t d)
{
    return float_lanes(env, n, m, d, NF_FMA);
}

uint64_t helper_neon_ffms(void *env, uint64_t n, uint64_t m, uint64_t d)
{
    return float_lanes(env, n, m, d, NF_FMS);
}

#define NEON_F2(name, KIND)                                        \
    uint64_t helper_neon_##name(void *env, uint64_t n, uint64_t m) \
    {                                                              \
        return float_lanes(env, n, m, 0, KIND);                    \
    }
NEON_F2(fceq, NF_CEQ)
NEON_F2(fcge, NF_CGE)
NEON_F2(fcgt, NF_CGT)
NEON_F2(facge, NF_ACGE)
NEON_F2(facgt, NF_ACGT)
NEON_F2(fmax, NF_MAX)
NEON_F2(fmin, NF_MIN)
