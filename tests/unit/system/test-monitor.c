/*
 * Tests of the text monitor (system/monitor.c) through a file backend: each
 * command's output and its effect on the VM run state.
 */
#include "system/chardev.h"
#include "system/machine.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/monitor.h"

#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The monitor reaches the machine through current_machine; no boards here. */
const MachineClass *const machine_table[] = {NULL};

static char *dir, *path;
static Chardev *chr;
static Monitor *mon;

static void setup(void)
{
    main_loop_init();
    dir = g_dir_make_tmp("mimic-mon-XXXXXX", NULL);
    path = g_build_filename(dir, "out", NULL);
    char *spec = g_strdup_printf("file:%s", path);
    chr = chardev_new(spec, NULL);
    ck_assert_ptr_nonnull(chr);
    g_free(spec);
    mon = monitor_new(chr);
}

static void teardown(void)
{
    monitor_free(mon);
    for (int i = 0; i < 3; i++) {
        main_loop_iterate(false);
    }
    chardev_free(chr);
    unlink(path);
    rmdir(dir);
    g_free(path);
    g_free(dir);
}

static char *output(void)
{
    char *data = NULL;
    ck_assert(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

static void assert_output_has(const char *needle)
{
    char *out = output();
    ck_assert_msg(strstr(out, needle) != NULL, "'%s' not in '%s'", needle, out);
    g_free(out);
}

START_TEST(test_banner_and_help)
{
    assert_output_has("monitor - type 'help' for more information\n(mimic) ");
    monitor_execute(mon, "help");
    assert_output_has("info mtree [-f]");
    monitor_execute(mon, "  frobnicate  now ");
    assert_output_has("unknown command: 'frobnicate'\n");
}
END_TEST

START_TEST(test_status_stop_cont)
{
    monitor_execute(mon, "info status");
    assert_output_has("VM status: running\n");
    monitor_execute(mon, "stop");
    ck_assert(!vm_running());
    monitor_execute(mon, "info status");
    assert_output_has("VM status: paused\n");
    monitor_execute(mon, "cont");
    ck_assert(vm_running());
}
END_TEST

START_TEST(test_reset_and_quit)
{
    ck_assert(!vm_reset_requested());
    monitor_execute(mon, "system_reset");
    ck_assert(vm_reset_requested());
    ck_assert(!vm_shutdown_requested(NULL));
    monitor_execute(mon, "q");
    ck_assert(vm_shutdown_requested(NULL));
}
END_TEST

static void dump_fake_registers(FILE *f)
{
    fprintf(f, "pc=0x%08x\n", 0xbfc00000);
}

START_TEST(test_info_mtree_and_registers)
{
    MachineState ms = {0};
    ms.sysmem = memory_region_new_container("system", UINT64_MAX);
    MemoryRegion *ram = memory_region_new_ram("ram", 1 << 20);
    memory_region_add_subregion(ms.sysmem, 0x100000, ram);
    ms.as = address_space_new(ms.sysmem, "memory");
    current_machine = &ms;
    monitor_execute(mon, "info mtree");
    assert_output_has("ram");
    assert_output_has("system");
    monitor_execute(mon, "info registers");
    assert_output_has("no CPU\n");
    monitor_set_register_dump(dump_fake_registers);
    monitor_execute(mon, "info registers");
    assert_output_has("pc=0xbfc00000\n");
    current_machine = NULL;
}
END_TEST

static void cmd_echo(Monitor *m, char **args)
{
    monitor_printf(m, "echo:%s:%s\n", args[0], args[1] ? args[1] : "-");
}

START_TEST(test_registered_command)
{
    monitor_register_command("echo", "echo WORD         print WORD", cmd_echo);
    monitor_execute(mon, "echo  hello");
    assert_output_has("echo:echo:hello\n");
    monitor_execute(mon, "help");
    assert_output_has("echo WORD         print WORD\n");
}
END_TEST

START_TEST(test_typed_line)
{
    /* Bytes as a terminal sends them: echo, backspace, Enter. */
    const char typed[] = "info statuz\x7fs\r\n";
    chardev_mux_feed(chr, (const uint8_t *)typed, strlen(typed));
    assert_output_has("info statuz\b \bs\nVM status: running\n(mimic) ");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_banner_and_help);
    tcase_add_test(tc, test_status_stop_cont);
    tcase_add_test(tc, test_reset_and_quit);
    tcase_add_test(tc, test_info_mtree_and_registers);
    tcase_add_test(tc, test_registered_command);
    tcase_add_test(tc, test_typed_line);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
