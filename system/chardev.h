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
 * "file:PATH", "pipe:PATH", "none". NULL with *errp set on a bad spec. */
Chardev *chardev_new(const char *spec, char **errp);
void chardev_free(Chardev *chr);
void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque);
/* Writes all bytes (blocking if needed); returns len or -1. */
int chardev_write(Chardev *chr, const uint8_t *buf, size_t len);
/* The device can take more input now: poll the backend again. */
void chardev_accept_input(Chardev *chr);

#endif
