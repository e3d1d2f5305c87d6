/*
 * libFuzzer target over the inputs a guest or a user controls in hw/: the
 * first byte picks one of
 *   0: an ELF image for the loader (-kernel),
 *   1: a saved device-state stream for device_load_all,
 *   2: a program of port I/O, IRQ, INTA and time steps against the PC's
 *      PIC, PIT, RTC and UART,
 *   3: a program of flash commands and data against a CFI flash.
 * Nothing may crash, hang or trip ASan.
 */
#include "../../unit/hw/fakes.h"
#include "hw/block/pflash.h"
#include "hw/char/serial.h"
#include "hw/core/loader.h"
#include "hw/intc/i8259.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/i8254.h"

#include <stdlib.h>
#include <string.h>

typedef struct Pc {
    MemoryRegion *root, *ram, *io;
    AddressSpace *mem, *pio;
    Chardev *chr;
    PicState *pic;
    PitState *pit;
    RtcState *rtc;
    SerialState *uart;
    PflashState *flash;
} Pc;

static void pc_init(Pc *pc)
{
    pc->root = memory_region_new_container("root", UINT64_MAX);
    pc->ram = memory_region_new_ram("ram", 16 << 20);
    memory_region_add_subregion(pc->root, 0, pc->ram);
    pc->mem = address_space_new(pc->root, "memory");
    pc->io = memory_region_new_container("io", 0x10000);
    pc->pio = address_space_new(pc->io, "I/O");
    pc->chr = fake_chardev_new();
    pc->pic = i8259_new(pc->io, NULL);
    pc->pit = i8254_new(pc->io, 0x40, i8259_irq(pc->pic, 0));
    i8254_map_port61(pc->pit, pc->io, 0x61);
    pc->rtc = mc146818_new(pc->io, 0x70, i8259_irq(pc->pic, 8));
    pc->uart = serial_new(pc->io, 0x3f8, 0, i8259_irq(pc->pic, 4), pc->chr, DEVICE_LITTLE_ENDIAN);
    pc->flash = pflash_cfi01_new(pc->root, 0x1e000000, "flash", 64 << 10, 4096, 4, 0x89, 0x18,
                                 DEVICE_LITTLE_ENDIAN);
}

static void pc_free(Pc *pc)
{
    pflash_free(pc->flash);
    serial_free(pc->uart);
    mc146818_free(pc->rtc);
    i8254_free(pc->pit);
    i8259_free(pc->pic);
    chardev_free(pc->chr);
    address_space_free(pc->pio);
    address_space_free(pc->mem);
    memory_region_free(pc->io);
    memory_region_free(pc->ram);
    memory_region_free(pc->root);
}

static const uint16_t ports[16] = {0x20, 0x21, 0x40, 0x41,  0x42,  0x43,  0x61,  0x70,
                                   0x71, 0xa0, 0xa1, 0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fd};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    Pc pc;
    pc_init(&pc);
    char *err = NULL;
    switch (data[0] % 4) {
    case 0: {
        LoadedElf e;
        loader_load_elf_buffer(pc.mem, data + 1, size - 1, "fuzz", NULL, NULL, &e, &err);
        break;
    }
    case 1: {
        StateStream *s = state_stream_new_reader(data + 1, size - 1);
        device_load_all(s, &err);
        state_stream_free(s);
        uint64_t v;
        address_space_load(pc.pio, 0x3f8, 1, false, &v); /* still usable */
        break;
    }
    case 2:
        for (size_t i = 1; i + 2 < size; i += 3) {
            uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
            uint16_t port = ports[op & 15];
            uint64_t v;
            switch (op >> 4) {
            case 0 ... 6: address_space_store(pc.pio, port, 1, false, a); break;
            case 7 ... 11: address_space_load(pc.pio, port, 1u << (a % 3), false, &v); break;
            case 12: irq_set(i8259_irq(pc.pic, a & 15), b & 1); break;
            case 13: i8259_acknowledge(pc.pic); break;
            case 14: fake_clock_advance((int64_t)a * 1000 * (b + 1)); break;
            case 15: fake_chardev_send(pc.chr, &a, 1); break;
            }
        }
        break;
    case 3:
        for (size_t i = 1; i + 4 < size; i += 5) {
            uint64_t addr = 0x1e000000 + ((uint64_t)(data[i] | data[i + 1] << 8) << 2);
            uint32_t val = data[i + 2] | (uint32_t)data[i + 3] << 8;
            uint64_t v;
            if (data[i + 4] & 1) {
                address_space_store(pc.mem, addr, 1u << (data[i + 4] >> 1 & 3) & 7, false, val);
            } else {
                address_space_load(pc.mem, addr, 4, false, &v);
            }
        }
        break;
    }
    free(err);
    pc_free(&pc);
    return 0;
}
