/* Secrets kept out of everything ttftop writes or shows: the URL's userinfo
 * and credential-looking query parameters, header values that are or look
 * like credentials, body fields named for one. What goes on the wire is
 * never changed; only what is recorded, printed and drawn. One predicate,
 * redact_name_is_secret, decides for every name. */
#ifndef TTFTOP_REDACT_H
#define TTFTOP_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#define REDACTED "***"

struct run_opts;

/* Whether a header, query parameter or JSON field of this name (n bytes)
 * holds a credential: api_key, token, X-Auth-Token, sig, code, x-amz-*... */
bool redact_name_is_secret(const char *name, size_t n);

/* Whether a header ("Name: value") is a secret, by its name or by its value
 * (Bearer ..., sk-..., a long random word). */
bool header_is_secret(const char *header);

/* A copy of url with its userinfo and secret query values as ***; the
 * caller frees it. NULL gives NULL. */
char *redact_url(const char *url);

/* A copy of the header, "Name: ***" when it is a secret; the caller frees it. */
char *redact_header(const char *header);

/* Sets every field of j (at any depth) whose name is a secret to "***". */
void redact_json(cJSON *j);

/* A copy of a JSON text with redact_json applied; the text itself when it
 * does not parse. The caller frees it. */
char *redact_json_text(const char *text);

/* Replaces in msg (a NUL-terminated string in len bytes) every secret of o
 * that it holds: the URL and endpoint as redact_url gives them, their
 * userinfo and secret query values, the API keys, secret header values. */
void redact_message(const struct run_opts *o, char *msg, size_t len);

#endif
