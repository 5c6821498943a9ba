#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "run_opts.h"
#include "prompts.h"
#include "proto/proto.h"
#include "xalloc.h"

/* Plain prose for synthetic prompts, written for ttftop and placed in the
 * public domain. Prompts are cut from it at a random place, wrapping round. */
static const char passage[] =
	"The harbour town woke before the light did. Fishermen carried their "
	"nets down the stone steps while the baker opened his shutters and the "
	"smell of bread drifted over the water. On the hill above the quay stood "
	"the old signal house, where a keeper had once watched for ships and "
	"written the weather into a ledger every hour of every day. The ledger "
	"still lay on the table by the window, its pages brown at the edges, "
	"full of small careful words: wind from the west, rain at noon, three "
	"sails on the horizon, a calm evening with the tide running high. "
	"Children who climbed the hill liked to read it aloud and guess which "
	"days had been frightening and which had been dull. Nobody remembered "
	"the keeper's name, but everybody knew his handwriting, because he had "
	"also painted the names of the boats on their bows, and some of those "
	"boats were still working. In winter the storms came in long grey "
	"lines, and the town closed its doors and waited. The sea would climb "
	"the harbour wall, throw weed across the road and pull the loose "
	"stones back with it, and in the morning people would walk out to see "
	"what had changed. Sometimes a bench had gone, or a railing had bent "
	"into a strange new shape. Once a small wooden chest was found wedged "
	"between two rocks below the signal house, and inside it, wrapped in "
	"oilcloth, was a second ledger in the same careful hand, describing a "
	"coast that nobody in the town had ever seen: white cliffs, a river "
	"mouth with a ruined bridge, a lighthouse painted in red and white "
	"bands, and a market where people traded salt for copper. The school "
	"teacher copied it out, the librarian argued about it, and the "
	"fishermen said only that the currents could carry anything anywhere "
	"if you gave them enough years. Spring came slowly. The gulls returned "
	"to the chimneys, the boats were scraped and painted, and the ledger "
	"from the chest was put on the table beside the first one, where the "
	"children could read them both and decide for themselves which coast "
	"was real. ";

void
prompts_free(struct prompt *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].messages);
		free(v[i].body);
	}
	free(v);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A chat's contents joined by newlines, for APIs that take one string. */
static char *
messages_text(const cJSON *messages)
{
	const cJSON *m;
	struct buf b;
	size_t len;

	buf_init(&b);
	cJSON_ArrayForEach(m, messages) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (!cJSON_IsString(c))
			continue;
		if (b.len > 0)
			buf_addc(&b, '\n');
		buf_adds(&b, c->valuestring);
	}
	return buf_detach(&b, &len);
}

static int
jsonl_prompt(const char *line, struct prompt *p, char *why, size_t whylen)
{
	cJSON *root = cJSON_Parse(line);
	const cJSON *v;
	int rc = -1;

	if (!cJSON_IsObject(root)) {
		snprintf(why, whylen, "not a JSON object");
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "model") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(root, "stream") != NULL) {
		p->body = cJSON_PrintUnformatted(root);
		v = cJSON_GetObjectItemCaseSensitive(root, "messages");
		p->text = cJSON_IsArray(v) ? messages_text(v) : xstrdup("");
		rc = 0;
	} else if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(root, "prompt"))) {
		p->text = xstrdup(v->valuestring);
		rc = 0;
	} else if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(root, "messages")) &&
	    cJSON_GetArraySize(v) > 0) {
		p->messages = cJSON_PrintUnformatted(v);
		p->text = messages_text(v);
		rc = 0;
	} else
		snprintf(why, whylen, "needs a \"prompt\" string, a \"messages\" "
		    "array, or a whole request body (with \"model\" or \"stream\")");
out:
	cJSON_Delete(root);
	return rc;
}

int
prompts_load(const char *path, struct prompt **out, size_t *n, char *err,
    size_t errlen)
{
	FILE *f = fopen(path, "r");
	bool jsonl = ends_with(path, ".jsonl");
	struct prompt *v = NULL;
	size_t count = 0, cap = 0;
	char *line = NULL, why[160];
	size_t linecap = 0;
	ssize_t len;
	long lineno = 0;

	if (f == NULL) {
		snprintf(err, errlen, "--prompts: %s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		memset(&v[count], 0, sizeof v[count]);
		if (!jsonl)
			v[count].text = xstrdup(line);
		else if (jsonl_prompt(line, &v[count], why, sizeof why) != 0) {
			snprintf(err, errlen, "--prompts: %s:%ld: %s", path, lineno, why);
			goto fail;
		}
		count++;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "--prompts: %s: %s", path, strerror(errno));
		goto fail;
	}
	if (count == 0) {
		snprintf(err, errlen, "--prompts: %s holds no prompts", path);
		goto fail;
	}
	free(line);
	fclose(f);
	*out = v;
	*n = count;
	return 0;
fail:
	free(line);
	fclose(f);
	prompts_free(v, count);
	return -1;
}

void
prompts_init(struct prompts *p, const struct run_opts *o)
{
	memset(p, 0, sizeof *p);
	p->o = o;
	rng_seed(&p->rng, o->seed * 2 + 1);	/* apart from the arrivals' */
	if (o->body_extra != NULL)
		p->extra = cJSON_Parse(o->body_extra);	/* checked by options */
}

void
prompts_done(struct prompts *p)
{
	free(p->synth.text);
	cJSON_Delete(p->extra);
	memset(p, 0, sizeof *p);
}

/* N drawn around mean with standard deviation sd, at least 1. */
static long
draw(struct prompts *p, long mean, long sd)
{
	double x;

	if (sd <= 0)
		return mean;
	x = round((double)mean + (double)sd * rng_normal(&p->rng));
	return x < 1 ? 1 : (long)x;
}

/* About n tokens of the passage, from a random place, cut at a word's end. */
static const struct prompt *
synthetic(struct prompts *p, long n)
{
	size_t want = (size_t)n * CHARS_PER_TOKEN, len = sizeof passage - 1;
	size_t at = (size_t)rng_below(&p->rng, len), i;
	char *s;

	/* a word's start, so every prompt reads as text */
	while (at > 0 && passage[at - 1] != ' ')
		at--;
	s = xreallocarray(p->synth.text, want + 1, 1);
	for (i = 0; i < want; i++)
		s[i] = passage[(at + i) % len];
	while (i > 1 && s[i - 1] != ' ' && s[i - 1] != '.')
		i--;			/* end on a whole word */
	if (i <= 1)
		i = want;
	while (i > 0 && s[i - 1] == ' ')
		i--;
	s[i] = '\0';
	p->synth.text = s;
	return &p->synth;
}

static const struct prompt *
pick(struct prompts *p, long index)
{
	const struct run_opts *o = p->o;

	if (o->input_tokens > 0)
		return synthetic(p, draw(p, o->input_tokens, o->input_tokens_sd));
	if (index >= 0)
		return &o->prompts[(size_t)index % o->nprompts];
	if (o->shuffle)
		return &o->prompts[rng_below(&p->rng, o->nprompts)];
	return &o->prompts[p->next++ % o->nprompts];
}

/* The body with --body's fields set over it. */
static void
merge_extra(struct prompts *p, struct buf *out, size_t from)
{
	cJSON *root = cJSON_ParseWithLength(out->p + from, out->len - from);
	const cJSON *item;
	char *text;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return;			/* a whole body that is not an object */
	}
	cJSON_ArrayForEach(item, p->extra) {
		cJSON_DeleteItemFromObjectCaseSensitive(root, item->string);
		cJSON_AddItemToObject(root, item->string, cJSON_Duplicate(item, 1));
	}
	text = cJSON_PrintUnformatted(root);
	out->len = from;
	buf_adds(out, text);
	cJSON_free(text);
	cJSON_Delete(root);
}

/* A JSON string's content, without its quotes. */
static void
add_escaped(struct buf *out, const char *s)
{
	size_t at = out->len;

	buf_add_json_string(out, s);
	memmove(out->p + at, out->p + at + 1, out->len - at - 2);
	out->len -= 2;
	out->p[out->len] = '\0';
}

void
prompts_fill(const char *t, const struct prompt *p, long max_tokens,
    const char *model, struct buf *out)
{
	while (*t != '\0') {
		const char *open = strstr(t, "{{");

		if (open == NULL) {
			buf_adds(out, t);
			return;
		}
		buf_add(out, t, (size_t)(open - t));
		if (strncmp(open, "{{prompt}}", 10) == 0) {
			add_escaped(out, p->text);
			t = open + 10;
		} else if (strncmp(open, "{{model}}", 9) == 0) {
			add_escaped(out, model ? model : "");
			t = open + 9;
		} else if (strncmp(open, "{{max_tokens}}", 14) == 0) {
			buf_printf(out, "%ld", max_tokens);
			t = open + 14;
		} else {
			buf_add(out, open, 2);
			t = open + 2;
		}
	}
}

long
prompts_body(struct prompts *p, long index, struct buf *out)
{
	const struct run_opts *o = p->o;
	const struct prompt *pr = pick(p, index);
	size_t from = out->len;
	long max_tokens = o->max_tokens > 0 ?
	    draw(p, o->max_tokens, o->max_tokens_sd) : 0;

	if (pr->body != NULL)
		buf_adds(out, pr->body);
	else if (o->body_template != NULL)
		prompts_fill(o->body_template, pr, max_tokens, o->model, out);
	else
		o->proto->build_body(o, pr, max_tokens, out);
	if (p->extra != NULL)
		merge_extra(p, out, from);
	return max_tokens;
}
