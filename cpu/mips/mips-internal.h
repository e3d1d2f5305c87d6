/*
 * cpu/mips/mips-internal.h: what the files of the MIPS front-end share (hflags, helpers
 * called from generated code, CP0 and FPU internals). Not for use outside cpu/mips/.
 */
#ifndef MIMIC_CPU_MIPS_MIPS_INTERNAL_H
#define MIMIC_CPU_MIPS_MIPS_INTERNAL_H

#include "cpu/mips/mips.h"

/* hflags: the part of the CPU mode that changes how code translates (TB key). */
#define MIPS_HF_KSU_MASK 3u /* MMU index: 0 kernel, 1 supervisor, 2 user */
#define MIPS_HF_CP0      (1u << 2)
#define MIPS_HF_CP1      (1u << 3)
#define MIPS_HF_UM       (1u << 4) /* not kernel mode: RDHWR checks HWREna */

#define MIPS_MMU_KERNEL 0
#define MIPS_MMU_SUPER  1
#define MIPS_MMU_USER   2

/* FCSR bits. */
#define FCSR_RM_MASK      3u
#define FCSR_FLAGS_SHIFT  2
#define FCSR_ENABLE_SHIFT 7
#define FCSR_CAUSE_SHIFT  12
#define FCSR_E            (1u << 17)
#define FCSR_FS           (1u << 24)
enum { FP_I = 1, FP_U = 2, FP_O = 4, FP_Z = 8, FP_V = 16 };

static inline int mips_fcc_bit(int cc)
{
    return cc == 0 ? 23 : 24 + cc;
}

extern const CPUArchOps mips_arch_ops_le, mips_arch_ops_be;

void mips_compute_hflags(MipsEnv *e);
void mips_update_irq(CPUState *cpu);
void mips_translate_init(void);
void mips_gen_code(CPUState *cpu, TranslationBlock *tb, int max_insns);

/* Helpers (called from generated code). */
/* code = ExcCode | CE << 8; env pc and bd already set by the generated code. */
void helper_raise_here(void *env, uint32_t code) __attribute__((noreturn));
uint32_t helper_mfc0(void *env, uint32_t regsel);
/* Returns non-zero if the write changed hflags (the translation mode) or, for Status,
 * unmasked a pending interrupt: the block must end. */
uint32_t helper_mtc0(void *env, uint32_t regsel, uint32_t val);
void helper_eret(void *env);
uint32_t helper_di_ei(void *env, uint32_t enable);
uint32_t helper_irq_deliverable(void *env);
void helper_tlbwi(void *env);
void helper_tlbwr(void *env);
void helper_tlbp(void *env);
void helper_tlbr(void *env);
void helper_wait(void *env) __attribute__((noreturn));
uint32_t helper_rdhwr(void *env, uint32_t reg);
void helper_swl(void *env, uint32_t val, uint32_t addr);
void helper_swr(void *env, uint32_t val, uint32_t addr);
uint32_t helper_sc(void *env, uint32_t val, uint32_t addr);
uint32_t helper_cfc1(void *env, uint32_t reg);
void helper_ctc1(void *env, uint32_t reg, uint32_t val);

/* FPU arithmetic (fpu.c): op codes for the generic helpers. */
enum { FOP_ADD, FOP_SUB, FOP_MUL, FOP_DIV, FOP_SQRT, FOP_ABS, FOP_NEG, FOP_RECIP, FOP_RSQRT };
enum { FCVT_ROUND, FCVT_TRUNC, FCVT_CEIL, FCVT_FLOOR, FCVT_CUR };
uint32_t helper_fop_s(void *env, uint32_t a, uint32_t b, uint32_t op);
uint64_t helper_fop_d(void *env, uint64_t a, uint64_t b, uint32_t op);
uint32_t helper_fma_s(void *env, uint32_t a, uint32_t b, uint32_t c, uint32_t op);
uint64_t helper_fma_d(void *env, uint64_t a, uint64_t b, uint64_t c, uint32_t op);
void helper_fcmp_s(void *env, uint32_t a, uint32_t b, uint32_t cond_cc);
void helper_fcmp_d(void *env, uint64_t a, uint64_t b, uint32_t cond_cc);
/* conversions: from/to encoded as (src fmt << 8) | (dst fmt) with fmt 16 S, 17 D, 20 W,
 * 21 L; the round mode (FCVT_*) in bits 16..23. */
uint64_t helper_fcvt(void *env, uint64_t a, uint32_t how);
void helper_fpu_unimpl(void *env) __attribute__((noreturn));

#endif
