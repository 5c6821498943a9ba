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

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&g, 0, sizeof g);
		prom_init(&p, collect, &g);
		assert_int_equal(prom_feed(&p, bad[i], strlen(bad[i])), -1);
		assert_true(p.failed);
		assert_non_null(strstr(p.err, "line 1: "));
		assert_int_equal(g.n, 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exposition),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_known_names),
	};

	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
