/*
 * Debug logging: -d item,item... chooses what is logged, -D FILE where.
 * Items: in_asm (guest code as translated), op (IR), op_opt (optimised IR),
 * out_asm (host code), int (interrupts/exceptions), exec (each block run),
 * cpu (CPU state before each block), mmu, unimp, guest_errors.
 */
#ifndef SYSTEM_LOG_H
#define SYSTEM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
    LOG_IN_ASM = 1 << 0,
    LOG_OP = 1 << 1,
    LOG_OP_OPT = 1 << 2,
    LOG_OUT_ASM = 1 << 3,
    LOG_INT = 1 << 4,
    LOG_EXEC = 1 << 5,
    LOG_CPU = 1 << 6,
    LOG_MMU = 1 << 7,
    LOG_UNIMP = 1 << 8,
    LOG_GUEST_ERROR = 1 << 9,
    LOG_NOCHAIN = 1 << 10, /* do not chain blocks: exec/cpu logs see every block */
    LOG_CPU_RESET = 1 << 11,
};

extern unsigned log_mask;
static inline bool log_enabled(unsigned item)
{
    return (log_mask & item) != 0;
}
/* Parses "in_asm,op,..." and sets log_mask; false with *errp set (g_free it)
 * on an unknown item. "help" prints the item list to stdout and sets nothing. */
bool log_set_items(const char *items, char **errp);
/* Mask for an item list, or false with *errp set; log_mask is untouched. */
bool log_parse_items(const char *items, unsigned *mask, char **errp);
void log_print_help(FILE *f);
/* -D: log to a file instead of stderr; one "%d" in the name becomes the
 * process id (QEMU's template), any other '%' is an error. */
bool log_set_file(const char *path, char **errp);
FILE *log_file(void);
void log_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_lock/unlock keep one block's dump together when vCPUs log at once. */
void log_lock(void);
void log_unlock(void);

typedef enum LogDisasArch {
    LOG_DISAS_X86_64, /* host code, or x86-64 guests */
    LOG_DISAS_I386,
    LOG_DISAS_ARM,
    LOG_DISAS_THUMB,
    LOG_DISAS_MIPS32_LE,
    LOG_DISAS_MIPS32_BE,
} LogDisasArch;

/* Disassembles `size` bytes at `code` as if located at `vaddr`, one
 * instruction per line, through capstone. */
void log_disas(FILE *f, LogDisasArch arch, const void *code, size_t size, uint64_t vaddr);

#endif
