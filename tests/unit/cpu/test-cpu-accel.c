/*
 * cpu_create under each kind of accelerator (cpu/accel.c): TCG gets the jump cache and the
 * soft TLB; an accelerator without a translator (a stand-in for KVM) gets neither, and
 * reset, flushes and destruction still work on such a CPU.
 */
#include <check.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/cpu/toy.h"

static int kvm_cpu_inits;

static int fake_kvm_init(char **errp)
{
    return 0;
}

static int fake_kvm_cpu_init(CPUState *cpu, char **errp)
{
    kvm_cpu_inits++;
    return 0;
}

/* Resolves cpu/'s weak reference: accel_init("kvm") picks it. */
const AccelOps accel_kvm_ops = {
    .name = "kvm", .init = fake_kvm_init, .cpu_init = fake_kvm_cpu_init};

static CPUState *make_cpu(const char *accel)
{
    char *err = NULL;
    ck_assert_int_eq(accel_init(accel, &err), 0);
    MemoryRegion *sysmem = memory_region_new_container("system", UINT64_C(1) << 32);
    memory_region_add_subregion(sysmem, 0, memory_region_new_ram("ram", 1 << 20));
    AddressSpace *as = address_space_new(sysmem, "cpu-memory");
    cpu_models_add(toy_models);
    CPUState *cpu = cpu_create("toy1", as, &err);
    ck_assert_msg(cpu != NULL, "%s", err ? err : "");
    return cpu;
}

START_TEST(test_kvm_cpu_has_no_translator_memory)
{
    CPUState *cpu = make_cpu("kvm");
    ck_assert_str_eq(accel_current()->name, "kvm");
    ck_assert_int_eq(kvm_cpu_inits, 1);
    ck_assert_ptr_null(cpu->jmp_cache);
    ck_assert_ptr_null(cpu->common->jmp_cache);
    for (int i = 0; i < TCG_MAX_MMU_MODES; i++) {
        ck_assert_ptr_null(cpu->tlb_table[i]);
        ck_assert_ptr_null(cpu->tlb_full[i]);
    }
    /* What the rest of the system still does to a KVM vCPU: reset it, flush translated
     * code (gdb breakpoints), destroy it. */
    cpu_reset(cpu);
    ck_assert_int_eq(cpu->exception_index, -1);
    tb_flush(NULL);
    cpu_destroy(cpu);
    ck_assert_ptr_null(cpu_first());
}
END_TEST

START_TEST(test_tcg_cpu_has_jump_cache_and_tlb)
{
    CPUState *cpu = make_cpu("tcg");
    ck_assert_int_eq(kvm_cpu_inits, 0);
    ck_assert_ptr_nonnull(cpu->jmp_cache);
    ck_assert_ptr_eq(cpu->common->jmp_cache, cpu->jmp_cache);
    ck_assert_ptr_nonnull(cpu->tlb_table[0]);
    ck_assert_ptr_nonnull(cpu->tlb_full[0]);
    cpu_reset(cpu);
    cpu_destroy(cpu);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cpu-accel");
    TCase *tc = tcase_create("create");
    tcase_add_test(tc, test_kvm_cpu_has_no_translator_memory);
    tcase_add_test(tc, test_tcg_cpu_has_jump_cache_and_tlb);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
