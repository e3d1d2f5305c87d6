/*
 * Register-level tests of the cascaded 8259A pair (hw/intc/i8259.c) through
 * PC port I/O: initialisation, priorities, EOI forms, masks, triggering,
 * poll mode, rotation and the spurious vectors.
 */
#include "hw/intc/i8259.h"

#include <check.h>
#include <stdlib.h>

static MemoryRegion *io;
static AddressSpace *as;
static PicState *pic;
static int int_level;

static void int_handler(void *opaque, int n, int level)
{
    int_level = level;
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

static void set_irq(int n, int level)
{
    irq_set(i8259_irq(pic, n), level);
}

/* The PC BIOS / Linux sequence: vectors 0x20 and 0x28, slave on IR2. */
static void pic_init(uint8_t icw4)
{
    out8(0x20, 0x11);
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, icw4);
    out8(0xa0, 0x11);
    out8(0xa1, 0x28);
    out8(0xa1, 0x02);
    out8(0xa1, icw4);
    out8(0x21, 0x00);
    out8(0xa1, 0x00);
}

static uint8_t read_isr(uint16_t port)
{
    out8(port, 0x0b);
    uint8_t v = in8(port);
    out8(port, 0x0a);
    return v;
}

static qemu_irq out_irq;

static void setup(void)
{
    out_irq = irq_new(int_handler, NULL, 0);
    io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    int_level = 0;
    pic = i8259_new(io, out_irq);
    pic_init(0x01);
}

static void teardown(void)
{
    i8259_free(pic);
    address_space_free(as);
    memory_region_free(io);
    irq_free(out_irq);
}

START_TEST(test_basic_priority_and_eoi)
{
    set_irq(1, 1);
    ck_assert_int_eq(int_level, 1);
    ck_assert_uint_eq(in8(0x20), 0x02); /* IRR */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    ck_assert_int_eq(int_level, 0);
    ck_assert_uint_eq(read_isr(0x20), 0x02);
    ck_assert_uint_eq(in8(0x20), 0x00); /* edge: IRR cleared by INTA */
    set_irq(3, 1);                      /* lower priority: waits */
    ck_assert_int_eq(int_level, 0);
    set_irq(0, 1); /* higher priority: nests */
    ck_assert_int_eq(int_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x20);
    ck_assert_uint_eq(read_isr(0x20), 0x03);
    out8(0x20, 0x20); /* non-specific EOI: clears IRQ0 */
    ck_assert_uint_eq(read_isr(0x20), 0x02);
    ck_assert_int_eq(int_level, 0);
    out8(0x20, 0x61); /* specific EOI for IRQ1 */
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    ck_assert_int_eq(int_level, 1); /* IRQ3 now */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
}
END_TEST

START_TEST(test_cascade)
{
    set_irq(10, 1);
    ck_assert_int_eq(int_level, 1);
    ck_assert_uint_eq(in8(0xa0), 0x04);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2a);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(read_isr(0xa0), 0x04);
    ck_assert_int_eq(int_level, 0);
    /* IRQ8 has higher priority than 10 on the slave, but the master's IR2
     * is in service: fully nested mode blocks it until the master's EOI. */
    set_irq(8, 1);
    ck_assert_int_eq(int_level, 0);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    ck_assert_int_eq(int_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x28);
}
END_TEST

START_TEST(test_special_fully_nested)
{
    pic_init(0x11); /* SFNM */
    set_irq(10, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2a);
    set_irq(8, 1);
    ck_assert_int_eq(int_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x28);
}
END_TEST

START_TEST(test_mask)
{
    out8(0x21, 0xff);
    ck_assert_uint_eq(in8(0x21), 0xff);
    set_irq(4, 1);
    ck_assert_int_eq(int_level, 0);
    ck_assert_uint_eq(in8(0x20), 0x10); /* still requested */
    out8(0x21, 0xef);
    ck_assert_int_eq(int_level, 1);
    /* Masking the cascade hides the whole slave. */
    out8(0x21, 0x04 | 0x10);
    set_irq(12, 1);
    ck_assert_int_eq(int_level, 0);
    out8(0x21, 0x10);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2c);
}
END_TEST

START_TEST(test_spurious)
{
    /* A level-triggered request that goes away before INTA. */
    out8(0x4d0, 0x20);
    ck_assert_uint_eq(in8(0x4d0), 0x20);
    set_irq(5, 1);
    ck_assert_int_eq(int_level, 1);
    set_irq(5, 0);
    ck_assert_int_eq(int_level, 0);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x27);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    /* Same on the slave (level IRQ 11 dropping before INTA): the master
     * latched IR2, so the master acknowledges the cascade and the slave
     * answers with IRQ 15's vector. */
    out8(0x4d1, 0x08);
    set_irq(11, 1);
    ck_assert_int_eq(int_level, 1);
    set_irq(11, 0);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2f);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(read_isr(0xa0), 0x00);
    /* IRQ0-2, 8 and 13 cannot be level-triggered. */
    out8(0x4d0, 0xff);
    ck_assert_uint_eq(in8(0x4d0), 0xf8);
    out8(0x4d1, 0xff);
    ck_assert_uint_eq(in8(0x4d1), 0xde);
}
END_TEST

START_TEST(test_spurious_slave)
{
    /* Edge request on IRQ 9 latched by the master through IR2, then the
     * slave's own request is masked before INTA: vector for IRQ 15. */
    set_irq(9, 1);
    ck_assert_int_eq(int_level, 1);
    /* Mask on the slave: the slave's INT drops, but the master already
     * latched the rising edge of IR2 in its IRR (edge-triggered). */
    out8(0xa1, 0x02);
    ck_assert_uint_eq(in8(0x20) & 0x04, 0x04);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2f);
    ck_assert_uint_eq(read_isr(0x20), 0x04);
    ck_assert_uint_eq(read_isr(0xa0), 0x00);
}
END_TEST

START_TEST(test_edge_vs_level)
{
    set_irq(3, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    out8(0x20, 0x20);
    ck_assert_int_eq(int_level, 0); /* held high: no new edge */
    set_irq(3, 0);
    set_irq(3, 1);
    ck_assert_int_eq(int_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    out8(0x20, 0x20);
    set_irq(3, 0);
    /* Level mode: requests again after EOI while the line stays high. */
    out8(0x4d0, 0x08);
    set_irq(3, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    ck_assert_uint_eq(in8(0x20), 0x08); /* IRR follows the line */
    ck_assert_int_eq(int_level, 0);
    out8(0x20, 0x20);
    ck_assert_int_eq(int_level, 1);
    set_irq(3, 0);
    ck_assert_int_eq(int_level, 0);
    /* ICW1's LTIM makes every input level-triggered. */
    out8(0x20, 0x19);
    out8(0x21, 0x20);
    out8(0x21, 0x04);
    out8(0x21, 0x01);
    out8(0x21, 0x00);
    set_irq(1, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    ck_assert_uint_eq(in8(0x20), 0x02);
}
END_TEST

START_TEST(test_auto_eoi)
{
    pic_init(0x03);
    set_irq(6, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x26);
    ck_assert_uint_eq(read_isr(0x20), 0x00);
    set_irq(7, 1);
    ck_assert_int_eq(int_level, 1);
    /* Rotate in automatic EOI mode: the served level becomes the lowest. */
    out8(0x20, 0x80);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x27);
    set_irq(7, 0);
    set_irq(4, 1);
    set_irq(7, 1);
    set_irq(0, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x20); /* 0 follows 7 */
}
END_TEST

START_TEST(test_rotation)
{
    out8(0x20, 0xc3); /* set priority: IRQ3 lowest, so IRQ4 highest */
    set_irq(1, 1);
    set_irq(5, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    out8(0x20, 0xa0); /* rotate on non-specific EOI: 5 becomes lowest */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x21);
    out8(0x20, 0xe1); /* rotate on specific EOI of 1 */
    set_irq(0, 1);
    set_irq(2 + 1, 1);
    /* Order now 2,3,...,7,0,1: IRQ3 before IRQ0. */
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
}
END_TEST

START_TEST(test_special_mask)
{
    set_irq(3, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x23);
    set_irq(5, 1);
    ck_assert_int_eq(int_level, 0);
    out8(0x21, 0x08); /* mask the in-service level */
    out8(0x20, 0x68); /* enter special mask mode */
    ck_assert_int_eq(int_level, 1);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x25);
    out8(0x20, 0x48); /* leave it */
    ck_assert_uint_eq(read_isr(0x20), 0x28);
}
END_TEST

START_TEST(test_poll)
{
    out8(0x21, 0xff); /* a polling OS masks everything */
    out8(0x20, 0x0c);
    ck_assert_uint_eq(in8(0x20), 0x00); /* nothing: masked requests do not count */
    out8(0x21, 0x00);
    set_irq(6, 1);
    out8(0x20, 0x0c);
    ck_assert_uint_eq(in8(0x20), 0x86);
    ck_assert_uint_eq(read_isr(0x20), 0x40);
    ck_assert_uint_eq(in8(0x20), 0x00); /* back to IRR reads */
}
END_TEST

START_TEST(test_save_load)
{
    set_irq(10, 1);
    i8259_acknowledge(pic);
    out8(0x21, 0x30);
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    device_reset_all();
    ck_assert_uint_eq(in8(0x21), 0x00);
    size_t len;
    const void *d = state_stream_data(w, &len);
    StateStream *r = state_stream_new_reader(d, len);
    ck_assert(device_load_all(r, NULL));
    ck_assert_uint_eq(in8(0x21), 0x30);
    ck_assert_uint_eq(read_isr(0xa0), 0x04);
    set_irq(13, 1);
    set_irq(10, 0);
    out8(0xa0, 0x20);
    out8(0x20, 0x20);
    ck_assert_int_eq(i8259_acknowledge(pic), 0x2d); /* vectors survived */
    state_stream_free(r);
    state_stream_free(w);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("i8259");
    TCase *tc = tcase_create("pic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_basic_priority_and_eoi);
    tcase_add_test(tc, test_cascade);
    tcase_add_test(tc, test_special_fully_nested);
    tcase_add_test(tc, test_mask);
    tcase_add_test(tc, test_spurious);
    tcase_add_test(tc, test_spurious_slave);
    tcase_add_test(tc, test_edge_vs_level);
    tcase_add_test(tc, test_auto_eoi);
    tcase_add_test(tc, test_rotation);
    tcase_add_test(tc, test_special_mask);
    tcase_add_test(tc, test_poll);
    tcase_add_test(tc, test_save_load);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
