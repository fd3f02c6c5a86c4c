/* Frames on the wire: 0x00, COBS(type, seq, body, CRC-16/CCITT-FALSE, little-endian), 0x00.
 * The leading delimiter flushes any line noise in front of the frame at the receiver. */
#ifndef BOX_FRAME_H
#define BOX_FRAME_H

#include <stdint.h>

#include "protocol.h"

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), the same as Python's binascii.crc_hqx(data, 0xFFFF). */
uint16_t crc16(const uint8_t *data, uint8_t len);

/* Decode COBS in place; returns the decoded length, or -1 if the bytes are not valid COBS. */
int16_t cobs_decode(uint8_t *buf, uint8_t len);

/* Encode a frame (with both delimiters) into out (at least MAX_ENCODED + 2 bytes); returns its length. */
uint8_t frame_encode(uint8_t type, uint8_t seq, const uint8_t *body, uint8_t body_len, uint8_t *out);

#endif
