/* The `run` and `demo` commands. */
#ifndef TTFTOP_RUN_H
#define TTFTOP_RUN_H

int run_main(int argc, char **argv);
int demo_main(int argc, char **argv);

#endif
