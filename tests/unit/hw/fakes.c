/*
 * Test doubles for system/timer.h and system/chardev.h (see fakes.h), so
 * that device tests control time and serial lines exactly.
 */
#include "fakes.h"

#include <stdlib.h>
#include <string.h>

struct Timer {
    ClockType type;
    TimerCallback *cb;
    void *opaque;
    int64_t expire;
    bool pending;
    Timer *next_all;
};

static int64_t virt_now;
static int64_t host_now = 1700000000LL * NANOSECONDS_PER_SECOND;
static Timer *all_timers;

int64_t clock_get_ns(ClockType type)
{
    switch (type) {
    case CLOCK_VIRTUAL: return virt_now;
    case CLOCK_REALTIME: return virt_now;
    case CLOCK_HOST: return host_now + virt_now;
    }
    return 0;
}

void fake_clock_set_host(int64_t ns)
{
    host_now = ns - virt_now;
}

Timer *timer_new_ns(ClockType type, TimerCallback *cb, void *opaque)
{
    Timer *t = calloc(1, sizeof(*t));
    t->type = type;
    t->cb = cb;
    t->opaque = opaque;
    t->next_all = all_timers;
    all_timers = t;
    return t;
}

void timer_free(Timer *t)
{
    if (!t) {
        return;
    }
    for (Timer **p = &all_timers; *p; p = &(*p)->next_all) {
        if (*p == t) {
            *p = t->next_all;
            break;
        }
    }
    free(t);
}

void timer_mod_ns(Timer *t, int64_t expire_ns)
{
    t->expire = expire_ns;
    t->pending = true;
}

void timer_del(Timer *t)
{
    t->pending = false;
}

bool timer_pending(const Timer *t)
{
    return t->pending;
}

int64_t timer_expire_time_ns(const Timer *t)
{
    return t->pending ? t->expire : -1;
}

void clock_virtual_pause(void) {}

void clock_virtual_resume(void) {}

bool clock_virtual_running(void)
{
    return true;
}

void fake_clock_advance(int64_t ns)
{
    int64_t target = virt_now + ns;
    for (;;) {
        Timer *best = NULL;
        for (Timer *t = all_timers; t; t = t->next_all) {
            if (t->pending && t->expire <= target && (!best || t->expire < best->expire)) {
                best = t;
            }
        }
        if (!best) {
            break;
        }
        if (best->expire > virt_now) {
            virt_now = best->expire;
        }
        best->pending = false;
        best->cb(best->opaque);
    }
    virt_now = target;
}

struct Chardev {
    const CharFrontendOps *ops;
    void *opaque;
    char out[65536];
    size_t out_len;
    int accept_calls;
};

Chardev *fake_chardev_new(void)
{
    return calloc(1, sizeof(Chardev));
}

Chardev *chardev_new(const char *spec, char **errp)
{
    return fake_chardev_new();
}

void chardev_free(Chardev *chr)
{
    free(chr);
}

void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque)
{
    chr->ops = ops;
    chr->opaque = opaque;
}

int chardev_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len && chr->out_len + 1 < sizeof(chr->out); i++) {
        chr->out[chr->out_len++] = (char)buf[i];
    }
    chr->out[chr->out_len] = 0;
    return (int)len;
}

void chardev_accept_input(Chardev *chr)
{
    chr->accept_calls++;
}

size_t fake_chardev_send(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (!chr->ops) {
        return 0;
    }
    int room = chr->ops->can_receive(chr->opaque);
    size_t n = room < 0 ? 0 : (size_t)room < len ? (size_t)room : len;
    if (n) {
        chr->ops->receive(chr->opaque, buf, n);
    }
    return n;
}

const char *fake_chardev_output(Chardev *chr, size_t *len)
{
    if (len) {
        *len = chr->out_len;
    }
    return chr->out;
}

int fake_chardev_accept_calls(Chardev *chr)
{
    return chr->accept_calls;
}
