/* Unit tests for tools/decodetree: a 16-bit decoder (t16.decode) generated
 * with --insnwidth 16 and --translate-prefix t16. */
#include "tests/unit/decodetree/decodetree_test.h"

#include "tests/unit/decodetree/t16.c.inc"

#define RRI(n)                                                \
    static bool t16_##n(DisasContext *ctx, arg_##n *a)        \
    {                                                         \
        return test_record(ctx, #n, 3, a->rd, a->rn, a->imm); \
    }
RRI(ADDI3)
RRI(SUBI3)
RRI(MOVI)
RRI(LDRPC)

static bool t16_UDF(DisasContext *ctx, arg_UDF *a)
{
    return test_record(ctx, "UDF", 1, a->imm);
}

static bool t16_SVC(DisasContext *ctx, arg_SVC *a)
{
    return test_record(ctx, "SVC", 1, a->imm);
}

static bool t16_BCOND(DisasContext *ctx, arg_BCOND *a)
{
    return test_record(ctx, "BCOND", 2, a->cond, a->imm);
}

static void check16(uint16_t insn, const char *reject, bool expect, const char *trail, int n,
                    const int *want)
{
    DisasContext ctx = {.reject = {reject}};

    ck_assert_msg(decode_t16(&ctx, insn) == expect, "insn %04x: decode result", insn);
    ck_assert_str_eq(ctx.trail, trail);
    ck_assert_int_eq(ctx.nargs, n);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(ctx.args[i] == want[i], "%04x: argument %d is %d, want %d", insn, i,
                      ctx.args[i], want[i]);
    }
}

START_TEST(test_t16_formats)
{
    check16(0x1d59, NULL, true, "ADDI3", 3, (const int[]){1, 3, 5});
    check16(0x1fd4, NULL, true, "SUBI3", 3, (const int[]){4, 2, 7});
    check16(0x25ff, NULL, true, "MOVI", 3, (const int[]){5, 0, 255});
    /* imm8 << 2 and a constant register number. */
    check16(0x4b10, NULL, true, "LDRPC", 3, (const int[]){3, 15, 64});
    check16(0x4fff, NULL, true, "LDRPC", 3, (const int[]){7, 15, 1020});
}
END_TEST

START_TEST(test_t16_group)
{
    check16(0xdeab, NULL, true, "UDF", 1, (const int[]){0xab});
    check16(0xdeab, "UDF", true, "UDF BCOND", 2, (const int[]){14, -85});
    check16(0xdf05, NULL, true, "SVC", 1, (const int[]){5});
    check16(0xd1fe, NULL, true, "BCOND", 2, (const int[]){1, -2});
    check16(0xd07f, NULL, true, "BCOND", 2, (const int[]){0, 127});
    check16(0xd1fe, "BCOND", false, "BCOND", 2, (const int[]){1, -2});
}
END_TEST

START_TEST(test_t16_undefined)
{
    check16(0x0000, NULL, false, "", 0, NULL);
    check16(0xffff, NULL, false, "", 0, NULL);
    check16(0x2800, NULL, false, "", 0, NULL);
    check16(0x4000, NULL, false, "", 0, NULL);
}
END_TEST

Suite *decodetree_t16_suite(void)
{
    Suite *s = suite_create("decodetree_t16");
    TCase *tc = tcase_create("t16");

    tcase_add_test(tc, test_t16_formats);
    tcase_add_test(tc, test_t16_group);
    tcase_add_test(tc, test_t16_undefined);
    suite_add_tcase(s, tc);
    return s;
}
