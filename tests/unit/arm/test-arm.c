/*
 * tests/unit/arm/test-arm.c: the ARMv7-A CPU under test: models and reset state, small
 * programs from words, then each bare-metal guest program, asserting its printed verdict
 * and exit code.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/arm/cpu.h"
#include "tests/unit/arm/arm-machine.h"

START_TEST(test_models_and_reset)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    ArmEnv *env = m->cpu->env;
    ck_assert_uint_eq(env->cp15.midr, 0x412fc0f1u);
    ck_assert_uint_eq(arm_cpsr_read(env) & 0x1ff, ARM_MODE_SVC | CPSR_A | CPSR_I | CPSR_F);
    ck_assert_uint_eq(env->regs[15], 0);
    ck_assert_ptr_nonnull(cpu_model_find("cortex-a7"));
    ck_assert_ptr_nonnull(cpu_model_find("cortex-a9"));
    char *err = NULL;
    ck_assert_ptr_null(cpu_create("cortex-m3", m->as, &err));
    ck_assert_ptr_nonnull(err);
    g_free(err);
    arm_machine_free(m);
}
END_TEST

/* A few words at 0x40000000: arithmetic, a conditional branch loop and the test device. */
START_TEST(test_raw_words)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    const uint32_t prog[] = {
        0xe3a00000, /* mov r0, #0 */
        0xe3a0100a, /* mov r1, #10 */
        0xe0800001, /* 1: add r0, r0, r1 */
        0xe2511001, /* subs r1, r1, #1 */
        0x1afffffc, /* bne 1b */
        0xe3a0220a, /* mov r2, #0xa0000000 */
        0xe1a02222, /* lsr r2, r2, #4 -> 0x0a000000 */
        0xe5820004, /* str r0, [r2, #4] */
        0xeafffffe, /* b . */
    };
    address_space_write(m->as, ARM_TEST_RAM_BASE, prog, sizeof(prog));
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE, 0, 0, 0);
    arm_machine_run(m, 2.0);
    ck_assert(m->exited);
    ck_assert_uint_eq(m->exit_code, 55);
    arm_machine_free(m);
}
END_TEST

/* An undefined instruction goes to VBAR + 4 in UND mode with LR = next instruction. */
START_TEST(test_undef_vector)
{
    ArmMachine *m = arm_machine_new("cortex-a7", 1 << 20);
    ArmEnv *env = m->cpu->env;
    const uint32_t prog[] = {0xe7f000f0, 0xeafffffe}; /* udf; b . */
    const uint32_t spin = 0xeafffffe;
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x100, prog, sizeof(prog));
    address_space_write(m->as, ARM_TEST_RAM_BASE + 4, &spin, 4);
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE + 0x100, 0, 0, 0);
    env->cp15.vbar = ARM_TEST_RAM_BASE;
    arm_machine_run(m, 0.2);
    ck_assert_uint_eq(arm_mode(env), ARM_MODE_UND);
    ck_assert_uint_eq(env->regs[15], ARM_TEST_RAM_BASE + 4);
    ck_assert_uint_eq(env->regs[14], ARM_TEST_RAM_BASE + 0x104);
    ck_assert_uint_eq(env->spsr & 0x1f, ARM_MODE_SVC);
    arm_machine_free(m);
}
END_TEST

/* ARM code calling Thumb functions 10000 times each way: `blx r4` to a function on its
 * own page, `blx imm` to one on the next page (not chainable), both returning with
 * `bx lr`. Every change of instruction set must find its block in the jump cache from
 * generated code: neither the execution loop nor the lookup helper may run per call. */
START_TEST(test_interworking_stays_in_generated_code)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    const uint32_t prog[] = {
        0xe3a00000, /* 0x00: mov r0, #0 */
        0xe3021710, /* 0x04: movw r1, #10000 */
        0xe3004101, /* 0x08: movw r4, #0x101 */
        0xe3444000, /* 0x0c: movt r4, #0x4000: Thumb function at 0x40000100 */
        0xe12fff34, /* 0x10: 1: blx r4 */
        0xe2511001, /* 0x14: subs r1, r1, #1 */
        0x1afffffc, /* 0x18: bne 1b */
        0xe3021710, /* 0x1c: movw r1, #10000 */
        0xfa0003f6, /* 0x20: 2: blx 0x40001000 (Thumb, next page) */
        0xe2511001, /* 0x24: subs r1, r1, #1 */
        0x1afffffc, /* 0x28: bne 2b */
        0xe3a0220a, /* 0x2c: mov r2, #0xa0000000 */
        0xe1a02222, /* 0x30: lsr r2, r2, #4 */
        0xe5820004, /* 0x34: str r0, [r2, #4]: exit with r0 */
        0xeafffffe, /* 0x38: b . */
    };
    const uint16_t fn1[] = {0x3001, 0x4770}; /* adds r0, #1; bx lr */
    const uint16_t fn2[] = {0x3002, 0x4770}; /* adds r0, #2; bx lr */
    address_space_write(m->as, ARM_TEST_RAM_BASE, prog, sizeof(prog));
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x100, fn1, sizeof(fn1));
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x1000, fn2, sizeof(fn2));
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE, 0, 0, 0);
    arm_machine_run(m, 10.0);
    ck_assert(m->exited);
    ck_assert_uint_eq(m->exit_code, 30000);
    const CPUStats *st = &m->cpu->stats;
    ck_assert_msg(st->jc_helper_calls < 50, "jump-cache helper calls: %llu",
                  (unsigned long long)st->jc_helper_calls);
    ck_assert_msg(st->loop_entries < 50, "loop entered %llu times",
                  (unsigned long long)st->loop_entries);
    ck_assert_uint_le(st->tbs_translated, 12);
    arm_machine_free(m);
}
END_TEST

/* Two functions whose addresses fall in one jump-cache set (0x40000200 and 0x400002aa),
 * called alternately 10000 times: both stay in the cache, so the calls never leave
 * generated code for the lookup helper. */
START_TEST(test_jump_cache_set_holds_two_blocks)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    const uint32_t prog[] = {
        0xe3a00000, /* 0x00: mov r0, #0 */
        0xe3021710, /* 0x04: movw r1, #10000 */
        0xe3004201, /* 0x08: movw r4, #0x201 */
        0xe3444000, /* 0x0c: movt r4, #0x4000 */
        0xe30052ab, /* 0x10: movw r5, #0x2ab */
        0xe3445000, /* 0x14: movt r5, #0x4000 */
        0xe12fff34, /* 0x18: 1: blx r4 */
        0xe12fff35, /* 0x1c: blx r5 */
        0xe2511001, /* 0x20: subs r1, r1, #1 */
        0x1afffffb, /* 0x24: bne 1b */
        0xe3a0220a, /* 0x28: mov r2, #0xa0000000 */
        0xe1a02222, /* 0x2c: lsr r2, r2, #4 */
        0xe5820004, /* 0x30: str r0, [r2, #4]: exit with r0 */
        0xeafffffe, /* 0x34: b . */
    };
    const uint16_t fn1[] = {0x3001, 0x4770}; /* adds r0, #1; bx lr */
    const uint16_t fn2[] = {0x3002, 0x4770}; /* adds r0, #2; bx lr */
    ck_assert_uint_eq(cpu_jmp_cache_hash(ARM_TEST_RAM_BASE + 0x200),
                      cpu_jmp_cache_hash(ARM_TEST_RAM_BASE + 0x2aa));
    address_space_write(m->as, ARM_TEST_RAM_BASE, prog, sizeof(prog));
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x200, fn1, sizeof(fn1));
    address_space_write(m->as, ARM_TEST_RAM_BASE + 0x2aa, fn2, sizeof(fn2));
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE, 0, 0, 0);
    arm_machine_run(m, 10.0);
    ck_assert(m->exited);
    ck_assert_uint_eq(m->exit_code, 30000);
    const CPUStats *st = &m->cpu->stats;
    ck_assert_msg(st->jc_helper_calls < 50, "jump-cache helper calls: %llu",
                  (unsigned long long)st->jc_helper_calls);
    ck_assert_uint_eq(st->jc_miss_conflict, 0);
    ck_assert_msg(st->loop_entries < 50, "loop entered %llu times",
                  (unsigned long long)st->loop_entries);
    arm_machine_free(m);
}
END_TEST

/* A counted loop (add, subs, bne) of 50 million iterations: prints the guest MIPS. */
START_TEST(test_loop_speed)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    const uint32_t prog[] = {
        0xe3a00000, /* mov r0, #0 */
        0xe30f1080, /* movw r1, #0xf080 */
        0xe34012fa, /* movt r1, #0x2fa: 50 million */
        0xe2800003, /* 1: add r0, r0, #3 */
        0xe2511001, /* subs r1, r1, #1 */
        0x1afffffc, /* bne 1b */
        0xe3a0220a, /* mov r2, #0xa0000000 */
        0xe1a02222, /* lsr r2, r2, #4 */
        0xe5820004, /* str r0, [r2, #4] */
        0xeafffffe, /* b . */
    };
    address_space_write(m->as, ARM_TEST_RAM_BASE, prog, sizeof(prog));
    arm_cpu_set_boot_state(m->cpu, ARM_TEST_RAM_BASE, 0, 0, 0);
    gint64 t0 = g_get_monotonic_time();
    arm_machine_run(m, 30.0);
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    uint32_t iters = 50000000;
    ck_assert(m->exited);
    ck_assert_uint_eq(m->exit_code, iters * 3);
    printf("arm loop: %u iterations in %.3f s, %.0f guest MIPS\n", iters, secs,
           3.0 * iters / secs / 1e6);
    arm_machine_free(m);
}
END_TEST

#ifdef ARM_GUEST_DIR
static void run_guest(const char *prog, const char *model)
{
    const char *only = getenv("ARM_TEST_ONLY"); /* debugging: run just this program */
    if (only && strcmp(only, prog) != 0) {
        return;
    }
    ArmMachine *m = arm_machine_new(model, 16 << 20);
    char path[512], *err = NULL;
    snprintf(path, sizeof(path), "%s/%s.elf", ARM_GUEST_DIR, prog);
    ck_assert_msg(arm_machine_load_elf(m, path, &err), "%s", err ? err : "");
    arm_machine_run(m, 20.0);
    if (!m->exited || m->exit_code != 0 || !strstr(m->out, "OK\n")) {
        fprintf(stderr, "--- %s output ---\n%.2000s--- end ---\n", prog, m->out);
        cpu_dump_state(m->cpu, stderr);
    }
    ck_assert_msg(m->exited, "%s did not finish", prog);
    ck_assert_msg(strstr(m->out, "OK\n") != NULL, "%s: %s", prog, m->out);
    ck_assert_uint_eq(m->exit_code, 0);
    arm_machine_free(m);
}

START_TEST(test_guest_alu)
{
    run_guest("alu", "cortex-a15");
}
END_TEST

START_TEST(test_guest_mem)
{
    run_guest("mem", "cortex-a15");
}
END_TEST

START_TEST(test_guest_exc)
{
    run_guest("exc", "cortex-a15");
}
END_TEST

START_TEST(test_guest_mmu)
{
    run_guest("mmu", "cortex-a15");
}
END_TEST

START_TEST(test_guest_timer)
{
    run_guest("timer", "cortex-a7");
}
END_TEST

/* Two vCPUs on two host threads, as the emulator runs them. */
typedef struct SecondaryRun {
    ArmMachine *m;
    CPUState *cpu;
} SecondaryRun;

static void *secondary_thread(void *opaque)
{
    SecondaryRun *r = opaque;
    gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (!__atomic_load_n(&r->m->exited, __ATOMIC_SEQ_CST) && g_get_monotonic_time() < end) {
        int e = cpu_exec(r->cpu);
        if (e == EXCP_HLT || e == EXCP_HALTED) {
            g_usleep(50);
        }
    }
    return NULL;
}

START_TEST(test_guest_smp)
{
    const char *only = getenv("ARM_TEST_ONLY");
    if (only && strcmp(only, "smp") != 0) {
        return;
    }
    ArmMachine *m = arm_machine_new("cortex-a15", 16 << 20);
    char path[512], *err = NULL;
    snprintf(path, sizeof(path), "%s/smp.elf", ARM_GUEST_DIR);
    ck_assert_msg(arm_machine_load_elf(m, path, &err), "%s", err ? err : "");
    CPUState *cpu1 = cpu_create("cortex-a15", m->as, &err);
    ck_assert_ptr_nonnull(cpu1);
    arm_cpu_set_mpidr(cpu1, 0, 1);
    arm_cpu_set_boot_state(cpu1, arm_cpu_get_reg(m->cpu, 15), 0, 0, 0);
    SecondaryRun r = {m, cpu1};
    GThread *th = g_thread_new("cpu1", secondary_thread, &r);
    arm_machine_run(m, 20.0);
    cpu1->stop_request = true;
    cpu_exit(cpu1);
    g_thread_join(th);
    if (!strstr(m->out, "OK\n")) {
        fprintf(stderr, "--- smp output ---\n%.2000s--- end ---\n", m->out);
    }
    ck_assert_msg(m->exited, "smp did not finish");
    ck_assert_msg(strstr(m->out, "OK\n") != NULL, "smp: %s", m->out);
    arm_cpu_release(cpu1);
    cpu_destroy(cpu1);
    arm_machine_free(m);
}
END_TEST

START_TEST(test_guest_thumb)
{
    run_guest("thumb", "cortex-a15");
}
END_TEST

START_TEST(test_guest_alu_thumb)
{
    run_guest("alu-thumb", "cortex-a15");
}
END_TEST

START_TEST(test_guest_mem_thumb)
{
    run_guest("mem-thumb", "cortex-a15");
}
END_TEST

START_TEST(test_guest_exc_thumb)
{
    run_guest("exc-thumb", "cortex-a15");
}
END_TEST

START_TEST(test_guest_mmu_thumb)
{
    run_guest("mmu-thumb", "cortex-a15");
}
END_TEST

START_TEST(test_guest_timer_thumb)
{
    run_guest("timer-thumb", "cortex-a7");
}
END_TEST
#endif

static Suite *arm_suite(void)
{
    Suite *s = suite_create("arm");
    TCase *tc = tcase_create("cpu");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_models_and_reset);
    tcase_add_test(tc, test_raw_words);
    tcase_add_test(tc, test_undef_vector);
    tcase_add_test(tc, test_interworking_stays_in_generated_code);
    tcase_add_test(tc, test_jump_cache_set_holds_two_blocks);
    tcase_add_test(tc, test_loop_speed);
#ifdef ARM_GUEST_DIR
    tcase_add_test(tc, test_guest_alu);
    tcase_add_test(tc, test_guest_mem);
    tcase_add_test(tc, test_guest_exc);
    tcase_add_test(tc, test_guest_mmu);
    tcase_add_test(tc, test_guest_timer);
    tcase_add_test(tc, test_guest_thumb);
    tcase_add_test(tc, test_guest_smp);
    tcase_add_test(tc, test_guest_alu_thumb);
    tcase_add_test(tc, test_guest_mem_thumb);
    tcase_add_test(tc, test_guest_exc_thumb);
    tcase_add_test(tc, test_guest_mmu_thumb);
    tcase_add_test(tc, test_guest_timer_thumb);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(arm_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
