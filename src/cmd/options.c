#include "config.h"

#include <ctype.h>
#include <math.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "cmd/config_file.h"
#include "cmd/options.h"
#include "prompts.h"
#include "proto/proto.h"
#include "xalloc.h"

#define DEFAULT_PROMPT	"Write a long story about a lighthouse keeper who finds a message in a bottle."
#define DEFAULT_TIMEOUT	(300 * (usec_t)USEC_PER_SEC)
#define DEFAULT_MAX_ERRORS 200	/* failed requests in a row that stop a run */
#define DEFAULT_REQUESTS 10	/* per client, when neither -d nor -n */
#define MAX_CLIENTS	100000
#define MAX_STAGES	1000
#define MAX_RATE	1e6	/* requests/s */
#define DEFAULT_OPEN_STAGE (30 * (usec_t)USEC_PER_SEC)
#define TIME_SCALE_MIN	1e-4
#define TIME_SCALE_MAX	1e4
#define DEFAULT_HASH_BLOCK 512	/* tokens: Mooncake's traces' block */
#define HASH_BLOCK_MAX	1000000L
#define TURNS_MAX	1000

#define DEFAULT_API	"openai-chat"
/* getopt_long returns this plus its index in opts for an option with no
 * letter: past every char, so never taken for a letter (and
 * options_getopt_error says its long name). */
#define OPT_LONG_ONLY	256

/* What is kept while the options are read, besides the settings: what only
 * means something once all of them are read. */
struct parse {
	struct run_opts	*o;
	const char	*api;		/* -a */
	const char	*clients;	/* -c */
	const char	*rates;		/* -r */
	const char	*ramp;		/* --rate-ramp */
	const char	*arrival;	/* --arrival, parsed into o already */
	bool		 got_d, got_n, got_seed;
	const char	*config;	/* --config or --rerun FILE */
	bool		 rerun;
};

int
list_parse(const char *s, long max, int **out, int *n)
{
	const char *p = s;
	int *v = NULL, count = 0;

	if (*s == '\0')
		return -1;
	for (;;) {
		char *end;
		long x;

		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		x = strtol(p, &end, 10);
		if (errno != 0 || x > max || count >= MAX_STAGES)
			goto bad;
		v = xreallocarray(v, (size_t)count + 1, sizeof *v);
		v[count++] = (int)x;
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
	*out = v;
	*n = count;
	return 0;
bad:
	free(v);
	return -1;
}

static int
parse_rate(const char *s, char **end, double *out)
{
	errno = 0;
	*out = strtod(s, end);
	return *end != s && errno == 0 && isfinite(*out) && *out > 0 &&
	    *out <= MAX_RATE && (isdigit((unsigned char)*s) || *s == '.') ? 0 : -1;
}

int
rate_list_parse(const char *s, double **out, int *n)
{
	const char *p = s;
	double *v = NULL, x;
	int count = 0;

	for (;;) {
		char *end;

		if (parse_rate(p, &end, &x) != 0 || count >= MAX_STAGES)
			goto bad;
		v = xreallocarray(v, (size_t)count + 1, sizeof *v);
		v[count++] = x;
		if (*end == '\0')
			break;
		if (*end != ',')
			goto bad;
		p = end + 1;
	}
	*out = v;
	*n = count;
	return 0;
bad:
	free(v);
	return -1;
}

static int
parse_count(const char *s, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && *out > 0 ? 0 : -1;
}

int
mean_sd_parse(const char *s, long *mean, long *sd)
{
	char *end;

	*sd = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*mean = strtol(s, &end, 10);
	if (errno != 0 || *mean <= 0 || *mean > 10000000)
		return -1;
	if (*end == '\0')
		return 0;
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return -1;
	s = end + 1;
	*sd = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && *sd <= 10000000 ? 0 : -1;
}

/* ttftop-YYYYmmdd-HHMMSS.mmm.jsonl in UTC, with -2, -3... when a run of the
 * same millisecond took the name. */
static void
default_output(struct run_opts *o)
{
	char base[48], name[64];
	struct timespec ts;
	struct tm tm;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof base, "ttftop-%Y%m%d-%H%M%S", &tm);
	snprintf(name, sizeof name, "%s.%03ld.jsonl", base, ts.tv_nsec / 1000000);
	for (i = 2; i < 100 && access(name, F_OK) == 0; i++)
		snprintf(name, sizeof name, "%s.%03ld-%d.jsonl", base,
		    ts.tv_nsec / 1000000, i);
	o->output = xstrdup(name);
}

/* Whether text (len bytes, a NUL after them) is one JSON object and nothing
 * after it; if not,
 * *pos is the offset where it goes wrong and *why says how. */
static bool
json_object_check(const char *text, size_t len, size_t *pos, const char **why)
{
	const char *end = NULL;
	/* the NUL counts: cJSON checks that it ends the text */
	cJSON *j = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	bool ok = cJSON_IsObject(j);

	*why = NULL;
	if (j == NULL) {
		*pos = end != NULL && end >= text ? (size_t)(end - text) : 0;
		*why = "not JSON";
	} else if (!ok) {
		*pos = 0;
		*why = "JSON, but not an object {...}";
	}
	cJSON_Delete(j);
	return ok;
}

/* Line and column (from 1) of byte pos of text. */
static void
text_position(const char *text, size_t pos, long *line, long *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < pos && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else
			(*col)++;
	}
}

static unsigned long
random_seed(void)
{
	unsigned int v;

	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	return v;
}

/* -r, --rate-ramp FROM:TO:DUR and --schedule FILE: the open-loop modes. */
static int
open_loop_parse(struct run_opts *o, const char *rates, const char *ramp,
    bool got_length, char *err, size_t errlen)
{
	if (rates != NULL &&
	    rate_list_parse(rates, &o->rates, &o->nstages) != 0) {
		snprintf(err, errlen, "-r/--rate: '%s' is not a list of request "
		    "rates above 0 (try 1,2,4.5)", rates);
		return -1;
	}
	if (ramp != NULL) {
		char *end;
		double from, to;

		errno = 0;
		from = strtod(ramp, &end);
		if (end == ramp || *end != ':' || from < 0 || !isfinite(from))
			goto bad_ramp;
		to = strtod(end + 1, &end);
		if (*end != ':' || to < 0 || !isfinite(to) || (from == 0 && to == 0) ||
		    from > MAX_RATE || to > MAX_RATE || errno != 0 ||
		    duration_parse(end + 1, &o->stage_duration) != 0 ||
		    o->stage_duration <= 0)
			goto bad_ramp;
		if (got_length) {
			snprintf(err, errlen, "--rate-ramp gives the stage's length: "
			    "leave out -d and -n");
			return -1;
		}
		o->rates = xmalloc(sizeof *o->rates);
		o->rates[0] = from;
		o->ramp_to = to;
		o->ramp = true;
		o->nstages = 1;
		o->requests = 0;
	}
	if (o->schedule_file != NULL) {
		struct schedule s;

		if (got_length) {
			snprintf(err, errlen, "--schedule gives the send times: leave "
			    "out -d and -n");
			return -1;
		}
		if (schedule_read(o->schedule_file, o->sched_format, o->time_scale,
		    &s, err, errlen) != 0)
			return -1;
		o->sched_at = s.at;
		o->sched_prompt = s.prompt;
		o->sched_req = s.req;
		o->nsched = s.n;
		o->sched_format = s.format;
		o->nstages = 1;
		o->stage_duration = 0;
		o->requests = 0;
	}
	if (o->schedule_file == NULL && (o->time_scale != 1 ||
	    o->sched_format != SCHED_AUTO)) {
		snprintf(err, errlen, "%s is for --schedule FILE", o->time_scale != 1 ?
		    "--time-scale" : "--schedule-format");
		return -1;
	}
	if (rates == NULL && ramp == NULL && o->schedule_file == NULL)
		return 0;
	o->open_loop = true;
	free(o->clients);	/* a caller's default ramp of clients */
	o->clients = xcalloc((size_t)o->nstages, sizeof *o->clients);
	return 0;
bad_ramp:
	snprintf(err, errlen, "--rate-ramp: '%s' is not FROM:TO:DURATION "
	    "(try 1:50:2m)", ramp);
	return -1;
}

/* --body-file: read whole, and checked to be a JSON object once filled. */
static int
body_file_parse(struct run_opts *o, char *err, size_t errlen)
{
	FILE *f;
	struct buf b;
	char chunk[4096];
	size_t n;
	bool ok;

	if (o->body_file == NULL)
		return 0;
	if ((f = fopen(o->body_file, "r")) == NULL) {
		snprintf(err, errlen, "--body-file: %s: %s", o->body_file,
		    strerror(errno));
		return -1;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	o->body_template = buf_detach(&b, &n);
	if (strlen(o->body_template) != n) {
		snprintf(err, errlen, "--body-file: %s holds a NUL byte: not a JSON "
		    "template", o->body_file);
		return -1;
	}
	/* filled with stand-ins of the placeholders' own lengths, so that a
	 * position in the result is the same position in the file */
	{
		static const struct { const char *name, *as; } fills[] = {
			{ "{{prompt}}", "pppppppppp" },
			{ "{{model}}", "mmmmmmmmm" },
			{ "{{max_tokens}}", "16            " },
		};
		char *t = xstrdup(o->body_template), *at;
		size_t i, pos;
		const char *why;
		long line, col;

		for (i = 0; i < sizeof fills / sizeof fills[0]; i++)
			while ((at = strstr(t, fills[i].name)) != NULL)
				memcpy(at, fills[i].as, strlen(fills[i].as));
		ok = json_object_check(t, n, &pos, &why);
		free(t);
		if (!ok) {
			text_position(o->body_template, pos, &line, &col);
			snprintf(err, errlen, "--body-file: %s:%ld:%ld: the template is "
			    "%s once {{prompt}}, {{max_tokens}} and {{model}} are filled "
			    "in (write \"{{prompt}}\" in quotes)", o->body_file, line, col,
			    why);
			return -1;
		}
	}
	return 0;
}

/* AWS credentials and region from the environment; the default URL. */
static int
aws_parse(struct run_opts *o, char *err, size_t errlen)
{
	const char *missing[3];
	int n = 0;

	o->aws_key_id = getenv("AWS_ACCESS_KEY_ID");
	o->aws_secret = getenv("AWS_SECRET_ACCESS_KEY");
	o->aws_session_token = getenv("AWS_SESSION_TOKEN");
	o->aws_region = getenv("AWS_REGION");
	if (o->aws_region == NULL || o->aws_region[0] == '\0')
		o->aws_region = getenv("AWS_DEFAULT_REGION");
	if (o->aws_key_id == NULL || o->aws_key_id[0] == '\0')
		missing[n++] = "AWS_ACCESS_KEY_ID";
	if (o->aws_secret == NULL || o->aws_secret[0] == '\0')
		missing[n++] = "AWS_SECRET_ACCESS_KEY";
	if (o->aws_region == NULL || o->aws_region[0] == '\0')
		missing[n++] = "AWS_REGION (or AWS_DEFAULT_REGION)";
	if (n > 0) {
		snprintf(err, errlen, "--api %s needs %s%s%s%s%s set in the "
		    "environment (AWS_SESSION_TOKEN too, for temporary credentials)",
		    o->proto->name, missing[0], n > 1 ? (n > 2 ? ", " : " and ") : "",
		    n > 1 ? missing[1] : "", n > 2 ? " and " : "",
		    n > 2 ? missing[2] : "");
		return -1;
	}
	if (o->url == NULL) {
		char url[256];

		snprintf(url, sizeof url, "https://%s.%s.amazonaws.com",
		    o->proto->aws_host, o->aws_region);
		o->url = xstrdup(url);
	}
	return 0;
}

/* --turns, --think and files of conversations: whether clients hold
 * sessions, and what each turn can send. */
static int
sessions_parse(struct run_opts *o, char *err, size_t errlen)
{
	bool conversations = false;
	size_t i;

	for (i = 0; i < o->nprompts && o->input_tokens == 0; i++)
		if (o->prompts[i].sharegpt)
			conversations = true;
	if (o->turns > 0 && o->open_loop) {
		snprintf(err, errlen, "--turns is for closed loop (-c): each client "
		    "holds a conversation");
		return -1;
	}
	o->sessions = (o->turns > 0 || conversations) && !o->open_loop;
	if (o->think > 0 && !o->sessions) {
		snprintf(err, errlen, "--think is the pause between a session's "
		    "turns: give --turns N (closed loop) or --prompts with "
		    "conversations");
		return -1;
	}
	for (i = 0; o->sessions && i < o->nprompts && o->input_tokens == 0; i++) {
		const struct prompt *pr = &o->prompts[i];

		if (pr->body != NULL) {
			snprintf(err, errlen, "--prompts: %s:%ld: a whole request body "
			    "cannot be a turn of a conversation (--turns)",
			    o->prompts_file, pr->line);
			return -1;
		}
		if (pr->messages != NULL && pr->nuser == 0) {
			snprintf(err, errlen, "--prompts: %s:%ld: the messages have no "
			    "user turn to send (--turns)", o->prompts_file, pr->line);
			return -1;
		}
	}
	return 0;
}

/* --prompt, --prompts and --input-tokens: what the requests ask. */
static int
prompts_parse(struct run_opts *o, char *err, size_t errlen)
{
	size_t i;

	if ((o->prompt != NULL) + (o->prompts_file != NULL) +
	    (o->input_tokens > 0) > 1) {
		snprintf(err, errlen, "--prompt, --prompts and --input-tokens: give "
		    "one of them");
		return -1;
	}
	if (o->prompts_file != NULL) {
		if (prompts_load(o->prompts_file, &o->prompts, &o->nprompts, err,
		    errlen) != 0)
			return -1;
	} else {
		if (o->prompt == NULL)
			o->prompt = xstrdup(DEFAULT_PROMPT);
		o->prompts = xcalloc(1, sizeof *o->prompts);
		o->prompts[0].text = xstrdup(o->prompt);
		o->nprompts = 1;
	}
	for (i = 0; i < o->nsched; i++) {
		if (o->sched_prompt[i] >= (long)o->nprompts) {
			snprintf(err, errlen, "--schedule: %s asks for prompt %ld, but "
			    "there %s only %zu", o->schedule_file, o->sched_prompt[i],
			    o->nprompts == 1 ? "is" : "are", o->nprompts);
			return -1;
		}
	}
	return sessions_parse(o, err, errlen);
}

/* What the direct transport cannot do, or NULL. */
static const char *
direct_cannot(const struct run_opts *o)
{
	const char *authority;
	size_t n;

	if (o->endpoint == NULL)
		return "no URL";
	if (strncasecmp(o->endpoint, "http://", 7) == 0)
		authority = o->endpoint + 7;
	else if (strncasecmp(o->endpoint, "https://", 8) == 0)
		authority = o->endpoint + 8;
	else
		return "it speaks http:// and https:// only";
	n = strcspn(authority, "/?#");
	if (memchr(authority, '@', n) != NULL)
		return "credentials in the URL need curl";
	return NULL;
}

/* Settles --transport: auto is direct unless the URL needs curl or a proxy
 * is set in the environment (curl honours it). */
static int
transport_parse(struct run_opts *o, char *err, size_t errlen)
{
	static const char *const proxy_vars[] = { "all_proxy", "ALL_PROXY",
	    "http_proxy", "https_proxy", "HTTPS_PROXY" };
	const char *why = direct_cannot(o);
	bool https = o->endpoint != NULL &&
	    strncasecmp(o->endpoint, "https://", 8) == 0;
	size_t i;

	if (o->transport == TRANSPORT_DIRECT && why != NULL) {
		snprintf(err, errlen, "--transport direct: %s (leave the option "
		    "out, or say curl)", why);
		return -1;
	}
	if (o->transport != TRANSPORT_AUTO)
		return 0;
	o->transport = why != NULL ? TRANSPORT_CURL : TRANSPORT_DIRECT;
	/* curl's: http_proxy for http:// URLs, the https ones for https:// */
	for (i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++) {
		const char *v = getenv(proxy_vars[i]);

		if (v != NULL && v[0] != '\0' && (i < 2 || (i == 2) == !https))
			o->transport = TRANSPORT_CURL;
	}
	return 0;
}

/* A string option given again replaces its value: the last one wins. */
static void
set_string(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int
opt_api(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->api = arg;
	return 0;
}

static int
opt_model(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->model, arg);
	return 0;
}

static int
opt_clients(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->clients = arg;
	return 0;
}

static int
opt_stage_duration(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (duration_parse(arg, &o->stage_duration) != 0 ||
	    o->stage_duration <= 0) {
		snprintf(err, errlen, "-d/--stage-duration: '%s' is not a "
		    "duration (try 30s, 2m, 500ms)", arg);
		return -1;
	}
	p->got_d = true;
	return 0;
}

static int
opt_requests(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (parse_count(arg, &p->o->requests) != 0) {
		snprintf(err, errlen, "-n/--requests: '%s' is not a "
		    "positive whole number", arg);
		return -1;
	}
	p->got_n = true;
	return 0;
}

static int
opt_prompt(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->prompt, arg);
	return 0;
}

static int
opt_max_tokens(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (mean_sd_parse(arg, &o->max_tokens, &o->max_tokens_sd) != 0) {
		snprintf(err, errlen, "--max-tokens: '%s' is not N or N:SD "
		    "(try 256 or 256:32)", arg);
		return -1;
	}
	return 0;
}

/* -H is repeatable: every header given is sent. */
static int
opt_header(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	/* neither error echoes the header: its value may be a key */
	if (strchr(arg, ':') == NULL || arg[0] == ':') {
		snprintf(err, errlen, "-H/--header: header %d is not of the "
		    "form 'Name: value'", o->nheaders + 1);
		return -1;
	}
	if (arg[strcspn(arg, "\r\n")] != '\0') {
		snprintf(err, errlen, "-H/--header: header %d holds a line break "
		    "(CR or LF): a header is one line", o->nheaders + 1);
		return -1;
	}
	o->headers = xreallocarray(o->headers, (size_t)o->nheaders + 1,
	    sizeof *o->headers);
	o->headers[o->nheaders++] = xstrdup(arg);
	return 0;
}

static int
opt_output(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->output, arg);
	return 0;
}

static int
opt_timeout(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (duration_parse(arg, &o->timeout) != 0 || o->timeout <= 0) {
		snprintf(err, errlen, "--timeout: '%s' is not a duration "
		    "(try 30s, 2m)", arg);
		return -1;
	}
	return 0;
}

static int
opt_insecure(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->insecure = true;
	return 0;
}

static int
opt_cacert(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->cacert, arg);
	return 0;
}

/* --cacert: a file curl will read, said now rather than as a TLS error of
 * every request. */
static int
cacert_parse(const struct run_opts *o, char *err, size_t errlen)
{
	FILE *f;

	if (o->cacert == NULL)
		return 0;
	if ((f = fopen(o->cacert, "r")) == NULL) {
		snprintf(err, errlen, "--cacert: %s: %s", o->cacert, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

static int
opt_headless(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->headless = true;
	return 0;
}

static int
opt_json(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->json = p->o->headless = true;
	return 0;
}

static int
opt_force(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->force = true;
	return 0;
}

static int
opt_no_preflight(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->preflight = false;
	return 0;
}

static int
opt_server_metrics(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (strcmp(arg, "none") == 0) {
		o->no_server_metrics = true;
		return 0;
	}
	if (strncmp(arg, "http://", 7) != 0 || arg[7] == '\0') {
		snprintf(err, errlen, "--server-metrics: '%s' is not an http:// URL "
		    "(or none)", arg);
		return -1;
	}
	if (o->nserver_metrics == MAX_SCRAPES) {
		snprintf(err, errlen, "--server-metrics: at most %d", MAX_SCRAPES);
		return -1;
	}
	o->server_metrics[o->nserver_metrics++] = xstrdup(arg);
	return 0;
}

/* --config FILE, --rerun FILE.jsonl: read before the rest of the command
 * line, which overrides them (options_parse). */
static int
opt_config_file(struct parse *p, const char *arg, bool rerun, char *err,
    size_t errlen)
{
	if (p->config != NULL) {
		snprintf(err, errlen, "--config and --rerun: give one, once");
		return -1;
	}
	p->config = arg;
	p->rerun = rerun;
	return 0;
}

static int
opt_config(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return opt_config_file(p, arg, false, err, errlen);
}

static int
opt_rerun(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return opt_config_file(p, arg, true, err, errlen);
}

/* A series to keep besides the known ones: a name, or an extended regular
 * expression matched against whole names. */
static int
opt_server_metric(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;
	char *anchored, why[120];
	int rc;

	if (o->nserver_keep == MAX_SERVER_KEEP) {
		snprintf(err, errlen, "--server-metric: at most %d", MAX_SERVER_KEEP);
		return -1;
	}
	if (arg[0] == '\0') {
		snprintf(err, errlen, "--server-metric: give a metric's name or a "
		    "regular expression");
		return -1;
	}
	xasprintf(&anchored, "^(%s)$", arg);
	rc = regcomp(&o->server_keep[o->nserver_keep], anchored,
	    REG_EXTENDED | REG_NOSUB);
	free(anchored);
	if (rc != 0) {
		regerror(rc, NULL, why, sizeof why);
		snprintf(err, errlen, "--server-metric: '%s' is not a regular "
		    "expression: %s", arg, why);
		return -1;
	}
	o->server_keep_src[o->nserver_keep++] = xstrdup(arg);
	return 0;
}

static int
opt_max_errors(struct parse *p, const char *arg, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	p->o->max_errors = strtol(arg, &end, 10);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)*arg)) {
		snprintf(err, errlen, "--max-errors: '%s' is not a count of failed "
		    "requests in a row, 1 or more (0: never stop)", arg);
		return -1;
	}
	return 0;
}

static int
opt_seed(struct parse *p, const char *arg, char *err, size_t errlen)
{
	char *end;

	errno = 0;
	p->o->seed = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0' || !isdigit((unsigned char)*arg)) {
		snprintf(err, errlen, "--seed: '%s' is not a whole number", arg);
		return -1;
	}
	p->got_seed = true;
	return 0;
}

static int
opt_rate(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->rates = arg;
	return 0;
}

static int
opt_arrival(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	p->arrival = arg;
	if (arrival_parse(arg, &o->arrival, &o->arrival_shape) != 0) {
		snprintf(err, errlen, "--arrival: unknown arrival '%s' "
		    "(constant, poisson, or gamma:K with K from 0.01 to "
		    "1000)", arg);
		return -1;
	}
	return 0;
}

static int
opt_max_concurrency(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (parse_count(arg, &p->o->max_concurrency) != 0) {
		snprintf(err, errlen, "--max-concurrency: '%s' is not a "
		    "positive whole number", arg);
		return -1;
	}
	return 0;
}

static int
opt_schedule(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->schedule_file, arg);
	return 0;
}

static int
opt_schedule_format(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (sched_format_parse(arg, &p->o->sched_format) != 0) {
		snprintf(err, errlen, "--schedule-format: '%s' is not auto, plain, "
		    "mooncake or burstgpt", arg);
		return -1;
	}
	return 0;
}

static int
opt_time_scale(struct parse *p, const char *arg, char *err, size_t errlen)
{
	char *end;
	double f;

	errno = 0;
	f = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(f) ||
	    !(f >= TIME_SCALE_MIN && f <= TIME_SCALE_MAX)) {
		snprintf(err, errlen, "--time-scale: '%s' is not a factor from "
		    "%g to %g (0.5: twice as fast)", arg, TIME_SCALE_MIN,
		    TIME_SCALE_MAX);
		return -1;
	}
	p->o->time_scale = f;
	return 0;
}

static int
opt_hash_block(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (parse_count(arg, &p->o->hash_block) != 0 ||
	    p->o->hash_block > HASH_BLOCK_MAX) {
		snprintf(err, errlen, "--hash-block: '%s' is not a count of tokens "
		    "from 1 to %ld", arg, HASH_BLOCK_MAX);
		return -1;
	}
	return 0;
}

static int
opt_turns(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (mean_sd_parse(arg, &o->turns, &o->turns_sd) != 0 ||
	    o->turns > TURNS_MAX) {
		snprintf(err, errlen, "--turns: '%s' is not N or N:SD, N from 1 to "
		    "%d (try 3 or 4:1)", arg, TURNS_MAX);
		return -1;
	}
	return 0;
}

static int
opt_think(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (duration_parse(arg, &p->o->think) != 0) {
		snprintf(err, errlen, "--think: '%s' is not a duration (try 2s)", arg);
		return -1;
	}
	return 0;
}

static int
opt_rate_ramp(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->ramp = arg;
	return 0;
}

static int
opt_warmup(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (duration_parse(arg, &o->warmup) != 0 || o->warmup < 0) {
		snprintf(err, errlen, "--warmup: '%s' is not a duration "
		    "(try 10s)", arg);
		return -1;
	}
	return 0;
}

static int
opt_price(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return price_parse(arg, &p->o->price, err, errlen);
}

static int
opt_assert(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return assert_parse(&p->o->asserts, arg, err, errlen);
}

static int
opt_slo(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return slo_parse(arg, &p->o->slo, err, errlen);
}

static int
opt_prompts(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->prompts_file, arg);
	return 0;
}

static int
opt_input_tokens(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (mean_sd_parse(arg, &o->input_tokens, &o->input_tokens_sd) != 0) {
		snprintf(err, errlen, "--input-tokens: '%s' is not N or "
		    "N:SD (try 512 or 512:64)", arg);
		return -1;
	}
	return 0;
}

/* --body: the extra fields only; the template and paths are other options'. */
static int
opt_body(struct parse *p, const char *arg, char *err, size_t errlen)
{
	size_t pos;
	const char *why;

	if (!json_object_check(arg, strlen(arg), &pos, &why)) {
		/* not echoed: it may hold a key */
		if (pos > 0)
			snprintf(err, errlen, "--body: %s at character %zu (try "
			    "'{\"ignore_eos\": true}')", why, pos + 1);
		else
			snprintf(err, errlen, "--body: %s (try "
			    "'{\"ignore_eos\": true}')", why);
		return -1;
	}
	set_string(&p->o->body_extra, arg);
	return 0;
}

static int
opt_shuffle(struct parse *p, const char *arg, char *err, size_t errlen)
{
	p->o->shuffle = true;
	return 0;
}

/* --body-file: read once all options are, in body_file_parse. */
static int
opt_body_file(struct parse *p, const char *arg, char *err, size_t errlen)
{
	set_string(&p->o->body_file, arg);
	return 0;
}

static int
opt_stream(struct parse *p, const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "sse") != 0 && strcmp(arg, "ndjson") != 0) {
		snprintf(err, errlen, "--stream: '%s' is not sse or ndjson", arg);
		return -1;
	}
	p->o->stream_ndjson = strcmp(arg, "ndjson") == 0;
	return 0;
}

/* --token-path, --usage-path, --done-path: dotted paths into a chunk. */
static int
json_path_set(char **dst, const char *option, const char *arg, char *err,
    size_t errlen)
{
	if (arg[0] == '\0' || strstr(arg, "..") != NULL || arg[0] == '.' ||
	    arg[strlen(arg) - 1] == '.') {
		snprintf(err, errlen, "%s: '%s' is not a path like "
		    "choices.0.delta.content", option, arg);
		return -1;
	}
	set_string(dst, arg);
	return 0;
}

static int
opt_token_path(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return json_path_set(&p->o->token_path, "--token-path", arg, err, errlen);
}

static int
opt_usage_path(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return json_path_set(&p->o->usage_path, "--usage-path", arg, err, errlen);
}

static int
opt_done_path(struct parse *p, const char *arg, char *err, size_t errlen)
{
	return json_path_set(&p->o->done_path, "--done-path", arg, err, errlen);
}

static int
opt_transport(struct parse *p, const char *arg, char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if (strcmp(arg, "auto") == 0)
		o->transport = TRANSPORT_AUTO;
	else if (strcmp(arg, "direct") == 0)
		o->transport = TRANSPORT_DIRECT;
	else if (strcmp(arg, "curl") == 0)
		o->transport = TRANSPORT_CURL;
	else {
		snprintf(err, errlen, "--transport: '%s' is not auto, "
		    "direct or curl", arg);
		return -1;
	}
	return 0;
}

/* Every option, named once: getopt_long's table and the short-option string
 * are built from this one. No help text here: `ttftop help run` groups and
 * words the options for a reader, not in this order. */
static const struct opt {
	const char	*name;
	int		 letter;	/* 0: long only */
	int		 has_arg;	/* no_argument or required_argument */
	int		(*fn)(struct parse *, const char *, char *, size_t);
} opts[] = {
	{ "api",		'a', required_argument,	opt_api },
	{ "model",		'm', required_argument,	opt_model },
	{ "clients",		'c', required_argument,	opt_clients },
	{ "stage-duration",	'd', required_argument,	opt_stage_duration },
	{ "requests",		'n', required_argument,	opt_requests },
	{ "prompt",		0,   required_argument,	opt_prompt },
	{ "max-tokens",		0,   required_argument,	opt_max_tokens },
	{ "header",		'H', required_argument,	opt_header },
	{ "output",		'o', required_argument,	opt_output },
	{ "timeout",		0,   required_argument,	opt_timeout },
	{ "insecure",		'k', no_argument,	opt_insecure },
	{ "cacert",		0,   required_argument,	opt_cacert },
	{ "headless",		0,   no_argument,	opt_headless },
	{ "json",		0,   no_argument,	opt_json },
	{ "seed",		0,   required_argument,	opt_seed },
	{ "rate",		'r', required_argument,	opt_rate },
	{ "arrival",		0,   required_argument,	opt_arrival },
	{ "max-concurrency",	0,   required_argument,	opt_max_concurrency },
	{ "schedule",		0,   required_argument,	opt_schedule },
	{ "rate-ramp",		0,   required_argument,	opt_rate_ramp },
	{ "schedule-format",	0,   required_argument,	opt_schedule_format },
	{ "time-scale",		0,   required_argument,	opt_time_scale },
	{ "hash-block",		0,   required_argument,	opt_hash_block },
	{ "turns",		0,   required_argument,	opt_turns },
	{ "think",		0,   required_argument,	opt_think },
	{ "warmup",		0,   required_argument,	opt_warmup },
	{ "slo",		0,   required_argument,	opt_slo },
	{ "assert",		0,   required_argument,	opt_assert },
	{ "price",		0,   required_argument,	opt_price },
	{ "prompts",		0,   required_argument,	opt_prompts },
	{ "input-tokens",	0,   required_argument,	opt_input_tokens },
	{ "body",		0,   required_argument,	opt_body },
	{ "shuffle",		0,   no_argument,	opt_shuffle },
	{ "body-file",		0,   required_argument,	opt_body_file },
	{ "stream",		0,   required_argument,	opt_stream },
	{ "token-path",		0,   required_argument,	opt_token_path },
	{ "usage-path",		0,   required_argument,	opt_usage_path },
	{ "done-path",		0,   required_argument,	opt_done_path },
	{ "transport",		0,   required_argument,	opt_transport },
	{ "no-preflight",	0,   no_argument,	opt_no_preflight },
	{ "force",		0,   no_argument,	opt_force },
	{ "max-errors",		0,   required_argument,	opt_max_errors },
	{ "server-metrics",	0,   required_argument,	opt_server_metrics },
	{ "server-metric",	0,   required_argument,	opt_server_metric },
	{ "config",		0,   required_argument,	opt_config },
	{ "rerun",		0,   required_argument,	opt_rerun },
};
#define NOPTS (sizeof opts / sizeof opts[0])

/* getopt_long's tables from opts: a letter's long form returns the letter,
 * so both spellings reach one entry. shorts holds 2 * NOPTS + 2. */
static void
opts_build(struct option *longs, char *shorts)
{
	size_t i;

	*shorts++ = ':';	/* a missing value returns ':', not '?' */
	for (i = 0; i < NOPTS; i++) {
		longs[i].name = opts[i].name;
		longs[i].has_arg = opts[i].has_arg;
		longs[i].flag = NULL;
		longs[i].val = opts[i].letter != 0 ? opts[i].letter :
		    OPT_LONG_ONLY + (int)i;
		if (opts[i].letter != 0) {
			*shorts++ = (char)opts[i].letter;
			if (opts[i].has_arg == required_argument)
				*shorts++ = ':';
		}
	}
	memset(&longs[NOPTS], 0, sizeof longs[NOPTS]);
	*shorts = '\0';
}

/* The entry for what getopt_long returned, or NULL for ':' and '?'. */
static const struct opt *
opts_find(int ch)
{
	size_t i;

	if (ch >= OPT_LONG_ONLY && (size_t)(ch - OPT_LONG_ONLY) < NOPTS)
		return &opts[ch - OPT_LONG_ONLY];
	for (i = 0; i < NOPTS; i++)
		if (opts[i].letter == ch)	/* ch is never 0: no flag pointers */
			return &opts[i];
	return NULL;
}

/* -c, -r, --rate-ramp, --schedule, -d and -n: closed or open loop, the
 * stages, and how each ends. */
static int
stages_parse(struct parse *p, char *err, size_t errlen)
{
	struct run_opts *o = p->o;
	int i;

	if ((p->clients != NULL) + (p->rates != NULL) + (p->ramp != NULL) +
	    (o->schedule_file != NULL) > 1) {
		snprintf(err, errlen, "-c/--clients, -r/--rate, --rate-ramp and "
		    "--schedule: give one of them");
		return -1;
	}
	if (p->clients != NULL) {
		free(o->clients);
		o->clients = NULL;
		if (list_parse(p->clients, MAX_CLIENTS, &o->clients,
		    &o->nstages) != 0) {
			snprintf(err, errlen, "-c/--clients: '%s' is not a list of "
			    "client counts (try 1,5,20)", p->clients);
			return -1;
		}
		for (i = 0; i < o->nstages; i++) {
			if (o->clients[i] == 0) {
				snprintf(err, errlen, "-c/--clients: stage %d of '%s' has 0 "
				    "clients: nothing would run in it", i + 1, p->clients);
				return -1;
			}
		}
	}
	if (p->got_d && p->got_n) {
		snprintf(err, errlen, "-d/--stage-duration and -n/--requests: "
		    "give one or the other");
		return -1;
	}
	if (p->got_n)
		o->stage_duration = 0;	/* the caller's default gives way */
	if (p->got_d)
		o->requests = 0;
	if (open_loop_parse(o, p->rates, p->ramp, p->got_d || p->got_n, err,
	    errlen) != 0)
		return -1;
	if (p->arrival != NULL && p->rates == NULL && p->ramp == NULL) {
		snprintf(err, errlen, "--arrival needs -r/--rate or --rate-ramp");
		return -1;
	}
	if (o->max_concurrency > 0 && !o->open_loop) {
		snprintf(err, errlen, "--max-concurrency is for open loop: give "
		    "-r/--rate, --rate-ramp or --schedule");
		return -1;
	}
	if (o->clients == NULL) {
		o->clients = xmalloc(sizeof *o->clients);
		o->clients[0] = 1;
		o->nstages = 1;
	}
	if (o->stage_duration == 0 && o->requests == 0 && o->schedule_file == NULL) {
		if (o->open_loop)
			o->stage_duration = DEFAULT_OPEN_STAGE;
		else
			o->requests = DEFAULT_REQUESTS;
	}
	return 0;
}

/* The words left after the options: the URL for `run`, none for `demo`. */
static int
url_parse(struct run_opts *o, int nargs, char **args, bool url_required,
    char *err, size_t errlen)
{
	if (!url_required) {
		if (nargs > 0) {
			snprintf(err, errlen, "unexpected argument '%s'", args[0]);
			return -1;
		}
		return 0;
	}
	if (nargs == 0 && o->proto->aws_service == NULL) {
		snprintf(err, errlen, "no URL given (e.g. ttftop run "
		    "http://127.0.0.1:8000/v1)");
		return -1;
	}
	if (nargs > 1) {
		snprintf(err, errlen, "unexpected argument '%s' after the URL",
		    args[1]);
		return -1;
	}
	if (nargs > 0) {
		const char *c;

		for (c = args[0]; *c != '\0'; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f) {
				/* a space or line break would go onto the request
				 * line; not echoed: the URL may hold a key */
				snprintf(err, errlen, "malformed URL: character %ld is a "
				    "space or control character (write it as %%%02X)",
				    (long)(c - args[0]) + 1, (unsigned char)*c);
				return -1;
			}
	}
	free(o->url);
	o->url = nargs > 0 ? xstrdup(args[0]) : NULL;
	return 0;
}

/* What the API needs of the other options: custom's template and token
 * path, a model where the path names one. */
static int
api_needs_parse(struct run_opts *o, char *err, size_t errlen)
{
	if (o->proto == &proto_custom && (o->body_template == NULL ||
	    o->token_path == NULL)) {
		snprintf(err, errlen, "--api custom needs --body-file TEMPLATE and "
		    "--token-path PATH (e.g. choices.0.delta.content)");
		return -1;
	}
	if (strstr(o->proto->path, "{model}") != NULL && o->model != NULL &&
	    (o->model[0] == '\0' || o->model[strcspn(o->model, " \t\r\n")] != '\0')) {
		snprintf(err, errlen, "-m/--model: '%s' cannot be %s (no spaces, "
		    "not empty)", o->model, strncmp(o->proto->path, "/endpoints/", 11) == 0 ?
		    "a SageMaker endpoint's name" : "a Bedrock model id");
		return -1;
	}
	if (strstr(o->proto->path, "{model}") != NULL && o->model == NULL) {
		snprintf(err, errlen, "--api %s needs -m/--model: %s", o->proto->name,
		    strncmp(o->proto->path, "/endpoints/", 11) == 0 ?
		    "the endpoint's name" :
		    "the model id (e.g. anthropic.claude-3-haiku-20240307-v1:0)");
		return -1;
	}
	return 0;
}

/* The API key from the environment, where the API needs one. */
static int
api_key_parse(struct run_opts *o, char *err, size_t errlen)
{
	if (o->proto->env_key != NULL)
		o->api_key = getenv(o->proto->env_key);
	if (o->proto->key_required && (o->api_key == NULL || o->api_key[0] == '\0')) {
		snprintf(err, errlen, "--api %s needs %s set in the environment (any "
		    "value, for a server that checks none)", o->proto->name,
		    o->proto->env_key);
		return -1;
	}
	return 0;
}

/* The options once all are read: checked together and completed. The order
 * of the checks is which error a command line with several gets. */
static int
options_check(struct parse *p, int nargs, char **args, bool url_required,
    char *err, size_t errlen)
{
	struct run_opts *o = p->o;

	if ((o->proto = proto_find(p->api)) == NULL) {
		snprintf(err, errlen, "-a/--api: unknown API '%s' (supported: %s)",
		    p->api, proto_names());
		return -1;
	}
	if (stages_parse(p, err, errlen) != 0 ||
	    prompts_parse(o, err, errlen) != 0 ||
	    body_file_parse(o, err, errlen) != 0)
		return -1;
	if (!p->got_seed)
		o->seed = random_seed();
	if (asserts_need_slo(&o->asserts) && !slo_any(&o->slo)) {
		snprintf(err, errlen, "--assert: goodput needs its objectives: give "
		    "--slo (e.g. --slo ttft:500ms)");
		return -1;
	}
	if (url_parse(o, nargs, args, url_required, err, errlen) != 0)
		return -1;
	if (o->proto->aws_service != NULL && aws_parse(o, err, errlen) != 0)
		return -1;
	if (api_needs_parse(o, err, errlen) != 0)
		return -1;
	if (o->url != NULL) {
		free(o->endpoint);
		if ((o->endpoint = proto_endpoint(o->proto, o->url, o->model, err,
		    errlen)) == NULL)
			return -1;
	}
	if (transport_parse(o, err, errlen) != 0 ||
	    cacert_parse(o, err, errlen) != 0)
		return -1;
	if (o->output == NULL)
		default_output(o);
	return api_key_parse(o, err, errlen);
}

void
options_getopt_error(int ch, char **argv, char *err, size_t errlen)
{
	if (ch == ':')
		snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
	else if (optopt != 0 && optopt < 256)
		snprintf(err, errlen, "unknown option -%c", optopt);
	else
		snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
}

/* For config_file.c: -1 for no such option (nor --config in a config), 0 a
 * flag, 1 an option with a value. */
static int
opt_kind(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTS; i++)
		if (strcmp(opts[i].name, name) == 0 && opts[i].fn != opt_config &&
		    opts[i].fn != opt_rerun)
			return opts[i].has_arg == required_argument;
	return -1;
}

/* What the load is (closed or open loop, its arrivals and concurrency),
 * how each stage ends and what is asked: a config's is dropped when the
 * command line gives its own (-c over a config of rates is no clash). */
struct load_keys {
	const char	*clients, *rates, *ramp, *arrival;
	char		*schedule;
	bool		 got_d, got_n;
	usec_t		 stage_duration;
	long		 requests, max_concurrency;
	char		*prompt, *prompts_file;
	long		 input_tokens, input_tokens_sd;
};

static void
load_keys_take(struct parse *p, struct load_keys *k)
{
	struct run_opts *o = p->o;

	k->clients = p->clients;
	k->rates = p->rates;
	k->ramp = p->ramp;
	k->arrival = p->arrival;
	k->schedule = o->schedule_file;
	k->got_d = p->got_d;
	k->got_n = p->got_n;
	k->stage_duration = o->stage_duration;
	k->requests = o->requests;
	k->max_concurrency = o->max_concurrency;
	k->prompt = o->prompt;
	k->prompts_file = o->prompts_file;
	k->input_tokens = o->input_tokens;
	k->input_tokens_sd = o->input_tokens_sd;
	p->clients = p->rates = p->ramp = p->arrival = NULL;
	o->schedule_file = o->prompt = o->prompts_file = NULL;
	p->got_d = p->got_n = false;
	o->stage_duration = 0;
	o->requests = o->input_tokens = o->input_tokens_sd = 0;
	o->max_concurrency = 0;
}

/* The config's load back where the command line gave none; what stays in
 * k was replaced, for the caller to free. */
static void
load_keys_restore(struct parse *p, struct load_keys *k)
{
	struct run_opts *o = p->o;

	if (p->clients == NULL && p->rates == NULL && p->ramp == NULL &&
	    o->schedule_file == NULL) {
		p->clients = k->clients;
		p->rates = k->rates;
		p->ramp = k->ramp;
		if (p->arrival == NULL)
			p->arrival = k->arrival;
		if (o->max_concurrency == 0)
			o->max_concurrency = k->max_concurrency;
		o->schedule_file = k->schedule;
		k->schedule = NULL;
	}
	if (!p->got_d && !p->got_n) {
		p->got_d = k->got_d;
		p->got_n = k->got_n;
		o->stage_duration = k->stage_duration;
		o->requests = k->requests;
	}
	if (o->prompt == NULL && o->prompts_file == NULL && o->input_tokens == 0) {
		o->prompt = k->prompt;
		o->prompts_file = k->prompts_file;
		o->input_tokens = k->input_tokens;
		o->input_tokens_sd = k->input_tokens_sd;
		k->prompt = k->prompts_file = NULL;
	}
}

/* Each setting of the file through its option's own handler. */
static int
config_apply(struct parse *p, struct config *c, char *err, size_t errlen)
{
	char why[OPT_ERR_MAX];
	size_t j;
	int i;

	if (config_load(c, p->config, p->rerun, opt_kind, err, errlen) != 0)
		return -1;
	for (i = 0; i < c->n; i++) {
		for (j = 0; j < NOPTS; j++)
			if (strcmp(opts[j].name, c->v[i].name) == 0)
				break;
		if (j == NOPTS || opts[j].fn(p, c->v[i].value, why, sizeof why) != 0) {
			snprintf(err, errlen, "%s: key \"%s\": %s", c->path, c->v[i].key,
			    j == NOPTS ? "no such setting" : why);
			return -1;
		}
	}
	return 0;
}

int
options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen)
{
	struct option longs[NOPTS + 1];
	char shorts[2 * NOPTS + 2];
	struct parse p = { .o = o, .api = DEFAULT_API };
	struct load_keys keys;
	struct config c = { NULL, NULL, 0, NULL };
	const struct opt *opt;
	char *url[1], **scan;
	int ch, pass, rc = -1;

	opts_build(longs, shorts);
	opterr = 0;
	o->timeout = DEFAULT_TIMEOUT;
	o->time_scale = 1;
	o->hash_block = DEFAULT_HASH_BLOCK;
	o->preflight = true;
	o->max_errors = DEFAULT_MAX_ERRORS;
	memset(&keys, 0, sizeof keys);
	/* twice: --config or --rerun first, then the rest over it; the first
	 * pass reads a copy, as getopt reorders what it reads */
	scan = xcalloc((size_t)argc + 1, sizeof *scan);
	memcpy(scan, argv, (size_t)argc * sizeof *scan);
	for (pass = 0; pass < 2; pass++) {
		char **av = pass == 0 ? scan : argv;

		optind = 0;	/* 0, not 1: glibc forgets a cluster a last parse
				   left half read */
		while ((ch = getopt_long(argc, av, shorts, longs, NULL)) != -1) {
			bool file;

			if ((opt = opts_find(ch)) == NULL) {
				if (pass == 0)
					continue;	/* said in the pass that counts */
				options_getopt_error(ch, argv, err, errlen);
				goto out;
			}
			file = opt->fn == opt_config || opt->fn == opt_rerun;
			if (file == (pass == 0) && opt->fn(&p, optarg, err, errlen) != 0)
				goto out;
		}
		if (pass == 0 && p.config != NULL) {
			if (config_apply(&p, &c, err, errlen) != 0)
				goto out;
			load_keys_take(&p, &keys);
		}
	}
	if (p.config != NULL)
		load_keys_restore(&p, &keys);
	if (argc - optind == 0 && c.url != NULL) {
		url[0] = c.url;
		rc = options_check(&p, 1, url, url_required, err, errlen);
	} else
		rc = options_check(&p, argc - optind, argv + optind, url_required, err,
		    errlen);
out:
	/* what of the file's load the command line replaced */
	free(keys.schedule);
	free(keys.prompt);
	free(keys.prompts_file);
	free(scan);
	config_free(&c);
	return rc;
}
