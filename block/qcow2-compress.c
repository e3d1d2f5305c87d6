/* qcow2 compressed cluster codecs: raw deflate (zlib, 4 KiB window, as
 * qemu-img writes) and zstd frames. Decoders stop once a cluster is full,
 * because the stored length is rounded up to whole sectors. */
#include "block/qcow2.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Returns the compressed length, or 0 when it would not be smaller than
 * out_max (store uncompressed instead), or a negative errno. */
int qcow2_compress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                   uint32_t out_max)
{
    if (s->compression_type == BLOCK_COMPRESSION_ZSTD) {
        size_t n = ZSTD_compress(out, out_max, in, in_len, ZSTD_CLEVEL_DEFAULT);
        if (ZSTD_isError(n))
            return 0; /* typically: output would not be smaller */
        return n < out_max ? (int)n : 0;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return -ENOMEM;
    z.next_in = (uint8_t *)in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_max;
    int r = deflate(&z, Z_FINISH);
    int ret = (r == Z_STREAM_END) ? (int)(out_max - z.avail_out) : 0;
    deflateEnd(&z);
    if (ret >= (int)out_max)
        ret = 0;
    return ret;
}

int qcow2_decompress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                     uint32_t out_len)
{
    if (s->compression_type == BLOCK_COMPRESSION_ZSTD) {
        ZSTD_DCtx *d = ZSTD_createDCtx();
        if (!d)
            return -ENOMEM;
        ZSTD_inBuffer ib = {in, in_len, 0};
        ZSTD_outBuffer ob = {out, out_len, 0};
        int ret = 0;
        while (ob.pos < ob.size) {
            size_t r = ZSTD_decompressStream(d, &ob, &ib);
            if (ZSTD_isError(r)) {
                ret = -EIO;
                break;
            }
            if (r == 0 && ob.pos < ob.size && ib.pos >= ib.size) {
                ret = -EIO;
                break;
            }
            if (ib.pos >= ib.size && ob.pos < ob.size && r != 0) {
                ret = -EIO;
                break;
            }
        }
        ZSTD_freeDCtx(d);
        return ret;
    }
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (inflateInit2(&z, -12) != Z_OK)
        return -ENOMEM;
    z.next_in = (uint8_t *)in;
    z.avail_in = in_len;
    z.next_out = out;
    z.avail_out = out_len;
    int r = inflate(&z, Z_FINISH);
    int ret = ((r == Z_STREAM_END || r == Z_BUF_ERROR || r == Z_OK) && z.avail_out == 0) ? 0 : -EIO;
    inflateEnd(&z);
    return ret;
}

/* Helper threads compressing batches beside the caller: deflate is the
 * whole cost of a compressed convert and clusters are independent. The
 * caller takes the compressed clusters in order as they complete, and while
 * the next one is still being compressed by a helper it claims and
 * compresses further ones itself, so that writing overlaps compressing and a
 * preempted helper (a loaded host) delays only its one cluster. Helpers live
 * as long as the process; after fork() the child works alone. */
#define QCOW2_COMPRESS_HELPERS_MAX 3

typedef struct CompressBatch {
    Qcow2State *s;
    const uint8_t *const *in;
    uint8_t *out;
    int *clen;
    uint32_t n;
    atomic_uint next;
    atomic_uchar done[QCOW2_COMPRESS_BATCH];
    int users; /* helpers inside this batch (under pool.lock) */
} CompressBatch;

static struct {
    pthread_mutex_t lock;
    pthread_mutex_t busy; /* one batch at a time */
    pthread_cond_t work, done;
    CompressBatch *batch;
    uint64_t gen;
    bool started;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_COND_INITIALIZER};

/* Claims and compresses one cluster; false when none is left. */
static bool compress_batch_one(CompressBatch *b, bool helper)
{
    uint32_t cs = b->s->cluster_size;
    uint32_t i = atomic_fetch_add(&b->next, 1);
    if (i >= b->n)
        return false;
    b->clen[i] = qcow2_compress(b->s, b->in[i], cs, b->out + (size_t)i * cs, cs - 1);
    atomic_store(&b->done[i], 1);
    if (helper) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.done);
        pthread_mutex_unlock(&pool.lock);
    }
    return true;
}

static void *compress_helper(void *opaque)
{
    uint64_t seen = 0;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (!pool.batch || pool.gen == seen)
            pthread_cond_wait(&pool.work, &pool.lock);
        seen = pool.gen;
        CompressBatch *b = pool.batch;
        b->users++;
        pthread_mutex_unlock(&pool.lock);
        while (compress_batch_one(b, true)) {
        }
        pthread_mutex_lock(&pool.lock);
        b->users--;
        pthread_cond_broadcast(&pool.done);
    }
    return opaque;
}

static void compress_pool_start(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long helpers = BLOCK_MIN(cpus - 1, QCOW2_COMPRESS_HELPERS_MAX);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (long i = 0; i < helpers; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, compress_helper, NULL) != 0)
            break; /* fewer helpers: the caller does the rest */
    }
    pthread_attr_destroy(&attr);
}

int qcow2_compress_batch(Qcow2State *s, const uint8_t *const *in, uint32_t n, uint8_t *out,
                         int *clen, Qcow2CompressedFn fn, void *opaque)
{
    CompressBatch b = {.s = s, .in = in, .out = out, .clen = clen, .n = n};
    atomic_init(&b.next, 0);
    for (uint32_t i = 0; i < n; i++)
        atomic_init(&b.done[i], 0);
    bool pooled = n >= 2;
    if (pooled) {
        pthread_mutex_lock(&pool.busy);
        pthread_mutex_lock(&pool.lock);
        if (!pool.started) {
            pool.started = true;
            compress_pool_start();
        }
        pool.batch = &b;
        pool.gen++;
        pthread_cond_broadcast(&pool.work);
        pthread_mutex_unlock(&pool.lock);
    }
    int ret = 0;
    for (uint32_t i = 0; i < n; i++) {
        while (!atomic_load(&b.done[i])) {
            if (compress_batch_one(&b, false))
                continue;
            /* Everything is claimed: cluster i is in a helper's hands. */
            pthread_mutex_lock(&pool.lock);
            while (!atomic_load(&b.done[i]))
                pthread_cond_wait(&pool.done, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
        if (ret == 0)
            ret = fn(opaque, i, out + (size_t)i * s->cluster_size, clen[i]);
    }
    if (pooled) {
        pthread_mutex_lock(&pool.lock);
        pool.batch = NULL;
        while (b.users > 0)
            pthread_cond_wait(&pool.done, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
        pthread_mutex_unlock(&pool.busy);
    }
    return ret;
}
