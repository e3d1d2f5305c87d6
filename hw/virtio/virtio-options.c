/*
 * -device parsing for virtio devices: turns "virtio-blk-device,drive=d0",
 * "virtio-net-pci,netdev=n0,mac=...", "virtio-rng-device", "virtconsole"...
 * into a device that a board then plugs into one of its transports.
 */
#include <glib.h>
#include <string.h>

#include "block/block-io.h"
#include "hw/net/net.h"
#include "hw/virtio/virtio.h"

typedef enum { KIND_NONE, KIND_BLK, KIND_NET, KIND_RNG, KIND_CONSOLE } VirtioKind;

static VirtioKind virtio_kind(const char *driver)
{
    static const struct {
        const char *name;
        VirtioKind kind;
    } names[] = {
        {"virtio-blk-device", KIND_BLK},
        {"virtio-blk-pci", KIND_BLK},
        {"virtio-blk", KIND_BLK},
        {"virtio-net-device", KIND_NET},
        {"virtio-net-pci", KIND_NET},
        {"virtio-net", KIND_NET},
        {"virtio-rng-device", KIND_RNG},
        {"virtio-rng-pci", KIND_RNG},
        {"virtio-rng", KIND_RNG},
        {"virtio-serial-device", KIND_CONSOLE},
        {"virtio-serial-pci", KIND_CONSOLE},
        {"virtio-serial", KIND_CONSOLE},
        {"virtconsole", KIND_CONSOLE},
        {"virtio-console-device", KIND_CONSOLE},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if (!strcmp(driver, names[i].name)) {
            return names[i].kind;
        }
    }
    return KIND_NONE;
}

VirtIODevice *virtio_device_from_option(const char *spec, Drive **drives, int n_drives,
                                        Chardev *console_chr, bool *handled, char **errp)
{
    char **parts = g_strsplit(spec, ",", -1);
    VirtIODevice *vdev = NULL;
    const char *driver = parts[0] ? parts[0] : "";
    VirtioKind kind = virtio_kind(driver);
    *handled = kind != KIND_NONE;
    if (kind == KIND_NONE) {
        g_strfreev(parts);
        return NULL;
    }
    const char *drive_id = NULL, *netdev_name = NULL, *mac_str = NULL;
    for (char **p = parts + 1; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq) {
            *errp = g_strdup_printf("-device %s: '%s' is not key=value", driver, *p);
            goto out;
        }
        *eq = 0;
        const char *key = *p, *val = eq + 1;
        if (kind == KIND_BLK && !strcmp(key, "drive")) {
            drive_id = val;
        } else if (kind == KIND_NET && !strcmp(key, "netdev")) {
            netdev_name = val;
        } else if (kind == KIND_NET && !strcmp(key, "mac")) {
            mac_str = val;
        } else if (!strcmp(key, "id") || !strcmp(key, "bus") || !strcmp(key, "addr") ||
                   !strcmp(key, "chardev") || !strcmp(key, "name")) {
            /* Placement and naming: the board decides. */
        } else {
            *errp = g_strdup_printf("-device %s: unknown property '%s'", driver, key);
            goto out;
        }
    }
    switch (kind) {
    case KIND_BLK: {
        if (!drive_id) {
            *errp = g_strdup_printf("-device %s: drive= is required", driver);
            goto out;
        }
        Drive *drv = NULL;
        for (int i = 0; i < n_drives; i++) {
            if (drives[i] && drives[i]->opts.id && !strcmp(drives[i]->opts.id, drive_id)) {
                drv = drives[i];
            }
        }
        if (!drv) {
            *errp = g_strdup_printf("-device %s: no drive with id '%s'", driver, drive_id);
            goto out;
        }
        vdev = virtio_blk_new(drv, errp);
        break;
    }
    case KIND_NET: {
        NetDev *nd = NULL;
        uint8_t mac[6];
        if (netdev_name && !(nd = netdev_find(netdev_name))) {
            *errp = g_strdup_printf("-device %s: no netdev with id '%s'", driver, netdev_name);
            goto out;
        }
        if (mac_str && !net_parse_mac(mac_str, mac)) {
            *errp = g_strdup_printf("-device %s: bad mac '%s'", driver, mac_str);
            goto out;
        }
        vdev = virtio_net_new(nd, mac_str ? mac : NULL, errp);
        break;
    }
    case KIND_RNG: vdev = virtio_rng_new(); break;
    case KIND_CONSOLE: vdev = virtio_console_new(console_chr); break;
    case KIND_NONE: break;
    }
out:
    g_strfreev(parts);
    return vdev;
}
