#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <ev.h>

#include "cmd/headless.h"
#include "assert.h"
#include "exit_status.h"
#include "labels.h"
#include "jsonl.h"
#include "live.h"
#include "net/models.h"
#include "net/scrape.h"
#include "load.h"
#include "cmd/options.h"
#include "proto/proto.h"
#include "cmd/commands.h"
#include "stats.h"
#include "summary.h"
#include "tui.h"
#include "writer.h"
#include "xalloc.h"

#define SIM_START_WAIT	5000	/* ms the demo waits for the sim's URL */
#define FD_PER_CLIENT	2	/* a socket, and slack for curl's resolver */

struct run {
	struct ev_loop	*loop;
	struct load	 load;
	struct stats	 stats;
	struct writer	*writer;
	struct live	 live;
	struct tui	*tui;		/* NULL: headless */
	bool		 signaled;
	bool		 write_failed;	/* said at once; the load stopped */
	struct headless	 headless;
	ev_signal	 sigint_w, sigterm_w, sighup_w;
	ev_prepare	 writer_w;
	struct goodput	*goodput;	/* for the end record, with --slo */
	struct assert_result *verdicts;	/* --assert's, for it and the exit */
	const struct sink *sinks;	/* the load's, for the scrapes */
	int		 nsinks;
	struct scrape	 scrapes[MAX_SCRAPES];
	int		 nscrapes;
	bool		 probing;	/* the first scrape, before the load */
	char		 probe_error[160];	/* how it failed, or "" */
};

static void
on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct run *r = w->data;

	char err[OPT_ERR_MAX];

	writer_hand_over(r->writer);
	if (r->write_failed || writer_error(r->writer, err, sizeof err) == 0)
		return;
	/* the disk is full, or the file went away: what is measured from now
	 * on could not be kept, so no new request starts; the summary keeps
	 * what is in memory */
	r->write_failed = true;
	snprintf(r->load.stop_detail, sizeof r->load.stop_detail, "writing the "
	    "samples failed: %s; no new requests started, the file ends on its "
	    "last whole line", err);
	if (r->tui == NULL)
		fprintf(stderr, "ttftop: %s\n", r->load.stop_detail);
	if (r->load.state != LOAD_ENDED)
		load_quit(&r->load, END_ERRORS);
}

static void
on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct run *r = w->data;

	r->signaled = true;
	if (r->load.state == LOAD_ENDED)
		ev_break(loop, EVBREAK_ALL);	/* the screen was showing the end */
	else
		load_quit(&r->load, END_SIGNAL);
}

/* A scrape of the server's metrics: to every sink that keeps them. */
static void
on_scrape(void *ctx, const struct server_scrape *x)
{
	struct run *r = ctx;
	int i;

	if (r->probing) {
		snprintf(r->probe_error, sizeof r->probe_error, "%s",
		    x->error != NULL ? x->error : "");
		if (x->error != NULL)
			return;		/* off, said once on stderr */
	}
	if (x->warning != NULL && (r->tui == NULL || r->probing)) {
		char *shown = redact_url(x->source);

		fprintf(stderr, "ttftop: server metrics: %s: %s\n", shown, x->warning);
		free(shown);
	}
	for (i = 0; i < r->nsinks; i++)
		if (r->sinks[i].on_server != NULL)
			r->sinks[i].on_server(r->sinks[i].self, x);
}

/* The server's metrics: the URLs given, else the target's own /metrics;
 * each asked once before the load, kept when it answers Prometheus text,
 * said on stderr either way. */
static void
start_scrapes(struct run *r, const struct run_opts *o, usec_t mono0)
{
	char def[512], err[300];
	const char *urls[MAX_SCRAPES];
	int n = 0, i;

	if (o->no_server_metrics)
		return;
	for (i = 0; i < o->nserver_metrics; i++)
		urls[n++] = o->server_metrics[i];
	if (n == 0) {
		const char *h = strstr(o->url, "://"), *end, *host, *at;

		if (strncmp(o->url, "http://", 7) != 0 || h == NULL)
			return;		/* hosted APIs publish none */
		host = h + 3;
		end = strchr(host, '/');
		if (end == NULL)
			end = host + strlen(host);
		/* the metrics port is asked without the URL's user:password@ */
		if ((at = memchr(host, '@', (size_t)(end - host))) != NULL)
			host = at + 1;
		snprintf(def, sizeof def, "http://%.*s/metrics", (int)(end - host), host);
		urls[n++] = def;
	}
	for (i = 0; i < n; i++) {
		struct scrape *s = &r->scrapes[r->nscrapes];
		char *shown = redact_url(urls[i]);

		if (scrape_init(s, r->loop, urls[i], mono0, err, sizeof err) != 0) {
			fprintf(stderr, "ttftop: server metrics: %s: %s\n", shown, err);
			free(shown);
			continue;
		}
		s->on_result = on_scrape;
		s->ctx = r;
		s->keep = o->server_keep;
		s->nkeep = o->nserver_keep;
		r->probing = true;
		scrape_start(s);
		ev_ref(r->loop);	/* until the probe answers */
		while (s->busy || s->res.t == 0)
			if (!ev_run(r->loop, EVRUN_ONCE))
				break;
		ev_unref(r->loop);
		r->probing = false;
		if (r->probe_error[0] != '\0') {
			fprintf(stderr, "ttftop: server metrics: none at %s (%s)%s\n",
			    shown, r->probe_error, o->nserver_metrics ? "" :
			    "; --server-metrics URL to give them");
			scrape_done(s);
		} else {
			fprintf(stderr, "ttftop: server metrics: %s, %d series kept\n",
			    shown, s->res.n);
			r->nscrapes++;
		}
		free(shown);
	}
}

static void
on_load_end(struct load *l)
{
	struct run *r = l->user;
	int i;

	for (i = 0; i < r->nscrapes; i++)
		scrape_stop(&r->scrapes[i]);

	/* the screen stays up to show the end, unless the user asked to quit */
	if (r->tui == NULL || r->signaled || tui_run_ended(r->tui))
		ev_break(l->loop, EVBREAK_ALL);
}

static void
format_started(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char base[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", base, ts.tv_nsec / 1000);
}

/* No -m: the first model the server lists, said on stderr; a server that
 * lists none is sent no model, as before. */
static void
discover_model(struct run_opts *o)
{
	char err[OPT_ERR_MAX + 256], url[512], **ids;
	int n;

	if (o->model != NULL || o->proto->models_path == NULL)
		return;
	if ((n = models_list(o, &ids, url, sizeof url, err, sizeof err)) < 0) {
		redact_message(o, err, sizeof err);
		fprintf(stderr, "ttftop: no -m given, and no model listed (%s): "
		    "requests name no model\n", err);
		return;
	}
	o->model = xstrdup(ids[0]);
	if (n > 1)
		fprintf(stderr, "ttftop: model: %s, from %s; %d served, pick one "
		    "with -m\n", o->model, o->proto->models_path, n);
	else
		fprintf(stderr, "ttftop: model: %s, from %s\n", o->model,
		    o->proto->models_path);
	models_free(ids, n);
}

/* Every client needs a socket: raise the soft limit to the hard one, and say
 * so plainly when even that is too low. */
static void
raise_fd_limit(const struct run_opts *o)
{
	struct rlimit rl;
	long most = 0;
	int i;

	for (i = 0; i < o->nstages; i++)
		if (o->clients[i] > most)
			most = o->clients[i];
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if ((rlim_t)(most * FD_PER_CLIENT + 64) > rl.rlim_cur)
		fprintf(stderr, "ttftop: warning: %ld clients need about %ld open "
		    "files, but the limit is %lu: raise it with ulimit -n\n",
		    most, most * FD_PER_CLIENT + 64, (unsigned long)rl.rlim_cur);
}

/* The end record carries --assert's verdicts and each stage's goodput
 * under --slo. */
static void
annotate_end(struct load *l, struct end_info *e)
{
	struct run *r = l->user;
	int i;

	if (l->opts->asserts.n > 0) {
		r->verdicts = xreallocarray(NULL, (size_t)l->opts->asserts.n,
		    sizeof *r->verdicts);
		assert_eval(&l->opts->asserts, &r->stats, &l->opts->slo, e->t,
		    r->verdicts);
		e->asserts = r->verdicts;
		e->nasserts = l->opts->asserts.n;
	}
	if (!slo_any(&l->opts->slo))
		return;
	r->goodput = xreallocarray(NULL, (size_t)r->stats.nstages + 1,
	    sizeof *r->goodput);
	for (i = 0; i < r->stats.nstages; i++)
		stats_goodput(&r->stats.stages[i], &l->opts->slo, e->t, &r->goodput[i]);
	e->slo = &l->opts->slo;
	e->goodput = r->goodput;
	e->ngoodput = r->stats.nstages;
}

/* Runs the load described by o; returns the exit status. */
static int
run_load(struct run_opts *o)
{
	struct run r;
	struct run_info ri;
	struct sink sinks[4];
	char err[OPT_ERR_MAX], started[48], tool[32], *shown_url, *shown_endpoint;
	const char *why;
	bool screen = !o->headless && tui_possible(&why);
	int status = 0, nsinks = 0, i;

	memset(&r, 0, sizeof r);
	if (!o->headless && !screen && why != NULL)
		fprintf(stderr, "ttftop: %s: no screen, headless instead\n", why);
	if ((r.writer = writer_open(o->output, o->force, err, sizeof err)) == NULL) {
		fprintf(stderr, "ttftop run: -o/--output: %s\n", err);
		return EXIT_USAGE;
	}
	discover_model(o);
	raise_fd_limit(o);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_ALL);
	r.loop = ev_default_loop(EVFLAG_AUTO);
	stats_init(&r.stats);
	live_init(&r.live);

	format_started(started, sizeof started);
	snprintf(tool, sizeof tool, "%s %s", PACKAGE_NAME, PACKAGE_VERSION);
	memset(&ri, 0, sizeof ri);
	ri.schema = JSONL_SCHEMA;
	ri.tool = tool;
	ri.started = started;
	ri.url = shown_url = redact_url(o->url);	/* the screen reads it too */
	ri.api = (char *)o->proto->name;
	ri.model = o->model;
	ri.nstages = o->nstages;
	ri.open_loop = o->open_loop;
	ri.slo = o->slo;
	ri.price = o->price;
	sinks[nsinks++] = writer_sink(r.writer);
	sinks[nsinks++] = stats_sink(&r.stats);
	if (screen)
		sinks[nsinks++] = live_sink(&r.live);
	r.headless.stats = &r.stats;	/* silent until it has a stream */
	sinks[nsinks++] = headless_sink(&r.headless);
	ev_now_update(r.loop);
	{
		usec_t mono0 = clock_mono_usec();

		ri.mono0 = usec_to_sec(mono0);
		writer_push_run(r.writer, &ri, o);
		/* a file that cannot take its first line (-o /dev/full, a full
		 * disk) stops the run before its first request */
		if (writer_sync(r.writer, err, sizeof err) != 0) {
			fprintf(stderr, "ttftop run: -o/--output: %s\n", err);
			writer_close(r.writer, err, sizeof err);
			stats_done(&r.stats);
			live_done(&r.live);
			free(shown_url);
			curl_global_cleanup();
			return EXIT_USAGE;
		}
		load_init(&r.load, r.loop, o, sinks, nsinks, mono0);
		r.sinks = sinks;
		r.nsinks = nsinks;
		start_scrapes(&r, o, mono0);
	}
	r.load.on_end = on_load_end;
	r.load.annotate_end = annotate_end;
	r.load.user = &r;
	if (screen) {
		struct tui_model m = { &ri, &r.load, &r.stats, &r.live, r.writer,
		    NULL, 0, NULL };

		r.tui = tui_start(r.loop, &m);
	}

	ev_signal_init(&r.sigint_w, on_signal, SIGINT);
	ev_signal_init(&r.sigterm_w, on_signal, SIGTERM);
	/* a closed terminal or ssh session: the file must still end whole */
	ev_signal_init(&r.sighup_w, on_signal, SIGHUP);
	r.sigint_w.data = r.sigterm_w.data = r.sighup_w.data = &r;
	ev_signal_start(r.loop, &r.sigint_w);
	ev_signal_start(r.loop, &r.sigterm_w);
	ev_signal_start(r.loop, &r.sighup_w);
	ev_prepare_init(&r.writer_w, on_prepare);
	r.writer_w.data = &r;
	ev_prepare_start(r.loop, &r.writer_w);
	ev_unref(r.loop);	/* it alone does not keep the loop running */
	if (r.tui == NULL) {
		r.headless.f = stderr;
		shown_endpoint = redact_url(o->endpoint);
		fprintf(stderr, "ttftop: %s %s, %d stage%s, writing %s\n",
		    o->proto->name, shown_endpoint, o->nstages,
		    o->nstages == 1 ? "" : "s", o->output);
		free(shown_endpoint);
	}
	load_start(&r.load);
	if (early_signal() != 0 && r.load.state != LOAD_ENDED) {
		r.signaled = true;	/* as on_signal, for the one that came early */
		load_quit(&r.load, END_SIGNAL);
	}
	if (r.load.state != LOAD_ENDED || r.tui != NULL)
		ev_run(r.loop, 0);
	if (r.tui != NULL)
		tui_stop(r.tui);

	ev_ref(r.loop);
	ev_prepare_stop(r.loop, &r.writer_w);
	load_done(&r.load);
	for (i = 0; i < r.nscrapes; i++)
		scrape_done(&r.scrapes[i]);
	if (writer_close(r.writer, err, sizeof err) != 0) {
		if (!r.write_failed || r.tui != NULL)
			fprintf(stderr, "ttftop: writing the samples failed: %s\n", err);
		status = 1;
	}
	/* a failed preflight measured nothing: its reason is all there is */
	if (r.load.reason != END_PREFLIGHT) {
		if (o->json)
			summary_json(stdout, &ri, &r.stats);
		else if (screen) {	/* a terminal: what fits it, and where
					   the rest is */
			summary_compact(stdout, &ri, &r.stats);
			printf("\nsaved: %s\nfull table: ttftop report %s\n"
			    "html: ttftop report -f html -o report.html %s\n",
			    o->output, o->output, o->output);
		} else
			summary_markdown(stdout, &ri, &r.stats);
		errno = 0;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "ttftop: writing the summary to stdout failed: "
			    "%s\n", errno != 0 ? strerror(errno) : "write error");
			clearerr(stdout);	/* said: main need not say it again */
			status = EXIT_FAILED;
		}
	}
	/* the thresholds, once the file is whole: exit 3 when one fails */
	if (r.verdicts != NULL && !assert_print(o->json ? stderr : stdout,
	    r.verdicts, o->asserts.n, label_utf8()) && status == 0)
		status = EXIT_THRESHOLD;
	if (r.write_failed)
		status = EXIT_FAILED;	/* said at once, and by writer_close */
	else if (r.load.reason == END_PREFLIGHT || r.load.reason == END_ERRORS) {
		redact_message(o, r.load.stop_detail, sizeof r.load.stop_detail);
		fprintf(stderr, "ttftop: %s\n", r.load.stop_detail);
		status = EXIT_FAILED;
	} else if (r.stats.errors > 0 &&
	    r.stats.errors == r.stats.requests - r.stats.canceled) {
		/* requests canceled at quit say nothing about the endpoint */
		fprintf(stderr, "ttftop: every request failed\n");
		status = 1;
	}
	/* watched until the file is closed and the summary out: a signal now
	 * must not cut them short (libev restores the default action) */
	ev_signal_stop(r.loop, &r.sigint_w);
	ev_signal_stop(r.loop, &r.sigterm_w);
	ev_signal_stop(r.loop, &r.sighup_w);
	stats_done(&r.stats);
	free(shown_url);
	free(r.goodput);
	free(r.verdicts);
	live_done(&r.live);
	curl_global_cleanup();
	return status;
}

int
run_main(int argc, char **argv)
{
	struct run_opts o;
	char err[OPT_ERR_MAX];
	int status;

	memset(&o, 0, sizeof o);
	if (options_parse(&o, argc, argv, true, err, sizeof err) != 0) {
		redact_message(&o, err, sizeof err);	/* a malformed URL is named */
		fprintf(stderr, "ttftop run: %s\n", err);
		run_opts_free(&o);
		return EXIT_USAGE;
	}
	status = run_load(&o);
	run_opts_free(&o);
	return status;
}

/* Starts `ttftop sim` as a child with the given knobs; returns its URL (in
 * url) and pid, or -1. The child dies with us, however we end. */
static pid_t
start_sim(char *const sim_argv[], char *url, size_t urllen)
{
	struct pollfd pfd;
	int pipefd[2], devnull;
	size_t n = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		dup2(pipefd[1], STDOUT_FILENO);
		if ((devnull = open("/dev/null", O_WRONLY)) >= 0)
			dup2(devnull, STDERR_FILENO);
		execv("/proc/self/exe", sim_argv);
		_exit(127);
	}
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	while (n + 1 < urllen && poll(&pfd, 1, SIM_START_WAIT) > 0) {
		ssize_t k = read(pipefd[0], url + n, 1);

		if (k <= 0 || url[n] == '\n')
			break;
		n++;
	}
	url[n] = '\0';
	close(pipefd[0]);
	if (strncmp(url, "http://", 7) != 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

int
demo_main(int argc, char **argv)
{
	static const int ramp[] = { 1, 2, 4, 8, 16, 32, 64 };
	char *sim_argv[] = {
		"ttftop", "sim", "--capacity", "16", "--ttft", "80ms", "--itl", "15ms",
		"--tokens", "128", "--jitter", "0.1", NULL
	};
	struct run_opts o;
	char err[OPT_ERR_MAX], url[256];
	int status;
	pid_t pid;

	memset(&o, 0, sizeof o);
	o.clients = xmalloc(sizeof ramp);
	memcpy(o.clients, ramp, sizeof ramp);
	o.nstages = sizeof ramp / sizeof ramp[0];
	o.stage_duration = 10 * (usec_t)USEC_PER_SEC;
	o.model = xstrdup("sim");
	o.url = xstrdup("http://127.0.0.1:1/v1");	/* replaced below */
	if (options_parse(&o, argc, argv, false, err, sizeof err) != 0) {
		fprintf(stderr, "ttftop demo: %s\n", err);
		run_opts_free(&o);
		return EXIT_USAGE;
	}
	if ((pid = start_sim(sim_argv, url, sizeof url)) < 0) {
		fprintf(stderr, "ttftop demo: the simulated endpoint did not start\n");
		run_opts_free(&o);
		return 1;
	}
	free(o.url);
	free(o.endpoint);
	o.url = xstrdup(url);
	if ((o.endpoint = proto_endpoint(o.proto, o.url, o.model, err, sizeof err)) == NULL)
		fatal("%s", err);
	status = run_load(&o);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	run_opts_free(&o);
	return status;
}
