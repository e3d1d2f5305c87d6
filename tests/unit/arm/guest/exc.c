/* tests/unit/arm/guest/exc.c: exceptions: SVC, undefined instruction, BKPT (prefetch
 * abort), data abort on an unmapped address (external abort) and on a misaligned access
 * with SCTLR.A, banked registers and a trip through user mode and back. */
#include "test.h"

static volatile uint32_t word __attribute__((aligned(4)));

int main(void)
{
    uint32_t r, at;
    /* SVC: return address is the next instruction, SPSR is the caller's CPSR. */
    __asm__ volatile("adr %0, 1f\n svc #5\n1:" : "=r"(at));
    CHECK(1, exc_kind, 2);
    CHECK(2, exc_lr, at);
    CHECK(3, exc_spsr & 0x1f, 0x13);
    /* UDF */
    __asm__ volatile("adr %0, 1f\n udf #0\n1:" : "=r"(at));
    CHECK(4, exc_kind, 1);
    CHECK(5, exc_lr, at);
    /* An unknown coprocessor register traps as undefined. */
    exc_kind = 0;
    __asm__ volatile("mrc p15, 0, %0, c2, c5, 7" : "=r"(r));
    CHECK(6, exc_kind, 1);
    /* BKPT: prefetch abort with IFSR = debug event. */
    __asm__ volatile("adr %0, 1f\n bkpt #1\n1:" : "=r"(at));
    CHECK(7, exc_kind, 3);
    CHECK(8, exc_lr, at);
    CHECK(9, exc_fsr & 0x40f, 0x2);
    /* Data abort: nothing mapped at 0x20000000 (synchronous external abort, FS 0b01000). */
    __asm__ volatile("ldr %0, [%1]\n" : "=r"(r) : "r"(0x20000000u));
    CHECK(10, exc_kind, 4);
    CHECK(11, exc_far, 0x20000000u);
    CHECK(12, exc_fsr & 0x40f, 0x8);
    CHECK(13, (exc_fsr >> 11) & 1, 0); /* a read */
    __asm__ volatile("str %0, [%1]\n" : : "r"(1), "r"(0x20000010u));
    CHECK(14, exc_far, 0x20000010u);
    CHECK(15, (exc_fsr >> 11) & 1, 1); /* WnR */
    /* Alignment fault with SCTLR.A. */
    uint32_t sctlr;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr | 2));
    exc_kind = 0;
    __asm__ volatile("ldr %0, [%1]" : "=r"(r) : "r"((uint32_t)&word + 1));
    CHECK(16, exc_kind, 4);
    CHECK(17, exc_fsr & 0x40f, 0x1);
    CHECK(18, exc_far, (uint32_t)&word + 1);
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr));
    /* LDREX is always checked for alignment. */
    exc_kind = 0;
    __asm__ volatile("ldrex %0, [%1]" : "=r"(r) : "r"((uint32_t)&word + 2));
    CHECK(19, exc_kind, 4);
    CHECK(20, exc_fsr & 0x40f, 0x1);
    /* LDRD needs word alignment even with SCTLR.A clear. */
    exc_kind = 0;
    __asm__ volatile("ldrd r2, r3, [%0]" : : "r"((uint32_t)&word + 2) : "r2", "r3");
    CHECK(29, exc_kind, 4);
    CHECK(30, exc_fsr & 0x40f, 0x1);
    /* Banked registers: SP of IRQ mode seen through MRS (banked) and a mode switch. */
    uint32_t irq_sp, irq_sp2;
    __asm__ volatile("mrs %0, sp_irq" : "=r"(irq_sp));
    __asm__ volatile("cps #0x12\n mov %0, sp\n cps #0x13" : "=r"(irq_sp2));
    CHECK(21, irq_sp, irq_sp2);
    __asm__ volatile("msr sp_irq, %0" : : "r"(0x1234));
    __asm__ volatile("cps #0x12\n mov %0, sp\n mov sp, %1\n cps #0x13" : "=&r"(r) : "r"(irq_sp));
    CHECK(22, r, 0x1234);
    /* FIQ banks r8-r12. */
    __asm__ volatile("mov r8, #1\n cps #0x11\n mov r8, #2\n cps #0x13\n mov %0, r8"
                     : "=r"(r)
                     :
                     : "r8");
    CHECK(23, r, 1);
    __asm__ volatile("cps #0x11\n mov %0, r8\n cps #0x13" : "=r"(r) : : "r8");
    CHECK(24, r, 2);
    /* Thread-id registers (translated as plain loads/stores of the CPU state): set at PL1,
     * checked from user mode below. */
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 2\n mcr p15, 0, %1, c13, c0, 3\n"
                     "mcr p15, 0, %2, c13, c0, 4"
                     :
                     : "r"(0x11112222), "r"(0x33334444), "r"(0x55556666));
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 4" : "=r"(r));
    CHECK(40, r, 0x55556666);
    /* User mode and back through SVC: CPSR.M in SPSR is user. */
    __asm__ volatile("mrs r0, cpsr\n bic r0, r0, #0x1f\n orr r0, r0, #0x10\n"
                     "mov r1, sp\n msr cpsr_c, r0\n mov sp, r1\n"
                     "mrs %0, cpsr\n svc #0"
                     : "=r"(r)
                     :
                     : "r0", "r1");
    CHECK(25, r & 0x1f, 0x10);
    CHECK(26, exc_spsr & 0x1f, 0x10);
    /* The SVC handler returned to user mode: a privileged read now traps. */
    exc_kind = 0;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(r));
    CHECK(27, exc_kind, 1);
    /* PL0: TPIDRURW read/write, TPIDRURO read-only, TPIDRPRW not at all (UNDEF). */
    exc_kind = 0;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(r));
    CHECK(41, r, 0x33334444);
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(r));
    CHECK(42, r, 0x11112222);
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 2" : : "r"(0x77778888));
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(r));
    CHECK(43, r, 0x77778888);
    CHECK(44, exc_kind, 0);
    __asm__ volatile("mcr p15, 0, %0, c13, c0, 3" : : "r"(0));
    CHECK(45, exc_kind, 1);
    exc_kind = 0;
    r = 0;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 4" : "+r"(r));
    CHECK(46, exc_kind, 1);
    CHECK(47, r, 0);
    exc_kind = 0;
    __asm__ volatile("mrc p15, 0, %0, c13, c0, 3" : "=r"(r));
    CHECK(48, r, 0x33334444); /* the refused write changed nothing */
    /* Back to SVC mode through an SVC whose handler resumes in SVC mode. */
    __asm__ volatile("adr r0, 1f\n" SET_T "ldr r1, =exc_resume\n str r0, [r1]\n svc #1\n1:"
                     :
                     :
                     : "r0", "r1");
    /* exc_resume made the handler return to 1: still user mode (movs restores SPSR). */
    CHECK(28, get_cpsr() & 0x1f, 0x10);
    return finish();
}
