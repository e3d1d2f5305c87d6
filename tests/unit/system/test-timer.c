/*
 * Tests of clocks and timers on the main loop (system/timer.c): order of
 * firing, virtual time stopping while paused, re-arming and deletion.
 */
#include "system/main-loop.h"
#include "system/timer.h"

#include <check.h>
#include <glib.h>
#include <unistd.h>

#define MS 1000000LL

static int fired[16];
static int n_fired;

static void record(void *opaque)
{
    fired[n_fired++] = GPOINTER_TO_INT(opaque);
}

/* Iterates the main loop until cond() or a 2 s guard expires. */
static bool run_until(bool (*cond)(void))
{
    int64_t deadline = clock_get_ns(CLOCK_REALTIME) + 2000 * MS;
    while (!cond()) {
        if (clock_get_ns(CLOCK_REALTIME) > deadline) {
            return false;
        }
        main_loop_iterate(false);
        g_usleep(200);
    }
    return true;
}

static bool three_fired(void)
{
    return n_fired >= 3;
}

static bool one_fired(void)
{
    return n_fired >= 1;
}

START_TEST(test_fire_in_order)
{
    main_loop_init();
    Timer *t[3];
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    int delays[3] = {30, 10, 20};
    for (int i = 0; i < 3; i++) {
        t[i] = timer_new_ns(CLOCK_VIRTUAL, record, GINT_TO_POINTER(i));
        timer_mod_ns(t[i], now + delays[i] * MS);
    }
    ck_assert(timer_pending(t[0]));
    ck_assert_int_eq(timer_expire_time_ns(t[1]), now + 10 * MS);
    ck_assert(run_until(three_fired));
    ck_assert_int_eq(fired[0], 1);
    ck_assert_int_eq(fired[1], 2);
    ck_assert_int_eq(fired[2], 0);
    /* Not before their deadline. */
    ck_assert_int_ge(clock_get_ns(CLOCK_VIRTUAL), now + 30 * MS);
    ck_assert(!timer_pending(t[0]));
    ck_assert_int_eq(timer_expire_time_ns(t[0]), -1);
    for (int i = 0; i < 3; i++) {
        timer_free(t[i]);
    }
}
END_TEST

START_TEST(test_realtime_and_host_clocks)
{
    main_loop_init();
    Timer *rt = timer_new_ns(CLOCK_REALTIME, record, GINT_TO_POINTER(7));
    timer_mod_ns(rt, clock_get_ns(CLOCK_REALTIME) + 5 * MS);
    ck_assert(run_until(one_fired));
    ck_assert_int_eq(fired[0], 7);
    /* The host clock is wall time: after 2020-01-01. */
    ck_assert_int_gt(clock_get_ns(CLOCK_HOST), 1577836800LL * NANOSECONDS_PER_SECOND);
    timer_free(rt);
}
END_TEST

START_TEST(test_pause_stops_virtual_time)
{
    main_loop_init();
    clock_virtual_pause();
    ck_assert(!clock_virtual_running());
    int64_t t0 = clock_get_ns(CLOCK_VIRTUAL);
    int64_t h0 = clock_get_ns(CLOCK_REALTIME);
    Timer *t = timer_new_ns(CLOCK_VIRTUAL, record, GINT_TO_POINTER(1));
    timer_mod_ns(t, t0 + 5 * MS);
    for (int i = 0; i < 20; i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    ck_assert_int_eq(clock_get_ns(CLOCK_VIRTUAL), t0);
    ck_assert_int_eq(n_fired, 0);
    clock_virtual_resume();
    ck_assert(clock_virtual_running());
    /* Time goes on from where it stopped, not from host time. */
    int64_t t1 = clock_get_ns(CLOCK_VIRTUAL);
    int64_t h1 = clock_get_ns(CLOCK_REALTIME);
    ck_assert_int_ge(t1, t0);
    /* The pause lasted 20 ms or more of host time, none of which may show; how long this
     * thread waited between the resume and the read is up to the host's load. */
    ck_assert_int_lt(t1 - t0, h1 - h0 - 15 * MS);
    ck_assert(run_until(one_fired));
    ck_assert_int_ge(clock_get_ns(CLOCK_VIRTUAL), t0 + 5 * MS);
    timer_free(t);
}
END_TEST

START_TEST(test_vm_stop_start)
{
    main_loop_init();
    ck_assert(vm_running());
    vm_stop();
    ck_assert(!vm_running());
    ck_assert(!clock_virtual_running());
    vm_start();
    ck_assert(vm_running());
    ck_assert(clock_virtual_running());
}
END_TEST

static Timer *periodic;
static void rearm(void *opaque)
{
    record(opaque);
    if (n_fired < 3) {
        timer_mod_ns(periodic, clock_get_ns(CLOCK_VIRTUAL) + 2 * MS);
    }
}

START_TEST(test_rearm)
{
    main_loop_init();
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    Timer *t = timer_new_ns(CLOCK_VIRTUAL, record, GINT_TO_POINTER(5));
    timer_mod_ns(t, now + 1000 * MS);
    /* Re-arming moves the deadline: it fires once, early. */
    timer_mod_ns(t, now + 5 * MS);
    ck_assert_int_eq(timer_expire_time_ns(t), now + 5 * MS);
    ck_assert(run_until(one_fired));
    for (int i = 0; i < 10; i++) {
        main_loop_iterate(false);
    }
    ck_assert_int_eq(n_fired, 1);
    timer_free(t);

    n_fired = 0;
    periodic = timer_new_ns(CLOCK_VIRTUAL, rearm, GINT_TO_POINTER(9));
    timer_mod_ns(periodic, clock_get_ns(CLOCK_VIRTUAL) + 2 * MS);
    ck_assert(run_until(three_fired));
    ck_assert(!timer_pending(periodic));
    timer_free(periodic);
}
END_TEST

static Timer *self_freeing;
static void free_self(void *opaque)
{
    record(opaque);
    timer_free(self_freeing);
    self_freeing = NULL;
}

START_TEST(test_delete)
{
    main_loop_init();
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    Timer *a = timer_new_ns(CLOCK_VIRTUAL, record, GINT_TO_POINTER(1));
    Timer *b = timer_new_ns(CLOCK_VIRTUAL, record, GINT_TO_POINTER(2));
    timer_mod_ns(a, now + 2 * MS);
    timer_mod_ns(b, now + 4 * MS);
    timer_del(a);
    ck_assert(!timer_pending(a));
    ck_assert(run_until(one_fired));
    g_usleep(5000);
    main_loop_iterate(false);
    ck_assert_int_eq(n_fired, 1);
    ck_assert_int_eq(fired[0], 2);
    timer_free(a);
    timer_free(b);

    /* A callback may free its own timer. */
    n_fired = 0;
    self_freeing = timer_new_ns(CLOCK_REALTIME, free_self, GINT_TO_POINTER(3));
    timer_mod_ns(self_freeing, clock_get_ns(CLOCK_REALTIME) + MS);
    ck_assert(run_until(one_fired));
    ck_assert_ptr_null(self_freeing);
    ck_assert_int_eq(fired[0], 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timer");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_fire_in_order);
    tcase_add_test(tc, test_realtime_and_host_clocks);
    tcase_add_test(tc, test_pause_stops_virtual_time);
    tcase_add_test(tc, test_vm_stop_start);
    tcase_add_test(tc, test_rearm);
    tcase_add_test(tc, test_delete);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
