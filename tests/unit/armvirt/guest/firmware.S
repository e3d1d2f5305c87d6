@ tests/unit/armvirt/guest/firmware.S: a stand-in for firmware given with -bios on the
@ virt board: from the flash at 0 it checks what the board promises firmware (a device
@ tree at the start of RAM, r2 pointing at it), says so on the PL011 and powers the
@ machine off through PSCI SYSTEM_OFF, which must end mimic with status 0.
    .syntax unified
    .arm
    .arch armv7-a
    .arch_extension virt
    .global _start
_start:
    ldr r4, =0x09000000         @ PL011 data register
    ldr r5, =0x40000000         @ start of RAM
    ldr r0, [r5]
    ldr r1, =0xedfe0dd0         @ FDT magic 0xd00dfeed, read little-endian
    cmp r0, r1
    cmpeq r2, r5
    adrne r6, bad
    adreq r6, good
1:  ldrb r0, [r6], #1
    cmp r0, #0
    strbne r0, [r4]
    bne 1b
    ldr r0, =0x84000008         @ PSCI SYSTEM_OFF
    hvc #0
2:  b 2b
good: .asciz "firmware: device tree at the start of RAM, r2 = 0x40000000\n"
bad:  .asciz "firmware: no device tree at the start of RAM\n"
