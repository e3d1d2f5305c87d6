/* Interoperability with Debian's qemu-img/qemu-io: images qemu creates and
 * writes (every format option, compression, backing chains, snapshots,
 * bitmaps) read back byte-identically through block/block.h, and stay clean
 * under `qemu-img check` after we write to them. Skips without qemu-img. */
#include "block-test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIZE (6u << 20)

typedef struct QemuWrite {
    const char *cmd; /* qemu-io command */
    int pattern;     /* -1: zeroes */
    uint64_t off, len;
} QemuWrite;

static const QemuWrite qemu_writes[] = {
    {"write -P 0xab 0 64k", 0xab, 0, 65536},
    {"write -P 0xcd 70000 5000", 0xcd, 70000, 5000},
    {"write -P 0x11 1M 1M", 0x11, 1 << 20, 1 << 20},
    {"write -z 1536k 128k", -1, 1536 << 10, 128 << 10},
    {"write -P 0x22 3M 3k", 0x22, 3 << 20, 3072},
    {"discard 3M 64k", -2, 3 << 20, 65536},
    {"write -P 0x33 6290432 1k", 0x33, 6290432, 1024},
};

static const char *const qemu_opts[] = {
    "cluster_size=65536",
    "compat=0.10",
    "cluster_size=512,refcount_bits=1",
    "cluster_size=2M",
    "compression_type=zstd",
    "extended_l2=on",
    "extended_l2=on,cluster_size=128k",
    "lazy_refcounts=on",
    "refcount_bits=64,cluster_size=4k",
    "preallocation=metadata",
    "preallocation=falloc",
    "preallocation=full",
};

static void apply_expected(uint8_t *expect, const QemuWrite *w, uint64_t cluster_size,
                           bool v2_or_noback)
{
    if (w->pattern >= 0) {
        memset(expect + w->off, w->pattern, w->len);
    } else if (w->pattern == -1) {
        memset(expect + w->off, 0, w->len);
    } else {
        /* qemu discards whole clusters only; without a backing file the
         * discarded range reads as zeroes. */
        uint64_t s = (w->off + cluster_size - 1) / cluster_size * cluster_size;
        uint64_t e = (w->off + w->len) / cluster_size * cluster_size;
        if (e > s)
            memset(expect + s, 0, e - s);
    }
}

static long long json_int(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    const char *p = strstr(json, pat);
    return p ? atoll(p + strlen(pat)) : 0;
}

static bool json_has(const char *json, const char *key, const char *value)
{
    char pat[128];
    snprintf(pat, sizeof(pat), "\"%s\": %s", key, value);
    return strstr(json, pat) != NULL;
}

/* block_get_info() says what `qemu-img info --output=json` says. */
static void assert_info_matches_qemu(const char *img)
{
    char *json;
    ck_assert_int_eq(bt_run(&json, "qemu-img info --output=json '%s'", img), 0);
    BlockDev *bs = bt_open(img, 0);
    BlockInfo info;
    char *err = NULL;
    ck_assert_int_eq(block_get_info(bs, &info, &err), 0);
    ck_assert_int_eq(info.virtual_size, json_int(json, "virtual-size"));
    ck_assert_int_eq(info.cluster_size, json_int(json, "cluster-size"));
    ck_assert_int_eq(info.actual_size, json_int(json, "actual-size"));
    ck_assert_int_eq(info.refcount_bits, json_int(json, "refcount-bits"));
    char v[64];
    snprintf(v, sizeof(v), "\"%s\"", info.compat);
    ck_assert_msg(json_has(json, "compat", v), "compat %s: %s", v, json);
    snprintf(v, sizeof(v), "\"%s\"", info.compression_type);
    ck_assert_msg(json_has(json, "compression-type", v), "compression %s: %s", v, json);
    if (strstr(json, "lazy-refcounts")) /* v3 only */
        ck_assert(json_has(json, "lazy-refcounts", info.lazy_refcounts ? "true" : "false"));
    if (strstr(json, "\"corrupt\""))
        ck_assert(json_has(json, "corrupt", info.corrupt ? "true" : "false"));
    ck_assert(json_has(json, "dirty-flag", info.dirty ? "true" : "false"));
    if (strstr(json, "extended-l2"))
        ck_assert(json_has(json, "extended-l2", info.extended_l2 ? "true" : "false"));
    block_info_clear(&info);
    block_close(bs);
    free(json);
}

START_TEST(test_read_qemu_images)
{
    if (!bt_have_qemu())
        return;
    const char *opts = qemu_opts[_i];
    const char *img = bt_path("q.qcow2");
    ck_assert_int_eq(bt_run(NULL, "qemu-img create -q -f qcow2 -o %s '%s' %u", opts, img, SIZE), 0);
    uint8_t *expect = calloc(1, SIZE);
    BlockDev *bs = bt_open(img, 0);
    uint64_t cs = block_get_cluster_size(bs);
    block_close(bs);
    for (size_t i = 0; i < sizeof(qemu_writes) / sizeof(qemu_writes[0]); i++) {
        ck_assert_int_eq(bt_run(NULL, "qemu-io -c '%s' '%s' >/dev/null", qemu_writes[i].cmd, img),
                         0);
        apply_expected(expect, &qemu_writes[i], cs, true);
    }
    /* If qemu kept data in a discarded range (it may ignore discards on
     * preallocated images), mirror what qemu itself reads. */
    char *raw = NULL;
    const char *rawp = bt_path("q.raw");
    ck_assert_int_eq(bt_run(&raw, "qemu-img convert -O raw '%s' '%s'", img, rawp), 0);
    free(raw);
    size_t rlen;
    uint8_t *theirs = bt_read_file(rawp, &rlen);
    ck_assert_uint_eq(rlen, SIZE);
    ck_assert_msg(memcmp(theirs, expect, SIZE) == 0, "qemu reads unexpected data");
    bs = bt_open(img, 0);
    bt_assert_contents(bs, expect, SIZE);
    block_close(bs);
    assert_info_matches_qemu(img);
    char *ours = bt_map_json(img), *map;
    ck_assert_int_eq(bt_run(&map, "qemu-img map --output=json '%s'", img), 0);
    ck_assert_msg(!strcmp(ours, map), "map differs (%s):\nours %s\ntheirs %s", opts, ours, map);
    free(ours);
    free(map);

    /* Now write through our API and let qemu judge the result. */
    bs = bt_open(img, BLOCK_O_RDWR);
    uint8_t buf[70000];
    bt_fill(buf, sizeof(buf), 77);
    char *err = NULL;
    ck_assert_int_eq(block_write(bs, 65536 - 100, buf, sizeof(buf), 0, &err), 0);
    memcpy(expect + 65536 - 100, buf, sizeof(buf));
    ck_assert_int_eq(block_write(bs, (1 << 20) + 4096, buf, 10, 0, &err), 0);
    memcpy(expect + (1 << 20) + 4096, buf, 10);
    ck_assert_int_eq(block_write_zeroes(bs, 2 << 20, 1 << 20, BLOCK_ZERO_MAY_UNMAP, &err), 0);
    memset(expect + (2 << 20), 0, 1 << 20);
    ck_assert_int_eq(block_discard(bs, 4 << 20, 1 << 20, &err), 0);
    memset(expect + (4 << 20), 0, 1 << 20);
    bt_assert_contents(bs, expect, SIZE);
    ck_assert_int_eq(block_close(bs), 0);
    bt_assert_qemu_agrees(img, expect, SIZE);
    assert_info_matches_qemu(img);
    free(expect);
    free(theirs);
}
END_TEST

static const char *const compress_opts[] = {
    "compression_type=zlib", "compression_type=zstd", "extended_l2=on",
    "cluster_size=4k",       "compat=0.10",
};

START_TEST(test_read_qemu_compressed)
{
    if (!bt_have_qemu())
        return;
    const char *raw = bt_path("c.raw"), *img = bt_path("c.qcow2");
    uint8_t *data = calloc(1, SIZE);
    for (size_t i = 0; i < SIZE / 2; i++)
        data[i] = (uint8_t)((i / 300) ^ (i >> 13));
    bt_fill(data + SIZE / 2, 200000, 5); /* incompressible too */
    bt_write_file(raw, data, SIZE);
    ck_assert_int_eq(
        bt_run(NULL, "qemu-img convert -c -O qcow2 -o %s '%s' '%s'", compress_opts[_i], raw, img),
        0);
    BlockDev *bs = bt_open(img, 0);
    bt_assert_contents(bs, data, SIZE);
    BlockStatus st;
    char *err = NULL;
    ck_assert_int_eq(block_get_status(bs, 0, SIZE, true, &st, &err), 0);
    ck_assert(st.flags & BLOCK_STATUS_COMPRESSED);
    block_close(bs);
    /* Overwrite parts of compressed clusters (copy-on-write out of them). */
    bs = bt_open(img, BLOCK_O_RDWR);
    memset(data + 1000, 0x5a, 3000);
    ck_assert_int_eq(block_write(bs, 1000, data + 1000, 3000, 0, &err), 0);
    ck_assert_int_eq(block_write(bs, 0, data, 65536, BLOCK_WRITE_COMPRESSED, &err), 0);
    block_close(bs);
    bt_assert_qemu_agrees(img, data, SIZE);
    free(data);
}
END_TEST

/* One compressed request over 3 MiB (batches of 32 clusters compressed on
 * helper threads), zero clusters left out, and a partial last cluster:
 * qemu-img reads the same bytes and finds exactly the non-zero clusters
 * allocated, each compressed. */
START_TEST(test_qemu_compressed_batch_skip_zero)
{
    const uint64_t size = (3u << 20) + 1536;
    const char *img = bt_path("cz.qcow2");
    char *err = NULL;
    ck_assert_int_eq(block_create(img, "qcow2", size, NULL, &err), 0);
    uint8_t *data = calloc(1, size);
    uint64_t nonzero = 0;
    for (uint64_t c = 0; c * 65536 < size; c++) {
        if (c % 3 == 1)
            continue; /* every third cluster stays zero */
        uint64_t n = size - c * 65536 < 65536 ? size - c * 65536 : 65536;
        bt_fill(data + c * 65536, n / 2, c); /* half random, half zero: compresses */
        nonzero++;
    }
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    ck_assert_int_eq(
        block_write(bs, 0, data, size, BLOCK_WRITE_COMPRESSED | BLOCK_WRITE_SKIP_ZERO, &err), 0);
    bt_assert_contents(bs, data, size);
    uint64_t alloc = 0, off = 0;
    while (off < size) {
        BlockStatus st;
        ck_assert_int_eq(block_get_status(bs, off, size - off, true, &st, &err), 0);
        if (st.flags & BLOCK_STATUS_DATA) {
            ck_assert(st.flags & BLOCK_STATUS_COMPRESSED);
            alloc += (st.length + 65535) / 65536;
        }
        off += st.length;
    }
    ck_assert_uint_eq(alloc, nonzero);
    ck_assert_int_eq(block_close(bs), 0);
    bt_assert_qemu_agrees(img, data, size);
    free(data);
}
END_TEST

START_TEST(test_qemu_backing_chain)
{
    if (!bt_have_qemu())
        return;
    const char *base = bt_path("b.qcow2"), *mid = bt_path("m.qcow2"), *top = bt_path("t.qcow2");
    ck_assert_int_eq(
        bt_run(NULL,
               "qemu-img create -q -f qcow2 '%s' 4M && "
               "qemu-io -c 'write -P 0x41 0 4M' '%s' >/dev/null && "
               "qemu-img create -q -f qcow2 -o compat=0.10 -b b.qcow2 -F qcow2 '%s' && "
               "qemu-io -c 'write -P 0x42 1M 1M' -c 'write -P 0x43 100k 1k' '%s' "
               ">/dev/null && "
               "qemu-img create -q -f qcow2 -o extended_l2=on -b m.qcow2 -F qcow2 "
               "'%s' 6M && "
               "qemu-io -c 'write -P 0x44 2M 3k' -c 'write -z 3M 64k' '%s' >/dev/null",
               base, base, mid, mid, top, top),
        0);
    uint8_t *e = calloc(1, 6 << 20);
    memset(e, 0x41, 4 << 20);
    memset(e + (1 << 20), 0x42, 1 << 20);
    memset(e + 102400, 0x43, 1024);
    memset(e + (2 << 20), 0x44, 3072);
    memset(e + (3 << 20), 0, 65536);
    char *ours = bt_map_json(top), *map;
    ck_assert_int_eq(
        bt_run(&map, "cd \"$(dirname '%s')\" && qemu-img map --output=json t.qcow2", top), 0);
    ck_assert_msg(!strcmp(ours, map), "map differs:\nours %s\ntheirs %s", ours, map);
    free(ours);
    free(map);
    BlockDev *bs = bt_open(top, 0);
    bt_assert_contents(bs, e, 6 << 20);
    BlockInfo info;
    char *err = NULL;
    ck_assert_int_eq(block_get_info(bs, &info, &err), 0);
    ck_assert_str_eq(info.backing_file, "m.qcow2");
    ck_assert_str_eq(info.backing_fmt, "qcow2");
    block_info_clear(&info);
    block_close(bs);
    /* Our copy-on-write on top of qemu's chain. */
    bs = bt_open(top, BLOCK_O_RDWR);
    memset(e + 102400 + 500, 0x77, 10);
    ck_assert_int_eq(block_write(bs, 102400 + 500, e + 102400 + 500, 10, 0, &err), 0);
    block_close(bs);
    bt_assert_qemu_agrees(top, e, 6 << 20);
    free(e);
}
END_TEST

START_TEST(test_qemu_snapshots)
{
    if (!bt_have_qemu())
        return;
    const char *img = bt_path("s.qcow2");
    ck_assert_int_eq(bt_run(NULL,
                            "qemu-img create -q -f qcow2 '%s' 4M && "
                            "qemu-io -c 'write -P 0x51 0 1M' '%s' >/dev/null && "
                            "qemu-img snapshot -c snap1 '%s' && "
                            "qemu-io -c 'write -P 0x52 0 512k' '%s' >/dev/null && "
                            "qemu-img snapshot -c snap2 '%s'",
                            img, img, img, img, img),
                     0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    BlockSnapshotInfo *l;
    char *err = NULL;
    int n = block_snapshot_list(bs, &l, &err);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(l[0].id, "1");
    ck_assert_str_eq(l[0].name, "snap1");
    ck_assert_str_eq(l[1].name, "snap2");
    ck_assert_uint_eq(l[0].vm_state_size, 0);
    ck_assert_uint_eq(l[0].disk_size, 4 << 20);
    block_snapshot_list_free(l, n);
    uint8_t *e = calloc(1, 4 << 20);
    memset(e, 0x51, 1 << 20);
    ck_assert_int_eq(block_snapshot_apply(bs, "snap1", &err), 0);
    bt_assert_contents(bs, e, 4 << 20);
    ck_assert_int_eq(block_snapshot_create(bs, "ours", &err), 0);
    ck_assert_int_eq(block_snapshot_delete(bs, "snap2", &err), 0);
    block_close(bs);
    bt_assert_qemu_agrees(img, e, 4 << 20);
    char *out;
    ck_assert_int_eq(bt_run(&out, "qemu-img snapshot -l '%s'", img), 0);
    ck_assert_ptr_nonnull(strstr(out, "snap1"));
    ck_assert_ptr_nonnull(strstr(out, "ours"));
    ck_assert_ptr_null(strstr(out, "snap2"));
    free(out);
    /* qemu applies our snapshot. */
    ck_assert_int_eq(bt_run(NULL, "qemu-img snapshot -a ours '%s'", img), 0);
    bt_assert_qemu_agrees(img, e, 4 << 20);
    free(e);
}
END_TEST

START_TEST(test_qemu_bitmaps_preserved)
{
    if (!bt_have_qemu())
        return;
    const char *img = bt_path("bm.qcow2");
    ck_assert_int_eq(bt_run(NULL,
                            "qemu-img create -q -f qcow2 '%s' 4M && "
                            "qemu-img bitmap --add '%s' bm0 && "
                            "qemu-io -c 'write -P 0x61 0 64k' '%s' >/dev/null",
                            img, img, img),
                     0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    BlockInfo info;
    char *err = NULL;
    ck_assert_int_eq(block_get_info(bs, &info, &err), 0);
    ck_assert_int_eq(info.nb_bitmaps, 1);
    block_info_clear(&info);
    uint8_t b[4096];
    memset(b, 0x62, sizeof(b));
    ck_assert_int_eq(block_write(bs, 1 << 20, b, sizeof(b), 0, &err), 0);
    ck_assert_int_eq(block_change_backing_file(bs, NULL, NULL, &err), 0); /* header rewrite */
    BlockCheckResult res;
    ck_assert_int_eq(block_check(bs, 0, &res, &err), 0);
    ck_assert_msg(res.leaks == 0 && res.corruptions == 0, "%s", res.messages);
    block_check_result_clear(&res);
    block_close(bs);
    char *out;
    ck_assert_int_eq(bt_run(&out, "qemu-img check '%s' 2>&1", img), 0);
    free(out);
    ck_assert_int_eq(bt_run(&out, "qemu-img info '%s'", img), 0);
    ck_assert_ptr_nonnull(strstr(out, "bm0"));
    free(out);
}
END_TEST

/* The numbers of `qemu-img check --output=json` come out the same from
 * block_check(), on an image with compressed, fragmented and shared data. */
START_TEST(test_check_matches_qemu)
{
    if (!bt_have_qemu())
        return;
    const char *img = bt_path("ck.qcow2"), *raw = bt_path("ck.raw");
    uint8_t *data = calloc(1, SIZE);
    for (size_t i = 0; i < SIZE / 3; i++)
        data[i] = (uint8_t)(i / 1000);
    bt_write_file(raw, data, SIZE);
    ck_assert_int_eq(bt_run(NULL, "qemu-img convert -c -O qcow2 -o cluster_size=%s '%s' '%s'",
                            _i ? "16k" : "64k", raw, img),
                     0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    char *err = NULL;
    ck_assert_int_eq(block_snapshot_create(bs, "a", &err), 0);
    for (int k = 0; k < 40; k++)
        ck_assert_int_eq(block_write(bs, (uint64_t)k * 7 * 65536 % SIZE, data, 5000, 0, &err), 0);
    block_close(bs);
    bs = bt_open(img, 0);
    BlockCheckResult r;
    ck_assert_int_eq(block_check(bs, 0, &r, &err), 0);
    block_close(bs);
    char *json;
    ck_assert_int_eq(bt_run(&json, "qemu-img check --output=json '%s'", img), 0);
    ck_assert_int_eq(r.image_end_offset, json_int(json, "image-end-offset"));
    ck_assert_int_eq(r.total_clusters, json_int(json, "total-clusters"));
    ck_assert_int_eq(r.allocated_clusters, json_int(json, "allocated-clusters"));
    ck_assert_int_eq(r.fragmented_clusters, json_int(json, "fragmented-clusters"));
    ck_assert_int_eq(r.compressed_clusters, json_int(json, "compressed-clusters"));
    ck_assert_int_eq(r.leaks, json_int(json, "leaks"));
    ck_assert_int_eq(r.corruptions, json_int(json, "corruptions"));
    block_check_result_clear(&r);
    free(json);
    free(data);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block-qemu");
    TCase *tc = tcase_create("interop");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_read_qemu_images, 0,
                        (int)(sizeof(qemu_opts) / sizeof(qemu_opts[0])));
    tcase_add_loop_test(tc, test_read_qemu_compressed, 0,
                        (int)(sizeof(compress_opts) / sizeof(compress_opts[0])));
    tcase_add_test(tc, test_qemu_compressed_batch_skip_zero);
    tcase_add_test(tc, test_qemu_backing_chain);
    tcase_add_test(tc, test_qemu_snapshots);
    tcase_add_test(tc, test_qemu_bitmaps_preserved);
    tcase_add_loop_test(tc, test_check_matches_qemu, 0, 2);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
