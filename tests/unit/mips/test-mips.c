/*
 * tests/unit/mips/test-mips.c: the MIPS32 CPU under test: model table and reset state,
 * then each bare-metal guest program (little- and big-endian) on the test machine,
 * asserting its printed verdict and exit code.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/mips/mips-machine.h"

START_TEST(test_models_and_reset)
{
    MipsMachine *m = mips_machine_new("4Kc", 1 << 20);
    ck_assert_uint_eq(m->env->pc, 0xbfc00000u);
    ck_assert_uint_eq(m->env->cp0_status & (MIPS_ST_BEV | MIPS_ST_ERL), MIPS_ST_BEV | MIPS_ST_ERL);
    ck_assert_uint_eq(m->env->cp0_prid, 0x00018000u);
    ck_assert_uint_eq(m->env->cp0_config[1] & 1, 0); /* no FPU */
    ck_assert_uint_eq((m->env->cp0_config[1] >> 25) & 0x3f, 15);
    ck_assert_ptr_nonnull(cpu_model_find("24Kf"));
    ck_assert_ptr_nonnull(cpu_model_find("24Kf-be"));
    ck_assert_ptr_nonnull(cpu_model_find("4Kc-be"));
    /* gdb's register file: pc is register 37, little-endian bytes on a little-endian CPU */
    uint8_t buf[8];
    CPUState *cpu = m->cpu;
    ck_assert_int_eq(cpu->ops->gdb_num_regs, 72);
    ck_assert_int_eq(cpu->ops->gdb_read_register(cpu, buf, 37), 4);
    ck_assert_uint_eq(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24, 0xbfc00000u);
    const uint8_t v[4] = {0x78, 0x56, 0x34, 0x12};
    ck_assert_int_eq(cpu->ops->gdb_write_register(cpu, v, 5), 4);
    ck_assert_uint_eq(m->env->gpr[5], 0x12345678u);
    ck_assert_int_eq(cpu->ops->gdb_write_register(cpu, v, 0), 4);
    ck_assert_uint_eq(m->env->gpr[0], 0); /* $zero stays zero */
    ck_assert_int_eq(cpu->ops->gdb_read_register(cpu, buf, 80), 0);
    char *dump = NULL;
    size_t dump_len = 0;
    FILE *f = open_memstream(&dump, &dump_len);
    cpu_dump_state(cpu, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(dump, "pc=bfc00000"));
    ck_assert_ptr_nonnull(strstr(dump, "a1  =12345678"));
    free(dump);
    char *err = NULL;
    ck_assert_ptr_null(cpu_create("r4000", m->as, &err));
    ck_assert_ptr_nonnull(err);
    g_free(err);
}
END_TEST

/* A tiny program from words: executes from kseg1 at the reset vector region (RAM). */
START_TEST(test_raw_words_4kc_rejects_r2)
{
    MipsMachine *m = mips_machine_new("4Kc", 1 << 20);
    /* seb $2, $3 is release 2: a 4Kc takes Reserved Instruction (BEV vector 0xbfc00380). */
    const uint32_t prog[] = {
        0x7c031420, /* seb v0, v1 */
        0x00000000,
    };
    address_space_write(m->as, 0x1000, prog, sizeof(prog));
    m->env->pc = 0xa0001000u;
    m->env->cp0_status = 0; /* kernel, BEV off: vector at EBase + 0x180 */
    m->env->hflags = 0;
    const uint32_t spin[] = {0x1000ffff, 0x00000000}; /* b . ; nop */
    address_space_write(m->as, 0x180, spin, sizeof(spin));
    mips_machine_run(m, 0.1);
    ck_assert_uint_eq((m->env->cp0_cause >> 2) & 0x1f, MIPS_EXC_RI);
    ck_assert_uint_eq(m->env->cp0_epc, 0xa0001000u);
    ck_assert_uint_eq(m->env->pc & ~7u, 0x80000180u);
}
END_TEST

/* Random instruction words (every decoder pattern, bad operands, FPU NaNs, stray loads and
 * stores, exceptions, TLB writes...) may do anything to the guest, never to the host. */
static void run_random(const char *model, uint32_t seed)
{
    MipsMachine *m = mips_machine_new(model, 1 << 20);
    uint32_t *words = malloc(0x10000);
    uint32_t x = seed;
    for (int i = 0; i < 0x4000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        words[i] = x;
    }
    address_space_write(m->as, 0, words, 0x10000);
    free(words);
    m->env->pc = 0x80001000u;
    m->env->cp0_status = MIPS_ST_CU1 | MIPS_ST_CU0; /* kernel, vectors at 0x80000000 */
    m->env->hflags = 0;
    mips_machine_run(m, 0.3);
    /* Still here: dump the state once to make sure it is readable. */
    char *dump = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&dump, &len);
    cpu_dump_state(m->cpu, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(dump, "pc="));
    free(dump);
}

START_TEST(test_random_code_le)
{
    run_random("24Kf", 0x12345678u + (uint32_t)_i);
}
END_TEST

START_TEST(test_random_code_be)
{
    run_random("24Kf-be", 0x9abcdef1u + (uint32_t)_i);
}
END_TEST

START_TEST(test_random_code_4kc)
{
    run_random("4Kc", 0x0badf00du + (uint32_t)_i);
}
END_TEST

#ifdef MIPS_GUEST_DIR
static void run_guest(const char *prog, const char *endian)
{
    const char *only = getenv("MIPS_TEST_ONLY"); /* debugging: run just "prog.endian" */
    char name[64];
    snprintf(name, sizeof(name), "%s.%s", prog, endian);
    if (only && strcmp(only, name) != 0) {
        return;
    }
    const char *model = strcmp(endian, "eb") == 0 ? "24Kf-be" : "24Kf";
    MipsMachine *m = mips_machine_new(model, 32 << 20);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.%s", MIPS_GUEST_DIR, prog, endian);
    char *err = NULL;
    ck_assert_msg(mips_machine_load_elf(m, path, &err), "%s", err ? err : "");
    mips_machine_run(m, 20.0);
    char want[64];
    snprintf(want, sizeof(want), "%s: ok\n", prog);
    ck_assert_msg(m->exited, "%s.%s did not finish (pc=0x%08x); output:\n%s", prog, endian,
                  m->env->pc, m->out);
    ck_assert_msg(strcmp(m->out, want) == 0 && m->exit_code == 0, "%s.%s: exit %u, output:\n%s",
                  prog, endian, m->exit_code, m->out);
}

#define GUEST_TEST(p)         \
    START_TEST(test_##p##_el) \
    {                         \
        run_guest(#p, "el");  \
    }                         \
    END_TEST                  \
    START_TEST(test_##p##_eb) \
    {                         \
        run_guest(#p, "eb");  \
    }                         \
    END_TEST

GUEST_TEST(alu)
GUEST_TEST(branch)
GUEST_TEST(mem)
GUEST_TEST(exc)
GUEST_TEST(tlb)
GUEST_TEST(irq)
GUEST_TEST(fpu)
GUEST_TEST(user)
#endif

static Suite *mips_suite(void)
{
    Suite *s = suite_create("mips");
    TCase *tc = tcase_create("cpu");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_models_and_reset);
    tcase_add_test(tc, test_raw_words_4kc_rejects_r2);
    tcase_add_loop_test(tc, test_random_code_le, 0, 4);
    tcase_add_loop_test(tc, test_random_code_be, 0, 4);
    tcase_add_loop_test(tc, test_random_code_4kc, 0, 2);
#ifdef MIPS_GUEST_DIR
#define ADD(p)                         \
    tcase_add_test(tc, test_##p##_el); \
    tcase_add_test(tc, test_##p##_eb);
    ADD(alu)
    ADD(branch)
    ADD(mem)
    ADD(exc)
    ADD(tlb)
    ADD(irq)
    ADD(fpu)
    ADD(user)
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(mips_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
