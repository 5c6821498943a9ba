/* The simulated endpoint's prefix cache: prompts are cut into blocks of a
 * fixed number of tokens (as vLLM's automatic prefix caching does), each
 * block known by a hash of itself and of every block before it, so that a
 * request's cached tokens are the whole blocks its prompt shares, from the
 * start, with a prompt seen before. A bounded set; the oldest blocks go
 * first when it is full. */
#ifndef TTFTOP_SIM_PREFIX_H
#define TTFTOP_SIM_PREFIX_H

#include <stddef.h>

/* Blocks of block_tokens tokens (CHARS_PER_TOKEN characters each), at most
 * max_blocks of them held; block_tokens 0: no cache. */
void prefix_init(long block_tokens, long max_blocks);
void prefix_done(void);
/* The tokens of text's leading blocks that are cached, before text's own
 * blocks are added to the cache. 0 without a cache. */
long prefix_lookup_add(const char *text, size_t len);
/* Adds text's blocks (an answer, with the prompt before it). */
void prefix_add(const char *text, size_t len);
/* A prompt of tokens tokens was looked up and hit hits of them: counted for
 * /metrics, as vLLM counts its prefix cache's queries and hits. */
void prefix_count(long tokens, long hits);
void prefix_counts(long *queries, long *hits);

#endif
