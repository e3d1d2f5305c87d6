/*
 * tests/unit/cpu/toy.c: the toy guest's front-end and CPU hooks: a decoder that emits IR
 * through the generic translator loop, exceptions, interrupts and a flat MMU.
 */
#include <inttypes.h>
#include <string.h>

#include "tests/unit/cpu/toy.h"

static TCGv_i32 cpu_regs[16];
static TCGv_i32 cpu_pc;

typedef struct DisasContext {
    DisasContextBase base;
    uint32_t mode;
} DisasContext;

static void toy_translate_init(void)
{
    static const char *const names[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5",  "r6",  "r7",
                                          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    for (int i = 0; i < 16; i++) {
        cpu_regs[i] = tcg_global_mem_new_i32(offsetof(ToyEnv, regs[i]), names[i]);
    }
    cpu_pc = tcg_global_mem_new_i32(offsetof(ToyEnv, pc), "pc");
}

/* ---- Helpers (called from generated code) ---- */

static void helper_raise(void *env, uint32_t excp)
{
    cpu_raise_exception_ra(env_cpu(env), (int)excp, GETPC());
}

static void helper_wfi(void *env)
{
    cpu_halt(env_cpu(env));
}

static void helper_halt(void *env)
{
    ((ToyEnv *)env)->done = 1;
    cpu_halt(env_cpu(env));
}

static uint32_t helper_hlw(void *env, uint32_t addr)
{
    return cpu_ldl_data_ra(env, addr, GETPC());
}

static void helper_eret(void *env)
{
    ToyEnv *e = env;
    e->pc = e->irq_epc;
    e->ie = 1;
}

/* ---- Translator hooks ---- */

static void toy_init_disas_context(DisasContextBase *db, CPUState *cpu)
{
    ((DisasContext *)db)->mode = db->tb->flags;
}

static void toy_insn_start(DisasContextBase *db, CPUState *cpu)
{
    tcg_gen_insn_start(db->pc_next, 0, 0);
}

static void gen_set_pc(DisasContextBase *db, uint64_t pc)
{
    tcg_gen_movi_i32(cpu_pc, (int32_t)pc);
}

static void gen_helper_env_i32(void *fn, uint32_t arg)
{
    tcg_gen_calln(fn, 0, NULL, 2, tcgv_ptr_temp(tcg_env), tcgv_i32_temp(tcg_constant_i32(arg)));
}

static TCGv_i32 gen_addr(int rs, int32_t imm)
{
    TCGv_i32 a = tcg_temp_new_i32();
    tcg_gen_addi_i32(a, cpu_regs[rs], imm);
    return a;
}

static void toy_translate_insn(DisasContextBase *db, CPUState *cpu)
{
    uint64_t pc = db->pc_next;
    uint32_t insn = translator_ldl(db, pc);
    int op = insn >> 26;
    int rd = (insn >> 22) & 15, rs = (insn >> 18) & 15, rt = (insn >> 14) & 15;
    int32_t simm = (int16_t)(insn & 0xffff);
    uint32_t uimm = insn & 0xffff;
    db->pc_next = pc + 4;

    switch (op) {
    case TOY_LI:
        tcg_gen_movi_i32(cpu_regs[rd], ((DisasContext *)db)->mode == 1 ? simm + 1000 : simm);
        break;
    case TOY_SETMODE:
        tcg_gen_st_i32(tcg_constant_i32((int32_t)uimm), tcg_env, offsetof(ToyEnv, mode));
        break;
    case TOY_LUI: tcg_gen_movi_i32(cpu_regs[rd], (int32_t)(uimm << 16)); break;
    case TOY_ORI: tcg_gen_ori_i32(cpu_regs[rd], cpu_regs[rs], (int32_t)uimm); break;
    case TOY_ADD: tcg_gen_add_i32(cpu_regs[rd], cpu_regs[rs], cpu_regs[rt]); break;
    case TOY_SUB: tcg_gen_sub_i32(cpu_regs[rd], cpu_regs[rs], cpu_regs[rt]); break;
    case TOY_ADDI: tcg_gen_addi_i32(cpu_regs[rd], cpu_regs[rs], simm); break;
    case TOY_LW: {
        TCGv_i32 a = gen_addr(rs, simm);
        tcg_gen_qemu_ld_i32(cpu_regs[rd], tcg_addr_i32(a), 0, MO_LEUL | MO_ALIGN);
        break;
    }
    case TOY_SW: {
        TCGv_i32 a = gen_addr(rs, simm);
        tcg_gen_qemu_st_i32(cpu_regs[rd], tcg_addr_i32(a), 0, MO_LEUL | MO_ALIGN);
        break;
    }
    case TOY_LWBE: {
        TCGv_i32 a = gen_addr(rs, simm);
        tcg_gen_qemu_ld_i32(cpu_regs[rd], tcg_addr_i32(a), 0, MO_BEUL);
        break;
    }
    case TOY_SWBE: {
        TCGv_i32 a = gen_addr(rs, simm);
        tcg_gen_qemu_st_i32(cpu_regs[rd], tcg_addr_i32(a), 0, MO_BEUL);
        break;
    }
    case TOY_HLW: {
        TCGv_i32 a = gen_addr(rs, simm);
        TCGv_i32 v = tcg_temp_new_i32();
        tcg_gen_calln((void *)helper_hlw, 0, tcgv_i32_temp(v), 2, tcgv_ptr_temp(tcg_env),
                      tcgv_i32_temp(a));
        tcg_gen_mov_i32(cpu_regs[rd], v);
        break;
    }
    case TOY_BNZ: {
        TCGLabel *skip = tcg_label_new();
        tcg_gen_brcondi_i32(TCG_COND_EQ, cpu_regs[rs], 0, skip);
        translator_goto_tb(db, 0, pc + 4 + (int64_t)simm * 4);
        tcg_gen_set_label(skip);
        translator_goto_tb(db, 1, pc + 4);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case TOY_J:
        translator_goto_tb(db, 0, pc + 4 + (int64_t)simm * 4);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_JR: {
        TCGv_i32 dest = tcg_temp_new_i32();
        tcg_gen_mov_i32(dest, cpu_regs[rs]);
        tcg_gen_mov_i32(cpu_pc, dest);
        translator_lookup_and_goto_ptr(db, tcg_addr_i32(dest));
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    case TOY_RAISE:
        gen_helper_env_i32((void *)helper_raise, uimm);
        db->is_jmp = DISAS_NORETURN;
        tcg_gen_exit_tb(0);
        break;
    case TOY_WFI:
    case TOY_HALT:
        gen_set_pc(db, pc + 4);
        tcg_gen_calln(op == TOY_WFI ? (void *)helper_wfi : (void *)helper_halt, 0, NULL, 1,
                      tcgv_ptr_temp(tcg_env));
        tcg_gen_exit_tb(0);
        db->is_jmp = DISAS_NORETURN;
        break;
    case TOY_ERET: {
        tcg_gen_calln((void *)helper_eret, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
        TCGv_i32 dest = tcg_temp_new_i32();
        tcg_gen_mov_i32(dest, cpu_pc);
        translator_lookup_and_goto_ptr(db, tcg_addr_i32(dest));
        db->is_jmp = DISAS_NORETURN;
        break;
    }
    default:
        gen_helper_env_i32((void *)helper_raise, TOY_EXCP_ILLEGAL);
        tcg_gen_exit_tb(0);
        db->is_jmp = DISAS_NORETURN;
        break;
    }
}

static void toy_tb_stop(DisasContextBase *db, CPUState *cpu)
{
    if (db->is_jmp == DISAS_TOO_MANY) {
        translator_goto_tb(db, 0, db->pc_next);
    }
}

static const TranslatorOps toy_translator_ops = {
    .init_disas_context = toy_init_disas_context,
    .insn_start = toy_insn_start,
    .translate_insn = toy_translate_insn,
    .tb_stop = toy_tb_stop,
    .gen_set_pc = gen_set_pc,
};

static void toy_gen_code(CPUState *cpu, TranslationBlock *tb, int max_insns)
{
    DisasContext dc;
    memset(&dc, 0, sizeof(dc));
    translator_loop(&toy_translator_ops, &dc.base, cpu, tb, max_insns);
}

/* ---- CPU hooks ---- */

static void toy_reset(CPUState *cpu)
{
    ToyEnv *e = cpu->env;
    memset(e->regs, 0, sizeof(e->regs));
    e->pc = 0x1000;
    e->ie = 0;
    e->evec = 0x800;
    e->ivec = 0x900;
    e->done = 0;
    e->mode = 0;
}

static void toy_get_tb_flags(void *env, uint64_t *pc, uint64_t *cs_base, uint32_t *flags)
{
    *pc = ((ToyEnv *)env)->pc;
    *cs_base = 0;
    *flags = ((ToyEnv *)env)->mode;
}

static int toy_mmu_index(CPUState *cpu, bool ifetch)
{
    return 0;
}

static bool toy_exec_interrupt(CPUState *cpu, unsigned req)
{
    ToyEnv *e = cpu->env;
    if ((req & CPU_INTERRUPT_HARD) && e->ie) {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD);
        e->irq_epc = e->pc;
        e->pc = e->ivec;
        e->ie = 0;
        e->n_irq++;
        return true;
    }
    return false;
}

static void toy_do_interrupt(CPUState *cpu)
{
    ToyEnv *e = cpu->env;
    e->last_excp = (uint32_t)cpu->exception_index;
    e->epc = e->pc;
    e->pc = e->evec;
    e->n_excp++;
}

static bool toy_has_work(CPUState *cpu)
{
    return (cpu->interrupt_request & CPU_INTERRUPT_HARD) != 0;
}

static bool toy_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType type, int mmu_idx,
                         bool probe, uintptr_t retaddr)
{
    ToyEnv *e = cpu->env;
    if (vaddr >= 0x80000000u || (e->hole && (vaddr & ~0xfffu) == e->hole)) {
        if (probe) {
            return false;
        }
        ((ToyEnv *)cpu->env)->badaddr = (uint32_t)vaddr;
        cpu->exception_index = TOY_EXCP_FAULT;
        cpu_loop_exit_restore(cpu, retaddr);
    }
    tlb_set_page(cpu, vaddr, vaddr, PAGE_RWX, mmu_idx, 4096);
    return true;
}

static void toy_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType type, int mmu_idx,
                          uintptr_t retaddr)
{
    ((ToyEnv *)cpu->env)->badaddr = (uint32_t)vaddr;
    cpu_raise_exception_ra(cpu, TOY_EXCP_UNALIGNED, retaddr);
}

static void toy_transaction_failed(CPUState *cpu, uint64_t paddr, uint64_t vaddr, unsigned size,
                                   MMUAccessType type, int mmu_idx, MemTxResult result,
                                   uintptr_t retaddr)
{
    if (result == MEMTX_DECODE_ERROR) {
        ((ToyEnv *)cpu->env)->badaddr = (uint32_t)paddr;
        cpu_raise_exception_ra(cpu, TOY_EXCP_BUS, retaddr);
    }
}

static void toy_restore_state_to_opc(void *env, const uint64_t *words)
{
    ((ToyEnv *)env)->pc = (uint32_t)words[0];
}

static void toy_set_pc(CPUState *cpu, uint64_t pc)
{
    ((ToyEnv *)cpu->env)->pc = (uint32_t)pc;
}

static uint64_t toy_get_pc(CPUState *cpu)
{
    return ((ToyEnv *)cpu->env)->pc;
}

static void toy_dump_state(CPUState *cpu, FILE *f)
{
    ToyEnv *e = cpu->env;
    fprintf(f, "pc=%08" PRIx32 "\n", e->pc);
    for (int i = 0; i < 16; i++) {
        fprintf(f, "r%-2d=%08" PRIx32 "%s", i, e->regs[i], (i % 4 == 3) ? "\n" : " ");
    }
}

/* gdb: r0..r15 then pc, 4 bytes each, little-endian. */
static int toy_gdb_read(CPUState *cpu, uint8_t *buf, int n)
{
    ToyEnv *e = cpu->env;
    uint32_t v = n < 16 ? e->regs[n] : e->pc;
    memcpy(buf, &v, 4);
    return 4;
}

static int toy_gdb_write(CPUState *cpu, const uint8_t *buf, int n)
{
    ToyEnv *e = cpu->env;
    uint32_t v;
    memcpy(&v, buf, 4);
    if (n < 16) {
        e->regs[n] = v;
    } else {
        e->pc = v;
    }
    return 4;
}

const CPUArchOps toy_arch_ops = {
    .name = "toy",
    .env_size = sizeof(ToyEnv),
    .nb_mmu_modes = 1,
    .tb_flags_offset = offsetof(ToyEnv, mode),
    .page_bits = 12,
    .addr_bits = 32,
    .big_endian = false,
    .disas_arch = LOG_DISAS_MIPS32_LE,
    .translate_init = toy_translate_init,
    .gen_code = toy_gen_code,
    .reset = toy_reset,
    .get_tb_flags = toy_get_tb_flags,
    .mmu_index = toy_mmu_index,
    .exec_interrupt = toy_exec_interrupt,
    .do_interrupt = toy_do_interrupt,
    .has_work = toy_has_work,
    .tlb_fill = toy_tlb_fill,
    .do_unaligned_access = toy_unaligned,
    .do_transaction_failed = toy_transaction_failed,
    .restore_state_to_opc = toy_restore_state_to_opc,
    .set_pc = toy_set_pc,
    .get_pc = toy_get_pc,
    .dump_state = toy_dump_state,
    .gdb_num_regs = 17,
    .gdb_read_register = toy_gdb_read,
    .gdb_write_register = toy_gdb_write,
};

static const CPUModel toy_model = {
    .name = "toy1",
    .arch = "toy",
    .desc = "test-only toy CPU",
    .ops = &toy_arch_ops,
};

const CPUModel *const toy_models[] = {&toy_model, NULL};
