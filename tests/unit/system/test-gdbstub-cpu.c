/*
 * The gdb stub end to end with cpu/'s GdbTarget: a "toy" guest CPU
 * (tests/unit/cpu/toy.c) debugged over TCP: registers, memory, single steps,
 * breakpoints, continue and Ctrl-C.
 */
#include "cpu/cpu.h"
#include "system/gdbstub.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "tests/unit/cpu/toy.h"

#include <arpa/inet.h>
#include <check.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static ToyEnv *env;
static int fd;

static void send_packet(const char *payload)
{
    uint8_t sum = 0;
    for (const char *p = payload; *p; p++) {
        sum += (uint8_t)*p;
    }
    char *pkt = g_strdup_printf("$%s#%02x", payload, sum);
    ck_assert_int_eq(send(fd, pkt, strlen(pkt), 0), (ssize_t)strlen(pkt));
    g_free(pkt);
}

/* Runs the main loop until a whole packet arrived; returns its payload. */
static char *wait_reply(void)
{
    GString *got = g_string_new(NULL);
    for (int i = 0; i < 5000; i++) {
        char buf[1024];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            g_string_append_len(got, buf, n);
        }
        const char *dollar = strchr(got->str, '$');
        const char *hash = dollar ? strchr(dollar, '#') : NULL;
        if (hash && strlen(hash) >= 3) {
            char *payload = g_strndup(dollar + 1, hash - dollar - 1);
            g_string_free(got, TRUE);
            return payload;
        }
        main_loop_iterate(false);
        g_usleep(200);
    }
    ck_abort_msg("no reply, got '%s'", got->str);
    return NULL;
}

static void expect(const char *payload, const char *reply)
{
    send_packet(payload);
    char *r = wait_reply();
    ck_assert_str_eq(r, reply);
    g_free(r);
}

START_TEST(test_debug_toy_cpu)
{
    main_loop_init();
    char *err = NULL;
    ck_assert_int_eq(accel_init("tcg", &err), 0);
    MemoryRegion *sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    MemoryRegion *ram = memory_region_new_ram("ram", 1 << 20);
    memory_region_add_subregion(sysmem, 0, ram);
    AddressSpace *as = address_space_new(sysmem, "memory");
    cpu_models_add(toy_models);
    CPUState *cpu = cpu_create("toy1", as, &err);
    ck_assert_msg(cpu != NULL, "%s", err ? err : "");
    env = cpu->env;
    const uint32_t prog[] = {
        toy_i(TOY_LI, 1, 0, 5), toy_i(TOY_ADDI, 1, 1, 1), toy_i(TOY_ADDI, 2, 2, 1),
        toy_i(TOY_J, 0, 0, -2), /* spin: r2 counts */
    };
    ck_assert_int_eq(address_space_write(as, 0x1000, prog, sizeof(prog)), MEMTX_OK);
    env->pc = 0x1000;
    vm_set_initial_state(false); /* -S */

    ck_assert(gdbstub_has_target()); /* cpu_create registered it */
    ck_assert(gdbstub_start("tcp:127.0.0.1:0", &err));
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(gdbstub_port())};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);

    expect("?", "T05thread:01;");
    /* r0..r15 then pc, little-endian words. */
    char *zeros = g_strnfill(16 * 8, '0');
    char *regs = g_strdup_printf("%s00100000", zeros);
    g_free(zeros);
    send_packet("g");
    char *r = wait_reply();
    ck_assert_str_eq(r, regs);
    g_free(r);
    g_free(regs);
    char mem[16];
    snprintf(mem, sizeof(mem), "%02x%02x%02x%02x", prog[0] & 0xff, (prog[0] >> 8) & 0xff,
             (prog[0] >> 16) & 0xff, prog[0] >> 24);
    expect("m1000,4", mem);

    /* Two single steps: LI then ADDI. */
    expect("s", "T05thread:01;");
    expect("p10", "04100000");
    expect("p1", "05000000");
    expect("s", "T05thread:01;");
    expect("p1", "06000000");
    /* Registers and memory can be written while stopped. */
    expect("P3=78563412", "OK");
    ck_assert_uint_eq(env->regs[3], 0x12345678);
    expect("M2000,4:efbeadde", "OK");
    uint32_t word = 0;
    memcpy(&word, (uint8_t *)memory_region_get_ram_ptr(ram) + 0x2000, 4);
    ck_assert_uint_eq(word, 0xdeadbeef);

    /* A breakpoint on the loop's jump stops a continue there. */
    expect("Z0,100c,4", "OK");
    expect("c", "T05thread:01;");
    expect("p10", "0c100000");
    expect("z0,100c,4", "OK");

    /* Without it the loop spins until Ctrl-C stops it. */
    send_packet("c");
    for (int i = 0; i < 50; i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    ck_assert_int_eq(send(fd, "\x03", 1, 0), 1);
    r = wait_reply();
    ck_assert_str_eq(r, "T02thread:01;");
    g_free(r);
    ck_assert_uint_gt(env->regs[2], 10);

    close(fd);
    gdbstub_stop_server();
    cpus_stop_threads();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gdbstub-cpu");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_debug_toy_cpu);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
