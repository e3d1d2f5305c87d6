/*
 * -drive: parses QEMU-style drive options into DriveOptions for boards, and
 * opens the image behind them (cache mode flags, snapshot=on overlays).
 */
#include "block/block-io.h"
#include "block/block.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const drive_if_names[] = {
    [DRIVE_IF_DEFAULT] = "default", [DRIVE_IF_NONE] = "none",     [DRIVE_IF_IDE] = "ide",
    [DRIVE_IF_SCSI] = "scsi",       [DRIVE_IF_FLOPPY] = "floppy", [DRIVE_IF_PFLASH] = "pflash",
    [DRIVE_IF_MTD] = "mtd",         [DRIVE_IF_SD] = "sd",         [DRIVE_IF_VIRTIO] = "virtio",
};

const char *drive_interface_name(DriveInterface iface)
{
    if ((unsigned)iface < G_N_ELEMENTS(drive_if_names)) {
        return drive_if_names[iface];
    }
    return "?";
}

/* QEMU's boolean spellings. */
static bool drive_parse_bool(const char *key, const char *val, bool *out, char **errp)
{
    static const char *const yes[] = {"on", "yes", "true", "y"};
    static const char *const no[] = {"off", "no", "false", "n"};
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(val, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(val, no[i])) {
            *out = false;
            return true;
        }
    }
    *errp = g_strdup_printf("-drive: %s=%s: expected 'on' or 'off'", key, val);
    return false;
}

static bool drive_parse_uint(const char *key, const char *val, int max, int *out, char **errp)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (!*val || *end || errno || v < 0 || v > max) {
        *errp = g_strdup_printf("-drive: %s=%s: expected a number from 0 to %d", key, val, max);
        return false;
    }
    *out = (int)v;
    return true;
}

/* Splits at the next unescaped ',' and un-doubles ",,". Returns the item
 * (owned by the caller) and advances *p past the separator. */
static char *drive_next_item(const char **p)
{
    GString *s = g_string_new(NULL);
    const char *q = *p;
    while (*q) {
        if (*q == ',') {
            if (q[1] == ',') {
                g_string_append_c(s, ',');
                q += 2;
                continue;
            }
            q++;
            break;
        }
        g_string_append_c(s, *q++);
    }
    *p = q;
    return g_string_free(s, FALSE);
}

static bool drive_set_option(DriveOptions *o, const char *key, const char *val, char **errp)
{
    static const char *const bool_keys[] = {"readonly", "snapshot"};
    bool is_bool = false;
    for (size_t i = 0; i < G_N_ELEMENTS(bool_keys); i++) {
        is_bool |= !strcmp(key, bool_keys[i]);
    }
    if (!val) {
        /* QEMU still takes a bare "readonly" as readonly=on. */
        if (!is_bool) {
            *errp = g_strdup_printf("-drive: '%s' needs a value (%s=...)", key, key);
            return false;
        }
        val = "on";
    }

    if (!strcmp(key, "file")) {
        g_free(o->file);
        o->file = *val ? g_strdup(val) : NULL;
    } else if (!strcmp(key, "format")) {
        /* The formats block.h's drivers know; checked here so that the
         * message names the option rather than a file. */
        if (strcmp(val, "raw") && strcmp(val, "qcow2")) {
            *errp = g_strdup_printf("-drive: format=%s: unknown format (raw, qcow2)", val);
            return false;
        }
        g_free(o->format);
        o->format = g_strdup(val);
    } else if (!strcmp(key, "id")) {
        /* Ids are referenced from -device ...,drive=ID, so keep them simple. */
        bool ok = g_ascii_isalpha(val[0]);
        for (const char *c = val; *c && ok; c++) {
            ok = g_ascii_isalnum(*c) || *c == '-' || *c == '_' || *c == '.';
        }
        if (!ok) {
            *errp = g_strdup_printf("-drive: id=%s: an id starts with a letter and holds only "
                                    "letters, digits, '-', '_' and '.'",
                                    val);
            return false;
        }
        g_free(o->id);
        o->id = g_strdup(val);
    } else if (!strcmp(key, "if")) {
        for (size_t i = DRIVE_IF_NONE; i < G_N_ELEMENTS(drive_if_names); i++) {
            if (!strcmp(val, drive_if_names[i])) {
                o->iface = (DriveInterface)i;
                return true;
            }
        }
        *errp = g_strdup_printf("-drive: if=%s: unknown interface (ide, scsi, floppy, pflash, "
                                "mtd, sd, virtio, none)",
                                val);
        return false;
    } else if (!strcmp(key, "index")) {
        return drive_parse_uint(key, val, 255, &o->index, errp);
    } else if (!strcmp(key, "bus")) {
        return drive_parse_uint(key, val, 255, &o->bus, errp);
    } else if (!strcmp(key, "unit")) {
        return drive_parse_uint(key, val, 255, &o->unit, errp);
    } else if (!strcmp(key, "media")) {
        if (!strcmp(val, "disk")) {
            o->media = DRIVE_MEDIA_DISK;
        } else if (!strcmp(val, "cdrom")) {
            o->media = DRIVE_MEDIA_CDROM;
        } else {
            *errp = g_strdup_printf("-drive: media=%s: expected 'disk' or 'cdrom'", val);
            return false;
        }
    } else if (!strcmp(key, "cache")) {
        char *err = NULL;
        if (!block_cache_mode_parse(val, &o->cache, &err)) {
            *errp = g_strdup_printf("-drive: cache=%s: %s", val, err);
            g_free(err);
            return false;
        }
    } else if (!strcmp(key, "readonly")) {
        return drive_parse_bool(key, val, &o->readonly, errp);
    } else if (!strcmp(key, "snapshot")) {
        return drive_parse_bool(key, val, &o->snapshot, errp);
    } else if (!strcmp(key, "aio")) {
        /* Every backend runs through our thread pool; accept QEMU's other
         * names so existing command lines keep working. */
        if (strcmp(val, "threads") && strcmp(val, "native") && strcmp(val, "io_uring")) {
            *errp = g_strdup_printf("-drive: aio=%s: expected 'threads'", val);
            return false;
        }
    } else if (!strcmp(key, "discard")) {
        if (!strcmp(val, "unmap") || !strcmp(val, "on")) {
            o->discard = true;
        } else if (!strcmp(val, "ignore") || !strcmp(val, "off")) {
            o->discard = false;
        } else {
            *errp = g_strdup_printf("-drive: discard=%s: expected 'unmap' or 'ignore'", val);
            return false;
        }
    } else {
        *errp = g_strdup_printf("-drive: unknown option '%s'", key);
        return false;
    }
    return true;
}

bool drive_parse(const char *spec, DriveOptions *opts, char **errp)
{
    DriveOptions o = {
        .iface = DRIVE_IF_DEFAULT,
        .index = -1,
        .bus = -1,
        .unit = -1,
        .media = DRIVE_MEDIA_DISK,
        .cache = BLOCK_CACHE_WRITEBACK,
    };
    const char *p = spec ? spec : "";
    while (*p) {
        char *item = drive_next_item(&p);
        if (!*item) {
            g_free(item);
            continue;
        }
        char *eq = strchr(item, '=');
        if (eq) {
            *eq = 0;
        }
        bool ok = drive_set_option(&o, item, eq ? eq + 1 : NULL, errp);
        g_free(item);
        if (!ok) {
            drive_options_clear(&o);
            return false;
        }
    }
    if (o.index >= 0 && (o.bus >= 0 || o.unit >= 0)) {
        *errp = g_strdup_printf("-drive: index= cannot be combined with bus= or unit=");
        drive_options_clear(&o);
        return false;
    }
    if (o.media == DRIVE_MEDIA_CDROM) {
        o.readonly = true;
    }
    if (!o.file && o.media == DRIVE_MEDIA_DISK) {
        *errp = g_strdup_printf("-drive: file= is required for media=disk");
        drive_options_clear(&o);
        return false;
    }
    if (o.snapshot && !o.file) {
        *errp = g_strdup_printf("-drive: snapshot=on needs a file=");
        drive_options_clear(&o);
        return false;
    }
    *opts = o;
    return true;
}

void drive_options_clear(DriveOptions *opts)
{
    g_free(opts->file);
    g_free(opts->format);
    g_free(opts->id);
    opts->file = opts->format = opts->id = NULL;
}

/* snapshot=on: a qcow2 overlay in $TMPDIR on top of the user's image. */
static BlockDev *drive_open_snapshot(const DriveOptions *o, int flags, char **errp)
{
    char *berr = NULL;
    /* Opened once to learn its size and format, which the overlay records so
     * that it is never probed again. */
    BlockDev *base = block_open(o->file, o->format, 0, &berr);
    if (!base) {
        *errp = g_strdup_printf("-drive: %s", berr);
        free(berr);
        return NULL;
    }
    char *fmt = g_strdup(block_get_format(base));
    uint64_t size = block_get_length(base);
    block_close(base);

    /* The overlay lives elsewhere, so it must name its backing file by an
     * absolute path. */
    char *abs = realpath(o->file, NULL);
    if (!abs) {
        *errp = g_strdup_printf("-drive: %s: %s", o->file, g_strerror(errno));
        g_free(fmt);
        return NULL;
    }
    char *path = g_build_filename(g_get_tmp_dir(), "mimic-snapshot-XXXXXX", NULL);
    int fd = g_mkstemp(path);
    if (fd < 0) {
        *errp = g_strdup_printf("-drive: cannot create a snapshot overlay in %s: %s",
                                g_get_tmp_dir(), g_strerror(errno));
        g_free(path);
        g_free(fmt);
        free(abs);
        return NULL;
    }
    close(fd);

    BlockCreateOpts copts = {.backing_file = abs, .backing_fmt = fmt};
    BlockDev *bs = NULL;
    if (block_create(path, "qcow2", size, &copts, &berr) == 0) {
        bs = block_open(path, "qcow2", flags, &berr);
    }
    if (!bs) {
        *errp = g_strdup_printf("-drive: snapshot overlay: %s", berr);
        free(berr);
    }
    /* Open or not, the name can go: the open descriptor keeps the data, and
     * nothing is left behind if we crash. */
    unlink(path);
    g_free(path);
    g_free(fmt);
    free(abs);
    return bs;
}

/* Every open drive, so that mimic can close (and flush) them all at exit:
 * qcow2 keeps metadata in caches until then. Touched under the global lock
 * (boards open drives at init, teardown closes them). */
static GPtrArray *open_drives;

Drive *drive_open(const DriveOptions *opts, char **errp)
{
    Drive *d = g_new0(Drive, 1);
    d->opts = *opts;
    d->opts.file = g_strdup(opts->file);
    d->opts.format = g_strdup(opts->format);
    d->opts.id = g_strdup(opts->id);
    if (!opts->file) {
        return d;
    }

    int flags = block_cache_mode_flags(opts->cache);
    if (!opts->readonly) {
        flags |= BLOCK_O_RDWR;
    }
    if (opts->snapshot) {
        d->bs = drive_open_snapshot(opts, flags, errp);
    } else {
        char *berr = NULL;
        d->bs = block_open(opts->file, opts->format, flags, &berr);
        if (!d->bs) {
            *errp = g_strdup_printf("-drive: %s", berr);
            free(berr);
        }
    }
    if (!d->bs) {
        drive_options_clear(&d->opts);
        g_free(d);
        return NULL;
    }
    d->size = block_get_length(d->bs);
    block_aio_attach(d->bs, opts->cache);
    if (!open_drives) {
        open_drives = g_ptr_array_new();
    }
    g_ptr_array_add(open_drives, d);
    return d;
}

void drive_close(Drive *drive)
{
    if (!drive) {
        return;
    }
    if (open_drives) {
        g_ptr_array_remove(open_drives, drive);
    }
    if (drive->bs) {
        block_aio_detach(drive->bs);
        /* block_close flushes, and the driver skips that for cache=unsafe. */
        block_close(drive->bs);
    }
    drive_options_clear(&drive->opts);
    g_free(drive);
}

void drive_close_all(void)
{
    while (open_drives && open_drives->len) {
        drive_close(g_ptr_array_index(open_drives, open_drives->len - 1));
    }
}
