/*
 * cpu/arm/arm-internal.h: what the integer files of cpu/arm/ share: helpers called from
 * generated code, the arch hooks, CP15 access. Not for use outside cpu/arm/.
 */
#ifndef MIMIC_CPU_ARM_ARM_INTERNAL_H
#define MIMIC_CPU_ARM_ARM_INTERNAL_H

#include "cpu/arm/arm.h"
#include "cpu/arm/translate.h"

void arm_translate_init(void);
void arm_gen_code(CPUState *cpu, TranslationBlock *tb, int max_insns);
uint32_t arm_tb_flags(ArmEnv *env);
int arm_bank_of(uint32_t mode);
void arm_update_irq(CPUState *cpu);
/* CP15 (cp15.c): key = cp << 16 | opc1 << 12 | crn << 8 | crm << 4 | opc2 (32-bit),
 * with bit 24 set for 64-bit (MCRR/MRRC: opc1, crm). False: no such register or not
 * allowed (UNDEF). */
bool arm_cp_read(ArmEnv *env, uint32_t key, uint64_t *val);
bool arm_cp_write(ArmEnv *env, uint32_t key, uint64_t val, bool *end_tb);
void arm_timer_init(CPUState *cpu);
/* FPSID/MVFR0/MVFR1 of a model (vfp.c). Strong references: a weak one would not pull the
 * VFP/NEON objects out of the static library. */
void arm_vfp_model_init(ArmEnv *env, const char *model);
void arm_timer_update(ArmEnv *env, ArmGenericTimer *t, bool virt);
uint64_t arm_cnt_now(ArmEnv *env);
bool arm_mmu_translate(ArmEnv *env, uint32_t va, MMUAccessType at, int mmu_idx, uint64_t *pa,
                       int *prot, uint64_t *page_size, uint32_t *fsr);

/* Helpers (called from generated code). */
void helper_exception(void *env, uint32_t excp) __attribute__((noreturn));
uint32_t helper_cpsr_read(void *env);
void helper_cpsr_write(void *env, uint32_t val, uint32_t mask);
void helper_exception_return(void *env, uint32_t pc);
uint32_t helper_get_user_reg(void *env, uint32_t r);
void helper_set_user_reg(void *env, uint32_t r, uint32_t val);
uint32_t helper_mrs_banked(void *env, uint32_t r_sysm);
void helper_msr_banked(void *env, uint32_t r_sysm, uint32_t val);
uint64_t helper_cp_read(void *env, uint32_t key);
uint32_t helper_cp_write(void *env, uint32_t key, uint64_t val);
uint32_t helper_add_sat(void *env, uint32_t a, uint32_t b, uint32_t op);
uint32_t helper_ssat(void *env, uint32_t v, uint32_t n);
uint32_t helper_usat(void *env, uint32_t v, uint32_t n);
uint32_t helper_ssat16(void *env, uint32_t v, uint32_t n);
uint32_t helper_usat16(void *env, uint32_t v, uint32_t n);
uint32_t helper_parallel(void *env, uint32_t a, uint32_t b, uint32_t op);
uint32_t helper_sel(void *env, uint32_t a, uint32_t b);
uint32_t helper_usad8(uint32_t a, uint32_t b);
uint32_t helper_add_setq(void *env, uint32_t a, uint32_t b);
uint32_t helper_shift_cc(void *env, uint32_t x, uint32_t n, uint32_t ty);
uint32_t helper_strex(void *env, uint32_t addr, uint32_t lo, uint32_t hi, uint32_t sz_idx);
void helper_wfi(void *env);
void helper_hvc_smc(void *env, uint32_t is_smc);
void helper_srs(void *env, uint32_t mode_pu_w);
uint32_t helper_smlad(void *env, uint32_t a, uint32_t b, uint32_t acc_op);

#endif
