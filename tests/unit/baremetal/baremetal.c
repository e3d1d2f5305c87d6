/*
 * tests/unit/baremetal/baremetal.c: the shared bare-metal test machine: RAM, the test
 * device, the ELF32 loader, and the run loop with its watchdog thread.
 */
#include "tests/unit/baremetal/baremetal.h"

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
    BareMetal *bm = opaque;
    if (addr == 0) {
        if (bm->out_len + 1 < sizeof(bm->out)) {
            bm->out[bm->out_len++] = (char)val;
            bm->out[bm->out_len] = 0;
        }
    } else if (addr == 4) {
        bm->exit_code = (uint32_t)val;
        bm->exited = true;
        bm->cpu->stop_request = true;
        cpu_exit(bm->cpu);
    } else if (bm->config->testdev_write) {
        bm->config->testdev_write(bm, addr, val);
    }
}

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

/* As in the emulator, guest timers fire from a main loop on another thread. */
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

void baremetal_init(BareMetal *bm, const BareMetalConfig *cfg, const char *model, uint64_t ram_size)
{
    char *err = NULL;
    bm->config = cfg;
    main_loop_start_once();
    if (cfg->log_env && getenv(cfg->log_env)) {
        /* Debugging aid: e.g. ARM_TEST_LOG=int,in_asm (goes to stderr). */
        log_set_items(getenv(cfg->log_env), &err);
    }
    if (accel_init("tcg", &err) < 0) {
        fprintf(stderr, "accel: %s\n", err);
        abort();
    }
    cpu_models_add(cfg->models);
    bm->sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    bm->ram = memory_region_new_ram("ram", ram_size);
    memory_region_add_subregion(bm->sysmem, cfg->ram_base, bm->ram);
    MemoryRegion *io = memory_region_new_io(
        "testdev", 0x1000, cfg->big_endian ? &testdev_ops_be : &testdev_ops_le, bm);
    memory_region_add_subregion(bm->sysmem, cfg->testdev_base, io);
    bm->as = address_space_new(bm->sysmem, cfg->as_name);
    bm->cpu = cpu_create(model, bm->as, &err);
    if (!bm->cpu) {
        fprintf(stderr, "cpu_create: %s\n", err);
        abort();
    }
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

bool baremetal_load_elf(BareMetal *bm, const char *path, uint32_t *entry, char **err)
{
    gchar *data;
    gsize len;
    if (!g_file_get_contents(path, &data, &len, NULL)) {
        *err = g_strdup_printf("%s: cannot read", path);
        return false;
    }
    const uint8_t *d = (const uint8_t *)data;
    bool le_only = bm->config->elf_little_endian_only;
    if (len < 52 || memcmp(d, "\177ELF", 4) != 0 || d[4] != 1 || (le_only && d[5] != 1)) {
        *err = g_strdup_printf(
            le_only ? "%s: not a little-endian ELF32 file" : "%s: not an ELF32 file", path);
        g_free(data);
        return false;
    }
    bool be = d[5] == 2;
    uint32_t phoff = rd32(d + 28, be);
    unsigned phentsize = rd16(d + 42, be), phnum = rd16(d + 44, be);
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if ((size_t)(ph - d) + 32 > len || rd32(ph, be) != 1 /* PT_LOAD */) {
            continue;
        }
        uint32_t off = rd32(ph + 4, be), vaddr = rd32(ph + 8, be), paddr = rd32(ph + 12, be);
        uint32_t filesz = rd32(ph + 16, be), memsz = rd32(ph + 20, be);
        if ((uint64_t)off + filesz > len) {
            *err = g_strdup_printf("%s: truncated segment", path);
            g_free(data);
            return false;
        }
        uint64_t pa = bm->config->elf_place ? bm->config->elf_place(vaddr, paddr) : paddr;
        address_space_write(bm->as, pa, d + off, filesz);
        if (memsz > filesz) {
            void *z = calloc(1, memsz - filesz);
            address_space_write(bm->as, pa + filesz, z, memsz - filesz);
            free(z);
        }
    }
    *entry = rd32(d + 24, be);
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
    BareMetal *bm;
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
        w->bm->cpu->stop_request = true;
        cpu_exit(w->bm->cpu);
    }
    return NULL;
}

void baremetal_run(BareMetal *bm, double seconds)
{
    double end = now_s() + seconds;
    Watchdog w = {bm, end, false};
    pthread_t th;
    pthread_create(&th, NULL, watchdog_main, &w);
    bm->cpu->stop_request = false;
    while (!bm->exited && now_s() < end) {
        int r = cpu_exec(bm->cpu);
        if (r == EXCP_HLT || r == EXCP_HALTED) {
            usleep(20);
        }
    }
    w.stop = true;
    pthread_join(th, NULL);
    bm->cpu->stop_request = false;
}
