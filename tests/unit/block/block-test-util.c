/* Helpers shared by the block layer unit tests (see block-test-util.h). */
#include "block-test-util.h"
#include "tests/unit/scratch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each test case's images (up to hundreds of MiB) go when its process exits. */
static char bt_dir[256];

const char *bt_path(const char *name)
{
    static char buf[8][512];
    static int next;
    if (!bt_dir[0]) {
        scratch_dir(bt_dir, sizeof(bt_dir), "mimic-block-test");
    }
    char *dir = bt_dir;
    char *p = buf[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

bool bt_have_qemu(void)
{
    return access("/usr/bin/qemu-img", X_OK) == 0 && access("/usr/bin/qemu-io", X_OK) == 0;
}

int bt_run(char **out, const char *fmt, ...)
{
    char *cmd;
    va_list ap;
    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 4096, len = 0;
    char *o = malloc(cap);
    size_t n;
    while ((n = fread(o + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024) {
            cap *= 2;
            o = realloc(o, cap);
        }
    }
    o[len] = 0;
    int st = pclose(p);
    free(cmd);
    if (out)
        *out = o;
    else
        free(o);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void bt_fill(uint8_t *buf, size_t len, uint64_t seed)
{
    uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
}

void bt_write_file(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    fclose(f);
}

uint8_t *bt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

void bt_assert_contents(BlockDev *bs, const uint8_t *expect, uint64_t len)
{
    ck_assert_uint_eq(block_get_length(bs), len);
    uint8_t *buf = malloc(len);
    char *err = NULL;
    int ret = block_read(bs, 0, buf, len, &err);
    ck_assert_msg(ret == 0, "read failed: %s", err ? err : "?");
    for (uint64_t i = 0; i < len; i++) {
        if (buf[i] != expect[i])
            ck_abort_msg("byte %llu differs: got %#x want %#x", (unsigned long long)i, buf[i],
                         expect[i]);
    }
    free(buf);
}

void bt_assert_qemu_agrees(const char *image, const uint8_t *expect, uint64_t len)
{
    if (!bt_have_qemu())
        return;
    char *out = NULL;
    int st = bt_run(&out, "qemu-img check '%s' 2>&1", image);
    ck_assert_msg(st == 0, "qemu-img check exit %d: %s", st, out);
    ck_assert_ptr_nonnull(strstr(out, "No errors were found on the image."));
    free(out);
    const char *raw = bt_path("expect.raw");
    bt_write_file(raw, expect, len);
    st = bt_run(&out, "qemu-img compare -f raw '%s' '%s' 2>&1", raw, image);
    ck_assert_msg(st == 0, "qemu-img compare exit %d: %s", st, out);
    free(out);
}

BlockDev *bt_open(const char *path, int flags)
{
    char *err = NULL;
    BlockDev *bs = block_open(path, NULL, flags, &err);
    ck_assert_msg(bs != NULL, "open %s: %s", path, err ? err : "?");
    return bs;
}

/* Our block status, formatted like `qemu-img map --output=json`, must match
 * what qemu-img prints for the same image. */
char *bt_map_json(const char *img)
{
    BlockDev *bs = bt_open(img, 0);
    uint64_t size = block_get_length(bs), off = 0;
    char *out = calloc(1, 1);
    size_t len = 0;
    struct {
        uint64_t start, length, offset;
        int depth;
        bool present, zero, data, has_off;
    } cur = {0}, e;
    bool have = false;
    while (off < size) {
        BlockStatus st;
        char *err = NULL;
        ck_assert_msg(block_get_status(bs, off, size - off, true, &st, &err) == 0, "status: %s",
                      err);
        e.start = off;
        e.length = st.length;
        e.depth = st.depth;
        e.present = st.flags & BLOCK_STATUS_ALLOCATED;
        e.zero = st.flags & BLOCK_STATUS_ZERO;
        e.data = st.flags & BLOCK_STATUS_DATA;
        e.has_off = st.flags & BLOCK_STATUS_OFFSET_VALID;
        e.offset = st.host_offset;
        if (have && cur.depth == e.depth && cur.present == e.present && cur.zero == e.zero &&
            cur.data == e.data && cur.has_off == e.has_off &&
            (!cur.has_off || cur.offset + cur.length == e.offset)) {
            cur.length += e.length;
        } else {
            if (have) {
                char line[256];
                int n = snprintf(line, sizeof(line),
                                 "%s{ \"start\": %llu, \"length\": %llu, \"depth\": %d, "
                                 "\"present\": %s, \"zero\": %s, \"data\": %s",
                                 len ? ",\n" : "[", (unsigned long long)cur.start,
                                 (unsigned long long)cur.length, cur.depth,
                                 cur.present ? "true" : "false", cur.zero ? "true" : "false",
                                 cur.data ? "true" : "false");
                if (cur.has_off)
                    n += snprintf(line + n, sizeof(line) - (size_t)n, ", \"offset\": %llu",
                                  (unsigned long long)cur.offset);
                snprintf(line + n, sizeof(line) - (size_t)n, "}");
                out = realloc(out, len + strlen(line) + 1);
                strcpy(out + len, line);
                len += strlen(line);
            }
            cur = e;
            have = true;
        }
        off += st.length;
    }
    char line[256];
    int n = snprintf(line, sizeof(line),
                     "%s{ \"start\": %llu, \"length\": %llu, \"depth\": %d, \"present\": %s, "
                     "\"zero\": %s, \"data\": %s",
                     len ? ",\n" : "[", (unsigned long long)cur.start,
                     (unsigned long long)cur.length, cur.depth, cur.present ? "true" : "false",
                     cur.zero ? "true" : "false", cur.data ? "true" : "false");
    if (cur.has_off)
        n += snprintf(line + n, sizeof(line) - (size_t)n, ", \"offset\": %llu",
                      (unsigned long long)cur.offset);
    snprintf(line + n, sizeof(line) - (size_t)n, "}]\n");
    out = realloc(out, len + strlen(line) + 1);
    strcpy(out + len, line);
    block_close(bs);
    return out;
}
