/* ST7920 128x64 LCD in serial mode, text through its built-in GB2312 font.
 * Four lines of 16 bytes: 8 Chinese characters (2 bytes each, at even columns) or 16 ASCII. */
#ifndef BOX_ST7920_H
#define BOX_ST7920_H

#include <stdint.h>

#include "protocol.h"

void st7920_init(void);
/* Write one line (exactly LCD_LINE_BYTES bytes, already laid out) into display RAM. */
void st7920_write_line(uint8_t line, const uint8_t *bytes);

#endif
