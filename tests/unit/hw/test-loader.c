/*
 * Tests of the image loader (hw/core/loader.c): raw files, hand-built ELF32
 * big-endian and ELF64 little-endian executables, the test program itself
 * as a real ELF, and one clear error for each kind of bad file.
 */
#include "hw/core/loader.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static MemoryRegion *root, *ram;
static AddressSpace *as;
static char dir[64];

static void setup(void)
{
    root = memory_region_new_container("root", UINT64_MAX);
    as = address_space_new(root, "memory");
    ram = memory_region_new_ram("ram", 64 << 20);
    memory_region_add_subregion(root, 0, ram);
    strcpy(dir, "/tmp/mimic-loader-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    address_space_free(as);
    memory_region_free(ram);
    memory_region_free(root);
}

static const char *write_file(const char *name, const void *data, size_t len)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return path;
}

static void put(uint8_t *p, uint64_t v, int size, bool be)
{
    for (int i = 0; i < size; i++) {
        p[be ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
    }
}

/* A MIPS big-endian vmlinux-like ELF32: text at KSEG0 0x80100000 (8 bytes
 * in the file) and a data segment with 0x100 bytes of bss. */
static size_t build_elf32_be(uint8_t *f)
{
    memset(f, 0, 256);
    memcpy(f, "\177ELF", 4);
    f[4] = 1;
    f[5] = 2;
    f[6] = 1;
    put(f + 16, 2, 2, true);
    put(f + 18, ELF_MACHINE_MIPS, 2, true);
    put(f + 20, 1, 4, true);
    put(f + 24, 0x80100400, 4, true);
    put(f + 28, 52, 4, true);
    put(f + 42, 32, 2, true);
    put(f + 44, 2, 2, true);
    uint8_t *ph = f + 52;
    put(ph + 0, 1, 4, true);
    put(ph + 4, 116, 4, true);
    put(ph + 8, 0x80100000, 4, true);
    put(ph + 12, 0x80100000, 4, true);
    put(ph + 16, 8, 4, true);
    put(ph + 20, 8, 4, true);
    ph += 32;
    put(ph + 0, 1, 4, true);
    put(ph + 4, 124, 4, true);
    put(ph + 8, 0x80200000, 4, true);
    put(ph + 12, 0x80200000, 4, true);
    put(ph + 16, 4, 4, true);
    put(ph + 20, 0x104, 4, true);
    memcpy(f + 116, "\x3c\x1c\x80\x10\x27\x9c\x00\x00", 8);
    memcpy(f + 124, "DATA", 4);
    return 128;
}

static uint64_t kseg0(void *opaque, uint64_t addr)
{
    return addr & 0x1fffffff;
}

START_TEST(test_elf32_be)
{
    uint8_t f[256];
    size_t n = build_elf32_be(f);
    const char *path = write_file("vmlinux", f, n);
    /* Dirty the bss first: it must come back zero. */
    uint8_t *mem = memory_region_get_ram_ptr(ram);
    memset(mem + 0x200000, 0xaa, 0x200);
    LoadedElf e;
    char *err = NULL;
    ck_assert_msg(loader_load_elf(as, path, kseg0, NULL, &e, &err), "%s", err ? err : "");
    ck_assert_uint_eq(e.entry, 0x80100400);
    ck_assert_uint_eq(e.low, 0x100000);
    ck_assert_uint_eq(e.high, 0x200104);
    ck_assert_uint_eq(e.machine, ELF_MACHINE_MIPS);
    ck_assert(e.big_endian);
    ck_assert(!e.is_64bit);
    ck_assert_mem_eq(mem + 0x100000, "\x3c\x1c\x80\x10\x27\x9c\x00\x00", 8);
    ck_assert_mem_eq(mem + 0x200000, "DATA", 4);
    ck_assert_uint_eq(mem[0x200004], 0);
    ck_assert_uint_eq(mem[0x200103], 0);
    ck_assert_uint_eq(mem[0x200104], 0xaa); /* past memsz: untouched */
}
END_TEST

START_TEST(test_elf64_le)
{
    uint8_t f[256] = {0};
    memcpy(f, "\177ELF", 4);
    f[4] = 2;
    f[5] = 1;
    put(f + 16, 2, 2, false);
    put(f + 18, ELF_MACHINE_X86_64, 2, false);
    put(f + 24, 0x1000000, 8, false);
    put(f + 32, 64, 8, false);
    put(f + 54, 56, 2, false);
    put(f + 56, 1, 2, false);
    uint8_t *ph = f + 64;
    put(ph + 0, 1, 4, false);
    put(ph + 8, 120, 8, false);
    put(ph + 16, 0xffffffff81000000ull, 8, false);
    put(ph + 24, 0x1000000, 8, false);
    put(ph + 32, 4, 8, false);
    put(ph + 40, 4, 8, false);
    memcpy(f + 120, "\x90\x90\xf4\xeb", 4);
    const char *path = write_file("pvh", f, 124);
    LoadedElf e;
    ck_assert(loader_load_elf(as, path, NULL, NULL, &e, NULL));
    ck_assert(e.is_64bit);
    ck_assert(!e.big_endian);
    ck_assert_uint_eq(e.machine, ELF_MACHINE_X86_64);
    ck_assert_uint_eq(e.low, 0x1000000);
    uint8_t *mem = memory_region_get_ram_ptr(ram);
    ck_assert_mem_eq(mem + 0x1000000, "\x90\x90\xf4\xeb", 4);
}
END_TEST

/* The test program itself: a real x86-64 ELF from the system toolchain. */
START_TEST(test_real_elf)
{
    LoadedElf e;
    char *err = NULL;
    char exe[256];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(n, 0);
    exe[n] = 0;
    ck_assert_msg(loader_load_elf(as, exe, NULL, NULL, &e, &err), "%s", err ? err : "");
    ck_assert_uint_eq(e.machine, ELF_MACHINE_X86_64);
    ck_assert(e.is_64bit);
    /* The first PT_LOAD of a PIE starts at file offset 0: the ELF header. */
    uint8_t *mem = memory_region_get_ram_ptr(ram);
    ck_assert_mem_eq(mem + e.low, "\177ELF", 4);
}
END_TEST

START_TEST(test_raw)
{
    const char *path = write_file("initrd", "0123456789", 10);
    uint64_t size = 0;
    char *err = NULL;
    ck_assert(loader_load_raw(as, path, 0x800000, 0x1000, &size, &err));
    ck_assert_uint_eq(size, 10);
    ck_assert_mem_eq((uint8_t *)memory_region_get_ram_ptr(ram) + 0x800000, "0123456789", 10);
    ck_assert(!loader_load_raw(as, path, 0, 4, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "too large"));
    free(err);
    ck_assert(!loader_load_raw(as, path, (64 << 20) - 4, 100, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "does not fit"));
    free(err);
    ck_assert_int_eq(loader_file_size(path, NULL), 10);
    ck_assert_int_eq(loader_file_size("/nonexistent/x", &err), -1);
    ck_assert_str_eq(err, "could not open '/nonexistent/x': No such file or directory");
    free(err);
    ck_assert_int_eq(loader_file_size(dir, &err), -1);
    free(err);
}
END_TEST

static void expect_elf_error(const uint8_t *f, size_t n, const char *msg)
{
    const char *path = write_file("bad", f, n);
    char *err = NULL;
    ck_assert(!loader_load_elf(as, path, kseg0, NULL, NULL, &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, msg) != NULL, "'%s' does not say '%s'", err, msg);
    free(err);
}

START_TEST(test_bad_elf)
{
    uint8_t f[256];
    size_t n = build_elf32_be(f);
    expect_elf_error((const uint8_t *)"#!/bin/sh\n", 10, "not an ELF file");
    expect_elf_error(f, 40, "not an ELF file"); /* truncated header */
    uint8_t g[256];
    memcpy(g, f, n);
    g[4] = 7;
    expect_elf_error(g, n, "unknown ELF class");
    memcpy(g, f, n);
    put(g + 16, 1, 2, true); /* relocatable object */
    expect_elf_error(g, n, "not an ELF executable");
    memcpy(g, f, n);
    put(g + 28, 0xfffffff0, 4, true);
    expect_elf_error(g, n, "bad ELF program headers");
    expect_elf_error(f, 100, "bad ELF program headers"); /* cut inside the headers */
    memcpy(g, f, n);
    put(g + 52 + 16, 0x10000, 4, true); /* filesz beyond the file */
    put(g + 52 + 20, 0x10000, 4, true);
    expect_elf_error(g, n, "outside the file");
    memcpy(g, f, n);
    put(g + 52 + 12, 0x9ff00000, 4, true); /* 0x1ff00000: no RAM there */
    expect_elf_error(g, n, "outside guest memory");
    memcpy(g, f, n);
    put(g + 52, 4, 4, true); /* both segments PT_NOTE */
    put(g + 84, 4, 4, true);
    expect_elf_error(g, n, "no loadable segments");
    /* Nothing of a failed load reached memory. */
    uint8_t *mem = memory_region_get_ram_ptr(ram);
    ck_assert_uint_eq(mem[0x100000], 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("images");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_elf32_be);
    tcase_add_test(tc, test_elf64_le);
    tcase_add_test(tc, test_real_elf);
    tcase_add_test(tc, test_raw);
    tcase_add_test(tc, test_bad_elf);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
