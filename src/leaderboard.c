#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leaderboard.h"
#include "xalloc.h"

static const char *const columns[LB_COLS] = {
	"Mean", "Min", "Max", "Median", "p25", "p75", "p5", "p95",
};

const char *
leaderboard_column(int col)
{
	return columns[col];
}

/* A distribution's row, scaled to the table's unit. */
static void
row_of(const struct dist *d, double scale, double out[LB_COLS])
{
	if (d->count == 0) {
		int c;

		for (c = 0; c < LB_COLS; c++)
			out[c] = NAN;
		return;
	}
	/* stats_pcts: 5 25 50 75 90 95 99 99.9 */
	out[LB_MEAN] = d->mean * scale;
	out[LB_MIN] = d->min * scale;
	out[LB_MAX] = d->max * scale;
	out[LB_MEDIAN] = d->p[2] * scale;
	out[LB_P25] = d->p[1] * scale;
	out[LB_P75] = d->p[3] * scale;
	out[LB_P5] = d->p[0] * scale;
	out[LB_P95] = d->p[5] * scale;
}

/* The run's tokens in each whole second of its stages: total tok/s is their
 * mean, peak their max. */
static void
seconds_row(const struct stats *s, double out[LB_COLS])
{
	struct series x = { 0 };
	struct dist d;
	size_t i, from, to;

	memset(&d, 0, sizeof d);
	if (s->nstages > 0) {
		from = (size_t)ceil(usec_to_sec(s->stages[0].start));
		to = (size_t)floor(usec_to_sec(s->end));
		for (i = from; i < to && i < s->nbuckets; i++)
			series_add(&x, s->buckets[i]);
	}
	series_sort(&x);
	d.count = (long)x.n;
	if (x.n > 0) {
		double sum = 0;

		for (i = 0; i < x.n; i++)
			sum += series_value(&x, i);
		d.mean = sum / (double)x.n;
		d.min = series_value(&x, 0);
		d.max = series_value(&x, x.n - 1);
		for (i = 0; i < NPCT; i++)
			d.p[i] = series_percentile_of_sorted(&x, stats_pcts[i]);
	}
	row_of(&d, 1, out);
	series_free(&x);
}

void
leaderboard_build(struct leaderboard *lb, struct stats **st, const char **labels,
    int n)
{
	static const struct {
		const char	*title;
		enum metric	 m;		/* M_COUNT: the run's seconds */
		double		 scale;
		bool		 higher;
	} tables[LB_TABLES] = {
		{ "TTFT (ms)", M_TTFT, 1000, false },
		{ "TPOT (ms): (TTLT - TTFT) / (tokens - 1)", M_TPOT, 1000, false },
		{ "TPOT (ms): TTLT / tokens", M_E2E_PER_TOKEN, 1000, false },
		{ "Output tokens/s of a request, after its first", M_DECODE_RATE, 1,
		  true },
		{ "Output tokens/s of the run, each second (Mean: total, Max: peak)",
		  M_COUNT, 1, true },
	};
	int k, i;

	lb->labels = labels;
	lb->n = n;
	for (k = 0; k < LB_TABLES; k++) {
		struct lb_table *t = &lb->t[k];

		t->title = tables[k].title;
		t->higher_is_better = tables[k].higher;
		t->v = xcalloc((size_t)n + 1, sizeof *t->v);
		t->best = -1;
		for (i = 0; i < n; i++) {
			struct dist d;

			if (tables[k].m == M_COUNT)
				seconds_row(st[i], t->v[i]);
			else {
				stats_dist_all(st[i], tables[k].m, &d);
				row_of(&d, tables[k].scale, t->v[i]);
			}
			if (!isnan(t->v[i][LB_MEDIAN]) && (t->best < 0 ||
			    (t->higher_is_better ? t->v[i][LB_MEDIAN] >
			    t->v[t->best][LB_MEDIAN] : t->v[i][LB_MEDIAN] <
			    t->v[t->best][LB_MEDIAN])))
				t->best = i;
		}
	}
}

void
leaderboard_free(struct leaderboard *lb)
{
	int k;

	for (k = 0; k < LB_TABLES; k++)
		free(lb->t[k].v);
	memset(lb, 0, sizeof *lb);
}

void
leaderboard_markdown(FILE *f, const struct leaderboard *lb)
{
	int k, i, c;

	for (k = 0; k < LB_TABLES; k++) {
		const struct lb_table *t = &lb->t[k];

		fprintf(f, "%s### %s\n\n| endpoint |", k ? "\n" : "", t->title);
		for (c = 0; c < LB_COLS; c++)
			fprintf(f, " %s |", columns[c]);
		fputs("\n|---|", f);
		for (c = 0; c < LB_COLS; c++)
			fputs("---|", f);
		fputc('\n', f);
		for (i = 0; i < lb->n; i++) {
			bool best = i == t->best && lb->n > 1;

			fprintf(f, best ? "| **%s** |" : "| %s |", lb->labels[i]);
			for (c = 0; c < LB_COLS; c++) {
				double v = t->v[i][c];

				if (isnan(v))
					fputs(" - |", f);
				else
					fprintf(f, best ? " **%.2f** |" : " %.2f |", v);
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "\nthe best median of each table in bold (%s); every run's "
	    "stages together\n", lb->n > 1 ? "lowest for times, highest for "
	    "rates" : "one endpoint: none");
}
