#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "series.h"
#include "xalloc.h"

#define HUGE_MIN	(4 << 20)	/* bytes from which huge pages pay */
#define MAP_MIN		(4 << 20)	/* bytes from which a series is mapped */

/* Asks for huge pages under a large array: a page fault each 4 KiB of
 * millions of values costs more than sorting them. */
static void
huge_pages(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);

	if (len >= HUGE_MIN)
		madvise((void *)from, (uintptr_t)p + len - from, MADV_HUGEPAGE);
#endif
}

/* Room for extra more values in the series' array (v, or u), of size bytes
 * each. Large arrays live in mappings of their own that grow by mremap: a
 * doubling realloc would copy them each time, and a run's token gaps reach
 * gigabytes. */
static void
reserve(struct series *s, void **arr, size_t size, size_t extra)
{
	size_t cap = s->cap ? s->cap : 256, n = s->n - s->nwide;
	void *p;

	if (n + extra <= s->cap)
		return;
	while (cap < n + extra)
		cap *= 2;
	if (cap * size < MAP_MIN) {
		*arr = xreallocarray(*arr, cap, size);
		s->cap = cap;
		return;
	}
	if (s->mapped)
		p = mremap(*arr, s->cap * size, cap * size, MREMAP_MAYMOVE);
	else if ((p = mmap(NULL, cap * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) != MAP_FAILED) {
		if (n > 0)	/* *arr is NULL before the first value */
			memcpy(p, *arr, n * size);
		free(*arr);
	}
	if (p == MAP_FAILED)
		fatal("out of memory: %zu values", cap);
	*arr = p;
	s->cap = cap;
	s->mapped = true;
	huge_pages(p, cap * size);
}

void
series_free(struct series *s)
{
	void *arr = s->usec ? (void *)s->u : (void *)s->v;

	if (s->mapped)
		munmap(arr, s->cap * (s->usec ? sizeof *s->u : sizeof *s->v));
	else
		free(arr);
	free(s->wide);
	memset(s, 0, sizeof *s);
}

void
series_add(struct series *s, double v)
{
	reserve(s, (void **)&s->v, sizeof *s->v, 1);
	s->v[s->n++] = v;
	s->sorted = false;
}

void
series_add_usec(struct series *s, usec_t v)
{
	s->usec = true;
	s->sorted = false;
	if (v >= 0 && v <= UINT32_MAX) {
		reserve(s, (void **)&s->u, sizeof *s->u, 1);
		s->u[s->n++ - s->nwide] = (uint32_t)v;
		return;
	}
	/* rare (a stream stalled over an hour, a hand-made file): kept whole,
	 * the negative ones first, so that order is a plain concatenation */
	if (s->nwide == s->wide_cap) {
		s->wide_cap = s->wide_cap ? s->wide_cap * 2 : 16;
		s->wide = xreallocarray(s->wide, s->wide_cap, sizeof *s->wide);
	}
	s->wide[s->nwide++] = v;
	s->nneg += v < 0;
	s->n++;
}

/* In order once sorted: the negative wide times, u, the long ones. */
double
series_value(const struct series *s, size_t i)
{
	size_t nu = s->n - s->nwide;

	if (!s->usec)
		return s->v[i];
	if (i < s->nneg)
		return usec_to_sec(s->wide[i]);
	if (i - s->nneg < nu)
		return usec_to_sec(s->u[i - s->nneg]);
	return usec_to_sec(s->wide[i - nu]);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
cmp_usec(const void *a, const void *b)
{
	usec_t x = *(const usec_t *)a, y = *(const usec_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

#define RADIX_BITS	11
#define RADIX		(1 << RADIX_BITS)
#define RADIX_MIN	512	/* fewer values are sorted by comparison */

/* Sorts n microsecond counts by a least-significant-digit radix sort, 11
 * bits a pass, in the passes their largest needs: a run holds millions of
 * token gaps, and this is several times faster than qsort on them. The
 * scratch array is freed after, so that a run's end keeps no peak. */
static void
sort_u32(uint32_t *v, size_t n)
{
	size_t count[RADIX], i;
	uint32_t *a = v, *b, *t, top = 0;
	int shift;

	if (n < RADIX_MIN) {
		if (n > 1)
			qsort(v, n, sizeof *v, cmp_u32);
		return;
	}
	for (i = 0; i < n; i++)
		top |= v[i];
	b = xreallocarray(NULL, n, sizeof *b);
	huge_pages(b, n * sizeof *b);
	for (shift = 0; shift < 32 && top >> shift != 0; shift += RADIX_BITS) {
		size_t sum = 0, c;

		memset(count, 0, sizeof count);
		for (i = 0; i < n; i++)
			count[(a[i] >> shift) & (RADIX - 1)]++;
		if (count[(a[0] >> shift) & (RADIX - 1)] == n)
			continue;	/* every value has this digit */
		for (i = 0; i < RADIX; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[count[(a[i] >> shift) & (RADIX - 1)]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	if (a != v) {	/* an odd number of passes ended in the scratch */
		memcpy(v, a, n * sizeof *v);
		b = a;
	}
	free(b);
}

void
series_sort(struct series *s)
{
	if (s->sorted)
		return;
	if (s->usec) {
		sort_u32(s->u, s->n - s->nwide);
		if (s->nwide > 0)	/* (qsort of NULL, 0 is undefined) */
			qsort(s->wide, s->nwide, sizeof *s->wide, cmp_usec);
	} else if (s->n > 0)	/* one value a request: few enough for qsort */
		qsort(s->v, s->n, sizeof *s->v, cmp_double);
	s->sorted = true;
}

double
series_percentile_of_sorted(const struct series *s, double p)
{
	double idx, lo_v;
	size_t lo;

	if (s->n == 0)
		return NAN;
	idx = p / 100.0 * (double)(s->n - 1);
	lo = (size_t)floor(idx);
	lo_v = series_value(s, lo >= s->n - 1 ? s->n - 1 : lo);
	if (lo >= s->n - 1)
		return lo_v;
	return lo_v + (series_value(s, lo + 1) - lo_v) * (idx - (double)lo);
}

double
series_percentile_sorted(const double *v, size_t n, double p)
{
	struct series s = { .v = (double *)v, .n = n, .sorted = true };

	return series_percentile_of_sorted(&s, p);
}

/* Quickselect: leaves the k-th smallest at v[k]. */
static void
select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				t = v[i]; v[i] = v[j]; v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/* Of doubles: selection on a scratch copy. */
static double
percentile_doubles(const struct series *s, double p)
{
	double *tmp, idx, lo_v, hi_v;
	size_t lo, i;

	tmp = xreallocarray(NULL, s->n, sizeof *tmp);
	memcpy(tmp, s->v, s->n * sizeof *tmp);
	idx = p / 100.0 * (double)(s->n - 1);
	lo = (size_t)floor(idx);
	select_kth(tmp, s->n, lo);
	lo_v = hi_v = tmp[lo];
	if (lo + 1 < s->n) {
		hi_v = tmp[lo + 1];
		for (i = lo + 2; i < s->n; i++)
			if (tmp[i] < hi_v)
				hi_v = tmp[i];
	}
	free(tmp);
	return lo_v + (hi_v - lo_v) * (idx - (double)lo);
}

/* Of times: a sorted copy (the radix sort is about as fast as a selection,
 * and the copy is half the size a double's would be). */
static double
percentile_usec(const struct series *s, double p)
{
	size_t nu = s->n - s->nwide;
	struct series c = *s;
	double v;

	c.mapped = false;
	c.cap = nu;
	c.wide_cap = s->nwide;
	c.u = xreallocarray(NULL, nu ? nu : 1, sizeof *c.u);
	c.wide = xreallocarray(NULL, s->nwide ? s->nwide : 1, sizeof *c.wide);
	if (nu > 0)		/* s->u may be NULL */
		memcpy(c.u, s->u, nu * sizeof *c.u);
	if (s->nwide > 0)
		memcpy(c.wide, s->wide, s->nwide * sizeof *c.wide);
	series_sort(&c);
	v = series_percentile_of_sorted(&c, p);
	series_free(&c);
	return v;
}

double
series_percentile(const struct series *s, double p)
{
	if (s->n == 0)
		return NAN;
	if (s->sorted)
		return series_percentile_of_sorted(s, p);
	return s->usec ? percentile_usec(s, p) : percentile_doubles(s, p);
}

/* A double's bits, made to order as the numbers do: non-negative ones gain
 * the sign bit, negative ones are flipped whole. */
static inline uint64_t
order_key(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static inline double
order_value(uint64_t u)
{
	double d;

	u = u >> 63 ? u & ~(UINT64_C(1) << 63) : ~u;
	memcpy(&d, &u, sizeof d);
	return d;
}

/* The least x with more than r values at or below it, found by bisecting
 * the ordered bits of doubles, counting by binary search in each series. */
double
series_rank(struct series *const *all, int k, size_t r)
{
	uint64_t lo = 0, hi = UINT64_MAX;	/* the answer is in [lo, hi] */
	int i;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		size_t count = 0;

		for (i = 0; i < k; i++) {
			size_t a = 0, b = all[i]->n;

			while (a < b) {		/* values <= mid */
				size_t m = a + (b - a) / 2;

				if (order_key(series_value(all[i], m)) <= mid)
					a = m + 1;
				else
					b = m;
			}
			count += a;
		}
		if (count > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return order_value(lo);
}
