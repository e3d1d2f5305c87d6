/*
 * cpu/cpu.h: what every guest CPU shares: the generic vCPU state, the per-architecture
 * hook table, the translator loop, the soft-MMU, the execution loop and vCPU threads,
 * and the accelerator interface. Guest front-ends (cpu/<arch>/) only implement hooks.
 *
 * A guest in five steps (tests/unit/cpu/toy.c is a complete small example):
 *   1. Its env struct begins with `CPUEnvCommon common;`; IR globals are registered in
 *      ops->translate_init with tcg_global_mem_new_*(offsetof(Env, field), "name").
 *   2. ops->gen_code(cpu, tb, max_insns) sets up its DisasContext (embedding
 *      DisasContextBase first) and calls translator_loop(&its_translator_ops, ...).
 *      translate_insn fetches with translator_ldl(db, pc), emits IR (tcg/tcg-op.h), and ends
 *      blocks with translator_goto_tb (direct), translator_lookup_and_goto_ptr (indirect)
 *      or translator_exit; tb_stop handles DISAS_TOO_MANY with translator_goto_tb.
 *   3. Loads/stores are tcg_gen_qemu_ld/st with a MemOp and MMU index; ops->tlb_fill walks
 *      the guest MMU and calls tlb_set_page, or raises.
 *   4. Helpers raise with cpu_raise_exception_ra(cpu, excp, GETPC()); the loop then calls
 *      ops->do_interrupt. Interrupt lines call cpu_interrupt(cpu, CPU_INTERRUPT_HARD) and
 *      ops->exec_interrupt takes them.
 *   5. Models: export `const CPUModel *const <arch>_cpu_models[]`; boards call
 *      cpu_create("model", as, &err) and cpus_start().
 *
 * Threads: one host thread per vCPU runs cpu_exec without the global lock; MMIO from
 * generated code takes it. Blocks are shared by all vCPUs; a full flush waits until no
 * vCPU runs generated code.
 */
#ifndef MIMIC_CPU_CPU_H
#define MIMIC_CPU_CPU_H

#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "system/log.h"
#include "system/memory.h"
#include "tcg/tcg-op.h"
#include "tcg/tcg.h"

typedef struct CPUState CPUState;
typedef struct CPUArchOps CPUArchOps;
typedef struct CPUModel CPUModel;
typedef struct TranslationBlock TranslationBlock;
typedef struct DisasContextBase DisasContextBase;

/* ---- Layout shared with generated code ------------------------------------------------
 *
 * Every architecture's env struct (the `env` that generated code gets in a host register)
 * MUST begin with a CPUEnvCommon member, at offset 0:
 *
 *     typedef struct MipsEnv { CPUEnvCommon common; uint32_t gpr[32]; ... } MipsEnv;
 *
 * so that cpu/ and generated code find the exit flag, the jump cache and the TLB at fixed
 * offsets without knowing the guest. The TLB descriptors handed to tcg (TCGConfig.tlb_offset)
 * are common.tlb[].
 */

/* The jump cache is 2-way set associative: 1 << CPU_JMP_CACHE_BITS sets of two slots, a set
 * at slots 2 * set and 2 * set + 1. One way per set let pairs of hot blocks whose pcs share
 * a set evict each other on every run of a loop (busybox awk: 2.6 M misses in one run). */
#define CPU_JMP_CACHE_BITS      12
#define CPU_JMP_CACHE_WAYS_BITS 1
#define CPU_JMP_CACHE_WAYS      (1u << CPU_JMP_CACHE_WAYS_BITS)
#define CPU_JMP_CACHE_SIZE      (CPU_JMP_CACHE_WAYS << CPU_JMP_CACHE_BITS) /* slots */
#define CPU_JMP_USED_MAX        512
#define CPU_TLB_USED_MAX        128
#define CPU_TLB_BITS            10 /* entries per MMU mode: 1 << CPU_TLB_BITS */

/* One jump-cache slot (64 bytes, so the IR can index it with a shift). Virtually indexed
 * by guest pc; flushed with the TLB. pc == -1 marks an empty slot. */
typedef struct CPUJumpCacheEntry {
    uint64_t pc;
    uint64_t cs_base;
    uint32_t flags;
    uint32_t cflags;
    const void *code_rx; /* host code of tb */
    TranslationBlock *tb;
    uint64_t pad[3];
} CPUJumpCacheEntry;
#define CPU_JMP_CACHE_ENTRY_BITS 6
_Static_assert(sizeof(CPUJumpCacheEntry) == 1u << CPU_JMP_CACHE_ENTRY_BITS,
               "the inline jump-cache lookup indexes slots with a shift");

typedef struct CPUEnvCommon {
    /* Non-zero: generated code leaves at the next block entry (interrupts, pause, flush).
     * Every block begins with a load of it and a conditional exit. */
    volatile int32_t exit_request;
    int32_t pad0;
    CPUState *cpu;
    CPUJumpCacheEntry *jmp_cache; /* CPU_JMP_CACHE_SIZE entries */
    TCGTLBDesc tlb[TCG_MAX_MMU_MODES];
} CPUEnvCommon;

/* The jump-cache set of a guest pc; generated code computes the same in IR. The high half
 * depends only on the 4 KiB page, so flushing one page clears one group of sets. */
#define CPU_JMP_GROUP_BITS 6
static inline unsigned cpu_jmp_cache_group(uint64_t pc)
{
    return (unsigned)(((pc >> 12) ^ (pc >> 18)) & ((1u << CPU_JMP_GROUP_BITS) - 1));
}
static inline unsigned cpu_jmp_cache_hash(uint64_t pc)
{
    unsigned lo_bits = CPU_JMP_CACHE_BITS - CPU_JMP_GROUP_BITS;
    unsigned lo = (unsigned)((pc ^ (pc >> 2) ^ (pc >> 8)) & ((1u << lo_bits) - 1));
    return (cpu_jmp_cache_group(pc) << lo_bits) | lo;
}

/* ---- Exceptions and interrupts --------------------------------------------------------
 * cpu->exception_index holds an arch exception number (< EXCP_FIRST_GENERIC, delivered
 * through ops->do_interrupt) or one of the generic values below, or -1 for none. */
enum {
    EXCP_FIRST_GENERIC = 0x10000,
    EXCP_INTERRUPT = 0x10000, /* async exit: interrupt_request / exit request / pause */
    EXCP_HLT = 0x10001,       /* the CPU halted (wfi, hlt): sleep until an interrupt */
    EXCP_DEBUG = 0x10002,     /* single-step done or breakpoint: back to the gdb stub */
    EXCP_HALTED = 0x10003,    /* already halted when the loop was entered */
    EXCP_YIELD = 0x10004,     /* let other vCPUs run */
};

/* interrupt_request bits. Architectures use CPU_INTERRUPT_HARD for their external
 * interrupt line and may define more from CPU_INTERRUPT_TGT0 upwards. */
enum {
    CPU_INTERRUPT_HARD = 1u << 1,
    CPU_INTERRUPT_EXITTB = 1u << 2, /* leave generated code, nothing to deliver */
    CPU_INTERRUPT_HALT = 1u << 3,   /* halt the CPU (from another thread) */
    CPU_INTERRUPT_RESET = 1u << 4,
    CPU_INTERRUPT_NMI = 1u << 5,
    CPU_INTERRUPT_TGT0 = 1u << 8,
};

typedef enum MMUAccessType {
    MMU_DATA_LOAD = 0,
    MMU_DATA_STORE = 1,
    MMU_INST_FETCH = 2,
} MMUAccessType;

/* prot bits for tlb_set_page. */
enum {
    PAGE_READ = 1,
    PAGE_WRITE = 2,
    PAGE_EXEC = 4,
    PAGE_RWX = 7,
};

/* ---- Translation --------------------------------------------------------------------- */

typedef enum DisasJumpType {
    DISAS_NEXT = 0,     /* keep translating */
    DISAS_TOO_MANY = 1, /* stopped by limits: tb_stop emits a goto_tb to pc_next */
    DISAS_NORETURN = 2, /* the instruction already ended the block (exception, jump) */
    DISAS_TARGET_0 = 3, /* free for the architecture from here */
} DisasJumpType;

/* The part of a front-end's DisasContext that the generic loop owns: embed it first. */
struct DisasContextBase {
    TranslationBlock *tb;
    CPUState *cpu;
    uint64_t pc_first; /* guest pc of the first instruction */
    uint64_t pc_next;  /* guest pc of the next instruction to translate */
    DisasJumpType is_jmp;
    int num_insns;
    int max_insns;
    bool singlestep; /* one instruction per block, no chaining, EXCP_DEBUG after it */
    /* private to cpu/: fetch bookkeeping */
    const struct TranslatorOps *ops;
    uint64_t page_vaddr[2];
    const uint8_t *page_host[2];
    bool page_valid[2];
    uint64_t insn_pc; /* pc of the instruction being translated */
};

typedef struct TranslatorOps {
    void (*init_disas_context)(DisasContextBase *db, CPUState *cpu);
    void (*tb_start)(DisasContextBase *db, CPUState *cpu);   /* may be NULL */
    void (*insn_start)(DisasContextBase *db, CPUState *cpu); /* must call tcg_gen_insn_start */
    /* Decodes one instruction at db->pc_next (fetching with translator_ld*), emits its IR,
     * advances pc_next and sets is_jmp if the block must end. */
    void (*translate_insn)(DisasContextBase *db, CPUState *cpu);
    /* Ends the block according to is_jmp (DISAS_TOO_MANY: continue at pc_next). */
    void (*tb_stop)(DisasContextBase *db, CPUState *cpu);
    /* Stores constant pc into the guest's pc in env (used by translator_goto_tb). */
    void (*gen_set_pc)(DisasContextBase *db, uint64_t pc);
} TranslatorOps;

/* Runs the generic loop: calls the hooks, stops at max_insns, at the end of the page of
 * the first instruction (an instruction starting there may extend into the next page,
 * which is then recorded as the block's second page), or when is_jmp says so.
 * Front-ends call it from their ops->gen_code with their own DisasContext. */
void translator_loop(const TranslatorOps *ops, DisasContextBase *db, CPUState *cpu,
                     TranslationBlock *tb, int max_insns);

/* Code fetch for front-ends: guest-endian values (ops->big_endian) at guest pc. */
uint8_t translator_ldub(DisasContextBase *db, uint64_t pc);
uint16_t translator_lduw(DisasContextBase *db, uint64_t pc);
uint32_t translator_ldl(DisasContextBase *db, uint64_t pc);
uint64_t translator_ldq(DisasContextBase *db, uint64_t pc);

/* Block exits for front-ends (they never touch chaining themselves):
 * translator_goto_tb: continue at constant dest_pc through goto_tb slot n (n = 0/1) when
 * dest is on the block's first page, else through the jump cache. Calls ops->gen_set_pc.
 * translator_lookup_and_goto_ptr: indirect branch; the front-end has already stored the
 * new pc in env and passes it in dest_pc (an i32 temp for 32-bit guests, i64 for 64-bit,
 * given as TCGv). Emits an inline jump-cache lookup and a helper call on a miss.
 * translator_exit: plain exit to the loop (pc must already be in env). */
void translator_goto_tb(DisasContextBase *db, int n, uint64_t dest_pc);
void translator_lookup_and_goto_ptr(DisasContextBase *db, TCGv dest_pc);
/* The same for a branch that changes the block flags (ARM's BX between ARM and Thumb
 * state): `flags` (i32) is the key the destination's block must have, as get_tb_flags will
 * compute it after the branch, so that the inline lookup can hit for the new mode. */
void translator_lookup_and_goto_ptr_flags(DisasContextBase *db, TCGv dest_pc, TCGv_i32 flags);
void translator_exit(DisasContextBase *db);
/* True if a direct jump to dest may be chained (same page, not single-stepping). */
bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest_pc);

/* A translated block. Front-ends read pc, cs_base, flags and cflags; the rest is cpu/'s. */
struct TranslationBlock {
    uint64_t pc;
    uint64_t cs_base;
    uint32_t flags;
    uint32_t cflags;
    uint64_t page_addr[2]; /* ram_addr of the page(s) holding its code; UINT64_MAX: none */
    uint64_t phys_pc;      /* ram_addr of pc */
    uint32_t guest_size;   /* bytes of guest code */
    uint32_t icount;
    const void *code_rx;
    uint32_t code_size;
    uint32_t jmp_insn_off[2], jmp_reset_off[2];
    TranslationBlock *jmp_dest[2]; /* chained targets */
    uintptr_t jmp_list_head;       /* incoming jumps: tagged (tb | n) list */
    uintptr_t jmp_list_next[2];
    uintptr_t page_next[2]; /* TBs on the same page: tagged (tb | page index) */
    TranslationBlock *hash_next;
    TCGInsnTable *insns;
    volatile bool invalid;
};

/* ---- Per-architecture hooks ------------------------------------------------------------ */

struct CPUArchOps {
    const char *name; /* "mips", "arm", "x86_64", "toy" */
    size_t env_size;  /* sizeof the arch env (begins with CPUEnvCommon) */
    int nb_mmu_modes; /* <= TCG_MAX_MMU_MODES */
    int page_bits;    /* >= 12 */
    int addr_bits;    /* guest virtual address width: 32 or 64 */
    bool big_endian;
    LogDisasArch disas_arch;

    /* Offset in env of a uint32_t that always equals the flags get_tb_flags returns (e.g.
     * MIPS hflags), or 0. With it, the inline jump-cache lookup of
     * translator_lookup_and_goto_ptr compares the CPU's current flags, so front-ends may
     * use it after mode changes (eret, status writes); without it, it compares the flags
     * of the block being translated. */
    intptr_t tb_flags_offset;
    /* Once per process, before any translation: register IR globals. */
    void (*translate_init)(void);
    /* Translate one block: set up the arch DisasContext and call translator_loop. */
    void (*gen_code)(CPUState *cpu, TranslationBlock *tb, int max_insns);

    void (*reset)(CPUState *cpu);
    /* The key of the block to run next: pc, cs_base (x86 CS base, else 0) and mode flags. */
    void (*get_tb_flags)(void *env, uint64_t *pc, uint64_t *cs_base, uint32_t *flags);
    /* Which MMU index loads/stores (ifetch=false) and fetches (true) use now. */
    int (*mmu_index)(CPUState *cpu, bool ifetch);

    /* Called by the loop with interrupt_request != 0; returns true if an interrupt was
     * taken (the loop then looks up the block again). */
    bool (*exec_interrupt)(CPUState *cpu, unsigned interrupt_request);
    /* Delivers cpu->exception_index (< EXCP_FIRST_GENERIC): vector, mode, pc. */
    void (*do_interrupt)(CPUState *cpu);
    /* A halted CPU wakes when this is true (NULL: any interrupt_request bit). */
    bool (*has_work)(CPUState *cpu);

    /* MMU walk for vaddr. On success calls tlb_set_page and returns true. On a fault:
     * if probe, returns false; else raises the guest exception (sets exception_index and
     * calls cpu_loop_exit_restore(cpu, retaddr)) and never returns. */
    bool (*tlb_fill)(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType access_type,
                     int mmu_idx, bool probe, uintptr_t retaddr);
    /* Misaligned access violating the MemOp's alignment; must raise (NULL: ignored). */
    void (*do_unaligned_access)(CPUState *cpu, uint64_t vaddr, MMUAccessType access_type,
                                int mmu_idx, uintptr_t retaddr);
    /* A load/store reached nothing or a device reported an error (NULL: reads give 0,
     * writes are dropped). May raise like tlb_fill, with retaddr. */
    void (*do_transaction_failed)(CPUState *cpu, uint64_t paddr, uint64_t vaddr, unsigned size,
                                  MMUAccessType access_type, int mmu_idx, MemTxResult result,
                                  uintptr_t retaddr);
    /* Restores pc (and whatever else the insn_start words carry) of one instruction. */
    void (*restore_state_to_opc)(void *env, const uint64_t *words);
    void (*set_pc)(CPUState *cpu, uint64_t pc);
    uint64_t (*get_pc)(CPUState *cpu);

    void (*dump_state)(CPUState *cpu, FILE *f); /* -d cpu, monitor info registers */
    /* gdb: register n into/from buf (guest byte order); returns bytes, 0 if no such reg;
     * a read may return -bytes for a register gdb_target_xml names but env does not hold
     * (gdb shows it unavailable). */
    int gdb_num_regs;
    int (*gdb_read_register)(CPUState *cpu, uint8_t *buf, int n);
    int (*gdb_write_register)(CPUState *cpu, const uint8_t *buf, int n);
    /* gdb's XML description for annex ("target.xml", ...); NULL: gdb's defaults. */
    const char *(*gdb_target_xml)(const char *annex);
    /* Debugger translation of vaddr with the paging state in env, for CPUs without a soft
     * TLB (run by KVM): the arch's page-table walk, reading tables through cpu->as. The
     * caller has pulled the accelerator's registers (cpu_synchronize_state). false when
     * not mapped; NULL: such CPUs have no debugger memory access. */
    bool (*debug_translate)(CPUState *cpu, uint64_t vaddr, uint64_t *paddr);
    /* -d in_asm: capstone mode for blocks with these flags (NULL: disas_arch). */
    LogDisasArch (*disas_arch_for_flags)(uint32_t flags);
};

/* A CPU model (-cpu NAME): arch hooks plus model-specific setup of a fresh env. */
struct CPUModel {
    const char *name;
    const char *arch; /* matches MachineClass.arch */
    const char *desc;
    const CPUArchOps *ops;
    void (*init)(CPUState *cpu); /* after reset values: ids, feature bits */
};

/* Explicit, NULL-terminated model tables: each guest library exports
 * `<arch>_cpu_models` (mips_cpu_models, arm_cpu_models, x86_cpu_models), which cpu/ finds
 * when the guest is linked in; other tables (tests) are added by an explicit call. */
extern const CPUModel *const cpu_model_table[];
void cpu_models_add(const CPUModel *const *table);
const CPUModel *cpu_model_find(const char *name);

/* ---- The generic vCPU ------------------------------------------------------------------ */

/* Per TLB entry, what the inline entry does not hold. */
typedef struct CPUTLBEntryFull {
    uint64_t paddr;    /* guest physical address of the page */
    uint64_t ram_addr; /* memory ram_addr of the page, UINT64_MAX if not RAM/ROM */
    MemoryRegion *mr;  /* I/O region if it covers the whole page, else NULL */
    uint64_t mr_offset;
    int prot;
} CPUTLBEntryFull;

typedef struct CPUStats {
    uint64_t loop_entries; /* times the loop ran generated code (tcg_exec calls) */
    uint64_t tbs_translated;
    uint64_t chain_patches;
    uint64_t jc_helper_calls; /* inline jump-cache misses (helper lookups) */
    /* Why the inline lookup missed: the slot held another pc (two blocks sharing a slot),
     * the same pc under other flags, or nothing (cold, or cleared by a flush). */
    uint64_t jc_miss_conflict, jc_miss_flags, jc_miss_empty;
    uint64_t tb_invalidations;
    uint64_t retranslations; /* code written while it was translated */
    uint64_t flushes;
    uint64_t exceptions;
    uint64_t interrupts;
} CPUStats;

struct CPUState {
    void *env;            /* arch env, begins with CPUEnvCommon */
    CPUEnvCommon *common; /* == env */
    const CPUArchOps *ops;
    const CPUModel *model;
    AddressSpace *as;
    int cpu_index;
    CPUState *next; /* the global list of CPUs */

    volatile unsigned interrupt_request;
    int exception_index;
    volatile bool halted;
    bool singlestep;         /* gdb single-step: EXCP_DEBUG after each instruction */
    uint32_t cflags_next_tb; /* 0 or CF_* for the next block only */

    /* Thread and run state (cpus.c). */
    pthread_t thread;
    bool thread_created;
    volatile bool stop_request;
    volatile bool stopped;
    volatile bool quit_request;
    volatile bool exit_request; /* cpu_exit: make cpu_exec return */
    sigjmp_buf jmp_env;
    sigjmp_buf *translate_jmp;        /* set while translating (page-crossing fetch fault) */
    TranslationBlock *translating_tb; /* freed if a fetch fault ends its translation */
    struct CodeSnapshot *code_snap;   /* the guest bytes the last translation read */
    TCGContext *tcg;
    bool running; /* inside cpu_exec (holds the TB read lock) */

    /* Soft-MMU. */
    TCGTLBEntry *tlb_table[TCG_MAX_MMU_MODES];
    CPUTLBEntryFull *tlb_full[TCG_MAX_MMU_MODES];
    uint64_t tlb_large_addr[TCG_MAX_MMU_MODES];
    uint64_t tlb_large_mask[TCG_MAX_MMU_MODES];
    volatile unsigned tlb_flush_pending; /* mmu index bits, done by the owning thread */
    bool tlb_sync_request; /* broadcast flush issued: wait for every vCPU after this block */
    /* Per mode, entries filled since its last full flush (CPU_TLB_USED_MAX + 1: too many
     * to list): a flush then resets those instead of the whole table. */
    unsigned tlb_nb_used[TCG_MAX_MMU_MODES];
    uint16_t tlb_used[TCG_MAX_MMU_MODES][CPU_TLB_USED_MAX];

    CPUJumpCacheEntry *jmp_cache;
    /* Bit (page & 4095) set while the jump cache may hold a block starting in that
     * 4 KiB virtual page: flushing a page nobody ran code from (most guest TLB
     * refills are for data) then skips clearing slots. */
    uint64_t jmp_page_filter[64];
    /* Slots filled since the last full clear (CPU_JMP_USED_MAX + 1: too many to list),
     * so that a TLB flush clears a few slots instead of the whole 256 KiB cache. */
    unsigned jmp_nb_used;
    uint16_t jmp_used[CPU_JMP_USED_MAX];
    CPUStats stats;
    void *opaque; /* for the board / arch */
};

/* CF_* flags of a block (part of its key). */
enum {
    CF_COUNT_MASK = 0x1ff, /* max instructions (0 = default) */
    CF_SINGLESTEP = 0x200, /* gdb single step: no chaining, EXCP_DEBUG after */
};

/* Thread-local current CPU (NULL outside vCPU threads). */
extern __thread CPUState *current_cpu;

static inline CPUState *env_cpu(void *env)
{
    return ((CPUEnvCommon *)env)->cpu;
}

/* Creates a CPU of the named model on address space `as` (NULL with *errp on an unknown
 * model), resets it and adds it to the CPU list. No thread yet: cpus_start. */
CPUState *cpu_create(const char *model, AddressSpace *as, char **errp);
void cpu_destroy(CPUState *cpu); /* thread must not be running */
void cpu_list_models(FILE *f, const char *arch);
CPUState *cpu_first(void);
int cpu_count(void);
void cpu_reset(CPUState *cpu);
void cpu_dump_state(CPUState *cpu, FILE *f);

/* Interrupts from devices (any thread, BQL or not). */
void cpu_interrupt(CPUState *cpu, unsigned mask);
void cpu_reset_interrupt(CPUState *cpu, unsigned mask);
/* Make cpu_exec return EXCP_INTERRUPT soon (at the next block entry), e.g. so that its
 * caller can pause the CPU or poll something. */
void cpu_exit(CPUState *cpu);
/* Only make generated code come back to the loop (which handles interrupt_request and
 * pending TLB flushes and goes on): what cpu_interrupt does. */
void cpu_kick(CPUState *cpu);

/* ---- Leaving generated code (helpers, slow paths, MMU) --------------------------------- */

/* In a helper called from generated code: the host return address into the block, for
 * cpu_loop_exit_restore / cpu_*_data_ra (must be used in the helper itself, not inlined
 * deeper). */
#define GETPC() ((uintptr_t)__builtin_return_address(0))

/* Unwinds to the execution loop, which then delivers cpu->exception_index. */
void cpu_loop_exit(CPUState *cpu) __attribute__((noreturn));
/* Same, after restoring the guest pc of the instruction whose host code contains retaddr
 * (0 = nothing to restore). */
void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr) __attribute__((noreturn));
/* Raise exception excp at the instruction at retaddr. */
void cpu_raise_exception_ra(CPUState *cpu, int excp, uintptr_t retaddr) __attribute__((noreturn));
/* Restores guest state of the instruction at host address retaddr; false if unknown. */
bool cpu_restore_state(CPUState *cpu, uintptr_t retaddr);
/* Halts (wfi/hlt) at the current instruction's end: leaves with EXCP_HLT. */
void cpu_halt(CPUState *cpu) __attribute__((noreturn));
/* Runs blocks until an exception the loop does not handle itself: EXCP_HLT, EXCP_DEBUG,
 * EXCP_INTERRUPT. Called on the vCPU thread (or by tests directly). */
int cpu_exec(CPUState *cpu);

/* ---- Soft-MMU -------------------------------------------------------------------------- */

/* Maps the one target page holding the accessed address: vaddr and paddr are that page's
 * addresses (for a 1 MiB section, the 4 KiB piece that was touched, not the section base).
 * page_size is the size of the guest's mapping, so that flushing any part of a large page
 * flushes all the pieces mapped from it. */
void tlb_set_page(CPUState *cpu, uint64_t vaddr, uint64_t paddr, int prot, int mmu_idx,
                  uint64_t page_size);
void tlb_flush(CPUState *cpu);
void tlb_flush_page(CPUState *cpu, uint64_t vaddr);
void tlb_flush_by_mmuidx(CPUState *cpu, unsigned idxmap);
void tlb_flush_page_by_mmuidx(CPUState *cpu, uint64_t vaddr, unsigned idxmap);
/* Flush every CPU's TLB (memory-map changes; done by a listener automatically). */
void tlb_flush_all_cpus(void);
/* Broadcast ("inner shareable") maintenance: src's own TLB now, every other vCPU's before src
 * runs another block. The caller's block must end after the instruction. */
void tlb_flush_all_cpus_synced(CPUState *src);
void tlb_flush_page_all_cpus_synced(CPUState *src, uint64_t vaddr);

/* Loads/stores for front-end helpers (guest endianness; faults raise at retaddr). */
uint32_t cpu_ldub_data_ra(void *env, uint64_t addr, uintptr_t ra);
uint32_t cpu_lduw_data_ra(void *env, uint64_t addr, uintptr_t ra);
uint32_t cpu_ldl_data_ra(void *env, uint64_t addr, uintptr_t ra);
uint64_t cpu_ldq_data_ra(void *env, uint64_t addr, uintptr_t ra);
void cpu_stb_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra);
void cpu_stw_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra);
void cpu_stl_data_ra(void *env, uint64_t addr, uint32_t val, uintptr_t ra);
void cpu_stq_data_ra(void *env, uint64_t addr, uint64_t val, uintptr_t ra);
uint64_t cpu_ld_mmu(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra);
void cpu_st_mmu(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra);
uint32_t cpu_ldl_code(void *env, uint64_t addr);
/* Debug access through the current mappings (gdb stub, monitor): no faults, returns false
 * if some page is not mapped. Uses tlb_fill with probe. */
bool cpu_memory_rw_debug(CPUState *cpu, uint64_t vaddr, void *buf, size_t len, bool is_write);

/* ---- Execution control (vCPU threads) -------------------------------------------------- */

void cpus_start(void); /* create a thread per CPU (not yet started) */
void cpus_pause(void); /* stop all vCPUs; returns when they are stopped */
void cpus_resume(void);
void cpus_reset(void);
void cpus_stop_threads(void); /* join all vCPU threads (exit) */
bool cpus_paused(void);
void cpu_single_step(CPUState *cpu, bool enable);
/* Lets one stopped CPU run (gdb step) while the others stay stopped. */
void cpus_resume_one(CPUState *cpu);

/* ---- Debugging (gdb stub) -------------------------------------------------------------- */

/* Breakpoints on guest virtual pcs, for every CPU: a block reaching one leaves with
 * EXCP_DEBUG before the instruction; the vCPU threads then stop and tell the gdb stub. */
bool cpu_breakpoint_insert(uint64_t pc);
bool cpu_breakpoint_remove(uint64_t pc);
bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc);
/* The GdbTarget (system/gdbstub.h) over all CPUs; cpu_create registers it. */
struct GdbTarget;
const struct GdbTarget *cpu_gdb_target_get(void);
/* -singlestep: every block holds one instruction. */
extern bool tcg_singlestep;

/* ---- Accelerators ---------------------------------------------------------------------- */

typedef struct AccelOps {
    const char *name;
    int (*init)(char **errp);
    /* Body of a vCPU thread (argument: the CPUState). It loops on
     * cpu_thread_wait_runnable(cpu) (false: return) and runs the guest. */
    void *(*vcpu_thread)(void *cpu);
    /* Make a running vCPU return to its loop (interrupt, pause). */
    void (*kick)(CPUState *cpu);
    /* Optional. cpu_init runs at the end of cpu_create (e.g. create the KVM vCPU; an error
     * makes cpu_create fail with *errp). synchronize_state copies the accelerator's view of
     * the registers into env before cpu/ reads them (dump, gdb); synchronize_post_reset
     * copies env back after a reset. */
    int (*cpu_init)(CPUState *cpu, char **errp);
    void (*cpu_destroy)(CPUState *cpu);
    void (*synchronize_state)(CPUState *cpu);
    void (*synchronize_post_reset)(CPUState *cpu);
} AccelOps;

extern const AccelOps accel_tcg_ops;
/* The KVM accelerator (cpu/kvm/), found weakly: present when its library is linked. */
extern const AccelOps accel_kvm_ops __attribute__((weak));
/* For accelerator thread functions: waits while the CPU is paused or halted without
 * work; false when the thread must end. */
bool cpu_thread_wait_runnable(CPUState *cpu);
/* After the guest stopped for the debugger (EXCP_DEBUG): stops every CPU and tells gdb. */
void cpu_thread_debug_stop(CPUState *cpu);
/* Registers as the accelerator sees them, into env (no-op for TCG). */
void cpu_synchronize_state(CPUState *cpu);
/* "tcg", "kvm" or "kvm:tcg" (first that works). 0 or -1 with *errp. */
int accel_init(const char *name, char **errp);
const AccelOps *accel_current(void);
/* TCG code buffer size (default 64 MiB; tests use small ones); before accel_init. */
void tcg_accel_set_code_size(size_t bytes);
/* Full-buffer flush of every block (all CPUs paused for it). */
void tb_flush(CPUState *cpu);
/* Invalidate translated code in [ram_addr, ram_addr+len) (DMA writes call this through
 * the memory code-write notifier). */
void tb_invalidate_phys_range(uint64_t ram_addr, uint64_t len);

#endif
