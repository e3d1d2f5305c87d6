/*
 * cpu/mips/mips.h: the MIPS32 release 2 guest CPU (24Kf with FPU, 4Kc without), both
 * endiannesses. Boards create it with cpu_create("24Kf" | "4Kc" | "24Kf-be" | "4Kc-be")
 * after cpu_models_add(mips_cpu_models), wire IP2..IP6 with mips_cpu_irq_inputs.
 */
#ifndef MIMIC_CPU_MIPS_MIPS_H
#define MIMIC_CPU_MIPS_MIPS_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "hw/hw.h"

#define MIPS_TLB_MAX 64

/* Exception codes (Cause.ExcCode). */
enum {
    MIPS_EXC_INT = 0,
    MIPS_EXC_MOD = 1,
    MIPS_EXC_TLBL = 2,
    MIPS_EXC_TLBS = 3,
    MIPS_EXC_ADEL = 4,
    MIPS_EXC_ADES = 5,
    MIPS_EXC_IBE = 6,
    MIPS_EXC_DBE = 7,
    MIPS_EXC_SYS = 8,
    MIPS_EXC_BP = 9,
    MIPS_EXC_RI = 10,
    MIPS_EXC_CPU = 11,
    MIPS_EXC_OV = 12,
    MIPS_EXC_TR = 13,
    MIPS_EXC_FPE = 15,
    /* Internal: a TLB refill (ExcCode TLBL/TLBS, but through the refill vector). */
    MIPS_EXC_TLBL_REFILL = 32,
    MIPS_EXC_TLBS_REFILL = 33,
};

/* Status bits. */
#define MIPS_ST_IE  (1u << 0)
#define MIPS_ST_EXL (1u << 1)
#define MIPS_ST_ERL (1u << 2)
#define MIPS_ST_KSU (3u << 3)
#define MIPS_ST_BEV (1u << 22)
#define MIPS_ST_FR  (1u << 26)
#define MIPS_ST_CU0 (1u << 28)
#define MIPS_ST_CU1 (1u << 29)

typedef struct MipsTLBEntry {
    uint32_t vpn2;     /* EntryHi VPN2 (bits 31..13), masked by the page mask */
    uint32_t pagemask; /* PageMask register value */
    uint8_t asid;
    bool g;
    uint32_t lo[2]; /* EntryLo0/1 as written (PFN, C, D, V, G) */
} MipsTLBEntry;

/* The env: generated code addresses these fields through IR globals. */
typedef struct MipsEnv {
    CPUEnvCommon common;
    uint32_t gpr[32];
    uint32_t pc;
    uint32_t hi, lo;
    uint32_t bd;     /* set by state restore: the faulting instruction is in a delay slot */
    uint32_t hflags; /* translation flags, see MIPS_HF_* in the front-end */
    uint32_t llbit, lladdr, llval;
    /* FPU (FR=0 layout: doubles in even/odd pairs, even register = low word). */
    uint32_t fpr[32];
    uint32_t fcsr, fir;
    /* CP0 */
    uint32_t cp0_index, cp0_random, cp0_entrylo0, cp0_entrylo1, cp0_context, cp0_pagemask;
    uint32_t cp0_wired, cp0_hwrena, cp0_badvaddr, cp0_entryhi, cp0_compare, cp0_status;
    uint32_t cp0_cause, cp0_epc, cp0_prid, cp0_config[4], cp0_ebase, cp0_errorepc;
    uint32_t cp0_userlocal, cp0_intctl, cp0_srsctl, cp0_desave, cp0_depc, cp0_debug;
    int64_t count_offset;    /* Count = (virtual ns / ns per tick) + count_offset */
    int64_t timer_deadline;  /* virtual ns when Count == Compare; 0: already signalled */
    volatile uint32_t ip_hw; /* Cause IP2..IP7 asserted by lines and the timer */
    int tlb_entries;
    bool has_fpu, isa_r2;
    MipsTLBEntry tlb[MIPS_TLB_MAX];
    /* Entries TLBWR evicted whose pages the soft-MMU may still hold (flushed lazily: on a
     * TLBP that would have found them, or with the next full flush). */
    MipsTLBEntry shadow[MIPS_TLB_MAX];
    int n_shadow;
    struct Timer *timer;
    qemu_irq irqs[6]; /* IP2..IP7 */
} MipsEnv;

/* -cpu models: 24Kf, 4Kc (little-endian), 24Kf-be, 4Kc-be (big-endian). */
extern const CPUModel *const mips_cpu_models[];

/* Hardware interrupt inputs of a MIPS CPU: [0..4] = IP2..IP6, [5] = IP7 (shared with the
 * timer). Levels, any thread. */
qemu_irq *mips_cpu_irq_inputs(CPUState *cpu);

/* Count runs at this rate (half of a 200 MHz core clock). */
#define MIPS_COUNT_HZ 100000000

#endif
