/* mimic-img create, amend, resize and measure: the subcommands that make an
 * image or change its shape, and the -o option handling they share. */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "block/block.h"
#include "tools/img/img.h"

typedef struct ImgOptDesc {
    const char *name;
    const char *type;
    const char *help;
    bool raw;   /* also a raw option */
    bool amend; /* may be changed by amend */
} ImgOptDesc;

static const ImgOptDesc img_opt_descs[] = {
    {"backing_file", "str", "Name of the image this one is an overlay of", false, true},
    {"backing_fmt", "str", "Format of the backing image (raw or qcow2)", false, true},
    {"cluster_size", "size", "Allocation unit of the image, 512 bytes to 2 MiB", false, false},
    {"compat", "str", "qcow2 version: 0.10 (v2) or 1.1 (v3)", false, true},
    {"compression_type", "str", "Algorithm for compressed clusters: zlib or zstd", false, false},
    {"extended_l2", "bool (on/off)", "32 subclusters per cluster", false, false},
    {"lazy_refcounts", "bool (on/off)", "Delay refcount updates until the image is closed", false,
     true},
    {"preallocation", "str", "Allocate space up front: off, metadata, falloc or full", true, false},
    {"refcount_bits", "num", "Bits per reference count: 1, 2, 4, 8, 16, 32 or 64", false, true},
    {"size", "size", "Virtual disk size", true, true},
};

#define IMG_NOPT (sizeof(img_opt_descs) / sizeof(img_opt_descs[0]))

bool img_check_format(const char *filename, const char *fmt)
{
    if (!strcmp(fmt, "raw") || !strcmp(fmt, "qcow2")) {
        return true;
    }
    if (filename) {
        img_error("%s: Unknown file format '%s'", filename, fmt);
    } else {
        img_error("Unknown file format '%s'", fmt);
    }
    return false;
}

void img_create_opts_help(const char *fmt, bool amend)
{
    bool raw = !strcmp(fmt, "raw");
    printf(amend ? "Amend options for '%s':\n" : "Supported %s options:\n", fmt);
    for (size_t i = 0; i < IMG_NOPT; i++) {
        const ImgOptDesc *d = &img_opt_descs[i];
        if ((raw && !d->raw) || (amend && !d->amend)) {
            continue;
        }
        char left[64];
        snprintf(left, sizeof(left), "%s=<%s>", d->name, d->type);
        printf("  %-22s - %s\n", left, d->help);
    }
    if (!amend) {
        printf("\nThe protocol level may support further options.\n"
               "Specify the target filename to include those options.\n");
    }
}

static const ImgOptDesc *img_opt_find(const char *name)
{
    for (size_t i = 0; i < IMG_NOPT; i++) {
        if (!strcmp(img_opt_descs[i].name, name)) {
            return &img_opt_descs[i];
        }
    }
    return NULL;
}

bool img_create_opts_parse(const char *prefix, const char *fmt, const ImgOptList *l,
                           BlockCreateOpts *co, uint64_t *size, bool *size_set)
{
    bool raw = !strcmp(fmt, "raw");
    memset(co, 0, sizeof(*co));
    *size_set = false;
    for (int i = 0; i < l->n; i++) {
        const ImgOptDesc *d = img_opt_find(l->items[i].key);
        if (!d || (raw && !d->raw)) {
            img_error("%sInvalid parameter '%s'", prefix, l->items[i].key);
            return false;
        }
    }
    const char *v;
    if ((v = img_opts_get(l, "size"))) {
        if (img_parse_size(v, size) < 0) {
            img_error("%sParameter 'size' expects a non-negative number below 2^63", prefix);
            return false;
        }
        *size_set = true;
    }
    if ((v = img_opts_get(l, "cluster_size"))) {
        uint64_t cs;
        if (img_parse_size(v, &cs) < 0 || cs > UINT32_MAX) {
            img_error("%sParameter 'cluster_size' expects a size", prefix);
            return false;
        }
        co->cluster_size = cs ? (uint32_t)cs : 1;
    }
    co->compat = img_opts_get(l, "compat");
    co->backing_file = img_opts_get(l, "backing_file");
    co->backing_fmt = img_opts_get(l, "backing_fmt");
    if ((v = img_opts_get(l, "lazy_refcounts")) && !img_parse_bool(v, &co->lazy_refcounts)) {
        img_error("%sParameter 'lazy_refcounts' expects 'on' or 'off'", prefix);
        return false;
    }
    if ((v = img_opts_get(l, "extended_l2")) && !img_parse_bool(v, &co->extended_l2)) {
        img_error("%sParameter 'extended_l2' expects 'on' or 'off'", prefix);
        return false;
    }
    if ((v = img_opts_get(l, "refcount_bits"))) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(v, &end, 10);
        if (!*v || *end || errno || n > 1024) {
            img_error("%sParameter 'refcount_bits' expects a number", prefix);
            return false;
        }
        co->refcount_bits = n ? (uint32_t)n : 1024;
    }
    return true;
}

/* Semantic checks, after the "Formatting" line as qemu-img does them. */
bool img_create_opts_check(const char *prefix, const char *fmt, const ImgOptList *l,
                           const BlockCreateOpts *co)
{
    const char *v;
    if ((v = img_opts_get(l, "preallocation"))) {
        BlockPrealloc p;
        if (block_parse_prealloc(v, &p) < 0) {
            img_error("%sParameter 'preallocation' does not accept value '%s'", prefix, v);
            return false;
        }
        if (!strcmp(fmt, "raw") && p == BLOCK_PREALLOC_METADATA) {
            img_error("%sUnsupported preallocation mode: metadata", prefix);
            return false;
        }
    }
    if (!strcmp(fmt, "raw")) {
        return true;
    }
    uint32_t cs = co->cluster_size ? co->cluster_size : 65536;
    if (cs < 512 || cs > 2 * 1024 * 1024 || (cs & (cs - 1))) {
        img_error("%sCluster size must be a power of two between 512 and 2048k", prefix);
        return false;
    }
    bool v2 = false;
    if (co->compat) {
        if (!strcmp(co->compat, "0.10") || !strcmp(co->compat, "v2")) {
            v2 = true;
        } else if (strcmp(co->compat, "1.1") && strcmp(co->compat, "v3")) {
            img_error("%sParameter 'version' does not accept value '%s'", prefix, co->compat);
            return false;
        }
    }
    if ((v = img_opts_get(l, "compression_type")) && strcmp(v, "zlib") && strcmp(v, "zstd")) {
        img_error("%sParameter 'compression-type' does not accept value '%s'", prefix, v);
        return false;
    }
    uint32_t rb = co->refcount_bits ? co->refcount_bits : 16;
    if (rb > 64 || (rb & (rb - 1))) {
        img_error("%sRefcount width must be a power of two and may not exceed 64 bits", prefix);
        return false;
    }
    if (v2 && co->lazy_refcounts) {
        img_error("%sLazy refcounts only supported with compatibility level 1.1 and above "
                  "(use version=v3 or greater)",
                  prefix);
        return false;
    }
    if (v2 && rb != 16) {
        img_error("%sDifferent refcount widths than 16 bits require compatibility level 1.1 "
                  "or above (use version=v3 or greater)",
                  prefix);
        return false;
    }
    if (v2 && co->extended_l2) {
        img_error("%sExtended L2 entries are only supported with compatibility level 1.1 and "
                  "above (use version=v3 or greater)",
                  prefix);
        return false;
    }
    if (v2 && (v = img_opts_get(l, "compression_type")) && strcmp(v, "zlib")) {
        img_error("%sNon-zlib compression type is only supported with compatibility level "
                  "1.1 and above (use version=v3 or greater)",
                  prefix);
        return false;
    }
    if (co->extended_l2 && cs < 16384) {
        img_error("%sExtended L2 entries are only supported with cluster sizes of at least "
                  "16384 bytes",
                  prefix);
        return false;
    }
    return true;
}

/* Fills co->compression_type and co->preallocation (only after the syntax
 * pass, since their errors come after the "Formatting" line). */
static void img_create_opts_finish(const ImgOptList *l, BlockCreateOpts *co)
{
    const char *v;
    if ((v = img_opts_get(l, "compression_type")) && !strcmp(v, "zstd")) {
        co->compression_type = BLOCK_COMPRESSION_ZSTD;
    }
    if ((v = img_opts_get(l, "preallocation"))) {
        block_parse_prealloc(v, &co->preallocation);
    }
}

static void img_print_formatting(const char *filename, const char *fmt, const ImgOptList *l,
                                 const BlockCreateOpts *co, uint64_t size)
{
    const char *v;
    printf("Formatting '%s', fmt=%s ", filename, fmt);
    if (!strcmp(fmt, "raw")) {
        printf("size=%llu", (unsigned long long)size);
        if ((v = img_opts_get(l, "preallocation"))) {
            printf(" preallocation=%s", v);
        }
        printf("\n");
        return;
    }
    uint64_t cs = 65536;
    if ((v = img_opts_get(l, "cluster_size"))) {
        img_parse_size(v, &cs);
    }
    printf("cluster_size=%llu", (unsigned long long)cs);
    printf(" extended_l2=%s", co->extended_l2 ? "on" : "off");
    if ((v = img_opts_get(l, "preallocation"))) {
        printf(" preallocation=%s", v);
    }
    v = img_opts_get(l, "compression_type");
    printf(" compression_type=%s", v ? v : "zlib");
    printf(" size=%llu", (unsigned long long)size);
    if (co->backing_file) {
        printf(" backing_file=%s", co->backing_file);
    }
    if (co->backing_fmt) {
        printf(" backing_fmt=%s", co->backing_fmt);
    }
    if (co->compat) {
        printf(" compat=%s", co->compat);
    }
    printf(" lazy_refcounts=%s", co->lazy_refcounts ? "on" : "off");
    v = img_opts_get(l, "refcount_bits");
    printf(" refcount_bits=%s\n", v ? v : "16");
}

int img_cmd_create(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {"object", required_argument, NULL, 'O'},
                                             {NULL, 0, NULL, 0}};
    const char *fmt = "raw", *backing = NULL, *backing_fmt = NULL;
    bool quiet = false, unsafe = false;
    ImgOptList opts = {0};
    int ret = IMG_EXIT_FAIL;
    int c;
    while ((c = getopt_long(argc, argv, ":f:o:b:F:uqh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg)) {
                goto out;
            }
            break;
        case 'b': backing = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'u': unsafe = true; break;
        case 'q': quiet = true; break;
        case 'O': img_error("--object is not supported"); goto out;
        default: img_getopt_fail(c, argv); goto out;
        }
    }
    if (opts.help) {
        if (!img_check_format(NULL, fmt)) {
            goto out;
        }
        img_create_opts_help(fmt, false);
        ret = 0;
        goto out;
    }
    if (optind >= argc) {
        img_usage_error("Expecting image file name");
        goto out;
    }
    const char *filename = argv[optind++];
    const char *size_arg = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        img_usage_error("Unexpected argument: %s", argv[optind]);
        goto out;
    }
    uint64_t size = 0;
    bool size_set = false;
    if (size_arg) {
        int r = img_parse_size(size_arg, &size);
        if (r == -ERANGE) {
            img_error("Invalid image size specified. Must be between 0 and %lld.",
                      (long long)INT64_MAX);
            goto out;
        } else if (r < 0) {
            img_error("Invalid image size specified. You may use k, M, G, T, P or E suffixes "
                      "for kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
            goto out;
        }
        size_set = true;
    }
    if (!img_check_format(filename, fmt)) {
        goto out;
    }
    char prefix[PATH_MAX + 8];
    snprintf(prefix, sizeof(prefix), "%s: ", filename);
    BlockCreateOpts co;
    uint64_t osize;
    bool osize_set;
    if (!img_create_opts_parse(prefix, fmt, &opts, &co, &osize, &osize_set)) {
        goto out;
    }
    if (size_set && osize_set) {
        img_error("%s: The image size must be specified only once", filename);
        goto out;
    }
    if (osize_set) {
        size = osize;
        size_set = true;
    }
    /* -b/-F win over -o backing_file/backing_fmt. */
    if (backing) {
        co.backing_file = backing;
    }
    if (backing_fmt) {
        co.backing_fmt = backing_fmt;
    }
    if (co.backing_file && !strcmp(fmt, "raw")) {
        img_error("%s: Backing file not supported for file format 'raw'", filename);
        goto out;
    }
    if (co.backing_fmt && !img_check_format(filename, co.backing_fmt)) {
        goto out;
    }
    if (co.backing_file && !unsafe) {
        /* Open the backing file as qemu-img does: it must exist, and its size
         * is the default size of the overlay. */
        char *path = img_backing_path(filename, co.backing_file);
        char *err = NULL;
        BlockDev *b = block_open(path, co.backing_fmt, 0, &err);
        if (!b) {
            img_error("%s: %s", filename, err ? err : "Could not open backing file");
            fprintf(stderr, "Could not open backing image.\n");
            free(err);
            free(path);
            goto out;
        }
        if (!co.backing_fmt) {
            img_error("%s: Backing file specified without backing format", filename);
            fprintf(stderr, "Detected format of %s.\n", block_get_format(b));
            block_close(b);
            free(path);
            goto out;
        }
        if (!size_set) {
            size = block_get_length(b);
            size_set = true;
        }
        block_close(b);
        free(path);
    }
    if (!size_set) {
        img_error("%s: Image creation needs a size parameter", filename);
        goto out;
    }
    if (size > INT64_MAX) {
        img_error("%s: Image size too large", filename);
        goto out;
    }
    if (!quiet) {
        img_print_formatting(filename, fmt, &opts, &co, size);
        fflush(stdout);
    }
    if (co.backing_fmt && !co.backing_file) {
        img_error("%s: Backing format cannot be used without backing file", filename);
        goto out;
    }
    if (!img_create_opts_check(prefix, fmt, &opts, &co)) {
        goto out;
    }
    img_create_opts_finish(&opts, &co);
    char *err = NULL;
    if (block_create(filename, fmt, size, &co, &err) < 0) {
        /* Every create error names the image first, as qemu-img's do. */
        if (err && strncmp(err, filename, strlen(filename))) {
            img_error("%s: %s", filename, err);
            free(err);
        } else {
            img_error_free(err, "Could not create image");
        }
        goto out;
    }
    ret = 0;
out:
    img_opts_clear(&opts);
    return ret;
}

int img_cmd_amend(int argc, char **argv)
{
    static const struct option longopts[] = {{"force", no_argument, NULL, 'X'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL;
    int cache_flags = 0;
    bool quiet = false, progress = false;
    ImgOptList opts = {0};
    bool have_opts = false;
    int ret = IMG_EXIT_FAIL;
    int c;
    BlockDev *bs = NULL;
    char *cur_backing = NULL, *cur_backing_fmt = NULL;
    while ((c = getopt_long(argc, argv, ":o:f:t:pq", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            have_opts = true;
            if (!img_opts_parse(&opts, optarg)) {
                goto out;
            }
            break;
        case 'f': fmt = optarg; break;
        case 't':
            if (!img_parse_cache(optarg, &cache_flags)) {
                goto out;
            }
            break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'X': break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); goto out;
        default: img_getopt_fail(c, argv); goto out;
        }
    }
    if (!have_opts) {
        img_usage_error("Must specify options (-o)");
        goto out;
    }
    if (optind != argc - 1) {
        img_usage_error("Expecting one image file name");
        goto out;
    }
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &cache_flags)) {
        goto out;
    }
    const char *filename = argv[optind];
    if (opts.help && fmt) {
        if (!img_check_format(NULL, fmt)) {
            goto out;
        }
        img_create_opts_help(fmt, true);
        ret = 0;
        goto out;
    }
    char *err = NULL;
    bs = block_open(filename, fmt, BLOCK_O_RDWR | BLOCK_O_NO_BACKING | cache_flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        goto out;
    }
    const char *real_fmt = block_get_format(bs);
    img_warn_probed_raw(bs, fmt);
    if (opts.help) {
        img_create_opts_help(real_fmt, true);
        ret = 0;
        goto out;
    }
    if (strcmp(real_fmt, "qcow2")) {
        img_error("Format driver '%s' does not support option amendment", real_fmt);
        goto out;
    }
    BlockAmendOpts ao = {.lazy_refcounts = -1};
    BlockInfo info;
    if (block_get_info(bs, &info, &err) < 0) {
        img_error_free(err, "Could not read image information");
        goto out;
    }
    uint32_t cur_refcount_bits = info.refcount_bits;
    bool cur_v2 = !strcmp(info.compat, "0.10");
    bool cur_lazy = info.lazy_refcounts;
    cur_backing = info.backing_file ? strdup(info.backing_file) : NULL;
    cur_backing_fmt = info.backing_fmt ? strdup(info.backing_fmt) : NULL;
    block_info_clear(&info);
    for (int i = 0; i < opts.n; i++) {
        const char *k = opts.items[i].key, *v = opts.items[i].value;
        const ImgOptDesc *d = img_opt_find(k);
        if (!d) {
            img_error("Invalid parameter '%s'", k);
            goto out;
        }
        if (!d->amend) {
            img_error("Invalid parameter '%s'", k);
            fprintf(stderr, "This option is only supported for image creation\n");
            goto out;
        }
        if (!strcmp(k, "compat")) {
            if (!strcmp(v, "0.10") || !strcmp(v, "v2")) {
                ao.compat = "0.10";
            } else if (!strcmp(v, "1.1") || !strcmp(v, "v3")) {
                ao.compat = "1.1";
            } else {
                img_error("Unknown compatibility level %s", v);
                goto out;
            }
        } else if (!strcmp(k, "lazy_refcounts")) {
            bool b;
            if (!img_parse_bool(v, &b)) {
                img_error("Parameter 'lazy_refcounts' expects 'on' or 'off'");
                goto out;
            }
            ao.lazy_refcounts = b;
        } else if (!strcmp(k, "backing_file")) {
            ao.backing_file = v;
        } else if (!strcmp(k, "backing_fmt")) {
            ao.backing_fmt = v;
        } else if (!strcmp(k, "size")) {
            if (img_parse_size(v, &ao.size) < 0) {
                img_error("Parameter 'size' expects a non-negative number below 2^63");
                goto out;
            }
        } else if (!strcmp(k, "refcount_bits")) {
            char *end;
            unsigned long n = strtoul(v, &end, 10);
            if (!*v || *end || n > 64 || n == 0 || (n & (n - 1))) {
                img_error("Refcount width must be a power of two and may not exceed 64 bits");
                goto out;
            }
            bool to_v2 = ao.compat ? !strcmp(ao.compat, "0.10") : cur_v2;
            if (to_v2 && n != 16) {
                img_error("Refcount widths other than 16 bits require compatibility level 1.1 "
                          "or above (use compat=1.1 or greater)");
                goto out;
            }
            if (n != cur_refcount_bits) {
                ao.refcount_bits = (uint32_t)n;
            }
        }
    }
    /* The backing file is rebase's business: amend only accepts the values
     * the image already has. */
    if ((ao.backing_file && (!cur_backing || strcmp(ao.backing_file, cur_backing))) ||
        (ao.backing_fmt && (!cur_backing_fmt || strcmp(ao.backing_fmt, cur_backing_fmt)))) {
        img_error("Cannot amend the backing file");
        fprintf(stderr, "You can use '%s rebase' instead.\n", IMG_PROG);
        goto out;
    }
    ao.backing_file = NULL;
    ao.backing_fmt = NULL;
    bool to_v2 = ao.compat ? !strcmp(ao.compat, "0.10") : cur_v2;
    if (to_v2 && ao.lazy_refcounts == 1) {
        img_error("Lazy refcounts only supported with compatibility level 1.1 and above (use "
                  "compat=1.1 or greater)");
        goto out;
    }
    if (to_v2 && !cur_v2 && cur_lazy) {
        /* A downgrade turns lazy refcounts off first, as qemu-img does; done
         * as a step of its own so the v2 header never carries the bit. */
        BlockAmendOpts off = {.lazy_refcounts = 0};
        if (block_amend(bs, &off, &err) < 0) {
            img_error_free(err, "Error while amending options");
            goto out;
        }
        ao.lazy_refcounts = -1;
    }
    if (to_v2 && cur_refcount_bits != 16) {
        img_error("compat=0.10 requires refcount_bits=16");
        goto out;
    }
    /* block_amend only grows; a smaller size= shrinks, as in qemu-img. */
    if (ao.size && ao.size < block_get_length(bs)) {
        if (block_truncate(bs, ao.size, true, BLOCK_PREALLOC_OFF, &err) < 0) {
            img_error_free(err, "Could not shrink the image");
            goto out;
        }
        ao.size = 0;
    }
    ImgProgress prog;
    img_progress_start(&prog, progress && !quiet);
    if (block_amend(bs, &ao, &err) < 0) {
        img_error_free(err, "Error while amending options");
        goto out;
    }
    img_progress_end(&prog);
    ret = 0;
out:
    if (block_close(bs) < 0 && ret == 0) {
        img_error("Failed to flush the image");
        ret = IMG_EXIT_FAIL;
    }
    free(cur_backing);
    free(cur_backing_fmt);
    img_opts_clear(&opts);
    return ret;
}

int img_cmd_resize(int argc, char **argv)
{
    static const struct option longopts[] = {{"shrink", no_argument, NULL, 'S'},
                                             {"preallocation", required_argument, NULL, 'P'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL;
    bool quiet = false, shrink = false;
    BlockPrealloc prealloc = BLOCK_PREALLOC_OFF;
    /* A size like "-2M" would look like an option: take the last argument
     * out before getopt sees it. */
    char *size_arg = NULL;
    if (argc >= 3 && argv[argc - 1][0] == '-' && argv[argc - 1][1] >= '0' &&
        argv[argc - 1][1] <= '9') {
        size_arg = argv[argc - 1];
        argc--;
    }
    int c;
    while ((c = getopt_long(argc, argv, ":f:qU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'S': shrink = true; break;
        case 'P':
            if (block_parse_prealloc(optarg, &prealloc) < 0) {
                img_error("Invalid preallocation mode '%s'", optarg);
                return IMG_EXIT_FAIL;
            }
            break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); return IMG_EXIT_FAIL;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    if (!size_arg) {
        if (optind + 2 != argc) {
            img_usage_error(optind + 2 > argc ? "Not enough arguments"
                                              : "Expecting image file name and size");
            return IMG_EXIT_FAIL;
        }
        size_arg = argv[argc - 1];
    } else if (optind + 1 != argc) {
        img_usage_error("Expecting image file name and size");
        return IMG_EXIT_FAIL;
    }
    int opts_flags = 0;
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &opts_flags)) {
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    int sign = 0;
    const char *p = size_arg;
    if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        p++;
    }
    uint64_t n;
    if (img_parse_size(p, &n) < 0) {
        img_error("Parameter 'size' expects a non-negative number below 2^64");
        return IMG_EXIT_FAIL;
    }
    char *err = NULL;
    BlockDev *bs = block_open(filename, fmt, BLOCK_O_RDWR | BLOCK_O_NO_BACKING | opts_flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    img_warn_probed_raw(bs, fmt);
    int ret = IMG_EXIT_FAIL;
    uint64_t cur = block_get_length(bs);
    int64_t target;
    if (sign > 0) {
        target = (int64_t)(cur + n);
    } else if (sign < 0) {
        target = (int64_t)cur - (int64_t)n;
    } else {
        target = (int64_t)n;
    }
    if (target <= 0 && sign < 0) {
        img_error("New image size must be positive");
        goto out;
    }
    if ((uint64_t)target < cur) {
        if (prealloc != BLOCK_PREALLOC_OFF) {
            img_error("Preallocation can only be used for growing images");
            goto out;
        }
        if (!shrink) {
            img_error("Use the --shrink option to perform a shrink operation.");
            fprintf(stderr,
                    "%s: warning: Shrinking an image will delete all data beyond the "
                    "shrunken image's end. Before performing such an operation, make sure "
                    "there is no important data there.\n",
                    IMG_PROG);
            goto out;
        }
    }
    if (block_truncate(bs, (uint64_t)target, shrink, prealloc, &err) < 0) {
        img_error_free(err, "Failed to resize the image");
        goto out;
    }
    if (!quiet) {
        printf("Image resized.\n");
    }
    ret = 0;
out:
    if (block_close(bs) < 0 && ret == 0) {
        img_error("Failed to flush the image");
        ret = IMG_EXIT_FAIL;
    }
    return ret;
}

/* ---- measure ---- */

static uint64_t div_round_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* Clusters of refcount metadata (blocks plus table) needed to count
 * `clusters` clusters and themselves: the smallest fixed point. */
static uint64_t measure_refcount_clusters(uint64_t clusters, uint64_t cs, uint32_t refcount_bits)
{
    uint64_t per_block = cs * 8 / refcount_bits;
    uint64_t meta = 0;
    for (;;) {
        uint64_t blocks = div_round_up(clusters + meta, per_block);
        uint64_t table = div_round_up(blocks * 8, cs);
        if (blocks + table <= meta) {
            return meta;
        }
        meta = blocks + table;
    }
}

/* File size of a qcow2 image of `size` bytes holding data_clusters data
 * clusters (all of them when data_clusters is UINT64_MAX). */
static uint64_t measure_qcow2(uint64_t size, const BlockCreateOpts *co, uint64_t data_clusters)
{
    uint64_t cs = co->cluster_size ? co->cluster_size : 65536;
    uint32_t rb = co->refcount_bits ? co->refcount_bits : 16;
    uint64_t vclusters = div_round_up(size, cs);
    uint64_t l2_entry = co->extended_l2 ? 16 : 8;
    uint64_t l2_clusters = div_round_up(vclusters * l2_entry, cs);
    uint64_t l1_clusters = div_round_up(l2_clusters * 8, cs);
    uint64_t data = data_clusters == UINT64_MAX ? vclusters : data_clusters;
    /* Refcounts are sized for the fully allocated image, as qemu-img does. */
    uint64_t all = 1 + l1_clusters + l2_clusters + vclusters;
    uint64_t rc = measure_refcount_clusters(all, cs, rb);
    return (1 + l1_clusters + l2_clusters + rc + data) * cs;
}

int img_cmd_measure(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'T'},
                                             {"size", required_argument, NULL, 'Z'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL, *out_fmt = "raw", *snapshot_param = NULL;
    ImgOutput output = IMG_OUTPUT_HUMAN;
    ImgOptList opts = {0};
    uint64_t size = 0;
    bool size_set = false;
    int ret = IMG_EXIT_FAIL;
    BlockDev *bs = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:o:l:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg)) {
                goto out;
            }
            break;
        case 'l': snapshot_param = optarg; break;
        case 'U': break;
        case 'T':
            if (!img_parse_output(optarg, &output)) {
                goto out;
            }
            break;
        case 'Z':
            if (img_parse_size(optarg, &size) < 0) {
                img_error("Invalid size specified. You may use k, M, G, T, P or E suffixes for "
                          "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
                goto out;
            }
            size_set = true;
            break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); goto out;
        default: img_getopt_fail(c, argv); goto out;
        }
    }
    if (!img_check_format(NULL, out_fmt)) {
        goto out;
    }
    if (opts.help) {
        img_create_opts_help(out_fmt, false);
        ret = 0;
        goto out;
    }
    if (optind < argc - 1) {
        img_usage_error("At most one filename argument is allowed.");
        goto out;
    }
    if (image_opts && optind >= argc) {
        img_error("--image-opts, -f, and -l require a filename argument.");
        goto out;
    }
    int opts_flags = 0;
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &opts_flags)) {
        goto out;
    }
    const char *filename = optind < argc ? argv[optind] : NULL;
    if (!filename && (fmt || snapshot_param)) {
        img_error("--image-opts, -f, and -l require a filename argument.");
        goto out;
    }
    if (size_set && filename) {
        img_error("--size N cannot be used together with a filename.");
        goto out;
    }
    if (!size_set && !filename) {
        img_error("Either --size N or one filename must be specified.");
        goto out;
    }
    BlockCreateOpts co;
    uint64_t osize;
    bool osize_set;
    for (int i = 0; i < opts.n; i++) {
        const ImgOptDesc *d = img_opt_find(opts.items[i].key);
        if (!d || (!strcmp(out_fmt, "raw") && !d->raw)) {
            img_error("Invalid parameter '%s'", opts.items[i].key);
            img_error("Invalid options for file format '%s'", out_fmt);
            goto out;
        }
    }
    if (!img_create_opts_parse("", out_fmt, &opts, &co, &osize, &osize_set) ||
        !img_create_opts_check("", out_fmt, &opts, &co)) {
        goto out;
    }
    img_create_opts_finish(&opts, &co);
    uint64_t data_clusters = 0, bitmaps_size = 0;
    bool source_qcow2 = false;
    if (filename) {
        char *err = NULL;
        bs = block_open(filename, fmt, 0, &err);
        if (!bs) {
            img_error_free(err, "Could not open image");
            goto out;
        }
        if (snapshot_param) {
            BlockDev *snap = img_open_snapshot(bs, filename, snapshot_param, 0);
            block_close(bs);
            bs = snap;
            if (!bs) {
                goto out;
            }
        }
        /* Persistent bitmaps need a v3 image: only then is there a line
         * for them. */
        BlockInfo info;
        if (!strcmp(block_get_format(bs), "qcow2") && block_get_info(bs, &info, NULL) == 0) {
            source_qcow2 = strcmp(info.compat, "0.10") != 0;
            /* What copying them (convert --bitmaps) takes in the output:
             * each bitmap's data and table clusters, and the directory. */
            uint64_t ocs = co.cluster_size ? co.cluster_size : 65536, dir = 0;
            for (int i = 0; i < info.nb_bitmaps; i++) {
                const BlockBitmapInfo *b = &info.bitmaps[i];
                uint64_t bytes = div_round_up(div_round_up(info.virtual_size, b->granularity), 8);
                uint64_t data = div_round_up(bytes, ocs);
                bitmaps_size += (data + div_round_up(data * 8, ocs)) * ocs;
                dir += (24 + strlen(b->name) + 7) & ~7ULL;
            }
            bitmaps_size += div_round_up(dir, ocs) * ocs;
            block_info_clear(&info);
        }
        size = block_get_length(bs);
        uint64_t cs = co.cluster_size ? co.cluster_size : 65536;
        uint64_t last = UINT64_MAX; /* last cluster counted */
        for (uint64_t off = 0; off < size;) {
            BlockStatus st;
            if (img_get_status(bs, off, size - off, true, &st, &err) < 0) {
                img_error_free(err, "Could not read the allocation status");
                goto out;
            }
            if ((st.flags & BLOCK_STATUS_DATA) && !(st.flags & BLOCK_STATUS_ZERO)) {
                uint64_t first = off / cs, end = div_round_up(off + st.length, cs);
                if (first == last) {
                    first++;
                }
                if (end > first) {
                    data_clusters += end - first;
                }
                last = end - 1;
            }
            off += st.length;
        }
    } else if (osize_set) {
        size = osize;
    }
    uint64_t required, full;
    if (!strcmp(out_fmt, "raw")) {
        required = full = size;
    } else {
        full = measure_qcow2(size, &co, UINT64_MAX);
        required =
            co.preallocation != BLOCK_PREALLOC_OFF ? full : measure_qcow2(size, &co, data_clusters);
    }
    bool bitmaps = source_qcow2 && !strcmp(out_fmt, "qcow2");
    if (output == IMG_OUTPUT_JSON) {
        JsonWriter w;
        json_init(&w, stdout);
        json_begin_object(&w, NULL);
        if (bitmaps) {
            json_uint(&w, "bitmaps", bitmaps_size);
        }
        json_uint(&w, "required", required);
        json_uint(&w, "fully-allocated", full);
        json_end_object(&w);
        json_finish(&w);
    } else {
        printf("required size: %llu\n", (unsigned long long)required);
        printf("fully allocated size: %llu\n", (unsigned long long)full);
        if (bitmaps) {
            printf("bitmaps size: %llu\n", (unsigned long long)bitmaps_size);
        }
    }
    ret = 0;
out:
    block_close(bs);
    img_opts_clear(&opts);
    return ret;
}
