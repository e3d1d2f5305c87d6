/*
 * cpu/kvm/kvm.c: the KVM accelerator. Guest RAM sections of the memory API become KVM
 * memory slots (one listener), each vCPU is a host thread looping on KVM_RUN, and exits
 * (port I/O, MMIO) go to the same device models TCG uses, under the global lock. A system
 * reset puts vCPUs and the in-kernel irqchip back to the state recorded at creation.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>
#include <linux/kvm.h>

#include "cpu/kvm/kvm.h"
#include "cpu/x86/x86.h"
#include "system/machine.h"
#include "system/main-loop.h"

#define KVM_MAX_SLOTS 32
/* What kvm_kick sends a vCPU thread so that a KVM_RUN in progress returns (EINTR). */
#define KVM_SIG_KICK SIGUSR1

typedef struct KvmSlot {
    bool used;
    uint64_t gpa, size;
} KvmSlot;

typedef struct KvmVcpu {
    int fd;
    struct kvm_run *run;
    size_t run_size;
    /* Power-on state, as KVM created the vCPU and we completed it; a system reset puts
     * it back (the architectural reset leaves little of it to chance, KVM knows the rest). */
    uint64_t reset_apic_base;
    struct kvm_lapic_state reset_lapic;
    struct kvm_xsave *reset_xsave;
    struct kvm_msrs *reset_msrs;
    volatile bool dead; /* stopped itself (triple fault, entry failure) until reset */
} KvmVcpu;

static int kvm_fd = -1, kvm_vm_fd = -1;
static int kvm_run_mmap_size;
static bool kvm_on, kvm_software;
static AddressSpace *kvm_io_as;
static KvmSlot kvm_slots[KVM_MAX_SLOTS];
static MemoryListener kvm_listener;
static AddressSpace *kvm_listener_as;
static struct kvm_cpuid2 *kvm_cpuid;
/* The in-kernel PIC (master, slave), IOAPIC and PIT as created: restored on reset. */
static struct kvm_irqchip kvm_reset_chips[3];
static struct kvm_pit_state2 kvm_reset_pit;
/* Bytes of KVM_GET_XSAVE2's buffer (at least struct kvm_xsave). */
static size_t kvm_xsave_size;
/* MSRs the vCPUs have (KVM_GET_MSR_INDEX_LIST) and the feature MSRs with the values KVM
 * supports (KVM_GET_MSR_FEATURE_INDEX_LIST read on /dev/kvm). */
static struct kvm_msr_list *kvm_msr_index;
static struct kvm_msrs *kvm_feature_msrs;

#define MSR_IA32_TSC          0x10
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_IA32_TSC_DEADLINE 0x6e0

bool kvm_enabled(void)
{
    return kvm_on;
}

bool kvm_is_software(void)
{
    return kvm_software;
}

void kvm_set_io_space(AddressSpace *io)
{
    kvm_io_as = io;
}

void kvm_set_irq(int gsi, int level)
{
    struct kvm_irq_level l = {.irq = gsi, .level = level};
    if (kvm_vm_fd >= 0 && ioctl(kvm_vm_fd, KVM_IRQ_LINE, &l) < 0) {
        fprintf(stderr, "mimic: KVM_IRQ_LINE %d: %s\n", gsi, strerror(errno));
    }
}

void kvm_reset_irqchip(void)
{
    if (kvm_vm_fd < 0) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        if (ioctl(kvm_vm_fd, KVM_SET_IRQCHIP, &kvm_reset_chips[i]) < 0) {
            fprintf(stderr, "mimic: KVM_SET_IRQCHIP %d: %s\n", i, strerror(errno));
        }
    }
    if (ioctl(kvm_vm_fd, KVM_SET_PIT2, &kvm_reset_pit) < 0) {
        fprintf(stderr, "mimic: KVM_SET_PIT2: %s\n", strerror(errno));
    }
}

/* ---- Memory slots ------------------------------------------------------------------ */

static void kvm_slot_set(int id, uint64_t gpa, uint64_t size, void *host, bool readonly)
{
    struct kvm_userspace_memory_region r = {
        .slot = id,
        .flags = readonly ? KVM_MEM_READONLY : 0,
        .guest_phys_addr = gpa,
        .memory_size = size,
        .userspace_addr = (uintptr_t)host,
    };
    if (ioctl(kvm_vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
        fprintf(stderr, "mimic: KVM_SET_USER_MEMORY_REGION [0x%" PRIx64 ", +0x%" PRIx64 "): %s\n",
                gpa, size, strerror(errno));
    }
}

static void kvm_region_add(MemoryListener *l, const MemoryRegionSection *s)
{
    (void)l;
    if (!s->mr || !memory_region_is_ram(s->mr)) {
        return;
    }
    if ((s->addr | s->size | s->offset_in_region) & 0xfff) {
        /* KVM maps whole pages; such a piece stays MMIO-less and unreachable. */
        fprintf(stderr, "mimic: kvm: RAM section at 0x%" PRIx64 " is not page aligned\n", s->addr);
        return;
    }
    for (int i = 0; i < KVM_MAX_SLOTS; i++) {
        if (!kvm_slots[i].used) {
            uint8_t *host = memory_region_get_ram_ptr(s->mr);
            kvm_slots[i] = (KvmSlot){true, s->addr, s->size};
            kvm_slot_set(i, s->addr, s->size, host + s->offset_in_region,
                         s->readonly || memory_region_is_rom(s->mr));
            return;
        }
    }
    fprintf(stderr, "mimic: kvm: out of memory slots\n");
}

static void kvm_region_del(MemoryListener *l, const MemoryRegionSection *s)
{
    (void)l;
    for (int i = 0; i < KVM_MAX_SLOTS; i++) {
        if (kvm_slots[i].used && kvm_slots[i].gpa == s->addr && kvm_slots[i].size == s->size) {
            kvm_slot_set(i, s->addr, 0, NULL, false);
            kvm_slots[i].used = false;
            return;
        }
    }
}

/* ---- Accelerator set-up ------------------------------------------------------------ */

static int kvm_fail(char **errp, const char *fmt, const char *what)
{
    if (errp) {
        *errp = g_strdup_printf(fmt, what);
    }
    if (kvm_vm_fd >= 0) {
        close(kvm_vm_fd);
        kvm_vm_fd = -1;
    }
    if (kvm_fd >= 0) {
        close(kvm_fd);
        kvm_fd = -1;
    }
    return -1;
}

static struct kvm_msr_list *kvm_get_msr_list(unsigned long req)
{
    struct kvm_msr_list probe = {.nmsrs = 0};
    if (ioctl(kvm_fd, req, &probe) < 0 && errno != E2BIG) {
        return NULL;
    }
    struct kvm_msr_list *l = g_malloc0(sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
    l->nmsrs = probe.nmsrs;
    if (ioctl(kvm_fd, req, l) < 0) {
        g_free(l);
        return NULL;
    }
    return l;
}

static struct kvm_msrs *kvm_msrs_new(uint32_t n)
{
    struct kvm_msrs *m = g_malloc0(sizeof(*m) + n * sizeof(m->entries[0]));
    m->nmsrs = n;
    return m;
}

/* Reads `list` one MSR at a time from fd (a vCPU, or /dev/kvm for feature MSRs) and keeps
 * those that read: KVM_GET_MSRS stops at the first it refuses. */
static struct kvm_msrs *kvm_read_msrs(int fd, const struct kvm_msr_list *list)
{
    struct kvm_msrs *out = kvm_msrs_new(list ? list->nmsrs : 0);
    out->nmsrs = 0;
    g_autofree struct kvm_msrs *one = kvm_msrs_new(1);
    for (uint32_t i = 0; list && i < list->nmsrs; i++) {
        if (list->indices[i] == MSR_IA32_TSC || list->indices[i] == MSR_IA32_TSC_DEADLINE) {
            continue; /* written on their own: 0 at power-on */
        }
        one->entries[0] = (struct kvm_msr_entry){.index = list->indices[i]};
        if (ioctl(fd, KVM_GET_MSRS, one) == 1) {
            out->entries[out->nmsrs++] = one->entries[0];
        }
    }
    return out;
}

/* Sets one MSR of a vCPU; KVM may refuse it (not this CPU's). */
static void kvm_write_msr(int fd, uint32_t index, uint64_t value)
{
    g_autofree struct kvm_msrs *m = kvm_msrs_new(1);
    m->entries[0] = (struct kvm_msr_entry){.index = index, .data = value};
    ioctl(fd, KVM_SET_MSRS, m);
}

/* Writes every entry of m, skipping those KVM refuses (KVM_SET_MSRS stops at the first). */
static void kvm_write_msrs(int fd, const struct kvm_msrs *m)
{
    uint32_t done = 0;
    while (done < m->nmsrs) {
        g_autofree struct kvm_msrs *rest = kvm_msrs_new(m->nmsrs - done);
        memcpy(rest->entries, m->entries + done, rest->nmsrs * sizeof(m->entries[0]));
        int r = ioctl(fd, KVM_SET_MSRS, rest);
        done += r > 0 ? (uint32_t)r + 1 : 1;
    }
}

static void kvm_sig_kick(int sig)
{
    (void)sig; /* only interrupts KVM_RUN */
}

static int kvm_accel_init(char **errp)
{
#if !defined(__x86_64__)
    return kvm_fail(errp, "%s", "KVM needs an x86-64 host for x86-64 guests");
#endif
    /* MIMIC_KVM_DEVICE: tests point it elsewhere to see the error path. */
    const char *dev = getenv("MIMIC_KVM_DEVICE") ? getenv("MIMIC_KVM_DEVICE") : "/dev/kvm";
    kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) {
        g_autofree char *what = g_strdup_printf("%s: %s", dev, strerror(errno));
        return kvm_fail(errp, "-accel kvm: cannot open %s (KVM missing or not accessible)", what);
    }
    if (ioctl(kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
        return kvm_fail(errp, "-accel kvm: %s has an unexpected API version", dev);
    }
    static const struct {
        int cap;
        const char *name;
    } caps[] = {
        {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},
        {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},
        {KVM_CAP_PIT2, "KVM_CAP_PIT2"},
        {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"},
        {KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(caps); i++) {
        if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
            return kvm_fail(errp, "this host's KVM lacks %s", caps[i].name);
        }
    }
    kvm_run_mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (kvm_run_mmap_size <= 0) {
        return kvm_fail(errp, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    }
    kvm_vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
    if (kvm_vm_fd < 0) {
        return kvm_fail(errp, "KVM_CREATE_VM: %s", strerror(errno));
    }
    /* VMX needs three pages for its real-mode TSS somewhere the guest does not use. */
    ioctl(kvm_vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
    if (ioctl(kvm_vm_fd, KVM_CREATE_IRQCHIP, 0) < 0) {
        return kvm_fail(errp, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
    }
    struct kvm_pit_config pit = {.flags = 0};
    if (ioctl(kvm_vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
        return kvm_fail(errp, "KVM_CREATE_PIT2: %s", strerror(errno));
    }
    for (int i = 0; i < 3; i++) {
        kvm_reset_chips[i].chip_id = i;
        if (ioctl(kvm_vm_fd, KVM_GET_IRQCHIP, &kvm_reset_chips[i]) < 0) {
            return kvm_fail(errp, "KVM_GET_IRQCHIP: %s", strerror(errno));
        }
    }
    if (ioctl(kvm_vm_fd, KVM_GET_PIT2, &kvm_reset_pit) < 0) {
        return kvm_fail(errp, "KVM_GET_PIT2: %s", strerror(errno));
    }
    int xsave2 = ioctl(kvm_vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
    kvm_xsave_size = MAX(sizeof(struct kvm_xsave), xsave2 > 0 ? (size_t)xsave2 : 0);
    kvm_msr_index = kvm_get_msr_list(KVM_GET_MSR_INDEX_LIST);
    if (!kvm_msr_index) {
        return kvm_fail(errp, "KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
    }
    g_autofree struct kvm_msr_list *features = NULL;
    if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GET_MSR_FEATURES) > 0) {
        features = kvm_get_msr_list(KVM_GET_MSR_FEATURE_INDEX_LIST);
    }
    kvm_feature_msrs = kvm_read_msrs(kvm_fd, features);
    for (int n = 64; n <= 4096; n *= 2) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) + n * sizeof(c->entries[0]));
        c->nent = n;
        if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            kvm_cpuid = c;
            break;
        }
        g_free(c);
        if (errno != E2BIG) {
            return kvm_fail(errp, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
        }
    }
    if (!kvm_cpuid) {
        return kvm_fail(errp, "%s", "KVM_GET_SUPPORTED_CPUID: too many entries");
    }
    struct sigaction sa = {.sa_handler = kvm_sig_kick};
    sigemptyset(&sa.sa_mask);
    sigaction(KVM_SIG_KICK, &sa, NULL);

    kvm_software = access("/sys/module/kvm_pvm", F_OK) == 0;
    if (kvm_software) {
        fprintf(stderr, "mimic: warning: /dev/kvm is kvm_pvm (software virtualisation): guest "
                        "kernel code runs emulated, thousands of times slower\n");
    }
    kvm_on = true;
    return 0;
}

/* ---- vCPU state -------------------------------------------------------------------- */

static void kvm_seg_to(struct kvm_segment *k, const X86Segment *s)
{
    *k = (struct kvm_segment){
        .base = s->base,
        .limit = s->limit,
        .selector = s->selector,
        .type = s->type,
        .present = s->present,
        .dpl = s->dpl,
        .db = s->db,
        .s = s->s,
        .l = s->l,
        .g = s->g,
        .avl = s->avl,
        .unusable = s->unusable || !s->present,
    };
}

static void kvm_seg_from(X86Segment *s, const struct kvm_segment *k)
{
    *s = (X86Segment){
        .base = k->base,
        .limit = k->limit,
        .selector = k->selector,
        .type = k->type,
        .present = k->present,
        .dpl = k->dpl,
        .db = k->db,
        .s = k->s,
        .l = k->l,
        .g = k->g,
        .avl = k->avl,
        .unusable = k->unusable,
    };
}

static struct kvm_segment *kvm_sregs_seg(struct kvm_sregs *sr, int i)
{
    struct kvm_segment *const t[X86_SEG_COUNT] = {&sr->es, &sr->cs, &sr->ss, &sr->ds,
                                                  &sr->fs, &sr->gs, &sr->tr, &sr->ldt};
    return t[i];
}

/* kvm_regs lists rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8..r15: not the encoding order. */
static const int kvm_gpr_order[16] = {X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI,
                                      X86_RSP, X86_RBP, 8,       9,       10,      11,
                                      12,      13,      14,      15};

/* The state a reset puts back that env does not hold: LAPIC (after the APIC base, whose
 * mode it depends on), MSRs with the TSC at 0, FPU/SSE/AVX through XSAVE, XCR0 = x87,
 * no pending event, debug registers, and the MP state (APs wait for INIT/SIPI, as the MP
 * spec has it). */
static int kvm_push_power_on(CPUState *cpu, KvmVcpu *v)
{
    if (ioctl(v->fd, KVM_SET_LAPIC, &v->reset_lapic) < 0) {
        return -1;
    }
    kvm_write_msrs(v->fd, v->reset_msrs);
    kvm_write_msr(v->fd, MSR_IA32_TSC, 0);
    kvm_write_msr(v->fd, MSR_IA32_TSC_DEADLINE, 0);
    if (ioctl(v->fd, KVM_SET_XSAVE, v->reset_xsave) < 0) {
        return -1;
    }
    struct kvm_xcrs xcrs = {.nr_xcrs = 1, .xcrs = {{.xcr = 0, .value = 1}}};
    if (ioctl(v->fd, KVM_SET_XCRS, &xcrs) < 0) {
        return -1;
    }
    struct kvm_vcpu_events ev = {.flags = KVM_VCPUEVENT_VALID_NMI_PENDING};
    ioctl(v->fd, KVM_SET_VCPU_EVENTS, &ev);
    struct kvm_debugregs dr = {.dr6 = 0xffff0ff0, .dr7 = 0x400};
    ioctl(v->fd, KVM_SET_DEBUGREGS, &dr);
    struct kvm_mp_state mp = {.mp_state = cpu->cpu_index == 0 ? KVM_MP_STATE_RUNNABLE
                                                              : KVM_MP_STATE_UNINITIALIZED};
    return ioctl(v->fd, KVM_SET_MP_STATE, &mp);
}

/* env's registers into KVM; with `reset`, the rest of the power-on state too. */
static int kvm_push_state(CPUState *cpu, bool reset)
{
    X86Env *env = cpu->env;
    KvmVcpu *v = env->accel;
    struct kvm_sregs sr;
    if (ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
        return -1;
    }
    for (int i = 0; i < X86_SEG_COUNT; i++) {
        kvm_seg_to(kvm_sregs_seg(&sr, i), &env->seg[i]);
    }
    sr.gdt.base = env->gdt_base;
    sr.gdt.limit = env->gdt_limit;
    sr.idt.base = env->idt_base;
    sr.idt.limit = env->idt_limit;
    sr.cr0 = env->cr0;
    sr.cr2 = env->cr2;
    sr.cr3 = env->cr3;
    sr.cr4 = env->cr4;
    sr.cr8 = env->cr8;
    sr.efer = env->efer;
    if (reset) {
        sr.apic_base = v->reset_apic_base;
        memset(sr.interrupt_bitmap, 0, sizeof(sr.interrupt_bitmap));
    }
    /* Otherwise apic_base and pending interrupts stay as the in-kernel LAPIC has them. */
    if (ioctl(v->fd, KVM_SET_SREGS, &sr) < 0) {
        return -1;
    }
    if (reset && kvm_push_power_on(cpu, v) < 0) {
        return -1;
    }
    struct kvm_regs r = {0};
    __u64 *rp = &r.rax;
    for (int i = 0; i < 16; i++) {
        rp[i] = env->regs[kvm_gpr_order[i]];
    }
    r.rip = env->rip;
    r.rflags = env->rflags;
    if (ioctl(v->fd, KVM_SET_REGS, &r) < 0) {
        return -1;
    }
    env->regs_dirty = false;
    return 0;
}

/* The FPU for gdb and dumps, from the legacy region of KVM_GET_XSAVE's buffer, which is
 * FXSAVE's 64-bit layout (SDM vol. 1, 10.5.1 and 13.4.1); KVM fills components the guest
 * left in their initial state with that state. (KVM_GET_FPU reads MXCSR as 0 on some
 * hosts.) env never changes it, so it is read even while env's other registers are newer
 * than KVM's; a vCPU whose FPU cannot be read shows it unavailable. */
static void kvm_pull_fpu(KvmVcpu *v, X86FpuState *fs)
{
    g_autofree uint8_t *x = g_malloc0(kvm_xsave_size);
    unsigned long get_xsave =
        kvm_xsave_size > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
    fs->valid = ioctl(v->fd, get_xsave, x) == 0;
    if (!fs->valid) {
        return;
    }
    memcpy(&fs->fcw, x + 0, 2);
    memcpy(&fs->fsw, x + 2, 2);
    fs->ftw_abridged = x[4];
    memcpy(&fs->fop, x + 6, 2);
    memcpy(&fs->fip, x + 8, 8);
    memcpy(&fs->fdp, x + 16, 8);
    memcpy(&fs->mxcsr, x + 24, 4);
    for (int i = 0; i < 8; i++) {
        memcpy(fs->st[i], x + 32 + 16 * i, 10);
    }
    memcpy(fs->xmm, x + 160, sizeof(fs->xmm));
}

static void kvm_pull_state(CPUState *cpu)
{
    X86Env *env = cpu->env;
    KvmVcpu *v = env->accel;
    struct kvm_regs r;
    struct kvm_sregs sr;
    if (!v) {
        return;
    }
    kvm_pull_fpu(v, &env->fpu);
    if (env->regs_dirty || ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
        ioctl(v->fd, KVM_GET_SREGS, &sr) < 0) {
        return;
    }
    __u64 *rp = &r.rax;
    for (int i = 0; i < 16; i++) {
        env->regs[kvm_gpr_order[i]] = rp[i];
    }
    env->rip = r.rip;
    env->rflags = r.rflags;
    for (int i = 0; i < X86_SEG_COUNT; i++) {
        kvm_seg_from(&env->seg[i], kvm_sregs_seg(&sr, i));
    }
    env->gdt_base = sr.gdt.base;
    env->gdt_limit = sr.gdt.limit;
    env->idt_base = sr.idt.base;
    env->idt_limit = sr.idt.limit;
    env->cr0 = sr.cr0;
    env->cr2 = sr.cr2;
    env->cr3 = sr.cr3;
    env->cr4 = sr.cr4;
    env->cr8 = sr.cr8;
    env->efer = sr.efer;
}

/* -smp: the topology CPUID describes (cpu_create runs before the last vCPU exists). */
static uint32_t kvm_cpu_count(void)
{
    return current_machine && current_machine->smp > 0 ? current_machine->smp : 1;
}

static int kvm_setup_cpuid(CPUState *cpu, KvmVcpu *v)
{
    g_autofree struct kvm_cpuid2 *c =
        kvm_cpuid_for_vcpu(kvm_cpuid, cpu->cpu_index, kvm_cpu_count(), kvm_xsave_size);
    return ioctl(v->fd, KVM_SET_CPUID2, c);
}

static void kvm_cpu_destroy(CPUState *cpu);

/* Completes the state KVM gives a new vCPU (feature MSRs as KVM supports them, fast
 * strings on as firmware leaves them, FPU control words of FNINIT/power-on) and records
 * it as what reset restores. */
static int kvm_snapshot_power_on(KvmVcpu *v)
{
    /* A fixed TSC frequency, where KVM can scale it: the host's, stated explicitly so the
     * guest keeps it whatever the host does later. */
    if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL) > 0) {
        int khz = ioctl(v->fd, KVM_GET_TSC_KHZ, 0);
        if (khz > 0) {
            ioctl(v->fd, KVM_SET_TSC_KHZ, khz);
        }
    }
    kvm_write_msrs(v->fd, kvm_feature_msrs);
    kvm_write_msr(v->fd, MSR_IA32_MISC_ENABLE, 1);
    struct kvm_fpu fpu = {.fcw = 0x37f, .mxcsr = 0x1f80};
    struct kvm_sregs sr;
    if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0 || ioctl(v->fd, KVM_GET_SREGS, &sr) < 0 ||
        ioctl(v->fd, KVM_GET_LAPIC, &v->reset_lapic) < 0) {
        return -1;
    }
    v->reset_apic_base = sr.apic_base;
    v->reset_msrs = kvm_read_msrs(v->fd, kvm_msr_index);
    v->reset_xsave = g_malloc0(kvm_xsave_size);
    unsigned long get_xsave =
        kvm_xsave_size > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
    return ioctl(v->fd, get_xsave, v->reset_xsave);
}

static int kvm_cpu_init(CPUState *cpu, char **errp)
{
    X86Env *env = cpu->env;
    if (strcmp(cpu->ops->name, "x86_64") != 0) {
        *errp = g_strdup_printf("KVM runs x86-64 guests only, not %s", cpu->ops->name);
        return -1;
    }
    if (!kvm_listener_as) {
        kvm_listener.region_add = kvm_region_add;
        kvm_listener.region_del = kvm_region_del;
        kvm_listener_as = cpu->as;
        memory_listener_register(cpu->as, &kvm_listener);
    }
    KvmVcpu *v = g_new0(KvmVcpu, 1);
    v->fd = ioctl(kvm_vm_fd, KVM_CREATE_VCPU, cpu->cpu_index);
    if (v->fd < 0) {
        *errp = g_strdup_printf("KVM_CREATE_VCPU %d: %s", cpu->cpu_index, strerror(errno));
        g_free(v);
        return -1;
    }
    v->run_size = kvm_run_mmap_size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
    if (v->run == MAP_FAILED) {
        *errp = g_strdup_printf("mmap of the KVM vCPU: %s", strerror(errno));
        close(v->fd);
        g_free(v);
        return -1;
    }
    if (kvm_setup_cpuid(cpu, v) < 0) {
        *errp = g_strdup_printf("KVM_SET_CPUID2: %s", strerror(errno));
        munmap(v->run, v->run_size);
        close(v->fd);
        g_free(v);
        return -1;
    }
    env->accel = v;
    if (kvm_snapshot_power_on(v) < 0) {
        *errp = g_strdup_printf("cannot read the initial state of KVM vCPU %d: %s", cpu->cpu_index,
                                strerror(errno));
        kvm_cpu_destroy(cpu);
        return -1;
    }
    /* Now, not lazily: an AP must already wait for SIPI when the BSP sends it. */
    if (kvm_push_state(cpu, true) < 0) {
        *errp = g_strdup_printf("cannot set the registers of KVM vCPU %d: %s", cpu->cpu_index,
                                strerror(errno));
        kvm_cpu_destroy(cpu);
        return -1;
    }
    return 0;
}

static void kvm_cpu_destroy(CPUState *cpu)
{
    X86Env *env = cpu->env;
    KvmVcpu *v = env->accel;
    if (!v) {
        return;
    }
    munmap(v->run, v->run_size);
    close(v->fd);
    g_free(v->reset_xsave);
    g_free(v->reset_msrs);
    g_free(v);
    env->accel = NULL;
}

/* KVM_GET_REGS from another thread waits until the vCPU's KVM_RUN returns, which a guest
 * computing without exits never does (the monitor's `info registers` hung so): other threads
 * read the registers with the vCPUs paused, that is kicked out of KVM_RUN. */
static void kvm_synchronize_state(CPUState *cpu)
{
    bool own_thread = cpu->thread_created && pthread_equal(pthread_self(), cpu->thread);
    if (!cpu->thread_created || own_thread || cpus_paused()) {
        kvm_pull_state(cpu);
        return;
    }
    cpus_pause();
    kvm_pull_state(cpu);
    cpus_resume();
}

static void kvm_synchronize_post_reset(CPUState *cpu)
{
    X86Env *env = cpu->env;
    KvmVcpu *v = env->accel;
    env->regs_dirty = true;
    if (v) {
        v->dead = false;
        /* The vCPUs are stopped during a reset. */
        if (kvm_push_state(cpu, true) < 0) {
            fprintf(stderr, "mimic: cpu%d: cannot reset the KVM vCPU: %s\n", cpu->cpu_index,
                    strerror(errno));
        }
    }
}

/* ---- The vCPU loop ----------------------------------------------------------------- */

static void kvm_handle_io(struct kvm_run *run)
{
    uint8_t *data = (uint8_t *)run + run->io.data_offset;
    unsigned size = run->io.size;
    bql_lock();
    for (uint32_t i = 0; i < run->io.count; i++, data += size) {
        uint64_t val = 0;
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&val, data, size);
            if (kvm_io_as) {
                address_space_store(kvm_io_as, run->io.port, size, false, val);
            }
        } else {
            /* Nothing at a port reads as all ones, as on an ISA bus. */
            if (!kvm_io_as ||
                address_space_load(kvm_io_as, run->io.port, size, false, &val) != MEMTX_OK) {
                val = ~0ull;
            }
            memcpy(data, &val, size);
        }
    }
    bql_unlock();
}

static void kvm_handle_mmio(CPUState *cpu, struct kvm_run *run)
{
    bql_lock();
    if (run->mmio.is_write) {
        address_space_write(cpu->as, run->mmio.phys_addr, run->mmio.data, run->mmio.len);
    } else if (address_space_read(cpu->as, run->mmio.phys_addr, run->mmio.data, run->mmio.len) !=
               MEMTX_OK) {
        memset(run->mmio.data, 0xff, run->mmio.len);
    }
    bql_unlock();
}

/* A guest that broke itself: say why with its registers, and end the VM with exit 1. */
static void kvm_vcpu_fatal(CPUState *cpu, const char *fmt, uint64_t a)
{
    KvmVcpu *v = ((X86Env *)cpu->env)->accel;
    fprintf(stderr, "mimic: cpu%d: ", cpu->cpu_index);
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n");
    kvm_pull_state(cpu);
    cpu->ops->dump_state(cpu, stderr);
    v->dead = true;
    vm_request_shutdown(1);
}

static void *kvm_vcpu_thread(void *arg)
{
    CPUState *cpu = arg;
    X86Env *env = cpu->env;
    KvmVcpu *v = env->accel;
    current_cpu = cpu;
    while (cpu_thread_wait_runnable(cpu)) {
        /* Cleared before the request is looked at: a kick after the look sets it again
         * and KVM_RUN returns at once, one before it is seen here. */
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        if (__atomic_exchange_n(&cpu->exit_request, false, __ATOMIC_SEQ_CST) || v->dead) {
            if (v->dead) {
                g_usleep(10000);
            }
            continue;
        }
        if (env->regs_dirty && kvm_push_state(cpu, false) < 0) {
            kvm_vcpu_fatal(cpu, "cannot load registers into KVM (errno %" PRIu64 ")",
                           (uint64_t)errno);
            continue;
        }
        int r = ioctl(v->fd, KVM_RUN, 0);
        if (r < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            kvm_vcpu_fatal(cpu, "KVM_RUN failed (errno %" PRIu64 ")", (uint64_t)errno);
            continue;
        }
        struct kvm_run *run = v->run;
        switch (run->exit_reason) {
        case KVM_EXIT_IO: kvm_handle_io(run); break;
        case KVM_EXIT_MMIO: kvm_handle_mmio(cpu, run); break;
        case KVM_EXIT_HLT:
        case KVM_EXIT_INTR:
        case KVM_EXIT_IRQ_WINDOW_OPEN: break;
        case KVM_EXIT_SHUTDOWN:
            /* Triple fault: a PC resets (-no-reboot turns that into an exit). */
            v->dead = true;
            vm_request_reset();
            break;
        case KVM_EXIT_SYSTEM_EVENT:
            v->dead = true;
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
                vm_request_reset();
            } else {
                vm_request_shutdown(0);
            }
            break;
        case KVM_EXIT_FAIL_ENTRY:
            kvm_vcpu_fatal(cpu, "KVM could not enter the guest (hardware reason 0x%" PRIx64 ")",
                           run->fail_entry.hardware_entry_failure_reason);
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            kvm_vcpu_fatal(cpu, "KVM internal error (suberror %" PRIu64 ")",
                           run->internal.suberror);
            break;
        default: kvm_vcpu_fatal(cpu, "unhandled KVM exit reason %" PRIu64, run->exit_reason); break;
        }
    }
    return NULL;
}

/* cpu_exit and cpu_interrupt call this after setting their request: immediate_exit
 * catches a vCPU about to enter KVM_RUN, the signal one already inside. Nothing here
 * calls back into cpu/. */
static void kvm_kick(CPUState *cpu)
{
    KvmVcpu *v = ((X86Env *)cpu->env)->accel;
    if (v) {
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    }
    if (cpu->thread_created) {
        pthread_kill(cpu->thread, KVM_SIG_KICK);
    }
}

const AccelOps accel_kvm_ops = {
    .name = "kvm",
    .init = kvm_accel_init,
    .vcpu_thread = kvm_vcpu_thread,
    .kick = kvm_kick,
    .cpu_init = kvm_cpu_init,
    .cpu_destroy = kvm_cpu_destroy,
    .synchronize_state = kvm_synchronize_state,
    .synchronize_post_reset = kvm_synchronize_post_reset,
};
