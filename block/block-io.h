/*
 * Block I/O for running machines: -drive parsing (block/drive.c) and a thread
 * pool that runs block requests off the vCPU threads and hands completions
 * back to the main loop (block/aio.c). Devices and boards use this; tools use
 * block.h directly.
 */
#ifndef BLOCK_BLOCK_IO_H
#define BLOCK_BLOCK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

typedef struct BlockDev BlockDev;

/* -drive cache=: how host caching and guest flushes are treated, as QEMU
 * defines the five modes. */
typedef enum BlockCacheMode {
    BLOCK_CACHE_WRITEBACK,    /* host page cache, guest flushes honoured (default) */
    BLOCK_CACHE_NONE,         /* O_DIRECT, guest flushes honoured */
    BLOCK_CACHE_WRITETHROUGH, /* host page cache, flush after every write */
    BLOCK_CACHE_DIRECTSYNC,   /* O_DIRECT and flush after every write */
    BLOCK_CACHE_UNSAFE,       /* host page cache, guest flushes ignored */
} BlockCacheMode;

/* "writeback", "none", ... → mode; false with *errp set on anything else. */
bool block_cache_mode_parse(const char *name, BlockCacheMode *mode, char **errp);
const char *block_cache_mode_name(BlockCacheMode mode);
/* The BLOCK_O_CACHE_* bits of block.h's block_open() for a mode. */
int block_cache_mode_flags(BlockCacheMode mode);
/* Whether the mode bypasses the host page cache (O_DIRECT). */
bool block_cache_mode_direct(BlockCacheMode mode);

/* ---- asynchronous requests -------------------------------------------- */

typedef enum BlockAioOp {
    BLOCK_AIO_READ,
    BLOCK_AIO_WRITE,
    BLOCK_AIO_FLUSH,
    BLOCK_AIO_DISCARD,
    BLOCK_AIO_WRITE_ZEROES,
} BlockAioOp;

/* Runs on the main-loop thread, which holds the BQL while dispatching (or
 * inside block_aio_drain / block_aio_poll, on their caller's thread).
 * ret is 0 on success or a negative errno. */
typedef void BlockAioCompletion(void *opaque, int ret);

/*
 * Registers a device with the pool (starting it if needed). drive_open does
 * this; call it yourself only for a BlockDev opened with block.h directly.
 * The cache mode itself is applied by the driver (block_open flags), which
 * also serialises each device's operations. block_aio_detach waits for all
 * outstanding requests, so that the caller may close the device.
 * Guest discards: devices honour Drive.opts.discard (QEMU's default is to
 * ignore them) before submitting BLOCK_AIO_DISCARD.
 */
void block_aio_attach(BlockDev *bs, BlockCacheMode mode);
void block_aio_detach(BlockDev *bs);

/*
 * Queues one request and returns at once; `cb(opaque, ret)` is called later
 * on the main-loop thread. The iovec array is copied, the buffers it points to
 * must stay valid until the completion. For FLUSH, offset/iov are ignored;
 * for DISCARD and WRITE_ZEROES, iov is ignored and `len` gives the length.
 */
void block_aio_submitv(BlockDev *bs, BlockAioOp op, uint64_t offset, const struct iovec *iov,
                       int niov, uint64_t len, BlockAioCompletion *cb, void *opaque);
/* One contiguous buffer (NULL for flush/discard/write-zeroes). */
void block_aio_submit(BlockDev *bs, BlockAioOp op, uint64_t offset, void *buf, uint64_t len,
                      BlockAioCompletion *cb, void *opaque);

/* The glib context whose loop delivers completions (system/main-loop.h's
 * main_loop_context()); glib's default context until this is called. main()
 * must call it: the block layer does not depend on system/. */
struct _GMainContext;
void block_aio_set_context(struct _GMainContext *ctx);

/* Runs the completions that are ready on the calling thread; returns how
 * many ran. The main loop does this for you through its GSource. */
int block_aio_poll(void);
/* Waits until every submitted request has completed and its callback has
 * run (on the calling thread). For machine shutdown, snapshots and tests. */
void block_aio_drain(void);
/* How many requests are submitted but not yet completed. */
unsigned block_aio_in_flight(void);
/* The worker count (default 4, or $MIMIC_AIO_THREADS); takes effect before
 * the first request. */
void block_aio_set_threads(int n);

/* ---- -drive ----------------------------------------------------------- */

typedef enum DriveInterface {
    DRIVE_IF_DEFAULT, /* not given: the board chooses */
    DRIVE_IF_NONE,    /* only for -device ...,drive=id */
    DRIVE_IF_IDE,
    DRIVE_IF_SCSI,
    DRIVE_IF_FLOPPY,
    DRIVE_IF_PFLASH,
    DRIVE_IF_MTD,
    DRIVE_IF_SD,
    DRIVE_IF_VIRTIO,
} DriveInterface;

typedef enum DriveMedia {
    DRIVE_MEDIA_DISK,
    DRIVE_MEDIA_CDROM,
} DriveMedia;

typedef struct DriveOptions {
    char *file;   /* NULL: an empty drive (e.g. a CD-ROM without a disc) */
    char *format; /* NULL: probe */
    char *id;     /* NULL: boards name it if they need to */
    DriveInterface iface;
    int index; /* -1 when not given */
    int bus;   /* -1 when not given */
    int unit;  /* -1 when not given */
    DriveMedia media;
    BlockCacheMode cache;
    bool readonly;
    bool snapshot;
    bool discard; /* discard=unmap/on: guest discards reach the image */
} DriveOptions;

/* Parses one -drive argument ("file=a.qcow2,if=virtio,cache=none", ",," is a
 * literal comma in a value). False with *errp naming the bad key or value. */
bool drive_parse(const char *spec, DriveOptions *opts, char **errp);
void drive_options_clear(DriveOptions *opts);
const char *drive_interface_name(DriveInterface iface);

/* An opened drive, as boards and devices hold it. */
typedef struct Drive {
    DriveOptions opts;
    BlockDev *bs;  /* what devices read and write; NULL for an empty drive */
    uint64_t size; /* guest-visible bytes */
} Drive;

/*
 * Opens the image the options name (with the cache mode's flags, read-only
 * for readonly=on or cdrom) and attaches it to the I/O pool. snapshot=on
 * opens a temporary qcow2 overlay in $TMPDIR whose backing file is the image:
 * the overlay's name is unlinked as soon as it is open, so it disappears when
 * the drive is closed or the process dies. NULL with *errp set on failure.
 */
Drive *drive_open(const DriveOptions *opts, char **errp);
/* Drains the drive's requests, flushes (unless cache=unsafe) and closes. */
void drive_close(Drive *drive);
/* Closes every drive still open (machine teardown, after the vCPUs stopped). */
void drive_close_all(void);

#endif
