/* tests/unit/tcg/tcg-test-util.c: fake env, fake TLB and slow paths for the tcg tests. */
#include <stddef.h>
#include <stdio.h>

#include "tests/unit/tcg/tcg-test-util.h"

FakeEnv *env;
TCGContext *ctx;
TCGCodeBuffer *cbuf;
TCGv_i64 G64[8];
TCGv_i32 G32[8];
TCGTLBEntry fake_tlb[2][FAKE_TLB_SIZE];
uint8_t *fake_ram;

static uint64_t fake_ld_slow(void *e, uint64_t addr, MemOpIdx oi, uintptr_t ra)
{
    FakeEnv *fe = e;
    int n = fe->n_ld_slow++ % FAKE_MAX_LOG;
    fe->slow_addr[n] = addr;
    fe->slow_oi[n] = oi;
    fe->slow_ra[n] = ra;
    return fe->ld_slow_result;
}

static void fake_st_slow(void *e, uint64_t addr, uint64_t val, MemOpIdx oi, uintptr_t ra)
{
    FakeEnv *fe = e;
    int n = fe->n_st_slow++ % FAKE_MAX_LOG;
    fe->slow_addr[n] = addr;
    fe->slow_val[n] = val;
    fe->slow_oi[n] = oi;
    fe->slow_ra[n] = ra;
}

static bool globals_done;

void fake_setup(int guest_addr_bits)
{
    cbuf = tcg_code_buffer_new(16 << 20);
    ck_assert_ptr_nonnull(cbuf);
    TCGConfig cfg = {
        .guest_addr_bits = guest_addr_bits,
        .page_bits = 12,
        .tlb_offset = offsetof(FakeEnv, tlb),
        .nb_mmu_modes = 2,
        .ld_slow = fake_ld_slow,
        .st_slow = fake_st_slow,
    };
    ctx = tcg_context_new(cbuf, &cfg);
    ck_assert_ptr_nonnull(ctx);
    env = calloc(1, sizeof(*env));
    fake_ram = aligned_alloc(4096, FAKE_RAM_PAGES * 4096);
    memset(fake_ram, 0, FAKE_RAM_PAGES * 4096);
    for (int m = 0; m < 2; m++) {
        memset(fake_tlb[m], 0xff, sizeof(fake_tlb[m]));
        env->tlb[m].mask = (FAKE_TLB_SIZE - 1) << TCG_TLB_ENTRY_BITS;
        env->tlb[m].table = fake_tlb[m];
    }
    if (!globals_done) {
        static char names[16][8];
        for (int i = 0; i < 8; i++) {
            snprintf(names[i], 8, "q%d", i);
            G64[i] = tcg_global_mem_new_i64(offsetof(FakeEnv, g64) + 8 * i, names[i]);
            snprintf(names[8 + i], 8, "w%d", i);
            G32[i] = tcg_global_mem_new_i32(offsetof(FakeEnv, g32) + 4 * i, names[8 + i]);
        }
        globals_done = true;
    }
}

void fake_teardown(void)
{
    tcg_context_free(ctx);
    tcg_code_buffer_free(cbuf);
    free(env);
    free(fake_ram);
}

void fake_map_pages(uint64_t guest_base, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t va = guest_base + (uint64_t)i * 4096;
        int idx = (va >> 12) & (FAKE_TLB_SIZE - 1);
        for (int m = 0; m < 2; m++) {
            fake_tlb[m][idx].addr_read = va;
            fake_tlb[m][idx].addr_write = va;
            fake_tlb[m][idx].addr_code = va;
            fake_tlb[m][idx].addend = (uintptr_t)(fake_ram + i * 4096) - (uintptr_t)va;
        }
    }
}

void gen_ok(TCGCodeResult *res)
{
    int r = tcg_gen_code(ctx, res);
    if (r == -1) {
        /* Only the ALU sweeps fill the buffer; their old blocks are no longer needed. */
        tcg_code_buffer_flush(ctx);
        r = tcg_gen_code(ctx, res);
    }
    ck_assert_int_eq(r, 0);
}

uintptr_t run(const TCGCodeResult *res)
{
    return tcg_exec(ctx, env, res->code_rx);
}
