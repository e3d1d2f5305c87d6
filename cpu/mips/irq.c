/*
 * cpu/mips/irq.c: the MIPS CPU's hardware interrupt inputs (IP2..IP7) as qemu_irq lines
 * for boards. Apart from cpu.c so that users without boards need not link hw/.
 */
#include "cpu/mips/mips-internal.h"

static void mips_irq_handler(void *opaque, int n, int level)
{
    CPUState *cpu = opaque;
    MipsEnv *e = cpu->env;
    uint32_t bit = 1u << (10 + n);
    if (level) {
        __atomic_or_fetch(&e->ip_hw, bit, __ATOMIC_SEQ_CST);
    } else {
        __atomic_and_fetch(&e->ip_hw, ~bit, __ATOMIC_SEQ_CST);
    }
    mips_update_irq(cpu);
}

qemu_irq *mips_cpu_irq_inputs(CPUState *cpu)
{
    MipsEnv *e = cpu->env;
    if (!e->irqs[0]) {
        for (int i = 0; i < 6; i++) {
            e->irqs[i] = irq_new(mips_irq_handler, cpu, i);
        }
    }
    return e->irqs;
}
