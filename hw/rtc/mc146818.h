/*
 * Motorola MC146818 real-time clock with 128 bytes of CMOS RAM
 * (hw/rtc/mc146818.c): the PC's and the Malta's RTC at ports 0x70/0x71.
 */
#ifndef HW_RTC_MC146818_H
#define HW_RTC_MC146818_H

#include "hw/hw.h"
#include "system/memory.h"

typedef struct RtcState RtcState;

/* CMOS RAM indexes with a fixed meaning. */
#define RTC_SECONDS      0x00
#define RTC_MINUTES      0x02
#define RTC_HOURS        0x04
#define RTC_DAY_OF_WEEK  0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH        0x08
#define RTC_YEAR         0x09
#define RTC_REG_A        0x0a
#define RTC_REG_B        0x0b
#define RTC_REG_C        0x0c
#define RTC_REG_D        0x0d
#define RTC_CENTURY      0x32 /* IBM PC convention (ACPI FADT century) */

/*
 * Maps the index port at `base` and the data port at base + 1 of `io`
 * (0x70 on a PC). The clock starts at the host's wall-clock time and then
 * advances with CLOCK_VIRTUAL. `irq` is the IRQ pin (IRQ8 on a PC).
 * Registers as "mc146818<n>".
 */
RtcState *mc146818_new(MemoryRegion *io, uint64_t base, qemu_irq irq);
void mc146818_free(RtcState *s);
/* Board-provided CMOS contents (memory sizes, boot order, ...). */
void mc146818_set_cmos(RtcState *s, int index, uint8_t val);
uint8_t mc146818_get_cmos(RtcState *s, int index);

#endif
