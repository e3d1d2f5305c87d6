/*
 * The PCI bus core: configuration space with per-bit write masks, BARs mapped
 * into the bus's memory and I/O spaces when decoding is enabled, and INTx
 * lines routed through the host bridge's map. Host bridges (GT-64120, ...)
 * forward configuration cycles here; devices embed a PCIDevice.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "system/memory.h"

/* Standard configuration header offsets. */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_HEADER_TYPE         0x0e
#define PCI_BASE_ADDRESS_0      0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d

#define PCI_COMMAND_IO           0x1
#define PCI_COMMAND_MEMORY       0x2
#define PCI_COMMAND_MASTER       0x4
#define PCI_COMMAND_INTX_DISABLE 0x400
#define PCI_STATUS_INTERRUPT     0x08
#define PCI_STATUS_CAP_LIST      0x10

#define PCI_BAR_IO       0x1
#define PCI_BAR_MEM32    0x0
#define PCI_BAR_PREFETCH 0x8
#define PCI_NUM_BARS     6

#define PCI_DEVFN(slot, fn) (((slot) << 3) | (fn))
#define PCI_CONFIG_SIZE     256

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* Which bus interrupt line a device's pin (0 = INTA .. 3 = INTD) drives. */
typedef int (*PCIMapIRQFn)(PCIDevice *d, int pin);
/* Level of bus interrupt line `line` changed (wired-OR of its devices). */
typedef void (*PCISetIRQFn)(void *opaque, int line, int level);

struct PCIDevice {
    Device qdev; /* first: reset and save/load reach the device through it */
    PCIBus *bus;
    int devfn;
    const char *name;
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may change */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a 1 clears (status) */
    /* Power-on contents, taken at the first machine reset (after the device
     * and board finished setting them up). */
    uint8_t reset_config[PCI_CONFIG_SIZE];
    bool reset_captured;
    struct {
        MemoryRegion *mr; /* NULL: BAR not implemented (reads 0) */
        uint64_t size;
        uint8_t type; /* PCI_BAR_IO, or PCI_BAR_MEM32 [| PCI_BAR_PREFETCH] */
        uint64_t mapped_addr;
        bool mapped;
    } bars[PCI_NUM_BARS];
    int irq_level; /* this device's INTx output */
    /* Device hooks for registers beyond the standard header; may be NULL.
     * config_write runs after the bytes were stored through wmask. */
    uint32_t (*config_read)(PCIDevice *d, uint32_t addr, int len);
    void (*config_write)(PCIDevice *d, uint32_t addr, uint32_t val, int len);
    void (*reset)(PCIDevice *d);
    void *opaque;
};

PCIBus *pci_bus_new(const char *name, MemoryRegion *mem_space, MemoryRegion *io_space,
                    PCIMapIRQFn map_irq, PCISetIRQFn set_irq, void *irq_opaque, int nirq);
MemoryRegion *pci_bus_mem_space(PCIBus *bus);
MemoryRegion *pci_bus_io_space(PCIBus *bus);

/*
 * Puts `d` at devfn on the bus with its identity; class_code is the 24-bit
 * class/subclass/prog-if. The device is registered for reset/save/load under
 * `name`. Multi-function devices set bit 7 of PCI_HEADER_TYPE on function 0.
 */
void pci_device_init(PCIDevice *d, PCIBus *bus, const char *name, int devfn, uint16_t vendor,
                     uint16_t device, uint32_t class_code, uint8_t revision);
/* A BAR backed by `mr` (its size must be a power of two, >= 4 for I/O and
 * >= 16 for memory). */
void pci_register_bar(PCIDevice *d, int bar, uint8_t type, MemoryRegion *mr);
/* Makes a config byte range writable with the given mask byte. */
void pci_config_set_wmask(PCIDevice *d, uint32_t addr, int len, uint8_t mask);
PCIDevice *pci_bus_find_device(PCIBus *bus, int devfn);

/* Configuration cycles from the host bridge (bus 0 only; other buses and
 * empty slots read all-ones, as a master abort does). */
uint32_t pci_bus_config_read(PCIBus *bus, int busnum, int devfn, uint32_t addr, int len);
void pci_bus_config_write(PCIBus *bus, int busnum, int devfn, uint32_t addr, uint32_t val, int len);

/* The device's INTx (pin from PCI_INTERRUPT_PIN) at `level`. */
void pci_set_irq(PCIDevice *d, int level);

/* Config-space helpers (little-endian, as PCI is). */
static inline void pci_set_byte(uint8_t *p, uint8_t v)
{
    p[0] = v;
}
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

#endif
