/*
 * ARM Generic Interrupt Controller v2 (hw/intc/gic.c): the distributor and the
 * per-CPU interfaces of the virt board, taking SPIs from devices and PPIs from
 * each CPU's timers, and driving every CPU's IRQ line.
 */
#ifndef HW_INTC_GIC_H
#define HW_INTC_GIC_H

#include "hw/hw.h"
#include "system/memory.h"

#define GIC_MAX_CPUS  8
#define GIC_NR_SGI    16
#define GIC_INTERNAL  32 /* SGIs + PPIs, banked per CPU */
#define GIC_MAX_IRQ   1020
#define GIC_SPURIOUS  1023
#define GIC_DIST_SIZE 0x1000
#define GIC_CPU_SIZE  0x2000

typedef struct GICState GICState;

/* Which CPU (0..num_cpu-1) is making the current MMIO access: the board
 * knows its CPUs, the GIC does not. NULL means CPU 0. */
typedef int (*GICCpuIndexFn)(void *opaque);

/* num_irq counts every interrupt ID (32 internal + SPIs), a multiple of 32.
 * The distributor is mapped at dist_base, the CPU interface at cpu_base, in
 * `container`. Registers as "gic0". */
GICState *gic_new(MemoryRegion *container, uint64_t dist_base, uint64_t cpu_base, int num_cpu,
                  int num_irq, GICCpuIndexFn cpu_index, void *opaque);
/* IRQ (and FIQ, unused without security extensions) outputs of CPU i. */
void gic_connect_cpu(GICState *s, int cpu, qemu_irq irq, qemu_irq fiq);
/* Input of SPI n (interrupt ID 32 + n). */
qemu_irq gic_spi(GICState *s, int n);
/* Input of PPI id (16..31) on CPU cpu. */
qemu_irq gic_ppi(GICState *s, int cpu, int id);

#endif
