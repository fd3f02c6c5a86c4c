/* Ballot-box firmware: counter display, status LCD, slot sensor, EEPROM counts, serial protocol v1.
 *
 * One main loop, no RTOS: interrupts only move bytes (USART) and sample inputs (1 ms timer);
 * everything else happens here, in order, so a reply always reflects the command before it.
 * A command is answered only after its effect is stored and shown. */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include <string.h>
#include <util/atomic.h>

#include "board.h"
#include "frame.h"
#include "protocol.h"
#include "signal.h"
#include "slot.h"
#include "st7920.h"
#include "store.h"
#include "texts.h"
#include "tm1637.h"
#include "uart.h"

#ifndef DEVICE_ID
#define DEVICE_ID "BOX-0001"
#endif
_Static_assert(sizeof(DEVICE_ID) - 1 == DEVICE_ID_LEN, "DEVICE_ID must be exactly 8 ASCII characters");
#define FW_MAJOR 1
#define FW_MINOR 0
#define FW_PATCH 0

#ifdef BOX_TEST_COMMANDS
#define BUILD_FLAGS 0x01
#else
#define BUILD_FLAGS 0x00
#endif

/* ---- reset cause: MCUSR must be read and the watchdog stopped before anything else ---- */

static uint8_t mcusr_at_boot __attribute__((section(".noinit")));

void early_init(void) __attribute__((naked, used, section(".init3")));
void early_init(void) {
    mcusr_at_boot = MCUSR;
    MCUSR = 0;
    wdt_disable(); /* a watchdog reset leaves it running at its shortest period */
}

static uint8_t reset_cause(void) {
    if (mcusr_at_boot & _BV(WDRF)) return RESET_WATCHDOG;
    if (mcusr_at_boot & _BV(BORF)) return RESET_BROWN_OUT;
    if (mcusr_at_boot & _BV(EXTRF)) return RESET_EXTERNAL;
    if (mcusr_at_boot & _BV(PORF)) return RESET_POWER_ON;
    return RESET_UNKNOWN;
}

/* ---- 1 ms clock ---- */

static volatile uint32_t ticks;

ISR(TIMER0_COMPA_vect) {
    ticks++;
    slot_sample();
    signal_tick();
}

static void clock_init(void) {
    TCCR0A = _BV(WGM01);            /* CTC */
    TCCR0B = _BV(CS01) | _BV(CS00); /* clk/64 = 250 kHz */
    OCR0A = 249;                    /* 250 counts = 1 ms */
    TIMSK0 = _BV(OCIE0A);
}

static uint32_t now_ms(void) {
    uint32_t t;
    ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { t = ticks; }
    return t;
}

/* ---- state ---- */

static counts_t counts;
static uint8_t lcd[LCD_LINES][LCD_LINE_BYTES];
static uint8_t host_line3[LCD_LINE_BYTES]; /* put back when the link returns */
static uint8_t host_lines;                 /* bit per line the host has written since boot */
static uint8_t faults, storage_fault, display_fault, overrun_seen;
static uint8_t boot_reason;
static uint16_t rx_frames, rx_bad, overruns;

static uint32_t last_host_ms, last_heartbeat_ms, event_sent_ms;
static uint8_t link_lost;
static uint8_t event_seq, event_pending, reported_faults;

/* duplicate detection: a retransmitted command (same seq, type, body) is acknowledged, not redone */
static uint8_t have_last, last_seq, last_type;
static uint16_t last_body_crc;

static uint8_t rx[MAX_ENCODED];
static uint8_t rx_len, rx_discarding;

/* ---- output ---- */

static void send(uint8_t type, uint8_t seq, const uint8_t *body, uint8_t len) {
    uint8_t out[MAX_ENCODED + 2];
    uint8_t n = frame_encode(type, seq, body, len, out);
    uart_put(out, n); /* a full queue drops the frame; the host's retry covers it */
}

static void nak(uint8_t seq, uint8_t reason) { send(MSG_NAK, seq, &reason, 1); }
static void ack(uint8_t seq) { send(MSG_ACK, seq, 0, 0); }

static uint8_t put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return 2;
}

static uint8_t put32(uint8_t *p, uint32_t v) {
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
    return 4;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)p[0] | ((uint16_t)p[1] << 8); }

/* ---- displays ---- */

static void fill_line(uint8_t line, const char *text) {
    uint8_t n = (uint8_t)strlen(text);
    memset(lcd[line], ' ', LCD_LINE_BYTES);
    memcpy(lcd[line], text, n > LCD_LINE_BYTES ? LCD_LINE_BYTES : n);
}

/* "已计票 NNNN 张": the firmware's own count line until the host writes line 1 */
static void compose_count_line(void) {
    char digits[5];
    uint16_t n = counts.count;
    for (int8_t i = 3; i >= 0; i--) {
        digits[i] = (n == 0 && i != 3) ? ' ' : (char)('0' + n % 10);
        n /= 10;
    }
    digits[4] = 0;
    memset(lcd[1], ' ', LCD_LINE_BYTES);
    memcpy(lcd[1], GB_COUNTED, 6);
    memcpy(lcd[1] + 7, digits, 4);
    memcpy(lcd[1] + 12, GB_SHEETS, 2);
}

static void show_counter(void) {
    display_fault = !tm1637_show_number(counts.count);
    if (!(host_lines & 0x02)) {
        compose_count_line();
        st7920_write_line(1, lcd[1]);
    }
}

static void boot_screen(void) {
    memset(lcd, ' ', sizeof lcd);
    fill_line(0, GB_BALLOT_BOX "  " DEVICE_ID);
    compose_count_line();
    fill_line(2, GB_WAITING);
    for (uint8_t i = 0; i < LCD_LINES; i++) st7920_write_line(i, lcd[i]);
    memcpy(host_line3, lcd[3], LCD_LINE_BYTES);
}

/* GB2312 as the ST7920 needs it: printable ASCII, or a two-byte character starting at an even column. */
static uint8_t text_ok(const uint8_t *t, uint8_t len) {
    uint8_t i = 0;
    while (i < len) {
        if (t[i] >= 0xA1 && t[i] != 0xFF) {
            if ((i & 1) || i + 1 >= len || t[i + 1] < 0xA1 || t[i + 1] == 0xFF) return 0;
            i += 2;
        } else if (t[i] >= 0x20 && t[i] < 0x7F) {
            i++;
        } else {
            return 0;
        }
    }
    return 1;
}

static void set_link_lost(uint8_t lost) {
    if (lost == link_lost) return;
    link_lost = lost;
    if (lost) {
        fill_line(3, GB_LINK_LOST);
    } else {
        memcpy(lcd[3], host_line3, LCD_LINE_BYTES);
    }
    st7920_write_line(3, lcd[3]);
}

/* ---- commands ---- */

static void reply_hello(uint8_t seq) {
    uint8_t b[20];
    uint8_t n = 0;
    b[n++] = PROTOCOL_VERSION;
    b[n++] = FW_MAJOR;
    b[n++] = FW_MINOR;
    b[n++] = FW_PATCH;
    b[n++] = BUILD_FLAGS;
    memcpy(b + n, DEVICE_ID, DEVICE_ID_LEN);
    n += DEVICE_ID_LEN;
    n += put16(b + n, store_boot_count());
    b[n++] = boot_reason;
    n += put16(b + n, counts.count);
    n += put16(b + n, counts.slot_count);
    send(MSG_HELLO_REPLY, seq, b, n);
}

static uint8_t outputs(void) {
    uint8_t o = signal_outputs();
    if (slot_raw_blocked()) o |= OUT_BEAM_RAW_BLOCKED;
    if (slot_blocked()) o |= OUT_BEAM_BLOCKED;
    return o;
}

static void reply_state(uint8_t seq) {
    uint8_t b[89];
    uint8_t n = 0;
    n += put16(b + n, counts.count);
    n += put16(b + n, counts.slot_count);
    b[n++] = faults;
    b[n++] = outputs();
    memcpy(b + n, tm1637_segments(), TM_DIGITS);
    n += TM_DIGITS;
    memcpy(b + n, lcd, sizeof lcd);
    n += sizeof lcd;
    n += put32(b + n, now_ms());
    n += put16(b + n, store_boot_count());
    b[n++] = boot_reason;
    n += put16(b + n, store_writes());
    n += put16(b + n, rx_frames);
    n += put16(b + n, rx_bad);
    n += put16(b + n, overruns);
    overrun_seen = 0; /* reported: the fault bit clears */
    send(MSG_STATE, seq, b, n);
}

static void save_counts(uint8_t seq) {
    storage_fault = !store_save(&counts);
    if (storage_fault) {
        nak(seq, NAK_STORAGE);
        return;
    }
    show_counter();
    ack(seq);
}

static uint8_t mutates(uint8_t type) {
    return type != MSG_HELLO && type != MSG_PING && type != MSG_GET_STATE;
}

static void handle_request(uint8_t type, uint8_t seq, const uint8_t *body, uint8_t len) {
    uint16_t body_crc = crc16(body, len);
    if (mutates(type) && have_last && seq == last_seq && type == last_type && body_crc == last_body_crc) {
        ack(seq); /* our ACK was lost and the host resent: done already */
        return;
    }
    have_last = 1;
    last_seq = seq;
    last_type = type;
    last_body_crc = body_crc;

    switch (type) {
    case MSG_HELLO:
        if (len < 1) break;
        have_last = 0; /* a new session: its sequence numbers start afresh */
        reply_hello(seq);
        return;
    case MSG_PING:
        ack(seq);
        return;
    case MSG_GET_STATE:
        reply_state(seq);
        return;
    case MSG_SET_COUNT:
        if (len != 2) break;
        if (get16(body) > COUNT_MAX) {
            nak(seq, NAK_BAD_VALUE);
            return;
        }
        counts.count = get16(body);
        save_counts(seq);
        return;
    case MSG_SET_SLOT_COUNT:
        if (len != 2) break;
        counts.slot_count = get16(body);
        save_counts(seq);
        return;
    case MSG_SHOW_TEXT:
        if (len < 1 || len > 1 + LCD_LINE_BYTES) break;
        if (body[0] >= LCD_LINES || !text_ok(body + 1, len - 1)) {
            nak(seq, NAK_BAD_VALUE);
            return;
        }
        {
            uint8_t line = body[0];
            uint8_t shown[LCD_LINE_BYTES];
            memset(shown, ' ', LCD_LINE_BYTES);
            memcpy(shown, body + 1, len - 1);
            host_lines |= (uint8_t)(1 << line);
            if (line == 3) memcpy(host_line3, shown, LCD_LINE_BYTES);
            if (line != 3 || !link_lost) {
                memcpy(lcd[line], shown, LCD_LINE_BYTES);
                st7920_write_line(line, lcd[line]);
            }
        }
        ack(seq);
        return;
    case MSG_SIGNAL:
        if (len != 1) break;
        if (body[0] > SIGNAL_REJECT) {
            nak(seq, NAK_BAD_VALUE);
            return;
        }
        signal_start(body[0]);
        ack(seq);
        return;
#ifdef BOX_TEST_COMMANDS
    case MSG_TEST_SLOT:
        if (len != 5) break;
        slot_inject(get16(body), get16(body + 2), body[4]);
        ack(seq);
        return;
    case MSG_TEST_HANG:
        ack(seq);
        while (uart_tx_free() < 255) {
        }
        for (;;) {
        } /* no wdt_reset(): the watchdog must bring us back */
#endif
    default:
        nak(seq, NAK_UNKNOWN_TYPE);
        return;
    }
    nak(seq, NAK_BAD_LENGTH);
}

static void handle_frame(uint8_t *enc, uint8_t len) {
    int16_t n = cobs_decode(enc, len);
    if (n < 4 || crc16(enc, (uint8_t)(n - 2)) != get16(enc + n - 2)) {
        rx_bad++;
        nak(0, NAK_BAD_FRAME);
        return;
    }
    rx_frames++;
    last_host_ms = now_ms();
    set_link_lost(0);
    uint8_t type = enc[0], seq = enc[1];
    if (type == MSG_EVENT_ACK) {
        if (event_pending && seq == event_seq) event_pending = 0;
        return;
    }
    handle_request(type, seq, enc + 2, (uint8_t)(n - 4));
}

static void receive(uint8_t b) {
    if (b == 0) {
        if (rx_discarding) {
            rx_discarding = 0;
            rx_bad++;
        } else if (rx_len) {
            handle_frame(rx, rx_len);
        }
        rx_len = 0;
        return;
    }
    if (rx_discarding) return;
    if (rx_len == MAX_ENCODED) { /* longer than any frame: drop until the next delimiter */
        rx_discarding = 1;
        rx_len = 0;
        return;
    }
    rx[rx_len++] = b;
}

/* ---- periodic work ---- */

static void send_event(uint32_t t) {
    uint8_t b[5];
    uint8_t n = 0;
    n += put16(b + n, counts.slot_count);
    b[n++] = faults;
    n += put16(b + n, counts.count);
    send(MSG_EVENT, event_seq, b, n);
    event_sent_ms = t;
}

static void new_event(uint32_t t) {
    event_seq++;
    event_pending = 1;
    reported_faults = faults;
    send_event(t);
}

static void send_heartbeat(uint32_t t) {
    uint8_t b[11];
    uint8_t n = 0;
    n += put16(b + n, counts.count);
    n += put16(b + n, counts.slot_count);
    b[n++] = faults;
    n += put32(b + n, t);
    n += put16(b + n, store_boot_count());
    send(MSG_HEARTBEAT, 0, b, n);
    last_heartbeat_ms = t;
}

static void update_faults(void) {
    uint16_t o = uart_take_overruns();
    if (o) {
        overruns += o;
        overrun_seen = 1;
    }
    uint8_t f = 0;
    if (slot_blocked_ms() > SENSOR_STUCK_MS) f |= FAULT_SENSOR_BLOCKED;
    if (display_fault) f |= FAULT_DISPLAY;
    if (storage_fault) f |= FAULT_STORAGE;
    if (link_lost) f |= FAULT_LINK_LOST;
    if (overrun_seen) f |= FAULT_UART_OVERRUN;
    faults = f;
}

static void periodic(void) {
    uint32_t t = now_ms();
    uint8_t ballots = slot_take_events();
    if (ballots) {
        counts.slot_count += ballots;
        storage_fault = !store_save(&counts);
    }
    if (!link_lost && t - last_host_ms > LINK_LOST_MS) set_link_lost(1);
    update_faults();
    /* overruns are reported in STATE; an event per overrun would feed the storm that caused it */
    uint8_t eventful = (uint8_t)~FAULT_UART_OVERRUN;
    if (ballots || (faults & eventful) != (reported_faults & eventful)) {
        new_event(t);
    } else if (event_pending && t - event_sent_ms >= EVENT_RETRY_MS) {
        send_event(t);
    }
    if (t - last_heartbeat_ms >= HEARTBEAT_MS) send_heartbeat(t);
}

int main(void) {
    boot_reason = reset_cause();
    clock_init();
    uart_init();
    signal_init();
    slot_init();
    tm1637_init();
    st7920_init();
    store_init(&counts);
    sei();
    boot_screen();
    show_counter();
    wdt_enable(WDTO_500MS);
    set_sleep_mode(SLEEP_MODE_IDLE);

    for (;;) {
        wdt_reset();
        uint8_t b;
        while (uart_get(&b)) receive(b);
        periodic();
        /* sleep until the next interrupt (a byte or the 1 ms tick); sei + sleep is atomic on AVR */
        cli();
        if (!uart_rx_pending()) {
            sleep_enable();
            sei();
            sleep_cpu();
            sleep_disable();
        }
        sei();
    }
}
