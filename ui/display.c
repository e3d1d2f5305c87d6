/*
 * Display backends (ui/ui.h): "none", or "sdl" when SDL2 is built in; a
 * main-loop timer refreshes the first console and hands its dirty box to
 * the backend.
 */
#include "system/timer.h"
#include "ui/ui-internal.h"
#include "ui/ui.h"

#include <glib.h>
#include <string.h>

#define DISPLAY_REFRESH_NS (NANOSECONDS_PER_SECOND / 30)

static Timer *refresh_timer;
static bool display_sdl;

static void display_refresh(void *opaque)
{
    GraphicConsole *con = graphic_console_first();
    if (con) {
        graphic_console_refresh(con);
    }
#ifdef MIMIC_HAVE_SDL
    if (display_sdl) {
        sdl_display_refresh();
    }
#endif
    timer_mod_ns(refresh_timer, clock_get_ns(CLOCK_REALTIME) + DISPLAY_REFRESH_NS);
}

bool display_init(const char *type, char **errp)
{
    size_t len = strcspn(type, ",");
    if (len == 4 && !strncmp(type, "none", 4)) {
        return true;
    }
    if (len == 3 && !strncmp(type, "sdl", 3)) {
#ifdef MIMIC_HAVE_SDL
        if (!sdl_display_init(errp)) {
            return false;
        }
        display_sdl = true;
        refresh_timer = timer_new_ns(CLOCK_REALTIME, display_refresh, NULL);
        timer_mod_ns(refresh_timer, clock_get_ns(CLOCK_REALTIME));
        return true;
#else
        *errp = g_strdup("SDL display support is not built into this binary");
        return false;
#endif
    }
    *errp = g_strdup_printf("unknown display type '%.*s'", (int)len, type);
    return false;
}

void display_cleanup(void)
{
    if (refresh_timer) {
        timer_free(refresh_timer);
        refresh_timer = NULL;
    }
#ifdef MIMIC_HAVE_SDL
    if (display_sdl) {
        sdl_display_cleanup();
        display_sdl = false;
    }
#endif
}
