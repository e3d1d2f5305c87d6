/*
 * Loading guest images into memory (hw/core/loader.c): raw files (zImage,
 * initrd, firmware) and ELF executables (vmlinux, PVH kernels, test
 * programs), written through an AddressSpace so ROM and flash take them too.
 */
#ifndef HW_CORE_LOADER_H
#define HW_CORE_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "system/memory.h"

/* Size of a file in bytes, or -1 with *errp set. */
int64_t loader_file_size(const char *path, char **errp);

/* Copies the whole file to [addr, addr + size); fails (with *errp) if it is
 * larger than max_size or cannot be read. *size gets the file size. */
bool loader_load_raw(AddressSpace *as, const char *path, uint64_t addr, uint64_t max_size,
                     uint64_t *size, char **errp);

typedef struct LoadedElf {
    uint64_t entry;     /* e_entry, untranslated */
    uint64_t low, high; /* physical range covered by the segments [low, high) */
    uint16_t machine;   /* e_machine: 3 x86, 8 MIPS, 40 ARM, 62 x86-64, 183 AArch64 */
    bool is_64bit;
    bool big_endian;
} LoadedElf;

/* ELF machine numbers boards check against. */
#define ELF_MACHINE_386    3
#define ELF_MACHINE_MIPS   8
#define ELF_MACHINE_ARM    40
#define ELF_MACHINE_X86_64 62

/*
 * Loads the PT_LOAD segments of an ELF32/ELF64 file of either byte order:
 * file bytes copied, the rest of each segment's memory size zeroed. Each
 * segment goes to translate(opaque, p_paddr) (or p_paddr itself if
 * translate is NULL: e.g. MIPS KSEG0 0x80000000 -> 0). Anything malformed
 * (not ELF, truncated, segments outside the file, no segments) fails with
 * one message in *errp and writes nothing.
 */
bool loader_load_elf(AddressSpace *as, const char *path,
                     uint64_t (*translate)(void *opaque, uint64_t addr), void *opaque,
                     LoadedElf *out, char **errp);
/* The same from an image already in memory; `name` is for messages. */
bool loader_load_elf_buffer(AddressSpace *as, const void *data, size_t len, const char *name,
                            uint64_t (*translate)(void *opaque, uint64_t addr), void *opaque,
                            LoadedElf *out, char **errp);

#endif
