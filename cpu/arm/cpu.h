/*
 * cpu/arm/cpu.h: the ARMv7-A CPU state (ArmEnv) shared by every file of cpu/arm/ (the
 * integer front-end and the VFP/NEON files). Boards use cpu/arm/arm.h instead.
 */
#ifndef MIMIC_CPU_ARM_CPU_H
#define MIMIC_CPU_ARM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "hw/hw.h"
#include "system/timer.h"

/* Processor modes (CPSR.M). */
enum {
    ARM_MODE_USR = 0x10,
    ARM_MODE_FIQ = 0x11,
    ARM_MODE_IRQ = 0x12,
    ARM_MODE_SVC = 0x13,
    ARM_MODE_MON = 0x16,
    ARM_MODE_ABT = 0x17,
    ARM_MODE_HYP = 0x1a,
    ARM_MODE_UND = 0x1b,
    ARM_MODE_SYS = 0x1f,
};

/* Bank numbers for r13/r14/SPSR (USR and SYS share bank 0). */
enum {
    ARM_BANK_USR,
    ARM_BANK_SVC,
    ARM_BANK_ABT,
    ARM_BANK_UND,
    ARM_BANK_IRQ,
    ARM_BANK_FIQ,
    ARM_BANK_MON,
    ARM_NB_BANKS
};

/* CPSR bits kept in uncached_cpsr (the rest live in the split fields below). */
#define CPSR_M      0x1fu
#define CPSR_T      (1u << 5)
#define CPSR_F      (1u << 6)
#define CPSR_I      (1u << 7)
#define CPSR_A      (1u << 8)
#define CPSR_E      (1u << 9)
#define CPSR_IT_2_7 0xfc00u
#define CPSR_GE     (0xfu << 16)
#define CPSR_J      (1u << 24)
#define CPSR_IT_0_1 (3u << 25)
#define CPSR_Q      (1u << 27)
#define CPSR_NZCV   (0xfu << 28)

/* Internal exception numbers (cpu->exception_index). */
enum {
    ARM_EXCP_UDEF = 1,
    ARM_EXCP_SWI = 2,
    ARM_EXCP_PREFETCH_ABORT = 3,
    ARM_EXCP_DATA_ABORT = 4,
    ARM_EXCP_IRQ = 5,
    ARM_EXCP_FIQ = 6,
    ARM_EXCP_BKPT = 7,
    ARM_EXCP_HVC = 8,
    ARM_EXCP_SMC = 9,
};

/* MMU indexes: privileged (PL1) and user (PL0) views of the current translation regime. */
enum { ARM_MMU_PL1 = 0, ARM_MMU_PL0 = 1, ARM_NB_MMU_MODES = 2 };

/* Interrupt lines into the CPU (arm_cpu_irq_inputs). */
enum { ARM_CPU_IRQ = 0, ARM_CPU_FIQ = 1, ARM_CPU_NB_INPUTS = 2 };
#define CPU_INTERRUPT_FIQ CPU_INTERRUPT_TGT0

/* One generic timer (physical or virtual): CNTx_CTL and CNTx_CVAL. */
typedef struct ArmGenericTimer {
    uint32_t ctl; /* ENABLE bit 0, IMASK bit 1, ISTATUS bit 2 (computed) */
    uint64_t cval;
    Timer *timer;
    qemu_irq out;
    int level;
} ArmGenericTimer;

typedef struct ArmEnv {
    CPUEnvCommon common;

    /* Integer registers of the current mode; regs[15] is the pc. */
    uint32_t regs[16];
    /* Flags, split for cheap computation: N = NF bit 31, Z = (ZF == 0), C = CF (0/1),
     * V = VF bit 31, Q = QF != 0, GE = GE bits 3..0. */
    uint32_t NF, ZF, CF, VF, QF, GE;
    /* IT state in ITSTATE layout: bits 7..5 firstcond[3:1], bits 4..0 (firstcond[0], mask). */
    uint32_t condexec_bits;
    uint32_t thumb;         /* CPSR.T */
    uint32_t uncached_cpsr; /* M, A, I, F, E bits (the others are in the fields above) */
    uint32_t spsr;          /* of the current mode */

    uint32_t banked_spsr[ARM_NB_BANKS];
    uint32_t banked_r13[ARM_NB_BANKS];
    uint32_t banked_r14[ARM_NB_BANKS];
    uint32_t usr_regs[5]; /* r8-r12 while in FIQ mode */
    uint32_t fiq_regs[5]; /* r8-r12 of FIQ mode while in another mode */

    /* LDREX/STREX monitor: exclusive_addr == -1 means open. */
    uint32_t exclusive_addr;
    uint32_t exclusive_high;
    uint64_t exclusive_val;

    /* VFP/NEON state (owned by the armfp files). D0-D31; S2n/S2n+1 are the low/high halves
     * of Dn, Q registers are pairs. */
    struct {
        uint64_t regs[32];
        uint32_t fpscr;
        uint32_t fpexc;
        uint32_t fpsid, mvfr0, mvfr1;
        uint32_t fpinst, fpinst2;
        uint32_t qc; /* FPSCR.QC kept apart (non-zero: set) */
        uint32_t scratch[8];
    } vfp;

    /* CP15 system registers. */
    struct {
        uint32_t midr, mpidr, ctr, revidr, tcmtr, tlbtr, aidr;
        uint32_t id_pfr0, id_pfr1, id_dfr0, id_afr0;
        uint32_t id_mmfr[4], id_isar[6];
        uint32_t clidr, ccsidr[4], csselr;
        uint32_t sctlr, actlr, cpacr;
        uint32_t ttbr0_lo, ttbr0_hi, ttbr1_lo, ttbr1_hi, ttbcr;
        uint32_t dacr, dfsr, ifsr, adfsr, aifsr, dfar, ifar;
        uint32_t par_lo, par_hi;
        uint32_t prrr, nmrr; /* MAIR0, MAIR1 with TTBCR.EAE */
        uint32_t vbar, mvbar, contextidr;
        uint32_t tpidrurw, tpidruro, tpidrprw;
        uint32_t l2ctlr, l2ectlr, cbar;
        uint32_t scr, nsacr, sder;
        /* PMU */
        uint32_t pmcr, pmcntenset, pmovsr, pmselr, pmuserenr, pmintenset, pmxevtyper;
        uint64_t pmccntr_offset; /* PMCCNTR = virtual-clock cycles - offset */
    } cp15;

    /* Generic timer. */
    uint32_t cntfrq, cntkctl;
    int64_t cntvoff;
    ArmGenericTimer gt_phys, gt_virt;

    /* Interrupt lines as asserted (bit 0 IRQ, bit 1 FIQ). */
    volatile uint32_t irq_lines;

    /* Model features. */
    uint32_t features;
    bool halt_on_wfe_only;

    /* HVC/SMC hook (PSCI); returns true if it handled the call (r0.. updated). */
    bool (*psci_handler)(CPUState *cpu, bool is_smc, void *opaque);
    void *psci_opaque;
    /* Semihosting-like test hook (tests only): NULL. */
    void *board_opaque;
} ArmEnv;

/* Feature bits (ArmEnv.features). */
enum {
    ARM_FEATURE_LPAE = 1u << 0,
    ARM_FEATURE_GENERIC_TIMER = 1u << 1,
    ARM_FEATURE_DIV = 1u << 2, /* SDIV/UDIV in A32 and T32 */
    ARM_FEATURE_VFP4 = 1u << 3,
    ARM_FEATURE_NEON = 1u << 4,
    ARM_FEATURE_MP = 1u << 5,
};

/* CPSR as the guest sees it, and writing it (mask: which bits; switches banks). */
uint32_t arm_cpsr_read(ArmEnv *env);
void arm_cpsr_write(ArmEnv *env, uint32_t val, uint32_t mask);
/* Switches the banked registers from the current mode to `mode`. */
void arm_switch_mode(ArmEnv *env, uint32_t mode);
static inline uint32_t arm_mode(const ArmEnv *env)
{
    return env->uncached_cpsr & CPSR_M;
}

#endif
