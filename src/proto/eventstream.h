/* The AWS event-stream framing (application/vnd.amazon.eventstream), as
 * Bedrock and SageMaker stream: each message is a 12-byte prelude (total
 * length, headers length, CRC32 of those 8 bytes), typed headers, a payload
 * and a CRC32 of all before it. The decoder is incremental: feed bytes split
 * anywhere; its buffer is reused, so steady streaming allocates nothing. */
#ifndef TTFTOP_EVENTSTREAM_H
#define TTFTOP_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define ES_MESSAGE_MAX	(16u << 20)	/* a longer frame is impossible */
#define ES_NAME_MAX	64

/* The headers a reader needs, "" when absent. */
struct es_message {
	char		 event_type[ES_NAME_MAX];	/* :event-type */
	char		 message_type[ES_NAME_MAX];	/* :message-type */
	char		 exception_type[ES_NAME_MAX];	/* :exception-type */
	const char	*payload;
	size_t		 len;
};

/* A non-zero return stops the feed and is returned by es_feed. */
typedef int (*es_message_fn)(void *ctx, const struct es_message *);

struct es_decoder {
	unsigned char	*buf;
	size_t		 len, cap;
	char		 error[96];	/* why the stream was refused */
};

void es_init(struct es_decoder *);
void es_done(struct es_decoder *);
/* Returns 0, the callback's value, or -1 with d->error set (a bad CRC, an
 * impossible length, malformed headers). */
int es_feed(struct es_decoder *, const char *data, size_t len, es_message_fn,
    void *ctx);
/* Whether a frame was left incomplete at the end of the stream. */
int es_pending(const struct es_decoder *);

/* Appends one message with string headers name=value (pairs, NULL ended). */
void es_encode(struct buf *, const char *const *headers, const char *payload,
    size_t len);

#endif
