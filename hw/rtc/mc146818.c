/*
 * Motorola MC146818A real-time clock + CMOS RAM (MC146818A datasheet):
 * time and calendar in BCD or binary, 12/24-hour, SET and divider reset,
 * update-in-progress, periodic / alarm / update-ended interrupts and flags
 * in register C (cleared by reading it). Bit 7 of the index port (the PC's
 * NMI mask) is ignored.
 *
 * The time is not ticked: it is base_sec plus the whole virtual seconds
 * elapsed since base_ns (the instant of an update). Interrupt flags are
 * brought up to date for everything that happened since the last look
 * whenever the guest reads them or a timer armed for an enabled interrupt
 * fires.
 */
#include "hw/rtc/mc146818.h"
#include "system/timer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REG_A_UIP     0x80
#define REG_A_DV_MASK 0x70
#define REG_A_RS_MASK 0x0f
#define REG_B_SET     0x80
#define REG_B_PIE     0x40
#define REG_B_AIE     0x20
#define REG_B_UIE     0x10
#define REG_B_SQWE    0x08
#define REG_B_DM_BIN  0x04
#define REG_B_24H     0x02
#define REG_C_IRQF    0x80
#define REG_C_PF      0x40
#define REG_C_AF      0x20
#define REG_C_UF      0x10
#define REG_D_VRT     0x80

#define NS_PER_SEC   NANOSECONDS_PER_SECOND
#define UIP_BEFORE   244000 /* ns: UIP rises this long before an update */
#define ALARM_ANY    0xc0   /* alarm bytes >= 0xc0 match every value */
#define SECS_PER_DAY 86400

struct RtcState {
    Device dev;
    MemoryRegion *mr;
    qemu_irq irq;
    Timer *timer;
    int irq_level;
    uint8_t cmos[128];
    uint8_t index;
    int64_t base_sec; /* RTC time (seconds since the epoch) at base_ns */
    int64_t base_ns;  /* virtual time of an update (a second boundary) */
    int64_t last_eval;
    bool halted; /* divider chain in reset: time stands still in the registers */
};

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool rtc_running(const RtcState *s)
{
    return !s->halted && !(s->cmos[RTC_REG_B] & REG_B_SET);
}

static int64_t rtc_now_sec(const RtcState *s, int64_t now)
{
    return s->base_sec + floor_div(now - s->base_ns, NS_PER_SEC);
}

static uint8_t rtc_encode(const RtcState *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM_BIN) {
        return (uint8_t)v;
    }
    return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int rtc_decode(const RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM_BIN) {
        return v;
    }
    return ((v >> 4) & 0x0f) * 10 + (v & 0x0f);
}

static uint8_t rtc_encode_hour(const RtcState *s, int hour)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_encode(s, hour);
    }
    int h12 = hour % 12 == 0 ? 12 : hour % 12;
    return rtc_encode(s, h12) | (hour >= 12 ? 0x80 : 0);
}

static int rtc_decode_hour(const RtcState *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_decode(s, v);
    }
    int h = rtc_decode(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Writes the calendar for time t into the registers. */
static void rtc_store_time(RtcState *s, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int year = tm.tm_year + 1900;
    s->cmos[RTC_SECONDS] = rtc_encode(s, tm.tm_sec);
    s->cmos[RTC_MINUTES] = rtc_encode(s, tm.tm_min);
    s->cmos[RTC_HOURS] = rtc_encode_hour(s, tm.tm_hour);
    s->cmos[RTC_DAY_OF_WEEK] = rtc_encode(s, tm.tm_wday + 1);
    s->cmos[RTC_DAY_OF_MONTH] = rtc_encode(s, tm.tm_mday);
    s->cmos[RTC_MONTH] = rtc_encode(s, tm.tm_mon + 1);
    s->cmos[RTC_YEAR] = rtc_encode(s, year % 100);
    s->cmos[RTC_CENTURY] = rtc_encode(s, year / 100);
}

/* The time the registers hold (garbage in, some time out: never a crash). */
static int64_t rtc_load_time(const RtcState *s)
{
    struct tm tm = {0};
    int century = rtc_decode(s, s->cmos[RTC_CENTURY]);
    if (century < 19 || century > 29) {
        century = 20;
    }
    tm.tm_sec = rtc_decode(s, s->cmos[RTC_SECONDS]) % 60;
    tm.tm_min = rtc_decode(s, s->cmos[RTC_MINUTES]) % 60;
    tm.tm_hour = rtc_decode_hour(s, s->cmos[RTC_HOURS]) % 24;
    tm.tm_mday = rtc_decode(s, s->cmos[RTC_DAY_OF_MONTH]) % 32;
    tm.tm_mon = (rtc_decode(s, s->cmos[RTC_MONTH]) + 11) % 12;
    tm.tm_year = century * 100 + rtc_decode(s, s->cmos[RTC_YEAR]) % 100 - 1900;
    if (tm.tm_mday == 0) {
        tm.tm_mday = 1;
    }
    return (int64_t)timegm(&tm);
}

/* Time registers follow the clock unless SET or a divider reset holds them. */
static void rtc_sync_regs(RtcState *s, int64_t now)
{
    if (rtc_running(s)) {
        rtc_store_time(s, rtc_now_sec(s, now));
    }
}

static bool rtc_alarm_matches(RtcState *s, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    uint8_t as = s->cmos[0x01], am = s->cmos[0x03], ah = s->cmos[0x05];
    return (as >= ALARM_ANY || as == rtc_encode(s, tm.tm_sec)) &&
           (am >= ALARM_ANY || am == rtc_encode(s, tm.tm_min)) &&
           (ah >= ALARM_ANY || ah == rtc_encode_hour(s, tm.tm_hour));
}

static int64_t rtc_period_ns(const RtcState *s)
{
    int rs = s->cmos[RTC_REG_A] & REG_A_RS_MASK;
    if (rs == 0 || s->halted) {
        return 0;
    }
    int ticks = rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1); /* of the 32.768 kHz base */
    return (int64_t)ticks * NS_PER_SEC / 32768;
}

static void rtc_update_irq(RtcState *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & (REG_C_PF | REG_C_AF | REG_C_UF);
    uint8_t b = s->cmos[RTC_REG_B];
    if (((c & REG_C_PF) && (b & REG_B_PIE)) || ((c & REG_C_AF) && (b & REG_B_AIE)) ||
        ((c & REG_C_UF) && (b & REG_B_UIE))) {
        c |= REG_C_IRQF;
    }
    s->cmos[RTC_REG_C] = c;
    int level = (c & REG_C_IRQF) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Sets the flags for every update, alarm and periodic tick in
 * (last_eval, now]. */
static void rtc_eval(RtcState *s, int64_t now)
{
    if (now <= s->last_eval) {
        return;
    }
    if (rtc_running(s)) {
        int64_t s_last = floor_div(s->last_eval - s->base_ns, NS_PER_SEC);
        int64_t s_now = floor_div(now - s->base_ns, NS_PER_SEC);
        if (s_now > s_last) {
            s->cmos[RTC_REG_C] |= REG_C_UF;
            if (!(s->cmos[RTC_REG_C] & REG_C_AF)) {
                /* Alarms repeat at most daily: a day of updates suffices. */
                int64_t from =
                    s_now - s_last > SECS_PER_DAY ? s_now - SECS_PER_DAY + 1 : s_last + 1;
                for (int64_t k = from; k <= s_now; k++) {
                    if (rtc_alarm_matches(s, s->base_sec + k)) {
                        s->cmos[RTC_REG_C] |= REG_C_AF;
                        break;
                    }
                }
            }
        }
    }
    int64_t period = rtc_period_ns(s);
    if (period &&
        floor_div(now - s->base_ns, period) > floor_div(s->last_eval - s->base_ns, period)) {
        s->cmos[RTC_REG_C] |= REG_C_PF;
    }
    s->last_eval = now;
    rtc_update_irq(s);
}

static void rtc_schedule(RtcState *s, int64_t now)
{
    uint8_t b = s->cmos[RTC_REG_B];
    int64_t next = INT64_MAX;
    int64_t period = rtc_period_ns(s);
    if ((b & REG_B_PIE) && period) {
        next = s->base_ns + (floor_div(now - s->base_ns, period) + 1) * period;
    }
    if ((b & (REG_B_UIE | REG_B_AIE)) && rtc_running(s)) {
        int64_t t = s->base_ns + (floor_div(now - s->base_ns, NS_PER_SEC) + 1) * NS_PER_SEC;
        if (t < next) {
            next = t;
        }
    }
    if (next == INT64_MAX) {
        timer_del(s->timer);
    } else {
        timer_mod_ns(s->timer, next);
    }
}

static void rtc_timer_cb(void *opaque)
{
    RtcState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    rtc_eval(s, now);
    rtc_schedule(s, now);
}

/* Restarts the clock from the registers, keeping the phase of the divider
 * chain (the next update comes when it would have). */
static void rtc_rebase_from_regs(RtcState *s, int64_t now)
{
    int64_t phase = now - s->base_ns;
    phase -= floor_div(phase, NS_PER_SEC) * NS_PER_SEC;
    s->base_ns = now - phase;
    s->base_sec = rtc_load_time(s);
}

static uint8_t rtc_read_data(RtcState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint8_t i = s->index;
    switch (i) {
    case RTC_REG_A: {
        uint8_t v = s->cmos[RTC_REG_A] & ~REG_A_UIP;
        if (rtc_running(s)) {
            int64_t frac = now - s->base_ns - floor_div(now - s->base_ns, NS_PER_SEC) * NS_PER_SEC;
            if (frac >= NS_PER_SEC - UIP_BEFORE) {
                v |= REG_A_UIP;
            }
        }
        return v;
    }
    case RTC_REG_C: {
        rtc_eval(s, now);
        uint8_t v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s);
        return v;
    }
    case RTC_REG_D: return REG_D_VRT;
    default:
        if (i <= RTC_YEAR || i == RTC_CENTURY) {
            rtc_sync_regs(s, now);
        }
        return s->cmos[i];
    }
}

static void rtc_write_data(RtcState *s, uint8_t v)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint8_t i = s->index;
    rtc_eval(s, now);
    switch (i) {
    case RTC_REG_A: {
        bool was_halted = s->halted;
        if (!was_halted) {
            rtc_sync_regs(s, now);
        }
        s->cmos[RTC_REG_A] = v & ~REG_A_UIP;
        s->halted = (v & 0x60) == 0x60; /* DV = 11x holds the divider in reset */
        if (!s->halted && (v & REG_A_DV_MASK) != 0x20) {
            hw_log_unimp("mc146818: time base DV=%d; only 32.768 kHz (DV=2) is modelled",
                         (v >> 4) & 7);
        }
        if (was_halted && !s->halted) {
            /* The first update comes 500 ms after the divider is released. */
            s->base_sec = rtc_load_time(s);
            s->base_ns = now - NS_PER_SEC / 2;
        }
        break;
    }
    case RTC_REG_B: {
        uint8_t old = s->cmos[RTC_REG_B];
        if ((v & REG_B_SET) && !(old & REG_B_SET)) {
            rtc_sync_regs(s, now); /* freeze what the guest is about to edit */
            v &= ~REG_B_UIE;
        }
        if (!(v & REG_B_SET) && rtc_running(s)) {
            rtc_sync_regs(s, now);
        }
        if ((v & 0x01) && !(old & 0x01)) {
            hw_log_unimp("mc146818: daylight saving (register B DSE) is not modelled");
        }
        s->cmos[RTC_REG_B] = v;
        if ((old & REG_B_SET) && !(v & REG_B_SET) && !s->halted) {
            rtc_rebase_from_regs(s, now);
        } else if ((old ^ v) & (REG_B_DM_BIN | REG_B_24H)) {
            rtc_sync_regs(s, now); /* re-encode in the new format */
        }
        break;
    }
    case RTC_REG_C:
    case RTC_REG_D:
        hw_log_guest_error("mc146818: write 0x%02x to read-only register %c", v,
                           i == RTC_REG_C ? 'C' : 'D');
        break;
    default:
        if (i <= RTC_YEAR && i != 0x01 && i != 0x03 && i != 0x05) {
            rtc_sync_regs(s, now);
            s->cmos[i] = v;
            if (rtc_running(s)) {
                rtc_rebase_from_regs(s, now);
            }
        } else {
            s->cmos[i] = v;
        }
        break;
    }
    s->last_eval = now;
    rtc_update_irq(s);
    rtc_schedule(s, now);
}

static uint64_t rtc_io_read(void *opaque, uint64_t addr, unsigned size)
{
    RtcState *s = opaque;
    return addr == 0 ? 0xff : rtc_read_data(s);
}

static void rtc_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    RtcState *s = opaque;
    if (addr == 0) {
        s->index = val & 0x7f;
    } else {
        rtc_write_data(s, (uint8_t)val);
    }
}

static const MemoryRegionOps rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

/* The RESET pin: interrupt enables and flags clear, the time is kept. */
static void rtc_reset(Device *dev)
{
    RtcState *s = (RtcState *)dev;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    s->last_eval = now;
    rtc_update_irq(s);
    rtc_schedule(s, now);
}

static void rtc_save(Device *dev, StateStream *st)
{
    RtcState *s = (RtcState *)dev;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    rtc_sync_regs(s, now);
    state_put_bytes(st, s->cmos, sizeof(s->cmos));
    state_put_u8(st, s->index);
    state_put_u8(st, s->halted);
    state_put_u64(st, (uint64_t)s->base_sec);
    state_put_u64(st, (uint64_t)(now - s->base_ns));
    state_put_u64(st, (uint64_t)(now - s->last_eval));
}

static bool rtc_load(Device *dev, StateStream *st)
{
    RtcState *s = (RtcState *)dev;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint8_t halted;
    uint64_t base_sec, since_base, since_eval;
    state_get_bytes(st, s->cmos, sizeof(s->cmos));
    state_get_u8(st, &s->index);
    state_get_u8(st, &halted);
    state_get_u64(st, &base_sec);
    state_get_u64(st, &since_base);
    if (!state_get_u64(st, &since_eval)) {
        return false;
    }
    s->index &= 0x7f;
    s->halted = halted & 1;
    s->base_sec = (int64_t)base_sec;
    s->base_ns = now - (int64_t)since_base;
    s->last_eval = now - (int64_t)since_eval;
    s->irq_level = -1;
    rtc_update_irq(s);
    rtc_schedule(s, now);
    return true;
}

static const DeviceOps rtc_device_ops = {
    .type = "mc146818",
    .reset = rtc_reset,
    .save = rtc_save,
    .load = rtc_load,
};

RtcState *mc146818_new(MemoryRegion *io, uint64_t base, qemu_irq irq)
{
    RtcState *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->irq = irq;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    int64_t host = clock_get_ns(CLOCK_HOST);
    s->base_sec = floor_div(host, NS_PER_SEC);
    s->base_ns = now - (host - s->base_sec * NS_PER_SEC); /* in step with the host */
    s->last_eval = now;
    s->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz periodic rate */
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[RTC_REG_D] = REG_D_VRT;
    rtc_sync_regs(s, now);
    s->timer = timer_new_ns(CLOCK_VIRTUAL, rtc_timer_cb, s);
    s->mr = memory_region_new_io("rtc", 2, &rtc_ops, s);
    if (io) {
        memory_region_add_subregion(io, base, s->mr);
    }
    device_register_auto(&s->dev, &rtc_device_ops);
    return s;
}

void mc146818_set_cmos(RtcState *s, int index, uint8_t val)
{
    if (index >= 0 && index < 128) {
        s->cmos[index] = val;
    }
}

uint8_t mc146818_get_cmos(RtcState *s, int index)
{
    return index >= 0 && index < 128 ? s->cmos[index] : 0xff;
}

void mc146818_free(RtcState *s)
{
    if (!s) {
        return;
    }
    device_unregister(&s->dev);
    memory_region_free(s->mr);
    timer_free(s->timer);
    free(s);
}
