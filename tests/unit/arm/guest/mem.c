/* tests/unit/arm/guest/mem.c: loads and stores of every size and addressing mode,
 * load/store multiple, LDRD/STRD, LDREX/STREX of every size, SWP. */
#include "test.h"

static volatile uint32_t buf[16] __attribute__((aligned(8)));

int main(void)
{
    uint32_t r, r2, base;
    for (int i = 0; i < 16; i++) {
        buf[i] = 0x11111111u * (uint32_t)i;
    }
    volatile uint32_t *p = buf;
    /* Pre-indexed with writeback, post-indexed, register offset with shift. */
    base = (uint32_t)p;
    __asm__ volatile("ldr %0, [%1, #8]!" : "=r"(r), "+r"(base));
    CHECK(1, r, 0x22222222u);
    CHECK(2, base, (uint32_t)&buf[2]);
    __asm__ volatile("ldr %0, [%1], #4" : "=r"(r), "+r"(base));
    CHECK(3, r, 0x22222222u);
    CHECK(4, base, (uint32_t)&buf[3]);
    __asm__ volatile("ldr %0, [%1, %2, lsl #2]" : "=r"(r) : "r"(p), "r"(5));
    CHECK(5, r, 0x55555555u);
#ifndef __thumb__
    __asm__ volatile("ldr %0, [%1, -%2, lsl #2]" : "=r"(r) : "r"(&buf[6]), "r"(1));
    CHECK(6, r, 0x55555555u);
#endif
    /* Bytes and halfwords, signed and unsigned. */
    buf[0] = 0x8081f0ffu;
    __asm__ volatile("ldrb %0, [%1, #1]" : "=r"(r) : "r"(p));
    CHECK(7, r, 0xf0);
    __asm__ volatile("ldrsb %0, [%1, #1]" : "=r"(r) : "r"(p));
    CHECK(8, r, 0xfffffff0u);
    __asm__ volatile("ldrh %0, [%1, #2]" : "=r"(r) : "r"(p));
    CHECK(9, r, 0x8081);
    __asm__ volatile("ldrsh %0, [%1, #2]" : "=r"(r) : "r"(p));
    CHECK(10, r, 0xffff8081u);
    base = (uint32_t)p + 4;
    __asm__ volatile("ldrsh %0, [%1, #-2]!" : "=r"(r), "+r"(base));
    CHECK(11, r, 0xffff8081u);
    CHECK(12, base, (uint32_t)p + 2);
    __asm__ volatile("strb %1, [%0, #3]" : : "r"(p), "r"(0x12));
    __asm__ volatile("strh %1, [%0]" : : "r"(p), "r"(0x3456));
    CHECK(13, buf[0], 0x12813456u);
    /* Unaligned word load (SCTLR.A clear). */
    __asm__ volatile("ldr %0, [%1, #1]" : "=r"(r) : "r"(p));
    CHECK(14, r, (buf[1] << 24) | (0x12813456u >> 8));
    /* LDRD/STRD */
    buf[4] = 0xaaaa0000u;
    buf[5] = 0x0000bbbbu;
    {
        register uint32_t lo __asm__("r4"), hi __asm__("r5");
        __asm__ volatile("ldrd r4, r5, [%2, #16]" : "=r"(lo), "=r"(hi) : "r"(p));
        CHECK(15, lo, 0xaaaa0000u);
        CHECK(16, hi, 0x0000bbbbu);
        __asm__ volatile("mov r4, #1\n mov r5, #2\n strd r4, r5, [%0, #24]"
                         :
                         : "r"(p)
                         : "r4", "r5");
        CHECK(17, buf[6], 1);
        CHECK(18, buf[7], 2);
    }
    /* LDM/STM in all four modes with writeback. */
    base = (uint32_t)&buf[8];
    __asm__ volatile("mov r4, #4\n mov r5, #5\n mov r6, #6\n stmia %0!, {r4-r6}"
                     : "+r"(base)
                     :
                     : "r4", "r5", "r6");
    CHECK(19, base, (uint32_t)&buf[11]);
    CHECK(20, buf[9], 5);
    __asm__ volatile("ldmdb %0!, {r4-r6}\n add %1, r4, r6"
                     : "+r"(base), "=r"(r)
                     :
                     : "r4", "r5", "r6");
    CHECK(21, base, (uint32_t)&buf[8]);
    CHECK(22, r, 10);
#ifndef __thumb__
    __asm__ volatile("mov r4, #7\n mov r5, #8\n stmib %0, {r4, r5}" : : "r"(base) : "r4", "r5");
    CHECK(23, buf[9], 7);
    CHECK(24, buf[10], 8);
    __asm__ volatile("ldmda %1, {r4, r5}\n sub %0, r5, r4" : "=r"(r) : "r"(&buf[10]) : "r4", "r5");
    CHECK(25, r, 1);
#endif
    /* push/pop with pc: a function return through LDM. */
    __asm__ volatile("adr r0, 1f\n" SET_T
                     "push {r0}\n pop {pc}\n mov %0, #1\n b 2f\n1: mov %0, #2\n2:"
                     : "=r"(r)
                     :
                     : "r0");
    CHECK(26, r, 2);
    /* LDR pc */
    __asm__ volatile("adr r0, 1f\n" SET_T
                     "str r0, [%1]\n ldr pc, [%1]\n mov %0, #1\n b 2f\n1: mov %0, #3\n2:"
                     : "=r"(r)
                     : "r"(&buf[12])
                     : "r0", "memory");
    CHECK(27, r, 3);
    /* Exclusives */
    buf[13] = 5;
    __asm__ volatile("ldrex %0, [%2]\n add %0, %0, #1\n strex %1, %0, [%2]"
                     : "=&r"(r), "=&r"(r2)
                     : "r"(&buf[13])
                     : "memory");
    CHECK(28, r2, 0);
    CHECK(29, buf[13], 6);
    __asm__ volatile("clrex\n strex %0, %1, [%2]" : "=&r"(r2) : "r"(9), "r"(&buf[13]) : "memory");
    CHECK(30, r2, 1);
    CHECK(31, buf[13], 6);
    __asm__ volatile("ldrexb %0, [%2]\n strexb %1, %3, [%2]"
                     : "=&r"(r), "=&r"(r2)
                     : "r"(&buf[13]), "r"(0x77)
                     : "memory");
    CHECK(32, r2, 0);
    CHECK(33, buf[13], 0x77);
    __asm__ volatile("ldrexh %0, [%2]\n strexh %1, %3, [%2]"
                     : "=&r"(r), "=&r"(r2)
                     : "r"(&buf[13]), "r"(0x1234)
                     : "memory");
    CHECK(34, r2, 0);
    CHECK(35, buf[13], 0x1234);
    buf[14] = 10;
    buf[15] = 20;
    __asm__ volatile("ldrexd r4, r5, [%1]\n add r4, r4, #1\n add r5, r5, #1\n"
                     "strexd %0, r4, r5, [%1]"
                     : "=&r"(r2)
                     : "r"(&buf[14])
                     : "memory", "r4", "r5");
    CHECK(36, r2, 0);
    CHECK(37, buf[14], 11);
    CHECK(38, buf[15], 21);
#ifndef __thumb__
    /* SWP */
    buf[0] = 99;
    __asm__ volatile("swp %0, %1, [%2]" : "=&r"(r) : "r"(42), "r"(&buf[0]) : "memory");
    CHECK(39, r, 99);
    CHECK(40, buf[0], 42);
#else
    buf[0] = 42;
#endif
#ifndef __thumb__
    /* LDRT from privileged mode on a flat map reads normally. */
    base = (uint32_t)&buf[0];
    __asm__ volatile("ldrt %0, [%1], #4" : "=r"(r), "+r"(base));
    CHECK(41, r, 42);
    CHECK(42, base, (uint32_t)&buf[1]);
#endif
    return finish();
}
