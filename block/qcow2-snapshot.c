/* qcow2 internal snapshots: the snapshot table (load, rewrite), and create,
 * apply, delete as L1 copies plus refcount changes over the whole tree, with
 * the COPIED flags of the active tables recomputed afterwards. */
#include "block/qcow2.h"

#include <time.h>

#define QCOW2_SN_EXTRA     24
#define QCOW2_SN_TABLE_MAX (64u << 20)

void qcow2_snapshots_free(Qcow2State *s)
{
    for (uint32_t i = 0; i < s->nb_snapshots && s->snapshots; i++) {
        free(s->snapshots[i].id);
        free(s->snapshots[i].name);
        free(s->snapshots[i].extra);
    }
    free(s->snapshots);
    s->snapshots = NULL;
}

int qcow2_snapshots_load(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->nb_snapshots == 0)
        return 0;
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS)
        return block_err(errp, -EFBIG, "%s: too many snapshots", bs->filename);
    int ret = qcow2_validate_table(bs, s->snapshots_offset, 1, 40, QCOW2_SN_TABLE_MAX,
                                   "Snapshot table", errp);
    if (ret < 0)
        return ret;
    s->snapshots = calloc(s->nb_snapshots, sizeof(*s->snapshots));
    if (!s->snapshots)
        return block_err(errp, -ENOMEM, "Out of memory");
    int64_t flen = file_length(bs, errp);
    uint64_t pos = s->snapshots_offset;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint8_t h[40];
        if (pos + 40 > (uint64_t)flen || pos - s->snapshots_offset > QCOW2_SN_TABLE_MAX)
            return block_err(errp, -EINVAL, "%s: snapshot table is truncated", bs->filename);
        ret = file_pread(bs, pos, h, 40, errp);
        if (ret < 0)
            return ret;
        sn->l1_offset = be64_load(h);
        sn->l1_size = be32_load(h + 8);
        uint16_t id_len = be16_load(h + 12), name_len = be16_load(h + 14);
        sn->date_sec = be32_load(h + 16);
        sn->date_nsec = be32_load(h + 20);
        sn->vm_clock_nsec = be64_load(h + 24);
        sn->vm_state_size = be32_load(h + 32);
        sn->extra_size = be32_load(h + 36);
        sn->disk_size = bs->size;
        sn->icount = UINT64_MAX;
        if (sn->extra_size > 1024)
            return block_err(errp, -EINVAL, "%s: snapshot %u has too much extra data", bs->filename,
                             i);
        uint64_t rest = (uint64_t)sn->extra_size + id_len + name_len;
        uint8_t *d = malloc(rest + 1);
        if (!d)
            return block_err(errp, -ENOMEM, "Out of memory");
        ret = file_pread(bs, pos + 40, d, rest, errp);
        if (ret < 0) {
            free(d);
            return ret;
        }
        if (sn->extra_size >= 8)
            sn->vm_state_size = be64_load(d);
        if (sn->extra_size >= 16)
            sn->disk_size = be64_load(d + 8);
        if (sn->extra_size >= 24)
            sn->icount = be64_load(d + 16);
        sn->extra = malloc(sn->extra_size + 1);
        if (sn->extra)
            memcpy(sn->extra, d, sn->extra_size);
        sn->id = strndup((char *)d + sn->extra_size, id_len);
        sn->name = strndup((char *)d + sn->extra_size + id_len, name_len);
        free(d);
        if (!sn->id || !sn->name || !sn->extra)
            return block_err(errp, -ENOMEM, "Out of memory");
        pos += BLOCK_ALIGN_UP(40 + rest, 8);
        s->snapshots_size = pos - s->snapshots_offset;
        ret = qcow2_validate_table(bs, sn->l1_offset, sn->l1_size, 8, QCOW2_MAX_L1_BYTES,
                                   "Snapshot L1 table", errp);
        if (ret < 0)
            return ret;
    }
    return 0;
}

static int qcow2_snapshots_write(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t size = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint32_t extra = BLOCK_MAX(sn->extra_size, QCOW2_SN_EXTRA);
        size += BLOCK_ALIGN_UP(40 + extra + strlen(sn->id) + strlen(sn->name), 8);
    }
    uint64_t new_off = 0;
    int ret = 0;
    if (size) {
        uint8_t *buf = calloc(1, size);
        if (!buf)
            return block_err(errp, -ENOMEM, "Out of memory");
        uint64_t pos = 0;
        for (uint32_t i = 0; i < s->nb_snapshots; i++) {
            Qcow2Snapshot *sn = &s->snapshots[i];
            uint32_t extra = BLOCK_MAX(sn->extra_size, QCOW2_SN_EXTRA);
            uint8_t *p = buf + pos;
            size_t il = strlen(sn->id), nl = strlen(sn->name);
            be64_store(p, sn->l1_offset);
            be32_store(p + 8, sn->l1_size);
            be16_store(p + 12, (uint16_t)il);
            be16_store(p + 14, (uint16_t)nl);
            be32_store(p + 16, sn->date_sec);
            be32_store(p + 20, sn->date_nsec);
            be64_store(p + 24, sn->vm_clock_nsec);
            be32_store(p + 32, sn->vm_state_size > UINT32_MAX ? 0 : (uint32_t)sn->vm_state_size);
            be32_store(p + 36, extra);
            if (sn->extra_size > QCOW2_SN_EXTRA)
                memcpy(p + 40, sn->extra, sn->extra_size);
            be64_store(p + 40, sn->vm_state_size);
            be64_store(p + 48, sn->disk_size);
            be64_store(p + 56, sn->icount);
            memcpy(p + 40 + extra, sn->id, il);
            memcpy(p + 40 + extra + il, sn->name, nl);
            pos += BLOCK_ALIGN_UP(40 + extra + il + nl, 8);
        }
        int64_t off = qcow2_alloc_clusters(bs, qcow2_size_to_clusters(s, size), errp);
        if (off < 0) {
            free(buf);
            return (int)off;
        }
        new_off = (uint64_t)off;
        ret = file_pwrite(bs, new_off, buf, size, errp);
        free(buf);
        if (ret == 0)
            ret = qcow2_flush_all(bs, errp);
        if (ret < 0)
            return ret;
    }
    uint8_t hdr[12];
    be32_store(hdr, s->nb_snapshots);
    be64_store(hdr + 4, new_off);
    ret = file_pwrite(bs, 60, hdr, 12, errp);
    if (ret == 0)
        ret = file_flush(bs, errp);
    if (ret < 0)
        return ret;
    s->snapshots_offset = new_off;
    s->snapshots_size = size;
    return 0;
}

static int qcow2_snapshot_table_size(Qcow2State *s, uint64_t *size)
{
    *size = s->snapshots_offset ? s->snapshots_size : 0;
    return 0;
}

/* Rewrites the table for a changed snapshot list; old_off/old_size describe
 * the table on disk before the change, whose clusters are then freed. */
static int qcow2_snapshots_replace(BlockDev *bs, uint64_t old_off, uint64_t old_size, char **errp)
{
    int ret = qcow2_snapshots_write(bs, errp);
    if (ret == 0 && old_off && old_size)
        ret = qcow2_free_clusters(bs, old_off, old_size, errp);
    return ret;
}

int qcow2_update_tree_refcounts(BlockDev *bs, const uint64_t *l1, uint32_t l1_size, int64_t addend,
                                char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint8_t *l2 = malloc(s->cluster_size);
    if (!l2)
        return block_err(errp, -ENOMEM, "Out of memory");
    uint64_t n = 1ULL << s->l2_bits;
    int ret = 0;
    for (uint32_t i = 0; i < l1_size && ret == 0; i++) {
        uint64_t l2_off = l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off)
            continue;
        uint8_t *cached;
        ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &cached, errp);
        if (ret < 0)
            break;
        memcpy(l2, cached, s->cluster_size);
        for (uint64_t j = 0; j < n && ret == 0; j++) {
            uint64_t e = be64_load(l2 + j * s->l2_entry_size);
            if (e & QCOW2_OFLAG_COMPRESSED) {
                uint64_t off, len;
                qcow2_compressed_range(s, e, &off, &len);
                ret = qcow2_update_refcount(bs, off, len, addend, errp);
            } else if (e & QCOW2_OFFSET_MASK) {
                ret =
                    qcow2_update_refcount(bs, e & QCOW2_OFFSET_MASK, s->cluster_size, addend, errp);
            }
        }
        if (ret == 0)
            ret = qcow2_update_refcount(bs, l2_off, s->cluster_size, addend, errp);
    }
    free(l2);
    return ret;
}

/* Whether every cluster an L1 tree references can take one more reference
 * (narrow refcounts run out), checked before anything changes. */
static int qcow2_tree_can_take_ref(BlockDev *bs, const uint64_t *l1, uint32_t l1_size, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->refcount_bits >= 16)
        return 0; /* 65535 references: far beyond the snapshot limit */
    uint64_t n = 1ULL << s->l2_bits;
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off)
            continue;
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc, errp);
        if (ret < 0)
            return ret;
        if (rc >= s->refcount_max)
            goto full;
        for (uint64_t j = 0; j < n; j++) {
            uint8_t *l2;
            ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
            if (ret < 0)
                return ret;
            uint64_t e = be64_load(l2 + j * s->l2_entry_size), off, len;
            if (e & QCOW2_OFLAG_COMPRESSED) {
                qcow2_compressed_range(s, e, &off, &len);
            } else {
                off = e & QCOW2_OFFSET_MASK;
                len = off ? s->cluster_size : 0;
            }
            for (uint64_t c = off >> s->cluster_bits;
                 len && c <= (off + len - 1) >> s->cluster_bits; c++) {
                ret = qcow2_get_refcount(bs, c, &rc, errp);
                if (ret < 0)
                    return ret;
                if (rc >= s->refcount_max)
                    goto full;
            }
        }
    }
    return 0;
full:
    return block_err(errp, -ERANGE,
                     "%s: refcount_bits=%u is too narrow for another reference to the image's "
                     "clusters (snapshot refused)",
                     bs->filename, s->refcount_bits);
}

int qcow2_fix_copied_flags(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    bool l1_changed = false;
    uint64_t n = 1ULL << s->l2_bits;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off)
            continue;
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc, errp);
        if (ret < 0)
            return ret;
        uint64_t want = (s->l1[i] & ~QCOW2_OFLAG_COPIED) | (rc == 1 ? QCOW2_OFLAG_COPIED : 0);
        if (want != s->l1[i]) {
            s->l1[i] = want;
            l1_changed = true;
        }
        for (uint64_t j = 0; j < n; j++) {
            uint8_t *l2;
            ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
            if (ret < 0)
                return ret;
            uint64_t e = be64_load(l2 + j * s->l2_entry_size);
            uint64_t ne = e;
            if (e & QCOW2_OFLAG_COMPRESSED) {
                ne = e & ~QCOW2_OFLAG_COPIED;
            } else if (e & QCOW2_OFFSET_MASK) {
                ret = qcow2_get_refcount(bs, (e & QCOW2_OFFSET_MASK) >> s->cluster_bits, &rc, errp);
                if (ret < 0)
                    return ret;
                ne = (e & ~QCOW2_OFLAG_COPIED) | (rc == 1 ? QCOW2_OFLAG_COPIED : 0);
                ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
                if (ret < 0)
                    return ret;
            } else {
                ne = e & ~QCOW2_OFLAG_COPIED;
            }
            if (ne != e) {
                be64_store(l2 + j * s->l2_entry_size, ne);
                qcow2_cache_mark_dirty(&s->l2_cache, l2);
            }
        }
    }
    int ret = qcow2_flush_all(bs, errp);
    if (ret == 0 && l1_changed) {
        uint8_t *be = malloc((size_t)s->l1_size * 8);
        if (!be)
            return block_err(errp, -ENOMEM, "Out of memory");
        for (uint32_t i = 0; i < s->l1_size; i++)
            be64_store(be + i * 8, s->l1[i]);
        ret = file_pwrite(bs, s->l1_offset, be, (uint64_t)s->l1_size * 8, errp);
        free(be);
    }
    return ret;
}

/* Clears every COPIED flag of the active tables and writes them out. */
int qcow2_clear_copied_flags(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    uint64_t n = 1ULL << s->l2_bits;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off)
            continue;
        s->l1[i] &= ~QCOW2_OFLAG_COPIED;
        uint8_t *l2;
        int ret = qcow2_cache_get(bs, &s->l2_cache, l2_off, false, &l2, errp);
        if (ret < 0)
            return ret;
        bool changed = false;
        for (uint64_t j = 0; j < n; j++) {
            uint64_t e = be64_load(l2 + j * s->l2_entry_size);
            if (e & QCOW2_OFLAG_COPIED) {
                be64_store(l2 + j * s->l2_entry_size, e & ~QCOW2_OFLAG_COPIED);
                changed = true;
            }
        }
        if (changed)
            qcow2_cache_mark_dirty(&s->l2_cache, l2);
    }
    int ret = qcow2_flush_all(bs, errp);
    if (ret == 0 && s->l1_size) {
        uint8_t *be = malloc((size_t)s->l1_size * 8);
        if (!be)
            return block_err(errp, -ENOMEM, "Out of memory");
        for (uint32_t i = 0; i < s->l1_size; i++)
            be64_store(be + i * 8, s->l1[i]);
        ret = file_pwrite(bs, s->l1_offset, be, (uint64_t)s->l1_size * 8, errp);
        free(be);
    }
    return ret;
}

static int qcow2_find_snapshot(Qcow2State *s, const char *id_or_name)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].id, id_or_name))
            return (int)i;
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].name, id_or_name))
            return (int)i;
    }
    return -1;
}

int qcow2_snapshot_create(BlockDev *bs, const char *name, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS)
        return block_err(errp, -EFBIG, "%s: too many snapshots", bs->filename);
    if (strlen(name) > 65535)
        return block_err(errp, -EINVAL, "Snapshot name too long");
    int ret = qcow2_tree_can_take_ref(bs, s->l1, s->l1_size, errp);
    if (ret == 0)
        ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    uint64_t max_id = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint64_t v = strtoull(s->snapshots[i].id, NULL, 10);
        max_id = BLOCK_MAX(max_id, v);
    }
    uint64_t l1_bytes = (uint64_t)s->l1_size * 8;
    int64_t l1_off = 0;
    if (l1_bytes) {
        l1_off = qcow2_alloc_clusters(bs, qcow2_size_to_clusters(s, l1_bytes), errp);
        if (l1_off < 0)
            return (int)l1_off;
        uint8_t *be = malloc(l1_bytes);
        if (!be)
            return block_err(errp, -ENOMEM, "Out of memory");
        for (uint32_t i = 0; i < s->l1_size; i++)
            be64_store(be + i * 8, s->l1[i] & ~QCOW2_OFLAG_COPIED);
        ret = file_pwrite(bs, (uint64_t)l1_off, be, l1_bytes, errp);
        free(be);
        if (ret < 0)
            return ret;
    }
    /* COPIED flags go first: a crash before the refcounts are raised then
     * only costs needless copies, never an in-place write to a shared
     * cluster. After the refcounts, a crash before the table leaks only. */
    ret = qcow2_clear_copied_flags(bs, errp);
    if (ret == 0)
        ret = qcow2_update_tree_refcounts(bs, s->l1, s->l1_size, 1, errp);
    if (ret == 0)
        ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    uint64_t old_size;
    qcow2_snapshot_table_size(s, &old_size);
    uint64_t old_off = s->snapshots_offset;
    Qcow2Snapshot *n = realloc(s->snapshots, sizeof(*n) * (s->nb_snapshots + 1));
    if (!n)
        return block_err(errp, -ENOMEM, "Out of memory");
    s->snapshots = n;
    Qcow2Snapshot *sn = &n[s->nb_snapshots];
    memset(sn, 0, sizeof(*sn));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    sn->l1_offset = (uint64_t)l1_off;
    sn->l1_size = s->l1_size;
    if (asprintf(&sn->id, "%" PRIu64, max_id + 1) < 0)
        sn->id = NULL;
    sn->name = strdup(name);
    sn->extra = calloc(1, QCOW2_SN_EXTRA);
    sn->extra_size = QCOW2_SN_EXTRA;
    sn->date_sec = (uint32_t)ts.tv_sec;
    sn->date_nsec = (uint32_t)ts.tv_nsec;
    sn->disk_size = bs->size;
    sn->icount = 0; /* what qemu-img snapshot -c records */
    if (!sn->id || !sn->name || !sn->extra)
        return block_err(errp, -ENOMEM, "Out of memory");
    s->nb_snapshots++;
    return qcow2_snapshots_replace(bs, old_off, old_size, errp);
}

static int qcow2_read_l1(BlockDev *bs, uint64_t off, uint32_t n, uint32_t alloc_n, uint64_t **out,
                         char **errp)
{
    uint64_t *l1 = calloc(BLOCK_MAX(alloc_n, 1), 8);
    if (!l1)
        return block_err(errp, -ENOMEM, "Out of memory");
    int ret = n ? file_pread(bs, off, l1, (uint64_t)n * 8, errp) : 0;
    if (ret < 0) {
        free(l1);
        return ret;
    }
    for (uint32_t i = 0; i < n; i++)
        l1[i] = be64_load(&l1[i]);
    *out = l1;
    return 0;
}

int qcow2_snapshot_apply(BlockDev *bs, const char *id_or_name, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int idx = qcow2_find_snapshot(s, id_or_name);
    if (idx < 0)
        return block_err(errp, -ENOENT, "Could not find snapshot '%s'", id_or_name);
    Qcow2Snapshot *sn = &s->snapshots[idx];
    /* Enabled bitmaps see a snapshot switch as a write of the whole disk;
     * they cannot follow a change of size. */
    if (s->nb_bitmaps && s->version >= 3 && sn->disk_size != bs->size)
        return block_err(errp, -ENOTSUP,
                         "%s: snapshot '%s' has another disk size; it cannot be applied to an "
                         "image with bitmaps",
                         bs->filename, id_or_name);
    int ret = qcow2_bitmaps_before_write(bs, 0, bs->size, errp);
    if (ret == 0)
        ret = qcow2_flush_all(bs, errp);
    if (ret == 0)
        ret = qcow2_grow_l1(bs, sn->l1_size, errp);
    if (ret < 0)
        return ret;
    uint64_t *nl1;
    ret = qcow2_read_l1(bs, sn->l1_offset, sn->l1_size, s->l1_size, &nl1, errp);
    if (ret == 0 && (ret = qcow2_tree_can_take_ref(bs, nl1, sn->l1_size, errp)) < 0)
        free(nl1);
    if (ret < 0)
        return ret;
    for (uint32_t i = 0; i < sn->l1_size; i++)
        nl1[i] &= ~QCOW2_OFLAG_COPIED; /* recomputed below, once refcounts are final */
    ret = qcow2_update_tree_refcounts(bs, nl1, sn->l1_size, 1, errp);
    if (ret == 0)
        ret = qcow2_flush_all(bs, errp);
    uint8_t *be = malloc((size_t)s->l1_size * 8 + 8);
    if (ret == 0 && !be)
        ret = block_err(errp, -ENOMEM, "Out of memory");
    if (ret == 0) {
        for (uint32_t i = 0; i < s->l1_size; i++)
            be64_store(be + i * 8, nl1[i]);
        ret = file_pwrite(bs, s->l1_offset, be, (uint64_t)s->l1_size * 8, errp);
    }
    free(be);
    if (ret == 0)
        ret = file_flush(bs, errp);
    if (ret < 0) {
        free(nl1);
        return ret;
    }
    uint64_t *old = s->l1;
    s->l1 = nl1;
    qcow2_cache_drop_all(&s->l2_cache);
    ret = qcow2_update_tree_refcounts(bs, old, s->l1_size, -1, errp);
    free(old);
    if (ret < 0)
        return ret;
    if (sn->disk_size != bs->size) {
        bs->size = sn->disk_size;
        ret = qcow2_write_header(bs, errp);
        if (ret < 0)
            return ret;
    }
    return qcow2_fix_copied_flags(bs, errp);
}

int qcow2_snapshot_delete(BlockDev *bs, const char *id_or_name, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int idx = qcow2_find_snapshot(s, id_or_name);
    if (idx < 0)
        return block_err(errp, -ENOENT, "Could not find snapshot '%s'", id_or_name);
    int ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    Qcow2Snapshot sn = s->snapshots[idx];
    uint64_t old_size;
    qcow2_snapshot_table_size(s, &old_size);
    uint64_t old_off = s->snapshots_offset;
    memmove(&s->snapshots[idx], &s->snapshots[idx + 1],
            sizeof(sn) * (s->nb_snapshots - (uint32_t)idx - 1));
    s->nb_snapshots--;
    ret = qcow2_snapshots_replace(bs, old_off, old_size, errp);
    uint64_t *l1 = NULL;
    if (ret == 0)
        ret = qcow2_read_l1(bs, sn.l1_offset, sn.l1_size, sn.l1_size, &l1, errp);
    if (ret == 0)
        ret = qcow2_update_tree_refcounts(bs, l1, sn.l1_size, -1, errp);
    free(l1);
    if (ret == 0 && sn.l1_size)
        ret = qcow2_free_clusters(bs, sn.l1_offset, (uint64_t)sn.l1_size * 8, errp);
    free(sn.id);
    free(sn.name);
    free(sn.extra);
    if (ret == 0)
        ret = qcow2_fix_copied_flags(bs, errp);
    return ret;
}

int qcow2_snapshot_list(BlockDev *bs, BlockSnapshotInfo **list, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    *list = NULL;
    if (!s->nb_snapshots)
        return 0;
    BlockSnapshotInfo *l = calloc(s->nb_snapshots, sizeof(*l));
    if (!l)
        return block_err(errp, -ENOMEM, "Out of memory");
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        l[i].id = strdup(sn->id);
        l[i].name = strdup(sn->name);
        l[i].vm_state_size = sn->vm_state_size;
        l[i].date_sec = sn->date_sec;
        l[i].date_nsec = sn->date_nsec;
        l[i].vm_clock_nsec = sn->vm_clock_nsec;
        l[i].icount = sn->icount;
        l[i].disk_size = sn->disk_size;
    }
    *list = l;
    return (int)s->nb_snapshots;
}
