/* tests/unit/mips/guest/branch.c: branches and jumps with their delay slots, the
 * branch-likely forms (slot nullified when not taken), links, and JR/JALR. */
#include "test.h"

/* Runs a two-way branch: r = 1 if taken, slot counts executions of the delay slot. */
#define BR2(insn, a, b, taken, slot)                       \
    __asm__ volatile(".set noreorder\n\t"                  \
                     "li %0, 0\n\t" insn " %2, %3, 1f\n\t" \
                     "addiu %1, %1, 1\n\t"                 \
                     "b 2f\n\tnop\n"                       \
                     "1: li %0, 1\n"                       \
                     "2:\n\t.set reorder"                  \
                     : "=&r"(taken), "+r"(slot)            \
                     : "r"(hide(a)), "r"(hide(b)))
#define BR1(insn, a, taken, slot)                      \
    __asm__ volatile(".set noreorder\n\t"              \
                     "li %0, 0\n\t" insn " %2, 1f\n\t" \
                     "addiu %1, %1, 1\n\t"             \
                     "b 2f\n\tnop\n"                   \
                     "1: li %0, 1\n"                   \
                     "2:\n\t.set reorder"              \
                     : "=&r"(taken), "+r"(slot)        \
                     : "r"(hide(a)))

static uint32_t callee(uint32_t x)
{
    return x * 3;
}

int main(void)
{
    uint32_t t, s;
    int n = 1;
#define T2(insn, a, b, want_taken, want_slot) \
    s = 0;                                    \
    BR2(insn, a, b, t, s);                    \
    CHECK_EQ(n, t, want_taken);               \
    CHECK_EQ(n + 100, s, want_slot);          \
    n++;
#define T1(insn, a, want_taken, want_slot) \
    s = 0;                                 \
    BR1(insn, a, t, s);                    \
    CHECK_EQ(n, t, want_taken);            \
    CHECK_EQ(n + 100, s, want_slot);       \
    n++;
    T2("beq", 5, 5, 1, 1);
    T2("beq", 5, 6, 0, 1);
    T2("bne", 5, 6, 1, 1);
    T2("bne", 5, 5, 0, 1);
    T2("beql", 5, 5, 1, 1);
    T2("beql", 5, 6, 0, 0); /* likely, not taken: slot nullified */
    T2("bnel", 5, 6, 1, 1);
    T2("bnel", 5, 5, 0, 0);
    T1("blez", 0, 1, 1);
    T1("blez", 1, 0, 1);
    T1("bgtz", 1, 1, 1);
    T1("bgtz", 0x80000000, 0, 1);
    T1("bltz", 0x80000000, 1, 1);
    T1("bltz", 0, 0, 1);
    T1("bgez", 0, 1, 1);
    T1("bgez", 0xffffffff, 0, 1);
    T1("blezl", 1, 0, 0);
    T1("bgtzl", 2, 1, 1);
    T1("bltzl", 3, 0, 0);
    T1("bgezl", 3, 1, 1);

    /* The delay slot runs before the target, and sees the branch's link. */
    uint32_t ra_seen, r;
    __asm__ volatile(".set noreorder\n\t"
                     "move $t0, $ra\n\t"
                     "bal 1f\n\t"
                     "move %0, $ra\n\t"
                     "1: move $ra, $t0\n\t"
                     "la %1, 1b\n\t"
                     ".set reorder"
                     : "=&r"(ra_seen), "=&r"(r)
                     :
                     : "t0");
    CHECK_EQ(40, ra_seen, r); /* $ra = address after the slot = label 1 */

    /* bltzal not taken still links */
    __asm__ volatile(".set noreorder\n\t"
                     "move $t0, $ra\n\t"
                     "li $t1, 5\n\t"
                     "bltzal $t1, 1f\n\t"
                     "nop\n\t"
                     "1: move %0, $ra\n\t"
                     "move $ra, $t0\n\t"
                     "la %1, 1b\n\t"
                     ".set reorder"
                     : "=&r"(ra_seen), "=&r"(r)
                     :
                     : "t0", "t1");
    CHECK_EQ(41, ra_seen, r);

    /* JALR through a register, delay slot modifies the argument */
    uint32_t (*volatile fp)(uint32_t) = callee;
    uint32_t res;
    __asm__ volatile(".set noreorder\n\t"
                     "li $a0, 1\n\t"
                     "jalr %1\n\t"
                     "li $a0, 7\n\t"
                     "move %0, $v0\n\t"
                     ".set reorder"
                     : "=r"(res)
                     : "r"(fp)
                     : "a0", "v0", "v1", "ra", "memory");
    CHECK_EQ(42, res, 21);

    /* A jump to a far target inside a loop: counting loop with a delay slot increment */
    uint32_t cnt = 0, sum = 0;
    __asm__ volatile(".set noreorder\n\t"
                     "li $t0, 100\n"
                     "1: addiu $t0, $t0, -1\n\t"
                     "bnez $t0, 1b\n\t"
                     "addiu %0, %0, 1\n\t"
                     ".set reorder"
                     : "+r"(cnt)
                     :
                     : "t0");
    CHECK_EQ(43, cnt, 100);
    /* The delay slot changes the compared register: the branch uses the old value. */
    uint32_t tk;
    __asm__ volatile(".set noreorder\n\t"
                     "li $t0, 5\n\t"
                     "li $t1, 5\n\t"
                     "li %0, 0\n\t"
                     "beq $t0, $t1, 1f\n\t"
                     "addiu $t0, $t0, 1\n\t"
                     "b 2f\n\t"
                     "nop\n"
                     "1: li %0, 1\n"
                     "2: addu %0, %0, $t0\n\t"
                     ".set reorder"
                     : "=&r"(tk)
                     :
                     : "t0", "t1");
    CHECK_EQ(45, tk, 7); /* taken (1) + t0 (6) */
    __asm__ volatile(".set noreorder\n\t"
                     "li $t0, 0\n\t"
                     "li %0, 0\n\t"
                     "bnez $t0, 1f\n\t"
                     "lui $t0, 1\n\t"
                     "li %0, 2\n"
                     "1:\n\t"
                     ".set reorder"
                     : "=&r"(tk)
                     :
                     : "t0");
    CHECK_EQ(46, tk, 2); /* not taken: the slot's write came after the test */
    for (int i = 0; i < 50; i++) {
        sum += callee((uint32_t)i);
    }
    CHECK_EQ(44, sum, 3 * 1225);
    return done("branch");
}
