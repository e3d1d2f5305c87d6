/*
 * libFuzzer target over what the system layer parses from outside: gdb
 * remote-protocol streams (from the network), command lines, Ctrl-A
 * multiplexer input, monitor command lines, -d item lists and sizes.
 * The first input byte picks the parser; the rest is its input.
 */
#include "system/chardev.h"
#include "system/gdbstub.h"
#include "system/log.h"
#include "system/machine.h"
#include "system/main-loop.h"
#include "system/monitor.h"
#include "system/options.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

const MachineClass *const machine_table[] = {NULL};

static uint8_t fake_mem[256];

static int fz_read_regs(void *opaque, int cpu, uint8_t *buf, size_t size)
{
    memset(buf, cpu, size < 64 ? size : 64);
    return size < 64 ? (int)size : 64;
}

static bool fz_write_regs(void *opaque, int cpu, const uint8_t *buf, size_t len)
{
    return len <= 64;
}

static int fz_read_reg(void *opaque, int cpu, int reg, uint8_t *buf, size_t size)
{
    if (reg < 0 || reg > 16 || size < 4) {
        return 0;
    }
    memset(buf, reg, 4);
    return 4;
}

static bool fz_write_reg(void *opaque, int cpu, int reg, const uint8_t *buf, size_t len)
{
    return reg >= 0 && reg <= 16 && len == 4;
}

static bool fz_mem(uint64_t addr, size_t len)
{
    return addr < sizeof(fake_mem) && len <= sizeof(fake_mem) - addr;
}

static bool fz_read_mem(void *opaque, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
    if (!fz_mem(addr, len)) {
        return false;
    }
    memcpy(buf, fake_mem + addr, len);
    return true;
}

static bool fz_write_mem(void *opaque, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
    if (!fz_mem(addr, len)) {
        return false;
    }
    memcpy(fake_mem + addr, buf, len);
    return true;
}

static bool fz_bp(void *opaque, int type, uint64_t addr, uint64_t kind)
{
    return type < 2;
}

static void fz_step(void *opaque, int cpu) {}

static void fz_nop(void *opaque) {}

static const char *fz_xml(void *opaque, const char *annex)
{
    return strcmp(annex, "target.xml") ? NULL : "<target><architecture>x</architecture></target>";
}

static const GdbTarget fz_target = {
    .num_cpus = 3,
    .read_registers = fz_read_regs,
    .write_registers = fz_write_regs,
    .read_register = fz_read_reg,
    .write_register = fz_write_reg,
    .read_memory = fz_read_mem,
    .write_memory = fz_write_mem,
    .insert_breakpoint = fz_bp,
    .remove_breakpoint = fz_bp,
    .step = fz_step,
    .cont = fz_nop,
    .stop = fz_nop,
    .target_xml = fz_xml,
};

static void fuzz_gdb(const uint8_t *data, size_t size)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        return;
    }
    /* Replies must never block: let the socket hold them all. */
    int big = 1 << 22;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    GdbConnection *c = gdb_connection_new(&fz_target, sv[1]);
    size_t chunk = size > 0 ? 1 + data[0] % 64 : 1;
    for (size_t off = 0; off < size && gdb_connection_alive(c); off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        gdb_connection_input(c, data + off, n);
        char drain[65536];
        while (recv(sv[0], drain, sizeof(drain), MSG_DONTWAIT) > 0) {
        }
    }
    gdb_connection_report_stop(c, GDB_SIGTRAP, 1);
    gdb_connection_free(c);
    close(sv[0]);
    close(sv[1]);
}

static void fuzz_options(const uint8_t *data, size_t size)
{
    /* NUL-separated arguments. */
    char *copy = g_malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = 0;
    char *argv[64] = {"mimic"};
    int argc = 1;
    for (size_t i = 0; i <= size && argc < 63;) {
        argv[argc++] = copy + i;
        i += strlen(copy + i) + 1;
    }
    MimicOptions o;
    char *err = NULL;
    if (!options_parse(&o, argc, argv, &err)) {
        if (!err || !*err) {
            abort(); /* every failure says why */
        }
    }
    g_free(err);
    options_free(&o);
    g_free(copy);
}

static int fz_can_receive(void *opaque)
{
    return 7;
}

static void fz_receive(void *opaque, const uint8_t *buf, size_t len)
{
    if (len > 7) {
        abort();
    }
}

static const CharFrontendOps fz_fe = {fz_can_receive, fz_receive};

static void fuzz_mux_and_monitor(const uint8_t *data, size_t size)
{
    Chardev *serial = chardev_new("mon:null", NULL);
    Chardev *mon_chr = chardev_mux_add_frontend(serial);
    chardev_set_frontend(serial, &fz_fe, NULL);
    Monitor *mon = monitor_new(mon_chr);
    for (size_t off = 0; off < size; off += 5) {
        chardev_mux_feed(serial, data + off, size - off < 5 ? size - off : 5);
        chardev_accept_input(serial);
        main_loop_iterate(false);
    }
    monitor_free(mon);
    main_loop_iterate(false);
    chardev_free(serial);
    chardev_free(mon_chr);
    main_loop_clear_requests();
    if (!vm_running()) {
        vm_start();
    }
}

static void fuzz_strings(const uint8_t *data, size_t size)
{
    char *s = g_strndup((const char *)data, size);
    uint64_t v;
    int cpus, max;
    unsigned mask;
    char *err = NULL;
    options_parse_size(s, 1 << 20, &v);
    if (!options_parse_smp(s, &cpus, &max, &err)) {
        g_free(err);
        err = NULL;
    } else if (cpus < 1 || max < cpus) {
        abort();
    }
    if (!log_parse_items(s, &mask, &err)) {
        g_free(err);
    }
    g_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool init;
    if (!init) {
        init = true;
        main_loop_init();
    }
    if (size == 0) {
        return 0;
    }
    switch (data[0] % 4) {
    case 0: fuzz_gdb(data + 1, size - 1); break;
    case 1: fuzz_options(data + 1, size - 1); break;
    case 2: fuzz_mux_and_monitor(data + 1, size - 1); break;
    case 3: fuzz_strings(data + 1, size - 1); break;
    }
    return 0;
}
