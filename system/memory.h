/*
 * The memory API: a tree of regions (RAM, ROM, MMIO, aliases, containers with
 * priorities) flattened into a sorted view per address space. Boards build the
 * tree, the soft-MMU and KVM consume the flat views, devices only see offsets.
 */
#ifndef SYSTEM_MEMORY_H
#define SYSTEM_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;

/*
 * Threads: the region tree changes only under the global lock (boards,
 * devices, the monitor); lookups and accesses may come from any thread at
 * any time (vCPUs, block I/O workers). Each rebuilt flat view is published
 * with a pointer swap and freed when its last reader lets go, so a reader
 * sees the old map or the new one, never a half-built or freed one.
 * Regions themselves are freed only when no vCPU can reach them any more
 * (machine teardown); device callbacks run with whatever lock the caller
 * holds (the soft-MMU takes the global lock for MMIO).
 */

typedef enum MemTxResult {
    MEMTX_OK = 0,
    MEMTX_ERROR = 1,        /* device reported an error (bus error) */
    MEMTX_DECODE_ERROR = 2, /* nothing mapped at that address */
} MemTxResult;

typedef enum DeviceEndian {
    DEVICE_NATIVE_ENDIAN, /* the host's: little */
    DEVICE_LITTLE_ENDIAN,
    DEVICE_BIG_ENDIAN,
} DeviceEndian;

/*
 * Callbacks of an MMIO/PIO region. `addr` is the offset inside the region.
 * Values are passed in host order: the core converts from the region's
 * `endianness` to the requester's.
 *
 * `valid` says which accesses the guest may make (others are rejected with
 * MEMTX_ERROR, or ignored/read as zero when `valid.accepts_bad` is set, as
 * many real buses do). `impl` says what the callbacks can handle: wider
 * accesses are split into several calls, narrower ones are widened (read
 * then extract; read-modify-write for stores), unaligned ones split.
 * A zero size in either means 1 (min) or 4 (max); `impl` defaults to `valid`.
 * Widening a write reads the register first, so a device whose reads have
 * side effects (FIFOs, clear-on-read status) should accept narrow accesses.
 * Split accesses call the device in increasing address order.
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t addr, unsigned size);
    void (*write)(void *opaque, uint64_t addr, uint64_t val, unsigned size);
    DeviceEndian endianness;
    struct {
        unsigned min_access_size, max_access_size;
        bool unaligned;
        bool accepts_bad; /* bad-size accesses are ignored / read 0 */
    } valid;
    struct {
        unsigned min_access_size, max_access_size;
        bool unaligned;
    } impl;
} MemoryRegionOps;

/* Regions. Names are for `info mtree` and error messages. */
MemoryRegion *memory_region_new_container(const char *name, uint64_t size);
/* RAM: one anonymous host mmap per region (KVM maps the same memory). */
MemoryRegion *memory_region_new_ram(const char *name, uint64_t size);
/* RAM backed by a file (e.g. hugetlbfs for -mem-path); NULL on error. */
MemoryRegion *memory_region_new_ram_file(const char *name, uint64_t size, const char *path,
                                         char **errp);
/* ROM: RAM that the guest reads and executes but whose writes are ignored. */
MemoryRegion *memory_region_new_rom(const char *name, uint64_t size);
/* ops NULL: a placeholder that reads 0 and ignores writes (unmodelled
 * devices a guest probes). */
MemoryRegion *memory_region_new_io(const char *name, uint64_t size, const MemoryRegionOps *ops,
                                   void *opaque);
/*
 * A ROM device (flash): in ROMD mode reads come straight from its memory
 * (guests execute from it) while writes go to ops->write (the command
 * interface); out of ROMD mode reads go to ops->read as well. Its sections
 * are flagged readonly so the soft-MMU sends writes to
 * memory_region_dispatch_write, which routes them to the device.
 */
MemoryRegion *memory_region_new_rom_device(const char *name, uint64_t size,
                                           const MemoryRegionOps *ops, void *opaque);
void memory_region_rom_device_set_romd(MemoryRegion *mr, bool romd);
/* A window onto [offset, offset+size) of another region. */
MemoryRegion *memory_region_new_alias(const char *name, MemoryRegion *orig, uint64_t offset,
                                      uint64_t size);
/* Unmaps mr (and detaches its children) then frees it; aliases of it must
 * be freed first. */
void memory_region_free(MemoryRegion *mr);

/*
 * Place `child` at `offset` inside container `parent`. Where children overlap,
 * the higher priority wins; at equal priority the one added later wins.
 */
void memory_region_add_subregion(MemoryRegion *parent, uint64_t offset, MemoryRegion *child);
void memory_region_add_subregion_overlap(MemoryRegion *parent, uint64_t offset, MemoryRegion *child,
                                         int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *child);
/* Move / show / hide a mapped region (PCI BARs, chipset windows). */
void memory_region_set_address(MemoryRegion *mr, uint64_t offset);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);
/* Writes ignored (ROM) or allowed (flash in write mode). */
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);

const char *memory_region_name(const MemoryRegion *mr);
uint64_t memory_region_size(const MemoryRegion *mr);
bool memory_region_is_ram(const MemoryRegion *mr); /* RAM, ROM, ROM device in ROMD mode */
bool memory_region_is_rom(const MemoryRegion *mr);
bool memory_region_is_io(const MemoryRegion *mr); /* reads go to callbacks */
bool memory_region_is_rom_device(const MemoryRegion *mr);
/* Host pointer to the start of a RAM/ROM region's memory (NULL otherwise). */
void *memory_region_get_ram_ptr(MemoryRegion *mr);

/*
 * Group topology changes: between begin and commit, flat views are not
 * rebuilt; commit rebuilds once and notifies listeners. Calls outside a
 * transaction commit implicitly.
 */
void memory_region_transaction_begin(void);
void memory_region_transaction_commit(void);

/* Address spaces: a root region seen by some master (a CPU, a DMA engine). */
AddressSpace *address_space_new(MemoryRegion *root, const char *name);
void address_space_free(AddressSpace *as);
MemoryRegion *address_space_root(AddressSpace *as);

/* One piece of the flat view: [addr, addr+size) of the space maps to
 * [offset_in_region, ...) of `mr` (a RAM, ROM or I/O region, never a
 * container or alias: those are resolved). */
typedef struct MemoryRegionSection {
    MemoryRegion *mr; /* NULL: unassigned */
    uint64_t addr;
    uint64_t size;
    uint64_t offset_in_region;
    bool readonly;
} MemoryRegionSection;

/* The section holding `addr` (mr NULL and a hole's bounds if unassigned). */
MemoryRegionSection address_space_lookup(AddressSpace *as, uint64_t addr);
/* Calls fn for every section of the current flat view, in address order. */
void address_space_foreach_section(AddressSpace *as,
                                   void (*fn)(const MemoryRegionSection *s, void *opaque),
                                   void *opaque);

/*
 * Accesses as a bus master. Multi-byte values: `big_endian` says how the
 * requester sees memory (a big-endian MIPS CPU passes true).
 */
MemTxResult address_space_read(AddressSpace *as, uint64_t addr, void *buf, uint64_t len);
MemTxResult address_space_write(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);
/*
 * Direct access to guest RAM for DMA (virtio rings, block buffers): the host
 * pointer for addr, with *plen cut down to what is contiguous RAM (0 and NULL
 * if addr is not RAM/ROM, or is read-only and is_write). A write mapping
 * announces the range to the code-write notifier first. The pointer stays
 * valid until the region is freed.
 */
void *address_space_map(AddressSpace *as, uint64_t addr, uint64_t *plen, bool is_write);
/* After a device wrote through a mapping: code translated from those bytes while the
 * device wrote them is stale too. */
void address_space_unmap(void *host, uint64_t len);
/* Writes that may also hit ROM (loading firmware). */
MemTxResult address_space_write_rom(AddressSpace *as, uint64_t addr, const void *buf, uint64_t len);
MemTxResult address_space_load(AddressSpace *as, uint64_t addr, unsigned size, bool big_endian,
                               uint64_t *val);
MemTxResult address_space_store(AddressSpace *as, uint64_t addr, unsigned size, bool big_endian,
                                uint64_t val);

/* Direct dispatch to one I/O region (used by the soft-MMU slow path after a
 * TLB lookup found MMIO; `addr` is the offset inside mr). */
MemTxResult memory_region_dispatch_read(MemoryRegion *mr, uint64_t addr, unsigned size,
                                        bool big_endian, uint64_t *val);
MemTxResult memory_region_dispatch_write(MemoryRegion *mr, uint64_t addr, unsigned size,
                                         bool big_endian, uint64_t val);

/*
 * Listeners hear of every rebuilt flat view: the soft-MMU flushes TLBs, KVM
 * (re)registers RAM slots. region_add/del are called per RAM section that
 * appeared or vanished; commit once after each rebuild. Any may be NULL.
 */
typedef struct MemoryListener {
    void (*region_add)(struct MemoryListener *l, const MemoryRegionSection *s);
    void (*region_del)(struct MemoryListener *l, const MemoryRegionSection *s);
    void (*commit)(struct MemoryListener *l);
    void *opaque;
} MemoryListener;
void memory_listener_register(AddressSpace *as, MemoryListener *l);
void memory_listener_unregister(AddressSpace *as, MemoryListener *l);

/* Dirty tracking of RAM pages that hold translated code (self-modifying
 * code): the soft-MMU marks pages, writes that hit them call the notifier. */
typedef void (*MemoryCodeWriteFn)(uint64_t ram_addr, unsigned len);
void memory_set_code_write_notifier(MemoryCodeWriteFn fn);
/*
 * Every RAM/ROM region owns a range of "ram addresses", a space of its own
 * that does not depend on where (or how often, through aliases) the region
 * is mapped: ram_addr = memory_region_get_ram_addr(section.mr) +
 * section.offset_in_region. The soft-MMU marks the 4 KiB pages it translated
 * code from; a write through address_space_write/store/write_rom or
 * memory_region_dispatch_write that touches a marked page calls the notifier
 * with the ram_addr and length of the written piece BEFORE the bytes change.
 * The notifier (the CPU's) invalidates the blocks and clears the marks it no
 * longer needs; memory never clears them itself. Writes that a vCPU does
 * straight to host memory through its TLB are the soft-MMU's to catch.
 */
#define MEMORY_CODE_PAGE_SIZE 4096
uint64_t memory_region_get_ram_addr(const MemoryRegion *mr); /* UINT64_MAX if not RAM/ROM */
void memory_ram_set_code_page(uint64_t ram_addr);
void memory_ram_clear_code_page(uint64_t ram_addr);
bool memory_ram_is_code_page(uint64_t ram_addr);
void *memory_ram_addr_to_host(uint64_t ram_addr); /* NULL if no RAM block holds it */

/* Text dump of the region tree and of a flat view (monitor `info mtree`). */
void memory_dump_tree(MemoryRegion *root, void *file /* FILE * */);
void address_space_dump_flat(AddressSpace *as, void *file /* FILE * */);

#endif
