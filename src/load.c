#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "load.h"
#include "run_opts.h"
#include "proto/proto.h"
#include "request.h"
#include "session.h"
#include "xalloc.h"

#define RATE_MIN	0.001	/* requests/s the operator may go down to */
#define START_BATCH	32	/* closed loop: requests handed to curl per
				   turn of the loop */
#define RATE_MAX	1e6
/* A closed-loop client whose request failed waits before its next one:
 * from BACKOFF_MIN, doubling with each failure in a row, up to BACKOFF_MAX,
 * each drawn at random in its upper half; a 429 or 503's Retry-After is
 * honoured up to RETRY_AFTER_MAX. */
#define BACKOFF_MIN	(50 * (usec_t)1000)
#define BACKOFF_MAX	(2 * (usec_t)USEC_PER_SEC)
#define RETRY_AFTER_MAX	(60 * (usec_t)USEC_PER_SEC)

struct client {
	struct request	*req;		/* in flight, or NULL */
	struct session	 sess;		/* --turns: the conversation it holds */
	long		 done;		/* requests finished in this stage */
	bool		 waiting;	/* in the queue of clients to start */
	int		 fails;		/* failed requests in a row */
	usec_t		 retry_at;	/* backing off until this run time */
	bool		 backing;	/* in the list of clients backing off */
	bool		 thinking;	/* and it waits --think, not a failure */
};

/* An open-loop send that was due while --max-concurrency were in flight. */
struct pending {
	usec_t	scheduled;
	usec_t	late;		/* how late the generator saw it was due */
	long	prompt;		/* a schedule's prompt index, or -1 */
	int	stage, segment;
};

static void advance(struct load *);
static void begin_stage(struct load *);
static void finish_if_drained(struct load *);
static void arm(struct load *);

usec_t
load_now(const struct load *l)
{
	return clock_mono_usec() - l->mono0;
}

/* Hands s to every sink, the server's words in it redacted first: a server
 * may echo the URL, its key included. */
static void
emit_sample(struct load *l, struct sample *s)
{
	int i;

	if (s->detail[0] != '\0')
		redact_message(l->opts, s->detail, sizeof s->detail);

	l->requests++;
	if (sample_failed(s))
		l->errors++;
	else if (s->error == ERR_CANCELED)
		l->canceled++;
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

static const char *const state_names[] = {
	[LOAD_PREFLIGHT] = "preflight",
	[LOAD_RUNNING] = "running",
	[LOAD_PAUSED] = "paused",
	[LOAD_DRAINING] = "draining",
	[LOAD_ENDED] = "ended",
};

void
load_gauge(const struct load *l, struct gauge *g)
{
	memset(g, 0, sizeof *g);
	g->t = load_now(l);
	g->stage = l->stage;
	g->nstages = l->opts->nstages;
	g->state = state_names[l->state];
	g->open_loop = l->opts->open_loop;
	g->clients = l->target;
	g->rate = load_rate(l);
	g->schedule = l->opts->schedule_file != NULL;
	g->sched_pos = l->sched_pos;
	g->nsched = l->opts->nsched;
	g->waiting = load_waiting(l);
	g->in_flight = l->in_flight;
	g->backing_off = l->nbacking - l->nthinking;
	g->chunks = l->chunks;
}

static void
gauge_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct load *l = w->data;
	struct gauge g;
	int i;

	load_gauge(l, &g);
	for (i = 0; i < l->nsinks; i++)
		if (l->sinks[i].on_gauge != NULL)
			l->sinks[i].on_gauge(l->sinks[i].self, &g);
}

/* Returns its time. */
static usec_t
emit_control(struct load *l, enum control_action a, const char *text)
{
	struct event e = { .kind = EV_CONTROL, .t = load_now(l), .action = a,
	    .stage = l->stage, .clients = l->target, .rate = l->rate,
	    .rate_to = NAN, .open_loop = l->opts->open_loop, .text = text };

	emit_event(l, &e);
	return e.t;
}

/* A load change by key, at t: the stage goes on at the new load as its
 * next segment, so that every figure is at one load. */
static void
begin_segment(struct load *l, usec_t t)
{
	struct event e = { .kind = EV_STAGE, .t = t, .stage = l->stage,
	    .segment = ++l->segment, .by_key = true, .open_loop = l->opts->open_loop,
	    .rate_to = NAN };

	if (e.open_loop)
		e.rate = l->rate;
	else
		e.clients = l->target;

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

/* A request's first token: to the sinks that show it as it comes. */
static void
first_token(void *owner, struct request *r)
{
	struct load *l = owner;
	int i;

	for (i = 0; i < l->nsinks; i++)
		if (l->sinks[i].on_first != NULL)
			l->sinks[i].on_first(l->sinks[i].self, &r->s);
}

/* A session's next turn: a new conversation when the last is over.
 * Returns the output cap asked for, 0 when none. */
static long
session_body(struct load *l, struct client *cl, struct request *r)
{
	struct session *s = &cl->sess;
	struct prompt asked;
	const struct prompt *next = NULL;
	long max_tokens;

	if (session_over(s)) {
		const struct prompt *conv;

		next = prompts_next(&l->prompts);
		/* a conversation's turns, or plain prompts: one a turn */
		conv = next->nuser > 0 && l->opts->input_tokens == 0 ? next : NULL;
		session_begin(s, ++l->sessions, prompts_turns(&l->prompts, conv),
		    conv);
	} else if (s->conv == NULL)
		next = prompts_next(&l->prompts);
	session_ask(s, next != NULL ? next->text : "", &asked);
	max_tokens = prompts_body_of(&l->prompts, &asked, &r->body);
	free(asked.messages);
	free(asked.text);
	return max_tokens;
}

/* Starts one request of the given stage: client -1 in open loop; prompt -1
 * for the next in turn. */
static struct request *
launch(struct load *l, int client, int stage, int segment, long prompt)
{
	struct client *cl = client >= 0 && l->opts->sessions ?
	    &l->clients[client] : NULL;
	struct request *r = l->idle;
	long max_tokens;

	if (r != NULL)
		l->idle = r->next;
	else
		r = request_new(l->loop, l->opts);
	r->chunk_counter = &l->chunks;
	r->on_first = first_token;
	r->owner = l;
	r->lag_hist = &l->lag;
	r->read_delay = &l->read_delay;
	r->client = client;
	r->body.len = 0;
	r->want_text = cl != NULL;
	if (cl != NULL)
		max_tokens = session_body(l, cl, r);
	else if (prompt >= 0 && l->opts->sched_req != NULL)
		max_tokens = prompts_trace_body(&l->prompts,
		    &l->opts->sched_req[prompt], &r->body);
	else
		max_tokens = prompts_body(&l->prompts, prompt, &r->body);
	request_start(r, l->next_id++, l->id_prefix);
	r->s.max_tokens = max_tokens;
	if (cl != NULL) {
		r->s.session = cl->sess.id;
		r->s.turn = cl->sess.turn;
	}
	r->s.stage = stage;
	r->s.segment = segment;
	r->s.client = client;
	r->s.t = r->start - l->mono0;
	r->s.warmup = r->s.t < l->opts->warmup;
	if (l->in_flight == l->live_cap) {
		l->live_cap = l->live_cap ? l->live_cap * 2 : 64;
		l->live = xreallocarray(l->live, (size_t)l->live_cap, sizeof *l->live);
	}
	r->live_idx = l->in_flight;
	l->live[l->in_flight++] = r;
	xfer_start(&l->xfer, r);
	return r;
}

static void
release(struct load *l, struct request *r)
{
	struct request *last = l->live[--l->in_flight];

	last->live_idx = r->live_idx;
	l->live[r->live_idx] = last;
	if (r->client >= 0)
		l->clients[r->client].req = NULL;
	r->next = l->idle;
	l->idle = r;
}

/* Closed loop */

static bool
may_start(const struct load *l, int c)
{
	return l->state == LOAD_RUNNING && c < l->target &&
	    l->clients[c].req == NULL && !l->clients[c].backing &&
	    (l->opts->requests == 0 || l->clients[c].done < l->opts->requests);
}

static void
start_client(struct load *l, int c)
{
	l->clients[c].req = launch(l, c, l->stage, l->segment, -1);
}

/* Clients due to send wait in a queue, and a batch of them starts before
 * each poll: curl connects every handle added since its last timeout in one
 * call, so thousands starting at once (a stage of 5,000 clients, a wave of
 * answers ending together) would hold the loop, and every stream with it,
 * for hundreds of milliseconds. */
static void
want_start(struct load *l, int c)
{
	if (l->clients[c].waiting)
		return;
	if (l->rlen == l->rcap) {
		int n = l->rcap ? l->rcap * 2 : 64, i;
		int *q = xreallocarray(NULL, (size_t)n, sizeof *q);

		for (i = 0; i < l->rlen; i++)
			q[i] = l->ready[(l->rhead + i) % l->rcap];
		free(l->ready);
		l->ready = q;
		l->rcap = n;
		l->rhead = 0;
	}
	l->ready[(l->rhead + l->rlen++) % l->rcap] = c;
	l->clients[c].waiting = true;
	ev_idle_start(l->loop, &l->spin);	/* the next poll must not wait */
}

static void
starter_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct load *l = w->data;
	int n = 0;

	while (l->rlen > 0 && n < START_BATCH) {
		int c = l->ready[l->rhead];

		l->rhead = (l->rhead + 1) % l->rcap;
		l->rlen--;
		l->clients[c].waiting = false;
		if (may_start(l, c)) {
			start_client(l, c);
			n++;
		}
	}
	if (l->rlen == 0)
		ev_idle_stop(loop, &l->spin);
}

static void
spin_cb(struct ev_loop *loop, ev_idle *w, int revents)
{
}

static void
fill(struct load *l)
{
	int c;

	for (c = 0; c < l->target; c++)
		if (may_start(l, c))
			want_start(l, c);
}

/* A stage run by -n is over when no client may send and none is busy. */
static bool
stage_exhausted(const struct load *l)
{
	int c;

	if (l->opts->open_loop || l->opts->requests == 0 || l->in_flight > 0)
		return false;
	for (c = 0; c < l->target; c++)
		if (l->clients[c].done < l->opts->requests)
			return false;
	return true;
}

/* Back-off */

static usec_t
backoff_of(struct load *l, struct client *cl, const struct request *r)
{
	usec_t d = BACKOFF_MIN;
	int i;

	for (i = 1; i < cl->fails && d < BACKOFF_MAX; i++)
		d *= 2;
	if (d > BACKOFF_MAX)
		d = BACKOFF_MAX;
	d = d / 2 + (usec_t)(rng_unit(&l->backoff_rng) * (double)(d / 2));
	if (r->retry_after > d)
		d = r->retry_after < RETRY_AFTER_MAX ? r->retry_after : RETRY_AFTER_MAX;
	return d;
}

static void
arm_backoff(struct load *l)
{
	usec_t first = USEC_NONE, now = load_now(l);
	int i;

	ev_timer_stop(l->loop, &l->backoff_timer);
	for (i = 0; i < l->nbacking; i++)
		if (first == USEC_NONE || l->clients[l->backing[i]].retry_at < first)
			first = l->clients[l->backing[i]].retry_at;
	if (first == USEC_NONE)
		return;
	ev_timer_set(&l->backoff_timer, first > now ? usec_to_sec(first - now) : 0., 0.);
	ev_timer_start(l->loop, &l->backoff_timer);
}

/* The client waits before its next request: after a failure, or for
 * --think between two turns of its session. */
static void
back_off(struct load *l, int c, usec_t wait, bool think)
{
	struct client *cl = &l->clients[c];

	if (think != cl->thinking)
		l->nthinking += think ? 1 : -1;
	cl->thinking = think;
	cl->retry_at = load_now(l) + wait;
	if (!cl->backing) {
		if (l->nbacking == l->backing_cap) {
			l->backing_cap = l->backing_cap ? 2 * l->backing_cap : 64;
			l->backing = xreallocarray(l->backing, (size_t)l->backing_cap,
			    sizeof *l->backing);
		}
		l->backing[l->nbacking++] = c;
		cl->backing = true;
	}
	arm_backoff(l);
}

static void
backoff_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct load *l = w->data;
	usec_t now = load_now(l);
	int i = 0;

	while (i < l->nbacking) {
		int c = l->backing[i];

		if (l->clients[c].retry_at > now) {
			i++;
			continue;
		}
		l->backing[i] = l->backing[--l->nbacking];
		l->clients[c].backing = false;
		if (l->clients[c].thinking)
			l->nthinking--;
		l->clients[c].thinking = false;
		if (may_start(l, c))
			want_start(l, c);
	}
	arm_backoff(l);
	if (l->state == LOAD_RUNNING && stage_exhausted(l))
		advance(l);
}

/* Open loop */

static void
start_pending(struct load *l, const struct pending *p)
{
	struct request *r = launch(l, -1, p->stage, p->segment, p->prompt);

	r->s.scheduled = p->scheduled;
	r->s.late = p->late;
}

static bool
slot_free(const struct load *l)
{
	return l->opts->max_concurrency == 0 ||
	    l->in_flight < l->opts->max_concurrency;
}

/* Starts waiting sends while slots are free: while running, and while a
 * completed run drains (they were due within it). */
static void
serve_queue(struct load *l)
{
	while (l->qlen > 0 && slot_free(l) && (l->state == LOAD_RUNNING ||
	    (l->state == LOAD_DRAINING && l->reason == END_COMPLETE))) {
		struct pending p = l->queue[l->qhead];

		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
		start_pending(l, &p);
	}
}

static void
enqueue(struct load *l, const struct pending *p)
{
	if (l->qlen == l->qcap) {
		size_t n = l->qcap ? l->qcap * 2 : 64, i;
		struct pending *q = xreallocarray(NULL, n, sizeof *q);

		for (i = 0; i < l->qlen; i++)
			q[i] = l->queue[(l->qhead + i) % l->qcap];
		free(l->queue);
		l->queue = q;
		l->qcap = n;
		l->qhead = 0;
	}
	l->queue[(l->qhead + l->qlen++) % l->qcap] = *p;
}

static bool
scheduled_by_file(const struct load *l)
{
	return l->opts->schedule_file != NULL;
}

/* The run time of the next send of this stage, or ARRIVAL_NEVER. */
static usec_t
next_due(const struct load *l)
{
	if (!scheduled_by_file(l))
		return l->arr.next;
	if (l->sched_pos >= l->opts->nsched)
		return ARRIVAL_NEVER;
	return l->stage_t0 + l->opts->sched_at[l->sched_pos];
}

/* Makes every send that is due; a stage of -n requests ends when the send
 * after its last is due, a schedule after its last send. */
static void
fire(struct load *l)
{
	usec_t now = load_now(l), due;

	while (l->state == LOAD_RUNNING &&
	    (due = next_due(l)) != ARRIVAL_NEVER && due <= now) {
		struct pending p = { due, now - due, -1, l->stage, l->segment };

		/* a stage ends where its next send would be due past its
		 * length (-d) or its count (-n) */
		if ((l->opts->requests > 0 && l->stage_sent >= l->opts->requests) ||
		    (l->opts->stage_duration > 0 &&
		    due >= l->stage_t0 + l->opts->stage_duration)) {
			advance(l);
			continue;
		}
		lag_add(&l->late, p.late);
		if (scheduled_by_file(l) && l->opts->sched_req != NULL)
			p.prompt = (long)l->sched_pos++;	/* the trace's request */
		else if (scheduled_by_file(l))
			p.prompt = l->opts->sched_prompt[l->sched_pos++];
		else
			arrivals_step(&l->arr);
		l->stage_sent++;
		if (l->qlen == 0 && slot_free(l))
			start_pending(l, &p);
		else
			enqueue(l, &p);
		/* the last stage's last send: drain at once */
		if ((scheduled_by_file(l) && next_due(l) == ARRIVAL_NEVER) ||
		    (l->stage == l->opts->nstages && l->opts->requests > 0 &&
		    l->stage_sent >= l->opts->requests))
			advance(l);
	}
	arm(l);
}

static void
tfd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct load *l = w->data;
	uint64_t expirations;

	if (read(l->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
		fatal("reading the send timer: %s", strerror(errno));
	fire(l);
}

/* Sets the timerfd to the next send, or clears it when none is due. */
static void
arm(struct load *l)
{
	struct itimerspec its;
	usec_t due = ARRIVAL_NEVER;

	if (!l->opts->open_loop)
		return;
	memset(&its, 0, sizeof its);
	if (l->state == LOAD_RUNNING)
		due = next_due(l);
	if (due != ARRIVAL_NEVER) {
		usec_t at = l->mono0 + due;

		if (at <= 0)
			at = 1;
		its.it_value.tv_sec = (time_t)(at / USEC_PER_SEC);
		its.it_value.tv_nsec = (long)(at % USEC_PER_SEC) * 1000;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) != 0)
		fatal("setting the send timer: %s", strerror(errno));
}

static void
begin_open_stage(struct load *l, struct event *e)
{
	const struct run_opts *o = l->opts;
	usec_t now = e->t;

	l->stage_sent = 0;
	l->stage_t0 = now;
	e->open_loop = true;
	e->rate_to = NAN;
	if (scheduled_by_file(l)) {
		l->sched_pos = 0;
		l->rate = e->rate = NAN;
	} else {
		double rate = o->rates[l->stage - 1], slope = 0;

		if (o->ramp) {
			slope = (o->ramp_to - rate) / usec_to_sec(o->stage_duration);
			e->rate_to = o->ramp_to;
		}
		arrivals_begin(&l->arr, now, rate, slope);
		l->rate = e->rate = rate;
	}
	if (l->state == LOAD_PAUSED)
		l->paused_at = now;
}

/* Common */

/* Stops the run for a reason the operator must read (the breaker, a lack
 * of resources, the preflight): no new requests, those in flight end. */
static void __attribute__((format(printf, 3, 4)))
stop(struct load *l, enum end_reason reason, const char *fmt, ...)
{
	va_list ap;

	if (l->state == LOAD_ENDED || l->state == LOAD_DRAINING)
		return;
	va_start(ap, fmt);
	vsnprintf(l->stop_detail, sizeof l->stop_detail, fmt, ap);
	va_end(ap);
	load_quit(l, reason);
}

/* The breaker's count: failed requests in a row, and of which kinds. */
static void
count_in_row(struct load *l, const struct sample *s, bool failed)
{
	if (!failed) {
		if (l->fails_in_row > 0)
			memset(l->row_kinds, 0, sizeof l->row_kinds);
		l->fails_in_row = 0;
		return;
	}
	l->fails_in_row++;
	l->row_kinds[s->error].n++;
	l->row_kinds[s->error].status = s->status;
	snprintf(l->row_kinds[s->error].detail, sizeof l->row_kinds[s->error].detail,
	    "%s", s->detail);
}

/* --max-errors reached: the run stops naming the most common error of the
 * row and the server's words for it. */
static void
stop_by_breaker(struct load *l)
{
	int k, top = ERR_CONNECT;
	char status[16] = "";

	for (k = ERR_CONNECT; k < ERR_KIND_COUNT; k++)
		if (l->row_kinds[k].n > l->row_kinds[top].n)
			top = k;
	if (l->row_kinds[top].status != 0)
		snprintf(status, sizeof status, " %d", l->row_kinds[top].status);
	stop(l, END_ERRORS, "%ld failed requests in a row, %ld of them %s%s%s%s",
	    l->fails_in_row, l->row_kinds[top].n, err_kind_name((enum err_kind)top),
	    status, l->row_kinds[top].detail[0] != '\0' ? ": " : "",
	    l->row_kinds[top].detail);
}

/* The request sent alone before the load: a failure, or an answer without
 * a token, stops the run with the server's words; else stage 1 begins. */
static void
preflight_done(struct load *l, struct request *r)
{
	const struct sample *s = &r->s;

	emit_sample(l, &r->s);
	release(l, r);
	if (l->state != LOAD_PREFLIGHT) {	/* the operator quit meanwhile */
		finish_if_drained(l);
		return;
	}
	if (s->error != ERR_NONE || s->nchunks == 0) {
		if (s->error == ERR_HTTP)
			snprintf(l->stop_detail, sizeof l->stop_detail, "preflight failed: "
			    "HTTP %d from %s: %s", s->status, l->opts->endpoint, s->detail);
		else if (s->error != ERR_NONE)
			snprintf(l->stop_detail, sizeof l->stop_detail, "preflight failed: "
			    "%s error from %s: %s", err_kind_name(s->error),
			    l->opts->endpoint, s->detail);
		else
			snprintf(l->stop_detail, sizeof l->stop_detail, "preflight failed: "
			    "%s answered HTTP %d without a single token", l->opts->endpoint,
			    s->status);
		l->reason = END_PREFLIGHT;
		l->state = LOAD_DRAINING;
		finish_if_drained(l);
		return;
	}
	l->state = LOAD_RUNNING;
	l->stage = 1;
	begin_stage(l);
}

static void
transfer_done(void *ctx, struct request *r)
{
	struct load *l = ctx;
	usec_t backoff;
	bool failed;
	bool think = false;
	int c;

	request_finish(r);
	c = r->client;
	if (r->s.preflight) {
		preflight_done(l, r);
		return;
	}
	failed = sample_failed(&r->s);
	if (c >= 0) {
		struct client *cl = &l->clients[c];

		cl->fails = failed ? cl->fails + 1 : 0;
		if (failed)
			r->s.backoff = backoff_of(l, cl, r);
	}
	emit_sample(l, &r->s);		/* the server's words redacted */
	count_in_row(l, &r->s, failed);
	if (r->local_errno != 0)
		stop(l, END_ERRORS, "the generator ran out of resources: %s (%d "
		    "requests in flight)%s", strerror(r->local_errno), l->in_flight,
		    r->local_errno == EMFILE || r->local_errno == ENFILE ?
		    "; raise the open files limit (ulimit -n) or use fewer clients" :
		    "");
	else if (failed && l->opts->max_errors > 0 &&
	    l->fails_in_row >= l->opts->max_errors)
		stop_by_breaker(l);
	backoff = r->s.backoff;
	if (c >= 0 && l->opts->sessions) {
		struct session *s = &l->clients[c].sess;

		if (failed || r->s.error != ERR_NONE)
			session_end(s);
		else {
			session_answered(s, r->answer.len > 0 ? r->answer.p : "",
			    r->answer.len);
			if (!session_over(s) && l->opts->think > 0) {
				backoff = l->opts->think;
				think = true;
			}
		}
	}
	release(l, r);
	if (c < 0)
		serve_queue(l);
	else {
		l->clients[c].done++;
		/* only a client with requests left to send waits */
		if (backoff > 0 && l->state == LOAD_RUNNING && c < l->target &&
		    (l->opts->requests == 0 || l->clients[c].done < l->opts->requests))
			back_off(l, c, backoff, think);
		else if (may_start(l, c))
			want_start(l, c);
		else if (l->state == LOAD_RUNNING && stage_exhausted(l))
			advance(l);
	}
	finish_if_drained(l);
}

static void
begin_stage(struct load *l)
{
	struct event e = { .kind = EV_STAGE };
	int c;

	e.t = load_now(l);
	e.stage = l->stage;
	e.segment = l->segment = 1;
	if (l->opts->open_loop)
		begin_open_stage(l, &e);
	else {
		l->target = l->opts->clients[l->stage - 1];
		grow_clients(l, l->target);
		for (c = 0; c < l->nclients; c++)
			l->clients[c].done = 0;
		e.clients = l->target;
	}
	emit_event(l, &e);
	ev_timer_stop(l->loop, &l->stage_timer);
	if (l->opts->stage_duration > 0) {
		ev_timer_set(&l->stage_timer, usec_to_sec(l->opts->stage_duration), 0.);
		ev_timer_start(l->loop, &l->stage_timer);
	}
	if (l->opts->open_loop) {
		arm(l);
		return;
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
	ev_timer_stop(l->loop, &l->gauge_timer);
	ev_timer_stop(l->loop, &l->backoff_timer);
	arm(l);
	memset(&e, 0, sizeof e);
	e.t = l->end_t = load_now(l);
	e.reason = l->reason;
	e.requests = l->requests;
	e.errors = l->errors;
	e.canceled = l->canceled;
	e.unsent = l->unsent;
	getrusage(RUSAGE_SELF, &ru);
	e.cpu_s = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	/* as the end record keeps them, so that a replay prints the same */
	e.cpu_s = round(e.cpu_s * 1000) / 1000;
	/* too short a run has no share to judge: its CPU is its start */
	e.cpu_share = usec_to_sec(e.t) >= GEN_SPAN_MIN ?
	    round(e.cpu_s / usec_to_sec(e.t) * 1000) / 1000 : NAN;
	e.lag_p99 = lag_percentile(&l->lag, 99);
	e.late_p99 = l->opts->open_loop ? lag_percentile(&l->late, 99) : NAN;
	e.read_delay_p99 = lag_percentile(&l->read_delay, 99);
	e.overloaded = lag_overloaded(e.lag_p99, lag_count(&l->lag), e.late_p99,
	    lag_count(&l->late), e.cpu_share);
	if (l->stop_detail[0] != '\0') {
		/* it names the endpoint, which may hold a key */
		redact_message(l->opts, l->stop_detail, sizeof l->stop_detail);
		e.detail = l->stop_detail;
	}
	if (l->annotate_end != NULL)
		l->annotate_end(l, &e);
	for (i = 0; i < l->nsinks; i++)
		l->sinks[i].on_end(l->sinks[i].self, &e);
	if (l->on_end != NULL)
		l->on_end(l);
}

static void
finish_if_drained(struct load *l)
{
	if (l->state == LOAD_DRAINING && l->in_flight == 0 && l->qlen == 0)
		end_run(l);
}

/* The next stage, or the end of the last one: then requests in flight (and
 * open-loop sends still waiting) run to their end, bounded by --timeout, and
 * the run ends. */
static void
advance(struct load *l)
{
	if (l->stage >= l->opts->nstages) {
		ev_timer_stop(l->loop, &l->stage_timer);
		l->state = LOAD_DRAINING;
		l->reason = END_COMPLETE;
		arm(l);
		serve_queue(l);
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
	l->unsent += (long)l->qlen;
	l->qlen = 0;
	while (l->in_flight > 0) {
		struct request *r = l->live[l->in_flight - 1];

		xfer_cancel(&l->xfer, r);
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
	memset(l, 0, sizeof *l);
	l->loop = loop;
	l->opts = o;
	l->sinks = sinks;
	l->nsinks = nsinks;
	l->mono0 = mono0;
	l->next_id = 1;
	l->state = LOAD_RUNNING;
	l->tfd = -1;
	snprintf(l->id_prefix, sizeof l->id_prefix, "%lld", (long long)time(NULL));
	prompts_init(&l->prompts, o);
	xfer_init(&l->xfer, loop, o, transfer_done, l);
	ev_timer_init(&l->stage_timer, stage_timer_cb, 0., 0.);
	l->stage_timer.data = l;
	ev_timer_init(&l->grace_timer, grace_timer_cb, QUIT_GRACE, 0.);
	l->grace_timer.data = l;
	ev_timer_init(&l->gauge_timer, gauge_timer_cb, GAUGE_EVERY, GAUGE_EVERY);
	l->gauge_timer.data = l;
	ev_timer_init(&l->backoff_timer, backoff_timer_cb, 0., 0.);
	l->backoff_timer.data = l;
	/* its own stream: arrivals and prompts stay those of the seed */
	rng_seed(&l->backoff_rng, o->seed ^ 0x6261636b6f6666ULL);
	ev_prepare_init(&l->starter, starter_cb);
	l->starter.data = l;
	ev_prepare_start(loop, &l->starter);
	ev_idle_init(&l->spin, spin_cb);
	if (o->open_loop) {
		/* libev's own timers wake up to a millisecond late: a timerfd
		 * keeps sends to the microsecond */
		l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (l->tfd < 0)
			fatal("timerfd_create: %s", strerror(errno));
		arrivals_init(&l->arr, o->arrival, o->arrival_shape, o->seed);
		ev_io_init(&l->tfd_w, tfd_cb, l->tfd, EV_READ);
		ev_set_priority(&l->tfd_w, EV_MAXPRI);
		l->tfd_w.data = l;
		ev_io_start(loop, &l->tfd_w);
	}
}

void
load_done(struct load *l)
{
	struct request *r, *next;
	int i;

	while (l->in_flight > 0) {
		r = l->live[--l->in_flight];
		xfer_cancel(&l->xfer, r);
		xfer_release(&l->xfer, r);
		request_free(r);
	}
	for (r = l->idle; r != NULL; r = next) {
		next = r->next;
		xfer_release(&l->xfer, r);
		request_free(r);
	}
	xfer_done(&l->xfer);
	ev_timer_stop(l->loop, &l->stage_timer);
	ev_timer_stop(l->loop, &l->grace_timer);
	ev_timer_stop(l->loop, &l->gauge_timer);
	ev_timer_stop(l->loop, &l->backoff_timer);
	ev_prepare_stop(l->loop, &l->starter);
	ev_idle_stop(l->loop, &l->spin);
	free(l->ready);
	if (l->tfd >= 0) {
		ev_io_stop(l->loop, &l->tfd_w);
		close(l->tfd);
	}
	prompts_done(&l->prompts);
	free(l->live);
	free(l->queue);
	free(l->backing);
	for (i = 0; i < l->nclients; i++)
		session_done(&l->clients[i].sess);
	free(l->clients);
}

void
load_start(struct load *l)
{
	ev_timer_start(l->loop, &l->gauge_timer);
	if (l->opts->preflight) {
		struct request *r;

		l->state = LOAD_PREFLIGHT;
		r = launch(l, -1, 1, 1, -1);
		r->s.preflight = true;
		return;
	}
	l->stage = 1;
	begin_stage(l);
}

void
load_pause(struct load *l)
{
	if (l->state != LOAD_RUNNING)
		return;
	l->state = LOAD_PAUSED;
	l->paused_at = load_now(l);
	arm(l);
	emit_control(l, CTL_PAUSE, NULL);
}

void
load_resume(struct load *l)
{
	if (l->state != LOAD_PAUSED)
		return;
	l->state = LOAD_RUNNING;
	emit_control(l, CTL_RESUME, NULL);
	if (l->opts->open_loop) {
		/* the schedule goes on where it stopped: nothing is burst out */
		usec_t d = load_now(l) - l->paused_at;

		arrivals_shift(&l->arr, d);
		l->stage_t0 += d;
		serve_queue(l);
		arm(l);
		return;
	}
	fill(l);
	if (stage_exhausted(l))
		advance(l);
}

void
load_set_clients(struct load *l, int clients)
{
	if (l->opts->open_loop ||
	    (l->state != LOAD_RUNNING && l->state != LOAD_PAUSED))
		return;
	if (clients < 0)
		clients = 0;
	if (clients == l->target)
		return;
	grow_clients(l, clients);
	l->target = clients;
	begin_segment(l, emit_control(l, CTL_SET_CLIENTS, NULL));
	fill(l);
}

void
load_set_rate(struct load *l, double rate)
{
	if (!l->opts->open_loop || scheduled_by_file(l) ||
	    (l->state != LOAD_RUNNING && l->state != LOAD_PAUSED) || !(rate > 0))
		return;
	if (rate < RATE_MIN)
		rate = RATE_MIN;
	if (rate > RATE_MAX)
		rate = RATE_MAX;
	/* while paused, the schedule's time stands at the pause */
	arrivals_set_rate(&l->arr, l->state == LOAD_PAUSED ? l->paused_at :
	    load_now(l), rate);
	l->rate = rate;
	begin_segment(l, emit_control(l, CTL_SET_RATE, NULL));
	arm(l);
}

double
load_rate(const struct load *l)
{
	if (!l->opts->open_loop || scheduled_by_file(l))
		return 0;
	return arrivals_rate_at(&l->arr, l->state == LOAD_PAUSED ? l->paused_at :
	    load_now(l));
}

size_t
load_waiting(const struct load *l)
{
	return l->qlen;
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
	arm(l);
	/* sends still waiting were never made: they are counted, not sent */
	l->unsent += (long)l->qlen;
	l->qlen = 0;
	if (l->in_flight == 0) {
		end_run(l);
		return;
	}
	ev_timer_start(l->loop, &l->grace_timer);
}

int
load_streams(const struct load *l, struct stream_info *out, int max)
{
	int i, n = 0;

	for (i = 0; i < l->in_flight && n < max; i++) {
		const struct request *r = l->live[i];

		out[n].id = r->s.id;
		out[n].client = r->client;
		out[n].stage = r->s.stage;
		out[n].segment = r->s.segment;
		out[n].started = r->s.t;
		out[n].ttfb = r->s.ttfb;
		out[n].ttft = r->s.ttft;
		out[n].status = r->s.status;
		out[n].chunks = (long)r->s.nchunks;
		out[n].last = r->s.nchunks > 0 ?
		    r->s.t + r->s.chunks[r->s.nchunks - 1] : r->s.t;
		out[n].sent = r->s.phases.sent != USEC_NONE;
		n++;
	}
	return l->in_flight;
}

int
load_stream_tail(const struct load *l, long id, char *out, size_t len)
{
	int i;

	for (i = 0; i < l->in_flight; i++) {
		const struct request *r = l->live[i];
		size_t n = r->tail_len < len ? r->tail_len : len;

		if (r->s.id != id)
			continue;
		memcpy(out, r->tail + r->tail_len - n, n);
		return (int)n;
	}
	return -1;
}
