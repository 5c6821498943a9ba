/* `ttftop replay`: a saved session read back through the same sinks. */
#ifndef TTFTOP_REPLAY_H
#define TTFTOP_REPLAY_H

int replay_main(int argc, char **argv);

#endif
