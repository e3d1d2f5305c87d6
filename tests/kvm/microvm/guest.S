/*
 * tests/kvm/microvm/guest.S: the KVM test guest, a bzImage-format file (real setup header) that
 * mimic's Linux boot loader starts at startup_64. CPL 0 work is kept to a few thousand
 * instructions (software KVM emulates it); the checks and the compute loop run at CPL 3.
 * Prints on COM1 what it found, what it computed, and powers off through PM1a_CNT.
 */
#define PAYLOAD_PA 0x100000
#define PA(x) ((x) - payload_start + PAYLOAD_PA)
#define COM1 0x3f8
#ifndef PIT_DIVISOR
#define PIT_DIVISOR 11932 /* 100 Hz */
#endif
#define PML4 0x300000
#define PDPT 0x301000
#define PD0 0x302000
#define PD3 0x303000
#define KSTACK 0x380000
#define USTACK 0x390000
#define TRAMPOLINE 0x8000
#define AP_COUNT 0x8800
#define AP_LOCK 0x8804
#define VQ_DESC 0x400000
#define VQ_AVAIL 0x400100
#define VQ_USED 0x401000
#define VQ_HDR 0x402000
#define VQ_STATUS 0x402010
#define VQ_DATA 0x403000
#define VIRTIO 0xfeb00000
#define RNG_RING 0x410000
#define RNG_BUF 0x412000
#define CON_RING 0x420000
#define NET_RX_RING 0x430000
#define NET_TX_RING 0x434000
#define NET_RXBUF 0x438000
#define NET_TXBUF 0x439000

    .text
    /* ---- the real-mode setup part: only the header matters ---- */
setup_start:
    .org 0x1f1
    .byte 1                         /* setup_sects: payload at file offset 0x400 */
    .word 0                         /* root_flags */
    .long 0                         /* syssize */
    .word 0                         /* ram_size */
    .word 0xffff                    /* vid_mode */
    .word 0                         /* root_dev */
    .word 0xaa55                    /* boot_flag */
    .byte 0xeb, 0x66                /* jump */
    .ascii "HdrS"
    .word 0x020f                    /* version */
    .org 0x211
    .byte 0x01                      /* loadflags: LOADED_HIGH */
    .org 0x22c
    .long 0x7fffffff                /* initrd_addr_max */
    .long 0x200000                  /* kernel_alignment */
    .byte 0, 0                      /* relocatable, min_alignment */
    .word 0x0001                    /* xloadflags: XLF_KERNEL_64 */
    .long 2047                      /* cmdline_size */
    .org 0x260
    .long 0x100000                  /* init_size */
    .org 0x400

    /* ---- the protected-mode payload, loaded at 1 MiB ---- */
payload_start:
gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08 kernel code64 */
    .quad 0x00cf92000000ffff        /* 0x10 kernel data */
    .quad 0x00cff2000000ffff        /* 0x18 user data (dpl 3) */
    .quad 0x00affa000000ffff        /* 0x20 user code64 (dpl 3) */
gdt_tss:
    .quad 0, 0                      /* 0x28 TSS, filled at run time */
gdt_end:
gdtr:
    .word gdt_end - gdt - 1
    .quad PA(gdt)
idtr:
    .word 256 * 16 - 1
    .quad PA(idt)
boot_params:
    .quad 0
reboot_req:
    .byte 0
crash_req:
    .byte 0
notick_req:
    .byte 0

ticks:
    .quad 0
    .org payload_start + 0x200

startup_64:
    cli
    mov %rsi, PA(boot_params)
    mov $KSTACK, %rsp
    lea msg_hello(%rip), %rsi
    call puts

    /* Page tables of our own: first GiB and the device window at 0xfea00000, user
     * accessible. */
    mov $PML4, %rdi
    xor %eax, %eax
    mov $(0x4000 / 8), %ecx
    rep stosq
    movq $(PDPT | 7), PML4
    movq $(PD0 | 7), PDPT
    movq $(PD3 | 7), PDPT + 24
    mov $PD0, %rdi
    mov $0x87, %eax
    mov $512, %ecx
1:  mov %rax, (%rdi)
    add $0x200000, %rax
    add $8, %rdi
    dec %ecx
    jnz 1b
    mov $(0xfea00000 | 0x9f), %eax
    mov %rax, PD3 + 501 * 8
    mov $(0xfec00000 | 0x9f), %eax
    mov %rax, PD3 + 502 * 8
    mov $(0xfee00000 | 0x9f), %eax
    mov %rax, PD3 + 503 * 8
    mov $PML4, %rax
    mov %rax, %cr3
    call power_on_report

    /* TSS descriptor: base = tss, limit covers the I/O bitmap (ports 0-0x3ff allowed). */
    lea tss(%rip), %rax
    movw $(tss_end - tss - 1), gdt_tss(%rip)
    mov %ax, gdt_tss + 2(%rip)
    shr $16, %rax
    mov %al, gdt_tss + 4(%rip)
    movb $0x89, gdt_tss + 5(%rip)
    mov %ah, gdt_tss + 7(%rip)
    shr $16, %rax
    mov %eax, gdt_tss + 8(%rip)
    movq $KSTACK, tss + 4(%rip)
    movw $(tss_iomap - tss), tss + 102(%rip)
    lgdt gdtr(%rip)
    mov $0x28, %ax
    ltr %ax
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    lea 2f(%rip), %rax
    pushq $0x08
    push %rax
    lretq
2:
    /* IDT: every exception to `fault` (#GP to its port-output emulation), the timer to irq0. */
    lea idt(%rip), %rdi
    lea fault(%rip), %rax
    xor %ecx, %ecx
3:  call set_gate
    inc %ecx
    cmp $32, %ecx
    jne 3b
    lea irq0(%rip), %rax
    mov $0x20, %ecx
    call set_gate
    lea gp_fault(%rip), %rax
    mov $13, %ecx
    call set_gate
    lidt idtr(%rip)
    /* SYSCALL (how user code comes back): EFER.SCE, kernel CS 0x08, entry, IF masked. */
    mov $0xc0000080, %ecx
    rdmsr
    or $1, %eax
    wrmsr
    mov $0xc0000081, %ecx
    xor %eax, %eax
    mov $0x00080000, %edx
    wrmsr
    mov $0xc0000082, %ecx
    lea back_from_user(%rip), %rax
    mov %rax, %rdx
    shr $32, %rdx
    wrmsr
    mov $0xc0000084, %ecx
    mov $0x200, %eax
    xor %edx, %edx
    wrmsr

    /* 8259A: master at vector 0x20, only IRQ 0; slave masked. PIT channel 0 at 100 Hz. */
    mov $0x11, %al
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $4, %al
    out %al, $0x21
    mov $2, %al
    out %al, $0xa1
    mov $1, %al
    out %al, $0x21
    out %al, $0xa1
    mov $0xfe, %al
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    mov $0x34, %al
    out %al, $0x43
    mov $(PIT_DIVISOR & 0xff), %al
    out %al, $0x40
    mov $(PIT_DIVISOR >> 8), %al
    out %al, $0x40

    call start_ap
    call virtio_blk_test
    call virtio_rng_test
    call virtio_console_test
    call virtio_net_test

    /* To CPL 3 with interrupts on; user code gets boot_params in rdi. */
    lea msg_user(%rip), %rsi
    call puts
    mov PA(boot_params), %rdi
    lea user_main(%rip), %rax
    pushq $0x1b
    pushq $USTACK
    pushq $0x202
    pushq $0x23
    push %rax
    iretq

back_from_user:
    mov $KSTACK, %rsp
    lea msg_ticks(%rip), %rsi
    call puts
    mov ticks(%rip), %rax
    call puthex
    call newline

    /* crash=1: a triple fault (no IDT), which mimic must survive */
    cmpb $0, crash_req(%rip)
    je 49f
    lea msg_crash(%rip), %rsi
    call puts
    lea idt(%rip), %rdi             /* every gate not present (LIDT faults here) */
    xor %eax, %eax
    mov $512, %ecx
    rep stosq
    ud2
49:
    /* reboot=1: reset through the keyboard controller once (a marker in RAM survives) */
    cmpb $0, reboot_req(%rip)
    je 45f
    cmpl $0x544f4f42, 0x500000
    je 46f
    movl $0x544f4f42, 0x500000
    lea msg_reboot(%rip), %rsi
    call puts
    mov $0xfe, %al
    out %al, $0x64
47: pause
    jmp 47b
46: lea msg_rebooted(%rip), %rsi
    call puts
45: lea msg_bye(%rip), %rsi
    call puts
    mov $0x600, %dx                 /* the FADT's sleep control register */
    mov $0x34, %al                  /* SLP_TYP 5 (\_S5), SLP_EN */
    out %al, %dx
4:  pause                           /* mimic exits; CLI/HLT would fault here (see wait_irq) */
    jmp 4b

/* What reset must restore, printed before this boot changes any of it: the APIC base MSR,
 * STAR, PIT channel 0's status (read-back), the PIC masks, IOAPIC redirection entry 1
 * (low word), XCR0. Then some of it is changed, so that a reboot without a reset of that
 * state prints a different line (the test compares both boots). Also turns on SSE and
 * XSAVE in CR4 as a kernel does. */
power_on_report:
    lea msg_power(%rip), %rsi
    call puts
    mov $0x1b, %ecx
    call rdmsr_sp
    mov $0xc0000081, %ecx
    call rdmsr_sp
    mov $0xe2, %al                  /* read-back: status of channel 0 */
    out %al, $0x43
    in $0x40, %al
    movzbl %al, %eax
    call puthex_sp
    in $0xa1, %al
    mov %al, %ah
    in $0x21, %al
    movzwl %ax, %eax
    call puthex_sp
    mov $0xfec00000, %edi
    movl $0x12, (%rdi)
    mov 0x10(%rdi), %eax
    call puthex
    call newline
    mov %cr4, %rax
    or $0x600, %eax                 /* OSFXSR, OSXMMEXCPT */
    mov %rax, %cr4
    mov $1, %eax
    cpuid
    bt $26, %ecx                    /* XSAVE */
    jnc 1f
    mov %cr4, %rax
    bts $18, %rax                   /* OSXSAVE */
    mov %rax, %cr4
1:  mov $0xfec00000, %edi           /* masked, vector 0x31: a value power-on never has */
    movl $0x12, (%rdi)
    movl $0x10031, 0x10(%rdi)
    mov %cr4, %rax
    bt $18, %rax
    jnc 2f
    xor %ecx, %ecx
    xor %edx, %edx
    mov $3, %eax                    /* x87 | SSE */
    xsetbv
2:  ret

/* rdmsr ecx, printed in hex and a space. */
rdmsr_sp:
    rdmsr
    shl $32, %rdx
    or %rdx, %rax
puthex_sp:
    call puthex
    push %rsi
    lea msg_sp(%rip), %rsi
    call puts
    pop %rsi
    ret

/* rax = handler, ecx = vector: a 64-bit interrupt gate, DPL 0, kernel CS. */
set_gate:
    push %rdi
    mov %ecx, %edi
    shl $4, %edi
    lea idt(%rip), %rdx
    add %rdx, %rdi
    mov %ax, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0x8e00, 4(%rdi)
    mov %rax, %rdx
    shr $16, %rdx
    mov %dx, 6(%rdi)
    shr $16, %rdx
    mov %edx, 8(%rdi)
    movl $0, 12(%rdi)
    pop %rdi
    ret

/* Spins a while: waits at CPL 0 poll, since interrupts cannot be taken there once software
 * KVM ran CPL 3 code (STI and segment loads then fault), and before that nothing sets IF. */
wait_irq:
    push %rcx
    mov $200, %ecx
1:  pause
    dec %ecx
    jnz 1b
    pop %rcx
    ret

irq0:
    push %rax
    incq ticks(%rip)
    mov $0x20, %al
    out %al, $0x20
    pop %rax
    iretq

/* Port output from CPL 3 when the TSS bitmap is not honoured: emulate `out %al,(%dx)`. */
gp_fault:
    push %rax
    mov 16(%rsp), %rax              /* rip (error code at 8) */
    cmpb $0xee, (%rax)
    jne fault
    incq 16(%rsp)
    pop %rax
    out %al, (%dx)
    add $8, %rsp
    iretq

fault:
    mov %rsp, %rbp
    lea msg_fault(%rip), %rsi
    call puts
    mov %cr2, %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov (%rbp), %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov 8(%rbp), %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov 16(%rbp), %rax
    call puthex
    call newline
5:  cli
    hlt
    jmp 5b

/* ---- the second vCPU: INIT, SIPI (x2APIC ICR; software KVM ignores xAPIC MMIO writes
 * to the ICR) to a real-mode trampoline that reports ---- */
start_ap:
    lea ap_tramp(%rip), %rsi
    mov $TRAMPOLINE, %rdi
    mov $(ap_tramp_end - ap_tramp), %ecx
    rep movsb
    movb $0, AP_COUNT
    movw $0, AP_LOCK
    /* How many CPUs: CPUID's topology leaf, core level (one thread per core). */
    push %rbx
    mov $0xb, %eax
    mov $1, %ecx
    cpuid
    movzwl %bx, %r9d
    pop %rbx
    lea msg_cpus(%rip), %rsi
    call puts
    mov %r9, %rax
    call puthex
    call newline
    /* LAPIC in x2APIC mode (MSRs): what software KVM delivers IPIs through. */
    mov $0x1b, %ecx
    rdmsr
    or $0xc00, %eax
    wrmsr
    /* Its power-on registers (SVR, LVT timer, TPR), then changed (see power_on_report). */
    lea msg_lapic(%rip), %rsi
    call puts
    mov $0x80f, %ecx
    call rdmsr_sp
    mov $0x832, %ecx
    call rdmsr_sp
    mov $0x808, %ecx
    rdmsr
    call puthex
    call newline
    mov $0x80f, %ecx
    mov $0x1ff, %eax
    xor %edx, %edx
    wrmsr
    mov $0x832, %ecx
    mov $0x10040, %eax
    wrmsr
    mov $1, %r10d                   /* INIT and SIPI to each AP (APIC ids 1..n-1) */
5:  cmp %r9d, %r10d
    jae 4f
    mov $0x830, %ecx
    mov %r10d, %edx
    mov $0x4500, %eax               /* INIT */
    wrmsr
    mov $(0x4600 | (TRAMPOLINE >> 12)), %eax /* SIPI */
    wrmsr
    inc %r10d
    jmp 5b
4:  lea -1(%r9), %r10d
    mov $4000, %r8d
6:  movzbl AP_COUNT, %eax
    cmp %r10d, %eax
    je 7f
    call wait_irq
    dec %r8d
    jnz 6b
    lea msg_noap(%rip), %rsi
    call puts
    ret
7:  lea msg_allap(%rip), %rsi
    call puts
    ret

    .code16
/* Every AP at once: one line each on COM1 under a lock, with the APIC id CPUID leaf 1
 * reports (no stack: INIT left SS:SP at 0:0 for all of them). */
    .macro ap_hex_digit shift
    mov %bl, %al
    shr $\shift, %al
    and $15, %al
    add $'0', %al
    cmp $'9', %al
    jbe 1f
    add $('a' - '0' - 10), %al
1:  out %al, (%dx)
    .endm
ap_tramp:
    xor %ax, %ax
    mov %ax, %ds
8:  lock btsw $0, AP_LOCK
    jnc 9f
    pause
    jmp 8b
9:  mov $COM1, %dx
    mov $(ap_msg - ap_tramp), %si
10: lods %cs:(%si), %al
    test %al, %al
    jz 11f
    out %al, (%dx)
    jmp 10b
11: mov $1, %eax
    cpuid
    shr $24, %ebx
    mov $COM1, %dx
    ap_hex_digit 4
    ap_hex_digit 0
    mov $(ap_msg2 - ap_tramp), %si
12: lods %cs:(%si), %al
    test %al, %al
    jz 13f
    out %al, (%dx)
    jmp 12b
13: incb AP_COUNT
    movw $0, AP_LOCK
14: cli
    hlt
    jmp 14b
ap_msg:
    .asciz "AP cpu"
ap_msg2:
    .asciz ": online\n"
ap_tramp_end:
    .code64

/* ---- virtio-blk over virtio-mmio (version 2): read sector 0, write sector 1 ---- */
virtio_blk_test:
    mov $VIRTIO, %rbx
    cmpl $0x74726976, (%rbx)
    jne 20f
    cmpl $2, 8(%rbx)
    jne 20f
    movl $0, 0x70(%rbx)             /* reset */
    movl $1, 0x70(%rbx)             /* ACKNOWLEDGE */
    movl $3, 0x70(%rbx)             /* DRIVER */
    movl $1, 0x24(%rbx)
    movl $1, 0x20(%rbx)             /* VIRTIO_F_VERSION_1 */
    movl $0, 0x24(%rbx)
    movl $0, 0x20(%rbx)
    movl $11, 0x70(%rbx)            /* FEATURES_OK */
    testl $8, 0x70(%rbx)
    jz 20f
    mov $VQ_DESC, %rdi
    xor %eax, %eax
    mov $(0x4000 / 8), %ecx
    rep stosq
    movl $0, 0x30(%rbx)
    movl $8, 0x38(%rbx)
    movl $VQ_DESC, 0x80(%rbx)
    movl $0, 0x84(%rbx)
    movl $VQ_AVAIL, 0x90(%rbx)
    movl $0, 0x94(%rbx)
    movl $VQ_USED, 0xa0(%rbx)
    movl $0, 0xa4(%rbx)
    movl $1, 0x44(%rbx)
    movl $15, 0x70(%rbx)            /* DRIVER_OK */
    /* read sector 0: header, data (device writes), status */
    movl $0, VQ_HDR
    movq $0, VQ_HDR + 8
    call vq_fill
    movw $3, VQ_DESC + 16 + 12
    movw $1, VQ_AVAIL + 2
    movl $0, 0x50(%rbx)
    mov $1, %ecx
    mov $VQ_USED, %r11
    call vq_wait
    lea msg_sector(%rip), %rsi
    call puts
    mov $VQ_DATA, %rsi
    movb $0, 32(%rsi)
    call puts
    call newline
    /* write sector 1 from our buffer */
    lea msg_written(%rip), %rsi
    mov $VQ_DATA, %rdi
    mov $(msg_written_end - msg_written), %ecx
    rep movsb
    movl $1, VQ_HDR
    movq $1, VQ_HDR + 8
    call vq_fill
    movw $1, VQ_DESC + 16 + 12
    movw $0, VQ_AVAIL + 6
    movw $2, VQ_AVAIL + 2
    movl $0, 0x50(%rbx)
    mov $2, %ecx
    mov $VQ_USED, %r11
    call vq_wait
    lea msg_wstatus(%rip), %rsi
    call puts
    movzbl VQ_STATUS, %eax
    call puthex
    call newline
    ret
20: lea msg_novirtio(%rip), %rsi
    call puts
    ret

vq_fill:
    movq $VQ_HDR, VQ_DESC
    movl $16, VQ_DESC + 8
    movw $1, VQ_DESC + 12
    movw $1, VQ_DESC + 14
    movq $VQ_DATA, VQ_DESC + 16
    movl $512, VQ_DESC + 24
    movw $2, VQ_DESC + 30
    movq $VQ_STATUS, VQ_DESC + 32
    movl $1, VQ_DESC + 40
    movw $2, VQ_DESC + 44
    movb $0xff, VQ_STATUS
    ret

/* Waits (a bounded poll) for used.idx == ecx. */
vq_wait:
    mov $2000, %r8d
21: cmpw %cx, 2(%r11)
    je 22f
    call wait_irq
    dec %r8d
    jnz 21b
    lea msg_vqtimeout(%rip), %rsi
    call puts
22: ret

/* ---- virtio-rng, virtio-console, virtio-net: found by device id on any transport ---- */

/* eax = device id: rbx = its virtio-mmio (version 2) transport, or 0 (and a message). */
virtio_find:
    push %rcx
    mov $VIRTIO, %ebx
    mov $8, %ecx
23: cmpl $0x74726976, (%rbx)
    jne 24f
    cmpl $2, 4(%rbx)
    jne 24f
    cmp %eax, 8(%rbx)
    je 25f
24: add $0x200, %rbx
    dec %ecx
    jnz 23b
    push %rax
    lea msg_vnone(%rip), %rsi
    call puts
    pop %rax
    call puthex
    call newline
    xor %ebx, %ebx
25: pop %rcx
    ret

/* rbx = transport, eax = feature bits 0-31 to accept (with VERSION_1): ZF set on failure. */
virtio_start:
    movl $0, 0x70(%rbx)
    movl $1, 0x70(%rbx)
    movl $3, 0x70(%rbx)
    movl $1, 0x24(%rbx)
    movl $1, 0x20(%rbx)
    movl $0, 0x24(%rbx)
    mov %eax, 0x20(%rbx)
    movl $11, 0x70(%rbx)
    testl $8, 0x70(%rbx)
    jnz 26f
    lea msg_vfail(%rip), %rsi
    call puts
    xor %eax, %eax
26: ret

/* rbx = transport, rdi = ring area (descriptors, avail at +0x100, used at +0x1000),
 * ecx = queue: an 8-entry queue there, ready. Keeps rdi and ecx. */
vq_setup:
    push %rdi
    push %rcx
    xor %eax, %eax
    mov $(0x2000 / 8), %ecx
    rep stosq
    pop %rcx
    pop %rdi
    mov %ecx, 0x30(%rbx)
    movl $8, 0x38(%rbx)
    mov %edi, 0x80(%rbx)
    movl $0, 0x84(%rbx)
    lea 0x100(%rdi), %eax
    mov %eax, 0x90(%rbx)
    movl $0, 0x94(%rbx)
    lea 0x1000(%rdi), %eax
    mov %eax, 0xa0(%rbx)
    movl $0, 0xa4(%rbx)
    movl $1, 0x44(%rbx)
    ret

/* One buffer (rsi, edx bytes, r8d descriptor flags) as the first request of queue ecx
 * whose ring area is rdi; notifies the device. */
vq_put1:
    mov %rsi, (%rdi)
    mov %edx, 8(%rdi)
    mov %r8w, 12(%rdi)
    movw $0, 14(%rdi)
    movw $0, 0x104(%rdi)
    movw $1, 0x102(%rdi)
    mov %ecx, 0x50(%rbx)
    ret

/* 16 bytes from the entropy device. */
virtio_rng_test:
    mov $4, %eax
    call virtio_find
    test %rbx, %rbx
    jz 27f
    xor %eax, %eax
    call virtio_start
    jz 27f
    mov $RNG_RING, %edi
    xor %ecx, %ecx
    call vq_setup
    movl $15, 0x70(%rbx)
    mov $RNG_BUF, %esi
    movq $0, (%rsi)
    movq $0, 8(%rsi)
    mov $16, %edx
    mov $2, %r8d                    /* device writes */
    call vq_put1
    lea 0x1000(%rdi), %r11
    mov $1, %ecx
    call vq_wait
    lea msg_rng(%rip), %rsi
    call puts
    mov RNG_RING + 0x1000 + 8, %eax /* used.ring[0].len */
    call puthex
    lea msg_nonzero(%rip), %rsi
    mov RNG_BUF, %rax
    or RNG_BUF + 8, %rax
    jnz 28f
    lea msg_zero(%rip), %rsi
28: call puts
27: ret

/* A line to port 0's transmit queue: the test finds it on the host chardev. */
virtio_console_test:
    mov $3, %eax
    call virtio_find
    test %rbx, %rbx
    jz 29f
    xor %eax, %eax
    call virtio_start
    jz 29f
    mov $CON_RING, %edi
    mov $1, %ecx
    call vq_setup
    movl $15, 0x70(%rbx)
    lea msg_con_line(%rip), %rsi
    mov $(msg_con_end - msg_con_line), %edx
    xor %r8d, %r8d
    call vq_put1
    lea 0x1000(%rdi), %r11
    mov $1, %ecx
    call vq_wait
    lea msg_con_sent(%rip), %rsi
    call puts
29: ret

/* The MAC from config space, then an ARP request for slirp's gateway and its reply. */
virtio_net_test:
    mov $1, %eax
    call virtio_find
    test %rbx, %rbx
    jz 30f
    mov $0x20, %eax                 /* VIRTIO_NET_F_MAC */
    call virtio_start
    jz 30f
    lea msg_mac(%rip), %rsi
    call puts
    xor %eax, %eax
    xor %ecx, %ecx
31: shl $8, %rax
    movzbl 0x100(%rbx,%rcx), %edx
    or %rdx, %rax
    inc %ecx
    cmp $6, %ecx
    jne 31b
    call puthex
    call newline
    mov $NET_RX_RING, %edi
    xor %ecx, %ecx
    call vq_setup
    mov $NET_TX_RING, %edi
    mov $1, %ecx
    call vq_setup
    movl $15, 0x70(%rbx)
    mov $NET_RX_RING, %edi
    mov $NET_RXBUF, %esi
    mov $1526, %edx
    mov $2, %r8d
    xor %ecx, %ecx
    call vq_put1
    mov $NET_TXBUF, %edi            /* virtio_net_hdr (12 bytes, all 0), then the frame */
    xor %eax, %eax
    mov $12, %ecx
    rep stosb
    lea arp_request(%rip), %rsi
    mov $(arp_request_end - arp_request), %ecx
    rep movsb
    mov $NET_TX_RING, %edi
    mov $NET_TXBUF, %esi
    mov $(12 + arp_request_end - arp_request), %edx
    xor %r8d, %r8d
    mov $1, %ecx
    call vq_put1
    mov $(NET_RX_RING + 0x1000), %r11d
    mov $1, %ecx
    call vq_wait
    mov $(NET_RXBUF + 12), %esi     /* the frame: ARP (0x0806), reply (2), from 10.0.2.2 */
    cmpw $0x0608, 12(%rsi)
    jne 32f
    cmpw $0x0200, 20(%rsi)
    jne 32f
    cmpl $0x0202000a, 28(%rsi)
    jne 32f
    lea msg_arp(%rip), %rsi
    call puts
    xor %eax, %eax
    xor %ecx, %ecx
33: shl $8, %rax
    movzbl NET_RXBUF + 12 + 22(%rcx), %edx
    or %rdx, %rax
    inc %ecx
    cmp $6, %ecx
    jne 33b
    call puthex
    call newline
    ret
32: lea msg_noarp(%rip), %rsi
    call puts
30: ret

/* ---- output, usable at CPL 0 and 3 ---- */
puts:
    push %rdx
    mov $COM1, %dx
11: lodsb
    test %al, %al
    jz 12f
    out %al, (%dx)
    jmp 11b
12: pop %rdx
    ret

newline:
    push %rsi
    lea msg_nl(%rip), %rsi
    call puts
    pop %rsi
    ret

puthex:                             /* rax as 16 hex digits */
    push %rcx
    push %rdx
    push %rbx
    mov %rax, %rbx
    mov $COM1, %dx
    mov $16, %ecx
13: rol $4, %rbx
    mov %bl, %al
    and $15, %al
    add $'0', %al
    cmp $'9', %al
    jbe 14f
    add $('a' - '0' - 10), %al
14: out %al, (%dx)
    dec %ecx
    jnz 13b
    pop %rbx
    pop %rdx
    pop %rcx
    ret

/* ---- CPL 3: check what the loader handed over, then compute ---- */
user_main:
    mov %rdi, %r15                  /* boot_params */
    /* FPU control and MXCSR as reset left them, then changed for the next boot to see. */
    lea msg_fpu(%rip), %rsi
    call puts
    sub $16, %rsp
    fnstcw (%rsp)
    movzwl (%rsp), %eax
    call puthex_sp
    stmxcsr (%rsp)
    mov (%rsp), %eax
    call puthex_sp
    push %rbx                       /* XCR0, read here: software KVM cannot emulate XGETBV */
    mov $1, %eax
    cpuid
    pop %rbx
    mov $0xdead, %eax
    bt $27, %ecx                    /* OSXSAVE */
    jnc 3f
    xor %ecx, %ecx
    xgetbv
    shl $32, %rdx
    or %rdx, %rax
3:  call puthex
    call newline
    movw $0x27f, (%rsp)
    fldcw (%rsp)
    movl $0x9f80, (%rsp)
    ldmxcsr (%rsp)
    add $16, %rsp
    /* CPUID as a kernel reads it: the hypervisor leaf's signature */
    lea msg_hv(%rip), %rsi
    call puts
    push %rbx
    mov $0x40000000, %eax
    xor %ecx, %ecx
    cpuid
    sub $16, %rsp
    mov %ebx, (%rsp)
    mov %ecx, 4(%rsp)
    mov %edx, 8(%rsp)
    movl $0, 12(%rsp)
    mov %rsp, %rsi
    call puts
    call newline
    add $16, %rsp
    pop %rbx
    lea msg_cpl(%rip), %rsi
    call puts
    mov %cs, %ax
    and $3, %eax
    call puthex
    call newline
    lea msg_loader(%rip), %rsi
    call puts
    movzbl 0x210(%r15), %eax
    call puthex
    call newline
    lea msg_cmdline(%rip), %rsi
    call puts
    mov 0x228(%r15), %esi
    mov %rsi, %r14
    call puts
    call newline
    /* e820 */
    lea msg_e820(%rip), %rsi
    call puts
    movzbl 0x1e8(%r15), %eax
    call puthex
    call newline
    movzbl 0x1e8(%r15), %r13d
    lea 0x2d0(%r15), %r12
30: test %r13d, %r13d
    jz 31f
    lea msg_e820e(%rip), %rsi
    call puts
    mov (%r12), %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov 8(%r12), %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov 16(%r12), %eax
    call puthex
    call newline
    add $20, %r12
    dec %r13d
    jmp 30b
31: /* ACPI: boot_params.acpi_rsdp_addr and the RSDP signature there */
    lea msg_rsdp(%rip), %rsi
    call puts
    mov 0x70(%r15), %rbx
    mov %rbx, %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov $0x2052545020445352, %rdx   /* "RSD PTR " */
    lea msg_bad(%rip), %rsi
    cmp (%rbx), %rdx
    jne 38f
    /* every table's checksum: RSDP (20 and 36 bytes), XSDT, its tables, the DSDT */
    xor %r10d, %r10d
    mov %rbx, %rsi
    mov $20, %ecx
    call acpi_sum
    mov $36, %ecx
    call acpi_sum
    mov 24(%rbx), %r11              /* XSDT */
    mov %r11, %rsi
    mov 4(%r11), %ecx
    call acpi_sum
    mov 4(%r11), %r13d
    sub $36, %r13d
    shr $3, %r13d
    lea 36(%r11), %r12
39: mov (%r12), %rsi
    mov 4(%rsi), %ecx
    call acpi_sum
    cmpl $0x50434146, (%rsi)        /* "FACP": its DSDT too */
    jne 42f
    mov 140(%rsi), %rsi
    mov 4(%rsi), %ecx
    call acpi_sum
42: add $8, %r12
    dec %r13d
    jnz 39b
    lea msg_bad(%rip), %rsi
    test %r10b, %r10b
    jnz 38f
    lea msg_ok(%rip), %rsi
38: call puts
    call newline
    /* initrd: size and a checksum of its bytes */
    lea msg_initrd(%rip), %rsi
    call puts
    mov 0x21c(%r15), %ecx
    mov %rcx, %rax
    call puthex
    lea msg_sp(%rip), %rsi
    call puts
    mov 0x218(%r15), %esi
    xor %eax, %eax
    xor %edx, %edx
32: test %ecx, %ecx
    jz 33f
    movzbl (%rsi), %r8d
    imul $31, %rax
    add %r8, %rax
    inc %rsi
    dec %ecx
    jmp 32b
33: call puthex
    call newline
    /* loops=N on the command line (decimal), default 1000000 */
    mov %r14, %rsi
    mov $1000000, %r9
34: mov (%rsi), %al
    test %al, %al
    jz 37f
    cmpl $0x6f626572, (%rsi)        /* "rebo" */
    jne 44f
    cmpl $0x313d746f, 4(%rsi)       /* "ot=1" */
    jne 44f
    movb $1, reboot_req(%rip)
44: cmpl $0x73617263, (%rsi)        /* "cras" */
    jne 48f
    cmpl $0x313d68, 4(%rsi)         /* "h=1\0": last on the command line */
    jne 48f
    movb $1, crash_req(%rip)
48: cmpl $0x69746f6e, (%rsi)        /* "noti" */
    jne 52f
    cmpl $0x313d6b63, 4(%rsi)       /* "ck=1" */
    jne 52f
    movb $1, notick_req(%rip)
52:
    cmpl $0x706f6f6c, (%rsi)        /* "loop" */
    jne 36f
    cmpw $0x3d73, 4(%rsi)           /* "s=" */
    jne 36f
    add $6, %rsi
    xor %r9d, %r9d
35: movzbl (%rsi), %eax
    sub $'0', %eax
    cmp $9, %eax
    ja 34b
    imul $10, %r9
    add %rax, %r9
    inc %rsi
    jmp 35b
36: inc %rsi
    jmp 34b
37: /* notick=1: the timer masked at the PIC before the loop is announced, so that a
     * debugger's stop, sent once the line is out, lands in the loop and never in a tick
     * (the stub has no breakpoints or single-step under KVM) */
    cmpb $0, notick_req(%rip)
    je 53f
    mov $0xff, %al
    mov $0x21, %dx
    out %al, (%dx)                  /* through the #GP port-output emulation */
53: lea msg_loops(%rip), %rsi
    call puts
    mov %r9, %rax
    call puthex
    call newline
    mov %r9, %rdi
    call kvm_test_compute
    mov %rax, %rbx
    lea msg_result(%rip), %rsi
    call puts
    mov %rbx, %rax
    call puthex
    call newline
    syscall

/* r10b |= the byte sum of [rsi, rsi+ecx) (zero for a good ACPI table). */
acpi_sum:
    xor %eax, %eax
    xor %edx, %edx
43: add (%rsi,%rdx), %al
    inc %edx
    cmp %ecx, %edx
    jb 43b
    or %al, %r10b
    ret

/* The compute loop (also linked into the bench's native run): xorshift64 summed. */
    .globl kvm_test_compute
kvm_test_compute:
    mov $0x9e3779b97f4a7c15, %rdx
    xor %eax, %eax
    test %rdi, %rdi
    jz 41f
40: mov %rdx, %rcx
    shl $13, %rcx
    xor %rcx, %rdx
    mov %rdx, %rcx
    shr $7, %rcx
    xor %rcx, %rdx
    mov %rdx, %rcx
    shl $17, %rcx
    xor %rcx, %rdx
    add %rdx, %rax
    dec %rdi
    jnz 40b
41: ret

msg_hello:      .asciz "KVMTEST: startup_64 reached\n"
msg_user:       .asciz "KVMTEST: entering CPL 3\n"
msg_cpl:        .asciz "user: cpl="
msg_loader:     .asciz "user: type_of_loader="
msg_cmdline:    .asciz "user: cmdline="
msg_e820:       .asciz "user: e820 entries="
msg_e820e:      .asciz "user: e820 "
msg_initrd:     .asciz "user: initrd size,hash="
msg_loops:      .asciz "user: loops="
msg_result:     .asciz "user: result="
msg_ticks:      .asciz "KVMTEST: timer ticks="
msg_noap:       .asciz "KVMTEST: FAIL not every AP came up\n"
msg_allap:      .asciz "KVMTEST: all APs online\n"
msg_cpus:       .asciz "KVMTEST: cpus="
msg_hv:         .asciz "user: hypervisor="
msg_sector:     .asciz "virtio-blk: sector0="
msg_wstatus:    .asciz "virtio-blk: write status="
msg_novirtio:   .asciz "virtio-blk: none\n"
msg_vqtimeout:  .asciz "virtio: FAIL timeout\n"
msg_rng:        .asciz "virtio-rng: bytes="
msg_nonzero:    .asciz " nonzero\n"
msg_zero:       .asciz " FAIL all zero\n"
msg_con_sent:   .asciz "virtio-console: sent\n"
msg_con_line:   .ascii "hello from the KVM test guest on virtio-console\n"
msg_con_end:
msg_mac:        .asciz "virtio-net: mac="
msg_arp:        .asciz "virtio-net: arp reply from 10.0.2.2 mac="
msg_noarp:      .asciz "virtio-net: FAIL no ARP reply\n"
msg_vfail:      .asciz "virtio: FAIL feature negotiation\n"
msg_vnone:      .asciz "virtio: none of device id "
/* ARP request, who has 10.0.2.2 (slirp's gateway), from 10.0.2.15 */
arp_request:
    .byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06
    .byte 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01
    .byte 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 10, 0, 2, 15
    .byte 0, 0, 0, 0, 0, 0, 10, 0, 2, 2
arp_request_end:
msg_fault:      .asciz "KVMTEST: FAIL exception cr2="
msg_power:      .asciz "KVMTEST: power-on state "
msg_lapic:      .asciz "KVMTEST: lapic "
msg_fpu:        .asciz "user: fpu "
msg_bye:        .asciz "KVMTEST: powering off\n"
msg_crash:      .asciz "KVMTEST: triple fault next\n"
msg_reboot:     .asciz "KVMTEST: rebooting\n"
msg_rebooted:   .asciz "KVMTEST: back after reboot\n"
msg_rsdp:       .asciz "user: rsdp="
msg_ok:         .asciz "ok"
msg_bad:        .asciz "bad"
msg_sp:         .asciz " "
msg_nl:         .asciz "\n"
msg_written:    .asciz "WRITTEN-BY-THE-KVM-TEST-GUEST"
msg_written_end:

    .balign 16
tss:
    .fill 104, 1, 0
tss_iomap:
    .fill 256, 1, 0                 /* ports 0-0x7ff allowed at CPL 3 */
    .byte 0xff
tss_end:
    .balign 16
idt:
    .fill 256 * 16, 1, 0

    .section .note.GNU-stack, "", @progbits
