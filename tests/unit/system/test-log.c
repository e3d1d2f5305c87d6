/*
 * Tests of debug logging (system/log.c): -d item parsing, the -D file,
 * capstone disassembly of known bytes for every LogDisasArch, and the byte
 * dump with one warning when libcapstone cannot be loaded.
 */
#include "system/log.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Disassembles into a string. */
static char *disas(LogDisasArch arch, const void *code, size_t size, uint64_t vaddr)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    log_disas(f, arch, code, size, vaddr);
    fclose(f);
    return buf;
}

static void check_disas(LogDisasArch arch, const void *code, size_t size, uint64_t vaddr,
                        const char *expected)
{
    char *text = disas(arch, code, size, vaddr);
    ck_assert_str_eq(text, expected);
    free(text);
}

START_TEST(test_parse_items)
{
    unsigned mask = 0;
    char *err = NULL;
    ck_assert(log_parse_items("in_asm,int", &mask, &err));
    ck_assert_uint_eq(mask, LOG_IN_ASM | LOG_INT);
    ck_assert(
        log_parse_items("out_asm,op,op_opt,exec,cpu,mmu,unimp,guest_errors,nochain", &mask, &err));
    ck_assert_uint_eq(mask, LOG_OUT_ASM | LOG_OP | LOG_OP_OPT | LOG_EXEC | LOG_CPU | LOG_MMU |
                                LOG_UNIMP | LOG_GUEST_ERROR | LOG_NOCHAIN);
    ck_assert(log_parse_items("all", &mask, &err));
    ck_assert(mask & LOG_IN_ASM && mask & LOG_GUEST_ERROR && !(mask & LOG_NOCHAIN));
    ck_assert(!log_parse_items("in_asm,bogus", &mask, &err));
    ck_assert_str_eq(err, "unknown log item 'bogus' (use -d help to list them)");
    g_free(err);

    ck_assert(log_set_items("int,mmu", NULL));
    ck_assert(log_enabled(LOG_INT) && log_enabled(LOG_MMU) && !log_enabled(LOG_IN_ASM));
    ck_assert(!log_set_items("nope", NULL));
    ck_assert(log_enabled(LOG_INT)); /* a bad list changes nothing */
}
END_TEST

START_TEST(test_help_lists_items)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    log_print_help(f);
    fclose(f);
    ck_assert(g_str_has_prefix(buf, "Log items (comma separated):\n"));
    ck_assert_ptr_nonnull(strstr(buf, "\nin_asm "));
    ck_assert_ptr_nonnull(strstr(buf, "\nguest_errors "));
    free(buf);
}
END_TEST

START_TEST(test_log_file)
{
    char *dir = g_dir_make_tmp("mimic-log-XXXXXX", NULL);
    char *path = g_build_filename(dir, "log.txt", NULL);
    char *err = NULL;
    ck_assert(log_file() == stderr);
    ck_assert(log_set_file(path, &err));
    log_lock();
    log_printf("block at 0x%x\n", 0x1000);
    log_unlock();
    fflush(log_file());
    char *data = NULL;
    ck_assert(g_file_get_contents(path, &data, NULL, NULL));
    ck_assert_str_eq(data, "block at 0x1000\n");
    g_free(data);
    ck_assert(!log_set_file("/nonexistent-dir/log", &err));
    ck_assert_str_eq(err, "error opening logfile /nonexistent-dir/log: No such file or directory");
    g_free(err);
    unlink(path);
    rmdir(dir);
    g_free(path);
    g_free(dir);
}
END_TEST

START_TEST(test_disas_x86)
{
    /* push rbp; mov rbp, rsp; ret */
    const uint8_t x64[] = {0x55, 0x48, 0x89, 0xe5, 0xc3};
    check_disas(LOG_DISAS_X86_64, x64, sizeof(x64), 0x400000,
                "0x0000000000400000:  push rbp\n"
                "0x0000000000400001:  mov rbp, rsp\n"
                "0x0000000000400004:  ret\n");
    /* push ebp; mov ebp, esp; int 0x80 */
    const uint8_t x86[] = {0x55, 0x89, 0xe5, 0xcd, 0x80};
    check_disas(LOG_DISAS_I386, x86, sizeof(x86), 0x7c00,
                "0x00007c00:  push ebp\n"
                "0x00007c01:  mov ebp, esp\n"
                "0x00007c03:  int 0x80\n");
    /* 0x06 (push es) does not exist in 64-bit mode. */
    const uint8_t bad[] = {0x06, 0xc3};
    check_disas(LOG_DISAS_X86_64, bad, sizeof(bad), 0,
                "0x0000000000000000:  .byte 0x06\n"
                "0x0000000000000001:  ret\n");
}
END_TEST

START_TEST(test_disas_arm)
{
    /* mov r0, #1; bx lr (little-endian words e3a00001, e12fff1e) */
    const uint8_t arm[] = {0x01, 0x00, 0xa0, 0xe3, 0x1e, 0xff, 0x2f, 0xe1};
    check_disas(LOG_DISAS_ARM, arm, sizeof(arm), 0x10000,
                "0x00010000:  mov r0, #1\n"
                "0x00010004:  bx lr\n");
    /* movs r0, #1; bx lr (halfwords 2001, 4770) */
    const uint8_t thumb[] = {0x01, 0x20, 0x70, 0x47};
    check_disas(LOG_DISAS_THUMB, thumb, sizeof(thumb), 0x8000,
                "0x00008000:  movs r0, #1\n"
                "0x00008002:  bx lr\n");
}
END_TEST

START_TEST(test_disas_mips)
{
    /* addiu v0, zero, 1 (24020001); jr ra (03e00008) */
    const uint8_t le[] = {0x01, 0x00, 0x02, 0x24, 0x08, 0x00, 0xe0, 0x03};
    const uint8_t be[] = {0x24, 0x02, 0x00, 0x01, 0x03, 0xe0, 0x00, 0x08};
    const char *expected = "0xbfc00000:  addiu $v0, $zero, 1\n"
                           "0xbfc00004:  jr $ra\n";
    check_disas(LOG_DISAS_MIPS32_LE, le, sizeof(le), 0xbfc00000, expected);
    check_disas(LOG_DISAS_MIPS32_BE, be, sizeof(be), 0xbfc00000, expected);
}
END_TEST

/* libcapstone is dlopen()ed at the first disassembly; a missing one gives one
 * warning on stderr and the bytes instead of instructions. Runs in its own
 * forked process (the library is loaded once per process). */
START_TEST(test_disas_without_capstone)
{
    setenv("MIMIC_CAPSTONE_LIBRARY", "libmimic-no-such-capstone.so.4", 1);
    char *dir = g_dir_make_tmp("mimic-log-XXXXXX", NULL);
    char *path = g_build_filename(dir, "stderr.txt", NULL);
    ck_assert_ptr_nonnull(freopen(path, "w", stderr));
    uint8_t code[20];
    for (int i = 0; i < 20; i++) {
        code[i] = (uint8_t)(0xc0 + i);
    }
    check_disas(LOG_DISAS_I386, code, sizeof(code), 0x7c00,
                "0x00007c00:  .byte 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, "
                "0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf\n"
                "0x00007c10:  .byte 0xd0, 0xd1, 0xd2, 0xd3\n");
    check_disas(LOG_DISAS_X86_64, code, 1, 0x400000, "0x0000000000400000:  .byte 0xc0\n");
    fflush(stderr);
    char *err = NULL;
    ck_assert(g_file_get_contents(path, &err, NULL, NULL));
    ck_assert_str_eq(err, "mimic: warning: cannot load libmimic-no-such-capstone.so.4 "
                          "(libmimic-no-such-capstone.so.4: cannot open shared object file: No "
                          "such file or directory); logging code without disassembly\n");
    g_free(err);
    unlink(path);
    rmdir(dir);
    g_free(path);
    g_free(dir);
    unsetenv("MIMIC_CAPSTONE_LIBRARY");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_items);
    tcase_add_test(tc, test_help_lists_items);
    tcase_add_test(tc, test_log_file);
    tcase_add_test(tc, test_disas_x86);
    tcase_add_test(tc, test_disas_arm);
    tcase_add_test(tc, test_disas_mips);
    const char *fork_env = getenv("CK_FORK");
    if (!fork_env || strcmp(fork_env, "no") != 0) {
        tcase_add_test(tc, test_disas_without_capstone);
    }
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
