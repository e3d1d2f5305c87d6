/* mimic-img internals: helpers shared by the subcommand files (errors, sizes,
 * -o option lists, JSON output, progress) and the subcommand entry points. */
#ifndef TOOLS_IMG_IMG_H
#define TOOLS_IMG_IMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "block/block.h"

#define IMG_PROG "mimic-img"

/* Exit code for usage errors and most failures, as qemu-img uses. */
#define IMG_EXIT_FAIL 1

/* "mimic-img: <message>" on stderr. */
void img_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* img_error plus the "Try 'mimic-img --help'" hint: for bad command lines. */
void img_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints an errp message from the block layer (and frees it). */
void img_error_free(char *msg, const char *fallback);

/* Sizes as qemu-img reads them: decimal or 0x hex, optional fraction when a
 * suffix follows, suffixes b k M G T P E (case-insensitive, powers of 1024).
 * Returns 0, -EINVAL on bad syntax or -ERANGE above INT64_MAX. */
int img_parse_size(const char *s, uint64_t *out);
/* "10 MiB", "1.5 KiB", "0 B": three significant digits. */
void img_format_size(uint64_t v, char *buf, size_t len);

/* -o key=value,key=value lists (",," is a literal comma). Later values of a
 * key override earlier ones. */
typedef struct ImgOpt {
    char *key;
    char *value;
} ImgOpt;

typedef struct ImgOptList {
    ImgOpt *items;
    int n;
    bool help; /* "help" or "?" was among the options */
} ImgOptList;

bool img_opts_parse(ImgOptList *l, const char *s);
const char *img_opts_get(const ImgOptList *l, const char *key);
void img_opts_clear(ImgOptList *l);
/* Parses on/off style booleans. */
bool img_parse_bool(const char *s, bool *out);

/* JSON output in the layout qemu-img prints (4-space indent). */
typedef struct JsonWriter {
    FILE *out;
    int depth;
    bool first[32]; /* no member written yet at this depth */
} JsonWriter;

void json_init(JsonWriter *w, FILE *out);
void json_begin_object(JsonWriter *w, const char *key);
void json_end_object(JsonWriter *w);
void json_begin_array(JsonWriter *w, const char *key);
void json_end_array(JsonWriter *w);
void json_int(JsonWriter *w, const char *key, int64_t v);
void json_uint(JsonWriter *w, const char *key, uint64_t v);
void json_bool(JsonWriter *w, const char *key, bool v);
void json_string(JsonWriter *w, const char *key, const char *v);
/* Ends the document with a newline. */
void json_finish(JsonWriter *w);
/* Writes s as a quoted JSON string. */
void json_print_string(FILE *out, const char *s);

/* "    (12.34/100%)\r" progress lines on stdout, like qemu-img -p. */
typedef struct ImgProgress {
    bool enabled;
    double last;
} ImgProgress;

void img_progress_start(ImgProgress *p, bool enabled);
void img_progress_update(ImgProgress *p, double percent);
void img_progress_end(ImgProgress *p);

/* --output=human|json */
typedef enum ImgOutput {
    IMG_OUTPUT_HUMAN,
    IMG_OUTPUT_JSON,
} ImgOutput;

bool img_parse_output(const char *s, ImgOutput *out);

/* Resolves a backing file name relative to the directory of the image that
 * names it (absolute names are kept). malloc'd. */
char *img_backing_path(const char *image, const char *backing);

/* Whether len bytes at buf are all zero. */
bool img_is_zero(const void *buf, size_t len);

/* Parses -t/-T cache names into block_open flags; prints the error. */
bool img_parse_cache(const char *s, int *flags);

/* Reports a getopt failure (c is ':' or '?') with qemu-img's wording. */
void img_getopt_fail(int c, char **argv);

/* Turns -o options for creating an image of format fmt into BlockCreateOpts
 * (strings point into l). Checks syntax only; *size_set tells whether
 * size= was given. Prints "<prefix><problem>" and returns false on error. */
bool img_create_opts_parse(const char *prefix, const char *fmt, const ImgOptList *l,
                           BlockCreateOpts *co, uint64_t *size, bool *size_set);
/* Checks option combinations qemu-img refuses; prints the error. */
bool img_create_opts_check(const char *prefix, const char *fmt, const ImgOptList *l,
                           const BlockCreateOpts *co);
/* Lists the -o options of a format ("-o help"). */
void img_create_opts_help(const char *fmt, bool amend);
/* Whether fmt is a format mimic-img knows; prints the error if not. */
bool img_check_format(const char *filename, const char *fmt);

/* block_get_status, plus "reads as zero" for data whose host bytes are a
 * hole in the image file, as qemu-img map and measure see it. */
int img_get_status(BlockDev *bs, uint64_t offset, uint64_t len, bool follow_backing,
                   BlockStatus *st, char **errp);

/* Warns on stderr when an image opened for writing was probed as raw. */
void img_warn_probed_raw(BlockDev *bs, const char *fmt_given);

/* Opens what the snapshot a -l parameter names holds (a temporary copy of
 * filename, already unlinked); NULL after an error message. */
BlockDev *img_open_snapshot(BlockDev *orig, const char *filename, const char *param, int flags);

/* --image-opts: turns the option string in *filename (qemu's keys:
 * "driver=qcow2,file.filename=disk.qcow2", "driver=file,filename=disk.raw",
 * cache.direct, cache.no-flush) into a plain file name and format (NULL =
 * probe) and adds the cache flags to *flags. *fmt must be NULL (-f and
 * --image-opts exclude each other). Prints qemu-img's error on failure. */
bool img_image_opts_apply(const char **fmt, const char **filename, int *flags);
/* The same for a subcommand's argv[idx], replaced by the plain file name. */
bool img_image_opts_argv(char **argv, int idx, const char **fmt, int *flags);

/* Subcommands: argc/argv start at the subcommand name. Return the exit code. */
int img_cmd_create(int argc, char **argv);
int img_cmd_amend(int argc, char **argv);
int img_cmd_resize(int argc, char **argv);
int img_cmd_measure(int argc, char **argv);
int img_cmd_info(int argc, char **argv);
int img_cmd_check(int argc, char **argv);
int img_cmd_map(int argc, char **argv);
int img_cmd_snapshot(int argc, char **argv);
int img_cmd_convert(int argc, char **argv);
int img_cmd_compare(int argc, char **argv);
int img_cmd_commit(int argc, char **argv);
int img_cmd_rebase(int argc, char **argv);
int img_cmd_dd(int argc, char **argv);
int img_cmd_bitmap(int argc, char **argv);
int img_cmd_bench(int argc, char **argv);

#endif
