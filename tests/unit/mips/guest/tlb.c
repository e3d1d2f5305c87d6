/* tests/unit/mips/guest/tlb.c: the software-managed TLB: refills handled by crt.S's
 * handler, TLBP/TLBR/TLBWI, invalid and read-only (Modified) pages, ASID matching. */
#include "test.h"

#define EXC_CODE(c) (((c) >> 2) & 0x1f)

static void tlbwi(uint32_t index, uint32_t hi, uint32_t lo0, uint32_t lo1)
{
    MTC0(0, 0, index);
    MTC0(10, 0, hi);
    MTC0(2, 0, lo0);
    MTC0(3, 0, lo1);
    MTC0(5, 0, 0);
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
}

int main(void)
{
    MTC0(6, 0, 2);  /* Wired: entries 0 and 1 stay ours */
    MTC0(10, 0, 0); /* ASID 0 */
    refill_pa = 0x00200000;
    volatile uint32_t *va = (volatile uint32_t *)0x00400000;
    volatile uint32_t *pa = (volatile uint32_t *)0x80200000;
    pa[0] = 0x11111111;
    pa[1024] = 0x22222222; /* odd page of the pair */
    CHECK_EQ(1, va[0], 0x11111111);
    CHECK_EQ(2, refill_count, 1);
    CHECK_EQ(3, va[1024], 0x22222222);
    CHECK_EQ(4, refill_count, 1);
    va[1] = 0xabcdef01;
    CHECK_EQ(5, pa[1], 0xabcdef01);
    /* A second pair: another refill, at +8 KiB */
    volatile uint32_t *va2 = (volatile uint32_t *)0x00402000;
    va2[0] = 0x5a5a5a5a;
    CHECK_EQ(6, pa[2048], 0x5a5a5a5a);
    CHECK_EQ(7, refill_count, 2);
    CHECK_EQ(8, exc_count, 0);

    /* TLBP finds the entry, TLBR reads it back */
    MTC0(10, 0, 0x00400000);
    __asm__ volatile("tlbp\n\tehb");
    uint32_t idx = MFC0(0, 0);
    CHECK(9, !(idx & 0x80000000u));
    CHECK(10, idx >= 2 && idx < 16);
    MTC0(2, 0, 0);
    __asm__ volatile("tlbr\n\tehb");
    CHECK_EQ(11, MFC0(2, 0), ((0x00200000 >> 12) << 6) | 0x1e);
    CHECK_EQ(12, MFC0(10, 0), 0x00400000);
    MTC0(10, 0, 0x00800000);
    __asm__ volatile("tlbp\n\tehb");
    CHECK(13, MFC0(0, 0) & 0x80000000u);

    /* Invalid entry: TLBL through the general vector, not a refill */
    refill_pa = 0;
    tlbwi(0, 0x00800000, 0, 0);
    uint32_t before = refill_count;
    exc_count = 0;
    volatile uint32_t *inv = (volatile uint32_t *)0x00800004;
    uint32_t v = inv[0];
    (void)v;
    CHECK_EQ(14, exc_count, 1);
    CHECK_EQ(15, EXC_CODE(exc_cause), 2);
    CHECK_EQ(16, exc_badvaddr, 0x00800004);
    CHECK_EQ(17, refill_count, before);
    CHECK_EQ(18, MFC0(10, 0) & ~0xffu, 0x00800000); /* EntryHi.VPN2 of the fault */

    /* Read-only page (D = 0): loads work, stores raise Modified */
    pa[4096] = 0x77;
    tlbwi(1, 0x00c00000, ((0x00204000 >> 12) << 6) | 0x1a | 1, 1);
    volatile uint32_t *ro = (volatile uint32_t *)0x00c00000;
    CHECK_EQ(19, ro[0], 0x77);
    exc_count = 0;
    ro[0] = 0x99;
    CHECK_EQ(20, exc_count, 1);
    CHECK_EQ(21, EXC_CODE(exc_cause), 1);
    CHECK_EQ(22, pa[4096], 0x77);
    /* Make it writable: the soft-MMU must forget the old permission */
    tlbwi(1, 0x00c00000, ((0x00204000 >> 12) << 6) | 0x1e | 1, 1);
    ro[0] = 0x99;
    CHECK_EQ(23, pa[4096], 0x99);

    /* ASIDs: a non-global entry for ASID 5 does not match under ASID 6 */
    MTC0(10, 0, 5);
    tlbwi(0, 0x01000000 | 5, ((0x00206000 >> 12) << 6) | 0x1e, 0);
    pa[6144] = 0x600d;
    volatile uint32_t *as = (volatile uint32_t *)0x01000000;
    CHECK_EQ(24, as[0], 0x600d);
    MTC0(10, 0, 6);
    before = refill_count;
    exc_count = 0;
    v = as[0];
    CHECK_EQ(25, refill_count, before + 1);
    CHECK_EQ(26, EXC_CODE(exc_cause), 2);
    MTC0(10, 0, 5);
    CHECK_EQ(27, as[0], 0x600d);
    /* 16 KiB pages (PageMask 0x6000): even page at 0x02000000, odd at 0x02004000 */
    MTC0(10, 0, 0);
    MTC0(0, 0, 1);
    MTC0(10, 0, 0x02000000);
    MTC0(2, 0, ((0x00210000 >> 12) << 6) | 0x1f);
    MTC0(3, 0, ((0x00218000 >> 12) << 6) | 0x1f);
    MTC0(5, 0, 0x6000);
    __asm__ volatile("tlbwi\n\tehb" ::: "memory");
    MTC0(5, 0, 0);
    *(volatile uint32_t *)0x80213ffc = 0x16161616;
    *(volatile uint32_t *)0x80218010 = 0x32323232;
    CHECK_EQ(29, *(volatile uint32_t *)0x02003ffc, 0x16161616);
    CHECK_EQ(30, *(volatile uint32_t *)0x02004010, 0x32323232);
    MTC0(10, 0, 0x02004000);
    __asm__ volatile("tlbp\n\tehb");
    CHECK_EQ(31, MFC0(0, 0), 1);
    __asm__ volatile("tlbr\n\tehb");
    CHECK_EQ(32, MFC0(5, 0), 0x6000);
    MTC0(10, 0, 5);
    /* A branch at the end of a page whose delay slot is on an invalid page: the fetch
     * fault belongs to the slot (EPC = branch, BD set, BadVAddr = slot). */
    tlbwi(0, 0x03000000, ((0x00220000 >> 12) << 6) | 0x1f, 1);
    *(volatile uint32_t *)0x80220ffc = 0x10000000; /* b .+4 */
    exc_count = 0;
    uint32_t back;
    __asm__ volatile(".set noreorder\n\t"
                     "la %0, 1f\n\t"
                     "sw %0, 0(%1)\n\t"
                     "li $t0, 0x03000ffc\n\t"
                     "jr $t0\n\t"
                     "nop\n"
                     "1:\n\t"
                     ".set reorder"
                     : "=&r"(back)
                     : "r"(&exc_resume)
                     : "t0", "memory");
    CHECK_EQ(33, exc_count, 1);
    CHECK_EQ(34, EXC_CODE(exc_cause), 2);
    CHECK_EQ(35, exc_cause >> 31, 1);
    CHECK_EQ(36, exc_epc, 0x03000ffc);
    CHECK_EQ(37, exc_badvaddr, 0x03001000);
    /* Evicted entries must not outlive the guest's invalidation. Map A (0x00400000), evict
     * it with refills of 20 other pairs, move the backing memory, invalidate, read A. */
    MTC0(10, 0, 0);
    MTC0(6, 0, 0);
    refill_pa = 0x00300000;
    *(volatile uint32_t *)0x80300000 = 0xaaaa0001;
    *(volatile uint32_t *)0x80380000 = 0xbbbb0002;
    volatile uint32_t *a = (volatile uint32_t *)0x00400000;
    for (uint32_t i = 0; i < 16; i++) {
        tlbwi(i, 0x80000000u + (i << 13), 0, 0); /* forget the mappings made above */
    }
    MTC0(10, 0, 0);
    CHECK_EQ(38, a[0], 0xaaaa0001);
    for (uint32_t i = 1; i <= 20; i++) {
        (void)*(volatile uint32_t *)(0x00400000 + i * 0x2000);
    }
    refill_pa = 0x00380000; /* "the page table changed" */
    /* 1: TLBP misses (A was evicted): the lookup itself must drop the old translation. */
    MTC0(10, 0, 0x00400000);
    __asm__ volatile("tlbp\n\tehb");
    CHECK(39, MFC0(0, 0) & 0x80000000u);
    MTC0(10, 0, 0);
    CHECK_EQ(40, a[0], 0xbbbb0002);
    /* 2: invalidate everything by index with unmatchable kseg0 entries (flush_tlb_all). */
    for (uint32_t i = 1; i <= 20; i++) {
        (void)*(volatile uint32_t *)(0x00400000 + i * 0x2000);
    }
    refill_pa = 0x00300000;
    for (uint32_t i = 0; i < 16; i++) {
        tlbwi(i, 0x80000000u + (i << 13), 0, 0);
    }
    MTC0(10, 0, 0);
    CHECK_EQ(41, a[0], 0xaaaa0001);
    /* Unmapped segments ignore the TLB */
    CHECK_EQ(28, *(volatile uint32_t *)0xa0200000, 0x11111111);
    return done("tlb");
}
