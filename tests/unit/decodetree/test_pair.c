/* Unit test for tools/decodetree: two generated decoders in one translation
 * unit sharing helpers, an argument set (!extern) and trans_ functions. */
#include "tests/unit/decodetree/decodetree_test.h"

#include "tests/unit/decodetree/pair_a.c.inc"
#include "tests/unit/decodetree/pair_b.c.inc"

static bool trans_ADD(DisasContext *ctx, arg_ADD *a)
{
    return test_record(ctx, "ADD", 2, a->rd, a->rm);
}

static bool trans_HALT(DisasContext *ctx, arg_HALT *a)
{
    return test_record(ctx, "HALT", 0);
}

START_TEST(test_pair_decoders)
{
    DisasContext c1 = {0}, c2 = {0}, c3 = {0}, c4 = {0};

    ck_assert(decode_pair_a(&c1, 0x0a300f00));
    ck_assert_str_eq(c1.trail, "ADD");
    ck_assert_int_eq(c1.args[0], 0xf);
    ck_assert_int_eq(c1.args[1], 3);
    ck_assert(decode_pair_b(&c2, 0x1a3c));
    ck_assert_str_eq(c2.trail, "ADD");
    ck_assert_int_eq(c2.args[0], 0xc);
    ck_assert_int_eq(c2.args[1], 3);
    ck_assert(decode_pair_a(&c3, 0xff123456));
    ck_assert_str_eq(c3.trail, "HALT");
    ck_assert(!decode_pair_b(&c4, 0xfffe));
    ck_assert_str_eq(c4.trail, "");
    ck_assert(!decode_pair_a(&c4, 0x1a3c0000));
}
END_TEST

Suite *decodetree_pair_suite(void)
{
    Suite *s = suite_create("decodetree_pair");
    TCase *tc = tcase_create("pair");

    tcase_add_test(tc, test_pair_decoders);
    suite_add_tcase(s, tc);
    return s;
}
