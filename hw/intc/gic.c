/*
 * ARM GICv2 (hw/intc/gic.c): distributor (enables, pending/active, priorities,
 * targets, edge/level, SGIs) and banked CPU interfaces (ack, EOI, running
 * priority, binary point) for up to 8 CPUs, without the security extensions:
 * every interrupt is group 0 and signalled on IRQ.
 */
#include "hw/intc/gic.h"

#include <glib.h>
#include <string.h>

#define GICD_CTLR       0x000
#define GICD_TYPER      0x004
#define GICD_IIDR       0x008
#define GICD_IGROUPR    0x080
#define GICD_ISENABLER  0x100
#define GICD_ICENABLER  0x180
#define GICD_ISPENDR    0x200
#define GICD_ICPENDR    0x280
#define GICD_ISACTIVER  0x300
#define GICD_ICACTIVER  0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR  0x800
#define GICD_ICFGR      0xc00
#define GICD_SGIR       0xf00
#define GICD_CPENDSGIR  0xf10
#define GICD_SPENDSGIR  0xf20
#define GICD_IDREGS     0xfd0

#define GICC_CTLR  0x00
#define GICC_PMR   0x04
#define GICC_BPR   0x08
#define GICC_IAR   0x0c
#define GICC_EOIR  0x10
#define GICC_RPR   0x14
#define GICC_HPPIR 0x18
#define GICC_ABPR  0x1c
#define GICC_APR0  0xd0
#define GICC_IIDR  0xfc
#define GICC_DIR   0x1000

#define GICC_CTLR_ENABLE  (1u << 0)
#define GICC_CTLR_EOIMODE (1u << 9)

#define GIC_IIDR_ARM      0x0200043b
#define GICC_IIDR_VALUE   0x0202043b
#define GIC_ACTIVE_DEPTH  64
#define GIC_IDLE_PRIORITY 0x100 /* above every real priority: nothing active */

/* State of one interrupt ID as one CPU sees it (banked for IDs < 32). */
typedef struct GICIrq {
    uint8_t enabled, pending /* latched: edge or software */, active, level, edge, group;
    uint8_t priority;
} GICIrq;

typedef struct GICActive {
    uint16_t id;
    uint8_t src, priority;
} GICActive;

typedef struct GICCpu {
    uint32_t ctlr;
    uint8_t pmr, bpr, abpr;
    int depth;
    GICActive stack[GIC_ACTIVE_DEPTH]; /* acknowledged, not yet EOIed, oldest first */
} GICCpu;

/* Everything saved and reset, kept apart from pointers. */
typedef struct GICRegs {
    uint8_t dist_enabled;
    GICIrq banked[GIC_MAX_CPUS][GIC_INTERNAL];
    GICIrq shared[GIC_MAX_IRQ];
    uint8_t target[GIC_MAX_IRQ];
    uint8_t sgi_pending[GIC_MAX_CPUS][GIC_NR_SGI]; /* bit per source CPU */
    GICCpu cpu[GIC_MAX_CPUS];
} GICRegs;

struct GICState {
    Device dev;
    int num_cpu, num_irq;
    GICCpuIndexFn cpu_index;
    void *cpu_opaque;
    MemoryRegion *dist_mr, *cpu_mr;
    qemu_irq out_irq[GIC_MAX_CPUS], out_fiq[GIC_MAX_CPUS];
    qemu_irq *spi_in;
    qemu_irq *ppi_in[GIC_MAX_CPUS];
    GICRegs r;
};

static int gic_cur_cpu(GICState *s)
{
    int c = s->cpu_index ? s->cpu_index(s->cpu_opaque) : 0;
    return c >= 0 && c < s->num_cpu ? c : 0;
}

static GICIrq *gic_irq(GICState *s, int cpu, int id)
{
    return id < GIC_INTERNAL ? &s->r.banked[cpu][id] : &s->r.shared[id];
}

static bool gic_is_pending(GICState *s, int cpu, int id)
{
    if (id < GIC_NR_SGI) {
        return s->r.sgi_pending[cpu][id] != 0;
    }
    GICIrq *b = gic_irq(s, cpu, id);
    return b->pending || (!b->edge && b->level);
}

static unsigned gic_group_mask(GICCpu *c)
{
    /* BPR n splits the priority into group priority [7:n+1] and subpriority. */
    return (0xffu << (c->bpr + 1)) & 0xff;
}

static unsigned gic_running_priority(GICCpu *c)
{
    unsigned p = GIC_IDLE_PRIORITY;
    for (int i = 0; i < c->depth; i++) {
        if (c->stack[i].priority < p) {
            p = c->stack[i].priority;
        }
    }
    return p;
}

/* Highest-priority pending, enabled, inactive interrupt for `cpu` (lowest ID
 * on ties), or GIC_SPURIOUS. */
static int gic_best(GICState *s, int cpu, unsigned *prio)
{
    int best = GIC_SPURIOUS;
    unsigned bp = GIC_IDLE_PRIORITY;
    for (int id = 0; id < s->num_irq; id++) {
        GICIrq *b = gic_irq(s, cpu, id);
        if (!b->enabled || b->active || b->priority >= bp) {
            continue;
        }
        if (id >= GIC_INTERNAL && !(s->r.target[id] & (1u << cpu))) {
            continue;
        }
        if (!gic_is_pending(s, cpu, id)) {
            continue;
        }
        best = id;
        bp = b->priority;
    }
    *prio = bp;
    return best;
}

/* Would `cpu` be interrupted now, and by which ID? */
static int gic_signalled(GICState *s, int cpu)
{
    GICCpu *c = &s->r.cpu[cpu];
    if (!s->r.dist_enabled || !(c->ctlr & GICC_CTLR_ENABLE)) {
        return GIC_SPURIOUS;
    }
    unsigned prio;
    int id = gic_best(s, cpu, &prio);
    if (id == GIC_SPURIOUS || prio >= c->pmr) {
        return GIC_SPURIOUS;
    }
    unsigned run = gic_running_priority(c);
    if (run != GIC_IDLE_PRIORITY && (prio & gic_group_mask(c)) >= (run & gic_group_mask(c))) {
        return GIC_SPURIOUS;
    }
    return id;
}

static void gic_update(GICState *s)
{
    for (int cpu = 0; cpu < s->num_cpu; cpu++) {
        irq_set(s->out_irq[cpu], gic_signalled(s, cpu) != GIC_SPURIOUS);
    }
}

static void gic_set_line(GICState *s, int cpu, int id, int level)
{
    GICIrq *b = gic_irq(s, cpu, id);
    level = level != 0;
    if (level && !b->level && b->edge) {
        b->pending = 1;
    }
    b->level = level;
    gic_update(s);
}

static void gic_spi_handler(void *opaque, int n, int level)
{
    GICState *s = opaque;
    if (GIC_INTERNAL + n < s->num_irq) {
        gic_set_line(s, 0, GIC_INTERNAL + n, level);
    }
}

/* PPI inputs: one array per CPU, indexed by ID - 16; the CPU is found from
 * which array the line belongs to. */
typedef struct GICPpiBank {
    GICState *s;
    int cpu;
} GICPpiBank;
static void gic_ppi_handler(void *opaque, int n, int level)
{
    GICPpiBank *bank = opaque;
    gic_set_line(bank->s, bank->cpu, GIC_NR_SGI + n, level);
}

/* ---- CPU interface -------------------------------------------------------- */

static uint32_t gic_acknowledge(GICState *s, int cpu)
{
    int id = gic_signalled(s, cpu);
    if (id == GIC_SPURIOUS) {
        return GIC_SPURIOUS;
    }
    GICCpu *c = &s->r.cpu[cpu];
    GICIrq *b = gic_irq(s, cpu, id);
    unsigned src = 0;
    if (id < GIC_NR_SGI) {
        src = __builtin_ctz(s->r.sgi_pending[cpu][id]);
        s->r.sgi_pending[cpu][id] &= ~(1u << src);
    } else {
        b->pending = 0;
    }
    b->active = 1;
    if (c->depth < GIC_ACTIVE_DEPTH) {
        c->stack[c->depth++] = (GICActive){.id = id, .src = src, .priority = b->priority};
    }
    gic_update(s);
    return id | (src << 10);
}

static void gic_drop_priority(GICState *s, int cpu, uint32_t val)
{
    GICCpu *c = &s->r.cpu[cpu];
    unsigned id = val & 0x3ff, src = (val >> 10) & 7;
    for (int i = c->depth - 1; i >= 0; i--) {
        if (c->stack[i].id == id && (id >= GIC_NR_SGI || c->stack[i].src == src)) {
            memmove(&c->stack[i], &c->stack[i + 1], (c->depth - i - 1) * sizeof(c->stack[0]));
            c->depth--;
            return;
        }
    }
    hw_log_guest_error("gic: EOI of interrupt %u that is not active on CPU %d\n", id, cpu);
}

static void gic_deactivate(GICState *s, int cpu, uint32_t val)
{
    unsigned id = val & 0x3ff;
    if ((int)id < s->num_irq) {
        gic_irq(s, cpu, id)->active = 0;
    }
}

static uint64_t gic_cpu_read(void *opaque, uint64_t addr, unsigned size)
{
    GICState *s = opaque;
    int cpu = gic_cur_cpu(s);
    GICCpu *c = &s->r.cpu[cpu];
    switch (addr) {
    case GICC_CTLR: return c->ctlr;
    case GICC_PMR: return c->pmr;
    case GICC_BPR: return c->bpr;
    case GICC_ABPR: return c->abpr;
    case GICC_IAR: return gic_acknowledge(s, cpu);
    case GICC_RPR: {
        unsigned p = gic_running_priority(c);
        return p == GIC_IDLE_PRIORITY ? 0xff : p;
    }
    case GICC_HPPIR: {
        unsigned prio;
        int id = gic_best(s, cpu, &prio);
        if (id < GIC_NR_SGI) {
            return id | (__builtin_ctz(s->r.sgi_pending[cpu][id]) << 10);
        }
        return id;
    }
    case GICC_IIDR: return GICC_IIDR_VALUE;
    default:
        if (addr >= GICC_APR0 && addr < GICC_APR0 + 16) {
            return 0;
        }
        hw_log_guest_error("gic: read of unknown CPU interface register 0x%x\n", (unsigned)addr);
        return 0;
    }
}

static void gic_cpu_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    GICState *s = opaque;
    int cpu = gic_cur_cpu(s);
    GICCpu *c = &s->r.cpu[cpu];
    switch (addr) {
    case GICC_CTLR: c->ctlr = val & 0x3ff; break;
    case GICC_PMR: c->pmr = val & 0xff; break;
    case GICC_BPR: c->bpr = val & 7; break;
    case GICC_ABPR: c->abpr = val & 7; break;
    case GICC_EOIR:
        gic_drop_priority(s, cpu, val);
        if (!(c->ctlr & GICC_CTLR_EOIMODE)) {
            gic_deactivate(s, cpu, val);
        }
        break;
    case GICC_DIR: gic_deactivate(s, cpu, val); break;
    default:
        if (addr >= GICC_APR0 && addr < GICC_APR0 + 16) {
            break;
        }
        hw_log_guest_error("gic: write of unknown CPU interface register 0x%x\n", (unsigned)addr);
        break;
    }
    gic_update(s);
}

static const MemoryRegionOps gic_cpu_ops = {
    .read = gic_cpu_read,
    .write = gic_cpu_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 4, .max_access_size = 4, .accepts_bad = true},
};

/* ---- distributor ------------------------------------------------------------- */

/* One 32-bit word of a one-bit-per-interrupt register. */
static uint32_t gic_read_bits(GICState *s, int cpu, int first, size_t field)
{
    uint32_t v = 0;
    for (int i = 0; i < 32 && first + i < s->num_irq; i++) {
        int id = first + i;
        uint8_t bit;
        if (field == offsetof(GICIrq, pending)) {
            bit = gic_is_pending(s, cpu, id);
        } else {
            bit = *((uint8_t *)gic_irq(s, cpu, id) + field);
        }
        v |= (uint32_t)(bit & 1) << i;
    }
    return v;
}

static void gic_write_bits(GICState *s, int cpu, int first, size_t field, uint32_t val, int set)
{
    for (int i = 0; i < 32 && first + i < s->num_irq; i++) {
        if (!(val & (1u << i))) {
            continue;
        }
        int id = first + i;
        if (field == offsetof(GICIrq, pending) && id < GIC_NR_SGI) {
            continue; /* SGI pending bits change only through C/SPENDSGIR */
        }
        *((uint8_t *)gic_irq(s, cpu, id) + field) = set;
    }
}

static uint8_t gic_dist_read_byte(GICState *s, int cpu, uint64_t addr)
{
    if (addr >= GICD_IPRIORITYR && addr < GICD_IPRIORITYR + GIC_MAX_IRQ) {
        int id = addr - GICD_IPRIORITYR;
        return id < s->num_irq ? gic_irq(s, cpu, id)->priority : 0;
    }
    if (addr >= GICD_ITARGETSR && addr < GICD_ITARGETSR + GIC_MAX_IRQ) {
        int id = addr - GICD_ITARGETSR;
        if (id >= s->num_irq) {
            return 0;
        }
        return id < GIC_INTERNAL ? 1u << cpu : s->r.target[id];
    }
    if (addr >= GICD_CPENDSGIR && addr < GICD_SPENDSGIR + 16) {
        return s->r.sgi_pending[cpu][addr & 15];
    }
    if (addr >= GICD_IDREGS && addr < 0x1000 && !(addr & 3)) {
        static const uint8_t id_regs[12] = {0x04, 0, 0,    0,    0x90, 0xb4,
                                            0x2b, 0, 0x0d, 0xf0, 0x05, 0xb1};
        return id_regs[(addr - GICD_IDREGS) / 4];
    }
    return 0;
}

static void gic_dist_write_byte(GICState *s, int cpu, uint64_t addr, uint8_t v)
{
    if (addr >= GICD_IPRIORITYR && addr < GICD_IPRIORITYR + GIC_MAX_IRQ) {
        int id = addr - GICD_IPRIORITYR;
        if (id < s->num_irq) {
            gic_irq(s, cpu, id)->priority = v;
        }
    } else if (addr >= GICD_ITARGETSR && addr < GICD_ITARGETSR + GIC_MAX_IRQ) {
        int id = addr - GICD_ITARGETSR;
        if (id >= GIC_INTERNAL && id < s->num_irq) {
            s->r.target[id] = v & ((1u << s->num_cpu) - 1);
        }
    } else if (addr >= GICD_CPENDSGIR && addr < GICD_CPENDSGIR + 16) {
        s->r.sgi_pending[cpu][addr & 15] &= ~v;
    } else if (addr >= GICD_SPENDSGIR && addr < GICD_SPENDSGIR + 16) {
        s->r.sgi_pending[cpu][addr & 15] |= v & ((1u << s->num_cpu) - 1);
    }
}

static bool gic_dist_is_bytewise(uint64_t addr)
{
    return (addr >= GICD_IPRIORITYR && addr < GICD_ICFGR) ||
           (addr >= GICD_CPENDSGIR && addr < GICD_SPENDSGIR + 16) || addr >= GICD_IDREGS;
}

static uint64_t gic_dist_read(void *opaque, uint64_t addr, unsigned size)
{
    GICState *s = opaque;
    int cpu = gic_cur_cpu(s);
    if (gic_dist_is_bytewise(addr)) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= (uint64_t)gic_dist_read_byte(s, cpu, addr + i) << (8 * i);
        }
        return v;
    }
    if (size != 4) {
        hw_log_guest_error("gic: %u-byte read of distributor word 0x%x\n", size, (unsigned)addr);
        return 0;
    }
    int first = (addr & 0x7f) * 8;
    switch (addr & ~0x7full) {
    case GICD_IGROUPR: return gic_read_bits(s, cpu, first, offsetof(GICIrq, group));
    case GICD_ISENABLER:
    case GICD_ICENABLER: return gic_read_bits(s, cpu, first, offsetof(GICIrq, enabled));
    case GICD_ISPENDR:
    case GICD_ICPENDR: return gic_read_bits(s, cpu, first, offsetof(GICIrq, pending));
    case GICD_ISACTIVER:
    case GICD_ICACTIVER: return gic_read_bits(s, cpu, first, offsetof(GICIrq, active));
    default: break;
    }
    if (addr >= GICD_ICFGR && addr < GICD_ICFGR + GIC_MAX_IRQ / 4) {
        int id0 = (addr - GICD_ICFGR) * 4;
        uint32_t v = 0;
        for (int i = 0; i < 16 && id0 + i < s->num_irq; i++) {
            v |= (uint32_t)gic_irq(s, cpu, id0 + i)->edge << (2 * i + 1);
        }
        return v;
    }
    switch (addr) {
    case GICD_CTLR: return s->r.dist_enabled;
    case GICD_TYPER: return (s->num_irq / 32 - 1) | ((s->num_cpu - 1) << 5);
    case GICD_IIDR: return GIC_IIDR_ARM;
    default: return 0;
    }
}

static void gic_send_sgi(GICState *s, int cpu, uint32_t val)
{
    unsigned id = val & 0xf, targets = (val >> 16) & 0xff;
    unsigned present = (1u << s->num_cpu) - 1;
    switch ((val >> 24) & 3) {
    case 0: break;
    case 1: targets = ~(1u << cpu); break;
    case 2: targets = 1u << cpu; break;
    default: return;
    }
    /* The target list has one bit per CPU interface the GIC can have; bits
     * of absent CPUs are ignored. Walking the list's GIC_MAX_CPUS bits, not
     * num_cpu, keeps every index inside sgi_pending[] by construction. */
    targets &= present;
    for (int t = 0; t < GIC_MAX_CPUS; t++) {
        if (targets & (1u << t)) {
            s->r.sgi_pending[t][id] |= 1u << cpu;
        }
    }
}

static void gic_dist_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    GICState *s = opaque;
    int cpu = gic_cur_cpu(s);
    if (gic_dist_is_bytewise(addr)) {
        for (unsigned i = 0; i < size; i++) {
            gic_dist_write_byte(s, cpu, addr + i, val >> (8 * i));
        }
        gic_update(s);
        return;
    }
    if (size != 4) {
        hw_log_guest_error("gic: %u-byte write of distributor word 0x%x\n", size, (unsigned)addr);
        return;
    }
    int first = (addr & 0x7f) * 8;
    switch (addr & ~0x7full) {
    case GICD_IGROUPR:
        for (int i = 0; i < 32 && first + i < s->num_irq; i++) {
            gic_irq(s, cpu, first + i)->group = (val >> i) & 1;
        }
        break;
    case GICD_ISENABLER: gic_write_bits(s, cpu, first, offsetof(GICIrq, enabled), val, 1); break;
    case GICD_ICENABLER: gic_write_bits(s, cpu, first, offsetof(GICIrq, enabled), val, 0); break;
    case GICD_ISPENDR: gic_write_bits(s, cpu, first, offsetof(GICIrq, pending), val, 1); break;
    case GICD_ICPENDR: gic_write_bits(s, cpu, first, offsetof(GICIrq, pending), val, 0); break;
    case GICD_ISACTIVER: gic_write_bits(s, cpu, first, offsetof(GICIrq, active), val, 1); break;
    case GICD_ICACTIVER: gic_write_bits(s, cpu, first, offsetof(GICIrq, active), val, 0); break;
    default:
        if (addr >= GICD_ICFGR && addr < GICD_ICFGR + GIC_MAX_IRQ / 4) {
            int id0 = (addr - GICD_ICFGR) * 4;
            for (int i = 0; i < 16 && id0 + i < s->num_irq; i++) {
                if (id0 + i >= GIC_NR_SGI) { /* SGIs are always edge-triggered */
                    gic_irq(s, cpu, id0 + i)->edge = (val >> (2 * i + 1)) & 1;
                }
            }
        } else if (addr == GICD_CTLR) {
            s->r.dist_enabled = val & 1;
        } else if (addr == GICD_SGIR) {
            gic_send_sgi(s, cpu, val);
        }
        break;
    }
    gic_update(s);
}

static const MemoryRegionOps gic_dist_ops = {
    .read = gic_dist_read,
    .write = gic_dist_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {.min_access_size = 1, .max_access_size = 4, .accepts_bad = true},
    .impl = {.min_access_size = 1, .max_access_size = 4},
};

/* ---- device ---------------------------------------------------------------- */

static void gic_reset(Device *dev)
{
    GICState *s = (GICState *)dev;
    memset(&s->r, 0, sizeof(s->r));
    for (int c = 0; c < GIC_MAX_CPUS; c++) {
        for (int id = 0; id < GIC_INTERNAL; id++) {
            s->r.banked[c][id].edge = id < GIC_NR_SGI;
        }
        s->r.cpu[c].bpr = 2;
    }
    /* Lines that are asserted stay asserted across reset: only their latches clear. */
    gic_update(s);
}

static void gic_save(Device *dev, StateStream *st)
{
    GICState *s = (GICState *)dev;
    state_put_u32(st, sizeof(s->r));
    state_put_bytes(st, &s->r, sizeof(s->r));
}

static bool gic_load(Device *dev, StateStream *st)
{
    GICState *s = (GICState *)dev;
    uint32_t len;
    if (!state_get_u32(st, &len) || len != sizeof(s->r) || !state_get_bytes(st, &s->r, len)) {
        return false;
    }
    gic_update(s);
    return true;
}

static const DeviceOps gic_device_ops = {
    .type = "gic",
    .reset = gic_reset,
    .save = gic_save,
    .load = gic_load,
};

GICState *gic_new(MemoryRegion *container, uint64_t dist_base, uint64_t cpu_base, int num_cpu,
                  int num_irq, GICCpuIndexFn cpu_index, void *opaque)
{
    g_assert(num_cpu >= 1 && num_cpu <= GIC_MAX_CPUS);
    g_assert(num_irq >= GIC_INTERNAL && num_irq <= GIC_MAX_IRQ + 4 && num_irq % 32 == 0);
    GICState *s = g_new0(GICState, 1);
    s->num_cpu = num_cpu;
    s->num_irq = num_irq > GIC_MAX_IRQ ? GIC_MAX_IRQ : num_irq;
    s->cpu_index = cpu_index;
    s->cpu_opaque = opaque;
    s->spi_in = irq_new_array(gic_spi_handler, s, s->num_irq - GIC_INTERNAL);
    for (int c = 0; c < num_cpu; c++) {
        GICPpiBank *bank = g_new(GICPpiBank, 1);
        *bank = (GICPpiBank){s, c};
        s->ppi_in[c] = irq_new_array(gic_ppi_handler, bank, GIC_INTERNAL - GIC_NR_SGI);
    }
    s->dist_mr = memory_region_new_io("gic.dist", GIC_DIST_SIZE, &gic_dist_ops, s);
    s->cpu_mr = memory_region_new_io("gic.cpu", GIC_CPU_SIZE, &gic_cpu_ops, s);
    memory_region_add_subregion(container, dist_base, s->dist_mr);
    memory_region_add_subregion(container, cpu_base, s->cpu_mr);
    gic_reset(&s->dev);
    device_register_auto(&s->dev, &gic_device_ops);
    return s;
}

void gic_connect_cpu(GICState *s, int cpu, qemu_irq irq, qemu_irq fiq)
{
    g_assert(cpu >= 0 && cpu < s->num_cpu);
    s->out_irq[cpu] = irq;
    s->out_fiq[cpu] = fiq;
    gic_update(s);
}

qemu_irq gic_spi(GICState *s, int n)
{
    g_assert(n >= 0 && n < s->num_irq - GIC_INTERNAL);
    return s->spi_in[n];
}

qemu_irq gic_ppi(GICState *s, int cpu, int id)
{
    g_assert(cpu >= 0 && cpu < s->num_cpu && id >= GIC_NR_SGI && id < GIC_INTERNAL);
    return s->ppi_in[cpu][id - GIC_NR_SGI];
}
