/*
 * Command-line parsing for mimic (system/options.h): QEMU's option names,
 * both -opt and --opt spellings, one clear message per mistake.
 */
#include "system/options.h"

#include <ctype.h>
#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum OptId {
    OPT_MACHINE,
    OPT_MEMORY,
    OPT_SMP,
    OPT_CPU,
    OPT_KERNEL,
    OPT_INITRD,
    OPT_APPEND,
    OPT_DTB,
    OPT_BIOS,
    OPT_DRIVE,
    OPT_HDA,
    OPT_HDB,
    OPT_HDC,
    OPT_HDD,
    OPT_CDROM,
    OPT_DEVICE,
    OPT_NETDEV,
    OPT_NIC,
    OPT_NET,
    OPT_BOOT,
    OPT_RTC,
    OPT_CHARDEV,
    OPT_MON,
    OPT_SERIAL,
    OPT_MONITOR,
    OPT_NOGRAPHIC,
    OPT_NODEFAULTS,
    OPT_DISPLAY,
    OPT_ACCEL,
    OPT_ENABLE_KVM,
    OPT_D,
    OPT_DFILE,
    OPT_S_GDB,
    OPT_GDB,
    OPT_S_PAUSED,
    OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN,
    OPT_SINGLESTEP,
    OPT_MEM_PATH,
    OPT_NAME,
    OPT_PIDFILE,
    OPT_SNAPSHOT,
    OPT_DAEMONIZE,
    OPT_L,
    OPT_VERSION,
    OPT_HELP,
} OptId;

typedef struct OptDef {
    const char *name;
    OptId id;
    bool has_arg;
} OptDef;

static const OptDef opt_defs[] = {
    {"M", OPT_MACHINE, true},
    {"machine", OPT_MACHINE, true},
    {"m", OPT_MEMORY, true},
    {"smp", OPT_SMP, true},
    {"cpu", OPT_CPU, true},
    {"kernel", OPT_KERNEL, true},
    {"initrd", OPT_INITRD, true},
    {"append", OPT_APPEND, true},
    {"dtb", OPT_DTB, true},
    {"bios", OPT_BIOS, true},
    {"drive", OPT_DRIVE, true},
    {"hda", OPT_HDA, true},
    {"hdb", OPT_HDB, true},
    {"hdc", OPT_HDC, true},
    {"hdd", OPT_HDD, true},
    {"cdrom", OPT_CDROM, true},
    {"device", OPT_DEVICE, true},
    {"netdev", OPT_NETDEV, true},
    {"nic", OPT_NIC, true},
    {"net", OPT_NET, true},
    {"boot", OPT_BOOT, true},
    {"rtc", OPT_RTC, true},
    {"chardev", OPT_CHARDEV, true},
    {"mon", OPT_MON, true},
    {"serial", OPT_SERIAL, true},
    {"monitor", OPT_MONITOR, true},
    {"nographic", OPT_NOGRAPHIC, false},
    {"nodefaults", OPT_NODEFAULTS, false},
    {"display", OPT_DISPLAY, true},
    {"accel", OPT_ACCEL, true},
    {"enable-kvm", OPT_ENABLE_KVM, false},
    {"d", OPT_D, true},
    {"D", OPT_DFILE, true},
    {"s", OPT_S_GDB, false},
    {"gdb", OPT_GDB, true},
    {"S", OPT_S_PAUSED, false},
    {"no-reboot", OPT_NO_REBOOT, false},
    {"no-shutdown", OPT_NO_SHUTDOWN, false},
    {"singlestep", OPT_SINGLESTEP, false},
    {"mem-path", OPT_MEM_PATH, true},
    {"name", OPT_NAME, true},
    {"pidfile", OPT_PIDFILE, true},
    {"snapshot", OPT_SNAPSHOT, false},
    {"daemonize", OPT_DAEMONIZE, false},
    {"L", OPT_L, true},
    {"version", OPT_VERSION, false},
    {"h", OPT_HELP, false},
    {"help", OPT_HELP, false},
};

void options_print_usage(FILE *f)
{
    fprintf(f, "usage: mimic [options] [disk_image]\n"
               "\n"
               "Standard options:\n"
               "-h or -help       display this help and exit\n"
               "-version          display version information and exit\n"
               "-M machine[,prop=value...]\n"
               "                  select the emulated machine (-M help lists them)\n"
               "-m size           guest RAM size in MiB, or with a k/M/G/T suffix (-m 512, -m 1G)\n"
               "-smp n[,cpus=n][,maxcpus=n][,sockets=n][,cores=n][,threads=n]\n"
               "                  number of CPUs\n"
               "-cpu model        select the CPU model (-cpu help lists them)\n"
               "-name string      name of the guest\n"
               "-mem-path path    back guest RAM with a file in path (e.g. hugetlbfs)\n"
               "-pidfile file     write the process id to file (removed at exit)\n"
               "-daemonize        detach from the terminal once the machine is built\n"
               "\n"
               "Boot options:\n"
               "-kernel file      Linux kernel image to boot\n"
               "-initrd file      initial ram disk\n"
               "-append string    kernel command line\n"
               "-dtb file         device tree blob passed to the kernel\n"
               "-bios file        firmware image\n"
               "-L dir            directory searched for firmware\n"
               "-rtc [base=utc][,clock=host|vm|rt][,driftfix=none|slew]\n"
               "                  the real-time clocks start at the host's time, in UTC\n"
               "-boot [order=drives][,once=drives][,menu=on|off]\n"
               "                  checked and accepted; these boards boot what -kernel/-bios\n"
               "                  give them\n"
               "\n"
               "Block, network and device options:\n"
               "-drive spec       a drive (file=...,if=...,format=...)\n"
               "-hda/-hdb/-hdc/-hdd file, -cdrom file\n"
               "                  shorthands for -drive (a bare file name means -hda)\n"
               "-snapshot         write to temporary files instead of the disk images\n"
               "-netdev spec      a network backend (user,id=ID[,hostfwd=...])\n"
               "-nic user[,model=...][,mac=...][,hostfwd=...]\n"
               "                  a network backend and its NIC in one; -nic none: no NIC\n"
               "-net nic[,model=...][,macaddr=...] -net user[,hostfwd=...]\n"
               "                  the older spelling of the same pair\n"
               "-device spec      add a device\n"
               "\n"
               "Display and character devices:\n"
               "-nographic        no display; serial port and monitor share stdio\n"
               "                  (Ctrl-A h for help, Ctrl-A x to quit, Ctrl-A c for the monitor)\n"
               "-display none|sdl select the display\n"
               "-serial dev       redirect the next serial port to dev: stdio, mon:stdio,\n"
               "                  null, none, pty, file:PATH, pipe:PATH, chardev:ID,\n"
               "                  tcp:[HOST]:PORT[,server][,nowait], unix:PATH[,server][,nowait]\n"
               "                  (repeatable)\n"
               "-chardev socket,id=ID,path=PATH|host=HOST,port=PORT[,server=on][,wait=off]\n"
               "                  [,reconnect=SECONDS]\n"
               "-chardev file,id=ID,path=PATH[,append=on]\n"
               "-chardev stdio|pty|null,id=ID   -chardev pipe,id=ID,path=PATH\n"
               "-chardev ringbuf,id=ID[,size=64K]  (monitor: ringbuf_read, ringbuf_write)\n"
               "                  a named character backend (mux=on lets several users share it)\n"
               "-monitor dev      put the monitor on dev (stdio, none, ...)\n"
               "-mon chardev=ID   put a monitor on the named character backend\n"
               "-nodefaults       do not create a default serial port or monitor\n"
               "\n"
               "Execution and debugging:\n"
               "-accel tcg|kvm    select the accelerator (repeat for fallbacks)\n"
               "-enable-kvm       same as -accel kvm\n"
               "-singlestep       translate one guest instruction per block\n"
               "-S                do not start the CPUs (use the monitor's cont)\n"
               "-s                shorthand for -gdb tcp::1234\n"
               "-gdb tcp::port    wait for a gdb connection on port\n"
               "-d item,...       enable debug logging (-d help lists items)\n"
               "-D file           write the debug log to file\n"
               "-no-reboot        exit instead of rebooting\n"
               "-no-shutdown      stop (do not exit) when the guest powers off\n"
               "\n"
               "Options are also accepted with two dashes (--nographic).\n");
}

static const char *const nic_models[] = {"virtio-net-pci", "virtio-net-device", "virtio-net",
                                         "virtio"};

void options_print_help_topic(FILE *f, const char *topic)
{
    if (!strcmp(topic, "chardev")) {
        fprintf(f, "Available chardev backend types: \n");
        static const char *const kinds[] = {"stdio", "pipe", "file",   "socket",
                                            "pty",   "null", "ringbuf"};
        for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
            fprintf(f, "  %s\n", kinds[i]);
        }
    } else if (!strcmp(topic, "netdev")) {
        fprintf(f, "Available netdev backend types:\nuser\n");
    } else if (!strcmp(topic, "nic")) {
        fprintf(f, "Supported NIC models:\n");
        for (size_t i = 0; i + 1 < G_N_ELEMENTS(nic_models); i++) {
            fprintf(f, "%s\n", nic_models[i]);
        }
    } else if (!strcmp(topic, "accel")) {
        fprintf(f, "Accelerators supported in mimic binary:\ntcg\nkvm\n");
    } else if (!strcmp(topic, "display")) {
        fprintf(f, "Available display backend types:\nnone\nsdl\n");
    }
}

bool options_parse_size(const char *s, uint64_t default_unit, uint64_t *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s)) {
        return false;
    }
    errno = 0;
    char *end;
    double frac = 0;
    uint64_t v = strtoull(s, &end, 10);
    if (errno) {
        return false;
    }
    if (*end == '.') {
        char *fend;
        frac = strtod(end, &fend);
        if (fend == end + 1) {
            return false;
        }
        end = fend;
    }
    uint64_t unit = default_unit;
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'B': unit = 1; break;
        case 'K': unit = 1ULL << 10; break;
        case 'M': unit = 1ULL << 20; break;
        case 'G': unit = 1ULL << 30; break;
        case 'T': unit = 1ULL << 40; break;
        case 'P': unit = 1ULL << 50; break;
        case 'E': unit = 1ULL << 60; break;
        default: return false;
        }
        end++;
        if (*end) {
            return false;
        }
    }
    if (frac != 0 && unit == 1) {
        return false; /* a fraction of a byte */
    }
    if (v > UINT64_MAX / unit) {
        return false;
    }
    uint64_t r = v * unit;
    if (frac != 0) {
        double extra = frac * (double)unit;
        if ((double)r + extra >= 18446744073709551616.0) {
            return false;
        }
        r += (uint64_t)extra;
    }
    *out = r;
    return true;
}

static bool opt_parse_int(const char *s, int *out)
{
    if (!s || !*s || !isdigit((unsigned char)*s)) {
        return false;
    }
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v > 1 << 20) {
        return false;
    }
    *out = (int)v;
    return true;
}

bool options_parse_smp(const char *s, int *cpus_out, int *max_out, char **errp)
{
    int cpus = -1, maxcpus = 0, sockets = 0, cores = 0, threads = 0, dies = 0, clusters = 0;
    char **parts = g_strsplit(s, ",", -1);
    bool ok = true;
    for (char **p = parts; *p && ok; p++) {
        const char *item = *p;
        const char *eq = strchr(item, '=');
        if (!eq) {
            if (p != parts) {
                *errp = g_strdup_printf("-smp %s: Invalid parameter '%s'", s, item);
                ok = false;
            } else if (!opt_parse_int(item, &cpus)) {
                *errp = g_strdup_printf("-smp %s: Parameter 'smp.cpus' expects integer", s);
                ok = false;
            }
            continue;
        }
        size_t klen = eq - item;
        struct {
            const char *key;
            int *dst;
        } keys[] = {{"cpus", &cpus},        {"maxcpus", &maxcpus}, {"sockets", &sockets},
                    {"cores", &cores},      {"threads", &threads}, {"dies", &dies},
                    {"clusters", &clusters}};
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(keys); i++) {
            if (strlen(keys[i].key) == klen && !strncmp(item, keys[i].key, klen)) {
                break;
            }
        }
        if (i == G_N_ELEMENTS(keys)) {
            *errp = g_strdup_printf("-smp %s: Invalid parameter '%.*s'", s, (int)klen, item);
            ok = false;
        } else if (!opt_parse_int(eq + 1, keys[i].dst)) {
            *errp = g_strdup_printf("-smp %s: Parameter 'smp.%s' expects integer", s, keys[i].key);
            ok = false;
        }
    }
    g_strfreev(parts);
    if (!ok) {
        return false;
    }
    if (cpus < 0) {
        int topo = (sockets ? sockets : 1) * (dies ? dies : 1) * (clusters ? clusters : 1) *
                   (cores ? cores : 1) * (threads ? threads : 1);
        cpus = maxcpus && !(sockets || cores || threads) ? maxcpus : topo;
    }
    if (cpus < 1) {
        *errp = g_strdup_printf("-smp %s: the number of CPUs must be at least 1", s);
        return false;
    }
    if (!maxcpus) {
        maxcpus = cpus;
    }
    if (maxcpus < cpus) {
        *errp = g_strdup_printf("-smp %s: maxcpus (%d) must be equal to or greater than smp (%d)",
                                s, maxcpus, cpus);
        return false;
    }
    *cpus_out = cpus;
    *max_out = maxcpus;
    return true;
}

static void opt_push(char ***list, int *n, char *item)
{
    *list = g_renew(char *, *list, *n + 2);
    (*list)[(*n)++] = item;
    (*list)[*n] = NULL;
}

/* -M name,k=v,...: the name may also be spelt type=NAME; accel= is the old
 * spelling of -accel. Later -M options add to earlier ones. */
static bool opt_parse_machine(MimicOptions *o, const char *arg, char **errp)
{
    char **parts = g_strsplit(arg, ",", -1);
    int n_opts = 0;
    while (o->machine_opts && o->machine_opts[n_opts]) {
        n_opts++;
    }
    for (char **p = parts; *p; p++) {
        if (!**p) {
            continue;
        }
        if (!strchr(*p, '=')) {
            if (p != parts) {
                *errp = g_strdup_printf("-machine %s: Invalid parameter '%s'", arg, *p);
                g_strfreev(parts);
                return false;
            }
            g_free(o->machine);
            o->machine = g_strdup(*p);
        } else if (!strncmp(*p, "type=", 5)) {
            g_free(o->machine);
            o->machine = g_strdup(*p + 5);
        } else if (!strncmp(*p, "accel=", 6)) {
            g_free(o->accel);
            o->accel = g_strdup(*p + 6);
        } else {
            opt_push(&o->machine_opts, &n_opts, g_strdup(*p));
        }
    }
    g_strfreev(parts);
    return true;
}

/* A name, or a ':'-separated fallback list ("kvm:tcg", QEMU's old spelling). */
static bool opt_check_accel(const char *name, const char *arg, char **errp)
{
    char **parts = g_strsplit(name, ":", -1);
    const char *bad = parts[0] ? NULL : name;
    for (char **p = parts; *p && !bad; p++) {
        if (strcmp(*p, "tcg") && strcmp(*p, "kvm")) {
            bad = *p;
        }
    }
    if (bad) {
        *errp = g_strdup_printf("-accel %s: invalid accelerator %s", arg, bad);
    }
    g_strfreev(parts);
    return !bad;
}

static void opt_add_accel(MimicOptions *o, const char *name)
{
    char *joined = o->accel ? g_strdup_printf("%s:%s", o->accel, name) : g_strdup(name);
    g_free(o->accel);
    o->accel = joined;
}

/* -mon chardev=ID[,mode=readline][,pretty=...]: only the text monitor. */
static bool opt_parse_mon(MimicOptions *o, const char *arg, char **errp)
{
    char **parts = g_strsplit(arg, ",", -1);
    const char *id = NULL;
    bool ok = true;
    for (char **p = parts; *p && ok; p++) {
        if (g_str_has_prefix(*p, "chardev=")) {
            id = *p + 8;
        } else if (!strcmp(*p, "mode=control")) {
            *errp = g_strdup_printf("-mon %s: the QMP monitor (mode=control) is not supported "
                                    "by mimic",
                                    arg);
            ok = false;
        } else if (!strcmp(*p, "mode=readline") || g_str_has_prefix(*p, "pretty=") ||
                   g_str_has_prefix(*p, "id=")) {
            /* the text monitor is all there is */
        } else {
            *errp = g_strdup_printf("-mon %s: Invalid parameter '%s'", arg, *p);
            ok = false;
        }
    }
    if (ok && (!id || !*id)) {
        *errp = g_strdup_printf("-mon %s: Parameter 'chardev' is missing", arg);
        ok = false;
    }
    if (ok) {
        opt_push(&o->mons, &o->n_mons, g_strdup(id));
    }
    g_strfreev(parts);
    return ok;
}

/* The -device string of a NIC of `model` on netdev (NULL: none), or NULL with
 * QEMU's message for a model we do not have. Its id `tag` starts with '_'
 * (QEMU refuses that in a user's id): boards refuse a model they cannot plug
 * as a NIC model (virtio_device_from_nic), not as a -device the user typed. */
static char *opt_nic_device(const char *model, const char *tag, const char *netdev, const char *mac,
                            char **errp)
{
    bool known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(nic_models); i++) {
        known |= !strcmp(model, nic_models[i]);
    }
    if (!known) {
        /* QEMU's words, which it prints without the option. */
        *errp = g_strdup_printf("Unsupported NIC model: %s", model);
        return NULL;
    }
    GString *dev = g_string_new(strcmp(model, "virtio") ? model : "virtio-net");
    if (netdev) {
        g_string_append_printf(dev, ",netdev=%s", netdev);
    }
    g_string_append_printf(dev, ",id=%s", tag);
    if (mac) {
        g_string_append_printf(dev, ",mac=%s", mac);
    }
    return g_string_free(dev, false);
}

static bool opt_check_net_type(const char *opt, const char *arg, const char *type, char **errp)
{
    static const char *const elsewhere[] = {"tap", "bridge", "socket",     "stream", "dgram",
                                            "vde", "l2tpv3", "vhost-user", "hubport"};
    for (size_t i = 0; i < G_N_ELEMENTS(elsewhere); i++) {
        if (!strcmp(type, elsewhere[i])) {
            *errp = g_strdup_printf("%s %s: network backend '%s' is not supported (only 'user' "
                                    "and 'none')",
                                    opt, arg, type);
            return false;
        }
    }
    if (!*type) {
        *errp = g_strdup_printf("%s %s: Parameter 'type' is missing", opt, arg);
        return false;
    }
    *errp = g_strdup_printf("%s %s: Parameter 'type' does not accept value '%s'", opt, arg, type);
    return false;
}

/* -nic TYPE[,model=M][,mac=A][,id=N][,backend options]: QEMU's shorthand for
 * a -netdev and a -device naming it, which is what it becomes here. */
static bool opt_parse_nic(MimicOptions *o, const char *arg, char **errp)
{
    if (!strcmp(arg, "model=help") || g_str_has_suffix(arg, ",model=help")) {
        o->help_topic = "nic";
        return true;
    }
    char **parts = g_strsplit(arg, ",", -1);
    const char *type = parts[0] ? parts[0] : "";
    if (!strcmp(type, "none")) {
        o->nic_none = true;
        g_strfreev(parts);
        return true;
    }
    if (strcmp(type, "user")) {
        bool ok = opt_check_net_type("-nic", arg, type, errp);
        g_strfreev(parts);
        return ok;
    }
    /* Without model=, the transport-neutral NIC: each board puts it on its own bus. */
    const char *model = "virtio-net", *mac = NULL;
    char *id = g_strdup_printf("_nic%d", o->n_nics);
    char *tag = g_strdup_printf("_nic%d", o->n_nics);
    GString *nd = g_string_new(type);
    for (char **p = parts + 1; *p; p++) {
        if (g_str_has_prefix(*p, "model=")) {
            model = *p + 6;
        } else if (g_str_has_prefix(*p, "mac=")) {
            mac = *p + 4;
        } else if (g_str_has_prefix(*p, "id=")) {
            g_free(id);
            id = g_strdup(*p + 3);
        } else if (**p) {
            g_string_append_printf(nd, ",%s", *p);
        }
    }
    char *dev = opt_nic_device(model, tag, id, mac, errp);
    g_free(tag);
    if (dev) {
        g_string_append_printf(nd, ",id=%s", id);
        opt_push(&o->netdevs, &o->n_netdevs, g_string_free(nd, false));
        opt_push(&o->devices, &o->n_devices, dev);
        o->n_nics++;
    } else {
        g_string_free(nd, true);
    }
    g_free(id);
    g_strfreev(parts);
    return dev != NULL;
}

/* -net nic[,model=M][,macaddr=A] and -net user[,...], the old pair: each NIC
 * is kept until options_parse's end joins it to the user backend of the same
 * rank (-net none: no NIC). */
static bool opt_parse_net(MimicOptions *o, const char *arg, char **errp)
{
    char **parts = g_strsplit(arg, ",", -1);
    const char *type = parts[0] ? parts[0] : "";
    bool ok = true;
    if (!strcmp(type, "none")) {
        o->nic_none = true;
    } else if (!strcmp(type, "nic")) {
        const char *model = "virtio-net", *mac = NULL;
        for (char **p = parts + 1; *p && ok; p++) {
            if (g_str_has_prefix(*p, "model=")) {
                model = *p + 6;
            } else if (g_str_has_prefix(*p, "macaddr=")) {
                mac = *p + 8;
            } else if (!g_str_has_prefix(*p, "vlan=") && !g_str_has_prefix(*p, "netdev=") &&
                       !g_str_has_prefix(*p, "name=") && !g_str_has_prefix(*p, "id=") && **p) {
                *errp = g_strdup_printf("-net %s: Invalid parameter '%s'", arg, *p);
                ok = false;
            }
        }
        if (ok && !strcmp(model, "help")) {
            o->help_topic = "nic";
        } else if (ok) {
            /* The netdev is named at the end, once the pairs are known. */
            char *tag = g_strdup_printf("_net%d", o->n_net_nics);
            char *dev = opt_nic_device(model, tag, NULL, mac, errp);
            g_free(tag);
            ok = dev != NULL;
            if (ok) {
                opt_push(&o->net_nics, &o->n_net_nics, dev);
            }
        }
    } else if (!strcmp(type, "user")) {
        GString *nd = g_string_new("user");
        for (char **p = parts + 1; *p; p++) {
            if (**p && !g_str_has_prefix(*p, "vlan=") && !g_str_has_prefix(*p, "id=") &&
                !g_str_has_prefix(*p, "name=")) {
                g_string_append_printf(nd, ",%s", *p);
            }
        }
        opt_push(&o->net_users, &o->n_net_users, g_string_free(nd, false));
    } else {
        ok = opt_check_net_type("-net", arg, type, errp);
    }
    g_strfreev(parts);
    return ok;
}

static void opt_join_net_pairs(MimicOptions *o)
{
    int n = o->n_net_nics > o->n_net_users ? o->n_net_nics : o->n_net_users;
    for (int i = 0; i < n; i++) {
        char *id = g_strdup_printf("_net%d", i);
        if (i < o->n_net_users) {
            opt_push(&o->netdevs, &o->n_netdevs, g_strdup_printf("%s,id=%s", o->net_users[i], id));
        }
        if (i < o->n_net_nics) {
            /* "model,id=_netI[,mac=...]" -> "model,netdev=ID,id=_netI[,mac=...]" */
            const char *nic = o->net_nics[i];
            size_t mlen = strcspn(nic, ",");
            opt_push(&o->devices, &o->n_devices,
                     i < o->n_net_users
                         ? g_strdup_printf("%.*s,netdev=%s%s", (int)mlen, nic, id, nic + mlen)
                         : g_strdup(nic));
        }
        g_free(id);
    }
    g_strfreev(o->net_nics);
    g_strfreev(o->net_users);
    o->net_nics = o->net_users = NULL;
    o->n_net_nics = o->n_net_users = 0;
}

/* -boot: QEMU's syntax, checked with QEMU's messages. Boards without a
 * firmware boot menu (all of ours) have no use for it, as on QEMU. */
static bool opt_check_boot(const char *arg, char **errp)
{
    char **parts = g_strsplit(arg, ",", -1);
    bool ok = true;
    for (char **p = parts; *p && ok; p++) {
        const char *eq = strchr(*p, '=');
        size_t klen = eq ? (size_t)(eq - *p) : 0;
        const char *val = eq ? eq + 1 : *p;
        if (!eq && p != parts) {
            *errp = g_strdup_printf("Parameter 'boot.%s' is unexpected", *p);
            ok = false;
        } else if (!eq || (klen == 5 && !strncmp(*p, "order", 5)) ||
                   (klen == 4 && !strncmp(*p, "once", 4))) {
            for (const char *c = val; *c && ok; c++) {
                if (*c < 'a' || *c > 'p') {
                    *errp = g_strdup_printf("Invalid boot device '%c'", *c);
                    ok = false;
                }
            }
        } else if ((klen == 4 && !strncmp(*p, "menu", 4)) ||
                   (klen == 6 && !strncmp(*p, "strict", 6))) {
            if (strcmp(val, "on") && strcmp(val, "off")) {
                *errp =
                    g_strdup_printf("Parameter 'boot.%.*s' expects 'on' or 'off'", (int)klen, *p);
                ok = false;
            }
        } else if (!(klen == 6 && !strncmp(*p, "splash", 6)) &&
                   !(klen == 11 && !strncmp(*p, "splash-time", 11)) &&
                   !(klen == 14 && !strncmp(*p, "reboot-timeout", 14))) {
            *errp = g_strdup_printf("Parameter 'boot.%.*s' is unexpected", (int)klen, *p);
            ok = false;
        }
    }
    g_strfreev(parts);
    return ok;
}

/* -rtc: the boards' clocks read the host's time as UTC, which is what the
 * accepted values mean; localtime or a fixed date would need the devices'
 * help, so they are refused by name rather than ignored. */
static bool opt_check_rtc(const char *arg, char **errp)
{
    char **parts = g_strsplit(arg, ",", -1);
    bool ok = true;
    for (char **p = parts; *p && ok; p++) {
        if (!strcmp(*p, "base=utc") || !strcmp(*p, "clock=host") || !strcmp(*p, "clock=vm") ||
            !strcmp(*p, "clock=rt") || !strcmp(*p, "driftfix=none") ||
            !strcmp(*p, "driftfix=slew")) {
            continue;
        }
        if (g_str_has_prefix(*p, "base=")) {
            *errp = g_strdup_printf("-rtc %s: base=%s is not supported by mimic (the clocks "
                                    "start at the host's time in UTC)",
                                    arg, *p + 5);
        } else {
            *errp = g_strdup_printf("-rtc %s: Invalid parameter '%s'", arg, *p);
        }
        ok = false;
    }
    g_strfreev(parts);
    return ok;
}

static void opt_add_disk(MimicOptions *o, const char *file, int index, const char *media)
{
    opt_push(&o->drives, &o->n_drives,
             g_strdup_printf("file=%s,index=%d,media=%s", file, index, media));
}

bool options_parse(MimicOptions *o, int argc, char **argv, char **errp)
{
    memset(o, 0, sizeof(*o));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            opt_add_disk(o, a, 0, "disk");
            continue;
        }
        const char *name = a + 1;
        if (*name == '-') {
            name++;
        }
        const OptDef *def = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(opt_defs); k++) {
            if (!strcmp(opt_defs[k].name, name)) {
                def = &opt_defs[k];
                break;
            }
        }
        if (!def) {
            *errp = g_strdup_printf("%s: invalid option", a);
            return false;
        }
        const char *arg = NULL;
        if (def->has_arg) {
            if (i + 1 >= argc) {
                *errp = g_strdup_printf("%s: requires an argument", a);
                return false;
            }
            arg = argv[++i];
        }
        switch (def->id) {
        case OPT_MACHINE:
            if (!opt_parse_machine(o, arg, errp)) {
                return false;
            }
            break;
        case OPT_MEMORY: {
            /* "-m 512", "-m 1G" or "-m size=1G,slots=2,maxmem=4G". */
            char **parts = g_strsplit(arg, ",", -1);
            const char *size = NULL;
            bool ok = true;
            for (char **p = parts; *p && ok; p++) {
                if (!strncmp(*p, "size=", 5)) {
                    size = *p + 5;
                } else if (p == parts && !strchr(*p, '=')) {
                    size = *p;
                } else if (strncmp(*p, "slots=", 6) && strncmp(*p, "maxmem=", 7)) {
                    *errp = g_strdup_printf("-m %s: Invalid parameter '%s'", arg, *p);
                    ok = false;
                }
            }
            uint64_t bytes = 0;
            if (ok && (!size || !options_parse_size(size, 1ULL << 20, &bytes))) {
                *errp = g_strdup_printf(
                    "-m %s: Parameter 'size' expects a non-negative number with an optional "
                    "k, M, G or T suffix",
                    arg);
                ok = false;
            }
            if (ok && bytes == 0) {
                *errp = g_strdup_printf("-m %s: the RAM size must not be zero", arg);
                ok = false;
            }
            g_strfreev(parts);
            if (!ok) {
                return false;
            }
            o->ram_size = bytes;
            break;
        }
        case OPT_SMP:
            if (!options_parse_smp(arg, &o->smp, &o->max_cpus, errp)) {
                return false;
            }
            break;
        case OPT_CPU: o->cpu_model = arg; break;
        case OPT_KERNEL: o->kernel = arg; break;
        case OPT_INITRD: o->initrd = arg; break;
        case OPT_APPEND: o->append = arg; break;
        case OPT_DTB: o->dtb = arg; break;
        case OPT_BIOS: o->bios = arg; break;
        case OPT_DRIVE: opt_push(&o->drives, &o->n_drives, g_strdup(arg)); break;
        case OPT_HDA:
        case OPT_HDB:
        case OPT_HDC:
        case OPT_HDD: opt_add_disk(o, arg, def->id - OPT_HDA, "disk"); break;
        case OPT_CDROM: opt_add_disk(o, arg, 2, "cdrom"); break;
        case OPT_DEVICE: opt_push(&o->devices, &o->n_devices, g_strdup(arg)); break;
        case OPT_NETDEV:
            if (!strcmp(arg, "help")) {
                o->help_topic = "netdev";
                break;
            }
            opt_push(&o->netdevs, &o->n_netdevs, g_strdup(arg));
            break;
        case OPT_NIC:
            if (!opt_parse_nic(o, arg, errp)) {
                return false;
            }
            break;
        case OPT_NET:
            if (!opt_parse_net(o, arg, errp)) {
                return false;
            }
            break;
        case OPT_BOOT:
            if (!opt_check_boot(arg, errp)) {
                return false;
            }
            break;
        case OPT_RTC:
            if (!opt_check_rtc(arg, errp)) {
                return false;
            }
            break;
        case OPT_CHARDEV:
            if (!strcmp(arg, "help")) {
                o->help_topic = "chardev";
                break;
            }
            opt_push(&o->chardevs, &o->n_chardevs, g_strdup(arg));
            break;
        case OPT_MON:
            if (!opt_parse_mon(o, arg, errp)) {
                return false;
            }
            break;
        case OPT_SERIAL:
            if (o->n_serial >= OPTIONS_MAX_SERIAL) {
                *errp = g_strdup_printf("-serial %s: too many serial ports (at most %d)", arg,
                                        OPTIONS_MAX_SERIAL);
                return false;
            }
            o->serial[o->n_serial++] = arg;
            break;
        case OPT_MONITOR: o->monitor = arg; break;
        case OPT_NOGRAPHIC: o->nographic = true; break;
        case OPT_NODEFAULTS: o->nodefaults = true; break;
        case OPT_DISPLAY: {
            size_t len = strcspn(arg, ",");
            if (!strcmp(arg, "help")) {
                o->help_topic = "display";
                break;
            }
            if (!((len == 4 && !strncmp(arg, "none", 4)) ||
                  (len == 3 && !strncmp(arg, "sdl", 3)))) {
                *errp = g_strdup_printf("-display %s: unknown display type '%.*s' (supported: "
                                        "none, sdl)",
                                        arg, (int)len, arg);
                return false;
            }
            o->display = len == 4 ? "none" : "sdl";
            break;
        }
        case OPT_ACCEL: {
            if (!strcmp(arg, "help")) {
                o->help_topic = "accel";
                break;
            }
            char *accel_name = g_strndup(arg, strcspn(arg, ","));
            bool ok = opt_check_accel(accel_name, arg, errp);
            if (ok) {
                opt_add_accel(o, accel_name);
            }
            g_free(accel_name);
            if (!ok) {
                return false;
            }
            break;
        }
        case OPT_ENABLE_KVM: opt_add_accel(o, "kvm"); break;
        case OPT_D: o->log_items = arg; break;
        case OPT_DFILE: o->log_file = arg; break;
        case OPT_S_GDB: o->gdb = "tcp::1234"; break;
        case OPT_GDB: o->gdb = arg; break;
        case OPT_S_PAUSED: o->start_paused = true; break;
        case OPT_NO_REBOOT: o->no_reboot = true; break;
        case OPT_NO_SHUTDOWN: o->no_shutdown = true; break;
        case OPT_SINGLESTEP: o->singlestep = true; break;
        case OPT_MEM_PATH: o->mem_path = arg; break;
        case OPT_PIDFILE: o->pidfile = arg; break;
        case OPT_SNAPSHOT: o->snapshot = true; break;
        case OPT_DAEMONIZE: o->daemonize = true; break;
        case OPT_NAME: {
            /* "-name NAME[,process=P][,debug-threads=on]" or "guest=NAME,...". */
            char **parts = g_strsplit(arg, ",", -1);
            for (char **p = parts; *p; p++) {
                if (g_str_has_prefix(*p, "guest=")) {
                    g_free(o->name);
                    o->name = g_strdup(*p + 6);
                } else if (p == parts && !strchr(*p, '=')) {
                    g_free(o->name);
                    o->name = g_strdup(*p);
                }
            }
            g_strfreev(parts);
            break;
        }
        case OPT_L: o->bios_dir = arg; break;
        case OPT_VERSION: o->show_version = true; break;
        case OPT_HELP: o->show_help = true; break;
        }
    }
    opt_join_net_pairs(o);
    if (o->snapshot) {
        /* A drive's own snapshot= wins, as on QEMU. */
        for (int i = 0; i < o->n_drives; i++) {
            if (!strstr(o->drives[i], "snapshot=")) {
                char *d = g_strdup_printf("%s,snapshot=on", o->drives[i]);
                g_free(o->drives[i]);
                o->drives[i] = d;
            }
        }
    }
    return true;
}

void options_free(MimicOptions *o)
{
    g_strfreev(o->machine_opts);
    g_strfreev(o->drives);
    g_strfreev(o->devices);
    g_strfreev(o->netdevs);
    g_strfreev(o->chardevs);
    g_strfreev(o->net_nics);
    g_strfreev(o->net_users);
    g_strfreev(o->mons);
    g_free(o->accel);
    g_free(o->machine);
    g_free(o->name);
    memset(o, 0, sizeof(*o));
}
