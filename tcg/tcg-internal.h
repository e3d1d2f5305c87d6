/* tcg/tcg-internal.h: data structures shared by the builder, optimizer, liveness, register
 * allocator and the host back-end. Not for use outside tcg/. */
#ifndef MIMIC_TCG_TCG_INTERNAL_H
#define MIMIC_TCG_TCG_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <string.h>

#include "tcg/tcg.h"
#include "tcg/tcg-op.h"

typedef uintptr_t TCGArg;

typedef enum TCGType {
    TCG_TYPE_I32,
    TCG_TYPE_I64,
} TCGType;
#define TCG_TYPE_PTR TCG_TYPE_I64

enum {
    TCG_OPF_BB_END = 1,        /* ends a basic block: globals synced, normal temps die */
    TCG_OPF_BB_EXIT = 2,       /* never falls through */
    TCG_OPF_COND_BRANCH = 4,   /* may branch or fall through */
    TCG_OPF_SIDE_EFFECTS = 8,  /* never removed as dead */
    TCG_OPF_CALL_CLOBBER = 16, /* clobbers call-clobbered host registers; may raise */
    TCG_OPF_NOT_PRESENT = 32,  /* emits no code through the generic allocator */
};

typedef enum TCGOpcode {
#define DEF(name, o, i, c, f) INDEX_op_##name,
#include "tcg/tcg-opc.h"
#undef DEF
    NB_OPS,
} TCGOpcode;

typedef struct TCGOpDef {
    const char *name;
    uint8_t nb_oargs, nb_iargs, nb_cargs;
    uint8_t flags;
} TCGOpDef;
extern const TCGOpDef tcg_op_defs[NB_OPS];

#define TCG_MAX_OP_ARGS 12

typedef struct TCGOp {
    uint8_t opc;  /* TCGOpcode */
    uint8_t type; /* TCGType of a width-generic op */
    uint8_t nb_o, nb_i, nb_c;
    uint16_t life; /* bit i: args[i] (output or input) is dead after this op */
    TCGArg args[TCG_MAX_OP_ARGS];
} TCGOp;

typedef enum TCGTempKind {
    TEMP_NORMAL, /* dies at the end of each basic block */
    TEMP_LOCAL,  /* lives across branches within the translation */
    TEMP_GLOBAL, /* bound to env + offset */
    TEMP_FIXED,  /* env itself, pinned in a host register */
    TEMP_CONST,
} TCGTempKind;

typedef enum TCGTempVal {
    TEMP_VAL_DEAD,
    TEMP_VAL_REG,
    TEMP_VAL_MEM,
    TEMP_VAL_CONST,
} TCGTempVal;

struct TCGTemp {
    uint8_t type; /* TCGType */
    uint8_t kind; /* TCGTempKind */
    uint8_t val_type;
    int8_t reg;
    bool mem_coherent;
    bool mem_allocated;
    bool is_free;
    int64_t val;         /* TEMP_CONST value, or TEMP_VAL_CONST value */
    intptr_t mem_offset; /* env offset (globals) or frame offset */
    const char *name;
};

struct TCGLabel {
    int id;
    bool has_value;
    bool refs;
    uint32_t value; /* code offset */
};

typedef struct TCGReloc {
    int label;
    uint32_t at; /* offset of a rel32 field */
} TCGReloc;

/* Out-of-line soft-MMU slow path, emitted after the block body. */
typedef struct TCGLdstInfo {
    bool is_ld;
    uint8_t type;
    MemOpIdx oi;
    int8_t addr_reg, data_reg;
    uint32_t jne_at;  /* rel32 of the probe's jne, to be pointed at the slow path */
    uint32_t join_at; /* where the slow path returns to */
} TCGLdstInfo;

#define TCG_MAX_TEMPS              8192
#define TCG_MAX_GLOBALS            512
#define TCG_MAX_LABELS             4096
#define TCG_MAX_INSNS              1024
#define TCG_MAX_LDST               2048
#define TCG_MAX_RELOCS             8192
#define TCG_CONST_HASH             1024
#define TCG_TARGET_FRAME_SLOTS_MAX 1024

struct TCGCodeBuffer {
    uint8_t *rw; /* writable view */
    uint8_t *rx; /* executable view, same offsets */
    size_t size;
    size_t code_start; /* first byte after the prologue */
    size_t used;       /* bump pointer */
    uintptr_t (*enter)(void *env, const void *code);
    uint32_t epilogue_off;      /* returns the value in rax */
    uint32_t epilogue_ret0_off; /* returns 0 */
    pthread_mutex_t lock;
};

struct TCGContext {
    TCGCodeBuffer *buf;
    TCGConfig cfg;
    bool optimize;
    FILE *log_op_opt;

    /* ops */
    TCGOp *ops;
    int nb_ops, max_ops;
    int nb_ops_in;

    /* temps: [0, nb_globals) are the process-wide globals */
    TCGTemp temps[TCG_MAX_TEMPS];
    int nb_globals, nb_temps;
    int free_temps[2][2][TCG_MAX_TEMPS / 4]; /* [local][type] */
    int nb_free[2][2];
    int const_hash[TCG_CONST_HASH];

    TCGLabel labels[TCG_MAX_LABELS];
    int nb_labels;

    /* code generation */
    uint8_t *code_buf_rw; /* start of this block in the RW view */
    uint8_t *code_ptr;    /* next byte to write (RW view) */
    uint8_t *code_limit;  /* soft end for the overflow check */
    intptr_t rx_delta;    /* rx = rw + rx_delta */
    jmp_buf overflow;
    int regalloc_error;
    bool build_error; /* too many temps/labels/insns: tcg_gen_code returns -2 */
    TCGTemp *reg_to_temp[16];
    uint16_t op_reserved; /* host regs holding this op's operands */
    int nb_frame_slots;
    int *ra_kept; /* globals and local temps: written back at block ends */
    int ra_nb_kept, ra_kept_cap;
    int *ra_touched; /* normal temps given a value in the current basic block */
    int ra_nb_touched, ra_touched_cap;
    int free_slots[TCG_TARGET_FRAME_SLOTS_MAX]; /* released by dead normal temps */
    int nb_free_slots;
    TCGReloc relocs[TCG_MAX_RELOCS];
    int nb_relocs;
    TCGLdstInfo ldst[TCG_MAX_LDST];
    int nb_ldst;
    uint32_t jmp_insn_off[2], jmp_reset_off[2];
    TCGInsnInfo insns[TCG_MAX_INSNS];
    int nb_insns;
    int cur_insn;
};

extern __thread TCGContext *tcg_ctx;

static inline int temp_idx(TCGContext *s, TCGTemp *t)
{
    return (int)(t - s->temps);
}
static inline TCGTemp *arg_temp(TCGArg a)
{
    return (TCGTemp *)a;
}
static inline TCGArg temp_arg(TCGTemp *t)
{
    return (TCGArg)t;
}
static inline const TCGOpDef *op_def(const TCGOp *op)
{
    return &tcg_op_defs[op->opc];
}

/* tcg.c */
TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, int nb_o, int nb_i, int nb_c);
TCGTemp *tcg_const_temp(TCGContext *s, TCGType type, int64_t val);
const char *tcg_cond_name(TCGCond c);
int64_t tcg_fold_cond(TCGType type, TCGCond c, uint64_t a, uint64_t b);
void tcg_liveness(TCGContext *s);

/* optimize.c */
void tcg_optimize(TCGContext *s);

/* ---- back-end interface (tcg/x86_64/tcg-target.c) ---- */
#define TCG_TARGET_NB_REGS 16

/* Constraint of one op argument, parsed from the back-end's strings. */
typedef struct TCGArgConstraint {
    uint16_t regs; /* allowed host registers */
    bool const_ok; /* a constant that fits the back-end's immediate may stay constant */
    bool newreg;   /* output must not share a register with any input */
    int8_t alias;  /* output: index of the input whose register it reuses, or -1 */
    bool fixed;    /* exactly one allowed register */
} TCGArgConstraint;

typedef struct TCGOpConstraint {
    TCGArgConstraint args[TCG_MAX_OP_ARGS]; /* outputs then inputs */
    uint16_t clobber;                       /* written by the emission besides outputs */
} TCGOpConstraint;

extern const uint16_t tcg_target_alloc_order[];
extern const int tcg_target_nb_alloc;
extern const uint16_t tcg_target_call_clobber;
#define TCG_TARGET_NB_IARG_REGS 6
extern const int tcg_target_call_iarg_regs[TCG_TARGET_NB_IARG_REGS];
extern const int tcg_target_call_oarg_reg;
#define TCG_REG_CALL_STACK     4  /* rsp: spill slots are rsp-relative */
#define TCG_AREG0              14 /* r14 holds env */
#define TCG_TARGET_FRAME_SLOTS TCG_TARGET_FRAME_SLOTS_MAX
/* Bottom of the frame: room for stack arguments of calls; spill slots sit above it. */
#define TCG_TARGET_CALL_AREA 64

const TCGOpConstraint *tcg_target_op_constraint(const TCGOp *op);
bool tcg_target_const_fits(TCGType type, int64_t val, const TCGOp *op, int arg);
void tcg_target_init(void);
void tcg_target_emit_prologue(TCGCodeBuffer *buf);
void tcg_out_mov(TCGContext *s, TCGType type, int dst, int src);
void tcg_out_movi(TCGContext *s, TCGType type, int dst, int64_t val);
void tcg_out_ld(TCGContext *s, TCGType type, int reg, int base, intptr_t off);
void tcg_out_st(TCGContext *s, TCGType type, int reg, int base, intptr_t off);
/* Stores a constant directly if the host can; false if it cannot. */
bool tcg_out_sti(TCGContext *s, TCGType type, int64_t val, int base, intptr_t off);
void tcg_out_call(TCGContext *s, const void *func);
/* args[i]: register number, or the constant value when is_const[i] */
void tcg_out_op(TCGContext *s, const TCGOp *op, const TCGArg *args, const bool *is_const);
void tcg_out_brcond(TCGContext *s, TCGType type, TCGCond c, int a, TCGArg b, bool b_const,
                    int label);
void tcg_out_br(TCGContext *s, int label);
void tcg_out_goto_tb(TCGContext *s, int n);
void tcg_out_exit_tb(TCGContext *s, uintptr_t val);
void tcg_out_goto_ptr(TCGContext *s, int reg);
void tcg_out_mb(TCGContext *s, unsigned kind);
void tcg_out_ldst_slow_paths(TCGContext *s);
void tcg_out_patch_rel32(TCGContext *s, uint32_t at, uint32_t target);
void tcg_out_nop_fill(TCGContext *s, uint8_t *p, size_t n);

static inline uint32_t tcg_current_off(TCGContext *s)
{
    return (uint32_t)(s->code_ptr - s->code_buf_rw);
}
static inline void tcg_out8(TCGContext *s, uint8_t v)
{
    *s->code_ptr++ = v;
}
static inline void tcg_out32(TCGContext *s, uint32_t v)
{
    memcpy(s->code_ptr, &v, 4);
    s->code_ptr += 4;
}
static inline void tcg_out64(TCGContext *s, uint64_t v)
{
    memcpy(s->code_ptr, &v, 8);
    s->code_ptr += 8;
}
void tcg_add_reloc(TCGContext *s, int label, uint32_t at);

#endif
