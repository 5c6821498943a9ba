/* JSONL records written and read back are the same records. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonl.h"
#include "run_opts.h"
#include "proto/proto.h"

static void
decode_ok(struct buf *b, struct record *r)
{
	char err[256] = "";

	assert_true(b->len > 0 && b->p[b->len - 1] == '\n');
	assert_null(memchr(b->p, '\n', b->len - 1));	/* one line */
	if (jsonl_decode(b->p, b->len - 1, r, err, sizeof err) != 0)
		fail_msg("decode failed: %s: %s", err, b->p);
}

static void
test_sample_round_trip(void **state)
{
	struct sample s, *back;
	struct record r;
	struct buf b;
	size_t i;

	sample_init(&s);
	s.id = 17;
	s.stage = 3;
	s.client = 4;
	s.t = 1234567;			/* 1.234567 s */
	s.ttfb = 101000;
	s.ttft = 120001;
	s.ttlt = 2345678;
	for (i = 0; i < 300; i++)
		sample_add_chunk(&s, 120001 + (usec_t)i * 7777);
	s.output_tokens = 1200;
	s.input_tokens = 57;
	s.tokens_from = TOKENS_FROM_USAGE;
	s.status = 200;
	s.lag_max = 35;
	s.ttfo = 120001 + 20 * 7777;	/* after 20 reasoning chunks */
	s.reasoning_tokens = 80;
	s.reasoning_from = TOKENS_FROM_CHUNKS;
	s.max_tokens = 1200;
	snprintf(s.finish_reason, sizeof s.finish_reason, "length");
	s.session = 9;
	s.turn = 2;
	buf_init(&b);
	jsonl_sample(&b, &s);
	assert_non_null(strstr(b.p, "\"ttst\":0.127778,\"ttfo\":0.275541,"));
	assert_non_null(strstr(b.p, "\"reasoning_tokens\":80,\"reasoning_from\":\"chunks\","
	    "\"max_tokens\":1200,\"finish_reason\":\"length\","));
	decode_ok(&b, &r);
	assert_int_equal(r.type, REC_REQUEST);
	back = &r.sample;
	assert_int_equal(back->session, 9);
	assert_int_equal(back->turn, 2);
	assert_int_equal(back->id, 17);
	assert_int_equal(back->stage, 3);
	assert_int_equal(back->client, 4);
	assert_int_equal(back->t, s.t);
	assert_int_equal(back->ttfb, s.ttfb);
	assert_int_equal(back->ttft, s.ttft);
	assert_int_equal(back->ttlt, s.ttlt);
	assert_int_equal(back->nchunks, 300);
	for (i = 0; i < 300; i++)
		assert_int_equal(back->chunks[i], s.chunks[i]);
	assert_int_equal(back->output_tokens, 1200);
	assert_int_equal(back->input_tokens, 57);
	assert_int_equal(back->tokens_from, TOKENS_FROM_USAGE);
	assert_int_equal(back->error, ERR_NONE);
	assert_int_equal(back->lag_max, 35);
	assert_int_equal(back->ttfo, s.ttfo);
	assert_int_equal(sample_ttst(back), 120001 + 7777);
	assert_int_equal(back->reasoning_tokens, 80);
	assert_int_equal(back->reasoning_from, TOKENS_FROM_CHUNKS);
	assert_int_equal(back->max_tokens, 1200);
	assert_string_equal(back->finish_reason, "length");
	assert_int_equal(sample_finish_class(back), FINISH_LENGTH);
	record_free(&r);
	sample_done(&s);
	buf_free(&b);
}

static void
test_error_sample_round_trip(void **state)
{
	struct sample s;
	struct record r;
	struct buf b;

	sample_init(&s);
	s.id = 2;
	s.stage = 1;
	s.status = 429;
	s.error = ERR_HTTP;
	s.ttfb = 500;
	strcpy(s.detail, "rate \"limited\"\n\ttab\x01");
	buf_init(&b);
	jsonl_sample(&b, &s);
	decode_ok(&b, &r);
	assert_int_equal(r.sample.error, ERR_HTTP);
	assert_int_equal(r.sample.status, 429);
	assert_string_equal(r.sample.detail, s.detail);
	assert_int_equal(r.sample.ttft, USEC_NONE);
	assert_int_equal(r.sample.ttlt, USEC_NONE);
	assert_int_equal(r.sample.input_tokens, -1);
	assert_int_equal(r.sample.tokens_from, TOKENS_FROM_CHUNKS);
	record_free(&r);
	buf_free(&b);
}

static void
test_events_and_end(void **state)
{
	struct event stage = { .kind = EV_STAGE, .t = 12500000, .stage = 2, .clients = 5 };
	struct event mark = { .kind = EV_CONTROL, .t = 3, .action = CTL_MARK,
	    .text = "knee \"here\"" };
	struct event set = { .kind = EV_CONTROL, .t = 4, .action = CTL_SET_CLIENTS,
	    .clients = 9 };
	struct end_info end = { .t = 120000000, .reason = END_SIGNAL,
	    .requests = 1234, .errors = 3, .cpu_s = 1.25 };
	struct record r;
	struct buf b;

	buf_init(&b);
	jsonl_event(&b, &stage);
	decode_ok(&b, &r);
	assert_int_equal(r.type, REC_STAGE);
	assert_int_equal(r.event.t, 12500000);
	assert_int_equal(r.event.stage, 2);
	assert_int_equal(r.event.clients, 5);
	record_free(&r);

	b.len = 0;
	jsonl_event(&b, &mark);
	decode_ok(&b, &r);
	assert_int_equal(r.type, REC_CONTROL);
	assert_int_equal(r.event.action, CTL_MARK);
	assert_string_equal(r.event.text, "knee \"here\"");
	record_free(&r);

	b.len = 0;
	jsonl_event(&b, &set);
	decode_ok(&b, &r);
	assert_int_equal(r.event.action, CTL_SET_CLIENTS);
	assert_int_equal(r.event.clients, 9);
	record_free(&r);

	b.len = 0;
	jsonl_end(&b, &end);
	decode_ok(&b, &r);
	assert_int_equal(r.type, REC_END);
	assert_int_equal(r.end.t, end.t);
	assert_int_equal(r.end.reason, END_SIGNAL);
	assert_int_equal(r.end.requests, 1234);
	assert_int_equal(r.end.errors, 3);
	assert_float_equal(r.end.cpu_s, 1.25, 1e-9);
	record_free(&r);
	buf_free(&b);
}

static void
test_run_record_redacts_secrets(void **state)
{
	char *headers[] = { "Authorization: Bearer sk-SECRET", "X-Team: blue",
	    "x-api-key: SECRET2" };
	int clients[] = { 1, 5 };
	struct run_opts o = { 0 };
	struct run_info ri = { .schema = 1, .tool = "ttftop 0.1.0",
	    .started = "2026-11-23T17:30:00.123456Z", .mono0 = 12.5,
	    .url = "http://h/v1", .api = "openai-chat", .model = "m" };
	struct record r;
	struct buf b;

	o.endpoint = "http://h/v1/chat/completions";
	o.proto = &proto_openai_chat;
	o.clients = clients;
	o.nstages = 2;
	o.prompt = "p";
	o.headers = headers;
	o.nheaders = 3;
	o.api_key = "sk-ENVSECRET";
	buf_init(&b);
	jsonl_run(&b, &ri, &o);
	assert_null(strstr(b.p, "SECRET"));
	assert_non_null(strstr(b.p, "X-Team: blue"));
	decode_ok(&b, &r);
	assert_int_equal(r.type, REC_RUN);
	assert_string_equal(r.run.url, "http://h/v1");
	assert_string_equal(r.run.model, "m");
	assert_string_equal(r.run.started, ri.started);
	assert_int_equal(r.run.nstages, 2);
	record_free(&r);
	buf_free(&b);
}

static void
test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"not json",
		"[1,2]",
		"{\"id\":1}",
		"{\"type\":\"request\",\"stage\":1,\"t\":0}",
		"{\"type\":\"request\",\"id\":1,\"stage\":1,\"t\":\"x\"}",
		"{\"type\":\"request\",\"id\":1,\"stage\":1,\"t\":0,\"error\":{\"kind\":\"weird\"}}",
		"{\"type\":\"run\",\"schema\":3,\"started\":\"x\",\"target\":{\"url\":\"u\",\"api\":\"a\"}}",
	};
	struct record r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(jsonl_decode(bad[i], strlen(bad[i]), &r, err, sizeof err), -1);
		assert_true(err[0] != '\0');
	}
	assert_non_null(strstr(err, "newer"));
	/* unknown record types and unknown fields are skipped, not refused */
	assert_int_equal(jsonl_decode("{\"type\":\"future\"}", 17, &r, err, sizeof err), 1);
	i = strlen("{\"type\":\"stage\",\"t\":1.5,\"stage\":2,\"clients\":3,\"new\":[1]}");
	assert_int_equal(jsonl_decode("{\"type\":\"stage\",\"t\":1.5,\"stage\":2,"
	    "\"clients\":3,\"new\":[1]}", i, &r, err, sizeof err), 0);
	assert_int_equal(r.event.t, 1500000);
	record_free(&r);
}

static void
test_usec_format(void **state)
{
	char b[24];

	usec_format(b, 0);
	assert_string_equal(b, "0.000000");
	usec_format(b, 1234567);
	assert_string_equal(b, "1.234567");
	usec_format(b, -250);
	assert_string_equal(b, "-0.000250");
	usec_format(b, 86400000000LL);
	assert_string_equal(b, "86400.000000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_round_trip),
		cmocka_unit_test(test_error_sample_round_trip),
		cmocka_unit_test(test_events_and_end),
		cmocka_unit_test(test_run_record_redacts_secrets),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_usec_format),
	};

	return cmocka_run_group_tests_name("jsonl", tests, NULL, NULL);
}
