/*
 * Galileo GT-64120 system controller of the MIPS Malta: its register file
 * (at 0x1be00000, where YAMON leaves it), the CPU-to-PCI address windows,
 * and the PCI host bridge with its configuration address/data registers and
 * the interrupt-acknowledge register that reads the 8259's vector.
 */
#ifndef HW_MIPS_GT64120_H
#define HW_MIPS_GT64120_H

#include "hw/pci/pci.h"

typedef struct GT64120State GT64120State;

/* Creates the controller in `sysmem` with a PCI bus whose INTx lines go
 * through map_irq/set_irq (the board's wiring); iack returns the vector for
 * a PCI interrupt-acknowledge cycle. */
GT64120State *gt64120_new(MemoryRegion *sysmem, PCIMapIRQFn map_irq, PCISetIRQFn set_irq,
                          void *irq_opaque, int (*iack)(void *opaque), void *iack_opaque);
PCIBus *gt64120_pci_bus(GT64120State *s);

#endif
