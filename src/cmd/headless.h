/* The headless printer: a progress line to stderr every second. */
#ifndef TTFTOP_HEADLESS_H
#define TTFTOP_HEADLESS_H

#include <stdio.h>

struct load;
struct stats;

struct progress {
	long	last_chunks;
	double	last_t;
};

void headless_progress(FILE *, struct progress *, const struct load *,
    struct stats *);

#endif
