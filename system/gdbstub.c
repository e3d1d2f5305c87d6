/*
 * The gdb stub (system/gdbstub.h): packet framing and commands of GDB's
 * remote serial protocol, and a TCP listener on the main loop. CPU access
 * goes through the GdbTarget callbacks only.
 */
#include "system/gdbstub.h"
#include "system/main-loop.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define GDB_PACKET_MAX 0x4000 /* advertised as PacketSize */
#define GDB_REGS_MAX   8192

typedef enum RxState {
    RX_IDLE,
    RX_DATA,
    RX_CSUM1,
    RX_CSUM2,
} RxState;

struct GdbConnection {
    const GdbTarget *t;
    int fd;
    GRecMutex lock; /* stop reports may come from vCPU threads */
    RxState rx;
    GString *pkt;
    uint8_t rx_sum;
    uint8_t rx_csum;
    GString *last_reply; /* resent on '-' */
    bool no_ack;
    bool running; /* a c/s is in flight: the next stop gets reported */
    bool alive;
    int last_signal;
    int g_cpu; /* Hg: registers and memory */
    int c_cpu; /* Hc: stepping */
    int g_len; /* bytes of the first 'g' reply (0: none yet) */
};

static int conn_num_cpus(const GdbConnection *c)
{
    return c->t->num_cpus > 0 ? c->t->num_cpus : 1;
}

/* ---- output -------------------------------------------------------------- */

static void conn_write_raw(GdbConnection *c, const char *s, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(c->fd, s + done, len - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return; /* the peer went away: the reader notices and cleans up */
        }
        done += n;
    }
}

/* Sends one packet; `data` may hold binary bytes, which get escaped. */
static void conn_send_packet(GdbConnection *c, const char *data, size_t len)
{
    GString *out = g_string_sized_new(len + 8);
    uint8_t sum = 0;
    g_string_append_c(out, '$');
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (b == '$' || b == '#' || b == '}' || b == '*') {
            g_string_append_c(out, '}');
            sum += '}';
            b ^= 0x20;
        }
        g_string_append_c(out, b);
        sum += b;
    }
    g_string_append_printf(out, "#%02x", sum);
    conn_write_raw(c, out->str, out->len);
    g_string_assign(c->last_reply, out->str);
    g_string_free(out, TRUE);
}

static void conn_reply(GdbConnection *c, const char *s)
{
    conn_send_packet(c, s, strlen(s));
}

static void conn_reply_hex(GdbConnection *c, const uint8_t *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = g_malloc(len * 2 + 1);
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[buf[i] >> 4];
        hex[2 * i + 1] = digits[buf[i] & 15];
    }
    conn_send_packet(c, hex, len * 2);
    g_free(hex);
}

static void conn_send_stop(GdbConnection *c, int signal, int cpu)
{
    char buf[48];
    c->last_signal = signal;
    snprintf(buf, sizeof(buf), "T%02xthread:%02x;", signal & 0xff, cpu + 1);
    conn_reply(c, buf);
}

/* ---- parsing helpers ----------------------------------------------------- */

static int hex_val(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

/* Parses a hex number at *p, advancing it; false if there is none. */
static bool parse_hex(const char **p, uint64_t *out)
{
    uint64_t v = 0;
    int digits = 0;
    while (hex_val(**p) >= 0) {
        if (digits++ >= 16) {
            return false;
        }
        v = v << 4 | hex_val(**p);
        (*p)++;
    }
    *out = v;
    return digits > 0;
}

/* Decodes exactly len*2 hex digits; false on a bad digit or length. */
static bool decode_hex(const char *s, size_t slen, uint8_t *buf, size_t len)
{
    if (slen != len * 2) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        buf[i] = hi << 4 | lo;
    }
    return true;
}

/* "addr,len" */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len)
{
    if (!parse_hex(p, addr) || **p != ',') {
        return false;
    }
    (*p)++;
    return parse_hex(p, len);
}

/* Thread ids: -1 all, 0 any, else cpu+1. Returns a cpu index or -1 for
 * "all/any"; -2 if invalid. */
static int conn_parse_thread(GdbConnection *c, const char *p)
{
    if (!strcmp(p, "-1") || !strcmp(p, "0")) {
        return -1;
    }
    uint64_t id;
    if (!parse_hex(&p, &id) || *p || id < 1 || id > (uint64_t)conn_num_cpus(c)) {
        return -2;
    }
    return (int)id - 1;
}

/* ---- commands ------------------------------------------------------------ */

/* The guest's virtual clock stands still while gdb holds the VM, as QEMU's
 * does: else timers pile up at a breakpoint, the first stepi lands in the
 * interrupt handler, and after -S nothing would ever start the clock. */
static void conn_set_vm_running(bool running)
{
    vm_set_initial_state(running);
}

static void conn_resume(GdbConnection *c, bool step, int cpu)
{
    c->running = true;
    conn_set_vm_running(true);
    if (step) {
        if (c->t->step) {
            c->t->step(c->t->opaque, cpu < 0 ? 0 : cpu);
            return;
        }
    } else if (c->t->cont) {
        c->t->cont(c->t->opaque);
        return;
    }
    /* Nothing can run: report the stop at once so gdb is not left waiting. */
    c->running = false;
    conn_send_stop(c, GDB_SIGTRAP, cpu < 0 ? 0 : cpu);
}

static void conn_cmd_regs_read(GdbConnection *c)
{
    if (!c->t->read_registers) {
        conn_reply(c, "E01");
        return;
    }
    uint8_t *buf = g_malloc(GDB_REGS_MAX);
    int n = c->t->read_registers(c->t->opaque, c->g_cpu, buf, GDB_REGS_MAX);
    if (n < 0) {
        conn_reply(c, "E01");
        g_free(buf);
        return;
    }
    /* gdb takes the first reply's length as the packet's size for the whole session and
     * refuses a longer one; a target whose registers become readable later (an FPU the
     * accelerator reports) keeps that length: what is past it gdb reads with 'p', what
     * is missing is sent as "xx", which gdb takes as unavailable. */
    if (!c->g_len) {
        c->g_len = n;
    }
    if (n > c->g_len) {
        n = c->g_len;
    }
    GString *hex = g_string_sized_new((gsize)c->g_len * 2);
    for (int i = 0; i < n; i++) {
        g_string_append_printf(hex, "%02x", buf[i]);
    }
    for (int i = n; i < c->g_len; i++) {
        g_string_append(hex, "xx");
    }
    conn_send_packet(c, hex->str, hex->len);
    g_string_free(hex, TRUE);
    g_free(buf);
}

static void conn_cmd_regs_write(GdbConnection *c, const char *hex)
{
    size_t slen = strlen(hex);
    if (!c->t->write_registers || slen % 2) {
        conn_reply(c, "E01");
        return;
    }
    uint8_t *buf = g_malloc(slen / 2 + 1);
    bool ok = decode_hex(hex, slen, buf, slen / 2) &&
              c->t->write_registers(c->t->opaque, c->g_cpu, buf, slen / 2);
    conn_reply(c, ok ? "OK" : "E01");
    g_free(buf);
}

static void conn_cmd_reg_read(GdbConnection *c, const char *p)
{
    uint64_t reg;
    if (!c->t->read_register) {
        conn_reply(c, "");
        return;
    }
    if (!parse_hex(&p, &reg) || *p) {
        conn_reply(c, "E01");
        return;
    }
    uint8_t buf[256];
    int n = c->t->read_register(c->t->opaque, c->g_cpu, (int)reg, buf, sizeof(buf));
    if (n < 0 && -n <= (int)sizeof(buf)) {
        /* gdb reads a reply starting with 'x' as "value unavailable" for the register. */
        char *r = g_strnfill((gsize)-n * 2, 'x');
        conn_reply(c, r);
        g_free(r);
    } else if (n <= 0) {
        conn_reply(c, "E01");
    } else {
        conn_reply_hex(c, buf, n);
    }
}

static void conn_cmd_reg_write(GdbConnection *c, const char *p)
{
    uint64_t reg;
    if (!c->t->write_register) {
        conn_reply(c, "");
        return;
    }
    if (!parse_hex(&p, &reg) || *p != '=') {
        conn_reply(c, "E01");
        return;
    }
    p++;
    size_t slen = strlen(p);
    uint8_t buf[256];
    bool ok = slen % 2 == 0 && slen / 2 <= sizeof(buf) && decode_hex(p, slen, buf, slen / 2) &&
              c->t->write_register(c->t->opaque, c->g_cpu, (int)reg, buf, slen / 2);
    conn_reply(c, ok ? "OK" : "E01");
}

static void conn_cmd_mem_read(GdbConnection *c, const char *p)
{
    uint64_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || *p) {
        conn_reply(c, "E01");
        return;
    }
    /* Never answer more than fits in one packet; gdb asks again. */
    if (len > (GDB_PACKET_MAX - 16) / 2) {
        len = (GDB_PACKET_MAX - 16) / 2;
    }
    uint8_t *buf = g_malloc(len + 1);
    if (c->t->read_memory && c->t->read_memory(c->t->opaque, c->g_cpu, addr, buf, len)) {
        conn_reply_hex(c, buf, len);
    } else {
        conn_reply(c, "E14");
    }
    g_free(buf);
}

/* M addr,len:hex and X addr,len:binary (already unescaped). */
static void conn_cmd_mem_write(GdbConnection *c, const char *p, size_t plen, bool binary)
{
    const char *start = p;
    uint64_t addr, len;
    if (!parse_addr_len(&p, &addr, &len) || *p != ':' || len > GDB_PACKET_MAX) {
        conn_reply(c, "E01");
        return;
    }
    p++;
    size_t dlen = plen - (p - start);
    uint8_t *buf = g_malloc(len + 1);
    bool ok;
    if (binary) {
        ok = dlen == len;
        if (ok) {
            memcpy(buf, p, len);
        }
    } else {
        ok = decode_hex(p, dlen, buf, len);
    }
    if (!ok) {
        conn_reply(c, "E01");
    } else if (len == 0) {
        conn_reply(c, "OK"); /* gdb probes X support with an empty write */
    } else if (c->t->write_memory && c->t->write_memory(c->t->opaque, c->g_cpu, addr, buf, len)) {
        conn_reply(c, "OK");
    } else {
        conn_reply(c, "E14");
    }
    g_free(buf);
}

static void conn_cmd_breakpoint(GdbConnection *c, const char *p, bool insert)
{
    uint64_t type, addr, kind;
    if (!parse_hex(&p, &type) || *p++ != ',' || !parse_addr_len(&p, &addr, &kind)) {
        conn_reply(c, "E01");
        return;
    }
    bool (*fn)(void *, int, uint64_t, uint64_t) =
        insert ? c->t->insert_breakpoint : c->t->remove_breakpoint;
    if (!fn || type > GDB_WATCHPOINT_ACCESS) {
        conn_reply(c, "");
        return;
    }
    conn_reply(c, fn(c->t->opaque, (int)type, addr, kind) ? "OK" : "E01");
}

/* vCont;action[:tid];action... — the first action that names a step wins,
 * otherwise the VM continues. */
static void conn_cmd_vcont(GdbConnection *c, const char *p)
{
    char **actions = g_strsplit(p, ";", -1);
    int step_cpu = -3;
    bool any = false;
    for (char **a = actions; *a; a++) {
        if (!**a) {
            continue;
        }
        char kind = (*a)[0];
        const char *colon = strchr(*a, ':');
        int cpu = colon ? conn_parse_thread(c, colon + 1) : -1;
        if (kind == 's' || kind == 'S') {
            if (step_cpu == -3) {
                step_cpu = cpu < 0 ? c->c_cpu : cpu;
            }
            any = true;
        } else if (kind == 'c' || kind == 'C') {
            any = true;
        }
    }
    g_strfreev(actions);
    if (!any) {
        conn_reply(c, "E01");
    } else if (step_cpu != -3) {
        conn_resume(c, true, step_cpu < 0 ? 0 : step_cpu);
    } else {
        conn_resume(c, false, -1);
    }
}

static void conn_cmd_xfer_features(GdbConnection *c, const char *p)
{
    /* p: "ANNEX:offset,length" */
    const char *colon = strchr(p, ':');
    const char *xml = NULL;
    uint64_t off, len;
    if (!colon) {
        conn_reply(c, "E00");
        return;
    }
    char *annex = g_strndup(p, colon - p);
    p = colon + 1;
    if (c->t->target_xml) {
        xml = c->t->target_xml(c->t->opaque, annex);
    }
    g_free(annex);
    if (!xml) {
        conn_reply(c, "E00");
        return;
    }
    if (!parse_addr_len(&p, &off, &len)) {
        conn_reply(c, "E01");
        return;
    }
    size_t total = strlen(xml);
    if (len > GDB_PACKET_MAX / 2) {
        len = GDB_PACKET_MAX / 2;
    }
    if (off >= total) {
        conn_reply(c, "l");
        return;
    }
    size_t n = total - off < len ? total - off : len;
    GString *r = g_string_new(off + n >= total ? "l" : "m");
    g_string_append_len(r, xml + off, n);
    conn_send_packet(c, r->str, r->len);
    g_string_free(r, TRUE);
}

static void conn_cmd_query(GdbConnection *c, const char *p)
{
    if (g_str_has_prefix(p, "qSupported")) {
        conn_reply(c, c->t->target_xml ? "PacketSize=4000;qXfer:features:read+;QStartNoAckMode+;"
                                         "vContSupported+"
                                       : "PacketSize=4000;QStartNoAckMode+;vContSupported+");
    } else if (g_str_has_prefix(p, "qXfer:features:read:")) {
        conn_cmd_xfer_features(c, p + strlen("qXfer:features:read:"));
    } else if (!strcmp(p, "qAttached")) {
        conn_reply(c, "1");
    } else if (!strcmp(p, "qC")) {
        char buf[16];
        snprintf(buf, sizeof(buf), "QC%02x", c->g_cpu + 1);
        conn_reply(c, buf);
    } else if (!strcmp(p, "qfThreadInfo")) {
        GString *r = g_string_new("m");
        for (int i = 0; i < conn_num_cpus(c); i++) {
            g_string_append_printf(r, "%s%02x", i ? "," : "", i + 1);
        }
        conn_reply(c, r->str);
        g_string_free(r, TRUE);
    } else if (!strcmp(p, "qsThreadInfo")) {
        conn_reply(c, "l");
    } else if (g_str_has_prefix(p, "qThreadExtraInfo,")) {
        int cpu = conn_parse_thread(c, p + strlen("qThreadExtraInfo,"));
        char text[32];
        snprintf(text, sizeof(text), "CPU#%d", cpu < 0 ? 0 : cpu);
        conn_reply_hex(c, (const uint8_t *)text, strlen(text));
    } else if (!strcmp(p, "QStartNoAckMode")) {
        conn_reply(c, "OK");
        c->no_ack = true;
    } else {
        conn_reply(c, "");
    }
}

static void conn_handle_packet(GdbConnection *c, const char *p, size_t len)
{
    switch (p[0]) {
    case '?': conn_send_stop(c, c->last_signal, c->g_cpu); break;
    case 'g': conn_cmd_regs_read(c); break;
    case 'G': conn_cmd_regs_write(c, p + 1); break;
    case 'p': conn_cmd_reg_read(c, p + 1); break;
    case 'P': conn_cmd_reg_write(c, p + 1); break;
    case 'm': conn_cmd_mem_read(c, p + 1); break;
    case 'M': conn_cmd_mem_write(c, p + 1, len - 1, false); break;
    case 'X': conn_cmd_mem_write(c, p + 1, len - 1, true); break;
    case 'c':
    case 'C': conn_resume(c, false, -1); break;
    case 's':
    case 'S': conn_resume(c, true, c->c_cpu); break;
    case 'Z': conn_cmd_breakpoint(c, p + 1, true); break;
    case 'z': conn_cmd_breakpoint(c, p + 1, false); break;
    case 'H': {
        int cpu = conn_parse_thread(c, p + 2);
        if (cpu == -2 || (p[1] != 'g' && p[1] != 'c')) {
            conn_reply(c, "E01");
            break;
        }
        if (p[1] == 'g') {
            c->g_cpu = cpu < 0 ? 0 : cpu;
        } else {
            c->c_cpu = cpu < 0 ? 0 : cpu;
        }
        conn_reply(c, "OK");
        break;
    }
    case 'T': conn_reply(c, conn_parse_thread(c, p + 1) >= 0 ? "OK" : "E01"); break;
    case 'v':
        if (!strcmp(p, "vCont?")) {
            conn_reply(c, "vCont;c;C;s;S");
        } else if (g_str_has_prefix(p, "vCont;")) {
            conn_cmd_vcont(c, p + 6);
        } else {
            conn_reply(c, "");
        }
        break;
    case 'q':
    case 'Q': conn_cmd_query(c, p); break;
    case 'D':
        conn_reply(c, "OK");
        c->alive = false;
        conn_set_vm_running(true);
        if (c->t->cont) {
            c->t->cont(c->t->opaque);
        }
        break;
    case 'k':
        /* gdb's kill: end the emulator, as QEMU does. */
        c->alive = false;
        vm_request_exit(0);
        break;
    default: conn_reply(c, ""); break;
    }
}

/* ---- framing ------------------------------------------------------------- */

/* Undoes the '}' escapes of a binary packet (X), in place. */
static size_t unescape_binary(char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '}' && i + 1 < len) {
            s[o++] = s[++i] ^ 0x20;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = 0;
    return o;
}

void gdb_connection_input(GdbConnection *c, const uint8_t *buf, size_t len)
{
    g_rec_mutex_lock(&c->lock);
    for (size_t i = 0; i < len && c->alive; i++) {
        uint8_t b = buf[i];
        switch (c->rx) {
        case RX_IDLE:
            if (b == '$') {
                g_string_truncate(c->pkt, 0);
                c->rx_sum = 0;
                c->rx = RX_DATA;
            } else if (b == 0x03) {
                if (c->t->stop) {
                    c->t->stop(c->t->opaque);
                }
                conn_set_vm_running(false);
                c->running = false;
                conn_send_stop(c, GDB_SIGINT, c->g_cpu);
            } else if (b == '-' && c->last_reply->len) {
                conn_write_raw(c, c->last_reply->str, c->last_reply->len);
            }
            /* '+' acks and line noise are ignored. */
            break;
        case RX_DATA:
            if (b == '#') {
                c->rx = RX_CSUM1;
            } else if (c->pkt->len >= GDB_PACKET_MAX) {
                c->rx = RX_IDLE; /* oversized: drop it, gdb will retry */
                conn_write_raw(c, "-", 1);
            } else {
                g_string_append_c(c->pkt, b);
                c->rx_sum += b;
            }
            break;
        case RX_CSUM1:
        case RX_CSUM2: {
            int v = hex_val(b);
            if (v < 0) {
                c->rx = RX_IDLE;
                conn_write_raw(c, "-", 1);
                break;
            }
            if (c->rx == RX_CSUM1) {
                c->rx_csum = v << 4;
                c->rx = RX_CSUM2;
                break;
            }
            c->rx_csum |= v;
            c->rx = RX_IDLE;
            if (c->rx_csum != c->rx_sum) {
                conn_write_raw(c, "-", 1);
                break;
            }
            if (!c->no_ack) {
                conn_write_raw(c, "+", 1);
            }
            size_t plen = c->pkt->len;
            if (plen && c->pkt->str[0] == 'X') {
                plen = unescape_binary(c->pkt->str, plen);
            }
            if (plen == 0) {
                conn_reply(c, "");
            } else {
                char *copy = g_strndup(c->pkt->str, plen);
                conn_handle_packet(c, copy, plen);
                g_free(copy);
            }
            break;
        }
        }
    }
    g_rec_mutex_unlock(&c->lock);
}

void gdb_connection_report_stop(GdbConnection *c, int signal, int cpu)
{
    g_rec_mutex_lock(&c->lock);
    if (c->running && c->alive) {
        c->running = false;
        conn_set_vm_running(false);
        conn_send_stop(c, signal, cpu);
    }
    g_rec_mutex_unlock(&c->lock);
}

bool gdb_connection_alive(const GdbConnection *c)
{
    return c->alive;
}

GdbConnection *gdb_connection_new(const GdbTarget *target, int fd)
{
    GdbConnection *c = g_new0(GdbConnection, 1);
    c->t = target;
    c->fd = fd;
    g_rec_mutex_init(&c->lock);
    c->pkt = g_string_new(NULL);
    c->last_reply = g_string_new(NULL);
    c->alive = true;
    c->last_signal = GDB_SIGTRAP;
    if (target->stop) {
        target->stop(target->opaque);
    }
    conn_set_vm_running(false);
    return c;
}

void gdb_connection_free(GdbConnection *c)
{
    if (!c) {
        return;
    }
    g_string_free(c->pkt, TRUE);
    g_string_free(c->last_reply, TRUE);
    g_rec_mutex_clear(&c->lock);
    g_free(c);
}

/* ---- TCP server on the main loop ----------------------------------------- */

static const GdbTarget *gdb_target;
static int listen_fd = -1;
static int listen_port;
static GSource *listen_src;
static GSource *client_src;
static GdbConnection *client; /* main-loop thread only */

void gdbstub_set_target(const GdbTarget *target)
{
    gdb_target = target;
}

bool gdbstub_has_target(void)
{
    return gdb_target != NULL;
}

int gdbstub_port(void)
{
    return listen_port;
}

/* Stop reports are handed to the main loop: a vCPU must never wait for the
 * connection lock, which the main loop may hold while it pauses the vCPUs. */
static gboolean gdb_deliver_stop(gpointer data)
{
    int packed = GPOINTER_TO_INT(data);
    if (client) {
        gdb_connection_report_stop(client, packed & 0xff, packed >> 8);
    }
    return G_SOURCE_REMOVE;
}

void gdbstub_report_stop(int signal, int cpu)
{
    GSource *src = g_idle_source_new();
    g_source_set_callback(src, gdb_deliver_stop, GINT_TO_POINTER((cpu << 8) | (signal & 0xff)),
                          NULL);
    g_source_attach(src, main_loop_context());
    g_source_unref(src);
}

static void gdb_client_close(void)
{
    GdbConnection *c = client;
    client = NULL;
    if (client_src) {
        g_source_destroy(client_src);
        g_source_unref(client_src);
        client_src = NULL;
    }
    if (c) {
        bool was_alive = gdb_connection_alive(c);
        close(c->fd);
        gdb_connection_free(c);
        /* gdb vanished without detaching: let the guest run on. */
        if (was_alive && gdb_target && gdb_target->cont) {
            conn_set_vm_running(true);
            gdb_target->cont(gdb_target->opaque);
        }
    }
}

static gboolean gdb_client_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    uint8_t buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        gdb_client_close();
        return G_SOURCE_REMOVE;
    }
    gdb_connection_input(client, buf, n);
    if (!gdb_connection_alive(client)) {
        gdb_client_close();
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean gdb_accept(gint fd, GIOCondition cond, gpointer opaque)
{
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (client) {
        close(cfd); /* one debugger at a time */
        return G_SOURCE_CONTINUE;
    }
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    GdbConnection *c = gdb_connection_new(gdb_target, cfd);
    client = c;
    client_src = g_unix_fd_source_new(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(client_src, (GSourceFunc)(void (*)(void))gdb_client_readable, NULL, NULL);
    g_source_attach(client_src, main_loop_context());
    return G_SOURCE_CONTINUE;
}

bool gdbstub_start(const char *spec, char **errp)
{
    if (!strcmp(spec, "none")) {
        return true;
    }
    if (strncmp(spec, "tcp:", 4)) {
        *errp = g_strdup_printf("-gdb %s: gdbstub: only tcp::PORT and tcp:HOST:PORT are supported",
                                spec);
        return false;
    }
    const char *hostport = spec + 4;
    const char *colon = strrchr(hostport, ':');
    if (!colon || !colon[1]) {
        *errp = g_strdup_printf("-gdb %s: gdbstub: expected tcp::PORT", spec);
        return false;
    }
    char *host = g_strndup(hostport, colon - hostport);
    const char *port = colon + 1;
    if (!gdb_target) {
        *errp = g_strdup_printf(
            "-gdb %s: gdbstub: meaningless to attach gdb to a machine without any CPU", spec);
        g_free(host);
        return false;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(*host ? host : "0.0.0.0", port, &hints, &res);
    g_free(host);
    if (rc) {
        *errp = g_strdup_printf("-gdb %s: gdbstub: %s", spec, gai_strerror(rc));
        return false;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *errp = g_strdup_printf("-gdb %s: gdbstub: cannot listen: %s", spec, strerror(err));
        return false;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    listen_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                           : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    listen_fd = fd;
    listen_src = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(listen_src, (GSourceFunc)(void (*)(void))gdb_accept, NULL, NULL);
    g_source_attach(listen_src, main_loop_context());
    return true;
}

void gdbstub_stop_server(void)
{
    gdb_client_close();
    if (listen_src) {
        g_source_destroy(listen_src);
        g_source_unref(listen_src);
        listen_src = NULL;
    }
    if (listen_fd >= 0) {
        close(listen_fd);
        listen_fd = -1;
    }
}
