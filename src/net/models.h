/* Which models a server serves, asked before a run given no -m: GET
 * /v1/models (OpenAI-compatible servers, TGI) or /api/tags (Ollama). */
#ifndef TTFTOP_MODELS_H
#define TTFTOP_MODELS_H

#include <stddef.h>

struct run_opts;

/* Fills *ids with the served model ids, in the server's order (free with
 * models_free); returns how many, or -1 with the URL and what went wrong in
 * err. Blocks for up to a few seconds: call it before the loop runs. */
int models_list(const struct run_opts *, char ***ids, char *url, size_t urllen,
    char *err, size_t errlen);
void models_free(char **ids, int n);

#endif
