/*
 * virtio-net (virtio 1.2, 5.1): one receive and one transmit queue in front
 * of a netdev backend (hw/net/net.h), no offloads.
 */
#include <glib.h>
#include <string.h>

#include "hw/net/net.h"
#include "hw/virtio/virtio.h"

#define NET_F_MAC       5
#define NET_F_STATUS    16
#define NET_S_LINK_UP   1
#define NET_QUEUE_SIZE  256
#define NET_CONFIG_SIZE 10
#define NET_FRAME_MAX   65536

typedef struct VirtIONet {
    VirtIODevice vdev;
    NetDev *nd;
    uint8_t mac[6];
    uint8_t *txbuf;
} VirtIONet;

static int nic_count;

/* The header before each frame: 12 bytes with num_buffers for virtio 1.0,
 * 10 for a legacy driver without mergeable buffers. */
static size_t net_hdr_len(VirtIODevice *vdev)
{
    return virtio_has_feature(vdev, VIRTIO_F_VERSION_1) ? 12 : 10;
}

static bool net_can_receive(void *opaque)
{
    VirtIONet *s = opaque;
    VirtQueue *rx = &s->vdev.vq[0];
    return (s->vdev.status & VIRTIO_STATUS_DRIVER_OK) && virtqueue_ready(rx) &&
           !virtqueue_empty(rx);
}

static void net_receive(void *opaque, const uint8_t *frame, size_t len)
{
    VirtIONet *s = opaque;
    VirtIODevice *vdev = &s->vdev;
    VirtQueue *rx = &vdev->vq[0];
    VirtQueueElement *e = virtqueue_pop(rx);
    if (!e) {
        return;
    }
    size_t hl = net_hdr_len(vdev);
    uint8_t hdr[12] = {0};
    if (hl == 12) {
        virtio_stw(vdev, hdr + 10, 1); /* num_buffers */
    }
    if (e->in_len < hl + len) {
        /* Without mergeable buffers each buffer must hold a whole frame. */
        hw_log_guest_error("virtio-net: %zu-byte frame does not fit a %zu-byte buffer\n", len,
                           e->in_len);
        virtqueue_push(rx, e, 0);
    } else {
        virtio_iov_from_buf(e->in_sg, e->in_num, 0, hdr, hl);
        virtio_iov_from_buf(e->in_sg, e->in_num, hl, frame, len);
        virtqueue_push(rx, e, hl + len);
    }
    g_free(e);
    virtio_notify(vdev, rx);
}

static const NetFrontendOps net_fe_ops = {
    .can_receive = net_can_receive,
    .receive = net_receive,
};

static void net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *s = (VirtIONet *)vdev;
    if (s->nd) {
        netdev_flush_queue(s->nd);
    }
}

static void net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *s = (VirtIONet *)vdev;
    size_t hl = net_hdr_len(vdev);
    VirtQueueElement *e;
    while ((e = virtqueue_pop(vq))) {
        if (e->out_len < hl) {
            virtio_error(vdev, "transmit buffer without a header");
            g_free(e);
            return;
        }
        size_t len = MIN(e->out_len - hl, (size_t)NET_FRAME_MAX);
        virtio_iov_to_buf(e->out_sg, e->out_num, hl, s->txbuf, len);
        virtqueue_push(vq, e, 0);
        g_free(e);
        if (s->nd && len) {
            netdev_send(s->nd, s->txbuf, len);
        }
    }
    virtio_notify(vdev, vq);
}

static void net_get_config(VirtIODevice *vdev, uint8_t *c)
{
    VirtIONet *s = (VirtIONet *)vdev;
    memset(c, 0, NET_CONFIG_SIZE);
    memcpy(c, s->mac, 6);
    virtio_config_set_u16(vdev, c + 6, NET_S_LINK_UP);
    virtio_config_set_u16(vdev, c + 8, 1);
}

static void net_set_config(VirtIODevice *vdev, const uint8_t *c)
{
    VirtIONet *s = (VirtIONet *)vdev;
    /* Legacy drivers may write the MAC. */
    if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        memcpy(s->mac, c, 6);
    }
}

static void net_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIONet *s = (VirtIONet *)vdev;
    if ((status & VIRTIO_STATUS_DRIVER_OK) && s->nd) {
        netdev_flush_queue(s->nd);
    }
}

static void net_save(VirtIODevice *vdev, StateStream *st)
{
    state_put_bytes(st, ((VirtIONet *)vdev)->mac, 6);
}

static bool net_load(VirtIODevice *vdev, StateStream *st)
{
    return state_get_bytes(st, ((VirtIONet *)vdev)->mac, 6);
}

static void net_finalize(VirtIODevice *vdev)
{
    VirtIONet *s = (VirtIONet *)vdev;
    if (s->nd) {
        netdev_set_frontend(s->nd, NULL, NULL);
    }
    g_free(s->txbuf);
    g_free(s);
}

static const VirtIODeviceOps net_ops = {
    .type = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .config_size = NET_CONFIG_SIZE,
    .get_config = net_get_config,
    .set_config = net_set_config,
    .set_status = net_set_status,
    .save = net_save,
    .load = net_load,
    .finalize = net_finalize,
};

VirtIODevice *virtio_net_new(NetDev *nd, const uint8_t *mac, char **errp)
{
    VirtIONet *s = g_new0(VirtIONet, 1);
    if (nd && !netdev_set_frontend(nd, &net_fe_ops, s)) {
        *errp = g_strdup_printf("virtio-net: netdev '%s' already has a NIC", netdev_id(nd));
        g_free(s);
        return NULL;
    }
    virtio_init(&s->vdev, &net_ops, 1ull << NET_F_MAC | 1ull << NET_F_STATUS);
    s->nd = nd;
    s->txbuf = g_malloc(NET_FRAME_MAX);
    if (mac) {
        memcpy(s->mac, mac, 6);
    } else {
        static const uint8_t base[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
        memcpy(s->mac, base, 6);
        s->mac[5] += nic_count;
    }
    nic_count++;
    virtio_add_queue(&s->vdev, NET_QUEUE_SIZE, net_handle_rx);
    virtio_add_queue(&s->vdev, NET_QUEUE_SIZE, net_handle_tx);
    return &s->vdev;
}
