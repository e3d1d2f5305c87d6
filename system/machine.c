/*
 * The machine registry (system/machine.h): lookups over hw/boards.c's
 * machine_table[] and the -M help listing.
 */
#include "system/machine.h"

#include <string.h>

MachineState *current_machine;

const MachineClass *machine_find(const char *name)
{
    for (const MachineClass *const *mc = machine_table; *mc; mc++) {
        if (!strcmp((*mc)->name, name)) {
            return *mc;
        }
    }
    return NULL;
}

const MachineClass *machine_find_default(void)
{
    for (const MachineClass *const *mc = machine_table; *mc; mc++) {
        if ((*mc)->is_default) {
            return *mc;
        }
    }
    return NULL;
}

void machine_print_list(FILE *f)
{
    fprintf(f, "Supported machines are:\n");
    for (const MachineClass *const *mc = machine_table; *mc; mc++) {
        fprintf(f, "%-20s %s%s\n", (*mc)->name, (*mc)->desc, (*mc)->is_default ? " (default)" : "");
    }
}

const char *machine_get_opt(const MachineState *ms, const char *key)
{
    size_t klen = strlen(key);
    const char *found = NULL;
    for (char **o = ms->machine_opts; o && *o; o++) {
        if (!strncmp(*o, key, klen) && (*o)[klen] == '=') {
            found = *o + klen + 1; /* the last one given wins */
        }
    }
    return found;
}
