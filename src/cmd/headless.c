#include "config.h"

#include <math.h>
#include <stdio.h>

#include "cmd/headless.h"
#include "load.h"
#include "run_opts.h"
#include "stats.h"

static const char *const state_names[] = {
	[LOAD_RUNNING] = "running",
	[LOAD_PAUSED] = "paused",
	[LOAD_DRAINING] = "draining",
	[LOAD_ENDED] = "ended",
};

void
headless_progress(FILE *f, struct progress *p, const struct load *l,
    struct stats *s)
{
	struct stage_stats *st = stats_current(s);
	double now = usec_to_sec(load_now(l)), rate = 0, ttft;

	/* chunks are counted live; tokens per chunk comes from finished samples */
	if (now > p->last_t)
		rate = (double)(l->chunks - p->last_chunks) / (now - p->last_t);
	if (s->chunks_seen > 0)
		rate *= s->tokens_seen / (double)s->chunks_seen;
	p->last_chunks = l->chunks;
	p->last_t = now;
	ttft = st != NULL ? series_percentile(&st->m[M_TTFT], 50) : NAN;
	fprintf(f, "%7.1fs  stage %d/%d  ", now, l->stage, l->opts->nstages);
	if (!l->opts->open_loop)
		fprintf(f, "clients %d", l->target);
	else if (l->opts->schedule_file != NULL)
		fprintf(f, "schedule %zu/%zu", l->sched_pos, l->opts->nsched);
	else
		fprintf(f, "rate %.4g/s", load_rate(l));
	if (load_waiting(l) > 0)
		fprintf(f, "  waiting %zu", load_waiting(l));
	fprintf(f, "  in flight %d  done %ld  errors %ld  tok/s %.0f  TTFT p50 ",
	    l->in_flight, l->requests, l->errors, rate);
	if (isnan(ttft))
		fputs("-", f);
	else
		fprintf(f, "%.1fms", ttft * 1000);
	fprintf(f, "  %s\n", state_names[l->state]);
	fflush(f);
}
