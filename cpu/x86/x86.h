/*
 * cpu/x86/x86.h: the x86-64 CPU state as accelerators and boards see it (registers,
 * segments, control registers). Today only the KVM accelerator runs it; the TCG
 * front-end comes later and will extend this env.
 */
#ifndef MIMIC_CPU_X86_X86_H
#define MIMIC_CPU_X86_X86_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"

enum { X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI };

/* A segment register in the descriptor-cache form the SDM and KVM use. */
typedef struct X86Segment {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint8_t type, present, dpl, db, s, l, g, avl, unusable;
} X86Segment;

enum {
    X86_SEG_ES,
    X86_SEG_CS,
    X86_SEG_SS,
    X86_SEG_DS,
    X86_SEG_FS,
    X86_SEG_GS,
    X86_SEG_TR,
    X86_SEG_LDTR,
    X86_SEG_COUNT
};

/* The x87 and SSE registers in FXSAVE's terms (SDM vol. 1, 10.5.1) as the accelerator
 * last reported them: for debuggers and dumps only, never written back. */
typedef struct X86FpuState {
    uint8_t st[8][10]; /* ST(0)..ST(7) in stack order, 80-bit extended */
    uint16_t fcw, fsw, fop;
    uint8_t ftw_abridged; /* bit i: physical register i is not empty */
    uint64_t fip, fdp;
    uint8_t xmm[16][16];
    uint32_t mxcsr;
    bool valid; /* false until the accelerator filled it (cleared by reset) */
} X86FpuState;

typedef struct X86Env {
    CPUEnvCommon common;
    uint64_t regs[16];
    uint64_t rip, rflags;
    X86Segment seg[X86_SEG_COUNT];
    uint64_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    uint32_t apic_id;
    /* Accelerator-private state (the KVM vCPU) and whether env holds registers the
     * accelerator has not seen yet (set by reset and by boards). */
    void *accel;
    bool regs_dirty;
    X86FpuState fpu;
} X86Env;

#define X86_CR0_PE   (1ull << 0)
#define X86_CR0_MP   (1ull << 1)
#define X86_CR0_ET   (1ull << 4)
#define X86_CR0_NE   (1ull << 5)
#define X86_CR0_WP   (1ull << 16)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)

extern const CPUModel *const x86_cpu_models[];

/* Puts the CPU in 64-bit mode as the Linux 64-bit boot protocol wants it: paging on
 * with cr3 = page tables, CS = code64 selector, the data selectors, rip = entry, rsi =
 * boot_params. The accelerator picks it up before the next run. */
void x86_cpu_set_long_mode(CPUState *cpu, uint64_t gdt_base, uint16_t gdt_limit, uint64_t cr3,
                           uint16_t cs_sel, uint16_t ds_sel, uint64_t rip, uint64_t rsi);

/* Debugger translation of a linear address with the paging mode in env (no paging,
 * 32-bit, PAE, 4- and 5-level; large pages); reads the tables through cpu->as. false
 * when not mapped. env must hold the accelerator's registers (cpu_synchronize_state). */
bool x86_cpu_debug_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr);

#endif
