/* Ballot-box serial protocol, version 1: constants shared by every firmware module.
 * docs/protocol.md is the specification; firmware_bridge/protocol.py is the host's copy.
 * Change both (and the version) together. */
#ifndef BOX_PROTOCOL_H
#define BOX_PROTOCOL_H

#define PROTOCOL_VERSION 1

/* A frame's decoded payload: type, seq, body (0..MAX_BODY bytes), CRC-16; integers little-endian. */
#define MAX_BODY 120
#define MAX_PAYLOAD (2 + MAX_BODY + 2)
/* COBS adds one byte per 254 (one byte here); the 0x00 delimiter is not counted. */
#define MAX_ENCODED (MAX_PAYLOAD + 1)

/* host -> device */
#define MSG_HELLO 0x01
#define MSG_PING 0x02
#define MSG_SET_COUNT 0x03
#define MSG_SET_SLOT_COUNT 0x04
#define MSG_SHOW_TEXT 0x05
#define MSG_SIGNAL 0x06
#define MSG_GET_STATE 0x07
#define MSG_EVENT_ACK 0x0E
#define MSG_TEST_SLOT 0x70 /* test builds only */
#define MSG_TEST_HANG 0x71 /* test builds only */

/* device -> host */
#define MSG_HELLO_REPLY 0x81
#define MSG_STATE 0x87
#define MSG_ACK 0x8E
#define MSG_NAK 0x8F
#define MSG_EVENT 0x90
#define MSG_HEARTBEAT 0x91

/* NAK reasons */
#define NAK_BAD_FRAME 1 /* CRC or COBS error: seq unknown, the host should resend */
#define NAK_UNKNOWN_TYPE 2
#define NAK_BAD_LENGTH 3
#define NAK_BAD_VALUE 4
#define NAK_STORAGE 5 /* EEPROM write could not be verified */

/* SIGNAL kinds */
#define SIGNAL_OFF 0
#define SIGNAL_ACCEPT 1
#define SIGNAL_REJECT 2

/* fault bits (EVENT, HEARTBEAT, STATE) */
#define FAULT_SENSOR_BLOCKED 0x01 /* beam blocked longer than SENSOR_STUCK_MS: jam or hand in slot */
#define FAULT_DISPLAY 0x02        /* the 7-segment driver did not acknowledge */
#define FAULT_STORAGE 0x04        /* EEPROM readback mismatch */
#define FAULT_LINK_LOST 0x08      /* no valid frame from the host for LINK_LOST_MS */
#define FAULT_UART_OVERRUN 0x10   /* receive buffer overflowed since the last STATE */

/* output bits (STATE) */
#define OUT_LED_GREEN 0x01
#define OUT_LED_RED 0x02
#define OUT_BUZZER 0x04
#define OUT_BEAM_RAW_BLOCKED 0x08
#define OUT_BEAM_BLOCKED 0x10

/* reset causes (HELLO_REPLY, STATE) */
#define RESET_POWER_ON 1
#define RESET_EXTERNAL 2
#define RESET_BROWN_OUT 3
#define RESET_WATCHDOG 4
#define RESET_UNKNOWN 0

#define LCD_LINES 4
#define LCD_LINE_BYTES 16
#define DEVICE_ID_LEN 8
#define COUNT_MAX 9999 /* four digits on the counter */

/* timing, milliseconds */
#define HEARTBEAT_MS 1000
#define EVENT_RETRY_MS 250
#define LINK_LOST_MS 3000
#define SENSOR_STUCK_MS 3000

#endif
