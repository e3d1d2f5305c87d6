/* tests/unit/arm/guest/smp.c: two CPUs increment one counter with LDREX/STREX and a
 * second one under a ticket-free spinlock; CPU 0 waits for CPU 1 and checks both totals. */
#include "test.h"

#define N 200000

static volatile uint32_t counter, locked_counter, lock, done;

static void atomic_inc(volatile uint32_t *p)
{
    uint32_t v, fail;
    do {
        __asm__ volatile("ldrex %0, [%2]\n add %0, %0, #1\n strex %1, %0, [%2]"
                         : "=&r"(v), "=&r"(fail)
                         : "r"(p)
                         : "memory");
    } while (fail);
}

static void spin_lock(volatile uint32_t *l)
{
    uint32_t v, fail;
    do {
        __asm__ volatile("ldrex %0, [%2]\n cmp %0, #0\n strexeq %1, %3, [%2]\n movne %1, #1"
                         : "=&r"(v), "=&r"(fail)
                         : "r"(l), "r"(1)
                         : "memory", "cc");
    } while (fail);
    __asm__ volatile("dmb" ::: "memory");
}

static void spin_unlock(volatile uint32_t *l)
{
    __asm__ volatile("dmb" ::: "memory");
    *l = 0; /* a plain store, racing with the other CPU's LDREX/STREX */
}

static void work(void)
{
    for (int i = 0; i < N; i++) {
        atomic_inc(&counter);
        spin_lock(&lock);
        locked_counter = locked_counter + 1;
        spin_unlock(&lock);
    }
}

void secondary_main(void);
void secondary_main(void)
{
    work();
    atomic_inc(&done);
}

int main(void)
{
    work();
    while (done == 0) {
    }
    CHECK(1, counter, 2 * N);
    CHECK(2, locked_counter, 2 * N);
    return finish();
}
