#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "net/scrape.h"
#include "xalloc.h"

enum { W_SKIPPED = 1, W_TYPE = 2, W_LABELS = 4, W_SERIES = 8 };

/* Whether --server-metric keeps the series called name. */
static bool
asked(const struct scrape *s, const char *name, size_t len)
{
	char n[sizeof s->res.names[0]];
	int i;

	if (s->nkeep == 0 || len >= sizeof n)
		return false;
	memcpy(n, name, len);
	n[len] = '\0';
	for (i = 0; i < s->nkeep; i++)
		if (regexec(&s->keep[i], n, 0, NULL, 0) == 0)
			return true;
	return false;
}

/* The series a scrape keeps: the known gauges', the server's TTFT
 * histogram, each bucket by its bound ("family_bucket{le=\"0.05\"}"), and
 * those --server-metric names. Its key in *key, or false. */
static bool
kept(const struct scrape *s, const struct prom_sample *x, char *key, size_t len)
{
	static const char *const parts[] = { "_bucket", "_sum", "_count" };
	double scale;
	bool counter;
	char le[32];
	size_t i, pl;

	if (server_gauge_of(x->name, x->name_len, &scale, &counter) >= 0 ||
	    asked(s, x->name, x->name_len)) {
		snprintf(key, len, "%.*s", (int)x->name_len, x->name);
		return true;
	}
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		pl = strlen(parts[i]);
		if (x->name_len <= pl || memcmp(x->name + x->name_len - pl,
		    parts[i], pl) != 0 || !server_ttft_family(x->name,
		    x->name_len - pl))
			continue;
		if (i > 0)
			snprintf(key, len, "%.*s", (int)x->name_len, x->name);
		else if (!prom_label(x, "le", le, sizeof le))
			return false;
		else
			snprintf(key, len, "%.*s{le=\"%s\"}", (int)x->name_len,
			    x->name, le);
		return true;
	}
	return false;
}

/* A kept series' declared type, against the one it had before: a change
 * is noted, to be said once (the series is read as before). */
static void
check_type(struct scrape *s, const char *key, enum prom_type t)
{
	int i;

	if (t == PROM_UNTYPED)
		return;
	for (i = 0; i < s->ntypes; i++)
		if (strcmp(s->type_name[i], key) == 0)
			break;
	if (i == s->ntypes) {
		if (s->ntypes < SERVER_SERIES) {
			snprintf(s->type_name[i], sizeof s->type_name[0], "%s", key);
			s->type[s->ntypes++] = t;
		}
		return;
	}
	if (s->type[i] != t && !(s->warned & W_TYPE) && s->type_change[0] == '\0')
		snprintf(s->type_change, sizeof s->type_change, "%s was a %s, "
		    "now a %s; read as before", key, prom_type_name(s->type[i]),
		    prom_type_name(t));
}

/* A sample: summed into its series (several label sets: one a GPU; a
 * share is averaged when the scrape ends). */
static void
on_sample(void *ctx, const struct prom_sample *x)
{
	struct scrape *s = ctx;
	struct server_scrape *r = &s->res;
	char key[sizeof r->names[0] + 1];
	size_t kl;
	int i;

	if (isnan(x->value) || !kept(s, x, key, sizeof key) ||
	    (kl = strlen(key)) >= sizeof r->names[0])
		return;
	check_type(s, key, x->type);
	for (i = 0; i < r->n; i++)
		if (strcmp(r->names[i], key) == 0) {
			r->values[i] += x->value;
			s->sets[i]++;
			return;
		}
	if (r->n == SERVER_SERIES) {
		s->dropped = true;
		return;
	}
	memcpy(r->names[r->n], key, kl + 1);
	s->sets[r->n] = 1;
	r->values[r->n++] = x->value;
}

/* What is odd in a whole scrape, each kind said the first time only. */
static const char *
warning_of(struct scrape *s)
{
	int i;

	if (s->prom.skipped > 0 && !(s->warned & W_SKIPPED)) {
		s->warned |= W_SKIPPED;
		snprintf(s->warning, sizeof s->warning, "%ld line%s off the "
		    "Prometheus text format skipped (the first, %s)",
		    s->prom.skipped, s->prom.skipped > 1 ? "s" : "", s->prom.skip_err);
		return s->warning;
	}
	if (s->type_change[0] != '\0') {
		s->warned |= W_TYPE;
		snprintf(s->warning, sizeof s->warning, "%s", s->type_change);
		return s->warning;
	}
	for (i = 0; i < s->res.n && !(s->warned & W_LABELS); i++)
		if (s->sets[i] > SCRAPE_LABEL_SETS) {
			s->warned |= W_LABELS;
			snprintf(s->warning, sizeof s->warning, "%s has %d label "
			    "sets, summed into one", s->res.names[i], s->sets[i]);
			return s->warning;
		}
	if (s->dropped && !(s->warned & W_SERIES)) {
		s->warned |= W_SERIES;
		snprintf(s->warning, sizeof s->warning, "more than %d series to "
		    "keep; the rest dropped (name fewer with --server-metric)",
		    SERVER_SERIES);
		return s->warning;
	}
	return NULL;
}

int
scrape_init(struct scrape *s, struct ev_loop *loop, const char *url,
    usec_t mono0, char *err, size_t errlen)
{
	const char *h, *p, *colon;
	struct addrinfo hints;
	int rc;

	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->fd = -1;
	s->mono0 = mono0;
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, errlen, "only http:// is scraped (give the "
		    "plain-HTTP metrics port)");
		return -1;
	}
	h = url + 7;
	p = strchr(h, '/');
	if (p == NULL)
		p = h + strlen(h);
	colon = memchr(h, ':', (size_t)(p - h));
	if (h == p || colon == h || strchr(h, '@') != NULL) {
		snprintf(err, errlen, "not a URL with a host (and no user:password@)");
		return -1;
	}
	s->url = xstrdup(url);
	s->host = xstrndup(h, (size_t)((colon ? colon : p) - h));
	s->port = colon ? xstrndup(colon + 1, (size_t)(p - colon - 1)) :
	    xstrdup("80");
	s->path = xstrdup(*p ? p : "/metrics");
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(s->host, s->port, &hints, &s->addrs)) != 0) {
		snprintf(err, errlen, "%s", gai_strerror(rc));
		scrape_done(s);
		return -1;
	}
	buf_init(&s->out);
	buf_printf(&s->out, "GET %s HTTP/1.1\r\nHost: %s%s%s\r\nAccept: text/plain"
	    "\r\nConnection: close\r\nUser-Agent: ttftop\r\n\r\n", s->path, s->host,
	    colon ? ":" : "", colon ? s->port : "");
	http_resp_init(&s->resp);
	return 0;
}

/* A share over several label sets (4 GPUs at 80 %) is their mean, not
 * their sum. */
static void
average_shares(struct scrape *s)
{
	double scale;
	bool counter;
	int i, g;

	for (i = 0; i < s->res.n; i++)
		if (s->sets[i] > 1 && (g = server_gauge_of(s->res.names[i],
		    strlen(s->res.names[i]), &scale, &counter)) >= 0 &&
		    server_gauge_averaged((enum server_gauge)g))
			s->res.values[i] /= s->sets[i];
}

/* The scrape ends: whole, or a gap saying why. */
static void
finish(struct scrape *s, const char *error)
{
	ev_io_stop(s->loop, &s->io);
	ev_timer_stop(s->loop, &s->timeout);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->busy = false;
	if (error == NULL && prom_finish(&s->prom) != 0)
		error = s->prom.err;
	s->res.error = error;
	s->res.warning = error == NULL ? warning_of(s) : NULL;
	if (error == NULL)
		average_shares(s);
	if (s->on_result != NULL)
		s->on_result(s->ctx, &s->res);
	prom_done(&s->prom);
	http_resp_free(&s->resp);
	http_resp_init(&s->resp);
}

/* Prometheus text (text/plain) or OpenMetrics; no Content-Type is taken
 * on trust. Else why, in s->resp.err. */
static bool
type_ok(struct scrape *s)
{
	size_t n;
	const char *v = http_header(s->resp.head.p, s->resp.head_len,
	    "Content-Type", &n);

	if (v == NULL || (n >= 10 && strncasecmp(v, "text/plain", 10) == 0) ||
	    memmem(v, n, "openmetrics", 11) != NULL)
		return true;
	snprintf(s->resp.err, sizeof s->resp.err, "not Prometheus text: %.*s",
	    (int)(n < 40 ? n : 40), v);
	return false;
}

static int
body(void *ctx, const char *data, size_t len)
{
	struct scrape *s = ctx;

	if (s->body == 0 && !type_ok(s)) {
		s->wrong_type = true;
		return -1;
	}
	s->body += len;
	if (s->body > SCRAPE_BODY_MAX)
		return -1;
	return prom_feed(&s->prom, data, len);
}

static void
io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct scrape *s = w->data;
	char buf[16384];
	ssize_t n;
	size_t used;
	enum http_rc rc;

	if (revents & EV_WRITE) {
		n = send(s->fd, s->out.p + s->out_pos, s->out.len - s->out_pos,
		    MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			finish(s, "connection failed");
			return;
		}
		if (n > 0)
			s->out_pos += (size_t)n;
		if (s->out_pos == s->out.len) {
			ev_io_stop(loop, &s->io);
			ev_io_set(&s->io, s->fd, EV_READ);
			ev_io_start(loop, &s->io);
		}
		return;
	}
	/* one read a turn: a long answer is parsed a piece at a time between
	 * the load's own reads, never in one long stretch of the loop */
	if ((n = recv(s->fd, buf, sizeof buf, 0)) > 0) {
		rc = http_resp_feed(&s->resp, buf, (size_t)n, &used, body, s);
		if (rc == HTTP_COMPLETE || rc == HTTP_ERROR || rc == HTTP_STOPPED ||
		    (s->resp.status != 0 && s->resp.status != 200))
			goto done;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	rc = n == 0 ? http_resp_eof(&s->resp) : HTTP_ERROR;
done:
	if (s->resp.status != 0 && s->resp.status != 200) {
		snprintf(s->resp.err, sizeof s->resp.err, "HTTP %d", s->resp.status);
		finish(s, s->resp.err);
	} else if (rc == HTTP_STOPPED)
		finish(s, s->wrong_type ? s->resp.err : s->prom.failed ? s->prom.err :
		    "answer too long");
	else if (rc == HTTP_ERROR)
		finish(s, s->resp.err[0] ? s->resp.err : "connection failed");
	else
		finish(s, NULL);
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scrape *s = w->data;

	finish(s, "no answer within 1 s");
}

static void
begin(struct scrape *s)
{
	const struct addrinfo *ai = s->addrs;

	memset(&s->res, 0, sizeof s->res);
	s->res.t = clock_mono_usec() - s->mono0;
	s->res.source = s->url;
	s->body = 0;
	s->wrong_type = false;
	s->out_pos = 0;
	s->dropped = false;
	s->type_change[0] = '\0';
	prom_init(&s->prom, on_sample, s);
	s->busy = true;
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || (connect(s->fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
	    errno != EINPROGRESS)) {
		finish(s, "cannot connect");
		return;
	}
	ev_io_init(&s->io, io_cb, s->fd, EV_WRITE);
	s->io.data = s;
	ev_io_start(s->loop, &s->io);
	ev_timer_init(&s->timeout, timeout_cb, SCRAPE_TIMEOUT, 0.);
	s->timeout.data = s;
	ev_timer_start(s->loop, &s->timeout);
}

static void
every_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct scrape *s = w->data;

	if (!s->busy)	/* one at a time: a slow server is a gap, not a pile */
		begin(s);
}

void
scrape_start(struct scrape *s)
{
	ev_timer_init(&s->every, every_cb, 0., SCRAPE_EVERY);
	s->every.data = s;
	ev_timer_start(s->loop, &s->every);
	ev_unref(s->loop);	/* it alone does not keep the loop running */
}

void
scrape_stop(struct scrape *s)
{
	if (ev_is_active(&s->every)) {
		ev_ref(s->loop);
		ev_timer_stop(s->loop, &s->every);
	}
	if (s->busy) {
		s->on_result = NULL;	/* a scrape cut short says nothing */
		finish(s, "stopped");
	}
}

void
scrape_done(struct scrape *s)
{
	scrape_stop(s);
	if (s->addrs != NULL)
		freeaddrinfo(s->addrs);
	http_resp_free(&s->resp);
	buf_free(&s->out);
	free(s->url);
	free(s->host);
	free(s->port);
	free(s->path);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}
