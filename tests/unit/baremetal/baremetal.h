/*
 * tests/unit/baremetal/baremetal.h: what every bare-metal CPU test machine shares (the
 * MIPS and ARM ones build on it): RAM, a test device that takes the program's output
 * and exit code, an ELF32 loader, and a run loop with a wall-clock watchdog.
 */
#ifndef TESTS_UNIT_BAREMETAL_BAREMETAL_H
#define TESTS_UNIT_BAREMETAL_BAREMETAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "system/memory.h"

/* The fields every test machine starts with. A machine struct puts them in an
 * anonymous union with a BareMetal, so tests keep reading m->out, m->as... by name
 * while the harness works on the BareMetal. */
#define BAREMETAL_FIELDS        \
    MemoryRegion *sysmem, *ram; \
    AddressSpace *as;           \
    CPUState *cpu;              \
    char out[16384];            \
    size_t out_len;             \
    bool exited;                \
    uint32_t exit_code;         \
    const struct BareMetalConfig *config;

typedef struct BareMetal {
    BAREMETAL_FIELDS
} BareMetal;

/*
 * The test device, at testdev_base: a store to offset 0 appends a character to out, a
 * store to offset 4 sets exit_code and stops the CPU. Other offsets go to
 * testdev_write (may be NULL). It has the guest's byte order, so a word store of a
 * character reaches it as that character on either endianness.
 */
typedef struct BareMetalConfig {
    const CPUModel *const *models; /* registered with cpu_models_add */
    const char *as_name;           /* name of the address space ("arm-test") */
    const char *log_env;           /* environment variable with -d items, for debugging */
    uint64_t ram_base;
    uint64_t testdev_base;
    bool big_endian;
    void (*testdev_write)(BareMetal *bm, uint64_t addr, uint64_t val);
    /* Where an ELF segment goes (NULL: its p_paddr). */
    uint64_t (*elf_place)(uint32_t vaddr, uint32_t paddr);
    bool elf_little_endian_only;
} BareMetalConfig;

/* Sets up RAM, the test device and one CPU of `model` (aborts if that fails: a broken
 * harness, not a failed test); the main loop runs on its own thread (guest timers). */
void baremetal_init(BareMetal *bm, const BareMetalConfig *cfg, const char *model,
                    uint64_t ram_size);
/* Copies an ELF32's PT_LOAD segments into memory (zeroing the rest of each) and returns
 * its entry point in *entry. false with a g_malloc'd message in *err. */
bool baremetal_load_elf(BareMetal *bm, const char *path, uint32_t *entry, char **err);
/* Runs until the program writes the exit register or `seconds` of wall time pass. */
void baremetal_run(BareMetal *bm, double seconds);

#endif
