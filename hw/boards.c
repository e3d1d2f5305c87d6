/*
 * The explicit table of machines (system/machine.h). Each board lives in its
 * own file under hw/<arch>/ and is listed here; -M picks one by name.
 */
#include "block/block-io.h"
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
        *errp = g_strdup_printf("-device %s: machine 'none' has no bus for device '%.*s'",
                                ms->devices[i], (int)strcspn(ms->devices[i], ","), ms->devices[i]);
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

int machine_console_serial_index(const MachineClass *mc)
{
    /* Each board passes serial[its number of UARTs] to virtio_machine_setup
     * as the console's backend. */
    static const struct {
        const char *board;
        int slot;
    } slots[] = {{"malta", 3}, {"virt", 1}, {"microvm", 1}};
    for (size_t i = 0; i < G_N_ELEMENTS(slots); i++) {
        if (!strcmp(mc->name, slots[i].board)) {
            return slots[i].slot;
        }
    }
    return -1;
}
