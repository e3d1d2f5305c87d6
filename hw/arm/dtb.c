/*
 * A small flattened device tree (DTB, version 17) builder and parser for the
 * ARM boards (hw/arm/virt.h): the tree lives in memory while the board fills
 * it, or while a -dtb file's /chosen is patched, then is serialised once.
 */
#include "hw/arm/virt.h"

#include <glib.h>
#include <string.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define FDT_HEADER     40
#define FDT_MAX_DEPTH  64

typedef struct DtbProp {
    char *name;
    uint8_t *val;
    size_t len;
} DtbProp;

struct DtbNode {
    char *name;
    GPtrArray *props;    /* DtbProp * */
    GPtrArray *children; /* DtbNode * */
};

static void dtb_prop_free(gpointer p)
{
    DtbProp *prop = p;
    g_free(prop->name);
    g_free(prop->val);
    g_free(prop);
}

static DtbNode *dtb_node_new(const char *name)
{
    DtbNode *n = g_new0(DtbNode, 1);
    n->name = g_strdup(name);
    n->props = g_ptr_array_new_with_free_func(dtb_prop_free);
    n->children = g_ptr_array_new_with_free_func((GDestroyNotify)dtb_free);
    return n;
}

DtbNode *dtb_new_root(void)
{
    return dtb_node_new("");
}

void dtb_free(DtbNode *n)
{
    if (!n) {
        return;
    }
    g_ptr_array_free(n->props, TRUE);
    g_ptr_array_free(n->children, TRUE);
    g_free(n->name);
    g_free(n);
}

DtbNode *dtb_add_node(DtbNode *parent, const char *name)
{
    DtbNode *n = dtb_node_new(name);
    g_ptr_array_add(parent->children, n);
    return n;
}

DtbNode *dtb_child(DtbNode *parent, const char *name)
{
    for (guint i = 0; i < parent->children->len; i++) {
        DtbNode *c = g_ptr_array_index(parent->children, i);
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}

DtbNode *dtb_find_path(DtbNode *root, const char *path)
{
    DtbNode *n = root;
    char **parts = g_strsplit(path, "/", -1);
    for (char **p = parts; n && *p; p++) {
        if (**p) {
            n = dtb_child(n, *p);
        }
    }
    g_strfreev(parts);
    return n;
}

DtbNode *dtb_get_or_add(DtbNode *parent, const char *name)
{
    DtbNode *n = dtb_child(parent, name);
    return n ? n : dtb_add_node(parent, name);
}

static DtbProp *dtb_prop(const DtbNode *n, const char *name)
{
    for (guint i = 0; i < n->props->len; i++) {
        DtbProp *p = g_ptr_array_index(n->props, i);
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

void dtb_set_prop(DtbNode *n, const char *name, const void *val, size_t len)
{
    DtbProp *p = dtb_prop(n, name);
    if (!p) {
        p = g_new0(DtbProp, 1);
        p->name = g_strdup(name);
        g_ptr_array_add(n->props, p);
    }
    g_free(p->val);
    p->val = len ? g_memdup2(val, len) : NULL;
    p->len = len;
}

void dtb_set_cells(DtbNode *n, const char *name, int count, const uint32_t *cells)
{
    uint32_t *be = g_new(uint32_t, count ? count : 1);
    for (int i = 0; i < count; i++) {
        be[i] = GUINT32_TO_BE(cells[i]);
    }
    dtb_set_prop(n, name, be, 4 * (size_t)count);
    g_free(be);
}

void dtb_set_u32(DtbNode *n, const char *name, uint32_t v)
{
    dtb_set_cells(n, name, 1, &v);
}

void dtb_set_u64(DtbNode *n, const char *name, uint64_t v)
{
    uint32_t c[2] = {(uint32_t)(v >> 32), (uint32_t)v};
    dtb_set_cells(n, name, 2, c);
}

void dtb_set_string(DtbNode *n, const char *name, const char *s)
{
    dtb_set_prop(n, name, s, strlen(s) + 1);
}

void dtb_set_strings(DtbNode *n, const char *name, const char *const *list)
{
    GByteArray *b = g_byte_array_new();
    for (const char *const *s = list; *s; s++) {
        g_byte_array_append(b, (const guint8 *)*s, strlen(*s) + 1);
    }
    dtb_set_prop(n, name, b->data, b->len);
    g_byte_array_free(b, TRUE);
}

bool dtb_del_prop(DtbNode *n, const char *name)
{
    DtbProp *p = dtb_prop(n, name);
    return p && g_ptr_array_remove(n->props, p);
}

const void *dtb_get_prop(const DtbNode *n, const char *name, size_t *len)
{
    DtbProp *p = dtb_prop(n, name);
    if (!p) {
        return NULL;
    }
    if (len) {
        *len = p->len;
    }
    return p->val ? (const void *)p->val : (const void *)"";
}

/* ---- serialisation ----------------------------------------------------------- */

static void put_be32(GByteArray *b, uint32_t v)
{
    uint32_t be = GUINT32_TO_BE(v);
    g_byte_array_append(b, (const guint8 *)&be, 4);
}

static void pad4(GByteArray *b)
{
    static const guint8 zero[4];
    g_byte_array_append(b, zero, (4 - b->len % 4) % 4);
}

static uint32_t string_offset(GByteArray *strings, GHashTable *seen, const char *name)
{
    gpointer off;
    if (g_hash_table_lookup_extended(seen, name, NULL, &off)) {
        return GPOINTER_TO_UINT(off);
    }
    uint32_t o = strings->len;
    g_byte_array_append(strings, (const guint8 *)name, strlen(name) + 1);
    g_hash_table_insert(seen, (gpointer)name, GUINT_TO_POINTER(o));
    return o;
}

static void serialize_node(const DtbNode *n, GByteArray *st, GByteArray *strings, GHashTable *seen)
{
    put_be32(st, FDT_BEGIN_NODE);
    g_byte_array_append(st, (const guint8 *)n->name, strlen(n->name) + 1);
    pad4(st);
    for (guint i = 0; i < n->props->len; i++) {
        DtbProp *p = g_ptr_array_index(n->props, i);
        put_be32(st, FDT_PROP);
        put_be32(st, p->len);
        put_be32(st, string_offset(strings, seen, p->name));
        if (p->len) {
            g_byte_array_append(st, p->val, p->len);
        }
        pad4(st);
    }
    for (guint i = 0; i < n->children->len; i++) {
        serialize_node(g_ptr_array_index(n->children, i), st, strings, seen);
    }
    put_be32(st, FDT_END_NODE);
}

void *dtb_serialize(const DtbNode *root, uint32_t boot_cpuid, size_t extra, size_t *len)
{
    GByteArray *st = g_byte_array_new(), *strings = g_byte_array_new();
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    serialize_node(root, st, strings, seen);
    put_be32(st, FDT_END);
    g_hash_table_destroy(seen);

    uint32_t off_rsv = FDT_HEADER; /* 8-aligned already */
    uint32_t off_struct = off_rsv + 16;
    uint32_t off_strings = off_struct + st->len;
    size_t total = off_strings + strings->len + extra;
    total = (total + 7) & ~(size_t)7;
    uint8_t *blob = g_malloc0(total);
    uint32_t hdr[10] = {FDT_MAGIC, (uint32_t)total, off_struct,   off_strings, off_rsv, 17,
                        16,        boot_cpuid,      strings->len, st->len};
    for (int i = 0; i < 10; i++) {
        uint32_t be = GUINT32_TO_BE(hdr[i]);
        memcpy(blob + 4 * i, &be, 4);
    }
    memcpy(blob + off_struct, st->data, st->len);
    memcpy(blob + off_strings, strings->data, strings->len);
    g_byte_array_free(st, TRUE);
    g_byte_array_free(strings, TRUE);
    *len = total;
    return blob;
}

/* ---- parsing ---------------------------------------------------------------- */

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

DtbNode *dtb_parse(const void *data, size_t len, char **errp)
{
    const uint8_t *b = data;
    if (len < FDT_HEADER || get_be32(b) != FDT_MAGIC) {
        *errp = g_strdup("not a flattened device tree (bad magic)");
        return NULL;
    }
    uint32_t total = get_be32(b + 4), off_struct = get_be32(b + 8), off_strings = get_be32(b + 12);
    uint32_t version = get_be32(b + 20), size_strings = get_be32(b + 32);
    uint32_t size_struct = version >= 17 ? get_be32(b + 36) : total - off_struct;
    if (total > len || version < 16 || off_struct > total || size_struct > total - off_struct ||
        off_strings > total || size_strings > total - off_strings) {
        *errp = g_strdup("device tree header is inconsistent (sizes/offsets out of range)");
        return NULL;
    }
    const uint8_t *st = b + off_struct, *strs = b + off_strings;
    size_t pos = 0;
    DtbNode *stack[FDT_MAX_DEPTH], *root = NULL;
    int depth = 0;
    const char *bad = NULL;
    while (!bad) {
        if (pos + 4 > size_struct) {
            bad = "structure block ends early";
            break;
        }
        uint32_t tok = get_be32(st + pos);
        pos += 4;
        if (tok == FDT_BEGIN_NODE) {
            const uint8_t *name = st + pos;
            const uint8_t *end = memchr(name, 0, size_struct - pos);
            if (!end) {
                bad = "unterminated node name";
                break;
            }
            pos += ((size_t)(end - name) + 1 + 3) & ~(size_t)3;
            if (depth == FDT_MAX_DEPTH || (!root && depth) || (root && !depth)) {
                bad = depth == FDT_MAX_DEPTH ? "nodes nested too deeply" : "more than one root";
                break;
            }
            DtbNode *n = depth ? dtb_add_node(stack[depth - 1], (const char *)name)
                               : (root = dtb_node_new((const char *)name));
            stack[depth++] = n;
        } else if (tok == FDT_END_NODE) {
            if (!depth) {
                bad = "unbalanced end of node";
                break;
            }
            depth--;
        } else if (tok == FDT_PROP) {
            if (!depth || pos + 8 > size_struct) {
                bad = "property outside a node";
                break;
            }
            uint32_t plen = get_be32(st + pos), nameoff = get_be32(st + pos + 4);
            pos += 8;
            if (plen > size_struct - pos || nameoff >= size_strings ||
                !memchr(strs + nameoff, 0, size_strings - nameoff)) {
                bad = "property runs out of its block";
                break;
            }
            dtb_set_prop(stack[depth - 1], (const char *)strs + nameoff, st + pos, plen);
            pos += ((size_t)plen + 3) & ~(size_t)3;
        } else if (tok == FDT_NOP) {
            continue;
        } else if (tok == FDT_END) {
            if (depth || !root) {
                bad = "tree ends inside a node";
            }
            break;
        } else {
            bad = "unknown token in the structure block";
        }
    }
    if (bad) {
        *errp = g_strdup_printf("invalid device tree: %s", bad);
        dtb_free(root);
        return NULL;
    }
    return root;
}
