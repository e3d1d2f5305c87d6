/* qcow2 consistency check and repair (qemu-img check): recomputes every
 * cluster's refcount from the metadata (header, L1/L2 tables of the active
 * image and of each snapshot, refcount structures, snapshot table, bitmaps),
 * compares with the stored refcounts and checks the COPIED flags. */
#include "block/qcow2.h"

typedef struct CheckState {
    BlockDev *bs;
    Qcow2State *s;
    BlockCheckResult *res;
    uint64_t *ref; /* computed refcount per host cluster, grown on demand */
    uint64_t cap;  /* entries in ref: up to the highest referenced cluster */
    uint64_t nb;   /* clusters in the file: references at or past it are corrupt */
    char *msg;
    size_t msg_len;
} CheckState;

static void check_msg(CheckState *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check_msg(CheckState *c, const char *fmt, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *m = realloc(c->msg, c->msg_len + (size_t)n + 2);
    if (m) {
        c->msg = m;
        memcpy(m + c->msg_len, line, (size_t)n);
        c->msg_len += (size_t)n;
        m[c->msg_len++] = '\n';
        m[c->msg_len] = 0;
    }
    free(line);
}

/* Reference count computed for cluster i (0 past what anything references). */
static uint64_t check_want(const CheckState *c, uint64_t i)
{
    return i < c->cap ? c->ref[i] : 0;
}

/* Grows c->ref to cover cluster i. Sized by the highest cluster referenced,
 * not by the file's length: a sparse file of hundreds of GiB with a small
 * image in front would otherwise cost 8 bytes per cluster of nothing. */
static bool check_grow(CheckState *c, uint64_t i)
{
    if (i < c->cap)
        return true;
    uint64_t cap = BLOCK_MAX(c->cap * 2, (uint64_t)4096);
    cap = BLOCK_MIN(BLOCK_MAX(cap, i + 1), c->nb);
    if (cap > SIZE_MAX / sizeof(uint64_t))
        return false;
    uint64_t *r = realloc(c->ref, cap * sizeof(uint64_t));
    if (!r)
        return false;
    memset(r + c->cap, 0, (cap - c->cap) * sizeof(uint64_t));
    c->ref = r;
    c->cap = cap;
    return true;
}

static void check_ref(CheckState *c, uint64_t off, uint64_t len, const char *what)
{
    Qcow2State *s = c->s;
    if (!len)
        return;
    uint64_t first = off >> s->cluster_bits, last = (off + len - 1) >> s->cluster_bits;
    for (uint64_t i = first; i <= last; i++) {
        if (i >= c->nb) {
            check_msg(c, "ERROR: %s at offset %#" PRIx64 " is beyond the end of the image file",
                      what, i << s->cluster_bits);
            c->res->corruptions++;
            continue;
        }
        if (!check_grow(c, i)) {
            check_msg(c, "ERROR: out of memory counting the references of %s", what);
            c->res->check_errors++;
            return;
        }
        c->ref[i]++;
    }
}

/* Reads an L2 table straight from the file (the caches were flushed). */
static void check_l2(CheckState *c, uint64_t l2_off, bool active)
{
    Qcow2State *s = c->s;
    /* Contiguity is judged within one L2 table, as qemu-img does. */
    uint64_t prev = 0, *prev_host = &prev;
    uint8_t *l2 = s->wbuf; /* scratch: no data is written during a check */
    if (file_pread(c->bs, l2_off, l2, s->cluster_size, NULL) < 0) {
        c->res->check_errors++;
        return;
    }
    uint64_t n = 1ULL << s->l2_bits;
    for (uint64_t j = 0; j < n; j++) {
        uint64_t e = be64_load(l2 + j * s->l2_entry_size);
        uint64_t bm = s->ext_l2 ? be64_load(l2 + j * s->l2_entry_size + 8) : 0;
        if (e & QCOW2_OFLAG_COMPRESSED) {
            uint64_t off, len;
            qcow2_compressed_range(s, e, &off, &len);
            if (e & QCOW2_OFLAG_COPIED) {
                check_msg(c, "ERROR: coffset=%#" PRIx64 ": Compressed cluster has the COPIED flag",
                          off);
                c->res->corruptions++;
            }
            if (s->ext_l2 && bm) {
                check_msg(c, "ERROR: compressed cluster %" PRIu64 " has a subcluster bitmap", j);
                c->res->corruptions++;
            }
            check_ref(c, off, len, "compressed cluster");
            if (active) {
                c->res->allocated_clusters++;
                c->res->compressed_clusters++;
                c->res->fragmented_clusters++; /* as qemu-img counts them */
            }
            continue;
        }
        uint64_t host = e & QCOW2_OFFSET_MASK;
        if (s->ext_l2 && ((uint32_t)bm & (uint32_t)(bm >> 32))) {
            check_msg(c, "ERROR: subclusters both allocated and zero in L2 table at %#" PRIx64,
                      l2_off);
            c->res->corruptions++;
        }
        if (!host)
            continue;
        if (qcow2_offset_into_cluster(s, host)) {
            check_msg(c,
                      "ERROR offset=%" PRIx64 ": Cluster is not properly aligned; L2 entry "
                      "corrupted.",
                      host);
            c->res->corruptions++;
            continue;
        }
        check_ref(c, host, s->cluster_size, "data cluster");
        if (active) {
            c->res->allocated_clusters++;
            if (*prev_host && host != *prev_host + s->cluster_size)
                c->res->fragmented_clusters++;
            *prev_host = host;
        }
    }
}

static void check_l1(CheckState *c, const uint64_t *l1, uint32_t n, bool active)
{
    Qcow2State *s = c->s;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t l2 = l1[i] & QCOW2_OFFSET_MASK;
        if (!l2)
            continue;
        if (qcow2_offset_into_cluster(s, l2)) {
            check_msg(c,
                      "ERROR l2_offset=%" PRIx64 ": Table is not cluster aligned; L1 entry "
                      "corrupted",
                      l2);
            c->res->corruptions++;
            continue;
        }
        if ((l2 >> s->cluster_bits) >= c->nb) {
            check_msg(c, "ERROR l2_offset=%" PRIx64 ": L2 table is beyond the end of the file", l2);
            c->res->corruptions++;
            continue;
        }
        check_ref(c, l2, s->cluster_size, "L2 table");
        check_l2(c, l2, active);
    }
}

static void check_bitmaps(CheckState *c)
{
    Qcow2State *s = c->s;
    if (!s->nb_bitmaps || !(s->autoclear & QCOW2_AUTOCLEAR_BITMAPS))
        return;
    uint64_t dsize = s->bitmap_dir_size;
    if (dsize > (64u << 20)) {
        c->res->check_errors++;
        return;
    }
    check_ref(c, s->bitmap_dir_offset, dsize, "bitmap directory");
    uint8_t *dir = malloc(dsize ? dsize : 1);
    if (!dir || file_pread(c->bs, s->bitmap_dir_offset, dir, dsize, NULL) < 0) {
        free(dir);
        c->res->check_errors++;
        return;
    }
    uint64_t pos = 0;
    for (uint32_t i = 0; i < s->nb_bitmaps && pos + 24 <= dsize; i++) {
        uint64_t toff = be64_load(dir + pos);
        uint32_t tsize = be32_load(dir + pos + 8);
        uint16_t name_len = be16_load(dir + pos + 18);
        uint32_t extra = be32_load(dir + pos + 20);
        if (tsize <= (8u << 20) / 8) {
            check_ref(c, toff, (uint64_t)tsize * 8, "bitmap table");
            uint8_t *t = malloc((size_t)tsize * 8 + 8);
            if (t && file_pread(c->bs, toff, t, (uint64_t)tsize * 8, NULL) == 0) {
                for (uint32_t k = 0; k < tsize; k++) {
                    uint64_t d = be64_load(t + k * 8) & QCOW2_OFFSET_MASK;
                    if (d)
                        check_ref(c, d, s->cluster_size, "bitmap data");
                }
            }
            free(t);
        }
        pos += BLOCK_ALIGN_UP(24 + (uint64_t)extra + name_len, 8);
    }
    free(dir);
}

/* Counts the references of every cluster from the metadata into c->ref. */
static void check_count(CheckState *c, bool with_refcounts)
{
    BlockDev *bs = c->bs;
    Qcow2State *s = c->s;
    check_ref(c, 0, s->cluster_size, "header");
    check_ref(c, s->l1_offset, (uint64_t)s->l1_size * 8, "L1 table");
    check_l1(c, s->l1, s->l1_size, true);
    if (s->nb_snapshots)
        check_ref(c, s->snapshots_offset, s->snapshots_size, "snapshot table");
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint64_t *l1 = calloc(BLOCK_MAX(sn->l1_size, 1), 8);
        if (!l1 || file_pread(bs, sn->l1_offset, l1, (uint64_t)sn->l1_size * 8, NULL) < 0) {
            free(l1);
            c->res->check_errors++;
            continue;
        }
        for (uint32_t k = 0; k < sn->l1_size; k++)
            l1[k] = be64_load(&l1[k]);
        check_ref(c, sn->l1_offset, (uint64_t)sn->l1_size * 8, "snapshot L1 table");
        check_l1(c, l1, sn->l1_size, false);
        free(l1);
    }
    if (with_refcounts) {
        check_ref(c, s->rt_offset, (uint64_t)s->rt_clusters * s->cluster_size, "refcount table");
        for (uint64_t i = 0; i < s->rt_size; i++) {
            uint64_t rb = s->rt[i] & ~0x1ffULL;
            if (rb)
                check_ref(c, rb, s->cluster_size, "refcount block");
        }
    }
    check_bitmaps(c);
}

static int check_run(BlockDev *bs, int fix, BlockCheckResult *res, CheckState *c, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    int64_t flen = file_length(bs, errp);
    if (flen < 0)
        return (int)flen;
    memset(c, 0, sizeof(*c));
    c->bs = bs;
    c->s = s;
    c->res = res;
    c->nb = qcow2_size_to_clusters(s, (uint64_t)flen);

    check_count(c, true);

    /* Compare with the stored refcounts of the clusters inside the file, like
     * qemu-img. Past the computed references, a range without a refcount
     * block has nothing stored to compare: skipped, so the time spent is
     * bounded by the image's metadata and not by a sparse file's length. */
    uint64_t limit = c->nb;
    uint64_t highest = 0;
    for (uint64_t i = 0; i < limit; i++) {
        if ((i & ((1ULL << s->rb_bits) - 1)) == 0 && i >= c->cap) {
            uint64_t rti = i >> s->rb_bits;
            if (rti >= s->rt_size)
                break;
            if (!(s->rt[rti] & ~0x1ffULL)) {
                i += (1ULL << s->rb_bits) - 1;
                continue;
            }
        }
        uint64_t want = check_want(c, i);
        uint64_t have;
        ret = qcow2_get_refcount(bs, i, &have, NULL);
        if (ret < 0) {
            res->check_errors++;
            continue;
        }
        if (want || have) /* qemu-img counts leaked clusters in the end offset */
            highest = i + 1;
        if (have == want)
            continue;
        if (want > s->refcount_max) {
            check_msg(c, "ERROR cluster %" PRIu64 " refcount overflow (reference=%" PRIu64 ")", i,
                      want);
            res->corruptions++;
            continue;
        }
        bool leak = have > want;
        bool repair = leak ? (fix & (BLOCK_CHECK_REPAIR_LEAKS | BLOCK_CHECK_REPAIR_ALL))
                           : (fix & BLOCK_CHECK_REPAIR_ALL);
        check_msg(c, "%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%" PRIu64,
                  repair ? "Repairing"
                  : leak ? "Leaked"
                         : "ERROR",
                  i, have, want);
        if (leak)
            res->leaks++;
        else
            res->corruptions++;
        if (repair && qcow2_set_refcount(bs, i, want, NULL) == 0) {
            if (leak)
                res->leaks_fixed++;
            else
                res->corruptions_fixed++;
        }
    }
    res->image_end_offset = highest << s->cluster_bits;
    res->total_clusters = qcow2_size_to_clusters(s, bs->size);

    /* COPIED flags of the active tables must match refcount == 1. */
    uint64_t n = 1ULL << s->l2_bits;
    int copied_errors = 0;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2 = s->l1[i] & QCOW2_OFFSET_MASK;
        if (!l2 || qcow2_offset_into_cluster(s, l2) || (l2 >> s->cluster_bits) >= c->nb)
            continue;
        uint64_t rc_l2 = 0;
        if (qcow2_get_refcount(bs, l2 >> s->cluster_bits, &rc_l2, NULL) < 0)
            res->check_errors++;
        bool one = rc_l2 == 1;
        if (one != ((s->l1[i] & QCOW2_OFLAG_COPIED) != 0)) {
            check_msg(c,
                      "ERROR OFLAG_COPIED L2 cluster: l1_index=%u l1_entry=%" PRIx64
                      " refcount=%" PRIu64,
                      i, s->l1[i], rc_l2);
            copied_errors++;
        }
        uint8_t *t = s->wbuf;
        if (file_pread(bs, l2, t, s->cluster_size, NULL) < 0) {
            res->check_errors++;
            continue;
        }
        for (uint64_t j = 0; j < n; j++) {
            uint64_t e = be64_load(t + j * s->l2_entry_size);
            uint64_t h = e & QCOW2_OFFSET_MASK;
            if ((e & QCOW2_OFLAG_COMPRESSED) || !h || qcow2_offset_into_cluster(s, h) ||
                (h >> s->cluster_bits) >= c->nb)
                continue;
            uint64_t r = 0;
            if (qcow2_get_refcount(bs, h >> s->cluster_bits, &r, NULL) < 0)
                res->check_errors++;
            if ((r == 1) != ((e & QCOW2_OFLAG_COPIED) != 0)) {
                check_msg(c,
                          "ERROR OFLAG_COPIED data cluster: l2_entry=%" PRIx64 " refcount=%" PRIu64,
                          e, r);
                copied_errors++;
            }
        }
    }
    res->corruptions += copied_errors;
    if (copied_errors && (fix & BLOCK_CHECK_REPAIR_ALL) && !bs->read_only &&
        qcow2_fix_copied_flags(bs, NULL) == 0)
        res->corruptions_fixed += copied_errors;
    free(c->ref);
    c->ref = NULL;
    return qcow2_flush_all(bs, errp);
}

int qcow2_check(BlockDev *bs, int fix, BlockCheckResult *res, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    CheckState c;
    memset(res, 0, sizeof(*res));
    if (fix && bs->read_only)
        return block_err(errp, -EACCES, "%s: cannot repair an image opened read-only",
                         bs->filename);
    memset(&c, 0, sizeof(c));
    int ret = check_run(bs, fix, res, &c, errp);
    char *msgs = c.msg;
    if (ret < 0) {
        free(msgs);
        return ret;
    }
    if (res->leaks_fixed || res->corruptions_fixed) {
        /* Report what is left after the repair, as a fresh check sees it. */
        BlockCheckResult again;
        memset(&again, 0, sizeof(again));
        CheckState c2;
        memset(&c2, 0, sizeof(c2));
        ret = check_run(bs, 0, &again, &c2, errp);
        free(c2.msg);
        if (ret < 0) {
            free(msgs);
            return ret;
        }
        again.leaks_fixed = res->leaks_fixed;
        again.corruptions_fixed = res->corruptions_fixed;
        *res = again;
    }
    /* A repaired image is consistent again: drop the corrupt and dirty bits. */
    uint64_t clear = 0;
    if ((fix & BLOCK_CHECK_REPAIR_ALL) && !res->corruptions && !res->check_errors)
        clear |= QCOW2_INCOMPAT_CORRUPT;
    if (fix && !res->corruptions && !res->leaks && !res->check_errors && !s->dirty_set)
        clear |= QCOW2_INCOMPAT_DIRTY;
    if (s->incompat & clear) {
        s->incompat &= ~clear;
        qcow2_write_header(bs, NULL);
    }
    res->messages = msgs;
    return 0;
}

/* Rewrites all refcount structures with refcount_order `order` (amend
 * refcount_bits): new table and blocks go past the end of the file, the
 * header switches to them in one write, the old ones become free space. */
int qcow2_rebuild_refcounts(BlockDev *bs, uint32_t order, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    int64_t flen = file_length(bs, errp);
    if (flen < 0)
        return (int)flen;
    BlockCheckResult res;
    CheckState c;
    memset(&res, 0, sizeof(res));
    memset(&c, 0, sizeof(c));
    c.bs = bs;
    c.s = s;
    c.res = &res;
    c.nb = qcow2_size_to_clusters(s, (uint64_t)flen);
    check_count(&c, false);
    free(c.msg);
    uint64_t max = order == 6 ? UINT64_MAX : (1ULL << (1u << order)) - 1;
    if (res.corruptions || res.check_errors) {
        free(c.ref);
        return block_err(errp, -EIO,
                         "%s: image is corrupt; repair it before changing refcount_bits",
                         bs->filename);
    }
    for (uint64_t i = 0; i < c.cap; i++) {
        if (c.ref[i] > max) {
            uint64_t refs = c.ref[i];
            free(c.ref);
            return block_err(errp, -ERANGE,
                             "%s: cluster %" PRIu64 " has %" PRIu64
                             " references, more than refcount_bits=%u can count",
                             bs->filename, i, refs, 1u << order);
        }
    }
    uint64_t cs = s->cluster_size, E = c.nb;
    uint64_t rbe = cs * 8 >> order; /* entries per new block */
    uint64_t tc = 1, nb = 1;
    for (;;) {
        uint64_t n = E + tc + nb;
        uint64_t nnb = (n + rbe - 1) / rbe;
        uint64_t ntc = (nnb * 8 + cs - 1) / cs;
        if (nnb == nb && ntc == tc)
            break;
        nb = nnb;
        tc = ntc;
    }
    Qcow2State tmp = {.refcount_order = order, .refcount_bits = 1u << order};
    uint8_t *blk = malloc(cs);
    uint64_t *nt = calloc(tc * cs / 8, 8);
    ret = (!blk || !nt) ? block_err(errp, -ENOMEM, "Out of memory") : 0;
    for (uint64_t j = 0; j < nb && ret == 0; j++) {
        memset(blk, 0, cs);
        for (uint64_t k = 0; k < rbe; k++) {
            uint64_t cl = j * rbe + k;
            uint64_t v = cl < E ? check_want(&c, cl) : cl < E + tc + nb ? 1 : 0;
            if (v)
                qcow2_rc_store(&tmp, blk, k, v);
        }
        nt[j] = (E + tc + j) * cs;
        ret = file_pwrite(bs, nt[j], blk, cs, errp);
    }
    if (ret == 0) {
        uint8_t *be = malloc(tc * cs);
        if (!be) {
            ret = block_err(errp, -ENOMEM, "Out of memory");
        } else {
            for (uint64_t i = 0; i < tc * cs / 8; i++)
                be64_store(be + i * 8, nt[i]);
            ret = file_pwrite(bs, E * cs, be, tc * cs, errp);
            free(be);
        }
    }
    if (ret == 0)
        ret = file_flush(bs, errp);
    free(blk);
    free(c.ref);
    if (ret < 0) {
        free(nt);
        return ret;
    }
    qcow2_cache_drop_all(&s->rb_cache);
    free(s->rt);
    s->rt = nt;
    s->rt_size = tc * cs / 8;
    s->rt_offset = E * cs;
    s->rt_clusters = (uint32_t)tc;
    s->refcount_order = order;
    s->refcount_bits = 1u << order;
    s->refcount_max = max;
    s->rb_bits = s->cluster_bits + 3 - order;
    s->free_hint = 0;
    s->free_byte_offset = 0;
    return qcow2_write_header(bs, errp);
}
