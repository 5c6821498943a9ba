/* The Server-Sent Events parser, fed in two pieces and finished. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_split.h"
#include "proto/sse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int
on_event(void *ctx, const char *event, const char *data, size_t len)
{
	if (strlen(data) > len || strlen(event) >= SSE_EVENT_MAX)
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct sse s;
	size_t at = fuzz_split(&data, &n);
	const char *p = (const char *)data;

	sse_init(&s);
	if (sse_feed(&s, p, at, on_event, NULL) == 0 &&
	    sse_feed(&s, p + at, n - at, on_event, NULL) == 0)
		sse_finish(&s, on_event, NULL);
	sse_done(&s);
	return 0;
}
