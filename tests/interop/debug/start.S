/* Bare-metal start for the gdb and -d log tests (tests/interop/debug): a
 * stack, an exception vector (timer interrupt: count it; else skip the trapping
 * instruction), main(). */
    .set noreorder
    .section .vector, "ax"
    .globl vector
vector:
    mfc0  $k0, $13          /* Cause: ExcCode 0 is an interrupt */
    andi  $k0, $k0, 0x7c
    bnez  $k0, 1f
    nop
    mtc0  $zero, $11        /* Compare: acknowledges the timer interrupt */
    la    $k1, ticks
    lw    $k0, 0($k1)
    addiu $k0, $k0, 1
    sw    $k0, 0($k1)
    eret
    nop
1:  mfc0  $k0, $14          /* EPC: skip the trapping instruction */
    addiu $k0, $k0, 4
    mtc0  $k0, $14
    la    $k1, traps
    lw    $k0, 0($k1)
    addiu $k0, $k0, 1
    sw    $k0, 0($k1)
    eret
    nop

    .text
    .globl _start
    .ent _start
_start:
    la    $sp, stack_top
    mfc0  $t0, $12          /* Status: clear BEV so exceptions use 0x80000180 */
    li    $t1, 0xffbfffe0   /* ~(BEV | KSU | ERL | EXL | IE) */
    and   $t0, $t0, $t1
    mtc0  $t0, $12
    ehb
    jal   main
    nop
    /* Malta FPGA soft reset: with -no-reboot mimic exits. */
    li    $t0, 0xbf000500
    li    $t1, 0x42
    sw    $t1, 0($t0)
1:  b     1b
    nop
    .end _start

    .bss
    .space 4096
stack_top:
