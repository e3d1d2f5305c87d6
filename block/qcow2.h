/* qcow2 driver internals shared by qcow2*.c: on-disk constants (see
 * qcow2-format.md), the open image's state, and the cross-file helpers. */
#ifndef MIMIC_BLOCK_QCOW2_H
#define MIMIC_BLOCK_QCOW2_H

#include "block/block-int.h"

#define QCOW2_MAGIC            0x514649fbu
#define QCOW2_V2_HEADER        72
#define QCOW2_V3_HEADER        104
#define QCOW2_MAX_CLUSTER_BITS 21
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_L1_BYTES     (32u << 20)
#define QCOW2_MAX_RT_BYTES     (8u << 20)
#define QCOW2_MAX_BACKING_NAME 1023
#define QCOW2_MAX_SNAPSHOTS    65536

#define QCOW2_OFLAG_COPIED     (1ULL << 63)
#define QCOW2_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW2_OFLAG_ZERO       1ULL
#define QCOW2_OFFSET_MASK      0x00fffffffffffe00ULL
#define QCOW2_L1_RESERVED      0x7f000000000001ffULL
#define QCOW2_L2_RESERVED      0x3f000000000001feULL

#define QCOW2_INCOMPAT_DIRTY          (1ULL << 0)
#define QCOW2_INCOMPAT_CORRUPT        (1ULL << 1)
#define QCOW2_INCOMPAT_DATA_FILE      (1ULL << 2)
#define QCOW2_INCOMPAT_COMPRESSION    (1ULL << 3)
#define QCOW2_INCOMPAT_EXTL2          (1ULL << 4)
#define QCOW2_INCOMPAT_KNOWN          0x1fULL
#define QCOW2_COMPAT_LAZY_REFCOUNTS   (1ULL << 0)
#define QCOW2_AUTOCLEAR_BITMAPS       (1ULL << 0)
#define QCOW2_AUTOCLEAR_DATA_FILE_RAW (1ULL << 1)
#define QCOW2_AUTOCLEAR_KNOWN         QCOW2_AUTOCLEAR_BITMAPS

#define QCOW2_EXT_END         0x00000000u
#define QCOW2_EXT_BACKING_FMT 0xe2792acau
#define QCOW2_EXT_FEATURES    0x6803f857u
#define QCOW2_EXT_BITMAPS     0x23852875u
#define QCOW2_EXT_CRYPTO      0x0537be77u
#define QCOW2_EXT_DATA_FILE   0x44415441u

typedef struct Qcow2CacheEntry {
    uint64_t offset; /* 0 = empty slot */
    uint8_t *data;
    bool dirty;
    uint64_t lru;
} Qcow2CacheEntry;

typedef struct Qcow2Cache {
    int n;
    Qcow2CacheEntry *e;
    uint64_t tick;
    int last;   /* index of the last hit: sequential I/O stays on one table */
    bool is_l2; /* L2 writes must follow the refcount cache (ordering) */
} Qcow2Cache;

typedef struct Qcow2Snapshot {
    uint64_t l1_offset;
    uint32_t l1_size;
    char *id;
    char *name;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t vm_state_size;
    uint64_t disk_size;
    uint64_t icount;     /* UINT64_MAX = not recorded */
    uint32_t extra_size; /* as read; we write at least 24 */
    uint8_t *extra;      /* extra data beyond the fields we know, preserved */
} Qcow2Snapshot;

typedef struct Qcow2Ext {
    uint32_t type;
    uint32_t len;
    uint8_t *data;
} Qcow2Ext;

/* One guest cluster's mapping, normalised over standard and extended L2
 * entries: without extended L2 a cluster is one "subcluster". */
enum { QCOW2_CL_UNALLOC, QCOW2_CL_NORMAL, QCOW2_CL_COMPRESSED };
typedef struct Qcow2Mapping {
    int type;
    uint64_t entry;  /* raw first 64 bits */
    uint64_t bitmap; /* raw extended bitmap (0 without extended L2) */
    uint64_t host;   /* host cluster offset (NORMAL, may be set with zero) */
    uint32_t alloc;  /* subclusters with data at host */
    uint32_t zero;   /* subclusters reading as zeroes */
    bool copied;
} Qcow2Mapping;

#define QCOW2_BME_IN_USE       (1u << 0)
#define QCOW2_BME_AUTO         (1u << 1)
#define QCOW2_BME_EXTRA_COMPAT (1u << 2)

/* One persistent dirty bitmap of the bitmap directory. */
typedef struct Qcow2Bitmap {
    char *name;
    uint64_t table_offset;
    uint32_t table_size; /* entries */
    uint32_t flags;      /* QCOW2_BME_* and unknown bits, kept */
    uint8_t type;
    uint8_t gran_bits;
    uint32_t extra_size;
    uint8_t *extra;          /* kept verbatim */
    uint8_t *bits;           /* contents in memory (NULL = only on disk) */
    uint64_t bits_disk_size; /* disk size that bits covers */
    bool data_dirty;         /* bits differ from what the table holds */
    bool tracking;           /* enabled: writes set bits; in use on disk */
} Qcow2Bitmap;

typedef struct Qcow2State {
    uint32_t version;
    uint32_t cluster_bits, cluster_size;
    uint32_t header_length;
    uint8_t *hdr_tail; /* header bytes 104..header_length as read (v3) */
    uint64_t incompat, compat, autoclear;
    uint32_t refcount_order, refcount_bits;
    uint64_t refcount_max;
    uint32_t rb_bits; /* log2 of refcount entries per block */
    bool ext_l2;
    uint32_t l2_entry_size; /* 8 or 16 */
    uint32_t l2_bits;       /* log2 of entries per L2 table */
    uint32_t nb_sc;         /* subclusters per cluster: 1 or 32 */
    uint32_t sc_size;
    uint8_t compression_type;

    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1;
    uint64_t rt_offset;
    uint32_t rt_clusters;
    uint64_t rt_size; /* entries */
    uint64_t *rt;

    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t snapshots_size; /* bytes of the table on disk */
    Qcow2Snapshot *snapshots;

    Qcow2Ext *exts; /* extensions preserved verbatim (bitmaps, unknown) */
    int nb_exts;
    uint32_t nb_bitmaps;
    uint64_t bitmap_dir_offset, bitmap_dir_size;
    bool bitmaps_ext;     /* the extension is ours to rewrite (autoclear bit set) */
    Qcow2Bitmap *bitmaps; /* nb_bitmaps entries once the directory is read */
    char *bitmaps_error;  /* why the directory could not be read, or NULL */
    bool bitmaps_started; /* the first write since open has been seen */

    Qcow2Cache l2_cache, rb_cache;
    uint64_t free_hint;        /* cluster index to start free searches at */
    uint64_t host_end;         /* file length last seen (refreshed lazily) */
    uint64_t free_byte_offset; /* packing point for compressed data, 0 = none */
    uint8_t *cbuf;             /* last decompressed cluster */
    uint64_t cbuf_entry;       /* its L2 entry (0 = none) */
    uint8_t *zbuf;             /* compression scratch (2 clusters) */
    uint8_t *wbuf;             /* copy-on-write scratch (1 cluster) */
    bool dirty_set;            /* we set the dirty bit (lazy refcounts) */
    /* Host ranges whose reference was dropped from a cached L2 table: their
     * refcounts go down only once that L2 table is on disk. */
    struct {
        uint64_t off, len;
    } * pending_free;
    size_t nb_pending_free, cap_pending_free;
} Qcow2State;

static inline Qcow2State *qcow2_state(BlockDev *bs)
{
    return bs->opaque;
}

static inline uint64_t qcow2_offset_into_cluster(Qcow2State *s, uint64_t off)
{
    return off & (s->cluster_size - 1);
}

static inline uint64_t qcow2_size_to_clusters(Qcow2State *s, uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

/* qcow2.c */
int qcow2_write_header(BlockDev *bs, char **errp);
int qcow2_mark_dirty(BlockDev *bs, char **errp);
int qcow2_mark_corrupt(BlockDev *bs, const char *why);
int qcow2_flush_all(BlockDev *bs, char **errp);
int qcow2_validate_table(BlockDev *bs, uint64_t off, uint64_t entries, uint64_t entry_size,
                         uint64_t max_bytes, const char *what, char **errp);

/* qcow2-cache.c */
int qcow2_cache_init(Qcow2Cache *c, int n, uint32_t size, bool is_l2);
void qcow2_cache_destroy(Qcow2Cache *c);
/* Returns the cached table at host offset off (read from disk unless fresh,
 * then zero-filled). The pointer stays valid until the next get on c. */
int qcow2_cache_get(BlockDev *bs, Qcow2Cache *c, uint64_t off, bool fresh, uint8_t **data,
                    char **errp);
void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *data);
int qcow2_cache_flush(BlockDev *bs, Qcow2Cache *c, char **errp);
void qcow2_cache_drop(Qcow2Cache *c, uint64_t off);
void qcow2_cache_drop_all(Qcow2Cache *c);

/* qcow2-refcount.c */
int qcow2_refcount_init(BlockDev *bs, char **errp);
int qcow2_get_refcount(BlockDev *bs, uint64_t cluster, uint64_t *rc, char **errp);
int qcow2_set_refcount(BlockDev *bs, uint64_t cluster, uint64_t rc, char **errp);
/* Adds addend to the refcount of every cluster overlapping [off, off+len). */
int qcow2_update_refcount(BlockDev *bs, uint64_t off, uint64_t len, int64_t addend, char **errp);
/* Allocates n contiguous clusters with refcount 1; returns the host offset. */
int64_t qcow2_alloc_clusters(BlockDev *bs, uint64_t n, char **errp);
/* Allocates len (< cluster size) bytes for compressed data, packed. */
int64_t qcow2_alloc_bytes(BlockDev *bs, uint32_t len, char **errp);
int qcow2_free_clusters(BlockDev *bs, uint64_t off, uint64_t len, char **errp);
uint64_t qcow2_rc_load(Qcow2State *s, const uint8_t *block, uint64_t idx);
void qcow2_rc_store(Qcow2State *s, uint8_t *block, uint64_t idx, uint64_t v);

/* Applies the deferred refcount decrements (after writing the L2 cache). */
int qcow2_process_frees(BlockDev *bs, char **errp);

/* qcow2-cluster.c */
void qcow2_decode_entry(Qcow2State *s, uint64_t entry, uint64_t bitmap, Qcow2Mapping *m);
void qcow2_compressed_range(Qcow2State *s, uint64_t entry, uint64_t *off, uint64_t *len);
int qcow2_get_mapping(BlockDev *bs, uint64_t guest_off, Qcow2Mapping *m, char **errp);
int qcow2_grow_l1(BlockDev *bs, uint64_t min_size, char **errp);
int qcow2_data_read(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp);
int qcow2_data_write(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, int flags,
                     char **errp);
int qcow2_data_zero(BlockDev *bs, uint64_t off, uint64_t len, int flags, char **errp);
int qcow2_data_discard(BlockDev *bs, uint64_t off, uint64_t len, char **errp);
int qcow2_data_status(BlockDev *bs, uint64_t off, uint64_t len, BlockStatus *st, char **errp);
int qcow2_preallocate(BlockDev *bs, uint64_t from, uint64_t to, BlockPrealloc mode, char **errp);
/* Shrink support: frees every cluster mapped at or beyond guest offset from. */
int qcow2_discard_tail(BlockDev *bs, uint64_t from, char **errp);
/* Converts zero clusters to v2-compatible form (amend to compat 0.10). */
int qcow2_expand_zero_clusters(BlockDev *bs, char **errp);

/* qcow2-compress.c */
int qcow2_compress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                   uint32_t out_max);
/* Whole clusters per compression batch. */
#define QCOW2_COMPRESS_BATCH 512
/* Called in cluster order with each compressed cluster (clen as
 * qcow2_compress returns it); non-zero stops the calls and is returned. */
typedef int (*Qcow2CompressedFn)(void *opaque, uint32_t i, const uint8_t *z, int clen);
/* Compresses the n (<= QCOW2_COMPRESS_BATCH) whole clusters in[] into out (a
 * cluster-sized slot each, clen[] their lengths) on several threads, handing
 * them to fn in order as they complete. */
int qcow2_compress_batch(Qcow2State *s, const uint8_t *const *in, uint32_t n, uint8_t *out,
                         int *clen, Qcow2CompressedFn fn, void *opaque);
int qcow2_decompress(Qcow2State *s, const uint8_t *in, uint32_t in_len, uint8_t *out,
                     uint32_t out_len);

/* qcow2-snapshot.c */
int qcow2_snapshots_load(BlockDev *bs, char **errp);
void qcow2_snapshots_free(Qcow2State *s);
int qcow2_snapshot_create(BlockDev *bs, const char *name, char **errp);
int qcow2_snapshot_apply(BlockDev *bs, const char *id_or_name, char **errp);
int qcow2_snapshot_delete(BlockDev *bs, const char *id_or_name, char **errp);
int qcow2_snapshot_list(BlockDev *bs, BlockSnapshotInfo **list, char **errp);
/* Adds addend to the refcounts of an L1 table's L2 tables and data clusters. */
int qcow2_update_tree_refcounts(BlockDev *bs, const uint64_t *l1, uint32_t l1_size, int64_t addend,
                                char **errp);
int qcow2_clear_copied_flags(BlockDev *bs, char **errp);
/* Recomputes the COPIED flags of the active L1 and its L2 tables. */
int qcow2_fix_copied_flags(BlockDev *bs, char **errp);

/* qcow2-bitmap.c */
/* Reads the bitmap directory (a bad one is remembered, not fatal: images
 * stay readable, but writes are refused). */
int qcow2_bitmaps_load(BlockDev *bs, char **errp);
void qcow2_bitmaps_free(Qcow2State *s);
/* Records that [off, off+len) is about to be written; the first call marks
 * enabled bitmaps in use on disk. Fails when a bitmap cannot be kept right. */
int qcow2_bitmaps_before_write(BlockDev *bs, uint64_t off, uint64_t len, char **errp);
/* Stores tracked bitmaps and clears their in-use flags (close). */
int qcow2_bitmaps_close(BlockDev *bs, char **errp);
/* Resize: _check loads every bitmap (or refuses) before the size changes,
 * _apply fits them to the new size and stores them afterwards. */
int qcow2_bitmaps_resize_check(BlockDev *bs, char **errp);
int qcow2_bitmaps_resize_apply(BlockDev *bs, uint64_t old_size, char **errp);
int qcow2_bitmaps_info(BlockDev *bs, BlockInfo *info);
int qcow2_bitmap_op(BlockDev *bs, int op, const char *name, uint64_t granularity, bool enabled,
                    const uint8_t *src, uint64_t src_granularity, uint64_t src_size, char **errp);
int qcow2_bitmap_get(BlockDev *bs, const char *name, uint8_t **bits, uint64_t *granularity,
                     uint64_t *size, char **errp);

/* qcow2-check.c */
int qcow2_check(BlockDev *bs, int fix, BlockCheckResult *res, char **errp);
int qcow2_rebuild_refcounts(BlockDev *bs, uint32_t order, char **errp);

#endif
