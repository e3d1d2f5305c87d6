/* Runs the decodetree unit-test suites: generated decoders for basic.decode,
 * t16.decode, mips32_sample.decode and the pair_a/pair_b decoders. */
#include <stdlib.h>

#include "tests/unit/decodetree/decodetree_test.h"

int main(void)
{
    SRunner *sr = srunner_create(decodetree_basic_suite());
    int failed;

    srunner_add_suite(sr, decodetree_t16_suite());
    srunner_add_suite(sr, decodetree_mips_suite());
    srunner_add_suite(sr, decodetree_pair_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
