/* The command line: durations, lists, and one clear error per bad option. */
#include "config.h"

#include <limits.h>
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
		{ { "-H", "X-A: b\r\nX-B: c", "http://h" }, 3, "line break" },
		{ { "--body", "{\"a\": 1}}", "http://h" }, 3, "character 9" },
		{ { "--body", "\"a\"", "http://h" }, 3, "not an object" },
		{ { "http://h/v1\nX: y" }, 1, "malformed URL" },
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

/* Files the string options name: two of each kind, so that which one won
 * shows. */
static char tmpdir[] = "/tmp/ttftop-test-options.XXXXXX";
static char prompts_a[PATH_MAX], prompts_b[PATH_MAX];
static char sched_a[PATH_MAX], sched_b[PATH_MAX];
static char tpl_a[PATH_MAX], tpl_b[PATH_MAX];
static char *const files[] = { prompts_a, prompts_b, sched_a, sched_b, tpl_a,
    tpl_b };

#define TPL_A	"{\"prompt\": \"{{prompt}}\", \"v\": 1}"
#define TPL_B	"{\"prompt\": \"{{prompt}}\", \"v\": 2}"

static int
write_file(char *path, const char *name, const char *text)
{
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
setup_files(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (write_file(prompts_a, "a.txt", "first\n") != 0 ||
	    write_file(prompts_b, "b.txt", "second\nthird\n") != 0 ||
	    write_file(sched_a, "a.sched", "0\n0.5\n") != 0 ||
	    write_file(sched_b, "b.sched", "0\n0.25\n0.5\n") != 0 ||
	    write_file(tpl_a, "a.tpl", TPL_A) != 0 ||
	    write_file(tpl_b, "b.tpl", TPL_B) != 0)
		return -1;
	return 0;
}

static int
teardown_files(void **state)
{
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(files[i]);
	rmdir(tmpdir);
	return 0;
}

/* Every option whose value is kept as a string: the two spellings used
 * (first and second time), the field, and the two values given. */
static const struct string_opt {
	const char	*flag[2];
	size_t		 field;
	const char	*value[2];
} string_opts[] = {
	{ { "-m", "--model" }, offsetof(struct run_opts, model), { "m1", "m2" } },
	{ { "-o", "--output" }, offsetof(struct run_opts, output),
	    { "a.jsonl", "b.jsonl" } },
	{ { "--prompt", "--prompt" }, offsetof(struct run_opts, prompt),
	    { "hello", "goodbye" } },
	{ { "--prompts", "--prompts" }, offsetof(struct run_opts, prompts_file),
	    { prompts_a, prompts_b } },
	{ { "--schedule", "--schedule" }, offsetof(struct run_opts, schedule_file),
	    { sched_a, sched_b } },
	{ { "--body", "--body" }, offsetof(struct run_opts, body_extra),
	    { "{\"a\": 1}", "{\"b\": 2}" } },
	{ { "--body-file", "--body-file" }, offsetof(struct run_opts, body_file),
	    { tpl_a, tpl_b } },
	{ { "--token-path", "--token-path" }, offsetof(struct run_opts, token_path),
	    { "t.a", "t.b" } },
	{ { "--usage-path", "--usage-path" }, offsetof(struct run_opts, usage_path),
	    { "u.a", "u.b" } },
	{ { "--done-path", "--done-path" }, offsetof(struct run_opts, done_path),
	    { "d.a", "d.b" } },
};
#define NSTRING_OPTS (sizeof string_opts / sizeof string_opts[0])

static const char *
field(const struct run_opts *o, const struct string_opt *s)
{
	return *(char *const *)((const char *)o + s->field);
}

/* The last value given wins, whether or not the whole set parsed (the
 * options are read before they are checked together). */
static void
assert_won(const struct run_opts *o, const struct string_opt *s, int i,
    const char *line)
{
	const char *got = field(o, s);

	if (got == NULL || strcmp(got, s->value[i]) != 0)
		fail_msg("%s: %s is '%s', want '%s'", line, s->flag[1],
		    got ? got : "(null)", s->value[i]);
}

/* What a parse of args was, for a failure message. */
static const char *
line_of(const char *const *args, int n)
{
	static char line[2048];
	size_t len = 0;
	int i;

	line[0] = '\0';
	for (i = 0; i < n && len < sizeof line; i++)
		len += (size_t)snprintf(line + len, sizeof line - len, "%s%s",
		    i ? " " : "", args[i]);
	return line;
}

/* The body template read is the last --body-file's, when the set parsed. */
static void
assert_template(const struct run_opts *o, const char *err, const char *line)
{
	const char *want;

	if (err[0] != '\0' || o->body_file == NULL)
		return;
	want = strcmp(o->body_file, tpl_a) == 0 ? TPL_A : TPL_B;
	if (o->body_template == NULL || strcmp(o->body_template, want) != 0)
		fail_msg("%s: the template read is '%s', want '%s'", line,
		    o->body_template ? o->body_template : "(null)", want);
}

static void
test_string_option_twice(void **state)
{
	struct run_opts o;
	size_t a;

	for (a = 0; a < NSTRING_OPTS; a++) {
		const struct string_opt *s = &string_opts[a];
		const char *args[] = { s->flag[0], s->value[0], s->flag[1],
		    s->value[1], "http://127.0.0.1:1" };
		const char *err = parse(args, 5, &o), *line = line_of(args, 5);

		if (err[0] != '\0')
			fail_msg("%s: %s", line, err);
		assert_won(&o, s, 1, line);
		assert_template(&o, err, line);
		run_opts_free(&o);
	}
}

/* Two string options, each given twice, interleaved: every ordered pair. */
static void
test_string_option_pairs(void **state)
{
	struct run_opts o;
	size_t a, b;

	for (a = 0; a < NSTRING_OPTS; a++) {
		for (b = 0; b < NSTRING_OPTS; b++) {
			const struct string_opt *s = &string_opts[a], *t = &string_opts[b];
			const char *args[] = { s->flag[0], s->value[0], t->flag[0],
			    t->value[0], s->flag[1], s->value[1], t->flag[1],
			    t->value[1], "http://127.0.0.1:1" };
			const char *err, *line;

			if (a == b)
				continue;
			err = parse(args, 9, &o);
			line = line_of(args, 9);
			assert_won(&o, s, 1, line);
			assert_won(&o, t, 1, line);
			assert_template(&o, err, line);
			run_opts_free(&o);
		}
	}
}

/* --body sets the extra fields only, before or after what --api custom
 * reads; and a bad option after it is only a usage error. */
static void
test_body_keeps_the_others(void **state)
{
	static const char *const body_last[] = {
		"-a", "custom", "--body-file", tpl_a, "--token-path", "t.a",
		"--usage-path", "u.a", "--done-path", "d.a", "--body", "{\"x\": 1}",
		"http://127.0.0.1:1",
	};
	static const char *const body_first[] = {
		"-a", "custom", "--body", "{\"x\": 1}", "--body-file", tpl_a,
		"--token-path", "t.a", "--usage-path", "u.a", "--done-path", "d.a",
		"http://127.0.0.1:1",
	};
	static const char *const *const lines[] = { body_last, body_first };
	static const char *const bogus[] = { "--token-path", "a.b", "--body", "{}",
	    "--bogus", "x" };
	static const char *const no_url[] = { "-a", "custom", "--body-file", tpl_a,
	    "--token-path", "P", "--body", "{\"ignore_eos\": true}" };
	struct run_opts o;
	size_t i;

	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		assert_string_equal(parse(lines[i], 13, &o), "");
		assert_string_equal(o.body_extra, "{\"x\": 1}");
		assert_string_equal(o.body_file, tpl_a);
		assert_string_equal(o.body_template, TPL_A);
		assert_string_equal(o.token_path, "t.a");
		assert_string_equal(o.usage_path, "u.a");
		assert_string_equal(o.done_path, "d.a");
		assert_ptr_equal(o.proto, &proto_custom);
		run_opts_free(&o);
	}
	assert_string_equal(parse(bogus, 6, &o), "unknown option --bogus");
	assert_string_equal(o.token_path, "a.b");
	assert_string_equal(o.body_extra, "{}");
	run_opts_free(&o);
	assert_string_equal(parse(no_url, 8, &o),
	    "no URL given (e.g. ttftop run http://127.0.0.1:8000/v1)");
	assert_string_equal(o.body_template, TPL_A);
	assert_string_equal(o.token_path, "P");
	run_opts_free(&o);
}

/* A parse that stops inside a cluster of short options (-Zc5: Z unknown)
 * must not leave getopt reading that word in the next parse (found by
 * fuzz_options: a use after free once the first command line is freed). */
static void
test_parse_after_a_stopped_cluster(void **state)
{
	char word[8] = "-Zc5", n[] = "-n", two[] = "2", url[] = "http://h";
	char *first[] = { "run", word, NULL }, *second[] = { "run", n, two, url, NULL };
	char err[OPT_ERR_MAX];
	struct run_opts o;

	memset(&o, 0, sizeof o);
	assert_int_equal(options_parse(&o, 2, first, true, err, sizeof err), -1);
	run_opts_free(&o);
	memcpy(word, "--c9", 5);	/* what a stale cluster would read now */
	assert_int_equal(options_parse(&o, 4, second, true, err, sizeof err), 0);
	assert_int_equal(o.nstages, 1);
	assert_int_equal(o.clients[0], 1);
	assert_int_equal(o.requests, 2);
	run_opts_free(&o);
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
		cmocka_unit_test(test_string_option_twice),
		cmocka_unit_test(test_string_option_pairs),
		cmocka_unit_test(test_body_keeps_the_others),
		cmocka_unit_test(test_secret_headers),
		cmocka_unit_test(test_parse_after_a_stopped_cluster),
	};

	return cmocka_run_group_tests_name("options", tests, setup_files,
	    teardown_files);
}
