/*
 * hw/i386/microvm.c: the "microvm" board for x86-64 guests under KVM: RAM, a 16550 at
 * 0x3f8, an i8042 that only resets, hardware-reduced ACPI (power-off, reset, MADT), virtio-mmio
 * transports named on the kernel command line, and direct Linux boot (64-bit boot protocol, no
 * BIOS).
 */
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "cpu/kvm/kvm.h"
#include "cpu/x86/x86.h"
#include "hw/char/serial.h"
#include "hw/virtio/virtio.h"
#include "system/machine.h"
#include "system/main-loop.h"

/* Guest-physical layout of what the loader builds (all below the 640 KiB hole). */
#define MICROVM_GDT         0x500
#define MICROVM_ZERO_PAGE   0x7000
#define MICROVM_PML4        0x9000
#define MICROVM_PDPT        0xa000
#define MICROVM_PD          0xb000 /* four pages: the first 4 GiB in 2 MiB pages */
#define MICROVM_CMDLINE     0x20000
#define MICROVM_CMDLINE_MAX 0x10000
#define MICROVM_MPTABLE     0x9fc00
#define MICROVM_LOW_END     0xa0000
#define MICROVM_KERNEL      0x100000
#define MICROVM_BELOW_4G    0xc0000000ull /* RAM above goes to 4 GiB */
#define MICROVM_VIRTIO_BASE 0xfeb00000ull
#define MICROVM_VIRTIO_MAX  8
#define MICROVM_ACPI        0xe0000 /* RSDP and tables, where the kernel scans for them */
#define MICROVM_SLEEP_CTL   0x600   /* ACPI sleep control / status registers (I/O ports) */

#define GDT_CS 0x10 /* __BOOT_CS of the boot protocol */
#define GDT_DS 0x18

/* Legacy-PIC inputs the transports use: free ISA lines (not the PIT, keyboard, cascade,
 * COM1, RTC) so a guest without an IOAPIC description still gets them. */
static const int microvm_virtio_gsi[MICROVM_VIRTIO_MAX] = {5, 6, 7, 9, 10, 11, 12, 14};

typedef struct MicrovmState {
    MachineState *ms;
    CPUState *cpus[16];
    int n_cpus;
    MemoryRegion *io;
    AddressSpace *io_as;
    qemu_irq *gsi;
    uint64_t below_4g, above_4g;
    gchar *kernel;
    gsize kernel_len;
    gchar *initrd;
    gsize initrd_len;
    GString *cmdline;
    int n_virtio;
} MicrovmState;

static void microvm_gsi_set(void *opaque, int n, int level)
{
    (void)opaque;
    kvm_set_irq(n, level);
}

/* ---- i8042 (reset only) and the power-off port ------------------------------------ */

static uint64_t microvm_kbd_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0; /* no data, input buffer empty: the kernel's reboot path sees it ready */
}

static void microvm_kbd_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    if (addr == 4 && (val & 0xff) == 0xfe) {
        vm_request_reset(); /* pulse the CPU reset line */
    }
}

static const MemoryRegionOps microvm_kbd_ops = {
    .read = microvm_kbd_read,
    .write = microvm_kbd_write,
    .valid = {.min_access_size = 1, .max_access_size = 1},
};

/* The hardware-reduced ACPI sleep control register the FADT names: SLP_EN (bit 5) with
 * SLP_TYP (bits 2-4) 5, the \_S5 value of our DSDT, powers off. The status register
 * beside it reads 0. */
static uint64_t microvm_sleep_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void microvm_sleep_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    if (addr == 0 && (val & 0x20) && ((val >> 2) & 7) == 5) {
        vm_request_shutdown(0);
    }
}

static const MemoryRegionOps microvm_sleep_ops = {
    .read = microvm_sleep_read,
    .write = microvm_sleep_write,
    .valid = {.min_access_size = 1, .max_access_size = 1},
};

/* ---- Linux boot protocol ------------------------------------------------------------- */

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    put_u16(p, v);
    put_u16(p + 2, v >> 16);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, v);
    put_u32(p + 4, v >> 32);
}

static uint32_t get_u32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_u16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

/* The setup header fields the loader reads (Documentation/arch/x86/boot.rst). */
#define HDR_SETUP_SECTS   0x1f1
#define HDR_VID_MODE      0x1fa
#define HDR_BOOT_FLAG     0x1fe
#define HDR_JUMP          0x200
#define HDR_MAGIC         0x202
#define HDR_VERSION       0x206
#define HDR_TYPE_LOADER   0x210
#define HDR_LOADFLAGS     0x211
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE  0x21c
#define HDR_HEAP_END      0x224
#define HDR_CMD_LINE_PTR  0x228
#define HDR_INITRD_MAX    0x22c
#define HDR_XLOADFLAGS    0x236
#define HDR_CMDLINE_SIZE  0x238
#define HDR_INIT_SIZE     0x260
#define BP_E820_ENTRIES   0x1e8
#define BP_E820_TABLE     0x2d0
#define E820_MAX          128

static bool microvm_check_kernel(MicrovmState *s, char **errp)
{
    const uint8_t *k = (const uint8_t *)s->kernel;
    const char *name = s->ms->kernel;
    if (s->kernel_len < 0x270 || get_u16(k + HDR_BOOT_FLAG) != 0xaa55 ||
        memcmp(k + HDR_MAGIC, "HdrS", 4) != 0) {
        *errp = g_strdup_printf("%s is not a bzImage (no Linux x86 setup header)", name);
        return false;
    }
    if (get_u16(k + HDR_VERSION) < 0x20c || !(k[HDR_XLOADFLAGS] & 1)) {
        *errp = g_strdup_printf("%s has no 64-bit entry point (boot protocol 2.12+ with "
                                "XLF_KERNEL_64 needed)",
                                name);
        return false;
    }
    unsigned setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
    uint64_t payload = (uint64_t)(setup_sects + 1) * 512;
    uint64_t need = MAX(s->kernel_len - payload, (uint64_t)get_u32(k + HDR_INIT_SIZE));
    if (payload >= s->kernel_len) {
        *errp = g_strdup_printf("%s is truncated", name);
        return false;
    }
    if (MICROVM_KERNEL + need + s->initrd_len > s->below_4g) {
        *errp = g_strdup_printf("%s (and its initrd) do not fit in %" PRIu64 " MiB of RAM", name,
                                s->ms->ram_size >> 20);
        return false;
    }
    return true;
}

static int microvm_e820(MicrovmState *s, uint8_t *bp)
{
    struct {
        uint64_t addr, size;
        uint32_t type;
    } e[5] = {
        {0, MICROVM_MPTABLE, 1},
        {MICROVM_MPTABLE, MICROVM_LOW_END - MICROVM_MPTABLE, 2},
        {MICROVM_ACPI, MICROVM_KERNEL - MICROVM_ACPI, 2},
        {MICROVM_KERNEL, s->below_4g - MICROVM_KERNEL, 1},
        {1ull << 32, s->above_4g, 1},
    };
    int n = s->above_4g ? 5 : 4;
    for (int i = 0; i < n; i++) {
        uint8_t *p = bp + BP_E820_TABLE + 20 * i;
        put_u64(p, e[i].addr);
        put_u64(p + 8, e[i].size);
        put_u32(p + 16, e[i].type);
    }
    bp[BP_E820_ENTRIES] = n;
    return n;
}

/* Identity map of the first 4 GiB (2 MiB pages) and a GDT with the boot protocol's
 * flat 64-bit code and data segments. */
static void microvm_build_boot_tables(MicrovmState *s)
{
    AddressSpace *as = s->ms->as;
    uint8_t pml4[4096] = {0}, pdpt[4096] = {0};
    put_u64(pml4, MICROVM_PDPT | 3);
    for (int i = 0; i < 4; i++) {
        put_u64(pdpt + 8 * i, (MICROVM_PD + 4096 * i) | 3);
    }
    g_autofree uint8_t *pd = g_malloc0(4 * 4096);
    for (int i = 0; i < 4 * 512; i++) {
        put_u64(pd + 8 * i, ((uint64_t)i << 21) | 0x83); /* present, writable, 2 MiB */
    }
    address_space_write(as, MICROVM_PML4, pml4, sizeof(pml4));
    address_space_write(as, MICROVM_PDPT, pdpt, sizeof(pdpt));
    address_space_write(as, MICROVM_PD, pd, 4 * 4096);
    uint8_t gdt[32] = {0};
    put_u64(gdt + GDT_CS, 0x00af9b000000ffffull);
    put_u64(gdt + GDT_DS, 0x00cf93000000ffffull);
    address_space_write(as, MICROVM_GDT, gdt, sizeof(gdt));
}

/* An MP configuration table (Intel MP spec 1.4) so the kernel finds every CPU and the
 * IOAPIC without ACPI: floating pointer, then processors, an ISA bus, the IOAPIC and
 * ISA IRQ i on IOAPIC pin i. */
static void microvm_build_mptable(MicrovmState *s)
{
    uint8_t t[1024] = {0};
    uint8_t *fp = t, *h = t + 16;
    memcpy(fp, "_MP_", 4);
    put_u32(fp + 4, MICROVM_MPTABLE + 16);
    fp[8] = 1;
    fp[9] = 4;
    memcpy(h, "PCMP", 4);
    h[6] = 4;
    memcpy(h + 8, "MIMIC   ", 8);
    memcpy(h + 16, "MICROVM     ", 12);
    put_u32(h + 36, 0xfee00000);
    uint8_t *p = h + 44;
    int count = 0;
    for (int i = 0; i < s->n_cpus; i++, count++, p += 20) {
        p[0] = 0;
        p[1] = i;
        p[2] = 0x14;
        p[3] = 1 | (i == 0 ? 2 : 0);
        put_u32(p + 4, 0x600);
        put_u32(p + 8, 0x201);
    }
    uint8_t ioapic_id = s->n_cpus;
    p[0] = 1; /* bus 0: ISA */
    memcpy(p + 2, "ISA   ", 6);
    p += 8, count++;
    p[0] = 2;
    p[1] = ioapic_id;
    p[2] = 0x11;
    p[3] = 1;
    put_u32(p + 4, 0xfec00000);
    p += 8, count++;
    for (int irq = 0; irq < 16; irq++, p += 8, count++) {
        if (irq == 2) {
            p -= 8, count--;
            continue;
        }
        p[0] = 3; /* I/O interrupt: INT, conforming polarity/trigger, ISA irq -> pin */
        p[4] = 0;
        p[5] = irq;
        p[6] = ioapic_id;
        p[7] = irq; /* KVM's default routing: GSI n on pin n */
    }
    int len = p - h;
    put_u16(h + 4, len);
    put_u16(h + 34, count);
    uint8_t sum = 0;
    for (int i = 0; i < len; i++) {
        sum += h[i];
    }
    h[7] = -sum;
    sum = 0;
    for (int i = 0; i < 16; i++) {
        sum += fp[i];
    }
    fp[10] = -sum;
    address_space_write(s->ms->as, MICROVM_MPTABLE, t, 16 + len);
}

/* ---- ACPI (hardware-reduced): RSDP, XSDT, FADT, DSDT with \_S5, MADT --------------- */

static void acpi_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    put_u32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "MIMIC ", 6);
    memcpy(t + 16, "MICROVM ", 8);
    put_u32(t + 24, 1);
    memcpy(t + 28, "MIMC", 4);
    put_u32(t + 32, 1);
}

static void acpi_checksum(uint8_t *t, size_t len, size_t at)
{
    uint8_t sum = 0;
    t[at] = 0;
    for (size_t i = 0; i < len; i++) {
        sum += t[i];
    }
    t[at] = -sum;
}

/* A Generic Address Structure for an 8-bit I/O port. */
static void acpi_gas_io8(uint8_t *p, uint16_t port)
{
    p[0] = 1; /* SystemIO */
    p[1] = 8;
    p[2] = 0;
    p[3] = 1; /* byte access */
    put_u64(p + 4, port);
}

static uint64_t microvm_build_acpi(MicrovmState *s)
{
    enum { RSDP = 0, XSDT = 0x40, FADT = 0x100, DSDT = 0x300, MADT = 0x400, SIZE = 0x800 };
    g_autofree uint8_t *t = g_malloc0(SIZE);
    uint64_t base = MICROVM_ACPI;

    uint8_t *fadt = t + FADT;
    acpi_header(fadt, "FACP", 276, 6);
    put_u32(fadt + 40, base + DSDT);
    put_u16(fadt + 46, 9);                        /* SCI_INT: unused without GPEs */
    put_u16(fadt + 109, 1u << 1);                 /* IAPC_BOOT_ARCH: an 8042 is present */
    put_u32(fadt + 112, (1u << 20) | (1u << 10)); /* HW_REDUCED_ACPI, RESET_REG_SUP */
    acpi_gas_io8(fadt + 116, 0x64);               /* reset: 0xfe to the keyboard controller */
    fadt[128] = 0xfe;
    fadt[131] = 5; /* minor version: 6.5 */
    put_u64(fadt + 140, base + DSDT);
    acpi_gas_io8(fadt + 244, MICROVM_SLEEP_CTL);
    acpi_gas_io8(fadt + 256, MICROVM_SLEEP_CTL + 1);
    memcpy(fadt + 268, "MIMICVM", 7);
    acpi_checksum(fadt, 276, 9);

    /* DSDT: Name (_S5, Package () { 5, 5, 0, 0 }) */
    static const uint8_t aml[] = {0x08, '_',  'S',  '5',  '_',  0x12, 0x08,
                                  0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
    uint8_t *dsdt = t + DSDT;
    acpi_header(dsdt, "DSDT", 36 + sizeof(aml), 2);
    memcpy(dsdt + 36, aml, sizeof(aml));
    acpi_checksum(dsdt, 36 + sizeof(aml), 9);

    uint8_t *madt = t + MADT, *p = madt + 44;
    put_u32(madt + 36, 0xfee00000);
    put_u32(madt + 40, 1); /* PCAT_COMPAT: there are 8259s too */
    for (int i = 0; i < s->n_cpus; i++, p += 8) {
        p[0] = 0;
        p[1] = 8;
        p[2] = i;
        p[3] = i;
        put_u32(p + 4, 1);
    }
    p[0] = 1; /* the IOAPIC, GSIs from 0 */
    p[1] = 12;
    p[2] = s->n_cpus;
    put_u32(p + 4, 0xfec00000);
    put_u32(p + 8, 0);
    p += 12;
    uint32_t madt_len = p - madt;
    acpi_header(madt, "APIC", madt_len, 5);
    acpi_checksum(madt, madt_len, 9);

    uint8_t *xsdt = t + XSDT;
    acpi_header(xsdt, "XSDT", 36 + 16, 1);
    put_u64(xsdt + 36, base + FADT);
    put_u64(xsdt + 44, base + MADT);
    acpi_checksum(xsdt, 36 + 16, 9);

    uint8_t *rsdp = t + RSDP;
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "MIMIC ", 6);
    rsdp[15] = 2;
    put_u32(rsdp + 20, 36);
    put_u64(rsdp + 24, base + XSDT);
    acpi_checksum(rsdp, 20, 8);
    acpi_checksum(rsdp, 36, 32);

    address_space_write(s->ms->as, base, t, SIZE);
    return base + RSDP;
}

/* Puts kernel, initrd, command line and zero page in RAM and points the BSP at
 * startup_64; at start and at every reset (the guest reused that memory). */
static void microvm_load(MicrovmState *s)
{
    AddressSpace *as = s->ms->as;
    const uint8_t *k = (const uint8_t *)s->kernel;
    unsigned setup_sects = k[HDR_SETUP_SECTS] ? k[HDR_SETUP_SECTS] : 4;
    uint64_t payload = (uint64_t)(setup_sects + 1) * 512;
    address_space_write(as, MICROVM_KERNEL, k + payload, s->kernel_len - payload);

    uint8_t bp[4096] = {0};
    size_t hdr_end = MIN((size_t)HDR_JUMP + 2 + k[HDR_JUMP + 1], s->kernel_len);
    memcpy(bp + HDR_SETUP_SECTS, k + HDR_SETUP_SECTS, hdr_end - HDR_SETUP_SECTS);
    put_u16(bp + HDR_VID_MODE, 0xffff);
    bp[HDR_TYPE_LOADER] = 0xff;
    bp[HDR_LOADFLAGS] |= 0x80; /* CAN_USE_HEAP */
    put_u16(bp + HDR_HEAP_END, 0xfe00);

    uint32_t cmdline_max = get_u32(k + HDR_CMDLINE_SIZE);
    if (!cmdline_max || cmdline_max >= MICROVM_CMDLINE_MAX) {
        cmdline_max = MICROVM_CMDLINE_MAX - 1;
    }
    g_autofree char *cmd = g_strndup(s->cmdline->str, cmdline_max);
    address_space_write(as, MICROVM_CMDLINE, cmd, strlen(cmd) + 1);
    put_u32(bp + HDR_CMD_LINE_PTR, MICROVM_CMDLINE);

    if (s->initrd) {
        uint64_t max = get_u32(k + HDR_INITRD_MAX);
        uint64_t top = MIN(s->below_4g, max ? max + 1 : s->below_4g);
        uint64_t addr = (top - s->initrd_len) & ~0xfffull;
        address_space_write(as, addr, s->initrd, s->initrd_len);
        put_u32(bp + HDR_RAMDISK_IMAGE, addr);
        put_u32(bp + HDR_RAMDISK_SIZE, s->initrd_len);
    }
    put_u64(bp + 0x070, microvm_build_acpi(s)); /* acpi_rsdp_addr (protocol 2.14) */
    microvm_e820(s, bp);
    address_space_write(as, MICROVM_ZERO_PAGE, bp, sizeof(bp));
    microvm_build_boot_tables(s);
    microvm_build_mptable(s);
    x86_cpu_set_long_mode(s->cpus[0], MICROVM_GDT, 31, MICROVM_PML4, GDT_CS, GDT_DS,
                          MICROVM_KERNEL + 0x200, MICROVM_ZERO_PAGE);
}

/* ---- Board ------------------------------------------------------------------------- */

static bool microvm_plug_virtio(void *opaque, VirtIODevice *vdev, char **errp)
{
    MicrovmState *s = opaque;
    if (s->n_virtio >= MICROVM_VIRTIO_MAX) {
        *errp = g_strdup_printf("microvm has only %d virtio-mmio transports", MICROVM_VIRTIO_MAX);
        return false;
    }
    uint64_t base = MICROVM_VIRTIO_BASE + (uint64_t)s->n_virtio * VIRTIO_MMIO_SIZE;
    int gsi = microvm_virtio_gsi[s->n_virtio];
    VirtioMmio *t = virtio_mmio_new(s->ms->sysmem, base, s->gsi[gsi], s->ms->as, false);
    virtio_mmio_plug(t, vdev);
    g_string_append_printf(s->cmdline, " virtio_mmio.device=%u@0x%" PRIx64 ":%d", VIRTIO_MMIO_SIZE,
                           base, gsi);
    s->n_virtio++;
    return true;
}

static void microvm_init(MachineState *ms, char **errp)
{
    /* virtio-mmio only (QEMU's microvm has pcie=off by default): the -pci spellings are
     * refused in QEMU's words, whatever the accelerator. */
    if (!virtio_check_device_buses(ms->devices, ms->n_devices, false, true, errp)) {
        return;
    }
    if (!kvm_enabled()) {
        *errp = g_strdup("machine microvm needs -accel kvm (there is no x86 translator yet)");
        return;
    }
    if (!ms->kernel) {
        *errp = g_strdup("machine microvm has no firmware: give it a kernel with -kernel");
        return;
    }
    for (char **o = ms->machine_opts; o && *o; o++) {
        *errp = g_strdup_printf("Property 'microvm.%.*s' not found", (int)strcspn(*o, "="), *o);
        return;
    }
    if (ms->smp < 1 || ms->smp > 16) {
        *errp = g_strdup_printf("microvm supports 1 to 16 CPUs, not %d", ms->smp);
        return;
    }
    if (ms->ram_size < (16 << 20)) {
        *errp = g_strdup("microvm needs at least 16 MiB of RAM");
        return;
    }
    MicrovmState *s = g_new0(MicrovmState, 1);
    ms->board = s;
    s->ms = ms;
    GError *gerr = NULL;
    if (!g_file_get_contents(ms->kernel, &s->kernel, &s->kernel_len, &gerr)) {
        *errp = g_strdup_printf("cannot read kernel: %s", gerr->message);
        g_error_free(gerr);
        return;
    }
    if (ms->initrd && !g_file_get_contents(ms->initrd, &s->initrd, &s->initrd_len, &gerr)) {
        *errp = g_strdup_printf("cannot read initrd: %s", gerr->message);
        g_error_free(gerr);
        return;
    }

    MemoryRegion *ram;
    if (ms->mem_path) {
        ram = memory_region_new_ram_file("ram", ms->ram_size, ms->mem_path, errp);
        if (!ram) {
            return;
        }
    } else {
        ram = memory_region_new_ram("ram", ms->ram_size);
    }
    s->below_4g = MIN(ms->ram_size, MICROVM_BELOW_4G);
    s->above_4g = ms->ram_size - s->below_4g;
    memory_region_add_subregion(ms->sysmem, 0,
                                memory_region_new_alias("ram-below-4g", ram, 0, s->below_4g));
    if (s->above_4g) {
        memory_region_add_subregion(
            ms->sysmem, 1ull << 32,
            memory_region_new_alias("ram-above-4g", ram, s->below_4g, s->above_4g));
    }
    if (!microvm_check_kernel(s, errp)) {
        return;
    }

    s->io = memory_region_new_container("io", 0x10000);
    s->io_as = address_space_new(s->io, "I/O");
    kvm_set_io_space(s->io_as);
    s->gsi = irq_new_array(microvm_gsi_set, s, KVM_NR_GSIS);

    for (int i = 0; i < ms->smp; i++) {
        s->cpus[i] = cpu_create(ms->cpu_model ? ms->cpu_model : "host", ms->as, errp);
        if (!s->cpus[i]) {
            return;
        }
        s->n_cpus++;
    }

    serial_new(s->io, 0x3f8, 0, s->gsi[4], ms->serial[0], DEVICE_LITTLE_ENDIAN);
    memory_region_add_subregion(s->io, 0x60, memory_region_new_io("i8042", 5, &microvm_kbd_ops, s));
    memory_region_add_subregion(s->io, MICROVM_SLEEP_CTL,
                                memory_region_new_io("acpi-sleep", 2, &microvm_sleep_ops, s));

    s->cmdline = g_string_new(ms->append ? ms->append : "");
    VirtioMachineConfig vc = {
        .drives = ms->drives,
        .n_drives = ms->n_drives,
        .netdevs = ms->netdevs,
        .n_netdevs = ms->n_netdevs,
        .devices = ms->devices,
        .n_devices = ms->n_devices,
        .default_if_virtio = true,
        .console_chr = ms->serial[1],
        .plug = microvm_plug_virtio,
        .opaque = s,
    };
    if (!virtio_machine_setup(&vc, errp)) {
        return;
    }
    microvm_load(s);
}

static void microvm_reset(MachineState *ms)
{
    MicrovmState *s = ms->board;
    kvm_reset_irqchip();
    if (s && s->n_cpus) {
        microvm_load(s);
    }
}

const MachineClass microvm_machine = {
    .name = "microvm",
    .desc = "microvm (x86-64 under KVM: direct Linux boot, virtio-mmio)",
    .arch = "x86_64",
    .default_cpu = "host",
    .default_ram = 512 << 20,
    .max_cpus = 16,
    .init = microvm_init,
    .reset = microvm_reset,
};
