/*
 * tests/unit/kvm/test-cpuid.c: the CPUID table a vCPU gets from a KVM supported-CPUID list
 * (this host's, as KVM_GET_SUPPORTED_CPUID returned it): topology leaves for -smp, APIC ids,
 * hypervisor leaves, cache sharing, and the XSAVE leaf trimmed to the state buffer.
 */
#include <check.h>
#include <stdlib.h>

#include <glib.h>
#include <linux/kvm.h>

#include "cpu/kvm/kvm.h"

#define SIG KVM_CPUID_FLAG_SIGNIFCANT_INDEX

/* A Xeon's list under kvm_pvm, abridged (function, index, flags, eax, ebx, ecx, edx). */
static const struct kvm_cpuid_entry2 host[] = {
    {0, 0, 0, 0x1c, 0x756e6547, 0x6c65746e, 0x49656e69},
    {1, 0, 0, 0x000c06f2, 0x01020800, 0x81202000, 0x0f8bfbff},
    {4, 0, SIG, 0x04000121, 0x02c0003f, 0x3f, 0},
    {4, 1, SIG, 0x04000122, 0x01c0003f, 0x3f, 0},
    {4, 2, SIG, 0x04000143, 0x03c0003f, 0x7ff, 0},
    {4, 3, SIG, 0x04004163, 0x04c0003f, 0x33fff, 0},
    {4, 4, SIG, 0, 0, 0, 0},
    {0xb, 0, SIG, 0, 0, 0, 1},
    {0xd, 0, SIG, 0xe7, 0xa80, 0xa80, 0},
    {0xd, 1, SIG, 0, 0, 0, 0},
    {0xd, 2, SIG, 0x100, 0x240, 0, 0},
    {0xd, 5, SIG, 0x40, 0x440, 0, 0},
    {0xd, 6, SIG, 0x200, 0x480, 0, 0},
    {0xd, 7, SIG, 0x400, 0x680, 0, 0},
    {0x40000000, 0, 0, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d},
    {0x40000001, 0, 0, 0x01007efb, 0, 0, 0},
    {0x80000000, 0, 0, 0x80000021, 0, 0, 0},
};

static struct kvm_cpuid2 *supported(void)
{
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + sizeof(host));
    c->nent = G_N_ELEMENTS(host);
    memcpy(c->entries, host, sizeof(host));
    return c;
}

static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *c, uint32_t fn, uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        const struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn && (!(e->flags & SIG) || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

START_TEST(test_topology_for_smp)
{
    g_autofree struct kvm_cpuid2 *s = supported();
    /* -smp 6 on vCPU 5: 3 bits of core id, APIC id 5 everywhere it is stated */
    g_autofree struct kvm_cpuid2 *c = kvm_cpuid_for_vcpu(s, 5, 6, 4096);
    const struct kvm_cpuid_entry2 *e = leaf(c, 1, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->ebx >> 24, 5);
    ck_assert_uint_eq((e->ebx >> 16) & 0xff, 8);
    ck_assert_uint_eq(e->ebx & 0xffff, 0x0800); /* CLFLUSH size and brand kept */
    ck_assert(e->edx & (1u << 28));             /* HTT: more than one logical CPU */
    ck_assert(e->ecx & (1u << 31));             /* hypervisor */
    const struct kvm_cpuid_entry2 *smt = leaf(c, 0xb, 0), *core = leaf(c, 0xb, 1),
                                  *end = leaf(c, 0xb, 2);
    ck_assert_ptr_nonnull(smt);
    ck_assert_ptr_nonnull(core);
    ck_assert_ptr_nonnull(end);
    ck_assert_uint_eq(smt->eax, 0);
    ck_assert_uint_eq(smt->ebx, 1);
    ck_assert_uint_eq(smt->ecx, 0x100);
    ck_assert_uint_eq(smt->edx, 5);
    ck_assert_uint_eq(core->eax, 3);
    ck_assert_uint_eq(core->ebx, 6);
    ck_assert_uint_eq(core->ecx, 0x201);
    ck_assert_uint_eq(core->edx, 5);
    ck_assert_uint_eq(end->ecx, 2);
    ck_assert_uint_eq(end->ebx, 0);
    ck_assert_ptr_null(leaf(c, 0x1f, 0)); /* max basic leaf 0x1c: no 0x1f */
    /* caches: L1/L2 per core, L3 shared by the 8 addressable cores */
    ck_assert_uint_eq(leaf(c, 4, 0)->eax, 0x1c000121);
    ck_assert_uint_eq(leaf(c, 4, 2)->eax, 0x1c000143);
    ck_assert_uint_eq(leaf(c, 4, 3)->eax, 0x1c01c163);
    ck_assert_uint_eq(leaf(c, 4, 4)->eax, 0);
}
END_TEST

START_TEST(test_single_cpu)
{
    g_autofree struct kvm_cpuid2 *s = supported();
    g_autofree struct kvm_cpuid2 *c = kvm_cpuid_for_vcpu(s, 0, 1, 4096);
    const struct kvm_cpuid_entry2 *e = leaf(c, 1, 0);
    ck_assert_uint_eq(e->ebx >> 16, 0x0001);
    ck_assert(!(e->edx & (1u << 28)));
    ck_assert_uint_eq(leaf(c, 0xb, 1)->eax, 0);
    ck_assert_uint_eq(leaf(c, 0xb, 1)->ebx, 1);
    ck_assert_uint_eq(leaf(c, 4, 3)->eax, 0x00000163);
}
END_TEST

START_TEST(test_hypervisor_leaves)
{
    g_autofree struct kvm_cpuid2 *s = supported();
    g_autofree struct kvm_cpuid2 *c = kvm_cpuid_for_vcpu(s, 0, 2, 4096);
    const struct kvm_cpuid_entry2 *e = leaf(c, 0x40000000, 0);
    ck_assert_ptr_nonnull(e);
    char sig[13] = {0};
    memcpy(sig, &e->ebx, 4);
    memcpy(sig + 4, &e->ecx, 4);
    memcpy(sig + 8, &e->edx, 4);
    ck_assert_str_eq(sig, "KVMKVMKVM");
    ck_assert_uint_eq(e->eax, 0x40000001);
    ck_assert_uint_eq(leaf(c, 0x40000001, 0)->eax, 0x01007efb);
    /* A list without them (some software KVMs) gets KVM's signature anyway. */
    s->nent -= 3;
    s->entries[s->nent++] = host[G_N_ELEMENTS(host) - 1];
    g_autofree struct kvm_cpuid2 *c2 = kvm_cpuid_for_vcpu(s, 0, 2, 4096);
    e = leaf(c2, 0x40000000, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->ebx, 0x4b4d564b);
    ck_assert_ptr_nonnull(leaf(c2, 0x40000001, 0));
}
END_TEST

START_TEST(test_xsave_fits_buffer)
{
    g_autofree struct kvm_cpuid2 *s = supported();
    g_autofree struct kvm_cpuid2 *c = kvm_cpuid_for_vcpu(s, 0, 1, 4096);
    ck_assert_uint_eq(leaf(c, 0xd, 0)->eax, 0xe7);
    ck_assert_uint_eq(leaf(c, 0xd, 0)->ecx, 0xa80);
    /* A 2 KiB buffer holds x87, SSE and AVX; AVX-512's opmask fits but its ZMM state does
     * not, and XCR0 enables the three together: none of them. */
    g_autofree struct kvm_cpuid2 *small = kvm_cpuid_for_vcpu(s, 0, 1, 2048);
    ck_assert_uint_eq(leaf(small, 0xd, 0)->eax, 0x07);
    ck_assert_uint_eq(leaf(small, 0xd, 0)->ecx, 0x340);
    ck_assert_uint_eq(leaf(small, 0xd, 0)->ebx, 0x340);
    ck_assert_uint_eq(leaf(small, 0xd, 2)->eax, 0x100);
    ck_assert_uint_eq(leaf(small, 0xd, 5)->eax, 0);
    ck_assert_uint_eq(leaf(small, 0xd, 6)->eax, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kvm-cpuid");
    TCase *tc = tcase_create("cpuid");
    tcase_add_test(tc, test_topology_for_smp);
    tcase_add_test(tc, test_single_cpu);
    tcase_add_test(tc, test_hypervisor_leaves);
    tcase_add_test(tc, test_xsave_fits_buffer);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
