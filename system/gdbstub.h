/*
 * The gdb stub: GDB's remote serial protocol over TCP (-s, -gdb tcp::PORT).
 * It knows nothing of CPU internals: each guest architecture fills a
 * GdbTarget with callbacks and registers it with gdbstub_set_target().
 */
#ifndef SYSTEM_GDBSTUB_H
#define SYSTEM_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Signals as gdb numbers them in stop replies. */
enum {
    GDB_SIGINT = 2,  /* stopped by Ctrl-C / attach */
    GDB_SIGTRAP = 5, /* breakpoint or single step */
};

/* Z/z packet types. */
enum {
    GDB_BREAKPOINT_SW = 0,
    GDB_BREAKPOINT_HW = 1,
    GDB_WATCHPOINT_WRITE = 2,
    GDB_WATCHPOINT_READ = 3,
    GDB_WATCHPOINT_ACCESS = 4,
};

/*
 * Callbacks run on the main-loop thread with the global lock held, and (except
 * step/cont) only while the target is stopped. `cpu` counts from 0; gdb sees
 * thread ids cpu+1. Any callback may be NULL: the stub then answers that the
 * packet is unsupported (or an error).
 */
typedef struct GdbTarget {
    void *opaque;
    int num_cpus; /* 0 counts as 1 */
    /* Every register of `cpu`, in gdb's order and the target's byte order
     * (what target.xml or gdb's built-in description says). Returns the
     * number of bytes written to buf (at most size), or -1. */
    int (*read_registers)(void *opaque, int cpu, uint8_t *buf, size_t size);
    bool (*write_registers)(void *opaque, int cpu, const uint8_t *buf, size_t len);
    /* One register by gdb number: returns its size, or 0 if there is none, or
     * -size if the description names it but its value cannot be read (gdb is
     * told "unavailable" and shows <unavailable>). */
    int (*read_register)(void *opaque, int cpu, int reg, uint8_t *buf, size_t size);
    bool (*write_register)(void *opaque, int cpu, int reg, const uint8_t *buf, size_t len);
    /* Virtual addresses as `cpu` sees them; false: not mapped. */
    bool (*read_memory)(void *opaque, int cpu, uint64_t addr, uint8_t *buf, size_t len);
    bool (*write_memory)(void *opaque, int cpu, uint64_t addr, const uint8_t *buf, size_t len);
    /* type: GDB_BREAKPOINT_*; kind: gdb's kind field (the breakpoint size). */
    bool (*insert_breakpoint)(void *opaque, int type, uint64_t addr, uint64_t kind);
    bool (*remove_breakpoint)(void *opaque, int type, uint64_t addr, uint64_t kind);
    /* Resume: step runs one instruction of `cpu`, cont runs every CPU. Both
     * return at once; when the target stops again (step done, breakpoint hit)
     * it calls gdbstub_report_stop() from any thread. */
    void (*step)(void *opaque, int cpu);
    void (*cont)(void *opaque);
    /* Stop every CPU before returning (gdb attached, or sent Ctrl-C). */
    void (*stop)(void *opaque);
    /* The XML description for `annex` ("target.xml", or a file it includes);
     * NULL: none. */
    const char *(*target_xml)(void *opaque, const char *annex);
} GdbTarget;

/* The CPU module registers the machine's target once its CPUs exist. */
void gdbstub_set_target(const GdbTarget *target);
bool gdbstub_has_target(void);
/* -gdb spec: "tcp::PORT", "tcp:HOST:PORT" or "none". Listens on the main
 * loop; false with *errp set (g_free it). */
bool gdbstub_start(const char *spec, char **errp);
/* The TCP port listened on (after gdbstub_start; useful with port 0). */
int gdbstub_port(void);
/* The target stopped on its own (breakpoint, finished step); any thread. */
void gdbstub_report_stop(int signal, int cpu);
void gdbstub_stop_server(void);

/* ---- One connection, for the server and for tests ------------------------ */
typedef struct GdbConnection GdbConnection;
/* Speaks the protocol over fd (a connected socket; replies are written to
 * it). The connection does not read fd itself: feed it with
 * gdb_connection_input(). It stops the target first, as attaching does. */
GdbConnection *gdb_connection_new(const GdbTarget *target, int fd);
void gdb_connection_input(GdbConnection *c, const uint8_t *buf, size_t len);
void gdb_connection_report_stop(GdbConnection *c, int signal, int cpu);
/* False once gdb sent k or D (the caller should close the connection). */
bool gdb_connection_alive(const GdbConnection *c);
/* Frees c; does not close fd. */
void gdb_connection_free(GdbConnection *c);

#endif
