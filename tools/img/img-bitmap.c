/* mimic-img bitmap: adds, removes, clears, enables, disables and merges the
 * persistent dirty bitmaps of a qcow2 image, actions applied in the order
 * given, as qemu-img bitmap does. The work is in block/qcow2-bitmap.c. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tools/img/img.h"

typedef enum ImgBitmapAct {
    IMG_BITMAP_ADD,
    IMG_BITMAP_REMOVE,
    IMG_BITMAP_CLEAR,
    IMG_BITMAP_ENABLE,
    IMG_BITMAP_DISABLE,
    IMG_BITMAP_MERGE,
} ImgBitmapAct;

static const char *const img_bitmap_act_names[] = {"add",    "remove",  "clear",
                                                   "enable", "disable", "merge"};

typedef struct ImgBitmapStep {
    ImgBitmapAct act;
    const char *src; /* --merge SOURCE */
} ImgBitmapStep;

/* Merges bitmap src_name of src (this image when src is bs) into name. */
static int img_bitmap_merge(BlockDev *bs, BlockDev *src, const char *src_name, const char *name,
                            char **err)
{
    uint8_t *bits;
    uint64_t gran, size;
    int ret = block_bitmap_get(src, src_name, &bits, &gran, &size, err);
    if (ret < 0) {
        return ret;
    }
    ret = block_bitmap_merge(bs, name, bits, gran, size, err);
    free(bits);
    return ret;
}

int img_cmd_bitmap(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"add", no_argument, NULL, 'A'},
        {"remove", no_argument, NULL, 'R'},
        {"clear", no_argument, NULL, 'C'},
        {"enable", no_argument, NULL, 'E'},
        {"disable", no_argument, NULL, 'D'},
        {"merge", required_argument, NULL, 'M'},
        {"granularity", required_argument, NULL, 'g'},
        {"source-file", required_argument, NULL, 'b'},
        {"source-format", required_argument, NULL, 'F'},
        {"object", required_argument, NULL, 'J'},
        {"image-opts", no_argument, NULL, 'I'},
        {NULL, 0, NULL, 0},
    };
    const char *fmt = NULL, *src_file = NULL, *src_fmt = NULL;
    uint64_t granularity = 0;
    bool image_opts = false, want_add = false, want_merge = false;
    ImgBitmapStep *steps = NULL;
    int nsteps = 0, code = IMG_EXIT_FAIL;
    BlockDev *bs = NULL, *src = NULL;
    char *err = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":b:f:F:g:", longopts, NULL)) != -1) {
        ImgBitmapAct act;
        switch (c) {
        case 'b': src_file = optarg; continue;
        case 'f': fmt = optarg; continue;
        case 'F': src_fmt = optarg; continue;
        case 'g':
            if (img_parse_size(optarg, &granularity) < 0 || granularity == 0) {
                img_error("Invalid granularity specified. You may use k, M, G, T, P or E "
                          "suffixes for");
                img_error("kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
                goto out;
            }
            continue;
        case 'I': image_opts = true; continue;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); goto out;
        case 'A': act = IMG_BITMAP_ADD; break;
        case 'R': act = IMG_BITMAP_REMOVE; break;
        case 'C': act = IMG_BITMAP_CLEAR; break;
        case 'E': act = IMG_BITMAP_ENABLE; break;
        case 'D': act = IMG_BITMAP_DISABLE; break;
        case 'M': act = IMG_BITMAP_MERGE; break;
        default: img_getopt_fail(c, argv); goto out;
        }
        ImgBitmapStep *n = realloc(steps, sizeof(*steps) * (size_t)(nsteps + 1));
        if (!n) {
            img_error("Out of memory");
            goto out;
        }
        steps = n;
        steps[nsteps].act = act;
        steps[nsteps].src = act == IMG_BITMAP_MERGE ? optarg : NULL;
        nsteps++;
        want_add |= act == IMG_BITMAP_ADD;
        want_merge |= act == IMG_BITMAP_MERGE;
    }
    if (nsteps == 0) {
        img_error("Need at least one of --add, --remove, --clear, --enable, --disable, or --merge");
        goto out;
    }
    if (granularity && !want_add) {
        img_error("granularity only supported with --add");
        goto out;
    }
    if (src_fmt && !src_file) {
        img_error("-F only supported with -b");
        goto out;
    }
    if (src_file && !want_merge) {
        img_error("Merge bitmap source file only supported with --merge");
        goto out;
    }
    if (optind != argc - 2) {
        img_error("Expecting filename and bitmap name");
        goto out;
    }
    const char *filename = argv[optind];
    const char *name = argv[optind + 1];
    int flags = BLOCK_O_RDWR | BLOCK_O_NO_BACKING;
    if (image_opts && !img_image_opts_apply(&fmt, &filename, &flags)) {
        goto out;
    }
    if (fmt && !img_check_format(filename, fmt)) {
        goto out;
    }
    bs = block_open(filename, fmt, flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        goto out;
    }
    img_warn_probed_raw(bs, fmt);
    if (src_file) {
        if (src_fmt && !img_check_format(src_file, src_fmt)) {
            goto out;
        }
        src = block_open(src_file, src_fmt, BLOCK_O_NO_BACKING, &err);
        if (!src) {
            img_error_free(err, "Could not open the source image");
            goto out;
        }
    }
    for (int i = 0; i < nsteps; i++) {
        int ret;
        err = NULL;
        switch (steps[i].act) {
        case IMG_BITMAP_ADD: ret = block_bitmap_add(bs, name, granularity, true, &err); break;
        case IMG_BITMAP_REMOVE: ret = block_bitmap_remove(bs, name, &err); break;
        case IMG_BITMAP_CLEAR: ret = block_bitmap_clear(bs, name, &err); break;
        case IMG_BITMAP_ENABLE: ret = block_bitmap_set_enabled(bs, name, true, &err); break;
        case IMG_BITMAP_DISABLE: ret = block_bitmap_set_enabled(bs, name, false, &err); break;
        default: ret = img_bitmap_merge(bs, src ? src : bs, steps[i].src, name, &err); break;
        }
        if (ret < 0) {
            img_error("Operation %s on bitmap %s failed: %s", img_bitmap_act_names[steps[i].act],
                      name, err ? err : strerror(-ret));
            free(err);
            goto out;
        }
    }
    code = 0;
out:
    block_close(src);
    if (bs && block_close(bs) < 0 && code == 0) {
        img_error("Failed to flush the image");
        code = IMG_EXIT_FAIL;
    }
    free(steps);
    return code;
}
