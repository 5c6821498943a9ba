/* Conversations: ShareGPT and messages files read as whole conversations
 * (every error named by its line), the history a session sends turn by
 * turn, and trace prompts that share exactly the blocks of the hash ids
 * they share. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "buf.h"
#include "prompts.h"
#include "proto/proto.h"
#include "run_opts.h"
#include "schedule.h"
#include "session.h"

static char path[64];

static const char *
write_file(const char *suffix, const char *text)
{
	int fd;

	snprintf(path, sizeof path, "/tmp/ttftop-conv-XXXXXX%s", suffix);
	fd = mkstemps(path, (int)strlen(suffix));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_sharegpt(void **state)
{
	struct prompt *v;
	size_t n;
	char err[256];

	write_file(".json", "[\n  {\"id\": \"a\", \"conversations\": [\n"
	    "    {\"from\": \"system\", \"value\": \"S\"},\n"
	    "    {\"from\": \"human\", \"value\": \"Q1\"},\n"
	    "    {\"from\": \"gpt\", \"value\": \"A1\"},\n"
	    "    {\"from\": \"human\", \"value\": \"Q2\"}]},\n"
	    "  {\"conversations\": [{\"from\": \"user\", \"value\": \"R1\"}, "
	    "{\"from\": \"assistant\", \"value\": \"B1\"}]}\n]\n");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), 0);
	unlink(path);
	assert_int_equal(n, 2);
	assert_true(v[0].sharegpt);
	assert_string_equal(v[0].system, "S");
	assert_int_equal(v[0].nuser, 2);
	assert_string_equal(v[0].user[1], "Q2");
	assert_string_equal(v[0].text, "Q1");	/* a one-turn request's */
	assert_int_equal(v[0].line, 2);
	assert_int_equal(v[1].line, 7);
	assert_string_equal(v[1].user[0], "R1");
	prompts_free(v, n);

	/* the errors name the line the conversation starts on */
	write_file(".json", "[{\"conversations\": [{\"from\": \"human\", \"value\": "
	    "\"a\"}, {\"from\": \"gpt\", \"value\": \"b\"}]},\n\n\n"
	    "{\"conversations\": [{\"from\": \"human\", \"value\": \"a\"}]}]");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), -1);
	unlink(path);
	assert_non_null(strstr(err, ":4: the conversation is one-sided: it has no "
	    "gpt turn"));
	write_file(".jsonl", "{\"prompt\": \"p\"}\n{\"conversations\": []}\n");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), -1);
	unlink(path);
	assert_non_null(strstr(err, ":2: \"conversations\" is empty"));
	write_file(".json", "{\"conversations\": []}");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), -1);
	unlink(path);
	assert_non_null(strstr(err, ":1: a .json file holds one JSON array"));
	write_file(".json", "[{\"prompt\": \"p\"} {\"prompt\": \"q\"}]");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), -1);
	unlink(path);
	assert_non_null(strstr(err, "expected ',' or ']'"));
	write_file(".json", "[]");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), -1);
	unlink(path);
	assert_non_null(strstr(err, "holds no prompts"));
}

/* The messages of a body as "role:content" joined by '|'. */
static char *
roles(const char *messages)
{
	cJSON *a = cJSON_Parse(messages);
	const cJSON *m;
	struct buf b;
	size_t len;

	buf_init(&b);
	cJSON_ArrayForEach(m, a) {
		if (b.len > 0)
			buf_addc(&b, '|');
		buf_printf(&b, "%s:%s", cJSON_GetObjectItem(m, "role")->valuestring,
		    cJSON_GetObjectItem(m, "content")->valuestring);
	}
	cJSON_Delete(a);
	return buf_detach(&b, &len);
}

static void
test_session_history(void **state)
{
	struct prompt *v, asked;
	struct session s = { 0 };
	size_t n;
	char err[256], *r;

	write_file(".jsonl", "{\"messages\": [{\"role\": \"system\", \"content\": \"S\"}, "
	    "{\"role\": \"user\", \"content\": \"Q1\"}, {\"role\": \"assistant\", "
	    "\"content\": \"RECORDED\"}, {\"role\": \"user\", \"content\": \"Q2\"}]}\n");
	assert_int_equal(prompts_load(path, &v, &n, err, sizeof err), 0);
	unlink(path);
	assert_false(v[0].sharegpt);	/* a chat, unless --turns makes it one */
	assert_int_equal(v[0].nuser, 2);

	assert_true(session_over(&s));
	session_begin(&s, 7, 2, &v[0]);
	assert_false(session_over(&s));
	session_ask(&s, "ignored: the conversation has its own", &asked);
	assert_int_equal(s.turn, 1);
	r = roles(asked.messages);
	assert_string_equal(r, "system:S|user:Q1");
	assert_string_equal(asked.text, "S\nQ1");
	free(r);
	free(asked.messages);
	free(asked.text);
	session_answered(&s, " tok1 tok2", 10);
	session_ask(&s, "", &asked);
	r = roles(asked.messages);
	assert_string_equal(r, "system:S|user:Q1|assistant: tok1 tok2|user:Q2");
	free(r);
	free(asked.messages);
	free(asked.text);
	session_answered(&s, "", 0);
	assert_true(session_over(&s));

	/* without a conversation, each turn is the message given */
	session_begin(&s, 8, 3, NULL);
	session_ask(&s, "a", &asked);
	free(asked.messages);
	free(asked.text);
	session_answered(&s, "x", 1);
	session_ask(&s, "b", &asked);
	r = roles(asked.messages);
	assert_string_equal(r, "user:a|assistant:x|user:b");
	assert_string_equal(asked.text, "a\nx\nb");
	free(r);
	free(asked.messages);
	free(asked.text);
	session_done(&s);
	prompts_free(v, n);
}

/* The "prompt" of a completions body. */
static char *
prompt_of(struct prompts *p, const struct trace_req *t)
{
	struct buf b;
	cJSON *root;
	char *text;

	buf_init(&b);
	prompts_trace_body(p, t, &b);
	root = cJSON_Parse(b.p);
	assert_non_null(root);
	text = strdup(cJSON_GetObjectItem(root, "prompt")->valuestring);
	assert_int_equal(cJSON_GetObjectItem(root, "max_tokens")->valueint,
	    t->output_tokens > 0 ? t->output_tokens : 1);
	cJSON_Delete(root);
	buf_free(&b);
	return text;
}

static size_t
common(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] != '\0' && a[i] == b[i])
		i++;
	return i;
}

static void
test_trace_prompts(void **state)
{
	struct run_opts o = { 0 };
	struct prompts p;
	long ids_a[] = { 3, 4, 5 }, ids_b[] = { 3, 4, 9 }, ids_c[] = { 4 };
	struct trace_req a = { 300, 7, ids_a, 3 }, b = { 300, 0, ids_b, 3 };
	struct trace_req c = { 150, 2, ids_c, 1 }, d = { 40, 5, NULL, 0 };
	char *ta, *tb, *tc, *td, *te;

	o.proto = &proto_openai_completions;
	o.hash_block = 100;		/* 400 characters an id */
	prompts_init(&p, &o);
	ta = prompt_of(&p, &a);
	tb = prompt_of(&p, &b);
	tc = prompt_of(&p, &c);
	td = prompt_of(&p, &d);
	te = prompt_of(&p, &d);
	assert_int_equal(strlen(ta), 1200);	/* input_length tokens of 4 */
	assert_int_equal(strlen(tb), 1200);
	/* exactly the shared blocks: the third differs (from its id on) */
	assert_memory_equal(ta, tb, 800);
	assert_true(common(ta + 800, tb + 800) < 4);
	assert_int_equal(strlen(tc), 600);	/* one block, then its own */
	assert_true(common(ta, tc) < 4);	/* id 4 first: another prefix */
	assert_memory_equal(tc, ta + 400, 400);	/* but the same block text */
	assert_int_equal(strlen(td), 160);
	assert_true(common(td, te) < 10);	/* no ids: no shared prefix */
	free(ta);
	free(tb);
	free(tc);
	free(td);
	free(te);
	prompts_done(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sharegpt),
		cmocka_unit_test(test_session_history),
		cmocka_unit_test(test_trace_prompts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
