/* qcow2 driver: header and extensions (parse, validate, rewrite), open and
 * create, flush/close ordering, info, resize, backing file and amend. The
 * cluster, refcount, snapshot and check logic live in the qcow2-*.c files. */
#include "block/qcow2.h"

#include <fcntl.h>
#include <unistd.h>

static const struct {
    uint8_t type, bit;
    const char *name;
} qcow2_feature_names[] = {
    {0, 0, "dirty bit"},        {0, 1, "corrupt bit"},         {0, 2, "external data file"},
    {0, 3, "compression type"}, {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"},
    {2, 0, "bitmaps"},          {2, 1, "raw external data"},
};
#define QCOW2_NB_FEATURES (sizeof(qcow2_feature_names) / sizeof(qcow2_feature_names[0]))

static int qcow2_probe(const uint8_t *buf, size_t len)
{
    return (len >= 8 && be32_load(buf) == QCOW2_MAGIC && be32_load(buf + 4) >= 2) ? 100 : 0;
}

int qcow2_mark_corrupt(BlockDev *bs, const char *why)
{
    /* Never write to an image found to be bad: stop writing to it instead. */
    bs->read_only = true;
    return 0;
}

int qcow2_validate_table(BlockDev *bs, uint64_t off, uint64_t entries, uint64_t entry_size,
                         uint64_t max_bytes, const char *what, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (entries > max_bytes / entry_size)
        return block_err(errp, -EFBIG, "%s: %s too large", bs->filename, what);
    if (entries == 0)
        return 0;
    if (qcow2_offset_into_cluster(s, off))
        return block_err(errp, -EINVAL, "%s: %s offset invalid (not cluster aligned)", bs->filename,
                         what);
    if (off < s->cluster_size)
        return block_err(errp, -EINVAL, "%s: %s overlaps the image header", bs->filename, what);
    int64_t flen = file_length(bs, errp);
    if (flen < 0)
        return (int)flen;
    if (off > (uint64_t)flen || entries * entry_size > (uint64_t)flen - off)
        return block_err(errp, -EINVAL, "%s: %s lies beyond the end of the file", bs->filename,
                         what);
    return 0;
}

static bool qcow2_ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static void qcow2_free_state(Qcow2State *s)
{
    if (!s)
        return;
    free(s->l1);
    free(s->rt);
    qcow2_snapshots_free(s);
    qcow2_bitmaps_free(s);
    for (int i = 0; i < s->nb_exts; i++)
        free(s->exts[i].data);
    free(s->exts);
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->rb_cache);
    free(s->cbuf);
    free(s->zbuf);
    free(s->wbuf);
    free(s->hdr_tail);
    free(s->pending_free);
    free(s);
}

static int qcow2_unsupported_feature(BlockDev *bs, const uint8_t *hdr, uint64_t unknown,
                                     const uint8_t *names, uint32_t names_len, char **errp)
{
    for (int bit = 0; bit < 64; bit++) {
        if (!(unknown & (1ULL << bit)))
            continue;
        for (uint32_t i = 0; names && i + 48 <= names_len; i += 48) {
            if (names[i] == 0 && names[i + 1] == bit)
                return block_err(errp, -ENOTSUP, "%s: Unsupported qcow2 feature(s): %.46s",
                                 bs->filename, (const char *)names + i + 2);
        }
        return block_err(errp, -ENOTSUP,
                         "%s: Unsupported qcow2 feature(s): Unknown incompatible feature: %llx",
                         bs->filename, (unsigned long long)(1ULL << bit));
    }
    return 0;
}

static int qcow2_read_extensions(BlockDev *bs, const uint8_t *hdr, uint32_t start, uint32_t end,
                                 const uint8_t **features, uint32_t *features_len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint32_t pos = start;
    while (pos + 8 <= end) {
        uint32_t type = be32_load(hdr + pos), len = be32_load(hdr + pos + 4);
        pos += 8;
        if (type == QCOW2_EXT_END)
            return 0;
        if (len > end - pos)
            return block_err(errp, -EINVAL, "%s: header extension %#x is truncated", bs->filename,
                             type);
        const uint8_t *d = hdr + pos;
        switch (type) {
        case QCOW2_EXT_BACKING_FMT:
            free(bs->backing_fmt);
            bs->backing_fmt = strndup((const char *)d, len);
            break;
        case QCOW2_EXT_FEATURES:
            *features = d;
            *features_len = len;
            break;
        case QCOW2_EXT_CRYPTO:
        case QCOW2_EXT_DATA_FILE: break;
        default: {
            /* Without the autoclear bit the extension is stale (a program
             * that did not know bitmaps wrote the image): kept verbatim. */
            if (type == QCOW2_EXT_BITMAPS && (s->autoclear & QCOW2_AUTOCLEAR_BITMAPS) &&
                !s->bitmaps_ext) {
                if (len < 24)
                    return block_err(errp, -EINVAL, "%s: bitmaps extension is truncated",
                                     bs->filename);
                s->nb_bitmaps = be32_load(d);
                s->bitmap_dir_size = be64_load(d + 8);
                s->bitmap_dir_offset = be64_load(d + 16);
                s->bitmaps_ext = true;
                break;
            }
            Qcow2Ext *n = realloc(s->exts, sizeof(*n) * (size_t)(s->nb_exts + 1));
            if (!n)
                return block_err(errp, -ENOMEM, "Out of memory");
            s->exts = n;
            n[s->nb_exts].type = type;
            n[s->nb_exts].len = len;
            n[s->nb_exts].data = malloc(len ? len : 1);
            if (!n[s->nb_exts].data)
                return block_err(errp, -ENOMEM, "Out of memory");
            memcpy(n[s->nb_exts].data, d, len);
            s->nb_exts++;
            break;
        }
        }
        pos += (len + 7) & ~7u;
    }
    return 0;
}

static int qcow2_open(BlockDev *bs, char **errp)
{
    Qcow2State *s = calloc(1, sizeof(*s));
    if (!s)
        return block_err(errp, -ENOMEM, "Out of memory");
    bs->opaque = s;
    uint8_t *hdr = NULL;
    int ret = 0;
    int64_t flen = file_length(bs, errp);
    if (flen < 0) {
        ret = (int)flen;
        goto fail;
    }
    uint8_t h[QCOW2_V3_HEADER];
    if (flen < QCOW2_V2_HEADER) {
        ret = block_err(errp, -EINVAL, "%s: image is not in qcow2 format (truncated header)",
                        bs->filename);
        goto fail;
    }
    ret = file_pread(bs, 0, h, sizeof(h), errp);
    if (ret < 0)
        goto fail;
    if (be32_load(h) != QCOW2_MAGIC) {
        ret = block_err(errp, -EINVAL, "%s: image is not in qcow2 format", bs->filename);
        goto fail;
    }
    s->version = be32_load(h + 4);
    if (s->version != 2 && s->version != 3) {
        ret =
            block_err(errp, -ENOTSUP, "%s: unsupported qcow2 version %u", bs->filename, s->version);
        goto fail;
    }
    s->cluster_bits = be32_load(h + 20);
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS || s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        ret = block_err(errp, -EINVAL, "%s: unsupported cluster size: 2^%u", bs->filename,
                        s->cluster_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    bs->cluster_size = s->cluster_size;
    if (s->version == 3) {
        if (flen < QCOW2_V3_HEADER) {
            ret = block_err(errp, -EINVAL, "%s: qcow2 header is truncated", bs->filename);
            goto fail;
        }
        s->incompat = be64_load(h + 72);
        s->compat = be64_load(h + 80);
        s->autoclear = be64_load(h + 88);
        s->refcount_order = be32_load(h + 96);
        s->header_length = be32_load(h + 100);
        if (s->header_length < QCOW2_V3_HEADER || s->header_length > s->cluster_size ||
            (s->header_length & 7)) {
            ret = block_err(errp, -EINVAL, "%s: qcow2 header length %u is invalid", bs->filename,
                            s->header_length);
            goto fail;
        }
    } else {
        s->refcount_order = 4;
        s->header_length = QCOW2_V2_HEADER;
    }
    hdr = calloc(1, s->cluster_size);
    if (!hdr) {
        ret = block_err(errp, -ENOMEM, "Out of memory");
        goto fail;
    }
    ret = file_pread(bs, 0, hdr, s->cluster_size, errp);
    if (ret < 0)
        goto fail;
    if (s->header_length > 104)
        s->compression_type = hdr[104];
    if (s->header_length > 104) {
        /* Later header fields we do not know are kept when rewriting. */
        s->hdr_tail = malloc(s->header_length - 104);
        if (!s->hdr_tail) {
            ret = block_err(errp, -ENOMEM, "Out of memory");
            goto fail;
        }
        memcpy(s->hdr_tail, hdr + 104, s->header_length - 104);
    }
    const uint8_t *features = NULL;
    uint32_t features_len = 0;
    uint64_t bf_off = be64_load(hdr + 8);
    uint32_t bf_len = be32_load(hdr + 16);
    uint32_t ext_end = bf_off && bf_off < s->cluster_size ? (uint32_t)bf_off : s->cluster_size;
    ret = qcow2_read_extensions(bs, hdr, s->header_length, ext_end, &features, &features_len, errp);
    if (ret < 0)
        goto fail;
    ret = qcow2_unsupported_feature(bs, hdr, s->incompat & ~QCOW2_INCOMPAT_KNOWN, features,
                                    features_len, errp);
    if (ret < 0)
        goto fail;
    if (s->incompat & QCOW2_INCOMPAT_DATA_FILE) {
        ret = block_err(errp, -ENOTSUP, "%s: Unsupported qcow2 feature(s): external data file",
                        bs->filename);
        goto fail;
    }
    uint32_t crypt = be32_load(hdr + 32);
    if (crypt) {
        ret = block_err(errp, -ENOTSUP,
                        "%s: image uses encryption (crypt_method %u: %s), which is not supported",
                        bs->filename, crypt,
                        crypt == 1   ? "AES"
                        : crypt == 2 ? "LUKS"
                                     : "unknown");
        goto fail;
    }
    if (s->refcount_order > 6) {
        ret = block_err(errp, -EINVAL, "%s: refcount width 2^%u bits is invalid", bs->filename,
                        s->refcount_order);
        goto fail;
    }
    s->refcount_bits = 1u << s->refcount_order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX : (1ULL << s->refcount_bits) - 1;
    s->rb_bits = s->cluster_bits + 3 - s->refcount_order;
    if ((s->incompat & QCOW2_INCOMPAT_COMPRESSION) ? s->compression_type != 1
                                                   : s->compression_type != 0) {
        ret = block_err(errp, -EINVAL, "%s: invalid compression type %u", bs->filename,
                        s->compression_type);
        goto fail;
    }
    s->ext_l2 = (s->incompat & QCOW2_INCOMPAT_EXTL2) != 0;
    if (s->ext_l2 && s->cluster_bits < 14) {
        ret = block_err(errp, -EINVAL,
                        "%s: extended L2 entries need clusters of at least 16384 bytes",
                        bs->filename);
        goto fail;
    }
    s->l2_entry_size = s->ext_l2 ? 16 : 8;
    s->l2_bits = s->cluster_bits - (s->ext_l2 ? 4 : 3);
    s->nb_sc = s->ext_l2 ? 32 : 1;
    s->sc_size = s->cluster_size / s->nb_sc;

    bs->size = be64_load(hdr + 24);
    s->l1_size = be32_load(hdr + 36);
    s->l1_offset = be64_load(hdr + 40);
    s->rt_offset = be64_load(hdr + 48);
    s->rt_clusters = be32_load(hdr + 56);
    s->nb_snapshots = be32_load(hdr + 60);
    s->snapshots_offset = be64_load(hdr + 64);

    if (bs->size > (1ULL << 61)) {
        ret = block_err(errp, -EFBIG, "%s: image size %" PRIu64 " is too big", bs->filename,
                        bs->size);
        goto fail;
    }
    uint64_t l2_span = (uint64_t)s->cluster_size << s->l2_bits;
    uint64_t l1_needed = (bs->size + l2_span - 1) / l2_span;
    ret = qcow2_validate_table(bs, s->l1_offset, s->l1_size, 8, QCOW2_MAX_L1_BYTES,
                               "Active L1 table", errp);
    if (ret < 0)
        goto fail;
    if (s->l1_size < l1_needed) {
        ret =
            block_err(errp, -EINVAL, "%s: L1 table is too small for the image size", bs->filename);
        goto fail;
    }
    if (s->rt_clusters == 0) {
        ret = block_err(errp, -EINVAL, "%s: image has no refcount table", bs->filename);
        goto fail;
    }
    ret = qcow2_refcount_init(bs, errp);
    if (ret < 0)
        goto fail;
    uint64_t rt_bytes = (uint64_t)s->rt_clusters * s->cluster_size;
    uint64_t l1_bytes = (uint64_t)s->l1_size * 8;
    if (qcow2_ranges_overlap(s->l1_offset, l1_bytes, s->rt_offset, rt_bytes)) {
        ret = block_err(errp, -EINVAL, "%s: L1 table overlaps the refcount table", bs->filename);
        goto fail;
    }
    for (uint64_t i = 0; i < s->rt_size; i++) {
        uint64_t rb = s->rt[i] & ~0x1ffULL;
        if (!rb)
            continue;
        if (qcow2_offset_into_cluster(s, rb) || rb + s->cluster_size > (uint64_t)flen ||
            rb < s->cluster_size ||
            qcow2_ranges_overlap(rb, s->cluster_size, s->rt_offset, rt_bytes) ||
            qcow2_ranges_overlap(rb, s->cluster_size, s->l1_offset, l1_bytes)) {
            ret = block_err(errp, -EINVAL,
                            "%s: refcount block %" PRIu64 " has an invalid offset %#" PRIx64,
                            bs->filename, i, rb);
            goto fail;
        }
    }
    s->l1 = calloc(s->l1_size ? s->l1_size : 1, 8);
    if (!s->l1) {
        ret = block_err(errp, -ENOMEM, "Out of memory");
        goto fail;
    }
    ret = file_pread(bs, s->l1_offset, s->l1, l1_bytes, errp);
    if (ret < 0)
        goto fail;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        s->l1[i] = be64_load(&s->l1[i]);
        uint64_t l2 = s->l1[i] & QCOW2_OFFSET_MASK;
        if (l2 && (qcow2_offset_into_cluster(s, l2) || l2 < s->cluster_size ||
                   l2 + s->cluster_size > (uint64_t)flen)) {
            ret = block_err(errp, -EINVAL, "%s: L1 entry %u has an invalid L2 offset %#" PRIx64,
                            bs->filename, i, l2);
            goto fail;
        }
    }
    if (bf_off) {
        if (bf_len > QCOW2_MAX_BACKING_NAME || bf_off >= s->cluster_size ||
            bf_off + bf_len > s->cluster_size) {
            ret = block_err(errp, -EINVAL, "%s: backing file name is invalid", bs->filename);
            goto fail;
        }
        bs->backing_file = strndup((const char *)hdr + bf_off, bf_len);
    } else {
        free(bs->backing_fmt);
        bs->backing_fmt = NULL;
    }
    ret = qcow2_snapshots_load(bs, errp);
    if (ret < 0)
        goto fail;
    ret = qcow2_bitmaps_load(bs, errp);
    if (ret < 0)
        goto fail;

    /* 1 MiB of L2 tables (8 GiB mapped at 64 KiB clusters), at least 4. */
    int l2n = (int)BLOCK_MAX(4u, (1u << 20) / s->cluster_size);
    int rbn = (int)BLOCK_MAX(4u, (256u << 10) / s->cluster_size);
    if (qcow2_cache_init(&s->l2_cache, l2n, s->cluster_size, true) < 0 ||
        qcow2_cache_init(&s->rb_cache, rbn, s->cluster_size, false) < 0 ||
        !(s->cbuf = malloc(s->cluster_size)) || !(s->zbuf = malloc(2 * s->cluster_size)) ||
        !(s->wbuf = malloc(s->cluster_size))) {
        ret = block_err(errp, -ENOMEM, "Out of memory");
        goto fail;
    }
    free(hdr);
    hdr = NULL;

    if (!bs->read_only) {
        if ((s->incompat & QCOW2_INCOMPAT_CORRUPT) && !(bs->flags & BLOCK_O_CHECK)) {
            ret = block_err(errp, -EACCES,
                            "%s: image is corrupt (corrupt bit set); cannot be opened "
                            "read/write (repair it with check -r all)",
                            bs->filename);
            goto fail;
        }
        bool rewrite = false;
        if (s->autoclear & ~QCOW2_AUTOCLEAR_KNOWN) {
            s->autoclear &= QCOW2_AUTOCLEAR_KNOWN;
            rewrite = true;
        }
        if ((s->incompat & QCOW2_INCOMPAT_DIRTY) && !(bs->flags & BLOCK_O_CHECK)) {
            BlockCheckResult res;
            memset(&res, 0, sizeof(res));
            ret = qcow2_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, errp);
            block_check_result_clear(&res);
            if (ret < 0)
                goto fail;
            ret = qcow2_flush_all(bs, errp);
            if (ret < 0)
                goto fail;
            s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
            rewrite = true;
        }
        if (rewrite && (ret = qcow2_write_header(bs, errp)) < 0)
            goto fail;
    }
    return 0;
fail:
    free(hdr);
    qcow2_free_state(s);
    bs->opaque = NULL;
    return ret < 0 ? ret : -EINVAL;
}

int qcow2_flush_all(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = qcow2_process_frees(bs, errp);
    if (ret == 0)
        ret = qcow2_cache_flush(bs, &s->rb_cache, errp);
    if (ret == 0)
        ret = qcow2_cache_flush(bs, &s->l2_cache, errp);
    if (ret == 0)
        ret = file_flush(bs, errp);
    return ret;
}

static int qcow2_flush(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->dirty_set) {
        /* Lazy refcounts: the dirty bit covers refcount blocks not written. */
        int ret = qcow2_cache_flush(bs, &s->l2_cache, errp);
        return ret < 0 ? ret : file_flush(bs, errp);
    }
    return qcow2_flush_all(bs, errp);
}

static void qcow2_close(BlockDev *bs)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s)
        return;
    /* Bitmaps first: storing them allocates clusters, which the dirty bit
     * (lazy refcounts) must still cover. */
    if (!bs->read_only)
        qcow2_bitmaps_close(bs, NULL);
    if (!bs->read_only && s->dirty_set && qcow2_flush_all(bs, NULL) == 0) {
        uint8_t buf[8];
        s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
        be64_store(buf, s->incompat);
        if (file_pwrite(bs, 72, buf, 8, NULL) == 0)
            file_flush(bs, NULL);
    }
    qcow2_free_state(s);
    bs->opaque = NULL;
}

int qcow2_mark_dirty(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->dirty_set || s->version < 3 || !(s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS))
        return 0;
    uint8_t buf[8];
    s->incompat |= QCOW2_INCOMPAT_DIRTY;
    be64_store(buf, s->incompat);
    int ret = file_pwrite(bs, 72, buf, 8, errp);
    if (ret == 0)
        ret = file_flush(bs, errp);
    if (ret == 0)
        s->dirty_set = true;
    return ret;
}

static void qcow2_put_ext(uint8_t *buf, uint32_t *pos, uint32_t type, const void *data,
                          uint32_t len)
{
    be32_store(buf + *pos, type);
    be32_store(buf + *pos + 4, len);
    memcpy(buf + *pos + 8, data, len);
    *pos += 8 + ((len + 7) & ~7u);
}

int qcow2_write_header(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint32_t cs = s->cluster_size;
    uint8_t *buf = calloc(1, cs + 64);
    if (!buf)
        return block_err(errp, -ENOMEM, "Out of memory");
    be32_store(buf, QCOW2_MAGIC);
    be32_store(buf + 4, s->version);
    be32_store(buf + 20, s->cluster_bits);
    be64_store(buf + 24, bs->size);
    be32_store(buf + 36, s->l1_size);
    be64_store(buf + 40, s->l1_offset);
    be64_store(buf + 48, s->rt_offset);
    be32_store(buf + 56, s->rt_clusters);
    be32_store(buf + 60, s->nb_snapshots);
    be64_store(buf + 64, s->snapshots_offset);
    uint32_t pos = QCOW2_V2_HEADER;
    if (s->version >= 3) {
        uint32_t old_len = s->hdr_tail ? s->header_length : 0;
        s->header_length = BLOCK_MAX(112u, old_len);
        if (old_len > 104)
            memcpy(buf + 104, s->hdr_tail, old_len - 104);
        be64_store(buf + 72, s->incompat);
        be64_store(buf + 80, s->compat);
        /* The bitmaps bit says the extension is up to date: only ours is. */
        if (s->bitmaps_ext && s->nb_bitmaps)
            s->autoclear |= QCOW2_AUTOCLEAR_BITMAPS;
        else
            s->autoclear &= ~QCOW2_AUTOCLEAR_BITMAPS;
        be64_store(buf + 88, s->autoclear);
        be32_store(buf + 96, s->refcount_order);
        be32_store(buf + 100, s->header_length);
        buf[104] = s->compression_type;
        pos = s->header_length;
    }
    /* Extensions are bounded by the cluster; check space before each. */
    uint32_t need = pos + 8;
    if (bs->backing_file && bs->backing_fmt)
        need += 8 + (((uint32_t)strlen(bs->backing_fmt) + 7) & ~7u);
    for (int i = 0; i < s->nb_exts; i++)
        need += 8 + ((s->exts[i].len + 7) & ~7u);
    bool bitmaps = s->bitmaps_ext && s->nb_bitmaps;
    if (bitmaps)
        need += 8 + 24;
    uint32_t bf_len = bs->backing_file ? (uint32_t)strlen(bs->backing_file) : 0;
    if (need + bf_len > cs || bf_len > QCOW2_MAX_BACKING_NAME) {
        free(buf);
        return block_err(errp, -ENOSPC,
                         "%s: header extensions and backing file name do not fit "
                         "in the first cluster",
                         bs->filename);
    }
    if (bs->backing_file && bs->backing_fmt)
        qcow2_put_ext(buf, &pos, QCOW2_EXT_BACKING_FMT, bs->backing_fmt,
                      (uint32_t)strlen(bs->backing_fmt));
    uint8_t table[QCOW2_NB_FEATURES * 48];
    memset(table, 0, sizeof(table));
    for (size_t i = 0; i < QCOW2_NB_FEATURES; i++) {
        table[i * 48] = qcow2_feature_names[i].type;
        table[i * 48 + 1] = qcow2_feature_names[i].bit;
        memcpy(table + i * 48 + 2, qcow2_feature_names[i].name,
               strlen(qcow2_feature_names[i].name));
    }
    /* The feature name table only helps error messages: small clusters
     * leave it out when it does not fit (qemu does the same). */
    bool features = need + 8 + sizeof(table) + bf_len <= cs;
    if (features)
        qcow2_put_ext(buf, &pos, QCOW2_EXT_FEATURES, table, sizeof(table));
    if (bitmaps) {
        uint8_t ext[24];
        memset(ext, 0, sizeof(ext));
        be32_store(ext, s->nb_bitmaps);
        be64_store(ext + 8, s->bitmap_dir_size);
        be64_store(ext + 16, s->bitmap_dir_offset);
        qcow2_put_ext(buf, &pos, QCOW2_EXT_BITMAPS, ext, sizeof(ext));
    }
    for (int i = 0; i < s->nb_exts; i++)
        qcow2_put_ext(buf, &pos, s->exts[i].type, s->exts[i].data, s->exts[i].len);
    pos += 8; /* end marker (zeroes) */
    if (bs->backing_file) {
        be64_store(buf + 8, pos);
        be32_store(buf + 16, bf_len);
        memcpy(buf + pos, bs->backing_file, bf_len);
        pos += bf_len;
    }
    /* Zero the rest of the cluster so stale names never look valid. */
    int ret = file_pwrite(bs, 0, buf, cs, errp);
    free(buf);
    if (ret == 0)
        ret = file_flush(bs, errp);
    return ret;
}

static int qcow2_parse_compat(const char *compat, uint32_t *version)
{
    if (!compat || !strcmp(compat, "1.1") || !strcmp(compat, "v3"))
        *version = 3;
    else if (!strcmp(compat, "0.10") || !strcmp(compat, "v2"))
        *version = 2;
    else
        return -EINVAL;
    return 0;
}

static int qcow2_create(const char *filename, uint64_t size, const BlockCreateOpts *o, char **errp)
{
    uint32_t cs = o->cluster_size ? o->cluster_size : 65536;
    uint32_t version;
    /* qemu keeps disk sizes in whole 512-byte sectors. */
    size = BLOCK_ALIGN_UP(size, 512);
    if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1)))
        return block_err(errp, -EINVAL,
                         "Cluster size must be a power of two between 512 and 2048k");
    if (qcow2_parse_compat(o->compat, &version) < 0)
        return block_err(errp, -EINVAL, "Invalid compatibility level: '%s'", o->compat);
    uint32_t rbits = o->refcount_bits ? o->refcount_bits : 16;
    if (rbits > 64 || (rbits & (rbits - 1)))
        return block_err(errp, -EINVAL,
                         "Refcount width must be a power of two and may not "
                         "exceed 64 bits");
    if (version < 3 && rbits != 16)
        return block_err(errp, -EINVAL,
                         "Different refcount widths than 16 bits require "
                         "compatibility level 1.1 or above (use compat=1.1 or "
                         "greater)");
    if (version < 3 && o->lazy_refcounts)
        return block_err(errp, -EINVAL,
                         "Lazy refcounts only supported with compatibility level "
                         "1.1 and above (use compat=1.1 or greater)");
    if (version < 3 && o->extended_l2)
        return block_err(errp, -EINVAL,
                         "Extended L2 entries are only supported with "
                         "compatibility level 1.1 and above (use compat=1.1 or "
                         "greater)");
    if (version < 3 && o->compression_type != BLOCK_COMPRESSION_ZLIB)
        return block_err(errp, -EINVAL,
                         "Non-zlib compression type is only supported with "
                         "compatibility level 1.1 and above (use compat=1.1 or "
                         "greater)");
    if (o->extended_l2 && cs < 16384)
        return block_err(errp, -EINVAL,
                         "Extended L2 entries are only supported with cluster "
                         "sizes of at least 16384 bytes");
    if (o->backing_fmt && !o->backing_file)
        return block_err(errp, -EINVAL, "Backing format cannot be used without backing file");
    if (o->backing_file && o->preallocation != BLOCK_PREALLOC_OFF && !o->extended_l2)
        return block_err(errp, -EINVAL,
                         "Backing file and preallocation can only be used at "
                         "the same time if extended_l2 is on");
    if (o->backing_file && strlen(o->backing_file) > QCOW2_MAX_BACKING_NAME)
        return block_err(errp, -EINVAL, "Backing file name too long");
    char fmt[16] = "";
    if (o->backing_file && !o->backing_fmt) {
        char *path = block_backing_path(filename, o->backing_file);
        int r = block_probe_format(path, fmt, sizeof(fmt), errp);
        free(path);
        if (r < 0)
            return r;
    }

    int fd = open(filename, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return block_err(errp, -errno, "Could not create '%s': %s", filename, strerror(errno));
    /* Bootstrap: header, a one-cluster refcount table and one refcount block
     * accounting for those three clusters; the rest goes through the driver. */
    uint8_t *buf = calloc(3, cs);
    if (!buf) {
        close(fd);
        return block_err(errp, -ENOMEM, "Out of memory");
    }
    uint32_t cbits = (uint32_t)__builtin_ctz(cs);
    uint32_t order = (uint32_t)__builtin_ctz(rbits);
    be32_store(buf, QCOW2_MAGIC);
    be32_store(buf + 4, version);
    be32_store(buf + 20, cbits);
    be64_store(buf + 48, cs);
    be32_store(buf + 56, 1);
    if (version >= 3) {
        be32_store(buf + 96, order);
        be32_store(buf + 100, 112);
    }
    be64_store(buf + cs, 2ULL * cs);
    Qcow2State tmp = {.refcount_order = order, .refcount_bits = rbits};
    for (int i = 0; i < 3; i++)
        qcow2_rc_store(&tmp, buf + 2 * cs, (uint64_t)i, 1);
    /* The refcount table and block first, the header (with the magic) last:
     * a process killed part-way (a fatal signal can cut a write short) leaves
     * a file that is not yet a qcow2 image, never a header whose refcount
     * structures are missing. */
    errno = 0;
    ssize_t w = pwrite(fd, buf + cs, 2ULL * cs, cs);
    int err = w == (ssize_t)(2ULL * cs) ? 0 : errno ? errno : EIO;
    if (!err) {
        errno = 0;
        w = pwrite(fd, buf, cs, 0);
        err = w == (ssize_t)cs ? 0 : errno ? errno : EIO;
    }
    free(buf);
    close(fd);
    if (err)
        return block_err(errp, -err, "Could not write '%s': %s", filename, strerror(err));

    BlockDev *bs = block_open(filename, "qcow2", BLOCK_O_RDWR | BLOCK_O_NO_BACKING, errp);
    if (!bs)
        return -EIO;
    Qcow2State *s = qcow2_state(bs);
    if (o->lazy_refcounts)
        s->compat |= QCOW2_COMPAT_LAZY_REFCOUNTS;
    if (o->extended_l2) {
        s->incompat |= QCOW2_INCOMPAT_EXTL2;
    }
    if (o->compression_type == BLOCK_COMPRESSION_ZSTD) {
        s->incompat |= QCOW2_INCOMPAT_COMPRESSION;
        s->compression_type = 1;
    }
    if (o->backing_file) {
        bs->backing_file = strdup(o->backing_file);
        bs->backing_fmt = strdup(o->backing_fmt ? o->backing_fmt : fmt);
    }
    uint64_t l2_span = (uint64_t)cs << (o->extended_l2 ? cbits - 4 : cbits - 3);
    int ret = qcow2_grow_l1(bs, BLOCK_MAX((size + l2_span - 1) / l2_span, 1), errp);
    if (ret == 0) {
        bs->size = size;
        ret = qcow2_write_header(bs, errp);
    }
    if (ret == 0) {
        /* The extended-L2 and compression bits change how tables are read. */
        block_close(bs);
        bs = block_open(filename, "qcow2", BLOCK_O_RDWR | BLOCK_O_NO_BACKING, errp);
        if (!bs)
            return -EIO;
        ret = qcow2_preallocate(bs, 0, size, o->preallocation, errp);
    }
    int cret = block_close(bs);
    return ret < 0 ? ret : cret;
}

static int qcow2_get_info(BlockDev *bs, BlockInfo *info, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    info->cluster_size = s->cluster_size;
    info->has_format_specific = true;
    snprintf(info->compat, sizeof(info->compat), "%s", s->version >= 3 ? "1.1" : "0.10");
    info->lazy_refcounts = (s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS) != 0;
    info->refcount_bits = s->refcount_bits;
    info->compression_type = s->compression_type == 1 ? "zstd" : "zlib";
    info->corrupt = (s->incompat & QCOW2_INCOMPAT_CORRUPT) != 0;
    info->extended_l2 = s->ext_l2;
    info->dirty = (s->incompat & QCOW2_INCOMPAT_DIRTY) != 0 && !s->dirty_set;
    if (qcow2_bitmaps_info(bs, info) < 0)
        return block_err(errp, -ENOMEM, "Out of memory");
    int n = qcow2_snapshot_list(bs, &info->snapshots, errp);
    if (n < 0)
        return n;
    info->nb_snapshots = n;
    return 0;
}

static int qcow2_truncate_data(BlockDev *bs, uint64_t size, bool shrink, BlockPrealloc prealloc,
                               char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (size == bs->size)
        return 0;
    if (size > (1ULL << 61))
        return block_err(errp, -EFBIG, "%s: size %" PRIu64 " is too big", bs->filename, size);
    /* v3 snapshots record their own disk size (reverting restores it), so
     * only v2 images with snapshots keep theirs, as in qemu 7.2. */
    if (s->nb_snapshots && s->version < 3)
        return block_err(errp, -ENOTSUP, "%s: Can't resize a v2 image which has snapshots",
                         bs->filename);
    if (size < bs->size) {
        if (!shrink)
            return block_err(errp, -EINVAL,
                             "%s: shrinking the image needs the shrink option (data would be "
                             "lost)",
                             bs->filename);
        int ret = qcow2_discard_tail(bs, size, errp);
        if (ret < 0)
            return ret;
        uint64_t old = bs->size;
        bs->size = size;
        ret = qcow2_write_header(bs, errp);
        if (ret < 0) {
            bs->size = old;
            return ret;
        }
        /* Give the freed tail of the file back, as qemu-img resize does. */
        ret = qcow2_flush_all(bs, errp);
        int64_t flen = ret < 0 ? ret : file_length(bs, errp);
        if (flen < 0)
            return (int)flen;
        uint64_t c = qcow2_size_to_clusters(s, (uint64_t)flen);
        while (c > 1) {
            uint64_t rc;
            ret = qcow2_get_refcount(bs, c - 1, &rc, errp);
            if (ret < 0)
                return ret;
            if (rc)
                break;
            c--;
        }
        if (((uint64_t)c << s->cluster_bits) < (uint64_t)flen)
            ret = file_truncate(bs, (uint64_t)c << s->cluster_bits, BLOCK_PREALLOC_OFF, errp);
        return ret;
    }
    uint64_t l2_span = (uint64_t)s->cluster_size << s->l2_bits;
    int ret = qcow2_grow_l1(bs, (size + l2_span - 1) / l2_span, errp);
    if (ret < 0)
        return ret;
    uint64_t old = bs->size;
    bs->size = size;
    ret = qcow2_preallocate(bs, BLOCK_ALIGN_UP(old, s->cluster_size), size, prealloc, errp);
    if (ret == 0)
        ret = qcow2_flush_all(bs, errp);
    if (ret == 0)
        ret = qcow2_write_header(bs, errp);
    if (ret < 0)
        bs->size = old;
    return ret;
}

static int qcow2_change_backing(BlockDev *bs, const char *file, const char *fmt, char **errp)
{
    char *of = bs->backing_file, *ofmt = bs->backing_fmt;
    bs->backing_file = file ? strdup(file) : NULL;
    bs->backing_fmt = file && fmt ? strdup(fmt) : NULL;
    int ret = qcow2_write_header(bs, errp);
    if (ret < 0) {
        free(bs->backing_file);
        free(bs->backing_fmt);
        bs->backing_file = of;
        bs->backing_fmt = ofmt;
        return ret;
    }
    free(of);
    free(ofmt);
    return 0;
}

/* Whether any snapshot's tables use v3-only zero clusters. */
static int qcow2_snapshots_have_zero_clusters(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *l2 = malloc(s->cluster_size);
    if (!l2)
        return block_err(errp, -ENOMEM, "Out of memory");
    int found = 0;
    for (uint32_t i = 0; i < s->nb_snapshots && !found; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        for (uint32_t k = 0; k < sn->l1_size && !found; k++) {
            uint8_t e[8];
            if (file_pread(bs, sn->l1_offset + (uint64_t)k * 8, e, 8, errp) < 0) {
                found = -EIO;
                break;
            }
            uint64_t l2_off = be64_load(e) & QCOW2_OFFSET_MASK;
            if (!l2_off)
                continue;
            if (file_pread(bs, l2_off, l2, s->cluster_size, errp) < 0) {
                found = -EIO;
                break;
            }
            for (uint64_t j = 0; j < (1ULL << s->l2_bits); j++) {
                uint64_t ent = be64_load(l2 + j * 8);
                if (!(ent & QCOW2_OFLAG_COMPRESSED) && (ent & QCOW2_OFLAG_ZERO)) {
                    found = 1;
                    break;
                }
            }
        }
    }
    free(l2);
    return found;
}

/* Bitmaps follow the disk size (new bits clear), as qemu-img resize does. */
static int qcow2_truncate(BlockDev *bs, uint64_t size, bool shrink, BlockPrealloc prealloc,
                          char **errp)
{
    if (size == bs->size)
        return 0;
    uint64_t old = bs->size;
    int ret = qcow2_bitmaps_resize_check(bs, errp);
    if (ret == 0)
        ret = qcow2_truncate_data(bs, size, shrink, prealloc, errp);
    if (ret == 0)
        ret = qcow2_bitmaps_resize_apply(bs, old, errp);
    return ret;
}

static int qcow2_amend(BlockDev *bs, const BlockAmendOpts *o, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = 0;
    uint32_t version = s->version;
    if (o->compat && qcow2_parse_compat(o->compat, &version) < 0)
        return block_err(errp, -EINVAL, "Invalid compatibility level: '%s'", o->compat);
    bool lazy = o->lazy_refcounts < 0 ? (s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS) != 0
                                      : o->lazy_refcounts != 0;
    if (lazy && version < 3)
        return block_err(errp, -EINVAL,
                         "Lazy refcounts only supported with compatibility level "
                         "1.1 and above (use compat=1.1 or greater)");
    uint32_t rbits = o->refcount_bits ? o->refcount_bits : s->refcount_bits;
    if (rbits > 64 || (rbits & (rbits - 1)))
        return block_err(errp, -EINVAL,
                         "Refcount width must be a power of two and may not exceed 64 bits");
    if (version < 3 && rbits != 16)
        return block_err(errp, -EINVAL,
                         "Different refcount widths than 16 bits require compatibility level "
                         "1.1 or above (use compat=1.1 or greater)");
    if (version < s->version) {
        if (s->ext_l2)
            return block_err(errp, -ENOTSUP, "Cannot downgrade an image with extended L2 entries");
        if (s->compression_type)
            return block_err(errp, -ENOTSUP, "Cannot downgrade an image with zstd compression");
        if (s->nb_bitmaps)
            return block_err(errp, -ENOTSUP, "Cannot downgrade an image with bitmaps");
        int z = qcow2_snapshots_have_zero_clusters(bs, errp);
        if (z < 0)
            return z;
        if (z)
            return block_err(errp, -ENOTSUP,
                             "Cannot downgrade: a snapshot contains zero clusters (delete it "
                             "first)");
    }
    if ((ret = qcow2_flush_all(bs, errp)) < 0)
        return ret;
    if (rbits != s->refcount_bits) {
        /* Only v3 headers record the width: upgrade first if asked to. */
        if (version > s->version) {
            s->version = version;
            if ((ret = qcow2_write_header(bs, errp)) < 0)
                return ret;
        }
        ret = qcow2_rebuild_refcounts(bs, (uint32_t)__builtin_ctz(rbits), errp);
        if (ret < 0)
            return ret;
    }
    if (version < s->version && (ret = qcow2_expand_zero_clusters(bs, errp)) < 0)
        return ret;
    if (o->size && o->size != bs->size) {
        ret = qcow2_truncate(bs, o->size, false, BLOCK_PREALLOC_OFF, errp);
        if (ret < 0)
            return ret;
    }
    if ((ret = qcow2_flush_all(bs, errp)) < 0)
        return ret;
    if (lazy)
        s->compat |= QCOW2_COMPAT_LAZY_REFCOUNTS;
    else
        s->compat &= ~QCOW2_COMPAT_LAZY_REFCOUNTS;
    if (!lazy || version < 3) {
        s->incompat &= ~QCOW2_INCOMPAT_DIRTY;
        s->dirty_set = false;
    }
    if (version < 3) {
        s->incompat = s->compat = s->autoclear = 0;
        s->refcount_order = 4;
        free(s->hdr_tail);
        s->hdr_tail = NULL;
    }
    s->version = version;
    if (o->backing_file) {
        free(bs->backing_file);
        bs->backing_file = strdup(o->backing_file);
    }
    if (o->backing_fmt) {
        free(bs->backing_fmt);
        bs->backing_fmt = strdup(o->backing_fmt);
    }
    return qcow2_write_header(bs, errp);
}

static int qcow2_make_empty(BlockDev *bs, char **errp)
{
    int ret = qcow2_bitmaps_before_write(bs, 0, bs->size, errp);
    if (ret == 0)
        ret = qcow2_mark_dirty(bs, errp);
    if (ret == 0)
        ret = qcow2_discard_tail(bs, 0, errp);
    return ret < 0 ? ret : qcow2_flush_all(bs, errp);
}

static int qcow2_drv_read(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    return qcow2_data_read(bs, off, buf, len, errp);
}

const BlockDriver block_driver_qcow2 = {
    .name = "qcow2",
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .create = qcow2_create,
    .read = qcow2_drv_read,
    .write = qcow2_data_write,
    .write_zeroes = qcow2_data_zero,
    .discard = qcow2_data_discard,
    .flush = qcow2_flush,
    .make_empty = qcow2_make_empty,
    .get_status = qcow2_data_status,
    .get_info = qcow2_get_info,
    .truncate = qcow2_truncate,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_apply = qcow2_snapshot_apply,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_list = qcow2_snapshot_list,
    .check = qcow2_check,
    .change_backing = qcow2_change_backing,
    .amend = qcow2_amend,
    .bitmap_op = qcow2_bitmap_op,
    .bitmap_get = qcow2_bitmap_get,
};
