/*
 * The main loop: one glib GMainContext run by the main thread, the global
 * device lock (BQL) it holds while dispatching, and VM run-state requests
 * (shutdown, reset, stop/start) that any thread may post.
 */
#ifndef SYSTEM_MAIN_LOOP_H
#define SYSTEM_MAIN_LOOP_H

#include <stdbool.h>

/* The global device lock. Not recursive: locking it twice from one thread
 * aborts with a message rather than deadlocking. */
void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void); /* held by the calling thread */

/* Wakes the glib main loop from another thread (e.g. after queueing work). */
void main_loop_wakeup(void);

/* Guest poweroff / Ctrl-A x: main() exits with exit_code. With -no-shutdown
 * a guest poweroff pauses the VM instead. */
void vm_request_shutdown(int exit_code);
/* Guest reboot: reset devices and CPUs on the main loop (with -no-reboot the
 * VM shuts down instead). */
void vm_request_reset(void);
/* Pause / resume the vCPUs and the virtual clock. */
void vm_stop(void);
void vm_start(void);
bool vm_running(void);

/* ---- Used by main() and the system module -------------------------------- */

/* The user asked to quit (monitor `quit`, Ctrl-A x, SIGINT): unlike a guest
 * shutdown this is never turned into a pause by -no-shutdown. */
void vm_request_exit(int exit_code);
/* True once a shutdown or exit was requested; *exit_code gets its code. */
bool vm_shutdown_requested(int *exit_code);
bool vm_reset_requested(void);

/* What the main loop calls to act on requests; main() installs them (the CPU
 * module is optional, so the loop itself knows nothing about CPUs). */
typedef struct VmHooks {
    void (*reset)(void);  /* devices + CPUs + board */
    void (*pause)(void);  /* stop the vCPUs (after the clock stopped) */
    void (*resume)(void); /* restart the vCPUs */
} VmHooks;
void main_loop_set_hooks(const VmHooks *hooks);
/* -no-reboot / -no-shutdown. */
void main_loop_set_policy(bool no_reboot, bool no_shutdown);
/* Initial run state without calling the pause hook (for -S, before vCPUs
 * exist). */
void vm_set_initial_state(bool running);

/* Creates the context and takes the BQL for the calling (main) thread.
 * Safe to call more than once. */
void main_loop_init(void);
/* The glib context every main-loop source attaches to. */
struct _GMainContext *main_loop_context(void);
/* One iteration (the BQL is dropped while polling); true if something was
 * dispatched. Processes pending reset requests too. */
bool main_loop_iterate(bool blocking);
/* Runs until a shutdown/exit request; returns its exit code. */
int main_loop_run(void);
/* Forgets pending requests (tests). */
void main_loop_clear_requests(void);

#endif
