/* A response body's content coding (RFC 9110 8.4). ttftop asks for
 * identity, but a proxy on the way may compress anyway: gzip and deflate
 * are decoded as the body streams, piece by piece, so that tokens keep
 * their arrival times; any other coding is refused. request.c holds one per
 * request, so both transports read a coded body alike. */
#ifndef TTFTOP_CODING_H
#define TTFTOP_CODING_H

#include <stddef.h>

enum coding_kind {
	CODING_IDENTITY,
	CODING_ZLIB,		/* gzip or deflate: zlib tells them apart */
	CODING_UNKNOWN		/* refused */
};

struct coding {
	enum coding_kind	 kind;
	void			*z;	/* zlib's stream while decoding */
	char			 name[32];	/* an unknown coding, for messages */
};

/* Hands on a piece of the decoded body: 0 to go on, else stop. */
typedef int (*coding_out_fn)(void *ctx, const char *data, size_t len);

void coding_init(struct coding *);	/* identity */
void coding_done(struct coding *);
/* The Content-Encoding header's value; CODING_UNKNOWN when ttftop cannot
 * decode it (coding_refusal says so). */
enum coding_kind coding_set(struct coding *, const char *v, size_t len);
/* The detail of a refused coding. */
void coding_refusal(const struct coding *, char *err, size_t errlen);
/* Decodes len bytes of the body into out: 0, out's non-zero value, or -1
 * with the reason in err when the data is not what the coding says. */
int coding_feed(struct coding *, const char *data, size_t len,
    coding_out_fn out, void *ctx, char *err, size_t errlen);

#endif
