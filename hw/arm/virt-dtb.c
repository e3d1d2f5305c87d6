/*
 * The device tree of the ARM virt board (hw/arm/virt.h): what Linux learns the
 * machine from. Node names, compatible strings and interrupt specifiers follow
 * the kernel's bindings for the GIC, PL011, PL031, virtio-mmio, PSCI and the
 * ARMv7 generic timer.
 */
#include "hw/arm/virt.h"

#include <glib.h>

#define PHANDLE_GIC 1
#define PHANDLE_CLK 2

/* GIC interrupt specifier: type (0 SPI, 1 PPI), number, flags. */
#define GIC_SPI         0
#define GIC_PPI         1
#define IRQ_EDGE_RISING 1
#define IRQ_LEVEL_HIGH  4

static void set_reg(DtbNode *n, uint64_t base, uint64_t size)
{
    uint32_t c[4] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                     (uint32_t)size};
    dtb_set_cells(n, "reg", 4, c);
}

static void set_irq(DtbNode *n, uint32_t type, uint32_t num, uint32_t flags)
{
    uint32_t c[3] = {type, num, flags};
    dtb_set_cells(n, "interrupts", 3, c);
}

static DtbNode *add_unit(DtbNode *parent, const char *name, uint64_t addr)
{
    char *full = g_strdup_printf("%s@%" G_GINT64_MODIFIER "x", name, addr);
    DtbNode *n = dtb_add_node(parent, full);
    g_free(full);
    return n;
}

DtbNode *virt_dtb_build(const VirtDtbConfig *cfg)
{
    DtbNode *root = dtb_new_root();
    dtb_set_string(root, "compatible", "linux,dummy-virt");
    dtb_set_string(root, "model", "mimic ARM virt");
    dtb_set_u32(root, "#address-cells", 2);
    dtb_set_u32(root, "#size-cells", 2);
    dtb_set_u32(root, "interrupt-parent", PHANDLE_GIC);

    DtbNode *chosen = dtb_add_node(root, "chosen");
    char *uart_path = g_strdup_printf("/pl011@%x", VIRT_UART_BASE);
    dtb_set_string(chosen, "stdout-path", uart_path);
    g_free(uart_path);

    DtbNode *mem = add_unit(root, "memory", VIRT_RAM_BASE);
    dtb_set_string(mem, "device_type", "memory");
    set_reg(mem, VIRT_RAM_BASE, cfg->ram_size);

    DtbNode *psci = dtb_add_node(root, "psci");
    dtb_set_strings(psci, "compatible", (const char *const[]){"arm,psci-0.2", "arm,psci", NULL});
    dtb_set_string(psci, "method", "hvc");
    /* PSCI 0.1 function IDs, for kernels that only know the old binding. */
    dtb_set_u32(psci, "cpu_suspend", 0x84000001);
    dtb_set_u32(psci, "cpu_off", 0x84000002);
    dtb_set_u32(psci, "cpu_on", 0x84000003);
    dtb_set_u32(psci, "migrate", 0x84000005);

    DtbNode *cpus = dtb_add_node(root, "cpus");
    dtb_set_u32(cpus, "#address-cells", 1);
    dtb_set_u32(cpus, "#size-cells", 0);
    for (int i = 0; i < cfg->smp; i++) {
        DtbNode *cpu = add_unit(cpus, "cpu", (uint64_t)i);
        dtb_set_string(cpu, "device_type", "cpu");
        dtb_set_string(cpu, "compatible", cfg->cpu_compatible);
        dtb_set_u32(cpu, "reg", (uint32_t)i);
        if (cfg->smp > 1) {
            dtb_set_string(cpu, "enable-method", "psci");
        }
    }

    DtbNode *gic = add_unit(root, "intc", VIRT_GIC_DIST_BASE);
    dtb_set_strings(gic, "compatible", (const char *const[]){"arm,cortex-a15-gic", NULL});
    dtb_set_u32(gic, "#interrupt-cells", 3);
    dtb_set_prop(gic, "interrupt-controller", NULL, 0);
    dtb_set_u32(gic, "#address-cells", 2);
    dtb_set_u32(gic, "#size-cells", 2);
    dtb_set_prop(gic, "ranges", NULL, 0);
    uint32_t gic_reg[8] = {0, VIRT_GIC_DIST_BASE, 0, VIRT_GIC_REGION_SIZE,
                           0, VIRT_GIC_CPU_BASE,  0, VIRT_GIC_REGION_SIZE};
    dtb_set_cells(gic, "reg", 8, gic_reg);
    dtb_set_u32(gic, "phandle", PHANDLE_GIC);

    /* PPI flags carry the mask of CPUs the PPI is wired to (GICv2 binding). */
    uint32_t ppi_flags = ((1u << cfg->smp) - 1) << 8 | IRQ_LEVEL_HIGH;
    DtbNode *timer = dtb_add_node(root, "timer");
    dtb_set_strings(timer, "compatible", (const char *const[]){"arm,armv7-timer", NULL});
    uint32_t tirq[12] = {
        GIC_PPI, VIRT_TIMER_SEC_PPI,  ppi_flags, GIC_PPI, VIRT_TIMER_PHYS_PPI, ppi_flags,
        GIC_PPI, VIRT_TIMER_VIRT_PPI, ppi_flags, GIC_PPI, VIRT_TIMER_HYP_PPI,  ppi_flags};
    dtb_set_cells(timer, "interrupts", 12, tirq);
    dtb_set_prop(timer, "always-on", NULL, 0);

    DtbNode *clk = dtb_add_node(root, "apb-pclk");
    dtb_set_string(clk, "compatible", "fixed-clock");
    dtb_set_u32(clk, "#clock-cells", 0);
    dtb_set_u32(clk, "clock-frequency", 24000000);
    dtb_set_string(clk, "clock-output-names", "clk24mhz");
    dtb_set_u32(clk, "phandle", PHANDLE_CLK);

    DtbNode *uart = add_unit(root, "pl011", VIRT_UART_BASE);
    dtb_set_strings(uart, "compatible", (const char *const[]){"arm,pl011", "arm,primecell", NULL});
    set_reg(uart, VIRT_UART_BASE, 0x1000);
    set_irq(uart, GIC_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH);
    uint32_t clocks2[2] = {PHANDLE_CLK, PHANDLE_CLK};
    dtb_set_cells(uart, "clocks", 2, clocks2);
    dtb_set_strings(uart, "clock-names", (const char *const[]){"uartclk", "apb_pclk", NULL});

    DtbNode *rtc = add_unit(root, "pl031", VIRT_RTC_BASE);
    dtb_set_strings(rtc, "compatible", (const char *const[]){"arm,pl031", "arm,primecell", NULL});
    set_reg(rtc, VIRT_RTC_BASE, 0x1000);
    set_irq(rtc, GIC_SPI, VIRT_RTC_SPI, IRQ_LEVEL_HIGH);
    dtb_set_u32(rtc, "clocks", PHANDLE_CLK);
    dtb_set_string(rtc, "clock-names", "apb_pclk");

    for (int i = 0; i < cfg->n_mmio; i++) {
        uint64_t base = VIRT_MMIO_BASE + (uint64_t)i * VIRT_MMIO_STRIDE;
        DtbNode *v = add_unit(root, "virtio_mmio", base);
        dtb_set_string(v, "compatible", "virtio,mmio");
        set_reg(v, base, VIRT_MMIO_STRIDE);
        set_irq(v, GIC_SPI, VIRT_MMIO_SPI + i, IRQ_EDGE_RISING);
        dtb_set_prop(v, "dma-coherent", NULL, 0);
    }

    if (cfg->flash) {
        DtbNode *flash = add_unit(root, "flash", VIRT_FLASH_BASE);
        dtb_set_string(flash, "compatible", "mtd-rom");
        set_reg(flash, VIRT_FLASH_BASE, VIRT_FLASH_SIZE);
        dtb_set_u32(flash, "bank-width", 4);
    }

    virt_dtb_set_chosen(root, cfg->bootargs, cfg->initrd_start, cfg->initrd_end);
    return root;
}

void virt_dtb_set_chosen(DtbNode *root, const char *bootargs, uint64_t initrd_start,
                         uint64_t initrd_end)
{
    DtbNode *chosen = dtb_get_or_add(root, "chosen");
    if (bootargs) {
        dtb_set_string(chosen, "bootargs", bootargs);
    }
    if (initrd_end > initrd_start) {
        dtb_set_u64(chosen, "linux,initrd-start", initrd_start);
        dtb_set_u64(chosen, "linux,initrd-end", initrd_end);
    } else {
        dtb_del_prop(chosen, "linux,initrd-start");
        dtb_del_prop(chosen, "linux,initrd-end");
    }
}
