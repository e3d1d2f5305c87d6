/*
 * Shared between the files of ui/ only: what display backends need from
 * the consoles beyond the public ui/ui.h.
 */
#ifndef UI_UI_INTERNAL_H
#define UI_UI_INTERNAL_H

#include "ui/ui.h"

/* The dirty box since the last call; false if nothing changed. */
bool graphic_console_take_dirty(GraphicConsole *con, int *x, int *y, int *w, int *h);
/* Asks the device for a full redraw and marks everything dirty. */
void graphic_console_invalidate(GraphicConsole *con);

/* The SDL backend (ui/sdl.c, only when SDL2 is available). */
bool sdl_display_init(char **errp);
void sdl_display_refresh(void);
void sdl_display_cleanup(void);

#endif
