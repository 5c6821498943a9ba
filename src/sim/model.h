/* The simulated endpoint's model: when each part of an answer is due
 * (time to first token, time between tokens, jitter, the batching slow-down
 * past capacity), how many requests are served at once and which wait, and
 * which requests fail and how. Seeded, so a run can be repeated; it sends
 * nothing itself. */
#ifndef TTFTOP_SIM_MODEL_H
#define TTFTOP_SIM_MODEL_H

#include <stdbool.h>

#define SLOW_HEADER_GAP	0.5	/* slow-headers: seconds between header lines */

enum fault {
	FAULT_NONE, FAULT_HTTP500, FAULT_HTTP429, FAULT_RESET, FAULT_STALL,
	FAULT_GARBAGE, FAULT_NO_DONE, FAULT_SLOW_HEADERS, FAULT_STREAM_ERROR
};

struct model_cfg {
	double		 ttft, itl;	/* seconds */
	long		 tokens;	/* visible tokens per answer, before
					   max_tokens */
	long		 reasoning_tokens;	/* before them, in the APIs
						   that have reasoning */
	int		 per_chunk;	/* tokens in each chunk, > 0 */
	double		 jitter;	/* each delay varies by up to +-jitter */
	double		 slow_from;	/* ev time from which the TTFT is */
	double		 slow_factor;	/* this many times longer; 0: never */
	int		 capacity;	/* 0: unlimited */
	long		 kv_tokens;	/* the KV cache, tokens; 0: KV_TOKENS_PER_SLOT
					   a slot of capacity (or of 64) */
	bool		 aligned;	/* chunks due on a shared tick */
	unsigned long	 seed;
	double		 fail_rate;
	enum fault	 fail;
	/* the prefix cache: each cached prompt token makes the TTFT this
	 * much shorter (seconds; 0: no cache), counted in whole blocks */
	double		 prefix_saving;
	long		 prefix_block;	/* tokens a block */
};

#define PREFIX_BLOCK_TOKENS	16	/* vLLM's default block size */
#define PREFIX_CACHE_TOKENS	1000000	/* what the prefix cache holds */

/* A request's place in the capacity model: it holds a slot, waits for one
 * in the queue, or neither. Zeroed but for owner, it holds nothing. */
struct model_slot {
	void			*owner;		/* the caller's, handed back */
	bool			 active;	/* holds a slot */
	bool			 queued;
	bool			 preempted;	/* queued again, its KV cache lost */
	long			 tokens;	/* sent: what it holds of the KV
						   cache (to recompute, when
						   preempted) */
	struct model_slot	*qnext;
	struct model_slot	*rprev, *rnext;	/* the running, oldest first */
};

#define KV_TOKENS_PER_SLOT 2048	/* the KV cache: this many tokens a slot */

/* Starts the model with a copy of cfg; seeds the generator. */
void model_init(const struct model_cfg *);
/* Sets *f to the fault kind called name (--fail), if there is one. */
void model_fault_named(const char *name, enum fault *f);

/* The fault a new request gets: FAULT_NONE or the configured one. */
enum fault model_pick_fault(void);
/* The tokens a request is answered with under max (0: no cap), the
 * reasoning first (when reasons: the API has reasoning) and the visible
 * answer after; max caps them together, as OpenAI's max_completion_tokens
 * does. *reasoning: how many of them are reasoning; capped says whether
 * max cut the answer short. */
long model_answer_tokens(long max, bool reasons, long *reasoning,
    bool *capped);
/* Whether a mid-stream fault strikes now: at least one token and half the
 * answer have been sent. */
bool model_fault_point(long sent, long ntokens);

/* Takes a slot for s if one is free and returns true; else queues s. */
bool model_admit(struct model_slot *);
/* Gives back the slot s holds, if it holds one. */
void model_release(struct model_slot *);
/* The slot queued first, when the slots and the KV cache now have room for
 * it: it holds a slot and is to be served (resumed, when preempted). NULL
 * when none; called until it is. */
struct model_slot *model_next(void);
/* Takes s, which is queued, out of the queue. */
void model_unqueue(struct model_slot *);
/* s sent n more tokens; its first, ttft seconds after it was read. When the
 * KV cache overflows, the request admitted last is preempted, as vLLM
 * preempts: it goes back to the front of the queue, its tokens to be
 * recomputed. Returns it (it may be s), or NULL; called until NULL, as one
 * preemption may not be enough. */
struct model_slot *model_sent(struct model_slot *, long n);
void model_first_token(double ttft);

struct buf;
/* What it serves, as vLLM's /metrics says it (Prometheus text): requests
 * running and waiting (the preempted among them), KV-cache use (the tokens
 * the running requests hold, of the cache's size), preemptions, tokens
 * generated and the TTFT histogram of what it served. */
void model_metrics(struct buf *, const char *model);

/* Whether the prefix cache is on. */
bool model_prefix_cache(void);
/* When the first token of a request read at t0 and served from now is due
 * (ev times, in seconds): the TTFT, shorter by the prefix cache's saving
 * for each of its cached tokens (never below 0). */
double model_first_at(double t0, double now, long cached);
/* When a whole answer of ntokens whose first token is due at first is
 * ready: when its last token would be. */
double model_whole_at(double first, long ntokens);
/* When the chunk after one due at prev is due. */
double model_next_at(double prev);
/* The tokens in the next chunk, sent of ntokens being out. */
long model_chunk_tokens(long sent, long ntokens);

#endif
