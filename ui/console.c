/*
 * Display surfaces and graphic consoles (ui/ui.h): the pixels a display
 * device produces, the dirty rectangles it reports, and PPM screen dumps.
 */
#include "ui/ui-internal.h"
#include "ui/ui.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

struct DisplaySurface {
    int width, height, stride;
    UiPixelFormat format;
    uint8_t *data;
    bool owns_data;
};

struct GraphicConsole {
    char *name;
    const GraphicHwOps *ops;
    void *opaque;
    DisplaySurface *surface;
    /* Bounding box of what changed since the display last looked. */
    int dirty_x0, dirty_y0, dirty_x1, dirty_y1;
    GraphicConsole *next;
};

static GraphicConsole *consoles;

static int ui_bytes_per_pixel(UiPixelFormat f)
{
    switch (f) {
    case UI_FORMAT_XRGB8888: return 4;
    case UI_FORMAT_RGB888: return 3;
    case UI_FORMAT_RGB565:
    case UI_FORMAT_XRGB1555:
    case UI_FORMAT_BGR565: return 2;
    }
    return 4;
}

DisplaySurface *display_surface_new(int width, int height, UiPixelFormat format)
{
    if (width <= 0 || height <= 0 || width > 16384 || height > 16384) {
        return NULL;
    }
    int stride = width * ui_bytes_per_pixel(format);
    DisplaySurface *s = display_surface_new_from_data(width, height, format, stride,
                                                      g_malloc0((size_t)stride * height));
    s->owns_data = true;
    return s;
}

DisplaySurface *display_surface_new_from_data(int width, int height, UiPixelFormat format,
                                              int stride, void *data)
{
    if (width <= 0 || height <= 0 || stride < width * ui_bytes_per_pixel(format)) {
        return NULL;
    }
    DisplaySurface *s = g_new0(DisplaySurface, 1);
    s->width = width;
    s->height = height;
    s->format = format;
    s->stride = stride;
    s->data = data;
    return s;
}

void display_surface_free(DisplaySurface *s)
{
    if (!s) {
        return;
    }
    if (s->owns_data) {
        g_free(s->data);
    }
    g_free(s);
}

int display_surface_width(const DisplaySurface *s)
{
    return s->width;
}

int display_surface_height(const DisplaySurface *s)
{
    return s->height;
}

int display_surface_stride(const DisplaySurface *s)
{
    return s->stride;
}

UiPixelFormat display_surface_format(const DisplaySurface *s)
{
    return s->format;
}

uint8_t *display_surface_data(DisplaySurface *s)
{
    return s->data;
}

/* Widens an n-bit channel to 8 bits, replicating the high bits so that
 * full intensity stays 0xff. */
static uint32_t ui_expand(uint32_t v, int bits)
{
    v <<= 8 - bits;
    return v | (v >> bits);
}

uint32_t display_surface_get_rgb(const DisplaySurface *s, int x, int y)
{
    if (x < 0 || y < 0 || x >= s->width || y >= s->height) {
        return 0;
    }
    const uint8_t *p = s->data + (size_t)y * s->stride + (size_t)x * ui_bytes_per_pixel(s->format);
    uint32_t v;
    switch (s->format) {
    case UI_FORMAT_XRGB8888: v = p[0] | p[1] << 8 | p[2] << 16; return v;
    case UI_FORMAT_RGB888: return p[0] | p[1] << 8 | p[2] << 16;
    case UI_FORMAT_RGB565:
        v = p[0] | p[1] << 8;
        return ui_expand(v >> 11, 5) << 16 | ui_expand((v >> 5) & 63, 6) << 8 |
               ui_expand(v & 31, 5);
    case UI_FORMAT_BGR565:
        v = p[0] | p[1] << 8;
        return ui_expand(v & 31, 5) << 16 | ui_expand((v >> 5) & 63, 6) << 8 |
               ui_expand(v >> 11, 5);
    case UI_FORMAT_XRGB1555:
        v = p[0] | p[1] << 8;
        return ui_expand((v >> 10) & 31, 5) << 16 | ui_expand((v >> 5) & 31, 5) << 8 |
               ui_expand(v & 31, 5);
    }
    return 0;
}

bool display_surface_save_ppm(const DisplaySurface *s, const char *path, char **errp)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        *errp = g_strdup_printf("could not open '%s': %s", path, strerror(errno));
        return false;
    }
    fprintf(f, "P6\n%d %d\n255\n", s->width, s->height);
    uint8_t *row = g_malloc((size_t)s->width * 3);
    for (int y = 0; y < s->height; y++) {
        for (int x = 0; x < s->width; x++) {
            uint32_t rgb = display_surface_get_rgb(s, x, y);
            row[3 * x] = rgb >> 16;
            row[3 * x + 1] = rgb >> 8;
            row[3 * x + 2] = rgb;
        }
        fwrite(row, 3, s->width, f);
    }
    g_free(row);
    if (fclose(f) != 0) {
        *errp = g_strdup_printf("could not write '%s': %s", path, strerror(errno));
        return false;
    }
    return true;
}

static void con_clear_dirty(GraphicConsole *con)
{
    con->dirty_x0 = con->dirty_y0 = G_MAXINT;
    con->dirty_x1 = con->dirty_y1 = 0;
}

GraphicConsole *graphic_console_new(const char *name, const GraphicHwOps *ops, void *opaque)
{
    GraphicConsole *con = g_new0(GraphicConsole, 1);
    con->name = g_strdup(name);
    con->ops = ops;
    con->opaque = opaque;
    con_clear_dirty(con);
    GraphicConsole **p = &consoles;
    while (*p) {
        p = &(*p)->next;
    }
    *p = con;
    return con;
}

void graphic_console_free(GraphicConsole *con)
{
    if (!con) {
        return;
    }
    for (GraphicConsole **p = &consoles; *p; p = &(*p)->next) {
        if (*p == con) {
            *p = con->next;
            break;
        }
    }
    display_surface_free(con->surface);
    g_free(con->name);
    g_free(con);
}

void graphic_console_set_surface(GraphicConsole *con, DisplaySurface *s)
{
    if (con->surface != s) {
        display_surface_free(con->surface);
    }
    con->surface = s;
    if (s) {
        graphic_console_update(con, 0, 0, s->width, s->height);
    }
}

DisplaySurface *graphic_console_surface(GraphicConsole *con)
{
    return con->surface;
}

void graphic_console_update(GraphicConsole *con, int x, int y, int w, int h)
{
    if (!con->surface || w <= 0 || h <= 0) {
        return;
    }
    int x1 = MIN(x + w, con->surface->width), y1 = MIN(y + h, con->surface->height);
    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x1 || y >= y1) {
        return;
    }
    con->dirty_x0 = MIN(con->dirty_x0, x);
    con->dirty_y0 = MIN(con->dirty_y0, y);
    con->dirty_x1 = MAX(con->dirty_x1, x1);
    con->dirty_y1 = MAX(con->dirty_y1, y1);
}

bool graphic_console_take_dirty(GraphicConsole *con, int *x, int *y, int *w, int *h)
{
    if (con->dirty_x0 >= con->dirty_x1 || con->dirty_y0 >= con->dirty_y1) {
        return false;
    }
    *x = con->dirty_x0;
    *y = con->dirty_y0;
    *w = con->dirty_x1 - con->dirty_x0;
    *h = con->dirty_y1 - con->dirty_y0;
    con_clear_dirty(con);
    return true;
}

void graphic_console_refresh(GraphicConsole *con)
{
    if (con->ops && con->ops->gfx_update) {
        con->ops->gfx_update(con->opaque);
    }
}

void graphic_console_invalidate(GraphicConsole *con)
{
    if (con->ops && con->ops->invalidate) {
        con->ops->invalidate(con->opaque);
    }
    if (con->surface) {
        graphic_console_update(con, 0, 0, con->surface->width, con->surface->height);
    }
}

GraphicConsole *graphic_console_first(void)
{
    return consoles;
}

const char *graphic_console_name(const GraphicConsole *con)
{
    return con->name;
}
