/*
 * ARM PrimeCell PL031 real-time clock (hw/rtc/pl031.c): a seconds counter
 * starting at the host's wall-clock time, with a match interrupt.
 */
#ifndef HW_RTC_PL031_H
#define HW_RTC_PL031_H

#include "hw/hw.h"
#include "system/memory.h"

#define PL031_SIZE 0x1000

typedef struct PL031State PL031State;

/* Maps the RTC at `base` in `container`; `irq` is RTCINTR. Registers as
 * "pl031<n>". */
PL031State *pl031_new(MemoryRegion *container, uint64_t base, qemu_irq irq);

#endif
