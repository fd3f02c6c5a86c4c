/* Accept / reject lamps and the buzzer: a green lamp and one short beep for an accepted ballot,
 * a red lamp and three beeps for a rejected one. */
#ifndef BOX_SIGNAL_H
#define BOX_SIGNAL_H

#include <stdint.h>

void signal_init(void);
void signal_start(uint8_t kind); /* SIGNAL_OFF, SIGNAL_ACCEPT, SIGNAL_REJECT */
/* Called from the 1 ms timer interrupt. */
void signal_tick(void);
/* OUT_LED_GREEN | OUT_LED_RED | OUT_BUZZER as currently driven. */
uint8_t signal_outputs(void);

#endif
