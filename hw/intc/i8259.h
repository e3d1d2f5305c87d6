/*
 * A cascaded pair of Intel 8259A interrupt controllers (hw/intc/i8259.c), as
 * in every PC and in the PIIX4 south bridge of the MIPS Malta.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/hw.h"
#include "system/memory.h"

typedef struct PicState PicState;

/*
 * Maps the master at 0x20-0x21, the slave at 0xa0-0xa1 and the edge/level
 * control registers (ELCR, PIIX) at 0x4d0-0x4d1 of `io`. `int_out` is the
 * master's INT pin to the CPU. Registers as "i8259<n>".
 */
PicState *i8259_new(MemoryRegion *io, qemu_irq int_out);
void i8259_free(PicState *s);
/* The 16 input lines IRQ0-15 (IRQ2 is the cascade and is not wired). */
qemu_irq i8259_irq(PicState *s, int n);
/* INTA cycle: the vector the CPU takes (spurious IRQ 7/15 if the request
 * went away); updates ISR/IRR and the INT pin. */
int i8259_acknowledge(PicState *s);
/* INT pin level (for CPUs that poll instead of taking a callback). */
bool i8259_int_pending(PicState *s);

#endif
