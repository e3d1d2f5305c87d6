/*
 * Intel 8254 programmable interval timer (8254 datasheet): three 16-bit
 * down-counters clocked at 1.193182 MHz, modes 0-5, counter latch and
 * read-back commands, LSB/MSB access, GATE inputs. Counters are not stepped:
 * their value and OUT follow from the virtual time since the count was
 * loaded, and a CLOCK_VIRTUAL timer fires at each OUT transition of the
 * channels that drive an IRQ. BCD counting is reported but counts binary.
 */
#include "hw/timer/i8254.h"
#include "system/timer.h"

#include <stdlib.h>

enum {
    RW_LATCH = 0,
    RW_LSB = 1,
    RW_MSB = 2,
    RW_WORD = 3,
};

typedef struct PitChannel {
    struct PitState *pit;
    int index;
    qemu_irq irq;
    Timer *timer;
    int irq_level;
    uint64_t next_tick; /* the transition the timer is armed for */

    uint8_t mode, rw_mode, bcd;
    uint32_t count; /* 1..65536 */
    bool loaded;    /* a count was written since the control word */
    bool triggered; /* modes 1 and 5: a gate edge started the count */
    bool paused;    /* modes 0 and 4 with GATE low: counting held */
    uint64_t paused_ticks;
    int64_t load_time; /* virtual ns of tick 0 */
    bool gate;
    bool null_count;

    bool write_msb_next; /* RW_WORD: LSB written, MSB expected */
    uint8_t write_lsb;
    bool read_msb_next; /* RW_WORD live reads */
    bool count_latched;
    uint16_t latched_count;
    bool latch_msb_next;
    bool status_latched;
    uint8_t status;
} PitChannel;

struct PitState {
    Device dev;
    PitChannel ch[3];
    MemoryRegion *mr;
    MemoryRegion *port61;
    uint8_t port61_bits; /* the writable bits 0-3 */
};

#define REFRESH_NS 15085 /* one DRAM refresh request per 15.085 us */

static uint64_t ns_to_ticks(int64_t ns)
{
    if (ns <= 0) {
        return 0;
    }
    return (uint64_t)((__int128)ns * PIT_FREQ / NANOSECONDS_PER_SECOND);
}

/* The first virtual time at which `ticks` ticks have elapsed. */
static int64_t ticks_to_ns(uint64_t ticks)
{
    return (int64_t)(((__int128)ticks * NANOSECONDS_PER_SECOND + PIT_FREQ - 1) / PIT_FREQ);
}

static bool channel_counting(const PitChannel *c)
{
    if (!c->loaded) {
        return false;
    }
    if (c->mode == 1 || c->mode == 5) {
        return c->triggered;
    }
    return true;
}

static uint64_t channel_ticks(const PitChannel *c, int64_t now)
{
    if (c->paused) {
        return c->paused_ticks;
    }
    return ns_to_ticks(now - c->load_time);
}

static int out_at(const PitChannel *c, uint64_t d)
{
    if (!channel_counting(c)) {
        return c->mode == 0 ? 0 : 1;
    }
    uint64_t n = c->count;
    switch (c->mode) {
    case 0:
    case 1: return d >= n;
    case 2:
        if (!c->gate) {
            return 1;
        }
        return n < 2 || d % n != n - 1;
    case 3:
        if (!c->gate) {
            return 1;
        }
        return d % n < (n + 1) / 2;
    case 4:
    case 5: return d != n;
    }
    return 1;
}

/* The next tick after d at which OUT changes, or UINT64_MAX. */
static uint64_t next_transition(const PitChannel *c, uint64_t d)
{
    if (!channel_counting(c) || c->paused) {
        return UINT64_MAX;
    }
    uint64_t n = c->count;
    uint64_t base = d - d % n, p = d % n;
    switch (c->mode) {
    case 0:
    case 1: return d < n ? n : UINT64_MAX;
    case 2:
        if (!c->gate || n < 2) {
            return UINT64_MAX;
        }
        return p < n - 1 ? base + n - 1 : base + n;
    case 3:
        if (!c->gate || n < 2) {
            return UINT64_MAX; /* a count of 1 never brings OUT low */
        }
        return p < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    case 4:
    case 5: return d < n ? n : d == n ? n + 1 : UINT64_MAX;
    }
    return UINT64_MAX;
}

static uint16_t counter_value(const PitChannel *c, int64_t now)
{
    if (!channel_counting(c)) {
        return (uint16_t)c->count;
    }
    uint64_t d = channel_ticks(c, now), n = c->count;
    switch (c->mode) {
    case 2: return (uint16_t)(n - d % n);
    case 3: {
        uint64_t p = d % n, half = (n + 1) / 2;
        uint64_t phase = p < half ? p : p - half;
        return (uint16_t)((n - 2 * phase) & 0xfffe);
    }
    default: return (uint16_t)((n - d) & 0xffff);
    }
}

static void channel_set_irq(PitChannel *c, int level)
{
    if (level != c->irq_level) {
        c->irq_level = level;
        irq_set(c->irq, level);
    }
}

/* Re-arms the channel's timer for its next OUT transition after tick d. */
static void channel_schedule(PitChannel *c, uint64_t d)
{
    if (!c->irq) {
        return;
    }
    uint64_t next = next_transition(c, d);
    if (next == UINT64_MAX) {
        timer_del(c->timer);
        return;
    }
    c->next_tick = next;
    timer_mod_ns(c->timer, c->load_time + ticks_to_ns(next));
}

static void channel_update(PitChannel *c)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint64_t d = channel_ticks(c, now);
    if (c->irq) {
        channel_set_irq(c, out_at(c, d));
    }
    channel_schedule(c, d);
}

/* Each transition is delivered in order, so even a one-tick low pulse of
 * mode 2 reaches an edge-triggered PIC, and a host that ran the timer late
 * gets its missed periods replayed back to back (the guest's tick count
 * stays right). Only if it fell more than 100 ms behind (a stopped host),
 * skip to the present rather than replaying a flood. */
#define PIT_MAX_CATCHUP_TICKS (PIT_FREQ / 10)
static void channel_timer_cb(void *opaque)
{
    PitChannel *c = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint64_t tick = c->next_tick;
    channel_set_irq(c, out_at(c, tick));
    uint64_t d_now = channel_ticks(c, now);
    if (d_now > tick + PIT_MAX_CATCHUP_TICKS + 2 * (uint64_t)c->count) {
        tick = d_now;
    }
    channel_schedule(c, tick);
}

static void channel_start(PitChannel *c)
{
    c->load_time = clock_get_ns(CLOCK_VIRTUAL);
    c->paused = false;
    c->null_count = false;
    if ((c->mode == 0 || c->mode == 4) && !c->gate) {
        c->paused = true;
        c->paused_ticks = 0;
    }
    channel_update(c);
}

static void channel_load_count(PitChannel *c, uint16_t v)
{
    c->count = v ? v : 0x10000;
    if (c->count == 1 && (c->mode == 2 || c->mode == 3)) {
        hw_log_guest_error("i8254: channel %d: a count of 1 is illegal in mode %d", c->index,
                           c->mode);
    }
    c->null_count = true;
    c->loaded = true;
    if (c->mode == 1 || c->mode == 5) {
        /* Waits for a GATE rising edge; a new count on a running one-shot
         * applies at the next trigger. */
        if (!c->triggered) {
            channel_update(c);
        }
        return;
    }
    channel_start(c);
}

static void channel_write_count(PitChannel *c, uint8_t v)
{
    switch (c->rw_mode) {
    case RW_LSB: channel_load_count(c, v); break;
    case RW_MSB: channel_load_count(c, v << 8); break;
    case RW_WORD:
        if (!c->write_msb_next) {
            c->write_lsb = v;
            c->write_msb_next = true;
            if (c->mode == 0) {
                /* Writing the first byte stops the count; OUT goes low. */
                c->loaded = false;
                channel_update(c);
            }
        } else {
            c->write_msb_next = false;
            channel_load_count(c, c->write_lsb | v << 8);
        }
        break;
    }
}

static uint8_t channel_status(PitChannel *c, int64_t now)
{
    return (out_at(c, channel_ticks(c, now)) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
           c->rw_mode << 4 | c->mode << 1 | c->bcd;
}

static void channel_latch_count(PitChannel *c, int64_t now)
{
    if (!c->count_latched) {
        c->count_latched = true;
        c->latched_count = counter_value(c, now);
        c->latch_msb_next = false;
    }
}

static uint8_t channel_read(PitChannel *c)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v;
    bool msb;
    if (c->count_latched) {
        v = c->latched_count;
        if (c->rw_mode == RW_WORD) {
            msb = c->latch_msb_next;
            c->latch_msb_next = !msb;
            if (msb) {
                c->count_latched = false;
            }
        } else {
            msb = c->rw_mode == RW_MSB;
            c->count_latched = false;
        }
    } else {
        v = counter_value(c, now);
        if (c->rw_mode == RW_WORD) {
            msb = c->read_msb_next;
            c->read_msb_next = !msb;
        } else {
            msb = c->rw_mode == RW_MSB;
        }
    }
    return msb ? v >> 8 : v & 0xff;
}

static void pit_write_control(PitState *s, uint8_t v)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    int sc = v >> 6;
    if (sc == 3) { /* read-back */
        for (int i = 0; i < 3; i++) {
            if (!(v & (2 << i))) {
                continue;
            }
            PitChannel *c = &s->ch[i];
            if (!(v & 0x20)) {
                channel_latch_count(c, now);
            }
            if (!(v & 0x10) && !c->status_latched) {
                c->status = channel_status(c, now);
                c->status_latched = true;
            }
        }
        return;
    }
    PitChannel *c = &s->ch[sc];
    int rw = (v >> 4) & 3;
    if (rw == RW_LATCH) {
        channel_latch_count(c, now);
        return;
    }
    c->rw_mode = rw;
    c->mode = (v >> 1) & 7;
    if (c->mode > 5) {
        c->mode -= 4; /* 6 and 7 are aliases of 2 and 3 */
    }
    c->bcd = v & 1;
    if (c->bcd) {
        hw_log_unimp("i8254: channel %d BCD counting; counting in binary", sc);
    }
    c->loaded = false;
    c->triggered = false;
    c->paused = false;
    c->null_count = true;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->status_latched = false;
    channel_update(c);
}

static uint64_t pit_read(void *opaque, uint64_t addr, unsigned size)
{
    PitState *s = opaque;
    if (addr >= 3) {
        return 0xff; /* the control word register is write-only */
    }
    return channel_read(&s->ch[addr]);
}

static void pit_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PitState *s = opaque;
    if (addr == 3) {
        pit_write_control(s, (uint8_t)val);
    } else {
        channel_write_count(&s->ch[addr], (uint8_t)val);
    }
}

static const MemoryRegionOps pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

void i8254_set_gate(PitState *s, int channel, int level)
{
    if (channel < 0 || channel > 2) {
        return;
    }
    PitChannel *c = &s->ch[channel];
    bool rising = level && !c->gate;
    bool falling = !level && c->gate;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    if (falling && (c->mode == 0 || c->mode == 4) && c->loaded && !c->paused) {
        c->paused_ticks = channel_ticks(c, now);
        c->paused = true;
    }
    c->gate = level != 0;
    if (rising && c->loaded) {
        switch (c->mode) {
        case 0:
        case 4:
            if (c->paused) {
                /* Resume where the count was held. */
                c->load_time = now - ticks_to_ns(c->paused_ticks);
                c->paused = false;
            }
            break;
        case 1:
        case 5:
            c->triggered = true;
            channel_start(c);
            return;
        case 2:
        case 3: channel_start(c); return;
        }
    }
    channel_update(c);
}

int i8254_get_gate(PitState *s, int channel)
{
    return channel >= 0 && channel <= 2 && s->ch[channel].gate;
}

int i8254_get_output(PitState *s, int channel)
{
    if (channel < 0 || channel > 2) {
        return 0;
    }
    PitChannel *c = &s->ch[channel];
    return out_at(c, channel_ticks(c, clock_get_ns(CLOCK_VIRTUAL)));
}

static uint64_t port61_read(void *opaque, uint64_t addr, unsigned size)
{
    PitState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint8_t v = s->port61_bits & 0x0f;
    if ((now / REFRESH_NS) & 1) {
        v |= 0x10;
    }
    if (i8254_get_output(s, 2)) {
        v |= 0x20;
    }
    return v;
}

static void port61_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PitState *s = opaque;
    s->port61_bits = val & 0x0f;
    i8254_set_gate(s, 2, val & 1);
}

static const MemoryRegionOps port61_ops = {
    .read = port61_read,
    .write = port61_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

void i8254_map_port61(PitState *s, MemoryRegion *io, uint64_t port)
{
    if (!s->port61) {
        s->port61 = memory_region_new_io("port61", 1, &port61_ops, s);
        memory_region_add_subregion(io, port, s->port61);
    }
}

static void pit_reset(Device *dev)
{
    PitState *s = (PitState *)dev;
    s->port61_bits = 0;
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];
        c->mode = 3;
        c->rw_mode = RW_WORD;
        c->bcd = 0;
        c->count = 0x10000;
        c->loaded = false;
        c->triggered = false;
        c->paused = false;
        c->gate = i != 2;
        c->null_count = false;
        c->write_msb_next = false;
        c->read_msb_next = false;
        c->count_latched = false;
        c->status_latched = false;
        channel_update(c);
    }
}

static void pit_save(Device *dev, StateStream *st)
{
    PitState *s = (PitState *)dev;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];
        uint16_t flags = c->loaded | c->triggered << 1 | c->paused << 2 | c->gate << 3 |
                         c->null_count << 4 | c->write_msb_next << 5 | c->read_msb_next << 6 |
                         c->count_latched << 7 | c->latch_msb_next << 8 | c->status_latched << 9;
        state_put_u8(st, c->mode);
        state_put_u8(st, c->rw_mode);
        state_put_u8(st, c->bcd);
        state_put_u32(st, c->count);
        state_put_u64(st, c->paused_ticks);
        state_put_u64(st, (uint64_t)(now - c->load_time));
        state_put_u16(st, flags);
        state_put_u8(st, c->write_lsb);
        state_put_u16(st, c->latched_count);
        state_put_u8(st, c->status);
    }
    state_put_u8(st, s->port61_bits);
}

static bool pit_load(Device *dev, StateStream *st)
{
    PitState *s = (PitState *)dev;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    for (int i = 0; i < 3; i++) {
        PitChannel *c = &s->ch[i];
        uint32_t count;
        uint64_t ago;
        uint16_t flags;
        state_get_u8(st, &c->mode);
        state_get_u8(st, &c->rw_mode);
        state_get_u8(st, &c->bcd);
        state_get_u32(st, &count);
        state_get_u64(st, &c->paused_ticks);
        state_get_u64(st, &ago);
        state_get_u16(st, &flags);
        state_get_u8(st, &c->write_lsb);
        state_get_u16(st, &c->latched_count);
        if (!state_get_u8(st, &c->status) || c->mode > 5 || c->rw_mode > 3 || count == 0 ||
            count > 0x10000) {
            return false;
        }
        c->count = count;
        c->bcd &= 1;
        c->load_time = now - (int64_t)ago;
        c->loaded = flags & 1;
        c->triggered = flags & 2;
        c->paused = flags & 4;
        c->gate = flags & 8;
        c->null_count = flags & 16;
        c->write_msb_next = flags & 32;
        c->read_msb_next = flags & 64;
        c->count_latched = flags & 128;
        c->latch_msb_next = flags & 256;
        c->status_latched = flags & 512;
        c->irq_level = -1;
        channel_update(c);
    }
    if (!state_get_u8(st, &s->port61_bits)) {
        return false;
    }
    s->port61_bits &= 0x0f;
    return true;
}

static const DeviceOps pit_device_ops = {
    .type = "i8254",
    .reset = pit_reset,
    .save = pit_save,
    .load = pit_load,
};

PitState *i8254_new(MemoryRegion *io, uint64_t base, qemu_irq irq0)
{
    PitState *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    for (int i = 0; i < 3; i++) {
        s->ch[i].pit = s;
        s->ch[i].index = i;
    }
    s->ch[0].irq = irq0;
    if (irq0) {
        s->ch[0].timer = timer_new_ns(CLOCK_VIRTUAL, channel_timer_cb, &s->ch[0]);
    }
    s->mr = memory_region_new_io("pit", 4, &pit_ops, s);
    if (io) {
        memory_region_add_subregion(io, base, s->mr);
    }
    pit_reset(&s->dev);
    device_register_auto(&s->dev, &pit_device_ops);
    return s;
}

void i8254_free(PitState *s)
{
    if (!s) {
        return;
    }
    device_unregister(&s->dev);
    memory_region_free(s->mr);
    memory_region_free(s->port61);
    for (int i = 0; i < 3; i++) {
        if (s->ch[i].timer) {
            timer_free(s->ch[i].timer);
        }
    }
    free(s);
}
