/* What each request asks: prompts from the command line, a file or a
 * synthetic generator, the output length, and extra body fields, turned into
 * one request body per request through the API's adapter. */
#ifndef TTFTOP_PROMPTS_H
#define TTFTOP_PROMPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"

struct buf;
struct run_opts;
struct cJSON;

/* One prompt. Exactly one of text+messages (a chat, with text its contents
 * joined, for APIs that take one string) or body is the request. */
struct prompt {
	char	*text;
	char	*messages;	/* a JSON array of chat messages, or NULL */
	char	*body;		/* a whole request body (JSON), or NULL */
	/* as a conversation (a ShareGPT one, or "messages" in a session):
	 * its system prompt (or NULL) and its user turns in order; the
	 * recorded answers are not kept (a session sends the model's own).
	 * A ShareGPT one's text is its first user turn. */
	char	*system;
	char   **user;
	size_t	 nuser;
	bool	 sharegpt;	/* read from "conversations" */
	long	 line;		/* where the file holds it */
};

/* Reads --prompts FILE: .jsonl (one object a line: "prompt", "messages",
 * ShareGPT's "conversations" of {from, value}, or a whole body, recognised
 * by a "model" or "stream" field), .json (a JSON array of such objects, as
 * ShareGPT's files are), else one prompt a line. -1 with "FILE:LINE: what"
 * in err; a ShareGPT conversation must hold a human and a gpt turn. */
int prompts_load(const char *path, struct prompt **out, size_t *n, char *err,
    size_t errlen);
void prompts_free(struct prompt *, size_t n);

struct prompts {
	const struct run_opts	*o;
	struct rng		 rng;
	size_t			 next;		/* in order, without --shuffle */
	struct prompt		 synth;		/* --input-tokens scratch */
	long			 traced;	/* trace prompts built, to tell
						   their own text apart */
	struct cJSON		*extra;		/* --body, parsed */
};

void prompts_init(struct prompts *, const struct run_opts *);
void prompts_done(struct prompts *);
/* Appends the body of the next request; index >= 0 picks a prompt (a
 * schedule file's column), -1 the next in turn. Returns the output cap it
 * asked for (--max-tokens, drawn), 0 when none. */
long prompts_body(struct prompts *, long index, struct buf *out);
/* The prompt the next request takes, in turn (or drawn, with --shuffle;
 * synthetic with --input-tokens: valid until the next call). */
const struct prompt *prompts_next(struct prompts *);
/* Appends the body for pr, as prompts_body does for its own, and returns
 * its output cap likewise. */
long prompts_body_of(struct prompts *, const struct prompt *pr,
    struct buf *out);

/* The turns of a new session: a conversation's user turns (at most
 * --turns when given), else --turns N[:SD] drawn, at least 1. */
int prompts_turns(struct prompts *, const struct prompt *conv);

struct trace_req;
/* Appends the body of a trace's request: a prompt of its input tokens, the
 * blocks of its hash ids first (--hash-block tokens each, the same text
 * for the same id, so that requests sharing a block share that prefix),
 * and its output tokens as the cap, which it returns. */
long prompts_trace_body(struct prompts *, const struct trace_req *,
    struct buf *out);

/* Appends template with {{prompt}} and {{model}} replaced by their text,
 * JSON-escaped (the template gives the quotes), and {{max_tokens}} by the
 * number (0 when none). */
void prompts_fill(const char *template, const struct prompt *, long max_tokens,
    const char *model, struct buf *out);

/* The characters a synthetic prompt of n tokens has (about 4 a token). */
#define CHARS_PER_TOKEN 4

#endif
