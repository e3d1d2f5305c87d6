/*
 * The text monitor (system/monitor.h): line editing over a chardev and a
 * small command table. Runs on the main loop with the global lock held.
 */
#include "system/monitor.h"
#include "system/machine.h"
#include "system/main-loop.h"
#include "system/memory.h"

#include <glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MONITOR_LINE_MAX 256

struct Monitor {
    Chardev *chr;
    char line[MONITOR_LINE_MAX];
    size_t len;
    bool last_cr; /* swallow the \n of a \r\n pair */
    bool greeted; /* banner shown */
    bool mux;     /* shares its chardev with a serial port */
};

static void (*register_dump_fn)(FILE *f);

typedef struct MonitorCommand {
    const char *name, *help;
    MonitorCommandFn *fn;
} MonitorCommand;

#define MONITOR_MAX_EXTRA 32
static MonitorCommand extra_commands[MONITOR_MAX_EXTRA];
static int n_extra_commands;

void monitor_register_command(const char *name, const char *help, MonitorCommandFn *fn)
{
    for (int i = 0; i < n_extra_commands; i++) {
        if (!strcmp(extra_commands[i].name, name)) {
            extra_commands[i] = (MonitorCommand){name, help, fn};
            return;
        }
    }
    if (n_extra_commands < MONITOR_MAX_EXTRA) {
        extra_commands[n_extra_commands++] = (MonitorCommand){name, help, fn};
    }
}

void monitor_set_register_dump(void (*fn)(FILE *f))
{
    register_dump_fn = fn;
}

/* Raw terminals keep output post-processing (OPOST): "\n" is enough. */
static void monitor_write_text(Monitor *mon, const char *s, size_t len)
{
    chardev_write(mon->chr, (const uint8_t *)s, len);
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_write_text(mon, s, strlen(s));
    g_free(s);
}

/* Runs fn(f) into a memory stream and prints what it wrote. */
static void monitor_capture(Monitor *mon, void (*fn)(FILE *f, void *opaque), void *opaque)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f) {
        monitor_printf(mon, "out of memory\n");
        return;
    }
    fn(f, opaque);
    fclose(f);
    monitor_write_text(mon, buf, size);
    free(buf);
}

static void monitor_prompt(Monitor *mon)
{
    monitor_printf(mon, "(mimic) ");
}

static void monitor_greet(Monitor *mon)
{
    if (!mon->greeted) {
        mon->greeted = true;
        monitor_printf(mon, "mimic %s monitor - type 'help' for more information\n", MIMIC_VERSION);
    }
    monitor_prompt(mon);
}

static void dump_tree(FILE *f, void *opaque)
{
    memory_dump_tree(opaque, f);
}

static void dump_flat(FILE *f, void *opaque)
{
    address_space_dump_flat(opaque, f);
}

static void dump_registers(FILE *f, void *opaque)
{
    register_dump_fn(f);
}

static const char monitor_help[] =
    "help|?                 show this help\n"
    "info status            show the VM run state\n"
    "info mtree [-f]        show the memory tree (-f: the flat view)\n"
    "info registers         show the CPU registers\n"
    "info version           show the version\n"
    "info name              show the guest's name (-name)\n"
    "info chardev           show the character backends\n"
    "stop                   pause the VM\n"
    "cont|c                 resume the VM\n"
    "system_reset           reset the machine\n"
    "ringbuf_read ID SIZE   take up to SIZE bytes a ringbuf chardev kept\n"
    "ringbuf_write ID DATA  send DATA to the device on a ringbuf chardev\n"
    "quit|q                 quit the emulator\n";

static void monitor_print_chardev(const char *label, Chardev *chr, void *opaque)
{
    monitor_printf(opaque, "%s: filename=%s\n", label, chardev_spec(chr));
}

static void monitor_info(Monitor *mon, char **args)
{
    const char *what = args[1];
    if (!what) {
        monitor_printf(mon, "info status|mtree|registers|version|name|chardev\n");
    } else if (!strcmp(what, "status")) {
        monitor_printf(mon, "VM status: %s\n", vm_running() ? "running" : "paused");
    } else if (!strcmp(what, "mtree")) {
        if (!current_machine || !current_machine->sysmem) {
            monitor_printf(mon, "no machine\n");
        } else if (args[2] && !strcmp(args[2], "-f")) {
            monitor_capture(mon, dump_flat, current_machine->as);
        } else {
            monitor_capture(mon, dump_tree, current_machine->sysmem);
        }
    } else if (!strcmp(what, "registers")) {
        if (register_dump_fn) {
            monitor_capture(mon, dump_registers, NULL);
        } else {
            monitor_printf(mon, "no CPU\n");
        }
    } else if (!strcmp(what, "version")) {
        monitor_printf(mon, "%s\n", MIMIC_VERSION);
    } else if (!strcmp(what, "name")) {
        /* QEMU prints nothing when the guest has no name. */
        if (current_machine && current_machine->name) {
            monitor_printf(mon, "%s\n", current_machine->name);
        }
    } else if (!strcmp(what, "chardev")) {
        chardev_foreach(monitor_print_chardev, mon);
    } else {
        monitor_printf(mon, "info: unknown item '%s'\n", what);
    }
}

/* ringbuf_read ID SIZE / ringbuf_write ID DATA (the rest of the line). */
static void monitor_ringbuf(Monitor *mon, char **args, const char *line)
{
    bool reading = !strcmp(args[0], "ringbuf_read");
    if (!args[1] || !args[2]) {
        monitor_printf(mon, "usage: %s\n",
                       reading ? "ringbuf_read ID SIZE" : "ringbuf_write ID DATA");
        return;
    }
    Chardev *chr = chardev_find(args[1]);
    if (!chr) {
        monitor_printf(mon, "Device '%s' not found\n", args[1]);
        return;
    }
    if (reading) {
        char *end;
        unsigned long max = strtoul(args[2], &end, 0);
        size_t len;
        char *data = *end ? NULL : chardev_ringbuf_read(chr, max, &len);
        if (*end) {
            monitor_printf(mon, "ringbuf_read: bad size '%s'\n", args[2]);
        } else if (!data) {
            monitor_printf(mon, "%s is not a ringbuf device\n", args[1]);
        } else {
            chardev_write(mon->chr, (const uint8_t *)data, len);
            monitor_printf(mon, "\n");
        }
        g_free(data);
        return;
    }
    /* DATA keeps its spaces: it is everything after the second word. */
    const char *p = line;
    for (int word = 0; word < 2; word++) {
        p += strspn(p, " \t");
        p += strcspn(p, " \t");
    }
    p += strspn(p, " \t");
    if (!chardev_ringbuf_write(chr, (const uint8_t *)p, strlen(p))) {
        monitor_printf(mon, "%s is not a ringbuf device\n", args[1]);
    }
}

void monitor_execute(Monitor *mon, const char *line)
{
    char *copy = g_strstrip(g_strdup(line));
    char **args = g_strsplit_set(copy, " \t", -1);
    g_free(copy);
    /* Collapse the empty strings that repeated spaces produce. */
    int n = 0;
    for (int i = 0; args[i]; i++) {
        if (*args[i]) {
            args[n++] = args[i];
        } else {
            g_free(args[i]);
        }
    }
    args[n] = NULL;
    const char *cmd = args[0];
    if (!cmd) {
        /* empty line */
    } else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
        monitor_printf(mon, "%s", monitor_help);
        for (int i = 0; i < n_extra_commands; i++) {
            monitor_printf(mon, "%s\n", extra_commands[i].help);
        }
    } else if (!strcmp(cmd, "info")) {
        monitor_info(mon, args);
    } else if (!strcmp(cmd, "stop")) {
        vm_stop();
    } else if (!strcmp(cmd, "cont") || !strcmp(cmd, "c")) {
        vm_start();
    } else if (!strcmp(cmd, "ringbuf_read") || !strcmp(cmd, "ringbuf_write")) {
        monitor_ringbuf(mon, args, line);
    } else if (!strcmp(cmd, "system_reset")) {
        vm_request_reset();
    } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "q")) {
        vm_request_exit(0);
    } else {
        int i;
        for (i = 0; i < n_extra_commands; i++) {
            if (!strcmp(extra_commands[i].name, cmd)) {
                extra_commands[i].fn(mon, args);
                break;
            }
        }
        if (i == n_extra_commands) {
            monitor_printf(mon, "unknown command: '%s'\n", cmd);
        }
    }
    g_strfreev(args);
}

static int monitor_can_receive(void *opaque)
{
    return MONITOR_LINE_MAX;
}

static void monitor_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Monitor *mon = opaque;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        bool was_cr = mon->last_cr;
        mon->last_cr = c == '\r';
        if (c == '\n' && was_cr) {
            continue;
        }
        if (c == '\r' || c == '\n') {
            monitor_printf(mon, "\n");
            mon->line[mon->len] = 0;
            mon->len = 0;
            monitor_execute(mon, mon->line);
            monitor_prompt(mon);
        } else if (c == 0x7f || c == 0x08) {
            if (mon->len > 0) {
                mon->len--;
                monitor_printf(mon, "\b \b");
            }
        } else if (c >= 0x20 && c < 0x7f && mon->len + 1 < MONITOR_LINE_MAX) {
            mon->line[mon->len++] = c;
            chardev_write(mon->chr, &c, 1);
        }
    }
}

static const CharFrontendOps monitor_ops = {
    .can_receive = monitor_can_receive,
    .receive = monitor_receive,
};

static void monitor_focus(void *opaque, bool focused)
{
    Monitor *mon = opaque;
    if (focused) {
        monitor_printf(mon, "\n");
        monitor_greet(mon);
    }
}

Monitor *monitor_new(Chardev *chr)
{
    Monitor *mon = g_new0(Monitor, 1);
    mon->chr = chr;
    mon->mux = chardev_is_mux(chr);
    chardev_set_frontend(chr, &monitor_ops, mon);
    chardev_set_focus_handler(chr, monitor_focus, mon);
    if (!mon->mux) {
        monitor_greet(mon);
    }
    return mon;
}

void monitor_free(Monitor *mon)
{
    if (mon) {
        chardev_set_frontend(mon->chr, NULL, NULL);
        chardev_set_focus_handler(mon->chr, NULL, NULL);
        g_free(mon);
    }
}
