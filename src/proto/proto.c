#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proto/proto.h"
#include "run_opts.h"
#include "sample.h"
#include "xalloc.h"

#define DETAIL_QUOTE	60	/* bytes of a bad line quoted in an error */

static const struct proto *const protos[] = {
	&proto_openai_chat,
	&proto_openai_completions,
	&proto_openai_responses,
	&proto_anthropic,
	&proto_ollama,
	&proto_tgi,
	&proto_bedrock,
	&proto_bedrock_invoke,
	&proto_sagemaker,
	&proto_custom,
};

void
proto_text(const struct proto_events *ev, const cJSON *v)
{
	if (ev->text != NULL && cJSON_IsString(v) && v->valuestring[0] != '\0')
		ev->text(ev->ctx, v->valuestring, strlen(v->valuestring));
}

const struct proto *
proto_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof protos / sizeof protos[0]; i++)
		if (strcmp(name, protos[i]->name) == 0)
			return protos[i];
	return NULL;
}

const char *
proto_names(void)
{
	return "openai-chat, openai-completions, openai-responses, anthropic, ollama, tgi, bedrock, bedrock-invoke, sagemaker, custom";
}

static int
ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The API's path with {model} replaced by the model id, encoded. */
static char *
api_path(const struct proto *p, const char *model)
{
	const char *at = strstr(p->path, "{model}");
	char *enc, *out;
	size_t n;

	if (at == NULL)
		return xstrdup(p->path);
	if ((enc = curl_easy_escape(NULL, model ? model : "", 0)) == NULL)
		fatal("out of memory encoding the model id");
	n = strlen(p->path) + strlen(enc) + 1;
	out = xmalloc(n);
	snprintf(out, n, "%.*s%s%s", (int)(at - p->path), p->path, enc, at + 7);
	curl_free(enc);
	return out;
}

char *
proto_endpoint(const struct proto *p, const char *url, const char *model,
    char *err, size_t errlen)
{
	CURLU *u;
	CURLUcode rc;
	char *scheme = NULL, *host = NULL, *path = NULL, *out = NULL;
	char *want = api_path(p, model);
	const char *rest;
	size_t n;

	if ((u = curl_url()) == NULL)
		fatal("out of memory parsing a URL");
	rc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (rc == CURLUE_OK)
		rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (rc != CURLUE_OK || host[0] == '\0' ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(err, errlen, "malformed URL '%s': %s", url,
		    rc != CURLUE_OK ? curl_url_strerror(rc) :
		    "only http:// and https:// are supported");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		fatal("out of memory parsing a URL");
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	rest = want;
	if (ends_with(path, n, want))
		rest = "";
	else if (ends_with(path, n, "/v1") && strncmp(want, "/v1/", 4) == 0)
		rest = want + 3;
	path[n] = '\0';
	{
		char full[n + strlen(rest) + 2];

		snprintf(full, sizeof full, "%s%s", path, rest);
		if (full[0] == '\0')
			strcpy(full, "/");
		if (curl_url_set(u, CURLUPART_PATH, full, 0) != CURLUE_OK ||
		    curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK) {
			snprintf(err, errlen, "malformed URL '%s'", url);
			out = NULL;
		}
	}
out:
	free(want);
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(u);
	if (out != NULL) {
		char *copy = xstrdup(out), *pct;

		curl_free(out);
		/* curl writes %3a; SigV4 (and RFC 3986's normal form) want %3A */
		for (pct = strchr(copy, '%'); pct != NULL; pct = strchr(pct + 1, '%'))
			if (isxdigit((unsigned char)pct[1]) && isxdigit((unsigned char)pct[2])) {
				pct[1] = (char)toupper((unsigned char)pct[1]);
				pct[2] = (char)toupper((unsigned char)pct[2]);
			}
		return copy;
	}
	return NULL;
}

long
proto_count(double d)
{
	if (d >= (double)LONG_MAX)
		return LONG_MAX;
	if (d <= (double)LONG_MIN)
		return LONG_MIN;
	return (long)d;
}

void
proto_reasoning_usage(const struct proto_events *ev, long n)
{
	if (ev->reasoning_usage != NULL && n >= 0)
		ev->reasoning_usage(ev->ctx, n);
}

void
proto_finish_reason(const struct proto_events *ev, const char *reason,
    size_t len)
{
	if (ev->finish_reason != NULL && len > 0)
		ev->finish_reason(ev->ctx, reason, len);
}

void
proto_fail_quote(const struct proto_events *ev, const char *what,
    const char *data, size_t len)
{
	char detail[SAMPLE_DETAIL_MAX];

	snprintf(detail, sizeof detail, "%s: %.*s", what,
	    (int)(len > DETAIL_QUOTE ? DETAIL_QUOTE : len), data);
	ev->fail(ev->ctx, detail);
}

struct curl_slist *
proto_bearer_sse_headers(const struct run_opts *o, struct curl_slist *list)
{
	char auth[1024];

	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Accept: text/event-stream");
	if (o->api_key != NULL && o->api_key[0] != '\0') {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", o->api_key);
		list = curl_slist_append(list, auth);
	}
	return list;
}
