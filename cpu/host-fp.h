/*
 * What guest FPU helpers share about the host's floating point: bit-exact
 * casts between integers and floats, and the SSE control/status register
 * (MXCSR) that governs float/double arithmetic on x86-64. Setting MXCSR
 * directly costs a few cycles, where glibc's fenv calls also save and reload
 * the x87 environment.
 */
#ifndef CPU_HOST_FP_H
#define CPU_HOST_FP_H

#include <stdint.h>
#include <string.h>

static inline float host_fp_f32(uint32_t v)
{
    float f;
    memcpy(&f, &v, 4);
    return f;
}

static inline uint32_t host_fp_bits32(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return v;
}

static inline double host_fp_f64(uint64_t v)
{
    double d;
    memcpy(&d, &v, 8);
    return d;
}

static inline uint64_t host_fp_bits64(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return v;
}

#if defined(__x86_64__)
/* MXCSR bits: exception flags 5..0 (PE UE OE ZE DE IE), masks 12..7,
 * rounding control 14..13. */
#define HOST_MXCSR_IE      0x01u
#define HOST_MXCSR_ZE      0x04u
#define HOST_MXCSR_OE      0x08u
#define HOST_MXCSR_UE      0x10u
#define HOST_MXCSR_PE      0x20u
#define HOST_MXCSR_FLAGS   0x3fu
#define HOST_MXCSR_RC      0x6000u
#define HOST_MXCSR_RC_NEAR 0x0000u
#define HOST_MXCSR_RC_DOWN 0x2000u
#define HOST_MXCSR_RC_UP   0x4000u
#define HOST_MXCSR_RC_ZERO 0x6000u
#define HOST_MXCSR_DEFAULT 0x1f80u /* all exceptions masked, nearest, no flags */

/* volatile with a memory clobber: the compiler may not move float arithmetic
 * across these. */
static inline uint32_t host_mxcsr_read(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v)::"memory");
    return v;
}

static inline void host_mxcsr_write(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" ::"m"(v) : "memory");
}
#endif

#endif
