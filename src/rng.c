#include "config.h"

#include <math.h>

#include "rng.h"

void
rng_seed(struct rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return (uint64_t)(rng_unit(r) * (double)n) % n;
}

double
rng_exp(struct rng *r)
{
	return -log1p(-rng_unit(r));	/* 1 - u is in (0, 1] */
}

double
rng_normal(struct rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Marsaglia and Tsang's method for shape >= 1; below 1, the shape + 1 draw
 * times U^(1/shape). Scaled to mean 1. */
double
rng_gamma(struct rng *r, double k)
{
	double shape = k, boost = 1.0, d, c, x, v, u;

	if (shape < 1.0) {
		boost = pow(1.0 - rng_unit(r), 1.0 / k);
		shape += 1.0;
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		do {
			x = rng_normal(r);
			v = 1.0 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = 1.0 - rng_unit(r);
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			break;
	}
	return boost * d * v / k;	/* gamma(k, 1) has mean k */
}
