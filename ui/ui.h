/*
 * Displays and input: display devices (VGA, PL111, virtio-gpu) draw into a
 * DisplaySurface of a GraphicConsole and report dirty rectangles; a display
 * backend (-display sdl, or none) shows the console and turns host keyboard
 * and mouse events into input events that keyboard/mouse devices receive.
 * Everything here runs on the main-loop thread with the global lock held.
 */
#ifndef UI_UI_H
#define UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Surfaces ------------------------------------------------------------ */

typedef enum UiPixelFormat {
    UI_FORMAT_XRGB8888, /* 32 bpp, little-endian words 0x00RRGGBB */
    UI_FORMAT_RGB565,   /* 16 bpp, little-endian */
    UI_FORMAT_XRGB1555, /* 16 bpp, little-endian */
    UI_FORMAT_RGB888,   /* 24 bpp, bytes B, G, R */
    UI_FORMAT_BGR565,   /* 16 bpp, little-endian, blue in the high bits (PL111) */
} UiPixelFormat;

typedef struct DisplaySurface DisplaySurface;

/* A surface owning its pixels (zeroed). */
DisplaySurface *display_surface_new(int width, int height, UiPixelFormat format);
/* A surface over memory owned by the device (e.g. guest VRAM): the device
 * writes there directly and reports dirty rectangles. */
DisplaySurface *display_surface_new_from_data(int width, int height, UiPixelFormat format,
                                              int stride, void *data);
void display_surface_free(DisplaySurface *s);
int display_surface_width(const DisplaySurface *s);
int display_surface_height(const DisplaySurface *s);
int display_surface_stride(const DisplaySurface *s);
UiPixelFormat display_surface_format(const DisplaySurface *s);
uint8_t *display_surface_data(DisplaySurface *s);
/* The pixel at (x, y) as 0x00RRGGBB, whatever the format. */
uint32_t display_surface_get_rgb(const DisplaySurface *s, int x, int y);
/* Writes the surface as a binary PPM (P6), what `screendump` produces. */
bool display_surface_save_ppm(const DisplaySurface *s, const char *path, char **errp);

/* ---- Consoles ------------------------------------------------------------ */

typedef struct GraphicConsole GraphicConsole;

typedef struct GraphicHwOps {
    /* Periodic refresh (about 30 times a second while a display shows the
     * console): scan the device's memory and report dirty rectangles. */
    void (*gfx_update)(void *opaque);
    /* Everything must be redrawn (a new display attached). */
    void (*invalidate)(void *opaque);
} GraphicHwOps;

GraphicConsole *graphic_console_new(const char *name, const GraphicHwOps *ops, void *opaque);
void graphic_console_free(GraphicConsole *con);
/* Replaces the console's surface (a mode change); the console takes
 * ownership and frees the previous one. NULL: blank. */
void graphic_console_set_surface(GraphicConsole *con, DisplaySurface *s);
DisplaySurface *graphic_console_surface(GraphicConsole *con);
/* The device changed [x, x+w) x [y, y+h). */
void graphic_console_update(GraphicConsole *con, int x, int y, int w, int h);
/* Calls the device's gfx_update (the display backend's refresh does). */
void graphic_console_refresh(GraphicConsole *con);
/* The first console (what the display shows and `screendump` saves). */
GraphicConsole *graphic_console_first(void);
const char *graphic_console_name(const GraphicConsole *con);

/* ---- Input --------------------------------------------------------------- */

/* Keys are Linux input event codes (KEY_A = 30, KEY_ENTER = 28, ...), which
 * keyboard devices translate into their own scancodes. */
enum {
    UI_BUTTON_LEFT = 1 << 0,
    UI_BUTTON_RIGHT = 1 << 1,
    UI_BUTTON_MIDDLE = 1 << 2,
    UI_BUTTON_WHEEL_UP = 1 << 3,
    UI_BUTTON_WHEEL_DOWN = 1 << 4,
};

typedef struct InputHandlerOps {
    void (*key)(void *opaque, int keycode, bool down);
    /* Relative motion with the buttons now held (PS/2, PL050 mice). */
    void (*mouse_rel)(void *opaque, int dx, int dy, unsigned buttons);
    /* Absolute position scaled to 0..0x7fff (tablets, virtio-input). */
    void (*mouse_abs)(void *opaque, int x, int y, unsigned buttons);
} InputHandlerOps;

typedef struct InputHandler InputHandler;
/* Handlers registered later take precedence for the event kinds they
 * implement (a USB tablet over a PS/2 mouse). */
InputHandler *input_handler_register(const InputHandlerOps *ops, void *opaque);
void input_handler_unregister(InputHandler *h);
void input_send_key(int keycode, bool down);
void input_send_mouse_rel(int dx, int dy, unsigned buttons);
void input_send_mouse_abs(int x, int y, unsigned buttons);
/* USB HID keyboard usage (what SDL scancodes are) to Linux key code; 0 if
 * there is none. */
int input_hid_to_keycode(int usage);

/* ---- Display backends ---------------------------------------------------- */

/* "none" or "sdl" (options after a comma are ignored). Starts the refresh on
 * the main loop; false with *errp set (g_free it). */
bool display_init(const char *type, char **errp);
/* Closes the window, if any. */
void display_cleanup(void);

#endif
