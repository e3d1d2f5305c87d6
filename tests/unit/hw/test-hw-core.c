/*
 * Unit tests of the device core (hw/core): IRQ lines and fan-out, the
 * big-endian state stream, and the device registry's reset/save/load.
 */
#include "hw/hw.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int levels[8];
static int calls;

static void record(void *opaque, int n, int level)
{
    int *arr = opaque;
    arr[n] = level;
    calls++;
}

START_TEST(test_irq)
{
    memset(levels, 0, sizeof(levels));
    calls = 0;
    qemu_irq *lines = irq_new_array(record, levels, 4);
    irq_raise(lines[2]);
    ck_assert_int_eq(levels[2], 1);
    irq_lower(lines[2]);
    ck_assert_int_eq(levels[2], 0);
    irq_pulse(lines[3]);
    ck_assert_int_eq(calls, 4);
    ck_assert_int_eq(levels[3], 0);
    irq_set(NULL, 1); /* unconnected: ignored */
    qemu_irq both = irq_split(lines[0], lines[1]);
    irq_set(both, 1);
    ck_assert_int_eq(levels[0], 1);
    ck_assert_int_eq(levels[1], 1);
    irq_free(both);
    for (int i = 0; i < 4; i++) {
        irq_free(lines[i]);
    }
    free(lines);
}
END_TEST

START_TEST(test_state_stream)
{
    StateStream *w = state_stream_new_writer();
    state_put_u8(w, 0x12);
    state_put_u16(w, 0x3456);
    state_put_u32(w, 0x789abcde);
    state_put_u64(w, 0x0102030405060708ull);
    state_put_bytes(w, "xyz", 3);
    size_t len;
    const uint8_t *d = state_stream_data(w, &len);
    ck_assert_uint_eq(len, 1 + 2 + 4 + 8 + 3);
    const uint8_t want[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 1, 2, 3, 4, 5, 6, 7, 8};
    ck_assert_mem_eq(d, want, sizeof(want));
    StateStream *r = state_stream_new_reader(d, len);
    uint8_t a;
    uint16_t b;
    uint32_t c;
    uint64_t e;
    char s[3];
    ck_assert(state_get_u8(r, &a) && a == 0x12);
    ck_assert(state_get_u16(r, &b) && b == 0x3456);
    ck_assert(state_get_u32(r, &c) && c == 0x789abcde);
    ck_assert(state_get_u64(r, &e) && e == 0x0102030405060708ull);
    ck_assert(state_get_bytes(r, s, 3) && memcmp(s, "xyz", 3) == 0);
    ck_assert(state_stream_ok(r));
    ck_assert(!state_get_u8(r, &a)); /* exhausted */
    ck_assert(!state_stream_ok(r));
    state_stream_free(r);
    /* Short stream: a u32 from 2 bytes fails, and so does everything after. */
    r = state_stream_new_reader(d, 2);
    ck_assert(!state_get_u32(r, &c));
    ck_assert(!state_get_u8(r, &a));
    state_stream_free(r);
    state_stream_free(w);
}
END_TEST

typedef struct Counter {
    Device dev;
    uint32_t value;
    int resets;
} Counter;

static void counter_reset(Device *d)
{
    Counter *c = (Counter *)d;
    c->value = 0;
    c->resets++;
}

static void counter_save(Device *d, StateStream *s)
{
    state_put_u32(s, ((Counter *)d)->value);
}

static bool counter_load(Device *d, StateStream *s)
{
    uint32_t v;
    if (!state_get_u32(s, &v) || v > 1000) {
        return false;
    }
    ((Counter *)d)->value = v;
    return true;
}

static const DeviceOps counter_ops = {
    .type = "counter",
    .reset = counter_reset,
    .save = counter_save,
    .load = counter_load,
};

static void count_ids(Device *d, void *opaque)
{
    *(int *)opaque += 1;
}

START_TEST(test_registry)
{
    Counter a = {.value = 5}, b = {.value = 7};
    device_register(&a.dev, &counter_ops, "a");
    device_register(&b.dev, &counter_ops, "b");
    ck_assert_ptr_eq(device_find("b"), &b.dev);
    ck_assert_ptr_null(device_find("c"));
    int n = 0;
    device_foreach(count_ids, &n);
    ck_assert_int_eq(n, 2);

    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    size_t len;
    const uint8_t *d = state_stream_data(w, &len);
    /* magic, count, then "a": id len 1, 'a', state len 4, value 5 */
    const uint8_t head[] = {'M', 'D', 'E', 'V', 0, 0, 0, 2, 0, 1, 'a', 0, 0, 0, 4, 0, 0, 0, 5};
    ck_assert_uint_eq(len, 8 + 2 * (2 + 1 + 4 + 4));
    ck_assert_mem_eq(d, head, sizeof(head));

    device_reset_all();
    ck_assert_int_eq(a.value, 0);
    ck_assert_int_eq(b.resets, 1);

    StateStream *r = state_stream_new_reader(d, len);
    char *err = NULL;
    ck_assert(device_load_all(r, &err));
    ck_assert_int_eq(a.value, 5);
    ck_assert_int_eq(b.value, 7);
    state_stream_free(r);

    /* Short data fails cleanly. */
    r = state_stream_new_reader(d, len - 2);
    ck_assert(!device_load_all(r, &err));
    ck_assert_ptr_nonnull(strstr(err, "truncated"));
    free(err);
    state_stream_free(r);

    /* Unknown id. */
    uint8_t *copy = malloc(len);
    memcpy(copy, d, len);
    copy[10] = 'z';
    r = state_stream_new_reader(copy, len);
    ck_assert(!device_load_all(r, &err));
    ck_assert_str_eq(err, "saved state has unknown device 'z'");
    free(err);
    state_stream_free(r);

    /* A device rejecting its own state. */
    memcpy(copy, d, len);
    copy[18] = 0xff;
    copy[17] = 0xff;
    r = state_stream_new_reader(copy, len);
    ck_assert(!device_load_all(r, &err));
    ck_assert_str_eq(err, "saved state of device 'a' (counter) is invalid");
    free(err);
    state_stream_free(r);

    /* Not a state stream at all. */
    r = state_stream_new_reader("hello world", 11);
    ck_assert(!device_load_all(r, &err));
    free(err);
    state_stream_free(r);

    /* Automatic ids. */
    Counter c = {0}, e = {0};
    static const DeviceOps pit_like = {.type = "i8254"};
    device_register_auto(&c.dev, &counter_ops);
    device_register_auto(&e.dev, &pit_like);
    ck_assert_ptr_eq(device_find("counter0"), &c.dev);
    ck_assert_ptr_eq(device_find("i8254-0"), &e.dev);
    device_unregister(&c.dev);
    device_unregister(&e.dev);

    free(copy);
    state_stream_free(w);
    device_unregister(&a.dev);
    ck_assert_ptr_null(device_find("a"));
    device_unregister(&b.dev);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hw-core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_irq);
    tcase_add_test(tc, test_state_stream);
    tcase_add_test(tc, test_registry);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
