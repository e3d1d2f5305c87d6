/*
 * Device-model logging (hw/hw.h): forwards to system/log.h's -d items when
 * the logger is linked in; the hw library also links without it (device
 * unit tests), so it refers to the logger weakly.
 */
#include "hw/hw.h"
#include "system/log.h"

#include <stdarg.h>
#include <stdio.h>

#pragma weak log_mask
#pragma weak log_printf

static void hw_vlog(unsigned item, const char *fmt, va_list ap)
{
    if (&log_mask == NULL || &log_printf == NULL || !(log_mask & item)) {
        return;
    }
    char buf[512];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    log_printf("%s\n", buf);
}

void hw_log_guest_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hw_vlog(LOG_GUEST_ERROR, fmt, ap);
    va_end(ap);
}

void hw_log_unimp(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hw_vlog(LOG_UNIMP, fmt, ap);
    va_end(ap);
}
