/*
 * The 16550A UART against the real character backends of system/chardev.c:
 * bytes the guest writes to THR land in a -serial file:, and bytes written
 * into a -serial pipe: reach RBR through the main loop.
 */
#include "hw/char/serial.h"
#include "system/log.h"
#include "system/main-loop.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static AddressSpace *as;

static uint8_t in8(uint16_t port)
{
    uint64_t v;
    ck_assert_int_eq(address_space_load(as, port, 1, false, &v), MEMTX_OK);
    return (uint8_t)v;
}

static void out8(uint16_t port, uint8_t v)
{
    ck_assert_int_eq(address_space_store(as, port, 1, false, v), MEMTX_OK);
}

START_TEST(test_file_and_pipe)
{
    main_loop_init();
    MemoryRegion *io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    char dir[] = "/tmp/mimic-serial-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char spec[256], path[256];

    snprintf(spec, sizeof(spec), "file:%s/out.txt", dir);
    char *err = NULL;
    Chardev *file = chardev_new(spec, &err);
    ck_assert_msg(file != NULL, "%s", err ? err : "");
    SerialState *com1 = serial_new(io, 0x3f8, 0, NULL, file, DEVICE_LITTLE_ENDIAN);
    const char *msg = "Hello from COM1\n";
    for (const char *p = msg; *p; p++) {
        while (!(in8(0x3f8 + 5) & 0x20)) {
        }
        out8(0x3f8, (uint8_t)*p);
    }
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char got[64] = {0};
    ck_assert_uint_eq(fread(got, 1, sizeof(got) - 1, f), strlen(msg));
    fclose(f);
    ck_assert_str_eq(got, msg);

    char in_path[256], out_path[256];
    snprintf(in_path, sizeof(in_path), "%s/p.in", dir);
    snprintf(out_path, sizeof(out_path), "%s/p.out", dir);
    ck_assert_int_eq(mkfifo(in_path, 0600), 0);
    ck_assert_int_eq(mkfifo(out_path, 0600), 0);
    snprintf(spec, sizeof(spec), "pipe:%s/p", dir);
    Chardev *pipe_chr = chardev_new(spec, &err);
    ck_assert_msg(pipe_chr != NULL, "%s", err ? err : "");
    SerialState *com2 = serial_new(io, 0x2f8, 0, NULL, pipe_chr, DEVICE_LITTLE_ENDIAN);
    out8(0x2f8 + 2, 0x07); /* FIFO on */
    int wfd = open(in_path, O_RDWR);
    ck_assert_int_ge(wfd, 0);
    ck_assert_int_eq(write(wfd, "abc", 3), 3);
    char rx[4] = {0};
    int n = 0;
    for (int spins = 0; spins < 2000 && n < 3; spins++) {
        main_loop_iterate(false);
        while (n < 3 && (in8(0x2f8 + 5) & 1)) {
            rx[n++] = (char)in8(0x2f8);
        }
        if (n < 3) {
            usleep(1000);
        }
    }
    ck_assert_str_eq(rx, "abc");
    out8(0x2f8, 'Z');
    int rfd = open(out_path, O_RDWR);
    ck_assert_int_ge(rfd, 0);
    char c = 0;
    ck_assert_int_eq(read(rfd, &c, 1), 1);
    ck_assert_int_eq(c, 'Z');
    close(rfd);
    close(wfd);

    serial_free(com1);
    serial_free(com2);
    chardev_free(file);
    chardev_free(pipe_chr);
    unlink(path);
    unlink(in_path);
    unlink(out_path);
    rmdir(dir);
    address_space_free(as);
    memory_region_free(io);
}
END_TEST

/* -d guest_errors,unimp reach the log file from device models. */
START_TEST(test_device_logging)
{
    MemoryRegion *io = memory_region_new_container("io", 0x10000);
    as = address_space_new(io, "I/O");
    SerialState *com1 = serial_new(io, 0x3f8, 0, NULL, NULL, DEVICE_LITTLE_ENDIAN);
    char path[] = "/tmp/mimic-hwlog-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char *err = NULL;
    ck_assert(log_set_file(path, &err));
    ck_assert(log_set_items("guest_errors", &err));
    out8(0x3f8 + 5, 0x12); /* LSR is read-only */
    out8(0x3f8 + 7, 0x34); /* SCR is fine */
    ck_assert(log_set_items("", &err));
    fflush(log_file());
    FILE *f = fopen(path, "r");
    char got[256] = {0};
    ck_assert_uint_gt(fread(got, 1, sizeof(got) - 1, f), 0);
    fclose(f);
    ck_assert_str_eq(got, "serial: write 0x12 to read-only LSR\n");
    unlink(path);
    serial_free(com1);
    address_space_free(as);
    memory_region_free(io);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serial-chardev");
    TCase *tc = tcase_create("backends");
    tcase_add_test(tc, test_file_and_pipe);
    tcase_add_test(tc, test_device_logging);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
