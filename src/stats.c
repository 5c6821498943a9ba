#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "xalloc.h"

const double stats_pcts[NPCT] = { 5, 25, 50, 75, 90, 95, 99, 99.9 };

#define PEAK_WINDOW 5	/* seconds in the moving average of the peak rate */

/* The sum of a sorted series' values, and of their squared distances from
 * mean, into *sum and *sq. */
static void
sums(const struct series *x, double mean, double *sum, double *sq)
{
	size_t i;

	for (i = 0; i < x->n; i++) {
		double v = series_value(x, i);

		if (sum != NULL)
			*sum += v;
		if (sq != NULL)
			*sq += (v - mean) * (v - mean);
	}
}

/* The distribution of a sorted series. */
static void
dist_of(const struct series *x, struct dist *d)
{
	double sum = 0, sq = 0;
	int k;

	memset(d, 0, sizeof *d);
	d->count = (long)x->n;
	if (x->n == 0) {
		d->mean = d->stddev = d->min = d->max = NAN;
		for (k = 0; k < NPCT; k++)
			d->p[k] = NAN;
		return;
	}
	sums(x, 0, &sum, NULL);
	d->mean = sum / (double)x->n;
	sums(x, d->mean, NULL, &sq);
	d->stddev = sqrt(sq / (double)x->n);
	d->min = series_value(x, 0);
	d->max = series_value(x, x->n - 1);
	for (k = 0; k < NPCT; k++)
		d->p[k] = series_percentile_of_sorted(x, stats_pcts[k]);
}

void
stats_dist(struct stage_stats *st, enum metric m, struct dist *d)
{
	series_sort(&st->m[m]);
	dist_of(&st->m[m], d);
}

void
stats_dist_all(struct stats *s, enum metric m, struct dist *d)
{
	stats_dist_stage(s, 0, m, d);
}

void
stats_dist_stage(struct stats *s, int stage, enum metric m, struct dist *d)
{
	struct series **all = xcalloc((size_t)s->nstages + 1, sizeof *all);
	static const struct series none;
	double sum = 0, sq = 0;
	size_t n = 0;
	int i, k, nall = 0;

	for (i = 0; i < s->nstages; i++) {
		if (stage != 0 && s->stages[i].stage != stage)
			continue;
		all[nall] = &s->stages[i].m[m];
		series_sort(all[nall]);
		n += all[nall++]->n;
	}
	if (n == 0 || nall == 1) {
		dist_of(n ? all[0] : &none, d);
		free(all);
		return;
	}
	/* the stages' values taken together, without copying them */
	memset(d, 0, sizeof *d);
	d->count = (long)n;
	d->min = INFINITY;
	d->max = -INFINITY;
	for (i = 0; i < nall; i++) {
		const struct series *x = all[i];

		sums(x, 0, &sum, NULL);
		if (x->n > 0) {
			d->min = fmin(d->min, series_value(x, 0));
			d->max = fmax(d->max, series_value(x, x->n - 1));
		}
	}
	d->mean = sum / (double)n;
	for (i = 0; i < nall; i++)
		sums(all[i], d->mean, NULL, &sq);
	d->stddev = sqrt(sq / (double)n);
	/* percentiles as series_percentile_of_sorted takes them */
	for (k = 0; k < NPCT; k++) {
		double idx = stats_pcts[k] / 100.0 * (double)(n - 1);
		size_t lo = (size_t)floor(idx);
		double v = series_rank(all, nall, lo);

		d->p[k] = lo >= n - 1 ? v :
		    v + (series_rank(all, nall, lo + 1) - v) * (idx - (double)lo);
	}
	free(all);
}

void
stats_init(struct stats *s)
{
	memset(s, 0, sizeof *s);
	s->gen.cpu_share = s->gen.lag_p99 = s->gen.late_p99 = NAN;
	s->gen.read_delay_p99 = NAN;
}

void
stats_done(struct stats *s)
{
	int i, m;

	for (i = 0; i < s->nstages; i++) {
		for (m = 0; m < M_COUNT; m++)
			series_free(&s->stages[i].m[m]);
		free(s->stages[i].briefs);
	}
	free(s->stages);
	free(s->buckets);
	server_reader_done(&s->reader);
	memset(s, 0, sizeof *s);
}

static struct stage_stats *
stage_get(struct stats *s, int stage, int segment)
{
	int i;

	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].stage == stage && s->stages[i].segment == segment)
			return &s->stages[i];
	s->stages = xreallocarray(s->stages, (size_t)s->nstages + 1,
	    sizeof *s->stages);
	memset(&s->stages[s->nstages], 0, sizeof s->stages[0]);
	s->stages[s->nstages].stage = stage;
	s->stages[s->nstages].segment = segment;
	s->stages[s->nstages].end = USEC_NONE;
	if (segment > 1)
		for (i = 0; i <= s->nstages; i++)
			if (s->stages[i].stage == stage)
				s->stages[i].segmented = true;
	return &s->stages[s->nstages++];
}

/* The segment of a request a file did not tag (one from before segments):
 * the stage's last to begin at or before the request's start. */
static int
segment_at(const struct stats *s, int stage, usec_t t)
{
	int i, seg = 1;

	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].stage == stage && s->stages[i].start <= t)
			seg = s->stages[i].segment;
	return seg;
}

struct stage_stats *
stats_current(struct stats *s)
{
	return s->nstages > 0 ? &s->stages[s->nstages - 1] : NULL;
}

static void
bucket_add(struct stats *s, usec_t at, double tokens)
{
	size_t b;

	if (at < 0)
		at = 0;
	b = (size_t)(at / USEC_PER_SEC);
	if (b >= s->nbuckets) {
		size_t n = s->nbuckets ? s->nbuckets : 64;

		while (n <= b)
			n *= 2;
		s->buckets = xreallocarray(s->buckets, n, sizeof *s->buckets);
		memset(s->buckets + s->nbuckets, 0,
		    (n - s->nbuckets) * sizeof *s->buckets);
		s->nbuckets = n;
	}
	s->buckets[b] += tokens;
}

/* The stage whose window holds run time t: the last that began at or
 * before it. */
static struct stage_stats *
window_of(struct stats *s, usec_t t)
{
	struct stage_stats *w = NULL;
	int i;

	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].start <= t)
			w = &s->stages[i];
	return w;
}

static void
add_brief(struct stage_stats *st, const struct sample *x)
{
	if (st->nbriefs == st->briefs_cap) {
		st->briefs_cap = st->briefs_cap ? st->briefs_cap * 2 : 256;
		st->briefs = xreallocarray(st->briefs, st->briefs_cap,
		    sizeof *st->briefs);
	}
	slo_values(x, &st->briefs[st->nbriefs].ok, st->briefs[st->nbriefs].v);
	st->nbriefs++;
}

static void
heard(struct stats *s, usec_t t)
{
	if (!s->ended && t > s->end)
		s->end = t;
}

static void
on_sample(void *self, const struct sample *x)
{
	struct stats *s = self;
	struct stage_stats *st;
	double per_chunk;
	size_t i;

	heard(s, x->ttlt != USEC_NONE ? x->t + x->ttlt : x->t);
	if (x->preflight) {	/* a check of the endpoint, not of its load */
		s->preflight++;
		return;
	}
	s->requests++;
	if (x->error == ERR_CANCELED)
		s->canceled++;
	else if (x->error != ERR_NONE)
		s->errors++;
	if (x->warmup) {
		s->warmup++;
		return;
	}
	if (x->nchunks > 0) {
		per_chunk = (double)x->output_tokens / (double)x->nchunks;
		s->chunks_seen += (long)x->nchunks;
		s->tokens_seen += (double)x->output_tokens;
		for (i = 0; i < x->nchunks; i++) {
			usec_t at = x->t + x->chunks[i];
			struct stage_stats *w = window_of(s, at);

			bucket_add(s, at, per_chunk);
			if (w != NULL)
				w->window_tokens += per_chunk;
		}
	}
	st = stage_get(s, x->stage, x->segment > 0 ? x->segment :
	    segment_at(s, x->stage, x->t));
	if (x->error == ERR_CANCELED) {	/* neither a result nor a failure */
		st->canceled++;
		return;
	}
	st->requests++;
	if (x->session > 0)
		s->sessions = true;
	if (x->scheduled != USEC_NONE) {
		series_add_usec(&st->m[M_QUEUED], x->t - x->scheduled);
		series_add_usec(&st->m[M_LATE], x->late);
		if (x->ttft != USEC_NONE && x->error == ERR_NONE)
			series_add_usec(&st->m[M_TTFT_SENT], x->ttft);
	}
	add_brief(st, x);
	if (x->error != ERR_NONE) {
		if (st->by_kind[x->error] == 0 && s->kind_detail[x->error][0] == '\0') {
			s->kind_status[x->error] = x->status;
			memcpy(s->kind_detail[x->error], x->detail, sizeof x->detail);
		}
		st->errors++;
		st->by_kind[x->error]++;
		return;
	}
	if (x->ttlt != USEC_NONE) {
		struct stage_stats *w = window_of(s, x->t + x->ttlt);

		if (w != NULL)
			w->window_done++;
	}
	st->output_tokens += x->output_tokens;
	if (x->tokens_from == TOKENS_FROM_CHUNKS)
		st->from_chunks++;
	if (x->input_tokens >= 0)
		st->input_tokens += x->input_tokens;
	else
		st->input_unknown++;
	if (x->reasoning_tokens > 0)
		st->reasoning_tokens += x->reasoning_tokens;
	st->by_finish[sample_finish_class(x)]++;
	if (sample_ttst(x) != USEC_NONE)
		series_add_usec(&st->m[M_TTST], sample_waited(x, sample_ttst(x)));
	if (x->ttfo != USEC_NONE)
		series_add_usec(&st->m[M_TTFO], sample_waited(x, x->ttfo));
	/* the server's prefill: from the send, as it saw the request */
	if (x->input_tokens > 0 && x->ttft != USEC_NONE && x->ttft > 0)
		series_add(&st->m[M_PREFILL_RATE],
		    (double)x->input_tokens / usec_to_sec(x->ttft));
	if (x->ttfb != USEC_NONE)
		series_add_usec(&st->m[M_TTFB], x->ttfb);
	if (x->ttft != USEC_NONE)
		series_add_usec(&st->m[M_TTFT], sample_ttft_waited(x));
	if (x->ttft != USEC_NONE && x->session > 0)
		series_add_usec(&st->m[x->turn <= 1 ? M_TTFT_FIRST_TURN :
		    M_TTFT_LATER_TURNS], sample_ttft_waited(x));
	series_add_usec(&st->m[M_TTLT], sample_ttlt_waited(x));
	if (x->output_tokens > 0)
		series_add(&st->m[M_E2E_PER_TOKEN],
		    usec_to_sec(sample_ttlt_waited(x)) / (double)x->output_tokens);
	if (x->output_tokens >= 2 && x->ttft != USEC_NONE && x->ttlt > x->ttft) {
		double decode = usec_to_sec(x->ttlt - x->ttft);

		series_add(&st->m[M_TPOT], decode / (double)(x->output_tokens - 1));
		series_add(&st->m[M_DECODE_RATE],
		    (double)(x->output_tokens - 1) / decode);
	}
	for (i = 1; i < x->nchunks; i++)
		series_add_usec(&st->m[M_ITL], x->chunks[i] - x->chunks[i - 1]);
}

static void
on_event(void *self, const struct event *e)
{
	struct stats *s = self;
	struct stage_stats *st;
	int prev = s->nstages - 1;	/* an index: stage_get may move stages */

	heard(s, e->t);
	if (e->kind != EV_STAGE)
		return;
	st = stage_get(s, e->stage, e->segment > 0 ? e->segment : 1);
	st->clients = e->clients;
	st->open_loop = e->open_loop;
	st->rate = e->rate;
	st->rate_to = e->rate_to;
	if (e->open_loop)
		s->open_loop = true;
	st->start = e->t;
	if (prev >= 0 && &s->stages[prev] != st && s->stages[prev].end == USEC_NONE)
		s->stages[prev].end = e->t;
}

static void
on_end(void *self, const struct end_info *end)
{
	struct stats *s = self;
	struct stage_stats *cur = stats_current(s);

	s->ended = true;
	s->end = end->t;
	s->reason = end->reason;
	s->unsent = end->unsent;
	s->gen = *end;
	s->gen.slo = NULL;		/* the caller's, gone after the call */
	s->gen.goodput = NULL;
	s->gen.detail = NULL;
	if (cur != NULL && cur->end == USEC_NONE)
		cur->end = end->t;
}

/* A scrape: its gauges to the stage (or segment) under way, and the first
 * tokens the server served since the scrape before. */
static void
on_server(void *self, const struct server_scrape *x)
{
	struct stats *s = self;
	struct stage_stats *st = window_of(s, x->t);
	struct server_reading v;
	int g;

	heard(s, x->t);		/* the run was alive then */
	if (!server_read(&s->reader, x, &v) || st == NULL)
		return;
	for (g = 0; g < SG_COUNT; g++)
		if (!isnan(v.v[g])) {
			st->srv_sum[g] += v.v[g];
			st->srv_max[g] = st->srv_n[g] == 0 ? v.v[g] :
			    fmax(st->srv_max[g], v.v[g]);
			st->srv_n[g]++;
			s->server = true;
		}
	if (v.ttft.n > 0 && prom_hist_add(&st->srv_ttft, &v.ttft) == 0)
		s->server_ttft = true;
}

struct sink
stats_sink(struct stats *s)
{
	struct sink k = { .on_sample = on_sample, .on_event = on_event,
	    .on_end = on_end, .on_server = on_server, .self = s };

	return k;
}

static usec_t
stage_end(const struct stage_stats *st, usec_t now)
{
	return st->end != USEC_NONE ? st->end : now;
}

double
stats_tok_rate(const struct stage_stats *st, usec_t now)
{
	usec_t len = stage_end(st, now) - st->start;

	return len > 0 ? st->window_tokens / usec_to_sec(len) : 0;
}

double
stats_req_rate(const struct stage_stats *st, usec_t now)
{
	usec_t len = stage_end(st, now) - st->start;

	return len > 0 ? (double)st->window_done / usec_to_sec(len) : 0;
}

double
stats_input_rate(const struct stage_stats *st, usec_t now)
{
	usec_t len = stage_end(st, now) - st->start;

	return len > 0 ? (double)st->input_tokens / usec_to_sec(len) : 0;
}

double
stats_total_rate(const struct stage_stats *st, usec_t now)
{
	return stats_input_rate(st, now) + stats_tok_rate(st, now);
}

double
stats_finish_share(const struct stage_stats *st, enum finish_class c)
{
	long said = st->by_finish[FINISH_STOP] + st->by_finish[FINISH_LENGTH] +
	    st->by_finish[FINISH_OTHER];

	return said > 0 ? (double)st->by_finish[c] / (double)said : NAN;
}

void
stats_goodput(const struct stage_stats *st, const struct slo *slo, usec_t now,
    struct goodput *g)
{
	usec_t len = stage_end(st, now) - st->start;
	bool met[SLO_COUNT];
	size_t i;
	int m;

	memset(g, 0, sizeof *g);
	g->stage = st->stage;
	g->segment = st->segmented ? st->segment : 0;
	g->total = (long)st->nbriefs;
	for (i = 0; i < st->nbriefs; i++) {
		if (slo_meets(slo, st->briefs[i].ok, st->briefs[i].v, met))
			g->met++;
		for (m = 0; m < SLO_COUNT; m++)
			g->met_by[m] += met[m];
	}
	g->req_s = len > 0 ? (double)g->met / usec_to_sec(len) : 0;
}

double
stats_peak_rate(const struct stats *s, usec_t from, usec_t to)
{
	size_t first, last, b, width, k;
	double best = 0, sum;

	/* whole 1 s buckets inside [from, to) */
	first = (size_t)((from + USEC_PER_SEC - 1) / USEC_PER_SEC);
	last = (size_t)(to / USEC_PER_SEC);
	if (last > s->nbuckets)
		last = s->nbuckets;
	if (last <= first)
		return NAN;	/* not one whole second to judge by */
	width = last - first < PEAK_WINDOW ? last - first : PEAK_WINDOW;
	for (b = first; b + width <= last; b++) {
		sum = 0;
		for (k = 0; k < width; k++)
			sum += s->buckets[b + k];
		if (sum / (double)width > best)
			best = sum / (double)width;
	}
	return best;
}

double
stats_stage_peak(const struct stats *s, const struct stage_stats *st, usec_t now)
{
	double peak = stats_peak_rate(s, st->start, stage_end(st, now));
	double mean = stats_tok_rate(st, now);

	return isnan(peak) || peak < mean ? mean : peak;
}

int
stats_server_ttft_bucket(const struct stage_stats *st, double q, double *lo,
    double *hi)
{
	return prom_hist_bucket(&st->srv_ttft, q, lo, hi);
}

void
stats_server_ttft(const struct stage_stats *st, struct dist *d)
{
	const struct prom_hist *h = &st->srv_ttft;
	int k;

	memset(d, 0, sizeof *d);
	d->count = h->n > 0 ? (long)h->cum[h->n - 1] : 0;
	d->mean = d->count > 0 && h->count > 0 ? h->sum / h->count : NAN;
	d->stddev = d->min = d->max = NAN;
	for (k = 0; k < NPCT; k++)
		d->p[k] = prom_hist_quantile(h, stats_pcts[k] / 100);
}
