/* tcg/tcg.c: contexts, the shared dual-mapped code buffer, temps/labels/ops bookkeeping,
 * the op dump, the code generation driver, execution entry, chaining and fault recovery. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tcg/tcg-internal.h"

const TCGOpDef tcg_op_defs[NB_OPS] = {
#define DEF(n, o, i, c, f) [INDEX_op_##n] = {#n, o, i, c, f},
#include "tcg/tcg-opc.h"
#undef DEF
};

__thread TCGContext *tcg_ctx;

/* Globals are process-wide so that front-ends can keep their handles in static
 * variables; each context copies the list at tcg_func_start. Index 0 is env. */
typedef struct TCGGlobalDef {
    TCGType type;
    intptr_t offset;
    const char *name;
} TCGGlobalDef;
static TCGGlobalDef tcg_globals[TCG_MAX_GLOBALS] = {{TCG_TYPE_PTR, 0, "env"}};
static int tcg_nb_globals = 1;
static pthread_mutex_t tcg_globals_lock = PTHREAD_MUTEX_INITIALIZER;

const TCGv_ptr tcg_env = (TCGv_ptr)(uintptr_t)1;

/* ---- code buffer ---- */

TCGCodeBuffer *tcg_code_buffer_new(size_t size)
{
    size = (size + 0xfff) & ~(size_t)0xfff;
    if (size < 64 * 1024) {
        size = 64 * 1024;
    }
    int fd = memfd_create("mimic-tcg", MFD_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tcg: memfd_create: %s\n", strerror(errno));
        return NULL;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        fprintf(stderr, "tcg: cannot size code buffer: %s\n", strerror(errno));
        close(fd);
        return NULL;
    }
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        fprintf(stderr, "tcg: cannot map code buffer: %s\n", strerror(errno));
        if (rw != MAP_FAILED) {
            munmap(rw, size);
        }
        if (rx != MAP_FAILED) {
            munmap(rx, size);
        }
        return NULL;
    }
    TCGCodeBuffer *buf = calloc(1, sizeof(*buf));
    buf->rw = rw;
    buf->rx = rx;
    buf->size = size;
    pthread_mutex_init(&buf->lock, NULL);
    tcg_target_init();
    tcg_target_emit_prologue(buf);
    buf->used = buf->code_start;
    return buf;
}

void tcg_code_buffer_free(TCGCodeBuffer *buf)
{
    if (!buf) {
        return;
    }
    munmap(buf->rw, buf->size);
    munmap(buf->rx, buf->size);
    pthread_mutex_destroy(&buf->lock);
    free(buf);
}

void tcg_code_buffer_flush(TCGContext *s)
{
    pthread_mutex_lock(&s->buf->lock);
    s->buf->used = s->buf->code_start;
    pthread_mutex_unlock(&s->buf->lock);
}

size_t tcg_code_buffer_free_bytes(TCGContext *s)
{
    return s->buf->size - s->buf->used;
}

/* ---- contexts ---- */

TCGContext *tcg_context_new(TCGCodeBuffer *buf, const TCGConfig *cfg)
{
    if (cfg->guest_addr_bits != 32 && cfg->guest_addr_bits != 64) {
        fprintf(stderr, "tcg: guest_addr_bits must be 32 or 64\n");
        return NULL;
    }
    if (cfg->page_bits < 10 || cfg->page_bits > 16 || cfg->nb_mmu_modes < 0 ||
        cfg->nb_mmu_modes > TCG_MAX_MMU_MODES) {
        fprintf(stderr, "tcg: bad page_bits or nb_mmu_modes\n");
        return NULL;
    }
    TCGContext *s = calloc(1, sizeof(*s));
    if (!s) {
        return NULL;
    }
    s->buf = buf;
    s->cfg = *cfg;
    /* MIMIC_TCG_NO_OPT=1 turns the optimizer off everywhere, to triage miscompiles. */
    const char *no_opt = getenv("MIMIC_TCG_NO_OPT");
    s->optimize = !(no_opt && *no_opt && *no_opt != '0');
    s->max_ops = 1024;
    s->ops = malloc(sizeof(TCGOp) * s->max_ops);
    return s;
}

void tcg_context_free(TCGContext *s)
{
    if (!s) {
        return;
    }
    if (tcg_ctx == s) {
        tcg_ctx = NULL;
    }
    free(s->ops);
    free(s->ra_kept);
    free(s->ra_touched);
    free(s);
}

void tcg_context_set_optimize(TCGContext *s, bool on)
{
    s->optimize = on;
}

void tcg_context_set_log_op_opt(TCGContext *s, FILE *f)
{
    s->log_op_opt = f;
}

void tcg_func_start(TCGContext *s)
{
    tcg_ctx = s;
    s->nb_ops = 0;
    s->nb_labels = 0;
    s->nb_insns = 0;
    s->build_error = false;
    memset(s->nb_free, 0, sizeof(s->nb_free));
    memset(s->const_hash, 0, sizeof(s->const_hash));

    pthread_mutex_lock(&tcg_globals_lock);
    s->nb_globals = tcg_nb_globals;
    for (int i = 0; i < s->nb_globals; i++) {
        TCGTemp *t = &s->temps[i];
        memset(t, 0, sizeof(*t));
        t->type = tcg_globals[i].type;
        t->kind = i == 0 ? TEMP_FIXED : TEMP_GLOBAL;
        t->mem_offset = tcg_globals[i].offset;
        t->mem_allocated = true;
        t->name = tcg_globals[i].name;
    }
    pthread_mutex_unlock(&tcg_globals_lock);
    s->nb_temps = s->nb_globals;
}

/* ---- temps ---- */

static TCGTemp *tcg_temp_alloc(TCGContext *s)
{
    if (s->nb_temps >= TCG_MAX_TEMPS) {
        /* Keep going with a throw-away temp; tcg_gen_code reports -2. */
        s->build_error = true;
        return &s->temps[s->nb_temps - 1];
    }
    TCGTemp *t = &s->temps[s->nb_temps++];
    memset(t, 0, sizeof(*t));
    return t;
}

static int tcg_global_new(TCGType type, intptr_t offset, const char *name)
{
    pthread_mutex_lock(&tcg_globals_lock);
    int idx = tcg_nb_globals;
    if (idx >= TCG_MAX_GLOBALS) {
        fprintf(stderr, "tcg: too many globals\n");
        abort();
    }
    tcg_globals[idx] = (TCGGlobalDef){type, offset, name};
    tcg_nb_globals++;
    pthread_mutex_unlock(&tcg_globals_lock);
    return idx;
}

static int tcg_temp_new_internal(TCGType type, bool local)
{
    TCGContext *s = tcg_ctx;
    int *n = &s->nb_free[local][type];
    if (*n > 0) {
        int idx = s->free_temps[local][type][--*n];
        s->temps[idx].is_free = false;
        return idx;
    }
    TCGTemp *t = tcg_temp_alloc(s);
    t->type = type;
    t->kind = local ? TEMP_LOCAL : TEMP_NORMAL;
    return temp_idx(s, t);
}

static void tcg_temp_free_internal(int idx)
{
    TCGContext *s = tcg_ctx;
    TCGTemp *t = &s->temps[idx];
    if (t->kind != TEMP_NORMAL && t->kind != TEMP_LOCAL) {
        return;
    }
    if (t->is_free) {
        return;
    }
    bool local = t->kind == TEMP_LOCAL;
    int *n = &s->nb_free[local][t->type];
    if (*n < TCG_MAX_TEMPS / 4) {
        t->is_free = true;
        s->free_temps[local][t->type][(*n)++] = idx;
    }
}

TCGTemp *tcg_const_temp(TCGContext *s, TCGType type, int64_t val)
{
    if (type == TCG_TYPE_I32) {
        val = (int32_t)val;
    }
    uint64_t h = ((uint64_t)val * 0x9e3779b97f4a7c15ull) >> 40;
    h = (h + type) % TCG_CONST_HASH;
    for (int probe = 0; probe < TCG_CONST_HASH; probe++) {
        int idx = s->const_hash[h];
        if (idx == 0) {
            TCGTemp *t = tcg_temp_alloc(s);
            t->type = type;
            t->kind = TEMP_CONST;
            t->val = val;
            s->const_hash[h] = temp_idx(s, t);
            return t;
        }
        TCGTemp *t = &s->temps[idx];
        if (t->type == type && t->val == val && t->kind == TEMP_CONST) {
            return t;
        }
        h = (h + 1) % TCG_CONST_HASH;
    }
    /* Table full: an unshared constant is still correct. */
    TCGTemp *t = tcg_temp_alloc(s);
    t->type = type;
    t->kind = TEMP_CONST;
    t->val = val;
    return t;
}

#define HANDLE(idx)   ((uintptr_t)(idx) + 1)
#define HANDLE_IDX(v) ((int)((uintptr_t)(v)-1))

TCGv_i32 tcg_global_mem_new_i32(intptr_t offset, const char *name)
{
    return (TCGv_i32)HANDLE(tcg_global_new(TCG_TYPE_I32, offset, name));
}
TCGv_i64 tcg_global_mem_new_i64(intptr_t offset, const char *name)
{
    return (TCGv_i64)HANDLE(tcg_global_new(TCG_TYPE_I64, offset, name));
}
TCGv_ptr tcg_global_mem_new_ptr(intptr_t offset, const char *name)
{
    return (TCGv_ptr)HANDLE(tcg_global_new(TCG_TYPE_PTR, offset, name));
}
TCGv_i32 tcg_temp_new_i32(void)
{
    return (TCGv_i32)HANDLE(tcg_temp_new_internal(TCG_TYPE_I32, false));
}
TCGv_i64 tcg_temp_new_i64(void)
{
    return (TCGv_i64)HANDLE(tcg_temp_new_internal(TCG_TYPE_I64, false));
}
TCGv_ptr tcg_temp_new_ptr(void)
{
    return (TCGv_ptr)HANDLE(tcg_temp_new_internal(TCG_TYPE_PTR, false));
}
TCGv_i32 tcg_temp_local_new_i32(void)
{
    return (TCGv_i32)HANDLE(tcg_temp_new_internal(TCG_TYPE_I32, true));
}
TCGv_i64 tcg_temp_local_new_i64(void)
{
    return (TCGv_i64)HANDLE(tcg_temp_new_internal(TCG_TYPE_I64, true));
}
void tcg_temp_free_i32(TCGv_i32 t)
{
    tcg_temp_free_internal(HANDLE_IDX(t));
}
void tcg_temp_free_i64(TCGv_i64 t)
{
    tcg_temp_free_internal(HANDLE_IDX(t));
}
void tcg_temp_free_ptr(TCGv_ptr t)
{
    tcg_temp_free_internal(HANDLE_IDX(t));
}
TCGv_i32 tcg_constant_i32(int32_t v)
{
    return (TCGv_i32)HANDLE(temp_idx(tcg_ctx, tcg_const_temp(tcg_ctx, TCG_TYPE_I32, v)));
}
TCGv_i64 tcg_constant_i64(int64_t v)
{
    return (TCGv_i64)HANDLE(temp_idx(tcg_ctx, tcg_const_temp(tcg_ctx, TCG_TYPE_I64, v)));
}
TCGv_ptr tcg_constant_ptr(intptr_t v)
{
    return (TCGv_ptr)HANDLE(temp_idx(tcg_ctx, tcg_const_temp(tcg_ctx, TCG_TYPE_PTR, v)));
}
TCGTemp *tcgv_i32_temp(TCGv_i32 v)
{
    return &tcg_ctx->temps[HANDLE_IDX(v)];
}
TCGTemp *tcgv_i64_temp(TCGv_i64 v)
{
    return &tcg_ctx->temps[HANDLE_IDX(v)];
}
TCGTemp *tcgv_ptr_temp(TCGv_ptr v)
{
    return &tcg_ctx->temps[HANDLE_IDX(v)];
}

TCGLabel *tcg_label_new(void)
{
    TCGContext *s = tcg_ctx;
    if (s->nb_labels >= TCG_MAX_LABELS) {
        s->build_error = true;
        return &s->labels[TCG_MAX_LABELS - 1];
    }
    TCGLabel *l = &s->labels[s->nb_labels];
    memset(l, 0, sizeof(*l));
    l->id = s->nb_labels++;
    return l;
}

/* ---- ops ---- */

TCGOp *tcg_emit_op(TCGOpcode opc, TCGType type, int nb_o, int nb_i, int nb_c)
{
    TCGContext *s = tcg_ctx;
    if (s->nb_ops == s->max_ops) {
        s->max_ops *= 2;
        s->ops = realloc(s->ops, sizeof(TCGOp) * s->max_ops);
        if (!s->ops) {
            fprintf(stderr, "tcg: out of memory\n");
            abort();
        }
    }
    TCGOp *op = &s->ops[s->nb_ops++];
    memset(op, 0, sizeof(*op));
    op->opc = opc;
    op->type = type;
    op->nb_o = nb_o;
    op->nb_i = nb_i;
    op->nb_c = nb_c;
    return op;
}

static const char *const cond_names[TCG_COND_COUNT] = {
    [TCG_COND_NEVER] = "never", [TCG_COND_ALWAYS] = "always", [TCG_COND_EQ] = "eq",
    [TCG_COND_NE] = "ne",       [TCG_COND_LT] = "lt",         [TCG_COND_GE] = "ge",
    [TCG_COND_LE] = "le",       [TCG_COND_GT] = "gt",         [TCG_COND_LTU] = "ltu",
    [TCG_COND_GEU] = "geu",     [TCG_COND_LEU] = "leu",       [TCG_COND_GTU] = "gtu",
    [TCG_COND_TSTEQ] = "tsteq", [TCG_COND_TSTNE] = "tstne",
};

const char *tcg_cond_name(TCGCond c)
{
    return (unsigned)c < TCG_COND_COUNT ? cond_names[c] : "?";
}

/* Evaluates a condition on constants (also the optimizer's reference semantics). */
int64_t tcg_fold_cond(TCGType type, TCGCond c, uint64_t a, uint64_t b)
{
    int64_t sa, sb;
    if (type == TCG_TYPE_I32) {
        a = (uint32_t)a;
        b = (uint32_t)b;
        sa = (int32_t)a;
        sb = (int32_t)b;
    } else {
        sa = (int64_t)a;
        sb = (int64_t)b;
    }
    switch (c) {
    case TCG_COND_NEVER: return 0;
    case TCG_COND_ALWAYS: return 1;
    case TCG_COND_EQ: return a == b;
    case TCG_COND_NE: return a != b;
    case TCG_COND_LT: return sa < sb;
    case TCG_COND_GE: return sa >= sb;
    case TCG_COND_LE: return sa <= sb;
    case TCG_COND_GT: return sa > sb;
    case TCG_COND_LTU: return a < b;
    case TCG_COND_GEU: return a >= b;
    case TCG_COND_LEU: return a <= b;
    case TCG_COND_GTU: return a > b;
    case TCG_COND_TSTEQ: return (a & b) == 0;
    case TCG_COND_TSTNE: return (a & b) != 0;
    default: return 0;
    }
}

static void tcg_dump_temp(TCGContext *s, FILE *f, TCGTemp *t)
{
    switch (t->kind) {
    case TEMP_FIXED:
    case TEMP_GLOBAL: fprintf(f, "%s", t->name ? t->name : "?"); break;
    case TEMP_CONST:
        if (t->type == TCG_TYPE_I32) {
            fprintf(f, "$0x%x", (uint32_t)t->val);
        } else {
            fprintf(f, "$0x%" PRIx64, (uint64_t)t->val);
        }
        break;
    case TEMP_LOCAL: fprintf(f, "loc%d", temp_idx(s, t) - s->nb_globals); break;
    default: fprintf(f, "tmp%d", temp_idx(s, t) - s->nb_globals); break;
    }
}

void tcg_dump_ops(TCGContext *s, FILE *f)
{
    for (int i = 0; i < s->nb_ops; i++) {
        TCGOp *op = &s->ops[i];
        const TCGOpDef *def = op_def(op);
        if (op->opc == INDEX_op_nop) {
            continue;
        }
        if (op->opc == INDEX_op_insn_start) {
            fprintf(f, " ---- %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n",
                    (uint64_t)op->args[0], (uint64_t)op->args[1], (uint64_t)op->args[2]);
            continue;
        }
        const char *sfx = "";
        switch (op->opc) {
        case INDEX_op_set_label:
        case INDEX_op_br:
        case INDEX_op_goto_tb:
        case INDEX_op_exit_tb:
        case INDEX_op_goto_ptr:
        case INDEX_op_mb:
        case INDEX_op_call:
        case INDEX_op_extu_i32_i64:
        case INDEX_op_ext_i32_i64:
        case INDEX_op_extrl_i64_i32:
        case INDEX_op_extrh_i64_i32: break;
        default: sfx = op->type == TCG_TYPE_I32 ? "_i32" : "_i64"; break;
        }
        fprintf(f, " %s%s ", def->name, sfx);
        int n = 0;
        for (int k = 0; k < op->nb_o + op->nb_i; k++, n++) {
            fputs(n ? "," : "", f);
            tcg_dump_temp(s, f, arg_temp(op->args[k]));
        }
        const TCGArg *c = &op->args[op->nb_o + op->nb_i];
        switch (op->opc) {
        case INDEX_op_brcond: fprintf(f, ",%s,$L%d", tcg_cond_name(c[0]), (int)c[1]); break;
        case INDEX_op_setcond:
        case INDEX_op_negsetcond:
        case INDEX_op_movcond: fprintf(f, ",%s", tcg_cond_name(c[0])); break;
        case INDEX_op_set_label:
        case INDEX_op_br: fprintf(f, "$L%d", (int)c[0]); break;
        case INDEX_op_call:
            fprintf(f, "%s%p,$0x%x", n ? "," : "", (void *)c[0], (unsigned)c[1]);
            break;
        case INDEX_op_qemu_ld:
        case INDEX_op_qemu_st: {
            MemOp mop = get_memop(c[0]);
            static const char size_ch[] = "bwlq";
            fprintf(f, ",%s%c%c",
                    (mop & MO_SIZE) == MO_8 ? ""
                    : (mop & MO_BSWAP)      ? "be"
                                            : "le",
                    (mop & MO_SIGN) ? 's' : 'u', size_ch[mop & MO_SIZE]);
            if (mop & MO_AMASK) {
                fprintf(f, "+al%u", 1u << memop_alignment_bits(mop));
            }
            fprintf(f, ",%u", get_mmuidx(c[0]));
            break;
        }
        case INDEX_op_exit_tb: fprintf(f, "$0x%" PRIxPTR, (uintptr_t)c[0]); break;
        case INDEX_op_goto_tb:
        case INDEX_op_mb: fprintf(f, "$%u", (unsigned)c[0]); break;
        default:
            for (int k = 0; k < op->nb_c; k++) {
                fprintf(f, ",$0x%" PRIxPTR, (uintptr_t)c[k]);
            }
            break;
        }
        if (op->life) {
            /* after liveness (-d op_opt): arguments whose value dies here */
            fprintf(f, "  dead:");
            for (int k = 0; k < op->nb_o + op->nb_i; k++) {
                if ((op->life >> k) & 1) {
                    fprintf(f, " %d", k);
                }
            }
        }
        fputc('\n', f);
    }
}

/* ---- code generation driver ---- */

int tcg_reg_alloc_code(TCGContext *s); /* regalloc.c */

void tcg_add_reloc(TCGContext *s, int label, uint32_t at)
{
    if (s->nb_relocs >= TCG_MAX_RELOCS) {
        s->regalloc_error = 1;
        longjmp(s->overflow, 2);
    }
    s->relocs[s->nb_relocs++] = (TCGReloc){label, at};
}

int tcg_gen_code(TCGContext *s, TCGCodeResult *out)
{
    if (s->build_error) {
        return -2;
    }
    volatile int n_in = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        n_in += s->ops[i].opc != INDEX_op_nop && s->ops[i].opc != INDEX_op_insn_start;
    }
    if (s->optimize) {
        tcg_optimize(s);
    }
    tcg_liveness(s);
    if (s->log_op_opt) {
        /* Named by the guest pc of its first instruction, like -d in_asm and
         * -d op: with op_opt alone, nothing else says which block this is. */
        fprintf(s->log_op_opt, "OP after optimization and liveness analysis:");
        for (int i = 0; i < s->nb_ops; i++) {
            if (s->ops[i].opc == INDEX_op_insn_start) {
                fprintf(s->log_op_opt, " pc=0x%" PRIx64, (uint64_t)s->ops[i].args[0]);
                break;
            }
        }
        fprintf(s->log_op_opt, "\n");
        tcg_dump_ops(s, s->log_op_opt);
        fprintf(s->log_op_opt, "\n");
    }

    TCGCodeBuffer *buf = s->buf;
    pthread_mutex_lock(&buf->lock);
    volatile size_t start = (buf->used + 15) & ~(size_t)15;
    if (start + 8192 > buf->size) {
        pthread_mutex_unlock(&buf->lock);
        return -1;
    }
    s->code_buf_rw = buf->rw + start;
    s->code_ptr = s->code_buf_rw;
    s->code_limit = buf->rw + buf->size - 4096;
    s->rx_delta = buf->rx - buf->rw;
    s->nb_relocs = 0;
    s->nb_ldst = 0;
    s->regalloc_error = 0;
    s->jmp_insn_off[0] = s->jmp_insn_off[1] = TCG_NO_JMP;
    s->jmp_reset_off[0] = s->jmp_reset_off[1] = TCG_NO_JMP;

    int r = setjmp(s->overflow);
    if (r != 0) {
        pthread_mutex_unlock(&buf->lock);
        return s->regalloc_error ? -2 : -1;
    }
    tcg_reg_alloc_code(s);
    tcg_out_ldst_slow_paths(s);
    for (int i = 0; i < s->nb_relocs; i++) {
        TCGLabel *l = &s->labels[s->relocs[i].label];
        if (!l->has_value) {
            /* A front-end bug; refuse the block rather than emit a wild jump. */
            fprintf(stderr, "tcg: branch to label %d that was never set\n", l->id);
            pthread_mutex_unlock(&buf->lock);
            return -2;
        }
        tcg_out_patch_rel32(s, s->relocs[i].at, l->value);
    }
    size_t size = (size_t)(s->code_ptr - s->code_buf_rw);
    buf->used = start + size;
    pthread_mutex_unlock(&buf->lock);

    memset(out, 0, sizeof(*out));
    out->code_rx = buf->rx + start;
    out->size = size;
    for (int n = 0; n < 2; n++) {
        out->jmp_insn_off[n] = s->jmp_insn_off[n];
        out->jmp_reset_off[n] = s->jmp_reset_off[n];
    }
    out->insns.n_insns = s->nb_insns;
    out->insns.insns = s->insns;
    out->insns.code_rx = (uintptr_t)out->code_rx;
    out->insns.code_size = (uint32_t)size;
    out->n_ops_in = n_in;
    int n_out = 0;
    for (int i = 0; i < s->nb_ops; i++) {
        n_out += s->ops[i].opc != INDEX_op_nop && s->ops[i].opc != INDEX_op_insn_start;
    }
    out->n_ops_out = n_out;
    return 0;
}

uintptr_t tcg_exec(TCGContext *s, void *env, const void *code_rx)
{
    return s->buf->enter(env, code_rx);
}

void tcg_patch_jump(TCGContext *s, uintptr_t jmp_rx, uintptr_t target_rx)
{
    TCGCodeBuffer *buf = s->buf;
    uint8_t *rw = buf->rw + (jmp_rx - (uintptr_t)buf->rx);
    int32_t disp = (int32_t)(target_rx - (jmp_rx + 5));
    /* The rel32 is 4-byte aligned (see goto_tb), so this store is atomic. */
    __atomic_store_n((uint32_t *)(rw + 1), (uint32_t)disp, __ATOMIC_RELEASE);
}

/* ---- fault recovery ---- */

int tcg_find_insn(const TCGInsnTable *t, uintptr_t host_retaddr,
                  uint64_t words_out[TCG_MAX_INSN_WORDS])
{
    if (!t || host_retaddr <= t->code_rx || host_retaddr > t->code_rx + t->code_size) {
        return -1;
    }
    uint32_t off = (uint32_t)(host_retaddr - t->code_rx);
    /* The first instruction whose code ends at or after off (end offsets never
     * decrease); a return address lies after its call, hence "<= end". */
    uint32_t lo = 0, hi = t->n_insns;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->insns[mid].end_off < off) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo >= t->n_insns) {
        return -1;
    }
    if (words_out) {
        memcpy(words_out, t->insns[lo].words, sizeof(t->insns[lo].words));
    }
    return (int)lo;
}

TCGInsnTable *tcg_insn_table_dup(const TCGInsnTable *t)
{
    TCGInsnTable *c = malloc(sizeof(*c));
    *c = *t;
    c->insns = malloc(sizeof(TCGInsnInfo) * (t->n_insns ? t->n_insns : 1));
    memcpy(c->insns, t->insns, sizeof(TCGInsnInfo) * t->n_insns);
    return c;
}

void tcg_insn_table_free(TCGInsnTable *t)
{
    if (t) {
        free(t->insns);
        free(t);
    }
}
