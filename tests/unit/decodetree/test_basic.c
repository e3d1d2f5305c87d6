/* Unit tests for tools/decodetree: feeds 32-bit words to the decoder generated
 * from basic.decode and checks which trans_ ran and with which arguments. */
#include "tests/unit/decodetree/decodetree_test.h"

typedef struct {
    int x;
    int y;
} arg_pair;

static int times_4(DisasContext *ctx, int x)
{
    return x * 4;
}

static int ctx_value(DisasContext *ctx)
{
    return ctx->magic;
}

#include "tests/unit/decodetree/basic.c.inc"

#define RRR(n)                                               \
    static bool trans_##n(DisasContext *ctx, arg_##n *a)     \
    {                                                        \
        return test_record(ctx, #n, 3, a->rd, a->rn, a->rm); \
    }
RRR(ADD)
RRR(SUB)
RRR(NEG)
RRR(LOADR)
RRR(STORR)

#define NOARGS(n)                                        \
    static bool trans_##n(DisasContext *ctx, arg_##n *a) \
    {                                                    \
        return test_record(ctx, #n, 0);                  \
    }
NOARGS(IGN)
NOARGS(YIELD)
NOARGS(TRIA)
NOARGS(TRIB)
NOARGS(TRIC)

static bool trans_MOVI(DisasContext *ctx, arg_MOVI *a)
{
    return test_record(ctx, "MOVI", 2, a->rd, a->imm);
}

static bool trans_B(DisasContext *ctx, arg_B *a)
{
    return test_record(ctx, "B", 1, a->off);
}

static bool trans_SPLIT(DisasContext *ctx, arg_SPLIT *a)
{
    return test_record(ctx, "SPLIT", 1, a->v);
}

static bool trans_SCALED(DisasContext *ctx, arg_SCALED *a)
{
    return test_record(ctx, "SCALED", 1, a->v);
}

static bool trans_CTX(DisasContext *ctx, arg_CTX *a)
{
    return test_record(ctx, "CTX", 3, a->v, a->k, a->h);
}

static bool trans_PAIR(DisasContext *ctx, arg_PAIR *a)
{
    return test_record(ctx, "PAIR", 2, a->x, a->y);
}

static bool trans_HINT(DisasContext *ctx, arg_HINT *a)
{
    return test_record(ctx, "HINT", 1, a->imm);
}

static bool trans_CATCH(DisasContext *ctx, arg_CATCH *a)
{
    return test_record(ctx, "CATCH", 1, a->rd);
}

/* Decodes one word; names in reject make their trans_ return false. */
static DisasContext run(uint32_t insn, bool expect, const char *r0, const char *r1)
{
    DisasContext ctx = {.magic = 0x1234};

    ctx.reject[0] = r0;
    ctx.reject[1] = r1;
    ck_assert_msg(decode_basic(&ctx, insn) == expect, "insn %08x: decode result", insn);
    return ctx;
}

static void check_args(const DisasContext *ctx, const char *trail, int n, const int *want)
{
    ck_assert_str_eq(ctx->trail, trail);
    ck_assert_int_eq(ctx->nargs, n);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(ctx->args[i] == want[i], "%s: argument %d is %d, want %d", trail, i,
                      ctx->args[i], want[i]);
    }
}

#define CHECK(insn, trail, ...)                                 \
    do {                                                        \
        DisasContext c_ = run(insn, true, NULL, NULL);          \
        const int w_[] = {__VA_ARGS__};                         \
        check_args(&c_, trail, sizeof(w_) / sizeof(w_[0]), w_); \
    } while (0)

#define CHECK0(insn, trail)                            \
    do {                                               \
        DisasContext c_ = run(insn, true, NULL, NULL); \
        check_args(&c_, trail, 0, NULL);               \
    } while (0)

#define UNDEF(insn)                                     \
    do {                                                \
        DisasContext c_ = run(insn, false, NULL, NULL); \
        ck_assert_str_eq(c_.trail, "");                 \
    } while (0)

START_TEST(test_format_fields)
{
    CHECK(0x00012003, "ADD", 2, 1, 3);
    CHECK(0x0015a00f, "SUB", 10, 5, 15);
    /* NEG's rn=0 wins over the format's rn:4. */
    CHECK(0x00273004, "NEG", 3, 0, 4);
    /* Bits 11:4 are fixed to zero. */
    UNDEF(0x00012013);
    UNDEF(0x00312003);
}
END_TEST

START_TEST(test_signed_fields)
{
    CHECK(0x10005800, "MOVI", 5, -2048);
    CHECK(0x100057ff, "MOVI", 5, 2047);
    /* The same trans_ reached from a second encoding through %fields. */
    CHECK(0x9000a801, "MOVI", 10, -2047);
    CHECK(0x9000a001, "MOVI", 10, 1);
    UNDEF(0x10105800);
}
END_TEST

START_TEST(test_function_field)
{
    /* Signed 24-bit offset through times_4(); bits 27:24 are ignored. */
    CHECK(0x2fffffff, "B", -4);
    CHECK(0x20800000, "B", -33554432);
    CHECK(0x2a000001, "B", 4);
    CHECK(0x257fffff, "B", 33554428);
}
END_TEST

START_TEST(test_multipart_fields)
{
    /* 27:24 (signed, top) : 11:8 : 3:0 */
    CHECK(0x38000f05, "SPLIT", -1803);
    CHECK(0x37000a0c, "SPLIT", 1964);
    CHECK(0x3f000f0f, "SPLIT", -1);
    /* Unsigned 23:20 : 7:4, shifted left by 2. */
    CHECK(0x40f000a0, "SCALED", 1000);
    CHECK(0x401000f0, "SCALED", 124);
}
END_TEST

START_TEST(test_constants_and_params)
{
    CHECK(0x50000000, "CTX", 0x1234, -7, 16);
    UNDEF(0x50000001);
    /* An argument set declared !extern: the test wrote arg_pair itself. */
    CHECK(0x6ab80000, "PAIR", 171, -128);
    CHECK(0x601ff000, "PAIR", 1, -1);
    CHECK0(0x8fffffff, "IGN");
    CHECK0(0x80000000, "IGN");
}
END_TEST

START_TEST(test_overlap_group)
{
    DisasContext c;

    CHECK0(0x70000001, "YIELD");
    c = run(0x70000001, true, "YIELD", NULL);
    check_args(&c, "YIELD HINT", 1, (const int[]){1});
    c = run(0x70000001, true, "YIELD", "HINT");
    check_args(&c, "YIELD HINT CATCH", 1, (const int[]){0});
    CHECK(0x70000009, "HINT", 9);

    /* A [ ] group inside the { } group, then the catch-all. */
    CHECK(0x71012003, "LOADR", 2, 1, 3);
    c = run(0x71012003, true, "LOADR", NULL);
    check_args(&c, "LOADR CATCH", 1, (const int[]){2});
    CHECK(0x72012003, "STORR", 2, 1, 3);
    CHECK(0x7f0030f0, "CATCH", 3);
    c = run(0x7f0030f0, false, "CATCH", NULL);
    ck_assert_str_eq(c.trail, "CATCH");
}
END_TEST

START_TEST(test_no_common_bit)
{
    CHECK0(0xa0000000, "TRIA");
    CHECK0(0xa0000001, "TRIA");
    CHECK0(0xa0000004, "TRIB");
    CHECK0(0xa0000006, "TRIB");
    CHECK0(0xa0000003, "TRIC");
    CHECK0(0xa0000007, "TRIC");
    UNDEF(0xa0000005);
    UNDEF(0xa0000010);
}
END_TEST

START_TEST(test_undefined)
{
    UNDEF(0xb0000000);
    UNDEF(0xf0000000);
    UNDEF(0xffffffff);
    UNDEF(0xc0000000);
}
END_TEST

Suite *decodetree_basic_suite(void)
{
    Suite *s = suite_create("decodetree_basic");
    TCase *tc = tcase_create("basic");

    tcase_add_test(tc, test_format_fields);
    tcase_add_test(tc, test_signed_fields);
    tcase_add_test(tc, test_function_field);
    tcase_add_test(tc, test_multipart_fields);
    tcase_add_test(tc, test_constants_and_params);
    tcase_add_test(tc, test_overlap_group);
    tcase_add_test(tc, test_no_common_bit);
    tcase_add_test(tc, test_undefined);
    suite_add_tcase(s, tc);
    return s;
}
