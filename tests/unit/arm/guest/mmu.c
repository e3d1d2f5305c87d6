/* tests/unit/arm/guest/mmu.c: the MMU with short descriptors: sections, a small-page
 * table, domains, AP permissions, XN, translation faults with DFSR/DFAR, TLBIMVA after a
 * page table change, then the same with LPAE long descriptors. */
#include "test.h"

static uint32_t l1[4096] __attribute__((aligned(16384)));
static uint32_t l2[256] __attribute__((aligned(1024)));
static uint64_t lpae_l1[4] __attribute__((aligned(32)));
static uint64_t lpae_l2[512] __attribute__((aligned(4096)));
static uint64_t lpae_l3[512] __attribute__((aligned(4096)));
static volatile uint32_t page_a[1024] __attribute__((aligned(4096)));
static volatile uint32_t page_b[1024] __attribute__((aligned(4096)));

static void tlbiall(void)
{
    __asm__ volatile("mcr p15, 0, %0, c8, c7, 0\n dsb\n isb" : : "r"(0) : "memory");
}

int main(void)
{
    uint32_t r;
    /* Identity sections for RAM (1 MiB each, AP=011 full access, domain 0) and the test
     * device; 0x80000000 is a small-page window. */
    for (uint32_t i = 0; i < 4096; i++) {
        l1[i] = 0;
    }
    l1[0x0a0] = 0x0a000000u | (3u << 10) | 2;
    for (uint32_t mb = 0x400; mb < 0x410; mb++) {
        l1[mb] = (mb << 20) | (3u << 10) | 2;
    }
    l1[0x800] = (uint32_t)l2 | 1;                             /* page table, domain 0 */
    l2[0] = ((uint32_t)page_a & 0xfffff000u) | (3u << 4) | 2; /* RW */
    l2[1] = ((uint32_t)page_b & 0xfffff000u) | (2u << 4) | 2; /* AP=010: PL1 RW, PL0 RO */
    l2[2] = ((uint32_t)page_b & 0xfffff000u) | (1u << 9) | (1u << 4) | 2; /* APX: PL1 RO */
    /* A section in domain 1 (set to no access below). */
    l1[0x900] = 0x40000000u | (1u << 5) | (3u << 10) | 2;
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 0" : : "r"(l1));  /* TTBR0 */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" : : "r"(0));   /* TTBCR */
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0" : : "r"(0x1)); /* DACR: d0 client */
    uint32_t sctlr;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr | 1));
    out_str("mmu on\n");
    page_a[3] = 0xcafe;
    CHECK(1, *(volatile uint32_t *)0x8000000cu, 0xcafe);
    *(volatile uint32_t *)0x80000010u = 0xbeef;
    CHECK(2, page_a[4], 0xbeef);
    page_b[0] = 77;
    CHECK(3, *(volatile uint32_t *)0x80001000u, 77);
    /* Translation fault on an unmapped page: DFSR 0b00111 (page), DFAR. */
    exc_kind = 0;
    r = *(volatile uint32_t *)0x80003004u;
    CHECK(4, exc_kind, 4);
    CHECK(5, exc_fsr & 0x40f, 0x7);
    CHECK(6, exc_far, 0x80003004u);
    /* Section translation fault. */
    r = *(volatile uint32_t *)0x30000000u;
    CHECK(7, exc_fsr & 0x40f, 0x5);
    /* Permission fault: write to the read-only page (APX=1). */
    exc_kind = 0;
    *(volatile uint32_t *)0x80002000u = 1;
    CHECK(8, exc_kind, 4);
    CHECK(9, exc_fsr & 0x40f, 0xf);
    CHECK(10, (exc_fsr >> 11) & 1, 1);
    CHECK(11, *(volatile uint32_t *)0x80002000u, 77); /* reads are fine */
    /* Domain fault (domain 1 is no access), then manager access. */
    exc_kind = 0;
    r = *(volatile uint32_t *)0x90000000u;
    CHECK(12, exc_kind, 4);
    CHECK(13, exc_fsr & 0x40f, 0x9);
    CHECK(14, (exc_fsr >> 4) & 0xf, 1);
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n isb" : : "r"(0xd)); /* d1 manager */
    exc_kind = 0;
    r = *(volatile uint32_t *)0x90000000u;
    CHECK(15, exc_kind, 0);
    CHECK(16, r, *(volatile uint32_t *)0x40000000u);
    /* DACR changes that give access need no TLB flush, those that take it away do: the
     * read-only page (APX) is writable while domain 0 is manager, and read-only again once
     * it is client, with the entry filled under manager still cached before the change. */
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n isb" : : "r"(0xf)); /* d0, d1 manager */
    exc_kind = 0;
    *(volatile uint32_t *)0x80002000u = 5;
    CHECK(50, exc_kind, 0);
    CHECK(51, page_b[0], 5);
    __asm__ volatile("mcr p15, 0, %0, c3, c0, 0\n isb" : : "r"(0xd)); /* d0 client again */
    *(volatile uint32_t *)0x80002000u = 6;
    CHECK(52, exc_kind, 4);
    CHECK(53, exc_fsr & 0x40f, 0xf);
    CHECK(54, page_b[0], 5);
    page_b[0] = 77;
    /* Remap a page and invalidate it by MVA. */
    l2[0] = ((uint32_t)page_b & 0xfffff000u) | (3u << 4) | 2;
    __asm__ volatile("dsb\n mcr p15, 0, %0, c8, c7, 1\n dsb\n isb" : : "r"(0x80000000u));
    CHECK(17, *(volatile uint32_t *)0x80000000u, 77);
    /* ATS1CPR: address translation through CP15. */
    __asm__ volatile("mcr p15, 0, %1, c7, c8, 0\n isb\n mrc p15, 0, %0, c7, c4, 0"
                     : "=r"(r)
                     : "r"(0x80001234u));
    CHECK(18, r & 0xfffff001u, (uint32_t)page_b & 0xfffff000u);
    /* XN on an executable page: prefetch abort with IFSR = permission (page). */
    l2[3] = ((uint32_t)page_a & 0xfffff000u) | (3u << 4) | 2 | 1; /* XN */
    page_a[0] = 0xe12fff1e;                                       /* bx lr */
    tlbiall();
    exc_kind = 0;
    __asm__ volatile("adr r0, 1f\n" SET_T "ldr r1, =exc_resume\n str r0, [r1]\n"
                     "ldr r0, =0x80003000\n blx r0\n1:"
                     :
                     :
                     : "r0", "r1", "lr", "memory");
    CHECK(19, exc_kind, 3);
    CHECK(20, exc_fsr & 0x40f, 0xf);
    CHECK(21, exc_far, 0x80003000u);
    /* MMU off, then LPAE: first level 1 GiB blocks, 0x80000000 through a level-3 page. */
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr & ~1u));
    lpae_l1[0] = 0x00000000ull | (1u << 10) | (1u << 6) | 1; /* 0-1G: block, AF, AP=01 */
    lpae_l1[1] = 0x40000000ull | (1u << 10) | (1u << 6) | 1;
    lpae_l1[2] = (uint32_t)lpae_l2 | 3;
    lpae_l1[3] = 0;
    for (int i = 0; i < 512; i++) {
        lpae_l2[i] = 0;
        lpae_l3[i] = 0;
    }
    lpae_l2[0] = (uint32_t)lpae_l3 | 3;
    lpae_l3[0] = ((uint32_t)page_a & 0xfffff000u) | (1u << 10) | (1u << 6) | 3;
    lpae_l3[1] = ((uint32_t)page_b & 0xfffff000u) | (1u << 10) | (3u << 6) | 3; /* RO */
    lpae_l3[2] = ((uint32_t)page_b & 0xfffff000u) | (1u << 6) | 3;              /* AF=0 */
    __asm__ volatile("mcrr p15, 0, %0, %1, c2" : : "r"(lpae_l1), "r"(0));       /* TTBR0 */
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" : : "r"(0x80000000u));         /* TTBCR.EAE */
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr | 1));
    tlbiall();
    page_a[5] = 0x5555;
    CHECK(22, *(volatile uint32_t *)0x80000014u, 0x5555);
    CHECK(23, *(volatile uint32_t *)0x80001000u, 77);
    exc_kind = 0;
    *(volatile uint32_t *)0x80001000u = 1;
    CHECK(24, exc_kind, 4);
    CHECK(25, exc_fsr & 0x23f, 0x20f); /* LPAE format, permission fault level 3 */
    r = *(volatile uint32_t *)0x80002000u;
    CHECK(26, exc_fsr & 0x23f, 0x20b); /* access flag fault level 3 */
    r = *(volatile uint32_t *)0xc0000000u;
    CHECK(27, exc_fsr & 0x23f, 0x205); /* translation fault level 1 */
    CHECK(28, exc_far, 0xc0000000u);
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n isb" : : "r"(sctlr));
    __asm__ volatile("mcr p15, 0, %0, c2, c0, 2" : : "r"(0));
    (void)r;
    return finish();
}
