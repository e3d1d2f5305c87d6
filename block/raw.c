/* The raw format driver: the virtual disk is the file itself. Sparse-aware
 * (SEEK_DATA/SEEK_HOLE for block status, hole punching for discard). */
#include "block/block-int.h"

#include <fcntl.h>
#include <unistd.h>

static int raw_open(BlockDev *bs, char **errp)
{
    int64_t len = file_length(bs, errp);
    if (len < 0)
        return (int)len;
    /* Whole sectors, as qemu reports it: the tail past the end of the file
     * reads as zeroes, and a write there extends the file. */
    bs->size = ((uint64_t)len + 511) & ~511ULL;
    return 0;
}

static void raw_close(BlockDev *bs) {}

static int raw_create(const char *filename, uint64_t size, const BlockCreateOpts *opts, char **errp)
{
    if (opts->cluster_size || opts->compat || opts->backing_file || opts->backing_fmt ||
        opts->lazy_refcounts || opts->refcount_bits || opts->extended_l2 ||
        opts->compression_type != BLOCK_COMPRESSION_ZLIB)
        return block_err(errp, -EINVAL, "%s: option not supported by format 'raw'", filename);
    if (opts->preallocation == BLOCK_PREALLOC_METADATA)
        return block_err(errp, -EINVAL,
                         "Invalid parameter 'metadata': preallocation mode not supported by raw");
    int fd = open(filename, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return block_err(errp, -errno, "Could not create '%s': %s", filename, strerror(errno));
    BlockDev tmp = {.fd = fd, .filename = (char *)filename};
    int ret = file_truncate(&tmp, size, opts->preallocation, errp);
    if (ret == 0 && fsync(fd) < 0)
        ret = block_err(errp, -errno, "%s: %s", filename, strerror(errno));
    close(fd);
    return ret;
}

static int raw_read(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    return file_pread(bs, off, buf, len, errp);
}

static int raw_write(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, int flags,
                     char **errp)
{
    if (flags & BLOCK_WRITE_COMPRESSED)
        return block_err(errp, -ENOTSUP, "%s: format 'raw' does not support compressed writes",
                         bs->filename);
    return file_pwrite(bs, off, buf, len, errp);
}

static int raw_write_zeroes(BlockDev *bs, uint64_t off, uint64_t len, int flags, char **errp)
{
    return file_write_zeroes(bs, off, len, (flags & BLOCK_ZERO_MAY_UNMAP) != 0, errp);
}

static int raw_discard(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    return file_write_zeroes(bs, off, len, true, errp);
}

static int raw_flush(BlockDev *bs, char **errp)
{
    return file_flush(bs, errp);
}

static int raw_get_status(BlockDev *bs, uint64_t off, uint64_t len, BlockStatus *st, char **errp)
{
    off_t data = lseek(bs->fd, (off_t)off, SEEK_DATA);
    uint64_t flen = (uint64_t)BLOCK_MAX(file_length(bs, NULL), 0);
    if (data < 0 && errno == ENXIO) {
        /* No data from here to the end of the file: a hole. */
        st->flags = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_ZERO | BLOCK_STATUS_OFFSET_VALID;
        st->length = len;
    } else if (data < 0) {
        /* No SEEK_DATA support: everything is data. */
        st->flags = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_OFFSET_VALID;
        st->length = len;
    } else if ((uint64_t)data > off) {
        st->flags = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_ZERO | BLOCK_STATUS_OFFSET_VALID;
        st->length = BLOCK_MIN(len, (uint64_t)data - off);
    } else {
        off_t hole = lseek(bs->fd, (off_t)off, SEEK_HOLE);
        uint64_t end = hole < 0 ? flen : (uint64_t)hole;
        st->flags = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_OFFSET_VALID;
        st->length = BLOCK_MIN(len, end > off ? end - off : len);
    }
    st->host_offset = off;
    return 0;
}

static int raw_truncate(BlockDev *bs, uint64_t size, bool shrink, BlockPrealloc prealloc,
                        char **errp)
{
    if (size < bs->size && !shrink)
        return block_err(errp, -EINVAL,
                         "%s: shrinking the image needs the shrink option (data would be lost)",
                         bs->filename);
    if (prealloc == BLOCK_PREALLOC_METADATA)
        return block_err(errp, -ENOTSUP, "%s: preallocation 'metadata' is not supported by raw",
                         bs->filename);
    int ret = file_truncate(bs, size, prealloc, errp);
    if (ret == 0)
        bs->size = size;
    return ret;
}

static int raw_probe(const uint8_t *buf, size_t len)
{
    return 1;
}

const BlockDriver block_driver_raw = {
    .name = "raw",
    .probe = raw_probe,
    .open = raw_open,
    .close = raw_close,
    .create = raw_create,
    .read = raw_read,
    .write = raw_write,
    .write_zeroes = raw_write_zeroes,
    .discard = raw_discard,
    .flush = raw_flush,
    .get_status = raw_get_status,
    .truncate = raw_truncate,
};
