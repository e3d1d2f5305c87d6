/*
 * Unit tests of the memory API (system/memory.c): flattening by priority,
 * aliases, MMIO access rules and endianness, RAM/ROM accesses, listeners,
 * dumps and the code-write notifier.
 */
#include "system/memory.h"

#include "system/log.h"

#include <check.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A test device that records every callback and answers from a register
 * file: reg value at offset o for size s is the s bytes starting at o of a
 * 64-byte "register image" interpreted in the device's endianness. */
typedef struct CallLog {
    int n;
    struct {
        char op;
        uint64_t addr;
        uint64_t val;
        unsigned size;
    } c[32];
    uint64_t regs[16]; /* value returned by reads of offset i*size... */
    uint64_t read_value;
} CallLog;

static uint64_t log_read(void *opaque, uint64_t addr, unsigned size)
{
    CallLog *l = opaque;
    uint64_t v = l->read_value ? l->read_value : 0x10 + addr;
    if (l->n < 32) {
        l->c[l->n].op = 'r';
        l->c[l->n].addr = addr;
        l->c[l->n].val = v;
        l->c[l->n].size = size;
        l->n++;
    }
    return v;
}

static void log_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    CallLog *l = opaque;
    if (l->n < 32) {
        l->c[l->n].op = 'w';
        l->c[l->n].addr = addr;
        l->c[l->n].val = val;
        l->c[l->n].size = size;
        l->n++;
    }
}

static const char *name_at(AddressSpace *as, uint64_t addr)
{
    MemoryRegionSection s = address_space_lookup(as, addr);
    return s.mr ? memory_region_name(s.mr) : "(none)";
}

static MemoryRegionOps plain_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
};

START_TEST(test_priority_overlap)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    CallLog l1 = {0}, l2 = {0}, l3 = {0};
    MemoryRegion *a = memory_region_new_io("a", 0x1000, &plain_ops, &l1);
    MemoryRegion *b = memory_region_new_io("b", 0x1000, &plain_ops, &l2);
    MemoryRegion *c = memory_region_new_io("c", 0x1000, &plain_ops, &l3);
    memory_region_add_subregion_overlap(root, 0x0, a, 1);
    memory_region_add_subregion_overlap(root, 0x800, b, 0); /* lower: hidden where a is */
    ck_assert_str_eq(name_at(as, 0x7ff), "a");
    ck_assert_str_eq(name_at(as, 0x800), "a");
    ck_assert_str_eq(name_at(as, 0xfff), "a");
    ck_assert_str_eq(name_at(as, 0x1000), "b");
    ck_assert_str_eq(name_at(as, 0x17ff), "b");
    ck_assert_str_eq(name_at(as, 0x1800), "(none)");
    /* Equal priority: the later one wins. */
    memory_region_add_subregion_overlap(root, 0x1400, c, 0);
    ck_assert_str_eq(name_at(as, 0x13ff), "b");
    ck_assert_str_eq(name_at(as, 0x1400), "c");
    MemoryRegionSection s = address_space_lookup(as, 0x1400);
    ck_assert_uint_eq(s.addr, 0x1400);
    ck_assert_uint_eq(s.size, 0x1000);
    ck_assert_uint_eq(s.offset_in_region, 0);
    s = address_space_lookup(as, 0x1200);
    ck_assert_uint_eq(s.addr, 0x1000);
    ck_assert_uint_eq(s.size, 0x400);
    ck_assert_uint_eq(s.offset_in_region, 0x800);
    /* Hole bounds. */
    s = address_space_lookup(as, 0x3000);
    ck_assert_ptr_null(s.mr);
    ck_assert_uint_eq(s.addr, 0x2400);
    ck_assert_uint_eq(s.size, UINT64_MAX - 0x2400 + 1);
    address_space_free(as);
    memory_region_free(a);
    memory_region_free(b);
    memory_region_free(c);
    memory_region_free(root);
}
END_TEST

START_TEST(test_nested_containers)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *bus = memory_region_new_container("bus", 0x10000);
    MemoryRegion *sub = memory_region_new_container("sub", 0x100);
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
    MemoryRegion *ram = memory_region_new_ram("ram", 0x100000);
    memory_region_add_subregion(root, 0, ram);
    memory_region_add_subregion_overlap(root, 0x20000, bus, 1);
    memory_region_add_subregion(bus, 0x300, sub);
    memory_region_add_subregion(sub, 0x10, dev); /* clipped to sub's 0x100 bytes */
    ck_assert_str_eq(name_at(as, 0x2030f), "ram");
    ck_assert_str_eq(name_at(as, 0x20310), "dev");
    ck_assert_str_eq(name_at(as, 0x203ff), "dev");
    ck_assert_str_eq(name_at(as, 0x20400), "ram"); /* container has no background */
    MemoryRegionSection s = address_space_lookup(as, 0x20320);
    ck_assert_uint_eq(s.addr, 0x20310);
    ck_assert_uint_eq(s.size, 0xf0);
    ck_assert_uint_eq(s.offset_in_region, 0);
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, 0x20320, 4, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x10 + 0x10); /* offset 0x10 inside dev */
    address_space_free(as);
    memory_region_free(dev);
    memory_region_free(sub);
    memory_region_free(bus);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

START_TEST(test_aliases)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    uint8_t *p = memory_region_get_ram_ptr(ram);
    for (int i = 0; i < 0x10000; i++) {
        p[i] = (uint8_t)(i * 7);
    }
    memory_region_add_subregion(root, 0, ram);
    /* Alias with offset: 0x100000.. shows ram[0x8000..0x9000). */
    MemoryRegion *hi = memory_region_new_alias("ram-hi", ram, 0x8000, 0x1000);
    memory_region_add_subregion(root, 0x100000, hi);
    uint8_t b;
    address_space_read(as, 0x100010, &b, 1);
    ck_assert_uint_eq(b, (uint8_t)(0x8010 * 7));
    MemoryRegionSection s = address_space_lookup(as, 0x100010);
    ck_assert_ptr_eq(s.mr, ram);
    ck_assert_uint_eq(s.offset_in_region, 0x8000);
    /* Writing through the alias changes the original. */
    b = 0xab;
    address_space_write(as, 0x100020, &b, 1);
    ck_assert_uint_eq(p[0x8020], 0xab);
    /* Alias of a container, with offset. */
    MemoryRegion *box = memory_region_new_container("box", 0x2000);
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("dev", 0x100, &plain_ops, &l);
    memory_region_add_subregion(box, 0x1000, dev);
    MemoryRegion *win = memory_region_new_alias("win", box, 0xf80, 0x200);
    memory_region_add_subregion(root, 0x200000, win);
    ck_assert_str_eq(name_at(as, 0x20007f), "(none)");
    ck_assert_str_eq(name_at(as, 0x200080), "dev");
    s = address_space_lookup(as, 0x200090);
    ck_assert_uint_eq(s.addr, 0x200080);
    ck_assert_uint_eq(s.offset_in_region, 0);
    ck_assert_uint_eq(s.size, 0x100);
    /* Moving the alias window. */
    memory_region_set_alias_offset(win, 0x1000);
    ck_assert_str_eq(name_at(as, 0x200000), "dev");
    ck_assert_str_eq(name_at(as, 0x200100), "(none)");
    address_space_free(as);
    memory_region_free(win);
    memory_region_free(dev);
    memory_region_free(box);
    memory_region_free(hi);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

START_TEST(test_disable_move)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x100000);
    CallLog l = {0};
    MemoryRegion *bar = memory_region_new_io("bar", 0x1000, &plain_ops, &l);
    memory_region_add_subregion(root, 0, ram);
    memory_region_add_subregion_overlap(root, 0x4000, bar, 1);
    ck_assert_str_eq(name_at(as, 0x4000), "bar");
    memory_region_set_enabled(bar, false);
    ck_assert_str_eq(name_at(as, 0x4000), "ram");
    memory_region_set_enabled(bar, true);
    memory_region_set_address(bar, 0x8000);
    ck_assert_str_eq(name_at(as, 0x4000), "ram");
    ck_assert_str_eq(name_at(as, 0x8fff), "bar");
    memory_region_del_subregion(root, bar);
    ck_assert_str_eq(name_at(as, 0x8000), "ram");
    /* Freeing inside a transaction unmaps at once (no dangling view). */
    MemoryRegion *tmp = memory_region_new_io("tmp", 0x100, &plain_ops, &l);
    memory_region_add_subregion_overlap(root, 0x300000, tmp, 1);
    memory_region_transaction_begin();
    memory_region_free(tmp);
    ck_assert_str_eq(name_at(as, 0x300000), "(none)");
    memory_region_transaction_commit();
    /* A transaction rebuilds once at commit. */
    memory_region_transaction_begin();
    memory_region_add_subregion(root, 0x200000, bar);
    ck_assert_str_eq(name_at(as, 0x200000), "(none)");
    memory_region_transaction_commit();
    ck_assert_str_eq(name_at(as, 0x200000), "bar");
    address_space_free(as);
    memory_region_free(bar);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

static MemoryRegionOps byte_le_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};
static MemoryRegionOps byte_be_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 1, .max_access_size = 1},
};

START_TEST(test_split_le_be)
{
    CallLog l = {0};
    MemoryRegion *le = memory_region_new_io("le", 0x100, &byte_le_ops, &l);
    uint64_t v;
    /* Reads: byte i returns 0x10+addr; LE device puts offset 0 in the low byte. */
    ck_assert_int_eq(memory_region_dispatch_read(le, 0x20, 4, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x33323130);
    ck_assert_int_eq(l.n, 4);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(l.c[i].op, 'r');
        ck_assert_uint_eq(l.c[i].addr, 0x20 + i);
        ck_assert_uint_eq(l.c[i].size, 1);
    }
    l.n = 0;
    ck_assert_int_eq(memory_region_dispatch_write(le, 0x40, 4, false, 0x11223344), MEMTX_OK);
    ck_assert_int_eq(l.n, 4);
    uint64_t want_le[4] = {0x44, 0x33, 0x22, 0x11};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(l.c[i].op, 'w');
        ck_assert_uint_eq(l.c[i].addr, 0x40 + i);
        ck_assert_uint_eq(l.c[i].val, want_le[i]);
    }
    /* A BE device with a BE requester: offset 0 is the most significant byte. */
    CallLog m = {0};
    MemoryRegion *be = memory_region_new_io("be", 0x100, &byte_be_ops, &m);
    ck_assert_int_eq(memory_region_dispatch_write(be, 0x40, 4, true, 0x11223344), MEMTX_OK);
    ck_assert_int_eq(m.n, 4);
    uint64_t want_be[4] = {0x11, 0x22, 0x33, 0x44};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(m.c[i].addr, 0x40 + i);
        ck_assert_uint_eq(m.c[i].val, want_be[i]);
    }
    m.n = 0;
    ck_assert_int_eq(memory_region_dispatch_read(be, 0x20, 4, true, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x30313233);
    memory_region_free(le);
    memory_region_free(be);
}
END_TEST

static MemoryRegionOps wide_le_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 4, .max_access_size = 4},
};
static MemoryRegionOps wide_be_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

START_TEST(test_widen)
{
    CallLog l = {.read_value = 0xaabbccdd};
    MemoryRegion *le = memory_region_new_io("le", 0x100, &wide_le_ops, &l);
    uint64_t v;
    ck_assert_int_eq(memory_region_dispatch_read(le, 0x11, 1, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0xcc);
    ck_assert_int_eq(l.n, 1);
    ck_assert_uint_eq(l.c[0].addr, 0x10);
    ck_assert_uint_eq(l.c[0].size, 4);
    ck_assert_int_eq(memory_region_dispatch_read(le, 0x12, 2, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0xaabb);
    /* Narrow write: one write of the 32-bit register, the other bytes zero, and no
     * read (a data register's read would pop a FIFO: bytes typed into a guest
     * were lost that way while it wrote to its UART). */
    l.n = 0;
    ck_assert_int_eq(memory_region_dispatch_write(le, 0x13, 1, false, 0x55), MEMTX_OK);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.c[0].op, 'w');
    ck_assert_uint_eq(l.c[0].addr, 0x10);
    ck_assert_uint_eq(l.c[0].val, 0x55000000);
    l.n = 0;
    ck_assert_int_eq(memory_region_dispatch_write(le, 0x10, 2, false, 0x1234), MEMTX_OK);
    ck_assert_int_eq(l.n, 1);
    ck_assert_uint_eq(l.c[0].val, 0x1234);

    CallLog m = {.read_value = 0xaabbccdd};
    MemoryRegion *be = memory_region_new_io("be", 0x100, &wide_be_ops, &m);
    ck_assert_int_eq(memory_region_dispatch_read(be, 0x11, 1, true, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0xbb);
    m.n = 0;
    ck_assert_int_eq(memory_region_dispatch_write(be, 0x13, 1, true, 0x55), MEMTX_OK);
    ck_assert_int_eq(m.n, 1);
    ck_assert_uint_eq(m.c[0].val, 0x55);
    memory_region_free(le);
    memory_region_free(be);
}
END_TEST

static MemoryRegionOps strict_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 4},
};
static MemoryRegionOps lenient_ops = {
    .read = log_read,
    .write = log_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 4, .accepts_bad = true},
};

START_TEST(test_valid_rejection)
{
    CallLog l = {0};
    MemoryRegion *s = memory_region_new_io("strict", 0x100, &strict_ops, &l);
    uint64_t v = 123;
    ck_assert_int_eq(memory_region_dispatch_read(s, 0, 1, false, &v), MEMTX_ERROR);
    ck_assert_int_eq(memory_region_dispatch_read(s, 0, 8, false, &v), MEMTX_ERROR);
    ck_assert_int_eq(memory_region_dispatch_read(s, 2, 4, false, &v), MEMTX_ERROR); /* unaligned */
    ck_assert_int_eq(memory_region_dispatch_write(s, 0, 2, false, 1), MEMTX_ERROR);
    ck_assert_int_eq(l.n, 0);
    ck_assert_int_eq(memory_region_dispatch_read(s, 4, 4, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x14);
    CallLog m = {0};
    MemoryRegion *len = memory_region_new_io("lenient", 0x100, &lenient_ops, &m);
    v = 123;
    ck_assert_int_eq(memory_region_dispatch_read(len, 0, 1, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(memory_region_dispatch_write(len, 0, 1, false, 9), MEMTX_OK);
    ck_assert_int_eq(m.n, 0);
    memory_region_free(s);
    memory_region_free(len);
}
END_TEST

/* A little-endian device register 0x12345678 at offset 0 occupies bytes
 * 78 56 34 12. A big-endian CPU's 32-bit load sees those bytes as
 * 0x78563412 (what real hardware gives: drivers on big-endian hosts use
 * le32_to_cpu to recover the register); its byte loads see the bytes in the
 * device's order, the same as a little-endian CPU does. */
START_TEST(test_endianness)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    CallLog l = {.read_value = 0x12345678};
    MemoryRegionOps ops32 = {
        .read = log_read,
        .write = log_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        .valid = {.min_access_size = 1, .max_access_size = 4},
        .impl = {.min_access_size = 4, .max_access_size = 4},
    };
    MemoryRegionOps ops32be = ops32;
    ops32be.endianness = DEVICE_BIG_ENDIAN;
    CallLog m = {.read_value = 0x12345678};
    MemoryRegion *le = memory_region_new_io("le", 0x10, &ops32, &l);
    MemoryRegion *be = memory_region_new_io("be", 0x10, &ops32be, &m);
    memory_region_add_subregion(root, 0x1000, le);
    memory_region_add_subregion(root, 0x2000, be);
    uint64_t v;
    address_space_load(as, 0x1000, 4, false, &v);
    ck_assert_uint_eq(v, 0x12345678);
    address_space_load(as, 0x1000, 4, true, &v);
    ck_assert_uint_eq(v, 0x78563412);
    address_space_load(as, 0x1000, 1, true, &v);
    ck_assert_uint_eq(v, 0x78);
    address_space_load(as, 0x2000, 4, true, &v);
    ck_assert_uint_eq(v, 0x12345678);
    address_space_load(as, 0x2000, 4, false, &v);
    ck_assert_uint_eq(v, 0x78563412);
    address_space_load(as, 0x2000, 1, false, &v);
    ck_assert_uint_eq(v, 0x12);
    /* A BE requester storing 0x78563412 puts 0x12345678 in the LE register. */
    l.n = 0;
    address_space_store(as, 0x1000, 4, true, 0x78563412);
    ck_assert_uint_eq(l.c[0].val, 0x12345678);
    /* Buffer reads give the device's byte image. */
    uint8_t buf[4];
    address_space_read(as, 0x1000, buf, 4);
    ck_assert_uint_eq(buf[0], 0x78);
    ck_assert_uint_eq(buf[3], 0x12);
    address_space_free(as);
    memory_region_free(le);
    memory_region_free(be);
    memory_region_free(root);
}
END_TEST

START_TEST(test_unassigned_and_ram)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *r1 = memory_region_new_ram("r1", 0x1000);
    MemoryRegion *r2 = memory_region_new_ram("r2", 0x1000);
    memory_region_add_subregion(root, 0x0, r1);
    memory_region_add_subregion(root, 0x1000, r2);
    uint64_t v = 99;
    ck_assert_int_eq(address_space_load(as, 0x5000, 4, false, &v), MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(v, 0);
    /* Across the boundary between two RAM regions. */
    uint8_t in[8] = {1, 2, 3, 4, 5, 6, 7, 8}, out[8] = {0};
    ck_assert_int_eq(address_space_write(as, 0xffc, in, 8), MEMTX_OK);
    uint8_t *p1 = memory_region_get_ram_ptr(r1), *p2 = memory_region_get_ram_ptr(r2);
    ck_assert_uint_eq(p1[0xfff], 4);
    ck_assert_uint_eq(p2[0], 5);
    ck_assert_int_eq(address_space_read(as, 0xffc, out, 8), MEMTX_OK);
    ck_assert_mem_eq(in, out, 8);
    ck_assert_int_eq(address_space_load(as, 0xffe, 4, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x06050403);
    ck_assert_int_eq(address_space_load(as, 0xffe, 4, true, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0x03040506);
    ck_assert_int_eq(address_space_store(as, 0x10, 8, true, 0x0102030405060708ull), MEMTX_OK);
    ck_assert_uint_eq(p1[0x10], 1);
    ck_assert_uint_eq(p1[0x17], 8);
    /* Reading past the end into a hole: decode error, hole bytes read 0. */
    memset(out, 0xee, 8);
    ck_assert_int_eq(address_space_read(as, 0x1ffc, out, 8), MEMTX_DECODE_ERROR);
    ck_assert_uint_eq(out[3], p2[0xfff]);
    ck_assert_uint_eq(out[4], 0);
    address_space_free(as);
    memory_region_free(r1);
    memory_region_free(r2);
    memory_region_free(root);
}
END_TEST

START_TEST(test_rom)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *rom = memory_region_new_rom("rom", 0x1000);
    memory_region_add_subregion(root, 0xfff000, rom);
    ck_assert(memory_region_is_ram(rom));
    ck_assert(memory_region_is_rom(rom));
    uint32_t w = 0xdeadbeef, r = 0;
    ck_assert_int_eq(address_space_write(as, 0xfff100, &w, 4), MEMTX_OK);
    address_space_read(as, 0xfff100, &r, 4);
    ck_assert_uint_eq(r, 0);
    ck_assert_int_eq(address_space_write_rom(as, 0xfff100, &w, 4), MEMTX_OK);
    address_space_read(as, 0xfff100, &r, 4);
    ck_assert_uint_eq(r, 0xdeadbeef);
    /* RAM made read-only (flash in read mode) behaves the same. */
    MemoryRegion *flash = memory_region_new_ram("flash", 0x1000);
    memory_region_add_subregion(root, 0, flash);
    memory_region_set_readonly(flash, true);
    address_space_write(as, 0, &w, 4);
    address_space_read(as, 0, &r, 4);
    ck_assert_uint_eq(r, 0);
    memory_region_set_readonly(flash, false);
    address_space_write(as, 0, &w, 4);
    address_space_read(as, 0, &r, 4);
    ck_assert_uint_eq(r, 0xdeadbeef);
    address_space_free(as);
    memory_region_free(rom);
    memory_region_free(flash);
    memory_region_free(root);
}
END_TEST

typedef struct TestListener {
    MemoryListener l;
    char log[1024];
    int commits;
} TestListener;

static void tl_add(MemoryListener *l, const MemoryRegionSection *s)
{
    TestListener *t = (TestListener *)l;
    size_t n = strlen(t->log);
    snprintf(t->log + n, sizeof(t->log) - n, "+%s@%llx/%llx ", memory_region_name(s->mr),
             (unsigned long long)s->addr, (unsigned long long)s->size);
}

static void tl_del(MemoryListener *l, const MemoryRegionSection *s)
{
    TestListener *t = (TestListener *)l;
    size_t n = strlen(t->log);
    snprintf(t->log + n, sizeof(t->log) - n, "-%s@%llx/%llx ", memory_region_name(s->mr),
             (unsigned long long)s->addr, (unsigned long long)s->size);
}

static void tl_commit(MemoryListener *l)
{
    ((TestListener *)l)->commits++;
}

START_TEST(test_listener)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    memory_region_add_subregion(root, 0, ram);
    TestListener t = {.l = {.region_add = tl_add, .region_del = tl_del, .commit = tl_commit}};
    memory_listener_register(as, &t.l);
    ck_assert_str_eq(t.log, "+ram@0/10000 ");
    ck_assert_int_eq(t.commits, 1);
    t.log[0] = 0;
    /* An MMIO hole punched into RAM splits the RAM section; MMIO is not reported. */
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
    memory_region_add_subregion_overlap(root, 0x4000, dev, 1);
    ck_assert_str_eq(t.log, "-ram@0/10000 +ram@0/4000 +ram@5000/b000 ");
    ck_assert_int_eq(t.commits, 2);
    t.log[0] = 0;
    memory_region_set_enabled(dev, false);
    ck_assert_str_eq(t.log, "-ram@0/4000 -ram@5000/b000 +ram@0/10000 ");
    memory_listener_unregister(as, &t.l);
    memory_region_set_enabled(dev, true);
    ck_assert_int_eq(t.commits, 3);
    address_space_free(as);
    memory_region_free(dev);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

static char *dump_to_string(void (*fn)(void *, void *), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fn(arg, f);
    fclose(f);
    return buf;
}

static void dump_flat(void *as, void *f)
{
    address_space_dump_flat(as, f);
}

static void dump_tree(void *mr, void *f)
{
    memory_dump_tree(mr, f);
}

START_TEST(test_dump)
{
    MemoryRegion *root = memory_region_new_container("system", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "memory");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x100000);
    CallLog l = {0};
    MemoryRegion *uart = memory_region_new_io("uart", 0x100, &plain_ops, &l);
    MemoryRegion *hi = memory_region_new_alias("ram-hi", ram, 0x80000, 0x80000);
    memory_region_add_subregion(root, 0, ram);
    memory_region_add_subregion_overlap(root, 0x1000, uart, 1);
    memory_region_add_subregion(root, 0x80000000, hi);
    char *s = dump_to_string(dump_flat, as);
    ck_assert_str_eq(s, "FlatView for memory:\n"
                        "  0000000000000000-0000000000000fff (ram): ram\n"
                        "  0000000000001000-00000000000010ff (i/o): uart\n"
                        "  0000000000001100-00000000000fffff (ram): ram @0000000000001100\n"
                        "  0000000080000000-000000008007ffff (ram): ram @0000000000080000\n");
    free(s);
    s = dump_to_string(dump_tree, root);
    ck_assert_str_eq(s, "0000000000000000-ffffffffffffffff (prio 0, container): system\n"
                        "  0000000000001000-00000000000010ff (prio 1, i/o): uart\n"
                        "  0000000080000000-000000008007ffff (prio 0, alias): ram-hi @ram "
                        "0000000000080000-00000000000fffff\n"
                        "  0000000000000000-00000000000fffff (prio 0, ram): ram\n");
    free(s);
    address_space_free(as);
    memory_region_free(uart);
    memory_region_free(hi);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

static uint64_t notified_addr;
static unsigned notified_len;
static int notified_count;

static void code_written(uint64_t ram_addr, unsigned len)
{
    notified_addr = ram_addr;
    notified_len = len;
    notified_count++;
}

START_TEST(test_code_write_notifier)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    memory_region_add_subregion(root, 0x100000, ram);
    memory_set_code_write_notifier(code_written);
    uint64_t base = memory_region_get_ram_addr(ram);
    ck_assert_uint_ne(base, UINT64_MAX);
    ck_assert_ptr_eq(memory_ram_addr_to_host(base + 0x10),
                     (uint8_t *)memory_region_get_ram_ptr(ram) + 0x10);
    memory_ram_set_code_page(base + 0x3000);
    ck_assert(memory_ram_is_code_page(base + 0x3fff));
    ck_assert(!memory_ram_is_code_page(base + 0x4000));
    uint32_t w = 1;
    notified_count = 0;
    address_space_write(as, 0x102000, &w, 4); /* not a code page */
    ck_assert_int_eq(notified_count, 0);
    address_space_write(as, 0x103010, &w, 4); /* DMA into code */
    ck_assert_int_eq(notified_count, 1);
    ck_assert_uint_eq(notified_addr, base + 0x3010);
    ck_assert_uint_eq(notified_len, 4);
    address_space_store(as, 0x103ffe, 4, false, 0); /* straddles into the page */
    ck_assert_int_eq(notified_count, 2);
    memory_ram_clear_code_page(base + 0x3000);
    address_space_write(as, 0x103010, &w, 4);
    ck_assert_int_eq(notified_count, 2);
    memory_set_code_write_notifier(NULL);
    address_space_free(as);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

START_TEST(test_big_ram_noreserve)
{
    /* 64 GiB of guest RAM must not need 64 GiB of host memory up front. */
    MemoryRegion *ram = memory_region_new_ram("big", 64ull << 30);
    uint8_t *p = memory_region_get_ram_ptr(ram);
    p[(64ull << 30) - 1] = 5;
    ck_assert_uint_eq(p[(64ull << 30) - 1], 5);
    ck_assert_uint_eq(memory_region_size(ram), 64ull << 30);
    memory_region_free(ram);
}
END_TEST

START_TEST(test_two_spaces)
{
    MemoryRegion *sys = memory_region_new_container("sys", UINT64_MAX);
    MemoryRegion *io = memory_region_new_container("io", 0x10000);
    AddressSpace *as_sys = address_space_new(sys, "memory");
    AddressSpace *as_io = address_space_new(io, "I/O");
    CallLog l = {0};
    MemoryRegion *port = memory_region_new_io("port", 8, &plain_ops, &l);
    memory_region_add_subregion(io, 0x3f8, port);
    ck_assert_str_eq(name_at(as_io, 0x3f8), "port");
    ck_assert_str_eq(name_at(as_sys, 0x3f8), "(none)");
    ck_assert_str_eq(name_at(as_io, 0x10000), "(none)");
    ck_assert_ptr_eq(address_space_root(as_io), io);
    /* An I/O region without callbacks: reads 0, writes vanish, no error. */
    MemoryRegion *stub = memory_region_new_io("stub", 4, NULL, NULL);
    memory_region_add_subregion(io, 0x80, stub);
    uint64_t v = 99;
    ck_assert_int_eq(address_space_load(as_io, 0x80, 1, false, &v), MEMTX_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(address_space_store(as_io, 0x80, 1, false, 5), MEMTX_OK);
    memory_region_free(stub);
    address_space_free(as_sys);
    address_space_free(as_io);
    memory_region_free(port);
    memory_region_free(io);
    memory_region_free(sys);
}
END_TEST

/* vCPU threads look up and read while the map changes under them: every
 * lookup must see either the old or the new map, never freed memory (ASan
 * checks the latter). */
typedef struct Reader {
    AddressSpace *as;
    uint64_t code_page; /* a ram_addr marked as holding code */
    atomic_bool *stop;
    long lookups;
    bool bad;
} Reader;

static void *reader_main(void *opaque)
{
    Reader *r = opaque;
    while (!atomic_load(r->stop)) {
        MemoryRegionSection s = address_space_lookup(r->as, 0x5000);
        const char *n = s.mr ? memory_region_name(s.mr) : "";
        if (strcmp(n, "ram") != 0 && strcmp(n, "dev") != 0) {
            r->bad = true;
        }
        uint32_t v;
        address_space_read(r->as, 0x100, &v, 4);
        if (v != 0x11223344) {
            r->bad = true;
        }
        if (!memory_ram_is_code_page(r->code_page)) {
            r->bad = true;
        }
        r->lookups++;
    }
    return NULL;
}

START_TEST(test_concurrent_lookup)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    uint32_t magic = 0x11223344;
    memcpy((uint8_t *)memory_region_get_ram_ptr(ram) + 0x100, &magic, 4);
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
    memory_region_add_subregion(root, 0, ram);
    memory_region_add_subregion_overlap(root, 0x5000, dev, 1);
    atomic_bool stop = false;
    uint64_t code = memory_region_get_ram_addr(ram) + 0x2000;
    memory_ram_set_code_page(code);
    Reader r[2] = {{as, code, &stop, 0, false}, {as, code, &stop, 0, false}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, reader_main, &r[i]);
    }
    for (int i = 0; i < 2000; i++) {
        memory_region_set_enabled(dev, i & 1);
        if (i % 50 == 0) {
            /* RAM blocks come and go while readers search them. */
            memory_region_free(memory_region_new_ram("scratch", 0x1000));
        }
    }
    atomic_store(&stop, true);
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        ck_assert(!r[i].bad);
    }
    address_space_free(as);
    memory_region_free(dev);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

/* Not an assertion about speed: prints what a lookup costs in a map the
 * size of a PC's (for the report), and checks every lookup is right. */
START_TEST(test_lookup_speed)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    CallLog l = {0};
    MemoryRegion *devs[64];
    memory_region_transaction_begin();
    for (int i = 0; i < 64; i++) {
        devs[i] = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
        memory_region_add_subregion(root, (uint64_t)i * 0x10000, devs[i]);
    }
    memory_region_transaction_commit();
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int n = 200000, wrong = 0;
    for (int i = 0; i < n; i++) {
        uint64_t addr = (uint64_t)(i % 64) * 0x10000 + 0x10;
        MemoryRegionSection s = address_space_lookup(as, addr);
        wrong += s.mr != devs[i % 64]; /* ck_assert per lookup would dominate */
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    ck_assert_int_eq(wrong, 0);
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
    printf("memory: address_space_lookup in a 64-region map: %.1f ns\n", ns);
    address_space_free(as);
    for (int i = 0; i < 64; i++) {
        memory_region_free(devs[i]);
    }
    memory_region_free(root);
}
END_TEST

/* Flash: reads from memory in ROMD mode, writes to the command interface;
 * out of ROMD mode (e.g. while programming) reads hit the callbacks. */
START_TEST(test_rom_device)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    CallLog l = {.read_value = 0x80};
    MemoryRegionOps flash_ops = {
        .read = log_read,
        .write = log_write,
        .endianness = DEVICE_LITTLE_ENDIAN,
        .valid = {.min_access_size = 1, .max_access_size = 4},
    };
    MemoryRegion *flash = memory_region_new_rom_device("flash", 0x10000, &flash_ops, &l);
    memory_region_add_subregion(root, 0x1e000000, flash);
    uint32_t code = 0x3c1fbfc0;
    ck_assert_int_eq(address_space_write_rom(as, 0x1e000000, &code, 4), MEMTX_OK);
    ck_assert_int_eq(l.n, 0);
    ck_assert(memory_region_is_ram(flash));
    ck_assert(memory_region_is_rom_device(flash));
    MemoryRegionSection s = address_space_lookup(as, 0x1e000000);
    ck_assert(s.readonly);
    uint64_t v;
    address_space_load(as, 0x1e000000, 4, false, &v);
    ck_assert_uint_eq(v, 0x3c1fbfc0);
    ck_assert_int_eq(l.n, 0);
    /* A write is a flash command, not a store. */
    address_space_store(as, 0x1e000000, 1, false, 0x70);
    ck_assert_int_eq(l.n, 1);
    ck_assert_int_eq(l.c[0].op, 'w');
    ck_assert_uint_eq(l.c[0].val, 0x70);
    address_space_load(as, 0x1e000000, 4, false, &v);
    ck_assert_uint_eq(v, 0x3c1fbfc0);
    uint8_t b = 0x12;
    address_space_write(as, 0x1e000010, &b, 1);
    ck_assert_int_eq(l.n, 2);
    ck_assert_uint_eq(l.c[1].addr, 0x10);
    /* Out of ROMD mode: status reads come from the device. */
    memory_region_rom_device_set_romd(flash, false);
    ck_assert(memory_region_is_io(flash));
    address_space_load(as, 0x1e000000, 1, false, &v);
    ck_assert_uint_eq(v, 0x80);
    ck_assert_int_eq(l.c[2].op, 'r');
    memory_region_rom_device_set_romd(flash, true);
    address_space_load(as, 0x1e000000, 4, false, &v);
    ck_assert_uint_eq(v, 0x3c1fbfc0);
    address_space_free(as);
    memory_region_free(flash);
    memory_region_free(root);
}
END_TEST

START_TEST(test_map)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    MemoryRegion *rom = memory_region_new_rom("rom", 0x1000);
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
    memory_region_add_subregion(root, 0x0, ram);
    memory_region_add_subregion(root, 0x10000, rom);
    memory_region_add_subregion(root, 0x20000, dev);
    uint64_t len = 0x100000;
    uint8_t *p = address_space_map(as, 0xff00, &len, true);
    ck_assert_ptr_eq(p, (uint8_t *)memory_region_get_ram_ptr(ram) + 0xff00);
    ck_assert_uint_eq(len, 0x100); /* cut at the end of RAM */
    len = 16;
    ck_assert_ptr_null(address_space_map(as, 0x10000, &len, true)); /* ROM: no writes */
    ck_assert_uint_eq(len, 0);
    len = 16;
    ck_assert_ptr_nonnull(address_space_map(as, 0x10000, &len, false));
    len = 16;
    ck_assert_ptr_null(address_space_map(as, 0x20000, &len, false)); /* MMIO */
    len = 16;
    ck_assert_ptr_null(address_space_map(as, 0x90000, &len, false)); /* hole */
    address_space_free(as);
    memory_region_free(dev);
    memory_region_free(rom);
    memory_region_free(ram);
    memory_region_free(root);
}
END_TEST

START_TEST(test_edge_cases)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "test");
    /* A region ending exactly at the top of the 64-bit space. */
    MemoryRegion *top = memory_region_new_ram("top", 0x1000);
    memory_region_add_subregion(root, UINT64_MAX - 0xfff, top);
    ck_assert_str_eq(name_at(as, UINT64_MAX), "top");
    uint8_t b = 0x5a, r = 0;
    ck_assert_int_eq(address_space_write(as, UINT64_MAX, &b, 1), MEMTX_OK);
    address_space_read(as, UINT64_MAX, &r, 1);
    ck_assert_uint_eq(r, 0x5a);
    /* Alias of an alias, with offsets adding up. */
    MemoryRegion *ram = memory_region_new_ram("ram", 0x10000);
    MemoryRegion *a1 = memory_region_new_alias("a1", ram, 0x4000, 0x8000);
    MemoryRegion *a2 = memory_region_new_alias("a2", a1, 0x1000, 0x1000);
    memory_region_add_subregion(root, 0x100000, a2);
    MemoryRegionSection s = address_space_lookup(as, 0x100010);
    ck_assert_ptr_eq(s.mr, ram);
    ck_assert_uint_eq(s.offset_in_region, 0x5000);
    ck_assert_uint_eq(s.size, 0x1000);
    ck_assert_ptr_eq(memory_region_get_ram_ptr(a2), memory_region_get_ram_ptr(ram));
    /* Negative priority: a background that everything else covers. */
    CallLog l = {0};
    MemoryRegion *bg = memory_region_new_io("background", 0x1000000, &plain_ops, &l);
    memory_region_add_subregion_overlap(root, 0, bg, -1);
    ck_assert_str_eq(name_at(as, 0x100010), "ram");
    ck_assert_str_eq(name_at(as, 0x200000), "background");
    /* Children of a terminal region show through it; it fills the rest. */
    MemoryRegion *dev = memory_region_new_io("dev", 0x1000, &plain_ops, &l);
    MemoryRegion *sub = memory_region_new_io("sub", 0x10, &plain_ops, &l);
    memory_region_add_subregion(dev, 0x100, sub);
    memory_region_add_subregion(root, 0x300000, dev);
    ck_assert_str_eq(name_at(as, 0x300100), "sub");
    ck_assert_str_eq(name_at(as, 0x300110), "dev");
    s = address_space_lookup(as, 0x300110);
    ck_assert_uint_eq(s.offset_in_region, 0x110);
    /* A disabled container hides its whole subtree. */
    memory_region_set_enabled(dev, false);
    ck_assert_str_eq(name_at(as, 0x300100), "background");
    address_space_free(as);
    memory_region_free(sub);
    memory_region_free(dev);
    memory_region_free(bg);
    memory_region_free(a2);
    memory_region_free(a1);
    memory_region_free(ram);
    memory_region_free(top);
    memory_region_free(root);
}
END_TEST

/* The memory library logs through system/log.h when it is linked in; this
 * test provides the logger itself to see what a user of -d guest_errors
 * would read. */
unsigned log_mask;
static char logged[512];

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(logged);
    vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
    va_end(ap);
}

START_TEST(test_guest_error_log)
{
    MemoryRegion *root = memory_region_new_container("root", UINT64_MAX);
    AddressSpace *as = address_space_new(root, "memory");
    CallLog l = {0};
    MemoryRegion *dev = memory_region_new_io("uart", 0x100, &strict_ops, &l);
    memory_region_add_subregion(root, 0x1000, dev);
    uint64_t v;
    logged[0] = 0;
    log_mask = 0;
    address_space_load(as, 0x5000, 4, false, &v);
    ck_assert_str_eq(logged, "");
    log_mask = LOG_GUEST_ERROR;
    address_space_load(as, 0x5000, 4, false, &v);
    address_space_store(as, 0x1002, 2, false, 0);
    ck_assert_str_eq(logged, "memory: unassigned read of 4 bytes at 0x5000 in memory\n"
                             "memory: invalid 2-byte access at offset 0x2 of 'uart'\n");
    log_mask = 0;
    address_space_free(as);
    memory_region_free(dev);
    memory_region_free(root);
}
END_TEST

/* Differential test of flattening: random trees of containers, I/O leaves
 * (with children of their own), aliases, priorities, disabled regions and
 * moves, checked address by address against a direct walk of the tree
 * that applies the documented rules (higher priority wins, later wins at
 * equal priority, containers have no background, aliases shift). */
typedef struct Node {
    MemoryRegion *mr;
    int kind; /* 0 container, 1 leaf, 2 alias */
    uint64_t size, addr;
    int prio;
    unsigned seq;
    bool enabled, mapped;
    int parent, target;
    uint64_t alias_off;
} Node;

static Node nodes[40];
static int n_nodes;
static unsigned model_seq;

static bool model_resolve(int idx, uint64_t a, int *leaf, uint64_t *off, int depth)
{
    Node *n = &nodes[idx];
    if (!n->enabled || a >= n->size || depth > 20) {
        return false;
    }
    if (n->kind == 2) {
        return model_resolve(n->target, a + n->alias_off, leaf, off, depth + 1);
    }
    int best = -1;
    for (int i = 0; i < n_nodes; i++) {
        Node *c = &nodes[i];
        if (!c->mapped || c->parent != idx || !c->enabled || a < c->addr ||
            a - c->addr >= c->size) {
            continue;
        }
        int l;
        uint64_t o;
        if (!model_resolve(i, a - c->addr, &l, &o, depth + 1)) {
            continue;
        }
        if (best < 0 || c->prio > nodes[best].prio ||
            (c->prio == nodes[best].prio && c->seq > nodes[best].seq)) {
            best = i;
            *leaf = l;
            *off = o;
        }
    }
    if (best >= 0) {
        return true;
    }
    if (n->kind == 1) {
        *leaf = idx;
        *off = a;
        return true;
    }
    return false;
}

static uint64_t rnd_state = 12345;
static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rnd_state >> 33) % n;
}

static void model_map(int child, int parent)
{
    Node *c = &nodes[child];
    c->parent = parent;
    c->addr = rnd(parent == 0 ? 256 : 64) * 0x10;
    c->prio = (int)rnd(3) - 1;
    c->seq = model_seq++;
    c->mapped = true;
    memory_region_add_subregion_overlap(nodes[parent].mr, c->addr, c->mr, c->prio);
}

START_TEST(test_flatten_differential)
{
    for (int round = 0; round < 30; round++) {
        n_nodes = 0;
        model_seq = 0;
        CallLog l = {0};
        nodes[0] = (Node){.kind = 0, .size = 0x1000, .enabled = true, .parent = -1};
        nodes[0].mr = memory_region_new_container("root", 0x1000);
        n_nodes = 1;
        AddressSpace *as = address_space_new(nodes[0].mr, "diff");
        memory_region_transaction_begin();
        for (int i = 1; i < 40; i++) {
            Node *n = &nodes[i];
            *n = (Node){.enabled = true, .parent = -1};
            static const int kinds[4] = {0, 1, 1, 2};
            n->kind = kinds[rnd(4)];
            n->size = (1 + rnd(32)) * 0x10;
            char name[8];
            snprintf(name, sizeof(name), "n%d", i);
            if (n->kind == 0) {
                n->mr = memory_region_new_container(name, n->size);
            } else if (n->kind == 1) {
                n->mr = memory_region_new_io(name, n->size, &plain_ops, &l);
            } else {
                /* Alias an earlier, unaliased-so-far node (no cycles). */
                n->target = 1 + (int)rnd(i - 1 > 0 ? i - 1 : 1);
                if (n->target >= i) {
                    n->target = 0;
                }
                n->alias_off = rnd(8) * 0x10;
                n->mr = memory_region_new_alias(name, nodes[n->target].mr, n->alias_off, n->size);
            }
            n_nodes++;
            /* Map under an earlier container or leaf (not an alias). */
            int p;
            do {
                p = rnd(2) ? 0 : (int)rnd(i);
            } while (nodes[p].kind == 2);
            /* An alias inside what it shows would be a cycle: boards never
             * build those, so neither does the test. */
            bool cycle = false;
            if (n->kind == 2) {
                for (int q = p; q >= 0; q = nodes[q].parent) {
                    cycle |= q == n->target;
                    if (nodes[q].kind == 2) {
                        cycle |= nodes[q].target == n->target;
                    }
                }
            }
            if (rnd(5) != 0 && !cycle) {
                model_map(i, p);
            }
            if (rnd(8) == 0) {
                n->enabled = false;
                memory_region_set_enabled(n->mr, false);
            }
        }
        memory_region_transaction_commit();
        /* A few moves after the first build. */
        for (int k = 0; k < 5; k++) {
            int i = 1 + (int)rnd(39);
            if (nodes[i].mapped) {
                nodes[i].addr = rnd(64) * 0x10;
                memory_region_set_address(nodes[i].mr, nodes[i].addr);
            }
        }
        int hits = 0;
        for (uint64_t a = 0; a < 0x1000; a += 8) {
            int leaf = -1;
            uint64_t off = 0;
            bool mapped = model_resolve(0, a, &leaf, &off, 0);
            hits += mapped;
            MemoryRegionSection s = address_space_lookup(as, a);
            if (!mapped) {
                ck_assert_msg(s.mr == NULL, "round %d addr 0x%llx: got %s, want nothing", round,
                              (unsigned long long)a, memory_region_name(s.mr));
            } else {
                ck_assert_msg(s.mr == nodes[leaf].mr, "round %d addr 0x%llx: got %s, want %s",
                              round, (unsigned long long)a,
                              s.mr ? memory_region_name(s.mr) : "nothing",
                              memory_region_name(nodes[leaf].mr));
                ck_assert_uint_eq(s.offset_in_region + (a - s.addr), off);
            }
        }
        ck_assert_int_gt(hits, 0);
        if (getenv("MIMIC_TEST_VERBOSE")) {
            printf("round %d: %d of 512 addresses mapped\n", round, hits);
        }
        address_space_free(as);
        /* Free aliases first, then everything else, children before parents. */
        for (int i = n_nodes - 1; i >= 1; i--) {
            if (nodes[i].kind == 2) {
                memory_region_free(nodes[i].mr);
            }
        }
        for (int i = n_nodes - 1; i >= 0; i--) {
            if (nodes[i].kind != 2) {
                memory_region_free(nodes[i].mr);
            }
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_priority_overlap);
    tcase_add_test(tc, test_nested_containers);
    tcase_add_test(tc, test_aliases);
    tcase_add_test(tc, test_disable_move);
    tcase_add_test(tc, test_split_le_be);
    tcase_add_test(tc, test_widen);
    tcase_add_test(tc, test_valid_rejection);
    tcase_add_test(tc, test_endianness);
    tcase_add_test(tc, test_unassigned_and_ram);
    tcase_add_test(tc, test_rom);
    tcase_add_test(tc, test_listener);
    tcase_add_test(tc, test_dump);
    tcase_add_test(tc, test_code_write_notifier);
    tcase_add_test(tc, test_big_ram_noreserve);
    tcase_add_test(tc, test_two_spaces);
    tcase_add_test(tc, test_concurrent_lookup);
    tcase_add_test(tc, test_rom_device);
    tcase_add_test(tc, test_map);
    tcase_add_test(tc, test_edge_cases);
    tcase_add_test(tc, test_guest_error_log);
    tcase_add_test(tc, test_flatten_differential);
    tcase_add_test(tc, test_lookup_speed);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
