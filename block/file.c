/* Host file access for the block drivers: full-length pread/pwrite with an
 * aligned bounce path for O_DIRECT, zeroing, flushing and sizing. */
#include "block/block-int.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_DIRECT_ALIGN 4096

int file_open(const char *filename, int flags, bool *direct, char **errp)
{
    int oflags = ((flags & BLOCK_O_RDWR) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    *direct = false;
    if (flags & BLOCK_O_CACHE_DIRECT)
        oflags |= O_DIRECT;
    int fd = open(filename, oflags);
    if (fd < 0 && (flags & BLOCK_O_CACHE_DIRECT) && errno == EINVAL)
        return block_err(errp, -EINVAL,
                         "Could not open '%s': the file system does not support O_DIRECT "
                         "(cache=none/directsync)",
                         filename);
    if (fd < 0)
        return block_err(errp, -errno, "Could not open '%s': %s", filename, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return block_err(errp, -EISDIR, "Could not open '%s': Is a directory", filename);
    }
    *direct = (flags & BLOCK_O_CACHE_DIRECT) != 0;
    return fd;
}

static int file_pread_raw(int fd, uint64_t off, void *buf, uint64_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, len);
            return 0;
        }
        p += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

static int file_pwrite_raw(int fd, uint64_t off, const void *buf, uint64_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = pwrite(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        off += (uint64_t)n;
        len -= (uint64_t)n;
    }
    return 0;
}

/* O_DIRECT needs aligned offsets, lengths and buffers: go through a bounce. */
static int file_direct_rw(BlockDev *bs, uint64_t off, void *rbuf, const void *wbuf, uint64_t len)
{
    uint64_t start = BLOCK_ALIGN_DOWN(off, FILE_DIRECT_ALIGN);
    uint64_t end = BLOCK_ALIGN_UP(off + len, FILE_DIRECT_ALIGN);
    void *bounce;
    if (posix_memalign(&bounce, FILE_DIRECT_ALIGN, end - start))
        return -ENOMEM;
    int ret;
    if (rbuf) {
        ret = file_pread_raw(bs->fd, start, bounce, end - start);
        if (ret == 0)
            memcpy(rbuf, (uint8_t *)bounce + (off - start), len);
    } else {
        struct stat st;
        uint64_t fsize = fstat(bs->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
        ret = file_pread_raw(bs->fd, start, bounce, end - start);
        if (ret == 0) {
            memcpy((uint8_t *)bounce + (off - start), wbuf, len);
            ret = file_pwrite_raw(bs->fd, start, bounce, end - start);
        }
        /* Keep the file length what a buffered write would have produced. */
        if (ret == 0 && end > fsize && off + len < end &&
            ftruncate(bs->fd, (off_t)BLOCK_MAX(fsize, off + len)) < 0)
            ret = -errno;
    }
    free(bounce);
    return ret;
}

int file_pread(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    int ret = bs->direct ? file_direct_rw(bs, off, buf, NULL, len)
                         : file_pread_raw(bs->fd, off, buf, len);
    if (ret < 0)
        return block_err(errp, ret, "%s: read error at offset %" PRIu64 ": %s", bs->filename, off,
                         strerror(-ret));
    return 0;
}

int file_pwrite(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, char **errp)
{
    int ret = bs->direct ? file_direct_rw(bs, off, NULL, buf, len)
                         : file_pwrite_raw(bs->fd, off, buf, len);
    if (ret < 0)
        return block_err(errp, ret, "%s: write error at offset %" PRIu64 ": %s", bs->filename, off,
                         strerror(-ret));
    return 0;
}

int file_write_zeroes(BlockDev *bs, uint64_t off, uint64_t len, bool unmap, char **errp)
{
    struct stat st;
    if (fstat(bs->fd, &st) == 0 && off + len <= (uint64_t)st.st_size) {
        int mode = unmap ? (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE) : FALLOC_FL_ZERO_RANGE;
        if (fallocate(bs->fd, mode, (off_t)off, (off_t)len) == 0)
            return 0;
        if (!unmap &&
            fallocate(bs->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len) ==
                0 &&
            fallocate(bs->fd, 0, (off_t)off, (off_t)len) == 0)
            return 0;
    }
    static const uint8_t zero_chunk[65536];
    while (len) {
        uint64_t n = BLOCK_MIN(len, sizeof(zero_chunk));
        int ret = file_pwrite(bs, off, zero_chunk, n, errp);
        if (ret < 0)
            return ret;
        off += n;
        len -= n;
    }
    return 0;
}

int file_flush(BlockDev *bs, char **errp)
{
    if (bs->flags & BLOCK_O_CACHE_NO_FLUSH)
        return 0;
    if (fdatasync(bs->fd) < 0)
        return block_err(errp, -errno, "%s: flush failed: %s", bs->filename, strerror(errno));
    return 0;
}

int64_t file_length(BlockDev *bs, char **errp)
{
    struct stat st;
    if (fstat(bs->fd, &st) < 0)
        return block_err(errp, -errno, "%s: %s", bs->filename, strerror(errno));
    return st.st_size;
}

uint64_t file_allocated(BlockDev *bs)
{
    struct stat st;
    if (fstat(bs->fd, &st) < 0)
        return 0;
    return (uint64_t)st.st_blocks * 512;
}

int file_truncate(BlockDev *bs, uint64_t size, BlockPrealloc prealloc, char **errp)
{
    int64_t old = file_length(bs, errp);
    if (old < 0)
        return (int)old;
    if (ftruncate(bs->fd, (off_t)size) < 0)
        return block_err(errp, -errno, "%s: could not resize to %" PRIu64 " bytes: %s",
                         bs->filename, size, strerror(errno));
    if (size <= (uint64_t)old)
        return 0;
    uint64_t add = size - (uint64_t)old;
    if (prealloc == BLOCK_PREALLOC_FALLOC) {
        int err = posix_fallocate(bs->fd, old, (off_t)add);
        if (err)
            return block_err(errp, -err, "%s: preallocation failed: %s", bs->filename,
                             strerror(err));
    } else if (prealloc == BLOCK_PREALLOC_FULL) {
        static const uint8_t zero_chunk[65536];
        uint64_t off = (uint64_t)old;
        while (off < size) {
            uint64_t n = BLOCK_MIN(size - off, sizeof(zero_chunk));
            int ret = file_pwrite(bs, off, zero_chunk, n, errp);
            if (ret < 0)
                return ret;
            off += n;
        }
    }
    return 0;
}

int file_hole_status(BlockDev *bs, uint64_t off, uint64_t len, bool *hole, uint64_t *n)
{
    off_t data = lseek(bs->fd, (off_t)off, SEEK_DATA);
    if (data < 0 && errno == ENXIO) {
        /* Past the last data: a hole up to (and beyond) the end of file. */
        *hole = true;
        *n = len;
        return 0;
    }
    if (data < 0) {
        *hole = false;
        *n = len;
        return 0;
    }
    if ((uint64_t)data > off) {
        *hole = true;
        *n = BLOCK_MIN(len, (uint64_t)data - off);
        return 0;
    }
    off_t h = lseek(bs->fd, (off_t)off, SEEK_HOLE);
    *hole = false;
    *n = (h < 0 || (uint64_t)h <= off) ? len : BLOCK_MIN(len, (uint64_t)h - off);
    return 0;
}
