/*
 * cpu/arm/vfp.c: the VFPv4 translator: coprocessor 10/11 encodings (data processing,
 * register transfers, loads/stores) in A32 form, handed over by translate.c and decoded
 * by vfp.decode. Moves, loads, stores, VABS/VNEG/VMOV, VMRS/VMSR are IR; arithmetic calls
 * one vfp-helper.c helper per operation with the operand values.
 */
#include <stddef.h>
#include <string.h>

#include "cpu/arm/translate.h"
#include "cpu/arm/vfp.h"

#include "cpu/arm/vfp.c.inc"

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

/* Data processing: UNDEF while the unit is off, and for short vectors (FPSCR.Len/Stride,
 * not supported). */
static bool dp_ok(DisasContext *s)
{
    return s->vfp_enabled && !s->vec_len && !s->vec_stride;
}

static bool do_dp3(DisasContext *s, arg_vrrr *a, int opc, int op, bool dbl)
{
    if (!dp_ok(s) || ((opc == 5 || opc == 6) && !arm_vfp_has_fused(s))) {
        return false; /* VFPv3 (Cortex-A9): no fused multiply-add */
    }
    return gen_dp3(opc, op, dbl, a->vd, a->vn, a->vm);
}

/* opc: bits 23, 21, 20 of the encoding; op: bit 6 */
#define DP3(name, opc, op)                                     \
    static bool trans_##name##_s(DisasContext *s, arg_vrrr *a) \
    {                                                          \
        return do_dp3(s, a, opc, op, false);                   \
    }                                                          \
    static bool trans_##name##_d(DisasContext *s, arg_vrrr *a) \
    {                                                          \
        return do_dp3(s, a, opc, op, true);                    \
    }
DP3(VMLA, 0, 0)
DP3(VMLS, 0, 1)
DP3(VNMLS, 1, 0)
DP3(VNMLA, 1, 1)
DP3(VMUL, 2, 0)
DP3(VNMUL, 2, 1)
DP3(VADD, 3, 0)
DP3(VSUB, 3, 1)
DP3(VDIV, 4, 0)
DP3(VFNMS, 5, 0)
DP3(VFNMA, 5, 1)
DP3(VFMA, 6, 0)
DP3(VFMS, 6, 1)

/* VFPExpandImm */
static bool trans_VMOV_imm_s(DisasContext *s, arg_vri *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    uint32_t imm8 = (uint32_t)a->imm;
    uint32_t v =
        (imm8 & 0x80) << 24 | (imm8 & 0x40 ? 0x3e000000u : 0x40000000u) | (imm8 & 0x3f) << 19;
    st_s(tcg_constant_i32((int32_t)v), a->vd);
    return true;
}

static bool trans_VMOV_imm_d(DisasContext *s, arg_vri *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    uint32_t imm8 = (uint32_t)a->imm;
    uint64_t v = (uint64_t)(imm8 & 0x80) << 56 |
                 (imm8 & 0x40 ? UINT64_C(0x3fc0000000000000) : UINT64_C(0x4000000000000000)) |
                 (uint64_t)(imm8 & 0x3f) << 48;
    st_d(tcg_constant_i64((int64_t)v), a->vd);
    return true;
}

/* VMOV, VABS, VNEG: the sign bit only (no flushing, NaNs pass unchanged). */
static bool do_sign_s(DisasContext *s, arg_vrr *a, int32_t and_mask, int32_t xor_mask)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i32 v = ld_s(a->vm);
    tcg_gen_andi_i32(v, v, and_mask);
    tcg_gen_xori_i32(v, v, xor_mask);
    st_s(v, a->vd);
    return true;
}

static bool do_sign_d(DisasContext *s, arg_vrr *a, int64_t and_mask, int64_t xor_mask)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i64 v = ld_d(a->vm);
    tcg_gen_andi_i64(v, v, and_mask);
    tcg_gen_xori_i64(v, v, xor_mask);
    st_d(v, a->vd);
    return true;
}

static bool trans_VMOV_s(DisasContext *s, arg_vrr *a)
{
    return do_sign_s(s, a, -1, 0);
}

static bool trans_VABS_s(DisasContext *s, arg_vrr *a)
{
    return do_sign_s(s, a, INT32_MAX, 0);
}

static bool trans_VNEG_s(DisasContext *s, arg_vrr *a)
{
    return do_sign_s(s, a, -1, INT32_MIN);
}

static bool trans_VMOV_d(DisasContext *s, arg_vrr *a)
{
    return do_sign_d(s, a, -1, 0);
}

static bool trans_VABS_d(DisasContext *s, arg_vrr *a)
{
    return do_sign_d(s, a, INT64_MAX, 0);
}

static bool trans_VNEG_d(DisasContext *s, arg_vrr *a)
{
    return do_sign_d(s, a, -1, INT64_MIN);
}

static bool trans_VSQRT_s(DisasContext *s, arg_vrr *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i32 v = ld_s(a->vm);
    st_s(arith_s(v, v, VFP_SQRT), a->vd);
    return true;
}

static bool trans_VSQRT_d(DisasContext *s, arg_vrr *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i64 v = ld_d(a->vm);
    st_d(arith_d(v, v, VFP_SQRT), a->vd);
    return true;
}

/* VCVTB/VCVTT: the half in the bottom or top of Sm (to single) or of Sd (from single). */
static bool do_cvt_half(DisasContext *s, int sd, int sm, bool top, bool to_half)
{
    if (!dp_ok(s)) {
        return false;
    }
    unsigned pos = top ? 16 : 0;
    TCGv_i64 v = tcg_temp_new_i64(), r = tcg_temp_new_i64();
    TCGv_i32 src = ld_s(sm);
    if (!to_half) {
        tcg_gen_extract_i32(src, src, pos, 16);
    }
    tcg_gen_extu_i32_i64(v, src);
    tcg_gen_calln((void *)helper_vfp_cvt, VFP_CALL, t64(r), 3, arm_env_arg(), t64(v),
                  c32(to_half ? CVT_S_TO_H : CVT_H_TO_S));
    TCGv_i32 r32 = tcg_temp_new_i32();
    tcg_gen_extrl_i64_i32(r32, r);
    if (to_half) {
        TCGv_i32 old = ld_s(sd);
        tcg_gen_deposit_i32(r32, old, r32, pos, 16);
    }
    st_s(r32, sd);
    return true;
}

static bool trans_VCVT_f32_f16(DisasContext *s, arg_VCVT_f32_f16 *a)
{
    return do_cvt_half(s, a->vd, a->vm, a->t, false);
}

static bool trans_VCVT_f16_f32(DisasContext *s, arg_VCVT_f16_f32 *a)
{
    return do_cvt_half(s, a->vd, a->vm, a->t, true);
}

/* VCMP, VCMPE (e: Invalid for quiet NaNs too); z: with +0.0 */
static bool trans_VCMP_s(DisasContext *s, arg_cmp *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i32 b = a->z ? tcg_constant_i32(0) : ld_s(a->vm);
    tcg_gen_calln((void *)helper_vfp_cmp_s, VFP_CALL, NULL, 4, arm_env_arg(), t32(ld_s(a->vd)),
                  t32(b), c32((uint32_t)a->e));
    return true;
}

static bool trans_VCMP_d(DisasContext *s, arg_cmp *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    TCGv_i64 b = a->z ? tcg_constant_i64(0) : ld_d(a->vm);
    tcg_gen_calln((void *)helper_vfp_cmp_d, VFP_CALL, NULL, 4, arm_env_arg(), t64(ld_d(a->vd)),
                  t64(b), c32((uint32_t)a->e));
    return true;
}

static bool trans_VCMP_z_s(DisasContext *s, arg_cmp *a)
{
    return trans_VCMP_s(s, a);
}

static bool trans_VCMP_z_d(DisasContext *s, arg_cmp *a)
{
    return trans_VCMP_d(s, a);
}

static bool trans_VCVT_f64_f32(DisasContext *s, arg_vrr *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    gen_cvt(CVT_S_TO_D, false, a->vm, true, a->vd);
    return true;
}

static bool trans_VCVT_f32_f64(DisasContext *s, arg_vrr *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    gen_cvt(CVT_D_TO_S, true, a->vm, false, a->vd);
    return true;
}

/* Integer in Sm to float; op: signed. */
static bool trans_VCVT_int_s(DisasContext *s, arg_cvt *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    gen_cvt(a->op ? CVT_SI_TO_S : CVT_UI_TO_S, false, a->vm, false, a->vd);
    return true;
}

static bool trans_VCVT_int_d(DisasContext *s, arg_cvt *a)
{
    if (!dp_ok(s)) {
        return false;
    }
    gen_cvt(a->op ? CVT_SI_TO_D : CVT_UI_TO_D, false, a->vm, true, a->vd);
    return true;
}

/* Float to an integer in Sd; op: round toward zero, else FPSCR's rounding. */
static bool do_cvt_to_int(DisasContext *s, arg_cvt *a, uint32_t op, bool dbl)
{
    if (!dp_ok(s)) {
        return false;
    }
    gen_cvt(op | (a->op ? CVT_RZ : 0), dbl, a->vm, false, a->vd);
    return true;
}

static bool trans_VCVT_toui_s(DisasContext *s, arg_cvt *a)
{
    return do_cvt_to_int(s, a, CVT_S_TO_UI, false);
}

static bool trans_VCVT_tosi_s(DisasContext *s, arg_cvt *a)
{
    return do_cvt_to_int(s, a, CVT_S_TO_SI, false);
}

static bool trans_VCVT_toui_d(DisasContext *s, arg_cvt *a)
{
    return do_cvt_to_int(s, a, CVT_D_TO_UI, true);
}

static bool trans_VCVT_tosi_d(DisasContext *s, arg_cvt *a)
{
    return do_cvt_to_int(s, a, CVT_D_TO_SI, true);
}

/* Fixed point in place in Vd: sx = 32-bit (else 16-bit) values with size - fbits
 * fraction bits. */
static bool do_cvt_fix(DisasContext *s, int d, bool dbl, bool to_fixed, bool uns, bool sx,
                       int fbits)
{
    int frac = (sx ? 32 : 16) - fbits;
    if (!dp_ok(s) || frac < 0) {
        return false;
    }
    uint32_t op;
    if (to_fixed) {
        op = dbl ? (sx ? (uns ? CVT_D_TO_UI : CVT_D_TO_SI) : (uns ? CVT_D_TO_UH : CVT_D_TO_SH))
                 : (sx ? (uns ? CVT_S_TO_UI : CVT_S_TO_SI) : (uns ? CVT_S_TO_UH : CVT_S_TO_SH));
        if (!dbl) {
            gen_cvt(op | CVT_RZ | (uint32_t)frac << 8, false, d, false, d);
            return true;
        }
        /* Dd gets the value sign- or zero-extended to 64 bits */
        TCGv_i64 v = tcg_temp_new_i64(), r = tcg_temp_new_i64();
        tcg_gen_ld_i64(v, tcg_env, dreg_off(d));
        tcg_gen_calln((void *)helper_vfp_cvt, VFP_CALL, t64(r), 3, arm_env_arg(), t64(v),
                      c32(op | CVT_RZ | (uint32_t)frac << 8));
        if (uns) {
            tcg_gen_ext32u_i64(r, r);
        } else {
            tcg_gen_ext32s_i64(r, r);
        }
        st_d(r, d);
    } else {
        op = dbl ? (sx ? (uns ? CVT_UI_TO_D : CVT_SI_TO_D) : (uns ? CVT_UH_TO_D : CVT_SH_TO_D))
                 : (sx ? (uns ? CVT_UI_TO_S : CVT_SI_TO_S) : (uns ? CVT_UH_TO_S : CVT_SH_TO_S));
        gen_cvt(op | (uint32_t)frac << 8, dbl, d, dbl, d);
    }
    return true;
}

static bool trans_VCVT_fix_s(DisasContext *s, arg_VCVT_fix_s *a)
{
    return do_cvt_fix(s, a->vd, false, a->tofix, a->uns, a->sx, a->fbits);
}

static bool trans_VCVT_fix_d(DisasContext *s, arg_VCVT_fix_d *a)
{
    return do_cvt_fix(s, a->vd, true, a->tofix, a->uns, a->sx, a->fbits);
}

/* ---- Transfers between core and extension registers -------------------------------- */

static bool trans_VMSR_VMRS(DisasContext *s, arg_VMSR_VMRS *a)
{
    int reg = a->reg, rt = a->rt;
    bool to_arm = a->l;
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

/* VMOV between a core register and a single */
static bool trans_VMOV_single(DisasContext *s, arg_vxfer *a)
{
    if (!s->vfp_enabled || a->rt == 15) {
        return false;
    }
    if (a->l) {
        arm_store_reg(s, a->rt, ld_s(a->vn));
    } else {
        st_s(arm_load_reg(s, a->rt), a->vn);
    }
    return true;
}

/* VDUP from a core register: b/e select 8/16-bit elements, q a Q register. */
static bool trans_VDUP(DisasContext *s, arg_VDUP *a)
{
    if (!s->vfp_enabled || a->rt == 15 || (a->b && a->e) || (a->q && (a->vn & 1))) {
        return false;
    }
    int w = a->b ? 8 : a->e ? 16 : 32;
    TCGv_i32 x = arm_load_reg(s, a->rt);
    if (w < 32) {
        tcg_gen_extract_i32(x, x, 0, (unsigned)w);
    }
    TCGv_i64 v = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(v, x);
    neon_gen_dup_i64(v, w);
    st_d(v, a->vn);
    if (a->q) {
        st_d(v, a->vn + 1);
    }
    return true;
}

/* VMOV between a core register and a scalar (an element of Dn); opc1[1:0]:opc2 give the
 * element size and index. */
static bool do_scalar(DisasContext *s, arg_scalar *a)
{
    if (!s->vfp_enabled || a->rt == 15) {
        return false;
    }
    int sel = (a->opc1 & 3) << 2 | a->opc2;
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
    int sreg = a->vn * 2 + (int)(pos >> 5);
    if (a->l) {
        if (size == 2 && a->u) {
            return false;
        }
        TCGv_i32 src = ld_s(sreg), r = tcg_temp_new_i32();
        if (a->u || size == 2) {
            tcg_gen_extract_i32(r, src, pos & 31, bits);
        } else {
            tcg_gen_sextract_i32(r, src, pos & 31, bits);
        }
        arm_store_reg(s, a->rt, r);
    } else {
        TCGv_i32 old = ld_s(sreg);
        tcg_gen_deposit_i32(old, old, arm_load_reg(s, a->rt), pos & 31, bits);
        st_s(old, sreg);
    }
    return true;
}

static bool trans_VMOV_to_scalar(DisasContext *s, arg_scalar *a)
{
    return do_scalar(s, a);
}

static bool trans_VMOV_from_scalar(DisasContext *s, arg_scalar *a)
{
    return do_scalar(s, a);
}

/* Two core registers with two consecutive singles (from Sm) or one double. */
static bool do_xfer64(DisasContext *s, arg_vxfer64 *a, int s0, bool ok)
{
    if (!s->vfp_enabled || !ok || a->rt == 15 || a->rt2 == 15 || (a->l && a->rt == a->rt2)) {
        return false;
    }
    if (a->l) {
        TCGv_i32 lo = ld_s(s0), hi = ld_s(s0 + 1);
        arm_store_reg(s, a->rt, lo);
        arm_store_reg(s, a->rt2, hi);
    } else {
        st_s(arm_load_reg(s, a->rt), s0);
        st_s(arm_load_reg(s, a->rt2), s0 + 1);
    }
    return true;
}

static bool trans_VMOV_64_s(DisasContext *s, arg_vxfer64 *a)
{
    return do_xfer64(s, a, a->vm, a->vm != 31);
}

static bool trans_VMOV_64_d(DisasContext *s, arg_vxfer64 *a)
{
    return do_xfer64(s, a, 2 * a->vm, true);
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

static bool do_vldr(DisasContext *s, arg_vldr *a, bool dbl)
{
    if (!s->vfp_enabled) {
        return false;
    }
    int32_t off = a->u ? a->imm * 4 : -a->imm * 4;
    TCGv_i32 addr = tcg_temp_new_i32();
    if (a->rn == 15) { /* the word-aligned pc */
        tcg_gen_movi_i32(addr,
                         (int32_t)(((s->pc_curr + (s->thumb ? 4u : 8u)) & ~3u) + (uint32_t)off));
    } else {
        tcg_gen_addi_i32(addr, arm_load_reg(s, a->rn), off);
    }
    gen_ldst_one(s, a->l, dbl, a->vd, addr);
    return true;
}

static bool trans_VLDR_s(DisasContext *s, arg_vldr *a)
{
    return do_vldr(s, a, false);
}

static bool trans_VLDR_d(DisasContext *s, arg_vldr *a)
{
    return do_vldr(s, a, true);
}

/* VLDM/VSTM/VPUSH/VPOP: increment after (writeback optional) or decrement before (with
 * writeback). With doubles an odd imm8 is FLDMX/FSTMX: one word more of address range. */
static bool do_vldm(DisasContext *s, arg_vldm *a, bool dbl)
{
    if (!s->vfp_enabled || a->p == a->u || (a->p && !a->w)) {
        return false;
    }
    int n = dbl ? a->imm >> 1 : a->imm;
    if (n == 0 || (dbl && n > 16) || a->vd + n > 32 || (a->w && a->rn == 15)) {
        return false;
    }
    TCGv_i32 base = arm_load_reg(s, a->rn);
    int32_t bytes = a->imm * 4;
    TCGv_i32 start = tcg_temp_new_i32();
    tcg_gen_addi_i32(start, base, a->p ? -bytes : 0);
    for (int i = 0; i < n; i++) {
        TCGv_i32 addr = tcg_temp_new_i32();
        tcg_gen_addi_i32(addr, start, i * (dbl ? 8 : 4));
        gen_ldst_one(s, a->l, dbl, a->vd + i, addr);
    }
    if (a->w) {
        TCGv_i32 nb = tcg_temp_new_i32();
        tcg_gen_addi_i32(nb, base, a->u ? bytes : -bytes);
        arm_store_reg(s, a->rn, nb);
    }
    return true;
}

static bool trans_VLDM_s(DisasContext *s, arg_vldm *a)
{
    return do_vldm(s, a, false);
}

static bool trans_VLDM_d(DisasContext *s, arg_vldm *a)
{
    return do_vldm(s, a, true);
}

bool arm_translate_vfp(DisasContext *s, uint32_t insn)
{
    return decode_vfp(s, insn);
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
