#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "schedule.h"
#include "xalloc.h"

void
arrivals_init(struct arrivals *a, enum arrival kind, double shape,
    unsigned long seed)
{
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->shape = shape;
	rng_seed(&a->rng, seed);
	a->next = ARRIVAL_NEVER;
}

/* The time at which L reaches a->u, solving the segment's quadratic in a
 * form that stays exact when the slope is small or negative. */
static void
place(struct arrivals *a)
{
	double d = a->u - a->u0, disc, x;

	if (d <= 0) {
		a->next = a->t0;
		return;
	}
	disc = a->rate * a->rate + 2.0 * a->slope * d;
	if (disc < 0 || a->rate + sqrt(disc) <= 0) {
		a->next = ARRIVAL_NEVER;	/* the rate falls to 0 before */
		return;
	}
	x = 2.0 * d / (a->rate + sqrt(disc));
	if (!isfinite(x) || x > 1e9) {
		a->next = ARRIVAL_NEVER;
		return;
	}
	a->next = a->t0 + (usec_t)llround(x * USEC_PER_SEC);
}

void
arrivals_begin(struct arrivals *a, usec_t now, double rate, double slope)
{
	a->t0 = now;
	a->u0 = a->u = 0;
	a->rate = rate;
	a->slope = slope;
	place(a);
}

static double
gap(struct arrivals *a)
{
	switch (a->kind) {
	case ARRIVAL_POISSON:
		return rng_exp(&a->rng);
	case ARRIVAL_GAMMA:
		return rng_gamma(&a->rng, a->shape);
	default:
		return 1.0;
	}
}

void
arrivals_step(struct arrivals *a)
{
	a->u += gap(a);
	place(a);
}

double
arrivals_rate_at(const struct arrivals *a, usec_t now)
{
	double r = a->rate + a->slope * usec_to_sec(now - a->t0);

	return r > 0 ? r : 0;
}

void
arrivals_set_rate(struct arrivals *a, usec_t now, double rate)
{
	double x = usec_to_sec(now - a->t0);

	if (x > 0) {
		a->u0 += a->rate * x + a->slope * x * x / 2;
		a->t0 = now;
	}
	a->rate = rate;
	a->slope = 0;
	place(a);
}

void
arrivals_shift(struct arrivals *a, usec_t d)
{
	a->t0 += d;
	if (a->next != ARRIVAL_NEVER)
		a->next += d;
}

const char *
arrival_name(enum arrival kind)
{
	return kind == ARRIVAL_POISSON ? "poisson" :
	    kind == ARRIVAL_GAMMA ? "gamma" : "constant";
}

int
arrival_parse(const char *s, enum arrival *kind, double *shape)
{
	char *end;

	*shape = 1;
	if (strcmp(s, "constant") == 0)
		*kind = ARRIVAL_CONSTANT;
	else if (strcmp(s, "poisson") == 0)
		*kind = ARRIVAL_POISSON;
	else if (strncmp(s, "gamma:", 6) == 0) {
		errno = 0;
		*shape = strtod(s + 6, &end);
		if (errno != 0 || end == s + 6 || *end != '\0' || !isfinite(*shape) ||
		    *shape < 0.01 || *shape > 1000)
			return -1;
		*kind = ARRIVAL_GAMMA;
	} else
		return -1;
	return 0;
}

struct entry {
	usec_t	at;
	long	prompt;
	size_t	order;		/* keeps equal times in file order */
};

static int
cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

int
schedule_load(const char *path, usec_t **at, long **prompt, size_t *n,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct entry *v = NULL;
	size_t count = 0, cap = 0, i;
	char *line = NULL;
	size_t linecap = 0;
	long lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "--schedule: %s: %s", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &linecap, f) >= 0) {
		char *p = line, *end;
		double sec;
		long idx = -1;

		lineno++;
		p += strspn(p, " \t");
		if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0')
			continue;
		errno = 0;
		sec = strtod(p, &end);
		if (end == p || errno != 0 || !isfinite(sec) || sec < 0 || sec > 1e7 ||
		    (*end != '\0' && strchr(" \t,\r\n", *end) == NULL)) {
			p[strcspn(p, " \t,\r\n")] = '\0';
			snprintf(err, errlen, "--schedule: %s:%ld: '%s' is not a send "
			    "offset in seconds", path, lineno, p);
			goto fail;
		}
		p = end + strspn(end, " \t,");
		if (*p != '\0' && *p != '\n' && *p != '\r' && *p != '#') {
			errno = 0;
			idx = strtol(p, &end, 10);
			end += strspn(end, " \t\r\n");
			if (errno != 0 || idx < 0 || (*end != '\0' && *end != '#')) {
				p[strcspn(p, " \t\r\n")] = '\0';
				snprintf(err, errlen, "--schedule: %s:%ld: '%s' is not a "
				    "prompt index", path, lineno, p);
				goto fail;
			}
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[count].at = (usec_t)llround(sec * USEC_PER_SEC);
		v[count].prompt = idx;
		v[count].order = count;
		count++;
	}
	if (count == 0) {
		snprintf(err, errlen, "--schedule: %s holds no send times", path);
		goto fail;
	}
	qsort(v, count, sizeof *v, cmp_entry);
	*at = xreallocarray(NULL, count, sizeof **at);
	*prompt = xreallocarray(NULL, count, sizeof **prompt);
	for (i = 0; i < count; i++) {
		(*at)[i] = v[i].at;
		(*prompt)[i] = v[i].prompt;
	}
	*n = count;
	free(v);
	free(line);
	fclose(f);
	return 0;
fail:
	free(v);
	free(line);
	fclose(f);
	return -1;
}

static const char *const format_names[] = {
	[SCHED_AUTO] = "auto", [SCHED_PLAIN] = "plain",
	[SCHED_MOONCAKE] = "mooncake", [SCHED_BURSTGPT] = "burstgpt",
};

const char *
sched_format_name(enum sched_format f)
{
	return format_names[f];
}

int
sched_format_parse(const char *s, enum sched_format *f)
{
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*f = (enum sched_format)i;
			return 0;
		}
	}
	return -1;
}

void
schedule_free(struct schedule *s)
{
	size_t i;

	for (i = 0; s->req != NULL && i < s->n; i++)
		free(s->req[i].hash_ids);
	free(s->req);
	free(s->at);
	free(s->prompt);
	memset(s, 0, sizeof *s);
}

#define TRACE_TOKENS_MAX	10000000L	/* a request's, in or out */
#define TRACE_SECONDS_MAX	1e8

/* A trace being read: its entries, and the time of the last one. */
struct trace {
	const char	*path;
	struct schedule	*s;
	size_t		 cap;
	double		 first, last;	/* seconds, as the file says */
	char		*err;
	size_t		 errlen;
};

static void
trace_add(struct trace *t, double sec, long in, long out, long *hash,
    size_t nhash)
{
	struct schedule *s = t->s;

	if (s->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		s->at = xreallocarray(s->at, t->cap, sizeof *s->at);
		s->prompt = xreallocarray(s->prompt, t->cap, sizeof *s->prompt);
		s->req = xreallocarray(s->req, t->cap, sizeof *s->req);
	}
	if (s->n == 0)
		t->first = sec;
	t->last = sec;
	s->at[s->n] = (usec_t)llround((sec - t->first) * USEC_PER_SEC);
	s->prompt[s->n] = -1;
	s->req[s->n].input_tokens = in > 0 ? in : 1;
	s->req[s->n].output_tokens = out;
	s->req[s->n].hash_ids = hash;
	s->req[s->n].nhash = nhash;
	s->n++;
}

/* The time of a new entry: a number of seconds no earlier than the last. */
static int
trace_time(struct trace *t, long lineno, double sec, const char *what)
{
	if (!isfinite(sec) || sec < 0 || sec > TRACE_SECONDS_MAX) {
		snprintf(t->err, t->errlen, "--schedule: %s:%ld: %s is not a time",
		    t->path, lineno, what);
		return -1;
	}
	if (t->s->n > 0 && sec < t->last) {
		snprintf(t->err, t->errlen, "--schedule: %s:%ld: %s goes back in time "
		    "(the line before is later): a trace's times must not decrease",
		    t->path, lineno, what);
		return -1;
	}
	return 0;
}

static int
json_count(const cJSON *root, const char *key, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
	    v->valuedouble > TRACE_TOKENS_MAX || v->valuedouble != floor(v->valuedouble))
		return -1;
	*out = (long)v->valuedouble;
	return 0;
}

static int
mooncake_line(struct trace *t, long lineno, const char *line)
{
	static const char *const need[] = { "timestamp", "input_length",
	    "output_length" };
	cJSON *root = cJSON_Parse(line);
	const cJSON *ts, *ids, *id;
	long in, out, *hash = NULL;
	size_t nhash = 0, i;
	char what[64];

	if (!cJSON_IsObject(root)) {
		snprintf(t->err, t->errlen, "--schedule: %s:%ld: not a JSON object "
		    "(a Mooncake trace has one a line)", t->path, lineno);
		goto fail;
	}
	for (i = 0; i < sizeof need / sizeof need[0]; i++) {
		if (cJSON_GetObjectItemCaseSensitive(root, need[i]) == NULL) {
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: \"%s\" is missing",
			    t->path, lineno, need[i]);
			goto fail;
		}
	}
	ts = cJSON_GetObjectItemCaseSensitive(root, "timestamp");
	if (json_count(root, "input_length", &in) != 0 ||
	    json_count(root, "output_length", &out) != 0) {
		snprintf(t->err, t->errlen, "--schedule: %s:%ld: input_length and "
		    "output_length must be whole numbers of tokens", t->path, lineno);
		goto fail;
	}
	snprintf(what, sizeof what, "timestamp %.15g",
	    cJSON_IsNumber(ts) ? ts->valuedouble : NAN);
	if (!cJSON_IsNumber(ts) ||
	    trace_time(t, lineno, ts->valuedouble / 1000.0, what) != 0) {
		if (!cJSON_IsNumber(ts))
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: timestamp must "
			    "be a number of milliseconds", t->path, lineno);
		goto fail;
	}
	ids = cJSON_GetObjectItemCaseSensitive(root, "hash_ids");
	if (ids != NULL && !cJSON_IsArray(ids)) {
		snprintf(t->err, t->errlen, "--schedule: %s:%ld: hash_ids must be an "
		    "array", t->path, lineno);
		goto fail;
	}
	cJSON_ArrayForEach(id, ids) {
		if (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > 1e15) {
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: hash_ids must "
			    "hold whole numbers", t->path, lineno);
			free(hash);
			goto fail;
		}
		hash = xreallocarray(hash, nhash + 1, sizeof *hash);
		hash[nhash++] = (long)id->valuedouble;
	}
	trace_add(t, ts->valuedouble / 1000.0, in, out, hash, nhash);
	cJSON_Delete(root);
	return 0;
fail:
	cJSON_Delete(root);
	return -1;
}

/* BurstGPT's columns, by the header's names. */
enum { COL_TIME, COL_IN, COL_OUT, NCOLS };
static const char *const col_names[NCOLS] = {
	[COL_TIME] = "Timestamp", [COL_IN] = "Request tokens",
	[COL_OUT] = "Response tokens",
};

/* The fields of a CSV line in place: cut at commas, spaces and quotes
 * around each taken off (BurstGPT quotes none). Returns how many. */
static int
csv_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		char *end = strchr(p, ','), *e;

		if (end != NULL)
			*end = '\0';
		p += strspn(p, " \t\"");
		e = p + strlen(p);
		while (e > p && strchr(" \t\"\r\n", e[-1]) != NULL)
			*--e = '\0';
		if (n < max)
			f[n] = p;
		n++;
		if (end == NULL)
			return n;
		p = end + 1;
	}
}

#define CSV_FIELDS_MAX 64

static int
burstgpt_header(struct trace *t, long lineno, char *line, int col[NCOLS])
{
	char *f[CSV_FIELDS_MAX];
	int n = csv_split(line, f, CSV_FIELDS_MAX), i, k;

	for (k = 0; k < NCOLS; k++) {
		col[k] = -1;
		for (i = 0; i < n && i < CSV_FIELDS_MAX; i++)
			if (strcmp(f[i], col_names[k]) == 0)
				col[k] = i;
		if (col[k] < 0) {
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: the header has no "
			    "'%s' column (BurstGPT's: Timestamp, Request tokens, Response "
			    "tokens)", t->path, lineno, col_names[k]);
			return -1;
		}
	}
	return 0;
}

static int
burstgpt_line(struct trace *t, long lineno, char *line, const int col[NCOLS])
{
	char *f[CSV_FIELDS_MAX], *end;
	int n = csv_split(line, f, CSV_FIELDS_MAX), k;
	double v[NCOLS];
	char what[64];

	for (k = 0; k < NCOLS; k++) {
		if (col[k] >= n) {
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: the '%s' column "
			    "is missing (%d fields)", t->path, lineno, col_names[k], n);
			return -1;
		}
		errno = 0;
		v[k] = strtod(f[col[k]], &end);
		if (end == f[col[k]] || *end != '\0' || errno != 0 ||
		    (k != COL_TIME && (v[k] < 0 || v[k] > TRACE_TOKENS_MAX ||
		    v[k] != floor(v[k])))) {
			snprintf(t->err, t->errlen, "--schedule: %s:%ld: %s '%.40s' is not "
			    "%s", t->path, lineno, col_names[k], f[col[k]],
			    k == COL_TIME ? "a time in seconds" : "a count of tokens");
			return -1;
		}
	}
	snprintf(what, sizeof what, "Timestamp %.15g", v[COL_TIME]);
	if (trace_time(t, lineno, v[COL_TIME], what) != 0)
		return -1;
	trace_add(t, v[COL_TIME], (long)v[COL_IN], (long)v[COL_OUT], NULL, 0);
	return 0;
}

static enum sched_format
detect(const char *line)
{
	line += strspn(line, " \t");
	if (*line == '{')
		return SCHED_MOONCAKE;
	if (strstr(line, "Timestamp") != NULL && strchr(line, ',') != NULL)
		return SCHED_BURSTGPT;
	return SCHED_PLAIN;
}

static int
trace_load(const char *path, enum sched_format fmt, struct schedule *s,
    char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct trace t = { path, s, 0, 0, 0, err, errlen };
	char *line = NULL;
	size_t linecap = 0;
	long lineno = 0;
	bool header = fmt == SCHED_BURSTGPT;
	int col[NCOLS], rc = 0;

	if (f == NULL) {
		snprintf(err, errlen, "--schedule: %s: %s", path, strerror(errno));
		return -1;
	}
	s->format = fmt;
	while (rc == 0 && getline(&line, &linecap, f) >= 0) {
		lineno++;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (header) {
			rc = burstgpt_header(&t, lineno, line, col);
			header = false;
		} else if (fmt == SCHED_MOONCAKE)
			rc = mooncake_line(&t, lineno, line);
		else
			rc = burstgpt_line(&t, lineno, line, col);
	}
	free(line);
	fclose(f);
	if (rc == 0 && s->n == 0) {
		snprintf(err, errlen, "--schedule: %s holds no requests", path);
		rc = -1;
	}
	if (rc != 0)
		schedule_free(s);
	return rc;
}

int
schedule_read(const char *path, enum sched_format fmt, double time_scale,
    struct schedule *s, char *err, size_t errlen)
{
	size_t i;

	memset(s, 0, sizeof *s);
	if (fmt == SCHED_AUTO) {
		FILE *f = fopen(path, "r");
		char *line = NULL;
		size_t cap = 0;

		if (f == NULL) {
			snprintf(err, errlen, "--schedule: %s: %s", path, strerror(errno));
			return -1;
		}
		fmt = SCHED_PLAIN;
		while (getline(&line, &cap, f) >= 0) {
			if (line[strspn(line, " \t\r\n")] == '\0')
				continue;
			fmt = detect(line);
			break;
		}
		free(line);
		fclose(f);
	}
	if (fmt == SCHED_PLAIN) {
		if (schedule_load(path, &s->at, &s->prompt, &s->n, err, errlen) != 0)
			return -1;
		s->format = SCHED_PLAIN;
	} else if (trace_load(path, fmt, s, err, errlen) != 0)
		return -1;
	if (time_scale != 1)
		for (i = 0; i < s->n; i++)
			s->at[i] = (usec_t)llround((double)s->at[i] * time_scale);
	return 0;
}
