/*
 * cpu/translator.c: the one translator loop every guest front-end runs, code fetch for
 * decoders, and the block exits (goto_tb chaining, the inline jump-cache lookup for
 * indirect branches, the exit check at every block entry).
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu-internal.h"

static bool same_page(const DisasContextBase *db, uint64_t a, uint64_t b)
{
    return ((a ^ b) & cpu_page_mask(db->cpu)) == 0;
}

/* Every block starts by checking exit_request, so that even blocks chained into a tight
 * loop notice interrupts and pause requests. Returns the label of the exit path. */
static TCGLabel *gen_tb_start(DisasContextBase *db)
{
    TCGLabel *l = tcg_label_new();
    TCGv_i32 flag = tcg_temp_new_i32();
    tcg_gen_ld_i32(flag, tcg_env, offsetof(CPUEnvCommon, exit_request));
    tcg_gen_brcondi_i32(TCG_COND_NE, flag, 0, l);
    tcg_temp_free_i32(flag);
    return l;
}

static void gen_tb_end(DisasContextBase *db, TCGLabel *exit_label)
{
    tcg_gen_set_label(exit_label);
    tcg_gen_exit_tb((uintptr_t)db->tb | TCG_EXIT_REQUESTED);
}

/* Starts the record of the bytes this translation fetches: a block lies on at most two
 * guest pages. */
static CodeSnapshot *snapshot_start(CPUState *cpu, uint64_t pc, const uint8_t *page_host)
{
    uint64_t page_size = ~cpu_page_mask(cpu) + 1;
    uint32_t cap = (uint32_t)(2 * page_size);
    CodeSnapshot *s = cpu->code_snap;
    if (!s || s->cap != cap) {
        free(s);
        s = calloc(1, sizeof(*s) + cap + cap / 8 + 8);
        s->cap = cap;
        s->seen = (uint64_t *)((uintptr_t)(s->bytes + cap + 7) & ~(uintptr_t)7);
        cpu->code_snap = s;
    } else {
        memset(s->seen, 0, (s->hi + 63) / 64 * 8);
    }
    s->pc_first = pc;
    s->first_len = page_size - (pc & (page_size - 1));
    s->host[0] = page_host ? page_host + (pc & (page_size - 1)) : NULL;
    s->host[1] = NULL;
    s->hi = 0;
    s->overflow = false;
    return s;
}

static void snapshot_byte(DisasContextBase *db, uint64_t pc, uint8_t b)
{
    CodeSnapshot *s = db->cpu->code_snap;
    uint64_t off = pc - s->pc_first;
    if (off >= s->cap) {
        s->overflow = true;
        return;
    }
    s->bytes[off] = b;
    s->seen[off / 64] |= 1ull << (off % 64);
    if (off >= s->hi) {
        s->hi = (uint32_t)off + 1;
    }
}

bool translator_code_unchanged(const CodeSnapshot *s)
{
    if (s->overflow) {
        return true; /* nothing to compare with: trust the store-side invalidation */
    }
    for (uint32_t w = 0; w < (s->hi + 63) / 64; w++) {
        for (uint64_t bits = s->seen[w]; bits; bits &= bits - 1) {
            uint32_t off = w * 64 + (uint32_t)__builtin_ctzll(bits);
            const uint8_t *p =
                off < s->first_len ? s->host[0] + off : s->host[1] + (off - s->first_len);
            if (__atomic_load_n(p, __ATOMIC_RELAXED) != s->bytes[off]) {
                return false;
            }
        }
    }
    return true;
}

void translator_loop(const TranslatorOps *ops, DisasContextBase *db, CPUState *cpu,
                     TranslationBlock *tb, int max_insns)
{
    db->tb = tb;
    db->cpu = cpu;
    db->ops = ops;
    db->pc_first = tb->pc;
    db->pc_next = tb->pc;
    db->is_jmp = DISAS_NEXT;
    db->num_insns = 0;
    db->max_insns = max_insns;
    db->singlestep = (tb->cflags & CF_SINGLESTEP) != 0;
    db->page_vaddr[0] = tb->pc & cpu_page_mask(cpu);
    db->page_valid[0] = false;
    db->page_valid[1] = false;
    db->page_host[0] = db->page_host[1] = NULL;

    uint64_t ram_addr;
    const uint8_t *host;
    if (tlb_get_code_page(cpu, tb->pc, false, &host, &ram_addr)) {
        db->page_host[0] = host;
        db->page_valid[0] = true;
    }
    snapshot_start(cpu, tb->pc, db->page_host[0]);

    ops->init_disas_context(db, cpu);
    TCGLabel *exit_label = gen_tb_start(db);
    if (ops->tb_start) {
        ops->tb_start(db, cpu);
    }
    for (;;) {
        db->num_insns++;
        db->insn_pc = db->pc_next;
        ops->insn_start(db, cpu);
        if (cpu_breakpoint_test(cpu, db->pc_next)) {
            /* Stop before the instruction; one byte keeps the block non-empty for
             * invalidation. */
            tcg_gen_calln((void *)helper_debug_breakpoint, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
            tcg_gen_exit_tb(0);
            db->pc_next += 1;
            db->is_jmp = DISAS_NORETURN;
            break;
        }
        ops->translate_insn(db, cpu);
        if (db->is_jmp != DISAS_NEXT) {
            break;
        }
        if (db->num_insns >= db->max_insns || !same_page(db, db->pc_next, db->pc_first)) {
            db->is_jmp = DISAS_TOO_MANY;
            break;
        }
    }
    ops->tb_stop(db, cpu);
    gen_tb_end(db, exit_label);
    tb->guest_size = (uint32_t)(db->pc_next - db->pc_first);
    tb->icount = (uint32_t)db->num_insns;
}

/* ---- Code fetch --------------------------------------------------------------------- */

static const uint8_t *translator_host_byte(DisasContextBase *db, uint64_t pc)
{
    CPUState *cpu = db->cpu;
    uint64_t off = pc & ~cpu_page_mask(cpu);
    if (same_page(db, pc, db->pc_first)) {
        if (!db->page_valid[0]) {
            return NULL;
        }
        return db->page_host[0] + off;
    }
    if (!db->page_valid[1]) {
        const uint8_t *host;
        uint64_t ram_addr;
        /* Only the first instruction may fault here: for the others, end the block
         * before the instruction and let it fault as the first of the next block. */
        bool probe = db->num_insns > 1;
        if (!tlb_get_code_page(cpu, pc, probe, &host, &ram_addr)) {
            if (probe && cpu->translate_jmp) {
                siglongjmp(*cpu->translate_jmp, db->num_insns - 1);
            }
            return NULL;
        }
        db->page_vaddr[1] = pc & cpu_page_mask(cpu);
        db->page_host[1] = host;
        db->page_valid[1] = true;
        cpu->code_snap->host[1] = host;
        db->tb->page_addr[1] = ram_addr;
    }
    return db->page_host[1] + off;
}

static uint64_t translator_fetch(DisasContextBase *db, uint64_t pc, unsigned size)
{
    uint64_t v = 0;
    bool be = db->cpu->ops->big_endian;
    for (unsigned i = 0; i < size; i++) {
        const uint8_t *p = translator_host_byte(db, pc + i);
        uint64_t b = 0; /* not RAM: decodes as zeros, the guest's own fault */
        if (p) {
            /* Another vCPU may store here meanwhile: the link step compares. */
            b = __atomic_load_n(p, __ATOMIC_RELAXED);
            snapshot_byte(db, pc + i, (uint8_t)b);
        }
        v |= b << (8 * (be ? size - 1 - i : i));
    }
    return v;
}

uint8_t translator_ldub(DisasContextBase *db, uint64_t pc)
{
    return (uint8_t)translator_fetch(db, pc, 1);
}

uint16_t translator_lduw(DisasContextBase *db, uint64_t pc)
{
    return (uint16_t)translator_fetch(db, pc, 2);
}

uint32_t translator_ldl(DisasContextBase *db, uint64_t pc)
{
    return (uint32_t)translator_fetch(db, pc, 4);
}

uint64_t translator_ldq(DisasContextBase *db, uint64_t pc)
{
    return translator_fetch(db, pc, 8);
}

/* ---- Block exits -------------------------------------------------------------------- */

bool translator_use_goto_tb(DisasContextBase *db, uint64_t dest_pc)
{
    /* A chained jump bypasses the virtual-to-physical lookup, so it is only safe within
     * the page whose mapping the block already depends on. */
    return !db->singlestep && same_page(db, dest_pc, db->pc_first);
}

void translator_exit(DisasContextBase *db)
{
    tcg_gen_exit_tb(0);
    db->is_jmp = DISAS_NORETURN;
}

void translator_goto_tb(DisasContextBase *db, int n, uint64_t dest_pc)
{
    if (translator_use_goto_tb(db, dest_pc)) {
        tcg_gen_goto_tb((unsigned)n);
        db->ops->gen_set_pc(db, dest_pc);
        tcg_gen_exit_tb((uintptr_t)db->tb | (uintptr_t)n);
        return;
    }
    db->ops->gen_set_pc(db, dest_pc);
    if (db->singlestep) {
        tcg_gen_exit_tb(0);
        return;
    }
    if (db->cpu->ops->addr_bits == 32) {
        translator_lookup_and_goto_ptr(db, tcg_addr_i32(tcg_constant_i32((int32_t)dest_pc)));
    } else {
        translator_lookup_and_goto_ptr(db, tcg_addr_i64(tcg_constant_i64((int64_t)dest_pc)));
    }
}

/* Reloads the jump-cache slot pointer after a branch (normal temps die at branches). */
static TCGv_ptr slot_ptr(TCGv_i64 slot)
{
    TCGv_ptr p = tcg_temp_new_ptr();
    tcg_gen_ext_i64_ptr(p, slot);
    return p;
}

/* The inline lookup; flags: the value the destination's key must hold (a local temp), or
 * NULL for the architecture's default (its flags word in env, or this block's flags). */
static void gen_lookup_and_goto_ptr(DisasContextBase *db, TCGv dest_pc, TCGv_i32 flags)
{
    /* -d nochain: every block goes through the loop, so that exec/cpu logs see it. */
    if (db->singlestep || log_enabled(LOG_NOCHAIN)) {
        tcg_gen_exit_tb(0);
        return;
    }
    TCGv_i64 pc = tcg_temp_local_new_i64();
    if (db->cpu->ops->addr_bits == 32) {
        tcg_gen_extu_i32_i64(pc, (TCGv_i32)(void *)dest_pc);
    } else {
        tcg_gen_mov_i64(pc, (TCGv_i64)(void *)dest_pc);
    }
    /* slot = the first of set cpu_jmp_cache_hash(pc) */
    const unsigned lo_bits = CPU_JMP_CACHE_BITS - CPU_JMP_GROUP_BITS;
    TCGv_i64 h = tcg_temp_new_i64();
    TCGv_i64 g = tcg_temp_new_i64();
    TCGv_i64 t = tcg_temp_new_i64();
    tcg_gen_shri_i64(g, pc, 12);
    tcg_gen_shri_i64(t, pc, 18);
    tcg_gen_xor_i64(g, g, t);
    tcg_gen_andi_i64(g, g, (1 << CPU_JMP_GROUP_BITS) - 1);
    tcg_gen_shli_i64(g, g, lo_bits);
    tcg_gen_shri_i64(t, pc, 2);
    tcg_gen_xor_i64(h, pc, t);
    tcg_gen_shri_i64(t, pc, 8);
    tcg_gen_xor_i64(h, h, t);
    tcg_gen_andi_i64(h, h, (1 << lo_bits) - 1);
    tcg_gen_or_i64(h, h, g);
    tcg_gen_shli_i64(h, h, CPU_JMP_CACHE_ENTRY_BITS + CPU_JMP_CACHE_WAYS_BITS);
    TCGv_ptr base = tcg_temp_new_ptr();
    tcg_gen_ld_ptr(base, tcg_env, offsetof(CPUEnvCommon, jmp_cache));
    TCGv_ptr hp = tcg_temp_new_ptr();
    tcg_gen_ext_i64_ptr(hp, h);
    tcg_gen_add_ptr(base, base, hp);
    TCGv_i64 slot = tcg_temp_local_new_i64();
    tcg_gen_ptr_as_i64(slot, base);

    /* Way 0, then way 1 (jmp_cache_set puts the newest block in way 0). */
    _Static_assert(CPU_JMP_CACHE_WAYS == 2, "the lookup below tries two ways");
    TCGLabel *miss = tcg_label_new();
    TCGLabel *found = tcg_label_new();
    TCGv_i64 v = tcg_temp_new_i64();
    tcg_gen_ld_i64(v, base, offsetof(CPUJumpCacheEntry, pc));
    tcg_gen_brcond_i64(TCG_COND_EQ, v, pc, found);
    tcg_gen_addi_i64(slot, slot, sizeof(CPUJumpCacheEntry));
    TCGv_i64 v1 = tcg_temp_new_i64();
    tcg_gen_ld_i64(v1, slot_ptr(slot), offsetof(CPUJumpCacheEntry, pc));
    tcg_gen_brcond_i64(TCG_COND_NE, v1, pc, miss);
    tcg_gen_set_label(found);

    TCGv_i32 f = tcg_temp_new_i32();
    tcg_gen_ld_i32(f, slot_ptr(slot), offsetof(CPUJumpCacheEntry, flags));
    if (flags) {
        tcg_gen_brcond_i32(TCG_COND_NE, f, flags, miss);
    } else if (db->cpu->ops->tb_flags_offset > 0) {
        /* After the branch above, IR globals are back in env: the word is current. */
        TCGv_i32 cur = tcg_temp_new_i32();
        tcg_gen_ld_i32(cur, tcg_env, db->cpu->ops->tb_flags_offset);
        tcg_gen_brcond_i32(TCG_COND_NE, f, cur, miss);
    } else {
        tcg_gen_brcondi_i32(TCG_COND_NE, f, (int32_t)db->tb->flags, miss);
    }

    TCGv_i32 cf = tcg_temp_new_i32();
    tcg_gen_ld_i32(cf, slot_ptr(slot), offsetof(CPUJumpCacheEntry, cflags));
    tcg_gen_brcondi_i32(TCG_COND_NE, cf, tcg_singlestep ? 1 : 0, miss);

    TCGv_i64 cs = tcg_temp_new_i64();
    tcg_gen_ld_i64(cs, slot_ptr(slot), offsetof(CPUJumpCacheEntry, cs_base));
    tcg_gen_brcondi_i64(TCG_COND_NE, cs, (int64_t)db->tb->cs_base, miss);

    TCGv_ptr code = tcg_temp_new_ptr();
    tcg_gen_ld_ptr(code, slot_ptr(slot), offsetof(CPUJumpCacheEntry, code_rx));
    tcg_gen_goto_ptr(code);

    tcg_gen_set_label(miss);
    TCGv_ptr r = tcg_temp_new_ptr();
    tcg_gen_calln((void *)helper_lookup_tb_ptr, TCG_CALL_NO_WRITE_GLOBALS, tcgv_ptr_temp(r), 1,
                  tcgv_ptr_temp(tcg_env));
    tcg_gen_goto_ptr(r);
    db->is_jmp = DISAS_NORETURN;
}

void translator_lookup_and_goto_ptr(DisasContextBase *db, TCGv dest_pc)
{
    gen_lookup_and_goto_ptr(db, dest_pc, NULL);
}

void translator_lookup_and_goto_ptr_flags(DisasContextBase *db, TCGv dest_pc, TCGv_i32 flags)
{
    /* Kept across the branches of the lookup. */
    TCGv_i32 f = tcg_temp_local_new_i32();
    tcg_gen_mov_i32(f, flags);
    gen_lookup_and_goto_ptr(db, dest_pc, f);
}
