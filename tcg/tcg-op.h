/* tcg/tcg-op.h: the IR builder used by guest front-ends (cpu/<arch>/) and cpu/ to emit ops
 * into the current context of the thread (the one given to tcg_func_start). */
#ifndef MIMIC_TCG_TCG_OP_H
#define MIMIC_TCG_TCG_OP_H

#include "tcg/tcg.h"

/*
 * Values:
 *  - TCGv_i32, TCGv_i64, TCGv_ptr (= i64 on the host): opaque handles to IR temporaries.
 *  - Globals (tcg_global_mem_new_*) are bound to a field of env at an offset. They are
 *    registered once per process, before translating, and their handles are valid in every
 *    context (keep them in static variables). Generated code keeps them in host registers
 *    within a basic block and writes them back to env at block ends, before helper calls
 *    that read globals and before anything that can raise (qemu_ld/st, calls).
 *  - tcg_temp_new_*: normal temps, valid within one basic block only: their value is lost
 *    at any label, br, brcond, goto_tb, exit_tb, goto_ptr.
 *  - tcg_temp_local_new_*: local temps, keep their value across branches in the block.
 *  - tcg_constant_*: read-only constants (never write to them).
 *  Temps may be released with tcg_temp_free_* so that long blocks reuse them (optional).
 *
 * Op semantics worth knowing:
 *  - shifts/rotates: the count is taken modulo the width (x86 semantics); front-ends
 *    handle guests with other rules.
 *  - div/divu/rem/remu: x / 0 == 0 and x % 0 == x; signed MIN / -1 == MIN and
 *    MIN % -1 == 0. Never a host fault; front-ends guard where the guest traps.
 *  - clz/ctz(ret, a, z): count of zeros, z if a == 0. ctpop: population count.
 *  - bswap16/32 (and bswap16/32 on i64): swap the low 2/4 bytes, result zero-extended;
 *    higher input bits are ignored.
 *  - deposit(ret, a, b, pos, len): a with bits [pos, pos+len) replaced by the low len bits
 *    of b. extract/sextract(ret, a, pos, len): bits [pos, pos+len) of a, zero/sign
 *    extended. 0 < len, pos + len <= width.
 *  - add2/sub2(rl, rh, al, ah, bl, bh): double-word add/sub; mulu2/muls2(rl, rh, a, b):
 *    full double-width product.
 *  - setcond gives 0/1, negsetcond 0/-1; movcond(ret, c, c1, c2, v1, v2) = c(c1,c2)?v1:v2.
 *  - ld/st: host loads/stores at base + offset (for env fields: base = tcg_env).
 *  - qemu_ld/st: guest memory through the soft-MMU; addr is an i32 temp for 32-bit guests
 *    and an i64 temp for 64-bit guests (TCGConfig.guest_addr_bits), passed as TCGv via
 *    tcg_addr_i32()/tcg_addr_i64(). For i32 values MO_64 is not allowed.
 *  - mb: memory barrier (x86-64 hosts: only a full barrier emits mfence).
 *
 * Rules for front-ends:
 *  - Never access the env field of a global with ld/st (or a helper that does not
 *    declare it reads/writes globals) in the same block: the global may be held in a
 *    host register and written back later.
 *  - Helper parameters and results must be 32- or 64-bit C types (int32_t, uint32_t,
 *    uint64_t, pointers): an i32 value's upper register half is undefined, and the
 *    upper bits of bool/char/short results are not defined by the ABI.
 *  - A value kept across a label, br or brcond must be a global or a local temp.
 *  - Use a helper for anything longer than ~20 ops.
 */

typedef struct TCGv_i32_d *TCGv_i32;
typedef struct TCGv_i64_d *TCGv_i64;
typedef struct TCGv_ptr_d *TCGv_ptr;
typedef struct TCGv_d *TCGv; /* guest address (i32 or i64 temp) */
typedef struct TCGLabel TCGLabel;
typedef struct TCGTemp TCGTemp; /* any temp, for helper-call arguments */

/* The env pointer (first argument of tcg_exec), a fixed global. */
extern const TCGv_ptr tcg_env;

typedef enum TCGCond {
    TCG_COND_NEVER,
    TCG_COND_ALWAYS,
    TCG_COND_EQ,
    TCG_COND_NE,
    TCG_COND_LT, /* signed */
    TCG_COND_GE,
    TCG_COND_LE,
    TCG_COND_GT,
    TCG_COND_LTU, /* unsigned */
    TCG_COND_GEU,
    TCG_COND_LEU,
    TCG_COND_GTU,
    TCG_COND_TSTEQ, /* (a & b) == 0 */
    TCG_COND_TSTNE, /* (a & b) != 0 */
    TCG_COND_COUNT,
} TCGCond;

/* Helper-call flags. 0 (the safe default) = reads and writes globals, has side effects,
 * may raise (unwind with siglongjmp). */
enum {
    TCG_CALL_NO_READ_GLOBALS = 1,  /* does not read IR globals from env */
    TCG_CALL_NO_WRITE_GLOBALS = 2, /* does not modify IR globals in env */
    TCG_CALL_NO_SIDE_EFFECTS = 4,  /* may be removed when its result is unused */
    TCG_CALL_NO_UNWIND = 8,        /* never raises / never leaves via siglongjmp */
    TCG_CALL_NO_RWG = TCG_CALL_NO_READ_GLOBALS | TCG_CALL_NO_WRITE_GLOBALS,
    TCG_CALL_PURE = TCG_CALL_NO_RWG | TCG_CALL_NO_SIDE_EFFECTS | TCG_CALL_NO_UNWIND,
};
#define TCG_MAX_CALL_ARGS 8 /* SysV: 6 in registers, the rest on the stack */

/* Memory-barrier kinds for tcg_gen_mb. */
enum {
    TCG_MB_LD_LD = 1,
    TCG_MB_ST_LD = 2,
    TCG_MB_LD_ST = 4,
    TCG_MB_ST_ST = 8,
    TCG_MB_ALL = 15,
};

/* ---- Temps, globals, constants, labels ---- */
TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name);
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name);
TCGv_ptr tcg_global_mem_new_ptr(intptr_t offset, const char *name);
TCGv_i32 tcg_temp_new_i32(void);
TCGv_i64 tcg_temp_new_i64(void);
TCGv_ptr tcg_temp_new_ptr(void);
TCGv_i32 tcg_temp_local_new_i32(void);
TCGv_i64 tcg_temp_local_new_i64(void);
void tcg_temp_free_i32(TCGv_i32 t);
void tcg_temp_free_i64(TCGv_i64 t);
void tcg_temp_free_ptr(TCGv_ptr t);
TCGv_i32 tcg_constant_i32(int32_t v);
TCGv_i64 tcg_constant_i64(int64_t v);
TCGv_ptr tcg_constant_ptr(intptr_t v);
TCGLabel *tcg_label_new(void);

TCGTemp *tcgv_i32_temp(TCGv_i32 v);
TCGTemp *tcgv_i64_temp(TCGv_i64 v);
TCGTemp *tcgv_ptr_temp(TCGv_ptr v);
static inline TCGv tcg_addr_i32(TCGv_i32 v)
{
    return (TCGv)(void *)v;
}
static inline TCGv tcg_addr_i64(TCGv_i64 v)
{
    return (TCGv)(void *)v;
}

/* ---- Control flow and block structure ---- */
void tcg_gen_insn_start(uint64_t w0, uint64_t w1, uint64_t w2);
void tcg_gen_set_label(TCGLabel *l);
void tcg_gen_br(TCGLabel *l);
void tcg_gen_brcond_i32(TCGCond c, TCGv_i32 a, TCGv_i32 b, TCGLabel *l);
void tcg_gen_brcondi_i32(TCGCond c, TCGv_i32 a, int32_t b, TCGLabel *l);
void tcg_gen_brcond_i64(TCGCond c, TCGv_i64 a, TCGv_i64 b, TCGLabel *l);
void tcg_gen_brcondi_i64(TCGCond c, TCGv_i64 a, int64_t b, TCGLabel *l);
void tcg_gen_goto_tb(unsigned n);
void tcg_gen_exit_tb(uintptr_t val);
void tcg_gen_goto_ptr(TCGv_ptr p);
void tcg_gen_mb(unsigned kind);

/* ---- Helper calls (SysV): ret may be NULL; args are any temps (tcgv_*_temp), at most
 * TCG_MAX_CALL_ARGS; pass tcg_env explicitly if the helper wants env. An i32 argument
 * arrives as a 32-bit C argument (uint32_t/int32_t), an i32 result is the low 32 bits. */
void tcg_gen_call(void *func, unsigned flags, TCGTemp *ret, int nargs, TCGTemp *const *args);
void tcg_gen_calln(void *func, unsigned flags, TCGTemp *ret, int nargs, ...);

/* ---- Arithmetic and logic; X in {i32, i64} ---- */
#define TCG_OP_DECLS(X, T, I)                                                \
    void tcg_gen_mov_##X(T ret, T a);                                        \
    void tcg_gen_movi_##X(T ret, I v);                                       \
    void tcg_gen_add_##X(T ret, T a, T b);                                   \
    void tcg_gen_addi_##X(T ret, T a, I b);                                  \
    void tcg_gen_sub_##X(T ret, T a, T b);                                   \
    void tcg_gen_subi_##X(T ret, T a, I b);                                  \
    void tcg_gen_subfi_##X(T ret, I a, T b);                                 \
    void tcg_gen_mul_##X(T ret, T a, T b);                                   \
    void tcg_gen_muli_##X(T ret, T a, I b);                                  \
    void tcg_gen_neg_##X(T ret, T a);                                        \
    void tcg_gen_and_##X(T ret, T a, T b);                                   \
    void tcg_gen_andi_##X(T ret, T a, I b);                                  \
    void tcg_gen_or_##X(T ret, T a, T b);                                    \
    void tcg_gen_ori_##X(T ret, T a, I b);                                   \
    void tcg_gen_xor_##X(T ret, T a, T b);                                   \
    void tcg_gen_xori_##X(T ret, T a, I b);                                  \
    void tcg_gen_not_##X(T ret, T a);                                        \
    void tcg_gen_andc_##X(T ret, T a, T b);                                  \
    void tcg_gen_orc_##X(T ret, T a, T b);                                   \
    void tcg_gen_nand_##X(T ret, T a, T b);                                  \
    void tcg_gen_nor_##X(T ret, T a, T b);                                   \
    void tcg_gen_eqv_##X(T ret, T a, T b);                                   \
    void tcg_gen_shl_##X(T ret, T a, T b);                                   \
    void tcg_gen_shli_##X(T ret, T a, unsigned b);                           \
    void tcg_gen_shr_##X(T ret, T a, T b);                                   \
    void tcg_gen_shri_##X(T ret, T a, unsigned b);                           \
    void tcg_gen_sar_##X(T ret, T a, T b);                                   \
    void tcg_gen_sari_##X(T ret, T a, unsigned b);                           \
    void tcg_gen_rotl_##X(T ret, T a, T b);                                  \
    void tcg_gen_rotli_##X(T ret, T a, unsigned b);                          \
    void tcg_gen_rotr_##X(T ret, T a, T b);                                  \
    void tcg_gen_rotri_##X(T ret, T a, unsigned b);                          \
    void tcg_gen_div_##X(T ret, T a, T b);                                   \
    void tcg_gen_divu_##X(T ret, T a, T b);                                  \
    void tcg_gen_rem_##X(T ret, T a, T b);                                   \
    void tcg_gen_remu_##X(T ret, T a, T b);                                  \
    void tcg_gen_add2_##X(T rl, T rh, T al, T ah, T bl, T bh);               \
    void tcg_gen_sub2_##X(T rl, T rh, T al, T ah, T bl, T bh);               \
    void tcg_gen_mulu2_##X(T rl, T rh, T a, T b);                            \
    void tcg_gen_muls2_##X(T rl, T rh, T a, T b);                            \
    void tcg_gen_ext8s_##X(T ret, T a);                                      \
    void tcg_gen_ext8u_##X(T ret, T a);                                      \
    void tcg_gen_ext16s_##X(T ret, T a);                                     \
    void tcg_gen_ext16u_##X(T ret, T a);                                     \
    void tcg_gen_bswap16_##X(T ret, T a);                                    \
    void tcg_gen_bswap32_##X(T ret, T a);                                    \
    void tcg_gen_deposit_##X(T ret, T a, T b, unsigned pos, unsigned len);   \
    void tcg_gen_extract_##X(T ret, T a, unsigned pos, unsigned len);        \
    void tcg_gen_sextract_##X(T ret, T a, unsigned pos, unsigned len);       \
    void tcg_gen_setcond_##X(TCGCond c, T ret, T a, T b);                    \
    void tcg_gen_setcondi_##X(TCGCond c, T ret, T a, I b);                   \
    void tcg_gen_negsetcond_##X(TCGCond c, T ret, T a, T b);                 \
    void tcg_gen_movcond_##X(TCGCond c, T ret, T c1, T c2, T v1, T v2);      \
    void tcg_gen_clz_##X(T ret, T a, T zero_val);                            \
    void tcg_gen_clzi_##X(T ret, T a, I zero_val);                           \
    void tcg_gen_ctz_##X(T ret, T a, T zero_val);                            \
    void tcg_gen_ctzi_##X(T ret, T a, I zero_val);                           \
    void tcg_gen_ctpop_##X(T ret, T a);                                      \
    void tcg_gen_ld8u_##X(T ret, TCGv_ptr base, intptr_t off);               \
    void tcg_gen_ld8s_##X(T ret, TCGv_ptr base, intptr_t off);               \
    void tcg_gen_ld16u_##X(T ret, TCGv_ptr base, intptr_t off);              \
    void tcg_gen_ld16s_##X(T ret, TCGv_ptr base, intptr_t off);              \
    void tcg_gen_ld_##X(T ret, TCGv_ptr base, intptr_t off);                 \
    void tcg_gen_st8_##X(T val, TCGv_ptr base, intptr_t off);                \
    void tcg_gen_st16_##X(T val, TCGv_ptr base, intptr_t off);               \
    void tcg_gen_st_##X(T val, TCGv_ptr base, intptr_t off);                 \
    void tcg_gen_qemu_ld_##X(T ret, TCGv addr, unsigned mmu_idx, MemOp mop); \
    void tcg_gen_qemu_st_##X(T val, TCGv addr, unsigned mmu_idx, MemOp mop);

TCG_OP_DECLS(i32, TCGv_i32, int32_t)
TCG_OP_DECLS(i64, TCGv_i64, int64_t)

/* i64 only */
void tcg_gen_ext32s_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ext32u_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_bswap64_i64(TCGv_i64 ret, TCGv_i64 a);
void tcg_gen_ld32u_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off);
void tcg_gen_ld32s_i64(TCGv_i64 ret, TCGv_ptr base, intptr_t off);
void tcg_gen_st32_i64(TCGv_i64 val, TCGv_ptr base, intptr_t off);

/* Conversions */
void tcg_gen_extu_i32_i64(TCGv_i64 ret, TCGv_i32 a);  /* zero-extend */
void tcg_gen_ext_i32_i64(TCGv_i64 ret, TCGv_i32 a);   /* sign-extend */
void tcg_gen_extrl_i64_i32(TCGv_i32 ret, TCGv_i64 a); /* low half */
void tcg_gen_extrh_i64_i32(TCGv_i32 ret, TCGv_i64 a); /* high half */

/* Compositions of the ops above, for front-end convenience */
void tcg_gen_concat_i32_i64(TCGv_i64 ret, TCGv_i32 lo, TCGv_i32 hi); /* hi:lo */
void tcg_gen_extr_i64_i32(TCGv_i32 lo, TCGv_i32 hi, TCGv_i64 a);
#define TCG_COMPOSED_DECLS(X, T)                                                     \
    void tcg_gen_abs_##X(T ret, T a);                                                \
    void tcg_gen_smin_##X(T ret, T a, T b);                                          \
    void tcg_gen_smax_##X(T ret, T a, T b);                                          \
    void tcg_gen_umin_##X(T ret, T a, T b);                                          \
    void tcg_gen_umax_##X(T ret, T a, T b);                                          \
    void tcg_gen_muluh_##X(T ret, T a, T b); /* high half of the unsigned product */ \
    void tcg_gen_mulsh_##X(T ret, T a, T b); /* high half of the signed product */
TCG_COMPOSED_DECLS(i32, TCGv_i32)
TCG_COMPOSED_DECLS(i64, TCGv_i64)

/* Pointers (host-sized, i64) */
void tcg_gen_mov_ptr(TCGv_ptr ret, TCGv_ptr a);
void tcg_gen_movi_ptr(TCGv_ptr ret, intptr_t v);
void tcg_gen_add_ptr(TCGv_ptr ret, TCGv_ptr a, TCGv_ptr b);
void tcg_gen_addi_ptr(TCGv_ptr ret, TCGv_ptr a, intptr_t b);
void tcg_gen_ld_ptr(TCGv_ptr ret, TCGv_ptr base, intptr_t off);
void tcg_gen_st_ptr(TCGv_ptr val, TCGv_ptr base, intptr_t off);
void tcg_gen_ext_i32_ptr(TCGv_ptr ret, TCGv_i32 a); /* zero-extend (an index) */
void tcg_gen_ext_i64_ptr(TCGv_ptr ret, TCGv_i64 a);
void tcg_gen_ptr_as_i64(TCGv_i64 ret, TCGv_ptr a);

#endif
