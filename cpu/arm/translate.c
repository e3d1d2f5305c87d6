/*
 * cpu/arm/translate.c: the A32 front-end: one trans_NAME() per pattern of a32.decode and
 * a32u.decode, emitting IR through tcg/tcg-op.h. Registers and the split flags are IR
 * globals; conditional instructions branch around their code.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/arm/arm-internal.h"

TCGv_i32 cpu_R[16];
TCGv_i32 cpu_NF, cpu_ZF, cpu_CF, cpu_VF;

/* The decoders: argument structs, trans_*() prototypes and decode_a32()/decode_a32u(). */
#include "cpu/arm/a32.c.inc"
#include "cpu/arm/a32u.c.inc"

static int t16_setflags(DisasContext *s);
static int t16_push_list(DisasContext *s, int v);
static int t16_pop_list(DisasContext *s, int v);
static int t32_branch_offset(DisasContext *s, int v);
static int t32_blx_offset(DisasContext *s, int v);
#include "cpu/arm/t16.c.inc"
#include "cpu/arm/t32.c.inc"

void arm_translate_init(void)
{
    static const char *const names[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
                                          "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
    for (int i = 0; i < 16; i++) {
        cpu_R[i] = tcg_global_mem_new_i32(offsetof(ArmEnv, regs[i]), names[i]);
    }
    cpu_NF = tcg_global_mem_new_i32(offsetof(ArmEnv, NF), "NF");
    cpu_ZF = tcg_global_mem_new_i32(offsetof(ArmEnv, ZF), "ZF");
    cpu_CF = tcg_global_mem_new_i32(offsetof(ArmEnv, CF), "CF");
    cpu_VF = tcg_global_mem_new_i32(offsetof(ArmEnv, VF), "VF");
}

/* ---- Small emitters ------------------------------------------------------------------- */

TCGTemp *arm_env_arg(void)
{
    return tcgv_ptr_temp(tcg_env);
}

static TCGTemp *ci(uint32_t v)
{
    return tcgv_i32_temp(tcg_constant_i32((int32_t)v));
}

static TCGTemp *t32(TCGv_i32 v)
{
    return tcgv_i32_temp(v);
}

static uint32_t read_pc(DisasContext *s)
{
    return s->pc_curr + (s->thumb ? 4 : 8);
}

TCGv_i32 arm_load_reg(DisasContext *s, int r)
{
    TCGv_i32 t = tcg_temp_new_i32();
    if (r == 15) {
        tcg_gen_movi_i32(t, (int32_t)read_pc(s));
    } else {
        tcg_gen_mov_i32(t, cpu_R[r]);
    }
    return t;
}

void arm_store_reg(DisasContext *s, int r, TCGv_i32 v)
{
    tcg_gen_mov_i32(cpu_R[r], v);
}

void arm_gen_set_nzcv(TCGv_i32 v)
{
    tcg_gen_andi_i32(cpu_NF, v, (int32_t)0x80000000u);
    tcg_gen_andi_i32(cpu_ZF, v, 0x40000000);
    tcg_gen_xori_i32(cpu_ZF, cpu_ZF, 0x40000000);
    tcg_gen_extract_i32(cpu_CF, v, 29, 1);
    tcg_gen_shli_i32(cpu_VF, v, 3);
}

static uint32_t itstate(DisasContext *s)
{
    return s->condexec_mask ? (s->condexec_cond << 4) | s->condexec_mask : 0;
}

/* Thumb blocks leave with the IT state of the next instruction in env. */
static void gen_set_condexec(DisasContext *s)
{
    if (s->thumb) {
        tcg_gen_st_i32(tcg_constant_i32((int32_t)itstate(s)), tcg_env,
                       offsetof(ArmEnv, condexec_bits));
    }
}

/* Raise excp with pc = `pc` (the convention of arm_cpu_do_interrupt for each kind). */
static void gen_exception_pc(DisasContext *s, int excp, uint32_t pc)
{
    gen_set_condexec(s);
    tcg_gen_movi_i32(cpu_R[15], (int32_t)pc);
    tcg_gen_calln((void *)helper_exception, 0, NULL, 2, arm_env_arg(), ci((uint32_t)excp));
    s->base.is_jmp = DISAS_NORETURN;
}

/* LR_und: the instruction's address + 4 in ARM state, + 2 in Thumb state whatever its
 * width (Linux's undefined-instruction handler depends on it). */
static uint32_t undef_lr(DisasContext *s)
{
    return s->pc_curr + (s->thumb ? 2 : 4);
}

void arm_gen_undef(DisasContext *s)
{
    /* UDEF: pc holds LR_und. */
    gen_exception_pc(s, ARM_EXCP_UDEF, undef_lr(s));
}

static MemOp mem_align(DisasContext *s, MemOp op)
{
    if (s->align && (op & MO_AMASK) == 0) {
        op |= MO_ALIGN;
    }
    return op;
}

static void gen_ld(DisasContext *s, TCGv_i32 val, TCGv_i32 addr, MemOp op, int idx)
{
    tcg_gen_qemu_ld_i32(val, tcg_addr_i32(addr), (unsigned)idx, mem_align(s, op));
}

static void gen_st(DisasContext *s, TCGv_i32 val, TCGv_i32 addr, MemOp op, int idx)
{
    tcg_gen_qemu_st_i32(val, tcg_addr_i32(addr), (unsigned)idx, mem_align(s, op));
}

void arm_gen_ld32(DisasContext *s, TCGv_i32 val, TCGv_i32 addr)
{
    gen_ld(s, val, addr, MO_UL, s->mem_idx);
}

void arm_gen_st32(DisasContext *s, TCGv_i32 val, TCGv_i32 addr)
{
    gen_st(s, val, addr, MO_UL, s->mem_idx);
}

void arm_gen_ld64(DisasContext *s, TCGv_i64 val, TCGv_i32 addr)
{
    tcg_gen_qemu_ld_i64(val, tcg_addr_i32(addr), (unsigned)s->mem_idx, mem_align(s, MO_UQ));
}

void arm_gen_st64(DisasContext *s, TCGv_i64 val, TCGv_i32 addr)
{
    tcg_gen_qemu_st_i64(val, tcg_addr_i32(addr), (unsigned)s->mem_idx, mem_align(s, MO_UQ));
}

/* Condition cond (0-13) as a comparison of *v with 0 (*c). */
static void arm_cond_cmp(int cond, TCGCond *c, TCGv_i32 *v)
{
    TCGv_i32 t;
    switch (cond >> 1) {
    case 0: *c = TCG_COND_EQ, *v = cpu_ZF; break; /* EQ: ZF holds !Z */
    case 1: *c = TCG_COND_NE, *v = cpu_CF; break;
    case 2: *c = TCG_COND_LT, *v = cpu_NF; break;
    case 3: *c = TCG_COND_LT, *v = cpu_VF; break;
    case 4: /* HI: C && !Z */
        t = tcg_temp_new_i32();
        tcg_gen_neg_i32(t, cpu_CF);
        tcg_gen_and_i32(t, t, cpu_ZF);
        *c = TCG_COND_NE, *v = t;
        break;
    case 5: /* GE: N == V */
        t = tcg_temp_new_i32();
        tcg_gen_xor_i32(t, cpu_NF, cpu_VF);
        *c = TCG_COND_GE, *v = t;
        break;
    default: /* GT: !Z && N == V */
        t = tcg_temp_new_i32();
        tcg_gen_xor_i32(t, cpu_NF, cpu_VF);
        tcg_gen_sari_i32(t, t, 31);
        tcg_gen_andc_i32(t, cpu_ZF, t);
        *c = TCG_COND_NE, *v = t;
        break;
    }
    if (cond & 1) {
        /* The odd conditions are the even ones' opposites. */
        *c = *c == TCG_COND_EQ   ? TCG_COND_NE
             : *c == TCG_COND_NE ? TCG_COND_EQ
             : *c == TCG_COND_LT ? TCG_COND_GE
                                 : TCG_COND_LT;
    }
}

/* Branch to `label` if condition cond (0-13) holds. */
static void gen_test_cc(int cond, TCGLabel *label)
{
    TCGCond c;
    TCGv_i32 v;
    arm_cond_cmp(cond, &c, &v);
    tcg_gen_brcondi_i32(c, v, 0, label);
}

/* Skip the current instruction unless cond holds. */
static void arm_skip_unless(DisasContext *s, int cond)
{
    if (cond >= 14) {
        s->cond_sel = -1;
        return;
    }
    if (s->cond_sel >= 0) {
        /* Becomes a select in store_reg_bx: no branch, so the block stays one basic block
         * and the IR globals need not be written back around it. */
        s->cond_sel = cond;
        return;
    }
    s->condlabel = tcg_label_new();
    s->condjmp = true;
    gen_test_cc(cond ^ 1, s->condlabel);
}

/* ---- Writing the pc ------------------------------------------------------------------- */

/* The key of the block that follows this one's exit in state `thumb`: what arm_tb_flags
 * computes once the exit has stored the IT state (ARM state keeps the block's own). */
static uint32_t dest_tb_flags(DisasContext *s, bool thumb)
{
    uint32_t f = s->base.tb->flags;
    uint32_t ce =
        s->thumb ? itstate(s) : (f & ARM_TBFLAG_CONDEXEC_MASK) >> ARM_TBFLAG_CONDEXEC_SHIFT;
    f &= ~(ARM_TBFLAG_THUMB | ARM_TBFLAG_CONDEXEC_MASK);
    return f | ce << ARM_TBFLAG_CONDEXEC_SHIFT | (thumb ? ARM_TBFLAG_THUMB : 0);
}

/* Indirect branch to cpu_R[15] in state `thumb` (a 0/1 value). */
static void gen_lookup(DisasContext *s, TCGv_i32 thumb)
{
    TCGv_i32 d = tcg_temp_new_i32();
    tcg_gen_mov_i32(d, cpu_R[15]);
    TCGv_i32 f = tcg_temp_new_i32();
    tcg_gen_ori_i32(f, thumb, (int32_t)dest_tb_flags(s, false));
    translator_lookup_and_goto_ptr_flags(&s->base, tcg_addr_i32(d), f);
}

/* BXWritePC: interworking branch to var. A change of instruction set also stays in
 * generated code: Debian's Thumb-2 programs call glibc's ARM routines (memcpy, strlen...)
 * and their PLT entries, two changes per call: through the loop, 30 loop entries per
 * iteration of busybox awk's interpreter. The inline jump-cache lookup is given the flags
 * of the state the branch selects, so that it finds the other state's blocks too. */
static void gen_bx(DisasContext *s, TCGv_i32 var)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_andi_i32(t, var, 1);
    tcg_gen_andi_i32(cpu_R[15], var, ~1);
    tcg_gen_st_i32(t, tcg_env, offsetof(ArmEnv, thumb));
    gen_set_condexec(s);
    if (s->exit_tb) {
        tcg_gen_exit_tb(0);
    } else {
        gen_lookup(s, t);
    }
    s->base.is_jmp = DISAS_NORETURN;
}

/* Direct branch to dest (same instruction set). */
static void gen_jmp(DisasContext *s, uint32_t dest)
{
    gen_set_condexec(s);
    translator_goto_tb(&s->base, 0, dest);
    s->base.is_jmp = DISAS_NORETURN;
}

/* BLX imm: direct branch to dest in the other instruction set. */
static void gen_jmp_other_set(DisasContext *s, uint32_t dest)
{
    bool thumb = !s->thumb;
    tcg_gen_st_i32(tcg_constant_i32(thumb), tcg_env, offsetof(ArmEnv, thumb));
    if (translator_use_goto_tb(&s->base, dest)) {
        /* Chained like any other jump: the loop looks its target up with the new flags. */
        gen_jmp(s, dest);
        return;
    }
    /* Another page: the jump cache, with the flags of the other state. */
    gen_set_condexec(s);
    tcg_gen_movi_i32(cpu_R[15], (int32_t)dest);
    gen_lookup(s, tcg_constant_i32(thumb));
    s->base.is_jmp = DISAS_NORETURN;
}

/* Exception return: CPSR = SPSR, pc = var. */
static void gen_exception_return(DisasContext *s, TCGv_i32 pc)
{
    tcg_gen_calln((void *)helper_exception_return, 0, NULL, 2, arm_env_arg(), t32(pc));
    tcg_gen_exit_tb(0);
    s->base.is_jmp = DISAS_NORETURN;
}

/* Writes a result to rd; rd == 15 is a branch: interworking in A32 (ALUWritePC), a plain
 * branch that stays in Thumb state in Thumb (BranchWritePC). */
static void store_reg_bx(DisasContext *s, int rd, TCGv_i32 v)
{
    if (rd == 15 && s->thumb) {
        tcg_gen_andi_i32(cpu_R[15], v, ~1);
        gen_set_condexec(s);
        if (s->exit_tb) {
            tcg_gen_exit_tb(0);
        } else {
            gen_lookup(s, tcg_constant_i32(1));
        }
        s->base.is_jmp = DISAS_NORETURN;
    } else if (rd == 15) {
        gen_bx(s, v);
    } else if (s->cond_sel >= 0) {
        TCGCond c;
        TCGv_i32 t;
        arm_cond_cmp(s->cond_sel, &c, &t);
        tcg_gen_movcond_i32(c, cpu_R[rd], t, tcg_constant_i32(0), v, cpu_R[rd]);
    } else {
        tcg_gen_mov_i32(cpu_R[rd], v);
    }
}

/* ---- Flags ---------------------------------------------------------------------------- */

static void gen_logic_cc(TCGv_i32 v)
{
    tcg_gen_mov_i32(cpu_NF, v);
    tcg_gen_mov_i32(cpu_ZF, v);
}

static void gen_add_cc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    TCGv_i32 zero = tcg_constant_i32(0);
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_add2_i32(r, cpu_CF, a, zero, b, zero);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_xor_i32(cpu_VF, r, a);
    tcg_gen_xor_i32(t, a, b);
    tcg_gen_andc_i32(cpu_VF, cpu_VF, t);
    tcg_gen_mov_i32(cpu_NF, r);
    tcg_gen_mov_i32(cpu_ZF, r);
    tcg_gen_mov_i32(dst, r);
}

static void gen_adc_cc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    TCGv_i32 zero = tcg_constant_i32(0);
    TCGv_i32 r = tcg_temp_new_i32(), c = tcg_temp_new_i32();
    tcg_gen_add2_i32(r, c, a, zero, cpu_CF, zero);
    tcg_gen_add2_i32(r, cpu_CF, r, c, b, zero);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_xor_i32(cpu_VF, r, a);
    tcg_gen_xor_i32(t, a, b);
    tcg_gen_andc_i32(cpu_VF, cpu_VF, t);
    tcg_gen_mov_i32(cpu_NF, r);
    tcg_gen_mov_i32(cpu_ZF, r);
    tcg_gen_mov_i32(dst, r);
}

static void gen_sub_cc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_sub_i32(r, a, b);
    tcg_gen_setcond_i32(TCG_COND_GEU, cpu_CF, a, b);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_xor_i32(cpu_VF, r, a);
    tcg_gen_xor_i32(t, a, b);
    tcg_gen_and_i32(cpu_VF, cpu_VF, t);
    tcg_gen_mov_i32(cpu_NF, r);
    tcg_gen_mov_i32(cpu_ZF, r);
    tcg_gen_mov_i32(dst, r);
}

static void gen_sbc_cc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    TCGv_i32 nb = tcg_temp_new_i32();
    tcg_gen_not_i32(nb, b);
    gen_adc_cc(dst, a, nb);
    /* V was computed for a + ~b: same formula as subtraction, so nothing to fix. */
}

static void gen_adc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_add_i32(dst, a, b);
    tcg_gen_add_i32(dst, dst, cpu_CF);
}

static void gen_sbc(TCGv_i32 dst, TCGv_i32 a, TCGv_i32 b)
{
    tcg_gen_sub_i32(dst, a, b);
    tcg_gen_add_i32(dst, dst, cpu_CF);
    tcg_gen_subi_i32(dst, dst, 1);
}

/* ---- Shifter -------------------------------------------------------------------------- */

/* Shift by immediate; with set_cc, CF receives the shifter carry. */
static void gen_shift_imm(TCGv_i32 v, int shty, int shim, bool set_cc)
{
    switch (shty) {
    case 0: /* LSL */
        if (shim) {
            if (set_cc) {
                tcg_gen_extract_i32(cpu_CF, v, 32 - shim, 1);
            }
            tcg_gen_shli_i32(v, v, (unsigned)shim);
        }
        break;
    case 1: /* LSR */
        if (shim == 0) {
            if (set_cc) {
                tcg_gen_shri_i32(cpu_CF, v, 31);
            }
            tcg_gen_movi_i32(v, 0);
        } else {
            if (set_cc) {
                tcg_gen_extract_i32(cpu_CF, v, shim - 1, 1);
            }
            tcg_gen_shri_i32(v, v, (unsigned)shim);
        }
        break;
    case 2: /* ASR */
        if (shim == 0) {
            shim = 32;
        }
        if (set_cc) {
            tcg_gen_extract_i32(cpu_CF, v, shim - 1, 1);
        }
        tcg_gen_sari_i32(v, v, (unsigned)(shim == 32 ? 31 : shim));
        break;
    case 3:
        if (shim == 0) { /* RRX */
            TCGv_i32 c = tcg_temp_new_i32();
            tcg_gen_shli_i32(c, cpu_CF, 31);
            if (set_cc) {
                tcg_gen_andi_i32(cpu_CF, v, 1);
            }
            tcg_gen_shri_i32(v, v, 1);
            tcg_gen_or_i32(v, v, c);
        } else {
            if (set_cc) {
                tcg_gen_extract_i32(cpu_CF, v, shim - 1, 1);
            }
            tcg_gen_rotri_i32(v, v, (unsigned)shim);
        }
        break;
    }
}

/* Shift by register (bottom byte of rs). */
static void gen_shift_reg(TCGv_i32 v, int shty, TCGv_i32 rs, bool set_cc)
{
    TCGv_i32 n = tcg_temp_new_i32();
    tcg_gen_andi_i32(n, rs, 0xff);
    if (set_cc) {
        TCGv_i32 r = tcg_temp_new_i32();
        tcg_gen_calln((void *)helper_shift_cc, 0, t32(r), 4, arm_env_arg(), t32(v), t32(n),
                      ci((uint32_t)shty));
        tcg_gen_mov_i32(v, r);
        return;
    }
    TCGv_i32 t = tcg_temp_new_i32();
    TCGv_i32 zero = tcg_constant_i32(0);
    switch (shty) {
    case 0:
    case 1:
        if (shty == 0) {
            tcg_gen_shl_i32(t, v, n);
        } else {
            tcg_gen_shr_i32(t, v, n);
        }
        tcg_gen_movcond_i32(TCG_COND_LTU, v, n, tcg_constant_i32(32), t, zero);
        break;
    case 2:
        tcg_gen_umin_i32(n, n, tcg_constant_i32(31));
        tcg_gen_sar_i32(v, v, n);
        break;
    case 3: tcg_gen_rotr_i32(v, v, n); break;
    }
}

/* ---- Data processing ------------------------------------------------------------------ */

enum {
    OP_AND,
    OP_EOR,
    OP_SUB,
    OP_RSB,
    OP_ADD,
    OP_ADC,
    OP_SBC,
    OP_RSC,
    OP_TST,
    OP_TEQ,
    OP_CMP,
    OP_CMN,
    OP_ORR,
    OP_MOV,
    OP_BIC,
    OP_MVN
};

static bool op_is_logic(int op)
{
    return op == OP_AND || op == OP_EOR || op == OP_TST || op == OP_TEQ || op == OP_ORR ||
           op == OP_MOV || op == OP_BIC || op == OP_MVN;
}

static bool gen_dp(DisasContext *s, int op, int sbit, int rd, int rn, TCGv_i32 b)
{
    bool test = op >= OP_TST && op <= OP_CMN;
    if (test && !sbit) {
        return false;
    }
    /* With S and rd == pc: exception return (CPSR = SPSR), not allowed in user mode. */
    bool cc = sbit && !(rd == 15 && !test);
    TCGv_i32 a = (op == OP_MOV || op == OP_MVN) ? NULL : arm_load_reg(s, rn);
    TCGv_i32 r = tcg_temp_new_i32();
    switch (op) {
    case OP_AND:
    case OP_TST: tcg_gen_and_i32(r, a, b); break;
    case OP_EOR:
    case OP_TEQ: tcg_gen_xor_i32(r, a, b); break;
    case OP_ORR: tcg_gen_or_i32(r, a, b); break;
    case OP_BIC: tcg_gen_andc_i32(r, a, b); break;
    case OP_MOV: tcg_gen_mov_i32(r, b); break;
    case OP_MVN: tcg_gen_not_i32(r, b); break;
    case OP_SUB:
    case OP_CMP: cc ? gen_sub_cc(r, a, b) : tcg_gen_sub_i32(r, a, b); break;
    case OP_RSB: cc ? gen_sub_cc(r, b, a) : tcg_gen_sub_i32(r, b, a); break;
    case OP_ADD:
    case OP_CMN: cc ? gen_add_cc(r, a, b) : tcg_gen_add_i32(r, a, b); break;
    case OP_ADC: cc ? gen_adc_cc(r, a, b) : gen_adc(r, a, b); break;
    case OP_SBC: cc ? gen_sbc_cc(r, a, b) : gen_sbc(r, a, b); break;
    case OP_RSC: cc ? gen_sbc_cc(r, b, a) : gen_sbc(r, b, a); break;
    }
    if (cc && op_is_logic(op)) {
        gen_logic_cc(r);
    }
    if (test) {
        return true;
    }
    if (rd == 15 && sbit) {
        if (s->user) {
            return false;
        }
        gen_exception_return(s, r);
        return true;
    }
    store_reg_bx(s, rd, r);
    return true;
}

static bool trans_DP_rrri(DisasContext *s, arg_s_rrr_shi *a)
{
    if ((a->op >> 2) == 2 && !a->s) {
        return false;
    }
    TCGv_i32 b = arm_load_reg(s, a->rm);
    gen_shift_imm(b, a->shty, a->shim, a->s && op_is_logic(a->op));
    return gen_dp(s, a->op, a->s, a->rd, a->rn, b);
}

static bool trans_DP_rrrr(DisasContext *s, arg_s_rrr_shr *a)
{
    if ((a->op >> 2) == 2 && !a->s) {
        return false;
    }
    if (a->rd == 15 || a->rn == 15 || a->rm == 15 || a->rs == 15) {
        return false;
    }
    TCGv_i32 b = arm_load_reg(s, a->rm);
    gen_shift_reg(b, a->shty, cpu_R[a->rs], a->s && op_is_logic(a->op));
    return gen_dp(s, a->op, a->s, a->rd, a->rn, b);
}

static bool trans_DP_rri(DisasContext *s, arg_s_rri_rot *a)
{
    if ((a->op >> 2) == 2 && !a->s) {
        return false;
    }
    uint32_t imm = (uint32_t)a->imm;
    if (a->rot) {
        imm = (imm >> (a->rot * 2)) | (imm << (32 - a->rot * 2));
        if (a->s && op_is_logic(a->op)) {
            tcg_gen_movi_i32(cpu_CF, (int32_t)(imm >> 31));
        }
    }
    TCGv_i32 b = tcg_temp_new_i32();
    tcg_gen_movi_i32(b, (int32_t)imm);
    return gen_dp(s, a->op, a->s, a->rd, a->rn, b);
}

static bool trans_MOVW(DisasContext *s, arg_ri *a)
{
    if (a->rd == 15) {
        return false;
    }
    tcg_gen_movi_i32(cpu_R[a->rd], a->imm);
    return true;
}

static bool trans_MOVT(DisasContext *s, arg_ri *a)
{
    if (a->rd == 15) {
        return false;
    }
    tcg_gen_deposit_i32(cpu_R[a->rd], cpu_R[a->rd], tcg_constant_i32(a->imm), 16, 16);
    return true;
}

/* ---- Multiplies ----------------------------------------------------------------------- */

static void gen_nz_cc(TCGv_i32 v)
{
    gen_logic_cc(v);
}

static bool trans_MUL(DisasContext *s, arg_s_rrrr *a)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_mul_i32(r, cpu_R[a->rn], cpu_R[a->rm]);
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    if (a->s) {
        gen_nz_cc(r);
    }
    return true;
}

static bool trans_MLA(DisasContext *s, arg_s_rrrr *a)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_mul_i32(r, cpu_R[a->rn], cpu_R[a->rm]);
    tcg_gen_add_i32(r, r, cpu_R[a->ra]);
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    if (a->s) {
        gen_nz_cc(r);
    }
    return true;
}

static bool trans_MLS(DisasContext *s, arg_rrrr *a)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_mul_i32(r, cpu_R[a->rn], cpu_R[a->rm]);
    tcg_gen_sub_i32(cpu_R[a->rd], cpu_R[a->ra], r);
    return true;
}

/* Long multiplies: a32.decode puts RdHi in rn and RdLo in rd, Rn in ra and Rm in rm. */
static bool gen_mull(DisasContext *s, arg_s_rrrr *a, bool sign, bool acc)
{
    TCGv_i32 lo = tcg_temp_new_i32(), hi = tcg_temp_new_i32();
    if (sign) {
        tcg_gen_muls2_i32(lo, hi, cpu_R[a->ra], cpu_R[a->rm]);
    } else {
        tcg_gen_mulu2_i32(lo, hi, cpu_R[a->ra], cpu_R[a->rm]);
    }
    if (acc) {
        tcg_gen_add2_i32(lo, hi, lo, hi, cpu_R[a->rd], cpu_R[a->rn]);
    }
    tcg_gen_mov_i32(cpu_R[a->rd], lo);
    tcg_gen_mov_i32(cpu_R[a->rn], hi);
    if (a->s) {
        tcg_gen_mov_i32(cpu_NF, hi);
        tcg_gen_or_i32(cpu_ZF, lo, hi);
    }
    return true;
}

static bool trans_UMULL(DisasContext *s, arg_s_rrrr *a)
{
    return gen_mull(s, a, false, false);
}

static bool trans_UMLAL(DisasContext *s, arg_s_rrrr *a)
{
    return gen_mull(s, a, false, true);
}

static bool trans_SMULL(DisasContext *s, arg_s_rrrr *a)
{
    return gen_mull(s, a, true, false);
}

static bool trans_SMLAL(DisasContext *s, arg_s_rrrr *a)
{
    return gen_mull(s, a, true, true);
}

static bool trans_UMAAL(DisasContext *s, arg_rrrr *a)
{
    /* a32.decode: rn = RdHi, rd = RdLo, rm = Rm, ra = Rn. */
    TCGv_i64 p = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    TCGv_i64 x = tcg_temp_new_i64(), y = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(x, cpu_R[a->ra]);
    tcg_gen_extu_i32_i64(y, cpu_R[a->rm]);
    tcg_gen_mul_i64(p, x, y);
    tcg_gen_extu_i32_i64(t, cpu_R[a->rd]);
    tcg_gen_add_i64(p, p, t);
    tcg_gen_extu_i32_i64(t, cpu_R[a->rn]);
    tcg_gen_add_i64(p, p, t);
    tcg_gen_extr_i64_i32(cpu_R[a->rd], cpu_R[a->rn], p);
    return true;
}

static TCGv_i32 half(TCGv_i32 v, int top)
{
    TCGv_i32 t = tcg_temp_new_i32();
    if (top) {
        tcg_gen_sari_i32(t, v, 16);
    } else {
        tcg_gen_ext16s_i32(t, v);
    }
    return t;
}

static TCGv_i32 add_setq(TCGv_i32 a, TCGv_i32 b)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_add_setq, TCG_CALL_NO_RWG, t32(r), 3, arm_env_arg(), t32(a),
                  t32(b));
    return r;
}

static bool trans_SMULxy(DisasContext *s, arg_smul *a)
{
    tcg_gen_mul_i32(cpu_R[a->rd], half(cpu_R[a->rn], a->x), half(cpu_R[a->rm], a->y));
    return true;
}

static bool trans_SMLAxy(DisasContext *s, arg_smul *a)
{
    TCGv_i32 p = tcg_temp_new_i32();
    tcg_gen_mul_i32(p, half(cpu_R[a->rn], a->x), half(cpu_R[a->rm], a->y));
    tcg_gen_mov_i32(cpu_R[a->rd], add_setq(p, cpu_R[a->ra]));
    return true;
}

static TCGv_i32 gen_smulw(arg_smul *a)
{
    TCGv_i64 x = tcg_temp_new_i64(), y = tcg_temp_new_i64();
    tcg_gen_ext_i32_i64(x, cpu_R[a->rn]);
    tcg_gen_ext_i32_i64(y, half(cpu_R[a->rm], a->y));
    tcg_gen_mul_i64(x, x, y);
    tcg_gen_sari_i64(x, x, 16);
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(r, x);
    return r;
}

static bool trans_SMULWy(DisasContext *s, arg_smul *a)
{
    tcg_gen_mov_i32(cpu_R[a->rd], gen_smulw(a));
    return true;
}

static bool trans_SMLAWy(DisasContext *s, arg_smul *a)
{
    tcg_gen_mov_i32(cpu_R[a->rd], add_setq(gen_smulw(a), cpu_R[a->ra]));
    return true;
}

static bool trans_SMLALxy(DisasContext *s, arg_smul *a)
{
    /* rd = RdHi, ra = RdLo */
    TCGv_i32 p = tcg_temp_new_i32(), ph = tcg_temp_new_i32();
    tcg_gen_mul_i32(p, half(cpu_R[a->rn], a->x), half(cpu_R[a->rm], a->y));
    tcg_gen_sari_i32(ph, p, 31);
    tcg_gen_add2_i32(cpu_R[a->ra], cpu_R[a->rd], cpu_R[a->ra], cpu_R[a->rd], p, ph);
    return true;
}

/* Dual 16-bit multiplies: op bit0 = subtract, bit1 = long, bit2 = accumulate. */
static TCGv_i64 gen_dual_product(arg_smul *a, bool sub)
{
    TCGv_i32 m = tcg_temp_new_i32();
    if (a->x) {
        tcg_gen_rotri_i32(m, cpu_R[a->rm], 16);
    } else {
        tcg_gen_mov_i32(m, cpu_R[a->rm]);
    }
    TCGv_i32 p1 = tcg_temp_new_i32(), p2 = tcg_temp_new_i32();
    tcg_gen_mul_i32(p1, half(cpu_R[a->rn], 0), half(m, 0));
    tcg_gen_mul_i32(p2, half(cpu_R[a->rn], 1), half(m, 1));
    TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    tcg_gen_ext_i32_i64(r, p1);
    tcg_gen_ext_i32_i64(t, p2);
    if (sub) {
        tcg_gen_sub_i64(r, r, t);
    } else {
        tcg_gen_add_i64(r, r, t);
    }
    return r;
}

static bool gen_smlad(DisasContext *s, arg_smul *a, bool sub)
{
    TCGv_i64 p = gen_dual_product(a, sub);
    TCGv_i32 lo = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(lo, p);
    if (a->ra != 15) {
        /* Q is set on signed overflow of the 32-bit sum (the products alone can only
         * overflow for SMUAD 0x8000*0x8000*2). */
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_ext_i32_i64(t, cpu_R[a->ra]);
        tcg_gen_add_i64(p, p, t);
    }
    TCGv_i32 r = tcg_temp_new_i32(), hi = tcg_temp_new_i32();
    tcg_gen_extr_i64_i32(r, hi, p);
    TCGv_i32 q = tcg_temp_new_i32(), sgn = tcg_temp_new_i32();
    tcg_gen_sari_i32(sgn, r, 31);
    tcg_gen_setcond_i32(TCG_COND_NE, q, sgn, hi);
    TCGv_i32 oq = tcg_temp_new_i32();
    tcg_gen_ld_i32(oq, tcg_env, offsetof(ArmEnv, QF));
    tcg_gen_or_i32(oq, oq, q);
    tcg_gen_st_i32(oq, tcg_env, offsetof(ArmEnv, QF));
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

static bool trans_SMLAD(DisasContext *s, arg_smul *a)
{
    return gen_smlad(s, a, false);
}

static bool trans_SMLSD(DisasContext *s, arg_smul *a)
{
    return gen_smlad(s, a, true);
}

static bool gen_smlald(DisasContext *s, arg_smul *a, bool sub)
{
    /* ra = RdLo, rd = RdHi */
    TCGv_i64 p = gen_dual_product(a, sub), acc = tcg_temp_new_i64();
    tcg_gen_concat_i32_i64(acc, cpu_R[a->ra], cpu_R[a->rd]);
    tcg_gen_add_i64(p, p, acc);
    tcg_gen_extr_i64_i32(cpu_R[a->ra], cpu_R[a->rd], p);
    return true;
}

static bool trans_SMLALD(DisasContext *s, arg_smul *a)
{
    return gen_smlald(s, a, false);
}

static bool trans_SMLSLD(DisasContext *s, arg_smul *a)
{
    return gen_smlald(s, a, true);
}

static bool gen_smmla(DisasContext *s, arg_smul *a, bool sub)
{
    TCGv_i64 x = tcg_temp_new_i64(), y = tcg_temp_new_i64();
    tcg_gen_ext_i32_i64(x, cpu_R[a->rn]);
    tcg_gen_ext_i32_i64(y, cpu_R[a->rm]);
    tcg_gen_mul_i64(x, x, y);
    if (a->ra != 15) {
        tcg_gen_extu_i32_i64(y, cpu_R[a->ra]);
        tcg_gen_shli_i64(y, y, 32);
        if (sub) {
            tcg_gen_sub_i64(x, y, x);
        } else {
            tcg_gen_add_i64(x, x, y);
        }
    }
    if (a->x) { /* round */
        tcg_gen_addi_i64(x, x, 0x80000000);
    }
    tcg_gen_extrh_i64_i32(cpu_R[a->rd], x);
    return true;
}

static bool trans_SMMLA(DisasContext *s, arg_smul *a)
{
    return gen_smmla(s, a, false);
}

static bool trans_SMMLS(DisasContext *s, arg_smul *a)
{
    return gen_smmla(s, a, true);
}

static bool trans_SDIV(DisasContext *s, arg_rrr *a)
{
    tcg_gen_div_i32(cpu_R[a->rd], cpu_R[a->rn], cpu_R[a->rm]);
    return true;
}

static bool trans_UDIV(DisasContext *s, arg_rrr *a)
{
    tcg_gen_divu_i32(cpu_R[a->rd], cpu_R[a->rn], cpu_R[a->rm]);
    return true;
}

static bool trans_USADA8(DisasContext *s, arg_rrrr *a)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_usad8, TCG_CALL_PURE, t32(r), 2, t32(cpu_R[a->rn]),
                  t32(cpu_R[a->rm]));
    if (a->ra != 15) {
        tcg_gen_add_i32(r, r, cpu_R[a->ra]);
    }
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

/* ---- Saturating, parallel, bit-field, reverse, extend --------------------------------- */

static bool gen_qop(DisasContext *s, arg_rrr *a, uint32_t op)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_add_sat, TCG_CALL_NO_RWG, t32(r), 4, arm_env_arg(),
                  t32(cpu_R[a->rm]), t32(cpu_R[a->rn]), ci(op));
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

static bool trans_QADD(DisasContext *s, arg_rrr *a)
{
    return gen_qop(s, a, 0);
}

static bool trans_QSUB(DisasContext *s, arg_rrr *a)
{
    return gen_qop(s, a, 1);
}

static bool trans_QDADD(DisasContext *s, arg_rrr *a)
{
    return gen_qop(s, a, 2);
}

static bool trans_QDSUB(DisasContext *s, arg_rrr *a)
{
    return gen_qop(s, a, 3);
}

static bool gen_sat(DisasContext *s, arg_sat *a, void *fn, int satadd)
{
    TCGv_i32 v = arm_load_reg(s, a->rn);
    if (a->sh) {
        tcg_gen_sari_i32(v, v, a->imm ? (unsigned)a->imm : 31);
    } else if (a->imm) {
        tcg_gen_shli_i32(v, v, (unsigned)a->imm);
    }
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln(fn, TCG_CALL_NO_RWG, t32(r), 3, arm_env_arg(), t32(v),
                  ci((uint32_t)(a->satimm + satadd)));
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

static bool trans_SSAT(DisasContext *s, arg_sat *a)
{
    return gen_sat(s, a, (void *)helper_ssat, 1);
}

static bool trans_USAT(DisasContext *s, arg_sat *a)
{
    return gen_sat(s, a, (void *)helper_usat, 0);
}

static bool trans_SSAT16(DisasContext *s, arg_sat *a)
{
    return gen_sat(s, a, (void *)helper_ssat16, 1);
}

static bool trans_USAT16(DisasContext *s, arg_sat *a)
{
    return gen_sat(s, a, (void *)helper_usat16, 0);
}

static bool trans_PAR(DisasContext *s, arg_PAR *a)
{
    if (a->op1 == 0 || a->op1 == 4 || a->op2 == 5 || a->op2 == 6) {
        return false;
    }
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_parallel, TCG_CALL_NO_RWG, t32(r), 4, arm_env_arg(),
                  t32(cpu_R[a->rn]), t32(cpu_R[a->rm]), ci((uint32_t)(a->op1 << 3 | a->op2)));
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

static bool trans_SEL(DisasContext *s, arg_rrr *a)
{
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_sel, TCG_CALL_NO_RWG, t32(r), 3, arm_env_arg(), t32(cpu_R[a->rn]),
                  t32(cpu_R[a->rm]));
    tcg_gen_mov_i32(cpu_R[a->rd], r);
    return true;
}

static bool trans_PKH(DisasContext *s, arg_pkh *a)
{
    TCGv_i32 m = arm_load_reg(s, a->rm);
    if (a->tb) {
        tcg_gen_sari_i32(m, m, a->imm ? (unsigned)a->imm : 31);
        tcg_gen_deposit_i32(cpu_R[a->rd], cpu_R[a->rn], m, 0, 16);
    } else {
        tcg_gen_shli_i32(m, m, (unsigned)a->imm);
        tcg_gen_deposit_i32(cpu_R[a->rd], m, cpu_R[a->rn], 0, 16);
    }
    return true;
}

static bool trans_CLZ(DisasContext *s, arg_rr *a)
{
    tcg_gen_clzi_i32(cpu_R[a->rd], cpu_R[a->rm], 32);
    return true;
}

static bool trans_REV(DisasContext *s, arg_rr *a)
{
    tcg_gen_bswap32_i32(cpu_R[a->rd], cpu_R[a->rm]);
    return true;
}

static bool trans_REV16(DisasContext *s, arg_rr *a)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_bswap32_i32(t, cpu_R[a->rm]);
    tcg_gen_rotri_i32(cpu_R[a->rd], t, 16);
    return true;
}

static bool trans_REVSH(DisasContext *s, arg_rr *a)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_bswap16_i32(t, cpu_R[a->rm]);
    tcg_gen_ext16s_i32(cpu_R[a->rd], t);
    return true;
}

static bool trans_RBIT(DisasContext *s, arg_rr *a)
{
    TCGv_i32 t = tcg_temp_new_i32(), u = tcg_temp_new_i32();
    tcg_gen_bswap32_i32(t, cpu_R[a->rm]);
    static const uint32_t masks[3] = {0x0f0f0f0f, 0x33333333, 0x55555555};
    for (int i = 0; i < 3; i++) {
        unsigned sh = 4u >> i;
        tcg_gen_shri_i32(u, t, sh);
        tcg_gen_andi_i32(u, u, (int32_t)masks[i]);
        tcg_gen_andi_i32(t, t, (int32_t)masks[i]);
        tcg_gen_shli_i32(t, t, sh);
        tcg_gen_or_i32(t, t, u);
    }
    tcg_gen_mov_i32(cpu_R[a->rd], t);
    return true;
}

static bool trans_SBFX(DisasContext *s, arg_bfx *a)
{
    if (a->lsb + a->widthm1 > 31) {
        return false;
    }
    tcg_gen_sextract_i32(cpu_R[a->rd], cpu_R[a->rn], (unsigned)a->lsb, (unsigned)a->widthm1 + 1);
    return true;
}

static bool trans_UBFX(DisasContext *s, arg_bfx *a)
{
    if (a->lsb + a->widthm1 > 31) {
        return false;
    }
    tcg_gen_extract_i32(cpu_R[a->rd], cpu_R[a->rn], (unsigned)a->lsb, (unsigned)a->widthm1 + 1);
    return true;
}

static bool trans_BFCI(DisasContext *s, arg_bfi *a)
{
    if (a->msb < a->lsb) {
        return false;
    }
    TCGv_i32 src = a->rn == 15 ? tcg_constant_i32(0) : cpu_R[a->rn];
    tcg_gen_deposit_i32(cpu_R[a->rd], cpu_R[a->rd], src, (unsigned)a->lsb,
                        (unsigned)(a->msb - a->lsb + 1));
    return true;
}

/* Extend and add: op = byte (0) / half (1) / two bytes (2), sign. */
static bool gen_xta(DisasContext *s, arg_rrr_rot *a, int kind, bool sign)
{
    TCGv_i32 m = tcg_temp_new_i32();
    tcg_gen_rotri_i32(m, cpu_R[a->rm], (unsigned)a->rot * 8);
    if (kind == 2) {
        TCGv_i32 lo = tcg_temp_new_i32(), hi = tcg_temp_new_i32();
        if (sign) {
            tcg_gen_ext8s_i32(lo, m);
            tcg_gen_sextract_i32(hi, m, 16, 8);
        } else {
            tcg_gen_ext8u_i32(lo, m);
            tcg_gen_extract_i32(hi, m, 16, 8);
        }
        if (a->rn != 15) {
            tcg_gen_add_i32(lo, lo, cpu_R[a->rn]);
            TCGv_i32 nh = tcg_temp_new_i32();
            tcg_gen_shri_i32(nh, cpu_R[a->rn], 16);
            tcg_gen_add_i32(hi, hi, nh);
        }
        tcg_gen_deposit_i32(cpu_R[a->rd], lo, hi, 16, 16);
        return true;
    }
    if (kind == 0) {
        sign ? tcg_gen_ext8s_i32(m, m) : tcg_gen_ext8u_i32(m, m);
    } else {
        sign ? tcg_gen_ext16s_i32(m, m) : tcg_gen_ext16u_i32(m, m);
    }
    if (a->rn != 15) {
        tcg_gen_add_i32(m, m, cpu_R[a->rn]);
    }
    tcg_gen_mov_i32(cpu_R[a->rd], m);
    return true;
}

static bool trans_SXTAB(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 0, true);
}

static bool trans_SXTAH(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 1, true);
}

static bool trans_SXTAB16(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 2, true);
}

static bool trans_UXTAB(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 0, false);
}

static bool trans_UXTAH(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 1, false);
}

static bool trans_UXTAB16(DisasContext *s, arg_rrr_rot *a)
{
    return gen_xta(s, a, 2, false);
}

/* ---- Loads and stores ----------------------------------------------------------------- */

/* Address computation for single loads/stores: returns the access address; *wb receives
 * the written-back base (when w or post-indexed). */
static TCGv_i32 gen_ldst_addr(DisasContext *s, int p, int u, TCGv_i32 base, TCGv_i32 off,
                              TCGv_i32 *wbval)
{
    TCGv_i32 addr = tcg_temp_new_i32();
    TCGv_i32 wb = tcg_temp_new_i32();
    if (u) {
        tcg_gen_add_i32(wb, base, off);
    } else {
        tcg_gen_sub_i32(wb, base, off);
    }
    tcg_gen_mov_i32(addr, p ? wb : base);
    *wbval = wb;
    return addr;
}

static bool gen_ldst(DisasContext *s, int p, int u, int w, int rn, int rt, TCGv_i32 off, MemOp op,
                     bool load, bool dual)
{
    bool wback = !p || w;
    int idx = (!p && w) ? ARM_MMU_PL0 : s->mem_idx; /* LDRT/STRT */
    if (!p && w && dual) {
        return false;
    }
    if (dual && (rt & 1 || rt == 14)) {
        return false;
    }
    if (wback && rn == 15) {
        return false;
    }
    TCGv_i32 wb;
    TCGv_i32 base = arm_load_reg(s, rn);
    if (rn == 15) {
        tcg_gen_andi_i32(base, base, ~3);
    }
    if (dual) {
        op |= MO_ALIGN_4; /* LDRD/STRD fault on a misaligned word whatever SCTLR.A says */
    }
    TCGv_i32 addr = gen_ldst_addr(s, p, u, base, off, &wb);
    if (load) {
        TCGv_i32 v = tcg_temp_new_i32();
        gen_ld(s, v, addr, op, idx);
        if (dual) {
            TCGv_i32 v2 = tcg_temp_new_i32(), a2 = tcg_temp_new_i32();
            tcg_gen_addi_i32(a2, addr, 4);
            gen_ld(s, v2, a2, op, idx);
            tcg_gen_mov_i32(cpu_R[rt + 1], v2);
        }
        if (wback) {
            tcg_gen_mov_i32(cpu_R[rn], wb);
        }
        if (rt == 15) {
            gen_bx(s, v);
        } else {
            tcg_gen_mov_i32(cpu_R[rt], v);
        }
    } else {
        TCGv_i32 v = arm_load_reg(s, rt);
        gen_st(s, v, addr, op, idx);
        if (dual) {
            TCGv_i32 a2 = tcg_temp_new_i32();
            tcg_gen_addi_i32(a2, addr, 4);
            gen_st(s, cpu_R[rt + 1], a2, op, idx);
        }
        if (wback) {
            tcg_gen_mov_i32(cpu_R[rn], wb);
        }
    }
    return true;
}

static TCGv_i32 imm_off(int imm)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_movi_i32(t, imm);
    return t;
}

static TCGv_i32 reg_off(DisasContext *s, arg_ldst_rr *a)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_mov_i32(t, arm_load_reg(s, a->rm));
    gen_shift_imm(t, a->shty, a->shim, false);
    return t;
}

#define LDST_RI(NAME, OP, LOAD, DUAL)                                                        \
    static bool trans_##NAME##_ri(DisasContext *s, arg_ldst_ri *a)                           \
    {                                                                                        \
        return gen_ldst(s, a->p, a->u, a->w, a->rn, a->rt, imm_off(a->imm), OP, LOAD, DUAL); \
    }                                                                                        \
    static bool trans_##NAME##_rr(DisasContext *s, arg_ldst_rr *a)                           \
    {                                                                                        \
        if (a->rm == 15) {                                                                   \
            return false;                                                                    \
        }                                                                                    \
        return gen_ldst(s, a->p, a->u, a->w, a->rn, a->rt, reg_off(s, a), OP, LOAD, DUAL);   \
    }

LDST_RI(STR, MO_UL, false, false)
LDST_RI(LDR, MO_UL, true, false)
LDST_RI(STRB, MO_UB, false, false)
LDST_RI(LDRB, MO_UB, true, false)
LDST_RI(STRH, MO_UW, false, false)
LDST_RI(LDRH, MO_UW, true, false)
LDST_RI(LDRSB, MO_SB, true, false)
LDST_RI(LDRSH, MO_SW, true, false)
LDST_RI(LDRD, MO_UL, true, true)
LDST_RI(STRD, MO_UL, false, true)

static bool trans_LDREX(DisasContext *s, arg_ldrex *a)
{
    static const MemOp ops[4] = {MO_UL | MO_ALIGN, MO_UL | MO_ALIGN_8, MO_UB, MO_UW | MO_ALIGN};
    if (a->rt == 15 || a->rn == 15 || (a->sz == 1 && (a->rt & 1 || a->rt == 14))) {
        return false;
    }
    TCGv_i32 addr = tcg_temp_new_i32();
    tcg_gen_addi_i32(addr, cpu_R[a->rn], a->imm);
    TCGv_i32 v = tcg_temp_new_i32(), v2 = tcg_temp_new_i32();
    gen_ld(s, v, addr, ops[a->sz], s->mem_idx);
    tcg_gen_movi_i32(v2, 0);
    if (a->sz == 1) {
        TCGv_i32 a2 = tcg_temp_new_i32();
        tcg_gen_addi_i32(a2, addr, 4);
        gen_ld(s, v2, a2, MO_UL, s->mem_idx);
        tcg_gen_mov_i32(cpu_R[a->rt + 1], v2);
    }
    tcg_gen_st_i32(addr, tcg_env, offsetof(ArmEnv, exclusive_addr));
    TCGv_i64 ev = tcg_temp_new_i64();
    tcg_gen_concat_i32_i64(ev, v, v2);
    tcg_gen_st_i64(ev, tcg_env, offsetof(ArmEnv, exclusive_val));
    tcg_gen_mov_i32(cpu_R[a->rt], v);
    return true;
}

static bool trans_STREX(DisasContext *s, arg_ldrex *a)
{
    /* rt = Rd (status), rt2 = Rt (value). */
    int rd = a->rt, rt = a->rt2;
    if (rd == 15 || rt == 15 || a->rn == 15 || rd == a->rn || rd == rt ||
        (a->sz == 1 && (rt & 1 || rt == 14 || rd == rt + 1))) {
        return false;
    }
    TCGv_i32 addr = tcg_temp_new_i32(), r = tcg_temp_new_i32();
    tcg_gen_addi_i32(addr, cpu_R[a->rn], a->imm);
    TCGv_i32 hi = a->sz == 1 ? cpu_R[rt + 1] : tcg_constant_i32(0);
    tcg_gen_calln((void *)helper_strex, 0, t32(r), 5, arm_env_arg(), t32(addr), t32(cpu_R[rt]),
                  t32(hi), ci((uint32_t)(a->sz | s->mem_idx << 4)));
    tcg_gen_mov_i32(cpu_R[rd], r);
    return true;
}

static bool trans_SWP(DisasContext *s, arg_SWP *a)
{
    TCGv_i32 addr = tcg_temp_new_i32(), v = tcg_temp_new_i32();
    TCGv_i32 nv = tcg_temp_new_i32();
    MemOp op = a->b ? MO_UB : (MO_UL | MO_ALIGN);
    tcg_gen_mov_i32(addr, cpu_R[a->rn]);
    tcg_gen_mov_i32(nv, cpu_R[a->rt2]);
    gen_ld(s, v, addr, op, s->mem_idx);
    gen_st(s, nv, addr, op, s->mem_idx);
    tcg_gen_mov_i32(cpu_R[a->rt], v);
    return true;
}

static bool trans_LDM_STM(DisasContext *s, arg_LDM_STM *a)
{
    int n = __builtin_popcount((unsigned)a->list);
    if (n == 0 || a->rn == 15) {
        return false;
    }
    bool user = a->b && !(a->l && (a->list & 0x8000));
    bool eret = a->b && a->l && (a->list & 0x8000);
    if (a->b && s->user) {
        return false;
    }
    TCGv_i32 addr = tcg_temp_new_i32();
    int start;
    if (a->u) {
        start = a->p ? 4 : 0;
    } else {
        start = a->p ? -4 * n : -4 * n + 4;
    }
    tcg_gen_addi_i32(addr, cpu_R[a->rn], start);
    TCGv_i32 newbase = tcg_temp_new_i32();
    tcg_gen_addi_i32(newbase, cpu_R[a->rn], a->u ? 4 * n : -4 * n);
    TCGv_i32 pcval = NULL, baseval = NULL;
    for (int i = 0, k = 0; i < 16; i++) {
        if (!(a->list & (1 << i))) {
            continue;
        }
        TCGv_i32 ea = tcg_temp_new_i32();
        tcg_gen_addi_i32(ea, addr, 4 * k);
        k++;
        if (a->l) {
            TCGv_i32 v = tcg_temp_new_i32();
            gen_ld(s, v, ea, MO_UL | MO_ALIGN_4, s->mem_idx);
            if (i == 15) {
                pcval = v;
            } else if (user) {
                tcg_gen_calln((void *)helper_set_user_reg, TCG_CALL_NO_RWG, NULL, 3, arm_env_arg(),
                              ci((uint32_t)i), t32(v));
            } else if (i == a->rn) {
                baseval = v;
            } else {
                tcg_gen_mov_i32(cpu_R[i], v);
            }
        } else {
            TCGv_i32 v;
            if (user) {
                v = tcg_temp_new_i32();
                tcg_gen_calln((void *)helper_get_user_reg, TCG_CALL_NO_WRITE_GLOBALS, t32(v), 2,
                              arm_env_arg(), ci((uint32_t)i));
            } else {
                v = arm_load_reg(s, i);
                if (i == 15) {
                    tcg_gen_movi_i32(v, (int32_t)(s->pc_curr + 8));
                }
            }
            gen_st(s, v, ea, MO_UL | MO_ALIGN_4, s->mem_idx);
        }
    }
    if (a->w) {
        tcg_gen_mov_i32(cpu_R[a->rn], newbase);
    }
    if (baseval) {
        tcg_gen_mov_i32(cpu_R[a->rn], baseval);
    }
    if (pcval) {
        if (eret) {
            gen_exception_return(s, pcval);
        } else {
            gen_bx(s, pcval);
        }
    }
    return true;
}

/* ---- Branches ------------------------------------------------------------------------- */

static bool trans_B(DisasContext *s, arg_B *a)
{
    gen_jmp(s, read_pc(s) + ((uint32_t)a->imm << 2));
    return true;
}

static bool trans_BL(DisasContext *s, arg_BL *a)
{
    tcg_gen_movi_i32(cpu_R[14], (int32_t)(s->pc_curr + 4));
    gen_jmp(s, read_pc(s) + ((uint32_t)a->imm << 2));
    return true;
}

static bool trans_BLX_i(DisasContext *s, arg_BLX_i *a)
{
    tcg_gen_movi_i32(cpu_R[14], (int32_t)(s->pc_curr + 4));
    uint32_t dest = read_pc(s) + ((uint32_t)a->imm << 2) + (uint32_t)(a->h << 1);
    gen_jmp_other_set(s, dest);
    return true;
}

static bool trans_BX(DisasContext *s, arg_BX *a)
{
    gen_bx(s, arm_load_reg(s, a->rm));
    return true;
}

static bool trans_BXJ(DisasContext *s, arg_BXJ *a)
{
    gen_bx(s, arm_load_reg(s, a->rm));
    return true;
}

static bool trans_BLX_r(DisasContext *s, arg_BLX_r *a)
{
    if (a->rm == 15) {
        return false;
    }
    TCGv_i32 t = arm_load_reg(s, a->rm);
    tcg_gen_movi_i32(cpu_R[14], (int32_t)(s->base.pc_next | s->thumb));
    gen_bx(s, t);
    return true;
}

/* ---- Status registers and system ------------------------------------------------------ */

static void gen_end_tb_after(DisasContext *s)
{
    s->exit_tb = true;
}

static uint32_t msr_mask(DisasContext *s, int fields, bool spsr)
{
    uint32_t m = 0;
    if (fields & 1) {
        m |= 0xff;
    }
    if (fields & 2) {
        m |= 0xff00;
    }
    if (fields & 4) {
        m |= 0xff0000;
    }
    if (fields & 8) {
        m |= 0xff000000;
    }
    if (!spsr) {
        /* The execution state bits are not writable by MSR; user mode writes only NZCVQ, GE. */
        m &= ~(CPSR_T | CPSR_IT_0_1 | CPSR_IT_2_7 | CPSR_J);
        if (s->user) {
            m &= CPSR_NZCV | CPSR_Q | CPSR_GE | CPSR_E;
        }
    }
    return m;
}

static bool gen_msr(DisasContext *s, int r, int fields, TCGv_i32 v)
{
    uint32_t mask = msr_mask(s, fields, r);
    if (r) {
        if (s->user) {
            return false;
        }
        TCGv_i32 o = tcg_temp_new_i32();
        tcg_gen_ld_i32(o, tcg_env, offsetof(ArmEnv, spsr));
        tcg_gen_andi_i32(o, o, (int32_t)~mask);
        tcg_gen_andi_i32(v, v, (int32_t)mask);
        tcg_gen_or_i32(o, o, v);
        tcg_gen_st_i32(o, tcg_env, offsetof(ArmEnv, spsr));
        return true;
    }
    tcg_gen_calln((void *)helper_cpsr_write, 0, NULL, 3, arm_env_arg(), t32(v), ci(mask));
    if (mask & ~(CPSR_NZCV | CPSR_Q | CPSR_GE)) {
        gen_end_tb_after(s);
    }
    return true;
}

static bool trans_MSR_reg(DisasContext *s, arg_msr_reg *a)
{
    if (a->rn == 15 || a->mask == 0) {
        return false;
    }
    return gen_msr(s, a->r, a->mask, arm_load_reg(s, a->rn));
}

static bool trans_MSR_imm(DisasContext *s, arg_MSR_imm *a)
{
    uint32_t imm = (uint32_t)a->imm;
    if (a->rot) {
        imm = (imm >> (a->rot * 2)) | (imm << (32 - a->rot * 2));
    }
    if (a->mask == 0) {
        return false;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_movi_i32(v, (int32_t)imm);
    return gen_msr(s, a->r, a->mask, v);
}

static bool trans_MRS_reg(DisasContext *s, arg_mrs_reg *a)
{
    if (a->rd == 15) {
        return false;
    }
    if (a->r) {
        if (s->user) {
            return false;
        }
        tcg_gen_ld_i32(cpu_R[a->rd], tcg_env, offsetof(ArmEnv, spsr));
    } else {
        TCGv_i32 v = tcg_temp_new_i32();
        tcg_gen_calln((void *)helper_cpsr_read, TCG_CALL_NO_WRITE_GLOBALS, t32(v), 1,
                      arm_env_arg());
        /* The execution state bits read as zero. */
        tcg_gen_andi_i32(v, v, (int32_t) ~(CPSR_T | CPSR_IT_0_1 | CPSR_IT_2_7 | CPSR_J));
        tcg_gen_mov_i32(cpu_R[a->rd], v);
    }
    return true;
}

static bool trans_MRS_bank(DisasContext *s, arg_mrs_bank *a)
{
    if (s->user || a->rd == 15) {
        return false;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_movi_i32(cpu_R[15], (int32_t)undef_lr(s));
    tcg_gen_calln((void *)helper_mrs_banked, 0, t32(v), 2, arm_env_arg(),
                  ci((uint32_t)(a->r << 5 | a->sysm)));
    tcg_gen_mov_i32(cpu_R[a->rd], v);
    return true;
}

static bool trans_MSR_bank(DisasContext *s, arg_msr_bank *a)
{
    if (s->user || a->rn == 15) {
        return false;
    }
    tcg_gen_movi_i32(cpu_R[15], (int32_t)undef_lr(s));
    tcg_gen_calln((void *)helper_msr_banked, 0, NULL, 3, arm_env_arg(),
                  ci((uint32_t)(a->r << 5 | a->sysm)), t32(cpu_R[a->rn]));
    return true;
}

static bool trans_CPS(DisasContext *s, arg_CPS *a)
{
    if (s->user) {
        return true; /* CPS is a NOP in user mode */
    }
    uint32_t mask = 0, val = 0;
    if (a->imod & 2) {
        uint32_t bits = (a->a ? CPSR_A : 0) | (a->i ? CPSR_I : 0) | (a->f ? CPSR_F : 0);
        mask |= bits;
        if (a->imod == 3) {
            val |= bits;
        }
    }
    if (a->m) {
        mask |= CPSR_M;
        val |= (uint32_t)a->mode;
    }
    if (mask) {
        tcg_gen_calln((void *)helper_cpsr_write, 0, NULL, 3, arm_env_arg(), ci(val), ci(mask));
        gen_end_tb_after(s);
    }
    return true;
}

static bool trans_SETEND(DisasContext *s, arg_SETEND *a)
{
    return !a->e; /* big-endian data is not supported */
}

static bool trans_ERET(DisasContext *s, arg_ERET *a)
{
    if (s->user) {
        return false;
    }
    gen_exception_return(s, arm_load_reg(s, 14));
    return true;
}

static bool trans_SRS(DisasContext *s, arg_SRS *a)
{
    if (s->user) {
        return false;
    }
    tcg_gen_movi_i32(cpu_R[15], (int32_t)s->pc_curr);
    tcg_gen_calln((void *)helper_srs, 0, NULL, 2, arm_env_arg(),
                  ci((uint32_t)(a->mode | a->p << 8 | a->u << 9 | a->w << 10)));
    return true;
}

static bool trans_RFE(DisasContext *s, arg_RFE *a)
{
    if (s->user || a->rn == 15) {
        return false;
    }
    TCGv_i32 addr = tcg_temp_new_i32();
    int off = a->u ? (a->p ? 4 : 0) : (a->p ? -8 : -4);
    tcg_gen_addi_i32(addr, cpu_R[a->rn], off);
    TCGv_i32 pc = tcg_temp_new_i32(), psr = tcg_temp_new_i32();
    gen_ld(s, pc, addr, MO_UL | MO_ALIGN_4, s->mem_idx);
    TCGv_i32 a2 = tcg_temp_new_i32();
    tcg_gen_addi_i32(a2, addr, 4);
    gen_ld(s, psr, a2, MO_UL | MO_ALIGN_4, s->mem_idx);
    if (a->w) {
        tcg_gen_addi_i32(cpu_R[a->rn], cpu_R[a->rn], a->u ? 8 : -8);
    }
    tcg_gen_st_i32(psr, tcg_env, offsetof(ArmEnv, spsr));
    gen_exception_return(s, pc);
    return true;
}

static bool trans_HINT(DisasContext *s, arg_i *a)
{
    switch (a->imm) {
    case 3: /* WFI */
        tcg_gen_movi_i32(cpu_R[15], (int32_t)s->base.pc_next);
        gen_set_condexec(s);
        tcg_gen_calln((void *)helper_wfi, 0, NULL, 1, arm_env_arg());
        tcg_gen_exit_tb(0);
        s->base.is_jmp = DISAS_NORETURN;
        break;
    case 1: /* YIELD */
    case 2: /* WFE: events are not modelled; a spin loop around it still makes progress */
        gen_end_tb_after(s);
        break;
    default: break; /* NOP, SEV, DBG */
    }
    return true;
}

static bool trans_PLD(DisasContext *s, arg_empty *a)
{
    return true;
}

static bool trans_PLDW(DisasContext *s, arg_empty *a)
{
    return true;
}

static bool trans_PLI(DisasContext *s, arg_empty *a)
{
    return true;
}

static bool trans_CLREX(DisasContext *s, arg_empty *a)
{
    tcg_gen_st_i32(tcg_constant_i32(-1), tcg_env, offsetof(ArmEnv, exclusive_addr));
    return true;
}

static bool trans_DSB(DisasContext *s, arg_DSB *a)
{
    tcg_gen_mb(TCG_MB_ALL);
    return true;
}

static bool trans_DMB(DisasContext *s, arg_DMB *a)
{
    tcg_gen_mb(TCG_MB_ALL);
    return true;
}

static bool trans_ISB(DisasContext *s, arg_ISB *a)
{
    /* Context synchronisation: later instructions see CP15 changes. */
    gen_end_tb_after(s);
    return true;
}

static bool trans_SVC(DisasContext *s, arg_i *a)
{
    gen_exception_pc(s, ARM_EXCP_SWI, (uint32_t)s->base.pc_next);
    return true;
}

static bool trans_BKPT(DisasContext *s, arg_i *a)
{
    gen_exception_pc(s, ARM_EXCP_BKPT, s->pc_curr);
    return true;
}

static bool trans_UDF(DisasContext *s, arg_UDF *a)
{
    return false;
}

static bool gen_hvc_smc(DisasContext *s, bool smc)
{
    if (s->user) {
        return false;
    }
    tcg_gen_movi_i32(cpu_R[15], (int32_t)s->base.pc_next);
    gen_set_condexec(s);
    tcg_gen_calln((void *)helper_hvc_smc, 0, NULL, 2, arm_env_arg(), ci(smc));
    /* The handler may have powered the CPU off or reset the machine. */
    tcg_gen_exit_tb(0);
    s->base.is_jmp = DISAS_NORETURN;
    return true;
}

static bool trans_HVC(DisasContext *s, arg_i *a)
{
    return gen_hvc_smc(s, false);
}

static bool trans_SMC(DisasContext *s, arg_i *a)
{
    return gen_hvc_smc(s, true);
}

/* ---- Coprocessors --------------------------------------------------------------------- */

/* Plain CP15 registers whose access depends only on the mode, which is fixed for the block:
 * the thread-id registers glibc reads for every TLS access. Returns the env offset, or -1
 * when the access must go through the helper (including every access that would UNDEF). */
static int cp_plain_offset(DisasContext *s, uint32_t key, bool read)
{
    switch (key) {
    case 15u << 16 | 13 << 8 | 2: /* TPIDRURW */ return offsetof(ArmEnv, cp15.tpidrurw);
    case 15u << 16 | 13 << 8 | 3: /* TPIDRURO: read-only at PL0 */
        return read || !s->user ? (int)offsetof(ArmEnv, cp15.tpidruro) : -1;
    case 15u << 16 | 13 << 8 | 4: /* TPIDRPRW */
        return s->user ? -1 : (int)offsetof(ArmEnv, cp15.tpidrprw);
    default: return -1;
    }
}

static bool gen_cp_access(DisasContext *s, uint32_t key, bool read, int rt, int rt2)
{
    int plain = rt2 < 0 && (read || rt != 15) ? cp_plain_offset(s, key, read) : -1;
    if (plain >= 0) {
        if (!read) {
            tcg_gen_st_i32(cpu_R[rt], tcg_env, plain);
        } else if (rt == 15) {
            TCGv_i32 v = tcg_temp_new_i32();
            tcg_gen_ld_i32(v, tcg_env, plain);
            arm_gen_set_nzcv(v);
        } else {
            tcg_gen_ld_i32(cpu_R[rt], tcg_env, plain);
        }
        return true;
    }
    /* An UNDEF from the helper takes pc as LR_und. */
    tcg_gen_movi_i32(cpu_R[15], (int32_t)undef_lr(s));
    gen_set_condexec(s);
    if (read) {
        TCGv_i64 v = tcg_temp_new_i64();
        tcg_gen_calln((void *)helper_cp_read, 0, tcgv_i64_temp(v), 2, arm_env_arg(), ci(key));
        TCGv_i32 lo = tcg_temp_new_i32(), hi = tcg_temp_new_i32();
        tcg_gen_extr_i64_i32(lo, hi, v);
        if (rt2 >= 0) {
            tcg_gen_mov_i32(cpu_R[rt], lo);
            tcg_gen_mov_i32(cpu_R[rt2], hi);
        } else if (rt == 15) {
            /* MRC to APSR_nzcv */
            arm_gen_set_nzcv(lo);
        } else {
            tcg_gen_mov_i32(cpu_R[rt], lo);
        }
    } else {
        TCGv_i64 v = tcg_temp_new_i64();
        if (rt2 >= 0) {
            tcg_gen_concat_i32_i64(v, cpu_R[rt], cpu_R[rt2]);
        } else {
            tcg_gen_extu_i32_i64(v, cpu_R[rt]);
        }
        TCGv_i32 end = tcg_temp_new_i32();
        tcg_gen_calln((void *)helper_cp_write, 0, t32(end), 3, arm_env_arg(), ci(key),
                      tcgv_i64_temp(v));
        /* Writes that change translation (SCTLR, CPACR, TTBRs, TTBCR, DACR, TLB maintenance,
         * CONTEXTIDR) end the block; cache maintenance, barriers, thread ids, timers do
         * not, so that cache-cleaning loops stay in generated code. */
        uint32_t crn = (key >> 8) & 15, crm = (key >> 4) & 15;
        bool is64 = key >> 24;
        if ((key >> 16 & 0xff) == 15 &&
            (is64 ? crm == 2
                  : crn == 1 || crn == 2 || crn == 3 || crn == 8 || (crn == 13 && crm == 0))) {
            gen_end_tb_after(s);
        }
    }
    return true;
}

static bool trans_MCR(DisasContext *s, arg_mcr *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    if (a->cp != 15 && a->cp != 14) {
        return false;
    }
    uint32_t key = (uint32_t)(a->cp << 16 | a->opc1 << 12 | a->crn << 8 | a->crm << 4 | a->opc2);
    return gen_cp_access(s, key, false, a->rt, -1);
}

static bool trans_MRC(DisasContext *s, arg_mcr *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    if (a->cp != 15 && a->cp != 14) {
        return false;
    }
    uint32_t key = (uint32_t)(a->cp << 16 | a->opc1 << 12 | a->crn << 8 | a->crm << 4 | a->opc2);
    return gen_cp_access(s, key, true, a->rt, -1);
}

static bool trans_MCRR(DisasContext *s, arg_mcrr *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    if (a->cp != 15 || a->rt == 15 || a->rt2 == 15) {
        return false;
    }
    uint32_t key = (uint32_t)(1 << 24 | a->cp << 16 | a->opc1 << 12 | a->crm << 4);
    return gen_cp_access(s, key, false, a->rt, a->rt2);
}

static bool trans_MRRC(DisasContext *s, arg_mcrr *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    if (a->cp != 15 || a->rt == 15 || a->rt2 == 15 || a->rt == a->rt2) {
        return false;
    }
    uint32_t key = (uint32_t)(1 << 24 | a->cp << 16 | a->opc1 << 12 | a->crm << 4);
    return gen_cp_access(s, key, true, a->rt, a->rt2);
}

static bool trans_LDC_STC(DisasContext *s, arg_LDC_STC *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    return false;
}

static bool trans_CDP(DisasContext *s, arg_CDP *a)
{
    if (a->cp == 10 || a->cp == 11) {
        return arm_translate_vfp(s, s->insn);
    }
    return false;
}

/* ---- Translator hooks ----------------------------------------------------------------- */

static bool is_neon_a32(uint32_t insn)
{
    return (insn & 0xfe000000u) == 0xf2000000u || (insn & 0xff100000u) == 0xf4000000u;
}

static void translate_a32(DisasContext *s)
{
    uint32_t insn = translator_ldl(&s->base, s->pc_curr);
    s->insn = insn;
    s->base.pc_next = s->pc_curr + 4;
    uint32_t cond = insn >> 28;
    if (cond == 0xf) {
        if (is_neon_a32(insn)) {
            if (!arm_translate_neon(s, insn)) {
                arm_gen_undef(s);
            }
            return;
        }
        if (!decode_a32u(s, insn)) {
            arm_gen_undef(s);
        }
        return;
    }
    /* Data processing without S, rd not pc, immediate or immediate-shifted operand (not
     * MOVW/MOVT/MSR/hints: bits 24:23 == 10 without S): its one effect is rd. */
    if ((insn & 0x0c100000u) == 0 && ((insn >> 23) & 3) != 2 && ((insn >> 12) & 15) != 15 &&
        ((insn & (1u << 25)) || !(insn & 0x10))) {
        s->cond_sel = 0;
    }
    arm_skip_unless(s, (int)cond);
    if (!decode_a32(s, insn)) {
        arm_gen_undef(s);
    }
}

static void arm_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    uint32_t f = db->tb->flags;
    s->thumb = f & ARM_TBFLAG_THUMB;
    s->user = f & ARM_TBFLAG_USER;
    s->mem_idx = s->user ? ARM_MMU_PL0 : ARM_MMU_PL1;
    s->vfp_enabled = f & ARM_TBFLAG_VFPEN;
    s->align = f & ARM_TBFLAG_ALIGN;
    s->vec_len = (int)((f >> ARM_TBFLAG_VECLEN_SHIFT) & 7);
    s->vec_stride = (int)((f >> ARM_TBFLAG_VECSTRIDE_SHIFT) & 3);
    uint32_t ce = (f & ARM_TBFLAG_CONDEXEC_MASK) >> ARM_TBFLAG_CONDEXEC_SHIFT;
    s->condexec_cond = ce >> 4;
    s->condexec_mask = ce & 0xf;
}

static void arm_insn_start(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    tcg_gen_insn_start(db->pc_next, itstate(s), 0);
}

static void arm_translate_thumb(DisasContext *s);

static void arm_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    s->pc_curr = (uint32_t)db->pc_next;
    s->condjmp = false;
    s->cond_sel = -1;
    if (s->thumb) {
        arm_translate_thumb(s);
    } else {
        translate_a32(s);
    }
    if (s->condjmp && s->base.is_jmp == DISAS_NORETURN) {
        /* The skipped path continues with the next instruction. */
        tcg_gen_set_label(s->condlabel);
        gen_set_condexec(s);
        translator_goto_tb(&s->base, 1, s->base.pc_next);
    } else if (s->condjmp) {
        tcg_gen_set_label(s->condlabel);
    }
    if (s->base.is_jmp == DISAS_NEXT && s->exit_tb) {
        s->base.is_jmp = DISAS_TARGET_0;
    }
}

static void arm_gen_set_pc(DisasContextBase *db, uint64_t pc)
{
    tcg_gen_movi_i32(cpu_R[15], (int32_t)pc);
}

static void arm_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *s = (DisasContext *)db;
    switch (db->is_jmp) {
    case DISAS_TOO_MANY:
        gen_set_condexec(s);
        translator_goto_tb(db, 0, db->pc_next);
        break;
    case DISAS_TARGET_0:
        gen_set_condexec(s);
        tcg_gen_movi_i32(cpu_R[15], (int32_t)db->pc_next);
        tcg_gen_exit_tb(0);
        break;
    default: break;
    }
}

static const TranslatorOps arm_translator_ops = {
    .init_disas_context = arm_init_disas_context,
    .insn_start = arm_insn_start,
    .translate_insn = arm_translate_insn,
    .tb_stop = arm_tb_stop,
    .gen_set_pc = arm_gen_set_pc,
};

void arm_gen_code(CPUState *cpu, TranslationBlock *tb, int max_insns)
{
    DisasContext ctx;
    memset(&ctx, 0, sizeof(ctx));
    translator_loop(&arm_translator_ops, &ctx.base, cpu, tb, max_insns);
}

#include "cpu/arm/translate-thumb.c.inc"
