/* A small seeded random generator (splitmix64) and the distributions the
 * load needs: the same seed gives the same arrivals and prompts on every
 * machine. */
#ifndef TTFTOP_RNG_H
#define TTFTOP_RNG_H

#include <stdint.h>

struct rng {
	uint64_t	state;
};

void rng_seed(struct rng *, uint64_t seed);
uint64_t rng_next(struct rng *);
/* Uniform in [0, 1). */
double rng_unit(struct rng *);
/* Uniform integer in [0, n); n > 0. */
uint64_t rng_below(struct rng *, uint64_t n);
/* Exponential with mean 1. */
double rng_exp(struct rng *);
/* Standard normal. */
double rng_normal(struct rng *);
/* Gamma with shape k > 0 and mean 1 (scale 1/k). */
double rng_gamma(struct rng *, double k);

#endif
