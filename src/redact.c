#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "redact.h"
#include "run_opts.h"
#include "xalloc.h"

/* A word of a name (split at anything not a letter or digit) that is, or
 * ends with, one of these marks the name as a secret's: "api_key",
 * "X-Auth-Token", "accessToken", "client_secret" (but not "max_tokens"). */
static const char *const secret_endings[] = {
	"key", "token", "secret", "password", "passwd", "auth", "authorization",
	"cookie", "session", "signature", "credential", "credentials",
};
/* Words that mark it only when they are the whole word: "sig", "code". */
static const char *const secret_words[] = { "sig", "code", "pwd", "jwt" };

/* Value prefixes of credentials, compared without case. */
static const char *const secret_prefixes[] = {
	"bearer ", "basic ", "token ", "digest ", "aws4-hmac-sha256", "sk-",
	"eyj",	/* a JWT's base64 '{"' */
};
#define TOKEN_MIN	20	/* a word this long of letters and digits */

static bool
word_is_secret(const char *w, size_t n)
{
	size_t i, k;

	for (i = 0; i < sizeof secret_endings / sizeof secret_endings[0]; i++) {
		k = strlen(secret_endings[i]);
		if (n >= k && strncasecmp(w + n - k, secret_endings[i], k) == 0)
			return true;
	}
	for (i = 0; i < sizeof secret_words / sizeof secret_words[0]; i++)
		if (n == strlen(secret_words[i]) &&
		    strncasecmp(w, secret_words[i], n) == 0)
			return true;
	return false;
}

bool
redact_name_is_secret(const char *name, size_t n)
{
	size_t i = 0, start;

	if (n >= 6 && strncasecmp(name, "x-amz-", 6) == 0)
		return true;
	while (i < n) {
		while (i < n && !isalnum((unsigned char)name[i]))
			i++;
		start = i;
		while (i < n && isalnum((unsigned char)name[i]))
			i++;
		if (i > start && word_is_secret(name + start, i - start))
			return true;
	}
	return false;
}

/* Whether a header's value looks like a credential whatever its name. */
static bool
value_is_secret(const char *v)
{
	size_t i, n;
	bool alpha = false, digit = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (i = 0; i < sizeof secret_prefixes / sizeof secret_prefixes[0]; i++)
		if (strncasecmp(v, secret_prefixes[i], strlen(secret_prefixes[i])) == 0)
			return true;
	n = strcspn(v, " \t");
	if (n < TOKEN_MIN || v[n + strspn(v + n, " \t")] != '\0')
		return false;
	for (i = 0; i < n; i++) {
		if (isalpha((unsigned char)v[i]))
			alpha = true;
		else if (isdigit((unsigned char)v[i]))
			digit = true;
	}
	return alpha && digit;
}

bool
header_is_secret(const char *h)
{
	size_t n = strcspn(h, ":");

	return redact_name_is_secret(h, n) || (h[n] == ':' && value_is_secret(h + n + 1));
}

char *
redact_header(const char *h)
{
	struct buf b;

	if (!header_is_secret(h))
		return xstrdup(h);
	buf_init(&b);
	buf_add(&b, h, strcspn(h, ":"));
	buf_adds(&b, ": " REDACTED);
	return buf_detach(&b, NULL);
}

/* The userinfo of url ("user:pass" before the host's '@'): its start and
 * length, or 0. */
static size_t
userinfo(const char *url, const char **at)
{
	const char *auth = strstr(url, "://"), *end;
	size_t n;

	if (auth == NULL)
		return 0;
	auth += 3;
	n = strcspn(auth, "/?#");
	for (end = auth + n; end > auth && end[-1] != '@'; end--)
		;
	if (end == auth)
		return 0;
	*at = auth;
	return (size_t)(end - 1 - auth);
}

/* Calls fn for every secret query value of url: its start and length. */
static void
secret_values(const char *url, void (*fn)(const char *v, size_t n, void *arg),
    void *arg)
{
	const char *q = strchr(url, '?'), *end;

	if (q == NULL)
		return;
	end = q + 1 + strcspn(q + 1, "#");
	for (q++; q < end; ) {
		size_t n = strcspn(q, "&#"), name;

		if (q + n > end)
			n = (size_t)(end - q);
		name = strcspn(q, "=&#");
		if (name < n && redact_name_is_secret(q, name))
			fn(q + name + 1, n - name - 1, arg);
		q += n + (q + n < end);
	}
}

struct spans {
	const char	*at[64];
	size_t		 n[64];
	int		 count;
};

static void
add_span(const char *v, size_t n, void *arg)
{
	struct spans *s = arg;

	if (s->count < 64) {
		s->at[s->count] = v;
		s->n[s->count++] = n;
	}
}

char *
redact_url(const char *url)
{
	struct spans s = { .count = 0 };
	struct buf b;
	const char *p;
	size_t n;
	int i;

	if (url == NULL)
		return NULL;
	if ((n = userinfo(url, &p)) > 0)
		add_span(p, n, &s);
	secret_values(url, add_span, &s);
	buf_init(&b);
	buf_adds(&b, "");
	p = url;
	for (i = 0; i < s.count; i++) {	/* in the order of the URL */
		buf_add(&b, p, (size_t)(s.at[i] - p));
		buf_adds(&b, REDACTED);
		p = s.at[i] + s.n[i];
	}
	buf_adds(&b, p);
	return buf_detach(&b, NULL);
}

void
redact_json(cJSON *j)
{
	cJSON *item;

	cJSON_ArrayForEach(item, j) {
		if (item->string != NULL &&
		    redact_name_is_secret(item->string, strlen(item->string)) &&
		    !cJSON_IsNull(item)) {
			cJSON *r = cJSON_CreateString(REDACTED);

			r->string = item->string;	/* the name kept */
			item->string = NULL;
			cJSON_ReplaceItemViaPointer(j, item, r);
			item = r;
		} else if (cJSON_IsObject(item) || cJSON_IsArray(item))
			redact_json(item);
	}
}

char *
redact_json_text(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	char *s, *out;

	if (j == NULL)
		return xstrdup(text);
	redact_json(j);
	s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	out = xstrdup(s != NULL ? s : text);
	cJSON_free(s);
	return out;
}

/* Replaces every occurrence of what (n bytes) in b's text by with. */
static void
replace_all(struct buf *b, const char *what, size_t n, const char *with)
{
	struct buf out;
	const char *p, *hit, *end = b->p + b->len;

	if (n == 0 || what == NULL)
		return;
	buf_init(&out);
	buf_adds(&out, "");
	for (p = b->p; (hit = memmem(p, (size_t)(end - p), what, n)) != NULL;
	    p = hit + n) {
		buf_add(&out, p, (size_t)(hit - p));
		buf_adds(&out, with);
	}
	buf_add(&out, p, (size_t)(end - p));
	buf_free(b);
	*b = out;
}

/* Secrets shorter than this are not searched for in messages: "a" would
 * blank every a. */
#define SECRET_MIN	3

static void
replace_secret(struct buf *b, const char *s, size_t n)
{
	if (s != NULL && n >= SECRET_MIN)
		replace_all(b, s, n, REDACTED);
}

static void
replace_span(const char *v, size_t n, void *arg)
{
	replace_secret(arg, v, n);
}

static void
replace_url(struct buf *b, const char *url)
{
	char *shown;
	const char *p;
	size_t n;

	if (url == NULL)
		return;
	shown = redact_url(url);
	replace_all(b, url, strlen(url), shown);
	free(shown);
	if ((n = userinfo(url, &p)) > 0)
		replace_secret(b, p, n);
	secret_values(url, replace_span, b);
}

void
redact_message(const struct run_opts *o, char *msg, size_t len)
{
	struct buf b;
	int i;

	if (msg == NULL || len == 0)
		return;
	buf_init(&b);
	buf_adds(&b, msg);
	replace_url(&b, o->endpoint);
	replace_url(&b, o->url);
	if (o->api_key != NULL)
		replace_secret(&b, o->api_key, strlen(o->api_key));
	if (o->aws_secret != NULL)
		replace_secret(&b, o->aws_secret, strlen(o->aws_secret));
	if (o->aws_session_token != NULL)
		replace_secret(&b, o->aws_session_token, strlen(o->aws_session_token));
	for (i = 0; i < o->nheaders; i++) {
		const char *h = o->headers[i], *v;

		if (!header_is_secret(h) || (v = strchr(h, ':')) == NULL)
			continue;
		v += 1 + strspn(v + 1, " \t");
		replace_secret(&b, v, strlen(v));
		if (strrchr(v, ' ') != NULL)	/* "Bearer KEY": KEY alone too */
			replace_secret(&b, strrchr(v, ' ') + 1,
			    strlen(strrchr(v, ' ') + 1));
	}
	snprintf(msg, len, "%s", b.p);
	buf_free(&b);
}
