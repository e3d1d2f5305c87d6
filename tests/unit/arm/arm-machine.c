/*
 * tests/unit/arm/arm-machine.c: the ARM CPU tests' machine: RAM, the test device, the ELF
 * loader, and a run loop with a watchdog; the main loop runs on its own thread (timers).
 */
#include "tests/unit/arm/arm-machine.h"

#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "system/log.h"
#include "system/main-loop.h"

static uint64_t testdev_read(void *opaque, uint64_t addr, unsigned size)
{
    return 0;
}

/* 0: putchar, 4: exit code, 8: level of the CPU's IRQ line (interrupt tests). */
static void testdev_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    ArmMachine *m = opaque;
    if (addr == 0) {
        if (m->out_len + 1 < sizeof(m->out)) {
            m->out[m->out_len++] = (char)val;
            m->out[m->out_len] = 0;
        }
    } else if (addr == 4) {
        m->exit_code = (uint32_t)val;
        m->exited = true;
        m->cpu->stop_request = true;
        cpu_exit(m->cpu);
    } else if (addr == 8) {
        m->irq_level = (uint32_t)val;
        irq_set(m->or_in[1], val != 0);
    }
}

/* The CPU's IRQ input is the OR of the physical timer and the test device's line. */
static void or_handler(void *opaque, int n, int level)
{
    ArmMachine *m = opaque;
    if (level) {
        m->or_levels |= 1u << n;
    } else {
        m->or_levels &= ~(1u << n);
    }
    irq_set(arm_cpu_irq_inputs(m->cpu)[0], m->or_levels != 0);
}

static const MemoryRegionOps testdev_ops = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

static void *main_loop_thread(void *opaque)
{
    main_loop_init();
    __atomic_store_n((int *)opaque, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        main_loop_iterate(true);
    }
    return NULL;
}

static void main_loop_start_once(void)
{
    static int started, ready;
    if (started) {
        return;
    }
    started = 1;
    pthread_t th;
    pthread_create(&th, NULL, main_loop_thread, &ready);
    pthread_detach(th);
    while (!__atomic_load_n(&ready, __ATOMIC_SEQ_CST)) {
        usleep(100);
    }
}

ArmMachine *arm_machine_new(const char *model, uint64_t ram_size)
{
    ArmMachine *m = calloc(1, sizeof(*m));
    char *err = NULL;
    main_loop_start_once();
    if (getenv("ARM_TEST_LOG")) {
        /* Debugging aid: e.g. ARM_TEST_LOG=int,in_asm (goes to stderr). */
        log_set_items(getenv("ARM_TEST_LOG"), &err);
    }
    if (accel_init("tcg", &err) < 0) {
        fprintf(stderr, "accel: %s\n", err);
        abort();
    }
    cpu_models_add(arm_cpu_models);
    m->sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    m->ram = memory_region_new_ram("ram", ram_size);
    memory_region_add_subregion(m->sysmem, ARM_TEST_RAM_BASE, m->ram);
    MemoryRegion *io = memory_region_new_io("testdev", 0x1000, &testdev_ops, m);
    memory_region_add_subregion(m->sysmem, ARM_TESTDEV_BASE, io);
    m->as = address_space_new(m->sysmem, "arm-test");
    m->cpu = cpu_create(model, m->as, &err);
    if (!m->cpu) {
        fprintf(stderr, "cpu_create: %s\n", err);
        abort();
    }
    m->or_in = irq_new_array(or_handler, m, 2);
    arm_cpu_set_timer_outputs(m->cpu, m->or_in[0], NULL, NULL, NULL);
    return m;
}

void arm_machine_free(ArmMachine *m)
{
    for (int i = 0; i < 2; i++) {
        irq_free(m->or_in[i]);
    }
    free(m->or_in);
    arm_cpu_release(m->cpu);
    cpu_destroy(m->cpu);
    free(m);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[1] << 8 | p[0]);
}

bool arm_machine_load_elf(ArmMachine *m, const char *path, char **err)
{
    gchar *data;
    gsize len;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        *err = g_strdup_printf("%s: cannot read", path);
        return false;
    }
    const uint8_t *d = (const uint8_t *)data;
    if (len < 52 || memcmp(d, "\177ELF", 4) != 0 || d[4] != 1 || d[5] != 1) {
        *err = g_strdup_printf("%s: not a little-endian ELF32 file", path);
        g_free(data);
        return false;
    }
    uint32_t entry = rd32(d + 24), phoff = rd32(d + 28);
    unsigned phentsize = rd16(d + 42), phnum = rd16(d + 44);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if ((size_t)(ph - d) + 32 > len || rd32(ph) != 1 /* PT_LOAD */) {
            continue;
        }
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if ((uint64_t)off + filesz > len) {
            *err = g_strdup_printf("%s: truncated segment", path);
            g_free(data);
            return false;
        }
        address_space_write(m->as, paddr, d + off, filesz);
        if (memsz > filesz) {
            void *z = calloc(1, memsz - filesz);
            address_space_write(m->as, paddr + filesz, z, memsz - filesz);
            free(z);
        }
    }
    arm_cpu_set_boot_state(m->cpu, entry, 0, 0, 0);
    g_free(data);
    return true;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct Watchdog {
    ArmMachine *m;
    double end;
    volatile bool stop;
} Watchdog;

static void *watchdog_main(void *opaque)
{
    Watchdog *w = opaque;
    while (!w->stop && now_s() < w->end) {
        usleep(2000);
    }
    if (!w->stop) {
        w->m->cpu->stop_request = true;
        cpu_exit(w->m->cpu);
    }
    return NULL;
}

void arm_machine_run(ArmMachine *m, double seconds)
{
    double end = now_s() + seconds;
    Watchdog w = {m, end, false};
    pthread_t th;
    pthread_create(&th, NULL, watchdog_main, &w);
    m->cpu->stop_request = false;
    while (!m->exited && now_s() < end) {
        int r = cpu_exec(m->cpu);
        if (r == EXCP_HLT || r == EXCP_HALTED) {
            usleep(20);
        }
    }
    w.stop = true;
    pthread_join(th, NULL);
    m->cpu->stop_request = false;
}
