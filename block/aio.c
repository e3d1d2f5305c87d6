/*
 * Block requests off the vCPU threads: a pool of worker threads runs
 * block.h calls; completions travel back through a queue and an eventfd that a
 * GSource on the main loop watches, so device callbacks run on that thread.
 */
#include "block/block-io.h"
#include "block/block.h"

#include <errno.h>
#include <glib.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Page-aligned bounce buffers stay usable if a driver hands them straight
 * to an O_DIRECT descriptor. */
#define AIO_BOUNCE_ALIGN    4096
#define AIO_DEFAULT_THREADS 4

typedef struct AioReq {
    BlockDev *bs;
    BlockAioOp op;
    uint64_t offset;
    uint64_t len;
    struct iovec *iov; /* copy of the caller's vector */
    int niov;
    void *bounce; /* the gathered vector, or NULL */
    BlockAioCompletion *cb;
    void *opaque;
    int ret;
} AioReq;

typedef struct AioState {
    GThreadPool *pool;
    GAsyncQueue *done;
    int efd;
    GSource *source;
    int threads;
    /* Submitted requests whose callback has not run yet. */
    gint pending;
} AioState;

static AioState aio = {.threads = 0};
static gsize aio_ready;
/* Set once aio_init has finished: the query functions must not start the
 * pool just to say there is nothing to do. */
static gint aio_started;
/* Where completions are dispatched: NULL is glib's default context. */
static GMainContext *aio_ctx;
static GMutex aio_ctx_lock;

static const char *const cache_names[] = {
    [BLOCK_CACHE_WRITEBACK] = "writeback",
    [BLOCK_CACHE_NONE] = "none",
    [BLOCK_CACHE_WRITETHROUGH] = "writethrough",
    [BLOCK_CACHE_DIRECTSYNC] = "directsync",
    [BLOCK_CACHE_UNSAFE] = "unsafe",
};

bool block_cache_mode_parse(const char *name, BlockCacheMode *mode, char **errp)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cache_names); i++) {
        if (!strcmp(name, cache_names[i])) {
            *mode = (BlockCacheMode)i;
            return true;
        }
    }
    *errp = g_strdup_printf("unknown cache mode '%s' (writeback, none, writethrough, "
                            "directsync, unsafe)",
                            name);
    return false;
}

const char *block_cache_mode_name(BlockCacheMode mode)
{
    if ((unsigned)mode < G_N_ELEMENTS(cache_names)) {
        return cache_names[mode];
    }
    return "?";
}

int block_cache_mode_flags(BlockCacheMode mode)
{
    switch (mode) {
    case BLOCK_CACHE_NONE: return BLOCK_O_CACHE_DIRECT;
    case BLOCK_CACHE_WRITETHROUGH: return BLOCK_O_CACHE_WRITETHROUGH;
    case BLOCK_CACHE_DIRECTSYNC: return BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH;
    case BLOCK_CACHE_UNSAFE: return BLOCK_O_CACHE_NO_FLUSH;
    case BLOCK_CACHE_WRITEBACK: break;
    }
    return 0;
}

bool block_cache_mode_direct(BlockCacheMode mode)
{
    return mode == BLOCK_CACHE_NONE || mode == BLOCK_CACHE_DIRECTSYNC;
}

/* ---- worker side ---- */

static void aio_gather(AioReq *r)
{
    uint8_t *p = r->bounce;
    for (int i = 0; i < r->niov; i++) {
        memcpy(p, r->iov[i].iov_base, r->iov[i].iov_len);
        p += r->iov[i].iov_len;
    }
}

static void aio_scatter(AioReq *r)
{
    const uint8_t *p = r->bounce;
    for (int i = 0; i < r->niov; i++) {
        memcpy(r->iov[i].iov_base, p, r->iov[i].iov_len);
        p += r->iov[i].iov_len;
    }
}

static int aio_run(AioReq *r)
{
    char *err = NULL;
    int ret = 0;
    void *buf = r->bounce ? r->bounce : (r->niov ? r->iov[0].iov_base : NULL);

    switch (r->op) {
    case BLOCK_AIO_READ:
        ret = block_read(r->bs, r->offset, buf, r->len, &err);
        if (ret >= 0 && r->bounce) {
            aio_scatter(r);
        }
        break;
    case BLOCK_AIO_WRITE:
        if (r->bounce) {
            aio_gather(r);
        }
        ret = block_write(r->bs, r->offset, buf, r->len, 0, &err);
        break;
    case BLOCK_AIO_FLUSH:
        /* cache=unsafe is handled by the driver (BLOCK_O_CACHE_NO_FLUSH). */
        ret = block_flush(r->bs, &err);
        break;
    case BLOCK_AIO_DISCARD: ret = block_discard(r->bs, r->offset, r->len, &err); break;
    case BLOCK_AIO_WRITE_ZEROES: ret = block_write_zeroes(r->bs, r->offset, r->len, 0, &err); break;
    default: ret = -EINVAL; break;
    }
    /* The guest sees an I/O error status; the message would only flood the
     * console of a guest that retries. */
    free(err);
    return ret < 0 ? ret : 0;
}

static void aio_worker(gpointer data, gpointer user_data)
{
    AioReq *r = data;
    r->ret = aio_run(r);
    g_async_queue_push(aio.done, r);
    uint64_t one = 1;
    /* Only fails if the counter would overflow, and then it is readable anyway. */
    ssize_t n = write(aio.efd, &one, sizeof(one));
    (void)n;
}

/* ---- completion side ---- */

static void aio_complete(AioReq *r)
{
    r->cb(r->opaque, r->ret);
    free(r->bounce);
    g_free(r->iov);
    g_free(r);
    g_atomic_int_dec_and_test(&aio.pending);
}

int block_aio_poll(void)
{
    int n = 0;
    AioReq *r;
    if (!g_atomic_int_get(&aio_started)) {
        return 0;
    }
    while ((r = g_async_queue_try_pop(aio.done))) {
        aio_complete(r);
        n++;
    }
    return n;
}

static gboolean aio_source_dispatch(gint fd, GIOCondition cond, gpointer user_data)
{
    uint64_t cnt;
    /* Clear the counter before emptying the queue: a completion pushed after
     * the queue ran dry writes the eventfd again and wakes us once more. */
    ssize_t n = read(aio.efd, &cnt, sizeof(cnt));
    (void)n;
    block_aio_poll();
    return G_SOURCE_CONTINUE;
}

/* Called with aio_ctx_lock held. Without a running main loop,
 * block_aio_poll/drain deliver completions instead. */
static void aio_attach_source(void)
{
    if (aio.source) {
        g_source_destroy(aio.source);
        g_source_unref(aio.source);
    }
    aio.source = g_unix_fd_source_new(aio.efd, G_IO_IN);
    g_source_set_callback(aio.source, G_SOURCE_FUNC(aio_source_dispatch), NULL, NULL);
    g_source_set_name(aio.source, "block-aio");
    g_source_attach(aio.source, aio_ctx);
}

void block_aio_set_context(struct _GMainContext *ctx)
{
    g_mutex_lock(&aio_ctx_lock);
    aio_ctx = ctx;
    if (g_atomic_int_get(&aio_started)) {
        aio_attach_source();
    }
    g_mutex_unlock(&aio_ctx_lock);
}

static void aio_init(void)
{
    if (!g_once_init_enter(&aio_ready)) {
        return;
    }
    aio.done = g_async_queue_new();
    aio.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (aio.efd < 0) {
        g_error("block I/O: eventfd: %s", g_strerror(errno));
    }
    int threads = aio.threads;
    const char *env = getenv("MIMIC_AIO_THREADS");
    if (threads <= 0 && env) {
        threads = atoi(env);
    }
    if (threads <= 0 || threads > 64) {
        threads = AIO_DEFAULT_THREADS;
    }
    GError *gerr = NULL;
    aio.pool = g_thread_pool_new(aio_worker, NULL, threads, FALSE, &gerr);
    if (!aio.pool) {
        g_error("block I/O: cannot start worker threads: %s", gerr->message);
    }
    g_mutex_lock(&aio_ctx_lock);
    aio_attach_source();
    g_mutex_unlock(&aio_ctx_lock);
    g_atomic_int_set(&aio_started, 1);
    g_once_init_leave(&aio_ready, 1);
}

void block_aio_set_threads(int n)
{
    aio.threads = n;
}

void block_aio_attach(BlockDev *bs, BlockCacheMode mode)
{
    /* The driver already applies the cache mode (block_open flags) and
     * serialises a device's operations, so starting the pool is all. */
    aio_init();
}

void block_aio_detach(BlockDev *bs)
{
    aio_init();
    /* Requests hold the BlockDev pointer; they must be gone before the caller
     * closes it. Waiting for all of them is simpler and detach is rare. */
    block_aio_drain();
}

void block_aio_submitv(BlockDev *bs, BlockAioOp op, uint64_t offset, const struct iovec *iov,
                       int niov, uint64_t len, BlockAioCompletion *cb, void *opaque)
{
    aio_init();
    AioReq *r = g_new0(AioReq, 1);
    r->bs = bs;
    r->op = op;
    r->offset = offset;
    r->cb = cb;
    r->opaque = opaque;
    r->len = len;

    if (op == BLOCK_AIO_READ || op == BLOCK_AIO_WRITE) {
        uint64_t total = 0;
        if (niov > 0) {
            r->iov = g_memdup2(iov, sizeof(*iov) * niov);
            r->niov = niov;
        }
        for (int i = 0; i < niov; i++) {
            total += iov[i].iov_len;
        }
        r->len = total;
        /* block.h takes one buffer: a vector is gathered into a bounce
         * buffer, since one driver call is much cheaper than one per element
         * (each could copy-on-write a whole qcow2 cluster). O_DIRECT's
         * alignment is the file driver's business: it bounces itself. */
        if (total && niov > 1) {
            size_t sz = (total + AIO_BOUNCE_ALIGN - 1) & ~(uint64_t)(AIO_BOUNCE_ALIGN - 1);
            if (posix_memalign(&r->bounce, AIO_BOUNCE_ALIGN, sz)) {
                r->bounce = NULL;
                r->ret = -ENOMEM;
            }
        }
    }

    g_atomic_int_inc(&aio.pending);
    if (r->ret < 0) {
        /* Still delivered asynchronously, like every other completion. */
        g_async_queue_push(aio.done, r);
        uint64_t one = 1;
        ssize_t n = write(aio.efd, &one, sizeof(one));
        (void)n;
        return;
    }
    g_thread_pool_push(aio.pool, r, NULL);
}

void block_aio_submit(BlockDev *bs, BlockAioOp op, uint64_t offset, void *buf, uint64_t len,
                      BlockAioCompletion *cb, void *opaque)
{
    struct iovec v = {.iov_base = buf, .iov_len = len};
    bool data = op == BLOCK_AIO_READ || op == BLOCK_AIO_WRITE;
    block_aio_submitv(bs, op, offset, data ? &v : NULL, data ? 1 : 0, len, cb, opaque);
}

void block_aio_drain(void)
{
    if (!g_atomic_int_get(&aio_started)) {
        return;
    }
    while (g_atomic_int_get(&aio.pending) > 0) {
        /* The main loop may be delivering some of them on its own thread,
         * so wait in slices and look at the counter again. */
        AioReq *r = g_async_queue_timeout_pop(aio.done, 10000);
        if (r) {
            aio_complete(r);
        }
    }
}

unsigned block_aio_in_flight(void)
{
    if (!g_atomic_int_get(&aio_started)) {
        return 0;
    }
    return (unsigned)g_atomic_int_get(&aio.pending);
}
