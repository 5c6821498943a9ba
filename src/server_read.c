#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "server_read.h"
#include "xalloc.h"

void
server_reader_init(struct server_reader *r)
{
	memset(r, 0, sizeof *r);
}

void
server_reader_done(struct server_reader *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		free(r->src[i].url);
	memset(r, 0, sizeof *r);
}

static struct server_source *
source_of(struct server_reader *r, const char *url)
{
	struct server_source *s;
	int i, g;

	if (url == NULL)
		url = "";
	for (i = 0; i < r->n; i++)
		if (strcmp(r->src[i].url, url) == 0)
			return &r->src[i];
	if (r->n == SERVER_SOURCES)
		return NULL;
	s = &r->src[r->n++];
	memset(s, 0, sizeof *s);
	s->url = xstrdup(url);
	for (g = 0; g < SG_COUNT; g++)
		s->counter[g] = NAN;
	return s;
}

/* A series of the server's TTFT histogram (as the scrape names it:
 * "family_bucket{le=\"0.05\"}", "family_sum", "family_count") into h. */
static void
hist_series(struct prom_hist *h, const char *name, double v)
{
	static const char bucket[] = "_bucket{le=\"";
	const char *b = strstr(name, bucket), *le;
	size_t fl = b != NULL ? (size_t)(b - name) : strcspn(name, "{");
	double at;
	char *end;
	int i;

	if (b == NULL) {
		if (fl > 4 && strcmp(name + fl - 4, "_sum") == 0 &&
		    server_ttft_family(name, fl - 4))
			h->sum = v;
		else if (fl > 6 && strcmp(name + fl - 6, "_count") == 0 &&
		    server_ttft_family(name, fl - 6))
			h->count = v;
		return;
	}
	if (!server_ttft_family(name, fl) || h->n == PROM_HIST_MAX)
		return;
	le = b + sizeof bucket - 1;
	if (strncmp(le, "+Inf\"", 5) == 0)
		at = INFINITY;
	else {
		at = strtod(le, &end);
		if (end == le || *end != '"' || !isfinite(at))
			return;
	}
	/* kept ascending, whatever order they came in */
	for (i = h->n; i > 0 && h->le[i - 1] > at; i--) {
		h->le[i] = h->le[i - 1];
		h->cum[i] = h->cum[i - 1];
	}
	if (i > 0 && h->le[i - 1] == at)
		return;		/* twice: the first kept */
	h->le[i] = at;
	h->cum[i] = v;
	h->n++;
}

/* The histogram's change from was to now; none when its buckets changed. */
static void
hist_delta(const struct prom_hist *was, const struct prom_hist *now,
    struct prom_hist *d)
{
	int i;

	memset(d, 0, sizeof *d);
	if (now->n == 0 || now->n != was->n ||
	    memcmp(now->le, was->le, sizeof now->le[0] * (size_t)now->n) != 0)
		return;
	if (now->count < was->count) {	/* the server restarted */
		*d = *now;
		return;
	}
	*d = *now;
	for (i = 0; i < now->n; i++)
		d->cum[i] = fmax(0, now->cum[i] - was->cum[i]);
	d->sum = now->sum - was->sum;
	d->count = now->count - was->count;
}

bool
server_read(struct server_reader *r, const struct server_scrape *x,
    struct server_reading *out)
{
	struct server_source *src;
	struct prom_hist h;
	double raw[SG_COUNT], scale, secs;
	bool counter[SG_COUNT] = { false }, c;
	int i, g;

	memset(out, 0, sizeof *out);
	for (g = 0; g < SG_COUNT; g++)
		out->v[g] = raw[g] = NAN;
	if (x->error != NULL)
		return false;
	memset(&h, 0, sizeof h);
	for (i = 0; i < x->n; i++) {
		if ((g = server_gauge_of(x->names[i], strlen(x->names[i]), &scale,
		    &c)) < 0) {
			hist_series(&h, x->names[i], x->values[i]);
			continue;
		}
		raw[g] = (isnan(raw[g]) ? 0 : raw[g]) + x->values[i] * scale;
		counter[g] = c;
	}
	if (h.n > 0 && !isinf(h.le[h.n - 1]))
		h.n = 0;		/* no +Inf bucket: not a histogram */
	src = source_of(r, x->source);
	secs = src != NULL ? usec_to_sec(x->t - src->t) : 0;
	for (g = 0; g < SG_COUNT; g++) {
		if (!counter[g]) {
			out->v[g] = raw[g];
			continue;
		}
		if (src == NULL)
			continue;
		/* a counter that fell was reset: it counts from 0 again */
		if (!isnan(src->counter[g]) && !isnan(raw[g]) && secs > 0)
			out->v[g] = (raw[g] >= src->counter[g] ? raw[g] -
			    src->counter[g] : raw[g]) / secs;
		src->counter[g] = raw[g];
	}
	if (src != NULL) {
		if (src->ttft.n > 0)
			hist_delta(&src->ttft, &h, &out->ttft);
		src->ttft = h;
		src->t = x->t;
	}
	return true;
}
