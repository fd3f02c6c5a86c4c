/* boxsim: the ballot-box firmware on simavr, with the box's parts modelled at their pins.
 *
 *   boxsim --firmware build/box-test.elf --eeprom box.eeprom --link /tmp/x/box.tty
 *   boxsim --firmware build/box-test.elf --eeprom box.eeprom --tcp 0
 *
 * - USART0 <-> a pseudo-terminal; --link is a symlink to it (pyserial opens it like /dev/ttyACM0).
 *   Or, with --tcp PORT (0: any free port), a TCP server on 127.0.0.1 for pyserial's socket://
 *   URLs, one client at a time, like QEMU's "-serial tcp:...,server".
 *   Host bytes reach the UART at the wire's pace (one per BYTE_US of simulated time).
 * - Simulated time is paced to wall-clock time, so the firmware's timeouts mean what they say.
 * - EEPROM is mirrored into the --eeprom file as it is written, and always before any UART byte
 *   leaves, so a SIGKILL (a power cut) keeps exactly what the chip would keep.
 * - Parts decoded from the pins: a TM1637 (it ACKs every byte, like the chip), an ST7920 in
 *   serial mode on the SPI (display RAM, instruction timing checked), the lamps and buzzer, and
 *   the IR beam (driven from the control channel, bounce included).
 *
 * Control channel: commands on stdin, one per line; replies and notices on stdout, each line
 * starting with "BOXSIM ". simavr's own log goes to stderr. EOF on stdin ends the run, so the
 * emulator never outlives the process that started it.
 *   panel                      -> BOXSIM panel key=value ...
 *   beam LEVEL:US [LEVEL:US]...  drive the beam (1 = clear, 0 = blocked) for US microseconds each
 *   unplug MS                  close the link (pty, or the TCP client), reopen it MS ms later
 *   quit
 *
 * Register addresses below are the ATmega328P's (data space); the pins are firmware/src/board.h's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_eeprom.h"
#include "avr_ioport.h"
#include "avr_spi.h"
#include "avr_uart.h"
#include "sim_avr.h"
#include "sim_elf.h"
#include "sim_irq.h"

#define FREQ 16000000u
#define EE_SIZE 1024u
#define BYTE_US 100u /* a little slower than 115200 8N1, so simavr's UART FIFO never overflows */

#define R_PINB 0x23
#define R_PIND 0x29
#define R_SPCR 0x4C
#define R_SPSR 0x4D
#define BEAM_BIT 2 /* PD2 */
#define TM_CLK 4   /* PD4 */
#define TM_DIO 5   /* PD5 */
#define LCD_CS 2   /* PB2 */
#define SIG_GREEN 0
#define SIG_RED 1
#define SIG_BUZZ 2

static avr_t *avr;
static volatile sig_atomic_t stop_requested;

/* ---------- output and logging ---------- */

static void notice(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("BOXSIM ", stdout);
    vfprintf(stdout, fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

static void to_stderr(struct avr_t *a, const int level, const char *fmt, va_list ap) {
    (void)a;
    if (level <= LOG_WARNING) vfprintf(stderr, fmt, ap);
}

static uint64_t wall_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cycles_to_ns(uint64_t c) { return c * 1000ull / (FREQ / 1000000u); }
static uint64_t us_to_cycles(uint64_t us) { return us * (FREQ / 1000000u); }

/* ---------- EEPROM mirror ---------- */

static uint8_t *ee;             /* simavr's EEPROM bytes */
static uint8_t ee_shadow[EE_SIZE];
static int ee_fd = -1;

static void eeprom_open(const char *path) {
    avr_eeprom_desc_t d = {.ee = NULL, .offset = 0, .size = 0};
    avr_ioctl(avr, AVR_IOCTL_EEPROM_GET, &d); /* with ee NULL it lends us the chip's array */
    if (!d.ee) {
        fprintf(stderr, "boxsim: no EEPROM access\n");
        exit(2);
    }
    ee = d.ee;
    ee_fd = open(path, O_RDWR | O_CREAT, 0644);
    if (ee_fd < 0) {
        perror(path);
        exit(2);
    }
    ssize_t n = pread(ee_fd, ee_shadow, EE_SIZE, 0);
    if (n != (ssize_t)EE_SIZE) { /* new (or short) file: a blank chip */
        memset(ee_shadow, 0xFF, EE_SIZE);
        if (pwrite(ee_fd, ee_shadow, EE_SIZE, 0) != (ssize_t)EE_SIZE) {
            perror(path);
            exit(2);
        }
    }
    memcpy(ee, ee_shadow, EE_SIZE);
}

/* Copy what the firmware changed into the file. pwrite() is enough against SIGKILL: the data
 * is in the kernel once it returns. */
static void eeprom_sync(void) {
    if (memcmp(ee, ee_shadow, EE_SIZE) == 0) return;
    unsigned lo = 0, hi = EE_SIZE;
    while (ee[lo] == ee_shadow[lo]) lo++;
    while (ee[hi - 1] == ee_shadow[hi - 1]) hi--;
    memcpy(ee_shadow + lo, ee + lo, hi - lo);
    if (pwrite(ee_fd, ee_shadow + lo, hi - lo, lo) != (ssize_t)(hi - lo)) perror("eeprom write");
}

/* ---------- the serial link: a pseudo-terminal or a TCP client ---------- */

static int link_fd = -1;                 /* where UART bytes go and come from: pty master or client */
static int pty_slave = -1;
static int listen_fd = -1;
static const char *link_path;
static int tcp_port = -1;
static uint64_t replug_at_ns;

static uint8_t rx[1 << 16]; /* host -> AVR */
static unsigned rx_head, rx_tail;
static uint8_t tx[1 << 16]; /* AVR -> host, when the pty is momentarily full */
static unsigned tx_head, tx_tail;
static int uart_xoff;
static avr_irq_t *uart_in;

static void pty_make(void) {
    char name[128];
    int pty_master;
    if (openpty(&pty_master, &pty_slave, name, NULL, NULL) < 0) {
        perror("openpty");
        exit(2);
    }
    struct termios tio;
    tcgetattr(pty_slave, &tio);
    cfmakeraw(&tio); /* no echo, no line editing: bytes as they are */
    tcsetattr(pty_slave, TCSANOW, &tio);
    fcntl(pty_master, F_SETFL, fcntl(pty_master, F_GETFL) | O_NONBLOCK);
    /* We keep the slave open ourselves, so the master never reads as hung up while no host
     * has the port open (bytes then queue in the pty and drop when it is full, as on a wire). */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.new", link_path);
    unlink(tmp);
    if (symlink(name, tmp) != 0 || rename(tmp, link_path) != 0) {
        perror(link_path);
        exit(2);
    }
    link_fd = pty_master;
    notice("plugged pty=%s link=%s", name, link_path);
}

static void tcp_listen(void) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)tcp_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(listen_fd, 1) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&a, &len) != 0) {
        perror("tcp");
        exit(2);
    }
    tcp_port = ntohs(a.sin_port); /* the same port again after an unplug */
    notice("plugged tcp=127.0.0.1:%d", tcp_port);
}

static void tcp_accept(void) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) return;
    if (link_fd >= 0) close(link_fd); /* a new client takes the line */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    link_fd = fd;
    notice("client connected");
}

static void link_drop_client(void) {
    if (tcp_port < 0 || link_fd < 0) return;
    close(link_fd);
    link_fd = -1;
    notice("client disconnected");
}

static void link_make(void) {
    if (tcp_port >= 0) tcp_listen();
    else pty_make();
}

static void link_unplug(unsigned ms) {
    if (link_fd >= 0) close(link_fd);
    if (pty_slave >= 0) close(pty_slave);
    if (listen_fd >= 0) close(listen_fd);
    link_fd = pty_slave = listen_fd = -1;
    if (tcp_port < 0) unlink(link_path);
    tx_head = tx_tail = 0;
    replug_at_ns = wall_ns() + (uint64_t)ms * 1000000ull;
    notice("unplugged for_ms=%u", ms);
}

static void tx_flush(void) {
    while (link_fd >= 0 && tx_tail != tx_head) {
        unsigned end = tx_head > tx_tail ? tx_head : sizeof tx;
        ssize_t n = tcp_port >= 0 ? send(link_fd, tx + tx_tail, end - tx_tail, MSG_NOSIGNAL)
                                  : write(link_fd, tx + tx_tail, end - tx_tail);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN) {
                link_drop_client();
                return;
            }
            if (n < 0 && errno == EAGAIN) {
                /* nobody is reading: drop the oldest, like a UART with nobody listening */
                if (tx_head - tx_tail > sizeof tx / 2 || (tx_head < tx_tail)) tx_tail = tx_head;
            }
            return;
        }
        tx_tail = (tx_tail + (unsigned)n) % sizeof tx;
    }
}

static void uart_output(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    eeprom_sync(); /* whatever the firmware says next, its EEPROM is already safe */
    if (link_fd < 0) return; /* unplugged, or no client: the byte goes nowhere */
    tx[tx_head] = (uint8_t)value;
    tx_head = (tx_head + 1) % sizeof tx;
    if (tx_head == tx_tail) tx_tail = (tx_tail + 1) % sizeof tx;
    tx_flush();
}

static void uart_xoff_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    uart_xoff = value != 0;
}

static void uart_xon_hook(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    if (value) uart_xoff = 0;
}

/* One byte per BYTE_US onto the AVR's RX line. */
static avr_cycle_count_t feed_byte(struct avr_t *a, avr_cycle_count_t when, void *param) {
    (void)a;
    (void)param;
    if (rx_tail == rx_head) return 0;
    if (!uart_xoff) {
        uint8_t b = rx[rx_tail];
        rx_tail = (rx_tail + 1) % sizeof rx;
        avr_raise_irq(uart_in, b);
    }
    return rx_tail == rx_head ? 0 : when + us_to_cycles(BYTE_US);
}

static void rx_schedule(void) {
    if (rx_tail != rx_head && avr_cycle_timer_status(avr, feed_byte, NULL) == 0)
        avr_cycle_timer_register(avr, 1, feed_byte, NULL);
}

static void link_read(void) {
    for (;;) {
        unsigned space = (rx_tail + sizeof rx - rx_head - 1) % sizeof rx;
        if (!space) return;
        unsigned end = rx_head >= rx_tail ? sizeof rx : rx_tail - 1;
        if (end - rx_head < space) space = end - rx_head;
        ssize_t n = read(link_fd, rx + rx_head, space);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) link_drop_client(); /* TCP: gone */
        if (n <= 0) return;
        rx_head = (rx_head + (unsigned)n) % sizeof rx;
    }
}

/* ---------- input pins the models drive ---------- */

/* Inputs are pulled up off-chip and the firmware never enables the internal pull-up on them,
 * so the PIN bits are ours to set. Written directly, so a reset that clears PIN cannot leave a
 * stale level behind (simavr filters IRQs that repeat a value). */
static void drive_pin(avr_irq_t *irq, uint16_t pin_reg, int bit, int level) {
    if (level) avr->data[pin_reg] |= (uint8_t)(1 << bit);
    else avr->data[pin_reg] &= (uint8_t)~(1 << bit);
    avr_raise_irq(irq, level ? 1 : 0);
}

/* ---------- IR beam ---------- */

static avr_irq_t *beam_irq;
static int beam_level = 1;
static struct { int level; uint64_t us; } beam_steps[256];
static int beam_n, beam_i;

static avr_cycle_count_t beam_step(struct avr_t *a, avr_cycle_count_t when, void *param) {
    (void)a;
    (void)param;
    if (beam_i >= beam_n) return 0;
    beam_level = beam_steps[beam_i].level;
    drive_pin(beam_irq, R_PIND, BEAM_BIT, beam_level);
    uint64_t us = beam_steps[beam_i].us;
    beam_i++;
    return beam_i < beam_n ? when + us_to_cycles(us ? us : 1) : 0;
}

static void beam_command(char *args) {
    beam_n = beam_i = 0;
    for (char *tok = strtok(args, " \t"); tok && beam_n < 256; tok = strtok(NULL, " \t")) {
        int level;
        unsigned long long us;
        if (sscanf(tok, "%d:%llu", &level, &us) != 2) {
            notice("error beam step '%s'", tok);
            beam_n = 0;
            return;
        }
        beam_steps[beam_n].level = level != 0;
        beam_steps[beam_n].us = us;
        beam_n++;
    }
    avr_cycle_timer_cancel(avr, beam_step, NULL);
    if (beam_n) avr_cycle_timer_register(avr, 1, beam_step, NULL);
    notice("beam steps=%d", beam_n);
}

/* ---------- TM1637 on PD4 (CLK) / PD5 (DIO), open drain ---------- */

static struct {
    avr_irq_t *clk_irq, *dio_irq;
    int clk, dio;        /* line levels */
    int started, bit, acking, first;
    uint8_t byte, addr, grid[6], ctrl;
    unsigned bytes, errors;
} tm;

static void tm_byte(uint8_t b) {
    tm.bytes++;
    if (tm.first) {
        tm.first = 0;
        if ((b & 0xC0) == 0x40) return;             /* data command: write, auto increment */
        if ((b & 0xC0) == 0xC0) { tm.addr = b & 0x07; return; } /* address, data follows */
        if ((b & 0xF0) == 0x80) { tm.ctrl = b; return; } /* display control */
        tm.errors++;
        return;
    }
    if (tm.addr < 6) tm.grid[tm.addr++] = b;
    else tm.errors++;
}

static void tm_lines(uint8_t port, uint8_t ddr) {
    /* open drain: a line is low if the AVR drives it low or (DIO) the chip pulls it for ACK */
    int clk = (ddr & (1 << TM_CLK)) ? !!(port & (1 << TM_CLK)) : 1;
    int avr_dio = (ddr & (1 << TM_DIO)) ? !!(port & (1 << TM_DIO)) : 1;
    int dio = avr_dio && !tm.acking;
    if (clk && tm.clk && dio != tm.dio) {
        if (!dio) { /* DIO falls while CLK is high: start */
            tm.started = 1;
            tm.first = 1;
            tm.bit = 0;
            tm.byte = 0;
        } else { /* DIO rises while CLK is high: stop */
            tm.started = 0;
        }
    } else if (tm.started && clk && !tm.clk) { /* rising edge: the chip samples, LSB first */
        if (tm.bit < 8) tm.byte |= (uint8_t)(dio << tm.bit);
        tm.bit++;
    } else if (tm.started && !clk && tm.clk) { /* falling edge */
        if (tm.bit == 8 && !tm.acking) {
            tm_byte(tm.byte);
            tm.acking = 1; /* pull DIO low through the ninth clock */
        } else if (tm.bit == 9 && tm.acking) {
            tm.acking = 0;
            tm.bit = 0;
            tm.byte = 0;
        }
    }
    tm.clk = clk;
    tm.dio = avr_dio && !tm.acking;
    drive_pin(tm.clk_irq, R_PIND, TM_CLK, 1);
    drive_pin(tm.dio_irq, R_PIND, TM_DIO, !tm.acking);
}

static uint8_t port_d, ddr_d, port_b, port_c;

static void portd_written(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    port_d = (uint8_t)value;
    tm_lines(port_d, ddr_d);
}

static void ddrd_written(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    ddr_d = (uint8_t)value;
    tm_lines(port_d, ddr_d);
}

/* ---------- ST7920 on the SPI, CS on PB2 ---------- */

#define ST_EXEC_NS 72000ull
#define ST_CLEAR_NS 1600000ull

static struct {
    int cs, phase, rs, display_on, extended;
    uint8_t sync, hi;
    uint8_t ddram[64];
    unsigned ac, half;
    uint64_t busy_until_ns, sync_ns, byte_ns;
    unsigned instructions, violations, errors;
} st;

static void st_execute(uint8_t v, uint64_t done_ns) {
    st.instructions++;
    uint64_t exec = ST_EXEC_NS;
    if (st.rs) {
        st.ddram[(st.ac * 2 + st.half) & 63] = v;
        st.half ^= 1;
        if (!st.half) st.ac = (st.ac + 1) & 0x1F;
    } else if (v == 0x01) {
        memset(st.ddram, ' ', sizeof st.ddram);
        st.ac = st.half = 0;
        exec = ST_CLEAR_NS;
    } else if ((v & 0xE0) == 0x20) {
        st.extended = (v & 0x04) != 0;
    } else if (st.extended) {
        st.errors++; /* the firmware only uses the basic instruction set */
    } else if (v & 0x80) {
        st.ac = v & 0x1F;
        st.half = 0;
    } else if ((v & 0xF8) == 0x08) {
        st.display_on = (v & 0x04) != 0;
    } else if ((v & 0xFE) == 0x02) {
        st.ac = st.half = 0;
    }
    st.busy_until_ns = done_ns + exec;
}

static void spi_output(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    uint8_t spcr = avr->data[R_SPCR];
    uint8_t v = (uint8_t)value;
    if (!st.cs) return; /* not selected: the chip ignores the clock */
    /* MSB first, SCK idle and sampling as the chip wants (modes 0 and 3 sample on the rising edge) */
    int cpol = !!(spcr & 0x08), cpha = !!(spcr & 0x04);
    if ((spcr & 0x20) || cpol != cpha) st.errors++;
    unsigned div = 4u << ((spcr & 3) * 2);
    if ((spcr & 3) == 3) div = 128;
    if (avr->data[R_SPSR] & 1) div /= 2;
    if (FREQ / div > 2500000u) st.errors++; /* serial clock limit */
    /* simavr reports a master byte when its transfer ends, and (1.6) takes a fixed ~100 us per
     * byte whatever the SPI clock; the gap between an instruction's first two bytes measures that
     * (the smallest one: an interrupt can stretch a gap), and a byte began that long before its end */
    uint64_t now = cycles_to_ns(avr->cycle);
    if (st.phase == 0) {
        if ((v & 0xF9) != 0xF8) { /* 11111 RW RS 0 with RW = 0 (write) */
            st.errors++;
            return;
        }
        if (now - st.byte_ns < st.busy_until_ns) st.violations++; /* sent while the chip was busy */
        st.rs = (v >> 1) & 1;
        st.phase = 1;
        st.sync_ns = now;
    } else if (st.phase == 1) {
        st.hi = v & 0xF0;
        if (v & 0x0F) st.errors++;
        st.phase = 2;
        /* the smallest gap seen: an interrupt in the firmware can only stretch one */
        if (st.byte_ns == 0 || now - st.sync_ns < st.byte_ns) st.byte_ns = now - st.sync_ns;
    } else {
        if (v & 0x0F) st.errors++;
        st_execute((uint8_t)(st.hi | (v >> 4)), now);
        st.phase = 0;
    }
}

static void portb_written(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    port_b = (uint8_t)value;
    int cs = !!(port_b & (1 << LCD_CS));
    if (!cs) st.phase = 0; /* deselect resets the chip's serial counter */
    st.cs = cs;
}

static void portc_written(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    port_c = (uint8_t)value;
}

/* ---------- panel report ---------- */

static void hex(char *out, const uint8_t *b, unsigned n) {
    for (unsigned i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
}

static void panel_command(void) {
    static const unsigned row_at[4] = {0, 32, 16, 48}; /* DDRAM byte offset of each visible row */
    uint8_t rows[64];
    for (int r = 0; r < 4; r++) memcpy(rows + 16 * r, st.ddram + row_at[r], 16);
    char lcd[129], grid[13];
    hex(lcd, rows, 64);
    hex(grid, tm.grid, 6);
    avr_ioport_state_t c;
    avr_ioctl(avr, AVR_IOCTL_IOPORT_GETSTATE('C'), &c);
    uint8_t lit = (uint8_t)(c.port & c.ddr);
    notice("panel tm_grid=%s tm_ctrl=%02x tm_bytes=%u tm_errors=%u lcd=%s lcd_on=%d lcd_instructions=%u "
           "lcd_violations=%u lcd_errors=%u green=%d red=%d buzzer=%d beam=%d cycle=%llu",
           grid, tm.ctrl, tm.bytes, tm.errors, lcd, st.display_on, st.instructions, st.violations, st.errors,
           !!(lit & (1 << SIG_GREEN)), !!(lit & (1 << SIG_RED)), !!(lit & (1 << SIG_BUZZ)), beam_level,
           (unsigned long long)avr->cycle);
}

/* ---------- control channel ---------- */

static char ctl_buf[8192];
static size_t ctl_len;

static void control_line(char *line) {
    if (strcmp(line, "panel") == 0) panel_command();
    else if (strncmp(line, "beam ", 5) == 0) beam_command(line + 5);
    else if (strncmp(line, "unplug ", 7) == 0) link_unplug((unsigned)atoi(line + 7));
    else if (strcmp(line, "quit") == 0) stop_requested = 1;
    else notice("error unknown command '%s'", line);
}

static void control_read(void) {
    ssize_t n = read(0, ctl_buf + ctl_len, sizeof ctl_buf - 1 - ctl_len);
    if (n <= 0) { /* our parent is gone: so are we */
        stop_requested = 1;
        return;
    }
    ctl_len += (size_t)n;
    char *nl;
    while ((nl = memchr(ctl_buf, '\n', ctl_len))) {
        *nl = 0;
        control_line(ctl_buf);
        size_t used = (size_t)(nl - ctl_buf) + 1;
        memmove(ctl_buf, ctl_buf + used, ctl_len - used);
        ctl_len -= used;
    }
    if (ctl_len == sizeof ctl_buf - 1) ctl_len = 0;
}

/* Wait for input (pty, control) until deadline_ns; 0 = just look. */
static void service_io(uint64_t deadline_ns) {
    for (;;) {
        if (replug_at_ns && wall_ns() >= replug_at_ns) {
            replug_at_ns = 0;
            link_make();
        }
        struct pollfd fds[3] = {{.fd = 0, .events = POLLIN}, {.fd = link_fd, .events = POLLIN},
                                {.fd = listen_fd, .events = POLLIN}};
        if (link_fd >= 0 && tx_tail != tx_head) fds[1].events |= POLLOUT;
        uint64_t now = wall_ns();
        int timeout_ms = 0;
        struct timespec ts = {0, 0};
        if (deadline_ns > now) {
            uint64_t d = deadline_ns - now;
            ts.tv_sec = (time_t)(d / 1000000000ull);
            ts.tv_nsec = (long)(d % 1000000000ull);
            timeout_ms = 1;
        }
        int r = ppoll(fds, 3, timeout_ms ? &ts : &(struct timespec){0, 0}, NULL); /* fd -1 is skipped */
        if (r > 0) {
            if (fds[0].revents & (POLLIN | POLLHUP)) control_read();
            if (link_fd >= 0 && link_fd == fds[1].fd && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) link_read();
            if (link_fd >= 0 && link_fd == fds[1].fd && (fds[1].revents & POLLOUT)) tx_flush();
            if (listen_fd >= 0 && (fds[2].revents & POLLIN)) tcp_accept();
            rx_schedule();
        }
        if (stop_requested || r <= 0 || wall_ns() >= deadline_ns) return;
    }
}

/* ---------- pacing: simulated time follows the wall clock ---------- */

static uint64_t anchor_wall_ns, anchor_cycle;

static void pace_to(avr_cycle_count_t cycle) {
    uint64_t sim = cycles_to_ns(cycle - anchor_cycle);
    uint64_t now = wall_ns();
    uint64_t real = now - anchor_wall_ns;
    if (real > sim + 50000000ull) { /* fell behind by 50 ms (a busy host): don't race to catch up */
        anchor_wall_ns = now - sim;
        return;
    }
    if (sim > real) service_io(anchor_wall_ns + sim);
}

/* The firmware sleeps until its next interrupt: spend that time waiting for input instead. */
static void sleep_hook(avr_t *a, avr_cycle_count_t how_long) { pace_to(a->cycle + how_long); }

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static avr_irq_t *port_irq(char port, int which) {
    return avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ(port), which);
}

int main(int argc, char **argv) {
    const char *firmware = NULL, *eeprom = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--firmware")) firmware = argv[i + 1];
        else if (!strcmp(argv[i], "--eeprom")) eeprom = argv[i + 1];
        else if (!strcmp(argv[i], "--link")) link_path = argv[i + 1];
        else if (!strcmp(argv[i], "--tcp")) tcp_port = atoi(argv[i + 1]);
    }
    if (!firmware || !eeprom || (!link_path) == (tcp_port < 0)) {
        fprintf(stderr, "usage: boxsim --firmware FILE.elf --eeprom FILE (--link PATH | --tcp PORT)\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    avr_global_logger_set(to_stderr);

    elf_firmware_t f;
    memset(&f, 0, sizeof f);
    if (elf_read_firmware(firmware, &f) != 0) {
        fprintf(stderr, "boxsim: cannot read %s\n", firmware);
        return 2;
    }
    avr = avr_make_mcu_by_name("atmega328p");
    if (!avr) return 2;
    avr_init(avr);
    f.frequency = FREQ;
    avr_load_firmware(avr, &f);
    avr->frequency = FREQ;
    avr->log = LOG_WARNING;
    avr->sleep = sleep_hook;

    eeprom_open(eeprom);

    uint32_t flags = 0; /* binary on the UART: no console echo */
    avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
    flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
    avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    uart_in = avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), uart_output, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), uart_xoff_hook,
                            NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), uart_xon_hook, NULL);

    beam_irq = port_irq('D', BEAM_BIT);
    tm.clk_irq = port_irq('D', TM_CLK);
    tm.dio_irq = port_irq('D', TM_DIO);
    tm.clk = tm.dio = 1;
    avr_irq_register_notify(port_irq('D', IOPORT_IRQ_REG_PORT), portd_written, NULL);
    avr_irq_register_notify(port_irq('D', IOPORT_IRQ_DIRECTION_ALL), ddrd_written, NULL);
    avr_irq_register_notify(port_irq('B', IOPORT_IRQ_REG_PORT), portb_written, NULL);
    avr_irq_register_notify(port_irq('C', IOPORT_IRQ_REG_PORT), portc_written, NULL);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0) /* the 328P's SPI is named 0, not '0' */, SPI_IRQ_OUTPUT), spi_output, NULL);
    memset(st.ddram, ' ', sizeof st.ddram);

    link_make();
    notice("ready firmware=%s eeprom=%s", firmware, eeprom);

    anchor_wall_ns = wall_ns();
    anchor_cycle = avr->cycle;
    int state = cpu_Running;
    avr_cycle_count_t last_cycle = avr->cycle;
    while (!stop_requested) {
        if (avr->cycle < last_cycle) { /* the core reset (watchdog): simulated time restarted */
            notice("reset cycle=%llu", (unsigned long long)avr->cycle);
            anchor_wall_ns = wall_ns();
            anchor_cycle = avr->cycle;
        }
        /* levels held by the outside world, re-applied in case a reset cleared the PIN registers */
        if (!(avr->data[R_PIND] & (1 << BEAM_BIT)) != !beam_level) drive_pin(beam_irq, R_PIND, BEAM_BIT, beam_level);
        for (int i = 0; i < 4000 && !stop_requested; i++) {
            state = avr_run(avr);
            if (state == cpu_Done || state == cpu_Crashed) break;
        }
        if (state == cpu_Done || state == cpu_Crashed) {
            notice("halted state=%d pc=%04x", state, avr->pc);
            break;
        }
        eeprom_sync();
        pace_to(avr->cycle);
        service_io(0);
        last_cycle = avr->cycle;
    }
    eeprom_sync();
    if (link_path) unlink(link_path);
    notice("exit");
    return 0;
}
