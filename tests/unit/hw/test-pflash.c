/*
 * Tests of the CFI flash (hw/block/pflash_cfi01.c) as a guest's flash
 * driver drives it: CFI query, identifier, erase, word and buffered
 * programming, locking, status register, execute-in-place reads.
 */
#include "hw/block/pflash.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define BASE 0x1e000000ull
#define SIZE (4u << 20)
#define BLK  (128u << 10)

static MemoryRegion *root;
static AddressSpace *as;
static PflashState *fl;
static bool be;

static uint32_t rd(uint64_t off)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, BASE + off, 4, be, &v), MEMTX_OK);
    return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
    ck_assert_int_eq(address_space_store(as, BASE + off, 4, be, v), MEMTX_OK);
}

static void setup_endian(bool big)
{
    be = big;
    root = memory_region_new_container("root", UINT64_MAX);
    as = address_space_new(root, "memory");
    fl = pflash_cfi01_new(root, BASE, "flash", SIZE, BLK, 4, 0x89, 0x18,
                          big ? DEVICE_BIG_ENDIAN : DEVICE_LITTLE_ENDIAN);
    ck_assert_ptr_nonnull(fl);
}

static void setup(void)
{
    setup_endian(false);
}

static void teardown(void)
{
    pflash_free(fl);
    address_space_free(as);
    memory_region_free(root);
}

START_TEST(test_query_and_id)
{
    ck_assert_uint_eq(rd(0), 0xffffffff); /* erased */
    wr(0x55 * 4, 0x98);                   /* CFI query, at the conventional address */
    ck_assert_uint_eq(rd(0x10 * 4), 'Q');
    ck_assert_uint_eq(rd(0x11 * 4), 'R');
    ck_assert_uint_eq(rd(0x12 * 4), 'Y');
    ck_assert_uint_eq(rd(0x13 * 4), 0x01); /* Intel command set */
    ck_assert_uint_eq(rd(0x27 * 4), 22);   /* 2^22 = 4 MiB */
    ck_assert_uint_eq(rd(0x2c * 4), 1);
    ck_assert_uint_eq(rd(0x2d * 4) | rd(0x2e * 4) << 8, SIZE / BLK - 1);
    ck_assert_uint_eq((rd(0x2f * 4) | rd(0x30 * 4) << 8) * 256, BLK);
    ck_assert_uint_eq(rd(0x31 * 4), 'P');
    ck_assert_uint_eq(rd(0x34 * 4), '1');
    wr(0, 0x90);
    ck_assert_uint_eq(rd(0), 0x89);
    ck_assert_uint_eq(rd(4), 0x18);
    ck_assert_uint_eq(rd(BLK + 8), 0); /* block 1 not locked */
    wr(0, 0xff);
    ck_assert_uint_eq(rd(0), 0xffffffff);
}
END_TEST

START_TEST(test_program_and_erase)
{
    uint8_t *data = pflash_data(fl);
    wr(0x100, 0x40);
    wr(0x100, 0x12345678);
    ck_assert_uint_eq(rd(0x100) & 0x80, 0x80); /* status: ready, no error */
    ck_assert_uint_eq(rd(0x100) & 0x30, 0);
    wr(0, 0xff);
    ck_assert_uint_eq(rd(0x100), 0x12345678);
    ck_assert_uint_eq(data[0x100], 0x78);
    /* Programming only clears bits. */
    wr(0x100, 0x10);
    wr(0x100, 0xffff0000);
    wr(0, 0xff);
    ck_assert_uint_eq(rd(0x100), 0x12340000);
    /* Block erase brings back 0xff over the whole block, nothing else. */
    wr(BLK, 0x40);
    wr(BLK, 0);
    wr(0x104, 0x20);
    wr(0x104, 0xd0);
    wr(0, 0xff);
    ck_assert_uint_eq(rd(0x100), 0xffffffff);
    ck_assert_uint_eq(rd(BLK), 0);
    /* A bad confirm is a command sequence error; clear status resets it. */
    wr(0, 0x20);
    wr(0, 0x33);
    ck_assert_uint_eq(rd(0) & 0x30, 0x30);
    wr(0, 0x50);
    ck_assert_uint_eq(rd(0), 0x80);
}
END_TEST

START_TEST(test_buffered_program)
{
    wr(0x2000, 0xe8);
    ck_assert_uint_eq(rd(0x2000) & 0x80, 0x80); /* buffer available */
    wr(0x2000, 3);                              /* 4 words */
    for (int i = 0; i < 4; i++) {
        wr(0x2000 + 4 * i, 0xa0000000u + (uint32_t)i);
    }
    wr(0x2000, 0xd0);
    wr(0, 0xff);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(rd(0x2000 + 4 * i), 0xa0000000u + (uint32_t)i);
    }
    ck_assert_uint_eq(rd(0x2010), 0xffffffff);
    /* More than the 32-byte buffer is refused. */
    wr(0x3000, 0xe8);
    wr(0x3000, 8);
    ck_assert_uint_eq(rd(0x3000) & 0x30, 0x30);
}
END_TEST

START_TEST(test_locking)
{
    wr(BLK * 2, 0x60);
    wr(BLK * 2, 0x01); /* lock block 2 */
    wr(0, 0x90);
    ck_assert_uint_eq(rd(BLK * 2 + 8), 1);
    wr(0, 0x50);
    wr(BLK * 2, 0x20);
    wr(BLK * 2, 0xd0);
    ck_assert_uint_eq(rd(BLK * 2), 0x80 | 0x20 | 0x02); /* erase error, locked */
    wr(0, 0x50);
    wr(BLK * 2, 0x40);
    wr(BLK * 2, 0);
    ck_assert_uint_eq(rd(0) & 0x12, 0x12);
    wr(0, 0x60);
    wr(0, 0xd0); /* clear all locks */
    wr(0, 0x50);
    wr(BLK * 2, 0x40);
    wr(BLK * 2, 0);
    wr(0, 0xff);
    ck_assert_uint_eq(rd(BLK * 2), 0);
}
END_TEST

START_TEST(test_execute_in_place)
{
    /* Firmware loaded with write_rom, read at RAM speed in read-array mode. */
    const uint32_t code[2] = {0x3c1fbfc0, 0x03e00008};
    ck_assert_int_eq(address_space_write_rom(as, BASE, code, sizeof(code)), MEMTX_OK);
    MemoryRegionSection sec = address_space_lookup(as, BASE);
    ck_assert(memory_region_is_ram(sec.mr));
    ck_assert(sec.readonly); /* writes are commands */
    ck_assert_uint_eq(rd(0), 0x3c1fbfc0);
    wr(0, 0x70);
    sec = address_space_lookup(as, BASE);
    ck_assert(!memory_region_is_ram(sec.mr)); /* status mode: reads are the device's */
    ck_assert_uint_eq(rd(0), 0x80);
    device_reset_all();
    ck_assert_uint_eq(rd(4), 0x03e00008);
}
END_TEST

/* A big-endian bus: commands and query data sit in the low byte of the
 * 32-bit word as the CPU sees it. */
START_TEST(test_big_endian_bus)
{
    teardown();
    setup_endian(true);
    wr(0x55 * 4, 0x98);
    ck_assert_uint_eq(rd(0x10 * 4), 'Q');
    wr(0, 0xff);
    wr(0x40, 0x40);
    wr(0x40, 0x11223344);
    wr(0, 0xff);
    ck_assert_uint_eq(rd(0x40), 0x11223344);
    ck_assert_uint_eq(pflash_data(fl)[0x40], 0x11);
}
END_TEST

START_TEST(test_bad_geometry)
{
    ck_assert_ptr_null(
        pflash_cfi01_new(NULL, 0, "bad", 1000, 4096, 4, 0x89, 0x18, DEVICE_LITTLE_ENDIAN));
    ck_assert_ptr_null(
        pflash_cfi01_new(NULL, 0, "bad", 8192, 3000, 4, 0x89, 0x18, DEVICE_LITTLE_ENDIAN));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pflash");
    TCase *tc = tcase_create("cfi01");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_query_and_id);
    tcase_add_test(tc, test_program_and_erase);
    tcase_add_test(tc, test_buffered_program);
    tcase_add_test(tc, test_locking);
    tcase_add_test(tc, test_execute_in_place);
    tcase_add_test(tc, test_big_endian_bus);
    tcase_add_test(tc, test_bad_geometry);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
