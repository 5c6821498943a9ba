#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prompts.h"
#include "run_opts.h"
#include "schedule.h"

void
run_opts_free(struct run_opts *o)
{
	int i;

	free(o->url);
	free(o->endpoint);
	for (i = 0; i < o->nserver_metrics; i++)
		free(o->server_metrics[i]);
	asserts_free(&o->asserts);
	for (i = 0; i < o->nserver_keep; i++) {
		free(o->server_keep_src[i]);
		regfree(&o->server_keep[i]);
	}
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
	if (o->sched_req != NULL) {
		size_t k;

		for (k = 0; k < o->nsched; k++)
			free(o->sched_req[k].hash_ids);
		free(o->sched_req);
	}
	free(o->output);
	free(o->cacert);
	for (i = 0; i < o->nheaders; i++)
		free(o->headers[i]);
	free(o->headers);
	memset(o, 0, sizeof *o);
}
