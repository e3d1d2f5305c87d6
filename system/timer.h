/*
 * Clocks and timers. The virtual clock follows host monotonic time and stops
 * while the VM is paused; device timers (PIT, RTC alarms, CP0 Compare, the
 * ARM generic timer) run on it. Timer callbacks run on the main-loop thread
 * with the global lock held.
 */
#ifndef SYSTEM_TIMER_H
#define SYSTEM_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef enum ClockType {
    CLOCK_VIRTUAL,  /* guest time: ns, stops while paused */
    CLOCK_REALTIME, /* host monotonic ns, always runs (UI, slirp) */
    CLOCK_HOST,     /* host wall clock ns since the epoch (RTC start) */
} ClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL

int64_t clock_get_ns(ClockType type);

typedef struct Timer Timer;
typedef void TimerCallback(void *opaque);

Timer *timer_new_ns(ClockType type, TimerCallback *cb, void *opaque);
void timer_free(Timer *t);
/* Fire once when the clock reaches expire_ns (absolute); re-arming moves it. */
void timer_mod_ns(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire_time_ns(const Timer *t);

/* VM run state: pausing stops CLOCK_VIRTUAL. */
void clock_virtual_pause(void);
void clock_virtual_resume(void);
bool clock_virtual_running(void);

#endif
