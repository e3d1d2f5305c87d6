/*
 * StateStream (hw/hw.h): the big-endian byte stream devices save their
 * state into for snapshots and migration. Readers never run past the end:
 * a short stream marks itself bad and every later get fails.
 */
#include "hw/hw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct StateStream {
    uint8_t *buf;
    size_t len, cap, pos;
    bool writer;
    bool bad;
};

StateStream *state_stream_new_writer(void)
{
    StateStream *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->writer = true;
    return s;
}

StateStream *state_stream_new_reader(const void *data, size_t len)
{
    StateStream *s = calloc(1, sizeof(*s));
    if (!s) {
        abort();
    }
    s->buf = malloc(len ? len : 1);
    if (!s->buf) {
        abort();
    }
    if (len) {
        memcpy(s->buf, data, len);
    }
    s->len = len;
    return s;
}

void state_stream_free(StateStream *s)
{
    if (s) {
        free(s->buf);
        free(s);
    }
}

const void *state_stream_data(StateStream *s, size_t *len)
{
    *len = s->len;
    return s->buf;
}

void state_put_bytes(StateStream *s, const void *p, size_t len)
{
    if (!s->writer) {
        s->bad = true;
        return;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->len + len) {
            cap *= 2;
        }
        uint8_t *b = realloc(s->buf, cap);
        if (!b) {
            fprintf(stderr, "mimic: out of memory\n");
            abort();
        }
        s->buf = b;
        s->cap = cap;
    }
    if (len) {
        memcpy(s->buf + s->len, p, len);
    }
    s->len += len;
}

static void put_be(StateStream *s, uint64_t v, int size)
{
    uint8_t b[8];
    for (int i = 0; i < size; i++) {
        b[i] = (uint8_t)(v >> (8 * (size - 1 - i)));
    }
    state_put_bytes(s, b, size);
}

void state_put_u8(StateStream *s, uint8_t v)
{
    put_be(s, v, 1);
}

void state_put_u16(StateStream *s, uint16_t v)
{
    put_be(s, v, 2);
}

void state_put_u32(StateStream *s, uint32_t v)
{
    put_be(s, v, 4);
}

void state_put_u64(StateStream *s, uint64_t v)
{
    put_be(s, v, 8);
}

bool state_get_bytes(StateStream *s, void *p, size_t len)
{
    if (s->bad || s->writer || len > s->len - s->pos) {
        s->bad = true;
        if (len) {
            memset(p, 0, len);
        }
        return false;
    }
    if (len) {
        memcpy(p, s->buf + s->pos, len);
    }
    s->pos += len;
    return true;
}

static bool get_be(StateStream *s, uint64_t *v, int size)
{
    uint8_t b[8];
    *v = 0;
    if (!state_get_bytes(s, b, size)) {
        return false;
    }
    for (int i = 0; i < size; i++) {
        *v = (*v << 8) | b[i];
    }
    return true;
}

bool state_get_u8(StateStream *s, uint8_t *v)
{
    uint64_t x;
    bool ok = get_be(s, &x, 1);
    *v = (uint8_t)x;
    return ok;
}

bool state_get_u16(StateStream *s, uint16_t *v)
{
    uint64_t x;
    bool ok = get_be(s, &x, 2);
    *v = (uint16_t)x;
    return ok;
}

bool state_get_u32(StateStream *s, uint32_t *v)
{
    uint64_t x;
    bool ok = get_be(s, &x, 4);
    *v = (uint32_t)x;
    return ok;
}

bool state_get_u64(StateStream *s, uint64_t *v)
{
    return get_be(s, v, 8);
}

bool state_stream_ok(const StateStream *s)
{
    return !s->bad;
}

size_t state_stream_remaining(const StateStream *s)
{
    return s->writer ? 0 : s->len - s->pos;
}
