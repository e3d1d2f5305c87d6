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
     * virtio-serial-device -device virtconsole". Ours is one single-port
     * device, so the pair makes one device. */
    bool have_serial_bus = false;
    for (int i = 0; i < cfg->n_devices; i++) {
        have_serial_bus |= g_str_has_prefix(cfg->devices[i], "virtio-serial");
    }
    for (int i = 0; i < cfg->n_devices; i++) {
        bool handled;
        if (have_serial_bus && (!strcmp(cfg->devices[i], "virtconsole") ||
                                g_str_has_prefix(cfg->devices[i], "virtconsole,"))) {
            continue;
        }
        VirtIODevice *vdev =
            virtio_device_from_option(cfg->devices[i], (Drive **)none_drives->pdata,
                                      none_drives->len, cfg->console_chr, &handled, errp);
        if (!handled) {
            continue;
        }
        if (!vdev || !machine_plug(cfg, vdev, errp)) {
            goto out;
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
