/* qcow2 host cluster management: refcount table and blocks (1..64-bit
 * entries), cluster and byte allocation, growth of the refcount table. New
 * refcount blocks and tables are written before anything points to them. */
#include "block/qcow2.h"

uint64_t qcow2_rc_load(Qcow2State *s, const uint8_t *block, uint64_t idx)
{
    switch (s->refcount_order) {
    case 0:
    case 1:
    case 2: {
        uint32_t bits = s->refcount_bits;
        uint64_t bit = idx * bits;
        return (block[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
    case 3: return block[idx];
    case 4: return be16_load(block + idx * 2);
    case 5: return be32_load(block + idx * 4);
    default: return be64_load(block + idx * 8);
    }
}

void qcow2_rc_store(Qcow2State *s, uint8_t *block, uint64_t idx, uint64_t v)
{
    switch (s->refcount_order) {
    case 0:
    case 1:
    case 2: {
        uint32_t bits = s->refcount_bits;
        uint64_t bit = idx * bits;
        uint8_t mask = (uint8_t)(((1u << bits) - 1) << (bit % 8));
        block[bit / 8] = (uint8_t)((block[bit / 8] & ~mask) | ((v << (bit % 8)) & mask));
        break;
    }
    case 3: block[idx] = (uint8_t)v; break;
    case 4: be16_store(block + idx * 2, (uint16_t)v); break;
    case 5: be32_store(block + idx * 4, (uint32_t)v); break;
    default: be64_store(block + idx * 8, v); break;
    }
}

int qcow2_refcount_init(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    s->rt_size = (uint64_t)s->rt_clusters * s->cluster_size / 8;
    int ret = qcow2_validate_table(bs, s->rt_offset, s->rt_size, 8, QCOW2_MAX_RT_BYTES,
                                   "Reference count table", errp);
    if (ret < 0)
        return ret;
    s->rt = calloc(s->rt_size ? s->rt_size : 1, 8);
    if (!s->rt)
        return block_err(errp, -ENOMEM, "Out of memory");
    ret = file_pread(bs, s->rt_offset, s->rt, s->rt_size * 8, errp);
    if (ret < 0)
        return ret;
    for (uint64_t i = 0; i < s->rt_size; i++)
        s->rt[i] = be64_load(&s->rt[i]);
    return 0;
}

static uint64_t qcow2_rt_block(Qcow2State *s, uint64_t rti)
{
    return rti < s->rt_size ? s->rt[rti] & ~0x1ffULL : 0;
}

static int qcow2_check_refblock_offset(BlockDev *bs, uint64_t rb, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (qcow2_offset_into_cluster(s, rb)) {
        qcow2_mark_corrupt(bs, "unaligned refcount block");
        return block_err(errp, -EIO, "%s: refcount block offset %#" PRIx64 " is unaligned",
                         bs->filename, rb);
    }
    return 0;
}

int qcow2_get_refcount(BlockDev *bs, uint64_t cluster, uint64_t *rc, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t rb = qcow2_rt_block(s, cluster >> s->rb_bits);
    *rc = 0;
    if (!rb)
        return 0;
    int ret = qcow2_check_refblock_offset(bs, rb, errp);
    if (ret < 0)
        return ret;
    uint8_t *block;
    ret = qcow2_cache_get(bs, &s->rb_cache, rb, false, &block, errp);
    if (ret < 0)
        return ret;
    *rc = qcow2_rc_load(s, block, cluster & ((1ULL << s->rb_bits) - 1));
    return 0;
}

/* First cluster index not known to be used: beyond the file and everything
 * allocated (possibly not yet written) in this session. */
static uint64_t qcow2_end_cluster(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    int64_t flen = file_length(bs, NULL);
    uint64_t end = flen > 0 ? qcow2_size_to_clusters(s, (uint64_t)flen) : 0;
    /* Allocations past EOF are only visible in the refcounts: scan forward. */
    for (;;) {
        uint64_t rc = 0;
        if (qcow2_get_refcount(bs, end, &rc, NULL) < 0 || rc == 0)
            break;
        end++;
    }
    return end;
}

static int qcow2_write_rt_entry(BlockDev *bs, uint64_t rti, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t buf[8];
    be64_store(buf, s->rt[rti]);
    return file_pwrite(bs, s->rt_offset + rti * 8, buf, 8, errp);
}

/* Grows the refcount table so that index need_idx exists. The new table goes
 * at the end of the file followed by the refcount blocks that cover it. */
static int qcow2_grow_refcount_table(BlockDev *bs, uint64_t need_idx, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t cs = s->cluster_size;
    uint64_t T = qcow2_end_cluster(bs);
    uint64_t entries = BLOCK_MAX(need_idx + 1, s->rt_size + s->rt_size / 2 + 1);
    uint64_t tc = 0, nb = 0, first_j = 0, last_j = 0;
    for (;;) {
        uint64_t ntc = (entries * 8 + cs - 1) / cs;
        uint64_t area_end = T + ntc + nb;
        first_j = T >> s->rb_bits;
        last_j = (area_end - 1) >> s->rb_bits;
        uint64_t nnb = 0;
        for (uint64_t j = first_j; j <= last_j; j++) {
            if (!qcow2_rt_block(s, j))
                nnb++;
        }
        uint64_t nentries = BLOCK_MAX(entries, last_j + 1);
        if (ntc == tc && nnb == nb && nentries == entries)
            break;
        tc = ntc;
        nb = nnb;
        entries = nentries;
    }
    if (tc * cs > QCOW2_MAX_RT_BYTES)
        return block_err(errp, -EFBIG, "%s: refcount table would exceed %u bytes", bs->filename,
                         QCOW2_MAX_RT_BYTES);
    uint64_t area_end = T + tc + nb;
    uint64_t new_size = tc * cs / 8;
    uint64_t *nt = calloc(new_size, 8);
    uint8_t *blk = malloc(cs);
    if (!nt || !blk) {
        free(nt);
        free(blk);
        return block_err(errp, -ENOMEM, "Out of memory");
    }
    memcpy(nt, s->rt, s->rt_size * 8);
    uint64_t k = 0;
    int ret = 0;
    uint64_t rbe = 1ULL << s->rb_bits;
    for (uint64_t j = first_j; j <= last_j && ret == 0; j++) {
        uint64_t lo = BLOCK_MAX(T, j * rbe), hi = BLOCK_MIN(area_end, (j + 1) * rbe);
        uint64_t existing = qcow2_rt_block(s, j);
        if (existing) {
            uint8_t *b;
            ret = qcow2_cache_get(bs, &s->rb_cache, existing, false, &b, errp);
            for (uint64_t x = lo; x < hi && ret == 0; x++)
                qcow2_rc_store(s, b, x & (rbe - 1), 1);
            if (ret == 0)
                qcow2_cache_mark_dirty(&s->rb_cache, b);
        } else {
            memset(blk, 0, cs);
            for (uint64_t x = lo; x < hi; x++)
                qcow2_rc_store(s, blk, x & (rbe - 1), 1);
            nt[j] = (T + tc + k) * cs;
            ret = file_pwrite(bs, nt[j], blk, cs, errp);
            k++;
        }
    }
    free(blk);
    if (ret == 0)
        ret = qcow2_cache_flush(bs, &s->rb_cache, errp);
    if (ret == 0) {
        uint64_t *be = malloc(new_size * 8);
        if (!be) {
            ret = block_err(errp, -ENOMEM, "Out of memory");
        } else {
            for (uint64_t i = 0; i < new_size; i++)
                be64_store(&be[i], nt[i]);
            ret = file_pwrite(bs, T * cs, be, new_size * 8, errp);
            free(be);
        }
    }
    if (ret == 0)
        ret = file_flush(bs, errp);
    if (ret == 0) {
        uint8_t hdr[12];
        be64_store(hdr, T * cs);
        be32_store(hdr + 8, (uint32_t)tc);
        ret = file_pwrite(bs, 48, hdr, 12, errp);
    }
    if (ret < 0) {
        free(nt);
        return ret;
    }
    uint64_t old_off = s->rt_offset, old_clusters = s->rt_clusters;
    free(s->rt);
    s->rt = nt;
    s->rt_size = new_size;
    s->rt_offset = T * cs;
    s->rt_clusters = (uint32_t)tc;
    return qcow2_free_clusters(bs, old_off, old_clusters * cs, errp);
}

/* Creates the refcount block for table index rti at cluster `at`, which lies
 * in the range the block describes, so the block accounts for itself. */
static int qcow2_create_self_refblock(BlockDev *bs, uint64_t rti, uint64_t at, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *b;
    int ret = qcow2_cache_get(bs, &s->rb_cache, at << s->cluster_bits, true, &b, errp);
    if (ret < 0)
        return ret;
    qcow2_rc_store(s, b, at & ((1ULL << s->rb_bits) - 1), 1);
    ret = file_pwrite(bs, at << s->cluster_bits, b, s->cluster_size, errp);
    if (ret < 0) {
        qcow2_cache_drop(&s->rb_cache, at << s->cluster_bits);
        return ret;
    }
    s->rt[rti] = at << s->cluster_bits;
    return qcow2_write_rt_entry(bs, rti, errp);
}

/* Whether cluster c holds metadata the header points at directly. In a
 * consistent image those have refcounts; finding one "free" means the
 * refcounts are corrupt, and allocating it would overwrite metadata. */
static bool qcow2_is_fixed_metadata(Qcow2State *s, uint64_t c)
{
    uint64_t off = c << s->cluster_bits;
    uint64_t l1_end = s->l1_offset + BLOCK_ALIGN_UP((uint64_t)s->l1_size * 8, s->cluster_size);
    uint64_t rt_end = s->rt_offset + (uint64_t)s->rt_clusters * s->cluster_size;
    uint64_t sn_end = s->snapshots_offset + BLOCK_ALIGN_UP(s->snapshots_size, s->cluster_size);
    return c == 0 || (s->l1_size && off >= s->l1_offset && off < l1_end) ||
           (off >= s->rt_offset && off < rt_end) ||
           (s->nb_snapshots && off >= s->snapshots_offset && off < sn_end);
}

int64_t qcow2_alloc_clusters(BlockDev *bs, uint64_t n, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (n == 0)
        return block_err(errp, -EINVAL, "internal error: zero-sized allocation");
    for (;;) {
        uint64_t c = s->free_hint, start = c, run = 0;
        while (run < n) {
            uint64_t rc;
            int ret = qcow2_get_refcount(bs, c, &rc, errp);
            if (ret < 0)
                return ret;
            if (rc == 0 && qcow2_is_fixed_metadata(s, c)) {
                qcow2_mark_corrupt(bs, "metadata with refcount 0");
                return block_err(errp, -EIO,
                                 "%s: image is corrupt: metadata cluster %" PRIu64
                                 " has refcount 0; refusing to allocate it (repair the image "
                                 "with check -r all)",
                                 bs->filename, c);
            }
            if (rc == 0) {
                if (run == 0)
                    start = c;
                run++;
            } else {
                run = 0;
            }
            c++;
            if (c > (QCOW2_OFFSET_MASK >> s->cluster_bits))
                return block_err(errp, -ENOSPC, "%s: image is full", bs->filename);
        }
        bool restart = false;
        for (uint64_t x = start; x < start + n; x++) {
            uint64_t rti = x >> s->rb_bits;
            int ret = 0;
            if (rti >= s->rt_size) {
                ret = qcow2_grow_refcount_table(bs, rti, errp);
                restart = true;
            } else if (!qcow2_rt_block(s, rti)) {
                ret = qcow2_create_self_refblock(bs, rti, x, errp);
                restart = true;
            }
            if (ret < 0)
                return ret;
            if (restart)
                break;
        }
        if (restart)
            continue;
        for (uint64_t x = start; x < start + n; x++) {
            int ret = qcow2_set_refcount(bs, x, 1, errp);
            if (ret < 0)
                return ret;
        }
        if (start == s->free_hint || n == 1)
            s->free_hint = start + n;
        return (int64_t)(start << s->cluster_bits);
    }
}

int qcow2_set_refcount(BlockDev *bs, uint64_t cluster, uint64_t rc, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t rti = cluster >> s->rb_bits;
    if (rc > s->refcount_max)
        return block_err(errp, -ERANGE, "%s: refcount of cluster %" PRIu64 " would overflow",
                         bs->filename, cluster);
    if (!qcow2_rt_block(s, rti)) {
        if (rc == 0)
            return 0;
        /* Needs a refcount block: allocate one anywhere (repair path). */
        if (rti >= s->rt_size) {
            int ret = qcow2_grow_refcount_table(bs, rti, errp);
            if (ret < 0)
                return ret;
        }
        if (!qcow2_rt_block(s, rti)) {
            /* Repair path (the cluster is in use but unaccounted for): the
             * new block goes past everything in use, never onto `cluster`. */
            uint64_t at = qcow2_end_cluster(bs);
            uint8_t *b;
            int ret = qcow2_cache_get(bs, &s->rb_cache, at << s->cluster_bits, true, &b, errp);
            if (ret == 0)
                ret = file_pwrite(bs, at << s->cluster_bits, b, s->cluster_size, errp);
            if (ret < 0)
                return ret;
            s->rt[rti] = at << s->cluster_bits;
            ret = qcow2_write_rt_entry(bs, rti, errp);
            if (ret == 0)
                ret = qcow2_set_refcount(bs, at, 1, errp);
            if (ret < 0)
                return ret;
        }
    }
    uint64_t rb = qcow2_rt_block(s, rti);
    int ret = qcow2_check_refblock_offset(bs, rb, errp);
    if (ret < 0)
        return ret;
    uint8_t *block;
    ret = qcow2_cache_get(bs, &s->rb_cache, rb, false, &block, errp);
    if (ret < 0)
        return ret;
    qcow2_rc_store(s, block, cluster & ((1ULL << s->rb_bits) - 1), rc);
    qcow2_cache_mark_dirty(&s->rb_cache, block);
    return 0;
}

int qcow2_update_refcount(BlockDev *bs, uint64_t off, uint64_t len, int64_t addend, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (len == 0)
        return 0;
    uint64_t first = off >> s->cluster_bits;
    uint64_t last = (off + len - 1) >> s->cluster_bits;
    for (uint64_t c = first; c <= last; c++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, c, &rc, errp);
        if (ret < 0)
            return ret;
        if (addend > 0 && rc + (uint64_t)addend > s->refcount_max)
            return block_err(errp, -ERANGE,
                             "%s: refcount of cluster %" PRIu64 " would exceed its maximum %" PRIu64
                             " (refcount_bits=%u)",
                             bs->filename, c, s->refcount_max, s->refcount_bits);
        if (addend < 0 && rc < (uint64_t)-addend) {
            qcow2_mark_corrupt(bs, "refcount out of range");
            return block_err(errp, -EIO,
                             "%s: refcount of cluster %" PRIu64 " is %" PRIu64
                             " and cannot change by %" PRId64 " (image corrupt)",
                             bs->filename, c, rc, addend);
        }
        uint64_t nrc = rc + (uint64_t)addend;
        ret = qcow2_set_refcount(bs, c, nrc, errp);
        if (ret < 0)
            return ret;
        if (nrc == 0) {
            uint64_t hoff = c << s->cluster_bits;
            qcow2_cache_drop(&s->l2_cache, hoff);
            if ((s->free_byte_offset >> s->cluster_bits) == c)
                s->free_byte_offset = 0;
            if (c < s->free_hint)
                s->free_hint = c;
        }
    }
    s->cbuf_entry = 0;
    return 0;
}

int qcow2_free_clusters(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    return qcow2_update_refcount(bs, off, len, -1, errp);
}

int64_t qcow2_alloc_bytes(BlockDev *bs, uint32_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t fbo = s->free_byte_offset;
    uint64_t rc = 0;
    if (fbo && qcow2_get_refcount(bs, fbo >> s->cluster_bits, &rc, errp) < 0)
        return -EIO;
    if (fbo && qcow2_offset_into_cluster(s, fbo) && rc < s->refcount_max &&
        s->cluster_size - qcow2_offset_into_cluster(s, fbo) >= len) {
        int ret = qcow2_update_refcount(bs, fbo, 1, 1, errp);
        if (ret < 0)
            return ret;
        s->free_byte_offset = fbo + len;
        if (!qcow2_offset_into_cluster(s, s->free_byte_offset))
            s->free_byte_offset = 0;
        return (int64_t)fbo;
    }
    int64_t c = qcow2_alloc_clusters(bs, 1, errp);
    if (c < 0)
        return c;
    s->free_byte_offset = (uint64_t)c + len;
    if (!qcow2_offset_into_cluster(s, s->free_byte_offset))
        s->free_byte_offset = 0;
    return c;
}
