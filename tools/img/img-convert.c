/* mimic-img convert, compare, commit, rebase and dd: the subcommands that
 * move guest data between images, built on block_read/block_write and the
 * allocation status of the block layer. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "block/block.h"
#include "tools/img/img.h"

/* Bytes handled per step: a multiple of every qcow2 cluster size. */
#define IMG_CHUNK            (2u * 1024 * 1024)
#define IMG_CHUNK_COMPRESSED (32u * 1024 * 1024)

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Reads len bytes at off from bs, returning zeroes beyond its end. */
static int read_padded(BlockDev *bs, uint64_t off, void *buf, uint64_t len, char **errp)
{
    uint64_t size = bs ? block_get_length(bs) : 0;
    if (off >= size) {
        memset(buf, 0, len);
        return 0;
    }
    uint64_t n = min_u64(len, size - off);
    if (n < len) {
        memset((char *)buf + n, 0, len - n);
    }
    return block_read(bs, off, buf, n, errp);
}

/* Whether [off, off+len) of bs reads as zeroes without reading it. */
static bool range_known_zero(BlockDev *bs, uint64_t off, uint64_t len)
{
    BlockStatus st;
    if (img_get_status(bs, off, len, true, &st, NULL) < 0) {
        return false;
    }
    return st.length >= len && (st.flags & BLOCK_STATUS_ZERO) && !(st.flags & BLOCK_STATUS_DATA);
}

/* ---- convert ---- */

typedef struct ConvertSource {
    BlockDev *bs;
    uint64_t start, len; /* position in the concatenated input */
} ConvertSource;

typedef struct Convert {
    ConvertSource *src;
    int nsrc;
    uint64_t total;
    BlockDev *target;
    BlockDev *backing; /* -B image, to leave unchanged clusters out */
    bool compress;
    bool fresh;      /* target was created here and reads as zeroes */
    uint64_t sparse; /* -S granule, 0 = write everything */
    uint32_t cluster;
} Convert;

/* Reads [off, off+len) of the concatenated sources. */
static int convert_read(Convert *c, uint64_t off, uint8_t *buf, uint64_t len, bool *zero,
                        char **errp)
{
    *zero = true;
    for (int i = 0; i < c->nsrc && len; i++) {
        ConvertSource *s = &c->src[i];
        if (off >= s->start + s->len) {
            continue;
        }
        uint64_t rel = off - s->start;
        uint64_t n = min_u64(len, s->len - rel);
        if (!range_known_zero(s->bs, rel, n)) {
            *zero = false;
            int r = block_read(s->bs, rel, buf, n, errp);
            if (r < 0) {
                return r;
            }
        } else {
            memset(buf, 0, n);
        }
        buf += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* Length of the run of zeroes at off in the concatenated input that the
 * block status already knows about (0 if none), within one source. */
static uint64_t convert_zero_run(Convert *c, uint64_t off)
{
    for (int i = 0; i < c->nsrc; i++) {
        ConvertSource *s = &c->src[i];
        if (off >= s->start + s->len) {
            continue;
        }
        uint64_t rel = off - s->start;
        BlockStatus st;
        if (img_get_status(s->bs, rel, s->len - rel, true, &st, NULL) < 0 ||
            !(st.flags & BLOCK_STATUS_ZERO) || (st.flags & BLOCK_STATUS_DATA)) {
            return 0;
        }
        return min_u64(st.length, s->len - rel);
    }
    return 0;
}

/* Whether a granule needs writing: not zero on a zero target, and not what
 * the -B backing file already provides. */
static bool convert_needed(Convert *c, const uint8_t *data, const uint8_t *back, uint64_t n)
{
    if (c->sparse == 0) {
        return true;
    }
    if (back) {
        return memcmp(data, back, n) != 0;
    }
    return !img_is_zero(data, n);
}

/* Writes what [off, off+len) of the input (in buf, the -B backing file's
 * bytes in back) needs on the target, granule by granule, merging neighbours
 * that get the same treatment into one request. */
static int convert_write_range(Convert *c, uint64_t off, const uint8_t *buf, const uint8_t *back,
                               uint64_t len, uint64_t gran, char **errp)
{
    int r = 0;
    uint64_t pos = 0;
    while (pos < len && r >= 0) {
        uint64_t n = min_u64(gran, len - pos);
        bool need = convert_needed(c, buf + pos, back ? back + pos : NULL, n);
        uint64_t end = pos + n;
        while (end < len) {
            uint64_t m = min_u64(gran, len - end);
            if (convert_needed(c, buf + end, back ? back + end : NULL, m) != need) {
                break;
            }
            end += m;
        }
        if (need) {
            r = block_write(c->target, off + pos, buf + pos, end - pos,
                            c->compress ? BLOCK_WRITE_COMPRESSED : 0, errp);
        } else if (!c->fresh && !back) {
            /* -n: the existing target may hold data there. */
            r = block_write_zeroes(c->target, off + pos, end - pos, 0, errp);
        }
        pos = end;
    }
    return r;
}

/* Length of the extent at off in the concatenated input (within one source,
 * at most max) and whether it is known to read as zeroes. */
static uint64_t convert_extent(Convert *c, uint64_t off, uint64_t max, bool *zero)
{
    *zero = false;
    for (int i = 0; i < c->nsrc; i++) {
        ConvertSource *s = &c->src[i];
        if (off >= s->start + s->len) {
            continue;
        }
        uint64_t rel = off - s->start;
        max = min_u64(max, s->len - rel);
        BlockStatus st;
        if (img_get_status(s->bs, rel, max, true, &st, NULL) < 0) {
            return max;
        }
        *zero = (st.flags & BLOCK_STATUS_ZERO) && !(st.flags & BLOCK_STATUS_DATA);
        return min_u64(st.length, max);
    }
    return max;
}

/* A fresh target without -B: extent by extent, so that zero extents cost
 * neither a read, nor a memset, nor a scan for zeroes. */
static int convert_chunk_extents(Convert *c, uint64_t off, uint8_t *buf, uint64_t len,
                                 uint64_t gran, char **errp)
{
    uint64_t pos = 0;
    while (pos < len) {
        bool zero;
        uint64_t n = convert_extent(c, off + pos, len - pos, &zero);
        if (!zero) {
            bool z;
            int r = convert_read(c, off + pos, buf + pos, n, &z, errp);
            if (r == 0 && !z) {
                r = convert_write_range(c, off + pos, buf + pos, NULL, n, gran, errp);
            }
            if (r < 0) {
                return r;
            }
        }
        pos += n;
    }
    return 0;
}

static int convert_run(Convert *c, ImgProgress *prog, char **errp)
{
    /* Compression works in bigger steps: each is one batch for the block
     * layer's compression threads, and each batch ends waiting for them. */
    uint64_t chunk = c->compress ? IMG_CHUNK_COMPRESSED : IMG_CHUNK;
    uint8_t *buf = malloc(chunk), *back = c->backing ? malloc(chunk) : NULL;
    uint64_t gran = c->compress ? c->cluster : (c->sparse ? c->sparse : chunk);
    int r = 0;
    for (uint64_t off = 0; off < c->total;) {
        if (c->fresh && !back && c->sparse) {
            /* Whole chunks of a long zero run are skipped in one step, so
             * that a mostly empty terabyte image converts in no time. */
            uint64_t z = convert_zero_run(c, off);
            z -= z % chunk;
            if (z) {
                off += z;
                img_progress_update(prog, off * 100.0 / c->total);
                continue;
            }
        }
        uint64_t len = min_u64(chunk, c->total - off);
        if (c->fresh && !back && c->sparse && !c->compress) {
            r = convert_chunk_extents(c, off, buf, len, gran, errp);
            if (r < 0) {
                break;
            }
            off += len;
            img_progress_update(prog, off * 100.0 / c->total);
            continue;
        }
        bool zero;
        r = convert_read(c, off, buf, len, &zero, errp);
        if (r < 0) {
            break;
        }
        if (back) {
            r = read_padded(c->backing, off, back, len, errp);
            if (r < 0) {
                break;
            }
        }
        if (zero && c->fresh && !back && c->sparse) {
            off += len;
            img_progress_update(prog, off * 100.0 / c->total);
            continue;
        }
        if (c->compress && c->fresh && !back && c->sparse) {
            /* One request for the chunk: the block layer leaves the zero
             * clusters out and compresses the others on several threads. */
            r = block_write(c->target, off, buf, len,
                            BLOCK_WRITE_COMPRESSED | BLOCK_WRITE_SKIP_ZERO, errp);
            if (r < 0) {
                break;
            }
            off += len;
            img_progress_update(prog, off * 100.0 / c->total);
            continue;
        }
        r = convert_write_range(c, off, buf, back, len, gran, errp);
        if (r < 0) {
            break;
        }
        off += len;
        img_progress_update(prog, off * 100.0 / c->total);
    }
    free(buf);
    free(back);
    return r;
}

/* Finds the snapshot a -l parameter names ("snapshot.id=ID,snapshot.name=NAME"
 * or "ID_OR_NAME", id first) and returns its id, malloc'd; NULL after an
 * error message. */
static char *convert_find_snapshot(BlockDev *bs, const char *param)
{
    const char *want_id = NULL, *want_name = NULL;
    ImgOptList l = {0};
    char *found = NULL;
    if (!strncmp(param, "snapshot.", 9)) {
        if (!img_opts_parse(&l, param)) {
            img_error("Failed in parsing snapshot param '%s'", param);
            return NULL;
        }
        for (int i = 0; i < l.n; i++) {
            if (strcmp(l.items[i].key, "snapshot.id") && strcmp(l.items[i].key, "snapshot.name")) {
                img_error("Invalid parameter '%s'", l.items[i].key);
                img_error("Failed in parsing snapshot param '%s'", param);
                img_opts_clear(&l);
                return NULL;
            }
        }
        want_id = img_opts_get(&l, "snapshot.id");
        want_name = img_opts_get(&l, "snapshot.name");
    }
    BlockSnapshotInfo *list = NULL;
    char *err = NULL;
    int n = block_snapshot_list(bs, &list, &err);
    free(err);
    for (int pass = 0; pass < 2 && !found && n > 0; pass++) {
        for (int i = 0; i < n && !found; i++) {
            bool match;
            if (want_id || want_name) {
                match = pass == 0 && (!want_id || !strcmp(list[i].id, want_id)) &&
                        (!want_name || !strcmp(list[i].name, want_name));
            } else {
                match = !strcmp(pass == 0 ? list[i].id : list[i].name, param);
            }
            if (match) {
                found = strdup(list[i].id);
            }
        }
    }
    if (n > 0) {
        block_snapshot_list_free(list, n);
    }
    img_opts_clear(&l);
    if (!found) {
        img_error("Failed to load snapshot: Can't find snapshot");
    }
    return found;
}

/* Copies a file, keeping its holes. */
static int copy_file_sparse(int in, int out)
{
    off_t size = lseek(in, 0, SEEK_END);
    if (size < 0 || ftruncate(out, size) < 0) {
        return -errno;
    }
    char *buf = malloc(IMG_CHUNK);
    off_t pos = 0;
    int r = 0;
    while (pos < size) {
        off_t data = lseek(in, pos, SEEK_DATA);
        if (data < 0) {
            break; /* only a hole is left */
        }
        off_t hole = lseek(in, data, SEEK_HOLE);
        if (hole < 0) {
            hole = size;
        }
        for (pos = data; pos < hole;) {
            ssize_t n = pread(in, buf, min_u64(IMG_CHUNK, hole - pos), pos);
            if (n <= 0 || pwrite(out, buf, n, pos) != n) {
                r = n < 0 ? -errno : -EIO;
                goto done;
            }
            pos += n;
        }
    }
done:
    free(buf);
    return r;
}

/*
 * convert -l: block.h cannot read a snapshot in place, so the image is
 * copied beside the original (where its relative backing file name still
 * resolves), the copy goes back to the snapshot, and the copy becomes the
 * source. Its name is removed at once; the open descriptor keeps it alive.
 */
BlockDev *img_open_snapshot(BlockDev *orig, const char *filename, const char *param, int flags)
{
    char *id = convert_find_snapshot(orig, param);
    if (!id) {
        return NULL;
    }
    const char *slash = strrchr(filename, '/');
    int dirlen = slash ? (int)(slash - filename + 1) : 0;
    char *tmp = NULL;
    if (asprintf(&tmp, "%.*s.mimic-img-snapshot-XXXXXX", dirlen, filename) < 0) {
        free(id);
        return NULL;
    }
    BlockDev *bs = NULL;
    char *err = NULL;
    int out = mkstemp(tmp);
    int in = open(filename, O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0 || copy_file_sparse(in, out) < 0) {
        img_error("Could not copy '%s' to read its snapshot: %s", filename, strerror(errno));
        goto done;
    }
    BlockDev *rw = block_open(tmp, block_get_format(orig), BLOCK_O_RDWR | BLOCK_O_NO_BACKING, &err);
    if (!rw || block_snapshot_apply(rw, id, &err) < 0) {
        img_error("Failed to load snapshot: %s", err ? err : "could not apply it");
        block_close(rw);
        goto done;
    }
    block_close(rw);
    bs = block_open(tmp, block_get_format(orig), flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open the snapshot copy");
        err = NULL;
    }
done:
    free(err);
    if (in >= 0) {
        close(in);
    }
    if (out >= 0) {
        close(out);
        unlink(tmp);
    }
    free(tmp);
    free(id);
    return bs;
}

/* --bitmaps: one qcow2 source, a qcow2 target, no bitmap left in use. */
static bool convert_bitmaps_check(const Convert *cv, const char *out_fmt)
{
    if (cv->nsrc != 1) {
        img_error("Copying bitmaps only possible with single source");
        return false;
    }
    if (strcmp(block_get_format(cv->src[0].bs), "qcow2")) {
        img_error("Source lacks bitmap support");
        return false;
    }
    if (strcmp(out_fmt, "qcow2")) {
        img_error("Format driver '%s' does not support bitmaps", out_fmt);
        return false;
    }
    BlockInfo info;
    char *err = NULL;
    if (block_get_info(cv->src[0].bs, &info, &err) < 0) {
        img_error_free(err, "Could not read the source's bitmaps");
        return false;
    }
    bool ok = true;
    for (int i = 0; i < info.nb_bitmaps && ok; i++) {
        if (info.bitmaps[i].in_use) {
            img_error("Cannot copy inconsistent bitmap '%s'", info.bitmaps[i].name);
            ok = false;
        }
    }
    block_info_clear(&info);
    return ok;
}

/* Copies every persistent bitmap of the source (name, granularity,
 * enabled state, contents) into the target. */
static bool convert_copy_bitmaps(Convert *cv)
{
    BlockInfo info;
    char *err = NULL;
    if (block_get_info(cv->src[0].bs, &info, &err) < 0) {
        img_error_free(err, "Could not read the source's bitmaps");
        return false;
    }
    bool ok = true;
    for (int i = 0; i < info.nb_bitmaps && ok; i++) {
        const BlockBitmapInfo *b = &info.bitmaps[i];
        uint8_t *bits = NULL;
        uint64_t gran, size;
        if (block_bitmap_get(cv->src[0].bs, b->name, &bits, &gran, &size, &err) < 0 ||
            block_bitmap_add(cv->target, b->name, b->granularity, false, &err) < 0 ||
            block_bitmap_merge(cv->target, b->name, bits, gran, size, &err) < 0 ||
            (b->enabled && block_bitmap_set_enabled(cv->target, b->name, true, &err) < 0)) {
            img_error("Failed to populate bitmap %s: %s", b->name, err ? err : "I/O error");
            free(err);
            err = NULL;
            ok = false;
        }
        free(bits);
    }
    block_info_clear(&info);
    return ok;
}

int img_cmd_convert(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"force-share", no_argument, NULL, 'U'},       {"target-is-zero", no_argument, NULL, 'Z'},
        {"object", required_argument, NULL, 'J'},      {"image-opts", no_argument, NULL, 'I'},
        {"target-image-opts", no_argument, NULL, 'K'}, {"salvage", no_argument, NULL, 'J'},
        {"bitmaps", no_argument, NULL, 'Y'},           {NULL, 0, NULL, 0}};
    bool image_opts = false, target_image_opts = false, bitmaps = false;
    const char **src_fmts = NULL;
    const char *fmt = NULL, *out_fmt = NULL, *backing = NULL, *backing_fmt = NULL;
    const char *snapshot_param = NULL;
    bool compress = false, progress = false, quiet = false, no_create = false;
    bool target_zero = false;
    /* qemu-img convert writes with cache=unsafe unless told otherwise: the
     * output is only useful once complete anyway. */
    int cache_flags = BLOCK_O_CACHE_NO_FLUSH, src_cache_flags = 0;
    uint64_t sparse = 4096;
    ImgOptList opts = {0};
    Convert cv = {0};
    int ret = IMG_EXIT_FAIL;
    char *err = NULL;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:B:F:o:cpqnt:T:S:m:r:l:WCU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'B': backing = optarg; break;
        case 'F': backing_fmt = optarg; break;
        case 'o':
            if (!img_opts_parse(&opts, optarg)) {
                goto out;
            }
            break;
        case 'c': compress = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'n': no_create = true; break;
        case 't':
            if (!img_parse_cache(optarg, &cache_flags)) {
                goto out;
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &src_cache_flags)) {
                goto out;
            }
            break;
        case 'S':
            if (img_parse_size(optarg, &sparse) < 0 || sparse % 512 || sparse > 16 * 1024 * 1024) {
                img_error("Invalid buffer size for sparse output specified. Valid sizes are "
                          "multiples of 512 up to 16777216. Select 0 to disable sparse detection "
                          "(fully allocates output).");
                goto out;
            }
            break;
        case 'm':
        case 'r':
        case 'W':
        case 'C':
        case 'U':
            /* Parallelism, rate limits and copy offloading: accepted, since
             * the copy here is sequential and local. */
            break;
        case 'l': snapshot_param = optarg; break;
        case 'Z': target_zero = true; break;
        case 'I': image_opts = true; break;
        case 'K': target_image_opts = true; break;
        case 'Y': bitmaps = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); goto out;
        default: img_getopt_fail(c, argv); goto out;
        }
    }
    if (target_image_opts) {
        if (!no_create) {
            img_error("--target-image-opts requires use of -n flag");
            goto out;
        }
        if (argc - optind < 2) {
            img_usage_error("Must specify image file name");
            goto out;
        }
        int opts_flags = 0;
        if (!img_image_opts_argv(argv, argc - 1, &out_fmt, &opts_flags)) {
            goto out;
        }
        cache_flags |= opts_flags;
        /* No driver given: the existing target's format, as probed. */
        static char probed[16];
        if (!out_fmt) {
            if (block_probe_format(argv[argc - 1], probed, sizeof(probed), &err) < 0) {
                img_error_free(err, "Could not open the target image");
                err = NULL;
                goto out;
            }
            out_fmt = probed;
        }
    }
    if (image_opts && argc - optind >= 2) {
        src_fmts = calloc((size_t)(argc - optind), sizeof(*src_fmts));
        if (!src_fmts) {
            img_error("Out of memory");
            goto out;
        }
        for (int i = optind; i < argc - 1; i++) {
            int opts_flags = 0;
            src_fmts[i - optind] = fmt;
            if (!img_image_opts_argv(argv, i, &src_fmts[i - optind], &opts_flags)) {
                goto out;
            }
        }
    }
    if (!out_fmt) {
        out_fmt = "raw";
    }
    if (!img_check_format(NULL, out_fmt) || (fmt && !img_check_format(NULL, fmt))) {
        goto out;
    }
    if (opts.help) {
        img_create_opts_help(out_fmt, false);
        ret = 0;
        goto out;
    }
    if (argc - optind < 2) {
        img_usage_error("Must specify image file name");
        goto out;
    }
    if (target_zero && !no_create) {
        img_error("--target-is-zero requires use of -n flag");
        goto out;
    }
    if (no_create && (opts.n || backing)) {
        img_error(opts.n ? "-o has no effect when skipping image creation"
                         : "Use of -B is not supported with -n");
        goto out;
    }
    if (compress && strcmp(out_fmt, "qcow2")) {
        img_error("Compression not supported for this file format");
        goto out;
    }
    const char *out_name = argv[argc - 1];
    if (snapshot_param && argc - optind - 1 > 1) {
        img_error("No support for concatenating multiple snapshot");
        goto out;
    }
    cv.nsrc = argc - optind - 1;
    cv.src = calloc(cv.nsrc, sizeof(*cv.src));
    for (int i = 0; i < cv.nsrc; i++) {
        cv.src[i].bs =
            block_open(argv[optind + i], src_fmts ? src_fmts[i] : fmt, src_cache_flags, &err);
        if (!cv.src[i].bs) {
            img_error_free(err, "Could not open source image");
            err = NULL;
            goto out;
        }
        if (snapshot_param) {
            BlockDev *snap =
                img_open_snapshot(cv.src[i].bs, argv[optind + i], snapshot_param, src_cache_flags);
            block_close(cv.src[i].bs);
            cv.src[i].bs = snap;
            if (!snap) {
                goto out;
            }
        }
        cv.src[i].start = cv.total;
        cv.src[i].len = block_get_length(cv.src[i].bs);
        cv.total += cv.src[i].len;
    }
    if (bitmaps && !convert_bitmaps_check(&cv, out_fmt)) {
        goto out;
    }
    /* Creating the output would destroy an input that is the same file. */
    struct stat out_st;
    if (stat(out_name, &out_st) == 0) {
        for (int i = 0; i < cv.nsrc; i++) {
            struct stat in_st;
            if (stat(argv[optind + i], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
                in_st.st_ino == out_st.st_ino) {
                img_error("%s: error while converting %s: the output image is also an input "
                          "image",
                          out_name, out_fmt);
                goto out;
            }
        }
    }
    if (!no_create) {
        BlockCreateOpts co;
        uint64_t osize;
        bool osize_set;
        if (!img_create_opts_parse("", out_fmt, &opts, &co, &osize, &osize_set)) {
            goto out;
        }
        if (backing) {
            co.backing_file = backing;
        }
        if (backing_fmt) {
            co.backing_fmt = backing_fmt;
        }
        if (co.backing_file && !co.backing_fmt) {
            img_error("Use of backing file requires explicit backing format");
            goto out;
        }
        if (co.backing_file && !strcmp(out_fmt, "raw")) {
            img_error("Backing file not supported for file format 'raw'");
            goto out;
        }
        char prefix[PATH_MAX + 64];
        snprintf(prefix, sizeof(prefix), "%s: error while converting %s: ", out_name, out_fmt);
        if (!img_create_opts_check(prefix, out_fmt, &opts, &co)) {
            goto out;
        }
        const char *v;
        if ((v = img_opts_get(&opts, "compression_type")) && !strcmp(v, "zstd")) {
            co.compression_type = BLOCK_COMPRESSION_ZSTD;
        }
        if ((v = img_opts_get(&opts, "preallocation"))) {
            block_parse_prealloc(v, &co.preallocation);
        }
        if (compress && co.preallocation != BLOCK_PREALLOC_OFF) {
            img_error("Compression and preallocation not supported at the same time");
            goto out;
        }
        if (block_create(out_name, out_fmt, cv.total, &co, &err) < 0) {
            img_error("%s: error while converting %s: %s", out_name, out_fmt,
                      err ? err : "could not create the image");
            free(err);
            err = NULL;
            goto out;
        }
        if (co.backing_file) {
            char *path = img_backing_path(out_name, co.backing_file);
            cv.backing = block_open(path, co.backing_fmt, src_cache_flags, &err);
            free(path);
            if (!cv.backing) {
                img_error_free(err, "Could not open backing image");
                err = NULL;
                goto out;
            }
        }
        /* Preallocated images are already mapped; writing zeroes keeps them so. */
        cv.fresh =
            co.preallocation == BLOCK_PREALLOC_OFF || co.preallocation == BLOCK_PREALLOC_METADATA;
    } else {
        cv.fresh = target_zero;
    }
    cv.target = block_open(out_name, out_fmt, BLOCK_O_RDWR | cache_flags, &err);
    if (!cv.target) {
        img_error_free(err, "Could not open target image");
        err = NULL;
        goto out;
    }
    if (no_create && block_get_length(cv.target) < cv.total) {
        img_error("Target image is too small (%llu bytes) for the input (%llu bytes)",
                  (unsigned long long)block_get_length(cv.target), (unsigned long long)cv.total);
        goto out;
    }
    if (no_create && block_get_backing(cv.target)) {
        /* Zero runs must not show the target's backing file through. */
        cv.fresh = false;
    }
    cv.compress = compress;
    cv.sparse = sparse;
    cv.cluster = block_get_cluster_size(cv.target);
    if (!cv.cluster) {
        cv.cluster = 512;
    }
    ImgProgress prog;
    img_progress_start(&prog, progress && !quiet);
    if (convert_run(&cv, &prog, &err) < 0) {
        img_error("%s: error while converting %s: %s", out_name, out_fmt, err ? err : "I/O error");
        free(err);
        err = NULL;
        goto out;
    }
    if (bitmaps && !convert_copy_bitmaps(&cv)) {
        goto out;
    }
    if (block_flush(cv.target, &err) < 0) {
        img_error_free(err, "Could not flush the target image");
        err = NULL;
        goto out;
    }
    img_progress_end(&prog);
    ret = 0;
out:
    if (cv.target && block_close(cv.target) < 0 && ret == 0) {
        img_error("Failed to flush the target image");
        ret = IMG_EXIT_FAIL;
    }
    block_close(cv.backing);
    for (int i = 0; i < cv.nsrc; i++) {
        block_close(cv.src[i].bs);
    }
    free(cv.src);
    free(src_fmts);
    img_opts_clear(&opts);
    return ret;
}

/* ---- compare ---- */

/* First byte where a and b differ (len when they do not). */
static uint64_t first_difference(const uint8_t *a, const uint8_t *b, uint64_t len)
{
    uint64_t i = 0;
    /* Whole sectors first, then the byte. */
    while (i + 512 <= len && !memcmp(a + i, b + i, 512)) {
        i += 512;
    }
    while (i < len && a[i] == b[i]) {
        i++;
    }
    return i;
}

static uint64_t first_nonzero(const uint8_t *a, uint64_t len)
{
    uint64_t i = 0;
    while (i + 512 <= len && img_is_zero(a + i, 512)) {
        i += 512;
    }
    while (i < len && !a[i]) {
        i++;
    }
    return i;
}

/* Extent reaches the end of the image: strict mode compares that as well. */
#define COMPARE_EOF (1u << 31)

/* Status of bs from off (asked up to its end, so that the end-of-image
 * property is known); *n gets the extent length. */
static unsigned compare_status(BlockDev *bs, uint64_t off, uint64_t *n, bool *failed)
{
    BlockStatus st;
    char *err = NULL;
    uint64_t size = block_get_length(bs);
    if (img_get_status(bs, off, size - off, true, &st, &err) < 0) {
        img_error_free(err, "Could not read the allocation status");
        *failed = true;
        return 0;
    }
    *n = st.length;
    /* Strict mode compares these like qemu-img: where the data lives
     * (offset or not, compressed) matters, not only whether it is there. */
    unsigned s = st.flags & (BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_ZERO |
                             BLOCK_STATUS_OFFSET_VALID | BLOCK_STATUS_COMPRESSED);
    if (off + st.length >= size) {
        s |= COMPARE_EOF;
    }
    return s;
}

int img_cmd_compare(int argc, char **argv)
{
    static const struct option longopts[] = {{"force-share", no_argument, NULL, 'U'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt1 = NULL, *fmt2 = NULL;
    bool strict = false, progress = false, quiet = false;
    int cache_flags = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:F:T:pqsU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt1 = optarg; break;
        case 'F': fmt2 = optarg; break;
        case 'T':
            if (!img_parse_cache(optarg, &cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 's': strict = true; break;
        case 'U': break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); return IMG_EXIT_FAIL;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    if (argc - optind != 2) {
        img_usage_error("Expecting two image file names");
        return IMG_EXIT_FAIL;
    }
    if (image_opts) {
        int opts_flags = 0;
        /* qemu-img compare names both formats with -f then. */
        if (fmt2) {
            img_error("--image-opts and --format are mutually exclusive");
            return 2;
        }
        if (!img_image_opts_argv(argv, optind, &fmt1, &opts_flags) ||
            !img_image_opts_argv(argv, optind + 1, &fmt2, &opts_flags)) {
            return 2;
        }
    }
    if ((fmt1 && !img_check_format(NULL, fmt1)) || (fmt2 && !img_check_format(NULL, fmt2))) {
        return 2;
    }
    const char *name1 = argv[optind], *name2 = argv[optind + 1];
    char *err = NULL;
    BlockDev *bs1 = block_open(name1, fmt1, cache_flags, &err);
    if (!bs1) {
        img_error_free(err, "Could not open image");
        return 2;
    }
    BlockDev *bs2 = block_open(name2, fmt2, cache_flags, &err);
    if (!bs2) {
        img_error_free(err, "Could not open image");
        block_close(bs1);
        return 2;
    }
    uint64_t size1 = block_get_length(bs1), size2 = block_get_length(bs2);
    uint64_t common = min_u64(size1, size2);
    uint8_t *b1 = malloc(IMG_CHUNK), *b2 = malloc(IMG_CHUNK);
    int ret = 0;
    ImgProgress prog;
    double total = size1 > size2 ? size1 : size2;
    if (strict && size1 != size2) {
        if (!quiet) {
            printf("Strict mode: Image size mismatch!\n");
        }
        ret = 1;
        goto out;
    }
    img_progress_start(&prog, progress && !quiet);
    for (uint64_t off = 0; off < common;) {
        uint64_t n1 = 0, n2 = 0;
        bool failed = false;
        unsigned s1 = compare_status(bs1, off, &n1, &failed);
        unsigned s2 = failed ? 0 : compare_status(bs2, off, &n2, &failed);
        if (failed) {
            ret = 3;
            goto out;
        }
        uint64_t ext = min_u64(common - off, min_u64(n1, n2));
        if (strict && s1 != s2) {
            if (!quiet) {
                printf("Strict mode: Offset %llu block status mismatch!\n",
                       (unsigned long long)off);
            }
            ret = 1;
            goto out;
        }
        bool zero1 = (s1 & BLOCK_STATUS_ZERO) && !(s1 & BLOCK_STATUS_DATA);
        bool zero2 = (s2 & BLOCK_STATUS_ZERO) && !(s2 & BLOCK_STATUS_DATA);
        /* Runs both sides know to be zero are skipped whole; the rest is
         * read chunk by chunk. */
        for (uint64_t p = 0; p < ext && !(zero1 && zero2);) {
            uint64_t len = min_u64(IMG_CHUNK, ext - p);
            if (block_read(bs1, off + p, b1, len, &err) < 0) {
                img_error("Error while reading offset %llu of %s: %s",
                          (unsigned long long)(off + p), name1, err ? err : "I/O error");
                free(err);
                ret = 4;
                goto out;
            }
            if (block_read(bs2, off + p, b2, len, &err) < 0) {
                img_error("Error while reading offset %llu of %s: %s",
                          (unsigned long long)(off + p), name2, err ? err : "I/O error");
                free(err);
                ret = 4;
                goto out;
            }
            uint64_t d = first_difference(b1, b2, len);
            if (d < len) {
                if (!quiet) {
                    printf("Content mismatch at offset %llu!\n",
                           (unsigned long long)((off + p + d) & ~511ULL));
                }
                ret = 1;
                goto out;
            }
            p += len;
            img_progress_update(&prog, (off + p) * 100.0 / total);
        }
        off += ext;
        img_progress_update(&prog, off * 100.0 / total);
    }
    if (size1 != size2) {
        BlockDev *big = size1 > size2 ? bs1 : bs2;
        const char *big_name = size1 > size2 ? name1 : name2;
        uint64_t big_size = size1 > size2 ? size1 : size2;
        if (!quiet) {
            printf("Warning: Image size mismatch!\n");
        }
        for (uint64_t off = common; off < big_size;) {
            uint64_t n = 0;
            bool failed = false;
            unsigned st = compare_status(big, off, &n, &failed);
            if (failed) {
                ret = 3;
                goto out;
            }
            uint64_t ext = min_u64(n, big_size - off);
            bool zero = (st & BLOCK_STATUS_ZERO) && !(st & BLOCK_STATUS_DATA);
            for (uint64_t p = 0; p < ext && !zero;) {
                uint64_t len = min_u64(IMG_CHUNK, ext - p);
                if (block_read(big, off + p, b1, len, &err) < 0) {
                    img_error("Error while reading offset %llu of %s: %s",
                              (unsigned long long)(off + p), big_name, err ? err : "I/O error");
                    free(err);
                    ret = 4;
                    goto out;
                }
                uint64_t d = first_nonzero(b1, len);
                if (d < len) {
                    if (!quiet) {
                        printf("Content mismatch at offset %llu!\n",
                               (unsigned long long)((off + p + d) & ~511ULL));
                    }
                    ret = 1;
                    goto out;
                }
                p += len;
            }
            off += ext;
            img_progress_update(&prog, off * 100.0 / total);
        }
    }
    img_progress_end(&prog);
    if (!quiet) {
        printf("Images are identical.\n");
    }
out:
    if (ret && progress && !quiet) {
        printf("\n");
    }
    free(b1);
    free(b2);
    block_close(bs1);
    block_close(bs2);
    return ret;
}

/* ---- commit ---- */

/* Whether two names refer to one file. */
static bool same_file(const char *a, const char *b)
{
    if (!strcmp(a, b)) {
        return true;
    }
    char ra[PATH_MAX], rb[PATH_MAX];
    return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

/* Copies the range [off, off+len) of layer (read alone) into base. */
static int commit_copy(BlockDev *layer, BlockDev *base, uint64_t off, uint64_t len, bool zero,
                       uint8_t *buf, char **errp)
{
    if (zero) {
        return block_write_zeroes(base, off, len, 0, errp);
    }
    while (len) {
        uint64_t n = min_u64(len, IMG_CHUNK);
        int r = block_read(layer, off, buf, n, errp);
        if (r < 0) {
            return r;
        }
        r = block_write(base, off, buf, n, 0, errp);
        if (r < 0) {
            return r;
        }
        off += n;
        len -= n;
    }
    return 0;
}

/*
 * Makes the committed top image empty again, so that it reads as its backing
 * file. block_make_empty deallocates in place (snapshots keep their clusters),
 * so a process killed meanwhile leaves at worst leaked clusters -- never the
 * truncated file a re-create would leave.
 */
static int commit_empty_top(const char *filename, const char *fmt, int cache_flags)
{
    char *err = NULL;
    BlockDev *top =
        block_open(filename, fmt, BLOCK_O_RDWR | BLOCK_O_NO_BACKING | cache_flags, &err);
    if (!top) {
        img_error_free(err, "Could not open the image to empty it");
        return -1;
    }
    int ret = 0;
    if (block_make_empty(top, &err) < 0) {
        img_error_free(err, "Could not empty the image");
        ret = -1;
    }
    if (block_close(top) < 0 && ret == 0) {
        img_error("Could not flush the image");
        ret = -1;
    }
    return ret;
}

int img_cmd_commit(int argc, char **argv)
{
    static const struct option longopts[] = {{"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL, *base_name = NULL;
    bool drop = false, progress = false, quiet = false;
    int cache_flags = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:t:b:dpqr:", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't':
            if (!img_parse_cache(optarg, &cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'b':
            base_name = optarg;
            drop = true; /* the layers in between become stale: keep the top valid */
            break;
        case 'd': drop = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'r': break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); return IMG_EXIT_FAIL;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        img_usage_error("Expecting one image file name");
        return IMG_EXIT_FAIL;
    }
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &cache_flags)) {
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    /* Each layer above the base is opened alone (its own data only), and the
     * base once, writable, with its own backing chain. */
    enum { MAX_LAYERS = 64 };
    BlockDev *layers[MAX_LAYERS] = {0};
    char *names[MAX_LAYERS] = {0};
    int nlayers = 0, ret = IMG_EXIT_FAIL;
    BlockDev *base = NULL;
    uint8_t *buf = NULL;
    char *err = NULL;
    char *name = strdup(filename), *lfmt = fmt ? strdup(fmt) : NULL;
    for (;;) {
        if (nlayers == MAX_LAYERS) {
            img_error("Backing chain of '%s' is too long", filename);
            free(name);
            free(lfmt);
            goto out;
        }
        BlockDev *bs = block_open(name, lfmt, BLOCK_O_NO_BACKING | cache_flags, &err);
        if (!bs) {
            img_error_free(err, "Could not open image");
            err = NULL;
            free(name);
            free(lfmt);
            goto out;
        }
        layers[nlayers] = bs;
        names[nlayers++] = name;
        free(lfmt);
        lfmt = NULL;
        BlockInfo info;
        if (block_get_info(bs, &info, &err) < 0) {
            img_error_free(err, "Could not read image information");
            err = NULL;
            goto out;
        }
        if (!info.backing_file) {
            block_info_clear(&info);
            if (nlayers == 1) {
                img_error("Image does not have a backing file");
            } else {
                img_error("Did not find '%s' in the backing chain of '%s'", base_name, filename);
            }
            goto out;
        }
        name = img_backing_path(names[nlayers - 1], info.backing_file);
        lfmt = info.backing_fmt ? strdup(info.backing_fmt) : NULL;
        block_info_clear(&info);
        if (!base_name || same_file(name, base_name)) {
            break;
        }
        if (access(name, F_OK) != 0) {
            img_error("Did not find '%s' in the backing chain of '%s'", base_name, filename);
            free(name);
            free(lfmt);
            goto out;
        }
    }
    base = block_open(name, lfmt, BLOCK_O_RDWR | cache_flags, &err);
    free(name);
    free(lfmt);
    if (!base) {
        img_error_free(err, "Could not open the base image");
        err = NULL;
        goto out;
    }
    uint64_t len = block_get_length(layers[0]);
    if (block_get_length(base) < len &&
        block_truncate(base, len, false, BLOCK_PREALLOC_OFF, &err) < 0) {
        img_error_free(err, "Could not resize the base image");
        err = NULL;
        goto out;
    }
    buf = malloc(IMG_CHUNK);
    ImgProgress prog;
    img_progress_start(&prog, progress && !quiet);
    for (uint64_t off = 0; off < len;) {
        uint64_t n = min_u64(IMG_CHUNK, len - off);
        int found = -1;
        bool zero = false;
        for (int i = 0; i < nlayers; i++) {
            if (off >= block_get_length(layers[i])) {
                /* Past the end of an upper layer the top reads zeroes. */
                found = i;
                zero = true;
                break;
            }
            BlockStatus st;
            if (img_get_status(layers[i], off, n, false, &st, &err) < 0) {
                img_error_free(err, "Could not read the allocation status");
                err = NULL;
                goto out;
            }
            n = min_u64(n, st.length);
            if (st.flags & BLOCK_STATUS_ALLOCATED) {
                found = i;
                zero = (st.flags & BLOCK_STATUS_ZERO) && !(st.flags & BLOCK_STATUS_DATA);
                break;
            }
        }
        if (found >= 0 && commit_copy(layers[found], base, off, n, zero, buf, &err) < 0) {
            img_error_free(err, "Error while committing the image");
            err = NULL;
            goto out;
        }
        off += n;
        img_progress_update(&prog, off * 100.0 / len);
    }
    if (block_close(base) < 0) {
        base = NULL;
        img_error("Could not flush the base image");
        goto out;
    }
    base = NULL;
    if (!drop) {
        /* Empty the top so that it reads through to the base again. */
        for (int i = 0; i < nlayers; i++) {
            block_close(layers[i]);
            layers[i] = NULL;
        }
        if (commit_empty_top(filename, fmt, cache_flags) < 0) {
            goto out;
        }
    }
    img_progress_end(&prog);
    if (!quiet) {
        printf("Image committed.\n");
    }
    ret = 0;
out:
    block_close(base);
    for (int i = 0; i < nlayers; i++) {
        block_close(layers[i]);
        free(names[i]);
    }
    free(buf);
    return ret;
}

/* ---- rebase ---- */

/* Whether [off, off + *n) of a backing image (NULL: none) is known to read as
 * zeroes; shortens *n to the extent that answer holds for. */
static int rebase_zero_run(BlockDev *bs, uint64_t off, uint64_t *n, bool *zero)
{
    uint64_t size = bs ? block_get_length(bs) : 0;
    if (off >= size) {
        *zero = true; /* past its end a backing file reads as zeroes */
        return 0;
    }
    *n = min_u64(*n, size - off);
    BlockStatus st;
    char *err = NULL;
    if (img_get_status(bs, off, *n, true, &st, &err) < 0) {
        img_error_free(err, "Could not read the allocation status of a backing file");
        return -1;
    }
    *n = min_u64(*n, st.length);
    *zero = (st.flags & BLOCK_STATUS_ZERO) && !(st.flags & BLOCK_STATUS_DATA);
    return 0;
}

int img_cmd_rebase(int argc, char **argv)
{
    static const struct option longopts[] = {{"force-share", no_argument, NULL, 'U'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL, *new_name = NULL, *new_fmt = NULL;
    bool unsafe = false, progress = false, quiet = false;
    int cache_flags = 0, src_cache_flags = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:t:T:b:F:upqU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't':
            if (!img_parse_cache(optarg, &cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &src_cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'b': new_name = optarg; break;
        case 'F': new_fmt = optarg; break;
        case 'u': unsafe = true; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'I': image_opts = true; break;
        case 'J': img_error("option '%s' is not supported", argv[optind - 1]); return IMG_EXIT_FAIL;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    if (optind != argc - 1) {
        img_usage_error("Expecting one image file name");
        return IMG_EXIT_FAIL;
    }
    int opts_flags = 0;
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &opts_flags)) {
        return IMG_EXIT_FAIL;
    }
    if (!unsafe && !new_name) {
        img_usage_error("Must specify backing file (-b) or use unsafe mode (-u)");
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    if (new_name && !*new_name) {
        new_name = NULL; /* -b "": no backing file at all */
    }
    if (new_fmt && !img_check_format(NULL, new_fmt)) {
        return IMG_EXIT_FAIL;
    }
    if (new_name && !new_fmt) {
        img_error("Could not change the backing file to '%s': backing format must be specified",
                  new_name);
        return IMG_EXIT_FAIL;
    }
    char *err = NULL;
    int flags = BLOCK_O_RDWR | cache_flags | (unsafe ? BLOCK_O_NO_BACKING : 0);
    BlockDev *bs = block_open(filename, fmt, flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    img_warn_probed_raw(bs, fmt);
    int ret = IMG_EXIT_FAIL;
    BlockDev *nb = NULL;
    uint8_t *old_buf = NULL, *new_buf = NULL;
    ImgProgress prog;
    img_progress_start(&prog, progress && !quiet);
    if (!unsafe) {
        if (new_name) {
            char *path = img_backing_path(filename, new_name);
            nb = block_open(path, new_fmt, src_cache_flags, &err);
            free(path);
            if (!nb) {
                img_error("Could not open new backing file '%s': %s", new_name,
                          err ? err : "failed");
                free(err);
                goto out;
            }
        }
        /* Where the image has no data of its own, it shows the old backing
         * file; copy in every cluster that would read differently from the
         * new one. */
        uint64_t len = block_get_length(bs);
        uint64_t gran = block_get_cluster_size(bs);
        if (!gran) {
            gran = 65536;
        }
        old_buf = malloc(IMG_CHUNK);
        new_buf = malloc(IMG_CHUNK);
        BlockDev *old = block_get_backing(bs);
        for (uint64_t off = 0; off < len;) {
            uint64_t n = len - off;
            BlockStatus st;
            if (img_get_status(bs, off, n, false, &st, &err) < 0) {
                img_error_free(err, "Could not read the allocation status");
                err = NULL;
                goto out;
            }
            n = min_u64(n, st.length);
            bool old_zero, new_zero;
            if (!(st.flags & BLOCK_STATUS_ALLOCATED) &&
                (rebase_zero_run(old, off, &n, &old_zero) < 0 ||
                 rebase_zero_run(nb, off, &n, &new_zero) < 0)) {
                goto out;
            }
            if (!(st.flags & BLOCK_STATUS_ALLOCATED) && old_zero && new_zero) {
                /* Zero through both backing files: nothing to compare. */
            } else if (!(st.flags & BLOCK_STATUS_ALLOCATED)) {
                n = min_u64(n, IMG_CHUNK);
                if (block_read(bs, off, old_buf, n, &err) < 0 ||
                    read_padded(nb, off, new_buf, n, &err) < 0) {
                    img_error_free(err, "Could not read the backing files");
                    err = NULL;
                    goto out;
                }
                for (uint64_t p = 0; p < n;) {
                    /* Cluster-aligned pieces, so no write straddles clusters. */
                    uint64_t piece = min_u64(gran - (off + p) % gran, n - p);
                    if (memcmp(old_buf + p, new_buf + p, piece) &&
                        block_write(bs, off + p, old_buf + p, piece, 0, &err) < 0) {
                        img_error_free(err, "Error while writing to the image");
                        err = NULL;
                        goto out;
                    }
                    p += piece;
                }
            }
            off += n;
            img_progress_update(&prog, off * 100.0 / len);
        }
    }
    if (block_change_backing_file(bs, new_name, new_name ? new_fmt : NULL, &err) < 0) {
        img_error("Could not change the backing file to '%s': %s", new_name ? new_name : "",
                  err ? err : "failed");
        free(err);
        goto out;
    }
    img_progress_end(&prog);
    ret = 0;
out:
    free(old_buf);
    free(new_buf);
    block_close(nb);
    if (block_close(bs) < 0 && ret == 0) {
        img_error("Could not flush the image");
        ret = IMG_EXIT_FAIL;
    }
    return ret;
}

/* ---- dd ---- */

int img_cmd_dd(int argc, char **argv)
{
    static const struct option longopts[] = {{"force-share", no_argument, NULL, 'U'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL, *out_fmt = "raw", *in_name = NULL, *out_name = NULL;
    uint64_t bs = 512, count = UINT64_MAX, skip = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":f:O:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'U': break;
        case 'I': image_opts = true; break;
        default: img_getopt_fail(c, argv); return IMG_EXIT_FAIL;
        }
    }
    /* dd(1)-style operands: key=value. */
    for (int i = optind; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        size_t klen = eq ? (size_t)(eq - argv[i]) : 0;
        const char *v = eq ? eq + 1 : NULL;
        if (eq && klen == 2 && !strncmp(argv[i], "if", 2)) {
            in_name = v;
        } else if (eq && klen == 2 && !strncmp(argv[i], "of", 2)) {
            out_name = v;
        } else if (eq && klen == 2 && !strncmp(argv[i], "bs", 2)) {
            if (img_parse_size(v, &bs) < 0 || bs == 0 || bs > INT32_MAX) {
                img_error("Invalid bs specified. Must be between 1 and %d.", INT32_MAX);
                return IMG_EXIT_FAIL;
            }
        } else if (eq && klen == 5 && !strncmp(argv[i], "count", 5)) {
            if (img_parse_size(v, &count) < 0) {
                img_error("Invalid count specified. Must be between 0 and %lld.",
                          (long long)INT64_MAX);
                return IMG_EXIT_FAIL;
            }
        } else if (eq && klen == 4 && !strncmp(argv[i], "skip", 4)) {
            if (img_parse_size(v, &skip) < 0) {
                img_error("Invalid skip specified. Must be between 0 and %lld.",
                          (long long)INT64_MAX);
                return IMG_EXIT_FAIL;
            }
        } else {
            img_error("unrecognized operand %.*s", eq ? (int)klen : (int)strlen(argv[i]), argv[i]);
            return IMG_EXIT_FAIL;
        }
    }
    if (!in_name || !out_name) {
        img_error("Must specify both input and output files");
        return IMG_EXIT_FAIL;
    }
    int opts_flags = 0;
    if (image_opts && !img_image_opts_apply(&fmt, &in_name, &opts_flags)) {
        return IMG_EXIT_FAIL;
    }
    if (!img_check_format(NULL, out_fmt) || (fmt && !img_check_format(NULL, fmt))) {
        return IMG_EXIT_FAIL;
    }
    char *err = NULL;
    BlockDev *in = block_open(in_name, fmt, 0, &err);
    if (!in) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    int ret = IMG_EXIT_FAIL;
    BlockDev *out = NULL;
    uint8_t *buf = NULL;
    uint64_t in_size = block_get_length(in);
    /* qemu-img dd measures count from the start of the input, skipped
     * blocks included: the output holds count - skip blocks. */
    uint64_t end = in_size;
    if (count != UINT64_MAX && count <= in_size / bs) {
        end = count * bs;
    }
    bool past_end = skip && (skip > end / bs || skip * bs > end);
    uint64_t start = past_end ? end : skip * bs;
    uint64_t size = end - start;
    BlockCreateOpts co = {0};
    if (block_create(out_name, out_fmt, size, &co, &err) < 0) {
        img_error("%s: error while creating output image: %s", out_name, err ? err : "failed");
        free(err);
        goto out;
    }
    out = block_open(out_name, out_fmt, BLOCK_O_RDWR | BLOCK_O_CACHE_NO_FLUSH, &err);
    if (!out) {
        img_error_free(err, "Could not open the output image");
        goto out;
    }
    if (past_end) {
        /* qemu-img dd reports this but still leaves an empty output and
         * succeeds. */
        img_error("%s: cannot skip to specified offset", in_name);
        ret = 0;
        goto out;
    }
    buf = malloc(IMG_CHUNK);
    for (uint64_t done = 0; done < size;) {
        uint64_t n = min_u64(IMG_CHUNK, size - done);
        if (block_read(in, start + done, buf, n, &err) < 0) {
            img_error_free(err, "error while reading from input image file");
            goto out;
        }
        /* The new output reads as zeroes: leave zero runs unallocated. */
        if (!img_is_zero(buf, n) && block_write(out, done, buf, n, 0, &err) < 0) {
            img_error_free(err, "error while writing to output image file");
            goto out;
        }
        done += n;
    }
    ret = 0;
out:
    free(buf);
    if (out && block_close(out) < 0 && ret == 0) {
        img_error("Could not flush the output image");
        ret = IMG_EXIT_FAIL;
    }
    block_close(in);
    return ret;
}
