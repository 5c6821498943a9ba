/* The exit statuses every command shares (the manual's EXIT STATUS). */
#ifndef TTFTOP_EXIT_STATUS_H
#define TTFTOP_EXIT_STATUS_H

enum exit_status {
	EXIT_OK = 0,		/* the run completed */
	EXIT_FAILED = 1,	/* it ended in error */
	EXIT_USAGE = 2,		/* bad usage or a bad input file */
	EXIT_THRESHOLD = 3	/* an --assert or compare --fail-on failed */
};

#endif
