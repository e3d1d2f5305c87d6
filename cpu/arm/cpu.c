/*
 * cpu/arm/cpu.c: the ARMv7-A CPU outside generated code: models and reset, CPSR and
 * banked registers, exception entry, interrupt lines, the arch hook table, and the
 * helpers that generated code calls.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/arm/arm-internal.h"
#include "system/main-loop.h"

typedef struct ArmCpuExtra {
    qemu_irq *inputs;
    bool powered_off;
    bool start_off; /* powered off at reset (secondaries waiting for PSCI CPU_ON) */
    bool psci_builtin;
} ArmCpuExtra;

static ArmEnv *aenv(CPUState *cpu)
{
    return cpu->env;
}

/* ---- CPSR and banks ------------------------------------------------------------------- */

int arm_bank_of(uint32_t mode)
{
    switch (mode) {
    case ARM_MODE_SVC: return ARM_BANK_SVC;
    case ARM_MODE_ABT: return ARM_BANK_ABT;
    case ARM_MODE_UND: return ARM_BANK_UND;
    case ARM_MODE_IRQ: return ARM_BANK_IRQ;
    case ARM_MODE_FIQ: return ARM_BANK_FIQ;
    case ARM_MODE_MON: return ARM_BANK_MON;
    default: return ARM_BANK_USR;
    }
}

static bool mode_valid(uint32_t mode)
{
    switch (mode) {
    case ARM_MODE_USR:
    case ARM_MODE_FIQ:
    case ARM_MODE_IRQ:
    case ARM_MODE_SVC:
    case ARM_MODE_ABT:
    case ARM_MODE_UND:
    case ARM_MODE_SYS: return true;
    default: return false;
    }
}

void arm_switch_mode(ArmEnv *env, uint32_t mode)
{
    uint32_t old = arm_mode(env);
    if (old == mode) {
        return;
    }
    if (old == ARM_MODE_FIQ) {
        memcpy(env->fiq_regs, &env->regs[8], sizeof(env->fiq_regs));
        memcpy(&env->regs[8], env->usr_regs, sizeof(env->usr_regs));
    } else if (mode == ARM_MODE_FIQ) {
        memcpy(env->usr_regs, &env->regs[8], sizeof(env->usr_regs));
        memcpy(&env->regs[8], env->fiq_regs, sizeof(env->fiq_regs));
    }
    int ob = arm_bank_of(old), nb = arm_bank_of(mode);
    env->banked_r13[ob] = env->regs[13];
    env->banked_r14[ob] = env->regs[14];
    env->banked_spsr[ob] = env->spsr;
    env->regs[13] = env->banked_r13[nb];
    env->regs[14] = env->banked_r14[nb];
    env->spsr = env->banked_spsr[nb];
    env->uncached_cpsr = (env->uncached_cpsr & ~CPSR_M) | mode;
}

uint32_t arm_cpsr_read(ArmEnv *env)
{
    uint32_t it = env->condexec_bits;
    uint32_t v = env->uncached_cpsr & (CPSR_M | CPSR_A | CPSR_I | CPSR_F | CPSR_E);
    v |= (env->NF & 0x80000000u);
    v |= (env->ZF == 0) << 30;
    v |= (env->CF & 1) << 29;
    v |= (env->VF >> 31) << 28;
    v |= (env->QF ? 1u : 0) << 27;
    v |= (env->GE & 0xf) << 16;
    v |= (it & 3) << 25 | (it >> 2) << 10;
    v |= env->thumb ? CPSR_T : 0;
    return v;
}

void arm_cpsr_write(ArmEnv *env, uint32_t val, uint32_t mask)
{
    if (mask & CPSR_NZCV) {
        env->NF = val & 0x80000000u;
        env->ZF = (~val >> 30) & 1;
        env->CF = (val >> 29) & 1;
        env->VF = (val << 3) & 0x80000000u;
    }
    if (mask & CPSR_Q) {
        env->QF = (val >> 27) & 1;
    }
    if (mask & CPSR_GE) {
        env->GE = (val >> 16) & 0xf;
    }
    if (mask & CPSR_T) {
        env->thumb = (val >> 5) & 1;
    }
    if (mask & (CPSR_IT_0_1 | CPSR_IT_2_7)) {
        env->condexec_bits = ((val >> 25) & 3) | ((val >> 10) & 0x3f) << 2;
    }
    if ((mask & CPSR_M) && mode_valid(val & CPSR_M)) {
        arm_switch_mode(env, val & CPSR_M);
    }
    uint32_t m = mask & (CPSR_A | CPSR_I | CPSR_F | CPSR_E);
    env->uncached_cpsr = (env->uncached_cpsr & ~m) | (val & m);
}

uint32_t arm_tb_flags(ArmEnv *env)
{
    uint32_t f = 0;
    if (env->thumb) {
        f |= ARM_TBFLAG_THUMB;
    }
    f |= (env->condexec_bits & 0xff) << ARM_TBFLAG_CONDEXEC_SHIFT;
    if (arm_mode(env) == ARM_MODE_USR) {
        f |= ARM_TBFLAG_USER;
    }
    uint32_t cp = (env->cp15.cpacr >> 20) & 0xf; /* cp10, cp11 */
    bool cpacr_ok = arm_mode(env) == ARM_MODE_USR ? cp == 0xf : (cp & 5) == 5;
    if (cpacr_ok) {
        f |= ARM_TBFLAG_CPACR_FULL;
        if (env->vfp.fpexc & (1u << 30)) {
            f |= ARM_TBFLAG_VFPEN;
        }
    }
    if (env->cp15.sctlr & 2) {
        f |= ARM_TBFLAG_ALIGN;
    }
    f |= ((env->vfp.fpscr >> 16) & 7) << ARM_TBFLAG_VECLEN_SHIFT;
    f |= ((env->vfp.fpscr >> 20) & 3) << ARM_TBFLAG_VECSTRIDE_SHIFT;
    return f;
}

/* ---- Exceptions ------------------------------------------------------------------------ */

static void arm_take_exception(ArmEnv *env, uint32_t mode, uint32_t offset, uint32_t lr,
                               uint32_t mask)
{
    uint32_t cpsr = arm_cpsr_read(env);
    arm_switch_mode(env, mode);
    env->spsr = cpsr;
    env->regs[14] = lr;
    env->uncached_cpsr |= mask | CPSR_I;
    env->condexec_bits = 0;
    env->thumb = (env->cp15.sctlr >> 30) & 1; /* SCTLR.TE */
    uint32_t base = (env->cp15.sctlr & (1u << 13)) ? 0xffff0000u : (env->cp15.vbar & ~31u);
    env->regs[15] = base + offset;
}

static void arm_do_interrupt(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    uint32_t pc = env->regs[15];
    switch (cpu->exception_index) {
    case ARM_EXCP_UDEF:
    case ARM_EXCP_HVC:
    case ARM_EXCP_SMC: arm_take_exception(env, ARM_MODE_UND, 0x04, pc, 0); break;
    case ARM_EXCP_SWI: arm_take_exception(env, ARM_MODE_SVC, 0x08, pc, 0); break;
    case ARM_EXCP_BKPT:
        env->cp15.ifsr = 0x2; /* debug event */
        arm_take_exception(env, ARM_MODE_ABT, 0x0c, pc + 4, CPSR_A);
        break;
    case ARM_EXCP_PREFETCH_ABORT:
        arm_take_exception(env, ARM_MODE_ABT, 0x0c, pc + 4, CPSR_A);
        break;
    case ARM_EXCP_DATA_ABORT: arm_take_exception(env, ARM_MODE_ABT, 0x10, pc + 8, CPSR_A); break;
    case ARM_EXCP_IRQ: arm_take_exception(env, ARM_MODE_IRQ, 0x18, pc + 4, CPSR_A); break;
    case ARM_EXCP_FIQ: arm_take_exception(env, ARM_MODE_FIQ, 0x1c, pc + 4, CPSR_A | CPSR_F); break;
    default: break;
    }
    cpu->exception_index = -1;
}

static bool arm_exec_interrupt(CPUState *cpu, unsigned req)
{
    ArmEnv *env = aenv(cpu);
    if ((req & CPU_INTERRUPT_FIQ) && !(env->uncached_cpsr & CPSR_F)) {
        cpu->exception_index = ARM_EXCP_FIQ;
        arm_do_interrupt(cpu);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && !(env->uncached_cpsr & CPSR_I)) {
        cpu->exception_index = ARM_EXCP_IRQ;
        arm_do_interrupt(cpu);
        return true;
    }
    return false;
}

static bool arm_has_work(CPUState *cpu)
{
    ArmCpuExtra *x = ((ArmEnv *)cpu->env)->board_opaque;
    return (cpu->interrupt_request & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_FIQ)) != 0 &&
           !(x && x->powered_off);
}

void arm_update_irq(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    uint32_t l = __atomic_load_n(&env->irq_lines, __ATOMIC_SEQ_CST);
    if (l & 1) {
        cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD);
    }
    if (l & 2) {
        cpu_interrupt(cpu, CPU_INTERRUPT_FIQ);
    } else {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_FIQ);
    }
}

static void arm_irq_handler(void *opaque, int n, int level)
{
    CPUState *cpu = opaque;
    ArmEnv *env = aenv(cpu);
    if (level) {
        __atomic_or_fetch(&env->irq_lines, 1u << n, __ATOMIC_SEQ_CST);
    } else {
        __atomic_and_fetch(&env->irq_lines, ~(1u << n), __ATOMIC_SEQ_CST);
    }
    arm_update_irq(cpu);
}

/* ---- Arch hooks ------------------------------------------------------------------------ */

static ArmCpuExtra *extra(ArmEnv *env)
{
    return env->board_opaque;
}

static void arm_reset(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    memset(env->regs, 0, sizeof(env->regs));
    memset(env->banked_r13, 0, sizeof(env->banked_r13));
    memset(env->banked_r14, 0, sizeof(env->banked_r14));
    memset(env->banked_spsr, 0, sizeof(env->banked_spsr));
    env->NF = env->CF = env->VF = env->QF = env->GE = 0;
    env->ZF = 1;
    env->condexec_bits = 0;
    env->thumb = 0;
    env->uncached_cpsr = ARM_MODE_SVC | CPSR_A | CPSR_I | CPSR_F;
    env->spsr = 0;
    env->exclusive_addr = UINT32_MAX;
    memset(env->vfp.regs, 0, sizeof(env->vfp.regs));
    env->vfp.fpscr = 0;
    env->vfp.fpexc = 0;
    env->vfp.qc = 0;
    env->cp15.sctlr = 0x00c50078;
    env->cp15.actlr = 0;
    env->cp15.cpacr = 0;
    env->cp15.ttbr0_lo = env->cp15.ttbr0_hi = env->cp15.ttbr1_lo = env->cp15.ttbr1_hi = 0;
    env->cp15.ttbcr = 0;
    env->cp15.dacr = 0;
    env->cp15.vbar = 0;
    env->cp15.contextidr = 0;
    env->cp15.tpidrurw = env->cp15.tpidruro = env->cp15.tpidrprw = 0;
    env->cp15.pmcr = 0x41002000u | (6u << 11);
    env->cp15.pmcntenset = 0;
    env->cntkctl = 0;
    env->gt_phys.ctl = env->gt_virt.ctl = 0;
    env->gt_phys.cval = env->gt_virt.cval = 0;
    env->cntvoff = 0;
    if (env->gt_phys.timer) {
        timer_del(env->gt_phys.timer);
        timer_del(env->gt_virt.timer);
    }
    if (extra(env)) {
        /* A machine reset powers secondaries started by CPU_ON off again. */
        extra(env)->powered_off = extra(env)->start_off;
        cpu->halted = extra(env)->powered_off;
    }
}

static void arm_get_tb_flags(void *e, uint64_t *pc, uint64_t *cs_base, uint32_t *flags)
{
    ArmEnv *env = e;
    *pc = env->regs[15];
    *cs_base = 0;
    *flags = arm_tb_flags(env);
}

static int arm_mmu_index(CPUState *cpu, bool ifetch)
{
    return arm_mode(aenv(cpu)) == ARM_MODE_USR ? ARM_MMU_PL0 : ARM_MMU_PL1;
}

static void arm_restore_state_to_opc(void *e, const uint64_t *words)
{
    ArmEnv *env = e;
    env->regs[15] = (uint32_t)words[0];
    env->condexec_bits = (uint32_t)words[1];
}

static void arm_set_pc(CPUState *cpu, uint64_t pc)
{
    aenv(cpu)->regs[15] = (uint32_t)pc;
}

static uint64_t arm_get_pc(CPUState *cpu)
{
    return aenv(cpu)->regs[15];
}

static void arm_dump_state(CPUState *cpu, FILE *f)
{
    ArmEnv *env = aenv(cpu);
    for (int i = 0; i < 16; i++) {
        fprintf(f, "R%02d=%08x%s", i, env->regs[i], (i & 3) == 3 ? "\n" : " ");
    }
    uint32_t psr = arm_cpsr_read(env);
    fprintf(f, "PSR=%08x %c%c%c%c %c %s\n", psr, psr & (1u << 31) ? 'N' : '-',
            psr & (1u << 30) ? 'Z' : '-', psr & (1u << 29) ? 'C' : '-',
            psr & (1u << 28) ? 'V' : '-', env->thumb ? 'T' : 'A',
            (const char *[]){"usr", "fiq", "irq", "svc", "???", "???", "mon", "abt", "???", "???",
                             "hyp", "und", "???", "???", "???", "sys"}[psr & 15]);
}

static void arm_fault(CPUState *cpu, uint32_t va, MMUAccessType at, uint32_t fsr, uintptr_t ra)
{
    ArmEnv *env = aenv(cpu);
    if (at == MMU_INST_FETCH) {
        env->cp15.ifsr = fsr;
        env->cp15.ifar = va;
        cpu->exception_index = ARM_EXCP_PREFETCH_ABORT;
    } else {
        env->cp15.dfsr = fsr | (at == MMU_DATA_STORE ? 1u << 11 : 0);
        env->cp15.dfar = va;
        cpu->exception_index = ARM_EXCP_DATA_ABORT;
    }
    cpu_loop_exit_restore(cpu, ra);
}

static bool arm_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType at, int mmu_idx,
                         bool probe, uintptr_t ra)
{
    ArmEnv *env = aenv(cpu);
    uint64_t pa, psize;
    int prot;
    uint32_t fsr;
    if (arm_mmu_translate(env, (uint32_t)vaddr, at, mmu_idx, &pa, &prot, &psize, &fsr)) {
        /* Sections and large pages go into the TLB as the 4 KiB page that was touched. */
        tlb_set_page(cpu, vaddr & ~0xfffull, pa & ~0xfffull, prot, mmu_idx, 1u << 12);
        return true;
    }
    if (probe) {
        return false;
    }
    arm_fault(cpu, (uint32_t)vaddr, at, fsr, ra);
    return false;
}

static uint32_t fsr_alignment(ArmEnv *env)
{
    bool lpae = (env->cp15.ttbcr >> 31) & 1;
    return lpae ? (1u << 9) | 0x21 : 0x1;
}

static void arm_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType at, int mmu_idx,
                          uintptr_t ra)
{
    arm_fault(cpu, (uint32_t)vaddr, at, fsr_alignment(aenv(cpu)), ra);
}

static void arm_transaction_failed(CPUState *cpu, uint64_t paddr, uint64_t vaddr, unsigned size,
                                   MMUAccessType at, int mmu_idx, MemTxResult result, uintptr_t ra)
{
    bool lpae = (aenv(cpu)->cp15.ttbcr >> 31) & 1;
    /* Synchronous external abort. */
    arm_fault(cpu, (uint32_t)vaddr, at, lpae ? (1u << 9) | 0x10 : 0x8, ra);
}

static int arm_gdb_read(CPUState *cpu, uint8_t *buf, int n)
{
    ArmEnv *env = aenv(cpu);
    uint32_t v;
    if (n < 16) {
        v = env->regs[n];
    } else if (n == 25) {
        v = arm_cpsr_read(env);
    } else if (n < 25) {
        if (n < 24) {
            memset(buf, 0, 12);
            return 12;
        }
        v = 0;
    } else {
        return 0;
    }
    memcpy(buf, &v, 4);
    return 4;
}

static int arm_gdb_write(CPUState *cpu, const uint8_t *buf, int n)
{
    ArmEnv *env = aenv(cpu);
    uint32_t v;
    if (n >= 16 && n < 24) {
        return 12;
    }
    memcpy(&v, buf, 4);
    if (n < 16) {
        env->regs[n] = v;
    } else if (n == 25) {
        arm_cpsr_write(env, v, 0xffffffffu);
    } else if (n != 24) {
        return 0;
    }
    return 4;
}

static LogDisasArch arm_disas_for_flags(uint32_t flags)
{
    return (flags & ARM_TBFLAG_THUMB) ? LOG_DISAS_THUMB : LOG_DISAS_ARM;
}

static const CPUArchOps arm_arch_ops = {
    .name = "arm",
    .env_size = sizeof(ArmEnv),
    .nb_mmu_modes = ARM_NB_MMU_MODES,
    .page_bits = 12,
    .addr_bits = 32,
    .big_endian = false,
    .disas_arch = LOG_DISAS_ARM,
    .translate_init = arm_translate_init,
    .gen_code = arm_gen_code,
    .reset = arm_reset,
    .get_tb_flags = arm_get_tb_flags,
    .mmu_index = arm_mmu_index,
    .exec_interrupt = arm_exec_interrupt,
    .do_interrupt = arm_do_interrupt,
    .has_work = arm_has_work,
    .tlb_fill = arm_tlb_fill,
    .do_unaligned_access = arm_unaligned,
    .do_transaction_failed = arm_transaction_failed,
    .restore_state_to_opc = arm_restore_state_to_opc,
    .set_pc = arm_set_pc,
    .get_pc = arm_get_pc,
    .dump_state = arm_dump_state,
    .gdb_num_regs = 26,
    .gdb_read_register = arm_gdb_read,
    .gdb_write_register = arm_gdb_write,
    .disas_arch_for_flags = arm_disas_for_flags,
};

/* ---- Models ---------------------------------------------------------------------------- */

static void arm_common_init(CPUState *cpu, const char *model)
{
    ArmEnv *env = aenv(cpu);
    if (!env->board_opaque) {
        ArmCpuExtra *x = calloc(1, sizeof(*x));
        x->inputs = irq_new_array(arm_irq_handler, cpu, ARM_CPU_NB_INPUTS);
        env->board_opaque = x;
    }
    env->features = ARM_FEATURE_GENERIC_TIMER | ARM_FEATURE_LPAE | ARM_FEATURE_DIV |
                    ARM_FEATURE_VFP4 | ARM_FEATURE_NEON | ARM_FEATURE_MP;
    env->cp15.mpidr = 0x80000000u | (uint32_t)cpu->cpu_index;
    env->cntfrq = 62500000;
    env->cp15.ctr = 0x8444c004;
    env->cp15.clidr = 0x0a200023;
    env->cp15.ccsidr[0] = 0x701fe00a; /* 32K L1 D */
    env->cp15.ccsidr[1] = 0x201fe00a; /* 32K L1 I */
    env->cp15.ccsidr[2] = 0x711fe07a; /* L2 */
    env->vfp.fpsid = 0x410430f0;
    env->vfp.mvfr0 = 0x10110222;
    env->vfp.mvfr1 = 0x11111111;
    arm_timer_init(cpu);
    arm_vfp_model_init(env, model);
}

static void model_a15(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    arm_common_init(cpu, "cortex-a15");
    env->cp15.midr = 0x412fc0f1;
    env->cp15.id_pfr0 = 0x00001131;
    env->cp15.id_pfr1 = 0x00011011;
    env->cp15.id_dfr0 = 0x02010555;
    env->cp15.id_afr0 = 0;
    env->cp15.id_mmfr[0] = 0x10201105;
    env->cp15.id_mmfr[1] = 0x20000000;
    env->cp15.id_mmfr[2] = 0x01240000;
    env->cp15.id_mmfr[3] = 0x02102211;
    env->cp15.id_isar[0] = 0x02101110;
    env->cp15.id_isar[1] = 0x13112111;
    env->cp15.id_isar[2] = 0x21232041;
    env->cp15.id_isar[3] = 0x11112131;
    env->cp15.id_isar[4] = 0x10011142;
    env->cp15.id_isar[5] = 0;
    env->cp15.ccsidr[2] = 0x711fe07a;
    env->cp15.cbar = 0x2c000000;
}

static void model_a7(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    model_a15(cpu);
    env->cp15.midr = 0x410fc075;
    env->cp15.ctr = 0x84448003;
    env->cp15.id_mmfr[0] = 0x10101105;
    env->cp15.id_isar[2] = 0x21232041;
    env->vfp.fpsid = 0x41023075;
}

static void model_a9(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    model_a15(cpu);
    /* Cortex-A9: no LPAE, no generic timer, no hardware divide. */
    env->features &= ~(ARM_FEATURE_LPAE | ARM_FEATURE_GENERIC_TIMER | ARM_FEATURE_DIV);
    env->cp15.midr = 0x410fc090;
    env->cp15.ctr = 0x80038003;
    env->cp15.id_pfr0 = 0x1031;
    env->cp15.id_pfr1 = 0x11;
    env->cp15.id_dfr0 = 0x000;
    env->cp15.id_mmfr[0] = 0x00100103;
    env->cp15.id_mmfr[1] = 0x20000000;
    env->cp15.id_mmfr[2] = 0x01230000;
    env->cp15.id_mmfr[3] = 0x00002111;
    env->cp15.id_isar[0] = 0x00101111;
    env->cp15.id_isar[1] = 0x13112111;
    env->cp15.id_isar[2] = 0x21232041;
    env->cp15.id_isar[3] = 0x11112131;
    env->cp15.id_isar[4] = 0x00111142;
    env->cp15.clidr = 0x09200003;
    env->vfp.fpsid = 0x41033090;
    env->vfp.mvfr0 = 0x11110222;
    env->vfp.mvfr1 = 0x01111111;
}

static const CPUModel model_cortex_a15 = {"cortex-a15", "arm", "ARM Cortex-A15 (ARMv7-A, LPAE)",
                                          &arm_arch_ops, model_a15};
static const CPUModel model_cortex_a7 = {"cortex-a7", "arm", "ARM Cortex-A7 (ARMv7-A, LPAE)",
                                         &arm_arch_ops, model_a7};
static const CPUModel model_cortex_a9 = {"cortex-a9", "arm", "ARM Cortex-A9 (ARMv7-A)",
                                         &arm_arch_ops, model_a9};

const CPUModel *const arm_cpu_models[] = {&model_cortex_a15, &model_cortex_a7, &model_cortex_a9,
                                          NULL};

/* ---- Board interface ------------------------------------------------------------------- */

qemu_irq *arm_cpu_irq_inputs(CPUState *cpu)
{
    return extra(aenv(cpu))->inputs;
}

void arm_cpu_set_timer_outputs(CPUState *cpu, qemu_irq phys, qemu_irq virt, qemu_irq hyp,
                               qemu_irq sec)
{
    ArmEnv *env = aenv(cpu);
    env->gt_phys.out = phys;
    env->gt_virt.out = virt;
}

void arm_cpu_set_cntfrq(CPUState *cpu, uint32_t hz)
{
    aenv(cpu)->cntfrq = hz;
}

void arm_cpu_set_mpidr(CPUState *cpu, uint32_t aff1, uint32_t aff0)
{
    aenv(cpu)->cp15.mpidr = 0x80000000u | (aff1 & 0xff) << 8 | (aff0 & 0xff);
}

uint32_t arm_cpu_get_mpidr(CPUState *cpu)
{
    return aenv(cpu)->cp15.mpidr;
}

void arm_cpu_set_psci_handler(CPUState *cpu, ArmPsciHandler fn, void *opaque)
{
    aenv(cpu)->psci_handler = fn;
    aenv(cpu)->psci_opaque = opaque;
}

void arm_cpu_enable_psci(CPUState *cpu)
{
    extra(aenv(cpu))->psci_builtin = true;
}

void arm_cpu_set_powered_off(CPUState *cpu, bool off)
{
    extra(aenv(cpu))->powered_off = off;
    extra(aenv(cpu))->start_off = off;
    cpu->halted = off;
}

void arm_cpu_release(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    ArmCpuExtra *x = extra(env);
    if (env->gt_phys.timer) {
        timer_free(env->gt_phys.timer);
        timer_free(env->gt_virt.timer);
        env->gt_phys.timer = env->gt_virt.timer = NULL;
    }
    if (x) {
        for (int i = 0; i < ARM_CPU_NB_INPUTS; i++) {
            irq_free(x->inputs[i]);
        }
        free(x->inputs);
        free(x);
        env->board_opaque = NULL;
    }
}

uint32_t arm_cpu_get_reg(CPUState *cpu, int r)
{
    return aenv(cpu)->regs[r & 15];
}

void arm_cpu_set_reg(CPUState *cpu, int r, uint32_t val)
{
    aenv(cpu)->regs[r & 15] = val;
}

void arm_cpu_set_boot_state(CPUState *cpu, uint32_t pc, uint32_t r0, uint32_t r1, uint32_t r2)
{
    ArmEnv *env = aenv(cpu);
    arm_cpsr_write(env, ARM_MODE_SVC | CPSR_A | CPSR_I | CPSR_F, 0xffffffffu);
    env->thumb = pc & 1;
    env->regs[15] = pc & ~1u;
    env->regs[0] = r0;
    env->regs[1] = r1;
    env->regs[2] = r2;
}

/* ---- PSCI 1.0 (DEN0022), HVC or SMC conduit ------------------------------------------ */

/* SMC32 function IDs; the SMC64 ones (0xc4...) are not callable from AArch32. */
#define PSCI_FN(n)              (0x84000000u + (n))
#define PSCI_VERSION            PSCI_FN(0)
#define PSCI_CPU_SUSPEND        PSCI_FN(1)
#define PSCI_CPU_OFF            PSCI_FN(2)
#define PSCI_CPU_ON             PSCI_FN(3)
#define PSCI_AFFINITY_INFO      PSCI_FN(4)
#define PSCI_MIGRATE_INFO_TYPE  PSCI_FN(6)
#define PSCI_SYSTEM_OFF         PSCI_FN(8)
#define PSCI_SYSTEM_RESET       PSCI_FN(9)
#define PSCI_FEATURES           PSCI_FN(10)
#define PSCI_RET_SUCCESS        0u
#define PSCI_RET_NOT_SUPPORTED  ((uint32_t)-1)
#define PSCI_RET_INVALID_PARAMS ((uint32_t)-2)
#define PSCI_RET_ALREADY_ON     ((uint32_t)-4)

static bool arm_psci_implemented(uint32_t fn)
{
    switch (fn) {
    case PSCI_VERSION:
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_AFFINITY_INFO:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES: return true;
    default: return false;
    }
}

/* A CPU coming out of power-down (CPU_ON, CPU_SUSPEND): SVC mode, interrupts masked,
 * MMU off, at entry (bit 0: Thumb) with r0 = context_id. */
static void arm_psci_enter(ArmEnv *e, uint32_t entry, uint32_t context)
{
    arm_cpsr_write(e, ARM_MODE_SVC | CPSR_A | CPSR_I | CPSR_F, 0xffffffffu);
    e->thumb = entry & 1;
    e->regs[15] = entry & ~1u;
    e->regs[0] = context;
    e->cp15.sctlr &= ~1u;
}

static uint32_t arm_psci_cpu_on(uint32_t target, uint32_t entry, uint32_t context)
{
    for (CPUState *c = cpu_first(); c; c = c->next) {
        ArmEnv *e = aenv(c);
        if (c->ops != &arm_arch_ops || (e->cp15.mpidr & 0xffffff) != (target & 0xffffff)) {
            continue;
        }
        if (!extra(e)->powered_off) {
            return PSCI_RET_ALREADY_ON;
        }
        arm_psci_enter(e, entry, context);
        extra(e)->powered_off = false;
        c->halted = false;
        cpu_interrupt(c, CPU_INTERRUPT_EXITTB);
        return PSCI_RET_SUCCESS;
    }
    return PSCI_RET_INVALID_PARAMS;
}

/* ON (0) if any CPU whose affinity fields above `level` match target's is on, OFF (1)
 * if all are off; levels 0-2 exist on AArch32. */
static uint32_t arm_psci_affinity_info(uint32_t target, uint32_t level)
{
    if (level > 2) {
        return PSCI_RET_INVALID_PARAMS;
    }
    uint32_t mask = 0xffffffu & ~((1u << (8 * level)) - 1);
    bool found = false, on = false;
    for (CPUState *c = cpu_first(); c; c = c->next) {
        ArmEnv *e = aenv(c);
        if (c->ops == &arm_arch_ops && ((e->cp15.mpidr ^ target) & mask) == 0) {
            found = true;
            on |= !extra(e)->powered_off;
        }
    }
    return !found ? PSCI_RET_INVALID_PARAMS : on ? 0 : 1;
}

static bool arm_psci_builtin(CPUState *cpu)
{
    ArmEnv *env = aenv(cpu);
    uint32_t fn = env->regs[0], a1 = env->regs[1], a2 = env->regs[2], a3 = env->regs[3];
    uint32_t ret = PSCI_RET_NOT_SUPPORTED;
    switch (fn) {
    case PSCI_VERSION: ret = 0x00010000; break; /* major 1, minor 0 */
    case PSCI_FEATURES:
        /* 0 for each implemented call; for CPU_SUSPEND that also says: original
         * power_state format, platform-coordinated mode only. */
        ret = arm_psci_implemented(a1) ? 0 : PSCI_RET_NOT_SUPPORTED;
        break;
    case PSCI_CPU_SUSPEND:
        /* A standby state (StateType, bit 16, clear) may end in an immediate wake-up; a
         * power-down one then resumes at its entry point, as after CPU_ON. */
        if (a1 & (1u << 16)) {
            arm_psci_enter(env, a2, a3);
            return true;
        }
        ret = PSCI_RET_SUCCESS;
        break;
    case PSCI_CPU_OFF:
        extra(env)->powered_off = true;
        cpu->halted = true;
        return true;
    case PSCI_CPU_ON: ret = arm_psci_cpu_on(a1, a2, a3); break;
    case PSCI_AFFINITY_INFO: ret = arm_psci_affinity_info(a1, a2); break;
    case PSCI_MIGRATE_INFO_TYPE: ret = 2; break; /* no Trusted OS to migrate */
    case PSCI_SYSTEM_OFF:
        vm_request_shutdown(0);
        cpu->exit_request = true;
        return true;
    case PSCI_SYSTEM_RESET: vm_request_reset(); return true;
    }
    env->regs[0] = ret;
    return true;
}

void helper_hvc_smc(void *e, uint32_t is_smc)
{
    ArmEnv *env = e;
    CPUState *cpu = env_cpu(env);
    bool ok = false;
    if (env->psci_handler) {
        ok = env->psci_handler(cpu, is_smc, env->psci_opaque);
    } else if (extra(env)->psci_builtin) {
        ok = arm_psci_builtin(cpu);
    }
    if (!ok) {
        /* pc is the next instruction; LR_und of a (32-bit) Thumb HVC/SMC is its address + 2. */
        if (env->thumb) {
            env->regs[15] -= 2;
        }
        cpu->exception_index = ARM_EXCP_UDEF;
        cpu_loop_exit(cpu);
    }
    if (extra(env)->powered_off) {
        cpu->exception_index = EXCP_HLT;
        cpu_loop_exit(cpu);
    }
}

/* ---- Helpers --------------------------------------------------------------------------- */

void helper_exception(void *e, uint32_t excp)
{
    CPUState *cpu = env_cpu(e);
    cpu->exception_index = (int)excp;
    cpu_loop_exit(cpu);
}

uint32_t helper_cpsr_read(void *e)
{
    return arm_cpsr_read(e);
}

void helper_cpsr_write(void *e, uint32_t val, uint32_t mask)
{
    arm_cpsr_write(e, val, mask);
    arm_update_irq(env_cpu(e));
}

void helper_exception_return(void *e, uint32_t pc)
{
    ArmEnv *env = e;
    uint32_t spsr = env->spsr;
    arm_cpsr_write(env, spsr, 0xffffffffu);
    env->regs[15] = pc & (env->thumb ? ~1u : ~3u);
    env->exclusive_addr = UINT32_MAX;
    arm_update_irq(env_cpu(e));
}

uint32_t helper_get_user_reg(void *e, uint32_t r)
{
    ArmEnv *env = e;
    uint32_t mode = arm_mode(env);
    if (r >= 8 && r <= 12 && mode == ARM_MODE_FIQ) {
        return env->usr_regs[r - 8];
    }
    if ((r == 13 || r == 14) && mode != ARM_MODE_USR && mode != ARM_MODE_SYS) {
        return r == 13 ? env->banked_r13[ARM_BANK_USR] : env->banked_r14[ARM_BANK_USR];
    }
    return env->regs[r];
}

void helper_set_user_reg(void *e, uint32_t r, uint32_t val)
{
    ArmEnv *env = e;
    uint32_t mode = arm_mode(env);
    if (r >= 8 && r <= 12 && mode == ARM_MODE_FIQ) {
        env->usr_regs[r - 8] = val;
    } else if ((r == 13 || r == 14) && mode != ARM_MODE_USR && mode != ARM_MODE_SYS) {
        if (r == 13) {
            env->banked_r13[ARM_BANK_USR] = val;
        } else {
            env->banked_r14[ARM_BANK_USR] = val;
        }
    } else {
        env->regs[r] = val;
    }
}

/* Banked register for MRS/MSR (banked): r_sysm = R << 5 | SYSm. Returns a pointer, or NULL
 * when the encoding names the current mode's own register or nothing. */
static uint32_t *banked_reg(ArmEnv *env, uint32_t r_sysm)
{
    uint32_t r = r_sysm >> 5, sysm = r_sysm & 31;
    uint32_t mode = arm_mode(env);
    static const uint32_t spsr_modes[32] = {
        [14] = ARM_MODE_FIQ, [16] = ARM_MODE_IRQ, [18] = ARM_MODE_SVC,
        [20] = ARM_MODE_ABT, [22] = ARM_MODE_UND,
    };
    if (r) {
        uint32_t m = spsr_modes[sysm];
        if (!m || m == mode) {
            return NULL;
        }
        return &env->banked_spsr[arm_bank_of(m)];
    }
    if (sysm < 7) { /* r8_usr..r14_usr */
        int n = (int)sysm + 8;
        if (mode == ARM_MODE_USR || mode == ARM_MODE_SYS) {
            return NULL;
        }
        if (n <= 12) {
            return mode == ARM_MODE_FIQ ? &env->usr_regs[n - 8] : &env->regs[n];
        }
        return n == 13 ? &env->banked_r13[ARM_BANK_USR] : &env->banked_r14[ARM_BANK_USR];
    }
    if (sysm < 15) { /* r8_fiq..r14_fiq */
        if (mode == ARM_MODE_FIQ) {
            return NULL;
        }
        int n = (int)sysm;
        if (n <= 12) {
            return &env->fiq_regs[n - 8];
        }
        return n == 13 ? &env->banked_r13[ARM_BANK_FIQ] : &env->banked_r14[ARM_BANK_FIQ];
    }
    static const uint32_t modes[8] = {ARM_MODE_IRQ, ARM_MODE_IRQ, ARM_MODE_SVC, ARM_MODE_SVC,
                                      ARM_MODE_ABT, ARM_MODE_ABT, ARM_MODE_UND, ARM_MODE_UND};
    if (sysm >= 16 && sysm < 24) {
        uint32_t m = modes[sysm - 16];
        if (m == mode) {
            return NULL;
        }
        int b = arm_bank_of(m);
        return (sysm & 1) ? &env->banked_r13[b] : &env->banked_r14[b];
    }
    return NULL;
}

uint32_t helper_mrs_banked(void *e, uint32_t r_sysm)
{
    uint32_t *p = banked_reg(e, r_sysm);
    if (!p) {
        helper_exception(e, ARM_EXCP_UDEF);
    }
    return *p;
}

void helper_msr_banked(void *e, uint32_t r_sysm, uint32_t val)
{
    uint32_t *p = banked_reg(e, r_sysm);
    if (!p) {
        helper_exception(e, ARM_EXCP_UDEF);
    }
    *p = val;
}

void helper_srs(void *e, uint32_t args)
{
    ArmEnv *env = e;
    uint32_t mode = args & 31;
    bool p = (args >> 8) & 1, u = (args >> 9) & 1, w = (args >> 10) & 1;
    int b = arm_bank_of(mode);
    uint32_t sp = mode == arm_mode(env) ? env->regs[13] : env->banked_r13[b];
    uint32_t addr = sp + (u ? (p ? 4 : 0) : (p ? -8u : -4u));
    uintptr_t ra = GETPC();
    cpu_stl_data_ra(env, addr, env->regs[14], ra);
    cpu_stl_data_ra(env, addr + 4, env->spsr, ra);
    if (w) {
        uint32_t nsp = sp + (u ? 8 : -8u);
        if (mode == arm_mode(env)) {
            env->regs[13] = nsp;
        } else {
            env->banked_r13[b] = nsp;
        }
    }
}

void helper_wfi(void *e)
{
    CPUState *cpu = env_cpu(e);
    if (cpu->interrupt_request & (CPU_INTERRUPT_HARD | CPU_INTERRUPT_FIQ)) {
        return;
    }
    cpu->halted = true;
    cpu->exception_index = EXCP_HLT;
    cpu_loop_exit(cpu);
}

static uint32_t sat_s32(ArmEnv *env, int64_t v)
{
    if (v > INT32_MAX) {
        env->QF = 1;
        return INT32_MAX;
    }
    if (v < INT32_MIN) {
        env->QF = 1;
        return (uint32_t)INT32_MIN;
    }
    return (uint32_t)v;
}

uint32_t helper_add_sat(void *e, uint32_t a, uint32_t b, uint32_t op)
{
    ArmEnv *env = e;
    /* op bit 1: double b first (QDADD/QDSUB); bit 0: subtract. a = Rm, b = Rn. */
    int64_t y = (int32_t)b;
    if (op & 2) {
        y = (int32_t)sat_s32(env, y * 2);
    }
    return sat_s32(env, (op & 1) ? (int64_t)(int32_t)a - y : (int64_t)(int32_t)a + y);
}

uint32_t helper_add_setq(void *e, uint32_t a, uint32_t b)
{
    ArmEnv *env = e;
    uint32_t r = a + b;
    if (((r ^ a) & ~(a ^ b)) >> 31) {
        env->QF = 1;
    }
    return r;
}

static int32_t ssat_one(ArmEnv *env, int32_t v, uint32_t n)
{
    int32_t max = (int32_t)((1u << (n - 1)) - 1), min = -max - 1;
    if (v > max) {
        env->QF = 1;
        return max;
    }
    if (v < min) {
        env->QF = 1;
        return min;
    }
    return v;
}

static uint32_t usat_one(ArmEnv *env, int32_t v, uint32_t n)
{
    int64_t max = ((int64_t)1 << n) - 1;
    if (v < 0) {
        env->QF = 1;
        return 0;
    }
    if (v > max) {
        env->QF = 1;
        return (uint32_t)max;
    }
    return (uint32_t)v;
}

uint32_t helper_ssat(void *e, uint32_t v, uint32_t n)
{
    return (uint32_t)ssat_one(e, (int32_t)v, n);
}

uint32_t helper_usat(void *e, uint32_t v, uint32_t n)
{
    return usat_one(e, (int32_t)v, n);
}

uint32_t helper_ssat16(void *e, uint32_t v, uint32_t n)
{
    uint32_t lo = (uint16_t)ssat_one(e, (int16_t)v, n);
    uint32_t hi = (uint16_t)ssat_one(e, (int16_t)(v >> 16), n);
    return lo | hi << 16;
}

uint32_t helper_usat16(void *e, uint32_t v, uint32_t n)
{
    uint32_t lo = usat_one(e, (int16_t)v, n);
    uint32_t hi = usat_one(e, (int16_t)(v >> 16), n);
    return lo | hi << 16;
}

/* Parallel add/subtract: op = op1 << 3 | op2 (A32 encoding). op1: 1 S, 2 Q, 3 SH, 5 U,
 * 6 UQ, 7 UH; op2: 0 ADD16, 1 ASX, 2 SAX, 3 SUB16, 4 ADD8, 7 SUB8. */
uint32_t helper_parallel(void *e, uint32_t a, uint32_t b, uint32_t op)
{
    ArmEnv *env = e;
    uint32_t kind = op >> 3, what = op & 7;
    bool sign = kind < 4;
    int lanes = what >= 4 ? 4 : 2, width = 32 / lanes;
    uint32_t mask = (1u << width) - 1, r = 0, ge = 0;
    for (int i = 0; i < lanes; i++) {
        int sh = i * width;
        int32_t x, y;
        int other = lanes == 2 ? 16 - sh : sh; /* ASX/SAX pair the opposite half */
        uint32_t xa = (a >> sh) & mask;
        uint32_t yb = (b >> ((what == 1 || what == 2) ? other : sh)) & mask;
        if (sign) {
            x = width == 8 ? (int8_t)xa : (int16_t)xa;
            y = width == 8 ? (int8_t)yb : (int16_t)yb;
        } else {
            x = (int32_t)xa;
            y = (int32_t)yb;
        }
        bool sub;
        switch (what) {
        case 1: sub = i == 0; break; /* ASX: low = a.lo - b.hi, high = a.hi + b.lo */
        case 2: sub = i == 1; break; /* SAX: low = a.lo + b.hi, high = a.hi - b.lo */
        case 3:
        case 7: sub = true; break;
        default: sub = false; break;
        }
        int32_t v = sub ? x - y : x + y;
        int32_t res;
        switch (kind) {
        case 1: /* S: GE set if the signed result >= 0 */
            res = v;
            if (v >= 0) {
                ge |= (lanes == 2 ? 3u : 1u) << (i * (4 / lanes));
            }
            break;
        case 5: /* U: GE set on carry out (add) or no borrow (sub) */
            res = v;
            if (sub ? v >= 0 : v >= (1 << width)) {
                ge |= (lanes == 2 ? 3u : 1u) << (i * (4 / lanes));
            }
            break;
        case 2: {
            int32_t max = (1 << (width - 1)) - 1, min = -max - 1;
            res = v > max ? max : v < min ? min : v;
            break;
        }
        case 6: {
            int32_t max = (1 << width) - 1;
            res = v > max ? max : v < 0 ? 0 : v;
            break;
        }
        default: res = v >> 1; break; /* SH, UH: halving */
        }
        r |= ((uint32_t)res & mask) << sh;
    }
    if (kind == 1 || kind == 5) {
        env->GE = ge;
    }
    return r;
}

uint32_t helper_sel(void *e, uint32_t a, uint32_t b)
{
    ArmEnv *env = e;
    uint32_t r = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t m = 0xffu << (i * 8);
        r |= ((env->GE >> i) & 1) ? (a & m) : (b & m);
    }
    return r;
}

uint32_t helper_usad8(uint32_t a, uint32_t b)
{
    uint32_t s = 0;
    for (int i = 0; i < 32; i += 8) {
        int d = (int)((a >> i) & 0xff) - (int)((b >> i) & 0xff);
        s += (uint32_t)(d < 0 ? -d : d);
    }
    return s;
}

/* Register-specified shift with carry out (n = Rs[7:0]). */
uint32_t helper_shift_cc(void *e, uint32_t x, uint32_t n, uint32_t ty)
{
    ArmEnv *env = e;
    if (n == 0) {
        return x;
    }
    switch (ty) {
    case 0:
        if (n < 32) {
            env->CF = (x >> (32 - n)) & 1;
            return x << n;
        }
        env->CF = n == 32 ? x & 1 : 0;
        return 0;
    case 1:
        if (n < 32) {
            env->CF = (x >> (n - 1)) & 1;
            return x >> n;
        }
        env->CF = n == 32 ? x >> 31 : 0;
        return 0;
    case 2:
        if (n < 32) {
            env->CF = (x >> (n - 1)) & 1;
            return (uint32_t)((int32_t)x >> n);
        }
        env->CF = x >> 31;
        return (uint32_t)((int32_t)x >> 31);
    default: {
        uint32_t m = n & 31;
        uint32_t r = m ? (x >> m) | (x << (32 - m)) : x;
        env->CF = r >> 31;
        return r;
    }
    }
}

/* Host address of guest addr if the TLB maps it as RAM readable and writable for mmu_idx,
 * else NULL (I/O, no write entry yet). *code_ram: the ram_addr to invalidate translated
 * code at after writing (the page holds code), else UINT64_MAX. */
static void *strex_host_addr(ArmEnv *env, uint32_t addr, unsigned idx, uint64_t *code_ram)
{
    CPUState *cpu = env_cpu(env);
    TCGTLBDesc *d = &env->common.tlb[idx];
    uintptr_t off = ((uintptr_t)(addr >> 12) << TCG_TLB_ENTRY_BITS) & d->mask;
    TCGTLBEntry *ent = (TCGTLBEntry *)((uint8_t *)d->table + off);
    uint64_t page = addr & ~0xfffu;
    uint64_t w = __atomic_load_n(&ent->addr_write, __ATOMIC_ACQUIRE);
    if ((w & ~(uint64_t)TCG_TLB_NOTDIRTY) != page || ent->addr_read != page) {
        return NULL;
    }
    CPUTLBEntryFull *full = &cpu->tlb_full[idx][off >> TCG_TLB_ENTRY_BITS];
    if (full->ram_addr == UINT64_MAX) {
        return NULL;
    }
    *code_ram = (w & TCG_TLB_NOTDIRTY) ? full->ram_addr + (addr & 0xfffu) : UINT64_MAX;
    return (void *)((uintptr_t)addr + ent->addend);
}

/* STREX succeeds if memory still holds what LDREX read: on RAM a host compare-and-swap, so
 * that vCPUs racing on a lock word (or a plain store racing with us) never both win. */
uint32_t helper_strex(void *e, uint32_t addr, uint32_t lo, uint32_t hi, uint32_t sz_idx)
{
    ArmEnv *env = e;
    uintptr_t ra = GETPC();
    uint32_t sz = sz_idx & 3;
    unsigned idx = sz_idx >> 4;
    static const MemOp ops[4] = {MO_UL | MO_ALIGN, MO_UQ | MO_ALIGN_8, MO_UB, MO_UW | MO_ALIGN};
    MemOpIdx oi = make_memop_idx(ops[sz], idx);
    if (env->exclusive_addr != addr) {
        env->exclusive_addr = UINT32_MAX;
        return 1;
    }
    env->exclusive_addr = UINT32_MAX;
    uint64_t expect = sz == 1 ? env->exclusive_val : (uint32_t)env->exclusive_val;
    uint64_t val = sz == 1 ? ((uint64_t)hi << 32 | lo) : lo;
    /* The load checks permissions and alignment and fills the TLB. */
    uint64_t cur = cpu_ld_mmu(env, addr, oi, ra);
    if (cur != expect) {
        return 1;
    }
    uint64_t code_ram = UINT64_MAX;
    void *host = strex_host_addr(env, addr, idx, &code_ram);
    if (!host) {
        /* Fill the write side of the entry (raises a permission fault here if any). */
        arm_tlb_fill(env_cpu(env), addr, 1 << (ops[sz] & MO_SIZE), MMU_DATA_STORE, (int)idx, false,
                     ra);
        host = strex_host_addr(env, addr, idx, &code_ram);
    }
    if (host) {
        bool ok;
        switch (sz) {
        case 0: {
            uint32_t x = (uint32_t)expect;
            ok = __atomic_compare_exchange_n((uint32_t *)host, &x, (uint32_t)val, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            break;
        }
        case 1: {
            uint64_t x = expect;
            ok = __atomic_compare_exchange_n((uint64_t *)host, &x, val, false, __ATOMIC_SEQ_CST,
                                             __ATOMIC_SEQ_CST);
            break;
        }
        case 2: {
            uint8_t x = (uint8_t)expect;
            ok = __atomic_compare_exchange_n((uint8_t *)host, &x, (uint8_t)val, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            break;
        }
        default: {
            uint16_t x = (uint16_t)expect;
            ok = __atomic_compare_exchange_n((uint16_t *)host, &x, (uint16_t)val, false,
                                             __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
            break;
        }
        }
        if (ok && code_ram != UINT64_MAX) {
            tb_invalidate_phys_range(code_ram, 1u << (ops[sz] & MO_SIZE));
        }
        return ok ? 0 : 1;
    }
    /* Devices, pages holding code, no write entry yet: a plain store (it may fault, so no
     * lock may be held here); the next STREX to a RAM page takes the atomic path. */
    cpu_st_mmu(env, addr, val, oi, ra);
    return 0;
}

/* ---- CP15 through helpers ---------------------------------------------------------------- */

uint64_t helper_cp_read(void *e, uint32_t key)
{
    uint64_t v;
    if (!arm_cp_read(e, key, &v)) {
        helper_exception(e, ARM_EXCP_UDEF);
    }
    return v;
}

uint32_t helper_cp_write(void *e, uint32_t key, uint64_t val)
{
    bool end = false;
    if (!arm_cp_write(e, key, val, &end)) {
        helper_exception(e, ARM_EXCP_UDEF);
    }
    return end;
}
