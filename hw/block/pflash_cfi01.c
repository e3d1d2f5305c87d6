/*
 * Intel/Sharp command set (CFI primary vendor 0x0001) NOR flash, from the
 * Common Flash Interface specification and Intel StrataFlash datasheets:
 * read array / identifier / query / status modes, block erase, word and
 * buffered programming (bits only go from 1 to 0), block locking, status
 * register. Erase and program complete at once. In read-array mode the
 * region is a ROM device in ROMD mode, so guests execute from it at RAM
 * speed; any other mode routes reads to the callbacks.
 */
#include "hw/block/pflash.h"

#include <stdlib.h>
#include <string.h>

enum {
    MODE_ARRAY,
    MODE_ID,
    MODE_QUERY,
    MODE_STATUS,
};

#define SR_READY         0x80
#define SR_ERASE_ERROR   0x20
#define SR_PROGRAM_ERROR 0x10
#define SR_LOCKED        0x02

#define WRITE_BUFFER_BYTES 32
#define CFI_TABLE_SIZE     0x40

struct PflashState {
    Device dev;
    MemoryRegion *mr;
    MemoryRegionOps ops;
    uint8_t *data;
    uint64_t size;
    uint32_t block_size;
    unsigned width;
    uint16_t manufacturer_id, device_id;
    uint8_t cfi[CFI_TABLE_SIZE];
    uint8_t *locked; /* one byte per block */

    int mode;
    int wcycle;
    uint8_t cmd;
    uint8_t status;
    uint64_t buf_addr[WRITE_BUFFER_BYTES];
    uint64_t buf_val[WRITE_BUFFER_BYTES];
    int buf_count, buf_expected;
};

static void pflash_set_mode(PflashState *s, int mode)
{
    s->mode = mode;
    memory_region_rom_device_set_romd(s->mr, mode == MODE_ARRAY);
}

static unsigned log2u(uint64_t v)
{
    unsigned n = 0;
    while ((1ull << (n + 1)) <= v) {
        n++;
    }
    return n;
}

/* The CFI query structure, byte per query address (CFI spec, tables 1-5). */
static void pflash_build_cfi(PflashState *s)
{
    uint8_t *q = s->cfi;
    uint32_t blocks = (uint32_t)(s->size / s->block_size);
    memcpy(q + 0x10, "QRY", 3);
    q[0x13] = 0x01; /* primary command set: Intel/Sharp extended */
    q[0x15] = 0x31; /* primary extended table address */
    q[0x1b] = 0x27; /* Vcc min 2.7 V */
    q[0x1c] = 0x36; /* Vcc max 3.6 V */
    q[0x1f] = 0x07; /* typical word program 2^7 us */
    q[0x20] = 0x07; /* typical buffer write 2^7 us */
    q[0x21] = 0x0a; /* typical block erase 2^10 ms */
    q[0x23] = 0x04;
    q[0x24] = 0x04;
    q[0x25] = 0x04;
    q[0x27] = (uint8_t)log2u(s->size);
    q[0x28] = s->width == 1 ? 0x00 : s->width == 2 ? 0x01 : 0x03; /* x8, x16, x32 */
    q[0x2a] = (uint8_t)log2u(WRITE_BUFFER_BYTES);
    q[0x2c] = 1; /* one erase block region */
    q[0x2d] = (uint8_t)(blocks - 1);
    q[0x2e] = (uint8_t)((blocks - 1) >> 8);
    q[0x2f] = (uint8_t)(s->block_size >> 8);
    q[0x30] = (uint8_t)(s->block_size >> 16);
    memcpy(q + 0x31, "PRI10", 5); /* extended table version 1.0 */
    q[0x36] = 0x00;               /* optional features: none */
    q[0x3a] = 0x00;               /* no suspend */
    q[0x3b] = 0x01;               /* block status register: lock bit */
    q[0x3d] = 0x33;               /* Vcc optimal 3.3 V */
}

static uint64_t block_of(const PflashState *s, uint64_t addr)
{
    return addr / s->block_size;
}

static void pflash_program(PflashState *s, uint64_t addr, uint64_t val)
{
    if (s->locked[block_of(s, addr)]) {
        s->status |= SR_PROGRAM_ERROR | SR_LOCKED;
        return;
    }
    bool be = s->ops.endianness == DEVICE_BIG_ENDIAN;
    for (unsigned i = 0; i < s->width && addr + i < s->size; i++) {
        uint8_t b = (uint8_t)(val >> (8 * (be ? s->width - 1 - i : i)));
        s->data[addr + i] &= b; /* programming only clears bits */
    }
}

static uint64_t pflash_read(void *opaque, uint64_t addr, unsigned size)
{
    PflashState *s = opaque;
    uint64_t index = addr / s->width;
    switch (s->mode) {
    case MODE_STATUS: return s->status;
    case MODE_ID:
        switch (index % (s->block_size / s->width)) {
        case 0: return s->manufacturer_id;
        case 1: return s->device_id;
        case 2: return s->locked[block_of(s, addr)];
        default: return 0;
        }
    case MODE_QUERY: return index < CFI_TABLE_SIZE ? s->cfi[index] : 0;
    default: {
        /* Read-array reads normally come from memory; this only happens
         * when a mode change races a multi-part access. */
        bool be = s->ops.endianness == DEVICE_BIG_ENDIAN;
        uint64_t v = 0;
        for (unsigned i = 0; i < size && addr + i < s->size; i++) {
            v |= (uint64_t)s->data[addr + i] << (8 * (be ? size - 1 - i : i));
        }
        return v;
    }
    }
}

static void pflash_command(PflashState *s, uint64_t addr, uint8_t cmd)
{
    switch (cmd) {
    case 0xff:
    case 0xf0: pflash_set_mode(s, MODE_ARRAY); break;
    case 0x90: pflash_set_mode(s, MODE_ID); break;
    case 0x98: pflash_set_mode(s, MODE_QUERY); break;
    case 0x70: pflash_set_mode(s, MODE_STATUS); break;
    case 0x50: s->status = SR_READY; break;
    case 0x20: /* block erase setup */
    case 0x40: /* word program setup */
    case 0x10:
    case 0x60: /* lock setup */
        s->cmd = cmd == 0x10 ? 0x40 : cmd;
        s->wcycle = 1;
        pflash_set_mode(s, MODE_STATUS);
        break;
    case 0xe8: /* write to buffer: next comes the word count */
        s->cmd = cmd;
        s->wcycle = 1;
        pflash_set_mode(s, MODE_STATUS);
        break;
    case 0xb0:
    case 0xd0: break; /* suspend/resume: operations never run long enough */
    default:
        hw_log_guest_error("pflash: unknown command 0x%02x at 0x%llx", cmd,
                           (unsigned long long)addr);
        pflash_set_mode(s, MODE_ARRAY);
        break;
    }
}

static void pflash_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    PflashState *s = opaque;
    uint8_t cmd = (uint8_t)val;
    if (s->wcycle == 0) {
        pflash_command(s, addr, cmd);
        return;
    }
    switch (s->cmd) {
    case 0x20:
        if (cmd == 0xd0) {
            uint64_t blk = block_of(s, addr);
            if (s->locked[blk]) {
                s->status |= SR_ERASE_ERROR | SR_LOCKED;
            } else {
                memset(s->data + blk * s->block_size, 0xff, s->block_size);
            }
        } else {
            s->status |= SR_ERASE_ERROR | SR_PROGRAM_ERROR; /* command sequence error */
        }
        s->wcycle = 0;
        break;
    case 0x40:
        pflash_program(s, addr, val);
        s->wcycle = 0;
        break;
    case 0x60:
        if (cmd == 0x01 || cmd == 0x2f) {
            s->locked[block_of(s, addr)] = 1;
        } else if (cmd == 0xd0) {
            memset(s->locked, 0, s->size / s->block_size);
        } else {
            s->status |= SR_ERASE_ERROR | SR_PROGRAM_ERROR;
        }
        s->wcycle = 0;
        break;
    case 0xe8:
        if (s->wcycle == 1) {
            s->buf_expected = cmd + 1;
            s->buf_count = 0;
            if ((unsigned)s->buf_expected * s->width > WRITE_BUFFER_BYTES) {
                s->status |= SR_ERASE_ERROR | SR_PROGRAM_ERROR;
                s->wcycle = 0;
            } else {
                s->wcycle = 2;
            }
        } else if (s->wcycle == 2) {
            s->buf_addr[s->buf_count] = addr;
            s->buf_val[s->buf_count] = val;
            if (++s->buf_count == s->buf_expected) {
                s->wcycle = 3;
            }
        } else {
            if (cmd == 0xd0) {
                for (int i = 0; i < s->buf_count; i++) {
                    pflash_program(s, s->buf_addr[i], s->buf_val[i]);
                }
            } else {
                s->status |= SR_ERASE_ERROR | SR_PROGRAM_ERROR;
            }
            s->wcycle = 0;
        }
        break;
    default: s->wcycle = 0; break;
    }
}

static void pflash_reset(Device *dev)
{
    PflashState *s = (PflashState *)dev;
    s->wcycle = 0;
    s->status = SR_READY;
    pflash_set_mode(s, MODE_ARRAY);
}

static void pflash_save(Device *dev, StateStream *st)
{
    PflashState *s = (PflashState *)dev;
    state_put_u8(st, (uint8_t)s->mode);
    state_put_u8(st, (uint8_t)s->wcycle);
    state_put_u8(st, s->cmd);
    state_put_u8(st, s->status);
    state_put_bytes(st, s->locked, s->size / s->block_size);
    state_put_bytes(st, s->data, s->size);
}

static bool pflash_load(Device *dev, StateStream *st)
{
    PflashState *s = (PflashState *)dev;
    uint8_t mode, wcycle;
    state_get_u8(st, &mode);
    state_get_u8(st, &wcycle);
    state_get_u8(st, &s->cmd);
    state_get_u8(st, &s->status);
    state_get_bytes(st, s->locked, s->size / s->block_size);
    if (!state_get_bytes(st, s->data, s->size) || mode > MODE_STATUS || wcycle > 1) {
        return false;
    }
    s->wcycle = wcycle;
    pflash_set_mode(s, mode);
    return true;
}

static const DeviceOps pflash_device_ops = {
    .type = "pflash",
    .reset = pflash_reset,
    .save = pflash_save,
    .load = pflash_load,
};

PflashState *pflash_cfi01_new(MemoryRegion *container, uint64_t base, const char *name,
                              uint64_t size, uint32_t block_size, unsigned width,
                              uint16_t manufacturer_id, uint16_t device_id, DeviceEndian e)
{
    if (width != 1 && width != 2 && width != 4) {
        width = 4;
    }
    if (block_size < 256 || (block_size & (block_size - 1)) || size % block_size || !size) {
        return NULL;
    }
    PflashState *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->size = size;
    s->block_size = block_size;
    s->width = width;
    s->manufacturer_id = manufacturer_id;
    s->device_id = device_id;
    s->locked = calloc(size / block_size, 1);
    if (!s->locked) {
        abort();
    }
    s->ops = (MemoryRegionOps){
        .read = pflash_read,
        .write = pflash_write,
        .endianness = e == DEVICE_NATIVE_ENDIAN ? DEVICE_LITTLE_ENDIAN : e,
        .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
        .impl = {.min_access_size = width, .max_access_size = width},
    };
    s->mr = memory_region_new_rom_device(name, size, &s->ops, s);
    s->data = memory_region_get_ram_ptr(s->mr);
    memset(s->data, 0xff, size);
    pflash_build_cfi(s);
    if (container) {
        memory_region_add_subregion(container, base, s->mr);
    }
    pflash_reset(&s->dev);
    device_register_auto(&s->dev, &pflash_device_ops);
    return s;
}

MemoryRegion *pflash_region(PflashState *s)
{
    return s->mr;
}

uint8_t *pflash_data(PflashState *s)
{
    return s->data;
}

void pflash_free(PflashState *s)
{
    if (!s) {
        return;
    }
    device_unregister(&s->dev);
    memory_region_free(s->mr);
    free(s->locked);
    free(s);
}
