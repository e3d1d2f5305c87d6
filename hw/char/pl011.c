/*
 * ARM PrimeCell PL011 UART (hw/char/pl011.c): data and flag registers, baud
 * divisors, line control, the 16-entry receive FIFO (transmission is
 * instant), interrupt mask/raw/masked/clear and the PrimeCell ID registers.
 */
#include "hw/char/pl011.h"

#include <glib.h>
#include <string.h>

#define UARTDR    0x000
#define UARTRSR   0x004
#define UARTFR    0x018
#define UARTILPR  0x020
#define UARTIBRD  0x024
#define UARTFBRD  0x028
#define UARTLCR_H 0x02c
#define UARTCR    0x030
#define UARTIFLS  0x034
#define UARTIMSC  0x038
#define UARTRIS   0x03c
#define UARTMIS   0x040
#define UARTICR   0x044
#define UARTDMACR 0x048
#define UARTID    0xfe0

#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

#define LCR_FEN (1u << 4)

#define INT_RX  (1u << 4)
#define INT_TX  (1u << 5)
#define INT_RT  (1u << 6)
#define INT_ALL 0x7ffu

#define PL011_FIFO 16

typedef struct PL011Regs {
    uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
    uint8_t rx[PL011_FIFO];
    uint32_t rx_head, rx_count;
} PL011Regs;

struct PL011State {
    Device dev;
    MemoryRegion *mr;
    qemu_irq irq;
    Chardev *chr;
    PL011Regs r;
};

static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

static unsigned pl011_depth(const PL011State *s)
{
    return (s->r.lcr_h & LCR_FEN) ? PL011_FIFO : 1;
}

/* IFLS[5:3]: the receive interrupt fires at 1/8, 1/4, 1/2, 3/4 or 7/8 full. */
static unsigned pl011_rx_trigger(const PL011State *s)
{
    static const unsigned level[8] = {2, 4, 8, 12, 14, 14, 14, 14};
    return (s->r.lcr_h & LCR_FEN) ? level[(s->r.ifls >> 3) & 7] : 1;
}

static void pl011_update(PL011State *s)
{
    irq_set(s->irq, (s->r.ris & s->r.imsc) != 0);
}

static int pl011_can_receive(void *opaque)
{
    PL011State *s = opaque;
    return (int)(pl011_depth(s) - s->r.rx_count);
}

static void pl011_receive(void *opaque, const uint8_t *buf, size_t len)
{
    PL011State *s = opaque;
    for (size_t i = 0; i < len && s->r.rx_count < pl011_depth(s); i++) {
        s->r.rx[(s->r.rx_head + s->r.rx_count) % PL011_FIFO] = buf[i];
        s->r.rx_count++;
    }
    if (s->r.rx_count >= pl011_rx_trigger(s)) {
        s->r.ris |= INT_RX;
    }
    /* No receive clock is modelled: the timeout (data waiting below the
     * trigger level) is reported at once. */
    if (s->r.rx_count) {
        s->r.ris |= INT_RT;
    }
    pl011_update(s);
}

static uint32_t pl011_read_dr(PL011State *s)
{
    if (!s->r.rx_count) {
        return 0;
    }
    uint32_t c = s->r.rx[s->r.rx_head];
    s->r.rx_head = (s->r.rx_head + 1) % PL011_FIFO;
    s->r.rx_count--;
    if (s->r.rx_count < pl011_rx_trigger(s)) {
        s->r.ris &= ~INT_RX;
    }
    if (!s->r.rx_count) {
        s->r.ris &= ~INT_RT;
    }
    pl011_update(s);
    if (s->chr) {
        chardev_accept_input(s->chr);
    }
    return c;
}

static uint64_t pl011_read(void *opaque, uint64_t addr, unsigned size)
{
    PL011State *s = opaque;
    if (addr >= UARTID && addr < 0x1000) {
        return (addr & 3) ? 0 : pl011_id[(addr - UARTID) >> 2];
    }
    switch (addr) {
    case UARTDR: return pl011_read_dr(s);
    case UARTRSR: return s->r.rsr;
    case UARTFR: {
        uint32_t fr = FR_TXFE;
        fr |= s->r.rx_count ? 0 : FR_RXFE;
        fr |= s->r.rx_count >= pl011_depth(s) ? FR_RXFF : 0;
        return fr;
    }
    case UARTILPR: return s->r.ilpr;
    case UARTIBRD: return s->r.ibrd;
    case UARTFBRD: return s->r.fbrd;
    case UARTLCR_H: return s->r.lcr_h;
    case UARTCR: return s->r.cr;
    case UARTIFLS: return s->r.ifls;
    case UARTIMSC: return s->r.imsc;
    case UARTRIS: return s->r.ris;
    case UARTMIS: return s->r.ris & s->r.imsc;
    case UARTDMACR: return s->r.dmacr;
    default: hw_log_guest_error("pl011: read of unknown register 0x%x\n", (unsigned)addr); return 0;
    }
}

static void pl011_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PL011State *s = opaque;
    switch (addr) {
    case UARTDR: {
        uint8_t c = val;
        if (s->chr) {
            chardev_write(s->chr, &c, 1);
        }
        /* The byte left at once: the transmit FIFO is empty again. */
        s->r.ris |= INT_TX;
        break;
    }
    case UARTRSR: s->r.rsr = 0; break;
    case UARTILPR: s->r.ilpr = val & 0xff; break;
    case UARTIBRD: s->r.ibrd = val & 0xffff; break;
    case UARTFBRD: s->r.fbrd = val & 0x3f; break;
    case UARTLCR_H:
        /* Turning the FIFO on or off empties it, as the hardware does. */
        if ((val ^ s->r.lcr_h) & LCR_FEN) {
            s->r.rx_count = 0;
            s->r.ris &= ~(INT_RX | INT_RT);
        }
        s->r.lcr_h = val & 0xff;
        if (s->chr) {
            chardev_accept_input(s->chr);
        }
        break;
    case UARTCR: s->r.cr = val & 0xff87; break;
    case UARTIFLS: s->r.ifls = val & 0x3f; break;
    case UARTIMSC: s->r.imsc = val & INT_ALL; break;
    case UARTICR: s->r.ris &= ~(val & INT_ALL); break;
    case UARTDMACR:
        s->r.dmacr = val & 7;
        if (val & 3) {
            hw_log_unimp("pl011: DMA\n");
        }
        break;
    default: hw_log_guest_error("pl011: write of unknown register 0x%x\n", (unsigned)addr); break;
    }
    pl011_update(s);
}

static const MemoryRegionOps pl011_ops = {
    .read = pl011_read,
    .write = pl011_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

static void pl011_reset(Device *dev)
{
    PL011State *s = (PL011State *)dev;
    memset(&s->r, 0, sizeof(s->r));
    s->r.cr = 0x300; /* TXE and RXE */
    s->r.ifls = 0x12;
    pl011_update(s);
}

static void pl011_save(Device *dev, StateStream *st)
{
    PL011State *s = (PL011State *)dev;
    const uint32_t *w = &s->r.rsr;
    for (int i = 0; i < 10; i++) {
        state_put_u32(st, w[i]);
    }
    state_put_bytes(st, s->r.rx, PL011_FIFO);
    state_put_u32(st, s->r.rx_head);
    state_put_u32(st, s->r.rx_count);
}

static bool pl011_load(Device *dev, StateStream *st)
{
    PL011State *s = (PL011State *)dev;
    PL011Regs r;
    uint32_t *w = &r.rsr;
    for (int i = 0; i < 10; i++) {
        if (!state_get_u32(st, &w[i])) {
            return false;
        }
    }
    if (!state_get_bytes(st, r.rx, PL011_FIFO) || !state_get_u32(st, &r.rx_head) ||
        !state_get_u32(st, &r.rx_count) || r.rx_head >= PL011_FIFO || r.rx_count > PL011_FIFO) {
        return false;
    }
    s->r = r;
    pl011_update(s);
    return true;
}

static const DeviceOps pl011_device_ops = {
    .type = "pl011",
    .reset = pl011_reset,
    .save = pl011_save,
    .load = pl011_load,
};

static const CharFrontendOps pl011_chr_ops = {
    .can_receive = pl011_can_receive,
    .receive = pl011_receive,
};

PL011State *pl011_new(MemoryRegion *container, uint64_t base, qemu_irq irq, Chardev *chr)
{
    PL011State *s = g_new0(PL011State, 1);
    s->irq = irq;
    s->chr = chr;
    s->mr = memory_region_new_io("pl011", PL011_SIZE, &pl011_ops, s);
    memory_region_add_subregion(container, base, s->mr);
    pl011_reset(&s->dev);
    device_register_auto(&s->dev, &pl011_device_ops);
    if (chr) {
        chardev_set_frontend(chr, &pl011_chr_ops, s);
    }
    return s;
}
