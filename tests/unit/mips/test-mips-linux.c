/*
 * tests/unit/mips/test-mips-linux.c: boots Debian's mipsel Malta kernel on the MIPS CPU
 * with a throwaway board (RAM, the Malta's UARTs at 0x1f000900 and ISA 0x3f8, the RTC, RAM-backed
 * stand-ins for the GT-64120, the FPGA and the PCI I/O window) far enough to see printk.
 * Skipped when the kernel has not been fetched (scripts/fetch-guests.sh).
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hw/char/serial.h"
#include "hw/rtc/mc146818.h"
#include "tests/unit/mips/mips-machine.h"

static void add_dummy(MemoryRegion *sys, const char *name, uint64_t base, uint64_t size)
{
    MemoryRegion *r = memory_region_new_ram(name, size);
    memory_region_add_subregion_overlap(sys, base, r, -1);
}

static void wr32(MipsMachine *m, uint32_t pa, uint32_t v)
{
    address_space_write(m->as, pa, &v, 4); /* little-endian guest */
}

static char *boot_kernel(const char *kernel, double seconds, MipsMachine **out)
{
    MipsMachine *m = mips_machine_new("24Kf", 128u << 20);
    char *err = NULL;
    char *log_path = g_strdup_printf("/tmp/mimic-mips-linux-%d.txt", (int)getpid());
    char *spec = g_strdup_printf("file:%s", log_path);
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err ? err : "");
    serial_new(m->sysmem, 0x1f000900, 3, NULL, chr, DEVICE_LITTLE_ENDIAN);
    serial_new(m->sysmem, 0x180003f8, 0, NULL, chr, DEVICE_LITTLE_ENDIAN);
    mc146818_new(m->sysmem, 0x18000070, NULL); /* the kernel times the CPU against it */
    add_dummy(m->sysmem, "bootrom", 0x1fc00000, 4 << 20);
    add_dummy(m->sysmem, "gt64120", 0x1be00000, 0x10000);
    add_dummy(m->sysmem, "fpga", 0x1f000000, 0x100000);
    add_dummy(m->sysmem, "pci-io", 0x18000000, 0x200000);
    wr32(m, 0x1fc00010, 0x00000420);        /* Malta REVISION: Core LV, GT-64120 */
    wr32(m, 0x1be00048, 0x18000000u >> 21); /* GT PCI0IOLD: I/O window at 0x18000000 */
    wr32(m, 0x1be00050, 0x18000000u >> 21); /* PCI0IOHD */
    ck_assert_msg(mips_machine_load_elf(m, kernel, &err), "%s", err ? err : "");

    /* YAMON-style arguments at 0x1000: argv and an environment with memsize. */
    const char *strs[] = {
        "vmlinux", "console=ttyS0 printk.time=0", "memsize", "0x08000000", "modetty0", "38400n8r"};
    uint32_t p = 0x2000, ptrs[6];
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(strs[i]) + 1;
        address_space_write(m->as, p, strs[i], n);
        ptrs[i] = 0x80000000u | p;
        p += (uint32_t)((n + 3) & ~(size_t)3);
    }
    uint32_t argv[2] = {ptrs[0], ptrs[1]};
    uint32_t envp[5] = {ptrs[2], ptrs[3], ptrs[4], ptrs[5], 0};
    address_space_write(m->as, 0x1000, argv, sizeof(argv));
    address_space_write(m->as, 0x1100, envp, sizeof(envp));
    m->env->gpr[4] = 2;
    m->env->gpr[5] = 0x80001000u;
    m->env->gpr[6] = 0x80001100u;
    m->env->gpr[7] = 128u << 20;
    m->env->gpr[29] = 0x80000f00u;

    mips_machine_run(m, seconds);
    chardev_free(chr);
    char *text = NULL;
    g_file_get_contents(log_path, &text, NULL, NULL);
    unlink(log_path);
    g_free(log_path);
    g_free(spec);
    *out = m;
    return text ? text : g_strdup("");
}

START_TEST(test_linux_prints_banner)
{
    const char *home = getenv("HOME");
    char *kernel = g_strdup_printf("%s/.cache/mimic/guests/mipsel/vmlinuz", home ? home : "/root");
    if (!g_file_test(kernel, G_FILE_TEST_EXISTS)) {
        printf("skipped: %s not fetched\n", kernel);
        g_free(kernel);
        return;
    }
    const char *secs = getenv("MIPS_LINUX_SECONDS");
    MipsMachine *m;
    char *text = boot_kernel(kernel, secs ? atof(secs) : 15.0, &m);
    if (getenv("MIPS_LINUX_VERBOSE")) {
        fprintf(stderr, "%s\n---- pc=%08x\n", text, m->env->pc);
        cpu_dump_state(m->cpu, stderr);
    }
    ck_assert_msg(strstr(text, "Linux version") != NULL, "no banner; console:\n%s\npc=%08x", text,
                  m->env->pc);
    g_free(text);
    g_free(kernel);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mips-linux");
    TCase *tc = tcase_create("boot");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_linux_prints_banner);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
