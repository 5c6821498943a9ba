#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "options.h"
#include "proto.h"
#include "xalloc.h"

#define DEFAULT_PROMPT	"Write a long story about a lighthouse keeper who finds a message in a bottle."
#define DEFAULT_TIMEOUT	(300 * (usec_t)USEC_PER_SEC)
#define DEFAULT_REQUESTS 10	/* per client, when neither -d nor -n */
#define MAX_CLIENTS	100000
#define MAX_STAGES	1000

enum {
	OPT_MAX_TOKENS = 256, OPT_PROMPT, OPT_TIMEOUT, OPT_HEADLESS, OPT_JSON,
	OPT_SEED,
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
parse_count(const char *s, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && *out > 0 ? 0 : -1;
}

bool
header_is_secret(const char *h)
{
	static const char *const words[] = {
		"auth", "key", "token", "secret", "cookie", "session", "password",
	};
	size_t i, n = strcspn(h, ":");
	char name[128];

	if (n >= sizeof name)
		n = sizeof name - 1;
	memcpy(name, h, n);
	name[n] = '\0';
	for (i = 0; i < n; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(name, words[i]) != NULL)
			return true;
	return false;
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

int
options_parse(struct run_opts *o, int argc, char **argv, bool url_required,
    char *err, size_t errlen)
{
	const char *api = "openai-chat", *clients = NULL;
	bool got_d = false, got_n = false;
	int ch, planned;

	optind = 1;
	opterr = 0;
	o->timeout = DEFAULT_TIMEOUT;
	while ((ch = getopt_long(argc, argv, ":a:m:c:d:n:H:o:", long_opts, NULL)) != -1) {
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
			if (parse_count(optarg, &o->max_tokens) != 0) {
				snprintf(err, errlen, "--max-tokens: '%s' is not a "
				    "positive whole number", optarg);
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
			break;
		}
		case ':':
			snprintf(err, errlen, "option %s needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			if (optopt != 0 && optopt < 256)
				snprintf(err, errlen, "unknown option -%c", optopt);
			else
				snprintf(err, errlen, "unknown option %s", argv[optind - 1]);
			return -1;
		}
	}

	if ((o->proto = proto_find(api, &planned)) == NULL) {
		if (planned)
			snprintf(err, errlen, "not supported yet: --api %s (supported: %s)",
			    api, proto_names());
		else
			snprintf(err, errlen, "-a/--api: unknown API '%s' (supported: %s)",
			    api, proto_names());
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
	if (o->clients == NULL) {
		o->clients = xmalloc(sizeof *o->clients);
		o->clients[0] = 1;
		o->nstages = 1;
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
	if (o->stage_duration == 0 && o->requests == 0)
		o->requests = DEFAULT_REQUESTS;

	if (url_required) {
		if (optind >= argc) {
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
		o->url = xstrdup(argv[optind]);
	} else if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (o->url != NULL) {
		free(o->endpoint);
		if ((o->endpoint = proto_endpoint(o->proto, o->url, err, errlen)) == NULL)
			return -1;
	}
	if (o->prompt == NULL)
		o->prompt = xstrdup(DEFAULT_PROMPT);
	if (o->output == NULL)
		default_output(o);
	if (o->proto->env_key != NULL)
		o->api_key = getenv(o->proto->env_key);
	return 0;
}

void
options_free(struct run_opts *o)
{
	int i;

	free(o->url);
	free(o->endpoint);
	free(o->model);
	free(o->clients);
	free(o->prompt);
	free(o->output);
	for (i = 0; i < o->nheaders; i++)
		free(o->headers[i]);
	free(o->headers);
	memset(o, 0, sizeof *o);
}
