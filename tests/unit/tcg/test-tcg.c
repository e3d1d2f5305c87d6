/* tests/unit/tcg/test-tcg.c: runs the tcg unit test suites (ALU ops and system pieces). */
#include <stdlib.h>

#include "tests/unit/tcg/tcg-test-util.h"

Suite *alu_suite(void);
Suite *sys_suite(void);
Suite *random_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(alu_suite());
    srunner_add_suite(sr, sys_suite());
    srunner_add_suite(sr, random_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
