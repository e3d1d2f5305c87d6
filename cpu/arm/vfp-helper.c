/*
 * cpu/arm/vfp-helper.c: VFP arithmetic for the ARM front-end (vfp.c). The host's SSE
 * arithmetic does the rounding under FPSCR.RMode and reports the IEEE flags; the ARM
 * rules it does not follow (NaN propagation, default NaN, flush-to-zero, conversions'
 * saturation) are handled here around it.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "cpu/arm/vfp.h"
#include "cpu/host-fp.h"

#define STD_FPSCR (FPSCR_FZ | FPSCR_DN)

/* Per-format facts, so one body serves single and double precision. */
typedef struct FpFmt {
    uint64_t sign, exp, frac, quiet, dnan;
} FpFmt;

static const FpFmt F32 = {0x80000000u, 0x7f800000u, 0x7fffffu, 0x400000u, 0x7fc00000u};
static const FpFmt F64 = {UINT64_C(1) << 63, UINT64_C(0x7ff0000000000000),
                          UINT64_C(0xfffffffffffff), UINT64_C(1) << 51,
                          UINT64_C(0x7ff8000000000000)};

static bool is_nan(const FpFmt *f, uint64_t v)
{
    return (v & f->exp) == f->exp && (v & f->frac);
}

static bool is_snan(const FpFmt *f, uint64_t v)
{
    return is_nan(f, v) && !(v & f->quiet);
}

static bool is_inf(const FpFmt *f, uint64_t v)
{
    return (v & ~f->sign) == f->exp;
}

static bool is_zero(const FpFmt *f, uint64_t v)
{
    return !(v & ~f->sign);
}

/* The controls in force: FPSCR, or the standard value for Advanced SIMD. */
static uint32_t fp_ctl(ArmEnv *env, bool std)
{
    return std ? STD_FPSCR : env->vfp.fpscr;
}

/* The host arithmetic below is governed by MXCSR alone (cpu/host-fp.h). */
/* The host operations live out of line and start with a compiler barrier, so neither
 * gcc nor clang can treat them as pure and move them across the MXCSR writes. */
#define HOST_FP __attribute__((noinline))

static inline void fp_fence(void)
{
    __asm__ volatile("" ::: "memory");
}

static void fp_begin(uint32_t ctl)
{
    static const uint32_t rc[4] = {0, 2, 1, 3}; /* RN, RP (up), RM (down), RZ */
    host_mxcsr_write(HOST_MXCSR_DEFAULT | rc[(ctl >> FPSCR_RMODE_SHIFT) & 3] << 13);
}

/* Host exception flags (plus `extra`) into the cumulative FPSCR bits. */
static void fp_end(ArmEnv *env, uint32_t extra)
{
    uint32_t x = host_mxcsr_read();
    host_mxcsr_write(HOST_MXCSR_DEFAULT);
    uint32_t c = extra;
    c |= (x & 0x01) ? FPSCR_IOC : 0;
    c |= (x & 0x04) ? FPSCR_DZC : 0;
    c |= (x & 0x08) ? FPSCR_OFC : 0;
    c |= (x & 0x10) ? FPSCR_UFC : 0;
    c |= (x & 0x20) ? FPSCR_IXC : 0;
    env->vfp.fpscr |= c;
}

/* FZ: a denormal input counts as a zero of its sign (and sets IDC). */
static uint64_t flush_in(const FpFmt *f, uint32_t ctl, uint64_t v, uint32_t *extra)
{
    if ((ctl & FPSCR_FZ) && !(v & f->exp) && (v & f->frac)) {
        *extra |= FPSCR_IDC;
        return v & f->sign;
    }
    return v;
}

/* FZ: a result below the normal range becomes a zero of its sign, with UFC and without
 * IXC. The host computed it with gradual underflow; what it flagged is replaced. */
static uint64_t flush_out(const FpFmt *f, uint32_t ctl, uint64_t r, uint32_t *extra)
{
    if (!(ctl & FPSCR_FZ) || (r & f->exp)) {
        return r;
    }
    bool tiny = (r & f->frac) || (host_mxcsr_read() & HOST_MXCSR_UE);
    if (!tiny) {
        return r;
    }
    host_mxcsr_write(
        host_mxcsr_read() &
        ~(HOST_MXCSR_UE | HOST_MXCSR_PE)); /* no Underflow/Inexact from the host's result */
    *extra |= FPSCR_UFC;
    return r & f->sign;
}

static uint64_t quiet(const FpFmt *f, uint32_t ctl, uint64_t v)
{
    return (ctl & FPSCR_DN) ? f->dnan : (v | f->quiet);
}

/* ARM NaN selection for up to three operands: the first signalling NaN (quietened, with
 * Invalid), else the first quiet NaN. False when no operand is a NaN. */
static bool pick_nan(const FpFmt *f, uint32_t ctl, const uint64_t *ops, int n, uint64_t *r,
                     uint32_t *extra)
{
    for (int i = 0; i < n; i++) {
        if (is_snan(f, ops[i])) {
            *extra |= FPSCR_IOC;
            *r = quiet(f, ctl, ops[i]);
            return true;
        }
    }
    for (int i = 0; i < n; i++) {
        if (is_nan(f, ops[i])) {
            *r = quiet(f, ctl, ops[i]);
            return true;
        }
    }
    return false;
}

/* ARM detects tininess before rounding, x86 after: a result that rounded up to the
 * smallest normal was tiny for ARM when the wider-precision value `wide` is below it.
 * Sets the host Underflow flag (and flushes under FZ, without Inexact). */
static uint64_t tiny_before_rounding(const FpFmt *f, uint32_t ctl, uint64_t r, long double wide)
{
    uint64_t min_normal = f->frac + 1;
    long double limit = f == &F32 ? 0x1p-126L : 0x1p-1022L;
    if ((r & ~f->sign) != min_normal || !(host_mxcsr_read() & HOST_MXCSR_PE) ||
        fabsl(wide) >= limit) {
        return r;
    }
    if (ctl & FPSCR_FZ) {
        r &= f->sign;
        host_mxcsr_write(host_mxcsr_read() & ~HOST_MXCSR_PE);
    }
    host_mxcsr_write(host_mxcsr_read() | HOST_MXCSR_UE);
    return r;
}

HOST_FP static long double host_op_ld(long double a, long double b, uint32_t op)
{
    fp_fence();
    switch (op) {
    case VFP_ADD: return a + b;
    case VFP_SUB: return a - b;
    case VFP_MUL: return a * b;
    case VFP_DIV: return a / b;
    default: return sqrtl(a);
    }
}

HOST_FP static double host_op_d(double a, double b, uint32_t op)
{
    fp_fence();
    volatile double r;
    switch (op) {
    case VFP_ADD: r = a + b; break;
    case VFP_SUB: r = a - b; break;
    case VFP_MUL: r = a * b; break;
    case VFP_DIV: r = a / b; break;
    default: r = sqrt(a); break;
    }
    return r;
}

HOST_FP static float host_op_s(float a, float b, uint32_t op)
{
    fp_fence();
    volatile float r;
    switch (op) {
    case VFP_ADD: r = a + b; break;
    case VFP_SUB: r = a - b; break;
    case VFP_MUL: r = a * b; break;
    case VFP_DIV: r = a / b; break;
    default: r = sqrtf(a); break;
    }
    return r;
}

/* The operation without any MXCSR access: the fast path of arith(). */
static inline uint64_t plain_op(const FpFmt *f, uint64_t a, uint64_t b, uint32_t op)
{
    if (f == &F32) {
        float x = host_fp_f32((uint32_t)a), y = host_fp_f32((uint32_t)b), r;
        switch (op) {
        case VFP_ADD: r = x + y; break;
        case VFP_SUB: r = x - y; break;
        case VFP_MUL: r = x * y; break;
        case VFP_DIV: r = x / y; break;
        default: r = sqrtf(x); break;
        }
        return host_fp_bits32(r);
    }
    double x = host_fp_f64(a), y = host_fp_f64(b), r;
    switch (op) {
    case VFP_ADD: r = x + y; break;
    case VFP_SUB: r = x - y; break;
    case VFP_MUL: r = x * y; break;
    case VFP_DIV: r = x / y; break;
    default: r = sqrt(x); break;
    }
    return host_fp_bits64(r);
}

/* One body for both precisions: operands as raw bits; the host op works on the format. */
static inline uint64_t arith(ArmEnv *env, const FpFmt *f, uint64_t a, uint64_t b, uint32_t opf)
{
    uint32_t op = opf & 0xff, ctl = fp_ctl(env, opf & VFP_STD), extra = 0;
    int nops = op == VFP_SQRT ? 1 : 2;
    uint64_t ops[2] = {a, b};
    uint64_t r;
    /* Operands with an exponent neither all-zeros nor all-ones (normal numbers) need no
     * flushing or NaN selection: the common case goes straight to the host. */
    uint64_t ea = a & f->exp, eb = b & f->exp;
    bool normal = ea && ea != f->exp && eb && eb != f->exp;
    /* Reading the host's flags (stmxcsr right after the operation) costs more than the
     * operation itself. Normal operands rounded to nearest with a normal result, above the
     * smallest normal, raise Inexact at most; once FPSCR.IXC is set that changes nothing,
     * so then the result is all there is to compute. MXCSR is nearest between helpers
     * (fp_end puts it back); what this leaves in its flags, fp_begin clears. Anything else
     * (zero, subnormal, infinite or NaN result, a possible tiny case) is computed again
     * below with the flags. sqrt of a negative normal gives a NaN: also redone. */
    if (normal && !(ctl & (3u << FPSCR_RMODE_SHIFT)) && (env->vfp.fpscr & FPSCR_IXC)) {
        r = plain_op(f, a, b, op);
        uint64_t er = r & f->exp;
        if (er && er != f->exp && (r & ~f->sign) != f->frac + 1) {
            return r;
        }
    }
    if (!normal) {
        ops[0] = flush_in(f, ctl, a, &extra);
        ops[1] = flush_in(f, ctl, b, &extra);
        if (pick_nan(f, ctl, ops, nops, &r, &extra)) {
            env->vfp.fpscr |= extra;
            return r;
        }
    }
    fp_begin(ctl);
    if (f == &F32) {
        r = host_fp_bits32(
            host_op_s(host_fp_f32((uint32_t)ops[0]), host_fp_f32((uint32_t)ops[1]), op));
        if ((r & ~f->sign) == f->frac + 1) { /* the smallest normal: maybe tiny for ARM */
            r = tiny_before_rounding(
                f, ctl, r,
                host_op_ld(host_fp_f32((uint32_t)ops[0]), host_fp_f32((uint32_t)ops[1]), op));
        }
    } else {
        r = host_fp_bits64(host_op_d(host_fp_f64(ops[0]), host_fp_f64(ops[1]), op));
        if ((r & ~f->sign) == f->frac + 1) { /* the smallest normal: maybe tiny for ARM */
            r = tiny_before_rounding(f, ctl, r,
                                     host_op_ld(host_fp_f64(ops[0]), host_fp_f64(ops[1]), op));
        }
    }
    if (is_nan(f, r)) {
        r = f->dnan; /* invalid operation: the host's NaN is negative, ARM's positive */
    }
    r = flush_out(f, ctl, r, &extra);
    fp_end(env, extra);
    return r;
}

uint32_t helper_vfp_arith_s(void *env, uint32_t a, uint32_t b, uint32_t op)
{
    return (uint32_t)arith(env, &F32, a, b, op);
}

/* One helper per operation (what vfp.c calls): the operation is known at compile time. */
#define VFP_OP_HELPERS(name, OP)                                      \
    uint32_t helper_vfp_##name##_s(void *env, uint32_t a, uint32_t b) \
    {                                                                 \
        return (uint32_t)arith(env, &F32, a, b, OP);                  \
    }                                                                 \
    uint64_t helper_vfp_##name##_d(void *env, uint64_t a, uint64_t b) \
    {                                                                 \
        return arith(env, &F64, a, b, OP);                            \
    }
VFP_OP_HELPERS(add, VFP_ADD)
VFP_OP_HELPERS(sub, VFP_SUB)
VFP_OP_HELPERS(mul, VFP_MUL)
VFP_OP_HELPERS(div, VFP_DIV)
VFP_OP_HELPERS(sqrt, VFP_SQRT)

HOST_FP static float host_fma_s(float n, float m, float a)
{
    fp_fence();
    return fmaf(n, m, a);
}

HOST_FP static double host_fma_d(double n, double m, double a)
{
    fp_fence();
    return fma(n, m, a);
}

HOST_FP static float host_d_to_s(double d)
{
    fp_fence();
    return (float)d;
}

HOST_FP static float host_i_to_s(double d)
{
    fp_fence();
    return (float)d;
}

uint32_t helper_vfp_mla_s(void *env, uint32_t a, uint32_t n, uint32_t m, uint32_t neg)
{
    uint32_t p = (uint32_t)arith(env, &F32, n, m, VFP_MUL) ^ ((neg & 1) ? 0x80000000u : 0);
    return (uint32_t)arith(env, &F32, a ^ ((neg & 2) ? 0x80000000u : 0), p, VFP_ADD);
}

uint64_t helper_vfp_mla_d(void *env, uint64_t a, uint64_t n, uint64_t m, uint32_t neg)
{
    uint64_t p = arith(env, &F64, n, m, VFP_MUL) ^ ((neg & 1) ? F64.sign : 0);
    return arith(env, &F64, a ^ ((neg & 2) ? F64.sign : 0), p, VFP_ADD);
}

static uint64_t fused(ArmEnv *env, const FpFmt *f, uint64_t a, uint64_t n, uint64_t m, bool std)
{
    uint32_t ctl = fp_ctl(env, std), extra = 0;
    /* the fast path of arith(), for three normal operands */
    uint64_t ea = a & f->exp, en = n & f->exp, em = m & f->exp;
    if (ea && ea != f->exp && en && en != f->exp && em && em != f->exp &&
        !(ctl & (3u << FPSCR_RMODE_SHIFT)) && (env->vfp.fpscr & FPSCR_IXC)) {
        uint64_t r = f == &F32
                         ? host_fp_bits32(fmaf(host_fp_f32((uint32_t)n), host_fp_f32((uint32_t)m),
                                               host_fp_f32((uint32_t)a)))
                         : host_fp_bits64(fma(host_fp_f64(n), host_fp_f64(m), host_fp_f64(a)));
        uint64_t er = r & f->exp;
        if (er && er != f->exp && (r & ~f->sign) != f->frac + 1) {
            return r;
        }
    }
    uint64_t ops[3] = {flush_in(f, ctl, a, &extra), flush_in(f, ctl, n, &extra),
                       flush_in(f, ctl, m, &extra)};
    uint64_t r;
    /* inf * 0 plus a quiet NaN is still Invalid, with the default NaN. */
    if (is_nan(f, ops[0]) && !is_snan(f, ops[0]) &&
        ((is_inf(f, ops[1]) && is_zero(f, ops[2])) || (is_zero(f, ops[1]) && is_inf(f, ops[2])))) {
        env->vfp.fpscr |= extra | FPSCR_IOC;
        return f->dnan;
    }
    if (pick_nan(f, ctl, ops, 3, &r, &extra)) {
        env->vfp.fpscr |= extra;
        return r;
    }
    fp_begin(ctl);
    if (f == &F32) {
        float x = host_fma_s(host_fp_f32((uint32_t)ops[1]), host_fp_f32((uint32_t)ops[2]),
                             host_fp_f32((uint32_t)ops[0]));
        r = host_fp_bits32(x);
        if ((r & ~f->sign) == f->frac + 1) { /* the smallest normal: maybe tiny for ARM */
            r = tiny_before_rounding(f, ctl, r,
                                     fma(host_fp_f32((uint32_t)ops[1]),
                                         host_fp_f32((uint32_t)ops[2]),
                                         host_fp_f32((uint32_t)ops[0])));
        }
    } else {
        double x = host_fma_d(host_fp_f64(ops[1]), host_fp_f64(ops[2]), host_fp_f64(ops[0]));
        r = host_fp_bits64(x);
        if ((r & ~f->sign) == f->frac + 1) { /* the smallest normal: maybe tiny for ARM */
            r = tiny_before_rounding(
                f, ctl, r, fmal(host_fp_f64(ops[1]), host_fp_f64(ops[2]), host_fp_f64(ops[0])));
        }
    }
    if (is_nan(f, r)) {
        r = f->dnan;
    }
    r = flush_out(f, ctl, r, &extra);
    fp_end(env, extra);
    return r;
}

uint32_t helper_vfp_fma_s(void *env, uint32_t a, uint32_t n, uint32_t m, uint32_t std)
{
    return (uint32_t)fused(env, &F32, a, n, m, std);
}

uint64_t helper_vfp_fma_d(void *env, uint64_t a, uint64_t n, uint64_t m, uint32_t std)
{
    return fused(env, &F64, a, n, m, std);
}

static void compare(ArmEnv *env, const FpFmt *f, uint64_t a, uint64_t b, bool e)
{
    uint32_t ctl = env->vfp.fpscr, extra = 0, nzcv;
    a = flush_in(f, ctl, a, &extra);
    b = flush_in(f, ctl, b, &extra);
    if (is_nan(f, a) || is_nan(f, b)) {
        nzcv = 0x3;
        if (e || is_snan(f, a) || is_snan(f, b)) {
            extra |= FPSCR_IOC;
        }
    } else {
        double x = f == &F32 ? host_fp_f32((uint32_t)a) : host_fp_f64(a);
        double y = f == &F32 ? host_fp_f32((uint32_t)b) : host_fp_f64(b);
        nzcv = x == y ? 0x6 : x < y ? 0x8 : 0x2;
    }
    env->vfp.fpscr = (env->vfp.fpscr & 0x0fffffffu) | nzcv << 28 | extra;
}

void helper_vfp_cmp_s(void *env, uint32_t a, uint32_t b, uint32_t e)
{
    compare(env, &F32, a, b, e);
}

void helper_vfp_cmp_d(void *env, uint64_t a, uint64_t b, uint32_t e)
{
    compare(env, &F64, a, b, e);
}

/* Float (exactly held in a double) to an integer of `bits` bits, saturating. */
static uint64_t to_int(ArmEnv *env, double x, int frac, int bits, bool uns, bool rz)
{
    volatile double v = ldexp(x, frac);
    volatile double r = rz ? trunc(v) : nearbyint(v);
    double lo = uns ? 0.0 : -ldexp(1.0, bits - 1);
    double hi = uns ? ldexp(1.0, bits) - 1.0 : ldexp(1.0, bits - 1) - 1.0;
    uint32_t extra = 0;
    int64_t iv;
    if (r < lo) {
        iv = (int64_t)lo;
        extra = FPSCR_IOC;
    } else if (r > hi) {
        iv = (int64_t)hi;
        extra = FPSCR_IOC;
    } else {
        iv = (int64_t)r;
        if (r != v) {
            extra = FPSCR_IXC;
        }
    }
    env->vfp.fpscr |= extra;
    uint64_t mask = bits == 32 ? 0xffffffffu : 0xffffu;
    uint64_t out = (uint64_t)iv & mask;
    if (bits == 16 && !uns) {
        out = (uint64_t)(uint32_t)(int32_t)(int16_t)out; /* sign-extended into Sd */
    }
    return out;
}

static uint32_t f32_to_f16(ArmEnv *env, uint32_t ctl, uint32_t v)
{
    uint32_t extra = 0;
    bool ahp = ctl & FPSCR_AHP;
    v = (uint32_t)flush_in(&F32, ctl, v, &extra);
    uint32_t s = (v >> 16) & 0x8000;
    uint32_t h;
    if (is_nan(&F32, v)) {
        if (ahp) {
            extra |= FPSCR_IOC;
            h = s;
        } else {
            if (is_snan(&F32, v)) {
                extra |= FPSCR_IOC;
            }
            h = (ctl & FPSCR_DN) ? 0x7e00 : s | 0x7e00 | ((v >> 13) & 0x3ff);
        }
    } else if (is_inf(&F32, v)) {
        h = ahp ? s | 0x7fff : s | 0x7c00;
        extra |= ahp ? FPSCR_IOC : 0;
    } else if (is_zero(&F32, v)) {
        h = s;
    } else {
        int e = (int)((v >> 23) & 0xff);
        uint32_t m = v & 0x7fffff;
        if (e) {
            m |= 0x800000;
        } else {
            e = 1;
        }
        int ue = e - 127;
        int shift = 13 + (ue < -14 ? -14 - ue : 0);
        if (shift > 25) {
            shift = 25;
        }
        uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
        bool up;
        switch ((ctl >> FPSCR_RMODE_SHIFT) & 3) {
        case 0: up = rem > halfway || (rem == halfway && (q & 1)); break;
        case 1: up = rem && !s; break;
        case 2: up = rem && s; break;
        default: up = false; break;
        }
        q += up;
        h = ue < -14 ? q : (uint32_t)((ue + 14) << 10) + q;
        if (rem) {
            extra |= FPSCR_IXC;
            if (ue < -14) {
                extra |= FPSCR_UFC;
            }
        }
        uint32_t limit = ahp ? 0x8000 : 0x7c00;
        if (h >= limit) {
            if (ahp) {
                h = 0x7fff;
                extra = FPSCR_IOC;
            } else {
                uint32_t mode = (ctl >> FPSCR_RMODE_SHIFT) & 3;
                bool to_inf = mode == 0 || (mode == 1 && !s) || (mode == 2 && s);
                h = to_inf ? 0x7c00 : 0x7bff;
                extra |= FPSCR_OFC | FPSCR_IXC;
            }
        }
        h |= s;
    }
    env->vfp.fpscr |= extra;
    return h;
}

static uint32_t f16_to_f32(ArmEnv *env, uint32_t ctl, uint32_t h)
{
    uint32_t s = (h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f && !(ctl & FPSCR_AHP)) {
        if (!m) {
            return s | 0x7f800000u;
        }
        if (!(m & 0x200)) {
            env->vfp.fpscr |= FPSCR_IOC;
        }
        return (ctl & FPSCR_DN) ? 0x7fc00000u : s | 0x7fc00000u | m << 13;
    }
    if (e == 0) {
        if (!m) {
            return s;
        }
        /* Half subnormals are normal singles. */
        int sh = __builtin_clz(m) - 21;
        return s | (uint32_t)(113 - sh) << 23 | ((m << sh) & 0x3ff) << 13;
    }
    return s | (e + 112) << 23 | m << 13;
}

uint64_t helper_vfp_cvt(void *envp, uint64_t v, uint32_t opf)
{
    ArmEnv *env = envp;
    uint32_t op = opf & 0xff, ctl = env->vfp.fpscr, extra = 0;
    int frac = (int)((opf >> 8) & 0xff);
    bool rz = opf & CVT_RZ;
    uint64_t r = 0;
    switch (op) {
    case CVT_S_TO_D:
        v = flush_in(&F32, ctl, v, &extra);
        if (is_nan(&F32, v)) {
            extra |= is_snan(&F32, v) ? FPSCR_IOC : 0;
            r = (ctl & FPSCR_DN)
                    ? F64.dnan
                    : (v & F32.sign) << 32 | F64.exp | F64.quiet | (v & F32.frac) << 29;
        } else {
            r = host_fp_bits64((double)host_fp_f32((uint32_t)v));
        }
        env->vfp.fpscr |= extra;
        return r;
    case CVT_D_TO_S:
        v = flush_in(&F64, ctl, v, &extra);
        if (is_nan(&F64, v)) {
            extra |= is_snan(&F64, v) ? FPSCR_IOC : 0;
            r = (ctl & FPSCR_DN)
                    ? F32.dnan
                    : (v >> 32 & F32.sign) | F32.exp | F32.quiet | (v & F64.frac) >> 29;
            env->vfp.fpscr |= extra;
            return r;
        }
        /* as in arith(): a normal single from a normal double, nearest, IXC already set */
        if ((v & F64.exp) && !(ctl & (3u << FPSCR_RMODE_SHIFT)) && (env->vfp.fpscr & FPSCR_IXC)) {
            r = host_fp_bits32((float)host_fp_f64(v));
            uint64_t er = r & F32.exp;
            if (er && er != F32.exp && (r & ~F32.sign) != F32.frac + 1) {
                return r;
            }
        }
        fp_begin(ctl);
        {
            float x = host_d_to_s(host_fp_f64(v));
            r = host_fp_bits32(x);
        }
        r = flush_out(&F32, ctl, r, &extra);
        fp_end(env, extra);
        return r;
    case CVT_SI_TO_S:
    case CVT_UI_TO_S:
    case CVT_SI_TO_D:
    case CVT_UI_TO_D:
    case CVT_SH_TO_S:
    case CVT_UH_TO_S:
    case CVT_SH_TO_D:
    case CVT_UH_TO_D: {
        double x;
        switch (op) {
        case CVT_SI_TO_S:
        case CVT_SI_TO_D: x = (int32_t)v; break;
        case CVT_UI_TO_S:
        case CVT_UI_TO_D: x = (uint32_t)v; break;
        case CVT_SH_TO_S:
        case CVT_SH_TO_D: x = (int16_t)v; break;
        default: x = (uint16_t)v; break;
        }
        x = ldexp(x, -frac); /* exact: at most 32 significant bits */
        if (op == CVT_SI_TO_D || op == CVT_UI_TO_D || op == CVT_SH_TO_D || op == CVT_UH_TO_D) {
            return host_fp_bits64(x); /* a double holds it exactly: no rounding, no flags */
        }
        fp_begin(ctl);
        {
            float y = host_i_to_s(x);
            r = host_fp_bits32(y);
            r = flush_out(&F32, ctl, r, &extra);
        }
        fp_end(env, extra);
        return r;
    }
    case CVT_S_TO_SI:
    case CVT_S_TO_UI:
    case CVT_D_TO_SI:
    case CVT_D_TO_UI:
    case CVT_S_TO_SH:
    case CVT_S_TO_UH:
    case CVT_D_TO_SH:
    case CVT_D_TO_UH: {
        bool dbl = op == CVT_D_TO_SI || op == CVT_D_TO_UI || op == CVT_D_TO_SH || op == CVT_D_TO_UH;
        bool uns = op == CVT_S_TO_UI || op == CVT_D_TO_UI || op == CVT_S_TO_UH || op == CVT_D_TO_UH;
        int bits = (op >= CVT_S_TO_SH) ? 16 : 32;
        const FpFmt *f = dbl ? &F64 : &F32;
        v = flush_in(f, ctl, v, &extra);
        env->vfp.fpscr |= extra;
        if (is_nan(f, v)) {
            env->vfp.fpscr |= FPSCR_IOC;
            return 0;
        }
        double x = dbl ? host_fp_f64(v) : host_fp_f32((uint32_t)v);
        /* to_int reads no host flags; only nearbyint needs a rounding mode other than the
         * nearest MXCSR keeps between helpers */
        if (rz || !(ctl & (3u << FPSCR_RMODE_SHIFT))) {
            return to_int(env, x, frac, bits, uns, rz);
        }
        fp_begin(ctl);
        r = to_int(env, x, frac, bits, uns, rz);
        host_mxcsr_write(HOST_MXCSR_DEFAULT);
        return r;
    }
    case CVT_H_TO_S: return f16_to_f32(env, ctl, (uint32_t)v & 0xffff);
    case CVT_S_TO_H: return f32_to_f16(env, ctl, (uint32_t)v);
    default: return 0;
    }
}
