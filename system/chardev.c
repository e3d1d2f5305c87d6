/*
 * Character backends (system/chardev.h): stdio, file, pipe, null and the
 * Ctrl-A multiplexer. Input is read by main-loop sources and handed to the
 * device with the global lock held, never faster than can_receive allows.
 */
#include "system/chardev.h"
#include "system/main-loop.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <glib-unix.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define MUX_MAX_FRONTENDS 4
#define CTRL_A            0x01

typedef enum ChardevKind {
    CHR_NULL,
    CHR_FILE,
    CHR_PIPE,
    CHR_STDIO,
    CHR_SOCKET, /* tcp: a connected client is in_fd == out_fd */
    CHR_MUX_FE, /* a front-end of a multiplexer: I/O goes through mux->backend */
} ChardevKind;

typedef struct CharMux CharMux;

struct Chardev {
    ChardevKind kind;
    char *spec;
    int in_fd, out_fd; /* -1: none */
    bool owns_fds;
    GSource *in_src; /* present while we want input from in_fd */
    bool eof;
    GByteArray *pending; /* read but not yet taken by the front-end */
    GSource *retry_src;  /* queued chr_retry_input, under retry_lock */
    const CharFrontendOps *fe_ops;
    void *fe_opaque;
    void (*focus_fn)(void *opaque, bool focused);
    void *focus_opaque;
    CharMux *mux;  /* backend: the mux it feeds; MUX_FE: the mux it belongs to */
    int listen_fd; /* tcp server: -1 otherwise */
    GSource *listen_src;
    int port;
};

struct CharMux {
    Chardev *backend;
    Chardev *fe[MUX_MAX_FRONTENDS];
    int n_fe;
    int focus;
    bool escape; /* the previous byte was Ctrl-A */
};

static void chr_read_start(Chardev *chr);
static void chr_read_stop(Chardev *chr);
static void chr_deliver(Chardev *chr);
static Chardev *chr_socket_new(const char *spec, char **errp);

/* accept_input may come from vCPU threads while the main loop frees a
 * chardev: the queued retry is tracked under this lock. */
static GMutex retry_lock;

/* ---- stdio terminal state ------------------------------------------------ */

static bool stdio_in_use;
static bool stdio_raw;
static struct termios stdio_saved;

static void stdio_restore_terminal(void)
{
    if (stdio_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved);
        stdio_raw = false;
    }
}

/* A crash must not leave the user's shell in raw mode. */
static void stdio_fatal_signal(int sig)
{
    stdio_restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void stdio_make_raw(bool keep_signals)
{
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &stdio_saved) < 0) {
        return;
    }
    struct termios t = stdio_saved;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!keep_signals) {
        t.c_lflag &= ~ISIG;
    }
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &t) < 0) {
        return;
    }
    stdio_raw = true;
    static bool hooks_installed;
    if (!hooks_installed) {
        hooks_installed = true;
        atexit(stdio_restore_terminal);
        int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTERM, SIGHUP, SIGQUIT};
        for (size_t i = 0; i < G_N_ELEMENTS(fatal); i++) {
            struct sigaction sa = {0}, old;
            sigaction(fatal[i], NULL, &old);
            /* Leave handlers others installed (glib's SIGTERM source, ASan). */
            if (old.sa_handler != SIG_DFL) {
                continue;
            }
            sa.sa_handler = stdio_fatal_signal;
            sigemptyset(&sa.sa_mask);
            sigaction(fatal[i], &sa, NULL);
        }
    }
}

/* ---- creation ------------------------------------------------------------ */

static Chardev *chr_alloc(ChardevKind kind, const char *spec, int in_fd, int out_fd)
{
    Chardev *chr = g_new0(Chardev, 1);
    chr->kind = kind;
    chr->spec = g_strdup(spec);
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    chr->owns_fds = true;
    chr->pending = g_byte_array_new();
    chr->listen_fd = -1;
    chr->port = -1;
    return chr;
}

static int chr_open_pipe_end(const char *path, char **errp)
{
    /* O_RDWR: opening a FIFO does not block waiting for the other side, and
     * the FIFO never reports EOF while we hold it. */
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0 && errp) {
        *errp = g_strdup_printf("could not open '%s': %s", path, strerror(errno));
    }
    return fd;
}

static Chardev *chr_new_backend(const char *spec, bool mux_wanted, char **errp)
{
    if (!strcmp(spec, "null") || !strcmp(spec, "none")) {
        return chr_alloc(CHR_NULL, spec, -1, -1);
    }
    if (!strcmp(spec, "stdio")) {
        if (stdio_in_use) {
            *errp = g_strdup("cannot use stdio by multiple character devices");
            return NULL;
        }
        stdio_in_use = true;
        /* Multiplexed stdio passes Ctrl-C to the guest, like a real serial
         * console; plain stdio keeps it as "stop the emulator". */
        stdio_make_raw(!mux_wanted);
        Chardev *chr = chr_alloc(CHR_STDIO, spec, STDIN_FILENO, STDOUT_FILENO);
        chr->owns_fds = false;
        chr_read_start(chr);
        return chr;
    }
    if (!strncmp(spec, "file:", 5)) {
        const char *path = spec + 5;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd < 0) {
            *errp = g_strdup_printf("could not open '%s': %s", path, strerror(errno));
            return NULL;
        }
        return chr_alloc(CHR_FILE, spec, -1, fd);
    }
    if (!strncmp(spec, "pipe:", 5)) {
        const char *path = spec + 5;
        char *in = g_strdup_printf("%s.in", path);
        char *out = g_strdup_printf("%s.out", path);
        int in_fd = -1, out_fd = -1;
        if (!access(in, F_OK) && !access(out, F_OK)) {
            in_fd = chr_open_pipe_end(in, errp);
            if (in_fd >= 0) {
                out_fd = chr_open_pipe_end(out, errp);
                if (out_fd < 0) {
                    close(in_fd);
                    in_fd = -1;
                }
            }
        } else {
            in_fd = chr_open_pipe_end(path, errp);
            out_fd = in_fd >= 0 ? dup(in_fd) : -1;
        }
        g_free(in);
        g_free(out);
        if (in_fd < 0) {
            return NULL;
        }
        Chardev *chr = chr_alloc(CHR_PIPE, spec, in_fd, out_fd);
        chr_read_start(chr);
        return chr;
    }
    if (!strncmp(spec, "tcp:", 4)) {
        return chr_socket_new(spec, errp);
    }
    *errp = g_strdup_printf("'%s' is not a valid char driver", spec);
    return NULL;
}

/* ---- tcp sockets ---------------------------------------------------------- */

static void chr_socket_attach(Chardev *chr, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    chr->in_fd = chr->out_fd = fd;
    chr->eof = false;
    chr_read_start(chr);
}

/* The client went away: drop output until the next one connects. */
static void chr_socket_detach(Chardev *chr)
{
    chr_read_stop(chr);
    if (chr->in_fd >= 0) {
        close(chr->in_fd);
    }
    chr->in_fd = chr->out_fd = -1;
    chr->eof = false;
}

static gboolean chr_socket_accept(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (chr->in_fd >= 0) {
        close(cfd); /* one client at a time */
    } else {
        chr_socket_attach(chr, cfd);
    }
    return G_SOURCE_CONTINUE;
}

/* "tcp:[HOST]:PORT[,server[=on]][,nowait|,wait=off]": a client connects at
 * once; a server listens and, unless told not to, waits for its first
 * client before the machine starts (as QEMU does). */
static Chardev *chr_socket_new(const char *spec, char **errp)
{
    char **parts = g_strsplit(spec + 4, ",", -1);
    bool server = false, wait = true, ok = true;
    for (char **p = parts + 1; *p && ok; p++) {
        if (!strcmp(*p, "server") || !strcmp(*p, "server=on")) {
            server = true;
        } else if (!strcmp(*p, "nowait") || !strcmp(*p, "wait=off")) {
            wait = false;
        } else if (!strcmp(*p, "wait") || !strcmp(*p, "wait=on") || !strcmp(*p, "server=off")) {
            /* defaults */
        } else {
            *errp = g_strdup_printf("'%s': unknown socket option '%s'", spec, *p);
            ok = false;
        }
    }
    const char *hostport = parts[0];
    const char *colon = strrchr(hostport, ':');
    if (ok && (!colon || !colon[1])) {
        *errp = g_strdup_printf("'%s': expected tcp:[HOST]:PORT", spec);
        ok = false;
    }
    if (!ok) {
        g_strfreev(parts);
        return NULL;
    }
    char *host = g_strndup(hostport, colon - hostport);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = (server ? AI_PASSIVE : 0) | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc =
        getaddrinfo(*host ? host : (server ? "0.0.0.0" : "127.0.0.1"), colon + 1, &hints, &res);
    g_free(host);
    g_strfreev(parts);
    if (rc) {
        *errp = g_strdup_printf("'%s': %s", spec, gai_strerror(rc));
        return NULL;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        if (server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
                break;
            }
        } else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        *errp = g_strdup_printf("'%s': %s", spec, strerror(err));
        return NULL;
    }
    Chardev *chr = chr_alloc(CHR_SOCKET, spec, -1, -1);
    if (!server) {
        chr_socket_attach(chr, fd);
        return chr;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    chr->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                         : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    chr->listen_fd = fd;
    if (wait) {
        fprintf(stderr, "mimic: waiting for a connection on %s (port %d)\n", spec, chr->port);
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd >= 0) {
            chr_socket_attach(chr, cfd);
        }
    }
    chr->listen_src = g_unix_fd_source_new(fd, G_IO_IN);
    g_source_set_callback(chr->listen_src, (GSourceFunc)(void (*)(void))chr_socket_accept, chr,
                          NULL);
    g_source_attach(chr->listen_src, main_loop_context());
    return chr;
}

int chardev_port(const Chardev *chr)
{
    if (chr->kind == CHR_MUX_FE) {
        chr = chr->mux->backend;
    }
    return chr->port;
}

Chardev *chardev_new(const char *spec, char **errp)
{
    char *dummy = NULL;
    if (!errp) {
        errp = &dummy;
    }
    if (!strncmp(spec, "mon:", 4)) {
        Chardev *backend = chr_new_backend(spec + 4, true, errp);
        g_free(dummy);
        return backend ? chardev_mux_new(backend) : NULL;
    }
    Chardev *chr = chr_new_backend(spec, false, errp);
    g_free(dummy);
    return chr;
}

const char *chardev_spec(const Chardev *chr)
{
    if (chr->kind == CHR_MUX_FE) {
        return chr->mux->backend->spec;
    }
    return chr->spec;
}

bool chardev_is_tty(const Chardev *chr)
{
    if (chr->kind == CHR_MUX_FE) {
        chr = chr->mux->backend;
    }
    return chr->out_fd >= 0 && isatty(chr->out_fd);
}

static void chr_read_stop(Chardev *chr)
{
    if (chr->in_src) {
        g_source_destroy(chr->in_src);
        g_source_unref(chr->in_src);
        chr->in_src = NULL;
    }
}

static void chr_free_one(Chardev *chr)
{
    chr_read_stop(chr);
    if (chr->listen_src) {
        g_source_destroy(chr->listen_src);
        g_source_unref(chr->listen_src);
    }
    if (chr->listen_fd >= 0) {
        close(chr->listen_fd);
    }
    g_mutex_lock(&retry_lock);
    if (chr->retry_src) {
        g_source_destroy(chr->retry_src);
        g_source_unref(chr->retry_src);
        chr->retry_src = NULL;
    }
    g_mutex_unlock(&retry_lock);
    if (chr->kind == CHR_STDIO) {
        stdio_restore_terminal();
        stdio_in_use = false;
    }
    if (chr->owns_fds) {
        if (chr->in_fd >= 0) {
            close(chr->in_fd);
        }
        if (chr->out_fd >= 0 && chr->out_fd != chr->in_fd) {
            close(chr->out_fd);
        }
    }
    g_byte_array_unref(chr->pending);
    g_free(chr->spec);
    g_free(chr);
}

void chardev_free(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->kind != CHR_MUX_FE) {
        chr_free_one(chr);
        return;
    }
    CharMux *mux = chr->mux;
    for (int i = 0; i < mux->n_fe; i++) {
        if (mux->fe[i] == chr) {
            mux->fe[i] = NULL;
        }
    }
    chr_free_one(chr);
    for (int i = 0; i < mux->n_fe; i++) {
        if (mux->fe[i]) {
            return;
        }
    }
    chr_free_one(mux->backend);
    g_free(mux);
}

void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque)
{
    chr->fe_ops = ops;
    chr->fe_opaque = opaque;
    chardev_accept_input(chr);
}

void chardev_set_focus_handler(Chardev *chr, void (*fn)(void *opaque, bool focused), void *opaque)
{
    chr->focus_fn = fn;
    chr->focus_opaque = opaque;
}

/* ---- output -------------------------------------------------------------- */

static int chr_write_fd(int fd, const uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                struct pollfd p = {.fd = fd, .events = POLLOUT};
                poll(&p, 1, -1);
                continue;
            }
            return -1;
        }
        done += n;
    }
    return (int)len;
}

int chardev_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr->kind == CHR_MUX_FE) {
        chr = chr->mux->backend;
    }
    if (chr->out_fd < 0) {
        return (int)len; /* null: swallowed */
    }
    return chr_write_fd(chr->out_fd, buf, len);
}

static void chr_puts(Chardev *chr, const char *s)
{
    chardev_write(chr, (const uint8_t *)s, strlen(s));
}

/* ---- input --------------------------------------------------------------- */

static gboolean chr_fd_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0 && chr->kind == CHR_SOCKET) {
        g_source_unref(chr->in_src);
        chr->in_src = NULL;
        chr_socket_detach(chr);
        return G_SOURCE_REMOVE;
    }
    if (n <= 0) {
        /* End of input (a closed pipe, stdin from /dev/null): the guest keeps
         * running, it just gets no more bytes. */
        chr->eof = true;
        g_source_unref(chr->in_src);
        chr->in_src = NULL;
        return G_SOURCE_REMOVE;
    }
    g_byte_array_append(chr->pending, buf, n);
    chr_deliver(chr);
    if (chr->pending->len > 0 && chr->in_src) {
        /* The device is full: stop reading until it asks for more. */
        g_source_destroy(chr->in_src);
        g_source_unref(chr->in_src);
        chr->in_src = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void chr_read_start(Chardev *chr)
{
    if (chr->in_src || chr->eof || chr->in_fd < 0) {
        return;
    }
    chr->in_src = g_unix_fd_source_new(chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(chr->in_src, (GSourceFunc)(void (*)(void))chr_fd_readable, chr, NULL);
    g_source_attach(chr->in_src, main_loop_context());
}

/* How many bytes front-end chr takes now (no front-end: all, dropped). */
static size_t chr_fe_room(Chardev *chr, size_t want)
{
    if (!chr || !chr->fe_ops || !chr->fe_ops->receive) {
        return want;
    }
    if (!chr->fe_ops->can_receive) {
        return want;
    }
    int n = chr->fe_ops->can_receive(chr->fe_opaque);
    return n <= 0 ? 0 : ((size_t)n < want ? (size_t)n : want);
}

static void chr_fe_receive(Chardev *chr, const uint8_t *buf, size_t len)
{
    if (chr && chr->fe_ops && chr->fe_ops->receive && len) {
        chr->fe_ops->receive(chr->fe_opaque, buf, len);
    }
}

static const char mux_help[] = "\n"
                               "C-a h    print this help\n"
                               "C-a x    exit emulator\n"
                               "C-a c    switch between console and monitor\n"
                               "C-a a    sends C-a\n"
                               "C-a C-a  sends C-a\n";

static void mux_set_focus(CharMux *mux, int focus)
{
    Chardev *old = mux->fe[mux->focus];
    if (old && old->focus_fn) {
        old->focus_fn(old->focus_opaque, false);
    }
    mux->focus = focus;
    Chardev *now = mux->fe[mux->focus];
    if (now && now->focus_fn) {
        now->focus_fn(now->focus_opaque, true);
    }
    if (now) {
        chardev_accept_input(now);
    }
}

/* Consumes as much of the mux backend's pending input as the focused
 * front-end allows, acting on escapes on the way. */
static void mux_deliver(CharMux *mux)
{
    GByteArray *in = mux->backend->pending;
    size_t pos = 0;
    while (pos < in->len) {
        uint8_t b = in->data[pos];
        Chardev *fe = mux->fe[mux->focus];
        if (mux->escape) {
            if (b == 'a' || b == CTRL_A) {
                if (chr_fe_room(fe, 1) == 0) {
                    break;
                }
                uint8_t c = CTRL_A;
                chr_fe_receive(fe, &c, 1);
            } else if (b == 'x') {
                chr_puts(mux->backend, "mimic: terminated\n");
                vm_request_exit(0);
            } else if (b == 'h' || b == '?') {
                chr_puts(mux->backend, mux_help);
            } else if (b == 'c') {
                int next = mux->focus;
                for (int i = 1; i <= mux->n_fe; i++) {
                    int j = (mux->focus + i) % mux->n_fe;
                    if (mux->fe[j]) {
                        next = j;
                        break;
                    }
                }
                mux->escape = false;
                pos++;
                mux_set_focus(mux, next);
                continue;
            }
            /* Other escapes are swallowed, as on QEMU. */
            mux->escape = false;
            pos++;
            continue;
        }
        if (b == CTRL_A) {
            mux->escape = true;
            pos++;
            continue;
        }
        size_t run = 1;
        while (pos + run < in->len && in->data[pos + run] != CTRL_A) {
            run++;
        }
        size_t n = chr_fe_room(fe, run);
        if (n == 0) {
            break;
        }
        chr_fe_receive(fe, in->data + pos, n);
        pos += n;
    }
    g_byte_array_remove_range(in, 0, pos);
}

static void chr_deliver(Chardev *chr)
{
    if (chr->mux) {
        mux_deliver(chr->mux);
        return;
    }
    size_t n = chr_fe_room(chr, chr->pending->len);
    if (n > 0) {
        /* Copy out first: receive may call back into accept_input. */
        uint8_t *copy = g_memdup2(chr->pending->data, n);
        g_byte_array_remove_range(chr->pending, 0, n);
        chr_fe_receive(chr, copy, n);
        g_free(copy);
    }
}

static Chardev *chr_backend_of(Chardev *chr)
{
    return chr->kind == CHR_MUX_FE ? chr->mux->backend : chr;
}

static gboolean chr_retry_input(gpointer opaque)
{
    Chardev *backend = opaque;
    g_mutex_lock(&retry_lock);
    if (backend->retry_src) {
        g_source_unref(backend->retry_src);
        backend->retry_src = NULL;
    }
    g_mutex_unlock(&retry_lock);
    chr_deliver(backend);
    if (backend->pending->len == 0) {
        chr_read_start(backend);
    }
    return G_SOURCE_REMOVE;
}

void chardev_accept_input(Chardev *chr)
{
    Chardev *backend = chr_backend_of(chr);
    g_mutex_lock(&retry_lock);
    if (!backend->retry_src) {
        /* Always deliver from the main loop, whichever thread asks. */
        backend->retry_src = g_idle_source_new();
        g_source_set_callback(backend->retry_src, chr_retry_input, backend, NULL);
        g_source_attach(backend->retry_src, main_loop_context());
    }
    g_mutex_unlock(&retry_lock);
}

/* ---- multiplexer --------------------------------------------------------- */

bool chardev_is_mux(const Chardev *chr)
{
    return chr && chr->kind == CHR_MUX_FE;
}

Chardev *chardev_mux_new(Chardev *backend)
{
    CharMux *mux = g_new0(CharMux, 1);
    mux->backend = backend;
    backend->mux = mux;
    Chardev *fe = chr_alloc(CHR_MUX_FE, "mux", -1, -1);
    fe->mux = mux;
    mux->fe[mux->n_fe++] = fe;
    return fe;
}

Chardev *chardev_mux_add_frontend(Chardev *chr)
{
    if (!chardev_is_mux(chr) || chr->mux->n_fe >= MUX_MAX_FRONTENDS) {
        return NULL;
    }
    Chardev *fe = chr_alloc(CHR_MUX_FE, "mux", -1, -1);
    fe->mux = chr->mux;
    chr->mux->fe[chr->mux->n_fe++] = fe;
    return fe;
}

void chardev_mux_feed(Chardev *chr, const uint8_t *buf, size_t len)
{
    Chardev *backend = chr_backend_of(chr);
    g_byte_array_append(backend->pending, buf, len);
    chr_deliver(backend);
}
