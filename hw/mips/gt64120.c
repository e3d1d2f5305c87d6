/*
 * GT-64120 system controller (hw/mips/gt64120.h): the registers Linux's Malta
 * code reads to find the PCI windows, configuration cycles through
 * 0xcf8/0xcfc with master-abort reporting in the interrupt cause register,
 * and PCI interrupt acknowledge. Values are those YAMON leaves behind.
 */
#include "hw/mips/gt64120.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#define GT_REGS_SIZE    0x1000
#define GT_DECODE_SHIFT 21 /* decode registers hold address bits 35..21 */
#define GT_HD_MASK      0x7f

/* Register offsets (GT-64120 datasheet). */
enum {
    GT_PCI0IOLD = 0x048,
    GT_PCI0IOHD = 0x050,
    GT_PCI0M0LD = 0x058,
    GT_PCI0M0HD = 0x060,
    GT_ISD = 0x068,
    GT_PCI0M1LD = 0x080,
    GT_PCI0M1HD = 0x088,
    GT_PCI0IOREMAP = 0x0f0,
    GT_PCI0M0REMAP = 0x0f8,
    GT_PCI0M1REMAP = 0x100,
    GT_PCI0_CMD = 0xc00,
    GT_INTRCAUSE = 0xc18,
    GT_INTRMASK = 0xc1c,
    GT_PCI0_IACK = 0xc34,
    GT_PCI0_CFGADDR = 0xcf8,
    GT_PCI0_CFGDATA = 0xcfc,
};

#define GT_INTRCAUSE_MASABORT0 (1u << 18)
#define GT_CFGADDR_ENABLE      (1u << 31)

typedef struct GTWindow {
    MemoryRegion *alias;
    int ld, hd, remap; /* register offsets */
    bool io;
} GTWindow;

struct GT64120State {
    Device dev;
    uint32_t regs[GT_REGS_SIZE / 4];
    MemoryRegion *sysmem, *regs_mr, *pci_mem, *pci_io;
    GTWindow win[3];
    PCIBus *bus;
    PCIDevice host; /* the controller's own function 0:0.0 */
    int (*iack)(void *opaque);
    void *iack_opaque;
};

static const struct {
    int reg;
    uint32_t val;
} gt_reset_values[] = {
    /* PCI I/O: CPU 0x18000000-0x181fffff → PCI I/O 0 (ISA ports). */
    {GT_PCI0IOLD, 0xc0},
    {GT_PCI0IOHD, 0x40},
    {GT_PCI0IOREMAP, 0x00},
    /* PCI memory 0: CPU 0x10000000-0x17ffffff, identity mapped. */
    {GT_PCI0M0LD, 0x80},
    {GT_PCI0M0HD, 0x3f},
    {GT_PCI0M0REMAP, 0x80},
    /* PCI memory 1: CPU 0x18200000-0x1bdfffff, identity mapped. */
    {GT_PCI0M1LD, 0xc1},
    {GT_PCI0M1HD, 0x5e},
    {GT_PCI0M1REMAP, 0xc1},
    /* Internal registers at 0x1be00000. */
    {GT_ISD, 0xdf},
};

static void gt_update_window(GT64120State *s, GTWindow *w)
{
    if (w->alias) {
        memory_region_del_subregion(s->sysmem, w->alias);
        memory_region_free(w->alias);
        w->alias = NULL;
    }
    uint32_t ld = s->regs[w->ld / 4] & 0x7fff;
    uint32_t hd = (s->regs[w->hd / 4] & GT_HD_MASK) | (ld & ~GT_HD_MASK);
    if (hd < ld) {
        return; /* window disabled */
    }
    uint64_t start = (uint64_t)ld << GT_DECODE_SHIFT;
    uint64_t size = (uint64_t)(hd - ld + 1) << GT_DECODE_SHIFT;
    uint64_t pci_base = (uint64_t)(s->regs[w->remap / 4] & 0x7fff) << GT_DECODE_SHIFT;
    MemoryRegion *target = w->io ? s->pci_io : s->pci_mem;
    if (pci_base + size > memory_region_size(target)) {
        return;
    }
    w->alias = memory_region_new_alias(w->io ? "gt64120-pci-io" : "gt64120-pci-mem", target,
                                       pci_base, size);
    memory_region_add_subregion_overlap(s->sysmem, start, w->alias, -1);
}

static void gt_update_all(GT64120State *s)
{
    memory_region_transaction_begin();
    for (int i = 0; i < 3; i++) {
        gt_update_window(s, &s->win[i]);
    }
    memory_region_set_address(s->regs_mr, (uint64_t)(s->regs[GT_ISD / 4] & 0x7fff)
                                              << GT_DECODE_SHIFT);
    memory_region_transaction_commit();
}

static uint32_t gt_config_access(GT64120State *s, bool write, uint32_t byte, uint32_t val,
                                 unsigned size)
{
    uint32_t addr = s->regs[GT_PCI0_CFGADDR / 4];
    if (!(addr & GT_CFGADDR_ENABLE)) {
        return 0xffffffffu;
    }
    int busnum = (addr >> 16) & 0xff, devfn = (addr >> 8) & 0xff;
    uint32_t reg = (addr & 0xfc) + byte;
    if (busnum != 0 || !pci_bus_find_device(s->bus, devfn)) {
        s->regs[GT_INTRCAUSE / 4] |= GT_INTRCAUSE_MASABORT0;
        return 0xffffffffu;
    }
    if (write) {
        pci_bus_config_write(s->bus, busnum, devfn, reg, val, size);
        return 0;
    }
    return pci_bus_config_read(s->bus, busnum, devfn, reg, size);
}

static uint64_t gt_read(void *opaque, uint64_t addr, unsigned size)
{
    GT64120State *s = opaque;
    if (addr >= GT_PCI0_CFGDATA && addr < GT_PCI0_CFGDATA + 4) {
        return gt_config_access(s, false, addr - GT_PCI0_CFGDATA, 0, size);
    }
    if (size != 4 || (addr & 3)) {
        hw_log_guest_error("gt64120: %u-byte read at 0x%03" PRIx64 "\n", size, addr);
        return 0;
    }
    if (addr == GT_PCI0_IACK) {
        return s->iack ? (uint32_t)s->iack(s->iack_opaque) : 0;
    }
    return s->regs[addr / 4];
}

static void gt_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    GT64120State *s = opaque;
    if (addr >= GT_PCI0_CFGDATA && addr < GT_PCI0_CFGDATA + 4) {
        gt_config_access(s, true, addr - GT_PCI0_CFGDATA, val, size);
        return;
    }
    if (size != 4 || (addr & 3)) {
        hw_log_guest_error("gt64120: %u-byte write at 0x%03" PRIx64 "\n", size, addr);
        return;
    }
    switch (addr) {
    case GT_INTRCAUSE:
        s->regs[addr / 4] &= val; /* bits written as 0 are cleared */
        return;
    case GT_PCI0_IACK: return;
    case GT_PCI0_CFGADDR: s->regs[addr / 4] = val & 0x80fffffc; return;
    }
    s->regs[addr / 4] = val;
    switch (addr) {
    case GT_PCI0IOLD:
    case GT_PCI0IOHD:
    case GT_PCI0IOREMAP:
    case GT_PCI0M0LD:
    case GT_PCI0M0HD:
    case GT_PCI0M0REMAP:
    case GT_PCI0M1LD:
    case GT_PCI0M1HD:
    case GT_PCI0M1REMAP:
    case GT_ISD: gt_update_all(s); break;
    }
}

static const MemoryRegionOps gt_ops = {
    .read = gt_read,
    .write = gt_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

static void gt_reset(Device *dev)
{
    GT64120State *s = (GT64120State *)dev;
    memset(s->regs, 0, sizeof(s->regs));
    for (size_t i = 0; i < G_N_ELEMENTS(gt_reset_values); i++) {
        s->regs[gt_reset_values[i].reg / 4] = gt_reset_values[i].val;
    }
    gt_update_all(s);
}

static void gt_save(Device *dev, StateStream *st)
{
    GT64120State *s = (GT64120State *)dev;
    for (size_t i = 0; i < G_N_ELEMENTS(s->regs); i++) {
        state_put_u32(st, s->regs[i]);
    }
}

static bool gt_load(Device *dev, StateStream *st)
{
    GT64120State *s = (GT64120State *)dev;
    for (size_t i = 0; i < G_N_ELEMENTS(s->regs); i++) {
        if (!state_get_u32(st, &s->regs[i])) {
            return false;
        }
    }
    gt_update_all(s);
    return true;
}

static const DeviceOps gt_device_ops = {
    .type = "gt64120",
    .reset = gt_reset,
    .save = gt_save,
    .load = gt_load,
};

GT64120State *gt64120_new(MemoryRegion *sysmem, PCIMapIRQFn map_irq, PCISetIRQFn set_irq,
                          void *irq_opaque, int (*iack)(void *opaque), void *iack_opaque)
{
    GT64120State *s = g_new0(GT64120State, 1);
    s->sysmem = sysmem;
    s->iack = iack;
    s->iack_opaque = iack_opaque;
    s->pci_mem = memory_region_new_container("pci-mem", 1ull << 32);
    s->pci_io = memory_region_new_container("pci-io", 1u << 21);
    s->bus = pci_bus_new("pci.0", s->pci_mem, s->pci_io, map_irq, set_irq, irq_opaque, 4);
    s->win[0] =
        (GTWindow){.ld = GT_PCI0IOLD, .hd = GT_PCI0IOHD, .remap = GT_PCI0IOREMAP, .io = true};
    s->win[1] = (GTWindow){.ld = GT_PCI0M0LD, .hd = GT_PCI0M0HD, .remap = GT_PCI0M0REMAP};
    s->win[2] = (GTWindow){.ld = GT_PCI0M1LD, .hd = GT_PCI0M1HD, .remap = GT_PCI0M1REMAP};
    s->regs_mr = memory_region_new_io("gt64120", GT_REGS_SIZE, &gt_ops, s);
    memory_region_add_subregion(sysmem, 0x1be00000, s->regs_mr);
    device_register(&s->dev, &gt_device_ops, "gt64120");
    /* The controller as PCI function 0:0.0 (a host bridge without BARs). */
    pci_device_init(&s->host, s->bus, "gt64120-pci", PCI_DEVFN(0, 0), 0x11ab, 0x4620, 0x060000,
                    0x10);
    gt_reset(&s->dev);
    return s;
}

PCIBus *gt64120_pci_bus(GT64120State *s)
{
    return s->bus;
}
