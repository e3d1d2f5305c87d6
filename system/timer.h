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
#include <time.h>

/*
 * <time.h> (pulled in by pthread.h, glib.h...) defines CLOCK_REALTIME as a
 * macro for 0, so an enum member of that name cannot exist. The ClockType of
 * that name therefore *is* POSIX's 0: CLOCK_REALTIME passed as a ClockType
 * means "host monotonic time", whatever file includes what first.
 */
typedef enum ClockType {
    CLOCK_TYPE_REALTIME = CLOCK_REALTIME, /* spell it CLOCK_REALTIME: host
                                             monotonic ns, always runs (UI, slirp) */
    CLOCK_VIRTUAL = 1,                    /* guest time: ns, stops while paused */
    CLOCK_HOST = 2,                       /* host wall clock ns since the epoch (RTC start) */
} ClockType;
_Static_assert(CLOCK_REALTIME == 0, "ClockType relies on POSIX CLOCK_REALTIME being 0");

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
