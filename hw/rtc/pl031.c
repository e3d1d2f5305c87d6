/*
 * ARM PrimeCell PL031 RTC (hw/rtc/pl031.c): the counter runs on the virtual
 * clock (so it stops while the VM is paused) from the host's wall-clock time
 * at reset; writing the load register moves it, the match register raises
 * the interrupt when the counter reaches it.
 */
#include "hw/rtc/pl031.h"

#include <glib.h>

#include "system/timer.h"

#define RTCDR   0x00
#define RTCMR   0x04
#define RTCLR   0x08
#define RTCCR   0x0c
#define RTCIMSC 0x10
#define RTCRIS  0x14
#define RTCMIS  0x18
#define RTCICR  0x1c
#define RTCID   0xfe0

struct PL031State {
    Device dev;
    MemoryRegion *mr;
    qemu_irq irq;
    Timer *match_timer;
    int64_t offset; /* counter = virtual seconds + offset */
    uint32_t mr_val, lr, imsc, ris;
};

static const uint8_t pl031_id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static int64_t pl031_virtual_ns(void)
{
    return clock_get_ns(CLOCK_VIRTUAL);
}

static uint32_t pl031_count(PL031State *s)
{
    return (uint32_t)(pl031_virtual_ns() / NANOSECONDS_PER_SECOND + s->offset);
}

static void pl031_update(PL031State *s)
{
    irq_set(s->irq, (s->ris & s->imsc & 1) != 0);
}

static void pl031_arm_timer(PL031State *s)
{
    /* Seconds until the counter equals MR (modulo 2^32), at the start of that second. */
    uint32_t delta = s->mr_val - pl031_count(s);
    int64_t now = pl031_virtual_ns();
    int64_t next_second = (now / NANOSECONDS_PER_SECOND + 1) * NANOSECONDS_PER_SECOND;
    if (delta == 0) {
        delta = 1u << 31; /* will not fire again before wrapping: set RIS once now */
        s->ris |= 1;
    }
    timer_mod_ns(s->match_timer, next_second + (int64_t)(delta - 1) * NANOSECONDS_PER_SECOND);
}

static void pl031_match(void *opaque)
{
    PL031State *s = opaque;
    if (pl031_count(s) == s->mr_val) {
        s->ris |= 1;
        pl031_update(s);
    }
    pl031_arm_timer(s);
    pl031_update(s);
}

static uint64_t pl031_read(void *opaque, uint64_t addr, unsigned size)
{
    PL031State *s = opaque;
    if (addr >= RTCID && addr < 0x1000) {
        return (addr & 3) ? 0 : pl031_id[(addr - RTCID) >> 2];
    }
    switch (addr) {
    case RTCDR: return pl031_count(s);
    case RTCMR: return s->mr_val;
    case RTCLR: return s->lr;
    case RTCCR: return 1; /* always running */
    case RTCIMSC: return s->imsc;
    case RTCRIS: return s->ris;
    case RTCMIS: return s->ris & s->imsc;
    default: hw_log_guest_error("pl031: read of unknown register 0x%x\n", (unsigned)addr); return 0;
    }
}

static void pl031_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PL031State *s = opaque;
    switch (addr) {
    case RTCMR:
        s->mr_val = val;
        pl031_arm_timer(s);
        break;
    case RTCLR:
        s->lr = val;
        s->offset = (int64_t)(uint32_t)val - pl031_virtual_ns() / NANOSECONDS_PER_SECOND;
        pl031_arm_timer(s);
        break;
    case RTCCR: break; /* the counter cannot be stopped */
    case RTCIMSC: s->imsc = val & 1; break;
    case RTCICR: s->ris &= ~(val & 1); break;
    default:
        hw_log_guest_error("pl031: write of read-only/unknown register 0x%x\n", (unsigned)addr);
        break;
    }
    pl031_update(s);
}

static const MemoryRegionOps pl031_ops = {
    .read = pl031_read,
    .write = pl031_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 4, .accepts_bad = true},
};

static void pl031_reset(Device *dev)
{
    PL031State *s = (PL031State *)dev;
    s->offset = clock_get_ns(CLOCK_HOST) / NANOSECONDS_PER_SECOND -
                pl031_virtual_ns() / NANOSECONDS_PER_SECOND;
    s->mr_val = s->lr = s->imsc = s->ris = 0;
    timer_del(s->match_timer);
    pl031_update(s);
}

static void pl031_save(Device *dev, StateStream *st)
{
    PL031State *s = (PL031State *)dev;
    state_put_u64(st, (uint64_t)s->offset);
    state_put_u32(st, s->mr_val);
    state_put_u32(st, s->lr);
    state_put_u32(st, s->imsc);
    state_put_u32(st, s->ris);
}

static bool pl031_load(Device *dev, StateStream *st)
{
    PL031State *s = (PL031State *)dev;
    uint64_t off;
    uint32_t mr, lr, imsc, ris;
    if (!state_get_u64(st, &off) || !state_get_u32(st, &mr) || !state_get_u32(st, &lr) ||
        !state_get_u32(st, &imsc) || !state_get_u32(st, &ris)) {
        return false;
    }
    s->offset = (int64_t)off;
    s->mr_val = mr, s->lr = lr, s->imsc = imsc & 1, s->ris = ris & 1;
    pl031_arm_timer(s);
    pl031_update(s);
    return true;
}

static const DeviceOps pl031_device_ops = {
    .type = "pl031",
    .reset = pl031_reset,
    .save = pl031_save,
    .load = pl031_load,
};

PL031State *pl031_new(MemoryRegion *container, uint64_t base, qemu_irq irq)
{
    PL031State *s = g_new0(PL031State, 1);
    s->irq = irq;
    s->match_timer = timer_new_ns(CLOCK_VIRTUAL, pl031_match, s);
    s->mr = memory_region_new_io("pl031", PL031_SIZE, &pl031_ops, s);
    memory_region_add_subregion(container, base, s->mr);
    pl031_reset(&s->dev);
    device_register_auto(&s->dev, &pl031_device_ops);
    return s;
}
