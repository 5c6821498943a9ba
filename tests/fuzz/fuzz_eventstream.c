/* The AWS event-stream decoder, fed in two pieces. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_split.h"
#include "proto/eventstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

static int
on_message(void *ctx, const struct es_message *m)
{
	if (strlen(m->event_type) >= ES_NAME_MAX || m->len > ES_MESSAGE_MAX ||
	    (m->len > 0 && m->payload == NULL))
		__builtin_trap();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct es_decoder d;
	size_t at = fuzz_split(&data, &n);
	const char *p = (const char *)data;

	es_init(&d);
	if (es_feed(&d, p, at, on_message, NULL) == 0)
		(void)es_feed(&d, p + at, n - at, on_message, NULL);
	(void)es_pending(&d);
	es_done(&d);
	return 0;
}
