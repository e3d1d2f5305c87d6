/*
 * libFuzzer target over -drive parsing (block/drive.c): any string a user can
 * type gets either options or one error message, never a crash or a leak.
 */
#include "block/block-io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    if (!spec) {
        return 0;
    }
    memcpy(spec, data, size);
    spec[size] = 0;

    DriveOptions o;
    char *err = NULL;
    if (drive_parse(spec, &o, &err)) {
        /* What the parser promises boards. */
        if (o.media == DRIVE_MEDIA_CDROM && !o.readonly) {
            abort();
        }
        if (!o.file && o.media == DRIVE_MEDIA_DISK) {
            abort();
        }
        (void)drive_interface_name(o.iface);
        (void)block_cache_mode_name(o.cache);
        drive_options_clear(&o);
    } else if (!err || !*err) {
        /* Messages quote what the user typed, newlines included. */
        abort();
    }
    free(err);
    free(spec);
    return 0;
}
