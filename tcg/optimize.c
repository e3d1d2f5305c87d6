/* tcg/optimize.c: the IR optimizer, run by tcg_gen_code before liveness: constant folding
 * and propagation, copy propagation, algebraic identities and branch folding, one fold
 * function per kind of op. Dead code is then removed by the liveness pass (regalloc.c). */
#include <stdlib.h>

#include "tcg/tcg-internal.h"

typedef struct TempInfo {
    bool is_const;
    int64_t val;
    int copy_of;         /* temp index this one is a copy of, or -1 */
    uint32_t copy_gen;   /* generation of copy_of when the copy was made */
    uint32_t copy_epoch; /* copies are forgotten at block ends (copy epoch bump) */
    uint32_t epoch;      /* everything is forgotten at labels (epoch bump) */
    uint32_t gen;        /* bumped at every definition */
} TempInfo;

typedef struct OptContext {
    TCGContext *s;
    TempInfo *info;
    int *label_refs;
    int nb_info; /* temps that existed when optimisation started */
    uint32_t epoch, copy_epoch;
} OptContext;

static int64_t norm(TCGType type, int64_t v)
{
    return type == TCG_TYPE_I32 ? (int64_t)(int32_t)v : v;
}

static int tidx(OptContext *oc, TCGArg a)
{
    return temp_idx(oc->s, arg_temp(a));
}

static bool arg_const(TCGArg a)
{
    return arg_temp(a)->kind == TEMP_CONST;
}

static int64_t arg_val(TCGArg a)
{
    return arg_temp(a)->val;
}

static void reset_temp(OptContext *oc, int idx)
{
    if (idx >= oc->nb_info) {
        return;
    }
    TempInfo *ti = &oc->info[idx];
    ti->is_const = false;
    ti->copy_of = -1;
    ti->epoch = oc->epoch;
    ti->gen++;
}

/* Labels: nothing known holds any more. O(1): stale entries are recognised by epoch. */
static void reset_all(OptContext *oc)
{
    oc->epoch++;
}

/* Block ends: normal temps die, so no copy relation may be used beyond. */
static void reset_copies(OptContext *oc)
{
    oc->copy_epoch++;
}

static void reset_globals(OptContext *oc)
{
    for (int i = 1; i < oc->s->nb_globals; i++) {
        reset_temp(oc, i);
    }
}

/* Rewrites op into "mov out, src" and records what out now holds. */
static void make_mov(OptContext *oc, TCGOp *op, TCGTemp *out, TCGTemp *src)
{
    TCGType type = (TCGType)out->type;
    op->opc = INDEX_op_mov;
    op->type = type;
    op->nb_o = 1;
    op->nb_i = 1;
    op->nb_c = 0;
    op->args[0] = temp_arg(out);
    op->args[1] = temp_arg(src);
    int o = temp_idx(oc->s, out);
    reset_temp(oc, o);
    if (out == src) {
        op->opc = INDEX_op_nop;
        return;
    }
    if (src->kind == TEMP_CONST) {
        oc->info[o].is_const = true;
        oc->info[o].val = src->val;
    } else {
        int si = temp_idx(oc->s, src);
        oc->info[o].copy_of = si;
        oc->info[o].copy_gen = oc->info[si].gen;
        oc->info[o].copy_epoch = oc->copy_epoch;
    }
}

static void fold_to_const(OptContext *oc, TCGOp *op, int64_t v)
{
    TCGTemp *out = arg_temp(op->args[0]);
    make_mov(oc, op, out, tcg_const_temp(oc->s, (TCGType)out->type, norm(out->type, v)));
}

static void fold_to_copy(OptContext *oc, TCGOp *op, TCGArg src)
{
    make_mov(oc, op, arg_temp(op->args[0]), arg_temp(src));
}

static uint64_t width_mask(TCGType type)
{
    return type == TCG_TYPE_I32 ? 0xffffffffull : ~0ull;
}

/* Constant evaluation; the semantics the back-end implements (see tcg/tcg-op.h). */
static uint64_t eval_op(TCGOpcode opc, TCGType type, uint64_t x, uint64_t y)
{
    int bits = type == TCG_TYPE_I32 ? 32 : 64;
    uint64_t m = width_mask(type);
    int64_t sx = norm(type, (int64_t)x), sy = norm(type, (int64_t)y);
    int64_t min = type == TCG_TYPE_I32 ? INT32_MIN : INT64_MIN;
    unsigned c = (unsigned)(y & (bits - 1));
    x &= m;
    y &= m;
    switch (opc) {
    case INDEX_op_add: return x + y;
    case INDEX_op_sub: return x - y;
    case INDEX_op_mul: return x * y;
    case INDEX_op_and: return x & y;
    case INDEX_op_or: return x | y;
    case INDEX_op_xor: return x ^ y;
    case INDEX_op_andc: return x & ~y;
    case INDEX_op_orc: return x | ~y;
    case INDEX_op_nand: return ~(x & y);
    case INDEX_op_nor: return ~(x | y);
    case INDEX_op_eqv: return ~(x ^ y);
    case INDEX_op_shl: return x << c;
    case INDEX_op_shr: return x >> c;
    case INDEX_op_sar: return (uint64_t)(sx >> c);
    case INDEX_op_rotl: return c ? (x << c) | (x >> (bits - c)) : x;
    case INDEX_op_rotr: return c ? (x >> c) | (x << (bits - c)) : x;
    case INDEX_op_div:
        if (sy == 0) {
            return 0;
        }
        if (sy == -1) {
            return sx == min ? (uint64_t)min : (uint64_t)-sx;
        }
        return (uint64_t)(sx / sy);
    case INDEX_op_rem:
        if (sy == 0) {
            return x;
        }
        return sy == -1 ? 0 : (uint64_t)(sx % sy);
    case INDEX_op_divu: return y ? x / y : 0;
    case INDEX_op_remu: return y ? x % y : x;
    case INDEX_op_clz: return x ? (uint64_t)(__builtin_clzll(x) - (64 - bits)) : y;
    case INDEX_op_ctz: return x ? (uint64_t)__builtin_ctzll(x) : y;
    case INDEX_op_neg: return -x;
    case INDEX_op_not: return ~x;
    case INDEX_op_ext8s: return (uint64_t)(int64_t)(int8_t)x;
    case INDEX_op_ext8u: return (uint8_t)x;
    case INDEX_op_ext16s: return (uint64_t)(int64_t)(int16_t)x;
    case INDEX_op_ext16u: return (uint16_t)x;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64: return (uint64_t)(int64_t)(int32_t)x;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32: return (uint32_t)x;
    case INDEX_op_extrh_i64_i32: return x >> 32;
    case INDEX_op_bswap16: return __builtin_bswap16((uint16_t)x);
    case INDEX_op_bswap32: return __builtin_bswap32((uint32_t)x);
    case INDEX_op_bswap64: return __builtin_bswap64(x);
    case INDEX_op_ctpop: return (uint64_t)__builtin_popcountll(x);
    default: return 0;
    }
}

static bool is_commutative(TCGOpcode opc)
{
    switch (opc) {
    case INDEX_op_add:
    case INDEX_op_mul:
    case INDEX_op_and:
    case INDEX_op_or:
    case INDEX_op_xor:
    case INDEX_op_nand:
    case INDEX_op_nor:
    case INDEX_op_eqv: return true;
    default: return false;
    }
}

/* ---- fold functions: return true when the op was rewritten or removed ---- */

static bool fold_unary(OptContext *oc, TCGOp *op)
{
    if (arg_const(op->args[1])) {
        /* conversions take their input at the input's own width */
        TCGType in_type = (TCGType)arg_temp(op->args[1])->type;
        uint64_t x = (uint64_t)arg_val(op->args[1]);
        fold_to_const(oc, op, (int64_t)eval_op((TCGOpcode)op->opc, in_type, x, 0));
        return true;
    }
    return false;
}

static bool fold_binary(OptContext *oc, TCGOp *op)
{
    TCGOpcode opc = (TCGOpcode)op->opc;
    TCGType type = (TCGType)op->type;
    if (is_commutative(opc) && arg_const(op->args[1]) && !arg_const(op->args[2])) {
        TCGArg t = op->args[1];
        op->args[1] = op->args[2];
        op->args[2] = t;
    }
    TCGArg a = op->args[1], b = op->args[2];
    if (arg_const(a) && arg_const(b)) {
        fold_to_const(oc, op,
                      (int64_t)eval_op(opc, type, (uint64_t)arg_val(a), (uint64_t)arg_val(b)));
        return true;
    }
    if (!arg_const(b)) {
        if (a == b) {
            switch (opc) {
            case INDEX_op_sub:
            case INDEX_op_xor:
            case INDEX_op_andc: fold_to_const(oc, op, 0); return true;
            case INDEX_op_and:
            case INDEX_op_or: fold_to_copy(oc, op, a); return true;
            case INDEX_op_orc:
            case INDEX_op_eqv: fold_to_const(oc, op, -1); return true;
            default: break;
            }
        }
        if (arg_const(a) && arg_val(a) == 0) {
            switch (opc) {
            case INDEX_op_shl:
            case INDEX_op_shr:
            case INDEX_op_sar:
            case INDEX_op_rotl:
            case INDEX_op_rotr: fold_to_const(oc, op, 0); return true;
            default: break;
            }
        }
        return false;
    }
    uint64_t m = width_mask(type);
    uint64_t v = (uint64_t)arg_val(b) & m;
    int bits = type == TCG_TYPE_I32 ? 32 : 64;
    switch (opc) {
    case INDEX_op_add:
    case INDEX_op_sub:
    case INDEX_op_or:
    case INDEX_op_xor:
        if (v == 0) {
            fold_to_copy(oc, op, a);
            return true;
        }
        if (opc == INDEX_op_or && v == m) {
            fold_to_const(oc, op, -1);
            return true;
        }
        if (opc == INDEX_op_sub) {
            /* x - c == x + (-c): the back-end has a three-operand add (lea) */
            op->opc = INDEX_op_add;
            op->args[2] = temp_arg(tcg_const_temp(oc->s, type, norm(type, (int64_t)(0 - v))));
        }
        break;
    case INDEX_op_and:
        if (v == 0) {
            fold_to_const(oc, op, 0);
            return true;
        }
        if (v == m) {
            fold_to_copy(oc, op, a);
            return true;
        }
        /* masks that are zero-extensions: no immediate to materialise */
        if (v == 0xff || v == 0xffff || (v == 0xffffffffu && type == TCG_TYPE_I64)) {
            op->opc = v == 0xff ? INDEX_op_ext8u : v == 0xffff ? INDEX_op_ext16u : INDEX_op_ext32u;
            op->nb_i = 1;
            return false;
        }
        break;
    case INDEX_op_andc:
        if (v == 0) {
            fold_to_copy(oc, op, a);
            return true;
        }
        break;
    case INDEX_op_orc:
        if (v == m) {
            fold_to_copy(oc, op, a);
            return true;
        }
        break;
    case INDEX_op_mul:
        if (v == 0) {
            fold_to_const(oc, op, 0);
            return true;
        }
        if (v == 1) {
            fold_to_copy(oc, op, a);
            return true;
        }
        break;
    case INDEX_op_div:
    case INDEX_op_divu:
        if (v == 1) {
            fold_to_copy(oc, op, a);
            return true;
        }
        break;
    case INDEX_op_rem:
    case INDEX_op_remu:
        if (v == 1) {
            fold_to_const(oc, op, 0);
            return true;
        }
        break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr:
        if ((v & (bits - 1)) == 0) {
            fold_to_copy(oc, op, a);
            return true;
        }
        break;
    default: break;
    }
    return false;
}

static bool fold_bitfield(OptContext *oc, TCGOp *op)
{
    TCGType type = (TCGType)op->type;
    int bits = type == TCG_TYPE_I32 ? 32 : 64;
    if (op->opc == INDEX_op_deposit) {
        unsigned pos = op->args[3], len = op->args[4];
        if (len >= (unsigned)bits) {
            fold_to_copy(oc, op, op->args[2]);
            return true;
        }
        if (arg_const(op->args[1]) && arg_const(op->args[2])) {
            uint64_t mk = (((uint64_t)1 << len) - 1) << pos;
            uint64_t a = (uint64_t)arg_val(op->args[1]), b = (uint64_t)arg_val(op->args[2]);
            fold_to_const(oc, op, (int64_t)((a & ~mk) | ((b << pos) & mk)));
            return true;
        }
        return false;
    }
    unsigned pos = op->args[2], len = op->args[3];
    if (len >= (unsigned)bits) {
        fold_to_copy(oc, op, op->args[1]);
        return true;
    }
    if (arg_const(op->args[1])) {
        uint64_t x = ((uint64_t)arg_val(op->args[1]) & width_mask(type)) >> pos;
        x &= ((uint64_t)1 << len) - 1;
        if (op->opc == INDEX_op_sextract && (x >> (len - 1)) & 1) {
            x |= ~(uint64_t)0 << len;
        }
        fold_to_const(oc, op, (int64_t)x);
        return true;
    }
    return false;
}

/* Returns 0/1 when the condition is known, -1 otherwise. */
static int eval_cond(TCGType type, TCGCond c, TCGArg a, TCGArg b)
{
    if (c == TCG_COND_ALWAYS) {
        return 1;
    }
    if (c == TCG_COND_NEVER) {
        return 0;
    }
    if (arg_const(a) && arg_const(b)) {
        return (int)tcg_fold_cond(type, c, (uint64_t)arg_val(a), (uint64_t)arg_val(b));
    }
    if (a == b) {
        switch (c) {
        case TCG_COND_EQ:
        case TCG_COND_GE:
        case TCG_COND_LE:
        case TCG_COND_GEU:
        case TCG_COND_LEU: return 1;
        case TCG_COND_NE:
        case TCG_COND_LT:
        case TCG_COND_GT:
        case TCG_COND_LTU:
        case TCG_COND_GTU: return 0;
        default: break;
        }
    }
    if (arg_const(b) && arg_val(b) == 0) {
        if (c == TCG_COND_LTU || c == TCG_COND_TSTNE) {
            return 0;
        }
        if (c == TCG_COND_GEU || c == TCG_COND_TSTEQ) {
            return 1;
        }
    }
    return -1;
}

static bool fold_setcond(OptContext *oc, TCGOp *op)
{
    int r = eval_cond((TCGType)op->type, (TCGCond)op->args[3], op->args[1], op->args[2]);
    if (r < 0) {
        return false;
    }
    fold_to_const(oc, op, op->opc == INDEX_op_negsetcond ? -r : r);
    return true;
}

static bool fold_movcond(OptContext *oc, TCGOp *op)
{
    if (op->args[3] == op->args[4]) {
        fold_to_copy(oc, op, op->args[3]);
        return true;
    }
    int r = eval_cond((TCGType)op->type, (TCGCond)op->args[5], op->args[1], op->args[2]);
    if (r < 0) {
        return false;
    }
    fold_to_copy(oc, op, r ? op->args[3] : op->args[4]);
    return true;
}

static void fold_brcond(OptContext *oc, TCGOp *op)
{
    int r = eval_cond((TCGType)op->type, (TCGCond)op->args[2], op->args[0], op->args[1]);
    if (r == 0) {
        oc->label_refs[op->args[3]]--;
        op->opc = INDEX_op_nop;
    } else if (r == 1) {
        int label = (int)op->args[3];
        op->opc = INDEX_op_br;
        op->nb_i = 0;
        op->nb_c = 1;
        op->args[0] = label;
    }
}

/* Replaces inputs known to be constants or copies by the constant or the original. */
static void propagate_inputs(OptContext *oc, TCGOp *op)
{
    for (int k = op->nb_o; k < op->nb_o + op->nb_i; k++) {
        TCGTemp *t = arg_temp(op->args[k]);
        int i = temp_idx(oc->s, t);
        if (t->kind == TEMP_CONST || i >= oc->nb_info) {
            continue;
        }
        TempInfo *ti = &oc->info[i];
        if (ti->epoch != oc->epoch) {
            continue;
        }
        if (ti->is_const) {
            op->args[k] = temp_arg(tcg_const_temp(oc->s, (TCGType)t->type, ti->val));
        } else if (ti->copy_of >= 0 && ti->copy_epoch == oc->copy_epoch &&
                   oc->info[ti->copy_of].gen == ti->copy_gen) {
            op->args[k] = temp_arg(&oc->s->temps[ti->copy_of]);
        }
    }
}

static void remove_op(OptContext *oc, TCGOp *op)
{
    if (op->opc == INDEX_op_br) {
        oc->label_refs[op->args[0]]--;
    } else if (op->opc == INDEX_op_brcond) {
        oc->label_refs[op->args[3]]--;
    }
    op->opc = INDEX_op_nop;
}

void tcg_optimize(TCGContext *s)
{
    OptContext oc = {s};
    /* Constants created while folding get indices above nb_temps; they never need info
     * (only non-constant temps are looked up or defined). */
    int cap = s->nb_temps;
    oc.info = calloc(cap + 1, sizeof(TempInfo));
    oc.label_refs = calloc(s->nb_labels + 1, sizeof(int));
    oc.nb_info = cap;
    for (int i = 0; i < cap; i++) {
        oc.info[i].copy_of = -1;
    }
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_br) {
            oc.label_refs[op->args[0]]++;
        } else if (op->opc == INDEX_op_brcond) {
            oc.label_refs[op->args[3]]++;
        }
    }

    bool unreachable = false;
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        TCGOpcode opc = (TCGOpcode)op->opc;
        if (opc == INDEX_op_nop || opc == INDEX_op_insn_start) {
            continue;
        }
        if (opc == INDEX_op_set_label) {
            if (oc.label_refs[op->args[0]] == 0) {
                /* only reached by falling through: not a block boundary any more */
                op->opc = INDEX_op_nop;
                continue;
            }
            unreachable = false;
            reset_all(&oc);
            continue;
        }
        if (unreachable) {
            remove_op(&oc, op);
            continue;
        }
        propagate_inputs(&oc, op);

        bool done = false;
        switch (opc) {
        case INDEX_op_mov:
            fold_to_copy(&oc, op, op->args[1]);
            done = true;
            break;
        case INDEX_op_add:
        case INDEX_op_sub:
        case INDEX_op_mul:
        case INDEX_op_and:
        case INDEX_op_or:
        case INDEX_op_xor:
        case INDEX_op_andc:
        case INDEX_op_orc:
        case INDEX_op_nand:
        case INDEX_op_nor:
        case INDEX_op_eqv:
        case INDEX_op_shl:
        case INDEX_op_shr:
        case INDEX_op_sar:
        case INDEX_op_rotl:
        case INDEX_op_rotr:
        case INDEX_op_div:
        case INDEX_op_divu:
        case INDEX_op_rem:
        case INDEX_op_remu:
        case INDEX_op_clz:
        case INDEX_op_ctz: done = fold_binary(&oc, op); break;
        case INDEX_op_neg:
        case INDEX_op_not:
        case INDEX_op_ext8s:
        case INDEX_op_ext8u:
        case INDEX_op_ext16s:
        case INDEX_op_ext16u:
        case INDEX_op_ext32s:
        case INDEX_op_ext32u:
        case INDEX_op_extu_i32_i64:
        case INDEX_op_ext_i32_i64:
        case INDEX_op_extrl_i64_i32:
        case INDEX_op_extrh_i64_i32:
        case INDEX_op_bswap16:
        case INDEX_op_bswap32:
        case INDEX_op_bswap64:
        case INDEX_op_ctpop: done = fold_unary(&oc, op); break;
        case INDEX_op_deposit:
        case INDEX_op_extract:
        case INDEX_op_sextract: done = fold_bitfield(&oc, op); break;
        case INDEX_op_setcond:
        case INDEX_op_negsetcond: done = fold_setcond(&oc, op); break;
        case INDEX_op_movcond: done = fold_movcond(&oc, op); break;
        case INDEX_op_brcond:
            fold_brcond(&oc, op);
            /* normal temps die here: copies of them must not be used beyond */
            reset_copies(&oc);
            done = true;
            break;
        case INDEX_op_call: {
            unsigned flags = op->args[op->nb_o + op->nb_i + 1];
            if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
                reset_globals(&oc);
            }
            break;
        }
        default: break;
        }
        if (!done) {
            for (int k = 0; k < op->nb_o; k++) {
                reset_temp(&oc, tidx(&oc, op->args[k]));
            }
        }
        if (op_def(op)->flags & TCG_OPF_BB_EXIT) {
            unreachable = true;
        } else if (op_def(op)->flags & TCG_OPF_BB_END) {
            reset_copies(&oc);
        }
    }
    free(oc.info);
    free(oc.label_refs);
}
