/*
 * cpu/arm/thumb.c: the Thumb (T16/T32) front-end entry point, called by translate.c for
 * blocks in Thumb state.
 */
#include "cpu/arm/arm-internal.h"

void arm_translate_thumb(DisasContext *s);

void arm_translate_thumb(DisasContext *s)
{
    uint32_t hw = translator_lduw(&s->base, s->pc_curr);
    bool wide = (hw >> 11) >= 0x1d;
    s->base.pc_next = s->pc_curr + (wide ? 4 : 2);
    arm_gen_undef(s);
}
