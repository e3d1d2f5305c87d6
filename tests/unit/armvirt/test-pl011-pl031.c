/*
 * The PL011 UART and PL031 RTC of the virt board (hw/char/pl011.c,
 * hw/rtc/pl031.c) against the test clock and serial line of
 * tests/unit/hw/fakes.c: bytes out and in, FIFO depth and flags, interrupt
 * raw/masked/clear, ID registers; the RTC's seconds, load and match alarm.
 */
#include "hw/char/pl011.h"
#include "hw/rtc/pl031.h"
#include "tests/unit/hw/fakes.h"

#include <check.h>
#include <string.h>

#define UART 0x09000000u
#define RTC  0x09010000u

static AddressSpace *as;
static qemu_irq *lines; /* kept reachable for the leak checker */
static Chardev *chr;
static int uart_irq, rtc_irq;

static void irq_handler(void *opaque, int n, int level)
{
    *(n ? &rtc_irq : &uart_irq) = level;
}

static uint32_t rd(uint32_t addr)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, addr, 4, false, &v), MEMTX_OK);
    return (uint32_t)v;
}

static void wr(uint32_t addr, uint32_t v)
{
    ck_assert_int_eq(address_space_store(as, addr, 4, false, v), MEMTX_OK);
}

static void setup(void)
{
    MemoryRegion *sys = memory_region_new_container("sys", 1ull << 32);
    as = address_space_new(sys, "memory");
    chr = fake_chardev_new();
    lines = irq_new_array(irq_handler, NULL, 2);
    uart_irq = rtc_irq = 0;
    pl011_new(sys, UART, lines[0], chr);
    fake_clock_set_host(1700000000LL * NANOSECONDS_PER_SECOND);
    pl031_new(sys, RTC, lines[1]);
}

START_TEST(test_pl011_ids_and_reset)
{
    static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(UART + 0xfe0 + 4 * i), id[i]);
    }
    ck_assert_uint_eq(rd(UART + 0x30), 0x300); /* CR: TXE|RXE */
    ck_assert_uint_eq(rd(UART + 0x34), 0x12);  /* IFLS: half full */
    ck_assert_uint_eq(rd(UART + 0x18), 0x90);  /* FR: TXFE|RXFE */
    wr(UART + 0x24, 13);
    wr(UART + 0x28, 0x3f | 0x40);
    ck_assert_uint_eq(rd(UART + 0x24), 13);
    ck_assert_uint_eq(rd(UART + 0x28), 0x3f);
}
END_TEST

START_TEST(test_pl011_transmit)
{
    wr(UART + 0x30, 0x301);
    wr(UART + 0x38, 1u << 5); /* TXIM */
    const char *msg = "hello, ttyAMA0\n";
    for (const char *p = msg; *p; p++) {
        ck_assert_uint_eq(rd(UART + 0x18) & (1u << 5), 0); /* never TXFF */
        wr(UART + 0x00, (uint8_t)*p);
    }
    size_t len;
    const char *out = fake_chardev_output(chr, &len);
    ck_assert_uint_eq(len, strlen(msg));
    ck_assert(memcmp(out, msg, len) == 0);
    ck_assert_uint_eq(rd(UART + 0x40), 1u << 5); /* TX interrupt: FIFO drained */
    ck_assert_int_eq(uart_irq, 1);
    wr(UART + 0x44, 1u << 5);
    ck_assert_uint_eq(rd(UART + 0x3c) & (1u << 5), 0);
    ck_assert_int_eq(uart_irq, 0);
}
END_TEST

START_TEST(test_pl011_receive_fifo)
{
    wr(UART + 0x2c, 0x70);                  /* LCR_H: 8 bits, FIFO on */
    wr(UART + 0x38, (1u << 4) | (1u << 6)); /* RXIM | RTIM */
    const uint8_t in[20] = "0123456789abcdefghij";
    ck_assert_uint_eq(fake_chardev_send(chr, in, 3), 3);
    /* Below the trigger level (8): only the timeout interrupt. */
    ck_assert_uint_eq(rd(UART + 0x3c) & 0x50, 1u << 6);
    ck_assert_int_eq(uart_irq, 1);
    ck_assert_uint_eq(fake_chardev_send(chr, in + 3, 17), 13); /* 16 deep */
    ck_assert_uint_eq(rd(UART + 0x40) & 0x50, 0x50);
    ck_assert_uint_eq(rd(UART + 0x18) & 0x50, 0x40); /* RXFF, not RXFE */
    for (int i = 0; i < 16; i++) {
        ck_assert_uint_eq(rd(UART + 0x00), in[i]);
    }
    ck_assert_uint_eq(rd(UART + 0x18) & 0x50, 0x10); /* RXFE */
    ck_assert_uint_eq(rd(UART + 0x3c) & 0x50, 0);
    ck_assert_int_eq(uart_irq, 0);
    /* FIFO off: one character holding register. */
    wr(UART + 0x2c, 0x60);
    ck_assert_uint_eq(fake_chardev_send(chr, in, 2), 1);
    ck_assert_uint_eq(rd(UART + 0x3c) & (1u << 4), 1u << 4);
    ck_assert_uint_eq(rd(UART + 0x18) & 0x40, 0x40);
    ck_assert_uint_eq(rd(UART + 0x00), '0');
    /* Masked interrupts stay raw only. */
    wr(UART + 0x38, 0);
    fake_chardev_send(chr, in, 1);
    ck_assert_uint_ne(rd(UART + 0x3c), 0);
    ck_assert_uint_eq(rd(UART + 0x40), 0);
    ck_assert_int_eq(uart_irq, 0);
}
END_TEST

START_TEST(test_pl031)
{
    static const uint8_t id[8] = {0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(rd(RTC + 0xfe0 + 4 * i), id[i]);
    }
    ck_assert_uint_eq(rd(RTC + 0x00), 1700000000u); /* the host's time at start */
    ck_assert_uint_eq(rd(RTC + 0x0c), 1);
    fake_clock_advance(5 * NANOSECONDS_PER_SECOND);
    ck_assert_uint_eq(rd(RTC + 0x00), 1700000005u);
    wr(RTC + 0x08, 1000); /* load */
    ck_assert_uint_eq(rd(RTC + 0x00), 1000);
    ck_assert_uint_eq(rd(RTC + 0x08), 1000);
    wr(RTC + 0x04, 1003); /* match in 3 s */
    wr(RTC + 0x10, 1);
    fake_clock_advance(2 * NANOSECONDS_PER_SECOND);
    ck_assert_uint_eq(rd(RTC + 0x14), 0);
    ck_assert_int_eq(rtc_irq, 0);
    fake_clock_advance(1 * NANOSECONDS_PER_SECOND);
    ck_assert_uint_eq(rd(RTC + 0x00), 1003);
    ck_assert_uint_eq(rd(RTC + 0x14), 1);
    ck_assert_uint_eq(rd(RTC + 0x18), 1);
    ck_assert_int_eq(rtc_irq, 1);
    wr(RTC + 0x1c, 1);
    ck_assert_uint_eq(rd(RTC + 0x14), 0);
    ck_assert_int_eq(rtc_irq, 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pl011-pl031");
    TCase *tc = tcase_create("devices");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_pl011_ids_and_reset);
    tcase_add_test(tc, test_pl011_transmit);
    tcase_add_test(tc, test_pl011_receive_fifo);
    tcase_add_test(tc, test_pl031);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
