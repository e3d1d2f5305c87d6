/* tests/unit/mips/guest/exc.c: synchronous exceptions: SYSCALL, BREAK, overflow, address
 * errors, traps, reserved instruction, each with its Cause code, EPC and BadVAddr, and
 * an exception in a branch delay slot (Cause.BD, EPC at the branch). */
#include "test.h"

#define EXC_CODE(c) (((c) >> 2) & 0x1f)
#define BD(c)       ((c) >> 31)

static void reset(void)
{
    exc_count = 0;
    exc_cause = 0;
    exc_epc = 0;
}

/* Runs insn (one instruction) at a known address and returns its address. */
#define AT(insn, ...)                                                                \
    ({                                                                               \
        uint32_t _pc;                                                                \
        __asm__ volatile(".set noreorder\n\tla %0, 1f\n1:\t" insn "\n\t.set reorder" \
                         : "=&r"(_pc)__VA_ARGS__);                                   \
        _pc;                                                                         \
    })

static volatile uint32_t data[4] = {1, 2, 3, 4};

int main(void)
{
    uint32_t pc;
    reset();
    pc = AT("syscall");
    CHECK_EQ(1, exc_count, 1);
    CHECK_EQ(2, EXC_CODE(exc_cause), 8);
    CHECK_EQ(3, exc_epc, pc);
    CHECK_EQ(4, BD(exc_cause), 0);

    reset();
    pc = AT("break 7");
    CHECK_EQ(5, EXC_CODE(exc_cause), 9);
    CHECK_EQ(6, exc_epc, pc);

    /* ADD overflows: no result written; ADDU does not trap. */
    reset();
    uint32_t r = 0x55;
    pc = AT("add %1, %2, %3", , "+r"(r) : "r"(hide(0x7fffffff)), "r"(hide(1)));
    CHECK_EQ(7, EXC_CODE(exc_cause), 12);
    CHECK_EQ(8, exc_epc, pc);
    CHECK_EQ(9, r, 0x55);
    reset();
    pc = AT("sub %1, %2, %3", , "+r"(r) : "r"(hide(0x80000000)), "r"(hide(1)));
    CHECK_EQ(10, EXC_CODE(exc_cause), 12);
    reset();
    pc = AT("addi %1, %2, -1", , "+r"(r) : "r"(hide(0x80000000)));
    CHECK_EQ(11, EXC_CODE(exc_cause), 12);
    reset();
    pc = AT("add %1, %2, %3", , "+r"(r) : "r"(hide(0x7fffffff)), "r"(hide(0xffffffff)));
    CHECK_EQ(12, exc_count, 0);
    CHECK_EQ(13, r, 0x7ffffffe);

    /* Address errors: misaligned load/store, kernel address is fine in kernel mode. */
    reset();
    uint32_t a = (uint32_t)&data[1] + 2;
    pc = AT("lw %1, 0(%2)", , "=r"(r) : "r"(a));
    CHECK_EQ(14, EXC_CODE(exc_cause), 4);
    CHECK_EQ(15, exc_badvaddr, a);
    CHECK_EQ(16, exc_epc, pc);
    reset();
    a = (uint32_t)&data[1] + 1;
    pc = AT("sh %1, 0(%2)", : "r"(r), "r"(a) : "memory");
    CHECK_EQ(17, EXC_CODE(exc_cause), 5);
    CHECK_EQ(18, exc_badvaddr, a);
    CHECK_EQ(19, data[1], 2);

    /* Traps */
    reset();
    pc = AT("teq %1, %2", : "r"(hide(3)), "r"(hide(3)));
    CHECK_EQ(20, EXC_CODE(exc_cause), 13);
    CHECK_EQ(21, exc_epc, pc);
    reset();
    AT("tne %1, %2", : "r"(hide(3)), "r"(hide(3)));
    CHECK_EQ(22, exc_count, 0);
    AT("tgei %1, 5", : "r"(hide(5)));
    CHECK_EQ(23, exc_count, 1);
    AT("tltiu %1, 5", : "r"(hide(0xffffffff)));
    CHECK_EQ(24, exc_count, 1);
    AT("tlt %1, %2", : "r"(hide(0xffffffff)), "r"(hide(0)));
    CHECK_EQ(25, exc_count, 2);

    /* Reserved instruction */
    reset();
    pc = AT(".word 0x7c00003f"); /* SPECIAL3 function 0x3f: not defined */
    CHECK_EQ(26, EXC_CODE(exc_cause), 10);
    CHECK_EQ(27, exc_epc, pc);

    /* Exception in a delay slot: EPC = branch, BD set; resume after the slot. */
    reset();
    uint32_t resume;
    __asm__ volatile(".set noreorder\n\t"
                     "la %1, 2f\n\t"
                     "sw %1, 0(%2)\n\t"
                     "la %0, 1f\n"
                     "1: beq $zero, $zero, 2f\n\t"
                     "syscall\n"
                     "2:\n\t"
                     ".set reorder"
                     : "=&r"(pc), "=&r"(resume)
                     : "r"(&exc_resume)
                     : "memory");
    CHECK_EQ(28, EXC_CODE(exc_cause), 8);
    CHECK_EQ(29, BD(exc_cause), 1);
    CHECK_EQ(30, exc_epc, pc);
    /* Misaligned load in the delay slot of a not-taken branch */
    reset();
    __asm__ volatile(".set noreorder\n\t"
                     "la %1, 2f\n\t"
                     "sw %1, 0(%2)\n\t"
                     "la %0, 1f\n"
                     "1: bne $zero, $zero, 2f\n\t"
                     "lw %1, 1(%3)\n"
                     "2:\n\t"
                     ".set reorder"
                     : "=&r"(pc), "=&r"(resume)
                     : "r"(&exc_resume), "r"(data)
                     : "memory");
    CHECK_EQ(31, EXC_CODE(exc_cause), 4);
    CHECK_EQ(32, BD(exc_cause), 1);
    CHECK_EQ(33, exc_epc, pc);
    CHECK_EQ(34, exc_badvaddr, (uint32_t)data + 1);

    /* RDHWR in kernel mode: CPUNum 0, CCRes, UserLocal */
    reset();
    uint32_t v;
    MTC0(4, 2, 0x1234abcd);
    __asm__ volatile("rdhwr %0, $29" : "=r"(v));
    CHECK_EQ(35, v, 0x1234abcd);
    __asm__ volatile("rdhwr %0, $3" : "=r"(v));
    CHECK_EQ(36, v, 2);
    __asm__ volatile("rdhwr %0, $0" : "=r"(v));
    CHECK_EQ(37, v, 0);

    /* CP0 identity: PRId of the 24K, Config1 says 16 TLB entries and an FPU. */
    CHECK_EQ(38, MFC0(15, 0), 0x00019300);
    CHECK_EQ(39, (MFC0(16, 1) >> 25) & 0x3f, 15);
    CHECK_EQ(40, MFC0(16, 1) & 1, 1);
    CHECK_EQ(41, exc_count, 0);
    return done("exc");
}
