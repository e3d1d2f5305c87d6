/*
 * hw/arm: the ARM `virt` board (virt.c) and what it is built from that tests
 * reach directly: a small flattened-device-tree builder/parser (dtb.c) and
 * the board's device-tree generator (virt-dtb.c).
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

/* ---- device tree blobs -------------------------------------------------------
 * A tree in memory, serialised to / parsed from the flattened format
 * (version 17). Names follow "name@unit-address"; properties keep raw bytes
 * (cells big-endian). */
typedef struct DtbNode DtbNode;

DtbNode *dtb_new_root(void);
void dtb_free(DtbNode *root);
DtbNode *dtb_add_node(DtbNode *parent, const char *name);
/* Child by exact name, or by path from the root ("/chosen"); NULL if absent. */
DtbNode *dtb_child(DtbNode *parent, const char *name);
DtbNode *dtb_find_path(DtbNode *root, const char *path);
/* Creates the child if it does not exist. */
DtbNode *dtb_get_or_add(DtbNode *parent, const char *name);
void dtb_set_prop(DtbNode *n, const char *name, const void *val, size_t len);
void dtb_set_u32(DtbNode *n, const char *name, uint32_t v);
void dtb_set_u64(DtbNode *n, const char *name, uint64_t v);
void dtb_set_cells(DtbNode *n, const char *name, int count, const uint32_t *cells);
void dtb_set_string(DtbNode *n, const char *name, const char *s);
/* A string list ("a\0b\0"): NULL-terminated array. */
void dtb_set_strings(DtbNode *n, const char *name, const char *const *list);
bool dtb_del_prop(DtbNode *n, const char *name);
const void *dtb_get_prop(const DtbNode *n, const char *name, size_t *len);
/* Serialises the tree: a g_malloc'd blob of *len bytes, with `extra` free
 * bytes at the end counted in totalsize (room for a bootloader to grow). */
void *dtb_serialize(const DtbNode *root, uint32_t boot_cpuid, size_t extra, size_t *len);
/* Parses a blob; NULL with *errp set if it is not a valid DTB. */
DtbNode *dtb_parse(const void *blob, size_t len, char **errp);

/* ---- the virt board's tree ---------------------------------------------------- */
typedef struct VirtDtbConfig {
    uint64_t ram_size;
    int smp;
    const char *cpu_compatible;        /* "arm,cortex-a15" */
    const char *bootargs;              /* NULL: none */
    uint64_t initrd_start, initrd_end; /* end 0: no initrd */
    int n_mmio;                        /* virtio-mmio transports to list */
    bool flash;                        /* a flash/ROM at 0 (-bios) */
} VirtDtbConfig;

/* The generated tree, before /chosen's initrd and bootargs. */
DtbNode *virt_dtb_build(const VirtDtbConfig *cfg);
/* Fills /chosen (bootargs when set, initrd when end > start) and /memory's size
 * left alone: used on both generated and -dtb trees. */
void virt_dtb_set_chosen(DtbNode *root, const char *bootargs, uint64_t initrd_start,
                         uint64_t initrd_end);

#endif
