/* `ttftop run`'s option parsing: the input is a command line, its words
 * separated by NUL bytes. Words that name files outside the current
 * directory are left out (the runner works in an empty directory), so that
 * the fuzzer cannot point --prompts at /dev/zero. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"
#include "run_opts.h"

#define WORDS_MAX	32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *copy = malloc(n + 1), *argv[WORDS_MAX + 2], err[1024];
	struct run_opts o;
	size_t i = 0;
	int argc = 1;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, n);
	copy[n] = '\0';
	argv[0] = "run";
	while (i < n && argc <= WORDS_MAX) {
		char *w = copy + i;

		if (strchr(w, '/') != NULL && strncmp(w, "http", 4) != 0) {
			free(copy);
			return 0;
		}
		argv[argc++] = w;
		i += strlen(w) + 1;
	}
	argv[argc] = NULL;
	memset(&o, 0, sizeof o);
	err[0] = '\0';
	if (options_parse(&o, argc, argv, true, err, sizeof err) != 0 &&
	    memchr(err, '\0', sizeof err) == NULL)
		__builtin_trap();
	run_opts_free(&o);
	free(copy);
	return 0;
}
