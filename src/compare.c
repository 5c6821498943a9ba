#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "labels.h"
#include "replay.h"
#include "rng.h"
#include "xalloc.h"

#define DRAWS	2000	/* bootstrap draws a percentile's change */
#define Z95	1.959964

static const struct {
	enum metric	 m;
	const char	*name, *title;
} latencies[] = {
	{ M_TTFT, "ttft", "TTFT" }, { M_TPOT, "tpot", "TPOT" },
	{ M_ITL, "itl", "ITL" }, { M_TTLT, "ttlt", "TTLT" },
};
static const struct {
	const char	*field;
	double		 q;		/* 0-1 */
} pcts[] = { { "p50", 0.50 }, { "p95", 0.95 }, { "p99", 0.99 } };

#define NLAT	(int)(sizeof latencies / sizeof latencies[0])
#define NPCTS	(int)(sizeof pcts / sizeof pcts[0])
#define NROWS	(NLAT * NPCTS + 3)	/* and tok/s, req/s, errors */

static int
read_side(struct compare_side *s, char *const *paths, int n, char *err,
    size_t errlen)
{
	struct sink k;

	stats_init(&s->own);
	s->owned = true;
	s->st = &s->own;
	k = stats_sink(&s->own);
	s->label = paths[0];
	return replay_read(paths, n, &s->ri, &k, err, errlen);
}

void
compare_set(struct compare *c, struct stats *base, const char *base_label,
    struct stats *new_, const char *new_label)
{
	memset(c, 0, sizeof *c);
	c->side[0].st = base;
	c->side[0].label = base_label;
	c->side[1].st = new_;
	c->side[1].label = new_label;
}

int
compare_read(struct compare *c, char *const *base, int nbase,
    char *const *new_, int nnew, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	if (read_side(&c->side[0], base, nbase, err, errlen) != 0)
		return -1;
	return read_side(&c->side[1], new_, nnew, err, errlen);
}

void
compare_free(struct compare *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->side[i].owned) {
			stats_done(&c->side[i].own);
			run_info_free(&c->side[i].ri);
		}
		free(c->unmatched[i]);
	}
	for (i = 0; i < c->nstages; i++)
		free(c->stages[i].rows);
	free(c->stages);
	memset(c, 0, sizeof *c);
}

/* Two stages ran the same load: as many clients, or the same rate. */
static bool
same_load(const struct stage_stats *a, const struct stage_stats *b)
{
	if (a->open_loop != b->open_loop)
		return false;
	if (!a->open_loop)
		return a->clients == b->clients;
	if (isnan(a->rate) || isnan(b->rate))	/* schedules: by their place */
		return isnan(a->rate) && isnan(b->rate) && a->stage == b->stage;
	return fabs(a->rate - b->rate) < 1e-9 * fmax(1, a->rate) &&
	    (isnan(a->rate_to) ? isnan(b->rate_to) : a->rate_to == b->rate_to);
}

/* A draw of the bootstrap's q-quantile of a sorted series: the order
 * statistic of n draws with replacement at the quantile's rank is the
 * value at n times a Beta(k, n + 1 - k) variate, so a draw costs two gamma
 * variates, not n. */
static double
boot_quantile(struct rng *g, const struct series *x, double q)
{
	double k = floor(q * (double)(x->n - 1)) + 1, a, b, u;
	size_t i;

	a = rng_gamma(g, k) * k;
	b = rng_gamma(g, (double)x->n + 1 - k) * ((double)x->n + 1 - k);
	u = a / (a + b);
	i = (size_t)(u * (double)x->n);
	return series_value(x, i < x->n ? i : x->n - 1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A latency, where less is faster; throughput the other way. */
static void
judge(struct compare_row *r, bool less_is_faster)
{
	if (isnan(r->lo) || isnan(r->hi))
		r->verdict = V_NONE;
	else if (r->lo > 0 && fabs(r->pct) >= COMPARE_MIN_CHANGE)
		r->verdict = less_is_faster ? V_SLOWER : V_FASTER;
	else if (r->hi < 0 && fabs(r->pct) >= COMPARE_MIN_CHANGE)
		r->verdict = less_is_faster ? V_FASTER : V_SLOWER;
	else
		r->verdict = V_SAME;
}

static void
latency_row(struct compare_row *r, struct rng *g, struct stage_stats *b,
    struct stage_stats *n, enum metric m, double q)
{
	static double d[DRAWS];
	struct series *xb = &b->m[m], *xn = &n->m[m];
	int i, k = 0;

	series_sort(xb);
	series_sort(xn);
	r->lo = r->hi = NAN;
	if (xb->n == 0 || xn->n == 0) {
		r->base = xb->n ? series_percentile_of_sorted(xb, q * 100) : NAN;
		r->new_ = xn->n ? series_percentile_of_sorted(xn, q * 100) : NAN;
		r->change = r->pct = NAN;
		r->verdict = V_NONE;
		return;
	}
	r->base = series_percentile_of_sorted(xb, q * 100);
	r->new_ = series_percentile_of_sorted(xn, q * 100);
	r->change = r->new_ - r->base;
	r->pct = r->base > 0 ? r->change / r->base * 100 : NAN;
	for (i = 0; i < DRAWS; i++) {
		double vb = boot_quantile(g, xb, q), vn = boot_quantile(g, xn, q);

		if (vb > 0)
			d[k++] = (vn / vb - 1) * 100;
	}
	if (k >= DRAWS / 2 && !isnan(r->pct)) {
		qsort(d, (size_t)k, sizeof d[0], cmp_double);
		r->lo = series_percentile_sorted(d, (size_t)k, 2.5);
		r->hi = series_percentile_sorted(d, (size_t)k, 97.5);
	}
	judge(r, true);
}

/* The mean tokens/s of the stage's whole seconds, and its standard error. */
static void
token_seconds(const struct stats *s, const struct stage_stats *st, double *se)
{
	usec_t end = st->end != USEC_NONE ? st->end : s->end;
	size_t from = (size_t)ceil(usec_to_sec(st->start)), to =
	    (size_t)floor(usec_to_sec(end)), i, k = 0;
	double sum = 0, sq = 0, mean;

	if (to > s->nbuckets)
		to = s->nbuckets;
	for (i = from; i < to; i++, k++)
		sum += s->buckets[i];
	*se = NAN;
	if (k < 2)
		return;
	mean = sum / (double)k;
	for (i = from; i < to; i++)
		sq += (s->buckets[i] - mean) * (s->buckets[i] - mean);
	*se = sqrt(sq / (double)(k - 1) / (double)k);
}

/* A rate's change with its interval from both sides' standard errors (the
 * delta method for their ratio). */
static void
rate_row(struct compare_row *r, double b, double seb, double n, double sen)
{
	double se;

	r->base = b;
	r->new_ = n;
	r->change = n - b;
	r->pct = b > 0 ? r->change / b * 100 : NAN;
	r->lo = r->hi = NAN;
	if (b > 0 && !isnan(seb) && !isnan(sen)) {
		se = 100 * sqrt(sen * sen / (b * b) + n * n * seb * seb / (b * b * b * b));
		r->lo = r->pct - Z95 * se;
		r->hi = r->pct + Z95 * se;
	}
	judge(r, false);
}

static void
errors_row(struct compare_row *r, const struct stage_stats *b,
    const struct stage_stats *n)
{
	double pb = b->requests ? (double)b->errors / (double)b->requests : NAN;
	double pn = n->requests ? (double)n->errors / (double)n->requests : NAN;
	double se;

	snprintf(r->name, sizeof r->name, "errors");
	r->base = pb;
	r->new_ = pn;
	r->change = pn - pb;
	r->pct = r->change * 100;	/* points */
	r->lo = r->hi = NAN;
	r->verdict = V_NONE;
	if (isnan(r->pct))
		return;
	se = 100 * sqrt(pb * (1 - pb) / (double)b->requests + pn * (1 - pn) /
	    (double)n->requests);
	r->lo = r->pct - Z95 * se;
	r->hi = r->pct + Z95 * se;
	r->verdict = r->lo > 0 ? V_SLOWER : r->hi < 0 ? V_FASTER : V_SAME;
}

static void
judge_stage(struct compare *c, struct compare_stage *cs, struct rng *g)
{
	struct stage_stats *b = (struct stage_stats *)cs->base;
	struct stage_stats *n = (struct stage_stats *)cs->new_;
	const struct stats *sb = c->side[0].st, *sn = c->side[1].st;
	usec_t eb = b->end != USEC_NONE ? b->end : sb->end;
	usec_t en = n->end != USEC_NONE ? n->end : sn->end;
	double seb, sen, tb, tn;
	int i, j;

	cs->rows = xcalloc(NROWS, sizeof *cs->rows);
	for (i = 0; i < NLAT; i++)
		for (j = 0; j < NPCTS; j++) {
			struct compare_row *r = &cs->rows[cs->nrows++];

			snprintf(r->name, sizeof r->name, "%s.%s", latencies[i].name,
			    pcts[j].field);
			latency_row(r, g, b, n, latencies[i].m, pcts[j].q);
		}
	token_seconds(sb, b, &seb);
	token_seconds(sn, n, &sen);
	snprintf(cs->rows[cs->nrows].name, sizeof cs->rows[0].name, "tok_s");
	rate_row(&cs->rows[cs->nrows++], stats_tok_rate(b, eb), seb,
	    stats_tok_rate(n, en), sen);
	/* completions as counts of a Poisson process: sqrt(N) / T */
	tb = usec_to_sec(eb - b->start);
	tn = usec_to_sec(en - n->start);
	snprintf(cs->rows[cs->nrows].name, sizeof cs->rows[0].name, "req_s");
	rate_row(&cs->rows[cs->nrows++], stats_req_rate(b, eb), tb > 0 ?
	    sqrt((double)b->window_done) / tb : NAN, stats_req_rate(n, en),
	    tn > 0 ? sqrt((double)n->window_done) / tn : NAN);
	errors_row(&cs->rows[cs->nrows++], b, n);
}

int
compare_run(struct compare *c, unsigned long seed, char *err, size_t errlen)
{
	struct stats *sb = c->side[0].st, *sn = c->side[1].st;
	bool *used = xcalloc((size_t)sn->nstages + 1, sizeof *used);
	struct rng g;
	int i, j;

	rng_seed(&g, seed);
	c->stages = xcalloc((size_t)sb->nstages + 1, sizeof *c->stages);
	c->unmatched[0] = xcalloc((size_t)sb->nstages + 1, sizeof *c->unmatched[0]);
	c->unmatched[1] = xcalloc((size_t)sn->nstages + 1, sizeof *c->unmatched[1]);
	for (i = 0; i < sb->nstages; i++) {
		for (j = 0; j < sn->nstages; j++)
			if (!used[j] && same_load(&sb->stages[i], &sn->stages[j]))
				break;
		if (j == sn->nstages) {
			c->unmatched[0][c->nunmatched[0]++] = &sb->stages[i];
			continue;
		}
		used[j] = true;
		c->stages[c->nstages].base = &sb->stages[i];
		c->stages[c->nstages].new_ = &sn->stages[j];
		judge_stage(c, &c->stages[c->nstages++], &g);
	}
	for (j = 0; j < sn->nstages; j++)
		if (!used[j])
			c->unmatched[1][c->nunmatched[1]++] = &sn->stages[j];
	free(used);
	if (c->nstages == 0) {
		snprintf(err, errlen, "%s and %s have no stage in common (no same "
		    "clients or rate)", c->side[0].label, c->side[1].label);
		return -1;
	}
	return 0;
}

const char *
compare_verdict_name(enum verdict v)
{
	static const char *const names[] = {
		[V_SAME] = "no significant change", [V_FASTER] = "faster",
		[V_SLOWER] = "slower", [V_NONE] = "-",
	};

	return names[v];
}

static bool
is_errors(const struct compare_row *r)
{
	return strcmp(r->name, "errors") == 0;
}

static bool
is_rate(const struct compare_row *r)
{
	return strcmp(r->name, "tok_s") == 0 || strcmp(r->name, "req_s") == 0;
}

/* A row's value as the table shows it. */
static void
shown(char *out, size_t len, const struct compare_row *r, double v, bool sign)
{
	if (isnan(v))
		snprintf(out, len, "-");
	else if (is_errors(r))
		snprintf(out, len, sign ? "%+.2f pts" : "%.2f%%", v * 100);
	else if (is_rate(r))
		snprintf(out, len, sign ? "%+.1f" : "%.1f", v);
	else
		snprintf(out, len, sign ? "%+.1fms" : "%.1fms", v * 1000);
}

static void
row_title(char *out, size_t len, const struct compare_row *r)
{
	int i, j;

	for (i = 0; i < NLAT; i++)
		for (j = 0; j < NPCTS; j++)
			if (strncmp(r->name, latencies[i].name, strlen(latencies[i].name))
			    == 0 && strcmp(strchr(r->name, '.') + 1, pcts[j].field) == 0) {
				snprintf(out, len, "%s %s", latencies[i].title, pcts[j].field);
				return;
			}
	snprintf(out, len, "%s", is_errors(r) ? "errors" : strcmp(r->name, "tok_s")
	    == 0 ? "tok/s" : "req/s");
}

static const char *
verdict_word(const struct compare_row *r)
{
	if (is_errors(r) && r->verdict == V_SLOWER)
		return "more errors";
	if (is_errors(r) && r->verdict == V_FASTER)
		return "fewer errors";
	return compare_verdict_name(r->verdict);
}

/* "4 clients", or the rate as the tables write it. */
static const char *
load_words(char *out, size_t len, const struct stage_stats *st)
{
	if (st->open_loop)
		return label_stage_load(out, len, st);
	snprintf(out, len, "%d client%s", st->clients, st->clients == 1 ? "" : "s");
	return out;
}

static void
stage_title(char *out, size_t len, const struct compare_stage *cs)
{
	char load[40], a[24], b[24];

	load_words(load, sizeof load, cs->base);
	label_stage(a, sizeof a, cs->base);
	label_stage(b, sizeof b, cs->new_);
	if (strcmp(a, b) == 0)
		snprintf(out, len, "stage %s, %s", a, load);
	else
		snprintf(out, len, "base stage %s, new stage %s, %s", a, b, load);
}

void
compare_markdown(FILE *f, const struct compare *c)
{
	int i, j, k, count[V_NONE + 1] = { 0 };

	fprintf(f, "base: %s\nnew:  %s\n", c->side[0].label, c->side[1].label);
	for (i = 0; i < c->nstages; i++) {
		const struct compare_stage *cs = &c->stages[i];
		char title[96];

		stage_title(title, sizeof title, cs);
		fprintf(f, "\n## %s\n\n| figure | base | new | change | 95 %% interval "
		    "| verdict |\n|---|---|---|---|---|---|\n", title);
		for (j = 0; j < cs->nrows; j++) {
			const struct compare_row *r = &cs->rows[j];
			char name[24], vb[24], vn[24], ch[24], ci[40];

			row_title(name, sizeof name, r);
			shown(vb, sizeof vb, r, r->base, false);
			shown(vn, sizeof vn, r, r->new_, false);
			shown(ch, sizeof ch, r, r->change, true);
			if (!is_errors(r) && !isnan(r->pct))
				snprintf(ch + strlen(ch), sizeof ch - strlen(ch), " (%+.1f%%)",
				    r->pct);
			if (isnan(r->lo))
				snprintf(ci, sizeof ci, "-");
			else
				snprintf(ci, sizeof ci, is_errors(r) ? "%+.2f to %+.2f pts" :
				    "%+.1f%% to %+.1f%%", r->lo, r->hi);
			fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", name, vb, vn, ch,
			    ci, verdict_word(r));
			count[r->verdict]++;
		}
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < c->nunmatched[k]; i++) {
			char load[40], st[24];

			load_words(load, sizeof load, c->unmatched[k][i]);
			label_stage(st, sizeof st, c->unmatched[k][i]);
			fprintf(f, "%sonly in %s: stage %s, %s\n", k == 0 && i == 0 ? "\n" :
			    (k == 1 && i == 0 && c->nunmatched[0] == 0 ? "\n" : ""),
			    k == 0 ? "base" : "new", st, load);
		}
	fprintf(f, "\n%d slower, %d faster, %d no significant change (95 %% "
	    "intervals; changes under %.0f%% count as none)\n", count[V_SLOWER],
	    count[V_FASTER], count[V_SAME], COMPARE_MIN_CHANGE);
}

static void
json_num(struct buf *b, const char *key, double v)
{
	if (isnan(v) || isinf(v))
		buf_printf(b, ",\"%s\":null", key);
	else
		buf_printf(b, ",\"%s\":%.6g", key, v);
}

void
compare_json(FILE *f, const struct compare *c)
{
	struct buf b;
	int i, j, k;

	buf_init(&b);
	buf_adds(&b, "{\"base\":");
	buf_add_json_string(&b, c->side[0].label);
	buf_adds(&b, ",\"new\":");
	buf_add_json_string(&b, c->side[1].label);
	buf_printf(&b, ",\"min_change_pct\":%g,\"stages\":[", COMPARE_MIN_CHANGE);
	for (i = 0; i < c->nstages; i++) {
		const struct compare_stage *cs = &c->stages[i];
		char sb[24], sn[24], load[40];

		label_stage(sb, sizeof sb, cs->base);
		label_stage(sn, sizeof sn, cs->new_);
		label_stage_load(load, sizeof load, cs->base);
		buf_printf(&b, "%s{\"base_stage\":\"%s\",\"new_stage\":\"%s\",\"load\":",
		    i ? "," : "", sb, sn);
		buf_add_json_string(&b, load);
		buf_adds(&b, ",\"rows\":[");
		for (j = 0; j < cs->nrows; j++) {
			const struct compare_row *r = &cs->rows[j];

			buf_printf(&b, "%s{\"figure\":\"%s\"", j ? "," : "", r->name);
			json_num(&b, "base", r->base);
			json_num(&b, "new", r->new_);
			json_num(&b, "change", r->change);
			json_num(&b, is_errors(r) ? "change_pts" : "change_pct", r->pct);
			json_num(&b, is_errors(r) ? "ci_lo_pts" : "ci_lo_pct", r->lo);
			json_num(&b, is_errors(r) ? "ci_hi_pts" : "ci_hi_pct", r->hi);
			buf_printf(&b, ",\"verdict\":\"%s\"}", compare_verdict_name(r->verdict));
		}
		buf_adds(&b, "]}");
	}
	buf_adds(&b, "]");
	for (k = 0; k < 2; k++) {
		buf_printf(&b, ",\"only_in_%s\":[", k ? "new" : "base");
		for (i = 0; i < c->nunmatched[k]; i++) {
			char st[24];

			label_stage(st, sizeof st, c->unmatched[k][i]);
			buf_printf(&b, "%s\"%s\"", i ? "," : "", st);
		}
		buf_addc(&b, ']');
	}
	buf_adds(&b, "}\n");
	fwrite(b.p, 1, b.len, f);
	buf_free(&b);
}

/* The names a --fail-on may use: every row's. */
static bool
row_name_known(const char *name)
{
	int i, j;
	char n[16];

	if (strcmp(name, "tok_s") == 0 || strcmp(name, "req_s") == 0 ||
	    strcmp(name, "errors") == 0)
		return true;
	for (i = 0; i < NLAT; i++)
		for (j = 0; j < NPCTS; j++) {
			snprintf(n, sizeof n, "%s.%s", latencies[i].name, pcts[j].field);
			if (strcmp(n, name) == 0)
				return true;
		}
	return false;
}

int
fail_on_parse(const char *s, struct fail_on **out, int *n, char *err,
    size_t errlen)
{
	const char *comma;

	do {
		struct fail_on *x;
		char item[64], *op, *end;
		size_t len;

		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (len == 0 || len >= sizeof item) {
			snprintf(err, errlen, "--fail-on: '%.*s': not a bound like "
			    "ttft.p95>+10%%", (int)(len < 40 ? len : 40), s);
			return -1;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		*out = xreallocarray(*out, (size_t)*n + 1, sizeof **out);
		x = &(*out)[*n];
		if ((op = strpbrk(item, "<>")) == NULL) {
			snprintf(err, errlen, "--fail-on: '%s': no < or > (ttft.p95>+10%%, "
			    "tok_s<-5%%)", item);
			return -1;
		}
		x->above = *op == '>';
		*op++ = '\0';
		if (!row_name_known(item)) {
			snprintf(err, errlen, "--fail-on: no figure %s (ttft, tpot, itl, "
			    "ttlt with .p50 .p95 .p99; tok_s, req_s, errors)", item);
			return -1;
		}
		snprintf(x->name, sizeof x->name, "%s", item);
		x->bound = strtod(op, &end);
		if (end == op || !isfinite(x->bound) || (strcmp(end, "%") != 0 &&
		    !(strcmp(x->name, "errors") == 0 && (*end == '\0' ||
		    strcmp(end, "pts") == 0)))) {
			snprintf(err, errlen, "--fail-on: '%s%c%s': the bound is a change "
			    "in %% (+10%%; errors: points, +1)", item, x->above ? '>' : '<', op);
			return -1;
		}
		(*n)++;
		s = comma + 1;
	} while (comma != NULL);
	return 0;
}

int
fail_on_check(FILE *f, const struct compare *c, const struct fail_on *fo, int n)
{
	int i, j, k, failed = 0;

	for (i = 0; i < c->nstages; i++)
		for (j = 0; j < c->stages[i].nrows; j++) {
			const struct compare_row *r = &c->stages[i].rows[j];
			char st[24];

			for (k = 0; k < n; k++) {
				if (strcmp(fo[k].name, r->name) != 0 || r->verdict == V_SAME ||
				    r->verdict == V_NONE || (fo[k].above ? !(r->pct >
				    fo[k].bound) : !(r->pct < fo[k].bound)))
					continue;
				label_stage(st, sizeof st, c->stages[i].new_);
				fprintf(f, "ttftop compare: stage %s: %s %+.2f%s, beyond %c%+g%s\n",
				    st, r->name, r->pct, is_errors(r) ? " pts" : "%",
				    fo[k].above ? '>' : '<', fo[k].bound, is_errors(r) ?
				    " pts" : "%");
				failed++;
			}
		}
	return failed;
}

enum verdict
compare_figure(const struct compare *c, const char *name)
{
	enum verdict v = V_NONE;
	int i, j;

	for (i = 0; i < c->nstages; i++)
		for (j = 0; j < c->stages[i].nrows; j++) {
			const struct compare_row *r = &c->stages[i].rows[j];

			if (strcmp(r->name, name) != 0 || r->verdict == V_NONE)
				continue;
			if (r->verdict == V_SLOWER)
				v = V_SLOWER;
			else if (r->verdict == V_FASTER && v != V_SLOWER)
				v = V_FASTER;
			else if (v == V_NONE)
				v = V_SAME;
		}
	return v;
}
