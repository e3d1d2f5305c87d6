/*
 * The GICv2 model (hw/intc/gic.c) at register level, as a guest kernel drives
 * it: enables, priority masking and preemption, SGIs between two CPUs, the
 * acknowledge/EOI flow, level versus edge inputs, banked PPIs.
 */
#include "hw/intc/gic.h"

#include <check.h>

#define DIST 0x08000000u
#define CPUI 0x08010000u

static AddressSpace *as;
static qemu_irq *outs; /* kept reachable for the leak checker */
static GICState *gic;
static int cur_cpu;
static int irq_level[2];

static int test_cpu_index(void *opaque)
{
    return cur_cpu;
}

static void cpu_irq(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static uint32_t rd(uint32_t addr)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, addr, 4, false, &v), MEMTX_OK);
    return (uint32_t)v;
}

static uint8_t rd8(uint32_t addr)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, addr, 1, false, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void wr(uint32_t addr, uint32_t v)
{
    ck_assert_int_eq(address_space_store(as, addr, 4, false, v), MEMTX_OK);
}

static void wr8(uint32_t addr, uint8_t v)
{
    ck_assert_int_eq(address_space_store(as, addr, 1, false, v), MEMTX_OK);
}

static void setup(void)
{
    MemoryRegion *sys = memory_region_new_container("sys", 1ull << 32);
    as = address_space_new(sys, "memory");
    cur_cpu = 0;
    irq_level[0] = irq_level[1] = 0;
    gic = gic_new(sys, DIST, CPUI, 2, 128, test_cpu_index, NULL);
    outs = irq_new_array(cpu_irq, NULL, 2);
    gic_connect_cpu(gic, 0, outs[0], NULL);
    gic_connect_cpu(gic, 1, outs[1], NULL);
    /* What Linux's gic_dist_init/gic_cpu_init do, on both CPUs. */
    wr(DIST + 0x000, 1);
    for (int c = 0; c < 2; c++) {
        cur_cpu = c;
        wr(CPUI + 0x04, 0xf0); /* PMR */
        wr(CPUI + 0x00, 1);    /* enable */
    }
    cur_cpu = 0;
}

/* Routes SPI n (ID 32+n) to `targets` at priority `prio` and enables it. */
static void spi_enable(int n, uint8_t prio, uint8_t targets)
{
    int id = 32 + n;
    wr8(DIST + 0x400 + id, prio);
    wr8(DIST + 0x800 + id, targets);
    wr(DIST + 0x100 + 4 * (id / 32), 1u << (id % 32));
}

START_TEST(test_identification)
{
    ck_assert_uint_eq(rd(DIST + 0x004), 0x23);          /* 4 x 32 IDs, 2 CPUs */
    ck_assert_uint_eq(rd(DIST + 0x008) & 0xfff, 0x43b); /* implementer ARM */
    ck_assert_uint_eq(rd(DIST + 0xfe8) >> 4, 2);        /* architecture GICv2 */
    ck_assert_uint_eq(rd(CPUI + 0xfc) >> 16, 0x0202);
    /* ITARGETSR of private interrupts reads as the reading CPU. */
    ck_assert_uint_eq(rd(DIST + 0x800) & 0xff, 1);
    cur_cpu = 1;
    ck_assert_uint_eq(rd(DIST + 0x800 + 16) & 0xff, 2);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 1023); /* nothing pending: spurious */
}
END_TEST

START_TEST(test_level_ack_eoi)
{
    spi_enable(1, 0xa0, 1);
    irq_set(gic_spi(gic, 1), 1);
    ck_assert_int_eq(irq_level[0], 1);
    ck_assert_int_eq(irq_level[1], 0);
    ck_assert_uint_eq(rd(DIST + 0x200 + 4) & 2, 2); /* ISPENDR1: ID 33 pending */
    ck_assert_uint_eq(rd(CPUI + 0x18), 33);         /* HPPIR */
    ck_assert_uint_eq(rd(CPUI + 0x0c), 33);         /* IAR */
    ck_assert_int_eq(irq_level[0], 0);              /* active: no longer signalled */
    ck_assert_uint_eq(rd(CPUI + 0x14), 0xa0);       /* running priority */
    ck_assert_uint_eq(rd(DIST + 0x300 + 4) & 2, 2); /* ISACTIVER1 */
    /* The device still holds the line: after EOI it is signalled again. */
    wr(CPUI + 0x10, 33);
    ck_assert_uint_eq(rd(CPUI + 0x14), 0xff);
    ck_assert_int_eq(irq_level[0], 1);
    irq_set(gic_spi(gic, 1), 0);
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_uint_eq(rd(DIST + 0x200 + 4) & 2, 0);
    /* Retargeted to CPU 1, disabled, re-enabled. */
    wr8(DIST + 0x800 + 33, 2);
    irq_set(gic_spi(gic, 1), 1);
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_int_eq(irq_level[1], 1);
    wr(DIST + 0x180 + 4, 2); /* ICENABLER */
    ck_assert_int_eq(irq_level[1], 0);
    ck_assert_uint_eq(rd(DIST + 0x100 + 4) & 2, 0);
    wr(DIST + 0x100 + 4, 2);
    ck_assert_int_eq(irq_level[1], 1);
    /* The distributor switch gates everything. */
    wr(DIST, 0);
    ck_assert_int_eq(irq_level[1], 0);
}
END_TEST

START_TEST(test_edge)
{
    spi_enable(2, 0x80, 1);
    /* ICFGR2 covers IDs 32..47: bit 2*(34-32)+1 makes ID 34 edge-triggered. */
    wr(DIST + 0xc00 + 8, 1u << 5);
    ck_assert_uint_eq(rd(DIST + 0xc00 + 8), 1u << 5);
    irq_pulse(gic_spi(gic, 2));
    ck_assert_int_eq(irq_level[0], 1); /* latched though the line is low again */
    ck_assert_uint_eq(rd(CPUI + 0x0c), 34);
    wr(CPUI + 0x10, 34);
    ck_assert_int_eq(irq_level[0], 0); /* one edge, one interrupt */
    /* Level-sensitive SPI 3 with the line low: nothing latched. */
    spi_enable(3, 0x80, 1);
    irq_pulse(gic_spi(gic, 3));
    ck_assert_int_eq(irq_level[0], 0);
    /* Software set/clear pending. */
    wr(DIST + 0x200 + 4, 1u << 3);
    ck_assert_int_eq(irq_level[0], 1);
    wr(DIST + 0x280 + 4, 1u << 3);
    ck_assert_int_eq(irq_level[0], 0);
    /* SGIs are edge-triggered whatever is written. */
    wr(DIST + 0xc00, 0);
    ck_assert_uint_eq(rd(DIST + 0xc00), 0xaaaaaaaau);
}
END_TEST

START_TEST(test_priority_mask_and_preemption)
{
    spi_enable(4, 0xc0, 1);
    spi_enable(5, 0x40, 1);
    spi_enable(6, 0xc0, 1);
    wr(CPUI + 0x04, 0xc0); /* PMR: only priorities below 0xc0 get through */
    irq_set(gic_spi(gic, 4), 1);
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 1023);
    wr(CPUI + 0x04, 0xf0);
    ck_assert_int_eq(irq_level[0], 1);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 36);
    /* A same-priority interrupt waits; a higher-priority one preempts. */
    irq_set(gic_spi(gic, 6), 1);
    ck_assert_int_eq(irq_level[0], 0);
    irq_set(gic_spi(gic, 5), 1);
    ck_assert_int_eq(irq_level[0], 1);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 37);
    ck_assert_uint_eq(rd(CPUI + 0x14), 0x40);
    irq_set(gic_spi(gic, 5), 0);
    wr(CPUI + 0x10, 37);
    ck_assert_uint_eq(rd(CPUI + 0x14), 0xc0);
    ck_assert_int_eq(irq_level[0], 0);
    irq_set(gic_spi(gic, 4), 0); /* the device is served before the EOI */
    wr(CPUI + 0x10, 36);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 38); /* the waiting one, now */
    /* Binary point 7: no group priority bits, nothing preempts. */
    wr(CPUI + 0x08, 7);
    ck_assert_uint_eq(rd(CPUI + 0x08), 7);
    irq_set(gic_spi(gic, 5), 1);
    ck_assert_int_eq(irq_level[0], 0);
    /* Ties between pending interrupts go to the lowest ID. */
    wr(CPUI + 0x10, 38);
    irq_set(gic_spi(gic, 4), 0);
    irq_set(gic_spi(gic, 6), 0);
    spi_enable(7, 0x40, 1);
    irq_set(gic_spi(gic, 7), 1);
    ck_assert_uint_eq(rd(CPUI + 0x0c), 37);
}
END_TEST

START_TEST(test_sgi_between_cpus)
{
    for (int c = 0; c < 2; c++) {
        cur_cpu = c;
        wr(DIST + 0x100, 0x0000ffff);
        wr8(DIST + 0x400 + 3, 0x80);
    }
    cur_cpu = 0;
    wr(DIST + 0xf00, (2u << 16) | 3); /* SGI 3 to CPU 1 */
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_int_eq(irq_level[1], 1);
    cur_cpu = 1;
    ck_assert_uint_eq(rd8(DIST + 0xf10 + 3), 1); /* pending from CPU 0 */
    ck_assert_uint_eq(rd(CPUI + 0x0c), 3);       /* source CPU 0 in bits 12:10 */
    wr(CPUI + 0x10, 3);
    ck_assert_int_eq(irq_level[1], 0);
    /* CPU 1 to everyone else (filter 1): CPU 0 sees source 1. */
    wr(DIST + 0xf00, (1u << 24) | 3);
    ck_assert_int_eq(irq_level[1], 0);
    cur_cpu = 0;
    ck_assert_int_eq(irq_level[0], 1);
    ck_assert_uint_eq(rd(CPUI + 0x0c), (1u << 10) | 3);
    wr(CPUI + 0x10, (1u << 10) | 3);
    /* Filter 2: to the sender itself. */
    wr(DIST + 0xf00, (2u << 24) | 3);
    ck_assert_int_eq(irq_level[0], 1);
    ck_assert_int_eq(irq_level[1], 0);
    wr8(DIST + 0xf10 + 3, 1); /* CPENDSGIR clears it */
    ck_assert_int_eq(irq_level[0], 0);
    /* Target-list bits of CPUs this GIC does not have (2-7) are ignored. */
    wr(DIST + 0xf00, (0xfcu << 16) | 3);
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_int_eq(irq_level[1], 0);
    ck_assert_uint_eq(rd8(DIST + 0xf10 + 3), 0);
    cur_cpu = 1;
    ck_assert_uint_eq(rd8(DIST + 0xf10 + 3), 0);
}
END_TEST

START_TEST(test_banked_ppi)
{
    for (int c = 0; c < 2; c++) {
        cur_cpu = c;
        wr(DIST + 0x100, 1u << 30);
        wr8(DIST + 0x400 + 30, 0xa0);
    }
    irq_set(gic_ppi(gic, 1, 30), 1);
    ck_assert_int_eq(irq_level[0], 0);
    ck_assert_int_eq(irq_level[1], 1);
    cur_cpu = 0;
    ck_assert_uint_eq(rd(DIST + 0x200) & (1u << 30), 0); /* CPU 0's bank: not pending */
    ck_assert_uint_eq(rd(CPUI + 0x0c), 1023);
    cur_cpu = 1;
    ck_assert_uint_eq(rd(CPUI + 0x0c), 30);
    /* EOImode 1: EOI drops priority, DIR deactivates. */
    wr(CPUI + 0x00, 1 | (1u << 9));
    irq_set(gic_ppi(gic, 1, 30), 0);
    wr(CPUI + 0x10, 30);
    ck_assert_uint_eq(rd(CPUI + 0x14), 0xff);
    ck_assert_uint_eq(rd(DIST + 0x300) & (1u << 30), 1u << 30);
    wr(CPUI + 0x1000, 30);
    ck_assert_uint_eq(rd(DIST + 0x300) & (1u << 30), 0);
}
END_TEST

static Suite *gic_suite(void)
{
    Suite *s = suite_create("gic");
    TCase *tc = tcase_create("gic");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_identification);
    tcase_add_test(tc, test_level_ack_eoi);
    tcase_add_test(tc, test_edge);
    tcase_add_test(tc, test_priority_mask_and_preemption);
    tcase_add_test(tc, test_sgi_between_cpus);
    tcase_add_test(tc, test_banked_ppi);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(gic_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
