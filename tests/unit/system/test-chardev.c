/*
 * Tests of the character backends (system/chardev.c): file output, pipe
 * input paced by can_receive, end of input, and the Ctrl-A multiplexer.
 */
#include "system/chardev.h"
#include "system/main-loop.h"

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct Sink {
    GString *got;
    int room; /* what can_receive answers */
} Sink;

static int sink_can_receive(void *opaque)
{
    return ((Sink *)opaque)->room;
}

static void sink_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Sink *s = opaque;
    ck_assert_int_le(len, s->room);
    ck_assert(bql_locked());
    g_string_append_len(s->got, (const char *)buf, len);
    s->room -= len;
}

static const CharFrontendOps sink_ops = {
    .can_receive = sink_can_receive,
    .receive = sink_receive,
};

static char *tmpdir;

static void setup(void)
{
    tmpdir = g_dir_make_tmp("mimic-chardev-XXXXXX", NULL);
    main_loop_init();
}

static void teardown(void)
{
    char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    g_free(cmd);
    g_free(tmpdir);
}

static void spin(int n)
{
    for (int i = 0; i < n; i++) {
        main_loop_iterate(false);
        g_usleep(500);
    }
}

static char *slurp(const char *path)
{
    char *data = NULL;
    ck_assert(g_file_get_contents(path, &data, NULL, NULL));
    return data;
}

START_TEST(test_file_output)
{
    char *path = g_build_filename(tmpdir, "out.txt", NULL);
    char *spec = g_strdup_printf("file:%s", path);
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_ptr_nonnull(chr);
    ck_assert_str_eq(chardev_spec(chr), spec);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"hello, ", 7), 7);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"world\n", 6), 6);
    chardev_free(chr);
    char *data = slurp(path);
    ck_assert_str_eq(data, "hello, world\n");
    g_free(data);
    g_free(spec);
    g_free(path);
}
END_TEST

START_TEST(test_bad_specs)
{
    char *err = NULL;
    ck_assert_ptr_null(chardev_new("bogus:x", &err));
    ck_assert_str_eq(err, "'bogus:x' is not a valid char driver");
    g_free(err);
    err = NULL;
    ck_assert_ptr_null(chardev_new("file:/nonexistent-dir/x", &err));
    ck_assert_str_eq(err, "could not open '/nonexistent-dir/x': No such file or directory");
    g_free(err);
    Chardev *null = chardev_new("null", &err);
    ck_assert_ptr_nonnull(null);
    ck_assert_int_eq(chardev_write(null, (const uint8_t *)"abc", 3), 3);
    chardev_free(null);
}
END_TEST

START_TEST(test_pipe_paced_input)
{
    char *base = g_build_filename(tmpdir, "p", NULL);
    char *in = g_strdup_printf("%s.in", base), *out = g_strdup_printf("%s.out", base);
    ck_assert_int_eq(mkfifo(in, 0600), 0);
    ck_assert_int_eq(mkfifo(out, 0600), 0);
    char *spec = g_strdup_printf("pipe:%s", base);
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err);

    Sink sink = {g_string_new(NULL), 4};
    chardev_set_frontend(chr, &sink_ops, &sink);
    int wfd = open(in, O_WRONLY);
    ck_assert_int_ge(wfd, 0);
    ck_assert_int_eq(write(wfd, "abcdefghij", 10), 10);
    spin(20);
    /* Only what the device said it could take. */
    ck_assert_str_eq(sink.got->str, "abcd");
    sink.room = 3;
    chardev_accept_input(chr);
    spin(5);
    ck_assert_str_eq(sink.got->str, "abcdefg");
    sink.room = 100;
    chardev_accept_input(chr);
    spin(5);
    ck_assert_str_eq(sink.got->str, "abcdefghij");
    /* Reading resumed: new bytes arrive without another accept_input. */
    ck_assert_int_eq(write(wfd, "XY", 2), 2);
    spin(10);
    ck_assert_str_eq(sink.got->str, "abcdefghijXY");

    int rfd = open(out, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rfd, 0);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"reply", 5), 5);
    char buf[16] = {0};
    ck_assert_int_eq(read(rfd, buf, sizeof(buf)), 5);
    ck_assert_str_eq(buf, "reply");

    close(rfd);
    close(wfd);
    chardev_free(chr);
    g_string_free(sink.got, TRUE);
    g_free(spec);
    g_free(in);
    g_free(out);
    g_free(base);
}
END_TEST

START_TEST(test_end_of_input_is_not_quit)
{
    /* A pipe: spec on a plain file reads it to its end, then stays quiet. */
    char *path = g_build_filename(tmpdir, "input", NULL);
    ck_assert(g_file_set_contents(path, "xyz", 3, NULL));
    char *spec = g_strdup_printf("pipe:%s", path);
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_ptr_nonnull(chr);
    Sink sink = {g_string_new(NULL), 100};
    chardev_set_frontend(chr, &sink_ops, &sink);
    spin(20);
    ck_assert_str_eq(sink.got->str, "xyz");
    ck_assert(!vm_shutdown_requested(NULL));
    chardev_free(chr);
    g_string_free(sink.got, TRUE);
    g_free(spec);
    g_free(path);
}
END_TEST

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

static char *tcp_read(int fd)
{
    char buf[256];
    ssize_t n = 0;
    for (int i = 0; i < 200 && n <= 0; i++) {
        n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
        g_usleep(1000);
    }
    return g_strndup(buf, n > 0 ? n : 0);
}

START_TEST(test_tcp_server)
{
    char *err = NULL;
    Chardev *chr = chardev_new("tcp:127.0.0.1:0,server,nowait", &err);
    ck_assert_msg(chr != NULL, "%s", err);
    int port = chardev_port(chr);
    ck_assert_int_gt(port, 0);
    Sink sink = {g_string_new(NULL), 100};
    chardev_set_frontend(chr, &sink_ops, &sink);
    /* Nobody connected: output is dropped, not an error. */
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"lost", 4), 4);

    for (int round = 0; round < 2; round++) {
        int fd = tcp_connect(port);
        spin(20);
        ck_assert_int_eq(send(fd, "hi", 2, 0), 2);
        spin(20);
        ck_assert_str_eq(sink.got->str, round ? "hihi" : "hi");
        ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"out", 3), 3);
        char *got = tcp_read(fd);
        ck_assert_str_eq(got, "out");
        g_free(got);
        close(fd); /* the next client takes over */
        spin(20);
    }
    chardev_free(chr);
    g_string_free(sink.got, TRUE);
}
END_TEST

START_TEST(test_tcp_client)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(lfd, 1), 0);
    socklen_t sl = sizeof(sa);
    getsockname(lfd, (struct sockaddr *)&sa, &sl);
    char *spec = g_strdup_printf("tcp:127.0.0.1:%d", ntohs(sa.sin_port));
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    ck_assert_msg(chr != NULL, "%s", err);
    ck_assert_int_eq(chardev_port(chr), -1);
    int fd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"ping", 4), 4);
    char *got = tcp_read(fd);
    ck_assert_str_eq(got, "ping");
    g_free(got);
    chardev_free(chr);
    close(fd);
    close(lfd);
    g_free(spec);

    ck_assert_ptr_null(chardev_new("tcp:nohost", &err));
    ck_assert_str_eq(err, "'tcp:nohost': expected tcp:[HOST]:PORT");
    g_free(err);
    ck_assert_ptr_null(chardev_new("tcp::1,bogus", &err));
    ck_assert_str_eq(err, "'tcp::1,bogus': unknown socket option 'bogus'");
    g_free(err);
}
END_TEST

typedef struct MuxFixture {
    char *out_path;
    Chardev *serial, *monitor;
    Sink serial_sink, monitor_sink;
} MuxFixture;

static void mux_open(MuxFixture *f)
{
    f->out_path = g_build_filename(tmpdir, "console", NULL);
    char *spec = g_strdup_printf("file:%s", f->out_path);
    char *err = NULL;
    Chardev *backend = chardev_new(spec, &err);
    ck_assert_ptr_nonnull(backend);
    g_free(spec);
    f->serial = chardev_mux_new(backend);
    f->monitor = chardev_mux_add_frontend(f->serial);
    ck_assert(chardev_is_mux(f->serial) && chardev_is_mux(f->monitor));
    f->serial_sink = (Sink){g_string_new(NULL), 1000};
    f->monitor_sink = (Sink){g_string_new(NULL), 1000};
    chardev_set_frontend(f->serial, &sink_ops, &f->serial_sink);
    chardev_set_frontend(f->monitor, &sink_ops, &f->monitor_sink);
}

static void mux_close(MuxFixture *f)
{
    spin(2); /* let queued accept_input callbacks run before freeing */
    chardev_free(f->serial);
    chardev_free(f->monitor);
    g_string_free(f->serial_sink.got, TRUE);
    g_string_free(f->monitor_sink.got, TRUE);
    g_free(f->out_path);
}

static void feed(Chardev *chr, const char *s)
{
    chardev_mux_feed(chr, (const uint8_t *)s, strlen(s));
}

START_TEST(test_mux_escapes)
{
    MuxFixture f;
    mux_open(&f);
    feed(f.serial, "ab\001\001c\001ad");
    ck_assert_str_eq(f.serial_sink.got->str, "ab\001c\001d");
    ck_assert_str_eq(f.monitor_sink.got->str, "");

    /* Ctrl-A c moves the input to the monitor, and back. */
    feed(f.serial, "\001cinfo\r");
    ck_assert_str_eq(f.monitor_sink.got->str, "info\r");
    feed(f.serial, "\001c");
    feed(f.serial, "z");
    ck_assert_str_eq(f.serial_sink.got->str, "ab\001c\001dz");

    /* An escape split across two reads still works. */
    feed(f.serial, "\001");
    feed(f.serial, "h");
    char *out = slurp(f.out_path);
    ck_assert_ptr_nonnull(strstr(out, "C-a x    exit emulator"));
    ck_assert_ptr_nonnull(strstr(out, "C-a c    switch between console and monitor"));
    g_free(out);
    ck_assert_str_eq(f.serial_sink.got->str, "ab\001c\001dz");

    /* Output of both front-ends reaches the backend. */
    chardev_write(f.serial, (const uint8_t *)"[serial]", 8);
    chardev_write(f.monitor, (const uint8_t *)"[monitor]", 9);
    out = slurp(f.out_path);
    ck_assert(g_str_has_suffix(out, "[serial][monitor]"));
    g_free(out);

    ck_assert(!vm_shutdown_requested(NULL));
    feed(f.serial, "\001x");
    int code = -1;
    ck_assert(vm_shutdown_requested(&code));
    ck_assert_int_eq(code, 0);
    out = slurp(f.out_path);
    ck_assert(g_str_has_suffix(out, "mimic: terminated\n"));
    g_free(out);
    mux_close(&f);
}
END_TEST

START_TEST(test_mux_respects_can_receive)
{
    MuxFixture f;
    mux_open(&f);
    f.serial_sink.room = 2;
    feed(f.serial, "hello");
    ck_assert_str_eq(f.serial_sink.got->str, "he");
    f.serial_sink.room = 100;
    chardev_accept_input(f.serial);
    spin(3);
    ck_assert_str_eq(f.serial_sink.got->str, "hello");
    mux_close(&f);
}
END_TEST

/* -chardev: a named file backend written through the name's users; mux=on
 * gives each user its own front-end on one backend. */
START_TEST(test_named_chardevs)
{
    char *path = g_build_filename(tmpdir, "named.txt", NULL);
    char *spec = g_strdup_printf("file,id=f1,path=%s", path);
    char *err = NULL;
    ck_assert_ptr_nonnull(chardev_new_option(spec, &err));
    ck_assert_ptr_nonnull(chardev_find("f1"));
    ck_assert_ptr_null(chardev_find("f2"));
    Chardev *chr = chardev_take("f1", &err);
    ck_assert_ptr_nonnull(chr);
    ck_assert_str_eq(chardev_spec(chr), spec);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"one", 3), 3);
    ck_assert_ptr_null(chardev_take("f1", &err));
    ck_assert_str_eq(err, "chardev \"f1\" is already in use (mux=on shares it)");
    g_free(err);
    err = NULL;
    chardev_free(chr);
    char *data = slurp(path);
    ck_assert_str_eq(data, "one");
    g_free(data);

    /* append=on keeps what the file had; a ",," is a comma in the path. */
    char *comma_path = g_build_filename(tmpdir, "a,b.txt", NULL);
    ck_assert(g_file_set_contents(comma_path, "old\n", -1, NULL));
    char *spec2 = g_strdup_printf("file,id=f2,append=on,path=%s/a,,b.txt,mux=on", tmpdir);
    ck_assert_msg(chardev_new_option(spec2, &err) != NULL, "%s", err);
    Chardev *u1 = chardev_take("f2", &err);
    Chardev *u2 = chardev_take("f2", &err);
    ck_assert(chardev_is_mux(u1) && chardev_is_mux(u2) && u1 != u2);
    chardev_write(u1, (const uint8_t *)"first\n", 6);
    chardev_write(u2, (const uint8_t *)"second\n", 7);
    data = slurp(comma_path);
    ck_assert_str_eq(data, "old\nfirst\nsecond\n");
    g_free(data);
    spin(2);
    chardev_free(u1);
    chardev_free(u2);

    /* An untaken backend is freed by forget_all; its name is free again. */
    ck_assert_ptr_nonnull(chardev_new_option("null,id=spare", &err));
    chardev_forget_all();
    ck_assert_ptr_null(chardev_find("f1"));
    ck_assert_ptr_nonnull(chardev_new_option("null,id=f1", &err));
    chardev_forget_all();
    g_free(spec);
    g_free(spec2);
    g_free(path);
    g_free(comma_path);
}
END_TEST

START_TEST(test_named_errors)
{
    static const struct {
        const char *spec, *err;
    } cases[] = {
        {"null", "chardev: no id specified"},
        {"null,id=", "chardev: no id specified"},
        {"bogus,id=a", "'bogus' is not a valid char driver name"},
        {"udp,id=a", "chardev backend 'udp' is not supported by mimic (supported: socket, "
                     "file, pipe, stdio, pty, null, ringbuf)"},
        {"file,id=a", "chardev: file: no filename given"},
        {"file,id=a,path=/nonexistent-dir/x",
         "Could not open '/nonexistent-dir/x': No such file or directory"},
        {"socket,id=a", "chardev: socket: no path= or host=/port= given"},
        {"socket,id=a,host=localhost", "chardev: socket: no port given"},
        {"socket,id=a,path=/x,port=1", "chardev: socket: path= and host=/port= exclude each other"},
        {"socket,id=a,path=/x,wait=perhaps", "Parameter 'wait' expects 'on' or 'off'"},
        {"socket,id=a,path=/x,telnet=on", "telnet=on is not supported by mimic"},
        {"null,id=a,path=/x", "Invalid parameter 'path'"},
        {"socket,id=a,path", "Parameter 'path' expects a value"},
        {"socket,id=a,path=/nonexistent-dir/s",
         "Failed to connect to '/nonexistent-dir/s': No such file or directory"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *err = NULL;
        ck_assert_ptr_null(chardev_new_option(cases[i].spec, &err));
        ck_assert_msg(err && !strcmp(err, cases[i].err), "%s: got %s", cases[i].spec, err);
        g_free(err);
    }
    char *err = NULL;
    ck_assert_ptr_nonnull(chardev_new_option("null,id=dup", &err));
    ck_assert_ptr_null(chardev_new_option("null,id=dup", &err));
    ck_assert_str_eq(err, "Duplicate ID 'dup' for chardev");
    g_free(err);
    ck_assert_ptr_null(chardev_take("nobody", &err));
    ck_assert_str_eq(err, "chardev \"nobody\" not found");
    g_free(err);
    chardev_forget_all();
}
END_TEST

/* A unix socket server and client made with -chardev talk to each other;
 * the server's socket file goes away with it. */
START_TEST(test_unix_socket)
{
    char *path = g_build_filename(tmpdir, "s.sock", NULL);
    char *server_spec = g_strdup_printf("socket,id=srv,path=%s,server=on,wait=off", path);
    char *client_spec = g_strdup_printf("socket,id=cli,path=%s", path);
    char *err = NULL;
    ck_assert_msg(chardev_new_option(server_spec, &err) != NULL, "%s", err);
    ck_assert(g_file_test(path, G_FILE_TEST_EXISTS));
    ck_assert_msg(chardev_new_option(client_spec, &err) != NULL, "%s", err);
    Chardev *srv = chardev_take("srv", &err);
    Chardev *cli = chardev_take("cli", &err);
    Sink at_srv = {g_string_new(NULL), 100}, at_cli = {g_string_new(NULL), 100};
    chardev_set_frontend(srv, &sink_ops, &at_srv);
    chardev_set_frontend(cli, &sink_ops, &at_cli);
    spin(20); /* the server accepts */
    ck_assert_int_eq(chardev_write(cli, (const uint8_t *)"to server", 9), 9);
    ck_assert_int_eq(chardev_write(srv, (const uint8_t *)"to client", 9), 9);
    spin(20);
    ck_assert_str_eq(at_srv.got->str, "to server");
    ck_assert_str_eq(at_cli.got->str, "to client");
    chardev_free(cli);
    chardev_free(srv);
    ck_assert(!g_file_test(path, G_FILE_TEST_EXISTS));
    chardev_forget_all();
    g_string_free(at_srv.got, TRUE);
    g_string_free(at_cli.got, TRUE);
    g_free(path);
    g_free(server_spec);
    g_free(client_spec);
}
END_TEST

/* A pty passes bytes both ways unchanged, and output nobody reads is
 * dropped rather than blocking the writer. */
START_TEST(test_pty)
{
    char *err = NULL;
    Chardev *chr = chardev_new("pty", &err);
    if (!chr && g_str_has_prefix(err, "could not open a pseudo-terminal")) {
        g_free(err); /* a sandbox without /dev/ptmx: nothing to test */
        return;
    }
    ck_assert_msg(chr != NULL, "%s", err);
    const char *name = chardev_pty_name(chr);
    ck_assert(name && g_str_has_prefix(name, "/dev/pts/"));
    Sink sink = {g_string_new(NULL), 100};
    chardev_set_frontend(chr, &sink_ops, &sink);
    int fd = open(name, O_RDWR | O_NOCTTY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"a\nb\r", 4), 4);
    char buf[16] = {0};
    ck_assert_int_eq(read(fd, buf, sizeof(buf)), 4);
    ck_assert_str_eq(buf, "a\nb\r");
    ck_assert_int_eq(write(fd, "in\r", 3), 3);
    spin(20);
    ck_assert_str_eq(sink.got->str, "in\r");
    close(fd);
    uint8_t big[4096];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 64; i++) { /* far beyond what a pty buffers */
        ck_assert_int_eq(chardev_write(chr, big, sizeof(big)), (int)sizeof(big));
    }
    chardev_free(chr);
    g_string_free(sink.got, TRUE);
}
END_TEST

/* ringbuf keeps the newest size bytes of output for ringbuf_read; what
 * ringbuf_write sends reaches the front-end as input. */
START_TEST(test_ringbuf)
{
    char *err = NULL;
    ck_assert_ptr_nonnull(chardev_new_option("ringbuf,id=rb,size=8", &err));
    Chardev *chr = chardev_take("rb", &err);
    Sink sink = {g_string_new(NULL), 3};
    chardev_set_frontend(chr, &sink_ops, &sink);
    chardev_write(chr, (const uint8_t *)"abcdef", 6);
    chardev_write(chr, (const uint8_t *)"ghij", 4); /* wraps: "ab" is gone */
    size_t len;
    char *got = chardev_ringbuf_read(chr, 3, &len);
    ck_assert_uint_eq(len, 3);
    ck_assert_str_eq(got, "cde");
    g_free(got);
    got = chardev_ringbuf_read(chr, 100, &len);
    ck_assert_str_eq(got, "fghij");
    g_free(got);
    got = chardev_ringbuf_read(chr, 100, &len);
    ck_assert_uint_eq(len, 0);
    g_free(got);
    chardev_write(chr, (const uint8_t *)"0123456789ABCDEF", 16); /* larger than the ring */
    got = chardev_ringbuf_read(chr, 100, &len);
    ck_assert_str_eq(got, "89ABCDEF");
    g_free(got);

    /* Input is paced by can_receive (3 bytes here), the rest follows later. */
    ck_assert(chardev_ringbuf_write(chr, (const uint8_t *)"hello", 5));
    ck_assert_str_eq(sink.got->str, "hel");
    sink.room = 10;
    chardev_accept_input(chr);
    spin(5);
    ck_assert_str_eq(sink.got->str, "hello");

    Chardev *null = chardev_new("null", &err);
    ck_assert_ptr_null(chardev_ringbuf_read(null, 1, &len));
    ck_assert(!chardev_ringbuf_write(null, (const uint8_t *)"x", 1));
    chardev_free(null);
    ck_assert_ptr_null(chardev_new_option("ringbuf,id=r2,size=48", &err));
    ck_assert_str_eq(err, "size of ringbuf chardev must be power of two");
    g_free(err);
    chardev_free(chr);
    chardev_forget_all();
    g_string_free(sink.got, TRUE);
}
END_TEST

static int unix_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    return fd;
}

/* Accepts within about two seconds of main-loop time (reconnect=1). */
static int accept_while_spinning(int lfd)
{
    fcntl(lfd, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 800; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0) {
            return fd;
        }
        spin(1);
        g_usleep(2000);
    }
    return -1;
}

/* reconnect=N: a client whose server is not there yet (or went away) keeps
 * trying instead of failing. */
START_TEST(test_socket_reconnect)
{
    char *path = g_build_filename(tmpdir, "later.sock", NULL);
    char *spec = g_strdup_printf("socket,id=rc,path=%s,reconnect=1", path);
    char *err = NULL;
    ck_assert_msg(chardev_new_option(spec, &err) != NULL, "%s", err);
    Chardev *chr = chardev_take("rc", &err);
    ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"lost", 4), 4); /* nobody yet */

    for (int round = 0; round < 2; round++) {
        int lfd = unix_listen(path);
        int fd = accept_while_spinning(lfd);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(chardev_write(chr, (const uint8_t *)"here", 4), 4);
        char buf[8] = {0};
        ck_assert_int_eq(read(fd, buf, sizeof(buf)), 4);
        ck_assert_str_eq(buf, "here");
        close(fd); /* the server goes away; the client tries again */
        close(lfd);
        unlink(path);
        spin(10);
    }
    chardev_free(chr);
    chardev_forget_all();

    ck_assert_ptr_null(
        chardev_new_option("socket,id=x,path=/nonexistent-dir/s,reconnect=soon", &err));
    ck_assert_str_eq(err, "Parameter 'reconnect' expects a number of seconds, not 'soon'");
    g_free(err);
    g_free(spec);
    g_free(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chardev");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_file_output);
    tcase_add_test(tc, test_bad_specs);
    tcase_add_test(tc, test_pipe_paced_input);
    tcase_add_test(tc, test_end_of_input_is_not_quit);
    tcase_add_test(tc, test_tcp_server);
    tcase_add_test(tc, test_tcp_client);
    tcase_add_test(tc, test_mux_escapes);
    tcase_add_test(tc, test_mux_respects_can_receive);
    tcase_add_test(tc, test_named_chardevs);
    tcase_add_test(tc, test_named_errors);
    tcase_add_test(tc, test_unix_socket);
    tcase_add_test(tc, test_pty);
    tcase_add_test(tc, test_ringbuf);
    tcase_add_test(tc, test_socket_reconnect);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
