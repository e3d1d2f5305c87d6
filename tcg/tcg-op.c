/* tcg/tcg-op.c: the IR builder behind tcg/tcg-op.h: turns front-end calls into ops in the
 * current context's op list (type-generic cores plus thin i32/i64 wrappers). */
#include <stdarg.h>
#include <stdlib.h>

#include "tcg/tcg-internal.h"

#define TA(t) temp_arg(t)

static TCGTemp *cst(TCGType type, int64_t v)
{
    return tcg_const_temp(tcg_ctx, type, v);
}

static void op1(TCGOpcode opc, TCGType type, TCGTemp *r, TCGTemp *a)
{
    TCGOp *op = tcg_emit_op(opc, type, 1, 1, 0);
    op->args[0] = TA(r);
    op->args[1] = TA(a);
}

static void op2(TCGOpcode opc, TCGType type, TCGTemp *r, TCGTemp *a, TCGTemp *b)
{
    TCGOp *op = tcg_emit_op(opc, type, 1, 2, 0);
    op->args[0] = TA(r);
    op->args[1] = TA(a);
    op->args[2] = TA(b);
}

static void g_mov(TCGType type, TCGTemp *r, TCGTemp *a)
{
    if (r != a) {
        op1(INDEX_op_mov, type, r, a);
    }
}

static void g_double(TCGOpcode opc, TCGType type, TCGTemp *rl, TCGTemp *rh, TCGTemp *al,
                     TCGTemp *ah, TCGTemp *bl, TCGTemp *bh)
{
    TCGOp *op = tcg_emit_op(opc, type, 2, 4, 0);
    op->args[0] = TA(rl);
    op->args[1] = TA(rh);
    op->args[2] = TA(al);
    op->args[3] = TA(ah);
    op->args[4] = TA(bl);
    op->args[5] = TA(bh);
}

static void g_mul2(TCGOpcode opc, TCGType type, TCGTemp *rl, TCGTemp *rh, TCGTemp *a, TCGTemp *b)
{
    TCGOp *op = tcg_emit_op(opc, type, 2, 2, 0);
    op->args[0] = TA(rl);
    op->args[1] = TA(rh);
    op->args[2] = TA(a);
    op->args[3] = TA(b);
}

static int type_bits(TCGType type)
{
    return type == TCG_TYPE_I32 ? 32 : 64;
}

static void g_deposit(TCGType type, TCGTemp *r, TCGTemp *a, TCGTemp *b, unsigned pos, unsigned len)
{
    if (len == 0 || pos + len > (unsigned)type_bits(type)) {
        fprintf(stderr, "tcg: bad deposit field %u:%u\n", pos, len);
        abort();
    }
    TCGOp *op = tcg_emit_op(INDEX_op_deposit, type, 1, 2, 2);
    op->args[0] = TA(r);
    op->args[1] = TA(a);
    op->args[2] = TA(b);
    op->args[3] = pos;
    op->args[4] = len;
}

static void g_extract(TCGOpcode opc, TCGType type, TCGTemp *r, TCGTemp *a, unsigned pos,
                      unsigned len)
{
    if (len == 0 || pos + len > (unsigned)type_bits(type)) {
        fprintf(stderr, "tcg: bad extract field %u:%u\n", pos, len);
        abort();
    }
    TCGOp *op = tcg_emit_op(opc, type, 1, 1, 2);
    op->args[0] = TA(r);
    op->args[1] = TA(a);
    op->args[2] = pos;
    op->args[3] = len;
}

static void g_setcond(TCGOpcode opc, TCGType type, TCGCond c, TCGTemp *r, TCGTemp *a, TCGTemp *b)
{
    TCGOp *op = tcg_emit_op(opc, type, 1, 2, 1);
    op->args[0] = TA(r);
    op->args[1] = TA(a);
    op->args[2] = TA(b);
    op->args[3] = c;
}

static void g_movcond(TCGType type, TCGCond c, TCGTemp *r, TCGTemp *c1, TCGTemp *c2, TCGTemp *v1,
                      TCGTemp *v2)
{
    TCGOp *op = tcg_emit_op(INDEX_op_movcond, type, 1, 4, 1);
    op->args[0] = TA(r);
    op->args[1] = TA(c1);
    op->args[2] = TA(c2);
    op->args[3] = TA(v1);
    op->args[4] = TA(v2);
    op->args[5] = c;
}

static void g_brcond(TCGType type, TCGCond c, TCGTemp *a, TCGTemp *b, TCGLabel *l)
{
    if (c == TCG_COND_NEVER) {
        return;
    }
    TCGOp *op = tcg_emit_op(INDEX_op_brcond, type, 0, 2, 2);
    op->args[0] = TA(a);
    op->args[1] = TA(b);
    op->args[2] = c;
    op->args[3] = l->id;
    l->refs = true;
}

static void g_ld(TCGOpcode opc, TCGType type, TCGTemp *r, TCGTemp *base, intptr_t off)
{
    TCGOp *op = tcg_emit_op(opc, type, 1, 1, 1);
    op->args[0] = TA(r);
    op->args[1] = TA(base);
    op->args[2] = (TCGArg)off;
}

static void g_st(TCGOpcode opc, TCGType type, TCGTemp *v, TCGTemp *base, intptr_t off)
{
    TCGOp *op = tcg_emit_op(opc, type, 0, 2, 1);
    op->args[0] = TA(v);
    op->args[1] = TA(base);
    op->args[2] = (TCGArg)off;
}

static void g_qemu(TCGOpcode opc, TCGType type, TCGTemp *v, TCGv addr, unsigned mmu_idx, MemOp mop)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *at = tcgv_i64_temp((TCGv_i64)(void *)addr);
    if (type_bits((TCGType)at->type) != s->cfg.guest_addr_bits) {
        fprintf(stderr, "tcg: qemu_ld/st address width does not match the guest\n");
        abort();
    }
    if (type == TCG_TYPE_I32 && (mop & MO_SIZE) == MO_64) {
        fprintf(stderr, "tcg: 64-bit access into an i32 value\n");
        abort();
    }
    if (mmu_idx >= (unsigned)s->cfg.nb_mmu_modes) {
        fprintf(stderr, "tcg: mmu index %u out of range\n", mmu_idx);
        abort();
    }
    if (opc == INDEX_op_qemu_st) {
        mop &= ~MO_SIGN;
    }
    if ((mop & MO_SIZE) == MO_8) {
        mop &= ~MO_BSWAP;
    }
    if ((mop & MO_SIZE) == (MemOp)(type == TCG_TYPE_I32 ? MO_32 : MO_64)) {
        mop &= ~MO_SIGN;
    }
    bool ld = opc == INDEX_op_qemu_ld;
    TCGOp *op = tcg_emit_op(opc, type, ld ? 1 : 0, ld ? 1 : 2, 1);
    op->args[0] = TA(v);
    op->args[1] = TA(at);
    op->args[2] = make_memop_idx(mop, mmu_idx);
}

/* Shift by an immediate: counts are taken modulo the width like the register form. */
static void g_shifti(TCGOpcode opc, TCGType type, TCGTemp *r, TCGTemp *a, unsigned n)
{
    n &= type_bits(type) - 1;
    if (n == 0) {
        g_mov(type, r, a);
    } else {
        op2(opc, type, r, a, cst(type, n));
    }
}

#define OP_WRAPPERS(X, T, I, TY, TMP)                                                      \
    void tcg_gen_mov_##X(T r, T a)                                                         \
    {                                                                                      \
        g_mov(TY, TMP(r), TMP(a));                                                         \
    }                                                                                      \
    void tcg_gen_movi_##X(T r, I v)                                                        \
    {                                                                                      \
        op1(INDEX_op_mov, TY, TMP(r), cst(TY, v));                                         \
    }                                                                                      \
    void tcg_gen_add_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_add, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_addi_##X(T r, T a, I b)                                                   \
    {                                                                                      \
        op2(INDEX_op_add, TY, TMP(r), TMP(a), cst(TY, b));                                 \
    }                                                                                      \
    void tcg_gen_sub_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_sub, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_subi_##X(T r, T a, I b)                                                   \
    {                                                                                      \
        op2(INDEX_op_sub, TY, TMP(r), TMP(a), cst(TY, b));                                 \
    }                                                                                      \
    void tcg_gen_subfi_##X(T r, I a, T b)                                                  \
    {                                                                                      \
        op2(INDEX_op_sub, TY, TMP(r), cst(TY, a), TMP(b));                                 \
    }                                                                                      \
    void tcg_gen_mul_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_mul, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_muli_##X(T r, T a, I b)                                                   \
    {                                                                                      \
        op2(INDEX_op_mul, TY, TMP(r), TMP(a), cst(TY, b));                                 \
    }                                                                                      \
    void tcg_gen_neg_##X(T r, T a)                                                         \
    {                                                                                      \
        op1(INDEX_op_neg, TY, TMP(r), TMP(a));                                             \
    }                                                                                      \
    void tcg_gen_and_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_and, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_andi_##X(T r, T a, I b)                                                   \
    {                                                                                      \
        op2(INDEX_op_and, TY, TMP(r), TMP(a), cst(TY, b));                                 \
    }                                                                                      \
    void tcg_gen_or_##X(T r, T a, T b)                                                     \
    {                                                                                      \
        op2(INDEX_op_or, TY, TMP(r), TMP(a), TMP(b));                                      \
    }                                                                                      \
    void tcg_gen_ori_##X(T r, T a, I b)                                                    \
    {                                                                                      \
        op2(INDEX_op_or, TY, TMP(r), TMP(a), cst(TY, b));                                  \
    }                                                                                      \
    void tcg_gen_xor_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_xor, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_xori_##X(T r, T a, I b)                                                   \
    {                                                                                      \
        op2(INDEX_op_xor, TY, TMP(r), TMP(a), cst(TY, b));                                 \
    }                                                                                      \
    void tcg_gen_not_##X(T r, T a)                                                         \
    {                                                                                      \
        op1(INDEX_op_not, TY, TMP(r), TMP(a));                                             \
    }                                                                                      \
    void tcg_gen_andc_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_andc, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_orc_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_orc, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_nand_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_nand, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_nor_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_nor, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_eqv_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_eqv, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_shl_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_shl, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_shli_##X(T r, T a, unsigned b)                                            \
    {                                                                                      \
        g_shifti(INDEX_op_shl, TY, TMP(r), TMP(a), b);                                     \
    }                                                                                      \
    void tcg_gen_shr_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_shr, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_shri_##X(T r, T a, unsigned b)                                            \
    {                                                                                      \
        g_shifti(INDEX_op_shr, TY, TMP(r), TMP(a), b);                                     \
    }                                                                                      \
    void tcg_gen_sar_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_sar, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_sari_##X(T r, T a, unsigned b)                                            \
    {                                                                                      \
        g_shifti(INDEX_op_sar, TY, TMP(r), TMP(a), b);                                     \
    }                                                                                      \
    void tcg_gen_rotl_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_rotl, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_rotli_##X(T r, T a, unsigned b)                                           \
    {                                                                                      \
        g_shifti(INDEX_op_rotl, TY, TMP(r), TMP(a), b);                                    \
    }                                                                                      \
    void tcg_gen_rotr_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_rotr, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_rotri_##X(T r, T a, unsigned b)                                           \
    {                                                                                      \
        g_shifti(INDEX_op_rotr, TY, TMP(r), TMP(a), b);                                    \
    }                                                                                      \
    void tcg_gen_div_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_div, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_divu_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_divu, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_rem_##X(T r, T a, T b)                                                    \
    {                                                                                      \
        op2(INDEX_op_rem, TY, TMP(r), TMP(a), TMP(b));                                     \
    }                                                                                      \
    void tcg_gen_remu_##X(T r, T a, T b)                                                   \
    {                                                                                      \
        op2(INDEX_op_remu, TY, TMP(r), TMP(a), TMP(b));                                    \
    }                                                                                      \
    void tcg_gen_add2_##X(T rl, T rh, T al, T ah, T bl, T bh)                              \
    {                                                                                      \
        g_double(INDEX_op_add2, TY, TMP(rl), TMP(rh), TMP(al), TMP(ah), TMP(bl), TMP(bh)); \
    }                                                                                      \
    void tcg_gen_sub2_##X(T rl, T rh, T al, T ah, T bl, T bh)                              \
    {                                                                                      \
        g_double(INDEX_op_sub2, TY, TMP(rl), TMP(rh), TMP(al), TMP(ah), TMP(bl), TMP(bh)); \
    }                                                                                      \
    void tcg_gen_mulu2_##X(T rl, T rh, T a, T b)                                           \
    {                                                                                      \
        g_mul2(INDEX_op_mulu2, TY, TMP(rl), TMP(rh), TMP(a), TMP(b));                      \
    }                                                                                      \
    void tcg_gen_muls2_##X(T rl, T rh, T a, T b)                                           \
    {                                                                                      \
        g_mul2(INDEX_op_muls2, TY, TMP(rl), TMP(rh), TMP(a), TMP(b));                      \
    }                                                                                      \
    void tcg_gen_ext8s_##X(T r, T a)                                                       \
    {                                                                                      \
        op1(INDEX_op_ext8s, TY, TMP(r), TMP(a));                                           \
    }                                                                                      \
    void tcg_gen_ext8u_##X(T r, T a)                                                       \
    {                                                                                      \
        op1(INDEX_op_ext8u, TY, TMP(r), TMP(a));                                           \
    }                                                                                      \
    void tcg_gen_ext16s_##X(T r, T a)                                                      \
    {                                                                                      \
        op1(INDEX_op_ext16s, TY, TMP(r), TMP(a));                                          \
    }                                                                                      \
    void tcg_gen_ext16u_##X(T r, T a)                                                      \
    {                                                                                      \
        op1(INDEX_op_ext16u, TY, TMP(r), TMP(a));                                          \
    }                                                                                      \
    void tcg_gen_bswap16_##X(T r, T a)                                                     \
    {                                                                                      \
        op1(INDEX_op_bswap16, TY, TMP(r), TMP(a));                                         \
    }                                                                                      \
    void tcg_gen_bswap32_##X(T r, T a)                                                     \
    {                                                                                      \
        op1(INDEX_op_bswap32, TY, TMP(r), TMP(a));                                         \
    }                                                                                      \
    void tcg_gen_deposit_##X(T r, T a, T b, unsigned pos, unsigned len)                    \
    {                                                                                      \
        g_deposit(TY, TMP(r), TMP(a), TMP(b), pos, len);                                   \
    }                                                                                      \
    void tcg_gen_extract_##X(T r, T a, unsigned pos, unsigned len)                         \
    {                                                                                      \
        g_extract(INDEX_op_extract, TY, TMP(r), TMP(a), pos, len);                         \
    }                                                                                      \
    void tcg_gen_sextract_##X(T r, T a, unsigned pos, unsigned len)                        \
    {                                                                                      \
        g_extract(INDEX_op_sextract, TY, TMP(r), TMP(a), pos, len);                        \
    }                                                                                      \
    void tcg_gen_setcond_##X(TCGCond c, T r, T a, T b)                                     \
    {                                                                                      \
        g_setcond(INDEX_op_setcond, TY, c, TMP(r), TMP(a), TMP(b));                        \
    }                                                                                      \
    void tcg_gen_setcondi_##X(TCGCond c, T r, T a, I b)                                    \
    {                                                                                      \
        g_setcond(INDEX_op_setcond, TY, c, TMP(r), TMP(a), cst(TY, b));                    \
    }                                                                                      \
    void tcg_gen_negsetcond_##X(TCGCond c, T r, T a, T b)                                  \
    {                                                                                      \
        g_setcond(INDEX_op_negsetcond, TY, c, TMP(r), TMP(a), TMP(b));                     \
    }                                                                                      \
    void tcg_gen_movcond_##X(TCGCond c, T r, T c1, T c2, T v1, T v2)                       \
    {                                                                                      \
        g_movcond(TY, c, TMP(r), TMP(c1), TMP(c2), TMP(v1), TMP(v2));                      \
    }                                                                                      \
    void tcg_gen_clz_##X(T r, T a, T z)                                                    \
    {                                                                                      \
        op2(INDEX_op_clz, TY, TMP(r), TMP(a), TMP(z));                                     \
    }                                                                                      \
    void tcg_gen_clzi_##X(T r, T a, I z)                                                   \
    {                                                                                      \
        op2(INDEX_op_clz, TY, TMP(r), TMP(a), cst(TY, z));                                 \
    }                                                                                      \
    void tcg_gen_ctz_##X(T r, T a, T z)                                                    \
    {                                                                                      \
        op2(INDEX_op_ctz, TY, TMP(r), TMP(a), TMP(z));                                     \
    }                                                                                      \
    void tcg_gen_ctzi_##X(T r, T a, I z)                                                   \
    {                                                                                      \
        op2(INDEX_op_ctz, TY, TMP(r), TMP(a), cst(TY, z));                                 \
    }                                                                                      \
    void tcg_gen_ctpop_##X(T r, T a)                                                       \
    {                                                                                      \
        op1(INDEX_op_ctpop, TY, TMP(r), TMP(a));                                           \
    }                                                                                      \
    void tcg_gen_ld8u_##X(T r, TCGv_ptr base, intptr_t off)                                \
    {                                                                                      \
        g_ld(INDEX_op_ld8u, TY, TMP(r), tcgv_ptr_temp(base), off);                         \
    }                                                                                      \
    void tcg_gen_ld8s_##X(T r, TCGv_ptr base, intptr_t off)                                \
    {                                                                                      \
        g_ld(INDEX_op_ld8s, TY, TMP(r), tcgv_ptr_temp(base), off);                         \
    }                                                                                      \
    void tcg_gen_ld16u_##X(T r, TCGv_ptr base, intptr_t off)                               \
    {                                                                                      \
        g_ld(INDEX_op_ld16u, TY, TMP(r), tcgv_ptr_temp(base), off);                        \
    }                                                                                      \
    void tcg_gen_ld16s_##X(T r, TCGv_ptr base, intptr_t off)                               \
    {                                                                                      \
        g_ld(INDEX_op_ld16s, TY, TMP(r), tcgv_ptr_temp(base), off);                        \
    }                                                                                      \
    void tcg_gen_ld_##X(T r, TCGv_ptr base, intptr_t off)                                  \
    {                                                                                      \
        g_ld(INDEX_op_ld, TY, TMP(r), tcgv_ptr_temp(base), off);                           \
    }                                                                                      \
    void tcg_gen_st8_##X(T v, TCGv_ptr base, intptr_t off)                                 \
    {                                                                                      \
        g_st(INDEX_op_st8, TY, TMP(v), tcgv_ptr_temp(base), off);                          \
    }                                                                                      \
    void tcg_gen_st16_##X(T v, TCGv_ptr base, intptr_t off)                                \
    {                                                                                      \
        g_st(INDEX_op_st16, TY, TMP(v), tcgv_ptr_temp(base), off);                         \
    }                                                                                      \
    void tcg_gen_st_##X(T v, TCGv_ptr base, intptr_t off)                                  \
    {                                                                                      \
        g_st(INDEX_op_st, TY, TMP(v), tcgv_ptr_temp(base), off);                           \
    }                                                                                      \
    void tcg_gen_qemu_ld_##X(T r, TCGv addr, unsigned mmu_idx, MemOp mop)                  \
    {                                                                                      \
        g_qemu(INDEX_op_qemu_ld, TY, TMP(r), addr, mmu_idx, mop);                          \
    }                                                                                      \
    void tcg_gen_qemu_st_##X(T v, TCGv addr, unsigned mmu_idx, MemOp mop)                  \
    {                                                                                      \
        g_qemu(INDEX_op_qemu_st, TY, TMP(v), addr, mmu_idx, mop);                          \
    }

OP_WRAPPERS(i32, TCGv_i32, int32_t, TCG_TYPE_I32, tcgv_i32_temp)
OP_WRAPPERS(i64, TCGv_i64, int64_t, TCG_TYPE_I64, tcgv_i64_temp)

void tcg_gen_brcond_i32(TCGCond c, TCGv_i32 a, TCGv_i32 b, TCGLabel *l)
{
    g_brcond(TCG_TYPE_I32, c, tcgv_i32_temp(a), tcgv_i32_temp(b), l);
}
void tcg_gen_brcondi_i32(TCGCond c, TCGv_i32 a, int32_t b, TCGLabel *l)
{
    g_brcond(TCG_TYPE_I32, c, tcgv_i32_temp(a), cst(TCG_TYPE_I32, b), l);
}
void tcg_gen_brcond_i64(TCGCond c, TCGv_i64 a, TCGv_i64 b, TCGLabel *l)
{
    g_brcond(TCG_TYPE_I64, c, tcgv_i64_temp(a), tcgv_i64_temp(b), l);
}
void tcg_gen_brcondi_i64(TCGCond c, TCGv_i64 a, int64_t b, TCGLabel *l)
{
    g_brcond(TCG_TYPE_I64, c, tcgv_i64_temp(a), cst(TCG_TYPE_I64, b), l);
}

void tcg_gen_ext32s_i64(TCGv_i64 r, TCGv_i64 a)
{
    op1(INDEX_op_ext32s, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_i64_temp(a));
}
void tcg_gen_ext32u_i64(TCGv_i64 r, TCGv_i64 a)
{
    op1(INDEX_op_ext32u, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_i64_temp(a));
}
void tcg_gen_bswap64_i64(TCGv_i64 r, TCGv_i64 a)
{
    op1(INDEX_op_bswap64, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_i64_temp(a));
}
void tcg_gen_ld32u_i64(TCGv_i64 r, TCGv_ptr base, intptr_t off)
{
    g_ld(INDEX_op_ld32u, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_ptr_temp(base), off);
}
void tcg_gen_ld32s_i64(TCGv_i64 r, TCGv_ptr base, intptr_t off)
{
    g_ld(INDEX_op_ld32s, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_ptr_temp(base), off);
}
void tcg_gen_st32_i64(TCGv_i64 v, TCGv_ptr base, intptr_t off)
{
    g_st(INDEX_op_st32, TCG_TYPE_I64, tcgv_i64_temp(v), tcgv_ptr_temp(base), off);
}

void tcg_gen_extu_i32_i64(TCGv_i64 r, TCGv_i32 a)
{
    op1(INDEX_op_extu_i32_i64, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_i32_temp(a));
}
void tcg_gen_ext_i32_i64(TCGv_i64 r, TCGv_i32 a)
{
    op1(INDEX_op_ext_i32_i64, TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_i32_temp(a));
}
void tcg_gen_extrl_i64_i32(TCGv_i32 r, TCGv_i64 a)
{
    op1(INDEX_op_extrl_i64_i32, TCG_TYPE_I32, tcgv_i32_temp(r), tcgv_i64_temp(a));
}
void tcg_gen_extrh_i64_i32(TCGv_i32 r, TCGv_i64 a)
{
    op1(INDEX_op_extrh_i64_i32, TCG_TYPE_I32, tcgv_i32_temp(r), tcgv_i64_temp(a));
}

void tcg_gen_mov_ptr(TCGv_ptr r, TCGv_ptr a)
{
    g_mov(TCG_TYPE_PTR, tcgv_ptr_temp(r), tcgv_ptr_temp(a));
}
void tcg_gen_movi_ptr(TCGv_ptr r, intptr_t v)
{
    op1(INDEX_op_mov, TCG_TYPE_PTR, tcgv_ptr_temp(r), cst(TCG_TYPE_PTR, v));
}
void tcg_gen_add_ptr(TCGv_ptr r, TCGv_ptr a, TCGv_ptr b)
{
    op2(INDEX_op_add, TCG_TYPE_PTR, tcgv_ptr_temp(r), tcgv_ptr_temp(a), tcgv_ptr_temp(b));
}
void tcg_gen_addi_ptr(TCGv_ptr r, TCGv_ptr a, intptr_t b)
{
    op2(INDEX_op_add, TCG_TYPE_PTR, tcgv_ptr_temp(r), tcgv_ptr_temp(a), cst(TCG_TYPE_PTR, b));
}
void tcg_gen_ld_ptr(TCGv_ptr r, TCGv_ptr base, intptr_t off)
{
    g_ld(INDEX_op_ld, TCG_TYPE_PTR, tcgv_ptr_temp(r), tcgv_ptr_temp(base), off);
}
void tcg_gen_st_ptr(TCGv_ptr v, TCGv_ptr base, intptr_t off)
{
    g_st(INDEX_op_st, TCG_TYPE_PTR, tcgv_ptr_temp(v), tcgv_ptr_temp(base), off);
}
void tcg_gen_ext_i32_ptr(TCGv_ptr r, TCGv_i32 a)
{
    op1(INDEX_op_extu_i32_i64, TCG_TYPE_I64, tcgv_ptr_temp(r), tcgv_i32_temp(a));
}
void tcg_gen_ext_i64_ptr(TCGv_ptr r, TCGv_i64 a)
{
    g_mov(TCG_TYPE_PTR, tcgv_ptr_temp(r), tcgv_i64_temp(a));
}
void tcg_gen_ptr_as_i64(TCGv_i64 r, TCGv_ptr a)
{
    g_mov(TCG_TYPE_I64, tcgv_i64_temp(r), tcgv_ptr_temp(a));
}

/* ---- control flow ---- */

void tcg_gen_insn_start(uint64_t w0, uint64_t w1, uint64_t w2)
{
    TCGContext *s = tcg_ctx;
    if (++s->nb_insns > TCG_MAX_INSNS) {
        s->build_error = true;
    }
    TCGOp *op = tcg_emit_op(INDEX_op_insn_start, TCG_TYPE_I64, 0, 0, 3);
    op->args[0] = w0;
    op->args[1] = w1;
    op->args[2] = w2;
}

void tcg_gen_set_label(TCGLabel *l)
{
    TCGOp *op = tcg_emit_op(INDEX_op_set_label, TCG_TYPE_I64, 0, 0, 1);
    op->args[0] = l->id;
}

void tcg_gen_br(TCGLabel *l)
{
    TCGOp *op = tcg_emit_op(INDEX_op_br, TCG_TYPE_I64, 0, 0, 1);
    op->args[0] = l->id;
    l->refs = true;
}

void tcg_gen_goto_tb(unsigned n)
{
    if (n > 1) {
        fprintf(stderr, "tcg: goto_tb slot %u (only 0 and 1 exist)\n", n);
        abort();
    }
    TCGOp *op = tcg_emit_op(INDEX_op_goto_tb, TCG_TYPE_I64, 0, 0, 1);
    op->args[0] = n;
}

void tcg_gen_exit_tb(uintptr_t val)
{
    TCGOp *op = tcg_emit_op(INDEX_op_exit_tb, TCG_TYPE_I64, 0, 0, 1);
    op->args[0] = val;
}

void tcg_gen_goto_ptr(TCGv_ptr p)
{
    TCGOp *op = tcg_emit_op(INDEX_op_goto_ptr, TCG_TYPE_I64, 0, 1, 0);
    op->args[0] = TA(tcgv_ptr_temp(p));
}

void tcg_gen_mb(unsigned kind)
{
    TCGOp *op = tcg_emit_op(INDEX_op_mb, TCG_TYPE_I64, 0, 0, 1);
    op->args[0] = kind;
}

void tcg_gen_call(void *func, unsigned flags, TCGTemp *ret, int nargs, TCGTemp *const *args)
{
    if (nargs > TCG_MAX_CALL_ARGS) {
        fprintf(stderr, "tcg: helper call with %d arguments (max %d)\n", nargs, TCG_MAX_CALL_ARGS);
        abort();
    }
    int nb_o = ret ? 1 : 0;
    TCGOp *op = tcg_emit_op(INDEX_op_call, ret ? (TCGType)ret->type : TCG_TYPE_I64, nb_o, nargs, 2);
    int k = 0;
    if (ret) {
        op->args[k++] = TA(ret);
    }
    for (int i = 0; i < nargs; i++) {
        op->args[k++] = TA(args[i]);
    }
    op->args[k++] = (TCGArg)func;
    op->args[k++] = flags;
}

void tcg_gen_calln(void *func, unsigned flags, TCGTemp *ret, int nargs, ...)
{
    TCGTemp *args[TCG_MAX_CALL_ARGS + 1];
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs && i <= TCG_MAX_CALL_ARGS; i++) {
        args[i] = va_arg(ap, TCGTemp *);
    }
    va_end(ap);
    tcg_gen_call(func, flags, ret, nargs, args);
}

/* ---- compositions ---- */

void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(t, lo);
    tcg_gen_extu_i32_i64(ret, hi);
    tcg_gen_shli_i64(ret, ret, 32);
    tcg_gen_or_i64(ret, ret, t);
    tcg_temp_free_i64(t);
}

void tcg_gen_extr_i64_i32(TCGv_i32 lo, TCGv_i32 hi, TCGv_i64 a)
{
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_mov_i64(t, a); /* a may be overwritten by lo/hi only if it aliases: it cannot */
    tcg_gen_extrl_i64_i32(lo, t);
    tcg_gen_extrh_i64_i32(hi, t);
    tcg_temp_free_i64(t);
}

#define COMPOSED(X, T, TY, W)                                              \
    void tcg_gen_abs_##X(T r, T a)                                         \
    {                                                                      \
        T n = tcg_temp_new_##X();                                          \
        tcg_gen_neg_##X(n, a);                                             \
        tcg_gen_movcond_##X(TCG_COND_LT, r, a, tcg_constant_##X(0), n, a); \
        tcg_temp_free_##X(n);                                              \
    }                                                                      \
    void tcg_gen_smin_##X(T r, T a, T b)                                   \
    {                                                                      \
        tcg_gen_movcond_##X(TCG_COND_LT, r, a, b, a, b);                   \
    }                                                                      \
    void tcg_gen_smax_##X(T r, T a, T b)                                   \
    {                                                                      \
        tcg_gen_movcond_##X(TCG_COND_GT, r, a, b, a, b);                   \
    }                                                                      \
    void tcg_gen_umin_##X(T r, T a, T b)                                   \
    {                                                                      \
        tcg_gen_movcond_##X(TCG_COND_LTU, r, a, b, a, b);                  \
    }                                                                      \
    void tcg_gen_umax_##X(T r, T a, T b)                                   \
    {                                                                      \
        tcg_gen_movcond_##X(TCG_COND_GTU, r, a, b, a, b);                  \
    }                                                                      \
    void tcg_gen_muluh_##X(T r, T a, T b)                                  \
    {                                                                      \
        T lo = tcg_temp_new_##X();                                         \
        tcg_gen_mulu2_##X(lo, r, a, b);                                    \
        tcg_temp_free_##X(lo);                                             \
    }                                                                      \
    void tcg_gen_mulsh_##X(T r, T a, T b)                                  \
    {                                                                      \
        T lo = tcg_temp_new_##X();                                         \
        tcg_gen_muls2_##X(lo, r, a, b);                                    \
        tcg_temp_free_##X(lo);                                             \
    }

COMPOSED(i32, TCGv_i32, TCG_TYPE_I32, 32)
COMPOSED(i64, TCGv_i64, TCG_TYPE_I64, 64)
