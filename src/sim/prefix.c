#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prompts.h"
#include "xalloc.h"
#include "prefix.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define EMPTY		0	/* a slot's hash when it holds none */

static long block_chars;
static size_t nslots;		/* a power of two, at least twice the blocks */
static uint64_t *slots;		/* open addressing, linear probing */
static uint64_t *ring;		/* the held blocks, oldest first */
static size_t ring_cap, ring_len, ring_head;
static long queries_total, hits_total;	/* tokens, for /metrics */

void
prefix_init(long block_tokens, long max_blocks)
{
	prefix_done();
	if (block_tokens <= 0 || max_blocks <= 0)
		return;
	block_chars = block_tokens * CHARS_PER_TOKEN;
	ring_cap = (size_t)max_blocks;
	for (nslots = 16; nslots < ring_cap * 2; nslots *= 2)
		;
	slots = xcalloc(nslots, sizeof *slots);
	ring = xcalloc(ring_cap, sizeof *ring);
}

void
prefix_done(void)
{
	free(slots);
	free(ring);
	slots = ring = NULL;
	block_chars = 0;
	nslots = ring_cap = ring_len = ring_head = 0;
}

/* A block's hash, chained to the one before it; never EMPTY. */
static uint64_t
hash_block(uint64_t parent, const char *p, size_t n)
{
	uint64_t h = parent;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= FNV_PRIME;
	}
	return h == EMPTY ? 1 : h;
}

static size_t
find(uint64_t h)
{
	size_t i = (size_t)h & (nslots - 1);

	while (slots[i] != EMPTY && slots[i] != h)
		i = (i + 1) & (nslots - 1);
	return i;
}

static bool
held(uint64_t h)
{
	return slots[find(h)] == h;
}

/* Takes h out of the table, moving up the probes after it. */
static void
forget(uint64_t h)
{
	size_t i = find(h), j, k;

	if (slots[i] != h)
		return;
	slots[i] = EMPTY;
	for (j = (i + 1) & (nslots - 1); slots[j] != EMPTY; j = (j + 1) & (nslots - 1)) {
		uint64_t moved = slots[j];

		k = (size_t)moved & (nslots - 1);
		/* moved stays when its home lies cyclically in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		slots[i] = moved;
		slots[j] = EMPTY;
		i = j;
	}
}

static void
hold(uint64_t h)
{
	size_t i = find(h);

	if (slots[i] == h)
		return;
	if (ring_len == ring_cap) {
		forget(ring[ring_head]);
		ring[ring_head] = h;
		ring_head = (ring_head + 1) % ring_cap;
		i = find(h);
	} else
		ring[(ring_head + ring_len++) % ring_cap] = h;
	slots[i] = h;
}

long
prefix_lookup_add(const char *text, size_t len)
{
	uint64_t h = FNV_OFFSET;
	size_t at;
	long cached = 0;
	bool hit = true;

	if (block_chars == 0)
		return 0;
	for (at = 0; at + (size_t)block_chars <= len; at += (size_t)block_chars) {
		h = hash_block(h, text + at, (size_t)block_chars);
		if (hit && held(h))
			cached += block_chars / CHARS_PER_TOKEN;
		else
			hit = false;
		hold(h);
	}
	return cached;
}

void
prefix_count(long tokens, long hits)
{
	queries_total += tokens;
	hits_total += hits;
}

void
prefix_counts(long *queries, long *hits)
{
	*queries = queries_total;
	*hits = hits_total;
}

void
prefix_add(const char *text, size_t len)
{
	(void)prefix_lookup_add(text, len);
}
