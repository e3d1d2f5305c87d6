/*
 * cpu/arm/vfp.c: the VFPv4 translator: coprocessor 10/11 encodings (data processing,
 * register transfers, loads/stores) in A32 form, handed over by translate.c. Moves,
 * loads, stores, VABS/VNEG/VMOV are IR; arithmetic calls vfp-helper.c.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/arm/translate.h"
#include "cpu/arm/vfp.h"

static intptr_t sreg_off(int r)
{
    return (intptr_t)(offsetof(ArmEnv, vfp.regs) + 4 * (size_t)r);
}

static intptr_t dreg_off(int r)
{
    return (intptr_t)(offsetof(ArmEnv, vfp.regs) + 8 * (size_t)r);
}

static TCGv_i32 ld_s(int r)
{
    TCGv_i32 v = tcg_temp_new_i32();
    tcg_gen_ld_i32(v, tcg_env, sreg_off(r));
    return v;
}

static void st_s(TCGv_i32 v, int r)
{
    tcg_gen_st_i32(v, tcg_env, sreg_off(r));
}

static TCGv_i64 ld_d(int r)
{
    TCGv_i64 v = tcg_temp_new_i64();
    tcg_gen_ld_i64(v, tcg_env, dreg_off(r));
    return v;
}

static void st_d(TCGv_i64 v, int r)
{
    tcg_gen_st_i64(v, tcg_env, dreg_off(r));
}

static TCGTemp *t32(TCGv_i32 v)
{
    return tcgv_i32_temp(v);
}

static TCGTemp *t64(TCGv_i64 v)
{
    return tcgv_i64_temp(v);
}

static TCGTemp *c32(uint32_t v)
{
    return tcgv_i32_temp(tcg_constant_i32((int32_t)v));
}

/* Register numbers: single Vx:X, double X:Vx. */
static int vreg(uint32_t insn, int vpos, int xpos, bool dbl)
{
    int v = (int)((insn >> vpos) & 0xf), x = (int)((insn >> xpos) & 1);
    return dbl ? (x << 4 | v) : (v << 1 | x);
}

/* MVFR1.FPFused: VFMA and friends exist (VFPv4 and its Advanced SIMD). */
bool arm_vfp_has_fused(DisasContext *s)
{
    const ArmEnv *env = s->base.cpu->env;
    return (env->vfp.mvfr1 >> 28) != 0;
}

/* ---- Data processing ---------------------------------------------------------------- */

static TCGv_i32 arith_s(TCGv_i32 a, TCGv_i32 b, uint32_t op)
{
    static uint32_t (*const fn[])(void *, uint32_t, uint32_t) = {[VFP_ADD] = helper_vfp_add_s,
                                                                 [VFP_SUB] = helper_vfp_sub_s,
                                                                 [VFP_MUL] = helper_vfp_mul_s,
                                                                 [VFP_DIV] = helper_vfp_div_s,
                                                                 [VFP_SQRT] = helper_vfp_sqrt_s};
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln((void *)fn[op], VFP_CALL, t32(r), 3, arm_env_arg(), t32(a), t32(b));
    return r;
}

static TCGv_i64 arith_d(TCGv_i64 a, TCGv_i64 b, uint32_t op)
{
    static uint64_t (*const fn[])(void *, uint64_t, uint64_t) = {[VFP_ADD] = helper_vfp_add_d,
                                                                 [VFP_SUB] = helper_vfp_sub_d,
                                                                 [VFP_MUL] = helper_vfp_mul_d,
                                                                 [VFP_DIV] = helper_vfp_div_d,
                                                                 [VFP_SQRT] = helper_vfp_sqrt_d};
    TCGv_i64 r = tcg_temp_new_i64();
    tcg_gen_calln((void *)fn[op], VFP_CALL, t64(r), 3, arm_env_arg(), t64(a), t64(b));
    return r;
}

static void neg_s(TCGv_i32 v)
{
    tcg_gen_xori_i32(v, v, (int32_t)0x80000000u);
}

static void neg_d(TCGv_i64 v)
{
    tcg_gen_xori_i64(v, v, INT64_MIN);
}

/* Three-operand ops. opc: bits 23,21,20 of the instruction; op: bit 6. */
static bool gen_dp3(int opc, int op, bool dbl, int d, int n, int m)
{
    if (!dbl) {
        TCGv_i32 vn = ld_s(n), vm = ld_s(m), r;
        switch (opc) {
        case 0:
        case 1: { /* VMLA/VMLS, VNMLS/VNMLA: separately rounded product and sum */
            r = tcg_temp_new_i32();
            tcg_gen_calln((void *)helper_vfp_mla_s, VFP_CALL, t32(r), 5, arm_env_arg(),
                          t32(ld_s(d)), t32(vn), t32(vm), c32((uint32_t)(op | opc << 1)));
            break;
        }
        case 2:
            r = arith_s(vn, vm, VFP_MUL);
            if (op) {
                neg_s(r);
            }
            break;
        case 3: r = arith_s(vn, vm, op ? VFP_SUB : VFP_ADD); break;
        case 4:
            if (op) {
                return false;
            }
            r = arith_s(vn, vm, VFP_DIV);
            break;
        case 5:
        case 6: { /* VFNMS/VFNMA, VFMA/VFMS */
            TCGv_i32 vd = ld_s(d);
            if (opc == 5) {
                neg_s(vd);
            }
            if (op) { /* VFMS, VFNMA negate the product */
                neg_s(vn);
            }
            r = tcg_temp_new_i32();
            tcg_gen_calln((void *)helper_vfp_fma_s, VFP_CALL, t32(r), 5, arm_env_arg(), t32(vd),
                          t32(vn), t32(vm), c32(0));
            break;
        }
        default: return false;
        }
        st_s(r, d);
        return true;
    }
    TCGv_i64 vn = ld_d(n), vm = ld_d(m), r;
    switch (opc) {
    case 0:
    case 1: {
        r = tcg_temp_new_i64();
        tcg_gen_calln((void *)helper_vfp_mla_d, VFP_CALL, t64(r), 5, arm_env_arg(), t64(ld_d(d)),
                      t64(vn), t64(vm), c32((uint32_t)(op | opc << 1)));
        break;
    }
    case 2:
        r = arith_d(vn, vm, VFP_MUL);
        if (op) {
            neg_d(r);
        }
        break;
    case 3: r = arith_d(vn, vm, op ? VFP_SUB : VFP_ADD); break;
    case 4:
        if (op) {
            return false;
        }
        r = arith_d(vn, vm, VFP_DIV);
        break;
    case 5:
    case 6: {
        TCGv_i64 vd = ld_d(d);
        if (opc == 5) {
            neg_d(vd);
        }
        if (op) { /* VFMS, VFNMA negate the product */
            neg_d(vn);
        }
        r = tcg_temp_new_i64();
        tcg_gen_calln((void *)helper_vfp_fma_d, VFP_CALL, t64(r), 5, arm_env_arg(), t64(vd),
                      t64(vn), t64(vm), c32(0));
        break;
    }
    default: return false;
    }
    st_d(r, d);
    return true;
}

/* A conversion through helper_vfp_cvt: source/destination widths given. */
static void gen_cvt(uint32_t op, bool src_d, int src, bool dst_d, int dst)
{
    TCGv_i64 v = tcg_temp_new_i64(), r = tcg_temp_new_i64();
    if (src_d) {
        tcg_gen_ld_i64(v, tcg_env, dreg_off(src));
    } else {
        tcg_gen_ld32u_i64(v, tcg_env, sreg_off(src));
    }
    tcg_gen_calln((void *)helper_vfp_cvt, VFP_CALL, t64(r), 3, arm_env_arg(), t64(v), c32(op));
    if (dst_d) {
        st_d(r, dst);
    } else {
        tcg_gen_st32_i64(r, tcg_env, sreg_off(dst));
    }
}

/* opc1 = 1x11: the two-register and immediate forms. */
static bool gen_dp_other(uint32_t insn, bool dbl)
{
    int opc2 = (int)((insn >> 16) & 0xf), opc3 = (int)((insn >> 6) & 3);
    int d = vreg(insn, 12, 22, dbl), m = vreg(insn, 0, 5, dbl);
    if (!(opc3 & 1)) { /* VMOV immediate */
        uint32_t imm8 = (insn >> 12 & 0xf0) | (insn & 0xf);
        if (dbl) {
            uint64_t v =
                (uint64_t)(imm8 & 0x80) << 56 |
                (imm8 & 0x40 ? UINT64_C(0x3fc0000000000000) : UINT64_C(0x4000000000000000)) |
                (uint64_t)(imm8 & 0x3f) << 48;
            st_d(tcg_constant_i64((int64_t)v), d);
        } else {
            uint32_t v = (imm8 & 0x80) << 24 | (imm8 & 0x40 ? 0x3e000000u : 0x40000000u) |
                         (imm8 & 0x3f) << 19;
            st_s(tcg_constant_i32((int32_t)v), d);
        }
        return true;
    }
    bool bit7 = insn & (1u << 7);
    switch (opc2) {
    case 0:
    case 1: /* VMOV reg, VABS, VNEG, VSQRT */
        if (opc2 == 1 && bit7) {
            if (dbl) {
                st_d(arith_d(ld_d(m), ld_d(m), VFP_SQRT), d);
            } else {
                st_s(arith_s(ld_s(m), ld_s(m), VFP_SQRT), d);
            }
            return true;
        }
        if (dbl) {
            TCGv_i64 v = ld_d(m);
            if (opc2 == 1) {
                neg_d(v);
            } else if (bit7) {
                tcg_gen_andi_i64(v, v, INT64_MAX);
            }
            st_d(v, d);
        } else {
            TCGv_i32 v = ld_s(m);
            if (opc2 == 1) {
                neg_s(v);
            } else if (bit7) {
                tcg_gen_andi_i32(v, v, 0x7fffffff);
            }
            st_s(v, d);
        }
        return true;
    case 2:
    case 3: { /* VCVTB/VCVTT: half in the bottom or top of Sm/Sd */
        if (dbl) {
            return false;
        }
        int sd = vreg(insn, 12, 22, false), sm = vreg(insn, 0, 5, false);
        unsigned pos = bit7 ? 16 : 0;
        TCGv_i64 v = tcg_temp_new_i64(), r = tcg_temp_new_i64();
        TCGv_i32 src = ld_s(sm);
        if (opc2 == 2) {
            tcg_gen_extract_i32(src, src, pos, 16);
        }
        tcg_gen_extu_i32_i64(v, src);
        tcg_gen_calln((void *)helper_vfp_cvt, VFP_CALL, t64(r), 3, arm_env_arg(), t64(v),
                      c32(opc2 == 2 ? CVT_H_TO_S : CVT_S_TO_H));
        TCGv_i32 r32 = tcg_temp_new_i32();
        tcg_gen_extrl_i64_i32(r32, r);
        if (opc2 == 3) {
            TCGv_i32 old = ld_s(sd);
            tcg_gen_deposit_i32(r32, old, r32, pos, 16);
        }
        st_s(r32, sd);
        return true;
    }
    case 4:
    case 5: { /* VCMP, VCMPE; with zero when opc2 = 5 */
        if (opc2 == 5 && (insn & 0x2f)) {
            return false;
        }
        TCGTemp *e = c32(bit7);
        if (dbl) {
            TCGv_i64 b = opc2 == 5 ? tcg_constant_i64(0) : ld_d(m);
            tcg_gen_calln((void *)helper_vfp_cmp_d, VFP_CALL, NULL, 4, arm_env_arg(), t64(ld_d(d)),
                          t64(b), e);
        } else {
            TCGv_i32 b = opc2 == 5 ? tcg_constant_i32(0) : ld_s(m);
            tcg_gen_calln((void *)helper_vfp_cmp_s, VFP_CALL, NULL, 4, arm_env_arg(), t32(ld_s(d)),
                          t32(b), e);
        }
        return true;
    }
    case 7: /* VCVT between double and single */
        if (!bit7 || opc3 != 3) {
            return false;
        }
        if (dbl) {
            gen_cvt(CVT_D_TO_S, true, vreg(insn, 0, 5, true), false, vreg(insn, 12, 22, false));
        } else {
            gen_cvt(CVT_S_TO_D, false, vreg(insn, 0, 5, false), true, vreg(insn, 12, 22, true));
        }
        return true;
    case 8: { /* VCVT integer to float: Sm holds the integer */
        uint32_t op = dbl ? (bit7 ? CVT_SI_TO_D : CVT_UI_TO_D) : (bit7 ? CVT_SI_TO_S : CVT_UI_TO_S);
        gen_cvt(op, false, vreg(insn, 0, 5, false), dbl, d);
        return true;
    }
    case 10:
    case 11:
    case 14:
    case 15: { /* VCVT fixed point, in place in Vd */
        bool to_fixed = opc2 & 4, uns = opc2 & 1, sx = bit7;
        int size = sx ? 32 : 16;
        int imm = (int)((insn & 0xf) << 1 | ((insn >> 5) & 1));
        int frac = size - imm;
        if (frac < 0) {
            return false;
        }
        uint32_t op;
        if (to_fixed) {
            op = dbl ? (sx ? (uns ? CVT_D_TO_UI : CVT_D_TO_SI) : (uns ? CVT_D_TO_UH : CVT_D_TO_SH))
                     : (sx ? (uns ? CVT_S_TO_UI : CVT_S_TO_SI) : (uns ? CVT_S_TO_UH : CVT_S_TO_SH));
            op |= CVT_RZ;
            gen_cvt(op | (uint32_t)frac << 8, dbl, d, false, vreg(insn, 12, 22, false));
            if (dbl) { /* the fixed-point value fills the bottom of Dd, zero above */
                TCGv_i64 v = tcg_temp_new_i64();
                tcg_gen_ld32u_i64(v, tcg_env, sreg_off(vreg(insn, 12, 22, false)));
                st_d(v, d);
            }
        } else {
            op = dbl ? (sx ? (uns ? CVT_UI_TO_D : CVT_SI_TO_D) : (uns ? CVT_UH_TO_D : CVT_SH_TO_D))
                     : (sx ? (uns ? CVT_UI_TO_S : CVT_SI_TO_S) : (uns ? CVT_UH_TO_S : CVT_SH_TO_S));
            gen_cvt(op | (uint32_t)frac << 8, dbl, d, dbl, d);
        }
        return true;
    }
    case 12:
    case 13: { /* VCVT float to integer: result in Sd */
        bool sgn = opc2 & 1;
        uint32_t op = dbl ? (sgn ? CVT_D_TO_SI : CVT_D_TO_UI) : (sgn ? CVT_S_TO_SI : CVT_S_TO_UI);
        if (bit7) {
            op |= CVT_RZ;
        }
        gen_cvt(op, dbl, m, false, vreg(insn, 12, 22, false));
        return true;
    }
    default: return false;
    }
}

static bool gen_dp(DisasContext *s, uint32_t insn)
{
    if (s->vec_len || s->vec_stride) {
        return false; /* short vectors are not supported: UNDEF */
    }
    bool dbl = insn & (1u << 8);
    int opc = (int)(((insn >> 21) & 4) | ((insn >> 20) & 3));
    if (opc == 7) {
        return gen_dp_other(insn, dbl);
    }
    if ((opc == 5 || opc == 6) && !arm_vfp_has_fused(s)) {
        return false; /* VFPv3 (Cortex-A9): no fused multiply-add */
    }
    return gen_dp3(opc, (int)((insn >> 6) & 1), dbl, vreg(insn, 12, 22, dbl),
                   vreg(insn, 16, 7, dbl), vreg(insn, 0, 5, dbl));
}

/* ---- Transfers between core and extension registers -------------------------------- */

static bool gen_vmrs_vmsr(DisasContext *s, uint32_t insn)
{
    int reg = (int)((insn >> 16) & 0xf), rt = (int)((insn >> 12) & 0xf);
    bool to_arm = insn & (1u << 20);
    bool priv_ok = !s->user && (s->base.tb->flags & ARM_TBFLAG_CPACR_FULL);
    /* The ID registers and FPEXC stay reachable at PL1 while the unit is off (Linux reads
     * FPSID and MVFR0 before it sets FPEXC.EN). */
    if (!s->vfp_enabled && !(reg != 1 && priv_ok)) {
        return false;
    }
    if (reg != 1 && s->user) {
        return false;
    }
    static const size_t offs[16] = {
        [0] = offsetof(ArmEnv, vfp.fpsid),  [6] = offsetof(ArmEnv, vfp.mvfr1),
        [7] = offsetof(ArmEnv, vfp.mvfr0),  [8] = offsetof(ArmEnv, vfp.fpexc),
        [9] = offsetof(ArmEnv, vfp.fpinst), [10] = offsetof(ArmEnv, vfp.fpinst2)};
    if (reg != 1 && !offs[reg]) {
        return false;
    }
    if (to_arm) {
        TCGv_i32 v = tcg_temp_new_i32();
        if (reg == 1) {
            tcg_gen_ld_i32(v, tcg_env, offsetof(ArmEnv, vfp.fpscr));
            if (rt == 15) { /* APSR_nzcv: FPSCR bits 31..28, QC is no concern */
                arm_gen_set_nzcv(v);
                return true;
            }
            /* QC lives apart (NEON sets it with a plain store): fold it in. */
            TCGv_i32 qc = tcg_temp_new_i32();
            tcg_gen_ld_i32(qc, tcg_env, offsetof(ArmEnv, vfp.qc));
            tcg_gen_setcondi_i32(TCG_COND_NE, qc, qc, 0);
            tcg_gen_shli_i32(qc, qc, 27);
            tcg_gen_or_i32(v, v, qc);
        } else {
            tcg_gen_ld_i32(v, tcg_env, (intptr_t)offs[reg]);
        }
        if (rt == 15) {
            return false;
        }
        arm_store_reg(s, rt, v);
        return true;
    }
    if (rt == 15) {
        return false;
    }
    TCGv_i32 v = arm_load_reg(s, rt);
    switch (reg) {
    case 1: {
        TCGv_i32 f = tcg_temp_new_i32();
        tcg_gen_andi_i32(f, v, (int32_t)(FPSCR_WRITABLE & ~FPSCR_QC));
        tcg_gen_st_i32(f, tcg_env, offsetof(ArmEnv, vfp.fpscr));
        tcg_gen_andi_i32(v, v, (int32_t)FPSCR_QC);
        tcg_gen_st_i32(v, tcg_env, offsetof(ArmEnv, vfp.qc));
        s->exit_tb = true; /* Len/Stride are block flags */
        return true;
    }
    case 8: /* FPEXC: EN (30), EX (31) written; no subarchitecture trap state */
        tcg_gen_andi_i32(v, v, (int32_t)0xc0000000u);
        tcg_gen_st_i32(v, tcg_env, (intptr_t)offs[8]);
        s->exit_tb = true;
        return true;
    case 9:
    case 10: tcg_gen_st_i32(v, tcg_env, (intptr_t)offs[reg]); return true;
    default: return true; /* ID registers ignore writes */
    }
}

/* MCR/MRC forms (bit 4 set, coprocessor 10 or 11). */
static bool gen_xfer(DisasContext *s, uint32_t insn)
{
    bool cp11 = insn & (1u << 8), to_arm = insn & (1u << 20);
    int rt = (int)((insn >> 12) & 0xf);
    int opc1 = (int)((insn >> 21) & 7);
    if (!cp11) {
        if (opc1 == 7) {
            return (insn & 0xff) == 0x10 && gen_vmrs_vmsr(s, insn);
        }
        if (opc1 != 0 || (insn & 0x7f) != 0x10 || !s->vfp_enabled || rt == 15) {
            return false;
        }
        int sn = vreg(insn, 16, 7, false);
        if (to_arm) {
            arm_store_reg(s, rt, ld_s(sn));
        } else {
            st_s(arm_load_reg(s, rt), sn);
        }
        return true;
    }
    if (!s->vfp_enabled || rt == 15 || (insn & 0x1f) != 0x10) {
        return false;
    }
    int dn = vreg(insn, 16, 7, true);
    int sel = (int)((insn >> 19 & 0xc) | ((insn >> 5) & 3)); /* opc1[1:0]:opc2 */
    int size, index;
    if (sel & 8) {
        size = 0, index = sel & 7;
    } else if (sel & 1) {
        size = 1, index = sel >> 1;
    } else if (!(sel & 2)) {
        size = 2, index = sel >> 2;
    } else {
        return false;
    }
    unsigned bits = 8u << size, pos = (unsigned)index * bits;
    if (!to_arm && (insn & (1u << 23))) { /* VDUP from a core register */
        int b = (int)((insn >> 22) & 1), e = (int)((insn >> 5) & 1), q = (int)((insn >> 21) & 1);
        if ((b && e) || (q && (dn & 1)) || (insn & 0x40)) {
            return false;
        }
        int w = b ? 8 : e ? 16 : 32;
        TCGv_i32 x = arm_load_reg(s, rt);
        if (w < 32) {
            tcg_gen_extract_i32(x, x, 0, (unsigned)w);
        }
        TCGv_i64 v = tcg_temp_new_i64();
        tcg_gen_extu_i32_i64(v, x);
        neon_gen_dup_i64(v, w);
        st_d(v, dn);
        if (q) {
            st_d(v, dn + 1);
        }
        return true;
    }
    if (to_arm) {
        bool uns = insn & (1u << 23);
        if (size == 2 && uns) {
            return false;
        }
        TCGv_i64 d = ld_d(dn);
        TCGv_i32 lo = tcg_temp_new_i32(), hi = tcg_temp_new_i32(), r = tcg_temp_new_i32();
        tcg_gen_extr_i64_i32(lo, hi, d);
        TCGv_i32 src = pos >= 32 ? hi : lo;
        if (uns || size == 2) {
            tcg_gen_extract_i32(r, src, pos & 31, bits);
        } else {
            tcg_gen_sextract_i32(r, src, pos & 31, bits);
        }
        arm_store_reg(s, rt, r);
    } else {
        if (insn & (1u << 23)) {
            return false;
        }
        TCGv_i32 v = arm_load_reg(s, rt);
        TCGv_i32 old = ld_s(dn * 2 + (int)(pos >> 5));
        tcg_gen_deposit_i32(old, old, v, pos & 31, bits);
        st_s(old, dn * 2 + (int)(pos >> 5));
    }
    return true;
}

/* MCRR/MRRC forms: two core registers with two singles or one double. */
static bool gen_xfer64(DisasContext *s, uint32_t insn)
{
    int rt = (int)((insn >> 12) & 0xf), rt2 = (int)((insn >> 16) & 0xf);
    bool to_arm = insn & (1u << 20), dbl = insn & (1u << 8);
    if (!s->vfp_enabled || (insn & 0xd0) != 0x10 || rt == 15 || rt2 == 15 ||
        (to_arm && rt == rt2)) {
        return false;
    }
    int m = vreg(insn, 0, 5, dbl);
    if (!dbl && m == 31) {
        return false;
    }
    int s0 = dbl ? 2 * m : m;
    if (to_arm) {
        TCGv_i32 a = ld_s(s0), b = ld_s(s0 + 1);
        arm_store_reg(s, rt, a);
        arm_store_reg(s, rt2, b);
    } else {
        st_s(arm_load_reg(s, rt), s0);
        st_s(arm_load_reg(s, rt2), s0 + 1);
    }
    return true;
}

/* ---- Loads and stores ---------------------------------------------------------------- */

static void gen_ldst_one(DisasContext *s, bool load, bool dbl, int r, TCGv_i32 addr)
{
    /* VLDR/VLDM and friends are aligned accesses (MemA): a misaligned word faults whatever
     * SCTLR.A says. A double is one 64-bit access that needs word alignment only: the low
     * word at the lower address, as two little-endian word accesses would place it. */
    if (dbl) {
        TCGv_i64 v = tcg_temp_new_i64();
        MemOp mop = (MemOp)(MO_LE | MO_UQ | MO_ALIGN_4);
        if (load) {
            tcg_gen_qemu_ld_i64(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
            st_d(v, r);
        } else {
            tcg_gen_ld_i64(v, tcg_env, dreg_off(r));
            tcg_gen_qemu_st_i64(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
        }
        return;
    }
    TCGv_i32 v = tcg_temp_new_i32();
    MemOp mop = (MemOp)(MO_LE | MO_UL | MO_ALIGN);
    if (load) {
        tcg_gen_qemu_ld_i32(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
        st_s(v, r);
    } else {
        tcg_gen_ld_i32(v, tcg_env, sreg_off(r));
        tcg_gen_qemu_st_i32(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
    }
}

static bool gen_ldst(DisasContext *s, uint32_t insn)
{
    int p = (int)((insn >> 24) & 1), u = (int)((insn >> 23) & 1), w = (int)((insn >> 21) & 1);
    bool load = insn & (1u << 20), dbl = insn & (1u << 8);
    int rn = (int)((insn >> 16) & 0xf);
    uint32_t imm8 = insn & 0xff;
    int d = vreg(insn, 12, 22, dbl);
    if (!p && !u && !w) {
        return gen_xfer64(s, insn);
    }
    if (!s->vfp_enabled) {
        return false;
    }
    if (p && !w) { /* VLDR/VSTR */
        TCGv_i32 addr = tcg_temp_new_i32();
        if (rn == 15) {
            tcg_gen_movi_i32(addr, (int32_t)(((s->pc_curr + (s->thumb ? 4u : 8u)) & ~3u) +
                                             (u ? imm8 * 4 : -imm8 * 4)));
        } else {
            tcg_gen_addi_i32(addr, arm_load_reg(s, rn), u ? (int32_t)imm8 * 4 : -(int32_t)imm8 * 4);
        }
        gen_ldst_one(s, load, dbl, d, addr);
        return true;
    }
    if (p == u || (p && !w)) {
        return false;
    }
    /* VLDM/VSTM: IA (optionally with writeback) or DB with writeback. */
    int n = dbl ? (int)(imm8 >> 1) : (int)imm8;
    if (n == 0 || (dbl && (n > 16 || d + n > 32)) || (!dbl && d + n > 32) || (w && rn == 15)) {
        return false;
    }
    TCGv_i32 base = arm_load_reg(s, rn);
    TCGv_i32 addr = tcg_temp_new_i32();
    uint32_t bytes = imm8 * 4;
    tcg_gen_addi_i32(addr, base, p ? -(int32_t)bytes : 0);
    TCGv_i32 start = tcg_temp_new_i32();
    tcg_gen_mov_i32(start, addr);
    for (int i = 0; i < n; i++) {
        TCGv_i32 a = tcg_temp_new_i32();
        tcg_gen_addi_i32(a, start, i * (dbl ? 8 : 4));
        gen_ldst_one(s, load, dbl, d + i, a);
    }
    if (w) {
        TCGv_i32 nb = tcg_temp_new_i32();
        tcg_gen_addi_i32(nb, base, u ? (int32_t)bytes : -(int32_t)bytes);
        arm_store_reg(s, rn, nb);
    }
    return true;
}

bool arm_translate_vfp(DisasContext *s, uint32_t insn)
{
    if ((insn & 0x0e00u) != 0x0a00u) {
        return false;
    }
    switch ((insn >> 24) & 0xf) {
    case 0xc:
    case 0xd: return gen_ldst(s, insn);
    case 0xe:
        if (insn & 0x10) {
            return gen_xfer(s, insn);
        }
        return s->vfp_enabled && gen_dp(s, insn);
    default: return false;
    }
}

/* Called by cpu.c at CPU creation: the VFP identification registers of each model. */
void arm_vfp_model_init(ArmEnv *env, const char *model)
{
    if (!strcmp(model, "cortex-a9")) {
        /* VFPv3-D32 with half precision and NEON, no fused multiply-add. */
        env->vfp.fpsid = 0x41033090;
        env->vfp.mvfr0 = 0x11110222;
        env->vfp.mvfr1 = 0x01111111;
    } else if (!strcmp(model, "cortex-a7")) {
        env->vfp.fpsid = 0x41023075;
        env->vfp.mvfr0 = 0x10110222;
        env->vfp.mvfr1 = 0x11111111;
    } else {
        env->vfp.fpsid = 0x410430f0;
        env->vfp.mvfr0 = 0x10110222;
        env->vfp.mvfr1 = 0x11111111;
    }
}
