/*
 * virtio-console (virtio 1.2, 5.3) with a single port, no multiport control
 * queue: queue 0 carries input from the chardev to the guest, queue 1 output.
 * Linux names it hvc0.
 */
#include <glib.h>
#include <string.h>

#include "hw/virtio/virtio.h"
#include "system/chardev.h"

#define CONSOLE_QUEUE_SIZE  128
#define CONSOLE_CONFIG_SIZE 12

typedef struct VirtIOConsole {
    VirtIODevice vdev;
    Chardev *chr;
    /* The receive buffer being filled, kept between can_receive and
     * receive so that the chardev is never offered more than fits. */
    VirtQueueElement *rx;
    size_t rx_used;
} VirtIOConsole;

static void console_rx_flush(VirtIOConsole *s)
{
    if (s->rx) {
        VirtQueue *vq = &s->vdev.vq[0];
        if (s->rx_used) {
            virtqueue_push(vq, s->rx, s->rx_used);
            virtio_notify(&s->vdev, vq);
        } else {
            virtqueue_unpop(vq, s->rx);
        }
        g_free(s->rx);
        s->rx = NULL;
        s->rx_used = 0;
    }
}

static int console_can_receive(void *opaque)
{
    VirtIOConsole *s = opaque;
    if (!(s->vdev.status & VIRTIO_STATUS_DRIVER_OK)) {
        return 0;
    }
    if (!s->rx) {
        s->rx = virtqueue_pop(&s->vdev.vq[0]);
        s->rx_used = 0;
        if (!s->rx) {
            return 0;
        }
    }
    return MIN(s->rx->in_len - s->rx_used, (size_t)4096);
}

static void console_receive(void *opaque, const uint8_t *buf, size_t len)
{
    VirtIOConsole *s = opaque;
    while (len) {
        if (!console_can_receive(s)) {
            hw_log_guest_error("virtio-console: %zu input bytes dropped\n", len);
            return;
        }
        size_t n = virtio_iov_from_buf(s->rx->in_sg, s->rx->in_num, s->rx_used, buf, len);
        s->rx_used += n;
        buf += n;
        len -= n;
        VirtQueue *vq = &s->vdev.vq[0];
        virtqueue_push(vq, s->rx, s->rx_used);
        g_free(s->rx);
        s->rx = NULL;
        s->rx_used = 0;
        virtio_notify(&s->vdev, vq);
    }
}

static const CharFrontendOps console_chr_ops = {
    .can_receive = console_can_receive,
    .receive = console_receive,
};

static void console_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    if (s->chr) {
        chardev_accept_input(s->chr);
    }
}

static void console_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    VirtQueueElement *e;
    while ((e = virtqueue_pop(vq))) {
        for (unsigned i = 0; i < e->out_num; i++) {
            if (s->chr) {
                chardev_write(s->chr, e->out_sg[i].iov_base, e->out_sg[i].iov_len);
            }
        }
        virtqueue_push(vq, e, 0);
        g_free(e);
    }
    virtio_notify(vdev, vq);
}

static void console_get_config(VirtIODevice *vdev, uint8_t *c)
{
    memset(c, 0, CONSOLE_CONFIG_SIZE);
    virtio_config_set_u16(vdev, c, 80);
    virtio_config_set_u16(vdev, c + 2, 25);
    virtio_config_set_u32(vdev, c + 4, 1);
}

static void console_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    if ((status & VIRTIO_STATUS_DRIVER_OK) && s->chr) {
        chardev_accept_input(s->chr);
    }
}

static void console_reset(VirtIODevice *vdev)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    g_free(s->rx);
    s->rx = NULL;
    s->rx_used = 0;
}

static void console_save(VirtIODevice *vdev, StateStream *st)
{
    console_rx_flush((VirtIOConsole *)vdev);
    state_put_u8(st, 0);
}

static bool console_load(VirtIODevice *vdev, StateStream *st)
{
    uint8_t v;
    console_reset(vdev);
    return state_get_u8(st, &v) && v == 0;
}

static void console_finalize(VirtIODevice *vdev)
{
    VirtIOConsole *s = (VirtIOConsole *)vdev;
    if (s->chr) {
        chardev_set_frontend(s->chr, NULL, NULL);
    }
    g_free(s);
}

static const VirtIODeviceOps console_ops = {
    .type = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .config_size = CONSOLE_CONFIG_SIZE,
    .get_config = console_get_config,
    .set_status = console_set_status,
    .reset = console_reset,
    .save = console_save,
    .load = console_load,
    .finalize = console_finalize,
};

VirtIODevice *virtio_console_new(Chardev *chr)
{
    VirtIOConsole *s = g_new0(VirtIOConsole, 1);
    /* F_SIZE (bit 0): cols/rows in config. */
    virtio_init(&s->vdev, &console_ops, 1ull << 0);
    s->chr = chr;
    virtio_add_queue(&s->vdev, CONSOLE_QUEUE_SIZE, console_handle_rx);
    virtio_add_queue(&s->vdev, CONSOLE_QUEUE_SIZE, console_handle_tx);
    if (chr) {
        chardev_set_frontend(chr, &console_chr_ops, s);
    }
    return &s->vdev;
}
