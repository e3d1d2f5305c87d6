/*
 * tests/unit/armfp/guest/vfp.c: bare-metal VFPv4 checks run on the ARM test machine:
 * arithmetic under each rounding mode, NaN/denormal/infinity rules, cumulative flags,
 * conversions, moves, loads/stores and the FPEXC.EN gate. Expected values are IEEE facts
 * (worked out on the x86 host) and the ARM ARM's NaN and flush-to-zero rules.
 */
#include "tests/unit/arm/guest/test.h"

#define RN  0u
#define RP  (1u << 22)
#define RM  (2u << 22)
#define RZ  (3u << 22)
#define FZ  (1u << 24)
#define DN  (1u << 25)
#define IOC 1u
#define DZC 2u
#define OFC 4u
#define UFC 8u
#define IXC 16u
#define IDC 128u

static inline void set_fpscr(uint32_t v)
{
    __asm__ volatile("vmsr fpscr, %0" ::"r"(v));
}

static inline uint32_t get_fpscr(void)
{
    uint32_t v;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}

static inline uint32_t flags(void)
{
    return get_fpscr() & 0x9f;
}

#define OP2S(name, text)                                                                    \
    static uint32_t name(uint32_t a, uint32_t b)                                            \
    {                                                                                       \
        uint32_t r;                                                                         \
        __asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\t" text " s2, s0, s1\n\tvmov %0, s2" \
                         : "=r"(r)                                                          \
                         : "r"(a), "r"(b)                                                   \
                         : "s0", "s1", "s2", "memory");                                     \
        return r;                                                                           \
    }
#define ACCS(name, text)                                                      \
    static uint32_t name(uint32_t d, uint32_t a, uint32_t b)                  \
    {                                                                         \
        uint32_t r;                                                           \
        __asm__ volatile("vmov s0, %1\n\tvmov s1, %2\n\tvmov s2, %3\n\t" text \
                         " s2, s0, s1\n\tvmov %0, s2"                         \
                         : "=r"(r)                                            \
                         : "r"(a), "r"(b), "r"(d)                             \
                         : "s0", "s1", "s2", "memory");                       \
        return r;                                                             \
    }
#define OP2D(name, text)                                                   \
    static uint64_t name(uint64_t a, uint64_t b)                           \
    {                                                                      \
        uint64_t r;                                                        \
        __asm__ volatile("vmov d0, %Q1, %R1\n\tvmov d1, %Q2, %R2\n\t" text \
                         " d2, d0, d1\n\tvmov %Q0, %R0, d2"                \
                         : "=&r"(r)                                        \
                         : "r"(a), "r"(b)                                  \
                         : "d0", "d1", "d2", "memory");                    \
        return r;                                                          \
    }
#define OP1S(name, text)                                          \
    static uint32_t name(uint32_t a)                              \
    {                                                             \
        uint32_t r;                                               \
        __asm__ volatile("vmov s0, %1\n\t" text "\n\tvmov %0, s2" \
                         : "=r"(r)                                \
                         : "r"(a)                                 \
                         : "s0", "s1", "s2", "memory");           \
        return r;                                                 \
    }

OP2S(vadd_s, "vadd.f32")
OP2S(vsub_s, "vsub.f32")
OP2S(vmul_s, "vmul.f32")
OP2S(vnmul_s, "vnmul.f32")
OP2S(vdiv_s, "vdiv.f32")
ACCS(vmla_s, "vmla.f32")
ACCS(vmls_s, "vmls.f32")
ACCS(vnmla_s, "vnmla.f32")
ACCS(vnmls_s, "vnmls.f32")
ACCS(vfma_s, "vfma.f32")
ACCS(vfms_s, "vfms.f32")
ACCS(vfnma_s, "vfnma.f32")
ACCS(vfnms_s, "vfnms.f32")
OP2D(vadd_d, "vadd.f64")
OP2D(vdiv_d, "vdiv.f64")
OP2D(vmul_d, "vmul.f64")
OP1S(vsqrt_s, "vsqrt.f32 s2, s0")
OP1S(vabs_s, "vabs.f32 s2, s0")
OP1S(vneg_s, "vneg.f32 s2, s0")
OP1S(cvt_s32_rz, "vcvt.s32.f32 s2, s0")
OP1S(cvt_s32_r, "vcvtr.s32.f32 s2, s0")
OP1S(cvt_u32_rz, "vcvt.u32.f32 s2, s0")
OP1S(cvt_f32_u32, "vcvt.f32.u32 s2, s0")
OP1S(cvt_f32_s32, "vcvt.f32.s32 s2, s0")
OP1S(cvt_fix16, "vcvt.s32.f32 s0, s0, #16\n\tvmov s2, s0")
OP1S(cvt_from_fix16, "vcvt.f32.s32 s0, s0, #16\n\tvmov s2, s0")
OP1S(cvt_ufix8_h, "vcvt.u16.f32 s0, s0, #8\n\tvmov s2, s0")
OP1S(cvtb_f16, "vmov s2, %1\n\tvcvtb.f16.f32 s2, s0")
OP1S(cvtt_f16, "vmov s2, %1\n\tvcvtt.f16.f32 s2, s0")
OP1S(cvtb_f32, "vcvtb.f32.f16 s2, s0")
OP1S(cvtt_f32, "vcvtt.f32.f16 s2, s0")

static uint32_t cmp_nzcv(uint32_t a, uint32_t b, int e)
{
    uint32_t r;
    if (e) {
        __asm__ volatile(
            "vmov s0, %1\n\tvmov s1, %2\n\tvcmpe.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\t"
            "mrs %0, apsr"
            : "=r"(r)
            : "r"(a), "r"(b)
            : "s0", "s1", "cc");
    } else {
        __asm__ volatile(
            "vmov s0, %1\n\tvmov s1, %2\n\tvcmp.f32 s0, s1\n\tvmrs APSR_nzcv, fpscr\n\t"
            "mrs %0, apsr"
            : "=r"(r)
            : "r"(a), "r"(b)
            : "s0", "s1", "cc");
    }
    return r >> 28;
}

static uint64_t cvt_d_s(uint32_t a)
{
    uint64_t r;
    __asm__ volatile("vmov s0, %1\n\tvcvt.f64.f32 d1, s0\n\tvmov %Q0, %R0, d1"
                     : "=&r"(r)
                     : "r"(a)
                     : "d0", "d1");
    return r;
}

static uint32_t cvt_s_d(uint64_t a)
{
    uint32_t r;
    __asm__ volatile("vmov d1, %Q1, %R1\n\tvcvt.f32.f64 s0, d1\n\tvmov %0, s0"
                     : "=r"(r)
                     : "r"(a)
                     : "d0", "d1");
    return r;
}

static uint64_t cvt_d_s32(uint32_t a)
{
    uint64_t r;
    __asm__ volatile("vmov s0, %1\n\tvcvt.f64.s32 d1, s0\n\tvmov %Q0, %R0, d1"
                     : "=&r"(r)
                     : "r"(a)
                     : "d0", "d1");
    return r;
}

static void check_arith(void)
{
    /* 1 + 2^-24 is a tie between 1 and 1 + 2^-23 */
    set_fpscr(RN);
    CHECK(0x100, vadd_s(0x3f800000, 0x33800000), 0x3f800000);
    CHECK(0x101, flags(), IXC);
    set_fpscr(RP);
    CHECK(0x102, vadd_s(0x3f800000, 0x33800000), 0x3f800001);
    set_fpscr(RM);
    CHECK(0x103, vadd_s(0xbf800000, 0xb3800000), 0xbf800001);
    set_fpscr(RZ);
    CHECK(0x104, vadd_s(0xbf800000, 0xb3800000), 0xbf800000);
    set_fpscr(RN);
    CHECK(0x105, vdiv_s(0x3f800000, 0x40400000), 0x3eaaaaab);
    set_fpscr(RZ);
    CHECK(0x106, vdiv_s(0x3f800000, 0x40400000), 0x3eaaaaaa);
    set_fpscr(RN);
    CHECK(0x107, vdiv_s(0x3f800000, 0x00000000), 0x7f800000);
    CHECK(0x108, flags(), DZC);
    set_fpscr(RN);
    CHECK(0x109, vdiv_s(0x00000000, 0x80000000), 0x7fc00000); /* default NaN, positive */
    CHECK(0x10a, flags(), IOC);
    set_fpscr(RN);
    CHECK(0x10b, vmul_s(0x7f000000, 0x7f000000), 0x7f800000);
    CHECK(0x10c, flags(), OFC | IXC);
    set_fpscr(RZ);
    CHECK(0x10d, vmul_s(0x7f000000, 0x7f000000), 0x7f7fffff);
    set_fpscr(RN);
    CHECK(0x10e, vsub_s(0x40000000, 0x40000000), 0x00000000);
    set_fpscr(RM);
    CHECK(0x10f, vsub_s(0x40000000, 0x40000000), 0x80000000); /* exact zero is -0 in RM */
    set_fpscr(RN);
    CHECK(0x110, vnmul_s(0x40000000, 0x40400000), 0xc0c00000);
    CHECK(0x111, vsqrt_s(0x40800000), 0x40000000);
    set_fpscr(RN);
    CHECK(0x112, vsqrt_s(0xbf800000), 0x7fc00000);
    CHECK(0x113, flags(), IOC);
    CHECK(0x114, vabs_s(0xffc00001), 0x7fc00001); /* sign only, NaN untouched */
    CHECK(0x115, vneg_s(0x7f800001), 0xff800001);
    /* doubles */
    set_fpscr(RN);
    CHECK(0x120, (uint32_t)vadd_d(0x3ff0000000000000ull, 0x3ca0000000000000ull), 0);
    set_fpscr(RP);
    CHECK(0x121, (uint32_t)vadd_d(0x3ff0000000000000ull, 0x3ca0000000000000ull), 1);
    set_fpscr(RN);
    uint64_t third = vdiv_d(0x3ff0000000000000ull, 0x4008000000000000ull);
    CHECK(0x122, (uint32_t)(third >> 32), 0x3fd55555);
    CHECK(0x123, (uint32_t)third, 0x55555555);
}

/* With FPSCR.IXC already set, normal operands rounded to nearest skip the host's flags
 * (vfp-helper.c): whatever else an operation raises must still show, results unchanged. */
static void check_ixc_already_set(void)
{
    uint64_t r;
    set_fpscr(IXC);
    CHECK(0x180, vdiv_s(0x3f800000, 0x40400000), 0x3eaaaaab);
    CHECK(0x181, flags(), IXC);
    CHECK(0x182, vmul_s(0x7f000000, 0x7f000000), 0x7f800000);
    CHECK(0x183, flags(), OFC | IXC);
    set_fpscr(IXC);
    /* (1 + 2^-23) * 2^-126 * 0.5: tiny and inexact */
    CHECK(0x184, vmul_s(0x00800001, 0x3f000000), 0x00400000);
    CHECK(0x185, flags(), UFC | IXC);
    set_fpscr(IXC);
    /* 2^-125 * 0.5 is the smallest normal exactly: no Underflow */
    CHECK(0x186, vmul_s(0x01000000, 0x3f000000), 0x00800000);
    CHECK(0x187, flags(), IXC);
    set_fpscr(IXC);
    /* (2 - 2^-23) * 2^-127 rounds up to the smallest normal: tiny before rounding (ARM) */
    CHECK(0x188, vmul_s(0x00ffffff, 0x3f000000), 0x00800000);
    CHECK(0x189, flags(), UFC | IXC);
    set_fpscr(IXC | FZ);
    CHECK(0x18a, vmul_s(0x00800001, 0x3f000000), 0x00000000);
    CHECK(0x18b, flags(), UFC | IXC);
    set_fpscr(IXC);
    CHECK(0x18c, vsqrt_s(0xc0800000), 0x7fc00000); /* sqrt(-4): default NaN */
    CHECK(0x18d, flags(), IOC | IXC);
    set_fpscr(IXC | RZ);
    CHECK(0x18e, vdiv_s(0x3f800000, 0x40400000), 0x3eaaaaaa);
    set_fpscr(IXC);
    r = vdiv_d(0x3ff0000000000000ull, 0x4008000000000000ull);
    CHECK(0x18f, (uint32_t)(r >> 32), (uint32_t)(0x3fd5555555555555ull >> 32));
    CHECK(0x18f + 0x40, (uint32_t)r, (uint32_t)0x3fd5555555555555ull);
    r = vmul_d(0x7fe0000000000000ull, 0x4000000000000000ull);
    CHECK(0x190, (uint32_t)(r >> 32), (uint32_t)(0x7ff0000000000000ull >> 32));
    CHECK(0x190 + 0x40, (uint32_t)r, (uint32_t)0x7ff0000000000000ull);
    CHECK(0x191, flags(), OFC | IXC);
    set_fpscr(IXC);
    r = vadd_d(0x3ff0000000000000ull, 0xbff0000000000000ull);
    CHECK(0x192, (uint32_t)(r >> 32), 0);
    CHECK(0x192 + 0x40, (uint32_t)r, 0);
    CHECK(0x193, flags(), IXC);
    /* VCVT double to single and to integer on the same path */
    uint32_t f;
    static const uint64_t dv[3] = {0x3fd5555555555555ull, 0x7e37e43c8800759cull,
                                   0x37b16c262777579cull}; /* 1/3, 1e300, 2e-40 */
    static const uint32_t fv[3] = {0x3eaaaaab, 0x7f800000, 0x00022d85};
    static const uint32_t fl[3] = {IXC, OFC | IXC, UFC | IXC};
    for (int i = 0; i < 3; i++) {
        set_fpscr(IXC);
        __asm__ volatile("vmov d0, %Q1, %R1\n\tvcvt.f32.f64 s2, d0\n\tvmov %0, s2"
                         : "=r"(f)
                         : "r"(dv[i])
                         : "d0", "s2", "memory");
        CHECK(0x1a0 + i, f, fv[i]);
        CHECK(0x1a4 + i, flags(), fl[i]);
    }
    set_fpscr(IXC | RM);
    __asm__ volatile("vmov d0, %Q1, %R1\n\tvcvtr.s32.f64 s2, d0\n\tvmov %0, s2"
                     : "=r"(f)
                     : "r"(0xc004000000000000ull) /* -2.5 */
                     : "d0", "s2", "memory");
    CHECK(0x1a8, f, (uint32_t)-3);
    set_fpscr(IXC);
    __asm__ volatile("vmov d0, %Q1, %R1\n\tvcvtr.s32.f64 s2, d0\n\tvmov %0, s2"
                     : "=r"(f)
                     : "r"(0xc004000000000000ull)
                     : "d0", "s2", "memory");
    CHECK(0x1a9, f, (uint32_t)-2); /* ties to even */
    set_fpscr(0);
    __asm__ volatile("vmov d0, %Q1, %R1\n\tvcvt.s32.f64 s2, d0\n\tvmov %0, s2"
                     : "=r"(f)
                     : "r"(0x41f0000000000000ull) /* 2^32: saturates */
                     : "d0", "s2", "memory");
    CHECK(0x1aa, f, 0x7fffffff);
    CHECK(0x1ab, flags(), IOC);
    set_fpscr(0);
    r = vadd_d(0x3ff0000000000000ull, 0x3ff0000000000000ull);
    CHECK(0x194, (uint32_t)(r >> 32), (uint32_t)(0x4000000000000000ull >> 32));
    CHECK(0x194 + 0x40, (uint32_t)r, (uint32_t)0x4000000000000000ull);
    CHECK(0x195, flags(), 0);
}

/* VCVT between double and fixed point, in place: the integer result fills all of Dd,
 * sign- or zero-extended, and no other register changes. */
static void check_cvt_fixed_double(void)
{
    uint32_t lo, hi, other;
    __asm__ volatile("vmov d0, %3, %3\n\tvmov d16, %Q4, %R4\n\t"
                     "vcvt.s32.f64 d16, d16, #6\n\tvmov %0, %1, d16\n\tvmov %2, s1"
                     : "=&r"(lo), "=&r"(hi), "=&r"(other)
                     : "r"(0x12345678), "r"(0xc004000000000000ull) /* -2.5 */
                     : "d0", "d16", "memory");
    CHECK(0x1b0, lo, (uint32_t)-160); /* -2.5 * 2^6 */
    CHECK(0x1b1, hi, 0xffffffff);
    CHECK(0x1b2, other, 0x12345678);
    __asm__ volatile("vmov d16, %Q2, %R2\n\tvcvt.u16.f64 d16, d16, #8\n\tvmov %0, %1, d16"
                     : "=&r"(lo), "=&r"(hi)
                     : "r"(0x4004000000000000ull) /* 2.5 */
                     : "d16", "memory");
    CHECK(0x1b3, lo, 0x280);
    CHECK(0x1b4, hi, 0);
    __asm__ volatile("vmov d16, %Q2, %R2\n\tvcvt.f64.s32 d16, d16, #6\n\tvmov %0, %1, d16"
                     : "=&r"(lo), "=&r"(hi)
                     : "r"(0xffffffffffffff60ull)
                     : "d16", "memory");
    CHECK(0x1b5, hi, 0xc0040000);
    CHECK(0x1b6, lo, 0);
}

/* Conditional VFP instructions: the A32 condition field, and in Thumb-2 an IT block (the
 * assembler adds it: -mimplicit-it=always). Skipped ones change nothing, not even flags. */
static void check_conditional(void)
{
    uint32_t r, f, taken = 0;
    set_fpscr(0);
    uint32_t s1;
    __asm__ volatile("vmov s0, %3\n\tvmov s1, %3\n\tcmp %4, #1\n\t"
                     "vaddeq.f32 s0, s0, s1\n\t" /* taken: 2.0 */
                     "vsqrtne.f32 s1, s0\n\t"    /* skipped: no Inexact, s1 unchanged */
                     "vmov %0, s0\n\tvmov %2, s1\n\tvmrs %1, fpscr"
                     : "=r"(r), "=r"(f), "=r"(s1)
                     : "r"(0x3f800000), "r"(1)
                     : "s0", "s1", "cc", "memory");
    CHECK(0x1c0, r, 0x40000000);
    CHECK(0x1c7, s1, 0x3f800000);
    CHECK(0x1c1, f & 0x9f, 0);
    /* skipped VLDR (the address would fault), taken VMOV from core, VCMP + VMRS + cond */
    __asm__ volatile("vmov s2, %3\n\tcmp %4, #0\n\t"
                     "vldrne s2, [%4]\n\t"
                     "vmoveq s3, %3\n\t"
                     "vcmp.f32 s2, s3\n\tvmrs APSR_nzcv, fpscr\n\t"
                     "moveq %1, #1\n\tvmovne.f32 s2, #2.0\n\tvmov %0, s2"
                     : "=&r"(r), "+r"(taken)
                     : "r"(0), "r"(0x40400000), "r"(0)
                     : "s2", "s3", "cc", "memory");
    CHECK(0x1c2, r, 0x40400000);
    CHECK(0x1c3, taken, 1);
    /* a skipped 64-bit store and a taken double add under "lt" after a VCMP */
    static volatile uint32_t slot[2] __attribute__((aligned(8))) = {5, 6};
    uint64_t d;
    __asm__ volatile("vmov.f64 d4, #1.0\n\tvmov.f64 d5, #2.0\n\tvcmp.f64 d4, d5\n\t"
                     "vmrs APSR_nzcv, fpscr\n\tvstrge d4, [%1]\n\tvaddlt.f64 d4, d4, d5\n\t"
                     "vmov %Q0, %R0, d4"
                     : "=&r"(d)
                     : "r"(slot)
                     : "d4", "d5", "cc", "memory");
    CHECK(0x1c4, (uint32_t)(d >> 32), 0x40080000); /* 3.0 */
    CHECK(0x1c5, slot[0], 5);
    CHECK(0x1c6, slot[1], 6);
}

static void check_nan_denormal(void)
{
    set_fpscr(RN);
    /* a signalling NaN wins over a quiet one whatever the order, and is quietened */
    CHECK(0x200, vadd_s(0x7fc00001, 0x7f800002), 0x7fc00002);
    CHECK(0x201, flags(), IOC);
    CHECK(0x202, vadd_s(0x7f800002, 0x7fc00001), 0x7fc00002);
    set_fpscr(RN);
    CHECK(0x203, vmul_s(0x3f800000, 0xffc00005), 0xffc00005);
    CHECK(0x204, vmul_s(0xffc00005, 0x7fc00006), 0xffc00005);
    CHECK(0x205, flags(), 0);
    set_fpscr(DN);
    CHECK(0x206, vadd_s(0xffc00005, 0x3f800000), 0x7fc00000);
    /* denormals: gradual without FZ, flushed (IDC, UFC) with it */
    set_fpscr(RN);
    CHECK(0x210, vadd_s(0x00000001, 0x00000000), 0x00000001);
    CHECK(0x211, vmul_s(0x00800000, 0x3f000000), 0x00400000);
    CHECK(0x212, flags(), 0);
    CHECK(0x213, vmul_s(0x00800001, 0x3f000000), 0x00400000);
    CHECK(0x214, flags(), UFC | IXC);
    /* (2^-126 - 2^-150) rounds up to the smallest normal: tiny before rounding for ARM */
    set_fpscr(RN);
    CHECK(0x219, vmul_s(0x3f7fffff, 0x00800000), 0x00800000);
    CHECK(0x21a, flags(), UFC | IXC);
    set_fpscr(RN);
    CHECK(0x21d, (uint32_t)(vmul_d(0x3fefffffffffffffull, 0x0010000000000000ull) >> 32),
          0x00100000);
    CHECK(0x21e, flags(), UFC | IXC);
    set_fpscr(FZ);
    CHECK(0x21b, vmul_s(0x3f7fffff, 0x00800000), 0x00000000);
    CHECK(0x21c, flags(), UFC);
    set_fpscr(FZ);
    CHECK(0x215, vadd_s(0x00000001, 0x00000000), 0x00000000);
    CHECK(0x216, flags(), IDC);
    set_fpscr(FZ);
    CHECK(0x217, vmul_s(0x80800000, 0x3f000000), 0x80000000);
    CHECK(0x218, flags(), UFC);
    /* infinities */
    set_fpscr(RN);
    CHECK(0x220, vsub_s(0x7f800000, 0x7f800000), 0x7fc00000);
    CHECK(0x221, vadd_s(0x7f800000, 0x3f800000), 0x7f800000);
    CHECK(0x222, flags(), IOC);
}

static uint32_t read_mvfr1(void)
{
    uint32_t v;
    __asm__ volatile("vmrs %0, mvfr1" : "=r"(v));
    return v;
}

static void check_mac(void)
{
    if (!(read_mvfr1() >> 28)) { /* VFPv3 (Cortex-A9): the fused forms are UNDEF */
        exc_kind = 0;
        vfma_s(0, 0, 0);
        CHECK(0x3f0, exc_kind, 1);
        set_fpscr(RN);
        CHECK(0x3f1, vmla_s(0xbf800002, 0x3f800001, 0x3f800001), 0x00000000);
        return;
    }
    set_fpscr(RN);
    /* (1 + 2^-23)^2 - (1 + 2^-22): 0 when the product is rounded first, 2^-46 when fused */
    CHECK(0x300, vmla_s(0xbf800002, 0x3f800001, 0x3f800001), 0x00000000);
    CHECK(0x301, vfma_s(0xbf800002, 0x3f800001, 0x3f800001), 0x28800000);
    CHECK(0x302, vfms_s(0x3f800002, 0x3f800001, 0x3f800001), 0xa8800000);
    CHECK(0x304, vfnms_s(0x3f800002, 0x3f800001, 0x3f800001), 0x28800000);
    CHECK(0x305, vfnma_s(0xbf800002, 0x3f800001, 0x3f800001), 0xa8800000);
    /* the same with Inexact already set (vfp-helper.c's fast path): still one rounding */
    set_fpscr(IXC);
    CHECK(0x306, vfma_s(0xbf800002, 0x3f800001, 0x3f800001), 0x28800000);
    CHECK(0x307, vfma_s(0xbf800000, 0x3f800001, 0x3f800001), 0x34800000);
    CHECK(0x308, vfma_s(0x3f800000, 0x3f800001, 0x3f800003), 0x40000002);
    CHECK(0x309, vfms_s(0x3f800002, 0x3f800001, 0x3f800001), 0xa8800000);
    CHECK(0x30a, flags(), IXC);
    CHECK(0x30b, vfma_s(0x7f000000, 0x7f000000, 0x40000000), 0x7f800000);
    CHECK(0x30c, flags(), OFC | IXC);
    set_fpscr(RN);
    /* d=1, n=2, m=3 */
    CHECK(0x310, vmla_s(0x3f800000, 0x40000000, 0x40400000), 0x40e00000);  /* 7 */
    CHECK(0x311, vmls_s(0x3f800000, 0x40000000, 0x40400000), 0xc0a00000);  /* -5 */
    CHECK(0x312, vnmla_s(0x3f800000, 0x40000000, 0x40400000), 0xc0e00000); /* -7 */
    CHECK(0x313, vnmls_s(0x3f800000, 0x40000000, 0x40400000), 0x40a00000); /* 5 */
    CHECK(0x314, vfma_s(0x3f800000, 0x40000000, 0x40400000), 0x40e00000);
    CHECK(0x315, vfms_s(0x3f800000, 0x40000000, 0x40400000), 0xc0a00000);
    CHECK(0x316, vfnma_s(0x3f800000, 0x40000000, 0x40400000), 0xc0e00000);
    CHECK(0x317, vfnms_s(0x3f800000, 0x40000000, 0x40400000), 0x40a00000);
    /* inf * 0 + quiet NaN: Invalid and the default NaN */
    set_fpscr(RN);
    CHECK(0x318, vfma_s(0x7fc00123, 0x7f800000, 0x00000000), 0x7fc00000);
    CHECK(0x319, flags(), IOC);
}

static void check_cmp(void)
{
    set_fpscr(RN);
    CHECK(0x400, cmp_nzcv(0x3f800000, 0x40000000, 0), 0x8);
    CHECK(0x401, cmp_nzcv(0x40000000, 0x3f800000, 0), 0x2);
    CHECK(0x402, cmp_nzcv(0x80000000, 0x00000000, 0), 0x6);
    CHECK(0x403, cmp_nzcv(0x7fc00000, 0x00000000, 0), 0x3);
    CHECK(0x404, flags(), 0);
    CHECK(0x405, cmp_nzcv(0x7fc00000, 0x00000000, 1), 0x3);
    CHECK(0x406, flags(), IOC);
    set_fpscr(RN);
    CHECK(0x407, cmp_nzcv(0x7f800001, 0x00000000, 0), 0x3);
    CHECK(0x408, flags(), IOC);
    CHECK(0x409, (get_fpscr() >> 28), 0x3);
}

static void check_cvt(void)
{
    set_fpscr(RN);
    CHECK(0x500, cvt_s32_rz(0x40200000), 2); /* 2.5 */
    CHECK(0x501, cvt_s32_r(0x40200000), 2);  /* ties to even */
    CHECK(0x502, cvt_s32_r(0x40600000), 4);  /* 3.5 */
    CHECK(0x503, flags(), IXC);
    set_fpscr(RM);
    CHECK(0x504, cvt_s32_r(0xc0200000), (uint32_t)-3);
    set_fpscr(RN);
    CHECK(0x505, cvt_s32_rz(0x4f32d05e), 0x7fffffff); /* 3e9 saturates */
    CHECK(0x506, flags(), IOC);
    CHECK(0x507, cvt_u32_rz(0xbf800000), 0); /* -1 */
    CHECK(0x508, cvt_s32_rz(0x7fc00000), 0);
    CHECK(0x509, cvt_s32_rz(0xcf000000), 0x80000000); /* -2^31 fits */
    set_fpscr(RN);
    CHECK(0x50a, cvt_u32_rz(0xbf000000), 0); /* -0.5 rounds to 0: inexact */
    CHECK(0x50b, flags(), IXC);
    set_fpscr(RN);
    CHECK(0x510, cvt_f32_u32(0xffffffff), 0x4f800000);
    CHECK(0x511, flags(), IXC);
    set_fpscr(RZ);
    CHECK(0x512, cvt_f32_u32(0xffffffff), 0x4f7fffff);
    set_fpscr(RN);
    CHECK(0x513, cvt_f32_s32(0xfffffffd), 0xc0400000);
    uint64_t d = cvt_d_s32(0xffffffff);
    CHECK(0x514, (uint32_t)(d >> 32), 0xbff00000);
    CHECK(0x515, (uint32_t)d, 0);
    /* single <-> double */
    set_fpscr(RN);
    d = cvt_d_s(0x7f800001);
    CHECK(0x520, (uint32_t)(d >> 32), 0x7ff80000);
    CHECK(0x521, (uint32_t)d, 0x20000000);
    CHECK(0x522, flags(), IOC);
    d = cvt_d_s(0x3fc00000);
    CHECK(0x523, (uint32_t)(d >> 32), 0x3ff80000);
    set_fpscr(RN);
    CHECK(0x524, cvt_s_d(0x7e37e43c8800759cull), 0x7f800000); /* 1e300 */
    CHECK(0x525, flags(), OFC | IXC);
    set_fpscr(RN);
    CHECK(0x526, cvt_s_d(0x3fd5555555555555ull), 0x3eaaaaab);
    set_fpscr(RZ);
    CHECK(0x527, cvt_s_d(0x3fd5555555555555ull), 0x3eaaaaaa);
    /* fixed point */
    set_fpscr(RN);
    CHECK(0x530, cvt_fix16(0x3fc00000), 0x00018000);
    CHECK(0x531, cvt_from_fix16(0x00018000), 0x3fc00000);
    CHECK(0x532, cvt_ufix8_h(0x40200000), 0x280);
    CHECK(0x533, cvt_fix16(0xbfc00000), 0xfffe8000);
    /* half precision */
    CHECK(0x540, cvtb_f16(0x3f800000) & 0xffff, 0x3c00);
    CHECK(0x541, cvtt_f16(0x3eaaaaab) >> 16, 0x3555);
    CHECK(0x542, cvtb_f32(0xffff3c00), 0x3f800000);
    CHECK(0x543, cvtt_f32(0xc0000000), 0xc0000000);
    CHECK(0x544, cvtb_f32(0x00000001), 0x33800000);
    CHECK(0x545, cvtb_f16(0x33800000) & 0xffff, 0x0001);
    set_fpscr(RN);
    CHECK(0x546, cvtb_f16(0x477ff000) & 0xffff, 0x7c00); /* 65520 rounds to inf */
    CHECK(0x547, flags(), OFC | IXC);
    set_fpscr(RZ);
    CHECK(0x548, cvtb_f16(0x477ff000) & 0xffff, 0x7bff);
    set_fpscr(RN);
    CHECK(0x549, cvtb_f16(0x7f800001) & 0xffff, 0x7e00);
    CHECK(0x54a, flags(), IOC);
}

static void check_moves(void)
{
    uint32_t a, b;
    uint64_t d;
    __asm__ volatile("vmov.f32 s4, #1.5\n\tvmov %0, s4" : "=r"(a)::"s4");
    CHECK(0x600, a, 0x3fc00000);
    __asm__ volatile("vmov.f32 s4, #-0.125\n\tvmov %0, s4" : "=r"(a)::"s4");
    CHECK(0x601, a, 0xbe000000);
    __asm__ volatile("vmov.f64 d5, #-2.0\n\tvmov %Q0, %R0, d5" : "=r"(d)::"d5");
    CHECK(0x602, (uint32_t)(d >> 32), 0xc0000000);
    CHECK(0x603, (uint32_t)d, 0);
    __asm__ volatile("vmov.f64 d5, #31.0\n\tvmov %Q0, %R0, d5" : "=r"(d)::"d5");
    CHECK(0x604, (uint32_t)(d >> 32), 0x403f0000);
    /* two singles <-> two core registers, D31 */
    __asm__ volatile("vmov s6, s7, %2, %3\n\tvmov %0, s7\n\tvmov %1, s6"
                     : "=r"(a), "=r"(b)
                     : "r"(0x11111111), "r"(0x22222222)
                     : "s6", "s7");
    CHECK(0x605, a, 0x22222222);
    CHECK(0x606, b, 0x11111111);
    __asm__ volatile("vmov d31, %2, %3\n\tvmov %0, %1, d31"
                     : "=&r"(a), "=&r"(b)
                     : "r"(0x12345678), "r"(0x9abcdef0)
                     : "d31");
    CHECK(0x607, a, 0x12345678);
    CHECK(0x608, b, 0x9abcdef0);
    /* scalars: D3 = 0x8877665544332211 */
    __asm__ volatile("vmov d3, %0, %1" ::"r"(0x44332211), "r"(0x88776655) : "d3");
    __asm__ volatile("vmov.u8 %0, d3[7]" : "=r"(a));
    CHECK(0x610, a, 0x88);
    __asm__ volatile("vmov.s8 %0, d3[7]" : "=r"(a));
    CHECK(0x611, a, 0xffffff88);
    __asm__ volatile("vmov.s16 %0, d3[1]" : "=r"(a));
    CHECK(0x612, a, 0x4433);
    __asm__ volatile("vmov.32 %0, d3[1]" : "=r"(a));
    CHECK(0x613, a, 0x88776655);
    __asm__ volatile("vmov.8 d3[2], %1\n\tvmov.16 d3[3], %2\n\tvmov %0, s7"
                     : "=r"(a)
                     : "r"(0xaa), "r"(0xbbcc)
                     : "d3");
    CHECK(0x614, a, 0xbbcc6655);
    __asm__ volatile("vmov %0, s6" : "=r"(a));
    CHECK(0x615, a, 0x44aa2211);
    __asm__ volatile("vdup.16 q2, %2\n\tvmov %0, %1, d5"
                     : "=&r"(a), "=&r"(b)
                     : "r"(0x1234abcd)
                     : "q2");
    CHECK(0x616, a, 0xabcdabcd);
    CHECK(0x617, b, 0xabcdabcd);
    /* FPSCR keeps what VMSR writes, trap enables read as zero */
    set_fpscr(0xf3c09f9f);
    CHECK(0x620, get_fpscr(), 0xf3c0009f);
    set_fpscr(0);
    uint32_t fpsid, mvfr0, mvfr1;
    __asm__ volatile("vmrs %0, fpsid\n\tvmrs %1, mvfr0\n\tvmrs %2, mvfr1"
                     : "=r"(fpsid), "=r"(mvfr0), "=r"(mvfr1));
    uint32_t midr;
    __asm__ volatile("mrc p15, 0, %0, c0, c0, 0" : "=r"(midr));
    uint32_t part = (midr >> 4) & 0xfff;
    CHECK(0x621, fpsid, part == 0xc09 ? 0x41033090 : part == 0xc07 ? 0x41023075 : 0x410430f0);
    CHECK(0x622, mvfr0, part == 0xc09 ? 0x11110222 : 0x10110222);
    CHECK(0x623, mvfr1, part == 0xc09 ? 0x01111111 : 0x11111111);
}

static volatile uint32_t mem[16] __attribute__((aligned(8)));

static void check_memory(void)
{
    for (int i = 0; i < 16; i++) {
        mem[i] = 0x01010101u * (uint32_t)i;
    }
    uint32_t a, b, c;
    __asm__ volatile("vldr s9, [%1, #8]\n\tvmov %0, s9" : "=r"(a) : "r"(mem) : "s9", "memory");
    CHECK(0x700, a, 0x02020202);
    __asm__ volatile("vldr d9, [%2, #12]\n\tvmov %0, %1, d9"
                     : "=&r"(a), "=&r"(b)
                     : "r"(mem)
                     : "d9", "memory");
    CHECK(0x701, a, 0x03030303);
    CHECK(0x702, b, 0x04040404);
    __asm__ volatile("vmov s1, %0\n\tvstr s1, [%1, #-4]" ::"r"(0xdeadbeef), "r"(&mem[5])
                     : "s1", "memory");
    CHECK(0x703, mem[4], 0xdeadbeef);
    /* VLDMIA with writeback: d16-d18 */
    const volatile uint32_t *p = &mem[8];
    __asm__ volatile("vldmia %0!, {d16-d18}\n\tvmov %1, %2, d18"
                     : "+r"(p), "=&r"(a), "=&r"(b)
                     :
                     : "d16", "d17", "d18", "memory");
    CHECK(0x704, (uint32_t)(p - mem), 14);
    CHECK(0x705, a, 0x0c0c0c0c);
    CHECK(0x706, b, 0x0d0d0d0d);
    /* VSTMDB with writeback (VPUSH-like) of s2-s4 */
    volatile uint32_t *q = &mem[16];
    __asm__ volatile("vmov s2, %1\n\tvmov s3, %2\n\tvmov s4, %3\n\tvstmdb %0!, {s2-s4}"
                     : "+r"(q)
                     : "r"(0xa), "r"(0xb), "r"(0xc)
                     : "s2", "s3", "s4", "memory");
    CHECK(0x707, (uint32_t)(q - mem), 13);
    CHECK(0x708, mem[13], 0xa);
    CHECK(0x709, mem[15], 0xc);
    /* VPUSH/VPOP round trip */
    __asm__ volatile("vmov d8, %3, %4\n\tvpush {d8}\n\tvmov d8, %5, %5\n\tvpop {d8}\n\t"
                     "vmov %0, %1, d8\n\tmov %2, sp"
                     : "=&r"(a), "=&r"(b), "=&r"(c)
                     : "r"(0x55), "r"(0x66), "r"(0)
                     : "d8", "memory");
    CHECK(0x70a, a, 0x55);
    CHECK(0x70b, b, 0x66);
}

/* VLDR/VSTR/VLDM are aligned accesses (MemA): a misaligned word faults even with SCTLR.A
 * clear, and a double needs word alignment only. */
static void check_memory_align(void)
{
    uint32_t a, b;
    mem[1] = 0x11111111;
    mem[2] = 0x22222222;
    exc_kind = 0;
    __asm__ volatile("vmov d5, %0, %1\n\tvstr d5, [%2, #4]" ::"r"(0xaaaa5555), "r"(0x5555aaaa),
                     "r"(mem)
                     : "d5", "memory");
    CHECK(0x720, exc_kind, 0);
    CHECK(0x721, mem[1], 0xaaaa5555);
    CHECK(0x722, mem[2], 0x5555aaaa);
    exc_kind = 0;
    __asm__ volatile("vldr d6, [%2]\n\tvmov %0, %1, d6"
                     : "=&r"(a), "=&r"(b)
                     : "r"((const volatile char *)mem + 2)
                     : "d6", "memory");
    CHECK(0x723, exc_kind, 4); /* data abort: alignment fault */
    CHECK(0x724, exc_fsr & 0x40f, 1);
    exc_kind = 0;
    __asm__ volatile("vmov s3, %0\n\tvstmia %1, {s3}" ::"r"(0x12345678),
                     "r"((volatile char *)mem + 1)
                     : "s3", "memory");
    CHECK(0x725, exc_kind, 4);
    CHECK(0x726, mem[1], 0xaaaa5555); /* nothing written */
}

static void check_disabled(void)
{
    uint32_t fpexc;
    __asm__ volatile("vmrs %0, fpexc" : "=r"(fpexc));
    CHECK(0x800, fpexc, 0x40000000);
    __asm__ volatile("vmsr fpexc, %0" ::"r"(0));
    exc_kind = 0;
    exc_count = 0;
    __asm__ volatile("vadd.f32 s0, s0, s0" ::: "s0");
    CHECK(0x801, exc_kind, 1);
    CHECK(0x802, exc_count, 1);
    /* the ID registers stay readable at PL1, FPSCR does not */
    uint32_t id = 0;
    exc_kind = 0;
    __asm__ volatile("vmrs %0, mvfr0" : "=r"(id));
    CHECK(0x804, exc_kind, 0);
    CHECK(0x805, id & 0x00ffffff, 0x00110222); /* MVFR0 below the model-specific nibbles */
    __asm__ volatile("vmrs %0, fpscr" : "+r"(id));
    CHECK(0x806, exc_kind, 1);
    __asm__ volatile("vmsr fpexc, %0" ::"r"(0x40000000));
    exc_kind = 0;
    __asm__ volatile("vadd.f32 s0, s0, s0" ::: "s0");
    CHECK(0x803, exc_kind, 0);
}

static void __attribute__((noinline)) enable_vfp(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(v));
    v |= 0xfu << 20;
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 2\n\tisb" ::"r"(v));
    __asm__ volatile("vmsr fpexc, %0" ::"r"(0x40000000));
}

static int __attribute__((noinline)) run(void)
{
    check_arith();
    check_ixc_already_set();
    check_cvt_fixed_double();
    check_conditional();
    check_nan_denormal();
    check_mac();
    check_cmp();
    check_cvt();
    check_moves();
    check_memory();
    check_memory_align();
    check_disabled();
    return finish();
}

int main(void)
{
    enable_vfp();
    return run();
}
