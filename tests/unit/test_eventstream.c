/* The AWS event-stream decoder, fed every split of its input, refuses
 * corrupted frames; and the Bedrock adapter on top of it. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "buf.h"
#include "proto/eventstream.h"
#include "proto/proto.h"

struct got {
	int	n;
	char	types[8][ES_NAME_MAX];
	char	payloads[8][64];
};

static int
on_msg(void *ctx, const struct es_message *m)
{
	struct got *g = ctx;

	if (g->n < 8) {
		strcpy(g->types[g->n], m->event_type);
		memcpy(g->payloads[g->n], m->payload, m->len < 63 ? m->len : 63);
		g->payloads[g->n][m->len < 63 ? m->len : 63] = '\0';
	}
	g->n++;
	return 0;
}

static void
event(struct buf *b, const char *type, const char *json)
{
	const char *h[] = { ":event-type", type, ":content-type",
	    "application/json", ":message-type", "event", NULL };

	es_encode(b, h, json, strlen(json));
}

static void
three(struct buf *b)
{
	buf_init(b);
	event(b, "messageStart", "{\"role\":\"assistant\"}");
	event(b, "contentBlockDelta", "{\"delta\":{\"text\":\"Hi\"}}");
	event(b, "metadata", "{\"usage\":{\"outputTokens\":1}}");
}

static void
test_every_split(void **state)
{
	struct buf b;
	size_t cut, cut2;

	three(&b);
	for (cut = 0; cut <= b.len; cut++) {
		for (cut2 = cut; cut2 <= b.len; cut2 += 7) {
			struct es_decoder d;
			struct got g = { 0 };

			es_init(&d);
			assert_int_equal(es_feed(&d, b.p, cut, on_msg, &g), 0);
			assert_int_equal(es_feed(&d, b.p + cut, cut2 - cut, on_msg, &g), 0);
			assert_int_equal(es_feed(&d, b.p + cut2, b.len - cut2, on_msg, &g), 0);
			assert_int_equal(g.n, 3);
			assert_false(es_pending(&d));
			assert_string_equal(g.types[1], "contentBlockDelta");
			assert_string_equal(g.payloads[1], "{\"delta\":{\"text\":\"Hi\"}}");
			es_done(&d);
		}
	}
	buf_free(&b);
}

static int
feed_all(const char *p, size_t n, char *error, size_t len)
{
	struct es_decoder d;
	struct got g = { 0 };
	int rc;

	es_init(&d);
	rc = es_feed(&d, p, n, on_msg, &g);
	snprintf(error, len, "%s", d.error);
	es_done(&d);
	return rc;
}

static void
test_corruption(void **state)
{
	struct buf b;
	char err[128];

	three(&b);
	b.p[9] ^= 1;			/* the prelude CRC */
	assert_int_equal(feed_all(b.p, b.len, err, sizeof err), -1);
	assert_non_null(strstr(err, "prelude CRC"));
	b.p[9] ^= 1;
	b.p[20] ^= 1;			/* a header byte: the message CRC */
	assert_int_equal(feed_all(b.p, b.len, err, sizeof err), -1);
	assert_non_null(strstr(err, "message CRC"));
	buf_free(&b);

	/* a length no frame can have, with a valid prelude CRC */
	{
		const char *h[] = { NULL };
		unsigned char *p;

		buf_init(&b);
		es_encode(&b, h, "", 0);
		p = (unsigned char *)b.p;
		p[0] = 0x7f;		/* 2 GB */
		{
			/* recompute the prelude CRC over the bad length */
			unsigned long c = crc32(crc32(0, NULL, 0), p, 8);

			p[8] = (unsigned char)(c >> 24);
			p[9] = (unsigned char)(c >> 16);
			p[10] = (unsigned char)(c >> 8);
			p[11] = (unsigned char)c;
		}
		assert_int_equal(feed_all(b.p, b.len, err, sizeof err), -1);
		assert_non_null(strstr(err, "impossible"));
		buf_free(&b);
	}
}

struct seen {
	int	tokens, reasoning, done, fails;
	long	out, in;
	char	detail[200];
	char	reason[32];
};

static void
s_token(void *c, enum chunk_kind k)
{
	((struct seen *)c)->tokens++;
	if (k == CHUNK_REASONING)
		((struct seen *)c)->reasoning++;
}

static void
s_reason(void *c, const char *r, size_t n)
{
	snprintf(((struct seen *)c)->reason, 32, "%.*s", (int)n, r);
}
static void s_done(void *c) { ((struct seen *)c)->done++; }
static void s_usage(void *c, long o, long i) { ((struct seen *)c)->out = o; ((struct seen *)c)->in = i; }
static void
s_fail(void *c, const char *d)
{
	((struct seen *)c)->fails++;
	snprintf(((struct seen *)c)->detail, 200, "%s", d);
}

static int
bedrock_run(const char *p, size_t n, size_t cut, struct seen *s)
{
	struct proto_events ev = { s_token, s_usage, s_done, s_fail, s, NULL,
	    NULL, s_reason, NULL };
	void *st = malloc(proto_bedrock.state_size);
	int rc;

	memset(s, 0, sizeof *s);
	proto_bedrock.init(st);
	rc = proto_bedrock.feed(st, p, cut, &ev);
	if (rc == 0)
		rc = proto_bedrock.feed(st, p + cut, n - cut, &ev);
	if (rc == 0)
		rc = proto_bedrock.finish(st, &ev);
	proto_bedrock.done(st);
	free(st);
	return rc;
}

static void
test_bedrock(void **state)
{
	struct buf b;
	struct seen s;
	size_t cut;
	const char *exc[] = { ":exception-type", "throttlingException",
	    ":content-type", "application/json", ":message-type", "exception", NULL };

	buf_init(&b);
	event(&b, "messageStart", "{\"role\":\"assistant\"}");
	event(&b, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hel\"}}");
	event(&b, "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"\"}}");
	event(&b, "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"reasoningContent\":{\"text\":\"hm\"}}}");
	event(&b, "contentBlockStop", "{\"contentBlockIndex\":0}");
	event(&b, "messageStop", "{\"stopReason\":\"end_turn\"}");
	event(&b, "metadata", "{\"usage\":{\"inputTokens\":11,\"outputTokens\":2}}");
	for (cut = 0; cut <= b.len; cut++) {
		assert_int_equal(bedrock_run(b.p, b.len, cut, &s), 0);
		assert_int_equal(s.tokens, 2);
		assert_int_equal(s.reasoning, 1);	/* reasoningContent */
		assert_string_equal(s.reason, "end_turn");
		assert_int_equal(s.out, 2);
		assert_int_equal(s.in, 11);
		assert_int_equal(s.done, 1);
		assert_int_equal(s.fails, 0);
	}
	/* an exception in the stream: its type and message */
	b.len = 0;
	event(&b, "messageStart", "{\"role\":\"assistant\"}");
	es_encode(&b, exc, "{\"message\":\"Too many requests\"}", 31);
	assert_int_equal(bedrock_run(b.p, b.len, 5, &s), -1);
	assert_string_equal(s.detail, "throttlingException: Too many requests");
	/* cut inside a frame, and without messageStop */
	b.len = 0;
	event(&b, "messageStart", "{\"role\":\"assistant\"}");
	assert_int_equal(bedrock_run(b.p, b.len - 3, 0, &s), -1);
	assert_non_null(strstr(s.detail, "inside an event-stream message"));
	assert_int_equal(bedrock_run(b.p, b.len, 0, &s), -1);
	assert_non_null(strstr(s.detail, "before messageStop"));
	/* a corrupted frame is a protocol failure */
	b.len = 0;
	event(&b, "messageStart", "{\"role\":\"assistant\"}");
	b.p[b.len - 1] ^= 1;
	assert_int_equal(bedrock_run(b.p, b.len, 0, &s), -1);
	assert_non_null(strstr(s.detail, "CRC"));
	buf_free(&b);
}

/* SageMaker: a container's stream cut across PayloadPart messages at
 * every byte, as SSE (TGI) and as JSON lines (LMI). */
static int
sagemaker_run(const char *p, size_t n, struct seen *s)
{
	struct proto_events ev = { s_token, s_usage, s_done, s_fail, s, NULL,
	    NULL, NULL, NULL };
	void *st = malloc(proto_sagemaker.state_size);
	int rc;

	memset(s, 0, sizeof *s);
	proto_sagemaker.init(st);
	rc = proto_sagemaker.feed(st, p, n, &ev);
	if (rc == 0)
		rc = proto_sagemaker.finish(st, &ev);
	proto_sagemaker.done(st);
	free(st);
	return rc;
}

static void
parts(struct buf *out, const char *bytes, size_t cut)
{
	const char *h[] = { ":event-type", "PayloadPart", ":message-type", "event",
	    NULL };

	out->len = 0;
	es_encode(out, h, bytes, cut);
	es_encode(out, h, bytes + cut, strlen(bytes) - cut);
}

static void
test_sagemaker(void **state)
{
	static const char sse[] =
	    "data:{\"token\":{\"text\":\"Hi\",\"special\":false},\"generated_text\":null}\n\n"
	    "data:{\"token\":{\"text\":\"!\",\"special\":false},\"generated_text\":null}\n\n"
	    "data:{\"token\":{\"text\":\"</s>\",\"special\":true},\"generated_text\":\"Hi!\","
	    "\"details\":{\"generated_tokens\":3}}\n\n";
	static const char lines[] =
	    "{\"token\":{\"text\":\"Hi\"}}\n{\"token\":{\"text\":\"!\"}}\n"
	    "{\"generated_text\":\"Hi!\",\"details\":{\"generated_tokens\":2}}\n";
	const char *exc[] = { ":exception-type", "ModelStreamError", ":message-type",
	    "exception", NULL };
	struct buf b;
	struct seen s;
	size_t cut;

	buf_init(&b);
	for (cut = 0; cut <= strlen(sse); cut++) {
		parts(&b, sse, cut);
		assert_int_equal(sagemaker_run(b.p, b.len, &s), 0);
		assert_int_equal(s.tokens, 2);
		assert_int_equal(s.out, 3);
		assert_int_equal(s.done, 1);
	}
	for (cut = 0; cut <= strlen(lines); cut++) {
		parts(&b, lines, cut);
		assert_int_equal(sagemaker_run(b.p, b.len, &s), 0);
		assert_int_equal(s.tokens, 2);
		assert_int_equal(s.out, 2);
	}
	parts(&b, sse, 30);
	b.len = 0;
	es_encode(&b, exc, "{\"Message\":\"CUDA out of memory\"}", 32);
	assert_int_equal(sagemaker_run(b.p, b.len, &s), -1);
	assert_string_equal(s.detail, "ModelStreamError: CUDA out of memory");
	parts(&b, sse, 10);
	assert_int_equal(sagemaker_run(b.p, b.len / 2, &s), -1);
	buf_free(&b);
}

static int
invoke_run(const char *p, size_t n, struct seen *s)
{
	struct proto_events ev = { s_token, s_usage, s_done, s_fail, s, NULL,
	    NULL, NULL, NULL };
	void *st = malloc(proto_bedrock_invoke.state_size);
	int rc;

	memset(s, 0, sizeof *s);
	proto_bedrock_invoke.init(st);
	rc = proto_bedrock_invoke.feed(st, p, n, &ev);
	if (rc == 0)
		rc = proto_bedrock_invoke.finish(st, &ev);
	proto_bedrock_invoke.done(st);
	free(st);
	return rc;
}

/* Bedrock's InvokeModelWithResponseStream: base64 model JSON in chunks, a
 * Llama-style family here, the counts from the invocation metrics. */
static void
test_bedrock_invoke(void **state)
{
	struct buf b;
	struct seen s;

	buf_init(&b);
	/* {"generation":"Hi"} */
	event(&b, "chunk", "{\"bytes\":\"eyJnZW5lcmF0aW9uIjoiSGkifQ==\"}");
	/* {"generation":""} */
	event(&b, "chunk", "{\"bytes\":\"eyJnZW5lcmF0aW9uIjoiIn0=\"}");
	/* {"generation":"!","amazon-bedrock-invocationMetrics":{"inputTokenCount":4,"outputTokenCount":2}} */
	event(&b, "chunk", "{\"bytes\":\"eyJnZW5lcmF0aW9uIjoiISIsImFtYXpvbi1iZWRyb2NrLWludm9jYXRpb25NZXRyaWNzIjp7ImlucHV0VG9rZW5Db3VudCI6NCwib3V0cHV0VG9rZW5Db3VudCI6Mn19\"}");
	assert_int_equal(invoke_run(b.p, b.len, &s), 0);
	assert_int_equal(s.tokens, 2);
	assert_int_equal(s.out, 2);
	assert_int_equal(s.in, 4);
	assert_int_equal(s.done, 1);
	b.len = 0;
	event(&b, "chunk", "{\"bytes\":\"not base64!\"}");
	assert_int_equal(invoke_run(b.p, b.len, &s), -1);
	assert_non_null(strstr(s.detail, "base64"));
	b.len = 0;
	event(&b, "chunk", "{\"bytes\":\"eyJnZW5lcmF0aW9uIjoiSGkifQ==\"}");
	assert_int_equal(invoke_run(b.p, b.len, &s), -1);
	assert_non_null(strstr(s.detail, "invocationMetrics"));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_bedrock),
		cmocka_unit_test(test_sagemaker),
		cmocka_unit_test(test_bedrock_invoke),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
