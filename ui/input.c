/*
 * Input routing (ui/ui.h): display backends send key and mouse events in
 * Linux key codes; the most recently registered device that handles an
 * event kind receives it. Also the USB HID keyboard usage table.
 */
#include "ui/ui.h"

#include <glib.h>
#include <linux/input-event-codes.h>

struct InputHandler {
    const InputHandlerOps *ops;
    void *opaque;
    InputHandler *next; /* newest first */
};

static InputHandler *handlers;

InputHandler *input_handler_register(const InputHandlerOps *ops, void *opaque)
{
    InputHandler *h = g_new0(InputHandler, 1);
    h->ops = ops;
    h->opaque = opaque;
    h->next = handlers;
    handlers = h;
    return h;
}

void input_handler_unregister(InputHandler *h)
{
    for (InputHandler **p = &handlers; *p; p = &(*p)->next) {
        if (*p == h) {
            *p = h->next;
            g_free(h);
            return;
        }
    }
}

void input_send_key(int keycode, bool down)
{
    for (InputHandler *h = handlers; h; h = h->next) {
        if (h->ops->key) {
            h->ops->key(h->opaque, keycode, down);
            return;
        }
    }
}

void input_send_mouse_rel(int dx, int dy, unsigned buttons)
{
    for (InputHandler *h = handlers; h; h = h->next) {
        if (h->ops->mouse_rel) {
            h->ops->mouse_rel(h->opaque, dx, dy, buttons);
            return;
        }
    }
}

void input_send_mouse_abs(int x, int y, unsigned buttons)
{
    for (InputHandler *h = handlers; h; h = h->next) {
        if (h->ops->mouse_abs) {
            h->ops->mouse_abs(h->opaque, x, y, buttons);
            return;
        }
    }
}

/* HID Usage Tables, Keyboard/Keypad page (0x07), usages 0x04..0x73, in
 * order. */
static const unsigned short hid_keys[] = {
    KEY_A,
    KEY_B,
    KEY_C,
    KEY_D,
    KEY_E,
    KEY_F,
    KEY_G,
    KEY_H,
    KEY_I,
    KEY_J,
    KEY_K,
    KEY_L,
    KEY_M,
    KEY_N,
    KEY_O,
    KEY_P,
    KEY_Q,
    KEY_R,
    KEY_S,
    KEY_T,
    KEY_U,
    KEY_V,
    KEY_W,
    KEY_X,
    KEY_Y,
    KEY_Z,
    /* 0x1e */
    KEY_1,
    KEY_2,
    KEY_3,
    KEY_4,
    KEY_5,
    KEY_6,
    KEY_7,
    KEY_8,
    KEY_9,
    KEY_0,
    /* 0x28 */
    KEY_ENTER,
    KEY_ESC,
    KEY_BACKSPACE,
    KEY_TAB,
    KEY_SPACE,
    KEY_MINUS,
    KEY_EQUAL,
    KEY_LEFTBRACE,
    KEY_RIGHTBRACE,
    KEY_BACKSLASH,
    KEY_BACKSLASH /* non-US # */,
    KEY_SEMICOLON,
    KEY_APOSTROPHE,
    KEY_GRAVE,
    KEY_COMMA,
    KEY_DOT,
    KEY_SLASH,
    KEY_CAPSLOCK,
    /* 0x3a */
    KEY_F1,
    KEY_F2,
    KEY_F3,
    KEY_F4,
    KEY_F5,
    KEY_F6,
    KEY_F7,
    KEY_F8,
    KEY_F9,
    KEY_F10,
    KEY_F11,
    KEY_F12,
    /* 0x46 */
    KEY_SYSRQ,
    KEY_SCROLLLOCK,
    KEY_PAUSE,
    KEY_INSERT,
    KEY_HOME,
    KEY_PAGEUP,
    KEY_DELETE,
    KEY_END,
    KEY_PAGEDOWN,
    KEY_RIGHT,
    KEY_LEFT,
    KEY_DOWN,
    KEY_UP,
    /* 0x53 */
    KEY_NUMLOCK,
    KEY_KPSLASH,
    KEY_KPASTERISK,
    KEY_KPMINUS,
    KEY_KPPLUS,
    KEY_KPENTER,
    KEY_KP1,
    KEY_KP2,
    KEY_KP3,
    KEY_KP4,
    KEY_KP5,
    KEY_KP6,
    KEY_KP7,
    KEY_KP8,
    KEY_KP9,
    KEY_KP0,
    KEY_KPDOT,
    /* 0x64 */
    KEY_102ND,
    KEY_COMPOSE,
    KEY_POWER,
    KEY_KPEQUAL,
    /* 0x68 */
    KEY_F13,
    KEY_F14,
    KEY_F15,
    KEY_F16,
    KEY_F17,
    KEY_F18,
    KEY_F19,
    KEY_F20,
    KEY_F21,
    KEY_F22,
    KEY_F23,
    KEY_F24,
};

/* Modifiers, usages 0xe0..0xe7. */
static const unsigned short hid_modifiers[] = {
    KEY_LEFTCTRL,  KEY_LEFTSHIFT,  KEY_LEFTALT,  KEY_LEFTMETA,
    KEY_RIGHTCTRL, KEY_RIGHTSHIFT, KEY_RIGHTALT, KEY_RIGHTMETA,
};

_Static_assert(G_N_ELEMENTS(hid_keys) == 0x74 - 0x04, "one entry per usage 0x04..0x73");

int input_hid_to_keycode(int usage)
{
    if (usage >= 0x04 && usage < 0x04 + (int)G_N_ELEMENTS(hid_keys)) {
        return hid_keys[usage - 0x04];
    }
    if (usage >= 0xe0 && usage <= 0xe7) {
        return hid_modifiers[usage - 0xe0];
    }
    return 0;
}
