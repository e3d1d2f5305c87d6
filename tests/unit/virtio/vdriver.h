/*
 * A tiny virtio guest driver for the unit tests: RAM + address space, the
 * transport's registers, split rings laid out in guest RAM, and helpers to
 * submit descriptor chains and wait for the used ring.
 */
#ifndef TESTS_VIRTIO_VDRIVER_H
#define TESTS_VIRTIO_VDRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/hw.h"
#include "hw/virtio/virtio.h"
#include "system/memory.h"

#define VD_RAM_SIZE  (16u << 20)
#define VD_MMIO_BASE 0x10000000u
#define VD_QSIZE     16
#define VD_BUF_BASE  0x400000u /* scratch buffers the tests use */

typedef struct VdQueue {
    uint64_t desc, avail, used;
    uint16_t num, avail_idx, used_seen;
    uint16_t next_desc;
} VdQueue;

typedef struct VDriver {
    MemoryRegion *sys, *ram;
    AddressSpace *as;
    uint8_t *ram_ptr;
    VirtioMmio *mmio;
    qemu_irq irq;
    bool legacy;
    int irq_level;
    int irq_raises;
    VdQueue q[4];
    uint64_t features;
    /* Notify through another transport (virtio-pci); NULL: virtio-mmio. */
    void (*kick)(struct VDriver *d, int q);
    void *opaque;
} VDriver;

typedef struct VdBuf {
    uint64_t addr;
    uint32_t len;
    bool write; /* device writes it */
} VdBuf;

void vd_setup(VDriver *d, bool legacy);
void vd_teardown(VDriver *d);
uint32_t vd_reg_read(VDriver *d, uint32_t reg);
void vd_reg_write(VDriver *d, uint32_t reg, uint32_t val);
/* Reset, ACKNOWLEDGE, DRIVER, features (wanted & offered), FEATURES_OK,
 * nq queues, DRIVER_OK. Returns the negotiated features. */
uint64_t vd_init_device(VDriver *d, uint64_t wanted, int nq);
/* Writes a chain to queue q, publishes it and notifies. Returns the head. */
int vd_submit(VDriver *d, int q, const VdBuf *bufs, int n);
/* Same, without the notify. */
int vd_add(VDriver *d, int q, const VdBuf *bufs, int n);
void vd_kick(VDriver *d, int q);
/* Runs the main loop until the used ring of q advances (false on timeout);
 * *id / *len get the used element. */
bool vd_wait_used(VDriver *d, int q, uint32_t *id, uint32_t *len);
uint16_t vd_used_idx(VDriver *d, int q);
void vd_write_mem(VDriver *d, uint64_t addr, const void *buf, size_t len);
void vd_read_mem(VDriver *d, uint64_t addr, void *buf, size_t len);
/* Raw descriptor write, for malformed-chain tests. */
void vd_write_desc(VDriver *d, int q, int i, uint64_t addr, uint32_t len, uint16_t flags,
                   uint16_t next);
void vd_publish(VDriver *d, int q, uint16_t head);

/* virtio-mmio register offsets the tests use. */
#define R_MAGIC         0x00
#define R_VERSION       0x04
#define R_DEVICE_ID     0x08
#define R_DEV_FEAT      0x10
#define R_DEV_FEAT_SEL  0x14
#define R_DRV_FEAT      0x20
#define R_DRV_FEAT_SEL  0x24
#define R_PAGE_SIZE     0x28
#define R_QUEUE_SEL     0x30
#define R_QUEUE_NUM_MAX 0x34
#define R_QUEUE_NUM     0x38
#define R_QUEUE_ALIGN   0x3c
#define R_QUEUE_PFN     0x40
#define R_QUEUE_READY   0x44
#define R_QUEUE_NOTIFY  0x50
#define R_INT_STATUS    0x60
#define R_INT_ACK       0x64
#define R_STATUS        0x70
#define R_DESC_LO       0x80
#define R_DESC_HI       0x84
#define R_AVAIL_LO      0x90
#define R_AVAIL_HI      0x94
#define R_USED_LO       0xa0
#define R_USED_HI       0xa4
#define R_CONFIG        0x100

#endif
