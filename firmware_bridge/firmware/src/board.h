/* Wiring of the ballot box (ATmega328P at 16 MHz, Arduino Uno pin names in brackets).
 * The emulator harness (harness/boxsim.c) models the parts on exactly these pins. */
#ifndef BOX_BOARD_H
#define BOX_BOARD_H

#include <avr/io.h>

/* USART0: PD0 RXD [D0], PD1 TXD [D1], 115200 baud 8N1 with U2X. */
#define BAUD_UBRR 16 /* 16 MHz / (8 * (16 + 1)) = 117647 baud, +2.1 % */

/* IR break-beam receiver, open collector, 10 kOhm pull-up on the board (not the internal one):
 * high = beam received (slot clear), low = beam broken (a ballot is passing). */
#define BEAM_PORT PORTD
#define BEAM_DDR DDRD
#define BEAM_PIN PIND
#define BEAM_BIT PD2 /* [D2] */

/* TM1637 4-digit 7-segment counter: two-wire bus, pull-ups on the module.
 * Lines are driven open-drain: DDR=1 pulls low, DDR=0 releases to high. */
#define TM_PORT PORTD
#define TM_DDR DDRD
#define TM_PIN PIND
#define TM_CLK PD4 /* [D4] */
#define TM_DIO PD5 /* [D5] */

/* ST7920 128x64 LCD in serial mode (PSB tied low), on the hardware SPI:
 * CS (RS pin of the module) PB2 [D10], SID (R/W) = MOSI PB3 [D11], SCLK (E) = SCK PB5 [D13]. */
#define LCD_CS_PORT PORTB
#define LCD_CS_DDR DDRB
#define LCD_CS PB2

/* Signals: green LED (accepted), red LED (rejected), active buzzer. */
#define SIG_PORT PORTC
#define SIG_DDR DDRC
#define SIG_GREEN PC0 /* [A0] */
#define SIG_RED PC1   /* [A1] */
#define SIG_BUZZ PC2  /* [A2] */

#endif
