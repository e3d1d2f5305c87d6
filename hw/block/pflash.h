/*
 * Intel-style CFI parallel NOR flash (hw/block/pflash_cfi01.c): the boot
 * flash of the Malta and of ARM boards, executed in place while in read-array
 * mode and programmed with the Intel/Sharp command set.
 */
#ifndef HW_BLOCK_PFLASH_H
#define HW_BLOCK_PFLASH_H

#include "hw/hw.h"
#include "system/memory.h"

typedef struct PflashState PflashState;

/*
 * A flash of `size` bytes (a multiple of block_size) on a bus `width`
 * bytes wide (1, 2 or 4), mapped at `base` in `container` (which may be
 * NULL: map pflash_region() yourself, e.g. through aliases). Contents start
 * erased (0xff); fill them with pflash_data() or address_space_write_rom.
 * `e` is the bus byte order of commands and query data. Registers as
 * "pflash<n>". Contents are not written back to a file.
 */
PflashState *pflash_cfi01_new(MemoryRegion *container, uint64_t base, const char *name,
                              uint64_t size, uint32_t block_size, unsigned width,
                              uint16_t manufacturer_id, uint16_t device_id, DeviceEndian e);
void pflash_free(PflashState *s);
MemoryRegion *pflash_region(PflashState *s);
uint8_t *pflash_data(PflashState *s);

#endif
