/*
 * 16550A UART (hw/char/serial.c): the PC's COM ports, the Malta's UARTs and
 * any board with an "ns16550a" in its device tree.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "hw/hw.h"
#include "system/chardev.h"
#include "system/memory.h"

typedef struct SerialState SerialState;

/* The UART's input clock (1.8432 MHz) over 16: the baud rate at divisor 1. */
#define SERIAL_BAUD_BASE 115200

/*
 * Maps the 8 registers at `base` in `container` (an I/O space or a bus),
 * register i at base + (i << regshift): regshift 0 for ISA port I/O, 2 or 3
 * or 3 for boards that place the registers on wider buses. With regshift >
 * 0 each register is a 16/32-bit word at the start of its slot with the
 * value in its low byte; `e` says the bus order (the Malta's CBUS UART:
 * regshift 3, 32-bit accesses, the CPU's endianness). `chr` may be NULL (output is
 * dropped); `irq` is the INTR pin. Registers as "serial<n>" for reset and
 * state save/load.
 */
SerialState *serial_new(MemoryRegion *container, uint64_t base, int regshift, qemu_irq irq,
                        Chardev *chr, DeviceEndian e);
void serial_free(SerialState *s);
MemoryRegion *serial_region(SerialState *s);

#endif
