/*
 * The PL011 UART (hw/char/pl011.c) on the real character backends of
 * system/chardev.c: what the guest writes to UARTDR lands in a -serial file:.
 */
#include "hw/char/pl011.h"
#include "system/main-loop.h"

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

START_TEST(test_file_chardev)
{
    main_loop_init();
    MemoryRegion *sys = memory_region_new_container("sys", 1ull << 32);
    AddressSpace *as = address_space_new(sys, "memory");
    char *dir = g_dir_make_tmp("mimic-pl011-XXXXXX", NULL);
    char *path = g_build_filename(dir, "ttyAMA0.txt", NULL);
    char *spec = g_strdup_printf("file:%s", path);
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err ? err : "");
    pl011_new(sys, 0x09000000, NULL, chr);
    const char *msg = "Booting Linux on physical CPU 0x0\r\n";
    for (const char *p = msg; *p; p++) {
        uint64_t fr;
        do {
            ck_assert_int_eq(address_space_load(as, 0x09000018, 4, false, &fr), MEMTX_OK);
        } while (fr & (1u << 5)); /* TXFF */
        ck_assert_int_eq(address_space_store(as, 0x09000000, 4, false, (uint8_t)*p), MEMTX_OK);
    }
    chardev_free(chr);
    gchar *got;
    gsize len;
    ck_assert(g_file_get_contents(path, &got, &len, NULL));
    ck_assert_uint_eq(len, strlen(msg));
    ck_assert_mem_eq(got, msg, len);
    g_free(got);
    g_remove(path);
    g_rmdir(dir);
    g_free(spec);
    g_free(path);
    g_free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pl011-file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_file_chardev);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
