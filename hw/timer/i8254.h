/*
 * Intel 8254 programmable interval timer (hw/timer/i8254.c): the PC's
 * system timer (channel 0 on IRQ0), DRAM refresh (1) and speaker (2).
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/hw.h"
#include "system/memory.h"

#define PIT_FREQ 1193182 /* Hz: the PC's 14.31818 MHz crystal / 12 */

typedef struct PitState PitState;

/* Maps the counters and control word at base..base+3 of `io` (0x40 on a
 * PC). Channel 0's OUT drives `irq0`. Registers as "i8254<n>". */
PitState *i8254_new(MemoryRegion *io, uint64_t base, qemu_irq irq0);
void i8254_free(PitState *s);
/* GATE inputs: channels 0 and 1 are tied high; channel 2's gate is bit 0 of
 * the PC's port 0x61, which the board decodes. */
void i8254_set_gate(PitState *s, int channel, int level);
int i8254_get_gate(PitState *s, int channel);
/* OUT pin (port 0x61 bit 5 reads channel 2's). */
int i8254_get_output(PitState *s, int channel);
/*
 * The PC's System Control Port B at `port` (0x61) of `io`: bit 0 drives
 * channel 2's GATE, bit 1 enables the speaker, bits 2-3 are kept, bit 4
 * toggles with every DRAM refresh (15.085 us: firmware delay loops count
 * it), bit 5 reads OUT2.
 */
void i8254_map_port61(PitState *s, MemoryRegion *io, uint64_t port);

#endif
