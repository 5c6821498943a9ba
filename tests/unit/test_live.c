/* The screen's tok/s and its peak against a load known tick by tick. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "live.h"

#define EPS 1e-9

/* tokens a second during second s: 100, 300 in seconds 8 to 11, 40 after */
static double
rate_at(long s)
{
	return s < 8 ? 100 : s < 12 ? 300 : 40;
}

static void
test_rate_and_peak(void **state)
{
	struct live *l = calloc(1, sizeof *l);
	struct lag_hist lag = { 0 };
	long i, chunks = 0;
	double best = 0;

	assert_non_null(l);
	live_init(l);
	for (i = 0; i < 20 * LIVE_TICKS_PER_SEC; i++) {
		/* the gauge once a tick, a little into it, with its tokens */
		usec_t now = (usec_t)i * LIVE_TICK + 1000;
		double r;

		chunks += (long)(rate_at(i / LIVE_TICKS_PER_SEC) / LIVE_TICKS_PER_SEC);
		live_gauge(l, now, 1, 1, chunks, &lag);
		r = live_tok_rate(l, now);
		if (i < LIVE_TICKS_PER_SEC) {
			assert_true(isnan(r));	/* no whole second yet */
			continue;
		}
		assert_false(isnan(r));
		if (r > best)
			best = r;
		/* the figure shown is never above the peak shown beside it */
		assert_true(r <= l->peak + EPS);
		assert_float_equal(l->peak, best, EPS);
	}
	/* at 2.x s: seconds 0 and 1 only */
	assert_float_equal(live_tok_rate(l, 2 * USEC_PER_SEC + 600000), 100, EPS);
	/* at 12.x s: seconds 7 to 11, the one under way left out */
	assert_float_equal(live_tok_rate(l, 12 * USEC_PER_SEC + 900000),
	    (100 + 4 * 300) / 5.0, EPS);
	/* the best 5 whole seconds are those: 8 to 12 is (4 * 300 + 40) / 5 */
	assert_float_equal(l->peak, (100 + 4 * 300) / 5.0, EPS);
	assert_float_equal(live_tok_rate(l, 19 * USEC_PER_SEC + 1000), 40, EPS);
	live_done(l);
	free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_and_peak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
