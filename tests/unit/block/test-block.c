/* Block layer tests through block/block.h: raw and qcow2 (v2/v3, cluster
 * sizes, refcount widths, zlib/zstd compression, extended L2), backing
 * chains, snapshots, discard/zeroes, check/repair, amend, resize, crash
 * safety; images are cross-checked with qemu-img when it is installed. */
#include "block-test-util.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void must(int ret, char *err, const char *what)
{
    ck_assert_msg(ret >= 0, "%s failed (%d): %s", what, ret, err ? err : "?");
    free(err);
}

/* Mirrors every operation in `expect`, the bytes a reader must see. */
typedef struct Mirror {
    BlockDev *bs;
    uint8_t *expect;
    uint64_t size;
} Mirror;

static void m_write(Mirror *m, uint64_t off, uint64_t len, uint64_t seed, int flags)
{
    uint8_t *b = malloc(len);
    bt_fill(b, len, seed);
    if (flags & BLOCK_WRITE_COMPRESSED) {
        for (uint64_t i = 0; i < len; i++)
            b[i] = (uint8_t)((i / 512) + seed); /* compressible */
    }
    char *err = NULL;
    must(block_write(m->bs, off, b, len, flags, &err), err, "write");
    memcpy(m->expect + off, b, len);
    free(b);
}

static void m_zero(Mirror *m, uint64_t off, uint64_t len, int flags)
{
    char *err = NULL;
    must(block_write_zeroes(m->bs, off, len, flags, &err), err, "write_zeroes");
    memset(m->expect + off, 0, len);
}

typedef struct Qcow2Case {
    uint32_t cluster_size;
    uint32_t refcount_bits;
    const char *compat;
    bool extended_l2;
    BlockCompression compression;
    bool lazy;
} Qcow2Case;

static const Qcow2Case qcow2_cases[] = {
    {65536, 16, "1.1", false, BLOCK_COMPRESSION_ZLIB, false},
    {65536, 16, "0.10", false, BLOCK_COMPRESSION_ZLIB, false},
    {512, 16, "0.10", false, BLOCK_COMPRESSION_ZLIB, false},
    {512, 64, "1.1", false, BLOCK_COMPRESSION_ZLIB, false},
    {512, 1, "1.1", false, BLOCK_COMPRESSION_ZLIB, false},
    {4096, 2, "1.1", false, BLOCK_COMPRESSION_ZSTD, false},
    {4096, 4, "1.1", false, BLOCK_COMPRESSION_ZLIB, true},
    {16384, 8, "1.1", true, BLOCK_COMPRESSION_ZLIB, false},
    {65536, 32, "1.1", true, BLOCK_COMPRESSION_ZSTD, false},
    {2097152, 16, "1.1", false, BLOCK_COMPRESSION_ZLIB, false},
    {1048576, 16, "1.1", true, BLOCK_COMPRESSION_ZSTD, true},
};

static void check_clean(BlockDev *bs)
{
    BlockCheckResult res;
    char *err = NULL;
    must(block_check(bs, 0, &res, &err), err, "check");
    ck_assert_msg(res.corruptions == 0 && res.leaks == 0 && res.check_errors == 0,
                  "check found problems:\n%s", res.messages ? res.messages : "");
    block_check_result_clear(&res);
}

START_TEST(test_qcow2_matrix)
{
    const Qcow2Case *c = &qcow2_cases[_i];
    uint64_t cs = c->cluster_size;
    uint64_t size = cs * 64 > (4u << 20) ? cs * 64 : (4u << 20);
    size += 12800; /* a partial last cluster (qemu counts 512-byte sectors) */
    const char *img = bt_path("matrix.qcow2");
    BlockCreateOpts o = {.cluster_size = c->cluster_size,
                         .refcount_bits = c->refcount_bits,
                         .compat = c->compat,
                         .extended_l2 = c->extended_l2,
                         .compression_type = c->compression,
                         .lazy_refcounts = c->lazy};
    char *err = NULL;
    must(block_create(img, "qcow2", size, &o, &err), err, "create");
    Mirror m = {.bs = bt_open(img, BLOCK_O_RDWR), .expect = calloc(1, size), .size = size};
    ck_assert_str_eq(block_get_format(m.bs), "qcow2");
    ck_assert_uint_eq(block_get_cluster_size(m.bs), cs);
    m_write(&m, 0, cs, 1, 0);
    m_write(&m, cs * 3 + 100, cs * 3 + 77, 2, 0);
    m_write(&m, size - 1000, 1000, 3, 0);
    m_write(&m, 50, 10, 4, 0);
    m_zero(&m, cs * 10, cs * 2, 0);
    m_write(&m, cs * 12 + 7, 33, 5, 0);
    m_zero(&m, 5, 20, 0);
    m_zero(&m, cs * 4, cs, BLOCK_ZERO_MAY_UNMAP);
    must(block_discard(m.bs, cs * 5, cs, &err), err, "discard");
    memset(m.expect + cs * 5, 0, cs);
    m_write(&m, cs * 30, cs * 2, 6, BLOCK_WRITE_COMPRESSED);
    m_write(&m, cs * 31 + 3, 100, 7, 0); /* copy-on-write out of a compressed cluster */
    m_write(&m, cs * 40, cs * 8, 8, 0);
    bt_assert_contents(m.bs, m.expect, size);
    check_clean(m.bs);
    must(block_close(m.bs), NULL, "close");

    m.bs = bt_open(img, 0);
    bt_assert_contents(m.bs, m.expect, size);
    BlockInfo info;
    must(block_get_info(m.bs, &info, &err), err, "info");
    ck_assert_str_eq(info.compat, c->compat);
    ck_assert_uint_eq(info.refcount_bits, c->refcount_bits);
    ck_assert_uint_eq(info.cluster_size, cs);
    ck_assert_int_eq(info.extended_l2, c->extended_l2);
    ck_assert_int_eq(info.lazy_refcounts, c->lazy);
    ck_assert_int_eq(info.dirty, false);
    ck_assert_str_eq(info.compression_type,
                     c->compression == BLOCK_COMPRESSION_ZSTD ? "zstd" : "zlib");
    block_info_clear(&info);
    check_clean(m.bs);
    block_close(m.bs);
    bt_assert_qemu_agrees(img, m.expect, size);
    free(m.expect);
}
END_TEST

START_TEST(test_raw)
{
    const char *img = bt_path("disk.raw");
    uint64_t size = 3 << 20;
    char *err = NULL;
    must(block_create(img, "raw", size, NULL, &err), err, "create");
    Mirror m = {.bs = bt_open(img, BLOCK_O_RDWR), .expect = calloc(1, size), .size = size};
    ck_assert_str_eq(block_get_format(m.bs), "raw");
    ck_assert_uint_eq(block_get_cluster_size(m.bs), 0);
    m_write(&m, 1 << 20, 4096 * 3, 1, 0);
    m_write(&m, 17, 100, 2, 0);
    m_zero(&m, (1 << 20) + 4096, 4096, BLOCK_ZERO_MAY_UNMAP);
    bt_assert_contents(m.bs, m.expect, size);
    BlockStatus st;
    must(block_get_status(m.bs, 2 << 20, 1 << 20, true, &st, &err), err, "status");
    ck_assert(st.flags & BLOCK_STATUS_ZERO);
    ck_assert(!(st.flags & BLOCK_STATUS_DATA));
    must(block_get_status(m.bs, 1 << 20, 4096, true, &st, &err), err, "status");
    ck_assert(st.flags & BLOCK_STATUS_DATA);
    ck_assert_uint_eq(st.host_offset, 1 << 20);
    ck_assert_int_lt(block_write(m.bs, 0, m.expect, 4096, BLOCK_WRITE_COMPRESSED, &err), 0);
    ck_assert_ptr_nonnull(err);
    free(err);
    err = NULL;
    ck_assert_int_lt(block_truncate(m.bs, 1 << 20, false, BLOCK_PREALLOC_OFF, &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "shrink"));
    free(err);
    err = NULL;
    must(block_truncate(m.bs, size * 2, false, BLOCK_PREALLOC_OFF, &err), err, "grow");
    ck_assert_uint_eq(block_get_length(m.bs), size * 2);
    BlockCheckResult res;
    ck_assert_int_eq(block_check(m.bs, 0, &res, NULL), -ENOTSUP);
    block_close(m.bs);
    struct stat sb;
    ck_assert_int_eq(stat(img, &sb), 0);
    ck_assert_uint_eq(sb.st_size, size * 2);
    BlockCreateOpts o = {.preallocation = BLOCK_PREALLOC_FULL};
    must(block_create(img, "raw", 1 << 20, &o, &err), err, "create full");
    ck_assert_int_eq(stat(img, &sb), 0);
    ck_assert_uint_ge((uint64_t)sb.st_blocks * 512, 1 << 20);
    free(m.expect);
}
END_TEST

START_TEST(test_backing_chain)
{
    uint64_t size = 4 << 20, cs = 65536;
    const char *base = bt_path("base.qcow2"), *mid = bt_path("mid.qcow2"),
               *top = bt_path("top.qcow2");
    char *err = NULL;
    uint8_t *expect = calloc(1, size);
    must(block_create(base, "qcow2", size, NULL, &err), err, "create base");
    Mirror m = {.bs = bt_open(base, BLOCK_O_RDWR), .expect = expect, .size = size};
    m_write(&m, 0, size, 1, 0);
    block_close(m.bs);
    BlockCreateOpts o = {.backing_file = "base.qcow2", .backing_fmt = "qcow2", .compat = "0.10"};
    must(block_create(mid, "qcow2", BLOCK_SIZE_FROM_BACKING, &o, &err), err, "create mid");
    m.bs = bt_open(mid, BLOCK_O_RDWR);
    m_write(&m, cs + 10, 20, 2, 0); /* partial cluster: COW from base */
    m_write(&m, cs * 8, cs * 2, 3, 0);
    block_close(m.bs);
    BlockCreateOpts o2 = {.backing_file = "mid.qcow2", .extended_l2 = true};
    must(block_create(top, "qcow2", size, &o2, &err), err, "create top");
    m.bs = bt_open(top, BLOCK_O_RDWR);
    ck_assert_ptr_nonnull(block_get_backing(m.bs));
    ck_assert_ptr_nonnull(block_get_backing(block_get_backing(m.bs)));
    m_write(&m, cs * 8 + 5000, 3000, 4, 0); /* subclusters, COW from mid */
    m_write(&m, 3, 1, 5, 0);
    m_zero(&m, cs * 20, cs, 0);
    must(block_discard(m.bs, cs * 21, cs, &err), err, "discard");
    memset(expect + cs * 21, 0, cs); /* v3 with a backing file: zero flag */
    bt_assert_contents(m.bs, expect, size);

    BlockStatus st;
    must(block_get_status(m.bs, 0, size, true, &st, &err), err, "status");
    ck_assert_int_eq(st.depth, 0);
    ck_assert(st.flags & BLOCK_STATUS_DATA);
    must(block_get_status(m.bs, cs + 10, cs, true, &st, &err), err, "status");
    ck_assert_int_eq(st.depth, 1);
    must(block_get_status(m.bs, cs * 3, cs, true, &st, &err), err, "status");
    ck_assert_int_eq(st.depth, 2);
    must(block_get_status(m.bs, cs * 3, cs, false, &st, &err), err, "status");
    ck_assert_uint_eq(st.flags & BLOCK_STATUS_ALLOCATED, 0);
    block_close(m.bs);

    BlockInfo info;
    m.bs = bt_open(top, 0);
    must(block_get_info(m.bs, &info, &err), err, "info");
    ck_assert_str_eq(info.backing_file, "mid.qcow2");
    ck_assert_str_eq(info.backing_fmt, "qcow2");
    block_info_clear(&info);
    block_close(m.bs);
    bt_assert_qemu_agrees(top, expect, size);
    if (bt_have_qemu()) {
        char *out;
        ck_assert_int_eq(bt_run(&out, "qemu-img check '%s' 2>&1", mid), 0);
        free(out);
    }
    /* A loop in the chain is refused. */
    m.bs = bt_open(base, BLOCK_O_RDWR);
    must(block_change_backing_file(m.bs, "top.qcow2", "qcow2", &err), err, "rebase");
    block_close(m.bs);
    ck_assert_ptr_null(block_open(top, NULL, 0, &err));
    ck_assert_ptr_nonnull(strstr(err, "loop"));
    free(err);
    free(expect);
}
END_TEST

START_TEST(test_snapshots)
{
    uint64_t size = 8 << 20, cs = 65536;
    const char *img = bt_path("snap.qcow2");
    char *err = NULL;
    must(block_create(img, "qcow2", size, NULL, &err), err, "create");
    uint8_t *a = calloc(1, size);
    Mirror m = {.bs = bt_open(img, BLOCK_O_RDWR), .expect = a, .size = size};
    m_write(&m, 0, cs * 5, 1, 0);
    m_write(&m, cs * 9, cs * 2, 2, BLOCK_WRITE_COMPRESSED);
    uint8_t *snap_a = malloc(size);
    memcpy(snap_a, a, size);
    must(block_snapshot_create(m.bs, "first", &err), err, "snapshot");
    check_clean(m.bs);
    m_write(&m, cs, 100, 3, 0);
    m_write(&m, cs * 9 + 5, 5, 4, 0);
    m_write(&m, cs * 50, cs, 5, 0);
    uint8_t *snap_b = malloc(size);
    memcpy(snap_b, a, size);
    must(block_snapshot_create(m.bs, "second", &err), err, "snapshot 2");
    m_write(&m, 0, cs * 2, 6, 0);
    check_clean(m.bs);
    BlockSnapshotInfo *list;
    int n = block_snapshot_list(m.bs, &list, &err);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(list[0].id, "1");
    ck_assert_str_eq(list[0].name, "first");
    ck_assert_str_eq(list[1].id, "2");
    ck_assert_str_eq(list[1].name, "second");
    ck_assert_uint_eq(list[1].disk_size, size);
    ck_assert_uint_ge(list[1].date_sec, (uint64_t)time(NULL) - 60);
    block_snapshot_list_free(list, n);
    block_close(m.bs);
    if (bt_have_qemu()) {
        char *out;
        ck_assert_int_eq(bt_run(&out, "qemu-img snapshot -l '%s'", img), 0);
        ck_assert_ptr_nonnull(strstr(out, "first"));
        ck_assert_ptr_nonnull(strstr(out, "second"));
        free(out);
        bt_assert_qemu_agrees(img, a, size);
    }
    m.bs = bt_open(img, BLOCK_O_RDWR);
    must(block_snapshot_apply(m.bs, "first", &err), err, "apply");
    bt_assert_contents(m.bs, snap_a, size);
    check_clean(m.bs);
    must(block_snapshot_apply(m.bs, "2", &err), err, "apply by id");
    bt_assert_contents(m.bs, snap_b, size);
    must(block_snapshot_delete(m.bs, "first", &err), err, "delete");
    ck_assert_int_lt(block_snapshot_apply(m.bs, "first", &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "first"));
    free(err);
    err = NULL;
    check_clean(m.bs);
    memcpy(m.expect, snap_b, size);
    m_write(&m, cs * 2, cs, 7, 0);
    must(block_snapshot_delete(m.bs, "second", &err), err, "delete 2");
    check_clean(m.bs);
    bt_assert_contents(m.bs, m.expect, size);
    block_close(m.bs);
    bt_assert_qemu_agrees(img, m.expect, size);
    free(a);
    free(snap_a);
    free(snap_b);
}
END_TEST

/* Makes a leak by raising a refcount by hand: cluster 8 of a fresh
 * 64 KiB-cluster image (refcount block at 0x20000, 16-bit entries). */
/* 1-bit refcounts cannot share clusters: the snapshot is refused up front
 * and the image stays clean and writable. */
START_TEST(test_snapshot_narrow_refcounts)
{
    const char *img = bt_path("narrow.qcow2");
    char *err = NULL;
    BlockCreateOpts o = {.refcount_bits = 1};
    must(block_create(img, "qcow2", 1 << 20, &o, &err), err, "create");
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    uint8_t b[4096] = {1};
    must(block_write(bs, 0, b, sizeof(b), 0, &err), err, "write");
    ck_assert_int_eq(block_snapshot_create(bs, "s", &err), -ERANGE);
    ck_assert_ptr_nonnull(strstr(err, "refcount_bits=1"));
    free(err);
    err = NULL;
    must(block_write(bs, 8192, b, sizeof(b), 0, &err), err, "write after");
    check_clean(bs);
    block_close(bs);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

START_TEST(test_check_repair_leak)
{
    const char *img = bt_path("leak.qcow2");
    char *err = NULL;
    must(block_create(img, "qcow2", 1 << 20, NULL, &err), err, "create");
    ck_assert_int_eq(truncate(img, 10 * 65536), 0);
    FILE *f = fopen(img, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0x20000 + 8 * 2, SEEK_SET);
    fputc(0, f);
    fputc(1, f);
    fclose(f);
    BlockDev *bs = bt_open(img, 0);
    BlockCheckResult res;
    must(block_check(bs, 0, &res, &err), err, "check");
    ck_assert_int_eq(res.leaks, 1);
    ck_assert_int_eq(res.corruptions, 0);
    ck_assert_ptr_nonnull(strstr(res.messages, "Leaked cluster 8 refcount=1 reference=0"));
    ck_assert_uint_eq(res.image_end_offset, 9 * 65536); /* leaks count, as in qemu-img */
    block_check_result_clear(&res);
    block_close(bs);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 3);
    bs = bt_open(img, BLOCK_O_RDWR | BLOCK_O_CHECK);
    must(block_check(bs, BLOCK_CHECK_REPAIR_LEAKS, &res, &err), err, "repair");
    ck_assert_int_eq(res.leaks_fixed, 1);
    ck_assert_int_eq(res.leaks, 0);
    block_check_result_clear(&res);
    block_close(bs);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

static void crash_writer(const char *img, uint64_t cs, int n)
{
    char *err = NULL;
    BlockDev *bs = block_open(img, NULL, BLOCK_O_RDWR, &err);
    if (!bs)
        _exit(2);
    uint8_t *b = malloc(cs);
    for (int i = 0; i < n; i++) {
        memset(b, i + 1, cs);
        if (block_write(bs, (uint64_t)i * cs * 2, b, cs, 0, NULL) < 0)
            _exit(3);
    }
    if (block_flush(bs, NULL) < 0)
        _exit(4);
    _exit(0); /* no close, no flush: like a killed process */
}

START_TEST(test_lazy_refcounts_dirty)
{
    const char *img = bt_path("lazy.qcow2");
    char *err = NULL;
    uint64_t cs = 65536;
    BlockCreateOpts o = {.lazy_refcounts = true};
    must(block_create(img, "qcow2", 16 << 20, &o, &err), err, "create");
    pid_t pid = fork();
    if (pid == 0)
        crash_writer(img, cs, 20);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    BlockDev *bs = bt_open(img, 0);
    BlockInfo info;
    must(block_get_info(bs, &info, &err), err, "info");
    ck_assert_int_eq(info.dirty, true);
    block_info_clear(&info);
    block_close(bs);
    if (_i == 1) {
        /* Opened for check, nothing is repaired until asked. */
        bs = bt_open(img, BLOCK_O_RDWR | BLOCK_O_CHECK);
        must(block_get_info(bs, &info, &err), err, "info");
        ck_assert_int_eq(info.dirty, true);
        block_info_clear(&info);
        BlockCheckResult res;
        must(block_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, &err), err, "repair");
        ck_assert_int_eq(res.corruptions + res.leaks, 0);
        block_check_result_clear(&res);
        block_close(bs);
    }
    bs = bt_open(img, BLOCK_O_RDWR); /* repairs the refcounts */
    must(block_get_info(bs, &info, &err), err, "info");
    ck_assert_int_eq(info.dirty, false);
    block_info_clear(&info);
    check_clean(bs);
    uint8_t *b = malloc(cs);
    for (int i = 0; i < 20; i++) {
        must(block_read(bs, (uint64_t)i * cs * 2, b, cs, &err), err, "read");
        ck_assert_uint_eq(b[0], i + 1);
        ck_assert_uint_eq(b[cs - 1], i + 1);
    }
    free(b);
    block_close(bs);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

START_TEST(test_killed_writer_leaves_no_corruption)
{
    const char *img = bt_path("killed.qcow2");
    char *err = NULL;
    BlockCreateOpts o = {.cluster_size = 4096};
    must(block_create(img, "qcow2", 256 << 20, &o, &err), err, "create");
    pid_t pid = fork();
    if (pid == 0)
        crash_writer(img, 4096, 30000);
    usleep(150 * 1000);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    BlockDev *bs = bt_open(img, 0);
    BlockCheckResult res;
    must(block_check(bs, 0, &res, &err), err, "check");
    ck_assert_msg(res.corruptions == 0, "corruptions after kill:\n%s", res.messages);
    block_check_result_clear(&res);
    block_close(bs);
    if (bt_have_qemu()) {
        int q = bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img);
        ck_assert_msg(q == 0 || q == 3, "qemu-img check exit %d", q);
    }
}
END_TEST

START_TEST(test_amend_and_resize)
{
    const char *img = bt_path("amend.qcow2");
    uint64_t size = 4 << 20, cs = 65536;
    char *err = NULL;
    must(block_create(img, "qcow2", size, NULL, &err), err, "create");
    uint8_t *expect = calloc(1, size * 2);
    Mirror m = {.bs = bt_open(img, BLOCK_O_RDWR), .expect = expect, .size = size};
    m_write(&m, 0, cs * 4, 1, 0);
    m_zero(&m, cs, cs, 0); /* a preallocated zero cluster */
    m_zero(&m, cs * 10, cs, 0);
    BlockAmendOpts a = {.compat = "0.10", .lazy_refcounts = -1};
    must(block_amend(m.bs, &a, &err), err, "amend 0.10");
    bt_assert_contents(m.bs, expect, size);
    check_clean(m.bs);
    BlockInfo info;
    must(block_get_info(m.bs, &info, &err), err, "info");
    ck_assert_str_eq(info.compat, "0.10");
    block_info_clear(&info);
    BlockAmendOpts b = {.compat = "1.1", .lazy_refcounts = 1};
    must(block_amend(m.bs, &b, &err), err, "amend 1.1");
    must(block_get_info(m.bs, &info, &err), err, "info");
    ck_assert_str_eq(info.compat, "1.1");
    ck_assert_int_eq(info.lazy_refcounts, true);
    block_info_clear(&info);
    must(block_truncate(m.bs, size * 2, false, BLOCK_PREALLOC_OFF, &err), err, "grow");
    m_write(&m, size * 2 - 10, 10, 2, 0);
    ck_assert_int_lt(block_truncate(m.bs, size, false, BLOCK_PREALLOC_OFF, &err), 0);
    free(err);
    err = NULL;
    block_close(m.bs);
    bt_assert_qemu_agrees(img, expect, size * 2);
    struct stat before, after;
    ck_assert_int_eq(stat(img, &before), 0);
    m.bs = bt_open(img, BLOCK_O_RDWR);
    must(block_truncate(m.bs, size, true, BLOCK_PREALLOC_OFF, &err), err, "shrink");
    block_close(m.bs);
    ck_assert_int_eq(stat(img, &after), 0);
    ck_assert_int_lt(after.st_size, before.st_size); /* the tail cluster went back */
    bt_assert_qemu_agrees(img, expect, size);
    /* Metadata preallocation. */
    BlockCreateOpts p = {.preallocation = BLOCK_PREALLOC_METADATA};
    must(block_create(img, "qcow2", size, &p, &err), err, "prealloc");
    memset(expect, 0, size);
    m.bs = bt_open(img, 0);
    BlockStatus st;
    must(block_get_status(m.bs, 0, size, true, &st, &err), err, "status");
    ck_assert(st.flags & BLOCK_STATUS_OFFSET_VALID);
    bt_assert_contents(m.bs, expect, size);
    block_close(m.bs);
    bt_assert_qemu_agrees(img, expect, size);
    free(expect);
}
END_TEST

START_TEST(test_map_matches_qemu)
{
    if (!bt_have_qemu())
        return;
    const char *base = bt_path("mapbase.qcow2"), *top = bt_path("maptop.qcow2");
    char *err = NULL;
    uint64_t cs = 65536;
    must(block_create(base, "qcow2", 4 << 20, NULL, &err), err, "create");
    Mirror m = {.bs = bt_open(base, BLOCK_O_RDWR), .expect = calloc(1, 8 << 20)};
    m_write(&m, 0, cs * 3, 1, 0);
    m_write(&m, cs * 10, cs * 2, 2, BLOCK_WRITE_COMPRESSED);
    m_zero(&m, cs * 20, cs, 0);
    block_close(m.bs);
    BlockCreateOpts o = {.backing_file = "mapbase.qcow2", .backing_fmt = "qcow2"};
    must(block_create(top, "qcow2", 8 << 20, &o, &err), err, "create top");
    m.bs = bt_open(top, BLOCK_O_RDWR);
    m_write(&m, cs, 10, 3, 0);
    m_zero(&m, cs * 2, cs, 0);
    m_write(&m, cs * 40, cs, 4, 0);
    block_close(m.bs);
    char *theirs, *ours = bt_map_json(top);
    ck_assert_int_eq(bt_run(&theirs, "cd '%s/..' && qemu-img map --output=json '%s'", top, top), 0);
    ck_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);
    ours = bt_map_json(base);
    ck_assert_int_eq(bt_run(&theirs, "qemu-img map --output=json '%s'", base), 0);
    ck_assert_str_eq(ours, theirs);
    free(ours);
    free(theirs);
    free(m.expect);
}
END_TEST

/* Every preallocation mode: reads zeroes, checks clean, and block status
 * reports what qemu-img map reports for the same image. */
START_TEST(test_prealloc_modes)
{
    static const BlockPrealloc modes[] = {BLOCK_PREALLOC_OFF, BLOCK_PREALLOC_METADATA,
                                          BLOCK_PREALLOC_FALLOC, BLOCK_PREALLOC_FULL};
    static const char *const names[] = {"off", "metadata", "falloc", "full"};
    uint64_t size = 3 << 20;
    uint8_t *zero = calloc(1, size + 65536);
    for (int i = 0; i < 4; i++) {
        for (int ext = 0; ext < 2; ext++) {
            const char *img = bt_path("pre.qcow2");
            BlockCreateOpts o = {.preallocation = modes[i], .extended_l2 = ext};
            char *err = NULL;
            must(block_create(img, "qcow2", size, &o, &err), err, names[i]);
            BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
            bt_assert_contents(bs, zero, size);
            check_clean(bs);
            /* Growing preallocates the new range the same way. */
            must(block_truncate(bs, size + 65536, false, modes[i], &err), err, "grow");
            bt_assert_contents(bs, zero, size + 65536);
            block_close(bs);
            bt_assert_qemu_agrees(img, zero, size + 65536);
            if (bt_have_qemu()) {
                char *theirs, *ours = bt_map_json(img);
                ck_assert_int_eq(bt_run(&theirs, "qemu-img map --output=json '%s'", img), 0);
                ck_assert_msg(!strcmp(ours, theirs), "%s ext=%d:\nours %s\ntheirs %s", names[i],
                              ext, ours, theirs);
                free(ours);
                free(theirs);
            }
        }
    }
    free(zero);
}
END_TEST

/* Cache modes: names parse as -drive cache= does; cache=none (O_DIRECT)
 * still accepts unaligned requests, on raw and qcow2 alike. */
START_TEST(test_cache_modes)
{
    int f = -1;
    ck_assert_int_eq(block_parse_cache_mode("none", &f), 0);
    ck_assert_int_eq(f, BLOCK_O_CACHE_DIRECT);
    ck_assert_int_eq(block_parse_cache_mode("directsync", &f), 0);
    ck_assert_int_eq(f, BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH);
    ck_assert_int_eq(block_parse_cache_mode("unsafe", &f), 0);
    ck_assert_int_eq(f, BLOCK_O_CACHE_NO_FLUSH);
    ck_assert_int_eq(block_parse_cache_mode("writeback", &f), 0);
    ck_assert_int_eq(f, 0);
    ck_assert_int_eq(block_parse_cache_mode("bogus", &f), -EINVAL);
    BlockPrealloc p;
    ck_assert_int_eq(block_parse_prealloc("falloc", &p), 0);
    ck_assert_int_eq(p, BLOCK_PREALLOC_FALLOC);
    ck_assert_int_eq(block_parse_prealloc("lots", &p), -EINVAL);
    static const char *const fmts[] = {"raw", "qcow2"};
    for (int i = 0; i < 2; i++) {
        const char *img = bt_path(i ? "direct.qcow2" : "direct.raw");
        uint64_t size = 2 << 20;
        char *err = NULL;
        must(block_create(img, fmts[i], size, NULL, &err), err, "create");
        BlockDev *bs = block_open(img, NULL, BLOCK_O_RDWR | BLOCK_O_CACHE_DIRECT, &err);
        if (!bs) {
            ck_assert_ptr_nonnull(strstr(err, "O_DIRECT")); /* e.g. tmpfs */
            free(err);
            return;
        }
        Mirror m = {.bs = bs, .expect = calloc(1, size), .size = size};
        m_write(&m, 1, 7000, 1, 0);
        m_write(&m, 65536 * 3 + 100, 65536, 2, 0);
        m_write(&m, size - 3, 3, 3, 0);
        bt_assert_contents(bs, m.expect, size);
        block_close(bs);
        struct stat sb;
        ck_assert_int_eq(stat(img, &sb), 0);
        if (i == 0)
            ck_assert_uint_eq(sb.st_size, size);
        bs = bt_open(img, BLOCK_O_CACHE_WRITETHROUGH);
        bt_assert_contents(bs, m.expect, size);
        block_close(bs);
        if (i == 1)
            bt_assert_qemu_agrees(img, m.expect, size);
        free(m.expect);
    }
}
END_TEST

/* make_empty: the overlay reads as its backing file again, its internal
 * snapshots keep their data, and the image stays clean. */
START_TEST(test_make_empty)
{
    uint64_t size = 2 << 20, cs = 65536;
    const char *base = bt_path("eb.qcow2"), *top = bt_path("et.qcow2");
    char *err = NULL;
    uint8_t *b = calloc(1, size);
    must(block_create(base, "qcow2", size, NULL, &err), err, "create base");
    Mirror m = {.bs = bt_open(base, BLOCK_O_RDWR), .expect = b, .size = size};
    m_write(&m, 0, size, 1, 0);
    block_close(m.bs);
    uint8_t *t = malloc(size);
    memcpy(t, b, size);
    BlockCreateOpts o = {.backing_file = "eb.qcow2", .backing_fmt = "qcow2"};
    must(block_create(top, "qcow2", size, &o, &err), err, "create top");
    m = (Mirror){.bs = bt_open(top, BLOCK_O_RDWR), .expect = t, .size = size};
    m_write(&m, cs + 1, cs * 3, 2, 0);
    m_zero(&m, cs * 10, cs * 2, 0);
    m_write(&m, cs * 20, cs * 2, 3, BLOCK_WRITE_COMPRESSED);
    must(block_snapshot_create(m.bs, "keep", &err), err, "snapshot");
    m_write(&m, cs * 2, 10, 4, 0);
    must(block_make_empty(m.bs, &err), err, "make_empty");
    bt_assert_contents(m.bs, b, size);
    check_clean(m.bs);
    BlockStatus st;
    must(block_get_status(m.bs, 0, size, true, &st, &err), err, "status");
    ck_assert_int_eq(st.depth, 1);
    ck_assert_uint_eq(st.length, size);
    block_close(m.bs);
    bt_assert_qemu_agrees(top, b, size);
    m.bs = bt_open(top, BLOCK_O_RDWR);
    must(block_snapshot_apply(m.bs, "keep", &err), err, "apply");
    memcpy(t, b, size);
    bt_fill(t + cs + 1, cs * 3, 2);
    memset(t + cs * 10, 0, cs * 2);
    for (uint64_t i = 0; i < cs * 2; i++)
        t[cs * 20 + i] = (uint8_t)((i / 512) + 3);
    bt_assert_contents(m.bs, t, size);
    block_close(m.bs);
    bt_assert_qemu_agrees(top, t, size);
    BlockDev *raw;
    const char *r = bt_path("e.raw");
    must(block_create(r, "raw", 4096, NULL, &err), err, "raw");
    raw = bt_open(r, BLOCK_O_RDWR);
    ck_assert_int_eq(block_make_empty(raw, &err), -ENOTSUP);
    free(err);
    block_close(raw);
    free(b);
    free(t);
}
END_TEST

typedef struct ThreadArg {
    BlockDev *bs;
    int id;
    int failures;
} ThreadArg;

static void *thread_writer(void *opaque)
{
    ThreadArg *a = opaque;
    uint8_t buf[20000];
    for (int k = 0; k < 50; k++) {
        uint64_t off = ((uint64_t)k * 4 + (uint64_t)a->id) * 65536 + 1000;
        memset(buf, a->id * 16 + (k & 15), sizeof(buf));
        if (block_write(a->bs, off, buf, sizeof(buf), 0, NULL) < 0)
            a->failures++;
        uint8_t back[20000];
        if (block_read(a->bs, off, back, sizeof(back), NULL) < 0 || memcmp(back, buf, sizeof(buf)))
            a->failures++;
        if (k % 10 == 0 && block_flush(a->bs, NULL) < 0)
            a->failures++;
    }
    return NULL;
}

/* One device used from four threads at once (the I/O thread pool does
 * this): every operation is serialised by the device lock. */
START_TEST(test_threads)
{
    const char *img = bt_path("threads.qcow2");
    char *err = NULL;
    BlockCreateOpts o = {.extended_l2 = true};
    must(block_create(img, "qcow2", 16 << 20, &o, &err), err, "create");
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    pthread_t th[4];
    ThreadArg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (ThreadArg){.bs = bs, .id = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, thread_writer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(args[i].failures, 0);
    }
    check_clean(bs);
    block_close(bs);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

/* A snapshot remembers the disk size; applying it restores that size. */
START_TEST(test_snapshot_restores_size)
{
    const char *img = bt_path("snapsize.qcow2");
    char *err = NULL;
    must(block_create(img, "qcow2", 1 << 20, NULL, &err), err, "create");
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    must(block_snapshot_create(bs, "small", &err), err, "snapshot");
    must(block_truncate(bs, 64 << 20, false, BLOCK_PREALLOC_OFF, &err), err, "grow");
    uint8_t b[512];
    memset(b, 0xee, sizeof(b));
    must(block_write(bs, (64 << 20) - 512, b, 512, 0, &err), err, "write");
    must(block_snapshot_apply(bs, "small", &err), err, "apply");
    ck_assert_uint_eq(block_get_length(bs), 1 << 20);
    check_clean(bs);
    block_close(bs);
    if (bt_have_qemu()) {
        char *out;
        ck_assert_int_eq(bt_run(&out, "qemu-img info '%s'", img), 0);
        ck_assert_ptr_nonnull(strstr(out, "(1048576 bytes)"));
        free(out);
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
    }
}
END_TEST

/* amend refcount_bits: the refcount structures are rewritten at the new
 * width; data and snapshots stay intact; too narrow a width is refused. */
START_TEST(test_amend_refcount_bits)
{
    static const uint32_t widths[] = {64, 2, 8, 1, 4, 16};
    const char *img = bt_path("rcw.qcow2");
    uint64_t size = 8 << 20;
    char *err = NULL;
    BlockCreateOpts co = {.cluster_size = 4096};
    must(block_create(img, "qcow2", size, &co, &err), err, "create");
    uint8_t *e = calloc(1, size);
    Mirror m = {.bs = bt_open(img, BLOCK_O_RDWR), .expect = e, .size = size};
    m_write(&m, 0, 3 << 20, 1, 0);
    m_write(&m, 5 << 20, 8192, 2, BLOCK_WRITE_COMPRESSED);
    must(block_snapshot_create(m.bs, "s", &err), err, "snapshot");
    m_write(&m, 4096, 100, 3, 0);
    for (int i = 0; i < 6; i++) {
        BlockAmendOpts a = {.lazy_refcounts = -1, .refcount_bits = widths[i]};
        int ret = block_amend(m.bs, &a, &err);
        if (widths[i] <= 2) {
            /* A host cluster with two compressed clusters, shared with the
             * snapshot, has four references. */
            ck_assert_int_eq(ret, -ERANGE);
            free(err);
            err = NULL;
            continue;
        }
        must(ret, err, "amend");
        BlockInfo info;
        must(block_get_info(m.bs, &info, &err), err, "info");
        ck_assert_uint_eq(info.refcount_bits, widths[i]);
        block_info_clear(&info);
        check_clean(m.bs);
        m_write(&m, (6 << 20) + (uint64_t)i * 8192, 5000, 10 + i, 0);
        bt_assert_contents(m.bs, e, size);
        block_close(m.bs);
        bt_assert_qemu_agrees(img, e, size);
        m.bs = bt_open(img, BLOCK_O_RDWR);
    }
    block_close(m.bs);
    free(e);
}
END_TEST

/* A raw file of 1000 bytes is a 1024-byte disk, as qemu reports it: the
 * tail reads as zeroes, and writing it extends the file to 1024 bytes. */
START_TEST(test_raw_size_whole_sectors)
{
    const char *img = bt_path("odd.raw");
    uint8_t data[1024];
    bt_fill(data, 1000, 7);
    memset(data + 1000, 0, 24);
    bt_write_file(img, data, 1000);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    ck_assert_uint_eq(block_get_length(bs), 1024);
    bt_assert_contents(bs, data, 1024);
    char *err = NULL;
    memset(data + 512, 0x77, 512);
    ck_assert_int_eq(block_write(bs, 512, data + 512, 512, 0, &err), 0);
    ck_assert_int_eq(block_close(bs), 0);
    size_t len;
    uint8_t *file = bt_read_file(img, &len);
    ck_assert_uint_eq(len, 1024);
    ck_assert(memcmp(file, data, 1024) == 0);
    free(file);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_qcow2_matrix, 0,
                        (int)(sizeof(qcow2_cases) / sizeof(qcow2_cases[0])));
    tcase_add_test(tc, test_raw);
    tcase_add_test(tc, test_raw_size_whole_sectors);
    tcase_add_test(tc, test_backing_chain);
    tcase_add_test(tc, test_snapshots);
    tcase_add_test(tc, test_check_repair_leak);
    tcase_add_test(tc, test_snapshot_narrow_refcounts);
    tcase_add_loop_test(tc, test_lazy_refcounts_dirty, 0, 2);
    tcase_add_test(tc, test_killed_writer_leaves_no_corruption);
    tcase_add_test(tc, test_amend_and_resize);
    tcase_add_test(tc, test_map_matches_qemu);
    tcase_add_test(tc, test_prealloc_modes);
    tcase_add_test(tc, test_cache_modes);
    tcase_add_test(tc, test_make_empty);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_snapshot_restores_size);
    tcase_add_test(tc, test_amend_refcount_bits);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
