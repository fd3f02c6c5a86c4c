#include "store.h"

#include <avr/eeprom.h>

#include "frame.h"

#define HEADER_ADDR ((uint16_t)0)
#define MAGIC0 'B'
#define MAGIC1 'X'
#define RING_ADDR 16u
#define RECORD_SIZE 8u
#define RING_RECORDS 126u /* (1024 - 16) / 8 */
#define SAVE_TRIES 3

typedef struct {
    uint16_t gen;
    uint16_t count;
    uint16_t slot_count;
    uint16_t crc;
} record_t;

static counts_t saved;
static uint8_t head;     /* index of the newest record; RING_RECORDS-1 before the first save */
static uint16_t head_gen;
static uint8_t have_record;
static uint16_t boots;
static uint16_t writes;

static uint16_t record_addr(uint8_t i) { return RING_ADDR + (uint16_t)i * RECORD_SIZE; }

static uint8_t record_valid(const record_t *r) {
    if (r->gen == 0xFFFF && r->count == 0xFFFF && r->slot_count == 0xFFFF) return 0; /* erased */
    return crc16((const uint8_t *)r, 6) == r->crc;
}

void store_init(counts_t *out) {
    uint8_t header[4];
    eeprom_read_block(header, (const void *)HEADER_ADDR, sizeof header);
    if (header[0] != MAGIC0 || header[1] != MAGIC1) {
        boots = 0;
        eeprom_update_byte((uint8_t *)HEADER_ADDR, MAGIC0);
        eeprom_update_byte((uint8_t *)HEADER_ADDR + 1, MAGIC1);
    } else {
        boots = (uint16_t)header[2] | ((uint16_t)header[3] << 8);
    }
    boots++;
    eeprom_update_byte((uint8_t *)HEADER_ADDR + 2, (uint8_t)boots);
    eeprom_update_byte((uint8_t *)HEADER_ADDR + 3, (uint8_t)(boots >> 8));

    have_record = 0;
    head = RING_RECORDS - 1;
    head_gen = 0xFFFF;
    saved.count = 0;
    saved.slot_count = 0;
    for (uint8_t i = 0; i < RING_RECORDS; i++) {
        record_t r;
        eeprom_read_block(&r, (const void *)record_addr(i), sizeof r);
        if (!record_valid(&r)) continue;
        /* newest by serial-number arithmetic: the ring spans far less than half of 65536 */
        if (!have_record || (int16_t)(r.gen - head_gen) > 0) {
            have_record = 1;
            head = i;
            head_gen = r.gen;
            saved.count = r.count;
            saved.slot_count = r.slot_count;
        }
    }
    *out = saved;
}

uint8_t store_save(const counts_t *c) {
    if (have_record && c->count == saved.count && c->slot_count == saved.slot_count) return 1;
    for (uint8_t attempt = 0; attempt < SAVE_TRIES; attempt++) {
        uint8_t slot = (uint8_t)((head + 1) % RING_RECORDS);
        record_t r = {(uint16_t)(head_gen + 1), c->count, c->slot_count, 0};
        r.crc = crc16((const uint8_t *)&r, 6);
        eeprom_update_block(&r, (void *)record_addr(slot), sizeof r);
        writes++;
        record_t back;
        eeprom_read_block(&back, (const void *)record_addr(slot), sizeof back);
        /* the slot becomes the head even if bad, so the next try moves past a worn cell */
        head = slot;
        if (back.gen == r.gen && back.count == r.count && back.slot_count == r.slot_count && back.crc == r.crc) {
            head_gen = r.gen;
            have_record = 1;
            saved = *c;
            return 1;
        }
    }
    return 0;
}

uint16_t store_boot_count(void) { return boots; }
uint16_t store_writes(void) { return writes; }
