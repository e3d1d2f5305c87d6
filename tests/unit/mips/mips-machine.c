/*
 * tests/unit/mips/mips-machine.c: the MIPS CPU tests' machine on the shared bare-metal
 * harness: where RAM and the test device sit, and how ELF addresses map to memory.
 */
#include "tests/unit/mips/mips-machine.h"

#include <glib.h>
#include <stdlib.h>

/* kseg0/kseg1 addresses lose their segment bits; test programs never use kuseg. */
static uint64_t mips_elf_place(uint32_t vaddr, uint32_t paddr)
{
    return vaddr & 0x1fffffffu;
}

static const BareMetalConfig mips_config = {
    .models = mips_cpu_models,
    .as_name = "mips-test",
    .log_env = "MIPS_TEST_LOG",
    .ram_base = 0,
    .testdev_base = TESTDEV_BASE,
    .elf_place = mips_elf_place,
};

/* A "-be" model gets the test device in big-endian order too. */
static const BareMetalConfig *mips_config_for(const char *model)
{
    static BareMetalConfig big;
    if (!g_str_has_suffix(model, "-be")) {
        return &mips_config;
    }
    big = mips_config;
    big.big_endian = true;
    return &big;
}

MipsMachine *mips_machine_new(const char *model, uint64_t ram_size)
{
    MipsMachine *m = calloc(1, sizeof(*m));
    baremetal_init(&m->bm, mips_config_for(model), model, ram_size);
    m->env = m->cpu->env;
    return m;
}

bool mips_machine_load_elf(MipsMachine *m, const char *path, char **err)
{
    uint32_t entry;
    if (!baremetal_load_elf(&m->bm, path, &entry, err)) {
        return false;
    }
    m->env->pc = entry;
    return true;
}

void mips_machine_run(MipsMachine *m, double seconds)
{
    baremetal_run(&m->bm, seconds);
}
