/* Stress test for tools/decodetree: the decoder generated from
 * mips32_sample.decode must decode real MIPS32r2 words as capstone
 * disassembles them and agree with a linear scan of every pattern. */
#include "tests/unit/decodetree/decodetree_test.h"

#include <ctype.h>
#include <stdint.h>

#include <capstone/capstone.h>

static int plus_1(DisasContext *ctx, int x)
{
    return x + 1;
}

#include "tests/unit/decodetree/mips.c.inc"

#define T(n, ...)                                        \
    static bool trans_##n(DisasContext *ctx, arg_##n *a) \
    {                                                    \
        return test_record(ctx, #n, __VA_ARGS__);        \
    }
#define RRR(n)   T(n, 3, a->rd, a->rs, a->rt)
#define RRI(n)   T(n, 3, a->rt, a->rs, a->imm)
#define SHIFT(n) T(n, 3, a->rd, a->rt, a->sa)
#define BR(n)    T(n, 3, a->rs, a->rt, a->off)
#define RR(n)    T(n, 2, a->rs, a->rt)
#define MEM(n)   T(n, 3, a->rt, a->base, a->off)
#define CODE(n)  T(n, 1, a->code)
#define TRAP(n)  T(n, 3, a->rs, a->rt, a->code)
#define TRAPI(n) T(n, 2, a->rs, a->imm)
#define JUMP(n)  T(n, 1, a->target)
#define BSHFL(n) T(n, 2, a->rd, a->rt)

#define NPATTERNS (sizeof(decode_mips_patterns) / sizeof(decode_mips_patterns[0]))

typedef struct {
    uint32_t insn;
    const char *name;
    int nargs;
    int args[4];
} RealWord;

/* Words and meanings as capstone disassembles them (big-endian MIPS32r2). */
static const RealWord real_words[] = {
    {0x27bdffe0, "ADDIU", 3, {29, 29, -32}}, /* addiu sp, sp, -0x20 */
    {0x8fbf001c, "LW", 3, {31, 29, 28}},     /* lw ra, 0x1c(sp) */
    {0x03e00008, "JR", 2, {31, 0}},          /* jr ra */
    {0x00000000, "SLL", 3, {0, 0, 0}},       /* nop */
    {0x0c100010, "JAL", 1, {0x100010}},      /* jal 0x400040 */
    {0x3c1c0001, "LUI", 3, {28, 0, 1}},      /* lui gp, 1 */
    {0x00851021, "ADDU", 3, {2, 4, 5}},      /* addu v0, a0, a1 */
    {0x7c0a4c20, "SEB", 2, {9, 10}},         /* seb t1, t2 */
    {0x7c0a4e20, "SEH", 2, {9, 10}},         /* seh t1, t2 */
    {0x7c0410a0, "WSBH", 2, {2, 4}},         /* wsbh v0, a0 */
    {0x7c8220c0, "EXT", 4, {4, 2, 3, 5}},    /* ext v0, a0, 3, 5 */
    {0x7c8238c4, "INS", 4, {4, 2, 7, 3}},    /* ins v0, a0, 3, 5 */
    {0x70851002, "MUL", 3, {2, 4, 5}},       /* mul v0, a0, a1 */
    {0x70821020, "CLZ", 3, {2, 4, 2}},       /* clz v0, a0 */
    {0x04110003, "BGEZAL", 3, {0, 0, 12}},   /* bal .+16 */
    {0x1080ffff, "BEQ", 3, {4, 0, -4}},      /* beqz a0, . */
    {0x0441fffd, "BGEZ", 3, {2, 0, -12}},    /* bgez v0, .-8 */
    {0x5440ffff, "BNEL", 3, {2, 0, -4}},     /* bnel v0, zero, . */
    {0x0000000c, "SYSCALL", 1, {0}},         /* syscall */
    {0x0000000d, "BREAK", 1, {0}},           /* break */
    {0x7000003f, "SDBBP", 1, {0}},           /* sdbbp */
    {0x000210c3, "SRA", 3, {2, 2, 3}},       /* sra v0, v0, 3 */
    {0x00231202, "ROTR", 3, {2, 3, 8}},      /* rotr v0, v1, 8 */
    {0x00641006, "SRLV", 3, {2, 3, 4}},      /* srlv v0, a0, v1 */
    {0x00641046, "ROTRV", 3, {2, 3, 4}},     /* rotrv v0, a0, v1 */
    {0xc0880000, "LL", 3, {8, 4, 0}},        /* ll t0, (a0) */
    {0xe0880000, "SC", 3, {8, 4, 0}},        /* sc t0, (a0) */
    {0x7c03e83b, "RDHWR", 2, {3, 29}},       /* rdhwr v1, $29 */
    {0x00000034, "TEQ", 3, {0, 0, 0}},       /* teq zero, zero */
    {0x0085100a, "MOVZ", 3, {2, 4, 5}},      /* movz v0, a0, a1 */
    {0x00001010, "MFHI", 1, {2}},            /* mfhi v0 */
    {0x00850018, "MULT", 2, {4, 5}},         /* mult a0, a1 */
    {0x0320f809, "JALR", 3, {25, 31, 0}},    /* jalr t9 */
    {0x0000000f, "SYNC", 1, {0}},            /* sync */
    {0xbc940000, "CACHE", 3, {4, 0x14, 0}},  /* cache 0x14, (a0) */
    {0xcc850004, "PREF", 3, {4, 5, 4}},      /* pref 5, 4(a0) */
    {0x04df0010, "SYNCI", 2, {6, 16}},       /* synci 0x10(a2) */
    {0x3084ffff, "ANDI", 3, {4, 4, 0xffff}}, /* andi a0, a0, 0xffff */
    {0x2442fffe, "ADDIU", 3, {2, 2, -2}},    /* addiu v0, v0, -2 */
};

START_TEST(test_mips_real_words)
{
    for (size_t i = 0; i < sizeof(real_words) / sizeof(real_words[0]); i++) {
        const RealWord *r = &real_words[i];
        DisasContext ctx = {0};

        ck_assert_msg(decode_mips(&ctx, r->insn), "%08x not decoded", r->insn);
        ck_assert_msg(strcmp(ctx.trail, r->name) == 0, "%08x decoded as %s, want %s", r->insn,
                      ctx.trail, r->name);
        ck_assert_int_eq(ctx.nargs, r->nargs);
        for (int j = 0; j < r->nargs; j++) {
            ck_assert_msg(ctx.args[j] == r->args[j], "%08x %s: argument %d is %d, want %d", r->insn,
                          r->name, j, ctx.args[j], r->args[j]);
        }
    }
}
END_TEST

START_TEST(test_mips_reserved)
{
    /* Reserved opcodes and fields that must be zero. */
    static const uint32_t bad[] = {
        0xfc000000, /* opcode 63 */
        0x00000005, /* SPECIAL function 5 */
        0x00000401, /* MOVCI belongs to the FPU, not in this sample */
        0x00851061, /* ADDU with sa != 0 */
        0x03e00808, /* JR with rd != 0 */
        0x04040000, /* REGIMM rt = 4 */
        0x3c200001, /* LUI with rs != 0 */
        0x7c0a4d20, /* BSHFL sa = 20 */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        DisasContext ctx = {0};

        ck_assert_msg(!decode_mips(&ctx, bad[i]), "%08x decoded as %s", bad[i], ctx.trail);
        ck_assert_str_eq(ctx.trail, "");
    }
}
END_TEST

static uint32_t rng_state = 0x2545f491;

static uint32_t rng_next(void)
{
    /* xorshift32: reproducible words without libc's rand(). */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* The one pattern whose fixed bits match, or NULL; the sample has no groups. */
static const char *linear_match(uint32_t insn)
{
    const char *found = NULL;

    for (size_t i = 0; i < NPATTERNS; i++) {
        if ((insn & decode_mips_patterns[i].mask) == decode_mips_patterns[i].bits) {
            ck_assert_msg(found == NULL, "%08x matches both %s and %s", insn, found,
                          decode_mips_patterns[i].name);
            found = decode_mips_patterns[i].name;
        }
    }
    return found;
}

START_TEST(test_mips_every_pattern)
{
    ck_assert_int_ge(NPATTERNS, 100);
    for (size_t i = 0; i < NPATTERNS; i++) {
        const DecodetreePattern *p = &decode_mips_patterns[i];
        for (int k = 0; k < 64; k++) {
            uint32_t insn = p->bits | (rng_next() & ~p->mask);
            DisasContext ctx = {0};

            ck_assert_msg(decode_mips(&ctx, insn), "%08x (%s) not decoded", insn, p->name);
            ck_assert_msg(strcmp(ctx.trail, p->name) == 0, "%08x decoded as %s, want %s", insn,
                          ctx.trail, p->name);
        }
    }
}
END_TEST

START_TEST(test_mips_random_words)
{
    int decoded = 0;

    for (int k = 0; k < 200000; k++) {
        uint32_t insn = rng_next();
        /* Half the words get a common opcode so the sub-tables are hit too. */
        if (k & 1) {
            insn &= 0x03ffffff;
            insn |= (uint32_t)(k % 4 == 1 ? 0 : 0x1c + (k / 4) % 4) << 26;
        }
        const char *want = linear_match(insn);
        DisasContext ctx = {0};
        bool ok = decode_mips(&ctx, insn);

        ck_assert_msg(ok == (want != NULL), "%08x: decoder says %d, scan says %s", insn, ok,
                      want ? want : "none");
        if (want) {
            ck_assert_msg(strcmp(ctx.trail, want) == 0, "%08x decoded as %s, want %s", insn,
                          ctx.trail, want);
            decoded++;
        }
    }
    ck_assert_int_gt(decoded, 1000);
}
END_TEST

/* Capstone's names where it prints an alias instead of the base instruction. */
static const char *const mnemonic_aliases[][2] = {
    {"sll", "nop"},  {"sll", "ssnop"},  {"sll", "ehb"},    {"addu", "move"},    {"or", "move"},
    {"beq", "b"},    {"beq", "beqz"},   {"bne", "bnez"},   {"bgezal", "bal"},   {"subu", "negu"},
    {"sub", "neg"},  {"nor", "not"},    {"jalr", "jr"},    {"jalr", "jalr.hb"}, {"jalr", "jr.hb"},
    {"jr", "jr.hb"}, {"beql", "beqzl"}, {"bnel", "bnezl"},
};

static bool mnemonic_matches(const char *pattern, const char *mnemonic)
{
    char lower[32];
    size_t i;

    for (i = 0; pattern[i] && i + 1 < sizeof(lower); i++) {
        lower[i] = (char)tolower((unsigned char)pattern[i]);
    }
    lower[i] = 0;
    if (strcmp(lower, mnemonic) == 0) {
        return true;
    }
    for (i = 0; i < sizeof(mnemonic_aliases) / sizeof(mnemonic_aliases[0]); i++) {
        if (strcmp(mnemonic_aliases[i][0], lower) == 0 &&
            strcmp(mnemonic_aliases[i][1], mnemonic) == 0) {
            return true;
        }
    }
    return false;
}

START_TEST(test_mips_against_capstone)
{
    csh handle;
    int compared = 0;

    ck_assert_int_eq(cs_open(CS_ARCH_MIPS, CS_MODE_MIPS32 | CS_MODE_BIG_ENDIAN, &handle),
                     CS_ERR_OK);
    for (size_t i = 0; i < NPATTERNS; i++) {
        const DecodetreePattern *p = &decode_mips_patterns[i];
        for (int k = 0; k < 32; k++) {
            uint32_t insn = p->bits | (rng_next() & ~p->mask);
            uint8_t bytes[4] = {insn >> 24, insn >> 16, insn >> 8, insn};
            DisasContext ctx = {0};
            cs_insn *ci;
            size_t n;

            ck_assert(decode_mips(&ctx, insn));
            n = cs_disasm(handle, bytes, sizeof(bytes), 0x1000, 1, &ci);
            /* Capstone only knows RDHWR for a few hardware registers. */
            if (n == 0 && strcmp(p->name, "RDHWR") == 0) {
                continue;
            }
            ck_assert_msg(n == 1, "%08x (%s): capstone cannot disassemble it", insn, p->name);
            ck_assert_msg(mnemonic_matches(ctx.trail, ci->mnemonic), "%08x: %s, capstone: %s %s",
                          insn, ctx.trail, ci->mnemonic, ci->op_str);
            cs_free(ci, n);
            compared++;
        }
    }
    cs_close(&handle);
    ck_assert_int_gt(compared, 3000);
}
END_TEST

Suite *decodetree_mips_suite(void)
{
    Suite *s = suite_create("decodetree_mips");
    TCase *tc = tcase_create("mips");

    tcase_add_test(tc, test_mips_real_words);
    tcase_add_test(tc, test_mips_reserved);
    tcase_add_test(tc, test_mips_every_pattern);
    tcase_add_test(tc, test_mips_random_words);
    tcase_add_test(tc, test_mips_against_capstone);
    suite_add_tcase(s, tc);
    return s;
}

/* The trans_ functions only record their arguments. */
/* clang-format off */
SHIFT(SLL) SHIFT(SRL) SHIFT(ROTR) SHIFT(SRA)
RRR(SLLV) RRR(SRLV) RRR(ROTRV) RRR(SRAV) RRR(MOVZ) RRR(MOVN)
RRR(ADD) RRR(ADDU) RRR(SUB) RRR(SUBU) RRR(AND) RRR(OR) RRR(XOR) RRR(NOR) RRR(SLT) RRR(SLTU)
RRR(MUL) RRR(CLZ) RRR(CLO)
T(JR, 2, a->rs, a->hb)
T(JALR, 3, a->rs, a->rd, a->hb)
CODE(SYSCALL) CODE(BREAK) CODE(SDBBP)
T(SYNC, 1, a->stype)
T(MFHI, 1, a->rd)
T(MFLO, 1, a->rd)
T(MTHI, 1, a->rs)
T(MTLO, 1, a->rs)
RR(MULT) RR(MULTU) RR(DIV) RR(DIVU) RR(MADD) RR(MADDU) RR(MSUB) RR(MSUBU)
TRAP(TGE) TRAP(TGEU) TRAP(TLT) TRAP(TLTU) TRAP(TEQ) TRAP(TNE)
BR(BLTZ) BR(BGEZ) BR(BLTZL) BR(BGEZL) BR(BLTZAL) BR(BGEZAL) BR(BLTZALL) BR(BGEZALL)
BR(BEQ) BR(BNE) BR(BLEZ) BR(BGTZ) BR(BEQL) BR(BNEL) BR(BLEZL) BR(BGTZL)
TRAPI(TGEI) TRAPI(TGEIU) TRAPI(TLTI) TRAPI(TLTIU) TRAPI(TEQI) TRAPI(TNEI)
T(SYNCI, 2, a->base, a->off)
JUMP(J) JUMP(JAL)
RRI(ADDI) RRI(ADDIU) RRI(SLTI) RRI(SLTIU) RRI(ANDI) RRI(ORI) RRI(XORI) RRI(LUI)
T(EXT, 4, a->rs, a->rt, a->lsb, a->size)
T(INS, 4, a->rs, a->rt, a->msb, a->lsb)
BSHFL(WSBH) BSHFL(SEB) BSHFL(SEH)
T(RDHWR, 2, a->rt, a->rd)
MEM(LB) MEM(LH) MEM(LWL) MEM(LW) MEM(LBU) MEM(LHU) MEM(LWR)
MEM(SB) MEM(SH) MEM(SWL) MEM(SW) MEM(SWR) MEM(LL) MEM(SC)
T(CACHE, 3, a->base, a->op, a->off)
T(PREF, 3, a->base, a->hint, a->off)
