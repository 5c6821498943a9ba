/* A protocol adapter: how one API is asked for a stream and how its stream
 * is read. Adding an API is one new file and one entry in proto.c's table. */
#ifndef TTFTOP_PROTO_H
#define TTFTOP_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

struct run_opts;
struct buf;
struct prompt;

/* What a chunk of generated content is: the answer the user sees (text, a
 * tool call's arguments), or the model's reasoning before it. */
enum chunk_kind {
	CHUNK_VISIBLE,
	CHUNK_REASONING
};

/* What an adapter reports while reading a stream. reasoning_usage,
 * finish_reason and text may be NULL (a caller that does not want them);
 * adapters call them through proto_reasoning_usage, proto_finish_reason
 * and proto_text. */
struct proto_events {
	void	(*token)(void *ctx, enum chunk_kind);
	void	(*usage)(void *ctx, long output_tokens, long input_tokens);
	void	(*done)(void *ctx);	/* the stream's own end marker */
	void	(*fail)(void *ctx, const char *detail);	/* malformed stream */
	void	*ctx;
	const struct run_opts *opts;
	/* the server's count of reasoning tokens (within output_tokens) */
	void	(*reasoning_usage)(void *ctx, long reasoning_tokens);
	/* why generation stopped, as the API says it (stop, length, end_turn,
	 * max_tokens, ...): len bytes, not NUL-terminated */
	void	(*finish_reason)(void *ctx, const char *reason, size_t len);
	/* the answer's visible text, piece by piece (multi-turn sessions send
	 * it back); NULL when nobody wants it. Reasoning is not passed. */
	void	(*text)(void *ctx, const char *s, size_t len);
};

struct proto {
	const char	*name;
	const char	*path;		/* standard path, e.g. /v1/chat/completions;
					   {model} stands for the model id */
	const char	*models_path;	/* where the served models are listed
					   (OpenAI's data[].id, Ollama's
					   models[].name), or NULL */
	const char	*env_key;	/* variable holding the API key, or NULL */
	int		 key_required;	/* refuse to start without it */
	/* AWS: requests are signed with SigV4 for this service, and the
	 * default URL is https://HOST.REGION.amazonaws.com */
	const char	*aws_service;
	const char	*aws_host;
	/* Appends the request body for one prompt; max_tokens 0: not sent. */
	void		(*build_body)(const struct run_opts *, const struct prompt *,
			    long max_tokens, struct buf *);
	/* Appends the API's own headers (auth included) to list. */
	struct curl_slist *(*headers)(const struct run_opts *,
			    struct curl_slist *list);
	size_t		  state_size;
	void		(*init)(void *state);
	void		(*done)(void *state);
	/* Reads body bytes; -1 after ev->fail when the stream must be dropped. */
	int		(*feed)(void *state, const char *buf, size_t len,
			    const struct proto_events *ev);
	/* The body has ended; -1 after ev->fail when it ended wrongly. */
	int		(*finish)(void *state, const struct proto_events *ev);
};

extern const struct proto proto_openai_chat;
extern const struct proto proto_openai_completions;
extern const struct proto proto_openai_responses;
extern const struct proto proto_anthropic;
extern const struct proto proto_ollama;
extern const struct proto proto_tgi;
extern const struct proto proto_bedrock;
extern const struct proto proto_bedrock_invoke;
extern const struct proto proto_sagemaker;
extern const struct proto proto_custom;

/* JSON in, server-sent events out, the key as a bearer token: the headers
 * of OpenAI-compatible servers and of TGI. */
struct curl_slist *proto_bearer_sse_headers(const struct run_opts *,
    struct curl_slist *);
/* TGI's body (inputs, parameters), which SageMaker containers take too. */
void proto_tgi_body(const struct run_opts *, const struct prompt *,
    long max_tokens, struct buf *);
/* Anthropic's "messages" (and "system") members, for Bedrock too. */
void proto_anthropic_messages(struct buf *, const struct prompt *);

struct cJSON;
/* Hands v's text to ev->text, when v is a string and text is wanted. */
void proto_text(const struct proto_events *, const struct cJSON *v);

/* A count from a JSON number, clamped to long's range: a wild one in a
 * stream must not overflow the conversion. */
long proto_count(double);
/* Fails the stream with "WHAT: " and the first bytes of data. */
void proto_fail_quote(const struct proto_events *, const char *what,
    const char *data, size_t len);
/* ev->reasoning_usage and ev->finish_reason, when the caller gave them. */
void proto_reasoning_usage(const struct proto_events *, long reasoning_tokens);
void proto_finish_reason(const struct proto_events *, const char *reason,
    size_t len);
/* Looks up --api KIND; NULL when unknown. */
const struct proto *proto_find(const char *name);
/* The names of every supported API, for --help: "a, b, c". */
const char *proto_names(void);

/* Completes a base URL with the API's path: http://h:8000 and
 * http://h:8000/v1 both give http://h:8000/v1/chat/completions; a URL that
 * already ends in the path is kept. Returns a new string, or NULL with a
 * message in err when the URL is malformed. */
char *proto_endpoint(const struct proto *, const char *url, const char *model,
    char *err, size_t errlen);

#endif
