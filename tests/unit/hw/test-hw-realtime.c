/*
 * The PIT and the RTC on the real clocks and main loop of system/timer.c:
 * channel 0 in mode 2 at 1 kHz delivers its IRQ0 edges as virtual time
 * passes, and the RTC reads the host's wall-clock time.
 */
#include "hw/rtc/mc146818.h"
#include "hw/timer/i8254.h"
#include "system/main-loop.h"
#include "system/timer.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int rises, level;

static void irq0(void *opaque, int n, int l)
{
    if (l && !level) {
        rises++;
    }
    level = l;
}

START_TEST(test_pit_on_main_loop)
{
    main_loop_init();
    MemoryRegion *io = memory_region_new_container("io", 0x10000);
    AddressSpace *as = address_space_new(io, "I/O");
    qemu_irq line = irq_new(irq0, NULL, 0);
    PitState *pit = i8254_new(io, 0x40, line);
    address_space_store(as, 0x43, 1, false, 0x34);
    address_space_store(as, 0x40, 1, false, 1193 & 0xff);
    address_space_store(as, 0x40, 1, false, 1193 >> 8);
    rises = 0;
    int64_t start = clock_get_ns(CLOCK_VIRTUAL);
    while (clock_get_ns(CLOCK_VIRTUAL) - start < 200 * 1000 * 1000) {
        main_loop_iterate(true);
    }
    int64_t elapsed = clock_get_ns(CLOCK_VIRTUAL) - start;
    int expected = (int)(elapsed / 1000000);
    printf("pit: %d IRQ0 edges in %.1f ms of virtual time\n", rises, elapsed / 1e6);
    /* Every period's edge arrives, late ones replayed, unless the host
     * stalled us for more than 100 ms (then the PIT skips ahead). */
    ck_assert_int_le(rises, expected + 1);
    ck_assert_int_ge(rises, expected / 2);

    /* The RTC starts from the host's clock (UTC). */
    RtcState *rtc = mc146818_new(io, 0x70, NULL);
    uint64_t v;
    address_space_store(as, 0x70, 1, false, RTC_REG_B);
    address_space_store(as, 0x71, 1, false, 0x06); /* binary, 24 h */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    address_space_store(as, 0x70, 1, false, RTC_YEAR);
    address_space_load(as, 0x71, 1, false, &v);
    ck_assert_uint_eq(v, tm.tm_year % 100);
    address_space_store(as, 0x70, 1, false, RTC_MONTH);
    address_space_load(as, 0x71, 1, false, &v);
    ck_assert_uint_eq(v, tm.tm_mon + 1);

    mc146818_free(rtc);
    i8254_free(pit);
    irq_free(line);
    address_space_free(as);
    memory_region_free(io);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hw-realtime");
    TCase *tc = tcase_create("clocks");
    tcase_add_test(tc, test_pit_on_main_loop);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
