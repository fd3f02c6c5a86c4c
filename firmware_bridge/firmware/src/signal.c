#include "signal.h"

#include <util/atomic.h>

#include "board.h"
#include "protocol.h"

#define ACCEPT_LAMP_MS 1500
#define REJECT_LAMP_MS 3000
#define BEEP_MS 80
#define REJECT_BEEP_MS 150
#define REJECT_GAP_MS 100

static volatile uint16_t lamp_ms;     /* lamp on while > 0 */
static volatile uint8_t lamp_bit;
static volatile uint8_t beeps_left;   /* beeps still to sound after the current one */
static volatile uint16_t phase_ms;    /* time left in the current beep or gap */
static volatile uint8_t buzzing;
static volatile uint16_t beep_ms, gap_ms;

static void drive(void) {
    uint8_t v = SIG_PORT & (uint8_t)~(_BV(SIG_GREEN) | _BV(SIG_RED) | _BV(SIG_BUZZ));
    if (lamp_ms) v |= _BV(lamp_bit);
    if (buzzing) v |= _BV(SIG_BUZZ);
    SIG_PORT = v;
}

void signal_init(void) {
    SIG_DDR |= _BV(SIG_GREEN) | _BV(SIG_RED) | _BV(SIG_BUZZ);
    SIG_PORT &= (uint8_t)~(_BV(SIG_GREEN) | _BV(SIG_RED) | _BV(SIG_BUZZ));
}

void signal_start(uint8_t kind) {
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
        lamp_ms = 0;
        buzzing = 0;
        beeps_left = 0;
        phase_ms = 0;
        if (kind == SIGNAL_ACCEPT) {
            lamp_bit = SIG_GREEN;
            lamp_ms = ACCEPT_LAMP_MS;
            buzzing = 1;
            phase_ms = beep_ms = BEEP_MS;
        } else if (kind == SIGNAL_REJECT) {
            lamp_bit = SIG_RED;
            lamp_ms = REJECT_LAMP_MS;
            buzzing = 1;
            beeps_left = 2;
            phase_ms = beep_ms = REJECT_BEEP_MS;
            gap_ms = REJECT_GAP_MS;
        }
        drive();
    }
}

void signal_tick(void) {
    if (lamp_ms) lamp_ms--;
    if (phase_ms && --phase_ms == 0) {
        if (buzzing) {
            buzzing = 0;
            if (beeps_left) phase_ms = gap_ms;
        } else if (beeps_left) {
            beeps_left--;
            buzzing = 1;
            phase_ms = beep_ms;
        }
    }
    drive();
}

uint8_t signal_outputs(void) {
    uint8_t v = SIG_PORT, out = 0;
    if (v & _BV(SIG_GREEN)) out |= OUT_LED_GREEN;
    if (v & _BV(SIG_RED)) out |= OUT_LED_RED;
    if (v & _BV(SIG_BUZZ)) out |= OUT_BUZZER;
    return out;
}
