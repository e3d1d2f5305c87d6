/*
 * The virtio PCI transport (virtio 1.2, 4.1), transitional: the legacy
 * register block in I/O BAR 0 for 0.9.5 drivers, and vendor capabilities
 * (common, notify, ISR, device config) in memory BAR 1 for modern drivers.
 * Interrupts are INTx only (no MSI-X).
 */
#include <glib.h>
#include <stddef.h>
#include <string.h>

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define VIRTIO_PCI_VENDOR               0x1af4
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))
#define VIRTIO_NO_VECTOR                0xffff

/* Legacy I/O BAR layout (no MSI-X). */
enum {
    LEG_HOST_FEATURES = 0x00,
    LEG_GUEST_FEATURES = 0x04,
    LEG_QUEUE_PFN = 0x08,
    LEG_QUEUE_NUM = 0x0c,
    LEG_QUEUE_SEL = 0x0e,
    LEG_QUEUE_NOTIFY = 0x10,
    LEG_STATUS = 0x12,
    LEG_ISR = 0x13,
    LEG_CONFIG = 0x14,
};

/* Modern common configuration structure. */
enum {
    COM_DFSELECT = 0x00,
    COM_DF = 0x04,
    COM_GFSELECT = 0x08,
    COM_GF = 0x0c,
    COM_MSIX = 0x10,
    COM_NUMQ = 0x12,
    COM_STATUS = 0x14,
    COM_CFGGEN = 0x15,
    COM_Q_SELECT = 0x16,
    COM_Q_SIZE = 0x18,
    COM_Q_MSIX = 0x1a,
    COM_Q_ENABLE = 0x1c,
    COM_Q_NOFF = 0x1e,
    COM_Q_DESCLO = 0x20,
    COM_Q_DESCHI = 0x24,
    COM_Q_AVAILLO = 0x28,
    COM_Q_AVAILHI = 0x2c,
    COM_Q_USEDLO = 0x30,
    COM_Q_USEDHI = 0x34,
    COM_Q_NDATA = 0x38,
    COM_Q_RESET = 0x3a,
};

/* Layout of the modern BAR. */
#define MODERN_COMMON   0x0000
#define MODERN_ISR      0x1000
#define MODERN_DEVICE   0x2000
#define MODERN_NOTIFY   0x3000
#define MODERN_SUB_SIZE 0x1000
#define MODERN_BAR_SIZE 0x4000
#define NOTIFY_MULT     4

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

struct VirtioPci {
    PCIDevice pci; /* first: the PCI core's reset reaches us through it */
    Device state;  /* virtio state for save/load */
    VirtIODevice *vdev;
    MemoryRegion *io_bar, *mem_bar;
    MemoryRegion *common, *isr, *device, *notify;
    uint32_t dfselect, gfselect;
    uint64_t guest_features;
    uint16_t queue_sel;
    char *name;
};

static void vpci_update_irq(void *opaque)
{
    VirtioPci *p = opaque;
    pci_set_irq(&p->pci, p->vdev->isr != 0);
}

static VirtQueue *vpci_vq(VirtioPci *p)
{
    return p->queue_sel < p->vdev->num_queues ? &p->vdev->vq[p->queue_sel] : NULL;
}

static void vpci_reset_transport(VirtioPci *p)
{
    p->dfselect = p->gfselect = 0;
    p->guest_features = 0;
    p->queue_sel = 0;
}

/* ---- legacy I/O BAR ------------------------------------------------------- */

static uint64_t legacy_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioPci *p = opaque;
    VirtIODevice *vdev = p->vdev;
    if (addr >= LEG_CONFIG) {
        return virtio_config_read(vdev, addr - LEG_CONFIG, size);
    }
    VirtQueue *vq = vpci_vq(p);
    switch (addr) {
    case LEG_HOST_FEATURES: return (uint32_t)vdev->host_features;
    case LEG_GUEST_FEATURES: return (uint32_t)vdev->guest_features;
    case LEG_QUEUE_PFN: return vq ? vq->legacy_pfn : 0;
    case LEG_QUEUE_NUM: return vq ? vq->num : 0;
    case LEG_QUEUE_SEL: return p->queue_sel;
    case LEG_STATUS: return vdev->status;
    case LEG_ISR: return virtio_isr_read_clear(vdev);
    }
    return 0;
}

static void legacy_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtioPci *p = opaque;
    VirtIODevice *vdev = p->vdev;
    if (addr >= LEG_CONFIG) {
        virtio_config_write(vdev, addr - LEG_CONFIG, val, size);
        return;
    }
    VirtQueue *vq = vpci_vq(p);
    switch (addr) {
    case LEG_GUEST_FEATURES: virtio_set_features(vdev, (uint32_t)val); break;
    case LEG_QUEUE_PFN:
        if (vq) {
            vq->legacy_pfn = val;
            virtio_queue_set_legacy_addr(vdev, p->queue_sel, (uint64_t)(uint32_t)val << 12, 4096);
        }
        break;
    case LEG_QUEUE_SEL: p->queue_sel = val; break;
    case LEG_QUEUE_NOTIFY: virtio_queue_notify(vdev, val & 0xffff); break;
    case LEG_STATUS:
        if ((val & 0xff) == 0) {
            vpci_reset_transport(p);
        }
        virtio_set_status(vdev, val);
        break;
    default: hw_log_guest_error("virtio-pci: legacy write of 0x%" G_GINT64_MODIFIER "x\n", addr);
    }
}

static const MemoryRegionOps legacy_ops = {
    .read = legacy_read,
    .write = legacy_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

/* ---- modern capabilities ----------------------------------------------- */

static void set_half(uint64_t *f, bool high, uint32_t v)
{
    *f = high ? ((*f & 0xffffffffull) | (uint64_t)v << 32) : ((*f & ~0xffffffffull) | v);
}

static uint64_t common_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioPci *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_vq(p);
    switch (addr) {
    case COM_DFSELECT: return p->dfselect;
    case COM_DF: return p->dfselect < 2 ? (uint32_t)(vdev->host_features >> (32 * p->dfselect)) : 0;
    case COM_GFSELECT: return p->gfselect;
    case COM_GF: return p->gfselect < 2 ? (uint32_t)(p->guest_features >> (32 * p->gfselect)) : 0;
    case COM_MSIX: return VIRTIO_NO_VECTOR;
    case COM_NUMQ: return vdev->num_queues;
    case COM_STATUS: return vdev->status;
    case COM_CFGGEN: return vdev->config_generation & 0xff;
    case COM_Q_SELECT: return p->queue_sel;
    case COM_Q_SIZE: return vq ? vq->num : 0;
    case COM_Q_MSIX: return VIRTIO_NO_VECTOR;
    case COM_Q_ENABLE: return vq ? vq->ready : 0;
    case COM_Q_NOFF: return p->queue_sel;
    case COM_Q_DESCLO:
    case COM_Q_DESCHI: return vq ? (uint32_t)(vq->desc >> (addr == COM_Q_DESCHI ? 32 : 0)) : 0;
    case COM_Q_AVAILLO:
    case COM_Q_AVAILHI: return vq ? (uint32_t)(vq->avail >> (addr == COM_Q_AVAILHI ? 32 : 0)) : 0;
    case COM_Q_USEDLO:
    case COM_Q_USEDHI: return vq ? (uint32_t)(vq->used >> (addr == COM_Q_USEDHI ? 32 : 0)) : 0;
    }
    return 0;
}

static void common_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtioPci *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = vpci_vq(p);
    bool vq_writable = vq && !vq->ready;
    switch (addr) {
    case COM_DFSELECT: p->dfselect = val; break;
    case COM_GFSELECT: p->gfselect = val; break;
    case COM_GF:
        if (p->gfselect < 2) {
            set_half(&p->guest_features, p->gfselect, val);
            virtio_set_features(vdev, p->guest_features);
        }
        break;
    case COM_STATUS:
        val &= 0xff;
        if (val == 0) {
            vpci_reset_transport(p);
        }
        if ((val & VIRTIO_STATUS_FEATURES_OK) && !(vdev->status & VIRTIO_STATUS_FEATURES_OK) &&
            !virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
            /* The modern interface needs VERSION_1. */
            val &= ~VIRTIO_STATUS_FEATURES_OK;
        }
        virtio_set_status(vdev, val);
        break;
    case COM_Q_SELECT: p->queue_sel = val; break;
    case COM_Q_SIZE:
        if (vq_writable) {
            if (val == 0 || val > vq->num_max || (val & (val - 1))) {
                hw_log_guest_error("virtio-pci: queue size %u not allowed\n", (unsigned)val);
            } else {
                vq->num = val;
            }
        }
        break;
    case COM_Q_ENABLE:
        if (vq && (val & 1)) {
            vq->ready = true;
        }
        break;
    case COM_Q_DESCLO:
    case COM_Q_DESCHI:
        if (vq_writable) {
            set_half(&vq->desc, addr == COM_Q_DESCHI, val);
        }
        break;
    case COM_Q_AVAILLO:
    case COM_Q_AVAILHI:
        if (vq_writable) {
            set_half(&vq->avail, addr == COM_Q_AVAILHI, val);
        }
        break;
    case COM_Q_USEDLO:
    case COM_Q_USEDHI:
        if (vq_writable) {
            set_half(&vq->used, addr == COM_Q_USEDHI, val);
        }
        break;
    case COM_MSIX:
    case COM_Q_MSIX:
    case COM_Q_RESET: break;
    default:
        hw_log_guest_error("virtio-pci: common config write of 0x%" G_GINT64_MODIFIER "x\n", addr);
    }
}

static const MemoryRegionOps common_ops = {
    .read = common_read,
    .write = common_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

static uint64_t isr_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioPci *p = opaque;
    return addr == 0 ? virtio_isr_read_clear(p->vdev) : 0;
}

static void isr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size) {}

static const MemoryRegionOps isr_ops = {
    .read = isr_read,
    .write = isr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

static uint64_t device_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioPci *p = opaque;
    return virtio_config_read(p->vdev, addr, size);
}

static void device_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtioPci *p = opaque;
    virtio_config_write(p->vdev, addr, val, size);
}

static const MemoryRegionOps device_ops = {
    .read = device_read,
    .write = device_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

static uint64_t notify_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

static void notify_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtioPci *p = opaque;
    virtio_queue_notify(p->vdev, addr / NOTIFY_MULT);
}

static const MemoryRegionOps notify_ops = {
    .read = notify_read,
    .write = notify_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

/* ---- config space -------------------------------------------------------- */

static uint8_t add_cap(PCIDevice *d, uint8_t pos, uint8_t prev, uint8_t type, uint32_t offset,
                       uint32_t length, bool notify)
{
    uint8_t len = notify ? 20 : 16;
    uint8_t *c = d->config + pos;
    c[0] = 0x09; /* vendor specific */
    c[1] = 0;
    c[2] = len;
    c[3] = type;
    c[4] = 1; /* BAR */
    c[5] = 0;
    pci_set_long(c + 8, offset);
    pci_set_long(c + 12, length);
    if (notify) {
        pci_set_long(c + 16, NOTIFY_MULT);
    }
    if (prev) {
        d->config[prev + 1] = pos;
    } else {
        d->config[PCI_CAPABILITY_LIST] = pos;
    }
    return pos + len;
}

static void vpci_pci_reset(PCIDevice *d)
{
    VirtioPci *p = (VirtioPci *)d;
    vpci_reset_transport(p);
    virtio_reset(p->vdev);
}

static void vpci_save(Device *dev, StateStream *s)
{
    VirtioPci *p = container_of(dev, VirtioPci, state);
    state_put_u32(s, p->dfselect);
    state_put_u32(s, p->gfselect);
    state_put_u64(s, p->guest_features);
    state_put_u16(s, p->queue_sel);
    virtio_save(p->vdev, s);
}

static bool vpci_load(Device *dev, StateStream *s)
{
    VirtioPci *p = container_of(dev, VirtioPci, state);
    return state_get_u32(s, &p->dfselect) && state_get_u32(s, &p->gfselect) &&
           state_get_u64(s, &p->guest_features) && state_get_u16(s, &p->queue_sel) &&
           virtio_load(p->vdev, s);
}

static const DeviceOps vpci_state_ops = {
    .type = "virtio-pci-state",
    .save = vpci_save,
    .load = vpci_load,
};

static uint32_t vpci_class(uint16_t id)
{
    switch (id) {
    case VIRTIO_ID_NET: return 0x020000;
    case VIRTIO_ID_BLOCK: return 0x010000;
    case VIRTIO_ID_CONSOLE: return 0x078000;
    default: return 0x00ff00;
    }
}

static uint16_t vpci_transitional_id(uint16_t id)
{
    switch (id) {
    case VIRTIO_ID_NET: return 0x1000;
    case VIRTIO_ID_BLOCK: return 0x1001;
    case VIRTIO_ID_CONSOLE: return 0x1003;
    case VIRTIO_ID_RNG: return 0x1005;
    default: return 0x1040 + id;
    }
}

VirtioPci *virtio_pci_new(PCIBus *bus, int devfn, VirtIODevice *vdev, AddressSpace *dma_as,
                          char **errp)
{
    if (devfn < 0) {
        for (int slot = 1; slot < 32; slot++) {
            if (!pci_bus_find_device(bus, PCI_DEVFN(slot, 0))) {
                devfn = PCI_DEVFN(slot, 0);
                break;
            }
        }
        if (devfn < 0) {
            *errp = g_strdup("virtio-pci: no free PCI slot");
            return NULL;
        }
    } else if (devfn >= 256 || pci_bus_find_device(bus, devfn)) {
        *errp = g_strdup_printf("virtio-pci: PCI slot %d.%d is taken", devfn >> 3, devfn & 7);
        return NULL;
    }
    VirtioPci *p = g_new0(VirtioPci, 1);
    p->vdev = vdev;
    p->name = g_strdup_printf("%s-pci@%02x.%x", vdev->ops->type, devfn >> 3, devfn & 7);
    vdev->dma_as = dma_as;
    vdev->transport.update_irq = vpci_update_irq;
    vdev->transport.opaque = p;

    PCIDevice *d = &p->pci;
    pci_device_init(d, bus, p->name, devfn, VIRTIO_PCI_VENDOR,
                    vpci_transitional_id(vdev->device_id), vpci_class(vdev->device_id), 0);
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, VIRTIO_PCI_VENDOR);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, vdev->device_id);
    d->config[PCI_INTERRUPT_PIN] = 1;
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    d->reset = vpci_pci_reset;
    d->opaque = p;

    uint64_t io_size = 32;
    while (io_size < LEG_CONFIG + vdev->ops->config_size) {
        io_size <<= 1;
    }
    p->io_bar = memory_region_new_io("virtio-pci-legacy", io_size, &legacy_ops, p);
    pci_register_bar(d, 0, PCI_BAR_IO, p->io_bar);

    p->mem_bar = memory_region_new_container("virtio-pci-modern", MODERN_BAR_SIZE);
    p->common = memory_region_new_io("virtio-pci-common", MODERN_SUB_SIZE, &common_ops, p);
    p->isr = memory_region_new_io("virtio-pci-isr", MODERN_SUB_SIZE, &isr_ops, p);
    p->device = memory_region_new_io("virtio-pci-device", MODERN_SUB_SIZE, &device_ops, p);
    p->notify = memory_region_new_io("virtio-pci-notify", MODERN_SUB_SIZE, &notify_ops, p);
    memory_region_add_subregion(p->mem_bar, MODERN_COMMON, p->common);
    memory_region_add_subregion(p->mem_bar, MODERN_ISR, p->isr);
    memory_region_add_subregion(p->mem_bar, MODERN_DEVICE, p->device);
    memory_region_add_subregion(p->mem_bar, MODERN_NOTIFY, p->notify);
    pci_register_bar(d, 1, PCI_BAR_MEM32, p->mem_bar);

    uint8_t pos = 0x40, prev = 0, next;
    next = add_cap(d, pos, prev, CAP_COMMON, MODERN_COMMON, 0x3c, false);
    prev = pos, pos = next;
    next = add_cap(d, pos, prev, CAP_ISR, MODERN_ISR, 1, false);
    prev = pos, pos = next;
    next = add_cap(d, pos, prev, CAP_DEVICE, MODERN_DEVICE,
                   vdev->ops->config_size ? vdev->ops->config_size : 4, false);
    prev = pos, pos = next;
    add_cap(d, pos, prev, CAP_NOTIFY, MODERN_NOTIFY, NOTIFY_MULT * VIRTIO_QUEUE_MAX, true);

    char *sid = g_strdup_printf("%s-state", p->name);
    device_register(&p->state, &vpci_state_ops, sid);
    g_free(sid);
    virtio_reset(vdev);
    return p;
}
