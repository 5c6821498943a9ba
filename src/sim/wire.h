/* What the simulated endpoint's answers look like on the wire, per API:
 * routes, request fields, and the bytes of each part of a streamed answer
 * (before the first token, per token, at the end) and of errors. */
#ifndef TTFTOP_SIM_WIRE_H
#define TTFTOP_SIM_WIRE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "buf.h"

enum sim_api {
	SIM_CHAT, SIM_COMPLETIONS, SIM_ANTHROPIC, SIM_OLLAMA, SIM_TGI,
	SIM_BEDROCK, SIM_BEDROCK_INVOKE, SIM_SAGEMAKER, SIM_RESPONSES,
	SIM_API_NONE
};

/* One answer being streamed. */
struct answer {
	enum sim_api	 api;
	const char	*model;
	long		 serial;
	long		 prompt_tokens, ntokens;
	bool		 usage;		/* OpenAI: include_usage was asked */
	bool		 capped;	/* max_tokens cut it short */
	long		 cached_tokens;	/* of the prompt, by the prefix cache;
					   -1 without one */
	long		 reasoning;	/* the first of ntokens are reasoning */
	bool		 tools;		/* the request offered tools: the visible
					   answer is a tool call's arguments */
	bool		 summary;	/* Responses: reasoning.summary was asked:
					   reasoning comes as summary deltas */
};

/* Which part of the answer a chunk is. */
enum wire_part {
	PART_REASONING,
	PART_FIRST_VISIBLE,	/* the first chunk after the reasoning */
	PART_VISIBLE
};

/* The API a POST to path is for, or SIM_API_NONE; a model named in the
 * path (Bedrock's /model/ID/converse-stream) is copied to model. */
enum sim_api wire_route(const char *path, char *model, size_t modellen);
/* The AWS service whose SigV4 signature the API takes, or NULL. */
const char *wire_aws_service(enum sim_api);
const char *wire_content_type(enum sim_api);
/* Reads a request body's fields: whether it streams, the output cap (0:
 * none), whether OpenAI usage was asked, the model, the prompt's tokens. */
void wire_request(enum sim_api, const cJSON *root, bool *stream, long *max,
    bool *usage, const char **model, long *prompt_tokens);

/* Appends the prompt's text as the prefix cache reads it: the system
 * prompt, prompt or inputs, then each message as "ROLE: TEXT\n". Returns
 * whether it was a chat (messages), whose answer continues it as
 * "assistant: ANSWER\n". */
bool wire_prompt_text(const cJSON *root, struct buf *out);

/* Whether the API streams reasoning apart from the answer. */
bool wire_has_reasoning(enum sim_api);
/* What else the body asks: tools (a non-empty "tools" array) and, for
 * Responses, a reasoning summary ("reasoning": {"summary": ...}). */
void wire_asks(const cJSON *root, bool *tools, bool *summary);

void wire_begin(const struct answer *, struct buf *);
void wire_token(const struct answer *, enum wire_part, const char *text,
    struct buf *);
/* The API's own error event in the middle of a stream, or garbage for the
 * APIs that have none. */
void wire_stream_error(const struct answer *, struct buf *);
/* no_usage: like servers that never send a count. */
void wire_end(const struct answer *, bool no_usage, struct buf *);
/* A part that is not valid for the API's framing. */
void wire_garbage(enum sim_api, struct buf *);
/* A non-streamed answer's JSON body. */
void wire_whole(const struct answer *, const char *text, struct buf *);
/* An error's JSON body, as the API shapes them, and any header it adds. */
void wire_error(enum sim_api, int status, const char *type, const char *message,
    struct buf *, const char **header);

#endif
