/*
 * Clocks and timers (system/timer.h): per-clock lists sorted by deadline and
 * one glib source on the main loop that sleeps until the nearest deadline.
 */
#include "system/timer.h"
#include "system/main-loop.h"

#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define CLOCK_COUNT 3

struct Timer {
    ClockType type;
    TimerCallback *cb;
    void *opaque;
    int64_t expire;
    bool pending;
    Timer *next;
};

/* One lock for the lists and the virtual clock: timers may be armed from
 * vCPU threads while the main loop computes its deadline. */
static pthread_mutex_t timer_lock = PTHREAD_MUTEX_INITIALIZER;
static Timer *timer_lists[CLOCK_COUNT];
static GSource *timer_source;

static bool virt_running = true;
static bool virt_started;
static int64_t virt_offset; /* running: virtual = monotonic - offset */
static int64_t virt_frozen; /* paused: the value it stopped at */

static int64_t host_clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

/* Caller holds timer_lock. Guest time starts at 0 when first asked. */
static int64_t virt_now_locked(void)
{
    int64_t mono = host_clock_ns(CLOCK_MONOTONIC);
    if (!virt_started) {
        virt_started = true;
        virt_offset = mono;
        virt_frozen = 0;
    }
    return virt_running ? mono - virt_offset : virt_frozen;
}

static int64_t clock_now_locked(ClockType type)
{
    switch (type) {
    case CLOCK_VIRTUAL: return virt_now_locked();
    case CLOCK_REALTIME: return host_clock_ns(CLOCK_MONOTONIC);
    case CLOCK_HOST: return host_clock_ns(CLOCK_REALTIME);
    }
    return 0;
}

int64_t clock_get_ns(ClockType type)
{
    if (type != CLOCK_VIRTUAL) {
        return clock_now_locked(type);
    }
    pthread_mutex_lock(&timer_lock);
    int64_t v = virt_now_locked();
    pthread_mutex_unlock(&timer_lock);
    return v;
}

void clock_virtual_pause(void)
{
    pthread_mutex_lock(&timer_lock);
    if (virt_running) {
        virt_frozen = virt_now_locked();
        virt_running = false;
    }
    pthread_mutex_unlock(&timer_lock);
    main_loop_wakeup();
}

void clock_virtual_resume(void)
{
    pthread_mutex_lock(&timer_lock);
    if (!virt_running) {
        virt_now_locked();
        virt_offset = host_clock_ns(CLOCK_MONOTONIC) - virt_frozen;
        virt_running = true;
    }
    pthread_mutex_unlock(&timer_lock);
    main_loop_wakeup();
}

bool clock_virtual_running(void)
{
    pthread_mutex_lock(&timer_lock);
    bool r = virt_running;
    pthread_mutex_unlock(&timer_lock);
    return r;
}

/* Nearest deadline as a poll timeout in ms (-1: none); 0 if one expired. */
static int timer_next_timeout_locked(void)
{
    int64_t best = -1;
    for (int c = 0; c < CLOCK_COUNT; c++) {
        Timer *t = timer_lists[c];
        if (!t || (c == CLOCK_VIRTUAL && !virt_running)) {
            continue;
        }
        int64_t delta = t->expire - clock_now_locked(c);
        if (delta <= 0) {
            return 0;
        }
        if (best < 0 || delta < best) {
            best = delta;
        }
    }
    if (best < 0) {
        return -1;
    }
    int64_t ms = (best + 999999) / 1000000;
    return ms > G_MAXINT ? G_MAXINT : (int)ms;
}

static gboolean timer_source_prepare(GSource *src, gint *timeout)
{
    pthread_mutex_lock(&timer_lock);
    *timeout = timer_next_timeout_locked();
    pthread_mutex_unlock(&timer_lock);
    return *timeout == 0;
}

static gboolean timer_source_check(GSource *src)
{
    pthread_mutex_lock(&timer_lock);
    bool ready = timer_next_timeout_locked() == 0;
    pthread_mutex_unlock(&timer_lock);
    return ready;
}

/* Runs every expired timer, earliest first within each clock. A callback may
 * re-arm or free its own timer: the list is re-read after each call. */
static gboolean timer_source_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
    for (int c = 0; c < CLOCK_COUNT; c++) {
        for (;;) {
            pthread_mutex_lock(&timer_lock);
            Timer *t = timer_lists[c];
            if (!t || (c == CLOCK_VIRTUAL && !virt_running) || t->expire > clock_now_locked(c)) {
                pthread_mutex_unlock(&timer_lock);
                break;
            }
            timer_lists[c] = t->next;
            t->next = NULL;
            t->pending = false;
            TimerCallback *fn = t->cb;
            void *opaque = t->opaque;
            pthread_mutex_unlock(&timer_lock);
            fn(opaque);
        }
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
    .prepare = timer_source_prepare,
    .check = timer_source_check,
    .dispatch = timer_source_dispatch,
};

static void timer_source_ensure(void)
{
    if (timer_source) {
        return;
    }
    timer_source = g_source_new(&timer_source_funcs, sizeof(GSource));
    g_source_attach(timer_source, main_loop_context());
}

Timer *timer_new_ns(ClockType type, TimerCallback *cb, void *opaque)
{
    timer_source_ensure();
    Timer *t = g_new0(Timer, 1);
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    return t;
}

static void timer_unlink_locked(Timer *t)
{
    if (!t->pending) {
        return;
    }
    for (Timer **p = &timer_lists[t->type]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
}

void timer_free(Timer *t)
{
    if (!t) {
        return;
    }
    timer_del(t);
    g_free(t);
}

void timer_mod_ns(Timer *t, int64_t expire_ns)
{
    pthread_mutex_lock(&timer_lock);
    timer_unlink_locked(t);
    t->expire = expire_ns;
    t->pending = true;
    /* Equal deadlines fire in the order they were armed. */
    Timer **p = &timer_lists[t->type];
    while (*p && (*p)->expire <= expire_ns) {
        p = &(*p)->next;
    }
    t->next = *p;
    *p = t;
    bool first = timer_lists[t->type] == t;
    pthread_mutex_unlock(&timer_lock);
    if (first) {
        main_loop_wakeup();
    }
}

void timer_del(Timer *t)
{
    pthread_mutex_lock(&timer_lock);
    timer_unlink_locked(t);
    pthread_mutex_unlock(&timer_lock);
}

bool timer_pending(const Timer *t)
{
    pthread_mutex_lock(&timer_lock);
    bool r = t->pending;
    pthread_mutex_unlock(&timer_lock);
    return r;
}

int64_t timer_expire_time_ns(const Timer *t)
{
    pthread_mutex_lock(&timer_lock);
    int64_t r = t->pending ? t->expire : -1;
    pthread_mutex_unlock(&timer_lock);
    return r;
}
