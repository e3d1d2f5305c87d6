/* tcg/tcg.h: public contract of the translator core: contexts, the shared code buffer,
 * code generation, execution entry, chaining, fault recovery and the soft-MMU TLB layout. */
#ifndef MIMIC_TCG_TCG_H
#define MIMIC_TCG_TCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * How the pieces fit (one vCPU thread):
 *
 *   TCGCodeBuffer *buf = tcg_code_buffer_new(64 << 20);      // once per process
 *   TCGContext *ctx = tcg_context_new(buf, &cfg);             // once per vCPU thread
 *   arm_translate_init();   // registers IR globals once per process (tcg_global_mem_new_*)
 *   ...
 *   tcg_func_start(ctx);               // makes ctx the current context of this thread
 *   <front-end emits IR with tcg/tcg-op.h>
 *   if (tcg_gen_code(ctx, &res) < 0) { tcg_code_buffer_flush(ctx); retry; }
 *   uintptr_t v = tcg_exec(ctx, env, res.code_rx);
 *
 * Threads: a TCGContext is used by one thread at a time. The code buffer is shared by
 * every context; tcg_gen_code serialises emission into it with an internal lock, so
 * several vCPU threads may translate at once. tcg_code_buffer_flush() discards all code
 * of every context: the caller must make sure no thread is executing generated code or
 * translating at that moment (cpu/ runs it in an exclusive section).
 *
 * Environment (triage): MIMIC_TCG_NO_OPT=1 starts contexts with the optimizer off;
 * MIMIC_TCG_NO_HOST_EXT=1 (read when the buffer is created) avoids LZCNT/TZCNT/POPCNT/
 * BMI2/MOVBE. Globals must be registered before the translations that use them.
 */

typedef struct TCGContext TCGContext;
typedef struct TCGCodeBuffer TCGCodeBuffer;

/* ---- Memory operations -------------------------------------------------------------- */

/* MemOp: what a guest memory access does. Endianness is relative to the host (x86-64,
 * little endian): MO_BSWAP means "byte-swap the value". */
typedef enum MemOp {
    MO_8 = 0,
    MO_16 = 1,
    MO_32 = 2,
    MO_64 = 3,
    MO_SIZE = 3,
    MO_SIGN = 4, /* sign-extend the loaded value (loads only) */
    MO_BSWAP = 8,

    /* Alignment requirement, bits 4..6. An access violating it takes the slow path,
     * which is where the guest alignment fault is raised. */
    MO_ASHIFT = 4,
    MO_AMASK = 7 << MO_ASHIFT,
    MO_UNALN = 0,
    MO_ALIGN_2 = 1 << MO_ASHIFT,
    MO_ALIGN_4 = 2 << MO_ASHIFT,
    MO_ALIGN_8 = 3 << MO_ASHIFT,
    MO_ALIGN_16 = 4 << MO_ASHIFT,
    MO_ALIGN = 7 << MO_ASHIFT, /* naturally aligned for the access size */

    MO_LE = 0,
    MO_BE = MO_BSWAP,

    MO_UB = MO_8,
    MO_SB = MO_8 | MO_SIGN,
    MO_UW = MO_16,
    MO_SW = MO_16 | MO_SIGN,
    MO_UL = MO_32,
    MO_SL = MO_32 | MO_SIGN,
    MO_UQ = MO_64,
    MO_LEUW = MO_LE | MO_UW,
    MO_LESW = MO_LE | MO_SW,
    MO_LEUL = MO_LE | MO_UL,
    MO_LESL = MO_LE | MO_SL,
    MO_LEUQ = MO_LE | MO_UQ,
    MO_BEUW = MO_BE | MO_UW,
    MO_BESW = MO_BE | MO_SW,
    MO_BEUL = MO_BE | MO_UL,
    MO_BESL = MO_BE | MO_SL,
    MO_BEUQ = MO_BE | MO_UQ,
} MemOp;

/* Number of low address bits that must be zero for this access (0 = unaligned is ok). */
static inline unsigned memop_alignment_bits(MemOp op)
{
    unsigned a = (op & MO_AMASK) >> MO_ASHIFT;
    return a == 7 ? (op & MO_SIZE) : a;
}

/* oi: a MemOp and an MMU index packed in 32 bits, as passed to the slow-path helpers. */
typedef uint32_t MemOpIdx;
#define TCG_MMU_IDX_BITS 4
static inline MemOpIdx make_memop_idx(MemOp op, unsigned mmu_idx)
{
    return ((uint32_t)op << TCG_MMU_IDX_BITS) | mmu_idx;
}
static inline MemOp get_memop(MemOpIdx oi)
{
    return (MemOp)(oi >> TCG_MMU_IDX_BITS);
}
static inline unsigned get_mmuidx(MemOpIdx oi)
{
    return oi & ((1u << TCG_MMU_IDX_BITS) - 1);
}

/* ---- Soft-MMU TLB layout (filled by cpu/, probed inline by generated code) --------- */

/*
 * One entry per page. A comparator holds the guest virtual page address (for 32-bit
 * guests zero-extended to 64 bits) ORed with flag bits; an entry that must never hit
 * holds -1. The inline probe computes
 *     cmp = (addr + size - 1 - align_mask) & (page_mask | align_mask)     (addr zero-
 *            extended for 32-bit guests; the +size-1 part makes page-crossing accesses miss)
 * and hits iff cmp == comparator; on a hit host address = addr + addend.
 * Any flag bit set in a comparator therefore forces the slow path. Flags live in bits
 * 4..page_bits-1 (never in bits 0..3, which hold alignment bits of the probe).
 */
typedef struct TCGTLBEntry {
    uint64_t addr_read;  /* comparator for loads */
    uint64_t addr_write; /* comparator for stores */
    uint64_t addr_code;  /* comparator for instruction fetch (cpu/ only) */
    uintptr_t addend;    /* host address = guest address + addend */
} TCGTLBEntry;

#define TCG_TLB_ENTRY_BITS 5 /* sizeof(TCGTLBEntry) == 1 << 5 */

/* Suggested flag bits (cpu/ owns their meaning; tcg only relies on "any bit => miss").
 * Valid for page_bits >= 12. */
#define TCG_TLB_INVALID  (1u << 11)
#define TCG_TLB_MMIO     (1u << 10)
#define TCG_TLB_NOTDIRTY (1u << 9) /* page holds translated code: writes must invalidate */
#define TCG_TLB_WATCH    (1u << 8)

/* Per MMU mode: entry index = (addr >> page_bits) & (n_entries - 1). */
typedef struct TCGTLBDesc {
    uintptr_t mask;     /* (n_entries - 1) << TCG_TLB_ENTRY_BITS */
    TCGTLBEntry *table; /* n_entries entries */
} TCGTLBDesc;

#define TCG_MAX_MMU_MODES 16

/* Slow paths, called from generated code on a TLB miss. oi = make_memop_idx(memop, mmu_idx).
 * retaddr is a host address inside the block's code for the guest instruction doing the
 * access (give it to tcg_find_insn). ld_slow returns the value already byte-swapped and
 * sign/zero-extended to 64 bits as the MemOp says; st_slow receives the value in host order
 * (the low bits as given by the IR) and must byte-swap it itself if MO_BSWAP. Both must
 * check the alignment requirement of the MemOp. They may siglongjmp out (guest faults). */
typedef uint64_t (*TCGLoadSlowFn)(void *env, uint64_t addr, MemOpIdx oi, uintptr_t retaddr);
typedef void (*TCGStoreSlowFn)(void *env, uint64_t addr, uint64_t val, MemOpIdx oi,
                               uintptr_t retaddr);

/* ---- Contexts ------------------------------------------------------------------------ */

typedef struct TCGConfig {
    int guest_addr_bits;    /* 32 or 64: type of the address temp of qemu_ld/st */
    int page_bits;          /* guest page size, e.g. 12 */
    intptr_t tlb_offset;    /* offset in env of TCGTLBDesc[nb_mmu_modes] */
    int nb_mmu_modes;       /* <= TCG_MAX_MMU_MODES */
    TCGLoadSlowFn ld_slow;  /* required if the front-end emits qemu_ld */
    TCGStoreSlowFn st_slow; /* required if the front-end emits qemu_st */
} TCGConfig;

/* Creates the code buffer: one memfd mapped twice (RW view for writing, RX view for
 * executing), never writable and executable at once. Returns NULL (with a message on
 * stderr) on failure. The execution prologue/epilogue lives at its start. */
TCGCodeBuffer *tcg_code_buffer_new(size_t size);
void tcg_code_buffer_free(TCGCodeBuffer *buf);

TCGContext *tcg_context_new(TCGCodeBuffer *buf, const TCGConfig *cfg);
void tcg_context_free(TCGContext *ctx);

/* Optimizer on (default) or off: off folds nothing and removes nothing, so tests can
 * compare both paths. The environment variable MIMIC_TCG_NO_OPT=1 makes new contexts start
 * with it off (to triage a suspected miscompile). */
void tcg_context_set_optimize(TCGContext *ctx, bool on);

/* If f is non-NULL, tcg_gen_code prints the op list after optimisation (-d op_opt) to f.
 * For -d op, call tcg_dump_ops() yourself before tcg_gen_code. */
void tcg_context_set_log_op_opt(TCGContext *ctx, FILE *f);

/* Starts a new translation: clears ops, temps (not globals), labels. Makes ctx the
 * current context of the calling thread for the builder functions of tcg/tcg-op.h. */
void tcg_func_start(TCGContext *ctx);

/* Readable dump of the current op list (one op per line, insn_start lines as markers). */
void tcg_dump_ops(TCGContext *ctx, FILE *f);

/* ---- Code generation ------------------------------------------------------------------ */

#define TCG_MAX_INSN_WORDS 3
#define TCG_NO_JMP         UINT32_MAX

typedef struct TCGInsnInfo {
    uint32_t end_off; /* offset in the block's code where this instruction's code ends */
    uint64_t words[TCG_MAX_INSN_WORDS];
} TCGInsnInfo;

typedef struct TCGInsnTable {
    uint32_t n_insns;
    TCGInsnInfo *insns;
    uintptr_t code_rx; /* start of the block's code (RX view) */
    uint32_t code_size;
} TCGInsnTable;

typedef struct TCGCodeResult {
    const void *code_rx; /* entry point, RX view; the bytes are readable for -d out_asm */
    size_t size;         /* bytes of host code, including out-of-line slow paths */
    /* goto_tb(n): offset of the 5-byte jmp instruction (E9 + rel32, rel32 4-byte aligned)
     * and of the instruction it initially jumps to (the reset target); TCG_NO_JMP if the
     * block has no goto_tb(n). */
    uint32_t jmp_insn_off[2];
    uint32_t jmp_reset_off[2];
    /* Points into memory owned by the context, valid until the next tcg_func_start on it:
     * copy it (tcg_insn_table_dup) to keep it with the TB. */
    TCGInsnTable insns;
    uint32_t n_ops_in;  /* ops emitted by the front-end */
    uint32_t n_ops_out; /* ops left after optimisation and dead-code removal */
} TCGCodeResult;

/* Optimises, computes liveness, allocates registers and emits host code.
 * Returns 0 on success, -1 when the code buffer is full (flush everything with
 * tcg_code_buffer_flush and translate again), -2 when the block is too large or
 * complex for one translation (too many temps/spill slots): translate fewer guest
 * instructions. */
int tcg_gen_code(TCGContext *ctx, TCGCodeResult *out);

/* Discards all generated code of every context sharing ctx's buffer (see threads above). */
void tcg_code_buffer_flush(TCGContext *ctx);

/* Bytes left in the shared buffer (for statistics). */
size_t tcg_code_buffer_free_bytes(TCGContext *ctx);

/* ---- Execution and chaining ------------------------------------------------------------ */

/*
 * Runs generated code: saves callee-saved registers, pins env in a host register, jumps
 * to code_rx and returns the value of the exit_tb that ended execution (after following
 * any chained blocks). goto_ptr(NULL) returns 0. Generated code never needs cleanup, so a
 * helper may siglongjmp out of it.
 * Convention for cpu/: exit_tb((uintptr_t)tb | n) asks to chain slot n (tb pointers are
 * at least 4-byte aligned, so n in 0..1 and the value 2 in the low bits are free;
 * TCG_EXIT_REQUESTED is reserved for "exit/interrupt requested"); exit_tb(0) is a plain
 * exit. tcg itself does not interpret the value.
 */
#define TCG_EXIT_REQUESTED ((uintptr_t)3)
uintptr_t tcg_exec(TCGContext *ctx, void *env, const void *code_rx);

/* Atomically retargets the goto_tb jmp at jmp_rx_addr (res.code_rx + jmp_insn_off[n]) to
 * target_rx_addr (another block's code_rx). Reset by patching back to
 * res.code_rx + jmp_reset_off[n]. Safe while other threads execute the code. */
void tcg_patch_jump(TCGContext *ctx, uintptr_t jmp_rx_addr, uintptr_t target_rx_addr);

/* ---- Fault recovery --------------------------------------------------------------------- */

/* Maps a host return address (as passed to a slow path or returned by
 * __builtin_return_address(0) inside a helper) back to the guest instruction whose code
 * contains it: fills words_out with its insn_start words and returns its index, or -1
 * if host_retaddr is not inside this block. */
int tcg_find_insn(const TCGInsnTable *t, uintptr_t host_retaddr,
                  uint64_t words_out[TCG_MAX_INSN_WORDS]);

/* Heap copy of a table (e.g. to keep with a TB); free with tcg_insn_table_free. */
TCGInsnTable *tcg_insn_table_dup(const TCGInsnTable *t);
void tcg_insn_table_free(TCGInsnTable *t);

#endif
