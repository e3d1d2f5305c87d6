/*
 * The explicit table of machines (system/machine.h). Each board lives in its
 * own file under hw/<arch>/ and is listed here; -M picks one by name.
 */
#include "block/block-io.h"
#include "hw/virtio/virtio.h"
#include "system/machine.h"

#include <glib.h>
#include <string.h>

/* "none": no CPU and no devices, only RAM at address 0. Useful to test the
 * system layer (main loop, monitor, character backends) on its own. */
static void none_machine_init(MachineState *ms, char **errp)
{
    for (char **o = ms->machine_opts; o && *o; o++) {
        *errp =
            g_strdup_printf("Property 'none-machine.%.*s' not found", (int)strcspn(*o, "="), *o);
        return;
    }
    if (ms->cpu_model) {
        /* No CPU models exist for this machine: it has no CPU at all. */
        *errp = g_strdup_printf("unable to find CPU model '%s'", ms->cpu_model);
        return;
    }
    if (ms->kernel) {
        *errp = g_strdup("the none machine cannot boot a kernel (-kernel)");
        return;
    }
    /* Nothing here could use a disk or a device: say so rather than
     * silently run without them. A drive of its own (if=none) is opened, as
     * QEMU does, so a bad image is still reported. */
    for (int i = 0; i < ms->n_devices; i++) {
        const char *spec = ms->devices[i];
        int len = strcspn(spec, ",");
        if (!virtio_device_name_known(spec)) {
            *errp = g_strdup_printf("-device %s: '%.*s' is not a valid device model name", spec,
                                    len, spec);
        } else {
            *errp = g_strdup_printf("-device %s: machine 'none' has no bus for device '%.*s'", spec,
                                    len, spec);
        }
        return;
    }
    for (int i = 0; i < ms->n_drives; i++) {
        DriveOptions opts;
        if (!drive_parse(ms->drives[i], &opts, errp)) {
            return; /* the block layer's message names -drive itself */
        }
        if (opts.iface != DRIVE_IF_NONE) {
            *errp = g_strdup_printf("-drive %s: machine 'none' has no disk interface (only "
                                    "if=none)",
                                    ms->drives[i]);
        } else {
            drive_open(&opts, errp);
        }
        drive_options_clear(&opts);
        if (*errp) {
            return;
        }
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
    memory_region_add_subregion(ms->sysmem, 0, ram);
    ms->board = ram;
}

static const MachineClass none_machine = {
    .name = "none",
    .desc = "empty machine (RAM only, no CPU)",
    .arch = "none",
    .default_ram = 128 << 20,
    .max_cpus = 1,
    .init = none_machine_init,
};

/* Boards, each defined in its own file. */
extern const MachineClass virt_machine;
extern const MachineClass malta_machine, microvm_machine;

const MachineClass *const machine_table[] = {
    &none_machine,    &malta_machine, &virt_machine, /* hw/arm/virt.c */
    &microvm_machine, NULL,
};

void machine_print_device_help(const MachineClass *mc, FILE *f)
{
    /* Where each board plugs virtio devices: malta's PCI slots, virtio-mmio
     * transports on virt and microvm. No machine named: every device. */
    static const struct {
        const char *board;
        bool pci, mmio;
    } buses[] = {{"malta", true, false}, {"virt", false, true}, {"microvm", false, true}};
    bool pci = !mc, mmio = !mc;
    for (size_t i = 0; mc && i < G_N_ELEMENTS(buses); i++) {
        if (!strcmp(mc->name, buses[i].board)) {
            pci = buses[i].pci;
            mmio = buses[i].mmio;
        }
    }
    virtio_device_print_help(f, pci, mmio);
}
