/* tests/unit/arm/guest/thumb.c: Thumb-only behaviour: IT blocks (flag setting inside and
 * outside them, ITTE patterns, a branch ending a block), CBZ/CBNZ, TBB/TBH, ADR, 16-bit
 * forms, T32 modified immediates, and interworking BX/BLX between ARM and Thumb code. */
#include "test.h"

__attribute__((target("arm"), noinline)) static uint32_t arm_add(uint32_t a, uint32_t b)
{
    return a + b;
}

int main(void)
{
    uint32_t r, f;
    /* ITTE: two then-instructions and an else. */
    r = 0;
    __asm__ volatile("cmp %1, #5\n ittee eq\n addeq %0, %0, #1\n addeq %0, %0, #2\n"
                     "addne %0, %0, #4\n addne %0, %0, #8"
                     : "+r"(r)
                     : "r"(5)
                     : "cc");
    CHECK(1, r, 3);
    r = 0;
    __asm__ volatile("cmp %1, #5\n ittee eq\n addeq %0, %0, #1\n addeq %0, %0, #2\n"
                     "addne %0, %0, #4\n addne %0, %0, #8"
                     : "+r"(r)
                     : "r"(6)
                     : "cc");
    CHECK(2, r, 12);
    /* A 16-bit ADD inside an IT block does not set flags; outside it does (ADDS). */
    __asm__ volatile("movs r0, #0\n cmp r0, #0\n it eq\n addeq r0, r0, #1\n mrs %0, cpsr"
                     : "=r"(f)
                     :
                     : "r0", "cc");
    CHECK(3, (f >> 30) & 1, 1); /* Z still set from the compare */
    __asm__ volatile("movs r0, #0\n cmp r0, #0\n adds r0, r0, #1\n mrs %0, cpsr"
                     : "=r"(f)
                     :
                     : "r0", "cc");
    CHECK(4, (f >> 30) & 1, 0);
    /* IT with all four slots and a mix of conditions. */
    r = 0;
    __asm__ volatile("cmp %1, #1\n itete gt\n orrgt %0, %0, #1\n orrle %0, %0, #2\n"
                     "orrgt %0, %0, #4\n orrle %0, %0, #8"
                     : "+r"(r)
                     : "r"(2)
                     : "cc");
    CHECK(5, r, 5);
    /* A branch as the last instruction of an IT block. */
    __asm__ volatile("movs %0, #0\n cmp %0, #0\n it eq\n beq 1f\n movs %0, #9\n1:"
                     : "=&r"(r)
                     :
                     : "cc");
    CHECK(6, r, 0);
    /* CBZ / CBNZ */
    __asm__ volatile("movs %0, #0\n cbz %0, 1f\n movs %0, #1\n1:" : "=&l"(r) : : "cc");
    CHECK(7, r, 0);
    __asm__ volatile("movs %0, #3\n cbnz %0, 1f\n movs %0, #1\n1:" : "=&l"(r) : : "cc");
    CHECK(8, r, 3);
    /* TBB and TBH jump tables. */
    for (uint32_t i = 0; i < 3; i++) {
        __asm__ volatile("tbb [pc, %1]\n"
                         "0: .byte (1f - 0b) / 2, (2f - 0b) / 2, (3f - 0b) / 2, 0\n"
                         "1: movs %0, #10\n b 4f\n"
                         "2: movs %0, #20\n b 4f\n"
                         "3: movs %0, #30\n"
                         "4:"
                         : "=&l"(r)
                         : "r"(i)
                         : "cc");
        CHECK(9 + (int)i, r, 10 * (i + 1));
    }
    __asm__ volatile("tbh [pc, %1, lsl #1]\n"
                     "0: .short (1f - 0b) / 2, (2f - 0b) / 2\n"
                     "1: movs %0, #1\n b 3f\n"
                     "2: movs %0, #2\n"
                     "3:"
                     : "=&l"(r)
                     : "r"(1)
                     : "cc");
    CHECK(12, r, 2);
    /* ADR and PC-relative literal loads. */
    uint32_t here, lit;
    __asm__ volatile("adr %0, 1f\n ldr %1, 1f\n b 2f\n .align 2\n1: .word 0x12345678\n2:"
                     : "=r"(here), "=r"(lit));
    CHECK(13, lit, 0x12345678);
    CHECK(14, *(volatile uint32_t *)here, 0x12345678);
    /* T32 modified immediates. */
    __asm__ volatile("mov.w %0, #0x00ab00ab" : "=r"(r));
    CHECK(15, r, 0x00ab00ab);
    __asm__ volatile("mov.w %0, #0xab00ab00" : "=r"(r));
    CHECK(16, r, 0xab00ab00);
    __asm__ volatile("mov.w %0, #0xabababab" : "=r"(r));
    CHECK(17, r, 0xabababab);
    __asm__ volatile("mov.w %0, #0x3fc00" : "=r"(r));
    CHECK(18, r, 0x3fc00);
    __asm__ volatile("orn %0, %1, #0xff" : "=r"(r) : "r"(0));
    CHECK(19, r, 0xffffff00u);
    __asm__ volatile("addw %0, %1, #0xfff" : "=r"(r) : "r"(1));
    CHECK(20, r, 0x1000);
    /* Interworking: Thumb calls an ARM function and comes back. */
    CHECK(21, arm_add(40, 2), 42);
    /* Long multiply and divide through T32. */
    uint32_t lo, hi;
    __asm__ volatile("umull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(0x80000000u), "r"(4));
    CHECK(22, lo, 0);
    CHECK(23, hi, 2);
    __asm__ volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(-9), "r"(2));
    CHECK(24, r, (uint32_t)-4);
    /* ADD pc, Rm in Thumb is a branch that stays in Thumb state, even to an even address. */
    __asm__ volatile("movs r0, #2\n add pc, r0\n movs %0, #1\n b 2f\n movs %0, #2\n2:"
                     : "=&l"(r)
                     :
                     : "r0", "cc");
    CHECK(26, r, 2);
    /* LDRD/STRD with T32 addressing. */
    static volatile uint32_t pair[2] __attribute__((aligned(8)));
    __asm__ volatile("strd %1, %2, [%0]" : : "r"(pair), "r"(7), "r"(9) : "memory");
    __asm__ volatile("ldrd %0, %1, [%2]" : "=&r"(lo), "=&r"(hi) : "r"(pair));
    CHECK(25, lo + hi * 100, 907);
    /* T32 data processing inside IT blocks, each condition passing and failing: plain and
     * modified immediates, shifted registers, bit operations, multiplies, MOVW/MOVT, and
     * the flags left as the compare set them. */
    for (uint32_t k = 0; k < 2; k++) {
        uint32_t a = 100, b = 200, c = 300, d = 400, e = 0x12345678, g = 7, h = 0xffff;
        __asm__ volatile("cmp %[k], #1\n"
                         "itttt eq\n"
                         "addweq %[a], %[a], #0x123\n"
                         "lsleq.w %[b], %[b], #3\n"
                         "orreq %[c], %[c], #0x10000\n"
                         "rbiteq %[e], %[e]\n"
                         "itte ne\n"
                         "mulne %[d], %[d], %[g]\n"
                         "ubfxne %[g], %[e], #4, #8\n"
                         "clzeq %[g], %[e]\n"
                         "itet eq\n"
                         "movteq %[h], #0x1234\n"
                         "bfine %[h], %[k], #8, #4\n"
                         "mlaeq %[d], %[d], %[k], %[c]\n"
                         "mrs %[f], cpsr"
                         : [a] "+r"(a), [b] "+r"(b), [c] "+r"(c), [d] "+r"(d), [e] "+r"(e),
                           [g] "+r"(g), [h] "+r"(h), [f] "=r"(f)
                         : [k] "r"(k)
                         : "cc");
        if (k) {
            CHECK(30, a, 100 + 0x123);
            CHECK(31, b, 1600);
            CHECK(32, c, 0x10000 + 300);
            CHECK(33, e, 0x1e6a2c48);
            CHECK(34, g, 3);
            CHECK(35, h, 0x1234ffff);
            CHECK(36, d, 400 + 0x10000 + 300);
        } else {
            CHECK(37, a + b + c, 600);
            CHECK(38, e, 0x12345678);
            CHECK(39, d, 2800);
            CHECK(40, g, 0x67);
            CHECK(41, h, 0xf0ff);
        }
        CHECK(42, (f >> 30) & 1, k); /* Z from the compare */
    }
    return finish();
}
