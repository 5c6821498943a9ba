/* The direct transport's HTTP/1.x response parser: fed a response in two
 * pieces, then told the connection closed. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "fuzz_split.h"
#include "net/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int
body(void *ctx, const char *p, size_t len)
{
	size_t *total = ctx;

	*total += len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct http_resp r;
	size_t at = fuzz_split(&data, &n), off = 0, used, total = 0;
	enum http_rc rc = HTTP_MORE;
	const char *p = (const char *)data;

	http_resp_init(&r);
	/* the pieces, each fed until used up: a kept-alive connection may hold
	 * a second response after the first */
	while (off < n && rc != HTTP_ERROR && rc != HTTP_STOPPED) {
		size_t end = off < at ? at : n;

		rc = http_resp_feed(&r, p + off, end - off, &used, body, &total);
		if (used > end - off)
			__builtin_trap();	/* more used than given */
		off += used;
		if (rc == HTTP_COMPLETE)
			http_resp_reset(&r);
		else if (rc == HTTP_MORE && used == 0 && off < end)
			break;
	}
	if (rc == HTTP_MORE)
		(void)http_resp_eof(&r);
	http_resp_free(&r);
	return 0;
}
