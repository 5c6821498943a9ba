#include "config.h"

#include <math.h>
#include <stdio.h>

#include "cmd/headless.h"
#include "labels.h"
#include "stats.h"

static void
on_sample(void *self, const struct sample *s)
{
	struct headless *h = self;

	h->requests++;
	if (sample_failed(s))
		h->errors++;
}

static void
on_event(void *self, const struct event *e)
{
}

static void
on_end(void *self, const struct end_info *e)
{
}

static void
on_gauge(void *self, const struct gauge *g)
{
	struct headless *h = self;
	struct stage_stats *st = stats_current(h->stats);
	double now = usec_to_sec(g->t), rate = 0, ttft;
	char load[32];

	if (h->f == NULL)
		return;
	/* chunks are counted live; tokens per chunk comes from finished samples */
	if (now > h->last_t)
		rate = (double)(g->chunks - h->last_chunks) / (now - h->last_t);
	if (h->stats->chunks_seen > 0)
		rate *= h->stats->tokens_seen / (double)h->stats->chunks_seen;
	h->last_chunks = g->chunks;
	h->last_t = now;
	ttft = st != NULL ? series_percentile(&st->m[M_TTFT], 50) : NAN;
	fprintf(h->f, "%7.1fs  stage %d/%d  ", now, g->stage, g->nstages);
	if (!g->open_loop)
		fprintf(h->f, "clients %d", g->clients);
	else if (g->schedule)
		fprintf(h->f, "schedule %zu/%zu", g->sched_pos, g->nsched);
	else
		fprintf(h->f, "rate %s", label_load(load, sizeof load, true, 0,
		    g->rate, NAN));
	if (g->waiting > 0)
		fprintf(h->f, "  waiting %zu", g->waiting);
	if (g->backing_off > 0)
		fprintf(h->f, "  backing off %d", g->backing_off);
	fprintf(h->f, "  in flight %d  done %ld  errors %ld  tok/s %.0f  TTFT p50 ",
	    g->in_flight, h->requests, h->errors, rate);
	if (isnan(ttft))
		fputs("-", h->f);
	else
		fprintf(h->f, "%.1fms", ttft * 1000);
	fprintf(h->f, "  %s\n", g->state);
	fflush(h->f);
}

struct sink
headless_sink(struct headless *h)
{
	struct sink k = { .on_sample = on_sample, .on_event = on_event,
	    .on_end = on_end, .on_gauge = on_gauge, .self = h };

	return k;
}
