/*
 * PIIX4 south bridge (hw/isa/piix4.h): the ISA bridge's interrupt routing
 * registers (PIRQRC), the legacy devices behind it, and the power-management
 * function whose PMCNTRL soft-off request ends the VM.
 */
#include "hw/isa/piix4.h"

#include <glib.h>
#include <string.h>

#include "hw/ide/ide.h"
#include "hw/intc/i8259.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/i8254.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define PIIX4_PIRQRC 0x60 /* PIRQA-D route control, 4 bytes */
#define PIRQ_DISABLE 0x80

/* Function 3 (power management) configuration registers. */
#define PIIX4_PMBA            0x40 /* PM I/O base, 64 bytes */
#define PIIX4_PMREGMISC       0x80 /* bit 0: PM I/O space enable */
#define PIIX4_PM_BASE_DEFAULT 0x1000
#define PIIX4_PM_SIZE         64

/* PM I/O registers. */
#define PM_PMSTS              0x00
#define PM_PMEN               0x02
#define PM_PMCNTRL            0x04
#define PM_PMTMR              0x08
#define PMCNTRL_SUS_EN        (1u << 13)
#define PMCNTRL_SUS_TYP_SHIFT 10
#define PM_TIMER_HZ           3579545

typedef struct PIIX4PM {
    PCIDevice pci;
    MemoryRegion *io;
    bool mapped;
    uint64_t mapped_base;
    uint16_t pmsts, pmen, pmcntrl;
    uint8_t regs[PIIX4_PM_SIZE]; /* the rest, read back as written */
} PIIX4PM;

struct PIIX4State {
    PCIDevice isa; /* function 0 */
    PIIX4PM pm;    /* function 3 */
    IDEController *ide;
    PicState *pic;
    PitState *pit;
    RtcState *rtc;
    int pirq_level[4];
};

/* ---- function 0: PCI interrupt routing ---------------------------------- */

static void piix4_update_pirq_routes(PIIX4State *s)
{
    /* Each ISA IRQ that some PIRQ is routed to follows the OR of those PIRQs. */
    int level[16] = {0};
    bool routed[16] = {false};
    for (int i = 0; i < 4; i++) {
        uint8_t r = s->isa.config[PIIX4_PIRQRC + i];
        if (!(r & PIRQ_DISABLE) && (r & 0xf) >= 3) {
            routed[r & 0xf] = true;
            level[r & 0xf] |= s->pirq_level[i];
        }
    }
    for (int n = 0; n < 16; n++) {
        if (routed[n]) {
            irq_set(i8259_irq(s->pic, n), level[n]);
        }
    }
}

void piix4_set_pirq(void *opaque, int pirq, int level)
{
    PIIX4State *s = opaque;
    if (pirq >= 0 && pirq < 4) {
        s->pirq_level[pirq] = level != 0;
        piix4_update_pirq_routes(s);
    }
}

static void piix4_isa_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    if (addr < PIIX4_PIRQRC + 4 && addr + len > PIIX4_PIRQRC) {
        piix4_update_pirq_routes((PIIX4State *)d);
    }
}

int piix4_iack(void *opaque)
{
    PIIX4State *s = opaque;
    return i8259_acknowledge(s->pic);
}

qemu_irq piix4_isa_irq(PIIX4State *s, int n)
{
    return i8259_irq(s->pic, n);
}

/* ---- function 3: power management --------------------------------------- */

static uint64_t pm_read(void *opaque, uint64_t addr, unsigned size)
{
    PIIX4PM *pm = opaque;
    uint64_t v;
    switch (addr & ~1ull) {
    case PM_PMSTS: v = pm->pmsts; break;
    case PM_PMEN: v = pm->pmen; break;
    case PM_PMCNTRL: v = pm->pmcntrl; break;
    case PM_PMTMR:
    case PM_PMTMR + 2:
        /* 24-bit free-running timer at 3.579545 MHz of guest time. */
        v = (uint64_t)((__int128)clock_get_ns(CLOCK_VIRTUAL) * PM_TIMER_HZ /
                       NANOSECONDS_PER_SECOND) &
            0xffffff;
        return (v >> (8 * (addr - PM_PMTMR))) & ((1ull << (8 * size)) - 1);
    default:
        v = 0;
        memcpy(&v, pm->regs + addr, size);
        return v;
    }
    return (v >> (8 * (addr & 1))) & ((1ull << (8 * size)) - 1);
}

static void pm_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PIIX4PM *pm = opaque;
    if (size == 1 && addr < PM_PMTMR) {
        /* Byte writes to the 16-bit registers: merge into the word. */
        uint64_t word = pm_read(opaque, addr & ~1ull, 2);
        int shift = 8 * (addr & 1);
        val = (word & ~(0xffull << shift)) | (val << shift);
        addr &= ~1ull;
    }
    switch (addr) {
    case PM_PMSTS:
        pm->pmsts &= ~val; /* write one to clear */
        break;
    case PM_PMEN: pm->pmen = val; break;
    case PM_PMCNTRL:
        pm->pmcntrl = val & ~PMCNTRL_SUS_EN;
        if ((val & PMCNTRL_SUS_EN) && ((val >> PMCNTRL_SUS_TYP_SHIFT) & 7) == 0) {
            /* Suspend type 0 is soft-off: the machine powers down. */
            vm_request_shutdown(0);
        }
        break;
    case PM_PMTMR: break;
    default:
        if (addr + size <= PIIX4_PM_SIZE) {
            memcpy(pm->regs + addr, &val, size);
        }
    }
}

static const MemoryRegionOps pm_ops = {
    .read = pm_read,
    .write = pm_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 1, .max_access_size = 2},
};

/* PMBA is not a standard BAR: follow its value and the PMIOSE enable. */
static void pm_update_mapping(PIIX4PM *pm)
{
    uint64_t base = pci_get_long(pm->pci.config + PIIX4_PMBA) & 0xffc0;
    bool enable = (pm->pci.config[PIIX4_PMREGMISC] & 1) && base != 0;
    MemoryRegion *io = pci_bus_io_space(pm->pci.bus);
    if (pm->mapped && (!enable || base != pm->mapped_base)) {
        memory_region_del_subregion(io, pm->io);
        pm->mapped = false;
    }
    if (enable && !pm->mapped) {
        memory_region_add_subregion_overlap(io, base, pm->io, 1);
        pm->mapped = true;
        pm->mapped_base = base;
    }
}

static void pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val, int len)
{
    pm_update_mapping((PIIX4PM *)d);
}

static void pm_reset(PCIDevice *d)
{
    PIIX4PM *pm = (PIIX4PM *)d;
    pm->pmsts = pm->pmen = pm->pmcntrl = 0;
    memset(pm->regs, 0, sizeof(pm->regs));
    pm_update_mapping(pm);
}

/* ---- creation ----------------------------------------------------------- */

PIIX4State *piix4_new(PCIBus *bus, int slot, qemu_irq cpu_int, Drive *ide_drives[4])
{
    PIIX4State *s = g_new0(PIIX4State, 1);
    MemoryRegion *io = pci_bus_io_space(bus);

    pci_device_init(&s->isa, bus, "piix4-isa", PCI_DEVFN(slot, 0), 0x8086, 0x7110, 0x060100, 0x01);
    s->isa.config[PCI_HEADER_TYPE] = 0x80; /* multi-function */
    /* PCI interrupt routing as the firmware (YAMON) leaves it: Linux reads it
     * back to learn each PCI slot's IRQ. */
    static const uint8_t pirq_routes[4] = {10, 10, 11, 11};
    for (int i = 0; i < 4; i++) {
        s->isa.config[PIIX4_PIRQRC + i] = pirq_routes[i];
    }
    pci_config_set_wmask(&s->isa, PIIX4_PIRQRC, 4, 0x8f);
    pci_config_set_wmask(&s->isa, 0x40, 0x20, 0xff); /* misc. bridge control registers */
    pci_config_set_wmask(&s->isa, 0x69, 0x97, 0xff);
    s->isa.config_write = piix4_isa_config_write;

    s->pic = i8259_new(io, cpu_int);
    s->pit = i8254_new(io, 0x40, i8259_irq(s->pic, 0));
    i8254_map_port61(s->pit, io, 0x61);
    s->rtc = mc146818_new(io, 0x70, i8259_irq(s->pic, 8));

    s->ide = piix4_ide_new(bus, PCI_DEVFN(slot, 1), io, i8259_irq(s->pic, 14),
                           i8259_irq(s->pic, 15), ide_drives);

    pci_device_init(&s->pm.pci, bus, "piix4-pm", PCI_DEVFN(slot, 3), 0x8086, 0x7113, 0x068000,
                    0x03);
    s->pm.io = memory_region_new_io("piix4-pm", PIIX4_PM_SIZE, &pm_ops, &s->pm);
    /* As firmware leaves it: PM I/O at 0x1000, enabled. Linux finds the base
     * in PMBA (an I/O-space register, bit 0 reads 1). */
    pci_set_long(s->pm.pci.config + PIIX4_PMBA, PIIX4_PM_BASE_DEFAULT | 1);
    pci_set_long(s->pm.pci.wmask + PIIX4_PMBA, 0xffc0);
    s->pm.pci.config[PIIX4_PMREGMISC] = 1;
    s->pm.pci.wmask[PIIX4_PMREGMISC] = 1;
    pci_config_set_wmask(&s->pm.pci, 0x90, 4, 0xff); /* SMBus base, kept as written */
    s->pm.pci.config_write = pm_config_write;
    s->pm.pci.reset = pm_reset;
    pm_update_mapping(&s->pm);
    return s;
}
