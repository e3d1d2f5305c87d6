/*
 * The machine registry: what a board gets from the command line
 * (MachineState) and what it declares (MachineClass). Boards are listed in
 * the explicit machine_table[] of hw/boards.c; main() picks one with -M.
 */
#ifndef SYSTEM_MACHINE_H
#define SYSTEM_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "system/chardev.h"
#include "system/memory.h"

#define MACHINE_MAX_SERIAL 4

typedef struct MachineState {
    uint64_t ram_size;     /* -m, or the board's default */
    int smp;               /* -smp: number of CPUs to create */
    const char *cpu_model; /* -cpu, or the board's default_cpu */
    const char *kernel, *initrd, *append, *dtb, *firmware /* -bios */;
    char **drives; /* -drive specs, unparsed (the block layer parses them) */
    int n_drives;
    char **netdevs;
    int n_netdevs;
    char **devices;
    int n_devices;
    char **machine_opts;                 /* -M name,k=v,...: the "k=v" strings, NULL-terminated */
    Chardev *serial[MACHINE_MAX_SERIAL]; /* -serial, in order; NULL: none */
    int n_serial;
    bool nographic;
    const char *mem_path;
    MemoryRegion *sysmem; /* the system memory container, created by system/ */
    AddressSpace *as;     /* the system address space over sysmem */
    void *board;          /* board-private */
    /* Additions (after the agreed fields). */
    int max_cpus;     /* -smp maxcpus= (>= smp) */
    bool singlestep;  /* -singlestep: one guest instruction per block */
    const char *name; /* -name */
    const char *accel;
} MachineState;

typedef struct MachineClass {
    const char *name, *desc, *arch /* "mips","arm","x86_64","none" */;
    const char *default_cpu;
    uint64_t default_ram;
    int max_cpus;
    bool is_default;
    /* Builds the board into ms->sysmem. On failure sets *errp (a g_malloc'd
     * message without "mimic: ") and returns. */
    void (*init)(MachineState *ms, char **errp);
    /* Called on system reset after devices and CPUs were reset (reload the
     * kernel, set the boot PC). May be NULL. */
    void (*reset)(MachineState *ms);
} MachineClass;

extern const MachineClass *const machine_table[]; /* NULL-terminated, in hw/boards.c */

/* The running machine (NULL before main() created it). */
extern MachineState *current_machine;

const MachineClass *machine_find(const char *name);
const MachineClass *machine_find_default(void);
/* `-M help`: one line per machine, like QEMU's list. */
void machine_print_list(FILE *f);
/* `-device help`: the devices mc's board takes (every device for NULL), in
 * QEMU's format; from hw/boards.c. */
void machine_print_device_help(const MachineClass *mc, FILE *f);
/* Value of machine property `key` from ms->machine_opts, or NULL. */
const char *machine_get_opt(const MachineState *ms, const char *key);

#endif
