/* Incremental newline-delimited JSON framing: feed bytes split anywhere,
 * get one callback per complete non-blank line. The line buffer is reused,
 * so steady streaming allocates nothing. */
#ifndef TTFTOP_NDJSON_H
#define TTFTOP_NDJSON_H

#include <stddef.h>

#define NDJSON_LINE_MAX	(4u << 20)	/* a longer line is a protocol error */

/* line is NUL-terminated, without its newline (or CR LF). A non-zero return
 * stops the feed and is returned by ndjson_feed. */
typedef int (*ndjson_line_fn)(void *ctx, const char *line, size_t len);

struct ndjson {
	char	*line;
	size_t	 len, cap;
};

void ndjson_init(struct ndjson *);
void ndjson_done(struct ndjson *);
/* Returns 0, the callback's non-zero value, or -1 on an over-long line. */
int ndjson_feed(struct ndjson *, const char *buf, size_t len, ndjson_line_fn,
    void *ctx);
/* End of stream: a last line without its newline is dispatched. */
int ndjson_finish(struct ndjson *, ndjson_line_fn, void *ctx);

#endif
