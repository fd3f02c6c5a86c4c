#include "uart.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

#include "board.h"

/* Power-of-two ring sizes so the index wrap is a mask. RX holds more than one whole frame
 * so that a frame arriving while the main loop writes EEPROM is not lost. */
#define RX_SIZE 256
#define TX_SIZE 256

static volatile uint8_t rx_buf[RX_SIZE];
static volatile uint8_t rx_head, rx_tail; /* head: ISR writes; tail: main reads */
static volatile uint16_t rx_overruns;
static volatile uint8_t tx_buf[TX_SIZE];
static volatile uint8_t tx_head, tx_tail; /* head: main writes; tail: ISR reads */

void uart_init(void) {
    /* U2X before the divisor: the chip does not care, but simavr derives its byte time
     * when UBRR0L is written and would otherwise run the wire at half speed */
    UCSR0A = _BV(U2X0);
    UBRR0H = 0;
    UBRR0L = BAUD_UBRR;
    UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
    UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

ISR(USART_RX_vect) {
    uint8_t status = UCSR0A;
    uint8_t b = UDR0;
    uint8_t next = (uint8_t)(rx_head + 1);
    if (status & (_BV(DOR0) | _BV(FE0))) rx_overruns++;
    if (next == rx_tail) { /* full: drop, the frame CRC will catch it */
        rx_overruns++;
        return;
    }
    rx_buf[rx_head] = b;
    rx_head = next;
}

ISR(USART_UDRE_vect) {
    if (tx_head == tx_tail) {
        UCSR0B &= (uint8_t)~_BV(UDRIE0);
        return;
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = (uint8_t)(tx_tail + 1);
}

uint8_t uart_get(uint8_t *b) {
    if (rx_head == rx_tail) return 0;
    *b = rx_buf[rx_tail];
    rx_tail = (uint8_t)(rx_tail + 1);
    return 1;
}

uint8_t uart_rx_pending(void) { return rx_head != rx_tail; }

uint8_t uart_tx_free(void) {
    uint8_t used;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { used = (uint8_t)(tx_head - tx_tail); }
    return (uint8_t)(TX_SIZE - 1 - used);
}

uint8_t uart_put(const uint8_t *data, uint8_t len) {
    if (uart_tx_free() < len) return 0;
    for (uint8_t i = 0; i < len; i++) {
        tx_buf[tx_head] = data[i];
        tx_head = (uint8_t)(tx_head + 1);
    }
    UCSR0B |= _BV(UDRIE0);
    return 1;
}

uint16_t uart_take_overruns(void) {
    uint16_t n;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
        n = rx_overruns;
        rx_overruns = 0;
    }
    return n;
}
