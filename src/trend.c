#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "trend.h"
#include "xalloc.h"

static const struct {
	const char	*name, *title, *figure;	/* figure: compare's row */
} figs[TF_COUNT] = {
	[TF_TTFT_P50] = { "ttft_p50_ms", "TTFT p50", "ttft.p50" },
	[TF_TTFT_P95] = { "ttft_p95_ms", "TTFT p95", "ttft.p95" },
	[TF_TPOT_P50] = { "tpot_p50_ms", "TPOT p50", "tpot.p50" },
	[TF_PEAK_TOK_S] = { "peak_tok_s", "peak tok/s", "tok_s" },
	[TF_ERRORS] = { "errors_pct", "errors", "errors" },
	[TF_COST] = { "cost_per_mtok_out", "$ per 1M out", NULL },
};

const char *
trend_figure_name(enum trend_figure f)
{
	return figs[f].name;
}

const char *
trend_figure_title(enum trend_figure f)
{
	return figs[f].title;
}

double
trend_shown(enum trend_figure f, double v)
{
	return f == TF_PEAK_TOK_S || f == TF_COST ? v : f == TF_ERRORS ? v * 100 :
	    v * 1000;
}

/* A priced run's dollars per 1M output tokens, over all its stages. */
static double
run_cost(const struct stats *s, const struct price *p)
{
	double dollars = 0, out = 0, tokens = 0;
	int k;

	if (!p->set || s->nstages == 0)
		return NAN;
	for (k = 0; k < s->nstages; k++) {
		dollars += ((double)s->stages[k].input_tokens * p->in +
		    (double)s->stages[k].output_tokens * p->out) / 1e6;
		out += (double)s->stages[k].output_tokens;
		tokens += s->stages[k].window_tokens;
	}
	if (p->hourly) {	/* the hours the run's tokens took */
		double secs = usec_to_sec(s->end - s->stages[0].start);

		return tokens > 0 && secs > 0 ? p->hour * p->replicas * secs / 3600 /
		    tokens * 1e6 : NAN;
	}
	return out > 0 ? dollars / out * 1e6 : NAN;
}

/* A run's own figures, over all its stages. */
static void
figures(struct stats *s, const struct run_info *ri, double v[TF_COUNT])
{
	struct dist d;

	stats_dist_all(s, M_TTFT, &d);
	v[TF_TTFT_P50] = d.count ? d.p[2] : NAN;	/* stats_pcts: 5 25 50 ... */
	v[TF_TTFT_P95] = d.count ? d.p[5] : NAN;
	stats_dist_all(s, M_TPOT, &d);
	v[TF_TPOT_P50] = d.count ? d.p[2] : NAN;
	v[TF_PEAK_TOK_S] = s->nstages > 0 ? stats_peak_rate(s, s->stages[0].start,
	    s->end) : NAN;
	v[TF_ERRORS] = s->requests > s->canceled ? (double)s->errors /
	    (double)(s->requests - s->canceled) : NAN;
	v[TF_COST] = run_cost(s, &ri->price);
}

void
trend_build(struct trend *t, struct stats **st, const struct run_info **ri,
    const char **labels, int n, int base, unsigned long seed)
{
	double bv[TF_COUNT], v[TF_COUNT];
	char err[256];
	int i, f;

	t->rows = xcalloc((size_t)n + 1, sizeof *t->rows);
	t->n = n;
	figures(st[base], ri[base], bv);
	for (i = 0; i < n; i++) {
		struct trend_row *r = &t->rows[i];
		struct compare c;
		bool judged = false;

		r->label = labels[i];
		r->started = ri[i]->started;
		r->baseline = i == base;
		figures(st[i], ri[i], v);
		if (i != base) {
			compare_set(&c, st[base], labels[base], st[i], labels[i]);
			judged = compare_run(&c, seed, err, sizeof err) == 0;
		}
		for (f = 0; f < TF_COUNT; f++) {
			r->c[f].v = v[f];
			r->c[f].pct = f == TF_ERRORS ? (v[f] - bv[f]) * 100 :
			    bv[f] > 0 ? (v[f] / bv[f] - 1) * 100 : NAN;
			r->c[f].verdict = judged && figs[f].figure != NULL ?
			    compare_figure(&c, figs[f].figure) : V_NONE;
		}
		if (i != base)
			compare_free(&c);
	}
}

void
trend_free(struct trend *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

static const char *
mark(enum verdict v)
{
	return v == V_SLOWER ? " (slower)" : v == V_FASTER ? " (faster)" : "";
}

void
trend_markdown(FILE *f, const struct trend *t)
{
	int i, k;

	fputs("| run | started |", f);
	for (k = 0; k < TF_COUNT; k++)
		fprintf(f, " %s | change |", figs[k].title);
	fputs("\n|---|---|", f);
	for (k = 0; k < TF_COUNT; k++)
		fputs("---|---|", f);
	fputc('\n', f);
	for (i = 0; i < t->n; i++) {
		const struct trend_row *r = &t->rows[i];

		fprintf(f, "| %s%s | %.19s |", r->label, r->baseline ? " (baseline)" :
		    "", r->started);
		for (k = 0; k < TF_COUNT; k++) {
			double v = trend_shown((enum trend_figure)k, r->c[k].v);

			if (isnan(v))
				fputs(" - |", f);
			else
				fprintf(f, k == TF_ERRORS ? " %.2f%% |" : k == TF_COST ?
				    " %.4f |" : " %.1f |", v);
			if (r->baseline || isnan(r->c[k].pct))
				fputs(" - |", f);
			else
				fprintf(f, k == TF_ERRORS ? " %+.2f pts%s |" : " %+.1f%%%s |",
				    r->c[k].pct, mark(r->c[k].verdict));
		}
		fputc('\n', f);
	}
	fprintf(f, "\nTTFT and TPOT in ms, over each run's stages together; a "
	    "change is against the baseline, and marked where compare finds it "
	    "significant in a stage of the same load (95 %% intervals, changes "
	    "under %.0f%% none)\n", COMPARE_MIN_CHANGE);
}

void
trend_csv(FILE *f, const struct trend *t)
{
	int i, k;

	fputs("label,started,baseline", f);
	for (k = 0; k < TF_COUNT; k++)
		fprintf(f, ",%s,%s_change,%s_verdict", figs[k].name, figs[k].name,
		    figs[k].name);
	fputc('\n', f);
	for (i = 0; i < t->n; i++) {
		const struct trend_row *r = &t->rows[i];

		fprintf(f, "%s,%s,%d", r->label, r->started, r->baseline);
		for (k = 0; k < TF_COUNT; k++) {
			double v = trend_shown((enum trend_figure)k, r->c[k].v);

			fputc(',', f);
			if (!isnan(v))
				fprintf(f, "%.3f", v);
			fputc(',', f);
			if (!isnan(r->c[k].pct) && !r->baseline)
				fprintf(f, "%.3f", r->c[k].pct);
			fprintf(f, ",%s", r->baseline ? "" : compare_verdict_name(
			    r->c[k].verdict));
		}
		fputc('\n', f);
	}
}

static void
num(struct buf *b, double v)
{
	if (isnan(v) || isinf(v))
		buf_adds(b, "null");
	else
		buf_printf(b, "%.6g", v);
}

void
trend_json(FILE *f, const struct trend *t)
{
	struct buf b;
	int i, k;

	buf_init(&b);
	buf_adds(&b, "{\"runs\":[");
	for (i = 0; i < t->n; i++) {
		const struct trend_row *r = &t->rows[i];

		buf_adds(&b, i ? ",{\"label\":" : "{\"label\":");
		buf_add_json_string(&b, r->label);
		buf_adds(&b, ",\"started\":");
		buf_add_json_string(&b, r->started);
		buf_printf(&b, ",\"baseline\":%s", r->baseline ? "true" : "false");
		for (k = 0; k < TF_COUNT; k++) {
			buf_printf(&b, ",\"%s\":{\"value\":", figs[k].name);
			num(&b, trend_shown((enum trend_figure)k, r->c[k].v));
			buf_adds(&b, k == TF_ERRORS ? ",\"change_pts\":" : ",\"change_pct\":");
			num(&b, r->baseline ? NAN : r->c[k].pct);
			buf_printf(&b, ",\"verdict\":\"%s\"}", r->baseline ? "baseline" :
			    compare_verdict_name(r->c[k].verdict));
		}
		buf_addc(&b, '}');
	}
	buf_adds(&b, "]}\n");
	fwrite(b.p, 1, b.len, f);
	buf_free(&b);
}
