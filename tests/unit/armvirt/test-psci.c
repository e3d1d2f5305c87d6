/*
 * PSCI as the virt board uses it (arm_cpu_enable_psci, cpu/arm/arm.h): a bare-metal
 * guest (guest/psci.c) makes every call through HVC and SMC and checks the answers
 * DEN0022 gives; here, the second CPU's state after its CPU_ON. Also SRS/RFE in A32
 * and T32 (guest/srsrfe.c), the exception-return pair firmware-style code uses.
 */
#include <check.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cpu/arm/arm.h"
#include "tests/unit/arm/arm-machine.h"

START_TEST(test_psci_calls)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    arm_cpu_enable_psci(m->cpu);
    char *err = NULL;
    ck_assert_msg(arm_machine_load_elf(m, ARMVIRT_GUEST_DIR "/psci.elf", &err), "%s",
                  err ? err : "");
    CPUState *cpu1 = cpu_create("cortex-a15", m->as, &err);
    ck_assert_ptr_nonnull(cpu1);
    arm_cpu_set_mpidr(cpu1, 0, 1);
    arm_cpu_enable_psci(cpu1);
    arm_cpu_set_powered_off(cpu1, true);

    arm_machine_run(m, 10.0);
    if (!strstr(m->out, "OK\n")) {
        fprintf(stderr, "--- psci output ---\n%.4000s--- end ---\n", m->out);
    }
    ck_assert_msg(m->exited, "psci did not finish: %s", m->out);
    ck_assert_str_eq(m->out, "OK\n");
    ck_assert_uint_eq(m->exit_code, 0);

    /* CPU_ON left CPU 1 runnable at the entry point in Thumb state, r0 = context. */
    ck_assert(!cpu1->halted);
    ck_assert_uint_eq(arm_cpu_get_reg(cpu1, 15), 0x40001234u);
    ck_assert_uint_eq(arm_cpu_get_reg(cpu1, 0), 0xc0ffee00u);

    arm_cpu_release(cpu1);
    cpu_destroy(cpu1);
    arm_machine_free(m);
}
END_TEST

static void run_guest(const char *name)
{
    ArmMachine *m = arm_machine_new("cortex-a15", 1 << 20);
    char path[512], *err = NULL;
    snprintf(path, sizeof(path), "%s/%s.elf", ARMVIRT_GUEST_DIR, name);
    ck_assert_msg(arm_machine_load_elf(m, path, &err), "%s", err ? err : "");
    arm_machine_run(m, 10.0);
    ck_assert_msg(m->exited, "%s did not finish: %s", name, m->out);
    ck_assert_msg(!strcmp(m->out, "OK\n"), "%s: %s", name, m->out);
    arm_machine_free(m);
}

START_TEST(test_srs_rfe)
{
    run_guest("srsrfe");
    run_guest("srsrfe-thumb");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("virt-psci");
    TCase *tc = tcase_create("psci");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_psci_calls);
    tcase_add_test(tc, test_srs_rfe);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
