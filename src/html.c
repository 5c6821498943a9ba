#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost.h"
#include "html.h"
#include "trend.h"
#include "labels.h"
#include "leaderboard.h"
#include "summary.h"
#include "xalloc.h"

#define W		700		/* a chart's size in px */
#define H		300
#define ML		64		/* margins: room for the axes' labels */
#define MR		20
#define MT		34
#define MB		44
#define HIST_BINS	40
#define MAX_SCATTER	4000		/* points of the TTFT-over-time chart */
#define MS		1000.0

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

/* axes of counts: whole ticks; LOG_Y: a log axis when the values span a
 * decade or more (p->ylo set to the smallest before plot_begin) */
enum { WHOLE_X = 1, WHOLE_Y = 2, LOG_Y = 4 };
#define LOG_SPAN	10	/* top / smallest from which y is a log axis */

struct plot {
	FILE	*f;
	double	 x0, x1, y0, y1;	/* the data range shown */
	double	 ylo;		/* LOG_Y: the smallest value above 0 */
	bool	 log;		/* y is a log axis */
};

static void
esc(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
}

static const char *
colour(int i)
{
	return palette[i % (int)NPALETTE];
}

static double
px(const struct plot *p, double x)
{
	return ML + (x - p->x0) / (p->x1 - p->x0) * (W - ML - MR);
}

static double
py(const struct plot *p, double y)
{
	if (p->log)	/* a value below the axis (0) sits on it */
		return H - MB - (log10(fmax(y, p->y0)) - log10(p->y0)) /
		    (log10(p->y1) - log10(p->y0)) * (H - MT - MB);
	return H - MB - (y - p->y0) / (p->y1 - p->y0) * (H - MT - MB);
}

/* A tick step of 1, 2 or 5 times a power of ten, about n to the range. */
static double
tick_step(double range, int n)
{
	double raw = range / n, mag = pow(10, floor(log10(raw))), r = raw / mag;

	return (r < 1.5 ? 1 : r < 3.5 ? 2 : r < 7.5 ? 5 : 10) * mag;
}

/* Opens a chart of the given range (widened to whole ticks, y from 0), with
 * its axes, grid and labels. kind and points are for readers (and tests):
 * how many data points it holds. */
static void
plot_begin(struct plot *p, FILE *f, const char *kind, long points,
    const char *title, const char *xlabel, const char *ylabel, double x0,
    double x1, double y1, int whole)
{
	double step, v;

	p->f = f;
	if (!(x1 > x0)) {
		x0 -= 1;
		x1 += 1;
	}
	if (!(y1 > 0))
		y1 = 1;
	step = tick_step(y1, 5);
	if ((whole & WHOLE_Y) && step < 1)
		step = 1;
	p->log = (whole & LOG_Y) && p->ylo > 0 && y1 / p->ylo >= LOG_SPAN;
	p->y0 = p->log ? pow(10, floor(log10(p->ylo))) : 0;
	if (p->log) {	/* the top: 1, 2 or 5 times a power of ten */
		double d = pow(10, floor(log10(y1)));

		p->y1 = y1 <= d ? d : y1 <= 2 * d ? 2 * d : y1 <= 5 * d ? 5 * d : 10 * d;
	} else
		p->y1 = ceil(y1 / step) * step;
	p->x0 = x0;
	p->x1 = x1;
	fprintf(f, "<svg class=\"chart\" data-chart=\"%s\" data-points=\"%ld\" "
	    "data-y=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "xmlns=\"http://www.w3.org/2000/svg\">\n", kind, points,
	    p->log ? "log" : "linear", W, H, W, H);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", W, H);
	fprintf(f, "<text x=\"%d\" y=\"20\" class=\"t\">", ML);
	esc(f, title);
	fputs("</text>\n", f);
	if (p->log) {	/* 1, 2 and 5 of each decade, the decades labelled */
		double dec;

		for (dec = p->y0; dec < p->y1 * 1.5; dec *= 10)
			for (v = dec; v <= dec * 5 && v <= p->y1 * 1.001; v += dec * (v < dec * 2 ? 1 : 3))
				fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
				    "class=\"g\"/><text x=\"%d\" y=\"%.1f\" class=\"yl\">%g</text>\n",
				    ML, W - MR, py(p, v), py(p, v), ML - 6, py(p, v) + 4, v);
	} else
		for (v = 0; v <= p->y1 + step / 2; v += step)
			fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"g\"/>"
			    "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%g</text>\n", ML, W - MR,
			    py(p, v), py(p, v), ML - 6, py(p, v) + 4, v);
	step = tick_step(p->x1 - p->x0, 8);
	if ((whole & WHOLE_X) && step < 1)
		step = 1;
	for (v = ceil(p->x0 / step) * step; v <= p->x1 + step / 1e6; v += step)
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%g</text>\n",
		    px(p, v), H - MB + 16, fabs(v) < step / 1e6 ? 0 : v);
	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" class=\"a\"/>\n",
	    ML, W - MR, H - MB, H - MB);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"xt\">", (ML + W - MR) / 2, H - 8);
	esc(f, xlabel);
	fprintf(f, "</text>\n<text x=\"14\" y=\"%d\" class=\"yt\" transform=\"rotate(-90 "
	    "14 %d)\">", (MT + H - MB) / 2, (MT + H - MB) / 2);
	esc(f, ylabel);
	fputs(p->log ? ", log scale</text>\n" : "</text>\n", f);
}

static void
plot_end(FILE *f)
{
	fputs("</svg>\n", f);
}

static void
legend(FILE *f, const struct html_run *runs, int n)
{
	int i;

	if (n < 2)
		return;
	fputs("<p class=\"legend\">", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "<span style=\"color:%s\">&#9632;</span> ", colour(i));
		esc(f, runs[i].label);
		fputs(" &nbsp; ", f);
	}
	fputs("</p>\n", f);
}

/* The x of a stage in the load curves: its clients, or its rate. */
static double
stage_x(const struct stage_stats *st)
{
	return st->open_loop ? (isnan(st->rate) ? NAN : st->rate) : st->clients;
}

enum curve { CURVE_TTFT, CURVE_TPOT, CURVE_TOK, CURVE_COST };

static double
curve_y(const struct html_run *r, struct stage_stats *st, enum curve c)
{
	usec_t end = st->end != USEC_NONE ? st->end : r->st->end;
	struct cost cost;

	switch (c) {
	case CURVE_COST:	/* with --price only */
		if (!r->ri->price.set)
			return NAN;
		cost_of(&r->ri->price, st, end, &cost);
		return cost.per_mtok_out;
	case CURVE_TTFT:
		return series_percentile(&st->m[M_TTFT], 50) * MS;
	case CURVE_TPOT:
		return series_percentile(&st->m[M_TPOT], 50) * MS;
	default:
		return stats_tok_rate(st, end);
	}
}

/* TTFT, TPOT or tok/s against the load: one point a stage, a line a run. */
static void
load_curve(FILE *f, const struct html_run *runs, int n, enum curve c)
{
	static const char *const kinds[] = { "ttft-vs-load", "tpot-vs-load",
		"tok-vs-load", "cost-vs-load" };
	static const char *const titles[] = { "TTFT p50 against the load",
		"TPOT p50 against the load", "Output tokens/s against the load",
		"$ per 1M output tokens against the load (the cheapest ringed)" };
	static const char *const ylabels[] = { "ms", "ms", "tok/s", "$ per 1M tokens" };
	double cheapest = INFINITY, cx = NAN;
	struct plot p = { .ylo = INFINITY };
	double x0 = INFINITY, x1 = -INFINITY, y1 = 0;
	long points = 0;
	bool open = false;
	int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct stage_stats *st = &runs[i].st->stages[k];
			double x = stage_x(st), y = curve_y(&runs[i], st, c);

			if (isnan(x) || isnan(y))
				continue;
			x0 = fmin(x0, x);
			x1 = fmax(x1, x);
			y1 = fmax(y1, y);
			if (y < cheapest) {
				cheapest = y;
				cx = x;
			}
			if (y > 0)
				p.ylo = fmin(p.ylo, y);
			open = open || st->open_loop;
			points++;
		}
	if (points == 0)
		return;
	plot_begin(&p, f, kinds[c], points, titles[c], open ?
	    "requests/s" : "concurrent clients", ylabels[c], x0 > 0 && x0 <= 1 ?
	    0 : x0, x1, y1 * 1.05, (open ? 0 : WHOLE_X) | (c == CURVE_TOK ? 0 : LOG_Y));
	for (i = 0; i < n; i++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		    "points=\"", colour(i));
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct stage_stats *st = &runs[i].st->stages[k];
			double x = stage_x(st), y = curve_y(&runs[i], st, c);

			if (!isnan(x) && !isnan(y))
				fprintf(f, "%.1f,%.1f ", px(&p, x), py(&p, y));
		}
		fputs("\"/>\n", f);
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct stage_stats *st = &runs[i].st->stages[k];
			double x = stage_x(st), y = curve_y(&runs[i], st, c);

			char label[24];

			if (!isnan(x) && !isnan(y))
				fprintf(f, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" "
				    "fill=\"%s\"><title>stage %s: %.4g</title></circle>\n",
				    px(&p, x), py(&p, y), colour(i), label_stage(label,
				    sizeof label, st), y);
		}
	}
	if (c == CURVE_COST)	/* where the load is cheapest to serve */
		fprintf(f, "<circle class=\"cheapest\" cx=\"%.1f\" cy=\"%.1f\" r=\"9\" "
		    "fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"><title>"
		    "cheapest: $%.4g per 1M output tokens</title></circle>\n", px(&p, cx),
		    py(&p, cheapest), cheapest);
	plot_end(f);
}

/* The segments of a run's stage. */
static int
segments_of(const struct stats *s, int stage)
{
	int k, n = 0;

	for (k = 0; k < s->nstages; k++)
		n += s->stages[k].stage == stage;
	return n;
}

/* TTFT per stage as box plots: p25-p75 box, p50 line, p5-p95 whiskers;
 * a stage's segments side by side in its place. */
static void
box_plots(FILE *f, const struct html_run *runs, int n)
{
	struct plot p = { .ylo = INFINITY };
	long boxes = 0;
	double y1 = 0, slot;
	int i, k, most = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct dist d;

			most = runs[i].st->stages[k].stage > most ?
			    runs[i].st->stages[k].stage : most;

			stats_dist(&runs[i].st->stages[k], M_TTFT, &d);
			if (d.count > 0) {
				boxes++;
				y1 = fmax(y1, d.p[5] * MS);	/* p95 */
				if (d.p[0] > 0)
					p.ylo = fmin(p.ylo, d.p[0] * MS);	/* p5 */
			}
		}
	}
	if (boxes == 0)
		return;
	plot_begin(&p, f, "ttft-box", boxes, "TTFT by stage (box p25-p75, line p50, "
	    "whiskers p5-p95)", "stage", "ms", 0.5, most + 0.5, y1 * 1.05,
	    WHOLE_X | LOG_Y);
	slot = (px(&p, 1) - px(&p, 0)) * 0.8 / n;
	for (i = 0; i < n; i++)
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct stage_stats *st = &runs[i].st->stages[k];
			int nseg = segments_of(runs[i].st, st->stage);
			double sub = slot / nseg, x, w = sub * 0.8;
			char label[24];
			struct dist d;

			stats_dist(st, M_TTFT, &d);
			if (d.count == 0)
				continue;
			x = px(&p, st->stage) - slot * n / 2 + slot * i +
			    sub * (st->segment - 1) + sub * 0.1;
			fprintf(f, "<g class=\"box\" stroke=\"%s\"><title>stage %s: p5 %.1f, "
			    "p25 %.1f, p50 %.1f, p75 %.1f, p95 %.1f ms</title>"
			    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"%s\" fill-opacity=\"0.25\"/>"
			    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
			    "stroke-width=\"2\"/></g>\n", colour(i),
			    label_stage(label, sizeof label, st),
			    d.p[0] * MS, d.p[1] * MS, d.p[2] * MS, d.p[3] * MS, d.p[5] * MS,
			    x + w / 2, x + w / 2, py(&p, d.p[0] * MS), py(&p, d.p[5] * MS),
			    x, py(&p, d.p[3] * MS), w, py(&p, d.p[1] * MS) - py(&p, d.p[3] * MS),
			    colour(i), x, x + w, py(&p, d.p[2] * MS), py(&p, d.p[2] * MS));
		}
	plot_end(f);
}

/* Every request's TTFT in HIST_BINS bins from the fastest to the largest
 * p99.9. */
/* Whether the runs' median TTFTs are ten times apart or more: then each
 * gets a histogram of its own, on its own axis. */
static bool
spans_decades(const struct html_run *runs, int n)
{
	double lo = INFINITY, hi = 0;
	int i;

	for (i = 0; i < n; i++) {
		struct dist d;

		stats_dist_all(runs[i].st, M_TTFT, &d);
		if (d.count > 0) {
			lo = fmin(lo, d.p[2]);
			hi = fmax(hi, d.p[2]);
		}
	}
	return n > 1 && lo > 0 && hi / lo >= 10;
}

static void
histogram(FILE *f, const struct html_run *runs, int n, int colour0)
{
	struct plot p;
	double lo = INFINITY, hi = 0, top = 0, width;
	long *counts = xcalloc((size_t)n * HIST_BINS, sizeof *counts), bars = 0;
	int i, b;
	size_t j;

	for (i = 0; i < n; i++) {
		struct dist d;

		stats_dist_all(runs[i].st, M_TTFT, &d);
		if (d.count > 0) {
			hi = fmax(hi, d.p[7] * MS);
			lo = fmin(lo, d.min * MS);
		}
	}
	if (!(hi > 0)) {
		free(counts);
		return;
	}
	lo = floor(lo * 0.95);
	width = hi > lo ? (hi - lo) / HIST_BINS : 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < runs[i].nttft; j++) {
			b = (int)((runs[i].ttft[j].v * MS - lo) / width);
			counts[i * HIST_BINS + (b < 0 ? 0 : b < HIST_BINS ? b :
			    HIST_BINS - 1)]++;
		}
	for (i = 0; i < n * HIST_BINS; i++) {
		top = fmax(top, (double)counts[i]);
		bars += counts[i] > 0;
	}
	plot_begin(&p, f, "ttft-hist", bars, "TTFT histogram (every request; the "
	    "last bin holds the slowest 0.1 %)", "TTFT, ms", "requests", lo,
	    lo + width * HIST_BINS, top * 1.05, WHOLE_Y);
	for (i = 0; i < n; i++)
		for (b = 0; b < HIST_BINS; b++) {
			long c = counts[i * HIST_BINS + b];

			if (c == 0)
				continue;
			fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\" fill-opacity=\"%s\"><title>%.1f-%.1f "
			    "ms: %ld</title></rect>\n", px(&p, lo + b * width) + 0.5,
			    py(&p, (double)c), px(&p, width) - px(&p, 0) - 1,
			    py(&p, 0) - py(&p, (double)c), colour(colour0 + i),
			    n > 1 ? "0.5" : "0.85",
			    lo + b * width, lo + (b + 1) * width, c);
		}
	plot_end(f);
	free(counts);
}

/* Stage boundaries and marks over a time chart. */
static void
time_marks(FILE *f, const struct plot *p, const struct html_run *r)
{
	int k;
	size_t j;

	for (k = 0; k < r->st->nstages; k++) {
		double x = px(p, usec_to_sec(r->st->stages[k].start));
		char label[24];

		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"sb\"/>"
		    "<text x=\"%.1f\" y=\"%d\" class=\"sl\">%s</text>\n", x, x, MT,
		    H - MB, x + 3, MT + 10, label_stage(label, sizeof label,
		    &r->st->stages[k]));
	}
	for (j = 0; j < r->nmarks; j++) {
		double x = px(p, usec_to_sec(r->marks[j].t));

		if (r->marks[j].text == NULL) {		/* a pause */
			usec_t until = r->marks[j].until != USEC_NONE ?
			    r->marks[j].until : r->st->end;

			/* shaded lightly, the data seen through it */
			fprintf(f, "<rect class=\"pause\" fill=\"#888\" fill-opacity="
			    "\"0.15\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
			    "height=\"%d\"><title>paused</title></rect>\n", x, MT,
			    px(p, usec_to_sec(until)) - x, H - MT - MB);
			continue;
		}
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" class=\"mk\"/>"
		    "<text x=\"%.1f\" y=\"%d\" class=\"ml\">", x, x, MT, H - MB, x + 3,
		    MT + 24);
		esc(f, r->marks[j].text);
		fputs("</text>\n", f);
	}
}

/* The run over time: tokens/s a second, and each request's TTFT at its
 * start, with the stages and marks. */
/* The seconds of tokens/s a run filled (up to its end, or its last with
 * tokens), and the span of its time charts, s. */
static size_t
run_span(const struct html_run *r, double *len)
{
	size_t j, secs;

	*len = usec_to_sec(r->st->end);
	for (j = 0; j < r->nttft; j++)
		*len = fmax(*len, r->ttft[j].t);
	secs = r->st->ended ? (size_t)ceil(*len) : r->st->nbuckets;
	while (!r->st->ended && secs > 0 && r->st->buckets[secs - 1] == 0)
		secs--;
	if (secs > r->st->nbuckets)
		secs = r->st->nbuckets;
	*len = fmax(*len, (double)secs);
	for (j = 0; j < r->nserver; j++)
		*len = fmax(*len, r->server[j].t);
	return secs;
}

static void
time_series(FILE *f, const struct html_run *r, int colour_i)
{
	struct plot p;
	double len, top = 0, ttop = 0;
	size_t j, step, secs = run_span(r, &len);

	for (j = 0; j < secs; j++)
		top = fmax(top, r->st->buckets[j]);
	plot_begin(&p, f, "tok-over-time", (long)secs, "Output tokens/s over the "
	    "run (stages numbered, marks in red, pauses shaded)", "run time, s", "tok/s", 0, len,
	    top * 1.05, 0);
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"",
	    colour(colour_i));
	for (j = 0; j < secs; j++)
		fprintf(f, "%.1f,%.1f ", px(&p, (double)j + 0.5), py(&p, r->st->buckets[j]));
	fputs("\"/>\n", f);
	time_marks(f, &p, r);
	plot_end(f);

	if (r->nttft == 0)
		return;
	p.ylo = INFINITY;
	for (j = 0; j < r->nttft; j++) {
		ttop = fmax(ttop, r->ttft[j].v * MS);
		if (r->ttft[j].v > 0)
			p.ylo = fmin(p.ylo, r->ttft[j].v * MS);
	}
	step = r->nttft > MAX_SCATTER ? (r->nttft + MAX_SCATTER - 1) / MAX_SCATTER : 1;
	plot_begin(&p, f, "ttft-over-time", (long)((r->nttft + step - 1) / step),
	    step > 1 ? "TTFT of requests by their start (a sample of them)" :
	    "TTFT of each request by its start", "run time, s", "ms", 0, len,
	    ttop * 1.05, LOG_Y);
	for (j = 0; j < r->nttft; j += step)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\" fill=\"%s\"/>\n",
		    px(&p, r->ttft[j].t), py(&p, r->ttft[j].v * MS), colour(colour_i));
	time_marks(f, &p, r);
	plot_end(f);
}

/* One gauge of the server's over the run, a line broken where a scrape
 * had none of it (a gap). Returns its points. */
static long
gauge_line(FILE *f, const struct plot *p, const struct html_run *r, int g,
    double scale, const char *stroke)
{
	bool open = false;
	long points = 0;
	size_t j;

	for (j = 0; j < r->nserver; j++) {
		double v = r->server[j].v[g];

		if (isnan(v)) {
			if (open)
				fputs("\"/>\n", f);
			open = false;
			continue;
		}
		if (!open)
			fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
			    "stroke-width=\"1.5\" data-gauge=\"%s\" points=\"",
			    stroke, server_gauge_name((enum server_gauge)g));
		open = true;
		fprintf(f, "%.1f,%.1f ", px(p, r->server[j].t), py(p, v * scale));
		points++;
	}
	if (open)
		fputs("\"/>\n", f);
	return points;
}

static bool
gauge_seen(const struct html_run *r, int g, double *top)
{
	bool seen = false;
	size_t j;

	*top = 0;
	for (j = 0; j < r->nserver; j++)
		if (!isnan(r->server[j].v[g])) {
			seen = true;
			*top = fmax(*top, r->server[j].v[g]);
		}
	return seen;
}

/* The server's gauges over the run, on the time axis of the charts above:
 * requests running and waiting together (the queue), then each other
 * gauge the scrapes held. */
static void
server_charts(FILE *f, const struct html_run *r)
{
	static const char *const queue_colour[2] = { "#1f77b4", "#d62728" };
	const struct server_gauge_show *sh;
	struct plot p;
	double len, top, t2;
	char kind[40], title[80], unit[24];
	int g;

	if (r->nserver == 0)
		return;
	run_span(r, &len);
	if (gauge_seen(r, SG_RUNNING, &top) | gauge_seen(r, SG_WAITING, &t2)) {
		plot_begin(&p, f, "server-queue", (long)r->nserver, "Server: "
		    "requests running (blue) and waiting (red), from its /metrics",
		    "run time, s", "requests", 0, len, fmax(top, t2) * 1.05,
		    WHOLE_Y);
		gauge_line(f, &p, r, SG_RUNNING, 1, queue_colour[0]);
		gauge_line(f, &p, r, SG_WAITING, 1, queue_colour[1]);
		time_marks(f, &p, r);
		plot_end(f);
	}
	for (g = 0; g < SG_COUNT; g++) {
		if (g == SG_RUNNING || g == SG_WAITING || !gauge_seen(r, g, &top))
			continue;
		sh = server_gauge_show((enum server_gauge)g);
		snprintf(kind, sizeof kind, "server-%s",
		    server_gauge_name((enum server_gauge)g));
		snprintf(title, sizeof title, "Server: %s, from its /metrics", sh->title);
		snprintf(unit, sizeof unit, "%s", sh->unit[0] != '\0' ? sh->unit :
		    sh->title);
		top *= sh->scale;
		/* a share's axis runs to 100 % when it comes near */
		plot_begin(&p, f, kind, (long)r->nserver, title, "run time, s", unit,
		    0, len, sh->scale == 100 && top > 50 ? 100 : top * 1.05, 0);
		gauge_line(f, &p, r, g, sh->scale, "#2ca02c");
		time_marks(f, &p, r);
		plot_end(f);
	}
}

static void
cell(FILE *f, double v, const char *fmt)
{
	if (isnan(v))
		fputs("<td>-</td>", f);
	else {
		fputs("<td>", f);
		fprintf(f, fmt, v);
		fputs("</td>", f);
	}
}

static void
stage_table(FILE *f, const struct html_run *runs, int n)
{
	static const struct { enum metric m; const char *name; } ms[] = {
		{ M_TTFT, "TTFT" }, { M_TPOT, "TPOT" }, { M_ITL, "ITL" }, { M_TTLT, "TTLT" },
	};
	int i, k;
	size_t m;

	fputs("<table><tr><th>run</th><th>stage</th><th>load</th><th>reqs</th>"
	    "<th>err</th>", f);
	for (m = 0; m < sizeof ms / sizeof ms[0]; m++)
		fprintf(f, "<th>%s p50</th><th>%s p99</th>", ms[m].name, ms[m].name);
	fputs("<th>tok/s</th><th>peak tok/s</th><th>req/s</th><th>goodput req/s</th>"
	    "</tr>\n", f);
	for (i = 0; i < n; i++)
		for (k = 0; k < runs[i].st->nstages; k++) {
			struct stats *s = runs[i].st;
			struct stage_stats *st = &s->stages[k];
			usec_t end = st->end != USEC_NONE ? st->end : s->end;
			char load[40], label[24];

			label_stage_load(load, sizeof load, st);
			fprintf(f, "<tr><td style=\"color:%s\">", colour(i));
			esc(f, runs[i].label);
			fprintf(f, "</td><td>%s</td><td>%s</td><td>%ld</td><td>%ld</td>",
			    label_stage(label, sizeof label, st), load, st->requests,
			    st->errors);
			for (m = 0; m < sizeof ms / sizeof ms[0]; m++) {
				struct dist d;

				stats_dist(st, ms[m].m, &d);
				cell(f, d.count ? d.p[2] * MS : NAN, "%.1f");
				cell(f, d.count ? d.p[6] * MS : NAN, "%.1f");
			}
			cell(f, stats_tok_rate(st, end), "%.1f");
			cell(f, stats_stage_peak(s, st, end), "%.1f");
			cell(f, stats_req_rate(st, end), "%.2f");
			if (slo_any(&runs[i].ri->slo)) {
				struct goodput g;

				stats_goodput(st, &runs[i].ri->slo, end, &g);
				cell(f, g.req_s, "%.2f");
			} else
				fputs("<td>-</td>", f);
			fputs("</tr>\n", f);
		}
	fputs("</table>\n<p class=\"note\">times in ms; TPOT = (TTLT - TTFT) / "
	    "(tokens - 1); tok/s counts tokens as they arrived; peak = best 5 s "
	    "average</p>\n", f);
}

static void
page_begin(FILE *f)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<title>ttftop report</title>\n<style>\n"
	    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;"
	    "max-width:1500px}\n"
	    "h1{font-size:20px}h2{font-size:17px;margin-top:28px}\n"
	    "table{border-collapse:collapse;font-variant-numeric:tabular-nums}\n"
	    "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}\n"
	    "th{background:#eef}\n.charts{display:flex;flex-wrap:wrap;gap:12px}\n"
	    "svg.chart{border:1px solid #ddd}\n"
	    "@media (min-width:1000px){svg.chart{width:calc(50% - 8px);height:auto}}\n"
	    ".t{font-size:14px;font-weight:600}.xl,.xt{font-size:11px;"
	    "text-anchor:middle}\n.yl{font-size:11px;text-anchor:end}"
	    ".yt{font-size:11px;text-anchor:middle}\n"
	    ".g{stroke:#eee}.a{stroke:#888}.sb{stroke:#999;stroke-dasharray:4 3}"
	    ".sl{font-size:10px;fill:#666}\n.mk{stroke:#d00}.ml{font-size:10px;"
	    "fill:#d00}.note{color:#666;font-size:12px}\n"
	    "td.slower{background:#fdd}td.faster{background:#dfd}\n"
	    "tr.best td{font-weight:700}\n"
	    "</style></head><body>\n<h1>ttftop report</h1>\n", f);
}

/* A nightly series: each figure against the run's number, a point a run,
 * red where compare finds it slower than the baseline, green faster. */
void
html_trend(FILE *f, const struct trend *t)
{
	struct plot p;
	int i, k;

	page_begin(f);
	fputs("<h2>Trend</h2>\n<table><tr><th>run</th><th>started</th>", f);
	for (k = 0; k < TF_COUNT; k++) {
		fputs("<th>", f);
		esc(f, trend_figure_title((enum trend_figure)k));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (i = 0; i < t->n; i++) {
		const struct trend_row *r = &t->rows[i];

		fprintf(f, "<tr><td>%d ", i + 1);
		esc(f, r->label);
		fprintf(f, "%s</td><td>%.19s</td>", r->baseline ? " (baseline)" : "",
		    r->started);
		for (k = 0; k < TF_COUNT; k++) {
			double v = trend_shown((enum trend_figure)k, r->c[k].v);

			fprintf(f, "<td class=\"%s\">", r->c[k].verdict == V_SLOWER ?
			    "slower" : r->c[k].verdict == V_FASTER ? "faster" : "same");
			if (isnan(v))
				fputs("-", f);
			else
				fprintf(f, k == TF_ERRORS ? "%.2f%%" : k == TF_COST ? "%.4f" :
				    "%.1f", v);
			if (!r->baseline && !isnan(r->c[k].pct))
				fprintf(f, k == TF_ERRORS ? " (%+.2f pts)" : " (%+.1f%%)",
				    r->c[k].pct);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<p class=\"note\">TTFT and TPOT in ms over each run's "
	    "stages; red: slower than the baseline where compare finds it "
	    "significant, green: faster</p>\n<div class=\"charts\">\n", f);
	for (k = 0; k < TF_COUNT; k++) {
		double top = 0;
		char kind[32];
		bool any = false;

		for (i = 0; i < t->n; i++)
			if (!isnan(t->rows[i].c[k].v)) {
				any = true;
				top = fmax(top, trend_shown((enum trend_figure)k,
				    t->rows[i].c[k].v));
			}
		if (!any)	/* cost, of runs never priced */
			continue;
		snprintf(kind, sizeof kind, "trend-%s", trend_figure_name(
		    (enum trend_figure)k));
		plot_begin(&p, f, kind, t->n, trend_figure_title((enum trend_figure)k),
		    "run, in the order they began", k == TF_ERRORS ? "%" :
		    k == TF_PEAK_TOK_S ? "tok/s" : k == TF_COST ? "$" : "ms", 1, t->n, top * 1.1, WHOLE_X);
		fputs("<polyline fill=\"none\" stroke=\"#888\" stroke-width=\"1.5\" "
		    "points=\"", f);
		for (i = 0; i < t->n; i++)
			if (!isnan(t->rows[i].c[k].v))
				fprintf(f, "%.1f,%.1f ", px(&p, i + 1), py(&p, trend_shown(
				    (enum trend_figure)k, t->rows[i].c[k].v)));
		fputs("\"/>\n", f);
		for (i = 0; i < t->n; i++) {
			const struct trend_cell *c = &t->rows[i].c[k];

			if (isnan(c->v))
				continue;
			fprintf(f, "<circle class=\"pt %s\" cx=\"%.1f\" cy=\"%.1f\" "
			    "r=\"%d\" fill=\"%s\"><title>", c->verdict == V_SLOWER ?
			    "slower" : c->verdict == V_FASTER ? "faster" : "same",
			    px(&p, i + 1), py(&p, trend_shown((enum trend_figure)k, c->v)),
			    t->rows[i].baseline ? 6 : 4, c->verdict == V_SLOWER ? "#d62728" :
			    c->verdict == V_FASTER ? "#2ca02c" : "#1f77b4");
			esc(f, t->rows[i].label);
			fputs("</title></circle>\n", f);
		}
		plot_end(f);
	}
	fputs("</div>\n</body></html>\n", f);
}

/* The leaderboard's tables, a row per endpoint, the best in bold. */
void
html_leaderboard(FILE *f, const struct leaderboard *lb)
{
	int k, i, c;

	page_begin(f);
	for (k = 0; k < LB_TABLES; k++) {
		const struct lb_table *t = &lb->t[k];

		fputs("<h2>", f);
		esc(f, t->title);
		fputs("</h2>\n<table class=\"leaderboard\"><tr><th>endpoint</th>", f);
		for (c = 0; c < LB_COLS; c++)
			fprintf(f, "<th>%s</th>", leaderboard_column(c));
		fputs("</tr>\n", f);
		for (i = 0; i < lb->n; i++) {
			bool best = i == t->best && lb->n > 1;

			fprintf(f, "<tr%s><td>", best ? " class=\"best\"" : "");
			esc(f, lb->labels[i]);
			fputs("</td>", f);
			for (c = 0; c < LB_COLS; c++)
				cell(f, t->v[i][c], "%.2f");
			fputs("</tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("<p class=\"note\">the best median of each table in bold: lowest "
	    "for times, highest for rates; every run's stages together</p>\n"
	    "</body></html>\n", f);
}

void
html_write(FILE *f, const struct html_run *runs, int n)
{
	int i;

	page_begin(f);
	for (i = 0; i < n; i++) {
		const struct run_info *ri = runs[i].ri;

		fprintf(f, "<p><b style=\"color:%s\">", colour(i));
		esc(f, runs[i].label);
		fputs("</b>: ", f);
		esc(f, ri->api);
		fputs(" ", f);
		esc(f, ri->url);
		if (ri->model != NULL) {
			fputs(" model=", f);
			esc(f, ri->model);
		}
		fprintf(f, ", started %s, %ld requests, %ld errors%s</p>\n", ri->started,
		    runs[i].st->requests, runs[i].st->errors, runs[i].st->gen.overloaded ?
		    ", <b>generator overloaded: results not trustworthy</b>" : "");
	}
	fputs("<h2>Stages</h2>\n", f);
	stage_table(f, runs, n);
	fputs("<h2>Load curves</h2>\n", f);
	legend(f, runs, n);
	fputs("<div class=\"charts\">\n", f);
	load_curve(f, runs, n, CURVE_TTFT);
	load_curve(f, runs, n, CURVE_TPOT);
	load_curve(f, runs, n, CURVE_TOK);
	load_curve(f, runs, n, CURVE_COST);	/* when priced */
	fputs("</div>\n<h2>Distributions</h2>\n<div class=\"charts\">\n", f);
	box_plots(f, runs, n);
	if (spans_decades(runs, n))	/* one axis would flatten the fast */
		for (i = 0; i < n; i++)
			histogram(f, &runs[i], 1, i);
	else
		histogram(f, runs, n, 0);
	fputs("</div>\n", f);
	for (i = 0; i < n; i++) {
		fputs("<h2>Over time: ", f);
		esc(f, runs[i].label);
		fputs("</h2>\n<div class=\"charts\">\n", f);
		time_series(f, &runs[i], i);
		server_charts(f, &runs[i]);
		fputs("</div>\n", f);
	}
	fputs("</body></html>\n", f);
}
