#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "run_opts.h"
#include "prompts.h"
#include "schedule.h"
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

	size_t k;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].messages);
		free(v[i].body);
		free(v[i].system);
		for (k = 0; k < v[i].nuser; k++)
			free(v[i].user[k]);
		free(v[i].user);
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

static void
add_turn(struct prompt *p, const char *text)
{
	p->user = xreallocarray(p->user, p->nuser + 1, sizeof *p->user);
	p->user[p->nuser++] = xstrdup(text);
}

/* A chat's system prompt and user turns, for a session to follow. */
static void
messages_turns(const cJSON *messages, struct prompt *p)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, messages) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (!cJSON_IsString(role) || !cJSON_IsString(c))
			continue;
		if (strcmp(role->valuestring, "user") == 0)
			add_turn(p, c->valuestring);
		else if (strcmp(role->valuestring, "system") == 0 && p->system == NULL)
			p->system = xstrdup(c->valuestring);
	}
}

/* ShareGPT's speakers: who asks, who answers. */
static bool
speaker_is(const char *from, const char *const names[])
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(from, names[i]) == 0)
			return true;
	return false;
}

static int
sharegpt_prompt(const cJSON *conv, struct prompt *p, char *why, size_t whylen)
{
	static const char *const asks[] = { "human", "user", NULL };
	static const char *const answers[] = { "gpt", "assistant", "chatgpt",
	    "bard", "bing", "model", NULL };
	const cJSON *turn;
	long answered = 0;

	if (!cJSON_IsArray(conv) || cJSON_GetArraySize(conv) == 0) {
		snprintf(why, whylen, "\"conversations\" is empty: no turn to send");
		return -1;
	}
	p->sharegpt = true;
	cJSON_ArrayForEach(turn, conv) {
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(turn, "from");
		const cJSON *value = cJSON_GetObjectItemCaseSensitive(turn, "value");

		if (!cJSON_IsString(from) || !cJSON_IsString(value)) {
			snprintf(why, whylen, "a turn of \"conversations\" needs "
			    "\"from\" and \"value\" strings");
			return -1;
		}
		if (speaker_is(from->valuestring, asks))
			add_turn(p, value->valuestring);
		else if (speaker_is(from->valuestring, answers))
			answered++;
		else if (strcasecmp(from->valuestring, "system") == 0 &&
		    p->system == NULL)
			p->system = xstrdup(value->valuestring);
	}
	if (p->nuser == 0 || answered == 0) {
		snprintf(why, whylen, "the conversation is one-sided: it has no "
		    "%s turn", p->nuser == 0 ? "human" : "gpt");
		return -1;
	}
	p->text = xstrdup(p->user[0]);
	return 0;
}

static int
object_prompt(const cJSON *root, struct prompt *p, char *why, size_t whylen)
{
	const cJSON *v;

	if (!cJSON_IsObject(root)) {
		snprintf(why, whylen, "not a JSON object");
		return -1;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "conversations")) != NULL)
		return sharegpt_prompt(v, p, why, whylen);
	if (cJSON_GetObjectItemCaseSensitive(root, "model") != NULL ||
	    cJSON_GetObjectItemCaseSensitive(root, "stream") != NULL) {
		p->body = cJSON_PrintUnformatted(root);
		v = cJSON_GetObjectItemCaseSensitive(root, "messages");
		p->text = cJSON_IsArray(v) ? messages_text(v) : xstrdup("");
		return 0;
	}
	if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(root, "prompt"))) {
		p->text = xstrdup(v->valuestring);
		return 0;
	}
	if (cJSON_IsArray(v = cJSON_GetObjectItemCaseSensitive(root, "messages")) &&
	    cJSON_GetArraySize(v) > 0) {
		p->messages = cJSON_PrintUnformatted(v);
		p->text = messages_text(v);
		messages_turns(v, p);
		return 0;
	}
	snprintf(why, whylen, "needs a \"prompt\" string, a \"messages\" "
	    "array, \"conversations\" (ShareGPT), or a whole request body (with "
	    "\"model\" or \"stream\")");
	return -1;
}

static int
jsonl_prompt(const char *line, struct prompt *p, char *why, size_t whylen)
{
	cJSON *root = cJSON_Parse(line);
	int rc = object_prompt(root, p, why, whylen);

	cJSON_Delete(root);
	return rc;
}

static struct prompt *
grow(struct prompt *v, size_t count, size_t *cap)
{
	if (count == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		v = xreallocarray(v, *cap, sizeof *v);
	}
	memset(&v[count], 0, sizeof v[count]);
	return v;
}

static long
lines_in(const char *from, const char *to)
{
	long n = 0;

	for (; from < to; from++)
		n += *from == '\n';
	return n;
}

/* A .json file: one JSON array of prompt objects (ShareGPT's files), each
 * parsed on its own so that an error names the line it starts on. */
static int
load_array(FILE *f, const char *path, struct prompt **out, size_t *n,
    char *err, size_t errlen)
{
	struct buf b;
	char chunk[65536], why[160];
	struct prompt *v = NULL;
	size_t count = 0, cap = 0, got;
	const char *base, *at, *end;
	long line = 1;

	buf_init(&b);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, got);
	if (ferror(f)) {
		snprintf(err, errlen, "--prompts: %s: %s", path, strerror(errno));
		goto fail;
	}
	base = b.p != NULL ? b.p : "";
	at = base + strspn(base, " \t\r\n");
	line += lines_in(base, at);
	if (*at != '[') {
		snprintf(err, errlen, "--prompts: %s:%ld: a .json file holds one "
		    "JSON array of prompts or conversations (or name it .jsonl, one "
		    "object a line)", path, line);
		goto fail;
	}
	for (at++;;) {
		const char *skip = at + strspn(at, " \t\r\n");
		cJSON *item;

		line += lines_in(at, skip);
		at = skip;
		if (*at == ']')
			break;
		item = cJSON_ParseWithOpts(at, &end, false);
		if (item == NULL) {
			snprintf(err, errlen, "--prompts: %s:%ld: not JSON", path, line);
			goto fail;
		}
		v = grow(v, count, &cap);
		v[count].line = line;
		if (object_prompt(item, &v[count], why, sizeof why) != 0) {
			cJSON_Delete(item);
			count++;
			snprintf(err, errlen, "--prompts: %s:%ld: %s", path, line, why);
			goto fail;
		}
		cJSON_Delete(item);
		count++;
		line += lines_in(at, end);
		at = end + strspn(end, " \t\r\n");
		line += lines_in(end, at);
		if (*at == ',')
			at++;
		else if (*at != ']') {
			snprintf(err, errlen, "--prompts: %s:%ld: expected ',' or ']' "
			    "after a prompt", path, line);
			goto fail;
		}
	}
	if (count == 0) {
		snprintf(err, errlen, "--prompts: %s holds no prompts", path);
		goto fail;
	}
	buf_free(&b);
	*out = v;
	*n = count;
	return 0;
fail:
	buf_free(&b);
	prompts_free(v, count);
	return -1;
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
	if (ends_with(path, ".json")) {
		int rc = load_array(f, path, out, n, err, errlen);

		fclose(f);
		return rc;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		v = grow(v, count, &cap);
		v[count].line = lineno;
		if (!jsonl)
			v[count].text = xstrdup(line);
		else if (jsonl_prompt(line, &v[count], why, sizeof why) != 0) {
			count++;
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

static long
body_with(struct prompts *p, const struct prompt *pr, long max_tokens,
    struct buf *out)
{
	const struct run_opts *o = p->o;
	size_t from = out->len;

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

long
prompts_body_of(struct prompts *p, const struct prompt *pr, struct buf *out)
{
	const struct run_opts *o = p->o;

	return body_with(p, pr, o->max_tokens > 0 ?
	    draw(p, o->max_tokens, o->max_tokens_sd) : 0, out);
}

long
prompts_body(struct prompts *p, long index, struct buf *out)
{
	return prompts_body_of(p, pick(p, index), out);
}

int
prompts_turns(struct prompts *p, const struct prompt *conv)
{
	const struct run_opts *o = p->o;
	long n;

	if (conv != NULL && conv->nuser > 0) {
		n = (long)conv->nuser;
		if (o->turns > 0 && o->turns < n)
			n = o->turns;
	} else
		n = o->turns > 0 ? draw(p, o->turns, o->turns_sd) : 1;
	return n > INT_MAX ? INT_MAX : (int)n;
}

const struct prompt *
prompts_next(struct prompts *p)
{
	return pick(p, -1);
}

/* n characters of the passage from at, wrapping round. */
static void
passage_from(struct buf *out, size_t at, size_t n)
{
	size_t len = sizeof passage - 1, i;

	buf_reserve(out, n);
	for (i = 0; i < n; i++)
		buf_addc(out, passage[(at + i) % len]);
}

long
prompts_trace_body(struct prompts *p, const struct trace_req *t,
    struct buf *out)
{
	long max_tokens = t->output_tokens > 0 ? t->output_tokens : 1;
	size_t want = (size_t)t->input_tokens * CHARS_PER_TOKEN, i;
	size_t block = (size_t)p->o->hash_block * CHARS_PER_TOKEN;
	struct prompt pr = { 0 };
	struct buf text;
	char tag[48];

	buf_init(&text);
	/* each hash id's block: its id, then the passage from a place of its
	 * own, exactly a block long */
	for (i = 0; i < t->nhash && text.len < want; i++) {
		size_t n = (size_t)snprintf(tag, sizeof tag, "[%ld] ", t->hash_ids[i]);

		if (n > block)
			n = block;
		buf_add(&text, tag, n);
		passage_from(&text, (size_t)t->hash_ids[i] * 131, block - n);
	}
	if (text.len < want) {	/* the rest: this request's own */
		size_t n = (size_t)snprintf(tag, sizeof tag, "[request %ld] ",
		    ++p->traced);

		buf_add(&text, tag, n);
		passage_from(&text, (size_t)rng_below(&p->rng, sizeof passage - 1),
		    want > text.len ? want - text.len : 0);
	}
	if (text.len > want && want > 0) {
		text.len = want;
		text.p[want] = '\0';
	}
	pr.text = text.p != NULL ? text.p : (char *)"";
	body_with(p, &pr, max_tokens, out);
	buf_free(&text);
	return max_tokens;
}
