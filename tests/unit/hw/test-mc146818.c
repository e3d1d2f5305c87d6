/*
 * Register-level tests of the MC146818 RTC (hw/rtc/mc146818.c) on a
 * test-controlled clock: calendar in BCD/binary and 12/24 h, SET, divider
 * reset, UIP, update/alarm/periodic interrupts and register C, CMOS RAM.
 */
#include "fakes.h"
#include "hw/rtc/mc146818.h"

#include <check.h>
#include <stdlib.h>

#define MS 1000000LL

static MemoryRegion *io;
static AddressSpace *as;
static RtcState *rtc;
static int irq_level;

static void irq_handler(void *opaque, int n, int level)
{
    irq_level = level;
}

static uint8_t cmos_read(uint8_t idx)
{
    uint64_t v;
    address_space_store(as, 0x70, 1, false, idx);
    address_space_load(as, 0x71, 1, false, &v);
    return (uint8_t)v;
}

static void cmos_write(uint8_t idx, uint8_t val)
{
    address_space_store(as, 0x70, 1, false, idx);
    address_space_store(as, 0x71, 1, false, val);
}

static qemu_irq out_irq;

static void setup(void)
{
    out_irq = irq_new(irq_handler, NULL, 0);
    io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    irq_level = 0;
    /* 2024-02-29 23:59:58.5 UTC, a Thursday of a leap year. */
    fake_clock_set_host(1709251198LL * 1000000000LL + 500 * MS);
    rtc = mc146818_new(io, 0x70, out_irq);
}

static void teardown(void)
{
    mc146818_free(rtc);
    address_space_free(as);
    memory_region_free(io);
    irq_free(out_irq);
}

START_TEST(test_calendar_bcd)
{
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x58);
    ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x59);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x23);
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_WEEK), 5);
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_MONTH), 0x29);
    ck_assert_uint_eq(cmos_read(RTC_MONTH), 0x02);
    ck_assert_uint_eq(cmos_read(RTC_YEAR), 0x24);
    ck_assert_uint_eq(cmos_read(RTC_CENTURY), 0x20);
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x26);
    ck_assert_uint_eq(cmos_read(RTC_REG_B), 0x02);
    ck_assert_uint_eq(cmos_read(RTC_REG_D), 0x80);
    fake_clock_advance(499 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x58);
    fake_clock_advance(1 * MS + 1000 * MS);
    /* Leap day rolls over into March. */
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x00);
    ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x00);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x00);
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_MONTH), 0x01);
    ck_assert_uint_eq(cmos_read(RTC_MONTH), 0x03);
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_WEEK), 6);
}
END_TEST

START_TEST(test_binary_12h)
{
    fake_clock_advance(1500 * MS);               /* 00:00:00 */
    cmos_write(RTC_REG_B, 0x04);                 /* binary, 12-hour */
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 12); /* 12 AM */
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_MONTH), 1);
    ck_assert_uint_eq(cmos_read(RTC_YEAR), 24);
    fake_clock_advance(13 * 3600 * 1000 * MS + 59 * 1000 * MS);
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x81); /* 1 PM */
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 59);
    cmos_write(RTC_REG_B, 0x00); /* BCD, 12-hour */
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 0x81);
    cmos_write(RTC_REG_B, 0x06); /* binary, 24-hour */
    ck_assert_uint_eq(cmos_read(RTC_HOURS), 13);
}
END_TEST

START_TEST(test_set_time)
{
    cmos_write(RTC_REG_B, 0x82); /* SET */
    cmos_write(RTC_SECONDS, 0x59);
    cmos_write(RTC_MINUTES, 0x59);
    cmos_write(RTC_HOURS, 0x23);
    cmos_write(RTC_DAY_OF_MONTH, 0x31);
    cmos_write(RTC_MONTH, 0x12);
    cmos_write(RTC_YEAR, 0x99);
    cmos_write(RTC_CENTURY, 0x19);
    fake_clock_advance(5000 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59); /* no updates while SET */
    cmos_write(RTC_REG_B, 0x02);
    ck_assert_uint_eq(cmos_read(RTC_YEAR), 0x99);
    fake_clock_advance(1000 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x00);
    ck_assert_uint_eq(cmos_read(RTC_YEAR), 0x00);
    ck_assert_uint_eq(cmos_read(RTC_CENTURY), 0x20);
    ck_assert_uint_eq(cmos_read(RTC_MONTH), 0x01);
    ck_assert_uint_eq(cmos_read(RTC_DAY_OF_WEEK), 7); /* 2000-01-01: Saturday */
    /* Writing one register without SET adjusts the running clock. */
    cmos_write(RTC_MINUTES, 0x30);
    ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x30);
    fake_clock_advance(60000 * MS);
    ck_assert_uint_eq(cmos_read(RTC_MINUTES), 0x31);
}
END_TEST

START_TEST(test_uip)
{
    /* Next update at +500 ms; UIP is set during the last 244 us before it. */
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & 0x80, 0);
    fake_clock_advance(499 * MS + 700000);
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & 0x80, 0);
    fake_clock_advance(100000);
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & 0x80, 0x80);
    fake_clock_advance(300000);
    ck_assert_uint_eq(cmos_read(RTC_REG_A), 0x26);
    cmos_write(RTC_REG_B, 0x82);
    fake_clock_advance(999 * MS + 900000);
    ck_assert_uint_eq(cmos_read(RTC_REG_A) & 0x80, 0); /* SET: no updates */
}
END_TEST

START_TEST(test_update_interrupt)
{
    cmos_write(RTC_REG_B, 0x12); /* UIE */
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(1 * MS);
    /* The default 1024 Hz rate sets PF even without PIE. */
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0x40);
    cmos_write(RTC_REG_A, 0x20); /* periodic rate off */
    fake_clock_advance(498 * MS);
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(1 * MS);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0x90);
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0x00);
    fake_clock_advance(1000 * MS);
    ck_assert_int_eq(irq_level, 1);
    /* Setting SET clears UIE. */
    cmos_write(RTC_REG_B, 0x92);
    ck_assert_uint_eq(cmos_read(RTC_REG_B), 0x82);
}
END_TEST

START_TEST(test_periodic)
{
    cmos_write(RTC_REG_A, 0x2f); /* 2 Hz */
    fake_clock_advance(100 * MS);
    cmos_read(RTC_REG_C);
    /* Without PIE the flag is still set (polled), but no interrupt. */
    fake_clock_advance(500 * MS);
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos_read(RTC_REG_C) & 0xc0, 0x40);
    cmos_write(RTC_REG_B, 0x42); /* PIE */
    int rises = 0;
    for (int i = 0; i < 10; i++) {
        fake_clock_advance(250 * MS);
        if (irq_level) {
            rises++;
            ck_assert_uint_eq(cmos_read(RTC_REG_C) & 0xc0, 0xc0);
        }
    }
    ck_assert_int_eq(rises, 5);
    /* 1024 Hz: one flag per 976.5625 us. */
    cmos_write(RTC_REG_A, 0x26);
    cmos_read(RTC_REG_C);
    fake_clock_advance(1 * MS);
    ck_assert_int_eq(irq_level, 1);
}
END_TEST

START_TEST(test_alarm)
{
    /* Now 23:59:58.5; alarm at 00:00:02 (any hour, any minute). */
    cmos_write(RTC_REG_A, 0x20); /* no periodic flags in the way */
    cmos_write(0x01, 0x02);
    cmos_write(0x03, 0xc0);
    cmos_write(0x05, 0xff);
    cmos_write(RTC_REG_B, 0x22); /* AIE */
    fake_clock_advance(2500 * MS);
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(1000 * MS);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0xb0); /* IRQF | AF | UF */
    /* A minute later, the same second matches again. */
    fake_clock_advance(59000 * MS);
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(1000 * MS);
    ck_assert_int_eq(irq_level, 1);
    cmos_read(RTC_REG_C);
    /* An exact alarm with hours, polled without AIE long after it passed. */
    cmos_write(RTC_REG_B, 0x02);
    cmos_write(0x01, 0x00);
    cmos_write(0x03, 0x30);
    cmos_write(0x05, 0x05);
    fake_clock_advance(6LL * 3600 * 1000 * MS);
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos_read(RTC_REG_C), 0x30); /* AF | UF, no IRQF */
}
END_TEST

START_TEST(test_divider_reset_and_index)
{
    cmos_write(RTC_REG_A, 0x76); /* hold the divider chain in reset */
    fake_clock_advance(10000 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x58);
    cmos_write(RTC_REG_A, 0x26);
    fake_clock_advance(499 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x58);
    fake_clock_advance(1 * MS);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59);
    /* The NMI-mask bit of the index port is ignored. */
    address_space_store(as, 0x70, 1, false, 0x8d);
    uint64_t v;
    address_space_load(as, 0x71, 1, false, &v);
    ck_assert_uint_eq(v, 0x80);
    /* CMOS RAM. */
    cmos_write(0x40, 0x12);
    ck_assert_uint_eq(cmos_read(0x40), 0x12);
    mc146818_set_cmos(rtc, 0x15, 0x80);
    ck_assert_uint_eq(cmos_read(0x15), 0x80);
    ck_assert_uint_eq(mc146818_get_cmos(rtc, 0x40), 0x12);
    cmos_write(RTC_REG_D, 0x00);
    ck_assert_uint_eq(cmos_read(RTC_REG_D), 0x80);
}
END_TEST

START_TEST(test_save_load_reset)
{
    cmos_write(0x50, 0x77);
    cmos_write(RTC_REG_B, 0x12);
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    cmos_write(0x50, 0x00);
    cmos_write(RTC_REG_B, 0x06);
    size_t len;
    const void *d = state_stream_data(w, &len);
    StateStream *r = state_stream_new_reader(d, len);
    ck_assert(device_load_all(r, NULL));
    ck_assert_uint_eq(cmos_read(0x50), 0x77);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x58);
    fake_clock_advance(500 * MS);
    ck_assert_int_eq(irq_level, 1);
    device_reset_all(); /* RESET clears enables and flags, keeps the time */
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(cmos_read(RTC_REG_B), 0x02);
    ck_assert_uint_eq(cmos_read(RTC_SECONDS), 0x59);
    state_stream_free(r);
    state_stream_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mc146818");
    TCase *tc = tcase_create("rtc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_calendar_bcd);
    tcase_add_test(tc, test_binary_12h);
    tcase_add_test(tc, test_set_time);
    tcase_add_test(tc, test_uip);
    tcase_add_test(tc, test_update_interrupt);
    tcase_add_test(tc, test_periodic);
    tcase_add_test(tc, test_alarm);
    tcase_add_test(tc, test_divider_reset_and_index);
    tcase_add_test(tc, test_save_load_reset);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
