/*
 * cpu/kvm/cpuid.c: the CPUID a KVM vCPU sees: KVM_GET_SUPPORTED_CPUID (the host's features
 * as KVM can virtualise them) made into one consistent machine: -smp cores of one thread in
 * one package, each vCPU with its own APIC id, the hypervisor leaves, and an XSAVE leaf
 * that fits the state buffer KVM_GET_XSAVE(2) exchanges.
 */
#include <string.h>

#include <glib.h>
#include <linux/kvm.h>

#include "cpu/kvm/kvm.h"

#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_HTT        (1u << 28)
#define KVM_SIGNATURE_EBX      0x4b4d564b /* "KVMKVMKVM\0\0\0" */
#define KVM_SIGNATURE_ECX      0x564b4d56
#define KVM_SIGNATURE_EDX      0x4d

/* Bits of an x2APIC id that number the cores of a package. */
static uint32_t cpuid_core_shift(uint32_t n_cpus)
{
    uint32_t shift = 0;
    while ((1u << shift) < n_cpus) {
        shift++;
    }
    return shift;
}

static struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t fn, uint32_t index)
{
    for (uint32_t i = 0; i < c->nent; i++) {
        struct kvm_cpuid_entry2 *e = &c->entries[i];
        if (e->function == fn &&
            (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index)) {
            return e;
        }
    }
    return NULL;
}

/* Leaf 0xb or 0x1f: SMT level (1 thread), core level (n cores), then the end marker. */
static void cpuid_put_topology(struct kvm_cpuid2 *c, uint32_t fn, uint32_t apic_id, uint32_t n_cpus)
{
    const uint32_t levels[3][3] = {
        /* eax: shift to the next level, ebx: processors at this level, ecx: type << 8 */
        {0, 1, 1u << 8},
        {cpuid_core_shift(n_cpus), n_cpus, 2u << 8},
        {0, 0, 0},
    };
    for (uint32_t i = 0; i < 3; i++) {
        c->entries[c->nent++] = (struct kvm_cpuid_entry2){
            .function = fn,
            .index = i,
            .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
            .eax = levels[i][0],
            .ebx = levels[i][1],
            .ecx = levels[i][2] | i,
            .edx = apic_id,
        };
    }
}

/* Keeps the XSAVE components whose save area ends inside the buffer KVM exchanges (and
 * that XCR0 can enable: AVX-512's three together, AMX's two together), and states the
 * sizes for those. */
static void cpuid_fit_xsave(struct kvm_cpuid2 *c, size_t xsave_bytes)
{
    struct kvm_cpuid_entry2 *d0 = cpuid_find(c, 0xd, 0);
    if (!d0) {
        return;
    }
    uint64_t mask = d0->eax | (uint64_t)d0->edx << 32;
    for (uint32_t bit = 2; bit < 64; bit++) {
        struct kvm_cpuid_entry2 *e = cpuid_find(c, 0xd, bit);
        if ((mask & (1ull << bit)) && (!e || !e->eax || (size_t)e->ebx + e->eax > xsave_bytes)) {
            mask &= ~(1ull << bit);
        }
    }
    const uint64_t groups[] = {0xe0, 3ull << 17};
    for (size_t g = 0; g < G_N_ELEMENTS(groups); g++) {
        if ((mask & groups[g]) != groups[g]) {
            mask &= ~groups[g];
        }
    }
    uint32_t end = 512 + 64; /* legacy area and XSAVE header: x87 and SSE live there */
    for (uint32_t bit = 2; bit < 64; bit++) {
        struct kvm_cpuid_entry2 *e = cpuid_find(c, 0xd, bit);
        if (!(mask & (1ull << bit))) {
            if (e && e->index == bit) {
                e->eax = e->ebx = e->ecx = e->edx = 0;
            }
            continue;
        }
        end = MAX(end, e->ebx + e->eax);
    }
    d0->eax = (uint32_t)mask;
    d0->edx = (uint32_t)(mask >> 32);
    d0->ecx = end;
    d0->ebx = MIN(d0->ebx, end);
}

struct kvm_cpuid2 *kvm_cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id,
                                      uint32_t n_cpus, size_t xsave_bytes)
{
    /* Room for the topology leaves and the hypervisor leaves if they must be added. */
    uint32_t room = supported->nent + 8;
    struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + room * sizeof(c->entries[0]));
    uint32_t shift = cpuid_core_shift(n_cpus);
    uint32_t max_basic = 0;
    bool have_kvm_leaves = false;
    for (uint32_t i = 0; i < supported->nent; i++) {
        struct kvm_cpuid_entry2 e = supported->entries[i];
        switch (e.function) {
        case 0: max_basic = e.eax; break;
        case 1:
            e.ebx = (e.ebx & 0xffff) | (MAX(1u, 1u << shift) << 16) | (apic_id << 24);
            e.ecx |= CPUID_1_ECX_HYPERVISOR;
            e.edx = n_cpus > 1 ? e.edx | CPUID_1_EDX_HTT : e.edx & ~CPUID_1_EDX_HTT;
            break;
        case 4:
            if (e.eax & 0x1f) {
                /* Caches up to L2 belong to one core; the last level is shared by all. */
                uint32_t level = (e.eax >> 5) & 7;
                uint32_t sharing = level >= 3 ? (1u << shift) - 1 : 0;
                e.eax = (e.eax & 0x3fff) | (sharing << 14) | (((1u << shift) - 1) << 26);
            }
            break;
        case 0xb:
        case 0x1f: continue; /* rebuilt below */
        case 0x40000000:
            have_kvm_leaves = e.ebx == KVM_SIGNATURE_EBX && e.ecx == KVM_SIGNATURE_ECX &&
                              e.edx == KVM_SIGNATURE_EDX;
            e.eax = MAX(e.eax, 0x40000001u);
            break;
        default: break;
        }
        c->entries[c->nent++] = e;
    }
    if (max_basic >= 0xb) {
        cpuid_put_topology(c, 0xb, apic_id, n_cpus);
    }
    if (max_basic >= 0x1f) {
        cpuid_put_topology(c, 0x1f, apic_id, n_cpus);
    }
    if (!have_kvm_leaves) {
        /* Without them a Linux guest does not know it runs under KVM (no kvmclock). */
        for (uint32_t i = 0; i < c->nent; i++) {
            if (c->entries[i].function == 0x40000000 || c->entries[i].function == 0x40000001) {
                c->entries[i--] = c->entries[--c->nent];
            }
        }
        c->entries[c->nent++] = (struct kvm_cpuid_entry2){
            .function = 0x40000000,
            .eax = 0x40000001,
            .ebx = KVM_SIGNATURE_EBX,
            .ecx = KVM_SIGNATURE_ECX,
            .edx = KVM_SIGNATURE_EDX,
        };
        c->entries[c->nent++] = (struct kvm_cpuid_entry2){.function = 0x40000001};
    }
    cpuid_fit_xsave(c, xsave_bytes);
    return c;
}
