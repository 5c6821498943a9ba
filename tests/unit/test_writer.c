/* The writer's thread writes every line the loop pushed, in order, and only
 * once the loop hands them over (so that it never takes the loop's core in
 * the middle of a burst of reads). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "jsonl.h"
#include "sample.h"
#include "writer.h"

#define NSAMPLES 1000

static char path[] = "/tmp/ttftop-test-writer.XXXXXX";

static int
setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	unlink(path);
	return 0;
}

static off_t
file_size(void)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void
push_samples(struct sink *k, int first, int n)
{
	struct sample s;
	int i;

	for (i = 0; i < n; i++) {
		sample_init(&s);
		s.id = first + i;
		s.t = 1000 * (usec_t)i;
		s.ttft = 50000;
		s.ttlt = 90000;
		s.output_tokens = 3;
		s.status = 200;
		k->on_sample(k->self, &s);
		sample_done(&s);
	}
}

/* Every line, in order, each a request record that reads back. */
static void
check_file(int n)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, err[256];
	size_t cap = 0;
	ssize_t len;
	int i = 0;

	assert_non_null(f);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct record r;

		assert_true(line[len - 1] == '\n');
		if (jsonl_decode(line, (size_t)len - 1, &r, err, sizeof err) != 0)
			fail_msg("line %d: %s", i + 1, err);
		assert_int_equal(r.type, REC_REQUEST);
		assert_int_equal(r.sample.id, i + 1);
		record_free(&r);
		i++;
	}
	assert_int_equal(i, n);
	free(line);
	fclose(f);
}

static void
test_lines_wait_for_hand_over(void **state)
{
	char err[256];
	struct writer *w = writer_open(path, true, err, sizeof err);
	struct sink k;
	int i;

	assert_non_null(w);
	k = writer_sink(w);
	push_samples(&k, 1, NSAMPLES);
	assert_int_equal(writer_samples(w), NSAMPLES);
	usleep(20000);
	assert_int_equal(file_size(), 0);	/* not handed over: not written */
	writer_hand_over(w);
	/* the thread writes them once the queue runs dry (bounded wait) */
	for (i = 0; i < 500 && file_size() == 0; i++)
		usleep(10000);
	assert_true(file_size() > 0);
	push_samples(&k, NSAMPLES + 1, 1);
	assert_int_equal(writer_close(w, err, sizeof err), 0);
	check_file(NSAMPLES + 1);
}

/* Closing hands over what is left: no line is lost. */
static void
test_close_writes_the_rest(void **state)
{
	char err[256];
	struct writer *w = writer_open(path, true, err, sizeof err);
	struct sink k;

	assert_non_null(w);
	k = writer_sink(w);
	push_samples(&k, 1, NSAMPLES);
	assert_int_equal(writer_close(w, err, sizeof err), 0);
	check_file(NSAMPLES);
}

static void
test_open_error_names_the_file(void **state)
{
	char err[256] = "";

	assert_null(writer_open("/nonexistent-dir/run.jsonl", false, err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent-dir/run.jsonl"));
	assert_non_null(strstr(err, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_wait_for_hand_over),
		cmocka_unit_test(test_close_writes_the_rest),
		cmocka_unit_test(test_open_error_names_the_file),
	};

	return cmocka_run_group_tests_name("writer", tests, setup, teardown);
}
