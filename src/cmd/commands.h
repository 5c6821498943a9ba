/* The commands' entry points: each takes argv after the command word and
 * returns the exit status (exit_status.h). */
#ifndef TTFTOP_COMMANDS_H
#define TTFTOP_COMMANDS_H

#include <stdbool.h>

/* The signal (SIGINT, SIGTERM, SIGHUP) that came before the run's loop
 * watched for signals, or 0: the run quits as soon as it starts. */
int early_signal(void);
int run_main(int argc, char **argv);
int demo_main(int argc, char **argv);
int replay_main(int argc, char **argv);
int report_main(int argc, char **argv);
int compare_main(int argc, char **argv);
/* `replay --compare` without a screen: the report of the runs, markdown or
 * JSON, on stdout. */
int report_compare(char *const *paths, int n, const char **labels,
    int nlabels, bool json);

#endif
