/*
 * The memory API (system/memory.h): the region tree, its flattening into one
 * sorted view per address space, lookups, bus-master accesses and the MMIO
 * access rules (valid/impl sizes, splitting, widening, endianness).
 *
 * Concurrency: the tree changes only under the global lock (one writer at a
 * time); vCPU threads look up flat views at any moment, without locks. Each
 * address space publishes an immutable FlatView with an atomic pointer swap.
 * Readers bracket the pointer load with a tiny epoch-counted read section
 * (two atomic adds, never blocking); the writer, after the swap, waits until
 * every read section that might have seen the old pointer has left (a grace
 * period, microseconds at most) and only then drops the space's reference.
 * Readers that keep a view longer (bus-master accesses that call devices,
 * which may themselves remap regions) take a reference inside the read
 * section, so the old view is freed by whoever lets go of it last.
 */
#include "system/memory.h"
#include "system/log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef __int128 i128;

/* log.c lives in mimic_system; this library also links without it (its
 * unit tests), so it refers to the logger weakly and logs only if present. */
#pragma weak log_mask
#pragma weak log_printf

static bool mem_log(unsigned item)
{
    return &log_mask != NULL && &log_printf != NULL && (log_mask & item);
}

typedef enum MRKind {
    MR_CONTAINER,
    MR_RAM,
    MR_ROM,
    MR_IO,
    MR_ROMDEV, /* flash: RAM-backed reads in ROMD mode, writes to ops */
    MR_ALIAS,
} MRKind;

struct MemoryRegion {
    char *name;
    MRKind kind;
    i128 size; /* 2^64 is stored as such; memory_region_size() reports UINT64_MAX */

    const MemoryRegionOps *ops;
    void *opaque;

    uint8_t *ram;
    size_t ram_map_size;
    uint64_t ram_addr;
    _Atomic unsigned long *code_bitmap; /* one bit per page holding translated code */

    MemoryRegion *alias;
    uint64_t alias_offset;

    MemoryRegion *parent;
    uint64_t addr;
    int priority;
    uint64_t seq; /* insertion order: later wins at equal priority */
    bool enabled;
    bool readonly;
    bool romd; /* MR_ROMDEV: reads come from RAM (else from ops too) */

    MemoryRegion **subs; /* sorted: priority descending, then seq descending */
    int n_subs, cap_subs;
};

/* One range of a flat view, with 128-bit bounds so a 2^64-byte space fits. */
typedef struct FlatRange {
    i128 start, end;
    MemoryRegion *mr;
    uint64_t offset;
    bool readonly;
} FlatRange;

typedef struct FlatView {
    atomic_int ref;
    int n;
    FlatRange *r;
} FlatView;

typedef struct ListenerEntry {
    MemoryListener *l;
} ListenerEntry;

struct AddressSpace {
    char *name;
    MemoryRegion *root;
    _Atomic(FlatView *) view;
    MemoryListener **listeners;
    int n_listeners;
    AddressSpace *next;
};

#define CODE_PAGE_BITS 12
#define BITS_PER_LONG  (8 * sizeof(unsigned long))

static pthread_mutex_t grace_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t read_epoch;
static atomic_int readers[2]; /* read sections in progress, by epoch parity */
static pthread_mutex_t ram_lock = PTHREAD_MUTEX_INITIALIZER;
static AddressSpace *all_spaces;
static int transaction_depth;
static bool topology_changed;
static uint64_t next_seq;
static uint64_t next_ram_addr;
static MemoryCodeWriteFn code_write_fn;

/* RAM blocks by ram_addr, for the code-page bitmap and ram_addr→host:
 * read without locks like the flat views, replaced by copy on change. */
typedef struct RamBlockList {
    int n;
    MemoryRegion *b[];
} RamBlockList;
static _Atomic(RamBlockList *) ram_blocks;

/* Enters a read section: registers under the current epoch, retrying if a
 * writer flipped it meanwhile (then it may not have waited for us). */
static int read_section_enter(void)
{
    for (;;) {
        uint_fast64_t e = atomic_load(&read_epoch);
        atomic_fetch_add(&readers[e & 1], 1);
        if (atomic_load(&read_epoch) == e) {
            return (int)(e & 1);
        }
        atomic_fetch_sub(&readers[e & 1], 1);
    }
}

static void read_section_leave(int idx)
{
    atomic_fetch_sub(&readers[idx], 1);
}

/* Returns once every read section that could have loaded a view pointer
 * before the caller's swap has left. */
static void wait_for_readers(void)
{
    pthread_mutex_lock(&grace_lock);
    uint_fast64_t e = atomic_fetch_add(&read_epoch, 1);
    while (atomic_load(&readers[e & 1]) != 0) {
        sched_yield();
    }
    pthread_mutex_unlock(&grace_lock);
}

static void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "mimic: out of memory\n");
        abort();
    }
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "mimic: out of memory\n");
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    if (!d) {
        abort();
    }
    return d;
}

static void set_error(char **errp, const char *fmt, const char *a, const char *b)
{
    if (!errp) {
        return;
    }
    char *msg = NULL;
    if (asprintf(&msg, fmt, a, b) < 0) {
        msg = NULL;
    }
    *errp = msg;
}

static i128 size_from_u64(uint64_t size)
{
    return size == UINT64_MAX ? (i128)1 << 64 : (i128)size;
}

static MemoryRegion *region_alloc(const char *name, MRKind kind, uint64_t size)
{
    MemoryRegion *mr = xzalloc(sizeof(*mr));
    mr->name = xstrdup(name);
    mr->kind = kind;
    mr->size = size_from_u64(size);
    mr->enabled = true;
    mr->ram_addr = UINT64_MAX;
    return mr;
}

/* Reads served straight from host memory. */
static bool mr_reads_ram(const MemoryRegion *mr)
{
    return mr->kind == MR_RAM || mr->kind == MR_ROM || (mr->kind == MR_ROMDEV && mr->romd);
}

/* Reads that go through the callbacks. */
static bool mr_reads_ops(const MemoryRegion *mr)
{
    return mr->kind == MR_IO || (mr->kind == MR_ROMDEV && !mr->romd);
}

/* ---- Topology changes ---------------------------------------------------- */

static void flatviews_rebuild(void);

static void topology_touch(void)
{
    topology_changed = true;
    if (transaction_depth == 0) {
        flatviews_rebuild();
    }
}

void memory_region_transaction_begin(void)
{
    transaction_depth++;
}

void memory_region_transaction_commit(void)
{
    if (transaction_depth > 0 && --transaction_depth == 0 && topology_changed) {
        flatviews_rebuild();
    }
}

/* A region's change matters only if it can be seen from some address space;
 * rebuilding every space on any change keeps this simple and is cheap. */
static bool region_is_visible(const MemoryRegion *mr)
{
    while (mr->parent) {
        mr = mr->parent;
    }
    for (AddressSpace *as = all_spaces; as; as = as->next) {
        if (as->root == mr) {
            return true;
        }
    }
    /* Aliases may point into a detached tree: be conservative. */
    return all_spaces != NULL;
}

/* ---- Region creation ------------------------------------------------------ */

MemoryRegion *memory_region_new_container(const char *name, uint64_t size)
{
    return region_alloc(name, MR_CONTAINER, size);
}

static void ram_block_add(MemoryRegion *mr)
{
    size_t pages = (mr->ram_map_size + (1u << CODE_PAGE_BITS) - 1) >> CODE_PAGE_BITS;
    mr->code_bitmap = xzalloc(((pages + BITS_PER_LONG - 1) / BITS_PER_LONG) * sizeof(long));
    pthread_mutex_lock(&ram_lock);
    mr->ram_addr = next_ram_addr;
    /* Keep blocks page-aligned and apart so a page never spans two blocks. */
    next_ram_addr += (uint64_t)pages << CODE_PAGE_BITS;
    next_ram_addr += 1u << CODE_PAGE_BITS;
    RamBlockList *old = atomic_load(&ram_blocks);
    int n = old ? old->n : 0;
    RamBlockList *list = xzalloc(sizeof(*list) + (n + 1) * sizeof(list->b[0]));
    if (n) {
        memcpy(list->b, old->b, n * sizeof(list->b[0]));
    }
    list->b[n] = mr; /* ram_addr only grows: the list stays sorted */
    list->n = n + 1;
    atomic_store(&ram_blocks, list);
    wait_for_readers();
    free(old);
    pthread_mutex_unlock(&ram_lock);
}

static void ram_block_remove(MemoryRegion *mr)
{
    pthread_mutex_lock(&ram_lock);
    RamBlockList *old = atomic_load(&ram_blocks);
    RamBlockList *list = xzalloc(sizeof(*list) + old->n * sizeof(list->b[0]));
    for (int i = 0; i < old->n; i++) {
        if (old->b[i] != mr) {
            list->b[list->n++] = old->b[i];
        }
    }
    atomic_store(&ram_blocks, list);
    wait_for_readers();
    free(old);
    pthread_mutex_unlock(&ram_lock);
}

static MemoryRegion *ram_region_new(const char *name, MRKind kind, uint64_t size)
{
    MemoryRegion *mr = region_alloc(name, kind, size);
    mr->ram_map_size = size ? size : 1;
    void *p = mmap(NULL, mr->ram_map_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "mimic: cannot allocate %" PRIu64 " bytes for %s: %s\n", size, name,
                strerror(errno));
        exit(1);
    }
    mr->ram = p;
    mr->readonly = kind == MR_ROM;
    ram_block_add(mr);
    return mr;
}

MemoryRegion *memory_region_new_ram(const char *name, uint64_t size)
{
    return ram_region_new(name, MR_RAM, size);
}

MemoryRegion *memory_region_new_rom(const char *name, uint64_t size)
{
    return ram_region_new(name, MR_ROM, size);
}

MemoryRegion *memory_region_new_ram_file(const char *name, uint64_t size, const char *path,
                                         char **errp)
{
    struct stat st;
    int fd;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* A directory (hugetlbfs mount): back the RAM with an unlinked file. */
        char *tmpl = NULL;
        if (asprintf(&tmpl, "%s/mimic_%s.XXXXXX", path, "ram") < 0) {
            set_error(errp, "%s: %s", path, "out of memory");
            return NULL;
        }
        fd = mkstemp(tmpl);
        if (fd >= 0) {
            unlink(tmpl);
        }
        free(tmpl);
    } else {
        fd = open(path, O_RDWR | O_CREAT, 0600);
    }
    if (fd < 0) {
        set_error(errp, "cannot open memory backing file %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size < size && ftruncate(fd, size) < 0) {
        set_error(errp, "cannot size memory backing file %s: %s", path, strerror(errno));
        close(fd);
        return NULL;
    }
    void *p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        set_error(errp, "cannot map memory backing file %s: %s", path, strerror(errno));
        return NULL;
    }
    MemoryRegion *mr = region_alloc(name, MR_RAM, size);
    mr->ram = p;
    mr->ram_map_size = size ? size : 1;
    ram_block_add(mr);
    return mr;
}

MemoryRegion *memory_region_new_io(const char *name, uint64_t size, const MemoryRegionOps *ops,
                                   void *opaque)
{
    MemoryRegion *mr = region_alloc(name, MR_IO, size);
    mr->ops = ops;
    mr->opaque = opaque;
    return mr;
}

MemoryRegion *memory_region_new_rom_device(const char *name, uint64_t size,
                                           const MemoryRegionOps *ops, void *opaque)
{
    MemoryRegion *mr = ram_region_new(name, MR_ROMDEV, size);
    mr->readonly = false;
    mr->romd = true;
    mr->ops = ops;
    mr->opaque = opaque;
    return mr;
}

void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd)
{
    if (mr->kind != MR_ROMDEV || mr->romd == romd) {
        return;
    }
    mr->romd = romd;
    if (region_is_visible(mr)) {
        topology_touch();
    }
}

MemoryRegion *memory_region_new_alias(const char *name, MemoryRegion *orig, uint64_t offset,
                                      uint64_t size)
{
    MemoryRegion *mr = region_alloc(name, MR_ALIAS, size);
    mr->alias = orig;
    mr->alias_offset = offset;
    return mr;
}

void memory_region_free(MemoryRegion *mr)
{
    if (!mr) {
        return;
    }
    memory_region_transaction_begin();
    if (mr->parent) {
        memory_region_del_subregion(mr->parent, mr);
    }
    for (int i = 0; i < mr->n_subs; i++) {
        mr->subs[i]->parent = NULL;
    }
    if (mr->n_subs) {
        topology_touch();
    }
    for (AddressSpace *as = all_spaces; as; as = as->next) {
        if (as->root == mr) {
            as->root = NULL;
            topology_touch();
        }
    }
    memory_region_transaction_commit();
    if (topology_changed) {
        /* Inside an outer transaction: the views must stop pointing at mr
         * before it goes, even if that costs an extra rebuild. */
        flatviews_rebuild();
    }
    if (mr->ram) {
        ram_block_remove(mr);
        munmap(mr->ram, mr->ram_map_size);
    }
    free((void *)mr->code_bitmap);
    free(mr->subs);
    free(mr->name);
    free(mr);
}

/* ---- Subregions ------------------------------------------------------------ */

static bool sub_before(const MemoryRegion *a, const MemoryRegion *b)
{
    if (a->priority != b->priority) {
        return a->priority > b->priority;
    }
    return a->seq > b->seq;
}

void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t offset, MemoryRegion *child,
                                         int priority)
{
    if (child->parent) {
        fprintf(stderr, "mimic: memory region %s is already mapped in %s\n", child->name,
                child->parent->name);
        abort();
    }
    child->parent = parent;
    child->addr = offset;
    child->priority = priority;
    child->seq = next_seq++;
    if (parent->n_subs == parent->cap_subs) {
        parent->cap_subs = parent->cap_subs ? 2 * parent->cap_subs : 4;
        parent->subs = xrealloc(parent->subs, parent->cap_subs * sizeof(*parent->subs));
    }
    int i = parent->n_subs;
    while (i > 0 && sub_before(child, parent->subs[i - 1])) {
        parent->subs[i] = parent->subs[i - 1];
        i--;
    }
    parent->subs[i] = child;
    parent->n_subs++;
    topology_touch();
}

void memory_region_add_subregion(MemoryRegion *parent, uint64_t offset, MemoryRegion *child)
{
    memory_region_add_subregion_overlap(parent, offset, child, 0);
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *child)
{
    for (int i = 0; i < parent->n_subs; i++) {
        if (parent->subs[i] == child) {
            memmove(&parent->subs[i], &parent->subs[i + 1],
                    (parent->n_subs - i - 1) * sizeof(*parent->subs));
            parent->n_subs--;
            child->parent = NULL;
            topology_touch();
            return;
        }
    }
}

void memory_region_set_address(MemoryRegion *mr, uint64_t offset)
{
    if (mr->addr == offset) {
        return;
    }
    mr->addr = offset;
    if (mr->parent && region_is_visible(mr)) {
        topology_touch();
    }
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled == enabled) {
        return;
    }
    mr->enabled = enabled;
    if (region_is_visible(mr)) {
        topology_touch();
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    if (mr->alias_offset == offset) {
        return;
    }
    mr->alias_offset = offset;
    if (region_is_visible(mr)) {
        topology_touch();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly == readonly) {
        return;
    }
    mr->readonly = readonly;
    if (region_is_visible(mr)) {
        topology_touch();
    }
}

const char *memory_region_name(const MemoryRegion *mr)
{
    return mr->name;
}

uint64_t memory_region_size(const MemoryRegion *mr)
{
    return mr->size >= ((i128)1 << 64) ? UINT64_MAX : (uint64_t)mr->size;
}

bool memory_region_is_ram(const MemoryRegion *mr)
{
    return mr_reads_ram(mr);
}

bool memory_region_is_rom(const MemoryRegion *mr)
{
    return mr->kind == MR_ROM || (mr->kind == MR_ROMDEV && mr->romd);
}

bool memory_region_is_io(const MemoryRegion *mr)
{
    return mr_reads_ops(mr);
}

bool memory_region_is_rom_device(const MemoryRegion *mr)
{
    return mr->kind == MR_ROMDEV;
}

void *memory_region_get_ram_ptr(MemoryRegion *mr)
{
    while (mr->kind == MR_ALIAS) {
        mr = mr->alias;
    }
    return mr->ram;
}

/* ---- Flattening --------------------------------------------------------- */

typedef struct FVBuilder {
    FlatRange *r;
    int n, cap;
} FVBuilder;

static void builder_push(FVBuilder *b, FlatRange fr)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->r = xrealloc(b->r, b->cap * sizeof(*b->r));
    }
    b->r[b->n++] = fr;
}

static int range_cmp(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Adds [s, e) of mr (mapped at base) only where nothing of higher precedence
 * has been rendered yet: the gaps between existing ranges. */
static void builder_fill(FVBuilder *b, i128 s, i128 e, MemoryRegion *mr, i128 base, bool ro)
{
    int n0 = b->n;
    i128 cur = s;
    for (int i = 0; i < n0 && cur < e; i++) {
        /* Copies: builder_push may move the array. */
        i128 rs = b->r[i].start, re = b->r[i].end;
        if (re <= cur || rs >= e) {
            continue;
        }
        if (rs > cur) {
            builder_push(b, (FlatRange){cur, rs, mr, (uint64_t)(cur - base), ro});
        }
        if (re > cur) {
            cur = re;
        }
    }
    if (cur < e) {
        builder_push(b, (FlatRange){cur, e, mr, (uint64_t)(cur - base), ro});
    }
    if (b->n != n0) {
        qsort(b->r, b->n, sizeof(*b->r), range_cmp);
    }
}

static void render(FVBuilder *b, MemoryRegion *mr, i128 base, i128 cs, i128 ce, bool ro, int depth)
{
    if (!mr || !mr->enabled || depth > 64) {
        return;
    }
    i128 s = base > cs ? base : cs;
    i128 e = base + mr->size < ce ? base + mr->size : ce;
    if (s >= e) {
        return;
    }
    ro |= mr->readonly;
    if (mr->kind == MR_ALIAS) {
        render(b, mr->alias, base - (i128)mr->alias_offset, s, e, ro, depth + 1);
        return;
    }
    for (int i = 0; i < mr->n_subs; i++) {
        MemoryRegion *c = mr->subs[i];
        render(b, c, base + (i128)c->addr, s, e, ro, depth + 1);
    }
    if (mr->kind != MR_CONTAINER) {
        builder_fill(b, s, e, mr, base, ro || mr->kind == MR_ROMDEV);
    }
}

static FlatView *flatview_build(MemoryRegion *root)
{
    FVBuilder b = {0};
    if (root) {
        render(&b, root, 0, 0, (i128)1 << 64, false, 0);
    }
    /* Merge neighbours that continue the same region, so the view is minimal. */
    int out = 0;
    for (int i = 0; i < b.n; i++) {
        if (out > 0) {
            FlatRange *p = &b.r[out - 1];
            if (p->mr == b.r[i].mr && p->end == b.r[i].start && p->readonly == b.r[i].readonly &&
                (i128)p->offset + (p->end - p->start) == (i128)b.r[i].offset) {
                p->end = b.r[i].end;
                continue;
            }
        }
        b.r[out++] = b.r[i];
    }
    FlatView *fv = xzalloc(sizeof(*fv));
    atomic_init(&fv->ref, 1);
    fv->n = out;
    fv->r = b.r;
    return fv;
}

static void flatview_unref(FlatView *fv)
{
    if (fv && atomic_fetch_sub(&fv->ref, 1) == 1) {
        free(fv->r);
        free(fv);
    }
}

static FlatView *flatview_get(AddressSpace *as)
{
    int idx = read_section_enter();
    FlatView *fv = atomic_load(&as->view);
    atomic_fetch_add(&fv->ref, 1);
    read_section_leave(idx);
    return fv;
}

static MemoryRegionSection range_section(const FlatRange *r)
{
    MemoryRegionSection s = {
        .mr = r->mr,
        .addr = (uint64_t)r->start,
        .size = (r->end - r->start) >= ((i128)1 << 64) ? UINT64_MAX : (uint64_t)(r->end - r->start),
        .offset_in_region = r->offset,
        .readonly = r->readonly,
    };
    return s;
}

static bool range_is_ram(const FlatRange *r)
{
    return mr_reads_ram(r->mr);
}

static bool range_same(const FlatRange *a, const FlatRange *b)
{
    return a->start == b->start && a->end == b->end && a->mr == b->mr && a->offset == b->offset &&
           a->readonly == b->readonly;
}

static void listener_diff(MemoryListener *l, FlatView *old, FlatView *new)
{
    /* Both views are sorted: a merge walk finds what vanished and appeared. */
    int i = 0, j = 0;
    while (old && i < old->n) {
        const FlatRange *o = &old->r[i];
        while (j < new->n &&new->r[j].start < o->start) {
            j++;
        }
        bool kept = false;
        for (int k = j; k < new->n &&new->r[k].start == o->start; k++) {
            if (range_same(o, &new->r[k])) {
                kept = true;
            }
        }
        if (!kept && range_is_ram(o) && l->region_del) {
            MemoryRegionSection s = range_section(o);
            l->region_del(l, &s);
        }
        i++;
    }
    j = 0;
    for (int k = 0; k < new->n; k++) {
        const FlatRange *n = &new->r[k];
        bool existed = false;
        while (old && j < old->n && old->r[j].start < n->start) {
            j++;
        }
        for (int m = j; old && m < old->n && old->r[m].start == n->start; m++) {
            if (range_same(n, &old->r[m])) {
                existed = true;
            }
        }
        if (!existed && range_is_ram(n) && l->region_add) {
            MemoryRegionSection s = range_section(n);
            l->region_add(l, &s);
        }
    }
}

static void address_space_update(AddressSpace *as)
{
    FlatView *fv = flatview_build(as->root);
    FlatView *old = atomic_exchange(&as->view, fv);
    wait_for_readers();
    for (int i = 0; i < as->n_listeners; i++) {
        MemoryListener *l = as->listeners[i];
        listener_diff(l, old, fv);
        if (l->commit) {
            l->commit(l);
        }
    }
    flatview_unref(old);
}

static void flatviews_rebuild(void)
{
    topology_changed = false;
    for (AddressSpace *as = all_spaces; as; as = as->next) {
        address_space_update(as);
    }
}

/* ---- Address spaces ------------------------------------------------------- */

AddressSpace *address_space_new(MemoryRegion *root, const char *name)
{
    AddressSpace *as = xzalloc(sizeof(*as));
    as->name = xstrdup(name);
    as->root = root;
    atomic_init(&as->view, flatview_build(root));
    as->next = all_spaces;
    all_spaces = as;
    return as;
}

void address_space_free(AddressSpace *as)
{
    if (!as) {
        return;
    }
    for (AddressSpace **p = &all_spaces; *p; p = &(*p)->next) {
        if (*p == as) {
            *p = as->next;
            break;
        }
    }
    flatview_unref(atomic_load(&as->view));
    free(as->listeners);
    free(as->name);
    free(as);
}

MemoryRegion *address_space_root(AddressSpace *as)
{
    return as->root;
}

static int flatview_find(const FlatView *fv, uint64_t addr)
{
    int lo = 0, hi = fv->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        const FlatRange *r = &fv->r[mid];
        if ((i128)addr < r->start) {
            hi = mid - 1;
        } else if ((i128)addr >= r->end) {
            lo = mid + 1;
        } else {
            return mid;
        }
    }
    return -1 - lo; /* encodes the index of the next range after the hole */
}

static MemoryRegionSection flatview_lookup(const FlatView *fv, uint64_t addr)
{
    int i = flatview_find(fv, addr);
    if (i >= 0) {
        return range_section(&fv->r[i]);
    }
    int next = -1 - i;
    i128 start = next > 0 ? fv->r[next - 1].end : 0;
    i128 end = next < fv->n ? fv->r[next].start : (i128)1 << 64;
    MemoryRegionSection s = {
        .mr = NULL,
        .addr = (uint64_t)start,
        .size = end - start >= ((i128)1 << 64) ? UINT64_MAX : (uint64_t)(end - start),
    };
    return s;
}

MemoryRegionSection address_space_lookup(AddressSpace *as, uint64_t addr)
{
    int idx = read_section_enter();
    MemoryRegionSection s = flatview_lookup(atomic_load(&as->view), addr);
    read_section_leave(idx);
    return s;
}

void address_space_foreach_section(AddressSpace *as,
                                   void (*fn)(const MemoryRegionSection *s, void *opaque),
                                   void *opaque)
{
    FlatView *fv = flatview_get(as);
    for (int i = 0; i < fv->n; i++) {
        MemoryRegionSection s = range_section(&fv->r[i]);
        fn(&s, opaque);
    }
    flatview_unref(fv);
}

void memory_listener_register(AddressSpace *as, MemoryListener *l)
{
    as->listeners = xrealloc(as->listeners, (as->n_listeners + 1) * sizeof(*as->listeners));
    as->listeners[as->n_listeners++] = l;
    /* Replay the current map so the listener starts in sync. */
    FlatView *fv = flatview_get(as);
    listener_diff(l, NULL, fv);
    flatview_unref(fv);
    if (l->commit) {
        l->commit(l);
    }
}

void memory_listener_unregister(AddressSpace *as, MemoryListener *l)
{
    for (int i = 0; i < as->n_listeners; i++) {
        if (as->listeners[i] == l) {
            memmove(&as->listeners[i], &as->listeners[i + 1],
                    (as->n_listeners - i - 1) * sizeof(*as->listeners));
            as->n_listeners--;
            return;
        }
    }
}

/* ---- Code pages (self-modifying code) --------------------------------------- */

void memory_set_code_write_notifier(MemoryCodeWriteFn fn)
{
    code_write_fn = fn;
}

uint64_t memory_region_get_ram_addr(const MemoryRegion *mr)
{
    while (mr->kind == MR_ALIAS) {
        mr = mr->alias;
    }
    return mr->ram ? mr->ram_addr : UINT64_MAX;
}

static MemoryRegion *ram_block_find(uint64_t ram_addr)
{
    MemoryRegion *found = NULL;
    int idx = read_section_enter();
    RamBlockList *list = atomic_load(&ram_blocks);
    int lo = 0, hi = list ? list->n - 1 : -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        MemoryRegion *mr = list->b[mid];
        if (ram_addr < mr->ram_addr) {
            hi = mid - 1;
        } else if (ram_addr >= mr->ram_addr + mr->ram_map_size) {
            lo = mid + 1;
        } else {
            found = mr;
            break;
        }
    }
    read_section_leave(idx);
    return found;
}

void *memory_ram_addr_to_host(uint64_t ram_addr)
{
    MemoryRegion *mr = ram_block_find(ram_addr);
    return mr ? mr->ram + (ram_addr - mr->ram_addr) : NULL;
}

static void code_bit_update(uint64_t ram_addr, bool set)
{
    MemoryRegion *mr = ram_block_find(ram_addr);
    if (!mr) {
        return;
    }
    uint64_t page = (ram_addr - mr->ram_addr) >> CODE_PAGE_BITS;
    unsigned long bit = 1ul << (page % BITS_PER_LONG);
    if (set) {
        atomic_fetch_or(&mr->code_bitmap[page / BITS_PER_LONG], bit);
    } else {
        atomic_fetch_and(&mr->code_bitmap[page / BITS_PER_LONG], ~bit);
    }
}

void memory_ram_set_code_page(uint64_t ram_addr)
{
    code_bit_update(ram_addr, true);
}

void memory_ram_clear_code_page(uint64_t ram_addr)
{
    code_bit_update(ram_addr, false);
}

static bool region_has_code(MemoryRegion *mr, uint64_t off, uint64_t len)
{
    if (!len) {
        return false;
    }
    uint64_t first = off >> CODE_PAGE_BITS, last = (off + len - 1) >> CODE_PAGE_BITS;
    for (uint64_t p = first; p <= last; p++) {
        if (atomic_load_explicit(&mr->code_bitmap[p / BITS_PER_LONG], memory_order_relaxed) &
            (1ul << (p % BITS_PER_LONG))) {
            return true;
        }
    }
    return false;
}

/*
 * After a write to RAM: translated code of those bytes is stale. The write comes first: a
 * translation running meanwhile either marked the page before our check (and its block
 * is invalidated now) or compares its bytes with RAM after marking and sees ours.
 */
static void notify_code_write(MemoryRegion *mr, uint64_t off, uint64_t len)
{
    if (!code_write_fn) {
        return;
    }
    atomic_thread_fence(memory_order_seq_cst);
    if (region_has_code(mr, off, len)) {
        code_write_fn(mr->ram_addr + off, (unsigned)(len > UINT32_MAX ? UINT32_MAX : len));
    }
}

bool memory_ram_is_code_page(uint64_t ram_addr)
{
    MemoryRegion *mr = ram_block_find(ram_addr);
    return mr && region_has_code(mr, ram_addr - mr->ram_addr, 1);
}

/* ---- MMIO dispatch ---------------------------------------------------------- */

static bool device_is_be(const MemoryRegionOps *ops)
{
    return ops->endianness == DEVICE_BIG_ENDIAN;
}

static void value_to_bytes(uint64_t v, unsigned size, bool be, uint8_t *out)
{
    for (unsigned i = 0; i < size; i++) {
        unsigned shift = 8 * (be ? size - 1 - i : i);
        out[i] = (uint8_t)(v >> shift);
    }
}

static uint64_t bytes_to_value(const uint8_t *in, unsigned size, bool be)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        unsigned shift = 8 * (be ? size - 1 - i : i);
        v |= (uint64_t)in[i] << shift;
    }
    return v;
}

static unsigned pow2_floor(unsigned v)
{
    unsigned p = 1;
    while (p * 2 <= v) {
        p *= 2;
    }
    return p;
}

static void ops_impl(const MemoryRegionOps *ops, unsigned *min, unsigned *max, bool *unaligned)
{
    unsigned vmin = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
    unsigned vmax = ops->valid.max_access_size ? ops->valid.max_access_size : 4;
    if (!ops->impl.min_access_size && !ops->impl.max_access_size) {
        *min = vmin;
        *max = vmax;
        *unaligned = ops->valid.unaligned;
    } else {
        *min = ops->impl.min_access_size ? ops->impl.min_access_size : 1;
        *max = ops->impl.max_access_size ? ops->impl.max_access_size : 4;
        *unaligned = ops->impl.unaligned;
    }
    if (*max > 8) {
        *max = 8;
    }
    if (*min > *max) {
        *min = *max;
    }
}

/* Moves `size` bytes at `addr` of an I/O region to or from `buf`, laid out as
 * the device's registers appear in memory (byte lanes in the device's
 * endianness). Calls the callbacks with sizes the device implements. */
static void io_access_bytes(MemoryRegion *mr, uint64_t addr, unsigned size, uint8_t *buf,
                            bool write)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin, imax;
    bool iunaligned;
    ops_impl(ops, &imin, &imax, &iunaligned);
    unsigned a = size < imin ? imin : size > imax ? imax : size;
    a = pow2_floor(a);
    bool be = device_is_be(ops);

    if (iunaligned || ((addr & (a - 1)) == 0 && (size & (a - 1)) == 0)) {
        if (size % a == 0) {
            for (unsigned done = 0; done < size; done += a) {
                if (write) {
                    if (ops->write) {
                        ops->write(mr->opaque, addr + done, bytes_to_value(buf + done, a, be), a);
                    }
                } else {
                    uint64_t v = ops->read ? ops->read(mr->opaque, addr + done, a) : 0;
                    value_to_bytes(v, a, be, buf + done);
                }
            }
            return;
        }
    }
    /* Widen (or realign): go through naturally aligned chunks of `a` bytes
     * covering the access. A partly written chunk is written with zeros in the
     * bytes the guest did not write, never read first: reads of device
     * registers have side effects (a UART's data register pops its receive
     * FIFO, an interrupt controller's acknowledge register takes an
     * interrupt), so a read-modify-write would lose data. */
    uint64_t start = addr & ~(uint64_t)(a - 1);
    uint64_t end = (addr + size + a - 1) & ~(uint64_t)(a - 1);
    for (uint64_t c = start; c < end; c += a) {
        uint8_t chunk[8];
        uint64_t lo = c > addr ? c : addr;
        uint64_t hi = c + a < addr + size ? c + a : addr + size;
        bool full = lo == c && hi == c + a;
        if (!write) {
            uint64_t v = ops->read ? ops->read(mr->opaque, c, a) : 0;
            value_to_bytes(v, a, be, chunk);
        } else if (!full) {
            memset(chunk, 0, sizeof(chunk));
        }
        if (write) {
            memcpy(chunk + (lo - c), buf + (lo - addr), hi - lo);
            if (ops->write) {
                ops->write(mr->opaque, c, bytes_to_value(chunk, a, be), a);
            }
        } else {
            memcpy(buf + (lo - addr), chunk + (lo - c), hi - lo);
        }
    }
}

/* Applies `valid`: false (with *res set) if the access must not reach the
 * device. */
static bool io_access_valid(MemoryRegion *mr, uint64_t addr, unsigned size, MemTxResult *res)
{
    const MemoryRegionOps *ops = mr->ops;
    if (!ops) {
        *res = MEMTX_OK;
        return false;
    }
    unsigned vmin = ops->valid.min_access_size ? ops->valid.min_access_size : 1;
    unsigned vmax = ops->valid.max_access_size ? ops->valid.max_access_size : 4;
    bool ok = size >= vmin && size <= vmax && size <= 8 && (size & (size - 1)) == 0;
    if (ok && !ops->valid.unaligned && (addr & (size - 1))) {
        ok = false;
    }
    if (ok && (i128)addr + size > mr->size) {
        ok = false;
    }
    if (!ok) {
        *res = ops->valid.accepts_bad ? MEMTX_OK : MEMTX_ERROR;
        if (mem_log(LOG_GUEST_ERROR)) {
            log_printf("memory: invalid %u-byte access at offset 0x%" PRIx64 " of '%s'\n", size,
                       addr, mr->name);
        }
    }
    return ok;
}

MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr, unsigned size,
                                        bool big_endian, uint64_t *val)
{
    MemTxResult res;
    *val = 0;
    if (mr_reads_ram(mr)) {
        if ((i128)addr + size > mr->size || size > 8) {
            return MEMTX_ERROR;
        }
        *val = bytes_to_value(mr->ram + addr, size, big_endian);
        return MEMTX_OK;
    }
    if (!mr_reads_ops(mr)) {
        return MEMTX_DECODE_ERROR;
    }
    if (!io_access_valid(mr, addr, size, &res)) {
        return res;
    }
    uint8_t buf[8];
    io_access_bytes(mr, addr, size, buf, false);
    *val = bytes_to_value(buf, size, big_endian);
    return MEMTX_OK;
}

MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr, unsigned size,
                                         bool big_endian, uint64_t val)
{
    MemTxResult res;
    uint8_t buf[8];
    if (mr->kind == MR_RAM || mr->kind == MR_ROM) {
        if ((i128)addr + size > mr->size || size > 8) {
            return MEMTX_ERROR;
        }
        if (mr->readonly) {
            return MEMTX_OK;
        }
        value_to_bytes(val, size, big_endian, mr->ram + addr);
        notify_code_write(mr, addr, size);
        return MEMTX_OK;
    }
    if (mr->kind != MR_IO && mr->kind != MR_ROMDEV) {
        return MEMTX_DECODE_ERROR;
    }
    if (!io_access_valid(mr, addr, size, &res)) {
        return res;
    }
    value_to_bytes(val, size, big_endian, buf);
    io_access_bytes(mr, addr, size, buf, true);
    return MEMTX_OK;
}

/* ---- Bus-master accesses ------------------------------------------------------ */

/* Largest access the device accepts at addr for up to len bytes. */
static unsigned io_access_size(MemoryRegion *mr, uint64_t addr, uint64_t len)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned vmax = ops && ops->valid.max_access_size ? ops->valid.max_access_size : 4;
    unsigned l = pow2_floor(len < vmax ? (unsigned)len : vmax);
    if (l > 8) {
        l = 8;
    }
    if (!(ops && ops->valid.unaligned)) {
        while (l > 1 && (addr & (l - 1))) {
            l /= 2;
        }
    }
    return l;
}

typedef enum AccessKind {
    ACCESS_READ,
    ACCESS_WRITE,
    ACCESS_WRITE_ROM,
} AccessKind;

static MemTxResult address_space_rw(AddressSpace *as, uint64_t addr, uint8_t *buf, uint64_t len,
                                    AccessKind kind)
{
    MemTxResult result = MEMTX_OK;
    FlatView *fv = flatview_get(as);
    while (len > 0) {
        MemoryRegionSection s = flatview_lookup(fv, addr);
        /* A size of UINT64_MAX stands for "up to the top of the space". */
        i128 send = s.size == UINT64_MAX ? (i128)1 << 64 : (i128)s.addr + s.size;
        i128 in_section = send - (i128)addr;
        uint64_t l = (i128)len < in_section ? len : (uint64_t)in_section;
        if (!s.mr) {
            if (kind == ACCESS_READ) {
                memset(buf, 0, l);
            }
            if (!(result & MEMTX_DECODE_ERROR) && mem_log(LOG_GUEST_ERROR)) {
                log_printf("memory: unassigned %s of %" PRIu64 " bytes at 0x%" PRIx64 " in %s\n",
                           kind == ACCESS_READ ? "read" : "write", len < l ? len : l, addr,
                           as->name);
            }
            result |= MEMTX_DECODE_ERROR;
        } else if (kind == ACCESS_WRITE_ROM && s.mr->kind == MR_ROMDEV) {
            /* Loading firmware into flash fills its memory directly. */
            memcpy(s.mr->ram + s.offset_in_region + (addr - s.addr), buf, l);
        } else if (mr_reads_ops(s.mr) || (s.mr->kind == MR_ROMDEV && kind == ACCESS_WRITE)) {
            if (kind == ACCESS_WRITE_ROM) {
                /* Firmware loading skips devices. */
            } else {
                uint64_t off = s.offset_in_region + (addr - s.addr);
                l = io_access_size(s.mr, off, l);
                MemTxResult r;
                if (!io_access_valid(s.mr, off, (unsigned)l, &r)) {
                    if (kind == ACCESS_READ) {
                        memset(buf, 0, l);
                    }
                    result |= r;
                } else {
                    io_access_bytes(s.mr, off, (unsigned)l, buf, kind != ACCESS_READ);
                }
            }
        } else {
            uint64_t off = s.offset_in_region + (addr - s.addr);
            uint8_t *host = s.mr->ram + off;
            if (kind == ACCESS_READ) {
                memcpy(buf, host, l);
            } else if (kind == ACCESS_WRITE_ROM || !s.readonly) {
                memcpy(host, buf, l);
                notify_code_write(s.mr, off, l);
            }
        }
        buf += l;
        addr += l;
        len -= l;
        if (addr == 0) {
            break; /* wrapped around the top of the space */
        }
    }
    flatview_unref(fv);
    return result;
}

MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len)
{
    return address_space_rw(as, addr, buf, len, ACCESS_READ);
}

MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, ACCESS_WRITE);
}

MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, ACCESS_WRITE_ROM);
}

void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen, bool is_write)
{
    MemoryRegionSection s = address_space_lookup(as, addr);
    if (!s.mr || !mr_reads_ram(s.mr) || (is_write && s.readonly) || *plen == 0) {
        *plen = 0;
        return NULL;
    }
    i128 send = s.size == UINT64_MAX ? (i128)1 << 64 : (i128)s.addr + s.size;
    if ((i128)addr + *plen > send) {
        *plen = (uint64_t)(send - (i128)addr);
    }
    uint64_t off = s.offset_in_region + (addr - s.addr);
    if (is_write && code_write_fn && region_has_code(s.mr, off, *plen)) {
        code_write_fn(s.mr->ram_addr + off, (unsigned)(*plen > UINT32_MAX ? UINT32_MAX : *plen));
    }
    return s.mr->ram + off;
}

void address_space_unmap(void *host, uint64_t len)
{
    if (!code_write_fn || !len) {
        return;
    }
    MemoryRegion *mr = NULL;
    int idx = read_section_enter();
    RamBlockList *list = atomic_load(&ram_blocks);
    for (int i = 0; list && i < list->n; i++) {
        uint8_t *base = list->b[i]->ram;
        if ((uint8_t *)host >= base && (uint8_t *)host < base + list->b[i]->ram_map_size) {
            mr = list->b[i];
            break;
        }
    }
    read_section_leave(idx);
    if (mr) {
        notify_code_write(mr, (uint64_t)((uint8_t *)host - mr->ram), len);
    }
}

MemTxResult address_space_load(AddressSpace *as, uint64_t addr, unsigned size, bool big_endian,
                               uint64_t *val)
{
    if (size == 0 || size > 8) {
        *val = 0;
        return MEMTX_ERROR;
    }
    MemoryRegionSection s = address_space_lookup(as, addr);
    if (s.mr && mr_reads_ops(s.mr) && addr - s.addr + size <= s.size) {
        /* Keep the access whole so the device sees the requester's size. */
        return memory_region_dispatch_read(s.mr, s.offset_in_region + (addr - s.addr), size,
                                           big_endian, val);
    }
    uint8_t buf[8];
    MemTxResult r = address_space_read(as, addr, buf, size);
    *val = bytes_to_value(buf, size, big_endian);
    return r;
}

MemTxResult address_space_store(AddressSpace *as, uint64_t addr, unsigned size, bool big_endian,
                                uint64_t val)
{
    if (size == 0 || size > 8) {
        return MEMTX_ERROR;
    }
    MemoryRegionSection s = address_space_lookup(as, addr);
    if (s.mr && (s.mr->kind == MR_IO || s.mr->kind == MR_ROMDEV) &&
        addr - s.addr + size <= s.size) {
        return memory_region_dispatch_write(s.mr, s.offset_in_region + (addr - s.addr), size,
                                            big_endian, val);
    }
    uint8_t buf[8];
    value_to_bytes(val, size, big_endian, buf);
    return address_space_write(as, addr, buf, size);
}

/* ---- Dumps -------------------------------------------------------------------- */

static const char *kind_name(const MemoryRegion *mr)
{
    switch (mr->kind) {
    case MR_CONTAINER: return "container";
    case MR_RAM: return mr->readonly ? "ram, readonly" : "ram";
    case MR_ROM: return "rom";
    case MR_IO: return "i/o";
    case MR_ROMDEV: return mr->romd ? "romd" : "rom device";
    case MR_ALIAS: return "alias";
    }
    return "?";
}

static uint64_t last_byte(i128 start, i128 size)
{
    i128 e = start + size - 1;
    return e >= ((i128)1 << 64) ? UINT64_MAX : (uint64_t)e;
}

static void dump_tree(FILE *f, MemoryRegion *mr, i128 base, int depth)
{
    fprintf(f, "%*s%016" PRIx64 "-%016" PRIx64 " (prio %d, %s%s): %s", 2 * depth, "",
            (uint64_t)base, mr->size ? last_byte(base, mr->size) : (uint64_t)base, mr->priority,
            kind_name(mr), mr->enabled ? "" : ", disabled", mr->name);
    if (mr->kind == MR_ALIAS) {
        fprintf(f, " @%s %016" PRIx64 "-%016" PRIx64, mr->alias ? mr->alias->name : "?",
                mr->alias_offset, last_byte(mr->alias_offset, mr->size));
    }
    fputc('\n', f);
    for (int i = 0; i < mr->n_subs; i++) {
        dump_tree(f, mr->subs[i], base + (i128)mr->subs[i]->addr, depth + 1);
    }
}

void memory_dump_tree(MemoryRegion *root, void *file)
{
    FILE *f = file;
    if (root) {
        dump_tree(f, root, root->parent ? (i128)root->addr : 0, 0);
    }
}

void address_space_dump_flat(AddressSpace *as, void *file)
{
    FILE *f = file;
    FlatView *fv = flatview_get(as);
    fprintf(f, "FlatView for %s:\n", as->name);
    for (int i = 0; i < fv->n; i++) {
        const FlatRange *r = &fv->r[i];
        fprintf(f, "  %016" PRIx64 "-%016" PRIx64 " (%s%s): %s", (uint64_t)r->start,
                last_byte(r->start, r->end - r->start), kind_name(r->mr),
                r->readonly && r->mr->kind == MR_RAM && !r->mr->readonly ? ", readonly" : "",
                r->mr->name);
        if (r->offset) {
            fprintf(f, " @%016" PRIx64, r->offset);
        }
        fputc('\n', f);
    }
    flatview_unref(fv);
}
