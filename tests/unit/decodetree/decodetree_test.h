/* Shared by the decodetree unit tests: a DisasContext that records which
 * trans_ functions the generated decoders called and with which arguments. */
#ifndef TESTS_UNIT_DECODETREE_TEST_H
#define TESTS_UNIT_DECODETREE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <check.h>

#define TEST_MAX_ARGS 8

typedef struct DisasContext {
    char trail[256];         /* every trans_ called, in order, space-separated */
    const char *last;        /* the last trans_ called */
    int args[TEST_MAX_ARGS]; /* its arguments, in argument-set order */
    int nargs;
    const char *reject[4]; /* trans_ functions that return false */
    int magic;             /* value of the test's parameter field */
} DisasContext;

/* Logs one call; returns what the trans_ function returns. */
static inline bool test_record(DisasContext *ctx, const char *name, int nargs, ...)
{
    va_list ap;
    size_t len = strlen(ctx->trail);

    snprintf(ctx->trail + len, sizeof(ctx->trail) - len, "%s%s", len ? " " : "", name);
    ctx->last = name;
    ctx->nargs = nargs;
    va_start(ap, nargs);
    for (int i = 0; i < nargs && i < TEST_MAX_ARGS; i++) {
        ctx->args[i] = va_arg(ap, int);
    }
    va_end(ap);
    for (int i = 0; i < 4; i++) {
        if (ctx->reject[i] && strcmp(ctx->reject[i], name) == 0) {
            return false;
        }
    }
    return true;
}

Suite *decodetree_basic_suite(void);
Suite *decodetree_t16_suite(void);
Suite *decodetree_mips_suite(void);
Suite *decodetree_pair_suite(void);

#endif
