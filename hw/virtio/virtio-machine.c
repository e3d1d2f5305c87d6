/*
 * Board glue: turns -netdev, -drive if=virtio|none and virtio -device options
 * into devices handed to the board's transports (virtio_machine_setup).
 */
#include <glib.h>
#include <string.h>

#include "block/block-io.h"
#include "hw/net/net.h"
#include "hw/virtio/virtio.h"

static GPtrArray *machine_drives; /* Drive * opened here */

static bool machine_plug(const VirtioMachineConfig *cfg, VirtIODevice *vdev, char **errp)
{
    if (!cfg->plug(cfg->opaque, vdev, errp)) {
        virtio_free(vdev);
        return false;
    }
    return true;
}

bool virtio_machine_setup(const VirtioMachineConfig *cfg, char **errp)
{
    for (int i = 0; i < cfg->n_devices; i++) {
        if (!virtio_device_name_known(cfg->devices[i])) {
            *errp = g_strdup_printf("-device %s: '%.*s' is not a valid device model name",
                                    cfg->devices[i], (int)strcspn(cfg->devices[i], ","),
                                    cfg->devices[i]);
            return false;
        }
    }
    if (!machine_drives) {
        machine_drives = g_ptr_array_new();
    }
    for (int i = 0; i < cfg->n_netdevs; i++) {
        if (!netdev_new(cfg->netdevs[i], errp)) {
            return false;
        }
    }
    GPtrArray *none_drives = g_ptr_array_new();
    bool ok = false;
    for (int i = 0; i < cfg->n_drives; i++) {
        DriveOptions opts;
        if (!drive_parse(cfg->drives[i], &opts, errp)) {
            goto out;
        }
        bool as_virtio = opts.iface == DRIVE_IF_VIRTIO ||
                         (opts.iface == DRIVE_IF_DEFAULT && cfg->default_if_virtio);
        if (!as_virtio && opts.iface != DRIVE_IF_NONE) {
            drive_options_clear(&opts);
            continue;
        }
        Drive *d = drive_open(&opts, errp);
        drive_options_clear(&opts);
        if (!d) {
            goto out;
        }
        g_ptr_array_add(machine_drives, d);
        if (!as_virtio) {
            g_ptr_array_add(none_drives, d);
            continue;
        }
        VirtIODevice *vdev = virtio_blk_new(d, errp);
        if (!vdev || !machine_plug(cfg, vdev, errp)) {
            goto out;
        }
    }
    /* QEMU spells a console as a port on a serial bus: "-device
     * virtio-serial-device -device virtconsole,chardev=c0". Our console
     * device has one port, so each virtconsole becomes a device of its own
     * (Linux numbers them hvc0, hvc1, ...) and the bus alone adds nothing;
     * a bus without ports is one console, as before ports existed. */
    int n_ports = 0, n_buses = 0;
    for (int i = 0; i < cfg->n_devices; i++) {
        n_ports += virtio_device_is_console_port(cfg->devices[i]);
        n_buses += virtio_device_is_serial_bus(cfg->devices[i]);
    }
    Chardev *slot_chr = cfg->console_chr; /* for the first console without chardev= */
    for (int i = 0; i < cfg->n_devices; i++) {
        const char *spec = cfg->devices[i];
        if (n_ports && !n_buses && virtio_device_is_console_port(spec)) {
            *errp = g_strdup_printf("-device %s: No 'virtio-serial-bus' bus found for device "
                                    "'virtconsole'",
                                    spec);
            goto out;
        }
        bool names_chardev = strstr(spec, ",chardev=") != NULL;
        if (n_ports && virtio_device_is_serial_bus(spec) && !names_chardev) {
            continue;
        }
        bool console = virtio_device_is_console_port(spec) || virtio_device_is_serial_bus(spec);
        bool handled;
        VirtIODevice *vdev = virtio_device_from_option(spec, (Drive **)none_drives->pdata,
                                                       none_drives->len, slot_chr, &handled, errp);
        if (!handled) {
            continue; /* refused above */
        }
        if (!vdev || !machine_plug(cfg, vdev, errp)) {
            goto out;
        }
        if (console && !names_chardev) {
            slot_chr = NULL;
        }
    }
    ok = true;
out:
    g_ptr_array_free(none_drives, true);
    return ok;
}

void virtio_machine_close_drives(void)
{
    if (!machine_drives) {
        return;
    }
    for (guint i = 0; i < machine_drives->len; i++) {
        drive_close(g_ptr_array_index(machine_drives, i));
    }
    g_ptr_array_set_size(machine_drives, 0);
}
