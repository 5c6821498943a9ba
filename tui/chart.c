/* Charts over the live window: h rows of eighth blocks from 0 to a top that
 * is printed, the p95 shaded behind the p50 on the same scale, each column in
 * the colour of its own value; and the time axis under them, which spans
 * exactly the window named and shows where stages, segments and marks began. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "screen.h"
#include "stats.h"

static const char *const eighths_utf8[9] = {
	" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
	"\u2588",
};
static const char eighths_ascii[9] = " ..-=+*##";

/* A round top at or above hi: 1, 2 or 5 times a power of ten. */
static double
nice_top(double hi)
{
	double p;

	if (!(hi > 0))
		return 0;
	p = pow(10, floor(log10(hi)));
	if (hi <= p)
		return p;
	if (hi <= 2 * p)
		return 2 * p;
	if (hi <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* Eighths of the chart's height that v fills, at least one for a value
 * above zero; -1 for no data. */
static int
fill_of(double v, double top, int h)
{
	int e;

	if (isnan(v))
		return -1;
	if (top <= 0)
		return 0;
	e = (int)lround(v / top * h * 8);
	if (e == 0 && v > 0)
		e = 1;
	return e > h * 8 ? h * 8 : e;
}

double
chart_draw(struct tui *t, int y, int x, int w, int h, const struct chart *c)
{
	double hi = 0, top;
	char label[24];
	int i, row;

	for (i = 0; i < w; i++) {
		if (!isnan(c->main[i]) && c->main[i] > hi)
			hi = c->main[i];
		if (c->behind != NULL && !isnan(c->behind[i]) && c->behind[i] > hi)
			hi = c->behind[i];
	}
	top = nice_top(hi);
	/* the y axis: the top value at the top row, 0 at the bottom */
	if (c->duration)
		label_duration(label, sizeof label, top);
	else
		label_count(label, sizeof label, top);
	put(t, y, x - (int)strlen(label) - 2, C_DIM, "%s %s", label,
	    t->utf8 ? "\u2524" : "+");
	for (row = 1; row < h; row++)
		put(t, y + row, x - 1, C_DIM, "%s", t->utf8 ? "\u2502" : "|");
	for (i = 0; i < w; i++) {
		int main = fill_of(c->main[i], top, h);
		int behind = c->behind != NULL ? fill_of(c->behind[i], top, h) : -1;
		enum colour col = c->colour != NULL && main >= 0 ?
		    c->colour(t, c->main[i]) : c->c;

		if (main < 0 && behind < 0)
			continue;	/* a gap: no data, not zero */
		for (row = 0; row < h; row++) {
			int base = (h - 1 - row) * 8, m = main - base, b = behind - base;

			if (m > 0)
				put(t, y + row, x + i, col, "%s", t->utf8 ?
				    eighths_utf8[m > 8 ? 8 : m] :
				    (char[2]){ eighths_ascii[m > 8 ? 8 : m], 0 });
			else if (b > 0)
				put(t, y + row, x + i, C_DIM, "%s",
				    t->utf8 ? "\u2591" : ":");
			else if (row == h - 1 && main == 0)
				put(t, y + row, x + i, col, "%s",
				    t->utf8 ? eighths_utf8[1] : "_");	/* a zero */
		}
	}
	return top;
}

/* Draws at column x + col of row y what marks a moment, if it is free. */
static void
axis_mark(struct tui *t, int y, int x, int col, enum colour c, const char *g)
{
	if (col >= 0)
		put(t, y, x + col, c, "%s", g);
}

void
chart_time_axis(struct tui *t, int y, int x, int w, usec_t now, usec_t window)
{
	static const int nticks = 3;	/* -W, -W/2, now */
	const struct stats *s = t->m.stats;
	char lab[16];
	int i, k;

	put(t, y, x - 1, C_DIM, "%s", t->utf8 ? "\u2514" : "+");
	for (i = 0; i < w; i++)	/* a glyph at a time: put cuts by bytes */
		put(t, y, x + i, C_DIM, "%s", t->utf8 ? "\u2500" : "-");
	for (k = 0; k < nticks; k++) {
		int col = k == nticks - 1 ? w - 1 : k * (w - 1) / (nticks - 1);
		long secs = (long)(window / USEC_PER_SEC) * (nticks - 1 - k) / (nticks - 1);

		if (k == nticks - 1)
			snprintf(lab, sizeof lab, "now");
		else if (secs >= 120 && secs % 60 == 0)
			snprintf(lab, sizeof lab, "-%ldm", secs / 60);
		else
			snprintf(lab, sizeof lab, "-%lds", secs);
		put(t, y, x + col, C_DIM, "%s", t->utf8 ? "\u252c" : "+");
		put(t, y + 1, x + col - (k == nticks - 1 ? (int)strlen(lab) - 1 :
		    k == 0 ? 0 : (int)strlen(lab) / 2), C_DIM, "%s", lab);
	}
	/* where each stage or segment began, and each mark */
	for (i = 0; s != NULL && i < s->nstages; i++)
		axis_mark(t, y, x, live_column(s->stages[i].start, now, window, w),
		    C_ACCENT, t->utf8 ? "\u253c" : "|");
	for (i = 0; ; i++) {
		const struct live_error *e = live_error_at(t->m.live, i);

		if (e == NULL)
			break;
		if (e->event && strcmp(e->what, "mark") == 0)
			axis_mark(t, y, x, live_column(e->t, now, window, w), C_BAD,
			    "m");
	}
}
