/* USART0, interrupt driven both ways: the main loop never waits on the wire. */
#ifndef BOX_UART_H
#define BOX_UART_H

#include <stdint.h>

void uart_init(void);
/* Next received byte into *b; 0 when none is waiting. */
uint8_t uart_get(uint8_t *b);
/* 1 when a received byte is waiting. */
uint8_t uart_rx_pending(void);
/* Queue bytes for sending; returns 0 (and queues nothing) if they do not fit. */
uint8_t uart_put(const uint8_t *data, uint8_t len);
/* Room left in the send queue. */
uint8_t uart_tx_free(void);
/* Receive-buffer overflows since the last call (then cleared). */
uint16_t uart_take_overruns(void);

#endif
