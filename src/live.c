#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "live.h"
#include "stats.h"
#include "xalloc.h"

static void
fvec_add(struct fvec *f, float v)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = xreallocarray(f->v, f->cap, sizeof *f->v);
	}
	f->v[f->n++] = v;
}

void
live_init(struct live *l)
{
	int i;

	memset(l, 0, sizeof *l);
	for (i = 0; i < LIVE_TICKS; i++)
		l->ticks[i].idx = -1;
	l->tokens_per_chunk = 1;
	for (i = 0; i < SG_COUNT; i++)
		l->server[i] = NAN;
	l->server_ttft_p50 = l->server_ttft_lo = l->server_ttft_hi = NAN;
}

void
live_done(struct live *l)
{
	int i;

	for (i = 0; i < LIVE_TICKS; i++) {
		free(l->ticks[i].ttft.v);
		free(l->ticks[i].tpot.v);
		free(l->ticks[i].late.v);
		free(l->ticks[i].ttft_sent.v);
	}
	server_reader_done(&l->reader);
}

/* The tick holding run time t, reset when its slot held an older one; NULL
 * when t is too old to be kept. */
static struct live_tick *
tick_at(struct live *l, usec_t t, bool create)
{
	long idx = (long)(t < 0 ? 0 : t / LIVE_TICK);
	struct live_tick *k = &l->ticks[idx % LIVE_TICKS];
	int i;

	if (k->idx == idx)
		return k;
	if (!create || k->idx > idx)
		return NULL;
	k->idx = idx;
	k->tokens = 0;
	k->done = k->errors = 0;
	k->ttft.n = k->tpot.n = k->late.n = k->ttft_sent.n = 0;
	for (i = 0; i < SG_COUNT + 1; i++)
		k->srv[i] = NAN;
	memset(&k->lag, 0, sizeof k->lag);
	/* gauges carry over until the next sample of them */
	return k;
}

static void
on_sample(void *self, const struct sample *s)
{
	struct live *l = self;
	struct live_tick *k;
	usec_t end = s->ttlt != USEC_NONE ? s->t + s->ttlt : s->t;

	if (s->preflight)
		return;
	if (s->nchunks > 0) {
		l->tokens_seen += (double)s->output_tokens;
		l->chunks_seen += (double)s->nchunks;
		l->tokens_per_chunk = l->tokens_seen / l->chunks_seen;
	}
	if ((k = tick_at(l, end, true)) != NULL) {
		if (s->error == ERR_NONE)
			k->done++;
		else if (s->error != ERR_CANCELED)
			k->errors++;
	}
	/* lateness belongs to the moment of the send */
	if (s->scheduled != USEC_NONE && (k = tick_at(l, s->t, true)) != NULL)
		fvec_add(&k->late, (float)usec_to_sec(s->late));
	if (s->error != ERR_NONE) {
		struct live_error *e = &l->errors[l->nentries++ % LIVE_ERRORS];

		if (s->error == ERR_CANCELED)
			l->ncanceled++;
		else
			l->nerrors++;
		e->event = false;
		e->t = end;
		e->id = s->id;
		e->stage = s->stage;
		e->segment = s->segment;
		e->kind = s->error;
		e->status = s->status;
		memcpy(e->detail, s->detail, sizeof e->detail);
		return;
	}
	if (s->warmup)
		return;
	if (s->output_tokens >= 2 && s->ttft != USEC_NONE && s->ttlt > s->ttft &&
	    (k = tick_at(l, end, true)) != NULL)
		fvec_add(&k->tpot, (float)(usec_to_sec(s->ttlt - s->ttft) /
		    (double)(s->output_tokens - 1)));
}

/* A first token, when it comes (not when its request ends, which may be
 * long after): the TTFT windows are of the first tokens that came in them. */
static void
on_first(void *self, const struct sample *s)
{
	struct live *l = self;
	struct live_tick *k;

	if (s->preflight || s->warmup || (k = tick_at(l, s->t + s->ttft, true)) == NULL)
		return;
	fvec_add(&k->ttft, (float)usec_to_sec(sample_ttft_waited(s)));
	if (s->scheduled != USEC_NONE)
		fvec_add(&k->ttft_sent, (float)usec_to_sec(s->ttft));
}

static void
on_event(void *self, const struct event *e)
{
	struct live *l = self;
	struct live_error *x = &l->errors[l->nentries++ % LIVE_ERRORS];

	memset(x, 0, sizeof *x);
	x->event = true;
	x->t = e->t;
	x->stage = e->stage;
	x->segment = e->kind == EV_STAGE ? e->segment : 0;
	x->what = e->kind == EV_STAGE ? "stage" : control_action_name(e->action);
	if (e->kind == EV_STAGE ? !e->open_loop : e->action == CTL_SET_CLIENTS)
		snprintf(x->detail, sizeof x->detail, "%d client%s", e->clients,
		    e->clients == 1 ? "" : "s");
	else if (e->kind == EV_STAGE || e->action == CTL_SET_RATE)
		label_load(x->detail, sizeof x->detail, true, 0, e->rate,
		    e->kind == EV_STAGE ? e->rate_to : NAN);
	else if (e->text != NULL)
		snprintf(x->detail, sizeof x->detail, "%s", e->text);
}

static void
on_end(void *self, const struct end_info *e)
{
}

/* The server's first tokens of a scrape: its TTFT p50 (and bucket) is over
 * those of the last 5 s, the span of the client's figure beside it; it
 * stays as it was while the server serves none. */
static void
server_recent(struct live *l, usec_t t, const struct prom_hist *h)
{
	struct prom_hist sum;
	int i, n;

	l->server_recent[l->nserver_recent % LIVE_SERVER_RECENT].t = t;
	l->server_recent[l->nserver_recent++ % LIVE_SERVER_RECENT].h = *h;
	memset(&sum, 0, sizeof sum);
	n = l->nserver_recent < LIVE_SERVER_RECENT ? l->nserver_recent :
	    LIVE_SERVER_RECENT;
	for (i = 0; i < n; i++)
		if (l->server_recent[i].t > t - LIVE_NOW_WINDOW)
			prom_hist_add(&sum, &l->server_recent[i].h);
	if (prom_hist_bucket(&sum, 0.5, &l->server_ttft_lo,
	    &l->server_ttft_hi) == 0)
		l->server_ttft_p50 = prom_hist_quantile(&sum, 0.5);
}

/* A scrape: the gauges, by ttftop's names, for the screen's server line
 * and view; a gauge the scrape lacks (another source's) keeps its value. */
static void
on_server(void *self, const struct server_scrape *x)
{
	struct live *l = self;
	struct live_tick *k;
	struct server_reading v;
	double p50;
	int g;

	if (!server_read(&l->reader, x, &v)) {
		snprintf(l->server_error, sizeof l->server_error, "%s", x->error);
		return;
	}
	l->server_seen = true;
	l->server_error[0] = '\0';
	if (x->warning != NULL)
		snprintf(l->server_warning, sizeof l->server_warning, "%s",
		    x->warning);
	for (g = 0; g < SG_COUNT; g++)
		if (!isnan(v.v[g]))
			l->server[g] = v.v[g];
	p50 = prom_hist_quantile(&v.ttft, 0.5);	/* NAN: none served */
	if (v.ttft.n > 0)
		server_recent(l, x->t, &v.ttft);
	if ((k = tick_at(l, x->t, true)) != NULL) {
		for (g = 0; g < SG_COUNT; g++)
			k->srv[g] = (float)v.v[g];
		k->srv[SG_COUNT] = (float)p50;
	}
}

struct sink
live_sink(struct live *l)
{
	struct sink k = { .on_sample = on_sample, .on_event = on_event,
	    .on_end = on_end, .on_server = on_server, .on_first = on_first,
	    .self = l };

	return k;
}

/* A server's gauge over ticks [from, to): the last scrape in them, else
 * the one before, while it is the latest (a scrape a second); NAN past
 * that, a gap. */
#define SRV_HOLD_TICKS	(LIVE_TICKS_PER_SEC + 1)
static double
server_value(struct live *l, enum live_metric m, long from, long to)
{
	long i;

	for (i = to - 1; i >= 0 && i >= from - SRV_HOLD_TICKS; i--) {
		struct live_tick *k = &l->ticks[i % LIVE_TICKS];

		if (k->idx == i && !isnan(k->srv[m - LM_SRV]))
			return k->srv[m - LM_SRV];
	}
	return NAN;
}

/* Aggregates ticks [from, to) (tick numbers) into one value. */
static double
aggregate(struct live *l, enum live_metric m, long from, long to)
{
	struct series vals = { 0 };
	double sum = 0, result = NAN;
	long i, seen = 0, done = 0, errors = 0;
	struct lag_hist lag;
	double last_gauge = -1;
	int last_flight = -1;

	if (m >= LM_SRV && m <= LM_SRV_TTFT_P50)
		return server_value(l, m, from, to);
	if (m == LM_LAG_P99)
		memset(&lag, 0, sizeof lag);
	for (i = from; i < to; i++) {
		struct live_tick *k = &l->ticks[((i % LIVE_TICKS) + LIVE_TICKS) % LIVE_TICKS];
		const struct fvec *f = NULL;
		unsigned j;

		if (i < 0 || k->idx != i)
			continue;
		seen++;
		sum += k->tokens;
		done += k->done;
		errors += k->errors;
		last_gauge = k->load;
		last_flight = k->in_flight;
		switch (m) {
		case LM_TTFT_P50: case LM_TTFT_P95: f = &k->ttft; break;
		case LM_TPOT_P50: case LM_TPOT_P95: f = &k->tpot; break;
		case LM_LATE_P99: f = &k->late; break;
		case LM_TTFT_SENT_P50: f = &k->ttft_sent; break;
		default: break;
		}
		for (j = 0; f != NULL && j < f->n; j++)
			series_add(&vals, f->v[j]);
		if (m == LM_LAG_P99)
			for (j = 0; j < LAG_BUCKETS; j++)
				lag.n[j] += k->lag.n[j];
	}
	if (seen == 0)
		return NAN;
	switch (m) {
	case LM_TTFT_P50: case LM_TPOT_P50: case LM_TTFT_SENT_P50:
		result = series_percentile(&vals, 50);
		break;
	case LM_TTFT_P95: case LM_TPOT_P95:
		result = series_percentile(&vals, 95);
		break;
	case LM_LAG_P99:
		result = lag_percentile(&lag, 99);
		break;
	case LM_LATE_P99:
		result = series_percentile(&vals, 99);
		break;
	case LM_TOK_RATE:
		result = sum / (usec_to_sec(LIVE_TICK) * (double)(to - from));
		break;
	case LM_REQ_RATE:
		result = (double)done / (usec_to_sec(LIVE_TICK) * (double)(to - from));
		break;
	case LM_ERR_PCT:
		result = done + errors > 0 ? 100.0 * (double)errors / (double)(done + errors) : NAN;
		break;
	case LM_LOAD:
		result = last_gauge;
		break;
	case LM_IN_FLIGHT:
		result = last_flight;
		break;
	default:
		break;
	}
	series_free(&vals);
	return result;
}

#define PEAK_TICKS	(5 * LIVE_TICKS_PER_SEC)

void
live_gauge(struct live *l, usec_t now, double load, int in_flight, long chunks,
    const struct lag_hist *lag)
{
	struct live_tick *k = tick_at(l, now, true);
	long idx = (long)(now / LIVE_TICK);
	double rate;
	int i;

	if (k == NULL)
		return;
	k->load = load;
	for (i = 0; i < LAG_BUCKETS; i++) {
		k->lag.n[i] += lag->n[i] - l->last_lag.n[i];
		l->last_lag.n[i] = lag->n[i];
	}
	k->in_flight = in_flight;
	k->tokens += (double)(chunks - l->last_chunks) * l->tokens_per_chunk;
	l->last_chunks = chunks;
	if (idx > 0 && idx % LIVE_TICKS_PER_SEC == 0) {
		rate = live_tok_rate(l, now);
		if (!isnan(rate) && rate > l->peak)
			l->peak = rate;
	}
}

/* As the summary takes the peak: the last 5 whole seconds (fewer, early
 * on), the second under way left out; so the figure is never above it. */
double
live_tok_rate(struct live *l, usec_t now)
{
	long idx = (long)(now / LIVE_TICK) / LIVE_TICKS_PER_SEC * LIVE_TICKS_PER_SEC;
	long width = idx < PEAK_TICKS ? idx : PEAK_TICKS;

	return live_rate(l, (usec_t)(idx - width) * LIVE_TICK,
	    (usec_t)idx * LIVE_TICK);
}

double
live_rate(struct live *l, usec_t from, usec_t to)
{
	long a = (long)(from / LIVE_TICK), b = (long)(to / LIVE_TICK);
	double v;

	if (b <= a)
		return NAN;
	v = aggregate(l, LM_TOK_RATE, a, b);
	return v;
}

void
live_series(struct live *l, enum live_metric m, usec_t now, usec_t window,
    int ncols, double *out)
{
	long last = (long)(now / LIVE_TICK) + 1;	/* the tick under way, too */
	long span = (long)(window / LIVE_TICK), first = last - span, c;

	/* the columns share the window's ticks exactly: a column is a
	 * fraction of them, so the window drawn is the one named */
	for (c = 0; c < ncols; c++) {
		long from = first + c * span / ncols, to = first + (c + 1) * span / ncols;

		out[c] = aggregate(l, m, from, to > from ? to : from + 1);
	}
}

int
live_column(usec_t t, usec_t now, usec_t window, int ncols)
{
	long last = (long)(now / LIVE_TICK) + 1, span = (long)(window / LIVE_TICK);
	long tick = (long)(t / LIVE_TICK) - (last - span);

	if (tick < 0 || tick >= span)
		return -1;
	return (int)(tick * ncols / span);
}

double
live_value(struct live *l, enum live_metric m, usec_t now, usec_t window)
{
	long last = (long)(now / LIVE_TICK) + 1;

	long first = last - (long)(window / LIVE_TICK);

	/* rates leave out the tick under way: it is not over yet; and a
	 * window longer than the run so far is the run so far */
	if (m == LM_TOK_RATE || m == LM_REQ_RATE) {
		last--;
		if (first < 0)
			first = 0;
	}
	return aggregate(l, m, first, last);
}

const struct live_error *
live_error_at(const struct live *l, long i)
{
	if (i < 0 || i >= l->nentries || i >= LIVE_ERRORS)
		return NULL;
	return &l->errors[(l->nentries - 1 - i) % LIVE_ERRORS];
}
