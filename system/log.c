/*
 * Debug logging (system/log.h): the -d item table, the -D destination, and
 * capstone disassembly used by in_asm/out_asm dumps and by tests.
 */
#include "system/log.h"

#include <capstone/capstone.h>
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

unsigned log_mask;
static FILE *log_dest;

typedef struct LogItem {
    unsigned mask;
    const char *name;
    const char *help;
} LogItem;

static const LogItem log_items[] = {
    {LOG_OUT_ASM, "out_asm", "show generated host assembly code for each compiled block"},
    {LOG_IN_ASM, "in_asm", "show guest assembly code for each compiled block"},
    {LOG_OP, "op", "show IR ops for each compiled block"},
    {LOG_OP_OPT, "op_opt", "show IR ops after optimization"},
    {LOG_INT, "int", "show interrupts/exceptions in short format"},
    {LOG_EXEC, "exec", "show trace before each executed block (lots of logs)"},
    {LOG_CPU, "cpu", "show CPU registers before entering a block (lots of logs)"},
    {LOG_CPU_RESET, "cpu_reset", "show CPU state before CPU resets"},
    {LOG_MMU, "mmu", "log MMU-related activities"},
    {LOG_UNIMP, "unimp", "log unimplemented functionality"},
    {LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does something invalid"},
    {LOG_NOCHAIN, "nochain",
     "do not chain compiled blocks so that exec and cpu show complete traces"},
};

void log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < G_N_ELEMENTS(log_items); i++) {
        fprintf(f, "%-15s %s\n", log_items[i].name, log_items[i].help);
    }
    fprintf(f, "%-15s %s\n", "all", "every item above");
}

bool log_parse_items(const char *items, unsigned *mask, char **errp)
{
    unsigned m = 0;
    char **parts = g_strsplit(items, ",", -1);
    bool ok = true;
    for (char **p = parts; *p; p++) {
        if (!**p) {
            continue;
        }
        if (!strcmp(*p, "all")) {
            for (size_t i = 0; i < G_N_ELEMENTS(log_items); i++) {
                m |= log_items[i].mask;
            }
            m &= ~(unsigned)LOG_NOCHAIN;
            continue;
        }
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(log_items); i++) {
            if (!strcmp(*p, log_items[i].name)) {
                m |= log_items[i].mask;
                break;
            }
        }
        if (i == G_N_ELEMENTS(log_items)) {
            if (errp) {
                *errp = g_strdup_printf("unknown log item '%s' (use -d help to list them)", *p);
            }
            ok = false;
            break;
        }
    }
    g_strfreev(parts);
    if (ok) {
        *mask = m;
    }
    return ok;
}

bool log_set_items(const char *items, char **errp)
{
    if (!strcmp(items, "help")) {
        log_print_help(stdout);
        return true;
    }
    unsigned m;
    if (!log_parse_items(items, &m, errp)) {
        return false;
    }
    log_mask = m;
    return true;
}

/* QEMU's -D template: one "%d" becomes the process id (a log per run);
 * any other '%' is refused. NULL if the template is bad. */
static char *log_expand_path(const char *tmpl)
{
    const char *pct = strchr(tmpl, '%');
    if (!pct) {
        return g_strdup(tmpl);
    }
    if (pct[1] != 'd' || strchr(pct + 2, '%')) {
        return NULL;
    }
    return g_strdup_printf("%.*s%d%s", (int)(pct - tmpl), tmpl, (int)getpid(), pct + 2);
}

bool log_set_file(const char *tmpl, char **errp)
{
    char *path = log_expand_path(tmpl);
    if (!path) {
        if (errp) {
            *errp = g_strdup_printf("Bad logfile template: %s", tmpl);
        }
        return false;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        if (errp) {
            *errp = g_strdup_printf("error opening logfile %s: %s", path, strerror(errno));
        }
        g_free(path);
        return false;
    }
    g_free(path);
    /* Line buffering keeps the file readable while the emulator runs. */
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_dest) {
        fclose(log_dest);
    }
    log_dest = f;
    return true;
}

FILE *log_file(void)
{
    return log_dest ? log_dest : stderr;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file(), fmt, ap);
    va_end(ap);
}

/* flockfile is recursive per thread, so a dump may call log_printf freely. */
void log_lock(void)
{
    flockfile(log_file());
}

void log_unlock(void)
{
    funlockfile(log_file());
}

/* ---- Disassembly --------------------------------------------------------- */

typedef struct DisasMode {
    cs_arch arch;
    cs_mode mode;
    unsigned min_insn; /* bytes skipped over an undecodable instruction */
    int addr_digits;
} DisasMode;

static const DisasMode disas_modes[] = {
    [LOG_DISAS_X86_64] = {CS_ARCH_X86, CS_MODE_64, 1, 16},
    [LOG_DISAS_I386] = {CS_ARCH_X86, CS_MODE_32, 1, 8},
    [LOG_DISAS_ARM] = {CS_ARCH_ARM, CS_MODE_ARM, 4, 8},
    [LOG_DISAS_THUMB] = {CS_ARCH_ARM, CS_MODE_THUMB, 2, 8},
    [LOG_DISAS_MIPS32_LE] = {CS_ARCH_MIPS, CS_MODE_MIPS32 | CS_MODE_LITTLE_ENDIAN, 4, 8},
    [LOG_DISAS_MIPS32_BE] = {CS_ARCH_MIPS, CS_MODE_MIPS32 | CS_MODE_BIG_ENDIAN, 4, 8},
};

/* Capstone handles are not thread-safe; one cached handle per mode, used
 * under a lock, avoids reopening them for every block. */
static pthread_mutex_t disas_lock = PTHREAD_MUTEX_INITIALIZER;
static csh disas_handles[G_N_ELEMENTS(disas_modes)];
static bool disas_open[G_N_ELEMENTS(disas_modes)];

void log_disas(FILE *f, LogDisasArch arch, const void *code, size_t size, uint64_t vaddr)
{
    if ((unsigned)arch >= G_N_ELEMENTS(disas_modes)) {
        fprintf(f, "(no disassembler for this architecture)\n");
        return;
    }
    const DisasMode *m = &disas_modes[arch];
    pthread_mutex_lock(&disas_lock);
    if (!disas_open[arch]) {
        if (cs_open(m->arch, m->mode, &disas_handles[arch]) != CS_ERR_OK) {
            pthread_mutex_unlock(&disas_lock);
            fprintf(f, "(capstone cannot open this architecture)\n");
            return;
        }
        disas_open[arch] = true;
    }
    csh h = disas_handles[arch];
    cs_insn *insn = cs_malloc(h);
    const uint8_t *p = code;
    uint64_t addr = vaddr;
    while (size > 0) {
        if (cs_disasm_iter(h, &p, &size, &addr, insn)) {
            fprintf(f, "0x%0*" PRIx64 ":  %s%s%s\n", m->addr_digits, insn->address, insn->mnemonic,
                    insn->op_str[0] ? " " : "", insn->op_str);
            continue;
        }
        size_t n = size < m->min_insn ? size : m->min_insn;
        fprintf(f, "0x%0*" PRIx64 ":  .byte", m->addr_digits, addr);
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s0x%02x", i ? ", " : " ", p[i]);
        }
        fprintf(f, "\n");
        p += n;
        size -= n;
        addr += n;
    }
    cs_free(insn, 1);
    pthread_mutex_unlock(&disas_lock);
}
