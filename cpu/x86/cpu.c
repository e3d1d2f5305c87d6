/*
 * cpu/x86/cpu.c: the x86-64 CPU models and the reset state of an x86 vCPU. There is no
 * x86 translator yet: these models run only under an accelerator that executes guest
 * code itself (KVM), so the translation hooks stay empty.
 */
#include <inttypes.h>
#include <string.h>

#include "cpu/x86/x86.h"

static void x86_seg_set(X86Segment *s, uint16_t sel, uint64_t base, uint32_t limit, uint8_t type,
                        bool code_or_data)
{
    memset(s, 0, sizeof(*s));
    s->selector = sel;
    s->base = base;
    s->limit = limit;
    s->type = type;
    s->present = 1;
    s->s = code_or_data;
}

/* The architectural reset state (SDM vol. 3, 9.1.1): real mode at f000:fff0. */
static void x86_cpu_reset(CPUState *cpu)
{
    X86Env *env = cpu->env;
    void *accel = env->accel;
    memset((char *)env + sizeof(CPUEnvCommon), 0, sizeof(*env) - sizeof(CPUEnvCommon));
    env->accel = accel;
    env->regs_dirty = true;
    env->apic_id = cpu->cpu_index;
    env->rip = 0xfff0;
    env->rflags = 0x2;
    env->cr0 = 0x60000010;
    env->regs[X86_RDX] = 0x600;
    x86_seg_set(&env->seg[X86_SEG_CS], 0xf000, 0xffff0000, 0xffff, 0xb, true);
    for (int i = 0; i < X86_SEG_TR; i++) {
        if (i != X86_SEG_CS) {
            x86_seg_set(&env->seg[i], 0, 0, 0xffff, 0x3, true);
        }
    }
    x86_seg_set(&env->seg[X86_SEG_TR], 0, 0, 0xffff, 0xb, false);
    x86_seg_set(&env->seg[X86_SEG_LDTR], 0, 0, 0xffff, 0x2, false);
    env->gdt_limit = 0xffff;
    env->idt_limit = 0xffff;
}

void x86_cpu_set_long_mode(CPUState *cpu, uint64_t gdt_base, uint16_t gdt_limit, uint64_t cr3,
                           uint16_t cs_sel, uint16_t ds_sel, uint64_t rip, uint64_t rsi)
{
    X86Env *env = cpu->env;
    env->gdt_base = gdt_base;
    env->gdt_limit = gdt_limit;
    env->idt_base = 0;
    env->idt_limit = 0;
    env->cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
    env->cr3 = cr3;
    env->cr4 = X86_CR4_PAE;
    env->efer = X86_EFER_LME | X86_EFER_LMA;
    x86_seg_set(&env->seg[X86_SEG_CS], cs_sel, 0, 0xffffffff, 0xb, true);
    env->seg[X86_SEG_CS].l = 1;
    env->seg[X86_SEG_CS].g = 1;
    for (int i = 0; i < X86_SEG_TR; i++) {
        if (i != X86_SEG_CS) {
            x86_seg_set(&env->seg[i], ds_sel, 0, 0xffffffff, 0x3, true);
            env->seg[i].db = 1;
            env->seg[i].g = 1;
        }
    }
    memset(env->regs, 0, sizeof(env->regs));
    env->regs[X86_RSI] = rsi;
    env->rip = rip;
    env->rflags = 0x2;
    env->regs_dirty = true;
}

static void x86_cpu_dump_state(CPUState *cpu, FILE *f)
{
    X86Env *env = cpu->env;
    static const char *const names[16] = {"RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
                                          "R8",  "R9",  "R10", "R11", "R12", "R13", "R14", "R15"};
    for (int i = 0; i < 16; i++) {
        fprintf(f, "%-3s=%016" PRIx64 "%s", names[i], env->regs[i], i % 4 == 3 ? "\n" : " ");
    }
    fprintf(f, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " CPL=%d\n", env->rip, env->rflags,
            env->seg[X86_SEG_CS].selector & 3);
    static const char *const snames[X86_SEG_COUNT] = {"ES", "CS", "SS", "DS",
                                                      "FS", "GS", "TR", "LDT"};
    for (int i = 0; i < X86_SEG_COUNT; i++) {
        const X86Segment *s = &env->seg[i];
        fprintf(f, "%-3s=%04x %016" PRIx64 " %08x type=%x dpl=%d p=%d l=%d db=%d\n", snames[i],
                s->selector, s->base, s->limit, s->type, s->dpl, s->present, s->l, s->db);
    }
    fprintf(f, "GDT=%016" PRIx64 " %04x IDT=%016" PRIx64 " %04x\n", env->gdt_base, env->gdt_limit,
            env->idt_base, env->idt_limit);
    fprintf(f,
            "CR0=%08" PRIx64 " CR2=%016" PRIx64 " CR3=%016" PRIx64 " CR4=%08" PRIx64
            " EFER=%" PRIx64 "\n",
            env->cr0, env->cr2, env->cr3, env->cr4, env->efer);
}

static uint64_t x86_cpu_get_pc(CPUState *cpu)
{
    return ((X86Env *)cpu->env)->rip;
}

static void x86_cpu_set_pc(CPUState *cpu, uint64_t pc)
{
    X86Env *env = cpu->env;
    env->rip = pc;
    env->regs_dirty = true;
}

/* gdb's register numbers, as target.xml below lays them out: rax rbx rcx rdx rsi rdi rbp
 * rsp, r8-r15 (8 bytes), rip (8), eflags, cs ss ds es fs gs (4 each) - the order of gdb's
 * own amd64 layout, so a gdb told `set architecture i386:x86-64` by hand reads the same
 * 'g' packet - then the x87 registers (st0-st7 of 10 bytes, eight 4-byte control
 * registers), fs_base and gs_base, xmm0-xmm15 and mxcsr. The FPU ones are unavailable
 * until the accelerator has reported them (X86FpuState.valid). */
enum {
    X86_GDB_RIP = 16,
    X86_GDB_EFLAGS,
    X86_GDB_SEG0,
    X86_GDB_ST0 = X86_GDB_SEG0 + 6,
    X86_GDB_FCTRL = X86_GDB_ST0 + 8,
    X86_GDB_FS_BASE = X86_GDB_FCTRL + 8,
    X86_GDB_GS_BASE,
    X86_GDB_XMM0,
    X86_GDB_MXCSR = X86_GDB_XMM0 + 16,
    X86_GDB_NUM_REGS
};
static const uint8_t x86_gdb_gpr[8] = {X86_RAX, X86_RBX, X86_RCX, X86_RDX,
                                       X86_RSI, X86_RDI, X86_RBP, X86_RSP};
static const uint8_t x86_gdb_seg[6] = {X86_SEG_CS, X86_SEG_SS, X86_SEG_DS,
                                       X86_SEG_ES, X86_SEG_FS, X86_SEG_GS};

/* The description gdb asks for with qXfer:features:read, so that `target remote` alone
 * picks amd64. Register sizes must match what x86_cpu_gdb_read_register returns; the
 * regnum of the first register of each group pins the numbers above. */
static const char x86_gdb_xml[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "<architecture>i386:x86-64</architecture>\n"
    "<feature name=\"org.gnu.gdb.i386.core\">\n"
    /* RFLAGS bits, SDM vol. 1 figure 3-8. */
    "<flags id=\"x86_rflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"PF\" start=\"2\" end=\"2\"/>"
    "<field name=\"AF\" start=\"4\" end=\"4\"/><field name=\"ZF\" start=\"6\" end=\"6\"/>"
    "<field name=\"SF\" start=\"7\" end=\"7\"/><field name=\"TF\" start=\"8\" end=\"8\"/>"
    "<field name=\"IF\" start=\"9\" end=\"9\"/><field name=\"DF\" start=\"10\" end=\"10\"/>"
    "<field name=\"OF\" start=\"11\" end=\"11\"/><field name=\"NT\" start=\"14\" end=\"14\"/>"
    "<field name=\"RF\" start=\"16\" end=\"16\"/><field name=\"VM\" start=\"17\" end=\"17\"/>"
    "<field name=\"AC\" start=\"18\" end=\"18\"/><field name=\"VIF\" start=\"19\" end=\"19\"/>"
    "<field name=\"VIP\" start=\"20\" end=\"20\"/><field name=\"ID\" start=\"21\" end=\"21\"/>"
    "</flags>\n"
    "<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>"
    "<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
    "<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/><reg name=\"r9\" bitsize=\"64\" "
    "type=\"int64\"/>"
    "<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
    "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"x86_rflags\"/>\n"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/><reg name=\"ss\" bitsize=\"32\" "
    "type=\"int32\"/>"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/><reg name=\"es\" bitsize=\"32\" "
    "type=\"int32\"/>"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/><reg name=\"gs\" bitsize=\"32\" "
    "type=\"int32\"/>\n"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\" regnum=\"24\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.segments\">"
    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\" regnum=\"40\"/>"
    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>"
    "</feature>\n"
    "<feature name=\"org.gnu.gdb.i386.sse\">\n"
    /* An XMM register seen as each packed type SSE/SSE2 instructions use. */
    "<vector id=\"x86_v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"x86_v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"x86_v16i8\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"x86_v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"x86_v4i32\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"x86_v2i64\" type=\"int64\" count=\"2\"/>\n"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"x86_v4f\"/>"
    "<field name=\"v2_double\" type=\"x86_v2d\"/><field name=\"v16_int8\" type=\"x86_v16i8\"/>"
    "<field name=\"v8_int16\" type=\"x86_v8i16\"/><field name=\"v4_int32\" type=\"x86_v4i32\"/>"
    "<field name=\"v2_int64\" type=\"x86_v2i64\"/><field name=\"uint128\" type=\"uint128\"/>"
    "</union>\n"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\" regnum=\"42\"/>"
    "<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>\n"
    "</feature>\n"
    "</target>\n";

static const char *x86_cpu_gdb_target_xml(const char *annex)
{
    return strcmp(annex, "target.xml") == 0 ? x86_gdb_xml : NULL;
}

/* The full x87 tag word (two bits per physical register: 00 valid, 01 zero, 10 special,
 * 11 empty; SDM vol. 1, 8.1.7) that gdb shows, from FXSAVE's abridged one and the
 * registers' contents. */
static uint16_t x86_fpu_full_tag(const X86FpuState *fpu)
{
    int top = (fpu->fsw >> 11) & 7;
    uint16_t tag = 0;
    for (int phys = 0; phys < 8; phys++) {
        unsigned t = 3;
        if (fpu->ftw_abridged & (1u << phys)) {
            const uint8_t *r = fpu->st[(phys - top) & 7];
            uint64_t mant;
            uint16_t se;
            memcpy(&mant, r, 8);
            memcpy(&se, r + 8, 2);
            unsigned exp = se & 0x7fff;
            if (exp == 0x7fff) {
                t = 2;
            } else if (exp == 0) {
                t = mant == 0 ? 1 : 2;
            } else {
                t = mant >> 63 ? 0 : 2; /* no integer bit: unnormal */
            }
        }
        tag |= (uint16_t)(t << (2 * phys));
    }
    return tag;
}

static int x86_gdb_reg_size(int n)
{
    if (n <= X86_GDB_RIP) {
        return 8;
    } else if (n >= X86_GDB_ST0 && n < X86_GDB_FCTRL) {
        return 10;
    } else if (n == X86_GDB_FS_BASE || n == X86_GDB_GS_BASE) {
        return 8;
    } else if (n >= X86_GDB_XMM0 && n < X86_GDB_MXCSR) {
        return 16;
    }
    return 4;
}

static int x86_cpu_gdb_read_fpu(const X86FpuState *fpu, uint8_t *buf, int n)
{
    int size = x86_gdb_reg_size(n);
    if (!fpu->valid) {
        return -size;
    }
    if (n < X86_GDB_FCTRL) {
        memcpy(buf, fpu->st[n - X86_GDB_ST0], 10);
        return 10;
    }
    if (n >= X86_GDB_XMM0 && n < X86_GDB_MXCSR) {
        memcpy(buf, fpu->xmm[n - X86_GDB_XMM0], 16);
        return 16;
    }
    /* fiseg/foseg: in 64-bit FXSAVE the upper halves of the instruction and operand
     * pointers, where 32-bit FXSAVE keeps the selectors (as gdb reads them). */
    uint32_t v;
    switch (n - X86_GDB_FCTRL) {
    case 0: v = fpu->fcw; break;
    case 1: v = fpu->fsw; break;
    case 2: v = x86_fpu_full_tag(fpu); break;
    case 3: v = (uint32_t)(fpu->fip >> 32); break;
    case 4: v = (uint32_t)fpu->fip; break;
    case 5: v = (uint32_t)(fpu->fdp >> 32); break;
    case 6: v = (uint32_t)fpu->fdp; break;
    case 7: v = fpu->fop; break;
    default: v = fpu->mxcsr; break;
    }
    memcpy(buf, &v, 4);
    return 4;
}

static int x86_cpu_gdb_read_register(CPUState *cpu, uint8_t *buf, int n)
{
    X86Env *env = cpu->env;
    uint64_t v;
    if (n < 0 || n >= X86_GDB_NUM_REGS) {
        return 0;
    } else if (n < X86_GDB_RIP) {
        v = env->regs[n < 8 ? x86_gdb_gpr[n] : n];
    } else if (n == X86_GDB_RIP) {
        v = env->rip;
    } else if (n == X86_GDB_EFLAGS) {
        uint32_t f = (uint32_t)env->rflags;
        memcpy(buf, &f, 4);
        return 4;
    } else if (n < X86_GDB_ST0) {
        uint32_t sel = env->seg[x86_gdb_seg[n - X86_GDB_SEG0]].selector;
        memcpy(buf, &sel, 4);
        return 4;
    } else if (n == X86_GDB_FS_BASE || n == X86_GDB_GS_BASE) {
        v = env->seg[n == X86_GDB_FS_BASE ? X86_SEG_FS : X86_SEG_GS].base;
    } else {
        return x86_cpu_gdb_read_fpu(&env->fpu, buf, n);
    }
    memcpy(buf, &v, 8);
    return 8;
}

/* General registers, rip, eflags and the fs/gs bases; segment selectors would need their
 * descriptors reloaded and the FPU state is not passed back to the accelerator, so writes
 * to those are taken and ignored. */
static int x86_cpu_gdb_write_register(CPUState *cpu, const uint8_t *buf, int n)
{
    X86Env *env = cpu->env;
    uint64_t v = 0;
    if (n < 0 || n >= X86_GDB_NUM_REGS) {
        return 0;
    }
    int size = x86_gdb_reg_size(n);
    memcpy(&v, buf, size < 8 ? size : 8);
    if (n < X86_GDB_RIP) {
        env->regs[n < 8 ? x86_gdb_gpr[n] : n] = v;
    } else if (n == X86_GDB_RIP) {
        env->rip = v;
    } else if (n == X86_GDB_EFLAGS) {
        env->rflags = (env->rflags & ~0xffffffffull) | v;
    } else if (n == X86_GDB_FS_BASE || n == X86_GDB_GS_BASE) {
        env->seg[n == X86_GDB_FS_BASE ? X86_SEG_FS : X86_SEG_GS].base = v;
    } else {
        return size;
    }
    env->regs_dirty = true;
    return size;
}

static const CPUArchOps x86_arch_ops = {
    .name = "x86_64",
    .env_size = sizeof(X86Env),
    .nb_mmu_modes = 1,
    .page_bits = 12,
    .addr_bits = 64,
    .reset = x86_cpu_reset,
    .dump_state = x86_cpu_dump_state,
    .get_pc = x86_cpu_get_pc,
    .set_pc = x86_cpu_set_pc,
    .gdb_num_regs = X86_GDB_NUM_REGS,
    .gdb_read_register = x86_cpu_gdb_read_register,
    .gdb_write_register = x86_cpu_gdb_write_register,
    .gdb_target_xml = x86_cpu_gdb_target_xml,
    .debug_translate = x86_cpu_debug_translate,
};

static const CPUModel x86_model_host = {
    .name = "host",
    .arch = "x86_64",
    .desc = "the host CPU's features as KVM supports them (KVM only)",
    .ops = &x86_arch_ops,
};

const CPUModel *const x86_cpu_models[] = {&x86_model_host, NULL};
