/* The Prometheus text parser, fed in two pieces and finished; what it
 * reads is read on as a scrape is (two scrapes a second apart: counters as
 * rates, the TTFT histogram's change and its quantiles), which must stay
 * within the histogram's bounds. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_split.h"
#include "metrics.h"
#include "server_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static void
on_sample(void *ctx, const struct prom_sample *x)
{
	struct server_scrape *s = ctx;
	char le[32];
	size_t i;

	if (x->name_len == 0 || memchr(x->name, '\n', x->name_len) != NULL ||
	    memchr(x->labels, '\n', x->labels_len) != NULL)
		__builtin_trap();
	for (i = 0; i < x->name_len; i++)
		if (x->name[i] == ' ' || x->name[i] == '{')
			__builtin_trap();
	if (s->n == SERVER_SERIES || x->name_len >= sizeof s->names[0] - 40)
		return;
	if (prom_label(x, "le", le, sizeof le))
		snprintf(s->names[s->n], sizeof s->names[0], "%.*s{le=\"%s\"}",
		    (int)x->name_len, x->name, le);
	else
		snprintf(s->names[s->n], sizeof s->names[0], "%.*s",
		    (int)x->name_len, x->name);
	s->values[s->n++] = x->value;
}

static void
check_quantiles(const struct prom_hist *h)
{
	static const double qs[] = { 0, 0.5, 0.95, 1 };
	size_t i;

	for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
		double v = prom_hist_quantile(h, qs[i]);
		double hi = h->n > 1 ? h->le[h->n - 2] : h->le[0];

		if (!isnan(v) && (v < fmin(0, h->le[0]) || v > hi))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static struct server_scrape s;
	struct prom_parser p;
	struct server_reader r;
	struct server_reading v;
	size_t at = fuzz_split(&data, &n);
	const char *d = (const char *)data;

	memset(&s, 0, sizeof s);
	s.source = "http://fuzz/metrics";
	prom_init(&p, on_sample, &s);
	if (prom_feed(&p, d, at) == 0 && prom_feed(&p, d + at, n - at) == 0)
		prom_finish(&p);
	prom_done(&p);
	server_reader_init(&r);
	server_read(&r, &s, &v);
	s.t += 1000000;
	for (at = 0; at < (size_t)s.n; at++)	/* the second: twice the counts */
		s.values[at] *= 2;
	server_read(&r, &s, &v);
	check_quantiles(&v.ttft);
	server_reader_done(&r);
	return 0;
}
