/*
 * The text monitor (-monitor stdio, or Ctrl-A c under -nographic): a few
 * commands to inspect and control the VM (help, info status/mtree/registers,
 * stop, cont, system_reset, quit).
 */
#ifndef SYSTEM_MONITOR_H
#define SYSTEM_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include "system/chardev.h"

typedef struct Monitor Monitor;

/* Attaches a monitor to chr as its front-end. */
Monitor *monitor_new(Chardev *chr);
void monitor_free(Monitor *mon);
/* Runs one command line, output to the monitor's chardev. */
void monitor_execute(Monitor *mon, const char *line);

/* Other modules add commands (screendump, ...): fn gets the words of the
 * line, args[0] being the command name. help is one line ("name ARGS  what"). */
typedef void MonitorCommandFn(Monitor *mon, char **args);
void monitor_register_command(const char *name, const char *help, MonitorCommandFn *fn);
void monitor_printf(Monitor *mon, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* `info registers`: the CPU module registers a function that prints every
 * CPU's registers (none registered: "no CPU"). */
void monitor_set_register_dump(void (*fn)(FILE *f));

#endif
