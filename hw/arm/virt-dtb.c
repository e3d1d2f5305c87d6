/*
 * The device tree of the ARM virt board (hw/arm/virt.h), written with libfdt:
 * what Linux learns the machine from. Node names, compatible strings and
 * interrupt specifiers follow the kernel's bindings for the GIC, PL011, PL031,
 * virtio-mmio, PSCI and the ARMv7 generic timer, and match QEMU's virt.
 */
#include "hw/arm/virt.h"

#include <glib.h>
#include <inttypes.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2

/* GIC interrupt specifier: type (0 SPI, 1 PPI), number, flags. */
#define GIC_SPI         0
#define GIC_PPI         1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH  4

#define PSCI_FN_BASE 0x84000000u /* SMC32 standard service calls (DEN0022) */
#define RNG_SEED_LEN 32

/* libfdt's sequential writer, remembering the first error so that building
 * reads as a plain list of nodes and properties. */
typedef struct FdtWriter {
    void *fdt;
    int err;
} FdtWriter;

static void fw_check(FdtWriter *w, int r)
{
    if (r < 0 && !w->err) {
        w->err = r;
    }
}

static void fw_begin(FdtWriter *w, const char *name)
{
    fw_check(w, fdt_begin_node(w->fdt, name));
}

static void fw_begin_unit(FdtWriter *w, const char *name, uint64_t addr)
{
    char full[64];
    snprintf(full, sizeof(full), "%s@%" G_GINT64_MODIFIER "x", name, addr);
    fw_begin(w, full);
}

static void fw_end(FdtWriter *w)
{
    fw_check(w, fdt_end_node(w->fdt));
}

static void fw_prop(FdtWriter *w, const char *name, const void *val, int len)
{
    fw_check(w, fdt_property(w->fdt, name, val, len));
}

static void fw_empty(FdtWriter *w, const char *name)
{
    fw_prop(w, name, NULL, 0);
}

static void fw_string(FdtWriter *w, const char *name, const char *s)
{
    fw_check(w, fdt_property_string(w->fdt, name, s));
}

/* A string list ("a\0b\0"), NULL-terminated. */
static void fw_strings(FdtWriter *w, const char *name, const char *const *list)
{
    GString *buf = g_string_new(NULL);
    for (; *list; list++) {
        g_string_append_len(buf, *list, (gssize)strlen(*list) + 1);
    }
    fw_prop(w, name, buf->str, (int)buf->len);
    g_string_free(buf, TRUE);
}

static void fw_u32(FdtWriter *w, const char *name, uint32_t v)
{
    fw_check(w, fdt_property_u32(w->fdt, name, v));
}

static void fw_u64(FdtWriter *w, const char *name, uint64_t v)
{
    fw_check(w, fdt_property_u64(w->fdt, name, v));
}

static void fw_cells(FdtWriter *w, const char *name, int n, const uint32_t *cells)
{
    fdt32_t be[16];
    g_assert(n <= 16);
    for (int i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    fw_prop(w, name, be, n * 4);
}

static void fw_reg(FdtWriter *w, uint64_t base, uint64_t size)
{
    uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                     (uint32_t)size};
    fw_cells(w, "reg", 4, c);
}

static void fw_irq(FdtWriter *w, uint32_t type, uint32_t num, uint32_t flags)
{
    uint32_t c[3] = {type, num, flags};
    fw_cells(w, "interrupts", 3, c);
}

static void virt_dtb_write(FdtWriter *w, const VirtDtbConfig *cfg)
{
    fw_check(w, fdt_finish_reservemap(w->fdt));
    fw_begin(w, "");
    fw_string(w, "compatible", "linux,dummy-virt");
    fw_string(w, "model", "mimic ARM virt");
    fw_u32(w, "#address-cells", 2);
    fw_u32(w, "#size-cells", 2);
    fw_u32(w, "interrupt-parent", PHANDLE_GIC);

    fw_begin(w, "chosen");
    char uart_path[32];
    snprintf(uart_path, sizeof(uart_path), "/pl011@%x", VIRT_UART_BASE);
    fw_string(w, "stdout-path", uart_path);
    if (cfg->bootargs) {
        fw_string(w, "bootargs", cfg->bootargs);
    }
    if (cfg->initrd_end > cfg->initrd_start) {
        fw_u64(w, "linux,initrd-start", cfg->initrd_start);
        fw_u64(w, "linux,initrd-end", cfg->initrd_end);
    }
    if (cfg->rng_seed) {
        /* Entropy for the kernel's random pool from its first instruction, as
         * firmware hands it (Documentation: chosen/rng-seed). */
        uint32_t seed[RNG_SEED_LEN / 4];
        for (int i = 0; i < RNG_SEED_LEN / 4; i++) {
            seed[i] = g_random_int();
        }
        fw_cells(w, "rng-seed", RNG_SEED_LEN / 4, seed);
    }
    fw_end(w);

    fw_begin_unit(w, "memory", VIRT_RAM_BASE);
    fw_string(w, "device_type", "memory");
    fw_reg(w, VIRT_RAM_BASE, cfg->ram_size);
    fw_end(w);

    fw_begin(w, "psci");
    fw_strings(w, "compatible",
               (const char *const[]){"arm,psci-1.0", "arm,psci-0.2", "arm,psci", NULL});
    fw_string(w, "method", "hvc");
    /* PSCI 0.1 function IDs, for kernels that only know the old binding. */
    fw_u32(w, "cpu_suspend", PSCI_FN_BASE + 1);
    fw_u32(w, "cpu_off", PSCI_FN_BASE + 2);
    fw_u32(w, "cpu_on", PSCI_FN_BASE + 3);
    fw_u32(w, "migrate", PSCI_FN_BASE + 5);
    fw_end(w);

    fw_begin(w, "cpus");
    fw_u32(w, "#address-cells", 1);
    fw_u32(w, "#size-cells", 0);
    for (int i = 0; i < cfg->smp; i++) {
        fw_begin_unit(w, "cpu", (uint64_t)i);
        fw_string(w, "device_type", "cpu");
        fw_string(w, "compatible", cfg->cpu_compatible);
        fw_u32(w, "reg", (uint32_t)i);
        if (cfg->smp > 1) {
            fw_string(w, "enable-method", "psci");
        }
        fw_end(w);
    }
    fw_end(w);

    fw_begin_unit(w, "intc", VIRT_GIC_DIST_BASE);
    fw_strings(w, "compatible", (const char *const[]){"arm,cortex-a15-gic", NULL});
    fw_u32(w, "#interrupt-cells", 3);
    fw_empty(w, "interrupt-controller");
    fw_u32(w, "#address-cells", 2);
    fw_u32(w, "#size-cells", 2);
    fw_empty(w, "ranges");
    uint32_t gic_reg[8] = {0, VIRT_GIC_DIST_BASE, 0, VIRT_GIC_REGION_SIZE,
                           0, VIRT_GIC_CPU_BASE,  0, VIRT_GIC_REGION_SIZE};
    fw_cells(w, "reg", 8, gic_reg);
    fw_u32(w, "phandle", PHANDLE_GIC);
    fw_end(w);

    /* PPI flags carry the mask of CPUs the PPI is wired to (GICv2 binding). */
    uint32_t ppi_flags = ((1u << cfg->smp) - 1) << 8 | IRQ_LEVEL_HIGH;
    fw_begin(w, "timer");
    fw_strings(w, "compatible", (const char *const[]){"arm,armv7-timer", NULL});
    uint32_t tirq[12] = {
        GIC_PPI, VIRT_TIMER_SEC_PPI,  ppi_flags, GIC_PPI, VIRT_TIMER_PHYS_PPI, ppi_flags,
        GIC_PPI, VIRT_TIMER_VIRT_PPI, ppi_flags, GIC_PPI, VIRT_TIMER_HYP_PPI,  ppi_flags};
    fw_cells(w, "interrupts", 12, tirq);
    fw_empty(w, "always-on");
    fw_end(w);

    fw_begin(w, "apb-pclk");
    fw_string(w, "compatible", "fixed-clock");
    fw_u32(w, "#clock-cells", 0);
    fw_u32(w, "clock-frequency", 24000000);
    fw_string(w, "clock-output-names", "clk24mhz");
    fw_u32(w, "phandle", PHANDLE_CLK);
    fw_end(w);

    fw_begin_unit(w, "pl011", VIRT_UART_BASE);
    fw_strings(w, "compatible", (const char *const[]){"arm,pl011", "arm,primecell", NULL});
    fw_reg(w, VIRT_UART_BASE, 0x1000);
    fw_irq(w, GIC_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH);
    fw_cells(w, "clocks", 2, (const uint32_t[]){PHANDLE_CLK, PHANDLE_CLK});
    fw_strings(w, "clock-names", (const char *const[]){"uartclk", "apb_pclk", NULL});
    fw_end(w);

    fw_begin_unit(w, "pl031", VIRT_RTC_BASE);
    fw_strings(w, "compatible", (const char *const[]){"arm,pl031", "arm,primecell", NULL});
    fw_reg(w, VIRT_RTC_BASE, 0x1000);
    fw_irq(w, GIC_SPI, VIRT_RTC_SPI, IRQ_LEVEL_HIGH);
    fw_u32(w, "clocks", PHANDLE_CLK);
    fw_string(w, "clock-names", "apb_pclk");
    fw_end(w);

    for (int i = 0; i < cfg->n_mmio; i++) {
        uint64_t base = VIRT_MMIO_BASE + (uint64_t)i * VIRT_MMIO_STRIDE;
        fw_begin_unit(w, "virtio_mmio", base);
        fw_string(w, "compatible", "virtio,mmio");
        fw_reg(w, base, VIRT_MMIO_STRIDE);
        fw_irq(w, GIC_SPI, VIRT_MMIO_SPI + i, IRQ_EDGE_RISING);
        fw_empty(w, "dma-coherent");
        fw_end(w);
    }

    if (cfg->flash) {
        fw_begin_unit(w, "flash", VIRT_FLASH_BASE);
        fw_string(w, "compatible", "mtd-rom");
        fw_reg(w, VIRT_FLASH_BASE, VIRT_FLASH_SIZE);
        fw_u32(w, "bank-width", 4);
        fw_end(w);
    }

    fw_end(w); /* / */
    fw_check(w, fdt_finish(w->fdt));
}

/* A copy of a finished tree in a buffer of its size plus `extra` free bytes,
 * counted in totalsize (room for the kernel to grow /chosen). */
static void *virt_dtb_with_room(const void *fdt, size_t extra, size_t *len)
{
    size_t size = fdt_totalsize(fdt) + extra;
    void *out = g_malloc0(size);
    if (fdt_open_into(fdt, out, (int)size) < 0) {
        g_free(out);
        return NULL;
    }
    *len = size;
    return out;
}

void *virt_dtb_build(const VirtDtbConfig *cfg, size_t extra, size_t *len)
{
    /* The writer cannot grow its buffer: retry larger until the tree fits. */
    for (size_t size = 8192; size <= (1u << 20); size *= 2) {
        FdtWriter w = {.fdt = g_malloc0(size)};
        fw_check(&w, fdt_create(w.fdt, (int)size));
        virt_dtb_write(&w, cfg);
        if (w.err == -FDT_ERR_NOSPACE) {
            g_free(w.fdt);
            continue;
        }
        g_assert(w.err == 0); /* anything else is a bug in the list above */
        void *out = virt_dtb_with_room(w.fdt, extra, len);
        g_free(w.fdt);
        g_assert(out);
        return out;
    }
    g_assert_not_reached();
}

/* A forward-only walk of the structure block, before libfdt sees the tree:
 * libfdt 1.6's fdt_check_full lets a property length near 2^32 through (its
 * offsets wrap and it can then loop for ever or read outside the blob, found by
 * tests/fuzz/armvirt). Every token, name and length must lie inside its block. */
static char *virt_dtb_check_struct(const uint8_t *b)
{
    uint64_t total = fdt_totalsize(b);
    uint64_t p = fdt_off_dt_struct(b), end = p + fdt_size_dt_struct(b);
    uint64_t soff = fdt_off_dt_strings(b), ssize = fdt_size_dt_strings(b);
    if (end > total || soff + ssize > total || (p & 3)) {
        return g_strdup("structure or strings block outside the file");
    }
    int depth = 0;
    bool root_done = false;
    while (p + 4 <= end) {
        uint32_t tag = fdt32_ld((const fdt32_t *)(b + p));
        uint64_t at = p;
        p += 4;
        switch (tag) {
        case FDT_BEGIN_NODE: {
            const uint8_t *nul = memchr(b + p, 0, end - p);
            if (root_done || !nul) {
                return g_strdup_printf("bad node at structure offset %" PRIu64, at);
            }
            p = (p + (uint64_t)(nul - (b + p)) + 1 + 3) & ~3ull;
            depth++;
            break;
        }
        case FDT_END_NODE:
            if (depth == 0) {
                return g_strdup_printf("unbalanced node end at structure offset %" PRIu64, at);
            }
            root_done = --depth == 0;
            break;
        case FDT_PROP: {
            if (depth == 0 || p + 8 > end) {
                return g_strdup_printf("bad property at structure offset %" PRIu64, at);
            }
            uint64_t len = fdt32_ld((const fdt32_t *)(b + p));
            uint64_t nameoff = fdt32_ld((const fdt32_t *)(b + p + 4));
            p += 8;
            if (len > end - p || nameoff >= ssize ||
                !memchr(b + soff + nameoff, 0, ssize - nameoff)) {
                return g_strdup_printf("bad property at structure offset %" PRIu64, at);
            }
            p = (p + len + 3) & ~3ull;
            break;
        }
        case FDT_NOP: break;
        case FDT_END:
            if (!root_done) {
                return g_strdup("structure block ends inside a node");
            }
            return NULL;
        default: return g_strdup_printf("unknown token 0x%x at structure offset %" PRIu64, tag, at);
        }
    }
    return g_strdup("structure block has no end token");
}

void *virt_dtb_patch_chosen(const void *blob, size_t blob_len, const char *bootargs,
                            uint64_t initrd_start, uint64_t initrd_end, size_t extra, size_t *len,
                            char **errp)
{
    if (blob_len < sizeof(struct fdt_header) || fdt_magic(blob) != FDT_MAGIC) {
        *errp = g_strdup("not a flattened device tree (bad magic)");
        return NULL;
    }
    if (fdt_totalsize(blob) > blob_len) {
        *errp = g_strdup_printf("device tree truncated (%zu of %u bytes)", blob_len,
                                fdt_totalsize(blob));
        return NULL;
    }
    /* libfdt 1.6's fdt_check_full dereferences NULL on some version < 16 trees
     * (found by tests/fuzz/armvirt); the walk below needs 17's block sizes, and
     * every dtc since 2008 writes 17. */
    if (fdt_version(blob) < 17) {
        *errp =
            g_strdup_printf("device tree version %u is not supported (17 is)", fdt_version(blob));
        return NULL;
    }
    int r = fdt_check_header(blob);
    char *why = r < 0 ? g_strdup(fdt_strerror(r)) : virt_dtb_check_struct(blob);
    if (!why) {
        r = fdt_check_full(blob, blob_len);
        why = r < 0 ? g_strdup(fdt_strerror(r)) : NULL;
    }
    if (why) {
        *errp = g_strdup_printf("not a valid flattened device tree: %s", why);
        g_free(why);
        return NULL;
    }
    /* Room for what is added below, plus the caller's. */
    size_t need = 256 + (bootargs ? strlen(bootargs) : 0);
    size_t size = fdt_totalsize(blob) + need + extra;
    void *out = g_malloc0(size);
    r = fdt_open_into(blob, out, (int)size);
    int chosen = r < 0 ? r : fdt_path_offset(out, "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND) {
        chosen = fdt_add_subnode(out, 0, "chosen");
    }
    r = chosen;
    if (r >= 0 && bootargs) {
        r = fdt_setprop_string(out, chosen, "bootargs", bootargs);
    }
    if (r >= 0 && initrd_end > initrd_start) {
        r = fdt_setprop_u64(out, chosen, "linux,initrd-start", initrd_start);
        if (r >= 0) {
            r = fdt_setprop_u64(out, chosen, "linux,initrd-end", initrd_end);
        }
    } else if (r >= 0) {
        /* A stale initrd from whoever made the file would point at garbage. */
        fdt_delprop(out, chosen, "linux,initrd-start");
        fdt_delprop(out, chosen, "linux,initrd-end");
    }
    if (r < 0) {
        *errp = g_strdup_printf("cannot update the device tree's /chosen: %s", fdt_strerror(r));
        g_free(out);
        return NULL;
    }
    *len = size;
    return out;
}
