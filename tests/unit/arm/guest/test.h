/*
 * tests/unit/arm/guest/test.h: what the bare-metal ARM test programs share: output to the
 * test device, the exception records kept by crt.S, and CHECK, which reports a failed
 * check by its number.
 */
#ifndef ARM_GUEST_TEST_H
#define ARM_GUEST_TEST_H

#include <stdint.h>

/* Code addresses taken with ADR need the Thumb bit for interworking branches. */
#ifdef __thumb__
#define SET_T "orr r0, r0, #1\n"
#else
#define SET_T ""
#endif

#define TESTDEV ((volatile uint32_t *)0x0a000000u)

extern volatile uint32_t exc_kind, exc_lr, exc_spsr, exc_count, exc_fsr, exc_far, exc_resume;

static int failures;

static inline void out_char(char c)
{
    TESTDEV[0] = (uint8_t)c;
}

static inline void out_str(const char *s)
{
    while (*s) {
        out_char(*s++);
    }
}

static inline void out_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) {
        out_char("0123456789abcdef"[(v >> i) & 15]);
    }
}

static inline void check_fail(int n, uint32_t got, uint32_t want)
{
    out_str("FAIL ");
    out_hex((uint32_t)n);
    out_str(" got ");
    out_hex(got);
    out_str(" want ");
    out_hex(want);
    out_char('\n');
    failures++;
}

#define CHECK(n, got, want)                                   \
    do {                                                      \
        uint32_t g_ = (uint32_t)(got), w_ = (uint32_t)(want); \
        if (g_ != w_) {                                       \
            check_fail(n, g_, w_);                            \
        }                                                     \
    } while (0)

static inline int finish(void)
{
    out_str(failures ? "FAILED\n" : "OK\n");
    return failures;
}

static inline uint32_t get_cpsr(void)
{
    uint32_t v;
    __asm__ volatile("mrs %0, cpsr" : "=r"(v));
    return v;
}

#endif
