/*
 * cpu/mips/cpu.c: the MIPS32 CPU outside translated code: reset and models, CP0 registers,
 * the software-managed TLB and the soft-MMU fill, exception entry, interrupts, the
 * Count/Compare timer, and the helpers generated code calls for privileged work.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/mips/mips-internal.h"
#include "system/main-loop.h"
#include "system/timer.h"

#define NS_PER_COUNT (NANOSECONDS_PER_SECOND / MIPS_COUNT_HZ)

static inline MipsEnv *menv(CPUState *cpu)
{
    return cpu->env;
}

/* ---- Mode and interrupts ------------------------------------------------------------ */

static bool mips_kernel_mode(const MipsEnv *e)
{
    return (e->cp0_status & (MIPS_ST_EXL | MIPS_ST_ERL)) || (e->cp0_status & MIPS_ST_KSU) == 0;
}

void mips_compute_hflags(MipsEnv *e)
{
    uint32_t hf;
    if (mips_kernel_mode(e)) {
        hf = MIPS_MMU_KERNEL | MIPS_HF_CP0;
    } else {
        hf = ((e->cp0_status & MIPS_ST_KSU) >> 3) == 1 ? MIPS_MMU_SUPER : MIPS_MMU_USER;
        hf |= MIPS_HF_UM;
        if (e->cp0_status & MIPS_ST_CU0) {
            hf |= MIPS_HF_CP0;
        }
    }
    if (e->has_fpu && (e->cp0_status & MIPS_ST_CU1)) {
        hf |= MIPS_HF_CP1;
    }
    e->hflags = hf;
}

static uint32_t mips_cause(const MipsEnv *e)
{
    return e->cp0_cause | __atomic_load_n(&e->ip_hw, __ATOMIC_ACQUIRE);
}

void mips_update_irq(CPUState *cpu)
{
    MipsEnv *e = menv(cpu);
    if (mips_cause(e) & e->cp0_status & 0xff00) {
        cpu_interrupt(cpu, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD);
    }
}

/* ---- Count / Compare ---------------------------------------------------------------- */

static uint32_t mips_count(const MipsEnv *e)
{
    return (uint32_t)(clock_get_ns(CLOCK_VIRTUAL) / NS_PER_COUNT + e->count_offset);
}

static void mips_timer_arm(MipsEnv *e)
{
    if (!e->timer) {
        return;
    }
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint32_t count = (uint32_t)(now / NS_PER_COUNT + e->count_offset);
    uint64_t delta = (uint32_t)(e->cp0_compare - count);
    if (delta == 0) {
        delta = UINT64_C(1) << 32;
    }
    int64_t deadline = (now / NS_PER_COUNT + (int64_t)delta) * NS_PER_COUNT;
    __atomic_store_n(&e->timer_deadline, deadline, __ATOMIC_SEQ_CST);
    timer_mod_ns(e->timer, deadline);
}

/* Count reached Compare: raise IP7/TI. Checked both by the timer (asynchronously) and
 * whenever the guest looks at Cause, so that a guest polling Cause sees the match at once
 * as on hardware (Linux tests the timer that way), whatever the timer's latency. */
static void mips_timer_check(CPUState *cpu)
{
    MipsEnv *e = menv(cpu);
    int64_t d = __atomic_load_n(&e->timer_deadline, __ATOMIC_SEQ_CST);
    if (d <= 0 || clock_get_ns(CLOCK_VIRTUAL) < d) {
        return;
    }
    if (!__atomic_compare_exchange_n(&e->timer_deadline, &d, 0, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST)) {
        return;
    }
    __atomic_or_fetch(&e->ip_hw, (1u << 15) | (1u << 30), __ATOMIC_SEQ_CST);
    mips_update_irq(cpu);
}

static void mips_timer_cb(void *opaque)
{
    mips_timer_check(opaque);
}

/* ---- Reset and models --------------------------------------------------------------- */

static void mips_reset(CPUState *cpu)
{
    MipsEnv *e = menv(cpu);
    memset(e->gpr, 0, sizeof(e->gpr));
    e->hi = e->lo = 0;
    e->pc = 0xbfc00000u;
    e->bd = 0;
    e->llbit = 0;
    e->cp0_status = MIPS_ST_BEV | MIPS_ST_ERL;
    e->cp0_cause = 0;
    __atomic_store_n(&e->ip_hw, 0, __ATOMIC_SEQ_CST);
    e->cp0_wired = 0;
    e->cp0_index = 0;
    e->cp0_random = 0;
    e->cp0_pagemask = 0;
    e->cp0_entryhi = 0;
    e->cp0_context = 0;
    e->cp0_hwrena = 0;
    e->cp0_ebase = 0x80000000u | (uint32_t)cpu->cpu_index;
    e->cp0_errorepc = 0;
    e->cp0_compare = 0;
    e->count_offset = 0;
    e->fcsr = 0;
    memset(e->tlb, 0, sizeof(e->tlb));
    e->n_shadow = 0;
    for (int i = 0; i < MIPS_TLB_MAX; i++) {
        /* Distinct unmatchable entries in kseg0 (never looked up: unmapped). */
        e->tlb[i].vpn2 = 0x80000000u + ((uint32_t)i << 13);
    }
    if (!e->timer) {
        e->timer = timer_new_ns(CLOCK_VIRTUAL, mips_timer_cb, cpu);
    } else {
        timer_del(e->timer);
    }
    e->timer_deadline = 0;
    mips_compute_hflags(e);
    mips_update_irq(cpu);
}

/* Config register values of the real cores (24K and 4K Software User's Manuals). */
static void mips_model_common(CPUState *cpu, bool fpu, bool r2, uint32_t prid, uint32_t cfg1_cache)
{
    MipsEnv *e = menv(cpu);
    bool be = cpu->ops->big_endian;
    e->has_fpu = fpu;
    e->isa_r2 = r2;
    e->tlb_entries = 16;
    e->cp0_prid = prid;
    /* M, K23/KU 2 (uncached), BE, AR (release), MT 1 (TLB), K0 2 (uncached after reset). */
    e->cp0_config[0] = (1u << 31) | (be ? 1u << 15 : 0) | (r2 ? 1u << 10 : 0) | (1u << 7) | 2;
    e->cp0_config[1] =
        (1u << 31) | ((uint32_t)(e->tlb_entries - 1) << 25) | cfg1_cache | (fpu ? 1u : 0);
    e->cp0_config[2] = 1u << 31;
    e->cp0_config[3] = r2 ? (1u << 13) : 0; /* ULRI: UserLocal implemented */
    /* FIR: the 24K's FPU id 0x93, formats S, D, W, L. F64 stays clear: Status.FR is not
     * writable here (FR=0 register pairs only), so guests must not pick FR=1. */
    e->fir = fpu ? ((1u << 16) | (1u << 17) | (1u << 20) | (1u << 21) | 0x9300u) : 0;
    e->cp0_random = (uint32_t)e->tlb_entries - 1;
    /* IntCtl (release 2): the timer and performance-counter interrupts are on IP7. */
    e->cp0_intctl = r2 ? (7u << 29) | (7u << 26) : 0;
    mips_compute_hflags(e);
}

static void mips_model_24kf(CPUState *cpu)
{
    /* 32 KB 4-way caches, 32-byte lines: S=2 (256 sets), L=4, A=3; the 24K's PRId. */
    uint32_t caches = (2u << 22) | (4u << 19) | (3u << 16) | (2u << 13) | (4u << 10) | (3u << 7);
    mips_model_common(cpu, true, true, 0x00019300u, caches);
}

static void mips_model_4kc(CPUState *cpu)
{
    /* 16 KB 4-way caches, 16-byte lines; release 1. */
    uint32_t caches = (2u << 22) | (3u << 19) | (3u << 16) | (2u << 13) | (3u << 10) | (3u << 7);
    mips_model_common(cpu, false, false, 0x00018000u, caches);
}

/* ---- The TLB ------------------------------------------------------------------------ */

/* Every full soft-MMU flush also forgets the shadow entries. */
static void mips_flush_all(CPUState *cpu)
{
    menv(cpu)->n_shadow = 0;
    tlb_flush(cpu);
}

/* Drops the soft-MMU's copies of what entry t mapped. Entries with neither page valid were
 * never copied (a fault is not cached), so there is nothing to drop. */
static void mips_tlb_flush_entry(CPUState *cpu, const MipsTLBEntry *t)
{
    if (!((t->lo[0] | t->lo[1]) & 2)) {
        return;
    }
    uint32_t mask = t->pagemask | 0x1fff;
    uint32_t size = mask + 1;
    if (size > 16 * 8192) {
        mips_flush_all(cpu);
        return;
    }
    uint32_t base = t->vpn2 & ~mask;
    for (uint32_t off = 0; off < size; off += 4096) {
        tlb_flush_page(cpu, base + off);
    }
}

static bool mips_tlb_match(const MipsTLBEntry *t, uint32_t hi)
{
    uint32_t mask = t->pagemask | 0x1fff;
    return ((hi ^ t->vpn2) & ~mask) == 0 && (t->g || t->asid == (hi & 0xff));
}

/* random: TLBWR's replacement. Its victim is only a cache eviction for Linux-like guests
 * (they refill the same PTE), so rather than flushing its pages now (a refill-heavy
 * workload would flush on every refill) it is kept as a shadow; TLBP consults shadows,
 * which is how a guest invalidates a translation it changed. */
static void mips_tlb_write(CPUState *cpu, int idx, bool random)
{
    MipsEnv *e = menv(cpu);
    MipsTLBEntry *t = &e->tlb[idx];
    uint32_t hi = e->cp0_entryhi;
    bool invalidating =
        (hi >= 0x80000000u && hi < 0xc0000000u) || !((e->cp0_entrylo0 | e->cp0_entrylo1) & 2);
    if (!random && invalidating && e->n_shadow) {
        /* An unmatchable or invalid entry written by index is how guests invalidate (Linux's
         * flush_tlb_all writes one at every index): the evicted entries must go too. A
         * valid mapping written by index (a PTE update) only replaces its own old entry. */
        mips_flush_all(cpu);
    } else if (!random || !((t->lo[0] | t->lo[1]) & 2)) {
        mips_tlb_flush_entry(cpu, t);
    } else if (e->n_shadow < MIPS_TLB_MAX) {
        e->shadow[e->n_shadow++] = *t;
    } else {
        mips_flush_all(cpu);
    }
    uint32_t pm = e->cp0_pagemask & 0x1fffe000u;
    t->pagemask = pm;
    t->vpn2 = e->cp0_entryhi & ~(pm | 0x1fffu);
    t->asid = (uint8_t)(e->cp0_entryhi & 0xff);
    t->g = (e->cp0_entrylo0 & e->cp0_entrylo1 & 1) != 0;
    t->lo[0] = e->cp0_entrylo0 & 0x3fffffffu;
    t->lo[1] = e->cp0_entrylo1 & 0x3fffffffu;
    /* The new range needs no flush: with no (valid) entry for it, nothing was cached. */
}

/* Random counts down from entries-1 to Wired and wraps; we step it at each TLBWR and each
 * read, so consecutive refills never pick the same entry. */
static uint32_t mips_random(MipsEnv *e)
{
    uint32_t lo = e->cp0_wired, n = (uint32_t)e->tlb_entries;
    if (lo >= n) {
        return n - 1;
    }
    uint32_t r = e->cp0_random;
    e->cp0_random = (r <= lo || r >= n) ? n - 1 : r - 1;
    return r < lo || r >= n ? n - 1 : r;
}

void helper_tlbwi(void *env)
{
    MipsEnv *e = env;
    mips_tlb_write(env_cpu(env), (int)(e->cp0_index & 0x3f) % e->tlb_entries, false);
}

void helper_tlbwr(void *env)
{
    mips_tlb_write(env_cpu(env), (int)mips_random(env), true);
}

void helper_tlbp(void *env)
{
    MipsEnv *e = env;
    uint32_t hi = e->cp0_entryhi;
    for (int i = 0; i < e->tlb_entries; i++) {
        if (mips_tlb_match(&e->tlb[i], hi)) {
            e->cp0_index = (uint32_t)i;
            return;
        }
    }
    e->cp0_index |= 0x80000000u;
    /* Not in the TLB: the guest may be about to change this mapping, so the soft-MMU must
     * forget any evicted entry for it. */
    CPUState *cpu = env_cpu(env);
    for (int i = 0; i < e->n_shadow;) {
        if (mips_tlb_match(&e->shadow[i], hi)) {
            MipsTLBEntry old = e->shadow[i];
            e->shadow[i] = e->shadow[--e->n_shadow];
            mips_tlb_flush_entry(cpu, &old); /* may empty the list (a full flush) */
        } else {
            i++;
        }
    }
}

void helper_tlbr(void *env)
{
    MipsEnv *e = env;
    CPUState *cpu = env_cpu(env);
    MipsTLBEntry *t = &e->tlb[(e->cp0_index & 0x3f) % (uint32_t)e->tlb_entries];
    if ((e->cp0_entryhi & 0xff) != t->asid) {
        mips_flush_all(cpu); /* the ASID changes */
    }
    e->cp0_pagemask = t->pagemask;
    e->cp0_entryhi = t->vpn2 | t->asid;
    e->cp0_entrylo0 = (t->lo[0] & ~1u) | (t->g ? 1 : 0);
    e->cp0_entrylo1 = (t->lo[1] & ~1u) | (t->g ? 1 : 0);
}

enum { XLATE_OK, XLATE_ADDR_ERR, XLATE_REFILL, XLATE_INVALID, XLATE_MOD };

static int mips_translate(MipsEnv *e, uint32_t va, MMUAccessType type, int mmu_idx, uint64_t *pa,
                          int *prot)
{
    if (mmu_idx == MIPS_MMU_USER && va >= 0x80000000u) {
        return XLATE_ADDR_ERR;
    }
    if (mmu_idx == MIPS_MMU_SUPER && va >= 0x80000000u && (va < 0xc0000000u || va >= 0xe0000000u)) {
        return XLATE_ADDR_ERR;
    }
    if (va >= 0x80000000u && va < 0xc0000000u) {
        *pa = va & 0x1fffffffu;
        *prot = PAGE_RWX;
        return XLATE_OK;
    }
    if (va < 0x80000000u && (e->cp0_status & MIPS_ST_ERL)) {
        *pa = va;
        *prot = PAGE_RWX;
        return XLATE_OK;
    }
    uint8_t asid = (uint8_t)(e->cp0_entryhi & 0xff);
    for (int i = 0; i < e->tlb_entries; i++) {
        const MipsTLBEntry *t = &e->tlb[i];
        uint32_t mask = t->pagemask | 0x1fff;
        if (((va ^ t->vpn2) & ~mask) != 0 || (!t->g && t->asid != asid)) {
            continue;
        }
        uint32_t eo = (mask + 1) >> 1;
        uint32_t lo = t->lo[(va & eo) ? 1 : 0];
        if (!(lo & 2)) {
            return XLATE_INVALID;
        }
        if (type == MMU_DATA_STORE && !(lo & 4)) {
            return XLATE_MOD;
        }
        uint64_t pfn = (lo >> 6) & 0xffffffu;
        *pa = (pfn << 12) + (va & (eo - 1));
        *prot = PAGE_READ | PAGE_EXEC | ((lo & 4) ? PAGE_WRITE : 0);
        return XLATE_OK;
    }
    return XLATE_REFILL;
}

static void mips_set_badvaddr(MipsEnv *e, uint32_t va, bool tlb)
{
    e->cp0_badvaddr = va;
    if (tlb) {
        e->cp0_context = (e->cp0_context & 0xff800000u) | ((va >> 9) & 0x007ffff0u);
        e->cp0_entryhi = (va & 0xffffe000u) | (e->cp0_entryhi & 0xff);
    }
}

static bool mips_tlb_fill(CPUState *cpu, uint64_t vaddr, int size, MMUAccessType type, int mmu_idx,
                          bool probe, uintptr_t retaddr)
{
    MipsEnv *e = menv(cpu);
    uint32_t va = (uint32_t)vaddr;
    uint64_t pa;
    int prot;
    int r = mips_translate(e, va, type, mmu_idx, &pa, &prot);
    if (r == XLATE_OK) {
        tlb_set_page(cpu, va & ~0xfffu, pa & ~UINT64_C(0xfff), prot, mmu_idx, 4096);
        return true;
    }
    if (probe) {
        return false;
    }
    bool store = type == MMU_DATA_STORE;
    int excp;
    switch (r) {
    case XLATE_ADDR_ERR: excp = store ? MIPS_EXC_ADES : MIPS_EXC_ADEL; break;
    case XLATE_REFILL: excp = store ? MIPS_EXC_TLBS_REFILL : MIPS_EXC_TLBL_REFILL; break;
    case XLATE_INVALID: excp = store ? MIPS_EXC_TLBS : MIPS_EXC_TLBL; break;
    default: excp = MIPS_EXC_MOD; break;
    }
    mips_set_badvaddr(e, va, r != XLATE_ADDR_ERR);
    if (type == MMU_INST_FETCH && va == e->pc + 4) {
        /* Fetching the delay slot of the branch at pc (on the next page): the exception
         * belongs to the slot, so EPC stays at the branch with Cause.BD. */
        e->bd = 1;
    }
    cpu->exception_index = excp;
    cpu_loop_exit_restore(cpu, retaddr);
}

static void mips_unaligned(CPUState *cpu, uint64_t vaddr, MMUAccessType type, int mmu_idx,
                           uintptr_t retaddr)
{
    MipsEnv *e = menv(cpu);
    e->cp0_badvaddr = (uint32_t)vaddr;
    cpu_raise_exception_ra(cpu, type == MMU_DATA_STORE ? MIPS_EXC_ADES : MIPS_EXC_ADEL, retaddr);
}

/* ---- Exceptions ------------------------------------------------------------------------ */

static void mips_do_interrupt(CPUState *cpu)
{
    MipsEnv *e = menv(cpu);
    int excp = cpu->exception_index;
    uint32_t code = (uint32_t)excp;
    uint32_t offset = 0x180;
    bool refill = excp == MIPS_EXC_TLBL_REFILL || excp == MIPS_EXC_TLBS_REFILL;
    if (refill) {
        code = excp == MIPS_EXC_TLBL_REFILL ? MIPS_EXC_TLBL : MIPS_EXC_TLBS;
    }
    if (!(e->cp0_status & MIPS_ST_EXL)) {
        e->cp0_epc = e->pc;
        if (e->bd) {
            e->cp0_cause |= 1u << 31;
        } else {
            e->cp0_cause &= ~(1u << 31);
        }
        if (refill) {
            offset = 0;
        } else if (excp == MIPS_EXC_INT && (e->cp0_cause & (1u << 23))) {
            offset = 0x200;
        }
    }
    if (excp != MIPS_EXC_CPU) {
        e->cp0_cause &= ~(3u << 28);
    }
    e->cp0_cause = (e->cp0_cause & ~0x7cu) | (code << 2);
    e->cp0_status |= MIPS_ST_EXL;
    uint32_t base = (e->cp0_status & MIPS_ST_BEV) ? 0xbfc00200u : (e->cp0_ebase & 0xfffff000u);
    e->pc = base + offset;
    e->bd = 0;
    mips_compute_hflags(e);
}

static bool mips_irq_deliverable(const MipsEnv *e)
{
    uint32_t st = e->cp0_status;
    return (st & MIPS_ST_IE) && !(st & (MIPS_ST_EXL | MIPS_ST_ERL)) &&
           (mips_cause(e) & st & 0xff00) != 0;
}

static bool mips_exec_interrupt(CPUState *cpu, unsigned req)
{
    MipsEnv *e = menv(cpu);
    if (!(req & CPU_INTERRUPT_HARD)) {
        return false;
    }
    uint32_t st = e->cp0_status;
    if (!(st & MIPS_ST_IE) || (st & (MIPS_ST_EXL | MIPS_ST_ERL))) {
        return false;
    }
    if (!(mips_cause(e) & st & 0xff00)) {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_HARD);
        return false;
    }
    e->bd = 0;
    cpu->exception_index = MIPS_EXC_INT;
    return true;
}

static bool mips_has_work(CPUState *cpu)
{
    MipsEnv *e = menv(cpu);
    mips_timer_check(cpu);
    return (mips_cause(e) & e->cp0_status & 0xff00) != 0;
}

void helper_raise_here(void *env, uint32_t code)
{
    MipsEnv *e = env;
    CPUState *cpu = env_cpu(env);
    if ((code & 0xff) == MIPS_EXC_CPU) {
        e->cp0_cause = (e->cp0_cause & ~(3u << 28)) | (((code >> 8) & 3) << 28);
    }
    cpu->exception_index = (int)(code & 0xff);
    cpu_loop_exit(cpu);
}

void helper_wait(void *env)
{
    cpu_halt(env_cpu(env));
}

void helper_eret(void *env)
{
    MipsEnv *e = env;
    CPUState *cpu = env_cpu(env);
    if (e->cp0_status & MIPS_ST_ERL) {
        e->pc = e->cp0_errorepc;
        e->cp0_status &= ~MIPS_ST_ERL;
        mips_flush_all(cpu); /* kuseg becomes mapped */
    } else {
        e->pc = e->cp0_epc;
        e->cp0_status &= ~MIPS_ST_EXL;
    }
    e->llbit = 0;
    mips_compute_hflags(e);
    mips_update_irq(cpu);
}

uint32_t helper_irq_deliverable(void *env)
{
    return mips_irq_deliverable(env);
}

uint32_t helper_di_ei(void *env, uint32_t enable)
{
    MipsEnv *e = env;
    uint32_t old = e->cp0_status;
    e->cp0_status = enable ? old | MIPS_ST_IE : old & ~MIPS_ST_IE;
    mips_update_irq(env_cpu(env));
    return old;
}

uint32_t helper_rdhwr(void *env, uint32_t reg)
{
    MipsEnv *e = env;
    if ((e->hflags & MIPS_HF_UM) && !(e->cp0_status & MIPS_ST_CU0) &&
        !(e->cp0_hwrena & (1u << reg))) {
        cpu_raise_exception_ra(env_cpu(env), MIPS_EXC_RI, GETPC());
    }
    switch (reg) {
    case 0: return e->cp0_ebase & 0x3ff;
    case 1: return 32;
    case 2: return mips_count(e);
    case 3: return 2;
    case 29:
        if (e->cp0_config[3] & (1u << 13)) {
            return e->cp0_userlocal;
        }
        break;
    default: break;
    }
    cpu_raise_exception_ra(env_cpu(env), MIPS_EXC_RI, GETPC());
}

/* ---- CP0 registers ---------------------------------------------------------------------- */

#define CP0(reg, sel) ((reg)*8 + (sel))

uint32_t helper_mfc0(void *env, uint32_t regsel)
{
    MipsEnv *e = env;
    switch (regsel) {
    case CP0(0, 0): return e->cp0_index;
    case CP0(1, 0): return e->cp0_random;
    case CP0(2, 0): return e->cp0_entrylo0;
    case CP0(3, 0): return e->cp0_entrylo1;
    case CP0(4, 0): return e->cp0_context;
    case CP0(4, 2): return e->cp0_userlocal;
    case CP0(5, 0): return e->cp0_pagemask;
    case CP0(6, 0): return e->cp0_wired;
    case CP0(7, 0): return e->cp0_hwrena;
    case CP0(8, 0): return e->cp0_badvaddr;
    case CP0(9, 0): return mips_count(e);
    case CP0(10, 0): return e->cp0_entryhi;
    case CP0(11, 0): return e->cp0_compare;
    case CP0(12, 0): return e->cp0_status;
    case CP0(12, 1): return e->cp0_intctl;
    case CP0(12, 2): return e->cp0_srsctl;
    case CP0(13, 0): mips_timer_check(env_cpu(env)); return mips_cause(e);
    case CP0(14, 0): return e->cp0_epc;
    case CP0(15, 0): return e->cp0_prid;
    case CP0(15, 1): return e->cp0_ebase;
    case CP0(16, 0): return e->cp0_config[0];
    case CP0(16, 1): return e->cp0_config[1];
    case CP0(16, 2): return e->cp0_config[2];
    case CP0(16, 3): return e->cp0_config[3];
    case CP0(17, 0): return e->lladdr >> 4;
    case CP0(23, 0): return e->cp0_debug;
    case CP0(24, 0): return e->cp0_depc;
    case CP0(30, 0): return e->cp0_errorepc;
    case CP0(31, 0): return e->cp0_desave;
    default: return 0; /* Watch, PerfCnt, caches' Tag registers...: zero */
    }
}

uint32_t helper_mtc0(void *env, uint32_t regsel, uint32_t v)
{
    MipsEnv *e = env;
    CPUState *cpu = env_cpu(env);
    uint32_t old_hflags = e->hflags;
    switch (regsel) {
    case CP0(0, 0): e->cp0_index = (e->cp0_index & 0x80000000u) | (v & 0x3f); break;
    case CP0(2, 0): e->cp0_entrylo0 = v & 0x3fffffffu; break;
    case CP0(3, 0): e->cp0_entrylo1 = v & 0x3fffffffu; break;
    case CP0(4, 0): e->cp0_context = (e->cp0_context & 0x007ffff0u) | (v & 0xff800000u); break;
    case CP0(4, 2): e->cp0_userlocal = v; break;
    case CP0(5, 0): e->cp0_pagemask = v & 0x1fffe000u; break;
    case CP0(6, 0):
        e->cp0_wired = v & 0x3f;
        e->cp0_random = (uint32_t)e->tlb_entries - 1;
        break;
    case CP0(7, 0): e->cp0_hwrena = v & (e->isa_r2 ? 0x2000000fu : 0); break;
    case CP0(9, 0):
        e->count_offset = (int64_t)v - clock_get_ns(CLOCK_VIRTUAL) / NS_PER_COUNT;
        mips_timer_arm(e);
        break;
    case CP0(10, 0): {
        uint32_t nv = v & 0xffffe0ffu;
        if ((nv ^ e->cp0_entryhi) & 0xff) {
            mips_flush_all(cpu);
        }
        e->cp0_entryhi = nv;
        break;
    }
    case CP0(11, 0):
        e->cp0_compare = v;
        __atomic_and_fetch(&e->ip_hw, ~((1u << 15) | (1u << 30)), __ATOMIC_SEQ_CST);
        mips_timer_arm(e);
        mips_update_irq(cpu);
        break;
    case CP0(12, 0): {
        uint32_t mask =
            MIPS_ST_CU0 | (1u << 27) | (1u << 25) | MIPS_ST_BEV | (7u << 19) | 0xff00u | 0x1fu;
        if (e->has_fpu) {
            mask |= MIPS_ST_CU1;
        }
        uint32_t old = e->cp0_status;
        e->cp0_status = (old & ~mask) | (v & mask);
        if ((old ^ e->cp0_status) & MIPS_ST_ERL) {
            mips_flush_all(cpu);
        }
        mips_compute_hflags(e);
        mips_update_irq(cpu);
        break;
    }
    case CP0(12, 1): e->cp0_intctl = (e->cp0_intctl & ~0x3e0u) | (v & 0x3e0); break;
    case CP0(13, 0): {
        uint32_t mask = (1u << 27) | (1u << 23) | (1u << 22) | 0x300u;
        e->cp0_cause = (e->cp0_cause & ~mask) | (v & mask);
        mips_update_irq(cpu);
        break;
    }
    case CP0(14, 0): e->cp0_epc = v; break;
    case CP0(15, 1): e->cp0_ebase = (e->cp0_ebase & 0xc00003ffu) | (v & 0x3ffff000u); break;
    case CP0(16, 0): e->cp0_config[0] = (e->cp0_config[0] & ~7u) | (v & 7); break;
    case CP0(23, 0): e->cp0_debug = v; break;
    case CP0(24, 0): e->cp0_depc = v; break;
    case CP0(30, 0): e->cp0_errorepc = v; break;
    case CP0(31, 0): e->cp0_desave = v; break;
    default: break; /* read-only or unimplemented: writes ignored */
    }
    return e->hflags != old_hflags || (regsel == CP0(12, 0) && mips_irq_deliverable(e));
}

uint32_t helper_cfc1(void *env, uint32_t reg)
{
    MipsEnv *e = env;
    switch (reg) {
    case 0: return e->fir;
    case 25: return ((e->fcsr >> 24) & 0xfe) | ((e->fcsr >> 23) & 1);
    case 26: return e->fcsr & 0x0003f07cu;
    case 28: return (e->fcsr & 0xf83u) | ((e->fcsr >> 22) & 4);
    case 31: return e->fcsr;
    default: return 0;
    }
}

void helper_ctc1(void *env, uint32_t reg, uint32_t v)
{
    MipsEnv *e = env;
    switch (reg) {
    case 25: e->fcsr = (e->fcsr & 0x017fffffu) | ((v & 0xfe) << 24) | ((v & 1) << 23); break;
    case 26: e->fcsr = (e->fcsr & ~0x0003f07cu) | (v & 0x0003f07cu); break;
    case 28: e->fcsr = (e->fcsr & ~0x01000f83u) | (v & 0xf83u) | ((v & 4) << 22); break;
    case 31: e->fcsr = v & 0xff83ffffu; break;
    default: return;
    }
    /* Writing a cause bit whose enable is set raises at once. */
    uint32_t cause = (e->fcsr >> FCSR_CAUSE_SHIFT) & 0x3f;
    uint32_t en = ((e->fcsr >> FCSR_ENABLE_SHIFT) & 0x1f) | 0x20;
    if (cause & en) {
        cpu_raise_exception_ra(env_cpu(env), MIPS_EXC_FPE, GETPC());
    }
}

/* ---- Partial-word stores and SC ---------------------------------------------------------- */

void helper_swl(void *env, uint32_t val, uint32_t addr)
{
    CPUState *cpu = env_cpu(env);
    uintptr_t ra = GETPC();
    unsigned k = addr & 3;
    if (cpu->ops->big_endian) {
        for (unsigned i = 0; i <= 3 - k; i++) {
            cpu_stb_data_ra(env, addr + i, (val >> (24 - 8 * i)) & 0xff, ra);
        }
    } else {
        for (unsigned i = 0; i <= k; i++) {
            cpu_stb_data_ra(env, addr - i, (val >> (24 - 8 * i)) & 0xff, ra);
        }
    }
}

void helper_swr(void *env, uint32_t val, uint32_t addr)
{
    CPUState *cpu = env_cpu(env);
    uintptr_t ra = GETPC();
    unsigned k = addr & 3;
    if (cpu->ops->big_endian) {
        for (unsigned i = 0; i <= k; i++) {
            cpu_stb_data_ra(env, addr - i, (val >> (8 * i)) & 0xff, ra);
        }
    } else {
        for (unsigned i = 0; i <= 3 - k; i++) {
            cpu_stb_data_ra(env, addr + i, (val >> (8 * i)) & 0xff, ra);
        }
    }
}

uint32_t helper_sc(void *env, uint32_t val, uint32_t addr)
{
    MipsEnv *e = env;
    uintptr_t ra = GETPC();
    if (addr & 3) {
        e->cp0_badvaddr = addr;
        cpu_raise_exception_ra(env_cpu(env), MIPS_EXC_ADES, ra);
    }
    if (!e->llbit || e->lladdr != addr) {
        e->llbit = 0;
        return 0;
    }
    /* One vCPU at a time runs guest code on a MIPS board (no SMP): compare and store. */
    if (cpu_ldl_data_ra(env, addr, ra) != e->llval) {
        e->llbit = 0;
        return 0;
    }
    cpu_stl_data_ra(env, addr, val, ra);
    e->llbit = 0;
    return 1;
}

/* ---- State, debug ------------------------------------------------------------------------ */

static void mips_get_tb_flags(void *env, uint64_t *pc, uint64_t *cs_base, uint32_t *flags)
{
    MipsEnv *e = env;
    e->bd = 0;
    *pc = e->pc;
    *cs_base = 0;
    *flags = e->hflags;
}

static int mips_mmu_index(CPUState *cpu, bool ifetch)
{
    return (int)(menv(cpu)->hflags & MIPS_HF_KSU_MASK);
}

static void mips_restore_state_to_opc(void *env, const uint64_t *words)
{
    MipsEnv *e = env;
    if (words[1]) {
        e->pc = (uint32_t)words[0] - 4;
        e->bd = 1;
    } else {
        e->pc = (uint32_t)words[0];
        e->bd = 0;
    }
}

static void mips_set_pc(CPUState *cpu, uint64_t pc)
{
    menv(cpu)->pc = (uint32_t)pc;
}

static uint64_t mips_get_pc(CPUState *cpu)
{
    return menv(cpu)->pc;
}

static void mips_dump_state(CPUState *cpu, FILE *f)
{
    static const char *const names[32] = {"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3",
                                          "t0",   "t1", "t2", "t3", "t4", "t5", "t6", "t7",
                                          "s0",   "s1", "s2", "s3", "s4", "s5", "s6", "s7",
                                          "t8",   "t9", "k0", "k1", "gp", "sp", "s8", "ra"};
    MipsEnv *e = menv(cpu);
    fprintf(f, "pc=%08" PRIx32 " hi=%08" PRIx32 " lo=%08" PRIx32 "\n", e->pc, e->hi, e->lo);
    for (int i = 0; i < 32; i++) {
        fprintf(f, "%-4s=%08" PRIx32 "%s", names[i], e->gpr[i], (i % 4 == 3) ? "\n" : " ");
    }
    fprintf(f,
            "Status=%08" PRIx32 " Cause=%08" PRIx32 " EPC=%08" PRIx32 " BadVAddr=%08" PRIx32
            " EntryHi=%08" PRIx32 "\n",
            e->cp0_status, mips_cause(e), e->cp0_epc, e->cp0_badvaddr, e->cp0_entryhi);
}

/* GDB's mips layout: 32 GPRs, sr, lo, hi, bad, cause, pc, 32 fprs, fsr, fir. */
static uint32_t *mips_gdb_reg(MipsEnv *e, int n, uint32_t *tmp)
{
    if (n < 32) {
        return &e->gpr[n];
    }
    switch (n) {
    case 32: return &e->cp0_status;
    case 33: return &e->lo;
    case 34: return &e->hi;
    case 35: return &e->cp0_badvaddr;
    case 36: *tmp = mips_cause(e); return tmp;
    case 37: return &e->pc;
    case 70: return &e->fcsr;
    case 71: return &e->fir;
    default: break;
    }
    if (n >= 38 && n < 70) {
        return &e->fpr[n - 38];
    }
    return NULL;
}

static int mips_gdb_read(CPUState *cpu, uint8_t *buf, int n)
{
    uint32_t tmp;
    uint32_t *p = mips_gdb_reg(menv(cpu), n, &tmp);
    if (!p) {
        return 0;
    }
    uint32_t v = cpu->ops->big_endian ? __builtin_bswap32(*p) : *p;
    memcpy(buf, &v, 4);
    return 4;
}

static int mips_gdb_write(CPUState *cpu, const uint8_t *buf, int n)
{
    uint32_t tmp;
    MipsEnv *e = menv(cpu);
    uint32_t *p = mips_gdb_reg(e, n, &tmp);
    if (!p) {
        return 0;
    }
    uint32_t v;
    memcpy(&v, buf, 4);
    if (cpu->ops->big_endian) {
        v = __builtin_bswap32(v);
    }
    if (p == &e->gpr[0] || p == &tmp || p == &e->fir) {
        return 4;
    }
    *p = v;
    if (p == &e->cp0_status) {
        mips_compute_hflags(e);
    }
    return 4;
}

#define MIPS_ARCH_OPS(BE, DISAS)                                                                  \
    {                                                                                             \
        .name = "mips", .env_size = sizeof(MipsEnv), .nb_mmu_modes = 3, .page_bits = 12,          \
        .addr_bits = 32, .big_endian = BE, .disas_arch = DISAS,                                   \
        .translate_init = mips_translate_init, .gen_code = mips_gen_code, .reset = mips_reset,    \
        .get_tb_flags = mips_get_tb_flags, .mmu_index = mips_mmu_index,                           \
        .exec_interrupt = mips_exec_interrupt, .do_interrupt = mips_do_interrupt,                 \
        .has_work = mips_has_work, .tlb_fill = mips_tlb_fill,                                     \
        .do_unaligned_access = mips_unaligned, .restore_state_to_opc = mips_restore_state_to_opc, \
        .set_pc = mips_set_pc, .get_pc = mips_get_pc, .dump_state = mips_dump_state,              \
        .gdb_num_regs = 72, .gdb_read_register = mips_gdb_read,                                   \
        .gdb_write_register = mips_gdb_write,                                                     \
    }

const CPUArchOps mips_arch_ops_le = MIPS_ARCH_OPS(false, LOG_DISAS_MIPS32_LE);
const CPUArchOps mips_arch_ops_be = MIPS_ARCH_OPS(true, LOG_DISAS_MIPS32_BE);

static const CPUModel model_24kf = {"24Kf", "mips", "MIPS 24Kf (MIPS32r2, FPU), little-endian",
                                    &mips_arch_ops_le, mips_model_24kf};
static const CPUModel model_4kc = {"4Kc", "mips", "MIPS 4Kc (MIPS32, no FPU), little-endian",
                                   &mips_arch_ops_le, mips_model_4kc};
static const CPUModel model_24kf_be = {"24Kf-be", "mips", "MIPS 24Kf, big-endian",
                                       &mips_arch_ops_be, mips_model_24kf};
static const CPUModel model_4kc_be = {"4Kc-be", "mips", "MIPS 4Kc, big-endian", &mips_arch_ops_be,
                                      mips_model_4kc};

const CPUModel *const mips_cpu_models[] = {&model_24kf, &model_4kc, &model_24kf_be, &model_4kc_be,
                                           NULL};
