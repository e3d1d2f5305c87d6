/* tests/unit/tcg/tcg-test-util.h: a fake CPU env, a fake soft-MMU and helpers to build,
 * compile and run IR blocks, shared by the tcg unit tests. */
#ifndef MIMIC_TESTS_TCG_TEST_UTIL_H
#define MIMIC_TESTS_TCG_TEST_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcg/tcg-op.h"

#define FAKE_RAM_PAGES 16
#define FAKE_TLB_SIZE  16
#define FAKE_MAX_LOG   16

typedef struct FakeEnv {
    uint64_t g64[8];
    uint32_t g32[8];
    uint64_t scratch[8];
    uintptr_t ptr;
    TCGTLBDesc tlb[2];
    /* slow-path log */
    int n_ld_slow, n_st_slow;
    uint64_t slow_addr[FAKE_MAX_LOG];
    uint64_t slow_val[FAKE_MAX_LOG];
    MemOpIdx slow_oi[FAKE_MAX_LOG];
    uintptr_t slow_ra[FAKE_MAX_LOG];
    uint64_t ld_slow_result;
    uintptr_t helper_ra;
} FakeEnv;

extern FakeEnv *env;
extern TCGContext *ctx;
extern TCGCodeBuffer *cbuf;
extern TCGv_i64 G64[8];
extern TCGv_i32 G32[8];
extern TCGTLBEntry fake_tlb[2][FAKE_TLB_SIZE];
extern uint8_t *fake_ram;

/* Creates buffer, context (guest address width given), env and globals. */
void fake_setup(int guest_addr_bits);
void fake_teardown(void);
/* Maps guest page (base + i * 4096) to fake_ram page i in both MMU modes, for i < n. */
void fake_map_pages(uint64_t guest_base, int n);

/* Generates the current op list; asserts success. */
void gen_ok(TCGCodeResult *res);
uintptr_t run(const TCGCodeResult *res);

#endif
