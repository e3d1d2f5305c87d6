/*
 * cpu/cpus.c: vCPU threads and their run state: halting until an interrupt, pause and
 * resume of all vCPUs (monitor stop/cont, vm_stop), reset, single-step, and the
 * exclusive section a full code flush needs.
 */
#include <sched.h>
#include <stdlib.h>

#include "cpu/cpu-internal.h"
#include "system/main-loop.h"

CPUState *cpu_list_head;
bool tcg_singlestep;

/* One lock and one condition for every run-state change: rare, and simple to get right. */
static bool cpus_vm_paused;
/* Recursive: has_work hooks run under it and may raise interrupts (cpu_interrupt). */
static pthread_mutex_t cpus_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_cond_t cpus_cond = PTHREAD_COND_INITIALIZER;

void cpus_lock(void)
{
    pthread_mutex_lock(&cpus_mutex);
}

void cpus_unlock(void)
{
    pthread_mutex_unlock(&cpus_mutex);
}

void cpus_notify(void)
{
    pthread_cond_broadcast(&cpus_cond);
}

/* Waits on the run-state condition without holding the global lock, so that threads
 * needing it (MMIO in a vCPU) can make progress. Called with cpus_mutex held, once.
 * The global lock is released while cpus_mutex is still held and the wait releases
 * cpus_mutex atomically: a vCPU that needed the global lock to reach its stop cannot
 * signal in between and be missed. Taken back in the order every other thread uses
 * (global lock, then cpus_mutex); the caller re-checks its condition anyway. */
static void cpus_wait_dropping_bql(void)
{
    if (bql_locked()) {
        bql_unlock();
        pthread_cond_wait(&cpus_cond, &cpus_mutex);
        pthread_mutex_unlock(&cpus_mutex);
        bql_lock();
        pthread_mutex_lock(&cpus_mutex);
    } else {
        pthread_cond_wait(&cpus_cond, &cpus_mutex);
    }
}

/* ---- The code read lock and the exclusive section ------------------------------------ */

/* Writers are preferred so that a flush is not starved by vCPUs re-entering the loop. */
static pthread_rwlock_t tb_exec_lock;
static pthread_once_t tb_exec_lock_once = PTHREAD_ONCE_INIT;

static void tb_exec_lock_init(void)
{
    pthread_rwlockattr_t a;
    pthread_rwlockattr_init(&a);
    pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&tb_exec_lock, &a);
    pthread_rwlockattr_destroy(&a);
}

/* Threads that want the code buffer to themselves. A vCPU that was kicked out of its
 * block could otherwise take the read lock again before the writer queues for it, and
 * run on unkicked (spinning on a guest lock held by a vCPU already waiting): the writer
 * would wait for ever. */
static unsigned tb_exclusive_waiters;

void tb_exec_rdlock(CPUState *cpu)
{
    pthread_once(&tb_exec_lock_once, tb_exec_lock_init);
    for (;;) {
        pthread_rwlock_rdlock(&tb_exec_lock);
        if (!__atomic_load_n(&tb_exclusive_waiters, __ATOMIC_SEQ_CST)) {
            break;
        }
        pthread_rwlock_unlock(&tb_exec_lock);
        sched_yield();
    }
    cpu->running = true;
}

void tb_exec_rdunlock(CPUState *cpu)
{
    cpu->running = false;
    pthread_rwlock_unlock(&tb_exec_lock);
}

void tb_exec_exclusive_begin(CPUState *cpu)
{
    pthread_once(&tb_exec_lock_once, tb_exec_lock_init);
    if (cpu && cpu->running) {
        tb_exec_rdunlock(cpu);
        cpu->running = true; /* remembered: taken back in exclusive_end */
    }
    /* Announced before the kicks: a vCPU that leaves its block after this sees it. */
    __atomic_add_fetch(&tb_exclusive_waiters, 1, __ATOMIC_SEQ_CST);
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        if (c != cpu) {
            cpu_kick(c);
        }
    }
    /* A vCPU still inside its block may be waiting for the global lock (MMIO). */
    bool bql = bql_locked();
    if (bql) {
        bql_unlock();
    }
    pthread_rwlock_wrlock(&tb_exec_lock);
    __atomic_sub_fetch(&tb_exclusive_waiters, 1, __ATOMIC_SEQ_CST);
    if (bql) {
        bql_lock();
    }
}

void tb_exec_exclusive_end(CPUState *cpu)
{
    pthread_rwlock_unlock(&tb_exec_lock);
    if (cpu && cpu->running) {
        tb_exec_rdlock(cpu);
    }
}

/* ---- Interrupts ---------------------------------------------------------------------- */

bool cpu_has_work(CPUState *cpu)
{
    if (cpu->ops->has_work) {
        return cpu->ops->has_work(cpu);
    }
    return __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE) != 0;
}

void cpu_interrupt(CPUState *cpu, unsigned mask)
{
    __atomic_or_fetch(&cpu->interrupt_request, mask, __ATOMIC_SEQ_CST);
    cpu_kick(cpu);
    if (current_cpu == cpu && cpu->thread_created && pthread_equal(pthread_self(), cpu->thread)) {
        /* Raised by the CPU's own thread (a has_work hook, under cpus_mutex,
         * or a helper): it is awake and sees the bit at its next check. */
        return;
    }
    /* A vCPU inside an accelerator's run call (KVM_RUN) does not poll the exit flag. */
    const AccelOps *acc = accel_current();
    if (acc != &accel_tcg_ops && acc->kick) {
        acc->kick(cpu);
    }
    /* Wake it if it sleeps halted. */
    pthread_mutex_lock(&cpus_mutex);
    pthread_cond_broadcast(&cpus_cond);
    pthread_mutex_unlock(&cpus_mutex);
}

void cpu_reset_interrupt(CPUState *cpu, unsigned mask)
{
    __atomic_and_fetch(&cpu->interrupt_request, ~mask, __ATOMIC_SEQ_CST);
}

/* ---- vCPU threads ------------------------------------------------------------------- */

bool cpu_thread_wait_runnable(CPUState *cpu)
{
    pthread_mutex_lock(&cpus_mutex);
    while (cpu->quit_request || cpu->stop_request || (cpu->halted && !cpu_has_work(cpu))) {
        if (cpu->quit_request) {
            cpu->stopped = true;
            pthread_cond_broadcast(&cpus_cond);
            pthread_mutex_unlock(&cpus_mutex);
            return false;
        }
        if (cpu->stop_request && !cpu->stopped) {
            cpu->stopped = true;
            pthread_cond_broadcast(&cpus_cond);
        }
        pthread_cond_wait(&cpus_cond, &cpus_mutex);
    }
    cpu->stopped = false;
    pthread_mutex_unlock(&cpus_mutex);
    return true;
}

void cpu_thread_debug_stop(CPUState *cpu)
{
    /* A breakpoint or a finished step: everything stops for the debugger. */
    pthread_mutex_lock(&cpus_mutex);
    cpus_vm_paused = true;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        c->stop_request = true;
        cpu_exit(c);
    }
    pthread_mutex_unlock(&cpus_mutex);
    cpu_gdb_report_stop(cpu);
}

static void *tcg_vcpu_thread(void *arg)
{
    CPUState *cpu = arg;
    current_cpu = cpu;
    cpu_tcg_context(cpu);
    while (cpu_thread_wait_runnable(cpu)) {
        if (cpu_exec(cpu) == EXCP_DEBUG) {
            cpu_thread_debug_stop(cpu);
        }
    }
    return NULL;
}

static void tcg_kick(CPUState *cpu)
{
    cpu_kick(cpu);
    pthread_mutex_lock(&cpus_mutex);
    pthread_cond_broadcast(&cpus_cond);
    pthread_mutex_unlock(&cpus_mutex);
}

const AccelOps accel_tcg_ops = {
    .name = "tcg",
    .init = tcg_accel_init,
    .vcpu_thread = tcg_vcpu_thread,
    .kick = tcg_kick,
};

void cpus_start(void)
{
    const AccelOps *acc = accel_current();
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        if (c->thread_created) {
            continue;
        }
        pthread_mutex_lock(&cpus_mutex);
        c->stop_request = cpus_vm_paused;
        c->quit_request = false;
        pthread_mutex_unlock(&cpus_mutex);
        c->thread_created = true;
        if (pthread_create(&c->thread, NULL, acc->vcpu_thread, c) != 0) {
            c->thread_created = false;
            fprintf(stderr, "mimic: cannot create the thread of cpu%d\n", c->cpu_index);
        }
    }
}

static bool is_vcpu_thread(CPUState *cpu)
{
    return current_cpu == cpu && cpu->thread_created && pthread_equal(pthread_self(), cpu->thread);
}

void cpus_pause(void)
{
    pthread_mutex_lock(&cpus_mutex);
    cpus_vm_paused = true;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        c->stop_request = true;
        cpu_exit(c);
    }
    pthread_cond_broadcast(&cpus_cond);
    for (;;) {
        bool all = true;
        for (CPUState *c = cpu_list_head; c; c = c->next) {
            /* A vCPU pausing the VM stops itself once it is back in its loop. */
            if (c->thread_created && !c->stopped && !is_vcpu_thread(c)) {
                all = false;
            }
        }
        if (all) {
            break;
        }
        cpus_wait_dropping_bql();
    }
    pthread_mutex_unlock(&cpus_mutex);
}

void cpus_resume(void)
{
    pthread_mutex_lock(&cpus_mutex);
    cpus_vm_paused = false;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        c->stop_request = false;
    }
    pthread_cond_broadcast(&cpus_cond);
    pthread_mutex_unlock(&cpus_mutex);
}

void cpus_resume_one(CPUState *cpu)
{
    pthread_mutex_lock(&cpus_mutex);
    cpu->stop_request = false;
    pthread_cond_broadcast(&cpus_cond);
    pthread_mutex_unlock(&cpus_mutex);
}

bool cpus_paused(void)
{
    return cpus_vm_paused;
}

void cpus_reset(void)
{
    bool was_running = !cpus_vm_paused;
    bool any_thread = false;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        any_thread |= c->thread_created;
    }
    if (any_thread && was_running) {
        cpus_pause();
    }
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        cpu_reset(c);
    }
    if (any_thread && was_running) {
        cpus_resume();
    }
}

void cpus_stop_threads(void)
{
    pthread_mutex_lock(&cpus_mutex);
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        c->quit_request = true;
        cpu_exit(c);
    }
    pthread_cond_broadcast(&cpus_cond);
    pthread_mutex_unlock(&cpus_mutex);
    bool locked = bql_locked();
    if (locked) {
        bql_unlock(); /* a vCPU may need it to finish an MMIO access */
    }
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        if (c->thread_created && !pthread_equal(pthread_self(), c->thread)) {
            pthread_join(c->thread, NULL);
            c->thread_created = false;
        }
    }
    if (locked) {
        bql_lock();
    }
}

void cpu_single_step(CPUState *cpu, bool enable)
{
    cpu->singlestep = enable;
    cpu_kick(cpu);
}
