/*
 * The virt board's device tree (hw/arm/virt-dtb.c) read back with libfdt's
 * reader: the nodes and properties Linux looks for, a -dtb blob's /chosen
 * patched, malformed blobs refused; and, when MIMIC_BIN is set, what
 * `mimic -M virt -machine dumpdtb=FILE` writes.
 */
#include "hw/arm/virt.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

static void *build(int smp, uint64_t ram, const char *bootargs, uint64_t rd0, uint64_t rd1,
                   size_t *len)
{
    VirtDtbConfig cfg = {.ram_size = ram,
                         .smp = smp,
                         .cpu_compatible = "arm,cortex-a15",
                         .bootargs = bootargs,
                         .initrd_start = rd0,
                         .initrd_end = rd1,
                         .n_mmio = VIRT_MMIO_COUNT,
                         .rng_seed = true};
    void *blob = virt_dtb_build(&cfg, 1024, len);
    ck_assert_int_eq(fdt_check_full(blob, *len), 0);
    ck_assert_uint_eq(fdt_totalsize(blob), *len);
    return blob;
}

static uint32_t cell(const void *fdt, int node, const char *prop, int i)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, prop, &len);
    ck_assert_msg(p != NULL, "property %s missing", prop);
    ck_assert_int_gt(len, 4 * i);
    return fdt32_to_cpu(p[i]);
}

/* 64-bit properties are only 4-byte aligned in a blob. */
static uint64_t prop_u64(const void *fdt, int node, const char *prop)
{
    int len;
    const void *p = fdt_getprop(fdt, node, prop, &len);
    ck_assert_msg(p != NULL && len == 8, "property %s missing or not 64-bit", prop);
    fdt64_t v;
    memcpy(&v, p, 8);
    return fdt64_to_cpu(v);
}

static int node(const void *fdt, const char *path)
{
    int off = fdt_path_offset(fdt, path);
    ck_assert_msg(off >= 0, "node %s missing", path);
    return off;
}

/* Checks the tree as mimic -M virt generates it with `smp` CPUs. */
static void check_virt_tree(const void *fdt, int smp, uint64_t ram, const char *bootargs)
{
    int root = node(fdt, "/");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, root, "linux,dummy-virt"), 0);
    ck_assert_uint_eq(cell(fdt, root, "#address-cells", 0), 2);
    ck_assert_uint_eq(cell(fdt, root, "#size-cells", 0), 2);

    int mem = node(fdt, "/memory@40000000");
    ck_assert_str_eq(fdt_getprop(fdt, mem, "device_type", NULL), "memory");
    ck_assert_uint_eq(cell(fdt, mem, "reg", 1), 0x40000000);
    ck_assert_uint_eq(((uint64_t)cell(fdt, mem, "reg", 2) << 32) | cell(fdt, mem, "reg", 3), ram);

    int chosen = node(fdt, "/chosen");
    ck_assert_str_eq(fdt_getprop(fdt, chosen, "stdout-path", NULL), "/pl011@9000000");
    if (bootargs) {
        ck_assert_str_eq(fdt_getprop(fdt, chosen, "bootargs", NULL), bootargs);
    }

    int gic = node(fdt, "/intc@8000000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, gic, "arm,cortex-a15-gic"), 0);
    ck_assert_ptr_nonnull(fdt_getprop(fdt, gic, "interrupt-controller", NULL));
    ck_assert_uint_eq(cell(fdt, gic, "#interrupt-cells", 0), 3);
    ck_assert_uint_eq(cell(fdt, gic, "reg", 1), 0x08000000);
    ck_assert_uint_eq(cell(fdt, gic, "reg", 5), 0x08010000);
    ck_assert_int_eq(fdt_node_offset_by_phandle(fdt, cell(fdt, root, "interrupt-parent", 0)), gic);

    int cpus = node(fdt, "/cpus");
    int n = 0, c;
    fdt_for_each_subnode(c, fdt, cpus)
    {
        ck_assert_str_eq(fdt_getprop(fdt, c, "device_type", NULL), "cpu");
        ck_assert_int_eq(fdt_node_check_compatible(fdt, c, "arm,cortex-a15"), 0);
        ck_assert_uint_eq(cell(fdt, c, "reg", 0), (uint32_t)n);
        if (smp > 1) {
            ck_assert_str_eq(fdt_getprop(fdt, c, "enable-method", NULL), "psci");
        }
        n++;
    }
    ck_assert_int_eq(n, smp);

    int psci = node(fdt, "/psci");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, psci, "arm,psci-1.0"), 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, psci, "arm,psci-0.2"), 0);
    ck_assert_uint_eq(cell(fdt, psci, "cpu_on", 0), 0x84000003);
    ck_assert_str_eq(fdt_getprop(fdt, psci, "method", NULL), "hvc");

    int timer = node(fdt, "/timer");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, timer, "arm,armv7-timer"), 0);
    const uint32_t ppis[4] = {13, 14, 11, 10};
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(cell(fdt, timer, "interrupts", 3 * i), 1); /* PPI */
        ck_assert_uint_eq(cell(fdt, timer, "interrupts", 3 * i + 1), ppis[i]);
        ck_assert_uint_eq(cell(fdt, timer, "interrupts", 3 * i + 2) >> 8, (1u << smp) - 1);
    }

    int uart = node(fdt, "/pl011@9000000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, uart, "arm,pl011"), 0);
    ck_assert_int_eq(fdt_node_check_compatible(fdt, uart, "arm,primecell"), 0);
    ck_assert_uint_eq(cell(fdt, uart, "reg", 1), 0x09000000);
    ck_assert_uint_eq(cell(fdt, uart, "interrupts", 0), 0);
    ck_assert_uint_eq(cell(fdt, uart, "interrupts", 1), 1);
    int clk = fdt_node_offset_by_phandle(fdt, cell(fdt, uart, "clocks", 0));
    ck_assert_int_eq(clk, node(fdt, "/apb-pclk"));
    ck_assert_int_eq(fdt_node_check_compatible(fdt, clk, "fixed-clock"), 0);
    ck_assert_uint_eq(cell(fdt, clk, "clock-frequency", 0), 24000000);
    int namelen;
    const char *names = fdt_getprop(fdt, uart, "clock-names", &namelen);
    ck_assert_int_eq(namelen, (int)sizeof("uartclk\0apb_pclk"));
    ck_assert_mem_eq(names, "uartclk\0apb_pclk", namelen);

    int rtc = node(fdt, "/pl031@9010000");
    ck_assert_int_eq(fdt_node_check_compatible(fdt, rtc, "arm,pl031"), 0);
    ck_assert_uint_eq(cell(fdt, rtc, "interrupts", 1), 2);

    int count = 0;
    for (int v = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); v >= 0;
         v = fdt_node_offset_by_compatible(fdt, v, "virtio,mmio")) {
        ck_assert_uint_eq(cell(fdt, v, "reg", 1), 0x0a000000u + 0x200u * count);
        ck_assert_uint_eq(cell(fdt, v, "reg", 3), 0x200);
        ck_assert_uint_eq(cell(fdt, v, "interrupts", 1), 16u + count);
        count++;
    }
    ck_assert_int_eq(count, VIRT_MMIO_COUNT);
}

START_TEST(test_generated_tree)
{
    size_t len;
    void *fdt = build(2, 256u << 20, "console=ttyAMA0 quiet", 0x48000000, 0x48123457, &len);
    check_virt_tree(fdt, 2, 256u << 20, "console=ttyAMA0 quiet");
    int chosen = node(fdt, "/chosen");
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-start"), 0x48000000);
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-end"), 0x48123457);
    g_free(fdt);

    /* One CPU, no initrd: no enable-method needed, no initrd properties. */
    fdt = build(1, 3ull << 30, NULL, 0, 0, &len);
    check_virt_tree(fdt, 1, 3ull << 30, NULL);
    ck_assert_ptr_null(fdt_getprop(fdt, node(fdt, "/chosen"), "linux,initrd-start", NULL));
    ck_assert_ptr_null(fdt_getprop(fdt, node(fdt, "/chosen"), "bootargs", NULL));
    g_free(fdt);
}
END_TEST

/* The board's own tree given back with -dtb: /chosen follows the new
 * arguments, everything else stays. */
START_TEST(test_patch_generated_tree)
{
    size_t len, len2;
    void *blob = build(4, 512u << 20, "a b c", 0x41000000, 0x41000100, &len);
    char *err = NULL;
    void *out =
        virt_dtb_patch_chosen(blob, len, "console=ttyAMA0 root=/dev/vda", 0, 0, 4096, &len2, &err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_int_eq(fdt_check_full(out, len2), 0);
    ck_assert_uint_eq(fdt_totalsize(out), len2);
    check_virt_tree(out, 4, 512u << 20, "console=ttyAMA0 root=/dev/vda");
    int chosen = node(out, "/chosen");
    ck_assert_ptr_null(fdt_getprop(out, chosen, "linux,initrd-start", NULL));
    int seed_len = 0;
    ck_assert_ptr_nonnull(fdt_getprop(out, chosen, "rng-seed", &seed_len));
    ck_assert_int_eq(seed_len, 32);
    /* The free space asked for is there for the kernel. */
    ck_assert_uint_ge(len2 - (fdt_off_dt_strings(out) + fdt_size_dt_strings(out)), 4096);
    g_free(out);
    g_free(blob);
}
END_TEST

/* A tree made by libfdt (as dtc or a user's -dtb would be), with /chosen
 * patched the way the board does for -append and -initrd. */
START_TEST(test_patch_foreign_tree)
{
    char buf[4096];
    ck_assert_int_eq(fdt_create_empty_tree(buf, sizeof(buf)), 0);
    ck_assert_int_eq(fdt_setprop_string(buf, 0, "compatible", "vendor,board"), 0);
    int chosen = fdt_add_subnode(buf, 0, "chosen");
    ck_assert_int_ge(chosen, 0);
    ck_assert_int_eq(fdt_setprop_string(buf, chosen, "bootargs", "old"), 0);
    ck_assert_int_eq(fdt_setprop_u64(buf, chosen, "linux,initrd-start", 1), 0);
    ck_assert_int_eq(fdt_setprop_u64(buf, chosen, "linux,initrd-end", 2), 0);
    int soc = fdt_add_subnode(buf, 0, "soc");
    ck_assert_int_ge(fdt_add_subnode(buf, soc, "uart@1000"), 0);
    ck_assert_int_eq(fdt_pack(buf), 0);

    char *err = NULL;
    size_t len;
    void *out =
        virt_dtb_patch_chosen(buf, fdt_totalsize(buf), "console=ttyAMA0", 0, 0, 0, &len, &err);
    ck_assert_msg(out != NULL, "%s", err);
    ck_assert_int_eq(fdt_check_full(out, len), 0);
    chosen = fdt_path_offset(out, "/chosen");
    ck_assert_str_eq(fdt_getprop(out, chosen, "bootargs", NULL), "console=ttyAMA0");
    ck_assert_ptr_null(fdt_getprop(out, chosen, "linux,initrd-start", NULL));
    ck_assert_int_ge(fdt_path_offset(out, "/soc/uart@1000"), 0);
    ck_assert_int_eq(fdt_node_check_compatible(out, 0, "vendor,board"), 0);
    g_free(out);

    /* No /chosen at all: it is created; no -append: old bootargs kept. */
    ck_assert_int_eq(fdt_create_empty_tree(buf, sizeof(buf)), 0);
    out =
        virt_dtb_patch_chosen(buf, fdt_totalsize(buf), NULL, 0x48000000, 0x48001000, 0, &len, &err);
    ck_assert_msg(out != NULL, "%s", err);
    chosen = node(out, "/chosen");
    ck_assert_uint_eq(prop_u64(out, chosen, "linux,initrd-start"), 0x48000000);
    ck_assert_uint_eq(prop_u64(out, chosen, "linux,initrd-end"), 0x48001000);
    ck_assert_ptr_null(fdt_getprop(out, chosen, "bootargs", NULL));
    g_free(out);
}
END_TEST

START_TEST(test_bad_blobs)
{
    char *err = NULL;
    size_t out_len;
    uint8_t junk[64] = "this is not a device tree at all";
    ck_assert_ptr_null(virt_dtb_patch_chosen(junk, sizeof(junk), "x", 0, 0, 0, &out_len, &err));
    ck_assert_ptr_nonnull(strstr(err, "not a flattened device tree"));
    g_free(err);
    err = NULL;
    ck_assert_ptr_null(virt_dtb_patch_chosen(junk, 3, "x", 0, 0, 0, &out_len, &err));
    g_free(err);
    err = NULL;

    size_t len;
    uint8_t *blob = build(1, 128u << 20, "x", 0, 0, &len);
    /* A truncated file. */
    ck_assert_ptr_null(virt_dtb_patch_chosen(blob, len / 2, "x", 0, 0, 0, &out_len, &err));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    g_free(err);
    err = NULL;
    /* What the fuzzer found libfdt 1.6 itself trips on (tests/fuzz/armvirt): an old
     * version (NULL dereference in fdt_check_full) and a property length near 2^32
     * (its offsets wrap: endless loop or reads outside the blob). */
    uint8_t *bad = g_memdup2(blob, len);
    ((fdt32_t *)bad)[5] = cpu_to_fdt32(12); /* version */
    ck_assert_ptr_null(virt_dtb_patch_chosen(bad, len, "x", 0, 0, 0, &out_len, &err));
    ck_assert_ptr_nonnull(strstr(err, "version 12"));
    g_free(err);
    err = NULL;
    memcpy(bad, blob, len);
    int prop = fdt_first_property_offset(bad, 0);
    ck_assert_int_ge(prop, 0);
    fdt32_t huge = cpu_to_fdt32(0xfffffffcu);
    memcpy(bad + fdt_off_dt_struct(bad) + prop + 4, &huge, 4); /* the length word */
    ck_assert_ptr_null(virt_dtb_patch_chosen(bad, len, "x", 0, 0, 0, &out_len, &err));
    ck_assert_ptr_nonnull(strstr(err, "bad property"));
    g_free(err);
    err = NULL;
    g_free(bad);

    /* Every single-byte corruption of the structure block is refused or patched,
     * never read out of bounds (run under ASan). */
    uint32_t off_struct = fdt_off_dt_struct(blob), size_struct = fdt_size_dt_struct(blob);
    int refused = 0;
    for (uint32_t i = 0; i < size_struct; i += 3) {
        uint8_t saved = blob[off_struct + i];
        blob[off_struct + i] ^= 0xa5;
        void *out = virt_dtb_patch_chosen(blob, len, "y", 0, 0, 0, &out_len, &err);
        if (out) {
            ck_assert_int_eq(fdt_check_full(out, out_len), 0);
        } else {
            refused++;
        }
        g_free(out);
        g_free(err);
        err = NULL;
        blob[off_struct + i] = saved;
    }
    ck_assert_int_gt(refused, 0);
    g_free(blob);
}
END_TEST

/* The binary: -machine dumpdtb writes the tree and exits 0, -dtb is patched. */
START_TEST(test_mimic_dumpdtb)
{
    const char *mimic = g_getenv("MIMIC_BIN");
    if (!mimic || !g_file_test(mimic, G_FILE_TEST_IS_EXECUTABLE)) {
        printf("note: MIMIC_BIN unset or not built: mimic -machine dumpdtb not tested\n");
        return;
    }
    char *dir = g_dir_make_tmp("mimic-dtb-XXXXXX", NULL);
    char *path = g_build_filename(dir, "virt.dtb", NULL);
    char *opt = g_strdup_printf("dumpdtb=%s", path);
    /* A stand-in kernel and initrd: the tree records where the initrd went. */
    char *kernel = g_build_filename(dir, "zImage", NULL);
    char *initrd = g_build_filename(dir, "rd", NULL);
    char zeros[4096] = {0};
    ck_assert(g_file_set_contents(kernel, zeros, sizeof(zeros), NULL));
    ck_assert(g_file_set_contents(initrd, zeros, 1000, NULL));
    const char *argv[] = {mimic,
                          "-M",
                          "virt",
                          "-m",
                          "384",
                          "-smp",
                          "2",
                          "-kernel",
                          kernel,
                          "-initrd",
                          initrd,
                          "-append",
                          "console=ttyAMA0 root=/dev/vda",
                          "-machine",
                          opt,
                          NULL};
    int status;
    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
    ck_assert_int_eq(status, 0);
    gchar *fdt;
    gsize len;
    ck_assert(g_file_get_contents(path, &fdt, &len, NULL));
    ck_assert_int_eq(fdt_check_header(fdt), 0);
    check_virt_tree(fdt, 2, 384u << 20, "console=ttyAMA0 root=/dev/vda");
    int chosen = fdt_path_offset(fdt, "/chosen");
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-start"), 0x48000000); /* RAM + 128 MiB */
    ck_assert_uint_eq(prop_u64(fdt, chosen, "linux,initrd-end"), 0x48000000 + 1000);

    /* That file given back with -dtb and new arguments. */
    char *path2 = g_build_filename(dir, "again.dtb", NULL);
    char *opt2 = g_strdup_printf("dumpdtb=%s", path2);
    const char *argv2[] = {mimic, "-M",      "virt", "-m",      "384",   "-smp",     "2",  "-dtb",
                           path,  "-kernel", kernel, "-append", "quiet", "-machine", opt2, NULL};
    ck_assert(g_spawn_sync(NULL, (char **)argv2, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
    ck_assert_int_eq(status, 0);
    gchar *fdt2;
    ck_assert(g_file_get_contents(path2, &fdt2, &len, NULL));
    check_virt_tree(fdt2, 2, 384u << 20, "quiet");

    /* Bad input: a one-line error and a non-zero exit. */
    const char *argv3[] = {mimic, "-M", "virt", "-dtb", "/nonexistent.dtb", "-machine", opt, NULL};
    gchar *err_out = NULL;
    ck_assert(
        g_spawn_sync(NULL, (char **)argv3, NULL, 0, NULL, NULL, NULL, &err_out, &status, NULL));
    ck_assert_int_ne(status, 0);
    ck_assert_ptr_nonnull(strstr(err_out, "/nonexistent.dtb"));
    g_free(err_out);
    const char *argv4[] = {mimic, "-M", "virt", "-dtb", mimic, "-machine", opt, NULL};
    ck_assert(
        g_spawn_sync(NULL, (char **)argv4, NULL, 0, NULL, NULL, NULL, &err_out, &status, NULL));
    ck_assert_int_ne(status, 0);
    ck_assert_ptr_nonnull(strstr(err_out, "not a flattened device tree"));
    g_free(err_out);

    /* QEMU's virt options: the ones that describe this board are taken, the
     * others refused with the reason. */
    char *opt3 = g_strdup_printf("virt,highmem=off,gic-version=2,secure=off,dumpdtb=%s", path2);
    const char *argv5[] = {mimic, "-M", opt3, NULL};
    ck_assert(g_spawn_sync(NULL, (char **)argv5, NULL, 0, NULL, NULL, NULL, NULL, &status, NULL));
    ck_assert_int_eq(status, 0);
    g_free(opt3);
    const char *bad[][2] = {{"virt,gic-version=3", "only a GICv2"},
                            {"virt,virtualization=on", "no EL2"},
                            {"virt,highmem=maybe", "bad value 'maybe'"},
                            {"virt,dumpdtb=", "needs a file name"},
                            {"virt,its=off", "virt-machine.its"}};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        const char *argv6[] = {mimic, "-M", bad[i][0], "-kernel", kernel, NULL};
        ck_assert(
            g_spawn_sync(NULL, (char **)argv6, NULL, 0, NULL, NULL, NULL, &err_out, &status, NULL));
        ck_assert_int_ne(status, 0);
        ck_assert_msg(strstr(err_out, bad[i][1]) != NULL, "%s: %s", bad[i][0], err_out);
        g_free(err_out);
    }

    /* The A9 has no generic timer, which the tree promises. */
    const char *argv7[] = {mimic, "-M", "virt", "-cpu", "cortex-a9", "-kernel", kernel, NULL};
    ck_assert(
        g_spawn_sync(NULL, (char **)argv7, NULL, 0, NULL, NULL, NULL, &err_out, &status, NULL));
    ck_assert_int_ne(status, 0);
    ck_assert_ptr_nonnull(strstr(err_out, "cortex-a9 not supported"));
    g_free(err_out);

    g_free(fdt);
    g_free(fdt2);
    g_remove(path);
    g_remove(path2);
    g_remove(kernel);
    g_remove(initrd);
    g_free(kernel);
    g_free(initrd);
    g_rmdir(dir);
    g_free(opt);
    g_free(opt2);
    g_free(path);
    g_free(path2);
    g_free(dir);
}
END_TEST

/* -bios: firmware runs from the flash at 0 and finds the tree at the start of
 * RAM with r2 pointing at it (guest/firmware.S checks both, prints, and powers
 * off through PSCI). */
START_TEST(test_mimic_bios)
{
#ifdef ARMVIRT_FIRMWARE
    const char *mimic = g_getenv("MIMIC_BIN");
    if (!mimic || !g_file_test(mimic, G_FILE_TEST_IS_EXECUTABLE)) {
        printf("note: MIMIC_BIN unset or not built: -bios not tested\n");
        return;
    }
    const char *argv[] = {mimic,        "-M", "virt", "-m", "128", "-bios", ARMVIRT_FIRMWARE,
                          "-nographic", NULL};
    gchar *out = NULL;
    int status;
    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL, &out,
                           NULL, &status, NULL));
    ck_assert_int_eq(status, 0);
    ck_assert_msg(strstr(out, "firmware: device tree at the start of RAM, r2 = 0x40000000\n"), "%s",
                  out);
    g_free(out);
#else
    printf("note: no ARM cross compiler: -bios not tested\n");
#endif
}
END_TEST

static Suite *dtb_suite(void)
{
    Suite *s = suite_create("virt-dtb");
    TCase *tc = tcase_create("dtb");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_generated_tree);
    tcase_add_test(tc, test_patch_generated_tree);
    tcase_add_test(tc, test_patch_foreign_tree);
    tcase_add_test(tc, test_bad_blobs);
    tcase_add_test(tc, test_mimic_dumpdtb);
    tcase_add_test(tc, test_mimic_bios);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(dtb_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
