/*
 * tests/unit/cpu/test-cpu.c: the generic CPU layer driven by the toy guest: generated
 * code results, chaining, the inline jump cache, self-modifying code, precise faults,
 * MMIO, interrupts from other threads, wfi, single-step and full code-buffer flushes.
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "system/gdbstub.h"
#include "system/main-loop.h"
#include "tests/unit/cpu/toy.h"

#define RAM_SIZE  (1u << 20)
#define MMIO_BASE 0x10000000u

static MemoryRegion *sysmem, *ram;
static AddressSpace *as;
static CPUState *cpu;
static ToyEnv *env;

/* MMIO test device: reads return 0x1234 + offset, writes are recorded. */
typedef struct MmioLog {
    uint64_t addr[16];
    uint64_t val[16];
    unsigned size[16];
    bool was_write[16];
    bool bql_held[16];
    int n;
} MmioLog;
static MmioLog mmio_log;

static uint64_t mmio_read(void *opaque, uint64_t addr, unsigned size)
{
    MmioLog *l = opaque;
    if (l->n < 16) {
        l->addr[l->n] = addr;
        l->size[l->n] = size;
        l->was_write[l->n] = false;
        l->bql_held[l->n] = bql_locked();
        l->n++;
    }
    return 0x1234 + addr;
}

static void mmio_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    MmioLog *l = opaque;
    if (l->n < 16) {
        l->addr[l->n] = addr;
        l->val[l->n] = val;
        l->size[l->n] = size;
        l->was_write[l->n] = true;
        l->bql_held[l->n] = bql_locked();
        l->n++;
    }
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4},
};

static void setup_machine(size_t code_buffer)
{
    if (code_buffer) {
        tcg_accel_set_code_size(code_buffer);
    }
    char *err = NULL;
    ck_assert_int_eq(accel_init("tcg", &err), 0);
    sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    ram = memory_region_new_ram("ram", RAM_SIZE);
    memory_region_add_subregion(sysmem, 0, ram);
    MemoryRegion *io = memory_region_new_io("testdev", 0x1000, &mmio_ops, &mmio_log);
    memory_region_add_subregion(sysmem, MMIO_BASE, io);
    as = address_space_new(sysmem, "cpu-memory");
    cpu_models_add(toy_models);
    cpu = cpu_create("toy1", as, &err);
    ck_assert_msg(cpu != NULL, "%s", err ? err : "");
    env = cpu->env;
}

static void load(uint32_t addr, const uint32_t *code, size_t n)
{
    ck_assert_int_eq(address_space_write(as, addr, code, n * 4), MEMTX_OK);
}

static uint32_t ram_word(uint32_t addr)
{
    uint32_t v;
    memcpy(&v, (uint8_t *)memory_region_get_ram_ptr(ram) + addr, 4);
    return v;
}

/* Runs on this thread until the guest executes HALT. */
static void run_to_halt(void)
{
    for (int i = 0; i < 1000000 && !env->done; i++) {
        cpu_exec(cpu);
    }
    ck_assert_msg(env->done, "guest did not halt (pc=0x%x)", env->pc);
}

#define LI(rd, v)       toy_i(TOY_LI, rd, 0, v)
#define LUI(rd, v)      toy_i(TOY_LUI, rd, 0, v)
#define ORI(rd, rs, v)  toy_i(TOY_ORI, rd, rs, v)
#define ADDI(rd, rs, v) toy_i(TOY_ADDI, rd, rs, v)
#define ADD(rd, rs, rt) toy_r(TOY_ADD, rd, rs, rt)
#define LW(rd, rs, off) toy_i(TOY_LW, rd, rs, off)
#define SW(rd, rs, off) toy_i(TOY_SW, rd, rs, off)
#define BNZ(rs, off)    toy_i(TOY_BNZ, 0, rs, off)
#define J(off)          toy_i(TOY_J, 0, 0, off)
#define JR(rs)          toy_i(TOY_JR, 0, rs, 0)
#define RAISE(n)        toy_i(TOY_RAISE, 0, 0, n)
#define WFI()           toy_i(TOY_WFI, 0, 0, 0)
#define HALT()          toy_i(TOY_HALT, 0, 0, 0)
#define ERET()          toy_i(TOY_ERET, 0, 0, 0)

/* Loads a 32-bit constant in two instructions. */
#define LI32(rd, v) LUI(rd, (int32_t)((uint32_t)(v) >> 16)), ORI(rd, rd, (int32_t)((v)&0xffff))

START_TEST(test_counting_loop_chains)
{
    setup_machine(0);
    /* r2 = 3 * 100000 by a loop: one block that jumps to itself. */
    const uint32_t prog[] = {
        LI32(1, 100000), LI(2, 0),   ADDI(2, 2, 3), /* loop: */
        ADDI(1, 1, -1),  BNZ(1, -3), HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 300000);
    ck_assert_uint_eq(env->regs[1], 0);
    /* Chained: the loop never returns to the dispatcher per iteration. */
    ck_assert_msg(cpu->stats.loop_entries < 20, "loop entered %llu times",
                  (unsigned long long)cpu->stats.loop_entries);
    ck_assert_uint_ge(cpu->stats.chain_patches, 1);
}
END_TEST

START_TEST(test_indirect_jump_inline_cache)
{
    setup_machine(0);
    /* The loop closes through JR: the inline jump-cache lookup must find it. */
    const uint32_t prog[] = {
        LI32(1, 20000), LI(2, 0),  LI32(3, 0x1010),        /* address of "loop" */
        ADDI(2, 2, 1),                                     /* 0x1010 loop: */
        ADDI(1, 1, -1), BNZ(1, 1), HALT(),          JR(3), /* 0x1020 */
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 20000);
    ck_assert_msg(cpu->stats.jc_helper_calls < 10, "jump cache misses: %llu",
                  (unsigned long long)cpu->stats.jc_helper_calls);
    ck_assert_msg(cpu->stats.loop_entries < 20, "loop entered %llu times",
                  (unsigned long long)cpu->stats.loop_entries);
}
END_TEST

START_TEST(test_smc_other_block)
{
    setup_machine(0);
    /* A subroutine at 0x2000 is run, rewritten by a store, and run again. */
    const uint32_t sub[] = {LI(2, 7), JR(15)};
    const uint32_t prog[] = {
        LI32(15, 0x1014),
        LI32(4, 0x2000),
        JR(4),        /* 0x1010: call sub (returns to 0x1014) */
        ADD(6, 2, 0), /* 0x1014: r6 = first result */
        LI32(5, LI(2, 42)),
        SW(5, 4, 0), /* 0x1020: rewrite sub's first instruction */
        LI32(15, 0x1030),
        JR(4),  /* 0x102c: call it again */
        HALT(), /* 0x1030 */
    };
    load(0x2000, sub, 2);
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(env->regs[6], 7);
    ck_assert_uint_eq(env->regs[2], 42);
    ck_assert_uint_eq(ram_word(0x2000), LI(2, 42));
    ck_assert_uint_ge(cpu->stats.tb_invalidations, 1);
}
END_TEST

START_TEST(test_smc_self_modifying_block)
{
    setup_machine(0);
    /* One block stores over an instruction three words ahead of itself. */
    const uint32_t prog[] = {
        LI32(5, LI(2, 42)), /* 0x1000, 0x1004 */
        LI32(4, 0x1018),    /* 0x1008, 0x100c */
        SW(5, 4, 0),        /* 0x1010 */
        ADDI(3, 3, 1),      /* 0x1014: runs exactly once */
        LI(2, 7),           /* 0x1018: replaced before it runs */
        HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 42);
    ck_assert_uint_eq(env->regs[3], 1);
}
END_TEST

START_TEST(test_fault_recovers_pc)
{
    setup_machine(0);
    const uint32_t prog[] = {
        LI(1, 5),       /* 0x1000 */
        LI(2, 6),       /* 0x1004 */
        LUI(3, 0x8000), /* 0x1008: r3 = 0x80000000, unmapped */
        LW(4, 3, 0x10), /* 0x100c: faults */
        LI(5, 9),       /* never runs */
        HALT(),
    };
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->n_excp, 1);
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_FAULT);
    ck_assert_uint_eq(env->epc, 0x100c);
    ck_assert_uint_eq(env->badaddr, 0x80000010);
    ck_assert_uint_eq(env->regs[1], 5);
    ck_assert_uint_eq(env->regs[2], 6);
    ck_assert_uint_eq(env->regs[3], 0x80000000);
    ck_assert_uint_eq(env->regs[5], 0);
}
END_TEST

START_TEST(test_helper_raise_recovers_pc)
{
    setup_machine(0);
    const uint32_t prog[] = {
        LI(1, 11),     /* 0x1000 */
        ADDI(1, 1, 1), /* 0x1004 */
        RAISE(77),     /* 0x1008 */
        LI(1, 99),     HALT(),
    };
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->last_excp, 77);
    ck_assert_uint_eq(env->epc, 0x1008);
    ck_assert_uint_eq(env->regs[1], 12);
}
END_TEST

START_TEST(test_unaligned_fault)
{
    setup_machine(0);
    const uint32_t prog[] = {LI(3, 0x3002), LW(4, 3, 0), HALT()};
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, 3);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_UNALIGNED);
    ck_assert_uint_eq(env->epc, 0x1004);
    ck_assert_uint_eq(env->badaddr, 0x3002);
}
END_TEST

START_TEST(test_mmio_reaches_device)
{
    setup_machine(0);
    memset(&mmio_log, 0, sizeof(mmio_log));
    const uint32_t prog[] = {
        LI32(6, MMIO_BASE), LI32(1, 0xcafe), SW(1, 6, 8),
        LW(2, 6, 0x10),     LI(7, 0x100),    SW(7, 0, 0x4000), /* RAM still works */
        LW(8, 0, 0x4000),   HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_int_eq(mmio_log.n, 2);
    ck_assert(mmio_log.was_write[0]);
    ck_assert_uint_eq(mmio_log.addr[0], 8);
    ck_assert_uint_eq(mmio_log.val[0], 0xcafe);
    ck_assert_uint_eq(mmio_log.size[0], 4);
    ck_assert(mmio_log.bql_held[0]);
    ck_assert(!mmio_log.was_write[1]);
    ck_assert_uint_eq(mmio_log.addr[1], 0x10);
    ck_assert_uint_eq(mmio_log.size[1], 4);
    ck_assert_uint_eq(env->regs[2], 0x1234 + 0x10);
    ck_assert_uint_eq(env->regs[8], 0x100);
    ck_assert_uint_eq(ram_word(0x4000), 0x100);
}
END_TEST

static bool wait_for(volatile uint32_t *flag, int ms)
{
    for (int i = 0; i < ms && !*flag; i++) {
        usleep(1000);
    }
    return *flag != 0;
}

/* Polls COND every millisecond for at most MS of them. A vCPU thread on a loaded host
 * (CI runs two test programs per core) may not run at all for tens of milliseconds, so
 * the tests wait for what the guest did, never for a fixed time. */
#define WAIT_UNTIL(cond, ms)                                   \
    ({                                                         \
        bool ok_ = false;                                      \
        for (int i_ = 0; i_ < (ms) && !(ok_ = (cond)); i_++) { \
            usleep(1000);                                      \
        }                                                      \
        ok_;                                                   \
    })

static uint32_t reg_now(int r)
{
    return __atomic_load_n(&env->regs[r], __ATOMIC_RELAXED);
}

START_TEST(test_interrupt_from_other_thread)
{
    setup_machine(0);
    const uint32_t prog[] = {
        LI(1, 1),
        ADDI(2, 2, 1), /* 0x1004: spin forever */
        J(-2),
    };
    const uint32_t irq_handler[] = {LI(7, 1), HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x900, irq_handler, 2);
    env->ie = 1;
    cpus_start();
    /* Interrupt the spin loop itself, not the vCPU thread before its first block. */
    ck_assert_msg(WAIT_UNTIL(reg_now(2) > 1000, 10000), "the vCPU never ran its loop");
    ck_assert_uint_eq(env->done, 0);
    cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    ck_assert_msg(wait_for(&env->done, 20000), "interrupt not taken");
    cpus_stop_threads();
    ck_assert_uint_eq(env->regs[7], 1);
    ck_assert_uint_eq(env->n_irq, 1);
    ck_assert_uint_gt(env->regs[2], 1000);
    ck_assert_uint_ge(env->irq_epc, 0x1004);
    ck_assert_uint_le(env->irq_epc, 0x1008);
}
END_TEST

START_TEST(test_wfi_sleeps_until_interrupt)
{
    setup_machine(0);
    const uint32_t prog[] = {
        WFI(),
        LI(8, 1),
        HALT(),
    };
    const uint32_t irq_handler[] = {LI(7, 1), ERET()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x900, irq_handler, 2);
    env->ie = 1;
    cpus_start();
    ck_assert_msg(WAIT_UNTIL(__atomic_load_n(&cpu->halted, __ATOMIC_ACQUIRE), 10000),
                  "wfi did not halt the vCPU");
    ck_assert_uint_eq(env->regs[8], 0);
    uint64_t entries = cpu->stats.loop_entries;
    usleep(20000);
    ck_assert_uint_eq(cpu->stats.loop_entries, entries); /* asleep, not spinning */
    cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    ck_assert_msg(wait_for(&env->done, 20000), "wfi never woke up");
    cpus_stop_threads();
    ck_assert_uint_eq(env->regs[7], 1);
    ck_assert_uint_eq(env->regs[8], 1);
    ck_assert_uint_eq(env->irq_epc, 0x1004);
}
END_TEST

START_TEST(test_single_step)
{
    setup_machine(0);
    const uint32_t prog[] = {LI(1, 1), LI(2, 2), ADD(3, 1, 2), LI(4, 4), HALT()};
    load(0x1000, prog, 5);
    cpu_single_step(cpu, true);
    for (int i = 0; i < 4; i++) {
        ck_assert_uint_eq(env->pc, 0x1000 + 4 * i);
        ck_assert_int_eq(cpu_exec(cpu), EXCP_DEBUG);
        ck_assert_uint_eq(env->pc, 0x1000 + 4 * (i + 1));
    }
    ck_assert_uint_eq(env->regs[3], 3);
    ck_assert_uint_eq(env->regs[4], 4);
    ck_assert_uint_eq(cpu->stats.tbs_translated, 4);
    ck_assert_uint_eq(cpu->stats.chain_patches, 0);
}
END_TEST

START_TEST(test_global_singlestep_mode)
{
    tcg_singlestep = true;
    setup_machine(0);
    const uint32_t prog[] = {
        LI(1, 50), LI(2, 0), ADDI(2, 2, 2), ADDI(1, 1, -1), BNZ(1, -3), HALT(),
    };
    load(0x1000, prog, 6);
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 100);
    /* One block per instruction. */
    ck_assert_uint_eq(cpu->stats.tbs_translated, 6);
}
END_TEST

START_TEST(test_full_buffer_flush)
{
    /* N blocks of "addi; j next", run 3 times, exceed the small buffer several times. */
    setup_machine(256 << 10);
    enum { N = 4096 };
    uint32_t *code = calloc(2 * N + 8, 4);
    int k = 0;
    code[k++] = LI(1, 3);
    code[k++] = LI(2, 0);
    uint32_t start = 0x1000 + 4 * k;
    for (int i = 0; i < N; i++) {
        code[k++] = ADDI(2, 2, 1);
        code[k++] = J(0); /* to the next word: a new block each time */
    }
    code[k++] = ADDI(1, 1, -1);
    code[k++] = BNZ(1, 0); /* target fixed below */
    code[k++] = HALT();
    /* BNZ target: pc + 4 + off*4 == start. */
    uint32_t bnz_pc = 0x1000 + 4 * (k - 2);
    code[k - 2] = BNZ(1, (int32_t)(start - bnz_pc - 4) / 4);
    load(0x1000, code, k);
    free(code);
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 3 * N);
    ck_assert_uint_ge(cpu->stats.flushes, 1);
}
END_TEST

START_TEST(test_tlb_flush_page_and_remap)
{
    setup_machine(0);
    /* Loads through the TLB, then the data changes behind the CPU's back via the memory
     * API (as DMA would) and the code is rewritten the same way: both are seen. */
    const uint32_t prog[] = {LW(1, 0, 0x5000), HALT()};
    uint32_t v = 111;
    load(0x1000, prog, 2);
    ck_assert_int_eq(address_space_write(as, 0x5000, &v, 4), MEMTX_OK);
    run_to_halt();
    ck_assert_uint_eq(env->regs[1], 111);

    const uint32_t prog2[] = {LI(1, 222), HALT()};
    load(0x1000, prog2, 2); /* DMA-style write over translated code */
    env->done = 0;
    env->pc = 0x1000;
    cpu->halted = false;
    run_to_halt();
    ck_assert_uint_eq(env->regs[1], 222);
    tlb_flush_page(cpu, 0x5000);
    tlb_flush(cpu);
    env->done = 0;
    env->pc = 0x1000;
    cpu->halted = false;
    run_to_halt();
    ck_assert_uint_eq(env->regs[1], 222);
}
END_TEST

START_TEST(test_pause_resume)
{
    setup_machine(0);
    const uint32_t prog[] = {ADDI(2, 2, 1), J(-2)};
    load(0x1000, prog, 2);
    cpus_start();
    ck_assert(WAIT_UNTIL(reg_now(2) > 0, 10000));
    cpus_pause();
    uint32_t a = env->regs[2];
    usleep(20000);
    ck_assert_uint_eq(env->regs[2], a); /* paused: no progress */
    ck_assert(cpu->stopped);
    cpus_resume();
    ck_assert_msg(WAIT_UNTIL(reg_now(2) > a, 10000), "no progress after resume");
    cpus_stop_threads();
}
END_TEST

START_TEST(test_bad_model_and_accel)
{
    char *err = NULL;
    ck_assert_int_eq(accel_init("bogus", &err), -1);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "bogus"));
    free(err);
    err = NULL;
    /* No KVM library in this test: plain kvm fails clearly, kvm:tcg falls back. */
    ck_assert_int_eq(accel_init("kvm", &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "kvm"));
    free(err);
    err = NULL;
    ck_assert_int_eq(accel_init("kvm:tcg", &err), 0);
    ck_assert_str_eq(accel_current()->name, "tcg");
    ck_assert_int_eq(accel_init("tcg", &err), 0);
    MemoryRegion *m = memory_region_new_container("system", 1 << 20);
    AddressSpace *a = address_space_new(m, "x");
    ck_assert_ptr_null(cpu_create("no-such-cpu", a, &err));
    ck_assert_ptr_nonnull(strstr(err, "no-such-cpu"));
    free(err);
}
END_TEST

/* Runs from pc on this thread until HALT. */
static void run_at(uint32_t pc)
{
    env->pc = pc;
    env->done = 0;
    cpu->halted = false;
    run_to_halt();
}

/* Halfword-aligned code so that one instruction straddles two pages. */
static void load_halfword_aligned(uint32_t addr, const uint32_t *code, size_t n)
{
    ck_assert_int_eq(address_space_write(as, addr, code, n * 4), MEMTX_OK);
}

START_TEST(test_block_on_two_pages_smc)
{
    setup_machine(0);
    /* 0x2ff6, 0x2ffa, 0x2ffe (crosses into 0x3000), 0x3002 */
    const uint32_t code[] = {LI(1, 1), LI(2, 2), LI(3, 3), HALT()};
    load_halfword_aligned(0x2ff6, code, 4);
    run_at(0x2ff6);
    ck_assert_uint_eq(env->regs[3], 3);

    /* A guest store to the SECOND page turns "li r3,3" into "li r5,3". */
    uint32_t word = (LI(5, 3) >> 16) | ((HALT() & 0xffff) << 16);
    const uint32_t patch[] = {LI32(7, 0x3000), LI32(6, word), SW(6, 7, 0), HALT()};
    load(0x1000, patch, sizeof(patch) / 4);
    run_at(0x1000);
    memset(env->regs, 0, sizeof(env->regs));
    run_at(0x2ff6);
    ck_assert_uint_eq(env->regs[5], 3);
    ck_assert_uint_eq(env->regs[3], 0);
    ck_assert_uint_eq(env->regs[2], 2);
}
END_TEST

START_TEST(test_fetch_fault_on_second_page)
{
    setup_machine(0);
    const uint32_t code[] = {LI(1, 1), LI(2, 2), LI(3, 3), HALT()};
    const uint32_t handler[] = {HALT()};
    load_halfword_aligned(0x2ff6, code, 4);
    load(0x800, handler, 1);
    env->hole = 0x3000;
    run_at(0x2ff6);
    /* The instructions before the straddling one ran; it faulted as itself. */
    ck_assert_uint_eq(env->n_excp, 1);
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_FAULT);
    ck_assert_uint_eq(env->epc, 0x2ffe);
    ck_assert_uint_eq(env->badaddr, 0x3000);
    ck_assert_uint_eq(env->regs[1], 1);
    ck_assert_uint_eq(env->regs[2], 2);
    ck_assert_uint_eq(env->regs[3], 0);
}
END_TEST

START_TEST(test_two_cpus_with_flushes)
{
    setup_machine(128 << 10);
    char *err = NULL;
    CPUState *cpu1 = cpu_create("toy1", as, &err);
    ck_assert_ptr_nonnull(cpu1);
    ToyEnv *env1 = cpu1->env;

    /* cpu0: many small blocks (forces flushes); cpu1: a long chained counting loop. */
    enum { N = 2048 };
    uint32_t *code = calloc(2 * N + 8, 4);
    int k = 0;
    code[k++] = LI(1, 4);
    code[k++] = LI(2, 0);
    uint32_t start = 0x1000 + 4 * k;
    for (int i = 0; i < N; i++) {
        code[k++] = ADDI(2, 2, 1);
        code[k++] = J(0);
    }
    code[k++] = ADDI(1, 1, -1);
    uint32_t bnz_pc = 0x1000 + 4 * k;
    code[k++] = BNZ(1, (int32_t)(start - bnz_pc - 4) / 4);
    code[k++] = HALT();
    load(0x1000, code, k);
    free(code);
    const uint32_t loop[] = {
        LI32(1, 3000000), LI(2, 0), ADDI(2, 2, 2), ADDI(1, 1, -1), BNZ(1, -3), HALT(),
    };
    load(0x40000, loop, sizeof(loop) / 4);
    env1->pc = 0x40000;

    cpus_start();
    ck_assert_msg(wait_for(&env->done, 20000), "cpu0 did not finish");
    ck_assert_msg(wait_for(&env1->done, 20000), "cpu1 did not finish");
    cpus_stop_threads();
    ck_assert_uint_eq(env->regs[2], 4 * N);
    ck_assert_uint_eq(env1->regs[2], 6000000);
    ck_assert_uint_ge(cpu->stats.flushes, 1);
}
END_TEST

START_TEST(test_logging)
{
    char path[] = "/tmp/mimic-cpu-log-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    char *err = NULL;
    ck_assert(log_set_file(path, &err));
    ck_assert(log_set_items("in_asm,op,op_opt,out_asm,exec,cpu,int,nochain", &err));
    setup_machine(0);
    const uint32_t prog[] = {LI(1, 5), RAISE(77)};
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, 2);
    load(0x800, handler, 1);
    run_to_halt();
    fflush(log_file());
    gchar *text = NULL;
    ck_assert(g_file_get_contents(path, &text, NULL, NULL));
    unlink(path);
    ck_assert_msg(strstr(text, "IN:") != NULL, "no in_asm");
    ck_assert_msg(strstr(text, "OP:") != NULL, "no op");
    ck_assert_msg(strstr(text, "OUT:") != NULL, "no out_asm");
    ck_assert_msg(strstr(text, "Trace 0:") != NULL, "no exec");
    ck_assert_msg(strstr(text, "r15=") != NULL, "no cpu dump");
    ck_assert_msg(strstr(text, "exception 77 at pc=0x1004") != NULL, "no int log");
    g_free(text);
}
END_TEST

START_TEST(test_debug_memory_access)
{
    setup_machine(0);
    uint8_t buf[16] = "mimic debug io!";
    ck_assert(cpu_memory_rw_debug(cpu, 0x4ff8, buf, sizeof(buf), true));
    uint8_t back[16] = {0};
    ck_assert(cpu_memory_rw_debug(cpu, 0x4ff8, back, sizeof(back), false));
    ck_assert_mem_eq(back, buf, sizeof(buf));
    ck_assert(!cpu_memory_rw_debug(cpu, 0x90000000u, back, 4, false));
}
END_TEST

#define LWBE(rd, rs, off) toy_i(TOY_LWBE, rd, rs, off)
#define SWBE(rd, rs, off) toy_i(TOY_SWBE, rd, rs, off)
#define HLW(rd, rs, off)  toy_i(TOY_HLW, rd, rs, off)

START_TEST(test_big_endian_and_page_crossing_access)
{
    setup_machine(0);
    memset(&mmio_log, 0, sizeof(mmio_log));
    const uint32_t prog[] = {
        LI32(1, 0x11223344),
        LI32(3, 0x4ffe),
        SWBE(1, 3, 0), /* bytes 11 22 | 33 44 across the 0x5000 page boundary */
        LWBE(2, 3, 0),
        LW(4, 0, 0x5000), /* little-endian view of 33 44 xx xx */
        SW(1, 0, 0x6000),
        LWBE(5, 0, 0x6000),
        LI32(6, MMIO_BASE),
        LWBE(7, 6, 0x10), /* a little-endian device read big-endian */
        HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    uint8_t *mem = memory_region_get_ram_ptr(ram);
    ck_assert_uint_eq(mem[0x4ffe], 0x11);
    ck_assert_uint_eq(mem[0x4fff], 0x22);
    ck_assert_uint_eq(mem[0x5000], 0x33);
    ck_assert_uint_eq(mem[0x5001], 0x44);
    ck_assert_uint_eq(env->regs[2], 0x11223344);
    ck_assert_uint_eq(env->regs[4] & 0xffff, 0x4433);
    ck_assert_uint_eq(env->regs[5], 0x44332211);
    ck_assert_uint_eq(env->regs[7], __builtin_bswap32(0x1234 + 0x10));
}
END_TEST

START_TEST(test_helper_loads_and_faults)
{
    setup_machine(0);
    uint32_t v = 0xfeedbeef;
    ck_assert_int_eq(address_space_write(as, 0x6004, &v, 4), MEMTX_OK);
    const uint32_t prog[] = {
        LI32(3, 0x6000), HLW(1, 3, 4), /* 0x1008 */
        LUI(3, 0x8000),                /* 0x100c */
        HLW(2, 3, 0),                  /* 0x1010: faults inside the helper */
        LI(5, 1),        HALT(),
    };
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->regs[1], 0xfeedbeef);
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_FAULT);
    ck_assert_uint_eq(env->epc, 0x1010);
    ck_assert_uint_eq(env->regs[5], 0);
}
END_TEST

START_TEST(test_rom_and_memory_map_changes)
{
    setup_machine(0);
    /* ROM at 0x80000 holding code and data: it runs, and guest writes to it vanish. */
    MemoryRegion *rom = memory_region_new_rom("rom", 0x1000);
    uint32_t romcode[] = {LI32(6, 0x80100), LW(1, 6, 0), LI(2, 5), SW(2, 6, 0),
                          LW(3, 6, 0),      HALT(),      0};
    memory_region_add_subregion(sysmem, 0x80000, rom);
    ck_assert_int_eq(address_space_write_rom(as, 0x80000, romcode, sizeof(romcode)), MEMTX_OK);
    uint32_t data = 0xabcd;
    ck_assert_int_eq(address_space_write_rom(as, 0x80100, &data, 4), MEMTX_OK);
    run_at(0x80000);
    ck_assert_uint_eq(env->regs[1], 0xabcd);
    ck_assert_uint_eq(env->regs[3], 0xabcd);

    /* Moving the device: the TLB must forget the old mapping. */
    const uint32_t prog[] = {LI32(6, MMIO_BASE), LW(1, 6, 0x10), HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    run_at(0x1000);
    ck_assert_uint_eq(env->regs[1], 0x1234 + 0x10);
    MemoryRegionSection sec = address_space_lookup(as, MMIO_BASE);
    ck_assert_ptr_nonnull(sec.mr);
    memory_region_set_address(sec.mr, MMIO_BASE + 0x2000);
    const uint32_t handler[] = {HALT()};
    load(0x800, handler, 1);
    env->regs[1] = env->regs[2] = 0;
    run_at(0x1000);
    /* The old address now holds nothing (bus error), the new one the device. */
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_BUS);
    ck_assert_uint_eq(env->badaddr, MMIO_BASE + 0x10);
    ck_assert_uint_eq(env->regs[1], 0);
    const uint32_t prog2[] = {LI32(6, MMIO_BASE), LW(2, 6, 0x2010), HALT()};
    load(0x1000, prog2, sizeof(prog2) / 4);
    run_at(0x1000);
    ck_assert_uint_eq(env->regs[2], 0x1234 + 0x10);
}
END_TEST

START_TEST(test_reset_while_running)
{
    setup_machine(0);
    const uint32_t prog[] = {ADDI(2, 2, 1), J(-2)};
    load(0x1000, prog, 2);
    cpus_start();
    ck_assert(WAIT_UNTIL(reg_now(2) > 0, 10000));
    cpus_reset(); /* while running: pauses, resets, resumes */
    ck_assert(!cpus_paused());
    cpus_pause();
    env->pc = 0x3000; /* somewhere else entirely */
    env->regs[2] = 12345;
    cpus_reset(); /* while paused: stays paused */
    ck_assert(cpus_paused());
    ck_assert_uint_eq(env->pc, 0x1000);
    ck_assert_uint_eq(env->regs[2], 0);
    cpus_resume();
    ck_assert_msg(WAIT_UNTIL(reg_now(2) > 0, 10000), "no progress after the reset");
    cpus_stop_threads();
}
END_TEST

static bool wait_stopped(CPUState *c, int ms)
{
    for (int i = 0; i < ms && !c->stopped; i++) {
        usleep(1000);
    }
    return c->stopped;
}

START_TEST(test_gdb_target)
{
    main_loop_init(); /* gdb stop reports go to the main loop */
    bql_unlock();
    setup_machine(0);
    const GdbTarget *t = cpu_gdb_target_get();
    ck_assert_int_eq(t->num_cpus, 1);
    const uint32_t prog[] = {
        LI(1, 10),     /* 0x1000 */
        LI(2, 20),     /* 0x1004 */
        ADD(3, 1, 2),  /* 0x1008: breakpoint */
        ADDI(3, 3, 1), /* 0x100c */
        HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);

    uint8_t regs[17 * 4];
    ck_assert_int_eq(t->read_registers(t->opaque, 0, regs, sizeof(regs)), 68);
    uint32_t pc;
    memcpy(&pc, regs + 64, 4);
    ck_assert_uint_eq(pc, 0x1000);

    ck_assert(t->insert_breakpoint(t->opaque, GDB_BREAKPOINT_SW, 0x1008, 4));
    cpus_start();
    ck_assert_msg(wait_stopped(cpu, 20000), "breakpoint not hit");
    ck_assert_uint_eq(env->pc, 0x1008);
    ck_assert_uint_eq(env->regs[2], 20);
    ck_assert_uint_eq(env->regs[3], 0);

    /* Step over it as gdb does: remove, step one instruction, continue. */
    ck_assert(t->remove_breakpoint(t->opaque, GDB_BREAKPOINT_SW, 0x1008, 4));
    cpu->stopped = false;
    t->step(t->opaque, 0);
    ck_assert_msg(wait_stopped(cpu, 20000), "step did not stop");
    ck_assert_uint_eq(env->pc, 0x100c);
    ck_assert_uint_eq(env->regs[3], 30);

    uint8_t four[4];
    ck_assert(t->read_memory(t->opaque, 0, 0x1008, four, 4));
    uint32_t insn;
    memcpy(&insn, four, 4);
    ck_assert_uint_eq(insn, ADD(3, 1, 2));
    uint8_t r3[4] = {100, 0, 0, 0};
    ck_assert(t->write_register(t->opaque, 0, 3, r3, 4));

    t->cont(t->opaque);
    ck_assert(wait_for(&env->done, 20000));
    cpus_stop_threads();
    ck_assert_uint_eq(env->regs[3], 101);
}
END_TEST

START_TEST(test_masked_interrupt_keeps_chaining)
{
    setup_machine(0);
    const uint32_t prog[] = {
        LI32(1, 100000), LI(2, 0), ADDI(2, 2, 3), ADDI(1, 1, -1), BNZ(1, -3), HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    env->ie = 0;
    cpu_interrupt(cpu, CPU_INTERRUPT_HARD); /* pending but masked for the whole run */
    run_to_halt();
    ck_assert_uint_eq(env->regs[2], 300000);
    ck_assert_uint_eq(env->n_irq, 0);
    ck_assert_msg(cpu->stats.loop_entries < 20, "loop entered %llu times",
                  (unsigned long long)cpu->stats.loop_entries);
}
END_TEST

START_TEST(test_data_on_code_page)
{
    setup_machine(0);
    /* A loop keeps a counter in memory on its own code page: stores there must take the
     * slow path (the page holds code) without invalidating or leaving the loop. */
    const uint32_t prog[] = {
        LI32(1, 10000), LI32(3, 0x1800), LW(4, 3, 0), ADDI(4, 4, 1),
        SW(4, 3, 0),    ADDI(1, 1, -1),  BNZ(1, -5),  HALT(),
    };
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(ram_word(0x1800), 10000);
    ck_assert_uint_eq(cpu->stats.tb_invalidations, 0);
    ck_assert_msg(cpu->stats.loop_entries < 20, "loop entered %llu times",
                  (unsigned long long)cpu->stats.loop_entries);
}
END_TEST

/* Asks the vCPU to leave once its loop has run a while (it may not have started yet). */
static void *exit_later(void *arg)
{
    WAIT_UNTIL(reg_now(2) > 1000, 10000);
    cpu_exit(arg);
    return NULL;
}

START_TEST(test_cpu_exit_returns_from_exec)
{
    setup_machine(0);
    const uint32_t prog[] = {ADDI(2, 2, 1), J(-2)};
    load(0x1000, prog, 2);
    pthread_t t;
    pthread_create(&t, NULL, exit_later, cpu);
    ck_assert_int_eq(cpu_exec(cpu), EXCP_INTERRUPT); /* the spin loop is left */
    pthread_join(t, NULL);
    ck_assert_uint_gt(env->regs[2], 1000);
    ck_assert(env->pc == 0x1000 || env->pc == 0x1004);
}
END_TEST

START_TEST(test_bus_error_on_unassigned)
{
    setup_machine(0);
    const uint32_t prog[] = {
        LI(1, 1),    LI32(3, 0x20000000), /* nothing there */
        LW(4, 3, 8),                      /* 0x100c */
        LI(1, 2),    HALT(),
    };
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_BUS);
    ck_assert_uint_eq(env->epc, 0x100c);
    ck_assert_uint_eq(env->badaddr, 0x20000008);
    ck_assert_uint_eq(env->regs[1], 1);
}
END_TEST

START_TEST(test_fetch_from_nothing_raises)
{
    setup_machine(0);
    const uint32_t prog[] = {LI32(3, 0x20000000), JR(3)};
    const uint32_t handler[] = {HALT()};
    load(0x1000, prog, sizeof(prog) / 4);
    load(0x800, handler, 1);
    run_to_halt();
    ck_assert_uint_eq(env->last_excp, TOY_EXCP_BUS);
    ck_assert_uint_eq(env->epc, 0x20000000);
    ck_assert_uint_eq(env->badaddr, 0x20000000);
}
END_TEST

START_TEST(test_cross_cpu_smc)
{
    setup_machine(0);
    char *err = NULL;
    CPUState *cpu1 = cpu_create("toy1", as, &err);
    ck_assert_ptr_nonnull(cpu1);
    ToyEnv *env1 = cpu1->env;
    /* cpu0 spins in a chained loop until the instruction at 0x1000 changes. */
    const uint32_t spin[] = {
        LI(5, 0),  /* 0x1000: rewritten to "li r5, 1" by cpu1 */
        BNZ(5, 1), /* 0x1004 */
        J(-3),     /* 0x1008 */
        HALT(),    /* 0x100c */
    };
    /* cpu1 waits a while, then stores the new instruction. */
    const uint32_t writer[] = {
        LI32(1, 200000),   ADDI(1, 1, -1), BNZ(1, -2), LI32(3, 0x1000),
        LI32(4, LI(5, 1)), SW(4, 3, 0),    HALT(),
    };
    load(0x1000, spin, sizeof(spin) / 4);
    load(0x8000, writer, sizeof(writer) / 4);
    env1->pc = 0x8000;
    cpus_start();
    ck_assert_msg(wait_for(&env1->done, 10000), "writer did not finish");
    ck_assert_msg(wait_for(&env->done, 10000), "cpu0 never saw the new code");
    cpus_stop_threads();
    ck_assert_uint_eq(env->regs[5], 1);
}
END_TEST

/* Two vCPUs rewrite and run the same instruction in lockstep, thousands of times: every
 * rewrite lands while the runner is spinning through, leaving or retranslating that code,
 * so a block translated from the old bytes and kept after the store would stall it. */
START_TEST(test_cross_cpu_smc_rounds)
{
    enum { ROUNDS = 3000 };
    setup_machine(0);
    char *err = NULL;
    CPUState *cpu1 = cpu_create("toy1", as, &err);
    ck_assert_ptr_nonnull(cpu1);
    ToyEnv *env1 = cpu1->env;
    /* cpu0: spin until 0x1000 loads the round number, acknowledge it at 0x2000. */
    const uint32_t runner[] = {
        LI(5, 0),     /* 0x1000: rewritten to "li r5, k" */
        ADD(7, 5, 8), /* r8 = -k */
        BNZ(7, -3),   /* not yet: again */
        SW(5, 9, 0),  /* 0x100c: ack = k */
        ADDI(8, 8, -1), ADDI(10, 10, -1), BNZ(10, -7), HALT(),
    };
    /* cpu1: write "li r5, 0x7fff" and at once "li r5, k" (the second store tends to land
     * while cpu0 translates after the first), wait for the ack, next k. */
    const uint32_t writer[] = {
        ADD(4, 11, 1),                 /* 0x8000: r11 = "li r5, 0", r1 = k */
        SW(15, 3, 0),                  /* r15 = "li r5, 0x7fff" */
        SW(4, 3, 0),     LW(12, 9, 0), /* 0x800c: wait */
        ADD(13, 12, 14),               /* r14 = -k */
        BNZ(13, -3),     ADDI(1, 1, 1), ADDI(14, 14, -1), ADDI(10, 10, -1), BNZ(10, -10), HALT(),
    };
    load(0x1000, runner, sizeof(runner) / 4);
    load(0x8000, writer, sizeof(writer) / 4);
    env->regs[8] = (uint32_t)-1;
    env->regs[9] = 0x2000;
    env->regs[10] = ROUNDS;
    env1->pc = 0x8000;
    env1->regs[1] = 1;
    env1->regs[3] = 0x1000;
    env1->regs[9] = 0x2000;
    env1->regs[10] = ROUNDS;
    env1->regs[11] = LI(5, 0);
    env1->regs[14] = (uint32_t)-1;
    env1->regs[15] = LI(5, 0x7fff);
    cpus_start();
    bool done = wait_for(&env->done, 30000) && wait_for(&env1->done, 1000);
    cpus_stop_threads();
    ck_assert_msg(done, "stalled in round %u: cpu0 runs a block of the old code",
                  ram_word(0x2000) + 1);
    ck_assert_uint_eq(ram_word(0x2000), ROUNDS);
    ck_assert_uint_eq(env->regs[5], ROUNDS);
}
END_TEST

START_TEST(test_jump_cache_sees_mode_change)
{
    setup_machine(0);
    /* The same code at 0x2000 translates differently per mode: an indirect jump right
     * after a mode switch must not reuse the block of the old mode from the jump cache. */
    const uint32_t sub[] = {LI(2, 7), JR(15)};
    const uint32_t prog[] = {
        LI32(3, 0x2000),
        LI32(15, 0x1014),
        JR(3),        /* 0x1010 */
        ADD(6, 2, 0), /* 0x1014 */
        LI32(15, 0x1028),
        toy_i(TOY_SETMODE, 0, 0, 1), /* 0x1020 */
        JR(3),                       /* 0x1024 */
        HALT(),                      /* 0x1028 */
    };
    load(0x2000, sub, 2);
    load(0x1000, prog, sizeof(prog) / 4);
    run_to_halt();
    ck_assert_uint_eq(env->regs[6], 7);
    ck_assert_uint_eq(env->mode, 1);
    ck_assert_uint_eq(env->regs[2], 1007);
}
END_TEST

static Suite *cpu_suite(void)
{
    Suite *s = suite_create("cpu");
    TCase *tc = tcase_create("toy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_counting_loop_chains);
    tcase_add_test(tc, test_indirect_jump_inline_cache);
    tcase_add_test(tc, test_smc_other_block);
    tcase_add_test(tc, test_smc_self_modifying_block);
    tcase_add_test(tc, test_fault_recovers_pc);
    tcase_add_test(tc, test_helper_raise_recovers_pc);
    tcase_add_test(tc, test_unaligned_fault);
    tcase_add_test(tc, test_mmio_reaches_device);
    tcase_add_test(tc, test_interrupt_from_other_thread);
    tcase_add_test(tc, test_wfi_sleeps_until_interrupt);
    tcase_add_test(tc, test_single_step);
    tcase_add_test(tc, test_global_singlestep_mode);
    tcase_add_test(tc, test_full_buffer_flush);
    tcase_add_test(tc, test_tlb_flush_page_and_remap);
    tcase_add_test(tc, test_pause_resume);
    tcase_add_test(tc, test_bad_model_and_accel);
    tcase_add_test(tc, test_block_on_two_pages_smc);
    tcase_add_test(tc, test_fetch_fault_on_second_page);
    tcase_add_test(tc, test_two_cpus_with_flushes);
    tcase_add_test(tc, test_logging);
    tcase_add_test(tc, test_debug_memory_access);
    tcase_add_test(tc, test_big_endian_and_page_crossing_access);
    tcase_add_test(tc, test_helper_loads_and_faults);
    tcase_add_test(tc, test_rom_and_memory_map_changes);
    tcase_add_test(tc, test_reset_while_running);
    tcase_add_test(tc, test_gdb_target);
    tcase_add_test(tc, test_masked_interrupt_keeps_chaining);
    tcase_add_test(tc, test_data_on_code_page);
    tcase_add_test(tc, test_cpu_exit_returns_from_exec);
    tcase_add_test(tc, test_bus_error_on_unassigned);
    tcase_add_test(tc, test_fetch_from_nothing_raises);
    tcase_add_test(tc, test_cross_cpu_smc);
    tcase_add_test(tc, test_cross_cpu_smc_rounds);
    tcase_add_test(tc, test_jump_cache_sees_mode_change);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(cpu_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
