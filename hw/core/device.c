/*
 * The device registry (hw/hw.h): boards register every device they create,
 * machine reset and whole-machine state save/load walk them in creation
 * order.
 *
 * Saved machine state layout (all big-endian): "MDEV" magic, u32 device
 * count, then per device: u16 id length, id bytes, u32 state length, state.
 */
#include "hw/hw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_STATE_MAGIC 0x4d444556u /* "MDEV" */

static Device *dev_head, *dev_tail;

void device_register(Device *dev, const DeviceOps *ops, const char *id)
{
    if (device_find(id)) {
        fprintf(stderr, "mimic: duplicate device id '%s'\n", id);
        abort();
    }
    dev->ops = ops;
    dev->id = strdup(id);
    if (!dev->id) {
        abort();
    }
    dev->next = NULL;
    if (dev_tail) {
        dev_tail->next = dev;
    } else {
        dev_head = dev;
    }
    dev_tail = dev;
}

void device_register_auto(Device *dev, const DeviceOps *ops)
{
    char id[96];
    const char *type = ops->type && *ops->type ? ops->type : "device";
    /* "serial0", but "i8259-0" rather than the unreadable "i82590". */
    const char *sep = type[strlen(type) - 1] >= '0' && type[strlen(type) - 1] <= '9' ? "-" : "";
    for (int n = 0;; n++) {
        snprintf(id, sizeof(id), "%s%s%d", type, sep, n);
        if (!device_find(id)) {
            device_register(dev, ops, id);
            return;
        }
    }
}

void device_unregister(Device *dev)
{
    Device *prev = NULL;
    for (Device *d = dev_head; d; prev = d, d = d->next) {
        if (d != dev) {
            continue;
        }
        if (prev) {
            prev->next = d->next;
        } else {
            dev_head = d->next;
        }
        if (dev_tail == d) {
            dev_tail = prev;
        }
        free(d->id);
        d->id = NULL;
        d->next = NULL;
        return;
    }
}

Device *device_find(const char *id)
{
    for (Device *d = dev_head; d; d = d->next) {
        if (strcmp(d->id, id) == 0) {
            return d;
        }
    }
    return NULL;
}

void device_reset_all(void)
{
    for (Device *d = dev_head; d; d = d->next) {
        if (d->ops && d->ops->reset) {
            d->ops->reset(d);
        }
    }
}

void device_foreach(void (*fn)(Device *dev, void *opaque), void *opaque)
{
    for (Device *d = dev_head, *next; d; d = next) {
        next = d->next; /* fn may unregister d */
        fn(d, opaque);
    }
}

void device_save_all(StateStream *s)
{
    uint32_t count = 0;
    for (Device *d = dev_head; d; d = d->next) {
        count++;
    }
    state_put_u32(s, DEVICE_STATE_MAGIC);
    state_put_u32(s, count);
    for (Device *d = dev_head; d; d = d->next) {
        StateStream *sub = state_stream_new_writer();
        if (d->ops && d->ops->save) {
            d->ops->save(d, sub);
        }
        size_t len;
        const void *data = state_stream_data(sub, &len);
        size_t idlen = strlen(d->id);
        state_put_u16(s, (uint16_t)idlen);
        state_put_bytes(s, d->id, idlen);
        state_put_u32(s, (uint32_t)len);
        state_put_bytes(s, data, len);
        state_stream_free(sub);
    }
}

static bool load_fail(char **errp, const char *fmt, ...)
{
    if (errp) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(errp, fmt, ap) < 0) {
            *errp = NULL;
        }
        va_end(ap);
    }
    return false;
}

bool device_load_all(StateStream *s, char **errp)
{
    uint32_t magic, count;
    if (!state_get_u32(s, &magic) || !state_get_u32(s, &count)) {
        return load_fail(errp, "device state is truncated");
    }
    if (magic != DEVICE_STATE_MAGIC) {
        return load_fail(errp, "not a device state stream (bad magic 0x%08x)", magic);
    }
    for (uint32_t i = 0; i < count; i++) {
        uint16_t idlen;
        uint32_t len;
        char id[65536];
        if (!state_get_u16(s, &idlen) || !state_get_bytes(s, id, idlen)) {
            return load_fail(errp, "device state is truncated (entry %u)", i);
        }
        id[idlen] = 0;
        if (!state_get_u32(s, &len)) {
            return load_fail(errp, "device state is truncated (device '%s')", id);
        }
        if (len > state_stream_remaining(s)) {
            return load_fail(errp, "device state is truncated (device '%s' needs %u bytes)", id,
                             len);
        }
        void *data = malloc(len ? len : 1);
        if (!data) {
            abort();
        }
        state_get_bytes(s, data, len);
        Device *d = device_find(id);
        if (!d) {
            free(data);
            return load_fail(errp, "saved state has unknown device '%s'", id);
        }
        StateStream *sub = state_stream_new_reader(data, len);
        free(data);
        bool ok = true;
        if (d->ops && d->ops->load) {
            ok = d->ops->load(d, sub);
        }
        ok = ok && state_stream_ok(sub) && state_stream_remaining(sub) == 0;
        state_stream_free(sub);
        if (!ok) {
            return load_fail(errp, "saved state of device '%s' (%s) is invalid", id,
                             d->ops && d->ops->type ? d->ops->type : "?");
        }
    }
    return true;
}
