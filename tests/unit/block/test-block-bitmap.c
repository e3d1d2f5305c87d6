/* Block layer tests for writes that allocate runs of clusters at once and for
 * persistent dirty bitmaps (block_bitmap_*), through block/block.h; images
 * are cross-checked with qemu-img when it is installed. */
#include "block-test-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024 * 1024)

static void must(int ret, char *err, const char *what)
{
    ck_assert_msg(ret >= 0, "%s failed (%d): %s", what, ret, err ? err : "?");
    free(err);
}

static const char *make_qcow2(const char *name, uint64_t size, const BlockCreateOpts *o)
{
    const char *p = bt_path(name);
    char *err = NULL;
    must(block_create(p, "qcow2", size, o, &err), err, "create");
    return p;
}

static void put(BlockDev *bs, uint8_t *expect, uint64_t off, uint64_t len, uint64_t seed)
{
    uint8_t *b = malloc(len);
    bt_fill(b, len, seed);
    char *err = NULL;
    must(block_write(bs, off, b, len, 0, &err), err, "write");
    if (expect)
        memcpy(expect + off, b, len);
    free(b);
}

/* A multi-cluster write to empty clusters lands in one host run, in guest
 * order, and reads back; partial head and tail clusters around it too. */
START_TEST(test_run_write_layout)
{
    const uint64_t size = 8 * MIB;
    const char *p = make_qcow2("run.qcow2", size, NULL);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    uint8_t *expect = calloc(1, size);
    put(bs, expect, 1000, 3 * MIB + 5000, 1);
    BlockStatus st;
    char *err = NULL;
    must(block_get_status(bs, 65536, 2 * MIB, false, &st, &err), err, "status");
    ck_assert(st.flags & BLOCK_STATUS_OFFSET_VALID);
    ck_assert_uint_eq(st.length, 2 * MIB);
    /* Overwrite in place across the run: no new allocation. */
    uint64_t host = st.host_offset;
    put(bs, expect, 128 * 1024, MIB, 2);
    must(block_get_status(bs, 128 * 1024, MIB, false, &st, &err), err, "status");
    ck_assert_uint_eq(st.host_offset, host + 65536);
    ck_assert_uint_eq(st.length, MIB);
    bt_assert_contents(bs, expect, size);
    block_close(bs);
    bt_assert_qemu_agrees(p, expect, size);
    free(expect);
}
END_TEST

/* Runs over compressed clusters, clusters shared with a snapshot and
 * extended-L2 images keep everything a reader sees. */
START_TEST(test_run_write_replaces)
{
    const uint64_t size = 4 * MIB;
    for (int ext = 0; ext < 2; ext++) {
        BlockCreateOpts o = {0};
        o.extended_l2 = ext;
        const char *p = make_qcow2(ext ? "rep-ext.qcow2" : "rep.qcow2", size, &o);
        BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
        uint8_t *expect = calloc(1, size), *snap = NULL;
        uint8_t *c = malloc(MIB);
        for (int i = 0; i < MIB; i++)
            c[i] = (uint8_t)(i / 512);
        char *err = NULL;
        must(block_write(bs, 0, c, MIB, BLOCK_WRITE_COMPRESSED, &err), err, "compressed");
        memcpy(expect, c, MIB);
        free(c);
        put(bs, expect, 2 * MIB, MIB, 3);
        must(block_snapshot_create(bs, "s", &err), err, "snapshot");
        snap = malloc(size);
        memcpy(snap, expect, size);
        put(bs, expect, 65536, 2 * MIB, 4); /* compressed + unallocated + shared */
        put(bs, expect, 3 * MIB + 100, 200, 5);
        bt_assert_contents(bs, expect, size);
        block_close(bs);
        bt_assert_qemu_agrees(p, expect, size);
        bs = bt_open(p, BLOCK_O_RDWR);
        must(block_snapshot_apply(bs, "s", &err), err, "apply");
        bt_assert_contents(bs, snap, size);
        block_close(bs);
        bt_assert_qemu_agrees(p, snap, size);
        free(expect);
        free(snap);
    }
}
END_TEST

static bool bit(const uint8_t *bits, uint64_t i)
{
    return bits[i / 8] & (1u << (i % 8));
}

static BlockBitmapInfo *find_bitmap(BlockInfo *info, const char *name)
{
    for (int i = 0; i < info->nb_bitmaps; i++)
        if (!strcmp(info->bitmaps[i].name, name))
            return &info->bitmaps[i];
    return NULL;
}

/* Enabled bitmaps record writes (in use while open, stored on close);
 * disabled ones do not; contents survive reopening. */
START_TEST(test_bitmap_tracks_writes)
{
    const uint64_t size = 16 * MIB;
    const char *p = make_qcow2("bm.qcow2", size, NULL);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    char *err = NULL;
    must(block_bitmap_add(bs, "on", 0, true, &err), err, "add on");
    must(block_bitmap_add(bs, "off", 4096, false, &err), err, "add off");
    must(block_bitmap_add(bs, "fine", 512, true, &err), err, "add fine");
    put(bs, NULL, 3 * 65536 + 10, 20, 1);
    must(block_write_zeroes(bs, 5 * MIB, 2 * 65536, 0, &err), err, "zeroes");
    must(block_discard(bs, 10 * MIB, MIB, &err), err, "discard");
    BlockInfo info;
    must(block_get_info(bs, &info, &err), err, "info");
    ck_assert_int_eq(info.nb_bitmaps, 3);
    ck_assert(find_bitmap(&info, "on")->in_use);
    ck_assert(!find_bitmap(&info, "off")->in_use);
    ck_assert_uint_eq(find_bitmap(&info, "on")->granularity, 65536);
    block_info_clear(&info);
    block_close(bs);

    bs = bt_open(p, BLOCK_O_RDWR);
    must(block_get_info(bs, &info, &err), err, "info");
    ck_assert(!find_bitmap(&info, "on")->in_use);
    ck_assert(find_bitmap(&info, "on")->enabled);
    ck_assert(!find_bitmap(&info, "off")->enabled);
    block_info_clear(&info);
    uint8_t *bits;
    uint64_t gran, bsize;
    must(block_bitmap_get(bs, "on", &bits, &gran, &bsize, &err), err, "get on");
    ck_assert_uint_eq(gran, 65536);
    ck_assert_uint_eq(bsize, size);
    for (uint64_t i = 0; i < size / gran; i++) {
        bool want = i == 3 || i == 80 || i == 81 || (i >= 160 && i < 176);
        ck_assert_msg(bit(bits, i) == want, "bit %llu", (unsigned long long)i);
    }
    free(bits);
    must(block_bitmap_get(bs, "fine", &bits, &gran, &bsize, &err), err, "get fine");
    ck_assert(bit(bits, (3 * 65536 + 10) / 512) && !bit(bits, (3 * 65536) / 512 - 1) &&
              !bit(bits, (3 * 65536 + 512) / 512));
    /* Merge the 512-byte bitmap into the disabled 4 KiB one. */
    must(block_bitmap_merge(bs, "off", bits, gran, bsize, &err), err, "merge");
    free(bits);
    must(block_bitmap_get(bs, "off", &bits, &gran, &bsize, &err), err, "get off");
    ck_assert(bit(bits, 3 * 16) && !bit(bits, 3 * 16 + 1) && bit(bits, 5 * 256));
    free(bits);
    must(block_bitmap_clear(bs, "on", &err), err, "clear");
    must(block_bitmap_remove(bs, "fine", &err), err, "remove");
    block_close(bs);

    bs = bt_open(p, 0);
    must(block_bitmap_get(bs, "on", &bits, &gran, &bsize, &err), err, "get after clear");
    for (uint64_t i = 0; i < size / gran / 8; i++)
        ck_assert_uint_eq(bits[i], 0);
    free(bits);
    ck_assert_int_eq(block_bitmap_get(bs, "fine", &bits, &gran, &bsize, NULL), -ENOENT);
    block_close(bs);
    if (bt_have_qemu()) {
        char *out = NULL;
        ck_assert_int_eq(bt_run(&out, "qemu-img check %s", p), 0);
        free(out);
        ck_assert_int_eq(bt_run(&out, "qemu-img info --output=json %s", p), 0);
        ck_assert_msg(strstr(out, "\"name\": \"on\"") && strstr(out, "\"name\": \"off\"") &&
                          !strstr(out, "fine") && !strstr(out, "in-use"),
                      "%s", out);
        free(out);
    }
}
END_TEST

/* Errors: one message each, nothing changed. */
START_TEST(test_bitmap_errors)
{
    const char *p = make_qcow2("bmerr.qcow2", MIB, NULL);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    char *err = NULL;
    must(block_bitmap_add(bs, "a", 0, true, &err), err, "add");
    ck_assert_int_eq(block_bitmap_add(bs, "a", 0, true, &err), -EEXIST);
    ck_assert_ptr_nonnull(strstr(err, "already exists"));
    free(err);
    err = NULL;
    ck_assert_int_lt(block_bitmap_add(bs, "b", 1000, true, NULL), 0);
    ck_assert_int_lt(block_bitmap_add(bs, "b", 256, true, NULL), 0);
    ck_assert_int_lt(block_bitmap_add(bs, "", 0, true, NULL), 0);
    ck_assert_int_eq(block_bitmap_remove(bs, "zz", NULL), -ENOENT);
    uint8_t one = 1;
    ck_assert_int_lt(block_bitmap_merge(bs, "a", &one, 65536, 2 * MIB, NULL), 0);
    block_close(bs);
    size_t len1, len2;
    uint8_t *before = bt_read_file(p, &len1);
    bs = bt_open(p, 0);
    ck_assert_int_lt(block_bitmap_add(bs, "b", 0, true, NULL), 0); /* read-only */
    block_close(bs);
    uint8_t *after = bt_read_file(p, &len2);
    ck_assert(len1 == len2 && !memcmp(before, after, len1));
    free(before);
    free(after);

    BlockCreateOpts o = {0};
    o.compat = "0.10";
    const char *v2 = make_qcow2("bmv2.qcow2", MIB, &o);
    bs = bt_open(v2, BLOCK_O_RDWR);
    ck_assert_int_eq(block_bitmap_add(bs, "a", 0, true, &err), -ENOTSUP);
    ck_assert_ptr_nonnull(strstr(err, "v2"));
    free(err);
    err = NULL;
    block_close(bs);
    const char *raw = bt_path("bm.raw");
    must(block_create(raw, "raw", MIB, NULL, &err), err, "create raw");
    bs = bt_open(raw, BLOCK_O_RDWR);
    ck_assert_int_eq(block_bitmap_add(bs, "a", 0, true, NULL), -ENOTSUP);
    block_close(bs);
}
END_TEST

/* Patches byte `rel` of the first bitmap directory entry. */
static void patch_first_entry(const char *p, uint32_t rel, uint8_t v)
{
    size_t len;
    uint8_t *f = bt_read_file(p, &len);
    uint32_t pos = (uint32_t)f[100] << 24 | f[101] << 16 | f[102] << 8 | f[103];
    uint64_t dir = 0;
    while (pos + 32 <= len) {
        uint32_t type = (uint32_t)f[pos] << 24 | f[pos + 1] << 16 | f[pos + 2] << 8 | f[pos + 3];
        uint32_t l = (uint32_t)f[pos + 4] << 24 | f[pos + 5] << 16 | f[pos + 6] << 8 | f[pos + 7];
        ck_assert_uint_ne(type, 0);
        if (type == 0x23852875) {
            for (int i = 0; i < 8; i++)
                dir = dir << 8 | f[pos + 8 + 16 + i];
            break;
        }
        pos += 8 + ((l + 7) & ~7u);
    }
    ck_assert_uint_ne(dir, 0);
    f[dir + rel] = v;
    bt_write_file(p, f, len);
    free(f);
}

/* An enabled bitmap that cannot be kept right refuses writes and leaves the
 * file as it was; a disabled one does not matter. */
START_TEST(test_bitmap_refuses_writes)
{
    const char *p = make_qcow2("bmbad.qcow2", MIB, NULL);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    char *err = NULL;
    must(block_bitmap_add(bs, "a", 0, true, &err), err, "add");
    block_close(bs);
    patch_first_entry(p, 16, 9); /* type 9: not a dirty tracking bitmap */
    size_t len1, len2;
    uint8_t *before = bt_read_file(p, &len1);
    bs = bt_open(p, BLOCK_O_RDWR);
    uint8_t buf[4096] = {1};
    ck_assert_int_eq(block_write(bs, 0, buf, sizeof(buf), 0, &err), -ENOTSUP);
    ck_assert_ptr_nonnull(strstr(err, "refusing to write"));
    free(err);
    err = NULL;
    ck_assert_int_lt(block_write_zeroes(bs, 0, 65536, 0, NULL), 0);
    ck_assert_int_lt(block_truncate(bs, 2 * MIB, false, BLOCK_PREALLOC_OFF, NULL), 0);
    block_close(bs);
    uint8_t *after = bt_read_file(p, &len2);
    ck_assert(len1 == len2 && !memcmp(before, after, len1));
    free(before);
    free(after);

    /* Disabled: writes go ahead, the bitmap is kept as it is. */
    const char *d = make_qcow2("bmdis.qcow2", MIB, NULL);
    bs = bt_open(d, BLOCK_O_RDWR);
    must(block_bitmap_add(bs, "a", 0, false, &err), err, "add disabled");
    block_close(bs);
    patch_first_entry(d, 16, 9);
    bs = bt_open(d, BLOCK_O_RDWR);
    must(block_write(bs, 0, buf, sizeof(buf), 0, &err), err, "write");
    block_close(bs);
}
END_TEST

/* Resizing keeps bitmaps: old bits stay, new range clear. */
START_TEST(test_bitmap_resize)
{
    const char *p = make_qcow2("bmrs.qcow2", 4 * MIB, NULL);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    char *err = NULL;
    must(block_bitmap_add(bs, "a", 0, true, &err), err, "add");
    put(bs, NULL, 3 * MIB, 4096, 1);
    must(block_truncate(bs, 64 * MIB, false, BLOCK_PREALLOC_OFF, &err), err, "grow");
    put(bs, NULL, 40 * MIB, 4096, 2);
    block_close(bs);
    bs = bt_open(p, BLOCK_O_RDWR);
    uint8_t *bits;
    uint64_t gran, size;
    must(block_bitmap_get(bs, "a", &bits, &gran, &size, &err), err, "get");
    ck_assert_uint_eq(size, 64 * MIB);
    for (uint64_t i = 0; i < size / gran; i++)
        ck_assert_msg(bit(bits, i) == (i == 48 || i == 640), "bit %llu", (unsigned long long)i);
    free(bits);
    must(block_truncate(bs, 2 * MIB, true, BLOCK_PREALLOC_OFF, &err), err, "shrink");
    must(block_bitmap_get(bs, "a", &bits, &gran, &size, &err), err, "get");
    ck_assert_uint_eq(size, 2 * MIB);
    ck_assert_uint_eq(bits[0] | bits[1] | bits[2] | bits[3], 0);
    free(bits);
    block_close(bs);
    if (bt_have_qemu()) {
        char *out = NULL;
        ck_assert_int_eq(bt_run(&out, "qemu-img check %s", p), 0);
        free(out);
    }
}
END_TEST

/* 512-byte clusters: the header has room for the bitmaps extension only
 * without the feature name table, which is then left out. */
START_TEST(test_bitmap_small_clusters)
{
    BlockCreateOpts o = {0};
    o.cluster_size = 512;
    const char *p = make_qcow2("bm512.qcow2", 4 * MIB, &o);
    BlockDev *bs = bt_open(p, BLOCK_O_RDWR);
    char *err = NULL;
    must(block_bitmap_add(bs, "a", 0, true, &err), err, "add");
    must(block_bitmap_add(bs, "b", 512, true, &err), err, "add");
    put(bs, NULL, MIB, 700, 1);
    block_close(bs);
    bs = bt_open(p, 0);
    uint8_t *bits;
    uint64_t gran, size;
    must(block_bitmap_get(bs, "b", &bits, &gran, &size, &err), err, "get");
    ck_assert_uint_eq(gran, 512);
    for (uint64_t i = MIB / 512 - 1; i <= MIB / 512 + 2; i++)
        ck_assert_msg(bit(bits, i) == (i == MIB / 512 || i == MIB / 512 + 1), "bit %llu",
                      (unsigned long long)i);
    free(bits);
    block_close(bs);
    if (bt_have_qemu()) {
        char *out = NULL;
        ck_assert_int_eq(bt_run(&out, "qemu-img check %s", p), 0);
        free(out);
        ck_assert_int_eq(bt_run(&out, "qemu-img info --output=json %s", p), 0);
        ck_assert_msg(strstr(out, "\"granularity\": 4096") && strstr(out, "\"granularity\": 512"),
                      "%s", out);
        free(out);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block-bitmap");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_run_write_layout);
    tcase_add_test(tc, test_run_write_replaces);
    tcase_add_test(tc, test_bitmap_tracks_writes);
    tcase_add_test(tc, test_bitmap_errors);
    tcase_add_test(tc, test_bitmap_refuses_writes);
    tcase_add_test(tc, test_bitmap_resize);
    tcase_add_test(tc, test_bitmap_small_clusters);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
