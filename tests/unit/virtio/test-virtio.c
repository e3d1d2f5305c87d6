/*
 * Unit tests of the virtio core, the virtio-mmio transport and the blk, rng
 * and console devices, driven from the guest side by vdriver.c.
 */
#include <check.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/block-io.h"
#include "block/block.h"
#include "system/chardev.h"
#include "system/main-loop.h"
#include "tests/unit/scratch.h"
#include "vdriver.h"

#define F(bit)      (1ull << (bit))
#define MODERN      (F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC))
#define HDR_ADDR    0x300000u
#define STATUS_ADDR 0x300100u
#define DATA_ADDR   0x310000u

static char tmpdir[256];

static void setup_tmp(void)
{
    scratch_dir(tmpdir, sizeof(tmpdir), "mimic-virtio");
}

static char *tmp_path(const char *name)
{
    return g_strdup_printf("%s/%s", tmpdir, name);
}

static Drive *open_drive(const char *fmt, uint64_t size, bool ro, bool discard, char **path_out)
{
    char *path = tmp_path(fmt);
    char *err = NULL;
    ck_assert_int_eq(block_create(path, fmt, size, NULL, &err), 0);
    DriveOptions o = {0};
    o.file = path;
    o.format = (char *)fmt;
    o.id = (char *)"disk0";
    o.iface = DRIVE_IF_VIRTIO;
    o.index = o.bus = o.unit = -1;
    o.readonly = ro;
    o.discard = discard;
    Drive *drv = drive_open(&o, &err);
    ck_assert_msg(drv != NULL, "%s", err ? err : "");
    *path_out = path;
    return drv;
}

/* One virtio-blk request: header, optional data, status. Returns status. */
static int blk_req(VDriver *d, uint32_t type, uint64_t sector, uint64_t data, uint32_t len,
                   bool data_in, uint32_t *used_len)
{
    uint8_t hdr[16] = {0};
    memcpy(hdr, &type, 4);
    memcpy(hdr + 8, &sector, 8);
    vd_write_mem(d, HDR_ADDR, hdr, 16);
    uint8_t st = 0xee;
    vd_write_mem(d, STATUS_ADDR, &st, 1);
    VdBuf b[3];
    int n = 0;
    b[n++] = (VdBuf){HDR_ADDR, 16, false};
    if (len) {
        b[n++] = (VdBuf){data, len, data_in};
    }
    b[n++] = (VdBuf){STATUS_ADDR, 1, true};
    int head = vd_submit(d, 0, b, n);
    uint32_t id, ul;
    ck_assert(vd_wait_used(d, 0, &id, &ul));
    ck_assert_uint_eq(id, head);
    if (used_len) {
        *used_len = ul;
    }
    vd_read_mem(d, STATUS_ADDR, &st, 1);
    return st;
}

static VDriver *blk_setup(VDriver *d, Drive *drv, bool legacy)
{
    char *err = NULL;
    vd_setup(d, legacy);
    VirtIODevice *vdev = virtio_blk_new(drv, &err);
    ck_assert_ptr_nonnull(vdev);
    ck_assert(virtio_mmio_plug(d->mmio, vdev));
    ck_assert_uint_eq(vd_reg_read(d, R_MAGIC), 0x74726976);
    ck_assert_uint_eq(vd_reg_read(d, R_VERSION), legacy ? 1 : 2);
    ck_assert_uint_eq(vd_reg_read(d, R_DEVICE_ID), VIRTIO_ID_BLOCK);
    vd_init_device(d,
                   legacy ? F(VIRTIO_RING_F_INDIRECT_DESC) | F(9) | F(13) | F(14)
                          : MODERN | F(9) | F(13) | F(14),
                   1);
    return d;
}

static void blk_rw_roundtrip(const char *fmt, bool legacy)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive(fmt, 1 << 20, false, true, &path);
    VDriver d;
    blk_setup(&d, drv, legacy);

    /* Capacity in config space: 1 MiB = 2048 sectors. */
    ck_assert_uint_eq(vd_reg_read(&d, R_CONFIG), 2048);

    uint8_t pattern[4096];
    for (int i = 0; i < 4096; i++) {
        pattern[i] = i * 7 + 3;
    }
    vd_write_mem(&d, DATA_ADDR, pattern, sizeof(pattern));
    ck_assert_int_eq(blk_req(&d, 1, 8, DATA_ADDR, 4096, false, NULL), 0);
    ck_assert_int_eq(d.irq_level, 1);
    ck_assert_uint_eq(vd_reg_read(&d, R_INT_STATUS) & 1, 1);
    vd_reg_write(&d, R_INT_ACK, 1);
    ck_assert_int_eq(d.irq_level, 0);

    memset(d.ram_ptr + DATA_ADDR, 0, 4096);
    uint32_t ul;
    ck_assert_int_eq(blk_req(&d, 0, 8, DATA_ADDR, 4096, true, &ul), 0);
    ck_assert_uint_eq(ul, 4097);
    ck_assert_mem_eq(d.ram_ptr + DATA_ADDR, pattern, 4096);
    /* Flush. */
    ck_assert_int_eq(blk_req(&d, 4, 0, 0, 0, false, NULL), 0);
    /* Get ID. */
    ck_assert_int_eq(blk_req(&d, 8, 0, DATA_ADDR, 20, true, NULL), 0);
    ck_assert_str_eq((char *)d.ram_ptr + DATA_ADDR, "disk0");

    vd_teardown(&d);
    drive_close(drv);

    /* The image holds the bytes (through the block layer, any format). */
    char *err = NULL;
    BlockDev *bs = block_open(path, fmt, 0, &err);
    ck_assert_ptr_nonnull(bs);
    uint8_t back[4096];
    ck_assert_int_eq(block_read(bs, 8 * 512, back, 4096, &err), 0);
    ck_assert_mem_eq(back, pattern, 4096);
    block_close(bs);
    if (!strcmp(fmt, "raw")) {
        FILE *f = fopen(path, "rb");
        fseek(f, 8 * 512, SEEK_SET);
        ck_assert_uint_eq(fread(back, 1, 4096, f), 4096);
        fclose(f);
        ck_assert_mem_eq(back, pattern, 4096);
    }
    g_free(path);
}

START_TEST(test_blk_raw)
{
    blk_rw_roundtrip("raw", false);
}
END_TEST

START_TEST(test_blk_qcow2)
{
    blk_rw_roundtrip("qcow2", false);
}
END_TEST

START_TEST(test_blk_legacy_mmio)
{
    blk_rw_roundtrip("raw", true);
}
END_TEST

START_TEST(test_blk_discard_zeroes_ioerr)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive("qcow2", 1 << 20, false, true, &path);
    VDriver d;
    blk_setup(&d, drv, false);
    memset(d.ram_ptr + DATA_ADDR, 0xab, 8192);
    ck_assert_int_eq(blk_req(&d, 1, 0, DATA_ADDR, 8192, false, NULL), 0);

    /* Discard the whole first qcow2 cluster (partial clusters may be kept,
     * as in QEMU): it reads back as zeroes. */
    uint8_t seg[16] = {0};
    uint64_t sector = 0;
    uint32_t num = 128;
    memcpy(seg, &sector, 8);
    memcpy(seg + 8, &num, 4);
    vd_write_mem(&d, DATA_ADDR + 0x10000, seg, 16);
    ck_assert_int_eq(blk_req(&d, 11, 0, DATA_ADDR + 0x10000, 16, false, NULL), 0);
    ck_assert_int_eq(blk_req(&d, 0, 0, DATA_ADDR, 8192, true, NULL), 0);
    for (int i = 0; i < 8192; i++) {
        ck_assert_uint_eq(d.ram_ptr[DATA_ADDR + i], 0);
    }
    /* Write again, then zero sectors 8..15 only. */
    memset(d.ram_ptr + DATA_ADDR, 0xab, 8192);
    ck_assert_int_eq(blk_req(&d, 1, 0, DATA_ADDR, 8192, false, NULL), 0);
    sector = 8;
    num = 8;
    memcpy(seg, &sector, 8);
    memcpy(seg + 8, &num, 4);
    vd_write_mem(&d, DATA_ADDR + 0x10000, seg, 16);
    ck_assert_int_eq(blk_req(&d, 13, 0, DATA_ADDR + 0x10000, 16, false, NULL), 0);
    memset(d.ram_ptr + DATA_ADDR, 0x77, 8192);
    ck_assert_int_eq(blk_req(&d, 0, 0, DATA_ADDR, 8192, true, NULL), 0);
    for (int i = 0; i < 8192; i++) {
        ck_assert_uint_eq(d.ram_ptr[DATA_ADDR + i], i < 4096 ? 0xab : 0);
    }

    /* Beyond the end: IOERR, for reads and writes; unknown type: UNSUPP. */
    ck_assert_int_eq(blk_req(&d, 0, 2047, DATA_ADDR, 1024, true, NULL), 1);
    ck_assert_int_eq(blk_req(&d, 1, 4096, DATA_ADDR, 512, false, NULL), 1);
    ck_assert_int_eq(blk_req(&d, 0, UINT64_MAX / 256, DATA_ADDR, 512, true, NULL), 1);
    ck_assert_int_eq(blk_req(&d, 77, 0, 0, 0, false, NULL), 2);
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}
END_TEST

START_TEST(test_blk_readonly)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive("raw", 64 << 10, true, false, &path);
    VDriver d;
    blk_setup(&d, drv, false);
    vd_reg_write(&d, R_DEV_FEAT_SEL, 0);
    ck_assert(vd_reg_read(&d, R_DEV_FEAT) & (1u << 5)); /* VIRTIO_BLK_F_RO */
    memset(d.ram_ptr + DATA_ADDR, 0x5a, 512);
    ck_assert_int_eq(blk_req(&d, 1, 0, DATA_ADDR, 512, false, NULL), 1);
    ck_assert_int_eq(blk_req(&d, 0, 0, DATA_ADDR, 512, true, NULL), 0);
    ck_assert_uint_eq(d.ram_ptr[DATA_ADDR], 0);
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}
END_TEST

START_TEST(test_blk_indirect)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive("raw", 1 << 20, false, false, &path);
    VDriver d;
    blk_setup(&d, drv, false);
    memset(d.ram_ptr + DATA_ADDR, 0x11, 512);
    ck_assert_int_eq(blk_req(&d, 1, 1, DATA_ADDR, 512, false, NULL), 0);
    memset(d.ram_ptr + DATA_ADDR, 0, 512);
    /* A read through an indirect table of three descriptors. */
    uint8_t hdr[16] = {0};
    hdr[8] = 1;
    vd_write_mem(&d, HDR_ADDR, hdr, 16);
    uint64_t table = 0x320000;
    struct {
        uint64_t addr;
        uint32_t len;
        uint16_t flags, next;
    } __attribute__((packed)) ind[3] = {
        {HDR_ADDR, 16, VRING_DESC_F_NEXT, 1},
        {DATA_ADDR, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2},
        {STATUS_ADDR, 1, VRING_DESC_F_WRITE, 0},
    };
    vd_write_mem(&d, table, ind, sizeof(ind));
    vd_write_desc(&d, 0, 5, table, sizeof(ind), VRING_DESC_F_INDIRECT, 0);
    vd_publish(&d, 0, 5);
    vd_kick(&d, 0);
    uint32_t id, len;
    ck_assert(vd_wait_used(&d, 0, &id, &len));
    ck_assert_uint_eq(id, 5);
    ck_assert_uint_eq(len, 513);
    ck_assert_uint_eq(d.ram_ptr[STATUS_ADDR], 0);
    ck_assert_uint_eq(d.ram_ptr[DATA_ADDR + 100], 0x11);
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}
END_TEST

/* Malformed chains break the device (NEEDS_RESET), never the emulator; a
 * reset brings it back. */
static void malformed_case(int kind)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive("raw", 1 << 20, false, false, &path);
    VDriver d;
    blk_setup(&d, drv, false);
    int raises = d.irq_raises;
    switch (kind) {
    case 0: /* a loop: 0 -> 1 -> 0 */
        vd_write_desc(&d, 0, 0, HDR_ADDR, 16, VRING_DESC_F_NEXT, 1);
        vd_write_desc(&d, 0, 1, DATA_ADDR, 16, VRING_DESC_F_NEXT, 0);
        vd_publish(&d, 0, 0);
        break;
    case 1: /* a buffer outside RAM */
        vd_write_desc(&d, 0, 0, 0xf0000000ull, 16, VRING_DESC_F_NEXT, 1);
        vd_write_desc(&d, 0, 1, STATUS_ADDR, 1, VRING_DESC_F_WRITE, 0);
        vd_publish(&d, 0, 0);
        break;
    case 2: /* next index beyond the queue */
        vd_write_desc(&d, 0, 0, HDR_ADDR, 16, VRING_DESC_F_NEXT, 200);
        vd_publish(&d, 0, 0);
        break;
    case 3: /* head beyond the queue */ vd_publish(&d, 0, 1000); break;
    case 4: /* a nested indirect table */
        vd_write_desc(&d, 0, 0, 0x320000, 16, VRING_DESC_F_INDIRECT, 0);
        vd_write_desc(&d, 0, 0, 0x320000, 16, VRING_DESC_F_INDIRECT, 0);
        {
            struct {
                uint64_t addr;
                uint32_t len;
                uint16_t flags, next;
            } __attribute__((packed)) nested = {0x320000, 16, VRING_DESC_F_INDIRECT, 0};
            vd_write_mem(&d, 0x320000, &nested, 16);
        }
        vd_publish(&d, 0, 0);
        break;
    case 5: /* the avail index jumps by more than the queue size */
        d.q[0].avail_idx = 100;
        vd_publish(&d, 0, 0);
        break;
    case 6: /* an indirect table longer than any chain may be */
        vd_write_desc(&d, 0, 0, 0x320000, 0xfffffff0u, VRING_DESC_F_INDIRECT, 0);
        vd_publish(&d, 0, 0);
        break;
    }
    vd_kick(&d, 0);
    for (int i = 0; i < 10; i++) {
        main_loop_iterate(false);
    }
    ck_assert_uint_eq(vd_used_idx(&d, 0), 0);
    ck_assert(vd_reg_read(&d, R_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
    ck_assert_int_gt(d.irq_raises, raises);
    ck_assert_uint_eq(vd_reg_read(&d, R_INT_STATUS) & VIRTIO_ISR_CONFIG, VIRTIO_ISR_CONFIG);
    /* Further kicks are ignored. */
    vd_kick(&d, 0);
    /* After a reset the device works again. */
    vd_init_device(&d, MODERN, 1);
    ck_assert_int_eq(blk_req(&d, 4, 0, 0, 0, false, NULL), 0);
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}

START_TEST(test_malformed)
{
    malformed_case(_i);
}
END_TEST

START_TEST(test_rng)
{
    VDriver d;
    vd_setup(&d, false);
    ck_assert(virtio_mmio_plug(d.mmio, virtio_rng_new()));
    ck_assert_uint_eq(vd_reg_read(&d, R_DEVICE_ID), VIRTIO_ID_RNG);
    vd_init_device(&d, MODERN, 1);
    memset(d.ram_ptr + DATA_ADDR, 0, 256);
    VdBuf b = {DATA_ADDR, 256, true};
    vd_submit(&d, 0, &b, 1);
    uint32_t id, len;
    ck_assert(vd_wait_used(&d, 0, &id, &len));
    ck_assert_uint_eq(len, 256);
    int zeros = 0;
    for (int i = 0; i < 256; i++) {
        zeros += d.ram_ptr[DATA_ADDR + i] == 0;
    }
    ck_assert_int_lt(zeros, 16);
    ck_assert_int_eq(d.irq_level, 1);
    vd_teardown(&d);
}
END_TEST

START_TEST(test_console)
{
    setup_tmp();
    char *base = tmp_path("con");
    char *in = g_strdup_printf("%s.in", base), *out = g_strdup_printf("%s.out", base);
    ck_assert_int_eq(mkfifo(in, 0600), 0);
    ck_assert_int_eq(mkfifo(out, 0600), 0);
    char *spec = g_strdup_printf("pipe:%s", base), *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err ? err : "");
    int in_fd = open(in, O_RDWR), out_fd = open(out, O_RDWR | O_NONBLOCK);

    VDriver d;
    vd_setup(&d, false);
    ck_assert(virtio_mmio_plug(d.mmio, virtio_console_new(chr)));
    vd_init_device(&d, MODERN | 1, 2);
    ck_assert_uint_eq(vd_reg_read(&d, R_CONFIG) & 0xffff, 80);

    /* Output: guest -> chardev. */
    vd_write_mem(&d, DATA_ADDR, "hello, host\n", 12);
    VdBuf tx = {DATA_ADDR, 12, false};
    vd_submit(&d, 1, &tx, 1);
    ck_assert(vd_wait_used(&d, 1, NULL, NULL));
    char buf[64] = {0};
    ck_assert_int_eq(read(out_fd, buf, sizeof(buf)), 12);
    ck_assert_str_eq(buf, "hello, host\n");

    /* Input: chardev -> guest, into a posted receive buffer. */
    VdBuf rx = {DATA_ADDR + 0x1000, 64, true};
    vd_submit(&d, 0, &rx, 1);
    ck_assert_int_eq(write(in_fd, "typed", 5), 5);
    uint32_t id, len;
    ck_assert(vd_wait_used(&d, 0, &id, &len));
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(d.ram_ptr + DATA_ADDR + 0x1000, "typed", 5);

    vd_teardown(&d);
    chardev_free(chr);
    close(in_fd);
    close(out_fd);
    g_free(spec);
    g_free(in);
    g_free(out);
    g_free(base);
}
END_TEST

START_TEST(test_save_load)
{
    VDriver d;
    vd_setup(&d, false);
    ck_assert(virtio_mmio_plug(d.mmio, virtio_rng_new()));
    vd_init_device(&d, MODERN, 1);
    VdBuf b = {DATA_ADDR, 16, true};
    vd_submit(&d, 0, &b, 1);
    ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    size_t len;
    const void *data = state_stream_data(w, &len);
    vd_reg_write(&d, R_STATUS, 0); /* forget everything */
    ck_assert_uint_eq(vd_reg_read(&d, R_STATUS), 0);
    StateStream *r = state_stream_new_reader(data, len);
    char *err = NULL;
    ck_assert_msg(device_load_all(r, &err), "%s", err ? err : "");
    ck_assert_uint_eq(vd_reg_read(&d, R_STATUS) & VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_DRIVER_OK);
    /* The queue continues where it was. */
    vd_submit(&d, 0, &b, 1);
    ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    ck_assert_uint_eq(vd_used_idx(&d, 0), 2);
    state_stream_free(r);
    state_stream_free(w);
    vd_teardown(&d);
}
END_TEST

START_TEST(test_empty_transport)
{
    VDriver d;
    vd_setup(&d, false);
    ck_assert_uint_eq(vd_reg_read(&d, R_MAGIC), 0x74726976);
    ck_assert_uint_eq(vd_reg_read(&d, R_DEVICE_ID), 0);
    vd_reg_write(&d, R_STATUS, 7);
    vd_reg_write(&d, R_QUEUE_NOTIFY, 3);
    vd_teardown(&d);
}
END_TEST

START_TEST(test_device_options)
{
    setup_tmp();
    char *path, *err = NULL;
    Drive *drv = open_drive("raw", 64 << 10, false, false, &path);
    bool handled;
    ck_assert_ptr_null(virtio_device_from_option("e1000,netdev=n0", &drv, 1, NULL, &handled, &err));
    ck_assert(!handled);
    ck_assert_ptr_null(err);
    static const char *bad[] = {
        "virtio-blk-device",         "virtio-blk-device,drive=nope",
        "virtio-rng-device,speed=3", "virtio-net-device,netdev=missing",
        "virtio-net-device,mac=1:2", "virtio-blk-pci,drive",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        err = NULL;
        ck_assert_msg(!virtio_device_from_option(bad[i], &drv, 1, NULL, &handled, &err),
                      "%s accepted", bad[i]);
        ck_assert(handled);
        ck_assert_ptr_nonnull(err);
        g_free(err);
    }
    VDriver d;
    vd_setup(&d, false);
    VirtIODevice *vdev = virtio_device_from_option("virtio-blk-device,drive=disk0,id=vd0", &drv, 1,
                                                   NULL, &handled, &err);
    ck_assert_ptr_nonnull(vdev);
    ck_assert(virtio_mmio_plug(d.mmio, vdev));
    ck_assert(!virtio_mmio_plug(d.mmio, vdev));
    ck_assert_uint_eq(vd_reg_read(&d, R_DEVICE_ID), VIRTIO_ID_BLOCK);
    vd_teardown(&d);
    static const char *good[] = {"virtio-rng-device", "virtio-serial-device", "virtconsole",
                                 "virtio-net-device,mac=52:54:00:00:00:09"};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        vdev = virtio_device_from_option(good[i], NULL, 0, NULL, &handled, &err);
        ck_assert_msg(vdev != NULL, "%s", good[i]);
        virtio_free(vdev);
    }
    drive_close(drv);
    g_free(path);
}
END_TEST

/* A guest scribbling over every register and its rings: no crash, and the
 * device still works after a reset. */
START_TEST(test_register_scribble)
{
    setup_tmp();
    char *path;
    Drive *drv = open_drive("raw", 1 << 20, false, false, &path);
    VDriver d;
    blk_setup(&d, drv, _i == 1);
    GRand *r = g_rand_new_with_seed(1234 + _i);
    for (int i = 0; i < 20000; i++) {
        uint32_t reg = g_rand_int_range(r, 0, VIRTIO_MMIO_SIZE / 4) * 4;
        uint32_t val = g_rand_int(r);
        switch (g_rand_int_range(r, 0, 6)) {
        case 0: /* small values reach more interesting states */ val &= 0xff; break;
        case 1: /* ring addresses inside RAM */ val &= VD_RAM_SIZE - 1; break;
        case 2: /* scribble over the rings themselves */
            d.ram_ptr[0x100000 + g_rand_int_range(r, 0, 0x10000)] = val;
            continue;
        }
        if (reg == R_STATUS && (val & 0xff) == 0) {
            continue;
        }
        vd_reg_write(&d, reg, val);
        vd_reg_read(&d, g_rand_int_range(r, 0, VIRTIO_MMIO_SIZE / 4) * 4);
        if (i % 64 == 0) {
            main_loop_iterate(false);
        }
    }
    g_rand_free(r);
    block_aio_drain();
    vd_init_device(&d, _i == 1 ? 0 : MODERN, 1);
    ck_assert_int_eq(blk_req(&d, 4, 0, 0, 0, false, NULL), 0);
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}
END_TEST

static void be_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++) {
        p[i] = v >> (8 * (n - 1 - i));
    }
}

static uint64_t be_get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

/* A big-endian guest with a legacy driver: rings in guest byte order. */
START_TEST(test_legacy_big_endian)
{
    VDriver d;
    vd_setup(&d, true);
    VirtIODevice *vdev = virtio_rng_new();
    vdev->legacy_big_endian = true;
    ck_assert(virtio_mmio_plug(d.mmio, vdev));
    vd_init_device(&d, 0, 1);
    VdQueue *q = &d.q[0];
    uint8_t *ram = d.ram_ptr;
    be_put(ram + q->desc, DATA_ADDR, 8);
    be_put(ram + q->desc + 8, 48, 4);
    be_put(ram + q->desc + 12, VRING_DESC_F_WRITE, 2);
    be_put(ram + q->avail + 4, 0, 2);
    be_put(ram + q->avail + 2, 1, 2);
    memset(ram + DATA_ADDR, 0, 48);
    vd_kick(&d, 0);
    ck_assert_uint_eq(be_get(ram + q->used + 2, 2), 1);
    ck_assert_uint_eq(be_get(ram + q->used + 4, 4), 0);
    ck_assert_uint_eq(be_get(ram + q->used + 8, 4), 48);
    ck_assert_int_eq(d.irq_level, 1);
    vd_teardown(&d);
}
END_TEST

/* VIRTIO_RING_F_EVENT_IDX: interrupts only when used_event is crossed, and
 * the device publishes avail_event. */
START_TEST(test_event_idx)
{
    VDriver d;
    vd_setup(&d, false);
    ck_assert(virtio_mmio_plug(d.mmio, virtio_rng_new()));
    ck_assert(vd_init_device(&d, MODERN, 1) & F(VIRTIO_RING_F_EVENT_IDX));
    VdQueue *q = &d.q[0];
    uint16_t used_event = 5;
    vd_write_mem(&d, q->avail + 4 + 2 * q->num, &used_event, 2);
    VdBuf b = {DATA_ADDR, 8, true};
    vd_submit(&d, 0, &b, 1);
    ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    ck_assert_int_eq(d.irq_raises, 1); /* the first one always interrupts */
    vd_reg_write(&d, R_INT_ACK, 1);
    for (int i = 0; i < 3; i++) {
        vd_submit(&d, 0, &b, 1);
        ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    }
    ck_assert_int_eq(d.irq_raises, 1); /* used idx 2..4: not past 5 yet */
    uint16_t avail_event;
    vd_read_mem(&d, q->used + 4 + 8 * q->num, &avail_event, 2);
    ck_assert_uint_eq(avail_event, 4);
    vd_submit(&d, 0, &b, 1);
    ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    ck_assert_int_eq(d.irq_raises, 1); /* idx 5 */
    vd_submit(&d, 0, &b, 1);
    ck_assert(vd_wait_used(&d, 0, NULL, NULL));
    ck_assert_int_eq(d.irq_raises, 2); /* idx 6 crossed used_event + 1 */
    vd_teardown(&d);
}
END_TEST

/* MIMIC_VIRTIO_BENCH=N: N 4 KiB reads through the whole path (ring walk,
 * block pool, completion on the main loop); prints requests per second. */
START_TEST(test_blk_bench)
{
    const char *n_env = getenv("MIMIC_VIRTIO_BENCH");
    if (!n_env) {
        return;
    }
    int n = atoi(n_env);
    setup_tmp();
    char *path;
    Drive *drv = open_drive("raw", 16 << 20, false, false, &path);
    VDriver d;
    blk_setup(&d, drv, false);
    gint64 t0 = g_get_monotonic_time();
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(blk_req(&d, 0, (i * 8) % 32768, DATA_ADDR, 4096, true, NULL), 0);
    }
    gint64 us = g_get_monotonic_time() - t0;
    printf("virtio-blk: %d sequential 4 KiB reads in %.3f s: %.0f requests/s\n", n, us / 1e6,
           n / (us / 1e6));
    vd_teardown(&d);
    drive_close(drv);
    g_free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virtio");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_blk_raw);
    tcase_add_test(tc, test_blk_qcow2);
    tcase_add_test(tc, test_blk_legacy_mmio);
    tcase_add_test(tc, test_blk_discard_zeroes_ioerr);
    tcase_add_test(tc, test_blk_readonly);
    tcase_add_test(tc, test_blk_indirect);
    tcase_add_loop_test(tc, test_malformed, 0, 7);
    tcase_add_test(tc, test_rng);
    tcase_add_test(tc, test_console);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_empty_transport);
    tcase_add_test(tc, test_device_options);
    tcase_add_test(tc, test_blk_bench);
    tcase_add_test(tc, test_legacy_big_endian);
    tcase_add_test(tc, test_event_idx);
    tcase_add_loop_test(tc, test_register_scribble, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
