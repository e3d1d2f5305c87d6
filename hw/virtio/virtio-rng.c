/*
 * virtio-rng (virtio 1.2, 5.4): fills every buffer the driver offers with
 * bytes from the host's getrandom().
 */
#include <errno.h>
#include <glib.h>
#include <sys/random.h>

#include "hw/virtio/virtio.h"

#define RNG_QUEUE_SIZE 64

static void rng_handle_output(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtQueueElement *e;
    while ((e = virtqueue_pop(vq))) {
        size_t done = 0;
        for (unsigned i = 0; i < e->in_num; i++) {
            uint8_t *p = e->in_sg[i].iov_base;
            size_t len = e->in_sg[i].iov_len, got = 0;
            while (got < len) {
                ssize_t n = getrandom(p + got, len - got, 0);
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n <= 0) {
                    break;
                }
                got += n;
            }
            done += got;
            if (got < len) {
                break;
            }
        }
        virtqueue_push(vq, e, done);
        g_free(e);
    }
    virtio_notify(vdev, vq);
}

static void rng_finalize(VirtIODevice *vdev)
{
    g_free(vdev);
}

static const VirtIODeviceOps rng_ops = {
    .type = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .config_size = 0,
    .finalize = rng_finalize,
};

VirtIODevice *virtio_rng_new(void)
{
    VirtIODevice *vdev = g_new0(VirtIODevice, 1);
    virtio_init(vdev, &rng_ops, 0);
    virtio_add_queue(vdev, RNG_QUEUE_SIZE, rng_handle_output);
    return vdev;
}
