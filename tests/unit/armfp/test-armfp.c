/*
 * tests/unit/armfp/test-armfp.c: the ARM VFP/NEON translator under test: each bare-metal
 * guest program (A32 and Thumb-2) runs on the ARM test machine and must print OK.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpu/arm/cpu.h"
#include "cpu/arm/vfp.h"
#include "tests/unit/arm/arm-machine.h"

static void run_guest(const char *prog, const char *model)
{
    ArmMachine *m = arm_machine_new(model, 16 << 20);
    char path[512], *err = NULL;
    snprintf(path, sizeof(path), "%s/%s.elf", ARMFP_GUEST_DIR, prog);
    ck_assert_msg(arm_machine_load_elf(m, path, &err), "%s", err ? err : "");
    arm_machine_run(m, 20.0);
    if (!m->exited || m->exit_code != 0 || !strstr(m->out, "OK\n")) {
        fprintf(stderr, "--- %s output ---\n%.4000s--- end ---\n", prog, m->out);
    }
    ck_assert_msg(m->exited, "%s did not finish", prog);
    ck_assert_msg(strstr(m->out, "OK\n") != NULL, "%s: %s", prog, m->out);
    ck_assert_uint_eq(m->exit_code, 0);
    arm_machine_free(m);
}

START_TEST(test_vfp_a32)
{
    run_guest("vfp", "cortex-a15");
}
END_TEST

START_TEST(test_vfp_thumb)
{
    run_guest("vfp-thumb", "cortex-a15");
}
END_TEST

START_TEST(test_vfp_other_models)
{
    run_guest("vfp", "cortex-a9");
    run_guest("vfp-thumb", "cortex-a7");
}
END_TEST

/* Random VFP (cp10/cp11) and Advanced SIMD words, translated and run between vectors that
 * return past whatever they raise: the emulator must survive every one of them. */
START_TEST(test_random_insns)
{
    uint64_t x = 0x2545f4914f6cdd1dull;
    for (int round = 0; round < 3; round++) {
        ArmMachine *m = arm_machine_new(round == 2 ? "cortex-a9" : "cortex-a15", 1 << 20);
        ArmEnv *env = m->cpu->env;
        uint32_t vec[8] = {0xeafffffe, 0xe1b0f00e, 0xe1b0f00e, 0xe25ef004,
                           0xe25ef004, 0xeafffffe, 0xe25ef004, 0xe25ef004};
        address_space_write(m->as, ARM_TEST_RAM_BASE, vec, sizeof(vec));
        static uint32_t prog[4096];
        int n = 0;
        prog[n++] = 0xe3a0060f; /* mov r0, #0xf00000 */
        prog[n++] = 0xee010f50; /* mcr p15, 0, r0, c1, c0, 2 (CPACR) */
        prog[n++] = 0xf57ff06f; /* isb */
        prog[n++] = 0xe3a00101; /* mov r0, #0x40000000 */
        prog[n++] = 0xeee80a10; /* vmsr fpexc, r0 */
        prog[n++] = 0xe3a00000; /* mov r0, #0: no base register points into RAM */
        while (n < 4090) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint32_t w = (uint32_t)x;
            switch ((x >> 32) % 4) {
            case 0: /* cp10/cp11 data processing and transfers */
                w = 0xee000a00u | (w & 0x00fff1ffu);
                break;
            case 1: /* cp10/cp11 loads, stores, 64-bit transfers */
                w = 0xec000a00u | (w & 0x01fff1ffu);
                break;
            case 2: /* Advanced SIMD data processing */ w = 0xf2000000u | (w & 0x01ffffffu); break;
            default: /* element and structure loads/stores */
                w = 0xf4000000u | (w & 0x00efffffu);
                break;
            }
            if (((w >> 16) & 0xf) == 15 || ((w >> 12) & 0xf) == 15) {
                continue; /* keep pc out of it: control flow is not what is tested */
            }
            prog[n++] = w;
        }
        prog[n++] = 0xe3a0220a; /* mov r2, #0xa0000000 */
        prog[n++] = 0xe1a02222; /* lsr r2, r2, #4 */
        prog[n++] = 0xe3a00007; /* mov r0, #7 */
        prog[n++] = 0xe5820004; /* str r0, [r2, #4] */
        prog[n++] = 0xeafffffe; /* b . */
        address_space_write(m->as, ARM_TEST_RAM_BASE + 0x1000, prog, (size_t)n * 4);
        arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE + 0x1000, 0, 0, 0);
        env->cp15.vbar = ARM_TEST_RAM_BASE;
        arm_machine_run(m, 5.0);
        ck_assert_msg(m->exited && m->exit_code == 7, "round %d stopped at pc %08x", round,
                      env->regs[15]);
        arm_machine_free(m);
    }
}
END_TEST

/* Timing, only on request: ARMFP_BENCH=1 prints the run time of 2 x 1M loop iterations. */
START_TEST(test_bench)
{
    if (!getenv("ARMFP_BENCH")) {
        return;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_guest("bench", "cortex-a15");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "armfp bench: %.3f s\n",
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}
END_TEST

START_TEST(test_neon_a32)
{
    run_guest("neon", "cortex-a15");
}
END_TEST

START_TEST(test_neon_thumb)
{
    run_guest("neon-thumb", "cortex-a7");
}
END_TEST

/* Every Advanced SIMD data-processing word the decoder accepts executes on random register
 * contents without touching anything outside the register file (ASan/UBSan builds). */
START_TEST(test_neon_random_words)
{
    static ArmEnv env;
    uint64_t x = 0x9e3779b97f4a7c15ull;
    int accepted = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t w = 0xf2000000u | ((uint32_t)x & 0x01ffffffu);
        env.vfp.regs[(x >> 32) & 31] = x * 0x2545f4914f6cdd1dull;
        env.vfp.fpscr = (uint32_t)(x >> 40) & 0x03c0009fu;
        if (neon_dp(NULL, w)) {
            accepted++;
            ck_assert(neon_dp(&env, w));
        }
    }
    ck_assert_int_gt(accepted, 50000);
    /* VFP conversions with every op code and random fraction bits */
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        helper_vfp_cvt(&env, x, (uint32_t)(x >> 48) & 0x11f1f);
    }
}
END_TEST

/* Runs `n` Advanced SIMD words in a row (A32, Cortex-A15) from the register contents
 * `regs`, and leaves the final D registers, FPSCR and QC in `out`. */
static void run_neon_words(const uint32_t *words, int n, const uint64_t *regs, ArmEnv *out)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    ArmEnv *env = m->cpu->env;
    uint32_t vec[8] = {0xeafffffe, 0xe1b0f00e, 0xe1b0f00e, 0xe25ef004,
                       0xe25ef004, 0xeafffffe, 0xe25ef004, 0xe25ef004};
    address_space_write(m->as, ARM_TEST_RAM_BASE, vec, sizeof(vec));
    uint32_t prog[128];
    int k = 0;
    prog[k++] = 0xe3a0060f; /* mov r0, #0xf00000 */
    prog[k++] = 0xee010f50; /* mcr p15, 0, r0, c1, c0, 2 (CPACR) */
    prog[k++] = 0xf57ff06f; /* isb */
    prog[k++] = 0xe3a00101; /* mov r0, #0x40000000 */
    prog[k++] = 0xeee80a10; /* vmsr fpexc, r0 */
    for (int i = 0; i < n; i++) {
        prog[k++] = words[i];
    }
    prog[k++] = 0xe3a0220a; /* mov r2, #0xa0000000 */
    prog[k++] = 0xe1a02222; /* lsr r2, r2, #4 */
    prog[k++] = 0xe3a00007; /* mov r0, #7 */
    prog[k++] = 0xe5820004; /* str r0, [r2, #4] */
    prog[k++] = 0xeafffffe; /* b . */
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x1000, prog, (size_t)k * 4);
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE + 0x1000, 0, 0, 0);
    env->cp15.vbar = ARM_TEST_RAM_BASE;
    memcpy(env->vfp.regs, regs, sizeof(env->vfp.regs));
    arm_machine_run(m, 5.0);
    ck_assert_msg(m->exited && m->exit_code == 7, "stopped at pc %08x", env->regs[15]);
    memcpy(out->vfp.regs, env->vfp.regs, sizeof(out->vfp.regs));
    out->vfp.fpscr = env->vfp.fpscr;
    out->vfp.qc = env->vfp.qc;
    arm_machine_free(m);
}

/* What the C reference (neon_dp, the generic helper's executor) makes of the same words. */
static void ref_neon_words(const uint32_t *words, int n, const uint64_t *regs, ArmEnv *out)
{
    memset(&out->vfp, 0, sizeof(out->vfp));
    memcpy(out->vfp.regs, regs, sizeof(out->vfp.regs));
    for (int i = 0; i < n; i++) {
        neon_dp(out, words[i]);
    }
}

static bool same_vfp_state(const ArmEnv *a, const ArmEnv *b)
{
    return !memcmp(a->vfp.regs, b->vfp.regs, sizeof(a->vfp.regs)) && a->vfp.fpscr == b->vfp.fpscr &&
           !a->vfp.qc == !b->vfp.qc;
}

/* The forms translated into IR (neon-dp.c) against the C reference: random words of each
 * form (every operand field random) on random registers. A mismatching batch is re-run
 * word by word to name the word. */
START_TEST(test_neon_ir_matches_reference)
{
    static const uint32_t forms[][2] = {
        {0xfe800f10u, 0xf2000110u}, /* VAND VBIC VORR VORN VEOR VBSL VBIT VBIF */
        {0xfe800f10u, 0xf2000800u}, /* VADD, VSUB (integer) */
        {0xfe800f10u, 0xf2000810u}, /* VTST, VCEQ */
        {0xfe800f00u, 0xf2000300u}, /* VCGT, VCGE (signed, unsigned) */
        {0xfe800f00u, 0xf2000600u}, /* VMAX, VMIN */
        {0xffb30e10u, 0xf3b00000u}, /* VREV64, VREV32, VREV16 */
        {0xfe800f00u, 0xf2000d00u}, /* VADD VSUB VMUL VMLA VMLS (F32) */
        {0xfe800f00u, 0xf2000c00u}, /* VFMA VFMS (F32) */
        {0xfe800f00u, 0xf2000e00u}, /* VCEQ VCGE VCGT VACGE VACGT (F32) */
        {0xfe800f00u, 0xf2000f00u}, /* VMAX VMIN (F32) and the generic path's neighbours */
        {0xff800f10u, 0xf2000b10u}, /* VPADD (integer) */
        {0xfe870fd0u, 0xf2800a10u}, /* VMOVL */
        {0xffb30fd0u, 0xf3b20200u}, /* VMOVN */
        {0xffb30c10u, 0xf3b10000u}, /* integer compares with zero, VABS, VNEG */
        {0xfe800f00u, 0xf2000900u}, /* VMUL VMLA VMLS (integer; VMUL.P8 stays generic) */
        {0xfe800d10u, 0xf2000010u}, /* VQADD, VQSUB (QC) */
        {0xfeb80090u, 0xf2800010u}, /* VMOV/VMVN/VORR/VBIC (immediate) */
        {0xfe800f10u, 0xf2800010u}, /* VSHR */
        {0xfe800f10u, 0xf2800110u}, /* VSRA */
        {0xfe800f10u, 0xf2800410u}, /* VSRI */
        {0xfe800f10u, 0xf2800510u}, /* VSHL, VSLI */
        {0xffb00010u, 0xf2b00000u}, /* VEXT */
        {0xffb00f90u, 0xf3b00c00u}, /* VDUP (scalar) */
        {0xffb30f90u, 0xf3b00580u}, /* VMVN */
        {0xffb30f90u, 0xf3b10700u}, /* VABS.F32 */
        {0xffb30f90u, 0xf3b10780u}, /* VNEG.F32 */
        {0xffb30f90u, 0xf3b20000u}, /* VSWP */
    };
    enum { BATCH = 48, BATCHES = 60 };
    uint64_t x = 0x0123456789abcdefull;
    int tested = 0;
    for (int b = 0; b < BATCHES; b++) {
        uint32_t words[BATCH];
        uint64_t regs[32];
        for (int i = 0; i < 32; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            regs[i] = x * 0x2545f4914f6cdd1dull;
        }
        int n = 0;
        while (n < BATCH) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            const uint32_t *f = forms[(x >> 40) % (sizeof(forms) / sizeof(forms[0]))];
            uint32_t w = ((uint32_t)x & ~f[0]) | f[1];
            if (neon_dp(NULL, w)) {
                words[n++] = w;
            }
        }
        static ArmEnv got, want;
        run_neon_words(words, n, regs, &got);
        ref_neon_words(words, n, regs, &want);
        if (!same_vfp_state(&got, &want)) {
            for (int i = 0; i < n; i++) {
                run_neon_words(&words[i], 1, regs, &got);
                ref_neon_words(&words[i], 1, regs, &want);
                for (int r = 0; r < 32; r++) {
                    ck_assert_msg(got.vfp.regs[r] == want.vfp.regs[r],
                                  "word %08x: D%d = %016llx, want %016llx", words[i], r,
                                  (unsigned long long)got.vfp.regs[r],
                                  (unsigned long long)want.vfp.regs[r]);
                }
                ck_assert_msg(same_vfp_state(&got, &want), "word %08x: FPSCR %08x/QC, want %08x",
                              words[i], got.vfp.fpscr, want.vfp.fpscr);
                memcpy(regs, want.vfp.regs, sizeof(regs));
            }
        }
        tested += n;
    }
    ck_assert_int_eq(tested, BATCH * BATCHES);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("armfp");
    TCase *tc = tcase_create("vfp");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_vfp_a32);
    tcase_add_test(tc, test_vfp_thumb);
    tcase_add_test(tc, test_vfp_other_models);
    tcase_add_test(tc, test_neon_a32);
    tcase_add_test(tc, test_neon_thumb);
    tcase_add_test(tc, test_neon_random_words);
    tcase_add_test(tc, test_random_insns);
    tcase_add_test(tc, test_neon_ir_matches_reference);
    tcase_add_test(tc, test_bench);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
