/*
 * cpu/mips/translate.c: the MIPS32 front-end: one trans_NAME() per pattern of
 * mips32.decode, emitting IR through tcg/tcg-op.h. Delay slots are translated into the
 * block of their branch; GPRs, HI, LO and pc are IR globals.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/mips/mips-internal.h"

static TCGv_i32 cpu_gpr[32];
static TCGv_i32 cpu_pc, cpu_hi, cpu_lo;

typedef struct DisasContext {
    DisasContextBase base;
    uint32_t hflags;
    MemOp be;
    int mem_idx;
    bool r2, fpu;
    bool in_ds;   /* translating a delay slot */
    bool exit_tb; /* the mode may have changed: end without chaining */
    uint32_t pc;  /* of the instruction being translated */
} DisasContext;

/* The decoder: argument structs, trans_*() prototypes and decode_mips32(). */
#include "cpu/mips/mips32.c.inc"

void mips_translate_init(void)
{
    static const char *const names[32] = {"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3",
                                          "t0",   "t1", "t2", "t3", "t4", "t5", "t6", "t7",
                                          "s0",   "s1", "s2", "s3", "s4", "s5", "s6", "s7",
                                          "t8",   "t9", "k0", "k1", "gp", "sp", "s8", "ra"};
    for (int i = 1; i < 32; i++) {
        cpu_gpr[i] = tcg_global_mem_new_i32(offsetof(MipsEnv, gpr[i]), names[i]);
    }
    cpu_pc = tcg_global_mem_new_i32(offsetof(MipsEnv, pc), "pc");
    cpu_hi = tcg_global_mem_new_i32(offsetof(MipsEnv, hi), "hi");
    cpu_lo = tcg_global_mem_new_i32(offsetof(MipsEnv, lo), "lo");
}

/* ---- Small emitters ------------------------------------------------------------------- */

static TCGv_i32 rd_gpr(int r)
{
    return r ? cpu_gpr[r] : tcg_constant_i32(0);
}

/* Destination register: writes to $zero go to a scratch temp. */
static TCGv_i32 wr_gpr(int r)
{
    return r ? cpu_gpr[r] : tcg_temp_new_i32();
}

static TCGTemp *envt(void)
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

/* Raises code (ExcCode | CE << 8) at the current instruction. Its pc is known here, so the
 * exception needs no search for the faulting host address (SYSCALL is hot). */
static void gen_raise_code(DisasContext *ctx, uint32_t code)
{
    tcg_gen_movi_i32(cpu_pc, (int32_t)(ctx->in_ds ? ctx->pc - 4 : ctx->pc));
    tcg_gen_st_i32(tcg_constant_i32(ctx->in_ds), tcg_env, offsetof(MipsEnv, bd));
    tcg_gen_calln((void *)helper_raise_here, 0, NULL, 2, envt(), ci(code));
}

static void gen_raise(DisasContext *ctx, int excp)
{
    gen_raise_code(ctx, (uint32_t)excp);
    if (!ctx->in_ds) {
        ctx->base.is_jmp = DISAS_NORETURN;
    }
}

/* Raise excp unless cond(a, b) is false; a and b survive the branch if local. */
static TCGCond invert_cond(TCGCond c)
{
    static const TCGCond inv[TCG_COND_COUNT] = {
        [TCG_COND_EQ] = TCG_COND_NE,        [TCG_COND_NE] = TCG_COND_EQ,
        [TCG_COND_LT] = TCG_COND_GE,        [TCG_COND_GE] = TCG_COND_LT,
        [TCG_COND_LE] = TCG_COND_GT,        [TCG_COND_GT] = TCG_COND_LE,
        [TCG_COND_LTU] = TCG_COND_GEU,      [TCG_COND_GEU] = TCG_COND_LTU,
        [TCG_COND_LEU] = TCG_COND_GTU,      [TCG_COND_GTU] = TCG_COND_LEU,
        [TCG_COND_ALWAYS] = TCG_COND_NEVER, [TCG_COND_NEVER] = TCG_COND_ALWAYS,
    };
    return inv[c];
}

static void gen_raise_if(DisasContext *ctx, TCGCond cond, TCGv_i32 a, TCGv_i32 b, int excp)
{
    TCGLabel *skip = tcg_label_new();
    tcg_gen_brcond_i32(invert_cond(cond), a, b, skip);
    gen_raise_code(ctx, (uint32_t)excp);
    tcg_gen_set_label(skip);
}

static bool check_cp0(DisasContext *ctx)
{
    if (!(ctx->hflags & MIPS_HF_CP0)) {
        gen_raise_code(ctx, MIPS_EXC_CPU | (0u << 8));
        if (!ctx->in_ds) {
            ctx->base.is_jmp = DISAS_NORETURN;
        }
        return false;
    }
    return true;
}

static bool check_cp1(DisasContext *ctx)
{
    if (!(ctx->hflags & MIPS_HF_CP1)) {
        gen_raise_code(ctx, MIPS_EXC_CPU | (1u << 8));
        if (!ctx->in_ds) {
            ctx->base.is_jmp = DISAS_NORETURN;
        }
        return false;
    }
    return true;
}

static TCGv_i32 gen_ea(int base, int off)
{
    TCGv_i32 a = tcg_temp_new_i32();
    tcg_gen_addi_i32(a, rd_gpr(base), off);
    return a;
}

/* ---- ALU ----------------------------------------------------------------------------- */

static bool gen_rrr(arg_rrr *a, void (*fn)(TCGv_i32, TCGv_i32, TCGv_i32))
{
    fn(wr_gpr(a->rd), rd_gpr(a->rs), rd_gpr(a->rt));
    return true;
}

static bool trans_ADDU(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_add_i32);
}

static bool trans_SUBU(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_sub_i32);
}

static bool trans_AND(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_and_i32);
}

static bool trans_OR(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_or_i32);
}

static bool trans_XOR(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_xor_i32);
}

static bool trans_NOR(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_nor_i32);
}

static bool trans_MUL(DisasContext *ctx, arg_rrr *a)
{
    return gen_rrr(a, tcg_gen_mul_i32);
}

static bool gen_add_sub_ov(DisasContext *ctx, int rd, TCGv_i32 x, TCGv_i32 y, bool sub)
{
    TCGv_i32 r = tcg_temp_local_new_i32();
    TCGv_i32 t = tcg_temp_local_new_i32();
    TCGv_i32 u = tcg_temp_new_i32();
    if (sub) {
        tcg_gen_sub_i32(r, x, y);
        tcg_gen_xor_i32(t, x, y); /* overflow iff signs of x, y differ and r's differs from x */
        tcg_gen_xor_i32(u, x, r);
        tcg_gen_and_i32(t, t, u);
    } else {
        tcg_gen_add_i32(r, x, y);
        tcg_gen_xor_i32(t, x, r);
        tcg_gen_xor_i32(u, y, r);
        tcg_gen_and_i32(t, t, u);
    }
    gen_raise_if(ctx, TCG_COND_LT, t, tcg_constant_i32(0), MIPS_EXC_OV);
    if (rd) {
        tcg_gen_mov_i32(cpu_gpr[rd], r);
    }
    return true;
}

static bool trans_ADD(DisasContext *ctx, arg_rrr *a)
{
    return gen_add_sub_ov(ctx, a->rd, rd_gpr(a->rs), rd_gpr(a->rt), false);
}

static bool trans_SUB(DisasContext *ctx, arg_rrr *a)
{
    return gen_add_sub_ov(ctx, a->rd, rd_gpr(a->rs), rd_gpr(a->rt), true);
}

static bool trans_ADDI(DisasContext *ctx, arg_rri *a)
{
    return gen_add_sub_ov(ctx, a->rt, rd_gpr(a->rs), tcg_constant_i32(a->imm), false);
}

static bool trans_ADDIU(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_addi_i32(wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_SLT(DisasContext *ctx, arg_rrr *a)
{
    tcg_gen_setcond_i32(TCG_COND_LT, wr_gpr(a->rd), rd_gpr(a->rs), rd_gpr(a->rt));
    return true;
}

static bool trans_SLTU(DisasContext *ctx, arg_rrr *a)
{
    tcg_gen_setcond_i32(TCG_COND_LTU, wr_gpr(a->rd), rd_gpr(a->rs), rd_gpr(a->rt));
    return true;
}

static bool trans_SLTI(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_setcondi_i32(TCG_COND_LT, wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_SLTIU(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_setcondi_i32(TCG_COND_LTU, wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_ANDI(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_andi_i32(wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_ORI(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_ori_i32(wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_XORI(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_xori_i32(wr_gpr(a->rt), rd_gpr(a->rs), a->imm);
    return true;
}

static bool trans_LUI(DisasContext *ctx, arg_rri *a)
{
    tcg_gen_movi_i32(wr_gpr(a->rt), (int32_t)((uint32_t)a->imm << 16));
    return true;
}

static bool trans_NOP(DisasContext *ctx, arg_NOP *a)
{
    return true;
}

static bool trans_SSNOP(DisasContext *ctx, arg_SSNOP *a)
{
    return true;
}

static bool trans_EHB(DisasContext *ctx, arg_EHB *a)
{
    return true;
}

static bool trans_PAUSE(DisasContext *ctx, arg_PAUSE *a)
{
    return ctx->r2;
}

static bool trans_SLL(DisasContext *ctx, arg_shift *a)
{
    tcg_gen_shli_i32(wr_gpr(a->rd), rd_gpr(a->rt), (unsigned)a->sa);
    return true;
}

static bool trans_SRL(DisasContext *ctx, arg_shift *a)
{
    tcg_gen_shri_i32(wr_gpr(a->rd), rd_gpr(a->rt), (unsigned)a->sa);
    return true;
}

static bool trans_SRA(DisasContext *ctx, arg_shift *a)
{
    tcg_gen_sari_i32(wr_gpr(a->rd), rd_gpr(a->rt), (unsigned)a->sa);
    return true;
}

static bool trans_ROTR(DisasContext *ctx, arg_shift *a)
{
    if (!ctx->r2) {
        return false;
    }
    tcg_gen_rotri_i32(wr_gpr(a->rd), rd_gpr(a->rt), (unsigned)a->sa);
    return true;
}

/* Variable shifts: rd = rt shifted by rs[4:0] (the IR takes counts modulo 32 too). */
static bool gen_shiftv(arg_rrr *a, void (*fn)(TCGv_i32, TCGv_i32, TCGv_i32))
{
    TCGv_i32 s = tcg_temp_new_i32();
    tcg_gen_andi_i32(s, rd_gpr(a->rs), 31);
    fn(wr_gpr(a->rd), rd_gpr(a->rt), s);
    return true;
}

static bool trans_SLLV(DisasContext *ctx, arg_rrr *a)
{
    return gen_shiftv(a, tcg_gen_shl_i32);
}

static bool trans_SRLV(DisasContext *ctx, arg_rrr *a)
{
    return gen_shiftv(a, tcg_gen_shr_i32);
}

static bool trans_SRAV(DisasContext *ctx, arg_rrr *a)
{
    return gen_shiftv(a, tcg_gen_sar_i32);
}

static bool trans_ROTRV(DisasContext *ctx, arg_rrr *a)
{
    return ctx->r2 && gen_shiftv(a, tcg_gen_rotr_i32);
}

static bool gen_movcond(arg_rrr *a, TCGCond c)
{
    if (a->rd) {
        tcg_gen_movcond_i32(c, cpu_gpr[a->rd], rd_gpr(a->rt), tcg_constant_i32(0), rd_gpr(a->rs),
                            cpu_gpr[a->rd]);
    }
    return true;
}

static bool trans_MOVZ(DisasContext *ctx, arg_rrr *a)
{
    return gen_movcond(a, TCG_COND_EQ);
}

static bool trans_MOVN(DisasContext *ctx, arg_rrr *a)
{
    return gen_movcond(a, TCG_COND_NE);
}

static bool trans_CLZ(DisasContext *ctx, arg_rrr *a)
{
    tcg_gen_clzi_i32(wr_gpr(a->rd), rd_gpr(a->rs), 32);
    return true;
}

static bool trans_CLO(DisasContext *ctx, arg_rrr *a)
{
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_not_i32(t, rd_gpr(a->rs));
    tcg_gen_clzi_i32(wr_gpr(a->rd), t, 32);
    return true;
}

static bool trans_SEB(DisasContext *ctx, arg_bshfl *a)
{
    if (!ctx->r2) {
        return false;
    }
    tcg_gen_ext8s_i32(wr_gpr(a->rd), rd_gpr(a->rt));
    return true;
}

static bool trans_SEH(DisasContext *ctx, arg_bshfl *a)
{
    if (!ctx->r2) {
        return false;
    }
    tcg_gen_ext16s_i32(wr_gpr(a->rd), rd_gpr(a->rt));
    return true;
}

static bool trans_WSBH(DisasContext *ctx, arg_bshfl *a)
{
    if (!ctx->r2) {
        return false;
    }
    TCGv_i32 t = tcg_temp_new_i32(), u = tcg_temp_new_i32();
    tcg_gen_shri_i32(t, rd_gpr(a->rt), 8);
    tcg_gen_andi_i32(t, t, 0x00ff00ff);
    tcg_gen_shli_i32(u, rd_gpr(a->rt), 8);
    tcg_gen_andi_i32(u, u, (int32_t)0xff00ff00u);
    tcg_gen_or_i32(wr_gpr(a->rd), t, u);
    return true;
}

static bool trans_EXT(DisasContext *ctx, arg_EXT *a)
{
    if (!ctx->r2) {
        return false;
    }
    unsigned size = (unsigned)a->msbd + 1;
    if ((unsigned)a->lsb + size > 32) {
        return false; /* UNPREDICTABLE: treat as reserved */
    }
    tcg_gen_extract_i32(wr_gpr(a->rt), rd_gpr(a->rs), (unsigned)a->lsb, size);
    return true;
}

static bool trans_INS(DisasContext *ctx, arg_INS *a)
{
    if (!ctx->r2) {
        return false;
    }
    if (a->msb < a->lsb) {
        return false;
    }
    if (a->rt) {
        tcg_gen_deposit_i32(cpu_gpr[a->rt], cpu_gpr[a->rt], rd_gpr(a->rs), (unsigned)a->lsb,
                            (unsigned)(a->msb - a->lsb + 1));
    }
    return true;
}

/* ---- HI / LO ---------------------------------------------------------------------------- */

static bool trans_MFHI(DisasContext *ctx, arg_MFHI *a)
{
    tcg_gen_mov_i32(wr_gpr(a->rd), cpu_hi);
    return true;
}

static bool trans_MFLO(DisasContext *ctx, arg_MFLO *a)
{
    tcg_gen_mov_i32(wr_gpr(a->rd), cpu_lo);
    return true;
}

static bool trans_MTHI(DisasContext *ctx, arg_MTHI *a)
{
    tcg_gen_mov_i32(cpu_hi, rd_gpr(a->rs));
    return true;
}

static bool trans_MTLO(DisasContext *ctx, arg_MTLO *a)
{
    tcg_gen_mov_i32(cpu_lo, rd_gpr(a->rs));
    return true;
}

static bool trans_MULT(DisasContext *ctx, arg_rr *a)
{
    tcg_gen_muls2_i32(cpu_lo, cpu_hi, rd_gpr(a->rs), rd_gpr(a->rt));
    return true;
}

static bool trans_MULTU(DisasContext *ctx, arg_rr *a)
{
    tcg_gen_mulu2_i32(cpu_lo, cpu_hi, rd_gpr(a->rs), rd_gpr(a->rt));
    return true;
}

static bool gen_madd(arg_rr *a, bool is_signed, bool sub)
{
    TCGv_i32 pl = tcg_temp_new_i32(), ph = tcg_temp_new_i32();
    if (is_signed) {
        tcg_gen_muls2_i32(pl, ph, rd_gpr(a->rs), rd_gpr(a->rt));
    } else {
        tcg_gen_mulu2_i32(pl, ph, rd_gpr(a->rs), rd_gpr(a->rt));
    }
    if (sub) {
        tcg_gen_sub2_i32(cpu_lo, cpu_hi, cpu_lo, cpu_hi, pl, ph);
    } else {
        tcg_gen_add2_i32(cpu_lo, cpu_hi, cpu_lo, cpu_hi, pl, ph);
    }
    return true;
}

static bool trans_MADD(DisasContext *ctx, arg_rr *a)
{
    return gen_madd(a, true, false);
}

static bool trans_MADDU(DisasContext *ctx, arg_rr *a)
{
    return gen_madd(a, false, false);
}

static bool trans_MSUB(DisasContext *ctx, arg_rr *a)
{
    return gen_madd(a, true, true);
}

static bool trans_MSUBU(DisasContext *ctx, arg_rr *a)
{
    return gen_madd(a, false, true);
}

static bool gen_div(arg_rr *a, bool is_signed)
{
    TCGv_i32 q = tcg_temp_new_i32(), r = tcg_temp_new_i32();
    if (is_signed) {
        tcg_gen_div_i32(q, rd_gpr(a->rs), rd_gpr(a->rt));
        tcg_gen_rem_i32(r, rd_gpr(a->rs), rd_gpr(a->rt));
    } else {
        tcg_gen_divu_i32(q, rd_gpr(a->rs), rd_gpr(a->rt));
        tcg_gen_remu_i32(r, rd_gpr(a->rs), rd_gpr(a->rt));
    }
    tcg_gen_mov_i32(cpu_lo, q);
    tcg_gen_mov_i32(cpu_hi, r);
    return true;
}

static bool trans_DIV(DisasContext *ctx, arg_rr *a)
{
    return gen_div(a, true);
}

static bool trans_DIVU(DisasContext *ctx, arg_rr *a)
{
    return gen_div(a, false);
}

/* ---- Traps, system ------------------------------------------------------------------------ */

static bool gen_trap(DisasContext *ctx, TCGCond c, TCGv_i32 x, TCGv_i32 y)
{
    gen_raise_if(ctx, c, x, y, MIPS_EXC_TR);
    return true;
}

static bool trans_TGE(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_GE, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TGEU(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_GEU, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TLT(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_LT, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TLTU(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_LTU, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TEQ(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_EQ, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TNE(DisasContext *ctx, arg_trap *a)
{
    return gen_trap(ctx, TCG_COND_NE, rd_gpr(a->rs), rd_gpr(a->rt));
}

static bool trans_TGEI(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_GE, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_TGEIU(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_GEU, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_TLTI(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_LT, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_TLTIU(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_LTU, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_TEQI(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_EQ, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_TNEI(DisasContext *ctx, arg_trapi *a)
{
    return gen_trap(ctx, TCG_COND_NE, rd_gpr(a->rs), tcg_constant_i32(a->imm));
}

static bool trans_SYSCALL(DisasContext *ctx, arg_code *a)
{
    gen_raise(ctx, MIPS_EXC_SYS);
    return true;
}

static bool trans_BREAK(DisasContext *ctx, arg_code *a)
{
    gen_raise(ctx, MIPS_EXC_BP);
    return true;
}

static bool trans_SDBBP(DisasContext *ctx, arg_code *a)
{
    return false; /* no EJTAG debug mode */
}

static bool trans_SYNC(DisasContext *ctx, arg_SYNC *a)
{
    tcg_gen_mb(TCG_MB_ALL);
    return true;
}

static bool trans_SYNCI(DisasContext *ctx, arg_SYNCI *a)
{
    return ctx->r2; /* caches are coherent with translation: SMC is tracked by page */
}

static bool trans_PREF(DisasContext *ctx, arg_PREF *a)
{
    return true;
}

static bool trans_PREFX(DisasContext *ctx, arg_PREFX *a)
{
    return ctx->fpu ? check_cp1(ctx) : false;
}

static bool trans_CACHE(DisasContext *ctx, arg_CACHE *a)
{
    check_cp0(ctx);
    return true;
}

static bool trans_RDHWR(DisasContext *ctx, arg_RDHWR *a)
{
    if (!ctx->r2) {
        return false;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_rdhwr, 0, t32(v), 2, envt(), ci((uint32_t)a->rd));
    tcg_gen_mov_i32(wr_gpr(a->rt), v);
    return true;
}

/* ---- COP0 ----------------------------------------------------------------------------- */

static bool trans_MFC0(DisasContext *ctx, arg_cop *a)
{
    if (!check_cp0(ctx)) {
        return true;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_mfc0, 0, t32(v), 2, envt(), ci((uint32_t)(a->rd * 8 + a->sel)));
    tcg_gen_mov_i32(wr_gpr(a->rt), v);
    return true;
}

static bool trans_MTC0(DisasContext *ctx, arg_cop *a)
{
    if (!check_cp0(ctx)) {
        return true;
    }
    TCGv_i32 changed = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_mtc0, 0, t32(changed), 3, envt(),
                  ci((uint32_t)(a->rd * 8 + a->sel)), t32(rd_gpr(a->rt)));
    if (a->rd == 12 && a->sel == 0) {
        /* Status: if the mode (hflags) changed, the rest of this block was translated for
         * the old one, and an unmasked interrupt must be taken now: leave. A plain IE
         * toggle (irq save/restore) keeps going. */
        if (ctx->in_ds) {
            ctx->exit_tb = true;
        } else {
            TCGLabel *same = tcg_label_new();
            tcg_gen_brcondi_i32(TCG_COND_EQ, changed, 0, same);
            tcg_gen_movi_i32(cpu_pc, (int32_t)(ctx->pc + 4));
            tcg_gen_exit_tb(0);
            tcg_gen_set_label(same);
        }
    }
    return true;
}

static bool trans_RDPGPR(DisasContext *ctx, arg_RDPGPR *a)
{
    if (!ctx->r2 || !check_cp0(ctx)) {
        return ctx->r2;
    }
    tcg_gen_mov_i32(wr_gpr(a->rd), rd_gpr(a->rt)); /* one shadow set: the current one */
    return true;
}

static bool trans_WRPGPR(DisasContext *ctx, arg_WRPGPR *a)
{
    return trans_RDPGPR(ctx, (arg_RDPGPR *)a);
}

static bool gen_di_ei(DisasContext *ctx, int rt, bool enable)
{
    if (!ctx->r2) {
        return false;
    }
    if (!check_cp0(ctx)) {
        return true;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_di_ei, 0, t32(v), 2, envt(), ci(enable));
    tcg_gen_mov_i32(wr_gpr(rt), v);
    /* IE is not part of hflags: only an interrupt that EI unmasks ends the block. */
    if (enable) {
        if (ctx->in_ds) {
            ctx->exit_tb = true;
        } else {
            TCGv_i32 p = tcg_temp_new_i32();
            tcg_gen_calln((void *)helper_irq_deliverable, 0, t32(p), 1, envt());
            TCGLabel *none = tcg_label_new();
            tcg_gen_brcondi_i32(TCG_COND_EQ, p, 0, none);
            tcg_gen_movi_i32(cpu_pc, (int32_t)(ctx->pc + 4));
            tcg_gen_exit_tb(0);
            tcg_gen_set_label(none);
        }
    }
    return true;
}

static bool trans_DI(DisasContext *ctx, arg_DI *a)
{
    return gen_di_ei(ctx, a->rt, false);
}

static bool trans_EI(DisasContext *ctx, arg_EI *a)
{
    return gen_di_ei(ctx, a->rt, true);
}

static bool gen_cp0_call(DisasContext *ctx, void *fn)
{
    if (check_cp0(ctx)) {
        tcg_gen_calln(fn, 0, NULL, 1, envt());
    }
    return true;
}

static bool trans_TLBR(DisasContext *ctx, arg_TLBR *a)
{
    ctx->exit_tb = true;
    return gen_cp0_call(ctx, (void *)helper_tlbr);
}

static bool trans_TLBWI(DisasContext *ctx, arg_TLBWI *a)
{
    return gen_cp0_call(ctx, (void *)helper_tlbwi);
}

static bool trans_TLBWR(DisasContext *ctx, arg_TLBWR *a)
{
    return gen_cp0_call(ctx, (void *)helper_tlbwr);
}

static bool trans_TLBP(DisasContext *ctx, arg_TLBP *a)
{
    return gen_cp0_call(ctx, (void *)helper_tlbp);
}

static bool trans_ERET(DisasContext *ctx, arg_ERET *a)
{
    if (ctx->in_ds) {
        return false;
    }
    if (!check_cp0(ctx)) {
        return true;
    }
    tcg_gen_calln((void *)helper_eret, 0, NULL, 1, envt());
    /* Back to the mode of this block (an exception taken in kernel mode): the inline jump
     * cache, which matches on this block's flags, is then exact. Else through the loop. */
    TCGv_i32 hf = tcg_temp_new_i32();
    tcg_gen_ld_i32(hf, tcg_env, offsetof(MipsEnv, hflags));
    TCGLabel *other = tcg_label_new();
    tcg_gen_brcondi_i32(TCG_COND_NE, hf, (int32_t)ctx->hflags, other);
    TCGv_i32 dest = tcg_temp_new_i32();
    tcg_gen_mov_i32(dest, cpu_pc);
    translator_lookup_and_goto_ptr(&ctx->base, tcg_addr_i32(dest));
    tcg_gen_set_label(other);
    tcg_gen_exit_tb(0);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

static bool trans_DERET(DisasContext *ctx, arg_DERET *a)
{
    return false;
}

static bool trans_WAIT(DisasContext *ctx, arg_WAIT *a)
{
    if (!check_cp0(ctx)) {
        return true;
    }
    if (ctx->in_ds) {
        return true;
    }
    tcg_gen_movi_i32(cpu_pc, (int32_t)(ctx->pc + 4));
    tcg_gen_calln((void *)helper_wait, 0, NULL, 1, envt());
    translator_exit(&ctx->base);
    return true;
}

static bool trans_COP2(DisasContext *ctx, arg_COP2 *a)
{
    gen_raise_code(ctx, MIPS_EXC_CPU | (2u << 8));
    if (!ctx->in_ds) {
        ctx->base.is_jmp = DISAS_NORETURN;
    }
    return true;
}

static bool trans_LWC2(DisasContext *ctx, arg_mem *a)
{
    return trans_COP2(ctx, NULL);
}

static bool trans_LDC2(DisasContext *ctx, arg_mem *a)
{
    return trans_COP2(ctx, NULL);
}

static bool trans_SWC2(DisasContext *ctx, arg_mem *a)
{
    return trans_COP2(ctx, NULL);
}

static bool trans_SDC2(DisasContext *ctx, arg_mem *a)
{
    return trans_COP2(ctx, NULL);
}

/* ---- Loads and stores ------------------------------------------------------------------ */

static bool gen_load(DisasContext *ctx, arg_mem *a, MemOp mop)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    if ((mop & MO_SIZE) != MO_8) {
        mop |= ctx->be | MO_ALIGN;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_qemu_ld_i32(v, tcg_addr_i32(addr), (unsigned)ctx->mem_idx, mop);
    tcg_gen_mov_i32(wr_gpr(a->rt), v);
    return true;
}

static bool gen_store(DisasContext *ctx, arg_mem *a, MemOp mop)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    if ((mop & MO_SIZE) != MO_8) {
        mop |= ctx->be | MO_ALIGN;
    }
    tcg_gen_qemu_st_i32(rd_gpr(a->rt), tcg_addr_i32(addr), (unsigned)ctx->mem_idx, mop);
    return true;
}

static bool trans_LB(DisasContext *ctx, arg_mem *a)
{
    return gen_load(ctx, a, MO_SB);
}

static bool trans_LBU(DisasContext *ctx, arg_mem *a)
{
    return gen_load(ctx, a, MO_UB);
}

static bool trans_LH(DisasContext *ctx, arg_mem *a)
{
    return gen_load(ctx, a, MO_SW);
}

static bool trans_LHU(DisasContext *ctx, arg_mem *a)
{
    return gen_load(ctx, a, MO_UW);
}

static bool trans_LW(DisasContext *ctx, arg_mem *a)
{
    return gen_load(ctx, a, MO_UL);
}

static bool trans_SB(DisasContext *ctx, arg_mem *a)
{
    return gen_store(ctx, a, MO_8);
}

static bool trans_SH(DisasContext *ctx, arg_mem *a)
{
    return gen_store(ctx, a, MO_16);
}

static bool trans_SW(DisasContext *ctx, arg_mem *a)
{
    return gen_store(ctx, a, MO_32);
}

/* LWL/LWR: an aligned word load merged into rt. s is the shift that moves the loaded
 * bytes into place: LWL takes the word's low bytes up, LWR its high bytes down. */
static bool gen_lwlr(DisasContext *ctx, arg_mem *a, bool left)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    TCGv_i32 k = tcg_temp_new_i32();
    tcg_gen_andi_i32(k, addr, 3);
    TCGv_i32 w = tcg_temp_new_i32();
    TCGv_i32 al = tcg_temp_new_i32();
    tcg_gen_andi_i32(al, addr, ~3);
    tcg_gen_qemu_ld_i32(w, tcg_addr_i32(al), (unsigned)ctx->mem_idx, MO_UL | ctx->be);
    bool big = ctx->be == MO_BE;
    TCGv_i32 s = tcg_temp_new_i32();
    /* LWL: s = 8k (BE) or 8(3-k) (LE); LWR: s = 8(3-k) (BE) or 8k (LE). */
    if (left == big) {
        tcg_gen_shli_i32(s, k, 3);
    } else {
        tcg_gen_xori_i32(s, k, 3);
        tcg_gen_shli_i32(s, s, 3);
    }
    TCGv_i32 m = tcg_temp_new_i32();
    TCGv_i32 old = tcg_temp_new_i32();
    tcg_gen_mov_i32(old, rd_gpr(a->rt));
    if (left) {
        tcg_gen_shl_i32(w, w, s);
        tcg_gen_shl_i32(m, tcg_constant_i32(-1), s); /* bytes replaced */
    } else {
        tcg_gen_shr_i32(w, w, s);
        tcg_gen_shr_i32(m, tcg_constant_i32(-1), s);
    }
    tcg_gen_andc_i32(old, old, m);
    tcg_gen_or_i32(wr_gpr(a->rt), old, w);
    return true;
}

static bool trans_LWL(DisasContext *ctx, arg_mem *a)
{
    return gen_lwlr(ctx, a, true);
}

static bool trans_LWR(DisasContext *ctx, arg_mem *a)
{
    return gen_lwlr(ctx, a, false);
}

static bool gen_swlr(DisasContext *ctx, arg_mem *a, void *fn)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    tcg_gen_calln(fn, 0, NULL, 3, envt(), t32(rd_gpr(a->rt)), t32(addr));
    return true;
}

static bool trans_SWL(DisasContext *ctx, arg_mem *a)
{
    return gen_swlr(ctx, a, (void *)helper_swl);
}

static bool trans_SWR(DisasContext *ctx, arg_mem *a)
{
    return gen_swlr(ctx, a, (void *)helper_swr);
}

static bool trans_LL(DisasContext *ctx, arg_mem *a)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_qemu_ld_i32(v, tcg_addr_i32(addr), (unsigned)ctx->mem_idx, MO_UL | ctx->be | MO_ALIGN);
    tcg_gen_st_i32(addr, tcg_env, offsetof(MipsEnv, lladdr));
    tcg_gen_st_i32(v, tcg_env, offsetof(MipsEnv, llval));
    tcg_gen_st_i32(tcg_constant_i32(1), tcg_env, offsetof(MipsEnv, llbit));
    tcg_gen_mov_i32(wr_gpr(a->rt), v);
    return true;
}

static bool trans_SC(DisasContext *ctx, arg_mem *a)
{
    TCGv_i32 addr = gen_ea(a->base, a->off);
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)helper_sc, 0, t32(r), 3, envt(), t32(rd_gpr(a->rt)), t32(addr));
    tcg_gen_mov_i32(wr_gpr(a->rt), r);
    return true;
}

/* ---- Branches ----------------------------------------------------------------------------- */

static void translate_one(DisasContext *ctx);

/* Translates the delay slot of the branch at ctx->pc into the current block. */
static void gen_delay_slot(DisasContext *ctx)
{
    uint32_t branch_pc = ctx->pc;
    ctx->in_ds = true;
    ctx->pc = branch_pc + 4;
    tcg_gen_insn_start(ctx->pc, 1, 0);
    translate_one(ctx);
    ctx->in_ds = false;
    ctx->pc = branch_pc;
    ctx->base.pc_next = branch_pc + 8;
}

static void gen_goto(DisasContext *ctx, int n, uint32_t dest)
{
    if (ctx->exit_tb) {
        tcg_gen_movi_i32(cpu_pc, (int32_t)dest);
        tcg_gen_exit_tb(0);
    } else {
        translator_goto_tb(&ctx->base, n, dest);
    }
}

static bool branch_in_ds(DisasContext *ctx)
{
    /* A branch in a delay slot is UNPREDICTABLE: reserved instruction. */
    return ctx->in_ds;
}

/* Whether the instruction word may write GPR r (conservative: true when unsure). */
static bool insn_may_write_gpr(uint32_t insn, int r)
{
    int op = (int)(insn >> 26), rt = (int)((insn >> 16) & 31), rd = (int)((insn >> 11) & 31);
    if (r == 0) {
        return false; /* not a register (or $zero, which nothing changes) */
    }
    switch (op) {
    case 0x00: /* SPECIAL */
    case 0x1c: /* SPECIAL2 */ return rd == r;
    case 0x1f: /* SPECIAL3: EXT/INS/RDHWR write rt, the BSHFL group rd */ return rt == r || rd == r;
    case 0x08 ... 0x0f: /* immediates */
    case 0x20 ... 0x26: /* loads */
    case 0x30:          /* LL */
    case 0x38:          /* SC */
    case 0x10:          /* COP0: MFC0, DI, EI */
    case 0x11: /* COP1: MFC1, CFC1, MFHC1 */ return rt == r;
    case 0x28 ... 0x2e: /* stores */
    case 0x2f:          /* CACHE */
    case 0x31:
    case 0x33:
    case 0x35:
    case 0x39:
    case 0x3d: /* FPU loads/stores, PREF */
    case 0x13: /* COP1X */ return false;
    default: return true;
    }
}

/* The GPR number a branch operand stands for, or 0 (a constant or a temp of our own). */
static int gpr_of(TCGv_i32 v)
{
    for (int i = 1; i < 32; i++) {
        if (v == cpu_gpr[i]) {
            return i;
        }
    }
    return 0;
}

/* Conditional branch: cond(a, b) decides; likely nullifies the slot when not taken;
 * link writes pc + 8 to $ra whatever the outcome. */
static bool gen_branch(DisasContext *ctx, TCGCond cond, TCGv_i32 x, TCGv_i32 y, int off,
                       bool likely, bool link)
{
    if (branch_in_ds(ctx)) {
        return false;
    }
    uint32_t target = ctx->pc + 4 + (uint32_t)off;
    uint32_t fall = ctx->pc + 8;
    if (cond == TCG_COND_ALWAYS) {
        if (link) {
            tcg_gen_movi_i32(cpu_gpr[31], (int32_t)fall);
        }
        gen_delay_slot(ctx);
        gen_goto(ctx, 0, target);
        ctx->base.is_jmp = DISAS_NORETURN;
        return true;
    }
    TCGLabel *not_taken = tcg_label_new();
    if (likely) {
        tcg_gen_brcond_i32(invert_cond(cond), x, y, not_taken);
        if (link) {
            tcg_gen_movi_i32(cpu_gpr[31], (int32_t)fall);
        }
        gen_delay_slot(ctx);
        gen_goto(ctx, 0, target);
        tcg_gen_set_label(not_taken);
        if (link) {
            tcg_gen_movi_i32(cpu_gpr[31], (int32_t)fall);
        }
        gen_goto(ctx, 1, fall);
    } else if (!insn_may_write_gpr(translator_ldl(&ctx->base, ctx->pc + 4), gpr_of(x)) &&
               !insn_may_write_gpr(translator_ldl(&ctx->base, ctx->pc + 4), gpr_of(y))) {
        /* The slot leaves the operands alone: compare after it, straight on the registers. */
        if (link) {
            tcg_gen_movi_i32(cpu_gpr[31], (int32_t)fall);
        }
        gen_delay_slot(ctx);
        tcg_gen_brcond_i32(invert_cond(cond), x, y, not_taken);
        gen_goto(ctx, 0, target);
        tcg_gen_set_label(not_taken);
        gen_goto(ctx, 1, fall);
    } else {
        TCGv_i32 c = tcg_temp_local_new_i32();
        tcg_gen_setcond_i32(cond, c, x, y);
        if (link) {
            tcg_gen_movi_i32(cpu_gpr[31], (int32_t)fall);
        }
        gen_delay_slot(ctx);
        tcg_gen_brcondi_i32(TCG_COND_EQ, c, 0, not_taken);
        gen_goto(ctx, 0, target);
        tcg_gen_set_label(not_taken);
        gen_goto(ctx, 1, fall);
    }
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

static bool trans_BEQ(DisasContext *ctx, arg_branch *a)
{
    TCGCond c = a->rs == a->rt ? TCG_COND_ALWAYS : TCG_COND_EQ;
    return gen_branch(ctx, c, rd_gpr(a->rs), rd_gpr(a->rt), a->off, false, false);
}

static bool trans_BNE(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_NE, rd_gpr(a->rs), rd_gpr(a->rt), a->off, false, false);
}

static bool trans_BEQL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_EQ, rd_gpr(a->rs), rd_gpr(a->rt), a->off, true, false);
}

static bool trans_BNEL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_NE, rd_gpr(a->rs), rd_gpr(a->rt), a->off, true, false);
}

#define ZERO tcg_constant_i32(0)

static bool trans_BLEZ(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_LE, rd_gpr(a->rs), ZERO, a->off, false, false);
}

static bool trans_BGTZ(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_GT, rd_gpr(a->rs), ZERO, a->off, false, false);
}

static bool trans_BLEZL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_LE, rd_gpr(a->rs), ZERO, a->off, true, false);
}

static bool trans_BGTZL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_GT, rd_gpr(a->rs), ZERO, a->off, true, false);
}

static bool trans_BLTZ(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_LT, rd_gpr(a->rs), ZERO, a->off, false, false);
}

static bool trans_BGEZ(DisasContext *ctx, arg_branch *a)
{
    TCGCond c = a->rs == 0 ? TCG_COND_ALWAYS : TCG_COND_GE;
    return gen_branch(ctx, c, rd_gpr(a->rs), ZERO, a->off, false, false);
}

static bool trans_BLTZL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_LT, rd_gpr(a->rs), ZERO, a->off, true, false);
}

static bool trans_BGEZL(DisasContext *ctx, arg_branch *a)
{
    return gen_branch(ctx, TCG_COND_GE, rd_gpr(a->rs), ZERO, a->off, true, false);
}

static bool trans_BLTZAL(DisasContext *ctx, arg_branch *a)
{
    TCGv_i32 x = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(x, rd_gpr(a->rs)); /* read before $ra is written (rs may be $ra) */
    return gen_branch(ctx, TCG_COND_LT, x, ZERO, a->off, false, true);
}

static bool trans_BGEZAL(DisasContext *ctx, arg_branch *a)
{
    if (a->rs == 0) {
        return gen_branch(ctx, TCG_COND_ALWAYS, ZERO, ZERO, a->off, false, true);
    }
    TCGv_i32 x = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(x, rd_gpr(a->rs));
    return gen_branch(ctx, TCG_COND_GE, x, ZERO, a->off, false, true);
}

static bool trans_BLTZALL(DisasContext *ctx, arg_branch *a)
{
    TCGv_i32 x = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(x, rd_gpr(a->rs));
    return gen_branch(ctx, TCG_COND_LT, x, ZERO, a->off, true, true);
}

static bool trans_BGEZALL(DisasContext *ctx, arg_branch *a)
{
    TCGv_i32 x = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(x, rd_gpr(a->rs));
    return gen_branch(ctx, TCG_COND_GE, x, ZERO, a->off, true, true);
}

static bool gen_jump(DisasContext *ctx, arg_j *a, bool link)
{
    if (branch_in_ds(ctx)) {
        return false;
    }
    uint32_t target = ((ctx->pc + 4) & 0xf0000000u) | (uint32_t)a->target;
    if (link) {
        tcg_gen_movi_i32(cpu_gpr[31], (int32_t)(ctx->pc + 8));
    }
    gen_delay_slot(ctx);
    gen_goto(ctx, 0, target);
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

static bool trans_J(DisasContext *ctx, arg_j *a)
{
    return gen_jump(ctx, a, false);
}

static bool trans_JAL(DisasContext *ctx, arg_j *a)
{
    return gen_jump(ctx, a, true);
}

static bool gen_jr(DisasContext *ctx, int rs, int rd)
{
    if (branch_in_ds(ctx)) {
        return false;
    }
    TCGv_i32 dest = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(dest, rd_gpr(rs));
    if (rd) {
        tcg_gen_movi_i32(cpu_gpr[rd], (int32_t)(ctx->pc + 8));
    }
    gen_delay_slot(ctx);
    tcg_gen_mov_i32(cpu_pc, dest);
    if (ctx->exit_tb) {
        tcg_gen_exit_tb(0);
    } else {
        translator_lookup_and_goto_ptr(&ctx->base, tcg_addr_i32(dest));
    }
    ctx->base.is_jmp = DISAS_NORETURN;
    return true;
}

static bool trans_JR(DisasContext *ctx, arg_JR *a)
{
    return gen_jr(ctx, a->rs, 0);
}

static bool trans_JALR(DisasContext *ctx, arg_JALR *a)
{
    return gen_jr(ctx, a->rs, a->rd);
}

/* ---- FPU -------------------------------------------------------------------------------- */

#include "cpu/mips/translate-fpu.c.inc"

/* ---- Translator hooks ------------------------------------------------------------ */

static void translate_one(DisasContext *ctx)
{
    uint32_t insn = translator_ldl(&ctx->base, ctx->pc);
    if (!decode_mips32(ctx, insn)) {
        gen_raise(ctx, MIPS_EXC_RI);
    }
}

static void mips_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *ctx = (DisasContext *)db;
    MipsEnv *e = cpu->env;
    ctx->hflags = db->tb->flags;
    ctx->mem_idx = (int)(ctx->hflags & MIPS_HF_KSU_MASK);
    ctx->be = cpu->ops->big_endian ? MO_BE : MO_LE;
    ctx->r2 = e->isa_r2;
    ctx->fpu = e->has_fpu;
    ctx->in_ds = false;
    ctx->exit_tb = false;
}

static void mips_insn_start(DisasContextBase *db, CPUState *cpu)
{
    tcg_gen_insn_start(db->pc_next, 0, 0);
}

static void mips_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    DisasContext *ctx = (DisasContext *)db;
    ctx->pc = (uint32_t)db->pc_next;
    if (ctx->pc & 3) {
        /* Fetch from a misaligned pc (a bad JR target). */
        tcg_gen_st_i32(tcg_constant_i32((int32_t)ctx->pc), tcg_env,
                       offsetof(MipsEnv, cp0_badvaddr));
        gen_raise(ctx, MIPS_EXC_ADEL);
        db->pc_next += 4;
        return;
    }
    db->pc_next = ctx->pc + 4;
    translate_one(ctx);
    if (db->is_jmp == DISAS_NEXT && ctx->exit_tb) {
        db->is_jmp = DISAS_TARGET_0;
    }
}

static void mips_gen_set_pc(DisasContextBase *db, uint64_t pc)
{
    tcg_gen_movi_i32(cpu_pc, (int32_t)pc);
}

static void mips_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    switch (db->is_jmp) {
    case DISAS_TOO_MANY: translator_goto_tb(db, 0, db->pc_next); break;
    case DISAS_TARGET_0:
        tcg_gen_movi_i32(cpu_pc, (int32_t)db->pc_next);
        tcg_gen_exit_tb(0);
        break;
    default: break;
    }
}

static const TranslatorOps mips_translator_ops = {
    .init_disas_context = mips_init_disas_context,
    .insn_start = mips_insn_start,
    .translate_insn = mips_translate_insn,
    .tb_stop = mips_tb_stop,
    .gen_set_pc = mips_gen_set_pc,
};

void mips_gen_code(CPUState *cpu, TranslationBlock *tb, int max_insns)
{
    DisasContext ctx;
    memset(&ctx, 0, sizeof(ctx));
    translator_loop(&mips_translator_ops, &ctx.base, cpu, tb, max_insns);
}
