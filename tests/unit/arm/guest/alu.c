/* tests/unit/arm/guest/alu.c: data processing with flags, shifts and carries, multiplies,
 * divides, saturating and parallel arithmetic, bit-field, reverse and extend. */
#include "test.h"

#define NZCV() (get_cpsr() >> 28)

static uint32_t op2(const char *dummy, uint32_t a)
{
    return a;
}

int main(void)
{
    uint32_t r, f, lo, hi;
    volatile uint32_t a = 0x7fffffff, b = 1, z = 0, m1 = 0xffffffff;

    /* ADDS overflow: N and V set. */
    __asm__ volatile("adds %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(a), "r"(b));
    CHECK(1, r, 0x80000000u);
    CHECK(2, f >> 28, 0x9); /* N, V */
    /* ADDS carry out and zero. */
    __asm__ volatile("adds %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(m1), "r"(b));
    CHECK(3, r, 0);
    CHECK(4, f >> 28, 0x6); /* Z, C */
    /* SUBS: no borrow sets C. */
    __asm__ volatile("subs %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(b), "r"(b));
    CHECK(5, f >> 28, 0x6);
    __asm__ volatile("subs %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(z), "r"(b));
    CHECK(6, f >> 28, 0x8);
    /* ADC / SBC chains (64-bit add and subtract). */
    __asm__ volatile("adds %0, %2, %3\n adc %1, %4, %4"
                     : "=&r"(lo), "=r"(hi)
                     : "r"(m1), "r"(b), "r"(z));
    CHECK(7, lo, 0);
    CHECK(8, hi, 1);
    __asm__ volatile("subs %0, %2, %3\n sbc %1, %4, %4"
                     : "=&r"(lo), "=r"(hi)
                     : "r"(z), "r"(b), "r"(z));
    CHECK(9, lo, 0xffffffffu);
    CHECK(10, hi, 0xffffffffu);
    /* RSC, RSB */
    __asm__ volatile("rsb %0, %1, #100" : "=r"(r) : "r"(b));
    CHECK(11, r, 99);
    /* Shifter carry-out: MOVS with LSR #1 of 3 sets C. */
    __asm__ volatile("movs %0, %2, lsr #1\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(3));
    CHECK(12, r, 1);
    CHECK(13, (f >> 29) & 1, 1);
    /* LSR #32 form (encoded as #0 with a register value): ASR #32 of negative. */
    __asm__ volatile("movs %0, %2, asr #32\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(m1));
    CHECK(14, r, 0xffffffffu);
    CHECK(15, (f >> 29) & 1, 1);
    /* RRX */
    __asm__ volatile("msr cpsr_f, %3\n rrxs %0, %2\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(2), "r"(0x20000000));
    CHECK(16, r, 0x80000001u);
    CHECK(17, (f >> 29) & 1, 0);
    /* Register shifts, including amounts >= 32. */
    volatile uint32_t s33 = 33, s32 = 32, s4 = 4;
    __asm__ volatile("lsl %0, %1, %2" : "=r"(r) : "r"(m1), "r"(s33));
    CHECK(18, r, 0);
    __asm__ volatile("lsls %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(1), "r"(s32));
    CHECK(19, r, 0);
    CHECK(20, f >> 28, 0x6); /* Z, C = bit 0 */
    __asm__ volatile("asr %0, %1, %2" : "=r"(r) : "r"(0x80000000u), "r"(s33));
    CHECK(21, r, 0xffffffffu);
    __asm__ volatile("ror %0, %1, %2" : "=r"(r) : "r"(0x12345678u), "r"(s4));
    CHECK(22, r, 0x81234567u);
    /* Logical ops with immediate rotation carry. */
    __asm__ volatile("msr cpsr_f, %[zero]\n ands %0, %2, #0x80000000\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(m1), [zero] "r"(0));
    CHECK(23, f >> 28, 0xa); /* N, C from the rotated immediate */
    __asm__ volatile("bic %0, %1, #0xff" : "=r"(r) : "r"(0x1234u));
    CHECK(24, r, 0x1200u);
    __asm__ volatile("mvn %0, %1" : "=r"(r) : "r"(0u));
    CHECK(25, r, 0xffffffffu);
    /* Conditional execution. */
    r = 0;
    __asm__ volatile("cmp %1, %2\n movgt %0, #1\n movle %0, #2" : "+r"(r) : "r"(5), "r"(3));
    CHECK(26, r, 1);
    __asm__ volatile("cmp %1, %2\n movhi %0, #3\n movls %0, #4" : "+r"(r) : "r"(3), "r"(5));
    CHECK(27, r, 4);
    __asm__ volatile("cmn %1, %2\n moveq %0, #5\n movne %0, #6" : "+r"(r) : "r"(1), "r"(m1));
    CHECK(28, r, 5);
    __asm__ volatile("teq %1, %1\n movmi %0, #7\n movpl %0, #8" : "+r"(r) : "r"(m1));
    CHECK(29, r, 8);

    /* Multiplies */
    volatile uint32_t x = 0x12345678, y = 0x9abcdef0;
    __asm__ volatile("mul %0, %1, %2" : "=r"(r) : "r"(x), "r"(y));
    CHECK(30, r, 0x12345678u * 0x9abcdef0u);
    __asm__ volatile("mla %0, %1, %2, %3" : "=r"(r) : "r"(x), "r"(y), "r"(b));
    CHECK(31, r, 0x12345678u * 0x9abcdef0u + 1);
    __asm__ volatile("mls %0, %1, %2, %3" : "=r"(r) : "r"(3), "r"(4), "r"(20));
    CHECK(32, r, 8);
    __asm__ volatile("umull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(x), "r"(y));
    uint64_t p = (uint64_t)0x12345678u * 0x9abcdef0u;
    CHECK(33, lo, (uint32_t)p);
    CHECK(34, hi, (uint32_t)(p >> 32));
    __asm__ volatile("smull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(x), "r"(y));
    int64_t sp = (int64_t)(int32_t)0x12345678 * (int32_t)0x9abcdef0;
    CHECK(35, lo, (uint32_t)sp);
    CHECK(36, hi, (uint32_t)((uint64_t)sp >> 32));
    lo = 1;
    hi = 2;
    __asm__ volatile("umlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(m1), "r"(m1));
    CHECK(37, lo, 2);
    CHECK(38, hi, 0);
    lo = 5;
    hi = 0;
    __asm__ volatile("smlal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(m1), "r"(2));
    CHECK(39, lo, 3);
    CHECK(40, hi, 0);
    lo = 7;
    hi = 9;
    __asm__ volatile("umaal %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(m1), "r"(m1));
    CHECK(41, lo, 0x11);
    CHECK(42, hi, 0xfffffffeu);
    __asm__ volatile("muls %0, %2, %3\n mrs %1, cpsr" : "=r"(r), "=r"(f) : "r"(m1), "r"(1));
    CHECK(43, f >> 30, 2);
    __asm__ volatile("smulbb %0, %1, %2" : "=r"(r) : "r"(0x0002fffe), "r"(0x00030003));
    CHECK(44, r, (uint32_t)-6);
    __asm__ volatile("smultt %0, %1, %2" : "=r"(r) : "r"(0x0002fffe), "r"(0xfffd0003));
    CHECK(45, r, (uint32_t)-6);
    __asm__ volatile("smlabt %0, %1, %2, %3" : "=r"(r) : "r"(0x0002fffe), "r"(0x00030003), "r"(10));
    CHECK(46, r, 4);
    __asm__ volatile("smulwb %0, %1, %2" : "=r"(r) : "r"(0x00010000), "r"(0x00000005));
    CHECK(47, r, 5);
    lo = 1;
    hi = 0;
    __asm__ volatile("smlalbb %0, %1, %2, %3" : "+r"(lo), "+r"(hi) : "r"(0xffff), "r"(2));
    CHECK(48, lo, 0xffffffffu);
    CHECK(49, hi, 0xffffffffu);
    __asm__ volatile("smuad %0, %1, %2" : "=r"(r) : "r"(0x00020003), "r"(0x00040005));
    CHECK(50, r, 23);
    __asm__ volatile("smusd %0, %1, %2" : "=r"(r) : "r"(0x00020003), "r"(0x00040005));
    CHECK(51, r, 7);
    __asm__ volatile("smlad %0, %1, %2, %3" : "=r"(r) : "r"(0x00020003), "r"(0x00050004), "r"(100));
    CHECK(52, r, 100 + 12 + 10);
    __asm__ volatile("smladx %0, %1, %2, %3" : "=r"(r) : "r"(0x00020003), "r"(0x00050004), "r"(0));
    CHECK(53, r, 15 + 8);
    __asm__ volatile("smmul %0, %1, %2" : "=r"(r) : "r"(0x40000000), "r"(8));
    CHECK(54, r, 2);
    __asm__ volatile("smmulr %0, %1, %2" : "=r"(r) : "r"(0x7fffffff), "r"(1));
    CHECK(55, r, 0);
    __asm__ volatile("smmla %0, %1, %2, %3" : "=r"(r) : "r"(0x40000000), "r"(8), "r"(1));
    CHECK(56, r, 3);
    lo = 0;
    hi = 0;
    __asm__ volatile("smlald %0, %1, %2, %3"
                     : "+r"(lo), "+r"(hi)
                     : "r"(0x7fff7fff), "r"(0x7fff7fff));
    CHECK(57, lo, 0x7ffe0002u);
    CHECK(58, hi, 0);
    __asm__ volatile("usad8 %0, %1, %2" : "=r"(r) : "r"(0x01ff0510), "r"(0x02000a01));
    CHECK(59, r, 1 + 255 + 5 + 15);
    __asm__ volatile("usada8 %0, %1, %2, %3" : "=r"(r) : "r"(0x01ff0510), "r"(0x02000a01), "r"(1));
    CHECK(60, r, 277);

    /* Divides */
    volatile int32_t n = -100, d = 7, zero = 0;
    __asm__ volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(n), "r"(d));
    CHECK(61, r, (uint32_t)-14);
    __asm__ volatile("udiv %0, %1, %2" : "=r"(r) : "r"(n), "r"(d));
    CHECK(62, r, 0xffffff9cu / 7);
    __asm__ volatile("udiv %0, %1, %2" : "=r"(r) : "r"(n), "r"(zero));
    CHECK(63, r, 0);
    __asm__ volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(0x80000000u), "r"(-1));
    CHECK(64, r, 0x80000000u);

    /* Saturating */
    __asm__ volatile("msr cpsr_f, %[zero]\n qadd %0, %2, %3\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(a), "r"(b), [zero] "r"(0));
    CHECK(65, r, 0x7fffffffu);
    CHECK(66, (f >> 27) & 1, 1);
    __asm__ volatile("msr cpsr_f, %[zero]\n qsub %0, %2, %3\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(0x80000000u), "r"(b), [zero] "r"(0));
    CHECK(67, r, 0x80000000u);
    __asm__ volatile("qdadd %0, %1, %2" : "=r"(r) : "r"(1), "r"(0x40000000));
    CHECK(68, r, 0x7fffffffu);
    __asm__ volatile("qdsub %0, %1, %2" : "=r"(r) : "r"(10), "r"(3));
    CHECK(69, r, 4);
    __asm__ volatile("ssat %0, #8, %1" : "=r"(r) : "r"(300));
    CHECK(70, r, 127);
    __asm__ volatile("ssat %0, #8, %1, lsl #1" : "=r"(r) : "r"(-100));
    CHECK(71, r, (uint32_t)-128);
    __asm__ volatile("usat %0, #8, %1" : "=r"(r) : "r"(-5));
    CHECK(72, r, 0);
    __asm__ volatile("usat %0, #4, %1, asr #2" : "=r"(r) : "r"(40));
    CHECK(73, r, 10);
    __asm__ volatile("ssat16 %0, #4, %1" : "=r"(r) : "r"(0x0010fff0));
    CHECK(74, r, 0x0007fff8u);
    __asm__ volatile("usat16 %0, #4, %1" : "=r"(r) : "r"(0x0010fff0));
    CHECK(75, r, 0x000f0000u);

    /* Parallel add/subtract, GE and SEL */
    __asm__ volatile("sadd16 %0, %1, %2" : "=r"(r) : "r"(0x7fff0001), "r"(0x00010002));
    CHECK(76, r, 0x80000003u);
    __asm__ volatile("uadd8 %0, %2, %3\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(0xff010203), "r"(0x02010101));
    CHECK(77, r, 0x01020304u);
    CHECK(78, (f >> 16) & 0xf, 0x8);
    __asm__ volatile("sel %0, %1, %2" : "=r"(r) : "r"(0x11223344), "r"(0xaabbccdd));
    CHECK(79, r, 0x11bbccddu);
    __asm__ volatile("qadd8 %0, %1, %2" : "=r"(r) : "r"(0x7f80017f), "r"(0x01ff0101));
    CHECK(80, r, 0x7f80027fu);
    __asm__ volatile("uqsub16 %0, %1, %2" : "=r"(r) : "r"(0x00050010), "r"(0x00060001));
    CHECK(81, r, 0x0000000fu);
    __asm__ volatile("shadd16 %0, %1, %2" : "=r"(r) : "r"(0x7fff0003), "r"(0x7fff0001));
    CHECK(82, r, 0x7fff0002u);
    __asm__ volatile("uhsub8 %0, %1, %2" : "=r"(r) : "r"(0x10000402), "r"(0x08010200));
    CHECK(83, r, 0x04ff0101u);
    __asm__ volatile("ssub8 %0, %2, %3\n mrs %1, cpsr"
                     : "=r"(r), "=r"(f)
                     : "r"(0x05050505), "r"(0x06040506));
    CHECK(84, r, 0xff0100ffu);
    CHECK(85, (f >> 16) & 0xf, 0x6);
    __asm__ volatile("sasx %0, %1, %2" : "=r"(r) : "r"(0x00100020), "r"(0x00030004));
    CHECK(86, r, 0x0014001du);
    __asm__ volatile("usax %0, %1, %2" : "=r"(r) : "r"(0x00100020), "r"(0x00030004));
    CHECK(87, r, 0x000c0023u);

    /* Bit-field, reverse, extend, pack, CLZ */
    __asm__ volatile("ubfx %0, %1, #4, #8" : "=r"(r) : "r"(0x12345678));
    CHECK(88, r, 0x67);
    __asm__ volatile("sbfx %0, %1, #4, #8" : "=r"(r) : "r"(0x12345f78));
    CHECK(89, r, 0xfffffff7u);
    r = 0xffffffff;
    __asm__ volatile("bfc %0, #8, #4" : "+r"(r));
    CHECK(90, r, 0xfffff0ffu);
    r = 0;
    __asm__ volatile("bfi %0, %1, #28, #4" : "+r"(r) : "r"(0xabc));
    CHECK(91, r, 0xc0000000u);
    __asm__ volatile("rev %0, %1" : "=r"(r) : "r"(0x11223344));
    CHECK(92, r, 0x44332211u);
    __asm__ volatile("rev16 %0, %1" : "=r"(r) : "r"(0x11223344));
    CHECK(93, r, 0x22114433u);
    __asm__ volatile("revsh %0, %1" : "=r"(r) : "r"(0x000080ff));
    CHECK(94, r, 0xffffff80u);
    __asm__ volatile("rbit %0, %1" : "=r"(r) : "r"(0x00000001));
    CHECK(95, r, 0x80000000u);
    __asm__ volatile("rbit %0, %1" : "=r"(r) : "r"(0x12345678));
    CHECK(96, r, 0x1e6a2c48u);
    __asm__ volatile("clz %0, %1" : "=r"(r) : "r"(0x00010000));
    CHECK(97, r, 15);
    __asm__ volatile("clz %0, %1" : "=r"(r) : "r"(0));
    CHECK(98, r, 32);
    __asm__ volatile("sxtb %0, %1" : "=r"(r) : "r"(0x1280));
    CHECK(99, r, 0xffffff80u);
    __asm__ volatile("uxth %0, %1, ror #8" : "=r"(r) : "r"(0x12345678));
    CHECK(100, r, 0x3456);
    __asm__ volatile("sxtab %0, %1, %2" : "=r"(r) : "r"(100), "r"(0xff));
    CHECK(101, r, 99);
    __asm__ volatile("uxtab16 %0, %1, %2" : "=r"(r) : "r"(0x00010001), "r"(0x11ff22ff));
    CHECK(102, r, 0x01000100u);
    __asm__ volatile("sxtb16 %0, %1" : "=r"(r) : "r"(0x00800080));
    CHECK(103, r, 0xff80ff80u);
    __asm__ volatile("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(0x1111aaaa), "r"(0x0000bbbb));
    CHECK(104, r, 0xbbbbaaaau);
    __asm__ volatile("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(0xaaaa1111), "r"(0xbbbb0000));
    CHECK(105, r, 0xaaaabbbbu);
    __asm__ volatile("movw %0, #0x1234\n movt %0, #0x5678" : "=r"(r));
    CHECK(106, r, 0x56781234u);
    (void)op2;
    return finish();
}
