/* What the fuzz targets share: the input's first byte picks where the rest
 * is split in two, so that the incremental parsers are fed in pieces as a
 * socket would hand them over. */
#ifndef TTFTOP_FUZZ_SPLIT_H
#define TTFTOP_FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>

/* Sets *body and *n to the input after its first byte, and returns where to
 * split it (0..*n). */
static inline size_t
fuzz_split(const uint8_t **body, size_t *n)
{
	size_t at;

	if (*n == 0)
		return 0;
	at = (*body)[0];
	(*body)++;
	(*n)--;
	return *n == 0 ? 0 : at % (*n + 1);
}

#endif
