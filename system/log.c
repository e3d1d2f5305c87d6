/*
 * Debug logging (system/log.h): the -d item table, the -D destination, and
 * capstone disassembly used by in_asm/out_asm dumps and by tests.
 */
#include "system/log.h"

#include <capstone/capstone.h>
#include <dlfcn.h>
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

/* libcapstone costs ~3 MiB of resident memory (relocations of its tables) as
 * soon as it is mapped, so it is opened at the first disassembly (-d in_asm,
 * out_asm...), not linked; the header gives the types, this table the calls. */
#define DISAS_LIBRARY "libcapstone.so.4"

typedef struct CapstoneFuncs {
    cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
    cs_insn *(*malloc)(csh handle);
    bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
                        cs_insn *insn);
    void (*free)(cs_insn *insn, size_t count);
} CapstoneFuncs;

static CapstoneFuncs capstone;
static enum { DISAS_UNLOADED, DISAS_LOADED, DISAS_MISSING } disas_state;

/* Called under disas_lock. MIMIC_CAPSTONE_LIBRARY overrides the library's
 * name (the tests use it to check the missing-library path). */
static bool disas_load(void)
{
    if (disas_state != DISAS_UNLOADED) {
        return disas_state == DISAS_LOADED;
    }
    disas_state = DISAS_MISSING;
    const char *name = getenv("MIMIC_CAPSTONE_LIBRARY");
    if (!name || !*name) {
        name = DISAS_LIBRARY;
    }
    void *lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (lib) {
        capstone.open = (cs_err(*)(cs_arch, cs_mode, csh *))dlsym(lib, "cs_open");
        capstone.malloc = (cs_insn * (*)(csh)) dlsym(lib, "cs_malloc");
        capstone.disasm_iter = (bool (*)(csh, const uint8_t **, size_t *, uint64_t *,
                                         cs_insn *))dlsym(lib, "cs_disasm_iter");
        capstone.free = (void (*)(cs_insn *, size_t))dlsym(lib, "cs_free");
        if (capstone.open && capstone.malloc && capstone.disasm_iter && capstone.free) {
            disas_state = DISAS_LOADED;
            return true;
        }
        fprintf(stderr,
                "mimic: warning: %s is not a usable capstone library; "
                "logging code without disassembly\n",
                name);
        dlclose(lib);
        return false;
    }
    fprintf(stderr, "mimic: warning: cannot load %s (%s); logging code without disassembly\n", name,
            dlerror());
    return false;
}

/* Without capstone: the bytes, 16 to a line, with their addresses. */
static void disas_dump_bytes(FILE *f, int addr_digits, const uint8_t *p, size_t size, uint64_t addr)
{
    for (size_t off = 0; off < size; off += 16) {
        fprintf(f, "0x%0*" PRIx64 ":  .byte", addr_digits, addr + off);
        for (size_t i = off; i < size && i < off + 16; i++) {
            fprintf(f, "%s0x%02x", i > off ? ", " : " ", p[i]);
        }
        fprintf(f, "\n");
    }
}

void log_disas(FILE *f, LogDisasArch arch, const void *code, size_t size, uint64_t vaddr)
{
    if ((unsigned)arch >= G_N_ELEMENTS(disas_modes)) {
        fprintf(f, "(no disassembler for this architecture)\n");
        return;
    }
    const DisasMode *m = &disas_modes[arch];
    pthread_mutex_lock(&disas_lock);
    if (!disas_load()) {
        pthread_mutex_unlock(&disas_lock);
        disas_dump_bytes(f, m->addr_digits, code, size, vaddr);
        return;
    }
    if (!disas_open[arch]) {
        if (capstone.open(m->arch, m->mode, &disas_handles[arch]) != CS_ERR_OK) {
            pthread_mutex_unlock(&disas_lock);
            fprintf(f, "(capstone cannot open this architecture)\n");
            return;
        }
        disas_open[arch] = true;
    }
    csh h = disas_handles[arch];
    cs_insn *insn = capstone.malloc(h);
    const uint8_t *p = code;
    uint64_t addr = vaddr;
    while (size > 0) {
        if (capstone.disasm_iter(h, &p, &size, &addr, insn)) {
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
    capstone.free(insn, 1);
    pthread_mutex_unlock(&disas_lock);
}
