#include "slot.h"

#include <util/atomic.h>

#include "board.h"

static volatile uint8_t events;
static volatile uint8_t raw_blocked, stable_blocked, run;
static volatile uint16_t blocked_for;

#ifdef BOX_TEST_COMMANDS
static volatile uint8_t inj_left, inj_blocked;
static volatile uint16_t inj_ms, inj_on_ms, inj_off_ms;

void slot_inject(uint16_t blocked_ms, uint16_t gap_ms, uint8_t n) {
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
        inj_on_ms = blocked_ms;
        inj_off_ms = gap_ms;
        inj_left = n;
        inj_blocked = 0;
        inj_ms = 0;
    }
}

static uint8_t injected_sample(void) {
    if (inj_ms == 0) {
        if (inj_blocked) {
            inj_blocked = 0;
            inj_ms = inj_off_ms;
        } else if (inj_left) {
            inj_left--;
            inj_blocked = 1;
            inj_ms = inj_on_ms;
        }
    }
    if (inj_ms) inj_ms--;
    return inj_blocked;
}
#endif

void slot_init(void) {
    BEAM_DDR &= (uint8_t)~_BV(BEAM_BIT);
    BEAM_PORT &= (uint8_t)~_BV(BEAM_BIT); /* external pull-up on the board */
}

void slot_sample(void) {
    uint8_t blocked = !(BEAM_PIN & _BV(BEAM_BIT));
#ifdef BOX_TEST_COMMANDS
    blocked |= injected_sample();
#endif
    raw_blocked = blocked;
    if (blocked == stable_blocked) {
        run = 0;
    } else if (++run >= DEBOUNCE_MS) {
        run = 0;
        stable_blocked = blocked;
        if (blocked && events < 255) events++;
    }
    if (stable_blocked) {
        if (blocked_for < 0xFFFF) blocked_for++;
    } else {
        blocked_for = 0;
    }
}

uint8_t slot_take_events(void) {
    uint8_t n;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
        n = events;
        events = 0;
    }
    return n;
}

uint8_t slot_raw_blocked(void) { return raw_blocked; }
uint8_t slot_blocked(void) { return stable_blocked; }

uint16_t slot_blocked_ms(void) {
    uint16_t v;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { v = blocked_for; }
    return v;
}
