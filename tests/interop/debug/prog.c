/* Bare-metal MIPS guest for the debug tests (tests/interop/debug): known
 * symbols to break on, a variable to print, UART output, one syscall trap, one timer interrupt. */
#define UART ((volatile unsigned char *)0xb80003f8)

volatile unsigned counter;
volatile unsigned traps;
volatile unsigned ticks;

static void uart_puts(const char *s)
{
    while (*s) {
        while (!(UART[5] & 0x20)) {
        }
        UART[0] = *s++;
    }
}

unsigned add_up(unsigned n)
{
    unsigned s = 0;
    for (unsigned i = 1; i <= n; i++) {
        s += i;
    }
    return s;
}

int main(void)
{
    counter = 41;
    counter = counter + 1;
    unsigned s = add_up(10);
    __asm__ volatile("syscall");
    /* One CP0 timer interrupt (IP7), then interrupts off again. */
    __asm__ volatile("mfc0 $t0, $9\n\taddiu $t0, $t0, 200\n\tmtc0 $t0, $11\n\t"
                     "mfc0 $t0, $12\n\tori $t0, $t0, 0x8001\n\tmtc0 $t0, $12" ::
                         : "t0");
    while (ticks == 0) {
    }
    __asm__ volatile("di");
    uart_puts(s == 55 && traps == 1 && ticks == 1 ? "debug-guest ok\n" : "debug-guest bad\n");
    return 0;
}
