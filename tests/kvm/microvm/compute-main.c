/*
 * tests/kvm/microvm/compute-main.c: runs the test guest's CPL 3 compute loop natively
 * (the same instructions from guest.S): the expected result, and bench/kvm's baseline.
 * Usage: kvm-compute LOOPS  ->  prints "<result hex> <seconds>"
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t kvm_test_compute(uint64_t loops);

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: kvm-compute LOOPS\n");
        return 1;
    }
    uint64_t loops = strtoull(argv[1], NULL, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t r = kvm_test_compute(loops);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%016" PRIx64 " %.6f\n", r, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
