/* qcow2 persistent dirty bitmaps: the bitmap directory (header extension
 * 0x23852875), reading and storing bitmap tables and data, recording writes in
 * enabled bitmaps, and the operations behind mimic-img bitmap. */
#include "block/qcow2.h"

#define BME_MAX_NAME      1023
#define BME_MIN_GRAN_BITS 9
#define BME_MAX_GRAN_BITS 31
#define BME_MAX_BITMAPS   65535
#define BME_MAX_DIR_BYTES (64u << 20)
/* Contents are held in memory while in use: refuse absurd sizes. */
#define BME_MAX_DATA_BYTES (512u << 20)
#define BME_TABLE_RESERVED 0xff000000000001feULL
#define BME_TABLE_ALL_ONES 1ULL

/* Host ranges to free once the header no longer leads to them. */
typedef struct BmFree {
    struct {
        uint64_t off, len;
    } * v;
    size_t n, cap;
} BmFree;

static int bm_free_push(BmFree *f, uint64_t off, uint64_t len, char **errp)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        void *nv = realloc(f->v, cap * sizeof(*f->v));
        if (!nv)
            return block_err(errp, -ENOMEM, "Out of memory");
        f->v = nv;
        f->cap = cap;
    }
    f->v[f->n].off = off;
    f->v[f->n].len = len;
    f->n++;
    return 0;
}

static uint64_t bm_nbits(uint64_t size, uint8_t gran_bits)
{
    return (size + (1ULL << gran_bits) - 1) >> gran_bits;
}

static uint64_t bm_bytes(uint64_t size, uint8_t gran_bits)
{
    return (bm_nbits(size, gran_bits) + 7) / 8;
}

static uint64_t bm_table_size(Qcow2State *s, uint64_t size, uint8_t gran_bits)
{
    return (bm_bytes(size, gran_bits) + s->cluster_size - 1) >> s->cluster_bits;
}

static uint64_t bm_entry_len(const Qcow2Bitmap *b)
{
    return BLOCK_ALIGN_UP(24 + (uint64_t)b->extra_size + strlen(b->name), 8);
}

static void bm_bitmap_clear(Qcow2Bitmap *b)
{
    free(b->name);
    free(b->extra);
    free(b->bits);
    memset(b, 0, sizeof(*b));
}

void qcow2_bitmaps_free(Qcow2State *s)
{
    for (uint32_t i = 0; s->bitmaps && i < s->nb_bitmaps; i++)
        bm_bitmap_clear(&s->bitmaps[i]);
    free(s->bitmaps);
    s->bitmaps = NULL;
    free(s->bitmaps_error);
    s->bitmaps_error = NULL;
}

static int bm_find(Qcow2State *s, const char *name)
{
    for (uint32_t i = 0; s->bitmaps && i < s->nb_bitmaps; i++)
        if (!strcmp(s->bitmaps[i].name, name))
            return (int)i;
    return -1;
}

/* Parses the directory; returns a malloc'd reason when it is not valid. */
static char *bm_parse_directory(BlockDev *bs, const uint8_t *dir, uint64_t size)
{
    Qcow2State *s = qcow2_state(bs);
    char *why = NULL;
    s->bitmaps = calloc(s->nb_bitmaps, sizeof(*s->bitmaps));
    if (!s->bitmaps)
        return strdup("out of memory");
    uint64_t pos = 0;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        if (size - pos < 24)
            return strdup("bitmap directory is truncated");
        const uint8_t *e = dir + pos;
        Qcow2Bitmap *b = &s->bitmaps[i];
        b->table_offset = be64_load(e);
        b->table_size = be32_load(e + 8);
        b->flags = be32_load(e + 12);
        b->type = e[16];
        b->gran_bits = e[17];
        uint32_t name_size = be16_load(e + 18);
        b->extra_size = be32_load(e + 20);
        uint64_t len = BLOCK_ALIGN_UP(24 + (uint64_t)b->extra_size + name_size, 8);
        if (name_size == 0 || name_size > BME_MAX_NAME)
            return strdup("bitmap name length is invalid");
        if (len > size - pos)
            return strdup("bitmap directory entry is truncated");
        if (qcow2_offset_into_cluster(s, b->table_offset))
            return strdup("bitmap table offset is not cluster aligned");
        b->name = strndup((const char *)e + 24 + b->extra_size, name_size);
        b->extra = malloc(b->extra_size ? b->extra_size : 1);
        if (!b->name || !b->extra)
            return strdup("out of memory");
        memcpy(b->extra, e + 24, b->extra_size);
        if (strlen(b->name) != name_size)
            return strdup("bitmap name contains a NUL byte");
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(s->bitmaps[j].name, b->name))
                return asprintf(&why, "two bitmaps are named '%s'", b->name) < 0 ? NULL : why;
        pos += len;
    }
    return NULL;
}

int qcow2_bitmaps_load(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    (void)errp;
    if (!s->bitmaps_ext || !s->nb_bitmaps)
        return 0;
    char *why = NULL;
    uint8_t *dir = NULL;
    if (s->nb_bitmaps > BME_MAX_BITMAPS) {
        why = strdup("too many bitmaps");
    } else if (s->bitmap_dir_size < 24ULL * s->nb_bitmaps ||
               s->bitmap_dir_size > BME_MAX_DIR_BYTES) {
        why = strdup("bitmap directory size is invalid");
    } else if (qcow2_validate_table(bs, s->bitmap_dir_offset, s->bitmap_dir_size, 1,
                                    BME_MAX_DIR_BYTES, "bitmap directory", &why) < 0) {
        /* why holds the message */
    } else if (!(dir = malloc(s->bitmap_dir_size))) {
        why = strdup("out of memory");
    } else if (file_pread(bs, s->bitmap_dir_offset, dir, s->bitmap_dir_size, &why) == 0) {
        why = bm_parse_directory(bs, dir, s->bitmap_dir_size);
    }
    free(dir);
    if (why) {
        uint32_t n = s->nb_bitmaps;
        for (uint32_t i = 0; s->bitmaps && i < n; i++)
            bm_bitmap_clear(&s->bitmaps[i]);
        free(s->bitmaps);
        s->bitmaps = NULL;
        s->bitmaps_error = why;
    }
    return 0;
}

/* Validates a bitmap table and returns it in host order. */
static int bm_read_table(BlockDev *bs, const Qcow2Bitmap *b, uint64_t **table, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    *table = NULL;
    if (!b->table_size)
        return 0;
    int ret = qcow2_validate_table(bs, b->table_offset, b->table_size, 8, BME_MAX_DATA_BYTES,
                                   "bitmap table", errp);
    if (ret < 0)
        return ret;
    uint64_t *t = malloc((size_t)b->table_size * 8);
    if (!t)
        return block_err(errp, -ENOMEM, "Out of memory");
    ret = file_pread(bs, b->table_offset, t, (uint64_t)b->table_size * 8, errp);
    for (uint32_t j = 0; j < b->table_size && ret == 0; j++) {
        uint64_t e = be64_load(&t[j]);
        uint64_t off = e & QCOW2_OFFSET_MASK;
        t[j] = e;
        if ((e & BME_TABLE_RESERVED) || (off && (e & BME_TABLE_ALL_ONES)) ||
            qcow2_offset_into_cluster(s, off) || (off && off < s->cluster_size))
            ret = block_err(errp, -EINVAL, "%s: bitmap '%s' has an invalid table entry %#" PRIx64,
                            bs->filename, b->name, e);
    }
    if (ret < 0)
        free(t);
    else
        *table = t;
    return ret;
}

/* Why an enabled bitmap could not be used, or NULL. */
static const char *bm_unusable(const Qcow2Bitmap *b)
{
    if (b->type != 1)
        return "is not a dirty tracking bitmap";
    if (b->gran_bits < BME_MIN_GRAN_BITS || b->gran_bits > BME_MAX_GRAN_BITS)
        return "has an unsupported granularity";
    if (b->extra_size && !(b->flags & QCOW2_BME_EXTRA_COMPAT))
        return "has extra data this program does not know";
    return NULL;
}

/* Loads the contents of b into memory (kept cluster-rounded). */
static int bm_load_bits(BlockDev *bs, Qcow2Bitmap *b, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (b->bits)
        return 0;
    const char *why = bm_unusable(b);
    if (why)
        return block_err(errp, -ENOTSUP, "%s: bitmap '%s' %s", bs->filename, b->name, why);
    uint64_t bytes = bm_bytes(bs->size, b->gran_bits);
    uint64_t tsize = bm_table_size(s, bs->size, b->gran_bits);
    if (bytes > BME_MAX_DATA_BYTES)
        return block_err(errp, -EFBIG, "%s: bitmap '%s' is too large", bs->filename, b->name);
    if (b->table_size != tsize)
        return block_err(errp, -EINVAL,
                         "%s: bitmap '%s' has a table of %u entries where the disk size needs "
                         "%" PRIu64,
                         bs->filename, b->name, b->table_size, tsize);
    uint64_t *table;
    int ret = bm_read_table(bs, b, &table, errp);
    if (ret < 0)
        return ret;
    uint8_t *bits = calloc(1, tsize ? tsize << s->cluster_bits : 1);
    if (!bits) {
        free(table);
        return block_err(errp, -ENOMEM, "Out of memory");
    }
    for (uint64_t j = 0; j < tsize && ret == 0; j++) {
        uint64_t off = table[j] & QCOW2_OFFSET_MASK;
        uint8_t *dst = bits + (j << s->cluster_bits);
        if (off)
            ret = file_pread(bs, off, dst, s->cluster_size, errp);
        else if (table[j] & BME_TABLE_ALL_ONES)
            memset(dst, 0xff, s->cluster_size);
    }
    free(table);
    if (ret < 0) {
        free(bits);
        return ret;
    }
    /* Bits past the end of the disk must read as zero. */
    uint64_t nbits = bm_nbits(bs->size, b->gran_bits);
    if (nbits & 7)
        bits[nbits / 8] &= (uint8_t)((1u << (nbits & 7)) - 1);
    if (tsize)
        memset(bits + bytes, 0, (tsize << s->cluster_bits) - bytes);
    b->bits = bits;
    b->bits_disk_size = bs->size;
    return 0;
}

static void bm_set_bits(uint8_t *bits, uint64_t first, uint64_t last)
{
    for (; first <= last && (first & 7); first++)
        bits[first >> 3] |= (uint8_t)(1u << (first & 7));
    if (first > last)
        return;
    uint64_t full = (last + 1 - first) >> 3;
    memset(bits + (first >> 3), 0xff, full);
    for (first += full << 3; first <= last; first++)
        bits[first >> 3] |= (uint8_t)(1u << (first & 7));
}

/* Sets the bits of b covering [off, off+len) of the disk (what lies beyond
 * the size its bits cover, while a resize is under way, is left out). */
static void bm_mark(Qcow2Bitmap *b, uint64_t off, uint64_t len)
{
    uint64_t size = b->bits_disk_size;
    if (!len || off >= size)
        return;
    uint64_t end = BLOCK_MIN(off + len, size);
    bm_set_bits(b->bits, off >> b->gran_bits, (end - 1) >> b->gran_bits);
    b->data_dirty = true;
}

/* Queues the table and data clusters b has on disk for freeing. */
static int bm_collect(BlockDev *bs, const Qcow2Bitmap *b, BmFree *f, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!b->table_offset || !b->table_size)
        return 0;
    uint64_t *table;
    /* An invalid table is left alone: freeing what it names could free
     * someone else's clusters. */
    if (bm_read_table(bs, b, &table, NULL) < 0)
        return 0;
    int ret = 0;
    for (uint32_t j = 0; j < b->table_size && ret == 0; j++) {
        uint64_t off = table[j] & QCOW2_OFFSET_MASK;
        if (off)
            ret = bm_free_push(f, off, s->cluster_size, errp);
    }
    free(table);
    if (ret == 0)
        ret = bm_free_push(f, b->table_offset,
                           BLOCK_ALIGN_UP((uint64_t)b->table_size * 8, s->cluster_size), errp);
    return ret;
}

static bool bm_all_zero(const uint8_t *p, uint32_t n)
{
    return p[0] == 0 && memcmp(p, p + 1, n - 1) == 0;
}

/* Writes b's contents to new clusters and a new table (the old ones stay
 * until the directory no longer names them). */
static int bm_fit(BlockDev *bs, Qcow2Bitmap *b, char **errp);

static int bm_write_data(BlockDev *bs, Qcow2Bitmap *b, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int fret = bm_fit(bs, b, errp);
    if (fret < 0)
        return fret;
    uint64_t tsize = bm_table_size(s, bs->size, b->gran_bits);
    if (!tsize) {
        b->table_offset = 0;
        b->table_size = 0;
        b->data_dirty = false;
        return 0;
    }
    uint64_t tbytes = BLOCK_ALIGN_UP(tsize * 8, s->cluster_size);
    uint8_t *table = calloc(1, tbytes);
    if (!table)
        return block_err(errp, -ENOMEM, "Out of memory");
    int ret = 0;
    for (uint64_t j = 0; j < tsize && ret == 0; j++) {
        const uint8_t *chunk = b->bits + (j << s->cluster_bits);
        if (bm_all_zero(chunk, s->cluster_size))
            continue;
        int64_t off = qcow2_alloc_clusters(bs, 1, errp);
        if (off < 0)
            ret = (int)off;
        else
            ret = file_pwrite(bs, (uint64_t)off, chunk, s->cluster_size, errp);
        be64_store(table + j * 8, (uint64_t)off);
    }
    int64_t toff = ret < 0 ? ret : qcow2_alloc_clusters(bs, tbytes >> s->cluster_bits, errp);
    if (toff < 0)
        ret = (int)toff;
    if (ret == 0)
        ret = file_pwrite(bs, (uint64_t)toff, table, tbytes, errp);
    free(table);
    if (ret == 0) {
        b->table_offset = (uint64_t)toff;
        b->table_size = (uint32_t)tsize;
        b->data_dirty = false;
    }
    return ret;
}

/* Writes changed bitmap contents and a new directory, switches the header
 * to it, then frees what the old directory (and f) held. A process killed
 * in between leaves leaked clusters only. */
static int bm_store(BlockDev *bs, BmFree *f, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    int ret = 0;
    for (uint32_t i = 0; i < s->nb_bitmaps && ret == 0; i++) {
        Qcow2Bitmap *b = &s->bitmaps[i];
        if (!b->bits || !b->data_dirty)
            continue;
        ret = bm_collect(bs, b, f, errp);
        if (ret == 0)
            ret = bm_write_data(bs, b, errp);
    }
    if (ret < 0)
        return ret;
    uint64_t dsize = 0;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++)
        dsize += bm_entry_len(&s->bitmaps[i]);
    uint64_t doff = 0;
    if (dsize) {
        uint64_t dbytes = BLOCK_ALIGN_UP(dsize, s->cluster_size);
        uint8_t *dir = calloc(1, dbytes);
        if (!dir)
            return block_err(errp, -ENOMEM, "Out of memory");
        uint64_t pos = 0;
        for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
            const Qcow2Bitmap *b = &s->bitmaps[i];
            uint8_t *e = dir + pos;
            uint32_t nlen = (uint32_t)strlen(b->name);
            be64_store(e, b->table_offset);
            be32_store(e + 8, b->table_size);
            be32_store(e + 12, b->flags);
            e[16] = b->type;
            e[17] = b->gran_bits;
            be16_store(e + 18, (uint16_t)nlen);
            be32_store(e + 20, b->extra_size);
            memcpy(e + 24, b->extra, b->extra_size);
            memcpy(e + 24 + b->extra_size, b->name, nlen);
            pos += bm_entry_len(b);
        }
        int64_t off = qcow2_alloc_clusters(bs, dbytes >> s->cluster_bits, errp);
        ret = off < 0 ? (int)off : file_pwrite(bs, (uint64_t)off, dir, dbytes, errp);
        free(dir);
        if (ret < 0)
            return ret;
        doff = (uint64_t)off;
    }
    if (s->bitmaps_ext && s->bitmap_dir_offset && s->bitmap_dir_size) {
        ret = bm_free_push(f, s->bitmap_dir_offset,
                           BLOCK_ALIGN_UP(s->bitmap_dir_size, s->cluster_size), errp);
        if (ret < 0)
            return ret;
    }
    /* Refcounts of the new clusters reach the disk before the header names
     * them. */
    ret = qcow2_flush_all(bs, errp);
    if (ret < 0)
        return ret;
    s->bitmap_dir_offset = doff;
    s->bitmap_dir_size = dsize;
    s->bitmaps_ext = s->nb_bitmaps > 0;
    ret = qcow2_write_header(bs, errp);
    for (size_t i = 0; i < f->n && ret == 0; i++)
        ret = qcow2_free_clusters(bs, f->v[i].off, f->v[i].len, errp);
    f->n = 0;
    /* On close this runs after the last flush: write the refcounts now. */
    return ret < 0 ? ret : qcow2_flush_all(bs, errp);
}

static int bm_store_free(BlockDev *bs, BmFree *f, char **errp)
{
    int ret = bm_store(bs, f, errp);
    free(f->v);
    return ret;
}

static int bm_refuse_write(BlockDev *bs, const char *name, const char *why, char **errp)
{
    return block_err(errp, -ENOTSUP,
                     "%s: enabled bitmap '%s' %s, so it could not be kept up to date; "
                     "refusing to write (remove or disable the bitmap first)",
                     bs->filename, name, why);
}

static int bm_start_tracking(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->bitmaps_error)
        return block_err(errp, -EINVAL,
                         "%s: %s; refusing to write, since its bitmaps could not be kept up to "
                         "date",
                         bs->filename, s->bitmaps_error);
    bool any = false;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        Qcow2Bitmap *b = &s->bitmaps[i];
        if (!(b->flags & QCOW2_BME_AUTO) || (b->flags & QCOW2_BME_IN_USE))
            continue;
        const char *why = bm_unusable(b);
        if (why)
            return bm_refuse_write(bs, b->name, why, errp);
        char *err = NULL;
        int ret = bm_load_bits(bs, b, &err);
        if (ret < 0) {
            ret = bm_refuse_write(bs, b->name, "could not be read", errp);
            if (errp && *errp && err) {
                char *both = NULL;
                if (asprintf(&both, "%s (%s)", *errp, err) >= 0) {
                    free(*errp);
                    *errp = both;
                }
            }
            free(err);
            return ret;
        }
        any = true;
    }
    if (!any)
        return 0;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        Qcow2Bitmap *b = &s->bitmaps[i];
        if ((b->flags & QCOW2_BME_AUTO) && !(b->flags & QCOW2_BME_IN_USE)) {
            b->flags |= QCOW2_BME_IN_USE;
            b->tracking = true;
        }
    }
    BmFree f = {0};
    return bm_store_free(bs, &f, errp);
}

int qcow2_bitmaps_before_write(BlockDev *bs, uint64_t off, uint64_t len, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->bitmaps_started) {
        if (s->bitmaps_ext && s->nb_bitmaps) {
            int ret = bm_start_tracking(bs, errp);
            if (ret < 0)
                return ret;
        }
        s->bitmaps_started = true;
    }
    for (uint32_t i = 0; s->bitmaps && i < s->nb_bitmaps; i++)
        if (s->bitmaps[i].tracking)
            bm_mark(&s->bitmaps[i], off, len);
    return 0;
}

int qcow2_bitmaps_close(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    bool any = false;
    for (uint32_t i = 0; s->bitmaps && i < s->nb_bitmaps; i++) {
        Qcow2Bitmap *b = &s->bitmaps[i];
        if (b->tracking) {
            b->tracking = false;
            b->flags &= ~QCOW2_BME_IN_USE;
            any = true;
        }
    }
    if (!any)
        return 0;
    BmFree f = {0};
    return bm_store_free(bs, &f, errp);
}

int qcow2_bitmaps_resize_check(BlockDev *bs, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->bitmaps_ext || !s->nb_bitmaps)
        return 0;
    if (s->bitmaps_error)
        return block_err(errp, -EINVAL, "%s: %s; cannot resize the image's bitmaps", bs->filename,
                         s->bitmaps_error);
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        Qcow2Bitmap *b = &s->bitmaps[i];
        if ((b->flags & QCOW2_BME_IN_USE) && !b->tracking)
            return block_err(errp, -EBUSY,
                             "%s: bitmap '%s' is inconsistent (in use); cannot resize it",
                             bs->filename, b->name);
        int ret = bm_load_bits(bs, b, errp);
        if (ret < 0)
            return ret;
    }
    return 0;
}

/* Fits the loaded bits of b to the current disk size (new bits clear). */
static int bm_fit(BlockDev *bs, Qcow2Bitmap *b, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (b->bits_disk_size == bs->size)
        return 0;
    uint64_t tsize = bm_table_size(s, bs->size, b->gran_bits);
    uint64_t nbytes = bm_bytes(bs->size, b->gran_bits);
    uint64_t obytes = bm_bytes(b->bits_disk_size, b->gran_bits);
    if (nbytes > BME_MAX_DATA_BYTES)
        return block_err(errp, -EFBIG, "%s: bitmap '%s' would be too large", bs->filename, b->name);
    uint8_t *bits = calloc(1, tsize ? tsize << s->cluster_bits : 1);
    if (!bits)
        return block_err(errp, -ENOMEM, "Out of memory");
    memcpy(bits, b->bits, BLOCK_MIN(obytes, nbytes));
    uint64_t nbits = bm_nbits(bs->size, b->gran_bits);
    if (nbits & 7)
        bits[nbits / 8] &= (uint8_t)((1u << (nbits & 7)) - 1);
    free(b->bits);
    b->bits = bits;
    b->bits_disk_size = bs->size;
    b->data_dirty = true;
    return 0;
}

int qcow2_bitmaps_resize_apply(BlockDev *bs, uint64_t old_size, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->bitmaps || !s->nb_bitmaps || old_size == bs->size)
        return 0;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        int ret = s->bitmaps[i].bits ? bm_fit(bs, &s->bitmaps[i], errp) : 0;
        if (ret < 0)
            return ret;
    }
    BmFree f = {0};
    return bm_store_free(bs, &f, errp);
}

int qcow2_bitmaps_info(BlockDev *bs, BlockInfo *info)
{
    Qcow2State *s = qcow2_state(bs);
    if (!s->bitmaps || !s->nb_bitmaps)
        return 0;
    info->bitmaps = calloc(s->nb_bitmaps, sizeof(*info->bitmaps));
    if (!info->bitmaps)
        return -ENOMEM;
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        const Qcow2Bitmap *b = &s->bitmaps[i];
        BlockBitmapInfo *o = &info->bitmaps[i];
        o->name = strdup(b->name);
        if (!o->name)
            return -ENOMEM;
        o->granularity = 1ULL << (b->gran_bits & 63);
        o->enabled = (b->flags & QCOW2_BME_AUTO) != 0;
        o->in_use = (b->flags & QCOW2_BME_IN_USE) != 0;
        info->nb_bitmaps = (int)i + 1;
    }
    return 0;
}

/* Bitmaps another writer left in use cannot be trusted or changed. */
static int bm_check_usable(BlockDev *bs, const Qcow2Bitmap *b, char **errp)
{
    (void)bs;
    if ((b->flags & QCOW2_BME_IN_USE) && !b->tracking)
        return block_err(errp, -EBUSY,
                         "Bitmap '%s' is inconsistent and cannot be used (it was not stored "
                         "cleanly); remove it",
                         b->name);
    return 0;
}

static int bm_add(BlockDev *bs, const char *name, uint64_t granularity, bool enabled, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!name[0])
        return block_err(errp, -EINVAL, "Bitmap name cannot be empty");
    if (strlen(name) > BME_MAX_NAME)
        return block_err(errp, -EINVAL, "Bitmap name is longer than %d bytes", BME_MAX_NAME);
    if (bm_find(s, name) >= 0)
        return block_err(errp, -EEXIST, "Bitmap already exists: %s", name);
    if (!granularity)
        granularity = BLOCK_MIN(BLOCK_MAX(s->cluster_size, 4096u), 65536u);
    if (granularity < 512 || (granularity & (granularity - 1)) ||
        granularity > (1ULL << BME_MAX_GRAN_BITS))
        return block_err(errp, -EINVAL, "Granularity must be power of 2 and at least 512");
    if (s->nb_bitmaps >= BME_MAX_BITMAPS)
        return block_err(errp, -ENOSPC, "%s: too many bitmaps", bs->filename);
    uint8_t gb = (uint8_t)__builtin_ctzll(granularity);
    if (bm_bytes(bs->size, gb) > BME_MAX_DATA_BYTES)
        return block_err(errp, -EFBIG, "Bitmap of granularity %" PRIu64 " would be too large",
                         granularity);
    Qcow2Bitmap *nb = realloc(s->bitmaps, (s->nb_bitmaps + 1) * sizeof(*nb));
    if (!nb)
        return block_err(errp, -ENOMEM, "Out of memory");
    s->bitmaps = nb;
    Qcow2Bitmap *b = &nb[s->nb_bitmaps];
    memset(b, 0, sizeof(*b));
    uint64_t tsize = bm_table_size(s, bs->size, gb);
    b->name = strdup(name);
    b->extra = malloc(1);
    b->bits = calloc(1, tsize ? tsize << s->cluster_bits : 1);
    if (!b->name || !b->extra || !b->bits) {
        bm_bitmap_clear(b);
        return block_err(errp, -ENOMEM, "Out of memory");
    }
    b->bits_disk_size = bs->size;
    b->type = 1;
    b->gran_bits = gb;
    b->flags = enabled ? QCOW2_BME_AUTO : 0;
    b->data_dirty = true;
    if (enabled && s->bitmaps_started) {
        b->flags |= QCOW2_BME_IN_USE;
        b->tracking = true;
    }
    s->nb_bitmaps++;
    s->bitmaps_ext = true;
    return 0;
}

/* Sets in b every range of the disk src marks. */
static void bm_merge_bits(BlockDev *bs, Qcow2Bitmap *b, const uint8_t *src, uint64_t src_gran)
{
    uint64_t nbits = (bs->size + src_gran - 1) / src_gran;
    for (uint64_t i = 0; i < nbits; i++) {
        if (!(i & 7) && !src[i >> 3]) {
            i += 7;
            continue;
        }
        if (src[i >> 3] & (1u << (i & 7)))
            bm_mark(b, i * src_gran, src_gran);
    }
}

int qcow2_bitmap_op(BlockDev *bs, int op, const char *name, uint64_t granularity, bool enabled,
                    const uint8_t *src, uint64_t src_granularity, uint64_t src_size, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->version < 3)
        return block_err(errp, -ENOTSUP, "Cannot store dirty bitmaps in qcow2 v2 files");
    if (s->bitmaps_error)
        return block_err(errp, -EINVAL, "%s: %s", bs->filename, s->bitmaps_error);
    if (!s->bitmaps_ext && s->nb_bitmaps == 0 && s->exts) {
        for (int i = 0; i < s->nb_exts; i++)
            if (s->exts[i].type == QCOW2_EXT_BITMAPS)
                return block_err(errp, -EINVAL,
                                 "%s: the image holds a stale bitmaps extension (autoclear bit "
                                 "clear); refusing to replace it",
                                 bs->filename);
    }
    if (op == BLOCK_BITMAP_ADD) {
        int ret = bm_add(bs, name, granularity, enabled, errp);
        BmFree f = {0};
        return ret < 0 ? ret : bm_store_free(bs, &f, errp);
    }
    int i = bm_find(s, name);
    if (i < 0)
        return block_err(errp, -ENOENT, "Dirty bitmap '%s' not found", name);
    Qcow2Bitmap *b = &s->bitmaps[i];
    BmFree f = {0};
    int ret = 0;
    switch (op) {
    case BLOCK_BITMAP_REMOVE:
        ret = bm_collect(bs, b, &f, errp);
        if (ret < 0)
            break;
        bm_bitmap_clear(b);
        memmove(b, b + 1, (s->nb_bitmaps - (uint32_t)i - 1) * sizeof(*b));
        s->nb_bitmaps--;
        break;
    case BLOCK_BITMAP_CLEAR:
        if ((ret = bm_check_usable(bs, b, errp)) < 0)
            break;
        if (!b->bits && (ret = bm_load_bits(bs, b, errp)) < 0)
            break;
        memset(b->bits, 0, (size_t)bm_bytes(b->bits_disk_size, b->gran_bits));
        b->data_dirty = true;
        break;
    case BLOCK_BITMAP_ENABLE:
    case BLOCK_BITMAP_DISABLE:
        if ((ret = bm_check_usable(bs, b, errp)) < 0)
            break;
        if (op == BLOCK_BITMAP_ENABLE) {
            b->flags |= QCOW2_BME_AUTO;
            if (s->bitmaps_started && !b->tracking) {
                if ((ret = bm_load_bits(bs, b, errp)) < 0)
                    break;
                b->tracking = true;
                b->flags |= QCOW2_BME_IN_USE;
            }
        } else {
            b->flags &= ~QCOW2_BME_AUTO;
            if (b->tracking) {
                b->tracking = false;
                b->flags &= ~QCOW2_BME_IN_USE;
            }
        }
        break;
    case BLOCK_BITMAP_MERGE:
        if ((ret = bm_check_usable(bs, b, errp)) < 0)
            break;
        if (src_size != bs->size) {
            ret = block_err(errp, -EINVAL,
                            "Bitmaps are incompatible: the source covers %" PRIu64
                            " bytes, '%s' %" PRIu64,
                            src_size, name, bs->size);
            break;
        }
        if (!src_granularity || (src_granularity & (src_granularity - 1))) {
            ret = block_err(errp, -EINVAL, "invalid source bitmap granularity");
            break;
        }
        if ((ret = bm_load_bits(bs, b, errp)) < 0 || (ret = bm_fit(bs, b, errp)) < 0)
            break;
        bm_merge_bits(bs, b, src, src_granularity);
        b->data_dirty = true;
        break;
    default: ret = block_err(errp, -EINVAL, "internal error: unknown bitmap operation"); break;
    }
    if (ret == 0)
        return bm_store_free(bs, &f, errp);
    free(f.v);
    return ret;
}

int qcow2_bitmap_get(BlockDev *bs, const char *name, uint8_t **bits, uint64_t *granularity,
                     uint64_t *size, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (s->bitmaps_error)
        return block_err(errp, -EINVAL, "%s: %s", bs->filename, s->bitmaps_error);
    int i = bm_find(s, name);
    if (i < 0)
        return block_err(errp, -ENOENT, "Dirty bitmap '%s' not found", name);
    Qcow2Bitmap *b = &s->bitmaps[i];
    int ret = bm_check_usable(bs, b, errp);
    if (ret == 0)
        ret = bm_load_bits(bs, b, errp);
    if (ret < 0)
        return ret;
    if ((ret = bm_fit(bs, b, errp)) < 0)
        return ret;
    uint64_t bytes = bm_bytes(bs->size, b->gran_bits);
    *bits = malloc(bytes ? bytes : 1);
    if (!*bits)
        return block_err(errp, -ENOMEM, "Out of memory");
    memcpy(*bits, b->bits, bytes);
    *granularity = 1ULL << b->gran_bits;
    *size = bs->size;
    return 0;
}
