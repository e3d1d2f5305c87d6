/*
 * Test doubles for the device tests: a virtual clock that only moves when
 * the test says so (deterministic timers) and a character backend that
 * records output and injects input.
 */
#ifndef TESTS_UNIT_HW_FAKES_H
#define TESTS_UNIT_HW_FAKES_H

#include "system/chardev.h"
#include "system/timer.h"

#include <stddef.h>
#include <stdint.h>

/* Moves CLOCK_VIRTUAL forward, firing due timers in deadline order. */
void fake_clock_advance(int64_t ns);
void fake_clock_set_host(int64_t ns);

Chardev *fake_chardev_new(void);
/* Delivers as many bytes as the front-end accepts; returns how many. */
size_t fake_chardev_send(Chardev *chr, const uint8_t *buf, size_t len);
/* Output written so far (NUL-terminated) and its length. */
const char *fake_chardev_output(Chardev *chr, size_t *len);
int fake_chardev_accept_calls(Chardev *chr);

#endif
