/*
 * Unit tests for the block I/O thread pool (block/aio.c): requests complete
 * with the right data, off the submitting thread, and their callbacks run on
 * the main-loop thread.
 */
#include "block/block-io.h"
#include "block/block.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define IMG_SIZE (4 * 1024 * 1024)

static char *tmpdir;

static void tmp_setup(void)
{
    tmpdir = g_dir_make_tmp("test-aio-XXXXXX", NULL);
    ck_assert_ptr_nonnull(tmpdir);
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

static Drive *open_new(const char *fmt, const char *cache)
{
    char *path = g_build_filename(tmpdir, "disk.img", NULL);
    char *err = NULL;
    ck_assert_msg(block_create(path, fmt, IMG_SIZE, NULL, &err) == 0, "%s", err);
    char *spec = g_strdup_printf("file=%s,format=%s,cache=%s", path, fmt, cache);
    DriveOptions o;
    ck_assert(drive_parse(spec, &o, &err));
    Drive *d = drive_open(&o, &err);
    ck_assert_msg(d, "%s", err);
    drive_options_clear(&o);
    g_free(spec);
    g_free(path);
    return d;
}

typedef struct Done {
    int count;
    int last_ret;
    int errors;
    GThread *thread; /* where the last callback ran */
} Done;

static void on_done(void *opaque, int ret)
{
    Done *d = opaque;
    d->count++;
    d->last_ret = ret;
    d->errors += ret < 0;
    d->thread = g_thread_self();
}

static void fill(uint8_t *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed * 31 + i * 13 + (i >> 9));
    }
}

/* Writes and reads through the pool, checked against a model of the disk. */
static void roundtrip(const char *fmt, const char *cache)
{
    Drive *d = open_new(fmt, cache);
    const int n = 64;
    uint8_t *model = g_malloc0(IMG_SIZE);
    uint8_t *bufs = g_malloc(n * 4096);
    Done done = {0};
    /* Distinct 4 KiB blocks, spread over the disk and all in flight at once. */
    for (int i = 0; i < n; i++) {
        uint64_t off = (uint64_t)((i * 37) % (IMG_SIZE / 4096)) * 4096;
        fill(bufs + i * 4096, 4096, i);
        memcpy(model + off, bufs + i * 4096, 4096);
        block_aio_submit(d->bs, BLOCK_AIO_WRITE, off, bufs + i * 4096, 4096, on_done, &done);
    }
    block_aio_submit(d->bs, BLOCK_AIO_FLUSH, 0, NULL, 0, on_done, &done);
    block_aio_drain();
    ck_assert_int_eq(done.count, n + 1);
    ck_assert_int_eq(done.errors, 0);
    ck_assert_uint_eq(block_aio_in_flight(), 0);
    ck_assert(done.thread == g_thread_self());

    /* Read back in 64 KiB pieces; an odd split of the iovec on purpose. */
    uint8_t *back = g_malloc(IMG_SIZE);
    for (uint64_t off = 0; off < IMG_SIZE; off += 65536) {
        struct iovec iov[3] = {
            {back + off, 1000},
            {back + off + 1000, 30000},
            {back + off + 31000, 65536 - 31000},
        };
        block_aio_submitv(d->bs, BLOCK_AIO_READ, off, iov, 3, 0, on_done, &done);
    }
    block_aio_drain();
    ck_assert_int_eq(done.errors, 0);
    ck_assert_int_eq(done.count, n + 1 + IMG_SIZE / 65536);
    ck_assert_mem_eq(back, model, IMG_SIZE);

    g_free(back);
    g_free(bufs);
    g_free(model);
    drive_close(d);
}

START_TEST(test_raw_writeback)
{
    roundtrip("raw", "writeback");
}
END_TEST

START_TEST(test_qcow2_writeback)
{
    roundtrip("qcow2", "writeback");
}
END_TEST

START_TEST(test_qcow2_writethrough)
{
    roundtrip("qcow2", "writethrough");
}
END_TEST

START_TEST(test_raw_unsafe)
{
    roundtrip("raw", "unsafe");
}
END_TEST

/* cache=none: O_DIRECT, with guest buffers that are not aligned. */
START_TEST(test_raw_direct_unaligned_buffers)
{
    roundtrip("raw", "none");
}
END_TEST

START_TEST(test_qcow2_directsync)
{
    roundtrip("qcow2", "directsync");
}
END_TEST

START_TEST(test_vector_write)
{
    Drive *d = open_new("qcow2", "writeback");
    uint8_t a[512], b[3584], back[4096];
    memset(a, 0x11, sizeof(a));
    memset(b, 0x22, sizeof(b));
    struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
    Done done = {0};
    block_aio_submitv(d->bs, BLOCK_AIO_WRITE, 8192, iov, 2, 0, on_done, &done);
    block_aio_drain();
    ck_assert_int_eq(done.last_ret, 0);
    ck_assert_int_eq(block_read(d->bs, 8192, back, sizeof(back), NULL), 0);
    ck_assert_mem_eq(back, a, sizeof(a));
    ck_assert_mem_eq(back + 512, b, sizeof(b));
    drive_close(d);
}
END_TEST

START_TEST(test_zeroes_and_discard)
{
    Drive *d = open_new("qcow2", "writeback");
    uint8_t buf[65536], back[65536];
    memset(buf, 0x77, sizeof(buf));
    Done done = {0};
    block_aio_submit(d->bs, BLOCK_AIO_WRITE, 0, buf, sizeof(buf), on_done, &done);
    block_aio_submit(d->bs, BLOCK_AIO_WRITE, 131072, buf, sizeof(buf), on_done, &done);
    block_aio_drain();
    block_aio_submit(d->bs, BLOCK_AIO_WRITE_ZEROES, 4096, NULL, 8192, on_done, &done);
    block_aio_submit(d->bs, BLOCK_AIO_DISCARD, 131072, NULL, 65536, on_done, &done);
    block_aio_drain();
    ck_assert_int_eq(done.count, 4);
    ck_assert_int_eq(done.errors, 0);

    ck_assert_int_eq(block_read(d->bs, 0, back, sizeof(back), NULL), 0);
    for (size_t i = 0; i < sizeof(back); i++) {
        ck_assert_uint_eq(back[i], (i >= 4096 && i < 12288) ? 0 : 0x77);
    }
    ck_assert_int_eq(block_read(d->bs, 131072, back, sizeof(back), NULL), 0);
    for (size_t i = 0; i < sizeof(back); i++) {
        ck_assert_uint_eq(back[i], 0);
    }
    drive_close(d);
}
END_TEST

START_TEST(test_error_reaches_callback)
{
    Drive *d = open_new("raw", "writeback");
    uint8_t buf[4096];
    Done done = {0};
    /* Past the end of the disk: the guest gets an error, mimic keeps running. */
    block_aio_submit(d->bs, BLOCK_AIO_READ, IMG_SIZE, buf, sizeof(buf), on_done, &done);
    block_aio_drain();
    ck_assert_int_eq(done.count, 1);
    ck_assert_int_lt(done.last_ret, 0);
    drive_close(d);
}
END_TEST

/* A "vCPU" thread submits; the main loop (this thread) gets the callbacks. */
typedef struct LoopCtx {
    Drive *d;
    Done done;
    int want;
    GMainLoop *loop;
    uint8_t buf[16][4096];
    GThread *vcpu_thread;
} LoopCtx;

static void on_loop_done(void *opaque, int ret)
{
    LoopCtx *c = opaque;
    on_done(&c->done, ret);
    ck_assert(g_thread_self() != c->vcpu_thread);
    if (c->done.count == c->want) {
        g_main_loop_quit(c->loop);
    }
}

static gpointer vcpu_main(gpointer opaque)
{
    LoopCtx *c = opaque;
    for (int i = 0; i < 16; i++) {
        fill(c->buf[i], 4096, 100 + i);
        block_aio_submit(c->d->bs, BLOCK_AIO_WRITE, (uint64_t)i * 4096, c->buf[i], 4096,
                         on_loop_done, c);
    }
    block_aio_submit(c->d->bs, BLOCK_AIO_FLUSH, 0, NULL, 0, on_loop_done, c);
    return NULL;
}

static gboolean loop_timeout(gpointer opaque)
{
    ck_abort_msg("completions never reached the main loop");
    return G_SOURCE_REMOVE;
}

START_TEST(test_completions_on_main_loop)
{
    LoopCtx *c = g_new0(LoopCtx, 1);
    c->d = open_new("qcow2", "writeback");
    c->want = 17;
    c->loop = g_main_loop_new(NULL, FALSE);
    g_timeout_add_seconds(20, loop_timeout, NULL);
    c->vcpu_thread = g_thread_new("vcpu", vcpu_main, c);
    g_main_loop_run(c->loop);
    g_thread_join(c->vcpu_thread);
    ck_assert_int_eq(c->done.count, 17);
    ck_assert_int_eq(c->done.errors, 0);
    ck_assert(c->done.thread == g_thread_self());
    ck_assert_uint_eq(block_aio_in_flight(), 0);

    uint8_t back[4096];
    for (int i = 0; i < 16; i++) {
        ck_assert_int_eq(block_read(c->d->bs, (uint64_t)i * 4096, back, 4096, NULL), 0);
        ck_assert_mem_eq(back, c->buf[i], 4096);
    }
    drive_close(c->d);
    g_main_loop_unref(c->loop);
    g_free(c);
}
END_TEST

/* system/ runs its own GMainContext: completions must follow it there, even
 * when the pool already started on the default one. */
START_TEST(test_completions_on_own_context)
{
    LoopCtx *c = g_new0(LoopCtx, 1);
    c->d = open_new("raw", "writeback");
    GMainContext *ctx = g_main_context_new();
    block_aio_set_context(ctx);
    c->want = 17;
    c->loop = g_main_loop_new(ctx, FALSE);
    GSource *t = g_timeout_source_new_seconds(20);
    g_source_set_callback(t, loop_timeout, NULL, NULL);
    g_source_attach(t, ctx);
    c->vcpu_thread = g_thread_new("vcpu", vcpu_main, c);
    g_main_loop_run(c->loop);
    g_thread_join(c->vcpu_thread);
    ck_assert_int_eq(c->done.count, 17);
    ck_assert_int_eq(c->done.errors, 0);
    ck_assert(c->done.thread == g_thread_self());
    /* Nothing is left for the default context. */
    ck_assert(!g_main_context_iteration(NULL, FALSE));

    uint8_t back[4096];
    ck_assert_int_eq(block_read(c->d->bs, 15 * 4096, back, 4096, NULL), 0);
    ck_assert_mem_eq(back, c->buf[15], 4096);
    drive_close(c->d);
    g_source_destroy(t);
    g_source_unref(t);
    block_aio_set_context(NULL);
    g_main_loop_unref(c->loop);
    g_main_context_unref(ctx);
    g_free(c);
}
END_TEST

START_TEST(test_snapshot_through_pool)
{
    /* snapshot=on + the pool: guest writes land in the overlay only. */
    char *path = g_build_filename(tmpdir, "base.img", NULL);
    uint8_t *orig = g_malloc(IMG_SIZE);
    fill(orig, IMG_SIZE, 9);
    ck_assert(g_file_set_contents(path, (char *)orig, IMG_SIZE, NULL));
    char *spec = g_strdup_printf("file=%s,format=raw,snapshot=on,cache=none", path);
    DriveOptions o;
    char *err = NULL;
    ck_assert(drive_parse(spec, &o, &err));
    Drive *d = drive_open(&o, &err);
    ck_assert_msg(d, "%s", err);
    uint8_t buf[4096];
    memset(buf, 0xcd, sizeof(buf));
    Done done = {0};
    for (int i = 0; i < 32; i++) {
        block_aio_submit(d->bs, BLOCK_AIO_WRITE, (uint64_t)i * 65536 + 512, buf, sizeof(buf),
                         on_done, &done);
    }
    block_aio_submit(d->bs, BLOCK_AIO_FLUSH, 0, NULL, 0, on_done, &done);
    block_aio_drain();
    ck_assert_int_eq(done.errors, 0);
    uint8_t back[4096];
    ck_assert_int_eq(block_read(d->bs, 512, back, sizeof(back), NULL), 0);
    ck_assert_mem_eq(back, buf, sizeof(buf));
    drive_close(d);

    gchar *data;
    gsize len;
    ck_assert(g_file_get_contents(path, &data, &len, NULL));
    ck_assert_uint_eq(len, IMG_SIZE);
    ck_assert_mem_eq(data, orig, IMG_SIZE);
    g_free(data);
    drive_options_clear(&o);
    g_free(spec);
    g_free(orig);
    g_free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("aio");
    TCase *tc = tcase_create("pool");
    tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_raw_writeback);
    tcase_add_test(tc, test_qcow2_writeback);
    tcase_add_test(tc, test_qcow2_writethrough);
    tcase_add_test(tc, test_raw_unsafe);
    tcase_add_test(tc, test_raw_direct_unaligned_buffers);
    tcase_add_test(tc, test_qcow2_directsync);
    tcase_add_test(tc, test_vector_write);
    tcase_add_test(tc, test_zeroes_and_discard);
    tcase_add_test(tc, test_error_reaches_callback);
    tcase_add_test(tc, test_completions_on_main_loop);
    tcase_add_test(tc, test_completions_on_own_context);
    tcase_add_test(tc, test_snapshot_through_pool);
    suite_add_tcase(s, tc);

    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
