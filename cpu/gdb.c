/*
 * cpu/gdb.c: the generic side of the gdb stub: a GdbTarget over every CPU built from the
 * arch's gdb register hooks, debug memory access, breakpoints (checked by the translator)
 * and step/continue/stop through the vCPU run state.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"
#include "system/gdbstub.h"

#define MAX_BREAKPOINTS 64

static pthread_mutex_t bp_mutex = PTHREAD_MUTEX_INITIALIZER;
static uint64_t breakpoints[MAX_BREAKPOINTS];
static int n_breakpoints;

bool cpu_breakpoint_test(CPUState *cpu, uint64_t pc)
{
    if (__atomic_load_n(&n_breakpoints, __ATOMIC_ACQUIRE) == 0) {
        return false;
    }
    bool hit = false;
    pthread_mutex_lock(&bp_mutex);
    for (int i = 0; i < n_breakpoints && !hit; i++) {
        hit = breakpoints[i] == pc;
    }
    pthread_mutex_unlock(&bp_mutex);
    return hit;
}

bool cpu_breakpoint_insert(uint64_t pc)
{
    pthread_mutex_lock(&bp_mutex);
    bool ok = n_breakpoints < MAX_BREAKPOINTS;
    if (ok) {
        breakpoints[n_breakpoints] = pc;
        __atomic_store_n(&n_breakpoints, n_breakpoints + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&bp_mutex);
    /* Blocks already translated there must be redone with the check in them. */
    tb_flush(NULL);
    return ok;
}

bool cpu_breakpoint_remove(uint64_t pc)
{
    bool found = false;
    pthread_mutex_lock(&bp_mutex);
    for (int i = 0; i < n_breakpoints; i++) {
        if (breakpoints[i] == pc) {
            breakpoints[i] = breakpoints[--n_breakpoints];
            found = true;
            break;
        }
    }
    pthread_mutex_unlock(&bp_mutex);
    if (found) {
        tb_flush(NULL);
    }
    return found;
}

void helper_debug_breakpoint(void *env)
{
    cpu_raise_exception_ra(env_cpu(env), EXCP_DEBUG, GETPC());
}

/* ---- GdbTarget ---------------------------------------------------------------------- */

static CPUState *cpu_by_index(int index)
{
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        if (c->cpu_index == index) {
            return c;
        }
    }
    return cpu_list_head;
}

static int gdb_read_register(void *opaque, int cpu, int reg, uint8_t *buf, size_t size)
{
    CPUState *c = cpu_by_index(cpu);
    if (!c || !c->ops->gdb_read_register || reg < 0 || reg >= c->ops->gdb_num_regs) {
        return 0;
    }
    cpu_synchronize_state(c);
    uint8_t tmp[64];
    int n = c->ops->gdb_read_register(c, tmp, reg);
    if (n < 0) {
        return (size_t)-n <= size ? n : 0; /* described, value unavailable */
    }
    if (n == 0 || (size_t)n > size) {
        return 0;
    }
    memcpy(buf, tmp, (size_t)n);
    return n;
}

static bool gdb_write_register(void *opaque, int cpu, int reg, const uint8_t *buf, size_t len)
{
    CPUState *c = cpu_by_index(cpu);
    if (!c || !c->ops->gdb_write_register || reg < 0 || reg >= c->ops->gdb_num_regs) {
        return false;
    }
    return c->ops->gdb_write_register(c, buf, reg) > 0;
}

static int gdb_read_registers(void *opaque, int cpu, uint8_t *buf, size_t size)
{
    CPUState *c = cpu_by_index(cpu);
    if (!c || !c->ops->gdb_read_register) {
        return -1;
    }
    size_t off = 0;
    for (int r = 0; r < c->ops->gdb_num_regs; r++) {
        /* The 'g' reply ends before the first unavailable register: gdb asks for the
         * rest one by one ('p') and is told they are unavailable. */
        int n = gdb_read_register(opaque, cpu, r, buf + off, size - off);
        if (n <= 0) {
            break;
        }
        off += (size_t)n;
    }
    return (int)off;
}

static bool gdb_write_registers(void *opaque, int cpu, const uint8_t *buf, size_t len)
{
    CPUState *c = cpu_by_index(cpu);
    if (!c || !c->ops->gdb_write_register || !c->ops->gdb_read_register) {
        return false;
    }
    size_t off = 0;
    for (int r = 0; r < c->ops->gdb_num_regs && off < len; r++) {
        uint8_t tmp[64];
        int n = c->ops->gdb_read_register(c, tmp, r); /* its size */
        if (n <= 0 || off + (size_t)n > len) {
            break;
        }
        c->ops->gdb_write_register(c, buf + off, r);
        off += (size_t)n;
    }
    return true;
}

static bool gdb_read_memory(void *opaque, int cpu, uint64_t addr, uint8_t *buf, size_t len)
{
    return cpu_memory_rw_debug(cpu_by_index(cpu), addr, buf, len, false);
}

static bool gdb_write_memory(void *opaque, int cpu, uint64_t addr, const uint8_t *buf, size_t len)
{
    CPUState *c = cpu_by_index(cpu);
    bool ok = cpu_memory_rw_debug(c, addr, (void *)buf, len, true);
    return ok;
}

static bool gdb_insert_bp(void *opaque, int type, uint64_t addr, uint64_t kind)
{
    if (type != GDB_BREAKPOINT_SW && type != GDB_BREAKPOINT_HW) {
        return false;
    }
    return cpu_breakpoint_insert(addr);
}

static bool gdb_remove_bp(void *opaque, int type, uint64_t addr, uint64_t kind)
{
    if (type != GDB_BREAKPOINT_SW && type != GDB_BREAKPOINT_HW) {
        return false;
    }
    return cpu_breakpoint_remove(addr);
}

static void gdb_step(void *opaque, int cpu)
{
    CPUState *c = cpu_by_index(cpu);
    cpus_start();
    c->singlestep = true;
    cpus_resume_one(c);
}

static void gdb_cont(void *opaque)
{
    cpus_start();
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        c->singlestep = false;
    }
    cpus_resume();
}

static void gdb_stop(void *opaque)
{
    cpus_pause();
}

static const char *gdb_target_xml(void *opaque, const char *annex)
{
    CPUState *c = cpu_list_head;
    return c && c->ops->gdb_target_xml ? c->ops->gdb_target_xml(annex) : NULL;
}

static GdbTarget cpu_gdb_target = {
    .read_registers = gdb_read_registers,
    .write_registers = gdb_write_registers,
    .read_register = gdb_read_register,
    .write_register = gdb_write_register,
    .read_memory = gdb_read_memory,
    .write_memory = gdb_write_memory,
    .insert_breakpoint = gdb_insert_bp,
    .remove_breakpoint = gdb_remove_bp,
    .step = gdb_step,
    .cont = gdb_cont,
    .stop = gdb_stop,
    .target_xml = gdb_target_xml,
};

void cpu_gdb_register(void)
{
    cpu_gdb_target.num_cpus = cpu_count();
    gdbstub_set_target(&cpu_gdb_target);
}

const GdbTarget *cpu_gdb_target_get(void)
{
    cpu_gdb_target.num_cpus = cpu_count();
    return &cpu_gdb_target;
}

void cpu_gdb_report_stop(CPUState *cpu)
{
    gdbstub_report_stop(GDB_SIGTRAP, cpu->cpu_index);
}
