/*
 * Unit tests of -device virtconsole/virtio-serial-* through
 * virtio_machine_setup: each port on the backend its chardev= names, the
 * board's serial slot for a port without one, QEMU's errors, -device help.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system/chardev.h"
#include "system/main-loop.h"
#include "vdriver.h"

#define CONSOLE_FEATURES ((1ull << VIRTIO_F_VERSION_1) | 1ull) /* F_SIZE */

/* The board: one guest driver per virtio-mmio transport, filled in order. */
typedef struct Board {
    VDriver d[3];
    int n, used;
} Board;

static bool board_plug(void *opaque, VirtIODevice *vdev, char **errp)
{
    Board *b = opaque;
    if (b->used == b->n) {
        *errp = g_strdup("no free virtio-mmio transport");
        return false;
    }
    return virtio_mmio_plug(b->d[b->used++].mmio, vdev);
}

static void board_init(Board *b, int n)
{
    memset(b, 0, sizeof(*b));
    b->n = n;
    for (int i = 0; i < n; i++) {
        vd_setup(&b->d[i], false);
    }
}

static void board_free(Board *b)
{
    for (int i = 0; i < b->n; i++) {
        vd_teardown(&b->d[i]);
    }
}

static bool board_setup(Board *b, char **devices, int n_devices, Chardev *slot, char **errp)
{
    VirtioMachineConfig cfg = {
        .devices = devices,
        .n_devices = n_devices,
        .console_chr = slot,
        .plug = board_plug,
        .opaque = b,
    };
    return virtio_machine_setup(&cfg, errp);
}

static Chardev *ringbuf(const char *id)
{
    char *err = NULL;
    char *spec = g_strdup_printf("ringbuf,id=%s", id);
    Chardev *chr = chardev_new_option(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err ? err : "");
    g_free(spec);
    return chardev_find(id);
}

/* What the chardev got from the guest so far. */
static char *ring_text(Chardev *chr)
{
    size_t len;
    char *s = chardev_ringbuf_read(chr, 4096, &len);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* The guest writes text to its console port (hvcN output). */
static void guest_write(VDriver *d, const char *text)
{
    vd_write_mem(d, VD_BUF_BASE, text, strlen(text));
    VdBuf b = {VD_BUF_BASE, strlen(text), false};
    uint32_t id, len;
    vd_submit(d, 1, &b, 1);
    ck_assert(vd_wait_used(d, 1, &id, &len));
}

START_TEST(test_two_ports_two_backends)
{
    Chardev *r0 = ringbuf("r0"), *r1 = ringbuf("r1");
    Board b;
    board_init(&b, 2);
    char *devs[] = {(char *)"virtio-serial-device", (char *)"virtconsole,chardev=r0",
                    (char *)"virtconsole,chardev=r1,name=second"};
    char *err = NULL;
    ck_assert_msg(board_setup(&b, devs, 3, NULL, &err), "%s", err ? err : "");
    /* The bus made no device of its own: one console per port. */
    ck_assert_int_eq(b.used, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_uint_eq(vd_reg_read(&b.d[i], R_DEVICE_ID), VIRTIO_ID_CONSOLE);
        ck_assert_uint_eq(vd_init_device(&b.d[i], CONSOLE_FEATURES, 2), CONSOLE_FEATURES);
    }
    guest_write(&b.d[1], "to hvc1\n");
    guest_write(&b.d[0], "to hvc0\n");
    char *t0 = ring_text(r0), *t1 = ring_text(r1);
    ck_assert_str_eq(t0, "to hvc0\n");
    ck_assert_str_eq(t1, "to hvc1\n");
    g_free(t0);
    g_free(t1);

    /* Input typed into r1 reaches the second port's receive buffer only. */
    VdBuf rx = {VD_BUF_BASE + 0x1000, 64, true};
    vd_submit(&b.d[0], 0, &rx, 1);
    vd_submit(&b.d[1], 0, &rx, 1);
    ck_assert(chardev_ringbuf_write(r1, (const uint8_t *)"ls\n", 3));
    uint32_t id, len;
    ck_assert(vd_wait_used(&b.d[1], 0, &id, &len));
    ck_assert_uint_eq(len, 3);
    char got[4] = {0};
    vd_read_mem(&b.d[1], VD_BUF_BASE + 0x1000, got, 3);
    ck_assert_str_eq(got, "ls\n");
    ck_assert_uint_eq(vd_used_idx(&b.d[0], 0), 0);
    board_free(&b);
}
END_TEST

START_TEST(test_serial_slot_for_port_without_chardev)
{
    Chardev *r0 = ringbuf("r0"), *slot = ringbuf("slot");
    Board b;
    board_init(&b, 2);
    /* -serial's slot goes to the port that names no backend, not to r0's. */
    char *devs[] = {(char *)"virtio-serial-pci", (char *)"virtconsole,chardev=r0",
                    (char *)"virtconsole"};
    char *err = NULL;
    ck_assert_msg(board_setup(&b, devs, 3, slot, &err), "%s", err ? err : "");
    ck_assert_int_eq(b.used, 2);
    for (int i = 0; i < 2; i++) {
        vd_init_device(&b.d[i], CONSOLE_FEATURES, 2);
    }
    guest_write(&b.d[0], "named");
    guest_write(&b.d[1], "slot");
    char *t0 = ring_text(r0), *ts = ring_text(slot);
    ck_assert_str_eq(t0, "named");
    ck_assert_str_eq(ts, "slot");
    g_free(t0);
    g_free(ts);
    board_free(&b);
}
END_TEST

START_TEST(test_bus_alone_is_one_console)
{
    Chardev *r0 = ringbuf("r0");
    Board b;
    board_init(&b, 2);
    char *devs[] = {(char *)"virtio-serial-device,chardev=r0", (char *)"virtio-rng-device"};
    char *err = NULL;
    ck_assert_msg(board_setup(&b, devs, 2, NULL, &err), "%s", err ? err : "");
    ck_assert_int_eq(b.used, 2);
    ck_assert_uint_eq(vd_reg_read(&b.d[0], R_DEVICE_ID), VIRTIO_ID_CONSOLE);
    ck_assert_uint_eq(vd_reg_read(&b.d[1], R_DEVICE_ID), VIRTIO_ID_RNG);
    vd_init_device(&b.d[0], CONSOLE_FEATURES, 2);
    guest_write(&b.d[0], "bus");
    char *t0 = ring_text(r0);
    ck_assert_str_eq(t0, "bus");
    g_free(t0);
    board_free(&b);
}
END_TEST

static const struct {
    const char *devs[3];
    const char *error;
} bad_cases[] = {
    {{"foo,x=1"}, "-device foo,x=1: 'foo' is not a valid device model name"},
    {{"virtio-rng-device", "virtconsolex"},
     "-device virtconsolex: 'virtconsolex' is not a valid device model name"},
    {{"virtconsole,chardev=r0"},
     "-device virtconsole,chardev=r0: No 'virtio-serial-bus' bus found for device "
     "'virtconsole'"},
    {{"virtio-serial-device", "virtconsole,chardev=zz"},
     "-device virtconsole,chardev=zz: chardev \"zz\" not found"},
    {{"virtio-serial-device", "virtconsole,chardev=r0", "virtconsole,chardev=r0"},
     "-device virtconsole,chardev=r0: chardev \"r0\" is already in use (mux=on shares it)"},
    {{"virtio-rng-device,chardev=r0"},
     "-device virtio-rng-device,chardev=r0: Property 'virtio-rng-device.chardev' not found"},
    {{"virtio-blk-pci"}, "-device virtio-blk-pci: drive property not set"},
    {{"virtio-blk-device,drive=nope"},
     "-device virtio-blk-device,drive=nope: Property 'virtio-blk-device.drive' can't find value "
     "'nope'"},
    {{"virtio-net-pci,netdev=n9"},
     "-device virtio-net-pci,netdev=n9: Property 'virtio-net-pci.netdev' can't find value 'n9'"},
    {{"virtio-net-device,mac=1:2"},
     "-device virtio-net-device,mac=1:2: Property 'virtio-net-device.mac' doesn't take value "
     "'1:2'"},
    {{"virtio-serial-device,id"}, "-device virtio-serial-device,id: Invalid parameter 'id'"},
};

START_TEST(test_bad_options)
{
    ringbuf("r0");
    Board b;
    board_init(&b, 3);
    int n = 0;
    while (n < 3 && bad_cases[_i].devs[n]) {
        n++;
    }
    char *err = NULL;
    ck_assert(!board_setup(&b, (char **)bad_cases[_i].devs, n, NULL, &err));
    ck_assert_str_eq(err, bad_cases[_i].error);
    g_free(err);
    board_free(&b);
}
END_TEST

static char *help_text(bool pci, bool mmio)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    virtio_device_print_help(f, pci, mmio);
    fclose(f);
    return buf;
}

START_TEST(test_device_help)
{
    char *pci = help_text(true, false);
    ck_assert_str_eq(
        pci,
        "Storage devices:\n"
        "name \"virtio-blk-pci\", bus PCI, alias \"virtio-blk\", desc \"virtio block device\"\n"
        "\n"
        "Network devices:\n"
        "name \"virtio-net-pci\", bus PCI, alias \"virtio-net\", desc \"virtio network "
        "device\"\n"
        "\n"
        "Input devices:\n"
        "name \"virtconsole\", bus virtio-serial-bus, desc \"virtio console port (hvcN)\"\n"
        "name \"virtio-serial-pci\", bus PCI, alias \"virtio-serial\", desc \"virtio serial "
        "bus\"\n"
        "\n"
        "Misc devices:\n"
        "name \"virtio-rng-pci\", bus PCI, alias \"virtio-rng\", desc \"virtio entropy "
        "source\"\n");
    char *mmio = help_text(false, true);
    ck_assert_ptr_nonnull(strstr(mmio, "name \"virtio-blk-device\", bus virtio-bus, desc"));
    ck_assert_ptr_null(strstr(mmio, "PCI"));
    ck_assert_ptr_nonnull(strstr(mmio, "name \"virtconsole\""));
    /* Every name listed is one -device takes. */
    for (char *line = mmio; (line = strstr(line, "name \"")); line++) {
        char *name = g_strndup(line + 6, strcspn(line + 6, "\""));
        ck_assert_msg(virtio_device_name_known(name), "%s", name);
        g_free(name);
    }
    char *none = help_text(false, false);
    ck_assert_str_eq(none, "Input devices:\nname \"virtconsole\", bus virtio-serial-bus, desc "
                           "\"virtio console port (hvcN)\"\n");
    free(pci);
    free(mmio);
    free(none);
}
END_TEST

/* The bus each -device name needs, and a board's refusal of the others. */
START_TEST(test_device_bus)
{
    ck_assert_int_eq(virtio_device_bus("virtio-blk-pci,drive=d0"), VIRTIO_DEVICE_BUS_PCI);
    ck_assert_int_eq(virtio_device_bus("virtio-net-device"), VIRTIO_DEVICE_BUS_MMIO);
    ck_assert_int_eq(virtio_device_bus("virtio-console-device"), VIRTIO_DEVICE_BUS_MMIO);
    ck_assert_int_eq(virtio_device_bus("virtio-rng"), VIRTIO_DEVICE_BUS_ANY);
    ck_assert_int_eq(virtio_device_bus("virtconsole,chardev=c"), VIRTIO_DEVICE_BUS_ANY);
    ck_assert_int_eq(virtio_device_bus("virtio-rng-pcix"), VIRTIO_DEVICE_BUS_UNKNOWN);
    ck_assert_int_eq(virtio_device_bus("e1000"), VIRTIO_DEVICE_BUS_UNKNOWN);

    char *err = NULL;
    char *devs[] = {(char *)"virtio-rng", (char *)"virtio-net-device,netdev=n0",
                    (char *)"virtio-blk-pci,drive=d0", (char *)"virtio-serial-device"};
    ck_assert(virtio_check_device_buses(devs, 2, false, true, &err));
    ck_assert(!virtio_check_device_buses(devs, 4, false, true, &err));
    ck_assert_str_eq(err, "-device virtio-blk-pci,drive=d0: No 'PCI' bus found for device "
                          "'virtio-blk-pci'");
    g_free(err);
    ck_assert(!virtio_check_device_buses(devs, 4, true, false, &err));
    ck_assert_str_eq(err, "-device virtio-net-device,netdev=n0: No 'virtio-bus' bus found for "
                          "device 'virtio-net-device'");
    g_free(err);
    ck_assert(virtio_check_device_buses(devs, 4, true, true, &err));
    /* An unknown name first is left to virtio_machine_setup's message. */
    char *unknown[] = {(char *)"foo", (char *)"virtio-rng-pci"};
    err = NULL;
    ck_assert(virtio_check_device_buses(unknown, 2, false, true, &err));
    ck_assert_ptr_null(err);
    /* -nic and -net nic's NICs (id=_...) are refused as NIC models, as QEMU does. */
    char *nic[] = {(char *)"virtio-net-pci,netdev=_nic0,id=_nic0"};
    ck_assert(virtio_device_from_nic(nic[0]));
    ck_assert(!virtio_device_from_nic(devs[1]));
    ck_assert(virtio_device_from_nic("virtio-net-device,id=_net12,mac=52:54:00:00:00:01"));
    ck_assert(!virtio_device_from_nic("virtio-rng-pci,id=_nic0"));
    ck_assert(!virtio_device_from_nic("virtio-net-pci,id=_x"));
    ck_assert(!virtio_device_from_nic("virtio-net-pci,id=_nic"));
    ck_assert(!virtio_check_device_buses(nic, 1, false, true, &err));
    ck_assert_str_eq(err, "Unsupported NIC model: virtio-net-pci");
    g_free(err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virtio-console");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, test_two_ports_two_backends);
    tcase_add_test(tc, test_serial_slot_for_port_without_chardev);
    tcase_add_test(tc, test_bus_alone_is_one_console);
    tcase_add_loop_test(tc, test_bad_options, 0, G_N_ELEMENTS(bad_cases));
    tcase_add_test(tc, test_device_help);
    tcase_add_test(tc, test_device_bus);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
