/*
 * hw/arm: the ARM `virt` board (virt.c) and what tests reach directly: its
 * memory map and its device-tree generator (virt-dtb.c, built on libfdt).
 */
#ifndef HW_ARM_VIRT_H
#define HW_ARM_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- memory map (as QEMU's virt, so stock armmp kernels find everything) ---- */
#define VIRT_FLASH_BASE      0x00000000u
#define VIRT_FLASH_SIZE      0x08000000u
#define VIRT_GIC_DIST_BASE   0x08000000u
#define VIRT_GIC_CPU_BASE    0x08010000u
#define VIRT_GIC_REGION_SIZE 0x10000u
#define VIRT_UART_BASE       0x09000000u
#define VIRT_RTC_BASE        0x09010000u
#define VIRT_MMIO_BASE       0x0a000000u
#define VIRT_MMIO_STRIDE     0x200u
#define VIRT_MMIO_COUNT      32
#define VIRT_RAM_BASE        0x40000000u
#define VIRT_RAM_MAX         (3ull << 30) /* below 4 GiB without LPAE highmem */
#define VIRT_UART_SPI        1
#define VIRT_RTC_SPI         2
#define VIRT_MMIO_SPI        16
#define VIRT_NUM_IRQ         128 /* 32 internal + 96 SPIs */
#define VIRT_MAX_CPUS        4

/* PPI numbers of the generic timers as the device tree names them (ID - 16). */
#define VIRT_TIMER_SEC_PPI  13
#define VIRT_TIMER_PHYS_PPI 14
#define VIRT_TIMER_VIRT_PPI 11
#define VIRT_TIMER_HYP_PPI  10

/* ---- the virt board's device tree (libfdt) --------------------------------------- */
typedef struct VirtDtbConfig {
    uint64_t ram_size;
    int smp;
    const char *cpu_compatible;        /* "arm,cortex-a15" */
    const char *bootargs;              /* NULL: none */
    uint64_t initrd_start, initrd_end; /* end 0: no initrd */
    int n_mmio;                        /* virtio-mmio transports to list */
    bool flash;                        /* a flash/ROM at 0 (-bios) */
    bool rng_seed;                     /* /chosen/rng-seed: random bytes for the kernel */
} VirtDtbConfig;

/* The generated tree as a g_malloc'd blob of *len bytes, `extra` of them free
 * space counted in totalsize (room for the kernel to grow it). */
void *virt_dtb_build(const VirtDtbConfig *cfg, size_t extra, size_t *len);
/* A user's tree (-dtb) checked and copied with /chosen's bootargs (when set) and
 * initrd (when end > start, else removed) written, plus `extra` free bytes;
 * NULL with *errp set if blob is not a valid device tree. */
void *virt_dtb_patch_chosen(const void *blob, size_t blob_len, const char *bootargs,
                            uint64_t initrd_start, uint64_t initrd_end, size_t extra, size_t *len,
                            char **errp);

#endif
