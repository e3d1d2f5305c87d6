/*
 * libFuzzer target over what an ARM virt guest controls in the board's own
 * devices: programs of MMIO reads and writes (any size, any offset) to the GICv2
 * distributor and CPU interfaces (as either of two CPUs), the PL011 and the
 * PL031, interleaved with interrupt lines, UART input and time steps; or a
 * saved device-state stream given to device_load_all. Nothing may crash, hang
 * or trip ASan/UBSan.
 */
#include "../../unit/hw/fakes.h"
#include "hw/char/pl011.h"
#include "hw/intc/gic.h"
#include "hw/rtc/pl031.h"

#include <glib.h>
#include <string.h>

#define DIST 0x08000000u
#define CPUI 0x08010000u
#define UART 0x09000000u
#define RTC  0x09010000u

typedef struct Board {
    AddressSpace *as;
    Chardev *chr;
    GICState *gic;
    qemu_irq *cpu_lines, *dev_lines;
    int cur_cpu;
} Board;

static Board board;

static int board_cpu_index(void *opaque)
{
    return board.cur_cpu;
}

static void board_irq(void *opaque, int n, int level) {}

static void board_init(void)
{
    MemoryRegion *sys = memory_region_new_container("sys", 1ull << 32);
    board.as = address_space_new(sys, "memory");
    board.chr = fake_chardev_new();
    board.cpu_lines = irq_new_array(board_irq, NULL, 4);
    board.gic = gic_new(sys, DIST, CPUI, 2, 128, board_cpu_index, NULL);
    for (int c = 0; c < 2; c++) {
        gic_connect_cpu(board.gic, c, board.cpu_lines[2 * c], board.cpu_lines[2 * c + 1]);
    }
    pl011_new(sys, UART, gic_spi(board.gic, 1), board.chr);
    fake_clock_set_host(1700000000LL * 1000000000LL);
    pl031_new(sys, RTC, gic_spi(board.gic, 2));
}

/* Each step: op byte, then what it needs. Offsets land in one of the five
 * regions so that most accesses reach a device. */
static void board_run(const uint8_t *p, size_t n)
{
    static const uint32_t bases[4] = {DIST, CPUI, UART, RTC};
    static const uint32_t spans[4] = {0x1000, 0x2000, 0x1000, 0x1000};
    size_t i = 0;
    while (i + 8 <= n) {
        uint8_t op = p[i];
        uint32_t off = (uint32_t)p[i + 1] | (uint32_t)p[i + 2] << 8;
        uint32_t val;
        memcpy(&val, p + i + 3, 4);
        uint8_t extra = p[i + 7];
        i += 8;
        unsigned size = 1u << (extra & 3);
        uint32_t addr = bases[op & 3] + off % spans[op & 3];
        uint64_t v;
        switch ((op >> 2) & 7) {
        case 0:
        case 1: address_space_load(board.as, addr, size, false, &v); break;
        case 2:
        case 3: address_space_store(board.as, addr, size, false, val); break;
        case 4: board.cur_cpu = extra & 1; break;
        case 5: {
            /* An input line: SPI n, or a PPI of either CPU. */
            int level = (extra >> 7) & 1;
            if (extra & 0x40) {
                irq_set(gic_ppi(board.gic, extra & 1, 16 + (off & 15)), level);
            } else {
                irq_set(gic_spi(board.gic, off % 96), level);
            }
            break;
        }
        case 6: fake_chardev_send(board.chr, p + i - 5, 4); break;
        case 7: fake_clock_advance((int64_t)(val & 0xffffff) * 1000); break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!board.as) {
        board_init();
    }
    device_reset_all();
    for (int s = 0; s < 96; s++) {
        irq_set(gic_spi(board.gic, s), 0);
    }
    if (size >= 1 && data[0] == 0xff) {
        StateStream *s = state_stream_new_reader(data + 1, size - 1);
        char *err = NULL;
        device_load_all(s, &err);
        g_free(err);
        state_stream_free(s);
        board_run((const uint8_t *)"\x00\x0c\x00\x00\x00\x00\x00\x02", 8); /* read IAR */
        return 0;
    }
    board_run(data, size);
    /* What the program left must save and load back. */
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    size_t len;
    const void *saved = state_stream_data(w, &len);
    StateStream *r = state_stream_new_reader(saved, len);
    char *err = NULL;
    if (!device_load_all(r, &err)) {
        __builtin_trap();
    }
    state_stream_free(r);
    state_stream_free(w);
    return 0;
}
