/*
 * The virtio device core: split virtqueues walked in guest memory through the
 * device's DMA address space, feature negotiation, status, config space and
 * interrupt status. Transports (virtio-mmio.c, virtio-pci.c) call in here.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hw/virtio/virtio.h"

/* Ring offsets (virtio 1.2, 2.7): avail = {flags, idx, ring[num], used_event},
 * used = {flags, idx, {id, len}[num], avail_event}. */
#define AVAIL_IDX(vq)        ((vq)->avail + 2)
#define AVAIL_RING(vq, i)    ((vq)->avail + 4 + 2 * (uint64_t)(i))
#define AVAIL_USED_EVENT(vq) ((vq)->avail + 4 + 2 * (uint64_t)(vq)->num)
#define USED_IDX(vq)         ((vq)->used + 2)
#define USED_RING(vq, i)     ((vq)->used + 4 + 8 * (uint64_t)(i))
#define USED_AVAIL_EVENT(vq) ((vq)->used + 4 + 8 * (uint64_t)(vq)->num)

bool virtio_has_feature(const VirtIODevice *vdev, unsigned bit)
{
    return (vdev->guest_features >> bit) & 1;
}

bool virtio_is_big_endian(const VirtIODevice *vdev)
{
    return vdev->legacy_big_endian && !virtio_has_feature(vdev, VIRTIO_F_VERSION_1);
}

uint16_t virtio_lduw(const VirtIODevice *vdev, const void *p)
{
    const uint8_t *b = p;
    return virtio_is_big_endian(vdev) ? (b[0] << 8 | b[1]) : (b[0] | b[1] << 8);
}

uint32_t virtio_ldl(const VirtIODevice *vdev, const void *p)
{
    const uint8_t *b = p;
    if (virtio_is_big_endian(vdev)) {
        return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
    }
    return (uint32_t)b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0];
}

uint64_t virtio_ldq(const VirtIODevice *vdev, const void *p)
{
    const uint8_t *b = p;
    uint64_t lo = virtio_ldl(vdev, b), hi = virtio_ldl(vdev, b + 4);
    return virtio_is_big_endian(vdev) ? (lo << 32 | hi) : (hi << 32 | lo);
}

void virtio_stw(const VirtIODevice *vdev, void *p, uint16_t v)
{
    uint8_t *b = p;
    if (virtio_is_big_endian(vdev)) {
        b[0] = v >> 8, b[1] = v;
    } else {
        b[0] = v, b[1] = v >> 8;
    }
}

void virtio_stl(const VirtIODevice *vdev, void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 4; i++) {
        int sh = virtio_is_big_endian(vdev) ? 24 - 8 * i : 8 * i;
        b[i] = v >> sh;
    }
}

void virtio_config_set_u16(VirtIODevice *vdev, uint8_t *p, uint16_t v)
{
    virtio_stw(vdev, p, v);
}

void virtio_config_set_u32(VirtIODevice *vdev, uint8_t *p, uint32_t v)
{
    virtio_stl(vdev, p, v);
}

void virtio_config_set_u64(VirtIODevice *vdev, uint8_t *p, uint64_t v)
{
    if (virtio_is_big_endian(vdev)) {
        virtio_stl(vdev, p, v >> 32);
        virtio_stl(vdev, p + 4, v);
    } else {
        virtio_stl(vdev, p, v);
        virtio_stl(vdev, p + 4, v >> 32);
    }
}

size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t c = MIN(iov[i].iov_len - offset, len - done);
        memcpy((uint8_t *)buf + done, (uint8_t *)iov[i].iov_base + offset, c);
        done += c;
        offset = 0;
    }
    return done;
}

size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset, const void *buf,
                           size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        size_t c = MIN(iov[i].iov_len - offset, len - done);
        memcpy((uint8_t *)iov[i].iov_base + offset, (const uint8_t *)buf + done, c);
        done += c;
        offset = 0;
    }
    return done;
}

static bool vring_read(VirtIODevice *vdev, uint64_t addr, void *buf, unsigned len)
{
    return address_space_read(vdev->dma_as, addr, buf, len) == MEMTX_OK;
}

static bool vring_read_u16(VirtIODevice *vdev, uint64_t addr, uint16_t *v)
{
    uint8_t b[2];
    if (!vring_read(vdev, addr, b, 2)) {
        return false;
    }
    *v = virtio_lduw(vdev, b);
    return true;
}

static void vring_write_u16(VirtIODevice *vdev, uint64_t addr, uint16_t v)
{
    uint8_t b[2];
    virtio_stw(vdev, b, v);
    address_space_write(vdev->dma_as, addr, b, 2);
}

void virtio_init(VirtIODevice *vdev, const VirtIODeviceOps *ops, uint64_t host_features)
{
    memset(vdev, 0, sizeof(*vdev));
    vdev->ops = ops;
    vdev->device_id = ops->device_id;
    vdev->host_features = host_features | (1ull << VIRTIO_F_VERSION_1) |
                          (1ull << VIRTIO_RING_F_INDIRECT_DESC) |
                          (1ull << VIRTIO_RING_F_EVENT_IDX) | (1ull << VIRTIO_F_NOTIFY_ON_EMPTY) |
                          (1ull << VIRTIO_F_ANY_LAYOUT);
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t size, VirtQueueHandler *handler)
{
    g_assert(vdev->num_queues < VIRTIO_QUEUE_MAX && size <= VIRTIO_QUEUE_SIZE_MAX);
    VirtQueue *vq = &vdev->vq[vdev->num_queues];
    vq->vdev = vdev;
    vq->index = vdev->num_queues++;
    vq->num_max = vq->num = size;
    vq->handle_output = handler;
    vq->notification = true;
    return vq;
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    hw_log_guest_error("%s: %s\n", vdev->ops->type, msg);
    g_free(msg);
    if (vdev->broken) {
        return;
    }
    vdev->broken = true;
    /* A modern driver learns of it through NEEDS_RESET and a config
     * interrupt; a legacy one just sees the device stop. */
    if (virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->status |= VIRTIO_STATUS_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
}

bool virtqueue_ready(VirtQueue *vq)
{
    return vq->ready && vq->num && !vq->vdev->broken;
}

static bool vq_avail_idx(VirtQueue *vq, uint16_t *idx)
{
    if (!vring_read_u16(vq->vdev, AVAIL_IDX(vq), idx)) {
        virtio_error(vq->vdev, "queue %d: avail ring at 0x%" G_GINT64_MODIFIER "x unreadable",
                     vq->index, vq->avail);
        return false;
    }
    return true;
}

bool virtqueue_empty(VirtQueue *vq)
{
    uint16_t idx;
    if (!virtqueue_ready(vq) || !vq_avail_idx(vq, &idx)) {
        return true;
    }
    return idx == vq->last_avail_idx;
}

/* Scatter list being collected for one element. */
typedef struct SgBuilder {
    GArray *out, *in; /* struct iovec */
    size_t out_len, in_len;
} SgBuilder;

static bool sg_add(VirtIODevice *vdev, SgBuilder *sg, uint64_t addr, uint32_t len, bool write)
{
    GArray *arr = write ? sg->in : sg->out;
    if (!write && sg->in->len) {
        virtio_error(vdev, "device-readable descriptor after a writable one");
        return false;
    }
    while (len) {
        uint64_t l = len;
        void *p = address_space_map(vdev->dma_as, addr, &l, write);
        if (!p || !l) {
            virtio_error(vdev, "descriptor buffer 0x%" G_GINT64_MODIFIER "x+%u is not guest RAM",
                         addr, len);
            return false;
        }
        if (arr->len >= 4 * VIRTIO_QUEUE_SIZE_MAX) {
            virtio_error(vdev, "descriptor chain too fragmented");
            return false;
        }
        struct iovec v = {p, l};
        g_array_append_val(arr, v);
        if (write) {
            sg->in_len += l;
        } else {
            sg->out_len += l;
        }
        addr += l;
        len -= l;
    }
    return true;
}

static bool vq_read_desc(VirtIODevice *vdev, uint64_t table, unsigned i, uint64_t *addr,
                         uint32_t *len, uint16_t *flags, uint16_t *next)
{
    uint8_t d[16];
    if (!vring_read(vdev, table + 16 * (uint64_t)i, d, 16)) {
        virtio_error(vdev, "descriptor table at 0x%" G_GINT64_MODIFIER "x unreadable", table);
        return false;
    }
    *addr = virtio_ldq(vdev, d);
    *len = virtio_ldl(vdev, d + 8);
    *flags = virtio_lduw(vdev, d + 12);
    *next = virtio_lduw(vdev, d + 14);
    return true;
}

/* Walks the chain starting at head into sg; false (device broken) on any
 * malformed chain: loops, out-of-range indices, bad indirect tables. */
static bool vq_walk_chain(VirtQueue *vq, unsigned head, SgBuilder *sg)
{
    VirtIODevice *vdev = vq->vdev;
    uint64_t table = vq->desc;
    unsigned max = vq->num, i = head, count = 0;
    bool indirect = false;

    for (;;) {
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
        if (!vq_read_desc(vdev, table, i, &addr, &len, &flags, &next)) {
            return false;
        }
        if (flags & VRING_DESC_F_INDIRECT) {
            if (!virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC) || indirect) {
                virtio_error(vdev, "unexpected indirect descriptor");
                return false;
            }
            if (len == 0 || len % 16 || len / 16 > VIRTIO_QUEUE_SIZE_MAX * 4) {
                virtio_error(vdev, "bad indirect table length %u", len);
                return false;
            }
            if (count) {
                /* An indirect descriptor must be the only one of the chain
                 * in the ring (1.2, 2.7.5.3.1). */
                virtio_error(vdev, "indirect descriptor inside a chain");
                return false;
            }
            indirect = true;
            table = addr;
            max = len / 16;
            i = 0;
            count = 0;
            continue;
        }
        if (++count > max) {
            virtio_error(vdev, "queue %d: descriptor chain loops or is too long", vq->index);
            return false;
        }
        if (len && !sg_add(vdev, sg, addr, len, flags & VRING_DESC_F_WRITE)) {
            return false;
        }
        if (!(flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        if (next >= max) {
            virtio_error(vdev, "queue %d: next descriptor %u out of range", vq->index, next);
            return false;
        }
        i = next;
    }
}

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    uint16_t avail_idx, head;
    if (!virtqueue_ready(vq) || !vq_avail_idx(vq, &avail_idx)) {
        return NULL;
    }
    uint16_t pending = avail_idx - vq->last_avail_idx;
    if (pending == 0) {
        return NULL;
    }
    if (pending > vq->num) {
        virtio_error(vdev, "queue %d: avail index moved by %u (queue size %u)", vq->index, pending,
                     vq->num);
        return NULL;
    }
    /* The ring entries were written before the index the driver published. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!vring_read_u16(vdev, AVAIL_RING(vq, vq->last_avail_idx % vq->num), &head)) {
        virtio_error(vdev, "queue %d: avail ring unreadable", vq->index);
        return NULL;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "queue %d: head descriptor %u out of range", vq->index, head);
        return NULL;
    }
    SgBuilder sg = {g_array_new(false, false, sizeof(struct iovec)),
                    g_array_new(false, false, sizeof(struct iovec)), 0, 0};
    VirtQueueElement *elem = NULL;
    if (vq_walk_chain(vq, head, &sg)) {
        unsigned n = sg.out->len + sg.in->len;
        elem = g_malloc0(sizeof(*elem) + n * sizeof(struct iovec));
        elem->index = head;
        elem->out_num = sg.out->len;
        elem->in_num = sg.in->len;
        elem->out_sg = (struct iovec *)(elem + 1);
        elem->in_sg = elem->out_sg + elem->out_num;
        if (elem->out_num) {
            memcpy(elem->out_sg, sg.out->data, elem->out_num * sizeof(struct iovec));
        }
        if (elem->in_num) {
            memcpy(elem->in_sg, sg.in->data, elem->in_num * sizeof(struct iovec));
        }
        elem->out_len = sg.out_len;
        elem->in_len = sg.in_len;
        vq->last_avail_idx++;
        vq->inuse++;
        if (virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
            /* Ask for a kick as soon as anything new is added. */
            vring_write_u16(vdev, USED_AVAIL_EVENT(vq), vq->last_avail_idx);
        }
    }
    g_array_free(sg.out, true);
    g_array_free(sg.in, true);
    return elem;
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem)
{
    vq->last_avail_idx--;
    vq->inuse--;
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len)
{
    VirtIODevice *vdev = vq->vdev;
    if (vq->inuse) {
        vq->inuse--;
    }
    if (vdev->broken || !vq->ready || !vq->num) {
        return;
    }
    for (unsigned i = 0; i < elem->in_num; i++) {
        address_space_unmap(elem->in_sg[i].iov_base, elem->in_sg[i].iov_len);
    }
    uint8_t e[8];
    virtio_stl(vdev, e, elem->index);
    virtio_stl(vdev, e + 4, len);
    address_space_write(vdev->dma_as, USED_RING(vq, vq->used_idx % vq->num), e, 8);
    /* The entry must be visible before the index that publishes it. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    vq->used_idx++;
    vring_write_u16(vdev, USED_IDX(vq), vq->used_idx);
}

static bool vq_should_notify(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (virtio_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY) && !vq->inuse && virtqueue_empty(vq)) {
        return true;
    }
    if (!virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t flags = 0;
        vring_read_u16(vdev, vq->avail, &flags);
        return !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    uint16_t event = 0, new = vq->used_idx, old = vq->signalled_used;
    bool valid = vq->signalled_used_valid;
    vring_read_u16(vdev, AVAIL_USED_EVENT(vq), &event);
    vq->signalled_used = new;
    vq->signalled_used_valid = true;
    return !valid || (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

static void virtio_update_irq(VirtIODevice *vdev)
{
    if (vdev->transport.update_irq) {
        vdev->transport.update_irq(vdev->transport.opaque);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !vq_should_notify(vq)) {
        return;
    }
    vdev->isr |= VIRTIO_ISR_QUEUE;
    virtio_update_irq(vdev);
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_STATUS_DRIVER_OK)) {
        return;
    }
    vdev->config_generation++;
    vdev->isr |= VIRTIO_ISR_CONFIG;
    virtio_update_irq(vdev);
}

void virtio_isr_ack(VirtIODevice *vdev, uint8_t bits)
{
    vdev->isr &= ~bits;
    virtio_update_irq(vdev);
}

uint8_t virtio_isr_read_clear(VirtIODevice *vdev)
{
    uint8_t v = vdev->isr;
    vdev->isr = 0;
    virtio_update_irq(vdev);
    return v;
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    vdev->status = 0;
    vdev->guest_features = 0;
    vdev->isr = 0;
    vdev->broken = false;
    for (int i = 0; i < vdev->num_queues; i++) {
        VirtQueue *vq = &vdev->vq[i];
        vq->num = vq->num_max;
        vq->ready = false;
        vq->desc = vq->avail = vq->used = 0;
        vq->last_avail_idx = vq->used_idx = vq->signalled_used = 0;
        vq->signalled_used_valid = false;
        vq->inuse = 0;
        vq->legacy_pfn = 0;
        vq->legacy_align = 0;
    }
    virtio_update_irq(vdev);
}

void virtio_set_status(VirtIODevice *vdev, uint8_t status)
{
    if (status == 0) {
        virtio_reset(vdev);
        return;
    }
    vdev->status = status;
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, status);
    }
}

bool virtio_set_features(VirtIODevice *vdev, uint64_t features)
{
    bool ok = !(features & ~vdev->host_features);
    vdev->guest_features = features & vdev->host_features;
    return ok;
}

void virtio_queue_notify(VirtIODevice *vdev, int n)
{
    if (n < 0 || n >= vdev->num_queues) {
        hw_log_guest_error("%s: notify of queue %d that does not exist\n", vdev->ops->type, n);
        return;
    }
    VirtQueue *vq = &vdev->vq[n];
    if (virtqueue_ready(vq) && vq->handle_output) {
        vq->handle_output(vdev, vq);
    }
}

void virtio_queue_set_legacy_addr(VirtIODevice *vdev, int n, uint64_t desc_addr, uint32_t align)
{
    VirtQueue *vq = &vdev->vq[n];
    if (!desc_addr) {
        vq->ready = false;
        vq->desc = vq->avail = vq->used = 0;
        return;
    }
    if (!align || (align & (align - 1))) {
        align = 4096;
    }
    vq->desc = desc_addr;
    vq->avail = desc_addr + 16ull * vq->num;
    vq->used = (vq->avail + 6 + 2ull * vq->num + align - 1) & ~(uint64_t)(align - 1);
    vq->ready = true;
}

uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size)
{
    size_t len = vdev->ops->config_size;
    if (addr >= len || size > len - addr) {
        return 0;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)vdev->config[addr + i] << (8 * i);
    }
    return v;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size)
{
    size_t len = vdev->ops->config_size;
    if (addr >= len || size > len - addr) {
        return;
    }
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
    for (unsigned i = 0; i < size; i++) {
        vdev->config[addr + i] = val >> (8 * i);
    }
    if (vdev->ops->set_config) {
        vdev->ops->set_config(vdev, vdev->config);
    }
}

void virtio_save(VirtIODevice *vdev, StateStream *s)
{
    /* Device first: it may hand popped-but-unused buffers back (rewinding
     * last_avail_idx) or finish in-flight requests before the rings are saved. */
    if (vdev->ops->save) {
        vdev->ops->save(vdev, s);
    }
    state_put_u8(s, vdev->status);
    state_put_u8(s, vdev->isr);
    state_put_u8(s, vdev->broken);
    state_put_u64(s, vdev->guest_features);
    state_put_u32(s, vdev->config_generation);
    state_put_u32(s, vdev->num_queues);
    for (int i = 0; i < vdev->num_queues; i++) {
        VirtQueue *vq = &vdev->vq[i];
        state_put_u16(s, vq->num);
        state_put_u8(s, vq->ready);
        state_put_u64(s, vq->desc);
        state_put_u64(s, vq->avail);
        state_put_u64(s, vq->used);
        state_put_u16(s, vq->last_avail_idx);
        state_put_u16(s, vq->used_idx);
        state_put_u16(s, vq->signalled_used);
        state_put_u8(s, vq->signalled_used_valid);
        state_put_u32(s, vq->legacy_pfn);
        state_put_u32(s, vq->legacy_align);
    }
}

bool virtio_load(VirtIODevice *vdev, StateStream *s)
{
    uint8_t broken;
    uint32_t nq;
    if (vdev->ops->load && !vdev->ops->load(vdev, s)) {
        return false;
    }
    if (!state_get_u8(s, &vdev->status) || !state_get_u8(s, &vdev->isr) ||
        !state_get_u8(s, &broken) || !state_get_u64(s, &vdev->guest_features) ||
        !state_get_u32(s, &vdev->config_generation) || !state_get_u32(s, &nq) ||
        nq != (uint32_t)vdev->num_queues) {
        return false;
    }
    vdev->broken = broken;
    for (int i = 0; i < vdev->num_queues; i++) {
        VirtQueue *vq = &vdev->vq[i];
        uint8_t ready, valid;
        if (!state_get_u16(s, &vq->num) || !state_get_u8(s, &ready) ||
            !state_get_u64(s, &vq->desc) || !state_get_u64(s, &vq->avail) ||
            !state_get_u64(s, &vq->used) || !state_get_u16(s, &vq->last_avail_idx) ||
            !state_get_u16(s, &vq->used_idx) || !state_get_u16(s, &vq->signalled_used) ||
            !state_get_u8(s, &valid) || !state_get_u32(s, &vq->legacy_pfn) ||
            !state_get_u32(s, &vq->legacy_align)) {
            return false;
        }
        if (vq->num > vq->num_max) {
            return false;
        }
        vq->ready = ready;
        vq->signalled_used_valid = valid;
        vq->inuse = 0;
    }
    virtio_update_irq(vdev);
    return true;
}

void virtio_free(VirtIODevice *vdev)
{
    if (!vdev) {
        return;
    }
    if (vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    g_free(vdev->id);
    if (vdev->ops->finalize) {
        vdev->ops->finalize(vdev);
    } else {
        g_free(vdev);
    }
}
