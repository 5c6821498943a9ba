/* The in-place scanner against cJSON: every event of a table of plain and
 * tricky ones gives the same tokens, usage, end and errors through the
 * adapters whether jscan reads it or cJSON does, cut at every byte; the
 * plain ones are read without a single cJSON allocation. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "proto/jscan.h"
#include "proto/proto.h"

struct seen {
	int	rc;
	int	tokens;
	long	usage_out, usage_in;
	int	done;
	int	fails;
	char	detail[200];
};

static long allocs;

static void *
counted_malloc(size_t n)
{
	allocs++;
	return malloc(n);
}

static void ev_token(void *ctx) { ((struct seen *)ctx)->tokens++; }
static void ev_done(void *ctx) { ((struct seen *)ctx)->done++; }

static void
ev_usage(void *ctx, long out, long in)
{
	((struct seen *)ctx)->usage_out = out;
	((struct seen *)ctx)->usage_in = in;
}

static void
ev_fail(void *ctx, const char *detail)
{
	struct seen *s = ctx;

	s->fails++;
	snprintf(s->detail, sizeof s->detail, "%s", detail);
}

/* The stream fed in two pieces cut at cut, then finished. */
static void
run(const struct proto *p, const char *stream, size_t cut, bool off,
    struct seen *s)
{
	struct proto_events ev = { ev_token, ev_usage, ev_done, ev_fail, s, NULL };
	void *state = malloc(p->state_size);
	size_t len = strlen(stream);

	memset(s, 0, sizeof *s);
	s->usage_out = s->usage_in = -1;
	jscan_off = off;
	p->init(state);
	s->rc = p->feed(state, stream, cut, &ev);
	if (s->rc == 0)
		s->rc = p->feed(state, stream + cut, len - cut, &ev);
	if (s->rc == 0)
		s->rc = p->finish(state, &ev);
	p->done(state);
	free(state);
	jscan_off = false;
}

static void
assert_same(const struct seen *a, const struct seen *b, const char *what)
{
	if (a->rc != b->rc || a->tokens != b->tokens ||
	    a->usage_out != b->usage_out || a->usage_in != b->usage_in ||
	    a->done != b->done || a->fails != b->fails ||
	    strcmp(a->detail, b->detail) != 0)
		fail_msg("%s: scan rc %d tokens %d usage %ld/%ld done %d fails %d "
		    "'%s'; cjson rc %d tokens %d usage %ld/%ld done %d fails %d "
		    "'%s'", what, a->rc, a->tokens, a->usage_out, a->usage_in,
		    a->done, a->fails, a->detail, b->rc, b->tokens, b->usage_out,
		    b->usage_in, b->done, b->fails, b->detail);
}

struct event {
	const char	*data;
	bool		 fast;		/* read without cJSON (else it may be) */
};

/* OpenAI chat events: what servers send, and what they might. */
static const struct event chat_events[] = {
	{ "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1733160000,"
	  "\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},"
	  "\"logprobs\":null,\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":null}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\\"hi\\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\n\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\u00e9\\u4E00\\u003c\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud83d\\ude00\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"caf\xc3\xa9\"}}]}", true },
	/* cJSON ends a string at \u0000: an empty content, not a token */
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\u0000a\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\\u0000\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\udc00x\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\ud800\\u0041\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\uzzzz\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\\x\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\x01\"}}]}", false },
	/* nesting and order */
	{ "{\"x\":{\"content\":\"no\",\"choices\":[{\"delta\":{\"content\":\"no\"}}]},"
	  "\"choices\":[{\"meta\":{\"delta\":{\"content\":\"no\"}},\"delta\":{\"x\":[[{}],{\"a\":[]}],"
	  "\"content\":\"\"}}]}", true },
	{ "{\"usage\":null,\"choices\":[{\"finish_reason\":\"stop\",\"delta\":{\"content\":\"a\"},\"index\":0}],\"id\":\"x\"}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[]}", true },
	{ "{\"choices\":[],\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"\",\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{}},{\"delta\":{\"content\":\"b\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}},{\"delta\":{\"content\":\"b\"}}]}", true },
	{ " \t{ \"choices\" : [ { \"delta\" : { \"content\" : \"a\" } , \"finish_reason\" : null } ] } \r\n ", true },
	{ "{\"choices\":{\"a\":{\"delta\":{\"content\":\"x\"}}}}", true },
	{ "{\"choices\":null}", true },
	{ "{\"choices\":\"x\"}", true },
	{ "{\"choices\":[[{\"delta\":{\"content\":\"x\"}}],\"s\",1,null,{\"delta\":\"x\"}]}", true },
	{ "{\"choices\":[{\"delta\":[{\"content\":\"x\"}]}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":5}}]}", true },
	{ "{\"ch\\u006fices\":[{\"delta\":{\"content\":\"x\"}}]}", false },
	/* reasoning and tools */
	{ "{\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning_content\":\"x\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning\":\"x\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"reasoning\":\"\"}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":"
	  "{\"name\":\"f\",\"arguments\":\"\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":[{},{\"function\":null},{\"function\":{\"arguments\":\"1\"}}]}}]}", true },
	{ "{\"choices\":[{\"delta\":{\"tool_calls\":{\"x\":{\"function\":{\"arguments\":\"1\"}}}}}]}", true },
	/* finish, usage, numbers */
	{ "{\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}", true },
	{ "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,\"total_tokens\":17}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5,\"prompt_tokens\":\"12\"}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":\"5\",\"prompt_tokens\":12}}", true },
	{ "{\"choices\":[],\"usage\":[5]}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":-0,\"prompt_tokens\":123456789012345}}", true },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5e0,\"prompt_tokens\":1.2E+1}}", false },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":5.0,\"prompt_tokens\":12}}", false },
	{ "{\"choices\":[],\"usage\":{\"completion_tokens\":1234567890123456,\"prompt_tokens\":1}}", false },
	{ "{\"created\":1.7e9,\"x\":-0.5E-3,\"y\":[0,1e+2,2E5],\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"x\":1234567890123456789012345678901234567890123456789012345678901234567890,"
	  "\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":01,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":+1,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":1.,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":.5,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"
	  "\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	/* errors */
	{ "{\"error\":{\"message\":\"model overloaded\",\"code\":503}}", false },
	{ "{\"error\":{\"code\":503}}", false },
	{ "{\"error\":\"x\"}", false },
	{ "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	/* not plain JSON, lenient JSON, not JSON */
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]} trailing", false },
	{ "\xef\xbb\xbf{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a", false },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}},]}", false },
	{ "{\"choices\":tru}", false },
	{ "{choices:[]}", false },
	{ "", false },
	{ "this is not json", false },
	{ "[{\"delta\":{\"content\":\"a\"}}]", true },
	{ "\"str\"", true },
	{ "5", true },
	{ "null", true },
	{ "[DONE]", true },
	{ "[DONE] ", false },
};

/* Completions: the choice's text. */
static const struct event completion_events[] = {
	{ "{\"choices\":[{\"text\":\"a\",\"index\":0,\"logprobs\":null,\"finish_reason\":null}]}", true },
	{ "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}", true },
	{ "{\"choices\":[{\"text\":null}]}", true },
	{ "{\"choices\":[{\"delta\":{\"content\":\"a\"}}]}", true },
	{ "{\"choices\":[{\"text\":\"\\u0000\"}]}", false },
	{ "{\"choices\":[{\"text\":\"\\\"\"}]}", true },
};

/* One event as a stream of its own, read both ways at every cut. */
static void
agree(const struct proto *p, const struct event *e)
{
	char stream[512];
	struct seen scan, cjson;
	size_t cut, len;
	long before;

	len = (size_t)snprintf(stream, sizeof stream, "data: %s\n\n", e->data);
	assert_true(len < sizeof stream);
	run(p, stream, 0, true, &cjson);
	before = allocs;
	run(p, stream, 0, false, &scan);
	if (e->fast && allocs != before)
		fail_msg("%s: read by cJSON", e->data);
	assert_same(&scan, &cjson, e->data);
	for (cut = 1; cut <= len; cut++) {
		run(p, stream, cut, false, &scan);
		assert_same(&scan, &cjson, e->data);
	}
}

static void
test_chat_events_agree(void **state)
{
	size_t i;

	for (i = 0; i < sizeof chat_events / sizeof chat_events[0]; i++)
		agree(&proto_openai_chat, &chat_events[i]);
}

static void
test_completion_events_agree(void **state)
{
	size_t i;

	for (i = 0; i < sizeof completion_events / sizeof completion_events[0]; i++)
		agree(&proto_openai_completions, &completion_events[i]);
	for (i = 0; i < sizeof chat_events / sizeof chat_events[0]; i++)
		agree(&proto_openai_completions, &chat_events[i]);
}

/* A whole stream of the table's plain events, cut at every byte: the same
 * counts both ways, and none of it read by cJSON. */
static void
test_stream_every_split(void **state)
{
	char stream[8192];
	struct seen scan, cjson;
	size_t i, cut, len = 0;
	long before;

	for (i = 0; i < sizeof chat_events / sizeof chat_events[0]; i++) {
		if (chat_events[i].fast && strcmp(chat_events[i].data, "[DONE]") != 0)
			len += (size_t)snprintf(stream + len, sizeof stream - len,
			    "data: %s\n\n", chat_events[i].data);
	}
	len += (size_t)snprintf(stream + len, sizeof stream - len, "data: [DONE]\n\n");
	assert_true(len < sizeof stream);
	run(&proto_openai_chat, stream, 0, true, &cjson);
	assert_int_equal(cjson.rc, 0);
	assert_true(cjson.tokens > 10);
	for (cut = 0; cut <= len; cut++) {
		before = allocs;
		run(&proto_openai_chat, stream, cut, false, &scan);
		assert_int_equal(allocs, before);
		assert_same(&scan, &cjson, "the whole stream");
	}
}

static void
test_lookups(void **state)
{
	static const char doc[] = " {\"a\":[1,{\"b\":\"x\\\"y\"},[]],\"n\":-42,"
	    "\"s\":\"ok\",\"e\":\"o\\u006b\",\"a\":2,\"f\":1e3} ";
	static const char *const keys[] = { "a", "n", "s", "e", "f", "zz" };
	struct jdoc d;
	struct jval root, v[6], elem;
	long n;
	int count = 0;

	assert_int_equal(jscan_doc(&d, doc, sizeof doc - 1, &root), 0);
	assert_int_equal(root.type, JOBJECT);
	jscan_members(&root, keys, v, 6);
	assert_int_equal(v[0].type, JARRAY);	/* the first "a" */
	assert_int_equal(jscan_long(&v[1], &n), 0);
	assert_int_equal(n, -42);
	assert_int_equal(jscan_string_is(&v[2], "ok"), 1);
	assert_int_equal(jscan_string_is(&v[2], "o"), 0);
	assert_int_equal(jscan_string_is(&v[3], "ok"), -1);
	assert_int_equal(jscan_long(&v[4], &n), -1);
	assert_int_equal(v[5].type, JNONE);
	JSCAN_FOREACH(elem, v[0])
		count++;
	assert_int_equal(count, 3);
	count = 0;
	JSCAN_FOREACH(elem, root)	/* member values, as cJSON_ArrayForEach */
		count++;
	assert_int_equal(count, 6);
	jscan_off = true;
	assert_int_equal(jscan_doc(&d, doc, sizeof doc - 1, &root), -1);
	jscan_off = false;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_events_agree),
		cmocka_unit_test(test_completion_events_agree),
		cmocka_unit_test(test_stream_every_split),
		cmocka_unit_test(test_lookups),
	};
	cJSON_Hooks hooks = { counted_malloc, free };

	cJSON_InitHooks(&hooks);
	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
