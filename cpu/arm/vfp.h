/*
 * cpu/arm/vfp.h: the VFP helpers (vfp-helper.c) called from the code vfp.c emits, and the
 * FPSCR bits both files use. Internal to cpu/arm/.
 */
#ifndef MIMIC_CPU_ARM_VFP_H
#define MIMIC_CPU_ARM_VFP_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/arm/cpu.h"

#define FPSCR_IOC         (1u << 0)
#define FPSCR_DZC         (1u << 1)
#define FPSCR_OFC         (1u << 2)
#define FPSCR_UFC         (1u << 3)
#define FPSCR_IXC         (1u << 4)
#define FPSCR_IDC         (1u << 7)
#define FPSCR_RMODE_SHIFT 22
#define FPSCR_FZ          (1u << 24)
#define FPSCR_DN          (1u << 25)
#define FPSCR_AHP         (1u << 26)
#define FPSCR_QC          (1u << 27)
/* What VMSR can change: no trap enables (VFPv4 without trapping has them RAZ/WI). */
#define FPSCR_WRITABLE 0xfff7009fu

/* Arithmetic ops of helper_vfp_arith_*; VFP_STD: use the Advanced SIMD "standard FPSCR
 * value" (round to nearest, flush-to-zero, default NaN) instead of FPSCR's controls. */
enum { VFP_ADD, VFP_SUB, VFP_MUL, VFP_DIV, VFP_SQRT };
#define VFP_STD 0x100u

/* Conversions of helper_vfp_cvt: the op in bits 7..0, fraction bits in 15..8. */
enum {
    CVT_S_TO_D,
    CVT_D_TO_S,
    CVT_SI_TO_S, /* signed 32-bit integer (or fixed point with frac bits) */
    CVT_UI_TO_S,
    CVT_SI_TO_D,
    CVT_UI_TO_D,
    CVT_S_TO_SI, /* with CVT_RZ: round toward zero, else FPSCR rounding */
    CVT_S_TO_UI,
    CVT_D_TO_SI,
    CVT_D_TO_UI,
    CVT_H_TO_S, /* half in bits 15..0 */
    CVT_S_TO_H,
    CVT_SH_TO_S, /* 16-bit fixed point, signed/unsigned, in bits 15..0 */
    CVT_UH_TO_S,
    CVT_SH_TO_D,
    CVT_UH_TO_D,
    CVT_S_TO_SH,
    CVT_S_TO_UH,
    CVT_D_TO_SH,
    CVT_D_TO_UH,
};
#define CVT_RZ 0x10000u

/* Call flags of every VFP/NEON helper: they touch env->vfp only (no IR globals) and
 * never raise. */
#define VFP_CALL (TCG_CALL_NO_RWG | TCG_CALL_NO_UNWIND)

uint32_t helper_vfp_arith_s(void *env, uint32_t a, uint32_t b, uint32_t op);
/* The same, one helper per operation (VFP_ADD ... VFP_SQRT, FPSCR's controls): what the
 * VFP translator calls. sqrt takes its operand twice. */
uint32_t helper_vfp_add_s(void *env, uint32_t a, uint32_t b);
uint32_t helper_vfp_sub_s(void *env, uint32_t a, uint32_t b);
uint32_t helper_vfp_mul_s(void *env, uint32_t a, uint32_t b);
uint32_t helper_vfp_div_s(void *env, uint32_t a, uint32_t b);
uint32_t helper_vfp_sqrt_s(void *env, uint32_t a, uint32_t b);
uint64_t helper_vfp_add_d(void *env, uint64_t a, uint64_t b);
uint64_t helper_vfp_sub_d(void *env, uint64_t a, uint64_t b);
uint64_t helper_vfp_mul_d(void *env, uint64_t a, uint64_t b);
uint64_t helper_vfp_div_d(void *env, uint64_t a, uint64_t b);
uint64_t helper_vfp_sqrt_d(void *env, uint64_t a, uint64_t b);
/* VMLA and friends in one call: (+-a) + (+-(n * m)) with both roundings; neg bit 0
 * negates the product, bit 1 the accumulator. */
uint32_t helper_vfp_mla_s(void *env, uint32_t a, uint32_t n, uint32_t m, uint32_t neg);
uint64_t helper_vfp_mla_d(void *env, uint64_t a, uint64_t n, uint64_t m, uint32_t neg);
/* Fused a + n * m (one rounding). */
uint32_t helper_vfp_fma_s(void *env, uint32_t a, uint32_t n, uint32_t m, uint32_t std);
uint64_t helper_vfp_fma_d(void *env, uint64_t a, uint64_t n, uint64_t m, uint32_t std);
/* VCMP/VCMPE: sets FPSCR.NZCV. */
void helper_vfp_cmp_s(void *env, uint32_t a, uint32_t b, uint32_t e);
void helper_vfp_cmp_d(void *env, uint64_t a, uint64_t b, uint32_t e);
uint64_t helper_vfp_cvt(void *env, uint64_t v, uint32_t op);

void arm_vfp_model_init(ArmEnv *env, const char *model);

/* Advanced SIMD data processing (neon-helper.c): executes `insn` (A32 form) on env's
 * registers; with env == NULL only says whether the encoding is implemented. */
bool neon_dp(ArmEnv *env, uint32_t insn);
void helper_neon_dp(void *env, uint32_t insn);
/* Two F32 lanes of one D register with the standard FPSCR value (neon-dp.c): n op m, and
 * d + n * m (VMLA, product rounded), d - n * m, fused d + n * m, d - n * m. */
uint64_t helper_neon_fadd(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fsub(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fmul(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fmla(void *env, uint64_t n, uint64_t m, uint64_t d);
uint64_t helper_neon_fmls(void *env, uint64_t n, uint64_t m, uint64_t d);
uint64_t helper_neon_ffma(void *env, uint64_t n, uint64_t m, uint64_t d);
uint64_t helper_neon_ffms(void *env, uint64_t n, uint64_t m, uint64_t d);
/* Compares (all ones / zero per lane; facge/facgt on absolute values) and VMAX/VMIN. */
uint64_t helper_neon_fceq(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fcge(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fcgt(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_facge(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_facgt(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fmax(void *env, uint64_t n, uint64_t m);
uint64_t helper_neon_fmin(void *env, uint64_t n, uint64_t m);
/* IR: repeats the low `bits` of v (the rest zero) across all 64 bits (neon.c; VDUP and
 * the all-lanes loads; also what links neon.o in through vfp.o). */
void neon_gen_dup_i64(TCGv_i64 v, int bits);

typedef struct DisasContext DisasContext;
/* Advanced SIMD data processing as IR (neon-dp.c, decoded by neondp.decode); false: not
 * one of its forms, the caller falls back to helper_neon_dp. */
bool neon_translate_dp(DisasContext *s, uint32_t insn);
/* The CPU has the fused multiply-add instructions (MVFR1.FPFused; not Cortex-A9). */
bool arm_vfp_has_fused(DisasContext *s);

#endif
