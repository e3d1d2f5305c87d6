/*
 * Tests of the gdb stub (system/gdbstub.c) against a fake target over a
 * socketpair: framing, checksums and acks, registers, memory, breakpoints,
 * step/continue/interrupt, target.xml transfer; and the TCP listener.
 */
#include "system/gdbstub.h"
#include "system/main-loop.h"

#include <arpa/inet.h>
#include <check.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MEM_BASE 0x1000
#define MEM_SIZE 0x100
#define NREGS    4

typedef struct Fake {
    uint8_t mem[MEM_SIZE];
    uint32_t regs[2][NREGS];
    uint64_t bp[8];
    int bp_type[8];
    int n_bp;
    int steps, conts, stops;
    int last_step_cpu;
    GdbConnection *conn; /* for reporting stops */
    bool step_stops_at_once;
    int regs_len; /* bytes 'g' gets (0: every register) */
} Fake;

static Fake fake;

static int fake_read_regs(void *opaque, int cpu, uint8_t *buf, size_t size)
{
    memcpy(buf, fake.regs[cpu], sizeof(fake.regs[cpu]));
    return fake.regs_len ? fake.regs_len : (int)sizeof(fake.regs[cpu]);
}

static bool fake_write_regs(void *opaque, int cpu, const uint8_t *buf, size_t len)
{
    if (len != sizeof(fake.regs[cpu])) {
        return false;
    }
    memcpy(fake.regs[cpu], buf, len);
    return true;
}

static int fake_read_reg(void *opaque, int cpu, int reg, uint8_t *buf, size_t size)
{
    if (reg == NREGS) {
        return -10; /* described (an x87 register, say) but not readable */
    }
    if (reg >= NREGS) {
        return 0;
    }
    memcpy(buf, &fake.regs[cpu][reg], 4);
    return 4;
}

static bool fake_write_reg(void *opaque, int cpu, int reg, const uint8_t *buf, size_t len)
{
    if (reg >= NREGS || len != 4) {
        return false;
    }
    memcpy(&fake.regs[cpu][reg], buf, 4);
    return true;
}

static bool fake_read_mem(void *opaque, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
    if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE) {
        return false;
    }
    memcpy(buf, fake.mem + (addr - MEM_BASE), len);
    return true;
}

static bool fake_write_mem(void *opaque, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
    if (addr < MEM_BASE || addr + len > MEM_BASE + MEM_SIZE) {
        return false;
    }
    memcpy(fake.mem + (addr - MEM_BASE), buf, len);
    return true;
}

static bool fake_insert_bp(void *opaque, int type, uint64_t addr, uint64_t kind)
{
    if (type > GDB_BREAKPOINT_HW || fake.n_bp == 8) {
        return false;
    }
    fake.bp_type[fake.n_bp] = type;
    fake.bp[fake.n_bp++] = addr;
    return true;
}

static bool fake_remove_bp(void *opaque, int type, uint64_t addr, uint64_t kind)
{
    for (int i = 0; i < fake.n_bp; i++) {
        if (fake.bp[i] == addr && fake.bp_type[i] == type) {
            fake.bp[i] = fake.bp[--fake.n_bp];
            fake.bp_type[i] = fake.bp_type[fake.n_bp];
            return true;
        }
    }
    return false;
}

static void fake_step(void *opaque, int cpu)
{
    fake.steps++;
    fake.last_step_cpu = cpu;
    fake.regs[cpu][0] += 4; /* the "pc" */
    if (fake.step_stops_at_once) {
        gdb_connection_report_stop(fake.conn, GDB_SIGTRAP, cpu);
    }
}

static void fake_cont(void *opaque)
{
    fake.conts++;
}

static void fake_stop(void *opaque)
{
    fake.stops++;
}

static const char fake_xml[] = "<?xml version=\"1.0\"?><target><architecture>fake</architecture>"
                               "</target>";

static const char *fake_target_xml(void *opaque, const char *annex)
{
    return strcmp(annex, "target.xml") ? NULL : fake_xml;
}

static const GdbTarget fake_target = {
    .num_cpus = 2,
    .read_registers = fake_read_regs,
    .write_registers = fake_write_regs,
    .read_register = fake_read_reg,
    .write_register = fake_write_reg,
    .read_memory = fake_read_mem,
    .write_memory = fake_write_mem,
    .insert_breakpoint = fake_insert_bp,
    .remove_breakpoint = fake_remove_bp,
    .step = fake_step,
    .cont = fake_cont,
    .stop = fake_stop,
    .target_xml = fake_target_xml,
};

static int peer; /* the "gdb" end of the socketpair */
static GdbConnection *conn;

static void setup(void)
{
    memset(&fake, 0, sizeof(fake));
    for (int i = 0; i < MEM_SIZE; i++) {
        fake.mem[i] = i;
    }
    fake.regs[0][0] = 0x11223344;
    fake.regs[0][1] = 0xdeadbeef;
    fake.regs[1][0] = 0x55667788;
    fake.step_stops_at_once = true;
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    peer = sv[0];
    conn = gdb_connection_new(&fake_target, sv[1]);
    fake.conn = conn;
}

static void teardown(void)
{
    int fd = -1;
    (void)fd;
    gdb_connection_free(conn);
    close(peer);
}

static void send_raw(const char *s)
{
    gdb_connection_input(conn, (const uint8_t *)s, strlen(s));
}

static void send_packet(const char *payload)
{
    uint8_t sum = 0;
    for (const char *p = payload; *p; p++) {
        sum += (uint8_t)*p;
    }
    char *pkt = g_strdup_printf("$%s#%02x", payload, sum);
    send_raw(pkt);
    g_free(pkt);
}

/* Everything the stub has written so far. */
static char *recv_all(void)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
        g_string_append_len(s, buf, n);
    }
    return g_string_free(s, FALSE);
}

/* Checks framing and checksum of the single reply sent (after an optional
 * '+'), and returns its payload. */
static char *reply_to(const char *payload, bool expect_ack)
{
    send_packet(payload);
    char *raw = recv_all();
    const char *p = raw;
    if (expect_ack) {
        ck_assert_msg(*p == '+', "no ack in '%s'", raw);
        p++;
    }
    ck_assert_msg(*p == '$', "no packet in '%s'", raw);
    const char *hash = strrchr(p, '#');
    ck_assert_ptr_nonnull(hash);
    ck_assert_int_eq(strlen(hash), 3);
    uint8_t sum = 0;
    for (const char *q = p + 1; q < hash; q++) {
        sum += (uint8_t)*q;
    }
    char want[3];
    snprintf(want, sizeof(want), "%02x", sum);
    ck_assert_str_eq(hash + 1, want);
    char *out = g_strndup(p + 1, hash - p - 1);
    g_free(raw);
    return out;
}

#define ASSERT_REPLY(payload, expected)     \
    do {                                    \
        char *r_ = reply_to(payload, true); \
        ck_assert_str_eq(r_, expected);     \
        g_free(r_);                         \
    } while (0)

START_TEST(test_attach_and_queries)
{
    ck_assert_int_eq(fake.stops, 1); /* attaching stops the target */
    char *r = reply_to("qSupported:multiprocess+;swbreak+", true);
    ck_assert_ptr_nonnull(strstr(r, "PacketSize=4000"));
    ck_assert_ptr_nonnull(strstr(r, "qXfer:features:read+"));
    g_free(r);
    ASSERT_REPLY("?", "T05thread:01;");
    ASSERT_REPLY("qAttached", "1");
    ASSERT_REPLY("qfThreadInfo", "m01,02");
    ASSERT_REPLY("qsThreadInfo", "l");
    ASSERT_REPLY("qC", "QC01");
    ASSERT_REPLY("Hg2", "OK");
    ASSERT_REPLY("qC", "QC02");
    ASSERT_REPLY("Hg3", "E01");
    ASSERT_REPLY("T2", "OK");
    ASSERT_REPLY("T5", "E01");
    ASSERT_REPLY("vCont?", "vCont;c;C;s;S");
    ASSERT_REPLY("vMustReplyEmpty", "");
    ASSERT_REPLY("qSomethingElse", "");
}
END_TEST

START_TEST(test_framing)
{
    /* A bad checksum is refused with '-' and not acted upon. */
    send_raw("$m1000,4#00");
    char *raw = recv_all();
    ck_assert_str_eq(raw, "-");
    g_free(raw);
    /* Acks, noise and a packet split over several reads. */
    send_raw("+");
    send_raw("$m10");
    send_raw("00,2#");
    send_raw("8");
    send_raw("c");
    raw = recv_all();
    ck_assert_str_eq(raw, "+$0001#c1");
    g_free(raw);
    /* '-' asks for the last reply again. */
    send_raw("-");
    raw = recv_all();
    ck_assert_str_eq(raw, "$0001#c1");
    g_free(raw);
    /* No-ack mode: no more '+'. */
    ASSERT_REPLY("QStartNoAckMode", "OK");
    char *r = reply_to("m1002,2", false);
    ck_assert_str_eq(r, "0203");
    g_free(r);
}
END_TEST

START_TEST(test_registers)
{
    /* Registers in target byte order: little-endian words here. */
    ASSERT_REPLY("g", "44332211efbeadde0000000000000000");
    ASSERT_REPLY("G0100000002000000030000000400000", "E01"); /* odd length */
    ASSERT_REPLY("G01000000020000000300000004000000", "OK");
    ck_assert_uint_eq(fake.regs[0][0], 1);
    ck_assert_uint_eq(fake.regs[0][3], 4);
    ASSERT_REPLY("p1", "02000000");
    ASSERT_REPLY("p9", "E01");
    ASSERT_REPLY("p4", "xxxxxxxxxxxxxxxxxxxx"); /* unavailable: gdb shows <unavailable> */
    ASSERT_REPLY("P2=aabbccdd", "OK");
    ck_assert_uint_eq(fake.regs[0][2], 0xddccbbaa);
    ASSERT_REPLY("P2=zz", "E01");
    /* Hg selects which CPU's registers. */
    ASSERT_REPLY("Hg2", "OK");
    ASSERT_REPLY("p0", "88776655");
}
END_TEST

/* gdb fixes the 'g' size from the first reply: later replies keep it, padded with
 * "xx" (unavailable) or cut (gdb reads the rest with 'p'). */
START_TEST(test_registers_g_size_kept)
{
    fake.regs_len = 8;
    ASSERT_REPLY("g", "44332211efbeadde");
    fake.regs_len = 16;
    ASSERT_REPLY("g", "44332211efbeadde");
    fake.regs_len = 4;
    ASSERT_REPLY("g", "44332211xxxxxxxx");
}
END_TEST

START_TEST(test_memory)
{
    ASSERT_REPLY("m1000,4", "00010203");
    ASSERT_REPLY("m10fe,2", "feff");
    ASSERT_REPLY("m10fe,4", "E14"); /* runs off the end */
    ASSERT_REPLY("m0,4", "E14");
    ASSERT_REPLY("mzz", "E01");
    ASSERT_REPLY("M1010,3:a1b2c3", "OK");
    ck_assert_uint_eq(fake.mem[0x10], 0xa1);
    ck_assert_uint_eq(fake.mem[0x12], 0xc3);
    ASSERT_REPLY("M1010,3:a1b2", "E01");
    ASSERT_REPLY("M0,1:00", "E14");
    /* X: binary data; '}' escapes a '#' (0x23 = 0x03 ^ 0x20). */
    ASSERT_REPLY("X1020,0:", "OK");
    ASSERT_REPLY("X1020,3:A}\x03Z", "OK");
    ck_assert_uint_eq(fake.mem[0x20], 'A');
    ck_assert_uint_eq(fake.mem[0x21], '#');
    ck_assert_uint_eq(fake.mem[0x22], 'Z');
}
END_TEST

START_TEST(test_breakpoints)
{
    ASSERT_REPLY("Z0,1040,4", "OK");
    ASSERT_REPLY("Z1,1080,4", "OK");
    ck_assert_int_eq(fake.n_bp, 2);
    ck_assert_uint_eq(fake.bp[0], 0x1040);
    ck_assert_int_eq(fake.bp_type[1], GDB_BREAKPOINT_HW);
    ASSERT_REPLY("Z2,1000,4", "E01"); /* the fake has no watchpoints */
    ASSERT_REPLY("z0,1040,4", "OK");
    ck_assert_int_eq(fake.n_bp, 1);
    ck_assert_uint_eq(fake.bp[0], 0x1080);
    ASSERT_REPLY("z0,1040,4", "E01");
    ASSERT_REPLY("Z9,0,0", "");
}
END_TEST

START_TEST(test_step_continue_interrupt)
{
    /* s: the target steps and reports the stop itself. */
    ASSERT_REPLY("s", "T05thread:01;");
    ck_assert_int_eq(fake.steps, 1);
    ck_assert_uint_eq(fake.regs[0][0], 0x11223348);
    ASSERT_REPLY("vCont;s:2;c", "T05thread:02;");
    ck_assert_int_eq(fake.last_step_cpu, 1);

    /* c: nothing until the target reports a stop. */
    send_packet("c");
    char *raw = recv_all();
    ck_assert_str_eq(raw, "+");
    g_free(raw);
    ck_assert_int_eq(fake.conts, 1);
    gdb_connection_report_stop(conn, GDB_SIGTRAP, 1);
    raw = recv_all();
    ck_assert_str_eq(raw, "$T05thread:02;#08");
    g_free(raw);
    /* A stop while gdb is not waiting for one is not reported. */
    gdb_connection_report_stop(conn, GDB_SIGTRAP, 0);
    raw = recv_all();
    ck_assert_str_eq(raw, "");
    g_free(raw);

    /* Ctrl-C while running: the stub stops the target and says SIGINT. */
    send_packet("vCont;c");
    g_free(recv_all());
    ck_assert_int_eq(fake.conts, 2);
    int stops = fake.stops;
    send_raw("\x03");
    ck_assert_int_eq(fake.stops, stops + 1);
    raw = recv_all();
    ck_assert_str_eq(raw, "$T02thread:01;#04");
    g_free(raw);
    ASSERT_REPLY("?", "T02thread:01;");
}
END_TEST

START_TEST(test_target_xml)
{
    ASSERT_REPLY("qXfer:features:read:target.xml:0,10", "m<?xml version=\"1");
    char *r = reply_to("qXfer:features:read:target.xml:0,1000", true);
    ck_assert_str_eq(r + 1, fake_xml);
    ck_assert_int_eq(r[0], 'l');
    g_free(r);
    char *off = g_strdup_printf("qXfer:features:read:target.xml:%zx,10", strlen(fake_xml));
    ASSERT_REPLY(off, "l");
    g_free(off);
    ASSERT_REPLY("qXfer:features:read:other.xml:0,10", "E00");
}
END_TEST

START_TEST(test_kill_and_detach)
{
    ck_assert(gdb_connection_alive(conn));
    send_packet("k");
    ck_assert(!gdb_connection_alive(conn));
    ck_assert(vm_shutdown_requested(NULL));
}
END_TEST

START_TEST(test_detach)
{
    ASSERT_REPLY("D", "OK");
    ck_assert(!gdb_connection_alive(conn));
    ck_assert_int_eq(fake.conts, 1); /* the guest runs on */
}
END_TEST

static bool tcp_reply_ready(int fd, GString *got)
{
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
        g_string_append_len(got, buf, n);
    }
    return strchr(got->str, '#') && strlen(strchr(got->str, '#')) >= 3;
}

static gpointer report_from_thread(gpointer unused)
{
    gdbstub_report_stop(GDB_SIGTRAP, 1);
    return NULL;
}

START_TEST(test_tcp_server)
{
    char *err = NULL;
    main_loop_init();
    ck_assert(!gdbstub_start("tcp::0", &err));
    ck_assert_str_eq(err, "-gdb tcp::0: gdbstub: meaningless to attach gdb to a machine without "
                          "any CPU");
    g_free(err);
    gdbstub_set_target(&fake_target);
    ck_assert(!gdbstub_start("udp::1", &err));
    g_free(err);
    ck_assert(gdbstub_start("tcp:127.0.0.1:0", &err));
    int port = gdbstub_port();
    ck_assert_int_gt(port, 0);

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(send(fd, "$m1000,2#8c", 11, 0), 11);
    GString *got = g_string_new(NULL);
    for (int i = 0; i < 2000 && !tcp_reply_ready(fd, got); i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    ck_assert_str_eq(got->str, "+$0001#c1");
    g_string_truncate(got, 0);

    /* Continue, then a stop reported from another thread reaches gdb. */
    ck_assert_int_eq(send(fd, "$c#63", 5, 0), 5);
    for (int i = 0; i < 5000 && fake.conts == 0; i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    ck_assert_int_eq(fake.conts, 1);
    GThread *th = g_thread_new("vcpu", report_from_thread, NULL);
    g_thread_join(th);
    for (int i = 0; i < 2000 && !tcp_reply_ready(fd, got); i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    ck_assert_str_eq(got->str, "+$T05thread:02;#08");
    g_string_free(got, TRUE);
    close(fd);
    for (int i = 0; i < 5000 && fake.conts < 2; i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    /* gdb went away without detaching: the guest was resumed. */
    ck_assert_int_eq(fake.conts, 2);
    gdbstub_stop_server();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gdbstub");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_attach_and_queries);
    tcase_add_test(tc, test_framing);
    tcase_add_test(tc, test_registers);
    tcase_add_test(tc, test_memory);
    tcase_add_test(tc, test_breakpoints);
    tcase_add_test(tc, test_step_continue_interrupt);
    tcase_add_test(tc, test_target_xml);
    tcase_add_test(tc, test_registers_g_size_kept);
    tcase_add_test(tc, test_kill_and_detach);
    tcase_add_test(tc, test_detach);
    tcase_add_test(tc, test_tcp_server);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
