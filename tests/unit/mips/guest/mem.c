/* tests/unit/mips/guest/mem.c: loads and stores of every size and sign, the unaligned
 * LWL/LWR/SWL/SWR pairs (endian-aware), and LL/SC. */
#include "test.h"

static volatile uint8_t buf[32] __attribute__((aligned(8)));
static volatile uint32_t word;

#if __MIPSEB__
#define BE 1
#else
#define BE 0
#endif

int main(void)
{
    for (int i = 0; i < 32; i++) {
        buf[i] = (uint8_t)(0x10 + i);
    }
    volatile uint32_t *w = (volatile uint32_t *)buf;
    volatile uint16_t *h = (volatile uint16_t *)buf;
    volatile int8_t *sb = (volatile int8_t *)buf;
    CHECK_EQ(1, w[0], BE ? 0x10111213u : 0x13121110u);
    CHECK_EQ(2, h[1], BE ? 0x1213u : 0x1312u);
    buf[5] = 0x80;
    CHECK_EQ(3, (int32_t)sb[5], (uint32_t)-128);
    CHECK_EQ(4, buf[5], 0x80);
    h[4] = 0x8001;
    CHECK_EQ(5, (int32_t)((volatile int16_t *)buf)[4], 0xffff8001u);
    CHECK_EQ(6, buf[8], BE ? 0x80 : 0x01);
    w[3] = 0xa1b2c3d4;
    CHECK_EQ(7, buf[12], BE ? 0xa1 : 0xd4);

    /* Unaligned word load at offset 1 and 3 with lwl/lwr (what the compiler uses for
     * packed structs), store back with swl/swr. */
    for (int i = 0; i < 16; i++) {
        buf[i] = (uint8_t)(0x40 + i);
    }
    uint32_t v;
    for (int off = 0; off < 4; off++) {
        volatile uint8_t *p = buf + 1 + off;
        if (BE) {
            __asm__ volatile("lwl %0, 0(%1)\n\tlwr %0, 3(%1)" : "=&r"(v) : "r"(p));
        } else {
            __asm__ volatile("lwr %0, 0(%1)\n\tlwl %0, 3(%1)" : "=&r"(v) : "r"(p));
        }
        uint32_t want =
            BE ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
               : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
        CHECK_EQ(10 + off, v, want);
    }
    /* Partial: lwl alone merges into the old register value. */
    v = 0xeeeeeeee;
    __asm__ volatile("lwl %0, 1(%1)" : "+r"(v) : "r"(buf));
    CHECK_EQ(15, v, BE ? 0x414243eeu : 0x4140eeeeu);
    v = 0xeeeeeeee;
    __asm__ volatile("lwr %0, 1(%1)" : "+r"(v) : "r"(buf));
    CHECK_EQ(16, v, BE ? 0xeeee4041u : 0xee434241u);
    for (int off = 0; off < 4; off++) {
        for (int i = 0; i < 16; i++) {
            buf[i] = 0;
        }
        volatile uint8_t *p = buf + 4 + off;
        if (BE) {
            __asm__ volatile("swl %0, 0(%1)\n\tswr %0, 3(%1)" ::"r"(0xcafef00d), "r"(p) : "memory");
        } else {
            __asm__ volatile("swr %0, 0(%1)\n\tswl %0, 3(%1)" ::"r"(0xcafef00d), "r"(p) : "memory");
        }
        uint32_t got =
            BE ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3])
               : ((uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);
        CHECK_EQ(20 + off, got, 0xcafef00d);
        CHECK_EQ(30 + off, buf[3 + off], 0);
        CHECK_EQ(40 + off, buf[8 + off], 0);
    }
    /* swl alone */
    for (int i = 0; i < 8; i++) {
        buf[i] = 0;
    }
    __asm__ volatile("swl %0, 1(%1)" ::"r"(0x11223344), "r"(buf) : "memory");
    if (BE) {
        CHECK_EQ(45, w[0], 0x00112233u);
    } else {
        CHECK_EQ(45, w[0], 0x00001122u);
    }

    /* LL/SC: succeeds undisturbed, fails after an intervening ERET-free store? No: fails
     * after an exception return (ERET clears LLbit). */
    word = 5;
    uint32_t ok, old;
    __asm__ volatile("ll %0, 0(%2)\n\taddiu %1, %0, 1\n\tsc %1, 0(%2)"
                     : "=&r"(old), "=&r"(ok)
                     : "r"(&word)
                     : "memory");
    CHECK_EQ(50, old, 5);
    CHECK_EQ(51, ok, 1);
    CHECK_EQ(52, word, 6);
    __asm__ volatile("ll %0, 0(%2)\n\tsyscall\n\taddiu %1, %0, 1\n\tsc %1, 0(%2)"
                     : "=&r"(old), "=&r"(ok)
                     : "r"(&word)
                     : "memory");
    CHECK_EQ(53, ok, 0);
    CHECK_EQ(54, word, 6);
    /* an atomic increment loop like the kernel's */
    for (int i = 0; i < 10; i++) {
        __asm__ volatile("1: ll %0, 0(%1)\n\taddiu %0, %0, 2\n\tsc %0, 0(%1)\n\tbeqz %0, 1b\n\tnop"
                         : "=&r"(ok)
                         : "r"(&word)
                         : "memory");
    }
    CHECK_EQ(55, word, 26);
    return done("mem");
}
