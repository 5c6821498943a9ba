/* Open-loop schedules: arrival processes, ramps, live rate changes and
 * pauses placed exactly in time; schedule files; SLO objectives; the
 * distributions behind them. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/options.h"
#include "rng.h"
#include "sample.h"
#include "schedule.h"
#include "slo.h"

#define SEC USEC_PER_SEC

static void
test_constant(void **state)
{
	struct arrivals a;
	int i;

	arrivals_init(&a, ARRIVAL_CONSTANT, 1, 1);
	arrivals_begin(&a, 7, 20, 0);
	for (i = 0; i < 100; i++) {
		assert_int_equal(a.next, 7 + i * 50000);	/* every 50 ms */
		arrivals_step(&a);
	}
}

/* L(t) = 10 t + 5 t^2 (10 to 50 over 4 s): the n-th send is where L = n. */
static void
test_ramp(void **state)
{
	struct arrivals a;
	int n;

	arrivals_init(&a, ARRIVAL_CONSTANT, 1, 1);
	arrivals_begin(&a, 0, 10, 10);
	for (n = 0; n < 120; n++) {
		double t = (-10 + sqrt(100 + 20.0 * n)) / 10;

		assert_true(llabs(a.next - (usec_t)llround(t * SEC)) <= 1);
		arrivals_step(&a);
	}
	/* down to 0: no send after the rate reaches it */
	arrivals_begin(&a, 0, 10, -10);	/* L(1) = 5 at most */
	for (n = 0; n < 5; n++)
		arrivals_step(&a);
	assert_true(a.next <= SEC);
	arrivals_step(&a);
	assert_int_equal(a.next, ARRIVAL_NEVER);
}

static void
test_rate_change_and_pause(void **state)
{
	struct arrivals a;

	arrivals_init(&a, ARRIVAL_CONSTANT, 1, 1);
	arrivals_begin(&a, 0, 10, 0);	/* 0, 100 ms, 200 ms ... */
	arrivals_step(&a);
	assert_int_equal(a.next, 100000);
	/* at 50 ms the rate doubles: half the gap was used, the rest goes
	 * twice as fast */
	arrivals_set_rate(&a, 50000, 20);
	assert_int_equal(a.next, 75000);
	arrivals_step(&a);
	assert_int_equal(a.next, 125000);
	assert_true(fabs(arrivals_rate_at(&a, 100000) - 20) < 1e-9);
	/* a pause of 1 s moves everything later by 1 s */
	arrivals_shift(&a, SEC);
	assert_int_equal(a.next, 1125000);
	arrivals_step(&a);
	assert_int_equal(a.next, 1175000);
}

static double
cv_of(enum arrival kind, double shape, unsigned long seed, int n, double *mean)
{
	struct arrivals a;
	double sum = 0, sq = 0, m;
	usec_t last;
	int i;

	arrivals_init(&a, kind, shape, seed);
	arrivals_begin(&a, 0, 100, 0);
	last = a.next;
	for (i = 0; i < n; i++) {
		double g;

		arrivals_step(&a);
		g = usec_to_sec(a.next - last);
		last = a.next;
		sum += g;
		sq += g * g;
	}
	m = sum / n;
	*mean = m;
	return sqrt(sq / n - m * m) / m;
}

static void
test_processes(void **state)
{
	double mean, cv;

	cv = cv_of(ARRIVAL_POISSON, 1, 1, 50000, &mean);
	assert_true(fabs(mean - 0.01) < 0.0002);
	assert_true(fabs(cv - 1) < 0.03);
	cv = cv_of(ARRIVAL_GAMMA, 0.25, 2, 50000, &mean);	/* CV = 1/sqrt(K) */
	assert_true(fabs(mean - 0.01) < 0.0004);
	assert_true(fabs(cv - 2) < 0.1);
	cv = cv_of(ARRIVAL_GAMMA, 4, 3, 50000, &mean);
	assert_true(fabs(mean - 0.01) < 0.0002);
	assert_true(fabs(cv - 0.5) < 0.03);
	/* the same seed, the same times */
	assert_true(cv_of(ARRIVAL_POISSON, 1, 9, 100, &mean) ==
	    cv_of(ARRIVAL_POISSON, 1, 9, 100, &mean));
}

static void
test_arrival_names(void **state)
{
	enum arrival k;
	double shape;

	assert_int_equal(arrival_parse("poisson", &k, &shape), 0);
	assert_int_equal(k, ARRIVAL_POISSON);
	assert_int_equal(arrival_parse("gamma:0.5", &k, &shape), 0);
	assert_int_equal(k, ARRIVAL_GAMMA);
	assert_true(shape == 0.5);
	assert_int_equal(arrival_parse("gamma:", &k, &shape), -1);
	assert_int_equal(arrival_parse("gamma:-1", &k, &shape), -1);
	assert_int_equal(arrival_parse("gamma:2x", &k, &shape), -1);
	assert_int_equal(arrival_parse("uniform", &k, &shape), -1);
}

static char *
write_file(const char *text)
{
	static char path[] = "/tmp/ttftop-sched-XXXXXX";
	int fd;

	strcpy(path, "/tmp/ttftop-sched-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_schedule_file(void **state)
{
	char err[256], *path;
	usec_t *at;
	long *prompt;
	size_t n;

	path = write_file("# trace\n0.5 2\n\n0.25\n  1e-3 , 0\n0.25 # again\n");
	assert_int_equal(schedule_load(path, &at, &prompt, &n, err, sizeof err), 0);
	unlink(path);
	assert_int_equal(n, 4);
	assert_int_equal(at[0], 1000);
	assert_int_equal(prompt[0], 0);
	assert_int_equal(at[1], 250000);	/* equal times keep file order */
	assert_int_equal(at[2], 250000);
	assert_int_equal(at[3], 500000);
	assert_int_equal(prompt[3], 2);
	assert_int_equal(prompt[1], -1);
	free(at);
	free(prompt);

	path = write_file("0\n1\nnan\n");
	assert_int_equal(schedule_load(path, &at, &prompt, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, ":3: 'nan' is not a send offset"));
	unlink(path);
	path = write_file("0 x\n");
	assert_int_equal(schedule_load(path, &at, &prompt, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: 'x' is not a prompt index"));
	unlink(path);
	path = write_file("-1\n");
	assert_int_equal(schedule_load(path, &at, &prompt, &n, err, sizeof err), -1);
	unlink(path);
	path = write_file("# nothing\n");
	assert_int_equal(schedule_load(path, &at, &prompt, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "holds no send times"));
	unlink(path);
}

/* Public traces: Mooncake JSONL and BurstGPT CSV, told apart by their
 * first line, their times counted from the first request and scaled. */
static void
test_traces(void **state)
{
	struct schedule s;
	char err[256], *path;

	path = write_file("{\"timestamp\": 1000, \"input_length\": 600, "
	    "\"output_length\": 7, \"hash_ids\": [4, 5]}\n\n"
	    "{\"timestamp\": 1000, \"input_length\": 10, \"output_length\": 0, "
	    "\"hash_ids\": []}\n"
	    "{\"timestamp\": 3500, \"input_length\": 20, \"output_length\": 3}\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), 0);
	assert_int_equal(s.format, SCHED_MOONCAKE);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.at[0], 0);
	assert_int_equal(s.at[1], 0);
	assert_int_equal(s.at[2], 2500000);	/* ms, from the first */
	assert_int_equal(s.req[0].input_tokens, 600);
	assert_int_equal(s.req[0].output_tokens, 7);
	assert_int_equal(s.req[0].nhash, 2);
	assert_int_equal(s.req[0].hash_ids[1], 5);
	assert_int_equal(s.req[2].nhash, 0);
	assert_int_equal(s.prompt[2], -1);
	schedule_free(&s);
	assert_int_equal(schedule_read(path, SCHED_MOONCAKE, 0.5, &s, err,
	    sizeof err), 0);
	assert_int_equal(s.at[2], 1250000);	/* twice as fast */
	schedule_free(&s);
	/* told to read it as a plain list, it is not one */
	assert_int_equal(schedule_read(path, SCHED_PLAIN, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: "));
	unlink(path);

	path = write_file("Timestamp,Model,Request tokens,Response tokens,"
	    "Total tokens,Log Type\r\n"
	    "5,ChatGPT,472,18,490,Conversation log\r\n"
	    "5.25,GPT-4,1087,0,1087,API log\r\n"
	    "7,ChatGPT, 30 ,41,71,Conversation log\r\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 2, &s, err, sizeof err), 0);
	assert_int_equal(s.format, SCHED_BURSTGPT);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.at[1], 500000);	/* 0.25 s, at half speed */
	assert_int_equal(s.at[2], 4000000);
	assert_int_equal(s.req[0].input_tokens, 472);
	assert_int_equal(s.req[1].output_tokens, 0);
	assert_int_equal(s.req[2].input_tokens, 30);
	assert_int_equal(s.req[2].output_tokens, 41);
	schedule_free(&s);
	unlink(path);

	/* bad input: FILE:LINE and what */
	path = write_file("{\"timestamp\": 10, \"input_length\": 1, "
	    "\"output_length\": 1}\n{\"timestamp\": 9, \"input_length\": 1, "
	    "\"output_length\": 1}\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2: timestamp 9 goes back in time"));
	unlink(path);
	path = write_file("{\"timestamp\": 10, \"output_length\": 1}\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: \"input_length\" is missing"));
	unlink(path);
	path = write_file("{\"timestamp\": 10, \"input_length\": 1, "
	    "\"output_length\": 1, \"hash_ids\": [\"a\"]}\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: hash_ids must hold whole numbers"));
	unlink(path);
	path = write_file("Timestamp,Request tokens\n1,2\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":1: the header has no 'Response tokens' column"));
	unlink(path);
	path = write_file("Timestamp,Request tokens,Response tokens\n1,2,3\n"
	    "0.5,2,3\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":3: Timestamp 0.5 goes back in time"));
	unlink(path);
	path = write_file("Timestamp,Request tokens,Response tokens\n1,2,3\n2,5\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":3: the 'Response tokens' column is missing"));
	unlink(path);
	path = write_file("Timestamp,Request tokens,Response tokens\n1,2.5,3\n");
	assert_int_equal(schedule_read(path, SCHED_AUTO, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, ":2: Request tokens '2.5' is not a count"));
	unlink(path);
	path = write_file("Timestamp,Request tokens,Response tokens\n");
	assert_int_equal(schedule_read(path, SCHED_BURSTGPT, 1, &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "holds no requests"));
	unlink(path);
	assert_int_equal(sched_format_parse("burstgpt", &s.format), 0);
	assert_int_equal(s.format, SCHED_BURSTGPT);
	assert_int_equal(sched_format_parse("csv", &s.format), -1);
}

static void
test_slo(void **state)
{
	struct slo s;
	struct sample x;
	char err[256];
	bool ok, met[SLO_COUNT];
	double v[SLO_COUNT];

	assert_int_equal(slo_parse("ttft:500ms,tpot:50ms,e2e:10s", &s, err,
	    sizeof err), 0);
	assert_int_equal(s.limit[SLO_TTFT], 500000);
	assert_int_equal(s.limit[SLO_TPOT], 50000);
	assert_int_equal(s.limit[SLO_TTLT], 10 * SEC);
	assert_int_equal(s.limit[SLO_ITL], 0);
	assert_int_equal(slo_parse("ttft:1s,,", &s, err, sizeof err), -1);
	assert_int_equal(slo_parse("speed:1s", &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "unknown metric 'speed'"));

	slo_parse("ttft:100ms,tpot:10ms,itl:15ms", &s, err, sizeof err);
	sample_init(&x);
	x.ttft = 100000;		/* exactly at the limit: met */
	sample_add_chunk(&x, 100000);
	sample_add_chunk(&x, 110000);
	sample_add_chunk(&x, 126000);	/* one gap of 16 ms */
	x.ttlt = 126000;
	x.output_tokens = 3;		/* TPOT 13 ms */
	slo_values(&x, &ok, v);
	assert_true(ok);
	assert_false(slo_meets(&s, ok, v, met));
	assert_true(met[SLO_TTFT]);
	assert_false(met[SLO_TPOT]);
	assert_false(met[SLO_ITL]);
	assert_true(met[SLO_TTLT]);	/* no objective */
	x.output_tokens = 27;		/* TPOT 1 ms */
	slo_parse("ttft:100ms,tpot:10ms", &s, err, sizeof err);
	slo_values(&x, &ok, v);
	assert_true(slo_meets(&s, ok, v, met));
	x.error = ERR_HTTP;		/* a failure meets nothing */
	slo_values(&x, &ok, v);
	assert_false(slo_meets(&s, ok, v, met));
	assert_false(met[SLO_TTFT]);
	sample_done(&x);
}

static void
test_mean_sd_and_rates(void **state)
{
	long m, sd;
	double *r;
	int n;

	assert_int_equal(mean_sd_parse("512", &m, &sd), 0);
	assert_int_equal(m, 512);
	assert_int_equal(sd, 0);
	assert_int_equal(mean_sd_parse("512:64", &m, &sd), 0);
	assert_int_equal(sd, 64);
	assert_int_equal(mean_sd_parse("0", &m, &sd), -1);
	assert_int_equal(mean_sd_parse("5:", &m, &sd), -1);
	assert_int_equal(mean_sd_parse("5:-1", &m, &sd), -1);
	assert_int_equal(mean_sd_parse("-5", &m, &sd), -1);
	assert_int_equal(rate_list_parse("1,2.5,.5", &r, &n), 0);
	assert_int_equal(n, 3);
	assert_true(r[1] == 2.5 && r[2] == 0.5);
	free(r);
	assert_int_equal(rate_list_parse("0", &r, &n), -1);
	assert_int_equal(rate_list_parse("1,,2", &r, &n), -1);
	assert_int_equal(rate_list_parse("inf", &r, &n), -1);
	assert_int_equal(rate_list_parse("nan", &r, &n), -1);
	assert_int_equal(rate_list_parse("2e9", &r, &n), -1);
}

static void
test_rng(void **state)
{
	struct rng r;
	double sum = 0, sq = 0, x;
	int i, n = 100000;

	rng_seed(&r, 5);
	for (i = 0; i < n; i++) {
		x = rng_normal(&r);
		sum += x;
		sq += x * x;
	}
	assert_true(fabs(sum / n) < 0.02);
	assert_true(fabs(sq / n - 1) < 0.02);
	for (i = 0; i < 1000; i++) {
		x = rng_unit(&r);
		assert_true(x >= 0 && x < 1);
		assert_true(rng_below(&r, 3) < 3);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_ramp),
		cmocka_unit_test(test_rate_change_and_pause),
		cmocka_unit_test(test_processes),
		cmocka_unit_test(test_arrival_names),
		cmocka_unit_test(test_schedule_file),
		cmocka_unit_test(test_traces),
		cmocka_unit_test(test_slo),
		cmocka_unit_test(test_mean_sd_and_rates),
		cmocka_unit_test(test_rng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
