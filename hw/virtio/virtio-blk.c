/*
 * virtio-blk (virtio 1.2, 5.2): one request queue whose requests run on the
 * block I/O pool (block/block-io.h) and complete on the main loop.
 */
#include <glib.h>
#include <string.h>

#include "block/block-io.h"
#include "block/block.h"
#include "hw/virtio/virtio.h"

#define BLK_F_SEG_MAX      2
#define BLK_F_RO           5
#define BLK_F_BLK_SIZE     6
#define BLK_F_FLUSH        9
#define BLK_F_DISCARD      13
#define BLK_F_WRITE_ZEROES 14

#define BLK_T_IN           0
#define BLK_T_OUT          1
#define BLK_T_FLUSH        4
#define BLK_T_GET_ID       8
#define BLK_T_DISCARD      11
#define BLK_T_WRITE_ZEROES 13

#define BLK_S_OK     0
#define BLK_S_IOERR  1
#define BLK_S_UNSUPP 2

#define BLK_QUEUE_SIZE  256
#define BLK_CONFIG_SIZE 60
#define BLK_ID_BYTES    20
#define SECTOR          512ull
/* One range per discard / write-zeroes request, up to 4 GiB - 512. */
#define BLK_MAX_RANGE_SECTORS 0x7fffffu

typedef struct VirtIOBlock {
    VirtIODevice vdev;
    Drive *drive;
    bool read_only;
    unsigned inflight;
} VirtIOBlock;

typedef struct BlkReq {
    VirtIOBlock *s;
    VirtQueue *vq;
    VirtQueueElement *elem;
    struct iovec *iov;
    uint32_t used_len;
} BlkReq;

/* Copies the iovecs covering [offset, offset+len) of src. */
static struct iovec *iov_slice(const struct iovec *src, unsigned n, size_t offset, size_t len,
                               int *out_n)
{
    struct iovec *v = g_new(struct iovec, n ? n : 1);
    int k = 0;
    for (unsigned i = 0; i < n && len; i++) {
        if (offset >= src[i].iov_len) {
            offset -= src[i].iov_len;
            continue;
        }
        size_t c = MIN(src[i].iov_len - offset, len);
        v[k].iov_base = (uint8_t *)src[i].iov_base + offset;
        v[k].iov_len = c;
        k++;
        len -= c;
        offset = 0;
    }
    *out_n = k;
    return v;
}

static void blk_finish(BlkReq *r, uint8_t status)
{
    VirtQueueElement *e = r->elem;
    virtio_iov_from_buf(e->in_sg, e->in_num, e->in_len - 1, &status, 1);
    virtqueue_push(r->vq, e, r->used_len);
    virtio_notify(&r->s->vdev, r->vq);
    g_free(r->iov);
    g_free(e);
    g_free(r);
}

static void blk_aio_done(void *opaque, int ret)
{
    BlkReq *r = opaque;
    r->s->inflight--;
    if (ret < 0) {
        hw_log_guest_error("virtio-blk: I/O error %d\n", ret);
    }
    blk_finish(r, ret < 0 ? BLK_S_IOERR : BLK_S_OK);
}

static bool blk_range_ok(VirtIOBlock *s, uint64_t sector, uint64_t bytes)
{
    uint64_t size = s->drive->size;
    return sector <= size / SECTOR && bytes <= size - sector * SECTOR;
}

static void blk_submit(BlkReq *r, BlockAioOp op, uint64_t offset, int niov, uint64_t len)
{
    r->s->inflight++;
    block_aio_submitv(r->s->drive->bs, op, offset, r->iov, niov, len, blk_aio_done, r);
}

static void blk_handle_range(BlkReq *r, uint32_t type)
{
    VirtIOBlock *s = r->s;
    VirtIODevice *vdev = &s->vdev;
    VirtQueueElement *e = r->elem;
    uint8_t seg[16];
    if (e->out_len - 16 < 16 || virtio_iov_to_buf(e->out_sg, e->out_num, 16, seg, 16) != 16) {
        blk_finish(r, BLK_S_UNSUPP);
        return;
    }
    if (e->out_len - 16 > 16) {
        /* max_discard_seg / max_write_zeroes_seg are 1. */
        blk_finish(r, BLK_S_UNSUPP);
        return;
    }
    uint64_t sector = virtio_ldq(vdev, seg);
    uint32_t num = virtio_ldl(vdev, seg + 8);
    uint32_t flags = virtio_ldl(vdev, seg + 12);
    if (s->read_only || num > BLK_MAX_RANGE_SECTORS || !blk_range_ok(s, sector, num * SECTOR) ||
        (type == BLK_T_DISCARD && flags) || (flags & ~1u)) {
        blk_finish(r, BLK_S_IOERR);
        return;
    }
    if (type == BLK_T_DISCARD) {
        if (!s->drive->opts.discard) {
            /* discard=ignore (QEMU's default): succeed without effect. */
            blk_finish(r, BLK_S_OK);
            return;
        }
        blk_submit(r, BLOCK_AIO_DISCARD, sector * SECTOR, 0, num * SECTOR);
    } else {
        /* BLOCK_ZERO_MAY_UNMAP has no aio flag; zeroes read back either way. */
        blk_submit(r, BLOCK_AIO_WRITE_ZEROES, sector * SECTOR, 0, num * SECTOR);
    }
}

static void blk_handle_request(VirtIOBlock *s, VirtQueue *vq, VirtQueueElement *e)
{
    VirtIODevice *vdev = &s->vdev;
    uint8_t hdr[16];
    if (e->out_len < 16 || e->in_len < 1) {
        virtio_error(vdev, "request without header or status byte");
        g_free(e);
        return;
    }
    virtio_iov_to_buf(e->out_sg, e->out_num, 0, hdr, 16);
    uint32_t type = virtio_ldl(vdev, hdr);
    uint64_t sector = virtio_ldq(vdev, hdr + 8);

    BlkReq *r = g_new0(BlkReq, 1);
    r->s = s;
    r->vq = vq;
    r->elem = e;
    r->used_len = 1;
    int niov;
    switch (type) {
    case BLK_T_IN: {
        uint64_t len = e->in_len - 1;
        r->used_len = e->in_len;
        if (!blk_range_ok(s, sector, len)) {
            r->used_len = 1;
            blk_finish(r, BLK_S_IOERR);
            return;
        }
        r->iov = iov_slice(e->in_sg, e->in_num, 0, len, &niov);
        blk_submit(r, BLOCK_AIO_READ, sector * SECTOR, niov, len);
        return;
    }
    case BLK_T_OUT: {
        uint64_t len = e->out_len - 16;
        if (s->read_only || !blk_range_ok(s, sector, len)) {
            blk_finish(r, BLK_S_IOERR);
            return;
        }
        r->iov = iov_slice(e->out_sg, e->out_num, 16, len, &niov);
        blk_submit(r, BLOCK_AIO_WRITE, sector * SECTOR, niov, len);
        return;
    }
    case BLK_T_FLUSH: blk_submit(r, BLOCK_AIO_FLUSH, 0, 0, 0); return;
    case BLK_T_GET_ID: {
        char id[BLK_ID_BYTES] = {0};
        const char *name = s->drive->opts.id ? s->drive->opts.id : "mimic-virtio-blk";
        strncpy(id, name, sizeof(id));
        size_t n = MIN((size_t)BLK_ID_BYTES, (size_t)e->in_len - 1);
        virtio_iov_from_buf(e->in_sg, e->in_num, 0, id, n);
        r->used_len = n + 1;
        blk_finish(r, BLK_S_OK);
        return;
    }
    case BLK_T_DISCARD:
    case BLK_T_WRITE_ZEROES: blk_handle_range(r, type); return;
    default: blk_finish(r, BLK_S_UNSUPP);
    }
}

static void blk_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    VirtQueueElement *e;
    while ((e = virtqueue_pop(vq))) {
        blk_handle_request(s, vq, e);
    }
}

static void blk_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    memset(c, 0, BLK_CONFIG_SIZE);
    virtio_config_set_u64(vdev, c + 0, s->drive->size / SECTOR);
    virtio_config_set_u32(vdev, c + 12, BLK_QUEUE_SIZE - 2); /* seg_max */
    virtio_config_set_u32(vdev, c + 20, SECTOR);             /* blk_size */
    c[32] = 1;                                               /* writeback */
    virtio_config_set_u16(vdev, c + 34, 1);                  /* num_queues */
    virtio_config_set_u32(vdev, c + 36, BLK_MAX_RANGE_SECTORS);
    virtio_config_set_u32(vdev, c + 40, 1);
    virtio_config_set_u32(vdev, c + 44, 1);
    virtio_config_set_u32(vdev, c + 48, BLK_MAX_RANGE_SECTORS);
    virtio_config_set_u32(vdev, c + 52, 1);
    c[56] = s->drive->opts.discard;
}

static void blk_reset(VirtIODevice *vdev)
{
    VirtIOBlock *s = (VirtIOBlock *)vdev;
    /* Completions write into the rings being torn down: let them land. */
    while (s->inflight) {
        block_aio_drain();
    }
}

static void blk_save(VirtIODevice *vdev, StateStream *st)
{
    blk_reset(vdev);
    state_put_u64(st, ((VirtIOBlock *)vdev)->drive->size);
}

static bool blk_load(VirtIODevice *vdev, StateStream *st)
{
    uint64_t size;
    return state_get_u64(st, &size) && size == ((VirtIOBlock *)vdev)->drive->size;
}

static void blk_finalize(VirtIODevice *vdev)
{
    g_free(vdev);
}

static const VirtIODeviceOps blk_ops = {
    .type = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .config_size = BLK_CONFIG_SIZE,
    .get_config = blk_get_config,
    .reset = blk_reset,
    .save = blk_save,
    .load = blk_load,
    .finalize = blk_finalize,
};

VirtIODevice *virtio_blk_new(Drive *drive, char **errp)
{
    if (!drive || !drive->bs) {
        *errp = g_strdup("virtio-blk: the drive has no medium (file= missing)");
        return NULL;
    }
    VirtIOBlock *s = g_new0(VirtIOBlock, 1);
    bool ro = drive->opts.readonly || block_is_read_only(drive->bs);
    uint64_t f = 1ull << BLK_F_SEG_MAX | 1ull << BLK_F_BLK_SIZE | 1ull << BLK_F_FLUSH |
                 1ull << BLK_F_DISCARD | 1ull << BLK_F_WRITE_ZEROES;
    if (ro) {
        f |= 1ull << BLK_F_RO;
    }
    virtio_init(&s->vdev, &blk_ops, f);
    s->drive = drive;
    s->read_only = ro;
    virtio_add_queue(&s->vdev, BLK_QUEUE_SIZE, blk_handle_output);
    return &s->vdev;
}
