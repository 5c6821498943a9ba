/* The Prometheus text exposition format, version 0.0.4:
 *
 *   # HELP name text          (ignored)
 *   # TYPE name counter|gauge|histogram|summary|untyped
 *   # any other comment       (ignored)
 *   name{label="value",...} value [timestamp]
 *
 * Label values escape \\, \" and \n. Values are floats, with NaN, +Inf and
 * -Inf. A line is parsed when whole, so the input may come in pieces of any
 * size; each line is bounded. A line off the format is skipped and counted,
 * as one odd series must not hide every other. */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

void
prom_init(struct prom_parser *p, void (*on_sample)(void *,
    const struct prom_sample *), void *ctx)
{
	memset(p, 0, sizeof *p);
	buf_init(&p->line);
	p->on_sample = on_sample;
	p->ctx = ctx;
}

void
prom_done(struct prom_parser *p)
{
	buf_free(&p->line);
}

static int
fail(struct prom_parser *p, const char *why)
{
	p->failed = true;
	snprintf(p->err, sizeof p->err, "line %ld: %s", p->lineno, why);
	return -1;
}

/* A line off the format: skipped, the first one's reason kept. */
static int
skip(struct prom_parser *p, const char *why)
{
	if (p->skipped++ == 0)
		snprintf(p->skip_err, sizeof p->skip_err, "line %ld: %s",
		    p->lineno, why);
	return 0;
}

static bool
name_start(int c)
{
	return isalpha(c) || c == '_' || c == ':';
}

static bool
name_char(int c)
{
	return isalnum(c) || c == '_' || c == ':';
}

/* A number as the format writes it; false when it is not one. */
static bool
number(const char *s, size_t n, double *out)
{
	char tmp[64], *end;

	if (n == 0 || n >= sizeof tmp)
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (strcmp(tmp, "+Inf") == 0 || strcmp(tmp, "Inf") == 0) {
		*out = INFINITY;
		return true;
	}
	if (strcmp(tmp, "-Inf") == 0) {
		*out = -INFINITY;
		return true;
	}
	if (strcmp(tmp, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	/* strtod takes "inf", "nan" and hex too: the format does not */
	if (strpbrk(tmp, "xXiInN") != NULL)
		return false;
	*out = strtod(tmp, &end);
	return *end == '\0';
}

static const char *const type_names[] = {
	[PROM_UNTYPED] = "untyped", [PROM_COUNTER] = "counter",
	[PROM_GAUGE] = "gauge", [PROM_HISTOGRAM] = "histogram",
	[PROM_SUMMARY] = "summary",
};

const char *
prom_type_name(enum prom_type t)
{
	return (unsigned)t < sizeof type_names / sizeof type_names[0] ?
	    type_names[t] : "?";
}

/* "# TYPE name kind": the family's type, for the samples that follow. */
static int
comment(struct prom_parser *p, const char *s, size_t n)
{
	const char *name, *kind;
	size_t nl, kl, i;

	if (n < 7 || memcmp(s, "# TYPE ", 7) != 0)
		return 0;
	name = s + 7;
	for (nl = 0; 7 + nl < n && name[nl] != ' '; nl++)
		;
	kind = name + nl + 1;
	p->family[0] = '\0';	/* its samples are untyped */
	if (7 + nl >= n || nl == 0 || nl >= sizeof p->family)
		return skip(p, "a TYPE comment without a metric name and a type");
	kl = n - 7 - nl - 1;
	for (i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
		if (strlen(type_names[i]) == kl && memcmp(kind, type_names[i], kl) == 0) {
			memcpy(p->family, name, nl);
			p->family[nl] = '\0';
			p->family_type = (enum prom_type)i;
			return 0;
		}
	return skip(p, "a TYPE that is not counter, gauge, histogram, summary "
	    "or untyped");
}

/* The family a sample belongs to: its name, or for a histogram's or a
 * summary's _bucket, _sum and _count the name without it. */
static enum prom_type
type_of(const struct prom_parser *p, const char *name, size_t n)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	size_t fl = strlen(p->family), i;

	if (fl == 0 || n < fl || memcmp(name, p->family, fl) != 0)
		return PROM_UNTYPED;
	if (n == fl)
		return p->family_type;
	for (i = 0; i < 3; i++)
		if (n - fl == strlen(suffixes[i]) &&
		    memcmp(name + fl, suffixes[i], n - fl) == 0)
			return p->family_type;
	return PROM_UNTYPED;
}

static int
sample_line(struct prom_parser *p, const char *s, size_t n)
{
	struct prom_sample x = { .labels = "" };
	size_t i = 0, v;

	if (!name_start((unsigned char)s[0]))
		return skip(p, "a sample must begin with a metric name");
	while (i < n && name_char((unsigned char)s[i]))
		i++;
	x.name = s;
	x.name_len = i;
	if (i < n && s[i] == '{') {
		size_t start = ++i;

		/* label="value" pairs, values escaped, a trailing comma allowed */
		for (;;) {
			while (i < n && s[i] == ' ')
				i++;
			if (i < n && s[i] == '}')
				break;
			if (i >= n || !name_start((unsigned char)s[i]))
				return skip(p, "a label must begin with a name");
			while (i < n && name_char((unsigned char)s[i]))
				i++;
			if (i + 1 >= n || s[i] != '=' || s[i + 1] != '"')
				return skip(p, "a label's value must be =\"...\"");
			for (i += 2; i < n && s[i] != '"'; i++)
				if (s[i] == '\\' && ++i >= n)
					break;
			if (i >= n)
				return skip(p, "a label's value is not closed");
			i++;
			while (i < n && s[i] == ' ')
				i++;
			if (i < n && s[i] == ',')
				i++;
			else if (i < n && s[i] != '}')
				return skip(p, "labels must be separated by commas");
		}
		x.labels = s + start;
		x.labels_len = i - start;
		i++;
	}
	if (i >= n || (s[i] != ' ' && s[i] != '\t'))
		return skip(p, "a sample needs a value after its name");
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (v = i; i < n && s[i] != ' ' && s[i] != '\t'; i++)
		;
	if (!number(s + v, i - v, &x.value))
		return skip(p, "a sample's value is not a number");
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n) {		/* a timestamp, in ms: read, not used */
		double ts;

		if (!number(s + i, n - i, &ts))
			return skip(p, "what follows the value is not a timestamp");
	}
	x.type = type_of(p, x.name, x.name_len);
	p->on_sample(p->ctx, &x);
	return 0;
}

static int
line(struct prom_parser *p, const char *s, size_t n)
{
	p->lineno++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (n == 0)
		return 0;
	if (*s == '#')
		return comment(p, s, n);
	return sample_line(p, s, n);
}

int
prom_feed(struct prom_parser *p, const char *data, size_t n)
{
	const char *nl;

	if (p->failed)
		return -1;
	while (n > 0 && (nl = memchr(data, '\n', n)) != NULL) {
		size_t k = (size_t)(nl - data);
		int rc;

		if (p->line.len + k > PROM_LINE_MAX)
			return fail(p, "a line longer than 64 KB");
		if (p->line.len > 0) {
			buf_add(&p->line, data, k);
			rc = line(p, p->line.p, p->line.len);
			p->line.len = 0;
		} else
			rc = line(p, data, k);
		if (rc != 0)
			return -1;
		data += k + 1;
		n -= k + 1;
	}
	if (p->line.len + n > PROM_LINE_MAX)
		return fail(p, "a line longer than 64 KB");
	buf_add(&p->line, data, n);
	return 0;
}

int
prom_finish(struct prom_parser *p)
{
	int rc;

	if (p->failed)
		return -1;
	if (p->line.len == 0)
		return 0;
	rc = line(p, p->line.p, p->line.len);
	p->line.len = 0;
	return rc;
}

bool
prom_label(const struct prom_sample *x, const char *key, char *out, size_t len)
{
	const char *s = x->labels, *end = x->labels + x->labels_len;
	size_t kl = strlen(key), o;

	while (s < end) {
		const char *name = s;

		while (s < end && *s == ' ')
			name = ++s;
		while (s < end && *s != '=')
			s++;
		if (s + 1 >= end)
			return false;
		s += 2;			/* =" */
		if ((size_t)(s - 2 - name) == kl && memcmp(name, key, kl) == 0) {
			for (o = 0; s < end && *s != '"'; s++) {
				char c = *s;

				if (c == '\\' && s + 1 < end) {
					c = *++s;
					if (c == 'n')
						c = '\n';
				}
				if (o + 1 < len)
					out[o++] = c;
			}
			if (len > 0)
				out[o] = '\0';
			return true;
		}
		while (s < end && *s != '"')
			s += *s == '\\' ? 2 : 1;
		s++;			/* the closing quote */
		while (s < end && (*s == ',' || *s == ' '))
			s++;
	}
	return false;
}

/* The servers' names for the gauges: one table, the only copy. */
static const struct {
	const char		*name;
	enum server_gauge	 gauge;
	double			 scale;
	bool			 counter;
} known[] = {
	/* vLLM */
	{ "vllm:num_requests_running", SG_RUNNING, 1, false },
	{ "vllm:num_requests_waiting", SG_WAITING, 1, false },
	{ "vllm:kv_cache_usage_perc", SG_KV_USAGE, 1, false },
	{ "vllm:gpu_cache_usage_perc", SG_KV_USAGE, 1, false },	/* older */
	{ "vllm:num_preemptions_total", SG_PREEMPTIONS, 1, true },
	{ "vllm:generation_tokens_total", SG_GEN_TOKENS, 1, true },
	/* SGLang */
	{ "sglang:num_running_reqs", SG_RUNNING, 1, false },
	{ "sglang:num_queue_reqs", SG_WAITING, 1, false },
	{ "sglang:token_usage", SG_KV_USAGE, 1, false },
	{ "sglang:cache_hit_rate", SG_PREFIX_HIT, 1, false },
	/* TGI */
	{ "tgi_batch_current_size", SG_RUNNING, 1, false },
	{ "tgi_queue_size", SG_WAITING, 1, false },
	/* llama.cpp */
	{ "llamacpp:requests_processing", SG_RUNNING, 1, false },
	{ "llamacpp:requests_deferred", SG_WAITING, 1, false },
	{ "llamacpp:kv_cache_usage_ratio", SG_KV_USAGE, 1, false },
	{ "llamacpp:tokens_predicted_total", SG_GEN_TOKENS, 1, true },
	/* NVIDIA DCGM exporter, one series per GPU, summed */
	{ "DCGM_FI_DEV_GPU_UTIL", SG_GPU_UTIL, 1, false },
	{ "DCGM_FI_DEV_FB_USED", SG_GPU_MEM, 1, false },
	{ "DCGM_FI_DEV_POWER_USAGE", SG_GPU_POWER, 1, false },
};

int
server_gauge_of(const char *name, size_t len, double *scale, bool *counter)
{
	size_t i;

	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strlen(known[i].name) == len && memcmp(known[i].name, name, len) == 0) {
			*scale = known[i].scale;
			*counter = known[i].counter;
			return (int)known[i].gauge;
		}
	return -1;
}

const char *
server_gauge_name(enum server_gauge g)
{
	static const char *const names[SG_COUNT] = {
		"running", "waiting", "kv_usage", "prefix_hit", "preemptions_s",
		"gen_tok_s", "gpu_util", "gpu_mem_mib", "gpu_power_w",
	};

	return (unsigned)g < SG_COUNT ? names[g] : "?";
}

bool
server_gauge_averaged(enum server_gauge g)
{
	return g == SG_KV_USAGE || g == SG_PREFIX_HIT || g == SG_GPU_UTIL;
}

const struct server_gauge_show *
server_gauge_show(enum server_gauge g)
{
	static const struct server_gauge_show shown[SG_COUNT] = {
		[SG_RUNNING] = { "running", 1, "" },
		[SG_WAITING] = { "waiting", 1, "" },
		[SG_KV_USAGE] = { "KV cache", 100, "%" },
		[SG_PREFIX_HIT] = { "prefix hits", 100, "%" },
		[SG_PREEMPTIONS] = { "preemptions/s", 1, "" },
		[SG_GEN_TOKENS] = { "gen tok/s", 1, "" },
		[SG_GPU_UTIL] = { "GPU util", 1, "%" },
		[SG_GPU_MEM] = { "GPU memory MiB", 1, "" },
		[SG_GPU_POWER] = { "GPU power W", 1, "" },
	};

	return &shown[(unsigned)g < SG_COUNT ? g : SG_RUNNING];
}

bool
server_ttft_family(const char *name, size_t len)
{
	static const char *const families[] = {
		"vllm:time_to_first_token_seconds",
		"sglang:time_to_first_token_seconds",
	};
	size_t i;

	for (i = 0; i < sizeof families / sizeof families[0]; i++)
		if (strlen(families[i]) == len && memcmp(families[i], name, len) == 0)
			return true;
	return false;
}

/* The bucket of the q-quantile, and its rank: -1 when empty. */
static int
bucket_of(const struct prom_hist *h, double q, double *rank, double *lo)
{
	int i;

	if (h->n == 0 || h->cum[h->n - 1] <= 0 || isnan(q))
		return -1;
	*rank = q * h->cum[h->n - 1];
	for (i = 0; i < h->n - 1 && h->cum[i] < *rank; i++)
		;
	*lo = i > 0 ? h->le[i - 1] : fmin(0, h->le[0]);
	return i;
}

int
prom_hist_bucket(const struct prom_hist *h, double q, double *lo, double *hi)
{
	double rank;
	int i = bucket_of(h, q, &rank, lo);

	if (i < 0)
		return -1;
	*hi = h->le[i];
	return 0;
}

double
prom_hist_quantile(const struct prom_hist *h, double q)
{
	double rank, lo, below;
	int i = bucket_of(h, q, &rank, &lo);

	if (i < 0)
		return NAN;
	if (isinf(h->le[i]))
		return i > 0 ? h->le[i - 1] : NAN;
	below = i > 0 ? h->cum[i - 1] : 0;
	if (h->cum[i] - below <= 0)
		return h->le[i];
	/* within [lo, le], whatever the rounding */
	return fmin(h->le[i], lo + (h->le[i] - lo) * ((rank - below) /
	    (h->cum[i] - below)));
}

int
prom_hist_add(struct prom_hist *sum, const struct prom_hist *d)
{
	int i;

	if (d->n == 0)
		return 0;
	if (sum->n == 0) {
		*sum = *d;
		return 0;
	}
	if (sum->n != d->n ||
	    memcmp(sum->le, d->le, sizeof d->le[0] * (size_t)d->n) != 0)
		return -1;
	for (i = 0; i < d->n; i++)
		sum->cum[i] += d->cum[i];
	sum->sum += d->sum;
	sum->count += d->count;
	return 0;
}
