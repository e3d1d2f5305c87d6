/*
 * tests/unit/mips/mips-machine.c: the MIPS CPU tests' machine: RAM, the test device,
 * the ELF loader, and a run loop that also turns the main loop (guest timers).
 */
#include "tests/unit/mips/mips-machine.h"

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

static void testdev_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    MipsMachine *m = opaque;
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
    }
}

/* The device has the guest's byte order, so a word store of a character reaches it as
 * that character on either endianness. */
static const MemoryRegionOps testdev_ops_le = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};
static const MemoryRegionOps testdev_ops_be = {
    .read = testdev_read,
    .write = testdev_write,
    .endianness = DEVICE_BIG_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

/* The main loop (timers: Count/Compare) runs on its own thread, as in the emulator. */
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

MipsMachine *mips_machine_new(const char *model, uint64_t ram_size)
{
    MipsMachine *m = calloc(1, sizeof(*m));
    char *err = NULL;
    main_loop_start_once();
    if (getenv("MIPS_TEST_LOG")) {
        /* Debugging aid: e.g. MIPS_TEST_LOG=int,in_asm (goes to stderr). */
        log_set_items(getenv("MIPS_TEST_LOG"), &err);
    }
    if (accel_init("tcg", &err) < 0) {
        fprintf(stderr, "accel: %s\n", err);
        abort();
    }
    cpu_models_add(mips_cpu_models);
    m->sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    m->ram = memory_region_new_ram("ram", ram_size);
    memory_region_add_subregion(m->sysmem, 0, m->ram);
    bool be = g_str_has_suffix(model, "-be");
    MemoryRegion *io =
        memory_region_new_io("testdev", 0x1000, be ? &testdev_ops_be : &testdev_ops_le, m);
    memory_region_add_subregion(m->sysmem, TESTDEV_BASE, io);
    m->as = address_space_new(m->sysmem, "mips-test");
    m->cpu = cpu_create(model, m->as, &err);
    if (!m->cpu) {
        fprintf(stderr, "cpu_create: %s\n", err);
        abort();
    }
    m->env = m->cpu->env;
    return m;
}

static uint32_t rd32(const uint8_t *p, bool be)
{
    return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
              : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint16_t rd16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

bool mips_machine_load_elf(MipsMachine *m, const char *path, char **err)
{
    gchar *data;
    gsize len;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        *err = g_strdup_printf("%s: cannot read", path);
        return false;
    }
    const uint8_t *d = (const uint8_t *)data;
    if (len < 52 || memcmp(d, "\177ELF", 4) != 0 || d[4] != 1) {
        *err = g_strdup_printf("%s: not an ELF32 file", path);
        g_free(data);
        return false;
    }
    bool be = d[5] == 2;
    uint32_t entry = rd32(d + 24, be), phoff = rd32(d + 28, be);
    unsigned phentsize = rd16(d + 42, be), phnum = rd16(d + 44, be);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if ((size_t)(ph - d) + 32 > len || rd32(ph, be) != 1 /* PT_LOAD */) {
            continue;
        }
        uint32_t off = rd32(ph + 4, be), vaddr = rd32(ph + 8, be);
        uint32_t filesz = rd32(ph + 16, be), memsz = rd32(ph + 20, be);
        if ((uint64_t)off + filesz > len) {
            *err = g_strdup_printf("%s: truncated segment", path);
            g_free(data);
            return false;
        }
        uint64_t pa = vaddr & 0x1fffffffu;
        address_space_write(m->as, pa, d + off, filesz);
        if (memsz > filesz) {
            void *z = calloc(1, memsz - filesz);
            address_space_write(m->as, pa + filesz, z, memsz - filesz);
            free(z);
        }
    }
    m->env->pc = entry;
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
    MipsMachine *m;
    double end;
    volatile bool stop;
} Watchdog;

/* Guest code that never exits (a spin loop) keeps cpu_exec busy: make it return at the
 * deadline. */
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

void mips_machine_run(MipsMachine *m, double seconds)
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
