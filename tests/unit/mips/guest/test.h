/*
 * tests/unit/mips/guest/test.h: what the bare-metal MIPS test programs share: output to
 * the test device, the exception records kept by crt.S, and CHECK, which reports a failed
 * check by its number.
 */
#ifndef MIPS_GUEST_TEST_H
#define MIPS_GUEST_TEST_H

#include <stdint.h>

#define TESTDEV ((volatile uint32_t *)0xbf000000u)

extern volatile uint32_t exc_cause, exc_epc, exc_badvaddr, exc_count, exc_resume;
extern volatile uint32_t refill_count, refill_pa, irq_count, irq_cause;
extern volatile uint32_t exc_log[16], exc_kernel_resume;

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

static inline void out_dec(unsigned v)
{
    char b[12];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        out_char(b[--n]);
    }
}

static inline void out_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) {
        out_char("0123456789abcdef"[(v >> i) & 15]);
    }
}

#define CHECK(n, cond)        \
    do {                      \
        if (!(cond)) {        \
            out_str("FAIL "); \
            out_dec(n);       \
            out_char('\n');   \
            failures++;       \
        }                     \
    } while (0)

#define CHECK_EQ(n, a, b)                                \
    do {                                                 \
        uint32_t _a = (uint32_t)(a), _b = (uint32_t)(b); \
        if (_a != _b) {                                  \
            out_str("FAIL ");                            \
            out_dec(n);                                  \
            out_str(": got ");                           \
            out_hex(_a);                                 \
            out_str(" want ");                           \
            out_hex(_b);                                 \
            out_char('\n');                              \
            failures++;                                  \
        }                                                \
    } while (0)

static inline uint32_t hide(uint32_t v)
{
    __asm__ volatile("" : "+r"(v));
    return v;
}

#define MFC0(reg, sel)                                            \
    ({                                                            \
        uint32_t _v;                                              \
        __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(_v)); \
        _v;                                                       \
    })
#define MTC0(reg, sel, v) __asm__ volatile("mtc0 %0, $" #reg ", " #sel "\n\tehb" ::"r"(v))

static inline int done(const char *name)
{
    out_str(name);
    out_str(failures ? ": FAILED\n" : ": ok\n");
    return failures;
}

#endif
