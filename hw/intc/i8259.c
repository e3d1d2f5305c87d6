/*
 * Intel 8259A programmable interrupt controllers, master and slave cascaded
 * on the master's IR2 (8259A datasheet; ELCR from the Intel PIIX/PIIX4
 * datasheets). Covers ICW1-4, OCW1-3, edge/level triggering, IRR/ISR/IMR
 * reads, specific and non-specific EOI, automatic EOI, special mask mode,
 * special fully nested mode, priority rotation, poll mode and the spurious
 * IRQ 7/15 vectors.
 */
#include "hw/intc/i8259.h"

#include <stdlib.h>

typedef struct Pic8259 {
    uint8_t irr, isr, imr;
    uint8_t elcr, elcr_mask;
    uint8_t line;         /* current input levels, for edge detection */
    uint8_t priority_add; /* the level with the highest priority */
    uint8_t vector_base;
    uint8_t icw3;
    uint8_t init_state; /* 0: operational; 1-3: expecting ICW2-ICW4 */
    bool icw4_needed, single, ltim;
    bool auto_eoi, rotate_on_aeoi, special_mask, sfnm;
    bool poll, read_isr;
} Pic8259;

/* Each chip's region gets a pointer to one of these as its opaque. */
typedef struct PicPort {
    PicState *s;
    int chip;
} PicPort;

struct PicState {
    Device dev;
    PicPort ports[2];
    Pic8259 chip[2]; /* master, slave */
    qemu_irq int_out;
    int int_level;
    qemu_irq *inputs;
    MemoryRegion *io;
    MemoryRegion *mr[3];
};

static uint8_t chip_level_mask(const Pic8259 *c)
{
    return c->ltim ? 0xff : c->elcr;
}

/* Priority 0 is the highest; rotation shifts which level that is. */
static int chip_priority(const Pic8259 *c, uint8_t mask)
{
    for (int p = 0; p < 8; p++) {
        if (mask & (1 << ((p + c->priority_add) & 7))) {
            return p;
        }
    }
    return 8;
}

/* The level the chip would signal on INT now, or -1. */
static int chip_pending(const Pic8259 *c, bool is_master)
{
    uint8_t req = c->irr & ~c->imr;
    int pri = chip_priority(c, req);
    if (pri == 8) {
        return -1;
    }
    if (c->special_mask) {
        /* Every unmasked level that is not itself in service may interrupt. */
        req &= ~c->isr;
        pri = chip_priority(c, req);
        return pri == 8 ? -1 : (pri + c->priority_add) & 7;
    }
    uint8_t in_service = c->isr;
    if (is_master && c->sfnm) {
        in_service &= ~(1 << 2); /* the slave may nest its own priorities */
    }
    int cur = chip_priority(c, in_service);
    return pri < cur ? (pri + c->priority_add) & 7 : -1;
}

static void chip_set_input(Pic8259 *c, int n, int level)
{
    uint8_t mask = 1 << n;
    if (chip_level_mask(c) & mask) {
        if (level) {
            c->irr |= mask;
        } else {
            c->irr &= ~mask;
        }
    } else if (level && !(c->line & mask)) {
        c->irr |= mask; /* rising edge */
    }
    if (level) {
        c->line |= mask;
    } else {
        c->line &= ~mask;
    }
}

static void pic_update(PicState *s)
{
    chip_set_input(&s->chip[0], 2, chip_pending(&s->chip[1], false) >= 0);
    int level = chip_pending(&s->chip[0], true) >= 0;
    if (level != s->int_level) {
        s->int_level = level;
        irq_set(s->int_out, level);
    }
}

static void chip_ack(Pic8259 *c, int irq)
{
    uint8_t mask = 1 << irq;
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi) {
            c->priority_add = (irq + 1) & 7;
        }
    } else {
        c->isr |= mask;
    }
    if (!(chip_level_mask(c) & mask)) {
        c->irr &= ~mask;
    }
}

static void pic_set_irq(void *opaque, int n, int level)
{
    PicState *s = opaque;
    if (n < 0 || n >= 16 || n == 2) {
        return;
    }
    chip_set_input(&s->chip[n >> 3], n & 7, level);
    pic_update(s);
}

int i8259_acknowledge(PicState *s)
{
    Pic8259 *m = &s->chip[0], *sl = &s->chip[1];
    int vec;
    int irq = chip_pending(m, true);
    if (irq < 0) {
        vec = m->vector_base + 7; /* spurious IRQ 7: nothing set in ISR */
    } else if (irq == 2 && !m->single) {
        int irq2 = chip_pending(sl, false);
        if (irq2 >= 0) {
            chip_ack(sl, irq2);
            vec = sl->vector_base + irq2;
        } else {
            vec = sl->vector_base + 7; /* spurious IRQ 15 */
        }
        chip_ack(m, 2);
    } else {
        chip_ack(m, irq);
        vec = m->vector_base + irq;
    }
    pic_update(s);
    return vec;
}

bool i8259_int_pending(PicState *s)
{
    return s->int_level > 0;
}

qemu_irq i8259_irq(PicState *s, int n)
{
    return n >= 0 && n < 16 ? s->inputs[n] : NULL;
}

static void chip_reset(Pic8259 *c)
{
    uint8_t mask = c->elcr_mask, line = c->line;
    *c = (Pic8259){0};
    c->elcr_mask = mask;
    c->line = line;
}

static void chip_write_cmd(Pic8259 *c, uint8_t val)
{
    if (val & 0x10) { /* ICW1 */
        uint8_t elcr = c->elcr;
        chip_reset(c);
        c->elcr = elcr;
        c->init_state = 1;
        c->icw4_needed = val & 0x01;
        c->single = val & 0x02;
        c->ltim = val & 0x08;
        /* Lines held high in level mode are still requesting. */
        c->irr = c->line & chip_level_mask(c);
        return;
    }
    if (val & 0x08) { /* OCW3 */
        if (val & 0x04) {
            c->poll = true;
        }
        if (val & 0x02) {
            c->read_isr = val & 0x01;
        }
        if (val & 0x40) {
            c->special_mask = (val >> 5) & 1;
        }
        return;
    }
    /* OCW2 */
    int level = val & 7;
    switch (val >> 5) {
    case 0: c->rotate_on_aeoi = false; break;
    case 4: c->rotate_on_aeoi = true; break;
    case 1: /* non-specific EOI */
    case 5: /* rotate on non-specific EOI */ {
        int pri = chip_priority(c, c->isr);
        if (pri != 8) {
            int irq = (pri + c->priority_add) & 7;
            c->isr &= ~(1 << irq);
            if (val >> 5 == 5) {
                c->priority_add = (irq + 1) & 7;
            }
        }
        break;
    }
    case 3: c->isr &= ~(1 << level); break;
    case 7:
        c->isr &= ~(1 << level);
        c->priority_add = (level + 1) & 7;
        break;
    case 6: c->priority_add = (level + 1) & 7; break;
    case 2: break;
    }
}

static void chip_write_data(Pic8259 *c, uint8_t val)
{
    switch (c->init_state) {
    case 0: c->imr = val; break;
    case 1:
        c->vector_base = val & 0xf8;
        c->init_state = c->single ? (c->icw4_needed ? 3 : 0) : 2;
        break;
    case 2:
        c->icw3 = val;
        c->init_state = c->icw4_needed ? 3 : 0;
        break;
    case 3:
        if (!(val & 0x01)) {
            hw_log_unimp("i8259: ICW4 selects 8080/8085 mode; only 8086 mode is modelled");
        }
        if (val & 0x08) {
            hw_log_unimp("i8259: ICW4 buffered mode ignored");
        }
        c->auto_eoi = val & 0x02;
        c->sfnm = val & 0x10;
        c->init_state = 0;
        break;
    }
}

static uint8_t chip_poll(Pic8259 *c, bool is_master)
{
    c->poll = false;
    int irq = chip_pending(c, is_master);
    if (irq < 0) {
        return 0;
    }
    chip_ack(c, irq);
    return 0x80 | irq;
}

static uint64_t pic_read(void *opaque, uint64_t addr, unsigned size)
{
    PicPort *p = opaque;
    PicState *s = p->s;
    Pic8259 *c = &s->chip[p->chip];
    uint8_t v;
    if (addr & 1) {
        return c->imr;
    }
    if (c->poll) {
        v = chip_poll(c, p->chip == 0);
        pic_update(s);
        return v;
    }
    return c->read_isr ? c->isr : c->irr;
}

static void pic_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PicPort *p = opaque;
    Pic8259 *c = &p->s->chip[p->chip];
    if (addr & 1) {
        chip_write_data(c, (uint8_t)val);
    } else {
        chip_write_cmd(c, (uint8_t)val);
    }
    pic_update(p->s);
}

static uint64_t elcr_read(void *opaque, uint64_t addr, unsigned size)
{
    PicState *s = opaque;
    return s->chip[addr & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PicState *s = opaque;
    Pic8259 *c = &s->chip[addr & 1];
    if (val & ~c->elcr_mask & 0xff) {
        hw_log_guest_error("i8259: ELCR%d bits 0x%02x cannot be level-triggered",
                           (int)(addr & 1) + 1, (unsigned)(val & ~c->elcr_mask & 0xff));
    }
    c->elcr = (uint8_t)val & c->elcr_mask;
    /* Level-triggered inputs request exactly while their line is high. */
    uint8_t level = chip_level_mask(c);
    c->irr = (c->irr & ~level) | (c->line & level);
    pic_update(s);
}

static const MemoryRegionOps pic_ops = {
    .read = pic_read,
    .write = pic_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

static const MemoryRegionOps elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

static void pic_reset(Device *dev)
{
    PicState *s = (PicState *)dev;
    for (int i = 0; i < 2; i++) {
        chip_reset(&s->chip[i]);
    }
    pic_update(s);
}

static void pic_save(Device *dev, StateStream *st)
{
    PicState *s = (PicState *)dev;
    for (int i = 0; i < 2; i++) {
        Pic8259 *c = &s->chip[i];
        uint8_t flags = c->icw4_needed | c->single << 1 | c->ltim << 2 | c->auto_eoi << 3 |
                        c->rotate_on_aeoi << 4 | c->special_mask << 5 | c->sfnm << 6 | c->poll << 7;
        state_put_u8(st, c->irr);
        state_put_u8(st, c->isr);
        state_put_u8(st, c->imr);
        state_put_u8(st, c->elcr);
        state_put_u8(st, c->line);
        state_put_u8(st, c->priority_add);
        state_put_u8(st, c->vector_base);
        state_put_u8(st, c->icw3);
        state_put_u8(st, c->init_state);
        state_put_u8(st, flags);
        state_put_u8(st, c->read_isr);
    }
}

static bool pic_load(Device *dev, StateStream *st)
{
    PicState *s = (PicState *)dev;
    for (int i = 0; i < 2; i++) {
        Pic8259 *c = &s->chip[i];
        uint8_t flags, rd;
        state_get_u8(st, &c->irr);
        state_get_u8(st, &c->isr);
        state_get_u8(st, &c->imr);
        state_get_u8(st, &c->elcr);
        state_get_u8(st, &c->line);
        state_get_u8(st, &c->priority_add);
        state_get_u8(st, &c->vector_base);
        state_get_u8(st, &c->icw3);
        state_get_u8(st, &c->init_state);
        state_get_u8(st, &flags);
        state_get_u8(st, &rd);
        if (!state_stream_ok(st) || c->init_state > 3) {
            return false;
        }
        c->elcr &= c->elcr_mask;
        c->priority_add &= 7;
        c->icw4_needed = flags & 1;
        c->single = flags & 2;
        c->ltim = flags & 4;
        c->auto_eoi = flags & 8;
        c->rotate_on_aeoi = flags & 16;
        c->special_mask = flags & 32;
        c->sfnm = flags & 64;
        c->poll = flags & 128;
        c->read_isr = rd & 1;
    }
    s->int_level = -1;
    pic_update(s);
    return true;
}

static const DeviceOps pic_device_ops = {
    .type = "i8259",
    .reset = pic_reset,
    .save = pic_save,
    .load = pic_load,
};

PicState *i8259_new(MemoryRegion *io, qemu_irq int_out)
{
    PicState *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->int_out = int_out;
    s->io = io;
    s->chip[0].elcr_mask = 0xf8; /* IRQ0-2 are always edge-triggered */
    s->chip[1].elcr_mask = 0xde; /* and so are IRQ8 and IRQ13 */
    s->inputs = irq_new_array(pic_set_irq, s, 16);
    s->ports[0] = (PicPort){s, 0};
    s->ports[1] = (PicPort){s, 1};
    s->mr[0] = memory_region_new_io("pic-master", 2, &pic_ops, &s->ports[0]);
    s->mr[1] = memory_region_new_io("pic-slave", 2, &pic_ops, &s->ports[1]);
    s->mr[2] = memory_region_new_io("elcr", 2, &elcr_ops, s);
    if (io) {
        memory_region_transaction_begin();
        memory_region_add_subregion(io, 0x20, s->mr[0]);
        memory_region_add_subregion(io, 0xa0, s->mr[1]);
        memory_region_add_subregion(io, 0x4d0, s->mr[2]);
        memory_region_transaction_commit();
    }
    pic_reset(&s->dev);
    device_register_auto(&s->dev, &pic_device_ops);
    return s;
}

void i8259_free(PicState *s)
{
    if (!s) {
        return;
    }
    device_unregister(&s->dev);
    for (int i = 0; i < 3; i++) {
        memory_region_free(s->mr[i]);
    }
    for (int i = 0; i < 16; i++) {
        irq_free(s->inputs[i]);
    }
    free(s->inputs);
    free(s);
}
