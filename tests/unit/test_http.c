/* The HTTP response parser must read the same response however the bytes
 * are split, find where it ends, and name what is wrong with a broken one. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "net/http.h"

static int
collect(void *ctx, const char *data, size_t len)
{
	struct buf *body = ctx;

	buf_add(body, data, len);
	return 0;
}

static int
stop_at_once(void *ctx, const char *data, size_t len)
{
	return -1;
}

static const char *const rc_names[] = { "more", "complete", "error", "stopped" };

/* Feeds input cut at the given offsets (then, when eof, the server closes)
 * and describes the outcome: "rc status keepalive used body|error". */
static void
feed_split(const char *input, size_t len, const size_t *cuts, int ncuts,
    bool eof, struct buf *out)
{
	struct http_resp h;
	struct buf body;
	enum http_rc rc = HTTP_MORE;
	size_t from = 0, used = 0, total = 0;
	int i;

	buf_init(&body);
	http_resp_init(&h);
	for (i = 0; i <= ncuts && rc == HTTP_MORE; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		rc = http_resp_feed(&h, input + from, to - from, &used, collect, &body);
		assert_true(used <= to - from);
		if (rc == HTTP_MORE)
			assert_int_equal(used, to - from);
		total = from + used;
		from = to;
	}
	if (rc == HTTP_MORE && eof)
		rc = http_resp_eof(&h);
	buf_printf(out, "%s %d %s %zu %s", rc_names[rc], h.status,
	    h.keepalive ? "keep" : "close", total,
	    rc == HTTP_ERROR ? h.err : body.p ? body.p : "");
	http_resp_free(&h);
	buf_free(&body);
}

/* Whole, every split into two and three pieces. */
static void
check_len(const char *input, size_t len, bool eof, const char *want)
{
	size_t a, b;
	struct buf out;

	buf_init(&out);
	feed_split(input, len, NULL, 0, eof, &out);
	assert_string_equal(out.p, want);
	for (a = 0; a <= len; a++)
		for (b = a; b <= len; b++) {
			size_t cuts[2] = { a, b };

			out.len = 0;
			feed_split(input, len, cuts, 2, eof, &out);
			if (strcmp(out.p, want) != 0)
				fail_msg("cut at %zu and %zu: \"%s\", not \"%s\"", a, b,
				    out.p, want);
		}
	buf_free(&out);
}

static void
check(const char *input, bool eof, const char *want)
{
	check_len(input, strlen(input), eof, want);
}

/* A head the parser must refuse: every byte of it is used, nothing is
 * read as a body, and err says why. */
static void
check_refused(const char *head, int status, const char *keep, const char *err)
{
	char want[256];

	snprintf(want, sizeof want, "error %d %s %zu %s", status, keep,
	    strlen(head), err);
	check(head, false, want);
}

/* A head of n header lines, its Content-Length and n - 1 of fmt (with %d
 * for the line's number), and its body, in b. */
static void
big_head(struct buf *b, int n, const char *fmt)
{
	int i;

	b->len = 0;
	buf_adds(b, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n");
	for (i = 1; i < n; i++) {
		buf_printf(b, fmt, i);
		buf_adds(b, "\r\n");
	}
	buf_adds(b, "\r\nabc");
}

/* The outcome of a big head, whole and cut at a few places. */
static void
check_big(const struct buf *b, const char *want)
{
	const size_t cuts[][2] = { { 1, 2 }, { 100, 40000 }, { 65535, 65537 },
	    { b->len / 2, b->len - 1 } };
	struct buf out;
	size_t i;

	buf_init(&out);
	feed_split(b->p, b->len, NULL, 0, false, &out);
	if (strstr(out.p, want) == NULL)
		fail_msg("\"%s\", not \"%s\"", out.p, want);
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		if (cuts[i][1] > b->len)
			continue;
		out.len = 0;
		feed_split(b->p, b->len, cuts[i], 2, false, &out);
		if (strstr(out.p, want) == NULL)
			fail_msg("cut at %zu: \"%s\", not \"%s\"", cuts[i][0],
			    out.p, want);
	}
	buf_free(&out);
}

/* The limits curl.c applies too: 64 KB of head, 5000 header lines;
 * the status line is read first, as curl does. */
static void
test_head_limits(void **state)
{
	struct buf b;

	buf_init(&b);
	big_head(&b, 5000, "a:%d");
	check_big(&b, "complete 200 keep");
	big_head(&b, 5001, "a:%d");
	check_big(&b, "error 200 keep");
	check_big(&b, HTTP_TOO_MANY_FIELDS);
	big_head(&b, 10000, "X-H%d: v");	/* 108 KB, the 5001st within 64 */
	check_big(&b, "error 200 keep");
	check_big(&b, HTTP_TOO_MANY_FIELDS);
	b.len = 0;
	buf_adds(&b, "HTTP/1.1 200 OK\r\nX-Big: ");
	while (b.len < 100 * 1024)
		buf_adds(&b, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	buf_adds(&b, "\r\n\r\nabc");
	check_big(&b, "error 200 keep");
	check_big(&b, HTTP_HEAD_TOO_LONG);
	b.len = 0;
	buf_adds(&b, "HTTP/1.1 2000 OK\r\nX-Big: ");
	while (b.len < 100 * 1024)
		buf_adds(&b, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	check_big(&b, "error 0 close");
	check_big(&b, "bad status code in the status line");
	buf_free(&b);
}

/* Content-Length values as curl.c reads them, header by header. */
static void
test_length_value(void **state)
{
	unsigned long long n = 0;
	bool have = false;
	char err[96];

	assert_int_equal(http_length_value("5", 1, &have, &n, err, sizeof err), 0);
	assert_true(have);
	assert_int_equal(n, 5);
	assert_int_equal(http_length_value("5, 05", 5, &have, &n, err, sizeof err), 0);
	assert_int_equal(http_length_value("7", 1, &have, &n, err, sizeof err), -1);
	assert_string_equal(err, "conflicting Content-Length values 5 and 7 in "
	    "the response");
	have = false;
	assert_int_equal(http_length_value("99999999999999999999999", 23, &have,
	    &n, err, sizeof err), -1);
	assert_string_equal(err, "Content-Length too large in the response");
	assert_int_equal(http_length_value("1x", 2, &have, &n, err, sizeof err), -1);
	assert_string_equal(err, "bad Content-Length in the response");
}

static void
test_chunked(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6;name=value\r\n world\r\nA\r\n and more.\r\n"
	    "0\r\nX-Trailer: yes\r\n\r\n";
	char want[128];

	snprintf(want, sizeof want, "complete 200 keep %zu hello world and more.",
	    strlen(r));
	check(r, false, want);
}

static void
test_content_length_then_next(void **state)
{
	/* what follows the body belongs to the next response */
	check("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 7\r\n\r\n"
	    "oh dearHTTP/1.1 200", false, "complete 500 keep 64 oh dear");
}

static void
test_close_delimited(void **state)
{
	check("HTTP/1.0 200 OK\r\n\r\ndata: a\n\ndata: b\n\n", true,
	    "complete 200 close 37 data: a\n\ndata: b\n\n");
	check("HTTP/1.1 200 OK\nConnection: close\n\nbody", true,
	    "complete 200 close 39 body");
}

static void
test_interim_and_empty(void **state)
{
	check("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2"
	    "\r\n\r\nok", false, "complete 200 keep 65 ok");
	check("HTTP/1.1 204 No Content\r\n\r\n", false, "complete 204 keep 27 ");
	check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false,
	    "complete 200 keep 38 ");
}

static void
test_broken(void **state)
{
	check("", true, "error 0 close 0 empty reply from the server");
	check("hello there\r\n\r\n", false,
	    "error 0 close 15 not an HTTP response: \"hello there\"");
	check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
	    "error 200 keep 48 bad chunk size line in the response");
	check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
	    false, "error 200 keep 52 chunk longer than its size in the response");
	check("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true,
	    "error 200 keep 42 the server closed the connection with 7 bytes "
	    "of the body missing");
	check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
	    true, "error 200 keep 55 the server closed the connection before the "
	    "last chunk, after 55 bytes");
	check("HTTP/1.1 200 OK\r\nContent-Le", true, "error 0 close 27 the server "
	    "closed the connection within the headers, after 27 bytes");
	check("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", false,
	    "error 200 keep 39 bad Content-Length in the response");
}

/* RFC 9112 6.3: Content-Length values repeated (in more headers or in one
 * comma-separated list) frame the body only when they agree. */
static void
test_content_length_repeated(void **state)
{
	check("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n"
	    "content-length: 5\r\n\r\nhelloHTTP", false, "complete 200 keep 68 hello");
	check("HTTP/1.1 200 OK\r\nContent-Length: 5, 5,5\r\n\r\nhello", false,
	    "complete 200 keep 48 hello");
	/* the same number, however many zeros it starts with */
	check("HTTP/1.1 200 OK\r\nContent-Length: 005\r\nContent-Length: 5\r\n"
	    "\r\nhello", false, "complete 200 keep 64 hello");
	check("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
	    false, "complete 200 keep 57 ");
	/* the largest that fits: the server closes long before the end */
	check("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\nab",
	    true, "error 200 keep 59 the server closed the connection with "
	    "18446744073709551613 bytes of the body missing");
}

static void
test_content_length_conflict(void **state)
{
	check_refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 7\r\n\r\n", 200, "keep",
	    "conflicting Content-Length values 5 and 7 in the response");
	check_refused("HTTP/1.1 200 OK\r\nContent-Length: 5, 7\r\n\r\n", 200,
	    "keep", "conflicting Content-Length values 5 and 7 in the response");
	check_refused("HTTP/1.0 200 OK\r\ncontent-length: 12,12\r\nX: 1\r\n"
	    "CONTENT-LENGTH: 12 , 3\r\n\r\n", 200, "close",
	    "conflicting Content-Length values 12 and 3 in the response");
	/* with a body already there, nothing of it is handed on */
	check("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 30\r\n"
	    "\r\nabc", false, "error 200 keep 58 conflicting Content-Length "
	    "values 3 and 30 in the response");
	check_refused("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n"
	    "Content-Length: 18446744073709551614\r\n\r\n", 200, "keep",
	    "conflicting Content-Length values 18446744073709551615 and "
	    "18446744073709551614 in the response");
}

static void
test_content_length_bad(void **state)
{
	static const char *const bad[] = {
		"", " ", "+5", "-5", "5x", "0x10", "5.0", "5 5", "5;", ",", "5,",
		",5", "5,,5", "5, x", "\t",
	};
	static const char *const too_large[] = {
		"18446744073709551616", "99999999999999999999",
		"123456789012345678901234567890",
	};
	char head[128];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: "
		    "%s\r\n\r\n", bad[i]);
		check_refused(head, 200, "keep",
		    "bad Content-Length in the response");
	}
	/* the second header is as much a part of the framing as the first */
	check_refused("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Content-Length: 5x\r\n\r\n", 200, "keep",
	    "bad Content-Length in the response");
	for (i = 0; i < sizeof too_large / sizeof too_large[0]; i++) {
		snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: "
		    "%s\r\n\r\n", too_large[i]);
		check_refused(head, 200, "keep",
		    "Content-Length too large in the response");
	}
}

/* RFC 9112 6.1, 6.3: chunked framing wins over a Content-Length, and as
 * the two ends may disagree on where the response stopped, the
 * connection carries nothing after it. */
static void
test_chunked_and_content_length(void **state)
{
	check("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false,
	    "complete 200 close 83 hello");
	check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Connection: keep-alive\r\nContent-Length: 2\r\n\r\n"
	    "5\r\nhello\r\n0\r\n\r\n", false, "complete 200 close 105 hello");
	/* a broken Content-Length is still a broken response */
	check_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 200, "keep",
	    "conflicting Content-Length values 5 and 6 in the response");
	check_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: abc\r\n\r\n", 200, "keep",
	    "bad Content-Length in the response");
}

/* RFC 9112 4: HTTP-version SP 3DIGIT SP [reason]; the SP before a
 * missing reason may be missing too, as many servers send it. */
static void
test_status_line_good(void **state)
{
	check("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false,
	    "complete 200 keep 39 x");
	check("HTTP/1.0 200\r\n\r\nx", true, "complete 200 close 17 x");
	check("HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\nx", false,
	    "complete 200 keep 37 x");
	check("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", false,
	    "complete 200 keep 36 x");
	check("HTTP/1.1 200\nContent-Length: 1\n\nx", false,
	    "complete 200 keep 33 x");
	check("HTTP/1.1 404 Not  Found, at all\r\nContent-Length: 0\r\n\r\n",
	    false, "complete 404 keep 54 ");
	check("HTTP/1.1 599 \tx\r\nContent-Length: 0\r\n\r\n", false,
	    "complete 599 keep 38 ");
	/* three digits is the syntax; what 999 means is the caller's
	 * business (not 2xx: an HTTP error) */
	check("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", false,
	    "complete 999 keep 39 ");
	check("HTTP/1.9 200 OK\r\nContent-Length: 0\r\n\r\n", false,
	    "complete 200 keep 38 ");
}

static void
test_status_line_bad(void **state)
{
	static const struct {
		const char	*line;
		const char	*err;
	} bad[] = {
		{ "HTTP/1.1 2000", "bad status code in the status line: "
		    "\"HTTP/1.1 2000\"" },
		{ "HTTP/1.1 2000 OK", "bad status code in the status line: "
		    "\"HTTP/1.1 2000 OK\"" },
		{ "HTTP/1.1 20", "bad status code in the status line: "
		    "\"HTTP/1.1 20\"" },
		{ "HTTP/1.1 20 OK", "bad status code in the status line: "
		    "\"HTTP/1.1 20 OK\"" },
		{ "HTTP/1.1 20x", "bad status code in the status line: "
		    "\"HTTP/1.1 20x\"" },
		{ "HTTP/1.1  200 OK", "bad status code in the status line: "
		    "\"HTTP/1.1  200 OK\"" },
		{ "HTTP/1.1 099 Low", "bad status code in the status line: "
		    "\"HTTP/1.1 099 Low\"" },
		{ "HTTP/1.1 000", "bad status code in the status line: "
		    "\"HTTP/1.1 000\"" },
		{ "HTTP/1.1 +20 OK", "bad status code in the status line: "
		    "\"HTTP/1.1 +20 OK\"" },
		{ "HTTP/1.1 -200 OK", "bad status code in the status line: "
		    "\"HTTP/1.1 -200 OK\"" },
		{ "HTTP/1.1 200\tOK", "bad status code in the status line: "
		    "\"HTTP/1.1 200\\tOK\"" },
		{ "HTTP/1.1 200\rOK", "bad status code in the status line: "
		    "\"HTTP/1.1 200\\rOK\"" },
		{ "HTTP/1.1 ", "bad status code in the status line: "
		    "\"HTTP/1.1 \"" },
		{ "HTTP/2 200", "not an HTTP/1.x status line: \"HTTP/2 200\"" },
		{ "HTTP/2.0 200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/2.0 200 OK\"" },
		{ "HTTP/0.9 200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/0.9 200 OK\"" },
		{ "HTTP/1.1200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/1.1200 OK\"" },
		{ "HTTP/1.1\t200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/1.1\\t200 OK\"" },
		{ "HTTP/1.x 200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/1.x 200 OK\"" },
		{ "HTTP/11 200 OK", "not an HTTP/1.x status line: "
		    "\"HTTP/11 200 OK\"" },
		{ "HTTP/1.1", "not an HTTP/1.x status line: \"HTTP/1.1\"" },
		{ "HTTX/1.1 200 OK", "not an HTTP response: \"HTTX/1.1 200 OK\"" },
		{ "http/1.1 200 OK", "not an HTTP response: \"http/1.1 200 OK\"" },
		{ " HTTP/1.1 200 OK", "not an HTTP response: \" HTTP/1.1 200 OK\"" },
		/* what cannot be printed is shown escaped, the rest cut short */
		{ "HTTP/1.1 2\x01\x7f \"q\" \\", "bad status code in the status "
		    "line: \"HTTP/1.1 2\\x01\\x7f \\\"q\\\" \\\\\"" },
		{ "HTTP/1.1 20000000000000000000000000000000000000000000000000",
		    "bad status code in the status line: "
		    "\"HTTP/1.1 2000000000000000000000000000000...\"" },
		{ "HTTP/1.1 2\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		    "bad status code in the status line: "
		    "\"HTTP/1.1 2\\xff\\xff\\xff\\xff\\xff\\xff\\xff...\"" },
	};
	char head[128];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(head, sizeof head, "%s\r\nContent-Length: 0\r\n\r\n",
		    bad[i].line);
		check_refused(head, 0, "close", bad[i].err);
	}
	/* a NUL in the line is shown, not taken for its end */
	check_len("HTTP/1.1 2\0000 OK\r\n\r\n", 19, false, "error 0 close 19 "
	    "bad status code in the status line: \"HTTP/1.1 2\\x000 OK\"");
}

/* 1xx answers before the real one are skipped, however many; each is
 * held to the same status line. */
static void
test_interim(void **state)
{
	check("HTTP/1.1 100\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
	    "Link: </s.css>; rel=preload\r\nConnection: close\r\n\r\n"
	    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
	    "complete 200 keep 132 ok");
	check("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nok", true,
	    "complete 200 close 46 ok");
	check("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2000 OK\r\n\r\n", false,
	    "error 0 close 45 bad status code in the status line: "
	    "\"HTTP/1.1 2000 OK\"");
	check("HTTP/1.1 1000 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", false,
	    "error 0 close 26 bad status code in the status line: "
	    "\"HTTP/1.1 1000 Continue\"");
	check("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", false,
	    "error 101 close 50 the server switched protocols (101)");
	/* the server gave up after the interim answer */
	check("HTTP/1.1 100 Continue\r\n\r\n", true, "error 0 close 25 the "
	    "server closed the connection within the headers, after 25 bytes");
}

static void
test_head_too_long(void **state)
{
	struct http_resp h;
	struct buf body;
	char line[1024];
	size_t used;
	enum http_rc rc = HTTP_MORE;
	int i;

	buf_init(&body);
	http_resp_init(&h);
	rc = http_resp_feed(&h, "HTTP/1.1 200 OK\r\n", 17, &used, collect, &body);
	memset(line, 'x', sizeof line - 2);
	memcpy(line, "X-Long: ", 8);
	line[sizeof line - 2] = '\r';
	line[sizeof line - 1] = '\n';
	for (i = 0; i < 100 && rc == HTTP_MORE; i++)
		rc = http_resp_feed(&h, line, sizeof line, &used, collect, &body);
	assert_int_equal(rc, HTTP_ERROR);
	assert_string_equal(h.err, "response headers longer than 64 KB");
	http_resp_free(&h);
	buf_free(&body);
}

static void
test_stop_and_reuse(void **state)
{
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	struct http_resp h;
	struct buf body;
	size_t used;

	buf_init(&body);
	http_resp_init(&h);
	assert_int_equal(http_resp_feed(&h, r, strlen(r), &used, stop_at_once, NULL),
	    HTTP_STOPPED);
	/* the same parser reads the next response from scratch */
	http_resp_reset(&h);
	assert_int_equal(http_resp_feed(&h, r, strlen(r), &used, collect, &body),
	    HTTP_COMPLETE);
	assert_int_equal(used, strlen(r));
	assert_string_equal(body.p, "abc");
	http_resp_free(&h);
	buf_free(&body);
}

/* Mutated responses (bytes changed to ones from alphabet, dropped,
 * repeated; fixed seed) read whole and one byte at a time must come out
 * the same, and never read past what they were given. */
static void
mutate(const char *const *seeds, int nseeds, const char *alphabet, int rounds)
{
	unsigned long long x = 88172645463325252ULL;
	struct buf a, b;
	int i;

	buf_init(&a);
	buf_init(&b);
	for (i = 0; i < rounds; i++) {
		const char *seed = seeds[i % nseeds];
		char in[256];
		size_t len = strlen(seed), j, cuts[255];
		int k, nmut;

		memcpy(in, seed, len);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		nmut = 1 + (int)(x % 4);
		for (k = 0; k < nmut && len > 1; k++) {
			size_t at;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			at = (size_t)(x >> 8) % len;
			switch (x % 3) {
			case 0:		/* change a byte */
				in[at] = alphabet[(x >> 32) % strlen(alphabet)];
				break;
			case 1:		/* drop one */
				memmove(in + at, in + at + 1, len - at - 1);
				len--;
				break;
			default:	/* repeat one */
				if (len + 1 < sizeof in) {
					memmove(in + at + 1, in + at, len - at);
					len++;
				}
			}
		}
		for (j = 0; j + 1 < len; j++)
			cuts[j] = j + 1;
		a.len = b.len = 0;
		feed_split(in, len, NULL, 0, true, &a);
		feed_split(in, len, cuts, (int)len - 1, true, &b);
		if (strcmp(a.p, b.p) != 0)
			fail_msg("mutation %d read whole: \"%s\", byte by byte: \"%s\"",
			    i, a.p, b.p);
	}
	buf_free(&a);
	buf_free(&b);
}

static void
test_mutations(void **state)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		    "5\r\nhello\r\n1;x=y\r\n!\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\n"
		    "Content-Length: 4\r\nConnection: close\r\n\r\nslow",
		"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\ndata: x\n\n",
	};

	mutate(seeds, 3, "\r\n:;0123456789abcdefHTTP/ \t", 3000);
}

/* The same for repeated lengths, both framings at once and bare status
 * lines. */
static void
test_mutations_framing(void **state)
{
	static const char *const seeds[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 4, 4\r\n"
		    "content-length: 04\r\n\r\nbody",
		"HTTP/1.1 100\r\n\r\nHTTP/1.0 200 \r\nTransfer-Encoding: chunked"
		    "\r\nContent-Length: 9\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
		"HTTP/1.1 204\r\n\r\n",
	};

	mutate(seeds, 3, "\r\n:;,0123456789abcdefHTTP/ \t\x01\xff", 3000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_content_length_then_next),
		cmocka_unit_test(test_close_delimited),
		cmocka_unit_test(test_interim_and_empty),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_content_length_repeated),
		cmocka_unit_test(test_content_length_conflict),
		cmocka_unit_test(test_content_length_bad),
		cmocka_unit_test(test_chunked_and_content_length),
		cmocka_unit_test(test_status_line_good),
		cmocka_unit_test(test_status_line_bad),
		cmocka_unit_test(test_interim),
		cmocka_unit_test(test_head_too_long),
		cmocka_unit_test(test_stop_and_reuse),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_mutations_framing),
		cmocka_unit_test(test_head_limits),
		cmocka_unit_test(test_length_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
