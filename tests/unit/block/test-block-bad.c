/* Bad qcow2 images: hand-corrupted headers and tables must give one clear
 * error (never a crash) and the file must not be written to. Also the
 * header rules for unknown autoclear bits and unknown extensions. */
#include "block-test-util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

/* A small valid image: 64 KiB clusters, header at 0, refcount table at
 * 0x10000, refcount block at 0x20000, L1 at 0x30000, L2 at 0x40000, data at
 * 0x50000 (guest cluster 0). */
static const char *make_good(void)
{
    const char *img = bt_path("good.qcow2");
    char *err = NULL;
    ck_assert_int_eq(block_create(img, "qcow2", 1 << 20, NULL, &err), 0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    uint8_t b[65536];
    memset(b, 0x99, sizeof(b));
    ck_assert_int_eq(block_write(bs, 0, b, sizeof(b), 0, &err), 0);
    ck_assert_int_eq(block_close(bs), 0);
    return img;
}

static void poke(const char *img, long off, const void *bytes, size_t n)
{
    FILE *f = fopen(img, "r+b");
    ck_assert_ptr_nonnull(f);
    fseek(f, off, SEEK_SET);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static void poke32(const char *img, long off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    poke(img, off, b, 4);
}

static void poke64(const char *img, long off, uint64_t v)
{
    poke32(img, off, (uint32_t)(v >> 32));
    poke32(img, off + 4, (uint32_t)v);
}

/* Opening (read-write, then read-only) must fail with `expect` in the
 * message, and leave every byte of the file as it was. */
static void assert_refused(const char *img, const char *expect)
{
    size_t before_len, after_len;
    uint8_t *before = bt_read_file(img, &before_len);
    for (int rw = 1; rw >= 0; rw--) {
        char *err = NULL;
        BlockDev *bs = block_open(img, NULL, rw ? BLOCK_O_RDWR : 0, &err);
        ck_assert_msg(bs == NULL, "bad image opened (%s)", expect);
        ck_assert_ptr_nonnull(err);
        ck_assert_msg(strstr(err, expect) != NULL, "message '%s' lacks '%s'", err, expect);
        free(err);
    }
    uint8_t *after = bt_read_file(img, &after_len);
    ck_assert_uint_eq(before_len, after_len);
    ck_assert(memcmp(before, after, before_len) == 0);
    free(before);
    free(after);
}

typedef struct BadCase {
    const char *what;
    long off;
    int width; /* 4 or 8 */
    uint64_t value;
    const char *expect;
} BadCase;

static const BadCase bad_cases[] = {
    {"version", 4, 4, 4, "unsupported qcow2 version 4"},
    {"cluster bits", 20, 4, 30, "cluster size"},
    {"cluster bits small", 20, 4, 8, "cluster size"},
    {"l1 unaligned", 40, 8, 0x30001, "Active L1 table offset invalid"},
    {"l1 past end", 40, 8, 0x7fff0000, "Active L1 table lies beyond the end"},
    {"l1 too large", 36, 4, 0x10000000, "Active L1 table too large"},
    {"l1 in header", 40, 8, 0, "overlaps the image header"},
    {"refcount table past end", 48, 8, 0x40000000, "Reference count table lies beyond"},
    {"refcount table unaligned", 48, 8, 0x10008, "Reference count table offset invalid"},
    {"no refcount table", 56, 4, 0, "no refcount table"},
    {"absurd size", 24, 8, 1ULL << 62, "too big"},
    {"l1 too small", 24, 8, 1ULL << 50, "L1 table is too small"},
    {"unknown incompatible", 72, 8, 1ULL << 5, "Unknown incompatible feature: 20"},
    {"encryption", 32, 4, 1, "encryption"},
    {"luks", 32, 4, 2, "encryption"},
    {"overlap l1/refcount table", 40, 8, 0x10000, "overlaps the refcount table"},
    {"header length", 100, 4, 13, "header length"},
    {"snapshot table past end", 60, 4, 1, "Snapshot table"},
    {"l2 offset past end", 0x30000, 8, 0x8000000000700000ULL, "invalid L2 offset"},
    {"l2 offset unaligned", 0x30000, 8, 0x8000000000040200ULL, "invalid L2 offset"},
    {"refcount block unaligned", 0x10000, 8, 0x20200, "refcount block 0"},
    {"refcount block past end", 0x10000, 8, 0x900000, "refcount block 0"},
    {"compression type", 104, 4, 0x01000000, "compression type"},
    {"data file", 72, 8, 1ULL << 2, "external data file"},
};

START_TEST(test_bad_header)
{
    const BadCase *c = &bad_cases[_i];
    const char *img = make_good();
    if (c->width == 4)
        poke32(img, c->off, (uint32_t)c->value);
    else
        poke64(img, c->off, c->value);
    if (!strcmp(c->what, "snapshot table past end"))
        poke64(img, 64, 0x7000000);
    assert_refused(img, c->expect);
}
END_TEST

START_TEST(test_truncated_and_wrong_magic)
{
    const char *img = make_good();
    ck_assert_int_eq(truncate(img, 50), 0);
    assert_refused(img, "truncated header");
    img = make_good();
    ck_assert_int_eq(truncate(img, 90), 0);
    assert_refused(img, "header is truncated");
    img = make_good();
    poke32(img, 0, 0x12345678);
    char *err = NULL;
    ck_assert_ptr_null(block_open(img, "qcow2", 0, &err));
    ck_assert_ptr_nonnull(strstr(err, "not in qcow2 format"));
    free(err);
    /* Probing it gives raw. */
    BlockDev *bs = bt_open(img, 0);
    ck_assert_str_eq(block_get_format(bs), "raw");
    block_close(bs);
    err = NULL;
    ck_assert_ptr_null(block_open(bt_path("missing.qcow2"), NULL, 0, &err));
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    free(err);
}
END_TEST

START_TEST(test_corrupt_bit_read_only)
{
    const char *img = make_good();
    poke64(img, 72, 1ULL << 1);
    size_t n1, n2;
    uint8_t *before = bt_read_file(img, &n1);
    char *err = NULL;
    ck_assert_ptr_null(block_open(img, NULL, BLOCK_O_RDWR, &err));
    ck_assert_ptr_nonnull(strstr(err, "corrupt"));
    free(err);
    BlockDev *bs = bt_open(img, 0);
    uint8_t b[16];
    ck_assert_int_eq(block_read(bs, 0, b, sizeof(b), NULL), 0);
    ck_assert_uint_eq(b[0], 0x99);
    BlockInfo info;
    ck_assert_int_eq(block_get_info(bs, &info, NULL), 0);
    ck_assert_int_eq(info.corrupt, true);
    block_info_clear(&info);
    block_close(bs);
    uint8_t *after = bt_read_file(img, &n2);
    ck_assert(n1 == n2 && memcmp(before, after, n1) == 0);
    free(before);
    free(after);
    /* check -r all on a consistent image clears the bit; then it opens rw. */
    bs = bt_open(img, BLOCK_O_RDWR | BLOCK_O_CHECK);
    BlockCheckResult res;
    ck_assert_int_eq(block_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, NULL), 0);
    ck_assert_int_eq(res.corruptions, 0);
    block_check_result_clear(&res);
    block_close(bs);
    bs = bt_open(img, BLOCK_O_RDWR);
    ck_assert_int_eq(block_get_info(bs, &info, NULL), 0);
    ck_assert_int_eq(info.corrupt, false);
    block_info_clear(&info);
    block_close(bs);
}
END_TEST

/* Problems found in tables only when they are used: the operation fails
 * with a message, nothing is written, later writes are refused. */
START_TEST(test_bad_l2_entry_at_runtime)
{
    const char *img = make_good();
    poke64(img, 0x40000, 0x8000000000050200ULL);                 /* unaligned data cluster */
    poke64(img, 0x40008, 0x4000000000000000ULL | 0x7fffff00ULL); /* compressed garbage */
    poke64(img, 0x40010, 0x8000010000000000ULL); /* 1 TiB: far past the end of the file */
    size_t n1, n2;
    uint8_t *before = bt_read_file(img, &n1);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    uint8_t b[512];
    char *err = NULL;
    ck_assert_int_lt(block_read(bs, 0, b, sizeof(b), &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "corrupt"));
    free(err);
    err = NULL;
    ck_assert_int_lt(block_read(bs, 65536, b, sizeof(b), &err), 0);
    ck_assert_ptr_nonnull(err);
    free(err);
    err = NULL;
    ck_assert_int_lt(block_write(bs, 0, b, sizeof(b), 0, &err), 0);
    free(err);
    block_close(bs);
    /* In-place write through an entry pointing past the end: refused, the
     * file does not grow to a terabyte. */
    bs = bt_open(img, BLOCK_O_RDWR);
    err = NULL;
    ck_assert_int_lt(block_write(bs, 2 * 65536, b, sizeof(b), 0, &err), 0);
    ck_assert_ptr_nonnull(strstr(err, "beyond the end of the file"));
    free(err);
    block_close(bs);
    uint8_t *after = bt_read_file(img, &n2);
    ck_assert(n1 == n2 && memcmp(before, after, n1) == 0);
    free(before);
    free(after);
}
END_TEST

START_TEST(test_unknown_autoclear_and_extension)
{
    const char *img = make_good();
    poke64(img, 88, (1ULL << 7)); /* unknown autoclear bit */
    /* Append an unknown extension in place of the end marker. */
    uint8_t hdr[4096];
    FILE *f = fopen(img, "rb");
    ck_assert_uint_eq(fread(hdr, 1, sizeof(hdr), f), sizeof(hdr));
    fclose(f);
    uint32_t pos = 112;
    for (;;) {
        uint32_t type =
            (uint32_t)hdr[pos] << 24 | hdr[pos + 1] << 16 | hdr[pos + 2] << 8 | hdr[pos + 3];
        uint32_t len =
            (uint32_t)hdr[pos + 4] << 24 | hdr[pos + 5] << 16 | hdr[pos + 6] << 8 | hdr[pos + 7];
        if (type == 0)
            break;
        pos += 8 + ((len + 7) & ~7u);
    }
    static const uint8_t ext[24] = {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
    poke(img, pos, ext, sizeof(ext));
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    char *err = NULL;
    ck_assert_int_eq(block_change_backing_file(bs, NULL, NULL, &err), 0);
    block_close(bs);
    size_t n;
    uint8_t *after = bt_read_file(img, &n);
    ck_assert_uint_eq(after[88 + 7], 0); /* autoclear bit 7 cleared */
    ck_assert_ptr_nonnull(memmem(after, 4096, "\x12\x34\x56\x78\0\0\0\x05hello", 13));
    free(after);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

/* Header fields beyond the ones we know (header_length > 112) survive a
 * header rewrite, as the specification asks. */
START_TEST(test_unknown_header_fields_preserved)
{
    const char *img = make_good();
    size_t n;
    uint8_t *f = bt_read_file(img, &n);
    memmove(f + 120, f + 112, 4096 - 120); /* make room: extensions move 8 on */
    memcpy(f + 112, "FUTURE!!", 8);
    f[103] = 120;
    bt_write_file(img, f, n);
    free(f);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    char *err = NULL;
    ck_assert_int_eq(block_change_backing_file(bs, NULL, NULL, &err), 0);
    uint8_t b[16];
    ck_assert_int_eq(block_read(bs, 0, b, sizeof(b), &err), 0);
    ck_assert_uint_eq(b[0], 0x99);
    block_close(bs);
    f = bt_read_file(img, &n);
    ck_assert_uint_eq(f[103], 120);
    ck_assert(memcmp(f + 112, "FUTURE!!", 8) == 0);
    free(f);
    if (bt_have_qemu())
        ck_assert_int_eq(bt_run(NULL, "qemu-img check '%s' >/dev/null 2>&1", img), 0);
}
END_TEST

/* Random byte flips in the metadata of an image with snapshots and
 * compressed clusters: every operation may fail, none may crash or hang. */
START_TEST(test_random_mutations)
{
    const char *img = bt_path("mut.qcow2");
    char *err = NULL;
    ck_assert_int_eq(block_create(img, "qcow2", 4 << 20, NULL, &err), 0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    static uint8_t b[131072];
    bt_fill(b, sizeof(b), 3);
    ck_assert_int_eq(block_write(bs, 0, b, sizeof(b), 0, NULL), 0);
    ck_assert_int_eq(block_snapshot_create(bs, "s", NULL), 0);
    memset(b, 7, sizeof(b));
    ck_assert_int_eq(block_write(bs, 1 << 20, b, sizeof(b), BLOCK_WRITE_COMPRESSED, NULL), 0);
    ck_assert_int_eq(block_write(bs, 100, b, 5, 0, NULL), 0);
    block_close(bs);
    size_t len;
    uint8_t *good = bt_read_file(img, &len);
    uint64_t x = 0x1234567 + (uint64_t)_i * 7919;
    for (int iter = 0; iter < 40; iter++) {
        uint8_t *m = malloc(len);
        memcpy(m, good, len);
        int flips = 1 + (int)(x % 4);
        for (int k = 0; k < flips; k++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t where = (x >> 33) % (len < 0xb0000 ? len : 0xb0000);
            if ((x >> 20) % 3 == 0)
                where = (x >> 33) % 128; /* the header fields */
            m[where] ^= (uint8_t)(1u << ((x >> 40) % 8));
        }
        bt_write_file(img, m, len);
        free(m);
        for (int rw = 0; rw < 2; rw++) {
            char *e = NULL;
            bs = block_open(img, "qcow2", rw ? BLOCK_O_RDWR : 0, &e);
            free(e);
            if (!bs)
                continue;
            uint64_t size = block_get_length(bs);
            static uint8_t r[65536];
            for (uint64_t off = 0; off < size && off < (8u << 20); off += sizeof(r))
                block_read(bs, off, r, size - off < sizeof(r) ? size - off : sizeof(r), NULL);
            BlockCheckResult res;
            block_check(bs, 0, &res, NULL);
            block_check_result_clear(&res);
            BlockSnapshotInfo *l;
            int n = block_snapshot_list(bs, &l, NULL);
            if (n > 0)
                block_snapshot_list_free(l, n);
            if (rw) {
                block_write(bs, 4096, b, 70000, 0, NULL);
                block_write_zeroes(bs, 65536 * 3, 65536, 0, NULL);
                block_discard(bs, 0, 65536, NULL);
                block_snapshot_create(bs, "t", NULL);
                block_snapshot_apply(bs, "s", NULL);
                block_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, NULL);
                block_check_result_clear(&res);
            }
            block_close(bs);
        }
    }
    free(good);
}
END_TEST

/* Every reproducer kept under tests/fuzz/crashes/ must now open, read,
 * check, repair and take writes without crashing or hanging. */
START_TEST(test_fuzz_reproducers)
{
    DIR *d = opendir(MIMIC_FUZZ_CRASHES);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char src[1024];
        snprintf(src, sizeof(src), "%s/%s", MIMIC_FUZZ_CRASHES, de->d_name);
        size_t len;
        uint8_t *data = bt_read_file(src, &len);
        const char *img = bt_path("repro.qcow2");
        for (int mode = 0; mode < 3; mode++) {
            bt_write_file(img, data, len);
            int flags =
                BLOCK_O_NO_BACKING | (mode ? BLOCK_O_RDWR : 0) | (mode == 2 ? BLOCK_O_CHECK : 0);
            char *err = NULL;
            alarm(30);
            BlockDev *bs = block_open(img, "qcow2", flags, &err);
            free(err);
            if (!bs)
                continue;
            uint64_t size = block_get_length(bs);
            static uint8_t r[65536];
            for (uint64_t off = 0; off < size && off < (4u << 20); off += sizeof(r))
                block_read(bs, off, r, size - off < sizeof(r) ? size - off : sizeof(r), NULL);
            BlockCheckResult res;
            block_check(bs, mode == 2 ? BLOCK_CHECK_REPAIR_ALL : 0, &res, NULL);
            block_check_result_clear(&res);
            if (mode) {
                memset(r, 0x5a, 8192);
                block_write(bs, 512, r, 1024, 0, NULL);
                block_write(bs, size / 2 & ~511ULL, r, 8192 < size / 2 ? 8192 : 512, 0, NULL);
                block_write_zeroes(bs, 0, 4096 < size ? 4096 : size, BLOCK_ZERO_MAY_UNMAP, NULL);
            }
            block_close(bs);
            alarm(0);
        }
        free(data);
    }
    closedir(d);
}
END_TEST

/* A small image at the front of a sparse 1 TiB file (512-byte clusters:
 * 2^31 clusters of nothing): check and repair look at what the metadata
 * describes, in bounded time and memory, and find the image clean. */
START_TEST(test_check_sparse_huge_file)
{
    const char *img = bt_path("sparse.qcow2");
    char *err = NULL;
    BlockCreateOpts o = {.cluster_size = 512};
    ck_assert_int_eq(block_create(img, "qcow2", 1 << 20, &o, &err), 0);
    BlockDev *bs = bt_open(img, BLOCK_O_RDWR);
    uint8_t b[4096];
    memset(b, 0x42, sizeof(b));
    ck_assert_int_eq(block_write(bs, 8192, b, sizeof(b), 0, &err), 0);
    ck_assert_int_eq(block_close(bs), 0);
    ck_assert_int_eq(truncate(img, 1LL << 40), 0);

    alarm(20);
    for (int fix = 0; fix < 2; fix++) {
        bs = bt_open(img, BLOCK_O_RDWR);
        BlockCheckResult res;
        ck_assert_int_eq(block_check(bs, fix ? BLOCK_CHECK_REPAIR_ALL : 0, &res, &err), 0);
        ck_assert_int_eq(res.corruptions, 0);
        ck_assert_int_eq(res.leaks, 0);
        ck_assert_int_eq(res.check_errors, 0);
        ck_assert_uint_lt(res.image_end_offset, 1 << 20);
        block_check_result_clear(&res);
        uint8_t r[4096];
        ck_assert_int_eq(block_read(bs, 8192, r, sizeof(r), &err), 0);
        ck_assert(memcmp(r, b, sizeof(r)) == 0);
        ck_assert_int_eq(block_close(bs), 0);
    }
    alarm(0);
    unlink(img);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("block-bad");
    TCase *tc = tcase_create("bad");
    tcase_add_loop_test(tc, test_bad_header, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
    tcase_add_test(tc, test_truncated_and_wrong_magic);
    tcase_add_test(tc, test_corrupt_bit_read_only);
    tcase_add_test(tc, test_bad_l2_entry_at_runtime);
    tcase_add_test(tc, test_unknown_autoclear_and_extension);
    tcase_add_test(tc, test_unknown_header_fields_preserved);
    tcase_add_loop_test(tc, test_random_mutations, 0, 8);
    tcase_add_test(tc, test_fuzz_reproducers);
    tcase_add_test(tc, test_check_sparse_huge_file);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
