/*
 * cpu/arm/neon-dp.c: Advanced SIMD data processing as IR, for the encodings neondp.decode
 * lists: logic, integer add/subtract (also saturating)/pairwise add/compares/max/min, 16-
 * and 32-bit integer multiply(-accumulate), shifts by immediate, modified immediates,
 * VMOVL/VMOVN, VEXT, VDUP, VREV, VMVN/VSWP, compares with zero, integer and float
 * VABS/VNEG; float arithmetic, multiply-accumulates, compares and VMAX/VMIN through one
 * two-lane helper call per D register. neon.c calls it first and gives whatever it
 * declines to the generic helper.
 *
 * Each D register is one i64; per-element arithmetic works on the whole word with masks
 * that keep carries, borrows and shifted-out bits inside their element.
 */
#include <stddef.h>

#include "cpu/arm/translate.h"
#include "cpu/arm/vfp.h"

#include "cpu/arm/neondp.c.inc"

static intptr_t dreg_off(int r)
{
    return (intptr_t)(offsetof(ArmEnv, vfp.regs) + 8 * (size_t)(r & 31));
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

/* `v` (the low `bits` bits) in every element of a 64-bit word. */
static uint64_t rep(uint64_t v, int bits)
{
    if (bits < 64) {
        v &= (UINT64_C(1) << bits) - 1;
    }
    for (int sh = bits; sh < 64; sh *= 2) {
        v |= v << sh;
    }
    return v;
}

/* The top bit of every element. */
static uint64_t top_bits(int bits)
{
    return rep(UINT64_C(1) << (bits - 1), bits);
}

/* Q forms need even register numbers (else UNDEF, which the generic path raises). */
static bool regs_ok(bool q, int a, int b, int c)
{
    return !q || !((a | b | c) & 1);
}

/* r = x + y (or x - y) in every element of 8 << size bits. */
static void gen_add_elems(TCGv_i64 r, TCGv_i64 x, TCGv_i64 y, int size, bool sub)
{
    if (size == 3) {
        if (sub) {
            tcg_gen_sub_i64(r, x, y);
        } else {
            tcg_gen_add_i64(r, x, y);
        }
        return;
    }
    /* The low bits of each element add apart (no carry leaves an element); the top bit of
     * each element is then the xor of the operands' top bits and the carry into it. */
    int64_t h = (int64_t)top_bits(8 << size);
    TCGv_i64 lx = tcg_temp_new_i64(), ly = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    if (sub) { /* ((x | H) - (y & ~H)) ^ ((x ^ ~y) & H) */
        tcg_gen_ori_i64(lx, x, h);
        tcg_gen_andi_i64(ly, y, ~h);
        tcg_gen_eqv_i64(t, x, y);
        tcg_gen_sub_i64(r, lx, ly);
    } else { /* ((x & ~H) + (y & ~H)) ^ ((x ^ y) & H) */
        tcg_gen_andi_i64(lx, x, ~h);
        tcg_gen_andi_i64(ly, y, ~h);
        tcg_gen_xor_i64(t, x, y);
        tcg_gen_add_i64(r, lx, ly);
    }
    tcg_gen_andi_i64(t, t, h);
    tcg_gen_xor_i64(r, r, t);
}

/* r = all ones in each element whose top bit is set in t (t: top bits only), else 0. */
static void gen_spread_top(TCGv_i64 r, TCGv_i64 t, int bits)
{
    /* one in the element's bit 0, times all-ones: no product leaves its element */
    tcg_gen_shri_i64(r, t, (unsigned)(bits - 1));
    if (bits == 64) {
        tcg_gen_neg_i64(r, r);
    } else {
        tcg_gen_muli_i64(r, r, (int64_t)((UINT64_C(1) << bits) - 1));
    }
}

/* r = the top bit of each element where x > y (unsigned), nothing else. */
static void gen_gtu_top(TCGv_i64 r, TCGv_i64 x, TCGv_i64 y, int size)
{
    /* x > y exactly when y - x borrows out of the element: the borrow out of the top bit is
     * (~y & x) | (~(y ^ x) & top bit of the difference) */
    TCGv_i64 d = tcg_temp_new_i64(), t = tcg_temp_new_i64();
    gen_add_elems(d, y, x, size, true);
    tcg_gen_eqv_i64(t, y, x);
    tcg_gen_and_i64(t, t, d);
    tcg_gen_andc_i64(d, x, y);
    tcg_gen_or_i64(r, t, d);
    tcg_gen_andi_i64(r, r, (int64_t)top_bits(8 << size));
}

/* r = all ones in each element where x > y (signed unless `uns`), else 0. */
static void gen_gt_mask(TCGv_i64 r, TCGv_i64 x, TCGv_i64 y, int size, bool uns)
{
    if (!uns) { /* flipping the sign bits maps signed order onto unsigned order */
        int64_t h = (int64_t)top_bits(8 << size);
        TCGv_i64 sx = tcg_temp_new_i64(), sy = tcg_temp_new_i64();
        tcg_gen_xori_i64(sx, x, h);
        tcg_gen_xori_i64(sy, y, h);
        x = sx, y = sy;
    }
    gen_gtu_top(r, x, y, size);
    gen_spread_top(r, r, 8 << size);
}

/* r = all ones in every element of v that is non-zero (or zero, with `zero`), else 0. */
static void gen_test_elems(TCGv_i64 r, TCGv_i64 v, int bits, bool zero)
{
    int64_t h = (int64_t)top_bits(bits);
    TCGv_i64 t = tcg_temp_new_i64();
    /* (low bits + all-ones low bits) carries into the top bit iff the low bits are
     * non-zero; or in the top bit itself: the top bit is then "element non-zero". */
    tcg_gen_andi_i64(t, v, ~h);
    tcg_gen_addi_i64(t, t, ~h);
    tcg_gen_or_i64(t, t, v);
    tcg_gen_andi_i64(t, t, h);
    if (zero) {
        tcg_gen_xori_i64(t, t, h);
    }
    gen_spread_top(r, t, bits);
}

/* ---- three registers of the same length --------------------------------------------- */

/* r = op(n, m), with Dd's old value d when the op reads it; size: log2 of the element bytes. */
typedef void GenLogic(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size);

static bool do_3same(arg_same3 *a, GenLogic *fn, bool reads_d)
{
    if (!regs_ok(a->q, a->vd, a->vn, a->vm)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 n[2], m[2], d[2] = {NULL, NULL};
    for (int i = 0; i < regs; i++) { /* every source before any result: Dd may be Dn */
        n[i] = ld_d(a->vn + i);
        m[i] = ld_d(a->vm + i);
        if (reads_d) {
            d[i] = ld_d(a->vd + i);
        }
    }
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64();
        fn(r, n[i], m[i], d[i], a->size);
        st_d(r, a->vd + i);
    }
    return true;
}

static void gen_vand(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    tcg_gen_and_i64(r, n, m);
}

static void gen_vbic(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    tcg_gen_andc_i64(r, n, m);
}

static void gen_vorr(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    tcg_gen_or_i64(r, n, m);
}

static void gen_vorn(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    tcg_gen_orc_i64(r, n, m);
}

static void gen_veor(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    tcg_gen_xor_i64(r, n, m);
}

/* select(sel, a, b): a where sel has ones, b elsewhere */
static void gen_select(TCGv_i64 r, TCGv_i64 sel, TCGv_i64 a, TCGv_i64 b)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_and_i64(t, a, sel);
    tcg_gen_andc_i64(r, b, sel);
    tcg_gen_or_i64(r, r, t);
}

static void gen_vbsl(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_select(r, d, n, m);
}

static void gen_vbit(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_select(r, m, n, d);
}

static void gen_vbif(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_select(r, m, d, n);
}

static bool trans_VAND(DisasContext *s, arg_VAND *a)
{
    return do_3same(a, gen_vand, false);
}

static bool trans_VBIC(DisasContext *s, arg_VBIC *a)
{
    return do_3same(a, gen_vbic, false);
}

static bool trans_VORR(DisasContext *s, arg_VORR *a)
{
    return do_3same(a, gen_vorr, false);
}

static bool trans_VORN(DisasContext *s, arg_VORN *a)
{
    return do_3same(a, gen_vorn, false);
}

static bool trans_VEOR(DisasContext *s, arg_VEOR *a)
{
    return do_3same(a, gen_veor, false);
}

static bool trans_VBSL(DisasContext *s, arg_VBSL *a)
{
    return do_3same(a, gen_vbsl, true);
}

static bool trans_VBIT(DisasContext *s, arg_VBIT *a)
{
    return do_3same(a, gen_vbit, true);
}

static bool trans_VBIF(DisasContext *s, arg_VBIF *a)
{
    return do_3same(a, gen_vbif, true);
}

static void gen_vadd(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_add_elems(r, n, m, size, false);
}

static void gen_vsub(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_add_elems(r, n, m, size, true);
}

static void gen_vtst(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_and_i64(t, n, m);
    gen_test_elems(r, t, 8 << size, false);
}

static void gen_vceq(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_xor_i64(t, n, m);
    gen_test_elems(r, t, 8 << size, true);
}

static bool trans_VADD_I(DisasContext *s, arg_VADD_I *a)
{
    return do_3same(a, gen_vadd, false);
}

static bool trans_VSUB_I(DisasContext *s, arg_VSUB_I *a)
{
    return do_3same(a, gen_vsub, false);
}

static bool trans_VTST(DisasContext *s, arg_VTST *a)
{
    return a->size != 3 && do_3same(a, gen_vtst, false);
}

static bool trans_VCEQ(DisasContext *s, arg_VCEQ *a)
{
    return a->size != 3 && do_3same(a, gen_vceq, false);
}

/* r's fields of 2 * bits bits hold values in their low halves (high halves zero): packs
 * those halves together into the low 32 bits. */
static void gen_pack_halves(TCGv_i64 r, int bits)
{
    TCGv_i64 t = tcg_temp_new_i64();
    for (int w = bits; w < 32; w *= 2) {
        tcg_gen_shri_i64(t, r, (unsigned)w);
        tcg_gen_or_i64(r, r, t);
        tcg_gen_andi_i64(r, r, (int64_t)rep((UINT64_C(1) << (2 * w)) - 1, 4 * w));
    }
    if (bits == 32) {
        tcg_gen_ext32u_i64(r, r);
    }
}

/* The inverse: the `bits`-bit elements of r's low 32 bits, each into the low half of a
 * 2 * bits field, zero- or (`sign`) sign-extended. */
static void gen_unpack_halves(TCGv_i64 r, int bits, bool sign)
{
    if (bits == 32) {
        if (sign) {
            tcg_gen_ext32s_i64(r, r);
        } else {
            tcg_gen_ext32u_i64(r, r);
        }
        return;
    }
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_ext32u_i64(r, r);
    for (int w = 16; w >= bits; w /= 2) {
        tcg_gen_shli_i64(t, r, (unsigned)w);
        tcg_gen_or_i64(r, r, t);
        tcg_gen_andi_i64(r, r, (int64_t)rep((UINT64_C(1) << w) - 1, 2 * w));
    }
    if (sign) { /* each element's sign, in bit 0 of its field, times the high half */
        tcg_gen_andi_i64(t, r, (int64_t)rep(UINT64_C(1) << (bits - 1), 2 * bits));
        tcg_gen_shri_i64(t, t, (unsigned)(bits - 1));
        tcg_gen_muli_i64(t, t, (int64_t)(((UINT64_C(1) << bits) - 1) << bits));
        tcg_gen_or_i64(r, r, t);
    }
}

/* The pairwise sums of v's neighbouring elements, packed into the low 32 bits. */
static void gen_pair_sums(TCGv_i64 r, TCGv_i64 v, int size)
{
    int bits = 8 << size;
    /* each pair's sum lands in the low half of a 2 * bits field */
    int64_t low = (int64_t)rep((UINT64_C(1) << bits) - 1, 2 * bits);
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_shri_i64(t, v, (unsigned)bits);
    tcg_gen_andi_i64(t, t, low);
    tcg_gen_andi_i64(r, v, low);
    tcg_gen_add_i64(r, r, t);
    tcg_gen_andi_i64(r, r, low);
    gen_pack_halves(r, bits);
}

/* VPADD (integer): Dd = the pair sums of Dn, then those of Dm; no Q form. */
static bool trans_VPADD_I(DisasContext *s, arg_VPADD_I *a)
{
    if (a->q || a->size == 3) {
        return false;
    }
    TCGv_i64 n = ld_d(a->vn), m = ld_d(a->vm), lo = tcg_temp_new_i64(), hi = tcg_temp_new_i64();
    gen_pair_sums(lo, n, a->size);
    gen_pair_sums(hi, m, a->size);
    tcg_gen_shli_i64(hi, hi, 32);
    tcg_gen_or_i64(lo, lo, hi);
    st_d(lo, a->vd);
    return true;
}

/* The low halves of the products of each 16-bit (size 1) or 32-bit element. The words
 * are multiplied apart: a 64-bit product would mix elements. */
static void gen_mul_elems(TCGv_i64 r, TCGv_i64 x, TCGv_i64 y, int size)
{
    TCGv_i32 w[2], v[2], p[2];
    for (int i = 0; i < 2; i++) {
        w[i] = tcg_temp_new_i32();
        v[i] = tcg_temp_new_i32();
        p[i] = tcg_temp_new_i32();
    }
    tcg_gen_extr_i64_i32(w[0], w[1], x);
    tcg_gen_extr_i64_i32(v[0], v[1], y);
    for (int i = 0; i < 2; i++) {
        tcg_gen_mul_i32(p[i], w[i], v[i]);
        if (size == 1) { /* the low halfword's product is right; redo the high one */
            TCGv_i32 t = tcg_temp_new_i32();
            tcg_gen_shri_i32(w[i], w[i], 16);
            tcg_gen_shri_i32(v[i], v[i], 16);
            tcg_gen_mul_i32(t, w[i], v[i]);
            tcg_gen_deposit_i32(p[i], p[i], t, 16, 16);
        }
    }
    tcg_gen_concat_i32_i64(r, p[0], p[1]);
}

/* VMUL/VMLA/VMLS (integer) for 16- and 32-bit elements; 8-bit ones go to the helper. */
static bool do_mul_i(arg_same3 *a, int acc)
{
    if (a->size == 0 || a->size == 3 || !regs_ok(a->q, a->vd, a->vn, a->vm)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 n[2], m[2];
    for (int i = 0; i < regs; i++) {
        n[i] = ld_d(a->vn + i);
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64();
        gen_mul_elems(r, n[i], m[i], a->size);
        if (acc) {
            gen_add_elems(r, ld_d(a->vd + i), r, a->size, acc < 0);
        }
        st_d(r, a->vd + i);
    }
    return true;
}

static bool trans_VMUL_I(DisasContext *s, arg_VMUL_I *a)
{
    return do_mul_i(a, 0);
}

static bool trans_VMLA_I(DisasContext *s, arg_VMLA_I *a)
{
    return do_mul_i(a, 1);
}

static bool trans_VMLS_I(DisasContext *s, arg_VMLS_I *a)
{
    return do_mul_i(a, -1);
}

/* Float forms: one helper call per D register, two lanes, standard FPSCR value. */
static TCGTemp *t64(TCGv_i64 v)
{
    return tcgv_i64_temp(v);
}

static void gen_float2(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, void *fn)
{
    tcg_gen_calln(fn, VFP_CALL, t64(r), 3, arm_env_arg(), t64(n), t64(m));
}

static void gen_float3(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, void *fn)
{
    tcg_gen_calln(fn, VFP_CALL, t64(r), 4, arm_env_arg(), t64(n), t64(m), t64(d));
}

static void gen_vadd_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float2(r, n, m, (void *)helper_neon_fadd);
}

static void gen_vsub_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float2(r, n, m, (void *)helper_neon_fsub);
}

static void gen_vmul_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float2(r, n, m, (void *)helper_neon_fmul);
}

static void gen_vmla_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float3(r, n, m, d, (void *)helper_neon_fmla);
}

static void gen_vmls_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float3(r, n, m, d, (void *)helper_neon_fmls);
}

static void gen_vfma_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float3(r, n, m, d, (void *)helper_neon_ffma);
}

static void gen_vfms_f(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size)
{
    gen_float3(r, n, m, d, (void *)helper_neon_ffms);
}

static bool trans_VADD_F(DisasContext *s, arg_VADD_F *a)
{
    return do_3same(a, gen_vadd_f, false);
}

static bool trans_VSUB_F(DisasContext *s, arg_VSUB_F *a)
{
    return do_3same(a, gen_vsub_f, false);
}

static bool trans_VMUL_F(DisasContext *s, arg_VMUL_F *a)
{
    return do_3same(a, gen_vmul_f, false);
}

static bool trans_VMLA_F(DisasContext *s, arg_VMLA_F *a)
{
    return do_3same(a, gen_vmla_f, true);
}

static bool trans_VMLS_F(DisasContext *s, arg_VMLS_F *a)
{
    return do_3same(a, gen_vmls_f, true);
}

/* (VFPv4 only: neon.c has already turned VFMA/VFMS away on a CPU without them) */
static bool trans_VFMA_F(DisasContext *s, arg_VFMA_F *a)
{
    return do_3same(a, gen_vfma_f, true);
}

static bool trans_VFMS_F(DisasContext *s, arg_VFMS_F *a)
{
    return do_3same(a, gen_vfms_f, true);
}

#define FLOAT2(name, helper)                                                         \
    static void gen_##name(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, TCGv_i64 d, int size) \
    {                                                                                \
        gen_float2(r, n, m, (void *)helper);                                         \
    }                                                                                \
    static bool trans_##name(DisasContext *s, arg_same3 *a)                          \
    {                                                                                \
        return do_3same(a, gen_##name, false);                                       \
    }
FLOAT2(VCEQ_F, helper_neon_fceq)
FLOAT2(VCGE_F, helper_neon_fcge)
FLOAT2(VCGT_F, helper_neon_fcgt)
FLOAT2(VACGE, helper_neon_facge)
FLOAT2(VACGT, helper_neon_facgt)
FLOAT2(VMAX_F, helper_neon_fmax)
FLOAT2(VMIN_F, helper_neon_fmin)

/* Compares and VMAX/VMIN: `u` selects unsigned elements; 64-bit elements are reserved. */
typedef void GenCmp(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, int size, bool uns);

static bool do_3same_u(arg_same3u *a, GenCmp *fn)
{
    if (a->size == 3 || !regs_ok(a->q, a->vd, a->vn, a->vm)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 n[2], m[2];
    for (int i = 0; i < regs; i++) {
        n[i] = ld_d(a->vn + i);
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64();
        fn(r, n[i], m[i], a->size, a->u);
        st_d(r, a->vd + i);
    }
    return true;
}

static void gen_vcgt(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, int size, bool uns)
{
    gen_gt_mask(r, n, m, size, uns);
}

static void gen_vcge(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, int size, bool uns)
{
    gen_gt_mask(r, m, n, size, uns);
    tcg_gen_not_i64(r, r);
}

static void gen_vmax(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, int size, bool uns)
{
    TCGv_i64 sel = tcg_temp_new_i64();
    gen_gt_mask(sel, n, m, size, uns);
    gen_select(r, sel, n, m);
}

static void gen_vmin(TCGv_i64 r, TCGv_i64 n, TCGv_i64 m, int size, bool uns)
{
    TCGv_i64 sel = tcg_temp_new_i64();
    gen_gt_mask(sel, n, m, size, uns);
    gen_select(r, sel, m, n);
}

static bool trans_VCGT(DisasContext *s, arg_VCGT *a)
{
    return do_3same_u(a, gen_vcgt);
}

static bool trans_VCGE(DisasContext *s, arg_VCGE *a)
{
    return do_3same_u(a, gen_vcge);
}

static bool trans_VMAX(DisasContext *s, arg_VMAX *a)
{
    return do_3same_u(a, gen_vmax);
}

static bool trans_VMIN(DisasContext *s, arg_VMIN *a)
{
    return do_3same_u(a, gen_vmin);
}

/* VQADD/VQSUB: saturating, signed or (u) unsigned, every element size; QC records a clip.
 * The carry or borrow out of each element (unsigned) or the signed overflow shows in the
 * element's top bit, computed from the operands' and the wrapped result's top bits. */
static bool do_qaddsub(arg_same3u *a, bool sub)
{
    if (!regs_ok(a->q, a->vd, a->vn, a->vm)) {
        return false;
    }
    int regs = a->q ? 2 : 1, bits = 8 << a->size;
    int64_t h = (int64_t)top_bits(bits);
    TCGv_i64 n[2], m[2], clipped = tcg_temp_new_i64();
    for (int i = 0; i < regs; i++) {
        n[i] = ld_d(a->vn + i);
        m[i] = ld_d(a->vm + i);
    }
    tcg_gen_movi_i64(clipped, 0);
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64(), o = tcg_temp_new_i64();
        gen_add_elems(r, n[i], m[i], a->size, sub);
        if (a->u && !sub) { /* carry: (n & m) | ((n | m) & ~r) */
            tcg_gen_and_i64(o, n[i], m[i]);
            tcg_gen_or_i64(t, n[i], m[i]);
            tcg_gen_andc_i64(t, t, r);
            tcg_gen_or_i64(o, o, t);
        } else if (a->u) { /* borrow: (~n & m) | (~(n ^ m) & r) */
            tcg_gen_andc_i64(o, m[i], n[i]);
            tcg_gen_eqv_i64(t, n[i], m[i]);
            tcg_gen_and_i64(t, t, r);
            tcg_gen_or_i64(o, o, t);
        } else { /* overflow: the operands' signs agree (add) or differ (sub), the
                  * result's does not follow n's */
            if (sub) {
                tcg_gen_xor_i64(o, n[i], m[i]);
            } else {
                tcg_gen_eqv_i64(o, n[i], m[i]);
            }
            tcg_gen_xor_i64(t, n[i], r);
            tcg_gen_and_i64(o, o, t);
        }
        tcg_gen_andi_i64(o, o, h);
        tcg_gen_or_i64(clipped, clipped, o);
        gen_spread_top(o, o, bits);
        if (a->u) { /* all ones after a carry, zero after a borrow */
            if (sub) {
                tcg_gen_andc_i64(r, r, o);
            } else {
                tcg_gen_or_i64(r, r, o);
            }
        } else { /* the limit on n's side: 0x7f.. for positive n, 0x80.. for negative */
            tcg_gen_andi_i64(t, n[i], h);
            gen_spread_top(t, t, bits);
            tcg_gen_xori_i64(t, t, ~h);
            gen_select(r, o, t, r);
        }
        st_d(r, a->vd + i);
    }
    /* QC is sticky: set it when any element clipped */
    TCGv_i32 qc = tcg_temp_new_i32(), any = tcg_temp_new_i32();
    TCGv_i64 any64 = tcg_temp_new_i64();
    tcg_gen_setcondi_i64(TCG_COND_NE, any64, clipped, 0);
    tcg_gen_extrl_i64_i32(any, any64);
    tcg_gen_ld_i32(qc, tcg_env, offsetof(ArmEnv, vfp.qc));
    tcg_gen_or_i32(qc, qc, any);
    tcg_gen_st_i32(qc, tcg_env, offsetof(ArmEnv, vfp.qc));
    return true;
}

static bool trans_VQADD(DisasContext *s, arg_VQADD *a)
{
    return do_qaddsub(a, false);
}

static bool trans_VQSUB(DisasContext *s, arg_VQSUB *a)
{
    return do_qaddsub(a, true);
}

/* ---- modified immediate ----------------------------------------------------------------- */

/* AdvSIMDExpandImm: the 64-bit constant of cmode/op/imm8; false for the unallocated
 * op = 1, cmode = 1111. */
static bool expand_imm(int op, int cmode, uint32_t imm8, uint64_t *out)
{
    uint64_t v;
    switch (cmode >> 1) {
    case 0:
    case 1:
    case 2:
    case 3: v = rep((uint64_t)imm8 << (8 * (cmode >> 1)), 32); break;
    case 4:
    case 5: v = rep((uint64_t)imm8 << (8 * ((cmode >> 1) & 1)), 16); break;
    case 6: v = rep(cmode & 1 ? (imm8 << 16 | 0xffffu) : (imm8 << 8 | 0xffu), 32); break;
    default:
        if (!(cmode & 1)) {
            if (!op) {
                v = rep(imm8, 8);
            } else { /* each bit of imm8 becomes a byte of ones or zeros */
                v = 0;
                for (int i = 0; i < 8; i++) {
                    if (imm8 & (1u << i)) {
                        v |= UINT64_C(0xff) << (8 * i);
                    }
                }
            }
        } else {
            if (op) {
                return false;
            }
            /* single-precision a:NOT(b):bbbbb:cdefgh:0{19} */
            uint32_t f = (imm8 & 0x80) << 24 | (imm8 & 0x40 ? 0x3e000000u : 0x40000000u) |
                         (imm8 & 0x3f) << 19;
            v = rep(f, 32);
        }
        break;
    }
    *out = v;
    return true;
}

static bool trans_VMODIMM(DisasContext *s, arg_VMODIMM *a)
{
    uint64_t imm;
    if ((a->q && (a->vd & 1)) || !expand_imm(a->op, a->cmode, (uint32_t)a->imm, &imm)) {
        return false;
    }
    /* odd cmode below 12: VORR (op 0) / VBIC (op 1) with Dd; else VMOV (op 0) / VMVN (op 1),
     * except cmode 1110 where op selects the byte-mask form of VMOV */
    bool logic = (a->cmode & 1) && a->cmode < 12;
    bool invert = a->op && a->cmode != 14;
    for (int i = 0; i < (a->q ? 2 : 1); i++) {
        if (!logic) {
            st_d(tcg_constant_i64((int64_t)(invert ? ~imm : imm)), a->vd + i);
            continue;
        }
        TCGv_i64 d = ld_d(a->vd + i);
        if (a->op) {
            tcg_gen_andi_i64(d, d, (int64_t)~imm);
        } else {
            tcg_gen_ori_i64(d, d, (int64_t)imm);
        }
        st_d(d, a->vd + i);
    }
    return true;
}

/* ---- shifts by immediate ---------------------------------------------------------------- */

/* Element bits and the right/left shift amounts of L:imm6; false when the encoding is not
 * a shift (imm6 < 8 with L = 0: the modified-immediate space). */
static bool shift_decode(arg_shift *a, int *bits, int *right, int *left)
{
    if (a->l) {
        *bits = 64;
    } else if (a->imm6 & 0x20) {
        *bits = 32;
    } else if (a->imm6 & 0x10) {
        *bits = 16;
    } else if (a->imm6 & 0x08) {
        *bits = 8;
    } else {
        return false;
    }
    *right = a->l ? 64 - a->imm6 : 2 * *bits - a->imm6;
    *left = a->l ? a->imm6 : a->imm6 - *bits;
    return regs_ok(a->q, a->vd, a->vm, 0);
}

/* r = x >> sh (1 <= sh <= bits) in every element, arithmetic when `sign`. */
static void gen_shr_elems(TCGv_i64 r, TCGv_i64 x, int bits, int sh, bool sign)
{
    if (bits == 64) {
        if (sign) {
            tcg_gen_sari_i64(r, x, (unsigned)(sh == 64 ? 63 : sh));
        } else if (sh == 64) {
            tcg_gen_movi_i64(r, 0);
        } else {
            tcg_gen_shri_i64(r, x, (unsigned)sh);
        }
        return;
    }
    uint64_t keep = sh == bits ? 0 : rep((UINT64_C(1) << (bits - sh)) - 1, bits);
    TCGv_i64 t = tcg_temp_new_i64();
    if (sign) { /* the sign of each element, in its bit 0, times the fill pattern */
        tcg_gen_andi_i64(t, x, (int64_t)top_bits(bits));
        tcg_gen_shri_i64(t, t, (unsigned)(bits - 1));
        tcg_gen_muli_i64(t, t, (int64_t)(((UINT64_C(1) << sh) - 1) << (bits - sh)));
    }
    tcg_gen_shri_i64(r, x, (unsigned)sh);
    tcg_gen_andi_i64(r, r, (int64_t)keep);
    if (sign) {
        tcg_gen_or_i64(r, r, t);
    }
}

/* r = x << sh (0 <= sh < bits) in every element. */
static void gen_shl_elems(TCGv_i64 r, TCGv_i64 x, int bits, int sh)
{
    tcg_gen_shli_i64(r, x, (unsigned)sh);
    if (bits < 64) {
        tcg_gen_andi_i64(r, r, (int64_t)rep(((UINT64_C(1) << bits) - 1) << sh, bits));
    }
}

/* VSHR, VSRA (acc), VSRI (insert), VSHL and VSLI (left). */
static bool do_shift(arg_shift *a, bool left, bool acc, bool insert)
{
    int bits, right, lsh;
    if (!shift_decode(a, &bits, &right, &lsh)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 m[2];
    for (int i = 0; i < regs; i++) {
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64();
        if (left) {
            gen_shl_elems(r, m[i], bits, lsh);
        } else {
            gen_shr_elems(r, m[i], bits, right, a->u == 0 && !insert);
        }
        if (acc) {
            gen_add_elems(r, ld_d(a->vd + i), r, bits == 64 ? 3 : __builtin_ctz(bits) - 3, false);
        } else if (insert) { /* Dd keeps the bits the shifted value does not cover */
            uint64_t ones = bits == 64 ? ~UINT64_C(0) : (UINT64_C(1) << bits) - 1;
            uint64_t covered = left ? ones << lsh : right == bits ? 0 : ones >> right;
            covered = rep(covered, bits);
            TCGv_i64 d = ld_d(a->vd + i);
            tcg_gen_andi_i64(d, d, (int64_t)~covered);
            tcg_gen_or_i64(r, r, d);
        }
        st_d(r, a->vd + i);
    }
    return true;
}

static bool trans_VSHR(DisasContext *s, arg_VSHR *a)
{
    return do_shift(a, false, false, false);
}

static bool trans_VSRA(DisasContext *s, arg_VSRA *a)
{
    return do_shift(a, false, true, false);
}

static bool trans_VSRI(DisasContext *s, arg_VSRI *a)
{
    return do_shift(a, false, false, true);
}

static bool trans_VSHL(DisasContext *s, arg_VSHL *a)
{
    return do_shift(a, true, false, false);
}

static bool trans_VSLI(DisasContext *s, arg_VSLI *a)
{
    return do_shift(a, true, false, true);
}

/* VMOVL (VSHLL by 0): Qd = Dm's elements widened, zero- (u) or sign-extended. */
static bool trans_VMOVL(DisasContext *s, arg_VMOVL *a)
{
    int bits = a->imm3 == 1 ? 8 : a->imm3 == 2 ? 16 : a->imm3 == 4 ? 32 : 0;
    if (!bits || (a->vd & 1)) {
        return false;
    }
    TCGv_i64 m = ld_d(a->vm), hi = tcg_temp_new_i64();
    tcg_gen_shri_i64(hi, m, 32);
    gen_unpack_halves(m, bits, !a->u);
    gen_unpack_halves(hi, bits, !a->u);
    st_d(m, a->vd);
    st_d(hi, a->vd + 1);
    return true;
}

/* ---- VEXT, VDUP, two registers miscellaneous ---------------------------------------------- */

/* Bits [sh, sh + 64) of hi:lo (0 <= sh < 64). */
static void gen_funnel(TCGv_i64 r, TCGv_i64 lo, TCGv_i64 hi, int sh)
{
    if (!sh) {
        tcg_gen_mov_i64(r, lo);
        return;
    }
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_shri_i64(r, lo, (unsigned)sh);
    tcg_gen_shli_i64(t, hi, (unsigned)(64 - sh));
    tcg_gen_or_i64(r, r, t);
}

static bool trans_VEXT(DisasContext *s, arg_VEXT *a)
{
    if (!regs_ok(a->q, a->vd, a->vn, a->vm) || (!a->q && a->imm4 > 7)) {
        return false;
    }
    if (!a->q) {
        TCGv_i64 n = ld_d(a->vn), m = ld_d(a->vm), r = tcg_temp_new_i64();
        gen_funnel(r, n, m, 8 * a->imm4);
        st_d(r, a->vd);
        return true;
    }
    /* bytes imm4 .. imm4 + 15 of Qm:Qn */
    TCGv_i64 w[4] = {ld_d(a->vn), ld_d(a->vn + 1), ld_d(a->vm), ld_d(a->vm + 1)};
    int k = a->imm4 / 8, sh = 8 * (a->imm4 % 8);
    TCGv_i64 r0 = tcg_temp_new_i64(), r1 = tcg_temp_new_i64();
    gen_funnel(r0, w[k], w[k + 1], sh);
    gen_funnel(r1, w[k + 1], w[k + 2], sh);
    st_d(r0, a->vd);
    st_d(r1, a->vd + 1);
    return true;
}

static bool trans_VDUP_S(DisasContext *s, arg_VDUP_S *a)
{
    int bits, idx;
    if (a->imm4 & 1) {
        bits = 8, idx = a->imm4 >> 1;
    } else if (a->imm4 & 2) {
        bits = 16, idx = a->imm4 >> 2;
    } else if (a->imm4 & 4) {
        bits = 32, idx = a->imm4 >> 3;
    } else {
        return false;
    }
    if (a->q && (a->vd & 1)) {
        return false;
    }
    TCGv_i64 v = ld_d(a->vm);
    tcg_gen_extract_i64(v, v, (unsigned)(idx * bits), (unsigned)bits);
    neon_gen_dup_i64(v, bits);
    st_d(v, a->vd);
    if (a->q) {
        st_d(v, a->vd + 1);
    }
    return true;
}

/* Two-register ops that work on whole D registers: r = (x & and_mask) ^ xor_mask. */
static bool do_2bits(arg_reg2 *a, int size, uint64_t and_mask, uint64_t xor_mask)
{
    if (a->size != size || !regs_ok(a->q, a->vd, a->vm, 0)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 m[2];
    for (int i = 0; i < regs; i++) {
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        if (and_mask != ~UINT64_C(0)) {
            tcg_gen_andi_i64(m[i], m[i], (int64_t)and_mask);
        }
        if (xor_mask) {
            tcg_gen_xori_i64(m[i], m[i], (int64_t)xor_mask);
        }
        st_d(m[i], a->vd + i);
    }
    return true;
}

/* VREV16/32/64: reverse the elements inside each group of `group` bits, by swapping
 * neighbours of every width from the element size up to half the group. */
static bool do_vrev(arg_reg2 *a, int group)
{
    int ebits = 8 << a->size;
    if (ebits >= group || !regs_ok(a->q, a->vd, a->vm, 0)) {
        return false;
    }
    int regs = a->q ? 2 : 1;
    TCGv_i64 m[2];
    for (int i = 0; i < regs; i++) {
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        for (int w = ebits; w < group; w *= 2) {
            if (w == 32) {
                tcg_gen_rotli_i64(m[i], m[i], 32);
                continue;
            }
            int64_t lo = (int64_t)rep((UINT64_C(1) << w) - 1, 2 * w);
            TCGv_i64 t = tcg_temp_new_i64();
            tcg_gen_shri_i64(t, m[i], (unsigned)w);
            tcg_gen_andi_i64(t, t, lo);
            tcg_gen_andi_i64(m[i], m[i], lo);
            tcg_gen_shli_i64(m[i], m[i], (unsigned)w);
            tcg_gen_or_i64(m[i], m[i], t);
        }
        st_d(m[i], a->vd + i);
    }
    return true;
}

static bool trans_VREV64(DisasContext *s, arg_VREV64 *a)
{
    return do_vrev(a, 64);
}

static bool trans_VREV32(DisasContext *s, arg_VREV32 *a)
{
    return do_vrev(a, 32);
}

static bool trans_VREV16(DisasContext *s, arg_VREV16 *a)
{
    return do_vrev(a, 16);
}

/* Integer two-register forms against zero, element by element (signed). kind: 0 > 0,
 * 1 >= 0, 2 == 0, 3 <= 0, 4 < 0, 6 VABS, 7 VNEG. */
static bool do_vs_zero(arg_reg2 *a, int kind)
{
    if (a->size == 3 || !regs_ok(a->q, a->vd, a->vm, 0)) {
        return false;
    }
    int regs = a->q ? 2 : 1, bits = 8 << a->size;
    TCGv_i64 m[2], zero = tcg_constant_i64(0);
    for (int i = 0; i < regs; i++) {
        m[i] = ld_d(a->vm + i);
    }
    for (int i = 0; i < regs; i++) {
        TCGv_i64 r = tcg_temp_new_i64(), t = tcg_temp_new_i64();
        switch (kind) {
        case 0: gen_gt_mask(r, m[i], zero, a->size, false); break;
        case 1:
            gen_gt_mask(r, zero, m[i], a->size, false);
            tcg_gen_not_i64(r, r);
            break;
        case 2: gen_test_elems(r, m[i], bits, true); break;
        case 3:
            gen_gt_mask(r, m[i], zero, a->size, false);
            tcg_gen_not_i64(r, r);
            break;
        case 4: gen_gt_mask(r, zero, m[i], a->size, false); break;
        case 6: /* negative elements negated: the most negative stays as it is */
            gen_add_elems(t, zero, m[i], a->size, true);
            gen_gt_mask(r, zero, m[i], a->size, false);
            gen_select(r, r, t, m[i]);
            break;
        default: gen_add_elems(r, zero, m[i], a->size, true); break;
        }
        st_d(r, a->vd + i);
    }
    return true;
}

static bool trans_VCGT0(DisasContext *s, arg_VCGT0 *a)
{
    return do_vs_zero(a, 0);
}

static bool trans_VCGE0(DisasContext *s, arg_VCGE0 *a)
{
    return do_vs_zero(a, 1);
}

static bool trans_VCEQ0(DisasContext *s, arg_VCEQ0 *a)
{
    return do_vs_zero(a, 2);
}

static bool trans_VCLE0(DisasContext *s, arg_VCLE0 *a)
{
    return do_vs_zero(a, 3);
}

static bool trans_VCLT0(DisasContext *s, arg_VCLT0 *a)
{
    return do_vs_zero(a, 4);
}

static bool trans_VABS_I(DisasContext *s, arg_VABS_I *a)
{
    return do_vs_zero(a, 6);
}

static bool trans_VNEG_I(DisasContext *s, arg_VNEG_I *a)
{
    return do_vs_zero(a, 7);
}

/* VMOVN: Dd = the low halves of Qm's elements. */
static bool trans_VMOVN(DisasContext *s, arg_VMOVN *a)
{
    if (a->size == 3 || (a->vm & 1)) {
        return false;
    }
    int bits = 8 << a->size; /* of the result's elements */
    int64_t low = (int64_t)rep((UINT64_C(1) << bits) - 1, 2 * bits);
    TCGv_i64 lo = ld_d(a->vm), hi = ld_d(a->vm + 1);
    tcg_gen_andi_i64(lo, lo, low);
    tcg_gen_andi_i64(hi, hi, low);
    gen_pack_halves(lo, bits);
    gen_pack_halves(hi, bits);
    tcg_gen_shli_i64(hi, hi, 32);
    tcg_gen_or_i64(lo, lo, hi);
    st_d(lo, a->vd);
    return true;
}

static bool trans_VMVN(DisasContext *s, arg_VMVN *a)
{
    return do_2bits(a, 0, ~UINT64_C(0), ~UINT64_C(0));
}

/* Float VABS/VNEG only touch the sign bits (no flushing, no NaN handling). */
static bool trans_VABS_F(DisasContext *s, arg_VABS_F *a)
{
    return do_2bits(a, 2, UINT64_C(0x7fffffff7fffffff), 0);
}

static bool trans_VNEG_F(DisasContext *s, arg_VNEG_F *a)
{
    return do_2bits(a, 2, ~UINT64_C(0), UINT64_C(0x8000000080000000));
}

static bool trans_VSWP(DisasContext *s, arg_VSWP *a)
{
    if (a->size != 0 || !regs_ok(a->q, a->vd, a->vm, 0)) {
        return false;
    }
    for (int i = 0; i < (a->q ? 2 : 1); i++) {
        TCGv_i64 d = ld_d(a->vd + i), m = ld_d(a->vm + i);
        st_d(d, a->vm + i);
        st_d(m, a->vd + i);
    }
    return true;
}

bool neon_translate_dp(DisasContext *s, uint32_t insn)
{
    return decode_neondp(s, insn);
}
