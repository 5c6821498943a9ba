/* The Prometheus text parser: the format's own shapes, fed whole and in
 * every split, hostile lines refused, and the known servers' names. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"
#include "server_read.h"

static const char exposition[] =
    "# HELP vllm:num_requests_running Number of requests in model execution batches.\n"
    "# TYPE vllm:num_requests_running gauge\n"
    "vllm:num_requests_running{engine=\"0\",model_name=\"llama\"} 31.0\n"
    "# TYPE vllm:num_preemptions_total counter\n"
    "vllm:num_preemptions_total{model_name=\"a \\\"quoted\\\" \\\\ name\\n\",} 7\n"
    "# TYPE vllm:time_to_first_token_seconds histogram\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"0.05\"} 3\n"
    "vllm:time_to_first_token_seconds_bucket{le=\"+Inf\"} 10\n"
    "vllm:time_to_first_token_seconds_sum 1.5e0\n"
    "vllm:time_to_first_token_seconds_count 10\n"
    "\n"
    "   # an indented comment\n"
    "up 1 1700000000000\r\n"
    "nan_value NaN\n"
    "minus_inf -Inf\n"
    "no_newline_at_end 42";

#define MAXS 16
struct got {
	int	n;
	char	names[MAXS][64];
	double	values[MAXS];
	enum prom_type types[MAXS];
	char	model[MAXS][64];
};

static void
collect(void *ctx, const struct prom_sample *x)
{
	struct got *g = ctx;

	if (g->n == MAXS)
		return;
	snprintf(g->names[g->n], sizeof g->names[0], "%.*s", (int)x->name_len, x->name);
	g->values[g->n] = x->value;
	g->types[g->n] = x->type;
	if (!prom_label(x, "model_name", g->model[g->n], sizeof g->model[0]))
		g->model[g->n][0] = '\0';
	g->n++;
}

static void
parse(const char *text, size_t len, size_t piece, struct got *g, bool *ok)
{
	struct prom_parser p;
	size_t i;

	memset(g, 0, sizeof *g);
	prom_init(&p, collect, g);
	for (i = 0; i < len; i += piece)
		prom_feed(&p, text + i, len - i < piece ? len - i : piece);
	*ok = prom_finish(&p) == 0;
	prom_done(&p);
}

static void
test_exposition(void **state)
{
	struct got g;
	bool ok;

	parse(exposition, strlen(exposition), strlen(exposition), &g, &ok);
	assert_true(ok);
	assert_int_equal(g.n, 10);
	assert_string_equal(g.names[0], "vllm:num_requests_running");
	assert_true(g.values[0] == 31);
	assert_int_equal(g.types[0], PROM_GAUGE);
	assert_string_equal(g.model[0], "llama");
	assert_int_equal(g.types[1], PROM_COUNTER);
	assert_string_equal(g.model[1], "a \"quoted\" \\ name\n");
	assert_int_equal(g.types[2], PROM_HISTOGRAM);
	assert_true(isinf(g.values[3]) == 0 && g.values[3] == 10);
	assert_int_equal(g.types[4], PROM_HISTOGRAM);	/* _sum */
	assert_true(g.values[4] == 1.5);
	assert_string_equal(g.names[6], "up");
	assert_int_equal(g.types[6], PROM_UNTYPED);
	assert_true(isnan(g.values[7]));
	assert_true(isinf(g.values[8]) && g.values[8] < 0);
	assert_string_equal(g.names[9], "no_newline_at_end");
}

/* Any split of the input gives the same samples. */
static void
test_every_split(void **state)
{
	struct got whole, split;
	size_t len = strlen(exposition), piece;
	bool ok;
	int i;

	parse(exposition, len, len, &whole, &ok);
	for (piece = 1; piece <= len; piece++) {
		parse(exposition, len, piece, &split, &ok);
		assert_true(ok);
		assert_int_equal(split.n, whole.n);
		for (i = 0; i < whole.n; i++) {
			assert_string_equal(split.names[i], whole.names[i]);
			assert_true(split.values[i] == whole.values[i] ||
			    (isnan(split.values[i]) && isnan(whole.values[i])));
		}
	}
}

static void
test_hostile(void **state)
{
	static const char *const bad[] = {
		"{a=\"1\"} 3\n",			/* no name */
		"m{a=1} 3\n",				/* value unquoted */
		"m{a=\"1} 3\n",				/* not closed */
		"m 3 4 5\n",				/* more than a timestamp */
		"m\n",					/* no value */
		"m inf\n",				/* not the format's Inf */
		"m 0x10\n",				/* hex */
		"# TYPE m flavour\n",			/* no such type */
	};
	struct prom_parser p;
	struct got g;
	char *huge;
	size_t i;

	/* each is skipped, said with its line, and the lines after it read */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static const char after[] = "ok 7\n";

		memset(&g, 0, sizeof g);
		prom_init(&p, collect, &g);
		assert_int_equal(prom_feed(&p, bad[i], strlen(bad[i])), 0);
		assert_int_equal(prom_feed(&p, after, strlen(after)), 0);
		assert_int_equal(prom_finish(&p), 0);
		assert_false(p.failed);
		assert_int_equal(p.skipped, 1);
		assert_non_null(strstr(p.skip_err, "line 1: "));
		assert_int_equal(g.n, 1);
		prom_done(&p);
	}
	/* a line past the bound is refused, however it comes */
	huge = malloc(PROM_LINE_MAX + 16);
	memset(huge, 'a', PROM_LINE_MAX + 16);
	prom_init(&p, collect, &g);
	for (i = 0; i < PROM_LINE_MAX + 16; i += 1000)
		if (prom_feed(&p, huge + i, 1000 < PROM_LINE_MAX + 16 - i ? 1000 :
		    PROM_LINE_MAX + 16 - i) != 0)
			break;
	assert_true(p.failed);
	assert_non_null(strstr(p.err, "longer than 64 KB"));
	prom_done(&p);
	free(huge);
}

static void
test_known_names(void **state)
{
	double scale;
	bool counter;

	assert_int_equal(server_gauge_of("vllm:num_requests_waiting", 25, &scale,
	    &counter), SG_WAITING);
	assert_false(counter);
	assert_int_equal(server_gauge_of("vllm:gpu_cache_usage_perc", 25, &scale,
	    &counter), SG_KV_USAGE);
	assert_int_equal(server_gauge_of("vllm:num_preemptions_total", 26, &scale,
	    &counter), SG_PREEMPTIONS);
	assert_true(counter);
	assert_int_equal(server_gauge_of("DCGM_FI_DEV_POWER_USAGE", 23, &scale,
	    &counter), SG_GPU_POWER);
	assert_int_equal(server_gauge_of("vllm:num_requests", 17, &scale, &counter), -1);
	assert_string_equal(server_gauge_name(SG_KV_USAGE), "kv_usage");
}

/* histogram_quantile's answers, worked by hand from PromQL's definition:
 * rank q * count, the first bucket reaching it, linear within it. */
static void
test_hist_quantile(void **state)
{
	struct prom_hist h = { .n = 4, .le = { 0.05, 0.1, 0.5, INFINITY },
	    .cum = { 3, 5, 9, 10 }, .sum = 2, .count = 10 };
	struct prom_hist none = { 0 }, sum = { 0 }, other = h;

	assert_float_equal(prom_hist_quantile(&h, 0.5), 0.1, 1e-12);
	assert_float_equal(prom_hist_quantile(&h, 0.25), 0.05 * 2.5 / 3, 1e-12);
	assert_float_equal(prom_hist_quantile(&h, 0.8), 0.1 + 0.4 * 3 / 4, 1e-12);
	/* in the +Inf bucket: the highest finite bound */
	assert_float_equal(prom_hist_quantile(&h, 0.95), 0.5, 1e-12);
	assert_float_equal(prom_hist_quantile(&h, 0), 0, 1e-12);
	assert_true(isnan(prom_hist_quantile(&none, 0.5)));
	/* the bucket each falls in, all the histogram knows */
	{
		double lo, hi;

		assert_int_equal(prom_hist_bucket(&h, 0.8, &lo, &hi), 0);
		assert_float_equal(lo, 0.1, 0);
		assert_float_equal(hi, 0.5, 0);
		assert_int_equal(prom_hist_bucket(&h, 0.25, &lo, &hi), 0);
		assert_float_equal(lo, 0, 0);
		assert_float_equal(hi, 0.05, 0);
		assert_int_equal(prom_hist_bucket(&h, 0.95, &lo, &hi), 0);
		assert_float_equal(lo, 0.5, 0);
		assert_true(isinf(hi));
		assert_int_equal(prom_hist_bucket(&none, 0.5, &lo, &hi), -1);
	}
	assert_int_equal(prom_hist_add(&sum, &h), 0);
	assert_int_equal(prom_hist_add(&sum, &h), 0);
	assert_float_equal(sum.cum[3], 20, 0);
	assert_float_equal(prom_hist_quantile(&sum, 0.5), 0.1, 1e-12);
	other.le[1] = 0.2;		/* other buckets: not added */
	assert_int_equal(prom_hist_add(&sum, &other), -1);
	assert_float_equal(sum.cum[3], 20, 0);
}

static void
put(struct server_scrape *x, const char *name, double v)
{
	snprintf(x->names[x->n], sizeof x->names[0], "%s", name);
	x->values[x->n++] = v;
}

#define TTFT_BUCKET(le) "vllm:time_to_first_token_seconds_bucket{le=\"" le "\"}"

/* Scrapes read into gauges: counters as rates per source, the TTFT
 * histogram as its change since the scrape before. */
static void
test_reader(void **state)
{
	struct server_reader r;
	struct server_reading v;
	struct server_scrape a = { .t = 1000000, .source = "http://a/metrics" };
	struct server_scrape b = { .t = 3000000, .source = "http://a/metrics" };
	struct server_scrape c = { .t = 4000000, .source = "http://a/metrics" };
	struct server_scrape other = { .t = 3500000, .source = "http://b/metrics" };
	struct server_scrape gap = { .t = 5000000, .source = "http://a/metrics",
	    .error = "no answer within 1 s" };

	server_reader_init(&r);
	put(&a, "vllm:num_requests_running", 3);
	put(&a, "vllm:generation_tokens_total", 1000);
	put(&a, TTFT_BUCKET("+Inf"), 4);	/* any order */
	put(&a, TTFT_BUCKET("0.05"), 1);
	put(&a, TTFT_BUCKET("0.1"), 3);
	put(&a, "vllm:time_to_first_token_seconds_sum", 0.3);
	put(&a, "vllm:time_to_first_token_seconds_count", 4);
	assert_true(server_read(&r, &a, &v));
	assert_float_equal(v.v[SG_RUNNING], 3, 0);
	assert_true(isnan(v.v[SG_GEN_TOKENS]));	/* a rate needs two */
	assert_true(isnan(v.v[SG_WAITING]));
	assert_int_equal(v.ttft.n, 0);

	put(&b, "vllm:generation_tokens_total", 1500);
	put(&b, TTFT_BUCKET("0.05"), 1);
	put(&b, TTFT_BUCKET("0.1"), 7);
	put(&b, TTFT_BUCKET("+Inf"), 8);
	put(&b, "vllm:time_to_first_token_seconds_sum", 0.6);
	put(&b, "vllm:time_to_first_token_seconds_count", 8);
	assert_true(server_read(&r, &other, &v));	/* another source between */
	assert_true(server_read(&r, &b, &v));
	assert_float_equal(v.v[SG_GEN_TOKENS], 250, 1e-9);	/* 500 in 2 s */
	assert_true(isnan(v.v[SG_RUNNING]));
	assert_int_equal(v.ttft.n, 3);
	assert_float_equal(v.ttft.cum[0], 0, 0);
	assert_float_equal(v.ttft.cum[1], 4, 0);
	assert_float_equal(v.ttft.cum[2], 4, 0);
	assert_float_equal(v.ttft.count, 4, 0);
	assert_float_equal(v.ttft.sum, 0.3, 1e-12);
	/* all 4 new first tokens in (0.05, 0.1]: the median is its middle */
	assert_float_equal(prom_hist_quantile(&v.ttft, 0.5), 0.075, 1e-12);

	put(&c, "vllm:generation_tokens_total", 100);	/* restarted */
	put(&c, TTFT_BUCKET("0.05"), 1);		/* no +Inf: none */
	assert_true(server_read(&r, &c, &v));
	assert_float_equal(v.v[SG_GEN_TOKENS], 100, 1e-9);
	assert_int_equal(v.ttft.n, 0);
	assert_false(server_read(&r, &gap, &v));
	assert_true(isnan(v.v[SG_GEN_TOKENS]));
	server_reader_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_known_names),
		cmocka_unit_test(test_hist_quantile),
		cmocka_unit_test(test_reader),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
