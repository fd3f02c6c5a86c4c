/* TM1637 4-digit 7-segment driver (bit-banged two-wire bus, LSB first, ACK per byte). */
#ifndef BOX_TM1637_H
#define BOX_TM1637_H

#include <stdint.h>

#define TM_DIGITS 4

void tm1637_init(void);
/* Show a number right-aligned without leading zeros (0..9999; more shows "----").
 * Returns 1 when every byte was acknowledged by the chip. */
uint8_t tm1637_show_number(uint16_t n);
/* The segment bytes last sent, left to right (bit 0 = segment a ... bit 6 = g, bit 7 = colon/dot). */
const uint8_t *tm1637_segments(void);

#endif
