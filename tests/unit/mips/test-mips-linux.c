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
#include "hw/intc/i8259.h"
#include "hw/rtc/mc146818.h"
#include "tests/unit/mips/mips-machine.h"

static void add_dummy(MemoryRegion *sys, const char *name, uint64_t base, uint64_t size)
{
    MemoryRegion *r = memory_region_new_ram(name, size);
    memory_region_add_subregion_overlap(sys, base, r, -1);
}

/* The GT-64120's PCI interrupt-acknowledge register: the i8259's vector. */
static uint64_t iack_read(void *opaque, uint64_t addr, unsigned size)
{
    return (uint64_t)i8259_acknowledge(opaque);
}

static void iack_write(void *opaque, uint64_t addr, uint64_t val, unsigned size) {}

static const MemoryRegionOps iack_ops = {
    .read = iack_read,
    .write = iack_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

static void wr32(MipsMachine *m, uint32_t pa, uint32_t v)
{
    address_space_write(m->as, pa, &v, 4); /* little-endian guest */
}

/* A newc cpio archive in memory (the initramfs format). */
static void cpio_add(GByteArray *a, const char *name, unsigned mode, const void *data, size_t len,
                     unsigned rmaj, unsigned rmin)
{
    static unsigned ino = 1;
    char hdr[128];
    size_t nl = strlen(name) + 1;
    snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08zX%08X", ino++,
             mode, 0u, 0u, 1u, 0u, (unsigned)len, 0u, 0u, rmaj, rmin, nl, 0u);
    g_byte_array_append(a, (const guint8 *)hdr, 110);
    g_byte_array_append(a, (const guint8 *)name, (guint)nl);
    static const guint8 zero[4];
    g_byte_array_append(a, zero, (4 - a->len % 4) % 4);
    if (len) {
        g_byte_array_append(a, data, (guint)len);
        g_byte_array_append(a, zero, (4 - a->len % 4) % 4);
    }
}

/* /init runs a few busybox applets, printing markers the test looks for. */
static GByteArray *make_initramfs(const char *busybox)
{
    gchar *bb;
    gsize bb_len;
    if (!g_file_get_contents(busybox, &bb, &bb_len, NULL)) {
        return NULL;
    }
    /* MIPS_LINUX_BENCH=N adds a timed N-iteration shell loop (for comparing with QEMU). */
    const char *bench = getenv("MIPS_LINUX_BENCH");
    /* MIPS_LINUX_BENCH_EXEC=N: N fork+exec of busybox true (processes, ASIDs, page faults). */
    const char *bench_exec = getenv("MIPS_LINUX_BENCH_EXEC");
    char *bench_line = g_strdup_printf(
        "%s%s",
        bench ? "/bin/busybox time /bin/busybox sh -c 'i=0; while [ $i -lt $BENCH ]; do "
                "i=$((i+1)); done'\n"
              : "",
        bench_exec ? "/bin/busybox time /bin/busybox sh -c 'i=0; while [ $i -lt $BENCH_EXEC ]; "
                     "do /bin/busybox true; i=$((i+1)); done'\n"
                   : "");
    char *bench_env = g_strdup_printf("export BENCH=%d BENCH_EXEC=%d\n", bench ? atoi(bench) : 0,
                                      bench_exec ? atoi(bench_exec) : 0);
    char *init =
        g_strdup_printf("#!/bin/sh\n"
                        "%s"
                        "echo MIMIC-INIT-START\n"
                        "/bin/busybox uname -m\n"
                        "/bin/busybox sh -c 'i=0; while [ $i -lt 200 ]; do i=$((i+1)); done; "
                        "echo loop=$i'\n"
                        "/bin/busybox awk 'BEGIN { printf \"fp=%%.3f\\n\", 355/113 }'\n"
                        "%s"
                        "echo MIMIC-INIT-DONE\n"
                        "exec /bin/sh\n",
                        bench_env, bench_line);
    g_free(bench_line);
    g_free(bench_env);
    GByteArray *a = g_byte_array_new();
    cpio_add(a, "bin", 040755, NULL, 0, 0, 0);
    cpio_add(a, "dev", 040755, NULL, 0, 0, 0);
    cpio_add(a, "dev/console", 020600, NULL, 0, 5, 1);
    cpio_add(a, "bin/busybox", 0100755, bb, bb_len, 0, 0);
    cpio_add(a, "bin/sh", 0120777, "busybox", 7, 0, 0);
    cpio_add(a, "init", 0100755, init, strlen(init), 0, 0);
    g_free(init);
    cpio_add(a, "TRAILER!!!", 0, NULL, 0, 0, 0);
    g_free(bb);
    return a;
}

static char *read_console(const char *path)
{
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    return text ? text : g_strdup("");
}

#define INITRD_PA 0x06000000u

/* Wall-time bound of each boot; a boot stops as soon as its marker appears. At load average
 * 14 on 2 cores the root mount came after 35 s (about 5 s of CPU): the old 60 s bound was
 * within 2x of that. */
#define BOOT_SECONDS 150.0

/* Boots until `until` appears on the console or `seconds` pass; returns the console text. */
static char *boot_kernel(const char *kernel, const char *initrd_dir, const char *until,
                         double seconds, MipsMachine **out)
{
    MipsMachine *m = mips_machine_new("24Kf", 128u << 20);
    char *err = NULL;
    char *log_path = g_strdup_printf("/tmp/mimic-mips-linux-%d.txt", (int)getpid());
    char *spec = g_strdup_printf("file:%s", log_path);
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err ? err : "");
    serial_new(m->sysmem, 0x1f000900, 3, NULL, chr, DEVICE_LITTLE_ENDIAN);
    /* ISA I/O of the PIIX4 behind the GT-64120's PCI I/O window at 0x18000000: the PIC on
     * the CPU's IP2, the UART on IRQ4, the RTC. */
    MemoryRegion *isa = memory_region_new_container("isa-io", 0x10000);
    memory_region_add_subregion(m->sysmem, 0x18000000, isa);
    PicState *pic = i8259_new(isa, mips_cpu_irq_inputs(m->cpu)[0]);
    serial_new(isa, 0x3f8, 0, i8259_irq(pic, 4), chr, DEVICE_LITTLE_ENDIAN);
    mc146818_new(isa, 0x70, i8259_irq(pic, 8)); /* the kernel times the CPU against it */
    add_dummy(m->sysmem, "bootrom", 0x1fc00000, 4 << 20);
    add_dummy(m->sysmem, "gt64120", 0x1be00000, 0x10000);
    memory_region_add_subregion_overlap(m->sysmem, 0x1be00c34,
                                        memory_region_new_io("gt-iack", 4, &iack_ops, pic), 1);
    add_dummy(m->sysmem, "fpga", 0x1f000000, 0x100000);
    wr32(m, 0x1fc00010, 0x00000420);        /* Malta REVISION: Core LV, GT-64120 */
    wr32(m, 0x1be00048, 0x18000000u >> 21); /* GT PCI0IOLD: I/O window at 0x18000000 */
    wr32(m, 0x1be00050, 0x18000000u >> 21); /* PCI0IOHD */
    ck_assert_msg(mips_machine_load_elf(m, kernel, &err), "%s", err ? err : "");

    /* YAMON-style arguments at 0x1000: argv and an environment with memsize. */
    char *cmdline = g_strdup("console=ttyS0 nokaslr");
    if (initrd_dir) {
        char *bb = g_strdup_printf("%s/busybox", initrd_dir);
        GByteArray *rd = make_initramfs(bb);
        g_free(bb);
        ck_assert_ptr_nonnull(rd);
        address_space_write(m->as, INITRD_PA, rd->data, rd->len);
        g_free(cmdline);
        cmdline = g_strdup_printf("console=ttyS0 nokaslr rd_start=0x%08x rd_size=%u",
                                  0x80000000u | INITRD_PA, rd->len);
        g_byte_array_free(rd, TRUE);
    }
    const char *strs[] = {"vmlinux", cmdline, "memsize", "0x08000000", "modetty0", "38400n8r"};
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

    char *text = NULL;
    for (double t = 0; t < seconds; t += 0.25) {
        mips_machine_run(m, 0.25);
        g_free(text);
        text = read_console(log_path);
        if (strstr(text, until)) {
            break;
        }
    }
    chardev_free(chr);
    g_free(text);
    text = read_console(log_path);
    unlink(log_path);
    g_free(cmdline);
    g_free(log_path);
    g_free(spec);
    *out = m;
    return text;
}

static char *guest_dir(void)
{
    const char *home = getenv("HOME");
    char *dir = g_strdup_printf("%s/.cache/mimic/guests/mipsel", home ? home : "/root");
    char *k = g_strdup_printf("%s/vmlinuz", dir);
    bool ok = g_file_test(k, G_FILE_TEST_EXISTS);
    g_free(k);
    if (!ok) {
        printf("skipped: %s/vmlinuz not fetched (scripts/fetch-guests.sh)\n", dir);
        g_free(dir);
        return NULL;
    }
    return dir;
}

static void show(const char *text, MipsMachine *m)
{
    if (getenv("MIPS_LINUX_VERBOSE")) {
        fprintf(stderr, "%s\n---- pc=%08x\n", text, m->env->pc);
        cpu_dump_state(m->cpu, stderr);
    }
}

/* Without a root file system the kernel runs its whole init and stops at the mount. */
START_TEST(test_linux_boots_to_root_mount)
{
    char *dir = guest_dir();
    if (!dir) {
        return;
    }
    char *kernel = g_strdup_printf("%s/vmlinuz", dir);
    MipsMachine *m;
    gint64 t0 = g_get_monotonic_time();
    char *text = boot_kernel(kernel, NULL, "Unable to mount root", BOOT_SECONDS, &m);
    printf("root mount reached after %.2f s\n", (double)(g_get_monotonic_time() - t0) / 1e6);
    show(text, m);
    ck_assert_msg(strstr(text, "Linux version") != NULL, "no banner; console:\n%s", text);
    ck_assert_msg(strstr(text, "CPU0 revision is: 00019300 (MIPS 24K") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "Calibrating delay loop") != NULL, "no timer ticks:\n%s", text);
    ck_assert_msg(strstr(text, "VFS: Unable to mount root fs") != NULL, "init stopped:\n%s", text);
    g_free(text);
    g_free(kernel);
    g_free(dir);
}
END_TEST

/* With busybox in an initramfs: user mode, syscalls, TLB refills, TLS, FPU emulation... */
START_TEST(test_linux_runs_busybox_init)
{
    char *dir = guest_dir();
    if (!dir) {
        return;
    }
    char *bb = g_strdup_printf("%s/busybox", dir);
    if (!g_file_test(bb, G_FILE_TEST_EXISTS)) {
        printf("skipped: no busybox\n");
        return;
    }
    char *kernel = g_strdup_printf("%s/vmlinuz", dir);
    MipsMachine *m;
    gint64 t0 = g_get_monotonic_time();
    char *text = boot_kernel(kernel, dir, "MIMIC-INIT-DONE", BOOT_SECONDS, &m);
    printf("busybox init done after %.2f s\n", (double)(g_get_monotonic_time() - t0) / 1e6);
    show(text, m);
    ck_assert_msg(strstr(text, "MIMIC-INIT-START") != NULL, "init did not run:\n%s", text);
    ck_assert_msg(strstr(text, "\nmips\n") != NULL || strstr(text, "\r\nmips\r\n") != NULL,
                  "uname:\n%s", text);
    ck_assert_msg(strstr(text, "loop=200") != NULL, "shell loop:\n%s", text);
    ck_assert_msg(strstr(text, "fp=3.142") != NULL, "awk float:\n%s", text);
    ck_assert_msg(strstr(text, "MIMIC-INIT-DONE") != NULL, "%s", text);
    g_free(text);
    g_free(kernel);
    g_free(bb);
    g_free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mips-linux");
    TCase *tc = tcase_create("boot");
    tcase_set_timeout(tc, BOOT_SECONDS + 60);
    tcase_add_test(tc, test_linux_boots_to_root_mount);
    tcase_add_test(tc, test_linux_runs_busybox_init);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
