/*
 * cpu/arm/translate.h: the translation context shared by the A32/T32 decoders
 * (translate.c) and the VFP/NEON translators (vfp*.c, neon*.c): DisasContext, the IR
 * globals and the small emitters both sides use. Internal to cpu/arm/.
 */
#ifndef MIMIC_CPU_ARM_TRANSLATE_H
#define MIMIC_CPU_ARM_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/arm/cpu.h"

/* TB flags (the block key next to pc). */
#define ARM_TBFLAG_THUMB           (1u << 0)
#define ARM_TBFLAG_CONDEXEC_SHIFT  1 /* 8 bits: condexec_bits at block start */
#define ARM_TBFLAG_CONDEXEC_MASK   (0xffu << 1)
#define ARM_TBFLAG_USER            (1u << 9)  /* PL0: MMU index ARM_MMU_PL0 */
#define ARM_TBFLAG_VFPEN           (1u << 10) /* FPEXC.EN and CPACR allow cp10/cp11 */
#define ARM_TBFLAG_ALIGN           (1u << 11) /* SCTLR.A: every access checks alignment */
#define ARM_TBFLAG_VECLEN_SHIFT    12         /* FPSCR.Len (3 bits) */
#define ARM_TBFLAG_VECSTRIDE_SHIFT 15         /* FPSCR.Stride (2 bits) */
#define ARM_TBFLAG_CPACR_FULL      (1u << 17) /* CPACR grants cp10/11 at this PL (FPEXC.EN aside) */

typedef struct DisasContext {
    DisasContextBase base;
    uint32_t pc_curr; /* address of the instruction being translated */
    uint32_t insn;    /* its encoding (A32, or T32 as hw1 << 16 | hw2, or T16) */
    bool thumb;
    bool user;        /* PL0 */
    bool vfp_enabled; /* cp10/cp11 usable now (else UNDEF, except VMRS/VMSR FPEXC/FPSID at PL1) */
    bool align;       /* SCTLR.A */
    int vec_len, vec_stride;
    int mem_idx; /* MMU index of ordinary loads/stores */
    /* IT state (ITSTATE[7:4] and [3:0]) for the instruction after the current one: what a
     * block exit stores. in_it: the current instruction is inside an IT block. */
    uint32_t condexec_cond, condexec_mask;
    bool in_it;
    /* Set when the instruction is conditional: the label skips it. */
    TCGLabel *condlabel;
    bool condjmp;
    /* 0-13: the instruction is conditional and writes its one core register (never pc,
     * never the flags) as a select on this condition instead of being branched around;
     * -1 otherwise. */
    int cond_sel;
    bool exit_tb; /* the instruction changed state the block depends on: end it */
} DisasContext;

/* IR globals bound to ArmEnv fields. */
extern TCGv_i32 cpu_R[16];
extern TCGv_i32 cpu_NF, cpu_ZF, cpu_CF, cpu_VF;

/* ---- For the VFP/NEON translators ----------------------------------------------------
 * The integer decoders call these for cp10/cp11 coprocessor encodings (VFP) and for the
 * Advanced SIMD spaces. `insn` is always in A32 form: T32 encodings are converted first
 * (VFP: the same bits with cond = 0xe; NEON data processing 111U 1111 ... becomes
 * 1111 001U ...; element/structure loads 1111 1001 ... become 1111 0100 ...). The
 * condition (A32 cond field, or the IT block) is handled by the caller: the hooks emit
 * unconditional code. Return false for an unallocated encoding (the caller raises UNDEF).
 * Defined in vfp.c / neon.c. */
bool arm_translate_vfp(DisasContext *s, uint32_t insn);
bool arm_translate_neon(DisasContext *s, uint32_t insn);

/* Reads core register r as an operand (r15 gives the architectural pc value: insn + 8 in
 * A32, + 4 in Thumb); returns a new temp. */
TCGv_i32 arm_load_reg(DisasContext *s, int r);
/* Writes core register r (not r15). */
void arm_store_reg(DisasContext *s, int r, TCGv_i32 v);
/* Sets N, Z, C, V from bits 31..28 of v (VMRS APSR_nzcv). */
void arm_gen_set_nzcv(TCGv_i32 v);
/* Raises the undefined-instruction exception for the current instruction. */
void arm_gen_undef(DisasContext *s);
/* Guest memory access with the current MMU index and alignment rules. */
void arm_gen_ld32(DisasContext *s, TCGv_i32 val, TCGv_i32 addr);
void arm_gen_st32(DisasContext *s, TCGv_i32 val, TCGv_i32 addr);
void arm_gen_ld64(DisasContext *s, TCGv_i64 val, TCGv_i32 addr);
void arm_gen_st64(DisasContext *s, TCGv_i64 val, TCGv_i32 addr);
/* The env pointer as a helper argument. */
TCGTemp *arm_env_arg(void);

#endif
