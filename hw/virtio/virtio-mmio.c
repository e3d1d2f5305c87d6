/*
 * The virtio-mmio transport (virtio 1.2, 4.2): a 0x200-byte register block,
 * version 2 (separate ring addresses, QueueReady) or legacy version 1
 * (GuestPageSize/QueuePFN), one level interrupt line.
 */
#include <glib.h>
#include <string.h>

#include "hw/virtio/virtio.h"

#define MMIO_MAGIC  0x74726976 /* "virt" */
#define MMIO_VENDOR 0x554d4551 /* "QEMU", what Linux guests commonly see */

enum {
    REG_MAGIC = 0x000,
    REG_VERSION = 0x004,
    REG_DEVICE_ID = 0x008,
    REG_VENDOR_ID = 0x00c,
    REG_DEVICE_FEATURES = 0x010,
    REG_DEVICE_FEATURES_SEL = 0x014,
    REG_DRIVER_FEATURES = 0x020,
    REG_DRIVER_FEATURES_SEL = 0x024,
    REG_GUEST_PAGE_SIZE = 0x028, /* legacy */
    REG_QUEUE_SEL = 0x030,
    REG_QUEUE_NUM_MAX = 0x034,
    REG_QUEUE_NUM = 0x038,
    REG_QUEUE_ALIGN = 0x03c, /* legacy */
    REG_QUEUE_PFN = 0x040,   /* legacy */
    REG_QUEUE_READY = 0x044,
    REG_QUEUE_NOTIFY = 0x050,
    REG_INTERRUPT_STATUS = 0x060,
    REG_INTERRUPT_ACK = 0x064,
    REG_STATUS = 0x070,
    REG_QUEUE_DESC_LOW = 0x080,
    REG_QUEUE_DESC_HIGH = 0x084,
    REG_QUEUE_DRIVER_LOW = 0x090,
    REG_QUEUE_DRIVER_HIGH = 0x094,
    REG_QUEUE_DEVICE_LOW = 0x0a0,
    REG_QUEUE_DEVICE_HIGH = 0x0a4,
    REG_SHM_SEL = 0x0ac,
    REG_SHM_LEN_LOW = 0x0b0,
    REG_SHM_LEN_HIGH = 0x0b4,
    REG_SHM_BASE_LOW = 0x0b8,
    REG_SHM_BASE_HIGH = 0x0bc,
    REG_CONFIG_GENERATION = 0x0fc,
    REG_CONFIG = 0x100,
};

struct VirtioMmio {
    Device dev;
    MemoryRegion *parent, *mr;
    qemu_irq irq;
    AddressSpace *dma_as;
    bool legacy;
    VirtIODevice *vdev;
    uint32_t host_features_sel, guest_features_sel;
    uint64_t guest_features; /* being written, 32 bits at a time */
    uint32_t guest_page_size;
    uint32_t queue_sel;
};

static void mmio_update_irq(void *opaque)
{
    VirtioMmio *t = opaque;
    irq_set(t->irq, t->vdev && t->vdev->isr != 0);
}

static VirtQueue *mmio_cur_vq(VirtioMmio *t)
{
    if (t->queue_sel >= (uint32_t)t->vdev->num_queues) {
        return NULL;
    }
    return &t->vdev->vq[t->queue_sel];
}

static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    VirtioMmio *t = opaque;
    VirtIODevice *vdev = t->vdev;

    if (addr >= REG_CONFIG) {
        return vdev ? virtio_config_read(vdev, addr - REG_CONFIG, size) : 0;
    }
    if (size != 4) {
        hw_log_guest_error("virtio-mmio: %u-byte read of register 0x%" G_GINT64_MODIFIER "x\n",
                           size, addr);
        return 0;
    }
    switch (addr) {
    case REG_MAGIC: return MMIO_MAGIC;
    case REG_VERSION: return t->legacy ? 1 : 2;
    case REG_DEVICE_ID: return vdev ? vdev->device_id : 0;
    case REG_VENDOR_ID: return MMIO_VENDOR;
    }
    if (!vdev) {
        return 0;
    }
    VirtQueue *vq = mmio_cur_vq(t);
    switch (addr) {
    case REG_DEVICE_FEATURES: {
        uint64_t f = vdev->host_features;
        if (t->legacy) {
            f &= ~(1ull << VIRTIO_F_VERSION_1);
        }
        return t->host_features_sel > 1 ? 0 : (uint32_t)(f >> (32 * t->host_features_sel));
    }
    case REG_QUEUE_NUM_MAX: return vq ? vq->num_max : 0;
    case REG_QUEUE_PFN: return t->legacy && vq ? vq->legacy_pfn : 0;
    case REG_QUEUE_READY: return !t->legacy && vq ? vq->ready : 0;
    case REG_INTERRUPT_STATUS: return vdev->isr;
    case REG_STATUS: return vdev->status;
    case REG_CONFIG_GENERATION: return vdev->config_generation;
    case REG_SHM_LEN_LOW:
    case REG_SHM_LEN_HIGH:
    case REG_SHM_BASE_LOW:
    case REG_SHM_BASE_HIGH:
        /* No shared memory regions: length and base all ones. */
        return 0xffffffff;
    }
    hw_log_guest_error("virtio-mmio: read of register 0x%" G_GINT64_MODIFIER "x\n", addr);
    return 0;
}

static void mmio_set_addr_half(uint64_t *field, bool high, uint32_t v)
{
    if (high) {
        *field = (*field & 0xffffffffull) | (uint64_t)v << 32;
    } else {
        *field = (*field & ~0xffffffffull) | v;
    }
}

static void mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    VirtioMmio *t = opaque;
    VirtIODevice *vdev = t->vdev;

    if (!vdev) {
        return;
    }
    if (addr >= REG_CONFIG) {
        virtio_config_write(vdev, addr - REG_CONFIG, val, size);
        return;
    }
    if (size != 4) {
        hw_log_guest_error("virtio-mmio: %u-byte write of register 0x%" G_GINT64_MODIFIER "x\n",
                           size, addr);
        return;
    }
    VirtQueue *vq = mmio_cur_vq(t);
    /* Ring layout may only change while the queue is not live. */
    bool vq_writable = vq && (t->legacy || !vq->ready);
    switch (addr) {
    case REG_DEVICE_FEATURES_SEL: t->host_features_sel = val; break;
    case REG_DRIVER_FEATURES_SEL: t->guest_features_sel = val; break;
    case REG_DRIVER_FEATURES:
        if (t->guest_features_sel <= 1) {
            mmio_set_addr_half(&t->guest_features, t->guest_features_sel, val);
            virtio_set_features(vdev, t->guest_features);
        }
        break;
    case REG_GUEST_PAGE_SIZE:
        if (t->legacy) {
            t->guest_page_size = val;
        }
        break;
    case REG_QUEUE_SEL: t->queue_sel = val; break;
    case REG_QUEUE_NUM:
        if (vq_writable) {
            if (val == 0 || val > vq->num_max || (val & (val - 1))) {
                hw_log_guest_error("virtio-mmio: queue size %u not allowed\n", (unsigned)val);
            } else {
                vq->num = val;
            }
        }
        break;
    case REG_QUEUE_ALIGN:
        if (t->legacy && vq) {
            vq->legacy_align = val;
        }
        break;
    case REG_QUEUE_PFN:
        if (t->legacy && vq) {
            vq->legacy_pfn = val;
            uint32_t page = t->guest_page_size ? t->guest_page_size : 4096;
            virtio_queue_set_legacy_addr(vdev, t->queue_sel, (uint64_t)val * page,
                                         vq->legacy_align);
        }
        break;
    case REG_QUEUE_READY:
        if (!t->legacy && vq) {
            vq->ready = val & 1;
        }
        break;
    case REG_QUEUE_NOTIFY: virtio_queue_notify(vdev, val & 0xffff); break;
    case REG_INTERRUPT_ACK: virtio_isr_ack(vdev, val); break;
    case REG_STATUS:
        if (val == 0) {
            t->host_features_sel = t->guest_features_sel = 0;
            t->guest_features = 0;
            t->queue_sel = 0;
        }
        if (!t->legacy && (val & VIRTIO_STATUS_FEATURES_OK) &&
            !(vdev->status & VIRTIO_STATUS_FEATURES_OK) &&
            !virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
            /* A version 2 transport is modern only: refuse FEATURES_OK. */
            val &= ~VIRTIO_STATUS_FEATURES_OK;
        }
        virtio_set_status(vdev, val);
        break;
    case REG_QUEUE_DESC_LOW:
    case REG_QUEUE_DESC_HIGH:
        if (!t->legacy && vq_writable) {
            mmio_set_addr_half(&vq->desc, addr == REG_QUEUE_DESC_HIGH, val);
        }
        break;
    case REG_QUEUE_DRIVER_LOW:
    case REG_QUEUE_DRIVER_HIGH:
        if (!t->legacy && vq_writable) {
            mmio_set_addr_half(&vq->avail, addr == REG_QUEUE_DRIVER_HIGH, val);
        }
        break;
    case REG_QUEUE_DEVICE_LOW:
    case REG_QUEUE_DEVICE_HIGH:
        if (!t->legacy && vq_writable) {
            mmio_set_addr_half(&vq->used, addr == REG_QUEUE_DEVICE_HIGH, val);
        }
        break;
    case REG_SHM_SEL: break;
    default: hw_log_guest_error("virtio-mmio: write of register 0x%" G_GINT64_MODIFIER "x\n", addr);
    }
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

static void mmio_dev_reset(Device *dev)
{
    VirtioMmio *t = (VirtioMmio *)dev;
    t->host_features_sel = t->guest_features_sel = 0;
    t->guest_features = 0;
    t->guest_page_size = 0;
    t->queue_sel = 0;
    if (t->vdev) {
        virtio_reset(t->vdev);
    }
}

static void mmio_dev_save(Device *dev, StateStream *s)
{
    VirtioMmio *t = (VirtioMmio *)dev;
    state_put_u32(s, t->host_features_sel);
    state_put_u32(s, t->guest_features_sel);
    state_put_u64(s, t->guest_features);
    state_put_u32(s, t->guest_page_size);
    state_put_u32(s, t->queue_sel);
    state_put_u16(s, t->vdev ? t->vdev->device_id : 0);
    if (t->vdev) {
        virtio_save(t->vdev, s);
    }
}

static bool mmio_dev_load(Device *dev, StateStream *s)
{
    VirtioMmio *t = (VirtioMmio *)dev;
    uint16_t id;
    if (!state_get_u32(s, &t->host_features_sel) || !state_get_u32(s, &t->guest_features_sel) ||
        !state_get_u64(s, &t->guest_features) || !state_get_u32(s, &t->guest_page_size) ||
        !state_get_u32(s, &t->queue_sel) || !state_get_u16(s, &id) ||
        id != (t->vdev ? t->vdev->device_id : 0)) {
        return false;
    }
    return t->vdev ? virtio_load(t->vdev, s) : true;
}

static void mmio_dev_finalize(Device *dev)
{
    VirtioMmio *t = (VirtioMmio *)dev;
    virtio_free(t->vdev);
    t->vdev = NULL;
}

static const DeviceOps mmio_dev_ops = {
    .type = "virtio-mmio",
    .reset = mmio_dev_reset,
    .save = mmio_dev_save,
    .load = mmio_dev_load,
    .finalize = mmio_dev_finalize,
};

VirtioMmio *virtio_mmio_new(MemoryRegion *parent, uint64_t base, qemu_irq irq, AddressSpace *dma_as,
                            bool legacy)
{
    VirtioMmio *t = g_new0(VirtioMmio, 1);
    t->parent = parent;
    t->irq = irq;
    t->dma_as = dma_as;
    t->legacy = legacy;
    t->mr = memory_region_new_io("virtio-mmio", VIRTIO_MMIO_SIZE, &mmio_ops, t);
    if (parent) {
        memory_region_add_subregion(parent, base, t->mr);
    }
    device_register_auto(&t->dev, &mmio_dev_ops);
    return t;
}

bool virtio_mmio_plug(VirtioMmio *t, VirtIODevice *vdev)
{
    if (t->vdev) {
        return false;
    }
    t->vdev = vdev;
    vdev->dma_as = t->dma_as;
    vdev->transport.update_irq = mmio_update_irq;
    vdev->transport.opaque = t;
    virtio_reset(vdev);
    return true;
}

VirtIODevice *virtio_mmio_device(VirtioMmio *t)
{
    return t->vdev;
}

MemoryRegion *virtio_mmio_region(VirtioMmio *t)
{
    return t->mr;
}

void virtio_mmio_free(VirtioMmio *t)
{
    if (!t) {
        return;
    }
    device_unregister(&t->dev);
    mmio_dev_finalize(&t->dev);
    if (t->parent) {
        memory_region_del_subregion(t->parent, t->mr);
    }
    memory_region_free(t->mr);
    g_free(t);
}
