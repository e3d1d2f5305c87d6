/*
 * cpu/tb.c: the translation-block cache: lookup by (physical pc, pc, flags) through the
 * per-CPU jump cache and a global hash table, translation on a miss, chaining of goto_tb
 * slots, invalidation of blocks whose guest code is written (self-modifying code), and
 * the full flush when the code buffer is exhausted.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"

#define TB_HASH_BITS 15
#define TB_HASH_SIZE (1u << TB_HASH_BITS)

/* Protects the hash table, the page lists, the code-address tree and jump lists. */
static pthread_mutex_t tb_mutex = PTHREAD_MUTEX_INITIALIZER;
static TranslationBlock *tb_hash[TB_HASH_SIZE];
/* ram page -> PageDesc listing the blocks with code on it. */
static GHashTable *tb_pages;
/* code_rx -> TB, to map a host return address to its block. */
static GTree *tb_by_code;
/* Every TB since the last flush (invalidated ones too: a jump cache may still hold them). */
static GPtrArray *tb_all;
static uint64_t tb_flushes;
/* Bumped whenever a page becomes a code page (see tlb_set_page). */
uint64_t tb_code_mark_gen;

typedef struct PageDesc {
    uint64_t addr;   /* key: ram_addr of the page */
    uintptr_t first; /* tagged (tb | index of this page in tb->page_addr) */
    /* One bit per 64-byte piece of the page that some block's code ever covered: stores
     * to data sharing a page with code skip the list walk. Never cleared while the page
     * stays marked, so it may say "code" where there is none any more, never the reverse. */
    uint64_t code_bits;
} PageDesc;

#define CODE_GRANULE_SHIFT 6

static uint64_t granule_bits(uint64_t start, uint64_t end, uint64_t page)
{
    uint64_t page_size = MEMORY_CODE_PAGE_SIZE;
    uint64_t a = start > page ? start - page : 0;
    uint64_t b = end < page + page_size ? end - page : page_size;
    if (b <= a) {
        return 0;
    }
    unsigned first = (unsigned)(a >> CODE_GRANULE_SHIFT);
    unsigned last = (unsigned)((b - 1) >> CODE_GRANULE_SHIFT);
    uint64_t hi = last >= 63 ? ~(uint64_t)0 : ((uint64_t)1 << (last + 1)) - 1;
    return hi & ~(((uint64_t)1 << first) - 1);
}

#define TAG_PTR(p) ((TranslationBlock *)((p) & ~(uintptr_t)3))
#define TAG_IDX(p) ((int)((p)&3))

static gint tb_code_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return x < y ? -1 : x > y;
}

static void tb_structures_init(void)
{
    if (!tb_pages) {
        tb_pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
        tb_by_code = g_tree_new_full(tb_code_cmp, NULL, NULL, NULL);
        tb_all = g_ptr_array_new();
    }
}

static unsigned tb_hash_index(uint64_t phys_pc, uint64_t pc, uint32_t flags, uint32_t cflags)
{
    uint64_t h = phys_pc * 0x9e3779b97f4a7c15ull ^ pc ^ ((uint64_t)flags << 17) ^ cflags;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return (unsigned)(h >> (64 - TB_HASH_BITS));
}

uint64_t tb_flush_count(void)
{
    return __atomic_load_n(&tb_flushes, __ATOMIC_ACQUIRE);
}

/* ---- Jump cache --------------------------------------------------------------------- */

static inline unsigned jmp_page_bit(uint64_t vaddr)
{
    return (unsigned)(vaddr >> 12) & 4095;
}

/* The first slot of set h. */
static inline CPUJumpCacheEntry *jmp_cache_set_of(CPUState *cpu, unsigned h)
{
    return &cpu->jmp_cache[h << CPU_JMP_CACHE_WAYS_BITS];
}

void tb_jmp_cache_clear(CPUState *cpu)
{
    if (!cpu->jmp_cache) {
        return; /* an accelerator without a translator */
    }
    memset(cpu->jmp_page_filter, 0, sizeof(cpu->jmp_page_filter));
    if (cpu->jmp_nb_used <= CPU_JMP_USED_MAX) {
        /* Guests flush on every address-space switch: usually few slots were filled. */
        for (unsigned i = 0; i < cpu->jmp_nb_used; i++) {
            CPUJumpCacheEntry *e = jmp_cache_set_of(cpu, cpu->jmp_used[i]);
            for (unsigned w = 0; w < CPU_JMP_CACHE_WAYS; w++) {
                __atomic_store_n(&e[w].pc, UINT64_MAX, __ATOMIC_RELAXED);
                __atomic_store_n(&e[w].tb, NULL, __ATOMIC_RELAXED); /* see remove_all_cpus */
            }
        }
    } else {
        for (unsigned i = 0; i < CPU_JMP_CACHE_SIZE; i++) {
            __atomic_store_n(&cpu->jmp_cache[i].pc, UINT64_MAX, __ATOMIC_RELAXED);
            __atomic_store_n(&cpu->jmp_cache[i].tb, NULL, __ATOMIC_RELAXED);
        }
    }
    cpu->jmp_nb_used = 0;
}

void tb_jmp_cache_clear_page(CPUState *cpu, uint64_t vaddr, int page_bits)
{
    if (!cpu->jmp_cache) {
        return;
    }
    /* The groups of every 4 KiB piece of the page, and of the piece before it (a block
     * starting there may extend into this page). */
    const unsigned lo_bits = CPU_JMP_CACHE_BITS - CPU_JMP_GROUP_BITS;
    uint64_t page = vaddr & ~(((uint64_t)1 << page_bits) - 1);
    uint64_t pieces = ((uint64_t)1 << page_bits) >> 12;
    if (pieces + 1 >= (1u << CPU_JMP_GROUP_BITS)) {
        tb_jmp_cache_clear(cpu);
        return;
    }
    for (uint64_t i = 0; i <= pieces; i++) {
        uint64_t piece = page + (i << 12) - 4096;
        unsigned bit = jmp_page_bit(piece);
        if (!(cpu->jmp_page_filter[bit / 64] & (1ull << (bit % 64)))) {
            continue; /* no block from this piece was cached since the last full clear */
        }
        /* The bit stays set: another page sharing it may have slots in another group. */
        unsigned grp = cpu_jmp_cache_group(piece);
        CPUJumpCacheEntry *e = jmp_cache_set_of(cpu, grp << lo_bits);
        for (unsigned j = 0; j < (CPU_JMP_CACHE_WAYS << lo_bits); j++) {
            __atomic_store_n(&e[j].pc, UINT64_MAX, __ATOMIC_RELAXED);
        }
    }
}

/* Copies src's key and block into slot e, which generated code may be reading. */
static void jmp_slot_fill(CPUJumpCacheEntry *e, uint64_t pc, uint64_t cs_base, uint32_t flags,
                          uint32_t cflags, const void *code_rx, TranslationBlock *tb)
{
    /* Unmatchable while it changes. */
    __atomic_store_n(&e->pc, UINT64_MAX, __ATOMIC_RELEASE);
    e->cs_base = cs_base;
    e->flags = flags;
    e->cflags = cflags;
    e->code_rx = code_rx;
    __atomic_store_n(&e->tb, tb, __ATOMIC_RELAXED);
    __atomic_store_n(&e->pc, pc, __ATOMIC_RELEASE);
}

/* Under tb_mutex. The new block goes to way 0, which the inline lookup tries first, and
 * way 0's block to way 1 (the set's least recently filled block leaves): two blocks that
 * alternate both stay. */
static void jmp_cache_set(CPUState *cpu, TranslationBlock *tb)
{
    unsigned h = cpu_jmp_cache_hash(tb->pc);
    CPUJumpCacheEntry *e = jmp_cache_set_of(cpu, h);
    if (cpu->jmp_nb_used < CPU_JMP_USED_MAX) {
        cpu->jmp_used[cpu->jmp_nb_used++] = (uint16_t)h;
    } else {
        cpu->jmp_nb_used = CPU_JMP_USED_MAX + 1;
    }
    unsigned bit = jmp_page_bit(tb->pc);
    cpu->jmp_page_filter[bit / 64] |= 1ull << (bit % 64);
    uint64_t pc0 = __atomic_load_n(&e[0].pc, __ATOMIC_RELAXED);
    if (pc0 != UINT64_MAX && e[0].tb != tb && !(pc0 == tb->pc && e[0].flags == tb->flags)) {
        jmp_slot_fill(&e[1], pc0, e[0].cs_base, e[0].flags, e[0].cflags, e[0].code_rx, e[0].tb);
    } else if (e[1].tb == tb) {
        __atomic_store_n(&e[1].pc, UINT64_MAX, __ATOMIC_RELEASE);
    }
    jmp_slot_fill(&e[0], tb->pc, tb->cs_base, tb->flags, tb->cflags, tb->code_rx, tb);
}

static void jmp_cache_remove_all_cpus(TranslationBlock *tb)
{
    unsigned h = cpu_jmp_cache_hash(tb->pc);
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        CPUJumpCacheEntry *e = jmp_cache_set_of(c, h);
        for (unsigned w = 0; w < CPU_JMP_CACHE_WAYS; w++) {
            /* Another vCPU's slots: their owner clears them without the lock. */
            if (__atomic_load_n(&e[w].tb, __ATOMIC_RELAXED) == tb) {
                __atomic_store_n(&e[w].pc, UINT64_MAX, __ATOMIC_RELEASE);
            }
        }
    }
}

/* ---- Lookup ------------------------------------------------------------------------- */

static TranslationBlock *tb_hash_find(uint64_t phys_pc, uint64_t pc, uint64_t cs_base,
                                      uint32_t flags, uint32_t cflags)
{
    for (TranslationBlock *tb = tb_hash[tb_hash_index(phys_pc, pc, flags, cflags)]; tb;
         tb = tb->hash_next) {
        if (tb->phys_pc == phys_pc && tb->pc == pc && tb->cs_base == cs_base &&
            tb->flags == flags && tb->cflags == cflags && !tb->invalid) {
            return tb;
        }
    }
    return NULL;
}

TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                            uint32_t cflags)
{
    CPUJumpCacheEntry *e = jmp_cache_set_of(cpu, cpu_jmp_cache_hash(pc));
    for (unsigned w = 0; w < CPU_JMP_CACHE_WAYS; w++) {
        TranslationBlock *tb = e[w].tb;
        if (e[w].pc == pc && tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags &&
            tb->cflags == cflags && !tb->invalid) {
            return tb;
        }
    }
    TranslationBlock *tb;
    /* The jump cache is virtual; the hash table wants the physical page. */
    const uint8_t *host;
    uint64_t ram_addr;
    if (!tlb_get_code_page(cpu, pc, true, &host, &ram_addr)) {
        return NULL;
    }
    uint64_t phys_pc = ram_addr + (pc & ~cpu_page_mask(cpu));
    pthread_mutex_lock(&tb_mutex);
    tb = tb_hash_find(phys_pc, pc, cs_base, flags, cflags);
    if (tb) {
        /* Under the lock: an invalidation either finds tb in the jump cache or ran before
         * the lookup. Generated code takes blocks from there without checking them. */
        jmp_cache_set(cpu, tb);
    }
    pthread_mutex_unlock(&tb_mutex);
    return tb;
}

/* Called by generated code on an inline jump-cache miss: host code to continue with, or
 * NULL to return to the loop (which translates). */
void *helper_lookup_tb_ptr(void *env)
{
    CPUState *cpu = env_cpu(env);
    uint64_t pc, cs_base;
    uint32_t flags;
    cpu->stats.jc_helper_calls++;
    cpu->ops->get_tb_flags(env, &pc, &cs_base, &flags);
    const CPUJumpCacheEntry *e = jmp_cache_set_of(cpu, cpu_jmp_cache_hash(pc));
    if (e[0].pc == pc || e[1].pc == pc) {
        cpu->stats.jc_miss_flags++;
    } else if (e[0].pc == UINT64_MAX || e[1].pc == UINT64_MAX) {
        cpu->stats.jc_miss_empty++;
    } else {
        cpu->stats.jc_miss_conflict++;
    }
    uint32_t cflags = tcg_singlestep ? 1 : 0;
    if (cpu->singlestep || cpu->cflags_next_tb || log_enabled(LOG_NOCHAIN)) {
        return NULL;
    }
    TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags, cflags);
    if (!tb) {
        return NULL;
    }
    if (log_enabled(LOG_EXEC)) {
        log_printf("Trace %d: %p [%016" PRIx64 "/%08x] (jump cache)\n", cpu->cpu_index, tb->code_rx,
                   pc, flags);
    }
    return (void *)tb->code_rx;
}

static TranslationBlock *tb_find_by_host_locked(uintptr_t host_addr)
{
    TranslationBlock *found = NULL;
    if (tb_by_code) {
        /* Greatest code_rx <= host_addr. */
        GTreeNode *n = g_tree_upper_bound(tb_by_code, (gconstpointer)host_addr);
        n = n ? g_tree_node_previous(n) : g_tree_node_last(tb_by_code);
        if (n) {
            TranslationBlock *tb = g_tree_node_value(n);
            if (host_addr >= (uintptr_t)tb->code_rx &&
                host_addr < (uintptr_t)tb->code_rx + tb->code_size) {
                found = tb;
            }
        }
    }
    return found;
}

TranslationBlock *tb_find_by_host(uintptr_t host_addr)
{
    pthread_mutex_lock(&tb_mutex);
    TranslationBlock *found = tb_find_by_host_locked(host_addr);
    pthread_mutex_unlock(&tb_mutex);
    return found;
}

/* ---- Chaining ----------------------------------------------------------------------- */

static void tb_reset_jump(TranslationBlock *tb, int n)
{
    tcg_patch_jump(cpu_any_tcg_context(), (uintptr_t)tb->code_rx + tb->jmp_insn_off[n],
                   (uintptr_t)tb->code_rx + tb->jmp_reset_off[n]);
}

void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dest)
{
    if (n < 0 || n > 1 || tb->jmp_insn_off[n] == TCG_NO_JMP) {
        return;
    }
    pthread_mutex_lock(&tb_mutex);
    if (!tb->invalid && !dest->invalid && !tb->jmp_dest[n]) {
        tb->jmp_dest[n] = dest;
        tb->jmp_list_next[n] = dest->jmp_list_head;
        dest->jmp_list_head = (uintptr_t)tb | (uintptr_t)n;
        tcg_patch_jump(current_cpu->tcg, (uintptr_t)tb->code_rx + tb->jmp_insn_off[n],
                       (uintptr_t)dest->code_rx);
        current_cpu->stats.chain_patches++;
    }
    pthread_mutex_unlock(&tb_mutex);
}

/* Removes tb's outgoing jump n from its target's incoming list. Under tb_mutex. */
static void tb_unlink_outgoing(TranslationBlock *tb, int n)
{
    TranslationBlock *dest = tb->jmp_dest[n];
    if (!dest) {
        return;
    }
    uintptr_t me = (uintptr_t)tb | (uintptr_t)n;
    uintptr_t *pp = &dest->jmp_list_head;
    while (*pp) {
        if (*pp == me) {
            *pp = tb->jmp_list_next[n];
            break;
        }
        pp = &TAG_PTR(*pp)->jmp_list_next[TAG_IDX(*pp)];
    }
    tb->jmp_dest[n] = NULL;
    tb_reset_jump(tb, n);
}

/* ---- Invalidation ------------------------------------------------------------------- */

static void page_remove_tb(uint64_t page, TranslationBlock *tb, int idx)
{
    PageDesc *pd = g_hash_table_lookup(tb_pages, &page);
    if (!pd) {
        return;
    }
    uintptr_t me = (uintptr_t)tb | (uintptr_t)idx;
    uintptr_t *pp = &pd->first;
    while (*pp) {
        if (*pp == me) {
            *pp = tb->page_next[idx];
            break;
        }
        pp = &TAG_PTR(*pp)->page_next[TAG_IDX(*pp)];
    }
    if (!pd->first) {
        memory_ram_clear_code_page(page);
        g_hash_table_remove(tb_pages, &page);
    }
}

/* Under tb_mutex. */
static void tb_invalidate_locked(TranslationBlock *tb)
{
    if (tb->invalid) {
        return;
    }
    tb->invalid = true;
    TranslationBlock **pp = &tb_hash[tb_hash_index(tb->phys_pc, tb->pc, tb->flags, tb->cflags)];
    while (*pp) {
        if (*pp == tb) {
            *pp = tb->hash_next;
            break;
        }
        pp = &(*pp)->hash_next;
    }
    for (int i = 0; i < 2; i++) {
        if (tb->page_addr[i] != UINT64_MAX) {
            page_remove_tb(tb->page_addr[i], tb, i);
        }
    }
    jmp_cache_remove_all_cpus(tb);
    /* Blocks that jump into tb now fall back to their exits. */
    while (tb->jmp_list_head) {
        uintptr_t p = tb->jmp_list_head;
        TranslationBlock *src = TAG_PTR(p);
        int n = TAG_IDX(p);
        tb->jmp_list_head = src->jmp_list_next[n];
        src->jmp_dest[n] = NULL;
        tb_reset_jump(src, n);
    }
    tb_unlink_outgoing(tb, 0);
    tb_unlink_outgoing(tb, 1);
    if (current_cpu) {
        current_cpu->stats.tb_invalidations++;
    }
}

/* Guest bytes of tb that lie on page idx, as a ram_addr range [*a, *b). */
static void tb_page_range(TranslationBlock *tb, int idx, uint64_t *pa, uint64_t *pb)
{
    uint64_t page_size = MEMORY_CODE_PAGE_SIZE;
    uint64_t a, b;
    uint64_t first_len = page_size - (tb->phys_pc & (page_size - 1));
    if (idx == 0) {
        a = tb->phys_pc;
        b = a + (tb->guest_size < first_len ? tb->guest_size : first_len);
    } else {
        a = tb->page_addr[1];
        b = a + (tb->guest_size - first_len);
    }
    if (b == a) {
        b = a + 1; /* an empty block still counts its first byte */
    }
    *pa = a;
    *pb = b;
}

static bool tb_overlaps(TranslationBlock *tb, int idx, uint64_t start, uint64_t end)
{
    uint64_t a, b;
    tb_page_range(tb, idx, &a, &b);
    return a < end && start < b;
}

/* Whether [start, end) may touch translated code. Under tb_mutex. */
static bool tb_range_has_code_locked(uint64_t start, uint64_t end)
{
    uint64_t page_size = MEMORY_CODE_PAGE_SIZE;
    if (!tb_pages) {
        return false;
    }
    for (uint64_t page = start & ~(page_size - 1); page < end; page += page_size) {
        PageDesc *pd = g_hash_table_lookup(tb_pages, &page);
        if (pd && (pd->code_bits & granule_bits(start, end, page))) {
            return true;
        }
    }
    return false;
}

/* Invalidates blocks overlapping [start, start+len); returns whether `current` was one. */
static bool tb_invalidate_range_locked(uint64_t start, uint64_t len, TranslationBlock *current)
{
    bool hit_current = false;
    uint64_t end = start + len;
    uint64_t page_size = MEMORY_CODE_PAGE_SIZE;
    for (uint64_t page = start & ~(page_size - 1); page < end; page += page_size) {
        PageDesc *pd = g_hash_table_lookup(tb_pages, &page);
        if (!pd || !(pd->code_bits & granule_bits(start, end, page))) {
            continue;
        }
        uintptr_t p = pd->first;
        while (p) {
            TranslationBlock *tb = TAG_PTR(p);
            int idx = TAG_IDX(p);
            uintptr_t next = tb->page_next[idx];
            if (tb_overlaps(tb, idx, start, end)) {
                if (tb == current) {
                    hit_current = true;
                }
                /* May free pd when the list empties: stop walking then. */
                bool last = next == 0;
                tb_invalidate_locked(tb);
                if (last || !g_hash_table_lookup(tb_pages, &page)) {
                    break;
                }
            }
            p = next;
        }
    }
    return hit_current;
}

void tb_invalidate_phys_range(uint64_t ram_addr, uint64_t len)
{
    pthread_mutex_lock(&tb_mutex);
    if (tb_pages) {
        tb_invalidate_range_locked(ram_addr, len, NULL);
    }
    pthread_mutex_unlock(&tb_mutex);
}

void tb_invalidate_phys_range_notify(uint64_t ram_addr, unsigned len)
{
    tb_invalidate_phys_range(ram_addr, len);
}

void tb_code_lock(void)
{
    pthread_mutex_lock(&tb_mutex);
}

void tb_code_unlock(void)
{
    pthread_mutex_unlock(&tb_mutex);
}

void tb_invalidate_for_store(CPUState *cpu, uint64_t ram_addr, unsigned len, uintptr_t retaddr)
{
    if (!tb_range_has_code_locked(ram_addr, ram_addr + len)) {
        return; /* data sharing a page with code */
    }
    TranslationBlock *current = retaddr ? tb_find_by_host_locked(retaddr) : NULL;
    bool hit = tb_invalidate_range_locked(ram_addr, len, current);
    if (hit && current->icount > 1) {
        pthread_mutex_unlock(&tb_mutex);
        /*
         * The store rewrites code of the block running it. Undo to the storing
         * instruction and run it again alone in a fresh block: that block finishes the
         * instruction after the store and then returns to the loop, which translates
         * the new code.
         */
        cpu_restore_state(cpu, retaddr);
        cpu->cflags_next_tb = 1;
        cpu->exception_index = -1;
        cpu_loop_exit(cpu);
    }
}

/* ---- Translation -------------------------------------------------------------------- */

static void page_add_tb(uint64_t page, TranslationBlock *tb, int idx)
{
    PageDesc *pd = g_hash_table_lookup(tb_pages, &page);
    if (!pd) {
        pd = g_new0(PageDesc, 1);
        pd->addr = page;
        g_hash_table_insert(tb_pages, &pd->addr, pd);
        memory_ram_set_code_page(page);
        __atomic_add_fetch(&tb_code_mark_gen, 1, __ATOMIC_SEQ_CST);
        tlb_mark_code_page_all(page);
    }
    tb->page_next[idx] = pd->first;
    pd->first = (uintptr_t)tb | (uintptr_t)idx;
    uint64_t a, b;
    tb_page_range(tb, idx, &a, &b);
    pd->code_bits |= granule_bits(a, b, page);
}

static void tb_free(TranslationBlock *tb)
{
    tcg_insn_table_free(tb->insns);
    free(tb);
}

static void tb_flush_locked(void)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, tb_pages);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        memory_ram_clear_code_page(((PageDesc *)value)->addr);
    }
    g_hash_table_remove_all(tb_pages);
    g_tree_destroy(tb_by_code);
    tb_by_code = g_tree_new_full(tb_code_cmp, NULL, NULL, NULL);
    for (guint i = 0; i < tb_all->len; i++) {
        tb_free(g_ptr_array_index(tb_all, i));
    }
    g_ptr_array_set_size(tb_all, 0);
    memset(tb_hash, 0, sizeof(tb_hash));
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        tb_jmp_cache_clear(c);
    }
    __atomic_add_fetch(&tb_flushes, 1, __ATOMIC_RELEASE);
}

/* The whole code buffer: every vCPU must be out of generated code. */
void tb_flush(CPUState *cpu)
{
    uint64_t gen = tb_flush_count();
    tb_exec_exclusive_begin(cpu);
    if (tb_flush_count() == gen) {
        pthread_mutex_lock(&tb_mutex);
        tb_structures_init();
        tb_flush_locked();
        pthread_mutex_unlock(&tb_mutex);
        TCGContext *ctx = cpu && cpu->tcg ? cpu->tcg : cpu_any_tcg_context();
        if (ctx) {
            tcg_code_buffer_flush(ctx);
        }
        if (cpu) {
            cpu->stats.flushes++;
        }
    }
    tb_exec_exclusive_end(cpu);
}

static LogDisasArch tb_disas_arch(CPUState *cpu, uint32_t flags)
{
    return cpu->ops->disas_arch_for_flags ? cpu->ops->disas_arch_for_flags(flags)
                                          : cpu->ops->disas_arch;
}

TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags)
{
    const uint8_t *host;
    uint64_t ram_addr;
    /* Raises the guest's fetch fault if pc is not mapped. */
    if (!tlb_get_code_page(cpu, pc, false, &host, &ram_addr)) {
        return NULL;
    }
    TCGContext *ctx = cpu_tcg_context(cpu);
    int max_insns = cflags & CF_COUNT_MASK;
    if (max_insns == 0) {
        max_insns = 512;
    }
    if (cflags & CF_SINGLESTEP) {
        max_insns = 1;
    }

    bool flushed = false;
    for (;;) {
        TranslationBlock *tb = calloc(1, sizeof(*tb));
        tb->pc = pc;
        tb->cs_base = cs_base;
        tb->flags = flags;
        tb->cflags = cflags;
        tb->phys_pc = ram_addr + (pc & ~cpu_page_mask(cpu));
        tb->page_addr[0] = ram_addr;
        tb->page_addr[1] = UINT64_MAX;

        sigjmp_buf retry;
        volatile int limit = max_insns;
        int r = sigsetjmp(retry, 0);
        if (r > 0) {
            /* An instruction crossing into an unmapped page: stop the block before it. */
            limit = r;
            tb->page_addr[1] = UINT64_MAX;
        }
        cpu->translate_jmp = &retry;
        cpu->translating_tb = tb;
        tcg_func_start(ctx);
        cpu->ops->gen_code(cpu, tb, limit);
        cpu->translate_jmp = NULL;
        cpu->translating_tb = NULL;

        if (log_enabled(LOG_IN_ASM | LOG_OP)) {
            log_lock();
            if (log_enabled(LOG_IN_ASM)) {
                log_printf("----------------\nIN: pc=0x%" PRIx64 "\n", pc);
                uint64_t first_len = (~cpu_page_mask(cpu) + 1) - (pc & ~cpu_page_mask(cpu));
                uint64_t len = tb->guest_size < first_len ? tb->guest_size : first_len;
                log_disas(log_file(), tb_disas_arch(cpu, flags), host + (pc & ~cpu_page_mask(cpu)),
                          len, pc);
                if (tb->guest_size > len) {
                    const uint8_t *h2;
                    uint64_t ra2;
                    if (tlb_get_code_page(cpu, pc + len, true, &h2, &ra2)) {
                        log_disas(log_file(), tb_disas_arch(cpu, flags), h2, tb->guest_size - len,
                                  pc + len);
                    }
                }
                log_printf("\n");
            }
            if (log_enabled(LOG_OP)) {
                log_printf("OP: pc=0x%" PRIx64 "\n", pc);
                tcg_dump_ops(ctx, log_file());
                log_printf("\n");
            }
            log_unlock();
        }
        tcg_context_set_log_op_opt(ctx, log_enabled(LOG_OP_OPT) ? log_file() : NULL);

        TCGCodeResult res;
        int g = tcg_gen_code(ctx, &res);
        if (g < 0) {
            free(tb);
            if (g == -1 && !flushed) {
                tb_flush(cpu); /* the buffer is full: start it again */
                flushed = true;
                continue;
            }
            if (max_insns > 1) {
                /* Too big for one translation, or for an empty buffer: fewer insns. */
                max_insns = max_insns / 2;
                continue;
            }
            fprintf(stderr,
                    "mimic: cannot translate one instruction at 0x%" PRIx64
                    " (code buffer too small?)\n",
                    pc);
            exit(1);
        }
        tb->code_rx = res.code_rx;
        tb->code_size = (uint32_t)res.size;
        for (int i = 0; i < 2; i++) {
            tb->jmp_insn_off[i] = res.jmp_insn_off[i];
            tb->jmp_reset_off[i] = res.jmp_reset_off[i];
        }
        tb->insns = tcg_insn_table_dup(&res.insns);
        cpu->stats.tbs_translated++;

        if (log_enabled(LOG_OUT_ASM)) {
            log_lock();
            log_printf("OUT: [size=%zu]\n", res.size);
            log_disas(log_file(), LOG_DISAS_X86_64, res.code_rx, res.size,
                      (uint64_t)(uintptr_t)res.code_rx);
            log_printf("\n");
            log_unlock();
        }

        pthread_mutex_lock(&tb_mutex);
        tb_structures_init();
        g_ptr_array_add(tb_all, tb);
        g_tree_insert(tb_by_code, (gpointer)tb->code_rx, tb);
        page_add_tb(tb->page_addr[0], tb, 0);
        if (tb->page_addr[1] != UINT64_MAX && tb->page_addr[1] != tb->page_addr[0]) {
            page_add_tb(tb->page_addr[1], tb, 1);
        } else {
            tb->page_addr[1] = UINT64_MAX;
        }
        /*
         * Another vCPU or a device may have written this code while it was translated.
         * From here on the pages are marked: stores by vCPUs take the code lock and find
         * the block, device writes check the mark after writing. A write before the
         * marking shows as bytes that differ from what the translation read.
         */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (!translator_code_unchanged(cpu->code_snap)) {
            tb_invalidate_locked(tb);
            pthread_mutex_unlock(&tb_mutex);
            cpu->stats.retranslations++;
            continue;
        }
        unsigned h = tb_hash_index(tb->phys_pc, pc, flags, cflags);
        tb->hash_next = tb_hash[h];
        tb_hash[h] = tb;
        jmp_cache_set(cpu, tb);
        pthread_mutex_unlock(&tb_mutex);
        return tb;
    }
}
