/*
 * tests/unit/armfp/guest/bench.c: timing loops for the VFP/NEON translator (run when
 * ARMFP_BENCH is set): 1M iterations each of a scalar float kernel (VMLA.F32, VADD.F32),
 * a double kernel shaped like bench/arm's awk loop (VCVT, VADD, VDIV, VMUL, VCMP+VMRS)
 * and an integer NEON kernel (VLD1/VADD.I32/VEOR/VST1).
 */
#include "tests/unit/arm/guest/test.h"

/* A page of its own: stores to a page holding code take the self-modifying-code slow path. */
static volatile uint32_t data[64] __attribute__((aligned(4096)));

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
    uint32_t n = 1000000, r;
    __asm__ volatile(
        "vmov.f32 s0, #1.0\n\tvmov.f32 s1, #0.5\n\tvmov.f32 s2, #0.25\n"
        "1:\n\tvmla.f32 s0, s1, s2\n\tvadd.f32 s1, s1, s2\n\tsubs %1, %1, #1\n\tbne 1b\n\t"
        "vmov %0, s0"
        : "=r"(r), "+r"(n)
        :
        : "s0", "s1", "s2", "cc");
    out_str("vfp ");
    out_hex(r);
    out_char('\n');
    CHECK(0x01, r, 0x50e8cdc7); /* the host's IEEE single-precision arithmetic */
    /* x = x * 0.999999 + 1 / (i + 0.5) for i = 1..1M, as gcc -O2 writes it */
    double x = 0;
    for (volatile int i = 1; i <= 1000000; i++) {
        double d = (double)i + 0.5;
        x = x * 0.999999 + 1 / d;
        if (x < 0) {
            break;
        }
    }
    uint64_t xb;
    __builtin_memcpy(&xb, &x, 8);
    out_str("double ");
    out_hex((uint32_t)(xb >> 32));
    out_hex((uint32_t)xb);
    out_char('\n');
    /* the host's IEEE double arithmetic gives 0x40163722976b0b18 (5.5538428935131137) */
    CHECK(0x10, (uint32_t)(xb >> 32), 0x40163722);
    CHECK(0x11, (uint32_t)xb, 0x976b0b18);
    n = 1000000;
    const volatile uint32_t *p = data;
    __asm__ volatile(
        "vmov.i32 q1, #1\n"
        "1:\n\tvld1.32 {d0, d1}, [%1:128]\n\tvadd.i32 q0, q0, q1\n\tveor q0, q0, q1\n\t"
        "vst1.32 {d0, d1}, [%1:128]\n\tsubs %0, %0, #1\n\tbne 1b"
        : "+r"(n)
        : "r"(p)
        : "d0", "d1", "d2", "d3", "cc", "memory");
    out_str("neon ");
    out_hex(data[0]);
    out_char('\n');
    return finish();
}

int main(void)
{
    enable_vfp();
    return run();
}
