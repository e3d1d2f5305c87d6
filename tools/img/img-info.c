/* mimic-img info, check, map and snapshot: the subcommands that report on an
 * image (and check's repairs), in qemu-img's human and JSON layouts. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "block/block.h"
#include "tools/img/img.h"

/* ---- info ---- */

static void info_print_snapshot_table(const BlockSnapshotInfo *s, int n)
{
    /* Columns as qemu-img lays them out; a long tag pushes the rest right. */
    printf("%-9s %-16s %8s %19s %12s %10s\n", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT");
    for (int i = 0; i < n; i++) {
        char size[32], date[32], clock[32], icount[32] = "";
        img_format_size(s[i].vm_state_size, size, sizeof(size));
        time_t t = s[i].date_sec;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        uint64_t ms = s[i].vm_clock_nsec / 1000000;
        snprintf(clock, sizeof(clock), "%02llu:%02llu:%02llu.%03llu",
                 (unsigned long long)(ms / 3600000), (unsigned long long)(ms / 60000 % 60),
                 (unsigned long long)(ms / 1000 % 60), (unsigned long long)(ms % 1000));
        if (s[i].icount != UINT64_MAX) {
            snprintf(icount, sizeof(icount), "%llu", (unsigned long long)s[i].icount);
        }
        printf("%-9s %-16s %8s %19s %12s %10s\n", s[i].id, s[i].name, size, date, clock, icount);
    }
}

static void info_print_human(const BlockInfo *info, const char *full_backing)
{
    char vs[32], ds[32];
    img_format_size(info->virtual_size, vs, sizeof(vs));
    img_format_size(info->actual_size, ds, sizeof(ds));
    printf("image: %s\n", info->filename);
    printf("file format: %s\n", info->format);
    printf("virtual size: %s (%llu bytes)\n", vs, (unsigned long long)info->virtual_size);
    printf("disk size: %s\n", ds);
    if (info->cluster_size) {
        printf("cluster_size: %u\n", info->cluster_size);
    }
    if (info->encrypted) {
        printf("encrypted: yes\n");
    }
    if (info->dirty) {
        printf("cleanly shut down: no\n");
    }
    if (info->backing_file) {
        printf("backing file: %s", info->backing_file);
        if (full_backing && strcmp(full_backing, info->backing_file)) {
            printf(" (actual path: %s)", full_backing);
        }
        printf("\n");
        if (info->backing_fmt) {
            printf("backing file format: %s\n", info->backing_fmt);
        }
    }
    if (info->nb_snapshots > 0) {
        printf("Snapshot list:\n");
        info_print_snapshot_table(info->snapshots, info->nb_snapshots);
    }
    if (info->has_format_specific) {
        bool v3 = strcmp(info->compat, "0.10") != 0;
        printf("Format specific information:\n");
        printf("    compat: %s\n", info->compat);
        printf("    compression type: %s\n",
               info->compression_type ? info->compression_type : "zlib");
        if (v3) {
            printf("    lazy refcounts: %s\n", info->lazy_refcounts ? "true" : "false");
        }
        if (info->nb_bitmaps > 0) {
            printf("    bitmaps:\n");
            for (int i = 0; i < info->nb_bitmaps; i++) {
                const BlockBitmapInfo *b = &info->bitmaps[i];
                int nf = 0;
                printf("        [%d]:\n            flags:\n", i);
                if (b->in_use) {
                    printf("                [%d]: in-use\n", nf++);
                }
                if (b->enabled) {
                    printf("                [%d]: auto\n", nf++);
                }
                printf("            name: %s\n", b->name);
                printf("            granularity: %llu\n", (unsigned long long)b->granularity);
            }
        }
        printf("    refcount bits: %u\n", info->refcount_bits);
        if (v3) {
            printf("    corrupt: %s\n", info->corrupt ? "true" : "false");
            printf("    extended l2: %s\n", info->extended_l2 ? "true" : "false");
        }
    }
}

static void info_print_json(JsonWriter *w, const BlockInfo *info, const char *full_backing)
{
    json_begin_object(w, NULL);
    if (info->nb_snapshots > 0) {
        json_begin_array(w, "snapshots");
        for (int i = 0; i < info->nb_snapshots; i++) {
            const BlockSnapshotInfo *s = &info->snapshots[i];
            json_begin_object(w, NULL);
            if (s->icount != UINT64_MAX) {
                json_uint(w, "icount", s->icount);
            }
            json_uint(w, "vm-clock-nsec", s->vm_clock_nsec % 1000000000);
            json_string(w, "name", s->name);
            json_uint(w, "date-sec", s->date_sec);
            json_uint(w, "date-nsec", s->date_nsec);
            json_uint(w, "vm-clock-sec", s->vm_clock_nsec / 1000000000);
            json_string(w, "id", s->id);
            json_uint(w, "vm-state-size", s->vm_state_size);
            json_end_object(w);
        }
        json_end_array(w);
    }
    if (info->backing_file && info->backing_fmt) {
        json_string(w, "backing-filename-format", info->backing_fmt);
    }
    json_uint(w, "virtual-size", info->virtual_size);
    json_string(w, "filename", info->filename);
    if (info->cluster_size) {
        json_uint(w, "cluster-size", info->cluster_size);
    }
    json_string(w, "format", info->format);
    json_uint(w, "actual-size", info->actual_size);
    if (info->encrypted) {
        json_bool(w, "encrypted", true);
    }
    if (info->has_format_specific) {
        bool v3 = strcmp(info->compat, "0.10") != 0;
        json_begin_object(w, "format-specific");
        json_string(w, "type", "qcow2");
        json_begin_object(w, "data");
        json_string(w, "compat", info->compat);
        json_string(w, "compression-type",
                    info->compression_type ? info->compression_type : "zlib");
        if (v3) {
            json_bool(w, "lazy-refcounts", info->lazy_refcounts);
        }
        if (info->nb_bitmaps > 0) {
            json_begin_array(w, "bitmaps");
            for (int i = 0; i < info->nb_bitmaps; i++) {
                const BlockBitmapInfo *b = &info->bitmaps[i];
                json_begin_object(w, NULL);
                json_begin_array(w, "flags");
                if (b->in_use) {
                    json_string(w, NULL, "in-use");
                }
                if (b->enabled) {
                    json_string(w, NULL, "auto");
                }
                json_end_array(w);
                json_string(w, "name", b->name);
                json_uint(w, "granularity", b->granularity);
                json_end_object(w);
            }
            json_end_array(w);
        }
        json_uint(w, "refcount-bits", info->refcount_bits);
        if (v3) {
            json_bool(w, "corrupt", info->corrupt);
            json_bool(w, "extended-l2", info->extended_l2);
        }
        json_end_object(w);
        json_end_object(w);
    }
    if (info->backing_file) {
        json_string(w, "full-backing-filename", full_backing);
        json_string(w, "backing-filename", info->backing_file);
    }
    json_bool(w, "dirty-flag", info->dirty);
    json_end_object(w);
}

int img_cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'T'}, {"backing-chain", no_argument, NULL, 'C'},
        {"force-share", no_argument, NULL, 'U'},  {"object", required_argument, NULL, 'J'},
        {"image-opts", no_argument, NULL, 'I'},   {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL;
    ImgOutput output = IMG_OUTPUT_HUMAN;
    bool chain = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': break;
        case 'C': chain = true; break;
        case 'T':
            if (!img_parse_output(optarg, &output)) {
                return IMG_EXIT_FAIL;
            }
            break;
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
    if (fmt && !img_check_format(NULL, fmt)) {
        return IMG_EXIT_FAIL;
    }
    char *name = NULL, *cur_fmt = NULL;
    char **seen = NULL;
    int nseen = 0, ret = 0;
    JsonWriter w;
    json_init(&w, stdout);
    /* With --backing-chain the whole chain is opened once before anything
     * is printed, so that a missing layer gives an error and no output. */
    for (int pass = chain ? 0 : 1; pass < 2; pass++) {
        bool print = pass == 1;
        for (int i = 0; i < nseen; i++) {
            free(seen[i]);
        }
        nseen = 0;
        name = strdup(argv[optind]);
        cur_fmt = fmt ? strdup(fmt) : NULL;
        if (print && chain && output == IMG_OUTPUT_JSON) {
            json_begin_array(&w, NULL);
        }
        while (name) {
            char real[PATH_MAX];
            const char *key = realpath(name, real) ? real : name;
            for (int i = 0; i < nseen; i++) {
                if (!strcmp(seen[i], key)) {
                    img_error("Backing file '%s' creates an infinite loop.", name);
                    ret = IMG_EXIT_FAIL;
                    goto out;
                }
            }
            seen = realloc(seen, sizeof(*seen) * (nseen + 1));
            seen[nseen++] = strdup(key);

            char *err = NULL;
            BlockDev *bs = block_open(name, cur_fmt, BLOCK_O_NO_BACKING, &err);
            if (!bs) {
                img_error_free(err, "Could not open image");
                ret = IMG_EXIT_FAIL;
                goto out;
            }
            BlockInfo info;
            if (block_get_info(bs, &info, &err) < 0) {
                img_error_free(err, "Could not read image information");
                block_close(bs);
                ret = IMG_EXIT_FAIL;
                goto out;
            }
            char *full = info.backing_file ? img_backing_path(name, info.backing_file) : NULL;
            if (print && output == IMG_OUTPUT_JSON) {
                info_print_json(&w, &info, full);
            } else if (print) {
                if (nseen > 1) {
                    printf("\n");
                }
                info_print_human(&info, full);
            }
            free(name);
            free(cur_fmt);
            name = NULL;
            cur_fmt = NULL;
            if (chain && full) {
                name = full;
                full = NULL;
                cur_fmt = info.backing_fmt ? strdup(info.backing_fmt) : NULL;
            }
            free(full);
            block_info_clear(&info);
            block_close(bs);
        }
    }
out:
    if (output == IMG_OUTPUT_JSON && ret == 0) {
        if (chain) {
            json_end_array(&w);
        }
        json_finish(&w);
    }
    for (int i = 0; i < nseen; i++) {
        free(seen[i]);
    }
    free(seen);
    free(name);
    free(cur_fmt);
    return ret;
}

/* ---- check ---- */

static void check_print_human(const BlockCheckResult *r, bool fixed_anything)
{
    if (fixed_anything) {
        printf("The following inconsistencies were found and repaired:\n\n"
               "    %d leaked clusters\n"
               "    %d corruptions\n\n"
               "Double checking the fixed image now...\n",
               r->leaks_fixed, r->corruptions_fixed);
    }
    if (!r->corruptions && !r->leaks && !r->check_errors) {
        printf("No errors were found on the image.\n");
    } else {
        if (r->corruptions) {
            printf("\n%d errors were found on the image.\n"
                   "Data may be corrupted, or further writes to the image may corrupt it.\n",
                   r->corruptions);
        }
        if (r->leaks) {
            printf("\n%d leaked clusters were found on the image.\n"
                   "This means waste of disk space, but no harm to data.\n",
                   r->leaks);
        }
        if (r->check_errors) {
            printf("\n%d internal errors have occurred during the check.\n", r->check_errors);
        }
    }
    if (r->total_clusters && r->allocated_clusters) {
        printf("%llu/%llu = %0.2f%% allocated, %0.2f%% fragmented, %0.2f%% compressed clusters\n",
               (unsigned long long)r->allocated_clusters, (unsigned long long)r->total_clusters,
               r->allocated_clusters * 100.0 / r->total_clusters,
               r->fragmented_clusters * 100.0 / r->allocated_clusters,
               r->compressed_clusters * 100.0 / r->allocated_clusters);
    }
    if (r->image_end_offset) {
        printf("Image end offset: %llu\n", (unsigned long long)r->image_end_offset);
    }
}

static void check_print_json(const BlockCheckResult *r, const char *filename, const char *fmt)
{
    JsonWriter w;
    json_init(&w, stdout);
    json_begin_object(&w, NULL);
    if (r->image_end_offset) {
        json_uint(&w, "image-end-offset", r->image_end_offset);
    }
    if (r->compressed_clusters) {
        json_uint(&w, "compressed-clusters", r->compressed_clusters);
    }
    if (r->total_clusters) {
        json_uint(&w, "total-clusters", r->total_clusters);
    }
    if (r->corruptions) {
        json_int(&w, "corruptions", r->corruptions);
    }
    json_int(&w, "check-errors", r->check_errors);
    if (r->leaks) {
        json_int(&w, "leaks", r->leaks);
    }
    if (r->corruptions_fixed) {
        json_int(&w, "corruptions-fixed", r->corruptions_fixed);
    }
    if (r->leaks_fixed) {
        json_int(&w, "leaks-fixed", r->leaks_fixed);
    }
    if (r->allocated_clusters) {
        json_uint(&w, "allocated-clusters", r->allocated_clusters);
    }
    json_string(&w, "filename", filename);
    json_string(&w, "format", fmt);
    if (r->fragmented_clusters) {
        json_uint(&w, "fragmented-clusters", r->fragmented_clusters);
    }
    json_end_object(&w);
    json_finish(&w);
}

int img_cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'O'}, {"repair", required_argument, NULL, 'r'},
        {"force-share", no_argument, NULL, 'U'},  {"object", required_argument, NULL, 'J'},
        {"image-opts", no_argument, NULL, 'I'},   {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL;
    ImgOutput output = IMG_OUTPUT_HUMAN;
    int fix = 0, cache_flags = 0;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":f:r:T:qU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'r':
            if (!strcmp(optarg, "leaks")) {
                fix = BLOCK_CHECK_REPAIR_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BLOCK_CHECK_REPAIR_LEAKS | BLOCK_CHECK_REPAIR_ALL;
            } else {
                img_usage_error("Unknown option value for -r (expecting 'leaks' or 'all'): %s",
                                optarg);
                return IMG_EXIT_FAIL;
            }
            break;
        case 'T':
            if (!img_parse_cache(optarg, &cache_flags)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'O':
            if (!img_parse_output(optarg, &output)) {
                return IMG_EXIT_FAIL;
            }
            break;
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
    if (fmt && !img_check_format(NULL, fmt)) {
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    int flags = BLOCK_O_CHECK | BLOCK_O_NO_BACKING | cache_flags | (fix ? BLOCK_O_RDWR : 0);
    char *err = NULL;
    BlockDev *bs = block_open(filename, fmt, flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    BlockCheckResult r;
    memset(&r, 0, sizeof(r));
    int ret = block_check(bs, fix, &r, &err);
    int code;
    if (ret == -ENOTSUP) {
        img_error("This image format does not support checks");
        free(err);
        code = 63;
    } else if (ret < 0) {
        if (r.messages) {
            fflush(stdout);
            fputs(r.messages, stderr);
        }
        img_error("Check failed: %s", err ? err : strerror(-ret));
        free(err);
        code = IMG_EXIT_FAIL;
    } else {
        if (r.messages) {
            fflush(stdout);
            fputs(r.messages, stderr);
        }
        if (!quiet) {
            if (output == IMG_OUTPUT_JSON) {
                check_print_json(&r, filename, block_get_format(bs));
            } else {
                check_print_human(&r, r.leaks_fixed || r.corruptions_fixed);
            }
        }
        code = r.check_errors ? 1 : r.corruptions ? 2 : r.leaks ? 3 : 0;
    }
    block_check_result_clear(&r);
    if (block_close(bs) < 0 && code == 0) {
        img_error("Failed to flush the image");
        code = IMG_EXIT_FAIL;
    }
    return code;
}

/* ---- map ---- */

typedef struct MapEntry {
    uint64_t start, length, offset;
    unsigned flags;
    int depth;
    const char *filename;
} MapEntry;

static bool map_entry_has_offset(const MapEntry *e)
{
    return (e->flags & BLOCK_STATUS_OFFSET_VALID) && !(e->flags & BLOCK_STATUS_COMPRESSED);
}

static bool map_can_merge(const MapEntry *a, const MapEntry *b)
{
    unsigned mask = BLOCK_STATUS_ALLOCATED | BLOCK_STATUS_DATA | BLOCK_STATUS_ZERO |
                    BLOCK_STATUS_OFFSET_VALID | BLOCK_STATUS_COMPRESSED;
    if ((a->flags & mask) != (b->flags & mask) || a->depth != b->depth) {
        return false;
    }
    if (a->start + a->length != b->start) {
        return false;
    }
    if (map_entry_has_offset(a)) {
        return a->offset + a->length == b->offset && a->filename && b->filename &&
               !strcmp(a->filename, b->filename);
    }
    return true;
}

/* Returns false when the entry cannot be shown in human form. */
static bool map_print(const MapEntry *e, ImgOutput output, bool first)
{
    if (output == IMG_OUTPUT_JSON) {
        printf("%s{ \"start\": %llu, \"length\": %llu, \"depth\": %d, \"present\": %s, \"zero\": "
               "%s, \"data\": %s",
               first ? "[" : ",\n", (unsigned long long)e->start, (unsigned long long)e->length,
               e->depth, (e->flags & BLOCK_STATUS_ALLOCATED) ? "true" : "false",
               (e->flags & BLOCK_STATUS_ZERO) ? "true" : "false",
               (e->flags & BLOCK_STATUS_DATA) ? "true" : "false");
        if (map_entry_has_offset(e)) {
            printf(", \"offset\": %llu", (unsigned long long)e->offset);
        }
        printf("}");
        return true;
    }
    if ((e->flags & (BLOCK_STATUS_DATA | BLOCK_STATUS_ZERO)) != BLOCK_STATUS_DATA) {
        return true;
    }
    if (!map_entry_has_offset(e)) {
        return false;
    }
    printf("%#-16llx%#-16llx%#-16llx%s\n", (unsigned long long)e->start,
           (unsigned long long)e->length, (unsigned long long)e->offset,
           e->filename ? e->filename : "");
    return true;
}

int img_cmd_map(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'O'},
                                             {"start-offset", required_argument, NULL, 's'},
                                             {"max-length", required_argument, NULL, 'l'},
                                             {"force-share", no_argument, NULL, 'U'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    const char *fmt = NULL;
    ImgOutput output = IMG_OUTPUT_HUMAN;
    uint64_t start = 0, max_len = UINT64_MAX;
    int c;
    while ((c = getopt_long(argc, argv, ":f:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'U': break;
        case 'O':
            if (!img_parse_output(optarg, &output)) {
                return IMG_EXIT_FAIL;
            }
            break;
        case 's':
            if (img_parse_size(optarg, &start) < 0) {
                img_error("Invalid start offset specified! You may use k, M, G, T, P or E "
                          "suffixes for kilobytes, megabytes, gigabytes, terabytes, petabytes "
                          "and exabytes.");
                return IMG_EXIT_FAIL;
            }
            break;
        case 'l':
            if (img_parse_size(optarg, &max_len) < 0) {
                img_error("Invalid length specified! You may use k, M, G, T, P or E suffixes for "
                          "kilobytes, megabytes, gigabytes, terabytes, petabytes and exabytes.");
                return IMG_EXIT_FAIL;
            }
            break;
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
    if (fmt && !img_check_format(NULL, fmt)) {
        return IMG_EXIT_FAIL;
    }
    char *err = NULL;
    BlockDev *bs = block_open(argv[optind], fmt, 0, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    uint64_t size = block_get_length(bs);
    uint64_t end = size;
    if (start > size) {
        start = size;
    }
    if (max_len < end - start) {
        end = start + max_len;
    }
    int ret = 0;
    if (output == IMG_OUTPUT_HUMAN) {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to", "File");
    }
    MapEntry cur = {0};
    bool have = false, first = true;
    for (uint64_t off = start; off < end;) {
        BlockStatus st;
        if (img_get_status(bs, off, end - off, true, &st, &err) < 0) {
            img_error_free(err, "Could not read the allocation status");
            ret = IMG_EXIT_FAIL;
            goto out;
        }
        MapEntry e = {.start = off,
                      .length = st.length,
                      .offset = st.host_offset,
                      .flags = st.flags,
                      .depth = st.depth,
                      .filename = st.filename};
        if (have && map_can_merge(&cur, &e)) {
            cur.length += e.length;
        } else {
            if (have) {
                if (!map_print(&cur, output, first)) {
                    goto bad;
                }
                first = false;
            }
            cur = e;
            have = true;
        }
        off += st.length;
    }
    if (!have && output == IMG_OUTPUT_JSON) {
        /* An empty image still gets one (empty) entry, as qemu-img prints. */
        cur = (MapEntry){0};
        have = true;
    }
    if (have && !map_print(&cur, output, first)) {
        goto bad;
    }
    if (output == IMG_OUTPUT_JSON) {
        printf("]\n");
    }
out:
    block_close(bs);
    return ret;
bad:
    img_error("File contains external, encrypted or compressed clusters.");
    block_close(bs);
    return IMG_EXIT_FAIL;
}

/* ---- snapshot ---- */

int img_cmd_snapshot(int argc, char **argv)
{
    static const struct option longopts[] = {{"force-share", no_argument, NULL, 'U'},
                                             {"object", required_argument, NULL, 'J'},
                                             {"image-opts", no_argument, NULL, 'I'},
                                             {NULL, 0, NULL, 0}};
    bool image_opts = false;
    char action = 0;
    const char *name = NULL;
    bool quiet = false;
    int c;
    while ((c = getopt_long(argc, argv, ":la:c:d:qU", longopts, NULL)) != -1) {
        switch (c) {
        case 'l':
        case 'a':
        case 'c':
        case 'd':
            if (action) {
                img_usage_error("Cannot mix '-l', '-a', '-c', '-d'");
                return IMG_EXIT_FAIL;
            }
            action = (char)c;
            name = optarg;
            break;
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
    const char *fmt = NULL;
    int opts_flags = 0;
    if (image_opts && !img_image_opts_argv(argv, optind, &fmt, &opts_flags)) {
        return IMG_EXIT_FAIL;
    }
    const char *filename = argv[optind];
    int flags = BLOCK_O_NO_BACKING | (action == 'l' || !action ? 0 : BLOCK_O_RDWR);
    char *err = NULL;
    BlockDev *bs = block_open(filename, fmt, flags | opts_flags, &err);
    if (!bs) {
        img_error_free(err, "Could not open image");
        return IMG_EXIT_FAIL;
    }
    if (flags & BLOCK_O_RDWR) {
        img_warn_probed_raw(bs, NULL);
    }
    int ret = 0, r;
    switch (action) {
    case 'l': {
        BlockSnapshotInfo *list = NULL;
        r = block_snapshot_list(bs, &list, &err);
        if (r > 0 && !quiet) {
            printf("Snapshot list:\n");
            info_print_snapshot_table(list, r);
        }
        if (r > 0) {
            block_snapshot_list_free(list, r);
        }
        free(err);
        break;
    }
    case 'c':
        if (block_snapshot_create(bs, name, &err) < 0) {
            img_error("Could not create snapshot '%s': %s", name, err ? err : "failed");
            free(err);
            ret = IMG_EXIT_FAIL;
        }
        break;
    case 'a':
        if (block_snapshot_apply(bs, name, &err) < 0) {
            img_error("Could not apply snapshot '%s': %s", name, err ? err : "failed");
            free(err);
            ret = IMG_EXIT_FAIL;
        }
        break;
    case 'd':
        if (block_snapshot_delete(bs, name, &err) < 0) {
            img_error("Could not delete snapshot '%s': %s", name, err ? err : "failed");
            free(err);
            ret = IMG_EXIT_FAIL;
        }
        break;
    default: break;
    }
    if (block_close(bs) < 0 && ret == 0) {
        img_error("Failed to flush the image");
        ret = IMG_EXIT_FAIL;
    }
    return ret;
}
