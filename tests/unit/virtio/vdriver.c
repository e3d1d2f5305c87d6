/*
 * The tests' virtio guest driver (see vdriver.h): plays the guest side of
 * the virtio-mmio protocol against a transport in a private address space.
 */
#include "vdriver.h"

#include <check.h>
#include <glib.h>
#include <string.h>

#include "block/block-io.h"
#include "system/main-loop.h"

static void vd_irq(void *opaque, int n, int level)
{
    VDriver *d = opaque;
    if (level && !d->irq_level) {
        d->irq_raises++;
    }
    d->irq_level = level;
}

void vd_setup(VDriver *d, bool legacy)
{
    memset(d, 0, sizeof(*d));
    main_loop_init();
    block_aio_set_context(main_loop_context());
    d->legacy = legacy;
    d->sys = memory_region_new_container("sys", UINT64_MAX);
    d->ram = memory_region_new_ram("ram", VD_RAM_SIZE);
    memory_region_add_subregion(d->sys, 0, d->ram);
    d->as = address_space_new(d->sys, "test-as");
    d->ram_ptr = memory_region_get_ram_ptr(d->ram);
    d->irq = irq_new(vd_irq, d, 0);
    d->mmio = virtio_mmio_new(d->sys, VD_MMIO_BASE, d->irq, d->as, legacy);
}

void vd_teardown(VDriver *d)
{
    virtio_mmio_free(d->mmio);
    address_space_free(d->as);
    irq_free(d->irq);
}

uint32_t vd_reg_read(VDriver *d, uint32_t reg)
{
    uint64_t v = 0;
    ck_assert_int_eq(address_space_load(d->as, VD_MMIO_BASE + reg, 4, false, &v), MEMTX_OK);
    return v;
}

void vd_reg_write(VDriver *d, uint32_t reg, uint32_t val)
{
    ck_assert_int_eq(address_space_store(d->as, VD_MMIO_BASE + reg, 4, false, val), MEMTX_OK);
}

void vd_write_mem(VDriver *d, uint64_t addr, const void *buf, size_t len)
{
    memcpy(d->ram_ptr + addr, buf, len);
}

void vd_read_mem(VDriver *d, uint64_t addr, void *buf, size_t len)
{
    memcpy(buf, d->ram_ptr + addr, len);
}

static void st16(VDriver *d, uint64_t a, uint16_t v)
{
    vd_write_mem(d, a, &v, 2);
}

static uint16_t ld16(VDriver *d, uint64_t a)
{
    uint16_t v;
    vd_read_mem(d, a, &v, 2);
    return v;
}

static uint32_t ld32(VDriver *d, uint64_t a)
{
    uint32_t v;
    vd_read_mem(d, a, &v, 4);
    return v;
}

uint64_t vd_init_device(VDriver *d, uint64_t wanted, int nq)
{
    vd_reg_write(d, R_STATUS, 0);
    ck_assert_uint_eq(vd_reg_read(d, R_STATUS), 0);
    vd_reg_write(d, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
    vd_reg_write(d, R_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t offered = 0;
    for (int sel = 0; sel < 2; sel++) {
        vd_reg_write(d, R_DEV_FEAT_SEL, sel);
        offered |= (uint64_t)vd_reg_read(d, R_DEV_FEAT) << (32 * sel);
    }
    uint64_t f = offered & wanted;
    for (int sel = 0; sel < 2; sel++) {
        vd_reg_write(d, R_DRV_FEAT_SEL, sel);
        vd_reg_write(d, R_DRV_FEAT, f >> (32 * sel));
    }
    uint32_t st = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
    if (!d->legacy) {
        st |= VIRTIO_STATUS_FEATURES_OK;
        vd_reg_write(d, R_STATUS, st);
        ck_assert(vd_reg_read(d, R_STATUS) & VIRTIO_STATUS_FEATURES_OK);
    } else {
        vd_reg_write(d, R_PAGE_SIZE, 4096);
    }
    for (int q = 0; q < nq; q++) {
        VdQueue *vq = &d->q[q];
        memset(vq, 0, sizeof(*vq));
        vq->num = VD_QSIZE;
        uint64_t base = 0x100000 + 0x10000 * (uint64_t)q;
        memset(d->ram_ptr + base, 0, 0x10000);
        vd_reg_write(d, R_QUEUE_SEL, q);
        ck_assert_uint_ge(vd_reg_read(d, R_QUEUE_NUM_MAX), VD_QSIZE);
        vd_reg_write(d, R_QUEUE_NUM, VD_QSIZE);
        if (d->legacy) {
            /* Legacy layout: desc, avail right after, used on the next
             * 4 KiB boundary. */
            vq->desc = base;
            vq->avail = base + 16 * VD_QSIZE;
            vq->used = (vq->avail + 6 + 2 * VD_QSIZE + 4095) & ~4095ull;
            vd_reg_write(d, R_QUEUE_ALIGN, 4096);
            vd_reg_write(d, R_QUEUE_PFN, base / 4096);
        } else {
            vq->desc = base;
            vq->avail = base + 0x4000;
            vq->used = base + 0x8000;
            vd_reg_write(d, R_DESC_LO, vq->desc);
            vd_reg_write(d, R_DESC_HI, 0);
            vd_reg_write(d, R_AVAIL_LO, vq->avail);
            vd_reg_write(d, R_AVAIL_HI, 0);
            vd_reg_write(d, R_USED_LO, vq->used);
            vd_reg_write(d, R_USED_HI, 0);
            vd_reg_write(d, R_QUEUE_READY, 1);
            ck_assert_uint_eq(vd_reg_read(d, R_QUEUE_READY), 1);
        }
    }
    vd_reg_write(d, R_STATUS, st | VIRTIO_STATUS_DRIVER_OK);
    d->features = f;
    return f;
}

void vd_write_desc(VDriver *d, int q, int i, uint64_t addr, uint32_t len, uint16_t flags,
                   uint16_t next)
{
    uint8_t desc[16];
    memcpy(desc, &addr, 8);
    memcpy(desc + 8, &len, 4);
    memcpy(desc + 12, &flags, 2);
    memcpy(desc + 14, &next, 2);
    vd_write_mem(d, d->q[q].desc + 16 * (uint64_t)i, desc, 16);
}

void vd_publish(VDriver *d, int q, uint16_t head)
{
    VdQueue *vq = &d->q[q];
    st16(d, vq->avail + 4 + 2 * (vq->avail_idx % vq->num), head);
    vq->avail_idx++;
    st16(d, vq->avail + 2, vq->avail_idx);
}

int vd_add(VDriver *d, int q, const VdBuf *bufs, int n)
{
    VdQueue *vq = &d->q[q];
    int head = vq->next_desc;
    for (int k = 0; k < n; k++) {
        int i = (head + k) % vq->num;
        uint16_t flags =
            (bufs[k].write ? VRING_DESC_F_WRITE : 0) | (k + 1 < n ? VRING_DESC_F_NEXT : 0);
        vd_write_desc(d, q, i, bufs[k].addr, bufs[k].len, flags, (i + 1) % vq->num);
    }
    vq->next_desc = (head + n) % vq->num;
    vd_publish(d, q, head);
    return head;
}

void vd_kick(VDriver *d, int q)
{
    if (d->kick) {
        d->kick(d, q);
        return;
    }
    vd_reg_write(d, R_QUEUE_NOTIFY, q);
}

int vd_submit(VDriver *d, int q, const VdBuf *bufs, int n)
{
    int head = vd_add(d, q, bufs, n);
    vd_kick(d, q);
    return head;
}

uint16_t vd_used_idx(VDriver *d, int q)
{
    return ld16(d, d->q[q].used + 2);
}

static gboolean vd_tick(gpointer opaque)
{
    return G_SOURCE_CONTINUE;
}

bool vd_wait_used(VDriver *d, int q, uint32_t *id, uint32_t *len)
{
    VdQueue *vq = &d->q[q];
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    /* Blocking iterations, woken by completions, or at least every 50 ms so
     * that a device that never answers fails the test instead of hanging. */
    GSource *tick = g_timeout_source_new(50);
    g_source_set_callback(tick, vd_tick, NULL, NULL);
    g_source_attach(tick, main_loop_context());
    while (vd_used_idx(d, q) == vq->used_seen && g_get_monotonic_time() < deadline) {
        main_loop_iterate(true);
    }
    g_source_destroy(tick);
    g_source_unref(tick);
    if (vd_used_idx(d, q) == vq->used_seen) {
        return false;
    }
    uint64_t e = vq->used + 4 + 8 * (vq->used_seen % vq->num);
    if (id) {
        *id = ld32(d, e);
    }
    if (len) {
        *len = ld32(d, e + 4);
    }
    vq->used_seen++;
    return true;
}
