/* Block layer internals shared by the generic layer (block.c), the host file
 * helpers (file.c) and the format drivers (raw.c, qcow2*.c). Not public. */
#ifndef MIMIC_BLOCK_BLOCK_INT_H
#define MIMIC_BLOCK_BLOCK_INT_H

#include "block/block.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef struct BlockDriver {
    const char *name;
    /* Returns a score > 0 when the first bytes of a file look like this format. */
    int (*probe)(const uint8_t *buf, size_t len);
    int (*open)(BlockDev *bs, char **errp);
    void (*close)(BlockDev *bs);
    int (*create)(const char *filename, uint64_t size, const BlockCreateOpts *opts, char **errp);
    int (*read)(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp);
    int (*write)(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, int flags, char **errp);
    int (*write_zeroes)(BlockDev *bs, uint64_t off, uint64_t len, int flags, char **errp);
    int (*discard)(BlockDev *bs, uint64_t off, uint64_t len, char **errp);
    int (*flush)(BlockDev *bs, char **errp);
    int (*make_empty)(BlockDev *bs, char **errp);
    /* This layer only; st->depth and st->filename are filled by the caller. */
    int (*get_status)(BlockDev *bs, uint64_t off, uint64_t len, BlockStatus *st, char **errp);
    int (*get_info)(BlockDev *bs, BlockInfo *info, char **errp);
    int (*truncate)(BlockDev *bs, uint64_t size, bool shrink, BlockPrealloc prealloc, char **errp);
    int (*snapshot_create)(BlockDev *bs, const char *name, char **errp);
    int (*snapshot_apply)(BlockDev *bs, const char *id_or_name, char **errp);
    int (*snapshot_delete)(BlockDev *bs, const char *id_or_name, char **errp);
    int (*snapshot_list)(BlockDev *bs, BlockSnapshotInfo **list, char **errp);
    int (*check)(BlockDev *bs, int fix, BlockCheckResult *res, char **errp);
    int (*change_backing)(BlockDev *bs, const char *file, const char *fmt, char **errp);
    int (*amend)(BlockDev *bs, const BlockAmendOpts *opts, char **errp);
    /* Persistent bitmaps: op is a BlockBitmapOp; granularity and enabled
     * apply to ADD, src/src_granularity/src_size to MERGE. */
    int (*bitmap_op)(BlockDev *bs, int op, const char *name, uint64_t granularity, bool enabled,
                     const uint8_t *src, uint64_t src_granularity, uint64_t src_size, char **errp);
    int (*bitmap_get)(BlockDev *bs, const char *name, uint8_t **bits, uint64_t *granularity,
                      uint64_t *size, char **errp);
} BlockDriver;

typedef enum BlockBitmapOp {
    BLOCK_BITMAP_ADD,
    BLOCK_BITMAP_REMOVE,
    BLOCK_BITMAP_CLEAR,
    BLOCK_BITMAP_ENABLE,
    BLOCK_BITMAP_DISABLE,
    BLOCK_BITMAP_MERGE,
} BlockBitmapOp;

struct BlockDev {
    const BlockDriver *drv;
    void *opaque; /* driver state */
    char *filename;
    int flags; /* BLOCK_O_* */
    bool read_only;
    int fd;                /* the image file */
    bool direct;           /* fd has O_DIRECT: I/O goes through aligned bounces */
    uint64_t size;         /* virtual size */
    uint32_t cluster_size; /* allocation unit of the format, 0 = none */
    BlockDev *backing;     /* opened backing image or NULL */
    char *backing_file;    /* as recorded in the image (NULL = none) */
    char *backing_fmt;
    pthread_mutex_t lock;
};

extern const BlockDriver block_driver_raw;
extern const BlockDriver block_driver_qcow2;

/* Error helper: stores a malloc'd formatted message in *errp (if not NULL)
 * and returns ret (a negative errno) so callers can `return block_err(...)`. */
int block_err(char **errp, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Host file I/O: full transfers (short reads past EOF return zeroes). */
int file_pread(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp);
int file_pwrite(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, char **errp);
int file_write_zeroes(BlockDev *bs, uint64_t off, uint64_t len, bool unmap, char **errp);
int file_flush(BlockDev *bs, char **errp);
int64_t file_length(BlockDev *bs, char **errp);
int file_truncate(BlockDev *bs, uint64_t size, BlockPrealloc prealloc, char **errp);
uint64_t file_allocated(BlockDev *bs);
/* Whether [off, off+len) of the file starts in a hole, and for how long
 * that stays so (*n <= len). */
int file_hole_status(BlockDev *bs, uint64_t off, uint64_t len, bool *hole, uint64_t *n);
int file_open(const char *filename, int flags, bool *direct, char **errp);

/* Reads [off, off+len) of the backing image, zero-filling what lies beyond its
 * end or when there is no backing file. */
int block_read_backing(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp);

/* Path of a backing file relative to the image that names it. */
char *block_backing_path(const char *image, const char *backing);

static inline uint64_t be64_load(const void *p)
{
    const uint8_t *b = p;
    return ((uint64_t)b[0] << 56) | ((uint64_t)b[1] << 48) | ((uint64_t)b[2] << 40) |
           ((uint64_t)b[3] << 32) | ((uint64_t)b[4] << 24) | ((uint64_t)b[5] << 16) |
           ((uint64_t)b[6] << 8) | b[7];
}
static inline uint32_t be32_load(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}
static inline uint16_t be16_load(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)((b[0] << 8) | b[1]);
}
static inline void be64_store(void *p, uint64_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}
static inline void be32_store(void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (24 - 8 * i));
}
static inline void be16_store(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
}

#define BLOCK_MIN(a, b)        ((a) < (b) ? (a) : (b))
#define BLOCK_MAX(a, b)        ((a) > (b) ? (a) : (b))
#define BLOCK_ALIGN_UP(x, a)   (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define BLOCK_ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))

#endif
