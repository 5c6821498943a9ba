#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player.h"
#include "replay.h"
#include "xalloc.h"

struct precord {
	enum record_type	 type;
	usec_t			 at;	/* when the run's sinks heard of it */
	union {
		struct sample	 s;
		struct event	 e;
		size_t		 scrape;	/* REC_SERVER: in scrapes */
	} u;
};

struct active {
	size_t	rec;
	size_t	seen;		/* its chunks received by pos */
};

static struct precord *
push(struct player *p, enum record_type type, usec_t at)
{
	struct precord *r;

	if (p->nrecs == p->recs_cap) {
		p->recs_cap = p->recs_cap ? p->recs_cap * 2 : 1024;
		p->recs = xreallocarray(p->recs, p->recs_cap, sizeof *p->recs);
	}
	r = &p->recs[p->nrecs++];
	memset(r, 0, sizeof *r);
	r->type = type;
	r->at = at;
	return r;
}

static void
collect_sample(void *self, const struct sample *s)
{
	struct player *p = self;
	struct precord *r = push(p, REC_REQUEST, s->ttlt != USEC_NONE ?
	    s->t + s->ttlt : s->t);

	r->u.s = *s;
	r->u.s.chunks_cap = s->nchunks;
	r->u.s.chunks = NULL;
	if (s->nchunks > 0) {
		r->u.s.chunks = xreallocarray(NULL, s->nchunks, sizeof *s->chunks);
		memcpy(r->u.s.chunks, s->chunks, s->nchunks * sizeof *s->chunks);
	}
	p->nreqs++;
}

static void
collect_event(void *self, const struct event *e)
{
	struct player *p = self;
	struct precord *r = push(p, e->kind == EV_STAGE ? REC_STAGE : REC_CONTROL,
	    e->t);

	r->u.e = *e;
	r->u.e.text = e->text != NULL ? xstrdup(e->text) : NULL;
}

/* A scrape, kept apart: it is large, and there is one a second. */
static void
collect_server(void *self, const struct server_scrape *x)
{
	struct player *p = self;
	struct server_scrape *c;

	if (p->nscrapes == p->scrapes_cap) {
		p->scrapes_cap = p->scrapes_cap ? p->scrapes_cap * 2 : 64;
		p->scrapes = xreallocarray(p->scrapes, p->scrapes_cap,
		    sizeof *p->scrapes);
	}
	c = &p->scrapes[p->nscrapes];
	*c = *x;
	c->source = x->source != NULL ? xstrdup(x->source) : NULL;
	c->error = x->error != NULL ? xstrdup(x->error) : NULL;
	push(p, REC_SERVER, x->t)->u.scrape = p->nscrapes++;
}

static void
collect_end(void *self, const struct end_info *e)
{
	struct player *p = self;

	p->end = *e;
	p->have_end = true;
}

static const struct player *sort_player;

static int
by_start(const void *a, const void *b)
{
	const struct sample *x = &sort_player->recs[*(const size_t *)a].u.s;
	const struct sample *y = &sort_player->recs[*(const size_t *)b].u.s;

	return (x->t > y->t) - (x->t < y->t);
}

/* When the stage beginning at record i ends: at the next stage, or the end. */
static usec_t
stage_until(const struct player *p, size_t i)
{
	for (i++; i < p->nrecs; i++)
		if (p->recs[i].type == REC_STAGE)
			return p->recs[i].at;
	return p->length;
}

static void
hear_event(struct player *p, size_t i)
{
	const struct event *e = &p->recs[i].u.e;

	if (e->kind == EV_STAGE) {
		p->stage = e->stage;
		p->open_loop = e->open_loop;
		p->clients = e->clients;
		p->rate = e->rate;
		p->rate_to = e->rate_to;
		p->stage_t0 = e->t;
		p->stage_t1 = stage_until(p, i);
		return;
	}
	switch (e->action) {
	case CTL_PAUSE:
		p->state = LOAD_PAUSED;
		break;
	case CTL_RESUME:
		p->state = LOAD_RUNNING;
		break;
	case CTL_SET_CLIENTS:
		p->clients = e->clients;
		break;
	case CTL_SET_RATE:
		p->rate = e->rate;
		p->rate_to = NAN;
		break;
	case CTL_MARK:
		p->mark = e->text != NULL ? e->text : "";
		p->mark_t = e->t;
		p->marks++;
		break;
	case CTL_QUIT:
		p->state = LOAD_DRAINING;
		break;
	default:
		break;
	}
}

/* Back to the run's start: nothing heard yet. */
static void
rewind_run(struct player *p)
{
	size_t i;

	stats_done(&p->stats);
	live_done(&p->live);
	stats_init(&p->stats);
	live_init(&p->live);
	p->pos = 0;
	p->next_rec = p->next_start = 0;
	p->nactive = 0;
	p->chunks = 0;
	p->state = LOAD_RUNNING;
	p->stage = 0;
	p->open_loop = p->ri.open_loop;
	p->clients = 0;
	p->rate = 0;
	p->rate_to = NAN;
	p->stage_t0 = p->stage_t1 = 0;
	p->mark = NULL;
	p->marks = 0;
	/* the first stage is about to begin: show it */
	for (i = 0; i < p->nrecs; i++)
		if (p->recs[i].type == REC_STAGE) {
			hear_event(p, i);
			break;
		}
}

int
player_open(struct player *p, char *const *paths, int n, double speed,
    double now, char *err, size_t errlen)
{
	struct sink k = { .on_sample = collect_sample, .on_event = collect_event,
	    .on_end = collect_end, .on_server = collect_server, .self = p };
	size_t i, j;

	memset(p, 0, sizeof *p);
	stats_init(&p->stats);
	live_init(&p->live);
	if (replay_read(paths, n, &p->ri, &k, err, errlen) != 0) {
		player_close(p);
		return -1;
	}
	p->by_start = xreallocarray(NULL, p->nreqs + 1, sizeof *p->by_start);
	for (i = j = 0; i < p->nrecs; i++) {
		if (p->recs[i].type == REC_REQUEST)
			p->by_start[j++] = i;
		if (p->recs[i].at > p->length)
			p->length = p->recs[i].at;
	}
	sort_player = p;
	qsort(p->by_start, p->nreqs, sizeof *p->by_start, by_start);
	if (p->have_end && p->end.t > p->length)
		p->length = p->end.t;
	p->speed = speed;
	p->wall0 = now;
	rewind_run(p);
	return 0;
}

void
player_close(struct player *p)
{
	size_t i;

	for (i = 0; i < p->nrecs; i++) {
		if (p->recs[i].type == REC_REQUEST)
			free(p->recs[i].u.s.chunks);
		else if (p->recs[i].type != REC_SERVER)
			free((char *)p->recs[i].u.e.text);
	}
	free(p->recs);
	for (i = 0; i < p->nscrapes; i++) {
		free((char *)p->scrapes[i].source);
		free((char *)p->scrapes[i].error);
	}
	free(p->scrapes);
	free(p->by_start);
	free(p->active);
	stats_done(&p->stats);
	live_done(&p->live);
	run_info_free(&p->ri);
}

double
player_rate(const struct player *p)
{
	double f;

	if (isnan(p->rate_to) || p->stage_t1 <= p->stage_t0)
		return p->rate;
	f = (double)(p->pos - p->stage_t0) / (double)(p->stage_t1 - p->stage_t0);
	return p->rate + (p->rate_to - p->rate) * (f < 0 ? 0 : f > 1 ? 1 : f);
}

/* Moves pos forward to t: the requests started and ended by then, every
 * record heard by then, in the order the run's sinks heard them. */
static void
step_to(struct player *p, usec_t t)
{
	struct sink ks = stats_sink(&p->stats), kl = live_sink(&p->live);
	size_t i, o;

	p->pos = t;
	while (p->next_start < p->nreqs &&
	    p->recs[p->by_start[p->next_start]].u.s.t <= t) {
		if (p->nactive == p->active_cap) {
			p->active_cap = p->active_cap ? p->active_cap * 2 : 64;
			p->active = xreallocarray(p->active, p->active_cap,
			    sizeof *p->active);
		}
		p->active[p->nactive].rec = p->by_start[p->next_start++];
		p->active[p->nactive++].seen = 0;
	}
	for (i = o = 0; i < p->nactive; i++) {
		struct active *a = &p->active[i];
		const struct precord *r = &p->recs[a->rec];

		/* its first token, when it came, as the run heard it */
		if (a->seen == 0 && r->u.s.ttft != USEC_NONE &&
		    (r->at <= t || r->u.s.t + r->u.s.ttft <= t))
			kl.on_first(kl.self, &r->u.s);
		if (r->at <= t) {		/* it ended */
			p->chunks += (long)(r->u.s.nchunks - a->seen);
			continue;
		}
		while (a->seen < r->u.s.nchunks &&
		    r->u.s.t + r->u.s.chunks[a->seen] <= t) {
			a->seen++;
			p->chunks++;
		}
		p->active[o++] = *a;
	}
	p->nactive = o;
	for (; p->next_rec < p->nrecs && p->recs[p->next_rec].at <= t; p->next_rec++) {
		struct precord *r = &p->recs[p->next_rec];

		if (r->type == REC_REQUEST) {
			ks.on_sample(ks.self, &r->u.s);
			kl.on_sample(kl.self, &r->u.s);
		} else if (r->type == REC_SERVER) {
			ks.on_server(ks.self, &p->scrapes[r->u.scrape]);
			kl.on_server(kl.self, &p->scrapes[r->u.scrape]);
		} else {
			ks.on_event(ks.self, &r->u.e);
			kl.on_event(kl.self, &r->u.e);
			hear_event(p, p->next_rec);
		}
	}
	if (p->next_rec == p->nrecs && t >= p->length && p->state != LOAD_ENDED) {
		if (p->have_end)
			ks.on_end(ks.self, &p->end);
		p->state = LOAD_ENDED;
	}
}

/* Moves pos to t, gauging the live windows at each tick on the way, as the
 * run's frame timer did. */
static void
advance(struct player *p, usec_t t)
{
	struct lag_hist none;

	memset(&none, 0, sizeof none);
	if (t > p->length)
		t = p->length;
	do {
		usec_t next = (p->pos / LIVE_TICK + 1) * LIVE_TICK;

		step_to(p, next < t ? next : t);
		/* what arrived by a tick's end belongs to that tick */
		live_gauge(&p->live, p->pos > 0 && p->pos % LIVE_TICK == 0 ?
		    p->pos - 1 : p->pos, p->state == LOAD_PAUSED ? 0 :
		    p->open_loop ? player_rate(p) : p->clients, (int)p->nactive,
		    p->chunks, &none);
	} while (p->pos < t);
}

void
player_tick(struct player *p, double now)
{
	usec_t to;

	if (p->paused)
		return;
	if (isinf(p->speed))
		to = p->length;
	else
		to = p->pos0 + (usec_t)((now - p->wall0) * p->speed * USEC_PER_SEC);
	if (to > p->pos || p->pos == 0)
		advance(p, to);
}

void
player_seek(struct player *p, usec_t to, double now)
{
	if (to < 0)
		to = 0;
	if (to > p->length)
		to = p->length;
	if (to < p->pos)
		rewind_run(p);
	advance(p, to);
	p->pos0 = p->pos;
	p->wall0 = now;
}

void
player_set_speed(struct player *p, double speed, double now)
{
	p->pos0 = p->pos;
	p->wall0 = now;
	p->speed = speed;
}

void
player_pause(struct player *p, bool paused, double now)
{
	p->paused = paused;
	p->pos0 = p->pos;
	p->wall0 = now;
}

int
player_streams(const struct player *p, struct stream_info *out, int max)
{
	size_t i;

	for (i = 0; i < p->nactive && i < (size_t)max; i++) {
		const struct active *a = &p->active[i];
		const struct sample *s = &p->recs[a->rec].u.s;

		usec_t age = p->pos - s->t;	/* what had happened by now */

		out[i].id = s->id;
		out[i].client = s->client;
		out[i].stage = s->stage;
		out[i].segment = s->segment;
		out[i].started = s->t;
		out[i].last = a->seen > 0 ? s->t + s->chunks[a->seen - 1] : s->t;
		out[i].chunks = (long)a->seen;
		out[i].ttfb = s->ttfb != USEC_NONE && s->ttfb <= age ? s->ttfb :
		    USEC_NONE;
		out[i].ttft = s->ttft != USEC_NONE && s->ttft <= age ? s->ttft :
		    USEC_NONE;
		out[i].status = out[i].ttfb != USEC_NONE ? s->status : 0;
		out[i].sent = true;	/* its time counts from the send */
	}
	return (int)p->nactive;
}
