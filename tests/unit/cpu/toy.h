/*
 * tests/unit/cpu/toy.h: "toy", a tiny test-only guest architecture that exercises the
 * generic CPU layer (translator loop, TB cache, soft-MMU, exec loop) through its hooks.
 *
 * 32-bit little-endian words: op[31:26] rd[25:22] rs[21:18] rt[17:14] imm16[15:0].
 * Addresses >= 0x80000000 and the page env->hole are unmapped (fault); everything else
 * maps 1:1 to physical.
 */
#ifndef TESTS_UNIT_CPU_TOY_H
#define TESTS_UNIT_CPU_TOY_H

#include <stdint.h>

#include "cpu/cpu.h"

enum {
    TOY_LI = 1,       /* rd = sext(imm) */
    TOY_LUI = 2,      /* rd = imm << 16 */
    TOY_ORI = 3,      /* rd = rs | zext(imm) */
    TOY_ADD = 4,      /* rd = rs + rt */
    TOY_ADDI = 5,     /* rd = rs + sext(imm) */
    TOY_LW = 6,       /* rd = mem32[rs + sext(imm)] */
    TOY_SW = 7,       /* mem32[rs + sext(imm)] = rd */
    TOY_BNZ = 8,      /* if (rs) pc = pc + 4 + sext(imm) * 4 */
    TOY_JR = 9,       /* pc = rs (indirect) */
    TOY_RAISE = 10,   /* helper raises exception imm */
    TOY_WFI = 11,     /* wait for interrupt */
    TOY_HALT = 12,    /* done = 1, stop */
    TOY_J = 13,       /* pc = pc + 4 + sext(imm) * 4 */
    TOY_SUB = 14,     /* rd = rs - rt */
    TOY_ERET = 15,    /* pc = irq_epc, ie = 1 */
    TOY_LWBE = 16,    /* rd = big-endian mem32[rs + sext(imm)], unaligned allowed */
    TOY_SWBE = 17,    /* big-endian store of rd, unaligned allowed */
    TOY_HLW = 18,     /* rd = mem32[rs + sext(imm)] through a helper (cpu_ldl_data_ra) */
    TOY_SETMODE = 19, /* mode = imm from the next block on; in mode 1, LI adds 1000 */
};

enum {
    TOY_EXCP_FAULT = 1,   /* unmapped address; badaddr holds it */
    TOY_EXCP_ILLEGAL = 2, /* unknown opcode */
    TOY_EXCP_UNALIGNED = 3,
    TOY_EXCP_BUS = 4, /* nothing at that physical address */
};

typedef struct ToyEnv {
    CPUEnvCommon common;
    uint32_t regs[16];
    uint32_t pc;
    uint32_t ie;      /* interrupts enabled */
    uint32_t evec;    /* exception vector */
    uint32_t ivec;    /* interrupt vector */
    uint32_t epc;     /* pc of the faulting instruction */
    uint32_t irq_epc; /* where an interrupt came in */
    uint32_t last_excp;
    uint32_t badaddr;
    uint32_t n_excp;
    uint32_t n_irq;
    uint32_t hole; /* a page (other than 0) that faults like unmapped memory */
    uint32_t mode; /* the block flags: translation depends on it */
    volatile uint32_t done;
} ToyEnv;

extern const CPUArchOps toy_arch_ops;
extern const CPUModel *const toy_models[];

static inline uint32_t toy_i(int op, int rd, int rs, int32_t imm)
{
    return ((uint32_t)op << 26) | ((uint32_t)rd << 22) | ((uint32_t)rs << 18) |
           ((uint32_t)imm & 0xffff);
}

static inline uint32_t toy_r(int op, int rd, int rs, int rt)
{
    return ((uint32_t)op << 26) | ((uint32_t)rd << 22) | ((uint32_t)rs << 18) |
           ((uint32_t)rt << 14);
}

#endif
