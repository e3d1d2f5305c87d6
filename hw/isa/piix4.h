/*
 * Intel PIIX4 PCI-to-ISA south bridge as the Malta uses it: function 0 (ISA
 * bridge with the two 8259s, the 8254, the MC146818 RTC and PCI interrupt
 * routing), function 1 (IDE, hw/ide/ide.h) and function 3 (power management:
 * the soft-off Linux's poweroff uses). ISA ports live in the PCI I/O space.
 */
#ifndef HW_ISA_PIIX4_H
#define HW_ISA_PIIX4_H

#include "block/block-io.h"
#include "hw/pci/pci.h"

typedef struct PIIX4State PIIX4State;

/* Creates functions 0, 1 (IDE with up to four drives, NULL for none: primary
 * master, primary slave, secondary master, secondary slave) and 3 at `slot`.
 * `cpu_int` is the 8259 master's INT output. */
PIIX4State *piix4_new(PCIBus *bus, int slot, qemu_irq cpu_int, Drive *ide_drives[4]);
/* ISA interrupt line n (0-15) into the 8259s. */
qemu_irq piix4_isa_irq(PIIX4State *s, int n);
/* The 8259 interrupt-acknowledge cycle: the vector of the highest pending IRQ. */
int piix4_iack(void *opaque /* PIIX4State */);
/* PCI INTx routing: bus line `pirq` (0 = PIRQA .. 3 = PIRQD) changed level;
 * use as the host bridge's set_irq with the PIIX4State as opaque. */
void piix4_set_pirq(void *opaque, int pirq, int level);

#endif
