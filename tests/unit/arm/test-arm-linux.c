/*
 * tests/unit/arm/test-arm-linux.c: boots Debian's armmp zImage on a throwaway test board
 * (RAM at 0x40000000, a PL011 transmit-only stand-in at 0x09000000, a minimal device
 * tree) far enough to see earlycon output. The real board is hw/arm/virt.c.
 */
#include <check.h>
#include <glib.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/arm/arm-machine.h"

#define UART_BASE 0x09000000u
#define RAM_SIZE  (256u << 20)

/* Transmit-only PL011: DR writes print, FR says the FIFO is empty. */
static uint64_t uart_read(void *opaque, uint64_t addr, unsigned size)
{
    if (addr == 0x18) {
        return 0x90; /* TXFE | RXFE */
    }
    if (addr >= 0xfe0) { /* PrimeCell ids of a PL011 */
        static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
        return id[(addr - 0xfe0) / 4];
    }
    return 0;
}

static void uart_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    ArmMachine *m = opaque;
    if (addr == 0 && m->out_len + 1 < sizeof(m->out)) {
        m->out[m->out_len++] = (char)val;
        m->out[m->out_len] = 0;
        if (getenv("ARM_LINUX_VERBOSE")) {
            fputc((int)val, stderr);
        }
    }
}

static const MemoryRegionOps uart_ops = {
    .read = uart_read,
    .write = uart_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

static void *make_dtb(size_t *len)
{
    size_t size = 4096;
    void *fdt = calloc(1, size);
    fdt_create(fdt, (int)size);
    fdt_finish_reservemap(fdt);
    fdt_begin_node(fdt, "");
    fdt_property_string(fdt, "compatible", "linux,dummy-virt");
    fdt_property_u32(fdt, "#address-cells", 2);
    fdt_property_u32(fdt, "#size-cells", 2);
    fdt_begin_node(fdt, "chosen");
    fdt_property_string(fdt, "bootargs", "earlycon=pl011,0x09000000 console=ttyAMA0 panic=-1");
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "memory@40000000");
    fdt_property_string(fdt, "device_type", "memory");
    uint64_t reg[2] = {cpu_to_fdt64(0x40000000u), cpu_to_fdt64(RAM_SIZE)};
    fdt_property(fdt, "reg", reg, sizeof(reg));
    fdt_end_node(fdt);
    fdt_begin_node(fdt, "cpus");
    fdt_property_u32(fdt, "#address-cells", 1);
    fdt_property_u32(fdt, "#size-cells", 0);
    fdt_begin_node(fdt, "cpu@0");
    fdt_property_string(fdt, "device_type", "cpu");
    fdt_property_string(fdt, "compatible", "arm,cortex-a15");
    fdt_property_u32(fdt, "reg", 0);
    fdt_end_node(fdt);
    fdt_end_node(fdt);
    fdt_end_node(fdt);
    fdt_finish(fdt);
    *len = fdt_totalsize(fdt);
    return fdt;
}

START_TEST(test_linux_earlycon)
{
    const char *home = getenv("HOME");
    const char *cache = getenv("MIMIC_CACHE");
    char *dir = cache ? g_strdup_printf("%s/guests/armhf", cache)
                      : g_strdup_printf("%s/.cache/mimic/guests/armhf", home ? home : "/root");
    char *kpath = g_strdup_printf("%s/vmlinuz", dir);
    gchar *kernel;
    gsize klen;
    if (!g_file_get_contents(kpath, &kernel, &klen, NULL)) {
        printf("skipped: %s not fetched (scripts/fetch-guests.sh armhf)\n", kpath);
        g_free(kpath);
        g_free(dir);
        return;
    }
    ArmMachine *m = arm_machine_new("cortex-a15", RAM_SIZE);
    MemoryRegion *uart = memory_region_new_io("pl011", 0x1000, &uart_ops, m);
    memory_region_add_subregion(m->sysmem, UART_BASE, uart);
    address_space_write(m->as, 0x40008000u, kernel, klen);
    size_t dlen;
    void *dtb = make_dtb(&dlen);
    address_space_write(m->as, 0x48000000u, dtb, dlen);
    arm_cpu_set_boot_state(m->cpu, 0x40008000u, 0, 0xffffffffu, 0x48000000u);
    /* Until the banner, in slices: a loaded host gives this thread a fraction of a core, and
     * the banner needs about 3 s of CPU (it took 20 s of wall time at load average 14).
     * ARM_LINUX_SECONDS=N runs exactly N seconds instead (for the loop statistics). */
    const char *fixed = getenv("ARM_LINUX_SECONDS");
    double secs = fixed ? atof(fixed) : 100.0;
    gint64 t0 = g_get_monotonic_time();
    for (double t = 0; t < secs; t += 0.25) {
        arm_machine_run(m, 0.25);
        if (!fixed && strstr(m->out, "Booting Linux on physical CPU")) {
            break;
        }
    }
    printf("ran %.2f s\n", (double)(g_get_monotonic_time() - t0) / 1e6);
    printf("--- armhf kernel output (%zu bytes) ---\n%.3000s\n---\n", m->out_len, m->out);
    if (m->out_len > 3000) {
        printf("... last part:\n%s\n", m->out + m->out_len - 1500);
    }
    cpu_dump_state(m->cpu, stdout);
    CPUStats *st = &m->cpu->stats;
    printf("loop entries %llu, blocks translated %llu, chain patches %llu, jump-cache misses %llu, "
           "invalidations %llu, flushes %llu, exceptions %llu, interrupts %llu\n",
           (unsigned long long)st->loop_entries, (unsigned long long)st->tbs_translated,
           (unsigned long long)st->chain_patches, (unsigned long long)st->jc_helper_calls,
           (unsigned long long)st->tb_invalidations, (unsigned long long)st->flushes,
           (unsigned long long)st->exceptions, (unsigned long long)st->interrupts);
    ck_assert_msg(strstr(m->out, "Booting Linux on physical CPU") != NULL,
                  "no earlycon output from the kernel");
    free(dtb);
    g_free(kernel);
    g_free(kpath);
    g_free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arm-linux");
    TCase *tc = tcase_create("boot");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_linux_earlycon);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
