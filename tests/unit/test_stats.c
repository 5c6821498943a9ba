/* Statistics against values computed by hand. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define EPS 1e-9

static void
test_percentiles_by_hand(void **state)
{
	double v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	/* linear interpolation between closest ranks (numpy's default) */
	assert_float_equal(series_percentile_sorted(v, 10, 50), 5.5, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 25), 3.25, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 90), 9.1, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 99), 9.91, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 99.9), 9.991, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 0), 1, EPS);
	assert_float_equal(series_percentile_sorted(v, 10, 100), 10, EPS);
	assert_float_equal(series_percentile_sorted(v, 1, 99), 1, EPS);
	assert_true(isnan(series_percentile_sorted(v, 0, 50)));
}

static void
test_selection_matches_sort(void **state)
{
	struct series s = { 0 };
	double *sorted;
	int i, k;

	srand(42);
	for (i = 0; i < 1001; i++)
		series_add(&s, (double)(rand() % 500) / 7.0);	/* many ties */
	sorted = malloc(s.n * sizeof *sorted);
	memcpy(sorted, s.v, s.n * sizeof *sorted);
	/* an insertion sort of our own, independent of the code under test */
	for (i = 1; i < (int)s.n; i++) {
		double x = sorted[i];
		int j = i - 1;

		while (j >= 0 && sorted[j] > x) {
			sorted[j + 1] = sorted[j];
			j--;
		}
		sorted[j + 1] = x;
	}
	for (k = 0; k < NPCT; k++)
		assert_float_equal(series_percentile(&s, stats_pcts[k]),
		    series_percentile_sorted(sorted, s.n, stats_pcts[k]), EPS);
	free(sorted);
	free(s.v);
}

/* Times kept as 32-bit microseconds give the very figures doubles gave,
 * and the rare one beyond (negative, over 71 minutes) stays exact. */
static void
test_usec_series(void **state)
{
	static const usec_t edge[] = { 0, 1, (usec_t)UINT32_MAX - 1,
	    (usec_t)UINT32_MAX, (usec_t)UINT32_MAX + 1, -1, -5000000,
	    INT64_C(86400000000) };
	struct series u = { 0 }, d = { 0 }, cu, *all[2];
	size_t i;
	int k;

	srand(7);
	for (i = 0; i < 100000; i++) {	/* radix-sorted: over RADIX_MIN */
		usec_t v = i < sizeof edge / sizeof edge[0] ? edge[i] :
		    (usec_t)(rand() % 20000) + (i % 3 == 0 ? 4000000 : 0);

		series_add_usec(&u, v);
		series_add(&d, usec_to_sec(v));
	}
	assert_int_equal(u.n, d.n);
	assert_int_equal(u.nwide, 4);
	assert_int_equal(u.nneg, 2);
	for (k = 0; k < NPCT; k++)	/* unsorted: on a sorted copy */
		assert_true(series_percentile(&u, stats_pcts[k]) ==
		    series_percentile(&d, stats_pcts[k]));
	series_sort(&u);
	series_sort(&d);
	for (i = 0; i < u.n; i++)
		assert_true(series_value(&u, i) == d.v[i]);
	assert_true(series_value(&u, 0) == -5.0);
	assert_true(series_value(&u, u.n - 1) == 86400.0);
	assert_true(series_value(&u, u.n - 2) == usec_to_sec((usec_t)UINT32_MAX + 1));
	assert_true(series_value(&u, u.n - 3) == usec_to_sec((usec_t)UINT32_MAX));
	for (k = 0; k < NPCT; k++)
		assert_true(series_percentile_of_sorted(&u, stats_pcts[k]) ==
		    series_percentile_sorted(d.v, d.n, stats_pcts[k]));
	/* the rank across series, as a summary of several stages takes it */
	cu = u;
	all[0] = &u;
	all[1] = &cu;
	assert_true(series_rank(all, 2, 0) == -5.0);
	assert_true(series_rank(all, 2, 2 * u.n - 1) == 86400.0);
	assert_true(series_rank(all, 2, u.n) == series_value(&u, u.n / 2));
	series_free(&u);
	series_free(&d);
}

static struct sample
make_sample(long id, int stage, usec_t t, usec_t ttft, int n, usec_t gap,
    usec_t tail)
{
	struct sample s;
	int i;

	sample_init(&s);
	s.id = id;
	s.stage = stage;
	s.t = t;
	s.ttfb = ttft / 2;
	s.ttft = ttft;
	for (i = 0; i < n; i++)
		sample_add_chunk(&s, ttft + i * gap);
	s.ttlt = ttft + (n - 1) * gap + tail;
	s.output_tokens = n;
	s.tokens_from = TOKENS_FROM_USAGE;
	s.status = 200;
	return s;
}

static void
test_request_metrics(void **state)
{
	struct stats st;
	struct sink k;
	struct event e = { .kind = EV_STAGE, .t = 0, .stage = 1, .clients = 2 };
	struct end_info end = { .t = 10 * USEC_PER_SEC, .reason = END_COMPLETE };
	struct sample a, b, bad;
	struct dist d;
	struct stage_stats *s1;

	stats_init(&st);
	k = stats_sink(&st);
	k.on_event(k.self, &e);
	/* a: TTFT 100 ms, 11 tokens 20 ms apart, [DONE] 0 ms after the last */
	a = make_sample(1, 1, 0, 100000, 11, 20000, 0);
	/* b: TTFT 300 ms, 6 tokens 40 ms apart, 10 ms tail */
	b = make_sample(2, 1, 500000, 300000, 6, 40000, 10000);
	bad = make_sample(3, 1, 600000, 50000, 2, 10000, 0);
	bad.error = ERR_HTTP;
	k.on_sample(k.self, &a);
	k.on_sample(k.self, &b);
	k.on_sample(k.self, &bad);
	k.on_end(k.self, &end);

	s1 = stats_current(&st);
	assert_int_equal(s1->requests, 3);
	assert_int_equal(s1->errors, 1);
	assert_int_equal(s1->by_kind[ERR_HTTP], 1);
	assert_int_equal(s1->output_tokens, 17);

	stats_dist(s1, M_TTFT, &d);
	assert_int_equal(d.count, 2);
	assert_float_equal(d.mean, 0.2, EPS);
	assert_float_equal(d.stddev, 0.1, EPS);
	assert_float_equal(d.p[2], 0.2, EPS);
	/* TPOT = (TTLT - TTFT) / (n - 1): a 200/10 = 20 ms, b 210/5 = 42 ms */
	stats_dist(s1, M_TPOT, &d);
	assert_float_equal(d.min, 0.020, EPS);
	assert_float_equal(d.max, 0.042, EPS);
	/* ITL: 10 gaps of 20 ms and 5 of 40 ms */
	stats_dist(s1, M_ITL, &d);
	assert_int_equal(d.count, 15);
	assert_float_equal(d.mean, (10 * 0.020 + 5 * 0.040) / 15, EPS);
	/* tokens received: 17, and 2 on the failed stream, over the 10 s stage;
	 * only successes count as completed requests */
	assert_float_equal(stats_tok_rate(s1, end.t), 1.9, EPS);
	assert_float_equal(stats_req_rate(s1, end.t), 0.2, EPS);
	/* 18 tokens arrived in second 0, one (b's last, at 1.0 s) in second 1:
	 * the best 5 s window holds all 19 */
	assert_float_equal(stats_peak_rate(&st, 0, end.t), 19.0 / 5, EPS);
	assert_float_equal(st.buckets[0], 18, EPS);
	assert_float_equal(st.buckets[1], 1, EPS);
	sample_done(&a);
	sample_done(&b);
	sample_done(&bad);
	stats_done(&st);
}

static void
test_stage_windows(void **state)
{
	struct stats st;
	struct sink k;
	struct event e1 = { .kind = EV_STAGE, .t = 0, .stage = 1, .clients = 1 };
	struct event e2 = { .kind = EV_STAGE, .t = 2 * USEC_PER_SEC, .stage = 2, .clients = 4 };
	struct end_info end = { .t = 4 * USEC_PER_SEC, .reason = END_COMPLETE };
	struct sample a;

	stats_init(&st);
	k = stats_sink(&st);
	k.on_event(k.self, &e1);
	k.on_event(k.self, &e2);
	/* started in stage 1 at 1.5 s; tokens at 1.9, 2.1, 2.3 s */
	a = make_sample(1, 1, 1500000, 400000, 3, 200000, 0);
	k.on_sample(k.self, &a);
	k.on_end(k.self, &end);
	assert_int_equal(st.stages[0].end, 2 * USEC_PER_SEC);
	assert_float_equal(st.stages[0].window_tokens, 1, EPS);
	assert_float_equal(st.stages[1].window_tokens, 2, EPS);
	/* latency belongs to the stage the request started in */
	assert_int_equal(st.stages[0].m[M_TTFT].n, 1);
	assert_int_equal(st.stages[1].m[M_TTFT].n, 0);
	sample_done(&a);
	stats_done(&st);
}

/* A load change by key starts a segment: requests go to the segment they
 * started in (by their tag, or for an old file by their start time); a
 * quit's cancels are neither results nor errors. */
static void
test_segments_and_cancels(void **state)
{
	struct stats st;
	struct sink k;
	struct event e1 = { .kind = EV_STAGE, .t = 0, .stage = 1, .segment = 1,
	    .clients = 2 };
	struct event e2 = { .kind = EV_STAGE, .t = 2 * USEC_PER_SEC, .stage = 1,
	    .segment = 2, .by_key = true, .clients = 12 };
	struct end_info end = { .t = 4 * USEC_PER_SEC, .reason = END_QUIT };
	struct sample a, b, c, x;

	stats_init(&st);
	k = stats_sink(&st);
	k.on_event(k.self, &e1);
	a = make_sample(1, 1, 100000, 50000, 5, 10000, 0);
	a.segment = 1;
	k.on_sample(k.self, &a);
	k.on_event(k.self, &e2);
	/* b started before the change and ended after: the first segment's */
	b = make_sample(2, 1, 1900000, 50000, 5, 100000, 0);
	b.segment = 1;
	k.on_sample(k.self, &b);
	c = make_sample(3, 1, 2500000, 50000, 5, 10000, 0);
	c.segment = 0;		/* an old file: placed by its start */
	k.on_sample(k.self, &c);
	x = make_sample(4, 1, 3000000, 50000, 5, 10000, 0);
	x.segment = 2;
	x.error = ERR_CANCELED;
	k.on_sample(k.self, &x);
	k.on_end(k.self, &end);

	assert_int_equal(st.nstages, 2);
	assert_true(st.stages[0].segmented && st.stages[1].segmented);
	assert_int_equal(st.stages[1].clients, 12);
	assert_int_equal(st.stages[0].requests, 2);
	assert_int_equal(st.stages[1].requests, 1);
	assert_int_equal(st.stages[1].canceled, 1);
	assert_int_equal(st.stages[1].errors, 0);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.canceled, 1);
	assert_int_equal(st.stages[0].end, 2 * USEC_PER_SEC);
	/* a stage's peak is never below its mean */
	assert_true(stats_stage_peak(&st, &st.stages[1], end.t) >=
	    stats_tok_rate(&st.stages[1], end.t));
	sample_done(&a);
	sample_done(&b);
	sample_done(&c);
	sample_done(&x);
	stats_done(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_by_hand),
		cmocka_unit_test(test_selection_matches_sort),
		cmocka_unit_test(test_usec_series),
		cmocka_unit_test(test_request_metrics),
		cmocka_unit_test(test_stage_windows),
		cmocka_unit_test(test_segments_and_cancels),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
