/* `ttftop sim`: the simulated endpoint, a libev HTTP/1.1 server that streams
 * tokens on a known schedule and logs when it sent each one. */
#ifndef TTFTOP_SIM_H
#define TTFTOP_SIM_H

int sim_main(int argc, char **argv);
void sim_usage(void);

#endif
