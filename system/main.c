/*
 * main() of the mimic binary: parse the command line, build the machine it
 * names (memory, character backends, board, CPUs), then run the main loop
 * until the guest or the user asks to quit.
 */
#include "block/block-io.h"
#include "hw/hw.h"
#include "system/chardev.h"
#include "system/gdbstub.h"
#include "system/log.h"
#include "system/machine.h"
#include "system/main-loop.h"
#include "system/memory.h"
#include "system/monitor.h"
#include "system/options.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef MIMIC_HAVE_UI
#include "ui/ui.h"
#endif
#ifdef MIMIC_HAVE_CPU
#include "cpu/cpu.h"
#define CPU_FN(f) true
#else
/*
 * Without the CPU module (a tree still growing) only CPU-less machines run:
 * its entry points are weak references that stay NULL.
 */
typedef struct CPUState CPUState;
int accel_init(const char *name, char **errp) __attribute__((weak));
void cpu_list_models(FILE *f, const char *arch) __attribute__((weak));
void cpus_start(void) __attribute__((weak));
void cpus_pause(void) __attribute__((weak));
void cpus_resume(void) __attribute__((weak));
void cpus_reset(void) __attribute__((weak));
#define CPU_FN(f) ((f) != NULL)
#endif

static const MachineClass *main_mc;
static bool cpus_started;

static void G_GNUC_NORETURN main_fail(char *msg)
{
    fprintf(stderr, "mimic: %s\n", msg);
    g_free(msg);
    exit(1);
}

static char *main_pidfile;

static void main_remove_pidfile(void)
{
    unlink(main_pidfile);
}

/* -pidfile: "PID\n", removed again when mimic exits normally. */
static void main_write_pidfile(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
        /* QEMU's words. */
        main_fail(g_strdup_printf("cannot create PID file: Could not create '%s': %s", path,
                                  strerror(errno)));
    }
    main_pidfile = g_strdup(path);
    atexit(main_remove_pidfile);
}

/* ---- -daemonize ----------------------------------------------------------
 * The parent forks before any thread exists and waits: it exits 0 once the
 * child has built the machine, or with the child's status if that failed
 * (whose message went to the terminal, still the child's stderr then).
 */
static int daemon_ready_fd = -1;

static bool main_spec_uses_stdio(const char *spec)
{
    return spec && (!strcmp(spec, "stdio") || !strcmp(spec, "mon:stdio") ||
                    g_str_has_prefix(spec, "stdio,"));
}

static void main_check_daemonize(MimicOptions *o)
{
    if (o->nographic) {
        main_fail(g_strdup("-nographic cannot be used with -daemonize"));
    }
    for (int i = 0; i < o->n_serial; i++) {
        if (main_spec_uses_stdio(o->serial[i])) {
            main_fail(
                g_strdup_printf("-serial %s: cannot use stdio with -daemonize", o->serial[i]));
        }
    }
    if (main_spec_uses_stdio(o->monitor)) {
        main_fail(g_strdup_printf("-monitor %s: cannot use stdio with -daemonize", o->monitor));
    }
    for (int i = 0; i < o->n_chardevs; i++) {
        if (main_spec_uses_stdio(o->chardevs[i])) {
            main_fail(
                g_strdup_printf("-chardev %s: cannot use stdio with -daemonize", o->chardevs[i]));
        }
    }
    /* No terminal to be the default serial port. */
    if (!o->display) {
        o->display = "none";
    }
}

static void main_daemonize_fork(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        main_fail(g_strdup_printf("-daemonize: pipe: %s", strerror(errno)));
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        main_fail(g_strdup_printf("-daemonize: fork: %s", strerror(errno)));
    }
    if (pid > 0) {
        close(fds[1]);
        char c;
        ssize_t n;
        do {
            n = read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1) {
            _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        _exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
    }
    close(fds[0]);
    daemon_ready_fd = fds[1];
    setsid();
}

static void main_daemonize_ready(void)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) {
            close(null);
        }
    }
    ssize_t n = write(daemon_ready_fd, "1", 1);
    (void)n;
    close(daemon_ready_fd);
}

static void main_system_reset(void)
{
    /* The vCPUs stay stopped until the board has reloaded what it boots
     * (a kernel in RAM, a boot stub): none may run half-loaded code. */
    bool pause = cpus_started && CPU_FN(cpus_pause) && vm_running();
    if (pause) {
        cpus_pause();
    }
    device_reset_all();
    if (CPU_FN(cpus_reset)) {
        cpus_reset();
    }
    if (main_mc->reset) {
        main_mc->reset(current_machine);
    }
    if (pause) {
        cpus_resume();
    }
}

static void main_cpus_pause(void)
{
    if (cpus_started && CPU_FN(cpus_pause)) {
        cpus_pause();
    }
}

static void main_cpus_resume(void)
{
    if (!cpus_started) {
        /* -S: the vCPUs are created stopped and first run at `cont`. */
        cpus_started = true;
        if (CPU_FN(cpus_start)) {
            cpus_start();
        }
    } else if (CPU_FN(cpus_resume)) {
        cpus_resume();
    }
}

static const VmHooks main_vm_hooks = {
    .reset = main_system_reset,
    .pause = main_cpus_pause,
    .resume = main_cpus_resume,
};

static gboolean main_on_signal(gpointer opaque)
{
    int sig = GPOINTER_TO_INT(opaque);
    fprintf(stderr, "mimic: terminating on signal %d\n", sig);
    vm_request_exit(0);
    return G_SOURCE_CONTINUE;
}

static void main_watch_signals(void)
{
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        GSource *src = g_unix_signal_source_new(sigs[i]);
        g_source_set_callback(src, main_on_signal, GINT_TO_POINTER(sigs[i]), NULL);
        g_source_attach(src, main_loop_context());
        g_source_unref(src);
    }
}

/* Fails early with QEMU's wording when a boot file cannot be read, before
 * the board starts building anything. */
static void main_check_file(const char *what, const char *path)
{
    if (path && access(path, R_OK) < 0) {
        main_fail(g_strdup_printf("could not load %s '%s': %s", what, path, strerror(errno)));
    }
}

/* -bios NAME: the file itself, or else NAME in the -L directory (QEMU looks
 * there the same way). */
static char *main_find_firmware(const char *name, const char *dir)
{
    if (!name) {
        return NULL;
    }
    if (dir && access(name, R_OK) < 0) {
        char *in_dir = g_build_filename(dir, name, NULL);
        if (access(in_dir, R_OK) == 0) {
            return in_dir;
        }
        g_free(in_dir);
    }
    return g_strdup(name);
}

static Chardev *main_open_chardev(const char *opt, const char *spec)
{
    char *err = NULL;
    Chardev *chr = chardev_new(spec, &err);
    if (!chr) {
        char *msg = g_strdup_printf("%s %s: %s", opt, spec, err);
        g_free(err);
        main_fail(msg);
    }
    return chr;
}

/* A -serial spec: a backend of its own, or "chardev:ID" naming one. */
static Chardev *main_open_serial(const char *spec, int index)
{
    if (g_str_has_prefix(spec, "chardev:")) {
        char *err = NULL;
        Chardev *chr = chardev_take(spec + 8, &err);
        if (!chr && chardev_find(spec + 8)) {
            main_fail(g_strdup_printf("-serial %s: %s", spec, err));
        }
        g_free(err);
        if (!chr) {
            /* QEMU's words. */
            main_fail(g_strdup_printf("-serial %s: could not connect serial device to character "
                                      "backend '%s'",
                                      spec, spec));
        }
        return chr;
    }
    Chardev *chr = main_open_chardev("-serial", spec);
    char *label = g_strdup_printf("serial%d", index);
    chardev_register(label, chr);
    g_free(label);
    if (chardev_pty_name(chr)) {
        fprintf(stderr, "char device redirected to %s (label serial%d)\n", chardev_pty_name(chr),
                index);
    }
    return chr;
}

static bool main_serial_uses_stdio(const MimicOptions *o)
{
    for (int i = 0; i < o->n_serial; i++) {
        if (strstr(o->serial[i], "stdio")) {
            return true;
        }
    }
    return false;
}

/* Serial ports and the monitor, following QEMU's defaults: -nographic puts
 * both on stdio behind the Ctrl-A multiplexer. */
static void main_setup_chardevs(const MimicOptions *o, MachineState *ms)
{
    bool named_stdio = false;
    for (int i = 0; i < o->n_chardevs; i++) {
        char *err = NULL;
        Chardev *chr = chardev_new_option(o->chardevs[i], &err);
        if (!chr) {
            main_fail(g_strdup_printf("-chardev %s: %s", o->chardevs[i], err));
        }
        named_stdio |= g_str_has_prefix(chardev_spec(chr), "stdio");
    }
    const char *specs[OPTIONS_MAX_SERIAL];
    int n = 0;
    bool display_none = o->display && !strcmp(o->display, "none");
    if (o->n_serial) {
        for (int i = 0; i < o->n_serial; i++) {
            specs[n++] = o->serial[i];
        }
    } else if (!o->nodefaults && !named_stdio) {
        if (o->nographic) {
            /* The multiplexer even without a monitor on it, for Ctrl-A x;
             * a monitor on stdio takes the terminal for itself. */
            if (!o->monitor || !strstr(o->monitor, "stdio")) {
                specs[n++] = "mon:stdio";
            }
        } else if (!display_none) {
            /* No graphical console to host it yet: the terminal is the
             * most useful place for the first serial port. */
            specs[n++] = "stdio";
        }
    }
    Chardev *mux = NULL;
    for (int i = 0; i < n; i++) {
        Chardev *chr = NULL;
        if (strcmp(specs[i], "none")) {
            chr = main_open_serial(specs[i], i);
            if (chardev_is_mux(chr) && !mux && !g_str_has_prefix(specs[i], "chardev:")) {
                mux = chr;
            }
        }
        ms->serial[ms->n_serial++] = chr;
    }
    for (int i = 0; i < o->n_mons; i++) {
        char *err = NULL;
        Chardev *chr = chardev_take(o->mons[i], &err);
        if (!chr) {
            main_fail(g_strdup_printf("-mon chardev=%s: %s", o->mons[i], err));
        }
        monitor_new(chr);
    }
    if (o->monitor) {
        if (g_str_has_prefix(o->monitor, "chardev:")) {
            char *err = NULL;
            Chardev *chr = chardev_take(o->monitor + 8, &err);
            if (!chr) {
                main_fail(g_strdup_printf("-monitor %s: %s", o->monitor, err));
            }
            monitor_new(chr);
        } else if (strcmp(o->monitor, "none")) {
            Chardev *chr = main_open_chardev("-monitor", o->monitor);
            chardev_register("compat_monitor0", chr);
            monitor_new(chr);
        }
    } else if (mux && !o->n_mons) {
        monitor_new(chardev_mux_add_frontend(mux));
    } else if (o->nographic && !o->nodefaults && !o->n_mons && !named_stdio &&
               !main_serial_uses_stdio(o)) {
        /* QEMU's -nographic default: the serial ports went elsewhere, the
         * monitor still has the terminal. */
        Chardev *chr = main_open_chardev("-monitor", "stdio");
        chardev_register("compat_monitor0", chr);
        monitor_new(chr);
    }
}

#ifdef MIMIC_HAVE_CPU
/* monitor `info registers`: every CPU's state. */
static void main_dump_registers(FILE *f)
{
    if (cpu_count() == 0) {
        fprintf(f, "no CPU\n");
        return;
    }
    for (CPUState *cpu = cpu_first(); cpu; cpu = cpu->next) {
        fprintf(f, "CPU#%d\n", cpu->cpu_index);
        cpu_dump_state(cpu, f);
    }
}
#endif

#ifdef MIMIC_HAVE_UI
/* monitor `screendump FILE`: the first graphic console as a PPM image. */
static void main_cmd_screendump(Monitor *mon, char **args)
{
    GraphicConsole *con = graphic_console_first();
    char *err = NULL;
    if (!args[1]) {
        monitor_printf(mon, "usage: screendump FILE\n");
    } else if (!con || !graphic_console_surface(con)) {
        monitor_printf(mon, "no graphic console to dump\n");
    } else {
        graphic_console_refresh(con);
        if (!display_surface_save_ppm(graphic_console_surface(con), args[1], &err)) {
            monitor_printf(mon, "%s\n", err);
            g_free(err);
        }
    }
}
#endif

static void main_print_cpu_help(const MachineClass *mc)
{
    if (CPU_FN(cpu_list_models) && strcmp(mc->arch, "none")) {
        cpu_list_models(stdout, mc->arch);
    } else {
        printf("machine '%s' has no CPU models\n", mc->name);
    }
}

/* -device help (or ?): what this board takes; QEMU lists every device. */
static bool main_device_help(const MimicOptions *o, const MachineClass *mc)
{
    for (int i = 0; i < o->n_devices; i++) {
        if (!strcmp(o->devices[i], "help") || !strcmp(o->devices[i], "?")) {
            machine_print_device_help(mc, stdout);
            return true;
        }
    }
    return false;
}

int main(int argc, char **argv)
{
    /* Static: what the options own lives as long as the process (and LeakSanitizer sees
     * it from here after main's frame is gone). */
    static MimicOptions opts;
    char *err = NULL;

    signal(SIGPIPE, SIG_IGN);
    if (!options_parse(&opts, argc, argv, &err)) {
        main_fail(err);
    }
    if (opts.show_help) {
        options_print_usage(stdout);
        return 0;
    }
    if (opts.help_topic) {
        options_print_help_topic(stdout, opts.help_topic);
        return 0;
    }
    if (opts.show_version) {
        printf("mimic emulator version %s\n", MIMIC_VERSION);
        return 0;
    }
    if (opts.machine && !strcmp(opts.machine, "help")) {
        machine_print_list(stdout);
        return 0;
    }
    if (opts.log_items && !strcmp(opts.log_items, "help")) {
        log_print_help(stdout);
        return 0;
    }

    if (opts.daemonize) {
        main_check_daemonize(&opts);
        main_daemonize_fork();
    }
    if (opts.pidfile) {
        main_write_pidfile(opts.pidfile);
    }
    /* Logging first, so everything after can log. */
    if (opts.log_file && !log_set_file(opts.log_file, &err)) {
        main_fail(err);
    }
    if (opts.log_items && !log_set_items(opts.log_items, &err)) {
        char *msg = g_strdup_printf("-d %s: %s", opts.log_items, err);
        g_free(err);
        main_fail(msg);
    }

    const MachineClass *mc = opts.machine ? machine_find(opts.machine) : machine_find_default();
    if ((mc || !opts.machine) && main_device_help(&opts, mc)) {
        options_free(&opts);
        return 0;
    }
    if (!mc) {
        if (opts.machine) {
            fprintf(stderr,
                    "mimic: unsupported machine type \"%s\"\n"
                    "Use -machine help to list supported machines\n",
                    opts.machine);
        } else {
            fprintf(stderr, "mimic: no machine specified, and there is no default\n"
                            "Use -machine help to list supported machines\n");
        }
        return 1;
    }
    main_mc = mc;
    if (opts.cpu_model && !strcmp(opts.cpu_model, "help")) {
        main_print_cpu_help(mc);
        return 0;
    }

    if (!opts.kernel) {
        const char *needs = opts.append ? "-append" : opts.initrd ? "-initrd" : NULL;
        if (needs) {
            main_fail(g_strdup_printf("%s only allowed with -kernel option", needs));
        }
    }
    main_check_file("kernel", opts.kernel);
    main_check_file("initrd", opts.initrd);
    main_check_file("DTB", opts.dtb);
    char *firmware = main_find_firmware(opts.bios, opts.bios_dir);
    main_check_file("firmware", firmware);
#ifndef MIMIC_HAVE_UI
    if (opts.display && !strcmp(opts.display, "sdl")) {
        main_fail(g_strdup("-display sdl: SDL display support is not built into this binary"));
    }
#endif

    MachineState *ms = g_new0(MachineState, 1);
    ms->ram_size = opts.ram_size ? opts.ram_size : mc->default_ram;
    ms->smp = opts.smp ? opts.smp : 1;
    ms->max_cpus = opts.max_cpus ? opts.max_cpus : ms->smp;
    if (mc->max_cpus > 0 && ms->max_cpus > mc->max_cpus) {
        main_fail(g_strdup_printf("Invalid SMP CPUs %d. The max CPUs supported by machine '%s' "
                                  "is %d",
                                  ms->max_cpus, mc->name, mc->max_cpus));
    }
    ms->cpu_model = opts.cpu_model ? opts.cpu_model : mc->default_cpu;
    ms->kernel = opts.kernel;
    ms->initrd = opts.initrd;
    ms->append = opts.append;
    ms->dtb = opts.dtb;
    ms->firmware = firmware;
    ms->drives = opts.drives;
    ms->n_drives = opts.n_drives;
    ms->netdevs = opts.netdevs;
    ms->n_netdevs = opts.n_netdevs;
    ms->devices = opts.devices;
    ms->n_devices = opts.n_devices;
    ms->machine_opts = opts.machine_opts ? opts.machine_opts : g_new0(char *, 1);
    ms->nographic = opts.nographic;
    ms->mem_path = opts.mem_path;
    ms->singlestep = opts.singlestep;
    ms->name = opts.name;
    ms->accel = opts.accel ? opts.accel : "tcg";
    current_machine = ms;

    main_loop_init();
    /* Disk completions run on this loop, with the global lock held. */
    block_aio_set_context(main_loop_context());
    main_loop_set_hooks(&main_vm_hooks);
    main_loop_set_policy(opts.no_reboot, opts.no_shutdown);
    main_watch_signals();

    if (CPU_FN(accel_init)) {
        if (accel_init(ms->accel, &err) < 0) {
            main_fail(err ? err : g_strdup_printf("-accel %s: cannot initialise", ms->accel));
        }
    } else if (strcmp(mc->arch, "none")) {
        main_fail(g_strdup_printf("machine '%s' needs CPU support, which is not built into "
                                  "this binary",
                                  mc->name));
    }

#ifdef MIMIC_HAVE_CPU
    tcg_singlestep = ms->singlestep;
    monitor_set_register_dump(main_dump_registers);
#endif
    ms->sysmem = memory_region_new_container("system", UINT64_MAX);
    ms->as = address_space_new(ms->sysmem, "memory");

    main_setup_chardevs(&opts, ms);
    /* Everything they named was copied by now. */
    g_strfreev(opts.chardevs);
    g_strfreev(opts.mons);
    opts.chardevs = opts.mons = NULL;

    mc->init(ms, &err);
    if (err) {
        main_fail(err);
    }
    device_reset_all();

#ifdef MIMIC_HAVE_UI
    monitor_register_command("screendump", "screendump FILE        save the display as a PPM image",
                             main_cmd_screendump);
    if (!display_init(opts.nographic || !opts.display ? "none" : opts.display, &err)) {
        char *msg = g_strdup_printf("-display %s: %s", opts.display, err);
        g_free(err);
        main_fail(msg);
    }
#endif
    if (opts.gdb && !gdbstub_start(opts.gdb, &err)) {
        main_fail(err);
    }

    vm_set_initial_state(!opts.start_paused);
    if (!opts.start_paused) {
        cpus_started = true;
        if (CPU_FN(cpus_start)) {
            cpus_start();
        }
    }

    if (opts.daemonize) {
        main_daemonize_ready();
    }
    int code = main_loop_run();

    gdbstub_stop_server();
#ifdef MIMIC_HAVE_UI
    display_cleanup();
#endif
#ifdef MIMIC_HAVE_CPU
    /* Join the vCPUs so that none runs guest code while exit() tears down. */
    cpus_stop_threads();
#endif
    /* Flush and close every disk (qcow2 metadata caches included). */
    drive_close_all();
    fflush(stdout);
    fflush(log_file());
    return code;
}
