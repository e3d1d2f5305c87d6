/*
 * The main loop thread: a glib context polled by the main thread with the
 * global lock held except while it sleeps in poll(), plus VM run-state requests.
 */
#include "system/main-loop.h"
#include "system/timer.h"

#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;

static GMainContext *loop_ctx;
static VmHooks loop_hooks;
static bool policy_no_reboot, policy_no_shutdown;

/* Requests posted from any thread, acted upon by the main loop. */
static atomic_int req_shutdown;  /* guest poweroff */
static atomic_int req_exit;      /* user quit: always exits */
static atomic_int req_exit_code; /* code of whichever came first */
static atomic_int req_reset;
static atomic_bool vm_is_running = true;

void bql_lock(void)
{
    if (bql_held) {
        fprintf(stderr, "mimic: internal error: global lock taken twice by one thread\n");
        abort();
    }
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    if (!bql_held) {
        fprintf(stderr, "mimic: internal error: global lock released but not held\n");
        abort();
    }
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

/* glib sleeps in this: dropping the lock there lets vCPU threads reach
 * devices while the main thread waits for events. */
static gint loop_poll(GPollFD *fds, guint nfds, gint timeout)
{
    bool held = bql_held;
    if (held) {
        bql_unlock();
    }
    gint r = g_poll(fds, nfds, timeout);
    if (held) {
        bql_lock();
    }
    return r;
}

/* The context may be first needed by any thread (a device arming a timer);
 * only main_loop_init() makes the calling thread the loop's owner. */
static GMainContext *loop_ctx_get(void)
{
    static gsize once;
    if (g_once_init_enter(&once)) {
        loop_ctx = g_main_context_new();
        g_main_context_set_poll_func(loop_ctx, loop_poll);
        g_once_init_leave(&once, 1);
    }
    return loop_ctx;
}

void main_loop_init(void)
{
    static bool owned;
    if (owned) {
        return;
    }
    owned = true;
    /* Owning the context lets us dispatch without glib's own acquire dance. */
    g_main_context_acquire(loop_ctx_get());
    if (!bql_held) {
        bql_lock();
    }
}

struct _GMainContext *main_loop_context(void)
{
    return loop_ctx_get();
}

void main_loop_wakeup(void)
{
    if (loop_ctx) {
        g_main_context_wakeup(loop_ctx);
    }
}

static void request_code(int exit_code)
{
    /* The first request decides the exit code. */
    if (!atomic_load(&req_shutdown) && !atomic_load(&req_exit)) {
        atomic_store(&req_exit_code, exit_code);
    }
}

void vm_request_shutdown(int exit_code)
{
    request_code(exit_code);
    atomic_store(&req_shutdown, 1);
    main_loop_wakeup();
}

void vm_request_exit(int exit_code)
{
    request_code(exit_code);
    atomic_store(&req_exit, 1);
    main_loop_wakeup();
}

void vm_request_reset(void)
{
    atomic_store(&req_reset, 1);
    main_loop_wakeup();
}

bool vm_shutdown_requested(int *exit_code)
{
    bool r = atomic_load(&req_exit) || (atomic_load(&req_shutdown) && !policy_no_shutdown);
    if (r && exit_code) {
        *exit_code = atomic_load(&req_exit_code);
    }
    return r;
}

bool vm_reset_requested(void)
{
    return atomic_load(&req_reset) != 0;
}

void main_loop_clear_requests(void)
{
    atomic_store(&req_shutdown, 0);
    atomic_store(&req_exit, 0);
    atomic_store(&req_reset, 0);
    atomic_store(&req_exit_code, 0);
}

void main_loop_set_hooks(const VmHooks *hooks)
{
    loop_hooks = *hooks;
}

void main_loop_set_policy(bool no_reboot, bool no_shutdown)
{
    policy_no_reboot = no_reboot;
    policy_no_shutdown = no_shutdown;
}

void vm_set_initial_state(bool running)
{
    atomic_store(&vm_is_running, running);
    if (running) {
        if (!clock_virtual_running()) {
            clock_virtual_resume();
        }
    } else if (clock_virtual_running()) {
        clock_virtual_pause();
    }
}

void vm_stop(void)
{
    if (!atomic_exchange(&vm_is_running, false)) {
        return;
    }
    clock_virtual_pause();
    if (loop_hooks.pause) {
        loop_hooks.pause();
    }
}

void vm_start(void)
{
    if (atomic_exchange(&vm_is_running, true)) {
        return;
    }
    clock_virtual_resume();
    if (loop_hooks.resume) {
        loop_hooks.resume();
    }
}

bool vm_running(void)
{
    return atomic_load(&vm_is_running);
}

static void loop_process_requests(void)
{
    if (atomic_exchange(&req_reset, 0)) {
        if (policy_no_reboot) {
            vm_request_shutdown(0);
        } else if (loop_hooks.reset) {
            loop_hooks.reset();
        }
    }
    if (policy_no_shutdown && !atomic_load(&req_exit) && atomic_exchange(&req_shutdown, 0)) {
        /* -no-shutdown: the guest powered off, keep the process for the
         * monitor and gdb. */
        vm_stop();
    }
}

bool main_loop_iterate(bool blocking)
{
    main_loop_init();
    bool r = g_main_context_iteration(loop_ctx_get(), blocking);
    loop_process_requests();
    return r;
}

int main_loop_run(void)
{
    int code = 0;
    main_loop_init();
    loop_process_requests();
    while (!vm_shutdown_requested(&code)) {
        main_loop_iterate(true);
    }
    return code;
}
