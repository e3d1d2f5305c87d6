/* tests/unit/mips/guest/alu.c: integer ALU, shifts, HI/LO multiply/divide and the
 * release 2 bit-field instructions, checked against known constants. */
#include "test.h"

#define OP2(insn, a, b)                                                               \
    ({                                                                                \
        uint32_t _r;                                                                  \
        __asm__ volatile(insn " %0, %1, %2" : "=r"(_r) : "r"(hide(a)), "r"(hide(b))); \
        _r;                                                                           \
    })
#define OP1(insn, a)                                                \
    ({                                                              \
        uint32_t _r;                                                \
        __asm__ volatile(insn " %0, %1" : "=r"(_r) : "r"(hide(a))); \
        _r;                                                         \
    })
#define OPI(insn, a, imm)                                                  \
    ({                                                                     \
        uint32_t _r;                                                       \
        __asm__ volatile(insn " %0, %1, " #imm : "=r"(_r) : "r"(hide(a))); \
        _r;                                                                \
    })

static void hilo(const char *insn_unused, uint32_t *hi, uint32_t *lo)
{
    __asm__ volatile("mfhi %0\n\tmflo %1" : "=r"(*hi), "=r"(*lo));
}

int main(void)
{
    CHECK_EQ(1, OP2("addu", 0x7fffffff, 1), 0x80000000u);
    CHECK_EQ(2, OP2("subu", 5, 7), 0xfffffffeu);
    CHECK_EQ(3, OP2("and", 0xf0f0ff00, 0x0ff0f0f0), 0x00f0f000u);
    CHECK_EQ(4, OP2("or", 0xf0000000, 0x0000000f), 0xf000000fu);
    CHECK_EQ(5, OP2("xor", 0xffff0000, 0xff00ff00), 0x00ffff00u);
    CHECK_EQ(6, OP2("nor", 0xffff0000, 0x00ff0000), 0x0000ffffu);
    CHECK_EQ(7, OP2("slt", 0xffffffff, 1), 1);
    CHECK_EQ(8, OP2("sltu", 0xffffffff, 1), 0);
    CHECK_EQ(9, OPI("slti", 0xfffffff0, -1), 1);
    CHECK_EQ(10, OPI("sltiu", 5, -1), 1); /* imm sign-extended, compared unsigned */
    CHECK_EQ(11, OPI("andi", 0xffffffff, 0x8001), 0x8001);
    CHECK_EQ(12, OPI("ori", 0x12340000, 0xffff), 0x1234ffff);
    CHECK_EQ(13, OPI("xori", 0x0000ffff, 0x0f0f), 0x0000f0f0);
    CHECK_EQ(14, OPI("addiu", 0x10, -0x20), 0xfffffff0u);
    {
        uint32_t r;
        __asm__ volatile("lui %0, 0xbeef" : "=r"(r));
        CHECK_EQ(15, r, 0xbeef0000u);
    }
    /* shifts */
    CHECK_EQ(20, OPI("sll", 0x80000001, 4), 0x00000010);
    CHECK_EQ(21, OPI("srl", 0x80000000, 31), 1);
    CHECK_EQ(22, OPI("sra", 0x80000000, 4), 0xf8000000u);
    CHECK_EQ(23, OPI("rotr", 0x12345678, 8), 0x78123456);
    CHECK_EQ(24, OP2("sllv", 1, 0x21), 2); /* amount is rs[4:0] */
    CHECK_EQ(25, OP2("srlv", 0x80000000, 63), 1);
    CHECK_EQ(26, OP2("srav", 0x80000000, 31), 0xffffffffu);
    CHECK_EQ(27, OP2("rotrv", 0x12345678, 4), 0x81234567);
    /* bit counts, extensions, byte swaps, bit fields */
    CHECK_EQ(30, OP1("clz", 0x00010000), 15);
    CHECK_EQ(31, OP1("clz", 0), 32);
    CHECK_EQ(32, OP1("clo", 0xfff00000), 12);
    CHECK_EQ(33, OP1("clo", 0xffffffff), 32);
    CHECK_EQ(34, OP1("seb", 0x12345680), 0xffffff80u);
    CHECK_EQ(35, OP1("seh", 0x12348000), 0xffff8000u);
    CHECK_EQ(36, OP1("wsbh", 0x11223344), 0x22114433);
    {
        uint32_t r;
        __asm__ volatile("ext %0, %1, 4, 8" : "=r"(r) : "r"(hide(0x12345678)));
        CHECK_EQ(37, r, 0x67);
        r = hide(0xffffffff);
        __asm__ volatile("ins %0, %1, 8, 12" : "+r"(r) : "r"(hide(0xabc)));
        CHECK_EQ(38, r, 0xfffabcff);
    }
    /* conditional moves */
    {
        uint32_t r = hide(1);
        __asm__ volatile("movn %0, %1, %2" : "+r"(r) : "r"(hide(7)), "r"(hide(0)));
        CHECK_EQ(40, r, 1);
        __asm__ volatile("movz %0, %1, %2" : "+r"(r) : "r"(hide(7)), "r"(hide(0)));
        CHECK_EQ(41, r, 7);
        __asm__ volatile("movn %0, %1, %2" : "+r"(r) : "r"(hide(9)), "r"(hide(3)));
        CHECK_EQ(42, r, 9);
    }
    /* multiply and divide */
    uint32_t hi, lo;
    __asm__ volatile("mult %0, %1" ::"r"(hide(0xfffffffe)), "r"(hide(3)));
    hilo("mult", &hi, &lo);
    CHECK_EQ(50, hi, 0xffffffffu);
    CHECK_EQ(51, lo, 0xfffffffau);
    __asm__ volatile("multu %0, %1" ::"r"(hide(0xfffffffe)), "r"(hide(3)));
    hilo("multu", &hi, &lo);
    CHECK_EQ(52, hi, 2);
    CHECK_EQ(53, lo, 0xfffffffau);
    CHECK_EQ(54, OP2("mul", 0x10001, 0x10001), 0x00020001);
    __asm__ volatile("mthi %0\n\tmtlo %1\n\tmadd %2, %3" ::"r"(hide(0)), "r"(hide(0xffffffff)),
                     "r"(hide(2)), "r"(hide(3)));
    hilo("madd", &hi, &lo);
    CHECK_EQ(55, hi, 1);
    CHECK_EQ(56, lo, 5);
    __asm__ volatile("msub %0, %1" ::"r"(hide(2)), "r"(hide(3)));
    hilo("msub", &hi, &lo);
    CHECK_EQ(57, hi, 0);
    CHECK_EQ(58, lo, 0xffffffffu);
    __asm__ volatile("mthi %0\n\tmtlo %1\n\tmaddu %2, %3" ::"r"(hide(0)), "r"(hide(0)),
                     "r"(hide(0xffffffff)), "r"(hide(0xffffffff)));
    hilo("maddu", &hi, &lo);
    CHECK_EQ(59, hi, 0xfffffffeu);
    CHECK_EQ(60, lo, 1);
    __asm__ volatile("msubu %0, %1" ::"r"(hide(1)), "r"(hide(2)));
    hilo("msubu", &hi, &lo);
    CHECK_EQ(61, hi, 0xfffffffdu);
    CHECK_EQ(62, lo, 0xffffffffu);
    __asm__ volatile("div $0, %0, %1" ::"r"(hide(-7)), "r"(hide(2)));
    hilo("div", &hi, &lo);
    CHECK_EQ(63, lo, (uint32_t)-3);
    CHECK_EQ(64, hi, (uint32_t)-1);
    __asm__ volatile("divu $0, %0, %1" ::"r"(hide(0xfffffff9)), "r"(hide(2)));
    hilo("divu", &hi, &lo);
    CHECK_EQ(65, lo, 0x7ffffffcu);
    CHECK_EQ(66, hi, 1);
    /* A longer computation: checksum loop */
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < 1000; i++) {
        h = (h ^ (i & 0xff)) * 16777619u;
    }
    CHECK_EQ(70, h, 0x655c5ffdu);
    return done("alu");
}
