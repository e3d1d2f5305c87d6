/*
 * virtio-pci: a driver walks the vendor capabilities and drives virtio-blk
 * through the modern BAR, and virtio-rng through the legacy I/O BAR; INTx
 * follows the ISR.
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "block/block-io.h"
#include "block/block.h"
#include "hw/pci/pci.h"
#include "system/main-loop.h"
#include "tests/unit/scratch.h"
#include "vdriver.h"

#define PCIMEM_BASE 0x40000000ull
#define BAR1_ADDR   0x100000u
#define BAR0_PORT   0x1000u
#define DEVFN       PCI_DEVFN(3, 0)

typedef struct PciTest {
    VDriver d;
    MemoryRegion *pcimem, *pciio;
    AddressSpace *io_as;
    PCIBus *bus;
    int intx;
    uint32_t common, notify, isr, device, notify_mult;
} PciTest;

static PciTest *cur;

static int map_irq(PCIDevice *d, int pin)
{
    return pin;
}

static void set_irq(void *opaque, int line, int level)
{
    PciTest *t = opaque;
    t->intx = level;
}

static uint32_t cfg_read(PciTest *t, uint32_t addr, int len)
{
    return pci_bus_config_read(t->bus, 0, DEVFN, addr, len);
}

static uint64_t mem_rd(PciTest *t, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(address_space_load(t->d.as, PCIMEM_BASE + BAR1_ADDR + off, size, false, &v),
                     MEMTX_OK);
    return v;
}

static void mem_wr(PciTest *t, uint32_t off, unsigned size, uint64_t v)
{
    ck_assert_int_eq(address_space_store(t->d.as, PCIMEM_BASE + BAR1_ADDR + off, size, false, v),
                     MEMTX_OK);
}

static uint64_t io_rd(PciTest *t, uint32_t off, unsigned size)
{
    uint64_t v = 0;
    ck_assert_int_eq(address_space_load(t->io_as, BAR0_PORT + off, size, false, &v), MEMTX_OK);
    return v;
}

static void io_wr(PciTest *t, uint32_t off, unsigned size, uint64_t v)
{
    ck_assert_int_eq(address_space_store(t->io_as, BAR0_PORT + off, size, false, v), MEMTX_OK);
}

static void modern_kick(VDriver *d, int q)
{
    PciTest *t = cur;
    mem_wr(t, 0x16, 2, q);
    uint32_t noff = mem_rd(t, 0x1e, 2);
    mem_wr(t, t->notify + noff * t->notify_mult, 2, q);
}

static void legacy_kick(VDriver *d, int q)
{
    io_wr(cur, 0x10, 2, q);
}

static void pci_setup(PciTest *t, VirtIODevice *vdev)
{
    char *err = NULL;
    cur = t;
    vd_setup(&t->d, false);
    t->pcimem = memory_region_new_container("pcimem", 0x10000000);
    memory_region_add_subregion(t->d.sys, PCIMEM_BASE, t->pcimem);
    t->pciio = memory_region_new_container("pciio", 0x10000);
    t->io_as = address_space_new(t->pciio, "io");
    t->bus = pci_bus_new("pci", t->pcimem, t->pciio, map_irq, set_irq, t, 4);
    ck_assert_ptr_nonnull(virtio_pci_new(t->bus, DEVFN, vdev, t->d.as, &err));
    err = NULL;
    ck_assert_ptr_null(virtio_pci_new(t->bus, DEVFN, vdev, t->d.as, &err));
    ck_assert_ptr_nonnull(strstr(err, "taken"));
    g_free(err);
    device_reset_all();
    ck_assert_uint_eq(cfg_read(t, PCI_VENDOR_ID, 2), 0x1af4);
    ck_assert_uint_eq(cfg_read(t, PCI_SUBSYSTEM_ID, 2), vdev->device_id);
    pci_bus_config_write(t->bus, 0, DEVFN, PCI_BASE_ADDRESS_0, BAR0_PORT, 4);
    pci_bus_config_write(t->bus, 0, DEVFN, PCI_BASE_ADDRESS_0 + 4, BAR1_ADDR, 4);
    pci_bus_config_write(t->bus, 0, DEVFN, PCI_COMMAND, 7, 2);
    /* Walk the capability list as a driver does. */
    ck_assert(cfg_read(t, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    int found = 0;
    for (uint32_t pos = cfg_read(t, PCI_CAPABILITY_LIST, 1); pos; pos = cfg_read(t, pos + 1, 1)) {
        ck_assert_uint_eq(cfg_read(t, pos, 1), 0x09);
        ck_assert_uint_eq(cfg_read(t, pos + 4, 1), 1); /* BAR 1 */
        uint32_t off = cfg_read(t, pos + 8, 4);
        switch (cfg_read(t, pos + 3, 1)) {
        case 1: t->common = off; break;
        case 2:
            t->notify = off;
            t->notify_mult = cfg_read(t, pos + 16, 4);
            break;
        case 3: t->isr = off; break;
        case 4: t->device = off; break;
        }
        found++;
    }
    ck_assert_int_eq(found, 4);
}

START_TEST(test_pci_modern_blk)
{
    PciTest t;
    char tmpl[256];
    scratch_dir(tmpl, sizeof(tmpl), "mimic-vpci");
    char *path = g_strdup_printf("%s/disk.raw", tmpl), *err = NULL;
    ck_assert_int_eq(block_create(path, "raw", 1 << 20, NULL, &err), 0);
    DriveOptions o = {.file = path, .iface = DRIVE_IF_VIRTIO, .index = -1, .bus = -1, .unit = -1};
    Drive *drv = drive_open(&o, &err);
    ck_assert_ptr_nonnull(drv);
    pci_setup(&t, virtio_blk_new(drv, &err));
    ck_assert_uint_eq(cfg_read(&t, PCI_DEVICE_ID, 2), 0x1001);
    t.d.kick = modern_kick;

    /* Modern initialisation through the common configuration. */
    uint32_t c = t.common;
    mem_wr(&t, c + 0x14, 1, 0);
    mem_wr(&t, c + 0x14, 1, 3);
    mem_wr(&t, c + 0x00, 4, 1);
    ck_assert(mem_rd(&t, c + 0x04, 4) & 1); /* VERSION_1 */
    mem_wr(&t, c + 0x08, 4, 0);
    mem_wr(&t, c + 0x0c, 4, 1u << 9); /* FLUSH */
    mem_wr(&t, c + 0x08, 4, 1);
    mem_wr(&t, c + 0x0c, 4, 1);
    mem_wr(&t, c + 0x14, 1, 3 | 8);
    ck_assert_uint_eq(mem_rd(&t, c + 0x14, 1), 11);
    ck_assert_uint_eq(mem_rd(&t, c + 0x12, 2), 1);
    ck_assert_uint_eq(mem_rd(&t, c + 0x10, 2), 0xffff); /* no MSI-X */
    VdQueue *q = &t.d.q[0];
    memset(q, 0, sizeof(*q));
    q->num = VD_QSIZE;
    q->desc = 0x100000;
    q->avail = 0x104000;
    q->used = 0x108000;
    mem_wr(&t, c + 0x16, 2, 0);
    mem_wr(&t, c + 0x18, 2, VD_QSIZE);
    mem_wr(&t, c + 0x20, 4, q->desc);
    mem_wr(&t, c + 0x24, 4, 0);
    mem_wr(&t, c + 0x28, 4, q->avail);
    mem_wr(&t, c + 0x2c, 4, 0);
    mem_wr(&t, c + 0x30, 4, q->used);
    mem_wr(&t, c + 0x34, 4, 0);
    mem_wr(&t, c + 0x1c, 2, 1);
    mem_wr(&t, c + 0x14, 1, 15);
    /* Capacity from the device configuration. */
    ck_assert_uint_eq(mem_rd(&t, t.device, 4), 2048);

    /* Write 512 bytes at sector 5, read them back. */
    uint8_t hdr[16] = {1, 0, 0, 0, 0, 0, 0, 0, 5};
    vd_write_mem(&t.d, 0x300000, hdr, 16);
    memset(t.d.ram_ptr + 0x310000, 0x3c, 512);
    VdBuf w[3] = {{0x300000, 16, false}, {0x310000, 512, false}, {0x300100, 1, true}};
    vd_submit(&t.d, 0, w, 3);
    ck_assert(vd_wait_used(&t.d, 0, NULL, NULL));
    ck_assert_uint_eq(t.d.ram_ptr[0x300100], 0);
    ck_assert_int_eq(t.intx, 1);
    ck_assert_uint_eq(mem_rd(&t, t.isr, 1), 1);
    ck_assert_int_eq(t.intx, 0);
    hdr[0] = 0;
    vd_write_mem(&t.d, 0x300000, hdr, 16);
    memset(t.d.ram_ptr + 0x320000, 0, 512);
    VdBuf r[3] = {{0x300000, 16, false}, {0x320000, 512, true}, {0x300100, 1, true}};
    vd_submit(&t.d, 0, r, 3);
    ck_assert(vd_wait_used(&t.d, 0, NULL, NULL));
    ck_assert_uint_eq(t.d.ram_ptr[0x320000 + 511], 0x3c);
    /* The read completion raised the ISR again; reading clears it. */
    ck_assert_uint_eq(mem_rd(&t, t.isr, 1), 1);
    ck_assert_uint_eq(mem_rd(&t, t.isr, 1), 0);

    drive_close(drv);
    g_free(path);
}
END_TEST

START_TEST(test_pci_legacy_rng)
{
    PciTest t;
    pci_setup(&t, virtio_rng_new());
    ck_assert_uint_eq(cfg_read(&t, PCI_DEVICE_ID, 2), 0x1005);
    t.d.kick = legacy_kick;
    io_wr(&t, 0x12, 1, 0);
    io_wr(&t, 0x12, 1, 3);
    ck_assert_uint_eq(io_rd(&t, 0x00, 4) & 1u << 28, 1u << 28); /* indirect */
    io_wr(&t, 0x04, 4, 0);
    io_wr(&t, 0x0e, 2, 0);
    uint16_t num = io_rd(&t, 0x0c, 2);
    ck_assert_uint_ge(num, 16);
    VdQueue *q = &t.d.q[0];
    memset(q, 0, sizeof(*q));
    q->num = num;
    q->desc = 0x200000;
    q->avail = q->desc + 16 * num;
    q->used = (q->avail + 6 + 2 * num + 4095) & ~4095ull;
    io_wr(&t, 0x08, 4, q->desc >> 12);
    io_wr(&t, 0x12, 1, 7);
    memset(t.d.ram_ptr + 0x310000, 0, 64);
    VdBuf b = {0x310000, 64, true};
    vd_submit(&t.d, 0, &b, 1);
    uint32_t len;
    ck_assert(vd_wait_used(&t.d, 0, NULL, &len));
    ck_assert_uint_eq(len, 64);
    int zeros = 0;
    for (int i = 0; i < 64; i++) {
        zeros += t.d.ram_ptr[0x310000 + i] == 0;
    }
    ck_assert_int_lt(zeros, 8);
    ck_assert_int_eq(t.intx, 1);
    ck_assert_uint_eq(io_rd(&t, 0x13, 1), 1);
    ck_assert_int_eq(t.intx, 0);
    /* Reset through the status register clears the queue. */
    io_wr(&t, 0x12, 1, 0);
    ck_assert_uint_eq(io_rd(&t, 0x08, 4), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virtio-pci");
    TCase *tc = tcase_create("pci");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pci_modern_blk);
    tcase_add_test(tc, test_pci_legacy_rng);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
