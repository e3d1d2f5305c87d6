/*
 * cpu/arm/arm.h: the ARMv7-A guest CPU for boards: models "cortex-a15", "cortex-a7" and
 * "cortex-a9" (cpu_create), the IRQ/FIQ inputs, generic-timer outputs for the GIC, and
 * the HVC/SMC hook through which a board implements PSCI.
 */
#ifndef MIMIC_CPU_ARM_ARM_H
#define MIMIC_CPU_ARM_ARM_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "hw/hw.h"

extern const CPUModel *const arm_cpu_models[];

/* Level-triggered inputs: [0] IRQ, [1] FIQ. The array belongs to the CPU. */
qemu_irq *arm_cpu_irq_inputs(CPUState *cpu);

/* Where the generic timers signal (the GIC's PPIs: physical 30, virtual 27 on virt).
 * hyp and sec (secure physical) are accepted and never raised (no EL2/EL3). */
void arm_cpu_set_timer_outputs(CPUState *cpu, qemu_irq phys, qemu_irq virt, qemu_irq hyp,
                               qemu_irq sec);
/* CNTFRQ reset value in Hz (default 62.5 MHz). */
void arm_cpu_set_cntfrq(CPUState *cpu, uint32_t hz);

/* MPIDR affinity (cluster, cpu): MPIDR = 0x80000000 | cluster << 8 | cpu. */
void arm_cpu_set_mpidr(CPUState *cpu, uint32_t aff1, uint32_t aff0);
uint32_t arm_cpu_get_mpidr(CPUState *cpu);

/* HVC and SMC from PL1 call handler (on the vCPU thread, without the global lock); it reads
 * and writes r0-r3 with arm_cpu_get/set_reg and returns true if it handled the call;
 * false makes the instruction UNDEFINED. Without a handler the built-in PSCI 1.0 is used
 * (arm_cpu_enable_psci). */
typedef bool (*ArmPsciHandler)(CPUState *cpu, bool is_smc, void *opaque);
void arm_cpu_set_psci_handler(CPUState *cpu, ArmPsciHandler fn, void *opaque);
/* Built-in PSCI 1.0 on HVC or SMC: PSCI_VERSION, PSCI_FEATURES, CPU_ON (starts a
 * powered-off CPU at entry with r0 = context), CPU_OFF, CPU_SUSPEND, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE (2), SYSTEM_OFF (vm_request_shutdown(0)), SYSTEM_RESET
 * (vm_request_reset). */
void arm_cpu_enable_psci(CPUState *cpu);
/* Power state for PSCI: secondaries of a board start off (and are off again after a
 * machine reset) until PSCI CPU_ON. */
void arm_cpu_set_powered_off(CPUState *cpu, bool off);

/* Frees what the CPU model allocated (timers, IRQ lines); call before cpu_destroy. */
void arm_cpu_release(CPUState *cpu);

uint32_t arm_cpu_get_reg(CPUState *cpu, int r); /* r0-r15 of the current mode */
void arm_cpu_set_reg(CPUState *cpu, int r, uint32_t val);
/* Starting state for a Linux boot: pc, SVC mode with IRQ/FIQ masked, ARM state (pc bit 0
 * set: Thumb). */
void arm_cpu_set_boot_state(CPUState *cpu, uint32_t pc, uint32_t r0, uint32_t r1, uint32_t r2);

#endif
