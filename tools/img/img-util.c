/* mimic-img helpers: error printing, size parsing and formatting, -o option
 * lists, the JSON writer and the progress line shared by every subcommand. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block/block.h"
#include "tools/img/img.h"

void img_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", IMG_PROG);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void img_usage_error(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "%s: ", IMG_PROG);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information\n", IMG_PROG);
}

void img_error_free(char *msg, const char *fallback)
{
    img_error("%s", msg ? msg : fallback);
    free(msg);
}

static int size_suffix_shift(char c)
{
    switch (tolower((unsigned char)c)) {
    case 'b': return 0;
    case 'k': return 10;
    case 'm': return 20;
    case 'g': return 30;
    case 't': return 40;
    case 'p': return 50;
    case 'e': return 60;
    default: return -1;
    }
}

int img_parse_size(const char *s, uint64_t *out)
{
    const char *p = s;
    while (isspace((unsigned char)*p)) {
        p++;
    }
    if (!isdigit((unsigned char)*p)) {
        return -EINVAL;
    }
    uint64_t whole = 0;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (hex) {
        p += 2;
        if (!isxdigit((unsigned char)*p)) {
            return -EINVAL;
        }
        while (isxdigit((unsigned char)*p)) {
            int d = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
            if (whole > (UINT64_MAX >> 4)) {
                return -ERANGE;
            }
            whole = whole * 16 + d;
            p++;
        }
    } else {
        while (isdigit((unsigned char)*p)) {
            if (whole > (UINT64_MAX - 9) / 10) {
                return -ERANGE;
            }
            whole = whole * 10 + (*p - '0');
            p++;
        }
    }
    /* A fraction is only meaningful with a unit bigger than a byte. */
    double frac = 0;
    bool has_frac = false;
    if (*p == '.' && !hex) {
        has_frac = true;
        double scale = 0.1;
        p++;
        if (!isdigit((unsigned char)*p)) {
            return -EINVAL;
        }
        while (isdigit((unsigned char)*p)) {
            frac += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
    }
    int shift = 0;
    if (*p) {
        shift = size_suffix_shift(*p);
        if (shift < 0) {
            return -EINVAL;
        }
        p++;
    }
    if (*p || (has_frac && shift == 0)) {
        return -EINVAL;
    }
    if (shift && whole > (INT64_MAX >> shift)) {
        return -ERANGE;
    }
    uint64_t v = whole << shift;
    if (has_frac) {
        v += (uint64_t)(frac * (double)(1ULL << shift));
    }
    if (v > INT64_MAX) {
        return -ERANGE;
    }
    *out = v;
    return 0;
}

void img_format_size(uint64_t v, char *buf, size_t len)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int i = 0;
    /* Switch to the next unit from 1000 of the current one, so that no
     * number ever needs four digits. */
    while (i < 6 && (double)v >= 1000.0 * (double)(1ULL << (10 * i))) {
        i++;
    }
    snprintf(buf, len, "%0.3g %s", (double)v / (double)(1ULL << (10 * i)), units[i]);
}

bool img_opts_parse(ImgOptList *l, const char *s)
{
    const char *p = s;
    while (*p) {
        /* Collect one item, turning ",," into ",". */
        size_t cap = strlen(p) + 1;
        char *item = malloc(cap);
        size_t n = 0;
        while (*p) {
            if (*p == ',') {
                if (p[1] == ',') {
                    item[n++] = ',';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            item[n++] = *p++;
        }
        item[n] = 0;
        if (n == 0) {
            free(item);
            continue;
        }
        if (!strcmp(item, "help") || !strcmp(item, "?")) {
            l->help = true;
            free(item);
            continue;
        }
        char *eq = strchr(item, '=');
        if (!eq) {
            img_error("Invalid parameter '%s'", item);
            free(item);
            return false;
        }
        *eq = 0;
        l->items = realloc(l->items, sizeof(*l->items) * (l->n + 1));
        l->items[l->n].key = strdup(item);
        l->items[l->n].value = strdup(eq + 1);
        l->n++;
        free(item);
    }
    return true;
}

const char *img_opts_get(const ImgOptList *l, const char *key)
{
    for (int i = l->n - 1; i >= 0; i--) {
        if (!strcmp(l->items[i].key, key)) {
            return l->items[i].value;
        }
    }
    return NULL;
}

void img_opts_clear(ImgOptList *l)
{
    for (int i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

bool img_parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(s, "off") || !strcmp(s, "no") || !strcmp(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

/* ---- JSON ---- */

void json_init(JsonWriter *w, FILE *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->first[0] = true;
}

static void json_indent(JsonWriter *w)
{
    for (int i = 0; i < w->depth; i++) {
        fputs("    ", w->out);
    }
}

void json_print_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                fprintf(out, "\\u%04x", *p);
            } else {
                fputc(*p, out);
            }
        }
    }
    fputc('"', out);
}

/* Starts a member: separator, newline, indent and the key inside objects. */
static void json_member(JsonWriter *w, const char *key)
{
    if (w->depth > 0) {
        fputs(w->first[w->depth] ? "\n" : ",\n", w->out);
        json_indent(w);
    }
    w->first[w->depth] = false;
    if (key) {
        json_print_string(w->out, key);
        fputs(": ", w->out);
    }
}

static void json_open(JsonWriter *w, const char *key, char c)
{
    json_member(w, key);
    fputc(c, w->out);
    if (w->depth < 31) {
        w->depth++;
    }
    w->first[w->depth] = true;
}

static void json_close(JsonWriter *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    /* qemu's pretty printer breaks the line even in an empty list. */
    if (!empty || c == ']') {
        fputc('\n', w->out);
        json_indent(w);
    }
    fputc(c, w->out);
}

void json_begin_object(JsonWriter *w, const char *key)
{
    json_open(w, key, '{');
}

void json_end_object(JsonWriter *w)
{
    json_close(w, '}');
}

void json_begin_array(JsonWriter *w, const char *key)
{
    json_open(w, key, '[');
}

void json_end_array(JsonWriter *w)
{
    json_close(w, ']');
}

void json_int(JsonWriter *w, const char *key, int64_t v)
{
    json_member(w, key);
    fprintf(w->out, "%lld", (long long)v);
}

void json_uint(JsonWriter *w, const char *key, uint64_t v)
{
    json_member(w, key);
    fprintf(w->out, "%llu", (unsigned long long)v);
}

void json_bool(JsonWriter *w, const char *key, bool v)
{
    json_member(w, key);
    fputs(v ? "true" : "false", w->out);
}

void json_string(JsonWriter *w, const char *key, const char *v)
{
    json_member(w, key);
    json_print_string(w->out, v);
}

void json_finish(JsonWriter *w)
{
    fputc('\n', w->out);
}

/* ---- progress ---- */

void img_progress_start(ImgProgress *p, bool enabled)
{
    p->enabled = enabled;
    p->last = -100;
    img_progress_update(p, 0);
}

void img_progress_update(ImgProgress *p, double percent)
{
    if (!p->enabled) {
        return;
    }
    if (percent > 100) {
        percent = 100;
    }
    /* One line per whole percent keeps the terminal traffic small. */
    if (percent - p->last < 1.0 && percent < 100) {
        return;
    }
    if (percent == p->last) {
        return;
    }
    p->last = percent;
    printf("    (%.2f/100%%)\r", percent);
    fflush(stdout);
}

void img_progress_end(ImgProgress *p)
{
    if (!p->enabled) {
        return;
    }
    img_progress_update(p, 100);
    printf("\n");
    fflush(stdout);
}

bool img_parse_output(const char *s, ImgOutput *out)
{
    if (!strcmp(s, "human")) {
        *out = IMG_OUTPUT_HUMAN;
        return true;
    }
    if (!strcmp(s, "json")) {
        *out = IMG_OUTPUT_JSON;
        return true;
    }
    img_usage_error("--output must be used with human or json as argument.");
    return false;
}

char *img_backing_path(const char *image, const char *backing)
{
    const char *slash = strrchr(image, '/');
    if (backing[0] == '/' || !slash) {
        return strdup(backing);
    }
    size_t dirlen = slash - image + 1;
    char *r = malloc(dirlen + strlen(backing) + 1);
    memcpy(r, image, dirlen);
    strcpy(r + dirlen, backing);
    return r;
}

bool img_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    /* Compare the buffer with itself shifted by one: all bytes equal the
     * first, which is zero. */
    if (len == 0) {
        return true;
    }
    return p[0] == 0 && memcmp(p, p + 1, len - 1) == 0;
}

bool img_parse_cache(const char *s, int *flags)
{
    if (block_parse_cache_mode(s, flags) < 0) {
        img_error("Invalid cache option: %s", s);
        return false;
    }
    return true;
}

void img_getopt_fail(int c, char **argv)
{
    const char *arg = argv[optind - 1];
    char shortopt[3] = {'-', (char)optopt, 0};
    /* For a bundled short option argv[optind-1] is the whole bundle; name
     * the letter itself then. */
    if (optopt && arg[0] == '-' && arg[1] != '-') {
        arg = shortopt;
    }
    if (c == ':') {
        img_usage_error("missing argument for option '%s'", arg);
    } else {
        img_usage_error("unrecognized option '%s'", arg);
    }
}

/* ---- block status refined by the host file's holes ---- */

typedef struct HostFile {
    char *name;
    int fd;
} HostFile;

static HostFile host_files[16];

static int host_file_fd(const char *name)
{
    for (size_t i = 0; i < sizeof(host_files) / sizeof(host_files[0]); i++) {
        if (host_files[i].name && !strcmp(host_files[i].name, name)) {
            return host_files[i].fd;
        }
        if (!host_files[i].name) {
            host_files[i].name = strdup(name);
            host_files[i].fd = open(name, O_RDONLY | O_CLOEXEC);
            return host_files[i].fd;
        }
    }
    return -1;
}

int img_get_status(BlockDev *bs, uint64_t offset, uint64_t len, bool follow_backing,
                   BlockStatus *st, char **errp)
{
    int r = block_get_status(bs, offset, len, follow_backing, st, errp);
    if (r < 0) {
        return r;
    }
    unsigned need = BLOCK_STATUS_DATA | BLOCK_STATUS_OFFSET_VALID;
    if ((st->flags & need) != need || (st->flags & (BLOCK_STATUS_ZERO | BLOCK_STATUS_COMPRESSED)) ||
        !st->filename) {
        return r;
    }
    /* Data clusters whose host bytes are a hole (preallocated metadata, or
     * past the end of the file) read as zeroes: qemu-img reports them with
     * "zero": true, and measure does not count them. */
    int fd = host_file_fd(st->filename);
    if (fd < 0) {
        return r;
    }
    off_t host = (off_t)st->host_offset;
    off_t data = lseek(fd, host, SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) {
            st->flags |= BLOCK_STATUS_ZERO; /* nothing but hole from here on */
        }
        return r;
    }
    if (data > host) {
        st->flags |= BLOCK_STATUS_ZERO;
        if ((uint64_t)(data - host) < st->length) {
            st->length = data - host;
        }
        return r;
    }
    off_t hole = lseek(fd, host, SEEK_HOLE);
    if (hole > host && (uint64_t)(hole - host) < st->length) {
        st->length = hole - host;
    }
    return r;
}

void img_warn_probed_raw(BlockDev *bs, const char *fmt_given)
{
    if (fmt_given || strcmp(block_get_format(bs), "raw")) {
        return;
    }
    /* Anything can be in a raw file, so writing to a file whose format was
     * only guessed is worth a warning, as qemu-img gives it. */
    fflush(stdout);
    fprintf(stderr,
            "WARNING: Image format was not specified for '%s' and probing guessed raw.\n"
            "         Specify the 'raw' format explicitly (-f raw) to silence this warning.\n",
            block_get_filename(bs));
}

/* ---- --image-opts ---- */

/* File names made from option strings live until exit, like argv. */
static char **image_opts_names;
static size_t image_opts_nb;

static void image_opts_free_names(void)
{
    for (size_t i = 0; i < image_opts_nb; i++) {
        free(image_opts_names[i]);
    }
    free(image_opts_names);
    image_opts_names = NULL;
    image_opts_nb = 0;
}

static const char *image_opts_keep(const char *name)
{
    char *copy = strdup(name);
    char **n = realloc(image_opts_names, sizeof(*n) * (image_opts_nb + 1));
    if (!copy || !n) {
        free(copy);
        if (n) {
            image_opts_names = n;
        }
        return NULL;
    }
    if (!image_opts_names) {
        atexit(image_opts_free_names);
    }
    image_opts_names = n;
    n[image_opts_nb++] = copy;
    return copy;
}

bool img_image_opts_apply(const char **fmt, const char **filename, int *flags)
{
    const char *spec = *filename;
    if (*fmt) {
        img_error("--image-opts and --format are mutually exclusive");
        return false;
    }
    /* A first item without '=' is qemu's implied "file" key: a node name. */
    size_t first = strcspn(spec, ",");
    if (!memchr(spec, '=', first)) {
        img_error("Could not open '%s': Cannot find device='%.*s' nor node-name='%.*s'", spec,
                  (int)first, spec, (int)first, spec);
        return false;
    }
    ImgOptList l = {0};
    if (!img_opts_parse(&l, spec)) {
        img_opts_clear(&l);
        return false;
    }
    const char *driver = img_opts_get(&l, "driver");
    const char *name = NULL;
    bool ok = true;
    if (driver && strcmp(driver, "qcow2") && strcmp(driver, "raw") && strcmp(driver, "file")) {
        img_error("Could not open '%s': Unknown driver '%s'", spec, driver);
        ok = false;
    }
    for (int i = 0; ok && i < l.n; i++) {
        const char *k = l.items[i].key, *v = l.items[i].value;
        bool is_file = driver && !strcmp(driver, "file");
        bool flag = false, on = false;
        if (!strcmp(k, "driver")) {
            continue;
        } else if (!strcmp(k, is_file ? "filename" : "file.filename")) {
            name = v;
        } else if (!is_file && !strcmp(k, "file.driver")) {
            if (strcmp(v, "file")) {
                img_error("Could not open '%s': Unknown protocol driver '%s'", spec, v);
                ok = false;
            }
        } else if (!is_file && !strcmp(k, "file")) {
            img_error("Could not open '%s': Cannot find device='%s' nor node-name='%s'", spec, v,
                      v);
            ok = false;
        } else if (!strcmp(k, "cache.direct") || !strcmp(k, "cache.no-flush")) {
            flag = true;
        } else if (!strcmp(k, is_file ? "locking" : "file.locking") ||
                   !strcmp(k, is_file ? "aio" : "file.aio") || !strcmp(k, "read-only") ||
                   !strcmp(k, "force-share") || !strcmp(k, "discard") ||
                   !strcmp(k, "detect-zeroes")) {
            /* Accepted; they change nothing mimic-img could do differently. */
        } else {
            img_error("Could not open '%s': Block format '%s' does not support the option '%s'",
                      spec, driver ? driver : "qcow2", k);
            ok = false;
        }
        if (ok && flag) {
            if (!img_parse_bool(v, &on)) {
                img_error("Could not open '%s': Parameter '%s' expects 'on' or 'off'", spec, k);
                ok = false;
            } else if (on) {
                *flags |=
                    !strcmp(k, "cache.direct") ? BLOCK_O_CACHE_DIRECT : BLOCK_O_CACHE_NO_FLUSH;
            }
        }
    }
    if (ok && !name) {
        img_error("Could not open '%s': A block device must be specified for \"file\"", spec);
        ok = false;
    }
    if (ok) {
        /* The "file" protocol driver is the raw bytes of the file. */
        *fmt = driver ? (strcmp(driver, "file") ? image_opts_keep(driver) : "raw") : NULL;
        *filename = image_opts_keep(name);
        if (!*filename || (driver && !*fmt)) {
            img_error("Out of memory");
            ok = false;
        }
    }
    img_opts_clear(&l);
    return ok;
}

bool img_image_opts_argv(char **argv, int idx, const char **fmt, int *flags)
{
    const char *name = argv[idx];
    if (!img_image_opts_apply(fmt, &name, flags)) {
        return false;
    }
    argv[idx] = (char *)name;
    return true;
}
