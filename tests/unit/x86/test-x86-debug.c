/*
 * tests/unit/x86/test-x86-debug.c: x86_cpu_debug_translate (cpu/x86/debug.c) over page tables
 * written into a RAM region: each paging mode, large pages, missing entries; and
 * cpu_memory_rw_debug reaching it through the x86 model's debug_translate hook; the gdb
 * target description agreeing with the registers the stub sends.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/x86/x86.h"
#include "system/memory.h"

#define P  1ull
#define RW 2ull
#define PS 0x80ull

static MemoryRegion *root, *ram;
static AddressSpace *as;
static uint8_t *mem;
static CPUState cpu;
static X86Env env;

static void setup(void)
{
    root = memory_region_new_container("root", UINT64_MAX);
    as = address_space_new(root, "test");
    ram = memory_region_new_ram("ram", 0x400000);
    memory_region_add_subregion(root, 0, ram);
    mem = memory_region_get_ram_ptr(ram);
    memset(&cpu, 0, sizeof(cpu));
    memset(&env, 0, sizeof(env));
    cpu.env = &env;
    cpu.as = as;
}

static void teardown(void)
{
    address_space_free(as);
    memory_region_free(ram);
    memory_region_free(root);
}

static void put64(uint64_t pa, uint64_t v)
{
    memcpy(mem + pa, &v, 8);
}

static void put32(uint64_t pa, uint32_t v)
{
    memcpy(mem + pa, &v, 4);
}

static void long_mode(uint64_t cr3, bool la57)
{
    env.cr0 = X86_CR0_PE | X86_CR0_PG;
    env.cr4 = X86_CR4_PAE | (la57 ? 1ull << 12 : 0);
    env.efer = X86_EFER_LME | X86_EFER_LMA;
    env.cr3 = cr3;
}

static unsigned idx(uint64_t va, int level)
{
    return (va >> (12 + 9 * (level - 1))) & 511;
}

START_TEST(test_no_paging)
{
    uint64_t pa = 0;
    env.cr0 = X86_CR0_PE;
    ck_assert(x86_cpu_debug_translate(&cpu, 0x123456789abull, &pa));
    ck_assert_uint_eq(pa, 0x456789abull);
    env.cr0 = 0;
    ck_assert(x86_cpu_debug_translate(&cpu, 0x12345ull, &pa));
    ck_assert_uint_eq(pa, 0x12345ull);
}
END_TEST

START_TEST(test_four_level)
{
    const uint64_t va4k = 0x00007f1234567abcull, va2m = 0xffff800000345678ull,
                   va1g = 0x0000004012345678ull;
    uint64_t pa = 0;
    long_mode(0x1000, false);
    /* 4 KiB page, with XD set in the leaf: the address bits only. */
    put64(0x1000 + idx(va4k, 4) * 8, 0x2000 | P | RW);
    put64(0x2000 + idx(va4k, 3) * 8, 0x3000 | P | RW);
    put64(0x3000 + idx(va4k, 2) * 8, 0x4000 | P | RW);
    put64(0x4000 + idx(va4k, 1) * 8, (1ull << 63) | 0x200000 | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va4k, &pa));
    ck_assert_uint_eq(pa, 0x200abcull);
    /* 2 MiB page in the PD. */
    put64(0x1000 + idx(va2m, 4) * 8, 0x5000 | P);
    put64(0x5000 + idx(va2m, 3) * 8, 0x6000 | P);
    put64(0x6000 + idx(va2m, 2) * 8, 0x1e00000 | PS | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va2m, &pa));
    ck_assert_uint_eq(pa, 0x1f45678ull);
    /* 1 GiB page in the PDPT. */
    put64(0x1000 + idx(va1g, 4) * 8, 0x7000 | P);
    put64(0x7000 + idx(va1g, 3) * 8, 0x80000000ull | PS | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va1g, &pa));
    ck_assert_uint_eq(pa, 0x92345678ull);
    /* Missing at each level. */
    ck_assert(!x86_cpu_debug_translate(&cpu, 0x0000100000000000ull, &pa));
    ck_assert(!x86_cpu_debug_translate(&cpu, va4k + 0x1000, &pa));
    ck_assert(!x86_cpu_debug_translate(&cpu, va2m + 0x200000, &pa));
}
END_TEST

START_TEST(test_five_level)
{
    const uint64_t va = 0x01ff7f1234567abcull; /* PML5 index 511, PML4 index 254 */
    uint64_t pa = 0;
    long_mode(0x8000, true);
    put64(0x8000 + ((va >> 48) & 511) * 8, 0x1000 | P);
    put64(0x1000 + idx(va, 4) * 8, 0x2000 | P);
    put64(0x2000 + idx(va, 3) * 8, 0x3000 | P);
    put64(0x3000 + idx(va, 2) * 8, 0x4000 | P);
    put64(0x4000 + idx(va, 1) * 8, 0x9000 | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va, &pa));
    ck_assert_uint_eq(pa, 0x9abcull);
    /* The same tables read as 4-level miss: PML4 at 0x8000 has nothing at that index. */
    env.cr4 &= ~(1ull << 12);
    ck_assert(!x86_cpu_debug_translate(&cpu, va, &pa));
}
END_TEST

START_TEST(test_pae)
{
    const uint64_t va = 0xc0345abcull; /* PDPTE 3, PDE 1, PTE 0x145 */
    uint64_t pa = 0;
    env.cr0 = X86_CR0_PE | X86_CR0_PG;
    env.cr4 = X86_CR4_PAE;
    env.cr3 = 0xa020; /* 32-byte aligned, not page aligned */
    put64(0xa020 + 3 * 8, 0xb000 | P);
    put64(0xb000 + 1 * 8, 0xc000 | P);
    put64(0xc000 + 0x145 * 8, 0x123000 | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va, &pa));
    ck_assert_uint_eq(pa, 0x123abcull);
    put64(0xb000 + 2 * 8, 0x600000 | PS | P); /* 2 MiB */
    ck_assert(x86_cpu_debug_translate(&cpu, 0xc0412345ull, &pa));
    ck_assert_uint_eq(pa, 0x612345ull);
    ck_assert(!x86_cpu_debug_translate(&cpu, 0x00345abcull, &pa)); /* PDPTE 0 absent */
}
END_TEST

START_TEST(test_32bit)
{
    const uint64_t va = 0x80401abcull; /* PDE 0x201, PTE 1 */
    uint64_t pa = 0;
    env.cr0 = X86_CR0_PE | X86_CR0_PG;
    env.cr3 = 0xd000;
    put32(0xd000 + 0x201 * 4, 0xe000 | P);
    put32(0xe000 + 1 * 4, 0x345000 | P);
    ck_assert(x86_cpu_debug_translate(&cpu, va, &pa));
    ck_assert_uint_eq(pa, 0x345abcull);
    /* 4 MiB page only with CR4.PSE. */
    put32(0xd000 + 0x300 * 4, 0x00c00000 | PS | P);
    ck_assert(!x86_cpu_debug_translate(&cpu, 0xc0012345ull, &pa)); /* PS ignored: no PT */
    env.cr4 = 1ull << 4;
    ck_assert(x86_cpu_debug_translate(&cpu, 0xc0012345ull, &pa));
    ck_assert_uint_eq(pa, 0xc12345ull);
}
END_TEST

/* A CPU without a soft TLB (as under KVM): the debugger's memory access goes through the
 * model's hook, page by page, so an access crossing pages lands in both frames. */
START_TEST(test_memory_rw_debug)
{
    const uint64_t va = 0x0000400000000ffcull;
    long_mode(0x1000, false);
    cpu.ops = x86_cpu_models[0]->ops;
    put64(0x1000 + idx(va, 4) * 8, 0x2000 | P | RW);
    put64(0x2000 + idx(va, 3) * 8, 0x3000 | P | RW);
    put64(0x3000 + idx(va, 2) * 8, 0x4000 | P | RW);
    put64(0x4000 + idx(va, 1) * 8, 0x200000 | P | RW);
    put64(0x4000 + (idx(va, 1) + 1) * 8, 0x100000 | P | RW); /* next page, lower frame */
    ck_assert(cpu_memory_rw_debug(&cpu, va, "ABCDEFGH", 8, true));
    ck_assert_mem_eq(mem + 0x200ffc, "ABCD", 4);
    ck_assert_mem_eq(mem + 0x100000, "EFGH", 4);
    char buf[9] = {0};
    memcpy(mem + 0x100002, "xy", 2);
    ck_assert(cpu_memory_rw_debug(&cpu, va, buf, 8, false));
    ck_assert_str_eq(buf, "ABCDEFxy");
    /* The page after is not mapped: the whole access fails. */
    ck_assert(!cpu_memory_rw_debug(&cpu, va + 0x1000, buf, 8, false));
    /* An arch without the hook has no debugger memory on such a CPU. */
    CPUArchOps bare = *cpu.ops;
    bare.debug_translate = NULL;
    cpu.ops = &bare;
    ck_assert(!cpu_memory_rw_debug(&cpu, va, buf, 8, false));
}
END_TEST

/* Walks every <reg> of target.xml, numbered as gdb numbers them (in order; regnum=
 * restarts the count): each has the size the stub reads for that number, and the FPU
 * ones are unavailable exactly when the accelerator has not filled env->fpu. Returns how
 * many registers the description names. */
static int check_xml_registers(const CPUArchOps *ops, const char *xml, bool fpu_valid)
{
    int n = 0, named = 0;
    for (const char *p = strstr(xml, "<reg "); p; p = strstr(p + 1, "<reg ")) {
        const char *end = strchr(p, '>');
        const char *rn = strstr(p, "regnum=\"");
        if (rn && rn < end) {
            n = atoi(rn + 8);
        }
        const char *bs = strstr(p, "bitsize=\"");
        ck_assert(bs && bs < end);
        uint8_t buf[64];
        int size = ops->gdb_read_register(&cpu, buf, n);
        const char *fgrp = strstr(p, "group=\"float\""), *vgrp = strstr(p, "group=\"vector\"");
        bool fpu = !strncmp(p, "<reg name=\"st", 13) || !strncmp(p, "<reg name=\"xmm", 14) ||
                   (fgrp && fgrp < end) || (vgrp && vgrp < end);
        ck_assert_msg(fpu && !fpu_valid ? size < 0 : size > 0, "register %d", n);
        ck_assert_int_eq(abs(size) * 8, atoi(bs + 9));
        n++;
        named++;
    }
    ck_assert_int_eq(n, ops->gdb_num_regs);
    return named;
}

static int gdb_read(int n, void *buf)
{
    return cpu.ops->gdb_read_register(&cpu, buf, n);
}

START_TEST(test_gdb_target_xml)
{
    const CPUArchOps *ops = x86_cpu_models[0]->ops;
    cpu.ops = ops;
    ck_assert_ptr_nonnull(ops->gdb_target_xml);
    ck_assert_ptr_null(ops->gdb_target_xml("other.xml"));
    const char *xml = ops->gdb_target_xml("target.xml");
    ck_assert_ptr_nonnull(strstr(xml, "<architecture>i386:x86-64</architecture>"));
    ck_assert_ptr_nonnull(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
    ck_assert_ptr_nonnull(strstr(xml, "<feature name=\"org.gnu.gdb.i386.sse\">"));
    /* gdb's packet framing characters must not appear unescaped. */
    ck_assert_ptr_null(strpbrk(xml, "$#}*"));
    ck_assert_int_eq(check_xml_registers(ops, xml, false), ops->gdb_num_regs);
    env.fpu.valid = true;
    ck_assert_int_eq(check_xml_registers(ops, xml, true), ops->gdb_num_regs);
    uint8_t buf[16];
    ck_assert_int_eq(gdb_read(ops->gdb_num_regs, buf), 0);
    ck_assert_int_eq(gdb_read(-1, buf), 0);
}
END_TEST

/* Values in gdb's numbering: rbx 1, rip 16, st0 24, fctrl..fop 32-39, gs_base 41,
 * xmm0 42, mxcsr 58. */
START_TEST(test_gdb_register_values)
{
    cpu.ops = x86_cpu_models[0]->ops;
    uint8_t buf[16];
    uint32_t w;
    env.regs[X86_RBX] = 0x1122334455667788ull;
    env.rip = 0xffffffff81000000ull;
    env.seg[X86_SEG_GS].base = 0xabcdull;
    ck_assert_int_eq(gdb_read(1, buf), 8);
    ck_assert_mem_eq(buf, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    ck_assert_int_eq(gdb_read(16, buf), 8);
    ck_assert_mem_eq(buf, "\x00\x00\x00\x81\xff\xff\xff\xff", 8);
    ck_assert_int_eq(gdb_read(41, buf), 8);
    ck_assert_mem_eq(buf, "\xcd\xab\0\0\0\0\0\0", 8);
    /* x87 stack with TOP = 6: ST(0) = 1.0 in physical register 6, ST(1) = +0 in 7; the
     * others empty. Tags: 6 valid (00), 7 zero (01), 0-5 empty (11). */
    X86FpuState *f = &env.fpu;
    f->valid = true;
    f->fcw = 0x37f;
    f->fsw = 6 << 11;
    f->ftw_abridged = 0xc0;
    memcpy(f->st[0], "\0\0\0\0\0\0\0\x80\xff\x3f", 10);
    f->fip = 0x0000123480001000ull;
    f->fdp = 0x00000000c0002000ull;
    f->fop = 0x5d9;
    memcpy(f->xmm[0], "0123456789abcdef", 16);
    f->mxcsr = 0x1f80;
    ck_assert_int_eq(gdb_read(24, buf), 10);
    ck_assert_mem_eq(buf, "\0\0\0\0\0\0\0\x80\xff\x3f", 10);
    static const uint32_t want[8] = {0x37f,      6 << 11, 0x4fff,     0x1234,
                                     0x80001000, 0,       0xc0002000, 0x5d9};
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(gdb_read(32 + i, &w), 4);
        ck_assert_msg(w == want[i], "register %d: %#x", 32 + i, w);
    }
    ck_assert_int_eq(gdb_read(42, buf), 16);
    ck_assert_mem_eq(buf, "0123456789abcdef", 16);
    ck_assert_int_eq(gdb_read(58, &w), 4);
    ck_assert_uint_eq(w, 0x1f80);
    /* NaN/infinity (exponent all ones) and unnormals (no integer bit) are special (10). */
    memcpy(f->st[0], "\0\0\0\0\0\0\0\xc0\xff\x7f", 10);
    memcpy(f->st[1], "\0\0\0\0\0\0\0\x40\xff\x3f", 10);
    ck_assert_int_eq(gdb_read(34, &w), 4);
    ck_assert_uint_eq(w, 0xafff);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("x86-debug");
    TCase *tc = tcase_create("walk");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_no_paging);
    tcase_add_test(tc, test_four_level);
    tcase_add_test(tc, test_five_level);
    tcase_add_test(tc, test_pae);
    tcase_add_test(tc, test_32bit);
    tcase_add_test(tc, test_memory_rw_debug);
    tcase_add_test(tc, test_gdb_target_xml);
    tcase_add_test(tc, test_gdb_register_values);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
