#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "prompts.h"
#include "run_opts.h"

void
run_opts_free(struct run_opts *o)
{
	int i;

	free(o->url);
	free(o->endpoint);
	free(o->model);
	free(o->clients);
	free(o->prompt);
	free(o->prompts_file);
	prompts_free(o->prompts, o->nprompts);
	free(o->body_extra);
	free(o->body_file);
	free(o->body_template);
	free(o->token_path);
	free(o->usage_path);
	free(o->done_path);
	free(o->rates);
	free(o->schedule_file);
	free(o->sched_at);
	free(o->sched_prompt);
	free(o->output);
	for (i = 0; i < o->nheaders; i++)
		free(o->headers[i]);
	free(o->headers);
	memset(o, 0, sizeof *o);
}

bool
header_is_secret(const char *h)
{
	static const char *const words[] = {
		"auth", "key", "token", "secret", "cookie", "session", "password",
	};
	size_t i, n = strcspn(h, ":");
	char name[128];

	if (n >= sizeof name)
		n = sizeof name - 1;
	memcpy(name, h, n);
	name[n] = '\0';
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(name, words[i]) != NULL)
			return true;
	return false;
}
