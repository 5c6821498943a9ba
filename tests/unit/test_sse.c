/* The SSE parser must give the same events however its input is split. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "proto/sse.h"

static int
collect(void *ctx, const char *event, const char *data, size_t len)
{
	struct buf *out = ctx;

	assert_int_equal(strlen(data), len);
	buf_printf(out, "[%s|%s]", event, data);
	return 0;
}

/* Feeds input in the pieces cut at the given offsets, then finishes. */
static void
feed_split(const char *input, const size_t *cuts, int ncuts, struct buf *out)
{
	struct sse p;
	size_t from = 0, len = strlen(input);
	int i;

	sse_init(&p);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		assert_int_equal(sse_feed(&p, input + from, to - from, collect, out), 0);
		from = to;
	}
	assert_int_equal(sse_finish(&p, collect, out), 0);
	sse_done(&p);
}

/* Every split into two and into three pieces, and one byte at a time. */
static void
check_all_splits(const char *input, const char *want)
{
	size_t len = strlen(input), a, b, *bytes;
	struct buf out;

	buf_init(&out);
	feed_split(input, NULL, 0, &out);
	assert_string_equal(out.p ? out.p : "", want);
	for (a = 0; a <= len; a++) {
		for (b = a; b <= len; b++) {
			size_t cuts[2] = { a, b };

			out.len = 0;
			if (out.p)
				out.p[0] = '\0';
			feed_split(input, cuts, 2, &out);
			assert_string_equal(out.p ? out.p : "", want);
		}
	}
	bytes = calloc(len + 1, sizeof *bytes);
	for (a = 0; a < len; a++)
		bytes[a] = a + 1;
	out.len = 0;
	if (out.p)
		out.p[0] = '\0';
	feed_split(input, bytes, (int)len, &out);
	assert_string_equal(out.p ? out.p : "", want);
	free(bytes);
	buf_free(&out);
}

static void
test_lf(void **state)
{
	check_all_splits("data: a\n\ndata: {\"x\":1}\n\n", "[|a][|{\"x\":1}]");
}

static void
test_crlf(void **state)
{
	check_all_splits("data: a\r\n\r\ndata: b\r\n\r\n", "[|a][|b]");
}

static void
test_cr_only(void **state)
{
	check_all_splits("data: a\r\rdata: b\r\r", "[|a][|b]");
}

static void
test_no_space_and_extra_space(void **state)
{
	check_all_splits("data:x\n\ndata:  y\n\n", "[|x][| y]");
}

static void
test_comments_keepalive(void **state)
{
	check_all_splits(": ping\n\n:\n\ndata: x\n\n: keep-alive\n\n", "[|x]");
}

static void
test_multiline(void **state)
{
	check_all_splits("data: a\ndata: b\ndata\n\n", "[|a\nb\n]");
}

static void
test_event_name_and_ignored_fields(void **state)
{
	check_all_splits("event: message_start\nid: 7\nretry: 10\ndata: {}\n\n"
	    "data: plain\n\n", "[message_start|{}][|plain]");
}

static void
test_many_in_one_read(void **state)
{
	check_all_splits("data: 1\n\ndata: 2\n\ndata: 3\n\ndata: [DONE]\n\n",
	    "[|1][|2][|3][|[DONE]]");
}

static void
test_unterminated_event_at_end(void **state)
{
	check_all_splits("data: a\n\ndata: tail", "[|a][|tail]");
}

static void
test_event_without_data_is_dropped(void **state)
{
	check_all_splits("event: ping\n\ndata: x\n\n", "[|x]");
}

static int
stop_at_first(void *ctx, const char *event, const char *data, size_t len)
{
	(*(int *)ctx)++;
	return 7;
}

static void
test_callback_stops_feed(void **state)
{
	struct sse p;
	int calls = 0;

	sse_init(&p);
	assert_int_equal(sse_feed(&p, "data: a\n\ndata: b\n\n", 18, stop_at_first,
	    &calls), 7);
	assert_int_equal(calls, 1);
	sse_done(&p);
}

static void
test_overlong_line(void **state)
{
	struct sse p;
	char *big = malloc(SSE_LINE_MAX + 10);
	struct buf out;

	buf_init(&out);
	memset(big, 'x', SSE_LINE_MAX + 10);
	sse_init(&p);
	assert_int_equal(sse_feed(&p, "data: ", 6, collect, &out), 0);
	assert_int_equal(sse_feed(&p, big, SSE_LINE_MAX + 10, collect, &out), -1);
	sse_done(&p);
	free(big);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lf),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_cr_only),
		cmocka_unit_test(test_no_space_and_extra_space),
		cmocka_unit_test(test_comments_keepalive),
		cmocka_unit_test(test_multiline),
		cmocka_unit_test(test_event_name_and_ignored_fields),
		cmocka_unit_test(test_many_in_one_read),
		cmocka_unit_test(test_unterminated_event_at_end),
		cmocka_unit_test(test_event_without_data_is_dropped),
		cmocka_unit_test(test_callback_stops_feed),
		cmocka_unit_test(test_overlong_line),
	};

	return cmocka_run_group_tests_name("sse", tests, NULL, NULL);
}
