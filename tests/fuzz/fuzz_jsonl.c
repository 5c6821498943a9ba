/* The JSONL reader's decoder: every line of the input decoded as a record
 * of a saved run. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jsonl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *p = (const char *)data, *end = p + n;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		struct record r;
		char err[256];

		if (jsonl_decode(p, len, &r, err, sizeof err) == 0)
			record_free(&r);
		else if (memchr(err, '\0', sizeof err) == NULL)
			__builtin_trap();
		p += len + 1;
	}
	return 0;
}
