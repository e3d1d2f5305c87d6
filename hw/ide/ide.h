/*
 * ATA disks on IDE channels: the legacy task-file registers (PIO data
 * transfers, LBA28/LBA48, multiple mode, flush), with disk I/O done off the
 * vCPU threads through the block layer's pool. The PIIX4 IDE function puts
 * two channels at the ISA compatibility ports.
 */
#ifndef HW_IDE_IDE_H
#define HW_IDE_IDE_H

#include "block/block-io.h"
#include "hw/pci/pci.h"

typedef struct IDEChannel IDEChannel;
typedef struct IDEController IDEController;

/* One channel: command block at cmd_base (8 ports), control block at
 * ctl_base (alternate status / device control), master and slave drives
 * (NULL: absent). Registered for reset as "ide<n>". */
IDEChannel *ide_channel_new(MemoryRegion *io, uint64_t cmd_base, uint64_t ctl_base, qemu_irq irq,
                            Drive *master, Drive *slave);

/* PIIX4 function 1 (8086:7111) in compatibility mode: primary channel at
 * 0x1f0/0x3f6 on irq14, secondary at 0x170/0x376 on irq15. Bus mastering is
 * not offered (BAR4 reads 0), so guests use PIO. */
IDEController *piix4_ide_new(PCIBus *bus, int devfn, MemoryRegion *io, qemu_irq irq14,
                             qemu_irq irq15, Drive *drives[4]);

#endif
