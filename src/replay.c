#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "jsonl.h"
#include "replay.h"
#include "warn.h"
#include "xalloc.h"

#define ERR_MAX		256
#define READ_CHUNK	(1 << 20)	/* bytes read at once */
#define BATCH		128		/* records handed over at once */
#define BATCHES		8		/* decoded ahead at most */

struct batch {
	struct record	 r[BATCH];
	int		 n, at;
};

/* One saved session being read: plain or gzip (zlib reads both), a line at
 * a time, through a buffer of our own (gzgets would cap the line length).
 * A thread of its own decodes the lines ahead of the reader, a batch of
 * records at a time: decoding is half the work of a summary. */
struct jfile {
	const char	*path;
	gzFile		 gz;
	char		*buf;
	size_t		 cap, len, pos;	/* bytes held; the next line's start */
	bool		 eof;
	long		 lineno;
	struct run_info	 ri;
	usec_t		 offset;	/* added to its times when merged */
	int		 stage, segment;	/* the current one, as read */
	struct record	 next;		/* read ahead, when have_next */
	bool		 have_next;
	/* the decoder thread and its queue of batches */
	pthread_t	 thread;
	bool		 threaded;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct batch	*q[BATCHES];	/* decoded, for the reader */
	int		 qhead, qlen;
	/* read, back to the decoder; with the queue, the reader's and the one
	 * being filled, at most BATCHES + 2 batches exist */
	struct batch	*used[BATCHES + 2];
	int		 nused;
	bool		 done, stop;	/* done: rc and err say how it ended */
	int		 rc;
	char		 err[2 * ERR_MAX];
	struct batch	*cur;		/* the reader's */
};

/* The next line, without its newline, or NULL at the end. *last says it had
 * no newline: a crash may have cut it short. */
static char *
jfile_line(struct jfile *j, size_t *n, bool *last, char *err, size_t errlen)
{
	char *nl;
	int got;

	for (;;) {
		if ((nl = memchr(j->buf + j->pos, '\n', j->len - j->pos)) != NULL) {
			char *line = j->buf + j->pos;

			*n = (size_t)(nl - line);
			*nl = '\0';
			*last = false;
			j->pos += *n + 1;
			j->lineno++;
			return line;
		}
		if (j->eof) {
			if (j->pos == j->len)
				return NULL;
			*n = j->len - j->pos;
			j->buf[j->len] = '\0';
			*last = true;
			j->pos = j->len;
			j->lineno++;
			return j->buf + j->pos - *n;
		}
		if (j->len - j->pos > JSONL_LINE_MAX) {
			/* /dev/zero, or not a JSONL file: never held whole */
			snprintf(err, errlen, "%s:%ld: a line longer than %zu MB: not a "
			    "ttftop JSONL file", j->path, j->lineno + 1,
			    JSONL_LINE_MAX >> 20);
			return NULL;
		}
		/* keep the partial line, make room, read on */
		memmove(j->buf, j->buf + j->pos, j->len - j->pos);
		j->len -= j->pos;
		j->pos = 0;
		if (j->cap - j->len < READ_CHUNK + 1) {
			j->cap = j->len + READ_CHUNK + 1;
			j->buf = xreallocarray(j->buf, j->cap, 1);
		}
		got = gzread(j->gz, j->buf + j->len, READ_CHUNK);
		if (got < 0) {
			int zerr;
			const char *why = gzerror(j->gz, &zerr);

			if (zerr != Z_BUF_ERROR) {
				snprintf(err, errlen, "%s: %s", j->path,
				    zerr == Z_ERRNO ? strerror(errno) : why);
				return NULL;
			}
			got = 0;	/* a cut gzip stream: what came is kept */
		}
		if (got == 0)
			j->eof = true;
		j->len += (size_t)got;
	}
}

/* Decodes the next record of j into r. Returns 1 with one, 0 at the end,
 * -1 with a message naming the file and line. */
static int
jfile_decode(struct jfile *j, struct record *r, char *err, size_t errlen)
{
	char why[ERR_MAX];
	size_t n;
	bool last;
	char *line;
	int d;

	err[0] = '\0';
	while ((line = jfile_line(j, &n, &last, err, errlen)) != NULL) {
		d = jsonl_decode(line, n, r, why, sizeof why);
		if (d < 0 && last && j->lineno > 1) {
			/* a crash can cut the last line short: it is all that is lost */
			warn("%s:%ld: the last line is cut short; skipped", j->path,
			    j->lineno);
			return 0;
		}
		if (d < 0) {
			if (j->lineno == 1)
				snprintf(err, errlen, "%s:1: not a ttftop JSONL file (%s)",
				    j->path, why);
			else
				snprintf(err, errlen, "%s:%ld: %s", j->path, j->lineno, why);
			return -1;
		}
		if (j->lineno == 1 && (d == 1 || r->type != REC_RUN)) {
			if (d == 0)
				record_free(r);
			snprintf(err, errlen, "%s:1: not a ttftop JSONL file (it does "
			    "not begin with a run record)", j->path);
			return -1;
		}
		if (d == 1)
			continue;	/* a record type of a later version */
		if (j->lineno > 1 && r->type == REC_RUN) {
			record_free(r);
			snprintf(err, errlen, "%s:%ld: a second run record", j->path,
			    j->lineno);
			return -1;
		}
		return 1;
	}
	return err[0] != '\0' ? -1 : 0;
}

static void *
decoder(void *arg)
{
	struct jfile *j = arg;
	char err[sizeof j->err];
	int rc = 1;

	while (rc == 1) {
		struct batch *b = NULL;

		/* a batch the reader is done with: its records are freed here, by
		 * the thread that allocated them, so that malloc reuses the memory */
		pthread_mutex_lock(&j->mu);
		if (j->nused > 0)
			b = j->used[--j->nused];
		pthread_mutex_unlock(&j->mu);
		if (b == NULL)
			b = xcalloc(1, sizeof *b);
		while (b->n > 0)
			record_free(&b->r[--b->n]);
		b->at = 0;
		while (b->n < BATCH && (rc = jfile_decode(j, &b->r[b->n], err,
		    sizeof err)) == 1)
			b->n++;
		pthread_mutex_lock(&j->mu);
		while (j->qlen == BATCHES && !j->stop)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->stop) {
			pthread_mutex_unlock(&j->mu);
			while (b->n > 0)
				record_free(&b->r[--b->n]);
			free(b);
			jsonl_thread_done();
			return NULL;
		}
		j->q[(j->qhead + j->qlen++) % BATCHES] = b;
		if (rc != 1) {
			j->done = true;
			j->rc = rc;
			memcpy(j->err, err, sizeof err);
		}
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
	}
	jsonl_thread_done();
	return NULL;
}

/* Reads the next record of j into j->next, from the decoder's batches.
 * Returns as jfile_decode. */
static int
jfile_read(struct jfile *j, char *err, size_t errlen)
{
	for (;;) {
		if (j->cur != NULL && j->cur->at < j->cur->n) {
			/* a copy: the batch keeps the record's memory */
			j->next = j->cur->r[j->cur->at++];
			return 1;
		}
		pthread_mutex_lock(&j->mu);
		if (j->cur != NULL)
			j->used[j->nused++] = j->cur;
		j->cur = NULL;
		while (j->qlen == 0 && !j->done)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->qlen > 0) {
			j->cur = j->q[j->qhead];
			j->qhead = (j->qhead + 1) % BATCHES;
			j->qlen--;
			pthread_cond_broadcast(&j->cv);
		}
		pthread_mutex_unlock(&j->mu);
		if (j->cur == NULL) {		/* done, and every batch read */
			snprintf(err, errlen, "%s", j->err);
			return j->rc;
		}
	}
}

static void
jfile_close(struct jfile *j)
{
	if (j->threaded) {
		pthread_mutex_lock(&j->mu);
		j->stop = true;
		pthread_cond_broadcast(&j->cv);
		pthread_mutex_unlock(&j->mu);
		pthread_join(j->thread, NULL);
		if (j->cur != NULL)
			j->used[j->nused++] = j->cur;
		for (; j->qlen > 0; j->qlen--, j->qhead = (j->qhead + 1) % BATCHES)
			j->used[j->nused++] = j->q[j->qhead];
		while (j->nused > 0) {
			struct batch *b = j->used[--j->nused];

			while (b->n > 0)
				record_free(&b->r[--b->n]);
			free(b);
		}
		pthread_mutex_destroy(&j->mu);
		pthread_cond_destroy(&j->cv);
	}
	run_info_free(&j->ri);
	free(j->buf);
	if (j->gz != NULL)
		gzclose(j->gz);
}

/* Opens path and reads its run record. */
static int
jfile_open(struct jfile *j, const char *path, char *err, size_t errlen)
{
	int rc;

	memset(j, 0, sizeof *j);
	j->path = path;
	if ((j->gz = gzopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, errno ? strerror(errno) :
		    "cannot be opened");
		return -1;
	}
	j->cap = READ_CHUNK + 1;
	j->buf = xreallocarray(NULL, j->cap, 1);
	if ((rc = jfile_decode(j, &j->next, err, errlen)) <= 0) {
		if (rc == 0)
			snprintf(err, errlen, "%s: empty: not a ttftop JSONL file", path);
		return -1;
	}
	j->ri = j->next.run;
	memset(&j->next.run, 0, sizeof j->next.run);	/* kept, not freed */
	record_free(&j->next);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->thread, NULL, decoder, j) != 0)
		fatal("cannot start a thread");
	pthread_setname_np(j->thread, "ttftop-decode");	/* for top -H, perf */
	j->threaded = true;
	return 0;
}

/* When the live sinks heard of a record: a request at its end, the others
 * at their time. Files are merged in this order. */
static usec_t
record_time(const struct record *r)
{
	switch (r->type) {
	case REC_REQUEST:
		return r->sample.ttlt != USEC_NONE ? r->sample.t + r->sample.ttlt :
		    r->sample.t;
	case REC_END:
		return r->end.t;
	case REC_SERVER:
		return r->server.t;
	default:
		return r->event.t;
	}
}

static void
record_shift(struct record *r, usec_t by)
{
	switch (r->type) {
	case REC_REQUEST:
		r->sample.t += by;
		if (r->sample.scheduled != USEC_NONE)
			r->sample.scheduled += by;
		break;
	case REC_END:
		r->end.t += by;
		break;
	case REC_SERVER:
		r->server.t += by;
		break;
	default:
		r->event.t += by;
		break;
	}
}

/* "2026-11-24T10:00:00.123456Z" as microseconds since the epoch; -1 when it
 * is not one. */
static long long
started_usec(const char *s)
{
	struct tm tm;
	const char *rest;
	long long us = 0, scale = 100000;

	memset(&tm, 0, sizeof tm);
	if ((rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
			us += (*rest - '0') * scale;
	return (long long)timegm(&tm) * 1000000 + us;
}

static bool
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The settings that make two files one run, named where they differ. */
static const char *
settings_differ(const struct run_info *a, const struct run_info *b,
    char *buf, size_t len)
{
	if (!same_str(a->url, b->url))
		return "target URL";
	if (!same_str(a->api, b->api))
		return "API";
	if (!same_str(a->model, b->model))
		return "model";
	if (a->nstages != b->nstages || a->open_loop != b->open_loop)
		return "stages";
	if (memcmp(&a->slo, &b->slo, sizeof a->slo) != 0)
		return "SLOs";
	return jsonl_config_differs(a, b, buf, len);
}

/* Several hosts' ends as one: the latest, the counts summed, the worst of
 * the generators' figures. */
static void
end_merge(struct end_info *into, const struct end_info *e, bool first)
{
	if (first) {
		*into = *e;
		into->slo = NULL;
		into->goodput = NULL;
		into->ngoodput = 0;
		return;
	}
	if (e->t > into->t)
		into->t = e->t;
	if (e->reason > into->reason)
		into->reason = e->reason;
	into->requests += e->requests;
	into->errors += e->errors;
	into->canceled += e->canceled;
	into->unsent += e->unsent;
	into->cpu_s += e->cpu_s;
	into->cpu_share = fmax(into->cpu_share, e->cpu_share);
	into->lag_p99 = fmax(into->lag_p99, e->lag_p99);
	into->late_p99 = fmax(into->late_p99, e->late_p99);
	into->read_delay_p99 = fmax(into->read_delay_p99, e->read_delay_p99);
	into->overloaded = into->overloaded || e->overloaded;
}

/* A stage or segment every host began: the first says when. */
static void
stage_once(const struct sink *k, const struct event *e, int nfiles,
    int *last_stage, int *last_segment)
{
	if (nfiles > 1 && (e->stage < *last_stage ||
	    (e->stage == *last_stage && e->segment <= *last_segment)))
		return;
	*last_stage = e->stage;
	*last_segment = e->segment;
	k->on_event(k->self, e);
}

int
replay_read(char *const *paths, int n, struct run_info *ri,
    const struct sink *k, char *err, size_t errlen)
{
	struct jfile *f = xcalloc((size_t)n, sizeof *f);
	struct end_info end;
	long long t0 = 0, *at = xcalloc((size_t)n, sizeof *at);
	int i, rc = 0, last_stage = 0, last_segment = 0, first = 0;
	bool have_end = false;

	memset(ri, 0, sizeof *ri);
	for (i = 0; i < n; i++) {
		if (jfile_open(&f[i], paths[i], err, errlen) != 0) {
			rc = -1;
			goto out;
		}
		at[i] = started_usec(f[i].ri.started);
		if (i == 0 || (at[i] >= 0 && at[i] < t0)) {
			t0 = at[i];
			first = i;
		}
	}
	for (i = 0; i < n; i++) {
		const char *what;
		char buf[96];

		if (n > 1 && at[i] < 0) {
			snprintf(err, errlen, "%s:1: \"started\" is not a UTC time: "
			    "cannot align it with the other files", paths[i]);
			rc = -1;
			goto out;
		}
		if (n > 1 && (double)(at[i] - t0) > JSONL_SECONDS_MAX * 1e6) {
			snprintf(err, errlen, "%s:1: began more than 30 days after %s: "
			    "not one run to merge (--compare keeps them apart)",
			    paths[i], paths[first]);
			rc = -1;
			goto out;
		}
		f[i].offset = n > 1 ? (usec_t)(at[i] - t0) : 0;
		if (i != first && (what = settings_differ(&f[first].ri, &f[i].ri,
		    buf, sizeof buf)))
			warn("%s: its %s differs from %s's; merged into one "
			    "timeline anyway (--compare keeps them apart)", paths[i],
			    what, paths[first]);
	}
	for (i = 0; i < n; i++) {
		if ((rc = jfile_read(&f[i], err, errlen)) < 0)
			goto out;
		f[i].have_next = rc == 1;
		if (f[i].have_next)
			record_shift(&f[i].next, f[i].offset);
	}
	rc = 0;
	for (;;) {
		struct record *r;
		int pick = -1, got;

		/* the file whose next record came first; in one file, its order */
		for (i = 0; i < n; i++)
			if (f[i].have_next && (pick < 0 ||
			    record_time(&f[i].next) < record_time(&f[pick].next)))
				pick = i;
		if (pick < 0)
			break;
		r = &f[pick].next;
		switch (r->type) {
		case REC_STAGE:
			f[pick].stage = r->event.stage;
			f[pick].segment = r->event.segment;
			stage_once(k, &r->event, n, &last_stage, &last_segment);
			break;
		case REC_CONTROL:
			k->on_event(k->self, &r->event);
			/* a file from before segments: its load changes by key
			 * begin them as they would have */
			if (f[pick].ri.schema < 2 &&
			    (r->event.action == CTL_SET_CLIENTS ||
			    r->event.action == CTL_SET_RATE)) {
				struct event e = r->event;

				e.kind = EV_STAGE;
				e.stage = f[pick].stage;
				e.segment = ++f[pick].segment;
				e.by_key = true;
				if (e.open_loop)
					e.clients = 0;
				else
					e.rate = NAN;
				stage_once(k, &e, n, &last_stage, &last_segment);
			}
			break;
		case REC_REQUEST:
			if (r->sample.segment == 0 && f[pick].ri.schema >= 2)
				r->sample.segment = 1;
			k->on_sample(k->self, &r->sample);
			break;
		case REC_SERVER:
			if (k->on_server != NULL)
				k->on_server(k->self, &r->server);
			break;
		case REC_END:
			end_merge(&end, &r->end, !have_end);
			have_end = true;
			break;
		default:
			break;
		}
		f[pick].have_next = false;	/* its batch frees it */
		if ((got = jfile_read(&f[pick], err, errlen)) < 0) {
			rc = -1;
			goto out;
		}
		if (got == 1) {
			f[pick].have_next = true;
			record_shift(&f[pick].next, f[pick].offset);
		}
	}
	if (have_end)
		k->on_end(k->self, &end);
	*ri = f[first].ri;
	memset(&f[first].ri, 0, sizeof f[first].ri);	/* now the caller's */
out:
	for (i = 0; i < n; i++)
		jfile_close(&f[i]);
	free(f);
	free(at);
	return rc;
}
