/* qcow2 guest cluster mapping: L1/L2 lookups, reads through the backing
 * chain, allocating writes with copy-on-write (clusters, subclusters, shared
 * L2 tables), compressed writes, zeroing, discard and block status. Data is
 * written before the L2 entry that points to it; L2 before L1. */
#include "block/qcow2.h"

static inline uint32_t qcow2_all_sc(Qcow2State *s)
{
    return s->nb_sc == 32 ? 0xffffffffu : 1u;
}

void qcow2_decode_entry(Qcow2State *s, uint64_t entry, uint64_t bitmap, Qcow2Mapping *m)
{
    memset(m, 0, sizeof(*m));
    m->entry = entry;
    m->bitmap = bitmap;
    m->copied = (entry & QCOW2_OFLAG_COPIED) != 0;
    if (entry & QCOW2_OFLAG_COMPRESSED) {
        m->type = QCOW2_CL_COMPRESSED;
        m->alloc = qcow2_all_sc(s);
        return;
    }
    m->host = entry & QCOW2_OFFSET_MASK;
    m->type = m->host ? QCOW2_CL_NORMAL : QCOW2_CL_UNALLOC;
    if (s->ext_l2) {
        m->alloc = (uint32_t)bitmap;
        m->zero = (uint32_t)(bitmap >> 32);
    } else if (entry & QCOW2_OFLAG_ZERO) {
        m->zero = 1;
    } else if (m->host) {
        m->alloc = 1;
    }
}

void qcow2_compressed_range(Qcow2State *s, uint64_t entry, uint64_t *off, uint64_t *len)
{
    uint32_t x = 62 - (s->cluster_bits - 8);
    uint64_t host = entry & ((1ULL << x) - 1);
    uint64_t nsec = ((entry & ~(QCOW2_OFLAG_COPIED | QCOW2_OFLAG_COMPRESSED)) >> x) + 1;
    *off = host;
    *len = (host & ~511ULL) + nsec * 512 - host;
}

static int qcow2_corrupt(BlockDev *bs, char **errp, const char *what, uint64_t off)
{
    qcow2_mark_corrupt(bs, what);
    return block_err(errp, -EIO, "%s: image is corrupt: %s (offset %#" PRIx64 ")", bs->filename,
                     what, off);
}

/* Whether host offset `end` lies within the file. Everything a table points
 * to was written before the pointer, so anything past the end is corrupt
 * (and writing there would grow the file without bound). */
static bool qcow2_within_file(BlockDev *bs, uint64_t end)
{
    Qcow2State *s = qcow2_state(bs);
    if (end <= s->host_end)
        return true;
    int64_t flen = file_length(bs, NULL);
    if (flen > 0)
        s->host_end = (uint64_t)flen;
    return end <= s->host_end;
}

/* Loads the L2 table of guest cluster gc; *l2 = NULL when there is none. */
static int qcow2_load_l2(BlockDev *bs, uint64_t gc, uint8_t **l2, uint64_t *l2_off, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t l1i = gc >> s->l2_bits;
    *l2 = NULL;
    *l2_off = 0;
    if (l1i >= s->l1_size)
        return 0;
    uint64_t off = s->l1[l1i] & QCOW2_OFFSET_MASK;
    if (!off)
        return 0;
    if (qcow2_offset_into_cluster(s, off))
        return qcow2_corrupt(bs, errp, "L2 table offset is not cluster aligned", off);
    if (off < s->cluster_size)
        return qcow2_corrupt(bs, errp, "L2 table overlaps the header", off);
    if (!qcow2_within_file(bs, off + s->cluster_size))
        return qcow2_corrupt(bs, errp, "L2 table lies beyond the end of the file", off);
    *l2_off = off;
    return qcow2_cache_get(bs, &s->l2_cache, off, false, l2, errp);
}

static void qcow2_l2_read_entry(Qcow2State *s, const uint8_t *l2, uint64_t idx, uint64_t *entry,
                                uint64_t *bitmap)
{
    const uint8_t *p = l2 + idx * s->l2_entry_size;
    *entry = be64_load(p);
    *bitmap = s->ext_l2 ? be64_load(p + 8) : 0;
}

static void qcow2_l2_write_entry(Qcow2State *s, uint8_t *l2, uint64_t idx, uint64_t entry,
                                 uint64_t bitmap)
{
    uint8_t *p = l2 + idx * s->l2_entry_size;
    be64_store(p, entry);
    if (s->ext_l2)
        be64_store(p + 8, bitmap);
    qcow2_cache_mark_dirty(&s->l2_cache, l2);
}

int qcow2_get_mapping(BlockDev *bs, uint64_t guest_off, Qcow2Mapping *m, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = guest_off >> s->cluster_bits;
    uint8_t *l2;
    uint64_t l2_off;
    int ret = qcow2_load_l2(bs, gc, &l2, &l2_off, errp);
    if (ret < 0)
        return ret;
    uint64_t entry = 0, bitmap = 0;
    if (l2)
        qcow2_l2_read_entry(s, l2, gc & ((1ULL << s->l2_bits) - 1), &entry, &bitmap);
    qcow2_decode_entry(s, entry, bitmap, m);
    if (m->type == QCOW2_CL_NORMAL && qcow2_offset_into_cluster(s, m->host))
        return qcow2_corrupt(bs, errp, "data cluster offset is not cluster aligned", m->host);
    if (m->type == QCOW2_CL_NORMAL && m->host < s->cluster_size)
        return qcow2_corrupt(bs, errp, "data cluster overlaps the header", m->host);
    /* Subclustered or preallocated clusters need not be written to their
     * end, but must start inside the file (or right at its end). */
    if (m->type == QCOW2_CL_NORMAL && !qcow2_within_file(bs, m->host))
        return qcow2_corrupt(bs, errp, "data cluster lies beyond the end of the file", m->host);
    if (m->type == QCOW2_CL_COMPRESSED) {
        uint64_t coff, clen;
        qcow2_compressed_range(s, m->entry, &coff, &clen);
        if (coff < s->cluster_size || !qcow2_within_file(bs, coff + 1))
            return qcow2_corrupt(bs, errp, "compressed cluster lies outside the file", coff);
    }
    if (s->ext_l2 && (m->alloc & m->zero))
        return qcow2_corrupt(bs, errp, "subcluster both allocated and zero", l2_off);
    if (s->ext_l2 && m->type == QCOW2_CL_UNALLOC && m->alloc)
        return qcow2_corrupt(bs, errp, "allocated subclusters without a host cluster", l2_off);
    return 0;
}

static int qcow2_read_compressed(BlockDev *bs, uint64_t entry, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->cbuf_entry == entry)
        return 0;
    uint64_t off, len;
    qcow2_compressed_range(s, entry, &off, &len);
    if (len > 2ULL * s->cluster_size)
        return qcow2_corrupt(bs, errp, "compressed cluster too large", off);
    int ret = file_pread(bs, off, s->zbuf, len, errp);
    if (ret < 0)
        return ret;
    ret = qcow2_decompress(s, s->zbuf, (uint32_t)len, s->cbuf, s->cluster_size);
    if (ret < 0)
        return block_err(errp, -EIO, "%s: could not decompress the cluster at %#" PRIx64,
                         bs->filename, off);
    s->cbuf_entry = entry;
    return 0;
}

/* Reads len bytes at offset coff of a guest cluster (never crosses it). */
static int qcow2_read_in_cluster(BlockDev *bs, uint64_t goff, uint8_t *buf, uint32_t len,
                                 const Qcow2Mapping *m, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t coff = qcow2_offset_into_cluster(s, goff);
    if (m->type == QCOW2_CL_COMPRESSED) {
        int ret = qcow2_read_compressed(bs, m->entry, errp);
        if (ret == 0)
            memcpy(buf, s->cbuf + coff, len);
        return ret;
    }
    while (len) {
        uint32_t sc = (uint32_t)(coff / s->sc_size);
        uint32_t bit = 1u << sc;
        int kind = (m->alloc & bit) ? 1 : (m->zero & bit) ? 2 : 0;
        uint64_t end = (uint64_t)(sc + 1) * s->sc_size;
        while (end < s->cluster_size) {
            uint32_t b2 = 1u << (end / s->sc_size);
            int k2 = (m->alloc & b2) ? 1 : (m->zero & b2) ? 2 : 0;
            if (k2 != kind)
                break;
            end += s->sc_size;
        }
        uint32_t n = (uint32_t)BLOCK_MIN((uint64_t)len, end - coff);
        int ret = 0;
        if (kind == 1)
            ret = file_pread(bs, m->host + coff, buf, n, errp);
        else if (kind == 2)
            memset(buf, 0, n);
        else
            ret = block_read_backing(bs, goff, buf, n, errp);
        if (ret < 0)
            return ret;
        buf += n;
        goff += n;
        coff += n;
        len -= n;
    }
    return 0;
}

int qcow2_data_read(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *p = buf;
    while (len) {
        uint64_t coff = qcow2_offset_into_cluster(s, off);
        uint64_t n = BLOCK_MIN(len, s->cluster_size - coff);
        Qcow2Mapping m;
        int ret = qcow2_get_mapping(bs, off, &m, errp);
        if (ret < 0)
            return ret;
        /* Merge runs of contiguous fully allocated clusters into one read. */
        if (m.type == QCOW2_CL_NORMAL && m.alloc == qcow2_all_sc(s)) {
            uint64_t host = m.host + coff;
            while (n < len) {
                Qcow2Mapping m2;
                ret = qcow2_get_mapping(bs, off + n, &m2, errp);
                if (ret < 0)
                    return ret;
                if (m2.type != QCOW2_CL_NORMAL || m2.alloc != qcow2_all_sc(s) ||
                    m2.host != host + n)
                    break;
                n += BLOCK_MIN(len - n, s->cluster_size);
            }
            ret = file_pread(bs, host, p, n, errp);
        } else {
            ret = qcow2_read_in_cluster(bs, off, p, (uint32_t)n, &m, errp);
        }
        if (ret < 0)
            return ret;
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

static int qcow2_write_l1_entry(BlockDev *bs, uint64_t l1i, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t buf[8];
    be64_store(buf, s->l1[l1i]);
    return file_pwrite(bs, s->l1_offset + l1i * 8, buf, 8, errp);
}

int qcow2_grow_l1(BlockDev *bs, uint64_t min_size, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (min_size <= s->l1_size)
        return 0;
    if (min_size * 8 > QCOW2_MAX_L1_BYTES)
        return block_err(errp, -EFBIG, "%s: L1 table would exceed %u bytes", bs->filename,
                         QCOW2_MAX_L1_BYTES);
    uint64_t bytes = BLOCK_ALIGN_UP(min_size * 8, s->cluster_size);
    uint64_t *nl1 = calloc(1, bytes);
    uint8_t *be = calloc(1, bytes);
    if (!nl1 || !be) {
        free(nl1);
        free(be);
        return block_err(errp, -ENOMEM, "Out of memory");
    }
    memcpy(nl1, s->l1, (size_t)s->l1_size * 8);
    for (uint64_t i = 0; i < min_size; i++)
        be64_store(be + i * 8, nl1[i]);
    int64_t noff = qcow2_alloc_clusters(bs, bytes >> s->cluster_bits, errp);
    int ret = noff < 0 ? (int)noff : 0;
    if (ret == 0)
        ret = qcow2_cache_flush(bs, &s->rb_cache, errp);
    if (ret == 0)
        ret = file_pwrite(bs, (uint64_t)noff, be, bytes, errp);
    if (ret == 0)
        ret = file_flush(bs, errp);
    if (ret == 0) {
        uint8_t hdr[12];
        be32_store(hdr, (uint32_t)min_size);
        be64_store(hdr + 4, (uint64_t)noff);
        ret = file_pwrite(bs, 36, hdr, 12, errp);
    }
    free(be);
    if (ret < 0) {
        free(nl1);
        return ret;
    }
    uint64_t old_off = s->l1_offset,
             old_bytes = BLOCK_ALIGN_UP((uint64_t)s->l1_size * 8, s->cluster_size);
    free(s->l1);
    s->l1 = nl1;
    s->l1_offset = (uint64_t)noff;
    s->l1_size = (uint32_t)min_size;
    if (old_off && old_bytes)
        return qcow2_free_clusters(bs, old_off, old_bytes, errp);
    return 0;
}

/* Makes the L2 table of guest cluster gc exist and be owned by the active L1
 * only (copying a table shared with snapshots); returns its offset. */
static int qcow2_l2_for_write(BlockDev *bs, uint64_t gc, uint64_t *l2_off, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t l1i = gc >> s->l2_bits;
    int ret = qcow2_grow_l1(bs, l1i + 1, errp);
    if (ret < 0)
        return ret;
    uint64_t e = s->l1[l1i];
    uint64_t old = e & QCOW2_OFFSET_MASK;
    if (old && qcow2_offset_into_cluster(s, old))
        return qcow2_corrupt(bs, errp, "L2 table offset is not cluster aligned", old);
    if (old && (e & QCOW2_OFLAG_COPIED)) {
        *l2_off = old;
        return 0;
    }
    if (old) {
        uint64_t rc;
        ret = qcow2_get_refcount(bs, old >> s->cluster_bits, &rc, errp);
        if (ret < 0)
            return ret;
        if (rc == 0)
            return qcow2_corrupt(bs, errp, "L2 table has refcount 0", old);
        if (rc == 1) {
            s->l1[l1i] = old | QCOW2_OFLAG_COPIED;
            *l2_off = old;
            return qcow2_write_l1_entry(bs, l1i, errp);
        }
    }
    int64_t noff = qcow2_alloc_clusters(bs, 1, errp);
    if (noff < 0)
        return (int)noff;
    uint8_t *tmp = malloc(s->cluster_size);
    if (!tmp)
        return block_err(errp, -ENOMEM, "Out of memory");
    memset(tmp, 0, s->cluster_size);
    if (old) {
        uint8_t *src;
        ret = qcow2_cache_get(bs, &s->l2_cache, old, false, &src, errp);
        if (ret == 0)
            memcpy(tmp, src, s->cluster_size);
    }
    if (ret == 0)
        ret = qcow2_cache_flush(bs, &s->rb_cache, errp);
    if (ret == 0)
        ret = file_pwrite(bs, (uint64_t)noff, tmp, s->cluster_size, errp);
    free(tmp);
    if (ret < 0)
        return ret;
    s->l1[l1i] = (uint64_t)noff | QCOW2_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(bs, l1i, errp);
    if (ret < 0)
        return ret;
    if (old) {
        ret = qcow2_free_clusters(bs, old, s->cluster_size, errp);
        if (ret < 0)
            return ret;
    }
    *l2_off = (uint64_t)noff;
    return 0;
}

static int qcow2_defer_free(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->nb_pending_free == s->cap_pending_free) {
        size_t cap = s->cap_pending_free ? s->cap_pending_free * 2 : 64;
        void *n = realloc(s->pending_free, cap * sizeof(*s->pending_free));
        if (!n)
            return block_err(errp, -ENOMEM, "Out of memory");
        s->pending_free = n;
        s->cap_pending_free = cap;
    }
    s->pending_free[s->nb_pending_free].off = off;
    s->pending_free[s->nb_pending_free].len = len;
    s->nb_pending_free++;
    return 0;
}

int qcow2_process_frees(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->nb_pending_free)
        return 0;
    /* A killed process must never leave an L2 entry on disk that points at a
     * cluster whose refcount already dropped (it could be reused). */
    int ret = qcow2_cache_flush(bs, &s->l2_cache, errp);
    for (size_t i = 0; i < s->nb_pending_free && ret == 0; i++)
        ret = qcow2_update_refcount(bs, s->pending_free[i].off, s->pending_free[i].len, -1, errp);
    s->nb_pending_free = 0;
    return ret;
}

/* Releases the host storage an old mapping held, after it was replaced. */
static int qcow2_release_mapping(BlockDev *bs, const Qcow2Mapping *m, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (m->type == QCOW2_CL_NORMAL)
        return qcow2_defer_free(bs, m->host, s->cluster_size, errp);
    if (m->type == QCOW2_CL_COMPRESSED) {
        uint64_t off, len;
        qcow2_compressed_range(s, m->entry, &off, &len);
        return qcow2_defer_free(bs, off, len, errp);
    }
    return 0;
}

static int qcow2_set_entry(BlockDev *bs, uint64_t l2_off, uint64_t gc, uint64_t entry,
                           uint64_t bitmap, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *l2;
    int ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
    if (ret < 0)
        return ret;
    qcow2_l2_write_entry(s, l2, gc & ((1ULL << s->l2_bits) - 1), entry, bitmap);
    return 0;
}

static bool qcow2_cluster_is_shared(BlockDev *bs, const Qcow2Mapping *m, bool *shared, char **errp,
                                    int *ret)
{
    Qcow2State *s = qcow2_state(bs);
    *ret = 0;
    if (m->copied) {
        *shared = false;
        return true;
    }
    uint64_t rc;
    *ret = qcow2_get_refcount(bs, m->host >> s->cluster_bits, &rc, errp);
    if (*ret < 0)
        return false;
    if (rc == 0) {
        *ret = qcow2_corrupt(bs, errp, "data cluster has refcount 0", m->host);
        return false;
    }
    *shared = rc > 1;
    return true;
}

/* Old contents of subcluster sc (for partial writes and copy-on-write). */
static int qcow2_old_subcluster(BlockDev *bs, uint64_t gbase, uint32_t sc, const Qcow2Mapping *m,
                                uint8_t *dst, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t o = (uint64_t)sc * s->sc_size;
    if (m->type == QCOW2_CL_COMPRESSED) {
        int ret = qcow2_read_compressed(bs, m->entry, errp);
        if (ret == 0)
            memcpy(dst, s->cbuf + o, s->sc_size);
        return ret;
    }
    if (m->alloc & (1u << sc))
        return file_pread(bs, m->host + o, dst, s->sc_size, errp);
    if (m->zero & (1u << sc)) {
        memset(dst, 0, s->sc_size);
        return 0;
    }
    return block_read_backing(bs, gbase + o, dst, s->sc_size, errp);
}

static int qcow2_write_in_cluster(BlockDev *bs, uint64_t goff, const uint8_t *buf, uint32_t len,
                                  char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = goff >> s->cluster_bits;
    uint64_t gbase = gc << s->cluster_bits;
    uint32_t coff = (uint32_t)qcow2_offset_into_cluster(s, goff);
    uint64_t l2_off;
    int ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
    if (ret < 0)
        return ret;
    Qcow2Mapping m;
    ret = qcow2_get_mapping(bs, goff, &m, errp);
    if (ret < 0)
        return ret;
    uint32_t first = coff / s->sc_size, last = (coff + len - 1) / s->sc_size;
    uint32_t touched = (uint32_t)(((2ULL << last) - 1) & ~((1ULL << first) - 1));
    bool shared = true;
    if (m.type == QCOW2_CL_NORMAL && !qcow2_cluster_is_shared(bs, &m, &shared, errp, &ret))
        return ret;
    uint8_t *tmp = s->wbuf;
    if (m.type == QCOW2_CL_NORMAL && !shared) {
        /* In place: fill the partial edges of newly allocated subclusters. */
        uint32_t rstart = coff, rend = coff + len;
        uint32_t edges[2] = {first, last};
        for (int i = 0; i < 2 && ret == 0; i++) {
            uint32_t sc = edges[i];
            uint32_t lo = sc * s->sc_size, hi = lo + s->sc_size;
            if ((m.alloc & (1u << sc)) || (coff <= lo && coff + len >= hi) ||
                (i == 1 && first == last))
                continue;
            ret = qcow2_old_subcluster(bs, gbase, sc, &m, tmp + lo, errp);
            rstart = BLOCK_MIN(rstart, lo);
            rend = BLOCK_MAX(rend, hi);
        }
        if (ret == 0 && rstart == coff && rend == coff + len) {
            ret = file_pwrite(bs, m.host + coff, buf, len, errp);
        } else if (ret == 0) {
            memcpy(tmp + coff, buf, len);
            ret = file_pwrite(bs, m.host + rstart, tmp + rstart, rend - rstart, errp);
        }
        if (ret == 0 &&
            ((m.alloc & touched) != touched || (m.entry & QCOW2_OFLAG_ZERO) || !m.copied)) {
            uint32_t alloc = m.alloc | touched, zero = m.zero & ~touched;
            uint64_t entry = m.host | QCOW2_OFLAG_COPIED;
            ret = qcow2_set_entry(bs, l2_off, gc, entry, ((uint64_t)zero << 32) | alloc, errp);
        }
        return ret;
    }
    /* Copy on write into a new cluster. */
    uint32_t newalloc = s->ext_l2 ? (touched | m.alloc) : 1;
    uint32_t lo_sc = (uint32_t)__builtin_ctz(newalloc),
             hi_sc = 31 - (uint32_t)__builtin_clz(newalloc);
    uint32_t wlo = lo_sc * s->sc_size, whi = (hi_sc + 1) * s->sc_size;
    bool direct = coff == wlo && coff + len == whi;
    for (uint32_t sc = lo_sc; sc <= hi_sc && ret == 0 && !direct; sc++) {
        uint32_t lo = sc * s->sc_size, hi = lo + s->sc_size;
        if (coff <= lo && coff + len >= hi)
            continue;
        if (newalloc & (1u << sc))
            ret = qcow2_old_subcluster(bs, gbase, sc, &m, tmp + lo, errp);
        else
            memset(tmp + lo, 0, s->sc_size);
    }
    if (ret < 0)
        return ret;
    int64_t noff = qcow2_alloc_clusters(bs, 1, errp);
    if (noff < 0)
        return (int)noff;
    if (direct) {
        ret = file_pwrite(bs, (uint64_t)noff + coff, buf, len, errp);
    } else {
        memcpy(tmp + coff, buf, len);
        ret = file_pwrite(bs, (uint64_t)noff + wlo, tmp + wlo, whi - wlo, errp);
    }
    if (ret < 0)
        return ret;
    uint32_t zero = m.zero & ~newalloc;
    ret = qcow2_set_entry(bs, l2_off, gc, (uint64_t)noff | QCOW2_OFLAG_COPIED,
                          ((uint64_t)zero << 32) | newalloc, errp);
    if (ret == 0)
        ret = qcow2_release_mapping(bs, &m, errp);
    return ret;
}

/* Stores guest cluster goff, whose compressed form is z (clen bytes);
 * clen == 0 means compression did not pay and raw (a whole cluster) is
 * written as it is. */
static int qcow2_store_compressed(BlockDev *bs, uint64_t goff, const uint8_t *raw, const uint8_t *z,
                                  int clen, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (clen < 0)
        return block_err(errp, clen, "%s: compression failed", bs->filename);
    if (clen == 0)
        return qcow2_write_in_cluster(bs, goff, raw, s->cluster_size, errp);
    uint64_t gc = goff >> s->cluster_bits;
    uint64_t l2_off;
    Qcow2Mapping m;
    int ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
    if (ret == 0)
        ret = qcow2_get_mapping(bs, goff, &m, errp);
    int64_t hoff = ret < 0 ? ret : qcow2_alloc_bytes(bs, (uint32_t)clen, errp);
    if (hoff < 0)
        return (int)hoff;
    ret = file_pwrite(bs, (uint64_t)hoff, z, (uint64_t)clen, errp);
    if (ret < 0)
        return ret;
    uint32_t x = 62 - (s->cluster_bits - 8);
    uint64_t nsec_extra = (((uint64_t)hoff + (uint64_t)clen - 1) >> 9) - ((uint64_t)hoff >> 9);
    uint64_t entry = QCOW2_OFLAG_COMPRESSED | (nsec_extra << x) | (uint64_t)hoff;
    ret = qcow2_set_entry(bs, l2_off, gc, entry, 0, errp);
    if (ret == 0)
        ret = qcow2_release_mapping(bs, &m, errp);
    return ret;
}

/* The last, partial cluster of an image: padded with zeroes. */
static int qcow2_write_compressed_tail(BlockDev *bs, uint64_t goff, const uint8_t *buf,
                                       uint32_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *full = calloc(1, s->cluster_size);
    if (!full)
        return block_err(errp, -ENOMEM, "Out of memory");
    memcpy(full, buf, len);
    int clen = qcow2_compress(s, full, s->cluster_size, s->zbuf, s->cluster_size - 1);
    int ret = qcow2_store_compressed(bs, goff, full, s->zbuf, clen, errp);
    free(full);
    return ret;
}

static bool qcow2_all_zero(const uint8_t *p, uint32_t n)
{
    return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

typedef struct CompressStore {
    BlockDev *bs;
    const uint8_t **in;
    const uint64_t *goff;
    char **errp;
} CompressStore;

static int qcow2_store_batch_item(void *opaque, uint32_t i, const uint8_t *z, int clen)
{
    CompressStore *cs = opaque;
    return qcow2_store_compressed(cs->bs, cs->goff[i], cs->in[i], z, clen, cs->errp);
}

/* Compresses the whole clusters of a request on several threads and stores
 * them in guest order, so that the file is laid out as a serial run would. */
static int qcow2_write_compressed(BlockDev *bs, uint64_t off, const uint8_t *p, uint64_t len,
                                  int flags, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    bool skip_zero = (flags & BLOCK_WRITE_SKIP_ZERO) && !bs->backing_file;
    uint64_t whole = len >> s->cluster_bits;
    uint32_t batch = (uint32_t)BLOCK_MIN(whole, (uint64_t)QCOW2_COMPRESS_BATCH);
    uint8_t *z = batch ? malloc((size_t)batch * s->cluster_size) : NULL;
    const uint8_t *in[QCOW2_COMPRESS_BATCH];
    uint64_t goff[QCOW2_COMPRESS_BATCH];
    int clen[QCOW2_COMPRESS_BATCH];
    if (batch && !z)
        return block_err(errp, -ENOMEM, "Out of memory");
    int ret = 0;
    while (whole && ret == 0) {
        uint32_t n = 0;
        for (; whole && n < batch; whole--) {
            if (!skip_zero || !qcow2_all_zero(p, s->cluster_size)) {
                in[n] = p;
                goff[n++] = off;
            }
            p += s->cluster_size;
            off += s->cluster_size;
            len -= s->cluster_size;
        }
        CompressStore st = {.bs = bs, .in = in, .goff = goff, .errp = errp};
        ret = qcow2_compress_batch(s, in, n, z, clen, qcow2_store_batch_item, &st);
    }
    free(z);
    if (ret == 0 && len && !(skip_zero && qcow2_all_zero(p, (uint32_t)len)))
        ret = qcow2_write_compressed_tail(bs, off, p, (uint32_t)len, errp);
    return ret;
}

/* Whole guest clusters starting at off that one request can cover: up to the
 * end of the L2 table of the first (so that one table is updated) and all of
 * one kind. RUN_FRESH clusters get new host clusters (unallocated, zero or
 * compressed before); RUN_IN_PLACE ones are fully allocated, owned by the
 * active L1 only and contiguous on the host. */
enum { QCOW2_RUN_NONE, QCOW2_RUN_FRESH, QCOW2_RUN_IN_PLACE };

static int qcow2_run_kind(Qcow2State *s, const Qcow2Mapping *m)
{
    if (m->type == QCOW2_CL_UNALLOC || m->type == QCOW2_CL_COMPRESSED)
        return QCOW2_RUN_FRESH;
    if (m->type == QCOW2_CL_NORMAL && m->copied && m->alloc == qcow2_all_sc(s) && !m->zero &&
        !(m->entry & QCOW2_OFLAG_ZERO))
        return QCOW2_RUN_IN_PLACE;
    return QCOW2_RUN_NONE;
}

/* Writes a run of at least two whole clusters with one allocation, one
 * pwrite and one pass over their L2 table, as the format allows for clusters
 * that are contiguous both in the guest and on the host. *done is 0 when the
 * clusters at off do not form such a run (the caller then goes cluster by
 * cluster). */
static int qcow2_write_run(BlockDev *bs, uint64_t off, const uint8_t *p, uint64_t len,
                           uint64_t *done, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = off >> s->cluster_bits;
    uint64_t per_l2 = 1ULL << s->l2_bits;
    uint64_t idx = gc & (per_l2 - 1);
    uint64_t max = BLOCK_MIN(len >> s->cluster_bits, per_l2 - idx);
    *done = 0;
    if (max < 2)
        return 0;
    Qcow2Mapping first;
    int ret = qcow2_get_mapping(bs, off, &first, errp);
    if (ret < 0)
        return ret;
    int kind = qcow2_run_kind(s, &first);
    if (kind == QCOW2_RUN_NONE)
        return 0;
    uint64_t n = 1;
    bool any_compressed = first.type == QCOW2_CL_COMPRESSED;
    while (n < max) {
        Qcow2Mapping m;
        ret = qcow2_get_mapping(bs, off + (n << s->cluster_bits), &m, errp);
        if (ret < 0)
            return ret;
        if (qcow2_run_kind(s, &m) != kind ||
            (kind == QCOW2_RUN_IN_PLACE && m.host != first.host + (n << s->cluster_bits)))
            break;
        any_compressed |= m.type == QCOW2_CL_COMPRESSED;
        n++;
    }
    if (n < 2)
        return 0;
    uint64_t bytes = n << s->cluster_bits;
    if (kind == QCOW2_RUN_IN_PLACE) {
        ret = file_pwrite(bs, first.host, p, bytes, errp);
        if (ret == 0)
            *done = bytes;
        return ret;
    }
    uint64_t l2_off;
    ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
    if (ret < 0)
        return ret;
    /* Compressed clusters being replaced are freed once the new entries are
     * in place: remember where they were. */
    uint64_t *old = NULL;
    if (any_compressed) {
        old = malloc(n * sizeof(*old));
        if (!old)
            return block_err(errp, -ENOMEM, "Out of memory");
        for (uint64_t i = 0; i < n && ret == 0; i++) {
            Qcow2Mapping m;
            ret = qcow2_get_mapping(bs, off + (i << s->cluster_bits), &m, errp);
            old[i] = m.type == QCOW2_CL_COMPRESSED ? m.entry : 0;
        }
    }
    int64_t noff = ret < 0 ? ret : qcow2_alloc_clusters(bs, n, errp);
    if (noff < 0)
        ret = (int)noff;
    if (ret == 0)
        ret = file_pwrite(bs, (uint64_t)noff, p, bytes, errp);
    uint8_t *l2 = NULL;
    if (ret == 0)
        ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
    if (ret == 0) {
        uint64_t bitmap = s->ext_l2 ? qcow2_all_sc(s) : 0;
        for (uint64_t i = 0; i < n; i++)
            qcow2_l2_write_entry(s, l2, idx + i,
                                 ((uint64_t)noff + (i << s->cluster_bits)) | QCOW2_OFLAG_COPIED,
                                 bitmap);
    }
    for (uint64_t i = 0; old && i < n && ret == 0; i++) {
        if (!old[i])
            continue;
        Qcow2Mapping m;
        qcow2_decode_entry(s, old[i], 0, &m);
        if (s->cbuf_entry == old[i])
            s->cbuf_entry = 0;
        ret = qcow2_release_mapping(bs, &m, errp);
    }
    free(old);
    if (ret == 0)
        *done = bytes;
    return ret;
}

int qcow2_data_write(BlockDev *bs, uint64_t off, const void *buf, uint64_t len, int flags,
                     char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    const uint8_t *p = buf;
    if (flags & BLOCK_WRITE_COMPRESSED) {
        if (qcow2_offset_into_cluster(s, off) ||
            (qcow2_offset_into_cluster(s, len) && off + len != bs->size))
            return block_err(errp, -EINVAL,
                             "%s: compressed writes must cover whole clusters (%u bytes)",
                             bs->filename, s->cluster_size);
    }
    int ret = qcow2_bitmaps_before_write(bs, off, len, errp);
    if (ret == 0)
        ret = qcow2_mark_dirty(bs, errp);
    if (ret < 0)
        return ret;
    if (flags & BLOCK_WRITE_COMPRESSED) {
        ret = qcow2_write_compressed(bs, off, p, len, flags, errp);
        len = 0;
    }
    while (len) {
        uint64_t coff = qcow2_offset_into_cluster(s, off);
        if (coff == 0 && len >= 2ULL * s->cluster_size) {
            uint64_t done;
            ret = qcow2_write_run(bs, off, p, len, &done, errp);
            if (ret < 0)
                break;
            if (done) {
                p += done;
                off += done;
                len -= done;
                continue;
            }
        }
        uint32_t n = (uint32_t)BLOCK_MIN(len, s->cluster_size - coff);
        ret = qcow2_write_in_cluster(bs, off, p, n, errp);
        if (ret < 0)
            break;
        p += n;
        off += n;
        len -= n;
    }
    int fret = qcow2_process_frees(bs, ret < 0 ? NULL : errp);
    return ret < 0 ? ret : fret;
}

static bool qcow2_unalloc_reads_zero(BlockDev *bs)
{
    return bs->backing_file == NULL;
}

/* Makes one whole guest cluster read as zeroes (or, for discard on an image
 * with a backing file in v2, unallocated). */
static int qcow2_zero_cluster(BlockDev *bs, uint64_t goff, bool unmap, bool discard, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = goff >> s->cluster_bits;
    Qcow2Mapping m;
    int ret = qcow2_get_mapping(bs, goff, &m, errp);
    if (ret < 0)
        return ret;
    bool zero_reads = qcow2_unalloc_reads_zero(bs);
    if (m.type == QCOW2_CL_UNALLOC && (zero_reads || m.zero == qcow2_all_sc(s)))
        return 0;
    bool can_zero_flag = s->version >= 3;
    if (!can_zero_flag && !discard && !zero_reads)
        return 1; /* caller writes zero data */
    uint64_t l2_off;
    ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
    if (ret < 0)
        return ret;
    ret = qcow2_get_mapping(bs, goff, &m, errp);
    if (ret < 0)
        return ret;
    bool shared = true;
    if (m.type == QCOW2_CL_NORMAL && !qcow2_cluster_is_shared(bs, &m, &shared, errp, &ret))
        return ret;
    bool keep = m.type == QCOW2_CL_NORMAL && !shared && !unmap;
    uint64_t entry = 0, bitmap = 0;
    if (keep) {
        entry = m.host | QCOW2_OFLAG_COPIED;
        if (s->ext_l2)
            bitmap = (uint64_t)qcow2_all_sc(s) << 32;
        else
            entry |= QCOW2_OFLAG_ZERO;
    } else if (!zero_reads || !discard) {
        if (s->ext_l2)
            bitmap = (uint64_t)qcow2_all_sc(s) << 32;
        else if (can_zero_flag && !zero_reads)
            entry = QCOW2_OFLAG_ZERO;
        else if (can_zero_flag && !discard)
            entry = QCOW2_OFLAG_ZERO;
    }
    if (entry == m.entry && bitmap == m.bitmap)
        return 0;
    ret = qcow2_set_entry(bs, l2_off, gc, entry, bitmap, errp);
    if (ret == 0 && !keep)
        ret = qcow2_release_mapping(bs, &m, errp);
    return ret;
}

/* Extended L2: mark whole subclusters [first, last] as zero. */
static int qcow2_zero_subclusters(BlockDev *bs, uint64_t goff, uint32_t mask, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = goff >> s->cluster_bits;
    Qcow2Mapping m;
    int ret = qcow2_get_mapping(bs, goff, &m, errp);
    if (ret < 0)
        return ret;
    if (m.type == QCOW2_CL_COMPRESSED)
        return 1;
    bool shared = false;
    if (m.type == QCOW2_CL_NORMAL && (m.alloc & mask) &&
        !qcow2_cluster_is_shared(bs, &m, &shared, errp, &ret))
        return ret;
    if (shared)
        return 1;
    uint64_t l2_off;
    ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
    if (ret < 0)
        return ret;
    uint32_t alloc = m.alloc & ~mask, zero = m.zero | mask;
    return qcow2_set_entry(bs, l2_off, gc, m.entry, ((uint64_t)zero << 32) | alloc, errp);
}

int qcow2_data_zero(BlockDev *bs, uint64_t off, uint64_t len, int flags, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = qcow2_bitmaps_before_write(bs, off, len, errp);
    if (ret == 0)
        ret = qcow2_mark_dirty(bs, errp);
    if (ret < 0)
        return ret;
    uint8_t *zeros = NULL;
    while (len) {
        uint64_t coff = qcow2_offset_into_cluster(s, off);
        uint32_t n = (uint32_t)BLOCK_MIN(len, s->cluster_size - coff);
        ret = 1;
        if (coff == 0 && (n == s->cluster_size || off + n == bs->size)) {
            ret = qcow2_zero_cluster(bs, off, (flags & BLOCK_ZERO_MAY_UNMAP) != 0, false, errp);
        } else if (s->ext_l2 && coff % s->sc_size == 0 &&
                   (n % s->sc_size == 0 || off + n == bs->size)) {
            uint32_t first = (uint32_t)(coff / s->sc_size);
            uint32_t last = (uint32_t)((coff + n - 1) / s->sc_size);
            uint32_t mask = (uint32_t)(((2ULL << last) - 1) & ~((1ULL << first) - 1));
            ret = qcow2_zero_subclusters(bs, off, mask, errp);
        }
        if (ret == 1) {
            if (!zeros && !(zeros = calloc(1, s->cluster_size)))
                return block_err(errp, -ENOMEM, "Out of memory");
            ret = qcow2_write_in_cluster(bs, off, zeros, n, errp);
        }
        if (ret < 0)
            break;
        off += n;
        len -= n;
    }
    free(zeros);
    int fret = qcow2_process_frees(bs, ret < 0 ? NULL : errp);
    return ret < 0 ? ret : fret;
}

int qcow2_data_discard(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = qcow2_bitmaps_before_write(bs, off, len, errp);
    if (ret == 0)
        ret = qcow2_mark_dirty(bs, errp);
    if (ret < 0)
        return ret;
    /* Only whole clusters can be given back; the rest is ignored. */
    uint64_t start = BLOCK_ALIGN_UP(off, s->cluster_size);
    uint64_t end = off + len == bs->size ? off + len : BLOCK_ALIGN_DOWN(off + len, s->cluster_size);
    for (uint64_t o = start; o < end && ret >= 0; o += s->cluster_size)
        ret = qcow2_zero_cluster(bs, o, true, true, errp);
    int fret = qcow2_process_frees(bs, ret < 0 ? NULL : errp);
    return ret < 0 ? ret : fret;
}

int qcow2_data_status(BlockDev *bs, uint64_t off, uint64_t len, BlockStatus *st, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t pos = off, end = off + len;
    unsigned flags = 0;
    uint64_t host = 0;
    bool first = true;
    while (pos < end) {
        Qcow2Mapping m;
        int ret = qcow2_get_mapping(bs, pos, &m, errp);
        if (ret < 0)
            return ret;
        uint64_t coff = qcow2_offset_into_cluster(s, pos);
        uint32_t sc = (uint32_t)(coff / s->sc_size);
        uint64_t step = BLOCK_MIN(end - pos, (uint64_t)(sc + 1) * s->sc_size - coff);
        uint64_t l1i = pos >> (s->cluster_bits + s->l2_bits);
        if (l1i >= s->l1_size || !(s->l1[l1i] & QCOW2_OFFSET_MASK)) {
            /* No L2 table: the whole span it would map is unallocated. */
            uint64_t span_end = (l1i + 1) << (s->cluster_bits + s->l2_bits);
            step = BLOCK_MIN(end, span_end) - pos;
        }
        unsigned f;
        uint64_t h = 0;
        if (m.type == QCOW2_CL_COMPRESSED) {
            f = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_COMPRESSED;
        } else if (m.alloc & (1u << sc)) {
            f = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_OFFSET_VALID;
            h = m.host + coff;
        } else if (m.zero & (1u << sc)) {
            f = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_ZERO;
            if (m.host) {
                f |= BLOCK_STATUS_OFFSET_VALID;
                h = m.host + coff;
            }
        } else {
            f = bs->backing ? 0 : BLOCK_STATUS_ZERO;
            if (m.type == QCOW2_CL_NORMAL) {
                /* Unallocated subcluster of an allocated cluster: qemu
                 * still reports where it would live. */
                f |= BLOCK_STATUS_OFFSET_VALID;
                h = m.host + coff;
            }
        }
        if (first) {
            flags = f;
            host = h;
            first = false;
        } else if (f != flags || ((f & BLOCK_STATUS_OFFSET_VALID) && h != host + (pos - off)) ||
                   (f & BLOCK_STATUS_COMPRESSED)) {
            break;
        }
        pos += step;
    }
    st->flags = flags;
    st->host_offset = host;
    st->length = pos - off;
    if ((flags & BLOCK_STATUS_DATA) && (flags & BLOCK_STATUS_OFFSET_VALID)) {
        /* Like qemu: data clusters over holes of the file read as zeroes. */
        bool hole;
        uint64_t n;
        if (file_hole_status(bs, host, st->length, &hole, &n) == 0 && n > 0) {
            st->length = n;
            if (hole)
                st->flags |= BLOCK_STATUS_ZERO;
        }
    }
    return 0;
}

int qcow2_preallocate(BlockDev *bs, uint64_t from, uint64_t to, BlockPrealloc mode, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (mode == BLOCK_PREALLOC_OFF || from >= to)
        return 0;
    uint64_t gc = from >> s->cluster_bits, gend = qcow2_size_to_clusters(s, to);
    uint64_t l2n = 1ULL << s->l2_bits;
    uint64_t max_host = 0;
    while (gc < gend) {
        uint64_t tend = BLOCK_MIN(gend, (gc | (l2n - 1)) + 1);
        uint64_t l2_off;
        int ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
        if (ret < 0)
            return ret;
        uint64_t need = 0;
        for (uint64_t c = gc; c < tend; c++) {
            Qcow2Mapping m;
            ret = qcow2_get_mapping(bs, c << s->cluster_bits, &m, errp);
            if (ret < 0)
                return ret;
            if (m.type == QCOW2_CL_UNALLOC)
                need++;
        }
        int64_t base = need ? qcow2_alloc_clusters(bs, need, errp) : 0;
        if (base < 0)
            return (int)base;
        uint64_t k = 0;
        for (uint64_t c = gc; c < tend; c++) {
            Qcow2Mapping m;
            ret = qcow2_get_mapping(bs, c << s->cluster_bits, &m, errp);
            if (ret < 0)
                return ret;
            if (m.type != QCOW2_CL_UNALLOC)
                continue;
            uint64_t h = (uint64_t)base + (k++ << s->cluster_bits);
            /* Reads must stay zero: mark it a preallocated zero cluster where
             * the format can say so. */
            uint64_t entry = h | QCOW2_OFLAG_COPIED, bitmap = 0;
            if (s->ext_l2)
                bitmap = (uint64_t)qcow2_all_sc(s) << 32;
            else if (s->version >= 3 && bs->backing_file)
                entry |= QCOW2_OFLAG_ZERO;
            ret = qcow2_set_entry(bs, l2_off, c, entry, bitmap, errp);
            if (ret < 0)
                return ret;
            max_host = BLOCK_MAX(max_host, h + s->cluster_size);
        }
        gc = tend;
    }
    int ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    int64_t flen = file_length(bs, errp);
    if (flen < 0)
        return (int)flen;
    if (max_host > (uint64_t)flen) {
        BlockPrealloc fmode = mode == BLOCK_PREALLOC_METADATA ? BLOCK_PREALLOC_OFF : mode;
        ret = file_truncate(bs, max_host, fmode, errp);
    }
    return ret;
}

int qcow2_discard_tail(BlockDev *bs, uint64_t from, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t gc = qcow2_size_to_clusters(s, from);
    uint64_t total = (uint64_t)s->l1_size << s->l2_bits;
    for (; gc < total; gc++) {
        uint64_t l1i = gc >> s->l2_bits;
        if (!(s->l1[l1i] & QCOW2_OFFSET_MASK)) {
            gc = ((l1i + 1) << s->l2_bits) - 1;
            continue;
        }
        Qcow2Mapping m;
        int ret = qcow2_get_mapping(bs, gc << s->cluster_bits, &m, errp);
        if (ret < 0)
            return ret;
        if (m.entry == 0 && m.bitmap == 0)
            continue;
        uint64_t l2_off;
        ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
        if (ret == 0)
            ret = qcow2_set_entry(bs, l2_off, gc, 0, 0, errp);
        if (ret == 0)
            ret = qcow2_release_mapping(bs, &m, errp);
        if (ret < 0)
            return ret;
    }
    return qcow2_process_frees(bs, errp);
}

int qcow2_expand_zero_clusters(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t total = (uint64_t)s->l1_size << s->l2_bits;
    uint8_t *zeros = calloc(1, s->cluster_size);
    if (!zeros)
        return block_err(errp, -ENOMEM, "Out of memory");
    int ret = 0;
    for (uint64_t gc = 0; gc < total && ret == 0; gc++) {
        uint64_t l1i = gc >> s->l2_bits;
        if (!(s->l1[l1i] & QCOW2_OFFSET_MASK)) {
            gc = ((l1i + 1) << s->l2_bits) - 1;
            continue;
        }
        Qcow2Mapping m;
        ret = qcow2_get_mapping(bs, gc << s->cluster_bits, &m, errp);
        if (ret < 0 || !(m.entry & QCOW2_OFLAG_ZERO) || m.type == QCOW2_CL_COMPRESSED)
            continue;
        uint64_t l2_off;
        ret = qcow2_l2_for_write(bs, gc, &l2_off, errp);
        if (ret < 0)
            break;
        if (m.type == QCOW2_CL_NORMAL && m.copied) {
            ret = file_pwrite(bs, m.host, zeros, s->cluster_size, errp);
            if (ret == 0)
                ret = qcow2_set_entry(bs, l2_off, gc, m.host | QCOW2_OFLAG_COPIED, 0, errp);
            continue;
        }
        uint64_t entry = 0;
        if (bs->backing_file) {
            int64_t h = qcow2_alloc_clusters(bs, 1, errp);
            if (h < 0) {
                ret = (int)h;
                break;
            }
            ret = file_pwrite(bs, (uint64_t)h, zeros, s->cluster_size, errp);
            entry = (uint64_t)h | QCOW2_OFLAG_COPIED;
        }
        if (ret == 0)
            ret = qcow2_set_entry(bs, l2_off, gc, entry, 0, errp);
        if (ret == 0)
            ret = qcow2_release_mapping(bs, &m, errp);
    }
    free(zeros);
    int fret = qcow2_process_frees(bs, ret < 0 ? NULL : errp);
    return ret < 0 ? ret : fret;
}
