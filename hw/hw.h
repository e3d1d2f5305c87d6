/*
 * What every device model and board shares: IRQ lines, the device struct
 * with reset and state save/load, and a small byte stream for saved state.
 * Devices see only this header, system/memory.h, system/timer.h and
 * system/chardev.h; never a CPU's internals.
 */
#ifndef HW_HW_H
#define HW_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- IRQ lines ---------------------------------------------------------
 * An IRQ is a callback and an opaque pointer; the input number `n` lets one
 * handler serve many lines (an interrupt controller's inputs). Level
 * semantics: level 1 asserted, 0 deasserted; a pulse is set 1 then 0.
 */
typedef struct IRQState *qemu_irq;
typedef void (*IRQHandler)(void *opaque, int n, int level);

qemu_irq irq_new(IRQHandler handler, void *opaque, int n);
/* An array of `count` lines n = 0..count-1 sharing one handler. */
qemu_irq *irq_new_array(IRQHandler handler, void *opaque, int count);
void irq_free(qemu_irq irq);
void irq_set(qemu_irq irq, int level); /* NULL irq: ignored (unconnected) */
static inline void irq_raise(qemu_irq irq)
{
    irq_set(irq, 1);
}
static inline void irq_lower(qemu_irq irq)
{
    irq_set(irq, 0);
}
static inline void irq_pulse(qemu_irq irq)
{
    irq_set(irq, 1);
    irq_set(irq, 0);
}
/* A line that sets both a and b (wired-OR fan-out). */
qemu_irq irq_split(qemu_irq a, qemu_irq b);

/* ---- Logging -------------------------------------------------------------
 * What `-d guest_errors` and `-d unimp` show from device models: a guest
 * misusing a device, or using a feature the model lacks. No-ops when the
 * logger (system/log.c) is not linked in, as in device unit tests.
 */
void hw_log_guest_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hw_log_unimp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Saved state --------------------------------------------------------
 * Devices write their state as a sequence of fixed-width big-endian fields
 * and read it back in the same order; a short or inconsistent stream makes
 * load fail (returns false), never crash.
 */
typedef struct StateStream StateStream;
StateStream *state_stream_new_writer(void);
StateStream *state_stream_new_reader(const void *data, size_t len);
void state_stream_free(StateStream *s);
const void *state_stream_data(StateStream *s, size_t *len);
void state_put_u8(StateStream *s, uint8_t v);
void state_put_u16(StateStream *s, uint16_t v);
void state_put_u32(StateStream *s, uint32_t v);
void state_put_u64(StateStream *s, uint64_t v);
void state_put_bytes(StateStream *s, const void *p, size_t len);
/* Getters return false once the stream is exhausted or marked bad. */
bool state_get_u8(StateStream *s, uint8_t *v);
bool state_get_u16(StateStream *s, uint16_t *v);
bool state_get_u32(StateStream *s, uint32_t *v);
bool state_get_u64(StateStream *s, uint64_t *v);
bool state_get_bytes(StateStream *s, void *p, size_t len);
bool state_stream_ok(const StateStream *s);
/* Bytes a reader has not consumed yet (0 for a writer). */
size_t state_stream_remaining(const StateStream *s);

/* ---- Devices ------------------------------------------------------------
 * A device model embeds a Device as its first member. Boards create devices
 * with each model's own `xxx_new(...)` function (which takes the memory
 * regions, IRQs and backends it needs), then register them so that machine
 * reset and state save/load reach every device in creation order.
 */
typedef struct Device Device;
typedef struct DeviceOps {
    const char *type; /* "pl011", "i8259", ... */
    void (*reset)(Device *dev);
    void (*save)(Device *dev, StateStream *s);
    bool (*load)(Device *dev, StateStream *s); /* false: bad/incompatible */
    void (*finalize)(Device *dev);             /* free what the device owns */
} DeviceOps;

struct Device {
    const DeviceOps *ops;
    char *id; /* unique instance name, e.g. "serial0" */
    Device *next;
};

/* Registers dev under `id` (copied); the id must be unique. */
void device_register(Device *dev, const DeviceOps *ops, const char *id);
/* Registers dev under the first free id "<type><n>" (serial0, serial1, ...;
 * "<type>-<n>" when the type ends in a digit: i8259-0):
 * what each model's xxx_new() does, so boards need not name devices. */
void device_register_auto(Device *dev, const DeviceOps *ops);
void device_unregister(Device *dev);
Device *device_find(const char *id);
void device_reset_all(void);
/* Whole-machine device state: one stream holding every device by id. */
void device_save_all(StateStream *s);
bool device_load_all(StateStream *s, char **errp);
void device_foreach(void (*fn)(Device *dev, void *opaque), void *opaque);

#endif
