/* What the AWS kinds (bedrock, bedrock-invoke, sagemaker) share: their
 * SigV4 signer (used by both transports: src/net/xfer.c signs each request
 * before it is handed over), their headers, and the event-stream framing's
 * exceptions, feed and end. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "buf.h"
#include "proto/aws.h"
#include "proto/eventstream.h"
#include "proto/proto.h"
#include "run_opts.h"
#include "sample.h"
#include "xalloc.h"

#define ALGORITHM	"AWS4-HMAC-SHA256"
#define AMZ_DATE_LEN	16	/* 20261202T080000Z */

struct aws_signer {
	const char	*region, *service, *key_id, *secret, *token;
	struct buf	 head;		/* canonical request up to x-amz-date's */
	char		*signed_headers;
	char		 date[9];	/* of the key below */
	unsigned char	 key[SHA256_DIGEST_LENGTH];
};

static void
hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
sha256_hex(const void *data, size_t n, char out[2 * SHA256_DIGEST_LENGTH + 1])
{
	unsigned char d[SHA256_DIGEST_LENGTH];

	SHA256(data, n, d);
	hex(d, sizeof d, out);
}

static void
hmac(const void *key, size_t klen, const char *msg,
    unsigned char out[SHA256_DIGEST_LENGTH])
{
	unsigned int len = SHA256_DIGEST_LENGTH;

	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), out, &len);
}

/* SigV4's URI encoding: every byte but A-Z a-z 0-9 - . _ ~ (and '/' when
 * keep_slash) as %XY, uppercase. */
static void
uri_encode(struct buf *b, const char *s, size_t n, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		    c == '~' || (c == '/' && keep_slash))
			buf_addc(b, (char)c);
		else {
			buf_addc(b, '%');
			buf_addc(b, digits[c >> 4]);
			buf_addc(b, digits[c & 15]);
		}
	}
}

/* A header's value as signed: spaces around it trimmed, runs of them one. */
static void
add_trimmed(struct buf *b, const char *v)
{
	bool space = false;

	v += strspn(v, " \t");
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space)
			buf_addc(b, ' ');
		space = false;
		buf_addc(b, *v);
	}
}

/* The value of the last header of that name in the list, or NULL. */
static const char *
list_value(const struct curl_slist *h, const char *name)
{
	size_t n = strlen(name);
	const char *v = NULL;

	for (; h != NULL; h = h->next)
		if (strncasecmp(h->data, name, n) == 0 && h->data[n] == ':' &&
		    h->data[n + 1 + strspn(h->data + n + 1, " \t")] != '\0')
			v = h->data + n + 1;
	return v;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The query as AWS signs it: its name=value pairs as on the wire, sorted. */
static void
canonical_query(struct buf *b, const char *query)
{
	char *copy, **pairs, *p, *save = NULL;
	size_t n = 0, i;

	if (query == NULL || *query == '\0')
		return;
	copy = xstrdup(query);
	pairs = xcalloc(strlen(query) + 1, sizeof *pairs);
	for (p = strtok_r(copy, "&", &save); p != NULL; p = strtok_r(NULL, "&", &save))
		pairs[n++] = p;
	qsort(pairs, n, sizeof *pairs, cmp_str);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, '&');
		buf_adds(b, pairs[i]);
		if (strchr(pairs[i], '=') == NULL)
			buf_addc(b, '=');
	}
	free(pairs);
	free(copy);
}

struct aws_signer *
aws_signer_new(const struct run_opts *o, const char *endpoint,
    const struct curl_slist *list, char *err, size_t errlen)
{
	struct aws_signer *s;
	char *path = NULL, *query = NULL;
	const char *ctype = list_value(list, "Content-Type");
	const char *host = list_value(list, "Host");
	CURLU *u;
	struct buf sh;

	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK || host == NULL) {
		snprintf(err, errlen, "%s: cannot sign requests to it", endpoint);
		curl_url_cleanup(u);
		return NULL;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	s = xcalloc(1, sizeof *s);
	s->region = o->aws_region;
	s->service = o->proto->aws_service;
	s->key_id = o->aws_key_id;
	s->secret = o->aws_secret;
	if (o->aws_session_token != NULL && o->aws_session_token[0] != '\0')
		s->token = o->aws_session_token;
	buf_init(&s->head);
	buf_adds(&s->head, "POST\n");
	uri_encode(&s->head, path, strlen(path), true);
	buf_addc(&s->head, '\n');
	canonical_query(&s->head, query);
	buf_addc(&s->head, '\n');
	buf_init(&sh);
	if (ctype != NULL) {
		buf_adds(&s->head, "content-type:");
		add_trimmed(&s->head, ctype);
		buf_addc(&s->head, '\n');
		buf_adds(&sh, "content-type;");
	}
	buf_adds(&s->head, "host:");
	add_trimmed(&s->head, host);
	buf_addc(&s->head, '\n');
	buf_adds(&sh, s->token != NULL ? "host;x-amz-date;x-amz-security-token" :
	    "host;x-amz-date");
	s->signed_headers = buf_detach(&sh, NULL);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	return s;
}

void
aws_signer_free(struct aws_signer *s)
{
	if (s == NULL)
		return;
	buf_free(&s->head);
	free(s->signed_headers);
	free(s);
}

void
aws_sign(struct aws_signer *s, long long now, const char *body,
    size_t body_len, char date_line[AWS_DATE_LINE],
    char auth_line[AWS_AUTH_LINE])
{
	char amz_date[AMZ_DATE_LEN + 1], h[2 * SHA256_DIGEST_LENGTH + 1];
	char sig[2 * SHA256_DIGEST_LENGTH + 1], scope[256];
	unsigned char mac[SHA256_DIGEST_LENGTH], k[SHA256_DIGEST_LENGTH];
	time_t t = (time_t)now;
	struct buf canon, sts;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
	if (strncmp(s->date, amz_date, 8) != 0) {	/* a key a day */
		char secret[512];

		memcpy(s->date, amz_date, 8);
		s->date[8] = '\0';
		snprintf(secret, sizeof secret, "AWS4%s", s->secret);
		hmac(secret, strlen(secret), s->date, k);
		hmac(k, sizeof k, s->region, mac);
		hmac(mac, sizeof mac, s->service, k);
		hmac(k, sizeof k, "aws4_request", s->key);
	}
	buf_init(&canon);
	buf_add(&canon, s->head.p, s->head.len);
	buf_printf(&canon, "x-amz-date:%s\n", amz_date);
	if (s->token != NULL) {
		buf_adds(&canon, "x-amz-security-token:");
		add_trimmed(&canon, s->token);
		buf_addc(&canon, '\n');
	}
	sha256_hex(body, body_len, h);
	buf_printf(&canon, "\n%s\n%s", s->signed_headers, h);
	sha256_hex(canon.p, canon.len, h);
	snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", s->date, s->region,
	    s->service);
	buf_init(&sts);
	buf_printf(&sts, ALGORITHM "\n%s\n%s\n%s", amz_date, scope, h);
	hmac(s->key, sizeof s->key, sts.p, mac);
	hex(mac, sizeof mac, sig);
	snprintf(date_line, AWS_DATE_LINE, "X-Amz-Date: %s", amz_date);
	snprintf(auth_line, AWS_AUTH_LINE, "Authorization: " ALGORITHM
	    " Credential=%s/%s, SignedHeaders=%s, Signature=%s", s->key_id, scope,
	    s->signed_headers, sig);
	buf_free(&canon);
	buf_free(&sts);
}

/* The headers of every AWS kind: JSON in, event-stream out, and the
 * session token of temporary credentials (signed with the rest). */
struct curl_slist *
proto_aws_headers(const struct run_opts *o, struct curl_slist *list)
{
	char token[4096];

	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Accept: application/vnd.amazon.eventstream");
	if (o->aws_session_token != NULL && o->aws_session_token[0] != '\0') {
		snprintf(token, sizeof token, "x-amz-security-token: %s",
		    o->aws_session_token);
		list = curl_slist_append(list, token);
	}
	return list;
}

/* An exception or error message of the event stream (throttlingException,
 * ModelStreamError, ...): reported with its type and message. Returns
 * whether m was one. */
bool
proto_aws_exception(const struct es_message *m, const struct proto_events *ev)
{
	cJSON *root;
	const cJSON *msg;
	char detail[SAMPLE_DETAIL_MAX];

	if (strcmp(m->message_type, "exception") != 0 &&
	    strcmp(m->message_type, "error") != 0)
		return false;
	root = cJSON_ParseWithLength(m->payload, m->len);
	msg = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (!cJSON_IsString(msg))
		msg = cJSON_GetObjectItemCaseSensitive(root, "Message");
	snprintf(detail, sizeof detail, "%s: %s",
	    m->exception_type[0] ? m->exception_type : m->event_type,
	    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
	cJSON_Delete(root);
	ev->fail(ev->ctx, detail);
	return true;
}

/* Feeds the stream to its decoder; a bad framing fails the stream. */
int
proto_aws_feed(struct es_decoder *es, const char *buf, size_t len,
    int (*on_message)(void *, const struct es_message *), void *ctx,
    const struct proto_events *ev)
{
	int rc = es_feed(es, buf, len, on_message, ctx);

	if (rc == -1)
		ev->fail(ev->ctx, es->error);
	return rc == 0 ? 0 : -1;
}

/* A stream that ended inside a message was cut short. */
bool
proto_aws_cut(const struct es_decoder *es, const struct proto_events *ev)
{
	if (!es_pending(es))
		return false;
	ev->fail(ev->ctx, "stream ended inside an event-stream message");
	return true;
}
