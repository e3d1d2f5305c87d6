/*
 * The SDL2 display backend (-display sdl): one window showing the first
 * graphic console, host keyboard and mouse events sent to the guest's input
 * devices. Runs on the main loop from the display refresh timer.
 */
#include "system/main-loop.h"
#include "ui/ui-internal.h"
#include "ui/ui.h"

#include <SDL.h>
#include <dlfcn.h>
#include <glib.h>
#include <stdlib.h>

#define SDL_DEFAULT_W 640
#define SDL_DEFAULT_H 480

/* libSDL2 and the ~46 libraries it pulls in cost ~4 MiB of resident memory and
 * milliseconds of start-up, so it is opened only when -display sdl asks for it;
 * the headers give the types, this table the functions. */
#define SDL_LIBRARY "libSDL2-2.0.so.0"

#define SDL_FUNCS(X)                                                                          \
    X(int, SDL_Init, (Uint32 flags))                                                          \
    X(void, SDL_Quit, (void))                                                                 \
    X(const char *, SDL_GetError, (void))                                                     \
    X(SDL_Window *, SDL_CreateWindow, (const char *t, int x, int y, int w, int h, Uint32 f))  \
    X(void, SDL_DestroyWindow, (SDL_Window * w))                                              \
    X(void, SDL_SetWindowSize, (SDL_Window * w, int width, int height))                       \
    X(SDL_Renderer *, SDL_CreateRenderer, (SDL_Window * w, int index, Uint32 flags))          \
    X(void, SDL_DestroyRenderer, (SDL_Renderer * r))                                          \
    X(int, SDL_RenderSetLogicalSize, (SDL_Renderer * r, int w, int h))                        \
    X(int, SDL_SetRenderDrawColor, (SDL_Renderer * r, Uint8 cr, Uint8 cg, Uint8 cb, Uint8 a)) \
    X(int, SDL_RenderClear, (SDL_Renderer * r))                                               \
    X(int, SDL_RenderCopy,                                                                    \
      (SDL_Renderer * r, SDL_Texture * t, const SDL_Rect *src, const SDL_Rect *dst))          \
    X(void, SDL_RenderPresent, (SDL_Renderer * r))                                            \
    X(SDL_Texture *, SDL_CreateTexture,                                                       \
      (SDL_Renderer * r, Uint32 format, int access, int w, int h))                            \
    X(void, SDL_DestroyTexture, (SDL_Texture * t))                                            \
    X(int, SDL_UpdateTexture,                                                                 \
      (SDL_Texture * t, const SDL_Rect *rect, const void *pixels, int pitch))                 \
    X(int, SDL_PollEvent, (SDL_Event * ev))

#define SDL_FUNC_FIELD(ret, name, args) ret(*name) args;
typedef struct SdlFuncs {
    SDL_FUNCS(SDL_FUNC_FIELD)
} SdlFuncs;

static SdlFuncs sdl;
static void *sdl_lib;

/* Opens libSDL2 once (MIMIC_SDL_LIBRARY overrides its name, which is how the
 * tests check the missing-library message) and fills the table. */
static bool sdl_load(char **errp)
{
    if (sdl_lib) {
        return true;
    }
    const char *name = getenv("MIMIC_SDL_LIBRARY");
    if (!name || !*name) {
        name = SDL_LIBRARY;
    }
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        *errp = g_strdup_printf("cannot load %s (%s)", name, dlerror());
        return false;
    }
#define SDL_FUNC_LOOKUP(ret, fname, args)                                                 \
    sdl.fname = (ret(*) args)dlsym(lib, #fname);                                          \
    if (!sdl.fname) {                                                                     \
        *errp = g_strdup_printf("%s has no %s: not a usable SDL2 library", name, #fname); \
        dlclose(lib);                                                                     \
        return false;                                                                     \
    }
    SDL_FUNCS(SDL_FUNC_LOOKUP)
#undef SDL_FUNC_LOOKUP
    sdl_lib = lib;
    return true;
}

static SDL_Window *sdl_window;
static SDL_Renderer *sdl_renderer;
static SDL_Texture *sdl_texture;
/* What the texture was made for: recreated when the console's surface
 * changes size or format. */
static DisplaySurface *sdl_surface;
static int sdl_w, sdl_h;
static UiPixelFormat sdl_format;
static unsigned sdl_buttons;

static Uint32 sdl_pixel_format(UiPixelFormat f)
{
    switch (f) {
    case UI_FORMAT_XRGB8888: return SDL_PIXELFORMAT_RGB888; /* SDL's name for XRGB8888 */
    case UI_FORMAT_RGB565: return SDL_PIXELFORMAT_RGB565;
    case UI_FORMAT_XRGB1555: return SDL_PIXELFORMAT_RGB555;
    case UI_FORMAT_RGB888: return SDL_PIXELFORMAT_BGR24; /* bytes B, G, R */
    case UI_FORMAT_BGR565: return SDL_PIXELFORMAT_BGR565;
    }
    return SDL_PIXELFORMAT_RGB888;
}

bool sdl_display_init(char **errp)
{
    if (!sdl_load(errp)) {
        return false;
    }
    if (sdl.SDL_Init(SDL_INIT_VIDEO) != 0) {
        *errp = g_strdup_printf("SDL initialization failed: %s", sdl.SDL_GetError());
        return false;
    }
    sdl_window = sdl.SDL_CreateWindow("mimic", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                                      SDL_DEFAULT_W, SDL_DEFAULT_H, SDL_WINDOW_RESIZABLE);
    if (sdl_window) {
        sdl_renderer = sdl.SDL_CreateRenderer(sdl_window, -1, 0);
    }
    if (!sdl_renderer) {
        *errp = g_strdup_printf("SDL cannot open a window: %s", sdl.SDL_GetError());
        if (sdl_window) {
            sdl.SDL_DestroyWindow(sdl_window);
            sdl_window = NULL;
        }
        sdl.SDL_Quit();
        return false;
    }
    sdl.SDL_RenderSetLogicalSize(sdl_renderer, SDL_DEFAULT_W, SDL_DEFAULT_H);
    return true;
}

static void sdl_setup_texture(DisplaySurface *s)
{
    if (sdl_texture) {
        sdl.SDL_DestroyTexture(sdl_texture);
        sdl_texture = NULL;
    }
    sdl_surface = s;
    if (!s) {
        return;
    }
    sdl_w = display_surface_width(s);
    sdl_h = display_surface_height(s);
    sdl_format = display_surface_format(s);
    sdl_texture = sdl.SDL_CreateTexture(sdl_renderer, sdl_pixel_format(sdl_format),
                                        SDL_TEXTUREACCESS_STREAMING, sdl_w, sdl_h);
    sdl.SDL_SetWindowSize(sdl_window, sdl_w, sdl_h);
    sdl.SDL_RenderSetLogicalSize(sdl_renderer, sdl_w, sdl_h);
}

static void sdl_send_buttons(void)
{
    input_send_mouse_rel(0, 0, sdl_buttons);
}

static unsigned sdl_button_bit(Uint8 b)
{
    switch (b) {
    case SDL_BUTTON_LEFT: return UI_BUTTON_LEFT;
    case SDL_BUTTON_RIGHT: return UI_BUTTON_RIGHT;
    case SDL_BUTTON_MIDDLE: return UI_BUTTON_MIDDLE;
    }
    return 0;
}

static void sdl_handle_event(const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        /* Closing the window ends the emulator, as on QEMU. */
        vm_request_exit(0);
        break;
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
        int key = input_hid_to_keycode(ev->key.keysym.scancode);
        if (key) {
            input_send_key(key, ev->type == SDL_KEYDOWN);
        }
        break;
    }
    case SDL_MOUSEMOTION: {
        int w = sdl_w ? sdl_w : SDL_DEFAULT_W, h = sdl_h ? sdl_h : SDL_DEFAULT_H;
        input_send_mouse_rel(ev->motion.xrel, ev->motion.yrel, sdl_buttons);
        input_send_mouse_abs((int)((int64_t)ev->motion.x * 0x7fff / MAX(w - 1, 1)),
                             (int)((int64_t)ev->motion.y * 0x7fff / MAX(h - 1, 1)), sdl_buttons);
        break;
    }
    case SDL_MOUSEBUTTONDOWN:
        sdl_buttons |= sdl_button_bit(ev->button.button);
        sdl_send_buttons();
        break;
    case SDL_MOUSEBUTTONUP:
        sdl_buttons &= ~sdl_button_bit(ev->button.button);
        sdl_send_buttons();
        break;
    case SDL_MOUSEWHEEL: {
        /* A wheel notch is a press and release of a wheel "button". */
        unsigned bit = ev->wheel.y > 0 ? UI_BUTTON_WHEEL_UP : UI_BUTTON_WHEEL_DOWN;
        if (ev->wheel.y != 0) {
            input_send_mouse_rel(0, 0, sdl_buttons | bit);
            sdl_send_buttons();
        }
        break;
    }
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_EXPOSED && graphic_console_first()) {
            graphic_console_invalidate(graphic_console_first());
        }
        break;
    }
}

void sdl_display_refresh(void)
{
    SDL_Event ev;
    while (sdl.SDL_PollEvent(&ev)) {
        sdl_handle_event(&ev);
    }
    GraphicConsole *con = graphic_console_first();
    DisplaySurface *s = con ? graphic_console_surface(con) : NULL;
    if (s != sdl_surface ||
        (s && (display_surface_width(s) != sdl_w || display_surface_height(s) != sdl_h ||
               display_surface_format(s) != sdl_format))) {
        sdl_setup_texture(s);
        if (con) {
            graphic_console_invalidate(con);
        }
    }
    int x, y, w, h;
    if (s && sdl_texture && graphic_console_take_dirty(con, &x, &y, &w, &h)) {
        SDL_Rect r = {x, y, w, h};
        int bpp = SDL_BYTESPERPIXEL(sdl_pixel_format(sdl_format));
        const uint8_t *p =
            display_surface_data(s) + (size_t)y * display_surface_stride(s) + (size_t)x * bpp;
        sdl.SDL_UpdateTexture(sdl_texture, &r, p, display_surface_stride(s));
    }
    sdl.SDL_SetRenderDrawColor(sdl_renderer, 0, 0, 0, 255);
    sdl.SDL_RenderClear(sdl_renderer);
    if (sdl_texture) {
        sdl.SDL_RenderCopy(sdl_renderer, sdl_texture, NULL, NULL);
    }
    sdl.SDL_RenderPresent(sdl_renderer);
}

void sdl_display_cleanup(void)
{
    if (sdl_texture) {
        sdl.SDL_DestroyTexture(sdl_texture);
        sdl_texture = NULL;
    }
    if (sdl_renderer) {
        sdl.SDL_DestroyRenderer(sdl_renderer);
        sdl_renderer = NULL;
    }
    if (sdl_window) {
        sdl.SDL_DestroyWindow(sdl_window);
        sdl_window = NULL;
    }
    sdl_surface = NULL;
    sdl.SDL_Quit();
}
