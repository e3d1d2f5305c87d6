/*
 * cpu/arm/neon.c: the Advanced SIMD translator (A32 form, T32 converted by translate.c).
 * Element and structure loads/stores are IR, one guest access per element straight into
 * the D registers; data processing is IR where neon-dp.c has it, and otherwise calls
 * helper_neon_dp once the encoding is known to be allocated (neon-helper.c decides).
 */
#include <stddef.h>

#include "cpu/arm/translate.h"
#include "cpu/arm/vfp.h"

static intptr_t lane_off(int reg, int lane, int esize)
{
    return (intptr_t)(offsetof(ArmEnv, vfp.regs) + 8 * (size_t)(reg & 31) + (size_t)(lane * esize));
}

/* One element between memory at addr and byte lane `lane` of D`reg`. */
static MemOp align_op(int bytes)
{
    switch (bytes) {
    case 2: return MO_ALIGN_2;
    case 4: return MO_ALIGN_4;
    case 8: return MO_ALIGN_8;
    case 16:
    case 32: return MO_ALIGN_16; /* 256-bit alignment: checked as 128 */
    default: return MO_UNALN;
    }
}

/* `align`: the alignment the instruction's align field asks of this (first) access; with
 * SCTLR.A every element must at least be naturally aligned. */
static void gen_elem(DisasContext *s, bool load, int reg, int lane, int size, TCGv_i32 addr,
                     int align)
{
    int esize = 1 << size;
    TCGv_i64 v = tcg_temp_new_i64();
    if (s->align && align < esize) {
        align = esize;
    }
    MemOp mop = (MemOp)(MO_LE | size | align_op(align));
    intptr_t off = lane_off(reg, lane, esize);
    if (load) {
        tcg_gen_qemu_ld_i64(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
        switch (size) {
        case 0: tcg_gen_st8_i64(v, tcg_env, off); break;
        case 1: tcg_gen_st16_i64(v, tcg_env, off); break;
        case 2: tcg_gen_st32_i64(v, tcg_env, off); break;
        default: tcg_gen_st_i64(v, tcg_env, off); break;
        }
    } else {
        switch (size) {
        case 0: tcg_gen_ld8u_i64(v, tcg_env, off); break;
        case 1: tcg_gen_ld16u_i64(v, tcg_env, off); break;
        case 2: tcg_gen_ld32u_i64(v, tcg_env, off); break;
        default: tcg_gen_ld_i64(v, tcg_env, off); break;
        }
        tcg_gen_qemu_st_i64(v, tcg_addr_i32(addr), (unsigned)s->mem_idx, mop);
    }
}

void neon_gen_dup_i64(TCGv_i64 v, int bits)
{
    for (int sh = bits; sh < 64; sh *= 2) {
        TCGv_i64 t = tcg_temp_new_i64();
        tcg_gen_shli_i64(t, v, (unsigned)sh);
        tcg_gen_or_i64(v, v, t);
    }
}

/* Rn += bytes (Rm = 13) or Rm (other Rm); nothing for Rm = 15. */
static void gen_writeback(DisasContext *s, int rn, int rm, TCGv_i32 base, int bytes)
{
    if (rm == 15) {
        return;
    }
    TCGv_i32 nb = tcg_temp_new_i32();
    if (rm == 13) {
        tcg_gen_addi_i32(nb, base, bytes);
    } else {
        tcg_gen_add_i32(nb, base, arm_load_reg(s, rm));
    }
    arm_store_reg(s, rn, nb);
}

static bool gen_ldst_multiple(DisasContext *s, uint32_t insn, int d, int rn, int rm, bool load)
{
    int type = (int)((insn >> 8) & 0xf), size = (int)((insn >> 6) & 3);
    int nelem, rpm, inc;
    switch (type) {
    case 7: nelem = 1, rpm = 1, inc = 1; break;
    case 10: nelem = 1, rpm = 2, inc = 1; break;
    case 6: nelem = 1, rpm = 3, inc = 1; break;
    case 2: nelem = 1, rpm = 4, inc = 1; break;
    case 8: nelem = 2, rpm = 1, inc = 1; break;
    case 9: nelem = 2, rpm = 1, inc = 2; break;
    case 3: nelem = 2, rpm = 2, inc = 2; break;
    case 4: nelem = 3, rpm = 1, inc = 1; break;
    case 5: nelem = 3, rpm = 1, inc = 2; break;
    case 0: nelem = 4, rpm = 1, inc = 1; break;
    case 1: nelem = 4, rpm = 1, inc = 2; break;
    default: return false;
    }
    if (size == 3 && nelem > 1) {
        return false;
    }
    int last = d + (nelem - 1) * inc + rpm - 1;
    if (last > 31 || rn == 15) {
        return false;
    }
    int esize = 1 << size, per = 8 / esize;
    TCGv_i32 base = arm_load_reg(s, rn);
    int align = ((insn >> 4) & 3) ? 4 << ((insn >> 4) & 3) : 0;
    if (nelem == 1) {
        /* VLD1/VST1 of whole registers (memcpy's loop): in little-endian order the bytes of
         * one D register are its elements in turn, so one 64-bit access per register does,
         * with the alignment the first element or each element needs. */
        for (int r = 0; r < rpm; r++) {
            TCGv_i32 a = tcg_temp_new_i32();
            tcg_gen_addi_i32(a, base, 8 * r);
            int al = r == 0 ? align : 0;
            if (s->align && al < esize) {
                al = esize;
            }
            MemOp mop = (MemOp)(MO_LE | MO_UQ | align_op(al));
            TCGv_i64 v = tcg_temp_new_i64();
            if (load) {
                tcg_gen_qemu_ld_i64(v, tcg_addr_i32(a), (unsigned)s->mem_idx, mop);
                tcg_gen_st_i64(v, tcg_env, lane_off(d + r, 0, 1));
            } else {
                tcg_gen_ld_i64(v, tcg_env, lane_off(d + r, 0, 1));
                tcg_gen_qemu_st_i64(v, tcg_addr_i32(a), (unsigned)s->mem_idx, mop);
            }
        }
        gen_writeback(s, rn, rm, base, 8 * rpm);
        return true;
    }
    int off = 0;
    for (int e = 0; e < rpm * per; e++) {
        for (int k = 0; k < nelem; k++) {
            TCGv_i32 a = tcg_temp_new_i32();
            tcg_gen_addi_i32(a, base, off);
            int al = e == 0 && k == 0 ? align : 0;
            gen_elem(s, load, d + k * inc + e / per, e % per, size, a, al);
            off += esize;
        }
    }
    gen_writeback(s, rn, rm, base, off);
    return true;
}

static bool gen_ldst_single(DisasContext *s, uint32_t insn, int d, int rn, int rm, bool load)
{
    int size = (int)((insn >> 10) & 3), nelem = (int)((insn >> 8) & 3) + 1;
    if (rn == 15) {
        return false;
    }
    if (size == 3) { /* to all lanes */
        if (!load) {
            return false;
        }
        size = (int)((insn >> 6) & 3);
        bool t = insn & (1u << 5);
        int regs = nelem == 1 ? (t ? 2 : 1) : 1, inc = nelem == 1 ? 1 : (t ? 2 : 1);
        if (size == 3 && !(nelem == 4)) {
            return false;
        }
        if (size == 3) {
            size = 2; /* VLD4 all lanes with 16-byte alignment: 32-bit elements */
        }
        int last = d + (nelem - 1) * inc + regs - 1;
        if (last > 31) {
            return false;
        }
        int esize = 1 << size;
        TCGv_i32 base = arm_load_reg(s, rn);
        for (int k = 0; k < nelem; k++) {
            TCGv_i32 a = tcg_temp_new_i32();
            tcg_gen_addi_i32(a, base, k * esize);
            TCGv_i64 v = tcg_temp_new_i64();
            int al = (k == 0 && (insn & 0x10)) ? (nelem == 3 ? 0 : esize * nelem) : 0;
            if (s->align && al < esize) {
                al = esize;
            }
            tcg_gen_qemu_ld_i64(v, tcg_addr_i32(a), (unsigned)s->mem_idx,
                                (MemOp)(MO_LE | size | align_op(al)));
            neon_gen_dup_i64(v, 8 * esize);
            for (int r = 0; r < regs; r++) {
                tcg_gen_st_i64(v, tcg_env, lane_off(d + k * inc + r, 0, 1));
            }
        }
        gen_writeback(s, rn, rm, base, nelem * esize);
        return true;
    }
    int ia = (int)((insn >> 4) & 0xf);
    int index = ia >> (size + 1);
    int inc = 1;
    if (size == 1 && (ia & 2)) {
        inc = 2;
    }
    if (size == 2 && (ia & 4)) {
        inc = 2;
    }
    if (nelem == 1 && ((size == 1 && (ia & 2)) || (size == 2 && (ia & 4)))) {
        return false;
    }
    if (d + (nelem - 1) * inc > 31) {
        return false;
    }
    int esize = 1 << size;
    int align = 0; /* what index_align's alignment bits ask of the base address */
    if (nelem == 1) {
        align = (size == 1 && (ia & 1)) || (size == 2 && (ia & 3) == 3) ? esize : 0;
    } else if (nelem == 2 || nelem == 4) {
        align = (ia & 1) ? nelem * esize : 0;
        if (nelem == 4 && size == 2) {
            align = (ia & 3) == 1 ? 8 : (ia & 3) == 2 ? 16 : 0;
        }
    }
    TCGv_i32 base = arm_load_reg(s, rn);
    for (int k = 0; k < nelem; k++) {
        TCGv_i32 a = tcg_temp_new_i32();
        tcg_gen_addi_i32(a, base, k * esize);
        gen_elem(s, load, d + k * inc, index, size, a, k == 0 ? align : 0);
    }
    gen_writeback(s, rn, rm, base, nelem * esize);
    return true;
}

bool arm_translate_neon(DisasContext *s, uint32_t insn)
{
    if (!s->vfp_enabled) {
        return false;
    }
    if ((insn & 0xfe000000u) == 0xf2000000u) {
        if ((insn & 0xfe800f10u) == 0xf2000c10u && !arm_vfp_has_fused(s)) {
            return false; /* VFMA/VFMS need VFPv4 */
        }
        if (neon_translate_dp(s, insn)) {
            return true;
        }
        if (!neon_dp(NULL, insn)) {
            return false;
        }
        tcg_gen_calln((void *)helper_neon_dp, VFP_CALL, NULL, 2, arm_env_arg(),
                      tcgv_i32_temp(tcg_constant_i32((int32_t)insn)));
        return true;
    }
    if ((insn & 0xff100000u) == 0xf4000000u) {
        int d = (int)(((insn >> 18) & 0x10) | ((insn >> 12) & 0xf));
        int rn = (int)((insn >> 16) & 0xf), rm = (int)(insn & 0xf);
        bool load = insn & (1u << 21);
        if (insn & (1u << 23)) {
            return gen_ldst_single(s, insn, d, rn, rm, load);
        }
        return gen_ldst_multiple(s, insn, d, rn, rm, load);
    }
    return false;
}
