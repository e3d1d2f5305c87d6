/*
 * Tests of the main loop (system/main-loop.c): the global lock around
 * dispatch, requests posted from other threads, and the -no-reboot /
 * -no-shutdown policies.
 */
#include "system/main-loop.h"
#include "system/timer.h"

#include <check.h>
#include <glib.h>

static int resets, pauses, resumes;

static void hook_reset(void)
{
    ck_assert(bql_locked());
    resets++;
}

static void hook_pause(void)
{
    pauses++;
}

static void hook_resume(void)
{
    resumes++;
}

static const VmHooks hooks = {hook_reset, hook_pause, hook_resume};

static void setup(void)
{
    main_loop_init();
    main_loop_set_hooks(&hooks);
}

static gpointer post_shutdown(gpointer code)
{
    g_usleep(20000);
    ck_assert(!bql_locked());
    vm_request_shutdown(GPOINTER_TO_INT(code));
    return NULL;
}

START_TEST(test_shutdown_from_other_thread)
{
    ck_assert(bql_locked()); /* the main thread holds it outside poll */
    GThread *t = g_thread_new("poster", post_shutdown, GINT_TO_POINTER(3));
    int64_t t0 = clock_get_ns(CLOCK_REALTIME);
    ck_assert_int_eq(main_loop_run(), 3);
    ck_assert_int_lt(clock_get_ns(CLOCK_REALTIME) - t0, 2 * NANOSECONDS_PER_SECOND);
    g_thread_join(t);
}
END_TEST

static gpointer lock_while_polling(gpointer unused)
{
    /* The main thread sleeps in poll without the lock, so this succeeds. */
    bql_lock();
    ck_assert(bql_locked());
    bql_unlock();
    vm_request_exit(0);
    return NULL;
}

START_TEST(test_lock_dropped_while_polling)
{
    GThread *t = g_thread_new("locker", lock_while_polling, NULL);
    ck_assert_int_eq(main_loop_run(), 0);
    g_thread_join(t);
    ck_assert(bql_locked());
}
END_TEST

START_TEST(test_first_request_sets_code)
{
    vm_request_shutdown(7);
    vm_request_exit(1);
    int code = -1;
    ck_assert(vm_shutdown_requested(&code));
    ck_assert_int_eq(code, 7);
}
END_TEST

START_TEST(test_reset_runs_hook)
{
    vm_request_reset();
    ck_assert(vm_reset_requested());
    main_loop_iterate(false);
    ck_assert_int_eq(resets, 1);
    ck_assert(!vm_reset_requested());
    ck_assert(!vm_shutdown_requested(NULL));
}
END_TEST

START_TEST(test_no_reboot)
{
    main_loop_set_policy(true, false);
    vm_request_reset();
    main_loop_iterate(false);
    ck_assert_int_eq(resets, 0);
    int code = -1;
    ck_assert(vm_shutdown_requested(&code));
    ck_assert_int_eq(code, 0);
}
END_TEST

START_TEST(test_no_shutdown_pauses)
{
    main_loop_set_policy(false, true);
    vm_request_shutdown(0);
    ck_assert(!vm_shutdown_requested(NULL));
    main_loop_iterate(false);
    ck_assert(!vm_running());
    ck_assert_int_eq(pauses, 1);
    ck_assert(!clock_virtual_running());
    /* The user can still quit. */
    vm_request_exit(0);
    ck_assert(vm_shutdown_requested(NULL));
}
END_TEST

START_TEST(test_stop_start_hooks)
{
    vm_stop();
    vm_stop(); /* already stopped: no second pause */
    ck_assert_int_eq(pauses, 1);
    vm_start();
    vm_start();
    ck_assert_int_eq(resumes, 1);
    vm_set_initial_state(false);
    ck_assert(!vm_running());
    ck_assert_int_eq(pauses, 1); /* -S does not call the hook */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("main-loop");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_shutdown_from_other_thread);
    tcase_add_test(tc, test_lock_dropped_while_polling);
    tcase_add_test(tc, test_first_request_sets_code);
    tcase_add_test(tc, test_reset_runs_hook);
    tcase_add_test(tc, test_no_reboot);
    tcase_add_test(tc, test_no_shutdown_pauses);
    tcase_add_test(tc, test_stop_start_hooks);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
