/*
 * Character backends: where a UART's bytes go and come from (-serial stdio,
 * -serial file:PATH, -serial null, -nographic's multiplexed stdio with the
 * Ctrl-A escape: Ctrl-A x quits, Ctrl-A h helps, Ctrl-A c toggles the
 * monitor). Devices write bytes and are handed received bytes on the main-loop
 * thread, with the global lock held.
 */
#ifndef SYSTEM_CHARDEV_H
#define SYSTEM_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Chardev Chardev;

/* Front-end (device) side. can_receive returns how many bytes the device
 * accepts now; receive delivers them. */
typedef struct CharFrontendOps {
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
} CharFrontendOps;

/* Parses a -serial / -chardev style spec: "stdio", "mon:stdio", "null",
 * "file:PATH", "pipe:PATH", "tcp:[HOST]:PORT[,server][,nowait]", "none".
 * NULL with *errp set on a bad spec. */
Chardev *chardev_new(const char *spec, char **errp);
void chardev_free(Chardev *chr);
void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque);
/* Writes all bytes (blocking if needed); returns len or -1. */
int chardev_write(Chardev *chr, const uint8_t *buf, size_t len);
/* The device can take more input now: poll the backend again. */
void chardev_accept_input(Chardev *chr);

/* ---- Multiplexer ("mon:..." and -nographic) ------------------------------
 * Several front-ends share one backend; input goes to the focused one and
 * Ctrl-A starts an escape: x quits, h prints help, c moves the focus to the
 * next front-end, a or Ctrl-A sends a literal Ctrl-A. Output from every
 * front-end reaches the backend.
 */
bool chardev_is_mux(const Chardev *chr);
/* Another front-end on chr's multiplexer (NULL if chr is not multiplexed). */
Chardev *chardev_mux_add_frontend(Chardev *chr);
/* A multiplexer over an existing backend (takes ownership); returns its first
 * front-end. */
Chardev *chardev_mux_new(Chardev *backend);
/* Feeds bytes as if the backend had received them (tests, and the input
 * path itself). */
void chardev_mux_feed(Chardev *chr, const uint8_t *buf, size_t len);
/* Called when a front-end gains or loses the input focus (the monitor shows
 * its prompt). */
void chardev_set_focus_handler(Chardev *chr, void (*fn)(void *opaque, bool focused), void *opaque);
/* The backend is an interactive terminal (output wants "\r\n"). */
bool chardev_is_tty(const Chardev *chr);
/* The TCP port a "tcp:...,server" backend listens on (-1 otherwise). */
int chardev_port(const Chardev *chr);
/* The spec this backend was created from ("stdio", "file:x", ...). */
const char *chardev_spec(const Chardev *chr);

#endif
