/* Block layer public interface: disk image drivers (raw, qcow2) behind one
 * device object, used by the emulator's disks (hw/block) and by mimic-img. */
#ifndef MIMIC_BLOCK_BLOCK_H
#define MIMIC_BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Conventions for every function below:
 *  - offsets and lengths are in bytes; any alignment is accepted (drivers do
 *    read-modify-write where the format needs it);
 *  - functions returning int return 0 (or a count) on success and a negative
 *    errno value on failure; when errp is not NULL a malloc'd, human-readable
 *    message is stored there on failure (caller frees it with free()). The
 *    message names the file and never ends with a newline.
 *  - the library never exits or aborts on bad input or bad images.
 *  - every operation on one BlockDev takes that device's lock, so a device may
 *    be used from several threads (operations on one device are serialised).
 */

typedef struct BlockDev BlockDev;

/* block_open() flags. Read-only is the default (no BLOCK_O_RDWR). */
enum {
    BLOCK_O_RDWR = 1 << 0,       /* open for writing */
    BLOCK_O_NO_BACKING = 1 << 1, /* do not open the backing file */
    BLOCK_O_CHECK = 1 << 2,      /* opened for check: do not repair a dirty
                                    image on open, and let a corrupt image
                                    open read-write for repair */
    /* Cache modes as -drive cache= / qemu-img -t name them:
     *  writeback (default) = 0
     *  none         = BLOCK_O_CACHE_DIRECT
     *  writethrough = BLOCK_O_CACHE_WRITETHROUGH
     *  directsync   = BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH
     *  unsafe       = BLOCK_O_CACHE_NO_FLUSH */
    BLOCK_O_CACHE_DIRECT = 1 << 3,       /* O_DIRECT on the image file */
    BLOCK_O_CACHE_WRITETHROUGH = 1 << 4, /* flush after every write */
    BLOCK_O_CACHE_NO_FLUSH = 1 << 5,     /* block_flush() does nothing */
    BLOCK_O_CACHE_MASK = BLOCK_O_CACHE_DIRECT | BLOCK_O_CACHE_WRITETHROUGH | BLOCK_O_CACHE_NO_FLUSH,
};

/* Parses a cache mode name ("none", "writeback", "writethrough",
 * "directsync", "unsafe") into BLOCK_O_CACHE_* bits. Returns 0 or -EINVAL. */
int block_parse_cache_mode(const char *mode, int *flags);

typedef enum BlockPrealloc {
    BLOCK_PREALLOC_OFF = 0,
    BLOCK_PREALLOC_METADATA, /* qcow2 only: all L2 tables and clusters mapped */
    BLOCK_PREALLOC_FALLOC,   /* posix_fallocate the file */
    BLOCK_PREALLOC_FULL,     /* write zeroes to the whole file */
} BlockPrealloc;

/* Parses "off", "metadata", "falloc", "full". Returns 0 or -EINVAL. */
int block_parse_prealloc(const char *s, BlockPrealloc *out);

typedef enum BlockCompression {
    BLOCK_COMPRESSION_ZLIB = 0, /* raw deflate, qcow2 compression_type 0 */
    BLOCK_COMPRESSION_ZSTD = 1, /* zstd frames, compression_type 1 */
} BlockCompression;

/* Options for block_create(). Zero-initialise, then set what you need; a
 * zeroed struct (or opts == NULL) gives qemu-img's defaults. Fields that do
 * not apply to a format are rejected with an error when set (e.g. cluster_size
 * for raw), like qemu-img does. */
typedef struct BlockCreateOpts {
    uint32_t cluster_size;             /* 0 = 65536; power of two, 512..2 MiB */
    const char *compat;                /* NULL = "1.1"; or "0.10" (v2), "v2", "v3" */
    const char *backing_file;          /* NULL = none; stored verbatim in the header */
    const char *backing_fmt;           /* NULL = probe the backing file */
    BlockPrealloc preallocation;       /* default off */
    bool lazy_refcounts;               /* needs compat 1.1 */
    uint32_t refcount_bits;            /* 0 = 16; 1,2,4,8,16,32,64 (v2: only 16) */
    BlockCompression compression_type; /* zstd needs compat 1.1 */
    bool extended_l2;                  /* 32 subclusters per cluster, needs 1.1 */
} BlockCreateOpts;

/* Pass as size to take the virtual size of opts->backing_file. */
#define BLOCK_SIZE_FROM_BACKING UINT64_MAX

/* Creates (or truncates and overwrites) an image file. format is "raw" or
 * "qcow2" (NULL = "raw"). */
int block_create(const char *filename, const char *format, uint64_t size,
                 const BlockCreateOpts *opts, char **errp);

/* Opens an image. format NULL probes (qcow2 magic, else raw). Backing files are
 * opened read-only, recursively, with the format recorded in the header (or
 * probed), relative to the directory of the image that names them; a loop in
 * the chain is refused. Returns NULL and sets *errp on failure. */
BlockDev *block_open(const char *filename, const char *format, int flags, char **errp);

/* Flushes and closes, closing the backing chain too. NULL is accepted.
 * Returns the result of the final flush (the device is freed either way). */
int block_close(BlockDev *bs);

/* Probes the format of a file: writes "qcow2" or "raw" to fmt (>= 16 bytes). */
int block_probe_format(const char *filename, char *fmt, size_t fmt_len, char **errp);

/* Simple accessors; strings stay valid while the device is open. */
const char *block_get_filename(BlockDev *bs);
const char *block_get_format(BlockDev *bs); /* "raw", "qcow2" */
uint64_t block_get_length(BlockDev *bs);    /* virtual size in bytes */
bool block_is_read_only(BlockDev *bs);
/* Cluster size of the format (0 for raw): the unit of allocation, of
 * compressed writes and of copy-on-write. */
uint32_t block_get_cluster_size(BlockDev *bs);
/* The opened backing image, or NULL (owned by bs: do not close it). */
BlockDev *block_get_backing(BlockDev *bs);

/* ---- data path ---- */

enum {
    /* block_write: compress each cluster. offset must be cluster aligned and
     * len a multiple of the cluster size, except that the last cluster of the
     * image may be partial. The target clusters must be unallocated (as in a
     * freshly created image, which is how qemu-img convert -c uses it). Raw
     * images refuse it with -ENOTSUP. */
    BLOCK_WRITE_COMPRESSED = 1 << 0,
    BLOCK_WRITE_FUA = 1 << 1, /* flush before returning */
    /* block_write_zeroes: clusters may be deallocated (discarded) instead of
     * written, when reads still return zeroes afterwards. */
    BLOCK_ZERO_MAY_UNMAP = 1 << 2,
    /* With BLOCK_WRITE_COMPRESSED on an image without backing file: clusters
     * of zeroes are left unallocated (they read as zeroes already), so that
     * one request can cover a whole stretch of input. */
    BLOCK_WRITE_SKIP_ZERO = 1 << 3,
};

int block_read(BlockDev *bs, uint64_t offset, void *buf, uint64_t len, char **errp);
int block_write(BlockDev *bs, uint64_t offset, const void *buf, uint64_t len, int flags,
                char **errp);
int block_write_zeroes(BlockDev *bs, uint64_t offset, uint64_t len, int flags, char **errp);
/* Deallocates; afterwards the range reads as zeroes or, for an overlay, as the
 * backing file (qcow2 v2 with a backing file) -- like qemu's discard. */
int block_discard(BlockDev *bs, uint64_t offset, uint64_t len, char **errp);
int block_flush(BlockDev *bs, char **errp);
/* Deallocates every cluster of the image itself so that all of it reads from
 * the backing file again (the last step of qemu-img commit). Internal
 * snapshots keep their data. A process killed meanwhile leaves only leaks.
 * qcow2 only (raw: -ENOTSUP). */
int block_make_empty(BlockDev *bs, char **errp);

/* ---- block status (qemu-img map) ---- */

enum {
    BLOCK_STATUS_ALLOCATED = 1 << 0,    /* some layer defines this range (present) */
    BLOCK_STATUS_DATA = 1 << 1,         /* data read from a file (not a zero hole) */
    BLOCK_STATUS_ZERO = 1 << 2,         /* reads as zeroes */
    BLOCK_STATUS_OFFSET_VALID = 1 << 3, /* host_offset is meaningful */
    BLOCK_STATUS_COMPRESSED = 1 << 4,   /* stored compressed (qcow2) */
};

typedef struct BlockStatus {
    uint64_t offset;      /* start of the extent (the offset asked for) */
    uint64_t length;      /* bytes with the same status, > 0 */
    unsigned flags;       /* BLOCK_STATUS_* */
    int depth;            /* layer in the backing chain: 0 = bs itself; for
                             ranges no layer allocates, the depth of the
                             bottom image, or of the last layer that still
                             covers the offset when a backing file is
                             shorter (what qemu-img map reports) */
    uint64_t host_offset; /* offset in `filename` when OFFSET_VALID (also
                             set, like qemu, for unallocated subclusters of
                             an allocated extended-L2 cluster) */
    const char *filename; /* file of the layer that answered (valid while open) */
} BlockStatus;

/* Status of the extent starting at offset (at most len bytes, clipped to the
 * virtual size). follow_backing = false reports this layer only (unallocated
 * ranges then have flags 0, or ZERO beyond a backing file's end). */
int block_get_status(BlockDev *bs, uint64_t offset, uint64_t len, bool follow_backing,
                     BlockStatus *st, char **errp);

/* ---- information (qemu-img info) ---- */

typedef struct BlockSnapshotInfo {
    char *id; /* unique id string ("1", "2", ...) */
    char *name;
    uint64_t vm_state_size;
    uint32_t date_sec, date_nsec; /* wall clock when taken */
    uint64_t vm_clock_nsec;       /* guest clock when taken */
    uint64_t icount;              /* instruction count, UINT64_MAX = none */
    uint64_t disk_size;           /* virtual disk size recorded in the snapshot */
} BlockSnapshotInfo;

typedef struct BlockBitmapInfo {
    char *name;
    uint64_t granularity; /* bytes of the disk per bit */
    bool enabled;         /* "auto": every write to the disk is recorded */
    bool in_use;          /* not stored cleanly (e.g. a writer was killed):
                             the contents cannot be trusted */
} BlockBitmapInfo;

typedef struct BlockInfo {
    const char *filename;
    const char *format; /* "raw", "qcow2" */
    uint64_t virtual_size;
    uint64_t actual_size; /* bytes allocated on the host (st_blocks * 512) */
    bool encrypted;
    uint32_t cluster_size;       /* 0 for raw */
    char *backing_file;          /* as written in the header, or NULL */
    char *full_backing_filename; /* resolved path, or NULL */
    char *backing_fmt;           /* as recorded, or NULL */
    /* qcow2 format-specific ("Format specific information:") */
    bool has_format_specific;
    char compat[8]; /* "0.10" or "1.1" */
    bool lazy_refcounts;
    uint32_t refcount_bits;
    const char *compression_type; /* "zlib" / "zstd" */
    bool corrupt;
    bool extended_l2;
    bool dirty; /* dirty bit set (lazy refcounts not rebuilt) */
    int nb_snapshots;
    BlockSnapshotInfo *snapshots;
    int nb_bitmaps; /* persistent dirty bitmaps, in directory order */
    BlockBitmapInfo *bitmaps;
} BlockInfo;

int block_get_info(BlockDev *bs, BlockInfo *info, char **errp);
/* Frees what block_get_info / block_snapshot_list allocated. */
void block_info_clear(BlockInfo *info);
void block_snapshot_list_free(BlockSnapshotInfo *list, int n);

/* ---- resizing, snapshots, check, backing, amend ---- */

/* Sets the virtual size. Shrinking is refused unless allow_shrink (then data
 * beyond the new end is lost). prealloc applies to the added range. */
int block_truncate(BlockDev *bs, uint64_t size, bool allow_shrink, BlockPrealloc prealloc,
                   char **errp);

/* Internal snapshots (qcow2 only; raw gives -ENOTSUP). As in qemu-img, names
 * need not be unique; the new snapshot gets the next free numeric id and
 * records no VM state (vm_state_size 0, vm clock 0, icount 0). id_or_name
 * selects by id first, then by the first snapshot with that name. */
int block_snapshot_create(BlockDev *bs, const char *name, char **errp);
int block_snapshot_apply(BlockDev *bs, const char *id_or_name, char **errp);
int block_snapshot_delete(BlockDev *bs, const char *id_or_name, char **errp);
/* Returns the number of snapshots (>= 0) and a malloc'd array in *list. */
int block_snapshot_list(BlockDev *bs, BlockSnapshotInfo **list, char **errp);

enum {
    BLOCK_CHECK_REPAIR_LEAKS = 1 << 0, /* qemu-img check -r leaks */
    BLOCK_CHECK_REPAIR_ALL = 1 << 1,   /* qemu-img check -r all */
};

typedef struct BlockCheckResult {
    int corruptions;  /* remaining after repair */
    int leaks;        /* remaining after repair */
    int check_errors; /* internal errors while checking */
    int corruptions_fixed;
    int leaks_fixed;
    uint64_t image_end_offset;
    uint64_t total_clusters; /* of the virtual disk */
    uint64_t allocated_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
    char *messages; /* malloc'd: one line per problem found, as
                       qemu-img prints them ("Leaked cluster 5
                       refcount=1 reference=0\n"), or NULL */
} BlockCheckResult;

/* Checks (and optionally repairs; needs BLOCK_O_RDWR|BLOCK_O_CHECK) the
 * image's metadata. Returns 0 when the check ran (problems are in res), or
 * -ENOTSUP for formats without checks (raw), or another negative errno.
 * qemu-img's exit code: check_errors ? 1 : corruptions ? 2 : leaks ? 3 : 0. */
int block_check(BlockDev *bs, int fix, BlockCheckResult *res, char **errp);
void block_check_result_clear(BlockCheckResult *res);

/* Rewrites the backing file name and format in the header (qemu-img rebase -u,
 * and the last step of a safe rebase). backing_file NULL removes the backing
 * file. Does not reopen the chain. */
int block_change_backing_file(BlockDev *bs, const char *backing_file, const char *backing_fmt,
                              char **errp);

typedef struct BlockAmendOpts {
    const char *compat;       /* NULL = unchanged; "0.10" or "1.1" */
    int lazy_refcounts;       /* -1 = unchanged, 0 = off, 1 = on */
    const char *backing_file; /* NULL = unchanged */
    const char *backing_fmt;  /* NULL = unchanged */
    uint64_t size;            /* 0 = unchanged (grows only) */
    uint32_t refcount_bits;   /* 0 = unchanged; 1..64, a power of two (v3) */
} BlockAmendOpts;

/* qemu-img amend: changes header options in place. A downgrade to 0.10
 * converts zero clusters to allocated zeroes and fails if an incompatible
 * feature (extended_l2, zstd, refcount_bits != 16) prevents it. A new
 * refcount width rewrites the refcount structures (refused when some cluster
 * has more references than the new width can count). */
int block_amend(BlockDev *bs, const BlockAmendOpts *opts, char **errp);

/* ---- persistent dirty bitmaps (qcow2 v3; qemu-img bitmap) ----
 * An enabled bitmap records every range written through the block layer
 * (writes, zeroes, discards, snapshot switches, commit): while an image is
 * open for writing its enabled bitmaps are marked in use in the file, and
 * they are stored back, with that mark cleared, on close. A write that could
 * not keep an enabled bitmap right (an invalid bitmap directory, a bitmap
 * with extra data we do not know) fails instead of leaving it stale.
 * Granularity 0 means the default (the cluster size, within 4 KiB..64 KiB).
 * The functions below other than block_bitmap_get need a writable image. */
int block_bitmap_add(BlockDev *bs, const char *name, uint64_t granularity, bool enabled,
                     char **errp);
int block_bitmap_remove(BlockDev *bs, const char *name, char **errp);
/* Clears every bit. */
int block_bitmap_clear(BlockDev *bs, const char *name, char **errp);
int block_bitmap_set_enabled(BlockDev *bs, const char *name, bool enabled, char **errp);
/* Returns a malloc'd copy of a bitmap's bits (bit i, LSB first in byte i / 8,
 * covers bytes [i * granularity, (i + 1) * granularity) of the disk) and, in
 * *size, the disk size they cover. In-use bitmaps are refused. */
int block_bitmap_get(BlockDev *bs, const char *name, uint8_t **bits, uint64_t *granularity,
                     uint64_t *size, char **errp);
/* Sets in bitmap `name` every range set in src (as block_bitmap_get returns
 * it, of any granularity, for a disk of src_size bytes). */
int block_bitmap_merge(BlockDev *bs, const char *name, const uint8_t *src, uint64_t src_granularity,
                       uint64_t src_size, char **errp);

#endif
