/* Distributions: TTFT, TPOT and ITL histograms of the current stage, with
 * their percentiles marked under the bars. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"
#include "stats.h"

#define MAX_BINS 256

/* A value of the axis in ms, with the decimals its spread needs. */
static const char *
axis_label(char *out, size_t len, double v, double spread)
{
	int dec = spread > 0 ? (int)ceil(-log10(spread * 1000 / 10)) : 1;

	if (dec < 0)
		dec = 0;
	if (dec > 3)
		dec = 3;
	snprintf(out, len, "%.*fms", dec, v * 1000);
	return out;
}

static void
histogram(struct tui *t, int y, int h, const char *name, const struct series *s)
{
	double bins[MAX_BINS], lo, hi, p50, p95, p99, width;
	int nbins = COLS - 2, i;
	char a[16], b[16], c[16], d[16], e[16], mark[MAX_BINS + 1];
	size_t k;

	if (nbins > MAX_BINS)
		nbins = MAX_BINS;
	if (s->n == 0) {
		put(t, y, 0, C_ACCENT, "%s", name);
		put(t, y + 1, 2, C_DIM, "no samples in this stage yet");
		return;
	}
	lo = series_percentile(s, 0);
	hi = series_percentile(s, 99.9);	/* a far outlier would flatten the rest */
	p50 = series_percentile(s, 50);
	p95 = series_percentile(s, 95);
	p99 = series_percentile(s, 99);
	put(t, y, 0, C_ACCENT, "%s  n=%zu  p50 %s  p95 %s  p99 %s  max %s", name, s->n,
	    label_duration(a, sizeof a, p50), label_duration(b, sizeof b, p95),
	    label_duration(c, sizeof c, p99), label_duration(d, sizeof d, series_percentile(s, 100)));
	width = (hi - lo) / nbins;
	if (width <= 0)
		width = 1e-6;
	memset(bins, 0, sizeof bins);
	for (k = 0; k < s->n; k++) {
		int i2 = (int)((series_value(s, k) - lo) / width);

		bins[i2 < 0 ? 0 : i2 >= nbins ? nbins - 1 : i2]++;
	}
	bars(t, y + 1, 1, h, bins, nbins, 0, 1, C_GOOD);
	memset(mark, ' ', (size_t)nbins);
	mark[nbins] = '\0';
	for (i = 0; i < 3; i++) {
		double p = i == 0 ? p50 : i == 1 ? p95 : p99;
		int col = (int)((p - lo) / width);

		col = col < 0 ? 0 : col >= nbins ? nbins - 1 : col;
		mark[col] = i == 0 ? '5' : i == 1 ? '9' : '!';
	}
	put(t, y + 1 + h, 1, C_WARN, "%s", mark);
	put(t, y + 2 + h, 1, C_DIM, "%s", axis_label(e, sizeof e, lo, hi - lo));
	put(t, y + 2 + h, 1 + nbins / 2 - 3, C_DIM, "%s", axis_label(e, sizeof e,
	    (lo + hi) / 2, hi - lo));
	/* the top is the p99.9: what lies beyond is in the last bar, said so */
	axis_label(e, sizeof e, hi, hi - lo);
	if (series_percentile(s, 100) > hi) {
		char f[48];

		snprintf(f, sizeof f, "%s (p99.9; beyond it in the last bar)", e);
		put(t, y + 2 + h, COLS - 1 - (int)strlen(f), C_DIM, "%s", f);
	} else
		put(t, y + 2 + h, COLS - 1 - (int)strlen(e), C_DIM, "%s", e);
}

void
view_dist(struct tui *t, int top, int rows)
{
	struct stage_stats *st = stats_current(t->m.stats);
	static const struct series empty;
	int h = (rows - 1) / 3 - 3;
	char label[24] = "-";

	if (h < 1)
		h = 1;
	if (st != NULL)
		label_stage(label, sizeof label, st);
	put(t, top, 0, C_DIM, "stage %s  (marks: 5 = p50, 9 = p95, ! = p99)", label);
	histogram(t, top + 1, h, "TTFT", st ? &st->m[M_TTFT] : &empty);
	histogram(t, top + 1 + (h + 3), h, "TPOT", st ? &st->m[M_TPOT] : &empty);
	histogram(t, top + 1 + 2 * (h + 3), h, "ITL", st ? &st->m[M_ITL] : &empty);
}
