/*
 * 16550A UART (National Semiconductor PC16550D datasheet): registers,
 * 16-byte receive FIFO with trigger levels and character timeout, the four
 * interrupt sources in IIR priority order, modem lines and loopback. Bytes
 * go out to a Chardev as soon as the guest writes THR, so the transmitter
 * is always empty again (THRE and TEMT read 1).
 */
#include "hw/char/serial.h"
#include "system/timer.h"

#include <stdlib.h>
#include <string.h>

enum {
    REG_RBR_THR = 0, /* DLAB=1: DLL */
    REG_IER = 1,     /* DLAB=1: DLM */
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define IER_RDA  0x01
#define IER_THRE 0x02
#define IER_RLS  0x04
#define IER_MSI  0x08

#define IIR_NONE    0x01
#define IIR_MSI     0x00
#define IIR_THRE    0x02
#define IIR_RDA     0x04
#define IIR_RLS     0x06
#define IIR_TIMEOUT 0x0c
#define IIR_FIFO    0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR     0x01
#define LSR_OE     0x02
#define LSR_ERRORS 0x1e /* OE, PE, FE, BI: the line-status interrupt causes */
#define LSR_THRE   0x20
#define LSR_TEMT   0x40

#define MSR_DELTAS 0x0f
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80

#define FIFO_SIZE 16

struct SerialState {
    Device dev;
    MemoryRegion *container, *mr;
    MemoryRegionOps ops;
    int regshift;
    unsigned lane_size;
    DeviceEndian endian;
    qemu_irq irq;
    Chardev *chr;
    Timer *timeout_timer;

    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divider;
    uint8_t rx[FIFO_SIZE];
    int rx_head, rx_count;
    uint8_t last_rbr;
    bool thr_ipending;
    bool timeout_ipending;
    int irq_level;
};

static bool fifo_enabled(const SerialState *s)
{
    return s->fcr & FCR_ENABLE;
}

static int rx_trigger(const SerialState *s)
{
    static const int levels[4] = {1, 4, 8, 14};
    return fifo_enabled(s) ? levels[s->fcr >> 6] : 1;
}

static uint8_t serial_iir_id(const SerialState *s)
{
    if ((s->ier & IER_RLS) && (s->lsr & LSR_ERRORS)) {
        return IIR_RLS;
    }
    if ((s->ier & IER_RDA) && s->rx_count >= rx_trigger(s)) {
        return IIR_RDA;
    }
    if ((s->ier & IER_RDA) && s->timeout_ipending) {
        return IIR_TIMEOUT;
    }
    if ((s->ier & IER_THRE) && s->thr_ipending) {
        return IIR_THRE;
    }
    if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS)) {
        return IIR_MSI;
    }
    return IIR_NONE;
}

static void serial_update_irq(SerialState *s)
{
    int level = serial_iir_id(s) != IIR_NONE;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

/* Time of 4 characters at the current baud rate and frame format: how long
 * the receiver waits before reporting a character timeout. */
static int64_t serial_timeout_ns(const SerialState *s)
{
    int bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x08) ? 1 : 0) + ((s->lcr & 0x04) ? 2 : 1);
    int64_t div = s->divider ? s->divider : 1;
    return 4 * bits * div * NANOSECONDS_PER_SECOND / SERIAL_BAUD_BASE;
}

static void serial_restart_timeout(SerialState *s)
{
    if (!s->timeout_timer) {
        return;
    }
    if (fifo_enabled(s) && s->rx_count > 0) {
        timer_mod_ns(s->timeout_timer, clock_get_ns(CLOCK_VIRTUAL) + serial_timeout_ns(s));
    } else {
        timer_del(s->timeout_timer);
    }
}

static void serial_timeout(void *opaque)
{
    SerialState *s = opaque;
    if (fifo_enabled(s) && s->rx_count > 0) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->timeout_ipending = false;
    if (s->timeout_timer) {
        timer_del(s->timeout_timer);
    }
}

static void serial_receive_byte(SerialState *s, uint8_t b)
{
    int cap = fifo_enabled(s) ? FIFO_SIZE : 1;
    if (s->rx_count == cap) {
        s->lsr |= LSR_OE;
        if (!fifo_enabled(s)) {
            s->rx[s->rx_head] = b; /* the holding register is overwritten */
        }
    } else {
        s->rx[(s->rx_head + s->rx_count) % FIFO_SIZE] = b;
        s->rx_count++;
    }
    s->timeout_ipending = false;
    serial_restart_timeout(s);
}

static void serial_update_msr(SerialState *s)
{
    uint8_t lines;
    if (s->mcr & MCR_LOOP) {
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        /* A connected modem: carrier, data set ready, clear to send. */
        lines = MSR_CTS | MSR_DSR | MSR_DCD;
    }
    uint8_t old = s->msr, delta = 0;
    if ((old ^ lines) & MSR_CTS) {
        delta |= 0x01;
    }
    if ((old ^ lines) & MSR_DSR) {
        delta |= 0x02;
    }
    if ((old & MSR_RI) && !(lines & MSR_RI)) {
        delta |= 0x04; /* trailing edge of ring indicator */
    }
    if ((old ^ lines) & MSR_DCD) {
        delta |= 0x08;
    }
    s->msr = lines | (old & MSR_DELTAS) | delta;
}

static uint8_t serial_read_reg(SerialState *s, int reg)
{
    uint8_t v = 0;
    switch (reg) {
    case REG_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            return s->divider & 0xff;
        }
        if (s->rx_count > 0) {
            s->last_rbr = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
            s->rx_count--;
        }
        v = s->last_rbr;
        s->timeout_ipending = false;
        serial_restart_timeout(s);
        serial_update_irq(s);
        if (s->chr) {
            chardev_accept_input(s->chr);
        }
        return v;
    case REG_IER:
        if (s->lcr & LCR_DLAB) {
            return s->divider >> 8;
        }
        return s->ier;
    case REG_IIR_FCR: {
        uint8_t id = serial_iir_id(s);
        if (id == IIR_THRE) {
            s->thr_ipending = false; /* reading IIR acknowledges THRE */
            serial_update_irq(s);
        }
        return id | (fifo_enabled(s) ? IIR_FIFO : 0);
    }
    case REG_LCR: return s->lcr;
    case REG_MCR: return s->mcr;
    case REG_LSR:
        v = s->lsr | LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0);
        s->lsr &= ~LSR_ERRORS;
        serial_update_irq(s);
        return v;
    case REG_MSR:
        v = s->msr;
        s->msr &= ~MSR_DELTAS;
        serial_update_irq(s);
        return v;
    case REG_SCR: return s->scr;
    }
    return 0;
}

static void serial_transmit(SerialState *s, uint8_t b)
{
    if (s->mcr & MCR_LOOP) {
        serial_receive_byte(s, b);
    } else if (s->chr) {
        chardev_write(s->chr, &b, 1);
    }
    /* The byte left at once: the holding register is empty again. */
    s->thr_ipending = true;
}

static void serial_write_reg(SerialState *s, int reg, uint8_t v)
{
    switch (reg) {
    case REG_RBR_THR:
        if (s->lcr & LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | v;
            break;
        }
        s->thr_ipending = false;
        serial_transmit(s, v);
        break;
    case REG_IER:
        if (s->lcr & LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (v << 8);
            break;
        }
        /* Enabling the THRE interrupt while THR is empty raises it at once. */
        if ((v & IER_THRE) && !(s->ier & IER_THRE)) {
            s->thr_ipending = true;
        }
        s->ier = v & 0x0f;
        break;
    case REG_IIR_FCR:
        if ((v ^ s->fcr) & FCR_ENABLE) {
            serial_rx_clear(s); /* changing FIFO mode empties both FIFOs */
        }
        if (!(v & FCR_ENABLE)) {
            s->fcr = 0; /* other bits are only programmed with FCR0 set */
            break;
        }
        if (v & FCR_CLEAR_RX) {
            serial_rx_clear(s);
        }
        s->fcr = v & 0xc9;
        serial_restart_timeout(s);
        break;
    case REG_LCR: s->lcr = v; break;
    case REG_MCR:
        s->mcr = v & 0x1f;
        serial_update_msr(s);
        if (s->chr && !(s->mcr & MCR_LOOP)) {
            chardev_accept_input(s->chr);
        }
        break;
    case REG_LSR:
    case REG_MSR:
        hw_log_guest_error("serial: write 0x%02x to read-only %s", v,
                           reg == REG_LSR ? "LSR" : "MSR");
        break;
    case REG_SCR: s->scr = v; break;
    }
    serial_update_irq(s);
}

/* Register i is a word of lane_size (1 << regshift, at most 4) bytes at the
 * start of its 1 << regshift slot, holding the value in its low byte: the
 * first byte of the word on a little-endian bus, the last on a big-endian
 * one (Linux's UPIO_MEM32 / UPIO_MEM32BE). An access that covers that byte
 * sees the register at its lane; one that does not sees 0 and has no side
 * effect (reading RBR or IIR must not happen by accident). */
static bool serial_lane(const SerialState *s, uint64_t addr, unsigned size, unsigned *shift)
{
    uint64_t slot = 1ull << s->regshift;
    uint64_t reg_byte =
        (addr & ~(slot - 1)) + (s->endian == DEVICE_BIG_ENDIAN ? s->lane_size - 1 : 0);
    if (reg_byte < addr || reg_byte >= addr + size) {
        return false;
    }
    unsigned j = (unsigned)(reg_byte - addr);
    *shift = 8 * (s->endian == DEVICE_BIG_ENDIAN ? size - 1 - j : j);
    return true;
}

static uint64_t serial_mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    SerialState *s = opaque;
    unsigned shift;
    if (!serial_lane(s, addr, size, &shift)) {
        return 0;
    }
    return (uint64_t)serial_read_reg(s, (addr >> s->regshift) & 7) << shift;
}

static void serial_mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    SerialState *s = opaque;
    unsigned shift;
    if (serial_lane(s, addr, size, &shift)) {
        serial_write_reg(s, (addr >> s->regshift) & 7, (uint8_t)(val >> shift));
    }
}

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;
    if (s->mcr & MCR_LOOP) {
        return 0; /* the receiver listens to the transmitter only */
    }
    return (fifo_enabled(s) ? FIFO_SIZE : 1) - s->rx_count;
}

static void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;
    for (size_t i = 0; i < len; i++) {
        serial_receive_byte(s, buf[i]);
    }
    serial_update_irq(s);
}

static const CharFrontendOps serial_chr_ops = {
    .can_receive = serial_can_receive,
    .receive = serial_receive,
};

static void serial_reset(Device *dev)
{
    SerialState *s = (SerialState *)dev;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = 0;
    s->fcr = 0;
    s->scr = 0;
    s->thr_ipending = false;
    serial_rx_clear(s);
    s->msr = 0;
    serial_update_msr(s);
    s->msr &= ~MSR_DELTAS;
    serial_update_irq(s);
}

static void serial_save(Device *dev, StateStream *st)
{
    SerialState *s = (SerialState *)dev;
    state_put_u8(st, s->ier);
    state_put_u8(st, s->lcr);
    state_put_u8(st, s->mcr);
    state_put_u8(st, s->lsr);
    state_put_u8(st, s->msr);
    state_put_u8(st, s->scr);
    state_put_u8(st, s->fcr);
    state_put_u16(st, s->divider);
    state_put_u8(st, s->last_rbr);
    state_put_u8(st, s->thr_ipending);
    state_put_u8(st, s->timeout_ipending);
    state_put_u8(st, (uint8_t)s->rx_count);
    for (int i = 0; i < s->rx_count; i++) {
        state_put_u8(st, s->rx[(s->rx_head + i) % FIFO_SIZE]);
    }
}

static bool serial_load(Device *dev, StateStream *st)
{
    SerialState *s = (SerialState *)dev;
    uint8_t thr, tmo, count;
    state_get_u8(st, &s->ier);
    state_get_u8(st, &s->lcr);
    state_get_u8(st, &s->mcr);
    state_get_u8(st, &s->lsr);
    state_get_u8(st, &s->msr);
    state_get_u8(st, &s->scr);
    state_get_u8(st, &s->fcr);
    state_get_u16(st, &s->divider);
    state_get_u8(st, &s->last_rbr);
    state_get_u8(st, &thr);
    state_get_u8(st, &tmo);
    if (!state_get_u8(st, &count) || count > FIFO_SIZE) {
        return false;
    }
    s->rx_head = 0;
    s->rx_count = count;
    state_get_bytes(st, s->rx, count);
    s->thr_ipending = thr;
    s->timeout_ipending = tmo;
    s->ier &= 0x0f;
    s->mcr &= 0x1f;
    if (!state_stream_ok(st)) {
        return false;
    }
    serial_restart_timeout(s);
    s->irq_level = -1; /* force the line to the loaded state */
    serial_update_irq(s);
    return true;
}

static const DeviceOps serial_device_ops = {
    .type = "serial",
    .reset = serial_reset,
    .save = serial_save,
    .load = serial_load,
};

SerialState *serial_new(MemoryRegion *container, uint64_t base, int regshift, qemu_irq irq,
                        Chardev *chr, DeviceEndian e)
{
    SerialState *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->regshift = regshift < 0 ? 0 : regshift > 3 ? 3 : regshift;
    s->lane_size = (1u << s->regshift) > 4 ? 4 : 1u << s->regshift;
    s->endian = e == DEVICE_NATIVE_ENDIAN ? DEVICE_LITTLE_ENDIAN : e;
    s->irq = irq;
    s->chr = chr;
    s->divider = 12; /* 9600 baud until the firmware programs it */
    s->ops = (MemoryRegionOps){
        .read = serial_mmio_read,
        .write = serial_mmio_write,
        .endianness = s->endian,
        .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
        /* Narrow accesses reach the callbacks as they are: no widening
         * read-modify-write that would pop RBR. */
        .impl = {.min_access_size = 1, .max_access_size = s->lane_size},
    };
    s->timeout_timer = timer_new_ns(CLOCK_VIRTUAL, serial_timeout, s);
    s->container = container;
    s->mr = memory_region_new_io("serial", 8u << s->regshift, &s->ops, s);
    if (container) {
        memory_region_add_subregion(container, base, s->mr);
    }
    serial_reset(&s->dev);
    if (chr) {
        chardev_set_frontend(chr, &serial_chr_ops, s);
    }
    device_register_auto(&s->dev, &serial_device_ops);
    return s;
}

MemoryRegion *serial_region(SerialState *s)
{
    return s->mr;
}

void serial_free(SerialState *s)
{
    if (!s) {
        return;
    }
    device_unregister(&s->dev);
    if (s->chr) {
        chardev_set_frontend(s->chr, NULL, NULL);
    }
    memory_region_free(s->mr);
    timer_free(s->timeout_timer);
    free(s);
}
