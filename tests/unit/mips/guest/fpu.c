/* tests/unit/mips/guest/fpu.c: the 24Kf FPU: single and double arithmetic, conversions
 * with FCSR rounding modes, compares and condition codes, FCSR flags, multiply-add, and
 * the FPU loads/stores. */
#include "test.h"

static volatile double dv[4] = {1.5, -2.25, 3.0, 0.0};
static volatile float fv[4] = {1.5f, -2.25f, 3.0f, 0.0f};

static uint32_t fcsr(void)
{
    uint32_t v;
    __asm__ volatile("cfc1 %0, $31" : "=r"(v));
    return v;
}

static void set_fcsr(uint32_t v)
{
    __asm__ volatile("ctc1 %0, $31" ::"r"(v));
}

static uint32_t bits_f(float f)
{
    union {
        float f;
        uint32_t u;
    } x = {.f = f};
    return x.u;
}

static uint64_t bits_d(double d)
{
    union {
        double d;
        uint64_t u;
    } x = {.d = d};
    return x.u;
}

static int32_t cvt_w_d(double d)
{
    float r;
    __asm__ volatile("cvt.w.d %0, %1" : "=f"(r) : "f"(d));
    return (int32_t)bits_f(r);
}

int main(void)
{
    double a = dv[0], b = dv[1], c = dv[2];
    float fa = fv[0], fb = fv[1], fc = fv[2];
    CHECK(1, a + b == -0.75);
    CHECK(2, a * b == -3.375);
    CHECK(3, c / a == 2.0);
    CHECK(4, fa + fb == -0.75f);
    CHECK(5, fa * fc == 4.5f);
    CHECK(6, fc / fa == 2.0f);
    CHECK(7, fb - fa == -3.75f);
    double s;
    __asm__ volatile("sqrt.d %0, %1" : "=f"(s) : "f"(dv[2] * 3.0));
    CHECK_EQ(8, (uint32_t)(bits_d(s) >> 32), 0x40080000u); /* sqrt(9) = 3 */
    CHECK_EQ(9, bits_d(-a) >> 32, 0xbff80000u);
    CHECK_EQ(10, bits_f(-fa), 0xbfc00000u);
    /* comparisons through c.cond + bc1t/bc1f */
    CHECK(11, b < a);
    CHECK(12, !(a < b));
    CHECK(13, a <= a);
    CHECK(14, fa > fb);
    CHECK(15, fa != fb);
    volatile double nan = 0.0 / dv[3];
    CHECK(16, !(nan == nan));
    CHECK(17, !(nan < a));
    /* conversions */
    CHECK_EQ(20, (int32_t)(dv[1] * 2.0), -4); /* trunc.w.d */
    CHECK_EQ(21, (int32_t)fv[1], -2);
    CHECK(22, (double)(int32_t)hide(7) == 7.0); /* cvt.d.w */
    CHECK(23, (float)dv[0] == 1.5f);            /* cvt.s.d */
    CHECK(24, (double)fv[1] == -2.25);          /* cvt.d.s */
    /* rounding modes for cvt.w.d: 2.5 and -2.5 */
    set_fcsr(0); /* nearest even */
    CHECK_EQ(25, cvt_w_d(2.5), 2);
    set_fcsr(1); /* toward zero */
    CHECK_EQ(26, cvt_w_d(-2.5), -2);
    set_fcsr(2); /* +inf */
    CHECK_EQ(27, cvt_w_d(2.25), 3);
    set_fcsr(3); /* -inf */
    CHECK_EQ(28, cvt_w_d(2.75), 2);
    set_fcsr(0);
    float r;
    __asm__ volatile("round.w.d %0, %1" : "=f"(r) : "f"(3.5));
    CHECK_EQ(29, bits_f(r), 4);
    __asm__ volatile("floor.w.s %0, %1" : "=f"(r) : "f"(-1.5f));
    CHECK_EQ(30, bits_f(r), (uint32_t)-2);
    __asm__ volatile("ceil.w.s %0, %1" : "=f"(r) : "f"(-1.5f));
    CHECK_EQ(31, bits_f(r), (uint32_t)-1);
    /* flags: inexact from 1/3, divide-by-zero */
    set_fcsr(0);
    volatile double third = 1.0 / dv[2];
    (void)third;
    CHECK_EQ(32, (fcsr() >> 2) & 0x1f, 1);  /* Flags: I */
    CHECK_EQ(33, (fcsr() >> 12) & 0x3f, 1); /* Cause: I */
    volatile double inf = 1.0 / dv[3];
    (void)inf;
    CHECK_EQ(34, (fcsr() >> 2) & 0x1f, 1 | 8); /* I and Z */
    CHECK_EQ(35, (fcsr() >> 12) & 0x3f, 8);
    /* an enabled exception traps with FPE (code 15) */
    set_fcsr(1u << 10); /* enable Z */
    exc_count = 0;
    volatile double z = 1.0 / dv[3];
    (void)z;
    CHECK_EQ(36, exc_count, 1);
    CHECK_EQ(37, (exc_cause >> 2) & 0x1f, 15);
    set_fcsr(0);
    /* condition codes other than 0 and MOVT */
    uint32_t m = 0;
    __asm__ volatile("c.lt.d $fcc3, %1, %2\n\tli %0, 5\n\tmovt %0, $zero, $fcc3"
                     : "+r"(m)
                     : "f"(b), "f"(a));
    CHECK_EQ(38, m, 0);
    CHECK_EQ(39, (fcsr() >> 27) & 1, 1); /* FCC3 is bit 27 */
    /* multiply-add */
    double ma;
    __asm__ volatile("madd.d %0, %1, %2, %3" : "=f"(ma) : "f"(c), "f"(a), "f"(b));
    CHECK(40, ma == 1.5 * -2.25 + 3.0);
    float fma;
    __asm__ volatile("nmsub.s %0, %1, %2, %3" : "=f"(fma) : "f"(fc), "f"(fa), "f"(fb));
    CHECK(41, fma == -(1.5f * -2.25f - 3.0f));
    /* indexed loads/stores and ldc1/sdc1 */
    double ld;
    __asm__ volatile("ldxc1 %0, %1(%2)" : "=f"(ld) : "r"(8), "r"(dv));
    CHECK(42, ld == -2.25);
    dv[3] = a * 4.0;
    CHECK(43, dv[3] == 6.0);
    CHECK_EQ(44, exc_count, 1);
    return done("fpu");
}
