#include "config.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "rng.h"
#include "model.h"

static const char *const fault_names[] = {
	"none", "http500", "http429", "reset", "stall", "garbage", "no-done",
	"slow-headers",
};

static struct model_cfg cfg;
/* one generator for faults and jitter, drawn in the order requests come
 * and delays are set: a seed repeats a run whose requests come in order */
static struct rng rng;
static int active;	/* slots held */
static struct model_slot *queue_head, *queue_tail;

void
model_init(const struct model_cfg *c)
{
	cfg = *c;
	rng_seed(&rng, cfg.seed);
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

enum fault
model_pick_fault(void)
{
	if (cfg.fail != FAULT_NONE && rng_unit(&rng) < cfg.fail_rate)
		return cfg.fail;
	return FAULT_NONE;
}

long
model_answer_tokens(long max, bool *capped)
{
	*capped = max > 0 && max < cfg.tokens;
	return *capped ? max : cfg.tokens;
}

bool
model_fault_point(long sent, long ntokens)
{
	return sent > 0 && sent >= (ntokens + 1) / 2;
}

bool
model_admit(struct model_slot *s)
{
	if (cfg.capacity > 0 && active >= cfg.capacity) {
		if (queue_tail != NULL)
			queue_tail->qnext = s;
		else
			queue_head = s;
		queue_tail = s;
		return false;
	}
	s->active = true;
	active++;
	return true;
}

struct model_slot *
model_release(struct model_slot *s)
{
	struct model_slot *next;

	if (!s->active)
		return NULL;
	s->active = false;
	active--;
	if ((next = queue_head) == NULL)
		return NULL;
	queue_head = next->qnext;
	if (queue_head == NULL)
		queue_tail = NULL;
	next->qnext = NULL;
	next->active = true;
	active++;
	return next;
}

void
model_unqueue(struct model_slot *s)
{
	struct model_slot **pp;

	for (pp = &queue_head; *pp != NULL; pp = &(*pp)->qnext) {
		if (*pp == s) {
			*pp = s->qnext;
			break;
		}
	}
	queue_tail = NULL;
	for (struct model_slot *q = queue_head; q != NULL; q = q->qnext)
		queue_tail = q;
}

double
model_first_at(double t0, double now)
{
	return fmax(t0, now) + jittered(cfg.ttft);
}

double
model_whole_at(double first, long ntokens)
{
	return first + jittered(token_time()) * (double)(ntokens > 0 ? ntokens - 1 : 0);
}

double
model_next_at(double prev)
{
	return prev + jittered(token_time() * cfg.per_chunk);
}

long
model_chunk_tokens(long sent, long ntokens)
{
	long n = ntokens - sent;

	return n > cfg.per_chunk ? cfg.per_chunk : n;
}
