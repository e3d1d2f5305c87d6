/* tests/unit/mips/guest/user.c: user mode: entered with ERET (Status.KSU), code mapped
 * through the TLB, privileged instructions (Coprocessor Unusable), kernel addresses
 * (address error), RDHWR gated by HWREna, SYSCALL, and BREAK back to the kernel. */
#include "test.h"

#define EXC_CODE(c) (((c) >> 2) & 0x1f)

/* The user program, alone on its page; it only touches t0..t3. */
__asm__(".section .text.user, \"ax\"\n"
        ".balign 4096\n"
        ".globl user_code\n"
        "user_code:\n"
        ".set noreorder\n"
        "mfc0 $t0, $12\n" /* CpU (CE 0) */
        "lui $t1, 0x8000\n"
        "lw $t0, 4($t1)\n" /* AdEL: kseg0 from user mode */
        "rdhwr $t0, $29\n" /* RI: HWREna bit 29 clear */
        "li $t2, 0x00400800\n"
        "sw $t2, 0($t2)\n" /* user store through the TLB (same page) */
        "rdhwr $t3, $2\n"  /* RI too: CC is gated the same way */
        "syscall\n"
        "break\n"
        "nop\n"
        ".set reorder\n"
        ".previous\n");
extern char user_code[];

int main(void)
{
    uint32_t pa = (uint32_t)user_code & 0x1fffffffu;
    CHECK_EQ(1, pa & 0xfff, 0);
    refill_pa = pa;
    MTC0(7, 0, 0); /* HWREna: nothing for user mode */
    exc_count = 0;
    uint32_t tmp;
    __asm__ volatile(".set noreorder\n\t"
                     "la %0, 1f\n\t"
                     "sw %0, 0(%1)\n\t"
                     "li $t0, 0x00400000\n\t"
                     "mtc0 $t0, $14\n\t"
                     "mfc0 $t0, $12\n\t"
                     "ori $t0, $t0, 0x12\n\t" /* KSU = user, EXL */
                     "mtc0 $t0, $12\n\t"
                     "ehb\n\t"
                     "eret\n\t"
                     "nop\n"
                     "1:\n\t"
                     ".set reorder"
                     : "=&r"(tmp)
                     : "r"(&exc_kernel_resume)
                     : "t0", "t1", "t2", "t3", "memory");
    /* Back in kernel mode. */
    CHECK_EQ(2, (MFC0(12, 0) >> 3) & 3, 0);
    CHECK_EQ(3, exc_count, 6);
    CHECK_EQ(4, EXC_CODE(exc_log[1]), 11);
    CHECK_EQ(5, (exc_log[1] >> 28) & 3, 0); /* CE: coprocessor 0 */
    CHECK_EQ(6, EXC_CODE(exc_log[2]), 4);
    CHECK_EQ(7, EXC_CODE(exc_log[3]), 10);
    CHECK_EQ(8, EXC_CODE(exc_log[4]), 10);
    CHECK_EQ(9, EXC_CODE(exc_log[5]), 8);
    CHECK_EQ(10, EXC_CODE(exc_log[6]), 9);
    CHECK_EQ(11, exc_badvaddr, 0x80000004u); /* the last BadVAddr: the AdEL */
    CHECK_EQ(12, *(volatile uint32_t *)(0x80000000u | (pa + 0x800)), 0x00400800u);
    CHECK(13, refill_count >= 1);
    return done("user");
}
