/* `ttftop report`: tables of one or several saved runs. */
#ifndef TTFTOP_REPORT_H
#define TTFTOP_REPORT_H

int report_main(int argc, char **argv);

#endif
