/*
 * Character backends (system/chardev.h): stdio, file, pipe, null and the
 * Ctrl-A multiplexer. Input is read by main-loop sources and handed to the
 * device with the global lock held, never faster than can_receive allows.
 */
#include "system/chardev.h"
#include "system/main-loop.h"
#include "system/options.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
    CHR_SOCKET,  /* tcp or unix: a connected client is in_fd == out_fd */
    CHR_PTY,     /* a pseudo-terminal master; we hold the slave open too */
    CHR_RINGBUF, /* output kept in memory (the last ring_size bytes) */
    CHR_MUX_FE,  /* a front-end of a multiplexer: I/O goes through mux->backend */
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
    char *unix_path;     /* a unix server's socket file, removed when freed */
    int pty_slave_fd;    /* pty: -1 otherwise */
    char *pty_name;      /* pty: "/dev/pts/N" */
    bool drop_when_full; /* nobody may be reading: drop output rather than block */
    GByteArray *ring;    /* ringbuf: output not yet read */
    int reconnect;       /* socket client: seconds between connection attempts (0: none) */
    char *rc_path, *rc_host, *rc_port;
    GSource *rc_src; /* the pending attempt */
    size_t ring_size;
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
static Chardev *chr_pty_new(const char *spec, char **errp);

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
    chr->pty_slave_fd = -1;
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

/* A pseudo-terminal whose slave side (printed, like QEMU, on stderr) a
 * terminal program opens. Holding the slave open ourselves keeps the master
 * from reporting hang-up while nobody is attached; output that does not fit
 * then is dropped instead of stopping the guest. */
static Chardev *chr_pty_new(const char *spec, char **errp)
{
    int mfd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (mfd < 0 || grantpt(mfd) < 0 || unlockpt(mfd) < 0) {
        *errp = g_strdup_printf("could not open a pseudo-terminal: %s", strerror(errno));
        if (mfd >= 0) {
            close(mfd);
        }
        return NULL;
    }
    const char *name = ptsname(mfd);
    int sfd = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
    if (sfd < 0) {
        *errp = g_strdup_printf("could not open a pseudo-terminal: %s", strerror(errno));
        close(mfd);
        return NULL;
    }
    /* Raw on the slave side: the guest's bytes pass unchanged both ways. */
    struct termios t;
    if (tcgetattr(sfd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(sfd, TCSANOW, &t);
    }
    fcntl(mfd, F_SETFL, fcntl(mfd, F_GETFL) | O_NONBLOCK);
    Chardev *chr = chr_alloc(CHR_PTY, spec, mfd, mfd);
    chr->pty_slave_fd = sfd;
    chr->pty_name = g_strdup(name);
    chr->drop_when_full = true;
    chr_read_start(chr);
    return chr;
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
    if (!strncmp(spec, "tcp:", 4) || !strncmp(spec, "unix:", 5)) {
        return chr_socket_new(spec, errp);
    }
    if (!strcmp(spec, "pty")) {
        return chr_pty_new(spec, errp);
    }
    *errp = g_strdup_printf("'%s' is not a valid char driver", spec);
    return NULL;
}

/* Where a socket backend goes: a TCP host and port, or a Unix path. */
typedef struct SocketAddr {
    bool is_unix;
    const char *host, *port, *path;
    bool server, wait;
    int reconnect; /* client: keep trying every this many seconds */
} SocketAddr;

/* ---- tcp sockets ---------------------------------------------------------- */

static void chr_socket_attach(Chardev *chr, int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    chr->in_fd = chr->out_fd = fd;
    chr->eof = false;
    chr_read_start(chr);
}

static int chr_socket_connect_unix(const char *path, char **errp);
static int chr_socket_open_tcp(const SocketAddr *a, char **errp);

static gboolean chr_socket_retry(gpointer opaque)
{
    Chardev *chr = opaque;
    SocketAddr a = {.is_unix = chr->rc_path != NULL,
                    .path = chr->rc_path,
                    .host = chr->rc_host,
                    .port = chr->rc_port};
    char *err = NULL;
    int fd = a.is_unix ? chr_socket_connect_unix(a.path, &err) : chr_socket_open_tcp(&a, &err);
    g_free(err);
    if (fd < 0) {
        return G_SOURCE_CONTINUE;
    }
    g_source_unref(chr->rc_src);
    chr->rc_src = NULL;
    chr_socket_attach(chr, fd);
    return G_SOURCE_REMOVE;
}

/* reconnect=N: try the server again every N seconds until it answers. */
static void chr_socket_arm_retry(Chardev *chr)
{
    if (chr->reconnect <= 0 || chr->rc_src) {
        return;
    }
    chr->rc_src = g_timeout_source_new_seconds(chr->reconnect);
    g_source_set_callback(chr->rc_src, chr_socket_retry, chr, NULL);
    g_source_attach(chr->rc_src, main_loop_context());
}

/* The peer went away: drop output until the next one connects (a server's
 * next client, or a client's next successful reconnect). */
static void chr_socket_detach(Chardev *chr)
{
    chr_read_stop(chr);
    if (chr->in_fd >= 0) {
        close(chr->in_fd);
    }
    chr->in_fd = chr->out_fd = -1;
    chr->eof = false;
    chr_socket_arm_retry(chr);
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
        return G_SOURCE_CONTINUE;
    }
    chr_socket_attach(chr, cfd);
    /* A new client: the front-end with the focus (the monitor) greets it. */
    Chardev *fe = chr->mux ? chr->mux->fe[chr->mux->focus] : chr;
    if (fe && fe->focus_fn) {
        fe->focus_fn(fe->focus_opaque, true);
    }
    return G_SOURCE_CONTINUE;
}

/* Socket files of unix servers still open: removed at exit, as QEMU does. */
static GPtrArray *unix_paths;

static void chr_unlink_unix_paths(void)
{
    for (guint i = 0; unix_paths && i < unix_paths->len; i++) {
        unlink(g_ptr_array_index(unix_paths, i));
    }
}

static void chr_unlink_at_exit(const char *path)
{
    if (!unix_paths) {
        unix_paths = g_ptr_array_new_with_free_func(g_free);
        atexit(chr_unlink_unix_paths);
    }
    g_ptr_array_add(unix_paths, g_strdup(path));
}

static void chr_forget_unix_path(const char *path)
{
    for (guint i = 0; unix_paths && i < unix_paths->len; i++) {
        if (!strcmp(g_ptr_array_index(unix_paths, i), path)) {
            g_ptr_array_remove_index(unix_paths, i);
            return;
        }
    }
}

/* A unix stream socket and the address of path, or -1 with *errp set. */
static int chr_unix_socket(const char *path, struct sockaddr_un *sa, char **errp)
{
    *sa = (struct sockaddr_un){.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa->sun_path)) {
        *errp = g_strdup_printf("UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(sa->sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *errp = g_strdup_printf("Failed to create socket: %s", strerror(errno));
    }
    return fd;
}

static int chr_socket_listen_unix(const char *path, char **errp)
{
    struct sockaddr_un sa;
    int fd = chr_unix_socket(path, &sa, errp);
    if (fd < 0) {
        return -1;
    }
    /* A socket file left by an earlier run would make bind fail; anything
     * else at that path is the user's and stays. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        *errp = g_strdup_printf("Failed to bind socket to %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int chr_socket_connect_unix(const char *path, char **errp)
{
    struct sockaddr_un sa;
    int fd = chr_unix_socket(path, &sa, errp);
    if (fd < 0) {
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        *errp = g_strdup_printf("Failed to connect to '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int chr_socket_open_tcp(const SocketAddr *a, char **errp)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = (a->server ? AI_PASSIVE : 0) | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    const char *host = a->host && *a->host ? a->host : (a->server ? "0.0.0.0" : "127.0.0.1");
    int rc = getaddrinfo(host, a->port, &hints, &res);
    if (rc) {
        *errp = g_strdup_printf("address resolution failed for %s:%s: %s", host, a->port,
                                gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        if (a->server) {
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
        *errp = g_strdup_printf("Failed to %s socket %s:%s: %s", a->server ? "bind" : "connect to",
                                host, a->port, strerror(err));
    }
    return fd;
}

/* A client connects at once; a server listens and, unless told not to,
 * waits for its first client before the machine starts (as QEMU does). */
static Chardev *chr_socket_open(const char *spec, const SocketAddr *a, char **errp)
{
    int fd;
    if (a->is_unix) {
        fd = a->server ? chr_socket_listen_unix(a->path, errp)
                       : chr_socket_connect_unix(a->path, errp);
    } else {
        fd = chr_socket_open_tcp(a, errp);
    }
    if (fd < 0 && (a->server || a->reconnect <= 0)) {
        return NULL;
    }
    Chardev *chr = chr_alloc(CHR_SOCKET, spec, -1, -1);
    if (!a->server) {
        chr->reconnect = a->reconnect;
        chr->rc_path = g_strdup(a->path);
        chr->rc_host = g_strdup(a->host);
        chr->rc_port = g_strdup(a->port);
        if (fd >= 0) {
            chr_socket_attach(chr, fd);
        } else {
            /* Not there yet: no error with reconnect=, as on QEMU. */
            g_free(*errp);
            *errp = NULL;
            chr_socket_arm_retry(chr);
        }
        return chr;
    }
    if (a->is_unix) {
        chr->unix_path = g_strdup(a->path);
        chr_unlink_at_exit(a->path);
    } else {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &sl);
        chr->port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    chr->listen_fd = fd;
    if (a->wait) {
        if (a->is_unix) {
            fprintf(stderr, "mimic: waiting for a connection on %s\n", a->path);
        } else {
            fprintf(stderr, "mimic: waiting for a connection on port %d\n", chr->port);
        }
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

/* The legacy -serial spellings "tcp:[HOST]:PORT[,server[=on]][,nowait|,wait=off]"
 * and "unix:PATH[,server][,nowait]". */
static Chardev *chr_socket_new(const char *spec, char **errp)
{
    bool is_unix = !strncmp(spec, "unix:", 5);
    char **parts = g_strsplit(spec + (is_unix ? 5 : 4), ",", -1);
    SocketAddr a = {.is_unix = is_unix, .wait = true};
    bool ok = true;
    for (char **p = parts + 1; *p && ok; p++) {
        if (!strcmp(*p, "server") || !strcmp(*p, "server=on")) {
            a.server = true;
        } else if (!strcmp(*p, "nowait") || !strcmp(*p, "wait=off")) {
            a.wait = false;
        } else if (!strcmp(*p, "wait") || !strcmp(*p, "wait=on") || !strcmp(*p, "server=off")) {
            /* defaults */
        } else {
            *errp = g_strdup_printf("'%s': unknown socket option '%s'", spec, *p);
            ok = false;
        }
    }
    char *host = NULL;
    if (ok && is_unix) {
        a.path = parts[0];
        if (!*a.path) {
            *errp = g_strdup_printf("'%s': expected unix:PATH", spec);
            ok = false;
        }
    } else if (ok) {
        const char *colon = strrchr(parts[0], ':');
        if (!colon || !colon[1]) {
            *errp = g_strdup_printf("'%s': expected tcp:[HOST]:PORT", spec);
            ok = false;
        } else {
            host = g_strndup(parts[0], colon - parts[0]);
            a.host = host;
            a.port = colon + 1;
        }
    }
    Chardev *chr = NULL;
    if (ok) {
        char *err = NULL;
        chr = chr_socket_open(spec, &a, &err);
        if (!chr) {
            *errp = g_strdup_printf("'%s': %s", spec, err);
            g_free(err);
        }
    }
    g_free(host);
    g_strfreev(parts);
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
    if (chr->unix_path) {
        unlink(chr->unix_path);
        chr_forget_unix_path(chr->unix_path);
        g_free(chr->unix_path);
    }
    if (chr->pty_slave_fd >= 0) {
        close(chr->pty_slave_fd);
    }
    if (chr->rc_src) {
        g_source_destroy(chr->rc_src);
        g_source_unref(chr->rc_src);
    }
    g_free(chr->rc_path);
    g_free(chr->rc_host);
    g_free(chr->rc_port);
    g_free(chr->pty_name);
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
    if (chr->ring) {
        g_byte_array_unref(chr->ring);
    }
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

static int chr_write_fd(int fd, const uint8_t *buf, size_t len, bool drop_when_full)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN && drop_when_full) {
                return (int)len;
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
    if (chr->ring) {
        /* The oldest bytes make room, as in QEMU's ring buffer. */
        if (len >= chr->ring_size) {
            g_byte_array_set_size(chr->ring, 0);
            g_byte_array_append(chr->ring, buf + len - chr->ring_size, chr->ring_size);
        } else {
            size_t over =
                chr->ring->len + len > chr->ring_size ? chr->ring->len + len - chr->ring_size : 0;
            g_byte_array_remove_range(chr->ring, 0, over);
            g_byte_array_append(chr->ring, buf, len);
        }
        return (int)len;
    }
    if (chr->out_fd < 0) {
        return (int)len; /* null: swallowed */
    }
    return chr_write_fd(chr->out_fd, buf, len, chr->drop_when_full);
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

const char *chardev_pty_name(const Chardev *chr)
{
    return chr_backend_of((Chardev *)chr)->pty_name;
}

/* ---- named backends (-chardev) -------------------------------------------- */

typedef struct NamedChardev {
    char *id;
    Chardev *chr; /* the backend, or a multiplexer's first front-end */
    int users;
    struct NamedChardev *next;
} NamedChardev;

static NamedChardev *named_list;

static NamedChardev *named_find(const char *id)
{
    for (NamedChardev *n = named_list; n; n = n->next) {
        if (!strcmp(n->id, id)) {
            return n;
        }
    }
    return NULL;
}

static void named_add(const char *label, Chardev *chr, int users)
{
    NamedChardev *n = g_new0(NamedChardev, 1);
    n->id = g_strdup(label);
    n->chr = chr;
    n->users = users;
    /* At the end, so listings keep the order of the command line. */
    NamedChardev **pp = &named_list;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = n;
}

/* Splits "a=1,b=x,,y" at single commas; ",," stands for a comma in a value. */
static char **chr_split_opts(const char *s)
{
    GPtrArray *parts = g_ptr_array_new();
    GString *cur = g_string_new(NULL);
    for (const char *p = s;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || !*p) {
            g_ptr_array_add(parts, g_string_free(cur, false));
            if (!*p) {
                break;
            }
            cur = g_string_new(NULL);
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_ptr_array_add(parts, NULL);
    return (char **)g_ptr_array_free(parts, false);
}

static bool chr_parse_onoff(const char *key, const char *val, bool *out, char **errp)
{
    if (!val || !strcmp(val, "on") || !strcmp(val, "yes") || !strcmp(val, "true")) {
        *out = true; /* a bare "server" means server=on */
    } else if (!strcmp(val, "off") || !strcmp(val, "no") || !strcmp(val, "false")) {
        *out = false;
    } else {
        *errp = g_strdup_printf("Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return true;
}

typedef struct ChardevOpts {
    const char *backend, *id, *path, *host, *port, *size, *reconnect;
    bool mux, server, wait, append, signal, telnet;
} ChardevOpts;

#define CHR_KEY_IGNORED SIZE_MAX

/* The keys -chardev takes: which backends take each (NULL: every one),
 * whether it is an on/off flag, and where its value goes in ChardevOpts. */
static const struct {
    const char *name, *backends;
    bool is_flag;
    size_t offset;
} chr_keys[] = {
    {"id", NULL, false, offsetof(ChardevOpts, id)},
    {"mux", NULL, true, offsetof(ChardevOpts, mux)},
    {"path", " socket file pipe ", false, offsetof(ChardevOpts, path)},
    {"host", " socket ", false, offsetof(ChardevOpts, host)},
    {"port", " socket ", false, offsetof(ChardevOpts, port)},
    {"server", " socket ", true, offsetof(ChardevOpts, server)},
    {"wait", " socket ", true, offsetof(ChardevOpts, wait)},
    {"telnet", " socket ", true, offsetof(ChardevOpts, telnet)},
    {"nodelay", " socket ", true, CHR_KEY_IGNORED}, /* always on for TCP */
    {"ipv4", " socket ", true, CHR_KEY_IGNORED},
    {"ipv6", " socket ", true, CHR_KEY_IGNORED},
    {"reconnect", " socket ", false, offsetof(ChardevOpts, reconnect)},
    {"append", " file ", true, offsetof(ChardevOpts, append)},
    {"signal", " stdio ", true, offsetof(ChardevOpts, signal)},
    {"size", " ringbuf ", false, offsetof(ChardevOpts, size)},
};

static bool chr_backend_takes(const char *backends, const char *backend)
{
    if (!backends) {
        return true;
    }
    char *word = g_strdup_printf(" %s ", backend);
    bool yes = strstr(backends, word) != NULL;
    g_free(word);
    return yes;
}

/* One "key=value" (or a bare flag) of a -chardev option into *o. */
static bool chr_parse_key(ChardevOpts *o, const char *item, char **errp)
{
    const char *eq = strchr(item, '=');
    size_t klen = eq ? (size_t)(eq - item) : strlen(item);
    const char *val = eq ? eq + 1 : NULL;
    if (!eq && !strcmp(item, "nowait")) {
        /* QEMU's old flag spelling; a bare "server" is server=on below. */
        o->wait = false;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(chr_keys); i++) {
        if (strlen(chr_keys[i].name) != klen || strncmp(chr_keys[i].name, item, klen) ||
            !chr_backend_takes(chr_keys[i].backends, o->backend)) {
            continue;
        }
        bool flag = false;
        if (chr_keys[i].is_flag && !chr_parse_onoff(chr_keys[i].name, val, &flag, errp)) {
            return false;
        }
        if (!chr_keys[i].is_flag && !val) {
            *errp = g_strdup_printf("Parameter '%s' expects a value", chr_keys[i].name);
            return false;
        }
        if (chr_keys[i].offset == CHR_KEY_IGNORED) {
            return true;
        }
        char *field = (char *)o + chr_keys[i].offset;
        if (chr_keys[i].is_flag) {
            *(bool *)field = flag;
        } else {
            *(const char **)field = val;
        }
        return true;
    }
    *errp = g_strdup_printf("Invalid parameter '%.*s'", (int)klen, item);
    return false;
}

static bool chr_parse_option(char **parts, ChardevOpts *o, char **errp)
{
    *o = (ChardevOpts){.backend = parts[0], .wait = true, .signal = true};
    static const char *const backends[] = {"socket", "file", "pipe",   "stdio",
                                           "pty",    "null", "ringbuf"};
    static const char *const unsupported[] = {"memory", "udp", "serial", "tty", "parallel"};
    bool known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(unsupported); i++) {
        if (!strcmp(o->backend, unsupported[i])) {
            *errp = g_strdup_printf("chardev backend '%s' is not supported by mimic "
                                    "(supported: socket, file, pipe, stdio, pty, null, ringbuf)",
                                    o->backend);
            return false;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        known |= !strcmp(o->backend, backends[i]);
    }
    if (!known) {
        *errp = g_strdup_printf("'%s' is not a valid char driver name", o->backend);
        return false;
    }
    for (char **p = parts + 1; *p; p++) {
        if (**p && !chr_parse_key(o, *p, errp)) {
            return false;
        }
    }
    if (o->telnet) {
        *errp = g_strdup("telnet=on is not supported by mimic");
        return false;
    }
    if (!o->id || !*o->id) {
        *errp = g_strdup("chardev: no id specified");
        return false;
    }
    if (named_find(o->id)) {
        *errp = g_strdup_printf("Duplicate ID '%s' for chardev", o->id);
        return false;
    }
    if ((!strcmp(o->backend, "file") || !strcmp(o->backend, "pipe")) && !o->path) {
        *errp = g_strdup_printf("chardev: %s: no filename given", o->backend);
        return false;
    }
    if (!strcmp(o->backend, "socket")) {
        if (o->path && (o->host || o->port)) {
            *errp = g_strdup("chardev: socket: path= and host=/port= exclude each other");
            return false;
        }
        if (!o->path && !o->port) {
            *errp = g_strdup(o->host ? "chardev: socket: no port given"
                                     : "chardev: socket: no path= or host=/port= given");
            return false;
        }
    }
    return true;
}

static Chardev *chr_open_option(const ChardevOpts *o, const char *spec, char **errp)
{
    if (!strcmp(o->backend, "socket")) {
        SocketAddr a = {.is_unix = o->path != NULL,
                        .path = o->path,
                        .host = o->host,
                        .port = o->port,
                        .server = o->server,
                        .wait = o->server && o->wait};
        if (o->reconnect) {
            char *end;
            long secs = strtol(o->reconnect, &end, 10);
            if (*end || end == o->reconnect || secs < 0 || secs > 86400) {
                *errp = g_strdup_printf("Parameter 'reconnect' expects a number of seconds, "
                                        "not '%s'",
                                        o->reconnect);
                return NULL;
            }
            a.reconnect = (int)secs;
        }
        return chr_socket_open(spec, &a, errp);
    }
    if (!strcmp(o->backend, "ringbuf")) {
        uint64_t size = 64 * 1024;
        if (o->size && !options_parse_size(o->size, 1, &size)) {
            *errp = g_strdup_printf("Parameter 'size' expects a size, not '%s'", o->size);
            return NULL;
        }
        if (size == 0 || (size & (size - 1)) || size > (1u << 30)) {
            *errp = g_strdup("size of ringbuf chardev must be power of two");
            return NULL;
        }
        Chardev *chr = chr_alloc(CHR_RINGBUF, spec, -1, -1);
        chr->ring = g_byte_array_new();
        chr->ring_size = size;
        return chr;
    }
    if (!strcmp(o->backend, "file")) {
        int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (o->append ? O_APPEND : O_TRUNC);
        int fd = open(o->path, flags, 0666);
        if (fd < 0) {
            *errp = g_strdup_printf("Could not open '%s': %s", o->path, strerror(errno));
            return NULL;
        }
        return chr_alloc(CHR_FILE, spec, -1, fd);
    }
    char *legacy =
        !strcmp(o->backend, "pipe") ? g_strdup_printf("pipe:%s", o->path) : g_strdup(o->backend);
    Chardev *chr = chr_new_backend(legacy, !o->signal, errp);
    g_free(legacy);
    if (chr) {
        g_free(chr->spec);
        chr->spec = g_strdup(spec);
    }
    return chr;
}

Chardev *chardev_new_option(const char *spec, char **errp)
{
    char **parts = chr_split_opts(spec);
    ChardevOpts o;
    Chardev *chr = NULL;
    if (chr_parse_option(parts, &o, errp)) {
        chr = chr_open_option(&o, spec, errp);
    }
    if (chr && chr->kind == CHR_PTY) {
        fprintf(stderr, "char device redirected to %s (label %s)\n", chr->pty_name, o.id);
    }
    if (chr && o.mux) {
        chr = chardev_mux_new(chr);
    }
    if (chr) {
        named_add(o.id, chr, 0);
    }
    g_strfreev(parts);
    return chr;
}

void chardev_register(const char *label, Chardev *chr)
{
    named_add(label, chr, 1);
}

void chardev_foreach(void (*fn)(const char *label, Chardev *chr, void *opaque), void *opaque)
{
    for (NamedChardev *n = named_list; n; n = n->next) {
        fn(n->id, n->chr, opaque);
    }
}

Chardev *chardev_find(const char *id)
{
    NamedChardev *n = named_find(id);
    return n ? n->chr : NULL;
}

Chardev *chardev_take(const char *id, char **errp)
{
    NamedChardev *n = named_find(id);
    if (!n) {
        *errp = g_strdup_printf("chardev \"%s\" not found", id);
        return NULL;
    }
    if (n->users == 0) {
        n->users++;
        return n->chr;
    }
    if (!chardev_is_mux(n->chr)) {
        *errp = g_strdup_printf("chardev \"%s\" is already in use (mux=on shares it)", id);
        return NULL;
    }
    Chardev *fe = chardev_mux_add_frontend(n->chr);
    if (!fe) {
        *errp = g_strdup_printf("chardev \"%s\": too many users of one multiplexer", id);
        return NULL;
    }
    n->users++;
    return fe;
}

void chardev_forget_all(void)
{
    while (named_list) {
        NamedChardev *n = named_list;
        named_list = n->next;
        if (n->users == 0) {
            chardev_free(n->chr);
        }
        g_free(n->id);
        g_free(n);
    }
}

char *chardev_ringbuf_read(Chardev *chr, size_t max, size_t *len)
{
    chr = chr_backend_of(chr);
    if (!chr->ring) {
        return NULL;
    }
    size_t n = chr->ring->len < max ? chr->ring->len : max;
    char *out = g_malloc(n + 1);
    memcpy(out, chr->ring->data, n);
    out[n] = 0;
    g_byte_array_remove_range(chr->ring, 0, n);
    *len = n;
    return out;
}

bool chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    chr = chr_backend_of(chr);
    if (!chr->ring) {
        return false;
    }
    /* As if received: the front-end takes it at its own pace. */
    g_byte_array_append(chr->pending, buf, len);
    chr_deliver(chr);
    return true;
}
