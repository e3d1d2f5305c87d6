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
#include "system/chardev.h"

typedef enum { KIND_NONE, KIND_BLK, KIND_NET, KIND_RNG, KIND_CONSOLE } VirtioKind;

/* Every name -device takes, in `-device help` order within a category. bus
 * says which boards list it (QEMU's bus names); names without `help` are
 * accepted spellings QEMU does not list. */
typedef struct VirtioDeviceName {
    const char *name;
    VirtioKind kind;
    const char *bus;       /* "PCI", "virtio-bus", "virtio-serial-bus" or NULL */
    VirtioDeviceBus needs; /* what a board must have to take it */
    const char *alias;
    const char *desc;
} VirtioDeviceName;

static const VirtioDeviceName virtio_names[] = {
    {"virtio-blk-device", KIND_BLK, "virtio-bus", VIRTIO_DEVICE_BUS_MMIO, NULL,
     "virtio block device"},
    {"virtio-blk-pci", KIND_BLK, "PCI", VIRTIO_DEVICE_BUS_PCI, "virtio-blk", "virtio block device"},
    {"virtio-blk", KIND_BLK, NULL, VIRTIO_DEVICE_BUS_ANY, NULL, NULL},
    {"virtio-net-device", KIND_NET, "virtio-bus", VIRTIO_DEVICE_BUS_MMIO, NULL,
     "virtio network device"},
    {"virtio-net-pci", KIND_NET, "PCI", VIRTIO_DEVICE_BUS_PCI, "virtio-net",
     "virtio network device"},
    {"virtio-net", KIND_NET, NULL, VIRTIO_DEVICE_BUS_ANY, NULL, NULL},
    {"virtio-rng-device", KIND_RNG, "virtio-bus", VIRTIO_DEVICE_BUS_MMIO, NULL,
     "virtio entropy source"},
    {"virtio-rng-pci", KIND_RNG, "PCI", VIRTIO_DEVICE_BUS_PCI, "virtio-rng",
     "virtio entropy source"},
    {"virtio-rng", KIND_RNG, NULL, VIRTIO_DEVICE_BUS_ANY, NULL, NULL},
    {"virtconsole", KIND_CONSOLE, "virtio-serial-bus", VIRTIO_DEVICE_BUS_ANY, NULL,
     "virtio console port (hvcN)"},
    {"virtio-serial-device", KIND_CONSOLE, "virtio-bus", VIRTIO_DEVICE_BUS_MMIO, NULL,
     "virtio serial bus"},
    {"virtio-serial-pci", KIND_CONSOLE, "PCI", VIRTIO_DEVICE_BUS_PCI, "virtio-serial",
     "virtio serial bus"},
    {"virtio-serial", KIND_CONSOLE, NULL, VIRTIO_DEVICE_BUS_ANY, NULL, NULL},
    {"virtio-console-device", KIND_CONSOLE, NULL, VIRTIO_DEVICE_BUS_MMIO, NULL, NULL},
};

/* The table's row for a -device spec ("name[,props]"), or NULL. */
static const VirtioDeviceName *virtio_name_find(const char *spec)
{
    size_t len = strcspn(spec, ",");
    for (size_t i = 0; i < G_N_ELEMENTS(virtio_names); i++) {
        if (strlen(virtio_names[i].name) == len && !strncmp(spec, virtio_names[i].name, len)) {
            return &virtio_names[i];
        }
    }
    return NULL;
}

static VirtioKind virtio_kind(const char *spec)
{
    const VirtioDeviceName *n = virtio_name_find(spec);
    return n ? n->kind : KIND_NONE;
}

bool virtio_device_name_known(const char *spec)
{
    return virtio_kind(spec) != KIND_NONE;
}

VirtioDeviceBus virtio_device_bus(const char *spec)
{
    const VirtioDeviceName *n = virtio_name_find(spec);
    return n ? n->needs : VIRTIO_DEVICE_BUS_UNKNOWN;
}

/* The id options.c gives the NICs -nic and -net nic make: "_nicN" or "_netN"
 * (up to the next ','). */
static bool virtio_id_is_nic_tag(const char *id)
{
    size_t len = strcspn(id, ",");
    if (len < 5 || (strncmp(id, "_nic", 4) && strncmp(id, "_net", 4))) {
        return false;
    }
    for (size_t i = 4; i < len; i++) {
        if (!g_ascii_isdigit(id[i])) {
            return false;
        }
    }
    return true;
}

/* QEMU's identifiers: a letter, then letters, digits, '-', '.' and '_'. */
static bool virtio_id_valid(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return virtio_id_is_nic_tag(id);
    }
    for (const char *c = id; *c; c++) {
        if (!g_ascii_isalnum(*c) && *c != '-' && *c != '.' && *c != '_') {
            return false;
        }
    }
    return true;
}

bool virtio_device_from_nic(const char *spec)
{
    const char *id = strstr(spec, ",id=");
    return virtio_kind(spec) == KIND_NET && id && virtio_id_is_nic_tag(id + 4);
}

bool virtio_check_device_buses(char *const *devices, int n_devices, bool pci, bool mmio,
                               char **errp)
{
    for (int i = 0; i < n_devices; i++) {
        const char *spec = devices[i];
        int len = (int)strcspn(spec, ",");
        VirtioDeviceBus bus = virtio_device_bus(spec);
        if (bus == VIRTIO_DEVICE_BUS_UNKNOWN) {
            return true;
        }
        if ((bus == VIRTIO_DEVICE_BUS_PCI && !pci) || (bus == VIRTIO_DEVICE_BUS_MMIO && !mmio)) {
            /* QEMU checks a NIC model against the board's list before any
             * bus, and says so without naming the option. */
            if (virtio_device_from_nic(spec)) {
                *errp = g_strdup_printf("Unsupported NIC model: %.*s", len, spec);
            } else {
                *errp =
                    g_strdup_printf("-device %s: No '%s' bus found for device '%.*s'", spec,
                                    bus == VIRTIO_DEVICE_BUS_PCI ? "PCI" : "virtio-bus", len, spec);
            }
            return false;
        }
    }
    return true;
}

bool virtio_device_is_console_port(const char *spec)
{
    return strcspn(spec, ",") == strlen("virtconsole") && g_str_has_prefix(spec, "virtconsole");
}

bool virtio_device_is_serial_bus(const char *spec)
{
    return !virtio_device_is_console_port(spec) && virtio_kind(spec) == KIND_CONSOLE;
}

void virtio_device_print_help(FILE *f, bool pci, bool mmio)
{
    static const struct {
        VirtioKind kind;
        const char *title;
    } categories[] = {{KIND_BLK, "Storage devices:"},
                      {KIND_NET, "Network devices:"},
                      {KIND_CONSOLE, "Input devices:"},
                      {KIND_RNG, "Misc devices:"}};
    bool first = true;
    for (size_t c = 0; c < G_N_ELEMENTS(categories); c++) {
        bool titled = false;
        for (size_t i = 0; i < G_N_ELEMENTS(virtio_names); i++) {
            const VirtioDeviceName *n = &virtio_names[i];
            if (n->kind != categories[c].kind || !n->bus) {
                continue;
            }
            /* A console port sits on a serial bus, which either transport
             * carries. */
            bool on_pci = !strcmp(n->bus, "PCI");
            if (on_pci ? !pci : !(mmio || !strcmp(n->bus, "virtio-serial-bus"))) {
                continue;
            }
            if (!titled) {
                fprintf(f, "%s%s\n", first ? "" : "\n", categories[c].title);
                titled = true;
                first = false;
            }
            fprintf(f, "name \"%s\", bus %s", n->name, n->bus);
            if (n->alias) {
                fprintf(f, ", alias \"%s\"", n->alias);
            }
            fprintf(f, ", desc \"%s\"\n", n->desc);
        }
    }
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
    const char *drive_id = NULL, *netdev_name = NULL, *mac_str = NULL, *chardev_id = NULL;
    for (char **p = parts + 1; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq) {
            *errp = g_strdup_printf("-device %s: Invalid parameter '%s'", spec, *p);
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
        } else if (kind == KIND_CONSOLE && !strcmp(key, "chardev")) {
            chardev_id = val;
        } else if (!strcmp(key, "id") && !virtio_id_valid(val)) {
            /* QEMU's two lines, the second one without the program's name. */
            *errp = g_strdup_printf("-device %s: Parameter 'id' expects an identifier\n"
                                    "Identifiers consist of letters, digits, '-', '.', '_', "
                                    "starting with a letter.",
                                    spec);
            goto out;
        } else if (!strcmp(key, "id") || !strcmp(key, "bus") || !strcmp(key, "addr") ||
                   (kind == KIND_CONSOLE && !strcmp(key, "name"))) {
            /* Placement and naming: the board decides. */
        } else {
            *errp = g_strdup_printf("-device %s: Property '%s.%s' not found", spec, driver, key);
            goto out;
        }
    }
    switch (kind) {
    case KIND_BLK: {
        if (!drive_id) {
            *errp = g_strdup_printf("-device %s: drive property not set", spec);
            goto out;
        }
        Drive *drv = NULL;
        for (int i = 0; i < n_drives; i++) {
            if (drives[i] && drives[i]->opts.id && !strcmp(drives[i]->opts.id, drive_id)) {
                drv = drives[i];
            }
        }
        if (!drv) {
            *errp = g_strdup_printf("-device %s: Property '%s.drive' can't find value '%s'", spec,
                                    driver, drive_id);
            goto out;
        }
        vdev = virtio_blk_new(drv, errp);
        break;
    }
    case KIND_NET: {
        NetDev *nd = NULL;
        uint8_t mac[6];
        if (netdev_name && !(nd = netdev_find(netdev_name))) {
            *errp = g_strdup_printf("-device %s: Property '%s.netdev' can't find value '%s'", spec,
                                    driver, netdev_name);
            goto out;
        }
        if (mac_str && !net_parse_mac(mac_str, mac)) {
            *errp = g_strdup_printf("-device %s: Property '%s.mac' doesn't take value '%s'", spec,
                                    driver, mac_str);
            goto out;
        }
        vdev = virtio_net_new(nd, mac_str ? mac : NULL, errp);
        break;
    }
    case KIND_RNG: vdev = virtio_rng_new(); break;
    case KIND_CONSOLE: {
        /* A backend the option names itself wins over the board's serial
         * slot; it is taken here, so a second user of a non-mux chardev is
         * refused by chardev_take. */
        Chardev *chr = console_chr;
        if (chardev_id) {
            char *err = NULL;
            chr = chardev_take(chardev_id, &err);
            if (!chr) {
                *errp = g_strdup_printf("-device %s: %s", spec, err);
                g_free(err);
                goto out;
            }
        }
        vdev = virtio_console_new(chr);
        break;
    }
    case KIND_NONE: break;
    }
out:
    g_strfreev(parts);
    return vdev;
}
