/*
 * cpu/accel.c: accelerator selection (accel_init), the TCG accelerator's process-wide
 * state (code buffer, per-thread contexts), the CPU model tables and CPU creation.
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cpu/cpu-internal.h"

/* Guests add their model tables here as they arrive. */
const CPUModel *const cpu_model_table[] = {NULL};

/*
 * Each guest library exports `<arch>_cpu_models` (NULL-terminated). They are referenced
 * weakly so that mimic_cpu links without them; a binary that links a guest (its board
 * references the guest) lists and finds its models here, for -cpu help too.
 */
extern const CPUModel *const mips_cpu_models[] __attribute__((weak));
extern const CPUModel *const arm_cpu_models[] __attribute__((weak));
extern const CPUModel *const x86_cpu_models[] __attribute__((weak));

static const CPUModel *const *guest_table(int i)
{
    switch (i) {
    case 0: return cpu_model_table;
    case 1: return mips_cpu_models;
    case 2: return arm_cpu_models;
    case 3: return x86_cpu_models;
    default: return NULL;
    }
}
#define N_GUEST_TABLES 4

#define MAX_EXTRA_TABLES 8
static const CPUModel *const *extra_tables[MAX_EXTRA_TABLES];
static int n_extra_tables;

void cpu_models_add(const CPUModel *const *table)
{
    for (int i = 0; i < n_extra_tables; i++) {
        if (extra_tables[i] == table) {
            return;
        }
    }
    if (n_extra_tables < MAX_EXTRA_TABLES) {
        extra_tables[n_extra_tables++] = table;
    }
}

static const CPUModel *find_in(const CPUModel *const *t, const char *name)
{
    for (; t && *t; t++) {
        if (strcmp((*t)->name, name) == 0) {
            return *t;
        }
    }
    return NULL;
}

const CPUModel *cpu_model_find(const char *name)
{
    const CPUModel *m = NULL;
    for (int i = 0; !m && i < N_GUEST_TABLES; i++) {
        m = find_in(guest_table(i), name);
    }
    for (int i = 0; !m && i < n_extra_tables; i++) {
        m = find_in(extra_tables[i], name);
    }
    return m;
}

static void list_from(FILE *f, const CPUModel *const *t, const char *arch)
{
    for (; t && *t; t++) {
        if (!arch || strcmp((*t)->arch, arch) == 0) {
            fprintf(f, "  %-20s %s\n", (*t)->name, (*t)->desc ? (*t)->desc : "");
        }
    }
}

void cpu_list_models(FILE *f, const char *arch)
{
    fprintf(f, "Available CPUs%s%s:\n", arch ? " for " : "", arch ? arch : "");
    for (int i = 0; i < N_GUEST_TABLES; i++) {
        list_from(f, guest_table(i), arch);
    }
    for (int i = 0; i < n_extra_tables; i++) {
        bool dup = false;
        for (int j = 0; j < N_GUEST_TABLES; j++) {
            dup |= extra_tables[i] == guest_table(j);
        }
        if (!dup) {
            list_from(f, extra_tables[i], arch);
        }
    }
}

/* ---- TCG state ---------------------------------------------------------------------- */

TCGCodeBuffer *tcg_code_buf;
size_t tcg_code_size = (size_t)64 << 20;
static const AccelOps *current_accel;
static TCGContext *any_ctx;
static pthread_mutex_t accel_mutex = PTHREAD_MUTEX_INITIALIZER;

void tcg_accel_set_code_size(size_t bytes)
{
    tcg_code_size = bytes;
}

int tcg_accel_init(char **errp)
{
    if (tcg_code_buf) {
        return 0;
    }
    tcg_code_buf = tcg_code_buffer_new(tcg_code_size);
    if (!tcg_code_buf) {
        if (errp) {
            *errp = g_strdup("cannot allocate the translated-code buffer");
        }
        return -1;
    }
    memory_set_code_write_notifier(tb_invalidate_phys_range_notify);
    return 0;
}

int accel_init(const char *name, char **errp)
{
    if (!name || strcmp(name, "tcg") == 0) {
        if (accel_tcg_ops.init(errp) < 0) {
            return -1;
        }
        current_accel = &accel_tcg_ops;
        return 0;
    }
    if (strcmp(name, "kvm") == 0 || strcmp(name, "kvm:tcg") == 0) {
        bool fallback = strcmp(name, "kvm:tcg") == 0;
        const AccelOps *kvm = &accel_kvm_ops;
        if (kvm && kvm->init) {
            char *kerr = NULL;
            if (kvm->init(&kerr) == 0) {
                current_accel = kvm;
                return 0;
            }
            if (!fallback) {
                if (errp) {
                    *errp = kerr;
                } else {
                    g_free(kerr);
                }
                return -1;
            }
            g_free(kerr);
        } else if (!fallback) {
            if (errp) {
                *errp = g_strdup("accelerator 'kvm' is not available in this build");
            }
            return -1;
        }
        return accel_init("tcg", errp);
    }
    if (errp) {
        *errp = g_strdup_printf("invalid accelerator '%s' (use tcg, kvm or kvm:tcg)", name);
    }
    return -1;
}

const AccelOps *accel_current(void)
{
    return current_accel ? current_accel : &accel_tcg_ops;
}

TCGContext *cpu_any_tcg_context(void)
{
    return any_ctx;
}

TCGContext *cpu_tcg_context(CPUState *cpu)
{
    if (cpu->tcg) {
        return cpu->tcg;
    }
    if (!tcg_code_buf) {
        char *err = NULL;
        if (tcg_accel_init(&err) < 0) {
            fprintf(stderr, "mimic: %s\n", err ? err : "TCG initialisation failed");
            exit(1);
        }
    }
    const CPUArchOps *ops = cpu->ops;
    TCGConfig cfg = {
        .guest_addr_bits = ops->addr_bits,
        .page_bits = ops->page_bits,
        .tlb_offset = offsetof(CPUEnvCommon, tlb),
        .nb_mmu_modes = ops->nb_mmu_modes,
        .ld_slow = tlb_ld_slow,
        .st_slow = tlb_st_slow,
    };
    cpu->tcg = tcg_context_new(tcg_code_buf, &cfg);
    if (!cpu->tcg) {
        fprintf(stderr, "mimic: cannot create a translation context\n");
        exit(1);
    }
    pthread_mutex_lock(&accel_mutex);
    if (!any_ctx) {
        any_ctx = cpu->tcg;
    }
    pthread_mutex_unlock(&accel_mutex);
    return cpu->tcg;
}

#define MAX_ARCHS 4
static const CPUArchOps *inited_archs[MAX_ARCHS];

void cpu_arch_translate_init(const CPUArchOps *ops)
{
    pthread_mutex_lock(&accel_mutex);
    for (int i = 0; i < MAX_ARCHS; i++) {
        if (inited_archs[i] == ops) {
            break;
        }
        if (!inited_archs[i]) {
            inited_archs[i] = ops;
            if (ops->translate_init) {
                ops->translate_init();
            }
            break;
        }
    }
    pthread_mutex_unlock(&accel_mutex);
}

/* ---- CPUs --------------------------------------------------------------------------- */

CPUState *cpu_first(void)
{
    return cpu_list_head;
}

int cpu_count(void)
{
    int n = 0;
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        n++;
    }
    return n;
}

CPUState *cpu_create(const char *model, AddressSpace *as, char **errp)
{
    const CPUModel *m = model ? cpu_model_find(model) : NULL;
    if (!m) {
        if (errp) {
            *errp = g_strdup_printf("unknown CPU model '%s' (use -cpu help)", model ? model : "");
        }
        return NULL;
    }
    const CPUArchOps *ops = m->ops;
    if (ops->env_size < sizeof(CPUEnvCommon) || ops->nb_mmu_modes < 1 ||
        ops->nb_mmu_modes > TCG_MAX_MMU_MODES || ops->page_bits < 12) {
        if (errp) {
            *errp = g_strdup_printf("CPU model '%s' has an invalid description", model);
        }
        return NULL;
    }
    CPUState *cpu = calloc(1, sizeof(*cpu));
    cpu->env = aligned_alloc(64, (ops->env_size + 63) & ~(size_t)63);
    memset(cpu->env, 0, ops->env_size);
    cpu->common = cpu->env;
    cpu->common->cpu = cpu;
    cpu->ops = ops;
    cpu->model = m;
    cpu->as = as;
    cpu->exception_index = -1;
    /* The jump cache (256 KiB) and the soft TLB (~72 KiB per MMU mode) serve translated
     * code only: an accelerator that runs the guest natively (KVM) leaves them NULL, and
     * the code that clears them checks for that. */
    if (accel_current() == &accel_tcg_ops) {
        cpu->jmp_cache = aligned_alloc(64, CPU_JMP_CACHE_SIZE * sizeof(CPUJumpCacheEntry));
        memset(cpu->jmp_cache, 0, CPU_JMP_CACHE_SIZE * sizeof(CPUJumpCacheEntry));
        cpu->jmp_nb_used = CPU_JMP_USED_MAX + 1; /* the first clear empties every slot */
        cpu->common->jmp_cache = cpu->jmp_cache;
        tlb_init(cpu);
        tlb_register_listener(as);
        cpu_arch_translate_init(ops);
    }

    cpus_lock();
    CPUState **pp = &cpu_list_head;
    int idx = 0;
    while (*pp) {
        idx++;
        pp = &(*pp)->next;
    }
    cpu->cpu_index = idx;
    *pp = cpu;
    cpus_unlock();

    if (ops->reset) {
        ops->reset(cpu);
    }
    if (m->init) {
        m->init(cpu);
    }
    const AccelOps *acc = accel_current();
    if (acc->cpu_init && acc->cpu_init(cpu, errp) < 0) {
        cpu_destroy(cpu);
        return NULL;
    }
    cpu_gdb_register();
    return cpu;
}

void cpu_synchronize_state(CPUState *cpu)
{
    const AccelOps *acc = accel_current();
    if (acc->synchronize_state) {
        acc->synchronize_state(cpu);
    }
}

void cpu_destroy(CPUState *cpu)
{
    const AccelOps *acc = accel_current();
    if (acc->cpu_destroy) {
        acc->cpu_destroy(cpu);
    }
    cpus_lock();
    for (CPUState **pp = &cpu_list_head; *pp; pp = &(*pp)->next) {
        if (*pp == cpu) {
            *pp = cpu->next;
            break;
        }
    }
    cpus_unlock();
    if (cpu->tcg && cpu->tcg != any_ctx) {
        tcg_context_free(cpu->tcg);
    }
    tlb_destroy(cpu);
    free(cpu->jmp_cache);
    free(cpu->code_snap);
    free(cpu->env);
    free(cpu);
}

void cpu_reset(CPUState *cpu)
{
    if (log_enabled(LOG_CPU_RESET) && cpu->ops->dump_state) {
        log_lock();
        log_printf("CPU Reset (CPU %d)\n", cpu->cpu_index);
        cpu->ops->dump_state(cpu, log_file());
        log_unlock();
    }
    __atomic_store_n(&cpu->interrupt_request, 0, __ATOMIC_SEQ_CST);
    cpu->halted = false;
    cpu->exception_index = -1;
    cpu->cflags_next_tb = 0;
    if (cpu->tlb_table[0]) {
        tlb_flush_now(cpu, ~0u);
    }
    if (cpu->ops->reset) {
        cpu->ops->reset(cpu);
    }
    const AccelOps *acc = accel_current();
    if (acc->synchronize_post_reset) {
        acc->synchronize_post_reset(cpu);
    }
}

void cpu_dump_state(CPUState *cpu, FILE *f)
{
    cpu_synchronize_state(cpu);
    if (cpu->ops->dump_state) {
        cpu->ops->dump_state(cpu, f);
    } else {
        fprintf(f, "cpu%d: no register dump for %s\n", cpu->cpu_index, cpu->ops->name);
    }
}
