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

/* Parses a -serial style spec: "stdio", "mon:stdio", "null", "pty",
 * "file:PATH", "pipe:PATH", "tcp:[HOST]:PORT[,server][,nowait]",
 * "unix:PATH[,server][,nowait]", "none". NULL with *errp set on a bad spec. */
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
/* The slave device of a pty backend ("/dev/pts/3"); NULL otherwise. */
const char *chardev_pty_name(const Chardev *chr);

/* ---- Named backends (-chardev) -------------------------------------------
 * "-chardev BACKEND,id=ID[,mux=on][,...]" with QEMU's backends and keys:
 *   socket,path=P | host=H,port=N [,server=on|off][,wait=on|off][,nodelay=on]
 *          [,reconnect=SECONDS] (a client: keep trying, also after a disconnect)
 *   file,path=P[,append=on]   pipe,path=P   stdio[,signal=off]   pty   null
 *   ringbuf[,size=N] (a power of two, default 64K: output kept in memory)
 * creates the backend now (a listening socket with wait=on waits for its
 * client here) and lists it under ID. Messages are QEMU's where it has one
 * ("chardev: no id specified", "Duplicate ID 'x' for chardev"). A pty prints
 * "char device redirected to /dev/pts/N (label ID)" on stderr.
 */
Chardev *chardev_new_option(const char *spec, char **errp);
/* The backend listed under id, or NULL. */
Chardev *chardev_find(const char *id);
/* The chardev named id for one more user (-serial chardev:ID, -mon
 * chardev=ID, a device's chardev=ID): the backend itself the first time;
 * with mux=on each later user gets its own multiplexer front-end. NULL with
 * *errp set if there is no such id or it is taken and not multiplexed. */
Chardev *chardev_take(const char *id, char **errp);
/* Lists a backend its user created itself (-serial stdio as "serial0") under
 * label, for chardev_foreach; it counts as taken. */
void chardev_register(const char *label, Chardev *chr);
/* Every listed backend, in the order they were listed (monitor `info chardev`). */
void chardev_foreach(void (*fn)(const char *label, Chardev *chr, void *opaque), void *opaque);
/* ringbuf: takes up to max bytes of the kept output (NUL-terminated, *len
 * without the NUL; g_free it); NULL if chr is not a ringbuf. */
char *chardev_ringbuf_read(Chardev *chr, size_t max, size_t *len);
/* ringbuf: bytes handed to the front-end as input; false if not a ringbuf. */
bool chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, size_t len);
/* Forgets every name, freeing the backends no user took (tests). */
void chardev_forget_all(void);

#endif
