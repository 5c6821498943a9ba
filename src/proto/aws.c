/* What the AWS kinds (bedrock, bedrock-invoke, sagemaker) share: their
 * headers, and the event-stream framing's exceptions, feed and end. The
 * signing itself is curl's (CURLOPT_AWS_SIGV4, in src/net/curl.c). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proto/aws.h"
#include "proto/eventstream.h"
#include "proto/proto.h"
#include "run_opts.h"
#include "sample.h"

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
