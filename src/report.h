/* `ttftop report`: tables of one or several saved runs. */
#ifndef TTFTOP_REPORT_H
#define TTFTOP_REPORT_H

#include <stdbool.h>

int report_main(int argc, char **argv);
/* `replay --compare`: the report of several runs, markdown or JSON, on
 * stdout; returns the exit status. */
int report_compare(char *const *paths, int n, const char **labels,
    int nlabels, bool json);

#endif
