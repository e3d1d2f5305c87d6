/*
 * libFuzzer target over the image-opening path of the block layer: the input
 * bytes become an image file that is opened as qcow2 and probed, read, asked
 * for info and status, checked (without repair), written to, and finally
 * repaired (check -r all), as a guest or mimic-img would. Any crash, hang
 * or sanitizer report is a block-layer bug.
 */
#include "block/block.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCRATCH_SIZE (64 * 1024)

static char image_path[4096];
static uint8_t *scratch;
/* MIMIC_FUZZ_NO_WRITE=1 skips the read-write phase, to explore the read
 * paths while a known write bug is still open. */
static bool no_write;

static void fuzz_cleanup(void)
{
    unlink(image_path);
}

static void fuzz_setup(void)
{
    const char *dir = getenv("TMPDIR");
    snprintf(image_path, sizeof(image_path), "%s/fuzz-qcow2-XXXXXX", dir ? dir : "/tmp");
    int fd = mkstemp(image_path);
    if (fd < 0) {
        perror("fuzz-qcow2: mkstemp");
        abort();
    }
    close(fd);
    atexit(fuzz_cleanup);
    no_write = getenv("MIMIC_FUZZ_NO_WRITE") != NULL;
    scratch = malloc(SCRATCH_SIZE);
    if (!scratch) {
        abort();
    }
}

static bool fuzz_write_file(const uint8_t *data, size_t size)
{
    FILE *f = fopen(image_path, "wb");
    if (!f) {
        return false;
    }
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

/* Error messages are part of the contract too: they must be well-formed. */
static void fuzz_drop_error(char **err)
{
    if (*err && strlen(*err) == 0) {
        abort();
    }
    free(*err);
    *err = NULL;
}

/* Reads a few bounded windows spread over the virtual disk. */
static void fuzz_read(BlockDev *bs)
{
    char *err = NULL;
    uint64_t len = block_get_length(bs);
    uint64_t offs[] = {0, len / 3, len / 2 + 4095, len > 4096 ? len - 4096 : 0};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        if (offs[i] >= len) {
            continue;
        }
        uint64_t n = len - offs[i] < SCRATCH_SIZE ? len - offs[i] : SCRATCH_SIZE;
        block_read(bs, offs[i], scratch, n, &err);
        fuzz_drop_error(&err);
    }
}

/* Walks the first extents of the allocation map, as qemu-img map does. */
static void fuzz_status(BlockDev *bs)
{
    char *err = NULL;
    uint64_t len = block_get_length(bs), off = 0;
    for (int i = 0; i < 64 && off < len; i++) {
        BlockStatus st;
        if (block_get_status(bs, off, len - off, true, &st, &err) < 0) {
            fuzz_drop_error(&err);
            break;
        }
        if (st.length == 0) {
            abort(); /* the API promises progress */
        }
        off += st.length;
    }
}

static void fuzz_info(BlockDev *bs)
{
    char *err = NULL;
    BlockInfo info;
    memset(&info, 0, sizeof(info));
    if (block_get_info(bs, &info, &err) == 0) {
        block_info_clear(&info);
    }
    fuzz_drop_error(&err);

    BlockSnapshotInfo *list = NULL;
    int n = block_snapshot_list(bs, &list, &err);
    if (n >= 0) {
        block_snapshot_list_free(list, n);
    }
    fuzz_drop_error(&err);
}

static void fuzz_check(BlockDev *bs)
{
    char *err = NULL;
    BlockCheckResult res;
    memset(&res, 0, sizeof(res));
    if (block_check(bs, 0, &res, &err) == 0) {
        block_check_result_clear(&res);
    }
    fuzz_drop_error(&err);
}

/* A guest's first writes: one inside a cluster, one across two. */
static void fuzz_write(BlockDev *bs)
{
    char *err = NULL;
    uint64_t len = block_get_length(bs);
    memset(scratch, 0x5a, 8192);
    if (len >= 8192) {
        block_write(bs, 512, scratch, 1024, 0, &err);
        fuzz_drop_error(&err);
        block_write(bs, len / 2 & ~511ULL, scratch, len / 2 >= 8192 ? 8192 : 512, 0, &err);
        fuzz_drop_error(&err);
        block_write_zeroes(bs, 0, 4096, BLOCK_ZERO_MAY_UNMAP, &err);
        fuzz_drop_error(&err);
        block_flush(bs, &err);
        fuzz_drop_error(&err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch) {
        fuzz_setup();
    }
    if (!fuzz_write_file(data, size)) {
        return 0;
    }
    char *err = NULL;
    /* cache=unsafe: fsync per input would make fuzzing 10x slower, and
     * durability is not what is being tested. */
    const int base = BLOCK_O_NO_BACKING | BLOCK_O_CACHE_NO_FLUSH;

    /* Backing files are never followed: a fuzzed name could point anywhere,
     * even at a FIFO that blocks forever. */
    BlockDev *bs = block_open(image_path, "qcow2", base, &err);
    fuzz_drop_error(&err);
    if (bs) {
        fuzz_read(bs);
        fuzz_status(bs);
        fuzz_info(bs);
        fuzz_check(bs);
        block_close(bs);
    }

    bs = block_open(image_path, NULL, base | BLOCK_O_CHECK, &err);
    fuzz_drop_error(&err);
    if (bs) {
        fuzz_read(bs);
        fuzz_check(bs);
        block_close(bs);
    }

    /* Last, since it may change the file: opening read-write (which can
     * replay a dirty image's refcounts) and writing. */
    if (no_write) {
        return 0;
    }
    bs = block_open(image_path, "qcow2", base | BLOCK_O_RDWR, &err);
    fuzz_drop_error(&err);
    if (bs) {
        fuzz_write(bs);
        fuzz_read(bs);
        block_close(bs);
    }

    /* qemu-img check -r all: the repair path, then the image must still
     * open and read. */
    bs = block_open(image_path, "qcow2", base | BLOCK_O_RDWR | BLOCK_O_CHECK, &err);
    fuzz_drop_error(&err);
    if (bs) {
        BlockCheckResult res;
        memset(&res, 0, sizeof(res));
        if (block_check(bs, BLOCK_CHECK_REPAIR_ALL, &res, &err) == 0) {
            block_check_result_clear(&res);
        }
        fuzz_drop_error(&err);
        block_close(bs);
        bs = block_open(image_path, "qcow2", base, &err);
        fuzz_drop_error(&err);
        if (bs) {
            fuzz_read(bs);
            block_close(bs);
        }
    }
    return 0;
}
