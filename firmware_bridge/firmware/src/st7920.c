#include "st7920.h"

#include <util/delay.h>

#include "board.h"

#define SYNC_COMMAND 0xF8 /* 11111, RW=0, RS=0, 0 */
#define SYNC_DATA 0xFA    /* 11111, RW=0, RS=1, 0 */
#define CMD_BASIC 0x30
#define CMD_CLEAR 0x01
#define CMD_ENTRY_INC 0x06
#define CMD_DISPLAY_ON 0x0C
#define CMD_DDRAM 0x80
#ifndef ST7920_EXEC_US
#define ST7920_EXEC_US 80 /* the chip needs 72 us per instruction; serial mode cannot read BUSY */
#endif
#define CLEAR_MS 2      /* 1.6 ms for a clear */

/* Display RAM address of each visible line on a 128x64 panel. */
static const uint8_t LINE_ADDR[LCD_LINES] = {0x00, 0x10, 0x08, 0x18};

static void spi_send(uint8_t b) {
    SPDR = b;
    while (!(SPSR & _BV(SPIF))) {
    }
}

static void transfer(uint8_t sync, uint8_t value) {
    LCD_CS_PORT |= _BV(LCD_CS); /* chip select is active high */
    spi_send(sync);
    spi_send(value & 0xF0);
    spi_send((uint8_t)(value << 4));
    LCD_CS_PORT &= (uint8_t)~_BV(LCD_CS);
    _delay_us(ST7920_EXEC_US);
}

static void command(uint8_t c) { transfer(SYNC_COMMAND, c); }

void st7920_init(void) {
    LCD_CS_DDR |= _BV(LCD_CS);
    LCD_CS_PORT &= (uint8_t)~_BV(LCD_CS);
    DDRB |= _BV(PB3) | _BV(PB5); /* MOSI, SCK */
    /* SPI master, mode 3 (the chip latches SID on the rising edge), f/32 = 500 kHz */
    SPCR = _BV(SPE) | _BV(MSTR) | _BV(CPOL) | _BV(CPHA) | _BV(SPR1);
    SPSR = _BV(SPI2X);
    _delay_ms(40); /* power-on wait from the datasheet */
    command(CMD_BASIC);
    command(CMD_BASIC);
    command(CMD_DISPLAY_ON);
    command(CMD_CLEAR);
    _delay_ms(CLEAR_MS);
    command(CMD_ENTRY_INC);
}

void st7920_write_line(uint8_t line, const uint8_t *bytes) {
    if (line >= LCD_LINES) return;
    command(CMD_DDRAM | LINE_ADDR[line]);
    for (uint8_t i = 0; i < LCD_LINE_BYTES; i++) transfer(SYNC_DATA, bytes[i]);
}
