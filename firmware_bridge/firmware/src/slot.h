/* The slot's IR break-beam: sampled every millisecond, debounced, one event per ballot. */
#ifndef BOX_SLOT_H
#define BOX_SLOT_H

#include <stdint.h>

/* A ballot must block the beam this long (consecutive samples) to count, and the beam must be
 * clear this long before the next ballot can count: contact bounce and flutter never count twice. */
#define DEBOUNCE_MS 5

void slot_init(void);
/* Called from the 1 ms timer interrupt. */
void slot_sample(void);
/* Ballots seen since the last call. */
uint8_t slot_take_events(void);
/* Raw and debounced beam state (1 = blocked) and how long it has been blocked. */
uint8_t slot_raw_blocked(void);
uint8_t slot_blocked(void);
uint16_t slot_blocked_ms(void);

#ifdef BOX_TEST_COMMANDS
/* Test builds: break the beam in software n times (blocked_ms each, gap_ms apart), through the
 * same debouncer as the real sensor. */
void slot_inject(uint16_t blocked_ms, uint16_t gap_ms, uint8_t n);
#endif

#endif
