/* tests/unit/tcg/test-tcg-alu.c: every arithmetic/logic IR op, built by hand, compiled to
 * x86-64 and run against a C reference over edge and random values, i32 and i64, with
 * constants in either operand position, optimizer on and off. */
#include <limits.h>
#include <stdio.h>

#include "tests/unit/tcg/tcg-test-util.h"

typedef uint64_t (*RefFn)(int bits, uint64_t a, uint64_t b);
typedef void (*Gen32)(TCGv_i32 r, TCGv_i32 a, TCGv_i32 b);
typedef void (*Gen64)(TCGv_i64 r, TCGv_i64 a, TCGv_i64 b);

typedef struct BinCase {
    const char *name;
    Gen32 g32;
    Gen64 g64;
    RefFn ref;
    bool shift; /* b is a count: sweep 0..width-1 too */
} BinCase;

static uint64_t mask_of(int bits)
{
    return bits == 64 ? ~0ull : (1ull << bits) - 1;
}
static int64_t sx(int bits, uint64_t v)
{
    return bits == 64 ? (int64_t)v : (int64_t)(int32_t)v;
}

static uint64_t r_add(int n, uint64_t a, uint64_t b)
{
    return a + b;
}
static uint64_t r_sub(int n, uint64_t a, uint64_t b)
{
    return a - b;
}
static uint64_t r_mul(int n, uint64_t a, uint64_t b)
{
    return a * b;
}
static uint64_t r_and(int n, uint64_t a, uint64_t b)
{
    return a & b;
}
static uint64_t r_or(int n, uint64_t a, uint64_t b)
{
    return a | b;
}
static uint64_t r_xor(int n, uint64_t a, uint64_t b)
{
    return a ^ b;
}
static uint64_t r_andc(int n, uint64_t a, uint64_t b)
{
    return a & ~b;
}
static uint64_t r_orc(int n, uint64_t a, uint64_t b)
{
    return a | ~b;
}
static uint64_t r_nand(int n, uint64_t a, uint64_t b)
{
    return ~(a & b);
}
static uint64_t r_nor(int n, uint64_t a, uint64_t b)
{
    return ~(a | b);
}
static uint64_t r_eqv(int n, uint64_t a, uint64_t b)
{
    return ~(a ^ b);
}
static uint64_t r_shl(int n, uint64_t a, uint64_t b)
{
    return a << (b & (n - 1));
}
static uint64_t r_shr(int n, uint64_t a, uint64_t b)
{
    return (a & mask_of(n)) >> (b & (n - 1));
}
static uint64_t r_sar(int n, uint64_t a, uint64_t b)
{
    return (uint64_t)(sx(n, a) >> (b & (n - 1)));
}
static uint64_t r_rotl(int n, uint64_t a, uint64_t b)
{
    unsigned c = b & (n - 1);
    a &= mask_of(n);
    return c ? (a << c) | (a >> (n - c)) : a;
}
static uint64_t r_rotr(int n, uint64_t a, uint64_t b)
{
    unsigned c = b & (n - 1);
    a &= mask_of(n);
    return c ? (a >> c) | (a << (n - c)) : a;
}
static uint64_t r_div(int n, uint64_t a, uint64_t b)
{
    int64_t x = sx(n, a), y = sx(n, b);
    int64_t min = n == 64 ? INT64_MIN : INT32_MIN;
    if (y == 0) {
        return 0;
    }
    if (y == -1) {
        return x == min ? (uint64_t)min : (uint64_t)-x;
    }
    return (uint64_t)(x / y);
}
static uint64_t r_rem(int n, uint64_t a, uint64_t b)
{
    int64_t x = sx(n, a), y = sx(n, b);
    if (y == 0) {
        return a;
    }
    if (y == -1) {
        return 0;
    }
    return (uint64_t)(x % y);
}
static uint64_t r_divu(int n, uint64_t a, uint64_t b)
{
    a &= mask_of(n), b &= mask_of(n);
    return b ? a / b : 0;
}
static uint64_t r_remu(int n, uint64_t a, uint64_t b)
{
    a &= mask_of(n), b &= mask_of(n);
    return b ? a % b : a;
}
static uint64_t r_clz(int n, uint64_t a, uint64_t b)
{
    a &= mask_of(n);
    return a ? (uint64_t)(__builtin_clzll(a) - (64 - n)) : b;
}
static uint64_t r_ctz(int n, uint64_t a, uint64_t b)
{
    a &= mask_of(n);
    return a ? (uint64_t)__builtin_ctzll(a) : b;
}

static uint64_t r_smin(int n, uint64_t a, uint64_t b)
{
    return sx(n, a) < sx(n, b) ? a : b;
}
static uint64_t r_smax(int n, uint64_t a, uint64_t b)
{
    return sx(n, a) > sx(n, b) ? a : b;
}
static uint64_t r_umin(int n, uint64_t a, uint64_t b)
{
    return (a & mask_of(n)) < (b & mask_of(n)) ? a : b;
}
static uint64_t r_umax(int n, uint64_t a, uint64_t b)
{
    return (a & mask_of(n)) > (b & mask_of(n)) ? a : b;
}
static uint64_t r_muluh(int n, uint64_t a, uint64_t b)
{
    if (n == 32) {
        return ((a & mask_of(32)) * (b & mask_of(32))) >> 32;
    }
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}
static uint64_t r_mulsh(int n, uint64_t a, uint64_t b)
{
    if (n == 32) {
        return (uint64_t)((sx(32, a) * sx(32, b)) >> 32);
    }
    return (uint64_t)((unsigned __int128)((__int128)(int64_t)a * (int64_t)b) >> 64);
}

#define BIN(name, sh)                                                   \
    {                                                                   \
#name, tcg_gen_##name##_i32, tcg_gen_##name##_i64, r_##name, sh \
    }
static const BinCase bin_cases[] = {
    BIN(add, false),  BIN(sub, false),   BIN(mul, false),   BIN(and, false),  BIN(or, false),
    BIN(xor, false),  BIN(andc, false),  BIN(orc, false),   BIN(nand, false), BIN(nor, false),
    BIN(eqv, false),  BIN(shl, true),    BIN(shr, true),    BIN(sar, true),   BIN(rotl, true),
    BIN(rotr, true),  BIN(div, false),   BIN(divu, false),  BIN(rem, false),  BIN(remu, false),
    BIN(clz, false),  BIN(ctz, false),   BIN(smin, false),  BIN(smax, false), BIN(umin, false),
    BIN(umax, false), BIN(muluh, false), BIN(mulsh, false),
};
#define N_BIN (int)(sizeof(bin_cases) / sizeof(bin_cases[0]))

static uint64_t values[64];
static int n_values;

static void values_init(void)
{
    static const uint64_t edge[] = {
        0,
        1,
        2,
        3,
        (uint64_t)-1,
        (uint64_t)-2,
        0x7f,
        0x80,
        0xff,
        0x100,
        0x7fff,
        0x8000,
        0xffff,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x100000000ull,
        INT64_MAX,
        (uint64_t)INT64_MIN,
        0x123456789abcdef0ull,
        0xfedcba9876543210ull,
        31,
        32,
        63,
        64,
        0xffffffff80000000ull,
    };
    n_values = 0;
    for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
        values[n_values++] = edge[i];
    }
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 10; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        values[n_values++] = x ^ (x >> 29);
    }
}

/* Operand sources for one generated block. */
enum { SRC_REG, SRC_CONST_A, SRC_CONST_B, SRC_CONST_AB, SRC_SAME, SRC_INPLACE, SRC_COUNT };

/* Builds out = op(a, b) with the given sources. i64 uses q0,q1 -> q2; i32 w0,w1 -> w2. */
static void build_bin(const BinCase *c, int bits, int src, uint64_t ca, uint64_t cb)
{
    tcg_func_start(ctx);
    tcg_gen_insn_start(0x1000, 0, 0);
    if (bits == 32) {
        TCGv_i32 a =
            src == SRC_CONST_A || src == SRC_CONST_AB ? tcg_constant_i32((int32_t)ca) : G32[0];
        TCGv_i32 b = src == SRC_CONST_B || src == SRC_CONST_AB ? tcg_constant_i32((int32_t)cb)
                     : src == SRC_SAME                         ? a
                                                               : G32[1];
        if (src == SRC_INPLACE) {
            c->g32(G32[0], G32[0], b);
            tcg_gen_mov_i32(G32[2], G32[0]);
        } else {
            TCGv_i32 t = tcg_temp_new_i32();
            c->g32(t, a, b);
            tcg_gen_mov_i32(G32[2], t);
        }
    } else {
        TCGv_i64 a =
            src == SRC_CONST_A || src == SRC_CONST_AB ? tcg_constant_i64((int64_t)ca) : G64[0];
        TCGv_i64 b = src == SRC_CONST_B || src == SRC_CONST_AB ? tcg_constant_i64((int64_t)cb)
                     : src == SRC_SAME                         ? a
                                                               : G64[1];
        if (src == SRC_INPLACE) {
            c->g64(G64[0], G64[0], b);
            tcg_gen_mov_i64(G64[2], G64[0]);
        } else {
            TCGv_i64 t = tcg_temp_new_i64();
            c->g64(t, a, b);
            tcg_gen_mov_i64(G64[2], t);
        }
    }
    tcg_gen_exit_tb(0);
}

static uint64_t run_bin(const TCGCodeResult *res, int bits, uint64_t a, uint64_t b)
{
    memset(env->g64, 0, sizeof(env->g64));
    memset(env->g32, 0, sizeof(env->g32));
    env->g64[0] = a, env->g64[1] = b;
    env->g32[0] = (uint32_t)a, env->g32[1] = (uint32_t)b;
    ck_assert_uint_eq(run(res), 0);
    return bits == 32 ? env->g32[2] : env->g64[2];
}

static void check_one(const BinCase *c, int bits, int src, bool opt, uint64_t a, uint64_t b,
                      uint64_t got)
{
    uint64_t want = c->ref(bits, a, b) & mask_of(bits);
    if (got != want) {
        ck_abort_msg("%s_i%d src=%d opt=%d a=0x%llx b=0x%llx: got 0x%llx want 0x%llx", c->name,
                     bits, src, opt, (unsigned long long)(a & mask_of(bits)),
                     (unsigned long long)(b & mask_of(bits)), (unsigned long long)got,
                     (unsigned long long)want);
    }
}

static void sweep_case(const BinCase *c, int bits, bool opt)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, opt);
    uint64_t bvals[128];
    int nb = 0;
    for (int i = 0; i < n_values; i++) {
        bvals[nb++] = values[i];
    }
    if (c->shift) {
        for (int i = 0; i < bits; i++) {
            bvals[nb++] = i;
        }
    }
    /* registers, same operand twice, in-place */
    for (int src = SRC_REG; src < SRC_COUNT; src++) {
        if (src == SRC_CONST_A || src == SRC_CONST_B || src == SRC_CONST_AB) {
            continue;
        }
        build_bin(c, bits, src, 0, 0);
        gen_ok(&res);
        for (int i = 0; i < n_values; i++) {
            if (src == SRC_SAME) {
                check_one(c, bits, src, opt, values[i], values[i],
                          run_bin(&res, bits, values[i], values[i]));
                continue;
            }
            for (int j = 0; j < nb; j++) {
                check_one(c, bits, src, opt, values[i], bvals[j],
                          run_bin(&res, bits, values[i], bvals[j]));
            }
        }
    }
    /* constant b */
    for (int j = 0; j < nb; j += (j < n_values ? 1 : 3)) {
        build_bin(c, bits, SRC_CONST_B, 0, bvals[j]);
        gen_ok(&res);
        for (int i = 0; i < n_values; i++) {
            check_one(c, bits, SRC_CONST_B, opt, values[i], bvals[j],
                      run_bin(&res, bits, values[i], bvals[j]));
        }
    }
    /* constant a */
    for (int i = 0; i < n_values; i++) {
        build_bin(c, bits, SRC_CONST_A, values[i], 0);
        gen_ok(&res);
        for (int j = 0; j < nb; j += 2) {
            check_one(c, bits, SRC_CONST_A, opt, values[i], bvals[j],
                      run_bin(&res, bits, values[i], bvals[j]));
        }
    }
    /* both constant: folded entirely when optimising */
    for (int i = 0; i < n_values; i += 3) {
        for (int j = 0; j < nb; j += 4) {
            build_bin(c, bits, SRC_CONST_AB, values[i], bvals[j]);
            gen_ok(&res);
            check_one(c, bits, SRC_CONST_AB, opt, values[i], bvals[j],
                      run_bin(&res, bits, values[i], bvals[j]));
        }
    }
}

static void setup(void)
{
    values_init();
    fake_setup(64);
}

START_TEST(test_binops)
{
    const BinCase *c = &bin_cases[_i / 4];
    sweep_case(c, (_i & 1) ? 64 : 32, (_i & 2) != 0);
}
END_TEST

/* ---- unary ops ---- */

typedef struct UnCase {
    const char *name;
    void (*g32)(TCGv_i32, TCGv_i32);
    void (*g64)(TCGv_i64, TCGv_i64);
    uint64_t (*ref)(int bits, uint64_t a);
} UnCase;

static uint64_t u_neg(int n, uint64_t a)
{
    return -a;
}
static uint64_t u_not(int n, uint64_t a)
{
    return ~a;
}
static uint64_t u_ext8s(int n, uint64_t a)
{
    return (uint64_t)(int64_t)(int8_t)a;
}
static uint64_t u_ext8u(int n, uint64_t a)
{
    return (uint8_t)a;
}
static uint64_t u_ext16s(int n, uint64_t a)
{
    return (uint64_t)(int64_t)(int16_t)a;
}
static uint64_t u_ext16u(int n, uint64_t a)
{
    return (uint16_t)a;
}
static uint64_t u_bswap16(int n, uint64_t a)
{
    return __builtin_bswap16((uint16_t)a);
}
static uint64_t u_bswap32(int n, uint64_t a)
{
    return __builtin_bswap32((uint32_t)a);
}
static uint64_t u_ctpop(int n, uint64_t a)
{
    return __builtin_popcountll(a & mask_of(n));
}
static uint64_t u_mov(int n, uint64_t a)
{
    return a;
}
static uint64_t u_abs(int n, uint64_t a)
{
    return sx(n, a) < 0 ? -a : a;
}

#define UN(name)                                                    \
    {                                                               \
#name, tcg_gen_##name##_i32, tcg_gen_##name##_i64, u_##name \
    }
static const UnCase un_cases[] = {
    UN(neg),     UN(not ),    UN(ext8s), UN(ext8u), UN(ext16s), UN(ext16u),
    UN(bswap16), UN(bswap32), UN(ctpop), UN(mov),   UN(abs),
};
#define N_UN (int)(sizeof(un_cases) / sizeof(un_cases[0]))

static void check_un(const char *name, int bits, int mode, bool opt, uint64_t a, uint64_t got,
                     uint64_t want)
{
    want &= mask_of(bits);
    if (got != want) {
        ck_abort_msg("%s_i%d mode=%d opt=%d a=0x%llx: got 0x%llx want 0x%llx", name, bits, mode,
                     opt, (unsigned long long)a, (unsigned long long)got, (unsigned long long)want);
    }
}

static void build_un(void (*g32)(TCGv_i32, TCGv_i32), void (*g64)(TCGv_i64, TCGv_i64), int bits,
                     bool constant, uint64_t a)
{
    tcg_func_start(ctx);
    if (bits == 32) {
        TCGv_i32 t = tcg_temp_new_i32();
        g32(t, constant ? tcg_constant_i32((int32_t)a) : G32[0]);
        tcg_gen_mov_i32(G32[2], t);
    } else {
        TCGv_i64 t = tcg_temp_new_i64();
        g64(t, constant ? tcg_constant_i64((int64_t)a) : G64[0]);
        tcg_gen_mov_i64(G64[2], t);
    }
    tcg_gen_exit_tb(0);
}

static void sweep_un(const char *name, void (*g32)(TCGv_i32, TCGv_i32),
                     void (*g64)(TCGv_i64, TCGv_i64), uint64_t (*ref)(int, uint64_t), int bits,
                     bool opt)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, opt);
    build_un(g32, g64, bits, false, 0);
    gen_ok(&res);
    for (int i = 0; i < n_values; i++) {
        check_un(name, bits, 0, opt, values[i], run_bin(&res, bits, values[i], 0),
                 ref(bits, values[i]));
    }
    for (int i = 0; i < n_values; i++) {
        build_un(g32, g64, bits, true, values[i]);
        gen_ok(&res);
        check_un(name, bits, 1, opt, values[i], run_bin(&res, bits, values[i], 0),
                 ref(bits, values[i]));
    }
}

START_TEST(test_unops)
{
    const UnCase *c = &un_cases[_i / 4];
    sweep_un(c->name, c->g32, c->g64, c->ref, (_i & 1) ? 64 : 32, (_i & 2) != 0);
}
END_TEST

static uint64_t u_ext32s(int n, uint64_t a)
{
    return (uint64_t)(int64_t)(int32_t)a;
}
static uint64_t u_ext32u(int n, uint64_t a)
{
    return (uint32_t)a;
}
static uint64_t u_bswap64(int n, uint64_t a)
{
    return __builtin_bswap64(a);
}

START_TEST(test_unops_i64_only)
{
    bool opt = _i;
    sweep_un("ext32s", NULL, tcg_gen_ext32s_i64, u_ext32s, 64, opt);
    sweep_un("ext32u", NULL, tcg_gen_ext32u_i64, u_ext32u, 64, opt);
    sweep_un("bswap64", NULL, tcg_gen_bswap64_i64, u_bswap64, 64, opt);
}
END_TEST

/* i32 <-> i64 conversions */
START_TEST(test_conversions)
{
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, _i);
    for (int constant = 0; constant < 2; constant++) {
        for (int i = 0; i < n_values; i++) {
            uint64_t v = values[i];
            tcg_func_start(ctx);
            TCGv_i32 a32 = constant ? tcg_constant_i32((int32_t)v) : G32[0];
            TCGv_i64 a64 = constant ? tcg_constant_i64((int64_t)v) : G64[0];
            tcg_gen_extu_i32_i64(G64[2], a32);
            tcg_gen_ext_i32_i64(G64[3], a32);
            tcg_gen_extrl_i64_i32(G32[2], a64);
            tcg_gen_extrh_i64_i32(G32[3], a64);
            /* an i32 op on a value that came from i64 must not see the high half */
            TCGv_i32 t = tcg_temp_new_i32();
            tcg_gen_extrl_i64_i32(t, a64);
            TCGv_i64 u = tcg_temp_new_i64();
            tcg_gen_extu_i32_i64(u, t);
            tcg_gen_mov_i64(G64[4], u);
            tcg_gen_exit_tb(0);
            gen_ok(&res);
            run_bin(&res, 64, v, 0);
            ck_assert_uint_eq(env->g64[2], (uint32_t)v);
            ck_assert_uint_eq(env->g64[3], (uint64_t)(int64_t)(int32_t)v);
            ck_assert_uint_eq(env->g32[2], (uint32_t)v);
            ck_assert_uint_eq(env->g32[3], (uint32_t)(v >> 32));
            ck_assert_uint_eq(env->g64[4], (uint32_t)v);
        }
    }
}
END_TEST

/* ---- bit fields ---- */

static uint64_t ref_deposit(int n, uint64_t a, uint64_t b, int pos, int len)
{
    uint64_t m = (len == 64 ? ~0ull : ((1ull << len) - 1)) << pos;
    return ((a & ~m) | ((b << pos) & m)) & mask_of(n);
}
static uint64_t ref_extract(int n, uint64_t a, int pos, int len, bool sign)
{
    uint64_t v = (a & mask_of(n)) >> pos;
    if (len < 64) {
        v &= (1ull << len) - 1;
        if (sign && (v >> (len - 1)) & 1) {
            v |= ~0ull << len;
        }
    }
    return v & mask_of(n);
}

START_TEST(test_bitfields)
{
    int bits = (_i & 1) ? 64 : 32;
    bool opt = _i & 2;
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, opt);
    static const uint64_t av[] = {0, ~0ull, 0x123456789abcdef0ull, 0x8000000000000001ull};
    static const uint64_t bv[] = {~0ull, 0, 0xfedcba9876543210ull, 0x5555555555555555ull};
    for (int pos = 0; pos < bits; pos += (pos < 8 ? 1 : 5)) {
        for (int len = 1; pos + len <= bits; len += (len < 10 ? 1 : 7)) {
            for (int constant = 0; constant < 2; constant++) {
                tcg_func_start(ctx);
                if (bits == 32) {
                    TCGv_i32 a = constant ? tcg_constant_i32((int32_t)av[2]) : G32[0];
                    TCGv_i32 b = constant ? tcg_constant_i32((int32_t)bv[2]) : G32[1];
                    tcg_gen_deposit_i32(G32[2], a, b, pos, len);
                    tcg_gen_extract_i32(G32[3], a, pos, len);
                    tcg_gen_sextract_i32(G32[4], a, pos, len);
                } else {
                    TCGv_i64 a = constant ? tcg_constant_i64((int64_t)av[2]) : G64[0];
                    TCGv_i64 b = constant ? tcg_constant_i64((int64_t)bv[2]) : G64[1];
                    tcg_gen_deposit_i64(G64[2], a, b, pos, len);
                    tcg_gen_extract_i64(G64[3], a, pos, len);
                    tcg_gen_sextract_i64(G64[4], a, pos, len);
                }
                tcg_gen_exit_tb(0);
                gen_ok(&res);
                for (int k = 0; k < 4; k++) {
                    if (constant && k != 2) {
                        continue;
                    }
                    run_bin(&res, bits, av[k], bv[k]);
                    uint64_t d = bits == 32 ? env->g32[2] : env->g64[2];
                    uint64_t e = bits == 32 ? env->g32[3] : env->g64[3];
                    uint64_t se = bits == 32 ? env->g32[4] : env->g64[4];
                    ck_assert_msg(d == ref_deposit(bits, av[k], bv[k], pos, len),
                                  "deposit_i%d pos=%d len=%d k=%d c=%d: 0x%llx", bits, pos, len, k,
                                  constant, (unsigned long long)d);
                    ck_assert_msg(e == ref_extract(bits, av[k], pos, len, false),
                                  "extract_i%d pos=%d len=%d k=%d: 0x%llx", bits, pos, len, k,
                                  (unsigned long long)e);
                    ck_assert_msg(se == ref_extract(bits, av[k], pos, len, true),
                                  "sextract_i%d pos=%d len=%d k=%d: 0x%llx", bits, pos, len, k,
                                  (unsigned long long)se);
                }
            }
        }
    }
}
END_TEST

/* ---- double-word ops ---- */

START_TEST(test_double_word)
{
    int bits = (_i & 1) ? 64 : 32;
    bool opt = _i & 2;
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, opt);
    for (int constant = 0; constant < 3; constant++) {
        for (int i = 0; i < n_values; i += (constant ? 4 : 1)) {
            for (int j = 0; j < n_values; j += (constant == 2 ? 5 : 1)) {
                uint64_t a = values[i] & mask_of(bits), b = values[j] & mask_of(bits);
                tcg_func_start(ctx);
                if (bits == 32) {
                    TCGv_i32 bl = constant ? tcg_constant_i32((int32_t)b) : G32[1];
                    TCGv_i32 bh = constant == 2 ? tcg_constant_i32((int32_t)a) : G32[0];
                    tcg_gen_add2_i32(G32[2], G32[3], G32[0], G32[1], bl, bh);
                    tcg_gen_sub2_i32(G32[4], G32[5], G32[0], G32[1], bl, bh);
                    tcg_gen_mulu2_i32(G32[6], G32[7], G32[0], bl);
                } else {
                    TCGv_i64 bl = constant ? tcg_constant_i64((int64_t)b) : G64[1];
                    TCGv_i64 bh = constant == 2 ? tcg_constant_i64((int64_t)a) : G64[0];
                    tcg_gen_add2_i64(G64[2], G64[3], G64[0], G64[1], bl, bh);
                    tcg_gen_sub2_i64(G64[4], G64[5], G64[0], G64[1], bl, bh);
                    tcg_gen_mulu2_i64(G64[6], G64[7], G64[0], bl);
                }
                tcg_gen_exit_tb(0);
                gen_ok(&res);
                run_bin(&res, bits, a, b);
                if (bits == 32) {
                    uint64_t x = (uint64_t)b << 32 | a, y = (uint64_t)a << 32 | b;
                    uint64_t sum = x + y, dif = x - y, prod = a * b;
                    ck_assert_uint_eq(env->g32[2], (uint32_t)sum);
                    ck_assert_uint_eq(env->g32[3], (uint32_t)(sum >> 32));
                    ck_assert_uint_eq(env->g32[4], (uint32_t)dif);
                    ck_assert_uint_eq(env->g32[5], (uint32_t)(dif >> 32));
                    ck_assert_uint_eq(env->g32[6], (uint32_t)prod);
                    ck_assert_uint_eq(env->g32[7], (uint32_t)(prod >> 32));
                } else {
                    unsigned __int128 x = (unsigned __int128)b << 64 | a;
                    unsigned __int128 y = (unsigned __int128)a << 64 | b;
                    unsigned __int128 sum = x + y, dif = x - y;
                    unsigned __int128 prod = (unsigned __int128)a * b;
                    ck_assert_uint_eq(env->g64[2], (uint64_t)sum);
                    ck_assert_uint_eq(env->g64[3], (uint64_t)(sum >> 64));
                    ck_assert_uint_eq(env->g64[4], (uint64_t)dif);
                    ck_assert_uint_eq(env->g64[5], (uint64_t)(dif >> 64));
                    ck_assert_uint_eq(env->g64[6], (uint64_t)prod);
                    ck_assert_uint_eq(env->g64[7], (uint64_t)(prod >> 64));
                }
            }
        }
    }
    /* signed product */
    for (int i = 0; i < n_values; i++) {
        for (int j = 0; j < n_values; j += 3) {
            uint64_t a = values[i] & mask_of(bits), b = values[j] & mask_of(bits);
            tcg_func_start(ctx);
            if (bits == 32) {
                tcg_gen_muls2_i32(G32[6], G32[7], G32[0], G32[1]);
            } else {
                tcg_gen_muls2_i64(G64[6], G64[7], G64[0], G64[1]);
            }
            tcg_gen_exit_tb(0);
            gen_ok(&res);
            run_bin(&res, bits, a, b);
            if (bits == 32) {
                int64_t p = (int64_t)(int32_t)a * (int32_t)b;
                ck_assert_uint_eq(env->g32[6], (uint32_t)p);
                ck_assert_uint_eq(env->g32[7], (uint32_t)((uint64_t)p >> 32));
            } else {
                __int128 p = (__int128)(int64_t)a * (int64_t)b;
                ck_assert_uint_eq(env->g64[6], (uint64_t)p);
                ck_assert_uint_eq(env->g64[7], (uint64_t)((unsigned __int128)p >> 64));
            }
        }
    }
}
END_TEST

/* ---- conditions ---- */

static const char *cond_name(TCGCond c)
{
    static const char *const n[] = {"never", "always", "eq",  "ne",  "lt",  "ge",    "le",
                                    "gt",    "ltu",    "geu", "leu", "gtu", "tsteq", "tstne"};
    return n[c];
}

static bool ref_cond(int n, TCGCond c, uint64_t a, uint64_t b)
{
    uint64_t m = mask_of(n);
    a &= m, b &= m;
    int64_t sa = sx(n, a), sb = sx(n, b);
    switch (c) {
    case TCG_COND_NEVER: return false;
    case TCG_COND_ALWAYS: return true;
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
    default: return false;
    }
}

/* setcond -> w2/q2, negsetcond -> w3/q3, movcond(a,b ? q4 : q5) -> q6, brcond -> q7. */
static void build_cond(int bits, TCGCond c, int src, uint64_t ca, uint64_t cb)
{
    tcg_func_start(ctx);
    TCGLabel *l = tcg_label_new();
    TCGLabel *done = tcg_label_new();
    if (bits == 32) {
        TCGv_i32 a =
            src == SRC_CONST_A || src == SRC_CONST_AB ? tcg_constant_i32((int32_t)ca) : G32[0];
        TCGv_i32 b =
            src == SRC_CONST_B || src == SRC_CONST_AB ? tcg_constant_i32((int32_t)cb) : G32[1];
        tcg_gen_setcond_i32(c, G32[2], a, b);
        tcg_gen_negsetcond_i32(c, G32[3], a, b);
        tcg_gen_movcond_i32(c, G32[6], a, b, G32[4], G32[5]);
        tcg_gen_brcond_i32(c, a, b, l);
    } else {
        TCGv_i64 a =
            src == SRC_CONST_A || src == SRC_CONST_AB ? tcg_constant_i64((int64_t)ca) : G64[0];
        TCGv_i64 b =
            src == SRC_CONST_B || src == SRC_CONST_AB ? tcg_constant_i64((int64_t)cb) : G64[1];
        tcg_gen_setcond_i64(c, G64[2], a, b);
        tcg_gen_negsetcond_i64(c, G64[3], a, b);
        tcg_gen_movcond_i64(c, G64[6], a, b, G64[4], G64[5]);
        tcg_gen_brcond_i64(c, a, b, l);
    }
    tcg_gen_movi_i64(G64[7], 100);
    tcg_gen_br(done);
    tcg_gen_set_label(l);
    tcg_gen_movi_i64(G64[7], 200);
    tcg_gen_set_label(done);
    tcg_gen_exit_tb(0);
}

static void check_cond(const TCGCodeResult *res, int bits, TCGCond c, int src, bool opt, uint64_t a,
                       uint64_t b)
{
    memset(env->g64, 0, sizeof(env->g64));
    memset(env->g32, 0, sizeof(env->g32));
    env->g64[0] = a, env->g64[1] = b;
    env->g32[0] = (uint32_t)a, env->g32[1] = (uint32_t)b;
    env->g64[4] = env->g32[4] = 0x1111;
    env->g64[5] = env->g32[5] = 0x2222;
    run(res);
    bool t = ref_cond(bits, c, a, b);
    uint64_t set = bits == 32 ? env->g32[2] : env->g64[2];
    uint64_t neg = bits == 32 ? env->g32[3] : env->g64[3];
    uint64_t mov = bits == 32 ? env->g32[6] : env->g64[6];
    ck_assert_msg(set == (uint64_t)t && neg == (t ? mask_of(bits) : 0) &&
                      mov == (t ? 0x1111u : 0x2222u) && env->g64[7] == (t ? 200u : 100u),
                  "cond %s i%d src=%d opt=%d a=0x%llx b=0x%llx: set=%llu neg=0x%llx mov=0x%llx "
                  "br=%llu",
                  cond_name(c), bits, src, opt, (unsigned long long)a, (unsigned long long)b,
                  (unsigned long long)set, (unsigned long long)neg, (unsigned long long)mov,
                  (unsigned long long)env->g64[7]);
}

START_TEST(test_conditions)
{
    TCGCond c = (TCGCond)(_i / 4);
    int bits = (_i & 1) ? 64 : 32;
    bool opt = _i & 2;
    TCGCodeResult res;
    tcg_context_set_optimize(ctx, opt);
    build_cond(bits, c, SRC_REG, 0, 0);
    gen_ok(&res);
    for (int i = 0; i < n_values; i++) {
        for (int j = 0; j < n_values; j++) {
            check_cond(&res, bits, c, SRC_REG, opt, values[i], values[j]);
        }
    }
    for (int j = 0; j < n_values; j++) {
        build_cond(bits, c, SRC_CONST_B, 0, values[j]);
        gen_ok(&res);
        for (int i = 0; i < n_values; i++) {
            check_cond(&res, bits, c, SRC_CONST_B, opt, values[i], values[j]);
        }
        build_cond(bits, c, SRC_CONST_A, values[j], 0);
        gen_ok(&res);
        for (int i = 0; i < n_values; i++) {
            check_cond(&res, bits, c, SRC_CONST_A, opt, values[j], values[i]);
        }
        build_cond(bits, c, SRC_CONST_AB, values[j], values[(j * 7) % n_values]);
        gen_ok(&res);
        check_cond(&res, bits, c, SRC_CONST_AB, opt, values[j], values[(j * 7) % n_values]);
    }
}
END_TEST

/* Hosts without LZCNT/TZCNT/POPCNT/BMI2: the back-end's fallback sequences. */
static void setup_noext(void)
{
    setenv("MIMIC_TCG_NO_HOST_EXT", "1", 1);
    setup();
}

static void teardown_noext(void)
{
    fake_teardown();
    unsetenv("MIMIC_TCG_NO_HOST_EXT");
}

START_TEST(test_count_fallbacks)
{
    int bits = (_i & 1) ? 64 : 32;
    bool opt = _i & 2;
    for (int i = 0; i < N_BIN; i++) {
        /* also the shifts: without BMI2 the count must be in cl */
        if (!strcmp(bin_cases[i].name, "clz") || !strcmp(bin_cases[i].name, "ctz") ||
            bin_cases[i].shift) {
            sweep_case(&bin_cases[i], bits, opt);
        }
    }
    sweep_un("ctpop", tcg_gen_ctpop_i32, tcg_gen_ctpop_i64, u_ctpop, bits, opt);
}
END_TEST

Suite *alu_suite(void)
{
    Suite *s = suite_create("tcg-alu");
    TCase *tc = tcase_create("alu");
    tcase_add_checked_fixture(tc, setup, fake_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_binops, 0, N_BIN * 4);
    tcase_add_loop_test(tc, test_unops, 0, N_UN * 4);
    tcase_add_loop_test(tc, test_unops_i64_only, 0, 2);
    tcase_add_loop_test(tc, test_conversions, 0, 2);
    tcase_add_loop_test(tc, test_bitfields, 0, 4);
    tcase_add_loop_test(tc, test_double_word, 0, 4);
    tcase_add_loop_test(tc, test_conditions, 0, TCG_COND_COUNT * 4);
    suite_add_tcase(s, tc);
    TCase *tcn = tcase_create("no-host-ext");
    tcase_add_checked_fixture(tcn, setup_noext, teardown_noext);
    tcase_set_timeout(tcn, 120);
    tcase_add_loop_test(tcn, test_count_fallbacks, 0, 4);
    suite_add_tcase(s, tcn);
    return s;
}
