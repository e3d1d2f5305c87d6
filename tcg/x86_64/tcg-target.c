/* tcg/x86_64/tcg-target.c: the x86-64 host back-end: instruction encoder, register
 * constraints (as data, for the generic allocator), op emission, soft-MMU TLB fast path
 * and slow paths, chaining jumps, and the execution prologue/epilogue. */
#include <cpuid.h>
#include <stdlib.h>

#include "tcg/tcg-internal.h"

enum {
    R_RAX,
    R_RCX,
    R_RDX,
    R_RBX,
    R_RSP,
    R_RBP,
    R_RSI,
    R_RDI,
    R_R8,
    R_R9,
    R_R10,
    R_R11,
    R_R12,
    R_R13,
    R_R14,
    R_R15,
};
#define TMP0 R_R11
#define TMP1 R_R10

/* Callee-saved registers first: values then survive helper calls and qemu_ld/st. */
const uint16_t tcg_target_alloc_order[] = {
    R_RBX, R_RBP, R_R12, R_R13, R_R15, R_RSI, R_RDI, R_R8, R_R9, R_RAX, R_RDX, R_RCX,
};
const int tcg_target_nb_alloc = sizeof(tcg_target_alloc_order) / sizeof(uint16_t);
#define B(r) (1u << (r))
const uint16_t tcg_target_call_clobber =
    B(R_RAX) | B(R_RCX) | B(R_RDX) | B(R_RSI) | B(R_RDI) | B(R_R8) | B(R_R9) | B(R_R10) | B(R_R11);
const int tcg_target_call_iarg_regs[TCG_TARGET_NB_IARG_REGS] = {R_RDI, R_RSI, R_RDX,
                                                                R_RCX, R_R8,  R_R9};
const int tcg_target_call_oarg_reg = R_RAX;

#define ALLOC_MASK                                                                          \
    (B(R_RAX) | B(R_RCX) | B(R_RDX) | B(R_RBX) | B(R_RBP) | B(R_RSI) | B(R_RDI) | B(R_R8) | \
     B(R_R9) | B(R_R12) | B(R_R13) | B(R_R15))
#define SAVED_MASK (B(R_RBX) | B(R_RBP) | B(R_R12) | B(R_R13) | B(R_R15))

/* call area + spill slots; the extra 8 keeps rsp 16-byte aligned after 6 pushes */
#define FRAME_SIZE (TCG_TARGET_CALL_AREA + TCG_TARGET_FRAME_SLOTS * 8 + 8)

static bool have_lzcnt, have_bmi1, have_bmi2, have_popcnt, have_movbe;

/* ---- constraints, as data ---- */

typedef struct ConstraintSpec {
    const char *args[TCG_MAX_OP_ARGS];
    const char *clobber;
} ConstraintSpec;

/* Letters: r any, a/c/d rax/rcx/rdx, D any but rax/rdx, L callee-saved, i constant
 * allowed, & output distinct from inputs, digit = output in the same register as that
 * input. */
static const ConstraintSpec constraint_specs[NB_OPS] = {
    [INDEX_op_brcond] = {{"r", "ri"}},
    [INDEX_op_goto_ptr] = {{"r"}},
    [INDEX_op_add] = {{"r", "r", "ri"}},
    [INDEX_op_sub] = {{"0", "r", "ri"}},
    [INDEX_op_mul] = {{"0", "r", "ri"}},
    [INDEX_op_neg] = {{"0", "r"}},
    [INDEX_op_and] = {{"0", "r", "ri"}},
    [INDEX_op_or] = {{"0", "r", "ri"}},
    [INDEX_op_xor] = {{"0", "r", "ri"}},
    [INDEX_op_not] = {{"0", "r"}},
    [INDEX_op_andc] = {{"0", "r", "ri"}},
    [INDEX_op_orc] = {{"0", "r", "ri"}},
    [INDEX_op_nand] = {{"0", "r", "ri"}},
    [INDEX_op_nor] = {{"0", "r", "ri"}},
    [INDEX_op_eqv] = {{"0", "r", "ri"}},
    [INDEX_op_shl] = {{"0", "r", "ci"}},
    [INDEX_op_shr] = {{"0", "r", "ci"}},
    [INDEX_op_sar] = {{"0", "r", "ci"}},
    [INDEX_op_rotl] = {{"0", "r", "ci"}},
    [INDEX_op_rotr] = {{"0", "r", "ci"}},
    [INDEX_op_div] = {{"0", "a", "D"}, "d"},
    [INDEX_op_divu] = {{"0", "a", "D"}, "d"},
    [INDEX_op_rem] = {{"d", "a", "D"}, "a"},
    [INDEX_op_remu] = {{"d", "a", "D"}, "a"},
    [INDEX_op_add2] = {{"r", "r", "r", "r", "ri", "ri"}},
    [INDEX_op_sub2] = {{"r", "r", "r", "r", "ri", "ri"}},
    [INDEX_op_mulu2] = {{"0", "d", "a", "D"}},
    [INDEX_op_muls2] = {{"0", "d", "a", "D"}},
    [INDEX_op_ext8s] = {{"r", "r"}},
    [INDEX_op_ext8u] = {{"r", "r"}},
    [INDEX_op_ext16s] = {{"r", "r"}},
    [INDEX_op_ext16u] = {{"r", "r"}},
    [INDEX_op_ext32s] = {{"r", "r"}},
    [INDEX_op_ext32u] = {{"r", "r"}},
    [INDEX_op_extu_i32_i64] = {{"r", "r"}},
    [INDEX_op_ext_i32_i64] = {{"r", "r"}},
    [INDEX_op_extrl_i64_i32] = {{"r", "r"}},
    [INDEX_op_extrh_i64_i32] = {{"r", "r"}},
    [INDEX_op_bswap16] = {{"0", "r"}},
    [INDEX_op_bswap32] = {{"0", "r"}},
    [INDEX_op_bswap64] = {{"0", "r"}},
    [INDEX_op_deposit] = {{"0", "r", "r"}},
    [INDEX_op_extract] = {{"r", "r"}},
    [INDEX_op_sextract] = {{"r", "r"}},
    [INDEX_op_setcond] = {{"r", "r", "ri"}},
    [INDEX_op_negsetcond] = {{"r", "r", "ri"}},
    [INDEX_op_movcond] = {{"3", "r", "ri", "r", "r"}},
    [INDEX_op_clz] = {{"1", "r", "r"}},
    [INDEX_op_ctz] = {{"1", "r", "r"}},
    [INDEX_op_ctpop] = {{"&r", "r"}},
    [INDEX_op_ld8u] = {{"r", "r"}},
    [INDEX_op_ld8s] = {{"r", "r"}},
    [INDEX_op_ld16u] = {{"r", "r"}},
    [INDEX_op_ld16s] = {{"r", "r"}},
    [INDEX_op_ld32u] = {{"r", "r"}},
    [INDEX_op_ld32s] = {{"r", "r"}},
    [INDEX_op_ld] = {{"r", "r"}},
    [INDEX_op_st8] = {{"ri", "r"}},
    [INDEX_op_st16] = {{"ri", "r"}},
    [INDEX_op_st32] = {{"ri", "r"}},
    [INDEX_op_st] = {{"ri", "r"}},
    /* inputs still live afterwards are kept out of call-clobbered registers by the
     * allocator; dead ones may sit anywhere (the slow path reads them first) */
    [INDEX_op_qemu_ld] = {{"r", "r"}},
    [INDEX_op_qemu_st] = {{"r", "r"}},
};
/* With BMI2, shlx/shrx/sarx take the count in any register and do not touch flags. */
static const ConstraintSpec bmi2_shift_spec = {{"r", "r", "ri"}};
static TCGOpConstraint constraints[NB_OPS];

static uint16_t parse_regs(const char *s, TCGArgConstraint *c)
{
    uint16_t regs = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'r': regs |= ALLOC_MASK; break;
        case 'a': regs |= B(R_RAX); break;
        case 'c': regs |= B(R_RCX); break;
        case 'd': regs |= B(R_RDX); break;
        case 'D': regs |= ALLOC_MASK & ~(B(R_RAX) | B(R_RDX)); break;
        case 'L': regs |= SAVED_MASK; break;
        case 'i': c->const_ok = true; break;
        case '&': c->newreg = true; break;
        default:
            if (*s >= '0' && *s <= '9') {
                c->alias = *s - '0';
            }
            break;
        }
    }
    return regs;
}

static void constraints_init(void)
{
    for (int opc = 0; opc < NB_OPS; opc++) {
        const ConstraintSpec *sp = &constraint_specs[opc];
        if (have_bmi2 && (opc == INDEX_op_shl || opc == INDEX_op_shr || opc == INDEX_op_sar)) {
            sp = &bmi2_shift_spec;
        }
        TCGOpConstraint *ct = &constraints[opc];
        int nb_o = tcg_op_defs[opc].nb_oargs;
        memset(ct, 0, sizeof(*ct));
        for (int k = 0; k < TCG_MAX_OP_ARGS; k++) {
            ct->args[k].alias = -1;
            if (sp->args[k]) {
                ct->args[k].regs = parse_regs(sp->args[k], &ct->args[k]);
            }
        }
        /* An aliased output lives where its input is. */
        for (int o = 0; o < nb_o; o++) {
            if (ct->args[o].alias >= 0) {
                ct->args[o].regs = ct->args[nb_o + ct->args[o].alias].regs;
            }
        }
        for (int k = 0; k < TCG_MAX_OP_ARGS; k++) {
            ct->args[k].fixed = ct->args[k].regs && !(ct->args[k].regs & (ct->args[k].regs - 1));
        }
        if (sp->clobber) {
            TCGArgConstraint dummy = {0};
            ct->clobber = parse_regs(sp->clobber, &dummy);
        }
    }
}

const TCGOpConstraint *tcg_target_op_constraint(const TCGOp *op)
{
    return &constraints[op->opc];
}

bool tcg_target_const_fits(TCGType type, int64_t val, const TCGOp *op, int arg)
{
    switch (op->opc) {
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr: return true;
    default: break;
    }
    return type == TCG_TYPE_I32 || val == (int32_t)val;
}

void tcg_target_init(void)
{
    unsigned a, b, c, d;
    have_lzcnt = have_bmi1 = have_bmi2 = have_popcnt = have_movbe = false;
    if (getenv("MIMIC_TCG_NO_HOST_EXT") == NULL) {
        if (__get_cpuid(1, &a, &b, &c, &d)) {
            have_popcnt = (c >> 23) & 1;
            have_movbe = (c >> 22) & 1;
        }
        if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
            have_lzcnt = (c >> 5) & 1;
        }
        if (__get_cpuid_max(0, NULL) >= 7) {
            __cpuid_count(7, 0, a, b, c, d);
            have_bmi1 = (b >> 3) & 1;
            have_bmi2 = (b >> 8) & 1;
        }
    }
    constraints_init();
}

/* ---- encoder ---- */

#define P_EXT     0x100 /* 0x0f escape */
#define P_DATA16  0x200 /* 0x66 operand-size prefix */
#define P_REXW    0x400
#define P_REXB_R  0x800  /* r is a byte register: spl..dil need a REX */
#define P_REXB_RM 0x1000 /* same for rm */
#define P_EXT38   0x4000 /* 0x0f 0x38 escape */
#define P_F3      0x2000

enum {
    ARITH_ADD = 0,
    ARITH_OR = 1,
    ARITH_ADC = 2,
    ARITH_SBB = 3,
    ARITH_AND = 4,
    ARITH_SUB = 5,
    ARITH_XOR = 6,
    ARITH_CMP = 7,
};
enum { SHIFT_ROL = 0, SHIFT_ROR = 1, SHIFT_SHL = 4, SHIFT_SHR = 5, SHIFT_SAR = 7 };
enum {
    OPC_ARITH_GvEv = 0x03,
    OPC_MOVB_EvGv = 0x88,
    OPC_MOVL_EvGv = 0x89,
    OPC_MOVL_GvEv = 0x8b,
    OPC_LEA = 0x8d,
    OPC_MOVSLQ = 0x63 | P_REXW,
    OPC_MOVZBL = 0xb6 | P_EXT,
    OPC_MOVZWL = 0xb7 | P_EXT,
    OPC_MOVSBL = 0xbe | P_EXT,
    OPC_MOVSWL = 0xbf | P_EXT,
    OPC_IMUL_GvEv = 0xaf | P_EXT,
    OPC_IMUL_GvEvIz = 0x69,
    OPC_GRP3 = 0xf7,
    OPC_TESTL = 0x85,
    OPC_SHIFT_Ib = 0xc1,
    OPC_SHIFT_CL = 0xd3,
    OPC_SETCC = 0x90 | P_EXT | P_REXB_RM,
    OPC_CMOVCC = 0x40 | P_EXT,
    OPC_BSF = 0xbc | P_EXT,
    OPC_BSR = 0xbd | P_EXT,
    OPC_TZCNT = 0xbc | P_EXT | P_F3,
    OPC_LZCNT = 0xbd | P_EXT | P_F3,
    OPC_POPCNT = 0xb8 | P_EXT | P_F3,
    OPC_JCC_long = 0x80 | P_EXT,
    OPC_JCC_short = 0x70,
    OPC_JMP_long = 0xe9,
    OPC_JMP_short = 0xeb,
    OPC_CALL_Jz = 0xe8,
    OPC_GRP5 = 0xff,
    OPC_MOVBE_GyMy = 0xf0 | P_EXT38,
    OPC_MOVBE_MyGy = 0xf1 | P_EXT38,
};
#define ARITH_OP(x) (OPC_ARITH_GvEv + ((x) << 3))
enum { EXT3_NOT = 2, EXT3_NEG = 3, EXT3_MUL = 4, EXT3_IMUL = 5, EXT3_DIV = 6, EXT3_IDIV = 7 };
enum { EXT5_CALL = 2, EXT5_JMP = 4 };
enum {
    JCC_JO,
    JCC_JNO,
    JCC_JB,
    JCC_JAE,
    JCC_JE,
    JCC_JNE,
    JCC_JBE,
    JCC_JA,
    JCC_JS,
    JCC_JNS,
    JCC_JP,
    JCC_JNP,
    JCC_JL,
    JCC_JGE,
    JCC_JLE,
    JCC_JG,
};

static const uint8_t cond_to_jcc[TCG_COND_COUNT] = {
    [TCG_COND_EQ] = JCC_JE,  [TCG_COND_NE] = JCC_JNE,   [TCG_COND_LT] = JCC_JL,
    [TCG_COND_GE] = JCC_JGE, [TCG_COND_LE] = JCC_JLE,   [TCG_COND_GT] = JCC_JG,
    [TCG_COND_LTU] = JCC_JB, [TCG_COND_GEU] = JCC_JAE,  [TCG_COND_LEU] = JCC_JBE,
    [TCG_COND_GTU] = JCC_JA, [TCG_COND_TSTEQ] = JCC_JE, [TCG_COND_TSTNE] = JCC_JNE,
};

static void out_opc(TCGContext *s, int opc, int r, int rm, int x)
{
    int rex = 0;
    rex |= (opc & P_REXW) ? 8 : 0;
    rex |= (r & 8) >> 1;
    rex |= (x & 8) >> 2;
    rex |= (rm & 8) >> 3;
    /* spl, bpl, sil, dil only exist with a REX prefix; without one they are ah..bh. */
    bool need_rex = rex || ((opc & P_REXB_R) && r >= 4) || ((opc & P_REXB_RM) && rm >= 4);
    if (opc & P_DATA16) {
        tcg_out8(s, 0x66);
    }
    if (opc & P_F3) {
        tcg_out8(s, 0xf3);
    }
    if (need_rex) {
        tcg_out8(s, 0x40 | rex);
    }
    if (opc & (P_EXT | P_EXT38)) {
        tcg_out8(s, 0x0f);
    }
    if (opc & P_EXT38) {
        tcg_out8(s, 0x38);
    }
    tcg_out8(s, opc & 0xff);
}

static void out_modrm(TCGContext *s, int opc, int r, int rm)
{
    out_opc(s, opc, r, rm, 0);
    tcg_out8(s, 0xc0 | (r & 7) << 3 | (rm & 7));
}

/* [base + index * (1 << shift) + off]; index < 0 means none. off must fit in 32 bits. */
static void out_modrm_sib_offset(TCGContext *s, int opc, int r, int base, int index, int shift,
                                 intptr_t off)
{
    int mod, len;
    if (off == 0 && (base & 7) != R_RBP) {
        mod = 0, len = 0;
    } else if (off == (int8_t)off) {
        mod = 0x40, len = 1;
    } else {
        mod = 0x80, len = 4;
    }
    if (index < 0 && (base & 7) != R_RSP) {
        out_opc(s, opc, r, base, 0);
        tcg_out8(s, mod | (r & 7) << 3 | (base & 7));
    } else {
        if (index < 0) {
            index = R_RSP; /* "no index" */
        }
        out_opc(s, opc, r, base, index);
        tcg_out8(s, mod | (r & 7) << 3 | 4);
        tcg_out8(s, shift << 6 | (index & 7) << 3 | (base & 7));
    }
    if (len == 1) {
        tcg_out8(s, (uint8_t)off);
    } else if (len == 4) {
        tcg_out32(s, (uint32_t)off);
    }
}

static void out_movi_raw(TCGContext *s, TCGType type, int r, int64_t v);

static void out_modrm_offset(TCGContext *s, int opc, int r, int base, intptr_t off)
{
    if (off != (int32_t)off) {
        /* Far offsets are rare (env fields are near): form the address in a scratch
         * register that is not the data register. */
        int t = r == TMP0 ? TMP1 : TMP0;
        out_movi_raw(s, TCG_TYPE_I64, t, off);
        out_modrm(s, ARITH_OP(ARITH_ADD) + P_REXW, t, base);
        base = t;
        off = 0;
    }
    out_modrm_sib_offset(s, opc, r, base, -1, 0, off);
}

static void out_movi_raw(TCGContext *s, TCGType type, int r, int64_t v)
{
    if (type == TCG_TYPE_I32) {
        v = (uint32_t)v;
    }
    if (v == 0) {
        out_modrm(s, ARITH_OP(ARITH_XOR), r, r);
    } else if ((uint64_t)v == (uint32_t)v) {
        out_opc(s, 0xb8 + (r & 7), 0, r, 0);
        tcg_out32(s, (uint32_t)v);
    } else if (v == (int32_t)v) {
        out_modrm(s, 0xc7 | P_REXW, 0, r);
        tcg_out32(s, (uint32_t)v);
    } else {
        out_opc(s, (0xb8 + (r & 7)) | P_REXW, 0, r, 0);
        tcg_out64(s, (uint64_t)v);
    }
}

static int rexw(TCGType type)
{
    return type == TCG_TYPE_I64 ? P_REXW : 0;
}

void tcg_out_mov(TCGContext *s, TCGType type, int dst, int src)
{
    if (dst != src) {
        out_modrm(s, OPC_MOVL_GvEv | rexw(type), dst, src);
    }
}

void tcg_out_movi(TCGContext *s, TCGType type, int dst, int64_t val)
{
    out_movi_raw(s, type, dst, val);
}

void tcg_out_ld(TCGContext *s, TCGType type, int reg, int base, intptr_t off)
{
    out_modrm_offset(s, OPC_MOVL_GvEv | rexw(type), reg, base, off);
}

void tcg_out_st(TCGContext *s, TCGType type, int reg, int base, intptr_t off)
{
    out_modrm_offset(s, OPC_MOVL_EvGv | rexw(type), reg, base, off);
}

bool tcg_out_sti(TCGContext *s, TCGType type, int64_t val, int base, intptr_t off)
{
    if (type == TCG_TYPE_I64 && val != (int32_t)val) {
        return false;
    }
    out_modrm_offset(s, 0xc7 | rexw(type), 0, base, off);
    tcg_out32(s, (uint32_t)val);
    return true;
}

/* op r, imm with the short form when it fits. */
static void out_arithi(TCGContext *s, int ext, int w, int r, int64_t v)
{
    if (v == (int8_t)v) {
        out_modrm(s, 0x83 | w, ext, r);
        tcg_out8(s, (uint8_t)v);
    } else {
        out_modrm(s, 0x81 | w, ext, r);
        tcg_out32(s, (uint32_t)v);
    }
}

static void out_arith(TCGContext *s, int ext, int w, int r, TCGArg b, bool b_const)
{
    if (b_const) {
        out_arithi(s, ext, w, r, (int64_t)b);
    } else {
        out_modrm(s, ARITH_OP(ext) | w, r, (int)b);
    }
}

static void out_shifti(TCGContext *s, int ext, int w, int r, int count)
{
    out_modrm(s, OPC_SHIFT_Ib | w, ext, r);
    tcg_out8(s, count);
}

/* rel32 jump/call to an absolute RX address. */
static void out_jmp_abs(TCGContext *s, int opc, uintptr_t target_rx)
{
    int len = (opc & P_EXT) ? 6 : 5;
    uintptr_t next = (uintptr_t)s->code_ptr + s->rx_delta + len;
    out_opc(s, opc, 0, 0, 0);
    tcg_out32(s, (uint32_t)(target_rx - next));
}

/* Short forward jump; returns where to patch. */
static uint8_t *out_jcc8(TCGContext *s, int opc)
{
    tcg_out8(s, opc);
    tcg_out8(s, 0);
    return s->code_ptr - 1;
}

static void patch8_here(TCGContext *s, uint8_t *at)
{
    *at = (uint8_t)(s->code_ptr - (at + 1));
}

void tcg_out_patch_rel32(TCGContext *s, uint32_t at, uint32_t target)
{
    int32_t disp = (int32_t)target - (int32_t)(at + 4);
    memcpy(s->code_buf_rw + at, &disp, 4);
}

void tcg_out_call(TCGContext *s, const void *func)
{
    uintptr_t next = (uintptr_t)s->code_ptr + s->rx_delta + 5;
    intptr_t disp = (intptr_t)((uintptr_t)func - next);
    if (disp == (int32_t)disp) {
        tcg_out8(s, OPC_CALL_Jz);
        tcg_out32(s, (uint32_t)disp);
    } else {
        out_movi_raw(s, TCG_TYPE_I64, TMP0, (intptr_t)func);
        out_modrm(s, OPC_GRP5, EXT5_CALL, TMP0);
    }
}

static void out_cmp(TCGContext *s, TCGType type, TCGCond c, int a, TCGArg b, bool b_const)
{
    int w = rexw(type);
    if (c == TCG_COND_TSTEQ || c == TCG_COND_TSTNE) {
        if (b_const) {
            out_modrm(s, OPC_GRP3 | w, 0, a);
            tcg_out32(s, (uint32_t)b);
        } else {
            out_modrm(s, OPC_TESTL | w, (int)b, a);
        }
    } else if (b_const && b == 0) {
        out_modrm(s, OPC_TESTL | w, a, a);
    } else {
        out_arith(s, ARITH_CMP, w, a, b, b_const);
    }
}

void tcg_out_brcond(TCGContext *s, TCGType type, TCGCond c, int a, TCGArg b, bool b_const,
                    int label)
{
    if (c == TCG_COND_NEVER) {
        return;
    }
    if (c == TCG_COND_ALWAYS) {
        tcg_out_br(s, label);
        return;
    }
    out_cmp(s, type, c, a, b, b_const);
    out_opc(s, OPC_JCC_long + cond_to_jcc[c], 0, 0, 0);
    tcg_add_reloc(s, label, tcg_current_off(s));
    tcg_out32(s, 0);
}

void tcg_out_br(TCGContext *s, int label)
{
    tcg_out8(s, OPC_JMP_long);
    tcg_add_reloc(s, label, tcg_current_off(s));
    tcg_out32(s, 0);
}

void tcg_out_goto_tb(TCGContext *s, int n)
{
    /* The rel32 must be 4-byte aligned so that tcg_patch_jump's store is atomic. */
    while (((uintptr_t)s->code_ptr + 1) & 3) {
        tcg_out8(s, 0x90);
    }
    s->jmp_insn_off[n & 1] = tcg_current_off(s);
    tcg_out8(s, OPC_JMP_long);
    tcg_out32(s, 0); /* initially: the next instruction */
    s->jmp_reset_off[n & 1] = tcg_current_off(s);
}

void tcg_out_exit_tb(TCGContext *s, uintptr_t val)
{
    TCGCodeBuffer *buf = s->buf;
    if (val == 0) {
        out_jmp_abs(s, OPC_JMP_long, (uintptr_t)buf->rx + buf->epilogue_ret0_off);
    } else {
        out_movi_raw(s, TCG_TYPE_I64, R_RAX, (int64_t)val);
        out_jmp_abs(s, OPC_JMP_long, (uintptr_t)buf->rx + buf->epilogue_off);
    }
}

void tcg_out_goto_ptr(TCGContext *s, int reg)
{
    TCGCodeBuffer *buf = s->buf;
    out_modrm(s, OPC_TESTL | P_REXW, reg, reg);
    out_jmp_abs(s, OPC_JCC_long + JCC_JE, (uintptr_t)buf->rx + buf->epilogue_ret0_off);
    out_modrm(s, OPC_GRP5, EXT5_JMP, reg);
}

void tcg_out_mb(TCGContext *s, unsigned kind)
{
    /* x86 keeps every order except store->load. */
    if (kind & TCG_MB_ST_LD) {
        tcg_out8(s, 0x0f);
        tcg_out8(s, 0xae);
        tcg_out8(s, 0xf0);
    }
}

void tcg_out_nop_fill(TCGContext *s, uint8_t *p, size_t n)
{
    memset(p, 0x90, n);
}

/* ---- prologue ---- */

void tcg_target_emit_prologue(TCGCodeBuffer *buf)
{
    /* A throw-away context only to reuse the encoder. */
    TCGContext *s = calloc(1, sizeof(*s));
    s->buf = buf;
    s->code_buf_rw = buf->rw;
    s->code_ptr = buf->rw;
    s->rx_delta = buf->rx - buf->rw;
    static const int saved[] = {R_RBP, R_RBX, R_R12, R_R13, R_R14, R_R15};
    for (int i = 0; i < 6; i++) {
        out_opc(s, 0x50 + (saved[i] & 7), 0, saved[i], 0);
    }
    tcg_out_mov(s, TCG_TYPE_I64, TCG_AREG0, R_RDI);
    out_modrm(s, 0x81 | P_REXW, ARITH_SUB, R_RSP);
    tcg_out32(s, FRAME_SIZE);
    out_modrm(s, OPC_GRP5, EXT5_JMP, R_RSI);

    buf->epilogue_ret0_off = tcg_current_off(s);
    out_modrm(s, ARITH_OP(ARITH_XOR), R_RAX, R_RAX);
    buf->epilogue_off = tcg_current_off(s);
    out_modrm(s, 0x81 | P_REXW, ARITH_ADD, R_RSP);
    tcg_out32(s, FRAME_SIZE);
    for (int i = 5; i >= 0; i--) {
        out_opc(s, 0x58 + (saved[i] & 7), 0, saved[i], 0);
    }
    tcg_out8(s, 0xc3);
    buf->code_start = (tcg_current_off(s) + 63) & ~63u;
    buf->enter = (uintptr_t(*)(void *, const void *))(void *)buf->rx;
    free(s);
}

/* ---- soft-MMU ---- */

/* Emits the TLB probe; on a hit TMP0 holds the host address. Returns the offset of the
 * jne's rel32 to the slow path. */
static uint32_t out_tlb_probe(TCGContext *s, int addr, MemOpIdx oi, bool is_ld)
{
    const TCGConfig *cfg = &s->cfg;
    MemOp mop = get_memop(oi);
    unsigned s_bits = mop & MO_SIZE;
    unsigned a_bits = memop_alignment_bits(mop);
    int64_t s_mask = (1 << s_bits) - 1;
    int64_t a_mask = (1 << a_bits) - 1;
    int aw = cfg->guest_addr_bits == 64 ? P_REXW : 0;
    intptr_t desc = cfg->tlb_offset + (intptr_t)get_mmuidx(oi) * (intptr_t)sizeof(TCGTLBDesc);
    intptr_t cmp_off = is_ld ? offsetof(TCGTLBEntry, addr_read) : offsetof(TCGTLBEntry, addr_write);

    out_modrm(s, OPC_MOVL_GvEv | aw, TMP0, addr);
    out_shifti(s, SHIFT_SHR, aw, TMP0, cfg->page_bits - TCG_TLB_ENTRY_BITS);
    out_modrm_offset(s, ARITH_OP(ARITH_AND) | P_REXW, TMP0, TCG_AREG0,
                     desc + offsetof(TCGTLBDesc, mask));
    out_modrm_offset(s, ARITH_OP(ARITH_ADD) | P_REXW, TMP0, TCG_AREG0,
                     desc + offsetof(TCGTLBDesc, table));
    if (a_bits >= s_bits) {
        out_modrm(s, OPC_MOVL_GvEv | aw, TMP1, addr);
    } else {
        out_modrm_offset(s, OPC_LEA | aw, TMP1, addr, s_mask - a_mask);
    }
    int64_t page_mask = ~(((int64_t)1 << cfg->page_bits) - 1);
    out_modrm(s, 0x81 | aw, ARITH_AND, TMP1);
    tcg_out32(s, (uint32_t)(page_mask | a_mask));
    out_modrm_offset(s, ARITH_OP(ARITH_CMP) | P_REXW, TMP1, TMP0, cmp_off);
    out_opc(s, OPC_JCC_long + JCC_JNE, 0, 0, 0);
    uint32_t jne_at = tcg_current_off(s);
    tcg_out32(s, 0);
    out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, TMP0, TMP0, offsetof(TCGTLBEntry, addend));
    if (aw) {
        out_modrm(s, ARITH_OP(ARITH_ADD) | P_REXW, TMP0, addr);
    } else {
        out_modrm(s, OPC_MOVL_GvEv, TMP1, addr); /* zero-extends the 32-bit address */
        out_modrm(s, ARITH_OP(ARITH_ADD) | P_REXW, TMP0, TMP1);
    }
    return jne_at;
}

static void out_rol16_8(TCGContext *s, int r)
{
    out_modrm(s, OPC_SHIFT_Ib | P_DATA16, SHIFT_ROL, r);
    tcg_out8(s, 8);
}

static void out_qemu_ld_direct(TCGContext *s, TCGType type, int data, MemOp mop)
{
    int w = rexw(type);
    bool bswap = mop & MO_BSWAP, sign = mop & MO_SIGN;
    if (bswap && have_movbe && (mop & MO_SIZE) != MO_8) {
        /* movbe loads and swaps in one instruction; then extend as asked */
        switch (mop & MO_SIZE) {
        case MO_16:
            out_modrm_offset(s, OPC_MOVBE_GyMy | P_DATA16, data, TMP0, 0);
            out_modrm(s, sign ? OPC_MOVSWL | w : OPC_MOVZWL, data, data);
            break;
        case MO_32:
            out_modrm_offset(s, OPC_MOVBE_GyMy, data, TMP0, 0);
            if (sign && type == TCG_TYPE_I64) {
                out_modrm(s, OPC_MOVSLQ, data, data);
            }
            break;
        default: out_modrm_offset(s, OPC_MOVBE_GyMy | P_REXW, data, TMP0, 0); break;
        }
        return;
    }
    switch (mop & MO_SIZE) {
    case MO_8: out_modrm_offset(s, (sign ? OPC_MOVSBL | w : OPC_MOVZBL), data, TMP0, 0); break;
    case MO_16:
        if (!bswap) {
            out_modrm_offset(s, sign ? OPC_MOVSWL | w : OPC_MOVZWL, data, TMP0, 0);
        } else {
            out_modrm_offset(s, OPC_MOVZWL, data, TMP0, 0);
            out_rol16_8(s, data);
            out_modrm(s, sign ? OPC_MOVSWL | w : OPC_MOVZWL, data, data);
        }
        break;
    case MO_32:
        if (!bswap && sign && type == TCG_TYPE_I64) {
            out_modrm_offset(s, OPC_MOVSLQ, data, TMP0, 0);
        } else {
            out_modrm_offset(s, OPC_MOVL_GvEv, data, TMP0, 0);
            if (bswap) {
                out_opc(s, (0xc8 + (data & 7)) | P_EXT, 0, data, 0);
            }
            if (sign && type == TCG_TYPE_I64) {
                out_modrm(s, OPC_MOVSLQ, data, data);
            }
        }
        break;
    default:
        out_modrm_offset(s, OPC_MOVL_GvEv | P_REXW, data, TMP0, 0);
        if (bswap) {
            out_opc(s, (0xc8 + (data & 7)) | P_EXT | P_REXW, 0, data, 0);
        }
        break;
    }
}

static void out_qemu_st_direct(TCGContext *s, int data, MemOp mop)
{
    if ((mop & MO_BSWAP) && have_movbe && (mop & MO_SIZE) != MO_8) {
        int opc = (mop & MO_SIZE) == MO_16   ? OPC_MOVBE_MyGy | P_DATA16
                  : (mop & MO_SIZE) == MO_32 ? OPC_MOVBE_MyGy
                                             : OPC_MOVBE_MyGy | P_REXW;
        out_modrm_offset(s, opc, data, TMP0, 0);
        return;
    }
    if (mop & MO_BSWAP) {
        tcg_out_mov(s, TCG_TYPE_I64, TMP1, data);
        data = TMP1;
        switch (mop & MO_SIZE) {
        case MO_16: out_rol16_8(s, data); break;
        case MO_32: out_opc(s, (0xc8 + (data & 7)) | P_EXT, 0, data, 0); break;
        case MO_64: out_opc(s, (0xc8 + (data & 7)) | P_EXT | P_REXW, 0, data, 0); break;
        default: break;
        }
    }
    switch (mop & MO_SIZE) {
    case MO_8: out_modrm_offset(s, OPC_MOVB_EvGv | P_REXB_R, data, TMP0, 0); break;
    case MO_16: out_modrm_offset(s, OPC_MOVL_EvGv | P_DATA16, data, TMP0, 0); break;
    case MO_32: out_modrm_offset(s, OPC_MOVL_EvGv, data, TMP0, 0); break;
    default: out_modrm_offset(s, OPC_MOVL_EvGv | P_REXW, data, TMP0, 0); break;
    }
}

static void out_qemu_ldst(TCGContext *s, const TCGOp *op, const TCGArg *args, bool is_ld)
{
    int data = (int)args[0], addr = (int)args[1];
    MemOpIdx oi = (MemOpIdx)args[2];
    if (s->nb_ldst >= TCG_MAX_LDST) {
        s->regalloc_error = 1;
        longjmp(s->overflow, 2);
    }
    uint32_t jne_at = out_tlb_probe(s, addr, oi, is_ld);
    if (is_ld) {
        out_qemu_ld_direct(s, op->type, data, get_memop(oi));
    } else {
        out_qemu_st_direct(s, data, get_memop(oi));
    }
    s->ldst[s->nb_ldst++] = (TCGLdstInfo){
        .is_ld = is_ld,
        .type = op->type,
        .oi = oi,
        .addr_reg = addr,
        .data_reg = data,
        .jne_at = jne_at,
        .join_at = tcg_current_off(s),
    };
}

/* lea reg, [rip + (block offset target)] */
static void out_lea_rip(TCGContext *s, int reg, uint32_t target)
{
    out_opc(s, OPC_LEA | P_REXW, reg, 0, 0);
    tcg_out8(s, (reg & 7) << 3 | 5);
    int32_t disp = (int32_t)target - (int32_t)(tcg_current_off(s) + 4);
    tcg_out32(s, (uint32_t)disp);
}

void tcg_out_ldst_slow_paths(TCGContext *s)
{
    int aw = s->cfg.guest_addr_bits == 64 ? P_REXW : 0;
    for (int i = 0; i < s->nb_ldst; i++) {
        const TCGLdstInfo *l = &s->ldst[i];
        if (s->code_ptr > s->code_limit) {
            longjmp(s->overflow, 1);
        }
        tcg_out_patch_rel32(s, l->jne_at, tcg_current_off(s));
        /* Dead inputs may sit in argument registers: data goes to TMP1 before rsi
         * is written, then everything is read before the call. */
        if (!l->is_ld) {
            tcg_out_mov(s, TCG_TYPE_I64, TMP1, l->data_reg);
        }
        out_modrm(s, OPC_MOVL_GvEv | aw, R_RSI, l->addr_reg);
        if (l->is_ld) {
            tcg_out_mov(s, TCG_TYPE_I64, R_RDI, TCG_AREG0);
            out_movi_raw(s, TCG_TYPE_I32, R_RDX, l->oi);
            out_lea_rip(s, R_RCX, l->join_at);
            tcg_out_call(s, (const void *)s->cfg.ld_slow);
            tcg_out_mov(s, (TCGType)l->type, l->data_reg, R_RAX);
        } else {
            out_modrm(s, OPC_MOVL_GvEv | rexw(l->type), R_RDX, TMP1);
            tcg_out_mov(s, TCG_TYPE_I64, R_RDI, TCG_AREG0);
            out_movi_raw(s, TCG_TYPE_I32, R_RCX, l->oi);
            out_lea_rip(s, R_R8, l->join_at);
            tcg_out_call(s, (const void *)s->cfg.st_slow);
        }
        tcg_out8(s, OPC_JMP_long);
        tcg_out32(s, 0);
        tcg_out_patch_rel32(s, tcg_current_off(s) - 4, l->join_at);
    }
}

/* ---- ops ---- */

static void out_div(TCGContext *s, TCGOpcode opc, TCGType type, int d)
{
    int w = rexw(type);
    bool is_signed = opc == INDEX_op_div || opc == INDEX_op_rem;
    bool want_rem = opc == INDEX_op_rem || opc == INDEX_op_remu;
    out_modrm(s, OPC_TESTL | w, d, d);
    uint8_t *to_zero = out_jcc8(s, OPC_JCC_short + JCC_JE);
    uint8_t *to_done1 = NULL;
    if (is_signed) {
        /* MIN / -1 would raise #DE: -1 gives neg for the quotient and 0 remainder. */
        out_arithi(s, ARITH_CMP, w, d, -1);
        uint8_t *to_normal = out_jcc8(s, OPC_JCC_short + JCC_JNE);
        if (want_rem) {
            out_modrm(s, ARITH_OP(ARITH_XOR), R_RDX, R_RDX);
        } else {
            out_modrm(s, OPC_GRP3 | w, EXT3_NEG, R_RAX);
        }
        to_done1 = out_jcc8(s, OPC_JMP_short);
        patch8_here(s, to_normal);
        if (w) {
            tcg_out8(s, 0x48);
        }
        tcg_out8(s, 0x99); /* cdq / cqo */
        out_modrm(s, OPC_GRP3 | w, EXT3_IDIV, d);
    } else {
        out_modrm(s, ARITH_OP(ARITH_XOR), R_RDX, R_RDX);
        out_modrm(s, OPC_GRP3 | w, EXT3_DIV, d);
    }
    uint8_t *to_done2 = out_jcc8(s, OPC_JMP_short);
    patch8_here(s, to_zero);
    if (want_rem) {
        tcg_out_mov(s, type, R_RDX, R_RAX); /* x % 0 == x */
    } else {
        out_modrm(s, ARITH_OP(ARITH_XOR), R_RAX, R_RAX); /* x / 0 == 0 */
    }
    if (to_done1) {
        patch8_here(s, to_done1);
    }
    patch8_here(s, to_done2);
}

static void out_extract(TCGContext *s, TCGType type, int out, int in, int pos, int len, bool sign)
{
    int w = rexw(type);
    int width = type == TCG_TYPE_I32 ? 32 : 64;
    if (pos == 0 && len == 8) {
        out_modrm(s, (sign ? OPC_MOVSBL | w : OPC_MOVZBL) | P_REXB_RM, out, in);
    } else if (pos == 0 && len == 16) {
        out_modrm(s, sign ? OPC_MOVSWL | w : OPC_MOVZWL, out, in);
    } else if (pos == 0 && len == 32 && width == 64) {
        out_modrm(s, sign ? OPC_MOVSLQ : OPC_MOVL_GvEv, out, in);
    } else {
        tcg_out_mov(s, type, out, in);
        if (width - pos - len) {
            out_shifti(s, SHIFT_SHL, w, out, width - pos - len);
        }
        if (width - len) {
            out_shifti(s, sign ? SHIFT_SAR : SHIFT_SHR, w, out, width - len);
        }
    }
}

static void out_deposit(TCGContext *s, TCGType type, int out, int b, int pos, int len)
{
    int w = rexw(type);
    int width = type == TCG_TYPE_I32 ? 32 : 64;
    if (len >= width) {
        tcg_out_mov(s, type, out, b);
        return;
    }
    uint64_t mask = ((((uint64_t)1 << len) - 1) << pos);
    int64_t keep = type == TCG_TYPE_I32 ? (int32_t)~mask : (int64_t)~mask;
    /* TMP0 = field of b moved into place, other bits zero. */
    tcg_out_mov(s, TCG_TYPE_I64, TMP0, b);
    out_shifti(s, SHIFT_SHL, w, TMP0, width - len);
    if (width - len - pos) {
        out_shifti(s, SHIFT_SHR, w, TMP0, width - len - pos);
    }
    if (keep == (int32_t)keep) {
        out_arithi(s, ARITH_AND, w, out, keep);
    } else {
        out_movi_raw(s, TCG_TYPE_I64, TMP1, keep);
        out_modrm(s, ARITH_OP(ARITH_AND) | w, out, TMP1);
    }
    out_modrm(s, ARITH_OP(ARITH_OR) | w, out, TMP0);
}

static void out_ctpop_fallback(TCGContext *s, TCGType type, int out, int a)
{
    int w = rexw(type);
    int width = type == TCG_TYPE_I32 ? 32 : 64;
    static const uint64_t m[] = {0x5555555555555555ull, 0x3333333333333333ull,
                                 0x0f0f0f0f0f0f0f0full, 0x0101010101010101ull};
    tcg_out_mov(s, type, out, a);
    tcg_out_mov(s, TCG_TYPE_I64, TMP0, out);
    out_shifti(s, SHIFT_SHR, w, TMP0, 1);
    out_movi_raw(s, type, TMP1, (int64_t)m[0]);
    out_modrm(s, ARITH_OP(ARITH_AND) | w, TMP0, TMP1);
    out_modrm(s, ARITH_OP(ARITH_SUB) | w, out, TMP0);
    tcg_out_mov(s, TCG_TYPE_I64, TMP0, out);
    out_shifti(s, SHIFT_SHR, w, TMP0, 2);
    out_movi_raw(s, type, TMP1, (int64_t)m[1]);
    out_modrm(s, ARITH_OP(ARITH_AND) | w, TMP0, TMP1);
    out_modrm(s, ARITH_OP(ARITH_AND) | w, out, TMP1);
    out_modrm(s, ARITH_OP(ARITH_ADD) | w, out, TMP0);
    tcg_out_mov(s, TCG_TYPE_I64, TMP0, out);
    out_shifti(s, SHIFT_SHR, w, TMP0, 4);
    out_modrm(s, ARITH_OP(ARITH_ADD) | w, out, TMP0);
    out_movi_raw(s, type, TMP1, (int64_t)m[2]);
    out_modrm(s, ARITH_OP(ARITH_AND) | w, out, TMP1);
    out_movi_raw(s, type, TMP1, (int64_t)m[3]);
    out_modrm(s, OPC_IMUL_GvEv | w, out, TMP1);
    out_shifti(s, SHIFT_SHR, w, out, width - 8);
}

static void out_setcc_reg(TCGContext *s, TCGCond c, int out)
{
    out_modrm(s, OPC_SETCC + cond_to_jcc[c], 0, TMP0);
    out_modrm(s, OPC_MOVZBL, out, TMP0);
}

void tcg_out_op(TCGContext *s, const TCGOp *op, const TCGArg *args, const bool *cst)
{
    TCGType type = (TCGType)op->type;
    int w = rexw(type);
    int width = type == TCG_TYPE_I32 ? 32 : 64;
    int o = (int)args[0], a = (int)args[op->nb_o];
    TCGArg b = op->nb_i > 1 ? args[op->nb_o + 1] : 0;
    bool bc = op->nb_i > 1 ? cst[op->nb_o + 1] : false;

    switch (op->opc) {
    case INDEX_op_add:
        if (bc) {
            if (o == a) {
                out_arithi(s, ARITH_ADD, w, o, (int64_t)b);
            } else {
                out_modrm_sib_offset(s, OPC_LEA | w, o, a, -1, 0, (intptr_t)b);
            }
        } else if (o == a) {
            out_modrm(s, ARITH_OP(ARITH_ADD) | w, o, (int)b);
        } else if (o == (int)b) {
            out_modrm(s, ARITH_OP(ARITH_ADD) | w, o, a);
        } else {
            out_modrm_sib_offset(s, OPC_LEA | w, o, a, (int)b, 0, 0);
        }
        break;
    case INDEX_op_sub: out_arith(s, ARITH_SUB, w, o, b, bc); break;
    case INDEX_op_and: out_arith(s, ARITH_AND, w, o, b, bc); break;
    case INDEX_op_or: out_arith(s, ARITH_OR, w, o, b, bc); break;
    case INDEX_op_xor: out_arith(s, ARITH_XOR, w, o, b, bc); break;
    case INDEX_op_nand:
    case INDEX_op_nor:
    case INDEX_op_eqv:
        out_arith(s,
                  op->opc == INDEX_op_nand  ? ARITH_AND
                  : op->opc == INDEX_op_nor ? ARITH_OR
                                            : ARITH_XOR,
                  w, o, b, bc);
        out_modrm(s, OPC_GRP3 | w, EXT3_NOT, o);
        break;
    case INDEX_op_andc:
    case INDEX_op_orc: {
        int ext = op->opc == INDEX_op_andc ? ARITH_AND : ARITH_OR;
        if (bc) {
            out_arithi(s, ext, w, o, ~(int64_t)b);
        } else {
            tcg_out_mov(s, TCG_TYPE_I64, TMP0, (int)b);
            out_modrm(s, OPC_GRP3 | w, EXT3_NOT, TMP0);
            out_modrm(s, ARITH_OP(ext) | w, o, TMP0);
        }
        break;
    }
    case INDEX_op_mul:
        if (bc) {
            out_modrm(s, OPC_IMUL_GvEvIz | w, o, o);
            tcg_out32(s, (uint32_t)b);
        } else {
            out_modrm(s, OPC_IMUL_GvEv | w, o, (int)b);
        }
        break;
    case INDEX_op_neg: out_modrm(s, OPC_GRP3 | w, EXT3_NEG, o); break;
    case INDEX_op_not: out_modrm(s, OPC_GRP3 | w, EXT3_NOT, o); break;
    case INDEX_op_shl:
    case INDEX_op_shr:
    case INDEX_op_sar:
    case INDEX_op_rotl:
    case INDEX_op_rotr: {
        int ext = op->opc == INDEX_op_shl    ? SHIFT_SHL
                  : op->opc == INDEX_op_shr  ? SHIFT_SHR
                  : op->opc == INDEX_op_sar  ? SHIFT_SAR
                  : op->opc == INDEX_op_rotl ? SHIFT_ROL
                                             : SHIFT_ROR;
        if (bc) {
            int n = (int)(b & (width - 1));
            tcg_out_mov(s, type, o, a); /* no-op when aliased */
            if (n) {
                out_shifti(s, ext, w, o, n);
            }
        } else if (have_bmi2 && ext != SHIFT_ROL && ext != SHIFT_ROR) {
            /* shlx/shrx/sarx: VEX.LZ.{66,F2,F3}.0F38.W F7 /r, count in vvvv */
            int pp = ext == SHIFT_SHL ? 1 : ext == SHIFT_SAR ? 2 : 3;
            tcg_out8(s, 0xc4);
            tcg_out8(s, (((o & 8) ^ 8) << 4) | 0x40 | (((a & 8) ^ 8) << 2) | 0x02);
            tcg_out8(s, (w ? 0x80 : 0) | ((~(int)b & 15) << 3) | pp);
            tcg_out8(s, 0xf7);
            tcg_out8(s, 0xc0 | (o & 7) << 3 | (a & 7));
        } else {
            out_modrm(s, OPC_SHIFT_CL | w, ext, o);
        }
        break;
    }
    case INDEX_op_div:
    case INDEX_op_divu:
    case INDEX_op_rem:
    case INDEX_op_remu: out_div(s, (TCGOpcode)op->opc, type, (int)b); break;
    case INDEX_op_add2:
    case INDEX_op_sub2: {
        bool add = op->opc == INDEX_op_add2;
        int rh = (int)args[1];
        tcg_out_mov(s, TCG_TYPE_I64, TMP0, (int)args[2]);
        out_arith(s, add ? ARITH_ADD : ARITH_SUB, w, TMP0, args[4], cst[4]);
        tcg_out_mov(s, TCG_TYPE_I64, TMP1, (int)args[3]);
        out_arith(s, add ? ARITH_ADC : ARITH_SBB, w, TMP1, args[5], cst[5]);
        tcg_out_mov(s, type, o, TMP0);
        tcg_out_mov(s, type, rh, TMP1);
        break;
    }
    case INDEX_op_mulu2:
    case INDEX_op_muls2:
        out_modrm(s, OPC_GRP3 | w, op->opc == INDEX_op_mulu2 ? EXT3_MUL : EXT3_IMUL, (int)args[3]);
        break;
    case INDEX_op_ext8s: out_modrm(s, OPC_MOVSBL | w | P_REXB_RM, o, a); break;
    case INDEX_op_ext8u: out_modrm(s, OPC_MOVZBL | P_REXB_RM, o, a); break;
    case INDEX_op_ext16s: out_modrm(s, OPC_MOVSWL | w, o, a); break;
    case INDEX_op_ext16u: out_modrm(s, OPC_MOVZWL, o, a); break;
    case INDEX_op_ext32s:
    case INDEX_op_ext_i32_i64: out_modrm(s, OPC_MOVSLQ, o, a); break;
    case INDEX_op_ext32u:
    case INDEX_op_extu_i32_i64:
    case INDEX_op_extrl_i64_i32: out_modrm(s, OPC_MOVL_GvEv, o, a); break;
    case INDEX_op_extrh_i64_i32:
        tcg_out_mov(s, TCG_TYPE_I64, o, a);
        out_shifti(s, SHIFT_SHR, P_REXW, o, 32);
        break;
    case INDEX_op_bswap16:
        out_opc(s, (0xc8 + (o & 7)) | P_EXT, 0, o, 0);
        out_shifti(s, SHIFT_SHR, 0, o, 16);
        break;
    case INDEX_op_bswap32: out_opc(s, (0xc8 + (o & 7)) | P_EXT, 0, o, 0); break;
    case INDEX_op_bswap64: out_opc(s, (0xc8 + (o & 7)) | P_EXT | P_REXW, 0, o, 0); break;
    case INDEX_op_deposit: out_deposit(s, type, o, (int)b, (int)args[3], (int)args[4]); break;
    case INDEX_op_extract:
    case INDEX_op_sextract:
        out_extract(s, type, o, a, (int)args[2], (int)args[3], op->opc == INDEX_op_sextract);
        break;
    case INDEX_op_setcond:
    case INDEX_op_negsetcond: {
        TCGCond c = (TCGCond)args[3];
        if (c == TCG_COND_ALWAYS || c == TCG_COND_NEVER) {
            out_movi_raw(s, type, o, c == TCG_COND_ALWAYS);
        } else {
            out_cmp(s, type, c, a, b, bc);
            out_setcc_reg(s, c, o);
        }
        if (op->opc == INDEX_op_negsetcond) {
            out_modrm(s, OPC_GRP3 | w, EXT3_NEG, o);
        }
        break;
    }
    case INDEX_op_movcond: {
        TCGCond c = (TCGCond)args[5];
        int v1 = (int)args[3];
        if (c == TCG_COND_ALWAYS) {
            tcg_out_mov(s, type, o, v1);
        } else if (c != TCG_COND_NEVER) {
            out_cmp(s, type, c, a, b, bc);
            out_modrm(s, (OPC_CMOVCC + cond_to_jcc[c]) | w, o, v1);
        }
        break;
    }
    case INDEX_op_clz:
        if (have_lzcnt) {
            /* lzcnt sets CF for a zero input: keep the zero value then. */
            out_modrm(s, OPC_LZCNT | w, TMP0, a);
            out_modrm(s, (OPC_CMOVCC + JCC_JAE) | w, o, TMP0);
        } else {
            out_modrm(s, OPC_TESTL | w, a, a);
            uint8_t *skip = out_jcc8(s, OPC_JCC_short + JCC_JE);
            out_modrm(s, OPC_BSR | w, TMP0, a);
            out_arithi(s, ARITH_XOR, w, TMP0, width - 1);
            tcg_out_mov(s, type, o, TMP0);
            patch8_here(s, skip);
        }
        break;
    case INDEX_op_ctz:
        if (have_bmi1) {
            out_modrm(s, OPC_TZCNT | w, TMP0, a);
            out_modrm(s, (OPC_CMOVCC + JCC_JAE) | w, o, TMP0);
        } else {
            out_modrm(s, OPC_BSF | w, TMP0, a);
            out_modrm(s, (OPC_CMOVCC + JCC_JNE) | w, o, TMP0);
        }
        break;
    case INDEX_op_ctpop:
        if (have_popcnt) {
            out_modrm(s, OPC_POPCNT | w, o, a);
        } else {
            out_ctpop_fallback(s, type, o, a);
        }
        break;
    case INDEX_op_ld8u: out_modrm_offset(s, OPC_MOVZBL, o, a, (intptr_t)args[2]); break;
    case INDEX_op_ld8s: out_modrm_offset(s, OPC_MOVSBL | w, o, a, (intptr_t)args[2]); break;
    case INDEX_op_ld16u: out_modrm_offset(s, OPC_MOVZWL, o, a, (intptr_t)args[2]); break;
    case INDEX_op_ld16s: out_modrm_offset(s, OPC_MOVSWL | w, o, a, (intptr_t)args[2]); break;
    case INDEX_op_ld32u: out_modrm_offset(s, OPC_MOVL_GvEv, o, a, (intptr_t)args[2]); break;
    case INDEX_op_ld32s:
        out_modrm_offset(s, type == TCG_TYPE_I64 ? OPC_MOVSLQ : OPC_MOVL_GvEv, o, a,
                         (intptr_t)args[2]);
        break;
    case INDEX_op_ld: out_modrm_offset(s, OPC_MOVL_GvEv | w, o, a, (intptr_t)args[2]); break;
    case INDEX_op_st8:
    case INDEX_op_st16:
    case INDEX_op_st32:
    case INDEX_op_st: {
        int val = (int)args[0], base = (int)args[1];
        intptr_t off = (intptr_t)args[2];
        int size = op->opc == INDEX_op_st8    ? 1
                   : op->opc == INDEX_op_st16 ? 2
                   : op->opc == INDEX_op_st32 ? 4
                                              : (width / 8);
        int opc = size == 1   ? OPC_MOVB_EvGv | P_REXB_R
                  : size == 2 ? OPC_MOVL_EvGv | P_DATA16
                  : size == 4 ? OPC_MOVL_EvGv
                              : OPC_MOVL_EvGv | P_REXW;
        if (cst[0]) {
            int64_t v = (int64_t)args[0];
            int iopc = size == 1   ? 0xc6
                       : size == 2 ? 0xc7 | P_DATA16
                       : size == 4 ? 0xc7
                                   : 0xc7 | P_REXW;
            out_modrm_offset(s, iopc, 0, base, off);
            if (size == 1) {
                tcg_out8(s, (uint8_t)v);
            } else if (size == 2) {
                tcg_out8(s, (uint8_t)v);
                tcg_out8(s, (uint8_t)(v >> 8));
            } else {
                tcg_out32(s, (uint32_t)v);
            }
        } else {
            out_modrm_offset(s, opc, val, base, off);
        }
        break;
    }
    case INDEX_op_qemu_ld: out_qemu_ldst(s, op, args, true); break;
    case INDEX_op_qemu_st: out_qemu_ldst(s, op, args, false); break;
    default:
        fprintf(stderr, "tcg: x86_64 back-end cannot emit op %s\n", tcg_op_defs[op->opc].name);
        abort();
    }
}
