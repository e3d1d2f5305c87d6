/*
 * cpu/arm/cp15.c: the CP15 system registers (IDs, SCTLR, MMU, fault status, TLB and cache
 * maintenance, PMU, generic timer) and the MMU walks (short-descriptor and LPAE) that
 * tlb_fill uses.
 */
#include <string.h>

#include "cpu/arm/arm-internal.h"
#include "system/main-loop.h"

#define KEY(opc1, crn, crm, opc2) (15u << 16 | (opc1) << 12 | (crn) << 8 | (crm) << 4 | (opc2))
#define KEY64(opc1, crm)          (1u << 24 | 15u << 16 | (opc1) << 12 | (crm) << 4)

/* ---- Generic timer --------------------------------------------------------------------- */

uint64_t arm_cnt_now(ArmEnv *env)
{
    int64_t ns = clock_get_ns(CLOCK_VIRTUAL);
    return (uint64_t)((__int128)ns * env->cntfrq / 1000000000);
}

static void timer_set_level(ArmGenericTimer *t, int level)
{
    if (t->level == level) {
        return;
    }
    t->level = level;
    if (!t->out) {
        return;
    }
    bool locked = bql_locked();
    if (!locked) {
        bql_lock();
    }
    irq_set(t->out, level);
    if (!locked) {
        bql_unlock();
    }
}

void arm_timer_update(ArmEnv *env, ArmGenericTimer *t, bool virt)
{
    uint64_t now = arm_cnt_now(env) - (virt ? (uint64_t)env->cntvoff : 0);
    bool enabled = t->ctl & 1;
    bool istatus = enabled && now >= t->cval;
    t->ctl = (t->ctl & 3) | (istatus ? 4 : 0);
    timer_set_level(t, istatus && !(t->ctl & 2));
    if (enabled && !istatus && t->timer) {
        /* ns at which the count reaches cval (rounded up). */
        uint64_t ticks = t->cval + (virt ? (uint64_t)env->cntvoff : 0);
        __int128 ns = ((__int128)ticks * 1000000000 + env->cntfrq - 1) / env->cntfrq;
        timer_mod_ns(t->timer, ns > INT64_MAX ? INT64_MAX : (int64_t)ns);
    } else if (t->timer) {
        timer_del(t->timer);
    }
}

static void timer_phys_cb(void *opaque)
{
    ArmEnv *env = ((CPUState *)opaque)->env;
    arm_timer_update(env, &env->gt_phys, false);
}

static void timer_virt_cb(void *opaque)
{
    ArmEnv *env = ((CPUState *)opaque)->env;
    arm_timer_update(env, &env->gt_virt, true);
}

void arm_timer_init(CPUState *cpu)
{
    ArmEnv *env = cpu->env;
    if (!env->gt_phys.timer) {
        env->gt_phys.timer = timer_new_ns(CLOCK_VIRTUAL, timer_phys_cb, cpu);
        env->gt_virt.timer = timer_new_ns(CLOCK_VIRTUAL, timer_virt_cb, cpu);
    }
}

/* ---- MMU --------------------------------------------------------------------------------- */

static uint32_t ldl_phys(ArmEnv *env, uint64_t pa, bool *ok)
{
    uint32_t v = 0;
    MemTxResult r = address_space_read(env_cpu(env)->as, pa, &v, 4);
    *ok = r == MEMTX_OK;
    return v;
}

static uint64_t ldq_phys(ArmEnv *env, uint64_t pa, bool *ok)
{
    uint64_t v = 0;
    MemTxResult r = address_space_read(env_cpu(env)->as, pa, &v, 8);
    *ok = r == MEMTX_OK;
    return v;
}

/* Short-descriptor access permissions: AP[2] (apx) and AP[1:0]; returns PAGE_READ/WRITE
 * for this privilege level. */
static int ap_to_prot(ArmEnv *env, int apx, int ap, bool user)
{
    bool afe = (env->cp15.sctlr >> 29) & 1;
    if (afe) {
        /* Simplified model: AP[2:1]. */
        int ap21 = apx << 1 | (ap >> 1);
        switch (ap21) {
        case 0: return user ? 0 : PAGE_READ | PAGE_WRITE;
        case 1: return PAGE_READ | PAGE_WRITE;
        case 2: return user ? 0 : PAGE_READ;
        default: return PAGE_READ;
        }
    }
    switch (apx << 2 | ap) {
    case 0: return 0;
    case 1: return user ? 0 : PAGE_READ | PAGE_WRITE;
    case 2: return user ? PAGE_READ : PAGE_READ | PAGE_WRITE;
    case 3: return PAGE_READ | PAGE_WRITE;
    case 5: return user ? 0 : PAGE_READ;
    case 6:
    case 7: return PAGE_READ;
    default: return 0;
    }
}

static bool check_prot(int prot, MMUAccessType at)
{
    switch (at) {
    case MMU_DATA_LOAD: return prot & PAGE_READ;
    case MMU_DATA_STORE: return prot & PAGE_WRITE;
    default: return prot & PAGE_EXEC;
    }
}

static bool walk_short(ArmEnv *env, uint32_t va, MMUAccessType at, bool user, uint64_t *pa,
                       int *prot, uint64_t *psize, uint32_t *fsr)
{
    uint32_t n = env->cp15.ttbcr & 7;
    uint32_t ttb;
    if (n && (va >> (32 - n)) != 0) {
        ttb = env->cp15.ttbr1_lo & 0xffffc000u;
    } else {
        ttb = env->cp15.ttbr0_lo & (0xffffc000u >> n);
    }
    if (env->cp15.ttbcr & (n && (va >> (32 - n)) ? 0x20 : 0x10)) { /* PD0/PD1 */
        *fsr = 0x5;
        return false;
    }
    bool ok;
    uint32_t l1 = ldl_phys(env, ttb | ((va >> 20) << 2), &ok);
    if (!ok) {
        *fsr = 0xc | (1u << 12);
        return false;
    }
    uint32_t type = l1 & 3;
    int domain = 0, apx, ap, xn, pxn = 0;
    bool page;
    if (type == 0 || type == 3) {
        *fsr = 0x5;
        return false;
    }
    if (type == 2) { /* section or supersection */
        page = false;
        apx = (l1 >> 15) & 1;
        ap = (l1 >> 10) & 3;
        xn = (l1 >> 4) & 1;
        pxn = l1 & 1;
        if (l1 & (1u << 18)) {
            *pa = (uint64_t)(l1 & 0xff000000u) | ((uint64_t)((l1 >> 20) & 0xf) << 32) |
                  ((uint64_t)((l1 >> 5) & 0xf) << 36) | (va & 0x00ffffffu);
            *psize = 16u << 20;
            domain = 0;
        } else {
            domain = (l1 >> 5) & 15;
            *pa = (l1 & 0xfff00000u) | (va & 0x000fffffu);
            *psize = 1u << 20;
        }
    } else {
        page = true;
        domain = (l1 >> 5) & 15;
        pxn = (l1 >> 2) & 1;
        uint32_t l2 = ldl_phys(env, (l1 & 0xfffffc00u) | ((va >> 10) & 0x3fc), &ok);
        if (!ok) {
            *fsr = 0xe | (1u << 12) | (uint32_t)domain << 4;
            return false;
        }
        switch (l2 & 3) {
        case 0: *fsr = 0x7 | (uint32_t)domain << 4; return false;
        case 1: /* large page */
            *pa = (l2 & 0xffff0000u) | (va & 0xffff);
            *psize = 1u << 16;
            xn = (l2 >> 15) & 1;
            break;
        default:
            *pa = (l2 & 0xfffff000u) | (va & 0xfff);
            *psize = 1u << 12;
            xn = l2 & 1;
            break;
        }
        apx = (l2 >> 9) & 1;
        ap = (l2 >> 4) & 3;
    }
    uint32_t dom = (env->cp15.dacr >> (domain * 2)) & 3;
    if (dom == 0 || dom == 2) {
        *fsr = (page ? 0xb : 0x9) | (uint32_t)domain << 4;
        return false;
    }
    if ((env->cp15.sctlr >> 29) & 1 && !(ap & 1)) { /* access flag */
        *fsr = (page ? 0x6 : 0x3) | (uint32_t)domain << 4;
        return false;
    }
    int p = dom == 3 ? PAGE_READ | PAGE_WRITE : ap_to_prot(env, apx, ap, user);
    if (p & PAGE_READ && !(dom != 3 && xn) && !(pxn && !user)) {
        p |= PAGE_EXEC;
    }
    if (dom == 3) {
        p |= PAGE_EXEC;
    }
    /* WXN: writable regions are never executable. */
    if ((env->cp15.sctlr >> 19) & 1 && (p & PAGE_WRITE)) {
        p &= ~PAGE_EXEC;
    }
    if (!check_prot(p, at)) {
        *fsr = (page ? 0xf : 0xd) | (uint32_t)domain << 4;
        return false;
    }
    *prot = p;
    return true;
}

static bool walk_long(ArmEnv *env, uint32_t va, MMUAccessType at, bool user, uint64_t *pa,
                      int *prot, uint64_t *psize, uint32_t *fsr)
{
    uint32_t t0sz = env->cp15.ttbcr & 7, t1sz = (env->cp15.ttbcr >> 16) & 7;
    uint64_t ttbr;
    uint32_t tsz;
    bool use1;
    if (t0sz == 0 && t1sz == 0) {
        use1 = false;
    } else if (t0sz && (va >> (32 - t0sz)) == 0) {
        use1 = false;
    } else if (t0sz == 0 && t1sz && (va >> (32 - t1sz)) != (1u << t1sz) - 1) {
        use1 = false;
    } else if (t1sz == 0 || (va >> (32 - t1sz)) == (1u << t1sz) - 1) {
        use1 = true;
    } else {
        *fsr = (1u << 9) | 0x4 | 1; /* translation fault, level 1 */
        return false;
    }
    if (use1) {
        ttbr = (uint64_t)env->cp15.ttbr1_hi << 32 | env->cp15.ttbr1_lo;
        tsz = t1sz;
        if (env->cp15.ttbcr & (1u << 23)) { /* EPD1 */
            *fsr = (1u << 9) | 0x5;
            return false;
        }
    } else {
        ttbr = (uint64_t)env->cp15.ttbr0_hi << 32 | env->cp15.ttbr0_lo;
        tsz = t0sz;
        if (env->cp15.ttbcr & (1u << 7)) { /* EPD0 */
            *fsr = (1u << 9) | 0x5;
            return false;
        }
    }
    int level = tsz > 1 ? 2 : 1;
    /* Level 1 covers 30 bits (1 GiB blocks), level 2 21, level 3 12; the first table holds
     * only the bits below 32 - tsz. */
    uint64_t table = ttbr & 0xffffffffffull & ~7ull;
    int ap_table = 0, xn_table = 0, pxn_table = 0;
    for (;; level++) {
        int shift = level == 1 ? 30 : level == 2 ? 21 : 12;
        int top = level == (tsz > 1 ? 2 : 1) ? (int)(32 - tsz) : shift + 9;
        uint64_t idx = (va >> shift) & ((1ull << (top - shift)) - 1);
        bool ok;
        uint64_t d = ldq_phys(env, table + idx * 8, &ok);
        if (!ok) {
            *fsr = (1u << 9) | 0x14 | (uint32_t)level | (1u << 12);
            return false;
        }
        uint32_t t = d & 3;
        if (!(d & 1) || (level == 3 && t == 1)) {
            *fsr = (1u << 9) | 0x4 | (uint32_t)level;
            return false;
        }
        if (level < 3 && t == 3) {
            ap_table |= (int)((d >> 61) & 3);
            xn_table |= (int)((d >> 60) & 1);
            pxn_table |= (int)((d >> 59) & 1);
            table = d & 0xfffffff000ull;
            continue;
        }
        /* block or page */
        uint64_t mask = (1ull << shift) - 1;
        *pa = (d & 0xfffffff000ull & ~mask) | (va & mask);
        *psize = 1ull << shift;
        if (!((d >> 10) & 1)) {
            *fsr = (1u << 9) | 0x8 | (uint32_t)level;
            return false;
        }
        int ap21 = (int)((d >> 6) & 3);
        int p;
        switch (ap21) {
        case 0: p = user ? 0 : PAGE_READ | PAGE_WRITE; break;
        case 1: p = PAGE_READ | PAGE_WRITE; break;
        case 2: p = user ? 0 : PAGE_READ; break;
        default: p = PAGE_READ; break;
        }
        if (ap_table & 1 && user) {
            p = 0;
        }
        if (ap_table & 2) {
            p &= ~PAGE_WRITE;
        }
        bool xn = ((d >> 54) & 1) || xn_table;
        bool pxn = ((d >> 53) & 1) || pxn_table;
        if ((p & PAGE_READ) && !xn && !(pxn && !user)) {
            p |= PAGE_EXEC;
        }
        if ((env->cp15.sctlr >> 19) & 1 && (p & PAGE_WRITE)) {
            p &= ~PAGE_EXEC;
        }
        if (!check_prot(p, at)) {
            *fsr = (1u << 9) | 0xc | (uint32_t)level;
            return false;
        }
        *prot = p;
        return true;
    }
}

bool arm_mmu_translate(ArmEnv *env, uint32_t va, MMUAccessType at, int mmu_idx, uint64_t *pa,
                       int *prot, uint64_t *page_size, uint32_t *fsr)
{
    if (!(env->cp15.sctlr & 1)) {
        *pa = va;
        *prot = PAGE_RWX;
        *page_size = 1u << 12;
        return true;
    }
    bool user = mmu_idx == ARM_MMU_PL0;
    if (env->cp15.ttbcr >> 31) {
        return walk_long(env, va, at, user, pa, prot, page_size, fsr);
    }
    return walk_short(env, va, at, user, pa, prot, page_size, fsr);
}

/* ---- CP15 reads and writes -------------------------------------------------------------- */

static bool pl0(ArmEnv *env)
{
    return arm_mode(env) == ARM_MODE_USR;
}

static uint64_t pmccntr(ArmEnv *env)
{
    return (uint64_t)clock_get_ns(CLOCK_VIRTUAL) - env->cp15.pmccntr_offset;
}

/* A timer's callback runs in the main loop under the global lock; a vCPU updating the same
 * timer takes that lock too. Without it the two read-modify-writes of ctl and the arming
 * of the host timer interleave: the callback of an old deadline could write back the ctl
 * it read before the guest's write, or delete the host timer the guest just armed for a
 * new CVAL (ThreadSanitizer saw timer_write race timer_virt_cb on -smp 2). */
static bool timer_lock(void)
{
    bool held = bql_locked();
    if (!held) {
        bql_lock();
    }
    return held;
}

static void timer_unlock(bool held)
{
    if (!held) {
        bql_unlock();
    }
}

static bool timer_read(ArmEnv *env, ArmGenericTimer *t, bool virt, int reg, uint64_t *v)
{
    bool held = timer_lock();
    uint64_t now = arm_cnt_now(env) - (virt ? (uint64_t)env->cntvoff : 0);
    switch (reg) {
    case 0: *v = (uint32_t)(t->cval - now); break; /* TVAL */
    case 1:                                        /* CTL */
        arm_timer_update(env, t, virt);
        *v = t->ctl;
        break;
    default: *v = t->cval; break;
    }
    timer_unlock(held);
    return true;
}

static void timer_write(ArmEnv *env, ArmGenericTimer *t, bool virt, int reg, uint64_t v)
{
    bool held = timer_lock();
    uint64_t now = arm_cnt_now(env) - (virt ? (uint64_t)env->cntvoff : 0);
    switch (reg) {
    case 0: t->cval = now + (uint64_t)(int64_t)(int32_t)v; break;
    case 1: t->ctl = (t->ctl & 4) | (v & 3); break;
    default: t->cval = v; break;
    }
    arm_timer_update(env, t, virt);
    timer_unlock(held);
}

bool arm_cp_read(ArmEnv *env, uint32_t key, uint64_t *v)
{
    bool user = pl0(env);
    /* Registers readable from PL0. */
    switch (key) {
    case KEY(0, 13, 0, 2): *v = env->cp15.tpidrurw; return true;
    case KEY(0, 13, 0, 3): *v = env->cp15.tpidruro; return true;
    case KEY(0, 14, 0, 0): *v = env->cntfrq; return true;
    case KEY64(0, 14): /* CNTPCT */
        if (user && !(env->cntkctl & 1)) {
            return false;
        }
        *v = arm_cnt_now(env);
        return true;
    case KEY64(1, 14): /* CNTVCT */
        if (user && !(env->cntkctl & 2)) {
            return false;
        }
        *v = arm_cnt_now(env) - (uint64_t)env->cntvoff;
        return true;
    case KEY(0, 9, 13, 0): /* PMCCNTR */
        if (user && !(env->cp15.pmuserenr & 1)) {
            return false;
        }
        *v = (uint32_t)pmccntr(env);
        return true;
    default: break;
    }
    if ((key >> 16 & 0xff) == 14) { /* CP14 debug: reads as zero at PL1 */
        if (user) {
            return false;
        }
        *v = 0;
        return true;
    }
    if (user) {
        uint32_t k = key & 0xfffff;
        if (k == (KEY(0, 9, 12, 0) & 0xfffff) || k == (KEY(0, 9, 14, 0) & 0xfffff)) {
            if (!(env->cp15.pmuserenr & 1)) {
                return false;
            }
        } else {
            return false;
        }
    }
    switch (key) {
    case KEY(0, 0, 0, 0): *v = env->cp15.midr; return true;
    case KEY(0, 0, 0, 1): *v = env->cp15.ctr; return true;
    case KEY(0, 0, 0, 2): *v = env->cp15.tcmtr; return true;
    case KEY(0, 0, 0, 3): *v = env->cp15.tlbtr; return true;
    case KEY(0, 0, 0, 4):
    case KEY(0, 0, 0, 7): *v = env->cp15.midr; return true;
    case KEY(0, 0, 0, 5): *v = env->cp15.mpidr; return true;
    case KEY(0, 0, 0, 6): *v = env->cp15.revidr; return true;
    case KEY(0, 0, 1, 0): *v = env->cp15.id_pfr0; return true;
    case KEY(0, 0, 1, 1): *v = env->cp15.id_pfr1; return true;
    case KEY(0, 0, 1, 2): *v = env->cp15.id_dfr0; return true;
    case KEY(0, 0, 1, 3): *v = env->cp15.id_afr0; return true;
    case KEY(0, 0, 1, 4):
    case KEY(0, 0, 1, 5):
    case KEY(0, 0, 1, 6):
    case KEY(0, 0, 1, 7): *v = env->cp15.id_mmfr[(key & 0xf) - 4]; return true;
    case KEY(0, 0, 2, 0):
    case KEY(0, 0, 2, 1):
    case KEY(0, 0, 2, 2):
    case KEY(0, 0, 2, 3):
    case KEY(0, 0, 2, 4):
    case KEY(0, 0, 2, 5): *v = env->cp15.id_isar[key & 0xf]; return true;
    case KEY(0, 0, 2, 6):
    case KEY(0, 0, 2, 7): *v = 0; return true;
    case KEY(1, 0, 0, 0): *v = env->cp15.ccsidr[env->cp15.csselr & 3]; return true;
    case KEY(1, 0, 0, 1): *v = env->cp15.clidr; return true;
    case KEY(1, 0, 0, 7): *v = env->cp15.aidr; return true;
    case KEY(2, 0, 0, 0): *v = env->cp15.csselr; return true;
    case KEY(0, 1, 0, 0): *v = env->cp15.sctlr; return true;
    case KEY(0, 1, 0, 1): *v = env->cp15.actlr; return true;
    case KEY(0, 1, 0, 2): *v = env->cp15.cpacr; return true;
    case KEY(0, 1, 1, 0): *v = env->cp15.scr; return true;
    case KEY(0, 1, 1, 1): *v = env->cp15.sder; return true;
    case KEY(0, 1, 1, 2): *v = env->cp15.nsacr; return true;
    case KEY(0, 2, 0, 0): *v = env->cp15.ttbr0_lo; return true;
    case KEY(0, 2, 0, 1): *v = env->cp15.ttbr1_lo; return true;
    case KEY(0, 2, 0, 2): *v = env->cp15.ttbcr; return true;
    case KEY64(0, 2): *v = (uint64_t)env->cp15.ttbr0_hi << 32 | env->cp15.ttbr0_lo; return true;
    case KEY64(1, 2): *v = (uint64_t)env->cp15.ttbr1_hi << 32 | env->cp15.ttbr1_lo; return true;
    case KEY(0, 3, 0, 0): *v = env->cp15.dacr; return true;
    case KEY(0, 5, 0, 0): *v = env->cp15.dfsr; return true;
    case KEY(0, 5, 0, 1): *v = env->cp15.ifsr; return true;
    case KEY(0, 5, 1, 0): *v = env->cp15.adfsr; return true;
    case KEY(0, 5, 1, 1): *v = env->cp15.aifsr; return true;
    case KEY(0, 6, 0, 0): *v = env->cp15.dfar; return true;
    case KEY(0, 6, 0, 2): *v = env->cp15.ifar; return true;
    case KEY(0, 7, 4, 0): *v = env->cp15.par_lo; return true;
    case KEY64(0, 7): *v = (uint64_t)env->cp15.par_hi << 32 | env->cp15.par_lo; return true;
    case KEY(0, 10, 2, 0): *v = env->cp15.prrr; return true;
    case KEY(0, 10, 2, 1): *v = env->cp15.nmrr; return true;
    case KEY(0, 10, 3, 0):
    case KEY(0, 10, 3, 1): *v = 0; return true; /* AMAIR */
    case KEY(0, 12, 0, 0): *v = env->cp15.vbar; return true;
    case KEY(0, 12, 0, 1): *v = env->cp15.mvbar; return true;
    case KEY(0, 12, 1, 0): *v = 0; return true; /* ISR */
    case KEY(0, 13, 0, 0): *v = 0; return true; /* FCSEIDR */
    case KEY(0, 13, 0, 1): *v = env->cp15.contextidr; return true;
    case KEY(0, 13, 0, 4): *v = env->cp15.tpidrprw; return true;
    case KEY(1, 9, 0, 2): *v = env->cp15.l2ctlr; return true;
    case KEY(1, 9, 0, 3): *v = env->cp15.l2ectlr; return true;
    case KEY(4, 15, 0, 0): *v = env->cp15.cbar; return true;
    /* PMU */
    case KEY(0, 9, 12, 0): *v = env->cp15.pmcr; return true;
    case KEY(0, 9, 12, 1):
    case KEY(0, 9, 12, 2): *v = env->cp15.pmcntenset; return true;
    case KEY(0, 9, 12, 3): *v = env->cp15.pmovsr; return true;
    case KEY(0, 9, 12, 5): *v = env->cp15.pmselr; return true;
    case KEY(0, 9, 12, 6):
    case KEY(0, 9, 12, 7): *v = 0; return true; /* PMCEID0/1 */
    case KEY(0, 9, 13, 1): *v = env->cp15.pmxevtyper; return true;
    case KEY(0, 9, 13, 2): *v = 0; return true; /* PMXEVCNTR */
    case KEY(0, 9, 14, 0): *v = env->cp15.pmuserenr; return true;
    case KEY(0, 9, 14, 1):
    case KEY(0, 9, 14, 2): *v = env->cp15.pmintenset; return true;
    /* Generic timer */
    case KEY(0, 14, 1, 0): *v = env->cntkctl; return true;
    case KEY(0, 14, 2, 0): return timer_read(env, &env->gt_phys, false, 0, v);
    case KEY(0, 14, 2, 1): return timer_read(env, &env->gt_phys, false, 1, v);
    case KEY(0, 14, 3, 0): return timer_read(env, &env->gt_virt, true, 0, v);
    case KEY(0, 14, 3, 1): return timer_read(env, &env->gt_virt, true, 1, v);
    case KEY64(2, 14): return timer_read(env, &env->gt_phys, false, 2, v);
    case KEY64(3, 14): return timer_read(env, &env->gt_virt, true, 2, v);
    case KEY64(4, 14): *v = (uint64_t)env->cntvoff; return true;
    default: break;
    }
    if ((key & ~0xf0ffu) == KEY(0, 9, 0, 0) || (key & ~0xf0ffu) == KEY(0, 15, 0, 0)) {
        *v = 0; /* implementation defined: read as zero */
        return true;
    }
    return false;
}

/* Address translation operations (ATS1C*): PAR from a walk. */
static void do_ats(ArmEnv *env, uint32_t va, int op)
{
    MMUAccessType at = (op & 1) ? MMU_DATA_STORE : MMU_DATA_LOAD;
    int idx = (op & 2) ? ARM_MMU_PL0 : ARM_MMU_PL1;
    uint64_t pa, psize;
    int prot;
    uint32_t fsr;
    bool lpae = env->cp15.ttbcr >> 31;
    if (arm_mmu_translate(env, va, at, idx, &pa, &prot, &psize, &fsr)) {
        if (lpae) {
            env->cp15.par_lo = ((uint32_t)pa & 0xfffff000u) | (1u << 11);
            env->cp15.par_hi = (uint32_t)(pa >> 32);
        } else {
            env->cp15.par_lo = (uint32_t)pa & 0xfffff000u;
            env->cp15.par_hi = 0;
        }
    } else {
        env->cp15.par_lo = 1 | (lpae ? (fsr & 0x3f) << 1 | (1u << 11)
                                     : ((fsr & 0xf) | ((fsr >> 10) & 1) << 4) << 1);
        env->cp15.par_hi = 0;
    }
}

/* Whether some domain has less access under DACR value `to` than under `from` (no access <
 * client < manager). Only then can a TLB entry (or a block in the jump cache) allow what is
 * now forbidden: a domain with no access has no entries, and an access that an entry does
 * not permit takes the slow path, which walks the tables again under the new DACR. Linux's
 * software PAN writes DACR on every kernel entry and around each user access; half of those
 * writes give access back. */
static bool dacr_takes_access(uint32_t from, uint32_t to)
{
    static const int rank[4] = {0, 1, 0, 2}; /* 0b10 is reserved: no access */
    for (int d = 0; d < 16; d++) {
        if (rank[(to >> (2 * d)) & 3] < rank[(from >> (2 * d)) & 3]) {
            return true;
        }
    }
    return false;
}

static void flush_all(ArmEnv *env)
{
    tlb_flush(env_cpu(env));
}

/* TLB maintenance broadcast to all CPUs (the IS variants). */
static void flush_all_is(ArmEnv *env)
{
    tlb_flush_all_cpus_synced(env_cpu(env));
}

bool arm_cp_write(ArmEnv *env, uint32_t key, uint64_t val, bool *end_tb)
{
    uint32_t v = (uint32_t)val;
    bool user = pl0(env);
    *end_tb = false;
    switch (key) {
    case KEY(0, 13, 0, 2): env->cp15.tpidrurw = v; return true;
    case KEY(0, 7, 10, 5):
    case KEY(0, 7, 10, 4):
    case KEY(0, 7, 5, 4): return true; /* CP15DMB/DSB/ISB: allowed at PL0 (barriers) */
    default: break;
    }
    if ((key >> 16 & 0xff) == 14) {
        return !user;
    }
    if (user) {
        return false;
    }
    CPUState *cpu = env_cpu(env);
    switch (key) {
    case KEY(2, 0, 0, 0): env->cp15.csselr = v & 0xf; return true;
    case KEY(0, 1, 0, 0): {
        uint32_t old = env->cp15.sctlr;
        /* Writable: M A C Z I V RR EE TRE AFE TE UWXN WXN; reserved ones keep their values. */
        uint32_t mask = 0x7ae0 | 1 | 2 | 4 | 0x800 | 0x1000 | 0x2000 | 0x4000 | (1u << 19) |
                        (1u << 20) | (1u << 25) | (1u << 28) | (1u << 29) | (1u << 30);
        env->cp15.sctlr = (old & ~mask) | (v & mask);
        if ((old ^ env->cp15.sctlr) & (1 | (1u << 29) | (1u << 19))) {
            flush_all(env);
        }
        *end_tb = true;
        return true;
    }
    case KEY(0, 1, 0, 1): env->cp15.actlr = v; return true;
    case KEY(0, 1, 0, 2):
        env->cp15.cpacr = v & 0x00f00000u;
        *end_tb = true;
        return true;
    case KEY(0, 1, 1, 0): env->cp15.scr = v; return true;
    case KEY(0, 1, 1, 1): env->cp15.sder = v; return true;
    case KEY(0, 1, 1, 2): env->cp15.nsacr = v; return true;
    case KEY(0, 2, 0, 0):
        env->cp15.ttbr0_lo = v;
        flush_all(env);
        return true;
    case KEY(0, 2, 0, 1):
        env->cp15.ttbr1_lo = v;
        flush_all(env);
        return true;
    case KEY(0, 2, 0, 2):
        if (!(env->features & ARM_FEATURE_LPAE)) {
            v &= 0x37;
        }
        env->cp15.ttbcr = v;
        flush_all(env);
        return true;
    case KEY64(0, 2):
        env->cp15.ttbr0_lo = (uint32_t)val;
        env->cp15.ttbr0_hi = (uint32_t)(val >> 32);
        flush_all(env);
        return true;
    case KEY64(1, 2):
        env->cp15.ttbr1_lo = (uint32_t)val;
        env->cp15.ttbr1_hi = (uint32_t)(val >> 32);
        flush_all(env);
        return true;
    case KEY(0, 3, 0, 0): {
        uint32_t old_dacr = env->cp15.dacr;
        env->cp15.dacr = v;
        if (dacr_takes_access(old_dacr, v)) {
            flush_all(env);
        }
        return true;
    }
    case KEY(0, 5, 0, 0): env->cp15.dfsr = v; return true;
    case KEY(0, 5, 0, 1): env->cp15.ifsr = v; return true;
    case KEY(0, 5, 1, 0): env->cp15.adfsr = v; return true;
    case KEY(0, 5, 1, 1): env->cp15.aifsr = v; return true;
    case KEY(0, 6, 0, 0): env->cp15.dfar = v; return true;
    case KEY(0, 6, 0, 2): env->cp15.ifar = v; return true;
    case KEY(0, 7, 4, 0): env->cp15.par_lo = v; return true;
    case KEY64(0, 7):
        env->cp15.par_lo = (uint32_t)val;
        env->cp15.par_hi = (uint32_t)(val >> 32);
        return true;
    case KEY(0, 7, 8, 0):
    case KEY(0, 7, 8, 1):
    case KEY(0, 7, 8, 2):
    case KEY(0, 7, 8, 3): do_ats(env, v, (int)(key & 3)); return true;
    /* TLB maintenance */
    case KEY(0, 8, 7, 0): /* TLBIALL */
    case KEY(0, 8, 5, 0):
    case KEY(0, 8, 6, 0):
    case KEY(0, 8, 7, 2): /* TLBIASID: entries are not tagged by ASID */
    case KEY(0, 8, 5, 2):
    case KEY(0, 8, 6, 2): flush_all(env); return true;
    case KEY(0, 8, 3, 0):
    case KEY(0, 8, 3, 2): flush_all_is(env); return true;
    case KEY(0, 8, 7, 1): /* TLBIMVA */
    case KEY(0, 8, 7, 3): /* TLBIMVAA */
    case KEY(0, 8, 5, 1):
    case KEY(0, 8, 6, 1):
    case KEY(0, 8, 5, 3):
    case KEY(0, 8, 6, 3): tlb_flush_page(cpu, v & 0xfffff000u); return true;
    case KEY(0, 8, 3, 1):
    case KEY(0, 8, 3, 3): tlb_flush_page_all_cpus_synced(cpu, v & 0xfffff000u); return true;
    case KEY(0, 10, 2, 0): env->cp15.prrr = v; return true;
    case KEY(0, 10, 2, 1): env->cp15.nmrr = v; return true;
    case KEY(0, 10, 3, 0):
    case KEY(0, 10, 3, 1): return true;
    case KEY(0, 12, 0, 0): env->cp15.vbar = v & ~31u; return true;
    case KEY(0, 12, 0, 1): env->cp15.mvbar = v & ~31u; return true;
    case KEY(0, 13, 0, 0): return true;
    case KEY(0, 13, 0, 1):
        env->cp15.contextidr = v;
        flush_all(env);
        return true;
    case KEY(0, 13, 0, 3): env->cp15.tpidruro = v; return true;
    case KEY(0, 13, 0, 4): env->cp15.tpidrprw = v; return true;
    case KEY(1, 9, 0, 2): env->cp15.l2ctlr = v; return true;
    case KEY(1, 9, 0, 3): env->cp15.l2ectlr = v; return true;
    /* PMU */
    case KEY(0, 9, 12, 0):
        if (v & 4) { /* C: reset the cycle counter */
            env->cp15.pmccntr_offset = (uint64_t)clock_get_ns(CLOCK_VIRTUAL);
        }
        env->cp15.pmcr = (env->cp15.pmcr & ~0x39u) | (v & 0x39u);
        return true;
    case KEY(0, 9, 12, 1): env->cp15.pmcntenset |= v & 0x8000003fu; return true;
    case KEY(0, 9, 12, 2): env->cp15.pmcntenset &= ~v; return true;
    case KEY(0, 9, 12, 3): env->cp15.pmovsr &= ~v; return true;
    case KEY(0, 9, 12, 4): return true;
    case KEY(0, 9, 12, 5): env->cp15.pmselr = v & 0x1f; return true;
    case KEY(0, 9, 13, 0):
        env->cp15.pmccntr_offset = (uint64_t)clock_get_ns(CLOCK_VIRTUAL) - v;
        return true;
    case KEY(0, 9, 13, 1): env->cp15.pmxevtyper = v; return true;
    case KEY(0, 9, 13, 2): return true;
    case KEY(0, 9, 14, 0): env->cp15.pmuserenr = v & 1; return true;
    case KEY(0, 9, 14, 1): env->cp15.pmintenset |= v; return true;
    case KEY(0, 9, 14, 2): env->cp15.pmintenset &= ~v; return true;
    /* Generic timer */
    case KEY(0, 14, 0, 0): env->cntfrq = v; return true;
    case KEY(0, 14, 1, 0): env->cntkctl = v & 0x3ff; return true;
    case KEY(0, 14, 2, 0): timer_write(env, &env->gt_phys, false, 0, v); return true;
    case KEY(0, 14, 2, 1): timer_write(env, &env->gt_phys, false, 1, v); return true;
    case KEY(0, 14, 3, 0): timer_write(env, &env->gt_virt, true, 0, v); return true;
    case KEY(0, 14, 3, 1): timer_write(env, &env->gt_virt, true, 1, v); return true;
    case KEY64(2, 14): timer_write(env, &env->gt_phys, false, 2, val); return true;
    case KEY64(3, 14): timer_write(env, &env->gt_virt, true, 2, val); return true;
    case KEY64(4, 14): {
        bool held = timer_lock();
        env->cntvoff = (int64_t)val;
        arm_timer_update(env, &env->gt_virt, true);
        timer_unlock(held);
        return true;
    }
    default: break;
    }
    /* Cache maintenance (c7) and barriers: no-ops. */
    if ((key & ~0xf0ffu) == KEY(0, 7, 0, 0)) {
        return true;
    }
    if ((key & ~0xf0ffu) == KEY(0, 15, 0, 0) || (key & ~0xf0ffu) == KEY(0, 9, 0, 0)) {
        return true;
    }
    return false;
}
