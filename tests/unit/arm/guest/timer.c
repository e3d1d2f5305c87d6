/* tests/unit/arm/guest/timer.c: the generic timer: CNTFRQ, a counting CNTVCT/CNTPCT, and
 * a physical timer interrupt delivered through the CPU's IRQ line (the test device wires
 * the timer output back to the IRQ input), taken by the IRQ vector while waiting in WFI;
 * also a level IRQ raised through the test device. */
#include "test.h"

static volatile uint32_t irqs, timer_irqs;

void irq_handler(void);
void irq_handler(void)
{
    uint32_t ctl;
    irqs++;
    __asm__ volatile("mrc p15, 0, %0, c14, c2, 1" : "=r"(ctl));
    if (ctl & 4) {
        timer_irqs++;
        __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n isb" : : "r"(0)); /* disable */
    }
    TESTDEV[2] = 0; /* lower the test device's line */
}

int main(void)
{
    uint32_t frq, lo, hi, lo2, hi2;
    __asm__ volatile("mrc p15, 0, %0, c14, c0, 0" : "=r"(frq));
    CHECK(1, frq, 62500000);
    __asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    for (volatile int i = 0; i < 100000; i++) {
    }
    __asm__ volatile("mrrc p15, 1, %0, %1, c14" : "=r"(lo2), "=r"(hi2));
    CHECK(2, lo2 != lo || hi2 != hi, 1);
    /* Timer: TVAL = 1 ms; the interrupt must not come while masked. */
    __asm__ volatile("mcr p15, 0, %0, c14, c2, 0" : : "r"(frq / 1000));
    __asm__ volatile("mcr p15, 0, %0, c14, c2, 1\n isb" : : "r"(1));
    uint32_t ctl = 0;
    for (int i = 0; i < 100000000 && !(ctl & 4); i++) {
        __asm__ volatile("mrc p15, 0, %0, c14, c2, 1" : "=r"(ctl));
    }
    CHECK(3, ctl & 4, 4); /* ISTATUS */
    CHECK(4, irqs, 0);
    __asm__ volatile("cpsie i");
    for (int i = 0; i < 1000 && !timer_irqs; i++) {
        __asm__ volatile("wfi");
    }
    CHECK(5, timer_irqs, 1);
    /* A level interrupt from the test device. */
    __asm__ volatile("cpsid i");
    TESTDEV[2] = 1;
    CHECK(6, irqs, 1);
    __asm__ volatile("cpsie i\n nop\n nop");
    CHECK(7, irqs, 2);
    /* TVAL counts down. */
    uint32_t t1, t2;
    __asm__ volatile("mcr p15, 0, %0, c14, c3, 0" : : "r"(100000000));
    __asm__ volatile("mrc p15, 0, %0, c14, c3, 0" : "=r"(t1));
    for (volatile int i = 0; i < 100000; i++) {
    }
    __asm__ volatile("mrc p15, 0, %0, c14, c3, 0" : "=r"(t2));
    CHECK(8, t2 < t1, 1);
    return finish();
}
