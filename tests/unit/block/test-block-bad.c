/* Placeholder while the tests are written. */
#include "block-test-util.h"
int main(void)
{
    return 0;
}
