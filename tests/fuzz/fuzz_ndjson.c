/* The newline-delimited JSON framing, fed in two pieces and finished. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_split.h"
#include "proto/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int
on_line(void *ctx, const char *line, size_t len)
{
	if (memchr(line, '\n', len) != NULL || line[len] != '\0')
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct ndjson j;
	size_t at = fuzz_split(&data, &n);
	const char *p = (const char *)data;

	ndjson_init(&j);
	if (ndjson_feed(&j, p, at, on_line, NULL) == 0 &&
	    ndjson_feed(&j, p + at, n - at, on_line, NULL) == 0)
		ndjson_finish(&j, on_line, NULL);
	ndjson_done(&j);
	return 0;
}
