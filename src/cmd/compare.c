/* `ttftop compare BASE NEW`: the change between two saved runs, stage by
 * stage, with its confidence interval and a verdict; exit 3 when a change
 * passes a --fail-on bound. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/options.h"
#include "compare.h"
#include "exit_status.h"
#include "xalloc.h"

/* A side given as FILE or FILE,FILE...: the files merged into one run. */
static char **
split_files(char *arg, int *n)
{
	char **v = NULL, *s;

	*n = 0;
	for (s = strtok(arg, ","); s != NULL; s = strtok(NULL, ",")) {
		v = xreallocarray(v, (size_t)*n + 1, sizeof *v);
		v[(*n)++] = s;
	}
	return v;
}

int
compare_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ "seed", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	struct fail_on *fo = NULL;
	struct compare c;
	char err[OPT_ERR_MAX], **base = NULL, **new_ = NULL, *end;
	unsigned long seed = 1;
	bool json = false;
	int ch, nfo = 0, nb = 0, nn = 0, rc = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'F':
			if (fail_on_parse(optarg, &fo, &nfo, err, sizeof err) != 0) {
				fprintf(stderr, "ttftop compare: %s\n", err);
				free(fo);
				return EXIT_USAGE;
			}
			break;
		case 'S':
			seed = strtoul(optarg, &end, 10);
			if (*end != '\0' || optarg[0] == '\0' || optarg[0] == '-') {
				fprintf(stderr, "ttftop compare: --seed: '%s' is not a whole "
				    "number\n", optarg);
				free(fo);
				return EXIT_USAGE;
			}
			break;
		default:
			options_getopt_error(ch, argv, err, sizeof err);
			fprintf(stderr, "ttftop compare: %s\n", err);
			free(fo);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "ttftop compare: give BASE and NEW (each a file, or "
		    "files joined by commas)\n");
		free(fo);
		return EXIT_USAGE;
	}
	base = split_files(argv[optind], &nb);
	new_ = split_files(argv[optind + 1], &nn);
	if (nb == 0 || nn == 0 || compare_read(&c, base, nb, new_, nn, err,
	    sizeof err) != 0 || compare_run(&c, seed, err, sizeof err) != 0) {
		fprintf(stderr, "ttftop compare: %s\n", nb && nn ? err : "an empty "
		    "list of files");
		rc = EXIT_USAGE;
	} else {
		if (json)
			compare_json(stdout, &c);
		else
			compare_markdown(stdout, &c);
		if (fflush(stdout) != 0)
			rc = EXIT_FAILED;
		else if (nfo > 0 && fail_on_check(stderr, &c, fo, nfo) > 0)
			rc = EXIT_THRESHOLD;
	}
	if (nb && nn)
		compare_free(&c);
	free(base);
	free(new_);
	free(fo);
	return rc;
}
