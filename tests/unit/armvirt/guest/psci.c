/* tests/unit/armvirt/guest/psci.c: PSCI 1.0 calls (DEN0022) from PL1 through HVC and SMC,
 * answers checked against the spec; CPU 1 is off at the start and never runs (the harness
 * reads its entry state after CPU_ON). Built with tests/unit/arm/guest's crt.S/test.h. */
#include "test.h"

#define FN(n)          (0x84000000u + (n))
#define VERSION        FN(0)
#define CPU_SUSPEND    FN(1)
#define CPU_OFF        FN(2)
#define CPU_ON         FN(3)
#define AFFINITY_INFO  FN(4)
#define MIGRATE        FN(5)
#define MIGRATE_INFO   FN(6)
#define SYSTEM_OFF     FN(8)
#define SYSTEM_RESET   FN(9)
#define FEATURES       FN(10)
#define SYSTEM_SUSPEND FN(14)
#define SYSTEM_RESET2  FN(18)
#define NOT_SUPPORTED  0xffffffffu /* -1 */
#define INVALID_PARAMS 0xfffffffeu /* -2 */
#define ALREADY_ON     0xfffffffcu /* -4 */
#define CPU1_ENTRY     0x40001235u /* Thumb bit set */
#define CPU1_CONTEXT   0xc0ffee00u

static uint32_t hvc(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
    register uint32_t r0 __asm__("r0") = fn, r1 __asm__("r1") = a1, r2 __asm__("r2") = a2,
                         r3 __asm__("r3") = a3;
    __asm__ volatile(".arch_extension virt\n hvc #0"
                     : "+r"(r0)
                     : "r"(r1), "r"(r2), "r"(r3)
                     : "memory");
    return r0;
}

static uint32_t smc(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3)
{
    register uint32_t r0 __asm__("r0") = fn, r1 __asm__("r1") = a1, r2 __asm__("r2") = a2,
                         r3 __asm__("r3") = a3;
    __asm__ volatile(".arch_extension sec\n smc #0"
                     : "+r"(r0)
                     : "r"(r1), "r"(r2), "r"(r3)
                     : "memory");
    return r0;
}

int main(void)
{
    CHECK(1, hvc(VERSION, 0, 0, 0), 0x00010000); /* 1.0 */
    CHECK(2, smc(VERSION, 0, 0, 0), 0x00010000); /* the same firmware on either conduit */

    /* PSCI_FEATURES: 0 for each implemented call (CPU_SUSPEND: original power_state
     * format, platform-coordinated), NOT_SUPPORTED for the rest. */
    static const uint32_t implemented[] = {VERSION,    CPU_SUSPEND,   CPU_OFF,
                                           CPU_ON,     AFFINITY_INFO, MIGRATE_INFO,
                                           SYSTEM_OFF, SYSTEM_RESET,  FEATURES};
    for (unsigned i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++) {
        CHECK(0x100 + i, hvc(FEATURES, implemented[i], 0, 0), 0);
    }
    CHECK(3, hvc(FEATURES, MIGRATE, 0, 0), NOT_SUPPORTED);
    CHECK(4, hvc(FEATURES, SYSTEM_SUSPEND, 0, 0), NOT_SUPPORTED);
    CHECK(5, hvc(FEATURES, SYSTEM_RESET2, 0, 0), NOT_SUPPORTED);
    CHECK(6, hvc(FEATURES, 0xc4000003u, 0, 0), NOT_SUPPORTED); /* SMC64 CPU_ON */
    CHECK(7, hvc(FEATURES, 0x80000000u, 0, 0), NOT_SUPPORTED); /* SMCCC_VERSION */
    CHECK(8, hvc(0xc4000003u, 1, CPU1_ENTRY, 0), NOT_SUPPORTED);
    CHECK(9, hvc(0x8400ffffu, 0, 0, 0), NOT_SUPPORTED);

    CHECK(10, hvc(MIGRATE_INFO, 0, 0, 0), 2); /* no Trusted OS */

    /* AFFINITY_INFO: 0 ON, 1 OFF; levels 0-2; unknown CPUs refused. */
    CHECK(11, hvc(AFFINITY_INFO, 0, 0, 0), 0);
    CHECK(12, hvc(AFFINITY_INFO, 1, 0, 0), 1);
    CHECK(13, hvc(AFFINITY_INFO, 1, 1, 0), 0); /* cluster 0 has CPU 0 on */
    CHECK(14, hvc(AFFINITY_INFO, 7, 0, 0), INVALID_PARAMS);
    CHECK(15, hvc(AFFINITY_INFO, 0, 3, 0), INVALID_PARAMS);
    CHECK(16, hvc(AFFINITY_INFO, 0x100, 1, 0), INVALID_PARAMS); /* no cluster 1 */

    /* CPU_ON: CPU 1 starts (the harness checks where); twice is ALREADY_ON. */
    CHECK(20, hvc(CPU_ON, 0, CPU1_ENTRY, 0), ALREADY_ON);
    CHECK(21, hvc(CPU_ON, 9, CPU1_ENTRY, 0), INVALID_PARAMS);
    CHECK(22, hvc(CPU_ON, 1, CPU1_ENTRY, CPU1_CONTEXT), 0);
    CHECK(23, hvc(AFFINITY_INFO, 1, 0, 0), 0);
    CHECK(24, smc(CPU_ON, 1, CPU1_ENTRY, 0), ALREADY_ON);

    /* CPU_SUSPEND to a standby state returns SUCCESS (an immediate wake-up). */
    CHECK(30, hvc(CPU_SUSPEND, 0, 0, 0), 0);

    /* Registers other than r0 are preserved across a call. */
    register uint32_t r4 __asm__("r4") = 0x44444444;
    __asm__ volatile("" : "+r"(r4));
    CHECK(31, hvc(VERSION, 0, 0, 0), 0x00010000);
    __asm__ volatile("" : "+r"(r4));
    CHECK(32, r4, 0x44444444);
    return finish();
}
