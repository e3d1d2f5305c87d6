/* tests/unit/arm/guest/crt.S: start-up and exception vectors for the bare-metal ARM test
 * programs. Every exception is recorded (kind, return address, SPSR, fault registers) and
 * then resumed: SVC/UND/prefetch after the instruction, data abort after the faulting one,
 * unless exc_resume holds an address to go to. IRQs call irq_handler(). */
    .syntax unified
    .arm
    .section .text.vectors, "ax"
    .global _vectors
_vectors:
    b _start
    b und_entry
    b svc_entry
    b pabt_entry
    b dabt_entry
    b .
    b irq_entry
    b .

    .text
    .global _start
_start:
    mrc p15, 0, r0, c0, c0, 5       @ MPIDR: CPUs other than 0 run secondary_main
    ands r0, r0, #0xff
    bne secondary_start
    ldr r0, =_vectors
    mcr p15, 0, r0, c12, c0, 0      @ VBAR
    cps #0x17
    ldr sp, =_stack_abt
    cps #0x1b
    ldr sp, =_stack_und
    cps #0x12
    ldr sp, =_stack_irq
    cps #0x1f
    ldr sp, =_stack_usr
    cps #0x13
    ldr sp, =_stack_svc
    bl main
    ldr r1, =0x0a000000
    str r0, [r1, #4]
1:  b 1b

.macro record kind, adj
    push {r0-r3, r12, lr}
    ldr r0, =exc_kind
    mov r1, #\kind
    str r1, [r0]
    ldr r0, =exc_lr
    sub r1, lr, #\adj
    str r1, [r0]
    mrs r1, spsr
    ldr r0, =exc_spsr
    str r1, [r0]
    ldr r0, =exc_count
    ldr r1, [r0]
    add r1, r1, #1
    str r1, [r0]
.endm

.macro resume
    ldr r0, =exc_resume
    ldr r1, [r0]
    cmp r1, #0
    beq 2f
    mov r2, #0
    str r2, [r0]
    mrs r2, spsr                    @ bit 0 of the resume address selects Thumb
    tst r1, #1
    orrne r2, r2, #0x20
    biceq r2, r2, #0x20
    bic r1, r1, #1
    msr spsr_fsxc, r2
    str r1, [sp, #20]               @ replace the saved lr
2:  pop {r0-r3, r12, lr}
    movs pc, lr
.endm

und_entry:
    push {r0}                       @ Thumb: LR_und is the address + 2; skip a 32-bit one
    mrs r0, spsr
    tst r0, #0x20
    beq 1f
    ldrh r0, [lr, #-2]
    lsr r0, r0, #11
    cmp r0, #0x1d
    addhs lr, lr, #2
1:  pop {r0}
    record 1, 0
    resume
svc_entry:
    record 2, 0
    resume
pabt_entry:
    push {r0}
    mrs r0, spsr
    tst r0, #0x20
    subne lr, lr, #2                @ Thumb BKPT is 16 bits: LR_abt is its address + 4
    pop {r0}
    record 3, 0
    mrc p15, 0, r1, c5, c0, 1
    ldr r0, =exc_fsr
    str r1, [r0]
    mrc p15, 0, r1, c6, c0, 2
    ldr r0, =exc_far
    str r1, [r0]
    resume
dabt_entry:
    sub lr, lr, #8                  @ the faulting instruction; return after it
    push {r0}
    mrs r0, spsr
    tst r0, #0x20
    addeq lr, lr, #4
    beq 1f
    ldrh r0, [lr]
    lsr r0, r0, #11
    cmp r0, #0x1d
    addlo lr, lr, #2
    addhs lr, lr, #4
1:  pop {r0}
    record 4, 0
    mrc p15, 0, r1, c5, c0, 0
    ldr r0, =exc_fsr
    str r1, [r0]
    mrc p15, 0, r1, c6, c0, 0
    ldr r0, =exc_far
    str r1, [r0]
    resume
irq_entry:
    sub lr, lr, #4
    push {r0-r3, r12, lr}
    bl irq_handler
    pop {r0-r3, r12, lr}
    movs pc, lr

    .weak irq_handler
irq_handler:
    bx lr

secondary_start:
    ldr r1, =_stack_cpu1
    sub sp, r1, r0, lsl #12         @ 4 KiB per secondary CPU
    bl secondary_main
2:  wfi
    b 2b

    .weak secondary_main
secondary_main:
    bx lr

    .data
    .global exc_kind, exc_lr, exc_spsr, exc_count, exc_fsr, exc_far, exc_resume
exc_kind:   .word 0
exc_lr:     .word 0
exc_spsr:   .word 0
exc_count:  .word 0
exc_fsr:    .word 0
exc_far:    .word 0
exc_resume: .word 0
