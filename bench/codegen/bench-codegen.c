/* bench/codegen/bench-codegen.c: translation speed and code density of the tcg back-end:
 * builds representative IR blocks many times and prints host bytes per IR op and the mean
 * translation time per block, with the optimizer on and off. Not a test. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcg/tcg-op.h"

typedef struct BenchEnv {
    uint32_t regs[32];
    uint64_t regs64[16];
    uint32_t flags;
    TCGTLBDesc tlb[2];
} BenchEnv;

static TCGv_i32 R[32];
static TCGv_i64 Q[16];

static uint64_t ld_slow(void *env, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    return 0;
}
static void st_slow(void *env, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra) {}
static uint32_t helper_dummy(uint32_t a, uint32_t b)
{
    return a ^ b;
}

/* 50 ALU ops over guest registers, as a RISC front-end would emit them. */
static void block_alu(void)
{
    for (int i = 0; i < 50; i++) {
        if (i % 5 == 0) {
            tcg_gen_insn_start(0x1000 + i * 4, 0, 0);
        }
        TCGv_i32 d = R[(i * 7) % 32], a = R[(i * 3 + 1) % 32], b = R[(i * 5 + 2) % 32];
        switch (i % 10) {
        case 0: tcg_gen_add_i32(d, a, b); break;
        case 1: tcg_gen_addi_i32(d, a, i * 17); break;
        case 2: tcg_gen_sub_i32(d, a, b); break;
        case 3: tcg_gen_and_i32(d, a, b); break;
        case 4: tcg_gen_ori_i32(d, a, 0xff00); break;
        case 5: tcg_gen_xor_i32(d, a, b); break;
        case 6: tcg_gen_shli_i32(d, a, i % 31); break;
        case 7: tcg_gen_sar_i32(d, a, b); break;
        case 8: tcg_gen_mul_i32(d, a, b); break;
        default: tcg_gen_setcond_i32(TCG_COND_LTU, d, a, b); break;
        }
    }
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(0x1000);
}

/* 10 guest loads and 10 stores with address arithmetic (base + offset). */
static void block_mem(void)
{
    for (int i = 0; i < 20; i++) {
        tcg_gen_insn_start(0x2000 + i * 4, 0, 0);
        TCGv_i32 addr = tcg_temp_new_i32();
        tcg_gen_addi_i32(addr, R[29], i * 8);
        if (i & 1) {
            tcg_gen_qemu_st_i32(R[(i + 2) % 32], tcg_addr_i32(addr), 0, MO_LEUL);
        } else {
            tcg_gen_qemu_ld_i32(R[(i + 2) % 32], tcg_addr_i32(addr), 0, i % 4 ? MO_BESW : MO_LEUL);
        }
        tcg_temp_free_i32(addr);
    }
    tcg_gen_exit_tb(0);
}

/* Branchy code: compares, conditional moves, local temps, a helper call. */
static void block_branch(void)
{
    TCGv_i32 acc = tcg_temp_local_new_i32();
    tcg_gen_movi_i32(acc, 0);
    for (int i = 0; i < 8; i++) {
        tcg_gen_insn_start(0x3000 + i * 4, 0, 0);
        TCGLabel *skip = tcg_label_new();
        tcg_gen_brcond_i32(TCG_COND_LT, R[i], R[i + 8], skip);
        tcg_gen_add_i32(acc, acc, R[i]);
        tcg_gen_movcond_i32(TCG_COND_EQ, R[i + 16], R[i], R[i + 1], acc, R[i + 2]);
        tcg_gen_set_label(skip);
        tcg_gen_setcondi_i32(TCG_COND_GEU, R[i + 24], acc, 100);
    }
    TCGv_i32 r = tcg_temp_new_i32();
    tcg_gen_calln(helper_dummy, TCG_CALL_NO_RWG | TCG_CALL_NO_UNWIND, tcgv_i32_temp(r), 2,
                  tcgv_i32_temp(acc), tcgv_i32_temp(R[3]));
    tcg_gen_mov_i32(R[4], r);
    TCGLabel *other = tcg_label_new();
    tcg_gen_brcondi_i32(TCG_COND_NE, R[4], 0, other);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(0x3000);
    tcg_gen_set_label(other);
    tcg_gen_goto_tb(1);
    tcg_gen_exit_tb(0x3001);
}

/* 64-bit arithmetic with constants that fold away when optimising. */
static void block_alu64(void)
{
    for (int i = 0; i < 40; i++) {
        if (i % 4 == 0) {
            tcg_gen_insn_start(0x4000 + i * 4, 0, 0);
        }
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_movi_i64(t, i * 3);
        tcg_gen_addi_i64(t, t, 5); /* constant */
        tcg_gen_add_i64(Q[i % 16], Q[(i + 1) % 16], t);
        tcg_gen_deposit_i64(Q[(i + 3) % 16], Q[(i + 3) % 16], Q[i % 16], 8, 16);
        tcg_gen_rotli_i64(Q[(i + 5) % 16], Q[(i + 5) % 16], 0); /* identity */
        tcg_temp_free_i64(t);
    }
    tcg_gen_exit_tb(0);
}

/* A long block as a front-end without temp reuse would emit it: 512 instructions, fresh
 * temps each time, a conditional skip every 8 instructions. */
static void block_big(void)
{
    for (int i = 0; i < 512; i++) {
        tcg_gen_insn_start(0x5000 + i * 4, 0, 0);
        TCGv_i32 t = tcg_temp_new_i32();
        TCGv_i32 u = tcg_temp_new_i32();
        tcg_gen_addi_i32(t, R[(i + 1) % 32], i);
        tcg_gen_xor_i32(u, t, R[(i + 7) % 32]);
        tcg_gen_shri_i32(R[i % 32], u, i % 31);
        if (i % 8 == 7) {
            TCGLabel *l = tcg_label_new();
            tcg_gen_brcondi_i32(TCG_COND_EQ, R[i % 32], 0, l);
            tcg_gen_movi_i32(R[(i + 3) % 32], i);
            tcg_gen_set_label(l);
        }
    }
    tcg_gen_exit_tb(0);
}

typedef struct BenchBlock {
    const char *name;
    void (*build)(void);
} BenchBlock;

/* Thread CPU time: the machine may be shared, and time spent preempted is not
 * translation time. */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 2000;
    if (reps <= 0) {
        fprintf(stderr, "usage: bench-codegen [repetitions > 0]\n");
        return 1;
    }
    TCGCodeBuffer *buf = tcg_code_buffer_new(32 << 20);
    if (!buf) {
        return 1;
    }
    TCGConfig cfg = {
        .guest_addr_bits = 32,
        .page_bits = 12,
        .tlb_offset = offsetof(BenchEnv, tlb),
        .nb_mmu_modes = 2,
        .ld_slow = ld_slow,
        .st_slow = st_slow,
    };
    TCGContext *ctx = tcg_context_new(buf, &cfg);
    static char names[48][8];
    for (int i = 0; i < 32; i++) {
        snprintf(names[i], 8, "r%d", i);
        R[i] = tcg_global_mem_new_i32(offsetof(BenchEnv, regs) + 4 * i, names[i]);
    }
    for (int i = 0; i < 16; i++) {
        snprintf(names[32 + i], 8, "x%d", i);
        Q[i] = tcg_global_mem_new_i64(offsetof(BenchEnv, regs64) + 8 * i, names[32 + i]);
    }
    static const BenchBlock blocks[] = {
        {"alu-50", block_alu},     {"mem-20", block_mem},  {"branch-8", block_branch},
        {"alu64-40", block_alu64}, {"big-512", block_big},
    };
    printf("%-10s %-4s %8s %8s %10s %12s %14s\n", "block", "opt", "ops-in", "ops-out", "host-bytes",
           "bytes/op-in", "cpu-us/block");
    const char *only = getenv("BENCH_ONLY"); /* one block by name, for profiling */
    for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
        if (only && strcmp(only, blocks[b].name) != 0) {
            continue;
        }
        for (int opt = 1; opt >= 0; opt--) {
            tcg_context_set_optimize(ctx, opt);
            TCGCodeResult res = {0};
            double total = 0;
            /* warm-up: first touches of the code buffer and caches are not translation */
            for (int r = 0; r < reps / 10 + 1; r++) {
                tcg_func_start(ctx);
                blocks[b].build();
                if (tcg_gen_code(ctx, &res) == -1) {
                    tcg_code_buffer_flush(ctx);
                }
            }
            for (int r = 0; r < reps; r++) {
                double t0 = now_us();
                tcg_func_start(ctx);
                blocks[b].build();
                int rc = tcg_gen_code(ctx, &res);
                total += now_us() - t0;
                if (rc == -1) {
                    tcg_code_buffer_flush(ctx);
                    r--;
                } else if (rc < 0) {
                    fprintf(stderr, "bench-codegen: translation failed (%d)\n", rc);
                    return 1;
                }
            }
            if (getenv("BENCH_DUMP")) {
                char fn[64];
                snprintf(fn, sizeof(fn), "%s-%s.bin", blocks[b].name, opt ? "opt" : "noopt");
                FILE *f = fopen(fn, "wb");
                if (f) {
                    fwrite(res.code_rx, 1, res.size, f);
                    fclose(f);
                }
            }
            printf("%-10s %-4s %8u %8u %10zu %12.2f %14.2f\n", blocks[b].name, opt ? "on" : "off",
                   res.n_ops_in, res.n_ops_out, res.size, (double)res.size / res.n_ops_in,
                   total / reps);
        }
    }
    tcg_context_free(ctx);
    tcg_code_buffer_free(buf);
    return 0;
}
