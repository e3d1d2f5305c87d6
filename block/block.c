/* Block layer front door: opening (with format probing and backing chains),
 * creation, and the locked public entry points that dispatch to a driver. */
#include "block/block-int.h"

#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK_MAX_CHAIN 64

static const BlockDriver *const block_drivers[] = {&block_driver_qcow2, &block_driver_raw};

int block_err(char **errp, int ret, const char *fmt, ...)
{
    if (errp && !*errp) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(errp, fmt, ap) < 0)
            *errp = NULL;
        va_end(ap);
    }
    return ret;
}

int block_parse_cache_mode(const char *mode, int *flags)
{
    static const struct {
        const char *name;
        int flags;
    } modes[] = {
        {"writeback", 0},
        {"none", BLOCK_O_CACHE_DIRECT},
        {"writethrough", BLOCK_O_CACHE_WRITETHROUGH},
        {"directsync", BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH},
        {"unsafe", BLOCK_O_CACHE_NO_FLUSH},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (!strcmp(mode, modes[i].name)) {
            *flags = modes[i].flags;
            return 0;
        }
    }
    return -EINVAL;
}

int block_parse_prealloc(const char *s, BlockPrealloc *out)
{
    static const char *const names[] = {"off", "metadata", "falloc", "full"};
    for (int i = 0; i < 4; i++) {
        if (!strcmp(s, names[i])) {
            *out = (BlockPrealloc)i;
            return 0;
        }
    }
    return -EINVAL;
}

static const BlockDriver *block_find_driver(const char *name)
{
    for (size_t i = 0; i < sizeof(block_drivers) / sizeof(block_drivers[0]); i++) {
        if (!strcmp(block_drivers[i]->name, name))
            return block_drivers[i];
    }
    return NULL;
}

/* Returns NULL when the file cannot be read: guessing "raw" then could let a
 * write destroy an image of another format. */
static const BlockDriver *block_probe_fd(int fd)
{
    /* Aligned, so that the read also works on an O_DIRECT descriptor. */
    enum { PROBE_LEN = 4096 };
    void *mem;
    if (posix_memalign(&mem, PROBE_LEN, PROBE_LEN))
        return NULL;
    uint8_t *buf = mem;
    ssize_t n = pread(fd, buf, PROBE_LEN, 0);
    if (n < 0) {
        free(mem);
        return NULL;
    }
    const BlockDriver *best = &block_driver_raw;
    int best_score = 0;
    for (size_t i = 0; i < sizeof(block_drivers) / sizeof(block_drivers[0]); i++) {
        const BlockDriver *d = block_drivers[i];
        int score = d->probe ? d->probe(buf, (size_t)n) : 0;
        if (score > best_score) {
            best = d;
            best_score = score;
        }
    }
    free(mem);
    return best;
}

int block_probe_format(const char *filename, char *fmt, size_t fmt_len, char **errp)
{
    int fd = open(filename, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return block_err(errp, -errno, "Could not open '%s': %s", filename, strerror(errno));
    const BlockDriver *d = block_probe_fd(fd);
    int err = errno;
    close(fd);
    if (!d)
        return block_err(errp, -err, "Could not read '%s' to probe its format: %s", filename,
                         strerror(err));
    snprintf(fmt, fmt_len, "%s", d->name);
    return 0;
}

char *block_backing_path(const char *image, const char *backing)
{
    char *out = NULL;
    if (backing[0] == '/' || !strchr(image, '/')) {
        out = strdup(backing);
    } else {
        char *copy = strdup(image);
        char *dir = dirname(copy);
        if (asprintf(&out, "%s/%s", dir, backing) < 0)
            out = NULL;
        free(copy);
    }
    return out;
}

typedef struct ChainSeen {
    dev_t dev[BLOCK_MAX_CHAIN];
    ino_t ino[BLOCK_MAX_CHAIN];
    int n;
} ChainSeen;

static void block_free(BlockDev *bs)
{
    if (!bs)
        return;
    if (bs->fd >= 0)
        close(bs->fd);
    free(bs->filename);
    free(bs->backing_file);
    free(bs->backing_fmt);
    pthread_mutex_destroy(&bs->lock);
    free(bs);
}

static BlockDev *block_open_chain(const char *filename, const char *format, int flags,
                                  ChainSeen *seen, char **errp)
{
    const BlockDriver *drv = NULL;
    if (format && !(drv = block_find_driver(format))) {
        block_err(errp, -EINVAL, "Unknown driver '%s'", format);
        return NULL;
    }
    BlockDev *bs = calloc(1, sizeof(*bs));
    if (!bs) {
        block_err(errp, -ENOMEM, "Out of memory");
        return NULL;
    }
    pthread_mutex_init(&bs->lock, NULL);
    bs->filename = strdup(filename);
    bs->flags = flags;
    bs->read_only = !(flags & BLOCK_O_RDWR);
    bs->fd = file_open(filename, flags, &bs->direct, errp);
    if (bs->fd < 0) {
        bs->fd = -1;
        block_free(bs);
        return NULL;
    }
    struct stat st;
    if (fstat(bs->fd, &st) == 0) {
        for (int i = 0; i < seen->n; i++) {
            if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino) {
                block_err(errp, -ELOOP, "Backing file '%s' creates a loop in the backing chain",
                          filename);
                block_free(bs);
                return NULL;
            }
        }
        if (seen->n >= BLOCK_MAX_CHAIN) {
            block_err(errp, -ELOOP, "Backing chain of '%s' is too deep", filename);
            block_free(bs);
            return NULL;
        }
        seen->dev[seen->n] = st.st_dev;
        seen->ino[seen->n] = st.st_ino;
        seen->n++;
    }
    if (!drv && !(drv = block_probe_fd(bs->fd))) {
        block_err(errp, -EIO, "Could not read '%s' to probe its format: %s", filename,
                  strerror(errno));
        block_free(bs);
        return NULL;
    }
    bs->drv = drv;
    if (drv->open(bs, errp) < 0) {
        block_free(bs);
        return NULL;
    }
    if (bs->backing_file && !(flags & BLOCK_O_NO_BACKING)) {
        char *path = block_backing_path(filename, bs->backing_file);
        char *err = NULL;
        int bflags = flags & BLOCK_O_CACHE_MASK;
        bs->backing = block_open_chain(path, bs->backing_fmt, bflags, seen, &err);
        if (!bs->backing) {
            block_err(errp, -EINVAL, "Could not open backing file: %s", err ? err : "error");
            free(err);
            free(path);
            drv->close(bs);
            block_free(bs);
            return NULL;
        }
        free(path);
    }
    return bs;
}

BlockDev *block_open(const char *filename, const char *format, int flags, char **errp)
{
    ChainSeen seen = {.n = 0};
    return block_open_chain(filename, format, flags, &seen, errp);
}

int block_close(BlockDev *bs)
{
    if (!bs)
        return 0;
    int ret = 0;
    if (!bs->read_only && bs->drv->flush)
        ret = bs->drv->flush(bs, NULL);
    bs->drv->close(bs);
    int bret = block_close(bs->backing);
    block_free(bs);
    return ret < 0 ? ret : bret;
}

int block_create(const char *filename, const char *format, uint64_t size,
                 const BlockCreateOpts *opts, char **errp)
{
    BlockCreateOpts defaults = {0};
    if (!opts)
        opts = &defaults;
    const BlockDriver *drv = block_find_driver(format ? format : "raw");
    if (!drv || !drv->create)
        return block_err(errp, -EINVAL, "Unknown or unsupported format '%s'", format);
    if (size == BLOCK_SIZE_FROM_BACKING) {
        if (!opts->backing_file)
            return block_err(errp, -EINVAL, "Image size must be given without a backing file");
        char *path = block_backing_path(filename, opts->backing_file);
        BlockDev *b = block_open(path, opts->backing_fmt, BLOCK_O_NO_BACKING, errp);
        free(path);
        if (!b)
            return -EINVAL;
        size = b->size;
        block_close(b);
    }
    return drv->create(filename, size, opts, errp);
}

const char *block_get_filename(BlockDev *bs)
{
    return bs->filename;
}

const char *block_get_format(BlockDev *bs)
{
    return bs->drv->name;
}

uint64_t block_get_length(BlockDev *bs)
{
    pthread_mutex_lock(&bs->lock);
    uint64_t s = bs->size;
    pthread_mutex_unlock(&bs->lock);
    return s;
}

bool block_is_read_only(BlockDev *bs)
{
    return bs->read_only;
}

BlockDev *block_get_backing(BlockDev *bs)
{
    return bs->backing;
}

uint32_t block_get_cluster_size(BlockDev *bs)
{
    return bs->cluster_size;
}

static int block_check_range(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    if (off > bs->size || len > bs->size - off)
        return block_err(errp, -EINVAL,
                         "%s: request at %" PRIu64 "+%" PRIu64
                         " is beyond the end of the disk (%" PRIu64 " bytes)",
                         bs->filename, off, len, bs->size);
    return 0;
}

static int block_check_writable(BlockDev *bs, char **errp)
{
    if (bs->read_only)
        return block_err(errp, -EACCES, "%s: image is opened read-only", bs->filename);
    return 0;
}

int block_read(BlockDev *bs, uint64_t offset, void *buf, uint64_t len, char **errp)
{
    pthread_mutex_lock(&bs->lock);
    int ret = block_check_range(bs, offset, len, errp);
    if (ret == 0 && len)
        ret = bs->drv->read(bs, offset, buf, len, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

static int block_after_write(BlockDev *bs, int ret, int flags, char **errp)
{
    if (ret == 0 && ((flags & BLOCK_WRITE_FUA) || (bs->flags & BLOCK_O_CACHE_WRITETHROUGH)))
        ret = bs->drv->flush(bs, errp);
    return ret;
}

int block_write(BlockDev *bs, uint64_t offset, const void *buf, uint64_t len, int flags,
                char **errp)
{
    pthread_mutex_lock(&bs->lock);
    int ret = block_check_writable(bs, errp);
    if (ret == 0)
        ret = block_check_range(bs, offset, len, errp);
    if (ret == 0 && len)
        ret = bs->drv->write(bs, offset, buf, len, flags, errp);
    ret = block_after_write(bs, ret, flags, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int block_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, int flags, char **errp)
{
    pthread_mutex_lock(&bs->lock);
    int ret = block_check_writable(bs, errp);
    if (ret == 0)
        ret = block_check_range(bs, offset, len, errp);
    if (ret == 0 && len)
        ret = bs->drv->write_zeroes(bs, offset, len, flags, errp);
    ret = block_after_write(bs, ret, flags, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int block_discard(BlockDev *bs, uint64_t offset, uint64_t len, char **errp)
{
    pthread_mutex_lock(&bs->lock);
    int ret = block_check_writable(bs, errp);
    if (ret == 0)
        ret = block_check_range(bs, offset, len, errp);
    if (ret == 0 && len && bs->drv->discard)
        ret = bs->drv->discard(bs, offset, len, errp);
    ret = block_after_write(bs, ret, 0, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int block_flush(BlockDev *bs, char **errp)
{
    if (bs->read_only)
        return 0;
    pthread_mutex_lock(&bs->lock);
    int ret = bs->drv->flush(bs, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int block_read_backing(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    uint64_t have = 0;
    if (bs->backing) {
        uint64_t bsize = block_get_length(bs->backing);
        if (off < bsize) {
            have = BLOCK_MIN(len, bsize - off);
            int ret = block_read(bs->backing, off, buf, have, errp);
            if (ret < 0)
                return ret;
        }
    }
    if (have < len)
        memset((uint8_t *)buf + have, 0, len - have);
    return 0;
}

static int block_status_layer(BlockDev *bs, uint64_t off, uint64_t len, BlockStatus *st,
                              char **errp)
{
    pthread_mutex_lock(&bs->lock);
    memset(st, 0, sizeof(*st));
    int ret = 0;
    if (off >= bs->size) {
        /* Beyond this layer's end: reads as zeroes from the layer above. */
        st->offset = off;
        st->length = len;
        st->flags = BLOCK_STATUS_ZERO;
    } else {
        len = BLOCK_MIN(len, bs->size - off);
        ret = bs->drv->get_status(bs, off, len, st, errp);
        st->offset = off;
        if (ret == 0 && (st->length == 0 || st->length > len))
            st->length = len;
    }
    st->filename = bs->filename;
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int block_get_status(BlockDev *bs, uint64_t offset, uint64_t len, bool follow_backing,
                     BlockStatus *st, char **errp)
{
    uint64_t size = block_get_length(bs);
    if (offset >= size || len == 0)
        return block_err(errp, -EINVAL, "%s: block status request beyond the end", bs->filename);
    len = BLOCK_MIN(len, size - offset);
    int ret = block_status_layer(bs, offset, len, st, errp);
    if (ret < 0)
        return ret;
    st->depth = 0;
    if (!follow_backing || (st->flags & (BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_ZERO)) ||
        !bs->backing)
        return 0;
    uint64_t sublen = st->length;
    BlockDev *b = bs->backing;
    int depth = 1;
    for (;;) {
        ret = block_status_layer(b, offset, sublen, st, errp);
        if (ret < 0)
            return ret;
        st->depth = depth;
        if (st->offset >= block_get_length(b)) {
            /* The backing file is shorter: zeroes, reported as unallocated. */
            st->flags = BLOCK_STATUS_ZERO;
            st->depth = depth - 1;
            return 0;
        }
        if ((st->flags & (BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_ZERO)) || !b->backing)
            return 0;
        sublen = st->length;
        b = b->backing;
        depth++;
    }
}

#define BLOCK_DISPATCH(bs, op, writable, ...)                                              \
    do {                                                                                   \
        if (!(bs)->drv->op)                                                                \
            return block_err(errp, -ENOTSUP, "%s: operation not supported by format '%s'", \
                             (bs)->filename, (bs)->drv->name);                             \
        pthread_mutex_lock(&(bs)->lock);                                                   \
        int ret_ = (writable) ? block_check_writable(bs, errp) : 0;                        \
        if (ret_ == 0)                                                                     \
            ret_ = (bs)->drv->op(bs, __VA_ARGS__);                                         \
        pthread_mutex_unlock(&(bs)->lock);                                                 \
        return ret_;                                                                       \
    } while (0)

int block_get_info(BlockDev *bs, BlockInfo *info, char **errp)
{
    memset(info, 0, sizeof(*info));
    info->filename = bs->filename;
    info->format = bs->drv->name;
    pthread_mutex_lock(&bs->lock);
    info->virtual_size = bs->size;
    info->actual_size = file_allocated(bs);
    if (bs->backing_file) {
        info->backing_file = strdup(bs->backing_file);
        info->full_backing_filename = block_backing_path(bs->filename, bs->backing_file);
        if (bs->backing_fmt)
            info->backing_fmt = strdup(bs->backing_fmt);
    }
    int ret = bs->drv->get_info ? bs->drv->get_info(bs, info, errp) : 0;
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

void block_snapshot_list_free(BlockSnapshotInfo *list, int n)
{
    for (int i = 0; i < n; i++) {
        free(list[i].id);
        free(list[i].name);
    }
    free(list);
}

void block_info_clear(BlockInfo *info)
{
    free(info->backing_file);
    free(info->full_backing_filename);
    free(info->backing_fmt);
    block_snapshot_list_free(info->snapshots, info->nb_snapshots);
    for (int i = 0; info->bitmaps && i < info->nb_bitmaps; i++)
        free(info->bitmaps[i].name);
    free(info->bitmaps);
    memset(info, 0, sizeof(*info));
}

int block_truncate(BlockDev *bs, uint64_t size, bool allow_shrink, BlockPrealloc prealloc,
                   char **errp)
{
    BLOCK_DISPATCH(bs, truncate, true, size, allow_shrink, prealloc, errp);
}

/* Bitmaps: formats without them say so as qemu-img does. */
static int block_bitmap_dispatch(BlockDev *bs, int op, const char *name, uint64_t granularity,
                                 bool enabled, const uint8_t *src, uint64_t src_granularity,
                                 uint64_t src_size, char **errp)
{
    if (!bs->drv->bitmap_op)
        return block_err(errp, -ENOTSUP, "Can't store persistent bitmaps to %s: format '%s'",
                         bs->filename, bs->drv->name);
    BLOCK_DISPATCH(bs, bitmap_op, true, op, name, granularity, enabled, src, src_granularity,
                   src_size, errp);
}

int block_bitmap_add(BlockDev *bs, const char *name, uint64_t granularity, bool enabled,
                     char **errp)
{
    return block_bitmap_dispatch(bs, BLOCK_BITMAP_ADD, name, granularity, enabled, NULL, 0, 0,
                                 errp);
}

int block_bitmap_remove(BlockDev *bs, const char *name, char **errp)
{
    return block_bitmap_dispatch(bs, BLOCK_BITMAP_REMOVE, name, 0, false, NULL, 0, 0, errp);
}

int block_bitmap_clear(BlockDev *bs, const char *name, char **errp)
{
    return block_bitmap_dispatch(bs, BLOCK_BITMAP_CLEAR, name, 0, false, NULL, 0, 0, errp);
}

int block_bitmap_set_enabled(BlockDev *bs, const char *name, bool enabled, char **errp)
{
    return block_bitmap_dispatch(bs, enabled ? BLOCK_BITMAP_ENABLE : BLOCK_BITMAP_DISABLE, name, 0,
                                 false, NULL, 0, 0, errp);
}

int block_bitmap_merge(BlockDev *bs, const char *name, const uint8_t *src, uint64_t src_granularity,
                       uint64_t src_size, char **errp)
{
    return block_bitmap_dispatch(bs, BLOCK_BITMAP_MERGE, name, 0, false, src, src_granularity,
                                 src_size, errp);
}

int block_bitmap_get(BlockDev *bs, const char *name, uint8_t **bits, uint64_t *granularity,
                     uint64_t *size, char **errp)
{
    *bits = NULL;
    if (!bs->drv->bitmap_get)
        return block_err(errp, -ENOENT, "Dirty bitmap '%s' not found", name);
    BLOCK_DISPATCH(bs, bitmap_get, false, name, bits, granularity, size, errp);
}

int block_snapshot_create(BlockDev *bs, const char *name, char **errp)
{
    BLOCK_DISPATCH(bs, snapshot_create, true, name, errp);
}

int block_snapshot_apply(BlockDev *bs, const char *id_or_name, char **errp)
{
    BLOCK_DISPATCH(bs, snapshot_apply, true, id_or_name, errp);
}

int block_snapshot_delete(BlockDev *bs, const char *id_or_name, char **errp)
{
    BLOCK_DISPATCH(bs, snapshot_delete, true, id_or_name, errp);
}

int block_snapshot_list(BlockDev *bs, BlockSnapshotInfo **list, char **errp)
{
    *list = NULL;
    BLOCK_DISPATCH(bs, snapshot_list, false, list, errp);
}

int block_check(BlockDev *bs, int fix, BlockCheckResult *res, char **errp)
{
    memset(res, 0, sizeof(*res));
    BLOCK_DISPATCH(bs, check, fix != 0, fix, res, errp);
}

void block_check_result_clear(BlockCheckResult *res)
{
    free(res->messages);
    memset(res, 0, sizeof(*res));
}

int block_make_empty(BlockDev *bs, char **errp)
{
    BLOCK_DISPATCH(bs, make_empty, true, errp);
}

int block_change_backing_file(BlockDev *bs, const char *backing_file, const char *backing_fmt,
                              char **errp)
{
    BLOCK_DISPATCH(bs, change_backing, true, backing_file, backing_fmt, errp);
}

int block_amend(BlockDev *bs, const BlockAmendOpts *opts, char **errp)
{
    BLOCK_DISPATCH(bs, amend, true, opts, errp);
}
