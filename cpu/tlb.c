/*
 * cpu/tlb.c: the soft-MMU. Fills the TLB that generated code probes inline, and runs the
 * slow paths it calls on a miss: the arch MMU walk, MMIO dispatch, page-crossing and
 * misaligned accesses, and stores to pages holding translated code (self-modifying code).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"
#include "system/main-loop.h"

#define TLB_FLAGS_MASK (TCG_TLB_INVALID | TCG_TLB_MMIO | TCG_TLB_NOTDIRTY | TCG_TLB_WATCH)
#define TLB_ENTRIES    (1u << CPU_TLB_BITS)

static inline unsigned tlb_index(const CPUState *cpu, uint64_t addr)
{
    return (addr >> cpu->ops->page_bits) & (TLB_ENTRIES - 1);
}

static inline TCGTLBEntry *tlb_entry(CPUState *cpu, int mmu_idx, uint64_t addr)
{
    return &cpu->tlb_table[mmu_idx][tlb_index(cpu, addr)];
}

static inline uint64_t tlb_addr_normalise(const CPUState *cpu, uint64_t addr)
{
    return cpu->ops->addr_bits == 32 ? (uint32_t)addr : addr;
}

/* A comparator hits for addr's page if it is valid and its page bits match; flag bits
 * only say which kind of slow access it is. */
static inline bool tlb_hit(const CPUState *cpu, uint64_t cmp, uint64_t addr)
{
    if (cmp == UINT64_MAX || (cmp & TCG_TLB_INVALID)) {
        return false;
    }
    return (cmp & cpu_page_mask(cpu)) == (addr & cpu_page_mask(cpu));
}

void tlb_init(CPUState *cpu)
{
    for (int i = 0; i < cpu->ops->nb_mmu_modes; i++) {
        cpu->tlb_table[i] = aligned_alloc(64, TLB_ENTRIES * sizeof(TCGTLBEntry));
        cpu->tlb_full[i] = calloc(TLB_ENTRIES, sizeof(CPUTLBEntryFull));
        cpu->common->tlb[i].mask = (uintptr_t)(TLB_ENTRIES - 1) << TCG_TLB_ENTRY_BITS;
        cpu->common->tlb[i].table = cpu->tlb_table[i];
        cpu->tlb_nb_used[i] = CPU_TLB_USED_MAX + 1; /* the first flush resets everything */
    }
    tlb_flush_now(cpu, ~0u);
}

void tlb_destroy(CPUState *cpu)
{
    for (int i = 0; i < cpu->ops->nb_mmu_modes; i++) {
        free(cpu->tlb_table[i]);
        free(cpu->tlb_full[i]);
        cpu->tlb_table[i] = NULL;
        cpu->tlb_full[i] = NULL;
    }
}

void tlb_flush_now(CPUState *cpu, unsigned idxmap)
{
    for (int i = 0; i < cpu->ops->nb_mmu_modes; i++) {
        if (idxmap & (1u << i)) {
            if (cpu->tlb_nb_used[i] <= CPU_TLB_USED_MAX) {
                /* Guests flush on every address-space switch, often with few entries used. */
                for (unsigned k = 0; k < cpu->tlb_nb_used[i]; k++) {
                    memset(&cpu->tlb_table[i][cpu->tlb_used[i][k]], 0xff, sizeof(TCGTLBEntry));
                }
            } else {
                memset(cpu->tlb_table[i], 0xff, TLB_ENTRIES * sizeof(TCGTLBEntry));
            }
            cpu->tlb_nb_used[i] = 0;
            cpu->tlb_large_addr[i] = UINT64_MAX;
            cpu->tlb_large_mask[i] = 0;
        }
    }
    tb_jmp_cache_clear(cpu);
}

/* Another thread may not touch a running CPU's TLB: it leaves a request that the owner
 * carries out at its next block boundary. */
static void tlb_request_flush(CPUState *cpu, unsigned idxmap)
{
    if (current_cpu == cpu || !cpu->thread_created) {
        tlb_flush_now(cpu, idxmap);
        return;
    }
    __atomic_or_fetch(&cpu->tlb_flush_pending, idxmap, __ATOMIC_SEQ_CST);
    cpu_kick(cpu);
}

void tlb_process_pending(CPUState *cpu)
{
    unsigned pending = __atomic_exchange_n(&cpu->tlb_flush_pending, 0, __ATOMIC_SEQ_CST);
    if (pending) {
        tlb_flush_now(cpu, pending);
    }
}

void tlb_flush(CPUState *cpu)
{
    tlb_request_flush(cpu, ~0u);
}

void tlb_flush_by_mmuidx(CPUState *cpu, unsigned idxmap)
{
    tlb_request_flush(cpu, idxmap);
}

void tlb_flush_all_cpus(void)
{
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        tlb_flush(c);
    }
}

static void tlb_flush_others_synced(CPUState *src)
{
    bool others = false;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        if (c != src) {
            tlb_request_flush(c, ~0u);
            others = true;
        }
    }
    /* The others flush at their next block; src may not go on before they have (the
     * architecture makes the flush complete for every CPU at src's next DSB). */
    if (others && src->thread_created) {
        src->tlb_sync_request = true;
    }
}

void tlb_flush_all_cpus_synced(CPUState *src)
{
    tlb_flush(src);
    tlb_flush_others_synced(src);
}

void tlb_flush_page_all_cpus_synced(CPUState *src, uint64_t vaddr)
{
    tlb_flush_page(src, vaddr);
    tlb_flush_others_synced(src);
}

void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t vaddr, unsigned idxmap)
{
    if (current_cpu != cpu && cpu->thread_created) {
        /* Rare from outside: a full flush is always correct. */
        tlb_request_flush(cpu, idxmap);
        return;
    }
    vaddr = tlb_addr_normalise(cpu, vaddr) & cpu_page_mask(cpu);
    for (int i = 0; i < cpu->ops->nb_mmu_modes; i++) {
        if (!(idxmap & (1u << i))) {
            continue;
        }
        if ((vaddr & cpu->tlb_large_mask[i]) == cpu->tlb_large_addr[i]) {
            /* Part of a large page: its pieces may sit anywhere in the table. */
            tlb_flush_now(cpu, 1u << i);
            continue;
        }
        memset(tlb_entry(cpu, i, vaddr), 0xff, sizeof(TCGTLBEntry));
    }
    tb_jmp_cache_clear_page(cpu, vaddr, cpu->ops->page_bits);
}

void tlb_flush_page(CPUState *cpu, uint64_t vaddr)
{
    tlb_flush_page_by_mmuidx(cpu, vaddr, ~0u);
}

void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot, int mmu_idx,
                  uint64_t page_size)
{
    const uint64_t pmask = cpu_page_mask(cpu);
    const uint64_t tps = ~pmask;
    vaddr = tlb_addr_normalise(cpu, vaddr) & pmask;
    paddr &= pmask;

    if (page_size > tps + 1) {
        /* Remember the large page so that flushing any part of it flushes everything. */
        uint64_t lmask = ~(page_size - 1);
        if (cpu->tlb_large_addr[mmu_idx] == UINT64_MAX) {
            cpu->tlb_large_addr[mmu_idx] = vaddr & lmask;
            cpu->tlb_large_mask[mmu_idx] = lmask;
        } else {
            while (((cpu->tlb_large_addr[mmu_idx] ^ vaddr) & lmask) != 0) {
                lmask <<= 1;
            }
            cpu->tlb_large_mask[mmu_idx] &= lmask;
            cpu->tlb_large_addr[mmu_idx] &= lmask;
        }
    }

    uint64_t mark_gen = __atomic_load_n(&tb_code_mark_gen, __ATOMIC_SEQ_CST);
    MemoryRegionSection s = address_space_lookup(cpu->as, paddr);
    CPUTLBEntryFull *full = &cpu->tlb_full[mmu_idx][tlb_index(cpu, vaddr)];
    TCGTLBEntry e;
    bool whole_page = s.mr && s.addr <= paddr && s.addr + s.size - 1 >= paddr + tps;

    full->paddr = paddr;
    full->prot = prot;
    /* tlb_mark_code_page_all reads ram_addr from other threads. */
    __atomic_store_n(&full->ram_addr, UINT64_MAX, __ATOMIC_RELAXED);
    full->mr = NULL;
    full->mr_offset = 0;

    uint64_t read_flags = 0, write_flags = 0, code_flags = 0;
    if (whole_page && memory_region_is_ram(s.mr)) {
        uint8_t *host =
            (uint8_t *)memory_region_get_ram_ptr(s.mr) + s.offset_in_region + (paddr - s.addr);
        e.addend = (uintptr_t)host - (uintptr_t)vaddr;
        __atomic_store_n(&full->ram_addr,
                         memory_region_get_ram_addr(s.mr) + s.offset_in_region + (paddr - s.addr),
                         __ATOMIC_RELAXED);
        full->mr = s.mr;
        full->mr_offset = s.offset_in_region + (paddr - s.addr);
        if (s.readonly || memory_region_is_rom(s.mr)) {
            write_flags = TCG_TLB_MMIO; /* ROM: writes are ignored in the slow path */
        } else if (memory_ram_is_code_page(full->ram_addr)) {
            write_flags = TCG_TLB_NOTDIRTY;
        }
    } else {
        /* I/O, a hole, or a page shared by several sections: everything goes slowly. */
        e.addend = 0;
        if (whole_page && memory_region_is_io(s.mr)) {
            full->mr = s.mr;
            full->mr_offset = s.offset_in_region + (paddr - s.addr);
        }
        read_flags = write_flags = code_flags = TCG_TLB_MMIO;
    }
    e.addr_read = (prot & PAGE_READ) ? (vaddr | read_flags) : UINT64_MAX;
    e.addr_write = (prot & PAGE_WRITE) ? (vaddr | write_flags) : UINT64_MAX;
    e.addr_code = (prot & PAGE_EXEC) ? (vaddr | code_flags) : UINT64_MAX;
    /* Generated code of this thread is the only reader: a plain copy is enough. */
    TCGTLBEntry *slot = tlb_entry(cpu, mmu_idx, vaddr);
    if (cpu->tlb_nb_used[mmu_idx] < CPU_TLB_USED_MAX) {
        cpu->tlb_used[mmu_idx][cpu->tlb_nb_used[mmu_idx]++] = (uint16_t)tlb_index(cpu, vaddr);
    } else {
        cpu->tlb_nb_used[mmu_idx] = CPU_TLB_USED_MAX + 1;
    }
    *slot = e;
    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* the entry is visible before we re-read gen */
    /* Another vCPU may have marked the page as code between our check and the copy, and
     * swept TLBs before our entry existed: look again now that it does. */
    if (e.addr_write != UINT64_MAX && !write_flags && full->ram_addr != UINT64_MAX &&
        __atomic_load_n(&tb_code_mark_gen, __ATOMIC_SEQ_CST) != mark_gen) {
        if (memory_ram_is_code_page(full->ram_addr)) {
            __atomic_store_n(&slot->addr_write, e.addr_write | TCG_TLB_NOTDIRTY, __ATOMIC_SEQ_CST);
        }
    }
}

void tlb_mark_code_page_all(uint64_t ram_page)
{
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        for (int i = 0; i < c->ops->nb_mmu_modes; i++) {
            for (unsigned j = 0; j < TLB_ENTRIES; j++) {
                TCGTLBEntry *e = &c->tlb_table[i][j];
                uint64_t w = __atomic_load_n(&e->addr_write, __ATOMIC_RELAXED);
                if (w != UINT64_MAX && !(w & TLB_FLAGS_MASK) &&
                    __atomic_load_n(&c->tlb_full[i][j].ram_addr, __ATOMIC_RELAXED) == ram_page) {
                    __atomic_store_n(&e->addr_write, w | TCG_TLB_NOTDIRTY, __ATOMIC_SEQ_CST);
                }
            }
        }
    }
}

bool tlb_get_code_page(CPUState *cpu, uint64_t vaddr, bool probe, const uint8_t **host,
                       uint64_t *ram_addr)
{
    int mmu_idx = cpu->ops->mmu_index(cpu, true);
    vaddr = tlb_addr_normalise(cpu, vaddr);
    TCGTLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);
    *ram_addr = UINT64_MAX;
    if (!tlb_hit(cpu, e->addr_code, vaddr)) {
        if (!cpu->ops->tlb_fill(cpu, vaddr, 1, MMU_INST_FETCH, mmu_idx, probe, 0)) {
            return false;
        }
        e = tlb_entry(cpu, mmu_idx, vaddr);
        if (!tlb_hit(cpu, e->addr_code, vaddr)) {
            return false;
        }
    }
    CPUTLBEntryFull *full = &cpu->tlb_full[mmu_idx][tlb_index(cpu, vaddr)];
    if ((e->addr_code & TCG_TLB_MMIO) || full->ram_addr == UINT64_MAX) {
        return false;
    }
    *host = (const uint8_t *)(uintptr_t)((vaddr & cpu_page_mask(cpu)) + e->addend);
    *ram_addr = full->ram_addr;
    return true;
}

uint64_t tlb_code_paddr(CPUState *cpu, uint64_t vaddr)
{
    int mmu_idx = cpu->ops->mmu_index(cpu, true);
    vaddr = tlb_addr_normalise(cpu, vaddr);
    TCGTLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);
    if (!tlb_hit(cpu, e->addr_code, vaddr)) {
        return UINT64_MAX;
    }
    return cpu->tlb_full[mmu_idx][tlb_index(cpu, vaddr)].paddr + (vaddr & ~cpu_page_mask(cpu));
}

/* ---- Slow paths --------------------------------------------------------------------- */

static uint64_t memop_extend(uint64_t v, MemOp op)
{
    switch (op & (MO_SIZE | MO_SIGN)) {
    case MO_UB: return (uint8_t)v;
    case MO_SB: return (uint64_t)(int64_t)(int8_t)v;
    case MO_UW: return (uint16_t)v;
    case MO_SW: return (uint64_t)(int64_t)(int16_t)v;
    case MO_UL: return (uint32_t)v;
    case MO_SL: return (uint64_t)(int64_t)(int32_t)v;
    default: return v;
    }
}

static uint64_t bswap_size(uint64_t v, unsigned size)
{
    switch (size) {
    case 2: return __builtin_bswap16((uint16_t)v);
    case 4: return __builtin_bswap32((uint32_t)v);
    case 8: return __builtin_bswap64(v);
    default: return v;
    }
}

static uint64_t host_load(const void *p, unsigned size)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    default: {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
    }
    }
}

static void host_store(void *p, uint64_t v, unsigned size)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
        break;
    }
    default: memcpy(p, &v, 8); break;
    }
}

/* MMIO runs under the global lock; vCPU threads do not hold it while running code. */
static bool io_lock(void)
{
    if (bql_locked()) {
        return false;
    }
    bql_lock();
    return true;
}

/* A bus error or an access to nothing: the arch may raise (external abort, DBE); by
 * default reads give 0 and writes vanish, as on many real buses. */
static void transaction_failed(CPUState *cpu, uint64_t paddr, uint64_t vaddr, unsigned size,
                               MMUAccessType type, int mmu_idx, MemTxResult r, uintptr_t ra)
{
    if (log_enabled(LOG_GUEST_ERROR)) {
        log_printf("cpu%d: %s of %u bytes at 0x%" PRIx64 " (phys 0x%" PRIx64 ") failed: %s\n",
                   cpu->cpu_index, type == MMU_DATA_STORE ? "write" : "read", size, vaddr, paddr,
                   r == MEMTX_DECODE_ERROR ? "nothing mapped" : "device error");
    }
    if (cpu->ops->do_transaction_failed) {
        cpu->ops->do_transaction_failed(cpu, paddr, vaddr, size, type, mmu_idx, r, ra);
    }
}

/* Finds or fills the entry for one access that does not cross a page. */
static TCGTLBEntry *tlb_lookup_fill(CPUState *cpu, uint64_t addr, unsigned size, MMUAccessType type,
                                    int mmu_idx, uintptr_t ra)
{
    TCGTLBEntry *e = tlb_entry(cpu, mmu_idx, addr);
    uint64_t cmp = type == MMU_DATA_STORE  ? e->addr_write
                   : type == MMU_DATA_LOAD ? e->addr_read
                                           : e->addr_code;
    if (!tlb_hit(cpu, cmp, addr)) {
        cpu->ops->tlb_fill(cpu, addr, size, type, mmu_idx, false, ra);
        e = tlb_entry(cpu, mmu_idx, addr);
    }
    return e;
}

static uint64_t load_one(CPUState *cpu, uint64_t addr, unsigned size, bool big_endian, int mmu_idx,
                         MMUAccessType type, uintptr_t ra)
{
    TCGTLBEntry *e = tlb_lookup_fill(cpu, addr, size, type, mmu_idx, ra);
    uint64_t cmp = type == MMU_DATA_LOAD ? e->addr_read : e->addr_code;
    if (cmp & TCG_TLB_MMIO) {
        CPUTLBEntryFull *full = &cpu->tlb_full[mmu_idx][tlb_index(cpu, addr)];
        uint64_t off = addr & ~cpu_page_mask(cpu);
        uint64_t v = 0;
        MemTxResult r;
        bool locked = io_lock();
        if (full->mr) {
            r = memory_region_dispatch_read(full->mr, full->mr_offset + off, size, big_endian, &v);
        } else {
            r = address_space_load(cpu->as, full->paddr + off, size, big_endian, &v);
        }
        if (locked) {
            bql_unlock();
        }
        if (r != MEMTX_OK) {
            transaction_failed(cpu, full->paddr + off, addr, size, type, mmu_idx, r, ra);
        }
        return v;
    }
    uint64_t v = host_load((void *)(uintptr_t)(addr + e->addend), size);
    return big_endian ? bswap_size(v, size) : v;
}

static void store_one(CPUState *cpu, uint64_t addr, uint64_t val, unsigned size, bool big_endian,
                      int mmu_idx, uintptr_t ra)
{
    TCGTLBEntry *e = tlb_lookup_fill(cpu, addr, size, MMU_DATA_STORE, mmu_idx, ra);
    uint64_t cmp = e->addr_write;
    CPUTLBEntryFull *full = &cpu->tlb_full[mmu_idx][tlb_index(cpu, addr)];
    uint64_t off = addr & ~cpu_page_mask(cpu);
    if (cmp & TCG_TLB_MMIO) {
        if (full->ram_addr != UINT64_MAX) {
            return; /* ROM or read-only RAM: the write is dropped */
        }
        MemTxResult r;
        bool locked = io_lock();
        if (full->mr) {
            r = memory_region_dispatch_write(full->mr, full->mr_offset + off, size, big_endian,
                                             val);
        } else {
            r = address_space_store(cpu->as, full->paddr + off, size, big_endian, val);
        }
        if (locked) {
            bql_unlock();
        }
        if (r != MEMTX_OK) {
            transaction_failed(cpu, full->paddr + off, addr, size, MMU_DATA_STORE, mmu_idx, r, ra);
        }
        return;
    }
    uint64_t v = big_endian ? bswap_size(val, size) : val;
    if (cmp & TCG_TLB_NOTDIRTY) {
        tb_code_lock();
        /* May not return: the store then re-runs in a block of its own. */
        tb_invalidate_for_store(cpu, full->ram_addr + off, size, ra);
        host_store((void *)(uintptr_t)(addr + e->addend), v, size);
        /* The last block on the page is gone: stores here may go fast again (a vCPU
         * marking the page anew holds the lock). */
        if (!memory_ram_is_code_page(full->ram_addr) && e->addr_write == cmp) {
            __atomic_store_n(&e->addr_write, cmp & ~(uint64_t)TCG_TLB_NOTDIRTY, __ATOMIC_RELAXED);
        }
        tb_code_unlock();
        return;
    }
    host_store((void *)(uintptr_t)(addr + e->addend), v, size);
}

static void check_alignment(CPUState *cpu, uint64_t addr, MemOp op, MMUAccessType type, int mmu_idx,
                            uintptr_t ra)
{
    unsigned a = memop_alignment_bits(op);
    if (a && (addr & ((1u << a) - 1)) && cpu->ops->do_unaligned_access) {
        cpu->ops->do_unaligned_access(cpu, addr, type, mmu_idx, ra);
    }
}

static uint64_t load_access(CPUState *cpu, uint64_t addr, MemOpIdx oi, MMUAccessType type,
                            uintptr_t ra)
{
    MemOp op = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = 1u << (op & MO_SIZE);
    bool be = (op & MO_BSWAP) != 0;
    uint64_t v;

    addr = tlb_addr_normalise(cpu, addr);
    check_alignment(cpu, addr, op, type, mmu_idx, ra);
    if ((addr & ~cpu_page_mask(cpu)) + size > ~cpu_page_mask(cpu) + 1) {
        /* Crosses a page: bytes one by one, each page through its own mapping. */
        v = 0;
        for (unsigned i = 0; i < size; i++) {
            uint64_t b =
                load_one(cpu, tlb_addr_normalise(cpu, addr + i), 1, false, mmu_idx, type, ra);
            v |= b << (8 * (be ? size - 1 - i : i));
        }
    } else {
        v = load_one(cpu, addr, size, be, mmu_idx, type, ra);
    }
    return memop_extend(v, op);
}

static void store_access(CPUState *cpu, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    MemOp op = get_memop(oi);
    int mmu_idx = get_mmuidx(oi);
    unsigned size = 1u << (op & MO_SIZE);
    bool be = (op & MO_BSWAP) != 0;

    addr = tlb_addr_normalise(cpu, addr);
    check_alignment(cpu, addr, op, MMU_DATA_STORE, mmu_idx, ra);
    if ((addr & ~cpu_page_mask(cpu)) + size > ~cpu_page_mask(cpu) + 1) {
        /* Fault on either page before writing any byte. */
        uint64_t last = tlb_addr_normalise(cpu, addr + size - 1);
        tlb_lookup_fill(cpu, addr, 1, MMU_DATA_STORE, mmu_idx, ra);
        tlb_lookup_fill(cpu, last, 1, MMU_DATA_STORE, mmu_idx, ra);
        for (unsigned i = 0; i < size; i++) {
            uint64_t b = val >> (8 * (be ? size - 1 - i : i));
            store_one(cpu, tlb_addr_normalise(cpu, addr + i), b & 0xff, 1, false, mmu_idx, ra);
        }
        return;
    }
    store_one(cpu, addr, val, size, be, mmu_idx, ra);
}

uint64_t tlb_ld_slow(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr)
{
    return load_access(env_cpu(env), addr, oi, MMU_DATA_LOAD, retaddr);
}

void tlb_st_slow(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr)
{
    store_access(env_cpu(env), addr, val, oi, retaddr);
}

uint64_t cpu_ld_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    CPUState *cpu = env_cpu(env);
    MemOp op = get_memop(oi);
    unsigned size = 1u << (op & MO_SIZE);
    addr = tlb_addr_normalise(cpu, addr);
    TCGTLBEntry *e = tlb_entry(cpu, get_mmuidx(oi), addr);
    /* The same fast path generated code takes, for helpers. */
    if (e->addr_read == (addr & cpu_page_mask(cpu)) && !(addr & (size - 1)) && !(op & MO_BSWAP)) {
        return memop_extend(host_load((void *)(uintptr_t)(addr + e->addend), size), op);
    }
    return load_access(cpu, addr, oi, MMU_DATA_LOAD, ra);
}

void cpu_st_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    CPUState *cpu = env_cpu(env);
    MemOp op = get_memop(oi);
    unsigned size = 1u << (op & MO_SIZE);
    addr = tlb_addr_normalise(cpu, addr);
    TCGTLBEntry *e = tlb_entry(cpu, get_mmuidx(oi), addr);
    if (e->addr_write == (addr & cpu_page_mask(cpu)) && !(addr & (size - 1)) && !(op & MO_BSWAP)) {
        host_store((void *)(uintptr_t)(addr + e->addend), val, size);
        return;
    }
    store_access(cpu, addr, val, oi, ra);
}

static MemOpIdx data_oi(void *env, MemOp size)
{
    CPUState *cpu = env_cpu(env);
    MemOp op = size | (cpu->ops->big_endian ? MO_BE : MO_LE);
    return make_memop_idx(op, cpu->ops->mmu_index(cpu, false));
}

uint32_t cpu_ldub_data_ra(void *env, uint64_t addr, uintptr_t ra)
{
    return (uint32_t)cpu_ld_mmu(env, addr, data_oi(env, MO_8), ra);
}

uint32_t cpu_lduw_data_ra(void *env, uint64_t addr, uintptr_t ra)
{
    return (uint32_t)cpu_ld_mmu(env, addr, data_oi(env, MO_16), ra);
}

uint32_t cpu_ldl_data_ra(void *env, uint64_t addr, uintptr_t ra)
{
    return (uint32_t)cpu_ld_mmu(env, addr, data_oi(env, MO_32), ra);
}

uint64_t cpu_ldq_data_ra(void *env, uint64_t addr, uintptr_t ra)
{
    return cpu_ld_mmu(env, addr, data_oi(env, MO_64), ra);
}

void cpu_stb_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra)
{
    cpu_st_mmu(env, addr, val, data_oi(env, MO_8), ra);
}

void cpu_stw_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra)
{
    cpu_st_mmu(env, addr, val, data_oi(env, MO_16), ra);
}

void cpu_stl_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra)
{
    cpu_st_mmu(env, addr, val, data_oi(env, MO_32), ra);
}

void cpu_stq_data_ra(void *env, uint64_t addr, uint64_t val, uintptr_t ra)
{
    cpu_st_mmu(env, addr, val, data_oi(env, MO_64), ra);
}

uint32_t cpu_ldl_code(void *env, uint64_t addr)
{
    CPUState *cpu = env_cpu(env);
    MemOp op = MO_32 | (cpu->ops->big_endian ? MO_BE : MO_LE);
    return (uint32_t)load_access(cpu, addr, make_memop_idx(op, cpu->ops->mmu_index(cpu, true)),
                                 MMU_INST_FETCH, 0);
}

/* Debugger translation through the soft TLB: a probing fill with the current data mode. */
static bool debug_translate_tlb(CPUState *cpu, uint64_t va, uint64_t *paddr)
{
    int mmu_idx = cpu->ops->mmu_index(cpu, false);
    if (!cpu->ops->tlb_fill(cpu, va, 1, MMU_DATA_LOAD, mmu_idx, true, 0)) {
        return false;
    }
    CPUTLBEntryFull *full = &cpu->tlb_full[mmu_idx][tlb_index(cpu, va)];
    *paddr = full->paddr + (va & ~cpu_page_mask(cpu));
    return true;
}

bool cpu_memory_rw_debug(CPUState *cpu, uint64_t vaddr, void *buf, size_t len, bool is_write)
{
    uint8_t *p = buf;
    bool (*translate)(CPUState *, uint64_t, uint64_t *) = debug_translate_tlb;
    uint64_t page_size = ~cpu_page_mask(cpu) + 1;
    if (!cpu->tlb_full[0]) {
        /* No soft TLB (KVM): the arch's page-table walk over the paging registers the
         * accelerator hands over. */
        if (!cpu->ops->debug_translate) {
            return false;
        }
        cpu_synchronize_state(cpu);
        translate = cpu->ops->debug_translate;
        page_size = 1ull << cpu->ops->page_bits;
    }
    while (len) {
        uint64_t va = cpu->tlb_full[0] ? tlb_addr_normalise(cpu, vaddr) : vaddr;
        uint64_t in_page = page_size - (va & (page_size - 1));
        size_t n = len < in_page ? len : in_page;
        uint64_t pa;
        if (!translate(cpu, va, &pa)) {
            return false;
        }
        MemTxResult r = is_write ? address_space_write_rom(cpu->as, pa, p, n)
                                 : address_space_read(cpu->as, pa, p, n);
        if (r != MEMTX_OK) {
            return false;
        }
        p += n;
        vaddr += n;
        len -= n;
    }
    return true;
}

/* ---- Memory-map changes ------------------------------------------------------------- */

static void tlb_listener_commit(MemoryListener *l)
{
    tlb_flush_all_cpus();
}

typedef struct TLBListener {
    MemoryListener l;
    AddressSpace *as;
    struct TLBListener *next;
} TLBListener;

static TLBListener *tlb_listeners;
static pthread_mutex_t tlb_listener_mutex = PTHREAD_MUTEX_INITIALIZER;

void tlb_register_listener(AddressSpace *as)
{
    pthread_mutex_lock(&tlb_listener_mutex);
    for (TLBListener *t = tlb_listeners; t; t = t->next) {
        if (t->as == as) {
            pthread_mutex_unlock(&tlb_listener_mutex);
            return;
        }
    }
    TLBListener *t = calloc(1, sizeof(*t));
    t->as = as;
    t->l.commit = tlb_listener_commit;
    t->next = tlb_listeners;
    tlb_listeners = t;
    pthread_mutex_unlock(&tlb_listener_mutex);
    memory_listener_register(as, &t->l);
}
