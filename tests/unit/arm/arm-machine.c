/*
 * tests/unit/arm/arm-machine.c: the ARM CPU tests' machine on the shared bare-metal
 * harness, plus what only ARM has: the test device's IRQ line ORed with the timer's.
 */
#include "tests/unit/arm/arm-machine.h"

#include <stdlib.h>

/* Offset 8: level of the CPU's IRQ line (interrupt tests). */
static void arm_testdev_write(BareMetal *bm, uint64_t addr, uint64_t val)
{
    ArmMachine *m = (ArmMachine *)bm; /* bm is ArmMachine's first member */
    if (addr == 8) {
        m->irq_level = (uint32_t)val;
        irq_set(m->or_in[1], val != 0);
    }
}

/* The CPU's IRQ input is the OR of the physical timer and the test device's line. */
static void or_handler(void *opaque, int n, int level)
{
    ArmMachine *m = opaque;
    if (level) {
        m->or_levels |= 1u << n;
    } else {
        m->or_levels &= ~(1u << n);
    }
    irq_set(arm_cpu_irq_inputs(m->cpu)[0], m->or_levels != 0);
}

static const BareMetalConfig arm_config = {
    .models = arm_cpu_models,
    .as_name = "arm-test",
    .log_env = "ARM_TEST_LOG",
    .ram_base = ARM_TEST_RAM_BASE,
    .testdev_base = ARM_TESTDEV_BASE,
    .testdev_write = arm_testdev_write,
    .elf_little_endian_only = true,
};

ArmMachine *arm_machine_new(const char *model, uint64_t ram_size)
{
    ArmMachine *m = calloc(1, sizeof(*m));
    baremetal_init(&m->bm, &arm_config, model, ram_size);
    m->or_in = irq_new_array(or_handler, m, 2);
    arm_cpu_set_timer_outputs(m->cpu, m->or_in[0], NULL, NULL, NULL);
    return m;
}

void arm_machine_free(ArmMachine *m)
{
    for (int i = 0; i < 2; i++) {
        irq_free(m->or_in[i]);
    }
    free(m->or_in);
    arm_cpu_release(m->cpu);
    cpu_destroy(m->cpu);
    free(m);
}

bool arm_machine_load_elf(ArmMachine *m, const char *path, char **err)
{
    uint32_t entry;
    if (!baremetal_load_elf(&m->bm, path, &entry, err)) {
        return false;
    }
    arm_cpu_set_boot_state(m->cpu, entry, 0, 0, 0);
    return true;
}

void arm_machine_run(ArmMachine *m, double seconds)
{
    baremetal_run(&m->bm, seconds);
}
