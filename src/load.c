#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "buf.h"
#include "load.h"
#include "options.h"
#include "proto.h"
#include "request.h"
#include "xalloc.h"

struct client {
	struct request	*req;		/* in flight, or NULL */
	long		 done;		/* requests finished in this stage */
};

static void advance(struct load *);
static void finish_if_drained(struct load *);

usec_t
load_now(const struct load *l)
{
	return clock_mono_usec() - l->mono0;
}

static void
emit_sample(struct load *l, const struct sample *s)
{
	int i;

	l->requests++;
	if (s->error != ERR_NONE)
		l->errors++;
	for (i = 0; i < l->nsinks; i++)
		l->sinks[i].on_sample(l->sinks[i].self, s);
}

static void
emit_event(struct load *l, const struct event *e)
{
	int i;

	for (i = 0; i < l->nsinks; i++)
		l->sinks[i].on_event(l->sinks[i].self, e);
}

static void
emit_control(struct load *l, enum control_action a, const char *text)
{
	struct event e = { .kind = EV_CONTROL, .t = load_now(l), .action = a,
	    .stage = l->stage, .clients = l->target, .text = text };

	emit_event(l, &e);
}

static void
grow_clients(struct load *l, int n)
{
	if (n <= l->nclients)
		return;
	l->clients = xreallocarray(l->clients, (size_t)n, sizeof *l->clients);
	memset(l->clients + l->nclients, 0,
	    (size_t)(n - l->nclients) * sizeof *l->clients);
	l->nclients = n;
}

static bool
may_start(const struct load *l, int c)
{
	return l->state == LOAD_RUNNING && c < l->target &&
	    l->clients[c].req == NULL &&
	    (l->opts->requests == 0 || l->clients[c].done < l->opts->requests);
}

static void
start_request(struct load *l, int c)
{
	struct request *r = l->idle;

	if (r != NULL)
		l->idle = r->next;
	else
		r = request_new(l->loop, l->opts, l->headers);
	r->chunk_counter = &l->chunks;
	r->client = c;
	request_start(r, l->next_id++, l->id_prefix, l->body, l->body_len);
	r->s.stage = l->stage;
	r->s.client = c;
	r->s.t = r->start - l->mono0;
	l->clients[c].req = r;
	l->in_flight++;
	xfer_add(&l->xfer, r->easy);
}

static void
fill(struct load *l)
{
	int c;

	for (c = 0; c < l->target; c++)
		if (may_start(l, c))
			start_request(l, c);
}

static void
release(struct load *l, struct request *r)
{
	l->clients[r->client].req = NULL;
	l->in_flight--;
	r->next = l->idle;
	l->idle = r;
}

/* A stage run by -n is over when no client may send and none is busy. */
static bool
stage_exhausted(const struct load *l)
{
	int c;

	if (l->opts->requests == 0 || l->in_flight > 0)
		return false;
	for (c = 0; c < l->target; c++)
		if (l->clients[c].done < l->opts->requests)
			return false;
	return true;
}

static void
transfer_done(void *ctx, CURL *easy, CURLcode result)
{
	struct load *l = ctx;
	struct request *r;
	int c;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
	request_finish(r, result);
	c = r->client;
	emit_sample(l, &r->s);
	l->clients[c].done++;
	release(l, r);
	if (may_start(l, c))
		start_request(l, c);
	else if (l->state == LOAD_RUNNING && stage_exhausted(l))
		advance(l);
	finish_if_drained(l);
}

static void
begin_stage(struct load *l)
{
	struct event e = { .kind = EV_STAGE };
	int c;

	l->target = l->opts->clients[l->stage - 1];
	grow_clients(l, l->target);
	for (c = 0; c < l->nclients; c++)
		l->clients[c].done = 0;
	e.t = load_now(l);
	e.stage = l->stage;
	e.clients = l->target;
	emit_event(l, &e);
	ev_timer_stop(l->loop, &l->stage_timer);
	if (l->opts->stage_duration > 0) {
		ev_timer_set(&l->stage_timer, usec_to_sec(l->opts->stage_duration), 0.);
		ev_timer_start(l->loop, &l->stage_timer);
	}
	fill(l);
	/* a stage of 0 clients run by -n has nothing to do */
	if (l->state == LOAD_RUNNING && stage_exhausted(l))
		advance(l);
}

static void
end_run(struct load *l)
{
	struct end_info e;
	struct rusage ru;
	int i;

	l->state = LOAD_ENDED;
	ev_timer_stop(l->loop, &l->stage_timer);
	ev_timer_stop(l->loop, &l->grace_timer);
	e.t = load_now(l);
	e.reason = l->reason;
	e.requests = l->requests;
	e.errors = l->errors;
	getrusage(RUSAGE_SELF, &ru);
	e.cpu_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	for (i = 0; i < l->nsinks; i++)
		l->sinks[i].on_end(l->sinks[i].self, &e);
	if (l->on_end != NULL)
		l->on_end(l);
}

static void
finish_if_drained(struct load *l)
{
	if (l->state == LOAD_DRAINING && l->in_flight == 0)
		end_run(l);
}

/* The next stage, or the end of the last one: then requests in flight run
 * to their end (bounded by --timeout) and the run ends. */
static void
advance(struct load *l)
{
	if (l->stage >= l->opts->nstages) {
		ev_timer_stop(l->loop, &l->stage_timer);
		l->state = LOAD_DRAINING;
		l->reason = END_COMPLETE;
		finish_if_drained(l);
		return;
	}
	l->stage++;
	begin_stage(l);
}

static void
stage_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct load *l = w->data;

	if (l->state == LOAD_RUNNING || l->state == LOAD_PAUSED)
		advance(l);
}

static void
cancel_all(struct load *l)
{
	int c;

	for (c = 0; c < l->nclients; c++) {
		struct request *r = l->clients[c].req;

		if (r == NULL)
			continue;
		xfer_remove(&l->xfer, r->easy);
		request_cancel(r);
		emit_sample(l, &r->s);
		release(l, r);
	}
	finish_if_drained(l);
}

static void
grace_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	cancel_all(w->data);
}

void
load_init(struct load *l, struct ev_loop *loop, const struct run_opts *o,
    const struct sink *sinks, int nsinks, usec_t mono0)
{
	struct buf body;
	int i;

	memset(l, 0, sizeof *l);
	l->loop = loop;
	l->opts = o;
	l->sinks = sinks;
	l->nsinks = nsinks;
	l->mono0 = mono0;
	l->next_id = 1;
	l->state = LOAD_RUNNING;
	snprintf(l->id_prefix, sizeof l->id_prefix, "%lld", (long long)time(NULL));
	buf_init(&body);
	o->proto->build_body(o, o->prompt, &body);
	l->body = buf_detach(&body, &l->body_len);
	l->headers = o->proto->headers(o, NULL);
	/* curl would wait for "100 Continue" on large bodies: not wanted */
	l->headers = curl_slist_append(l->headers, "Expect:");
	for (i = 0; i < o->nheaders; i++)
		l->headers = curl_slist_append(l->headers, o->headers[i]);
	xfer_init(&l->xfer, loop, transfer_done, l);
	ev_timer_init(&l->stage_timer, stage_timer_cb, 0., 0.);
	l->stage_timer.data = l;
	ev_timer_init(&l->grace_timer, grace_timer_cb, QUIT_GRACE, 0.);
	l->grace_timer.data = l;
}

void
load_done(struct load *l)
{
	struct request *r, *next;
	int c;

	for (c = 0; c < l->nclients; c++) {
		if ((r = l->clients[c].req) != NULL) {
			xfer_remove(&l->xfer, r->easy);
			request_free(r);
		}
	}
	for (r = l->idle; r != NULL; r = next) {
		next = r->next;
		request_free(r);
	}
	xfer_done(&l->xfer);
	ev_timer_stop(l->loop, &l->stage_timer);
	ev_timer_stop(l->loop, &l->grace_timer);
	curl_slist_free_all(l->headers);
	free(l->clients);
	free(l->body);
}

void
load_start(struct load *l)
{
	l->stage = 1;
	begin_stage(l);
}

void
load_pause(struct load *l)
{
	if (l->state != LOAD_RUNNING)
		return;
	l->state = LOAD_PAUSED;
	emit_control(l, CTL_PAUSE, NULL);
}

void
load_resume(struct load *l)
{
	if (l->state != LOAD_PAUSED)
		return;
	l->state = LOAD_RUNNING;
	emit_control(l, CTL_RESUME, NULL);
	fill(l);
	if (stage_exhausted(l))
		advance(l);
}

void
load_set_clients(struct load *l, int clients)
{
	if (l->state != LOAD_RUNNING && l->state != LOAD_PAUSED)
		return;
	if (clients < 0)
		clients = 0;
	if (clients == l->target)
		return;
	grow_clients(l, clients);
	l->target = clients;
	emit_control(l, CTL_SET_CLIENTS, NULL);
	fill(l);
}

void
load_next_stage(struct load *l)
{
	if (l->state != LOAD_RUNNING && l->state != LOAD_PAUSED)
		return;
	emit_control(l, CTL_NEXT_STAGE, NULL);
	advance(l);
}

void
load_mark(struct load *l, const char *text)
{
	if (l->state != LOAD_ENDED)
		emit_control(l, CTL_MARK, text);
}

void
load_quit(struct load *l, enum end_reason reason)
{
	if (l->state == LOAD_ENDED)
		return;
	if (l->state == LOAD_DRAINING && ev_is_active(&l->grace_timer)) {
		ev_timer_stop(l->loop, &l->grace_timer);
		cancel_all(l);
		return;
	}
	l->reason = reason;
	emit_control(l, CTL_QUIT, NULL);
	l->state = LOAD_DRAINING;
	ev_timer_stop(l->loop, &l->stage_timer);
	if (l->in_flight == 0) {
		end_run(l);
		return;
	}
	ev_timer_start(l->loop, &l->grace_timer);
}

int
load_streams(const struct load *l, struct stream_info *out, int max)
{
	int c, n = 0;

	for (c = 0; c < l->nclients; c++) {
		const struct request *r = l->clients[c].req;

		if (r == NULL)
			continue;
		if (n < max) {
			out[n].id = r->s.id;
			out[n].client = c;
			out[n].started = r->s.t;
			out[n].chunks = (long)r->s.nchunks;
			out[n].last = r->s.nchunks > 0 ?
			    r->s.t + r->s.chunks[r->s.nchunks - 1] : r->s.t;
		}
		n++;
	}
	return n;
}
