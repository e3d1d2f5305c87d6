/* tests/unit/armvirt/guest/srsrfe.c: SRS and RFE (both address modes, writeback) in SVC
 * mode, built as A32 and as T32: SRS stores LR and SPSR on the SVC stack, RFE returns
 * through such a record to a label with the CPSR it holds. */
#include "test.h"

/* res: sp moved by SRS, the stored LR, the stored SPSR, CPSR after RFE, sp after RFE
 * minus sp before SRS. The T bit (set in the Thumb build's SPSR) reads as zero through
 * MRS; landing on the label's Thumb code shows it took effect. */
#define SRS_RFE(srs, rfe, res)                                                      \
    __asm__ volatile("push {r4-r11}\n"                                              \
                     "mov r11, lr\n"                                                \
                     "mrs r4, cpsr\n"                                               \
                     "bic r5, r4, #0xf0000000\n"                                    \
                     "orr r5, r5, #0x10000000\n" /* V */                            \
                     SET_T_R5 "msr spsr_fsxc, r5\n"                                 \
                     "sub sp, sp, #16\n" /* SRSIA writes above sp */ "mov r6, sp\n" \
                     "adr r7, 1f\n"                                                 \
                     "mov lr, r7\n" srs "\n"                                        \
                     "mov r9, sp\n"                                                 \
                     "sub r8, r6, r9\n"                                             \
                     "str r8, [%0]\n"                                               \
                     "ldr r8, [sp, #" SRS_OFF "]\n"                                 \
                     "str r8, [%0, #4]\n"                                           \
                     "ldr r8, [sp, #" SRS_OFF "+4]\n"                               \
                     "str r8, [%0, #8]\n" rfe "\n"                                  \
                     "udf #0\n"                                                     \
                     ".balign 4\n"                                                  \
                     "1: mrs r8, cpsr\n"                                            \
                     "str r8, [%0, #12]\n"                                          \
                     "sub r8, sp, r6\n"                                             \
                     "str r8, [%0, #16]\n"                                          \
                     "msr cpsr_f, r4\n"                                             \
                     "add sp, sp, #16\n"                                            \
                     "mov lr, r11\n"                                                \
                     "pop {r4-r11}\n"                                               \
                     :                                                              \
                     : "r"(res)                                                     \
                     : "memory", "cc")

#ifdef __thumb__
#define SET_T_R5 "orr r5, r5, #0x20\n"
#else
#define SET_T_R5 ""
#endif

int main(void)
{
    static uint32_t res[5];
    uint32_t cpsr = get_cpsr();
    uint32_t want_spsr = (cpsr & 0x0fffffff) | 0x10000000;
#ifdef __thumb__
    want_spsr |= 0x20;
#endif

#define SRS_OFF "0"
    SRS_RFE("srsdb sp!, #0x13", "rfeia sp!", res);
    CHECK(1, res[0], 8);
    CHECK(2, res[1] & ~1u, res[1] & ~1u); /* the label, checked by reaching it */
    CHECK(3, res[2], want_spsr);
    CHECK(4, res[3] & 0xf00001df, want_spsr & 0xf00001df);
    CHECK(5, res[4], 0);
#undef SRS_OFF

#define SRS_OFF "-8"
    for (int i = 0; i < 5; i++) {
        res[i] = 0xdead;
    }
    SRS_RFE("srsia sp!, #0x13", "rfedb sp!", res);
    CHECK(11, res[0], (uint32_t)-8);
    CHECK(13, res[2], want_spsr);
    CHECK(14, res[3] & 0xf00001df, want_spsr & 0xf00001df);
    CHECK(15, res[4], 0);
#undef SRS_OFF
    return finish();
}
