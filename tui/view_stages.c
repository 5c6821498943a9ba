/* Stages: TTFT, TPOT and tok/s against clients, one bar per stage, as a
 * load-test plot drawn in cells. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "screen.h"
#include "stats.h"

#define MAX_STAGES_SHOWN 64

enum { CH_TTFT, CH_TPOT, CH_RATE, NCHARTS };

static void
chart(struct tui *t, int y, int h, const char *title, const double *v, int n,
    int bar_w, bool times)
{
	double hi = 0;
	char a[16];
	int i;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]) && v[i] > hi)
			hi = v[i];
	if (times)
		put(t, y, 0, C_ACCENT, "%s  (top %s)", title, label_duration(a, sizeof a, hi));
	else
		put(t, y, 0, C_ACCENT, "%s  (top %s)", title, label_count(a, sizeof a, hi));
	bars(t, y + 1, 8, h, v, n, hi, bar_w, times ? C_WARN : C_GOOD);
	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			continue;
		if (times)
			label_duration(a, sizeof a, v[i]);
		else
			label_count(a, sizeof a, v[i]);
		if ((int)strlen(a) <= bar_w)
			put(t, y + h + 1, 8 + i * (bar_w + 1), C_DIM, "%s", a);
	}
}

void
view_stages(struct tui *t, int top, int rows)
{
	struct stats *s = t->m.stats;
	double v[NCHARTS][MAX_STAGES_SHOWN];
	usec_t now = tui_now(t);
	int n = s->nstages < MAX_STAGES_SHOWN ? s->nstages : MAX_STAGES_SHOWN;
	int first = s->nstages - n, bar_w, h, i, y;

	if (n == 0) {
		put(t, top, 0, C_DIM, "no stage has begun");
		return;
	}
	bar_w = (COLS - 10) / n - 1;
	if (bar_w > 8)
		bar_w = 8;
	if (bar_w < 1)
		bar_w = 1;
	for (i = 0; i < n; i++) {
		struct stage_stats *st = &s->stages[first + i];

		v[CH_TTFT][i] = series_percentile(&st->m[M_TTFT], 50);
		v[CH_TPOT][i] = series_percentile(&st->m[M_TPOT], 50);
		v[CH_RATE][i] = stats_tok_rate(st, now);
	}
	h = (rows - 1) / NCHARTS - 3;	/* a title and a row of values each */
	if (h < 1)
		h = 1;
	y = top;
	chart(t, y, h, "TTFT p50 by stage", v[CH_TTFT], n, bar_w, true);
	y += h + 3;
	chart(t, y, h, "TPOT p50 by stage", v[CH_TPOT], n, bar_w, true);
	y += h + 3;
	chart(t, y, h, "tok/s by stage", v[CH_RATE], n, bar_w, false);
	y += h + 2;
	put(t, y, 0, C_DIM, s->open_loop ? "req/s" : "clients");
	for (i = 0; i < n; i++) {
		char load[24];

		put(t, y, 8 + i * (bar_w + 1), C_NORMAL, "%s",
		    label_stage_load(load, sizeof load, &s->stages[first + i]));
	}
}
