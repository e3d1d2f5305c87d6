/*
 * Tests of ui/: pixel formats and PPM screen dumps, dirty-rectangle tracking
 * of consoles, input routing and the HID key table, display backends (SDL
 * through its dummy video driver).
 */
#include "system/main-loop.h"
#include "ui/ui-internal.h"
#include "ui/ui.h"

#include <check.h>
#include <glib.h>
#include <linux/input-event-codes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

START_TEST(test_pixel_formats)
{
    DisplaySurface *s = display_surface_new(4, 2, UI_FORMAT_XRGB8888);
    ck_assert_int_eq(display_surface_stride(s), 16);
    uint32_t px = 0x00123456;
    memcpy(display_surface_data(s) + 16 + 4, &px, 4);
    ck_assert_uint_eq(display_surface_get_rgb(s, 1, 1), 0x123456);
    ck_assert_uint_eq(display_surface_get_rgb(s, 0, 0), 0);
    ck_assert_uint_eq(display_surface_get_rgb(s, 9, 9), 0); /* outside */
    display_surface_free(s);

    uint16_t rgb565[3] = {0xf800, 0x07e0, 0xffff};
    s = display_surface_new_from_data(3, 1, UI_FORMAT_RGB565, 6, rgb565);
    ck_assert_uint_eq(display_surface_get_rgb(s, 0, 0), 0xff0000);
    ck_assert_uint_eq(display_surface_get_rgb(s, 1, 0), 0x00ff00);
    ck_assert_uint_eq(display_surface_get_rgb(s, 2, 0), 0xffffff);
    display_surface_free(s);

    uint16_t bgr565[1] = {0x001f};
    s = display_surface_new_from_data(1, 1, UI_FORMAT_BGR565, 2, bgr565);
    ck_assert_uint_eq(display_surface_get_rgb(s, 0, 0), 0xff0000);
    display_surface_free(s);

    uint16_t x1555[1] = {0x03e0};
    s = display_surface_new_from_data(1, 1, UI_FORMAT_XRGB1555, 2, x1555);
    ck_assert_uint_eq(display_surface_get_rgb(s, 0, 0), 0x00ff00);
    display_surface_free(s);

    uint8_t bgr[3] = {0x01, 0x02, 0x03};
    s = display_surface_new_from_data(1, 1, UI_FORMAT_RGB888, 3, bgr);
    ck_assert_uint_eq(display_surface_get_rgb(s, 0, 0), 0x030201);
    display_surface_free(s);

    ck_assert_ptr_null(display_surface_new(0, 10, UI_FORMAT_XRGB8888));
    ck_assert_ptr_null(display_surface_new_from_data(10, 10, UI_FORMAT_XRGB8888, 39, bgr));
}
END_TEST

START_TEST(test_ppm_dump)
{
    DisplaySurface *s = display_surface_new(2, 1, UI_FORMAT_XRGB8888);
    uint32_t px[2] = {0x00ff8000, 0x00000080};
    memcpy(display_surface_data(s), px, 8);
    char *dir = g_dir_make_tmp("mimic-ui-XXXXXX", NULL);
    char *path = g_build_filename(dir, "shot.ppm", NULL);
    char *err = NULL;
    ck_assert(display_surface_save_ppm(s, path, &err));
    char *data;
    gsize len;
    ck_assert(g_file_get_contents(path, &data, &len, NULL));
    const char expect[] = "P6\n2 1\n255\n\xff\x80\x00\x00\x00\x80";
    ck_assert_int_eq(len, sizeof(expect) - 1);
    ck_assert(memcmp(data, expect, len) == 0);
    g_free(data);
    ck_assert(!display_surface_save_ppm(s, "/nonexistent-dir/x.ppm", &err));
    ck_assert_str_eq(err, "could not open '/nonexistent-dir/x.ppm': No such file or directory");
    g_free(err);
    unlink(path);
    rmdir(dir);
    g_free(path);
    g_free(dir);
    display_surface_free(s);
}
END_TEST

static int updates, invalidates;

static void dev_update(void *opaque)
{
    updates++;
}

static void dev_invalidate(void *opaque)
{
    invalidates++;
}

static const GraphicHwOps dev_ops = {dev_update, dev_invalidate};

START_TEST(test_console_dirty)
{
    GraphicConsole *con = graphic_console_new("vga", &dev_ops, NULL);
    ck_assert_ptr_eq(graphic_console_first(), con);
    ck_assert_str_eq(graphic_console_name(con), "vga");
    int x, y, w, h;
    ck_assert(!graphic_console_take_dirty(con, &x, &y, &w, &h)); /* no surface */
    graphic_console_set_surface(con, display_surface_new(100, 50, UI_FORMAT_RGB565));
    /* A new surface is dirty as a whole. */
    ck_assert(graphic_console_take_dirty(con, &x, &y, &w, &h));
    ck_assert_int_eq(x, 0);
    ck_assert_int_eq(w, 100);
    ck_assert_int_eq(h, 50);
    ck_assert(!graphic_console_take_dirty(con, &x, &y, &w, &h));
    /* Updates merge into their bounding box, clipped to the surface. */
    graphic_console_update(con, 10, 5, 4, 4);
    graphic_console_update(con, 90, 40, 50, 50);
    ck_assert(graphic_console_take_dirty(con, &x, &y, &w, &h));
    ck_assert_int_eq(x, 10);
    ck_assert_int_eq(y, 5);
    ck_assert_int_eq(w, 90);
    ck_assert_int_eq(h, 45);
    graphic_console_update(con, 200, 200, 5, 5); /* entirely outside */
    ck_assert(!graphic_console_take_dirty(con, &x, &y, &w, &h));
    graphic_console_refresh(con);
    ck_assert_int_eq(updates, 1);
    graphic_console_invalidate(con);
    ck_assert_int_eq(invalidates, 1);
    ck_assert(graphic_console_take_dirty(con, &x, &y, &w, &h));
    graphic_console_free(con);
    ck_assert_ptr_null(graphic_console_first());
}
END_TEST

static GString *events;

static void kbd_key(void *opaque, int key, bool down)
{
    g_string_append_printf(events, "%s:key%d%c ", (char *)opaque, key, down ? 'd' : 'u');
}

static void mouse_rel(void *opaque, int dx, int dy, unsigned b)
{
    g_string_append_printf(events, "%s:rel%d,%d,%u ", (char *)opaque, dx, dy, b);
}

static void tablet_abs(void *opaque, int x, int y, unsigned b)
{
    g_string_append_printf(events, "%s:abs%d,%d,%u ", (char *)opaque, x, y, b);
}

START_TEST(test_input_routing)
{
    events = g_string_new(NULL);
    input_send_key(KEY_A, true); /* nobody listens: dropped */
    const InputHandlerOps ps2_ops = {.key = kbd_key, .mouse_rel = mouse_rel};
    const InputHandlerOps tablet_ops = {.mouse_abs = tablet_abs};
    const InputHandlerOps usbkbd_ops = {.key = kbd_key};
    InputHandler *ps2 = input_handler_register(&ps2_ops, "ps2");
    InputHandler *tablet = input_handler_register(&tablet_ops, "tablet");
    input_send_key(KEY_A, true);
    input_send_mouse_rel(3, -2, UI_BUTTON_LEFT);
    input_send_mouse_abs(100, 200, 0);
    InputHandler *usb = input_handler_register(&usbkbd_ops, "usb");
    input_send_key(KEY_A, false);
    input_handler_unregister(usb);
    input_send_key(KEY_ENTER, true);
    ck_assert_str_eq(events->str, "ps2:key30d ps2:rel3,-2,1 tablet:abs100,200,0 usb:key30u "
                                  "ps2:key28d ");
    input_handler_unregister(tablet);
    input_handler_unregister(ps2);
    g_string_free(events, TRUE);
}
END_TEST

START_TEST(test_hid_table)
{
    ck_assert_int_eq(input_hid_to_keycode(0x04), KEY_A);
    ck_assert_int_eq(input_hid_to_keycode(0x1d), KEY_Z);
    ck_assert_int_eq(input_hid_to_keycode(0x1e), KEY_1);
    ck_assert_int_eq(input_hid_to_keycode(0x27), KEY_0);
    ck_assert_int_eq(input_hid_to_keycode(0x28), KEY_ENTER);
    ck_assert_int_eq(input_hid_to_keycode(0x29), KEY_ESC);
    ck_assert_int_eq(input_hid_to_keycode(0x2c), KEY_SPACE);
    ck_assert_int_eq(input_hid_to_keycode(0x3a), KEY_F1);
    ck_assert_int_eq(input_hid_to_keycode(0x45), KEY_F12);
    ck_assert_int_eq(input_hid_to_keycode(0x4f), KEY_RIGHT);
    ck_assert_int_eq(input_hid_to_keycode(0x52), KEY_UP);
    ck_assert_int_eq(input_hid_to_keycode(0x58), KEY_KPENTER);
    ck_assert_int_eq(input_hid_to_keycode(0x62), KEY_KP0);
    ck_assert_int_eq(input_hid_to_keycode(0x73), KEY_F24);
    ck_assert_int_eq(input_hid_to_keycode(0xe0), KEY_LEFTCTRL);
    ck_assert_int_eq(input_hid_to_keycode(0xe1), KEY_LEFTSHIFT);
    ck_assert_int_eq(input_hid_to_keycode(0xe7), KEY_RIGHTMETA);
    ck_assert_int_eq(input_hid_to_keycode(0), 0);
    ck_assert_int_eq(input_hid_to_keycode(0x74), 0);
    ck_assert_int_eq(input_hid_to_keycode(0xe8), 0);
}
END_TEST

#ifdef MIMIC_HAVE_SDL
/* libSDL2 is dlopen()ed at -display sdl: a missing one is one clear error. In
 * its own forked process (the library stays loaded once opened). */
START_TEST(test_display_sdl_missing)
{
    char *err = NULL;
    setenv("MIMIC_SDL_LIBRARY", "libmimic-no-such-sdl.so.0", 1);
    ck_assert(!display_init("sdl", &err));
    ck_assert_str_eq(err, "cannot load libmimic-no-such-sdl.so.0 (libmimic-no-such-sdl.so.0: "
                          "cannot open shared object file: No such file or directory)");
    g_free(err);
    unsetenv("MIMIC_SDL_LIBRARY");
}
END_TEST
#endif

START_TEST(test_display_backends)
{
    char *err = NULL;
    main_loop_init();
    ck_assert(display_init("none", &err));
    ck_assert(!display_init("gtk", &err));
    ck_assert_str_eq(err, "unknown display type 'gtk'");
    g_free(err);
    err = NULL;
#ifdef MIMIC_HAVE_SDL
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    ck_assert_msg(display_init("sdl", &err), "%s", err ? err : "");
    GraphicConsole *con = graphic_console_new("fb", &dev_ops, NULL);
    graphic_console_set_surface(con, display_surface_new(320, 200, UI_FORMAT_XRGB8888));
    updates = 0;
    for (int i = 0; i < 200 && updates < 2; i++) {
        main_loop_iterate(false);
        g_usleep(1000);
    }
    /* The refresh timer asked the device for updates, and the backend took
     * the dirty box. */
    ck_assert_int_ge(updates, 2);
    int x, y, w, h;
    ck_assert(!graphic_console_take_dirty(con, &x, &y, &w, &h));
    display_cleanup();
    graphic_console_free(con);
#endif
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ui");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_pixel_formats);
    tcase_add_test(tc, test_ppm_dump);
    tcase_add_test(tc, test_console_dirty);
    tcase_add_test(tc, test_input_routing);
    tcase_add_test(tc, test_hid_table);
    tcase_add_test(tc, test_display_backends);
#ifdef MIMIC_HAVE_SDL
    const char *fork_env = getenv("CK_FORK");
    if (!fork_env || strcmp(fork_env, "no") != 0) {
        tcase_add_test(tc, test_display_sdl_missing);
    }
#endif
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
