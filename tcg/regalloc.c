/* tcg/regalloc.c: liveness analysis (also drives dead-code removal) and the generic
 * register allocator that walks the op list and asks the host back-end to emit each op
 * with its operands in registers that satisfy the back-end's constraint tables. */
#include <stdlib.h>

#include "tcg/tcg-internal.h"

/* ---- liveness ---- */

static bool call_touches_globals(unsigned flags)
{
    unsigned quiet = TCG_CALL_NO_RWG | TCG_CALL_NO_UNWIND;
    return (flags & quiet) != quiet;
}

/* Liveness state. At a block end every global and local temp is live and every normal
 * temp dead; only the normal temps made live since the last block end need clearing,
 * which keeps long blocks with many temps linear. */
typedef struct LiveState {
    bool *live;
    int *kept; /* globals, env and local temps */
    int nb_kept;
    int *touched; /* normal temps set live since the last block end */
    int nb_touched;
} LiveState;

static void live_bb_end(LiveState *ls)
{
    for (int i = 0; i < ls->nb_touched; i++) {
        ls->live[ls->touched[i]] = false;
    }
    ls->nb_touched = 0;
    for (int i = 0; i < ls->nb_kept; i++) {
        ls->live[ls->kept[i]] = true;
    }
}

/* Backward pass: marks in op->life which arguments are dead after each op, and (when
 * optimising) removes ops whose results are never used and that have no side effects. */
void tcg_liveness(TCGContext *s)
{
    LiveState ls = {0};
    int n = s->nb_temps + 1;
    bool *live = ls.live = calloc(n, sizeof(bool));
    ls.kept = malloc(sizeof(int) * n);
    int uses = 1;
    for (int i = 0; i < s->nb_ops; i++) {
        uses += s->ops[i].nb_i;
    }
    ls.touched = malloc(sizeof(int) * uses);
    for (int i = 0; i < s->nb_temps; i++) {
        switch (s->temps[i].kind) {
        case TEMP_NORMAL: break;
        case TEMP_CONST: live[i] = true; break; /* never defined, always readable */
        default: ls.kept[ls.nb_kept++] = i; break;
        }
    }
    live_bb_end(&ls);
    for (int i = s->nb_ops - 1; i >= 0; i--) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = op_def(op);
        if (op->opc == INDEX_op_nop || op->opc == INDEX_op_insn_start) {
            continue;
        }
        if (def->flags & TCG_OPF_BB_END) {
            live_bb_end(&ls);
        }
        bool side = def->flags & (TCG_OPF_SIDE_EFFECTS | TCG_OPF_BB_END);
        unsigned call_flags = 0;
        if (op->opc == INDEX_op_call) {
            call_flags = op->args[op->nb_o + op->nb_i + 1];
            side = !(call_flags & TCG_CALL_NO_SIDE_EFFECTS);
        }
        if (s->optimize && !side) {
            bool all_dead = true;
            for (int k = 0; k < op->nb_o; k++) {
                all_dead &= !live[temp_idx(s, arg_temp(op->args[k]))];
            }
            if (all_dead) {
                op->opc = INDEX_op_nop;
                continue;
            }
        }
        uint16_t life = 0;
        for (int k = 0; k < op->nb_o; k++) {
            TCGTemp *t = arg_temp(op->args[k]);
            int idx = temp_idx(s, t);
            if (!live[idx]) {
                life |= 1u << k;
            }
            if (t->kind != TEMP_CONST && t->kind != TEMP_FIXED) {
                live[idx] = false;
            }
        }
        if ((op->opc == INDEX_op_call && call_touches_globals(call_flags)) ||
            op->opc == INDEX_op_qemu_ld || op->opc == INDEX_op_qemu_st) {
            for (int g = 0; g < s->nb_globals; g++) {
                live[g] = true;
            }
        }
        for (int k = op->nb_o; k < op->nb_o + op->nb_i; k++) {
            if (!live[temp_idx(s, arg_temp(op->args[k]))]) {
                life |= 1u << k;
            }
        }
        for (int k = op->nb_o; k < op->nb_o + op->nb_i; k++) {
            TCGTemp *t = arg_temp(op->args[k]);
            int idx = temp_idx(s, t);
            if (!live[idx] && t->kind == TEMP_NORMAL) {
                ls.touched[ls.nb_touched++] = idx;
            }
            live[idx] = true;
        }
        op->life = life;
    }
    free(live);
    free(ls.kept);
    free(ls.touched);
}

/* ---- register allocator ---- */

#define TCG_TMP0 11 /* r11, r10: back-end scratch, never allocated */

static void out_check(TCGContext *s)
{
    if (s->code_ptr > s->code_limit) {
        longjmp(s->overflow, 1);
    }
}

static void temp_alloc_frame(TCGContext *s, TCGTemp *t)
{
    if (s->nb_free_slots > 0) {
        t->mem_offset = TCG_TARGET_CALL_AREA + (intptr_t)s->free_slots[--s->nb_free_slots] * 8;
        t->mem_allocated = true;
        return;
    }
    if (s->nb_frame_slots >= TCG_TARGET_FRAME_SLOTS) {
        s->regalloc_error = 1;
        longjmp(s->overflow, 2);
    }
    t->mem_offset = TCG_TARGET_CALL_AREA + (intptr_t)s->nb_frame_slots++ * 8;
    t->mem_allocated = true;
}

static int temp_base(const TCGTemp *t)
{
    return t->kind == TEMP_GLOBAL ? TCG_AREG0 : TCG_REG_CALL_STACK;
}

/* Makes the memory copy of t up to date; registers stay as they are. */
static void temp_save(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_CONST || t->kind == TEMP_FIXED || t->mem_coherent) {
        return;
    }
    if (t->val_type == TEMP_VAL_REG) {
        if (!t->mem_allocated) {
            temp_alloc_frame(s, t);
        }
        tcg_out_st(s, t->type, t->reg, temp_base(t), t->mem_offset);
        t->mem_coherent = true;
    } else if (t->val_type == TEMP_VAL_CONST) {
        if (!t->mem_allocated) {
            temp_alloc_frame(s, t);
        }
        if (!tcg_out_sti(s, t->type, t->val, temp_base(t), t->mem_offset)) {
            tcg_out_movi(s, t->type, TCG_TMP0, t->val);
            tcg_out_st(s, t->type, TCG_TMP0, temp_base(t), t->mem_offset);
        }
        t->mem_coherent = true;
    }
    out_check(s);
}

/* Detaches t from its register; callers then say where the value lives. */
static void temp_free_reg(TCGContext *s, TCGTemp *t)
{
    if (t->val_type == TEMP_VAL_REG) {
        if (s->reg_to_temp[t->reg] == t) {
            s->reg_to_temp[t->reg] = NULL;
        }
        t->reg = -1;
        t->val_type = t->kind == TEMP_NORMAL ? TEMP_VAL_DEAD : TEMP_VAL_MEM;
    }
}

/* Leaves t only in memory. */
static void temp_spill(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_CONST || t->kind == TEMP_FIXED) {
        return;
    }
    if (t->val_type == TEMP_VAL_REG || t->val_type == TEMP_VAL_CONST) {
        temp_save(s, t);
        temp_free_reg(s, t);
        t->val_type = TEMP_VAL_MEM;
    }
}

/* A normal temp's stack slot can serve another temp once its value is dead. */
static void temp_release_slot(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_NORMAL && t->mem_allocated) {
        s->free_slots[s->nb_free_slots++] = (int)((t->mem_offset - TCG_TARGET_CALL_AREA) / 8);
        t->mem_allocated = false;
    }
}

/* t's value is not needed any more. */
static void temp_dead(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_CONST || t->kind == TEMP_FIXED) {
        return;
    }
    temp_free_reg(s, t);
    temp_release_slot(s, t);
    t->val_type = t->kind == TEMP_GLOBAL ? TEMP_VAL_MEM : TEMP_VAL_DEAD;
    t->mem_coherent = t->kind == TEMP_GLOBAL;
}

/* The value of t now lives in reg, not in memory. */
static void temp_note_value(TCGContext *s, TCGTemp *t)
{
    if (t->kind == TEMP_NORMAL && t->val_type == TEMP_VAL_DEAD) {
        s->ra_touched[s->ra_nb_touched++] = temp_idx(s, t);
    }
}

static void temp_set_reg(TCGContext *s, TCGTemp *t, int reg)
{
    temp_note_value(s, t);
    if (t->val_type == TEMP_VAL_REG && t->reg != reg) {
        temp_free_reg(s, t);
    }
    t->val_type = TEMP_VAL_REG;
    t->reg = reg;
    t->mem_coherent = false;
    s->reg_to_temp[reg] = t;
}

static void reg_evict(TCGContext *s, int reg)
{
    TCGTemp *t = s->reg_to_temp[reg];
    if (t) {
        temp_spill(s, t);
        s->reg_to_temp[reg] = NULL;
    }
}

/* Picks a register in allowed and not reserved for this op; frees one if needed. */
static int reg_alloc(TCGContext *s, uint16_t allowed)
{
    allowed &= ~s->op_reserved;
    for (int i = 0; i < tcg_target_nb_alloc; i++) {
        int r = tcg_target_alloc_order[i];
        if ((allowed >> r) & 1 && !s->reg_to_temp[r]) {
            return r;
        }
    }
    /* Prefer a register whose value is already in memory: no store needed. */
    for (int i = 0; i < tcg_target_nb_alloc; i++) {
        int r = tcg_target_alloc_order[i];
        if ((allowed >> r) & 1 && s->reg_to_temp[r]->mem_coherent) {
            reg_evict(s, r);
            return r;
        }
    }
    for (int i = 0; i < tcg_target_nb_alloc; i++) {
        int r = tcg_target_alloc_order[i];
        if ((allowed >> r) & 1) {
            reg_evict(s, r);
            return r;
        }
    }
    /* Constraints of every op leave enough registers; reaching here is a back-end bug. */
    fprintf(stderr, "tcg: register allocation failed (allowed 0x%x reserved 0x%x)\n", allowed,
            s->op_reserved);
    abort();
}

/* Puts the value of t into reg without changing where t lives. */
static void temp_load_to(TCGContext *s, TCGTemp *t, int reg)
{
    switch (t->val_type) {
    case TEMP_VAL_REG:
        if (t->reg != reg) {
            tcg_out_mov(s, t->type, reg, t->reg);
        }
        break;
    case TEMP_VAL_CONST: tcg_out_movi(s, t->type, reg, t->val); break;
    case TEMP_VAL_MEM: tcg_out_ld(s, t->type, reg, temp_base(t), t->mem_offset); break;
    default: {
        /* A front-end bug: normal temps do not survive labels and branches. Tell the
         * developer once; the generated code reads an arbitrary value. */
        static bool warned;
        if (!warned) {
            warned = true;
            fprintf(stderr,
                    "tcg: warning: IR reads temp #%d which holds no value here "
                    "(normal temps die at labels and branches: use a local temp)\n",
                    temp_idx(s, t) - s->nb_globals);
        }
        break;
    }
    }
}

static void sync_globals(TCGContext *s, bool free_regs)
{
    for (int i = 1; i < s->nb_globals; i++) {
        TCGTemp *t = &s->temps[i];
        if (free_regs) {
            temp_spill(s, t);
        } else {
            temp_save(s, t);
        }
    }
}

/* Basic-block end: globals and local temps go back to memory. Registers keep their
 * values (a brcond still reads its operands) until bb_reset. */
static void sync_bb_end(TCGContext *s)
{
    for (int i = 0; i < s->ra_nb_kept; i++) {
        temp_save(s, &s->temps[s->ra_kept[i]]);
    }
}

/* Normal temps that received a value in the current basic block. */
static void kill_touched_normals(TCGContext *s)
{
    for (int i = 0; i < s->ra_nb_touched; i++) {
        TCGTemp *t = &s->temps[s->ra_touched[i]];
        temp_free_reg(s, t);
        t->val_type = TEMP_VAL_DEAD;
        temp_release_slot(s, t);
    }
    s->ra_nb_touched = 0;
}

static void bb_reset(TCGContext *s)
{
    kill_touched_normals(s);
    for (int i = 0; i < s->ra_nb_kept; i++) {
        TCGTemp *t = &s->temps[s->ra_kept[i]];
        t->val_type = TEMP_VAL_MEM;
        t->mem_coherent = true;
        t->reg = -1;
    }
    memset(s->reg_to_temp, 0, sizeof(s->reg_to_temp));
}

/* After a brcond, the fall-through path keeps globals and local temps in the registers
 * where they are: sync_bb_end made memory agree with them, which is what the branch
 * target (bb_reset at its label) relies on. Only normal temps die. */
static void brcond_fallthrough(TCGContext *s)
{
    kill_touched_normals(s);
}

static void regalloc_start(TCGContext *s)
{
    s->nb_frame_slots = 0;
    s->nb_free_slots = 0;
    int cap = 3 * s->nb_ops + 16;
    if (cap > s->ra_touched_cap) {
        free(s->ra_touched);
        s->ra_touched = malloc(sizeof(int) * cap);
        s->ra_touched_cap = cap;
    }
    if (s->nb_temps > s->ra_kept_cap) {
        free(s->ra_kept);
        s->ra_kept = malloc(sizeof(int) * s->nb_temps);
        s->ra_kept_cap = s->nb_temps;
    }
    s->ra_nb_touched = 0;
    s->ra_nb_kept = 0;
    for (int i = 0; i < s->nb_temps; i++) {
        TCGTemp *t = &s->temps[i];
        t->reg = -1;
        switch (t->kind) {
        case TEMP_NORMAL:
            t->mem_allocated = false;
            t->val_type = TEMP_VAL_DEAD;
            break;
        case TEMP_LOCAL:
            t->mem_allocated = false;
            s->ra_kept[s->ra_nb_kept++] = i;
            break;
        case TEMP_GLOBAL: s->ra_kept[s->ra_nb_kept++] = i; break;
        case TEMP_CONST: t->val_type = TEMP_VAL_CONST; break;
        default: break;
        }
    }
    bb_reset(s);
    TCGTemp *env = &s->temps[0];
    env->val_type = TEMP_VAL_REG;
    env->reg = TCG_AREG0;
    env->mem_coherent = true;
}

static void reg_alloc_mov(TCGContext *s, TCGOp *op)
{
    TCGTemp *dst = arg_temp(op->args[0]);
    TCGTemp *src = arg_temp(op->args[1]);
    bool src_dead = op->life & 2;
    if (dst == src) {
        return;
    }
    if (src->val_type == TEMP_VAL_CONST) {
        temp_free_reg(s, dst);
        temp_note_value(s, dst);
        dst->val_type = TEMP_VAL_CONST;
        dst->val = src->val;
        dst->mem_coherent = false;
    } else if (src->val_type == TEMP_VAL_REG && src_dead && src->kind != TEMP_FIXED) {
        int reg = src->reg;
        temp_dead(s, src);
        temp_free_reg(s, dst);
        temp_set_reg(s, dst, reg);
    } else {
        int reg;
        if (dst->val_type == TEMP_VAL_REG) {
            reg = dst->reg;
        } else {
            s->op_reserved = src->val_type == TEMP_VAL_REG ? 1u << src->reg : 0;
            reg = reg_alloc(s, 0xffff);
            s->op_reserved = 0;
        }
        temp_load_to(s, src, reg);
        temp_set_reg(s, dst, reg);
        if (src_dead) {
            temp_dead(s, src);
        }
    }
    if (op->life & 1) {
        temp_dead(s, dst);
    }
}

/* Places the inputs of op (indices nb_o..nb_o+nb_i-1) per the constraints, filling
 * regs[]/is_const[]. Fixed-register inputs go first so that "any register" inputs do
 * not take their register. */
static void place_inputs(TCGContext *s, const TCGOp *op, const TCGOpConstraint *ct, TCGArg *regs,
                         bool *is_const, uint16_t *aliased_mask)
{
    int nb_o = op->nb_o, nb_i = op->nb_i;
    bool aliased[TCG_MAX_OP_ARGS] = {0};
    for (int o = 0; o < nb_o; o++) {
        if (ct->args[o].alias >= 0) {
            aliased[nb_o + ct->args[o].alias] = true;
        }
    }
    *aliased_mask = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int k = nb_o; k < nb_o + nb_i; k++) {
            const TCGArgConstraint *a = &ct->args[k];
            if (a->fixed != (pass == 0)) {
                continue;
            }
            TCGTemp *t = arg_temp(op->args[k]);
            if (a->const_ok && t->val_type == TEMP_VAL_CONST &&
                tcg_target_const_fits(op->type, t->val, op, k)) {
                regs[k] = (TCGArg)t->val;
                is_const[k] = true;
                continue;
            }
            is_const[k] = false;
            bool dup = false;
            for (int j = nb_o; j < nb_o + nb_i; j++) {
                dup |= j != k && op->args[j] == op->args[k];
            }
            bool dead = (op->life >> k) & 1;
            /* A fixed input may sit in a register the emission clobbers (rem's rax);
             * it is then a private copy, never the temp's home. */
            uint16_t allowed = a->regs & ~s->op_reserved & ~(a->fixed ? 0 : ct->clobber);
            if (!dead && (op_def(op)->flags & TCG_OPF_CALL_CLOBBER)) {
                /* still needed after a slow path that calls C code */
                allowed &= ~tcg_target_call_clobber;
            }
            int reg;
            if (t->kind == TEMP_FIXED && !aliased[k] && !a->fixed) {
                /* env stays in its own register, outside the allocatable set */
                regs[k] = t->reg;
                is_const[k] = false;
                continue;
            }
            if (t->val_type == TEMP_VAL_REG && ((allowed >> t->reg) & 1) &&
                (!aliased[k] || (dead && !dup && t->kind != TEMP_FIXED))) {
                reg = t->reg;
                if (aliased[k]) {
                    temp_dead(s, t); /* the output takes the register over */
                }
            } else {
                reg = reg_alloc(s, allowed);
                temp_load_to(s, t, reg);
                if (!aliased[k] && t->val_type == TEMP_VAL_MEM && !((ct->clobber >> reg) & 1)) {
                    t->val_type = TEMP_VAL_REG;
                    t->reg = reg;
                    t->mem_coherent = true;
                    s->reg_to_temp[reg] = t;
                }
            }
            s->op_reserved |= 1u << reg;
            if (aliased[k]) {
                *aliased_mask |= 1u << reg;
            }
            regs[k] = reg;
        }
    }
}

/* True when reg holds an input of op that is dead afterwards: the back-end reads it
 * before its slow path calls C code, so it may stay in a call-clobbered register
 * instead of going to the stack and back. */
static bool input_dies_here(TCGContext *s, const TCGOp *op, int reg)
{
    TCGTemp *t = s->reg_to_temp[reg];
    if (!t) {
        return false;
    }
    bool used = false;
    for (int k = op->nb_o; k < op->nb_o + op->nb_i; k++) {
        if (arg_temp(op->args[k]) == t) {
            if (!((op->life >> k) & 1)) {
                return false;
            }
            used = true;
        }
    }
    return used;
}

static void reg_alloc_op(TCGContext *s, TCGOp *op)
{
    const TCGOpConstraint *ct = tcg_target_op_constraint(op);
    const TCGOpDef *def = op_def(op);
    TCGArg regs[TCG_MAX_OP_ARGS];
    bool is_const[TCG_MAX_OP_ARGS] = {0};
    int nb_o = op->nb_o, nb_i = op->nb_i;

    s->op_reserved = 0;
    if (def->flags & TCG_OPF_CALL_CLOBBER) {
        /* The slow path may raise: env must be up to date; it also calls C code. */
        sync_globals(s, false);
        for (int r = 0; r < 16; r++) {
            if ((tcg_target_call_clobber >> r) & 1 && !input_dies_here(s, op, r)) {
                reg_evict(s, r);
            }
        }
    }
    uint16_t fixed_out = 0;
    for (int o = 0; o < nb_o; o++) {
        if (ct->args[o].fixed && ct->args[o].alias < 0) {
            fixed_out |= ct->args[o].regs;
        }
    }
    for (int r = 0; r < 16; r++) {
        if (((ct->clobber | fixed_out) >> r) & 1) {
            reg_evict(s, r);
        }
    }

    uint16_t aliased_mask;
    place_inputs(s, op, ct, regs, is_const, &aliased_mask);
    uint16_t in_regs = s->op_reserved;

    /* Dead inputs release their registers; outputs may reuse them. */
    for (int k = nb_o; k < nb_o + nb_i; k++) {
        if ((op->life >> k) & 1) {
            temp_dead(s, arg_temp(op->args[k]));
        }
    }
    s->op_reserved = aliased_mask | ct->clobber;
    for (int o = 0; o < nb_o; o++) {
        const TCGArgConstraint *a = &ct->args[o];
        TCGTemp *t = arg_temp(op->args[o]);
        int reg;
        if (a->alias >= 0) {
            reg = (int)regs[nb_o + a->alias];
        } else if (a->fixed) {
            reg = __builtin_ctz(a->regs);
            reg_evict(s, reg);
        } else {
            uint16_t allowed = a->regs & ~(a->newreg ? in_regs : 0);
            if (t->val_type == TEMP_VAL_REG && ((allowed & ~s->op_reserved) >> t->reg) & 1) {
                reg = t->reg;
            } else {
                if (a->newreg) {
                    s->op_reserved |= in_regs;
                }
                reg = reg_alloc(s, allowed);
            }
        }
        s->op_reserved |= 1u << reg;
        if (s->reg_to_temp[reg] && s->reg_to_temp[reg] != t) {
            reg_evict(s, reg);
        }
        temp_set_reg(s, t, reg);
        regs[o] = reg;
    }
    for (int k = nb_o + nb_i; k < nb_o + nb_i + op->nb_c; k++) {
        regs[k] = op->args[k];
    }
    tcg_out_op(s, op, regs, is_const);
    out_check(s);
    for (int o = 0; o < nb_o; o++) {
        if ((op->life >> o) & 1) {
            temp_dead(s, arg_temp(op->args[o]));
        }
    }
    s->op_reserved = 0;
}

static void reg_alloc_call(TCGContext *s, TCGOp *op)
{
    int nb_o = op->nb_o, nb_i = op->nb_i;
    const void *func = (const void *)op->args[nb_o + nb_i];
    unsigned flags = op->args[nb_o + nb_i + 1];

    if (!(flags & TCG_CALL_NO_WRITE_GLOBALS)) {
        sync_globals(s, true);
    } else if (call_touches_globals(flags)) {
        sync_globals(s, false);
    }
    for (int r = 0; r < 16; r++) {
        if ((tcg_target_call_clobber >> r) & 1) {
            reg_evict(s, r);
        }
    }
    for (int k = 0; k < nb_i; k++) {
        TCGTemp *t = arg_temp(op->args[nb_o + k]);
        if (k < TCG_TARGET_NB_IARG_REGS) {
            temp_load_to(s, t, tcg_target_call_iarg_regs[k]);
        } else {
            /* stack arguments go to the call area at the bottom of the frame */
            temp_load_to(s, t, TCG_TMP0);
            tcg_out_st(s, TCG_TYPE_I64, TCG_TMP0, TCG_REG_CALL_STACK,
                       (intptr_t)(k - TCG_TARGET_NB_IARG_REGS) * 8);
        }
    }
    tcg_out_call(s, func);
    for (int k = nb_o; k < nb_o + nb_i; k++) {
        if ((op->life >> k) & 1) {
            temp_dead(s, arg_temp(op->args[k]));
        }
    }
    if (nb_o) {
        TCGTemp *t = arg_temp(op->args[0]);
        temp_free_reg(s, t);
        temp_set_reg(s, t, tcg_target_call_oarg_reg);
        if (op->life & 1) {
            temp_dead(s, t);
        }
    }
    out_check(s);
}

static void label_bind(TCGContext *s, int id)
{
    s->labels[id].has_value = true;
    s->labels[id].value = tcg_current_off(s);
}

static void insn_end(TCGContext *s)
{
    if (s->cur_insn >= 0) {
        s->insns[s->cur_insn].end_off = tcg_current_off(s);
    }
}

int tcg_reg_alloc_code(TCGContext *s)
{
    regalloc_start(s);
    s->cur_insn = -1;
    int nb_insn = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        out_check(s);
        switch (op->opc) {
        case INDEX_op_nop: break;
        case INDEX_op_insn_start:
            insn_end(s);
            if (nb_insn >= TCG_MAX_INSNS) {
                s->regalloc_error = 1;
                longjmp(s->overflow, 2);
            }
            s->cur_insn = nb_insn++;
            for (int k = 0; k < TCG_MAX_INSN_WORDS; k++) {
                s->insns[s->cur_insn].words[k] = op->args[k];
            }
            break;
        case INDEX_op_mov: reg_alloc_mov(s, op); break;
        case INDEX_op_call: reg_alloc_call(s, op); break;
        case INDEX_op_set_label:
            sync_bb_end(s);
            bb_reset(s);
            label_bind(s, (int)op->args[0]);
            break;
        case INDEX_op_br:
            sync_bb_end(s);
            tcg_out_br(s, (int)op->args[0]);
            bb_reset(s);
            break;
        case INDEX_op_goto_tb:
            sync_bb_end(s);
            tcg_out_goto_tb(s, (int)op->args[0]);
            bb_reset(s);
            break;
        case INDEX_op_exit_tb:
            sync_bb_end(s);
            tcg_out_exit_tb(s, (uintptr_t)op->args[0]);
            bb_reset(s);
            break;
        case INDEX_op_mb: tcg_out_mb(s, (unsigned)op->args[0]); break;
        case INDEX_op_brcond:
        case INDEX_op_goto_ptr: {
            const TCGOpConstraint *ct = tcg_target_op_constraint(op);
            TCGArg regs[TCG_MAX_OP_ARGS];
            bool is_const[TCG_MAX_OP_ARGS] = {0};
            uint16_t aliased;
            s->op_reserved = 0;
            place_inputs(s, op, ct, regs, is_const, &aliased);
            sync_bb_end(s);
            if (op->opc == INDEX_op_brcond) {
                tcg_out_brcond(s, op->type, (TCGCond)op->args[2], (int)regs[0], regs[1],
                               is_const[1], (int)op->args[3]);
            } else {
                tcg_out_goto_ptr(s, (int)regs[0]);
            }
            s->op_reserved = 0;
            if (op->opc == INDEX_op_brcond) {
                brcond_fallthrough(s);
            } else {
                bb_reset(s);
            }
            break;
        }
        default: reg_alloc_op(s, op); break;
        }
    }
    /* A block must end in exit_tb, goto_ptr or br; if the front-end forgot, leave
     * through the epilogue instead of running into whatever follows. */
    int last = s->nb_ops - 1;
    while (last >= 0 &&
           (s->ops[last].opc == INDEX_op_nop || s->ops[last].opc == INDEX_op_insn_start)) {
        last--;
    }
    if (last < 0 || !(op_def(&s->ops[last])->flags & TCG_OPF_BB_EXIT)) {
        sync_bb_end(s);
        tcg_out_exit_tb(s, 0);
    }
    insn_end(s);
    s->nb_insns = nb_insn;
    return 0;
}
