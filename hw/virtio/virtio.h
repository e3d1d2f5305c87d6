/*
 * Virtio: the device core (split virtqueues, feature negotiation for virtio
 * 1.0+ and legacy 0.9.5, status, config space, interrupts), the virtio-mmio
 * and virtio-pci transports, and the block, net, rng and console devices.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/uio.h>

#include "hw/hw.h"
#include "system/memory.h"

/* Device IDs (virtio 1.2, 5). */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

/* Reserved feature bits the core implements. */
#define VIRTIO_F_NOTIFY_ON_EMPTY    24
#define VIRTIO_F_ANY_LAYOUT         27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32

/* Split ring descriptor flags. */
#define VRING_DESC_F_NEXT          1
#define VRING_DESC_F_WRITE         2
#define VRING_DESC_F_INDIRECT      4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY     1

/* Interrupt status bits (ISR / InterruptStatus). */
#define VIRTIO_ISR_QUEUE  1
#define VIRTIO_ISR_CONFIG 2

#define VIRTIO_QUEUE_MAX      8
#define VIRTIO_CONFIG_MAX     256
#define VIRTIO_QUEUE_SIZE_MAX 1024

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/* One request popped from the avail ring: buffers the device reads (out)
 * then buffers it writes (in), already translated to host memory. */
typedef struct VirtQueueElement {
    unsigned index; /* head descriptor, returned through the used ring */
    unsigned out_num, in_num;
    struct iovec *out_sg, *in_sg;
    size_t out_len, in_len; /* total bytes of each side */
} VirtQueueElement;

typedef void VirtQueueHandler(VirtIODevice *vdev, VirtQueue *vq);

/* What a device model provides to the core. */
typedef struct VirtIODeviceOps {
    const char *type; /* "virtio-blk", ... */
    uint16_t device_id;
    size_t config_size;
    /* Fill `config` (config_size bytes) from device state, in the byte order
     * virtio_config_* helpers pick (little-endian unless legacy on a BE guest). */
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    /* The driver wrote config bytes (already stored in `config`). */
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
    /* Device reset (the core resets rings, features and status itself). */
    void (*reset)(VirtIODevice *vdev);
    void (*save)(VirtIODevice *vdev, StateStream *s);
    bool (*load)(VirtIODevice *vdev, StateStream *s);
    void (*finalize)(VirtIODevice *vdev);
} VirtIODeviceOps;

typedef struct VirtIOTransport {
    /* The interrupt status changed: the transport updates its IRQ line. */
    void (*update_irq)(void *opaque);
    void *opaque;
} VirtIOTransport;

struct VirtQueue {
    VirtIODevice *vdev;
    int index;
    uint16_t num, num_max;
    bool ready;
    uint64_t desc, avail, used; /* guest-physical ring addresses */
    uint16_t last_avail_idx, used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification; /* false: device asks not to be notified */
    unsigned inuse;
    VirtQueueHandler *handle_output;
    /* Legacy transports lay the rings out from one page number. */
    uint32_t legacy_pfn;
    uint32_t legacy_align;
};

struct VirtIODevice {
    const VirtIODeviceOps *ops;
    uint16_t device_id;
    uint64_t host_features;  /* offered */
    uint64_t guest_features; /* accepted by the driver */
    uint8_t status;
    uint8_t isr;
    uint32_t config_generation;
    bool broken; /* a driver error: ignore the rings until reset */
    /* Boards with a big-endian guest (MIPS Malta BE) set this after creating
     * the device: legacy (pre-1.0) drivers use guest byte order in rings and
     * config space; VERSION_1 drivers are little-endian regardless. */
    bool legacy_big_endian;
    int num_queues;
    VirtQueue vq[VIRTIO_QUEUE_MAX];
    uint8_t config[VIRTIO_CONFIG_MAX];
    AddressSpace *dma_as;
    VirtIOTransport transport;
    char *id;
};

/* ---- core, for device models ------------------------------------------- */
void virtio_init(VirtIODevice *vdev, const VirtIODeviceOps *ops, uint64_t host_features);
VirtQueue *virtio_add_queue(VirtIODevice *vdev, uint16_t size, VirtQueueHandler *handler);
/* Next request, or NULL if none (or the chain is malformed: the device is
 * then marked broken). Free it with g_free after virtqueue_push. */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
/* Returns an element to the used ring with `len` bytes written. */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len);
/* Puts a popped element back so that the next pop returns it again. */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem);
bool virtqueue_empty(VirtQueue *vq);
bool virtqueue_ready(VirtQueue *vq);
/* Interrupts the driver for used buffers unless it suppressed them. */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
void virtio_notify_config(VirtIODevice *vdev);
/* The driver broke the protocol: log, set NEEDS_RESET, stop processing. */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool virtio_has_feature(const VirtIODevice *vdev, unsigned bit);
bool virtio_is_big_endian(const VirtIODevice *vdev);
void virtio_config_set_u16(VirtIODevice *vdev, uint8_t *p, uint16_t v);
void virtio_config_set_u32(VirtIODevice *vdev, uint8_t *p, uint32_t v);
void virtio_config_set_u64(VirtIODevice *vdev, uint8_t *p, uint64_t v);
uint16_t virtio_lduw(const VirtIODevice *vdev, const void *p);
uint32_t virtio_ldl(const VirtIODevice *vdev, const void *p);
uint64_t virtio_ldq(const VirtIODevice *vdev, const void *p);
void virtio_stw(const VirtIODevice *vdev, void *p, uint16_t v);
void virtio_stl(const VirtIODevice *vdev, void *p, uint32_t v);
size_t virtio_iov_to_buf(const struct iovec *iov, unsigned n, size_t offset, void *buf, size_t len);
size_t virtio_iov_from_buf(const struct iovec *iov, unsigned n, size_t offset, const void *buf,
                           size_t len);

/* ---- core, for transports ----------------------------------------------- */
void virtio_reset(VirtIODevice *vdev);
void virtio_set_status(VirtIODevice *vdev, uint8_t status);
/* false: the driver asked for features that were not offered (or VERSION_1
 * missing on a modern-only transport) */
bool virtio_set_features(VirtIODevice *vdev, uint64_t features);
void virtio_queue_notify(VirtIODevice *vdev, int n);
/* Legacy layout: desc at pfn * page_size, avail after it, used aligned. */
void virtio_queue_set_legacy_addr(VirtIODevice *vdev, int n, uint64_t desc_addr, uint32_t align);
uint32_t virtio_config_read(VirtIODevice *vdev, uint32_t addr, unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t addr, uint32_t val, unsigned size);
void virtio_isr_ack(VirtIODevice *vdev, uint8_t bits);
uint8_t virtio_isr_read_clear(VirtIODevice *vdev);
void virtio_save(VirtIODevice *vdev, StateStream *s);
bool virtio_load(VirtIODevice *vdev, StateStream *s);
void virtio_free(VirtIODevice *vdev);

/* ---- virtio-mmio transport --------------------------------------------- */
typedef struct VirtioMmio VirtioMmio;
#define VIRTIO_MMIO_SIZE 0x200
/* A transport at `base` in `parent` (0x200 bytes). legacy = version 1
 * register layout (QueuePFN), else version 2. Registered as a device
 * ("virtio-mmio0", ...) for reset and save/load. Without a device plugged,
 * DeviceID reads 0 (drivers skip it). */
VirtioMmio *virtio_mmio_new(MemoryRegion *parent, uint64_t base, qemu_irq irq, AddressSpace *dma_as,
                            bool legacy);
/* Plugs a device (the transport owns it from now on); false if one is
 * plugged already. */
bool virtio_mmio_plug(VirtioMmio *t, VirtIODevice *vdev);
VirtIODevice *virtio_mmio_device(VirtioMmio *t);
void virtio_mmio_free(VirtioMmio *t);
MemoryRegion *virtio_mmio_region(VirtioMmio *t);

/* ---- virtio-pci transport (transitional: legacy I/O BAR 0 + modern
 * capabilities in memory BAR 1) -------------------------------------------- */
typedef struct PCIBus PCIBus;
typedef struct VirtioPci VirtioPci;
/* A transitional virtio PCI function at devfn owning vdev; DMA through
 * dma_as. NULL with *errp set if devfn is taken. */
VirtioPci *virtio_pci_new(PCIBus *bus, int devfn, VirtIODevice *vdev, AddressSpace *dma_as,
                          char **errp);

/* ---- devices ------------------------------------------------------------- */
typedef struct Drive Drive;
/* virtio-blk over an opened drive (the device does not close it). */
VirtIODevice *virtio_blk_new(Drive *drive, char **errp);
VirtIODevice *virtio_rng_new(void);
typedef struct Chardev Chardev;
/* A single-port console (hvc0 in Linux) on chr. */
VirtIODevice *virtio_console_new(Chardev *chr);
typedef struct NetDev NetDev;
/* mac NULL: 52:54:00:12:34:56 + n for the n-th NIC. */
VirtIODevice *virtio_net_new(NetDev *nd, const uint8_t *mac, char **errp);

/*
 * Boards: create the device a -device option names, resolving drive=,
 * netdev= and chardev= (through chardev_take), e.g.
 * "virtio-blk-device,drive=d0", "virtio-net-device,netdev=n0",
 * "virtio-rng-device", "virtio-serial-device", "virtconsole,chardev=c0"
 * (the "-pci" and neutral spellings too: a board refuses a bus it lacks
 * before, with virtio_check_device_buses). A console without chardev= gets
 * console_chr. Returns NULL with *errp set on a bad option; *handled false
 * if the driver is not a virtio device at all. `drives` are the board's
 * opened drives (looked up by id).
 */
VirtIODevice *virtio_device_from_option(const char *spec, Drive **drives, int n_drives,
                                        Chardev *console_chr, bool *handled, char **errp);
/* The -device spec names a virtio device mimic has ("virtio-rng-pci,..."). */
bool virtio_device_name_known(const char *spec);
/* Which bus a -device name needs: a board without that bus refuses it. */
typedef enum VirtioDeviceBus {
    VIRTIO_DEVICE_BUS_UNKNOWN, /* not a virtio device mimic has */
    VIRTIO_DEVICE_BUS_ANY,     /* "virtio-net", "virtconsole": the board picks */
    VIRTIO_DEVICE_BUS_PCI,     /* "virtio-net-pci" */
    VIRTIO_DEVICE_BUS_MMIO,    /* "virtio-net-device": QEMU's virtio-bus */
} VirtioDeviceBus;
VirtioDeviceBus virtio_device_bus(const char *spec);
/* The device -nic or -net nic made: options.c gives it the id "_nicN" or
 * "_netN" (QEMU refuses a user's id not starting with a letter, and so does
 * virtio_device_from_option), so a model the board cannot plug is refused as
 * a NIC model, not as a -device the user typed. */
bool virtio_device_from_nic(const char *spec);
/* For a board with only some transports: the first -device (in command-line
 * order) whose bus it lacks is refused in QEMU's words ("-device X: No 'PCI'
 * bus found for device 'X'", or for a -nic/-net NIC "Unsupported NIC model:
 * X"). Stops at an unknown name, which virtio_machine_setup reports. */
bool virtio_check_device_buses(char *const *devices, int n_devices, bool pci, bool mmio,
                               char **errp);
/* "virtconsole[,...]": a port on a serial bus. */
bool virtio_device_is_console_port(const char *spec);
/* "virtio-serial-device", "virtio-serial-pci", ...: the bus ports sit on. */
bool virtio_device_is_serial_bus(const char *spec);
/* `-device help` in QEMU's format (categories, then name "x", bus B, alias,
 * desc), for a board with PCI slots and/or virtio-mmio transports. */
void virtio_device_print_help(FILE *f, bool pci, bool mmio);

/*
 * Everything virtio a board gets from the command line, in one call:
 * creates every -netdev backend, opens -drive if=virtio drives (and, when
 * default_if_virtio, drives without if=) as virtio-blk devices, keeps
 * if=none drives for -device ...,drive=ID, and creates each virtio -device
 * (any other -device name is refused with QEMU's "'foo' is not a valid
 * device model name"; a board taking other devices checks them before).
 * Every virtconsole is a console device of its own. Every device is handed to plug(), which
 * puts it on a transport (false with *errp: e.g. no free transport).
 * Drives of other interfaces are skipped: the board opens those itself.
 */
typedef struct VirtioMachineConfig {
    char **drives;
    int n_drives;
    char **netdevs;
    int n_netdevs;
    char **devices;
    int n_devices;
    bool default_if_virtio;
    /* The board's serial slot for its console: the first virtconsole (or
     * virtio-serial-* alone) without chardev= gets it. */
    Chardev *console_chr;
    bool (*plug)(void *opaque, VirtIODevice *vdev, char **errp);
    void *opaque;
} VirtioMachineConfig;
bool virtio_machine_setup(const VirtioMachineConfig *cfg, char **errp);
/* Drains, flushes and closes the drives virtio_machine_setup opened
 * (machine teardown, after the vCPUs stopped). */
void virtio_machine_close_drives(void);

#endif
