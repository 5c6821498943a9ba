#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

int
usec_format(char *buf, usec_t u)
{
	char tmp[24];
	uint64_t v, whole;
	int n = 0, i = 0;

	if (u < 0) {
		buf[n++] = '-';
		v = (uint64_t)0 - (uint64_t)u;
	} else
		v = (uint64_t)u;
	whole = v / USEC_PER_SEC;
	do {
		tmp[i++] = (char)('0' + whole % 10);
		whole /= 10;
	} while (whole != 0);
	while (i > 0)
		buf[n++] = tmp[--i];
	buf[n++] = '.';
	v %= USEC_PER_SEC;
	for (i = 5; i >= 0; i--) {
		buf[n + i] = (char)('0' + v % 10);
		v /= 10;
	}
	n += 6;
	buf[n] = '\0';
	return n;
}

int
duration_parse(const char *s, usec_t *out)
{
	static const struct {
		const char *suffix;
		double scale;
	} units[] = {
		{ "us", 1e-6 }, { "ms", 1e-3 }, { "s", 1 }, { "m", 60 },
		{ "h", 3600 }, { "", 1 },
	};
	char *end;
	double v;
	size_t i;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	v = strtod(s, &end);
	if (end == s || !isfinite(v) || v < 0)
		return -1;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			v *= units[i].scale * USEC_PER_SEC;
			if (v > 1e15)
				return -1;
			*out = (usec_t)llround(v);
			return 0;
		}
	}
	return -1;
}
