/* tests/unit/mips/guest/irq.c: interrupts: the Count/Compare timer (IP7) waking WAIT,
 * software interrupts IP0/IP1, masking by Status.IE/IM, EI/DI. */
#include "test.h"

int main(void)
{
    uint32_t c0 = MFC0(9, 0);
    for (volatile int i = 0; i < 1000; i++) {
    }
    uint32_t c1 = MFC0(9, 0);
    CHECK(1, c1 != c0); /* Count advances */

    /* Software interrupt 0, masked: nothing; unmasked: taken at once */
    uint32_t st = MFC0(12, 0);
    MTC0(12, 0, st | 1);  /* IE, IM all clear */
    MTC0(13, 0, 1u << 8); /* IP0 */
    CHECK_EQ(2, irq_count, 0);
    CHECK_EQ(3, MFC0(13, 0) & 0x300, 0x100);
    MTC0(12, 0, st | 1 | (1u << 8)); /* IM0 */
    __asm__ volatile("nop\n\tnop");
    CHECK_EQ(4, irq_count, 1);
    CHECK_EQ(5, irq_cause & 0x100, 0x100);
    CHECK_EQ(6, MFC0(13, 0) & 0x300, 0);

    /* Timer: Compare = Count + 50 us at 100 MHz, then WAIT with IM7 */
    MTC0(12, 0, st | (1u << 15));
    uint32_t di;
    __asm__ volatile("di %0" : "=r"(di));
    MTC0(11, 0, MFC0(9, 0) + 5000);
    /* If the timer fires before the WAIT, the handler resumes at irq_wait_end (crt.S). */
    __asm__ volatile("ei\n\t"
                     ".globl irq_wait_begin\n"
                     "irq_wait_begin:\n\t"
                     "ehb\n\t"
                     "wait\n"
                     ".globl irq_wait_end\n"
                     "irq_wait_end:\n\t"
                     "nop" ::: "memory");
    CHECK_EQ(7, irq_count, 2);
    CHECK_EQ(8, irq_cause & 0x8000, 0x8000);
    CHECK_EQ(9, (irq_cause >> 30) & 1, 1); /* Cause.TI */
    CHECK_EQ(10, MFC0(13, 0) & 0x8000, 0); /* acknowledged by the Compare write */

    /* DI masks: the timer fires but is not taken until EI */
    __asm__ volatile("di");
    MTC0(11, 0, MFC0(9, 0) + 2000);
    while (!(MFC0(13, 0) & 0x8000)) {
    }
    CHECK_EQ(11, irq_count, 2);
    __asm__ volatile("ei\n\tehb\n\tnop" ::: "memory");
    CHECK_EQ(12, irq_count, 3);
    __asm__ volatile("di");
    return done("irq");
}
