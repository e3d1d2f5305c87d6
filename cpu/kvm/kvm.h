/*
 * cpu/kvm/kvm.h: the KVM accelerator (accel_kvm_ops in cpu/cpu.h) and what x86 boards
 * need from it: the port-I/O space KVM exits dispatch into, and interrupt lines into
 * the in-kernel irqchip (PIC + IOAPIC + LAPIC, PIT).
 */
#ifndef MIMIC_CPU_KVM_KVM_H
#define MIMIC_CPU_KVM_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "system/memory.h"

/* True once accel_init picked KVM. */
bool kvm_enabled(void);
/* True when /dev/kvm is a software implementation (kvm_pvm): CPL 0 code is emulated. */
bool kvm_is_software(void);
/* The address space KVM_EXIT_IO accesses go to (64 KiB of ports). */
void kvm_set_io_space(AddressSpace *io);
/* Drives in-kernel irqchip input `gsi` (0-15 PIC+IOAPIC, 16-23 IOAPIC). */
void kvm_set_irq(int gsi, int level);
/* Puts the in-kernel PIC, IOAPIC and PIT back as they were created (boards' reset; the
 * LAPICs are reset with their vCPUs). */
void kvm_reset_irqchip(void);
struct kvm_cpuid2;
/* The CPUID table of one vCPU (g_free it) from KVM_GET_SUPPORTED_CPUID's: n_cpus cores of one
 * thread in one package (leaves 1, 4, 0xb, 0x1f), x2APIC id apic_id, the hypervisor bit and
 * KVM's leaves 0x40000000.., XSAVE components that fit in xsave_bytes (leaf 0xd). */
struct kvm_cpuid2 *kvm_cpuid_for_vcpu(const struct kvm_cpuid2 *supported, uint32_t apic_id,
                                      uint32_t n_cpus, size_t xsave_bytes);
/* Number of GSIs the in-kernel IOAPIC has. */
#define KVM_NR_GSIS 24

#endif
