/* The counts in EEPROM, so a power cut loses nothing, without wearing the cells out.
 *
 * Each save appends an 8-byte record (generation, count, slot count, CRC-16) to a ring of
 * 126 records; at boot the newest record with a good CRC wins. A record torn by a power cut
 * fails its CRC, so the previous one stands. Every cell is written once per 126 saves, so
 * 100,000 rated cycles allow over 12 million saves; a save that changes nothing writes nothing. */
#ifndef BOX_STORE_H
#define BOX_STORE_H

#include <stdint.h>

typedef struct {
    uint16_t count;      /* what the counter shows: set by the station */
    uint16_t slot_count; /* ballots the slot sensor saw */
} counts_t;

/* Read the newest good record (zeros on a blank EEPROM) and count this boot. */
void store_init(counts_t *out);
/* Persist if different from the last saved record; 1 when stored (or unchanged), 0 on a verify failure. */
uint8_t store_save(const counts_t *c);
uint16_t store_boot_count(void);
/* Records written since boot (the EEPROM wear this session caused). */
uint16_t store_writes(void);

#endif
