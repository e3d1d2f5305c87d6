/*
 * IRQ lines (hw/hw.h): a callback plus opaque pointer and input number, the
 * wiring every interrupt controller, device and board uses.
 */
#include "hw/hw.h"

#include <stdio.h>
#include <stdlib.h>

struct IRQState {
    IRQHandler handler;
    void *opaque;
    int n;
    bool owns_opaque; /* irq_split's target array goes with the line */
};

static void *irq_alloc(size_t n)
{
    void *p = calloc(1, n);
    if (!p) {
        fprintf(stderr, "mimic: out of memory\n");
        abort();
    }
    return p;
}

qemu_irq irq_new(IRQHandler handler, void *opaque, int n)
{
    qemu_irq irq = irq_alloc(sizeof(*irq));
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
    return irq;
}

qemu_irq *irq_new_array(IRQHandler handler, void *opaque, int count)
{
    qemu_irq *a = irq_alloc(sizeof(*a) * (count > 0 ? count : 1));
    for (int i = 0; i < count; i++) {
        a[i] = irq_new(handler, opaque, i);
    }
    return a;
}

void irq_free(qemu_irq irq)
{
    if (irq && irq->owns_opaque) {
        free(irq->opaque);
    }
    free(irq);
}

void irq_set(qemu_irq irq, int level)
{
    if (irq && irq->handler) {
        irq->handler(irq->opaque, irq->n, level);
    }
}

/* The two targets live in a small array that the new line points to. */
static void irq_split_handler(void *opaque, int n, int level)
{
    qemu_irq *targets = opaque;
    irq_set(targets[0], level);
    irq_set(targets[1], level);
}

qemu_irq irq_split(qemu_irq a, qemu_irq b)
{
    qemu_irq *targets = irq_alloc(2 * sizeof(*targets));
    targets[0] = a;
    targets[1] = b;
    qemu_irq irq = irq_new(irq_split_handler, targets, 0);
    irq->owns_opaque = true;
    return irq;
}
