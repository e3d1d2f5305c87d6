/*
 * The MIPS Malta development board with a CoreLV card (GT-64120): RAM, boot
 * flash with the boot-ROM window, the FPGA registers, the PIIX4 south bridge
 * and its ISA devices, and Linux boot without firmware: a small stub in the
 * boot ROM hands the kernel YAMON-style arguments (argc/argv/envp).
 *
 *   mimic -M malta -kernel vmlinux -initrd rd.gz -append "console=ttyS0" -nographic
 */
#include <glib.h>
#include <stdio.h>
#include <inttypes.h>
#include <string.h>

#include "block/block-io.h"
#include "cpu/mips/mips.h"
#include "hw/char/serial.h"
#include "hw/core/loader.h"
#include "hw/isa/piix4.h"
#include "hw/mips/gt64120.h"
#include "hw/virtio/virtio.h"
#include "system/machine.h"
#include "system/main-loop.h"

#define MALTA_RAM_LOW_MAX    (256u << 20) /* RAM below the PCI windows */
#define MALTA_FLASH_BASE     0x1e000000
#define MALTA_FLASH_SIZE     (4u << 20)
#define MALTA_BOOTROM_BASE   0x1fc00000
#define MALTA_BOOTROM_SIZE   (4u << 20)
#define MALTA_FPGA_BASE      0x1f000000
#define MALTA_FPGA_SIZE      0x100000
#define MALTA_CBUS_UART      0x1f000900
#define MALTA_REVISION       0x1fc00010
#define MALTA_PIIX4_SLOT     10
#define MALTA_FIRST_PCI_SLOT 18 /* PCI slots 1-4: devices 18-21 */
#define MALTA_PCI_SLOTS      4

/* FPGA register offsets. */
#define FPGA_LEDBAR     0x408
#define FPGA_ASCIIWORD  0x410
#define FPGA_ASCIIPOS0  0x418 /* eight positions, 8 bytes apart */
#define FPGA_SOFTRES    0x500
#define FPGA_BRKRES     0x508
#define FPGA_GPOUT      0xa00
#define FPGA_I2CINP     0xb00
#define FPGA_I2COE      0xb08
#define FPGA_I2COUT     0xb10
#define FPGA_I2CSEL     0xb18
#define SOFTRES_GORESET 0x42

/* The revision register: product Malta, core card CoreLV (GT-64120). */
#define MALTA_REVISION_CORELV 0x00000420

/* Boot stub layout in the boot ROM: code at 0 branches over the revision
 * register to 0x500, which loads the argument block at 0x600. */
#define STUB_MAIN   0x500
#define STUB_PARAMS 0x600
/* Where the argument strings go in RAM (kseg0 0x80002000). */
#define ENV_BASE 0x2000
#define ENV_SIZE 0x1000

typedef struct MaltaState {
    MachineState *ms;
    bool big_endian;
    CPUState *cpu;
    MemoryRegion *ram_low, *flash, *bootrom, *fpga;
    GT64120State *gt;
    PIIX4State *piix4;
    SerialState *uart[3];
    Drive *drives[4];
    int next_pci_slot;
    /* FPGA state */
    uint32_t leds, brkres, gpout, i2coe, i2cout, i2csel;
    char ascii[9];
} MaltaState;

/* ---- FPGA ------------------------------------------------------------- */

static uint64_t fpga_read(void *opaque, uint64_t addr, unsigned size)
{
    MaltaState *s = opaque;
    switch (addr) {
    case FPGA_LEDBAR: return s->leds;
    case FPGA_BRKRES: return s->brkres;
    case FPGA_GPOUT: return s->gpout;
    case FPGA_I2CINP: return 0x3; /* SDA and SCL idle high */
    case FPGA_I2COE: return s->i2coe;
    case FPGA_I2COUT: return s->i2cout;
    case FPGA_I2CSEL: return s->i2csel;
    case 0x200: return 0; /* switches */
    case 0x208: return 0; /* status */
    default:
        if (addr >= FPGA_ASCIIPOS0 && addr < FPGA_ASCIIPOS0 + 8 * 8 && !(addr & 7)) {
            return (uint8_t)s->ascii[(addr - FPGA_ASCIIPOS0) / 8];
        }
        return 0;
    }
}

static void fpga_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    MaltaState *s = opaque;
    switch (addr) {
    case FPGA_LEDBAR: s->leds = val & 0xff; break;
    case FPGA_ASCIIWORD: snprintf(s->ascii, sizeof(s->ascii), "%08" PRIx32, (uint32_t)val); break;
    case FPGA_SOFTRES:
        if (val == SOFTRES_GORESET) {
            vm_request_reset();
        }
        break;
    case FPGA_BRKRES: s->brkres = val; break;
    case FPGA_GPOUT: s->gpout = val; break;
    case FPGA_I2COE: s->i2coe = val; break;
    case FPGA_I2COUT: s->i2cout = val; break;
    case FPGA_I2CSEL: s->i2csel = val; break;
    default:
        if (addr >= FPGA_ASCIIPOS0 && addr < FPGA_ASCIIPOS0 + 8 * 8 && !(addr & 7)) {
            s->ascii[(addr - FPGA_ASCIIPOS0) / 8] = (char)val;
        }
        break;
    }
}

static const MemoryRegionOps fpga_ops = {
    .read = fpga_read,
    .write = fpga_write,
    .endianness = DEVICE_NATIVE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

/* Reads of PCI I/O nothing claims see all-ones, as after a master abort. */
static uint64_t unassigned_io_read(void *opaque, uint64_t addr, unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void unassigned_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size) {}

static const MemoryRegionOps unassigned_io_ops = {
    .read = unassigned_io_read,
    .write = unassigned_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .unaligned = true},
    .impl = {.min_access_size = 1, .max_access_size = 4, .unaligned = true},
};

/* ---- PCI interrupt wiring (the Malta's slots) ---------------------------- */

static int malta_pci_map_irq(PCIDevice *d, int pin)
{
    /* The board's INTx wiring to PIRQA-D, as Linux's Malta fixup expects:
     * slots 18-21 are PCI slots 1-4, each rotated by one. */
    int slot = d->devfn >> 3;
    switch (slot) {
    case 10: return 3; /* PIIX4 USB: PIRQD */
    case 11: return 1; /* Ethernet: PIRQB */
    case 12: return 2; /* audio: PIRQC */
    case 18:
    case 19:
    case 20:
    case 21: return (slot - 18 + pin) & 3;
    default: return -1;
    }
}

static void malta_set_pirq(void *opaque, int pirq, int level)
{
    MaltaState *s = opaque;
    piix4_set_pirq(s->piix4, pirq, level);
}

static int malta_iack(void *opaque)
{
    MaltaState *s = opaque;
    return piix4_iack(s->piix4);
}

/* ---- boot --------------------------------------------------------------- */

static uint64_t malta_kseg_to_phys(void *opaque, uint64_t addr)
{
    return addr & 0x1fffffff;
}

static void put32(MaltaState *s, uint8_t *p, uint32_t v)
{
    if (s->big_endian) {
        p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
    } else {
        p[0] = v, p[1] = v >> 8, p[2] = v >> 16, p[3] = v >> 24;
    }
}

/* The revision register overlays the boot ROM at 0x1fc00010. It is read-only
 * and constant, so it is kept as a ROM word: that keeps the reset vector's
 * page executable as plain ROM. */
static void malta_write_revision(MaltaState *s)
{
    uint8_t buf[4];
    put32(s, buf, MALTA_REVISION_CORELV);
    address_space_write_rom(s->ms->as, MALTA_REVISION, buf, 4);
}

/* The boot stub, hand-assembled MIPS32: it must not touch offset 0x10,
 * where the revision register sits in the boot-ROM window. */
static void malta_write_stub(MaltaState *s, uint32_t params[6])
{
    static const uint32_t entry[] = {
        0x3c08bfc0,             /* lui   t0, 0xbfc0 */
        0x35080000 | STUB_MAIN, /* ori   t0, t0, STUB_MAIN */
        0x01000008,             /* jr    t0 */
        0x00000000,             /* nop */
    };
    static const uint32_t main_code[] = {
        0x8d040100, /* lw a0, 0x100(t0): argc */
        0x8d050104, /* lw a1, 0x104(t0): argv */
        0x8d060108, /* lw a2, 0x108(t0): envp */
        0x8d07010c, /* lw a3, 0x10c(t0): memsize */
        0x8d090110, /* lw t1, 0x110(t0): kernel entry */
        0x8d1d0114, /* lw sp, 0x114(t0): stack */
        0x01200008, /* jr t1 */
        0x00000000, /* nop */
    };
    uint8_t buf[4];
    for (size_t i = 0; i < G_N_ELEMENTS(entry); i++) {
        put32(s, buf, entry[i]);
        address_space_write_rom(s->ms->as, MALTA_BOOTROM_BASE + 4 * i, buf, 4);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(main_code); i++) {
        put32(s, buf, main_code[i]);
        address_space_write_rom(s->ms->as, MALTA_BOOTROM_BASE + STUB_MAIN + 4 * i, buf, 4);
    }
    for (int i = 0; i < 6; i++) {
        put32(s, buf, params[i]);
        address_space_write_rom(s->ms->as, MALTA_BOOTROM_BASE + STUB_PARAMS + 4 * i, buf, 4);
    }
}

/* Loads kernel and initrd, writes argv/envp in RAM and the stub in the boot
 * ROM. Runs at start and again at every reset, as the guest may have
 * overwritten its image. */
static bool malta_load_kernel(MaltaState *s, char **errp)
{
    MachineState *ms = s->ms;
    LoadedElf elf;
    if (!loader_load_elf(ms->as, ms->kernel, malta_kseg_to_phys, NULL, &elf, errp)) {
        return false;
    }
    if (elf.machine != ELF_MACHINE_MIPS || elf.is_64bit) {
        *errp =
            g_strdup_printf("could not load kernel '%s': not a 32-bit MIPS ELF image", ms->kernel);
        return false;
    }
    if (elf.big_endian != s->big_endian) {
        *errp =
            g_strdup_printf("could not load kernel '%s': it is %s-endian but the board is "
                            "%s-endian (use -M malta,endian=%s)",
                            ms->kernel, elf.big_endian ? "big" : "little",
                            s->big_endian ? "big" : "little", elf.big_endian ? "big" : "little");
        return false;
    }
    uint64_t ram_low = memory_region_size(s->ram_low);
    char *cmdline = g_strdup(ms->append ? ms->append : "");
    if (ms->initrd) {
        /* Near the top of low RAM: the kernel relocates itself to a random
         * offset above its load address, which must not land on the initrd. */
        char *lerr = NULL;
        int64_t fsize = loader_file_size(ms->initrd, &lerr);
        if (fsize < 0) {
            *errp = lerr;
            g_free(cmdline);
            return false;
        }
        uint64_t need = (uint64_t)fsize + (128u << 10);
        uint64_t addr = ram_low > need ? (ram_low - need) & ~0xffffull : 0, size;
        if (addr < ((elf.high + 0xffff) & ~0xffffull)) {
            *errp = g_strdup_printf("initrd '%s' (%" PRId64 " bytes) does not fit in RAM above "
                                    "the kernel; use a larger -m",
                                    ms->initrd, fsize);
            g_free(cmdline);
            return false;
        }
        if (!loader_load_raw(ms->as, ms->initrd, addr, ram_low - addr, &size, errp)) {
            g_free(cmdline);
            return false;
        }
        char *with_rd = g_strdup_printf("%s%srd_start=0x%08" PRIx64 " rd_size=%" PRIu64, cmdline,
                                        *cmdline ? " " : "", 0x80000000 | addr, size);
        g_free(cmdline);
        cmdline = with_rd;
    }

    /* argv = { "", cmdline }, envp = { "name=value", ..., NULL }: pointers
     * and strings in one block at kseg0 ENV_BASE. */
    char memsize[32], ememsize[32];
    snprintf(memsize, sizeof(memsize), "memsize=%" PRIu64, ram_low);
    snprintf(ememsize, sizeof(ememsize), "ememsize=%" PRIu64, ms->ram_size);
    const char *strings[] = {"", cmdline, memsize, ememsize, "modetty0=38400n8r", NULL};
    const int nstr = 5;
    uint8_t *blk = g_malloc0(ENV_SIZE);
    uint32_t ptr_area = 0, str_off = 0x100, ptrs[8];
    for (int i = 0; i < nstr; i++) {
        size_t len = strlen(strings[i]) + 1;
        if (str_off + len > ENV_SIZE) {
            *errp = g_strdup("kernel command line too long");
            g_free(blk);
            g_free(cmdline);
            return false;
        }
        memcpy(blk + str_off, strings[i], len);
        ptrs[i] = 0x80000000 | (ENV_BASE + str_off);
        str_off += (len + 3) & ~3u;
    }
    /* argv at +0x00 (2 pointers), envp at +0x10 (3 pointers + NULL). */
    put32(s, blk + ptr_area + 0, ptrs[0]);
    put32(s, blk + ptr_area + 4, ptrs[1]);
    for (int i = 0; i < 3; i++) {
        put32(s, blk + 0x10 + 4 * i, ptrs[2 + i]);
    }
    put32(s, blk + 0x10 + 12, 0);
    address_space_write(ms->as, ENV_BASE, blk, ENV_SIZE);
    g_free(blk);
    g_free(cmdline);

    uint32_t params[6] = {
        2,                                     /* argc */
        0x80000000 | ENV_BASE,                 /* argv */
        0x80000000 | (ENV_BASE + 0x10),        /* envp */
        (uint32_t)ram_low,                     /* memsize */
        (uint32_t)elf.entry,                   /* kernel entry */
        0x80000000 | (uint32_t)(ram_low - 16), /* stack */
    };
    malta_write_stub(s, params);
    malta_write_revision(s);
    return true;
}

static void malta_reset(MachineState *ms)
{
    MaltaState *s = ms->board;
    char *err = NULL;
    if (ms->kernel && !malta_load_kernel(s, &err)) {
        fprintf(stderr, "mimic: %s\n", err);
        g_free(err);
        vm_request_shutdown(1);
    }
}

/* ---- board -------------------------------------------------------------- */

static bool malta_open_drives(MaltaState *s, char **errp)
{
    MachineState *ms = s->ms;
    int next_ide = 0;
    for (int i = 0; i < ms->n_drives; i++) {
        DriveOptions opts;
        if (!drive_parse(ms->drives[i], &opts, errp)) {
            return false;
        }
        if (opts.iface == DRIVE_IF_VIRTIO || opts.iface == DRIVE_IF_NONE) {
            drive_options_clear(&opts); /* virtio_machine_setup opens these */
            continue;
        }
        if (opts.iface != DRIVE_IF_DEFAULT && opts.iface != DRIVE_IF_IDE) {
            *errp = g_strdup_printf("machine malta does not support -drive if=%s",
                                    drive_interface_name(opts.iface));
            drive_options_clear(&opts);
            return false;
        }
        int index = opts.index >= 0 ? opts.index : next_ide;
        if (opts.bus >= 0 || opts.unit >= 0) {
            index = (opts.bus > 0 ? opts.bus : 0) * 2 + (opts.unit > 0 ? opts.unit : 0);
        }
        if (index < 0 || index >= 4 || s->drives[index]) {
            *errp = g_strdup_printf("drive index %d is in use or out of range (0-3)", index);
            drive_options_clear(&opts);
            return false;
        }
        Drive *d = drive_open(&opts, errp);
        drive_options_clear(&opts);
        if (!d) {
            return false;
        }
        s->drives[index] = d;
        next_ide = index + 1;
    }
    return true;
}

/* virtio devices (-drive if=virtio, -device virtio-*) go into the PCI slots. */
static bool malta_virtio_plug(void *opaque, VirtIODevice *vdev, char **errp)
{
    MaltaState *s = opaque;
    if (s->next_pci_slot >= MALTA_PCI_SLOTS) {
        *errp = g_strdup_printf("malta has only %d PCI slots for virtio devices", MALTA_PCI_SLOTS);
        return false;
    }
    vdev->legacy_big_endian = s->big_endian;
    int devfn = PCI_DEVFN(MALTA_FIRST_PCI_SLOT + s->next_pci_slot++, 0);
    return virtio_pci_new(gt64120_pci_bus(s->gt), devfn, vdev, s->ms->as, errp) != NULL;
}

static void malta_init(MachineState *ms, char **errp)
{
    MaltaState *s = g_new0(MaltaState, 1);
    s->ms = ms;
    ms->board = s;

    for (char **o = ms->machine_opts; o && *o; o++) {
        if (!strcmp(*o, "endian=big")) {
            s->big_endian = true;
        } else if (!strcmp(*o, "endian=little")) {
            s->big_endian = false;
        } else {
            *errp = g_strdup_printf("Property 'malta-machine.%.*s' not found",
                                    (int)strcspn(*o, "="), *o);
            return;
        }
    }
    if (ms->ram_size > MALTA_RAM_LOW_MAX) {
        *errp = g_strdup_printf("at most %u MiB of RAM are supported on malta (asked for %" PRIu64
                                " MiB)",
                                MALTA_RAM_LOW_MAX >> 20, ms->ram_size >> 20);
        return;
    }
    if (!ms->kernel && !ms->firmware) {
        *errp = g_strdup("malta needs a kernel (-kernel) or firmware (-bios): there is no "
                         "built-in YAMON");
        return;
    }
    /* PCI slots only: QEMU's virtio-bus spellings (-device) are refused. */
    if (!virtio_check_device_buses(ms->devices, ms->n_devices, true, false, errp)) {
        return;
    }

    /* CPU: the model name picks the byte order too. */
    const char *model = ms->cpu_model ? ms->cpu_model : "24Kf";
    char *full_model = s->big_endian && !g_str_has_suffix(model, "-be")
                           ? g_strdup_printf("%s-be", model)
                           : g_strdup(model);
    s->cpu = cpu_create(full_model, ms->as, errp);
    g_free(full_model);
    if (!s->cpu) {
        return;
    }
    qemu_irq *cpu_irq = mips_cpu_irq_inputs(s->cpu);

    /* Memory. */
    if (ms->mem_path) {
        s->ram_low = memory_region_new_ram_file("malta.ram", ms->ram_size, ms->mem_path, errp);
        if (!s->ram_low) {
            return;
        }
    } else {
        s->ram_low = memory_region_new_ram("malta.ram", ms->ram_size);
    }
    memory_region_add_subregion(ms->sysmem, 0, s->ram_low);
    s->flash = memory_region_new_rom("malta.flash", MALTA_FLASH_SIZE);
    memory_region_add_subregion(ms->sysmem, MALTA_FLASH_BASE, s->flash);
    s->bootrom = memory_region_new_alias("malta.bootrom", s->flash, 0, MALTA_BOOTROM_SIZE);
    memory_region_add_subregion(ms->sysmem, MALTA_BOOTROM_BASE, s->bootrom);
    s->fpga = memory_region_new_io("malta.fpga", MALTA_FPGA_SIZE, &fpga_ops, s);
    memory_region_add_subregion(ms->sysmem, MALTA_FPGA_BASE, s->fpga);

    /* System controller, PCI and the south bridge. */
    if (!malta_open_drives(s, errp)) {
        return;
    }
    s->gt = gt64120_new(ms->sysmem, malta_pci_map_irq, malta_set_pirq, s, malta_iack, s);
    PCIBus *bus = gt64120_pci_bus(s->gt);
    MemoryRegion *io = pci_bus_io_space(bus);
    memory_region_add_subregion_overlap(
        io, 0, memory_region_new_io("pci-io-unassigned", 0x10000, &unassigned_io_ops, s), -100);
    /* CPU hardware interrupt 0 (IP2) is the 8259's INT. */
    s->piix4 = piix4_new(bus, MALTA_PIIX4_SLOT, cpu_irq[0], s->drives);

    /* The super I/O's UARTs (ttyS0, ttyS1) and the FPGA's CBUS UART. */
    s->uart[0] = serial_new(io, 0x3f8, 0, piix4_isa_irq(s->piix4, 4),
                            ms->n_serial > 0 ? ms->serial[0] : NULL, DEVICE_LITTLE_ENDIAN);
    s->uart[1] = serial_new(io, 0x2f8, 0, piix4_isa_irq(s->piix4, 3),
                            ms->n_serial > 1 ? ms->serial[1] : NULL, DEVICE_LITTLE_ENDIAN);
    s->uart[2] = serial_new(ms->sysmem, MALTA_CBUS_UART, 3, cpu_irq[2],
                            ms->n_serial > 2 ? ms->serial[2] : NULL,
                            s->big_endian ? DEVICE_BIG_ENDIAN : DEVICE_LITTLE_ENDIAN);

    VirtioMachineConfig vc = {
        .drives = ms->drives,
        .n_drives = ms->n_drives,
        .netdevs = ms->netdevs,
        .n_netdevs = ms->n_netdevs,
        .devices = ms->devices,
        .n_devices = ms->n_devices,
        .console_chr = ms->n_serial > 3 ? ms->serial[3] : NULL,
        .plug = malta_virtio_plug,
        .opaque = s,
    };
    if (!virtio_machine_setup(&vc, errp)) {
        return;
    }

    if (ms->firmware) {
        uint64_t size;
        if (!loader_load_raw(ms->as, ms->firmware, MALTA_FLASH_BASE, MALTA_FLASH_SIZE, &size,
                             errp)) {
            return;
        }
        malta_write_revision(s);
    }
    if (ms->kernel && !malta_load_kernel(s, errp)) {
        return;
    }
}

/* Listed in hw/boards.c. */
extern const MachineClass malta_machine;
const MachineClass malta_machine = {
    .name = "malta",
    .desc = "MIPS Malta Core LV (GT-64120, PIIX4)",
    .arch = "mips",
    .default_cpu = "24Kf",
    .default_ram = 128u << 20,
    .max_cpus = 1,
    .init = malta_init,
    .reset = malta_reset,
};
