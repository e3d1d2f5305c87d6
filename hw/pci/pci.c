/*
 * PCI bus core: configuration space decoding, BAR sizing and mapping into the
 * bus's memory/I/O containers, and INTx wired-OR per bus line. Host bridges
 * forward configuration cycles here (hw/pci/pci.h).
 */
#include "hw/pci/pci.h"

#include <glib.h>
#include <string.h>

#define PCI_SLOTS 256

struct PCIBus {
    char *name;
    MemoryRegion *mem_space, *io_space;
    PCIMapIRQFn map_irq;
    PCISetIRQFn set_irq;
    void *irq_opaque;
    int nirq;
    int *irq_count; /* devices asserting each bus line */
    PCIDevice *devices[PCI_SLOTS];
};

PCIBus *pci_bus_new(const char *name, MemoryRegion *mem_space, MemoryRegion *io_space,
                    PCIMapIRQFn map_irq, PCISetIRQFn set_irq, void *irq_opaque, int nirq)
{
    PCIBus *bus = g_new0(PCIBus, 1);
    bus->name = g_strdup(name);
    bus->mem_space = mem_space;
    bus->io_space = io_space;
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = irq_opaque;
    bus->nirq = nirq;
    bus->irq_count = g_new0(int, nirq > 0 ? nirq : 1);
    return bus;
}

MemoryRegion *pci_bus_mem_space(PCIBus *bus)
{
    return bus->mem_space;
}

MemoryRegion *pci_bus_io_space(PCIBus *bus)
{
    return bus->io_space;
}

PCIDevice *pci_bus_find_device(PCIBus *bus, int devfn)
{
    return devfn >= 0 && devfn < PCI_SLOTS ? bus->devices[devfn] : NULL;
}

/* ---- BARs -------------------------------------------------------------- */

static uint64_t bar_address(PCIDevice *d, int i)
{
    uint32_t v = pci_get_long(d->config + PCI_BASE_ADDRESS_0 + 4 * i);
    return d->bars[i].type & PCI_BAR_IO ? (v & ~3u) : (v & ~15u);
}

/* Maps or unmaps each BAR to follow the command register and BAR values:
 * a BAR decodes only with its space enabled and a non-zero address that
 * is not the all-ones sizing pattern. */
static void pci_update_mappings(PCIDevice *d)
{
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        if (!d->bars[i].mr) {
            continue;
        }
        bool io = d->bars[i].type & PCI_BAR_IO;
        uint64_t addr = bar_address(d, i);
        uint64_t limit = io ? 0xffffffffu & ~3u : 0xffffffffu & ~15u;
        bool enable = (cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)) && addr != 0 &&
                      (addr & limit) != (limit & ~(d->bars[i].size - 1));
        MemoryRegion *space = io ? d->bus->io_space : d->bus->mem_space;
        if (d->bars[i].mapped && (!enable || addr != d->bars[i].mapped_addr)) {
            memory_region_del_subregion(space, d->bars[i].mr);
            d->bars[i].mapped = false;
        }
        if (enable && !d->bars[i].mapped) {
            memory_region_add_subregion_overlap(space, addr, d->bars[i].mr, 1);
            d->bars[i].mapped = true;
            d->bars[i].mapped_addr = addr;
        }
    }
}

void pci_register_bar(PCIDevice *d, int bar, uint8_t type, MemoryRegion *mr)
{
    uint64_t size = memory_region_size(mr);
    g_assert(bar >= 0 && bar < PCI_NUM_BARS && (size & (size - 1)) == 0);
    d->bars[bar].mr = mr;
    d->bars[bar].size = size;
    d->bars[bar].type = type;
    uint32_t mask = ~(uint32_t)(size - 1) & (type & PCI_BAR_IO ? ~3u : ~15u);
    pci_set_long(d->config + PCI_BASE_ADDRESS_0 + 4 * bar, type);
    pci_set_long(d->wmask + PCI_BASE_ADDRESS_0 + 4 * bar, mask);
}

void pci_config_set_wmask(PCIDevice *d, uint32_t addr, int len, uint8_t mask)
{
    for (int i = 0; i < len && addr + i < PCI_CONFIG_SIZE; i++) {
        d->wmask[addr + i] = mask;
    }
}

/* ---- interrupts -------------------------------------------------------- */

static void pci_bus_change_irq(PCIDevice *d, int delta)
{
    PCIBus *bus = d->bus;
    int pin = d->config[PCI_INTERRUPT_PIN];
    if (pin < 1 || pin > 4 || !bus->map_irq) {
        return;
    }
    int line = bus->map_irq(d, pin - 1);
    if (line < 0 || line >= bus->nirq) {
        return;
    }
    bool was = bus->irq_count[line] > 0;
    bus->irq_count[line] += delta;
    bool now = bus->irq_count[line] > 0;
    if (was != now && bus->set_irq) {
        bus->set_irq(bus->irq_opaque, line, now);
    }
}

/* What the device drives onto its pin: its level unless INTx is disabled. */
static int pci_effective_irq(PCIDevice *d)
{
    return d->irq_level && !(pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);
}

void pci_set_irq(PCIDevice *d, int level)
{
    int before = pci_effective_irq(d);
    d->irq_level = level != 0;
    uint16_t status = pci_get_word(d->config + PCI_STATUS);
    pci_set_word(d->config + PCI_STATUS,
                 d->irq_level ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT);
    int after = pci_effective_irq(d);
    if (before != after) {
        pci_bus_change_irq(d, after - before);
    }
}

/* ---- configuration cycles ---------------------------------------------- */

uint32_t pci_bus_config_read(PCIBus *bus, int busnum, int devfn, uint32_t addr, int len)
{
    PCIDevice *d = busnum == 0 ? pci_bus_find_device(bus, devfn) : NULL;
    if (!d || addr + len > PCI_CONFIG_SIZE) {
        return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
    }
    if (d->config_read) {
        return d->config_read(d, addr, len);
    }
    uint32_t v = 0;
    for (int i = 0; i < len; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

void pci_bus_config_write(PCIBus *bus, int busnum, int devfn, uint32_t addr, uint32_t val, int len)
{
    PCIDevice *d = busnum == 0 ? pci_bus_find_device(bus, devfn) : NULL;
    if (!d || addr + len > PCI_CONFIG_SIZE) {
        return;
    }
    int irq_before = pci_effective_irq(d);
    bool touches_bars = false;
    for (int i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[a], w1c = d->w1cmask[a];
        d->config[a] = (d->config[a] & ~wm) | (b & wm);
        d->config[a] &= ~(b & w1c);
        if ((a >= PCI_COMMAND && a < PCI_COMMAND + 2) ||
            (a >= PCI_BASE_ADDRESS_0 && a < PCI_BASE_ADDRESS_0 + 4 * PCI_NUM_BARS)) {
            touches_bars = true;
        }
    }
    if (touches_bars) {
        pci_update_mappings(d);
    }
    int irq_after = pci_effective_irq(d);
    if (irq_before != irq_after) {
        pci_bus_change_irq(d, irq_after - irq_before);
    }
    if (d->config_write) {
        d->config_write(d, addr, val, len);
    }
}

/* ---- device life cycle ------------------------------------------------- */

static void pci_device_reset(Device *dev)
{
    PCIDevice *d = (PCIDevice *)dev;
    if (pci_effective_irq(d)) {
        pci_bus_change_irq(d, -1);
    }
    d->irq_level = 0;
    if (!d->reset_captured) {
        memcpy(d->reset_config, d->config, PCI_CONFIG_SIZE);
        d->reset_captured = true;
    }
    memcpy(d->config, d->reset_config, PCI_CONFIG_SIZE);
    pci_update_mappings(d);
    if (d->reset) {
        d->reset(d);
    }
}

static void pci_device_save(Device *dev, StateStream *s)
{
    PCIDevice *d = (PCIDevice *)dev;
    state_put_bytes(s, d->config, PCI_CONFIG_SIZE);
    state_put_u8(s, d->irq_level);
}

static bool pci_device_load(Device *dev, StateStream *s)
{
    PCIDevice *d = (PCIDevice *)dev;
    uint8_t cfg[PCI_CONFIG_SIZE], level;
    if (!state_get_bytes(s, cfg, sizeof(cfg)) || !state_get_u8(s, &level)) {
        return false;
    }
    if (pci_effective_irq(d)) {
        pci_bus_change_irq(d, -1);
    }
    memcpy(d->config, cfg, sizeof(cfg));
    d->irq_level = level != 0;
    if (pci_effective_irq(d)) {
        pci_bus_change_irq(d, 1);
    }
    pci_update_mappings(d);
    return true;
}

static const DeviceOps pci_device_ops = {
    .type = "pci",
    .reset = pci_device_reset,
    .save = pci_device_save,
    .load = pci_device_load,
};

void pci_device_init(PCIDevice *d, PCIBus *bus, const char *name, int devfn, uint16_t vendor,
                     uint16_t device, uint32_t class_code, uint8_t revision)
{
    g_assert(devfn >= 0 && devfn < PCI_SLOTS && !bus->devices[devfn]);
    d->bus = bus;
    d->devfn = devfn;
    d->name = name;
    pci_set_word(d->config + PCI_VENDOR_ID, vendor);
    pci_set_word(d->config + PCI_DEVICE_ID, device);
    d->config[PCI_REVISION_ID] = revision;
    d->config[PCI_CLASS_PROG] = class_code & 0xff;
    pci_set_word(d->config + PCI_CLASS_DEVICE, class_code >> 8);
    /* Command: I/O, memory, bus master, INTx disable are the guest's. */
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                                             PCI_COMMAND_INTX_DISABLE);
    /* Status error bits are write-one-to-clear. */
    pci_set_word(d->w1cmask + PCI_STATUS, 0xf900);
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    d->wmask[0x0c] = 0xff; /* cache line size */
    d->wmask[0x0d] = 0xff; /* latency timer */
    bus->devices[devfn] = d;
    device_register(&d->qdev, &pci_device_ops, name);
}
