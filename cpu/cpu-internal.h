/*
 * cpu/cpu-internal.h: what the files of the generic CPU layer share (TB cache, soft-MMU,
 * execution loop, threads). Not for use outside cpu/.
 */
#ifndef MIMIC_CPU_CPU_INTERNAL_H
#define MIMIC_CPU_CPU_INTERNAL_H

#include "cpu/cpu.h"

#define TB_EXIT_MASK ((uintptr_t)3)

/* accel.c: the process-wide translator state. */
extern TCGCodeBuffer *tcg_code_buf;
extern size_t tcg_code_size;
TCGContext *cpu_tcg_context(CPUState *cpu);
void cpu_arch_translate_init(const CPUArchOps *ops);

/* Readers: vCPUs while looking up, translating and running blocks. Writer: a full flush. */
void tb_exec_rdlock(CPUState *cpu);
void tb_exec_rdunlock(CPUState *cpu);
/* Waits until no other vCPU runs or translates code (the caller's read lock, if any, is
 * given up meanwhile and taken back at the end). */
void tb_exec_exclusive_begin(CPUState *cpu);
void tb_exec_exclusive_end(CPUState *cpu);
/* A context to patch jumps with from any thread (the buffer is shared). */
TCGContext *cpu_any_tcg_context(void);

/* tb.c */
TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                            uint32_t cflags);
/* Returns NULL if the code cannot be translated (not RAM): the caller halts the CPU. */
TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags);
void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *dest);
TranslationBlock *tb_find_by_host(uintptr_t host_addr);
/*
 * A guest store to a RAM page holding code: take the code lock, invalidate, store, drop
 * the lock. A block translated meanwhile is either found by the invalidation or sees the
 * new bytes when it is linked (tb_gen_code compares what its translation read).
 */
void tb_code_lock(void);
void tb_code_unlock(void);
/* Under the code lock: invalidate blocks overlapping [ram_addr, +len) for a store by cpu
 * at retaddr. When the store rewrites the block running it (precise SMC), it drops the
 * lock and leaves through cpu_loop_exit without storing. */
void tb_invalidate_for_store(CPUState *cpu, uint64_t ram_addr, unsigned len, uintptr_t retaddr);

/* The guest bytes one translation fetched, by offset from its first pc. */
typedef struct CodeSnapshot {
    uint64_t pc_first;
    uint64_t first_len;     /* bytes from pc_first to the end of its page */
    const uint8_t *host[2]; /* the first byte of the block, the start of its second page */
    uint32_t cap;           /* bytes that fit */
    uint32_t hi;            /* one past the highest offset fetched */
    bool overflow;          /* a fetch beyond cap: the bytes cannot be checked */
    uint64_t *seen;         /* one bit per offset fetched */
    uint8_t bytes[];
} CodeSnapshot;
/* translator.c: whether RAM still holds the bytes the translation fetched. */
bool translator_code_unchanged(const CodeSnapshot *s);
uint64_t tb_flush_count(void);
extern uint64_t tb_code_mark_gen;
void tb_invalidate_phys_range_notify(uint64_t ram_addr, unsigned len);
int tcg_accel_init(char **errp);
void tb_jmp_cache_clear(CPUState *cpu);
void tb_jmp_cache_clear_page(CPUState *cpu, uint64_t vaddr, int page_bits);
void *helper_lookup_tb_ptr(void *env);

/* tlb.c */
void tlb_init(CPUState *cpu);
void tlb_destroy(CPUState *cpu);
void tlb_flush_now(CPUState *cpu, unsigned idxmap);
void tlb_process_pending(CPUState *cpu);
/* Guest page holding code at vaddr: host pointer to its start and its ram_addr. false if
 * the fetch faults (only when probe) or the page is not RAM/ROM (*ram_addr = UINT64_MAX). */
bool tlb_get_code_page(CPUState *cpu, uint64_t vaddr, bool probe, const uint8_t **host,
                       uint64_t *ram_addr);
/* Physical address that vaddr's code mapping points to (UINT64_MAX if not mapped). */
uint64_t tlb_code_paddr(CPUState *cpu, uint64_t vaddr);
/* A page gained translated code: every CPU's TLB must route writes to it slowly. */
void tlb_mark_code_page_all(uint64_t ram_page);
uint64_t tlb_ld_slow(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
void tlb_st_slow(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t retaddr);
void tlb_register_listener(AddressSpace *as);

/* gdb.c */
void helper_debug_breakpoint(void *env);
void cpu_gdb_register(void);
void cpu_gdb_report_stop(CPUState *cpu);

/* cpus.c */
bool cpu_has_work(CPUState *cpu);
void cpus_lock(void);
void cpus_unlock(void);
void cpus_notify(void);
extern CPUState *cpu_list_head;

static inline uint64_t cpu_page_mask(const CPUState *cpu)
{
    return ~(((uint64_t)1 << cpu->ops->page_bits) - 1);
}

#endif
