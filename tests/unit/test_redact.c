/* Redaction: which names and values are secrets, and what a URL, a header,
 * a body and a message look like once redacted. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redact.h"
#include "run_opts.h"

static bool
secret(const char *name)
{
	return redact_name_is_secret(name, strlen(name));
}

static void
test_names(void **state)
{
	static const char *const yes[] = {
		"key", "api_key", "apiKey", "x-api-key", "token", "access_token",
		"accessToken", "sig", "signature", "code", "X-Amz-Credential",
		"x-amz-security-token", "password", "client_secret", "Authorization",
		"Cookie", "X-Auth-Token", "Ocp-Apim-Subscription-Key",
	};
	static const char *const no[] = {
		"max_tokens", "input_tokens", "temperature", "team", "model",
		"stream", "ignore_eos", "X-Team", "Accept", "keyword", "codec",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!secret(yes[i]))
			fail_msg("'%s' should be a secret's name", yes[i]);
	for (i = 0; i < sizeof no / sizeof no[0]; i++)
		if (secret(no[i]))
			fail_msg("'%s' should not be a secret's name", no[i]);
}

static void
test_urls(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "http://h:8000/v1", "http://h:8000/v1" },
		{ "http://u:p@h/v1", "http://***@h/v1" },
		{ "https://tok@h/v1?x=1", "https://***@h/v1?x=1" },
		{ "http://h/v1?api_key=K&x=1&sig=S#f", "http://h/v1?api_key=***&x=1&sig=***#f" },
		{ "http://h/v1?X-Amz-Signature=abc&code=", "http://h/v1?X-Amz-Signature=***&code=***" },
		{ "http://h/v1?token", "http://h/v1?token" },
		{ "http://h/a@b/v1", "http://h/a@b/v1" },	/* '@' in the path */
		{ "not a url?key=v", "not a url?key=***" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = redact_url(cases[i].in);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("%s: got %s, want %s", cases[i].in, got, cases[i].out);
		free(got);
	}
	assert_null(redact_url(NULL));
}

static void
test_headers(void **state)
{
	char *h;

	assert_true(header_is_secret("Authorization: Bearer x"));
	assert_true(header_is_secret("X-Goog: Bearer abc"));
	assert_true(header_is_secret("X-Thing: sk-proj-1"));
	assert_true(header_is_secret("X-Thing:  a1b2c3d4e5f6g7h8i9j0k"));
	assert_false(header_is_secret("X-Team: blue"));
	assert_false(header_is_secret("Accept: text/event-stream"));
	assert_false(header_is_secret("X-Note: a sentence of words 1 2 3 4 5 6"));
	h = redact_header("X-Goog: Bearer abc");
	assert_string_equal(h, "X-Goog: ***");
	free(h);
	h = redact_header("X-Team: blue");
	assert_string_equal(h, "X-Team: blue");
	free(h);
}

static void
test_body(void **state)
{
	char *b = redact_json_text("{\"api_key\":\"k\",\"max_tokens\":3,"
	    "\"o\":{\"password\":1,\"a\":[{\"secret\":\"s\"}]},\"token\":null}");

	assert_string_equal(b, "{\"api_key\":\"***\",\"max_tokens\":3,"
	    "\"o\":{\"password\":\"***\",\"a\":[{\"secret\":\"***\"}]},\"token\":null}");
	free(b);
}

static void
test_message(void **state)
{
	struct run_opts o;
	char *hdr[] = { "X-Goog: Bearer goog-1234" };
	char msg[256] = "HTTP 404 from http://u:pw-9999@h/v1?key=KEY-777: no "
	    "route for /v1?key=KEY-777 (auth goog-1234, env sk-env-1)";

	memset(&o, 0, sizeof o);
	o.url = "http://u:pw-9999@h/v1?key=KEY-777";
	o.endpoint = o.url;
	o.headers = hdr;
	o.nheaders = 1;
	o.api_key = "sk-env-1";
	redact_message(&o, msg, sizeof msg);
	assert_string_equal(msg, "HTTP 404 from http://***@h/v1?key=***: no "
	    "route for /v1?key=*** (auth ***, env ***)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_message),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
