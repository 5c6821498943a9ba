/* An HTTP/1.x response parser for the direct transport: fed the bytes as
 * they arrive, it hands on the body (chunked, Content-Length or
 * close-delimited) without copying it, and says when the response ends.
 * A response whose end is in doubt is an error, not a guess: a status line
 * off RFC 9112's grammar, a Content-Length that is not a number, or
 * Content-Length values that disagree. curl's transport reads the head's
 * limits and its Content-Length through the same rules (curl.c), so that
 * both refuse the same responses. */
#ifndef TTFTOP_HTTP_H
#define TTFTOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define HTTP_HEAD_MAX	(64 * 1024)	/* a longer head is refused */
#define HTTP_FIELDS_MAX	5000		/* so is one of more header lines */
#define HTTP_HEAD_TOO_LONG	"response headers longer than 64 KB"
#define HTTP_TOO_MANY_FIELDS	"more than 5000 header lines in the response"

enum http_state {
	HTTP_HEAD,		/* the status line and headers */
	HTTP_BODY_LENGTH,	/* Content-Length bytes */
	HTTP_BODY_CLOSE,	/* until the server closes */
	HTTP_CHUNK_SIZE,	/* a chunk's size line */
	HTTP_CHUNK_DATA,
	HTTP_CHUNK_END,		/* the CRLF after a chunk's data */
	HTTP_TRAILER,		/* trailer lines after the last chunk */
	HTTP_DONE
};

/* Receives a piece of the body; returns 0 to go on, -1 to stop. */
typedef int (*http_body_fn)(void *ctx, const char *data, size_t len);

struct http_resp {
	enum http_state	 state;
	int		 status;	/* 0 until the status line came */
	bool		 keepalive;	/* the connection may carry the next */
	unsigned long long remaining;	/* of the body or of the chunk */
	bool		 size_digits;	/* the chunk size line had a digit */
	bool		 in_ext;	/* past the size, in an extension */
	size_t		 line_len;	/* of the trailer line so far */
	size_t		 received;	/* every byte, head included */
	struct buf	 head;
	size_t		 head_len;	/* of the last head read, in head.p */
	char		 err[96];
};

enum http_rc {
	HTTP_MORE,		/* every byte was used; more are wanted */
	HTTP_COMPLETE,		/* the response ended; *used tells where */
	HTTP_ERROR,		/* the response is broken: see err */
	HTTP_STOPPED		/* the body callback asked to stop */
};

/* The value of header name (any case) in a head of len bytes, its length
 * in *vlen without the spaces around it; NULL when it is not there. */
const char *http_header(const char *head, size_t len, const char *name,
    size_t *vlen);

/* One Content-Length header's value, a comma-separated list, checked
 * against the values of the headers before it, whose agreement *have and
 * *length carry: RFC 9112 6.3 lets a recipient take a repeated value only
 * when all agree, since two lengths mean two places the body ends. 0, or
 * -1 with why in err (a value that is not a number, too large, or unlike
 * one before). */
int http_length_value(const char *v, size_t vlen, bool *have,
    unsigned long long *length, char *err, size_t errlen);

void http_resp_init(struct http_resp *);
void http_resp_free(struct http_resp *);
/* Forgets the last response (keeps the head buffer for the next). */
void http_resp_reset(struct http_resp *);
/* Parses n bytes; *used is how many belong to this response. */
enum http_rc http_resp_feed(struct http_resp *, const char *p, size_t n,
    size_t *used, http_body_fn body, void *ctx);
/* The server closed the connection: HTTP_COMPLETE when that ends the
 * response, else HTTP_ERROR saying what was missing. */
enum http_rc http_resp_eof(struct http_resp *);

#endif
