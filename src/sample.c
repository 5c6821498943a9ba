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
	s->ttfb = s->ttft = s->ttlt = s->scheduled = USEC_NONE;
	s->phases.dns = s->phases.connect = s->phases.tls = s->phases.sent =
	    USEC_NONE;
	s->input_tokens = -1;
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

static usec_t
waited(const struct sample *s, usec_t from_send)
{
	if (from_send == USEC_NONE || s->scheduled == USEC_NONE)
		return from_send;
	return from_send + s->t - s->scheduled;
}

usec_t
sample_ttft_waited(const struct sample *s)
{
	return waited(s, s->ttft);
}

usec_t
sample_ttlt_waited(const struct sample *s)
{
	return waited(s, s->ttlt);
}

bool
sample_failed(const struct sample *s)
{
	return s->error != ERR_NONE && s->error != ERR_CANCELED;
}
