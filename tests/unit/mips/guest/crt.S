/*
 * tests/unit/mips/guest/crt.S: start-up and exception vectors shared by the bare-metal
 * MIPS test programs: records every exception for the C checks, maps pages on TLB refill,
 * acknowledges timer interrupts, and reports main's result to the test device.
 */
#define STATUS $12
#define CAUSE $13
#define EPC $14
#define BADVADDR $8
#define ENTRYHI $10
#define ENTRYLO0 $2
#define ENTRYLO1 $3
#define COMPARE $11
#define PAGEMASK $5

    .set noreorder
    .set noat
    .section .text.vectors, "ax"
    .globl _vectors
_vectors:
    /* 0x000: TLB refill. Maps the faulting even/odd pair at refill_pa + (va - 0x00400000)
     * when refill_pa is set, else records the fault and skips like a general exception. */
    lui $k0, %hi(refill_count)
    lw $k1, %lo(refill_count)($k0)
    addiu $k1, $k1, 1
    sw $k1, %lo(refill_count)($k0)
    lui $k0, %hi(refill_pa)
    lw $k0, %lo(refill_pa)($k0)
    beqz $k0, general
    nop
    mfc0 $k1, BADVADDR
    srl $k1, $k1, 13
    sll $k1, $k1, 13
    lui $k0, 0x0040
    subu $k1, $k1, $k0          /* offset of the pair from 0x00400000 */
    lui $k0, %hi(refill_pa)
    lw $k0, %lo(refill_pa)($k0)
    addu $k0, $k0, $k1          /* physical address of the even page */
    srl $k0, $k0, 6            /* PFN field (pa >> 12 << 6) */
    ori $k0, $k0, 0x1e         /* C=3 (cacheable), D, V */
    mtc0 $k0, ENTRYLO0
    addiu $k0, $k0, 0x40       /* the next 4 KiB page */
    mtc0 $k0, ENTRYLO1
    mtc0 $zero, PAGEMASK
    ehb
    tlbwr
    eret
    nop

    .org 0x180
general:
    mfc0 $k0, CAUSE
    andi $k1, $k0, 0x7c
    beqz $k1, interrupt
    nop
    lui $k1, %hi(exc_cause)
    sw $k0, %lo(exc_cause)($k1)
    mfc0 $k0, EPC
    lui $k1, %hi(exc_epc)
    sw $k0, %lo(exc_epc)($k1)
    mfc0 $k0, BADVADDR
    lui $k1, %hi(exc_badvaddr)
    sw $k0, %lo(exc_badvaddr)($k1)
    lui $k1, %hi(exc_count)
    lw $k0, %lo(exc_count)($k1)
    addiu $k0, $k0, 1
    sw $k0, %lo(exc_count)($k1)
    /* exc_log[count % 16] = Cause */
    andi $k0, $k0, 15
    sll $k0, $k0, 2
    lui $k1, %hi(exc_log)
    addiu $k1, $k1, %lo(exc_log)
    addu $k1, $k1, $k0
    mfc0 $k0, CAUSE
    sw $k0, 0($k1)
    /* A BREAK while exc_kernel_resume is set returns to kernel mode there (user tests). */
    andi $k0, $k0, 0x7c
    xori $k0, $k0, (9 << 2)
    bnez $k0, 3f
    nop
    lui $k1, %hi(exc_kernel_resume)
    lw $k0, %lo(exc_kernel_resume)($k1)
    beqz $k0, 3f
    sw $zero, %lo(exc_kernel_resume)($k1)
    mtc0 $k0, EPC
    mfc0 $k0, STATUS
    ins $k0, $zero, 3, 2
    mtc0 $k0, STATUS
    ehb
    eret
    nop
3:
    /* Resume at exc_resume if the test set it (then cleared), else after EPC. */
    lui $k1, %hi(exc_resume)
    lw $k0, %lo(exc_resume)($k1)
    bnez $k0, 1f
    sw $zero, %lo(exc_resume)($k1)
    mfc0 $k0, EPC
    addiu $k0, $k0, 4
1:  mtc0 $k0, EPC
    ehb
    eret
    nop

    .org 0x280
    .globl _start
_start:
    la $sp, _stack_top
    /* Kernel mode, BEV and ERL off (vectors at EBase 0x80000000), FPU usable if present. */
    li $t0, 0x20000000
    mtc0 $t0, STATUS
    ehb
    jal main
    nop
    lui $t0, 0xbf00
    sw $v0, 4($t0)
2:  b 2b
    nop

    /* Past the vectors (0x180 branches here): the window check makes it too long to
     * fit before _start. */
interrupt:
    /* An interrupt taken between a program's `ei` and its `wait` (irq.c marks the two
     * with irq_wait_begin/irq_wait_end; weak, so 0 elsewhere) resumes after the wait:
     * returning to the WAIT would sleep for ever. Count runs on host time here, so a
     * loaded host can let a 50 us timer expire inside that window. */
    mfc0 $k0, EPC
    lui $k1, %hi(irq_wait_begin)
    addiu $k1, $k1, %lo(irq_wait_begin)
    sltu $k1, $k0, $k1
    bnez $k1, 3f
    lui $k1, %hi(irq_wait_end)
    addiu $k1, $k1, %lo(irq_wait_end)
    sltu $k0, $k0, $k1
    beqz $k0, 3f
    nop
    mtc0 $k1, EPC
3:
    /* Timer: acknowledge by rewriting Compare, count it. Software IP0/IP1: clear them. */
    lui $k1, %hi(irq_count)
    lw $k0, %lo(irq_count)($k1)
    addiu $k0, $k0, 1
    sw $k0, %lo(irq_count)($k1)
    mfc0 $k0, CAUSE
    lui $k1, %hi(irq_cause)
    sw $k0, %lo(irq_cause)($k1)
    ins $k0, $zero, 8, 2
    mtc0 $k0, CAUSE
    mfc0 $k0, COMPARE
    mtc0 $k0, COMPARE
    ehb
    eret
    nop

    .weak irq_wait_begin, irq_wait_end

    .data
    .globl exc_cause, exc_epc, exc_badvaddr, exc_count, exc_resume, refill_count, refill_pa
    .globl irq_count, irq_cause, exc_log, exc_kernel_resume
exc_cause: .word 0
exc_epc: .word 0
exc_badvaddr: .word 0
exc_count: .word 0
exc_resume: .word 0
refill_count: .word 0
refill_pa: .word 0
irq_count: .word 0
irq_cause: .word 0
exc_kernel_resume: .word 0
exc_log: .space 64
