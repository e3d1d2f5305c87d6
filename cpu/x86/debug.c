/*
 * cpu/x86/debug.c: virtual-to-physical translation for debuggers (gdb stub, monitor) from
 * the architectural registers in env: a page-table walk that reads the guest's tables.
 */
#include "cpu/x86/x86.h"
#include "system/memory.h"

#define X86_CR4_PSE  (1ull << 4)
#define X86_CR4_LA57 (1ull << 12)
#define PTE_P        (1ull << 0)
#define PTE_PS       (1ull << 7)
/* Bits 51:12 of a 64-bit entry; bit 63 (XD) and the high software bits are not address. */
#define PTE_ADDR_MASK 0x000ffffffffff000ull

static bool debug_read_entry(CPUState *cpu, uint64_t pa, unsigned size, uint64_t *out)
{
    uint64_t v = 0;
    if (address_space_read(cpu->as, pa, &v, size) != MEMTX_OK) {
        return false;
    }
    *out = v; /* little-endian host and guest: x86 tables read as they are */
    return true;
}

/* 4- or 5-level (long mode) and PAE walks share the entry format; levels is how many
 * tables remain below table (PAE: the page directory and the page table). */
static bool debug_walk_64(CPUState *cpu, uint64_t table, uint64_t vaddr, int levels,
                          uint64_t *paddr)
{
    int shift = 12 + 9 * (levels - 1);
    for (int level = levels; level >= 1; level--, shift -= 9) {
        uint64_t e;
        if (!debug_read_entry(cpu, table + ((vaddr >> shift) & 511) * 8, 8, &e)) {
            return false;
        }
        if (!(e & PTE_P)) {
            return false;
        }
        /* PS in a PDPTE (1 GiB) or PDE (2 MiB) ends the walk early. */
        if ((level == 2 || level == 3) && (e & PTE_PS)) {
            uint64_t page_mask = (1ull << shift) - 1;
            *paddr = (e & PTE_ADDR_MASK & ~page_mask) | (vaddr & page_mask);
            return true;
        }
        table = e & PTE_ADDR_MASK;
    }
    *paddr = table | (vaddr & 0xfff);
    return true;
}

bool x86_cpu_debug_translate(CPUState *cpu, uint64_t vaddr, uint64_t *paddr)
{
    X86Env *env = cpu->env;
    if (!(env->cr0 & X86_CR0_PG)) {
        /* Real or protected mode without paging: linear is physical (segment bases are
         * gdb's business, it passes linear addresses). */
        *paddr = env->cr0 & X86_CR0_PE ? vaddr & 0xffffffffull : vaddr & 0xfffffull;
        return true;
    }
    if (env->efer & X86_EFER_LMA) {
        int levels = env->cr4 & X86_CR4_LA57 ? 5 : 4;
        return debug_walk_64(cpu, env->cr3 & PTE_ADDR_MASK, vaddr, levels, paddr);
    }
    vaddr &= 0xffffffffull;
    if (env->cr4 & X86_CR4_PAE) {
        /* PAE: the four PDPTEs at cr3 (32-byte aligned); a PDPTE has no PS bit. */
        uint64_t pdpte;
        if (!debug_read_entry(cpu, (env->cr3 & 0xffffffe0ull) + (vaddr >> 30) * 8, 8, &pdpte) ||
            !(pdpte & PTE_P)) {
            return false;
        }
        return debug_walk_64(cpu, pdpte & PTE_ADDR_MASK, vaddr & 0x3fffffffull, 2, paddr);
    }
    /* 32-bit paging: 4 KiB pages, or 4 MiB pages with CR4.PSE (PSE-36 high bits ignored). */
    uint64_t pde, pte;
    if (!debug_read_entry(cpu, (env->cr3 & 0xfffff000ull) + (vaddr >> 22) * 4, 4, &pde) ||
        !(pde & PTE_P)) {
        return false;
    }
    if ((pde & PTE_PS) && (env->cr4 & X86_CR4_PSE)) {
        *paddr = (pde & 0xffc00000ull) | (vaddr & 0x3fffffull);
        return true;
    }
    if (!debug_read_entry(cpu, (pde & 0xfffff000ull) + ((vaddr >> 12) & 1023) * 4, 4, &pte) ||
        !(pte & PTE_P)) {
        return false;
    }
    *paddr = (pte & 0xfffff000ull) | (vaddr & 0xfff);
    return true;
}
