/* The command line: durations, lists, and one clear error per bad option. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/options.h"
#include "proto/proto.h"

static void
test_durations(void **state)
{
	static const struct { const char *s; usec_t want; } good[] = {
		{ "30s", 30000000 }, { "2m", 120000000 }, { "500ms", 500000 },
		{ "1.5s", 1500000 }, { "1h", 3600000000LL }, { "20us", 20 },
		{ "3", 3000000 }, { "0.25", 250000 },
	};
	static const char *const bad[] = { "3x", "", "-1s", "s", "1 s", "1ss", "nan" };
	usec_t u;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(duration_parse(good[i].s, &u), 0);
		assert_int_equal(u, good[i].want);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(duration_parse(bad[i], &u), -1);
}

static void
test_lists(void **state)
{
	static const char *const bad[] = { "1,,3", "", ",1", "1,", "a", "1;2", "-1", "1, 2" };
	int *v, n;
	size_t i;

	assert_int_equal(list_parse("1,5,20,50,100,500", 1000, &v, &n), 0);
	assert_int_equal(n, 6);
	assert_int_equal(v[0], 1);
	assert_int_equal(v[5], 500);
	free(v);
	assert_int_equal(list_parse("0", 1000, &v, &n), 0);
	free(v);
	assert_int_equal(list_parse("1001", 1000, &v, &n), -1);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(list_parse(bad[i], 1000, &v, &n), -1);
}

/* Parses a command line; returns the error message ("" when it parsed). */
static const char *
parse(const char *const *args, int n, struct run_opts *o)
{
	static char err[OPT_ERR_MAX];
	char *argv[32];
	int i;

	argv[0] = "run";
	for (i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;
	memset(o, 0, sizeof *o);
	err[0] = '\0';
	if (options_parse(o, n + 1, argv, true, err, sizeof err) == 0)
		assert_string_equal(err, "");
	else
		assert_true(err[0] != '\0');
	return err;
}

static void
test_good_command_line(void **state)
{
	static const char *const args[] = {
		"-c", "1,2,4", "-d", "2s", "-m", "llama", "--max-tokens", "64",
		"-H", "X-A: b", "--header", "X-C: d", "-o", "out.jsonl",
		"--timeout", "10s", "--headless", "http://127.0.0.1:8000",
	};
	struct run_opts o;

	assert_string_equal(parse(args, sizeof args / sizeof args[0], &o), "");
	assert_int_equal(o.nstages, 3);
	assert_int_equal(o.clients[2], 4);
	assert_int_equal(o.stage_duration, 2000000);
	assert_int_equal(o.requests, 0);
	assert_string_equal(o.model, "llama");
	assert_int_equal(o.max_tokens, 64);
	assert_int_equal(o.nheaders, 2);
	assert_string_equal(o.output, "out.jsonl");
	assert_int_equal(o.timeout, 10000000);
	assert_true(o.headless);
	assert_ptr_equal(o.proto, &proto_openai_chat);
	assert_string_equal(o.endpoint, "http://127.0.0.1:8000/v1/chat/completions");
	run_opts_free(&o);
}

static void
test_bad_command_lines(void **state)
{
	static const struct { const char *args[4]; int n; const char *names; } cases[] = {
		{ { "--bogus", "http://h" }, 2, "--bogus" },
		{ { "-d", "3x", "http://h" }, 3, "--stage-duration" },
		{ { "-c", "1,,3", "http://h" }, 3, "--clients" },
		{ { "-n", "0", "http://h" }, 3, "--requests" },
		{ { "-a", "nope", "http://h" }, 3, "--api" },
		{ { "-a", "custom", "http://h" }, 3, "--body-file" },
		{ { "-H", "no colon", "http://h" }, 3, "--header" },
		{ { "--timeout", "soon", "http://h" }, 3, "--timeout" },
		{ { "-d", "1s", "-n", "2" }, 4, "give one or the other" },
		{ { "http://" }, 1, "malformed URL" },
		{ { "ftp://h/x" }, 1, "malformed URL" },
		{ { "-m" }, 1, "needs a value" },
		{ { 0 }, 0, "no URL" },
		{ { "http://a", "http://b" }, 2, "unexpected argument" },
	};
	struct run_opts o;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *err = parse(cases[i].args, cases[i].n, &o);

		if (strstr(err, cases[i].names) == NULL)
			fail_msg("case %zu: '%s' does not name '%s'", i, err, cases[i].names);
		run_opts_free(&o);
	}
}

static void
test_secret_headers(void **state)
{
	assert_true(header_is_secret("Authorization: Bearer x"));
	assert_true(header_is_secret("x-api-key: x"));
	assert_true(header_is_secret("X-Auth-Token: x"));
	assert_true(header_is_secret("Cookie: a=b"));
	assert_false(header_is_secret("X-Team: blue"));
	assert_false(header_is_secret("Accept: text/event-stream"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_good_command_line),
		cmocka_unit_test(test_bad_command_lines),
		cmocka_unit_test(test_secret_headers),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
