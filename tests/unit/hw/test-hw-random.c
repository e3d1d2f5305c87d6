/*
 * Robustness of the PC device models: a long deterministic stream of random
 * port accesses, IRQ line changes, INTA cycles, time steps and save/load
 * round trips (including truncated and corrupted state) must never crash or
 * trip the sanitizers; a guest can only confuse its own devices.
 */
#include "fakes.h"
#include "hw/char/serial.h"
#include "hw/intc/i8259.h"
#include "hw/rtc/mc146818.h"
#include "hw/timer/i8254.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic across runs and hosts */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static const uint16_t ports[] = {0x20,  0x21,  0x40,  0x41,  0x42,  0x43,  0x61,
                                 0x70,  0x71,  0xa0,  0xa1,  0x3f8, 0x3f9, 0x3fa,
                                 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff, 0x4d0, 0x4d1};

START_TEST(test_random_pc_devices)
{
    MemoryRegion *io = memory_region_new_container("io", 0x10000);
    AddressSpace *as = address_space_new(io, "I/O");
    Chardev *chr = fake_chardev_new();
    PicState *pic = i8259_new(io, NULL);
    PitState *pit = i8254_new(io, 0x40, i8259_irq(pic, 0));
    i8254_map_port61(pit, io, 0x61);
    RtcState *rtc = mc146818_new(io, 0x70, i8259_irq(pic, 8));
    SerialState *uart = serial_new(io, 0x3f8, 0, i8259_irq(pic, 4), chr, DEVICE_LITTLE_ENDIAN);

    for (int i = 0; i < 200000; i++) {
        uint64_t r = rng();
        uint16_t port = ports[r % (sizeof(ports) / sizeof(ports[0]))];
        unsigned size = 1u << ((r >> 8) % 3);
        uint64_t v;
        switch ((r >> 16) % 16) {
        case 0 ... 5: address_space_store(as, port, size, false, rng()); break;
        case 6 ... 10: address_space_load(as, port, size, (r >> 20) & 1, &v); break;
        case 11: irq_set(i8259_irq(pic, (r >> 24) % 16), (r >> 30) & 1); break;
        case 12: i8259_acknowledge(pic); break;
        case 13: fake_clock_advance((int64_t)(rng() % 5000000)); break;
        case 14: {
            uint8_t buf[4] = {(uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16), 0};
            fake_chardev_send(chr, buf, (r >> 24) % 4);
            break;
        }
        case 15: i8254_set_gate(pit, 2, (r >> 24) & 1); break;
        }
    }

    /* State round trips, then damaged state: load fails or succeeds, never crashes. */
    StateStream *w = state_stream_new_writer();
    device_save_all(w);
    size_t len;
    const uint8_t *d = state_stream_data(w, &len);
    StateStream *rd = state_stream_new_reader(d, len);
    char *err = NULL;
    ck_assert_msg(device_load_all(rd, &err), "%s", err ? err : "");
    state_stream_free(rd);
    uint8_t *copy = malloc(len);
    for (int i = 0; i < 2000; i++) {
        memcpy(copy, d, len);
        size_t n = len;
        if (i & 1) {
            n = rng() % len;
        } else {
            for (int k = 0; k < 4; k++) {
                copy[rng() % len] = (uint8_t)rng();
            }
        }
        rd = state_stream_new_reader(copy, n);
        err = NULL;
        if (!device_load_all(rd, &err)) {
            ck_assert_ptr_nonnull(err);
        }
        free(err);
        state_stream_free(rd);
        /* The devices keep working after whatever was loaded. */
        uint64_t v;
        address_space_load(as, 0x71, 1, false, &v);
        address_space_load(as, 0x3fd, 1, false, &v);
        address_space_store(as, 0x43, 1, false, 0x34);
        fake_clock_advance(1000000);
    }
    free(copy);
    state_stream_free(w);

    serial_free(uart);
    mc146818_free(rtc);
    i8254_free(pit);
    i8259_free(pic);
    chardev_free(chr);
    address_space_free(as);
    memory_region_free(io);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hw-random");
    TCase *tc = tcase_create("pc");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_random_pc_devices);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
