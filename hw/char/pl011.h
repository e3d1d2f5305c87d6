/*
 * ARM PrimeCell PL011 UART (hw/char/pl011.c): the virt board's console,
 * ttyAMA0 in Linux.
 */
#ifndef HW_CHAR_PL011_H
#define HW_CHAR_PL011_H

#include "hw/hw.h"
#include "system/chardev.h"
#include "system/memory.h"

#define PL011_SIZE 0x1000

typedef struct PL011State PL011State;

/* Maps the UART at `base` in `container`; `irq` is UARTINTR (the OR of the
 * masked interrupts); `chr` may be NULL (output dropped, no input).
 * Registers as "pl011<n>". */
PL011State *pl011_new(MemoryRegion *container, uint64_t base, qemu_irq irq, Chardev *chr);

#endif
