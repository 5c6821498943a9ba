/* The overview: sparklines of the load and its latencies, and the stages. */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "jsonl.h"
#include "live.h"
#include "load.h"
#include "run_opts.h"
#include "player.h"
#include "screen.h"
#include "stats.h"

#define MAX_SPARK 512
#define RATE_WINDOW (5 * USEC_PER_SEC)	/* req/s: over the last 5 s */

/* TTFT against the first stage's: where the endpoint starts to break. */
static enum colour
ttft_colour(struct tui *t, double v)
{
	struct stats *s = t->m.stats;
	double base;

	if (isnan(v) || s->nstages == 0 || s->stages[0].m[M_TTFT].n == 0)
		return C_NORMAL;
	base = series_percentile(&s->stages[0].m[M_TTFT], 50);
	return v <= 1.5 * base ? C_GOOD : v <= 3 * base ? C_WARN : C_BAD;
}

static enum colour
error_colour(double pct)
{
	return isnan(pct) || pct == 0 ? C_GOOD : pct < 5 ? C_WARN : C_BAD;
}

static void
line(struct tui *t, int y, enum live_metric m, enum colour c, const char *fmt,
    const char *a, const char *b)
{
	double v[MAX_SPARK];
	int w = COLS - LABEL_COLS;

	if (w > MAX_SPARK)
		w = MAX_SPARK;
	put(t, y, 0, c, fmt, a, b);
	live_series(t->m.live, m, tui_now(t), tui_windows[t->window], w, v);
	spark(t, y, LABEL_COLS, w, v, 0, c);
}

/* "84ms/88ms": a stage's p50 and p95 of a latency. */
static const char *
p50_p95(char *out, size_t len, const struct series *v)
{
	char a[16], b[16];

	snprintf(out, len, "%s/%s", label_duration(a, sizeof a, series_percentile(v, 50)),
	    label_duration(b, sizeof b, series_percentile(v, 95)));
	return out;
}

static void
stage_table(struct tui *t, int top, int rows)
{
	struct stats *s = t->m.stats;
	usec_t now = tui_now(t);
	int first, k, y = top;

	put(t, y++, 0, C_ACCENT, "%-7s %7s %7s %5s  %-15s %-15s %9s %7s", "stage",
	    t->s.open_loop ? "rate" : "clients", "reqs", "err", "TTFT p50/p95",
	    "TPOT p50/p95", "tok/s", "req/s");
	first = s->nstages - (rows - 1);
	if (first < 0)
		first = 0;
	for (k = first; k < s->nstages && y < top + rows; k++, y++) {
		struct stage_stats *st = &s->stages[k];
		char ttft[40], tpot[40], rate[24], load[24], label[24];
		bool current = k == s->nstages - 1 && t->s.state != LOAD_ENDED;

		p50_p95(ttft, sizeof ttft, &st->m[M_TTFT]);
		p50_p95(tpot, sizeof tpot, &st->m[M_TPOT]);
		/* a stage under way counts tokens of streams still in flight */
		put(t, y, 0, current ? C_ACCENT : C_NORMAL,
		    "%-5s   %7s %7ld %5ld  %-15s %-15s %9s %7.2f",
		    label_stage(label, sizeof label, st),
		    label_stage_load(load, sizeof load, st), st->requests, st->errors,
		    ttft, tpot,
		    label_count(rate, sizeof rate, current ?
		    live_rate(t->m.live, st->start, now) : stats_tok_rate(st, now)),
		    stats_req_rate(st, now));
		if (current)
			put(t, y, 6, C_ACCENT, "%s", t->utf8 ? "\u25b6" : ">");
	}
}

void
view_overview(struct tui *t, int top, int rows)
{
	struct live *lv = t->m.live;
	usec_t now = tui_now(t), win = tui_windows[t->window];
	char a[32], b[32], c[64];
	double p50 = live_value(lv, LM_TTFT_P50, now, win);
	double p95 = live_value(lv, LM_TTFT_P95, now, win);
	double err = live_value(lv, LM_ERR_PCT, now, win);
	double peak = lv->peak;
	int y = top;

	line(t, y++, LM_TTFT_P50, ttft_colour(t, p50), "TTFT  p50 %-8s%s", label_duration(a, sizeof a, p50), "");
	line(t, y++, LM_TTFT_P95, ttft_colour(t, p95), "TTFT  p95 %-8s%s", label_duration(a, sizeof a, p95), "");
	line(t, y++, LM_TPOT_P50, C_NORMAL, "TPOT  p50 %-6s p95 %s",
	    label_duration(a, sizeof a, live_value(lv, LM_TPOT_P50, now, win)),
	    label_duration(b, sizeof b, live_value(lv, LM_TPOT_P95, now, win)));
	line(t, y++, LM_TOK_RATE, C_NORMAL, "tok/s %-7s peak %s",
	    label_count(a, sizeof a, live_tok_rate(lv, now)),
	    label_count(b, sizeof b, peak));
	line(t, y++, LM_LOAD, C_NORMAL, "%s%s", t->s.load, "");
	snprintf(b, sizeof b, "%d", t->s.in_flight);
	if (t->s.waiting > 0)
		snprintf(c, sizeof c, "  waiting %zu", t->s.waiting);
	else if (t->s.backing_off > 0)	/* after failures: see the log */
		snprintf(c, sizeof c, "  backing off %d", t->s.backing_off);
	else
		c[0] = '\0';
	line(t, y++, LM_IN_FLIGHT, c[0] != '\0' ? C_WARN : C_NORMAL,
	    "in flight %s%s", b, c);
	snprintf(a, sizeof a, "%.1f", live_value(lv, LM_REQ_RATE, now, RATE_WINDOW));
	snprintf(b, sizeof b, "%.1f%%", isnan(err) ? 0.0 : err);
	line(t, y++, LM_REQ_RATE, error_colour(err), "req/s %-6s errors %s", a, b);
	if (t->s.open_loop)	/* the headline counts from the schedule */
		put(t, y++, 0, C_DIM, "open loop: TTFT counts from the scheduled "
		    "send; from the actual send p50 %s", label_duration(a, sizeof a,
		    live_value(lv, LM_TTFT_SENT_P50, now, win)));
	if (slo_any(&t->m.ri->slo) && stats_current(t->m.stats) != NULL) {
		struct goodput g;

		stats_goodput(stats_current(t->m.stats), &t->m.ri->slo, now, &g);
		put(t, y++, 0, g.total && g.met < g.total ? C_WARN : C_GOOD,
		    "goodput %.1f req/s  %.0f%% of this stage's requests meet the SLOs",
		    g.req_s, g.total ? 100.0 * (double)g.met / (double)g.total : 0.0);
	}
	y++;
	if (y < top + rows)
		stage_table(t, y, top + rows - y);
}

/* replay --compare: each metric's line once per run, on one scale, then
 * every run's stages in one table. */
void
view_compare(struct tui *t, int top, int rows)
{
	static const struct {
		enum live_metric m;
		const char	*name;
	} metrics[] = {
		{ LM_TTFT_P50, "TTFT p50" }, { LM_TTFT_P95, "TTFT p95" },
		{ LM_TPOT_P50, "TPOT p50" }, { LM_TOK_RATE, "tok/s" },
		{ LM_LOAD, "load" }, { LM_IN_FLIGHT, "in flight" },
	};
	static const enum colour run_colour[] = { C_GOOD, C_ACCENT, C_WARN, C_DIM };
	static double v[4][MAX_SPARK];
	int n = t->m.nplayers < 4 ? t->m.nplayers : 4, w = COLS - LABEL_COLS;
	int y = top, i, k;
	size_t m;

	if (w > MAX_SPARK)
		w = MAX_SPARK;
	for (m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
		double hi = 0;

		if (y + n > top + rows)
			return;
		for (i = 0; i < n; i++) {
			struct player *p = t->m.players[i];

			live_series(&p->live, metrics[m].m, p->pos, tui_windows[t->window],
			    w, v[i]);
			for (k = 0; k < w; k++)
				if (!isnan(v[i][k]) && v[i][k] > hi)
					hi = v[i][k];
		}
		for (i = 0; i < n; i++, y++) {
			struct player *p = t->m.players[i];
			double now = metrics[m].m == LM_TOK_RATE ?
			    live_tok_rate(&p->live, p->pos) :
			    live_value(&p->live, metrics[m].m, p->pos, tui_windows[t->window]);
			char val[32];

			if (metrics[m].m == LM_TTFT_P50 || metrics[m].m == LM_TTFT_P95 ||
			    metrics[m].m == LM_TPOT_P50)
				label_duration(val, sizeof val, now);
			else
				label_count(val, sizeof val, now);
			put(t, y, 0, run_colour[i], "%-9s %-8.8s %s", i == 0 ?
			    metrics[m].name : "", t->m.labels[i], val);
			spark(t, y, LABEL_COLS, w, v[i], hi, run_colour[i]);
		}
	}
	y++;
	if (y >= top + rows)
		return;
	put(t, y++, 0, C_ACCENT, "%-8s %5s %7s %7s %5s  %-15s %-15s %9s %7s", "run",
	    "stage", "load", "reqs", "err", "TTFT p50/p95", "TPOT p50/p95", "tok/s",
	    "req/s");
	for (i = 0; i < n; i++) {
		struct player *p = t->m.players[i];
		struct stats *s = &p->stats;

		for (k = 0; k < s->nstages && y < top + rows; k++, y++) {
			struct stage_stats *st = &s->stages[k];
			char ttft[40], tpot[40], rate[24], load[24], label[24];

			p50_p95(ttft, sizeof ttft, &st->m[M_TTFT]);
			p50_p95(tpot, sizeof tpot, &st->m[M_TPOT]);
			put(t, y, 0, run_colour[i], "%-8.8s %5s %7s %7ld %5ld  %-15s "
			    "%-15s %9s %7.2f", t->m.labels[i], label_stage(label,
			    sizeof label, st),
			    label_stage_load(load, sizeof load, st), st->requests, st->errors,
			    ttft, tpot, label_count(rate, sizeof rate,
			    stats_tok_rate(st, p->pos)), stats_req_rate(st, p->pos));
		}
	}
}
