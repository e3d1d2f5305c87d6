/* tests/unit/tcg/test-tcg-sys.c: helper calls and global syncing, soft-MMU fast and slow
 * paths, chaining, goto_ptr, the insn_start table, register pressure, the optimizer's
 * visible effects, the op dump and the code buffer. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>

#include "tests/unit/tcg/tcg-test-util.h"

static void setup64(void)
{
    fake_setup(64);
}
static void setup32(void)
{
    fake_setup(32);
}
/* Hosts without MOVBE/BMI2/...: byte swaps with bswap/rol, shifts through cl. */
static void setup64_noext(void)
{
    setenv("MIMIC_TCG_NO_HOST_EXT", "1", 1);
    fake_setup(64);
}
static void teardown_noext(void)
{
    fake_teardown();
    unsetenv("MIMIC_TCG_NO_HOST_EXT");
}

/* ---- helper calls ---- */

static uint64_t h_sum6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

static uint64_t h_sum8(uint64_t a, uint32_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f,
                       uint32_t g, uint64_t h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

static uint32_t h_mix32(uint32_t a, uint32_t b)
{
    return a * 31 + b;
}

/* Reads q0 from env (must have been synced) and writes q1 (must be reloaded). */
static void h_touch(FakeEnv *e)
{
    e->g64[1] = e->g64[0] * 2 + 1;
}

START_TEST(test_helper_calls)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    tcg_gen_insn_start(0, 0, 0);
    /* q0 is changed in registers only, then the helper must see it */
    tcg_gen_addi_i64(G64[0], G64[0], 20);
    TCGv_i64 keep[8];
    for (int i = 0; i < 8; i++) {
        keep[i] = tcg_temp_new_i64();
        tcg_gen_muli_i64(keep[i], G64[3], i + 1);
    }
    tcg_gen_calln(h_touch, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
    tcg_gen_addi_i64(G64[2], G64[1], 1000);
    TCGv_i64 r = tcg_temp_new_i64();
    tcg_gen_calln(h_sum6, TCG_CALL_PURE, tcgv_i64_temp(r), 6, tcgv_i64_temp(keep[0]),
                  tcgv_i64_temp(keep[1]), tcgv_i64_temp(keep[2]), tcgv_i64_temp(G64[0]),
                  tcgv_i64_temp(tcg_constant_i64(-5)), tcgv_i64_temp(keep[7]));
    TCGv_i64 sum = tcg_temp_new_i64();
    tcg_gen_mov_i64(sum, r);
    for (int i = 0; i < 8; i++) {
        tcg_gen_add_i64(sum, sum, keep[i]); /* live across both calls */
    }
    tcg_gen_mov_i64(G64[4], sum);
    TCGv_i32 r32 = tcg_temp_new_i32();
    tcg_gen_calln(h_mix32, TCG_CALL_NO_RWG | TCG_CALL_NO_UNWIND, tcgv_i32_temp(r32), 2,
                  tcgv_i32_temp(G32[0]), tcgv_i32_temp(tcg_constant_i32(7)));
    tcg_gen_mov_i32(G32[1], r32);
    /* a pure call whose result is unused disappears when optimising; harmless otherwise */
    tcg_gen_calln(h_sum6, TCG_CALL_PURE, tcgv_i64_temp(tcg_temp_new_i64()), 6,
                  tcgv_i64_temp(G64[0]), tcgv_i64_temp(G64[0]), tcgv_i64_temp(G64[0]),
                  tcgv_i64_temp(G64[0]), tcgv_i64_temp(G64[0]), tcgv_i64_temp(G64[0]));
    /* eight arguments: two on the stack, one of them an i32 */
    TCGv_i64 r8 = tcg_temp_new_i64();
    tcg_gen_calln(h_sum8, TCG_CALL_PURE, tcgv_i64_temp(r8), 8, tcgv_i64_temp(G64[3]),
                  tcgv_i32_temp(G32[0]), tcgv_i64_temp(keep[1]), tcgv_i64_temp(keep[2]),
                  tcgv_i64_temp(keep[3]), tcgv_i64_temp(keep[4]),
                  tcgv_i32_temp(tcg_constant_i32(-1)), tcgv_i64_temp(keep[7]));
    tcg_gen_mov_i64(G64[5], r8);
    tcg_gen_exit_tb(0);
    gen_ok(&res);

    env->g64[0] = 1;
    env->g64[3] = 10;
    env->g32[0] = 0x10000;
    ck_assert_uint_eq(run(&res), 0);
    ck_assert_uint_eq(env->g64[0], 21);
    ck_assert_uint_eq(env->g64[1], 43);
    ck_assert_uint_eq(env->g64[2], 1043);
    uint64_t want = h_sum6(10, 20, 30, 21, (uint64_t)-5, 80);
    for (int i = 0; i < 8; i++) {
        want += 10 * (i + 1);
    }
    ck_assert_uint_eq(env->g64[4], want);
    ck_assert_uint_eq(env->g32[1], 0x10000u * 31 + 7);
    ck_assert_uint_eq(env->g64[5], h_sum8(10, 0x10000, 20, 30, 40, 50, 0xffffffffu, 80));
}
END_TEST

/* A helper that leaves generated code with siglongjmp (a guest exception): nothing in
 * the generated frames needs cleanup, and the next execution is normal. */
static sigjmp_buf escape;

static void h_raise(FakeEnv *e)
{
    e->g64[6] = e->g64[0]; /* globals were synced before the call */
    siglongjmp(escape, 1);
}

START_TEST(test_helper_unwinds)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    tcg_gen_insn_start(0x10, 0, 0);
    tcg_gen_addi_i64(G64[0], G64[0], 5);
    TCGLabel *skip = tcg_label_new();
    tcg_gen_brcondi_i64(TCG_COND_EQ, G64[1], 0, skip);
    tcg_gen_calln(h_raise, TCG_CALL_NO_WRITE_GLOBALS, NULL, 1, tcgv_ptr_temp(tcg_env));
    tcg_gen_set_label(skip);
    tcg_gen_addi_i64(G64[2], G64[2], 1);
    tcg_gen_exit_tb(0x77);
    gen_ok(&res);
    for (int i = 0; i < 1000; i++) {
        env->g64[1] = 1;
        if (sigsetjmp(escape, 0) == 0) {
            run(&res);
            ck_abort_msg("helper did not leave");
        }
        ck_assert_uint_eq(env->g64[6], env->g64[0]);
    }
    ck_assert_uint_eq(env->g64[0], 5000);
    ck_assert_uint_eq(env->g64[2], 0);
    env->g64[1] = 0;
    ck_assert_uint_eq(run(&res), 0x77);
    ck_assert_uint_eq(env->g64[2], 1);
}
END_TEST

/* Helpers that do not write globals keep them in registers across the call, but see
 * their current values in env when they may read them. */
static uint64_t h_read_q0(FakeEnv *e)
{
    return e->g64[0];
}

START_TEST(test_call_flags)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    TCGv_i64 r = tcg_temp_new_i64();
    tcg_gen_calln(h_read_q0, TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_UNWIND, tcgv_i64_temp(r), 1,
                  tcgv_ptr_temp(tcg_env));
    tcg_gen_mov_i64(G64[1], r);
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    tcg_gen_calln(h_read_q0, TCG_CALL_NO_WRITE_GLOBALS | TCG_CALL_NO_UNWIND, tcgv_i64_temp(r), 1,
                  tcgv_ptr_temp(tcg_env));
    tcg_gen_mov_i64(G64[2], r);
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    env->g64[0] = 40;
    run(&res);
    ck_assert_uint_eq(env->g64[0], 42);
    ck_assert_uint_eq(env->g64[1], 41);
    ck_assert_uint_eq(env->g64[2], 42);
}
END_TEST

/* ---- soft-MMU ---- */

#define GUEST_BASE 0x40000000ull

static const MemOp memops[] = {
    MO_UB,   MO_SB,   MO_LEUW, MO_LESW, MO_LEUL, MO_LESL,
    MO_LEUQ, MO_BEUW, MO_BESW, MO_BEUL, MO_BESL, MO_BEUQ,
};

static uint64_t ref_load(const uint8_t *p, MemOp mop, int bits)
{
    int size = 1 << (mop & MO_SIZE);
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        int k = (mop & MO_BSWAP) ? i : size - 1 - i;
        v = v << 8 | p[k];
    }
    if ((mop & MO_SIGN) && size < 8 && (v >> (size * 8 - 1)) & 1) {
        v |= ~0ull << (size * 8);
    }
    return bits == 32 ? (uint32_t)v : v;
}

static void gen_addr_ld(int bits_addr, int type_bits, MemOp mop, int mmu)
{
    if (bits_addr == 64) {
        if (type_bits == 64) {
            tcg_gen_qemu_ld_i64(G64[2], tcg_addr_i64(G64[0]), mmu, mop);
        } else {
            tcg_gen_qemu_ld_i32(G32[2], tcg_addr_i64(G64[0]), mmu, mop);
        }
    } else {
        /* 32-bit guest: form the address with i32 arithmetic that wraps */
        TCGv_i32 a = tcg_temp_new_i32();
        tcg_gen_add_i32(a, G32[0], G32[1]);
        if (type_bits == 64) {
            tcg_gen_qemu_ld_i64(G64[2], tcg_addr_i32(a), mmu, mop);
        } else {
            tcg_gen_qemu_ld_i32(G32[2], tcg_addr_i32(a), mmu, mop);
        }
    }
}

static void gen_addr_st(int bits_addr, int type_bits, MemOp mop, int mmu)
{
    if (bits_addr == 64) {
        if (type_bits == 64) {
            tcg_gen_qemu_st_i64(G64[1], tcg_addr_i64(G64[0]), mmu, mop);
        } else {
            tcg_gen_qemu_st_i32(G32[3], tcg_addr_i64(G64[0]), mmu, mop);
        }
    } else {
        TCGv_i32 a = tcg_temp_new_i32();
        tcg_gen_add_i32(a, G32[0], G32[1]);
        if (type_bits == 64) {
            tcg_gen_qemu_st_i64(G64[1], tcg_addr_i32(a), mmu, mop);
        } else {
            tcg_gen_qemu_st_i32(G32[3], tcg_addr_i32(a), mmu, mop);
        }
    }
}

static void set_addr(int bits_addr, uint64_t addr)
{
    env->g64[0] = addr;
    /* 32-bit guests: w0 + w1 wraps to addr */
    env->g32[0] = 0xfffff000u;
    env->g32[1] = (uint32_t)addr + 0x1000u;
}

static void mmu_sweep(int bits_addr)
{
    TCGCodeResult res;
    uint64_t base = bits_addr == 64 ? GUEST_BASE : 0x40000000u;
    fake_map_pages(base, 4);
    for (int i = 0; i < 4 * 4096; i++) {
        fake_ram[i] = (uint8_t)(i * 7 + 3);
    }
    for (int opt = 0; opt < 2; opt++) {
        tcg_context_set_optimize(ctx, opt);
        for (size_t m = 0; m < sizeof(memops) / sizeof(memops[0]); m++) {
            MemOp mop = memops[m];
            for (int tb = 32; tb <= 64; tb += 32) {
                if (tb == 32 && (mop & MO_SIZE) == MO_64) {
                    continue;
                }
                int mmu = (int)(m & 1);
                /* load hit */
                tcg_func_start(ctx);
                tcg_gen_insn_start(0x1234, 0, 0);
                gen_addr_ld(bits_addr, tb, mop, mmu);
                tcg_gen_exit_tb(0);
                gen_ok(&res);
                static const uint32_t offs[] = {0, 1, 0x100, 0xffe, 0x1008, 0x2ff0};
                for (int k = 0; k < 6; k++) {
                    uint32_t off = offs[k];
                    if (off % 4096 + (1u << (mop & MO_SIZE)) > 4096) {
                        continue; /* page crossing: slow path, tested below */
                    }
                    set_addr(bits_addr, base + off);
                    env->n_ld_slow = 0;
                    run(&res);
                    uint64_t got = tb == 64 ? env->g64[2] : env->g32[2];
                    ck_assert_msg(env->n_ld_slow == 0, "unexpected slow path");
                    ck_assert_msg(got == ref_load(fake_ram + off, mop, tb),
                                  "ld memop=0x%x i%d off=0x%x: got 0x%llx", mop, tb, off,
                                  (unsigned long long)got);
                }
                /* load miss: unmapped page */
                set_addr(bits_addr, base + 0x10000 + 0x24);
                env->n_ld_slow = 0;
                env->ld_slow_result = 0xa5a5a5a5deadbeefull;
                run(&res);
                ck_assert_int_eq(env->n_ld_slow, 1);
                ck_assert_uint_eq(env->slow_addr[0], base + 0x10024);
                /* the builder drops MO_SIGN when the access fills the value */
                MemOp norm = (mop & MO_SIZE) == (tb == 32 ? MO_32 : MO_64) ? mop & ~MO_SIGN : mop;
                ck_assert_uint_eq(env->slow_oi[0], make_memop_idx(norm, mmu));
                uint64_t words[3];
                ck_assert_int_eq(tcg_find_insn(&res.insns, env->slow_ra[0], words), 0);
                ck_assert_uint_eq(words[0], 0x1234);
                uint64_t got = tb == 64 ? env->g64[2] : env->g32[2];
                ck_assert_uint_eq(got, tb == 64 ? 0xa5a5a5a5deadbeefull : 0xdeadbeefu);

                /* store hit */
                tcg_func_start(ctx);
                tcg_gen_insn_start(0x5678, 0, 0);
                gen_addr_st(bits_addr, tb, mop, mmu);
                tcg_gen_exit_tb(0);
                gen_ok(&res);
                uint64_t val = 0x8877665544332211ull;
                env->g64[1] = val;
                env->g32[3] = (uint32_t)val;
                set_addr(bits_addr, base + 0x2010);
                env->n_st_slow = 0;
                run(&res);
                ck_assert_int_eq(env->n_st_slow, 0);
                int size = 1 << (mop & MO_SIZE);
                for (int i = 0; i < size; i++) {
                    int k = (mop & MO_BSWAP) ? size - 1 - i : i;
                    ck_assert_uint_eq(fake_ram[0x2010 + k], (uint8_t)(val >> (8 * i)));
                }
                /* store miss */
                set_addr(bits_addr, base + 0x20000);
                run(&res);
                ck_assert_int_eq(env->n_st_slow, 1);
                ck_assert_uint_eq(env->slow_addr[0], base + 0x20000);
                ck_assert_uint_eq(env->slow_oi[0], make_memop_idx(mop & ~MO_SIGN, mmu));
                uint64_t vmask = size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
                ck_assert_uint_eq(env->slow_val[0] & vmask, val & vmask);
                ck_assert_int_eq(tcg_find_insn(&res.insns, env->slow_ra[0], words), 0);
                ck_assert_uint_eq(words[0], 0x5678);
            }
        }
        /* alignment: MO_ALIGN on a misaligned address takes the slow path */
        tcg_func_start(ctx);
        gen_addr_ld(bits_addr, 32, MO_LEUL | MO_ALIGN, 0);
        tcg_gen_exit_tb(0);
        gen_ok(&res);
        env->n_ld_slow = 0;
        set_addr(bits_addr, base + 0x102);
        run(&res);
        ck_assert_int_eq(env->n_ld_slow, 1);
        set_addr(bits_addr, base + 0x104);
        run(&res);
        ck_assert_int_eq(env->n_ld_slow, 1);
        ck_assert_uint_eq(env->g32[2], ref_load(fake_ram + 0x104, MO_LEUL, 32));
        /* page crossing without alignment requirement: slow path */
        tcg_func_start(ctx);
        gen_addr_ld(bits_addr, 32, MO_LEUL, 0);
        tcg_gen_exit_tb(0);
        gen_ok(&res);
        env->n_ld_slow = 0;
        set_addr(bits_addr, base + 0xffe);
        run(&res);
        ck_assert_int_eq(env->n_ld_slow, 1);
        set_addr(bits_addr, base + 0xffb);
        run(&res);
        ck_assert_int_eq(env->n_ld_slow, 1);
        ck_assert_uint_eq(env->g32[2], ref_load(fake_ram + 0xffb, MO_LEUL, 32));
        /* a flag bit in the comparator forces the slow path */
        int idx = ((base + 0x3000) >> 12) & (FAKE_TLB_SIZE - 1);
        fake_tlb[0][idx].addr_read |= TCG_TLB_MMIO;
        set_addr(bits_addr, base + 0x3000);
        run(&res);
        ck_assert_int_eq(env->n_ld_slow, 2);
        fake_tlb[0][idx].addr_read &= ~(uint64_t)TCG_TLB_MMIO;
    }
}

START_TEST(test_qemu_ldst_64)
{
    mmu_sweep(64);
}
END_TEST

START_TEST(test_qemu_ldst_32)
{
    mmu_sweep(32);
}
END_TEST

/* Values stay correct in registers around qemu_ld/st (their slow path calls C). */
START_TEST(test_qemu_ldst_live_values)
{
    TCGCodeResult res;
    fake_map_pages(GUEST_BASE, 1);
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    TCGv_i64 t[12];
    for (int i = 0; i < 12; i++) {
        t[i] = tcg_temp_new_i64();
        tcg_gen_addi_i64(t[i], G64[3], i * 1000);
    }
    tcg_gen_qemu_ld_i64(G64[2], tcg_addr_i64(G64[0]), 0, MO_LEUQ);
    tcg_gen_qemu_st_i64(G64[3], tcg_addr_i64(G64[0]), 1, MO_LEUQ);
    TCGv_i64 sum = tcg_temp_new_i64();
    tcg_gen_movi_i64(sum, 0);
    for (int i = 0; i < 12; i++) {
        tcg_gen_add_i64(sum, sum, t[i]);
    }
    tcg_gen_mov_i64(G64[4], sum);
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    for (int miss = 0; miss < 2; miss++) {
        env->g64[0] = miss ? 0x7000000 : GUEST_BASE + 8;
        env->g64[3] = 5;
        env->ld_slow_result = 77;
        memcpy(fake_ram + 8, &(uint64_t){99}, 8);
        run(&res);
        ck_assert_uint_eq(env->g64[4], 12 * 5 + 66000);
        ck_assert_uint_eq(env->g64[2], miss ? 77 : 99);
    }
}
END_TEST

/* ---- chaining, goto_ptr, exits ---- */

static void gen_block_b(TCGCodeResult *res)
{
    tcg_func_start(ctx);
    tcg_gen_addi_i64(G64[1], G64[1], 2);
    tcg_gen_exit_tb(0x2000);
    gen_ok(res);
}

START_TEST(test_goto_tb_chaining)
{
    TCGCodeResult a, b;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(0x1000 | 0);
    gen_ok(&a);
    gen_block_b(&b);
    ck_assert_uint_ne(a.jmp_insn_off[0], TCG_NO_JMP);
    ck_assert_uint_eq(a.jmp_insn_off[1], TCG_NO_JMP);
    uintptr_t jmp = (uintptr_t)a.code_rx + a.jmp_insn_off[0];
    ck_assert_uint_eq((jmp + 1) % 4, 0);
    ck_assert_uint_eq(((const uint8_t *)a.code_rx)[a.jmp_insn_off[0]], 0xe9);

    ck_assert_uint_eq(run(&a), 0x1000);
    ck_assert_uint_eq(env->g64[0], 1);
    ck_assert_uint_eq(env->g64[1], 0);

    tcg_patch_jump(ctx, jmp, (uintptr_t)b.code_rx);
    ck_assert_uint_eq(run(&a), 0x2000);
    ck_assert_uint_eq(env->g64[0], 2);
    ck_assert_uint_eq(env->g64[1], 2);

    tcg_patch_jump(ctx, jmp, (uintptr_t)a.code_rx + a.jmp_reset_off[0]);
    ck_assert_uint_eq(run(&a), 0x1000);
    ck_assert_uint_eq(env->g64[0], 3);
    ck_assert_uint_eq(env->g64[1], 2);
}
END_TEST

START_TEST(test_goto_ptr)
{
    TCGCodeResult a, b;
    tcg_context_set_optimize(ctx, _i);
    gen_block_b(&b);
    /* jump-cache style: if (q5 == key) goto_ptr(env->ptr) else exit_tb(0x3000) */
    tcg_func_start(ctx);
    TCGLabel *miss = tcg_label_new();
    TCGv_i64 key = tcg_temp_new_i64();
    tcg_gen_ld_i64(key, tcg_env, offsetof(FakeEnv, g64) + 5 * 8);
    tcg_gen_brcondi_i64(TCG_COND_NE, key, 42, miss);
    TCGv_ptr p = tcg_temp_new_ptr();
    tcg_gen_ld_ptr(p, tcg_env, offsetof(FakeEnv, ptr));
    tcg_gen_goto_ptr(p);
    tcg_gen_set_label(miss);
    tcg_gen_exit_tb(0x3000);
    gen_ok(&a);

    env->g64[5] = 42;
    env->ptr = (uintptr_t)b.code_rx;
    ck_assert_uint_eq(run(&a), 0x2000);
    ck_assert_uint_eq(env->g64[1], 2);
    env->ptr = 0;
    ck_assert_uint_eq(run(&a), 0);
    env->g64[5] = 1;
    ck_assert_uint_eq(run(&a), 0x3000);
    ck_assert_uint_eq(env->g64[1], 2);
}
END_TEST

/* A block that chains to itself: the loop runs entirely in generated code. */
START_TEST(test_self_chained_loop)
{
    TCGCodeResult l;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    TCGLabel *done = tcg_label_new();
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    tcg_gen_brcond_i64(TCG_COND_GEU, G64[0], G64[1], done);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(0x5000);
    tcg_gen_set_label(done);
    tcg_gen_exit_tb(0x6000);
    gen_ok(&l);
    env->g64[1] = 1000000;
    ck_assert_uint_eq(run(&l), 0x5000);
    ck_assert_uint_eq(env->g64[0], 1);
    tcg_patch_jump(ctx, (uintptr_t)l.code_rx + l.jmp_insn_off[0], (uintptr_t)l.code_rx);
    ck_assert_uint_eq(run(&l), 0x6000);
    ck_assert_uint_eq(env->g64[0], 1000000);
}
END_TEST

/* One thread runs a self-chaining loop while another keeps patching and resetting its
 * jump: the patch is atomic, so the loop only ever sees one of the two targets. */
typedef struct PatchArg {
    uintptr_t jmp, target, reset;
    int stop;
    int patches;
} PatchArg;

static void *patch_thread(void *p)
{
    PatchArg *pa = p;
    while (!__atomic_load_n(&pa->stop, __ATOMIC_RELAXED)) {
        tcg_patch_jump(ctx, pa->jmp, pa->target);
        tcg_patch_jump(ctx, pa->jmp, pa->reset);
        __atomic_fetch_add(&pa->patches, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

START_TEST(test_patch_while_running)
{
    TCGCodeResult l;
    tcg_func_start(ctx);
    TCGLabel *done = tcg_label_new();
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    tcg_gen_brcond_i64(TCG_COND_GEU, G64[0], G64[1], done);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(0x5000);
    tcg_gen_set_label(done);
    tcg_gen_exit_tb(0x6000);
    gen_ok(&l);
    PatchArg pa = {
        .jmp = (uintptr_t)l.code_rx + l.jmp_insn_off[0],
        .target = (uintptr_t)l.code_rx,
        .reset = (uintptr_t)l.code_rx + l.jmp_reset_off[0],
    };
    pthread_t th;
    pthread_create(&th, NULL, patch_thread, &pa);
    while (__atomic_load_n(&pa.patches, __ATOMIC_RELAXED) == 0) {
        sched_yield();
    }
    env->g64[0] = 0;
    env->g64[1] = 2000000;
    int exits = 0;
    uintptr_t r;
    while ((r = run(&l)) == 0x5000) {
        exits++;
    }
    __atomic_store_n(&pa.stop, 1, __ATOMIC_RELAXED);
    pthread_join(th, NULL);
    ck_assert_uint_eq(r, 0x6000);
    ck_assert_uint_eq(env->g64[0], 2000000);
    /* whatever the interleaving, every iteration ran exactly once */
    ck_assert_int_le(exits, 2000000);
}
END_TEST

/* Several threads translate and run at once, each with its own context, sharing the
 * code buffer. */
typedef struct ThreadArg {
    int id;
    int ok;
} ThreadArg;

static void *translate_thread(void *p)
{
    ThreadArg *ta = p;
    TCGConfig cfg = {.guest_addr_bits = 64, .page_bits = 12, .nb_mmu_modes = 1};
    TCGContext *c = tcg_context_new(cbuf, &cfg);
    FakeEnv *e = calloc(1, sizeof(*e));
    ta->ok = 1;
    for (int i = 0; i < 300; i++) {
        tcg_func_start(c);
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_muli_i64(t, G64[0], ta->id + 2);
        tcg_gen_addi_i64(G64[ta->id + 1], t, i);
        tcg_gen_exit_tb(0x100 + i);
        TCGCodeResult res;
        if (tcg_gen_code(c, &res) != 0) {
            ta->ok = 0;
            break;
        }
        e->g64[0] = 7;
        if (tcg_exec(c, e, res.code_rx) != (uintptr_t)(0x100 + i) ||
            e->g64[ta->id + 1] != (uint64_t)(7 * (ta->id + 2) + i)) {
            ta->ok = 0;
            break;
        }
    }
    free(e);
    tcg_context_free(c);
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t th[4];
    ThreadArg ta[4];
    for (int i = 0; i < 4; i++) {
        ta[i].id = i;
        pthread_create(&th[i], NULL, translate_thread, &ta[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(ta[i].ok, 1);
    }
}
END_TEST

/* ---- insn_start table ---- */

static void h_record_ra(FakeEnv *e)
{
    e->helper_ra = (uintptr_t)__builtin_return_address(0);
    /* SysV: rsp is 16-byte aligned at the call, so the frame base is too */
    e->scratch[7] = (uintptr_t)__builtin_frame_address(0) & 15;
}

START_TEST(test_insn_table)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    for (int target = 0; target < 3; target++) {
        tcg_func_start(ctx);
        for (int insn = 0; insn < 3; insn++) {
            tcg_gen_insn_start(0x100 + insn * 4, insn * 10, insn * 100);
            tcg_gen_addi_i64(G64[insn], G64[insn], insn + 1);
            if (insn == target) {
                tcg_gen_calln(h_record_ra, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
            }
            tcg_gen_muli_i64(G64[3], G64[3], 3);
        }
        tcg_gen_exit_tb(0);
        gen_ok(&res);
        ck_assert_uint_eq(res.insns.n_insns, 3);
        env->scratch[7] = 99;
        run(&res);
        ck_assert_uint_eq(env->scratch[7], 0);
        uint64_t words[3];
        TCGInsnTable *copy = tcg_insn_table_dup(&res.insns);
        ck_assert_int_eq(tcg_find_insn(copy, env->helper_ra, words), target);
        ck_assert_uint_eq(words[0], 0x100 + target * 4);
        ck_assert_uint_eq(words[1], target * 10);
        ck_assert_uint_eq(words[2], target * 100);
        ck_assert_int_eq(tcg_find_insn(copy, (uintptr_t)res.code_rx + res.size + 100, words), -1);
        tcg_insn_table_free(copy);
    }
}
END_TEST

/* ---- register pressure and local temps ---- */

START_TEST(test_register_pressure)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    enum { N = 40 };
    tcg_func_start(ctx);
    TCGv_i64 t[N];
    TCGv_i32 u[N];
    for (int i = 0; i < N; i++) {
        t[i] = tcg_temp_new_i64();
        u[i] = tcg_temp_new_i32();
        tcg_gen_muli_i64(t[i], G64[0], i + 1);
        tcg_gen_xori_i64(t[i], t[i], i * 0x1111);
        tcg_gen_addi_i32(u[i], G32[0], i * 3);
    }
    /* a call in the middle forces everything caller-saved out */
    tcg_gen_calln(h_touch, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
    TCGv_i64 acc = tcg_temp_new_i64();
    TCGv_i32 acc32 = tcg_temp_new_i32();
    tcg_gen_movi_i64(acc, 0);
    tcg_gen_movi_i32(acc32, 0);
    for (int i = 0; i < N; i++) {
        if (i & 1) {
            tcg_gen_add_i64(acc, acc, t[i]);
        } else {
            tcg_gen_xor_i64(acc, acc, t[i]);
        }
        tcg_gen_sub_i32(acc32, acc32, u[N - 1 - i]);
        tcg_gen_rotli_i64(acc, acc, 3);
    }
    tcg_gen_mov_i64(G64[2], acc);
    tcg_gen_mov_i32(G32[2], acc32);
    tcg_gen_exit_tb(0);
    gen_ok(&res);

    env->g64[0] = 0x0123456789abcdefull;
    env->g32[0] = 0x55555;
    run(&res);
    uint64_t a = 0;
    uint32_t a32 = 0;
    for (int i = 0; i < N; i++) {
        uint64_t ti = (0x0123456789abcdefull * (uint64_t)(i + 1)) ^ (uint64_t)(i * 0x1111);
        a = (i & 1) ? a + ti : a ^ ti;
        a32 -= 0x55555u + (uint32_t)((N - 1 - i) * 3);
        a = (a << 3) | (a >> 61);
    }
    ck_assert_uint_eq(env->g64[2], a);
    ck_assert_uint_eq(env->g32[2], a32);
    ck_assert_uint_eq(env->g64[1], 0x0123456789abcdefull * 2 + 1);
}
END_TEST

START_TEST(test_local_temps_across_branches)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    TCGv_i64 l = tcg_temp_local_new_i64();
    TCGv_i32 l32 = tcg_temp_local_new_i32();
    TCGLabel *skip = tcg_label_new();
    TCGLabel *loop = tcg_label_new();
    tcg_gen_addi_i64(l, G64[0], 5);
    tcg_gen_movi_i32(l32, 0);
    tcg_gen_brcondi_i64(TCG_COND_EQ, G64[1], 0, skip);
    tcg_gen_muli_i64(l, l, 3);
    tcg_gen_set_label(skip);
    /* a loop: l32 counts to q2 */
    tcg_gen_set_label(loop);
    tcg_gen_addi_i32(l32, l32, 1);
    tcg_gen_add_i64(l, l, G64[3]);
    TCGv_i64 w = tcg_temp_new_i64();
    tcg_gen_extu_i32_i64(w, l32);
    tcg_gen_brcond_i64(TCG_COND_LTU, w, G64[2], loop);
    tcg_gen_mov_i64(G64[4], l);
    tcg_gen_extu_i32_i64(G64[5], l32);
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    for (int taken = 0; taken < 2; taken++) {
        env->g64[0] = 10;
        env->g64[1] = taken;
        env->g64[2] = 7;
        env->g64[3] = 100;
        run(&res);
        ck_assert_uint_eq(env->g64[4], (taken ? 45 : 15) + 700);
        ck_assert_uint_eq(env->g64[5], 7);
    }
}
END_TEST

/* ---- ld/st on env fields ---- */

START_TEST(test_env_ld_st)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    intptr_t sc = offsetof(FakeEnv, scratch);
    TCGv_i32 a = tcg_temp_new_i32();
    TCGv_i64 b = tcg_temp_new_i64();
    tcg_gen_ld8u_i32(a, tcg_env, sc + 0);
    tcg_gen_mov_i32(G32[0], a);
    tcg_gen_ld8s_i32(a, tcg_env, sc + 0);
    tcg_gen_mov_i32(G32[1], a);
    tcg_gen_ld16u_i32(a, tcg_env, sc + 0);
    tcg_gen_mov_i32(G32[2], a);
    tcg_gen_ld16s_i32(a, tcg_env, sc + 0);
    tcg_gen_mov_i32(G32[3], a);
    tcg_gen_ld_i32(a, tcg_env, sc + 0);
    tcg_gen_mov_i32(G32[4], a);
    tcg_gen_ld8s_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[0], b);
    tcg_gen_ld16s_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[1], b);
    tcg_gen_ld32u_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[2], b);
    tcg_gen_ld32s_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[3], b);
    tcg_gen_ld_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[4], b);
    tcg_gen_ld8u_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[5], b);
    tcg_gen_ld16u_i64(b, tcg_env, sc + 0);
    tcg_gen_mov_i64(G64[6], b);
    /* stores, registers and constants */
    tcg_gen_st8_i32(G32[5], tcg_env, sc + 8);
    tcg_gen_st16_i32(G32[5], tcg_env, sc + 10);
    tcg_gen_st_i32(G32[5], tcg_env, sc + 12);
    tcg_gen_st8_i64(G64[7], tcg_env, sc + 16);
    tcg_gen_st16_i64(G64[7], tcg_env, sc + 18);
    tcg_gen_st32_i64(G64[7], tcg_env, sc + 20);
    tcg_gen_st_i64(G64[7], tcg_env, sc + 24);
    tcg_gen_st8_i32(tcg_constant_i32(0x1ab), tcg_env, sc + 32);
    tcg_gen_st16_i32(tcg_constant_i32(0x1abcd), tcg_env, sc + 34);
    tcg_gen_st_i32(tcg_constant_i32(-3), tcg_env, sc + 36);
    tcg_gen_st_i64(tcg_constant_i64(-5), tcg_env, sc + 40);
    tcg_gen_st_i64(tcg_constant_i64(0x123456789abcll), tcg_env, sc + 48);
    /* offsets beyond 32 bits from a base pointer */
    TCGv_ptr far = tcg_temp_new_ptr();
    tcg_gen_addi_ptr(far, tcg_env, -((intptr_t)1 << 33));
    tcg_gen_ld_i64(b, far, ((intptr_t)1 << 33) + sc + 8);
    tcg_gen_st_i64(b, far, ((intptr_t)1 << 33) + sc + 56);
    tcg_gen_st_i64(tcg_constant_i64(77), far, ((intptr_t)1 << 33) + offsetof(FakeEnv, ptr));
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    env->scratch[0] = 0x12345678f0e1d2c3ull;
    env->g32[5] = 0xa1b2c3d4;
    env->g64[7] = 0x1122334455667788ull;
    run(&res);
    ck_assert_uint_eq(env->g32[0], 0xc3);
    ck_assert_uint_eq(env->g32[1], 0xffffffc3);
    ck_assert_uint_eq(env->g32[2], 0xd2c3);
    ck_assert_uint_eq(env->g32[3], 0xffffd2c3);
    ck_assert_uint_eq(env->g32[4], 0xf0e1d2c3);
    ck_assert_uint_eq(env->g64[0], 0xffffffffffffffc3ull);
    ck_assert_uint_eq(env->g64[1], 0xffffffffffffd2c3ull);
    ck_assert_uint_eq(env->g64[2], 0xf0e1d2c3ull);
    ck_assert_uint_eq(env->g64[3], 0xfffffffff0e1d2c3ull);
    ck_assert_uint_eq(env->g64[4], 0x12345678f0e1d2c3ull);
    ck_assert_uint_eq(env->g64[5], 0xc3);
    ck_assert_uint_eq(env->g64[6], 0xd2c3);
    ck_assert_uint_eq(env->scratch[1], 0xa1b2c3d4c3d400d4ull);
    ck_assert_uint_eq(env->scratch[2], 0x5566778877880088ull);
    ck_assert_uint_eq(env->scratch[3], 0x1122334455667788ull);
    ck_assert_uint_eq(env->scratch[4], 0xfffffffdabcd00abull);
    ck_assert_uint_eq(env->scratch[5], (uint64_t)-5);
    ck_assert_uint_eq(env->scratch[6], 0x123456789abcull);
    ck_assert_uint_eq(env->scratch[7], env->scratch[1]);
    ck_assert_uint_eq(env->ptr, 77);
}
END_TEST

/* Front-end mistakes do not produce wild code: a missing exit, an unset label. */
START_TEST(test_front_end_mistakes)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    tcg_func_start(ctx);
    tcg_gen_addi_i64(G64[0], G64[0], 3);
    gen_ok(&res);
    ck_assert_uint_eq(run(&res), 0);
    ck_assert_uint_eq(env->g64[0], 3);

    tcg_func_start(ctx);
    TCGLabel *never = tcg_label_new();
    tcg_gen_brcondi_i64(TCG_COND_EQ, G64[0], 3, never);
    tcg_gen_exit_tb(0);
    ck_assert_int_eq(tcg_gen_code(ctx, &res), -2);
}
END_TEST

START_TEST(test_mb)
{
    TCGCodeResult res;
    tcg_func_start(ctx);
    tcg_gen_mb(TCG_MB_ALL);
    tcg_gen_addi_i64(G64[0], G64[0], 1);
    tcg_gen_mb(TCG_MB_LD_LD);
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    run(&res);
    ck_assert_uint_eq(env->g64[0], 1);
}
END_TEST

/* ---- optimizer effects, dump ---- */

static char *dump_to_string(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tcg_dump_ops(ctx, f);
    fclose(f);
    return buf;
}

START_TEST(test_optimizer_folds)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, true);
    tcg_func_start(ctx);
    tcg_gen_insn_start(0x400000, 0, 0);
    TCGv_i32 t = tcg_temp_new_i32();
    tcg_gen_movi_i32(t, 6);
    tcg_gen_muli_i32(t, t, 7);               /* 42 */
    tcg_gen_addi_i32(G32[0], t, 0);          /* copy of a constant */
    tcg_gen_xor_i32(G32[1], G32[2], G32[2]); /* 0 */
    tcg_gen_addi_i32(G32[3], G32[3], 0);     /* nothing */
    TCGv_i32 dead = tcg_temp_new_i32();
    tcg_gen_mul_i32(dead, G32[4], G32[5]); /* unused */
    TCGLabel *l = tcg_label_new();
    tcg_gen_brcondi_i32(TCG_COND_EQ, t, 42, l); /* always taken */
    tcg_gen_movi_i32(G32[6], 1);
    tcg_gen_set_label(l);
    tcg_gen_exit_tb(0);
    char *before = dump_to_string();
    ck_assert_ptr_nonnull(strstr(before, "mul_i32"));
    ck_assert_ptr_nonnull(strstr(before, "---- 0000000000400000"));
    ck_assert_ptr_nonnull(strstr(before, "brcond_i32"));
    free(before);
    gen_ok(&res);
    char *after = dump_to_string();
    ck_assert_ptr_null(strstr(after, "mul_i32"));
    ck_assert_ptr_null(strstr(after, "brcond_i32"));
    ck_assert_ptr_null(strstr(after, "xor_i32"));
    ck_assert_ptr_nonnull(strstr(after, "mov_i32 w0,$0x2a"));
    free(after);
    ck_assert_uint_lt(res.n_ops_out, res.n_ops_in);
    env->g32[2] = 5;
    env->g32[1] = 9;
    env->g32[3] = 33;
    run(&res);
    ck_assert_uint_eq(env->g32[0], 42);
    ck_assert_uint_eq(env->g32[1], 0);
    ck_assert_uint_eq(env->g32[3], 33);
    ck_assert_uint_eq(env->g32[6], 0);
}
END_TEST

/* ---- code buffer ---- */

START_TEST(test_code_buffer_full_and_flush)
{
    TCGCodeBuffer *small = tcg_code_buffer_new(64 * 1024);
    TCGConfig cfg = {.guest_addr_bits = 64, .page_bits = 12, .nb_mmu_modes = 1};
    TCGContext *c = tcg_context_new(small, &cfg);
    TCGCodeResult res;
    int r = 0, n = 0;
    while (r == 0 && n < 100000) {
        tcg_func_start(c);
        for (int i = 0; i < 50; i++) {
            tcg_gen_addi_i64(G64[i & 7], G64[(i + 1) & 7], i);
        }
        tcg_gen_exit_tb(0);
        r = tcg_gen_code(c, &res);
        n++;
    }
    ck_assert_int_eq(r, -1);
    ck_assert_int_gt(n, 10);
    tcg_code_buffer_flush(c);
    ck_assert_int_eq(tcg_gen_code(c, &res), 0);
    env->g64[1] = 1;
    ck_assert_uint_eq(tcg_exec(c, env, res.code_rx), 0);

    /* big blocks: the buffer runs out in the middle of emitting one */
    tcg_code_buffer_flush(c);
    r = 0;
    n = 0;
    while (r == 0 && n < 100) {
        tcg_func_start(c);
        for (int i = 0; i < 1500; i++) {
            tcg_gen_muli_i64(G64[i & 7], G64[(i + 3) & 7], i | 1);
        }
        tcg_gen_exit_tb(0);
        r = tcg_gen_code(c, &res);
        n++;
    }
    ck_assert_int_eq(r, -1);
    tcg_code_buffer_flush(c);
    ck_assert_int_eq(tcg_gen_code(c, &res), 0); /* the same ops, generated again */
    memset(env->g64, 0, sizeof(env->g64));
    env->g64[0] = 1;
    ck_assert_uint_eq(tcg_exec(c, env, res.code_rx), 0);
    tcg_context_free(c);
    tcg_code_buffer_free(small);
}
END_TEST

/* The code is never writable and executable at once (dual mapping). */
START_TEST(test_wx_mappings)
{
    TCGCodeResult res;
    tcg_func_start(ctx);
    tcg_gen_exit_tb(0);
    gen_ok(&res);
    FILE *f = fopen("/proc/self/maps", "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    int found_rx = 0, wx = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3) {
            continue;
        }
        if (perms[1] == 'w' && perms[2] == 'x') {
            wx++;
        }
        if ((uintptr_t)res.code_rx >= lo && (uintptr_t)res.code_rx < hi) {
            found_rx = 1;
            ck_assert_msg(perms[1] == '-' && perms[2] == 'x', "code mapping is %s", perms);
        }
    }
    fclose(f);
    ck_assert_int_eq(found_rx, 1);
    ck_assert_int_eq(wx, 0);
}
END_TEST

Suite *sys_suite(void)
{
    Suite *s = suite_create("tcg-sys");
    TCase *tc = tcase_create("sys64");
    tcase_add_checked_fixture(tc, setup64, fake_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_helper_calls, 0, 2);
    tcase_add_loop_test(tc, test_helper_unwinds, 0, 2);
    tcase_add_loop_test(tc, test_call_flags, 0, 2);
    tcase_add_test(tc, test_qemu_ldst_64);
    tcase_add_loop_test(tc, test_qemu_ldst_live_values, 0, 2);
    tcase_add_loop_test(tc, test_goto_tb_chaining, 0, 2);
    tcase_add_loop_test(tc, test_goto_ptr, 0, 2);
    tcase_add_loop_test(tc, test_self_chained_loop, 0, 2);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_patch_while_running);
    tcase_add_loop_test(tc, test_insn_table, 0, 2);
    tcase_add_loop_test(tc, test_register_pressure, 0, 2);
    tcase_add_loop_test(tc, test_local_temps_across_branches, 0, 2);
    tcase_add_loop_test(tc, test_env_ld_st, 0, 2);
    tcase_add_test(tc, test_mb);
    tcase_add_loop_test(tc, test_front_end_mistakes, 0, 2);
    tcase_add_test(tc, test_optimizer_folds);
    tcase_add_test(tc, test_code_buffer_full_and_flush);
    tcase_add_test(tc, test_wx_mappings);
    suite_add_tcase(s, tc);
    TCase *tc32 = tcase_create("sys32");
    tcase_add_checked_fixture(tc32, setup32, fake_teardown);
    tcase_set_timeout(tc32, 120);
    tcase_add_test(tc32, test_qemu_ldst_32);
    suite_add_tcase(s, tc32);
    TCase *tcn = tcase_create("sys64-no-host-ext");
    tcase_add_checked_fixture(tcn, setup64_noext, teardown_noext);
    tcase_set_timeout(tcn, 120);
    tcase_add_test(tcn, test_qemu_ldst_64);
    tcase_add_loop_test(tcn, test_qemu_ldst_live_values, 0, 2);
    suite_add_tcase(s, tcn);
    return s;
}
