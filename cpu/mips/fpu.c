/*
 * cpu/mips/fpu.c: CP1 arithmetic helpers for the MIPS front-end. They run on the host's
 * IEEE arithmetic: rounding set from FCSR.RM, exception flags read back (from MXCSR on
 * x86-64) into FCSR cause/flags, and the FPE exception when an enabled cause is set.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cpu/host-fp.h"
#include "cpu/mips/mips-internal.h"

/* MIPS legacy NaN encoding: quiet NaNs have the top fraction bit clear. */
#define DEFAULT_NAN_S 0x7fbfffffu
#define DEFAULT_NAN_D UINT64_C(0x7ff7ffffffffffff)

static bool snan_s(uint32_t v)
{
    return (v & 0x7f800000u) == 0x7f800000u && (v & 0x7fffffu) && (v & 0x400000u);
}

static bool snan_d(uint64_t v)
{
    return (v & UINT64_C(0x7ff0000000000000)) == UINT64_C(0x7ff0000000000000) &&
           (v & UINT64_C(0xfffffffffffff)) && (v & UINT64_C(0x8000000000000));
}

#if defined(__x86_64__)
/* Float and double arithmetic runs on SSE, governed by MXCSR alone: reading and writing
 * it directly costs a few cycles, where glibc's fenv calls also save and reload the
 * whole x87 environment (a fifth of the time of FP-heavy guest code). */

static void fpu_begin(MipsEnv *e)
{
    /* MIPS RM order: nearest, toward zero, up, down */
    static const unsigned rc[4] = {HOST_MXCSR_RC_NEAR, HOST_MXCSR_RC_ZERO, HOST_MXCSR_RC_UP,
                                   HOST_MXCSR_RC_DOWN};
    unsigned m = host_mxcsr_read();
    unsigned want = (m & ~(HOST_MXCSR_FLAGS | HOST_MXCSR_RC)) | rc[e->fcsr & FCSR_RM_MASK];
    if (want != m) {
        host_mxcsr_write(want);
    }
}

/* The host's exception flags as FE_* bits; leaves round-to-nearest and no flags. */
static int fpu_take_flags(void)
{
    unsigned m = host_mxcsr_read();
    if (m & (HOST_MXCSR_FLAGS | HOST_MXCSR_RC)) {
        host_mxcsr_write(m & ~(HOST_MXCSR_FLAGS | HOST_MXCSR_RC));
    }
    return ((m & 0x01) ? FE_INVALID : 0) | ((m & 0x04) ? FE_DIVBYZERO : 0) |
           ((m & 0x08) ? FE_OVERFLOW : 0) | ((m & 0x10) ? FE_UNDERFLOW : 0) |
           ((m & 0x20) ? FE_INEXACT : 0);
}

static void fpu_clear_inexact(void)
{
    host_mxcsr_write(host_mxcsr_read() & ~0x20u);
}

/* Runs nearbyint under round-to-nearest whatever FCSR.RM says. */
static double fpu_round_nearest(double v)
{
    unsigned m = host_mxcsr_read();
    host_mxcsr_write(m & ~HOST_MXCSR_RC);
    double r = nearbyint(v);
    host_mxcsr_write((host_mxcsr_read() & ~HOST_MXCSR_RC) | (m & HOST_MXCSR_RC));
    return r;
}
#else
static void fpu_begin(MipsEnv *e)
{
    static const int modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
    fesetround(modes[e->fcsr & FCSR_RM_MASK]);
    feclearexcept(FE_ALL_EXCEPT);
}

static int fpu_take_flags(void)
{
    int x = fetestexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
    return x;
}

static void fpu_clear_inexact(void)
{
    feclearexcept(FE_INEXACT);
}

static double fpu_round_nearest(double v)
{
    int old = fegetround();
    fesetround(FE_TONEAREST);
    double r = nearbyint(v);
    fesetround(old);
    return r;
}
#endif

/* Host flags -> FCSR; raises FPE (with the cause kept) if an enabled one fired. */
static void fpu_end(MipsEnv *e, uint32_t extra, uintptr_t ra)
{
    int x = fpu_take_flags();
    uint32_t c = extra;
    if (x & FE_INEXACT) {
        c |= FP_I;
    }
    if (x & FE_UNDERFLOW) {
        c |= FP_U;
    }
    if (x & FE_OVERFLOW) {
        c |= FP_O;
    }
    if (x & FE_DIVBYZERO) {
        c |= FP_Z;
    }
    if (x & FE_INVALID) {
        c |= FP_V;
    }
    e->fcsr = (e->fcsr & ~(0x3fu << FCSR_CAUSE_SHIFT)) | (c << FCSR_CAUSE_SHIFT);
    if (c & (e->fcsr >> FCSR_ENABLE_SHIFT) & 0x1f) {
        cpu_raise_exception_ra(env_cpu(e), MIPS_EXC_FPE, ra);
    }
    e->fcsr |= c << FCSR_FLAGS_SHIFT;
}

void helper_fpu_unimpl(void *env)
{
    MipsEnv *e = env;
    e->fcsr = (e->fcsr & ~(0x3fu << FCSR_CAUSE_SHIFT)) | FCSR_E;
    cpu_raise_exception_ra(env_cpu(env), MIPS_EXC_FPE, GETPC());
}

static double fop(double a, double b, uint32_t op)
{
    switch (op) {
    case FOP_ADD: return a + b;
    case FOP_SUB: return a - b;
    case FOP_MUL: return a * b;
    case FOP_DIV: return a / b;
    case FOP_SQRT: return sqrt(a);
    case FOP_RECIP: return 1.0 / a;
    default: return 1.0 / sqrt(a);
    }
}

static float fop_f(float a, float b, uint32_t op)
{
    switch (op) {
    case FOP_ADD: return a + b;
    case FOP_SUB: return a - b;
    case FOP_MUL: return a * b;
    case FOP_DIV: return a / b;
    case FOP_SQRT: return sqrtf(a);
    case FOP_RECIP: return 1.0f / a;
    default: return 1.0f / sqrtf(a);
    }
}

uint32_t helper_fop_s(void *env, uint32_t a, uint32_t b, uint32_t op)
{
    fpu_begin(env);
    float r = fop_f(host_fp_f32(a), host_fp_f32(b), op);
    uint32_t extra = (snan_s(a) || (op <= FOP_DIV && snan_s(b))) ? FP_V : 0;
    fpu_end(env, extra, GETPC());
    return isnan(r) ? DEFAULT_NAN_S : host_fp_bits32(r);
}

uint64_t helper_fop_d(void *env, uint64_t a, uint64_t b, uint32_t op)
{
    fpu_begin(env);
    double r = fop(host_fp_f64(a), host_fp_f64(b), op);
    uint32_t extra = (snan_d(a) || (op <= FOP_DIV && snan_d(b))) ? FP_V : 0;
    fpu_end(env, extra, GETPC());
    return isnan(r) ? DEFAULT_NAN_D : host_fp_bits64(r);
}

/* op: 0 MADD, 1 MSUB, 2 NMADD, 3 NMSUB; fs * ft rounded, then +- fr rounded. */
uint32_t helper_fma_s(void *env, uint32_t fs, uint32_t ft, uint32_t fr, uint32_t op)
{
    fpu_begin(env);
    volatile float p = host_fp_f32(fs) * host_fp_f32(ft);
    float r = (op & 1) ? p - host_fp_f32(fr) : p + host_fp_f32(fr);
    if (op & 2) {
        r = -r;
    }
    fpu_end(env, (snan_s(fs) || snan_s(ft) || snan_s(fr)) ? FP_V : 0, GETPC());
    return isnan(r) ? DEFAULT_NAN_S : host_fp_bits32(r);
}

uint64_t helper_fma_d(void *env, uint64_t fs, uint64_t ft, uint64_t fr, uint32_t op)
{
    fpu_begin(env);
    volatile double p = host_fp_f64(fs) * host_fp_f64(ft);
    double r = (op & 1) ? p - host_fp_f64(fr) : p + host_fp_f64(fr);
    if (op & 2) {
        r = -r;
    }
    fpu_end(env, (snan_d(fs) || snan_d(ft) || snan_d(fr)) ? FP_V : 0, GETPC());
    return isnan(r) ? DEFAULT_NAN_D : host_fp_bits64(r);
}

/* cond bits: 1 true if unordered, 2 if equal, 4 if less; 8 signals on any NaN. */
static void fcmp(MipsEnv *e, double a, double b, bool any_snan, uint32_t cond_cc, uintptr_t ra)
{
    uint32_t cond = cond_cc & 15, cc = cond_cc >> 4;
    bool un = isnan(a) || isnan(b);
    bool r = (un && (cond & 1)) || (!un && (((cond & 2) && a == b) || ((cond & 4) && a < b)));
    fpu_begin(e);
    fpu_end(e, (any_snan || (un && (cond & 8))) ? FP_V : 0, ra);
    uint32_t bit = 1u << mips_fcc_bit((int)cc);
    e->fcsr = r ? e->fcsr | bit : e->fcsr & ~bit;
}

void helper_fcmp_s(void *env, uint32_t a, uint32_t b, uint32_t cond_cc)
{
    fcmp(env, host_fp_f32(a), host_fp_f32(b), snan_s(a) || snan_s(b), cond_cc, GETPC());
}

void helper_fcmp_d(void *env, uint64_t a, uint64_t b, uint32_t cond_cc)
{
    fcmp(env, host_fp_f64(a), host_fp_f64(b), snan_d(a) || snan_d(b), cond_cc, GETPC());
}

/* Float to integer: out of range or NaN is Invalid with result 2^(n-1) - 1. */
static uint64_t to_int(MipsEnv *e, double v, bool is64, int mode, uint32_t *extra)
{
    double r;
    switch (mode) {
    case FCVT_ROUND: r = fpu_round_nearest(v); break;
    case FCVT_TRUNC: r = trunc(v); break;
    case FCVT_CEIL: r = ceil(v); break;
    case FCVT_FLOOR: r = floor(v); break;
    default: r = nearbyint(v); break;
    }
    double lim = is64 ? 9223372036854775808.0 : 2147483648.0;
    if (isnan(r) || r >= lim || r < -lim) {
        fpu_clear_inexact();
        *extra |= FP_V;
        return is64 ? (uint64_t)INT64_MAX : 0x7fffffffu;
    }
    if (r != v) {
        *extra |= FP_I;
    }
    return is64 ? (uint64_t)(int64_t)r : (uint32_t)(int32_t)r;
}

uint64_t helper_fcvt(void *env, uint64_t a, uint32_t how)
{
    MipsEnv *e = env;
    int src = (int)((how >> 8) & 0xff), dst = (int)(how & 0xff), mode = (int)(how >> 16);
    uint32_t extra = 0;
    double v;
    fpu_begin(e);
    switch (src) {
    case 16:
        v = host_fp_f32((uint32_t)a);
        extra |= snan_s((uint32_t)a) ? FP_V : 0;
        break;
    case 17:
        v = host_fp_f64(a);
        extra |= snan_d(a) ? FP_V : 0;
        break;
    case 20: v = (double)(int32_t)a; break;
    default: v = (double)(int64_t)a; break;
    }
    uint64_t r;
    switch (dst) {
    case 16: {
        float f = src == 21 ? (float)(int64_t)a : (float)v;
        r = isnan(f) ? DEFAULT_NAN_S : host_fp_bits32(f);
        break;
    }
    case 17: r = isnan(v) ? DEFAULT_NAN_D : host_fp_bits64(v); break;
    case 20: r = to_int(e, v, false, mode, &extra); break;
    default: r = to_int(e, v, true, mode, &extra); break;
    }
    fpu_end(e, extra, GETPC());
    return r;
}
