#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sample.h"
#include "xalloc.h"

static const char *const err_names[ERR_KIND_COUNT] = {
	[ERR_NONE] = "none",
	[ERR_CONNECT] = "connect",
	[ERR_DNS] = "dns",
	[ERR_TLS] = "tls",
	[ERR_TIMEOUT] = "timeout",
	[ERR_HTTP] = "http",
	[ERR_PROTOCOL] = "protocol",
	[ERR_CANCELED] = "canceled",
};

const char *
err_kind_name(enum err_kind k)
{
	return (unsigned)k < ERR_KIND_COUNT ? err_names[k] : "unknown";
}

int
err_kind_parse(const char *name, enum err_kind *out)
{
	int k;

	for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++) {
		if (strcmp(name, err_names[k]) == 0) {
			*out = (enum err_kind)k;
			return 0;
		}
	}
	return -1;
}

void
sample_init(struct sample *s)
{
	memset(s, 0, sizeof *s);
	s->ttfb = s->ttft = s->ttfo = s->ttlt = s->scheduled = USEC_NONE;
	s->phases.dns = s->phases.connect = s->phases.tls = s->phases.sent =
	    USEC_NONE;
	s->input_tokens = -1;
	s->reasoning_tokens = -1;
}

void
sample_done(struct sample *s)
{
	free(s->chunks);
	s->chunks = NULL;
	s->nchunks = s->chunks_cap = 0;
}

void
sample_add_chunk(struct sample *s, usec_t at)
{
	if (s->nchunks == s->chunks_cap) {
		s->chunks_cap = s->chunks_cap ? s->chunks_cap * 2 : 64;
		s->chunks = xreallocarray(s->chunks, s->chunks_cap,
		    sizeof *s->chunks);
	}
	s->chunks[s->nchunks++] = at;
}

usec_t
sample_waited(const struct sample *s, usec_t from_send)
{
	if (from_send == USEC_NONE || s->scheduled == USEC_NONE)
		return from_send;
	return from_send + s->t - s->scheduled;
}

usec_t
sample_ttft_waited(const struct sample *s)
{
	return sample_waited(s, s->ttft);
}

usec_t
sample_ttlt_waited(const struct sample *s)
{
	return sample_waited(s, s->ttlt);
}

bool
sample_failed(const struct sample *s)
{
	return s->error != ERR_NONE && s->error != ERR_CANCELED;
}

usec_t
sample_ttst(const struct sample *s)
{
	return s->nchunks >= 2 ? s->chunks[1] : USEC_NONE;
}

/* The reasons of each class across the APIs: OpenAI's and vLLM's, Ollama's
 * done_reason, Anthropic's and Bedrock's stop reasons, TGI's, Responses'. */
static const char *const stop_reasons[] = {
	"stop", "end_turn", "stop_sequence", "tool_calls", "tool_use",
	"function_call", "eos_token", "completed", "endTurn", "stopSequence",
};
static const char *const length_reasons[] = {
	"length", "max_tokens", "max_output_tokens", "model_length",
	"maxTokens",
};

enum finish_class
sample_finish_class(const struct sample *s)
{
	size_t i;

	if (s->finish_reason[0] == '\0')
		return FINISH_NONE;
	for (i = 0; i < sizeof stop_reasons / sizeof stop_reasons[0]; i++)
		if (strcmp(s->finish_reason, stop_reasons[i]) == 0)
			return FINISH_STOP;
	for (i = 0; i < sizeof length_reasons / sizeof length_reasons[0]; i++)
		if (strcmp(s->finish_reason, length_reasons[i]) == 0)
			return FINISH_LENGTH;
	return FINISH_OTHER;
}
