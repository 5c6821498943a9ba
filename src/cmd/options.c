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
#include "cmd/options.h"
#include "prompts.h"
#include "proto/proto.h"
#include "xalloc.h"

#define DEFAULT_PROMPT	"Write a long story about a lighthouse keeper who finds a message in a bottle."
#define DEFAULT_TIMEOUT	(300 * (usec_t)USEC_PER_SEC)
#define DEFAULT_REQUESTS 10	/* per client, when neither -d nor -n */
#define MAX_CLIENTS	100000
#define MAX_STAGES	1000
#define MAX_RATE	1e6	/* requests/s */
#define DEFAULT_OPEN_STAGE (30 * (usec_t)USEC_PER_SEC)

enum {
	OPT_MAX_TOKENS = 256, OPT_PROMPT, OPT_TIMEOUT, OPT_HEADLESS, OPT_JSON,
	OPT_SEED, OPT_ARRIVAL, OPT_MAX_CONC, OPT_SCHEDULE, OPT_RATE_RAMP,
	OPT_WARMUP, OPT_SLO, OPT_PROMPTS, OPT_INPUT_TOKENS, OPT_BODY, OPT_SHUFFLE,
	OPT_BODY_FILE, OPT_STREAM, OPT_TOKEN_PATH, OPT_USAGE_PATH, OPT_DONE_PATH,
	OPT_TRANSPORT,
};

static const struct option long_opts[] = {
	{ "api", required_argument, NULL, 'a' },
	{ "model", required_argument, NULL, 'm' },
	{ "clients", required_argument, NULL, 'c' },
	{ "stage-duration", required_argument, NULL, 'd' },
	{ "requests", required_argument, NULL, 'n' },
	{ "prompt", required_argument, NULL, OPT_PROMPT },
	{ "max-tokens", required_argument, NULL, OPT_MAX_TOKENS },
	{ "header", required_argument, NULL, 'H' },
	{ "output", required_argument, NULL, 'o' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "headless", no_argument, NULL, OPT_HEADLESS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "rate", required_argument, NULL, 'r' },
	{ "arrival", required_argument, NULL, OPT_ARRIVAL },
	{ "max-concurrency", required_argument, NULL, OPT_MAX_CONC },
	{ "schedule", required_argument, NULL, OPT_SCHEDULE },
	{ "rate-ramp", required_argument, NULL, OPT_RATE_RAMP },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "slo", required_argument, NULL, OPT_SLO },
	{ "prompts", required_argument, NULL, OPT_PROMPTS },
	{ "input-tokens", required_argument, NULL, OPT_INPUT_TOKENS },
	{ "body", required_argument, NULL, OPT_BODY },
	{ "shuffle", no_argument, NULL, OPT_SHUFFLE },
	{ "body-file", required_argument, NULL, OPT_BODY_FILE },
	{ "stream", required_argument, NULL, OPT_STREAM },
	{ "token-path", required_argument, NULL, OPT_TOKEN_PATH },
	{ "usage-path", required_argument, NULL, OPT_USAGE_PATH },
	{ "done-path", required_argument, NULL, OPT_DONE_PATH },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ NULL, 0, NULL, 0 }
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

static void
default_output(struct run_opts *o)
{
	char name[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(name, sizeof name, "ttftop-%Y%m%d-%H%M%S.jsonl", &tm);
	o->output = xstrdup(name);
}

static bool
body_is_object(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	bool ok = cJSON_IsObject(j);

	cJSON_Delete(j);
	return ok;
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
		if (got_length) {
			snprintf(err, errlen, "--schedule gives the send times: leave "
			    "out -d and -n");
			return -1;
		}
		if (schedule_load(o->schedule_file, &o->sched_at, &o->sched_prompt,
		    &o->nsched, err, errlen) != 0)
			return -1;
		o->nstages = 1;
		o->stage_duration = 0;
		o->requests = 0;
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
	o->body_template = buf_detach(&b, NULL);
	{
		struct prompt p = { .text = "a \"quoted\"\nprompt" };

		buf_init(&b);
		prompts_fill(o->body_template, &p, 16, "m", &b);
		ok = body_is_object(b.p);
		buf_free(&b);
	}
	if (!ok) {
		snprintf(err, errlen, "--body-file: %s is not a JSON object once "
		    "{{prompt}}, {{max_tokens}} and {{model}} are filled in (write "
		    "\"{{prompt}}\" in quotes)", o->body_file);
		return -1;
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
	return 0;
}

/* What the direct transport cannot do, or NULL. */
static const char *
direct_cannot(const struct run_opts *o)
{
	const char *authority;
	size_t n;

	if (o->endpoint == NULL || strncasecmp(o->endpoint, "http://", 7) != 0)
		return "it speaks plain http:// only";
	if (o->proto->aws_service != NULL)
		return "AWS signing needs curl";
	authority = o->endpoint + 7;
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
	static const char *const proxy_vars[] = { "http_proxy", "all_proxy",
	    "ALL_PROXY" };
	const char *why = direct_cannot(o);
	size_t i;

	if (o->transport == TRANSPORT_DIRECT && why != NULL) {
		snprintf(err, errlen, "--transport direct: %s (leave the option "
		    "out, or say curl)", why);
		return -1;
	}
	if (o->transport != TRANSPORT_AUTO)
		return 0;
	o->transport = why != NULL ? TRANSPORT_CURL : TRANSPORT_DIRECT;
	for (i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++) {
		const char *v = getenv(proxy_vars[i]);

		if (v != NULL && v[0] != '\0')
			o->transport = TRANSPORT_CURL;
	}
	return 0;
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

int
options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen)
{
	const char *api = "openai-chat", *clients = NULL, *rates = NULL;
	const char *arrival = NULL, *ramp = NULL;
	bool got_d = false, got_n = false, got_seed = false;
	int ch;

	optind = 1;
	opterr = 0;
	o->timeout = DEFAULT_TIMEOUT;
	while ((ch = getopt_long(argc, argv, ":a:m:c:r:d:n:H:o:", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			api = optarg;
			break;
		case 'm':
			free(o->model);
			o->model = xstrdup(optarg);
			break;
		case 'c':
			clients = optarg;
			break;
		case 'r':
			rates = optarg;
			break;
		case OPT_ARRIVAL:
			arrival = optarg;
			if (arrival_parse(optarg, &o->arrival, &o->arrival_shape) != 0) {
				snprintf(err, errlen, "--arrival: unknown arrival '%s' "
				    "(constant, poisson, or gamma:K with K from 0.01 to "
				    "1000)", optarg);
				return -1;
			}
			break;
		case OPT_MAX_CONC:
			if (parse_count(optarg, &o->max_concurrency) != 0) {
				snprintf(err, errlen, "--max-concurrency: '%s' is not a "
				    "positive whole number", optarg);
				return -1;
			}
			break;
		case OPT_SCHEDULE:
			free(o->schedule_file);
			o->schedule_file = xstrdup(optarg);
			break;
		case OPT_RATE_RAMP:
			ramp = optarg;
			break;
		case OPT_WARMUP:
			if (duration_parse(optarg, &o->warmup) != 0 || o->warmup < 0) {
				snprintf(err, errlen, "--warmup: '%s' is not a duration "
				    "(try 10s)", optarg);
				return -1;
			}
			break;
		case OPT_SLO:
			if (slo_parse(optarg, &o->slo, err, errlen) != 0)
				return -1;
			break;
		case OPT_PROMPTS:
			free(o->prompts_file);
			o->prompts_file = xstrdup(optarg);
			break;
		case OPT_INPUT_TOKENS:
			if (mean_sd_parse(optarg, &o->input_tokens,
			    &o->input_tokens_sd) != 0) {
				snprintf(err, errlen, "--input-tokens: '%s' is not N or "
				    "N:SD (try 512 or 512:64)", optarg);
				return -1;
			}
			break;
		case OPT_BODY: {
			cJSON *j = cJSON_Parse(optarg);
			bool ok = cJSON_IsObject(j);

			cJSON_Delete(j);
			if (!ok) {
				snprintf(err, errlen, "--body: '%s' is not a JSON object "
				    "(try '{\"ignore_eos\": true}')", optarg);
				return -1;
			}
			free(o->body_extra);
			o->body_extra = xstrdup(optarg);
			break;
		}
		case OPT_SHUFFLE:
			o->shuffle = true;
			break;
		case OPT_BODY_FILE:
			free(o->body_file);
			o->body_file = xstrdup(optarg);
			break;
		case OPT_TRANSPORT:
			if (strcmp(optarg, "auto") == 0)
				o->transport = TRANSPORT_AUTO;
			else if (strcmp(optarg, "direct") == 0)
				o->transport = TRANSPORT_DIRECT;
			else if (strcmp(optarg, "curl") == 0)
				o->transport = TRANSPORT_CURL;
			else {
				snprintf(err, errlen, "--transport: '%s' is not auto, "
				    "direct or curl", optarg);
				return -1;
			}
			break;
		case OPT_STREAM:
			if (strcmp(optarg, "sse") != 0 && strcmp(optarg, "ndjson") != 0) {
				snprintf(err, errlen, "--stream: '%s' is not sse or ndjson",
				    optarg);
				return -1;
			}
			o->stream_ndjson = strcmp(optarg, "ndjson") == 0;
			break;
		case OPT_TOKEN_PATH:
		case OPT_USAGE_PATH:
		case OPT_DONE_PATH: {
			char **dst = ch == OPT_TOKEN_PATH ? &o->token_path :
			    ch == OPT_USAGE_PATH ? &o->usage_path : &o->done_path;

			if (optarg[0] == '\0' || strstr(optarg, "..") != NULL ||
			    optarg[0] == '.' || optarg[strlen(optarg) - 1] == '.') {
				snprintf(err, errlen, "--%s-path: '%s' is not a path like "
				    "choices.0.delta.content", ch == OPT_TOKEN_PATH ? "token" :
				    ch == OPT_USAGE_PATH ? "usage" : "done", optarg);
				return -1;
			}
			free(*dst);
			*dst = xstrdup(optarg);
			break;
		}
		case 'd':
			if (duration_parse(optarg, &o->stage_duration) != 0 ||
			    o->stage_duration <= 0) {
				snprintf(err, errlen, "-d/--stage-duration: '%s' is not a "
				    "duration (try 30s, 2m, 500ms)", optarg);
				return -1;
			}
			got_d = true;
			break;
		case 'n':
			if (parse_count(optarg, &o->requests) != 0) {
				snprintf(err, errlen, "-n/--requests: '%s' is not a "
				    "positive whole number", optarg);
				return -1;
			}
			got_n = true;
			break;
		case OPT_PROMPT:
			free(o->prompt);
			o->prompt = xstrdup(optarg);
			break;
		case OPT_MAX_TOKENS:
			if (mean_sd_parse(optarg, &o->max_tokens, &o->max_tokens_sd) != 0) {
				snprintf(err, errlen, "--max-tokens: '%s' is not N or N:SD "
				    "(try 256 or 256:32)", optarg);
				return -1;
			}
			break;
		case 'H':
			if (strchr(optarg, ':') == NULL || optarg[0] == ':') {
				snprintf(err, errlen, "-H/--header: '%s' is not of the "
				    "form 'Name: value'", optarg);
				return -1;
			}
			o->headers = xreallocarray(o->headers, (size_t)o->nheaders + 1,
			    sizeof *o->headers);
			o->headers[o->nheaders++] = xstrdup(optarg);
			break;
		case 'o':
			free(o->output);
			o->output = xstrdup(optarg);
			break;
		case OPT_TIMEOUT:
			if (duration_parse(optarg, &o->timeout) != 0 || o->timeout <= 0) {
				snprintf(err, errlen, "--timeout: '%s' is not a duration "
				    "(try 30s, 2m)", optarg);
				return -1;
			}
			break;
		case OPT_HEADLESS:
			o->headless = true;
			break;
		case OPT_JSON:
			o->json = o->headless = true;
			break;
		case OPT_SEED: {
			char *end;

			errno = 0;
			o->seed = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || !isdigit((unsigned char)*optarg)) {
				snprintf(err, errlen, "--seed: '%s' is not a whole number",
				    optarg);
				return -1;
			}
			got_seed = true;
			break;
		}
		default:
			options_getopt_error(ch, argv, err, errlen);
			return -1;
		}
	}

	if ((o->proto = proto_find(api)) == NULL) {
		snprintf(err, errlen, "-a/--api: unknown API '%s' (supported: %s)",
		    api, proto_names());
		return -1;
	}
	if ((clients != NULL) + (rates != NULL) + (ramp != NULL) +
	    (o->schedule_file != NULL) > 1) {
		snprintf(err, errlen, "-c/--clients, -r/--rate, --rate-ramp and "
		    "--schedule: give one of them");
		return -1;
	}
	if (clients != NULL) {
		free(o->clients);
		o->clients = NULL;
		if (list_parse(clients, MAX_CLIENTS, &o->clients, &o->nstages) != 0) {
			snprintf(err, errlen, "-c/--clients: '%s' is not a list of client "
			    "counts (try 1,5,20)", clients);
			return -1;
		}
	}
	if (got_d && got_n) {
		snprintf(err, errlen, "-d/--stage-duration and -n/--requests: "
		    "give one or the other");
		return -1;
	}
	if (got_n)
		o->stage_duration = 0;	/* the caller's default gives way */
	if (got_d)
		o->requests = 0;
	if (open_loop_parse(o, rates, ramp, got_d || got_n, err, errlen) != 0)
		return -1;
	if (arrival != NULL && rates == NULL && ramp == NULL) {
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
	if (prompts_parse(o, err, errlen) != 0 || body_file_parse(o, err, errlen) != 0)
		return -1;
	if (!got_seed)
		o->seed = random_seed();

	if (url_required) {
		if (optind >= argc && o->proto->aws_service == NULL) {
			snprintf(err, errlen, "no URL given (e.g. ttftop run "
			    "http://127.0.0.1:8000/v1)");
			return -1;
		}
		if (optind + 1 < argc) {
			snprintf(err, errlen, "unexpected argument '%s' after the URL",
			    argv[optind + 1]);
			return -1;
		}
		free(o->url);
		o->url = optind < argc ? xstrdup(argv[optind]) : NULL;
	} else if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->proto->aws_service != NULL && aws_parse(o, err, errlen) != 0)
		return -1;
	if (o->proto == &proto_custom && (o->body_template == NULL ||
	    o->token_path == NULL)) {
		snprintf(err, errlen, "--api custom needs --body-file TEMPLATE and "
		    "--token-path PATH (e.g. choices.0.delta.content)");
		return -1;
	}
	if (strstr(o->proto->path, "{model}") != NULL && o->model == NULL) {
		snprintf(err, errlen, "--api %s needs -m/--model: %s", o->proto->name,
		    strncmp(o->proto->path, "/endpoints/", 11) == 0 ?
		    "the endpoint's name" :
		    "the model id (e.g. anthropic.claude-3-haiku-20240307-v1:0)");
		return -1;
	}
	if (o->url != NULL) {
		free(o->endpoint);
		if ((o->endpoint = proto_endpoint(o->proto, o->url, o->model, err, errlen)) == NULL)
			return -1;
	}
	if (transport_parse(o, err, errlen) != 0)
		return -1;
	if (o->output == NULL)
		default_output(o);
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
