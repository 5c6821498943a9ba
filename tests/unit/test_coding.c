/* Content-Encoding: gzip and deflate bodies decoded as they stream, split
 * at every byte; other codings refused; corrupt data an error. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "net/coding.h"

static const char text[] =
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\" world\"}}]}\n\n"
    "data: [DONE]\n\n";

static int
collect(void *ctx, const char *data, size_t len)
{
	buf_add(ctx, data, len);
	return 0;
}

/* text compressed with windowBits wbits (31 gzip, 15 zlib), flushed after
 * each event as a proxy that streams does. */
static size_t
compress_text(unsigned char *out, size_t cap, int wbits)
{
	z_stream z;
	const char *p = text, *e;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while ((e = strstr(p, "\n\n")) != NULL) {
		z.next_in = (Bytef *)p;
		z.avail_in = (uInt)(e + 2 - p);
		assert_int_equal(deflate(&z, Z_SYNC_FLUSH), Z_OK);
		p = e + 2;
	}
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

static int
decode(const char *name, const unsigned char *data, size_t len, size_t cut,
    struct buf *out, char *err, size_t errlen)
{
	struct coding c;
	int rc;

	coding_init(&c);
	assert_int_equal(coding_set(&c, name, strlen(name)), CODING_ZLIB);
	out->len = 0;
	rc = coding_feed(&c, (const char *)data, cut, collect, out, err, errlen);
	if (rc == 0)
		rc = coding_feed(&c, (const char *)data + cut, len - cut, collect,
		    out, err, errlen);
	coding_done(&c);
	buf_addc(out, '\0');
	return rc;
}

static void
test_every_split(void **state)
{
	static const char *const names[] = { "gzip", "x-gzip", "GZIP", "deflate" };
	unsigned char z[512];
	char err[160];
	struct buf out;
	size_t len, cut, i;

	buf_init(&out);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		len = compress_text(z, sizeof z, i < 3 ? 31 : 15);
		for (cut = 0; cut <= len; cut++) {
			assert_int_equal(decode(names[i], z, len, cut, &out, err,
			    sizeof err), 0);
			assert_string_equal(out.p, text);
		}
	}
	buf_free(&out);
}

static void
test_bad_data(void **state)
{
	unsigned char z[512];
	char err[160];
	struct buf out;
	size_t len;

	buf_init(&out);
	assert_int_equal(decode("gzip", (const unsigned char *)text,
	    sizeof text - 1, 0, &out, err, sizeof err), -1);
	assert_string_equal(err, "bad gzip data in the response: incorrect "
	    "header check");
	len = compress_text(z, sizeof z, 31);
	z[len++] = 'x';
	assert_int_equal(decode("gzip", z, len, 0, &out, err, sizeof err), -1);
	assert_string_equal(err, "data after the end of the gzip body in the "
	    "response");
	buf_free(&out);
}

static void
test_identity_and_unknown(void **state)
{
	struct coding c;
	struct buf out;
	char err[160];

	buf_init(&out);
	coding_init(&c);
	assert_int_equal(coding_set(&c, "identity", 8), CODING_IDENTITY);
	assert_int_equal(coding_feed(&c, "abc", 3, collect, &out, err,
	    sizeof err), 0);
	assert_int_equal(out.len, 3);
	assert_int_equal(coding_set(&c, "", 0), CODING_IDENTITY);
	assert_int_equal(coding_set(&c, "br", 2), CODING_UNKNOWN);
	coding_refusal(&c, err, sizeof err);
	assert_string_equal(err, "unsupported Content-Encoding \"br\" in the "
	    "response (ttftop decodes gzip and deflate)");
	/* two codings, one over the other: not decoded */
	assert_int_equal(coding_set(&c, "gzip, gzip", 10), CODING_UNKNOWN);
	coding_done(&c);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_bad_data),
		cmocka_unit_test(test_identity_and_unknown),
	};

	return cmocka_run_group_tests_name("coding", tests, NULL, NULL);
}
