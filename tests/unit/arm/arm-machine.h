/*
 * tests/unit/arm/arm-machine.h: the ARM CPU tests' machine: RAM at 0x40000000, a test
 * device (putchar/exit, plus an IRQ line) at 0x0a000000, an ELF loader and a run loop,
 * on the shared bare-metal harness (tests/unit/baremetal).
 */
#ifndef TESTS_UNIT_ARM_ARM_MACHINE_H
#define TESTS_UNIT_ARM_ARM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/arm/arm.h"
#include "tests/unit/baremetal/baremetal.h"

#define ARM_TEST_RAM_BASE 0x40000000u
#define ARM_TESTDEV_BASE  0x0a000000u

typedef struct ArmMachine {
    union {
        BareMetal bm;
        struct {
            BAREMETAL_FIELDS
        };
    };
    uint32_t irq_level; /* written by the guest through the test device (offset 8) */
    qemu_irq *or_in;    /* [0] timer, [1] test device: ORed into the CPU's IRQ */
    uint32_t or_levels;
} ArmMachine;

ArmMachine *arm_machine_new(const char *model, uint64_t ram_size);
/* Loads a little-endian ELF32 at its segments' physical addresses; sets the entry pc. */
bool arm_machine_load_elf(ArmMachine *m, const char *path, char **err);
void arm_machine_run(ArmMachine *m, double seconds);
void arm_machine_free(ArmMachine *m);

#endif
