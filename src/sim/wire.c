#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "proto/eventstream.h"
#include "wire.h"

enum sim_api
wire_route(const char *path, char *model, size_t modellen)
{
	static const struct {
		const char *prefix, *suffix;
		enum sim_api api;
	} named[] = {
		{ "/model/", "/converse-stream", SIM_BEDROCK },
		{ "/model/", "/invoke-with-response-stream", SIM_BEDROCK_INVOKE },
		{ "/endpoints/", "/invocations-response-stream", SIM_SAGEMAKER },
	};
	size_t n = strlen(path), k;
	static const struct { const char *path; enum sim_api api; } routes[] = {
		{ "/v1/chat/completions", SIM_CHAT },
		{ "/v1/completions", SIM_COMPLETIONS },
		{ "/v1/messages", SIM_ANTHROPIC },
		{ "/api/chat", SIM_OLLAMA },
		{ "/generate_stream", SIM_TGI },
		{ "/v1/responses", SIM_RESPONSES },
	};
	size_t i;

	for (i = 0; i < sizeof routes / sizeof routes[0]; i++)
		if (strcmp(path, routes[i].path) == 0)
			return routes[i].api;
	for (k = 0; k < sizeof named / sizeof named[0]; k++) {
		size_t p = strlen(named[k].prefix), q = strlen(named[k].suffix);
		char *id;
		int len;

		if (n <= p + q || strncmp(path, named[k].prefix, p) != 0 ||
		    strcmp(path + n - q, named[k].suffix) != 0)
			continue;
		id = curl_easy_unescape(NULL, path + p, (int)(n - p - q), &len);
		snprintf(model, modellen, "%s", id ? id : "");
		curl_free(id);
		return named[k].api;
	}
	return SIM_API_NONE;
}

const char *
wire_aws_service(enum sim_api api)
{
	return api == SIM_BEDROCK || api == SIM_BEDROCK_INVOKE ? "bedrock" :
	    api == SIM_SAGEMAKER ? "sagemaker" : NULL;
}

const char *
wire_content_type(enum sim_api api)
{
	return api == SIM_OLLAMA ? "application/x-ndjson" :
	    api == SIM_BEDROCK || api == SIM_BEDROCK_INVOKE ||
	    api == SIM_SAGEMAKER ? "application/vnd.amazon.eventstream" :
	    "text/event-stream";
}

/* One event-stream message of an event with a JSON payload. */
static void
aws_event(struct buf *out, const char *type, const struct buf *json)
{
	const char *headers[] = {
		":event-type", type, ":content-type", "application/json",
		":message-type", "event", NULL
	};

	es_encode(out, headers, json->p, json->len);
}

/* Bedrock's InvokeModelWithResponseStream: the model's own JSON (here
 * Anthropic's events), base64 in a "chunk" event. */
static void
invoke_chunk(struct buf *out, const struct buf *json)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)json->p;
	struct buf j;
	size_t i;

	buf_init(&j);
	buf_adds(&j, "{\"bytes\":\"");
	for (i = 0; i < json->len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < json->len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < json->len)
			v |= p[i + 2];
		buf_addc(&j, b64[v >> 18 & 63]);
		buf_addc(&j, b64[v >> 12 & 63]);
		buf_addc(&j, i + 1 < json->len ? b64[v >> 6 & 63] : '=');
		buf_addc(&j, i + 2 < json->len ? b64[v & 63] : '=');
	}
	buf_adds(&j, "\"}");
	aws_event(out, "chunk", &j);
	buf_free(&j);
}

/* SageMaker: the container's bytes in PayloadPart messages, each SSE event
 * cut in two parts so that readers must put them together again. */
static void
payload_parts(struct buf *out, const struct buf *bytes)
{
	const char *headers[] = {
		":event-type", "PayloadPart", ":content-type",
		"application/octet-stream", ":message-type", "event", NULL
	};
	size_t half = bytes->len / 2;

	es_encode(out, headers, bytes->p, half);
	es_encode(out, headers, bytes->p + half, bytes->len - half);
}

/* A TGI container's token (text) or end (NULL), as SageMaker streams it. */
static void
sagemaker_part(const struct answer *a, const char *text, bool no_usage,
    struct buf *out)
{
	struct answer tgi = *a;
	struct buf bytes;

	tgi.api = SIM_TGI;
	buf_init(&bytes);
	if (text != NULL)
		wire_token(&tgi, PART_VISIBLE, text, &bytes);
	else
		wire_end(&tgi, no_usage, &bytes);
	payload_parts(out, &bytes);
	buf_free(&bytes);
}

static long
estimate_tokens(const char *s)
{
	return (long)(strlen(s) + 3) / 4;
}

static long
prompt_tokens(const cJSON *root)
{
	static const char *const keys[] = { "prompt", "inputs", "system", "input" };
	const cJSON *messages = cJSON_GetObjectItemCaseSensitive(root, "messages");
	const cJSON *m, *v;
	long n = 0;
	size_t i;

	if (messages == NULL)	/* Responses: "input" items */
		messages = cJSON_GetObjectItemCaseSensitive(root, "input");
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(root, keys[i])))
			n += estimate_tokens(v->valuestring);
	cJSON_ArrayForEach(m, messages) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		const cJSON *block;

		if (cJSON_IsString(content))
			n += estimate_tokens(content->valuestring);
		cJSON_ArrayForEach(block, content) {	/* Converse's blocks */
			const cJSON *t = cJSON_GetObjectItemCaseSensitive(block, "text");

			if (cJSON_IsString(t))
				n += estimate_tokens(t->valuestring);
		}
	}
	return n > 0 ? n : 1;
}

/* A message's text: a string, or the text of its content blocks. */
static void
content_text(const cJSON *content, struct buf *out)
{
	const cJSON *block;

	if (cJSON_IsString(content)) {
		buf_adds(out, content->valuestring);
		return;
	}
	cJSON_ArrayForEach(block, content) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(block, "text");

		if (cJSON_IsString(t))
			buf_adds(out, t->valuestring);
	}
}

static void
messages_text(const cJSON *messages, struct buf *out)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, messages) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");

		buf_adds(out, cJSON_IsString(role) ? role->valuestring : "user");
		buf_adds(out, ": ");
		content_text(cJSON_GetObjectItemCaseSensitive(m, "content"), out);
		buf_addc(out, '\n');
	}
}

bool
wire_prompt_text(const cJSON *root, struct buf *out)
{
	static const char *const keys[] = { "system", "prompt", "inputs" };
	const cJSON *v;
	bool chat = false;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		v = cJSON_GetObjectItemCaseSensitive(root, keys[i]);
		if (cJSON_IsString(v) || cJSON_IsArray(v)) {
			content_text(v, out);
			buf_addc(out, '\n');
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "input");	/* Responses */
	if (cJSON_IsString(v))
		buf_adds(out, v->valuestring);
	else if (cJSON_IsArray(v)) {
		messages_text(v, out);
		chat = true;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "messages");
	if (cJSON_IsArray(v)) {
		messages_text(v, out);
		chat = true;
	}
	return chat;
}

static const cJSON *
number(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v : NULL;
}

void
wire_request(enum sim_api api, const cJSON *root, bool *stream, long *max,
    bool *usage, const char **model, long *ptokens)
{
	const cJSON *v, *so;

	*stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "stream"));
	so = cJSON_GetObjectItemCaseSensitive(root, "stream_options");
	*usage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(so, "include_usage"));
	switch (api) {
	case SIM_OLLAMA:
		/* Ollama streams unless told not to */
		v = cJSON_GetObjectItemCaseSensitive(root, "stream");
		*stream = v == NULL || cJSON_IsTrue(v);
		v = number(cJSON_GetObjectItemCaseSensitive(root, "options"),
		    "num_predict");
		break;
	case SIM_BEDROCK:
		*stream = true;		/* converse-stream always streams */
		v = number(cJSON_GetObjectItemCaseSensitive(root, "inferenceConfig"),
		    "maxTokens");
		break;
	case SIM_BEDROCK_INVOKE:
		*stream = true;
		v = number(root, "max_tokens");
		break;
	case SIM_TGI:
	case SIM_SAGEMAKER:
		*stream = true;		/* these paths always stream */
		v = number(cJSON_GetObjectItemCaseSensitive(root, "parameters"),
		    "max_new_tokens");
		break;
	case SIM_RESPONSES:
		v = number(root, "max_output_tokens");
		break;
	default:
		if ((v = number(root, "max_tokens")) == NULL)
			v = number(root, "max_completion_tokens");
		break;
	}
	*max = v != NULL ? (long)v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(root, "model");
	*model = cJSON_IsString(v) ? v->valuestring : NULL;
	*ptokens = prompt_tokens(root);
}

bool
wire_has_reasoning(enum sim_api api)
{
	return api == SIM_CHAT || api == SIM_RESPONSES || api == SIM_ANTHROPIC ||
	    api == SIM_OLLAMA || api == SIM_BEDROCK || api == SIM_BEDROCK_INVOKE;
}

void
wire_asks(const cJSON *root, bool *tools, bool *summary)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "tools");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(root, "reasoning");

	*tools = cJSON_IsArray(t) && cJSON_GetArraySize(t) > 0;
	*summary = cJSON_IsObject(r) &&
	    cJSON_GetObjectItemCaseSensitive(r, "summary") != NULL &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "summary"));
}

#define TOOL_NAME	"lookup"	/* the function every tool call calls */

static void
sse(struct buf *b, const char *event, const struct buf *json)
{
	if (event != NULL)
		buf_printf(b, "event: %s\n", event);
	buf_adds(b, "data: ");
	buf_add(b, json->p, json->len);
	buf_adds(b, "\n\n");
}

static void
openai_chunk(const struct answer *a, struct buf *b, const char *content,
    enum wire_part part, const char *finish, bool role)
{
	if (a->api == SIM_CHAT) {
		buf_printf(b, "{\"id\":\"chatcmpl-%ld\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":", a->serial);
		buf_add_json_string(b, a->model);
		buf_adds(b, ",\"choices\":[{\"index\":0,\"delta\":");
		if (role)
			buf_adds(b, "{\"role\":\"assistant\",\"content\":\"\"}");
		else if (content == NULL)
			buf_adds(b, "{}");
		else if (part == PART_REASONING) {
			buf_adds(b, "{\"reasoning_content\":");
			buf_add_json_string(b, content);
			buf_addc(b, '}');
		} else if (a->tools) {
			buf_adds(b, "{\"tool_calls\":[{\"index\":0,");
			if (part == PART_FIRST_VISIBLE)
				buf_printf(b, "\"id\":\"call_%ld\",\"type\":\"function\","
				    "\"function\":{\"name\":\"" TOOL_NAME "\",", a->serial);
			else
				buf_adds(b, "\"function\":{");
			buf_adds(b, "\"arguments\":");
			buf_add_json_string(b, content);
			buf_adds(b, "}}]}");
		} else {
			buf_adds(b, "{\"content\":");
			buf_add_json_string(b, content);
			buf_addc(b, '}');
		}
	} else {
		buf_printf(b, "{\"id\":\"cmpl-%ld\",\"object\":\"text_completion\","
		    "\"created\":0,\"model\":", a->serial);
		buf_add_json_string(b, a->model);
		buf_adds(b, ",\"choices\":[{\"index\":0,\"text\":");
		buf_add_json_string(b, content ? content : "");
		buf_adds(b, ",\"logprobs\":null");
	}
	if (finish != NULL)
		buf_printf(b, ",\"finish_reason\":\"%s\"}]}", finish);
	else
		buf_adds(b, ",\"finish_reason\":null}]}");
}

/* The index of the answer's content block, or output item, that holds
 * the visible part: after the reasoning's, when there is reasoning. */
static int
visible_index(const struct answer *a)
{
	return a->reasoning > 0 ? 1 : 0;
}

/* Anthropic's content_block_start: thinking, else the visible block (a
 * tool_use one when tools were offered). */
static void
anthropic_block_start(const struct answer *a, struct buf *j, bool thinking)
{
	if (thinking)
		buf_adds(j, "{\"type\":\"content_block_start\",\"index\":0,"
		    "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}");
	else if (a->tools)
		buf_printf(j, "{\"type\":\"content_block_start\",\"index\":%d,"
		    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_%ld\","
		    "\"name\":\"" TOOL_NAME "\",\"input\":{}}}", visible_index(a),
		    a->serial);
	else
		buf_printf(j, "{\"type\":\"content_block_start\",\"index\":%d,"
		    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
		    visible_index(a));
}

/* A Responses event whose data holds the response object: its status, and
 * at the end the usage (null with no_usage) and why it is incomplete. */
static void
responses_object(const struct answer *a, struct buf *j, const char *type,
    const char *status, bool end)
{
	buf_printf(j, "{\"type\":\"%s\",\"response\":{\"id\":\"resp_%ld\","
	    "\"object\":\"response\",\"created_at\":0,\"status\":\"%s\",\"model\":",
	    type, a->serial, status);
	buf_add_json_string(j, a->model);
	if (strcmp(status, "incomplete") == 0)
		buf_adds(j, ",\"incomplete_details\":{\"reason\":\"max_output_tokens\"}");
	if (end && a->usage)
		buf_printf(j, ",\"usage\":{\"input_tokens\":%ld,\"output_tokens\":%ld,"
		    "\"output_tokens_details\":{\"reasoning_tokens\":%ld},"
		    "\"total_tokens\":%ld}", a->prompt_tokens, a->ntokens, a->reasoning,
		    a->prompt_tokens + a->ntokens);
	else
		buf_adds(j, ",\"usage\":null");
	buf_adds(j, "}}");
}

void
wire_begin(const struct answer *a, struct buf *out)
{
	struct buf j;

	buf_init(&j);
	switch (a->api) {
	case SIM_CHAT:
		openai_chunk(a, &j, NULL, PART_VISIBLE, NULL, true);
		sse(out, NULL, &j);
		break;
	case SIM_RESPONSES:
		responses_object(a, &j, "response.created", "in_progress", false);
		sse(out, "response.created", &j);
		j.len = 0;
		responses_object(a, &j, "response.in_progress", "in_progress", false);
		sse(out, "response.in_progress", &j);
		if (a->reasoning > 0) {
			j.len = 0;
			buf_printf(&j, "{\"type\":\"response.output_item.added\","
			    "\"output_index\":0,\"item\":{\"id\":\"rs_%ld\",\"type\":"
			    "\"reasoning\",\"summary\":[]}}", a->serial);
			sse(out, "response.output_item.added", &j);
		}
		break;
	case SIM_ANTHROPIC:
		buf_printf(&j, "{\"type\":\"message_start\",\"message\":{\"id\":"
		    "\"msg_%ld\",\"type\":\"message\",\"role\":\"assistant\","
		    "\"content\":[],\"model\":", a->serial);
		buf_add_json_string(&j, a->model);
		buf_printf(&j, ",\"stop_reason\":null,\"usage\":{\"input_tokens\":%ld,"
		    "\"output_tokens\":1}}}", a->prompt_tokens);
		sse(out, "message_start", &j);
		j.len = 0;
		anthropic_block_start(a, &j, a->reasoning > 0);
		sse(out, "content_block_start", &j);
		j.len = 0;
		buf_adds(&j, "{\"type\":\"ping\"}");
		sse(out, "ping", &j);
		break;
	case SIM_BEDROCK:
		buf_adds(&j, "{\"role\":\"assistant\"}");
		aws_event(out, "messageStart", &j);
		break;
	case SIM_BEDROCK_INVOKE:
		buf_printf(&j, "{\"type\":\"message_start\",\"message\":{\"role\":"
		    "\"assistant\",\"usage\":{\"input_tokens\":%ld,\"output_tokens\":1}}}",
		    a->prompt_tokens);
		invoke_chunk(out, &j);
		break;
	default:
		break;
	}
	buf_free(&j);
}

static void
responses_token(const struct answer *a, enum wire_part part, const char *text,
    struct buf *out)
{
	struct buf j;
	int at = visible_index(a);

	buf_init(&j);
	if (part == PART_REASONING) {
		const char *type = a->summary ? "response.reasoning_summary_text.delta" :
		    "response.reasoning_text.delta";

		buf_printf(&j, "{\"type\":\"%s\",\"item_id\":\"rs_%ld\","
		    "\"output_index\":0,\"%s\":0,\"delta\":", type, a->serial,
		    a->summary ? "summary_index" : "content_index");
		buf_add_json_string(&j, text);
		buf_addc(&j, '}');
		sse(out, type, &j);
		buf_free(&j);
		return;
	}
	if (part == PART_FIRST_VISIBLE) {
		if (a->reasoning > 0) {
			buf_printf(&j, "{\"type\":\"response.output_item.done\","
			    "\"output_index\":0,\"item\":{\"id\":\"rs_%ld\",\"type\":"
			    "\"reasoning\"}}", a->serial);
			sse(out, "response.output_item.done", &j);
			j.len = 0;
		}
		if (a->tools)
			buf_printf(&j, "{\"type\":\"response.output_item.added\","
			    "\"output_index\":%d,\"item\":{\"id\":\"fc_%ld\",\"type\":"
			    "\"function_call\",\"call_id\":\"call_%ld\",\"name\":\""
			    TOOL_NAME "\",\"arguments\":\"\"}}", at, a->serial, a->serial);
		else
			buf_printf(&j, "{\"type\":\"response.output_item.added\","
			    "\"output_index\":%d,\"item\":{\"id\":\"msg_%ld\",\"type\":"
			    "\"message\",\"role\":\"assistant\",\"content\":[]}}", at,
			    a->serial);
		sse(out, "response.output_item.added", &j);
		j.len = 0;
	}
	if (a->tools) {
		buf_printf(&j, "{\"type\":\"response.function_call_arguments.delta\","
		    "\"item_id\":\"fc_%ld\",\"output_index\":%d,\"delta\":",
		    a->serial, at);
		buf_add_json_string(&j, text);
		buf_addc(&j, '}');
		sse(out, "response.function_call_arguments.delta", &j);
	} else {
		buf_printf(&j, "{\"type\":\"response.output_text.delta\","
		    "\"item_id\":\"msg_%ld\",\"output_index\":%d,\"content_index\":0,"
		    "\"delta\":", a->serial, at);
		buf_add_json_string(&j, text);
		buf_addc(&j, '}');
		sse(out, "response.output_text.delta", &j);
	}
	buf_free(&j);
}

void
wire_token(const struct answer *a, enum wire_part part, const char *text,
    struct buf *out)
{
	struct buf j;
	bool reasoning = part == PART_REASONING;

	buf_init(&j);
	switch (a->api) {
	case SIM_CHAT:
	case SIM_COMPLETIONS:
		openai_chunk(a, &j, text, part, NULL, false);
		sse(out, NULL, &j);
		break;
	case SIM_RESPONSES:
		responses_token(a, part, text, out);
		break;
	case SIM_ANTHROPIC:
		if (part == PART_FIRST_VISIBLE && a->reasoning > 0) {
			buf_adds(&j, "{\"type\":\"content_block_stop\",\"index\":0}");
			sse(out, "content_block_stop", &j);
			j.len = 0;
			anthropic_block_start(a, &j, false);
			sse(out, "content_block_start", &j);
			j.len = 0;
		}
		buf_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,"
		    "\"delta\":", reasoning ? 0 : visible_index(a));
		buf_adds(&j, reasoning ? "{\"type\":\"thinking_delta\",\"thinking\":" :
		    a->tools ? "{\"type\":\"input_json_delta\",\"partial_json\":" :
		    "{\"type\":\"text_delta\",\"text\":");
		buf_add_json_string(&j, text);
		buf_adds(&j, "}}");
		sse(out, "content_block_delta", &j);
		break;
	case SIM_OLLAMA:
		buf_adds(out, "{\"model\":");
		buf_add_json_string(out, a->model);
		buf_adds(out, ",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":"
		    "{\"role\":\"assistant\",\"content\":");
		if (reasoning) {
			buf_adds(out, "\"\",\"thinking\":");
			buf_add_json_string(out, text);
		} else
			buf_add_json_string(out, text);
		buf_adds(out, "},\"done\":false}\n");
		break;
	case SIM_TGI:
		buf_adds(&j, "{\"index\":1,\"token\":{\"id\":1,\"text\":");
		buf_add_json_string(&j, text);
		buf_adds(&j, ",\"logprob\":0.0,\"special\":false},\"generated_text\":null,"
		    "\"details\":null}");
		sse(out, NULL, &j);
		break;
	case SIM_SAGEMAKER:
		sagemaker_part(a, text, false, out);
		break;
	case SIM_BEDROCK:
		if (part == PART_FIRST_VISIBLE && a->tools) {
			buf_printf(&j, "{\"contentBlockIndex\":%d,\"start\":{\"toolUse\":"
			    "{\"toolUseId\":\"tooluse_%ld\",\"name\":\"" TOOL_NAME "\"}}}",
			    visible_index(a), a->serial);
			aws_event(out, "contentBlockStart", &j);
			j.len = 0;
		}
		buf_printf(&j, "{\"contentBlockIndex\":%d,\"delta\":",
		    reasoning ? 0 : visible_index(a));
		buf_adds(&j, reasoning ? "{\"reasoningContent\":{\"text\":" :
		    a->tools ? "{\"toolUse\":{\"input\":" : "{\"text\":");
		buf_add_json_string(&j, text);
		buf_adds(&j, reasoning || a->tools ? "}}}" : "}}");
		aws_event(out, "contentBlockDelta", &j);
		break;
	case SIM_BEDROCK_INVOKE:
		buf_printf(&j, "{\"type\":\"content_block_delta\",\"index\":%d,"
		    "\"delta\":", reasoning ? 0 : visible_index(a));
		buf_adds(&j, reasoning ? "{\"type\":\"thinking_delta\",\"thinking\":" :
		    "{\"type\":\"text_delta\",\"text\":");
		buf_add_json_string(&j, text);
		buf_adds(&j, "}}");
		invoke_chunk(out, &j);
		break;
	default:
		break;
	}
	buf_free(&j);
}

void
wire_end(const struct answer *a, bool no_usage, struct buf *out)
{
	const char *stop = a->capped ? "length" : a->tools ? "tool_calls" : "stop";
	const char *anthropic_stop = a->capped ? "max_tokens" :
	    a->tools ? "tool_use" : "end_turn";
	struct buf j;

	buf_init(&j);
	switch (a->api) {
	case SIM_CHAT:
	case SIM_COMPLETIONS:
		openai_chunk(a, &j, NULL, PART_VISIBLE,
		    a->api == SIM_CHAT ? stop : a->capped ? "length" : "stop", false);
		sse(out, NULL, &j);
		if (a->usage && !no_usage) {
			j.len = 0;
			buf_printf(&j, "{\"id\":\"%s-%ld\",\"object\":\"%s\",\"created\":0,"
			    "\"model\":", a->api == SIM_CHAT ? "chatcmpl" : "cmpl",
			    a->serial, a->api == SIM_CHAT ? "chat.completion.chunk" :
			    "text_completion");
			buf_add_json_string(&j, a->model);
			buf_printf(&j, ",\"choices\":[],\"usage\":{\"prompt_tokens\":%ld,"
			    "\"completion_tokens\":%ld,\"total_tokens\":%ld",
			    a->prompt_tokens, a->ntokens, a->prompt_tokens + a->ntokens);
			if (a->cached_tokens >= 0)
				buf_printf(&j, ",\"prompt_tokens_details\":{"
				    "\"cached_tokens\":%ld}", a->cached_tokens);
			if (a->reasoning > 0)
				buf_printf(&j, ",\"completion_tokens_details\":"
				    "{\"reasoning_tokens\":%ld}", a->reasoning);
			buf_adds(&j, "}}");
			sse(out, NULL, &j);
		}
		buf_adds(out, "data: [DONE]\n\n");
		break;
	case SIM_RESPONSES: {
		struct answer r = *a;

		r.usage = !no_usage;
		responses_object(&r, &j, a->capped ? "response.incomplete" :
		    "response.completed", a->capped ? "incomplete" : "completed", true);
		sse(out, a->capped ? "response.incomplete" : "response.completed", &j);
		break;
	}
	case SIM_ANTHROPIC:
		buf_printf(&j, "{\"type\":\"content_block_stop\",\"index\":%d}",
		    a->reasoning < a->ntokens ? visible_index(a) : 0);
		sse(out, "content_block_stop", &j);
		j.len = 0;
		buf_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		    "\"%s\",\"stop_sequence\":null}", anthropic_stop);
		if (!no_usage)
			buf_printf(&j, ",\"usage\":{\"output_tokens\":%ld}", a->ntokens);
		buf_addc(&j, '}');
		sse(out, "message_delta", &j);
		j.len = 0;
		buf_adds(&j, "{\"type\":\"message_stop\"}");
		sse(out, "message_stop", &j);
		break;
	case SIM_OLLAMA:
		buf_adds(out, "{\"model\":");
		buf_add_json_string(out, a->model);
		buf_printf(out, ",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":"
		    "{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":\"%s\","
		    "\"done\":true", a->capped ? "length" : "stop");
		if (!no_usage)
			buf_printf(out, ",\"prompt_eval_count\":%ld,\"eval_count\":%ld",
			    a->prompt_tokens, a->ntokens);
		buf_adds(out, "}\n");
		break;
	case SIM_TGI:
		buf_adds(&j, "{\"index\":0,\"token\":{\"id\":2,\"text\":\"</s>\","
		    "\"logprob\":0.0,\"special\":true},\"generated_text\":\"...\"");
		if (no_usage)
			buf_adds(&j, ",\"details\":null}");
		else
			buf_printf(&j, ",\"details\":{\"finish_reason\":\"%s\","
			    "\"generated_tokens\":%ld,\"seed\":null}}",
			    a->capped ? "length" : "eos_token", a->ntokens);
		sse(out, NULL, &j);
		break;
	case SIM_SAGEMAKER:
		sagemaker_part(a, NULL, no_usage, out);
		break;
	case SIM_BEDROCK_INVOKE:
		buf_printf(&j, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
		    "\"%s\"}", a->capped ? "max_tokens" : "end_turn");
		if (!no_usage)
			buf_printf(&j, ",\"usage\":{\"output_tokens\":%ld}", a->ntokens);
		buf_addc(&j, '}');
		invoke_chunk(out, &j);
		j.len = 0;
		buf_adds(&j, "{\"type\":\"message_stop\"");
		if (!no_usage)
			buf_printf(&j, ",\"amazon-bedrock-invocationMetrics\":{"
			    "\"inputTokenCount\":%ld,\"outputTokenCount\":%ld,"
			    "\"invocationLatency\":0,\"firstByteLatency\":0}",
			    a->prompt_tokens, a->ntokens);
		buf_addc(&j, '}');
		invoke_chunk(out, &j);
		break;
	case SIM_BEDROCK:
		buf_printf(&j, "{\"contentBlockIndex\":%d}",
		    a->reasoning < a->ntokens ? visible_index(a) : 0);
		aws_event(out, "contentBlockStop", &j);
		j.len = 0;
		buf_printf(&j, "{\"stopReason\":\"%s\"}", anthropic_stop);
		aws_event(out, "messageStop", &j);
		if (!no_usage) {
			j.len = 0;
			buf_printf(&j, "{\"usage\":{\"inputTokens\":%ld,\"outputTokens\":"
			    "%ld,\"totalTokens\":%ld},\"metrics\":{\"latencyMs\":0}}",
			    a->prompt_tokens, a->ntokens, a->prompt_tokens + a->ntokens);
			aws_event(out, "metadata", &j);
		}
		break;
	default:
		break;
	}
	buf_free(&j);
}

void
wire_garbage(enum sim_api api, struct buf *out)
{
	if (api == SIM_BEDROCK || api == SIM_BEDROCK_INVOKE || api == SIM_SAGEMAKER) {
		struct buf j;

		buf_init(&j);
		buf_adds(&j, "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"x\"}}");
		aws_event(out, "contentBlockDelta", &j);
		out->p[out->len - 1] ^= 0x5a;	/* the message CRC breaks */
		buf_free(&j);
	} else if (api == SIM_OLLAMA)
		buf_adds(out, "this is not json\n");
	else
		buf_adds(out, "data: this is not json\n\n");
}

#define STREAM_ERROR_MESSAGE "simulated failure mid-stream"

void
wire_stream_error(const struct answer *a, struct buf *out)
{
	struct buf j;

	buf_init(&j);
	switch (a->api) {
	case SIM_RESPONSES:
		buf_printf(&j, "{\"type\":\"response.failed\",\"response\":{\"id\":"
		    "\"resp_%ld\",\"object\":\"response\",\"status\":\"failed\","
		    "\"error\":{\"code\":\"server_error\",\"message\":\""
		    STREAM_ERROR_MESSAGE "\"},\"usage\":null}}", a->serial);
		sse(out, "response.failed", &j);
		break;
	case SIM_CHAT:
	case SIM_COMPLETIONS:
		buf_adds(&j, "{\"error\":{\"message\":\"" STREAM_ERROR_MESSAGE "\","
		    "\"type\":\"server_error\",\"code\":500}}");
		sse(out, NULL, &j);
		break;
	case SIM_ANTHROPIC:
		buf_adds(&j, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\","
		    "\"message\":\"" STREAM_ERROR_MESSAGE "\"}}");
		sse(out, "error", &j);
		break;
	case SIM_OLLAMA:
		buf_adds(out, "{\"error\":\"" STREAM_ERROR_MESSAGE "\"}\n");
		break;
	default:
		wire_garbage(a->api, out);
		break;
	}
	buf_free(&j);
}

void
wire_whole(const struct answer *a, const char *text, struct buf *b)
{
	const char *stop = a->capped ? "length" : "stop";

	switch (a->api) {
	case SIM_CHAT:
	case SIM_COMPLETIONS:
		buf_printf(b, "{\"id\":\"%s-%ld\",\"object\":\"%s\",\"created\":0,"
		    "\"model\":", a->api == SIM_CHAT ? "chatcmpl" : "cmpl", a->serial,
		    a->api == SIM_CHAT ? "chat.completion" : "text_completion");
		buf_add_json_string(b, a->model);
		if (a->api == SIM_CHAT)
			buf_adds(b, ",\"choices\":[{\"index\":0,\"message\":{\"role\":"
			    "\"assistant\",\"content\":");
		else
			buf_adds(b, ",\"choices\":[{\"index\":0,\"text\":");
		buf_add_json_string(b, text);
		buf_printf(b, "%s,\"finish_reason\":\"%s\"}],\"usage\":{\"prompt_tokens\":"
		    "%ld,\"completion_tokens\":%ld,\"total_tokens\":%ld}}",
		    a->api == SIM_CHAT ? "}" : "", stop, a->prompt_tokens, a->ntokens,
		    a->prompt_tokens + a->ntokens);
		break;
	case SIM_ANTHROPIC:
		buf_printf(b, "{\"id\":\"msg_%ld\",\"type\":\"message\",\"role\":"
		    "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":", a->serial);
		buf_add_json_string(b, text);
		buf_printf(b, "}],\"stop_reason\":\"%s\",\"usage\":{\"input_tokens\":%ld,"
		    "\"output_tokens\":%ld}}", a->capped ? "max_tokens" : "end_turn",
		    a->prompt_tokens, a->ntokens);
		break;
	case SIM_RESPONSES:
		buf_printf(b, "{\"id\":\"resp_%ld\",\"object\":\"response\","
		    "\"status\":\"%s\",\"model\":", a->serial,
		    a->capped ? "incomplete" : "completed");
		buf_add_json_string(b, a->model);
		buf_adds(b, ",\"output\":[{\"type\":\"message\",\"role\":\"assistant\","
		    "\"content\":[{\"type\":\"output_text\",\"text\":");
		buf_add_json_string(b, text);
		buf_printf(b, "}]}],\"usage\":{\"input_tokens\":%ld,\"output_tokens\":"
		    "%ld,\"output_tokens_details\":{\"reasoning_tokens\":%ld},"
		    "\"total_tokens\":%ld}}", a->prompt_tokens, a->ntokens, a->reasoning,
		    a->prompt_tokens + a->ntokens);
		break;
	default:	/* Ollama without streaming */
		buf_adds(b, "{\"message\":{\"role\":\"assistant\",\"content\":");
		buf_add_json_string(b, text);
		buf_printf(b, "},\"done\":true,\"prompt_eval_count\":%ld,"
		    "\"eval_count\":%ld}", a->prompt_tokens, a->ntokens);
		break;
	}
}

void
wire_error(enum sim_api api, int status, const char *type, const char *message,
    struct buf *b, const char **header)
{
	*header = NULL;
	switch (api) {
	case SIM_BEDROCK:
	case SIM_BEDROCK_INVOKE:
	case SIM_SAGEMAKER:
		/* AWS names the error in a header, with a message body */
		*header = status == 429 ? "x-amzn-ErrorType: ThrottlingException\r\n" :
		    status == 403 ? "x-amzn-ErrorType: InvalidSignatureException\r\n" :
		    status >= 500 ? "x-amzn-ErrorType: InternalServerException\r\n" :
		    "x-amzn-ErrorType: ValidationException\r\n";
		buf_adds(b, "{\"message\":");
		buf_add_json_string(b, message);
		buf_addc(b, '}');
		break;
	case SIM_ANTHROPIC:
		buf_printf(b, "{\"type\":\"error\",\"error\":{\"type\":\"%s\","
		    "\"message\":", type);
		buf_add_json_string(b, message);
		buf_adds(b, "}}");
		break;
	case SIM_OLLAMA:
		buf_adds(b, "{\"error\":");
		buf_add_json_string(b, message);
		buf_addc(b, '}');
		break;
	case SIM_TGI:
		buf_adds(b, "{\"error\":");
		buf_add_json_string(b, message);
		buf_printf(b, ",\"error_type\":\"%s\"}", type);
		break;
	default:
		buf_adds(b, "{\"error\":{\"message\":");
		buf_add_json_string(b, message);
		buf_printf(b, ",\"type\":\"%s\",\"code\":%d}}", type, status);
		break;
	}
}
