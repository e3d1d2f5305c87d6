/*
 * A GdbTarget over the generic CPU interface (cpu/cpu.h) for every guest whose
 * CPUArchOps has gdb register hooks. Linked into the mimic binary only (it
 * needs mimic_cpu); an architecture may register a richer target instead.
 */
#include "cpu/cpu.h"
#include "system/gdbstub.h"
#include "system/main-loop.h"
#include "system/timer.h"

#include <string.h>

#define STEP_POLL_NS 1000000 /* 1 ms */

static Timer *step_poll;
static CPUState *stepping;

static CPUState *gcpu_by_index(int index)
{
    CPUState *cpu = cpu_first();
    for (int i = 0; cpu && i < index; i++) {
        cpu = cpu->next;
    }
    return cpu ? cpu : cpu_first();
}

static int gcpu_read_registers(void *opaque, int index, uint8_t *buf, size_t size)
{
    CPUState *cpu = gcpu_by_index(index);
    uint8_t reg[64];
    size_t off = 0;
    for (int n = 0; n < cpu->ops->gdb_num_regs; n++) {
        int len = cpu->ops->gdb_read_register(cpu, reg, n);
        if (len <= 0 || off + len > size) {
            break;
        }
        memcpy(buf + off, reg, len);
        off += len;
    }
    return (int)off;
}

static bool gcpu_write_registers(void *opaque, int index, const uint8_t *buf, size_t len)
{
    CPUState *cpu = gcpu_by_index(index);
    if (!cpu->ops->gdb_write_register) {
        return false;
    }
    uint8_t reg[64];
    size_t off = 0;
    for (int n = 0; n < cpu->ops->gdb_num_regs && off < len; n++) {
        /* The read tells the register's width. */
        int width = cpu->ops->gdb_read_register(cpu, reg, n);
        if (width <= 0 || off + width > len) {
            break;
        }
        cpu->ops->gdb_write_register(cpu, buf + off, n);
        off += width;
    }
    return true;
}

static int gcpu_read_register(void *opaque, int index, int reg, uint8_t *buf, size_t size)
{
    CPUState *cpu = gcpu_by_index(index);
    if (reg < 0 || reg >= cpu->ops->gdb_num_regs || size < 64) {
        return 0;
    }
    int len = cpu->ops->gdb_read_register(cpu, buf, reg);
    return len > 0 ? len : 0;
}

static bool gcpu_write_register(void *opaque, int index, int reg, const uint8_t *buf, size_t len)
{
    CPUState *cpu = gcpu_by_index(index);
    uint8_t tmp[64];
    if (!cpu->ops->gdb_write_register || reg < 0 || reg >= cpu->ops->gdb_num_regs ||
        cpu->ops->gdb_read_register(cpu, tmp, reg) != (int)len) {
        return false;
    }
    return cpu->ops->gdb_write_register(cpu, buf, reg) > 0;
}

static bool gcpu_read_memory(void *opaque, int index, uint64_t addr, uint8_t *buf, size_t len)
{
    return cpu_memory_rw_debug(gcpu_by_index(index), addr, buf, len, false);
}

static bool gcpu_write_memory(void *opaque, int index, uint64_t addr, const uint8_t *buf,
                              size_t len)
{
    return cpu_memory_rw_debug(gcpu_by_index(index), addr, (void *)buf, len, true);
}

/* The vCPU loop parks a CPU after a single step without telling anyone, so
 * the end of a step is noticed by polling on the main loop. */
static void gcpu_step_poll(void *opaque)
{
    CPUState *cpu = stepping;
    if (!cpu) {
        return;
    }
    if (!(cpu->stop_request && cpu->stopped)) {
        timer_mod_ns(step_poll, clock_get_ns(CLOCK_REALTIME) + STEP_POLL_NS);
        return;
    }
    stepping = NULL;
    cpu_single_step(cpu, false);
    vm_stop();
    gdbstub_report_stop(GDB_SIGTRAP, cpu->cpu_index);
}

static void gcpu_step(void *opaque, int index)
{
    CPUState *cpu = gcpu_by_index(index);
    if (!step_poll) {
        step_poll = timer_new_ns(CLOCK_REALTIME, gcpu_step_poll, NULL);
    }
    stepping = cpu;
    cpu_single_step(cpu, true);
    vm_start();
    timer_mod_ns(step_poll, clock_get_ns(CLOCK_REALTIME) + STEP_POLL_NS);
}

static void gcpu_cont(void *opaque)
{
    for (CPUState *cpu = cpu_first(); cpu; cpu = cpu->next) {
        cpu_single_step(cpu, false);
    }
    vm_start();
}

static void gcpu_stop(void *opaque)
{
    stepping = NULL;
    vm_stop();
}

static GdbTarget gcpu_target = {
    .read_registers = gcpu_read_registers,
    .write_registers = gcpu_write_registers,
    .read_register = gcpu_read_register,
    .write_register = gcpu_write_register,
    .read_memory = gcpu_read_memory,
    .write_memory = gcpu_write_memory,
    .step = gcpu_step,
    .cont = gcpu_cont,
    .stop = gcpu_stop,
};

const GdbTarget *gdbstub_cpu_target(void)
{
    CPUState *cpu = cpu_first();
    if (!cpu || !cpu->ops->gdb_read_register || cpu->ops->gdb_num_regs <= 0) {
        return NULL;
    }
    gcpu_target.num_cpus = cpu_count();
    return &gcpu_target;
}
