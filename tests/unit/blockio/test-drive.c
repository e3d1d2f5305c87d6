/*
 * Unit tests for -drive parsing (block/drive.c): what a board gets from a
 * command line, the error messages users see, and snapshot=on overlays.
 */
#include "block/block-io.h"
#include "block/block.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *parse_error(const char *spec)
{
    DriveOptions o;
    char *err = NULL;
    ck_assert_msg(!drive_parse(spec, &o, &err), "'%s' was accepted", spec);
    ck_assert_ptr_nonnull(err);
    return err;
}

START_TEST(test_parse_full)
{
    DriveOptions o;
    char *err = NULL;
    ck_assert(drive_parse("file=disk.qcow2,format=qcow2,if=virtio,index=2,media=disk,"
                          "cache=none,readonly=on,snapshot=off,id=hd0,aio=threads",
                          &o, &err));
    ck_assert_str_eq(o.file, "disk.qcow2");
    ck_assert_str_eq(o.format, "qcow2");
    ck_assert_str_eq(o.id, "hd0");
    ck_assert_int_eq(o.iface, DRIVE_IF_VIRTIO);
    ck_assert_str_eq(drive_interface_name(o.iface), "virtio");
    ck_assert_int_eq(o.index, 2);
    ck_assert_int_eq(o.media, DRIVE_MEDIA_DISK);
    ck_assert_int_eq(o.cache, BLOCK_CACHE_NONE);
    ck_assert(o.readonly);
    ck_assert(!o.snapshot);
    drive_options_clear(&o);
    ck_assert_ptr_null(o.file);
}
END_TEST

START_TEST(test_parse_defaults)
{
    DriveOptions o;
    char *err = NULL;
    ck_assert(drive_parse("file=a.img", &o, &err));
    ck_assert_str_eq(o.file, "a.img");
    ck_assert_ptr_null(o.format);
    ck_assert_ptr_null(o.id);
    ck_assert_int_eq(o.iface, DRIVE_IF_DEFAULT);
    ck_assert_int_eq(o.index, -1);
    ck_assert_int_eq(o.bus, -1);
    ck_assert_int_eq(o.unit, -1);
    ck_assert_int_eq(o.media, DRIVE_MEDIA_DISK);
    ck_assert_int_eq(o.cache, BLOCK_CACHE_WRITEBACK);
    ck_assert(!o.readonly && !o.snapshot && !o.discard);
    drive_options_clear(&o);
}
END_TEST

START_TEST(test_parse_escaped_comma_and_last_wins)
{
    DriveOptions o;
    char *err = NULL;
    ck_assert(drive_parse("if=ide,file=my,,disk.img,cache=unsafe,cache=writethrough,bus=1,unit=0",
                          &o, &err));
    ck_assert_str_eq(o.file, "my,disk.img");
    ck_assert_int_eq(o.iface, DRIVE_IF_IDE);
    ck_assert_int_eq(o.cache, BLOCK_CACHE_WRITETHROUGH);
    ck_assert_int_eq(o.bus, 1);
    ck_assert_int_eq(o.unit, 0);
    drive_options_clear(&o);
}
END_TEST

START_TEST(test_parse_cdrom)
{
    DriveOptions o;
    char *err = NULL;
    /* An empty CD-ROM drive, and media=cdrom forces read-only. */
    ck_assert(drive_parse("media=cdrom,if=ide,index=2", &o, &err));
    ck_assert_ptr_null(o.file);
    ck_assert_int_eq(o.media, DRIVE_MEDIA_CDROM);
    ck_assert(o.readonly);
    drive_options_clear(&o);
    ck_assert(drive_parse("file=x.iso,media=cdrom,readonly", &o, &err));
    ck_assert(o.readonly);
    drive_options_clear(&o);
    ck_assert(drive_parse("file=x.img,readonly,snapshot=yes,discard=unmap", &o, &err));
    ck_assert(o.readonly && o.snapshot && o.discard);
    drive_options_clear(&o);
}
END_TEST

START_TEST(test_parse_errors_name_the_key)
{
    static const struct {
        const char *spec, *needle;
    } cases[] = {
        {"file=a,bogus=1", "'bogus'"},
        {"file=a,cache=fast", "cache=fast"},
        {"file=a,if=xen", "if=xen"},
        {"file=a,index=x", "index=x"},
        {"file=a,index=-1", "index=-1"},
        {"file=a,unit=999", "unit=999"},
        {"file=a,media=tape", "media=tape"},
        {"file=a,readonly=maybe", "readonly=maybe"},
        {"file=a,snapshot=2", "snapshot=2"},
        {"file=a,aio=posix", "aio=posix"},
        {"file=a,discard=some", "discard=some"},
        {"file=a,id=0bad", "id=0bad"},
        {"file=a,format=", "format="},
        {"file=a,format=vmdk", "format=vmdk"},
        {"file=a,cache", "'cache'"},
        {"if=virtio", "file="},
        {"file=a,index=1,bus=0", "index="},
        {"", "file="},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *err = parse_error(cases[i].spec);
        ck_assert_msg(strstr(err, cases[i].needle), "'%s' gave '%s'", cases[i].spec, err);
        ck_assert_msg(!strchr(err, '\n'), "message ends with a newline");
        g_free(err);
    }
}
END_TEST

START_TEST(test_cache_modes)
{
    static const struct {
        const char *name;
        BlockCacheMode mode;
        int flags;
        bool direct;
    } modes[] = {
        {"writeback", BLOCK_CACHE_WRITEBACK, 0, false},
        {"none", BLOCK_CACHE_NONE, BLOCK_O_CACHE_DIRECT, true},
        {"writethrough", BLOCK_CACHE_WRITETHROUGH, BLOCK_O_CACHE_WRITETHROUGH, false},
        {"directsync", BLOCK_CACHE_DIRECTSYNC, BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH,
         true},
        {"unsafe", BLOCK_CACHE_UNSAFE, BLOCK_O_CACHE_NO_FLUSH, false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        BlockCacheMode m;
        char *err = NULL;
        ck_assert(block_cache_mode_parse(modes[i].name, &m, &err));
        ck_assert_int_eq(m, modes[i].mode);
        ck_assert_str_eq(block_cache_mode_name(m), modes[i].name);
        ck_assert_int_eq(block_cache_mode_flags(m), modes[i].flags);
        ck_assert_int_eq(block_cache_mode_direct(m), modes[i].direct);
    }
}
END_TEST

/* ---- opening ---- */

static char *tmpdir;

static void tmp_setup(void)
{
    tmpdir = g_dir_make_tmp("test-drive-XXXXXX", NULL);
    ck_assert_ptr_nonnull(tmpdir);
    /* Overlays must land here, where the test can look for leftovers. */
    g_setenv("TMPDIR", tmpdir, TRUE);
}

static void tmp_teardown(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d))) {
        char *p = g_build_filename(tmpdir, n, NULL);
        g_unlink(p);
        g_free(p);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(tmpdir);
    g_free(tmpdir);
}

static int count_snapshot_files(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *n;
    int count = 0;
    while ((n = g_dir_read_name(d))) {
        count += g_str_has_prefix(n, "mimic-snapshot-");
    }
    g_dir_close(d);
    return count;
}

#define IMG_SIZE (1024 * 1024)

/* A raw image whose byte i is (i * 7 + i / 4096) & 0xff. */
static char *make_raw_image(void)
{
    char *path = g_build_filename(tmpdir, "base.img", NULL);
    uint8_t *data = g_malloc(IMG_SIZE);
    for (size_t i = 0; i < IMG_SIZE; i++) {
        data[i] = (uint8_t)(i * 7 + i / 4096);
    }
    ck_assert(g_file_set_contents(path, (char *)data, IMG_SIZE, NULL));
    g_free(data);
    return path;
}

static void check_base_unchanged(const char *path)
{
    gchar *data;
    gsize len;
    ck_assert(g_file_get_contents(path, &data, &len, NULL));
    ck_assert_uint_eq(len, IMG_SIZE);
    for (size_t i = 0; i < IMG_SIZE; i++) {
        if ((uint8_t)data[i] != (uint8_t)(i * 7 + i / 4096)) {
            ck_abort_msg("base image changed at byte %zu", i);
        }
    }
    g_free(data);
}

static Drive *open_spec(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *spec = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    DriveOptions o;
    char *err = NULL;
    ck_assert_msg(drive_parse(spec, &o, &err), "%s: %s", spec, err);
    Drive *d = drive_open(&o, &err);
    ck_assert_msg(d, "%s: %s", spec, err);
    drive_options_clear(&o);
    g_free(spec);
    return d;
}

START_TEST(test_open_plain_writes_reach_file)
{
    char *base = make_raw_image();
    Drive *d = open_spec("file=%s,format=raw,cache=writethrough", base);
    ck_assert_uint_eq(d->size, IMG_SIZE);
    ck_assert_str_eq(block_get_format(d->bs), "raw");
    char buf[512];
    memset(buf, 0xab, sizeof(buf));
    ck_assert_int_eq(block_write(d->bs, 4096, buf, sizeof(buf), 0, NULL), 0);
    drive_close(d);

    gchar *data;
    gsize len;
    ck_assert(g_file_get_contents(base, &data, &len, NULL));
    ck_assert_uint_eq((uint8_t)data[4096], 0xab);
    ck_assert_uint_eq((uint8_t)data[4607], 0xab);
    ck_assert_uint_eq((uint8_t)data[4608], (uint8_t)(4608 * 7 + 1));
    g_free(data);
    g_free(base);
}
END_TEST

/* The open file's flags in /proc: O_DIRECT is what cache=none/directsync
 * mean to the host. -1 if the file is not open. */
static long open_flags_of(const char *path)
{
    char *want = realpath(path, NULL);
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    const char *n;
    long flags = -1;
    while (want && d && (n = g_dir_read_name(d))) {
        char *link = g_strdup_printf("/proc/self/fd/%s", n);
        char *target = g_file_read_link(link, NULL);
        if (target && !strcmp(target, want)) {
            char *info = g_strdup_printf("/proc/self/fdinfo/%s", n);
            gchar *text = NULL;
            if (g_file_get_contents(info, &text, NULL, NULL)) {
                const char *f = strstr(text, "flags:");
                if (f) {
                    flags = strtol(f + 6, NULL, 8);
                }
            }
            g_free(text);
            g_free(info);
        }
        g_free(target);
        g_free(link);
    }
    if (d) {
        g_dir_close(d);
    }
    free(want);
    return flags;
}

START_TEST(test_cache_none_is_o_direct)
{
    static const struct {
        const char *cache;
        bool direct;
    } cases[] = {
        {"writeback", false}, {"none", true},    {"writethrough", false},
        {"directsync", true}, {"unsafe", false},
    };
    char *base = make_raw_image();
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Drive *d = open_spec("file=%s,format=raw,cache=%s", base, cases[i].cache);
        long flags = open_flags_of(base);
        ck_assert_int_ge(flags, 0);
        ck_assert_msg(((flags & O_DIRECT) != 0) == cases[i].direct, "cache=%s: flags %lo",
                      cases[i].cache, flags);
        /* Unaligned I/O still works: the driver bounces it. */
        uint8_t buf[1000], back[1000];
        memset(buf, (int)i + 1, sizeof(buf));
        ck_assert_int_eq(block_write(d->bs, 777, buf, sizeof(buf), 0, NULL), 0);
        ck_assert_int_eq(block_read(d->bs, 777, back, sizeof(back), NULL), 0);
        ck_assert_mem_eq(back, buf, sizeof(buf));
        drive_close(d);
        ck_assert_int_eq(open_flags_of(base), -1);
    }
    g_free(base);
}
END_TEST

START_TEST(test_open_readonly_refuses_writes)
{
    char *base = make_raw_image();
    Drive *d = open_spec("file=%s,format=raw,readonly=on", base);
    ck_assert(block_is_read_only(d->bs));
    char buf[512] = {1};
    ck_assert_int_lt(block_write(d->bs, 0, buf, sizeof(buf), 0, NULL), 0);
    drive_close(d);
    check_base_unchanged(base);
    g_free(base);
}
END_TEST

START_TEST(test_open_missing_file)
{
    DriveOptions o;
    char *err = NULL;
    char *spec = g_strdup_printf("file=%s/nope.img", tmpdir);
    ck_assert(drive_parse(spec, &o, &err));
    ck_assert_ptr_null(drive_open(&o, &err));
    ck_assert_ptr_nonnull(strstr(err, "nope.img"));
    g_free(err);
    drive_options_clear(&o);
    g_free(spec);
}
END_TEST

static void snapshot_roundtrip(const char *base, const char *fmt)
{
    Drive *d = open_spec("file=%s,format=%s,snapshot=on", base, fmt);
    ck_assert_uint_eq(d->size, IMG_SIZE);
    ck_assert_str_eq(block_get_format(d->bs), "qcow2");
    ck_assert_int_eq(count_snapshot_files(), 0);

    /* Unwritten data comes from the image, written data from the overlay. */
    uint8_t buf[8192];
    ck_assert_int_eq(block_read(d->bs, 65536, buf, sizeof(buf), NULL), 0);
    for (size_t i = 0; i < sizeof(buf); i++) {
        ck_assert_uint_eq(buf[i], (uint8_t)((65536 + i) * 7 + (65536 + i) / 4096));
    }
    memset(buf, 0x5a, sizeof(buf));
    ck_assert_int_eq(block_write(d->bs, 65536 + 100, buf, sizeof(buf), 0, NULL), 0);
    ck_assert_int_eq(block_write_zeroes(d->bs, 0, 4096, 0, NULL), 0);
    ck_assert_int_eq(block_flush(d->bs, NULL), 0);
    uint8_t back[8192];
    ck_assert_int_eq(block_read(d->bs, 65536 + 100, back, sizeof(back), NULL), 0);
    ck_assert_mem_eq(back, buf, sizeof(buf));
    ck_assert_int_eq(block_read(d->bs, 0, back, 4096, NULL), 0);
    for (size_t i = 0; i < 4096; i++) {
        ck_assert_uint_eq(back[i], 0);
    }
    drive_close(d);

    check_base_unchanged(base);
    ck_assert_int_eq(count_snapshot_files(), 0);
}

START_TEST(test_snapshot_raw_base)
{
    char *base = make_raw_image();
    snapshot_roundtrip(base, "raw");
    g_free(base);
}
END_TEST

START_TEST(test_snapshot_qcow2_base)
{
    char *raw = make_raw_image();
    /* The same bytes in a qcow2 image, written through the block layer. */
    char *q = g_build_filename(tmpdir, "base.qcow2", NULL);
    ck_assert_int_eq(block_create(q, "qcow2", IMG_SIZE, NULL, NULL), 0);
    BlockDev *src = block_open(raw, "raw", 0, NULL);
    BlockDev *dst = block_open(q, "qcow2", BLOCK_O_RDWR, NULL);
    ck_assert(src && dst);
    uint8_t *buf = g_malloc(IMG_SIZE);
    ck_assert_int_eq(block_read(src, 0, buf, IMG_SIZE, NULL), 0);
    ck_assert_int_eq(block_write(dst, 0, buf, IMG_SIZE, 0, NULL), 0);
    g_free(buf);
    block_close(src);
    ck_assert_int_eq(block_close(dst), 0);

    gchar *before;
    gsize before_len;
    ck_assert(g_file_get_contents(q, &before, &before_len, NULL));
    /* A relative path must work too: the overlay records an absolute one. */
    g_assert(g_chdir(tmpdir) == 0);
    Drive *d = open_spec("file=base.qcow2,snapshot=on");
    uint8_t w[4096];
    memset(w, 0xee, sizeof(w));
    ck_assert_int_eq(block_write(d->bs, 0, w, sizeof(w), 0, NULL), 0);
    drive_close(d);

    gchar *after;
    gsize after_len;
    ck_assert(g_file_get_contents(q, &after, &after_len, NULL));
    ck_assert_uint_eq(before_len, after_len);
    ck_assert_mem_eq(before, after, before_len);
    ck_assert_int_eq(count_snapshot_files(), 0);
    g_free(before);
    g_free(after);
    g_free(q);
    g_free(raw);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("drive");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_full);
    tcase_add_test(tc, test_parse_defaults);
    tcase_add_test(tc, test_parse_escaped_comma_and_last_wins);
    tcase_add_test(tc, test_parse_cdrom);
    tcase_add_test(tc, test_parse_errors_name_the_key);
    tcase_add_test(tc, test_cache_modes);
    suite_add_tcase(s, tc);

    tc = tcase_create("open");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_add_test(tc, test_open_plain_writes_reach_file);
    tcase_add_test(tc, test_cache_none_is_o_direct);
    tcase_add_test(tc, test_open_readonly_refuses_writes);
    tcase_add_test(tc, test_open_missing_file);
    tcase_add_test(tc, test_snapshot_raw_base);
    tcase_add_test(tc, test_snapshot_qcow2_base);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
