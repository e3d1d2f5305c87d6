/*
 * The ARM `virt` board: RAM at 1 GiB, GICv2, PL011 (ttyAMA0), PL031,
 * 32 virtio-mmio transports, PSCI over HVC, and a Linux boot without firmware
 * (zImage at RAM + 0x8000, initrd after it, the generated device tree after
 * that). Laid out as QEMU's virt so stock armmp kernels run unchanged.
 *
 *   mimic -M virt -m 512 -kernel vmlinuz -initrd rd.gz -append "console=ttyAMA0" -nographic
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block-io.h"
#include "cpu/arm/arm.h"
#include "hw/arm/virt.h"
#include "hw/char/pl011.h"
#include "hw/core/loader.h"
#include "hw/intc/gic.h"
#include "hw/rtc/pl031.h"
#include "hw/virtio/virtio.h"
#include "system/machine.h"
#include "system/main-loop.h"

#define KERNEL_OFFSET  0x8000       /* zImage/Image load offset from the start of RAM */
#define ZIMAGE_MAGIC   0x016f2818   /* at byte 0x24 of a zImage */
#define DTB_MAX_OFFSET (512u << 20) /* the kernel maps the DTB from its first 512 MiB */
#define DTB_ROOM       4096         /* free space left in the blob for the kernel */

typedef struct VirtState {
    MachineState *ms;
    CPUState *cpus[VIRT_MAX_CPUS];
    MemoryRegion *ram, *flash;
    GICState *gic;
    PL011State *uart;
    PL031State *rtc;
    VirtioMmio *mmio[VIRT_MMIO_COUNT];
    const char *dumpdtb;
    uint32_t entry, dtb_addr;
} VirtState;

static int virt_cpu_index(void *opaque)
{
    VirtState *s = opaque;
    for (int i = 0; i < s->ms->smp; i++) {
        if (s->cpus[i] == current_cpu) {
            return i;
        }
    }
    return 0;
}

static bool virt_plug(void *opaque, VirtIODevice *vdev, char **errp)
{
    VirtState *s = opaque;
    for (int i = 0; i < VIRT_MMIO_COUNT; i++) {
        if (!virtio_mmio_device(s->mmio[i])) {
            return virtio_mmio_plug(s->mmio[i], vdev);
        }
    }
    *errp =
        g_strdup_printf("no free virtio-mmio transport (the virt board has %d)", VIRT_MMIO_COUNT);
    return false;
}

/* ---- boot ------------------------------------------------------------------- */

static uint64_t virt_identity(void *opaque, uint64_t addr)
{
    return addr;
}

static bool virt_write_ram(VirtState *s, uint64_t addr, const void *data, size_t len,
                           const char *what, char **errp)
{
    uint64_t end = VIRT_RAM_BASE + s->ms->ram_size;
    if (addr < VIRT_RAM_BASE || addr > end || len > end - addr) {
        *errp =
            g_strdup_printf("%s (%zu bytes) does not fit in RAM at 0x%" PRIx64 "; use a larger -m",
                            what, len, addr);
        return false;
    }
    address_space_write(s->ms->as, addr, data, len);
    return true;
}

/* Loads kernel, initrd and device tree and sets the boot CPU's entry state.
 * Runs at start and at every reset (the guest may have overwritten them). */
static bool virt_load(VirtState *s, char **errp)
{
    MachineState *ms = s->ms;
    uint64_t ram_end = VIRT_RAM_BASE + ms->ram_size;
    uint64_t kernel_end = VIRT_RAM_BASE;
    gchar *data = NULL;
    gsize len = 0;
    GError *gerr = NULL;

    if (ms->kernel) {
        if (!g_file_get_contents(ms->kernel, &data, &len, &gerr)) {
            *errp = g_strdup_printf("could not load kernel '%s': %s", ms->kernel, gerr->message);
            g_error_free(gerr);
            return false;
        }
        if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
            /* Refuse other architectures before any segment lands in RAM. */
            if (len < 20 || data[4] != 1 || data[5] != 1 || data[18] != 40 || data[19] != 0) {
                *errp = g_strdup_printf("could not load kernel '%s': not a 32-bit little-endian "
                                        "ARM ELF image",
                                        ms->kernel);
                g_free(data);
                return false;
            }
            LoadedElf elf;
            bool ok = loader_load_elf_buffer(ms->as, data, len, ms->kernel, virt_identity, NULL,
                                             &elf, errp);
            g_free(data);
            if (!ok) {
                return false;
            }
            if (elf.machine != 40 || elf.is_64bit || elf.big_endian) {
                *errp = g_strdup_printf("could not load kernel '%s': not a 32-bit little-endian "
                                        "ARM ELF image",
                                        ms->kernel);
                return false;
            }
            s->entry = (uint32_t)elf.entry;
            kernel_end = elf.high;
        } else {
            /* zImage (magic at 0x24) or a raw Image: both run from RAM + 0x8000. */
            uint64_t at = VIRT_RAM_BASE + KERNEL_OFFSET;
            bool ok = virt_write_ram(s, at, data, len, "kernel", errp);
            g_free(data);
            if (!ok) {
                return false;
            }
            s->entry = (uint32_t)at;
            kernel_end = at + len;
        }
    } else {
        s->entry = VIRT_FLASH_BASE;
    }

    /* The initrd goes well above the kernel, where neither the zImage's
     * decompressed kernel nor its relocated self reaches; the DTB after it. */
    uint64_t initrd_start = 0, initrd_end = 0;
    uint64_t place = VIRT_RAM_BASE + MIN(ms->ram_size / 2, 128u << 20);
    if (place < kernel_end) {
        place = (kernel_end + 0xfff) & ~0xfffull;
    }
    if (ms->initrd) {
        if (!g_file_get_contents(ms->initrd, &data, &len, &gerr)) {
            *errp = g_strdup_printf("could not load initrd '%s': %s", ms->initrd, gerr->message);
            g_error_free(gerr);
            return false;
        }
        bool ok = virt_write_ram(s, place, data, len, "initrd", errp);
        g_free(data);
        if (!ok) {
            return false;
        }
        initrd_start = place;
        initrd_end = place + len;
        place = (initrd_end + 0xfff) & ~0xfffull;
    }

    void *blob;
    size_t blob_len;
    if (ms->dtb) {
        if (!g_file_get_contents(ms->dtb, &data, &len, &gerr)) {
            *errp = g_strdup_printf("could not load device tree '%s': %s", ms->dtb, gerr->message);
            g_error_free(gerr);
            return false;
        }
        char *perr = NULL;
        blob = virt_dtb_patch_chosen(data, len, ms->append, initrd_start, initrd_end, DTB_ROOM,
                                     &blob_len, &perr);
        g_free(data);
        if (!blob) {
            *errp = g_strdup_printf("could not load device tree '%s': %s", ms->dtb, perr);
            g_free(perr);
            return false;
        }
    } else {
        const char *model = ms->cpu_model ? ms->cpu_model : "cortex-a15";
        char *compat = g_strdup_printf("arm,%s", model);
        VirtDtbConfig cfg = {
            .ram_size = ms->ram_size,
            .smp = ms->smp,
            .cpu_compatible = compat,
            .bootargs = ms->append,
            .initrd_start = initrd_start,
            .initrd_end = initrd_end,
            .n_mmio = VIRT_MMIO_COUNT,
            .flash = ms->firmware != NULL,
            .rng_seed = true,
        };
        blob = virt_dtb_build(&cfg, DTB_ROOM, &blob_len);
        g_free(compat);
    }

    if (s->dumpdtb) {
        if (!g_file_set_contents(s->dumpdtb, blob, blob_len, &gerr)) {
            *errp = g_strdup_printf("could not write device tree to '%s': %s", s->dumpdtb,
                                    gerr->message);
            g_error_free(gerr);
            g_free(blob);
            return false;
        }
        g_free(blob);
        /* As QEMU: the dump is all that was asked for. */
        exit(0);
    }

    /* Without a kernel, firmware finds the DTB at the start of RAM. */
    uint64_t dtb_addr = ms->kernel ? (place + 7) & ~7ull : VIRT_RAM_BASE;
    if (dtb_addr + blob_len > ram_end || dtb_addr + blob_len > VIRT_RAM_BASE + DTB_MAX_OFFSET) {
        *errp = g_strdup_printf("no room for the device tree below 0x%" PRIx64
                                " after the kernel and initrd; use a larger -m or a smaller "
                                "initrd",
                                MIN(ram_end, (uint64_t)VIRT_RAM_BASE + DTB_MAX_OFFSET));
        g_free(blob);
        return false;
    }
    bool ok = virt_write_ram(s, dtb_addr, blob, blob_len, "device tree", errp);
    g_free(blob);
    if (!ok) {
        return false;
    }
    s->dtb_addr = (uint32_t)dtb_addr;
    return true;
}

static void virt_set_boot_cpus(VirtState *s)
{
    /* r0 = 0, r1 = ~0 (no machine type: device tree only), r2 = DTB. */
    arm_cpu_set_boot_state(s->cpus[0], s->entry, 0, 0xffffffffu, s->dtb_addr);
    arm_cpu_set_powered_off(s->cpus[0], false);
    /* Secondaries wait for PSCI CPU_ON. */
    for (int i = 1; i < s->ms->smp; i++) {
        arm_cpu_set_powered_off(s->cpus[i], true);
    }
}

static void virt_reset(MachineState *ms)
{
    VirtState *s = ms->board;
    char *err = NULL;
    if (!virt_load(s, &err)) {
        fprintf(stderr, "mimic: %s\n", err);
        g_free(err);
        vm_request_shutdown(1);
        return;
    }
    virt_set_boot_cpus(s);
}

/* ---- board -------------------------------------------------------------------- */

/* Options QEMU's virt takes that scripts pass out of habit: accepted where they
 * describe this board, refused with a reason where they ask for what it lacks. */
static bool virt_check_known_option(const char *opt, int klen, const char *val, char **errp)
{
    static const struct {
        const char *key, *ours, *missing;
    } known[] = {
        {"highmem", NULL, NULL}, /* no RAM above 4 GiB either way (VIRT_RAM_MAX) */
        {"gic-version", "2", "only a GICv2"},
        {"secure", "off", "no EL3 (Security Extensions)"},
        {"virtualization", "off", "no EL2 (Virtualization Extensions)"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
        if ((int)strlen(known[i].key) != klen || strncmp(opt, known[i].key, klen)) {
            continue;
        }
        bool is_bool = !known[i].ours || !strcmp(known[i].ours, "off");
        bool valid = is_bool ? !strcmp(val, "on") || !strcmp(val, "off") : *val != 0;
        if (!valid) {
            *errp = g_strdup_printf("virt: bad value '%s' for '%s'", val, known[i].key);
            return false;
        }
        if (known[i].ours && strcmp(val, known[i].ours)) {
            *errp = g_strdup_printf("virt: %s=%s is not supported: this board has %s", known[i].key,
                                    val, known[i].missing);
            return false;
        }
        return true;
    }
    *errp = g_strdup_printf("Property 'virt-machine.%.*s' not found", klen, opt);
    return false;
}

static bool virt_check_options(VirtState *s, char **errp)
{
    MachineState *ms = s->ms;
    for (char **o = ms->machine_opts; o && *o; o++) {
        const char *val = strchr(*o, '=');
        int klen = val ? (int)(val - *o) : (int)strlen(*o);
        val = val ? val + 1 : "";
        if (klen == 7 && !strncmp(*o, "dumpdtb", 7)) {
            if (!*val) {
                *errp = g_strdup("virt: dumpdtb needs a file name (dumpdtb=FILE)");
                return false;
            }
            s->dumpdtb = val;
        } else if (!virt_check_known_option(*o, klen, val, errp)) {
            return false;
        }
    }
    if (ms->ram_size > VIRT_RAM_MAX) {
        *errp = g_strdup_printf("at most %" PRIu64 " MiB of RAM are supported on virt without "
                                "LPAE highmem (asked for %" PRIu64 " MiB)",
                                (uint64_t)(VIRT_RAM_MAX >> 20), ms->ram_size >> 20);
        return false;
    }
    if (ms->smp < 1 || ms->smp > VIRT_MAX_CPUS) {
        *errp = g_strdup_printf("Invalid SMP CPUs %d. The max CPUs supported by machine 'virt' "
                                "is %d",
                                ms->smp, VIRT_MAX_CPUS);
        return false;
    }
    if (!ms->kernel && !ms->firmware && !s->dumpdtb) {
        *errp = g_strdup("virt needs a kernel (-kernel) or firmware (-bios)");
        return false;
    }
    /* virtio-mmio only: the -pci spellings are refused as on a QEMU board without PCI. */
    if (!virtio_check_device_buses(ms->devices, ms->n_devices, false, true, errp)) {
        return false;
    }
    for (int i = 0; i < ms->n_drives; i++) {
        DriveOptions opts;
        if (!drive_parse(ms->drives[i], &opts, errp)) {
            return false;
        }
        DriveInterface iface = opts.iface;
        drive_options_clear(&opts);
        if (iface != DRIVE_IF_DEFAULT && iface != DRIVE_IF_VIRTIO && iface != DRIVE_IF_NONE) {
            *errp = g_strdup_printf("machine virt does not support -drive if=%s",
                                    drive_interface_name(iface));
            return false;
        }
    }
    return true;
}

static void virt_init(MachineState *ms, char **errp)
{
    VirtState *s = g_new0(VirtState, 1);
    s->ms = ms;
    ms->board = s;
    if (!virt_check_options(s, errp)) {
        return;
    }

    const char *model = ms->cpu_model ? ms->cpu_model : "cortex-a15";
    /* The device tree promises the generic timer, which the A9 lacks (as QEMU's
     * virt, which refuses it too). Other names go to cpu_create's own error. */
    if (!strcmp(model, "cortex-a9")) {
        *errp = g_strdup_printf("virt: CPU type %s not supported (no generic timer; use "
                                "cortex-a15 or cortex-a7)",
                                model);
        return;
    }
    for (int i = 0; i < ms->smp; i++) {
        s->cpus[i] = cpu_create(model, ms->as, errp);
        if (!s->cpus[i]) {
            return;
        }
        arm_cpu_set_mpidr(s->cpus[i], 0, (uint32_t)i);
        arm_cpu_enable_psci(s->cpus[i]);
    }

    if (ms->mem_path) {
        s->ram = memory_region_new_ram_file("virt.ram", ms->ram_size, ms->mem_path, errp);
        if (!s->ram) {
            return;
        }
    } else {
        s->ram = memory_region_new_ram("virt.ram", ms->ram_size);
    }
    memory_region_add_subregion(ms->sysmem, VIRT_RAM_BASE, s->ram);

    s->gic = gic_new(ms->sysmem, VIRT_GIC_DIST_BASE, VIRT_GIC_CPU_BASE, ms->smp, VIRT_NUM_IRQ,
                     virt_cpu_index, s);
    for (int i = 0; i < ms->smp; i++) {
        qemu_irq *in = arm_cpu_irq_inputs(s->cpus[i]);
        gic_connect_cpu(s->gic, i, in[0], in[1]);
        arm_cpu_set_timer_outputs(s->cpus[i], gic_ppi(s->gic, i, 16 + VIRT_TIMER_PHYS_PPI),
                                  gic_ppi(s->gic, i, 16 + VIRT_TIMER_VIRT_PPI),
                                  gic_ppi(s->gic, i, 16 + VIRT_TIMER_HYP_PPI),
                                  gic_ppi(s->gic, i, 16 + VIRT_TIMER_SEC_PPI));
    }
    s->uart = pl011_new(ms->sysmem, VIRT_UART_BASE, gic_spi(s->gic, VIRT_UART_SPI),
                        ms->n_serial > 0 ? ms->serial[0] : NULL);
    s->rtc = pl031_new(ms->sysmem, VIRT_RTC_BASE, gic_spi(s->gic, VIRT_RTC_SPI));

    for (int i = 0; i < VIRT_MMIO_COUNT; i++) {
        s->mmio[i] = virtio_mmio_new(ms->sysmem, VIRT_MMIO_BASE + (uint64_t)i * VIRT_MMIO_STRIDE,
                                     gic_spi(s->gic, VIRT_MMIO_SPI + i), ms->as, false);
    }
    VirtioMachineConfig vcfg = {
        .drives = ms->drives,
        .n_drives = ms->n_drives,
        .netdevs = ms->netdevs,
        .n_netdevs = ms->n_netdevs,
        .devices = ms->devices,
        .n_devices = ms->n_devices,
        .default_if_virtio = true,
        .console_chr = ms->n_serial > 1 ? ms->serial[1] : NULL,
        .plug = virt_plug,
        .opaque = s,
    };
    /* Also with dumpdtb: QEMU checks -device and -drive before it writes the tree. */
    if (!virtio_machine_setup(&vcfg, errp)) {
        return;
    }

    if (ms->firmware) {
        s->flash = memory_region_new_rom("virt.flash", VIRT_FLASH_SIZE);
        memory_region_add_subregion(ms->sysmem, VIRT_FLASH_BASE, s->flash);
        uint64_t size;
        if (!loader_load_raw(ms->as, ms->firmware, VIRT_FLASH_BASE, VIRT_FLASH_SIZE, &size, errp)) {
            return;
        }
    }
    if (!virt_load(s, errp)) {
        return;
    }
    virt_set_boot_cpus(s);
}

/* Listed in hw/boards.c. */
extern const MachineClass virt_machine;
const MachineClass virt_machine = {
    .name = "virt",
    .desc = "ARM Virtual Machine (GICv2, PL011, PL031, virtio-mmio, PSCI)",
    .arch = "arm",
    .default_cpu = "cortex-a15",
    .default_ram = 512u << 20,
    .max_cpus = VIRT_MAX_CPUS,
    .init = virt_init,
    .reset = virt_reset,
};
