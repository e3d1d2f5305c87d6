/* tcg/optimize.c: IR optimizer (placeholder). */
#include "tcg/tcg-internal.h"

void tcg_optimize(TCGContext *s)
{
    (void)s;
}
