/*
 * Register-level tests of the 16550A UART (hw/char/serial.c), driven through
 * an I/O address space the way a guest's in/out instructions reach it.
 */
#include "fakes.h"
#include "hw/char/serial.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define BASE 0x3f8

static MemoryRegion *io;
static AddressSpace *as;
static Chardev *chr;
static SerialState *uart;
static int irq_level;
static int irq_edges;

static void irq_handler(void *opaque, int n, int level)
{
    if (level && !irq_level) {
        irq_edges++;
    }
    irq_level = level;
}

static uint8_t in8(int reg)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, BASE + reg, 1, false, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void out8(int reg, uint8_t v)
{
    ck_assert_int_eq(address_space_store(as, BASE + reg, 1, false, v), MEMTX_OK);
}

static qemu_irq out_irq;

static void setup(void)
{
    out_irq = irq_new(irq_handler, NULL, 0);
    io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    chr = fake_chardev_new();
    irq_level = 0;
    irq_edges = 0;
    uart = serial_new(io, BASE, 0, out_irq, chr, DEVICE_LITTLE_ENDIAN);
}

static void teardown(void)
{
    serial_free(uart);
    address_space_free(as);
    memory_region_free(io);
    chardev_free(chr);
    irq_free(out_irq);
}

START_TEST(test_reset_values)
{
    ck_assert_uint_eq(in8(2), 0x01); /* IIR: nothing pending, no FIFO */
    ck_assert_uint_eq(in8(5), 0x60); /* LSR: THRE | TEMT */
    ck_assert_uint_eq(in8(6), 0xb0); /* MSR: DCD | DSR | CTS */
    ck_assert_uint_eq(in8(1), 0x00);
    ck_assert_uint_eq(in8(3), 0x00);
    ck_assert_uint_eq(in8(4), 0x00);
    out8(7, 0xa5);
    ck_assert_uint_eq(in8(7), 0xa5);
    ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(test_transmit_and_thre)
{
    out8(0, 'h');
    out8(0, 'i');
    size_t len;
    ck_assert_str_eq(fake_chardev_output(chr, &len), "hi");
    ck_assert_int_eq(irq_level, 0); /* THRE interrupt not enabled */
    out8(1, 0x02);                  /* ETBEI: THR is empty, so it fires at once */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0x02);
    ck_assert_int_eq(irq_level, 0); /* reading IIR acknowledged it */
    ck_assert_uint_eq(in8(2), 0x01);
    out8(0, '!');
    ck_assert_int_eq(irq_level, 1);
    ck_assert_str_eq(fake_chardev_output(chr, NULL), "hi!");
    out8(0, 'x'); /* writing THR also clears it, then it is empty again */
    ck_assert_uint_eq(in8(2), 0x02);
}
END_TEST

START_TEST(test_receive_no_fifo)
{
    ck_assert_uint_eq(fake_chardev_send(chr, (const uint8_t *)"ab", 2), 1);
    ck_assert_uint_eq(in8(5), 0x61); /* DR */
    ck_assert_int_eq(irq_level, 0);
    out8(1, 0x01); /* ERBFI */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0x04);
    int calls = fake_chardev_accept_calls(chr);
    ck_assert_uint_eq(in8(0), 'a');
    ck_assert_int_eq(fake_chardev_accept_calls(chr), calls + 1);
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(in8(5), 0x60);
    ck_assert_uint_eq(fake_chardev_send(chr, (const uint8_t *)"b", 1), 1);
    ck_assert_uint_eq(in8(0), 'b');
}
END_TEST

START_TEST(test_fifo_trigger_and_timeout)
{
    out8(3, 0x03);                   /* 8N1 */
    out8(2, 0xc7);                   /* FIFO on, clear both, trigger 14 */
    ck_assert_uint_eq(in8(2), 0xc1); /* FIFO bits in IIR */
    out8(1, 0x01);
    uint8_t data[20];
    for (int i = 0; i < 20; i++) {
        data[i] = (uint8_t)('A' + i);
    }
    ck_assert_uint_eq(fake_chardev_send(chr, data, 10), 10);
    ck_assert_int_eq(irq_level, 0); /* below the trigger level */
    /* 4 characters of 10 bits at 9600 baud: ~4.17 ms. */
    fake_clock_advance(4000000);
    ck_assert_int_eq(irq_level, 0);
    fake_clock_advance(200000);
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0xcc); /* character timeout */
    ck_assert_uint_eq(in8(0), 'A');
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(fake_chardev_send(chr, data + 10, 5), 5); /* 14 in the FIFO */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0xc4);
    /* The FIFO holds 16: only 2 more are accepted. */
    ck_assert_uint_eq(fake_chardev_send(chr, data + 15, 5), 2);
    char got[17] = {0};
    for (int i = 0; i < 16; i++) {
        got[i] = (char)in8(0);
    }
    ck_assert_str_eq(got, "BCDEFGHIJKLMNOPQ");
    ck_assert_uint_eq(in8(5) & 1, 0);
    ck_assert_int_eq(irq_level, 0);
    /* Trigger level 4. */
    out8(2, 0x41);
    fake_chardev_send(chr, data, 3);
    ck_assert_int_eq(irq_level, 0);
    fake_chardev_send(chr, data, 1);
    ck_assert_int_eq(irq_level, 1);
    /* FCR writes without FCR0 are ignored apart from turning the FIFO off. */
    out8(2, 0x02);
    ck_assert_uint_eq(in8(2) & 0xc0, 0);
    ck_assert_uint_eq(in8(5) & 1, 0); /* leaving FIFO mode emptied it */
}
END_TEST

START_TEST(test_loopback_overrun_rls)
{
    out8(4, 0x10); /* loop */
    out8(1, 0x05); /* RLS + RDA */
    out8(0, 'x');
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0x04);
    out8(0, 'y');                    /* overruns the single holding register */
    ck_assert_uint_eq(in8(2), 0x06); /* line status has priority */
    ck_assert_uint_eq(in8(5), 0x63); /* DR | OE | THRE | TEMT; read clears OE */
    ck_assert_uint_eq(in8(2), 0x04);
    ck_assert_uint_eq(in8(0), 'y');
    ck_assert_int_eq(irq_level, 0);
    ck_assert_str_eq(fake_chardev_output(chr, NULL), ""); /* nothing left the chip */
    /* Input from the line is held off while looping. */
    ck_assert_uint_eq(fake_chardev_send(chr, (const uint8_t *)"z", 1), 0);
}
END_TEST

START_TEST(test_modem_status)
{
    out8(1, 0x08); /* modem status interrupt */
    ck_assert_int_eq(irq_level, 0);
    out8(4, 0x1a); /* loop, OUT2, RTS: the Linux autoconfig probe */
    ck_assert_int_eq(irq_level, 1);
    ck_assert_uint_eq(in8(2), 0x00);
    ck_assert_uint_eq(in8(6), 0x92); /* DCD | CTS, DSR dropped (delta DSR) */
    ck_assert_int_eq(irq_level, 0);
    ck_assert_uint_eq(in8(6), 0x90);
    out8(4, 0x1f); /* DTR and OUT1 too */
    ck_assert_uint_eq(in8(6), 0xf2);
    out8(4, 0x1b); /* OUT1 off: trailing edge of RI */
    ck_assert_uint_eq(in8(6), 0xb4);
}
END_TEST

START_TEST(test_divisor_latch)
{
    out8(3, 0x83);
    out8(0, 0x01);
    out8(1, 0x02);
    ck_assert_uint_eq(in8(0), 0x01);
    ck_assert_uint_eq(in8(1), 0x02);
    out8(3, 0x03);
    ck_assert_uint_eq(in8(1), 0x00); /* IER again */
    ck_assert_str_eq(fake_chardev_output(chr, NULL), "");
    out8(3, 0x83);
    ck_assert_uint_eq(in8(0), 0x01);
}
END_TEST

START_TEST(test_priority_order)
{
    out8(4, 0x10);
    out8(2, 0x01); /* FIFO, trigger 1 */
    out8(0, 'a');
    out8(1, 0x0f);
    /* RDA and THRE both pending: RDA wins. */
    ck_assert_uint_eq(in8(2), 0xc4);
    in8(0);
    ck_assert_uint_eq(in8(2), 0xc2);
    /* Entering loopback dropped CTS/DSR/DCD: modem status comes last. */
    ck_assert_uint_eq(in8(2), 0xc0);
    ck_assert_uint_eq(in8(6), 0x0b);
    ck_assert_uint_eq(in8(2), 0xc1);
}
END_TEST

START_TEST(test_save_load)
{
    out8(3, 0x03);
    out8(2, 0x81);
    out8(1, 0x01);
    out8(7, 0x42);
    fake_chardev_send(chr, (const uint8_t *)"xyz", 3);
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    device_reset_all();
    ck_assert_uint_eq(in8(7), 0x00);
    ck_assert_uint_eq(in8(5) & 1, 0);
    size_t len;
    const void *d = state_stream_data(w, &len);
    StateStream *r = state_stream_new_reader(d, len);
    char *err = NULL;
    ck_assert_msg(device_load_all(r, &err), "%s", err ? err : "");
    ck_assert_uint_eq(in8(7), 0x42);
    ck_assert_uint_eq(in8(3), 0x03);
    ck_assert_uint_eq(in8(0), 'x');
    ck_assert_uint_eq(in8(0), 'y');
    ck_assert_uint_eq(in8(0), 'z');
    state_stream_free(r);
    state_stream_free(w);
}
END_TEST

/* A UART on a 32-bit big-endian bus, registers 4 bytes apart: the register
 * byte is in the last lane of each slot. */
START_TEST(test_regshift_big_endian)
{
    MemoryRegion *bus = memory_region_new_container("bus", 0x10000);
    AddressSpace *bas = address_space_new(bus, "bus");
    Chardev *c2 = fake_chardev_new();
    SerialState *u2 = serial_new(bus, 0x1000, 2, NULL, c2, DEVICE_BIG_ENDIAN);
    ck_assert_uint_eq(memory_region_size(serial_region(u2)), 32);
    uint64_t v;
    address_space_store(bas, 0x1000 + (7 << 2) + 3, 1, true, 0x5a);
    address_space_load(bas, 0x1000 + (7 << 2), 4, true, &v);
    ck_assert_uint_eq(v, 0x5a);
    address_space_load(bas, 0x1000 + (7 << 2), 1, true, &v);
    ck_assert_uint_eq(v, 0);
    address_space_store(bas, 0x1000, 4, true, 'Q'); /* THR as a word */
    ck_assert_str_eq(fake_chardev_output(c2, NULL), "Q");
    address_space_load(bas, 0x1000 + (5 << 2) + 3, 1, true, &v);
    ck_assert_uint_eq(v, 0x60);
    /* Byte writes to THR and byte reads of RBR in loopback: no access to one
     * lane may touch the register through another. */
    address_space_store(bas, 0x1000 + (4 << 2) + 3, 1, true, 0x10); /* MCR: loop */
    address_space_store(bas, 0x1000 + (2 << 2) + 3, 1, true, 0x01); /* FIFO on */
    address_space_store(bas, 0x1000 + 3, 1, true, 'a');
    address_space_store(bas, 0x1000 + 3, 1, true, 'b');
    address_space_load(bas, 0x1000 + 2, 2, true, &v); /* lanes 2-3 as a halfword */
    ck_assert_uint_eq(v, 'a');
    address_space_load(bas, 0x1000 + 0, 2, true, &v); /* lanes 0-1: no register */
    ck_assert_uint_eq(v, 0);
    address_space_load(bas, 0x1000 + 3, 1, true, &v);
    ck_assert_uint_eq(v, 'b');
    serial_free(u2);
    address_space_free(bas);
    memory_region_free(bus);
    chardev_free(c2);
}
END_TEST

/* The Malta's CBUS UART: registers 8 bytes apart, accessed as 32-bit words
 * at the start of each slot, in the CPU's byte order (UPIO_MEM32/MEM32BE). */
START_TEST(test_regshift3_words)
{
    for (int be = 0; be < 2; be++) {
        MemoryRegion *bus = memory_region_new_container("bus", 0x10000);
        AddressSpace *bas = address_space_new(bus, "bus");
        Chardev *c2 = fake_chardev_new();
        SerialState *u =
            serial_new(bus, 0x900, 3, NULL, c2, be ? DEVICE_BIG_ENDIAN : DEVICE_LITTLE_ENDIAN);
        ck_assert_uint_eq(memory_region_size(serial_region(u)), 64);
        uint64_t v;
        address_space_store(bas, 0x900 + (7 << 3), 4, be, 0xa5);
        address_space_load(bas, 0x900 + (7 << 3), 4, be, &v);
        ck_assert_uint_eq(v, 0xa5);
        address_space_load(bas, 0x900 + (5 << 3), 4, be, &v);
        ck_assert_uint_eq(v, 0x60);
        address_space_load(bas, 0x900 + (5 << 3) + 4, 4, be, &v); /* upper half of slot */
        ck_assert_uint_eq(v, 0);
        address_space_store(bas, 0x900, 4, be, 'M');
        ck_assert_str_eq(fake_chardev_output(c2, NULL), "M");
        serial_free(u);
        address_space_free(bas);
        memory_region_free(bus);
        chardev_free(c2);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tcase_create("16550a");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_reset_values);
    tcase_add_test(tc, test_transmit_and_thre);
    tcase_add_test(tc, test_receive_no_fifo);
    tcase_add_test(tc, test_fifo_trigger_and_timeout);
    tcase_add_test(tc, test_loopback_overrun_rls);
    tcase_add_test(tc, test_modem_status);
    tcase_add_test(tc, test_divisor_latch);
    tcase_add_test(tc, test_priority_order);
    tcase_add_test(tc, test_save_load);
    tcase_add_test(tc, test_regshift_big_endian);
    tcase_add_test(tc, test_regshift3_words);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
