/*
 * bench-blockio: the block layer's answer to `qemu-img bench`. Issues COUNT
 * requests of SIZE bytes through the I/O thread pool (block/aio.c), DEPTH in
 * flight, starting at OFFSET and moving STEP bytes each time (wrapping at the
 * end of the image), with completions delivered by a glib main loop as in a
 * running machine. Example, 4 KiB writes scattered over the image:
 *   bench-blockio -c 20000 -s 4k -S 165908480 -d 64 -w -f qcow2 -t writeback disk.qcow2
 */
#include "block/block-io.h"
#include "block/block.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct Bench {
    BlockDev *bs;
    uint64_t image_size, offset, step, size;
    long count, submitted, completed;
    int errors;
    bool write;
    uint8_t *buf;
    GMainLoop *loop;
} Bench;

static void bench_submit(Bench *b);

static void bench_done(void *opaque, int ret)
{
    Bench *b = opaque;
    b->completed++;
    if (ret < 0 && b->errors++ == 0) {
        fprintf(stderr, "bench-blockio: request failed: %s\n", g_strerror(-ret));
    }
    if (b->submitted < b->count) {
        bench_submit(b);
    } else if (b->completed == b->count) {
        g_main_loop_quit(b->loop);
    }
}

static void bench_submit(Bench *b)
{
    /* Every request shares one buffer, as qemu-img bench does: the data is
     * not what is measured. */
    block_aio_submit(b->bs, b->write ? BLOCK_AIO_WRITE : BLOCK_AIO_READ, b->offset, b->buf, b->size,
                     bench_done, b);
    b->submitted++;
    b->offset += b->step;
    if (b->offset + b->size > b->image_size) {
        b->offset %= b->image_size;
        if (b->offset + b->size > b->image_size) {
            b->offset = 0;
        }
    }
}

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    uint64_t mul = 1;
    switch (*end) {
    case 'k':
    case 'K':
        mul = 1ULL << 10;
        end++;
        break;
    case 'm':
    case 'M':
        mul = 1ULL << 20;
        end++;
        break;
    case 'g':
    case 'G':
        mul = 1ULL << 30;
        end++;
        break;
    case 0: break;
    default: return false;
    }
    if (*end || end == s) {
        return false;
    }
    *out = v * mul;
    return true;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench-blockio [-c COUNT] [-d DEPTH] [-f FMT] [-o OFFSET] [-s SIZE] "
                    "[-S STEP] [-t CACHE] [-T THREADS] [-w] FILE\n");
    exit(1);
}

int main(int argc, char **argv)
{
    Bench b = {.count = 75000, .size = 4096};
    int depth = 64, opt;
    const char *fmt = NULL, *cache = "writeback";
    uint64_t step = 0;
    while ((opt = getopt(argc, argv, "c:d:f:o:s:S:t:T:wh")) != -1) {
        switch (opt) {
        case 'c': b.count = atol(optarg); break;
        case 'd': depth = atoi(optarg); break;
        case 'f': fmt = optarg; break;
        case 'o':
            if (!parse_size(optarg, &b.offset)) {
                usage();
            }
            break;
        case 's':
            if (!parse_size(optarg, &b.size) || !b.size) {
                usage();
            }
            break;
        case 'S':
            if (!parse_size(optarg, &step)) {
                usage();
            }
            break;
        case 't': cache = optarg; break;
        case 'T': block_aio_set_threads(atoi(optarg)); break;
        case 'w': b.write = true; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || b.count <= 0 || depth <= 0) {
        usage();
    }
    b.step = step ? step : b.size;

    char *spec =
        g_strdup_printf("file=%s,cache=%s%s%s%s", argv[optind], cache, fmt ? ",format=" : "",
                        fmt ? fmt : "", b.write ? "" : ",readonly=on");
    DriveOptions o;
    char *err = NULL;
    if (!drive_parse(spec, &o, &err)) {
        fprintf(stderr, "bench-blockio: %s\n", err);
        return 1;
    }
    Drive *d = drive_open(&o, &err);
    if (!d) {
        fprintf(stderr, "bench-blockio: %s\n", err);
        return 1;
    }
    b.bs = d->bs;
    b.image_size = d->size;
    if (b.size > b.image_size) {
        fprintf(stderr, "bench-blockio: request size is larger than the image\n");
        return 1;
    }
    if (posix_memalign((void **)&b.buf, 4096, b.size)) {
        return 1;
    }
    memset(b.buf, 0xa5, b.size);
    b.loop = g_main_loop_new(NULL, FALSE);

    printf("Sending %ld %s requests, %llu bytes each, %d in parallel (starting at offset %llu, "
           "step size %llu)\n",
           b.count, b.write ? "write" : "read", (unsigned long long)b.size, depth,
           (unsigned long long)b.offset, (unsigned long long)b.step);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < depth && b.submitted < b.count; i++) {
        bench_submit(&b);
    }
    g_main_loop_run(b.loop);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("Run completed in %.3f seconds.\n",
           (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

    drive_close(d);
    drive_options_clear(&o);
    g_main_loop_unref(b.loop);
    free(b.buf);
    g_free(spec);
    return b.errors ? 1 : 0;
}
