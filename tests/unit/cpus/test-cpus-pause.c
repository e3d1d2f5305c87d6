/*
 * tests/unit/cpus/test-cpus-pause.c: cpus_pause() called with the global lock held while a
 * vCPU needs that lock before it can stop (a vCPU in an MMIO access, the monitor's `stop`,
 * gdb attaching). The vCPU's stop must wake the pausing thread whenever it happens. And
 * cpu_exit/cpu_interrupt must reach an accelerator that runs the guest itself (KVM_RUN
 * does not poll the exit flag): a stand-in accel_kvm_ops counts its kicks.
 */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/cpu-internal.h"
#include "system/main-loop.h"

void __real_bql_unlock(void);
void __wrap_bql_unlock(void);

static CPUState test_cpu;
static CPUEnvCommon test_env;
static const CPUArchOps test_ops = {.name = "none"};
static pthread_t pauser;
static volatile bool hold_window;

static bool stopped_within(CPUState *cpu, int ms)
{
    for (int i = 0; i < ms; i++) {
        if (__atomic_load_n(&cpu->stopped, __ATOMIC_ACQUIRE)) {
            return true;
        }
        nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
    }
    return false;
}

/* The pausing thread's release of the global lock: when asked, it lingers right after it,
 * long enough for the vCPU to stop if it can (the window a lost wakeup needs). With a
 * correct cpus_pause the vCPU cannot stop here (cpus_mutex is still held) and this just
 * times out. */
void __wrap_bql_unlock(void)
{
    __real_bql_unlock();
    if (hold_window && pthread_equal(pthread_self(), pauser)) {
        hold_window = false;
        stopped_within(&test_cpu, 300);
    }
}

static int kicks;
static CPUState *kicked;

static int fake_kvm_init(char **errp)
{
    return 0;
}

static void fake_kvm_kick(CPUState *cpu)
{
    __atomic_add_fetch(&kicks, 1, __ATOMIC_SEQ_CST);
    kicked = cpu;
}

/* Resolves cpu/'s weak reference: accel_init("kvm") picks it. */
const AccelOps accel_kvm_ops = {.name = "kvm", .init = fake_kvm_init, .kick = fake_kvm_kick};

/* A vCPU thread blocked on the global lock (an MMIO exit), then back in its loop. */
static void *vcpu_thread(void *arg)
{
    CPUState *cpu = arg;
    do {
        bql_lock();
        bql_unlock();
    } while (cpu_thread_wait_runnable(cpu));
    return NULL;
}

static void cpu_setup(void)
{
    memset(&test_cpu, 0, sizeof(test_cpu));
    test_cpu.common = &test_env;
    test_cpu.ops = &test_ops;
    test_cpu.env = &test_env;
    test_cpu.exception_index = -1;
    cpu_list_head = &test_cpu;
}

START_TEST(test_pause_with_bql_sees_late_stop)
{
    cpu_setup();
    pauser = pthread_self();
    bql_lock();
    test_cpu.thread_created = true;
    ck_assert_int_eq(pthread_create(&test_cpu.thread, NULL, vcpu_thread, &test_cpu), 0);
    /* Let the vCPU block on the global lock we hold. */
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    hold_window = true;
    cpus_pause(); /* hangs (test timeout) if the vCPU's wakeup is lost */
    ck_assert(test_cpu.stopped);
    ck_assert(cpus_paused());
    ck_assert(bql_locked());
    cpus_resume();
    cpus_stop_threads();
    ck_assert(!test_cpu.thread_created);
    bql_unlock();
    cpu_list_head = NULL;
}
END_TEST

START_TEST(test_pause_repeatedly_with_bql)
{
    cpu_setup();
    pauser = pthread_self();
    bql_lock();
    test_cpu.thread_created = true;
    ck_assert_int_eq(pthread_create(&test_cpu.thread, NULL, vcpu_thread, &test_cpu), 0);
    for (int i = 0; i < 200; i++) {
        cpus_pause();
        ck_assert(test_cpu.stopped);
        cpus_resume();
    }
    cpus_stop_threads();
    bql_unlock();
    cpu_list_head = NULL;
}
END_TEST

START_TEST(test_exit_and_interrupt_kick_the_accelerator)
{
    cpu_setup();
    ck_assert_int_eq(accel_init("kvm", NULL), 0);
    ck_assert_str_eq(accel_current()->name, "kvm");
    cpu_exit(&test_cpu);
    ck_assert_int_eq(kicks, 1);
    ck_assert_ptr_eq(kicked, &test_cpu);
    ck_assert(test_cpu.exit_request);
    cpu_interrupt(&test_cpu, CPU_INTERRUPT_HARD);
    ck_assert_int_eq(kicks, 2);
    ck_assert_uint_eq(test_cpu.interrupt_request, CPU_INTERRUPT_HARD);
    cpu_list_head = NULL;
}
END_TEST

START_TEST(test_tcg_exit_only_sets_flags)
{
    cpu_setup();
    ck_assert_int_eq(accel_init("tcg", NULL), 0);
    cpu_exit(&test_cpu);
    ck_assert_int_eq(kicks, 0);
    ck_assert(test_cpu.exit_request);
    ck_assert_int_eq(test_env.exit_request, 1); /* what generated code polls */
    cpu_list_head = NULL;
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpus");
    TCase *tc = tcase_create("pause");
    tcase_set_timeout(tc, 10);
    tcase_add_test(tc, test_pause_with_bql_sees_late_stop);
    tcase_add_test(tc, test_pause_repeatedly_with_bql);
    tcase_add_test(tc, test_exit_and_interrupt_kick_the_accelerator);
    tcase_add_test(tc, test_tcg_exit_only_sets_flags);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
