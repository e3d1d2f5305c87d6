/* qcow2 metadata cache: a small LRU of cluster-sized tables (L2 tables,
 * refcount blocks). Dirty L2 tables are only written after the refcount cache
 * has been flushed, so L2 entries never point at clusters whose refcounts are
 * not on disk yet. */
#include "block/qcow2.h"

int qcow2_cache_init(Qcow2Cache *c, int n, uint32_t size, bool is_l2)
{
    memset(c, 0, sizeof(*c));
    c->e = calloc((size_t)n, sizeof(*c->e));
    if (!c->e)
        return -ENOMEM;
    c->n = n;
    c->is_l2 = is_l2;
    for (int i = 0; i < n; i++) {
        c->e[i].data = malloc(size);
        if (!c->e[i].data)
            return -ENOMEM;
    }
    return 0;
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    if (!c->e)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->e[i].data);
    free(c->e);
    c->e = NULL;
}

static int qcow2_cache_write_entry(BlockDev *bs, Qcow2Cache *c, Qcow2CacheEntry *e, char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    if (!e->dirty)
        return 0;
    /* With lazy refcounts (dirty bit set) the refcounts may lag behind. */
    if (c->is_l2 && !s->dirty_set) {
        int ret = qcow2_cache_flush(bs, &s->rb_cache, errp);
        if (ret < 0)
            return ret;
    }
    int ret = file_pwrite(bs, e->offset, e->data, s->cluster_size, errp);
    if (ret < 0)
        return ret;
    e->dirty = false;
    return 0;
}

int qcow2_cache_get(BlockDev *bs, Qcow2Cache *c, uint64_t off, bool fresh, uint8_t **data,
                    char **errp)
{
    Qcow2State *s = qcow2_state(bs);
    Qcow2CacheEntry *victim = NULL;
    Qcow2CacheEntry *hot = &c->e[c->last];
    if (hot->offset == off && off) {
        hot->lru = ++c->tick;
        if (fresh)
            memset(hot->data, 0, s->cluster_size);
        *data = hot->data;
        return 0;
    }
    for (int i = 0; i < c->n; i++) {
        Qcow2CacheEntry *e = &c->e[i];
        if (e->offset == off) {
            c->last = i;
            e->lru = ++c->tick;
            if (fresh)
                memset(e->data, 0, s->cluster_size);
            *data = e->data;
            return 0;
        }
        if (!victim || e->offset == 0 || (victim->offset != 0 && e->lru < victim->lru))
            victim = e;
    }
    int ret = qcow2_cache_write_entry(bs, c, victim, errp);
    if (ret < 0)
        return ret;
    victim->offset = 0;
    if (fresh) {
        memset(victim->data, 0, s->cluster_size);
    } else {
        ret = file_pread(bs, off, victim->data, s->cluster_size, errp);
        if (ret < 0)
            return ret;
    }
    victim->offset = off;
    victim->lru = ++c->tick;
    c->last = (int)(victim - c->e);
    *data = victim->data;
    return 0;
}

void qcow2_cache_mark_dirty(Qcow2Cache *c, const uint8_t *data)
{
    for (int i = 0; i < c->n; i++) {
        if (c->e[i].data == data) {
            c->e[i].dirty = true;
            return;
        }
    }
}

int qcow2_cache_flush(BlockDev *bs, Qcow2Cache *c, char **errp)
{
    /* Write in offset order: cheaper on disk, and deterministic. */
    for (;;) {
        Qcow2CacheEntry *next = NULL;
        for (int i = 0; i < c->n; i++) {
            if (c->e[i].dirty && (!next || c->e[i].offset < next->offset))
                next = &c->e[i];
        }
        if (!next)
            return 0;
        int ret = qcow2_cache_write_entry(bs, c, next, errp);
        if (ret < 0)
            return ret;
    }
}

void qcow2_cache_drop(Qcow2Cache *c, uint64_t off)
{
    for (int i = 0; i < c->n; i++) {
        if (c->e[i].offset == off) {
            c->e[i].offset = 0;
            c->e[i].dirty = false;
        }
    }
}

void qcow2_cache_drop_all(Qcow2Cache *c)
{
    for (int i = 0; i < c->n; i++) {
        c->e[i].offset = 0;
        c->e[i].dirty = false;
    }
}
