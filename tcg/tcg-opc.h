/* tcg/tcg-opc.h: the IR opcode list, declared once (X-macro). Everything else (enum, names
 * for the dump, argument counts, flags) is derived from it. Internal to tcg/.
 *
 * DEF(name, outputs, inputs, constant args, flags). Width-generic ops carry their width
 * (i32/i64) in TCGOp.type. Argument order in TCGOp.args: outputs, inputs, constants. */

/* control and block structure */
DEF(nop, 0, 0, 0, TCG_OPF_NOT_PRESENT)
DEF(insn_start, 0, 0, 3, TCG_OPF_NOT_PRESENT)
DEF(set_label, 0, 0, 1, TCG_OPF_BB_END)
DEF(br, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_BB_EXIT)
DEF(brcond, 0, 2, 2, TCG_OPF_BB_END | TCG_OPF_COND_BRANCH) /* cond, label */
DEF(goto_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_SIDE_EFFECTS)
DEF(exit_tb, 0, 0, 1, TCG_OPF_BB_END | TCG_OPF_BB_EXIT)
DEF(goto_ptr, 0, 1, 0, TCG_OPF_BB_END | TCG_OPF_BB_EXIT)
DEF(mb, 0, 0, 1, TCG_OPF_SIDE_EFFECTS)
DEF(call, 0, 0, 2, TCG_OPF_CALL_CLOBBER) /* func, flags; in/out counts per op */

/* moves and arithmetic */
DEF(mov, 1, 1, 0, 0)
DEF(add, 1, 2, 0, 0)
DEF(sub, 1, 2, 0, 0)
DEF(mul, 1, 2, 0, 0)
DEF(neg, 1, 1, 0, 0)
DEF(and, 1, 2, 0, 0)
DEF(or, 1, 2, 0, 0)
DEF(xor, 1, 2, 0, 0)
DEF(not, 1, 1, 0, 0)
DEF(andc, 1, 2, 0, 0)
DEF(orc, 1, 2, 0, 0)
DEF(nand, 1, 2, 0, 0)
DEF(nor, 1, 2, 0, 0)
DEF(eqv, 1, 2, 0, 0)
DEF(shl, 1, 2, 0, 0)
DEF(shr, 1, 2, 0, 0)
DEF(sar, 1, 2, 0, 0)
DEF(rotl, 1, 2, 0, 0)
DEF(rotr, 1, 2, 0, 0)
DEF(div, 1, 2, 0, 0)
DEF(divu, 1, 2, 0, 0)
DEF(rem, 1, 2, 0, 0)
DEF(remu, 1, 2, 0, 0)
DEF(add2, 2, 4, 0, 0)
DEF(sub2, 2, 4, 0, 0)
DEF(mulu2, 2, 2, 0, 0)
DEF(muls2, 2, 2, 0, 0)

/* extensions and conversions */
DEF(ext8s, 1, 1, 0, 0)
DEF(ext8u, 1, 1, 0, 0)
DEF(ext16s, 1, 1, 0, 0)
DEF(ext16u, 1, 1, 0, 0)
DEF(ext32s, 1, 1, 0, 0) /* i64 only */
DEF(ext32u, 1, 1, 0, 0) /* i64 only */
DEF(extu_i32_i64, 1, 1, 0, 0)
DEF(ext_i32_i64, 1, 1, 0, 0)
DEF(extrl_i64_i32, 1, 1, 0, 0)
DEF(extrh_i64_i32, 1, 1, 0, 0)
DEF(bswap16, 1, 1, 0, 0)
DEF(bswap32, 1, 1, 0, 0)
DEF(bswap64, 1, 1, 0, 0)

/* bit fields */
DEF(deposit, 1, 2, 2, 0)  /* pos, len */
DEF(extract, 1, 1, 2, 0)  /* pos, len */
DEF(sextract, 1, 1, 2, 0) /* pos, len */

/* conditions */
DEF(setcond, 1, 2, 1, 0)    /* cond */
DEF(negsetcond, 1, 2, 1, 0) /* cond */
DEF(movcond, 1, 4, 1, 0)    /* cond */

/* bit counts */
DEF(clz, 1, 2, 0, 0)
DEF(ctz, 1, 2, 0, 0)
DEF(ctpop, 1, 1, 0, 0)

/* host memory (env fields), offset constant */
DEF(ld8u, 1, 1, 1, 0)
DEF(ld8s, 1, 1, 1, 0)
DEF(ld16u, 1, 1, 1, 0)
DEF(ld16s, 1, 1, 1, 0)
DEF(ld32u, 1, 1, 1, 0)
DEF(ld32s, 1, 1, 1, 0)
DEF(ld, 1, 1, 1, 0) /* full width of the op type */
DEF(st8, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)
DEF(st16, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)
DEF(st32, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)
DEF(st, 0, 2, 1, TCG_OPF_SIDE_EFFECTS)

/* guest memory through the soft-MMU; constant arg = MemOpIdx */
DEF(qemu_ld, 1, 1, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS)
DEF(qemu_st, 0, 2, 1, TCG_OPF_CALL_CLOBBER | TCG_OPF_SIDE_EFFECTS)
