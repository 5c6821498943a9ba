#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "buf.h"
#include "net/models.h"
#include "net/xfer.h"
#include "proto/proto.h"
#include "run_opts.h"
#include "xalloc.h"

#define MODELS_TIMEOUT	5000L		/* ms */
#define MODELS_MAX	(1 << 20)	/* bytes of a listing read */

static size_t
collect(char *data, size_t size, size_t nmemb, void *userp)
{
	struct buf *b = userp;
	size_t n = size * nmemb;

	if (b->len + n > MODELS_MAX)
		return 0;
	buf_add(b, data, n);
	return n;
}

/* OpenAI's {"data":[{"id":...}]} or Ollama's {"models":[{"name":...}]}. */
static int
parse(const char *text, char ***ids)
{
	cJSON *root = cJSON_Parse(text);
	const cJSON *list, *m;
	int n = 0;

	*ids = NULL;
	list = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsArray(list))
		list = cJSON_GetObjectItemCaseSensitive(root, "models");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(root);
		return -1;
	}
	cJSON_ArrayForEach(m, list) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");

		if (!cJSON_IsString(id))
			id = cJSON_GetObjectItemCaseSensitive(m, "name");
		if (!cJSON_IsString(id) || id->valuestring[0] == '\0')
			continue;
		*ids = xreallocarray(*ids, (size_t)n + 1, sizeof **ids);
		(*ids)[n++] = xstrdup(id->valuestring);
	}
	cJSON_Delete(root);
	return n;
}

int
models_list(const struct run_opts *o, char ***ids, char *url, size_t urllen,
    char *err, size_t errlen)
{
	struct proto listing = *o->proto;
	struct curl_slist *headers;
	struct buf body;
	char *where, cerr[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURL *easy;
	CURLcode rc;
	int i, n = -1;

	*ids = NULL;
	if (o->proto->models_path == NULL || o->url == NULL) {
		snprintf(err, errlen, "--api %s lists no models", o->proto->name);
		return -1;
	}
	listing.path = o->proto->models_path;
	if ((where = proto_endpoint(&listing, o->url, NULL, err, errlen)) == NULL)
		return -1;
	snprintf(url, urllen, "%s", where);
	headers = o->proto->headers(o, NULL);
	for (i = 0; i < o->nheaders; i++)
		headers = curl_slist_append(headers, o->headers[i]);
	buf_init(&body);
	if ((easy = curl_easy_init()) == NULL)
		fatal("curl_easy_init failed");
	curl_easy_setopt(easy, CURLOPT_URL, where);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, MODELS_TIMEOUT);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	xfer_tls_setopt(easy, o);
	rc = curl_easy_perform(easy);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	buf_addc(&body, '\0');
	if (rc != CURLE_OK)
		snprintf(err, errlen, "%s: %s", where, cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		snprintf(err, errlen, "%s: HTTP %ld", where, status);
	else if ((n = parse(body.p, ids)) <= 0) {
		snprintf(err, errlen, "%s: %s", where, n == 0 ? "no model listed" :
		    "not a list of models");
		models_free(*ids, n);
		*ids = NULL;
		n = -1;
	}
	curl_easy_cleanup(easy);
	curl_slist_free_all(headers);
	buf_free(&body);
	free(where);
	return n;
}

void
models_free(char **ids, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}
