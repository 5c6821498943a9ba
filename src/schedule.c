#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "xalloc.h"

void
arrivals_init(struct arrivals *a, enum arrival kind, double shape,
    unsigned long seed)
{
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->shape = shape;
	rng_seed(&a->rng, seed);
	a->next = ARRIVAL_NEVER;
}

/* The time at which L reaches a->u, solving the segment's quadratic in a
 * form that stays exact when the slope is small or negative. */
static void
place(struct arrivals *a)
{
	double d = a->u - a->u0, disc, x;

	if (d <= 0) {
		a->next = a->t0;
		return;
	}
	disc = a->rate * a->rate + 2.0 * a->slope * d;
	if (disc < 0 || a->rate + sqrt(disc) <= 0) {
		a->next = ARRIVAL_NEVER;	/* the rate falls to 0 before */
		return;
	}
	x = 2.0 * d / (a->rate + sqrt(disc));
	if (!isfinite(x) || x > 1e9) {
		a->next = ARRIVAL_NEVER;
		return;
	}
	a->next = a->t0 + (usec_t)llround(x * USEC_PER_SEC);
}

void
arrivals_begin(struct arrivals *a, usec_t now, double rate, double slope)
{
	a->t0 = now;
	a->u0 = a->u = 0;
	a->rate = rate;
	a->slope = slope;
	place(a);
}

static double
gap(struct arrivals *a)
{
	switch (a->kind) {
	case ARRIVAL_POISSON:
		return rng_exp(&a->rng);
	case ARRIVAL_GAMMA:
		return rng_gamma(&a->rng, a->shape);
	default:
		return 1.0;
	}
}

void
arrivals_step(struct arrivals *a)
{
	a->u += gap(a);
	place(a);
}

double
arrivals_rate_at(const struct arrivals *a, usec_t now)
{
	double r = a->rate + a->slope * usec_to_sec(now - a->t0);

	return r > 0 ? r : 0;
}

void
arrivals_set_rate(struct arrivals *a, usec_t now, double rate)
{
	double x = usec_to_sec(now - a->t0);

	if (x > 0) {
		a->u0 += a->rate * x + a->slope * x * x / 2;
		a->t0 = now;
	}
	a->rate = rate;
	a->slope = 0;
	place(a);
}

void
arrivals_shift(struct arrivals *a, usec_t d)
{
	a->t0 += d;
	if (a->next != ARRIVAL_NEVER)
		a->next += d;
}

const char *
arrival_name(enum arrival kind)
{
	return kind == ARRIVAL_POISSON ? "poisson" :
	    kind == ARRIVAL_GAMMA ? "gamma" : "constant";
}

int
arrival_parse(const char *s, enum arrival *kind, double *shape)
{
	char *end;

	*shape = 1;
	if (strcmp(s, "constant") == 0)
		*kind = ARRIVAL_CONSTANT;
	else if (strcmp(s, "poisson") == 0)
		*kind = ARRIVAL_POISSON;
	else if (strncmp(s, "gamma:", 6) == 0) {
		errno = 0;
		*shape = strtod(s + 6, &end);
		if (errno != 0 || end == s + 6 || *end != '\0' || !isfinite(*shape) ||
		    *shape < 0.01 || *shape > 1000)
			return -1;
		*kind = ARRIVAL_GAMMA;
	} else
		return -1;
	return 0;
}

struct entry {
	usec_t	at;
	long	prompt;
	size_t	order;		/* keeps equal times in file order */
};

static int
cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

int
schedule_load(const char *path, usec_t **at, long **prompt, size_t *n,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct entry *v = NULL;
	size_t count = 0, cap = 0, i;
	char *line = NULL;
	size_t linecap = 0;
	long lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "--schedule: %s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &linecap, f) >= 0) {
		char *p = line, *end;
		double sec;
		long idx = -1;

		lineno++;
		p += strspn(p, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		errno = 0;
		sec = strtod(p, &end);
		if (end == p || errno != 0 || !isfinite(sec) || sec < 0 || sec > 1e7 ||
		    (*end != '\0' && strchr(" \t,\r\n", *end) == NULL)) {
			p[strcspn(p, " \t,\r\n")] = '\0';
			snprintf(err, errlen, "--schedule: %s:%ld: '%s' is not a send "
			    "offset in seconds", path, lineno, p);
			goto fail;
		}
		p = end + strspn(end, " \t,");
		if (*p != '\0' && *p != '\n' && *p != '\r' && *p != '#') {
			errno = 0;
			idx = strtol(p, &end, 10);
			end += strspn(end, " \t\r\n");
			if (errno != 0 || idx < 0 || (*end != '\0' && *end != '#')) {
				p[strcspn(p, " \t\r\n")] = '\0';
				snprintf(err, errlen, "--schedule: %s:%ld: '%s' is not a "
				    "prompt index", path, lineno, p);
				goto fail;
			}
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[count].at = (usec_t)llround(sec * USEC_PER_SEC);
		v[count].prompt = idx;
		v[count].order = count;
		count++;
	}
	if (count == 0) {
		snprintf(err, errlen, "--schedule: %s holds no send times", path);
		goto fail;
	}
	qsort(v, count, sizeof *v, cmp_entry);
	*at = xreallocarray(NULL, count, sizeof **at);
	*prompt = xreallocarray(NULL, count, sizeof **prompt);
	for (i = 0; i < count; i++) {
		(*at)[i] = v[i].at;
		(*prompt)[i] = v[i].prompt;
	}
	*n = count;
	free(v);
	free(line);
	fclose(f);
	return 0;
fail:
	free(v);
	free(line);
	fclose(f);
	return -1;
}
