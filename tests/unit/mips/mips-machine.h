/*
 * tests/unit/mips/mips-machine.h: a throwaway machine for the MIPS CPU tests: RAM at 0,
 * a test device (putchar + exit register) at 0x1f000000, an ELF loader and a run loop,
 * all from the shared bare-metal harness (tests/unit/baremetal).
 */
#ifndef TESTS_UNIT_MIPS_MIPS_MACHINE_H
#define TESTS_UNIT_MIPS_MIPS_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/mips/mips.h"
#include "tests/unit/baremetal/baremetal.h"

#define TESTDEV_BASE 0x1f000000u

typedef struct MipsMachine {
    union {
        BareMetal bm;
        struct {
            BAREMETAL_FIELDS
        };
    };
    MipsEnv *env;
} MipsMachine;

/* Creates the machine with ram_size bytes of RAM and one CPU of `model` ("-be" suffix:
 * big-endian). */
MipsMachine *mips_machine_new(const char *model, uint64_t ram_size);
/* Loads an ELF32 (either endianness) at the physical addresses of its segments (kseg0/1
 * addresses lose their segment bits); sets pc to the entry. false with a message. */
bool mips_machine_load_elf(MipsMachine *m, const char *path, char **err);
/* Runs until the guest writes the exit register or `seconds` of wall time pass. */
void mips_machine_run(MipsMachine *m, double seconds);

#endif
