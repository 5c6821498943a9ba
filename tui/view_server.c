/* The server's view: every gauge its /metrics publishes, charted over the
 * window on the time axis of the other views, and its own TTFT p50 (from
 * its histogram) over the client's; without a scrape, how to get one. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "screen.h"

#define MAX_SPARK	512
#define TEXT_COLS	36		/* the figures left of a chart */
#define AXIS_COLS	8		/* its top value */

void
view_server(struct tui *t, int top, int rows)
{
	static double v[2][MAX_SPARK];
	struct live *lv = t->m.live;
	usec_t now = tui_now(t), win = tui_windows[t->window];
	int x = TEXT_COLS + AXIS_COLS, w = COLS - x - 1, y = top, n = 0, h, g, i, k;
	int which[SG_COUNT + 1];
	char a[32], b[32];
	const struct server_gauge_show *sh;
	struct chart ch;
	enum live_metric cm;
	double d;

	if (!lv->server_seen) {
		put(t, y++, 0, C_WARN, "no server metrics (set --server-metrics URL)");
		if (lv->server_error[0] != '\0')
			put(t, y, 0, C_DIM, "the last scrape: %s", lv->server_error);
		return;
	}
	if (w > MAX_SPARK)
		w = MAX_SPARK;
	for (g = 0; g < SG_COUNT; g++)
		if (!isnan(lv->server[g]))
			which[n++] = g;
	if (!isnan(lv->server_ttft_p50))
		which[n++] = SG_COUNT;		/* its TTFT, last */
	/* the axis takes two rows, the note one; each chart one at least */
	if (n > rows - 3)
		n = rows - 3;
	h = n > 0 ? (rows - 3) / n : 0;
	for (i = 0; i < n; i++, y += h) {
		g = which[i];
		if (g == SG_COUNT) {
			char lo[16], hi[16], span[40];
			const char *unit;
			size_t len, u;

			/* the server's bucket, all its histogram says: "60-80ms" */
			label_duration(lo, sizeof lo, lv->server_ttft_lo);
			if (isinf(lv->server_ttft_hi))
				snprintf(span, sizeof span, "> %s", lo);
			else {
				label_duration(hi, sizeof hi, lv->server_ttft_hi);
				unit = hi + strspn(hi, "0123456789.");
				len = strlen(lo);
				u = strlen(unit);
				if (len > u && strcmp(lo + len - u, unit) == 0)
					lo[len - u] = '\0';	/* one unit */
				snprintf(span, sizeof span, "%s-%s", lo, hi);
			}
			put(t, y, 0, C_NORMAL, "server TTFT p50 %s", span);
			/* open loop: the client's from the actual send, as
			   the server's counts; the queue is the client's */
			cm = t->s.open_loop ? LM_TTFT_SENT_P50 : LM_TTFT_P50;
			if (h >= 2)
				put(t, y + 1, 0, C_DIM, "      client%s %s %s",
				    t->s.open_loop ? " from send" : "",
				    label_duration(b, sizeof b, live_value(lv,
				    cm, now, LIVE_NOW_WINDOW)), t->utf8 ? "\u2591" : ":");
			live_series(lv, LM_SRV_TTFT_P50, now, win, w, v[0]);
			live_series(lv, cm, now, win, w, v[1]);
			ch = (struct chart){ v[0], v[1], NULL, C_GOOD, true };
			chart_draw(t, y, x, w, h, &ch);
			continue;
		}
		sh = server_gauge_show((enum server_gauge)g);
		if (sh->scale == 100)	/* a share */
			label_percent(a, sizeof a, lv->server[g]);
		else {
			d = lv->server[g];
			snprintf(a, sizeof a, "%.*f%s", d >= 10 || d == floor(d) ?
			    0 : 1, d, sh->unit);
		}
		put(t, y, 0, g == SG_WAITING && lv->server[g] > 0 ? C_WARN :
		    C_NORMAL, "%-15s %s", sh->title, a);
		live_series(lv, LM_SRV + g, now, win, w, v[0]);
		for (k = 0; k < w; k++)
			v[0][k] *= sh->scale;
		ch = (struct chart){ v[0], NULL, NULL, g == SG_WAITING ? C_WARN :
		    C_ACCENT, false };
		chart_draw(t, y, x, w, h, &ch);
	}
	chart_time_axis(t, y, x, w, now, win);
	y += 2;
	put(t, y, 0, C_DIM, "from the server's /metrics, scraped once a second%s%s",
	    lv->server_error[0] != '\0' ? "; the last scrape: " : "",
	    lv->server_error);
	if (lv->server_warning[0] != '\0' && y + 1 < top + rows)
		put(t, y + 1, 0, C_WARN, "warning: %s", lv->server_warning);
}
