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
#define TEXT_COLS 36			/* the figures left of a chart */
#define AXIS_COLS 8			/* its top value */
#define MAX_STAGE_ROWS 8		/* the stage table's, header included */

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

static enum colour
ttft_column(struct tui *t, double v)
{
	enum colour c = ttft_colour(t, v);

	return c == C_NORMAL ? C_GOOD : c;
}

enum { CH_TTFT, CH_TPOT, CH_TOK, CH_LOAD, CH_FLIGHT, CH_SERVER, CH_REQ, NCH };

/* Rows of each chart: at least one (two for TTFT and TPOT, whose figures
 * take two lines), and every row the view has left over, TTFT first. */
static void
chart_rows(int avail, bool server, int h[NCH])
{
	static const int base[NCH] = { 2, 2, 1, 1, 1, 1, 1 };
	static const int weight[NCH] = { 3, 2, 2, 1, 1, 1, 1 };
	int i, sum = 0, extra;

	for (i = 0; i < NCH; i++)
		sum += h[i] = i == CH_SERVER && !server ? 0 : base[i];
	if (avail < sum) {
		for (i = 0; i < NCH; i++)
			h[i] = i == CH_SERVER && !server ? 0 : 1;
		return;
	}
	extra = avail - sum;
	for (i = 0; i < NCH; i++)
		if (h[i] > 0)
			h[i] += extra * weight[i] / 10;
	sum = 0;
	for (i = 0; i < NCH; i++)
		sum += h[i];
	h[CH_TTFT] += avail - sum;	/* what rounding left */
}

/* Two figures lines: the first beside the chart's top row, the second
 * under it when the chart has two rows. */
static void
figures(struct tui *t, int y, int h, enum colour c, const char *first,
    const char *second)
{
	put(t, y, 0, c, "%s", first);
	if (h >= 2 && second[0] != '\0')
		put(t, y + 1, 0, C_DIM, "%s", second);
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
	static double v[2][MAX_SPARK];
	struct live *lv = t->m.live;
	struct stats *s = t->m.stats;
	usec_t now = tui_now(t), win = tui_windows[t->window];
	const char *wn = tui_window_names[t->window];
	char a[32], b[32], c[32], d[32], l1[96], l2[96];
	double err = live_value(lv, LM_ERR_PCT, now, win);
	int x = TEXT_COLS + AXIS_COLS, w = COLS - x - 1, h[NCH], i, y = top;
	int below = 2 + 1 + (t->s.open_loop ? 1 : 0) +
	    (slo_any(&t->m.ri->slo) ? 1 : 0);
	int table = (s->nstages + 1 < MAX_STAGE_ROWS ? s->nstages + 1 :
	    MAX_STAGE_ROWS);
	struct chart ch;

	if (w > MAX_SPARK)
		w = MAX_SPARK;
	if (table < 2)
		table = 2;
	chart_rows(rows - below - table, lv->server_seen || lv->server_error[0], h);

	/* TTFT and TPOT: p50 and p95 on one scale, now and over the window */
	{
		static const struct { enum live_metric p50, p95; const char *name; }
		lat[2] = { { LM_TTFT_P50, LM_TTFT_P95, "TTFT" },
			   { LM_TPOT_P50, LM_TPOT_P95, "TPOT" } };

		for (i = 0; i < 2; i++) {
			double n50 = live_value(lv, lat[i].p50, now, LIVE_NOW_WINDOW);

			snprintf(l1, sizeof l1, "%s  now p50 %s  p95 %s", lat[i].name,
			    label_duration(a, sizeof a, n50), label_duration(b,
			    sizeof b, live_value(lv, lat[i].p95, now, LIVE_NOW_WINDOW)));
			snprintf(l2, sizeof l2, "      %s p50 %s  p95 %s  %s", wn,
			    label_duration(c, sizeof c, live_value(lv, lat[i].p50, now,
			    win)), label_duration(d, sizeof d, live_value(lv,
			    lat[i].p95, now, win)), t->utf8 ? "\u2591 p95" : ": p95");
			figures(t, y, h[i], i == 0 ? ttft_colour(t, n50) : C_NORMAL,
			    l1, l2);
			live_series(lv, lat[i].p50, now, win, w, v[0]);
			live_series(lv, lat[i].p95, now, win, w, v[1]);
			ch = (struct chart){ v[0], v[1], i == 0 ? ttft_column : NULL,
			    C_NORMAL, true };
			chart_draw(t, y, x, w, h[i], &ch);
			y += h[i];
		}
	}
	snprintf(l1, sizeof l1, "tok/s %-7s peak %s",
	    label_count(a, sizeof a, live_tok_rate(lv, now)),
	    label_count(b, sizeof b, lv->peak));
	snprintf(l2, sizeof l2, "      %s %s", wn, label_count(c, sizeof c,
	    live_value(lv, LM_TOK_RATE, now, win)));
	figures(t, y, h[CH_TOK], C_NORMAL, l1, l2);
	live_series(lv, LM_TOK_RATE, now, win, w, v[0]);
	ch = (struct chart){ v[0], NULL, NULL, C_NORMAL, false };
	chart_draw(t, y, x, w, h[CH_TOK], &ch);
	y += h[CH_TOK];

	figures(t, y, h[CH_LOAD], C_NORMAL, t->s.load, "");
	live_series(lv, LM_LOAD, now, win, w, v[0]);
	chart_draw(t, y, x, w, h[CH_LOAD], &ch);
	y += h[CH_LOAD];

	if (t->s.waiting > 0)
		snprintf(c, sizeof c, "  waiting %zu", t->s.waiting);
	else if (t->s.backing_off > 0)	/* after failures: see the log */
		snprintf(c, sizeof c, "  backing off %d", t->s.backing_off);
	else
		c[0] = '\0';
	snprintf(l1, sizeof l1, "in flight %d%s", t->s.in_flight, c);
	figures(t, y, h[CH_FLIGHT], c[0] != '\0' ? C_WARN : C_NORMAL, l1, "");
	live_series(lv, LM_IN_FLIGHT, now, win, w, v[0]);
	chart_draw(t, y, x, w, h[CH_FLIGHT], &ch);
	y += h[CH_FLIGHT];

	if (h[CH_SERVER] > 0) {	/* the server's own view, from /metrics */
		if (lv->server_error[0] != '\0' && !lv->server_seen)
			snprintf(l1, sizeof l1, "server: %s", lv->server_error);
		else
			snprintf(l1, sizeof l1, "server running %s waiting %s kv %s",
			    isnan(lv->server[SG_RUNNING]) ? "-" : label_count(a,
			    sizeof a, lv->server[SG_RUNNING]),
			    isnan(lv->server[SG_WAITING]) ? "-" : label_count(b,
			    sizeof b, lv->server[SG_WAITING]),
			    label_percent(c, sizeof c, lv->server[SG_KV_USAGE]));
		if (!isnan(lv->server[SG_GPU_UTIL]))
			snprintf(l2, sizeof l2, "      gpu %s (chart: waiting)",
			    label_percent(a, sizeof a, lv->server[SG_GPU_UTIL] / 100));
		else
			snprintf(l2, sizeof l2, "      (from /metrics; chart: waiting)");
		figures(t, y, h[CH_SERVER], lv->server[SG_WAITING] > 0 ? C_WARN :
		    C_NORMAL, l1, l2);
		live_series(lv, LM_SRV + SG_WAITING, now, win, w, v[0]);
		ch = (struct chart){ v[0], NULL, NULL, C_WARN, false };
		chart_draw(t, y, x, w, h[CH_SERVER], &ch);
		y += h[CH_SERVER];
	}
	snprintf(l1, sizeof l1, "req/s %-6.1f errors %.1f%%",
	    live_value(lv, LM_REQ_RATE, now, RATE_WINDOW), isnan(err) ? 0.0 : err);
	snprintf(l2, sizeof l2, "      %s %.1f req/s", wn,
	    live_value(lv, LM_REQ_RATE, now, win));
	figures(t, y, h[CH_REQ], error_colour(err), l1, l2);
	live_series(lv, LM_REQ_RATE, now, win, w, v[0]);
	ch.c = error_colour(err);
	chart_draw(t, y, x, w, h[CH_REQ], &ch);
	y += h[CH_REQ];
	chart_time_axis(t, y, x, w, now, win);
	y += 2;
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
