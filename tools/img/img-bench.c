/* mimic-img bench: times COUNT reads or writes of one buffer through the
 * block layer, stepping through the image, with qemu-img bench's options and
 * output. The block layer serialises the requests of one image, so -d sets
 * how many are reported in parallel and bounds the flush interval only. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/img/img.h"

static bool bench_parse_int(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool bench_parse_size(const char *s, const char *what, uint64_t *out)
{
    if (img_parse_size(s, out) < 0) {
        img_error("Invalid %s specified. You may use k, M, G, T, P or E suffixes for", what);
        img_error("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
        return false;
    }
    return true;
}

int img_cmd_bench(int argc, char **argv)
{
    enum { OPT_PATTERN = 256, OPT_FLUSH_INTERVAL, OPT_NO_DRAIN };
    static const struct option longopts[] = {
        {"flush-interval", required_argument, NULL, OPT_FLUSH_INTERVAL},
        {"image-opts", no_argument, NULL, 'I'},
        {"pattern", required_argument, NULL, OPT_PATTERN},
        {"no-drain", no_argument, NULL, OPT_NO_DRAIN},
        {"force-share", no_argument, NULL, 'U'},
        {"object", required_argument, NULL, 'J'},
        {NULL, 0, NULL, 0},
    };
    const char *fmt = NULL;
    long long count = 75000, depth = 64, pattern = 0, flush_interval = 0;
    uint64_t offset = 0, size = 4096, step = 0;
    bool write = false, image_opts = false, native_aio = false, step_set = false;
    int cache_flags = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":hc:d:f:ni:o:qs:S:t:wU", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            if (!bench_parse_int(optarg, 0, INT32_MAX, &count)) {
                img_error("Invalid request count specified");
                return IMG_EXIT_FAIL;
            }
            break;
        case 'd':
            /* qemu-img waits forever with depth 0: refuse it instead. */
            if (!bench_parse_int(optarg, 1, INT32_MAX, &depth)) {
                img_error("Invalid queue depth specified");
                return IMG_EXIT_FAIL;
            }
            break;
        case 'f': fmt = optarg; break;
        case 'n': native_aio = true; break;
        case 'i':
            if (!strcmp(optarg, "native")) {
                native_aio = true;
            } else if (strcmp(optarg, "threads") && strcmp(optarg, "io_uring")) {
                img_error("Invalid aio option: %s", optarg);
                return IMG_EXIT_FAIL;
            }
            break;
        case 'o':
            if (!bench_parse_size(optarg, "offset", &offset)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'q': break; /* qemu-img bench prints its lines even with -q */
        case 's':
            if (!bench_parse_size(optarg, "buffer size", &size)) {
                return IMG_EXIT_FAIL;
            }
            if (size > INT32_MAX) {
                img_error("Invalid buffer size specified");
                return IMG_EXIT_FAIL;
            }
            break;
        case 'S':
            if (!bench_parse_size(optarg, "step_size", &step)) {
                return IMG_EXIT_FAIL;
            }
            if (step > INT32_MAX) {
                img_error("Invalid step_size specified");
                return IMG_EXIT_FAIL;
            }
            step_set = true;
            break;
        case 't':
            if (!img_parse_cache(optarg, &cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'w': write = true; break;
        case 'U': break;
        case 'I': image_opts = true; break;
        case OPT_PATTERN:
            if (!bench_parse_int(optarg, 0, 255, &pattern)) {
                img_error("Invalid pattern byte specified");
                return IMG_EXIT_FAIL;
            }
            break;
        case OPT_FLUSH_INTERVAL:
            if (!bench_parse_int(optarg, 0, INT32_MAX, &flush_interval)) {
                img_error("Invalid flush interval specified");
                return IMG_EXIT_FAIL;
            }
            break;
        case OPT_NO_DRAIN: break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); return IMG_EXIT_FAIL;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        img_usage_error("Expecting one image file name");
        return IMG_EXIT_FAIL;
    }
    if (flush_interval && !write) {
        img_error("--flush-interval is only available in write tests");
        return IMG_EXIT_FAIL;
    }
    if (flush_interval && flush_interval < depth) {
        img_error("Flush interval can't be smaller than depth");
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    int flags = (write ? BLOCK_O_RDWR : 0) | cache_flags;
    if (image_opts && !img_image_opts_apply(&fmt, &filename, &flags)) {
        return IMG_EXIT_FAIL;
    }
    if (native_aio && !(flags & BLOCK_O_CACHE_DIRECT)) {
        img_error("Could not open '%s': aio=native was specified, but it requires "
                  "cache.direct=on, which was not specified.",
                  filename);
        return IMG_EXIT_FAIL;
    }
    if (fmt && !img_check_format(filename, fmt)) {
        return IMG_EXIT_FAIL;
    }
    char *err = NULL;
    BlockDev *bs = block_open(filename, fmt, flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    if (write) {
        img_warn_probed_raw(bs, fmt);
    }
    if (!step_set) {
        step = size;
    }
    uint64_t image_size = block_get_length(bs);
    /* Aligned, so that cache=none (O_DIRECT) needs no bounce buffer. */
    void *buf = NULL;
    if (posix_memalign(&buf, 4096, size ? size : 1)) {
        img_error("Out of memory");
        block_close(bs);
        return IMG_EXIT_FAIL;
    }
    memset(buf, (int)pattern, size);
    printf("Sending %lld %s requests, %llu bytes each, %lld in parallel (starting at offset "
           "%llu, step size %llu)\n",
           count, write ? "write" : "read", (unsigned long long)size, depth,
           (unsigned long long)offset, (unsigned long long)step);
    if (flush_interval) {
        printf("Sending flush every %lld requests\n", flush_interval);
    }
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ret = 0;
    for (long long i = 0; i < count && ret == 0; i++) {
        if (write) {
            ret = block_write(bs, offset, buf, size, 0, &err);
        } else {
            ret = block_read(bs, offset, buf, size, &err);
        }
        if (ret == 0 && flush_interval && (i + 1) % flush_interval == 0) {
            ret = block_flush(bs, &err);
        }
        offset += step;
        if (image_size) {
            offset %= image_size;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    int code = 0;
    if (ret < 0) {
        img_error("Failed request: %s", err ? err : strerror(-ret));
        free(err);
        code = IMG_EXIT_FAIL;
    } else {
        printf("Run completed in %3.3f seconds.\n",
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    }
    free(buf);
    if (block_close(bs) < 0 && code == 0) {
        img_error("Failed to flush the image");
        code = IMG_EXIT_FAIL;
    }
    return code;
}
