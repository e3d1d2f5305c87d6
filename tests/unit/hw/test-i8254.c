/*
 * Register-level tests of the 8254 PIT (hw/timer/i8254.c) on a
 * test-controlled virtual clock: counting, OUT waveforms per mode, IRQ0
 * edges, latch and read-back commands, GATE.
 */
#include "fakes.h"
#include "hw/timer/i8254.h"

#include <check.h>
#include <stdlib.h>

static MemoryRegion *io;
static AddressSpace *as;
static PitState *pit;
static int irq_level, irq_rises;

static void irq_handler(void *opaque, int n, int level)
{
    if (level && !irq_level) {
        irq_rises++;
    }
    irq_level = level;
}

static uint8_t in8(uint16_t port)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, port, 1, false, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void out8(uint16_t port, uint8_t v)
{
    ck_assert_int_eq(address_space_store(as, port, 1, false, v), MEMTX_OK);
}

/* Time for n PIT ticks (rounded up so exactly n ticks have passed). */
static int64_t ticks_ns(uint64_t n)
{
    return (int64_t)((n * 1000000000ull + PIT_FREQ - 1) / PIT_FREQ);
}

static qemu_irq out_irq;

static void setup(void)
{
    out_irq = irq_new(irq_handler, NULL, 0);
    io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    irq_level = 0;
    irq_rises = 0;
    pit = i8254_new(io, 0x40, out_irq);
    irq_rises = 0;
}

static void teardown(void)
{
    i8254_free(pit);
    address_space_free(as);
    memory_region_free(io);
    irq_free(out_irq);
}

static uint16_t latch_read(int ch)
{
    out8(0x43, ch << 6); /* counter latch */
    uint16_t lo = in8(0x40 + ch);
    return lo | in8(0x40 + ch) << 8;
}

START_TEST(test_mode2_periodic_irq)
{
    out8(0x43, 0x34); /* ch0, LSB then MSB, mode 2: Linux's periodic tick */
    out8(0x40, 1193 & 0xff);
    out8(0x40, 1193 >> 8);
    irq_rises = 0;
    fake_clock_advance(10 * 1000 * 1000); /* 10 ms = 11931 ticks */
    ck_assert_int_eq(irq_rises, 10);
    ck_assert_int_eq(irq_level, 1);
    fake_clock_advance(1000 * 1000 * 1000); /* 1 s */
    ck_assert_int_eq(irq_rises, 1010);      /* 1.01 s of 1193-tick periods */
}
END_TEST

START_TEST(test_counter_read)
{
    out8(0x43, 0x34);
    out8(0x40, 1000 & 0xff);
    out8(0x40, 1000 >> 8);
    fake_clock_advance(ticks_ns(100));
    ck_assert_uint_eq(latch_read(0), 900);
    /* A latched value holds while time passes, until read. */
    out8(0x43, 0x00);
    fake_clock_advance(ticks_ns(50));
    uint16_t lo = in8(0x40);
    ck_assert_uint_eq(lo | in8(0x40) << 8, 900);
    /* Live reads without latching, LSB then MSB. */
    lo = in8(0x40);
    ck_assert_uint_eq(lo | in8(0x40) << 8, 850);
    /* Mode 2 reloads: after 1000 ticks it reads the full count again. */
    fake_clock_advance(ticks_ns(850));
    ck_assert_uint_eq(latch_read(0), 1000);
}
END_TEST

START_TEST(test_mode0_oneshot_and_status)
{
    out8(0x43, 0x30); /* mode 0 */
    ck_assert_int_eq(irq_level, 0);
    out8(0x40, 0xf4);
    ck_assert_int_eq(irq_level, 0);
    out8(0x40, 0x01);                   /* 500 */
    out8(0x43, 0xe2);                   /* read-back status of ch0 */
    ck_assert_uint_eq(in8(0x40), 0x30); /* OUT low, RW=3, mode 0 */
    fake_clock_advance(ticks_ns(499));
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(ticks_ns(1));
    ck_assert_int_eq(irq_level, 1);
    ck_assert_int_eq(irq_rises, 1);
    out8(0x43, 0xe2);
    ck_assert_uint_eq(in8(0x40), 0xb0);
    fake_clock_advance(100 * 1000 * 1000);
    ck_assert_int_eq(irq_rises, 1); /* one shot */
    /* The counter wraps and keeps counting after terminal count. */
    out8(0x43, 0xc2); /* read-back count and status: status first */
    ck_assert_uint_eq(in8(0x40), 0xb0);
    uint16_t lo = in8(0x40);
    uint16_t v = lo | in8(0x40) << 8;
    uint64_t d = (uint64_t)(ticks_ns(500) + 100 * 1000 * 1000) * PIT_FREQ / 1000000000ull;
    ck_assert_uint_eq(v, (uint16_t)(500 - d));
    /* Writing the first byte of a new count stops it and drops OUT. */
    out8(0x40, 0x10);
    ck_assert_int_eq(irq_level, 0);
    out8(0x40, 0x00);
    fake_clock_advance(ticks_ns(16));
    ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(test_lsb_msb_only)
{
    out8(0x43, 0x10); /* ch0 LSB only, mode 0 */
    out8(0x40, 0x50);
    fake_clock_advance(ticks_ns(0x10));
    ck_assert_uint_eq(in8(0x40), 0x40);
    out8(0x43, 0x20); /* MSB only */
    out8(0x40, 0x02); /* 0x200 */
    fake_clock_advance(ticks_ns(0x100));
    ck_assert_uint_eq(in8(0x40), 0x01);
    out8(0x43, 0xe2);
    ck_assert_uint_eq(in8(0x40), 0x20);
}
END_TEST

START_TEST(test_mode3_square_gate)
{
    ck_assert_int_eq(i8254_get_gate(pit, 2), 0);
    out8(0x43, 0xb6); /* ch2, mode 3 */
    out8(0x42, 8);
    out8(0x42, 0);
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
    fake_clock_advance(ticks_ns(6));
    ck_assert_int_eq(i8254_get_output(pit, 2), 1); /* gate low: held high */
    i8254_set_gate(pit, 2, 1);
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
    ck_assert_uint_eq(latch_read(2), 8);
    fake_clock_advance(ticks_ns(1));
    ck_assert_uint_eq(latch_read(2), 6); /* counts by two */
    fake_clock_advance(ticks_ns(3));
    ck_assert_int_eq(i8254_get_output(pit, 2), 0);
    ck_assert_uint_eq(latch_read(2), 8);
    fake_clock_advance(ticks_ns(4));
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
    i8254_set_gate(pit, 2, 0);
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
}
END_TEST

/* Linux's PIT calibration: gate on, channel 2 in mode 0, poll OUT2. */
START_TEST(test_mode0_gate_polling)
{
    i8254_set_gate(pit, 2, 1);
    out8(0x43, 0xb0);
    out8(0x42, 0xff);
    out8(0x42, 0xff);
    ck_assert_int_eq(i8254_get_output(pit, 2), 0);
    fake_clock_advance(ticks_ns(0xfffe));
    ck_assert_int_eq(i8254_get_output(pit, 2), 0);
    fake_clock_advance(ticks_ns(1));
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
    /* Gate low in mode 0 holds the count. */
    out8(0x43, 0xb0);
    out8(0x42, 100);
    out8(0x42, 0);
    fake_clock_advance(ticks_ns(30));
    i8254_set_gate(pit, 2, 0);
    fake_clock_advance(ticks_ns(500));
    ck_assert_uint_eq(latch_read(2), 70);
    i8254_set_gate(pit, 2, 1);
    fake_clock_advance(ticks_ns(20));
    ck_assert_uint_eq(latch_read(2), 50);
}
END_TEST

START_TEST(test_mode4_strobe)
{
    out8(0x43, 0x38); /* ch0 mode 4 */
    out8(0x40, 10);
    out8(0x40, 0);
    ck_assert_int_eq(irq_level, 1);
    irq_rises = 0;
    fake_clock_advance(ticks_ns(9));
    ck_assert_int_eq(irq_level, 1);
    fake_clock_advance(ticks_ns(10) - ticks_ns(9));
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(ticks_ns(11) - ticks_ns(10));
    ck_assert_int_eq(irq_level, 1);
    ck_assert_int_eq(irq_rises, 1);
}
END_TEST

START_TEST(test_mode1_retrigger)
{
    out8(0x43, 0xb2); /* ch2 mode 1 */
    out8(0x42, 20);
    out8(0x42, 0);
    fake_clock_advance(ticks_ns(50));
    ck_assert_int_eq(i8254_get_output(pit, 2), 1); /* not triggered */
    i8254_set_gate(pit, 2, 1);
    ck_assert_int_eq(i8254_get_output(pit, 2), 0);
    fake_clock_advance(ticks_ns(15));
    i8254_set_gate(pit, 2, 0);
    i8254_set_gate(pit, 2, 1); /* retrigger: starts over */
    fake_clock_advance(ticks_ns(15));
    ck_assert_int_eq(i8254_get_output(pit, 2), 0);
    fake_clock_advance(ticks_ns(5));
    ck_assert_int_eq(i8254_get_output(pit, 2), 1);
}
END_TEST

START_TEST(test_save_load)
{
    out8(0x43, 0x34);
    out8(0x40, 0x00);
    out8(0x40, 0x10); /* 4096 */
    fake_clock_advance(ticks_ns(96));
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    out8(0x43, 0x30);
    out8(0x40, 5);
    out8(0x40, 0);
    size_t len;
    const void *d = state_stream_data(w, &len);
    StateStream *r = state_stream_new_reader(d, len);
    ck_assert(device_load_all(r, NULL));
    ck_assert_uint_eq(latch_read(0), 4000);
    irq_rises = 0;
    fake_clock_advance(ticks_ns(4000 + 4096));
    ck_assert_int_eq(irq_rises, 2);
    state_stream_free(r);
    state_stream_free(w);
}
END_TEST

/* Port 0x61: gate 2 and speaker bits, OUT2 and the refresh toggle. */
START_TEST(test_port61)
{
    i8254_map_port61(pit, io, 0x61);
    ck_assert_uint_eq(in8(0x61) & 0x0f, 0);
    out8(0x43, 0xb0); /* ch2 mode 0, count 1000 */
    out8(0x42, 1000 & 0xff);
    out8(0x42, 1000 >> 8);
    out8(0x61, 0x01); /* gate on, speaker off */
    ck_assert_int_eq(i8254_get_gate(pit, 2), 1);
    ck_assert_uint_eq(in8(0x61) & 0x2f, 0x01);
    fake_clock_advance(ticks_ns(1000));
    ck_assert_uint_eq(in8(0x61) & 0x20, 0x20);
    uint8_t a = in8(0x61) & 0x10;
    fake_clock_advance(15085);
    ck_assert_uint_eq(in8(0x61) & 0x10, a ^ 0x10);
    out8(0x61, 0xf2); /* read-only bits ignored */
    ck_assert_uint_eq(in8(0x61) & 0x0f, 0x02);
    ck_assert_int_eq(i8254_get_gate(pit, 2), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8254");
    TCase *tc = tcase_create("pit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_mode2_periodic_irq);
    tcase_add_test(tc, test_counter_read);
    tcase_add_test(tc, test_mode0_oneshot_and_status);
    tcase_add_test(tc, test_lsb_msb_only);
    tcase_add_test(tc, test_mode3_square_gate);
    tcase_add_test(tc, test_mode0_gate_polling);
    tcase_add_test(tc, test_mode4_strobe);
    tcase_add_test(tc, test_mode1_retrigger);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_port61);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
