/*
 * tests/unit/armfp/guest/neon.c: bare-metal Advanced SIMD checks: integer, saturating
 * (FPSCR.QC), shift, narrowing/widening, permutes, table lookups, float forms under the
 * standard FPSCR value, and VLDn/VSTn element/structure layouts with writeback.
 */
#include "tests/unit/arm/guest/test.h"

#define CHECK64(n, got, want)                                                \
    do {                                                                     \
        uint64_t g64_ = (got), w64_ = (want);                                \
        CHECK(n, (uint32_t)g64_, (uint32_t)w64_);                            \
        CHECK((n) + 0x8000, (uint32_t)(g64_ >> 32), (uint32_t)(w64_ >> 32)); \
    } while (0)

static inline void set_fpscr(uint32_t v)
{
    __asm__ volatile("vmsr fpscr, %0" ::"r"(v));
}

static inline uint32_t get_fpscr(void)
{
    uint32_t v;
    __asm__ volatile("vmrs %0, fpscr" : "=r"(v));
    return v;
}

#define D3(name, text)                                                                          \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t acc)                                  \
    {                                                                                           \
        uint64_t r;                                                                             \
        __asm__ volatile("vmov d0, %Q1, %R1\n\tvmov d1, %Q2, %R2\n\tvmov d2, %Q3, %R3\n\t" text \
                         "\n\tvmov %Q0, %R0, d2"                                                \
                         : "=&r"(r)                                                             \
                         : "r"(a), "r"(b), "r"(acc)                                             \
                         : "d0", "d1", "d2", "d3", "memory");                                   \
        return r;                                                                               \
    }

D3(vadd8, "vadd.i8 d2, d0, d1")
D3(vadd64, "vadd.i64 d2, d0, d1")
D3(vadd16, "vadd.i16 d2, d0, d1")
D3(vsub8, "vsub.i8 d2, d0, d1")
D3(vsub32, "vsub.i32 d2, d0, d1")
D3(vorn_, "vorn d2, d0, d1")
D3(vbic_, "vbic d2, d0, d1")
D3(vsub16, "vsub.i16 d2, d0, d1")
D3(vqadd_s8, "vqadd.s8 d2, d0, d1")
D3(vqsub_u8, "vqsub.u8 d2, d0, d1")
D3(vhadd_u8, "vhadd.u8 d2, d0, d1")
D3(vmul16, "vmul.i16 d2, d0, d1")
D3(vmla32, "vmla.i32 d2, d0, d1")
D3(vmax_s8, "vmax.s8 d2, d0, d1")
D3(vmin_u8, "vmin.u8 d2, d0, d1")
D3(vabd_s16, "vabd.s16 d2, d0, d1")
D3(vceq8, "vceq.i8 d2, d0, d1")
D3(vcgt_s8, "vcgt.s8 d2, d0, d1")
D3(vtst8, "vtst.8 d2, d0, d1")
D3(vpadd16, "vpadd.i16 d2, d0, d1")
D3(vshl_s8, "vshl.s8 d2, d0, d1")
D3(vqdmulh16, "vqdmulh.s16 d2, d0, d1")
D3(vand_, "vand d2, d0, d1")
D3(vbsl_, "vbsl d2, d0, d1")
D3(veor_, "veor d2, d0, d1")
D3(vmulp8, "vmul.p8 d2, d0, d1")
D3(vext3, "vext.8 d2, d0, d1, #3")
D3(vtbl2, "vtbl.8 d2, {d0, d1}, d2")
D3(vtbx1, "vtbx.8 d2, {d0}, d1")
D3(vshr_u8, "vshr.u8 d2, d0, #3")
D3(vsra_s16, "vsra.s16 d2, d0, #4")
D3(vrshr_u8, "vrshr.u8 d2, d0, #2")
D3(vshl_i32, "vshl.i32 d2, d0, #4")
D3(vsli_8, "vsli.8 d2, d0, #4")
D3(vsri_8, "vsri.8 d2, d0, #4")
D3(vqshl_u8, "vqshl.u8 d2, d0, #2")
D3(vqshrn, "vmov d3, d1\n\tvqshrn.s32 d2, q0, #8")
D3(vshrn, "vshrn.i32 d2, q0, #16")
D3(vmovn, "vmovn.i32 d2, q0")
D3(vqmovn_s16, "vqmovn.s16 d2, q0")
D3(vqmovun, "vqmovun.s16 d2, q0")
D3(vmovl_lo, "vmovl.s8 q1, d0")
D3(vmovl_hi, "vmovl.s8 q1, d0\n\tvmov d2, d3")
D3(vrev64_16, "vrev64.16 d2, d0")
D3(vrev32_8, "vrev32.8 d2, d0")
D3(vcnt8, "vcnt.8 d2, d0")
D3(vclz16, "vclz.i16 d2, d0")
D3(vmvn_, "vmvn d2, d0")
D3(vabs8, "vabs.s8 d2, d0")
D3(vqneg8, "vqneg.s8 d2, d0")
D3(vcgt0, "vcgt.s16 d2, d0, #0")
D3(vzip_a, "vzip.8 d0, d1\n\tvmov d2, d0")
D3(vzip_b, "vzip.8 d0, d1\n\tvmov d2, d1")
D3(vuzp_a, "vuzp.16 d0, d1\n\tvmov d2, d0")
D3(vtrn_b, "vtrn.32 d0, d1\n\tvmov d2, d1")
D3(vdup_s, "vdup.16 d2, d0[2]")
D3(vmov_imm1, "vmov.i32 d2, #0x00ab0000")
D3(vmov_imm2, "vmvn.i16 d2, #0x12")
D3(vmov_imm3, "vmov.i64 d2, #0xff00ff0000ff00ff")
D3(vorr_imm, "vorr.i32 d2, #0x5500")
D3(vbic_imm, "vbic.i16 d2, #0xff")
D3(vmov_f, "vmov.f32 d2, #-1.5")
D3(fadd, "vadd.f32 d2, d0, d1")
D3(fmul, "vmul.f32 d2, d0, d1")
D3(fmla, "vmla.f32 d2, d0, d1")
D3(fcgt, "vcgt.f32 d2, d0, d1")
D3(fmax, "vmax.f32 d2, d0, d1")
D3(fpadd, "vpadd.f32 d2, d0, d1")
D3(fabd, "vabd.f32 d2, d0, d1")
D3(frecps, "vrecps.f32 d2, d0, d1")
D3(fcvt_s, "vcvt.s32.f32 d2, d0")
D3(fcvt_f, "vcvt.f32.u32 d2, d0")
D3(vfma_, "vfma.f32 d2, d0, d1")
D3(frecpe, "vrecpe.f32 d2, d0")
D3(vcvt_f16, "vcvt.f16.f32 d2, q0")
D3(vcvt_f32_hi, "vcvt.f32.f16 q1, d0\n\tvmov d2, d3")
D3(frsqrte, "vrsqrte.f32 d2, d0")
D3(urecpe, "vrecpe.u32 d2, d0")
D3(vpaddl_s8, "vpaddl.s8 d2, d0")
D3(vpadal_u16, "vpadal.u16 d2, d0")
D3(vshll_max, "vshll.i8 q1, d0, #8")
D3(vcvt_fix, "vcvt.s32.f32 d2, d0, #8")
D3(vcvt_fromfix, "vcvt.f32.u32 d2, d0, #16")
D3(vaddl_u8, "vaddl.u8 q1, d0, d1")
D3(vmull_s16, "vmull.s16 q1, d0, d1")
D3(vqdmull_s16, "vqdmull.s16 q1, d0, d1")
D3(vaddhn_i32, "vaddhn.i32 d2, q0, q0")
D3(vmul_sc16, "vmul.i16 d2, d0, d1[3]")
D3(vmla_scf, "vmla.f32 d2, d0, d1[1]")
D3(vmull_scu16, "vmull.u16 q1, d0, d1[0]")
D3(vmlal_s8, "vmov d3, d2\n\tvmlal.s8 q1, d0, d1")

static uint64_t q_add32_hi(uint64_t a, uint64_t b)
{
    uint64_t r;
    __asm__ volatile(
        "vmov d4, %Q1, %R1\n\tvmov d5, %Q1, %R1\n\tvmov d6, %Q2, %R2\n\tvmov d7, %Q2, %R2\n\t"
        "vadd.i32 q4, q2, q3\n\tvmov %Q0, %R0, d9"
        : "=&r"(r)
        : "r"(a), "r"(b)
        : "d4", "d5", "d6", "d7", "d8", "d9");
    return r;
}

static uint32_t qc(void)
{
    return (get_fpscr() >> 27) & 1;
}

static void check_integer(void)
{
    CHECK64(0x100, vadd8(0x01ff7f8000000000ull, 0x0101010100000001ull, 0), 0x0200808100000001ull);
    CHECK64(0x120, vadd16(0xffff80007fff0001ull, 0x0001800000010001ull, 0), 0x0000000080000002ull);
    CHECK64(0x121, vsub8(0x0080007f01000000ull, 0x01010080ff010000ull, 0), 0xff7f00ff02ff0000ull);
    CHECK64(0x122, vsub32(0x0000000080000000ull, 0x0000000100000001ull, 0), 0xffffffff7fffffffull);
    CHECK64(0x123, vorn_(0x00000000000000f0ull, 0xffffffffffffff0full, 0), 0x00000000000000f0ull);
    CHECK64(0x124, vbic_(0xffffffffffffffffull, 0x0f0f0f0f0f0f0f0full, 0), 0xf0f0f0f0f0f0f0f0ull);
    CHECK64(0x101, vadd64(0xffffffffffffffffull, 2, 0), 1);
    CHECK64(0x102, vsub16(0x0000000100020003ull, 0x0001000100010001ull, 0), 0xffff000000010002ull);
    CHECK64(0x103, q_add32_hi(0x0000000500000007ull, 0x0000000100000002ull), 0x0000000600000009ull);
    set_fpscr(0);
    CHECK64(0x104, vqadd_s8(0x7f80017f00000000ull, 0x01ff010100000000ull, 0),
            0x7f80027f00000000ull);
    CHECK(0x105, qc(), 1);
    set_fpscr(0);
    CHECK64(0x106, vqadd_s8(0x0102030405060708ull, 0x0101010101010101ull, 0),
            0x0203040506070809ull);
    CHECK(0x107, qc(), 0);
    CHECK64(0x108, vqsub_u8(0x0510ff0000000000ull, 0x0605010000000000ull, 0),
            0x000bfe0000000000ull);
    CHECK(0x109, qc(), 1);
    set_fpscr(0);
    CHECK64(0x10a, vhadd_u8(0xff01000000000000ull, 0xff02000000000000ull, 0),
            0xff01000000000000ull);
    CHECK64(0x10b, vmul16(0x0003fffe01000010ull, 0x0005000301000010ull, 0), 0x000ffffa00000100ull);
    CHECK64(0x10c, vmla32(0x0000000300000004ull, 0x0000000500000006ull, 0x0000000100000002ull),
            0x000000100000001aull);
    CHECK64(0x10d, vmax_s8(0x80017f0000000000ull, 0x01ff800000000000ull, 0), 0x01017f0000000000ull);
    CHECK64(0x10e, vmin_u8(0x80017f0000000000ull, 0x01ff800000000000ull, 0), 0x01017f0000000000ull);
    CHECK64(0x10f, vabd_s16(0x8000000500000000ull, 0x7fff000800000000ull, 0),
            0xffff000300000000ull);
    CHECK64(0x110, vceq8(0x0102030400000000ull, 0x0100030500000000ull, 0), 0xff00ff00ffffffffull);
    CHECK64(0x111, vcgt_s8(0x0180000000000000ull, 0xff7f000000000000ull, 0), 0xff00000000000000ull);
    CHECK64(0x112, vtst8(0x0102000000000000ull, 0x0302000000000000ull, 0), 0xffff000000000000ull);
    CHECK64(0x113, vpadd16(0x0004000300020001ull, 0x0040003000200010ull, 0), 0x0070003000070003ull);
    /* VSHL by register: vshl d2, d0, d1 shifts d0 (Vm) by the signed bytes of d1 (Vn) */
    CHECK64(0x114, vshl_s8(0x80f0010100000000ull, 0xfffc0102000000ffull, 0), 0xc0ff020400000000ull);
    set_fpscr(0);
    CHECK64(0x115, vqdmulh16(0x8000400000000000ull, 0x8000400000000000ull, 0),
            0x7fff200000000000ull);
    CHECK(0x116, qc(), 1);
    set_fpscr(0);
    CHECK64(0x117, vand_(0xff00ff00f0f0f0f0ull, 0x0ff00ff00ff00ff0ull, 0), 0x0f000f0000f000f0ull);
    CHECK64(0x118, vbsl_(0x1111111111111111ull, 0x2222222222222222ull, 0xff00ff00ff00ff00ull),
            0x1122112211221122ull);
    CHECK64(0x119, veor_(0xffff0000ffff0000ull, 0x0ff00ff00ff00ff0ull, 0), 0xf00f0ff0f00f0ff0ull);
    CHECK64(0x11a, vmulp8(0x0000000000000003ull, 0x0000000000000003ull, 0), 5);
}

static void check_shift_perm(void)
{
    CHECK64(0x200, vshr_u8(0xff80100800000000ull, 0, 0), 0x1f10020100000000ull);
    CHECK64(0x201, vsra_s16(0xff00010000000000ull, 0, 0x0001000100000000ull),
            0xfff1001100000000ull);
    CHECK64(0x202, vrshr_u8(0x0605020100000000ull, 0, 0), 0x0201010000000000ull);
    CHECK64(0x203, vshl_i32(0x8000000110000000ull, 0, 0), 0x0000001000000000ull);
    CHECK64(0x204, vsli_8(0x0102000000000000ull, 0, 0xabcd000000000000ull), 0x1b2d000000000000ull);
    CHECK64(0x205, vsri_8(0x1020000000000000ull, 0, 0xabcd000000000000ull), 0xa1c2000000000000ull);
    set_fpscr(0);
    CHECK64(0x206, vqshl_u8(0x4020100000000000ull, 0, 0), 0xff80400000000000ull);
    CHECK(0x207, qc(), 1);
    set_fpscr(0);
    /* q0 = d1:d0 (four s32: d0 lanes 0,1; d1 lanes 2,3) */
    CHECK64(0x208, vqshrn(0xfffff00000012345ull, 0x7fffffff00000100ull, 0), 0x7fff0001fff00123ull);
    CHECK(0x209, qc(), 1);
    set_fpscr(0);
    CHECK64(0x20a, vshrn(0x1234567889abcdefull, 0x0102030405060708ull, 0), 0x01020506123489abull);
    CHECK64(0x20b, vmovn(0x1234567889abcdefull, 0x0102030405060708ull, 0), 0x030407085678cdefull);
    CHECK64(0x20c, vqmovn_s16(0x7fff8000007f0080ull, 0xff80ff7f00010000ull, 0),
            0x808001007f807f7full);
    CHECK64(0x20d, vqmovun(0x7fff8000007f0080ull, 0, 0), 0x00000000ff007f80ull);
    CHECK64(0x20e, vmovl_lo(0x80017fff00000000ull, 0, 0), 0);
    CHECK64(0x20f, vmovl_hi(0x80017fff00000000ull, 0, 0), 0xff800001007fffffull);
    CHECK64(0x210, vrev64_16(0x1111222233334444ull, 0, 0), 0x4444333322221111ull);
    CHECK64(0x211, vrev32_8(0x0102030405060708ull, 0, 0), 0x0403020108070605ull);
    CHECK64(0x212, vcnt8(0xff0f010000000003ull, 0, 0), 0x0804010000000002ull);
    CHECK64(0x213, vclz16(0x0001800000000100ull, 0, 0), 0x000f000000100007ull);
    CHECK64(0x214, vmvn_(0x00ff00ff12345678ull, 0, 0), 0xff00ff00edcba987ull);
    CHECK64(0x215, vabs8(0x80ff010000000000ull, 0, 0), 0x8001010000000000ull);
    set_fpscr(0);
    CHECK64(0x216, vqneg8(0x80ff010000000000ull, 0, 0), 0x7f01ff0000000000ull);
    CHECK(0x217, qc(), 1);
    set_fpscr(0);
    CHECK64(0x218, vcgt0(0x0001ffff80000000ull, 0, 0), 0xffff000000000000ull);
    CHECK64(0x219, vzip_a(0x0706050403020100ull, 0x1716151413121110ull, 0), 0x1303120211011000ull);
    CHECK64(0x21a, vzip_b(0x0706050403020100ull, 0x1716151413121110ull, 0), 0x1707160615051404ull);
    CHECK64(0x21b, vuzp_a(0x0003000200010000ull, 0x0013001200110010ull, 0), 0x0012001000020000ull);
    CHECK64(0x21c, vtrn_b(0x1111111100000000ull, 0x3333333322222222ull, 0), 0x3333333311111111ull);
    CHECK64(0x21d, vext3(0x0706050403020100ull, 0x1716151413121110ull, 0), 0x1211100706050403ull);
    CHECK64(0x21e, vtbl2(0x0706050403020100ull, 0x1716151413121110ull, 0x00ff0f0908100701ull),
            0x0000171110000701ull);
    CHECK64(0x21f, vtbx1(0x0706050403020100ull, 0x0008000100000000ull, 0xaaaaaaaaaaaaaaaaull),
            0x00aa000100000000ull);
    CHECK64(0x220, vdup_s(0x4444333322221111ull, 0, 0), 0x3333333333333333ull);
    CHECK64(0x221, vmov_imm1(0, 0, 0), 0x00ab000000ab0000ull);
    CHECK64(0x222, vmov_imm2(0, 0, 0), 0xffedffedffedffedull);
    CHECK64(0x223, vmov_imm3(0, 0, 0), 0xff00ff0000ff00ffull);
    CHECK64(0x224, vorr_imm(0, 0, 0x0000000100000002ull), 0x0000550100005502ull);
    CHECK64(0x225, vbic_imm(0, 0, 0x1234567812345678ull), 0x1200560012005600ull);
    CHECK64(0x226, vmov_f(0, 0, 0), 0xbfc00000bfc00000ull);
}

static void check_long_scalar(void)
{
    CHECK64(0x618, vcvt_f16(0xc00000003f800000ull, 0x477ff00033800000ull, 0),
            0x7c000001c0003c00ull);
    CHECK64(0x619, vcvt_f32_hi(0x3c00c00000000000ull, 0, 0), 0x3f800000c0000000ull);
    CHECK64(0x610, frecpe(0x400000003f800000ull, 0, 0), 0x3eff80003f7f8000ull);
    CHECK64(0x611, frsqrte(0x408000003f800000ull, 0, 0), 0x3eff80003f7f8000ull);
    CHECK64(0x612, urecpe(0x000000ff80000000ull, 0, 0), 0xffffffffff800000ull);
    CHECK64(0x613, vpaddl_s8(0x0000000080ff7f01ull, 0, 0), 0x00000000ff7f0080ull);
    CHECK64(0x614, vpadal_u16(0xffffffff00020001ull, 0, 0x0000000100000001ull),
            0x0001ffff00000004ull);
    CHECK64(0x615, vshll_max(0x00000000000081ffull, 0, 0), 0x000000008100ff00ull);
    CHECK64(0x616, vcvt_fix(0xbfc000003fc00000ull, 0, 0), 0xfffffe8000000180ull);
    CHECK64(0x617, vcvt_fromfix(0x0000800000018000ull, 0, 0), 0x3f0000003fc00000ull);
    CHECK64(0x600, vaddl_u8(0x00000000ff80017full, 0x0000000001010101ull, 0),
            0x0100008100020080ull);
    CHECK64(0x601, vmull_s16(0x000000007fffffffull, 0x000000007fff0002ull, 0),
            0x3fff0001fffffffeull);
    set_fpscr(0);
    CHECK64(0x602, vqdmull_s16(0x0000000000038000ull, 0x0000000000048000ull, 0),
            0x000000187fffffffull);
    CHECK(0x603, qc(), 1);
    set_fpscr(0);
    CHECK64(0x604, vaddhn_i32(0x7fff800000010000ull, 0x0000000012340000ull, 0),
            0x00002468ffff0002ull);
    CHECK64(0x605, vmul_sc16(0x0004000300020001ull, 0x0003000000000000ull, 0),
            0x000c000900060003ull);
    CHECK64(0x606, vmla_scf(0x404000003f800000ull, 0x4000000000000000ull, 0x3f8000003f800000ull),
            0x40e0000040400000ull);
    CHECK64(0x607, vmull_scu16(0x000000000002ffffull, 0x000000000000ffffull, 0),
            0x0001fffefffe0001ull);
    /* q1 = d3:d2 = acc duplicated; lanes 0..3 of d0*d1 (s8) added as s16 */
    CHECK64(0x608, vmlal_s8(0x00000000ff7f0280ull, 0x0000000002020380ull, 0x0001000100010001ull),
            0xffff00ff00074001ull);
}

static void check_float(void)
{
    set_fpscr(0);
    CHECK64(0x300, fadd(0x3f80000040000000ull, 0x4000000040400000ull, 0), 0x4040000040a00000ull);
    CHECK64(0x301, fmul(0x0080000040000000ull, 0x3f00000040400000ull, 0), 0x0000000040c00000ull);
    CHECK(0x302, get_fpscr() & 0x9f, 0x08); /* flushed output: UFC, in FPSCR */
    set_fpscr(0);
    CHECK64(0x303, fadd(0x00000001ffc00001ull, 0x0000000000000000ull, 0), 0x000000007fc00000ull);
    CHECK(0x304, get_fpscr() & 0x80, 0x80);
    CHECK64(0x305, fmla(0x3f80000040000000ull, 0x4000000040400000ull, 0x3f8000003f800000ull),
            0x4040000040e00000ull);
    CHECK64(0x306, fcgt(0x3f8000007fc00000ull, 0x0000000000000000ull, 0), 0xffffffff00000000ull);
    CHECK64(0x307, fmax(0x8000000000000000ull, 0x0000000080000000ull, 0), 0x0000000000000000ull);
    CHECK64(0x308, fpadd(0x4000000040400000ull, 0x3f8000003f800000ull, 0), 0x4000000040a00000ull);
    CHECK64(0x309, fabd(0x3f80000040000000ull, 0x4040000040a00000ull, 0), 0x4000000040400000ull);
    CHECK64(0x30a, frecps(0x3f80000040000000ull, 0x3f0000003f000000ull, 0), 0x3fc000003f800000ull);
    CHECK64(0x30b, fcvt_s(0xc02000004f32d05eull, 0, 0), 0xfffffffe7fffffffull);
    CHECK64(0x30c, fcvt_f(0x00000003ffffffffull, 0, 0), 0x404000004f800000ull);
    CHECK64(0x30d, vfma_(0x3f80000040000000ull, 0x4000000040400000ull, 0x3f8000003f800000ull),
            0x4040000040e00000ull);
}

static volatile uint8_t buf[64] __attribute__((aligned(16)));
static volatile uint8_t out[64] __attribute__((aligned(16)));

static void check_ldst(void)
{
    for (int i = 0; i < 64; i++) {
        buf[i] = (uint8_t)i;
        out[i] = 0;
    }
    uint64_t a, b, c, d;
    const volatile uint8_t *p = buf;
    /* VLD1 two registers, 16-bit elements, writeback by size */
    __asm__ volatile("vld1.16 {d4, d5}, [%4]!\n\tvmov %Q0, %R0, d4\n\tvmov %Q1, %R1, d5"
                     : "=&r"(a), "=&r"(b), "=&r"(c), "=&r"(d), "+r"(p)
                     :
                     : "d4", "d5", "memory");
    CHECK64(0x400, a, 0x0706050403020100ull);
    CHECK64(0x401, b, 0x0f0e0d0c0b0a0908ull);
    CHECK(0x402, (uint32_t)(p - buf), 16);
    /* VLD2 de-interleaves */
    __asm__ volatile("vld2.8 {d4, d5}, [%2]\n\tvmov %Q0, %R0, d4\n\tvmov %Q1, %R1, d5"
                     : "=&r"(a), "=&r"(b)
                     : "r"(buf)
                     : "d4", "d5", "memory");
    CHECK64(0x403, a, 0x0e0c0a0806040200ull);
    CHECK64(0x404, b, 0x0f0d0b0907050301ull);
    /* VLD3.16 */
    __asm__ volatile("vld3.16 {d4, d5, d6}, [%3]\n\tvmov %Q0, %R0, d4\n\tvmov %Q1, %R1, d5\n\t"
                     "vmov %Q2, %R2, d6"
                     : "=&r"(a), "=&r"(b), "=&r"(c)
                     : "r"(buf)
                     : "d4", "d5", "d6", "memory");
    CHECK64(0x405, a, 0x13120d0c07060100ull);
    CHECK64(0x406, b, 0x15140f0e09080302ull);
    CHECK64(0x407, c, 0x171611100b0a0504ull);
    /* VLD4.32 with spacing 2 and register post-increment */
    uint32_t step = 3;
    p = buf;
    __asm__ volatile(
        "vld4.32 {d4, d6, d8, d10}, [%2], %3\n\tvmov %Q0, %R0, d4\n\tvmov %Q1, %R1, d10"
        : "=&r"(a), "=&r"(b), "+r"(p)
        : "r"(step)
        : "d4", "d6", "d8", "d10", "memory");
    CHECK64(0x408, a, 0x1312111003020100ull);
    CHECK64(0x409, b, 0x1f1e1d1c0f0e0d0cull);
    CHECK(0x40a, (uint32_t)(p - buf), 3);
    /* single lane and all lanes */
    __asm__ volatile("vmov.i8 d4, #0xee\n\tvld1.16 {d4[2]}, [%1]\n\tvmov %Q0, %R0, d4"
                     : "=&r"(a)
                     : "r"(buf + 6)
                     : "d4", "memory");
    CHECK64(0x40b, a, 0xeeee0706eeeeeeeeull);
    __asm__ volatile("vld1.32 {d4[], d5[]}, [%1]\n\tvmov %Q0, %R0, d5"
                     : "=&r"(a)
                     : "r"(buf + 4)
                     : "d4", "d5", "memory");
    CHECK64(0x40c, a, 0x0706050407060504ull);
    __asm__ volatile("vld2.8 {d4[], d5[]}, [%2]\n\tvmov %Q0, %R0, d4\n\tvmov %Q1, %R1, d5"
                     : "=&r"(a), "=&r"(b)
                     : "r"(buf + 9)
                     : "d4", "d5", "memory");
    CHECK64(0x40d, a, 0x0909090909090909ull);
    CHECK64(0x40e, b, 0x0a0a0a0a0a0a0a0aull);
    /* stores: VST2 interleaves, VST1 lane */
    __asm__ volatile("vmov d4, %0, %0\n\tvmov d5, %1, %1\n\tvst2.32 {d4, d5}, [%2]"
                     :
                     : "r"(0x11111111), "r"(0x22222222), "r"(out)
                     : "d4", "d5", "memory");
    CHECK(0x40f, ((volatile uint32_t *)out)[0], 0x11111111);
    CHECK(0x410, ((volatile uint32_t *)out)[1], 0x22222222);
    CHECK(0x411, ((volatile uint32_t *)out)[3], 0x22222222);
    __asm__ volatile("vmov d4, %0, %1\n\tvst1.8 {d4[5]}, [%2]"
                     :
                     : "r"(0x44332211), "r"(0x88776655), "r"(out + 20)
                     : "d4", "memory");
    CHECK(0x412, out[20], 0x66);
    CHECK(0x413, out[21], 0);
}

/* VLD1/VST1 of whole registers as memcpy uses them: any byte alignment without an align
 * field, several registers, writeback; and a misaligned base faults before anything is
 * stored when SCTLR.A asks for element alignment. */
static uint32_t pat4(int i)
{
    uint32_t v = 0;
    for (int k = 3; k >= 0; k--) {
        v = v << 8 | (uint8_t)((i + k) * 7 + 1);
    }
    return v;
}

static void check_ldst_whole(void)
{
    for (int i = 0; i < 64; i++) {
        buf[i] = (uint8_t)(i * 7 + 1);
    }
    const volatile uint8_t *src = buf + 1;
    volatile uint8_t *dst = buf + 35;
    __asm__ volatile("vld1.8 {d0-d3}, [%0]!\n\tvst1.8 {d0-d2}, [%1]!"
                     : "+r"(src), "+r"(dst)
                     :
                     : "d0", "d1", "d2", "d3", "memory");
    CHECK(0x430, (uint32_t)(src - buf), 33);
    CHECK(0x431, (uint32_t)(dst - buf), 59);
    for (int i = 0; i < 24; i++) {
        CHECK(0x432, buf[35 + i], (uint8_t)((1 + i) * 7 + 1));
    }
    CHECK(0x433, buf[34], (uint8_t)(34 * 7 + 1));
    CHECK(0x434, buf[59], (uint8_t)(59 * 7 + 1));
    uint32_t lo, hi;
    __asm__ volatile("vld1.8 {d0-d3}, [%2]\n\tvmov %0, %1, d3"
                     : "=r"(lo), "=r"(hi)
                     : "r"(buf + 3)
                     : "d0", "d1", "d2", "d3", "memory");
    CHECK(0x435, lo, pat4(27)); /* d3 = bytes 27..34 */
    CHECK(0x439, hi, pat4(31));
    /* SCTLR.A: 32-bit elements need word alignment, checked before the store happens */
    uint32_t sctlr;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 0" : "=r"(sctlr));
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr | 2));
    buf[9] = 0x5a;
    exc_kind = 0;
    __asm__ volatile("vmov.i32 d4, #0\n\tvst1.32 {d4}, [%0]" ::"r"(buf + 6) : "d4", "memory");
    CHECK(0x436, exc_kind, 4);
    CHECK(0x437, buf[9], 0x5a);
    exc_kind = 0;
    __asm__ volatile("vld1.32 {d4}, [%0]" ::"r"(buf + 4) : "d4", "memory");
    CHECK(0x438, exc_kind, 0);
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 0\n\tisb" ::"r"(sctlr));
}

static void check_alignment(void)
{
    exc_kind = 0;
    __asm__ volatile("vld1.8 {d4}, [%0:64]" ::"r"(buf + 8) : "d4", "memory");
    CHECK(0x420, exc_kind, 0);
    __asm__ volatile("vld1.8 {d4}, [%0:64]" ::"r"(buf + 4) : "d4", "memory");
    CHECK(0x421, exc_kind, 4); /* data abort: alignment fault */
    CHECK(0x422, exc_fsr & 0x40f, 1);
    exc_kind = 0;
    __asm__ volatile("vld1.8 {d4}, [%0]" ::"r"(buf + 3) : "d4", "memory");
    CHECK(0x423, exc_kind, 0);
}

static void check_undef(void)
{
    exc_kind = 0;
    /* VADD.I32 Q with an odd register number: UNDEF */
#ifdef __thumb__
    __asm__ volatile(".inst.w 0xef210842" ::: "memory");
#else
    __asm__ volatile(".inst 0xf2210842" ::: "memory");
#endif
    CHECK(0x500, exc_kind, 1);
}

static void __attribute__((noinline)) enable_vfp(void)
{
    uint32_t v;
    __asm__ volatile("mrc p15, 0, %0, c1, c0, 2" : "=r"(v));
    v |= 0xfu << 20;
    __asm__ volatile("mcr p15, 0, %0, c1, c0, 2\n\tisb" ::"r"(v));
    __asm__ volatile("vmsr fpexc, %0" ::"r"(0x40000000));
}

static int __attribute__((noinline)) run(void)
{
    check_integer();
    check_shift_perm();
    check_float();
    check_long_scalar();
    check_ldst();
    check_ldst_whole();
    check_alignment();
    check_undef();
    return finish();
}

int main(void)
{
    enable_vfp();
    return run();
}
