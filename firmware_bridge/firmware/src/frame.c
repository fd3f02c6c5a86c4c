#include "frame.h"

#include <util/crc16.h>

uint16_t crc16(const uint8_t *data, uint8_t len) {
    uint16_t crc = 0xFFFF;
    for (uint8_t i = 0; i < len; i++) crc = _crc_xmodem_update(crc, data[i]);
    return crc;
}

int16_t cobs_decode(uint8_t *buf, uint8_t len) {
    uint8_t in = 0, out = 0;
    while (in < len) {
        uint8_t code = buf[in++];
        if (code == 0) return -1;
        if ((uint16_t)in + code - 1 > len) return -1; /* block runs past the end */
        for (uint8_t i = 1; i < code; i++) buf[out++] = buf[in++];
        /* a block shorter than 255 stands for a zero, except at the very end */
        if (code != 0xFF && in < len) buf[out++] = 0;
    }
    return out;
}

uint8_t frame_encode(uint8_t type, uint8_t seq, const uint8_t *body, uint8_t body_len, uint8_t *out) {
    uint8_t payload[MAX_PAYLOAD];
    uint8_t n = 0;
    payload[n++] = type;
    payload[n++] = seq;
    for (uint8_t i = 0; i < body_len; i++) payload[n++] = body[i];
    uint16_t crc = crc16(payload, n);
    payload[n++] = (uint8_t)crc; /* little-endian, like every integer in the protocol */
    payload[n++] = (uint8_t)(crc >> 8);

    uint8_t o = 0;
    out[o++] = 0;
    uint8_t code_at = o++;
    uint8_t code = 1;
    for (uint8_t i = 0; i < n; i++) {
        if (payload[i] == 0) {
            out[code_at] = code;
            code_at = o++;
            code = 1;
        } else {
            out[o++] = payload[i];
            if (++code == 0xFF) { /* payloads are < 254 bytes, kept for correctness */
                out[code_at] = code;
                code_at = o++;
                code = 1;
            }
        }
    }
    out[code_at] = code;
    out[o++] = 0;
    return o;
}
