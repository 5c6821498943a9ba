#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assert.h"
#include "xalloc.h"

enum kind {
	K_LATENCY,	/* a distribution of times: .p95, .mean ... */
	K_ERRORS,	/* failed requests: a share with %, else a count */
	K_REQUESTS,
	K_TOK_S, K_PEAK_TOK_S, K_REQ_S,
	K_GOODPUT,	/* the share meeting --slo */
	K_GOODPUT_REQ_S
};

static const struct {
	const char	*name;
	enum kind	 kind;
	enum metric	 m;
} metrics[] = {
	{ "ttfb", K_LATENCY, M_TTFB }, { "ttft", K_LATENCY, M_TTFT },
	{ "tpot", K_LATENCY, M_TPOT }, { "itl", K_LATENCY, M_ITL },
	{ "ttlt", K_LATENCY, M_TTLT },
	{ "errors", K_ERRORS, 0 }, { "requests", K_REQUESTS, 0 },
	{ "tok_s", K_TOK_S, 0 }, { "peak_tok_s", K_PEAK_TOK_S, 0 },
	{ "req_s", K_REQ_S, 0 }, { "goodput", K_GOODPUT, 0 },
	{ "goodput_req_s", K_GOODPUT_REQ_S, 0 },
};
#define NMETRICS (int)(sizeof metrics / sizeof metrics[0])

/* A latency's fields: its percentiles (stats_pcts' order), then these. */
static const char *const pct_fields[NPCT] = {
	"p5", "p25", "p50", "p75", "p90", "p95", "p99", "p99.9",
};
enum { F_MEAN = NPCT, F_MIN, F_MAX, F_STDDEV, F_NONE };
static const char *const other_fields[] = { "mean", "min", "max", "stddev" };

/* An item's value is a share when it was written with %: kept as given. */
static bool
is_share(const struct assert_item *a)
{
	return strchr(a->text, '%') != NULL;
}

static int
field_of(const char *s)
{
	int i;

	for (i = 0; i < NPCT; i++)
		if (strcmp(s, pct_fields[i]) == 0)
			return i;
	for (i = 0; i < 4; i++)
		if (strcmp(s, other_fields[i]) == 0)
			return F_MEAN + i;
	return -1;
}

static int
parse_one(struct assert_item *a, const char *s, size_t len, char *err,
    size_t errlen)
{
	char item[80], *op, *at, *dot, *end;
	int i;

	memset(a, 0, sizeof *a);
	if (len == 0 || len >= sizeof item) {
		snprintf(err, errlen, "--assert: '%.*s': %s", (int)(len < 60 ? len : 60),
		    s, len ? "too long" : "an empty threshold");
		return -1;
	}
	memcpy(item, s, len);
	item[len] = '\0';
	memcpy(a->text, item, len + 1);
	if ((op = strpbrk(item, "<>")) == NULL) {
		snprintf(err, errlen, "--assert: '%s': no < or > (e.g. ttft.p95<500ms)",
		    a->text);
		return -1;
	}
	a->op = op[0] == '<' ? (op[1] == '=' ? AS_LE : AS_LT) :
	    (op[1] == '=' ? AS_GE : AS_GT);
	*op = '\0';
	op += op[1] == '=' ? 2 : 1;
	/* @N or @last: one stage */
	if ((at = strchr(op, '@')) != NULL) {
		*at++ = '\0';
		if (strcmp(at, "last") == 0)
			a->stage = -1;
		else {
			long n = strtol(at, &end, 10);

			if (*end != '\0' || at[0] == '\0' || n < 1 || n > 100000) {
				snprintf(err, errlen, "--assert: '%s': @%s is not a stage "
				    "(@3, @last)", a->text, at);
				return -1;
			}
			a->stage = (int)n;
		}
	}
	a->field = F_NONE;
	if ((dot = strchr(item, '.')) != NULL)
		*dot++ = '\0';
	for (a->metric = 0; a->metric < NMETRICS; a->metric++)
		if (strcmp(item, metrics[a->metric].name) == 0)
			break;
	if (a->metric == NMETRICS) {
		int o = snprintf(err, errlen, "--assert: '%s': no metric %s (", a->text,
		    item);

		for (i = 0; i < NMETRICS && o > 0 && (size_t)o < errlen; i++)
			o += snprintf(err + o, errlen - (size_t)o, "%s%s", i ? ", " :
			    "", metrics[i].name);
		if (o > 0 && (size_t)o < errlen)
			snprintf(err + o, errlen - (size_t)o, ")");
		return -1;
	}
	if (metrics[a->metric].kind == K_LATENCY) {
		if (dot == NULL || (a->field = field_of(dot)) < 0) {
			snprintf(err, errlen, "--assert: '%s': %s takes .p5 .p25 .p50 .p75 "
			    ".p90 .p95 .p99 .p99.9 .mean .min .max or .stddev", a->text,
			    item);
			return -1;
		}
	} else if (dot != NULL) {
		snprintf(err, errlen, "--assert: '%s': %s has no .%s", a->text, item,
		    dot);
		return -1;
	}
	/* the value: a time with its unit, a share with %, or a number */
	if (metrics[a->metric].kind == K_LATENCY) {
		size_t l = strlen(op);
		usec_t u;

		/* a bare number would be seconds: too easy a slip for 500 ms */
		if (l == 0 || !isalpha((unsigned char)op[l - 1]) ||
		    duration_parse(op, &u) != 0) {
			snprintf(err, errlen, "--assert: '%s': '%s' is not a time with "
			    "its unit (500ms, 1.5s)", a->text, op);
			return -1;
		}
		a->want = usec_to_sec(u);
		return 0;
	}
	a->want = strtod(op, &end);
	if (end == op || !isfinite(a->want) || a->want < 0 ||
	    (*end != '\0' && strcmp(end, "%") != 0)) {
		snprintf(err, errlen, "--assert: '%s': '%s' is not a number%s",
		    a->text, op, metrics[a->metric].kind == K_ERRORS ||
		    metrics[a->metric].kind == K_GOODPUT ? " (or a share: 1%)" : "");
		return -1;
	}
	if (*end == '%') {
		if (metrics[a->metric].kind != K_ERRORS &&
		    metrics[a->metric].kind != K_GOODPUT) {
			snprintf(err, errlen, "--assert: '%s': %s is not a share (no %%)",
			    a->text, item);
			return -1;
		}
		a->want /= 100;
	} else if (metrics[a->metric].kind == K_GOODPUT) {
		snprintf(err, errlen, "--assert: '%s': goodput is a share: give %%",
		    a->text);
		return -1;
	}
	return 0;
}

int
assert_parse(struct asserts *as, const char *expr, char *err, size_t errlen)
{
	const char *s = expr, *comma;

	do {
		size_t len;

		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		as->v = xreallocarray(as->v, (size_t)as->n + 1, sizeof *as->v);
		if (parse_one(&as->v[as->n], s, len, err, errlen) != 0)
			return -1;
		as->n++;
		s = comma + 1;
	} while (comma != NULL);
	return 0;
}

void
asserts_free(struct asserts *as)
{
	free(as->v);
	as->v = NULL;
	as->n = 0;
}

bool
asserts_need_slo(const struct asserts *as)
{
	int i;

	for (i = 0; i < as->n; i++)
		if (metrics[as->v[i].metric].kind == K_GOODPUT ||
		    metrics[as->v[i].metric].kind == K_GOODPUT_REQ_S)
			return true;
	return false;
}

/* The stage a threshold judges (0: all), and whether s has it. */
static bool
scope_of(const struct assert_item *a, const struct stats *s, int *stage)
{
	int i, last = 0;

	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].stage > last)
			last = s->stages[i].stage;
	*stage = a->stage == -1 ? last : a->stage;
	if (*stage == 0)
		return s->nstages > 0;
	for (i = 0; i < s->nstages; i++)
		if (s->stages[i].stage == *stage)
			return true;
	return false;
}

static double
judge(const struct assert_item *a, struct stats *s, const struct slo *slo,
    usec_t end)
{
	long requests = 0, errors = 0, met = 0, total = 0, done = 0;
	double tokens = 0;
	usec_t from = USEC_NONE, to = 0;
	struct dist d;
	int stage, i;

	if (!scope_of(a, s, &stage))
		return NAN;
	if (metrics[a->metric].kind == K_LATENCY) {
		stats_dist_stage(s, stage, metrics[a->metric].m, &d);
		if (d.count == 0)
			return NAN;
		return a->field < NPCT ? d.p[a->field] : a->field == F_MEAN ? d.mean :
		    a->field == F_MIN ? d.min : a->field == F_MAX ? d.max : d.stddev;
	}
	for (i = 0; i < s->nstages; i++) {
		struct stage_stats *st = &s->stages[i];
		usec_t e = st->end != USEC_NONE ? st->end : end;

		if (stage != 0 && st->stage != stage)
			continue;
		requests += st->requests;
		errors += st->errors;
		tokens += st->window_tokens;
		done += st->window_done;
		if (from == USEC_NONE || st->start < from)
			from = st->start;
		if (e > to)
			to = e;
		if (slo != NULL && slo_any(slo)) {
			struct goodput g;

			stats_goodput(st, slo, end, &g);
			met += g.met;
			total += g.total;
		}
	}
	switch (metrics[a->metric].kind) {
	case K_ERRORS:
		if (!is_share(a))
			return (double)errors;
		return requests > 0 ? (double)errors / (double)requests : NAN;
	case K_REQUESTS:
		return (double)requests;
	case K_TOK_S:
		return to > from ? tokens / usec_to_sec(to - from) : NAN;
	case K_REQ_S:
		return to > from ? (double)done / usec_to_sec(to - from) : NAN;
	case K_PEAK_TOK_S:
		return to > from ? stats_peak_rate(s, from, to) : NAN;
	case K_GOODPUT:
		return total > 0 ? (double)met / (double)total : NAN;
	case K_GOODPUT_REQ_S:
		return to > from && total > 0 ? (double)met / usec_to_sec(to - from) :
		    NAN;
	default:
		return NAN;
	}
}

void
assert_eval(const struct asserts *as, struct stats *s, const struct slo *slo,
    usec_t end, struct assert_result *out)
{
	int i;

	for (i = 0; i < as->n; i++) {
		const struct assert_item *a = &as->v[i];
		struct assert_result *r = &out[i];
		double v = judge(a, s, slo, end);

		r->a = a;
		r->value = v;
		switch (a->op) {
		case AS_LT: r->pass = v < a->want; break;
		case AS_LE: r->pass = v <= a->want; break;
		case AS_GT: r->pass = v > a->want; break;
		case AS_GE: r->pass = v >= a->want; break;
		}
		if (isnan(v))
			snprintf(r->shown, sizeof r->shown, "no value");
		else if (metrics[a->metric].kind == K_LATENCY)	/* to its 0.1 ms */
			snprintf(r->shown, sizeof r->shown, v < 1 ? "%.1fms" :
			    "%.4fs", v < 1 ? v * 1000 : v);
		else if (is_share(a))
			snprintf(r->shown, sizeof r->shown, "%.2f%%", v * 100);
		else
			snprintf(r->shown, sizeof r->shown, "%.*f", v == floor(v) ?
			    0 : 2, v);
	}
}

bool
assert_print(FILE *f, const struct assert_result *r, int n, bool utf8)
{
	bool all = true;
	int i;

	for (i = 0; i < n; i++) {
		fprintf(f, "%s %s  %s\n", r[i].pass ? (utf8 ? "\u2713" : "ok  ") :
		    (utf8 ? "\u2717" : "FAIL"), r[i].a->text, r[i].shown);
		all &= r[i].pass;
	}
	return all;
}
