#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "rng.h"
#include "model.h"
#include "prefix.h"

static const char *const fault_names[] = {
	"none", "http500", "http429", "reset", "stall", "garbage", "no-done",
	"slow-headers", "stream-error",
};

static struct model_cfg cfg;
/* one generator for faults and jitter, drawn in the order requests come
 * and delays are set: a seed repeats a run whose requests come in order */
static struct rng rng;
static int active;	/* slots held */
static struct model_slot *queue_head, *queue_tail;
static struct model_slot *run_head, *run_tail;	/* oldest first */
static long preemptions;
static int nqueued;
static long kv_tokens, tokens_total;
/* the TTFT histogram, in vLLM's buckets */
static const double ttft_le[] = {
	0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
	2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
};
#define NLE (sizeof ttft_le / sizeof ttft_le[0])
static long ttft_bucket[NLE + 1], ttft_count;
static double ttft_sum;

void
model_init(const struct model_cfg *c)
{
	cfg = *c;
	rng_seed(&rng, cfg.seed);
	if (cfg.prefix_saving > 0) {
		if (cfg.prefix_block <= 0)
			cfg.prefix_block = PREFIX_BLOCK_TOKENS;
		prefix_init(cfg.prefix_block, PREFIX_CACHE_TOKENS / cfg.prefix_block + 1);
	}
}

void
model_fault_named(const char *name, enum fault *f)
{
	size_t k;

	/* from 1: "none" is no kind to ask for */
	for (k = 1; k < sizeof fault_names / sizeof fault_names[0]; k++)
		if (strcmp(name, fault_names[k]) == 0)
			*f = (enum fault)k;
}

static double
jittered(double d)
{
	if (cfg.jitter <= 0)
		return d;
	return d * (1 + cfg.jitter * (2 * rng_unit(&rng) - 1));
}

/* The per-token time under the batching model: it grows with the batch. */
static double
token_time(void)
{
	if (cfg.capacity <= 0)
		return cfg.itl;
	return cfg.itl * (1 + (double)active / cfg.capacity);
}

/* --aligned: t moved on to the next tick of one clock shared by every
 * stream, as a batched server emits a step's tokens together (a hair of
 * slack so that a time already on a tick stays there) */
static double
on_tick(double t)
{
	double g = cfg.itl * cfg.per_chunk;

	if (!cfg.aligned || g <= 0)
		return t;
	return ceil(t / g - 1e-9) * g;
}

enum fault
model_pick_fault(void)
{
	if (cfg.fail != FAULT_NONE && rng_unit(&rng) < cfg.fail_rate)
		return cfg.fail;
	return FAULT_NONE;
}

long
model_answer_tokens(long max, bool reasons, long *reasoning, bool *capped)
{
	long r = reasons ? cfg.reasoning_tokens : 0, n = r + cfg.tokens;

	*capped = max > 0 && max < n;
	if (*capped)
		n = max;
	*reasoning = r < n ? r : n;
	return n;
}

bool
model_fault_point(long sent, long ntokens)
{
	return sent > 0 && sent >= (ntokens + 1) / 2;
}

static long
kv_cap(void)
{
	if (cfg.kv_tokens > 0)
		return cfg.kv_tokens;
	return (long)(cfg.capacity > 0 ? cfg.capacity : 64) * KV_TOKENS_PER_SLOT;
}

/* s holds a slot from now on: the youngest of the running; a preempted
 * one takes its tokens back into the cache (recomputed). */
static void
run(struct model_slot *s)
{
	s->active = true;
	active++;
	if (s->preempted)
		kv_tokens += s->tokens;
	s->preempted = false;
	s->rnext = NULL;
	s->rprev = run_tail;
	if (run_tail != NULL)
		run_tail->rnext = s;
	else
		run_head = s;
	run_tail = s;
}

static void
unrun(struct model_slot *s)
{
	if (s->rprev != NULL)
		s->rprev->rnext = s->rnext;
	else
		run_head = s->rnext;
	if (s->rnext != NULL)
		s->rnext->rprev = s->rprev;
	else
		run_tail = s->rprev;
	s->rprev = s->rnext = NULL;
	s->active = false;
	active--;
	kv_tokens -= s->tokens;
}

static void
enqueue(struct model_slot *s, bool front)
{
	s->queued = true;
	nqueued++;
	if (queue_head == NULL) {
		queue_head = queue_tail = s;
		s->qnext = NULL;
	} else if (front) {
		s->qnext = queue_head;
		queue_head = s;
	} else {
		s->qnext = NULL;
		queue_tail->qnext = s;
		queue_tail = s;
	}
}

/* Whether s may run now: a slot is free and the cache has room for what
 * it holds (an empty server takes anything). */
static bool
room_for(const struct model_slot *s)
{
	if (active == 0)
		return true;
	return (cfg.capacity <= 0 || active < cfg.capacity) &&
	    kv_tokens + (s->preempted ? s->tokens : 0) <= kv_cap();
}

bool
model_admit(struct model_slot *s)
{
	/* first come, first served: nobody overtakes the queue */
	if (queue_head != NULL || !room_for(s)) {
		enqueue(s, false);
		return false;
	}
	run(s);
	return true;
}

void
model_release(struct model_slot *s)
{
	if (!s->active)
		return;
	unrun(s);
	s->tokens = 0;
}

struct model_slot *
model_next(void)
{
	struct model_slot *next = queue_head;

	if (next == NULL || !room_for(next))
		return NULL;
	queue_head = next->qnext;
	if (queue_head == NULL)
		queue_tail = NULL;
	next->qnext = NULL;
	next->queued = false;
	nqueued--;
	run(next);
	return next;
}

void
model_unqueue(struct model_slot *s)
{
	struct model_slot **pp;

	for (pp = &queue_head; *pp != NULL; pp = &(*pp)->qnext) {
		if (*pp == s) {
			*pp = s->qnext;
			s->queued = false;
			nqueued--;
			break;
		}
	}
	queue_tail = NULL;
	for (struct model_slot *q = queue_head; q != NULL; q = q->qnext)
		queue_tail = q;
}

bool
model_prefix_cache(void)
{
	return cfg.prefix_saving > 0;
}

double
model_first_at(double t0, double now, long cached)
{
	double from = fmax(t0, now), ttft = cfg.ttft;

	if (cfg.slow_factor > 0 && from >= cfg.slow_from)
		ttft *= cfg.slow_factor;	/* --slow-after: a server that slows down */
	if (cached > 0)
		ttft = fmax(0, ttft - (double)cached * cfg.prefix_saving);
	return on_tick(from + jittered(ttft));
}

double
model_whole_at(double first, long ntokens)
{
	return first + jittered(token_time()) * (double)(ntokens > 0 ? ntokens - 1 : 0);
}

double
model_next_at(double prev)
{
	return on_tick(prev + jittered(token_time() * cfg.per_chunk));
}

long
model_chunk_tokens(long sent, long ntokens)
{
	long n = ntokens - sent;

	return n > cfg.per_chunk ? cfg.per_chunk : n;
}

struct model_slot *
model_sent(struct model_slot *s, long n)
{
	struct model_slot *victim = run_tail;

	if (n > 0) {
		s->tokens += n;
		kv_tokens += n;
		tokens_total += n;
	}
	if (kv_tokens <= kv_cap() || active < 2)
		return NULL;
	unrun(victim);
	victim->preempted = true;
	enqueue(victim, true);
	preemptions++;
	return victim;
}

void
model_first_token(double ttft)
{
	size_t i;

	for (i = 0; i < NLE && ttft > ttft_le[i]; i++)
		;
	ttft_bucket[i]++;
	ttft_count++;
	ttft_sum += ttft;
}

void
model_metrics(struct buf *b, const char *model)
{
	long cum = 0;
	size_t i;

	buf_printf(b, "# HELP vllm:num_requests_running Requests being served.\n"
	    "# TYPE vllm:num_requests_running gauge\n"
	    "vllm:num_requests_running{model_name=\"%s\"} %d\n"
	    "# HELP vllm:num_requests_waiting Requests waiting for a slot.\n"
	    "# TYPE vllm:num_requests_waiting gauge\n"
	    "vllm:num_requests_waiting{model_name=\"%s\"} %d\n"
	    "# HELP vllm:kv_cache_usage_perc KV-cache usage, 1 is full.\n"
	    "# TYPE vllm:kv_cache_usage_perc gauge\n"
	    "vllm:kv_cache_usage_perc{model_name=\"%s\"} %.6f\n"
	    "# TYPE vllm:num_preemptions_total counter\n"
	    "vllm:num_preemptions_total{model_name=\"%s\"} %ld\n"
	    "# TYPE vllm:generation_tokens_total counter\n"
	    "vllm:generation_tokens_total{model_name=\"%s\"} %ld\n"
	    "# TYPE vllm:time_to_first_token_seconds histogram\n", model, active,
	    model, nqueued, model, fmin(1.0, (double)kv_tokens / (double)kv_cap()),
	    model, preemptions, model, tokens_total);
	for (i = 0; i < NLE; i++) {
		cum += ttft_bucket[i];
		buf_printf(b, "vllm:time_to_first_token_seconds_bucket{le=\"%g\","
		    "model_name=\"%s\"} %ld\n", ttft_le[i], model, cum);
	}
	buf_printf(b, "vllm:time_to_first_token_seconds_bucket{le=\"+Inf\","
	    "model_name=\"%s\"} %ld\n"
	    "vllm:time_to_first_token_seconds_sum{model_name=\"%s\"} %.6f\n"
	    "vllm:time_to_first_token_seconds_count{model_name=\"%s\"} %ld\n",
	    model, ttft_count, model, ttft_sum, model, ttft_count);
	if (model_prefix_cache()) {
		long queries, hits;

		prefix_counts(&queries, &hits);
		buf_printf(b, "# TYPE vllm:prefix_cache_queries_total counter\n"
		    "vllm:prefix_cache_queries_total{model_name=\"%s\"} %ld\n"
		    "# TYPE vllm:prefix_cache_hits_total counter\n"
		    "vllm:prefix_cache_hits_total{model_name=\"%s\"} %ld\n", model,
		    queries, model, hits);
	}
}
