#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/http.h"

#define CHUNK_SIZE_MAX	(1ULL << 40)	/* a larger chunk is a broken stream */
#define QUOTE_MAX	40		/* characters of a bad line shown in err */

void
http_resp_init(struct http_resp *h)
{
	buf_init(&h->head);
	http_resp_reset(h);
}

void
http_resp_free(struct http_resp *h)
{
	buf_free(&h->head);
}

void
http_resp_reset(struct http_resp *h)
{
	h->state = HTTP_HEAD;
	h->status = 0;
	h->keepalive = false;
	h->remaining = 0;
	h->size_digits = h->in_ext = false;
	h->line_len = 0;
	h->received = 0;
	h->head.len = 0;
	h->head_len = 0;
	h->err[0] = '\0';
}

static enum http_rc
fail(struct http_resp *h, const char *what)
{
	snprintf(h->err, sizeof h->err, "%s", what);
	return HTTP_ERROR;
}

/* The offset just past the blank line that ends the head, or 0. */
static size_t
head_end(const char *p, size_t from, size_t len)
{
	const char *q = p + from, *end = p + len;

	while ((q = memchr(q, '\n', (size_t)(end - q))) != NULL) {
		q++;
		if (q < end && *q == '\n')
			return (size_t)(q + 1 - p);
		if (q + 1 < end && q[0] == '\r' && q[1] == '\n')
			return (size_t)(q + 2 - p);
	}
	return 0;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The line of n bytes at s as err may show it: cut short after QUOTE_MAX
 * characters, and escaped, so that what a broken server sent can neither
 * garble the screen nor hide in it. dst holds QUOTE_MAX + 4 bytes. */
static void
quote(char *dst, const char *s, size_t n)
{
	char e[5];
	size_t i, o = 0, elen;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			snprintf(e, sizeof e, "\\%c", c);
		else if (c == '\t')
			snprintf(e, sizeof e, "\\t");
		else if (c == '\r')
			snprintf(e, sizeof e, "\\r");
		else if (c < ' ' || c > '~')
			snprintf(e, sizeof e, "\\x%02x", c);
		else
			snprintf(e, sizeof e, "%c", c);
		elen = strlen(e);
		if (o + elen > QUOTE_MAX) {
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(dst + o, e, elen);
		o += elen;
	}
	dst[o] = '\0';
}

static bool
has_token(const char *v, size_t vlen, const char *token)
{
	size_t tlen = strlen(token), i;

	for (i = 0; i + tlen <= vlen; i++)
		if (strncasecmp(v + i, token, tlen) == 0)
			return true;
	return false;
}

/* Like http_header, from *at on; *at moves past the line found, so that
 * a header sent more than once can be read every time. */
static const char *
next_header(const char **at, const char *end, const char *name, size_t *vlen)
{
	const char *p = *at, *eol, *v;
	size_t n = strlen(name);

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > n && p[n] == ':' && strncasecmp(p, name, n) == 0) {
			v = p + n + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' || v[*vlen - 1] == ' ' ||
			    v[*vlen - 1] == '\t'))
				(*vlen)--;
			*at = eol < end ? eol + 1 : end;
			return v;
		}
		if (eol == end)
			break;
		p = eol + 1;
	}
	*at = end;
	return NULL;
}

const char *
http_header(const char *head, size_t len, const char *name, size_t *vlen)
{
	const char *at = head;

	return next_header(&at, head + len, name, vlen);
}

/* RFC 9112 4: HTTP-version SP 3DIGIT SP [reason]. The SP before a missing
 * reason may be missing too, as curl and browsers allow; anything else
 * off the grammar means the bytes are not the response they seem to be. */
static enum http_rc
parse_status(struct http_resp *h, const char *p, size_t len)
{
	const char *eol, *why;
	char msg[sizeof h->err], q[QUOTE_MAX + 4];
	size_t n;

	eol = memchr(p, '\n', len);
	n = eol != NULL ? (size_t)(eol - p) : len;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n < 5 || memcmp(p, "HTTP/", 5) != 0)
		why = "not an HTTP response";
	else if (n < 9 || p[5] != '1' || p[6] != '.' || !is_digit(p[7]) ||
	    p[8] != ' ')
		why = "not an HTTP/1.x status line";
	else if (n < 12 || p[9] < '1' || p[9] > '9' || !is_digit(p[10]) ||
	    !is_digit(p[11]) || (n > 12 && p[12] != ' '))
		why = "bad status code in the status line";
	else {
		h->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 +
		    (p[11] - '0');
		h->keepalive = p[7] != '0';
		return HTTP_MORE;
	}
	quote(q, p, n);
	snprintf(msg, sizeof msg, "%s: \"%s\"", why, q);
	h->status = 0;
	return fail(h, msg);
}

int
http_length_value(const char *v, size_t vlen, bool *have,
    unsigned long long *length, char *err, size_t errlen)
{
	static const char bad[] = "bad Content-Length in the response";
	const char *ve = v + vlen;
	unsigned long long n;
	unsigned d;

	for (;; v++) {	/* one value of the list */
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		if (v == ve || !is_digit(*v)) {
			snprintf(err, errlen, "%s", bad);
			return -1;
		}
		for (n = 0; v < ve && is_digit(*v); v++) {
			d = (unsigned)(*v - '0');
			if (n > (ULLONG_MAX - d) / 10) {
				snprintf(err, errlen, "Content-Length too "
				    "large in the response");
				return -1;
			}
			n = n * 10 + d;
		}
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		if (v < ve && *v != ',') {
			snprintf(err, errlen, "%s", bad);
			return -1;
		}
		if (*have && n != *length) {
			snprintf(err, errlen, "conflicting Content-Length "
			    "values %llu and %llu in the response", *length, n);
			return -1;
		}
		*have = true;
		*length = n;
		if (v == ve)
			return 0;
	}
}

/* Every Content-Length value, however many headers carry them. */
static enum http_rc
parse_length(struct http_resp *h, const char *p, size_t len, bool *have,
    unsigned long long *length)
{
	const char *at = p, *v;
	size_t vlen;

	*have = false;
	while ((v = next_header(&at, p + len, "Content-Length", &vlen)) != NULL)
		if (http_length_value(v, vlen, have, length, h->err,
		    sizeof h->err) == -1)
			return HTTP_ERROR;
	return HTTP_MORE;
}

/* A head past http.h's limits: too many header lines, else too many
 * bytes, as curl.c counts them too; HTTP_MORE within both. complete: the
 * len bytes at p are the whole head, its blank line included. */
static enum http_rc
head_limits(struct http_resp *h, const char *p, size_t len, bool complete)
{
	const char *end = p + len;
	size_t lines = 0, most = HTTP_FIELDS_MAX + 1 + (complete ? 1 : 0);

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (++lines > most)
			return fail(h, HTTP_TOO_MANY_FIELDS);
		p++;
	}
	return len > HTTP_HEAD_MAX ? fail(h, HTTP_HEAD_TOO_LONG) : HTTP_MORE;
}

/* Reads the status line and the headers that decide where the body ends. */
static enum http_rc
parse_head(struct http_resp *h, const char *p, size_t len)
{
	const char *v;
	size_t vlen;
	bool chunked = false, have_length;
	unsigned long long length = 0;

	if (parse_status(h, p, len) != HTTP_MORE ||
	    head_limits(h, p, len, true) != HTTP_MORE)
		return HTTP_ERROR;
	/* checked even when chunked framing makes it moot: a server that
	 * sends a broken length is broken */
	if (parse_length(h, p, len, &have_length, &length) != HTTP_MORE)
		return HTTP_ERROR;
	if ((v = http_header(p, len, "Transfer-Encoding", &vlen)) != NULL)
		chunked = has_token(v, vlen, "chunked");
	if ((v = http_header(p, len, "Connection", &vlen)) != NULL) {
		if (has_token(v, vlen, "close"))
			h->keepalive = false;
		else if (has_token(v, vlen, "keep-alive"))
			h->keepalive = true;
	}
	if (h->status == 204 || h->status == 304)
		h->state = HTTP_DONE;
	else if (chunked) {
		h->state = HTTP_CHUNK_SIZE;
		h->remaining = 0;
		h->size_digits = h->in_ext = false;
		/* RFC 9112 6.1, 6.3: chunked wins over a Content-Length, but
		 * a server or proxy on the way may have gone by the length,
		 * so what follows on this connection cannot be trusted */
		if (have_length)
			h->keepalive = false;
	} else if (have_length) {
		h->remaining = length;
		h->state = length > 0 ? HTTP_BODY_LENGTH : HTTP_DONE;
	} else {
		h->state = HTTP_BODY_CLOSE;
		h->keepalive = false;
	}
	return HTTP_MORE;
}

/* Takes head bytes from p; returns how many were used. */
static size_t
feed_head(struct http_resp *h, const char *p, size_t n, enum http_rc *rc)
{
	size_t old = h->head.len, e, take = n;

	*rc = HTTP_MORE;
	if (take > HTTP_HEAD_MAX + 4 - old)
		take = HTTP_HEAD_MAX + 4 - old;
	buf_add(&h->head, p, take);
	if ((e = head_end(h->head.p, old > 3 ? old - 3 : 0, h->head.len)) == 0) {
		/* the status line first, as curl reads it */
		if (h->head.len > HTTP_HEAD_MAX &&
		    (*rc = parse_status(h, h->head.p, h->head.len)) == HTTP_MORE)
			*rc = head_limits(h, h->head.p, h->head.len, false);
		return take;
	}
	h->head.p[e] = '\0';
	h->head.len = 0;
	h->head_len = e;
	*rc = parse_head(h, h->head.p, e);
	/* an interim answer (100 Continue, 103 Early Hints): the real one
	 * follows */
	if (*rc == HTTP_MORE && h->status >= 100 && h->status < 200) {
		if (h->status == 101)
			*rc = fail(h, "the server switched protocols (101)");
		else {
			h->state = HTTP_HEAD;
			h->status = 0;
		}
	}
	return e - old;
}

static enum http_rc
feed_chunk_size(struct http_resp *h, char c)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	if (d >= 0 && !h->in_ext) {
		h->remaining = h->remaining * 16 + (unsigned)d;
		h->size_digits = true;
		if (h->remaining > CHUNK_SIZE_MAX)
			return fail(h, "chunk size too large in the response");
	} else if (c == '\n') {
		if (!h->size_digits)
			return fail(h, "bad chunk size line in the response");
		h->state = h->remaining > 0 ? HTTP_CHUNK_DATA : HTTP_TRAILER;
		h->line_len = 0;
	} else if (c == ';' || c == ' ' || c == '\t') {
		if (!h->size_digits)
			return fail(h, "bad chunk size line in the response");
		h->in_ext = true;
	} else if (c != '\r' && !h->in_ext)
		return fail(h, "bad chunk size line in the response");
	return HTTP_MORE;
}

enum http_rc
http_resp_feed(struct http_resp *h, const char *p, size_t n, size_t *used,
    http_body_fn body, void *ctx)
{
	enum http_rc rc = HTTP_MORE;
	size_t i = 0, k = 0;

	while (i < n && h->state != HTTP_DONE) {
		switch (h->state) {
		case HTTP_HEAD:
			k = feed_head(h, p + i, n - i, &rc);
			h->received += k;
			i += k;
			if (rc != HTTP_MORE) {
				*used = i;
				return rc;
			}
			continue;
		case HTTP_BODY_LENGTH:
		case HTTP_CHUNK_DATA:
			k = n - i;
			if (k > h->remaining)
				k = (size_t)h->remaining;
			h->remaining -= k;
			if (h->remaining == 0)
				h->state = h->state == HTTP_BODY_LENGTH ?
				    HTTP_DONE : HTTP_CHUNK_END;
			break;
		case HTTP_BODY_CLOSE:
			k = n - i;
			break;
		case HTTP_CHUNK_SIZE:
			rc = feed_chunk_size(h, p[i]);
			k = 0;
			i++;
			h->received++;
			if (rc != HTTP_MORE) {
				*used = i;
				return rc;
			}
			continue;
		case HTTP_CHUNK_END:
			if (p[i] == '\n') {
				h->state = HTTP_CHUNK_SIZE;
				h->remaining = 0;
				h->size_digits = h->in_ext = false;
			} else if (p[i] != '\r') {
				*used = i;
				return fail(h, "chunk longer than its size in the response");
			}
			i++;
			h->received++;
			continue;
		case HTTP_TRAILER:
			if (p[i] == '\n') {
				if (h->line_len == 0)
					h->state = HTTP_DONE;
				h->line_len = 0;
			} else if (p[i] != '\r')
				h->line_len++;
			i++;
			h->received++;
			continue;
		case HTTP_DONE:
			continue;
		}
		h->received += k;
		if (body(ctx, p + i, k) != 0) {
			*used = i + k;
			return HTTP_STOPPED;
		}
		i += k;
	}
	*used = i;
	return h->state == HTTP_DONE ? HTTP_COMPLETE : HTTP_MORE;
}

enum http_rc
http_resp_eof(struct http_resp *h)
{
	char msg[sizeof h->err];

	switch (h->state) {
	case HTTP_BODY_CLOSE:
		h->state = HTTP_DONE;
		/* FALLTHROUGH */
	case HTTP_DONE:
		return HTTP_COMPLETE;
	case HTTP_HEAD:
		if (h->received == 0)
			return fail(h, "empty reply from the server");
		snprintf(msg, sizeof msg, "the server closed the connection "
		    "within the headers, after %zu bytes", h->received);
		return fail(h, msg);
	case HTTP_BODY_LENGTH:
		snprintf(msg, sizeof msg, "the server closed the connection "
		    "with %llu bytes of the body missing", h->remaining);
		return fail(h, msg);
	default:
		snprintf(msg, sizeof msg, "the server closed the connection "
		    "before the last chunk, after %zu bytes", h->received);
		return fail(h, msg);
	}
}
