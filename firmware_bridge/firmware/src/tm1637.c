#include "tm1637.h"

#include <util/delay.h>

#include "board.h"

#define CMD_DATA_AUTO 0x40 /* write data, auto-increment address */
#define CMD_ADDR0 0xC0
#define CMD_DISPLAY_ON 0x88
#define BRIGHTNESS 4 /* of 0..7 */
#define BIT_US 5     /* half a clock period: the chip allows up to ~250 kHz */

static const uint8_t DIGIT_SEGMENTS[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
#define SEG_DASH 0x40
#define SEG_BLANK 0x00

static uint8_t shown[TM_DIGITS];

/* Open drain: output-low pulls the line down, input lets the module's pull-up raise it. */
static void clk_low(void) { TM_DDR |= _BV(TM_CLK); }
static void clk_high(void) { TM_DDR &= (uint8_t)~_BV(TM_CLK); }
static void dio_low(void) { TM_DDR |= _BV(TM_DIO); }
static void dio_high(void) { TM_DDR &= (uint8_t)~_BV(TM_DIO); }
static uint8_t dio_read(void) { return (TM_PIN & _BV(TM_DIO)) != 0; }
static void pause(void) { _delay_us(BIT_US); }

static void bus_start(void) {
    dio_high();
    clk_high();
    pause();
    dio_low(); /* DIO falls while CLK is high */
    pause();
}

static void bus_stop(void) {
    clk_low();
    pause();
    dio_low();
    pause();
    clk_high();
    pause();
    dio_high(); /* DIO rises while CLK is high */
    pause();
}

/* Returns 1 if the chip pulled DIO low in the ninth clock. */
static uint8_t bus_write(uint8_t b) {
    for (uint8_t i = 0; i < 8; i++) {
        clk_low();
        if (b & 1) dio_high(); else dio_low();
        b >>= 1;
        pause();
        clk_high();
        pause();
    }
    clk_low();
    dio_high(); /* release for the ACK */
    pause();
    clk_high();
    pause();
    uint8_t ack = !dio_read();
    clk_low();
    pause();
    return ack;
}

void tm1637_init(void) {
    TM_PORT &= (uint8_t)~(_BV(TM_CLK) | _BV(TM_DIO)); /* never drive high: open drain */
    clk_high();
    dio_high();
}

uint8_t tm1637_show_number(uint16_t n) {
    if (n > 9999) {
        for (uint8_t i = 0; i < TM_DIGITS; i++) shown[i] = SEG_DASH;
    } else {
        for (int8_t i = TM_DIGITS - 1; i >= 0; i--) {
            uint8_t first = (i == TM_DIGITS - 1);
            shown[i] = (n == 0 && !first) ? SEG_BLANK : DIGIT_SEGMENTS[n % 10];
            n /= 10;
        }
    }
    uint8_t ok = 1;
    bus_start();
    ok &= bus_write(CMD_DATA_AUTO);
    bus_stop();
    bus_start();
    ok &= bus_write(CMD_ADDR0);
    for (uint8_t i = 0; i < TM_DIGITS; i++) ok &= bus_write(shown[i]);
    bus_stop();
    bus_start();
    ok &= bus_write(CMD_DISPLAY_ON | BRIGHTNESS);
    bus_stop();
    return ok;
}

const uint8_t *tm1637_segments(void) { return shown; }
