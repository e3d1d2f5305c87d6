/* tests/unit/tcg/test-tcg-random.c: random IR programs (ALU ops, conversions, bit fields,
 * conditions, helper calls, env loads/stores, forward branches) compiled and run, checked
 * against a small C interpreter of the same program, optimizer on and off. This stresses
 * the register allocator (pressure, spills, syncs) and the optimizer together. */
#include <stdio.h>

#include "tests/unit/tcg/tcg-test-util.h"

/* Value slots: globals q0..q7 (i64) and w0..w7 (i32), normal temps, local temps. */
enum {
    S_G64 = 0,
    S_G32 = 8,
    S_T64 = 16,
    S_T32 = 32,
    S_L64 = 48,
    S_L32 = 52,
    N_SLOTS = 56,
};

static bool slot_is64(int s)
{
    return s < S_G32 || (s >= S_T64 && s < S_T32) || (s >= S_L64 && s < S_L32);
}

typedef enum {
    K_BIN,
    K_UN,
    K_CONV,
    K_SETCOND,
    K_MOVCOND,
    K_FIELD,
    K_DOUBLE,
    K_CALL,
    K_ENV,
    K_BRANCH,
    K_LABEL,
    K_MOVI,
    K_MEM,
} Kind;

typedef struct RInsn {
    Kind kind;
    int op;
    int d, d2, a, b, c, e; /* slots; b < 0: use imm */
    int64_t imm;
    int pos, len;
    TCGCond cond;
    int label;
} RInsn;

#define MAX_INSNS 200

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t rnd(Rng *r)
{
    r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
    return r->s ^ (r->s >> 31);
}
static int rndn(Rng *r, int n)
{
    return (int)(rnd(r) % (uint64_t)n);
}

static uint64_t mask(bool is64)
{
    return is64 ? ~0ull : 0xffffffffull;
}
static int64_t sxt(bool is64, uint64_t v)
{
    return is64 ? (int64_t)v : (int64_t)(int32_t)v;
}

enum {
    B_ADD,
    B_SUB,
    B_MUL,
    B_AND,
    B_OR,
    B_XOR,
    B_ANDC,
    B_ORC,
    B_NAND,
    B_NOR,
    B_EQV,
    B_SHL,
    B_SHR,
    B_SAR,
    B_ROTL,
    B_ROTR,
    B_DIV,
    B_DIVU,
    B_REM,
    B_REMU,
    B_CLZ,
    B_CTZ,
    N_BIN,
};
enum { U_NEG, U_NOT, U_EXT8S, U_EXT8U, U_EXT16S, U_EXT16U, U_BSWAP16, U_BSWAP32, U_CTPOP, N_UN };

static uint64_t eval_bin(int op, bool w, uint64_t x, uint64_t y)
{
    int n = w ? 64 : 32;
    uint64_t m = mask(w);
    x &= m, y &= m;
    int64_t sx = sxt(w, x), sy = sxt(w, y);
    unsigned c = y & (n - 1);
    int64_t min = w ? INT64_MIN : INT32_MIN;
    switch (op) {
    case B_ADD: return x + y;
    case B_SUB: return x - y;
    case B_MUL: return x * y;
    case B_AND: return x & y;
    case B_OR: return x | y;
    case B_XOR: return x ^ y;
    case B_ANDC: return x & ~y;
    case B_ORC: return x | ~y;
    case B_NAND: return ~(x & y);
    case B_NOR: return ~(x | y);
    case B_EQV: return ~(x ^ y);
    case B_SHL: return x << c;
    case B_SHR: return x >> c;
    case B_SAR: return (uint64_t)(sx >> c);
    case B_ROTL: return c ? (x << c) | (x >> (n - c)) : x;
    case B_ROTR: return c ? (x >> c) | (x << (n - c)) : x;
    case B_DIV:
        return sy == 0    ? 0
               : sy == -1 ? (sx == min ? (uint64_t)min : (uint64_t)-sx)
                          : (uint64_t)(sx / sy);
    case B_REM: return sy == 0 ? x : sy == -1 ? 0 : (uint64_t)(sx % sy);
    case B_DIVU: return y ? x / y : 0;
    case B_REMU: return y ? x % y : x;
    case B_CLZ: return x ? (uint64_t)(__builtin_clzll(x) - (64 - n)) : y;
    case B_CTZ: return x ? (uint64_t)__builtin_ctzll(x) : y;
    default: return 0;
    }
}

static uint64_t eval_un(int op, bool w, uint64_t x)
{
    x &= mask(w);
    switch (op) {
    case U_NEG: return -x;
    case U_NOT: return ~x;
    case U_EXT8S: return (uint64_t)(int64_t)(int8_t)x;
    case U_EXT8U: return (uint8_t)x;
    case U_EXT16S: return (uint64_t)(int64_t)(int16_t)x;
    case U_EXT16U: return (uint16_t)x;
    case U_BSWAP16: return __builtin_bswap16((uint16_t)x);
    case U_BSWAP32: return __builtin_bswap32((uint32_t)x);
    default: return (uint64_t)__builtin_popcountll(x);
    }
}

static bool eval_cond(TCGCond c, bool w, uint64_t a, uint64_t b)
{
    uint64_t m = mask(w);
    a &= m, b &= m;
    int64_t sa = sxt(w, a), sb = sxt(w, b);
    switch (c) {
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
    case TCG_COND_ALWAYS: return true;
    default: return false;
    }
}

static uint64_t h_mix(uint64_t a, uint64_t b)
{
    return a * 3 ^ (b >> 7);
}

/* Reads every q global and writes q7: needs synced globals before, reload after. */
static void h_sum_globals(FakeEnv *e)
{
    uint64_t s = 0;
    for (int i = 0; i < 7; i++) {
        s = s * 31 + e->g64[i];
    }
    e->g64[7] = s;
}

/* ---- program generation ---- */

typedef struct Gen {
    Rng r;
    bool defined[N_SLOTS];
    RInsn p[MAX_INSNS];
    int n;
    int nb_labels;
    int pending_label[8]; /* insn index where each open label is placed */
} Gen;

static int pick_src(Gen *g, bool is64)
{
    for (int tries = 0; tries < 50; tries++) {
        int s = rndn(&g->r, N_SLOTS);
        if (slot_is64(s) == is64 && g->defined[s]) {
            return s;
        }
    }
    return is64 ? S_G64 + rndn(&g->r, 8) : S_G32 + rndn(&g->r, 8);
}

static int pick_dst(Gen *g, bool is64)
{
    for (;;) {
        int s = rndn(&g->r, N_SLOTS);
        if (slot_is64(s) == is64) {
            return s;
        }
    }
}

static uint64_t rnd_imm(Gen *g)
{
    static const uint64_t edge[] = {
        0, 1, (uint64_t)-1, 0x80000000, 0x7fffffff, 0xffffffff, (uint64_t)INT64_MIN, 63, 32, 7};
    return rndn(&g->r, 2) ? edge[rndn(&g->r, 10)] : rnd(&g->r);
}

static void gen_program(Gen *g, uint64_t seed)
{
    memset(g, 0, sizeof(*g));
    g->r.s = seed;
    for (int i = 0; i < 16; i++) {
        g->defined[i] = true;
    }
    /* locals start defined (zeroed) so that reads after labels are meaningful */
    int open = -1, open_at = 0;
    while (g->n < MAX_INSNS - 12) {
        if (g->n < 8) {
            int l = S_L64 + g->n % 8;
            RInsn *x = &g->p[g->n++];
            *x = (RInsn){.kind = K_MOVI, .d = l, .imm = (int64_t)rnd(&g->r)};
            g->defined[l] = true;
            continue;
        }
        if (open >= 0 && g->n >= open_at) {
            RInsn *x = &g->p[g->n++];
            *x = (RInsn){.kind = K_LABEL, .label = open};
            for (int s = S_T64; s < S_L64; s++) {
                g->defined[s] = false;
            }
            open = -1;
            continue;
        }
        RInsn *x = &g->p[g->n];
        bool w = rndn(&g->r, 2);
        int k = rndn(&g->r, 100);
        memset(x, 0, sizeof(*x));
        if (k < 35) {
            x->kind = K_BIN;
            x->op = rndn(&g->r, N_BIN);
            x->a = pick_src(g, w);
            x->b = rndn(&g->r, 3) ? pick_src(g, w) : -1;
            x->imm = (int64_t)rnd_imm(g);
            x->d = pick_dst(g, w);
        } else if (k < 45) {
            x->kind = K_UN;
            x->op = rndn(&g->r, N_UN);
            x->a = pick_src(g, w);
            x->d = pick_dst(g, w);
        } else if (k < 52) {
            x->kind = K_CONV;
            x->op = rndn(&g->r, 4); /* extu, ext, extrl, extrh */
            bool src64 = x->op >= 2;
            x->a = pick_src(g, src64);
            x->d = pick_dst(g, !src64);
        } else if (k < 60) {
            x->kind = K_SETCOND;
            x->op = rndn(&g->r, 2);
            x->cond = (TCGCond)(TCG_COND_EQ + rndn(&g->r, TCG_COND_COUNT - TCG_COND_EQ));
            x->a = pick_src(g, w);
            x->b = rndn(&g->r, 3) ? pick_src(g, w) : -1;
            x->imm = (int64_t)rnd_imm(g);
            x->d = pick_dst(g, w);
        } else if (k < 66) {
            x->kind = K_MOVCOND;
            x->cond = (TCGCond)(TCG_COND_EQ + rndn(&g->r, TCG_COND_COUNT - TCG_COND_EQ));
            x->a = pick_src(g, w);
            x->b = pick_src(g, w);
            x->c = pick_src(g, w);
            x->e = pick_src(g, w);
            x->d = pick_dst(g, w);
        } else if (k < 74) {
            x->kind = K_FIELD;
            x->op = rndn(&g->r, 3);
            int n = w ? 64 : 32;
            x->pos = rndn(&g->r, n);
            x->len = 1 + rndn(&g->r, n - x->pos);
            x->a = pick_src(g, w);
            x->b = pick_src(g, w);
            x->d = pick_dst(g, w);
        } else if (k < 80) {
            x->kind = K_DOUBLE;
            x->op = rndn(&g->r, 4);
            x->a = pick_src(g, w);
            x->b = pick_src(g, w);
            x->c = pick_src(g, w);
            x->e = pick_src(g, w);
            x->d = pick_dst(g, w);
            do {
                x->d2 = pick_dst(g, w);
            } while (x->d2 == x->d);
        } else if (k < 85) {
            x->kind = K_CALL;
            x->op = rndn(&g->r, 3);
            x->a = pick_src(g, true);
            x->b = pick_src(g, true);
            x->d = pick_dst(g, true);
        } else if (k < 91) {
            x->kind = K_ENV;
            x->op = rndn(&g->r, 2); /* store then load of a scratch word */
            x->pos = rndn(&g->r, 8);
            x->a = pick_src(g, w);
            x->d = pick_dst(g, w);
        } else if (k < 95 && open < 0) {
            x->kind = K_BRANCH;
            x->cond = (TCGCond)(TCG_COND_EQ + rndn(&g->r, TCG_COND_COUNT - TCG_COND_EQ));
            x->a = pick_src(g, w);
            x->b = rndn(&g->r, 2) ? pick_src(g, w) : -1;
            x->imm = (int64_t)rnd_imm(g);
            x->label = open = g->nb_labels++;
            open_at = g->n + 1 + rndn(&g->r, 10);
        } else if (rndn(&g->r, 2)) {
            x->kind = K_MEM;
            int size = rndn(&g->r, w ? 4 : 3);
            x->pos = size | (rndn(&g->r, 2) ? MO_BSWAP : 0); /* store memop */
            x->len = size | (rndn(&g->r, 2) ? MO_BSWAP : 0) | (rndn(&g->r, 2) ? MO_SIGN : 0);
            x->imm = rndn(&g->r, 4000); /* offset in the page */
            x->c = rndn(&g->r, 2);      /* mmu index */
            x->a = pick_src(g, w);
            x->b = pick_src(g, true); /* address base register (i64 guest) */
            x->d = pick_dst(g, w);
        } else {
            x->kind = K_MOVI;
            x->d = pick_dst(g, w);
            x->imm = (int64_t)rnd_imm(g);
        }
        /* the type of the op is that of its destination (or source for branches) */
        x->op |= (w ? 0x100 : 0);
        g->n++;
        if (x->kind == K_BRANCH) {
            for (int s = S_T64; s < S_L64; s++) {
                g->defined[s] = false;
            }
        } else if (x->kind != K_LABEL) {
            g->defined[x->d] = true;
            if (x->kind == K_DOUBLE) {
                g->defined[x->d2] = true;
            }
        }
    }
    if (open >= 0) {
        g->p[g->n++] = (RInsn){.kind = K_LABEL, .label = open};
    }
}

/* ---- reference interpreter ---- */

static void interp(const Gen *g, uint64_t *v, uint64_t *scratch, uint8_t *mem)
{
    for (int i = 0; i < g->n; i++) {
        const RInsn *x = &g->p[i];
        bool w = (x->op & 0x100) != 0;
        int op = x->op & 0xff;
        uint64_t m = mask(w);
        uint64_t b = x->b >= 0 ? v[x->b] : (uint64_t)x->imm;
        switch (x->kind) {
        case K_MOVI: v[x->d] = (uint64_t)x->imm & mask(slot_is64(x->d)); break;
        case K_BIN: v[x->d] = eval_bin(op, w, v[x->a], b) & m; break;
        case K_UN: v[x->d] = eval_un(op, w, v[x->a]) & m; break;
        case K_CONV: {
            uint64_t a = v[x->a];
            uint64_t r = op == 0   ? (uint32_t)a
                         : op == 1 ? (uint64_t)(int64_t)(int32_t)a
                         : op == 2 ? (uint32_t)a
                                   : a >> 32;
            v[x->d] = r;
            break;
        }
        case K_SETCOND: {
            bool t = eval_cond(x->cond, w, v[x->a], b);
            v[x->d] = (op ? (t ? ~0ull : 0) : t) & m;
            break;
        }
        case K_MOVCOND:
            v[x->d] = eval_cond(x->cond, w, v[x->a], v[x->b]) ? v[x->c] : v[x->e];
            break;
        case K_FIELD: {
            uint64_t a = v[x->a] & m;
            uint64_t fm = x->len == 64 ? ~0ull : (1ull << x->len) - 1;
            if (op == 0) {
                v[x->d] = ((a & ~(fm << x->pos)) | ((v[x->b] & fm) << x->pos)) & m;
            } else {
                uint64_t f = (a >> x->pos) & fm;
                if (op == 2 && x->len < 64 && (f >> (x->len - 1)) & 1) {
                    f |= ~0ull << x->len;
                }
                v[x->d] = f & m;
            }
            break;
        }
        case K_DOUBLE: {
            uint64_t al = v[x->a], ah = v[x->b], bl = v[x->c], bh = v[x->e];
            uint64_t lo, hi;
            if (w) {
                unsigned __int128 A = (unsigned __int128)ah << 64 | al;
                unsigned __int128 B = (unsigned __int128)bh << 64 | bl;
                unsigned __int128 R =
                    op == 0   ? A + B
                    : op == 1 ? A - B
                    : op == 2 ? (unsigned __int128)al * bl
                              : (unsigned __int128)((__int128)(int64_t)al * (int64_t)bl);
                lo = (uint64_t)R, hi = (uint64_t)(R >> 64);
            } else {
                uint64_t A = ah << 32 | (uint32_t)al, B = bh << 32 | (uint32_t)bl;
                uint64_t R = op == 0   ? A + B
                             : op == 1 ? A - B
                             : op == 2 ? (uint64_t)(uint32_t)al * (uint32_t)bl
                                       : (uint64_t)((int64_t)(int32_t)al * (int32_t)bl);
                lo = (uint32_t)R, hi = (uint32_t)(R >> 32);
            }
            v[x->d] = lo;
            v[x->d2] = hi;
            break;
        }
        case K_CALL:
            if (op == 2) {
                /* the generated code calls h_sum_globals first */
                uint64_t sum = 0;
                for (int k = 0; k < 7; k++) {
                    sum = sum * 31 + v[S_G64 + k];
                }
                v[S_G64 + 7] = sum;
            }
            v[x->d] = h_mix(v[x->a], v[x->b]);
            break;
        case K_ENV:
            scratch[x->pos] = v[x->a] & m;
            v[x->d] = scratch[x->pos] & m;
            if (op) {
                v[x->d] = (uint64_t)(int64_t)(int8_t)scratch[x->pos] & m;
            }
            break;
        case K_MEM: {
            int size = 1 << (x->pos & MO_SIZE);
            uint64_t val = v[x->a];
            for (int k = 0; k < size; k++) {
                int at = (x->pos & MO_BSWAP) ? size - 1 - k : k;
                mem[x->imm + at] = (uint8_t)(val >> (8 * k));
            }
            uint64_t r = 0;
            for (int k = 0; k < size; k++) {
                int at = (x->len & MO_BSWAP) ? k : size - 1 - k;
                r = r << 8 | mem[x->imm + at];
            }
            if ((x->len & MO_SIGN) && size < 8 && (r >> (8 * size - 1)) & 1) {
                r |= ~0ull << (8 * size);
            }
            v[x->d] = r & m;
            break;
        }
        case K_BRANCH:
            if (eval_cond(x->cond, w, v[x->a], b)) {
                while (g->p[i].kind != K_LABEL || g->p[i].label != x->label) {
                    i++;
                }
            }
            break;
        default: break;
        }
    }
}

/* ---- IR emission of the same program ---- */

typedef struct Slots {
    TCGv_i64 q[N_SLOTS];
    TCGv_i32 w[N_SLOTS];
} Slots;

static void emit_program(const Gen *g, Slots *sl, TCGLabel **labels)
{
    for (int i = 0; i < 8; i++) {
        sl->q[S_G64 + i] = G64[i];
        sl->w[S_G32 + i] = G32[i];
    }
    for (int i = S_T64; i < S_T32; i++) {
        sl->q[i] = tcg_temp_new_i64();
    }
    for (int i = S_T32; i < S_L64; i++) {
        sl->w[i] = tcg_temp_new_i32();
    }
    for (int i = S_L64; i < S_L32; i++) {
        sl->q[i] = tcg_temp_local_new_i64();
    }
    for (int i = S_L32; i < N_SLOTS; i++) {
        sl->w[i] = tcg_temp_local_new_i32();
    }
    for (int i = 0; i < g->nb_labels; i++) {
        labels[i] = tcg_label_new();
    }
    typedef void (*B32)(TCGv_i32, TCGv_i32, TCGv_i32);
    typedef void (*B64)(TCGv_i64, TCGv_i64, TCGv_i64);
    static const B32 b32[N_BIN] = {
        tcg_gen_add_i32,  tcg_gen_sub_i32,  tcg_gen_mul_i32,  tcg_gen_and_i32,  tcg_gen_or_i32,
        tcg_gen_xor_i32,  tcg_gen_andc_i32, tcg_gen_orc_i32,  tcg_gen_nand_i32, tcg_gen_nor_i32,
        tcg_gen_eqv_i32,  tcg_gen_shl_i32,  tcg_gen_shr_i32,  tcg_gen_sar_i32,  tcg_gen_rotl_i32,
        tcg_gen_rotr_i32, tcg_gen_div_i32,  tcg_gen_divu_i32, tcg_gen_rem_i32,  tcg_gen_remu_i32,
        tcg_gen_clz_i32,  tcg_gen_ctz_i32,
    };
    static const B64 b64[N_BIN] = {
        tcg_gen_add_i64,  tcg_gen_sub_i64,  tcg_gen_mul_i64,  tcg_gen_and_i64,  tcg_gen_or_i64,
        tcg_gen_xor_i64,  tcg_gen_andc_i64, tcg_gen_orc_i64,  tcg_gen_nand_i64, tcg_gen_nor_i64,
        tcg_gen_eqv_i64,  tcg_gen_shl_i64,  tcg_gen_shr_i64,  tcg_gen_sar_i64,  tcg_gen_rotl_i64,
        tcg_gen_rotr_i64, tcg_gen_div_i64,  tcg_gen_divu_i64, tcg_gen_rem_i64,  tcg_gen_remu_i64,
        tcg_gen_clz_i64,  tcg_gen_ctz_i64,
    };
    typedef void (*U32)(TCGv_i32, TCGv_i32);
    typedef void (*U64)(TCGv_i64, TCGv_i64);
    static const U32 u32[N_UN] = {tcg_gen_neg_i32,     tcg_gen_not_i32,     tcg_gen_ext8s_i32,
                                  tcg_gen_ext8u_i32,   tcg_gen_ext16s_i32,  tcg_gen_ext16u_i32,
                                  tcg_gen_bswap16_i32, tcg_gen_bswap32_i32, tcg_gen_ctpop_i32};
    static const U64 u64[N_UN] = {tcg_gen_neg_i64,     tcg_gen_not_i64,     tcg_gen_ext8s_i64,
                                  tcg_gen_ext8u_i64,   tcg_gen_ext16s_i64,  tcg_gen_ext16u_i64,
                                  tcg_gen_bswap16_i64, tcg_gen_bswap32_i64, tcg_gen_ctpop_i64};

    for (int i = 0; i < g->n; i++) {
        const RInsn *x = &g->p[i];
        bool w = (x->op & 0x100) != 0;
        int op = x->op & 0xff;
        TCGv_i64 bq = x->b >= 0 ? sl->q[x->b] : tcg_constant_i64(x->imm);
        TCGv_i32 bw = x->b >= 0 ? sl->w[x->b] : tcg_constant_i32((int32_t)x->imm);
        switch (x->kind) {
        case K_MOVI:
            if (slot_is64(x->d)) {
                tcg_gen_movi_i64(sl->q[x->d], x->imm);
            } else {
                tcg_gen_movi_i32(sl->w[x->d], (int32_t)x->imm);
            }
            break;
        case K_BIN:
            if (w) {
                b64[op](sl->q[x->d], sl->q[x->a], bq);
            } else {
                b32[op](sl->w[x->d], sl->w[x->a], bw);
            }
            break;
        case K_UN:
            if (w) {
                u64[op](sl->q[x->d], sl->q[x->a]);
            } else {
                u32[op](sl->w[x->d], sl->w[x->a]);
            }
            break;
        case K_CONV:
            switch (op) {
            case 0: tcg_gen_extu_i32_i64(sl->q[x->d], sl->w[x->a]); break;
            case 1: tcg_gen_ext_i32_i64(sl->q[x->d], sl->w[x->a]); break;
            case 2: tcg_gen_extrl_i64_i32(sl->w[x->d], sl->q[x->a]); break;
            default: tcg_gen_extrh_i64_i32(sl->w[x->d], sl->q[x->a]); break;
            }
            break;
        case K_SETCOND:
            if (w) {
                (op ? tcg_gen_negsetcond_i64 : tcg_gen_setcond_i64)(x->cond, sl->q[x->d],
                                                                    sl->q[x->a], bq);
            } else {
                (op ? tcg_gen_negsetcond_i32 : tcg_gen_setcond_i32)(x->cond, sl->w[x->d],
                                                                    sl->w[x->a], bw);
            }
            break;
        case K_MOVCOND:
            if (w) {
                tcg_gen_movcond_i64(x->cond, sl->q[x->d], sl->q[x->a], sl->q[x->b], sl->q[x->c],
                                    sl->q[x->e]);
            } else {
                tcg_gen_movcond_i32(x->cond, sl->w[x->d], sl->w[x->a], sl->w[x->b], sl->w[x->c],
                                    sl->w[x->e]);
            }
            break;
        case K_FIELD:
            if (w) {
                if (op == 0) {
                    tcg_gen_deposit_i64(sl->q[x->d], sl->q[x->a], sl->q[x->b], x->pos, x->len);
                } else {
                    (op == 1 ? tcg_gen_extract_i64 : tcg_gen_sextract_i64)(sl->q[x->d], sl->q[x->a],
                                                                           x->pos, x->len);
                }
            } else {
                if (op == 0) {
                    tcg_gen_deposit_i32(sl->w[x->d], sl->w[x->a], sl->w[x->b], x->pos, x->len);
                } else {
                    (op == 1 ? tcg_gen_extract_i32 : tcg_gen_sextract_i32)(sl->w[x->d], sl->w[x->a],
                                                                           x->pos, x->len);
                }
            }
            break;
        case K_DOUBLE:
            if (w) {
                TCGv_i64 *q = sl->q;
                switch (op) {
                case 0:
                    tcg_gen_add2_i64(q[x->d], q[x->d2], q[x->a], q[x->b], q[x->c], q[x->e]);
                    break;
                case 1:
                    tcg_gen_sub2_i64(q[x->d], q[x->d2], q[x->a], q[x->b], q[x->c], q[x->e]);
                    break;
                case 2: tcg_gen_mulu2_i64(q[x->d], q[x->d2], q[x->a], q[x->c]); break;
                default: tcg_gen_muls2_i64(q[x->d], q[x->d2], q[x->a], q[x->c]); break;
                }
            } else {
                TCGv_i32 *q = sl->w;
                switch (op) {
                case 0:
                    tcg_gen_add2_i32(q[x->d], q[x->d2], q[x->a], q[x->b], q[x->c], q[x->e]);
                    break;
                case 1:
                    tcg_gen_sub2_i32(q[x->d], q[x->d2], q[x->a], q[x->b], q[x->c], q[x->e]);
                    break;
                case 2: tcg_gen_mulu2_i32(q[x->d], q[x->d2], q[x->a], q[x->c]); break;
                default: tcg_gen_muls2_i32(q[x->d], q[x->d2], q[x->a], q[x->c]); break;
                }
            }
            break;
        case K_CALL: {
            static const unsigned flags[] = {TCG_CALL_PURE, TCG_CALL_NO_RWG, 0};
            if (op == 2) {
                tcg_gen_calln(h_sum_globals, 0, NULL, 1, tcgv_ptr_temp(tcg_env));
            }
            tcg_gen_calln(h_mix, flags[op], tcgv_i64_temp(sl->q[x->d]), 2,
                          tcgv_i64_temp(sl->q[x->a]), tcgv_i64_temp(sl->q[x->b]));
            break;
        }
        case K_ENV: {
            intptr_t off = offsetof(FakeEnv, scratch) + 8 * x->pos;
            if (w) {
                tcg_gen_st_i64(sl->q[x->a], tcg_env, off);
                (op ? tcg_gen_ld8s_i64 : tcg_gen_ld_i64)(sl->q[x->d], tcg_env, off);
            } else {
                tcg_gen_st_i32(sl->w[x->a], tcg_env, off);
                tcg_gen_st_i32(tcg_constant_i32(0), tcg_env, off + 4);
                (op ? tcg_gen_ld8s_i32 : tcg_gen_ld_i32)(sl->w[x->d], tcg_env, off);
            }
            break;
        }
        case K_BRANCH:
            if (w) {
                tcg_gen_brcond_i64(x->cond, sl->q[x->a], bq, labels[x->label]);
            } else {
                tcg_gen_brcond_i32(x->cond, sl->w[x->a], bw, labels[x->label]);
            }
            break;
        case K_LABEL: tcg_gen_set_label(labels[x->label]); break;
        case K_MEM: {
            /* address = RANDOM_BASE + offset, formed from a register so it is not constant */
            TCGv_i64 addr = tcg_temp_new_i64();
            tcg_gen_andi_i64(addr, sl->q[x->b], 0);
            tcg_gen_addi_i64(addr, addr, 0x40000000 + x->imm);
            if (w) {
                tcg_gen_qemu_st_i64(sl->q[x->a], tcg_addr_i64(addr), x->c, (MemOp)x->pos);
                tcg_gen_qemu_ld_i64(sl->q[x->d], tcg_addr_i64(addr), x->c, (MemOp)x->len);
            } else {
                tcg_gen_qemu_st_i32(sl->w[x->a], tcg_addr_i64(addr), x->c, (MemOp)x->pos);
                tcg_gen_qemu_ld_i32(sl->w[x->d], tcg_addr_i64(addr), x->c, (MemOp)x->len);
            }
            tcg_temp_free_i64(addr);
            break;
        }
        }
    }
    /* make local temps visible */
    for (int i = 0; i < 4; i++) {
        tcg_gen_st_i64(sl->q[S_L64 + i], tcg_env, offsetof(FakeEnv, scratch) + 8 * i);
    }
    for (int i = 0; i < 4; i++) {
        tcg_gen_st_i32(sl->w[S_L32 + i], tcg_env, offsetof(FakeEnv, scratch) + 32 + 8 * i);
    }
    tcg_gen_exit_tb(0);
}

static void setup(void)
{
    fake_setup(64);
    fake_map_pages(0x40000000, 1);
}

START_TEST(test_random_programs)
{
    bool opt = _i & 1;
    tcg_context_set_optimize(ctx, opt);
    /* MIMIC_TCG_RANDOM_PROGRAMS=N runs N programs per case (a longer soak); SEED moves
     * the seeds. */
    const char *np = getenv("MIMIC_TCG_RANDOM_PROGRAMS");
    const char *sd = getenv("MIMIC_TCG_RANDOM_SEED");
    int n_progs = np ? atoi(np) : 60;
    uint64_t base = sd ? strtoull(sd, NULL, 0) : 0x1234567ull;
    for (int prog = 0; prog < n_progs; prog++) {
        uint64_t seed = base + (uint64_t)(_i / 2) * 1000003 + prog;
        static Gen g;
        gen_program(&g, seed);
        Slots sl = {0};
        TCGLabel *labels[MAX_INSNS];
        tcg_func_start(ctx);
        emit_program(&g, &sl, labels);
        /* -d op and -d op_opt go through every kind of op */
        char *dump = NULL;
        size_t dump_len = 0;
        FILE *df = open_memstream(&dump, &dump_len);
        tcg_dump_ops(ctx, df);
        tcg_context_set_log_op_opt(ctx, df);
        TCGCodeResult res;
        gen_ok(&res);
        tcg_context_set_log_op_opt(ctx, NULL);
        fclose(df);
        ck_assert_ptr_nonnull(strstr(dump, "exit_tb"));
        free(dump);

        uint64_t v[N_SLOTS] = {0}, scratch[8] = {0};
        Rng r = {seed ^ 0xabcdef};
        for (int i = 0; i < 8; i++) {
            v[S_G64 + i] = env->g64[i] = rnd(&r);
            env->g32[i] = (uint32_t)rnd(&r);
            v[S_G32 + i] = env->g32[i];
        }
        memset(env->scratch, 0, sizeof(env->scratch));
        run(&res);
        static uint8_t mem[4096];
        memset(mem, 0, sizeof(mem));
        memset(fake_ram, 0, 4096);
        interp(&g, v, scratch, mem);
        for (int i = 0; i < 8; i++) {
            ck_assert_msg(env->g64[i] == v[S_G64 + i], "seed %llx opt %d: q%d = %llx want %llx",
                          (unsigned long long)seed, opt, i, (unsigned long long)env->g64[i],
                          (unsigned long long)v[S_G64 + i]);
        }
        for (int i = 0; i < 8; i++) {
            ck_assert_msg(env->g32[i] == (uint32_t)v[S_G32 + i],
                          "seed %llx opt %d: w%d = %x want %x", (unsigned long long)seed, opt, i,
                          env->g32[i], (uint32_t)v[S_G32 + i]);
        }
        for (int i = 0; i < 4; i++) {
            ck_assert_msg(env->scratch[i] == v[S_L64 + i], "seed %llx opt %d: loc%d",
                          (unsigned long long)seed, opt, i);
            ck_assert_msg((uint32_t)env->scratch[4 + i] == (uint32_t)v[S_L32 + i],
                          "seed %llx opt %d: loc32 %d", (unsigned long long)seed, opt, i);
        }
    }
}
END_TEST

Suite *random_suite(void)
{
    Suite *s = suite_create("tcg-random");
    TCase *tc = tcase_create("random");
    tcase_add_checked_fixture(tc, setup, fake_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_random_programs, 0, 20);
    suite_add_tcase(s, tc);
    return s;
}
