/*
 * Command-line options of the mimic binary (QEMU's names and meanings),
 * parsed into one struct that main() turns into a MachineState.
 */
#ifndef SYSTEM_OPTIONS_H
#define SYSTEM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define OPTIONS_MAX_SERIAL 4

typedef struct MimicOptions {
    char *machine;         /* -M name (owned); NULL: the default board */
    char **machine_opts;   /* -M ...,k=v: "k=v" strings, NULL-terminated */
    uint64_t ram_size;     /* -m in bytes; 0: the board's default */
    int smp, max_cpus;     /* -smp; 0: not given */
    const char *cpu_model; /* -cpu */
    const char *kernel, *initrd, *append, *dtb, *bios;
    char **drives, **devices, **netdevs; /* NULL-terminated */
    int n_drives, n_devices, n_netdevs;
    const char *serial[OPTIONS_MAX_SERIAL];
    int n_serial;
    const char *monitor; /* -monitor spec; NULL: default */
    char **chardevs;     /* -chardev specs, NULL-terminated */
    int n_chardevs;
    char **mons; /* -mon chardev=ID[,mode=readline]: the chardev ids */
    int n_mons;
    int n_nics;                   /* -nic options seen (each added a netdev and a device) */
    char **net_nics, **net_users; /* -net nic / -net user until paired (parsing only) */
    int n_net_nics, n_net_users;
    bool nic_none;
    bool nographic;
    bool nodefaults;
    const char *display; /* "none", "sdl"; NULL: default */
    char *accel;         /* "tcg", "kvm", "kvm:tcg" (several -accel); NULL: default */
    const char *log_items, *log_file;
    const char *gdb; /* "tcp::1234" after -s */
    bool start_paused, no_reboot, no_shutdown, singlestep;
    const char *mem_path, *bios_dir;
    char *name;          /* -name (owned) */
    const char *pidfile; /* -pidfile */
    bool snapshot;       /* -snapshot: every drive gets snapshot=on */
    bool daemonize;      /* -daemonize */
    bool show_help, show_version;
    const char *help_topic; /* "chardev", "netdev", "nic", "accel", "display": X help */
} MimicOptions;

/* Parses argv[1..]. False with *errp set to a one-line message (without the
 * "mimic: " prefix; g_free it). */
bool options_parse(MimicOptions *o, int argc, char **argv, char **errp);
void options_free(MimicOptions *o);
void options_print_usage(FILE *f);
/* The list `-chardev help` (and the others of help_topic) prints, in QEMU's form. */
void options_print_help_topic(FILE *f, const char *topic);

/* "512" (in default_unit bytes), "512M", "1G", "4k", "1.5G". */
bool options_parse_size(const char *s, uint64_t default_unit, uint64_t *out);
/* -smp argument: "4", "cpus=4,maxcpus=8", "sockets=2,cores=2". */
bool options_parse_smp(const char *s, int *cpus, int *max_cpus, char **errp);

#endif
